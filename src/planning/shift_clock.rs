//! Which plan a team works on at a moment. A plan belongs to a shift, not to a calendar day: a
//! night shift 19:00–03:00 of the 20th is "current" from 19:00 on the 20th to 03:00 on the 21st,
//! so at 00:30 the team is still on the 20th's plan. This is the one rule for the server's
//! current plan (`/api/plans/current`, the inspector's layers, the plan day of `/api/app`) and
//! for the capture check (which plan a record stamped at a local time belongs to).
//!
//! Moments are local district time (`utc_offset_minutes`), as `NaiveDateTime`.
//!
//! ```
//! use chrono::{NaiveDate, NaiveDateTime};
//! use patrolmap::planning::Shift;
//! use patrolmap::planning::shift_clock::{ShiftState, current_plan};
//!
//! let night = Shift::parse("19:00-03:00").unwrap();
//! let day20 = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
//! let at = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap();
//! let c = current_plan(at("2026-11-21T00:30"), night, &[day20]).unwrap();
//! assert_eq!((c.date, c.state), (day20, ShiftState::OnShift));
//! assert_eq!(current_plan(at("2026-11-21T03:30"), night, &[day20]), None);
//! ```

use super::hours::{DAY_S, Shift};
use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use serde::Serialize;

/// How far outside its shift a record may start and still belong to the shift's plan: an
/// inspection that ran a little over, or one started before the shift by a keen team. Capped so
/// the widened windows of two days never overlap.
pub const RECORD_GRACE_S: i64 = 2 * 3600;

/// Where a moment stands against a plan's shift.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ShiftState {
    /// The shift is running.
    OnShift,
    /// The shift starts later today.
    Upcoming,
}

/// The plan a team is on at a moment: its date, its shift as local times, and the state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CurrentPlan {
    pub date: NaiveDate,
    pub shift_start: NaiveDateTime,
    pub shift_end: NaiveDateTime,
    pub state: ShiftState,
}

/// The shift of the plan of `date` as local times (its end may be on the next day).
pub fn shift_window(date: NaiveDate, shift: Shift) -> (NaiveDateTime, NaiveDateTime) {
    let midnight = date.and_time(chrono::NaiveTime::MIN);
    (
        midnight + TimeDelta::seconds(shift.start),
        midnight + TimeDelta::seconds(shift.end),
    )
}

/// The days whose plan can be current at `now`: yesterday (a night shift past midnight) and
/// today. Callers pass `current_plan` those of them that have a plan for the team.
pub fn candidate_days(now: NaiveDateTime) -> [NaiveDate; 2] {
    let today = now.date();
    [today - chrono::Days::new(1), today]
}

/// THE rule. Of the days in `plan_days` (those with a plan for the team), the one whose shift
/// window `[start, end)` holds `now` (yesterday's running night shift first); else today's, if
/// its shift starts later today (`Upcoming`); else None: the team has no plan now.
pub fn current_plan(
    now: NaiveDateTime,
    shift: Shift,
    plan_days: &[NaiveDate],
) -> Option<CurrentPlan> {
    let [yesterday, today] = candidate_days(now);
    for date in [yesterday, today] {
        if !plan_days.contains(&date) {
            continue;
        }
        let (start, end) = shift_window(date, shift);
        if start <= now && now < end {
            return Some(CurrentPlan {
                date,
                shift_start: start,
                shift_end: end,
                state: ShiftState::OnShift,
            });
        }
    }
    if plan_days.contains(&today) {
        let (start, end) = shift_window(today, shift);
        if now < start {
            return Some(CurrentPlan {
                date: today,
                shift_start: start,
                shift_end: end,
                state: ShiftState::Upcoming,
            });
        }
    }
    None
}

/// The plan a record started at `started` belongs to: the same rule on the shift widened by
/// `RECORD_GRACE_S` each side (less for shifts so long the widened windows would overlap).
pub fn plan_of_record(
    started: NaiveDateTime,
    shift: Shift,
    plan_days: &[NaiveDate],
) -> Option<NaiveDate> {
    current_plan(started, record_shift(shift), plan_days).map(|c| c.date)
}

/// The shift widened by the record grace: the window whose records count for its plan.
pub fn record_shift(shift: Shift) -> Shift {
    let grace = RECORD_GRACE_S.min((DAY_S - shift.seconds()).max(0) / 2);
    Shift {
        start: shift.start - grace,
        end: shift.end + grace,
    }
}

/// The plan day of views that follow no one team (managers, planners, the signed-out app):
/// the day of `now`, or the day before while a team of the day before is still on its (night)
/// shift. `teams` holds each team's shift and the days it has a plan.
pub fn plan_day(now: NaiveDateTime, teams: &[(Shift, Vec<NaiveDate>)]) -> NaiveDate {
    let [yesterday, today] = candidate_days(now);
    let night_running = teams.iter().any(|(shift, days)| {
        current_plan(now, *shift, days)
            .is_some_and(|c| c.date == yesterday && c.state == ShiftState::OnShift)
    });
    if night_running { yesterday } else { today }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap()
    }

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_night_shift_keeps_its_plan_past_midnight() {
        let night = Shift::parse("19:00-03:00").unwrap();
        let (d20, d21) = (day("2026-11-20"), day("2026-11-21"));
        let c = current_plan(at("2026-11-20T23:30"), night, &[d20]).unwrap();
        assert_eq!((c.date, c.state), (d20, ShiftState::OnShift));
        assert_eq!(c.shift_start, at("2026-11-20T19:00"));
        assert_eq!(c.shift_end, at("2026-11-21T03:00"));
        // 00:30 on the 21st: still the 20th's plan, even when the 21st has one too.
        let c = current_plan(at("2026-11-21T00:30"), night, &[d20, d21]).unwrap();
        assert_eq!((c.date, c.state), (d20, ShiftState::OnShift));
        // 03:30: the night is over; the 21st's plan is next, if there is one.
        let c = current_plan(at("2026-11-21T03:30"), night, &[d20, d21]).unwrap();
        assert_eq!((c.date, c.state), (d21, ShiftState::Upcoming));
        assert_eq!(current_plan(at("2026-11-21T03:30"), night, &[d20]), None);
        // The end is exclusive.
        let c = current_plan(at("2026-11-21T03:00"), night, &[d20, d21]).unwrap();
        assert_eq!(c.date, d21);
    }

    #[test]
    fn a_day_shift_is_upcoming_before_it_starts_and_over_after() {
        let dayshift = Shift::parse("09:00-17:00").unwrap();
        let d20 = day("2026-11-20");
        let c = current_plan(at("2026-11-20T08:00"), dayshift, &[d20]).unwrap();
        assert_eq!((c.date, c.state), (d20, ShiftState::Upcoming));
        let c = current_plan(at("2026-11-20T12:00"), dayshift, &[d20]).unwrap();
        assert_eq!(c.state, ShiftState::OnShift);
        assert_eq!(current_plan(at("2026-11-20T17:30"), dayshift, &[d20]), None);
        assert_eq!(current_plan(at("2026-11-21T00:30"), dayshift, &[d20]), None);
    }

    #[test]
    fn records_belong_to_the_plan_of_their_shift_with_some_grace() {
        let night = Shift::parse("19:00-03:00").unwrap();
        let (d20, d21) = (day("2026-11-20"), day("2026-11-21"));
        assert_eq!(
            plan_of_record(at("2026-11-21T00:30"), night, &[d20]),
            Some(d20)
        );
        assert_eq!(
            plan_of_record(at("2026-11-21T04:30"), night, &[d20]),
            Some(d20)
        );
        assert_eq!(plan_of_record(at("2026-11-21T05:30"), night, &[d20]), None);
        assert_eq!(
            plan_of_record(at("2026-11-21T18:00"), night, &[d20, d21]),
            Some(d21)
        );
        // A whole-day shift gets no grace: two days' windows never overlap.
        let all_day = Shift::parse("06:00-06:00").unwrap();
        assert_eq!(
            plan_of_record(at("2026-11-21T05:30"), all_day, &[d20, d21]),
            Some(d20)
        );
    }

    #[test]
    fn the_plan_day_waits_for_the_last_night_team() {
        let night = Shift::parse("19:00-03:00").unwrap();
        let dayshift = Shift::parse("09:00-17:00").unwrap();
        let (d20, d21) = (day("2026-11-20"), day("2026-11-21"));
        let teams = vec![(night, vec![d20, d21]), (dayshift, vec![d20, d21])];
        assert_eq!(plan_day(at("2026-11-20T23:30"), &teams), d20);
        assert_eq!(plan_day(at("2026-11-21T00:30"), &teams), d20);
        assert_eq!(plan_day(at("2026-11-21T03:30"), &teams), d21);
        // No night team out on the 20th's plan: midnight moves the day.
        let teams = vec![(night, vec![d21]), (dayshift, vec![d20, d21])];
        assert_eq!(plan_day(at("2026-11-21T00:30"), &teams), d21);
    }
}
