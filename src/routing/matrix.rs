//! Many-to-many travel times on the contracted graph, by the bucket method of Knopp, Schultes,
//! Sanders et al. (2007): one upward search from every target fills buckets at the nodes it
//! settles, one upward search from every source scans them. A 1,000 × 1,000 table costs 2,000
//! small searches instead of a million point-to-point queries.

use super::graph::{Place, StreetGraph};
use fast_paths::FastGraph32;
use rayon::prelude::*;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Travel times between places, in ticks (see `TICKS_PER_SECOND`); `None` where no street path
/// exists (another island of the network, or a one-way trap).
#[derive(Debug, Clone, PartialEq)]
pub struct TravelMatrix {
    pub size: usize,
    ticks: Vec<Option<u32>>,
}

impl TravelMatrix {
    pub fn get(&self, from: usize, to: usize) -> Option<u32> {
        self.ticks[from * self.size + to]
    }
}

pub fn travel_matrix(graph: &StreetGraph, places: &[Place]) -> TravelMatrix {
    let n = places.len();
    let g = &graph.ch32;
    let nodes = graph.nodes();
    // Buckets: for every node, the (target, ticks from the node to the target) pairs.
    let per_target: Vec<Vec<(u32, u32)>> = places
        .par_iter()
        .map_init(
            || Search::new(nodes),
            |search, p| search.run(g, &p.backward_seeds, Direction::Backward),
        )
        .collect();
    let mut buckets: Vec<Vec<(u32, u32)>> = vec![Vec::new(); nodes];
    for (t, settled) in per_target.iter().enumerate() {
        for &(node, d) in settled {
            buckets[node as usize].push((t as u32, d));
        }
    }
    let rows: Vec<Vec<Option<u32>>> = places
        .par_iter()
        .enumerate()
        .map_init(
            || Search::new(nodes),
            |search, (s, p)| {
                let mut row: Vec<Option<u32>> = vec![None; n];
                for (node, d) in search.run(g, &p.forward_seeds, Direction::Forward) {
                    for &(t, d2) in &buckets[node as usize] {
                        let total = d.saturating_add(d2);
                        let cell = &mut row[t as usize];
                        if cell.is_none_or(|c| total < c) {
                            *cell = Some(total);
                        }
                    }
                }
                for (t, q) in places.iter().enumerate() {
                    if let Some(direct) = graph.along_same_edge(p, q) {
                        let direct = direct.min(u32::MAX as usize) as u32;
                        let cell = &mut row[t];
                        if cell.is_none_or(|c| direct < c) {
                            *cell = Some(direct);
                        }
                    }
                }
                row[s] = Some(0);
                row
            },
        )
        .collect();
    TravelMatrix {
        size: n,
        ticks: rows.into_iter().flatten().collect(),
    }
}

#[derive(Clone, Copy)]
enum Direction {
    Forward,
    Backward,
}

/// A reusable upward Dijkstra: its arrays are sized once and only the touched entries reset.
struct Search {
    dist: Vec<u32>,
    touched: Vec<u32>,
    heap: BinaryHeap<Reverse<(u32, u32)>>,
}

impl Search {
    fn new(nodes: usize) -> Self {
        Self {
            dist: vec![u32::MAX; nodes],
            touched: Vec::new(),
            heap: BinaryHeap::new(),
        }
    }

    /// Every node the upward search settles, with its distance.
    fn run(
        &mut self,
        g: &FastGraph32,
        seeds: &[(usize, usize)],
        dir: Direction,
    ) -> Vec<(u32, u32)> {
        for &t in &self.touched {
            self.dist[t as usize] = u32::MAX;
        }
        self.touched.clear();
        self.heap.clear();
        for &(node, w) in seeds {
            let w = w.min(u32::MAX as usize - 1) as u32;
            if w < self.dist[node] {
                self.dist[node] = w;
                self.touched.push(node as u32);
                self.heap.push(Reverse((w, node as u32)));
            }
        }
        let mut settled = Vec::new();
        while let Some(Reverse((d, v))) = self.heap.pop() {
            if d > self.dist[v as usize] {
                continue;
            }
            settled.push((v, d));
            let rank = g.ranks[v as usize] as usize;
            let (first, edges) = match dir {
                Direction::Forward => (&g.first_edge_ids_fwd, &g.edges_fwd),
                Direction::Backward => (&g.first_edge_ids_bwd, &g.edges_bwd),
            };
            for e in &edges[first[rank] as usize..first[rank + 1] as usize] {
                let nd = d.saturating_add(e.weight);
                let adj = e.adj_node as usize;
                if nd < self.dist[adj] {
                    if self.dist[adj] == u32::MAX {
                        self.touched.push(adj as u32);
                    }
                    self.dist[adj] = nd;
                    self.heap.push(Reverse((nd, adj as u32)));
                }
            }
        }
        settled
    }
}
