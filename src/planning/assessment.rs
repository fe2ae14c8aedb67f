//! The assessment (考核, issue 13): for a month or a quarter, how each area of a level and each
//! responsible unit did. The area figures are `coverage::coverage()` on the period's last day
//! over the period's length, so the assessment and the coverage map never disagree; the unit
//! figures count venues by the same standings and follow-ups by the same
//! [`count_follow_up`] rule.
//!
//! ```
//! use patrolmap::planning::assessment::Period;
//! let q = Period::parse("2026-Q4").unwrap();
//! assert_eq!((q.first.to_string(), q.last.to_string(), q.days()), ("2026-10-01".into(), "2026-12-31".into(), 92));
//! assert!(Period::parse("2026-13").unwrap_err().contains("2026-13"));
//! ```

use super::config::PlanningConfig;
use super::coverage::{
    CoverageFigures, CoverageInputs, count_follow_up, coverage, period_start, share, standings,
};
use crate::model::{Area, FollowUp, Venue};
use chrono::{Datelike, NaiveDate, TimeDelta};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// A month (`2026-11`) or a quarter (`2026-Q4`) as its first and last day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub label: String,
    pub first: NaiveDate,
    pub last: NaiveDate,
}

impl Period {
    pub fn parse(text: &str) -> Result<Period, String> {
        let t = text.trim();
        let bad = || {
            format!(
                "period {t:?}: expected a month YYYY-MM (2026-11) or a quarter YYYY-Qn (2026-Q4)"
            )
        };
        let (year, rest) = t.split_once('-').ok_or_else(bad)?;
        let year: i32 = year
            .parse()
            .ok()
            .filter(|y| (1900..=9999).contains(y) && year.len() == 4)
            .ok_or_else(bad)?;
        let (first_month, months, label) = match rest.strip_prefix(['Q', 'q']) {
            Some(q) => {
                let q: u32 = q
                    .parse()
                    .ok()
                    .filter(|q| (1..=4).contains(q))
                    .ok_or_else(bad)?;
                (3 * q - 2, 3, format!("{year}-Q{q}"))
            }
            None => {
                let m: u32 = rest
                    .parse()
                    .ok()
                    .filter(|m| (1..=12).contains(m) && rest.len() == 2)
                    .ok_or_else(bad)?;
                (m, 1, format!("{year}-{m:02}"))
            }
        };
        let first = NaiveDate::from_ymd_opt(year, first_month, 1).ok_or_else(bad)?;
        let next = first
            .checked_add_months(chrono::Months::new(months))
            .ok_or_else(bad)?;
        Ok(Period {
            label,
            first,
            last: next - TimeDelta::days(1),
        })
    }

    /// Days in the period, both ends counted.
    pub fn days(&self) -> i64 {
        (self.last - self.first).num_days() + 1
    }

    /// The period holding `day` as a month.
    pub fn month_of(day: NaiveDate) -> Period {
        let label = format!("{}-{:02}", day.year(), day.month());
        Period::parse(&label).unwrap_or(Period {
            label,
            first: day,
            last: day,
        })
    }
}

/// One row's figures: what the 考核 table shows.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    /// Active venues, and those inspected within their kind's frequency on the last day.
    pub venues: usize,
    pub covered: usize,
    pub covered_share: f64,
    /// Inspections and findings in the period.
    pub inspections: usize,
    pub findings: usize,
    /// Follow-ups raised in the period; dealt with in it on time or late; escalated (open on
    /// the last day or dealt with in the period); still open and late on the last day.
    pub raised: usize,
    pub on_time: usize,
    pub late: usize,
    pub escalated: usize,
    pub open_late: usize,
    /// Mean days from raising to dealing with, over those dealt with; None when none were.
    pub average_days_to_close: Option<f64>,
    /// Dealt with on time over all that fell due: dealt with (on time or late) plus still
    /// open and late on the last day; 1 when nothing fell due.
    pub on_time_share: f64,
}

impl From<&CoverageFigures> for Figures {
    fn from(c: &CoverageFigures) -> Self {
        let on_time = c.closed_follow_ups - c.closed_late;
        let due = c.closed_follow_ups + c.overdue_follow_ups;
        let round = |x: f64| (x * 10_000.0).round() / 10_000.0;
        Figures {
            venues: c.active,
            covered: c.covered,
            covered_share: share(c),
            inspections: c.inspections,
            findings: c.findings,
            raised: c.raised_follow_ups,
            on_time,
            late: c.closed_late,
            escalated: c.escalated_follow_ups,
            open_late: c.overdue_follow_ups,
            average_days_to_close: (c.closed_follow_ups > 0)
                .then(|| round(c.days_to_close as f64 / c.closed_follow_ups as f64)),
            on_time_share: if due == 0 {
                1.0
            } else {
                round(on_time as f64 / due as f64)
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AreaScore {
    /// None for venues outside every area of the level (shown, never ranked).
    pub area_id: Option<i64>,
    pub name: String,
    pub rank: Option<usize>,
    #[serde(flatten)]
    pub figures: Figures,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitScore {
    pub unit: String,
    pub rank: usize,
    #[serde(flatten)]
    pub figures: Figures,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    pub period: Period,
    /// The day coverage is judged on: the period's last day, or today while it is under way.
    pub as_of: NaiveDate,
    /// Days assessed, from the period's first day to `as_of`, both counted.
    pub days: i64,
    pub level: String,
    /// How rows are ranked, in words (shown under the tables).
    pub ranking: String,
    pub total: Figures,
    pub areas: Vec<AreaScore>,
    pub units: Vec<UnitScore>,
}

pub const RANKING: &str = "covered share, then on-time share (dealt with on time over all that fell due), highest first; equal scores share a rank, ordered by name";

pub struct AssessmentInputs<'a> {
    pub config: &'a PlanningConfig,
    pub period: &'a Period,
    /// The district's today: a period still under way is assessed up to it, not on a last day
    /// that has not come (every venue would look overdue).
    pub as_of: NaiveDate,
    pub level: &'a str,
    pub areas: &'a [Area],
    pub venues: &'a [Venue],
    pub area_of: &'a HashMap<i64, i64>,
    pub visits: &'a [super::coverage::Visit],
    pub follow_ups: &'a [FollowUp],
}

/// The unit that answers for a follow-up: the unit it was escalated to (督办) if it was, else
/// the unit the finding's rule named. Escalation hands the case over, so the escalated unit is
/// assessed for it (its current escalation, not as it stood on a past day: the store keeps
/// the level and unit, and the history alone says when they changed).
pub fn unit_of(f: &FollowUp) -> &str {
    f.escalated_to.as_deref().unwrap_or(&f.responsible_unit)
}

pub fn assessment(input: &AssessmentInputs) -> Assessment {
    let date = input.as_of.clamp(input.period.first, input.period.last);
    let days = (date - input.period.first).num_days() + 1;
    let report = coverage(&CoverageInputs {
        config: input.config,
        date,
        period_days: days,
        level: input.level,
        areas: input.areas,
        venues: input.venues,
        area_of: input.area_of,
        visits: input.visits,
        follow_ups: input.follow_ups,
    });
    let mut areas: Vec<AreaScore> = report
        .areas
        .iter()
        .map(|a| AreaScore {
            area_id: a.area_id,
            name: a.name.clone(),
            rank: None,
            figures: Figures::from(&a.figures),
        })
        .collect();
    let ranked: Vec<(&str, &Figures)> = areas
        .iter()
        .filter(|a| a.area_id.is_some())
        .map(|a| (a.name.as_str(), &a.figures))
        .collect();
    let ranks = rank(&ranked);
    for (a, r) in areas.iter_mut().filter(|a| a.area_id.is_some()).zip(ranks) {
        a.rank = Some(r);
    }
    areas.sort_by(|a, b| {
        (a.rank.is_none(), a.rank, &a.name).cmp(&(b.rank.is_none(), b.rank, &b.name))
    });
    let units = unit_figures(input, date, days);
    let rows: Vec<(&str, &Figures)> = units.iter().map(|(u, f)| (u.as_str(), f)).collect();
    let ranks = rank(&rows);
    let mut units: Vec<UnitScore> = units
        .iter()
        .zip(ranks)
        .map(|((unit, figures), rank)| UnitScore {
            unit: unit.clone(),
            rank,
            figures: figures.clone(),
        })
        .collect();
    units.sort_by(|a, b| (a.rank, &a.unit).cmp(&(b.rank, &b.unit)));
    Assessment {
        period: input.period.clone(),
        as_of: date,
        days,
        level: input.level.to_string(),
        ranking: RANKING.into(),
        total: Figures::from(&report.total),
        areas,
        units,
    }
}

/// Each unit's figures: the venues it answers for (`Venue::responsible_unit`) by their
/// standing and visits, and the follow-ups it answers for ([`unit_of`]) by the coverage rule.
fn unit_figures(input: &AssessmentInputs, date: NaiveDate, days: i64) -> BTreeMap<String, Figures> {
    let start = period_start(date, days);
    let mut by_unit: BTreeMap<String, CoverageFigures> = BTreeMap::new();
    let unit_of_venue: HashMap<i64, &str> = input
        .venues
        .iter()
        .filter_map(|v| Some((v.id, v.responsible_unit.as_deref()?)))
        .collect();
    for s in standings(input.config, date, input.venues, input.visits) {
        if let Some(unit) = unit_of_venue.get(&s.venue.id) {
            let f = by_unit.entry(unit.to_string()).or_default();
            f.active += 1;
            if s.covered() {
                f.covered += 1;
            } else {
                f.overdue += 1;
            }
        }
    }
    for v in input
        .visits
        .iter()
        .filter(|v| v.day >= start && v.day <= date)
    {
        if let Some(unit) = unit_of_venue.get(&v.venue_id) {
            let f = by_unit.entry(unit.to_string()).or_default();
            f.inspections += 1;
            f.findings += usize::from(v.outcome.is_finding());
        }
    }
    for fu in input.follow_ups {
        let f = by_unit.entry(unit_of(fu).to_string()).or_default();
        count_follow_up(f, fu, start, date);
    }
    by_unit
        .iter()
        .map(|(u, f)| (u.clone(), Figures::from(f)))
        .collect()
}

/// Competition ranks ("1, 1, 3") by [`RANKING`], one per row in the rows' order: covered
/// share, then on-time share, highest first; rows with equal scores share a rank.
pub fn rank(rows: &[(&str, &Figures)]) -> Vec<usize> {
    let key = |f: &Figures| (f.covered_share, f.on_time_share);
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by(|&a, &b| {
        key(rows[b].1)
            .partial_cmp(&key(rows[a].1))
            .unwrap_or(std::cmp::Ordering::Equal)
            .then_with(|| rows[a].0.cmp(rows[b].0))
    });
    let mut ranks = vec![0; rows.len()];
    for (place, &i) in order.iter().enumerate() {
        ranks[i] = match place.checked_sub(1).map(|p| order[p]) {
            Some(before) if key(rows[before].1) == key(rows[i].1) => ranks[before],
            _ => place + 1,
        };
    }
    ranks
}

#[cfg(test)]
#[path = "assessment_tests.rs"]
mod tests;
