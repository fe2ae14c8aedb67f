//! The patrol optimiser: a Team Orienteering Problem with Time Windows solved by iterated local
//! search. Problem, schedule bookkeeping, construction, moves and search loop each live in their
//! own file; the independent check shares none of their code.

mod check;
mod construct;
mod moves;
mod plan;
mod problem;
mod rng;
mod route;
mod search;

pub use check::check;
pub use problem::{Problem, Solution, Stop, Team, TravelTimes, UNREACHABLE};

use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy)]
pub struct SolveOptions {
    pub seed: u64,
    /// Wall-clock limit; the result then depends on the machine's speed.
    pub time_limit: Option<Duration>,
    /// Iterations per search thread; with only this limit the result is the same on any machine.
    pub iteration_limit: Option<u64>,
    /// Independent searches run side by side (each with its own seed); the best wins.
    pub threads: usize,
}

impl Default for SolveOptions {
    fn default() -> Self {
        Self {
            seed: 1,
            time_limit: Some(Duration::from_secs(5)),
            iteration_limit: None,
            threads: 2,
        }
    }
}

/// What a solve did, besides its solution.
#[derive(Debug, Clone, PartialEq)]
pub struct SolveReport {
    pub solution: Solution,
    pub iterations: u64,
    pub seconds: f64,
}

/// Solves the problem: anytime under the time limit, deterministic under an iteration limit.
pub fn solve(p: &Problem, options: &SolveOptions) -> Result<SolveReport, String> {
    solve_from(p, &[], options)
}

/// Solves starting from `initial` (per team the stops in order, e.g. the plan in force before
/// a dispatcher's change). Each route keeps the longest feasible part of its stops in their
/// order; the search starts there and never returns anything ranked below it, so a
/// re-optimisation is at least as good as what it started from once the change is made.
pub fn solve_from(
    p: &Problem,
    initial: &[Vec<usize>],
    options: &SolveOptions,
) -> Result<SolveReport, String> {
    p.validate()?;
    if options.time_limit.is_none() && options.iteration_limit.is_none() {
        return Err("give a time limit, an iteration limit or both".into());
    }
    let started = Instant::now();
    let budget = search::Budget {
        iterations: options.iteration_limit,
        deadline: options.time_limit.map(|t| started + t),
    };
    let threads = options.threads.max(1);
    let results: Vec<(plan::Plan, u64)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads as u64)
            .map(|t| {
                let seed = options.seed.wrapping_mul(1_000_003).wrapping_add(t);
                scope.spawn(move || search::iterated_local_search(p, initial, seed, budget))
            })
            .collect();
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    });
    let iterations = results.iter().map(|r| r.1).sum();
    // Best rank wins; on a tie the lower thread index, so the choice never depends on timing.
    let best = results
        .into_iter()
        .enumerate()
        .max_by(|(i, a), (j, b)| a.0.rank(p).cmp(&b.0.rank(p)).then(j.cmp(i)))
        .map(|(_, r)| r.0)
        .ok_or("every search thread failed")?;
    Ok(SolveReport {
        solution: best.to_solution(p),
        iterations,
        seconds: started.elapsed().as_secs_f64(),
    })
}

#[cfg(test)]
mod tests;
