//! The lighting model's configuration: standards, defaults and weights, read from TOML. The
//! documented defaults live in `default.toml` beside this file, which is also the template users
//! copy.

use crate::model::layered_toml;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

pub const DEFAULT_TOML: &str = include_str!("default.toml");

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    pub avg_lx: f64,
    pub min_lx: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LampSpec {
    pub height_m: f64,
    pub flux_lm: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exposure {
    pub venue_kinds: BTreeMap<String, f64>,
    pub lighting_classes: BTreeMap<String, f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LightingConfig {
    pub maintenance_factor: f64,
    pub sample_spacing_m: f64,
    pub min_dark_run_m: f64,
    pub cutoff_lux: f64,
    pub data_gap_radius_m: f64,
    pub data_gaps_are_dark: bool,
    pub duplicate_lamp_m: f64,
    pub lamp_street_radius_m: f64,
    pub proposal_spacing_m: f64,
    pub exposure_radius_m: f64,
    pub classes: BTreeMap<String, Requirement>,
    pub road_classes: BTreeMap<String, String>,
    pub lamp_defaults: BTreeMap<String, LampSpec>,
    pub exposure: Exposure,
}

impl Default for LightingConfig {
    fn default() -> Self {
        toml::from_str(DEFAULT_TOML)
            .expect("the bundled default.toml is valid (a unit test checks it)")
    }
}

impl LightingConfig {
    /// Reads a user's file over the defaults: keys the file leaves out keep their default.
    pub fn from_file(path: &Path) -> Result<Self, String> {
        let config: Self = layered_toml::file_over_defaults(DEFAULT_TOML, path)?;
        config
            .validate()
            .map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(config)
    }

    pub fn from_toml(text: &str) -> Result<Self, String> {
        let config: Self = layered_toml::over_defaults(DEFAULT_TOML, text)?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), String> {
        let positive = [
            ("maintenance_factor", self.maintenance_factor),
            ("sample_spacing_m", self.sample_spacing_m),
            ("cutoff_lux", self.cutoff_lux),
            ("proposal_spacing_m", self.proposal_spacing_m),
            ("exposure_radius_m", self.exposure_radius_m),
        ];
        for (key, v) in positive {
            if !(v.is_finite() && v > 0.0) {
                return Err(format!("{key} must be a positive number, got {v}"));
            }
        }
        if self.maintenance_factor > 1.0 {
            return Err(format!(
                "maintenance_factor must be at most 1, got {}",
                self.maintenance_factor
            ));
        }
        for (road, class) in &self.road_classes {
            if !self.classes.contains_key(class) {
                return Err(format!(
                    "road_classes.{road} names the class {class:?}, which [classes] does not define"
                ));
            }
            if !self.lamp_defaults.contains_key(class) {
                return Err(format!(
                    "lamp_defaults has no lamp for the class {class:?} (used by road_classes.{road})"
                ));
            }
        }
        for (class, r) in &self.classes {
            if !(r.min_lx >= 0.0 && r.avg_lx >= r.min_lx) {
                return Err(format!(
                    "classes.{class}: need 0 ≤ min_lx ≤ avg_lx, got {} and {}",
                    r.min_lx, r.avg_lx
                ));
            }
        }
        for (class, l) in &self.lamp_defaults {
            if !(l.height_m > 0.0 && l.flux_lm > 0.0) {
                return Err(format!(
                    "lamp_defaults.{class}: height and flux must be positive"
                ));
            }
        }
        Ok(())
    }

    /// The lighting class of an OSM `highway=*` value, if such streets are judged at all.
    pub fn class_of(&self, road_class: &str) -> Option<&str> {
        self.road_classes.get(road_class).map(String::as_str)
    }

    pub fn requirement(&self, class: &str) -> Option<Requirement> {
        self.classes.get(class).copied()
    }

    /// The lighting class and standard a street of this `highway=*` value is judged against.
    pub fn road_requirement(&self, road_class: &str) -> Option<(&str, Requirement)> {
        let class = self.class_of(road_class)?;
        Some((class, self.requirement(class)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_defaults_parse_and_validate() {
        let c = LightingConfig::from_toml("").unwrap();
        assert_eq!(c, LightingConfig::default());
        assert_eq!(c.maintenance_factor, 0.7);
        assert_eq!(c.class_of("primary"), Some("I"));
        assert_eq!(c.requirement("III").unwrap().min_lx, 2.4);
        assert_eq!(c.class_of("track"), None);
    }

    #[test]
    fn a_user_file_overrides_only_what_it_names() {
        let c = LightingConfig::from_toml(
            "maintenance_factor = 0.8\n[classes]\nIII = { avg_lx = 10.0, min_lx = 3.0 }\n",
        )
        .unwrap();
        assert_eq!(c.maintenance_factor, 0.8);
        assert_eq!(c.requirement("III").unwrap().avg_lx, 10.0);
        assert_eq!(c.requirement("II").unwrap().avg_lx, 15.0);
    }

    #[test]
    fn bad_files_name_the_key() {
        assert!(
            LightingConfig::from_toml("maintenance_factor = 1.5")
                .unwrap_err()
                .contains("maintenance_factor")
        );
        assert!(
            LightingConfig::from_toml("[road_classes]\nfootway = \"Z\"")
                .unwrap_err()
                .contains("footway")
        );
        assert!(
            LightingConfig::from_toml("sample_spacing = 5")
                .unwrap_err()
                .contains("sample_spacing")
        );
    }
}
