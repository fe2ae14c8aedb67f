//! Inspections and what they found, week by week: the manager's trend chart.

use crate::model::Outcome;
use chrono::{NaiveDate, TimeDelta};
use serde::Serialize;

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct WeekFigures {
    pub week_start: NaiveDate,
    pub inspections: usize,
    pub compliant: usize,
    pub violation: usize,
    pub drug_related: usize,
    pub closed_on_arrival: usize,
    pub refused_entry: usize,
}

impl WeekFigures {
    fn add(&mut self, outcome: Outcome, n: usize) {
        self.inspections += n;
        *match outcome {
            Outcome::Compliant => &mut self.compliant,
            Outcome::Violation => &mut self.violation,
            Outcome::DrugRelated => &mut self.drug_related,
            Outcome::ClosedOnArrival => &mut self.closed_on_arrival,
            Outcome::RefusedEntry => &mut self.refused_entry,
        } += n;
    }
}

/// `weeks` seven-day weeks, the last ending on `last_day` (so the chart's newest bar is always a
/// whole week that includes today), oldest first. `counts` are inspections per day and outcome;
/// days outside the weeks are ignored.
pub fn weekly(
    counts: &[(NaiveDate, Outcome, usize)],
    last_day: NaiveDate,
    weeks: usize,
) -> Vec<WeekFigures> {
    let first = last_day - TimeDelta::days(7 * weeks as i64 - 1);
    let mut out: Vec<WeekFigures> = (0..weeks)
        .map(|w| WeekFigures {
            week_start: first + TimeDelta::days(7 * w as i64),
            ..Default::default()
        })
        .collect();
    for &(day, outcome, n) in counts {
        if day < first || day > last_day {
            continue;
        }
        let w = ((day - first).num_days() / 7) as usize;
        out[w].add(outcome, n);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    #[test]
    fn weeks_end_on_the_last_day_and_drop_what_lies_outside() {
        let counts = [
            (day(1), Outcome::Compliant, 9),     // before the first week
            (day(7), Outcome::Violation, 2),     // first day of week 1
            (day(13), Outcome::DrugRelated, 1),  // last day of week 1
            (day(14), Outcome::Compliant, 3),    // first day of week 2
            (day(20), Outcome::RefusedEntry, 1), // the last day
            (day(21), Outcome::Compliant, 5),    // after it
        ];
        let w = weekly(&counts, day(20), 2);
        assert_eq!(w.len(), 2);
        assert_eq!((w[0].week_start, w[1].week_start), (day(7), day(14)));
        assert_eq!(
            (w[0].inspections, w[0].violation, w[0].drug_related),
            (3, 2, 1)
        );
        assert_eq!(
            (w[1].inspections, w[1].compliant, w[1].refused_entry),
            (4, 3, 1)
        );
        assert!(weekly(&counts, day(20), 0).is_empty());
    }
}
