//! Each responsible unit's list (issue 13): the open follow-ups a unit answers for on a day,
//! split into late, due within a few days, and later; what the daily webhook sends each unit
//! and what `report units` prints. The unit is [`assessment::unit_of`]'s, the one the
//! assessment holds to account.
//!
//! [`assessment::unit_of`]: super::assessment::unit_of

use super::assessment::unit_of;
use crate::model::FollowUp;
use chrono::{NaiveDate, TimeDelta};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// Due within this many days, unless asked otherwise.
pub const DEFAULT_WITHIN_DAYS: i64 = 3;

/// One open follow-up as its unit's list shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitFollowUp {
    pub id: i64,
    pub venue_id: i64,
    pub venue: String,
    /// The township (or other area) the venue lies in.
    pub area: Option<String>,
    pub action: String,
    pub raised_on: NaiveDate,
    pub deadline: NaiveDate,
    /// Escalation level (0: not escalated).
    pub level: u32,
    /// Days past the deadline on the day (0 when not late).
    pub days_late: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitList {
    pub unit: String,
    pub open: usize,
    /// Late: the deadline passed, most late first.
    pub late: Vec<UnitFollowUp>,
    /// Due from the day to `within` days after it, soonest first.
    pub due_soon: Vec<UnitFollowUp>,
    pub later: Vec<UnitFollowUp>,
}

/// Every unit's list on a day: the webhook's body and `report units --json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitsReport {
    pub day: NaiveDate,
    pub within_days: i64,
    pub units: Vec<UnitList>,
}

/// A unit's counts, for the list of units.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitCounts {
    pub unit: String,
    pub open: usize,
    pub late: usize,
    pub due_soon: usize,
}

impl UnitList {
    pub fn counts(&self) -> UnitCounts {
        UnitCounts {
            unit: self.unit.clone(),
            open: self.open,
            late: self.late.len(),
            due_soon: self.due_soon.len(),
        }
    }

    /// Late, then due soon, then later, with which part each is in.
    pub fn rows(&self) -> impl Iterator<Item = (&'static str, &UnitFollowUp)> {
        self.late
            .iter()
            .map(|f| ("late", f))
            .chain(self.due_soon.iter().map(|f| ("due_soon", f)))
            .chain(self.later.iter().map(|f| ("later", f)))
    }
}

/// Where a venue is and what it is called, for the lists.
pub struct VenueLabel {
    pub name: String,
    pub area: Option<String>,
}

/// The lists of every unit with an open follow-up on `day` (open as the day stood, as in
/// coverage), by unit name. `within` is clamped to at least 0.
pub fn unit_lists(
    follow_ups: &[FollowUp],
    venues: &HashMap<i64, VenueLabel>,
    day: NaiveDate,
    within: i64,
) -> UnitsReport {
    let within = within.max(0);
    let soon = day + TimeDelta::days(within);
    let mut by_unit: BTreeMap<&str, UnitList> = BTreeMap::new();
    for f in follow_ups.iter().filter(|f| f.open_on(day)) {
        let unit = unit_of(f);
        let list = by_unit.entry(unit).or_insert_with(|| UnitList {
            unit: unit.to_string(),
            open: 0,
            late: Vec::new(),
            due_soon: Vec::new(),
            later: Vec::new(),
        });
        let label = venues.get(&f.venue_id);
        let row = UnitFollowUp {
            id: f.id,
            venue_id: f.venue_id,
            venue: label.map(|l| l.name.clone()).unwrap_or_default(),
            area: label.and_then(|l| l.area.clone()),
            action: f.action.clone(),
            raised_on: f.raised_on,
            deadline: f.deadline,
            level: f.level,
            days_late: (day - f.deadline).num_days().max(0),
        };
        list.open += 1;
        if f.late_on(day) {
            list.late.push(row);
        } else if f.deadline <= soon {
            list.due_soon.push(row);
        } else {
            list.later.push(row);
        }
    }
    let mut units: Vec<UnitList> = by_unit.into_values().collect();
    for u in &mut units {
        u.late
            .sort_by_key(|f| (std::cmp::Reverse(f.days_late), f.id));
        u.due_soon.sort_by_key(|f| (f.deadline, f.id));
        u.later.sort_by_key(|f| (f.deadline, f.id));
    }
    UnitsReport {
        day,
        within_days: within,
        units,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Outcome;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    fn follow_up(id: i64, unit: &str, deadline: u32) -> FollowUp {
        let mut f = FollowUp::raised(
            id,
            id,
            Outcome::Violation,
            day(1),
            ("复查", unit, day(deadline)),
        );
        f.id = id;
        f
    }

    #[test]
    fn a_units_open_follow_ups_split_into_late_due_soon_and_later() {
        let mut escalated = follow_up(4, "商务局", 5);
        escalated.level = 1;
        escalated.escalated_to = Some("属地派出所".into());
        let mut closed = follow_up(5, "商务局", 30);
        closed.status = crate::model::FollowUpStatus::Done;
        closed.closed_on = Some(day(9));
        let all = [
            follow_up(1, "商务局", 8),
            follow_up(2, "商务局", 13),
            follow_up(3, "商务局", 14),
            escalated,
            closed,
        ];
        let venues = HashMap::from([(
            1,
            VenueLabel {
                name: "金色年华KTV".into(),
                area: Some("东城街道".into()),
            },
        )]);
        let r = unit_lists(&all, &venues, day(10), 3);
        let names: Vec<&str> = r.units.iter().map(|u| u.unit.as_str()).collect();
        assert_eq!(
            names,
            ["商务局", "属地派出所"],
            "an escalated one is its new unit's"
        );
        let commerce = &r.units[0];
        assert_eq!(
            commerce.open, 3,
            "closed on the 9th is not open on the 10th"
        );
        assert_eq!((commerce.late[0].id, commerce.late[0].days_late), (1, 2));
        assert_eq!(commerce.late[0].venue, "金色年华KTV");
        let ids = |v: &[UnitFollowUp]| v.iter().map(|f| f.id).collect::<Vec<_>>();
        assert_eq!(
            ids(&commerce.due_soon),
            [2],
            "the 13th is within 3 days of the 10th"
        );
        assert_eq!(ids(&commerce.later), [3]);
        assert_eq!(r.units[1].late[0].days_late, 5);
        // As the 8th stood, the one closed on the 9th was open and due later.
        let before = unit_lists(&all, &venues, day(8), 3);
        assert_eq!(before.units[0].open, 4);
        assert_eq!(
            before.units[0].counts().due_soon,
            1,
            "the deadline day itself is not late"
        );
    }
}
