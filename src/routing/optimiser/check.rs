//! An independent feasibility check of any solution: it recomputes every schedule from the
//! problem alone (sharing no code with the search), so a bug in the search cannot hide itself.

use super::problem::{Problem, Solution};

/// Every rule the solution breaks, in words; empty when it is feasible and its figures are right.
pub fn check(p: &Problem, s: &Solution) -> Vec<String> {
    let mut broken = Vec::new();
    if s.routes.len() != p.teams.len() {
        broken.push(format!(
            "{} routes for {} teams",
            s.routes.len(),
            p.teams.len()
        ));
    }
    let mut seen = vec![0u32; p.stops.len()];
    let (mut score, mut travel) = (0i64, 0i64);
    for (t, route) in s.routes.iter().enumerate().take(p.teams.len()) {
        let team = &p.teams[t];
        let (mut at, mut clock) = (team.start, team.shift.0);
        for (k, &i) in route.iter().enumerate() {
            let Some(stop) = p.stops.get(i) else {
                broken.push(format!("route {t} visit {k}: no stop {i}"));
                continue;
            };
            seen[i] += 1;
            if team.skills & stop.skills != stop.skills {
                broken.push(format!(
                    "route {t} visit {k}: stop {i} needs skills {:#b}, the team has {:#b}",
                    stop.skills, team.skills
                ));
            }
            if stop.team.is_some_and(|only| only != t) {
                broken.push(format!(
                    "route {t} visit {k}: stop {i} is pinned to team {:?}",
                    stop.team
                ));
            }
            let leg = p.travel.get(at, stop.location);
            travel += leg;
            let arrive = clock.saturating_add(leg);
            let mut begin = None;
            for &(open, close) in &stop.windows {
                if arrive <= close {
                    begin = Some(arrive.max(open));
                    break;
                }
            }
            match begin {
                Some(b) => clock = b + stop.service,
                None => {
                    broken.push(format!("route {t} visit {k}: stop {i} reached at {arrive}, after its last window closed"));
                    clock = arrive + stop.service;
                }
            }
            score += stop.score;
            at = stop.location;
        }
        let leg = p.travel.get(at, team.end);
        travel += leg;
        if clock.saturating_add(leg) > team.shift.1 {
            broken.push(format!(
                "route {t}: back at {} after the shift ends at {}",
                clock.saturating_add(leg),
                team.shift.1
            ));
        }
    }
    for (i, n) in seen.iter().enumerate() {
        if *n > 1 {
            broken.push(format!("stop {i} is visited {n} times"));
        }
        let listed = s.unserved_mandatory.contains(&i);
        if p.stops[i].mandatory && *n == 0 && !listed {
            broken.push(format!("mandatory stop {i} is neither served nor reported"));
        }
        if listed && *n > 0 {
            broken.push(format!("stop {i} is reported unserved but is served"));
        }
        if *n == 0 && !s.unrouted.contains(&i) {
            broken.push(format!("stop {i} is neither routed nor listed as left out"));
        }
    }
    if score != s.score {
        broken.push(format!(
            "reported score {} but the routes collect {score}",
            s.score
        ));
    }
    if travel != s.travel {
        broken.push(format!(
            "reported travel {} but the routes take {travel}",
            s.travel
        ));
    }
    broken
}
