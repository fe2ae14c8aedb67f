//! Turns OSM street ways into a routable graph: ways are cut into runs of present nodes, runs are
//! split into edges wherever streets meet, and corners are found where three or more street ends
//! meet or a street turns sharply.

use super::RawWay;
use super::tags;
use crate::model::{Corner, CornerKind, LocalFrame, LonLat, StreetEdge, StreetNode};
use geo::{Haversine, Length, LineString};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A street that turns by more than this at one vertex makes a corner (a place out of sight).
pub const BEND_THRESHOLD_DEG: f64 = 60.0;
/// Segments shorter than this are mapping jitter; their direction is noise, so they never make a bend.
const MIN_BEND_SEGMENT_M: f64 = 1.0;

#[derive(Debug, Default)]
pub struct StreetNetwork {
    pub nodes: Vec<StreetNode>,
    pub edges: Vec<StreetEdge>,
}

impl StreetNetwork {
    pub(crate) fn build(ways: &[RawWay], nodes: &HashMap<i64, LonLat>) -> Self {
        let streets: Vec<(&RawWay, Vec<Vec<i64>>)> = ways
            .iter()
            .filter(|w| tags::is_street(&w.tags))
            .map(|w| (w, present_runs(&w.refs, nodes)))
            .collect();
        // A node is a graph node when a run ends there or when it is used more than once.
        let mut uses: HashMap<i64, u32> = HashMap::new();
        let mut graph_nodes: BTreeSet<i64> = BTreeSet::new();
        for (_, runs) in &streets {
            for run in runs {
                graph_nodes.insert(run[0]);
                graph_nodes.insert(run[run.len() - 1]);
                for id in run {
                    *uses.entry(*id).or_default() += 1;
                }
            }
        }
        graph_nodes.extend(uses.iter().filter(|(_, n)| **n > 1).map(|(id, _)| *id));
        let mut edges = Vec::new();
        for (way, runs) in &streets {
            for (run_index, run) in runs.iter().enumerate() {
                split_run(way, run_index, run, &graph_nodes, nodes, &mut edges);
            }
        }
        let mut used: BTreeSet<i64> = BTreeSet::new();
        for e in &edges {
            used.insert(e.from_node);
            used.insert(e.to_node);
        }
        let nodes = used
            .into_iter()
            .map(|id| StreetNode {
                id,
                position: nodes[&id],
            })
            .collect();
        StreetNetwork { nodes, edges }
    }

    /// Junctions (three or more street ends) and bends sharper than `threshold_deg`, both inside
    /// an edge and where two edges meet end to end.
    pub fn corners(&self, threshold_deg: f64) -> Vec<Corner> {
        let Some(origin) = self.nodes.first().map(|n| n.position) else {
            return Vec::new();
        };
        let frame = LocalFrame::new(origin);
        // For every graph node: the neighbouring geometry point along each incident edge, and classes.
        let mut ends: BTreeMap<i64, (LonLat, Vec<LonLat>, BTreeSet<String>)> = BTreeMap::new();
        let mut corners = Vec::new();
        for edge in &self.edges {
            let g = &edge.geometry;
            for (node, at, next) in [
                (edge.from_node, g[0], g[1]),
                (edge.to_node, g[g.len() - 1], g[g.len() - 2]),
            ] {
                let entry = ends
                    .entry(node)
                    .or_insert_with(|| (at, Vec::new(), BTreeSet::new()));
                entry.1.push(next);
                entry.2.insert(edge.road_class.clone());
            }
            for (k, window) in g.windows(3).enumerate() {
                if let Some(turn) =
                    turn_deg(&frame, window[1], window[0], window[2]).filter(|t| *t > threshold_deg)
                {
                    corners.push(Corner {
                        id: 0,
                        source_id: format!("{}#{}", edge.source_id, k + 1),
                        position: window[1],
                        kind: CornerKind::Bend,
                        degree: 2,
                        turn_deg: turn,
                        road_classes: vec![edge.road_class.clone()],
                    });
                }
            }
        }
        for (node, (at, neighbours, classes)) in ends {
            let classes: Vec<String> = classes.into_iter().collect();
            let source_id = format!("osm:node/{node}");
            if neighbours.len() >= 3 {
                corners.push(Corner {
                    id: 0,
                    source_id,
                    position: at,
                    kind: CornerKind::Junction,
                    degree: neighbours.len() as u32,
                    turn_deg: 0.0,
                    road_classes: classes,
                });
            } else if let [a, b] = neighbours[..]
                && let Some(turn) = turn_deg(&frame, at, a, b).filter(|t| *t > threshold_deg)
            {
                corners.push(Corner {
                    id: 0,
                    source_id,
                    position: at,
                    kind: CornerKind::Bend,
                    degree: 2,
                    turn_deg: turn,
                    road_classes: classes,
                });
            }
        }
        corners
    }
}

/// The runs of consecutive nodes the extract holds, with repeated consecutive references dropped
/// (they would make zero-length segments). Runs of one node are no street and are dropped.
fn present_runs(refs: &[i64], nodes: &HashMap<i64, LonLat>) -> Vec<Vec<i64>> {
    let mut runs = Vec::new();
    let mut run: Vec<i64> = Vec::new();
    for id in refs {
        if nodes.contains_key(id) {
            if run.last() != Some(id) {
                run.push(*id);
            }
        } else if !run.is_empty() {
            runs.push(std::mem::take(&mut run));
        }
    }
    runs.push(run);
    runs.retain(|r| r.len() >= 2);
    runs
}

fn split_run(
    way: &RawWay,
    run_index: usize,
    run: &[i64],
    graph_nodes: &BTreeSet<i64>,
    nodes: &HashMap<i64, LonLat>,
    edges: &mut Vec<StreetEdge>,
) {
    let mut start = 0;
    for i in 1..run.len() {
        if !graph_nodes.contains(&run[i]) {
            continue;
        }
        let piece = &run[start..=i];
        let geometry: Vec<LonLat> = piece.iter().map(|id| nodes[id]).collect();
        let line: LineString<f64> = geometry.iter().map(|p| (p.lon, p.lat)).collect();
        edges.push(StreetEdge {
            id: 0,
            source_id: format!("osm:way/{}/{}/{}", way.id, run_index, start),
            from_node: piece[0],
            to_node: piece[piece.len() - 1],
            road_class: way.tags.get("highway").unwrap_or("road").to_string(),
            name: way.tags.get("name").map(str::to_string),
            oneway: tags::oneway(&way.tags),
            length_m: Haversine.length(&line),
            lit: tags::lit(&way.tags),
            foot: tags::foot_allowed(&way.tags),
            car: tags::car_allowed(&way.tags),
            geometry,
        });
        start = i;
    }
}

/// How far a path through `at` turns, in degrees (0 = straight on), coming from `from` and leaving
/// to `to`; `None` when a segment is too short to have a direction.
fn turn_deg(frame: &LocalFrame, at: LonLat, from: LonLat, to: LonLat) -> Option<f64> {
    let (c, a, b) = (
        frame.to_metric(at),
        frame.to_metric(from),
        frame.to_metric(to),
    );
    let (ua, ub) = ([a[0] - c[0], a[1] - c[1]], [b[0] - c[0], b[1] - c[1]]);
    let (la, lb) = (ua[0].hypot(ua[1]), ub[0].hypot(ub[1]));
    if la < MIN_BEND_SEGMENT_M || lb < MIN_BEND_SEGMENT_M {
        return None;
    }
    let cos = ((ua[0] * ub[0] + ua[1] * ub[1]) / (la * lb)).clamp(-1.0, 1.0);
    // The angle between the two arms is 180° when the street runs straight through.
    Some(180.0 - cos.acos().to_degrees())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::osm::tags::Tags;

    fn way(id: i64, highway: &str, refs: &[i64]) -> RawWay {
        RawWay {
            id,
            tags: Tags::from_pairs(&[("highway", highway)]),
            refs: refs.to_vec(),
        }
    }

    /// A plus-shaped crossing at node 5 (about 100 m arms), an L-shaped lane 1-2-3 turning 90°.
    fn city() -> HashMap<i64, LonLat> {
        let d = 0.001;
        HashMap::from([
            (1, LonLat::new(24.0, 60.0 + 2.0 * d)),
            (2, LonLat::new(24.0, 60.0 + 3.0 * d)),
            (3, LonLat::new(24.0 + 2.0 * d, 60.0 + 3.0 * d)),
            (4, LonLat::new(24.0 - 2.0 * d, 60.0)),
            (5, LonLat::new(24.0, 60.0)),
            (6, LonLat::new(24.0 + 2.0 * d, 60.0)),
            (7, LonLat::new(24.0, 60.0 - d)),
        ])
    }

    #[test]
    fn splits_ways_where_streets_meet_and_finds_the_junction() {
        let nodes = city();
        let ways = [
            way(10, "residential", &[4, 5, 6]),
            way(11, "footway", &[7, 5, 1, 2, 3]),
        ];
        let net = StreetNetwork::build(&ways, &nodes);
        // 4-5, 5-6, 7-5, 5-…-3 : the footway is cut at 5, and 1, 2 stay shape points.
        assert_eq!(net.edges.len(), 4);
        assert_eq!(net.nodes.len(), 5);
        let corners = net.corners(BEND_THRESHOLD_DEG);
        let junction = corners
            .iter()
            .find(|c| c.kind == CornerKind::Junction)
            .unwrap();
        assert_eq!(
            (junction.source_id.as_str(), junction.degree),
            ("osm:node/5", 4)
        );
        assert_eq!(
            junction.road_classes,
            vec!["footway".to_string(), "residential".to_string()]
        );
        let bend = corners.iter().find(|c| c.kind == CornerKind::Bend).unwrap();
        assert_eq!(bend.position, nodes[&2]);
        assert!((bend.turn_deg - 90.0).abs() < 1.0, "{}", bend.turn_deg);
    }

    #[test]
    fn clipped_ways_keep_their_present_runs() {
        let nodes = city();
        // 99 is not in the extract: the way keeps 4-5 and 6-… is only one node, so it is dropped.
        let ways = [way(10, "residential", &[4, 5, 99, 6])];
        let net = StreetNetwork::build(&ways, &nodes);
        assert_eq!(net.edges.len(), 1);
        assert_eq!((net.edges[0].from_node, net.edges[0].to_node), (4, 5));
        assert!(
            (net.edges[0].length_m - 111.5).abs() < 1.0,
            "{}",
            net.edges[0].length_m
        );
    }

    #[test]
    fn repeated_references_make_no_zero_length_edge() {
        let nodes = city();
        let net = StreetNetwork::build(&[way(10, "residential", &[4, 4, 5, 5])], &nodes);
        assert_eq!(net.edges.len(), 1);
        assert!(net.edges[0].length_m > 0.0);
    }
}
