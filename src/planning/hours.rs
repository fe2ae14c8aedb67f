//! Opening hours and shifts on the plan day's clock: seconds from the plan date's local midnight,
//! running past 86 400 for the small hours of the next day, so a KTV open 20:00–02:00 and a night
//! shift 19:00–03:00 are plain intervals on one line.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};
use opening_hours::OpeningHours;
use opening_hours_syntax::rules::RuleKind;
use serde::{Deserialize, Serialize};

pub const DAY_S: i64 = 86_400;

/// A team's working time on the plan day's clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shift {
    pub start: i64,
    pub end: i64,
}

impl Shift {
    /// Reads `HH:MM-HH:MM`; an end at or before the start is on the next day (a night shift).
    pub fn parse(text: &str) -> Result<Self, String> {
        let (a, b) = text
            .split_once('-')
            .ok_or_else(|| format!("shift {text:?}: expected HH:MM-HH:MM"))?;
        let start = clock_seconds(a).map_err(|e| format!("shift {text:?}: {e}"))?;
        let mut end = clock_seconds(b).map_err(|e| format!("shift {text:?}: {e}"))?;
        if end <= start {
            end += DAY_S;
        }
        Ok(Self { start, end })
    }

    pub fn seconds(&self) -> i64 {
        self.end - self.start
    }

    /// `HH:MM-HH:MM`, as `parse` reads it (the next day is implied by the end before the start).
    pub fn as_text(&self) -> String {
        format!(
            "{}-{}",
            clock(self.start),
            clock(self.end.rem_euclid(DAY_S))
        )
    }
}

impl std::fmt::Display for Shift {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", clock(self.start), clock(self.end))
    }
}

/// `HH:MM` (or `HH:MM:SS`) as seconds after midnight.
pub fn clock_seconds(text: &str) -> Result<i64, String> {
    let t = text.trim();
    let time = NaiveTime::parse_from_str(t, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(t, "%H:%M:%S"))
        .map_err(|_| format!("{t:?} is not a time of day (HH:MM)"))?;
    Ok(time.signed_duration_since(NaiveTime::MIN).num_seconds())
}

/// A plan-day second as `HH:MM`, with `+1` when it falls on the next day.
pub fn clock(seconds: i64) -> String {
    let day = seconds.div_euclid(DAY_S);
    let s = seconds.rem_euclid(DAY_S);
    let text = format!("{:02}:{:02}", s / 3600, s % 3600 / 60);
    match day {
        0 => text,
        d => format!("{text}{d:+}"),
    }
}

/// The local date and time of a plan-day second.
pub fn local_time(date: NaiveDate, seconds: i64) -> NaiveDateTime {
    date.and_time(NaiveTime::MIN) + TimeDelta::seconds(seconds)
}

/// Parses OSM `opening_hours` syntax; the error names what the crate could not read.
pub fn parse_opening_hours(text: &str) -> Result<OpeningHours, String> {
    text.parse::<OpeningHours>()
        .map_err(|e| format!("opening hours {text:?} do not parse: {e}"))
}

/// The venue's open intervals within the shift, clipped to it, on the plan day's clock. `None`
/// hours (no hours on the registry: rental housing, offices) mean open for the whole shift.
/// Intervals whose state is `unknown` count as open: an inspector may find it open, and a
/// wasted visit is better than a skipped one.
pub fn open_during(hours: Option<&OpeningHours>, date: NaiveDate, shift: Shift) -> Vec<(i64, i64)> {
    let Some(hours) = hours else {
        return vec![(shift.start, shift.end)];
    };
    let from = local_time(date, shift.start);
    let to = local_time(date, shift.end);
    let midnight = local_time(date, 0);
    let mut open: Vec<(i64, i64)> = Vec::new();
    for range in hours.iter_range(from, to) {
        if range.kind == RuleKind::Closed {
            continue;
        }
        let a = (range.range.start - midnight).num_seconds();
        let b = (range.range.end - midnight).num_seconds();
        match open.last_mut() {
            Some(last) if last.1 >= a => last.1 = last.1.max(b),
            _ if b > a => open.push((a, b)),
            _ => {}
        }
    }
    open
}

/// Windows on the start of an inspection of `service` seconds that must end before closing.
pub fn service_windows(open: &[(i64, i64)], service: i64) -> Vec<(i64, i64)> {
    open.iter()
        .filter(|(a, b)| b - service >= *a)
        .map(|(a, b)| (*a, b - service))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date() -> NaiveDate {
        // A Saturday.
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
    }

    #[test]
    fn night_shifts_run_past_midnight() {
        let s = Shift::parse("19:00-03:00").unwrap();
        assert_eq!((s.start, s.end), (19 * 3600, 27 * 3600));
        assert_eq!(s.to_string(), "19:00-03:00+1");
        assert_eq!(
            Shift::parse("09:00-17:30").unwrap().seconds(),
            8 * 3600 + 1800
        );
        assert!(Shift::parse("9-5").unwrap_err().contains("9-5"));
    }

    #[test]
    fn a_ktv_open_20_to_02_meets_a_19_to_03_shift_in_one_window() {
        let oh = parse_opening_hours("Mo-Su 20:00-02:00").unwrap();
        let open = open_during(Some(&oh), date(), Shift::parse("19:00-03:00").unwrap());
        assert_eq!(open, vec![(20 * 3600, 26 * 3600)]);
        // 25 minutes on site: the last start is 01:35.
        assert_eq!(
            service_windows(&open, 25 * 60),
            vec![(20 * 3600, 25 * 3600 + 35 * 60)]
        );
    }

    #[test]
    fn the_small_hours_belong_to_the_previous_evening() {
        // Open Friday night until 02:00: a Saturday 00:00–06:00 shift meets it until 02:00.
        let oh = parse_opening_hours("Fr 22:00-02:00").unwrap();
        let open = open_during(Some(&oh), date(), Shift::parse("00:00-06:00").unwrap());
        assert_eq!(open, vec![(0, 2 * 3600)]);
    }

    #[test]
    fn a_day_business_never_meets_a_night_shift() {
        let oh = parse_opening_hours("Mo-Sa 09:00-17:00").unwrap();
        let night = Shift::parse("19:00-03:00").unwrap();
        assert!(open_during(Some(&oh), date(), night).is_empty());
        let day = Shift::parse("08:00-12:00").unwrap();
        assert_eq!(
            open_during(Some(&oh), date(), day),
            vec![(9 * 3600, 12 * 3600)]
        );
        // Closed on Sundays.
        let sunday = date().succ_opt().unwrap();
        assert!(open_during(Some(&oh), sunday, day).is_empty());
    }

    #[test]
    fn no_hours_means_the_whole_shift_and_bad_hours_say_why() {
        let shift = Shift::parse("19:00-03:00").unwrap();
        assert_eq!(
            open_during(None, date(), shift),
            vec![(shift.start, shift.end)]
        );
        assert!(
            parse_opening_hours("whenever")
                .unwrap_err()
                .contains("whenever")
        );
        assert!(service_windows(&[(0, 600)], 900).is_empty());
    }
}
