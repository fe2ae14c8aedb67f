//! Lighting crew routes: broken lamps and the top lamp proposals, each worth the deficit it
//! removes, ordered by the same engine as the inspectors' day, on the crews' daytime shift, so
//! the crew collects the most deficit removed per minute of its day.

use super::config::PlanningConfig;
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
        left_out: d.left_out,
    }
}
