use super::Move;
use crate::routing::optimiser::plan::Plan;
use crate::routing::optimiser::problem::Problem;
use crate::routing::optimiser::rng::Rng;
use crate::routing::optimiser::route::simulate;

/// Moves a run of one to three stops elsewhere in the same route when that saves travel.
pub struct OrOpt;

impl Move for OrOpt {
    fn improve(&self, plan: &mut Plan, p: &Problem, _rng: &mut Rng) -> bool {
        for r in 0..plan.routes.len() {
            let route = &plan.routes[r];
            let n = route.len();
            for len in 1..=3.min(n) {
                for i in 0..=n - len {
                    let mut rest = route.stops.clone();
                    let run: Vec<usize> = rest.drain(i..i + len).collect();
                    for at in 0..=rest.len() {
                        if at == i {
                            continue;
                        }
                        let mut trial = rest.clone();
                        trial.splice(at..at, run.iter().copied());
                        if simulate(p, route.team, &trial).is_some_and(|t| t < route.travel) {
                            plan.routes[r].stops = trial;
                            plan.routes[r].recompute(p);
                            return true;
                        }
                    }
                }
            }
        }
        false
    }
}
