use super::Move;
use crate::routing::optimiser::plan::Plan;
use crate::routing::optimiser::problem::Problem;
use crate::routing::optimiser::rng::Rng;
use crate::routing::optimiser::route::simulate;

/// Exchanges two stops between two routes, each taking the other's place, when that saves travel.
pub struct Swap;

impl Move for Swap {
    fn improve(&self, plan: &mut Plan, p: &Problem, _rng: &mut Rng) -> bool {
        let m = plan.routes.len();
        for a in 0..m {
            for b in a + 1..m {
                let (ra, rb) = (&plan.routes[a], &plan.routes[b]);
                let before = ra.travel + rb.travel;
                for i in 0..ra.len() {
                    for j in 0..rb.len() {
                        let (x, y) = (ra.stops[i], rb.stops[j]);
                        if !p.can_serve(ra.team, y) || !p.can_serve(rb.team, x) {
                            continue;
                        }
                        let mut ta = ra.stops.clone();
                        ta[i] = y;
                        let Some(travel_a) = simulate(p, ra.team, &ta) else {
                            continue;
                        };
                        if travel_a >= before {
                            continue;
                        }
                        let mut tb = rb.stops.clone();
                        tb[j] = x;
                        if simulate(p, rb.team, &tb)
                            .is_some_and(|travel_b| travel_a + travel_b < before)
                        {
                            plan.routes[a].stops = ta;
                            plan.routes[a].recompute(p);
                            plan.routes[b].stops = tb;
                            plan.routes[b].recompute(p);
                            return true;
                        }
                    }
                }
            }
        }
        false
    }
}
