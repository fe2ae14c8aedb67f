//! Blind spots: dark corners and dark stretches of at least the configured length, each with a
//! severity that the UI can take apart: relative deficit × (road weight + venue weight).

use super::config::LightingConfig;
use super::corners::{CornerLighting, CornerState};
use super::evaluate::{EdgeLighting, Run};
use crate::index::PointIndex;
use crate::model::{
    LitTag, LocalFrame, LonLat, MetricPoint, Venue, VenueKind, metres_between, metric_bounds,
};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BlindSpotKind {
    Corner,
    Stretch,
}

impl BlindSpotKind {
    pub fn as_str(self) -> &'static str {
        match self {
            BlindSpotKind::Corner => "corner",
            BlindSpotKind::Stretch => "stretch",
        }
    }
}

/// Every term of a blind spot's severity, so that anyone can see why it ranks where it does.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeverityTerms {
    /// Mean of (minimum − lux) / minimum over the spot, 0..1.
    pub relative_deficit: f64,
    /// Weight of the lighting class (footways and lanes hide more than main roads).
    pub road_weight: f64,
    /// Σ kind weight × (1 − distance / radius) over venues within the exposure radius.
    pub venue_weight: f64,
    /// Venues within the exposure radius, by kind.
    pub venues_nearby: VenueCounts,
}

/// Venues near a spot, by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct VenueCounts {
    pub entertainment: usize,
    pub bathhouse: usize,
    pub rental: usize,
    pub other: usize,
}

impl VenueCounts {
    fn add(&mut self, kind: VenueKind) {
        match kind {
            VenueKind::Entertainment => self.entertainment += 1,
            VenueKind::Bathhouse => self.bathhouse += 1,
            VenueKind::Rental => self.rental += 1,
            VenueKind::Other => self.other += 1,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BlindSpot {
    pub kind: BlindSpotKind,
    /// The corner id, or the street edge id.
    pub ref_id: i64,
    pub road_class: String,
    pub lighting_class: String,
    pub required_min_lx: f64,
    /// The darkest point, where `lighting --at` re-derives `lux`.
    pub at: LonLat,
    pub lux: f64,
    pub mean_lux: f64,
    pub length_m: f64,
    /// A point for a corner, the stretch's line for a stretch.
    pub geometry: Vec<LonLat>,
    /// The street is tagged `lit=no`: the map confirms the darkness.
    pub confirmed: bool,
    pub severity: f64,
    pub terms: SeverityTerms,
}

/// Venues in the frame, to weigh how exposed a dark spot is. It owns what it needs, so an
/// evaluated city can keep it between lamp changes.
pub struct Exposure {
    kinds: Vec<VenueKind>,
    index: PointIndex<usize>,
    config: LightingConfig,
}

impl Exposure {
    pub fn new(frame: LocalFrame, venues: &[Venue], config: &LightingConfig) -> Self {
        let index = PointIndex::build(
            frame,
            venues.iter().enumerate().map(|(i, v)| (v.position, i)),
        );
        Self {
            kinds: venues.iter().map(|v| v.kind).collect(),
            index,
            config: config.clone(),
        }
    }

    /// Venue weight and counts for a spot made of `points`: each venue counts once, at its
    /// distance to the nearest point of the spot. One index query covers the whole spot.
    fn venues_near(&self, points: &[MetricPoint]) -> (f64, VenueCounts) {
        let radius = self.config.exposure_radius_m;
        let (lo, hi) = metric_bounds(points.iter().copied());
        let mut weight = 0.0;
        let mut counts = VenueCounts::default();
        let near = self.index.in_metric_box(
            [lo[0] - radius, lo[1] - radius],
            [hi[0] + radius, hi[1] + radius],
        );
        let mut near: Vec<(usize, MetricPoint)> = near.collect();
        near.sort_unstable_by_key(|v| v.0);
        for (i, v) in near {
            let d = points
                .iter()
                .map(|p| metres_between(*p, v))
                .fold(f64::INFINITY, f64::min);
            if d > radius {
                continue;
            }
            let kind = self.kinds[i].as_str();
            weight += self
                .config
                .exposure
                .venue_kinds
                .get(kind)
                .copied()
                .unwrap_or(0.0)
                * (1.0 - d / radius);
            counts.add(self.kinds[i]);
        }
        (weight, counts)
    }

    fn spot(
        &self,
        id: SpotIdentity,
        points: &[MetricPoint],
        lux: &[f64],
        frame: &LocalFrame,
    ) -> BlindSpot {
        let min_lx = id.required_min_lx;
        let darkest = (0..lux.len())
            .min_by(|a, b| lux[*a].total_cmp(&lux[*b]))
            .unwrap_or(0);
        let relative_deficit = lux
            .iter()
            .map(|l| ((min_lx - l) / min_lx).clamp(0.0, 1.0))
            .fold(0.0, |a, b| a + b)
            / lux.len().max(1) as f64;
        let road_weight = self
            .config
            .exposure
            .lighting_classes
            .get(&id.lighting_class)
            .copied()
            .unwrap_or(1.0);
        let (venue_weight, venues_nearby) = self.venues_near(points);
        let length_m = points
            .windows(2)
            .map(|w| metres_between(w[0], w[1]))
            .fold(0.0, |a, b| a + b);
        BlindSpot {
            kind: id.kind,
            ref_id: id.ref_id,
            road_class: id.road_class,
            lighting_class: id.lighting_class,
            required_min_lx: min_lx,
            at: frame.to_lonlat(points[darkest]),
            lux: lux[darkest],
            mean_lux: lux.iter().fold(0.0, |a, b| a + b) / lux.len().max(1) as f64,
            length_m,
            geometry: points.iter().map(|p| frame.to_lonlat(*p)).collect(),
            confirmed: id.confirmed,
            severity: relative_deficit * (road_weight + venue_weight),
            terms: SeverityTerms {
                relative_deficit,
                road_weight,
                venue_weight,
                venues_nearby,
            },
        }
    }

    pub fn stretch(&self, run: &Run, edge: &EdgeLighting, frame: &LocalFrame) -> BlindSpot {
        let id = SpotIdentity {
            kind: BlindSpotKind::Stretch,
            ref_id: edge.edge_id,
            road_class: edge.road_class.clone(),
            lighting_class: edge.lighting_class.clone(),
            required_min_lx: edge.required.min_lx,
            confirmed: edge.lit == Some(LitTag::No),
        };
        self.spot(id, &run.points, &run.lux, frame)
    }

    pub fn corner(&self, c: &CornerLighting, frame: &LocalFrame) -> Option<BlindSpot> {
        if c.state != CornerState::Dark {
            return None;
        }
        let id = SpotIdentity {
            kind: BlindSpotKind::Corner,
            ref_id: c.corner_id,
            road_class: c.road_class.clone(),
            lighting_class: c.lighting_class.clone(),
            required_min_lx: c.required.min_lx,
            confirmed: c.confirmed_dark,
        };
        Some(self.spot(id, &[c.at], &[c.lux], frame))
    }
}

/// What a blind spot is, before it is weighed.
struct SpotIdentity {
    kind: BlindSpotKind,
    ref_id: i64,
    road_class: String,
    lighting_class: String,
    required_min_lx: f64,
    confirmed: bool,
}
