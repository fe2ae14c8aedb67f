//! The daily plan on a small synthetic grid: hours against shifts, mandatory follow-ups, and the
//! reasons venues are left out.

use super::day::{DayInputs, plan_day};
use super::dispatch::Streets;
use super::hours::clock;
use super::plan::{LeftOutReason, Target};
use super::synthetic::{at_metres, synthetic_district};
use super::teams::Team;
use super::{PlanningConfig, RiskModel, VenueHistory};
use crate::index::SegmentIndex;
use crate::model::{FollowUp, Outcome, Venue, VenueKind, VenueStatus};
use crate::routing::optimiser::SolveOptions;
use chrono::NaiveDate;
use std::collections::HashMap;

pub(super) fn date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
}

pub(super) fn venue(id: i64, kind: VenueKind, hours: Option<&str>, east: f64, north: f64) -> Venue {
    let district = synthetic_district(400, 0, 0, 0, date(), 7);
    Venue {
        id,
        source_id: format!("v{id}"),
        kind,
        name: format!("venue {id}"),
        address: None,
        position: at_metres(&district.frame, east, north),
        opening_hours: hours.map(str::to_string),
        status: VenueStatus::Active,
        responsible_unit: None,
        complaints: 0,
        sample: false,
    }
}

pub(super) struct Day {
    pub venues: Vec<Venue>,
    pub follow_ups: Vec<FollowUp>,
    pub teams: Vec<Team>,
    pub sent_back: Vec<super::day::SentBack>,
}

pub(super) fn plan(day: &Day) -> super::day::DayPlan {
    plan_with(day, &Default::default(), &Default::default())
}

/// The day planned with a dispatcher's changes and a revision's standing.
pub(super) fn plan_with(
    day: &Day,
    adjust: &super::adjust::DayAdjustments,
    revising: &super::day::Revising,
) -> super::day::DayPlan {
    let config = PlanningConfig::default();
    let district = synthetic_district(400, 0, 0, 0, date(), 7);
    let edges = &district.city.edges;
    let index = SegmentIndex::build(district.frame, edges);
    let histories: HashMap<i64, VenueHistory> = HashMap::new();
    let risk = RiskModel::new(&config, date(), district.frame, &[], &[]);
    plan_day(&DayInputs {
        config: &config,
        date: date(),
        venues: &day.venues,
        histories: &histories,
        follow_ups: &day.follow_ups,
        sent_back: &day.sent_back,
        risk: &risk,
        teams: &day.teams,
        streets: Streets {
            edges,
            index: &index,
            frame: &district.frame,
        },
        options: SolveOptions {
            seed: 1,
            time_limit: None,
            iteration_limit: Some(200),
            threads: 1,
        },
        adjust,
        revising,
        routing: &Default::default(),
    })
}

pub(super) fn team(units: &[&str], shift: &str) -> Team {
    let district = synthetic_district(400, 0, 0, 0, date(), 7);
    super::teams::parse_teams(&format!(
        "[[team]]\nname = \"t\"\nunits = {units:?}\ndepot = [{}, {}]\nshift = \"{shift}\"\nmode = \"ebike\"\n",
        at_metres(&district.frame, 20.0, 20.0).lon,
        at_metres(&district.frame, 20.0, 20.0).lat,
    ))
    .unwrap()
    .remove(0)
}

pub(super) fn left_reason(p: &super::day::DayPlan, id: i64) -> Option<LeftOutReason> {
    p.plan
        .left_out
        .iter()
        .find(|l| l.target == Target::Venue(id))
        .map(|l| l.reason)
}

#[test]
fn a_ktv_open_20_to_02_is_planned_inside_its_hours_on_a_19_to_03_shift() {
    let day = Day {
        venues: vec![
            venue(
                1,
                VenueKind::Entertainment,
                Some("Mo-Su 20:00-02:00"),
                300.0,
                300.0,
            ),
            venue(
                2,
                VenueKind::Bathhouse,
                Some("Mo-Fr 09:00-17:00"),
                200.0,
                100.0,
            ),
            venue(
                3,
                VenueKind::Entertainment,
                Some("Mo-Su 23:00-05:00"),
                100.0,
                400.0,
            ),
        ],
        follow_ups: Vec::new(),
        teams: vec![team(&["commerce", "police"], "19:00-03:00")],
        sent_back: Vec::new(),
    };
    let p = plan(&day);
    assert_eq!(left_reason(&p, 2), Some(LeftOutReason::ShutDuringShift));
    let route = &p.plan.routes[0];
    let ktv = route
        .stops
        .iter()
        .find(|s| s.target == Target::Venue(1))
        .expect("the KTV is on the route");
    // Service of 25 minutes must start at 20:00 or later and end by 02:00.
    assert!(ktv.start_s >= 20 * 3600, "starts {}", clock(ktv.start_s));
    assert!(
        ktv.departure_s <= 26 * 3600,
        "leaves {}",
        clock(ktv.departure_s)
    );
    assert_eq!(ktv.departure_s - ktv.start_s, 25 * 60);
    // The late club (23:00–05:00) fits too, after its opening, before the shift ends.
    let late = route
        .stops
        .iter()
        .find(|s| s.target == Target::Venue(3))
        .expect("the late club is on the route");
    assert!(late.start_s >= 23 * 3600);
    assert!(route.end_s <= 27 * 3600);
    for w in route.stops.windows(2) {
        assert!(w[1].arrival_s >= w[0].departure_s);
    }
    assert!(route.path.len() >= 2, "the route runs along streets");
}

#[test]
fn due_follow_ups_are_mandatory_and_every_exclusion_has_its_reason() {
    let mut closed = venue(4, VenueKind::Rental, None, 100.0, 100.0);
    closed.status = VenueStatus::Closed;
    let mut suspended = venue(5, VenueKind::Bathhouse, None, 150.0, 100.0);
    suspended.status = VenueStatus::Suspended;
    let mut sealed = venue(6, VenueKind::Bathhouse, None, 250.0, 250.0);
    sealed.status = VenueStatus::Suspended;
    let date = |d: &str| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();
    let due = |venue_id, deadline: &str| FollowUp {
        id: venue_id,
        ..FollowUp::raised(
            venue_id,
            1,
            Outcome::Violation,
            date("2026-11-20"),
            ("re-inspect", "commerce", date(deadline)),
        )
    };
    let day = Day {
        venues: vec![
            venue(1, VenueKind::Rental, None, 300.0, 300.0),
            venue(2, VenueKind::Entertainment, None, 200.0, 100.0),
            venue(3, VenueKind::Rental, None, 400.0, 100.0),
            closed,
            suspended,
            sealed,
        ],
        follow_ups: vec![
            due(3, "2026-11-29"),
            due(6, "2026-11-27"),
            due(1, "2026-12-20"),
        ],
        teams: vec![team(&["commerce"], "09:00-17:00")],
        sent_back: Vec::new(),
    };
    let p = plan(&day);
    assert_eq!(left_reason(&p, 2), Some(LeftOutReason::NoTeamWithUnits));
    assert_eq!(left_reason(&p, 4), Some(LeftOutReason::Closed));
    assert_eq!(left_reason(&p, 5), Some(LeftOutReason::Suspended));
    let stops = &p.plan.routes[0].stops;
    let stop = |id| stops.iter().find(|s| s.target == Target::Venue(id));
    // Due within the lead days: mandatory, with the follow-up as its reason.
    let s3 = stop(3).expect("the due follow-up is served");
    assert!(s3.mandatory);
    assert_eq!(s3.reason["follow_ups"][0]["deadline"], "2026-11-29");
    // A suspended venue with a due follow-up is visited to check the seal.
    assert!(stop(6).expect("sealed venue visited").mandatory);
    // A follow-up weeks away is not yet mandatory (the venue may still be visited for its risk).
    assert!(stop(1).is_none_or(|s| !s.mandatory));
    assert_eq!(p.plan.summary.mandatory, 2);
    assert_eq!(p.plan.summary.mandatory_unserved, 0);
    // Every venue is either on the route or left out, never both, never neither.
    for v in &day.venues {
        let routed = stop(v.id).is_some();
        assert_ne!(routed, left_reason(&p, v.id).is_some(), "venue {}", v.id);
    }
    // Scores are kept for every venue that is not closed.
    assert_eq!(p.scores.len(), 5);
}

#[test]
fn a_record_sent_back_makes_its_venue_a_mandatory_stop_of_its_team_with_the_reason() {
    let mut a = team(&["commerce"], "09:00-17:00");
    a.id = 1;
    let mut b = team(&["commerce"], "09:00-17:00");
    b.id = 2;
    b.name = "b".into();
    let back = |team_id| super::day::SentBack {
        inspection_id: 9,
        uuid: "1b4e28ba-2fa1-11d2-883f-0016d3cca427".into(),
        venue_id: 2,
        team_id: Some(team_id),
        reason: Some("照片看不清，请复查".into()),
        by: Some("manager1".into()),
        at: "2026-11-20T10:00:00Z".into(),
    };
    let venues: Vec<Venue> = (1..=6)
        .map(|i| venue(i, VenueKind::Rental, None, 60.0 * i as f64, 100.0))
        .collect();
    let day = Day {
        venues: venues.clone(),
        follow_ups: Vec::new(),
        teams: vec![a.clone(), b.clone()],
        sent_back: vec![back(2)],
    };
    let p = plan(&day);
    let (route, stop) = p
        .plan
        .routes
        .iter()
        .find_map(|r| {
            r.stops
                .iter()
                .find(|s| s.target == Target::Venue(2))
                .map(|s| (r, s))
        })
        .expect("the venue sent back is served");
    assert!(stop.mandatory);
    assert_eq!(route.team_id, 2, "by the team whose record was sent back");
    assert_eq!(stop.reason["sent_back"]["reason"], "照片看不清，请复查");
    assert_eq!(stop.reason["sent_back"]["by"], "manager1");
    // That team is not out today: another team redoes it.
    let day = Day {
        venues,
        follow_ups: Vec::new(),
        teams: vec![a],
        sent_back: vec![back(2)],
    };
    let p = plan(&day);
    let stop = p.plan.routes[0]
        .stops
        .iter()
        .find(|s| s.target == Target::Venue(2));
    assert!(stop.expect("still served").mandatory);
}
