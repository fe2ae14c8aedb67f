//! What recording an inspection does to the venue's open business (DESIGN.md §2, issue 13):
//! a compliant visit closes the follow-ups earlier findings left open, a finding raises one
//! (and may suspend the venue), a visit redoes records that were sent back, and a correction
//! withdraws what the version it corrects raised. One pure function: the store persists it.
//!
//! ```
//! use chrono::NaiveDate;
//! use patrolmap::model::{Outcome, VenueStatus};
//! use patrolmap::planning::consequences::{consequences, Before, Visit};
//! use patrolmap::planning::PlanningConfig;
//! let day = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
//! let visit = Visit { inspection_id: 5, venue_id: 3, outcome: Outcome::DrugRelated, day, correcting: None };
//! let before = Before { venue_status: VenueStatus::Active, open_follow_ups: &[], sent_back: &[] };
//! let c = consequences(&visit, &before, &PlanningConfig::default());
//! assert!(c.suspend && c.raise.is_some());
//! ```

use super::PlanningConfig;
use super::supervision::{self, Change};
use crate::model::{FollowUp, Outcome, VenueStatus};
use chrono::{NaiveDate, TimeDelta};

/// The visit being recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct Visit {
    pub inspection_id: i64,
    pub venue_id: i64,
    pub outcome: Outcome,
    /// Its local day.
    pub day: NaiveDate,
    /// The version it corrects, when it is a correction.
    pub correcting: Option<i64>,
}

/// The venue as the visit finds it.
#[derive(Debug, Clone, Copy)]
pub struct Before<'a> {
    pub venue_status: VenueStatus,
    pub open_follow_ups: &'a [FollowUp],
    /// Current records of the venue sent back and not yet redone (inspection ids).
    pub sent_back: &'a [i64],
}

/// What the visit does.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Consequences {
    /// Follow-ups it closes or withdraws, each with its history event.
    pub changes: Vec<Change>,
    /// The follow-up its finding raises (id 0 until stored).
    pub raise: Option<FollowUp>,
    pub suspend: bool,
    /// Sent-back records this visit redoes.
    pub redo: Vec<i64>,
}

pub fn consequences(visit: &Visit, before: &Before, rules: &PlanningConfig) -> Consequences {
    let mut out = Consequences::default();
    for f in before.open_follow_ups {
        if visit.correcting == Some(f.inspection_id) {
            // What the old version raised no longer stands; the correction's own finding
            // (below) raises anew.
            let note = format!("the record was corrected (now {})", visit.outcome.as_str());
            out.changes
                .push(supervision::corrected(f, visit.day, &note));
        } else if visit.outcome == Outcome::Compliant {
            out.changes.push(supervision::closed_by_visit(
                f,
                visit.inspection_id,
                visit.day,
            ));
        }
    }
    // A correction is the same visit told again, not a new visit: it redoes nothing.
    if visit.correcting.is_none() {
        out.redo = before.sent_back.to_vec();
    }
    if let Some(rule) = rules.follow_up_rule(visit.outcome) {
        let deadline = visit.day + TimeDelta::days(rule.deadline_days);
        out.raise = Some(FollowUp::raised(
            visit.venue_id,
            visit.inspection_id,
            visit.outcome,
            visit.day,
            (&rule.action, &rule.unit, deadline),
        ));
        out.suspend = rule.suspend && before.venue_status == VenueStatus::Active;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ClosedHow, FollowUpStatus};

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
    }

    fn open(id: i64, raised_by: i64) -> FollowUp {
        FollowUp {
            id,
            ..FollowUp::raised(
                3,
                raised_by,
                Outcome::Violation,
                day(1),
                ("复查", "commerce", day(8)),
            )
        }
    }

    fn visit(outcome: Outcome, correcting: Option<i64>) -> Visit {
        Visit {
            inspection_id: 20,
            venue_id: 3,
            outcome,
            day: day(5),
            correcting,
        }
    }

    #[test]
    fn a_compliant_visit_closes_what_is_open_and_redoes_what_was_sent_back() {
        let open = [open(1, 10), open(2, 11)];
        let before = Before {
            venue_status: VenueStatus::Active,
            open_follow_ups: &open,
            sent_back: &[11],
        };
        let c = consequences(
            &visit(Outcome::Compliant, None),
            &before,
            &PlanningConfig::default(),
        );
        assert_eq!(c.changes.len(), 2);
        for ch in &c.changes {
            assert_eq!(ch.follow_up.status, FollowUpStatus::Done);
            assert_eq!(ch.follow_up.closed_how, Some(ClosedHow::Inspection));
            assert_eq!(ch.follow_up.closed_by_inspection_id, Some(20));
            assert_eq!(ch.follow_up.closed_on, Some(day(5)));
        }
        assert_eq!(c.redo, vec![11]);
        assert_eq!((c.raise, c.suspend), (None, false));
    }

    #[test]
    fn a_finding_raises_one_by_its_rule_and_may_suspend() {
        let rules = PlanningConfig::default();
        let open = [open(1, 10)];
        let before = Before {
            venue_status: VenueStatus::Active,
            open_follow_ups: &open,
            sent_back: &[],
        };
        let c = consequences(&visit(Outcome::Violation, None), &before, &rules);
        assert!(c.changes.is_empty(), "a finding closes nothing");
        let raised = c.raise.unwrap();
        let rule = rules.follow_up_rule(Outcome::Violation).unwrap();
        assert_eq!(
            raised.deadline,
            day(5) + TimeDelta::days(rule.deadline_days)
        );
        assert_eq!((raised.inspection_id, raised.venue_id), (20, 3));
        assert!(!c.suspend);
        let drugs = consequences(&visit(Outcome::DrugRelated, None), &before, &rules);
        assert!(drugs.suspend);
        let already = Before {
            venue_status: VenueStatus::Suspended,
            ..before
        };
        assert!(!consequences(&visit(Outcome::DrugRelated, None), &already, &rules).suspend);
        assert!(
            consequences(&visit(Outcome::ClosedOnArrival, None), &before, &rules)
                .raise
                .is_none()
        );
    }

    #[test]
    fn a_correction_withdraws_what_its_old_version_raised_and_redoes_nothing() {
        let open = [open(1, 10), open(2, 11)];
        let before = Before {
            venue_status: VenueStatus::Active,
            open_follow_ups: &open,
            sent_back: &[11],
        };
        // Version 11 said violation; corrected, it says compliant.
        let c = consequences(
            &visit(Outcome::Compliant, Some(11)),
            &before,
            &PlanningConfig::default(),
        );
        let how: Vec<_> = c
            .changes
            .iter()
            .map(|ch| (ch.follow_up.id, ch.follow_up.closed_how))
            .collect();
        assert_eq!(
            how,
            vec![
                (1, Some(ClosedHow::Inspection)),
                (2, Some(ClosedHow::Corrected))
            ]
        );
        assert!(c.redo.is_empty());
    }
}
