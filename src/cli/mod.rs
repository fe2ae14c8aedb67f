//! The `patrolmap` command line: every subcommand is a thin layer over the library.

mod backup;
mod bench;
mod bench_city;
mod bench_dispatch;
mod bench_inspections;
mod bench_lighting;
pub mod config_file;
mod demo;
mod import;
mod inspection;
mod lighting;
mod plan;
mod progress;
mod report;
mod serve;
mod tiles;
mod toptw;

use crate::model::DEFAULT_GRID_CELL_M;
use crate::store::Store;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "patrolmap",
    version,
    // A flag given twice takes the last value: `serve --config` files come first.
    args_override_self = true,
    about = "Plans inspections of risky venues and finds the city's dark corners"
)]
pub struct Cli {
    /// The data folder: the SQLite store and generated files live here.
    #[arg(
        long,
        global = true,
        default_value = "./patrolmap-data",
        env = "PATROLMAP_DATA"
    )]
    pub data: PathBuf,
    /// Log lines as text or as JSON (one object per line, for a log collector).
    #[arg(long, global = true, default_value = "text", value_parser = ["text", "json"])]
    pub log_format: String,
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// Whether the command serves HTTP (`serve`, and `demo` unless told not to).
    pub fn serves(&self) -> bool {
        matches!(self.command, Command::Serve(_) | Command::Demo(_))
    }
}

// Parsed once per run: the size of the largest variant (`serve`'s many flags) costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import an OSM extract or a government registry into the store.
    Import {
        #[command(subcommand)]
        what: import::ImportCommand,
    },
    /// Lay the district grid (网格) over the data's extent, replacing any earlier grid.
    Grid {
        /// Cell size in metres.
        #[arg(long, default_value_t = DEFAULT_GRID_CELL_M)]
        cell_m: f64,
    },
    /// Write the sample registries generated from an OSM extract (what `demo` imports).
    Sample {
        #[command(subcommand)]
        what: demo::SampleCommand,
    },
    /// Count what the store holds.
    Stats {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Run the lighting model: judge every street and corner, find blind spots, propose lamps.
    Lighting(lighting::LightingArgs),
    /// Plan the day: score venues and route the inspection teams (or, with --lighting, the crews).
    Plan(plan::PlanArgs),
    /// Coverage of venues by area: inspected on time, overdue, findings, follow-ups.
    Coverage(plan::CoverageArgs),
    /// Reports: the assessment (考核) of a period, and each responsible unit's follow-ups.
    Report {
        #[command(subcommand)]
        what: report::ReportCommand,
    },
    /// Record inspections, list follow-ups, clear suspensions.
    Inspection {
        #[command(subcommand)]
        what: inspection::InspectionCommand,
    },
    /// Timed runs on seeded synthetic data (for benchmark figures; run under /usr/bin/time -v).
    Bench {
        #[command(subcommand)]
        what: bench::BenchCommand,
    },
    /// Prepare the bundled demo city (Helsinki centre) in the data folder, then serve it.
    Demo(demo::DemoArgs),
    /// Vector tiles: build the basemap archive.
    Tiles {
        #[command(subcommand)]
        what: tiles::TilesCommand,
    },
    /// Serve the map layers, OGC API – Features, inspection capture and accounts over HTTP.
    Serve(serve::ServeArgs),
    /// Back up the data folder (the store online, photos, basemap, samples, config, tls/) into a
    /// new folder with a manifest of sizes and SHA-256s. `serve` may keep running.
    Backup {
        /// The folder to create; it must not exist yet (or be empty).
        #[arg(long)]
        out: PathBuf,
    },
    /// Restore a backup into the data folder after checking every file against its manifest.
    Restore {
        /// The backup folder (the one holding manifest.json).
        dir: PathBuf,
        /// Restore over a data folder that is not empty: the old one is renamed aside, not deleted.
        #[arg(long)]
        force: bool,
    },
    /// Accounts.
    User {
        #[command(subcommand)]
        what: serve::UserCommand,
    },
}

pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Import { what } => import::run(&cli.data, what),
        Command::Grid { cell_m } => {
            let mut store = Store::open(&cli.data)?;
            let summary = demo::lay_grid(&mut store, cell_m)?;
            print!("{summary}");
            Ok(())
        }
        Command::Sample { what } => demo::run_sample(what),
        Command::Stats { json } => {
            let store = Store::open(&cli.data)?;
            print_stats(&store, json)
        }
        Command::Lighting(args) => lighting::run(&cli.data, args),
        Command::Plan(args) => plan::run(&cli.data, args),
        Command::Coverage(args) => plan::run_coverage(&cli.data, args),
        Command::Report { what } => report::run(&cli.data, what),
        Command::Inspection { what } => inspection::run(&cli.data, what),
        Command::Bench { what } => bench::run(&cli.data, what),
        Command::Demo(args) => demo::run(&cli.data, args),
        Command::Tiles { what } => tiles::run(&cli.data, what),
        Command::Serve(args) => serve::run(&cli.data, args),
        Command::User { what } => serve::run_user(&cli.data, what),
        Command::Backup { out } => backup::run_backup(&cli.data, &out),
        Command::Restore { dir, force } => backup::run_restore(&cli.data, &dir, force),
    }
}

pub(crate) fn print_stats(store: &Store, json: bool) -> anyhow::Result<()> {
    let stats = store.stats()?;
    if json {
        println!("{}", serde_json::to_string_pretty(&stats)?);
        return Ok(());
    }
    println!("data folder        {}", store.dir().display());
    println!(
        "venues             {} ({} sample)",
        stats.venues_total, stats.venues_sample
    );
    for (kind, n) in &stats.venues {
        println!("  {kind:<16} {n}");
    }
    println!(
        "venue candidates   {} (OSM places not on the registry)",
        stats.venue_candidates
    );
    println!("lamps              {}", stats.lamps);
    for (status, n) in &stats.lamps_by_status {
        println!("  {status:<16} {n}");
    }
    println!("street nodes       {}", stats.street_nodes);
    println!(
        "street edges       {} ({:.1} km)",
        stats.street_edges, stats.street_km
    );
    for (kind, n) in &stats.corners {
        println!("corners {kind:<10} {n}");
    }
    for (level, n) in &stats.areas {
        println!("areas {level:<12} {n}");
    }
    Ok(())
}
