//! Coverage: per area and period, how many active venues were inspected within their kind's
//! frequency, what was found, and what is still open. The figures the manager's map colours by.

use super::config::PlanningConfig;
use crate::model::{Area, FollowUp, FollowUpStatus, Outcome, Venue, VenueStatus};
use chrono::{NaiveDate, TimeDelta};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};

/// One inspection as coverage counts it.
#[derive(Debug, Clone, PartialEq)]
pub struct Visit {
    pub venue_id: i64,
    pub day: NaiveDate,
    pub outcome: Outcome,
    /// The account that recorded it, else the team.
    pub inspector: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CoverageFigures {
    /// Active venues (suspended and closed ones are counted apart).
    pub active: usize,
    /// Active venues whose latest inspection is within their kind's frequency on the date.
    pub covered: usize,
    pub overdue: usize,
    /// covered / active (1 when there is nothing to cover).
    pub covered_share: f64,
    pub suspended: usize,
    /// Inspections and findings (violation, drug_related) in the period.
    pub inspections: usize,
    pub findings: usize,
    pub open_follow_ups: usize,
    /// Open follow-ups whose deadline has passed on the date.
    pub overdue_follow_ups: usize,
    /// Follow-ups raised in the period.
    pub raised_follow_ups: usize,
    /// Follow-ups dealt with (closed by a visit or with evidence) in the period, and of those
    /// how many after their deadline; the days from raising to closing, summed.
    pub closed_follow_ups: usize,
    pub closed_late: usize,
    pub days_to_close: usize,
    /// Escalated (督办) follow-ups open on the date or dealt with in the period.
    pub escalated_follow_ups: usize,
    pub inspections_by_inspector: BTreeMap<String, usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AreaCoverage {
    /// `None` for venues outside every area of the level.
    pub area_id: Option<i64>,
    pub source_id: Option<String>,
    pub name: String,
    #[serde(flatten)]
    pub figures: CoverageFigures,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoverageReport {
    pub date: NaiveDate,
    pub period_days: i64,
    pub level: String,
    pub total: CoverageFigures,
    pub areas: Vec<AreaCoverage>,
}

pub struct CoverageInputs<'a> {
    pub config: &'a PlanningConfig,
    pub date: NaiveDate,
    pub period_days: i64,
    pub level: &'a str,
    /// The areas of the level, in display order.
    pub areas: &'a [Area],
    pub venues: &'a [Venue],
    /// Venue id → the area (of the level) holding it.
    pub area_of: &'a HashMap<i64, i64>,
    pub visits: &'a [Visit],
    pub follow_ups: &'a [FollowUp],
}

/// Where an active venue stands on a date: the one rule both the coverage figures and the
/// overdue list follow, so a venue on the list is always one the figures count as overdue.
#[derive(Debug, Clone, PartialEq)]
pub struct Standing<'a> {
    pub venue: &'a Venue,
    /// The latest inspection on or before the date.
    pub last_inspected: Option<NaiveDate>,
    /// Days past the kind's frequency (0 when on time); `None` when never inspected.
    pub days_overdue: Option<i64>,
}

impl Standing<'_> {
    pub fn covered(&self) -> bool {
        self.days_overdue == Some(0)
    }
}

/// Every active venue's standing on `date`, in the venues' order.
pub fn standings<'a>(
    config: &PlanningConfig,
    date: NaiveDate,
    venues: &'a [Venue],
    visits: &[Visit],
) -> Vec<Standing<'a>> {
    let mut latest: HashMap<i64, NaiveDate> = HashMap::new();
    for v in visits.iter().filter(|v| v.day <= date) {
        let e = latest.entry(v.venue_id).or_insert(v.day);
        *e = (*e).max(v.day);
    }
    venues
        .iter()
        .filter(|v| v.status == VenueStatus::Active)
        .map(|venue| {
            let last_inspected = latest.get(&venue.id).copied();
            Standing {
                venue,
                last_inspected,
                days_overdue: config.days_overdue(venue.kind, last_inspected, date),
            }
        })
        .collect()
}

/// The active venues not covered on `date`, most overdue first: never inspected before any
/// late one (nothing at all is known of them), then by days overdue; ties by venue id.
pub fn overdue<'a>(
    config: &PlanningConfig,
    date: NaiveDate,
    venues: &'a [Venue],
    visits: &[Visit],
) -> Vec<Standing<'a>> {
    let mut late: Vec<Standing> = standings(config, date, venues, visits)
        .into_iter()
        .filter(|s| !s.covered())
        .collect();
    late.sort_by_key(|s| {
        (
            std::cmp::Reverse(s.days_overdue.unwrap_or(i64::MAX)),
            s.venue.id,
        )
    });
    late
}

/// The first day of the `period_days` days ending on `date` (at least the date itself).
pub fn period_start(date: NaiveDate, period_days: i64) -> NaiveDate {
    date - TimeDelta::days(period_days.max(1) - 1)
}

pub fn coverage(input: &CoverageInputs) -> CoverageReport {
    let date = input.date;
    let period_start = period_start(date, input.period_days);
    let mut by_area: BTreeMap<Option<i64>, CoverageFigures> = BTreeMap::new();
    let mut total = CoverageFigures::default();
    let area_of = |venue: i64| input.area_of.get(&venue).copied();
    let mut add = |area: Option<i64>, f: &dyn Fn(&mut CoverageFigures)| {
        f(by_area.entry(area).or_default());
        f(&mut total);
    };
    for s in standings(input.config, date, input.venues, input.visits) {
        let covered = s.covered();
        add(area_of(s.venue.id), &|f| {
            f.active += 1;
            if covered {
                f.covered += 1;
            } else {
                f.overdue += 1;
            }
        });
    }
    for v in input
        .venues
        .iter()
        .filter(|v| v.status == VenueStatus::Suspended)
    {
        add(area_of(v.id), &|f| f.suspended += 1);
    }
    for visit in input
        .visits
        .iter()
        .filter(|v| v.day >= period_start && v.day <= date)
    {
        let finding = visit.outcome.is_finding();
        add(area_of(visit.venue_id), &|f| {
            f.inspections += 1;
            f.findings += usize::from(finding);
            *f.inspections_by_inspector
                .entry(visit.inspector.clone())
                .or_default() += 1;
        });
    }
    for fu in input.follow_ups {
        add(area_of(fu.venue_id), &|f| {
            count_follow_up(f, fu, period_start, date)
        });
    }
    let mut areas: Vec<AreaCoverage> = input
        .areas
        .iter()
        .map(|a| AreaCoverage {
            area_id: Some(a.id),
            source_id: Some(a.source_id.clone()),
            name: a.name.clone(),
            figures: by_area.remove(&Some(a.id)).unwrap_or_default(),
        })
        .collect();
    if let Some(outside) = by_area.remove(&None) {
        areas.push(AreaCoverage {
            area_id: None,
            source_id: None,
            name: "outside every area".into(),
            figures: outside,
        });
    }
    for a in &mut areas {
        a.figures.covered_share = share(&a.figures);
    }
    total.covered_share = share(&total);
    CoverageReport {
        date,
        period_days: input.period_days,
        level: input.level.to_string(),
        total,
        areas,
    }
}

/// Adds one follow-up to `f` as it stood on `date`, over the period from `period_start`: the
/// one counting rule of the coverage figures and the assessment's per-unit figures (issue 13),
/// so a follow-up counts the same wherever it is grouped.
pub fn count_follow_up(
    f: &mut CoverageFigures,
    fu: &FollowUp,
    period_start: NaiveDate,
    date: NaiveDate,
) {
    let open = fu.open_on(date);
    // Dealt with in the period (a visit or evidence; a cancelled one was never due).
    let dealt = fu
        .closed_on
        .filter(|d| *d >= period_start && *d <= date)
        .filter(|_| fu.status == FollowUpStatus::Done);
    f.open_follow_ups += usize::from(open);
    f.overdue_follow_ups += usize::from(fu.late_on(date));
    f.raised_follow_ups += usize::from(fu.raised_on >= period_start && fu.raised_on <= date);
    f.escalated_follow_ups += usize::from(fu.level > 0 && (open || dealt.is_some()));
    if let Some(closed) = dealt {
        f.closed_follow_ups += 1;
        f.closed_late += usize::from(closed > fu.deadline);
        f.days_to_close += (closed - fu.raised_on).num_days().max(0) as usize;
    }
}

/// covered / active, to four places (1 when there is nothing to cover).
pub fn share(f: &CoverageFigures) -> f64 {
    if f.active == 0 {
        1.0
    } else {
        (f.covered as f64 / f.active as f64 * 10_000.0).round() / 10_000.0
    }
}

/// The report as GeoJSON polygons, one per area with its figures, for the choropleth.
pub fn coverage_geojson(report: &CoverageReport, areas: &[Area]) -> geojson::FeatureCollection {
    let features = report
        .areas
        .iter()
        .filter_map(|c| {
            let area = areas.iter().find(|a| Some(a.id) == c.area_id)?;
            let mut props = match serde_json::to_value(c) {
                Ok(serde_json::Value::Object(m)) => m,
                _ => return None,
            };
            props.insert("level".into(), json!(report.level));
            props.insert("date".into(), json!(report.date));
            Some(geojson::Feature {
                geometry: Some(geojson::Geometry::new(geojson::GeometryValue::from(
                    &area.geometry,
                ))),
                properties: Some(props),
                ..Default::default()
            })
        })
        .collect();
    geojson::FeatureCollection {
        bbox: None,
        features,
        foreign_members: None,
    }
}

mod weekly;
pub use weekly::{WeekFigures, weekly};

#[cfg(test)]
mod tests;
