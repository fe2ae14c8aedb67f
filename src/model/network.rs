use super::LonLat;
use serde::{Deserialize, Serialize};

/// A node of the street graph: an end of one or more edges. Its id is the OSM node id.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StreetNode {
    pub id: i64,
    pub position: LonLat,
}

/// Travel direction allowed on an edge relative to its geometry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Oneway {
    No,
    /// Only along the geometry (from → to).
    Forward,
    /// Only against the geometry (OSM `oneway=-1`).
    Backward,
}

impl Oneway {
    pub fn as_i64(self) -> i64 {
        match self {
            Oneway::No => 0,
            Oneway::Forward => 1,
            Oneway::Backward => -1,
        }
    }

    pub fn from_i64(v: i64) -> Self {
        match v {
            1 => Oneway::Forward,
            -1 => Oneway::Backward,
            _ => Oneway::No,
        }
    }
}

/// What OSM's `lit=*` says about a street; `None` on the edge when untagged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LitTag {
    Yes,
    No,
    /// Any other value (`automatic`, `limited`, `sunset-sunrise`, …): lit some of the time.
    Partial,
}

impl LitTag {
    pub fn parse(v: &str) -> Self {
        match v {
            "yes" | "24/7" => LitTag::Yes,
            "no" | "disused" => LitTag::No,
            _ => LitTag::Partial,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            LitTag::Yes => "yes",
            LitTag::No => "no",
            LitTag::Partial => "partial",
        }
    }
}

/// A street between two graph nodes, with the shape points of the OSM way in between.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StreetEdge {
    pub id: i64,
    /// `osm:way/<way id>/<run>/<piece>`: stable for the same OSM data.
    pub source_id: String,
    pub from_node: i64,
    pub to_node: i64,
    /// The OSM `highway=*` value (`primary`, `residential`, `footway`, …).
    pub road_class: String,
    pub name: Option<String>,
    pub oneway: Oneway,
    pub length_m: f64,
    pub lit: Option<LitTag>,
    /// People may walk it (footways, streets; not motorways unless tagged).
    pub foot: bool,
    /// Cars may drive it.
    pub car: bool,
    pub geometry: Vec<LonLat>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CornerKind {
    /// Three or more street ends meet.
    Junction,
    /// The street turns by more than the bend threshold.
    Bend,
}

impl CornerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CornerKind::Junction => "junction",
            CornerKind::Bend => "bend",
        }
    }

    pub fn parse(s: &str) -> Result<Self, String> {
        match s {
            "junction" => Ok(CornerKind::Junction),
            "bend" => Ok(CornerKind::Bend),
            other => Err(format!("unknown corner kind {other:?}")),
        }
    }
}

/// A street corner: where people can wait unseen, and where the lighting standard is strictest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Corner {
    pub id: i64,
    /// `osm:node/<id>`.
    pub source_id: String,
    pub position: LonLat,
    pub kind: CornerKind,
    /// Street ends meeting here (2 for a bend inside one street).
    pub degree: u32,
    /// For a bend, the turn in degrees; for a junction, 0.
    pub turn_deg: f64,
    /// The `highway=*` classes meeting here, sorted and de-duplicated.
    pub road_classes: Vec<String>,
}
