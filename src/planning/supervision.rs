//! Follow-up supervision (issue 13), after the 数字城管 case flow: a follow-up raised by a
//! finding is dealt with by its unit within a time limit; a manager may extend the deadline (a
//! configured number of times), escalate it to a unit (督办), cancel one raised in error, or
//! close it with evidence. A deadline that passes escalates it, and each further time limit
//! that passes raises the level. Pure rules: the store persists the change and its event.
//!
//! ```
//! use chrono::NaiveDate;
//! use patrolmap::model::{FollowUp, Outcome};
//! use patrolmap::planning::supervision::{overdue, SupervisionSettings};
//! let day = |d| NaiveDate::from_ymd_opt(2026, 12, d).unwrap();
//! let f = FollowUp::raised(1, 1, Outcome::Violation, day(1), ("复查", "commerce", day(8)));
//! let s = SupervisionSettings::default();
//! assert!(overdue(&f, day(8), &s).is_none(), "due on the 8th is not late on the 8th");
//! let first = overdue(&f, day(9), &s).unwrap();
//! assert_eq!(first.follow_up.level, 1);
//! let again = overdue(&first.follow_up, day(9 + s.escalation_days as u32 + 1), &s).unwrap();
//! assert_eq!(again.follow_up.level, 2);
//! ```

use crate::model::{ClosedHow, FollowUp, FollowUpStatus};
use chrono::{NaiveDate, TimeDelta};
use serde::{Deserialize, Serialize};

/// `[supervision]` in the planning configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SupervisionSettings {
    /// How often one follow-up's deadline may be extended.
    pub max_extensions: u32,
    /// The most days one extension may add.
    pub max_extension_days: i64,
    /// The unit a follow-up is escalated to when its deadline passes (督办).
    pub escalate_to: String,
    /// Days the escalated unit has to act before the level rises again.
    pub escalation_days: i64,
    /// The highest escalation level.
    pub max_level: u32,
    /// The longest reason or note a manager may give, in characters.
    pub max_reason_chars: usize,
    /// Where the server POSTs each unit's list once a day (JSON); empty: no webhook.
    pub webhook_url: String,
    /// The local time of day it is sent, `HH:MM`.
    pub webhook_at: String,
}

impl Default for SupervisionSettings {
    fn default() -> Self {
        crate::planning::PlanningConfig::default().supervision
    }
}

impl SupervisionSettings {
    pub fn validate(&self) -> Result<(), String> {
        if self.max_extension_days < 1 {
            return Err("supervision.max_extension_days must be at least 1".into());
        }
        if self.escalation_days < 1 {
            return Err("supervision.escalation_days must be at least 1".into());
        }
        if self.max_level < 1 {
            return Err("supervision.max_level must be at least 1".into());
        }
        if self.escalate_to.trim().is_empty() {
            return Err("supervision.escalate_to must name a unit".into());
        }
        let url = self.webhook_url.trim();
        if !(url.is_empty() || url.starts_with("http://") || url.starts_with("https://")) {
            return Err(format!(
                "supervision.webhook_url {url:?} must be an http:// or https:// URL, or empty for none"
            ));
        }
        self.webhook_time()?;
        Ok(())
    }

    /// The webhook's URL, when one is configured.
    pub fn webhook(&self) -> Option<&str> {
        Some(self.webhook_url.trim()).filter(|u| !u.is_empty())
    }

    /// `webhook_at` as a time of day.
    pub fn webhook_time(&self) -> Result<chrono::NaiveTime, String> {
        chrono::NaiveTime::parse_from_str(self.webhook_at.trim(), "%H:%M").map_err(|e| {
            format!(
                "supervision.webhook_at {:?} is not a time HH:MM: {e}",
                self.webhook_at
            )
        })
    }
}

/// What a manager does to a follow-up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum SupervisionAction {
    Extend {
        days: i64,
        reason: String,
    },
    Escalate {
        unit: String,
        reason: String,
    },
    Cancel {
        reason: String,
    },
    /// Closed without a visit: a note of what was done, and photos as evidence.
    Close {
        note: String,
        photos: usize,
    },
}

impl SupervisionAction {
    pub fn name(&self) -> &'static str {
        match self {
            SupervisionAction::Extend { .. } => "extend",
            SupervisionAction::Escalate { .. } => "escalate",
            SupervisionAction::Cancel { .. } => "cancel",
            SupervisionAction::Close { .. } => "close",
        }
    }

    fn done(&self) -> &'static str {
        match self {
            SupervisionAction::Extend { .. } => "extended",
            SupervisionAction::Escalate { .. } => "escalated",
            SupervisionAction::Cancel { .. } => "cancelled",
            SupervisionAction::Close { .. } => "closed",
        }
    }
}

/// One line of a follow-up's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Raise,
    Extend,
    Escalate,
    /// A deadline or time limit passed: escalated by the system.
    Overdue,
    Cancel,
    Close,
    Corrected,
}

impl EventKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            EventKind::Raise => "raise",
            EventKind::Extend => "extend",
            EventKind::Escalate => "escalate",
            EventKind::Overdue => "overdue",
            EventKind::Cancel => "cancel",
            EventKind::Close => "close",
            EventKind::Corrected => "corrected",
        }
    }
}

/// What happened, as the history keeps it (who did it is the caller's to add).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FollowUpEvent {
    pub kind: EventKind,
    pub on_day: NaiveDate,
    pub reason: Option<String>,
    pub deadline: NaiveDate,
    pub level: u32,
    pub unit: Option<String>,
    pub inspection_id: Option<i64>,
}

impl FollowUpEvent {
    /// The event `kind` leaves on `after`.
    pub fn of(kind: EventKind, after: &FollowUp, on_day: NaiveDate, reason: Option<&str>) -> Self {
        FollowUpEvent {
            kind,
            on_day,
            reason: reason.map(str::to_string),
            deadline: after.deadline,
            level: after.level,
            unit: after.escalated_to.clone(),
            inspection_id: after.closed_by_inspection_id,
        }
    }
}

/// A follow-up after an action, and the event to keep.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub follow_up: FollowUp,
    pub event: FollowUpEvent,
}

/// Why an action was refused: the field of the request it is about, and the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub field: &'static str,
    pub message: String,
    /// True when the follow-up's state refuses it (a conflict), false when the request is bad.
    pub conflict: bool,
}

fn bad(field: &'static str, message: String) -> Refusal {
    Refusal {
        field,
        message,
        conflict: false,
    }
}

fn text<'a>(
    field: &'static str,
    value: &'a str,
    s: &SupervisionSettings,
) -> Result<&'a str, Refusal> {
    let value = value.trim();
    if value.is_empty() {
        return Err(bad(field, format!("`{field}` must say why")));
    }
    let chars = value.chars().count();
    if chars > s.max_reason_chars {
        return Err(bad(
            field,
            format!(
                "`{field}` may have at most {} characters, has {chars}",
                s.max_reason_chars
            ),
        ));
    }
    Ok(value)
}

/// A manager's review of a record: any verdict but approval says why.
pub fn review_reason(
    state: crate::model::ReviewState,
    reason: Option<&str>,
    s: &SupervisionSettings,
) -> Result<Option<String>, Refusal> {
    use crate::model::ReviewState;
    match (state, reason.map(str::trim).filter(|r| !r.is_empty())) {
        (ReviewState::Pending, _) => Err(bad(
            "state",
            "a review is approved, has_issues or rejected".into(),
        )),
        (ReviewState::Approved, None) => Ok(None),
        (_, Some(r)) => text("reason", r, s).map(|r| Some(r.to_string())),
        (_, None) => Err(bad(
            "reason",
            format!("a record that is {} must say why", state.as_str()),
        )),
    }
}

/// `action` applied to `f` on the district's day `today`.
pub fn apply(
    f: &FollowUp,
    action: &SupervisionAction,
    today: NaiveDate,
    s: &SupervisionSettings,
) -> Result<Change, Refusal> {
    if f.status != FollowUpStatus::Open {
        return Err(Refusal {
            field: "status",
            message: format!(
                "follow-up {} is {}: only an open one can be {}",
                f.id,
                f.status.as_str(),
                action.done()
            ),
            conflict: true,
        });
    }
    let mut after = f.clone();
    let (kind, reason) = match action {
        SupervisionAction::Extend { days, reason } => {
            let reason = text("reason", reason, s)?;
            if f.extensions >= s.max_extensions {
                return Err(Refusal {
                    field: "days",
                    message: format!(
                        "follow-up {} was extended {} times already, the most allowed",
                        f.id, f.extensions
                    ),
                    conflict: true,
                });
            }
            if !(1..=s.max_extension_days).contains(days) {
                return Err(bad(
                    "days",
                    format!(
                        "an extension is 1 to {} days, not {days}",
                        s.max_extension_days
                    ),
                ));
            }
            let deadline = f.deadline + TimeDelta::days(*days);
            if deadline < today {
                return Err(bad(
                    "days",
                    format!(
                        "{deadline} would still be past on {today}: give at least {} days",
                        (today - f.deadline).num_days()
                    ),
                ));
            }
            after.deadline = deadline;
            after.extensions += 1;
            (EventKind::Extend, reason)
        }
        SupervisionAction::Escalate { unit, reason } => {
            let reason = text("reason", reason, s)?;
            let unit = text("unit", unit, s)?;
            if f.level >= s.max_level {
                return Err(Refusal {
                    field: "unit",
                    message: format!("follow-up {} is at level {}, the highest", f.id, f.level),
                    conflict: true,
                });
            }
            escalate(&mut after, unit, today, s);
            (EventKind::Escalate, reason)
        }
        SupervisionAction::Cancel { reason } => {
            let reason = text("reason", reason, s)?;
            close(&mut after, ClosedHow::Cancelled, today, Some(reason));
            (EventKind::Cancel, reason)
        }
        SupervisionAction::Close { note, photos } => {
            let note = text("note", note, s)?;
            if *photos == 0 {
                return Err(bad(
                    "photos",
                    "closing without a visit needs at least one photo of what was done".into(),
                ));
            }
            close(&mut after, ClosedHow::Evidence, today, Some(note));
            (EventKind::Close, note)
        }
    };
    let event = FollowUpEvent::of(kind, &after, today, Some(reason));
    Ok(Change {
        follow_up: after,
        event,
    })
}

/// The escalation `f` gets on `today` if its deadline, or the time limit of its last
/// escalation, has passed: one level up (to the configured unit if none was named), with a
/// new time limit. None when on time or at the highest level already.
pub fn overdue(f: &FollowUp, today: NaiveDate, s: &SupervisionSettings) -> Option<Change> {
    let limit = f.escalation_due.unwrap_or(f.deadline);
    if f.status != FollowUpStatus::Open || today <= limit || f.level >= s.max_level {
        return None;
    }
    let mut after = f.clone();
    let unit = f
        .escalated_to
        .clone()
        .unwrap_or_else(|| s.escalate_to.clone());
    escalate(&mut after, &unit, today, s);
    let reason = format!("deadline {limit} passed");
    let event = FollowUpEvent::of(EventKind::Overdue, &after, today, Some(&reason));
    Some(Change {
        follow_up: after,
        event,
    })
}

/// Closed by a compliant visit of the venue on `day`.
pub fn closed_by_visit(f: &FollowUp, inspection_id: i64, day: NaiveDate) -> Change {
    let mut after = f.clone();
    after.closed_by_inspection_id = Some(inspection_id);
    close(&mut after, ClosedHow::Inspection, day, None);
    let event = FollowUpEvent::of(EventKind::Close, &after, day, None);
    Change {
        follow_up: after,
        event,
    }
}

/// Withdrawn because the record that raised it was corrected.
pub fn corrected(f: &FollowUp, day: NaiveDate, correction: &str) -> Change {
    let mut after = f.clone();
    close(&mut after, ClosedHow::Corrected, day, Some(correction));
    let event = FollowUpEvent::of(EventKind::Corrected, &after, day, Some(correction));
    Change {
        follow_up: after,
        event,
    }
}

fn escalate(f: &mut FollowUp, unit: &str, today: NaiveDate, s: &SupervisionSettings) {
    f.level += 1;
    f.escalated_to = Some(unit.to_string());
    f.escalation_due = Some(today + TimeDelta::days(s.escalation_days));
}

fn close(f: &mut FollowUp, how: ClosedHow, day: NaiveDate, note: Option<&str>) {
    f.status = how.status();
    f.closed_how = Some(how);
    f.closed_on = Some(day);
    f.close_note = note.map(str::to_string);
}

#[cfg(test)]
#[path = "supervision_tests.rs"]
mod tests;
