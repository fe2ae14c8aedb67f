//! Time spent per stage of an evaluation, for `bench lighting`: the figures in the notes come
//! from the command, not from a profiler run by hand.

use serde::Serialize;
use std::time::Instant;

#[derive(Debug, Clone, Serialize)]
pub struct Stages {
    /// (stage, seconds), in the order they ran.
    pub laps: Vec<(&'static str, f64)>,
    #[serde(skip)]
    last: Instant,
}

impl Default for Stages {
    fn default() -> Self {
        Self {
            laps: Vec::new(),
            last: Instant::now(),
        }
    }
}

impl Stages {
    /// Ends the stage under way, naming it.
    pub fn lap(&mut self, stage: &'static str) {
        let now = Instant::now();
        self.laps.push((stage, (now - self.last).as_secs_f64()));
        self.last = now;
    }
}
