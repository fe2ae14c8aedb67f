//! Routing on a small hand-made street grid, against plain Dijkstra.

use super::*;
use crate::index::SegmentIndex;
use crate::model::{LocalFrame, LonLat, Oneway, StreetEdge};

fn frame() -> LocalFrame {
    LocalFrame::new(LonLat::new(14.45, 50.11))
}

/// A 5 × 5 grid of 100 m blocks; the middle row is a one-way street eastwards, one column is a
/// footway.
fn grid() -> Vec<StreetEdge> {
    let f = frame();
    let id = |r: usize, c: usize| (r * 5 + c) as i64 + 1;
    let at = |r: usize, c: usize| f.to_lonlat([c as f64 * 100.0, r as f64 * 100.0]);
    let mut edges = Vec::new();
    for r in 0..5 {
        for c in 0..5 {
            for (dr, dc) in [(0, 1), (1, 0)] {
                let (r2, c2) = (r + dr, c + dc);
                if r2 >= 5 || c2 >= 5 {
                    continue;
                }
                let footway = dc == 0 && c == 3;
                edges.push(StreetEdge {
                    id: edges.len() as i64 + 1,
                    source_id: format!("e{}", edges.len()),
                    from_node: id(r, c),
                    to_node: id(r2, c2),
                    road_class: if footway { "footway" } else { "residential" }.into(),
                    name: None,
                    oneway: if dr == 0 && r == 2 {
                        Oneway::Forward
                    } else {
                        Oneway::No
                    },
                    length_m: 100.0,
                    lit: None,
                    foot: true,
                    car: !footway,
                    geometry: vec![at(r, c), at(r2, c2)],
                });
            }
        }
    }
    edges
}

/// Plain Dijkstra over the arcs, from seeds to seeds: the reference the contracted answers must
/// equal.
fn dijkstra(g: &StreetGraph, from: &[(usize, usize)], to: &[(usize, usize)]) -> Option<usize> {
    let n = g.node_ids.len();
    let mut dist = vec![usize::MAX; n];
    let mut heap = std::collections::BinaryHeap::new();
    for &(v, w) in from {
        dist[v] = dist[v].min(w);
        heap.push(std::cmp::Reverse((w, v)));
    }
    while let Some(std::cmp::Reverse((d, v))) = heap.pop() {
        if d > dist[v] {
            continue;
        }
        for a in g.arcs.iter().flatten() {
            for (ok, x, y) in [(a.forward, a.from, a.to), (a.backward, a.to, a.from)] {
                if ok && x == v && d + a.ticks < dist[y] {
                    dist[y] = d + a.ticks;
                    heap.push(std::cmp::Reverse((dist[y], y)));
                }
            }
        }
    }
    to.iter()
        .filter(|(v, _)| dist[*v] < usize::MAX)
        .map(|(v, w)| dist[*v] + w)
        .min()
}

#[test]
fn matrix_equals_dijkstra_for_every_mode() {
    let edges = grid();
    let f = frame();
    let streets = SegmentIndex::build(f, &edges);
    let points: Vec<LonLat> = [
        [10.0, 3.0],
        [250.0, 190.0],
        [390.0, 410.0],
        [120.0, 330.0],
        [300.0, 200.0],
        [305.0, 98.0],
    ]
    .iter()
    .map(|m| f.to_lonlat(*m))
    .collect();
    for mode in TravelMode::ALL {
        let graph = StreetGraph::build(&edges, mode);
        let places: Vec<Place> = points
            .iter()
            .map(|p| graph.place(*p, &edges, &streets, &f).unwrap())
            .collect();
        let m = travel_matrix(&graph, &places);
        for (i, a) in places.iter().enumerate() {
            for (j, b) in places.iter().enumerate() {
                let mut expect = dijkstra(&graph, &a.forward_seeds, &b.backward_seeds);
                if let Some(direct) = graph.along_same_edge(a, b) {
                    expect = Some(expect.map_or(direct, |e| e.min(direct)));
                }
                if i == j {
                    expect = Some(0);
                }
                assert_eq!(m.get(i, j).map(|t| t as usize), expect, "{mode:?} {i}→{j}");
            }
        }
    }
}

#[test]
fn cars_respect_one_way_streets_and_keep_off_footways() {
    let edges = grid();
    let f = frame();
    let streets = SegmentIndex::build(f, &edges);
    let car = StreetGraph::build(&edges, TravelMode::Car);
    // On the one-way middle row: west → east is one block, east → west must go around.
    let west = car
        .place(f.to_lonlat([110.0, 200.0]), &edges, &streets, &f)
        .unwrap();
    let east = car
        .place(f.to_lonlat([190.0, 200.0]), &edges, &streets, &f)
        .unwrap();
    let m = travel_matrix(&car, &[west.clone(), east.clone()]);
    assert!(m.get(1, 0).unwrap() > 3 * m.get(0, 1).unwrap());
    // A point on the footway column snaps to a street cars may use.
    let on_footway = car
        .place(f.to_lonlat([300.0, 150.0]), &edges, &streets, &f)
        .unwrap();
    assert_ne!(edges[on_footway.edge].road_class, "footway");
    // The leg's line runs along the streets: it starts and ends at the street points.
    let mut finder = PathFinder::new(&car, &edges);
    let leg = finder.leg(&east, &west).unwrap();
    assert_eq!(leg.line.first(), Some(&east.street_point));
    assert_eq!(leg.line.last(), Some(&west.street_point));
    assert!((leg.seconds - m.get(1, 0).unwrap() as f64 / TICKS_PER_SECOND).abs() < 1e-9);
    let metres: f64 = leg.line.windows(2).map(|w| f.distance_m(w[0], w[1])).sum();
    assert!(metres > 280.0, "the car goes around the block: {metres} m");
}
