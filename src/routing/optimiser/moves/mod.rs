//! Local-search moves. Each is its own type that finds an improving change, measures its gain and
//! makes it (first improvement). Travel-time moves make room; `Replace` trades a stop for a better
//! one; after any of them, insertion tries to fill the room.

mod or_opt;
mod relocate;
mod replace;
mod swap;
mod two_opt;

pub use or_opt::OrOpt;
pub use relocate::Relocate;
pub use replace::Replace;
pub use swap::Swap;
pub use two_opt::TwoOpt;

use super::plan::Plan;
use super::problem::Problem;
use super::rng::Rng;
use std::time::Instant;

pub trait Move {
    /// Makes one improving change if it finds one; true if it did.
    fn improve(&self, plan: &mut Plan, p: &Problem, rng: &mut Rng) -> bool;
}

/// Applies the moves in turn, filling after each success, until none improves, `max_rounds`
/// or the deadline.
pub fn local_search(
    plan: &mut Plan,
    p: &Problem,
    rng: &mut Rng,
    moves: &[&dyn Move],
    max_rounds: usize,
    deadline: Option<Instant>,
) {
    let in_time = || deadline.is_none_or(|d| Instant::now() < d);
    for _ in 0..max_rounds {
        let mut improved = false;
        for m in moves {
            let mut before: Vec<Vec<usize>> = plan.routes.iter().map(|r| r.stops.clone()).collect();
            while in_time() && m.improve(plan, p, rng) {
                improved = true;
                let changed: Vec<usize> = (0..plan.routes.len())
                    .filter(|r| plan.routes[*r].stops != before[*r])
                    .collect();
                super::construct::fill_routes(plan, p, rng, 0.0, deadline, &changed);
                for &r in &changed {
                    before[r].clone_from(&plan.routes[r].stops);
                }
            }
        }
        if !improved {
            break;
        }
    }
}
