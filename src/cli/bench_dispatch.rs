//! `patrolmap bench dispatch`: one dispatcher action on the district-size synthetic plan (a
//! stop moved to another team) and the re-optimisation after it, as the server runs it: from
//! the plan in force (warm, only the two routes the move touches re-planned) and, for
//! comparison, every route from nothing (cold), with the same budgets.
//! Prints the time to the first feasible answer and the score after each budget.

use super::bench::bench_district;
use crate::planning::adjust::{Adjustment, DayAdjustments};
use crate::planning::day::{DayPlan, Revising};
use crate::planning::plan::Target;
use crate::planning::{PlanningConfig, RiskModel};
use crate::routing::RoutingCache;
use crate::routing::optimiser::SolveOptions;
use std::time::{Duration, Instant};

pub struct Sizes {
    pub edges: usize,
    pub venues: usize,
    pub rentals: usize,
    pub teams: usize,
}

pub fn run(sizes: Sizes, base_seconds: f64, seconds: &[f64], seed: u64) -> anyhow::Result<()> {
    let district = bench_district(sizes.edges, sizes.venues, sizes.rentals, sizes.teams, seed);
    let config = PlanningConfig::default();
    let risk = RiskModel::new(
        &config,
        district.date,
        district.d.frame,
        &[],
        &district.findings,
    );
    // One cache for every run, as the server keeps one: the plan before fills it.
    let routing = RoutingCache::default();
    let day = |adjust: &DayAdjustments, revising: &Revising, solve: SolveOptions| -> DayPlan {
        district.day(&config, &risk, solve, adjust, revising, &routing)
    };
    let budget = |s: f64| SolveOptions {
        seed,
        time_limit: Some(Duration::from_secs_f64(s)),
        iteration_limit: None,
        threads: 2,
    };
    let none = DayAdjustments::default();
    let before = day(&none, &Revising::default(), budget(base_seconds)).plan;
    let b = &before.summary;
    println!(
        "plan before the action ({base_seconds} s search): {} candidates, {} stops, score {:.2}, build {:.2} s",
        b.candidates, b.stops, b.score, b.build_seconds
    );
    // The action: the first stop of the busiest route moved to the team after it.
    let busiest = before
        .routes
        .iter()
        .enumerate()
        .max_by_key(|(_, r)| r.stops.len())
        .map(|(i, _)| i)
        .ok_or_else(|| anyhow::anyhow!("the plan has no routes"))?;
    let from = &before.routes[busiest];
    let to = &before.routes[(busiest + 1) % before.routes.len()];
    let Target::Venue(venue) = from.stops[0].target else {
        anyhow::bail!("the first stop is not a venue");
    };
    println!(
        "action: move venue {venue} ({}) from {} to {}",
        from.stops[0].name, from.team, to.team
    );
    let change = Adjustment::Move {
        venue_id: venue,
        team_id: to.team_id,
    };
    let adjust = DayAdjustments::of(&[(1, change.clone())]);
    // As the server revises after an action: only the routes it touches are planned again.
    let touched = crate::workflow::dispatch::touched_teams(&change, &before).unwrap_or_default();
    println!(
        "re-planned: {} of {} routes; the others are kept as they are",
        touched.len(),
        before.routes.len()
    );
    let warm = Revising {
        previous: Some(&before),
        keep: before
            .routes
            .iter()
            .map(|r| r.team_id)
            .filter(|t| !touched.contains(t))
            .collect(),
        ..Default::default()
    };
    let t = Instant::now();
    let first = day(
        &adjust,
        &warm,
        SolveOptions {
            time_limit: None,
            iteration_limit: Some(1),
            ..budget(1.0)
        },
    );
    println!(
        "first feasible answer (warm start, one search iteration): {:.2} s wall ({:.2} s build), score {:.2}, moved stop served by {}: {}",
        t.elapsed().as_secs_f64(),
        first.plan.summary.build_seconds,
        first.plan.summary.score,
        to.team,
        served_by(&first, venue, to.team_id)
    );
    println!(
        "budget_s  build_s  warm_score  warm_stops  warm_wall_s  moved_ok  cold_score  cold_stops  cold_wall_s"
    );
    for &s in seconds {
        let t = Instant::now();
        let w = day(&adjust, &warm, budget(s));
        let warm_s = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let c = day(&adjust, &Revising::default(), budget(s));
        let cold_s = t.elapsed().as_secs_f64();
        println!(
            "{s:>8}  {:>7.2}  {:>10.2}  {:>10}  {warm_s:>11.2}  {:>8}  {:>10.2}  {:>10}  {cold_s:>11.2}",
            w.plan.summary.build_seconds,
            w.plan.summary.score,
            w.plan.summary.stops,
            served_by(&w, venue, to.team_id),
            c.plan.summary.score,
            c.plan.summary.stops
        );
    }
    Ok(())
}

fn served_by(day: &DayPlan, venue: i64, team: i64) -> bool {
    day.plan
        .routes
        .iter()
        .any(|r| r.team_id == team && r.stops.iter().any(|s| s.target == Target::Venue(venue)))
}
