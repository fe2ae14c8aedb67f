//! The search loop: iterated local search in the manner of Vansteenwegen et al. (2009), with the
//! local-search moves of later TOPTW methods (Gunawan et al. 2017's SAILS, Labadie et al. 2012):
//! fill → improve → shake (remove a run of stops from every route) → fill → improve, keeping the
//! best, and going back to it when the walk has wandered too long without improving.

use super::construct::{fill, make_room_for_mandatory};
use super::moves::{Move, OrOpt, Relocate, Replace, Swap, TwoOpt, local_search};
use super::plan::{Plan, Rank};
use super::problem::Problem;
use super::rng::Rng;
use std::time::Instant;

/// When to stop: after `iterations` (deterministic on any machine) or at `deadline`, whichever
/// comes first.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    pub iterations: Option<u64>,
    pub deadline: Option<Instant>,
}

impl Budget {
    fn spent(&self, iteration: u64) -> bool {
        self.iterations.is_some_and(|n| iteration >= n)
            || self.deadline.is_some_and(|d| Instant::now() >= d)
    }
}

/// Non-improving iterations before the walk goes back to the best plan found.
const RESTART_AFTER: u64 = 60;

pub fn iterated_local_search(
    p: &Problem,
    initial: &[Vec<usize>],
    seed: u64,
    budget: Budget,
) -> (Plan, u64) {
    let mut rng = Rng::new(seed);
    let replace = Replace::new(p);
    let moves: [&dyn Move; 5] = [&TwoOpt, &OrOpt, &Relocate, &Swap, &replace];
    let mut current = Plan::starting_from(p, initial);
    let start = current.clone();
    fill(&mut current, p, &mut rng, 0.0, budget.deadline);
    if make_room_for_mandatory(&mut current, p) > 0 {
        fill(&mut current, p, &mut rng, 0.0, budget.deadline);
    }
    local_search(&mut current, p, &mut rng, &moves, 4, budget.deadline);
    // Filling and improving cannot rank below the start, but a deadline may cut them short.
    let mut best = if current.rank(p) >= start.rank(p) {
        current.clone()
    } else {
        start
    };
    let mut best_rank: Rank = best.rank(p);
    let (mut size, mut start) = (1usize, 0usize);
    let mut since_best = 0u64;
    let mut iteration = 0u64;
    let stops_per_route = p.stops.len() / p.teams.len().max(1);
    let max_size = (stops_per_route / 3).max(2);
    while !budget.spent(iteration) {
        iteration += 1;
        shake(&mut current, p, size, start);
        fill(&mut current, p, &mut rng, 0.3, budget.deadline);
        // Measured on the wide-window Cordeau instances: improving after every shake beats
        // shaking twice as often (pr15/16/20, pr06 at 5 s: +1.4% score).
        local_search(&mut current, p, &mut rng, &moves, 2, budget.deadline);
        let rank = current.rank(p);
        if rank > best_rank {
            best = current.clone();
            best_rank = rank;
            size = 1;
            since_best = 0;
        } else {
            size += 1;
            since_best += 1;
        }
        let shortest = current
            .routes
            .iter()
            .map(|r| r.len())
            .min()
            .unwrap_or(0)
            .max(1);
        start = (start + size) % shortest;
        if size > max_size {
            size = 1;
        }
        if since_best >= RESTART_AFTER {
            current = best.clone();
            since_best = 0;
            start = rng.below(shortest);
        }
    }
    (best, iteration)
}

/// Removes `size` consecutive stops from every route, beginning at `start` (wrapping to the
/// route's length). Mandatory stops stay.
fn shake(plan: &mut Plan, p: &Problem, size: usize, start: usize) {
    for r in 0..plan.routes.len() {
        let len = plan.routes[r].len();
        if len == 0 {
            continue;
        }
        let from = start % len;
        let mut removed = 0;
        let mut at = from;
        while removed < size && at < plan.routes[r].len() {
            if p.stops[plan.routes[r].stops[at]].mandatory {
                at += 1;
            } else {
                let s = plan.routes[r].stops.remove(at);
                plan.routed[s] = false;
            }
            removed += 1;
        }
        plan.routes[r].recompute(p);
    }
}
