//! Corners are judged against the strictest class of the streets that meet there (CJJ 45-2015:
//! junctions are lit at least as well as the best road meeting there).

use super::config::LightingConfig;
use super::evaluate::{DeficitPoint, RequirementOut};
use super::field::LightField;
use crate::index::PointIndex;
use crate::model::{Corner, LitTag, MetricPoint, StreetEdge};
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CornerState {
    Lit,
    Dark,
    /// OSM says the streets here are lit, but no lamp is mapped near: unknown, not dark.
    DataGap,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CornerLighting {
    pub corner_id: i64,
    #[serde(skip)]
    pub at: MetricPoint,
    pub lighting_class: String,
    pub road_class: String,
    pub required: RequirementOut,
    pub lux: f64,
    pub state: CornerState,
    /// A street meeting here is tagged `lit=no`: darkness confirmed by the map, not only modelled.
    pub confirmed_dark: bool,
}

/// One corner, or `None` when no street meeting there has a lighting class.
pub fn evaluate_corner(
    field: &LightField,
    mapped: &PointIndex<i64>,
    c: &Corner,
    lit: &LitTags,
    config: &LightingConfig,
) -> Option<(CornerLighting, Option<DeficitPoint>)> {
    // The strictest judged class meeting here, by minimum then average.
    let (road_class, class, required) = c
        .road_classes
        .iter()
        .filter_map(|rc| {
            let class = config.class_of(rc)?;
            Some((rc, class, config.requirement(class)?))
        })
        .max_by(|a, b| {
            a.2.min_lx
                .total_cmp(&b.2.min_lx)
                .then(a.2.avg_lx.total_cmp(&b.2.avg_lx))
        })?;
    let at = field.frame.to_metric(c.position);
    let lux = field.lux_at(at);
    let tags = lit.at(c);
    let confirmed_dark = tags & SAYS_NO != 0;
    let gap = !config.data_gaps_are_dark
        && !confirmed_dark
        && tags & SAYS_YES != 0
        && mapped
            .within_metric(at, config.data_gap_radius_m)
            .next()
            .is_none();
    let state = if gap {
        CornerState::DataGap
    } else if lux < required.min_lx {
        CornerState::Dark
    } else {
        CornerState::Lit
    };
    let deficit = (state == CornerState::Dark).then_some(DeficitPoint {
        at,
        deficit_lx: required.min_lx - lux,
    });
    Some((
        CornerLighting {
            corner_id: c.id,
            at,
            lighting_class: class.to_string(),
            road_class: road_class.clone(),
            required: required.into(),
            lux,
            state,
            confirmed_dark,
        },
        deficit,
    ))
}

/// Which `lit=*` answers the streets at a corner give, as bits.
const SAYS_YES: u8 = 1;
const SAYS_NO: u8 = 2;

fn lit_bit(lit: Option<LitTag>) -> u8 {
    match lit {
        Some(LitTag::Yes) => SAYS_YES,
        Some(LitTag::No) => SAYS_NO,
        _ => 0,
    }
}

/// The `lit=*` tags of the streets at each corner: by node for junctions, by edge for bends
/// inside an edge (only the edges such bends name are looked up).
pub struct LitTags {
    by_node: HashMap<i64, u8>,
    by_edge: HashMap<String, u8>,
}

impl LitTags {
    pub fn of(edges: &[StreetEdge], corners: &[Corner]) -> Self {
        let mut by_node: HashMap<i64, u8> = HashMap::with_capacity(edges.len());
        for e in edges {
            *by_node.entry(e.from_node).or_default() |= lit_bit(e.lit);
            *by_node.entry(e.to_node).or_default() |= lit_bit(e.lit);
        }
        let mut by_edge: HashMap<String, u8> = corners
            .iter()
            .filter(|c| node_of(c).is_none())
            .map(|c| (edge_of(c).to_string(), 0))
            .collect();
        if !by_edge.is_empty() {
            for e in edges {
                if let Some(bits) = by_edge.get_mut(e.source_id.as_str()) {
                    *bits |= lit_bit(e.lit);
                }
            }
        }
        Self { by_node, by_edge }
    }

    fn at(&self, c: &Corner) -> u8 {
        match node_of(c) {
            Some(n) => self.by_node.get(&n).copied().unwrap_or(0),
            None => self.by_edge.get(edge_of(c)).copied().unwrap_or(0),
        }
    }
}

fn node_of(c: &Corner) -> Option<i64> {
    c.source_id
        .strip_prefix("osm:node/")
        .and_then(|n| n.parse().ok())
}

fn edge_of(c: &Corner) -> &str {
    c.source_id.split('#').next().unwrap_or("")
}
