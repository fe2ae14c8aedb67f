use super::Move;
use crate::routing::optimiser::plan::Plan;
use crate::routing::optimiser::problem::Problem;
use crate::routing::optimiser::rng::Rng;
use crate::routing::optimiser::route::simulate;

/// Reverses a stretch of one route when that saves travel and every window still holds.
pub struct TwoOpt;

impl Move for TwoOpt {
    fn improve(&self, plan: &mut Plan, p: &Problem, _rng: &mut Rng) -> bool {
        for r in 0..plan.routes.len() {
            let route = &plan.routes[r];
            let n = route.len();
            let mut trial = route.stops.clone();
            for i in 0..n {
                for j in i + 1..n {
                    trial[i..=j].reverse();
                    let better = simulate(p, route.team, &trial).is_some_and(|t| t < route.travel);
                    if better {
                        plan.routes[r].stops = trial;
                        plan.routes[r].recompute(p);
                        return true;
                    }
                    trial[i..=j].reverse();
                }
            }
        }
        false
    }
}
