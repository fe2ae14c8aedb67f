//! How each kind of team moves through the streets: which edges it may use, in which direction,
//! and how fast. Speeds are urban averages including junction delays, not speed limits.

use crate::model::{Oneway, StreetEdge};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TravelMode {
    Walk,
    Ebike,
    Car,
}

impl TravelMode {
    pub const ALL: [TravelMode; 3] = [TravelMode::Walk, TravelMode::Ebike, TravelMode::Car];

    pub fn as_str(self) -> &'static str {
        match self {
            TravelMode::Walk => "walk",
            TravelMode::Ebike => "ebike",
            TravelMode::Car => "car",
        }
    }

    pub fn parse(s: &str) -> Result<Self, String> {
        match s.trim().to_lowercase().as_str() {
            "walk" | "foot" | "步行" => Ok(TravelMode::Walk),
            "ebike" | "e-bike" | "电动车" => Ok(TravelMode::Ebike),
            "car" | "汽车" => Ok(TravelMode::Car),
            other => Err(format!(
                "unknown travel mode {other:?} (expected walk, ebike or car)"
            )),
        }
    }

    /// Speed in metres per second on an edge of this class, or `None` when the mode may not use it.
    pub fn speed_mps(self, edge: &StreetEdge) -> Option<f64> {
        let class = edge.road_class.as_str();
        let kmh = match self {
            // 4.5 km/h: a patrol's walking pace, steps included.
            TravelMode::Walk => edge.foot.then_some(4.5)?,
            // E-bikes keep to the carriageway, cycleways and paths; never steps or footways.
            TravelMode::Ebike => match class {
                "steps" | "footway" | "pedestrian" | "motorway" | "motorway_link" => return None,
                "cycleway" | "path" | "track" => 15.0,
                "living_street" | "service" => 12.0,
                _ if edge.car => 18.0,
                _ => return None,
            },
            TravelMode::Car => {
                if !edge.car {
                    return None;
                }
                match class {
                    "motorway" | "motorway_link" | "trunk" | "trunk_link" => 50.0,
                    "primary" | "primary_link" => 35.0,
                    "secondary" | "secondary_link" => 30.0,
                    "tertiary" | "tertiary_link" => 25.0,
                    "unclassified" | "residential" | "road" => 20.0,
                    "living_street" => 8.0,
                    _ => 12.0,
                }
            }
        };
        Some(kmh / 3.6)
    }

    /// Whether the mode may travel along the edge's geometry (from → to) and against it.
    pub fn directions(self, edge: &StreetEdge) -> (bool, bool) {
        match (self, edge.oneway) {
            // Walkers may go both ways on any street; so may e-bikes here (contraflow is common
            // in Chinese cities and patrols dismount), cars follow the signs.
            (TravelMode::Walk | TravelMode::Ebike, _) | (TravelMode::Car, Oneway::No) => {
                (true, true)
            }
            (TravelMode::Car, Oneway::Forward) => (true, false),
            (TravelMode::Car, Oneway::Backward) => (false, true),
        }
    }
}
