use crate::index::AreaLocator;
use crate::model::{AreaLevel, VenueKind, VenueStatus};
use crate::planning::PlanningConfig;
use crate::planning::coverage::{
    CoverageInputs, CoverageReport, WeekFigures, coverage, overdue, weekly,
};
use crate::planning::crew::plan_crews;
use crate::planning::dispatch::Streets;
use crate::planning::plan::PatrolPlan;
use crate::planning::teams::Team;
use crate::routing::optimiser::SolveOptions;
use crate::store::{MadeHow, PlanMade, Store};
use anyhow::{Context, bail};
use chrono::{NaiveDate, TimeDelta};
use serde::Serialize;
use std::collections::HashMap;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct PlanOptions {
    pub date: NaiveDate,
    pub seconds: f64,
    pub seed: u64,
    /// Publish the plan as it is made (teams see only published plans).
    pub publish: bool,
}

impl PlanOptions {
    fn made(&self) -> PlanMade {
        PlanMade {
            how: MadeHow::Cli,
            by: None,
            publish: self.publish,
        }
    }

    fn solve(&self) -> SolveOptions {
        SolveOptions {
            seed: self.seed,
            time_limit: Some(Duration::from_secs_f64(self.seconds)),
            iteration_limit: None,
            threads: 2,
        }
    }
}

/// Scores every venue, plans the inspection teams' day with the day's dispatcher actions, and
/// stores the plan (a draft unless `publish`) and the scores: `dispatch::revise` from the
/// command line.
pub fn plan_inspections(
    store: &mut Store,
    config: &PlanningConfig,
    teams: &[Team],
    options: &PlanOptions,
) -> anyhow::Result<PatrolPlan> {
    Ok(super::dispatch::revise(
        store,
        config,
        teams,
        &super::dispatch::Revise {
            date: options.date,
            solve: options.solve(),
            made: options.made(),
            now: None,
            replan: None,
            after: None,
        },
        &Default::default(),
    )?)
}

/// Orders broken lamps and the top lamp proposals of the newest lighting run for the crews.
pub fn plan_lighting(
    store: &mut Store,
    config: &PlanningConfig,
    crews: &[Team],
    options: &PlanOptions,
) -> anyhow::Result<PatrolPlan> {
    if crews.is_empty() {
        bail!("no lighting crews: give a teams file with a team of duty = \"lighting\"");
    }
    let (repairs, installations) = store.crew_work()?;
    if store.lighting_summary()?.is_none() {
        bail!("no lighting results yet: run `patrolmap lighting` first");
    }
    let edges = store.street_edges()?;
    let city = store.city_index()?;
    let mut plan = plan_crews(
        config,
        options.date,
        &repairs,
        &installations,
        crews,
        Streets {
            edges: &edges,
            index: &city.streets,
            frame: &city.frame,
        },
        &options.solve(),
    );
    plan.id = store.save_plan(&plan, &options.made())?;
    Ok(plan)
}

/// Coverage at one area level on `date` over the last `period_days` days.
pub fn coverage_report(
    store: &Store,
    config: &PlanningConfig,
    date: NaiveDate,
    level: AreaLevel,
    period_days: i64,
) -> anyhow::Result<(CoverageReport, Vec<crate::model::Area>)> {
    let all_areas = store.areas()?;
    let areas: Vec<_> = all_areas
        .iter()
        .filter(|a| a.level == level)
        .cloned()
        .collect();
    let venues = store.venues()?;
    let locator = AreaLocator::new(&areas);
    let area_of: HashMap<i64, i64> = venues
        .iter()
        .filter(|v| v.status != VenueStatus::Closed)
        .filter_map(|v| Some((v.id, locator.locate(v.position, level)?.id)))
        .collect();
    let visits = store.visits().context("reading inspections")?;
    let follow_ups = store.follow_ups(None)?;
    let report = coverage(&CoverageInputs {
        config,
        date,
        period_days,
        level: level.as_str(),
        areas: &areas,
        venues: &venues,
        area_of: &area_of,
        visits: &visits,
        follow_ups: &follow_ups,
    });
    Ok((report, areas))
}

/// An active venue past its kind's inspection frequency, with where it is and who answers for it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OverdueVenue {
    pub id: i64,
    pub name: String,
    pub kind: VenueKind,
    pub township: Option<String>,
    pub community: Option<String>,
    pub responsible_unit: Option<String>,
    /// The day of the latest inspection; `None` when never inspected.
    pub last_inspected_at: Option<NaiveDate>,
    /// Days past the frequency; `None` when never inspected.
    pub days_overdue: Option<i64>,
    pub frequency_days: i64,
    pub lon: f64,
    pub lat: f64,
}

/// The active venues overdue on `date`, most overdue first, by the rule coverage counts with.
pub fn overdue_venues(
    store: &Store,
    config: &PlanningConfig,
    date: NaiveDate,
) -> anyhow::Result<Vec<OverdueVenue>> {
    let areas = store.areas()?;
    let locator = AreaLocator::new(&areas);
    let venues = store.venues()?;
    let visits = store.visits().context("reading inspections")?;
    let name_at = |s: &crate::planning::coverage::Standing, level| {
        locator
            .locate(s.venue.position, level)
            .map(|a| a.name.clone())
    };
    Ok(overdue(config, date, &venues, &visits)
        .iter()
        .map(|s| OverdueVenue {
            id: s.venue.id,
            name: s.venue.name.clone(),
            kind: s.venue.kind,
            township: name_at(s, AreaLevel::Township),
            community: name_at(s, AreaLevel::Community),
            responsible_unit: s.venue.responsible_unit.clone(),
            last_inspected_at: s.last_inspected,
            days_overdue: s.days_overdue,
            frequency_days: *config.frequency_days.get(s.venue.kind),
            lon: s.venue.position.lon,
            lat: s.venue.position.lat,
        })
        .collect())
}

/// Inspections and their outcomes in `weeks` weeks ending on `last_day`, oldest first.
pub fn weekly_findings(
    store: &Store,
    last_day: NaiveDate,
    weeks: usize,
) -> anyhow::Result<Vec<WeekFigures>> {
    let first = last_day - TimeDelta::days(7 * weeks as i64 - 1);
    let counts = store.inspection_counts_by_day(first, last_day)?;
    Ok(weekly(&counts, last_day, weeks))
}
