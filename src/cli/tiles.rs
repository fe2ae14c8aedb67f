//! `patrolmap tiles build`: the basemap archive the map draws under everything else.

use crate::ingest::osm::read_basemap;
use crate::tiles::basemap::{BasemapSummary, DEFAULT_MAX_ZOOM, DEFAULT_MIN_ZOOM, build_basemap};
use clap::{Args, Subcommand};
use std::path::{Path, PathBuf};

#[derive(Debug, Subcommand)]
pub enum TilesCommand {
    /// Cut an OSM extract into vector tiles and write them as a PMTiles archive.
    Build(BuildArgs),
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The OSM extract (PBF).
    #[arg(long)]
    pub osm: PathBuf,
    /// The archive to write; default DATA/tiles/basemap.pmtiles (what the server serves).
    #[arg(long)]
    pub out: Option<PathBuf>,
    #[arg(long, default_value_t = DEFAULT_MIN_ZOOM)]
    pub min_zoom: u8,
    #[arg(long, default_value_t = DEFAULT_MAX_ZOOM)]
    pub max_zoom: u8,
    #[arg(long)]
    pub json: bool,
}

/// Where the server looks for the basemap.
pub fn basemap_path(data: &Path) -> PathBuf {
    data.join("tiles").join("basemap.pmtiles")
}

pub fn run(data: &Path, what: TilesCommand) -> anyhow::Result<()> {
    match what {
        TilesCommand::Build(args) => {
            let bar = super::progress::step(format!("reading {}", args.osm.display()));
            let features = read_basemap(&args.osm)?;
            super::progress::done(bar, "read the extract");
            let out = args.out.unwrap_or_else(|| basemap_path(data));
            let summary = build_basemap(&features, args.min_zoom, args.max_zoom, &out)?;
            if args.json {
                println!("{}", serde_json::to_string_pretty(&summary)?);
            } else {
                print_summary(&summary, &out);
            }
            Ok(())
        }
    }
}

pub fn print_summary(s: &BasemapSummary, out: &Path) {
    println!(
        "basemap {}: {} tiles from {} features, {:.1} MB, largest tile {:.0} KB, {:.1} s",
        out.display(),
        s.tiles,
        s.features,
        s.bytes as f64 / 1e6,
        s.largest_tile_bytes as f64 / 1e3,
        s.seconds
    );
    let by_zoom: Vec<String> = s
        .tiles_by_zoom
        .iter()
        .map(|(z, n)| format!("z{z}: {n}"))
        .collect();
    println!("  {}", by_zoom.join(", "));
}
