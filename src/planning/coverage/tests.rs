//! A district small enough to count by hand: two areas, eight venues, six visits, three
//! follow-ups. Every figure below was counted on paper from the lists in the test.

use super::*;
use crate::model::{AreaLevel, LonLat, VenueKind};
use geo::{MultiPolygon, polygon};

fn day(offset: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 28).unwrap() + TimeDelta::days(offset)
}

fn venue(id: i64, kind: VenueKind, status: VenueStatus) -> Venue {
    Venue {
        id,
        source_id: format!("v{id}"),
        kind,
        name: format!("venue {id}"),
        address: None,
        position: LonLat::new(0.0, 0.0),
        opening_hours: None,
        status,
        responsible_unit: None,
        complaints: 0,
        sample: false,
    }
}

fn area(id: i64, name: &str) -> Area {
    Area {
        id,
        source_id: format!("a{id}"),
        name: name.into(),
        level: AreaLevel::Community,
        parent_source_id: None,
        geometry: MultiPolygon(vec![
            polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 0.0)],
        ]),
        sample: false,
    }
}

fn visit(venue_id: i64, offset: i64, outcome: Outcome, inspector: &str) -> Visit {
    Visit {
        venue_id,
        day: day(offset),
        outcome,
        inspector: inspector.into(),
    }
}

fn follow_up(venue_id: i64, deadline: i64, status: FollowUpStatus) -> FollowUp {
    let raised = FollowUp::raised(
        venue_id,
        1,
        Outcome::Violation,
        day(deadline - 7),
        ("re-inspect", "commerce", day(deadline)),
    );
    FollowUp {
        id: venue_id,
        status,
        ..raised
    }
}

/// The hand-counted district: venues, the area of each, visits and follow-ups.
fn district() -> (Vec<Venue>, HashMap<i64, i64>, Vec<Visit>, Vec<FollowUp>) {
    use FollowUpStatus::*;
    use Outcome::*;
    use VenueKind::*;
    use VenueStatus::*;
    let venues = vec![
        venue(1, Entertainment, Active), // A: inspected 5 days ago, due every 7: covered
        venue(2, Entertainment, Active), // A: 10 days ago: overdue
        venue(3, Rental, Active),        // A: never: overdue
        venue(4, Bathhouse, Suspended),  // A: suspended, not active
        venue(5, Rental, Active),        // B: 29 days ago, due every 30: covered
        venue(6, Bathhouse, Active),     // B: 14 days ago, due every 14: covered (on the day)
        venue(7, Rental, Closed),        // B: closed, not counted
        venue(8, Rental, Active),        // outside: 31 days ago: overdue
    ];
    let area_of: HashMap<i64, i64> = [
        (1, 10),
        (2, 10),
        (3, 10),
        (4, 10),
        (5, 20),
        (6, 20),
        (7, 20),
    ]
    .into_iter()
    .collect();
    let visits = vec![
        visit(1, -5, Compliant, "alice"),
        visit(2, -10, Violation, "bob"),
        visit(2, -40, Compliant, "bob"), // before the period
        visit(5, -29, Compliant, "alice"),
        visit(6, -14, DrugRelated, "bob"),
        visit(8, -31, Compliant, "carol"), // before the period
        visit(3, 1, Compliant, "alice"),   // after the date: ignored
    ];
    let follow_ups = vec![
        follow_up(2, -3, Open), // overdue
        follow_up(6, 2, Open),  // open, not yet due
        follow_up(1, -1, Done), // done: not counted
    ];
    (venues, area_of, visits, follow_ups)
}

/// The hand district's community figures on day 0 over 30 days, with these visits.
fn counted(visits: &[Visit]) -> CoverageReport {
    let (venues, area_of, _, follow_ups) = district();
    coverage(&CoverageInputs {
        config: &PlanningConfig::default(),
        date: day(0),
        period_days: 30,
        level: "community",
        areas: &[area(10, "A"), area(20, "B")],
        venues: &venues,
        area_of: &area_of,
        visits,
        follow_ups: &follow_ups,
    })
}

#[test]
fn figures_equal_the_hand_count() {
    let report = counted(&district().2);
    let a = &report.areas[0].figures;
    assert_eq!((a.active, a.covered, a.overdue, a.suspended), (3, 1, 2, 1));
    assert_eq!((a.inspections, a.findings), (2, 1));
    assert_eq!((a.open_follow_ups, a.overdue_follow_ups), (1, 1));
    assert_eq!(a.covered_share, 0.3333);
    assert_eq!(a.inspections_by_inspector["alice"], 1);
    assert_eq!(a.inspections_by_inspector["bob"], 1);
    let b = &report.areas[1].figures;
    assert_eq!((b.active, b.covered, b.overdue, b.suspended), (2, 2, 0, 0));
    assert_eq!((b.inspections, b.findings), (2, 1));
    assert_eq!((b.open_follow_ups, b.overdue_follow_ups), (1, 0));
    assert_eq!(b.covered_share, 1.0);
    let outside = &report.areas[2];
    assert_eq!(outside.area_id, None);
    assert_eq!(
        (
            outside.figures.active,
            outside.figures.covered,
            outside.figures.inspections
        ),
        (1, 0, 0)
    );
    let t = &report.total;
    assert_eq!((t.active, t.covered, t.overdue, t.suspended), (6, 3, 3, 1));
    assert_eq!((t.inspections, t.findings), (4, 2));
    assert_eq!((t.open_follow_ups, t.overdue_follow_ups), (2, 1));
    assert_eq!(t.inspections_by_inspector.values().sum::<usize>(), 4);

    let fc = coverage_geojson(&report, &[area(10, "A"), area(20, "B")]);
    assert_eq!(fc.features.len(), 2);
    let props = fc.features[0].properties.as_ref().unwrap();
    assert_eq!(props["covered"], 1);
    assert_eq!(props["level"], "community");
}

#[test]
fn the_overdue_list_is_what_the_figures_count_most_overdue_first() {
    use Outcome::*;
    use VenueKind::*;
    use VenueStatus::*;
    let config = PlanningConfig::default();
    let venues = vec![
        venue(1, Entertainment, Active), // 5 days ago, due every 7: covered
        venue(2, Entertainment, Active), // 10 days ago: 3 days overdue
        venue(3, Rental, Active),        // never
        venue(4, Bathhouse, Suspended),  // not active: never listed
        venue(5, Rental, Active),        // 31 days ago, due every 30: 1 day overdue
        venue(6, Rental, Active),        // never
    ];
    let visits = vec![
        visit(1, -5, Compliant, "alice"),
        visit(2, -10, Violation, "bob"),
        visit(5, -31, Compliant, "alice"),
        visit(1, 3, Compliant, "alice"), // after the date: ignored
    ];
    let list = overdue(&config, day(0), &venues, &visits);
    let got: Vec<(i64, Option<i64>)> = list.iter().map(|s| (s.venue.id, s.days_overdue)).collect();
    assert_eq!(got, vec![(3, None), (6, None), (2, Some(3)), (5, Some(1))]);
    assert_eq!(list[2].last_inspected, Some(day(-10)));
    let report = coverage(&CoverageInputs {
        config: &config,
        date: day(0),
        period_days: 30,
        level: "community",
        areas: &[],
        venues: &venues,
        area_of: &HashMap::new(),
        visits: &visits,
        follow_ups: &[],
    });
    assert_eq!(report.total.overdue, list.len());
}

#[test]
fn a_ledger_of_venue_parts_sums_to_the_figures_and_follows_a_new_visit() {
    let config = PlanningConfig::default();
    let (venues, area_of, mut visits, follow_ups) = district();
    let parts = venue_figures(&config, day(0), 30, &venues, &visits, &follow_ups);
    let held = |v: i64| area_of.get(&v).map(|a| vec![*a]).unwrap_or_default();
    let mut ledger = CoverageLedger::new(parts, held);
    for a in &counted(&visits).areas[..2] {
        assert_eq!(ledger.figures(a.area_id.unwrap()), a.figures, "{}", a.name);
    }
    // Venue 3 (area A, never inspected) is inspected today: only its part is counted again.
    visits.push(visit(3, 0, Outcome::Violation, "carol"));
    let of_3: Vec<Visit> = visits.iter().filter(|v| v.venue_id == 3).cloned().collect();
    let part = venue_figures(&config, day(0), 30, &venues[2..3], &of_3, &[]).remove(&3);
    assert_eq!(ledger.replace(3, held(3), part.unwrap()), vec![10]);
    let after = counted(&visits);
    assert_eq!(ledger.figures(10), after.areas[0].figures);
    assert_eq!(ledger.figures(10).covered, 2);
    assert_eq!(ledger.figures(20), after.areas[1].figures);
}
