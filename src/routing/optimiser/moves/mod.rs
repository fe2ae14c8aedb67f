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

pub trait Move {
    /// Makes one improving change if it finds one; true if it did.
    fn improve(&self, plan: &mut Plan, p: &Problem, rng: &mut Rng) -> bool;
}

/// Applies the moves in turn, filling after each success, until none improves or `max_rounds`.
pub fn local_search(
    plan: &mut Plan,
    p: &Problem,
    rng: &mut Rng,
    moves: &[&dyn Move],
    max_rounds: usize,
) {
    for _ in 0..max_rounds {
        let mut improved = false;
        for m in moves {
            while m.improve(plan, p, rng) {
                improved = true;
                super::construct::fill(plan, p, rng, 0.0);
            }
        }
        if !improved {
            break;
        }
    }
}
