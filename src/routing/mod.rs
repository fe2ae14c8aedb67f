//! Routing over real streets: per-mode graphs contracted with `fast_paths`, places snapped to the
//! street they are reached from, many-to-many travel-time tables, and the street path of each leg.
//! Knows nothing of SQLite or HTTP.

pub mod benchmark;
mod cache;
mod graph;
mod matrix;
pub mod optimiser;
mod path;
mod profile;

pub use cache::RoutingCache;
pub use graph::{Arc, Place, StreetGraph, TICKS_PER_SECOND, fraction_along};
pub use matrix::{TravelMatrix, travel_matrix};
pub use path::{Leg, PathFinder};
pub use profile::TravelMode;

#[cfg(test)]
mod tests;
