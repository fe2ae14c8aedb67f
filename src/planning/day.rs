//! The daily inspection plan: score every venue, decide which may be visited today and why not,
//! make due follow-ups mandatory, keep the day's highest-risk candidates, and dispatch the teams.

use super::adjust::DayAdjustments;
use super::config::PlanningConfig;
use super::dispatch::{Job, Resume, Streets, dispatch};
use super::hours::{Shift, open_during, parse_opening_hours, service_windows};
use super::plan::{
    LeftOut, LeftOutReason, PatrolPlan, PatrolRoute, PlanSummary, PlannedStop, Target,
};
use super::risk::{RiskModel, RiskScore, VenueHistory};
use super::teams::{Duty, Team};
use crate::model::LonLat;
use crate::model::{FollowUp, FollowUpStatus, Venue, VenueStatus};
use crate::routing::optimiser::SolveOptions;
use chrono::NaiveDate;
use serde_json::json;
use std::collections::{HashMap, HashSet};
use std::time::Instant;

pub struct DayInputs<'a> {
    pub config: &'a PlanningConfig,
    pub date: NaiveDate,
    pub venues: &'a [Venue],
    pub histories: &'a HashMap<i64, VenueHistory>,
    /// Follow-ups; only open ones count.
    pub follow_ups: &'a [FollowUp],
    /// Records a manager sent back and no visit has redone yet.
    pub sent_back: &'a [SentBack],
    pub risk: &'a RiskModel<'a>,
    /// Inspection teams (lighting crews are planned apart).
    pub teams: &'a [Team],
    pub streets: Streets<'a>,
    pub options: SolveOptions,
    /// The dispatcher's changes for the day.
    pub adjust: &'a DayAdjustments,
    /// The plan being revised and what the teams already did; default for a first plan.
    pub revising: &'a Revising<'a>,
    /// Street graphs and travel tables kept from earlier plans of the same network.
    pub routing: &'a crate::routing::RoutingCache,
}

/// A record a manager sent back (rejected): its venue is visited again, by its own team when
/// that team is out today, as a mandatory stop that carries the manager's reason.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SentBack {
    pub inspection_id: i64,
    /// The record's client UUID.
    pub uuid: String,
    pub venue_id: i64,
    pub team_id: Option<i64>,
    pub reason: Option<String>,
    /// The reviewer's account name, and when.
    pub by: Option<String>,
    pub at: String,
}

/// A revision of a day's plan: the plan it revises, and where the teams stand.
#[derive(Debug, Default)]
pub struct Revising<'a> {
    /// Its routes are where the search starts; its locked routes are kept as they are.
    pub previous: Option<&'a PatrolPlan>,
    /// Per team id, the stops behind it today (recorded or skipped), in order: they stay at
    /// the head of its route and are not planned again.
    pub behind: HashMap<i64, Vec<PlannedStop>>,
    /// Per team id, where and when (plan-day seconds) it goes on from.
    pub starts: HashMap<i64, (LonLat, i64)>,
    /// Teams whose routes stay as they are this time (another team is re-planning), without
    /// being locked.
    pub keep: HashSet<i64>,
}

pub struct DayPlan {
    pub plan: PatrolPlan,
    /// Every venue scored today (active and suspended), for the store and the map.
    pub scores: Vec<(i64, RiskScore)>,
}

/// Whether an open follow-up must be served in a plan for `date`.
/// An escalated one is due whatever its deadline: a unit was told to act on it.
pub fn is_due(f: &FollowUp, date: NaiveDate, lead_days: i64) -> bool {
    f.status == FollowUpStatus::Open && (f.level > 0 || (f.deadline - date).num_days() <= lead_days)
}

pub fn plan_day(input: &DayInputs) -> DayPlan {
    let started = Instant::now();
    let config = input.config;
    let adjust = input.adjust;
    let previous = input.revising.previous;
    // A locked team keeps the route it has; the others are planned (an unplanned team has
    // nothing to keep, so locking it changes nothing).
    let mut locked_routes = Vec::new();
    let teams: Vec<Team> = adjust
        .teams_today(input.teams)
        .into_iter()
        .filter(|t| t.duty == Duty::Inspection)
        .filter(|t| {
            let locked = adjust.locked.contains(&t.id);
            let kept = (locked || input.revising.keep.contains(&t.id))
                .then(|| previous.and_then(|p| p.routes.iter().find(|r| r.team_id == t.id)));
            match kept.flatten() {
                Some(r) => {
                    locked_routes.push(PatrolRoute {
                        locked,
                        ..r.clone()
                    });
                    false
                }
                None => true,
            }
        })
        .collect();
    let taken: HashSet<Target> = locked_routes
        .iter()
        .flat_map(|r| r.stops.iter())
        .chain(input.revising.behind.values().flatten())
        .map(|s| s.target)
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
    let sent_back: HashMap<i64, &SentBack> =
        input.sent_back.iter().map(|b| (b.venue_id, b)).collect();
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
        if taken.contains(&Target::Venue(v.id)) {
            continue;
        }
        if let Some(reason) = adjust.excluded.get(&v.id) {
            left_out.push(leave(LeftOutReason::Excluded, reason.clone()));
            continue;
        }
        let pin = adjust.pinned.get(&v.id).copied();
        let follow_ups = due.get(&v.id);
        let back = sent_back.get(&v.id).copied();
        let mandatory = follow_ups.is_some() || pin.is_some() || back.is_some();
        // A dispatcher's pin first; else the team that made the record sent back, if out today.
        let team = pin.flatten().or_else(|| {
            back.and_then(|b| b.team_id)
                .filter(|t| teams.iter().any(|x| x.id == *t))
        });
        if v.status == VenueStatus::Suspended && !mandatory {
            left_out.push(leave(
                LeftOutReason::Suspended,
                "suspended until a manager clears it".into(),
            ));
            continue;
        }
        let service = adjust
            .service_s
            .get(&v.id)
            .copied()
            .unwrap_or(config.service_minutes.get(v.kind) * 60);
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
            team,
            reason: json!({
                "risk": risk.score,
                "terms": risk.terms,
                "follow_ups": follow_up_reason,
                "hours_note": hours_note,
                "pinned": pin.map(|team| json!({ "team_id": team })),
                "sent_back": back.map(|b| json!({
                    "uuid": b.uuid, "reason": b.reason, "by": b.by, "at": b.at,
                })),
            }),
        });
    }
    for p in &adjust.points {
        if taken.contains(&Target::Point(p.id)) {
            continue;
        }
        let service = p.service_s.unwrap_or(config.dispatch.adhoc_minutes * 60);
        let windows = service_windows(&[(hull.start, hull.end)], service);
        if windows.is_empty() {
            left_out.push(LeftOut {
                target: Target::Point(p.id),
                name: p.note.clone(),
                reason: LeftOutReason::ShutDuringShift,
                detail: format!("no shift today has {} min for it", service / 60),
            });
            continue;
        }
        jobs.push(Job {
            target: Target::Point(p.id),
            name: p.note.clone(),
            category: "adhoc".into(),
            at: p.at,
            score: 0.0,
            service_s: service,
            windows,
            units: Vec::new(),
            mandatory: true,
            team: p.team_id,
            reason: json!({ "adhoc": p.note }),
        });
    }
    // The stops the revised plan had on the routes planned again stay candidates whatever the
    // cut: the search starts from them, and a smaller pool must not lose them.
    let planned_before: HashSet<Target> = previous
        .iter()
        .flat_map(|p| &p.routes)
        .filter(|r| teams.iter().any(|t| t.id == r.team_id))
        .flat_map(|r| r.stops.iter().map(|s| s.target))
        .collect();
    let candidates =
        keep_candidate_pool(jobs, &teams, config, &planned_before, &mut left_out, "risk");
    let mut summary = PlanSummary {
        candidates: candidates.len(),
        mandatory: candidates.iter().filter(|j| j.mandatory).count(),
        ..Default::default()
    };
    let prepared = started.elapsed().as_secs_f64();
    let resume = Resume {
        previous: previous
            .iter()
            .flat_map(|p| &p.routes)
            .map(|r| (r.team_id, r.stops.iter().map(|s| s.target).collect()))
            .collect(),
        starts: input.revising.starts.clone(),
    };
    let dispatched = dispatch(
        candidates,
        &teams,
        input.streets,
        &input.options,
        &resume,
        input.routing,
    );
    left_out.extend(dispatched.left_out);
    left_out.sort_by(|a, b| {
        a.reason
            .cmp(&b.reason)
            .then(a.target.id().cmp(&b.target.id()))
    });
    let routes = with_heads(
        dispatched.routes,
        &input.revising.behind,
        input.teams,
        locked_routes,
    );
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
    summary.check_failures = dispatched.check_failures;
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

/// The routes with the stops behind each team put back at their head, a route for a team
/// that has only those, and the locked routes; in team order.
fn with_heads(
    mut routes: Vec<PatrolRoute>,
    behind: &HashMap<i64, Vec<PlannedStop>>,
    teams: &[Team],
    locked: Vec<PatrolRoute>,
) -> Vec<PatrolRoute> {
    for (team_id, head) in behind {
        if head.is_empty() || locked.iter().any(|r| r.team_id == *team_id) {
            continue;
        }
        let i = match routes.iter().position(|r| r.team_id == *team_id) {
            Some(i) => i,
            None => {
                let Some(t) = teams.iter().find(|t| t.id == *team_id) else {
                    continue;
                };
                routes.push(PatrolRoute {
                    team_id: t.id,
                    team: t.name.clone(),
                    mode: t.mode.as_str().to_string(),
                    start_s: t.shift.start,
                    end_s: head.last().map_or(t.shift.start, |s| s.departure_s),
                    stops: Vec::new(),
                    path: Vec::new(),
                    score: 0.0,
                    travel_s: 0,
                    locked: false,
                });
                routes.len() - 1
            }
        };
        let route = &mut routes[i];
        let rest = std::mem::take(&mut route.stops);
        route.stops = head.iter().cloned().chain(rest).collect();
        for (k, s) in route.stops.iter_mut().enumerate() {
            s.seq = k + 1;
        }
        route.start_s = route.start_s.min(head[0].arrival_s);
        route.score = route.stops.iter().map(|s| s.score).sum();
    }
    routes.extend(locked);
    routes.sort_by(|a, b| a.team.cmp(&b.team));
    routes
}

/// Keeps every mandatory job and the highest-scoring others, as many as the configured multiple
/// of what the teams could serve today; the rest are left out with the cut that excluded them.
/// `score_name` names the score in that explanation ("risk", "deficit removed (lx)").
pub(super) fn keep_candidate_pool(
    mut jobs: Vec<Job>,
    teams: &[Team],
    config: &PlanningConfig,
    planned_before: &HashSet<Target>,
    left_out: &mut Vec<LeftOut>,
    score_name: &str,
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
    let kept = |j: &Job| j.mandatory || planned_before.contains(&j.target);
    jobs.sort_by(|a, b| {
        kept(b)
            .cmp(&kept(a))
            .then(b.score.total_cmp(&a.score))
            .then(a.target.id().cmp(&b.target.id()))
    });
    let mandatory = jobs.iter().filter(|j| kept(j)).count();
    let keep = mandatory.max(pool).min(jobs.len());
    // The cut is the lowest score that made the pool on its own merit.
    let cut = jobs[..keep]
        .iter()
        .filter(|j| !kept(j))
        .map(|j| j.score)
        .reduce(f64::min)
        .or(jobs.get(keep.saturating_sub(1)).map(|j| j.score))
        .unwrap_or(0.0);
    for j in jobs.drain(keep..) {
        left_out.push(LeftOut {
            target: j.target,
            name: j.name,
            reason: LeftOutReason::BelowCandidateCut,
            detail: format!(
                "{score_name} {:.2} below the day's cut {cut:.2} ({keep} candidates for about {capacity:.0} stops)",
                j.score
            ),
        });
    }
    jobs
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}
