use geo::MultiPolygon;
use serde::{Deserialize, Serialize};

/// The three levels of grid management (网格化管理), from coarse to fine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AreaLevel {
    /// 乡镇/街道.
    Township,
    /// 社区/村.
    Community,
    /// 网格: a square cell of the district grid.
    Grid,
}

impl AreaLevel {
    pub const ALL: [AreaLevel; 3] = [AreaLevel::Township, AreaLevel::Community, AreaLevel::Grid];

    pub fn as_str(self) -> &'static str {
        match self {
            AreaLevel::Township => "township",
            AreaLevel::Community => "community",
            AreaLevel::Grid => "grid",
        }
    }

    pub fn parse(s: &str) -> Result<Self, String> {
        match s.trim().to_lowercase().as_str() {
            "township" | "street" | "乡镇" | "街道" => Ok(AreaLevel::Township),
            "community" | "village" | "社区" | "村" => Ok(AreaLevel::Community),
            "grid" | "网格" => Ok(AreaLevel::Grid),
            other => Err(format!(
                "unknown area level {other:?} (expected township, community or grid)"
            )),
        }
    }
}

/// An administrative or grid area, nested through `parent_source_id`.
#[derive(Debug, Clone, PartialEq)]
pub struct Area {
    pub id: i64,
    pub source_id: String,
    pub name: String,
    pub level: AreaLevel,
    pub parent_source_id: Option<String>,
    /// WGS-84, exterior rings closed.
    pub geometry: MultiPolygon<f64>,
    pub sample: bool,
}
