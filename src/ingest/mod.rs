//! Reading the outside world: OSM extracts and government registries, into domain types. Nothing
//! here writes to the store; the caller decides what to keep.

pub mod crs;
pub mod error;
pub mod osm;
pub mod registry;
pub mod sample;
pub mod toptw;

pub use crs::Crs;
pub use error::{InputError, Location, RejectedFile};
