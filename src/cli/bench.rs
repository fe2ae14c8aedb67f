//! `patrolmap bench …`: timed runs on seeded synthetic data, for the figures in the notes. Run it
//! under `/usr/bin/time -v` for peak memory. Tests never time anything; this does.

use crate::index::CityIndex;
use crate::lighting::synthetic::synthetic_city;
use crate::lighting::{LightingConfig, LightingModel};
use crate::routing::{PathFinder, StreetGraph, TICKS_PER_SECOND, TravelMode, travel_matrix};
use crate::store::Store;
use clap::Subcommand;
use rand::{Rng, SeedableRng};
use std::time::Instant;

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
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
        BenchCommand::Routing {
            mode,
            places,
            stops,
            seed,
        } => routing(data, mode, places, stops, seed)?,
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
        } => {
            let t = Instant::now();
            let city = synthetic_city(edges, lamps, seed);
            let generate = t.elapsed().as_secs_f64();
            let t = Instant::now();
            let index = CityIndex::build(&city.venues, &city.lamps, &city.corners, &city.edges);
            let indexes = t.elapsed().as_secs_f64();
            let config = LightingConfig::default();
            let model = LightingModel::new(&index, &city.edges, &city.lamps, &config);
            let build = t.elapsed().as_secs_f64();
            let t = Instant::now();
            // Only the summary is kept, so the second run's peak memory is its own.
            let s = model
                .evaluate(&city.edges, &city.corners, &city.venues, 0)
                .summary;
            let evaluate = t.elapsed().as_secs_f64();
            let t = Instant::now();
            let with_proposals =
                model.evaluate(&city.edges, &city.corners, &city.venues, proposals);
            let evaluate_and_propose = t.elapsed().as_secs_f64();
            println!(
                "{}",
                serde_json::json!({
                    "edges": edges, "lamps": lamps, "corners": city.corners.len(), "venues": city.venues.len(),
                    "threads": rayon::current_num_threads(),
                    "samples": s.samples, "blind_spots": s.blind_spots, "data_gaps": s.data_gaps,
                    "deficit_total_lx": s.deficit_total_lx, "broken_lamp_impact_lx": s.broken_lamp_impact_lx,
                    "proposals_removed_lx": with_proposals.summary.proposals_removed_lx,
                    "seconds": {
                        "generate": generate,
                        "city_indexes": indexes,
                        "index_and_lamps": build,
                        "evaluate": evaluate,
                        "evaluate_with_proposals": evaluate_and_propose,
                        "full": build + evaluate_and_propose,
                    }
                })
            );
        }
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
