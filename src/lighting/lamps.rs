//! The lamps the model lights the city with: mapped lamps with their missing attributes filled in
//! by the class of the street they stand on, duplicates removed, and broken lamps set apart.

use super::config::{LampSpec, LightingConfig};
use super::photometry::{LightDistribution, cutoff_radius_m};
use crate::index::{PointIndex, SegmentIndex};
use crate::model::{
    DEFAULT_LAMP_FLUX_LM, DEFAULT_LAMP_HEIGHT_M, Lamp, LampStatus, LocalFrame, LonLat, MetricPoint,
    StreetEdge,
};
use rayon::prelude::*;
use serde::Serialize;

/// A lamp as the model uses it, with every attribute known.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LitLamp {
    pub id: i64,
    pub position: LonLat,
    #[serde(skip)]
    pub at: MetricPoint,
    pub height_m: f64,
    pub flux_lm: f64,
    /// Beyond this horizontal distance the lamp adds at most the cut-off illuminance.
    pub radius_m: f64,
    /// Height or flux came from the defaults, not from the source.
    pub defaulted: bool,
}

/// What the model makes of the mapped lamps.
pub struct LampSet {
    /// Every lamp but the duplicates, ascending by id, with whether it lights the street: working
    /// and unknown-status lamps do (unknown is every OSM lamp), broken ones do not.
    pub resolved: Vec<(LitLamp, bool)>,
    /// Lamps at the spot of an earlier one (lower id): one lamp mapped twice, left out. Ascending.
    pub duplicates: Vec<i64>,
    /// Every mapped lamp, broken or not: where a lamp exists on the map (items are lamp ids).
    pub mapped: PointIndex<i64>,
}

/// What resolves one lamp: the streets its defaults come from and the rules.
pub struct LampRules<'a> {
    pub edges: &'a [StreetEdge],
    pub streets: &'a SegmentIndex,
    pub frame: &'a LocalFrame,
    pub config: &'a LightingConfig,
    pub distribution: &'a dyn LightDistribution,
}

impl LampRules<'_> {
    /// The lamp with every attribute known, or `Err(id)` when it is a lamp of `mapped` with a
    /// lower id mapped a second time.
    pub fn resolve(&self, lamp: &Lamp, mapped: &PointIndex<i64>) -> Result<LitLamp, i64> {
        let config = self.config;
        let at = self.frame.to_metric(lamp.position);
        let twin = mapped
            .within_metric(at, config.duplicate_lamp_m)
            .any(|n| n.item < lamp.id);
        if twin {
            return Err(lamp.id);
        }
        let fallback = || default_spec(lamp.position, self.edges, self.streets, config);
        let (height_m, flux_lm) = match (lamp.height_m, lamp.flux_lm) {
            (Some(h), Some(f)) => (h, f),
            (h, f) => {
                let d = fallback();
                (h.unwrap_or(d.height_m), f.unwrap_or(d.flux_lm))
            }
        };
        let radius_m = cutoff_radius_m(
            self.distribution,
            flux_lm,
            height_m,
            config.maintenance_factor,
            config.cutoff_lux,
        );
        Ok(LitLamp {
            id: lamp.id,
            position: lamp.position,
            at,
            height_m,
            flux_lm,
            radius_m,
            defaulted: lamp.height_m.is_none() || lamp.flux_lm.is_none(),
        })
    }
}

/// Whether a lamp of this status adds to the sums.
pub fn lights(status: LampStatus) -> bool {
    match status {
        LampStatus::Working | LampStatus::Unknown => true,
        LampStatus::Broken => false,
    }
}

/// The rules, documented in `default.toml`:
/// - a missing height or flux takes the default of the strictest lighting class among the streets
///   beside the lamp (else of the nearest street); a lamp by no judged street takes the
///   model-wide defaults (8 m, 8,000 lm);
/// - a lamp within `duplicate_lamp_m` of a lamp with a lower id is the same lamp mapped twice
///   (and left out, whatever that other lamp's own fate);
/// - broken lamps add nothing to any sum, but keep their attributes for the repair estimate.
pub fn resolve_lamps(lamps: &[Lamp], rules: &LampRules) -> LampSet {
    let mut ordered: Vec<&Lamp> = lamps.iter().collect();
    ordered.sort_by_key(|l| l.id);
    // Every mapped lamp, duplicates included: a lamp mapped twice still stands there.
    let mapped = PointIndex::build(*rules.frame, ordered.iter().map(|l| (l.position, l.id)));
    let outcomes: Vec<Result<(LitLamp, bool), i64>> = ordered
        .par_iter()
        .map(|lamp| {
            rules
                .resolve(lamp, &mapped)
                .map(|l| (l, lights(lamp.status)))
        })
        .collect();
    let mut resolved = Vec::with_capacity(outcomes.len());
    let mut duplicates = Vec::new();
    for o in outcomes {
        match o {
            Ok(l) => resolved.push(l),
            Err(id) => duplicates.push(id),
        }
    }
    LampSet {
        resolved,
        duplicates,
        mapped,
    }
}

/// The lamp a pole most likely carries: that of the strictest lighting class among the streets
/// within `lamp_street_radius_m` (a pole at the kerb serves the carriageway, even where the
/// sidewalk beside it is mapped as its own footway), else of the nearest street.
fn default_spec(
    at: LonLat,
    edges: &[StreetEdge],
    streets: &SegmentIndex,
    config: &LightingConfig,
) -> LampSpec {
    let strictest = streets
        .edges_within(at, config.lamp_street_radius_m)
        .into_iter()
        .filter_map(|e| config.class_of(&edges[e].road_class))
        .filter_map(|c| Some((c, config.requirement(c)?)))
        .max_by(|a, b| {
            a.1.min_lx
                .total_cmp(&b.1.min_lx)
                .then(a.1.avg_lx.total_cmp(&b.1.avg_lx))
                .then(b.0.cmp(a.0))
        })
        .map(|(c, _)| c);
    strictest
        .or_else(|| {
            streets
                .snap(at)
                .and_then(|snap| config.class_of(&edges[snap.edge].road_class))
        })
        .and_then(|class| config.lamp_defaults.get(class).copied())
        .unwrap_or(LampSpec {
            height_m: DEFAULT_LAMP_HEIGHT_M,
            flux_lm: DEFAULT_LAMP_FLUX_LM,
        })
}
