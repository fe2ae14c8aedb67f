//! The lighting model: illuminance from every mapped lamp, streets and corners judged against
//! their standard, blind spots with an explained severity, data gaps kept apart, and the lamps
//! and repairs that would remove the most darkness. Knows nothing of SQLite or HTTP.

mod blind_spots;
pub mod config;
mod corners;
mod evaluate;
mod features;
mod field;
mod incremental;
mod judge;
mod lamps;
pub mod photometry;
mod proposals;
mod stages;
pub mod synthetic;

pub use blind_spots::{BlindSpot, BlindSpotKind, SeverityTerms, VenueCounts};
pub use config::{LampSpec, LightingConfig, Requirement};
pub use corners::{CornerLighting, CornerState};
pub use evaluate::{EdgeLighting, StreetStandard, sample_line, street_standard_near};
pub use field::{Contribution, LightField};
pub use incremental::{EvaluatedCity, LampChange, LightingDelta};
pub use lamps::{LampRules, LampSet, LitLamp, resolve_lamps};
pub use proposals::{LampProposal, RepairImpact, greedy};
pub use stages::Stages;

use crate::index::CityIndex;
use crate::model::{Corner, Lamp, LonLat, StreetEdge, Venue};
use blind_spots::Exposure;
use corners::LitTags;
use judge::{judge_corner, judge_edge};
use photometry::{IsotropicLowerHemisphere, LightDistribution};
use proposals::{DeficitMap, Site};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;

static ISOTROPIC: IsotropicLowerHemisphere = IsotropicLowerHemisphere;

/// A street stretch that OSM says is lit but where no lamp is mapped: unknown, not dark.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DataGap {
    pub edge_id: i64,
    pub road_class: String,
    pub length_m: f64,
    pub geometry: Vec<LonLat>,
}

impl DataGap {
    fn of(edge: &EdgeLighting, run: &evaluate::Run, frame: &crate::model::LocalFrame) -> Self {
        Self {
            edge_id: edge.edge_id,
            road_class: edge.road_class.clone(),
            length_m: run.length_m,
            geometry: run.points.iter().map(|p| frame.to_lonlat(*p)).collect(),
        }
    }
}

/// The illuminance at one point, lamp by lamp, so that anyone can check the model by hand.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PointIlluminance {
    pub lon: f64,
    pub lat: f64,
    pub lux: f64,
    pub lamps: Vec<LampShare>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LampShare {
    pub id: i64,
    pub lon: f64,
    pub lat: f64,
    pub height_m: f64,
    pub flux_lm: f64,
    pub distance_m: f64,
    pub lux: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LightingSummary {
    pub samples: usize,
    pub edges_judged: usize,
    pub edges_not_judged: usize,
    pub edges_passing: usize,
    pub edges_failing: usize,
    /// Edges whose every sample is a data gap.
    pub edges_unknown: usize,
    pub corners_judged: usize,
    pub corners_dark: usize,
    pub corners_data_gap: usize,
    pub blind_spots: BTreeMap<String, usize>,
    pub blind_spots_confirmed: usize,
    /// Σ (minimum − lux) over every dark sample and corner, in lux.
    pub deficit_total_lx: f64,
    pub data_gaps: usize,
    pub data_gap_km: f64,
    pub lamps_lit: usize,
    pub lamps_broken: usize,
    pub lamps_duplicate: usize,
    pub lamps_defaulted: usize,
    /// Σ over broken lamps of the deficit each repair would remove on its own.
    pub broken_lamp_impact_lx: f64,
    pub proposals: usize,
    pub proposals_removed_lx: f64,
    pub proposals_deficit_left_share: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct LightingReport {
    pub summary: LightingSummary,
    pub edges: Vec<EdgeLighting>,
    pub corners: Vec<CornerLighting>,
    pub blind_spots: Vec<BlindSpot>,
    pub data_gaps: Vec<DataGap>,
    pub repairs: Vec<RepairImpact>,
    pub proposals: Vec<LampProposal>,
}

/// The city's lamps resolved and indexed: ready to answer point queries and to evaluate the city.
/// It owns its configuration, so a server can build it once and keep it between requests.
pub struct LightingModel {
    config: LightingConfig,
    distribution: &'static dyn LightDistribution,
    lamps: LampSet,
    field: LightField<'static>,
}

impl LightingModel {
    pub fn new(
        city: &CityIndex,
        edges: &[StreetEdge],
        lamps: &[Lamp],
        config: &LightingConfig,
    ) -> Self {
        let distribution: &'static dyn LightDistribution = &ISOTROPIC;
        let rules = LampRules {
            edges,
            streets: &city.streets,
            frame: &city.frame,
            config,
            distribution,
        };
        let mut lamps = resolve_lamps(lamps, &rules);
        let resolved = std::mem::take(&mut lamps.resolved);
        let field = LightField::new(
            city.frame,
            resolved,
            config.maintenance_factor,
            distribution,
        );
        Self {
            config: config.clone(),
            distribution,
            lamps,
            field,
        }
    }

    pub fn config(&self) -> &LightingConfig {
        &self.config
    }

    /// The broken lamps, ascending by id: what a repair would bring back.
    fn broken_lamps(&self) -> impl Iterator<Item = &LitLamp> {
        (0..self.field.lamps.len())
            .filter(|i| !self.field.is_lit(*i))
            .map(|i| &self.field.lamps[i])
    }

    pub fn at(&self, at: LonLat) -> PointIlluminance {
        let q = self.field.frame.to_metric(at);
        let shares = self.field.contributions_at(q);
        PointIlluminance {
            lon: at.lon,
            lat: at.lat,
            // The same lamps in the same order as every evaluation, so the figures agree to the bit.
            lux: self.field.lux_at(q),
            lamps: shares
                .iter()
                .map(|c| {
                    let l = &self.field.lamps[c.lamp];
                    LampShare {
                        id: l.id,
                        lon: l.position.lon,
                        lat: l.position.lat,
                        height_m: l.height_m,
                        flux_lm: l.flux_lm,
                        distance_m: c.distance_m,
                        lux: c.lux,
                    }
                })
                .collect(),
        }
    }

    /// Judges every street and corner, finds the blind spots and data gaps, weighs the broken
    /// lamps and picks up to `proposals` new lamp sites.
    pub fn evaluate(
        &self,
        edges: &[StreetEdge],
        corners: &[Corner],
        venues: &[Venue],
        proposals: usize,
    ) -> LightingReport {
        self.evaluate_timed(edges, corners, venues, proposals, &mut Stages::default())
    }

    /// The same, with the time of each stage.
    pub fn evaluate_timed(
        &self,
        edges: &[StreetEdge],
        corners: &[Corner],
        venues: &[Venue],
        proposals: usize,
        stages: &mut Stages,
    ) -> LightingReport {
        let frame = self.field.frame;
        let exposure = Exposure::new(frame, venues, &self.config);
        let lit = LitTags::of(edges, corners);
        stages.lap("exposure_and_tags");
        // Each edge is judged and its spots weighed in one parallel pass, so that no sample run
        // outlives its edge.
        let judged: Vec<_> = edges
            .par_iter()
            .enumerate()
            .map(|(i, e)| judge_edge(self, &exposure, i, e))
            .collect();
        stages.lap("edges");
        let judged_corners: Vec<_> = corners
            .par_iter()
            .filter_map(|c| judge_corner(self, &exposure, c, &lit))
            .collect();
        stages.lap("corners");
        let mut s = LightingSummary::default();
        let deficit_count = judged.iter().flatten().map(|j| j.1.len()).sum::<usize>()
            + judged_corners.iter().filter(|c| c.1.is_some()).count();
        let mut deficits = DeficitMap::builder(deficit_count);
        let mut report_edges = Vec::with_capacity(judged.len());
        let mut blind = Vec::new();
        let mut gaps = Vec::new();
        let mut dark_edges = Vec::new();
        for (i, j) in judged.into_iter().enumerate() {
            let Some((state, edge_deficits)) = j else {
                s.edges_not_judged += 1;
                continue;
            };
            let lighting = state.lighting;
            s.samples += lighting.samples;
            match lighting.passes {
                Some(true) => s.edges_passing += 1,
                Some(false) => s.edges_failing += 1,
                None => s.edges_unknown += 1,
            }
            if !edge_deficits.is_empty() {
                dark_edges.push(i);
            }
            deficits.group(edge_deficits);
            blind.extend(state.blind_spots);
            gaps.extend(state.data_gaps);
            report_edges.push(lighting);
        }
        s.edges_judged = report_edges.len();
        let mut report_corners = Vec::with_capacity(judged_corners.len());
        for (c, deficit) in judged_corners {
            match c.lighting.state {
                CornerState::Dark => s.corners_dark += 1,
                CornerState::DataGap => s.corners_data_gap += 1,
                CornerState::Lit => {}
            }
            deficits.group(deficit);
            blind.extend(c.blind_spot);
            report_corners.push(c.lighting);
        }
        s.corners_judged = report_corners.len();
        s.samples += s.corners_judged;
        stages.lap("gather");
        let blind = most_severe_first(blind);
        let map = deficits.build(self.config.maintenance_factor, self.config.cutoff_lux);
        stages.lap("blind_spots_and_deficit_map");
        for b in &blind {
            *s.blind_spots
                .entry(b.kind.as_str().to_string())
                .or_insert(0) += 1;
        }
        s.blind_spots_confirmed = blind.iter().filter(|b| b.confirmed).count();
        s.data_gaps = gaps.len();
        s.data_gap_km = gaps.iter().map(|g| g.length_m).fold(0.0, |a, b| a + b) / 1000.0;

        s.deficit_total_lx = map.total_lx();
        let repairs: Vec<RepairImpact> = self
            .broken_lamps()
            .map(|l| RepairImpact {
                lamp_id: l.id,
                at: l.position,
                deficit_removed_lx: map.repair_gain(
                    l.at,
                    LampSpec {
                        height_m: l.height_m,
                        flux_lm: l.flux_lm,
                    },
                    self.distribution,
                ),
            })
            .collect();
        s.broken_lamp_impact_lx = repairs
            .iter()
            .map(|r| r.deficit_removed_lx)
            .fold(0.0, |a, b| a + b);
        stages.lap("repairs");
        let proposals = self.propose(&map, edges, &dark_edges, proposals);
        stages.lap("proposals");
        s.proposals = proposals.len();
        s.proposals_removed_lx = proposals.last().map(|p| p.removed_lx).unwrap_or(0.0);
        s.proposals_deficit_left_share = proposals
            .last()
            .map(|p| p.deficit_left_share)
            .unwrap_or(1.0);
        s.lamps_broken = self.broken_lamps().count();
        s.lamps_lit = self.field.lamps.len() - s.lamps_broken;
        s.lamps_duplicate = self.lamps.duplicates.len();
        s.lamps_defaulted = self.field.lamps.iter().filter(|l| l.defaulted).count();
        LightingReport {
            summary: s,
            edges: report_edges,
            corners: report_corners,
            blind_spots: blind,
            data_gaps: gaps,
            repairs,
            proposals,
        }
    }

    /// Candidate sites every `proposal_spacing_m` along the edges with a deficit, a lamp of the
    /// street's class at each, then the greedy pick.
    fn propose(
        &self,
        map: &DeficitMap,
        edges: &[StreetEdge],
        dark_edges: &[usize],
        k: usize,
    ) -> Vec<LampProposal> {
        if k == 0 || map.points.is_empty() {
            return Vec::new();
        }
        let frame = self.field.frame;
        let sites: Vec<Site> = dark_edges
            .par_iter()
            .flat_map_iter(|&i| {
                let e = &edges[i];
                let spec = self
                    .config
                    .class_of(&e.road_class)
                    .and_then(|c| self.config.lamp_defaults.get(c))
                    .copied();
                let line: Vec<_> = e.geometry.iter().map(|p| frame.to_metric(*p)).collect();
                spec.map(|spec| {
                    sample_line(&line, self.config.proposal_spacing_m)
                        .into_iter()
                        .map(move |(at, _)| Site { at, edge: i, spec })
                })
                .into_iter()
                .flatten()
            })
            .collect();
        let total = map.total_lx();
        let mut removed = 0.0;
        map.propose(&sites, k, self.distribution)
            .into_iter()
            .enumerate()
            .map(|(rank, (i, gain))| {
                let site = &sites[i];
                removed += gain;
                LampProposal {
                    rank: rank + 1,
                    at: frame.to_lonlat(site.at),
                    edge_id: edges[site.edge].id,
                    road_class: edges[site.edge].road_class.clone(),
                    height_m: site.spec.height_m,
                    flux_lm: site.spec.flux_lm,
                    gain_lx: gain,
                    removed_lx: removed,
                    deficit_left_share: if total > 0.0 {
                        (total - removed).max(0.0) / total
                    } else {
                        0.0
                    },
                }
            })
            .collect()
    }
}

/// Most severe first (ties by id and position, so the order is stable).
fn most_severe_first(blind: Vec<BlindSpot>) -> Vec<BlindSpot> {
    // Sorting the keys and then moving each spot once is cheaper than moving spots in the sort.
    let mut order: Vec<(f64, i64, f64, usize)> = blind
        .iter()
        .enumerate()
        .map(|(i, b)| (b.severity, b.ref_id, b.at.lon, i))
        .collect();
    order.par_sort_unstable_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then(a.1.cmp(&b.1))
            .then(a.2.total_cmp(&b.2))
            .then(a.3.cmp(&b.3))
    });
    let mut slots: Vec<Option<BlindSpot>> = blind.into_iter().map(Some).collect();
    order.iter().filter_map(|o| slots[o.3].take()).collect()
}

#[cfg(test)]
mod tests;
