//! `patrolmap bench inspections`: the inspections list (what `GET /api/inspections` answers)
//! on a store with many records. Adds `--count` generated records to the data folder's store
//! (once: later runs reuse them), then times pages of 50 under each filter a manager uses,
//! `--pages` times each, and prints p50 and p99 per filter.

use crate::model::Outcome;
use crate::store::{InspectionFilter, Store};
use rand::{Rng, SeedableRng};
use std::time::Instant;

pub fn run(data: &std::path::Path, count: usize, pages: usize, seed: u64) -> anyhow::Result<()> {
    let mut store = Store::open(data)?;
    let last_day = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).expect("a valid date");
    let have = store
        .list_inspections(&InspectionFilter::default(), None)?
        .1 as usize;
    if have < count {
        let t = Instant::now();
        store.add_bench_inspections(count - have, last_day, seed)?;
        println!(
            "added {} inspections in {:.1} s",
            count - have,
            t.elapsed().as_secs_f64()
        );
    }
    let areas: Vec<i64> = store.areas()?.iter().map(|a| a.id).collect();
    let teams: Vec<i64> = store
        .teams()?
        .iter()
        .filter(|t| t.duty == crate::planning::teams::Duty::Inspection)
        .map(|t| t.id)
        .collect();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let page = |f: InspectionFilter| InspectionFilter { limit: 50, ..f };
    type Make<'a> = Box<dyn Fn(&mut rand_chacha::ChaCha8Rng) -> InspectionFilter + 'a>;
    let cases: Vec<(&str, Make)> = vec![
        (
            "newest page",
            Box::new(|_| page(InspectionFilter::default())),
        ),
        (
            "a deep page (offset 0–10,000)",
            Box::new(|r| {
                page(InspectionFilter {
                    offset: r.random_range(0..10_000),
                    ..Default::default()
                })
            }),
        ),
        (
            "outcome = violation",
            Box::new(|_| {
                page(InspectionFilter {
                    outcome: Some(Outcome::Violation),
                    ..Default::default()
                })
            }),
        ),
        (
            "a week's records",
            Box::new(move |r| {
                let to = last_day - chrono::Days::new(r.random_range(0..350));
                page(InspectionFilter {
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
                page(InspectionFilter {
                    team: teams.get(r.random_range(0..teams.len().max(1))).copied(),
                    from: Some(to - chrono::Days::new(29)),
                    to: Some(to),
                    ..Default::default()
                })
            }),
        ),
        (
            "one area, violations with a follow-up",
            Box::new(|r| {
                page(InspectionFilter {
                    area: areas.get(r.random_range(0..areas.len().max(1))).copied(),
                    outcome: Some(Outcome::Violation),
                    has_follow_up: Some(true),
                    ..Default::default()
                })
            }),
        ),
    ];
    println!("filter                                  p50_ms   p99_ms   rows_matched(last)");
    for (name, make) in &cases {
        let mut ms = Vec::with_capacity(pages);
        let mut total = 0;
        for _ in 0..pages {
            let f = make(&mut rng);
            let t = Instant::now();
            total = store.list_inspections(&f, None)?.1;
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        ms.sort_by(f64::total_cmp);
        let at = |q: f64| ms[((ms.len() as f64 - 1.0) * q).round() as usize];
        println!("{name:<38} {:>8.2} {:>8.2}   {total}", at(0.5), at(0.99));
    }
    Ok(())
}
