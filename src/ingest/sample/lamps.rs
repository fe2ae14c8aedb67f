//! A sample lamp survey for the demo. OSM says where lamps stand but not whether they work, and
//! a district's lighting office keeps exactly that record; the demo needs one so that broken
//! lamps, their repair impact and the crew's repair route show. Most lamps are surveyed working,
//! a few broken, the rest left unknown, drawn with the demo's seed.

use crate::model::{Lamp, LampStatus};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Shares of the mapped lamps the survey finds broken and leaves unsurveyed; the rest work.
/// Street-lighting maintenance reports put outages at a few per cent at any time.
const BROKEN_SHARE: f64 = 0.05;
const UNKNOWN_SHARE: f64 = 0.10;

/// The mapped lamps with a surveyed status each; position, height and flux stay as mapped.
pub fn sample_lamp_survey(lamps: &[Lamp], seed: u64) -> Vec<Lamp> {
    // Its own stream, so the survey does not shift when the venue sample changes.
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x1a4d_5e77);
    lamps
        .iter()
        .map(|lamp| {
            let draw: f64 = rng.random();
            let status = if draw < BROKEN_SHARE {
                LampStatus::Broken
            } else if draw < BROKEN_SHARE + UNKNOWN_SHARE {
                LampStatus::Unknown
            } else {
                LampStatus::Working
            };
            Lamp {
                status,
                ..lamp.clone()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::LonLat;

    fn lamps(n: usize) -> Vec<Lamp> {
        (0..n)
            .map(|i| Lamp {
                id: 0,
                source_id: format!("osm:node/{i}"),
                position: LonLat::new(24.9 + i as f64 * 1e-4, 60.17),
                height_m: Some(8.0),
                flux_lm: None,
                status: LampStatus::Unknown,
            })
            .collect()
    }

    #[test]
    fn the_survey_is_seeded_keeps_every_lamp_and_finds_a_few_broken() {
        let mapped = lamps(2_000);
        let a = sample_lamp_survey(&mapped, 7);
        assert_eq!(a, sample_lamp_survey(&mapped, 7));
        assert_eq!(a.len(), mapped.len());
        assert!(
            a.iter()
                .zip(&mapped)
                .all(|(s, m)| s.source_id == m.source_id
                    && s.position == m.position
                    && s.height_m == m.height_m)
        );
        let broken = a.iter().filter(|l| l.status == LampStatus::Broken).count();
        let working = a.iter().filter(|l| l.status == LampStatus::Working).count();
        assert!((60..=140).contains(&broken), "{broken} broken of 2,000");
        assert!(
            (1_600..=1_800).contains(&working),
            "{working} working of 2,000"
        );
    }
}
