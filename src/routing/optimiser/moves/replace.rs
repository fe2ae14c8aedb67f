use super::Move;
use crate::routing::optimiser::plan::Plan;
use crate::routing::optimiser::problem::Problem;
use crate::routing::optimiser::rng::Rng;

/// Takes a stop out of a route to make room for an unrouted stop worth more (or worth the same
/// for less travel). Insertion then fills whatever room is left. On large problems only the
/// stops nearest (in travel time) to the one taken out are tried in its place: a stop across the
/// district would not fit where it stood anyway, and trying all of them dominates the search.
pub struct Replace {
    near: Option<Vec<Vec<usize>>>,
}

/// Above this many stops, replacements are drawn from each stop's nearest neighbours.
const ALL_PAIRS_UP_TO: usize = 400;
const NEIGHBOURS: usize = 60;

impl Replace {
    pub fn new(p: &Problem) -> Self {
        let n = p.stops.len();
        if n <= ALL_PAIRS_UP_TO {
            return Self { near: None };
        }
        let gap = |a: usize, b: usize| {
            let (la, lb) = (p.stops[a].location, p.stops[b].location);
            p.travel.get(la, lb).min(p.travel.get(lb, la))
        };
        let near = (0..n)
            .map(|a| {
                let mut others: Vec<usize> = (0..n).filter(|b| *b != a).collect();
                let k = NEIGHBOURS.min(others.len());
                if k < others.len() {
                    others.select_nth_unstable_by_key(k, |b| (gap(a, *b), *b));
                    others.truncate(k);
                }
                others
            })
            .collect();
        Self { near: Some(near) }
    }
}

impl Move for Replace {
    fn improve(&self, plan: &mut Plan, p: &Problem, _rng: &mut Rng) -> bool {
        let rank = |s: &usize| {
            (
                std::cmp::Reverse(p.stops[*s].mandatory),
                std::cmp::Reverse(p.stops[*s].score),
                *s,
            )
        };
        let mut everyone: Vec<usize> = Vec::new();
        if self.near.is_none() {
            everyone = (0..p.stops.len()).filter(|s| !plan.routed[*s]).collect();
            everyone.sort_by_key(rank);
        }
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
                let outside: Vec<usize> = match &self.near {
                    None => everyone.clone(),
                    Some(near) => {
                        let mut v: Vec<usize> = near[out]
                            .iter()
                            .copied()
                            .filter(|s| !plan.routed[*s])
                            .collect();
                        v.sort_by_key(rank);
                        v
                    }
                };
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
