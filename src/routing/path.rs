//! The street path between two places, as a line along the streets (for the map and for GPX).

use super::graph::{Place, StreetGraph, TICKS_PER_SECOND};
use crate::model::{LonLat, StreetEdge};
use fast_paths::PathCalculator;

/// A leg of a route: how long it takes and the line it follows.
#[derive(Debug, Clone, PartialEq)]
pub struct Leg {
    pub seconds: f64,
    pub line: Vec<LonLat>,
}

impl Leg {
    /// The leg as a GeoJSON LineString along the streets.
    pub fn geojson(&self) -> geojson::Geometry {
        crate::model::geojson_geometry(&self.line)
    }
}

pub struct PathFinder<'g> {
    graph: &'g StreetGraph,
    edges: &'g [StreetEdge],
    calculator: PathCalculator,
}

impl<'g> PathFinder<'g> {
    pub fn new(graph: &'g StreetGraph, edges: &'g [StreetEdge]) -> Self {
        Self {
            graph,
            edges,
            calculator: fast_paths::create_calculator(&graph.ch),
        }
    }

    /// The fastest leg from `a` to `b`, or `None` when the streets do not connect them.
    pub fn leg(&mut self, a: &Place, b: &Place) -> Option<Leg> {
        let direct = self.graph.along_same_edge(a, b);
        let via_nodes = if a.forward_seeds.is_empty() || b.backward_seeds.is_empty() {
            None
        } else {
            self.calculator.calc_path_multiple_sources_and_targets(
                &self.graph.ch,
                a.forward_seeds.clone(),
                b.backward_seeds.clone(),
            )
        };
        match (direct, via_nodes) {
            (Some(d), p) if p.as_ref().is_none_or(|p| d <= p.get_weight()) => Some(Leg {
                seconds: d as f64 / TICKS_PER_SECOND,
                line: vec![a.street_point, b.street_point],
            }),
            (_, Some(p)) => {
                let nodes = p.get_nodes();
                let mut line = vec![a.street_point];
                // From the place to the first node, along its own street.
                line.extend(self.partial(a, nodes[0], true));
                for w in nodes.windows(2) {
                    line.extend(self.link_geometry(w[0], w[1]).into_iter().skip(1));
                }
                line.extend(self.partial(b, nodes[nodes.len() - 1], false));
                line.push(b.street_point);
                line.dedup();
                Some(Leg {
                    seconds: p.get_weight() as f64 / TICKS_PER_SECOND,
                    line,
                })
            }
            _ => None,
        }
    }

    /// The geometry of the cheapest street between two adjacent graph nodes, from `a` to `b`.
    fn link_geometry(&self, a: usize, b: usize) -> Vec<LonLat> {
        let Some(&(edge, reversed)) = self.graph.links.get(&(a, b)) else {
            return Vec::new();
        };
        let mut g = self.edges[edge].geometry.clone();
        if reversed {
            g.reverse();
        }
        g
    }

    /// The shape points between a place's street point and one end (`node`) of its street, in
    /// travel order: leaving the place when `leaving`, else arriving at it.
    fn partial(&self, place: &Place, node: usize, leaving: bool) -> Vec<LonLat> {
        let Some(arc) = self.graph.arcs[place.edge] else {
            return Vec::new();
        };
        let geometry = &self.edges[place.edge].geometry;
        // The shape points between the street point and the chosen end, ends included.
        let cut = place.segment.min(geometry.len() - 2);
        let toward_end: Vec<LonLat> = geometry[cut + 1..].to_vec();
        let toward_start: Vec<LonLat> = geometry[..=cut].iter().rev().copied().collect();
        let out = if node == arc.to {
            toward_end
        } else {
            toward_start
        };
        if leaving {
            out
        } else {
            out.into_iter().rev().collect()
        }
    }
}
