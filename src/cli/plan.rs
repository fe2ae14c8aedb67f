//! `patrolmap plan` and `patrolmap coverage`: the day's routes and the manager's figures.

use crate::model::AreaLevel;
use crate::planning::PlanningConfig;
use crate::planning::export::{route_geojson, route_gpx};
use crate::planning::hours::clock;
use crate::planning::plan::PatrolPlan;
use crate::planning::teams::{Duty, Team, read_teams};
use crate::store::Store;
use crate::workflow::{PlanOptions, coverage_report, plan_inspections, plan_lighting};
use anyhow::{Context, bail};
use chrono::NaiveDate;
use clap::Args;
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct ConfigArg {
    /// Planning configuration (TOML over the documented defaults; see `planning/default.toml`).
    #[arg(long)]
    pub config: Option<PathBuf>,
}

impl ConfigArg {
    pub fn load(&self) -> anyhow::Result<PlanningConfig> {
        match &self.config {
            Some(path) => PlanningConfig::from_file(path).map_err(anyhow::Error::msg),
            None => Ok(PlanningConfig::default()),
        }
    }
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The plan's date (YYYY-MM-DD); default today in the configured local time.
    #[arg(long)]
    pub date: Option<String>,
    /// Search time in seconds (default from the configuration, 10).
    #[arg(long)]
    pub seconds: Option<f64>,
    #[arg(long)]
    pub seed: Option<u64>,
    /// Teams file (TOML, see README "Teams"); stored, and used from then on. Without it the
    /// stored teams are used.
    #[arg(long)]
    pub teams: Option<PathBuf>,
    /// Plan the lighting crews (broken lamps and lamp proposals) instead of the inspectors.
    #[arg(long)]
    pub lighting: bool,
    /// Write each team's route to this folder as GeoJSON and GPX.
    #[arg(long)]
    pub export: Option<PathBuf>,
    /// Print the whole plan as JSON.
    #[arg(long)]
    pub json: bool,
    /// Publish the plan as it is made: teams see only published plans. Without it the plan is
    /// a draft for a manager to review and publish (unless `[dispatch] auto_publish`).
    #[arg(long)]
    pub publish: bool,
    #[command(flatten)]
    pub config: ConfigArg,
}

pub fn parse_date(text: Option<&str>, config: &PlanningConfig) -> anyhow::Result<NaiveDate> {
    match text {
        None | Some("today") => Ok(config.today()),
        Some(t) => NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .with_context(|| format!("--date {t:?}: expected YYYY-MM-DD")),
    }
}

/// The teams to plan with: the file's (stored first), else the store's.
pub fn load_teams(store: &mut Store, file: Option<&Path>) -> anyhow::Result<Vec<Team>> {
    match file {
        Some(path) => {
            let mut teams = read_teams(path).map_err(anyhow::Error::msg)?;
            store.sync_teams(&mut teams)?;
            Ok(teams)
        }
        None => Ok(store.teams()?),
    }
}

pub fn run(data: &Path, args: PlanArgs) -> anyhow::Result<()> {
    let config = args.config.load()?;
    let options = PlanOptions {
        date: parse_date(args.date.as_deref(), &config)?,
        seconds: args.seconds.unwrap_or(config.plan.seconds),
        seed: args.seed.unwrap_or(config.plan.seed),
        publish: args.publish || config.dispatch.auto_publish,
    };
    if !(options.seconds.is_finite() && options.seconds > 0.0) {
        bail!("--seconds must be a positive number");
    }
    let mut store = Store::open(data)?;
    let duty = if args.lighting {
        Duty::Lighting
    } else {
        Duty::Inspection
    };
    let teams: Vec<Team> = load_teams(&mut store, args.teams.as_deref())?
        .into_iter()
        .filter(|t| t.duty == duty)
        .collect();
    let bar = super::progress::step(format!(
        "planning {} for {} ({} teams, {} s of search)",
        duty.as_str(),
        options.date,
        teams.len(),
        options.seconds
    ));
    let plan = match duty {
        Duty::Inspection => plan_inspections(&mut store, &config, &teams, &options)?,
        Duty::Lighting => plan_lighting(&mut store, &config, &teams, &options)?,
    };
    super::progress::done(bar, "planned");
    if let Some(dir) = &args.export {
        export(dir, &plan, config.utc_offset_minutes)?;
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&plan)?);
    } else {
        print_plan(&plan);
    }
    Ok(())
}

fn export(dir: &Path, plan: &PatrolPlan, utc_offset: i32) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for r in &plan.routes {
        let stem = dir.join(format!(
            "{}-{}-team-{}",
            plan.date,
            plan.duty.as_str(),
            r.team_id
        ));
        let geojson = route_geojson(plan, r).to_string();
        let gpx = route_gpx(plan, r, utc_offset, None).map_err(anyhow::Error::msg)?;
        for (ext, text) in [("geojson", geojson), ("gpx", gpx)] {
            let path = stem.with_extension(ext);
            std::fs::write(&path, text)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
    }
    eprintln!("routes written to {}", dir.display());
    Ok(())
}

pub fn print_plan(plan: &PatrolPlan) {
    let s = &plan.summary;
    println!(
        "plan {} for {} ({}): {} stops of {} candidates, score {:.2}, travel {} min",
        plan.id,
        plan.date,
        plan.duty.as_str(),
        s.stops,
        s.candidates,
        s.score,
        s.travel_s / 60
    );
    if plan.duty == Duty::Inspection {
        println!(
            "  high-risk venues visited {}/{}; mandatory follow-ups {} ({} could not fit)",
            s.high_risk_visited, s.high_risk, s.mandatory, s.mandatory_unserved
        );
    }
    for r in &plan.routes {
        println!(
            "\n{} ({}, {}–{}): {} stops, score {:.2}, travel {} min",
            r.team,
            r.mode,
            clock(r.start_s),
            clock(r.end_s),
            r.stops.len(),
            r.score,
            r.travel_s / 60
        );
        for st in &r.stops {
            println!(
                "  {:>3}. {}  {:<14} {:>7.2}{}  {}",
                st.seq,
                clock(st.start_s),
                st.category,
                st.score,
                if st.mandatory { " !" } else { "  " },
                st.name
            );
        }
    }
    println!("\nleft out:");
    for (reason, n) in plan.left_out_counts() {
        println!("  {:<22} {n}", reason.as_str());
    }
}

#[derive(Debug, Args)]
pub struct CoverageArgs {
    /// The day the figures are for (YYYY-MM-DD); default today.
    #[arg(long)]
    pub date: Option<String>,
    /// township, community or grid.
    #[arg(long, default_value = "township")]
    pub level: String,
    /// Inspections and findings count over this many days up to the date.
    #[arg(long, default_value_t = 30)]
    pub period_days: i64,
    #[arg(long)]
    pub json: bool,
    /// Write the areas with their figures as GeoJSON polygons to this file.
    #[arg(long)]
    pub geojson: Option<PathBuf>,
    #[command(flatten)]
    pub config: ConfigArg,
}

pub fn run_coverage(data: &Path, args: CoverageArgs) -> anyhow::Result<()> {
    let config = args.config.load()?;
    let date = parse_date(args.date.as_deref(), &config)?;
    let level = AreaLevel::parse(&args.level).map_err(|e| anyhow::anyhow!("--level: {e}"))?;
    if args.period_days < 1 {
        bail!("--period-days must be at least 1");
    }
    let store = Store::open(data)?;
    let (report, areas) = coverage_report(&store, &config, date, level, args.period_days)?;
    if let Some(path) = &args.geojson {
        let fc = crate::planning::coverage::coverage_geojson(&report, &areas);
        std::fs::write(path, fc.to_string())
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }
    print_coverage(&report);
    Ok(())
}

pub fn print_coverage(report: &crate::planning::coverage::CoverageReport) {
    println!(
        "coverage on {} by {} (inspections and findings over {} days)",
        report.date, report.level, report.period_days
    );
    println!(
        "  {:<28} {:>6} {:>7} {:>7} {:>6} {:>6} {:>8} {:>9}",
        "area", "active", "covered", "overdue", "share", "finds", "open f-u", "late f-u"
    );
    let row = |name: &str, f: &crate::planning::coverage::CoverageFigures| {
        println!(
            "  {:<28} {:>6} {:>7} {:>7} {:>5.0}% {:>6} {:>8} {:>9}",
            name,
            f.active,
            f.covered,
            f.overdue,
            f.covered_share * 100.0,
            f.findings,
            f.open_follow_ups,
            f.overdue_follow_ups
        )
    };
    for a in &report.areas {
        row(&a.name, &a.figures);
    }
    row("all", &report.total);
}
