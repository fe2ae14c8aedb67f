use super::LonLat;
use serde::{Deserialize, Serialize};

/// The kinds of key place that must be patrolled; the kind sets the inspection frequency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VenueKind {
    /// KTV, dance halls, bars, nightclubs, casinos.
    Entertainment,
    /// Bathhouses, saunas, massage.
    Bathhouse,
    /// Rental housing, hotels, hostels.
    Rental,
    Other,
}

impl VenueKind {
    pub const ALL: [VenueKind; 4] = [
        VenueKind::Entertainment,
        VenueKind::Bathhouse,
        VenueKind::Rental,
        VenueKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            VenueKind::Entertainment => "entertainment",
            VenueKind::Bathhouse => "bathhouse",
            VenueKind::Rental => "rental",
            VenueKind::Other => "other",
        }
    }

    /// Registries written by district staff use Chinese category names as often as the codes.
    pub fn parse(s: &str) -> Result<Self, String> {
        match s.trim().to_lowercase().as_str() {
            "entertainment" | "娱乐场所" | "娱乐" | "ktv" => Ok(VenueKind::Entertainment),
            "bathhouse" | "洗浴场所" | "洗浴" | "桑拿" => Ok(VenueKind::Bathhouse),
            "rental" | "出租房" | "出租屋" | "租赁房屋" => Ok(VenueKind::Rental),
            "other" | "其他" => Ok(VenueKind::Other),
            other => Err(format!(
                "unknown venue kind {other:?} (expected entertainment, bathhouse, rental or other)"
            )),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VenueStatus {
    Active,
    Suspended,
    Closed,
}

impl VenueStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            VenueStatus::Active => "active",
            VenueStatus::Suspended => "suspended",
            VenueStatus::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Result<Self, String> {
        match s.trim().to_lowercase().as_str() {
            "" | "active" | "营业" | "正常" => Ok(VenueStatus::Active),
            "suspended" | "停业整顿" | "暂停" => Ok(VenueStatus::Suspended),
            "closed" | "关闭" | "注销" => Ok(VenueStatus::Closed),
            other => Err(format!(
                "unknown venue status {other:?} (expected active, suspended or closed)"
            )),
        }
    }
}

/// A key place on the registry: the unit of inspection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Venue {
    /// Store id; 0 until stored.
    pub id: i64,
    /// The registry's own id (or `osm:node/…`); imports are idempotent by it.
    pub source_id: String,
    pub kind: VenueKind,
    pub name: String,
    pub address: Option<String>,
    pub position: LonLat,
    /// OSM `opening_hours` syntax, as given.
    pub opening_hours: Option<String>,
    pub status: VenueStatus,
    pub responsible_unit: Option<String>,
    /// Tips and complaints received about the venue (a risk input).
    pub complaints: u32,
    /// Generated demo data, never a real registry row.
    pub sample: bool,
}

impl Venue {
    /// A generated, active venue with nothing known beyond its kind, name and place: what the
    /// synthetic cities and load benchmarks fill a store with.
    pub fn sample(source_id: String, kind: VenueKind, name: String, position: LonLat) -> Self {
        Self {
            id: 0,
            source_id,
            kind,
            name,
            address: None,
            position,
            opening_hours: None,
            status: VenueStatus::Active,
            responsible_unit: None,
            complaints: 0,
            sample: true,
        }
    }
}

/// A venue-like point of interest found in OSM: a suggestion for the registry, not a registry row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VenueCandidate {
    pub source_id: String,
    pub kind: VenueKind,
    /// The OSM tag that decided the kind, e.g. `amenity=nightclub`.
    pub osm_tag: String,
    pub name: Option<String>,
    pub address: Option<String>,
    pub position: LonLat,
    pub opening_hours: Option<String>,
}
