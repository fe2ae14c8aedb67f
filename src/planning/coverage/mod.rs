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

/// What each venue adds to its area's figures on `date` over the period ending then, keyed by
/// venue id (a visit or follow-up of a venue not in `venues` under its own id too): every figure
/// is a count, so an area's figures are the sum of its venues' (see `CoverageLedger`).
pub fn venue_figures(
    config: &PlanningConfig,
    date: NaiveDate,
    period_days: i64,
    venues: &[Venue],
    visits: &[Visit],
    follow_ups: &[FollowUp],
) -> HashMap<i64, CoverageFigures> {
    let period_start = period_start(date, period_days);
    let mut out: HashMap<i64, CoverageFigures> = HashMap::new();
    for s in standings(config, date, venues, visits) {
        let f = out.entry(s.venue.id).or_default();
        f.active += 1;
        if s.covered() {
            f.covered += 1;
        } else {
            f.overdue += 1;
        }
    }
    for v in venues.iter().filter(|v| v.status == VenueStatus::Suspended) {
        out.entry(v.id).or_default().suspended += 1;
    }
    for visit in visits
        .iter()
        .filter(|v| v.day >= period_start && v.day <= date)
    {
        let f = out.entry(visit.venue_id).or_default();
        f.inspections += 1;
        f.findings += usize::from(visit.outcome.is_finding());
        *f.inspections_by_inspector
            .entry(visit.inspector.clone())
            .or_default() += 1;
    }
    for fu in follow_ups {
        count_follow_up(out.entry(fu.venue_id).or_default(), fu, period_start, date);
    }
    out
}

impl CoverageFigures {
    /// Adds `other`'s counts to these, or (`add` false) takes them away; the share is left for
    /// `share` to work out. A count taken back to nothing leaves no trace, so figures brought
    /// forward venue by venue equal figures counted afresh.
    pub fn merge(&mut self, other: &CoverageFigures, add: bool) {
        let apply = |a: &mut usize, b: usize| {
            *a = if add { *a + b } else { a.saturating_sub(b) };
        };
        apply(&mut self.active, other.active);
        apply(&mut self.covered, other.covered);
        apply(&mut self.overdue, other.overdue);
        apply(&mut self.suspended, other.suspended);
        apply(&mut self.inspections, other.inspections);
        apply(&mut self.findings, other.findings);
        apply(&mut self.open_follow_ups, other.open_follow_ups);
        apply(&mut self.overdue_follow_ups, other.overdue_follow_ups);
        apply(&mut self.raised_follow_ups, other.raised_follow_ups);
        apply(&mut self.closed_follow_ups, other.closed_follow_ups);
        apply(&mut self.closed_late, other.closed_late);
        apply(&mut self.days_to_close, other.days_to_close);
        apply(&mut self.escalated_follow_ups, other.escalated_follow_ups);
        for (who, n) in &other.inspections_by_inspector {
            let e = self
                .inspections_by_inspector
                .entry(who.clone())
                .or_default();
            apply(e, *n);
            if *e == 0 {
                self.inspections_by_inspector.remove(who);
            }
        }
    }
}

pub fn coverage(input: &CoverageInputs) -> CoverageReport {
    let date = input.date;
    let mut by_area: BTreeMap<Option<i64>, CoverageFigures> = BTreeMap::new();
    let mut total = CoverageFigures::default();
    let per_venue = venue_figures(
        input.config,
        date,
        input.period_days,
        input.venues,
        input.visits,
        input.follow_ups,
    );
    for (venue, f) in &per_venue {
        let area = input.area_of.get(venue).copied();
        by_area.entry(area).or_default().merge(f, true);
        total.merge(f, true);
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
            area_feature(c, area, &report.level, report.date)
        })
        .collect();
    geojson::FeatureCollection {
        bbox: None,
        features,
        foreign_members: None,
    }
}

/// One area's polygon with its figures, its level and the date they hold on.
pub fn area_feature(
    c: &AreaCoverage,
    area: &Area,
    level: &str,
    date: NaiveDate,
) -> Option<geojson::Feature> {
    let mut props = match serde_json::to_value(c) {
        Ok(serde_json::Value::Object(m)) => m,
        _ => return None,
    };
    props.insert("level".into(), json!(level));
    props.insert("date".into(), json!(date));
    Some(geojson::Feature {
        geometry: Some(geojson::Geometry::new(geojson::GeometryValue::from(
            &area.geometry,
        ))),
        properties: Some(props),
        ..Default::default()
    })
}

mod ledger;
pub use ledger::CoverageLedger;
mod weekly;
pub use weekly::{WeekFigures, weekly};

#[cfg(test)]
mod tests;
