use super::LonLat;
use serde::{Deserialize, Serialize};

/// Mounting height used when neither OSM nor the registry gives one: the middle of the 8–12 m range
/// for streets (DOMAIN.md). The lighting model may override it per road class.
pub const DEFAULT_LAMP_HEIGHT_M: f64 = 8.0;
/// Luminous flux used when none is given: an LED street luminaire of the 8 m class.
pub const DEFAULT_LAMP_FLUX_LM: f64 = 8_000.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LampStatus {
    Working,
    Broken,
    /// Mapped but never surveyed (every OSM lamp): the lighting model counts it as lit.
    Unknown,
}

impl LampStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            LampStatus::Working => "working",
            LampStatus::Broken => "broken",
            LampStatus::Unknown => "unknown",
        }
    }

    pub fn parse(s: &str) -> Result<Self, String> {
        match s.trim().to_lowercase().as_str() {
            "working" | "ok" | "正常" => Ok(LampStatus::Working),
            "broken" | "损坏" | "故障" => Ok(LampStatus::Broken),
            "" | "unknown" | "未知" => Ok(LampStatus::Unknown),
            other => Err(format!(
                "unknown lamp status {other:?} (expected working, broken or unknown)"
            )),
        }
    }
}

/// A street lamp. Height and flux stay `None` when the source did not give them, so that a later
/// default (by road class) is never mistaken for a surveyed value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lamp {
    pub id: i64,
    pub source_id: String,
    pub position: LonLat,
    pub height_m: Option<f64>,
    pub flux_lm: Option<f64>,
    pub status: LampStatus,
}

impl Lamp {
    pub fn height_or_default(&self) -> f64 {
        self.height_m.unwrap_or(DEFAULT_LAMP_HEIGHT_M)
    }

    pub fn flux_or_default(&self) -> f64 {
        self.flux_lm.unwrap_or(DEFAULT_LAMP_FLUX_LM)
    }
}
