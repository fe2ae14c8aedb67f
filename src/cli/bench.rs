//! `patrolmap bench …`: timed runs on seeded synthetic data, for the figures in the notes. Run it
//! under `/usr/bin/time -v` for peak memory. Tests never time anything; this does.

use crate::index::CityIndex;
use crate::lighting::synthetic::synthetic_city;
use crate::lighting::{LightingConfig, LightingModel};
use clap::Subcommand;
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
}

pub fn run(what: BenchCommand) -> anyhow::Result<()> {
    match what {
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
