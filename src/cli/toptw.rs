//! `patrolmap bench toptw` and `toptw-suite`: the optimiser on the public TOPTW benchmarks, every
//! solution checked by the independent feasibility check before it is printed.

use crate::ingest::toptw::read_toptw;
use crate::routing::benchmark::toptw_problem;
use crate::routing::optimiser::{SolveOptions, check, solve};
use anyhow::Context;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, Clone, clap::Args)]
pub struct SearchArgs {
    /// Wall-clock limit per run.
    #[arg(long)]
    pub seconds: Option<f64>,
    /// Iterations per search thread: the same result on any machine.
    #[arg(long)]
    pub iterations: Option<u64>,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[arg(long, default_value_t = 2)]
    pub threads: usize,
}

impl SearchArgs {
    fn options(&self) -> anyhow::Result<SolveOptions> {
        anyhow::ensure!(
            self.seconds.is_some() || self.iterations.is_some(),
            "give --seconds, --iterations or both"
        );
        Ok(SolveOptions {
            seed: self.seed,
            time_limit: self.seconds.map(Duration::from_secs_f64),
            iteration_limit: self.iterations,
            threads: self.threads,
        })
    }
}

/// One run's outcome, in the file's own vertex numbers.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ToptwRun {
    pub instance: String,
    pub m: usize,
    pub score: i64,
    pub routes: Vec<Vec<usize>>,
    pub seconds: f64,
}

pub fn run_instance(
    file: &Path,
    routes: usize,
    decimals: u32,
    search: &SearchArgs,
) -> anyhow::Result<ToptwRun> {
    let instance = read_toptw(file)?;
    let problem = toptw_problem(&instance, routes, decimals);
    let report = solve(&problem, &search.options()?).map_err(anyhow::Error::msg)?;
    let broken = check(&problem, &report.solution);
    anyhow::ensure!(
        broken.is_empty(),
        "{}: the solution fails the check: {}",
        instance.name,
        broken.join("; ")
    );
    Ok(ToptwRun {
        instance: instance.name,
        m: routes,
        score: report.solution.score,
        routes: report
            .solution
            .routes
            .iter()
            .map(|r| r.iter().map(|s| problem.stops[*s].location).collect())
            .collect(),
        seconds: report.seconds,
    })
}

/// A row of `bks.csv`.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct BestKnown {
    pub instance: String,
    pub set: String,
    pub m: usize,
    pub bks: i64,
}

pub fn best_known(dir: &Path) -> anyhow::Result<Vec<BestKnown>> {
    let path = dir.join("bks.csv");
    let mut reader =
        csv::Reader::from_path(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut rows = Vec::new();
    for (i, row) in reader.deserialize().enumerate() {
        rows.push(row.with_context(|| format!("{}: line {}", path.display(), i + 2))?);
    }
    Ok(rows)
}

/// Where an instance of a set lives, and its distance decimals.
pub fn locate(dir: &Path, row: &BestKnown) -> anyhow::Result<(PathBuf, u32)> {
    let (folder, decimals) = match row.set.as_str() {
        "solomon_100" => ("solomon_100", 1),
        "cordeau" => ("cordeau", 2),
        other => anyhow::bail!("bks.csv: unknown set {other:?}"),
    };
    Ok((
        dir.join(folder).join(format!("{}.txt", row.instance)),
        decimals,
    ))
}

pub fn run_suite(dir: &Path, only: Option<&str>, search: &SearchArgs) -> anyhow::Result<()> {
    let rows: Vec<BestKnown> = best_known(dir)?
        .into_iter()
        .filter(|r| only.is_none_or(|o| r.instance.starts_with(o)))
        .collect();
    println!(
        "{:<8} {:>2} {:>6} {:>6} {:>7} {:>7}",
        "instance", "m", "score", "bks", "ratio", "seconds"
    );
    let mut ratios = Vec::new();
    for row in &rows {
        let (file, decimals) = locate(dir, row)?;
        let run = run_instance(&file, row.m, decimals, search)?;
        let ratio = run.score as f64 / row.bks as f64;
        ratios.push(ratio);
        println!(
            "{:<8} {:>2} {:>6} {:>6} {:>7.4} {:>7.2}",
            row.instance, row.m, run.score, row.bks, ratio, run.seconds
        );
    }
    let mean = ratios.iter().sum::<f64>() / ratios.len().max(1) as f64;
    println!("mean ratio {mean:.4} over {} runs", ratios.len());
    Ok(())
}
