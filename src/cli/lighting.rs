use crate::lighting::{LightingConfig, LightingReport, PointIlluminance};
use crate::model::LonLat;
use crate::store::Store;
use crate::workflow::CityLighting;
use anyhow::Context;
use clap::Args;
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct LightingArgs {
    /// Print JSON instead of tables.
    #[arg(long)]
    pub json: bool,
    /// A TOML file over the documented defaults (see `src/lighting/default.toml`).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// How many new lamp sites to propose.
    #[arg(long, default_value_t = 10)]
    pub proposals: usize,
    /// Only print the illuminance at this point (`LON,LAT`, WGS-84), lamp by lamp.
    #[arg(long, value_parser = parse_lonlat)]
    pub at: Option<LonLat>,
    /// How many of the most severe blind spots to list.
    #[arg(long, default_value_t = 20)]
    pub top: usize,
}

impl LightingArgs {
    /// What `demo` runs: the default model, ten proposals, the five most severe spots.
    pub fn demo() -> Self {
        Self {
            json: false,
            config: None,
            proposals: 10,
            at: None,
            top: 5,
        }
    }
}

fn parse_lonlat(s: &str) -> Result<LonLat, String> {
    let (lon, lat) = s
        .split_once(',')
        .ok_or_else(|| format!("{s:?} is not LON,LAT"))?;
    let lon: f64 = lon
        .trim()
        .parse()
        .map_err(|_| format!("longitude {lon:?} is not a number"))?;
    let lat: f64 = lat
        .trim()
        .parse()
        .map_err(|_| format!("latitude {lat:?} is not a number"))?;
    LonLat::validate(lon, lat)
}

pub fn run(data: &Path, args: LightingArgs) -> anyhow::Result<()> {
    let config = match &args.config {
        Some(path) => LightingConfig::from_file(path).map_err(anyhow::Error::msg)?,
        None => LightingConfig::default(),
    };
    let mut store = Store::open(data)?;
    let lighting = CityLighting::load(&store, &config)?;
    anyhow::ensure!(
        !lighting.edges.is_empty(),
        "the store has no streets: import an OSM extract first"
    );
    if let Some(at) = args.at {
        print_point(&lighting.at(at), args.json)?;
        return Ok(());
    }
    let bar = super::progress::step("judging every street and corner");
    let report = lighting.evaluate(args.proposals);
    super::progress::done(bar, "lighting");
    store
        .save_lighting(&config, &report)
        .context("saving the lighting results")?;
    print_report(&report, args.top, args.json)
}

fn print_point(p: &PointIlluminance, json: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(p)?);
        return Ok(());
    }
    println!("{:.3} lx at {:.7},{:.7}", p.lux, p.lon, p.lat);
    println!(
        "{:>12} {:>12} {:>11} {:>8} {:>9} {:>10} {:>8}",
        "lamp", "lon", "lat", "height", "flux", "distance", "lux"
    );
    for l in &p.lamps {
        println!(
            "{:>12} {:>12.7} {:>11.7} {:>6.1} m {:>6.0} lm {:>8.1} m {:>8.3}",
            l.id, l.lon, l.lat, l.height_m, l.flux_lm, l.distance_m, l.lux
        );
    }
    Ok(())
}

fn print_report(r: &LightingReport, top: usize, json: bool) -> anyhow::Result<()> {
    if json {
        let out = serde_json::json!({
            "summary": r.summary,
            "blind_spots": r.blind_spots.iter().take(top).collect::<Vec<_>>(),
            "proposals": r.proposals,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    let s = &r.summary;
    println!(
        "samples            {} ({} corners)",
        s.samples, s.corners_judged
    );
    println!(
        "streets judged     {} (passing {}, failing {}, unknown {}; {} not judged)",
        s.edges_judged, s.edges_passing, s.edges_failing, s.edges_unknown, s.edges_not_judged
    );
    println!(
        "corners            {} dark, {} data gaps",
        s.corners_dark, s.corners_data_gap
    );
    let spots: Vec<String> = s
        .blind_spots
        .iter()
        .map(|(k, n)| format!("{n} {k}"))
        .collect();
    println!(
        "blind spots        {} ({} confirmed by lit=no)",
        spots.join(", "),
        s.blind_spots_confirmed
    );
    println!("deficit total      {:.1} lx", s.deficit_total_lx);
    println!(
        "data gaps          {} stretches, {:.2} km (lit=yes, no lamp mapped)",
        s.data_gaps, s.data_gap_km
    );
    println!(
        "lamps              {} lit, {} broken, {} duplicates left out, {} with default height/flux",
        s.lamps_lit, s.lamps_broken, s.lamps_duplicate, s.lamps_defaulted
    );
    println!(
        "broken-lamp impact {:.1} lx of deficit removed by repairing all",
        s.broken_lamp_impact_lx
    );
    println!("\nmost severe blind spots");
    for b in r.blind_spots.iter().take(top) {
        println!(
            "  {:<8} {:<12} {:.6},{:.6}  {:.2} lx < {:.1} lx  severity {:.2}",
            b.kind.as_str(),
            b.road_class,
            b.at.lon,
            b.at.lat,
            b.lux,
            b.required_min_lx,
            b.severity
        );
    }
    println!("\nproposed lamps (greedy by deficit removed)");
    for p in &r.proposals {
        println!(
            "  #{:<3} {:.6},{:.6} on {:<12} gain {:>7.1} lx, removed {:>7.1} lx, {:.1}% of the deficit left",
            p.rank,
            p.at.lon,
            p.at.lat,
            p.road_class,
            p.gain_lx,
            p.removed_lx,
            p.deficit_left_share * 100.0
        );
    }
    Ok(())
}
