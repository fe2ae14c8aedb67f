//! Dispatch as whole steps, the one place the CLI, the server's schedule and its handlers make
//! and change plans: plan a day, apply a dispatcher's change and re-optimise, publish, re-plan
//! a team from where it is, and take a team's word on a stop. The rules are
//! `planning::day` and `planning::adjust`; this loads what they need and keeps what they decide.

use crate::model::{FollowUpStatus, LonLat};
use crate::planning::adjust::{Adjustment, DayAdjustments};
use crate::planning::day::{DayInputs, Revising, plan_day};
use crate::planning::dispatch::Streets;
use crate::planning::plan::{PatrolPlan, PlannedStop, Target};
use crate::planning::shift_clock;
use crate::planning::teams::{Duty, Team};
use crate::planning::{PlanningConfig, RiskModel};
use crate::routing::RoutingCache;
use crate::routing::optimiser::SolveOptions;
use crate::store::{PlanMade, StopEvent, Store, StoreError};
use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// Why a dispatch step could not be taken; each names what the caller must change.
#[derive(Debug, thiserror::Error)]
pub enum DispatchError {
    #[error("no inspection teams: give a teams file with --teams (see README, \"Teams\")")]
    NoTeams,
    #[error("the store has no streets: import an OSM extract first")]
    NoStreets,
    #[error("no inspection plan for {0} yet: make a draft first")]
    NoPlan(NaiveDate),
    #[error("no team with id {0}")]
    UnknownTeam(i64),
    #[error("no venue with id {0}")]
    UnknownVenue(i64),
    #[error("team {0}'s route is locked by the dispatcher: unlock it to re-plan")]
    Locked(i64),
    /// A team reporting on a stop that is not on its published route.
    #[error("{0}")]
    NotOnRoute(String),
    #[error("field `{field}`: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub type Result<T> = std::result::Result<T, DispatchError>;

/// One revision to make of a day's inspection plan.
#[derive(Debug, Clone)]
pub struct Revise {
    pub date: NaiveDate,
    pub solve: SolveOptions,
    pub made: PlanMade,
    /// The district's time now, for a day under way (teams out go on from where they are);
    /// None when the day is planned ahead or pinned (`serve --date` without `--now`).
    pub now: Option<NaiveDateTime>,
    /// A team re-planning the rest of its shift; the other routes stay as they are.
    pub replan: Option<Replan>,
    /// The dispatcher's action this revision follows: only the routes it touches are planned
    /// again (a published day's other teams keep theirs, so their phones see no change).
    pub after: Option<Adjustment>,
}

/// A team's re-plan: from `at`, at `time`.
#[derive(Debug, Clone, Copy)]
pub struct Replan {
    pub team_id: i64,
    pub at: LonLat,
    pub time: NaiveDateTime,
}

/// Seconds from the plan day's local midnight (past 86,400 after midnight).
fn day_seconds(date: NaiveDate, at: NaiveDateTime) -> i64 {
    (at - date.and_time(chrono::NaiveTime::MIN)).num_seconds()
}

/// Makes a revision of a day's inspection plan with every active dispatcher action, starting
/// from the newest revision (for a re-plan, the published one the team works from), and keeps
/// it. Stops a team recorded or skipped stay at the head of its route.
pub fn revise(
    store: &mut Store,
    config: &PlanningConfig,
    teams: &[Team],
    r: &Revise,
    routing: &RoutingCache,
) -> Result<PatrolPlan> {
    let teams: Vec<Team> = teams
        .iter()
        .filter(|t| t.duty == Duty::Inspection)
        .cloned()
        .collect();
    if teams.is_empty() {
        return Err(DispatchError::NoTeams);
    }
    let edges = store.street_edges()?;
    if edges.is_empty() {
        return Err(DispatchError::NoStreets);
    }
    let actions: Vec<(i64, Adjustment)> = store
        .dispatch_actions(r.date, Duty::Inspection)?
        .into_iter()
        .map(|a| (a.id, a.change))
        .collect();
    let adjust = DayAdjustments::of(&actions);
    let newest = store.plan_for(r.date, Duty::Inspection)?;
    let base = match r.replan {
        Some(_) => store
            .published_plan_for(r.date, Duty::Inspection)?
            .or(newest.clone()),
        None => newest.clone(),
    };
    let behind = stops_behind(store, base.as_ref(), &teams)?;
    let mut starts = HashMap::new();
    if let Some(now) = r.now {
        let now_s = day_seconds(r.date, now);
        for t in adjust.teams_today(&teams) {
            if t.shift.start < now_s && now_s < t.shift.end {
                let from = behind
                    .get(&t.id)
                    .and_then(|h| h.last())
                    .map_or((t.depot, now_s), |s| (s.at, s.departure_s.max(now_s)));
                starts.insert(t.id, from);
            }
        }
    }
    let mut keep = HashSet::new();
    if let (Some(change), Some(base)) = (&r.after, &base)
        && let Some(touched) = touched_teams(change, base)
    {
        keep.extend(
            base.routes
                .iter()
                .map(|x| x.team_id)
                .filter(|t| !touched.contains(t)),
        );
    }
    if let Some(replan) = r.replan {
        if !teams.iter().any(|t| t.id == replan.team_id) {
            return Err(DispatchError::UnknownTeam(replan.team_id));
        }
        let Some(base) = &base else {
            return Err(DispatchError::NoPlan(r.date));
        };
        if adjust.locked.contains(&replan.team_id) {
            return Err(DispatchError::Locked(replan.team_id));
        }
        starts.insert(
            replan.team_id,
            (replan.at, day_seconds(r.date, replan.time)),
        );
        keep.extend(
            base.routes
                .iter()
                .map(|r| r.team_id)
                .filter(|t| *t != replan.team_id),
        );
    }
    let venues = store.venues()?;
    let city = store.city_index()?;
    let blind_spots: Vec<_> = store
        .blind_spots()?
        .into_iter()
        .map(|b| (b.at, b.severity))
        .collect();
    let findings = store.findings(r.date)?;
    let histories = store.venue_histories(r.date)?;
    let follow_ups = store.follow_ups(Some(FollowUpStatus::Open))?;
    let sent_back = store.sent_back(None)?;
    let risk = RiskModel::new(config, r.date, city.frame, &blind_spots, &findings);
    let revising = Revising {
        previous: base.as_ref(),
        behind,
        starts,
        keep,
    };
    let day = plan_day(&DayInputs {
        config,
        date: r.date,
        venues: &venues,
        histories: &histories,
        follow_ups: &follow_ups,
        sent_back: &sent_back,
        risk: &risk,
        teams: &teams,
        streets: Streets {
            edges: &edges,
            index: &city.streets,
            frame: &city.frame,
        },
        options: r.solve,
        adjust: &adjust,
        revising: &revising,
        routing,
    });
    let mut plan = day.plan;
    store.save_risk(r.date, &day.scores)?;
    let base_published = base
        .as_ref()
        .and_then(|b| store.plan_state(b.id).ok().flatten())
        .is_some_and(|s| s.status == "published");
    let made = PlanMade {
        publish: r.made.publish || (r.replan.is_some() && base_published),
        ..r.made
    };
    plan.id = store.save_plan(&plan, &made)?;
    // A re-plan published from the published revision must not bury a newer draft: the draft
    // is saved again on top, with this team's new route in it.
    if let (Some(replan), Some(draft)) = (r.replan, newest)
        && made.publish
        && base.as_ref().is_some_and(|b| b.id != draft.id)
    {
        let mut draft = draft;
        draft.routes.retain(|x| x.team_id != replan.team_id);
        draft.routes.extend(
            plan.routes
                .iter()
                .filter(|x| x.team_id == replan.team_id)
                .cloned(),
        );
        draft.routes.sort_by(|a, b| a.team.cmp(&b.team));
        store.save_plan(
            &draft,
            &PlanMade {
                publish: false,
                ..made
            },
        )?;
    }
    Ok(plan)
}

/// The teams whose routes an action can change, None for all: a move concerns the team that
/// has the venue and the one it goes to; an absence, a pin to the day of a venue no route has,
/// an ad-hoc stop for any team can go anywhere.
pub fn touched_teams(change: &Adjustment, base: &PatrolPlan) -> Option<HashSet<i64>> {
    let holder = |venue: i64| {
        base.routes
            .iter()
            .filter(|r| r.stops.iter().any(|s| s.target == Target::Venue(venue)))
            .map(|r| r.team_id)
            .collect::<HashSet<i64>>()
    };
    match change {
        Adjustment::Pin {
            venue_id,
            team_id: Some(t),
        }
        | Adjustment::Move {
            venue_id,
            team_id: t,
        } => Some(holder(*venue_id).into_iter().chain([*t]).collect()),
        Adjustment::Adhoc {
            venue_id,
            team_id: Some(t),
            ..
        } => Some(
            venue_id
                .map(holder)
                .unwrap_or_default()
                .into_iter()
                .chain([*t])
                .collect(),
        ),
        Adjustment::Pin {
            venue_id,
            team_id: None,
        } => Some(holder(*venue_id)).filter(|h| !h.is_empty()),
        Adjustment::Exclude { venue_id, .. } => Some(holder(*venue_id)),
        Adjustment::Team { team_id, .. } | Adjustment::Unlock { team_id } => {
            Some([*team_id].into())
        }
        Adjustment::Lock { .. } => Some(HashSet::new()),
        Adjustment::Absent { .. } | Adjustment::Adhoc { .. } => None,
    }
}

/// Per team, the stops of `plan` it has behind it: recorded within its shift's
/// record window, or skipped. In route order.
fn stops_behind(
    store: &Store,
    plan: Option<&PatrolPlan>,
    teams: &[Team],
) -> Result<HashMap<i64, Vec<PlannedStop>>> {
    let mut out = HashMap::new();
    let Some(plan) = plan else {
        return Ok(out);
    };
    let statuses = stop_statuses(store, plan, teams)?;
    for route in &plan.routes {
        let head: Vec<PlannedStop> = route
            .stops
            .iter()
            .filter(|s| {
                statuses
                    .get(&(route.team_id, s.target))
                    .is_some_and(|st| st.status == "done" || st.status == "skipped")
            })
            .cloned()
            .collect();
        if !head.is_empty() {
            out.insert(route.team_id, head);
        }
    }
    Ok(out)
}

/// Where a stop stands today.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StopStatus {
    /// `pending`, `arrived`, `done` (an inspection was recorded) or `skipped`.
    pub status: &'static str,
    pub skip_reason: Option<String>,
    pub note: Option<String>,
}

/// The status of every stop of `plan` by (team, target): done when the team recorded the
/// venue within its shift's record window, else the team's latest word on it.
pub fn stop_statuses(
    store: &Store,
    plan: &PatrolPlan,
    teams: &[Team],
) -> Result<HashMap<(i64, Target), StopStatus>> {
    let events = store.stop_events(plan.date)?;
    let mut out = HashMap::new();
    for route in &plan.routes {
        let recorded: HashSet<i64> = match teams.iter().find(|t| t.id == route.team_id) {
            Some(t) => {
                let (from, to) =
                    shift_clock::shift_window(plan.date, shift_clock::record_shift(t.shift));
                store
                    .venues_recorded_between(t.id, from, to)?
                    .into_iter()
                    .collect()
            }
            None => HashSet::new(),
        };
        for s in &route.stops {
            let latest = events
                .iter()
                .rev()
                .find(|e| e.team_id == route.team_id && e.target == s.target);
            let status = match (s.target, latest) {
                (Target::Venue(v), _) if recorded.contains(&v) => StopStatus {
                    status: "done",
                    skip_reason: None,
                    note: None,
                },
                (_, Some(e)) => StopStatus {
                    status: if e.status == "skipped" {
                        "skipped"
                    } else {
                        "arrived"
                    },
                    skip_reason: e.reason.clone(),
                    note: e.note.clone(),
                },
                (_, None) => StopStatus {
                    status: "pending",
                    skip_reason: None,
                    note: None,
                },
            };
            out.insert((route.team_id, s.target), status);
        }
    }
    Ok(out)
}

/// Checks a dispatcher's change against the store (the venue and team exist) and keeps it.
pub fn add_action(store: &mut Store, date: NaiveDate, change: &Adjustment, by: i64) -> Result<i64> {
    change.validate().map_err(|e| DispatchError::Invalid {
        field: e.field,
        message: e.message,
    })?;
    let (venue, team) = change.names();
    if let Some(t) = team
        && !store
            .teams()?
            .iter()
            .any(|x| x.id == t && x.duty == Duty::Inspection)
    {
        return Err(DispatchError::UnknownTeam(t));
    }
    if let Some(v) = venue
        && !store.venue_exists(v)?
    {
        return Err(DispatchError::UnknownVenue(v));
    }
    if store.plan_head(date, Duty::Inspection, false)?.is_none() {
        return Err(DispatchError::NoPlan(date));
    }
    Ok(store.add_dispatch_action(date, Duty::Inspection, change, by)?)
}

/// Keeps a team's word on a stop of its published plan, once per client UUID. Checks that the
/// stop is on the team's published route and the reason is one the district lists.
pub fn record_stop_event(
    store: &mut Store,
    config: &PlanningConfig,
    event: &StopEvent,
    by: i64,
) -> Result<(i64, bool)> {
    let invalid = |field, message: String| DispatchError::Invalid { field, message };
    match event.status.as_str() {
        "arrived" => {}
        "skipped" => {
            let reason = event.reason.as_deref().unwrap_or("");
            if !config.dispatch.skip_reasons.iter().any(|r| r == reason) {
                return Err(invalid(
                    "reason",
                    format!(
                        "{reason:?} is not a skip reason (one of {})",
                        config.dispatch.skip_reasons.join(", ")
                    ),
                ));
            }
            let note = event.note.as_deref().unwrap_or("").trim();
            if reason == "other" && note.is_empty() {
                return Err(invalid("note", "a skip for `other` needs a note".into()));
            }
        }
        other => {
            return Err(invalid(
                "status",
                format!("{other:?} is not `arrived` or `skipped`"),
            ));
        }
    }
    if event
        .note
        .as_deref()
        .is_some_and(|n| n.chars().count() > 500)
    {
        return Err(invalid("note", "at most 500 characters".into()));
    }
    let plan = store
        .published_plan_for(event.date, Duty::Inspection)?
        .ok_or(DispatchError::NoPlan(event.date))?;
    let on_route = plan
        .routes
        .iter()
        .any(|r| r.team_id == event.team_id && r.stops.iter().any(|s| s.target == event.target));
    if !on_route {
        return Err(DispatchError::NotOnRoute(format!(
            "{} {} is not on team {}'s published route for {}",
            event.target.kind(),
            event.target.id(),
            event.team_id,
            event.date
        )));
    }
    Ok(store.record_stop_event(event, by)?)
}
