//! The optimiser and its check on small problems worked out by hand.

use super::*;

/// Five stops on a line, one minute apart; the depot at 0.
fn line_problem(teams: usize) -> Problem {
    let travel = TravelTimes::new(6, |a, b| Some((a as i64 - b as i64).abs() * 60));
    let stops = (1..=5)
        .map(|i| Stop {
            location: i,
            score: 10 * i as i64,
            service: 30,
            windows: vec![(0, 10_000)],
            skills: 0,
            mandatory: false,
            team: None,
        })
        .collect();
    let teams = (0..teams)
        .map(|_| Team {
            start: 0,
            end: 0,
            shift: (0, 10_000),
            skills: 0,
        })
        .collect();
    Problem {
        stops,
        teams,
        travel,
    }
}

fn options(iterations: u64) -> SolveOptions {
    SolveOptions {
        seed: 7,
        time_limit: None,
        iteration_limit: Some(iterations),
        threads: 2,
    }
}

fn solution(p: &Problem, routes: Vec<Vec<usize>>) -> Solution {
    let routed: Vec<usize> = routes.iter().flatten().copied().collect();
    let mut s = Solution {
        unrouted: (0..p.stops.len()).filter(|i| !routed.contains(i)).collect(),
        unserved_mandatory: vec![],
        score: routed.iter().map(|i| p.stops[*i].score).sum(),
        travel: 0,
        routes,
    };
    // Travel as the check computes it, so that only the broken rule shows.
    for (t, r) in s.routes.iter().enumerate() {
        let mut at = p.teams[t].start;
        for i in r {
            s.travel += p.travel.get(at, p.stops[*i].location);
            at = p.stops[*i].location;
        }
        s.travel += p.travel.get(at, p.teams[t].end);
    }
    s
}

#[test]
fn everything_fits_and_passes_the_check() {
    let p = line_problem(1);
    let r = solve(&p, &options(50)).unwrap();
    assert_eq!(r.solution.score, 150);
    assert!(
        check(&p, &r.solution).is_empty(),
        "{:?}",
        check(&p, &r.solution)
    );
    assert_eq!(r.solution.travel, 600, "out along the line and back");
}

#[test]
fn the_check_rejects_each_kind_of_broken_solution() {
    let mut p = line_problem(2);
    assert!(check(&p, &solution(&p, vec![vec![0, 1], vec![2]])).is_empty());

    // Late: stop 4 closes before anyone can reach it.
    p.stops[4].windows = vec![(0, 100)];
    let late = check(&p, &solution(&p, vec![vec![4], vec![]]));
    assert!(
        late.iter()
            .any(|m| m.contains("after its last window closed")),
        "{late:?}"
    );
    p.stops[4].windows = vec![(0, 10_000)];

    // Over the shift: the team must be back by 500.
    p.teams[0].shift = (0, 500);
    let over = check(&p, &solution(&p, vec![vec![0, 1, 2, 3, 4], vec![]]));
    assert!(
        over.iter().any(|m| m.contains("after the shift ends")),
        "{over:?}"
    );
    p.teams[0].shift = (0, 10_000);

    // Missing skill: stop 2 needs police (bit 1), team 1 has none.
    p.stops[2].skills = 0b10;
    let skill = check(&p, &solution(&p, vec![vec![], vec![2]]));
    assert!(
        skill.iter().any(|m| m.contains("needs skills")),
        "{skill:?}"
    );
    p.stops[2].skills = 0;

    // Twice, and a mandatory stop silently dropped.
    let twice = check(&p, &solution(&p, vec![vec![1], vec![1]]));
    assert!(
        twice.iter().any(|m| m.contains("visited 2 times")),
        "{twice:?}"
    );
    p.stops[3].mandatory = true;
    let dropped = check(&p, &solution(&p, vec![vec![0], vec![]]));
    assert!(
        dropped
            .iter()
            .any(|m| m.contains("neither served nor reported")),
        "{dropped:?}"
    );

    // A wrong reported score.
    let mut s = solution(&p, vec![vec![3], vec![]]);
    s.score += 1;
    assert!(check(&p, &s).iter().any(|m| m.contains("reported score")));
}

#[test]
fn skills_mandatory_stops_and_second_windows_are_respected() {
    let mut p = line_problem(2);
    p.teams[0].skills = 0b1;
    p.stops[4].skills = 0b1;
    p.teams[0].shift = (0, 800);
    p.teams[1].shift = (0, 800);
    // Stop 0 opens twice: early (missed by anyone who first serves stop 1) and late.
    p.stops[0].windows = vec![(0, 50), (400, 450)];
    p.stops[2].mandatory = true;
    let r = solve(&p, &options(80)).unwrap();
    assert!(
        check(&p, &r.solution).is_empty(),
        "{:?}",
        check(&p, &r.solution)
    );
    assert!(
        r.solution.routes[1].iter().all(|s| *s != 4),
        "only team 0 may serve stop 4"
    );
    assert!(
        r.solution.routes.iter().flatten().any(|s| *s == 2),
        "the mandatory stop is served"
    );

    // A mandatory stop nobody can reach in time is reported, not dropped.
    p.stops[3].mandatory = true;
    p.stops[3].windows = vec![(0, 10)];
    let r = solve(&p, &options(40)).unwrap();
    assert_eq!(r.solution.unserved_mandatory, vec![3]);
    assert!(check(&p, &r.solution).is_empty());
}

#[test]
fn the_same_seed_and_budget_give_the_same_routes() {
    let travel = TravelTimes::new(31, |a, b| {
        Some(((a * 37 + b * 11) % 97 + 20) as i64 * if a == b { 0 } else { 1 })
    });
    let stops = (1..31)
        .map(|i| Stop {
            location: i,
            score: (i * 7 % 13 + 1) as i64,
            service: 10,
            windows: vec![((i * 13 % 200) as i64, (i * 13 % 200 + 300) as i64)],
            skills: 0,
            mandatory: false,
            team: None,
        })
        .collect();
    let teams = (0..2)
        .map(|_| Team {
            start: 0,
            end: 0,
            shift: (0, 900),
            skills: 0,
        })
        .collect();
    let p = Problem {
        stops,
        teams,
        travel,
    };
    let a = solve(&p, &options(120)).unwrap().solution;
    let b = solve(&p, &options(120)).unwrap().solution;
    assert_eq!(a, b);
    assert!(check(&p, &a).is_empty());
}

#[test]
fn a_pinned_stop_goes_to_its_team_only_and_the_check_sees_a_breach() {
    let mut p = line_problem(2);
    p.stops[4].team = Some(1);
    p.stops[4].mandatory = true;
    let r = solve(&p, &options(60)).unwrap();
    assert!(check(&p, &r.solution).is_empty());
    assert!(r.solution.routes[1].contains(&4), "{:?}", r.solution.routes);
    assert!(!r.solution.routes[0].contains(&4));
    let breach = solution(&p, vec![vec![4], vec![]]);
    assert!(check(&p, &breach).iter().any(|m| m.contains("pinned")));
    p.stops[4].team = Some(2);
    assert!(p.validate().unwrap_err().contains("pinned"));
}

#[test]
fn a_warm_start_is_never_ranked_below_and_infeasible_parts_are_cut() {
    let mut p = line_problem(1);
    p.teams[0].shift = (0, 700);
    // Everything fits in order 1,2 but 5 then 4 then 3 overruns the shift: 4 and 3 are cut.
    let initial = vec![vec![0, 1, 4, 3, 2, 9]];
    let plan = plan::Plan::starting_from(&p, &initial);
    assert_eq!(plan.routes[0].stops, vec![0, 1, 4]);
    let start_score: i64 = [0, 1, 4].iter().map(|s| p.stops[*s].score).sum();
    // Even with no search at all (one iteration), the answer keeps what the start had.
    let r = solve_from(&p, &initial, &options(1)).unwrap();
    assert!(check(&p, &r.solution).is_empty());
    assert!(r.solution.score >= start_score, "{}", r.solution.score);
}

#[test]
fn a_stop_pinned_into_a_full_route_displaces_optional_ones() {
    // One team whose shift holds stops 0, 1, 2 but not the far stop 4 after them (nor, it
    // turns out, with any of them): pinned and mandatory, it is served alone.
    let mut p = line_problem(1);
    p.teams[0].shift = (0, 650);
    let full = plan::Plan::starting_from(&p, &[vec![0, 1, 2]]);
    assert!(full.routes[0].try_insert(&p, 0, 4, 3).is_none());
    p.stops[4].mandatory = true;
    p.stops[4].team = Some(0);
    let r = solve_from(&p, &[vec![0, 1, 2]], &options(1)).unwrap();
    assert!(
        check(&p, &r.solution).is_empty(),
        "{:?}",
        check(&p, &r.solution)
    );
    assert!(r.solution.routes[0].contains(&4), "{:?}", r.solution);
    assert!(r.solution.unserved_mandatory.is_empty());
}
