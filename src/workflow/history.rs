//! Sample teams and about sixty days of plausible inspections for the demo city, so risk scores,
//! follow-ups and coverage maps mean something on first run. Seeded; every record is `sample`.
//! The history goes through the same recording function as the field's inspections, so its
//! follow-ups, suspensions and audit events are real consequences of its outcomes.

use crate::model::{
    BBox, GpsFix, Inspection, LocalFrame, LonLat, Outcome, Venue, VenueKind, VenueStatus,
};
use crate::planning::PlanningConfig;
use crate::planning::hours::Shift;
use crate::planning::teams::{Duty, Team};
use crate::routing::TravelMode;
use crate::store::Store;
use chrono::{NaiveDate, TimeDelta};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Four inspection teams (two joint night teams with police, two day teams) and a lamp crew,
/// with depots spread over the district.
pub fn sample_teams(extent: &BBox) -> Vec<Team> {
    let c = extent.center();
    let frame = LocalFrame::new(c);
    let at = |east: f64, north: f64| frame.to_lonlat([east, north]);
    let team = |name: &str, units: &[&str], depot: LonLat, shift: &str, mode, duty| Team {
        id: 0,
        name: name.to_string(),
        units: units.iter().map(|u| u.to_string()).collect(),
        depot,
        shift: Shift::parse(shift).expect("sample shifts are valid"),
        mode,
        duty,
        sample: true,
    };
    use Duty::*;
    use TravelMode::*;
    vec![
        team(
            "夜查一组 Night team 1",
            &["commerce", "police"],
            at(-400.0, 200.0),
            "19:00-03:00",
            Ebike,
            Inspection,
        ),
        team(
            "夜查二组 Night team 2",
            &["commerce", "police", "fire"],
            at(400.0, -200.0),
            "19:00-03:00",
            Ebike,
            Inspection,
        ),
        team(
            "日查一组 Day team 1",
            &["commerce", "community"],
            at(-300.0, -300.0),
            "09:00-17:00",
            Walk,
            Inspection,
        ),
        team(
            "日查二组 Day team 2",
            &["fire", "community"],
            at(300.0, 300.0),
            "09:00-17:00",
            Ebike,
            Inspection,
        ),
        team(
            "路灯维修队 Lamp crew",
            &["utilities"],
            at(0.0, 0.0),
            "08:30-16:30",
            Car,
            Lighting,
        ),
    ]
}

/// Inspections over the `days` days before `today`, in the order they happened.
pub fn sample_history(
    venues: &[Venue],
    teams: &[Team],
    config: &PlanningConfig,
    today: NaiveDate,
    days: i64,
    seed: u64,
) -> Vec<Inspection> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let inspectors: Vec<&Team> = teams
        .iter()
        .filter(|t| t.duty == Duty::Inspection)
        .collect();
    let start = today - TimeDelta::days(days);
    let mut out: Vec<Inspection> = Vec::new();
    for v in venues.iter().filter(|v| v.status == VenueStatus::Active) {
        let needed = config.required_units.get(v.kind);
        let able: Vec<&&Team> = inspectors.iter().filter(|t| t.has_units(needed)).collect();
        if able.is_empty() {
            continue;
        }
        let frequency = *config.frequency_days.get(v.kind) as f64;
        // One venue in six is neglected: its visits come at twice the interval, so it falls behind.
        let neglect = if rng.random_range(0..6) == 0 {
            2.0
        } else {
            1.0
        };
        let mut day = start + TimeDelta::days(rng.random_range(0..frequency as i64));
        let mut suspended = false;
        while day < today && !suspended {
            let team = able[rng.random_range(0..able.len())];
            let outcome = draw_outcome(&mut rng, v.kind);
            out.push(visit(&mut rng, v, team, day, outcome));
            if let Some(rule) = config.follow_up_rule(outcome) {
                suspended = rule.suspend;
                // Most follow-ups are re-inspected before their deadline, some are late.
                let back = rng.random_range(1..=rule.deadline_days.max(1) + 2);
                let revisit = day + TimeDelta::days(back);
                if revisit < today && rng.random_range(0..10) < 8 {
                    let outcome = if rng.random_range(0..10) < 9 {
                        Outcome::Compliant
                    } else {
                        Outcome::Violation
                    };
                    out.push(visit(&mut rng, v, team, revisit, outcome));
                    day = revisit;
                }
            }
            let gap = frequency * neglect * rng.random_range(0.6..1.3);
            day += TimeDelta::days(gap.round().max(1.0) as i64);
        }
    }
    out.sort_by(|a, b| {
        a.started_at
            .cmp(&b.started_at)
            .then(a.client_uuid.cmp(&b.client_uuid))
    });
    out
}

/// Generates, records and reports the sample history (one transaction).
pub fn record_sample_history(
    store: &mut Store,
    config: &PlanningConfig,
    teams: &[Team],
    today: NaiveDate,
    seed: u64,
) -> anyhow::Result<usize> {
    let venues = store.venues()?;
    let history = sample_history(&venues, teams, config, today, 60, seed);
    store.record_inspections(&history, config)?;
    Ok(history.len())
}

fn draw_outcome(rng: &mut ChaCha8Rng, kind: VenueKind) -> Outcome {
    let nightlife = matches!(kind, VenueKind::Entertainment | VenueKind::Bathhouse);
    match rng.random_range(0..1000) {
        0..3 if nightlife => Outcome::DrugRelated,
        0..90 => Outcome::Violation,
        90..130 => Outcome::ClosedOnArrival,
        130..150 => Outcome::RefusedEntry,
        _ => Outcome::Compliant,
    }
}

fn visit(
    rng: &mut ChaCha8Rng,
    v: &Venue,
    team: &Team,
    day: NaiveDate,
    outcome: Outcome,
) -> Inspection {
    let hour = team.shift.start / 3600 + rng.random_range(0..5);
    let minute = rng.random_range(0..60);
    let started =
        day.and_hms_opt(0, 0, 0).unwrap_or_default() + TimeDelta::minutes(hour * 60 + minute);
    let finished = started + TimeDelta::minutes(rng.random_range(8..35));
    let mut bytes = [0u8; 16];
    rng.fill(&mut bytes);
    let frame = LocalFrame::new(v.position);
    let accuracy = rng.random_range(4.0..25.0);
    let fix = frame.to_lonlat([
        rng.random_range(-1.0..1.0) * accuracy,
        rng.random_range(-1.0..1.0) * accuracy,
    ]);
    Inspection {
        client_uuid: uuid::Builder::from_random_bytes(bytes).into_uuid(),
        venue_id: v.id,
        team_id: Some(team.id),
        account_id: None,
        started_at: started.format("%Y-%m-%dT%H:%M:%S").to_string(),
        finished_at: Some(finished.format("%Y-%m-%dT%H:%M:%S").to_string()),
        outcome,
        checklist: Default::default(),
        notes: None,
        gps: Some(GpsFix {
            at: fix,
            accuracy_m: (accuracy * 10.0).round() / 10.0,
        }),
        photos: Vec::new(),
        sample: true,
        off_plan: false,
        corrects: None,
    }
}
