//! One team's route and its schedule: when each stop starts, how long the team waits there, and
//! how far each start could still slip ("max shift", after Vansteenwegen et al. 2009), which makes
//! testing an insertion O(1).

use super::problem::{Problem, Team};

#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    pub team: usize,
    pub stops: Vec<usize>,
    pub start: Vec<i64>,
    pub wait: Vec<i64>,
    pub max_shift: Vec<i64>,
    /// Arrival back at the team's end depot.
    pub end_arrive: i64,
    pub score: i64,
    pub travel: i64,
}

/// A feasible place for a stop in a route, and what it costs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Insertion {
    pub route: usize,
    pub position: usize,
    pub stop: usize,
    /// How much later the rest of the route arrives (may be negative with a shortcut).
    pub shift: i64,
    /// Travel time added.
    pub added_travel: i64,
}

/// The earliest start of service at or after `arrive` in one of the windows.
#[inline]
pub fn earliest_start(windows: &[(i64, i64)], arrive: i64) -> Option<(i64, i64)> {
    windows
        .iter()
        .find(|w| w.1 >= arrive)
        .map(|w| (arrive.max(w.0), w.1))
}

impl Route {
    pub fn new(team: usize, p: &Problem) -> Self {
        let mut r = Self {
            team,
            stops: Vec::new(),
            start: Vec::new(),
            wait: Vec::new(),
            max_shift: Vec::new(),
            end_arrive: 0,
            score: 0,
            travel: 0,
        };
        r.recompute(p);
        r
    }

    pub fn len(&self) -> usize {
        self.stops.len()
    }

    fn team<'p>(&self, p: &'p Problem) -> &'p Team {
        &p.teams[self.team]
    }

    /// Recomputes the schedule from the stops; false when the stops cannot be served in order.
    pub fn recompute(&mut self, p: &Problem) -> bool {
        let team = self.team(p);
        let n = self.stops.len();
        self.start.resize(n, 0);
        self.wait.resize(n, 0);
        self.max_shift.resize(n, 0);
        let mut closes = Vec::with_capacity(n);
        let (mut at, mut time, mut travel, mut score, mut ok) =
            (team.start, team.shift.0, 0, 0, true);
        for (i, &s) in self.stops.iter().enumerate() {
            let stop = &p.stops[s];
            let leg = p.travel.get(at, stop.location);
            travel += leg;
            let arrive = time + leg;
            let (start, close) = earliest_start(&stop.windows, arrive).unwrap_or_else(|| {
                ok = false;
                (arrive, arrive)
            });
            self.start[i] = start;
            self.wait[i] = start - arrive;
            closes.push(close);
            score += stop.score;
            time = start + stop.service;
            at = stop.location;
        }
        let leg = p.travel.get(at, team.end);
        self.end_arrive = time + leg;
        self.travel = travel + leg;
        self.score = score;
        let mut next_slack = team.shift.1 - self.end_arrive;
        ok &= next_slack >= 0;
        for i in (0..n).rev() {
            self.max_shift[i] = (closes[i] - self.start[i]).min(next_slack);
            next_slack = self.wait[i] + self.max_shift[i];
        }
        ok
    }

    /// Where the team is, and when it leaves, just before `position`.
    #[inline]
    fn before(&self, p: &Problem, position: usize) -> (usize, i64) {
        if position == 0 {
            let t = self.team(p);
            (t.start, t.shift.0)
        } else {
            let s = self.stops[position - 1];
            (
                p.stops[s].location,
                self.start[position - 1] + p.stops[s].service,
            )
        }
    }

    /// The location at `position`, with its wait and max shift (the end depot past the last stop).
    #[inline]
    fn at(&self, p: &Problem, position: usize) -> (usize, i64, i64) {
        if position == self.stops.len() {
            let t = self.team(p);
            (t.end, 0, t.shift.1 - self.end_arrive)
        } else {
            (
                p.stops[self.stops[position]].location,
                self.wait[position],
                self.max_shift[position],
            )
        }
    }

    /// Whether `stop` fits before `position` (0..=len), and at what cost.
    #[inline]
    pub fn try_insert(
        &self,
        p: &Problem,
        route: usize,
        stop: usize,
        position: usize,
    ) -> Option<Insertion> {
        let s = &p.stops[stop];
        let (prev, leave) = self.before(p, position);
        let (next, next_wait, next_max_shift) = self.at(p, position);
        let to = p.travel.get(prev, s.location);
        let (start, _) = earliest_start(&s.windows, leave + to)?;
        let from = p.travel.get(s.location, next);
        let direct = p.travel.get(prev, next);
        let shift = start + s.service + from - (leave + direct);
        (shift <= next_wait + next_max_shift).then_some(Insertion {
            route,
            position,
            stop,
            shift,
            added_travel: to + from - direct,
        })
    }
}

/// Serves `stops` in order for `team` from scratch: the route's travel time, or `None` when a
/// window or the shift is missed. Used to test a move before making it.
pub fn simulate(p: &Problem, team: usize, stops: &[usize]) -> Option<i64> {
    let t = &p.teams[team];
    let (mut at, mut time, mut travel) = (t.start, t.shift.0, 0);
    for &s in stops {
        let stop = &p.stops[s];
        let leg = p.travel.get(at, stop.location);
        let (start, _) = earliest_start(&stop.windows, time + leg)?;
        travel += leg;
        time = start + stop.service;
        at = stop.location;
    }
    let leg = p.travel.get(at, t.end);
    (time + leg <= t.shift.1).then_some(travel + leg)
}
