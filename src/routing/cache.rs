//! Street graphs and travel-time tables kept between plans of one street network. A
//! dispatcher's action changes which stops are fixed, not the streets, and mostly not the
//! places: contracting a district's graph and filling its table take seconds, re-optimising
//! after the action should not. A graph is kept per travel mode while the network is the same
//! (a digest of every edge); a table is reused when every place asked for is in it, in any
//! order. One cache serves one street network; a new import makes it start over.

use super::graph::{Place, StreetGraph};
use super::matrix::{TravelMatrix, travel_matrix};
use super::profile::TravelMode;
use crate::model::StreetEdge;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

#[derive(Default)]
pub struct RoutingCache(Mutex<Inner>);

#[derive(Default)]
struct Inner {
    network: Option<u64>,
    graphs: Vec<(TravelMode, Arc<StreetGraph>)>,
    tables: Vec<(TravelMode, Table)>,
}

/// A travel-time table and where each place (by the point it was asked for) sits in it.
struct Table {
    index: HashMap<(u64, u64), usize>,
    matrix: Arc<TravelMatrix>,
}

fn key(p: &Place) -> (u64, u64) {
    (p.at.lon.to_bits(), p.at.lat.to_bits())
}

fn digest(edges: &[StreetEdge]) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for e in edges {
        (
            e.id,
            e.from_node,
            e.to_node,
            e.length_m.to_bits(),
            e.foot,
            e.car,
        )
            .hash(&mut h);
        e.oneway.hash(&mut h);
        e.road_class.hash(&mut h);
    }
    h.finish()
}

impl RoutingCache {
    /// The graph of `mode` on `edges`, and whether it had to be built now.
    pub fn graph(&self, edges: &[StreetEdge], mode: TravelMode) -> (Arc<StreetGraph>, bool) {
        let mut inner = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let network = digest(edges);
        if inner.network != Some(network) {
            *inner = Inner {
                network: Some(network),
                ..Default::default()
            };
        }
        if let Some((_, g)) = inner.graphs.iter().find(|(m, _)| *m == mode) {
            return (g.clone(), false);
        }
        let g = Arc::new(StreetGraph::build(edges, mode));
        inner.graphs.push((mode, g.clone()));
        (g, true)
    }

    /// A table holding every one of `places`, and each place's row in it (in `places` order).
    /// `graph` must be the one `graph()` gave for `mode`.
    pub fn table(
        &self,
        mode: TravelMode,
        graph: &StreetGraph,
        places: &[Place],
    ) -> (Arc<TravelMatrix>, Vec<usize>) {
        let mut inner = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, t)) = inner.tables.iter().find(|(m, _)| *m == mode) {
            let rows: Option<Vec<usize>> = places
                .iter()
                .map(|p| t.index.get(&key(p)).copied())
                .collect();
            if let Some(rows) = rows {
                return (t.matrix.clone(), rows);
            }
        }
        let matrix = Arc::new(travel_matrix(graph, places));
        let index = places
            .iter()
            .enumerate()
            .map(|(i, p)| (key(p), i))
            .collect();
        inner.tables.retain(|(m, _)| *m != mode);
        inner.tables.push((
            mode,
            Table {
                index,
                matrix: matrix.clone(),
            },
        ));
        (matrix, (0..places.len()).collect())
    }
}
