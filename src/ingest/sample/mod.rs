//! The bundled demo city's sample registries. OSM has no KTV or bathhouse registry, so the demo
//! district is made from real OSM places mapped to venue kinds, synthetic rental units placed in
//! real residential buildings, and invented townships and communities; a sample survey says
//! which mapped lamps work. Every row made here is marked `sample` (the survey only sets the
//! status of real mapped lamps, and its file says what it is), and the same seed always makes
//! the same rows.

mod areas;
mod city_places;
mod city_streets;
mod lamps;
mod venues;

pub use areas::{city_areas, sample_areas};
pub use city_places::{city_lamps, city_venues};
pub use city_streets::{CITY_ORIGIN, city_streets};
pub use lamps::sample_lamp_survey;
pub use venues::{DEFAULT_SYNTHETIC_RENTALS, sample_venues};

/// The seed the demo uses; any other seed makes another, equally plausible district.
pub const DEFAULT_SEED: u64 = 20_261_128;
