//! Periods parse to their days; rows rank by covered share, then on-time share, then name;
//! the area rows are coverage's own figures and a unit counts what it answers for.

use super::*;
use crate::model::{AreaLevel, FollowUpStatus, LonLat, Outcome, VenueKind, VenueStatus};
use crate::planning::coverage::Visit;
use geo::{MultiPolygon, polygon};

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap()
}

#[test]
fn months_and_quarters_parse_to_their_first_and_last_days() {
    let p = Period::parse("2026-11").unwrap();
    assert_eq!((p.first, p.last, p.days()), (day(11, 1), day(11, 30), 30));
    assert_eq!(p.label, "2026-11");
    let feb = Period::parse(" 2028-02 ").unwrap();
    assert_eq!(feb.days(), 29, "a leap year's February");
    let q = Period::parse("2026-q1").unwrap();
    assert_eq!(
        (q.label.as_str(), q.first, q.last),
        ("2026-Q1", day(1, 1), day(3, 31))
    );
    assert_eq!(Period::parse("2026-Q4").unwrap().last, day(12, 31));
    assert_eq!(Period::month_of(day(12, 2)).label, "2026-12");
    for bad in [
        "2026-13",
        "2026-00",
        "2026-Q5",
        "2026-Q0",
        "26-11",
        "2026-1",
        "2026",
        "十一月",
        "",
    ] {
        let e = Period::parse(bad).unwrap_err();
        assert!(e.contains(&format!("{:?}", bad.trim())), "{bad}: {e}");
    }
}

fn figures(covered_share: f64, on_time_share: f64) -> Figures {
    Figures {
        covered_share,
        on_time_share,
        ..Default::default()
    }
}

#[test]
fn rows_rank_by_covered_share_then_on_time_share_and_ties_share_a_rank() {
    let (a, b, c, d) = (
        figures(0.9, 0.5),
        figures(0.9, 0.8),
        figures(0.5, 1.0),
        figures(0.9, 0.5),
    );
    let rows = [
        ("乙街道", &a),
        ("甲街道", &b),
        ("丙街道", &c),
        ("丁街道", &d),
    ];
    assert_eq!(rank(&rows), [2, 1, 4, 2]);
    assert!(rank(&[]).is_empty());
}

fn venue(id: i64, unit: &str) -> Venue {
    Venue {
        id,
        source_id: format!("v{id}"),
        kind: VenueKind::Entertainment,
        name: format!("venue {id}"),
        address: None,
        position: LonLat::new(0.5, 0.5),
        opening_hours: None,
        status: VenueStatus::Active,
        responsible_unit: Some(unit.into()),
        complaints: 0,
        sample: false,
    }
}

fn area(id: i64, name: &str) -> Area {
    Area {
        id,
        source_id: format!("a{id}"),
        name: name.into(),
        level: AreaLevel::Township,
        parent_source_id: None,
        geometry: MultiPolygon(vec![
            polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 0.0)],
        ]),
        sample: false,
    }
}

#[test]
fn area_rows_are_coverage_on_the_last_day_and_units_count_what_they_answer_for() {
    let config = PlanningConfig::default();
    let period = Period::parse("2026-11").unwrap();
    let venues = [venue(1, "商务局"), venue(2, "商务局"), venue(3, "文旅局")];
    let areas = [area(10, "东街道"), area(20, "西街道")];
    let area_of = HashMap::from([(1, 10), (2, 20), (3, 20)]);
    let visit = |venue_id, d, outcome| Visit {
        venue_id,
        day: day(11, d),
        outcome,
        inspector: "t".into(),
    };
    // Venue 1 inspected on the 28th (covered on the 30th); 2 in October (outside the period);
    // 3 on the 5th with a finding.
    let visits = [
        visit(1, 28, Outcome::Compliant),
        visit(3, 5, Outcome::Violation),
        Visit {
            day: day(10, 20),
            ..visit(2, 1, Outcome::Compliant)
        },
    ];
    let raised = |id, venue_id, unit: &str, deadline| {
        let mut f = FollowUp::raised(
            venue_id,
            id,
            Outcome::Violation,
            day(11, 5),
            ("复查", unit, deadline),
        );
        f.id = id;
        f
    };
    // Dealt with late (deadline the 12th, closed the 15th: 10 days), escalated to the police.
    let mut late = raised(1, 3, "文旅局", day(11, 12));
    late.status = FollowUpStatus::Done;
    late.closed_on = Some(day(11, 15));
    late.level = 1;
    late.escalated_to = Some("属地派出所".into());
    // Dealt with on time (closed the 7th: 2 days).
    let mut on_time = raised(2, 3, "文旅局", day(11, 12));
    on_time.status = FollowUpStatus::Done;
    on_time.closed_on = Some(day(11, 7));
    // Still open and late on the 30th.
    let open = raised(3, 1, "商务局", day(11, 20));
    let follow_ups = [late, on_time, open];
    let a = assessment(&AssessmentInputs {
        config: &config,
        period: &period,
        as_of: day(12, 15),
        level: "township",
        areas: &areas,
        venues: &venues,
        area_of: &area_of,
        visits: &visits,
        follow_ups: &follow_ups,
    });
    let cov = coverage(&CoverageInputs {
        config: &config,
        date: day(11, 30),
        period_days: 30,
        level: "township",
        areas: &areas,
        venues: &venues,
        area_of: &area_of,
        visits: &visits,
        follow_ups: &follow_ups,
    });
    for row in &a.areas {
        let c = cov.areas.iter().find(|c| c.area_id == row.area_id).unwrap();
        assert_eq!(row.figures, Figures::from(&c.figures), "{}", row.name);
    }
    assert_eq!(a.days, 30);
    let east = &a.areas.iter().find(|r| r.name == "东街道").unwrap().figures;
    assert_eq!((east.venues, east.covered, east.open_late), (1, 1, 1));
    assert_eq!(
        east.on_time_share, 0.0,
        "its one due follow-up is open and late"
    );
    let west = &a.areas.iter().find(|r| r.name == "西街道").unwrap().figures;
    assert_eq!(
        (west.venues, west.covered, west.inspections, west.findings),
        (2, 0, 1, 1)
    );
    assert_eq!((west.on_time, west.late, west.escalated), (1, 1, 1));
    assert_eq!(west.average_days_to_close, Some(6.0));
    assert_eq!(west.on_time_share, 0.5);
    // East covers all it has: ranked first though its follow-up is late.
    let ranks: Vec<(&str, Option<usize>)> =
        a.areas.iter().map(|r| (r.name.as_str(), r.rank)).collect();
    assert_eq!(ranks, [("东街道", Some(1)), ("西街道", Some(2))]);

    let unit = |name: &str| &a.units.iter().find(|u| u.unit == name).unwrap().figures;
    let commerce = unit("商务局");
    assert_eq!(
        (
            commerce.venues,
            commerce.covered,
            commerce.raised,
            commerce.open_late
        ),
        (2, 1, 1, 1)
    );
    let culture = unit("文旅局");
    assert_eq!(
        (culture.venues, culture.inspections, culture.findings),
        (1, 1, 1)
    );
    assert_eq!((culture.raised, culture.on_time, culture.late), (1, 1, 0));
    let police = unit("属地派出所");
    assert_eq!(
        (police.venues, police.raised, police.late, police.escalated),
        (0, 1, 1, 1)
    );
    assert_eq!(police.covered_share, 1.0, "no venues of its own to cover");
    let order: Vec<(&str, usize)> = a.units.iter().map(|u| (u.unit.as_str(), u.rank)).collect();
    assert_eq!(order, [("属地派出所", 1), ("商务局", 2), ("文旅局", 3)]);
}
