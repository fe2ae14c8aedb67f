//! A seeded synthetic district at the sizes of DESIGN.md §5 for planning benchmarks and tests:
//! the lighting benchmark's street grid, venues of every kind with night and day hours, sixty
//! days of history, open follow-ups and teams of mixed units and shifts.

use super::hours::Shift;
use super::risk::VenueHistory;
use super::teams::{Duty, Team};
use crate::lighting::synthetic::{SyntheticCity, synthetic_city};
use crate::model::{FollowUp, LocalFrame, LonLat, Outcome, Venue, VenueKind, VenueStatus};
use crate::routing::TravelMode;
use chrono::{NaiveDate, TimeDelta};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashMap;

pub struct SyntheticDistrict {
    pub city: SyntheticCity,
    pub frame: LocalFrame,
    pub venues: Vec<Venue>,
    pub histories: HashMap<i64, VenueHistory>,
    pub follow_ups: Vec<FollowUp>,
    pub teams: Vec<Team>,
}

pub fn synthetic_district(
    edges: usize,
    venues: usize,
    rentals: usize,
    teams: usize,
    date: NaiveDate,
    seed: u64,
) -> SyntheticDistrict {
    let city = synthetic_city(edges, 0, seed);
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5EED);
    let frame = LocalFrame::new(city.edges[0].geometry[0]);
    let side = city
        .edges
        .iter()
        .flat_map(|e| e.geometry.iter())
        .map(|p| frame.to_metric(*p)[0])
        .fold(0.0, f64::max);
    let anywhere = |rng: &mut ChaCha8Rng| {
        frame.to_lonlat([rng.random_range(0.0..=side), rng.random_range(0.0..=side)])
    };
    let mut out = Vec::with_capacity(venues + rentals);
    for i in 0..venues + rentals {
        let kind = if i >= venues {
            VenueKind::Rental
        } else if rng.random_range(0..3) == 0 {
            VenueKind::Bathhouse
        } else {
            VenueKind::Entertainment
        };
        let hours = match kind {
            VenueKind::Entertainment => Some("Mo-Su 20:00-02:00"),
            VenueKind::Bathhouse => Some("Mo-Su 12:00-24:00"),
            _ => None,
        };
        out.push(Venue {
            id: i as i64 + 1,
            source_id: format!("synthetic:venue/{i}"),
            kind,
            name: format!("{} {i}", kind.as_str()),
            address: None,
            position: anywhere(&mut rng),
            opening_hours: hours.map(str::to_string),
            status: match rng.random_range(0..100) {
                0 => VenueStatus::Closed,
                1 => VenueStatus::Suspended,
                _ => VenueStatus::Active,
            },
            responsible_unit: None,
            complaints: if rng.random_range(0..10) == 0 {
                rng.random_range(1..5)
            } else {
                0
            },
            sample: true,
        });
    }
    let mut histories = HashMap::new();
    let mut follow_ups = Vec::new();
    for v in &out {
        if rng.random_range(0..10) == 0 {
            continue; // never inspected
        }
        let last = date - TimeDelta::days(rng.random_range(1..60));
        let outcome = match rng.random_range(0..100) {
            0..8 => Outcome::Violation,
            8 => Outcome::DrugRelated,
            9..12 => Outcome::RefusedEntry,
            _ => Outcome::Compliant,
        };
        // Findings of the last ten days still have their follow-up open; older ones were closed.
        let open = u32::from(outcome != Outcome::Compliant && (date - last).num_days() <= 10);
        if open > 0 {
            follow_ups.push(FollowUp {
                id: follow_ups.len() as i64 + 1,
                ..FollowUp::raised(
                    v.id,
                    0,
                    outcome,
                    last,
                    ("re-inspect", "commerce", last + TimeDelta::days(7)),
                )
            });
        }
        histories.insert(
            v.id,
            VenueHistory {
                last_inspected: Some(last),
                last_outcome: Some(outcome),
                open_follow_ups: open,
            },
        );
    }
    let team_list = (0..teams)
        .map(|i| {
            let night = i % 2 == 0;
            Team {
                id: i as i64 + 1,
                name: format!("team {i:02}"),
                units: if night {
                    vec!["commerce".into(), "police".into()]
                } else {
                    vec!["commerce".into(), "community".into()]
                },
                depot: anywhere(&mut rng),
                shift: Shift::parse(if night { "19:00-03:00" } else { "09:00-17:00" })
                    .expect("valid shift"),
                mode: TravelMode::Ebike,
                duty: Duty::Inspection,
                sample: true,
            }
        })
        .collect();
    SyntheticDistrict {
        city,
        frame,
        venues: out,
        histories,
        follow_ups,
        teams: team_list,
    }
}

/// A point of the district, for tests that place things by hand.
pub fn at_metres(frame: &LocalFrame, east: f64, north: f64) -> LonLat {
    frame.to_lonlat([east, north])
}
