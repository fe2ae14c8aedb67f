//! The synthetic city's teams and its reviewed history. A city's inspection teams work out of
//! its townships' police stations, a score each: night teams with police for the entertainment
//! venues, day teams for rentals and bathhouses, one lamp crew per township. The history goes
//! through the same recording function as the field's records (follow-ups, suspensions and
//! audit events are consequences of the outcomes) and a manager reviews some of the last days.

use super::history::sample_history;
use crate::model::{Area, AreaLevel, LocalFrame, LonLat, ReviewState};
use crate::planning::PlanningConfig;
use crate::planning::hours::Shift;
use crate::planning::teams::{Duty, Team};
use crate::routing::TravelMode;
use crate::store::Store;
use chrono::{NaiveDate, TimeDelta};
use geo::BoundingRect;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashMap;

/// One kind of inspection team: name, units, shift and how it travels.
struct TeamKind {
    label: &'static str,
    units: &'static [&'static str],
    shift: &'static str,
    mode: TravelMode,
}

/// Ten teams' worth of kinds, in the proportions a township fields them.
const KINDS: [TeamKind; 10] = {
    use TravelMode::*;
    const NIGHT: TeamKind = TeamKind {
        label: "夜查",
        units: &["commerce", "police"],
        shift: "19:00-03:00",
        mode: Ebike,
    };
    const DAY: TeamKind = TeamKind {
        label: "日查",
        units: &["commerce", "community"],
        shift: "09:00-17:00",
        mode: Ebike,
    };
    [
        NIGHT,
        DAY,
        TeamKind {
            label: "联合夜查",
            units: &["commerce", "police", "fire"],
            shift: "20:00-04:00",
            mode: Car,
        },
        DAY,
        NIGHT,
        TeamKind {
            label: "社区巡查",
            units: &["community"],
            shift: "08:30-16:30",
            mode: Walk,
        },
        TeamKind {
            label: "晚查",
            units: &["commerce", "police"],
            shift: "16:00-00:00",
            mode: Ebike,
        },
        DAY,
        TeamKind {
            label: "消防检查",
            units: &["fire", "community"],
            shift: "09:00-17:00",
            mode: Car,
        },
        NIGHT,
    ]
};

/// `count` teams (at least two) spread over the townships: one lamp crew in twenty, the rest
/// inspection teams, with depots near each township's middle.
pub fn city_teams(areas: &[Area], count: usize, seed: u64) -> Vec<Team> {
    let towns: Vec<&Area> = areas
        .iter()
        .filter(|a| a.level == AreaLevel::Township)
        .collect();
    if towns.is_empty() {
        return Vec::new();
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x7EA5);
    let count = count.max(2);
    let crews = (count / 20).clamp(1, towns.len());
    let mut numbers: HashMap<(usize, &str), usize> = HashMap::new();
    let depot = |town: &Area, rng: &mut ChaCha8Rng| {
        let Some(r) = town.geometry.bounding_rect() else {
            return first_point(town);
        };
        let c = r.center();
        let frame = LocalFrame::new(LonLat::new(c.x, c.y));
        let half = frame.to_metric(LonLat::new(r.max().x, r.max().y));
        frame.to_lonlat([
            rng.random_range(-0.3..0.3) * half[0],
            rng.random_range(-0.3..0.3) * half[1],
        ])
    };
    let mut teams = Vec::with_capacity(count);
    for i in 0..count - crews {
        let d = i % towns.len();
        let kind = &KINDS[(i / towns.len()) % KINDS.len()];
        let n = numbers.entry((d, kind.label)).or_default();
        *n += 1;
        teams.push(Team {
            id: 0,
            name: format!("{}{}{}组", towns[d].name, kind.label, n),
            units: kind.units.iter().map(|u| u.to_string()).collect(),
            depot: depot(towns[d], &mut rng),
            shift: Shift::parse(kind.shift).expect("the city's shifts are valid"),
            mode: kind.mode,
            duty: Duty::Inspection,
            sample: true,
        });
    }
    for town in towns.iter().take(crews) {
        teams.push(Team {
            id: 0,
            name: format!("{}路灯维修队", town.name),
            units: vec!["utilities".into()],
            depot: depot(town, &mut rng),
            shift: Shift::parse("08:30-16:30").expect("a valid shift"),
            mode: TravelMode::Car,
            duty: Duty::Lighting,
            sample: true,
        });
    }
    teams
}

fn first_point(area: &Area) -> LonLat {
    area.geometry
        .0
        .first()
        .and_then(|p| p.exterior().0.first())
        .map(|c| LonLat::new(c.x, c.y))
        .unwrap_or(LonLat::new(0.0, 0.0))
}

/// What the city's history holds once recorded.
#[derive(Debug, Clone, Copy, Default)]
pub struct CityHistory {
    pub inspections: usize,
    pub reviews: usize,
}

/// `days` days of inspections before `today`, then up to `max_reviews` reviews by `reviewer`.
#[derive(Debug, Clone, Copy)]
pub struct HistoryRun {
    pub today: NaiveDate,
    pub days: i64,
    pub max_reviews: usize,
    pub reviewer: Option<i64>,
    pub seed: u64,
}

/// The history of every venue of the store, then reviews of the last week's records (most
/// approved, some with issues, a few sent back to the team).
pub fn record_city_history(
    store: &mut Store,
    config: &PlanningConfig,
    teams: &[Team],
    run: &HistoryRun,
) -> anyhow::Result<CityHistory> {
    let HistoryRun {
        today,
        days,
        max_reviews,
        reviewer,
        seed,
    } = *run;
    let venues = store.venues()?;
    let history = sample_history(&venues, teams, config, today, days, seed);
    store.record_inspections(&history, config)?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x4EB1);
    let week_ago = (today - TimeDelta::days(7)).to_string();
    let recent: Vec<_> = history
        .iter()
        .filter(|i| i.started_at >= week_ago)
        .collect();
    let mut reviews = 0;
    // Every k-th record of the week, so the reviews spread over the days and teams.
    let step = (recent.len() / max_reviews.max(1)).max(1);
    for i in recent.iter().step_by(step).take(max_reviews) {
        let (state, reason) = match rng.random_range(0..100) {
            0..85 => (ReviewState::Approved, None),
            85..95 => (ReviewState::HasIssues, Some("照片不清晰，检查记录不完整")),
            _ => (ReviewState::Rejected, Some("未见场所门头照片，请复查")),
        };
        store.review_inspection(
            &i.client_uuid.to_string(),
            state,
            reason,
            &config.supervision,
            reviewer,
        )?;
        reviews += 1;
    }
    Ok(CityHistory {
        inspections: history.len(),
        reviews,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_city_team_has_a_shift_that_parses() {
        for kind in KINDS {
            assert!(
                Shift::parse(kind.shift).is_ok(),
                "{}: {}",
                kind.label,
                kind.shift
            );
        }
    }
}
