use super::Move;
use crate::routing::optimiser::plan::Plan;
use crate::routing::optimiser::problem::Problem;
use crate::routing::optimiser::rng::Rng;
use crate::routing::optimiser::route::simulate;

/// Moves one stop to another team's route when the two routes together travel less.
pub struct Relocate;

impl Move for Relocate {
    fn improve(&self, plan: &mut Plan, p: &Problem, _rng: &mut Rng) -> bool {
        let m = plan.routes.len();
        for a in 0..m {
            for i in 0..plan.routes[a].len() {
                let stop = plan.routes[a].stops[i];
                let mut without = plan.routes[a].stops.clone();
                without.remove(i);
                let Some(travel_a) = simulate(p, plan.routes[a].team, &without) else {
                    continue;
                };
                let saved = plan.routes[a].travel - travel_a;
                for b in (0..m).filter(|b| *b != a && p.can_serve(plan.routes[*b].team, stop)) {
                    let best = (0..=plan.routes[b].len())
                        .filter_map(|pos| plan.routes[b].try_insert(p, b, stop, pos))
                        .min_by_key(|ins| ins.added_travel);
                    if let Some(ins) = best.filter(|ins| ins.added_travel < saved) {
                        plan.routes[a].stops = without;
                        plan.routes[a].recompute(p);
                        plan.routes[b].stops.insert(ins.position, stop);
                        plan.routes[b].recompute(p);
                        return true;
                    }
                }
            }
        }
        false
    }
}
