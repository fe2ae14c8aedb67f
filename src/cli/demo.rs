//! The bundled demo city: Helsinki's centre from OSM, with sample registries and areas, prepared
//! in the data folder by one command.

use super::import::{RegistryArgs, import_registry};
use super::plan::{load_teams, parse_date, print_coverage, print_plan};
use super::progress;
use crate::ingest::osm::{OsmExtract, read_basemap_from, read_osm, read_osm_from};
use crate::ingest::registry::{
    areas_geojson, lamps_geojson, parse_areas, parse_lamps, parse_venues, venues_geojson,
};
use crate::ingest::sample::{
    DEFAULT_SEED, DEFAULT_SYNTHETIC_RENTALS, sample_areas, sample_lamp_survey, sample_venues,
};
use crate::model::AreaLevel;
use crate::model::{BBox, DEFAULT_GRID_CELL_M, Grid};
use crate::planning::PlanningConfig;
use crate::planning::teams::{Duty, teams_toml};
use crate::store::{ImportSummary, Store};
use crate::tiles::basemap::{DEFAULT_MAX_ZOOM, DEFAULT_MIN_ZOOM, build_basemap};
use crate::workflow::history::{record_sample_history, sample_teams};
use crate::workflow::{PlanOptions, coverage_report, plan_day};
use anyhow::Context;
use clap::{Args, Subcommand};
use std::path::{Path, PathBuf};

/// The demo city travels inside the binary, so `demo` works from any folder with nothing else.
const DEMO_CITY: &[u8] = include_bytes!("../../fixtures/osm/helsinki-centre.osm.pbf");
const DEMO_CITY_NAME: &str = "helsinki-centre.osm.pbf";

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Stop after preparing the data (do not serve the map).
    #[arg(long)]
    pub no_serve: bool,
    /// Seed of the sample registries.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    pub seed: u64,
    /// Grid cell size in metres.
    #[arg(long, default_value_t = DEFAULT_GRID_CELL_M)]
    pub grid_m: f64,
    /// The demo's "today" (YYYY-MM-DD): the sample history ends the day before, plans are for it.
    #[arg(long)]
    pub date: Option<String>,
    /// Search time of each of today's plans, in seconds.
    #[arg(long, default_value_t = 3.0)]
    pub plan_seconds: f64,
    /// Address and port the map is served on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: std::net::SocketAddr,
    /// HTTPS, so a district can try the demo from its own phones on its network.
    #[command(flatten)]
    pub tls: super::serve::TlsArgs,
}

/// The demo's accounts all share this password; they exist only in a demo data folder.
pub const DEMO_PASSWORD: &str = "patrolmap-demo";

/// Where a sample registry comes from and goes to.
#[derive(Debug, Args)]
pub struct SampleFiles {
    /// The OSM extract the sample is drawn from.
    #[arg(long)]
    osm: PathBuf,
    /// The GeoJSON registry to write.
    #[arg(long)]
    out: PathBuf,
    #[arg(long, default_value_t = DEFAULT_SEED)]
    seed: u64,
}

#[derive(Debug, Subcommand)]
pub enum SampleCommand {
    /// The sample venue registry: OSM places by kind plus synthetic rental units (GeoJSON).
    Venues {
        #[command(flatten)]
        files: SampleFiles,
        /// Synthetic rental units to place in residential buildings.
        #[arg(long, default_value_t = DEFAULT_SYNTHETIC_RENTALS)]
        rentals: usize,
    },
    /// Sample townships and communities over the extract (GeoJSON).
    Areas {
        #[command(flatten)]
        files: SampleFiles,
        #[arg(long, default_value_t = 4)]
        townships: usize,
        #[arg(long, default_value_t = 12)]
        communities: usize,
    },
}

pub fn run_sample(what: SampleCommand) -> anyhow::Result<()> {
    let (files, text, count, what) = match what {
        SampleCommand::Venues { files, rentals } => {
            let venues = sample_venues(&read_osm(&files.osm)?, files.seed, rentals);
            (files, venues_geojson(&venues), venues.len(), "venues")
        }
        SampleCommand::Areas {
            files,
            townships,
            communities,
        } => {
            let extent = extent(&read_osm(&files.osm)?)?;
            let areas = sample_areas(&extent, files.seed, townships, communities);
            (files, areas_geojson(&areas), areas.len(), "areas")
        }
    };
    write(&files.out, &text)?;
    println!("{count} sample {what} written to {}", files.out.display());
    Ok(())
}

pub fn run(data: &Path, args: DemoArgs) -> anyhow::Result<()> {
    let bar = progress::step(format!("reading the demo city ({DEMO_CITY_NAME})"));
    let extract = read_osm_from(DEMO_CITY, Path::new(DEMO_CITY_NAME))?;
    progress::done(bar, "read demo city");
    let mut store = Store::open(data)?;
    let mut summaries =
        vec![store.import_osm(DEMO_CITY_NAME, &format!("osm:{DEMO_CITY_NAME}"), &extract)?];

    // The sample registries go through the same files and importers as a government registry.
    let sample_dir = data.join("sample");
    let venues_file = sample_dir.join("venues.geojson");
    write(
        &venues_file,
        &venues_geojson(&sample_venues(
            &extract,
            args.seed,
            DEFAULT_SYNTHETIC_RENTALS,
        )),
    )?;
    let areas_file = sample_dir.join("areas.geojson");
    write(
        &areas_file,
        &areas_geojson(&sample_areas(&extent(&extract)?, args.seed, 4, 12)),
    )?;
    // A lighting office's survey of the mapped lamps, imported like any lamp registry.
    let survey_file = sample_dir.join("lamp-survey.geojson");
    write(
        &survey_file,
        &lamps_geojson(&sample_lamp_survey(&extract.lamps, args.seed)),
    )?;
    drop(store);
    summaries.push(import_registry(
        data,
        &registry(&survey_file),
        parse_lamps,
        |s, f, rows| s.import_lamps(f, "registry:lamp-survey.geojson", rows),
    )?);
    summaries.push(import_registry(
        data,
        &registry(&areas_file),
        parse_areas,
        Store::import_areas,
    )?);
    summaries.push(import_registry(
        data,
        &registry(&venues_file),
        parse_venues,
        Store::import_venues,
    )?);
    let mut store = Store::open(data)?;
    summaries.push(lay_grid(&mut store, args.grid_m)?);
    for s in &summaries {
        print!("{s}");
    }
    println!();
    super::print_stats(&store, false)?;
    drop(store);
    println!("\nlighting");
    super::lighting::run(data, super::lighting::LightingArgs::demo())?;
    plan_demo_day(data, &args, &extent(&extract)?)?;
    demo_accounts(data)?;
    let basemap = super::tiles::basemap_path(data);
    if !basemap.exists() {
        let features = read_basemap_from(DEMO_CITY, Path::new(DEMO_CITY_NAME))?;
        let summary = build_basemap(&features, DEFAULT_MIN_ZOOM, DEFAULT_MAX_ZOOM, &basemap)?;
        println!();
        super::tiles::print_summary(&summary, &basemap);
    }
    if args.no_serve {
        return Ok(());
    }
    let config = PlanningConfig::default();
    let mut options = crate::server::ServeOptions::new(args.listen);
    options.date = Some(parse_date(args.date.as_deref(), &config)?);
    args.tls.apply(&mut options)?;
    crate::server::serve(data.to_path_buf(), config, options)
}

/// Sample teams and history, today's plans for the inspectors and the lamp crew, and coverage.
fn plan_demo_day(data: &Path, args: &DemoArgs, extent: &BBox) -> anyhow::Result<()> {
    let config = PlanningConfig::default();
    let today = parse_date(args.date.as_deref(), &config)?;
    let teams_file = data.join("sample").join("teams.toml");
    write(&teams_file, &teams_toml(&sample_teams(extent)))?;
    let mut store = Store::open(data)?;
    let mut teams = load_teams(&mut store, Some(&teams_file))?;
    for t in &mut teams {
        t.sample = true;
    }
    store.sync_teams(&mut teams)?;
    if store.inspection_count(true)? == 0 {
        let n = record_sample_history(&mut store, &config, &teams, today, args.seed)?;
        println!("\nsample history: {n} inspections over the 60 days before {today}");
    } else {
        println!("\nsample history already recorded; kept as it is");
    }
    let options = PlanOptions {
        date: today,
        seconds: args.plan_seconds,
        seed: config.plan.seed,
        // The demo's teams go out on its plan at once: published, as a dispatcher would.
        publish: true,
    };
    let day = plan_day(&mut store, &config, teams, &options)?;
    println!();
    print_plan(&day.inspections);
    println!();
    print_plan(&day.crews);
    println!();
    let (report, _) = coverage_report(&store, &config, today, AreaLevel::Township, 30)?;
    print_coverage(&report);
    Ok(())
}

/// One account per role, and one inspector per inspection team, unless accounts exist already.
fn demo_accounts(data: &Path) -> anyhow::Result<()> {
    let mut store = Store::open(data)?;
    let made = role_accounts(&mut store)?;
    if made.is_empty() {
        return Ok(());
    }
    let teams = store.teams()?;
    println!("\ndemo accounts (password {DEMO_PASSWORD}):");
    for a in &made {
        let team = teams
            .iter()
            .find(|t| Some(t.id) == a.team_id)
            .map(|t| format!(" ({})", t.name))
            .unwrap_or_default();
        println!("  {:<12} {}{team}", a.username, a.role.as_str());
    }
    Ok(())
}

/// admin, manager, planner and `inspectorN` for the N-th inspection team, all with the demo
/// password; none when the store has accounts already.
pub(super) fn role_accounts(store: &mut Store) -> anyhow::Result<Vec<crate::model::Account>> {
    use crate::model::Role;
    if store.account_count()? > 0 {
        return Ok(vec![]);
    }
    let mut made = vec![];
    for (name, role) in [
        ("admin", Role::Admin),
        ("manager", Role::Manager),
        ("planner", Role::Planner),
    ] {
        made.push(store.add_account(name, DEMO_PASSWORD, role, None, None)?);
    }
    let teams = store.teams()?;
    for (n, team) in teams
        .iter()
        .filter(|t| t.duty == Duty::Inspection)
        .enumerate()
    {
        let name = format!("inspector{}", n + 1);
        made.push(store.add_account(&name, DEMO_PASSWORD, Role::Inspector, Some(team.id), None)?);
    }
    Ok(made)
}

/// Lays the grid over everything the store holds.
pub fn lay_grid(store: &mut Store, cell_m: f64) -> anyhow::Result<ImportSummary> {
    let extent = store
        .extent()?
        .context("the store is empty: import an OSM extract or a registry first")?;
    let grid = Grid::new(Grid::origin_for(&extent), cell_m).map_err(anyhow::Error::msg)?;
    Ok(store.lay_grid(&grid, &extent)?)
}

fn registry(file: &Path) -> RegistryArgs {
    RegistryArgs {
        file: file.to_path_buf(),
        columns: Default::default(),
        crs: Default::default(),
        skip_invalid: false,
        rejects: None,
    }
}

pub(super) fn extent(extract: &OsmExtract) -> anyhow::Result<BBox> {
    extract.extent.context("the OSM extract has no nodes")
}

pub(super) fn write(path: &Path, text: &str) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}
