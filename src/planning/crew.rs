//! Lighting crew routes: broken lamps and the top lamp proposals, each worth the deficit it
//! removes, ordered by the same engine as the inspectors' day, on the crews' daytime shift, so
//! the crew collects the most deficit removed per minute of its day.

use super::config::PlanningConfig;
use super::day::keep_candidate_pool;
use super::dispatch::{Job, Streets, dispatch};
use super::plan::{PatrolPlan, PlanSummary, Target};
use super::teams::{Duty, Team};
use crate::model::LonLat;
use crate::routing::optimiser::SolveOptions;
use chrono::NaiveDate;
use serde_json::json;

/// A broken lamp and the deficit its repair removes (from the lighting run).
#[derive(Debug, Clone, PartialEq)]
pub struct Repair {
    pub lamp_id: i64,
    pub source_id: String,
    pub at: LonLat,
    pub deficit_removed_lx: f64,
}

/// A proposed new lamp and the deficit it removes.
#[derive(Debug, Clone, PartialEq)]
pub struct Installation {
    pub rank: i64,
    pub at: LonLat,
    pub gain_lx: f64,
    pub road_class: String,
}

pub fn plan_crews(
    config: &PlanningConfig,
    date: NaiveDate,
    repairs: &[Repair],
    installations: &[Installation],
    teams: &[Team],
    streets: Streets,
    options: &SolveOptions,
) -> PatrolPlan {
    let crews: Vec<Team> = teams
        .iter()
        .filter(|t| t.duty == Duty::Lighting)
        .cloned()
        .collect();
    let window = vec![(
        crews.iter().map(|t| t.shift.start).min().unwrap_or(0),
        crews.iter().map(|t| t.shift.end).max().unwrap_or(0),
    )];
    let s = &config.lighting_crew;
    let jobs: Vec<Job> = repairs
        .iter()
        .filter(|r| r.deficit_removed_lx > 0.0)
        .map(|r| Job {
            target: Target::Lamp(r.lamp_id),
            name: format!("lamp {}", r.source_id),
            category: "repair".into(),
            at: r.at,
            score: r.deficit_removed_lx,
            service_s: s.repair_minutes * 60,
            windows: window.clone(),
            units: Vec::new(),
            mandatory: false,
            team: None,
            reason: json!({"deficit_removed_lx": r.deficit_removed_lx}),
        })
        .chain(installations.iter().take(s.proposals).map(|p| Job {
            target: Target::Proposal(p.rank),
            name: format!("new lamp #{} ({})", p.rank, p.road_class),
            category: "install".into(),
            at: p.at,
            score: p.gain_lx,
            service_s: s.install_minutes * 60,
            windows: window.clone(),
            units: Vec::new(),
            mandatory: false,
            team: None,
            reason: json!({"gain_lx": p.gain_lx, "rank": p.rank}),
        }))
        .collect();
    // A city has thousands of broken lamps: the crews' optimiser sees the best few times what
    // they could do in a day (as the inspectors' does), not a travel table over all of them.
    let mut left_out = Vec::new();
    let jobs = keep_candidate_pool(
        jobs,
        &crews,
        config,
        &Default::default(),
        &mut left_out,
        "deficit removed (lx)",
    );
    let candidates = jobs.len();
    let d = dispatch(
        jobs,
        &crews,
        streets,
        options,
        &Default::default(),
        &Default::default(),
    );
    let stops = d.routes.iter().map(|r| r.stops.len()).sum();
    PatrolPlan {
        id: 0,
        date,
        duty: Duty::Lighting,
        summary: PlanSummary {
            candidates,
            stops,
            score: d.routes.iter().map(|r| r.score).sum(),
            travel_s: d.routes.iter().map(|r| r.travel_s).sum(),
            build_seconds: d.build_seconds,
            contraction_seconds: d.contraction_seconds,
            search_seconds: d.search_seconds,
            iterations: d.iterations,
            check_failures: d.check_failures,
            ..Default::default()
        },
        routes: d.routes,
        left_out: left_out.into_iter().chain(d.left_out).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::SegmentIndex;
    use crate::planning::plan::LeftOutReason;
    use crate::planning::synthetic::{at_metres, synthetic_district};
    use crate::planning::tests::{date, team};

    #[test]
    fn a_city_of_broken_lamps_gives_the_crews_their_best_few_times_a_day_and_a_route() {
        let district = synthetic_district(400, 0, 0, 0, date(), 7);
        let index = SegmentIndex::build(district.frame, &district.city.edges);
        // 2,000 broken lamps on a 30 m grid; the higher the id, the more deficit a repair removes.
        let repairs: Vec<Repair> = (0..2_000)
            .map(|n| Repair {
                lamp_id: n,
                source_id: format!("lamp-{n}"),
                at: at_metres(
                    &district.frame,
                    f64::from((n % 40) as i32) * 30.0,
                    f64::from((n / 40) as i32) * 30.0,
                ),
                deficit_removed_lx: 1.0 + n as f64,
            })
            .collect();
        let mut crew = team(&[], "08:00-16:00");
        crew.duty = Duty::Lighting;
        let config = PlanningConfig::default();
        let plan = plan_crews(
            &config,
            date(),
            &repairs,
            &[],
            &[crew],
            Streets {
                edges: &district.city.edges,
                index: &index,
                frame: &district.frame,
            },
            &SolveOptions {
                seed: 1,
                time_limit: None,
                iteration_limit: Some(100),
                threads: 1,
            },
        );
        // One crew's day is some 17 stops of 20 minutes and a short drive: a pool of three times
        // that, the best repairs, and the rest left out below the cut, each saying why.
        assert!(
            plan.summary.candidates < 100,
            "{} candidates",
            plan.summary.candidates
        );
        assert!(plan.summary.stops > 0);
        let cut: Vec<_> = plan
            .left_out
            .iter()
            .filter(|l| l.reason == LeftOutReason::BelowCandidateCut)
            .collect();
        assert_eq!(cut.len(), 2_000 - plan.summary.candidates);
        assert!(
            cut[0].detail.starts_with("deficit removed (lx)"),
            "{}",
            cut[0].detail
        );
        assert!(!cut.iter().any(|l| l.target == Target::Lamp(1_999)));
        assert!(cut.iter().any(|l| l.target == Target::Lamp(0)));
    }
}
