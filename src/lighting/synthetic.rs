//! A seeded synthetic city for benchmarks at the sizes of DESIGN.md §5: a street grid of 42 m
//! blocks (main roads every tenth street, secondary every fifth, footways every third), lamps
//! along random streets (some broken, some without attributes, a few mapped twice) and venues.

use crate::model::{
    Corner, CornerKind, Lamp, LampStatus, LitTag, LocalFrame, LonLat, Oneway, StreetEdge, Venue,
    VenueKind,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The mean street edge length of the Prague extract (17,491 edges, 736 km): real networks are cut
/// into short edges by every junction and footway crossing.
const BLOCK_M: f64 = 42.0;

pub struct SyntheticCity {
    pub edges: Vec<StreetEdge>,
    pub corners: Vec<Corner>,
    pub lamps: Vec<Lamp>,
    pub venues: Vec<Venue>,
}

fn road_class(line: usize) -> &'static str {
    match line {
        l if l % 10 == 0 => "primary",
        l if l % 5 == 0 => "secondary",
        l if l % 3 == 0 => "footway",
        _ => "residential",
    }
}

pub fn synthetic_city(edges: usize, lamps: usize, seed: u64) -> SyntheticCity {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let frame = LocalFrame::new(LonLat::new(116.30, 39.85));
    // A grid of n × n nodes has 2·n·(n − 1) edges.
    let n = ((1.0 + (1.0 + 2.0 * edges as f64).sqrt()) / 2.0)
        .ceil()
        .max(2.0) as usize;
    let node_id = |r: usize, c: usize| (r * n + c) as i64 + 1;
    let at = |r: usize, c: usize| frame.to_lonlat([c as f64 * BLOCK_M, r as f64 * BLOCK_M]);
    let mut out_edges = Vec::with_capacity(edges);
    let push = |out: &mut Vec<StreetEdge>,
                a: (usize, usize),
                b: (usize, usize),
                line: usize,
                rng: &mut ChaCha8Rng| {
        let id = out.len() as i64 + 1;
        let lit = match rng.random_range(0..100) {
            0..15 => Some(LitTag::Yes),
            15..20 => Some(LitTag::No),
            _ => None,
        };
        out.push(StreetEdge {
            id,
            source_id: format!("synthetic:edge/{id}"),
            from_node: node_id(a.0, a.1),
            to_node: node_id(b.0, b.1),
            road_class: road_class(line).to_string(),
            name: None,
            oneway: Oneway::No,
            length_m: BLOCK_M,
            lit,
            foot: true,
            car: road_class(line) != "footway",
            geometry: vec![at(a.0, a.1), at(b.0, b.1)],
        });
    };
    'grid: for r in 0..n {
        for c in 0..n {
            for (dr, dc, line) in [(0, 1, r), (1, 0, c + 1)] {
                if out_edges.len() == edges {
                    break 'grid;
                }
                if r + dr < n && c + dc < n {
                    push(&mut out_edges, (r, c), (r + dr, c + dc), line, &mut rng);
                }
            }
        }
    }
    let mut corners = Vec::new();
    for r in 0..n {
        for c in 0..n {
            let degree = [r > 0, r + 1 < n, c > 0, c + 1 < n]
                .iter()
                .filter(|x| **x)
                .count();
            if degree >= 3 {
                let mut classes = vec![road_class(r).to_string(), road_class(c + 1).to_string()];
                classes.sort();
                classes.dedup();
                corners.push(Corner {
                    id: corners.len() as i64 + 1,
                    source_id: format!("osm:node/{}", node_id(r, c)),
                    position: at(r, c),
                    kind: CornerKind::Junction,
                    degree: degree as u32,
                    turn_deg: 0.0,
                    road_classes: classes,
                });
            }
        }
    }
    let mut out_lamps = Vec::with_capacity(lamps);
    while out_lamps.len() < lamps {
        let e = &out_edges[rng.random_range(0..out_edges.len())];
        let (a, b) = (
            frame.to_metric(e.geometry[0]),
            frame.to_metric(e.geometry[1]),
        );
        let t: f64 = rng.random_range(0.0..1.0);
        // Poles stand at the kerb, a few metres beside the centreline.
        let side = if rng.random_bool(0.5) { 4.0 } else { -4.0 };
        let (dx, dy) = ((b[0] - a[0]) / BLOCK_M, (b[1] - a[1]) / BLOCK_M);
        let p = [
            a[0] + (b[0] - a[0]) * t - dy * side,
            a[1] + (b[1] - a[1]) * t + dx * side,
        ];
        let id = out_lamps.len() as i64 + 1;
        let surveyed = rng.random_bool(0.7);
        let lamp = Lamp {
            id,
            source_id: format!("synthetic:lamp/{id}"),
            position: frame.to_lonlat(p),
            height_m: surveyed.then(|| rng.random_range(5.0..12.0)),
            flux_lm: surveyed.then(|| rng.random_range(3_000.0..18_000.0)),
            status: if rng.random_bool(0.08) {
                LampStatus::Broken
            } else {
                LampStatus::Working
            },
        };
        let twice = rng.random_bool(0.01) && out_lamps.len() + 2 <= lamps;
        out_lamps.push(lamp.clone());
        // One lamp in a hundred is mapped twice.
        if twice {
            out_lamps.push(Lamp {
                id: id + 1,
                source_id: format!("synthetic:lamp/{}", id + 1),
                ..lamp
            });
        }
    }
    let side_m = (n - 1) as f64 * BLOCK_M;
    let venues = (0..(edges / 50).max(1))
        .map(|i| Venue {
            id: i as i64 + 1,
            ..Venue::sample(
                format!("synthetic:venue/{i}"),
                VenueKind::ALL[rng.random_range(0..3)],
                format!("venue {i}"),
                frame.to_lonlat([
                    rng.random_range(0.0..=side_m),
                    rng.random_range(0.0..=side_m),
                ]),
            )
        })
        .collect();
    SyntheticCity {
        edges: out_edges,
        corners,
        lamps: out_lamps,
        venues,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_as_asked_and_seeded() {
        let city = synthetic_city(5_000, 2_000, 3);
        assert_eq!(city.edges.len(), 5_000);
        assert_eq!(city.lamps.len(), 2_000);
        assert!(city.corners.len() > 1_000);
        let again = synthetic_city(5_000, 2_000, 3);
        assert_eq!(city.lamps, again.lamps);
    }
}
