//! The street graph of one travel mode, contracted for fast queries (`fast_paths`), and the
//! places on it: a venue or depot is snapped to the nearest street it can be reached from, and
//! joins the graph through both ends of that street.

use super::profile::TravelMode;
use crate::index::SegmentIndex;
use crate::model::{LocalFrame, LonLat, StreetEdge, metres_between};
use fast_paths::{FastGraph, FastGraph32, InputGraph};
use std::collections::HashMap;

/// Travel times are integer tenths of a second: exact enough for a patrol, and the contraction
/// needs integer weights of at least 1.
pub const TICKS_PER_SECOND: f64 = 10.0;

/// A place farther than this from any usable street is not on the network (a wrong coordinate,
/// or a venue outside the imported extract).
pub const MAX_SNAP_M: f64 = 1_000.0;

/// A street as the mode travels it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Arc {
    pub from: usize,
    pub to: usize,
    pub forward: bool,
    pub backward: bool,
    /// Ticks to travel the whole edge.
    pub ticks: usize,
}

pub struct StreetGraph {
    pub mode: TravelMode,
    /// Dense graph node → OSM node id.
    pub node_ids: Vec<i64>,
    /// Per street edge (same index as the edges slice): how the mode uses it, if at all.
    pub arcs: Vec<Option<Arc>>,
    /// The cheapest edge for each directed node pair, and whether it is travelled reversed.
    pub links: HashMap<(usize, usize), (usize, bool)>,
    pub ch: FastGraph,
    pub ch32: FastGraph32,
    /// Dense nodes of the largest strongly connected part of the network. Places join only
    /// there: a private yard or a clipped stub would make stops unreachable from each other.
    pub in_main_part: Vec<bool>,
}

/// A point joined to the graph: where it meets the street, and what it costs to go from it to
/// each end of that street (forward seeds) and to come to it from each end (backward seeds).
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    pub at: LonLat,
    pub street_point: LonLat,
    pub edge: usize,
    /// The segment of the edge's geometry the street point lies on.
    pub segment: usize,
    /// Share of the edge's length from its start to the street point.
    pub fraction: f64,
    pub snap_distance_m: f64,
    pub forward_seeds: Vec<(usize, usize)>,
    pub backward_seeds: Vec<(usize, usize)>,
}

impl StreetGraph {
    pub fn build(edges: &[StreetEdge], mode: TravelMode) -> Self {
        let mut node_index: HashMap<i64, usize> = HashMap::new();
        let mut node_ids = Vec::new();
        let mut dense = |id: i64| {
            *node_index.entry(id).or_insert_with(|| {
                node_ids.push(id);
                node_ids.len() - 1
            })
        };
        let mut input = InputGraph::new();
        let mut links: HashMap<(usize, usize), (usize, bool)> = HashMap::new();
        let mut arcs = Vec::with_capacity(edges.len());
        for (i, e) in edges.iter().enumerate() {
            let Some(speed) = mode.speed_mps(e) else {
                arcs.push(None);
                continue;
            };
            let (forward, backward) = mode.directions(e);
            let (from, to) = (dense(e.from_node), dense(e.to_node));
            let ticks = ((e.length_m / speed * TICKS_PER_SECOND).round() as usize).max(1);
            arcs.push(Some(Arc {
                from,
                to,
                forward,
                backward,
                ticks,
            }));
            // A loop edge leads nowhere new; the contraction refuses it anyway.
            if from == to {
                continue;
            }
            for (ok, a, b, reversed) in [(forward, from, to, false), (backward, to, from, true)] {
                if !ok {
                    continue;
                }
                input.add_edge(a, b, ticks);
                let best = links.entry((a, b)).or_insert((i, reversed));
                if arcs_ticks(&arcs, best.0) > ticks {
                    *best = (i, reversed);
                }
            }
        }
        input.freeze();
        let ch = fast_paths::prepare(&input);
        let ch32 = FastGraph32::new(&ch);
        let in_main_part = main_part(node_ids.len(), &links);
        Self {
            mode,
            node_ids,
            arcs,
            links,
            ch,
            ch32,
            in_main_part,
        }
    }

    pub fn nodes(&self) -> usize {
        self.ch.get_num_nodes()
    }

    /// Joins a point to the graph through the nearest street this mode may use. `None` when no
    /// such street lies within `MAX_SNAP_M`.
    pub fn place(
        &self,
        at: LonLat,
        edges: &[StreetEdge],
        streets: &SegmentIndex,
        frame: &LocalFrame,
    ) -> Option<Place> {
        let usable = |e: usize| {
            self.arcs[e].is_some_and(|a| {
                a.from != a.to
                    && a.from < self.nodes()
                    && a.to < self.nodes()
                    && self.in_main_part[a.from]
                    && self.in_main_part[a.to]
            })
        };
        let snap = streets.snap_where(at, MAX_SNAP_M, usable)?;
        let arc = self.arcs[snap.edge]?;
        let fraction = fraction_along(&edges[snap.edge].geometry, snap.segment, snap.point, frame);
        let to_end = ((1.0 - fraction) * arc.ticks as f64).round() as usize;
        let to_start = (fraction * arc.ticks as f64).round() as usize;
        let mut forward_seeds = Vec::new();
        let mut backward_seeds = Vec::new();
        if arc.forward {
            forward_seeds.push((arc.to, to_end));
            backward_seeds.push((arc.from, to_start));
        }
        if arc.backward {
            forward_seeds.push((arc.from, to_start));
            backward_seeds.push((arc.to, to_end));
        }
        Some(Place {
            at,
            street_point: snap.point,
            edge: snap.edge,
            segment: snap.segment,
            fraction,
            snap_distance_m: snap.distance_m,
            forward_seeds,
            backward_seeds,
        })
    }

    /// Ticks from `a` to `b` when both lie on the same street and the mode may go straight there.
    pub fn along_same_edge(&self, a: &Place, b: &Place) -> Option<usize> {
        if a.edge != b.edge {
            return None;
        }
        let arc = self.arcs[a.edge]?;
        let ok = if b.fraction >= a.fraction {
            arc.forward
        } else {
            arc.backward
        };
        ok.then(|| ((b.fraction - a.fraction).abs() * arc.ticks as f64).round() as usize)
    }
}

/// Marks the nodes of the largest strongly connected component.
fn main_part(nodes: usize, links: &HashMap<(usize, usize), (usize, bool)>) -> Vec<bool> {
    let mut graph = petgraph::Graph::<(), ()>::with_capacity(nodes, links.len());
    let ids: Vec<_> = (0..nodes).map(|_| graph.add_node(())).collect();
    let mut pairs: Vec<&(usize, usize)> = links.keys().collect();
    pairs.sort_unstable();
    for &&(a, b) in &pairs {
        graph.add_edge(ids[a], ids[b], ());
    }
    // Kosaraju's search keeps its own stack: petgraph's Tarjan recurses once per node on a path
    // and overflowed the thread's stack on a city's 260,000 nodes.
    let components = petgraph::algo::kosaraju_scc(&graph);
    let mut in_main = vec![false; nodes];
    if let Some(main) = components.iter().max_by_key(|c| c.len()) {
        for n in main {
            in_main[n.index()] = true;
        }
    }
    in_main
}

fn arcs_ticks(arcs: &[Option<Arc>], i: usize) -> usize {
    arcs.get(i)
        .copied()
        .flatten()
        .map(|a| a.ticks)
        .unwrap_or(usize::MAX)
}

/// Where `point` (on segment `segment`) lies along the line, as a share of its length.
pub fn fraction_along(line: &[LonLat], segment: usize, point: LonLat, frame: &LocalFrame) -> f64 {
    let m: Vec<_> = line.iter().map(|p| frame.to_metric(*p)).collect();
    let lengths: Vec<f64> = m.windows(2).map(|w| metres_between(w[0], w[1])).collect();
    let total: f64 = lengths.iter().fold(0.0, |a, b| a + b);
    if total <= 0.0 {
        return 0.0;
    }
    let before: f64 = lengths[..segment.min(lengths.len())]
        .iter()
        .fold(0.0, |a, b| a + b);
    let within = metres_between(m[segment.min(m.len() - 1)], frame.to_metric(point));
    ((before + within) / total).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A one-way ring as long as a city's street graph, plus a dead-end spur: the ring is the
    /// main part, the spur is not, and the search does not run out of stack on the way.
    #[test]
    fn the_main_part_of_a_city_sized_ring() {
        let n = 300_000;
        let mut links: HashMap<(usize, usize), (usize, bool)> =
            (0..n).map(|i| ((i, (i + 1) % n), (i, true))).collect();
        links.insert((0, n), (n, true));
        let main = main_part(n + 1, &links);
        assert!(main[..n].iter().all(|m| *m));
        assert!(!main[n]);
    }
}
