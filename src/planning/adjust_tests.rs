//! The day planner under a dispatcher's changes and through the day: exclusions, moves and
//! pins, absent teams, locked routes, ad-hoc points, and a team going on from where it is.

use super::adjust::{Adjustment, DayAdjustments};
use super::day::{DayPlan, Revising};
use super::plan::{LeftOutReason, Target};
use super::tests::{Day, left_reason, plan, plan_with, team, venue};
use crate::model::VenueKind;

/// Two day teams (ids 1 and 2) and eight venues open all day, spread over the grid.
fn day() -> Day {
    let mut teams = vec![
        team(&["commerce"], "09:00-13:00"),
        team(&["commerce"], "09:00-13:00"),
    ];
    for (i, t) in teams.iter_mut().enumerate() {
        t.id = i as i64 + 1;
        t.name = format!("team {}", i + 1);
    }
    Day {
        venues: (1..=8)
            .map(|i| {
                let (e, n) = ((i * 53 % 400) as f64, (i * 97 % 400) as f64);
                venue(i, VenueKind::Other, None, e, n)
            })
            .collect(),
        follow_ups: Vec::new(),
        teams,
        sent_back: Vec::new(),
    }
}

fn on_route(p: &DayPlan, team: i64, venue: i64) -> bool {
    p.plan
        .routes
        .iter()
        .any(|r| r.team_id == team && r.stops.iter().any(|s| s.target == Target::Venue(venue)))
}

fn changes(list: Vec<Adjustment>) -> DayAdjustments {
    let numbered: Vec<(i64, Adjustment)> = list
        .into_iter()
        .enumerate()
        .map(|(i, a)| (i as i64 + 1, a))
        .collect();
    DayAdjustments::of(&numbered)
}

fn assert_schedules_hold(p: &DayPlan) {
    assert!(
        p.plan.summary.check_failures.is_empty(),
        "{:?}",
        p.plan.summary.check_failures
    );
    for r in &p.plan.routes {
        for w in r.stops.windows(2) {
            assert!(w[1].arrival_s >= w[0].departure_s, "{r:?}");
        }
    }
}

#[test]
fn excluded_moved_and_pinned_venues_go_where_the_dispatcher_says() {
    let d = day();
    let base = plan(&d);
    let (a, b) = (1, 2);
    let first_of_a = base
        .plan
        .routes
        .iter()
        .find(|r| r.team_id == a)
        .and_then(|r| r.stops.first())
        .map(|s| s.target.id())
        .expect("team 1 has a route");
    let previous = Revising {
        previous: Some(&base.plan),
        ..Default::default()
    };
    // Moved: on team 2's route, mandatory, not on team 1's.
    let moved = plan_with(
        &d,
        &changes(vec![Adjustment::Move {
            venue_id: first_of_a,
            team_id: b,
        }]),
        &previous,
    );
    assert!(on_route(&moved, b, first_of_a) && !on_route(&moved, a, first_of_a));
    assert_schedules_hold(&moved);
    // Excluded: on no route, left out with the reason given.
    let excluded = plan_with(
        &d,
        &changes(vec![Adjustment::Exclude {
            venue_id: first_of_a,
            reason: "owner away".into(),
        }]),
        &previous,
    );
    assert!(!on_route(&excluded, a, first_of_a) && !on_route(&excluded, b, first_of_a));
    assert_eq!(
        left_reason(&excluded, first_of_a),
        Some(LeftOutReason::Excluded)
    );
    // Pinned to a team that is absent: left out as such; the absent team has no route.
    let absent = plan_with(
        &d,
        &changes(vec![
            Adjustment::Absent {
                team_id: a,
                reason: "ill".into(),
            },
            Adjustment::Pin {
                venue_id: 3,
                team_id: Some(a),
            },
        ]),
        &previous,
    );
    assert!(absent.plan.routes.iter().all(|r| r.team_id != a));
    assert_eq!(
        left_reason(&absent, 3),
        Some(LeftOutReason::PinnedTeamUnavailable)
    );
}

#[test]
fn a_locked_route_stays_and_an_ad_hoc_point_is_visited() {
    let d = day();
    let base = plan(&d);
    let before: Vec<Target> = base.plan.routes[1].stops.iter().map(|s| s.target).collect();
    let locked = base.plan.routes[1].team_id;
    let district = super::synthetic::synthetic_district(400, 0, 0, 0, super::tests::date(), 7);
    let at = super::synthetic::at_metres(&district.frame, 210.0, 190.0);
    let p = plan_with(
        &d,
        &changes(vec![
            Adjustment::Lock { team_id: locked },
            Adjustment::Adhoc {
                venue_id: None,
                at: Some([at.lon, at.lat]),
                note: Some("noise complaint".into()),
                team_id: None,
                minutes: Some(10),
            },
        ]),
        &Revising {
            previous: Some(&base.plan),
            ..Default::default()
        },
    );
    let kept = p.plan.routes.iter().find(|r| r.team_id == locked).unwrap();
    assert!(kept.locked);
    assert_eq!(
        kept.stops.iter().map(|s| s.target).collect::<Vec<_>>(),
        before
    );
    // The point (action 2) is on the other team's route: the locked one takes nothing new.
    let other = p.plan.routes.iter().find(|r| r.team_id != locked).unwrap();
    let point = other
        .stops
        .iter()
        .find(|s| s.target == Target::Point(2))
        .expect("the ad-hoc point is visited");
    assert!(point.mandatory && point.name == "noise complaint");
    assert_eq!(point.departure_s - point.start_s, 600);
    assert_schedules_hold(&p);
}

#[test]
fn a_team_goes_on_from_its_last_stop_keeping_what_is_behind_it() {
    let d = day();
    let base = plan(&d);
    let route = base
        .plan
        .routes
        .iter()
        .max_by_key(|r| r.stops.len())
        .unwrap();
    assert!(route.stops.len() >= 3, "{:?}", route.stops.len());
    let behind = route.stops[..2].to_vec();
    let (at, time) = (behind[1].at, behind[1].departure_s);
    // As a team's re-plan runs it: the other routes stay as they are.
    let others = base.plan.routes.iter().map(|r| r.team_id);
    let revising = Revising {
        previous: Some(&base.plan),
        behind: [(route.team_id, behind.clone())].into(),
        starts: [(route.team_id, (at, time))].into(),
        keep: others.filter(|t| *t != route.team_id).collect(),
    };
    let p = plan_with(&d, &Default::default(), &revising);
    let new = p
        .plan
        .routes
        .iter()
        .find(|r| r.team_id == route.team_id)
        .unwrap();
    let head: Vec<Target> = new.stops[..2].iter().map(|s| s.target).collect();
    assert_eq!(head, behind.iter().map(|s| s.target).collect::<Vec<_>>());
    assert!(new.stops[2..].iter().all(|s| s.arrival_s >= time));
    // Nothing behind the team is planned again, for it or for anyone.
    for s in &behind {
        let times = p
            .plan
            .routes
            .iter()
            .flat_map(|r| &r.stops)
            .filter(|x| x.target == s.target)
            .count();
        assert_eq!(times, 1);
    }
    // Starting from the old route's remaining stops, the rest collects at least as much.
    let old_rest: f64 = route.stops[2..].iter().map(|s| s.score).sum();
    let new_rest: f64 = new.stops[2..].iter().map(|s| s.score).sum();
    assert!(new_rest >= old_rest - 1e-9, "{new_rest} < {old_rest}");
    assert_schedules_hold(&p);
}
