//! `patrolmap bench …`: timed runs on seeded synthetic data, for the figures in the notes. Run it
//! under `/usr/bin/time -v` for peak memory. Tests never time anything; this does.

use crate::index::CityIndex;
use crate::routing::{PathFinder, StreetGraph, TICKS_PER_SECOND, TravelMode, travel_matrix};
use crate::store::Store;
use clap::Subcommand;
use rand::{Rng, SeedableRng};
use std::time::Instant;

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Prepares a seeded synthetic city in the data folder (DESIGN.md §5's sizes at `--scale 1`)
    /// for `patrolmap serve`, timing each stage.
    City(super::bench_city::CityArgs),
    /// The full lighting evaluation on a synthetic street grid.
    Lighting {
        /// Street edges (a district is 50,000, a city 500,000).
        #[arg(long, default_value_t = 50_000)]
        edges: usize,
        /// Lamps (a district is 20,000, a city 200,000).
        #[arg(long, default_value_t = 20_000)]
        lamps: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Lamp proposals to pick.
        #[arg(long, default_value_t = 10)]
        proposals: usize,
        /// Then this many single lamp changes judged again within their reach (p50/p99).
        #[arg(long, default_value_t = 0)]
        lamp_changes: usize,
    },
    /// The optimiser on one TOPTW benchmark instance; prints one JSON line.
    Toptw {
        file: std::path::PathBuf,
        /// Number of routes (m).
        #[arg(long)]
        routes: usize,
        /// Distance decimals of the set (1 for Solomon, 2 for Cordeau), truncated.
        #[arg(long)]
        decimals: u32,
        #[command(flatten)]
        search: super::toptw::SearchArgs,
    },
    /// Every (instance, m) pair of DIR/bks.csv, as a table with the mean ratio to best-known.
    ToptwSuite {
        dir: std::path::PathBuf,
        /// Only instances whose name starts with this.
        #[arg(long)]
        only: Option<String>,
        #[command(flatten)]
        search: super::toptw::SearchArgs,
    },
    /// The daily plan on a synthetic district: problem and matrix build time, plan quality.
    Plan {
        #[arg(long, default_value_t = 50_000)]
        edges: usize,
        /// Entertainment venues and bathhouses.
        #[arg(long, default_value_t = 1_000)]
        venues: usize,
        #[arg(long, default_value_t = 10_000)]
        rentals: usize,
        #[arg(long, default_value_t = 20)]
        teams: usize,
        /// Search times to compare, in seconds.
        #[arg(long, value_delimiter = ',', default_value = "2,10")]
        seconds: Vec<f64>,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// A dispatcher's action on the synthetic district's plan (a stop moved to another team)
    /// and the re-optimisation after it, warm (from the plan) and cold, at each budget.
    Dispatch {
        #[arg(long, default_value_t = 50_000)]
        edges: usize,
        #[arg(long, default_value_t = 1_000)]
        venues: usize,
        #[arg(long, default_value_t = 10_000)]
        rentals: usize,
        #[arg(long, default_value_t = 20)]
        teams: usize,
        /// Search time of the plan before the action.
        #[arg(long, default_value_t = 10.0)]
        base_seconds: f64,
        /// Re-optimisation budgets, in seconds.
        #[arg(long, value_delimiter = ',', default_value = "0.5,1,2")]
        seconds: Vec<f64>,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// The inspections list on the data folder's store with `--count` records (generated ones
    /// added once): p50 and p99 of a page under each manager's filter.
    Inspections {
        #[arg(long, default_value_t = 1_000_000)]
        count: usize,
        /// Pages timed per filter.
        #[arg(long, default_value_t = 200)]
        pages: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Adds synthetic venues spread over the store's extent (for load tests of the server:
    /// `bench venues --count 100000`, then `patrolmap serve` and `benches/http/load.mjs`).
    Venues {
        #[arg(long, default_value_t = 100_000)]
        count: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Street routing on the store's network: contraction, a travel-time table, a route's geometry.
    Routing {
        #[arg(long, default_value = "car", value_parser = TravelMode::parse)]
        mode: TravelMode,
        /// Places in the travel-time table (a square table of this size).
        #[arg(long, default_value_t = 1000)]
        places: usize,
        /// Stops of the sample route whose street geometry is built.
        #[arg(long, default_value_t = 20)]
        stops: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

pub fn run(data: &std::path::Path, what: BenchCommand) -> anyhow::Result<()> {
    match what {
        BenchCommand::City(args) => super::bench_city::run(data, args)?,
        BenchCommand::Routing {
            mode,
            places,
            stops,
            seed,
        } => routing(data, mode, places, stops, seed)?,
        BenchCommand::Venues { count, seed } => add_venues(data, count, seed)?,
        BenchCommand::Inspections { count, pages, seed } => {
            super::bench_inspections::run(data, count, pages, seed)?
        }
        BenchCommand::Plan {
            edges,
            venues,
            rentals,
            teams,
            seconds,
            seed,
        } => plan(edges, venues, rentals, teams, &seconds, seed)?,
        BenchCommand::Dispatch {
            edges,
            venues,
            rentals,
            teams,
            base_seconds,
            seconds,
            seed,
        } => super::bench_dispatch::run(
            super::bench_dispatch::Sizes {
                edges,
                venues,
                rentals,
                teams,
            },
            base_seconds,
            &seconds,
            seed,
        )?,
        BenchCommand::Toptw {
            file,
            routes,
            decimals,
            search,
        } => {
            let run = super::toptw::run_instance(&file, routes, decimals, &search)?;
            println!("{}", serde_json::to_string(&run)?);
        }
        BenchCommand::ToptwSuite { dir, only, search } => {
            super::toptw::run_suite(&dir, only.as_deref(), &search)?
        }
        BenchCommand::Lighting {
            edges,
            lamps,
            seed,
            proposals,
            lamp_changes,
        } => super::bench_lighting::run(super::bench_lighting::Sizes {
            edges,
            lamps,
            seed,
            proposals,
            lamp_changes,
        })?,
    }
    Ok(())
}

/// Random places a few metres off random streets of the store, as venues are.
fn routing(
    data: &std::path::Path,
    mode: TravelMode,
    n: usize,
    stops: usize,
    seed: u64,
) -> anyhow::Result<()> {
    let store = Store::open(data)?;
    let edges = store.street_edges()?;
    anyhow::ensure!(
        !edges.is_empty(),
        "the store has no streets: import an OSM extract first"
    );
    let city = CityIndex::build(&[], &[], &[], &edges);
    let t = Instant::now();
    let graph = StreetGraph::build(&edges, mode);
    let contract = t.elapsed().as_secs_f64();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut places = Vec::with_capacity(n);
    while places.len() < n {
        let e = &edges[rng.random_range(0..edges.len())];
        let p = e.geometry[rng.random_range(0..e.geometry.len())];
        let m = city.frame.to_metric(p);
        let off = city.frame.to_lonlat([
            m[0] + rng.random_range(-15.0..15.0),
            m[1] + rng.random_range(-15.0..15.0),
        ]);
        if let Some(place) = graph.place(off, &edges, &city.streets, &city.frame) {
            places.push(place);
        }
    }
    let t = Instant::now();
    let matrix = travel_matrix(&graph, &places);
    let table = t.elapsed().as_secs_f64();
    let unreachable = (0..n)
        .flat_map(|i| (0..n).map(move |j| (i, j)))
        .filter(|(i, j)| matrix.get(*i, *j).is_none())
        .count();
    // A route through the first `stops` places, nearest unvisited next, with its street geometry.
    let t = Instant::now();
    let mut finder = PathFinder::new(&graph, &edges);
    let mut order = vec![0usize];
    while order.len() < stops.min(n) {
        let last = *order.last().unwrap_or(&0);
        let next = (0..stops.min(n))
            .filter(|j| !order.contains(j))
            .min_by_key(|j| matrix.get(last, *j).unwrap_or(u32::MAX));
        order.extend(next);
    }
    let legs: Vec<_> = order
        .windows(2)
        .filter_map(|w| finder.leg(&places[w[0]], &places[w[1]]))
        .collect();
    let route = t.elapsed().as_secs_f64();
    let points: usize = legs.iter().map(|l| l.line.len()).sum();
    let metres: f64 = legs
        .iter()
        .flat_map(|l| l.line.windows(2).map(|w| city.frame.distance_m(w[0], w[1])))
        .sum();
    println!(
        "{}",
        serde_json::json!({
            "mode": mode.as_str(), "edges": edges.len(), "graph_nodes": graph.nodes(),
            "places": n, "unreachable_pairs": unreachable,
            "route": {"stops": order.len(), "legs": legs.len(), "line_points": points, "metres": metres,
                      "minutes": legs.iter().map(|l| l.seconds).sum::<f64>() / 60.0},
            "seconds": {"contract": contract, "matrix": table, "route_geometry": route},
            "ticks_per_second": TICKS_PER_SECOND,
        })
    );
    Ok(())
}

/// A synthetic district with its street index and the findings its history holds, as the
/// plan and dispatch benchmarks start from.
pub(super) struct BenchDistrict {
    pub d: crate::planning::synthetic::SyntheticDistrict,
    pub index: crate::index::SegmentIndex,
    pub findings: Vec<crate::planning::Finding>,
    pub date: chrono::NaiveDate,
}

impl BenchDistrict {
    /// The district's day planned as the server plans it, with these changes and this start.
    pub(super) fn day(
        &self,
        config: &crate::planning::PlanningConfig,
        risk: &crate::planning::RiskModel,
        options: crate::routing::optimiser::SolveOptions,
        adjust: &crate::planning::adjust::DayAdjustments,
        revising: &crate::planning::day::Revising,
        routing: &crate::routing::RoutingCache,
    ) -> crate::planning::day::DayPlan {
        crate::planning::day::plan_day(&crate::planning::day::DayInputs {
            config,
            date: self.date,
            venues: &self.d.venues,
            histories: &self.d.histories,
            follow_ups: &self.d.follow_ups,
            sent_back: &[],
            risk,
            teams: &self.d.teams,
            streets: crate::planning::dispatch::Streets {
                edges: &self.d.city.edges,
                index: &self.index,
                frame: &self.d.frame,
            },
            options,
            adjust,
            revising,
            routing,
        })
    }
}

pub(super) fn bench_district(
    edges: usize,
    venues: usize,
    rentals: usize,
    teams: usize,
    seed: u64,
) -> BenchDistrict {
    use crate::planning::Finding;
    use crate::planning::synthetic::synthetic_district;
    let date = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).expect("a valid date");
    let t = Instant::now();
    let d = synthetic_district(edges, venues, rentals, teams, date, seed);
    println!(
        "district: {} street edges, {} venues, {} teams, {} open follow-ups (generated in {:.2} s)",
        d.city.edges.len(),
        d.venues.len(),
        d.teams.len(),
        d.follow_ups.len(),
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let index = crate::index::SegmentIndex::build(d.frame, &d.city.edges);
    let index_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let graph = StreetGraph::build(&d.city.edges, TravelMode::Ebike);
    println!(
        "street index {index_s:.2} s; e-bike contraction alone {:.2} s ({} nodes)",
        t.elapsed().as_secs_f64(),
        graph.nodes()
    );
    drop(graph);
    let findings: Vec<Finding> = d
        .venues
        .iter()
        .filter(|v| {
            d.histories
                .get(&v.id)
                .and_then(|h| h.last_outcome)
                .is_some_and(|o| o.is_finding())
        })
        .map(|v| Finding {
            at: v.position,
            on: date,
        })
        .collect();
    BenchDistrict {
        d,
        index,
        findings,
        date,
    }
}

fn plan(
    edges: usize,
    venues: usize,
    rentals: usize,
    teams: usize,
    seconds: &[f64],
    seed: u64,
) -> anyhow::Result<()> {
    use crate::planning::{PlanningConfig, RiskModel};
    use crate::routing::optimiser::SolveOptions;
    let district = bench_district(edges, venues, rentals, teams, seed);
    let config = PlanningConfig::default();
    let risk = RiskModel::new(
        &config,
        district.date,
        district.d.frame,
        &[],
        &district.findings,
    );
    println!(
        "seconds  build_s  (contraction  problem+matrix)  search_s  iterations  candidates  stops  score      high-risk visited"
    );
    for &s in seconds {
        let day = district.day(
            &config,
            &risk,
            SolveOptions {
                seed,
                time_limit: Some(std::time::Duration::from_secs_f64(s)),
                iteration_limit: None,
                threads: 2,
            },
            &Default::default(),
            &Default::default(),
            &Default::default(),
        );
        let p = &day.plan.summary;
        println!(
            "{s:>7}  {:>7.2}  ({:>11.2}  {:>14.2})  {:>8.2}  {:>10}  {:>10}  {:>5}  {:>9.2}  {}/{} ({:.1}%)",
            p.build_seconds,
            p.contraction_seconds,
            p.build_seconds - p.contraction_seconds,
            p.search_seconds,
            p.iterations,
            p.candidates,
            p.stops,
            p.score,
            p.high_risk_visited,
            p.high_risk,
            100.0 * p.high_risk_visited as f64 / p.high_risk.max(1) as f64
        );
    }
    Ok(())
}

/// Synthetic registry rows (`bench:N`, marked sample) at uniform random spots of the extent.
fn add_venues(data: &std::path::Path, count: usize, seed: u64) -> anyhow::Result<()> {
    use crate::model::{LonLat, Venue, VenueKind};
    use rand::{Rng, SeedableRng};
    let mut store = crate::store::Store::open(data)?;
    let extent = store.extent()?.ok_or_else(|| {
        anyhow::anyhow!("the store is empty: run `patrolmap demo --no-serve` first")
    })?;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let venues: Vec<Venue> = (0..count)
        .map(|i| {
            let kind = match rng.random_range(0..20) {
                0 => VenueKind::Entertainment,
                1 => VenueKind::Bathhouse,
                _ => VenueKind::Rental,
            };
            Venue::sample(
                format!("bench:{i}"),
                kind,
                format!("bench venue {i}"),
                LonLat::new(
                    rng.random_range(extent.west..=extent.east),
                    rng.random_range(extent.south..=extent.north),
                ),
            )
        })
        .collect();
    let t = Instant::now();
    let summary = store.import_venues("bench", &venues)?;
    print!("{summary}");
    println!(
        "{count} synthetic venues stored in {:.1} s over {:.5},{:.5},{:.5},{:.5}",
        t.elapsed().as_secs_f64(),
        extent.west,
        extent.south,
        extent.east,
        extent.north
    );
    // A box of a hundredth of the extent's area holds about 1% of them.
    let c = extent.center();
    let (dx, dy) = (
        (extent.east - extent.west) / 20.0,
        (extent.north - extent.south) / 20.0,
    );
    println!(
        "a bbox of about 1%: {:.6},{:.6},{:.6},{:.6}",
        c.lon - dx,
        c.lat - dy,
        c.lon + dx,
        c.lat + dy
    );
    Ok(())
}
