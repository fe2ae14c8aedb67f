//! `patrolmap bench lighting`: the whole lighting model on a seeded synthetic city, stage by
//! stage, with the process's peak memory, then (with `--lamp-changes N`) N single lamp changes
//! judged again within their reach, with p50 and p99.

use crate::index::CityIndex;
use crate::lighting::synthetic::synthetic_city;
use crate::lighting::{EvaluatedCity, LampChange, LightingConfig, LightingModel, Stages};
use crate::model::LampStatus;
use rand::{Rng, SeedableRng};
use std::time::Instant;

pub struct Sizes {
    pub edges: usize,
    pub lamps: usize,
    pub seed: u64,
    pub proposals: usize,
    pub lamp_changes: usize,
}

pub fn run(sizes: Sizes) -> anyhow::Result<()> {
    let Sizes {
        edges,
        lamps,
        seed,
        proposals,
        lamp_changes,
    } = sizes;
    let t = Instant::now();
    let city = synthetic_city(edges, lamps, seed);
    let generate = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let index = CityIndex::build(&city.venues, &city.lamps, &city.corners, &city.edges);
    let indexes = t.elapsed().as_secs_f64();
    let config = LightingConfig::default();
    let model = LightingModel::new(&index, &city.edges, &city.lamps, &config);
    let build = t.elapsed().as_secs_f64();
    let mb_before = peak_mb();
    let t = Instant::now();
    // Only the summary is kept, so that the second run's peak memory is its own.
    let mut stages = Stages::default();
    let s = model
        .evaluate_timed(&city.edges, &city.corners, &city.venues, 0, &mut stages)
        .summary;
    let evaluate = t.elapsed().as_secs_f64();
    let mb_evaluate = peak_mb();
    let t = Instant::now();
    let mut stages_with = Stages::default();
    let with_proposals = model
        .evaluate_timed(
            &city.edges,
            &city.corners,
            &city.venues,
            proposals,
            &mut stages_with,
        )
        .summary;
    let evaluate_and_propose = t.elapsed().as_secs_f64();
    let mb_full = peak_mb();
    drop(model);
    let changes = (lamp_changes > 0)
        .then(|| lamp_change_figures(city, index, &config, lamp_changes, seed))
        .transpose()?;
    println!(
        "{}",
        serde_json::json!({
            "edges": edges, "lamps": lamps, "corners": s.corners_judged, "venues": edges / 50,
            "threads": rayon::current_num_threads(),
            "samples": s.samples, "blind_spots": s.blind_spots, "data_gaps": s.data_gaps,
            "deficit_total_lx": s.deficit_total_lx, "broken_lamp_impact_lx": s.broken_lamp_impact_lx,
            "proposals_removed_lx": with_proposals.proposals_removed_lx,
            "seconds": {
                "generate": generate,
                "city_indexes": indexes,
                "index_and_lamps": build,
                "evaluate": evaluate,
                "evaluate_stages": laps(&stages),
                "evaluate_with_proposals": evaluate_and_propose,
                "evaluate_with_proposals_stages": laps(&stages_with),
                "full": build + evaluate_and_propose,
            },
            "peak_mb": {
                "after_build": mb_before,
                "after_evaluate": mb_evaluate,
                "after_evaluate_with_proposals": mb_full,
                "at_end": peak_mb(),
            },
            "lamp_changes": changes,
        })
    );
    Ok(())
}

fn laps(stages: &Stages) -> serde_json::Value {
    stages
        .laps
        .iter()
        .map(|(name, s)| ((*name).to_string(), serde_json::json!(s)))
        .collect::<serde_json::Map<_, _>>()
        .into()
}

/// Builds the evaluated city, then flips the status of `n` random lamps one at a time (a
/// working lamp fails, a broken one is repaired) and times each change.
fn lamp_change_figures(
    city: crate::lighting::synthetic::SyntheticCity,
    index: CityIndex,
    config: &LightingConfig,
    n: usize,
    seed: u64,
) -> anyhow::Result<serde_json::Value> {
    let t = Instant::now();
    let mut lamps = city.lamps;
    let mut evaluated = EvaluatedCity::new(
        index,
        city.edges,
        city.corners,
        &city.venues,
        &lamps,
        config,
    );
    let build = t.elapsed().as_secs_f64();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed ^ 0x1a3f);
    let mut ms = Vec::with_capacity(n);
    let (mut edges_changed, mut corners_changed) = (0, 0);
    for _ in 0..n {
        let k = rng.random_range(0..lamps.len());
        let status = match lamps[k].status {
            LampStatus::Broken => LampStatus::Working,
            _ => LampStatus::Broken,
        };
        lamps[k].status = status;
        let change = LampChange::Status {
            id: lamps[k].id,
            status,
        };
        let t = Instant::now();
        let delta = evaluated.apply(&change)?;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
        edges_changed += delta.edges.len();
        corners_changed += delta.corners.len();
    }
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| ms[((ms.len() - 1) as f64 * q).round() as usize];
    Ok(serde_json::json!({
        "changes": n,
        "build_seconds": build,
        "p50_ms": at(0.5), "p99_ms": at(0.99), "max_ms": at(1.0),
        "edges_changed": edges_changed, "corners_changed": corners_changed,
        "peak_mb": peak_mb(),
    }))
}

/// The process's peak resident memory so far (VmHWM), in MB; `None` where /proc has no answer.
fn peak_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}
