//! `patrolmap bench inspections`: the inspections list (what `GET /api/inspections` answers)
//! on a store with many records. Adds generated records to the data folder's store until it
//! holds `--count` (once: later runs reuse them), then times pages of 50 under each filter a
//! manager uses, `--pages` times each, and prints p50 and p99 per filter. A first page is
//! timed as the server answers it, with its capped count; a later page follows a cursor.

use crate::model::{AreaLevel, Outcome, VenueKind};
use crate::store::{InspectionCursor, InspectionFilter, Store};
use rand::{Rng, SeedableRng};
use std::time::Instant;

type Rng8 = rand_chacha::ChaCha8Rng;
type Make<'a> = Box<dyn Fn(&mut Rng8) -> InspectionFilter + 'a>;

pub fn run(data: &std::path::Path, count: usize, pages: usize, seed: u64) -> anyhow::Result<()> {
    let mut store = Store::open(data)?;
    let last_day = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).expect("a valid date");
    let have = store.bench_inspection_count()?;
    if have < count {
        let t = Instant::now();
        store.add_bench_inspections(count - have, last_day, seed)?;
        println!(
            "added {} inspections in {:.1} s",
            count - have,
            t.elapsed().as_secs_f64()
        );
    }
    let areas = store.areas()?;
    let of_level = |level: AreaLevel| -> Vec<i64> {
        areas
            .iter()
            .filter(|a| a.level == level)
            .map(|a| a.id)
            .collect()
    };
    let (townships, communities) = (
        of_level(AreaLevel::Township),
        of_level(AreaLevel::Community),
    );
    let venues: Vec<i64> = store.venues()?.iter().map(|v| v.id).collect();
    let teams: Vec<i64> = store
        .teams()?
        .iter()
        .filter(|t| t.duty == crate::planning::teams::Duty::Inspection)
        .map(|t| t.id)
        .collect();
    let pick = |r: &mut Rng8, from: &[i64]| from.get(r.random_range(0..from.len().max(1))).copied();
    // What the web map asks first: a page and how many match.
    let first = |f: InspectionFilter| InspectionFilter {
        limit: 50,
        count: true,
        ..f
    };
    let cases: Vec<(&str, Make)> = vec![
        (
            "newest page",
            Box::new(|_| first(InspectionFilter::default())),
        ),
        (
            "a later page by cursor (any day)",
            Box::new(move |r| {
                let day = last_day - chrono::Days::new(r.random_range(0..365));
                InspectionFilter {
                    cursor: Some(InspectionCursor {
                        started_at: format!("{day}T{:02}:00", r.random_range(0..24)),
                        id: i64::MAX,
                    }),
                    ..Default::default()
                }
            }),
        ),
        (
            "a page by offset (0–10,000)",
            Box::new(|r| InspectionFilter {
                offset: r.random_range(0..10_000),
                ..Default::default()
            }),
        ),
        (
            "outcome = violation",
            Box::new(|_| {
                first(InspectionFilter {
                    outcome: Some(Outcome::Violation),
                    ..Default::default()
                })
            }),
        ),
        (
            "kind = bathhouse",
            Box::new(|_| {
                first(InspectionFilter {
                    kind: Some(VenueKind::Bathhouse),
                    ..Default::default()
                })
            }),
        ),
        (
            "kind = rental",
            Box::new(|_| {
                first(InspectionFilter {
                    kind: Some(VenueKind::Rental),
                    ..Default::default()
                })
            }),
        ),
        (
            "a week's records",
            Box::new(move |r| {
                let to = last_day - chrono::Days::new(r.random_range(0..350));
                first(InspectionFilter {
                    from: Some(to - chrono::Days::new(6)),
                    to: Some(to),
                    ..Default::default()
                })
            }),
        ),
        (
            "one team, one month",
            Box::new(|r| {
                let to = last_day - chrono::Days::new(r.random_range(0..330));
                first(InspectionFilter {
                    team: pick(r, &teams),
                    from: Some(to - chrono::Days::new(29)),
                    to: Some(to),
                    ..Default::default()
                })
            }),
        ),
        (
            "one township",
            Box::new(|r| {
                first(InspectionFilter {
                    area: pick(r, &townships),
                    ..Default::default()
                })
            }),
        ),
        (
            "one community",
            Box::new(|r| {
                first(InspectionFilter {
                    area: pick(r, &communities),
                    ..Default::default()
                })
            }),
        ),
        (
            "one township, violations with follow-up",
            Box::new(|r| {
                first(InspectionFilter {
                    area: pick(r, &townships),
                    outcome: Some(Outcome::Violation),
                    has_follow_up: Some(true),
                    ..Default::default()
                })
            }),
        ),
        (
            "review = has_issues",
            Box::new(|_| {
                first(InspectionFilter {
                    review: Some("has_issues".into()),
                    ..Default::default()
                })
            }),
        ),
        (
            "review = pending, one team",
            Box::new(|r| {
                first(InspectionFilter {
                    review: Some("pending".into()),
                    team: pick(r, &teams),
                    ..Default::default()
                })
            }),
        ),
        (
            "one venue's history, every version",
            Box::new(|r| {
                first(InspectionFilter {
                    venue: pick(r, &venues),
                    current: false,
                    ..Default::default()
                })
            }),
        ),
    ];
    let mut rng = Rng8::seed_from_u64(seed);
    println!("filter                                    p50_ms   p99_ms   total(last)");
    for (name, make) in &cases {
        let mut ms = Vec::with_capacity(pages);
        let mut total = String::from("-");
        for _ in 0..pages {
            let f = make(&mut rng);
            let t = Instant::now();
            let page = store.list_inspections(&f, None)?;
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
            if let Some((n, capped)) = page.total {
                total = format!("{n}{}", if capped { "+" } else { "" });
            }
        }
        ms.sort_by(f64::total_cmp);
        let at = |q: f64| ms[((ms.len() as f64 - 1.0) * q).round() as usize];
        println!("{name:<40} {:>8.2} {:>8.2}   {total}", at(0.5), at(0.99));
    }
    Ok(())
}
