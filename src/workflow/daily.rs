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

/// A day's work for every team: the inspection teams' plan and the lamp crews' plan, each
/// split from `teams` by duty.
pub struct DayPlans {
    pub inspections: PatrolPlan,
    pub crews: PatrolPlan,
    pub inspection_teams: usize,
}

/// Plans (and with `publish`, publishes) the inspection teams' and the lamp crews' day.
pub fn plan_day(
    store: &mut Store,
    config: &PlanningConfig,
    teams: Vec<Team>,
    options: &PlanOptions,
) -> anyhow::Result<DayPlans> {
    let (inspectors, crews): (Vec<Team>, Vec<Team>) = teams
        .into_iter()
        .partition(|t| t.duty == crate::planning::teams::Duty::Inspection);
    Ok(DayPlans {
        inspections: plan_inspections(store, config, &inspectors, options)?,
        crews: plan_lighting(store, config, &crews, options)?,
        inspection_teams: inspectors.len(),
    })
}

/// What the coverage figures (and the assessment built on them) are counted from.
pub(super) struct CoverageData {
    /// The areas of the level.
    pub areas: Vec<crate::model::Area>,
    pub venues: Vec<crate::model::Venue>,
    /// Venue id → the area of the level holding it (closed venues in none).
    pub area_of: HashMap<i64, i64>,
    pub visits: Vec<crate::planning::coverage::Visit>,
    pub follow_ups: Vec<crate::model::FollowUp>,
}

/// With `scope` (the townships or communities an account answers for), only the venues lying
/// in them, their visits and follow-ups, and the areas of the level holding them.
pub(super) fn coverage_data(
    store: &Store,
    level: AreaLevel,
    scope: Option<&[i64]>,
) -> anyhow::Result<CoverageData> {
    let all_areas = store.areas()?;
    let mut venues = store.venues()?;
    if let Some(ids) = scope {
        let everywhere = AreaLocator::new(&all_areas);
        venues.retain(|v| {
            [AreaLevel::Township, AreaLevel::Community]
                .into_iter()
                .filter_map(|l| everywhere.locate(v.position, l))
                .any(|a| ids.contains(&a.id))
        });
    }
    let mut areas: Vec<_> = all_areas.into_iter().filter(|a| a.level == level).collect();
    let locator = AreaLocator::new(&areas);
    let area_of: HashMap<i64, i64> = venues
        .iter()
        .filter(|v| v.status != VenueStatus::Closed)
        .filter_map(|v| Some((v.id, locator.locate(v.position, level)?.id)))
        .collect();
    let mut visits = store.visits().context("reading inspections")?;
    let mut follow_ups = store.follow_ups(None)?;
    if scope.is_some() {
        let held: std::collections::HashSet<i64> = area_of.values().copied().collect();
        areas.retain(|a| held.contains(&a.id));
        let kept: std::collections::HashSet<i64> = venues.iter().map(|v| v.id).collect();
        visits.retain(|v| kept.contains(&v.venue_id));
        follow_ups.retain(|f| kept.contains(&f.venue_id));
    }
    Ok(CoverageData {
        area_of,
        visits,
        follow_ups,
        areas,
        venues,
    })
}

/// Coverage at one area level on `date` over the last `period_days` days.
pub fn coverage_report(
    store: &Store,
    config: &PlanningConfig,
    date: NaiveDate,
    level: AreaLevel,
    period_days: i64,
) -> anyhow::Result<(CoverageReport, Vec<crate::model::Area>)> {
    let d = coverage_data(store, level, None)?;
    let report = coverage(&CoverageInputs {
        config,
        date,
        period_days,
        level: level.as_str(),
        areas: &d.areas,
        venues: &d.venues,
        area_of: &d.area_of,
        visits: &d.visits,
        follow_ups: &d.follow_ups,
    });
    Ok((report, d.areas))
}

/// An active venue past its kind's inspection frequency, with where it is and who answers for it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OverdueVenue {
    pub id: i64,
    pub name: String,
    pub kind: VenueKind,
    pub township: Option<String>,
    pub community: Option<String>,
    pub township_id: Option<i64>,
    pub community_id: Option<i64>,
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
/// With `scope`, only venues in those townships or communities.
pub fn overdue_venues(
    store: &Store,
    config: &PlanningConfig,
    date: NaiveDate,
    scope: Option<&[i64]>,
) -> anyhow::Result<Vec<OverdueVenue>> {
    let areas = store.areas()?;
    let locator = AreaLocator::new(&areas);
    let venues = store.venues()?;
    let visits = store.visits().context("reading inspections")?;
    let area_at =
        |s: &crate::planning::coverage::Standing, level| locator.locate(s.venue.position, level);
    let in_scope = |s: &crate::planning::coverage::Standing| {
        scope.is_none_or(|ids| {
            [AreaLevel::Township, AreaLevel::Community]
                .into_iter()
                .filter_map(|level| locator.locate(s.venue.position, level))
                .any(|a| ids.contains(&a.id))
        })
    };
    Ok(overdue(config, date, &venues, &visits)
        .iter()
        .filter(|s| in_scope(s))
        .map(|s| OverdueVenue {
            id: s.venue.id,
            name: s.venue.name.clone(),
            kind: s.venue.kind,
            township: area_at(s, AreaLevel::Township).map(|a| a.name.clone()),
            community: area_at(s, AreaLevel::Community).map(|a| a.name.clone()),
            township_id: area_at(s, AreaLevel::Township).map(|a| a.id),
            community_id: area_at(s, AreaLevel::Community).map(|a| a.id),
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
/// With `scope`, only inspections of venues in those townships or communities.
pub fn weekly_findings(
    store: &Store,
    last_day: NaiveDate,
    weeks: usize,
    scope: Option<&[i64]>,
) -> anyhow::Result<Vec<WeekFigures>> {
    let first = last_day - TimeDelta::days(7 * weeks as i64 - 1);
    let counts = store.inspection_counts_by_day(first, last_day, scope)?;
    Ok(weekly(&counts, last_day, weeks))
}
