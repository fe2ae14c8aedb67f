//! Insertion: add the unrouted stop with the best ratio of score to the time it adds, at its best
//! place, until nothing fits (Vansteenwegen et al. 2009 use score² / shift). Mandatory stops go
//! first. A little noise on the ratio lets restarts explore different fillings.

use super::plan::Plan;
use super::problem::Problem;
use super::rng::Rng;
use super::route::{Insertion, Route};
use std::time::Instant;

/// Fills the plan; returns how many stops went in.
/// Stops early (with a feasible, partly filled plan) once `deadline` has passed.
pub fn fill(
    plan: &mut Plan,
    p: &Problem,
    rng: &mut Rng,
    noise: f64,
    deadline: Option<Instant>,
) -> usize {
    let all: Vec<usize> = (0..plan.routes.len()).collect();
    fill_routes(plan, p, rng, noise, deadline, &all)
}

/// The same, trying only `routes`: after a move changed a few routes of a full plan, only they
/// can have room, and looking at every route for every stop would dominate the search on
/// district-sized problems.
pub fn fill_routes(
    plan: &mut Plan,
    p: &Problem,
    rng: &mut Rng,
    noise: f64,
    deadline: Option<Instant>,
    only: &[usize],
) -> usize {
    let routes = plan.routes.len();
    let stops = p.stops.len();
    // The best insertion of each stop into each route, recomputed only for routes that changed.
    let mut cache: Vec<Option<(f64, Insertion)>> = vec![None; stops * routes];
    let mut stale = vec![false; routes];
    for &r in only {
        stale[r] = true;
    }
    let mut jitter: Vec<f64> = (0..stops)
        .map(|_| 1.0 + noise * (2.0 * unit(rng) - 1.0))
        .collect();
    let mut inserted = 0;
    while deadline.is_none_or(|d| Instant::now() < d) {
        for r in 0..routes {
            if !stale[r] {
                continue;
            }
            stale[r] = false;
            let route = &plan.routes[r];
            for s in 0..stops {
                cache[s * routes + r] = if plan.routed[s] || !p.can_serve(route.team, s) {
                    None
                } else {
                    best_in_route(plan, p, r, s).map(|ins| (ratio(p, &ins) * jitter[s], ins))
                };
            }
        }
        let best = (0..stops)
            .filter(|s| !plan.routed[*s])
            .flat_map(|s| cache[s * routes..(s + 1) * routes].iter().flatten())
            .max_by(|a, b| {
                a.0.total_cmp(&b.0)
                    .then(b.1.stop.cmp(&a.1.stop))
                    .then(b.1.route.cmp(&a.1.route))
            });
        let Some(&(_, ins)) = best else { break };
        plan.insert(p, ins.route, ins.position, ins.stop);
        stale[ins.route] = true;
        jitter[ins.stop] = 1.0;
        inserted += 1;
    }
    inserted
}

/// Serves the mandatory stops no route could take as it is by dropping optional ones: for
/// each, the route (of those allowed to serve it) that loses the least score when its
/// lowest-scoring optional stops are taken out, one by one, until the mandatory stop fits.
/// A dispatcher's pin into a full route is honoured this way rather than reported unserved.
/// Returns how many mandatory stops went in.
pub fn make_room_for_mandatory(plan: &mut Plan, p: &Problem) -> usize {
    let waiting: Vec<usize> = (0..p.stops.len())
        .filter(|s| p.stops[*s].mandatory && !plan.routed[*s])
        .collect();
    let mut served = 0;
    for stop in waiting {
        let mut best: Option<(i64, usize, Route, Vec<usize>)> = None;
        for r in 0..plan.routes.len() {
            if !p.can_serve(plan.routes[r].team, stop) {
                continue;
            }
            let mut route = plan.routes[r].clone();
            let mut dropped = Vec::new();
            let mut lost = 0;
            let fits = loop {
                if (0..=route.len()).any(|pos| route.try_insert(p, r, stop, pos).is_some()) {
                    break true;
                }
                let cheapest = (0..route.len())
                    .filter(|i| !p.stops[route.stops[*i]].mandatory)
                    .min_by_key(|i| (p.stops[route.stops[*i]].score, route.stops[*i]));
                let Some(i) = cheapest else { break false };
                let s = route.stops.remove(i);
                route.recompute(p);
                lost += p.stops[s].score;
                dropped.push(s);
            };
            if fits && best.as_ref().is_none_or(|b| lost < b.0) {
                best = Some((lost, r, route, dropped));
            }
        }
        if let Some((_, r, route, dropped)) = best {
            plan.routes[r] = route;
            for s in dropped {
                plan.routed[s] = false;
            }
            if let Some(ins) = best_in_route(plan, p, r, stop) {
                plan.insert(p, r, ins.position, stop);
                served += 1;
            }
        }
    }
    served
}

/// The cheapest feasible place for `stop` in route `r`.
pub fn best_in_route(plan: &Plan, p: &Problem, r: usize, stop: usize) -> Option<Insertion> {
    let route = &plan.routes[r];
    (0..=route.len())
        .filter_map(|pos| route.try_insert(p, r, stop, pos))
        .min_by_key(|ins| (ins.shift, ins.added_travel))
}

/// Mandatory stops outrank any optional one.
fn ratio(p: &Problem, ins: &Insertion) -> f64 {
    let stop = &p.stops[ins.stop];
    let score = stop.score.max(0) as f64;
    let base = (score * score + 1.0) / (ins.shift.max(1) as f64);
    if stop.mandatory { base + 1e18 } else { base }
}

fn unit(rng: &mut Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
}
