use super::Move;
use crate::routing::optimiser::plan::Plan;
use crate::routing::optimiser::problem::Problem;
use crate::routing::optimiser::rng::Rng;

/// Takes a stop out of a route to make room for an unrouted stop worth more (or worth the same
/// for less travel). Insertion then fills whatever room is left.
pub struct Replace;

impl Move for Replace {
    fn improve(&self, plan: &mut Plan, p: &Problem, _rng: &mut Rng) -> bool {
        let mut outside: Vec<usize> = (0..p.stops.len()).filter(|s| !plan.routed[*s]).collect();
        outside.sort_by_key(|s| {
            (
                std::cmp::Reverse(p.stops[*s].mandatory),
                std::cmp::Reverse(p.stops[*s].score),
                *s,
            )
        });
        for r in 0..plan.routes.len() {
            for i in 0..plan.routes[r].len() {
                let out = plan.routes[r].stops[i];
                if p.stops[out].mandatory {
                    continue;
                }
                let mut shorter = plan.routes[r].clone();
                shorter.stops.remove(i);
                if !shorter.recompute(p) {
                    continue;
                }
                for &u in &outside {
                    let (su, so) = (&p.stops[u], &p.stops[out]);
                    if (su.score, su.mandatory) < (so.score, so.mandatory)
                        || !p.can_serve(shorter.team, u)
                    {
                        continue;
                    }
                    let best = (0..=shorter.len())
                        .filter_map(|pos| shorter.try_insert(p, r, u, pos))
                        .min_by_key(|ins| ins.added_travel);
                    let Some(ins) = best else { continue };
                    let gain = su.score - so.score;
                    let travel_after = shorter.travel + ins.added_travel;
                    if gain > 0
                        || su.mandatory && !so.mandatory
                        || travel_after < plan.routes[r].travel
                    {
                        plan.routes[r] = shorter;
                        plan.routed[out] = false;
                        plan.insert(p, r, ins.position, u);
                        return true;
                    }
                }
            }
        }
        false
    }
}
