//! Corners are judged against the strictest class of the streets that meet there (CJJ 45-2015:
//! junctions are lit at least as well as the best road meeting there).

use super::config::LightingConfig;
use super::evaluate::{DeficitPoint, RequirementOut};
use super::field::LightField;
use crate::index::PointIndex;
use crate::model::{Corner, CornerKind, LitTag, MetricPoint, StreetEdge};
use rayon::prelude::*;
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

pub fn evaluate_corners(
    field: &LightField,
    mapped: &PointIndex<usize>,
    corners: &[Corner],
    edges: &[StreetEdge],
    config: &LightingConfig,
) -> Vec<(CornerLighting, Option<DeficitPoint>)> {
    let lit = LitTags::of(edges);
    corners
        .par_iter()
        .filter_map(|c| {
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
            let confirmed_dark = tags.contains(&Some(LitTag::No));
            let gap = !config.data_gaps_are_dark
                && !confirmed_dark
                && tags.contains(&Some(LitTag::Yes))
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
        })
        .collect()
}

/// The `lit=*` tags of the streets at each corner: by node for junctions, by edge for bends.
struct LitTags<'a> {
    by_node: HashMap<i64, Vec<Option<LitTag>>>,
    by_edge: HashMap<&'a str, Option<LitTag>>,
}

impl<'a> LitTags<'a> {
    fn of(edges: &'a [StreetEdge]) -> Self {
        let mut by_node: HashMap<i64, Vec<Option<LitTag>>> = HashMap::new();
        for e in edges {
            by_node.entry(e.from_node).or_default().push(e.lit);
            by_node.entry(e.to_node).or_default().push(e.lit);
        }
        let by_edge = edges
            .iter()
            .map(|e| (e.source_id.as_str(), e.lit))
            .collect();
        Self { by_node, by_edge }
    }

    fn at(&self, c: &Corner) -> Vec<Option<LitTag>> {
        let node = c
            .source_id
            .strip_prefix("osm:node/")
            .and_then(|n| n.parse::<i64>().ok());
        match (c.kind, node) {
            (CornerKind::Junction, Some(n)) | (CornerKind::Bend, Some(n)) => {
                self.by_node.get(&n).cloned().unwrap_or_default()
            }
            (CornerKind::Bend, None) | (CornerKind::Junction, None) => {
                let edge = c.source_id.split('#').next().unwrap_or("");
                self.by_edge.get(edge).map(|l| vec![*l]).unwrap_or_default()
            }
        }
    }
}
