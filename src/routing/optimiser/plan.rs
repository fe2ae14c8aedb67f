//! A working solution: the routes and the stops no route has yet.

use super::problem::{Problem, Solution};
use super::route::Route;

#[derive(Debug, Clone)]
pub struct Plan {
    pub routes: Vec<Route>,
    pub routed: Vec<bool>,
}

/// How solutions rank: every mandatory stop served first, then score, then less travel.
pub type Rank = (usize, i64, i64);

impl Plan {
    pub fn empty(p: &Problem) -> Self {
        Self {
            routes: (0..p.teams.len()).map(|t| Route::new(t, p)).collect(),
            routed: vec![false; p.stops.len()],
        }
    }

    /// A plan of `initial`'s routes, each cut to the stops it can serve in order: a stop that
    /// does not exist, is already routed, may not be served by the team or breaks the schedule
    /// is dropped, and the rest of the route is kept.
    pub fn starting_from(p: &Problem, initial: &[Vec<usize>]) -> Self {
        let mut plan = Self::empty(p);
        for (r, stops) in initial.iter().enumerate().take(plan.routes.len()) {
            for &s in stops {
                if s >= p.stops.len() || plan.routed[s] || !p.can_serve(r, s) {
                    continue;
                }
                let route = &mut plan.routes[r];
                route.stops.push(s);
                if route.recompute(p) {
                    plan.routed[s] = true;
                } else {
                    route.stops.pop();
                    route.recompute(p);
                }
            }
        }
        plan
    }

    pub fn score(&self) -> i64 {
        self.routes.iter().map(|r| r.score).sum()
    }

    pub fn travel(&self) -> i64 {
        self.routes.iter().map(|r| r.travel).sum()
    }

    pub fn rank(&self, p: &Problem) -> Rank {
        let mandatory = self
            .routes
            .iter()
            .flat_map(|r| &r.stops)
            .filter(|s| p.stops[**s].mandatory)
            .count();
        (mandatory, self.score(), -self.travel())
    }

    pub fn insert(&mut self, p: &Problem, route: usize, position: usize, stop: usize) {
        self.routes[route].stops.insert(position, stop);
        self.routes[route].recompute(p);
        self.routed[stop] = true;
    }

    pub fn to_solution(&self, p: &Problem) -> Solution {
        let unrouted: Vec<usize> = (0..p.stops.len()).filter(|s| !self.routed[*s]).collect();
        Solution {
            routes: self.routes.iter().map(|r| r.stops.clone()).collect(),
            unserved_mandatory: unrouted
                .iter()
                .copied()
                .filter(|s| p.stops[*s].mandatory)
                .collect(),
            unrouted,
            score: self.score(),
            travel: self.travel(),
        }
    }
}
