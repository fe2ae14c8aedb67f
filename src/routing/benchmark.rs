//! The public TOPTW benchmarks as optimiser problems, with the distance convention of each set
//! (fixtures/toptw/README: Solomon distances truncated to one decimal, Cordeau to two).

use super::optimiser::{Problem, Stop, Team, TravelTimes};
use crate::ingest::toptw::ToptwInstance;

/// Times are hundredths: every truncated distance, service time and window is then an integer.
pub const TIME_SCALE: f64 = 100.0;

/// `routes` identical teams from the depot (vertex 0), shift [0, depot C]; customer i is stop
/// i − 1. Distances are Euclidean, truncated to `decimals` decimals.
pub fn toptw_problem(instance: &ToptwInstance, routes: usize, decimals: u32) -> Problem {
    let v = &instance.vertices;
    let unit = 10f64.powi(decimals as i32);
    let scaled = |x: f64| (x * TIME_SCALE).round() as i64;
    let travel = TravelTimes::new(v.len(), |a, b| {
        let d = (v[a].x - v[b].x).hypot(v[a].y - v[b].y);
        // The epsilon keeps an exact 2.0 that floats as 1.9999999 from truncating to 1.99.
        let truncated = (d * unit + 1e-7).floor() / unit;
        Some(scaled(truncated))
    });
    let stops = v[1..]
        .iter()
        .map(|c| Stop {
            location: c.id,
            score: c.score.round() as i64,
            service: scaled(c.service),
            windows: vec![(scaled(c.open), scaled(c.close))],
            skills: 0,
            mandatory: false,
            team: None,
        })
        .collect();
    let teams = (0..routes)
        .map(|_| Team {
            start: 0,
            end: 0,
            shift: (scaled(v[0].open), scaled(v[0].close)),
            skills: 0,
        })
        .collect();
    Problem {
        stops,
        teams,
        travel,
    }
}
