//! The daily inspection plan: score every venue, decide which may be visited today and why not,
//! make due follow-ups mandatory, keep the day's highest-risk candidates, and dispatch the teams.

use super::config::PlanningConfig;
use super::dispatch::{Job, Streets, dispatch};
use super::hours::{Shift, open_during, parse_opening_hours, service_windows};
use super::plan::{LeftOut, LeftOutReason, PatrolPlan, PlanSummary, Target};
use super::risk::{RiskModel, RiskScore, VenueHistory};
use super::teams::{Duty, Team};
use crate::model::{FollowUp, FollowUpStatus, Venue, VenueStatus};
use crate::routing::optimiser::SolveOptions;
use chrono::NaiveDate;
use serde_json::json;
use std::collections::HashMap;
use std::time::Instant;

pub struct DayInputs<'a> {
    pub config: &'a PlanningConfig,
    pub date: NaiveDate,
    pub venues: &'a [Venue],
    pub histories: &'a HashMap<i64, VenueHistory>,
    /// Follow-ups; only open ones count.
    pub follow_ups: &'a [FollowUp],
    pub risk: &'a RiskModel<'a>,
    /// Inspection teams (lighting crews are planned apart).
    pub teams: &'a [Team],
    pub streets: Streets<'a>,
    pub options: SolveOptions,
}

pub struct DayPlan {
    pub plan: PatrolPlan,
    /// Every venue scored today (active and suspended), for the store and the map.
    pub scores: Vec<(i64, RiskScore)>,
}

/// Whether an open follow-up must be served in a plan for `date`.
pub fn is_due(f: &FollowUp, date: NaiveDate, lead_days: i64) -> bool {
    f.status == FollowUpStatus::Open
        && NaiveDate::parse_from_str(&f.deadline, "%Y-%m-%d")
            .map(|d| (d - date).num_days() <= lead_days)
            .unwrap_or(true)
}

pub fn plan_day(input: &DayInputs) -> DayPlan {
    let started = Instant::now();
    let config = input.config;
    let teams: Vec<Team> = input
        .teams
        .iter()
        .filter(|t| t.duty == Duty::Inspection)
        .cloned()
        .collect();
    let hull = Shift {
        start: teams.iter().map(|t| t.shift.start).min().unwrap_or(0),
        end: teams.iter().map(|t| t.shift.end).max().unwrap_or(0),
    };
    let mut due: HashMap<i64, Vec<&FollowUp>> = HashMap::new();
    for f in input.follow_ups {
        if is_due(f, input.date, config.plan.follow_up_lead_days) {
            due.entry(f.venue_id).or_default().push(f);
        }
    }
    let mut left_out = Vec::new();
    let mut scores = Vec::new();
    let mut jobs = Vec::new();
    let no_history = VenueHistory::default();
    for v in input.venues {
        let leave = |reason, detail: String| LeftOut {
            target: Target::Venue(v.id),
            name: v.name.clone(),
            reason,
            detail,
        };
        if v.status == VenueStatus::Closed {
            left_out.push(leave(
                LeftOutReason::Closed,
                "closed on the registry".into(),
            ));
            continue;
        }
        let history = input.histories.get(&v.id).unwrap_or(&no_history);
        let risk = input.risk.score(v, history);
        scores.push((v.id, risk.clone()));
        let follow_ups = due.get(&v.id);
        let mandatory = follow_ups.is_some();
        if v.status == VenueStatus::Suspended && !mandatory {
            left_out.push(leave(
                LeftOutReason::Suspended,
                "suspended until a manager clears it".into(),
            ));
            continue;
        }
        let service = config.service_minutes.get(v.kind) * 60;
        let visiting = config.visiting_hours.get(v.kind).trim();
        let hours_text = v
            .opening_hours
            .as_deref()
            .or((!visiting.is_empty()).then_some(visiting));
        let (hours, hours_note) = match hours_text.map(parse_opening_hours) {
            Some(Ok(h)) => (Some(h), None),
            Some(Err(e)) => (None, Some(format!("{e}; planned as open all shift"))),
            None => (None, None),
        };
        // A suspended venue is visited to check its seal: its hours no longer apply.
        let open = if v.status == VenueStatus::Suspended {
            vec![(hull.start, hull.end)]
        } else {
            open_during(hours.as_ref(), input.date, hull)
        };
        let windows = service_windows(&open, service);
        if windows.is_empty() {
            left_out.push(leave(
                LeftOutReason::ShutDuringShift,
                format!(
                    "open {:?}; the shifts run {hull} with {} min on site",
                    hours_text.unwrap_or("24/7"),
                    service / 60
                ),
            ));
            continue;
        }
        let follow_up_reason: Vec<_> = follow_ups
            .into_iter()
            .flatten()
            .map(|f| json!({"id": f.id, "action": f.action, "unit": f.responsible_unit, "deadline": f.deadline}))
            .collect();
        jobs.push(Job {
            target: Target::Venue(v.id),
            name: v.name.clone(),
            category: v.kind.as_str().to_string(),
            at: v.position,
            score: risk.score,
            service_s: service,
            windows,
            units: config.required_units.get(v.kind).clone(),
            mandatory,
            reason: json!({
                "risk": risk.score,
                "terms": risk.terms,
                "follow_ups": follow_up_reason,
                "hours_note": hours_note,
            }),
        });
    }
    let candidates = keep_candidate_pool(jobs, &teams, config, &mut left_out);
    let mut summary = PlanSummary {
        candidates: candidates.len(),
        mandatory: candidates.iter().filter(|j| j.mandatory).count(),
        ..Default::default()
    };
    let prepared = started.elapsed().as_secs_f64();
    let dispatched = dispatch(candidates, &teams, input.streets, &input.options);
    left_out.extend(dispatched.left_out);
    left_out.sort_by(|a, b| {
        a.reason
            .cmp(&b.reason)
            .then(a.target.id().cmp(&b.target.id()))
    });
    let routes = dispatched.routes;
    let high = config.plan.high_risk_score;
    let visited: std::collections::HashSet<Target> = routes
        .iter()
        .flat_map(|r| r.stops.iter().map(|s| s.target))
        .collect();
    summary.stops = visited.len();
    summary.mandatory_unserved = left_out
        .iter()
        .filter(|l| l.reason == LeftOutReason::MandatoryDidNotFit)
        .count();
    summary.score = round2(routes.iter().map(|r| r.score).sum());
    summary.travel_s = routes.iter().map(|r| r.travel_s).sum();
    summary.high_risk = scores.iter().filter(|(_, s)| s.score >= high).count();
    summary.high_risk_visited = scores
        .iter()
        .filter(|(id, s)| s.score >= high && visited.contains(&Target::Venue(*id)))
        .count();
    summary.build_seconds = prepared + dispatched.build_seconds;
    summary.contraction_seconds = dispatched.contraction_seconds;
    summary.search_seconds = dispatched.search_seconds;
    summary.iterations = dispatched.iterations;
    DayPlan {
        plan: PatrolPlan {
            id: 0,
            date: input.date,
            duty: Duty::Inspection,
            routes,
            left_out,
            summary,
        },
        scores,
    }
}

/// Keeps every mandatory job and the highest-scoring others, as many as the configured multiple
/// of what the teams could serve today; the rest are left out with the cut that excluded them.
fn keep_candidate_pool(
    mut jobs: Vec<Job>,
    teams: &[Team],
    config: &PlanningConfig,
    left_out: &mut Vec<LeftOut>,
) -> Vec<Job> {
    if jobs.is_empty() {
        return jobs;
    }
    let mean_service = jobs.iter().map(|j| j.service_s as f64).sum::<f64>() / jobs.len() as f64;
    let per_stop = mean_service + config.plan.assumed_travel_minutes * 60.0;
    let capacity: f64 = teams
        .iter()
        .map(|t| (t.shift.seconds() as f64 / per_stop.max(1.0)).floor())
        .sum();
    let pool = (capacity * config.plan.candidate_pool_factor).ceil() as usize;
    jobs.sort_by(|a, b| {
        b.mandatory
            .cmp(&a.mandatory)
            .then(b.score.total_cmp(&a.score))
            .then(a.target.id().cmp(&b.target.id()))
    });
    let mandatory = jobs.iter().filter(|j| j.mandatory).count();
    let keep = mandatory.max(pool).min(jobs.len());
    let cut = jobs.get(keep.saturating_sub(1)).map_or(0.0, |j| j.score);
    for j in jobs.drain(keep..) {
        left_out.push(LeftOut {
            target: j.target,
            name: j.name,
            reason: LeftOutReason::BelowCandidateCut,
            detail: format!(
                "risk {:.2} below the day's cut {cut:.2} ({keep} candidates for about {capacity:.0} stops)",
                j.score
            ),
        });
    }
    jobs
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}
