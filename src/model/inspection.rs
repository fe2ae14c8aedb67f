use super::LonLat;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What an inspection found (DESIGN.md §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Compliant,
    Violation,
    DrugRelated,
    ClosedOnArrival,
    RefusedEntry,
}

impl Outcome {
    pub const ALL: [Outcome; 5] = [
        Outcome::Compliant,
        Outcome::Violation,
        Outcome::DrugRelated,
        Outcome::ClosedOnArrival,
        Outcome::RefusedEntry,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Compliant => "compliant",
            Outcome::Violation => "violation",
            Outcome::DrugRelated => "drug_related",
            Outcome::ClosedOnArrival => "closed_on_arrival",
            Outcome::RefusedEntry => "refused_entry",
        }
    }

    pub fn parse(s: &str) -> Result<Self, String> {
        match s.trim().to_lowercase().as_str() {
            "compliant" | "合格" | "正常" => Ok(Outcome::Compliant),
            "violation" | "违规" => Ok(Outcome::Violation),
            "drug_related" | "涉毒" => Ok(Outcome::DrugRelated),
            "closed_on_arrival" | "未营业" => Ok(Outcome::ClosedOnArrival),
            "refused_entry" | "拒绝检查" => Ok(Outcome::RefusedEntry),
            other => Err(format!(
                "unknown outcome {other:?} (expected compliant, violation, drug_related, closed_on_arrival or refused_entry)"
            )),
        }
    }

    /// A finding: something was wrong at the venue (counted in coverage and finding density).
    pub fn is_finding(self) -> bool {
        matches!(self, Outcome::Violation | Outcome::DrugRelated)
    }
}

/// Where the inspector's phone said it was, and how sure it was.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GpsFix {
    pub at: LonLat,
    pub accuracy_m: f64,
}

/// One visit to a venue, as recorded in the field (or backfilled from paper).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inspection {
    /// Made on the device: a retried upload carries the same UUID and is the same record.
    /// Parsed, whatever the spelling (`{…}`, `urn:uuid:…`, without dashes), and always stored
    /// and compared in its one hyphenated lower-case form.
    pub client_uuid: uuid::Uuid,
    pub venue_id: i64,
    pub team_id: Option<i64>,
    pub account_id: Option<i64>,
    /// Local time, `YYYY-MM-DDTHH:MM[:SS]`.
    pub started_at: String,
    pub finished_at: Option<String>,
    pub outcome: Outcome,
    /// Checklist item → answer, as the form for the venue's kind asked it.
    #[serde(default)]
    pub checklist: serde_json::Map<String, serde_json::Value>,
    pub notes: Option<String>,
    pub gps: Option<GpsFix>,
    /// Photos stored in the data folder under their content hash.
    #[serde(default)]
    pub photos: Vec<PhotoRef>,
    /// Generated demo history, never a real visit.
    #[serde(default)]
    pub sample: bool,
    /// An inspector's visit to a registered venue near its route but not on its plan.
    /// Left out of the stored form when false, so records hashed before it keep their hash.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub off_plan: bool,
    /// The record this one corrects: a new version, the old one kept (issue 13).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub corrects: Option<uuid::Uuid>,
}

/// A photo taken at an inspection: the file lives in the data folder under its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoRef {
    pub sha256: String,
    pub content_type: String,
    pub bytes: u64,
}

/// Where a follow-up stands: open until a visit or a manager closes it, or it is cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FollowUpStatus {
    Open,
    Done,
    Cancelled,
}

impl FollowUpStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            FollowUpStatus::Open => "open",
            FollowUpStatus::Done => "done",
            FollowUpStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Result<Self, String> {
        match s {
            "open" => Ok(FollowUpStatus::Open),
            "done" => Ok(FollowUpStatus::Done),
            "cancelled" => Ok(FollowUpStatus::Cancelled),
            other => Err(format!(
                "unknown follow-up status {other:?} (expected open, done or cancelled)"
            )),
        }
    }
}

/// How a follow-up ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClosedHow {
    /// A compliant visit of the venue.
    Inspection,
    /// A manager, with a note and photos of what was done.
    Evidence,
    /// A manager, raised in error.
    Cancelled,
    /// The record that raised it was corrected to say otherwise.
    Corrected,
}

impl ClosedHow {
    pub fn as_str(self) -> &'static str {
        match self {
            ClosedHow::Inspection => "inspection",
            ClosedHow::Evidence => "evidence",
            ClosedHow::Cancelled => "cancelled",
            ClosedHow::Corrected => "corrected",
        }
    }

    pub fn parse(s: &str) -> Result<Self, String> {
        [
            ClosedHow::Inspection,
            ClosedHow::Evidence,
            ClosedHow::Cancelled,
            ClosedHow::Corrected,
        ]
        .into_iter()
        .find(|c| c.as_str() == s)
        .ok_or_else(|| format!("unknown way a follow-up closed: {s:?}"))
    }

    /// The status a follow-up closed this way has.
    pub fn status(self) -> FollowUpStatus {
        match self {
            ClosedHow::Inspection | ClosedHow::Evidence => FollowUpStatus::Done,
            ClosedHow::Cancelled | ClosedHow::Corrected => FollowUpStatus::Cancelled,
        }
    }
}

/// What must happen after a finding, who must do it, and by when; and, once supervised, how
/// often the deadline moved and how far it was escalated (督办).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FollowUp {
    pub id: i64,
    pub venue_id: i64,
    pub inspection_id: i64,
    /// The finding that raised it.
    pub outcome: Outcome,
    /// The finding's local day.
    pub raised_on: NaiveDate,
    pub action: String,
    pub responsible_unit: String,
    /// The re-inspection is due on or before this day (moved only by an extension).
    pub deadline: NaiveDate,
    pub status: FollowUpStatus,
    pub closed_by_inspection_id: Option<i64>,
    /// Times the deadline was extended.
    #[serde(default)]
    pub extensions: u32,
    /// Escalation level: 0 until escalated; each deadline passed again raises it.
    #[serde(default)]
    pub level: u32,
    #[serde(default)]
    pub escalated_to: Option<String>,
    /// The escalated unit must have acted by this day, or the level rises.
    #[serde(default)]
    pub escalation_due: Option<NaiveDate>,
    #[serde(default)]
    pub closed_on: Option<NaiveDate>,
    #[serde(default)]
    pub closed_how: Option<ClosedHow>,
    #[serde(default)]
    pub close_note: Option<String>,
}

impl FollowUp {
    /// Open on `day`: raised by then and not yet closed (a past day reads as it stood).
    pub fn open_on(&self, day: NaiveDate) -> bool {
        self.raised_on <= day
            && match self.closed_on {
                Some(closed) => closed > day,
                None => self.status == FollowUpStatus::Open,
            }
    }

    /// Open on `day` with its deadline passed.
    pub fn late_on(&self, day: NaiveDate) -> bool {
        self.open_on(day) && self.deadline < day
    }

    /// A follow-up newly raised by a finding: open, nothing done to it yet.
    pub fn raised(
        venue_id: i64,
        inspection_id: i64,
        outcome: Outcome,
        raised_on: NaiveDate,
        rule: (&str, &str, NaiveDate),
    ) -> Self {
        let (action, unit, deadline) = rule;
        FollowUp {
            id: 0,
            venue_id,
            inspection_id,
            outcome,
            raised_on,
            action: action.to_string(),
            responsible_unit: unit.to_string(),
            deadline,
            status: FollowUpStatus::Open,
            closed_by_inspection_id: None,
            extensions: 0,
            level: 0,
            escalated_to: None,
            escalation_due: None,
            closed_on: None,
            closed_how: None,
            close_note: None,
        }
    }
}

/// A manager's verdict on a record (ODK Central's review states).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewState {
    Pending,
    Approved,
    HasIssues,
    /// Sent back to the team: the venue is visited again.
    Rejected,
}

impl ReviewState {
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewState::Pending => "pending",
            ReviewState::Approved => "approved",
            ReviewState::HasIssues => "has_issues",
            ReviewState::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Result<Self, String> {
        match s.trim() {
            "pending" => Ok(ReviewState::Pending),
            "approved" | "通过" => Ok(ReviewState::Approved),
            "has_issues" | "有问题" => Ok(ReviewState::HasIssues),
            "rejected" | "退回" => Ok(ReviewState::Rejected),
            other => Err(format!(
                "unknown review state {other:?} (expected approved, has_issues or rejected)"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_round_trip_and_chinese_names_parse() {
        for o in Outcome::ALL {
            assert_eq!(Outcome::parse(o.as_str()), Ok(o));
        }
        assert_eq!(Outcome::parse("涉毒"), Ok(Outcome::DrugRelated));
        assert!(Outcome::parse("fine").unwrap_err().contains("fine"));
    }
}
