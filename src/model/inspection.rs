use super::LonLat;
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
}

/// A photo taken at an inspection: the file lives in the data folder under its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoRef {
    pub sha256: String,
    pub content_type: String,
    pub bytes: u64,
}

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
            other => Err(format!("unknown follow-up status {other:?}")),
        }
    }
}

/// What must happen after a finding, who must do it, and by when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FollowUp {
    pub id: i64,
    pub venue_id: i64,
    pub inspection_id: i64,
    /// The finding that raised it.
    pub outcome: Outcome,
    pub raised_on: String,
    pub action: String,
    pub responsible_unit: String,
    /// `YYYY-MM-DD`: the re-inspection is due on or before this day.
    pub deadline: String,
    pub status: FollowUpStatus,
    pub closed_by_inspection_id: Option<i64>,
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
