//! The lighting results as GeoJSON features (RFC 7946), ready for the map layers: every property
//! the UI needs to explain a spot travels with it.

use super::{BlindSpot, DataGap, LampProposal, RepairImpact};
use crate::model::geojson_feature as feature;
use geojson::Feature;

impl BlindSpot {
    /// A Point for a corner, a LineString for a stretch; properties are every field but the
    /// geometry, terms of the severity included.
    pub fn feature(&self) -> Feature {
        let mut f = feature(&self.geometry, self);
        if let Some(p) = f.properties.as_mut() {
            p.remove("geometry");
        }
        f
    }
}

impl DataGap {
    pub fn feature(&self) -> Feature {
        let mut f = feature(&self.geometry, self);
        if let Some(p) = f.properties.as_mut() {
            p.remove("geometry");
        }
        f
    }
}

impl LampProposal {
    pub fn feature(&self) -> Feature {
        feature(&[self.at], self)
    }
}

impl RepairImpact {
    pub fn feature(&self) -> Feature {
        feature(&[self.at], self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lighting::{BlindSpotKind, SeverityTerms, VenueCounts};
    use crate::model::LonLat;

    #[test]
    fn a_stretch_is_a_line_with_its_severity_terms() {
        let spot = BlindSpot {
            kind: BlindSpotKind::Stretch,
            ref_id: 9,
            road_class: "footway".into(),
            lighting_class: "P4".into(),
            required_min_lx: 1.0,
            at: LonLat::new(13.43, 52.47),
            lux: 0.2,
            mean_lux: 0.4,
            length_m: 15.0,
            geometry: vec![LonLat::new(13.43, 52.47), LonLat::new(13.4302, 52.47)],
            confirmed: true,
            severity: 0.9,
            terms: SeverityTerms {
                relative_deficit: 0.6,
                road_weight: 1.0,
                venue_weight: 0.5,
                venues_nearby: VenueCounts::default(),
            },
        };
        let json: serde_json::Value = serde_json::from_str(&spot.feature().to_string()).unwrap();
        assert_eq!(json["geometry"]["type"], "LineString");
        assert_eq!(json["properties"]["kind"], "stretch");
        assert_eq!(json["properties"]["terms"]["relative_deficit"], 0.6);
        assert!(json["properties"].get("geometry").is_none());
    }
}
