//! The bundled demo city's sample registries. OSM has no KTV or bathhouse registry, so the demo
//! district is made from real OSM places mapped to venue kinds, synthetic rental units placed in
//! real residential buildings, and invented townships and communities. Everything made here is
//! marked `sample`, and the same seed always makes the same rows.

mod areas;
mod venues;

pub use areas::sample_areas;
pub use venues::{DEFAULT_SYNTHETIC_RENTALS, sample_venues};

/// The seed the demo uses; any other seed makes another, equally plausible district.
pub const DEFAULT_SEED: u64 = 20_261_128;
