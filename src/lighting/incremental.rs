//! An evaluated city kept between lamp changes: when one lamp fails, is repaired or is added,
//! only the streets and corners within its reach are judged again, and what changed is handed
//! back so that a server can update its layers without running the whole city.

use super::blind_spots::Exposure;
use super::corners::LitTags;
pub use super::judge::{CornerJudgement, EdgeState};
use super::judge::{judge_corner, judge_edge};
use super::lamps::{LampRules, lights};
use super::{BlindSpot, LightingConfig, LightingModel};
use crate::index::{CityIndex, PointIndex, SegmentIndex};
use crate::model::{Corner, Lamp, LampStatus, MetricPoint, StreetEdge, Venue};
use rayon::prelude::*;
use serde::Serialize;

/// One lamp's change, as a write to the store makes it.
#[derive(Debug, Clone, PartialEq)]
pub enum LampChange {
    /// A mapped lamp now working, broken or of unknown status.
    Status { id: i64, status: LampStatus },
    /// A lamp new to the map. Its id is above every other, as the store hands them out.
    Added(Lamp),
}

/// What one lamp change changed. A blind spot or data gap is known by the edge or corner it lies
/// on (`ref_id`, `edge_id`): each edge listed here replaces all of that edge's stretches and
/// gaps, each corner its corner spot (none when it is no longer dark).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LightingDelta {
    pub edges: Vec<EdgeState>,
    pub corners: Vec<CornerJudgement>,
    /// Edges and corners within the lamp's reach, judged again.
    pub edges_checked: usize,
    pub corners_checked: usize,
}

/// The city with every edge and corner judged, ready for single lamp changes.
pub struct EvaluatedCity {
    model: LightingModel,
    streets: SegmentIndex,
    edges: Vec<StreetEdge>,
    corners: Vec<Corner>,
    corner_index: PointIndex<usize>,
    lit_tags: LitTags,
    exposure: Exposure,
    edge_states: Vec<Option<EdgeState>>,
    corner_states: Vec<Option<CornerJudgement>>,
}

impl EvaluatedCity {
    /// Resolves the lamps and judges the whole city once. The frame stays that of `city`: a lamp
    /// added later is placed in it, where a fresh index would have centred a new frame on it.
    pub fn new(
        city: CityIndex,
        edges: Vec<StreetEdge>,
        corners: Vec<Corner>,
        venues: &[Venue],
        lamps: &[Lamp],
        config: &LightingConfig,
    ) -> Self {
        let model = LightingModel::new(&city, &edges, lamps, config);
        let frame = city.frame;
        let corner_index = PointIndex::build(
            frame,
            corners.iter().enumerate().map(|(i, c)| (c.position, i)),
        );
        let lit_tags = LitTags::of(&edges, &corners);
        let exposure = Exposure::new(frame, venues, config);
        let mut out = Self {
            model,
            streets: city.streets,
            edges,
            corners,
            corner_index,
            lit_tags,
            exposure,
            edge_states: Vec::new(),
            corner_states: Vec::new(),
        };
        out.edge_states = (0..out.edges.len())
            .into_par_iter()
            .map(|i| out.edge_state(i))
            .collect();
        out.corner_states = (0..out.corners.len())
            .into_par_iter()
            .map(|i| out.corner_state(i))
            .collect();
        out
    }

    pub fn model(&self) -> &LightingModel {
        &self.model
    }

    pub fn edges(&self) -> &[StreetEdge] {
        &self.edges
    }

    pub fn corners(&self) -> &[Corner] {
        &self.corners
    }

    /// Each edge's state, in the edges' order (`None`: the edge has no lighting class).
    pub fn edge_states(&self) -> &[Option<EdgeState>] {
        &self.edge_states
    }

    pub fn corner_states(&self) -> &[Option<CornerJudgement>] {
        &self.corner_states
    }

    /// Every blind spot, most severe first, in the order of a full evaluation's report.
    pub fn blind_spots(&self) -> Vec<BlindSpot> {
        let mut all: Vec<&BlindSpot> = self
            .edge_states
            .iter()
            .flatten()
            .flat_map(|e| &e.blind_spots)
            .chain(
                self.corner_states
                    .iter()
                    .flatten()
                    .flat_map(|c| &c.blind_spot),
            )
            .collect();
        // A stable sort keeps stretches before corners and the edges' order among ties, as the
        // full evaluation's (severity, id, longitude, position) order does.
        all.sort_by(|a, b| {
            b.severity
                .total_cmp(&a.severity)
                .then(a.ref_id.cmp(&b.ref_id))
                .then(a.at.lon.total_cmp(&b.at.lon))
        });
        all.into_iter().cloned().collect()
    }

    /// Applies one lamp change and judges again what lies within its reach: its cut-off radius
    /// for a status change, and also the data-gap radius for a lamp new to the map.
    pub fn apply(&mut self, change: &LampChange) -> anyhow::Result<LightingDelta> {
        let (at, reach) = match change {
            LampChange::Status { id, status } => {
                let field = &mut self.model.field;
                let Some(i) = field.position_of(*id) else {
                    // A lamp mapped twice is left out whatever its status.
                    anyhow::ensure!(
                        self.model.lamps.duplicates.binary_search(id).is_ok(),
                        "lamp change: no lamp with id {id} in the evaluated city"
                    );
                    return Ok(LightingDelta::default());
                };
                if !field.set_lit(i, lights(*status)) {
                    return Ok(LightingDelta::default());
                }
                (field.lamps[i].at, field.lamps[i].radius_m)
            }
            LampChange::Added(lamp) => self.add(lamp)?,
        };
        Ok(self.judge_again(at, reach))
    }

    fn add(&mut self, lamp: &Lamp) -> anyhow::Result<(MetricPoint, f64)> {
        let top = self
            .model
            .field
            .lamps
            .last()
            .map(|l| l.id)
            .max(self.model.lamps.duplicates.last().copied());
        if let Some(top) = top {
            anyhow::ensure!(
                lamp.id > top,
                "lamp change: a new lamp's id ({}) must be above every mapped lamp's ({top})",
                lamp.id
            );
        }
        anyhow::ensure!(
            lamp.position.lon.is_finite() && lamp.position.lat.is_finite(),
            "lamp change: lamp {} has no valid position",
            lamp.id
        );
        let frame = self.model.field.frame;
        let rules = LampRules {
            edges: &self.edges,
            streets: &self.streets,
            frame: &frame,
            config: &self.model.config,
            distribution: self.model.distribution,
        };
        let resolved = rules.resolve(lamp, &self.model.lamps.mapped);
        let at = frame.to_metric(lamp.position);
        self.model.lamps.mapped.insert_metric(at, lamp.id);
        let radius = match resolved {
            Ok(l) => {
                let r = l.radius_m;
                self.model.field.push(l, lights(lamp.status));
                r
            }
            Err(id) => {
                self.model.lamps.duplicates.push(id);
                0.0
            }
        };
        Ok((at, radius.max(self.model.config.data_gap_radius_m)))
    }

    fn judge_again(&mut self, at: MetricPoint, reach: f64) -> LightingDelta {
        // A metre more than the reach: an edge judged again for nothing compares equal, an edge
        // missed by rounding would be wrong.
        let radius = reach + 1.0;
        let frame = self.model.field.frame;
        let edges = self.streets.edges_within(frame.to_lonlat(at), radius);
        let mut corners: Vec<usize> = self
            .corner_index
            .within_metric(at, radius)
            .map(|n| n.item)
            .collect();
        corners.sort_unstable();
        let mut delta = LightingDelta {
            edges_checked: edges.len(),
            corners_checked: corners.len(),
            ..LightingDelta::default()
        };
        for i in edges {
            let state = self.edge_state(i);
            if state != self.edge_states[i] {
                delta.edges.extend(state.clone());
                self.edge_states[i] = state;
            }
        }
        for i in corners {
            let state = self.corner_state(i);
            if state != self.corner_states[i] {
                delta.corners.extend(state.clone());
                self.corner_states[i] = state;
            }
        }
        delta
    }

    fn edge_state(&self, i: usize) -> Option<EdgeState> {
        judge_edge(&self.model, &self.exposure, i, &self.edges[i]).map(|(state, _)| state)
    }

    fn corner_state(&self, i: usize) -> Option<CornerJudgement> {
        judge_corner(
            &self.model,
            &self.exposure,
            &self.corners[i],
            &self.lit_tags,
        )
        .map(|(judgement, _)| judgement)
    }
}

#[cfg(test)]
#[path = "incremental_tests.rs"]
mod tests;
