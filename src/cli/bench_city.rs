//! `patrolmap bench city --data DIR`: a seeded synthetic city at DESIGN.md §5's sizes, prepared
//! in the data folder as `demo --no-serve` prepares Helsinki (store imports, areas, the 250 m
//! grid, teams, accounts, history, lighting, today's published plans, the basemap), so
//! `patrolmap serve --data DIR` serves it and every view and API can be timed at city size.

use super::demo::{DEMO_PASSWORD, extent, role_accounts, write};
use super::plan::parse_date;
use crate::ingest::osm::{BaseFeature, BaseLayer};
use crate::ingest::sample::{city_areas, city_lamps, city_streets, city_venues};
use crate::model::{AreaLevel, Role};
use crate::planning::PlanningConfig;
use crate::planning::teams::{Duty, teams_toml};
use crate::store::Store;
use crate::tiles::basemap::{DEFAULT_MAX_ZOOM, DEFAULT_MIN_ZOOM, build_basemap};
use crate::workflow::city::{HistoryRun, city_teams, record_city_history};
use crate::workflow::{PlanOptions, plan_day};
use clap::Args;
use geo::InteriorPoint;
use std::path::Path;
use std::time::Instant;

/// DESIGN.md §5's city, at `--scale 1`.
const VENUES: f64 = 10_000.0;
const RENTALS: f64 = 100_000.0;
const LAMPS: f64 = 200_000.0;
const EDGES: f64 = 500_000.0;
const TEAMS: f64 = 200.0;
const COMMUNITIES_PER_TOWNSHIP: usize = 10;
const GRID_M: f64 = 250.0;
const HISTORY_DAYS: i64 = 60;
/// Reviews are one transaction each; a manager's week of reviewing is a few thousand.
const REVIEWS: f64 = 2_000.0;

#[derive(Debug, Args)]
pub struct CityArgs {
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Multiplies every size (0.01 is a small city for tests); areas are always 10 × 10.
    #[arg(long, default_value_t = 1.0)]
    pub scale: f64,
    /// The city's "today" (YYYY-MM-DD): the history ends the day before, plans are for it.
    #[arg(long)]
    pub date: Option<String>,
    /// Search time of each of today's plans, in seconds.
    #[arg(long, default_value_t = 2.0)]
    pub plan_seconds: f64,
}

/// Seconds per stage, printed as they finish and as one JSON line at the end.
struct Stages {
    started: Instant,
    stage: Instant,
    times: Vec<(&'static str, f64)>,
}

impl Stages {
    fn done(&mut self, name: &'static str, what: String) {
        let s = self.stage.elapsed().as_secs_f64();
        println!("{name:<10} {s:>7.1} s  {what}");
        self.times.push((name, s));
        self.stage = Instant::now();
    }
}

fn sized(n: f64, scale: f64) -> usize {
    (n * scale).round() as usize
}

pub fn run(data: &Path, args: CityArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.scale.is_finite() && args.scale > 0.0 && args.scale <= 4.0,
        "--scale {}: expected a number above 0 and at most 4",
        args.scale
    );
    anyhow::ensure!(
        args.plan_seconds.is_finite() && args.plan_seconds > 0.0,
        "--plan-seconds {}: expected a positive number of seconds",
        args.plan_seconds
    );
    let config = PlanningConfig::default();
    let today = parse_date(args.date.as_deref(), &config)?;
    let (seed, scale) = (args.seed, args.scale);
    let mut store = Store::open(data)?;
    anyhow::ensure!(
        store.extent()?.is_none(),
        "{} already holds a city: give `bench city` an empty data folder",
        data.display()
    );
    let now = Instant::now();
    let mut t = Stages {
        started: now,
        stage: now,
        times: vec![],
    };
    let extract = city_streets(sized(EDGES, scale), seed);
    let city_extent = extent(&extract)?;
    store.import_osm("synthetic-city", "synthetic:city", &extract)?;
    t.done(
        "streets",
        format!(
            "{} street edges, {} nodes, {} corners",
            extract.network.edges.len(),
            extract.network.nodes.len(),
            extract.corners.len(),
        ),
    );
    let edges = extract.network.edges;
    drop(extract.corners);

    let areas = city_areas(&city_extent, seed, COMMUNITIES_PER_TOWNSHIP);
    store.import_areas("city-areas", &areas)?;
    let grid = super::demo::lay_grid(&mut store, GRID_M)?;
    t.done(
        "areas",
        format!(
            "{} townships, {} communities, {} grid cells of {GRID_M} m",
            areas
                .iter()
                .filter(|a| a.level == AreaLevel::Township)
                .count(),
            areas
                .iter()
                .filter(|a| a.level == AreaLevel::Community)
                .count(),
            grid.tables.values().map(|t| t.inserted).sum::<usize>()
        ),
    );

    let venues = city_venues(&edges, sized(VENUES, scale), sized(RENTALS, scale), seed);
    store.import_venues("city-venues", &venues)?;
    let lamps = city_lamps(&edges, sized(LAMPS, scale), seed);
    store.import_lamps("city-lamps", "registry:city-lamps", &lamps)?;
    t.done(
        "registries",
        format!(
            "{} venues ({} rentals), {} lamps ({} broken)",
            venues.len(),
            venues
                .iter()
                .filter(|v| v.kind == crate::model::VenueKind::Rental)
                .count(),
            lamps.len(),
            lamps
                .iter()
                .filter(|l| l.status == crate::model::LampStatus::Broken)
                .count()
        ),
    );
    drop((venues, lamps));

    let mut teams = city_teams(&areas, sized(TEAMS, scale), seed);
    write(&data.join("sample").join("teams.toml"), &teams_toml(&teams))?;
    store.sync_teams(&mut teams)?;
    let accounts = role_accounts(&mut store)?;
    let reviewer = accounts
        .iter()
        .find(|a| a.role == Role::Manager)
        .map(|a| a.id);
    t.done(
        "teams",
        format!(
            "{} teams ({} lamp crews), {} accounts (password {DEMO_PASSWORD}: admin, manager, planner, inspector1…)",
            teams.len(),
            teams.iter().filter(|t| t.duty == Duty::Lighting).count(),
            accounts.len()
        ),
    );

    let history = record_city_history(
        &mut store,
        &config,
        &teams,
        &HistoryRun {
            today,
            days: HISTORY_DAYS,
            max_reviews: sized(REVIEWS, scale).max(20),
            reviewer,
            seed,
        },
    )?;
    t.done(
        "history",
        format!(
            "{} inspections over the {HISTORY_DAYS} days before {today}, {} reviewed",
            history.inspections, history.reviews
        ),
    );
    drop(store);

    super::lighting::run(data, super::lighting::LightingArgs::demo())?;
    t.done("lighting", "analysis run and stored".into());

    let mut store = Store::open(data)?;
    let options = PlanOptions {
        date: today,
        seconds: args.plan_seconds,
        seed: config.plan.seed,
        publish: true,
    };
    let day = plan_day(&mut store, &config, teams, &options)?;
    t.done(
        "plans",
        format!(
            "published for {today}: {} inspection stops of {} candidates ({} teams), {} crew stops",
            day.inspections.summary.stops,
            day.inspections.summary.candidates,
            day.inspection_teams,
            day.crews.summary.stops
        ),
    );

    let features = basemap_features(&edges, &areas);
    drop(edges);
    let basemap = super::tiles::basemap_path(data);
    let summary = build_basemap(&features, DEFAULT_MIN_ZOOM, DEFAULT_MAX_ZOOM, &basemap)?;
    t.done(
        "basemap",
        format!(
            "{} tiles, {:.1} MB at {}",
            summary.tiles,
            summary.bytes as f64 / 1e6,
            basemap.display()
        ),
    );

    let store_bytes = store_size(data)?;
    let total = t.started.elapsed().as_secs_f64();
    println!(
        "city ready in {total:.1} s; store {:.1} MB; serve it with `patrolmap --data {} serve --date {today}`",
        store_bytes as f64 / 1e6,
        data.display()
    );
    let seconds: serde_json::Map<String, serde_json::Value> = t
        .times
        .iter()
        .map(|(k, v)| (k.to_string(), serde_json::json!(v)))
        .collect();
    println!(
        "{}",
        serde_json::json!({
            "scale": scale, "seed": seed, "date": today.to_string(),
            "store_bytes": store_bytes, "seconds": seconds, "total_seconds": total,
            "inspections": history.inspections,
        })
    );
    Ok(())
}

/// The basemap draws the synthetic streets by class with names, and the areas' names.
fn basemap_features(
    edges: &[crate::model::StreetEdge],
    areas: &[crate::model::Area],
) -> Vec<BaseFeature> {
    let roads = edges.iter().map(|e| BaseFeature {
        layer: BaseLayer::Roads,
        class: e.road_class.clone(),
        name: e.name.clone(),
        geometry: geo::Geometry::LineString(e.geometry.iter().map(|p| (p.lon, p.lat)).collect()),
    });
    let places = areas.iter().filter_map(|a| {
        Some(BaseFeature {
            layer: BaseLayer::Places,
            class: match a.level {
                AreaLevel::Township => "suburb",
                _ => "neighbourhood",
            }
            .into(),
            name: Some(a.name.clone()),
            geometry: geo::Geometry::Point(a.geometry.interior_point()?),
        })
    });
    roads.chain(places).collect()
}

/// The store's database with its write-ahead log, in bytes.
fn store_size(data: &Path) -> anyhow::Result<u64> {
    let mut total = 0;
    for suffix in ["", "-wal", "-shm"] {
        let path = data.join(format!("{}{suffix}", crate::store::DATABASE_FILE));
        if let Ok(m) = std::fs::metadata(&path) {
            total += m.len();
        }
    }
    anyhow::ensure!(total > 0, "no store in {}", data.display());
    Ok(total)
}
