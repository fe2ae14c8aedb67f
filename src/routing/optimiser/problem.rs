//! The plain problem the optimiser solves: a Team Orienteering Problem with Time Windows. Times
//! are integers in any unit (the benchmark uses hundredths, plans use seconds); nothing here knows
//! about streets, venues or SQLite.

/// A place to visit, optionally.
#[derive(Debug, Clone, PartialEq)]
pub struct Stop {
    /// Row/column of the travel matrix.
    pub location: usize,
    pub score: i64,
    pub service: i64,
    /// Windows on the start of service, sorted and disjoint; waiting before a window is allowed.
    pub windows: Vec<(i64, i64)>,
    /// Skills a team must have to serve it (bit set).
    pub skills: u64,
    /// Must be served; if it cannot be, the result says so.
    pub mandatory: bool,
    /// The only team that may serve it (a dispatcher's pin); None: any team with the skills.
    pub team: Option<usize>,
}

/// One route's owner: where it starts and ends, when, and what it can do.
#[derive(Debug, Clone, PartialEq)]
pub struct Team {
    pub start: usize,
    pub end: usize,
    /// Earliest departure from `start` and latest arrival at `end`.
    pub shift: (i64, i64),
    pub skills: u64,
}

/// A dense travel-time matrix; `None` where no path exists.
#[derive(Debug, Clone, PartialEq)]
pub struct TravelTimes {
    size: usize,
    times: Vec<i64>,
}

/// Stands for "no path" inside the matrix: larger than any shift, small enough never to overflow.
pub const UNREACHABLE: i64 = i64::MAX / 4;

impl TravelTimes {
    pub fn new(size: usize, f: impl Fn(usize, usize) -> Option<i64>) -> Self {
        let mut times = Vec::with_capacity(size * size);
        for a in 0..size {
            for b in 0..size {
                times.push(f(a, b).unwrap_or(UNREACHABLE).clamp(0, UNREACHABLE));
            }
        }
        Self { size, times }
    }

    #[inline]
    pub fn get(&self, a: usize, b: usize) -> i64 {
        self.times[a * self.size + b]
    }

    pub fn size(&self) -> usize {
        self.size
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub stops: Vec<Stop>,
    pub teams: Vec<Team>,
    pub travel: TravelTimes,
}

impl Problem {
    /// Whether `team` may serve `stop` at all.
    pub fn can_serve(&self, team: usize, stop: usize) -> bool {
        let s = &self.stops[stop];
        self.teams[team].skills & s.skills == s.skills && s.team.is_none_or(|t| t == team)
    }

    /// What is wrong with the problem itself (indices out of the matrix, unsorted windows).
    pub fn validate(&self) -> Result<(), String> {
        let n = self.travel.size();
        for (i, s) in self.stops.iter().enumerate() {
            if s.location >= n {
                return Err(format!(
                    "stop {i}: location {} is outside the {n}×{n} matrix",
                    s.location
                ));
            }
            if s.windows.is_empty() {
                return Err(format!("stop {i} has no time window"));
            }
            if s.windows.iter().any(|w| w.0 > w.1) || s.windows.windows(2).any(|w| w[0].1 >= w[1].0)
            {
                return Err(format!(
                    "stop {i}: windows must be sorted, disjoint, and open before they close"
                ));
            }
            if s.service < 0 {
                return Err(format!("stop {i}: negative service time"));
            }
            if s.team.is_some_and(|t| t >= self.teams.len()) {
                return Err(format!(
                    "stop {i}: pinned to team {:?}, which does not exist",
                    s.team
                ));
            }
        }
        for (t, team) in self.teams.iter().enumerate() {
            if team.start >= n || team.end >= n {
                return Err(format!("team {t}: depot outside the {n}×{n} matrix"));
            }
            if team.shift.0 > team.shift.1 {
                return Err(format!("team {t}: the shift ends before it starts"));
            }
        }
        Ok(())
    }
}

/// What the optimiser returns: per team the stops in visit order, and the stops left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Solution {
    pub routes: Vec<Vec<usize>>,
    pub unrouted: Vec<usize>,
    /// Mandatory stops that no route could take: never dropped silently.
    pub unserved_mandatory: Vec<usize>,
    pub score: i64,
    pub travel: i64,
}
