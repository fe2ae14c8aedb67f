//! Jobs to routes: the one path by which inspection plans and lighting crews reach the optimiser.
//! Snaps jobs and depots to the streets of each travel mode, builds the travel-time matrix, solves,
//! and turns the solution back into timed stops along street paths.

use super::plan::{LeftOut, LeftOutReason, PatrolRoute, PlannedStop, Target};
use super::teams::Team;
use crate::index::SegmentIndex;
use crate::model::{LocalFrame, LonLat, StreetEdge};
use crate::routing::optimiser::{self, Problem, SolveOptions, Stop, TravelTimes};
use crate::routing::{PathFinder, Place, RoutingCache, TICKS_PER_SECOND, TravelMode};
use std::collections::HashMap;
use std::time::Instant;

/// A stop before routing.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub target: Target,
    pub name: String,
    pub category: String,
    pub at: LonLat,
    pub score: f64,
    pub service_s: i64,
    /// Windows on the start of work, plan-day seconds, sorted and disjoint.
    pub windows: Vec<(i64, i64)>,
    pub units: Vec<String>,
    pub mandatory: bool,
    /// The only team (by id) that may serve it: a dispatcher's pin.
    pub team: Option<i64>,
    pub reason: serde_json::Value,
}

/// Where a re-optimisation starts from: the plan being revised, and where teams already out
/// go on from.
#[derive(Debug, Clone, Default)]
pub struct Resume {
    /// Per team id, the stops of the plan being revised, in order: the search starts there.
    pub previous: HashMap<i64, Vec<Target>>,
    /// Per team id, where and when (plan-day seconds) it goes on from: its last stop or its
    /// position now. Its shift end and its depot stay.
    pub starts: HashMap<i64, (LonLat, i64)>,
}

/// The street network the teams travel on.
#[derive(Clone, Copy)]
pub struct Streets<'a> {
    pub edges: &'a [StreetEdge],
    pub index: &'a SegmentIndex,
    pub frame: &'a LocalFrame,
}

#[derive(Debug, Default)]
pub struct Dispatched {
    pub routes: Vec<PatrolRoute>,
    pub left_out: Vec<LeftOut>,
    /// Building the problems: contraction, snapping, travel-time matrices.
    pub build_seconds: f64,
    /// Of which contracting each mode's street graph (done once per network and mode).
    pub contraction_seconds: f64,
    pub search_seconds: f64,
    pub iterations: u64,
    /// What the optimiser's independent check found wrong with a solution: empty unless the
    /// search has a bug (every solution is checked; a finding is logged as an error too).
    pub check_failures: Vec<String>,
}

/// Routes `jobs` with `teams`. Teams travelling the same way share one problem; each mode's
/// teams take what the earlier modes left (modes in the order teams first name them).
pub fn dispatch(
    jobs: Vec<Job>,
    teams: &[Team],
    streets: Streets,
    options: &SolveOptions,
    resume: &Resume,
    routing: &RoutingCache,
) -> Dispatched {
    let mut out = Dispatched::default();
    // Each pending job with the number of modes whose streets it could not join.
    let mut pending: Vec<(Job, usize)> = Vec::with_capacity(jobs.len());
    for job in jobs {
        if let Some(id) = job.team {
            let detail = match teams.iter().find(|t| t.id == id) {
                None => Some("its team is absent or not out today".to_string()),
                Some(t) if !t.has_units(&job.units) => Some(format!(
                    "needs {}; team {} has {}",
                    job.units.join(" + "),
                    t.name,
                    t.units.join(" + ")
                )),
                Some(_) => None,
            };
            match detail {
                Some(d) => {
                    out.left_out
                        .push(left_out(&job, LeftOutReason::PinnedTeamUnavailable, d))
                }
                None => pending.push((job, 0)),
            }
        } else if teams.iter().any(|t| t.has_units(&job.units)) {
            pending.push((job, 0));
        } else {
            out.left_out.push(left_out(
                &job,
                LeftOutReason::NoTeamWithUnits,
                format!("needs {}", job.units.join(" + ")),
            ));
        }
    }
    let mut modes: Vec<TravelMode> = Vec::new();
    for t in teams {
        if !modes.contains(&t.mode) {
            modes.push(t.mode);
        }
    }
    for mode in &modes {
        let group: Vec<&Team> = teams.iter().filter(|t| t.mode == *mode).collect();
        let built = Instant::now();
        let (graph, contracted) = routing.graph(streets.edges, *mode);
        if contracted {
            out.contraction_seconds += built.elapsed().as_secs_f64();
        }
        let place = |at: LonLat| graph.place(at, streets.edges, streets.index, streets.frame);
        let depots: Vec<Option<Place>> = group.iter().map(|t| place(t.depot)).collect();
        let mut places: Vec<Place> = Vec::new();
        let mut job_of_stop: Vec<usize> = Vec::new();
        for (j, (job, misses)) in pending.iter_mut().enumerate() {
            let here = match job.team {
                Some(id) => group.iter().any(|t| t.id == id),
                None => group.iter().any(|t| t.has_units(&job.units)),
            };
            match place(job.at) {
                Some(p) if here => {
                    places.push(p);
                    job_of_stop.push(j);
                }
                Some(_) => {}
                None => *misses += 1,
            }
        }
        let serving: Vec<(usize, &Team)> = group
            .iter()
            .enumerate()
            .filter(|(i, t)| {
                let joined = depots[*i].is_some();
                if !joined {
                    tracing::warn!(
                        "team {}: no {} street within 1 km of its depot; it gets no route",
                        t.name,
                        mode.as_str()
                    );
                }
                joined
            })
            .map(|(i, t)| (i, *t))
            .collect();
        let first_depot = places.len();
        places.extend(serving.iter().filter_map(|(i, _)| depots[*i].clone()));
        // A team already out starts from where it is (its depot if that point has no street).
        let starts: Vec<(usize, i64)> = serving
            .iter()
            .enumerate()
            .map(|(k, (_, t))| {
                let from = resume.starts.get(&t.id);
                let at = from.and_then(|(at, _)| place(*at)).map(|p| {
                    places.push(p);
                    places.len() - 1
                });
                let time = from.map_or(t.shift.start, |(_, s)| (*s).max(t.shift.start));
                (at.unwrap_or(first_depot + k), time)
            })
            .collect();
        let (matrix, row) = routing.table(*mode, &graph, &places);
        let ticks_per_s = TICKS_PER_SECOND as u32;
        let travel = TravelTimes::new(places.len(), |a, b| {
            matrix
                .get(row[a], row[b])
                .map(|t| t.div_ceil(ticks_per_s) as i64)
        });
        let units = Units::of(group.iter().copied(), pending.iter().map(|p| &p.0));
        let problem = Problem {
            stops: job_of_stop
                .iter()
                .map(|&j| {
                    let job = &pending[j].0;
                    Stop {
                        location: 0,
                        score: (job.score * 100.0).round() as i64,
                        service: job.service_s,
                        windows: job.windows.clone(),
                        skills: units.mask(&job.units),
                        mandatory: job.mandatory,
                        team: job
                            .team
                            .and_then(|id| serving.iter().position(|(_, t)| t.id == id)),
                    }
                })
                .enumerate()
                .map(|(i, s)| Stop { location: i, ..s })
                .collect(),
            teams: serving
                .iter()
                .enumerate()
                .map(|(k, (_, t))| optimiser::Team {
                    start: starts[k].0,
                    end: first_depot + k,
                    shift: (starts[k].1.min(t.shift.end), t.shift.end),
                    skills: units.mask(&t.units),
                })
                .collect(),
            travel,
        };
        out.build_seconds += built.elapsed().as_secs_f64();
        if problem.stops.is_empty() || problem.teams.is_empty() {
            continue;
        }
        let stop_of: HashMap<Target, usize> = job_of_stop
            .iter()
            .enumerate()
            .map(|(s, &j)| (pending[j].0.target, s))
            .collect();
        let initial: Vec<Vec<usize>> = serving
            .iter()
            .map(|(_, t)| {
                resume.previous.get(&t.id).map_or_else(Vec::new, |targets| {
                    targets
                        .iter()
                        .filter_map(|x| stop_of.get(x).copied())
                        .collect()
                })
            })
            .collect();
        let report = match optimiser::solve_from(&problem, &initial, options) {
            Ok(r) => r,
            Err(e) => {
                tracing::error!("the {} problem is malformed: {e}", mode.as_str());
                continue;
            }
        };
        out.search_seconds += report.seconds;
        out.iterations += report.iterations;
        let broken = optimiser::check(&problem, &report.solution);
        if !broken.is_empty() {
            tracing::error!(
                "the {} solution fails the independent check: {broken:?}",
                mode.as_str()
            );
        }
        out.check_failures.extend(broken);
        let mut finder = PathFinder::new(&graph, streets.edges);
        let mut served = vec![false; pending.len()];
        for (k, (_, team)) in serving.iter().enumerate() {
            let visits = &report.solution.routes[k];
            let route = timed_route(
                team,
                &problem,
                k,
                visits,
                |s| &pending[job_of_stop[s]].0,
                &places,
                &mut finder,
            );
            for &s in visits {
                served[job_of_stop[s]] = true;
            }
            out.routes.push(route);
        }
        let mut served = served.into_iter();
        pending.retain(|_| !served.next().unwrap_or(false));
    }
    for (job, misses) in &pending {
        let (reason, detail) = if job.team.is_some() && *misses < modes.len() {
            (
                LeftOutReason::PinnedTeamUnavailable,
                "its team's shift could not take it: reschedule by hand".to_string(),
            )
        } else if *misses == modes.len() {
            (
                LeftOutReason::Unreachable,
                "no usable street within 1 km".to_string(),
            )
        } else if job.mandatory {
            (
                LeftOutReason::MandatoryDidNotFit,
                "no shift could take it: reschedule by hand".to_string(),
            )
        } else {
            (
                LeftOutReason::NotSelected,
                format!("score {:.2}: other stops collected more", job.score),
            )
        };
        out.left_out.push(left_out(job, reason, detail));
    }
    out.routes.sort_by(|a, b| a.team.cmp(&b.team));
    out
}

fn left_out(job: &Job, reason: LeftOutReason, detail: String) -> LeftOut {
    LeftOut {
        target: job.target,
        name: job.name.clone(),
        reason,
        detail,
    }
}

/// Unit names as bits of the optimiser's skill sets.
struct Units(Vec<String>);

impl Units {
    fn of<'a>(teams: impl Iterator<Item = &'a Team>, jobs: impl Iterator<Item = &'a Job>) -> Self {
        let mut names: Vec<String> = teams.flat_map(|t| t.units.iter().cloned()).collect();
        names.extend(jobs.flat_map(|j| j.units.iter().cloned()));
        names.sort();
        names.dedup();
        Self(names)
    }

    fn mask(&self, units: &[String]) -> u64 {
        units
            .iter()
            .filter_map(|u| self.0.iter().position(|n| n == u))
            .fold(0, |m, bit| m | 1u64 << bit.min(63))
    }
}

/// The team's day: times at every stop by the earliest-start schedule, and the street path.
fn timed_route<'j>(
    team: &Team,
    problem: &Problem,
    k: usize,
    visits: &[usize],
    job: impl Fn(usize) -> &'j Job,
    places: &[Place],
    finder: &mut PathFinder,
) -> PatrolRoute {
    let t = &problem.teams[k];
    let (mut at, mut clock) = (t.start, t.shift.0);
    let mut stops = Vec::with_capacity(visits.len());
    let mut path: Vec<LonLat> = Vec::new();
    let mut travel_s = 0;
    let mut walk = |from: usize, to: usize, path: &mut Vec<LonLat>| {
        if let Some(leg) = finder.leg(&places[from], &places[to]) {
            let skip = usize::from(path.last() == leg.line.first());
            path.extend(leg.line.into_iter().skip(skip));
        }
    };
    for (seq, &s) in visits.iter().enumerate() {
        let stop = &problem.stops[s];
        let leg = problem.travel.get(at, stop.location);
        walk(at, stop.location, &mut path);
        travel_s += leg;
        let arrival = clock + leg;
        let start = stop
            .windows
            .iter()
            .find(|w| arrival <= w.1)
            .map_or(arrival, |w| arrival.max(w.0));
        clock = start + stop.service;
        let j = job(s);
        stops.push(PlannedStop {
            seq: seq + 1,
            target: j.target,
            name: j.name.clone(),
            category: j.category.clone(),
            at: j.at,
            arrival_s: arrival,
            start_s: start,
            departure_s: clock,
            score: j.score,
            mandatory: j.mandatory,
            reason: j.reason.clone(),
        });
        at = stop.location;
    }
    if !visits.is_empty() {
        walk(at, t.end, &mut path);
        travel_s += problem.travel.get(at, t.end);
        clock += problem.travel.get(at, t.end);
    } else {
        clock = t.shift.0;
    }
    PatrolRoute {
        team_id: team.id,
        team: team.name.clone(),
        mode: team.mode.as_str().to_string(),
        start_s: t.shift.0,
        end_s: clock,
        score: stops.iter().map(|s| s.score).sum(),
        stops,
        path,
        travel_s,
        locked: false,
    }
}
