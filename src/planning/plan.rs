//! A PatrolPlan: for each team the ordered stops with their times, the street path, the score
//! collected; and everything left out, with the reason.

use super::teams::Duty;
use crate::model::LonLat;
use serde::{Deserialize, Serialize};

/// What a stop is: a venue to inspect, a broken lamp to repair, or a proposed lamp to install.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Target {
    Venue(i64),
    Lamp(i64),
    /// A lamp proposal, by its rank in the lighting run.
    Proposal(i64),
    /// A place a dispatcher added with a note (a complaint, a place to look at), by the id of
    /// the dispatcher's action.
    Point(i64),
}

impl Target {
    pub fn kind(&self) -> &'static str {
        match self {
            Target::Venue(_) => "venue",
            Target::Lamp(_) => "lamp",
            Target::Proposal(_) => "proposal",
            Target::Point(_) => "point",
        }
    }

    pub fn id(&self) -> i64 {
        match self {
            Target::Venue(i) | Target::Lamp(i) | Target::Proposal(i) | Target::Point(i) => *i,
        }
    }

    pub fn from_parts(kind: &str, id: i64) -> Result<Self, String> {
        match kind {
            "venue" => Ok(Target::Venue(id)),
            "lamp" => Ok(Target::Lamp(id)),
            "proposal" => Ok(Target::Proposal(id)),
            "point" => Ok(Target::Point(id)),
            other => Err(format!("unknown stop kind {other:?}")),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedStop {
    pub seq: usize,
    pub target: Target,
    pub name: String,
    /// Venue kind, or `repair` / `install` for a lighting crew.
    pub category: String,
    pub at: LonLat,
    /// Plan-day seconds (see `hours`): arrival, start of work (after any wait), departure.
    pub arrival_s: i64,
    pub start_s: i64,
    pub departure_s: i64,
    /// What the stop is worth: the venue's risk score, or the deficit removed in lux.
    pub score: f64,
    pub mandatory: bool,
    /// Why it is on the list: risk terms, the follow-up due, or the lamp's deficit.
    pub reason: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatrolRoute {
    pub team_id: i64,
    pub team: String,
    pub mode: String,
    pub start_s: i64,
    pub end_s: i64,
    pub stops: Vec<PlannedStop>,
    /// The street path from the depot through every stop and back.
    pub path: Vec<LonLat>,
    pub score: f64,
    pub travel_s: i64,
    /// Kept as it is by the dispatcher: re-optimisation leaves it alone.
    #[serde(default)]
    pub locked: bool,
}

/// Why a venue (or lamp) is not on any route today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeftOutReason {
    /// Closed on the registry.
    Closed,
    /// Suspended (drug finding) with no follow-up due.
    Suspended,
    /// Its opening hours do not meet any team's shift.
    ShutDuringShift,
    /// No team has the units its kind requires.
    NoTeamWithUnits,
    /// No street the teams use within reach of it.
    Unreachable,
    /// Below the risk cut of the day's candidates.
    BelowCandidateCut,
    /// A candidate the optimiser did not fit into any shift (others collected more).
    NotSelected,
    /// A mandatory stop (follow-up due) that no shift could take: a manager must act.
    MandatoryDidNotFit,
    /// Taken off today's plan by the dispatcher, with the reason given.
    Excluded,
    /// Pinned to a team that is absent or cannot reach it today.
    PinnedTeamUnavailable,
}

impl LeftOutReason {
    pub fn as_str(self) -> &'static str {
        match self {
            LeftOutReason::Closed => "closed",
            LeftOutReason::Suspended => "suspended",
            LeftOutReason::ShutDuringShift => "shut_during_shift",
            LeftOutReason::NoTeamWithUnits => "no_team_with_units",
            LeftOutReason::Unreachable => "unreachable",
            LeftOutReason::BelowCandidateCut => "below_candidate_cut",
            LeftOutReason::NotSelected => "not_selected",
            LeftOutReason::MandatoryDidNotFit => "mandatory_did_not_fit",
            LeftOutReason::Excluded => "excluded",
            LeftOutReason::PinnedTeamUnavailable => "pinned_team_unavailable",
        }
    }

    pub fn parse(s: &str) -> Result<Self, String> {
        serde_json::from_value(serde_json::Value::String(s.to_string()))
            .map_err(|_| format!("unknown left-out reason {s:?}"))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeftOut {
    pub target: Target,
    pub name: String,
    pub reason: LeftOutReason,
    /// The particulars: the hours, the units missing, the cut's score.
    pub detail: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PlanSummary {
    pub candidates: usize,
    pub stops: usize,
    pub mandatory: usize,
    pub mandatory_unserved: usize,
    pub score: f64,
    pub travel_s: i64,
    /// Venues at or above the configured high-risk score, and how many of them are on a route.
    pub high_risk: usize,
    pub high_risk_visited: usize,
    /// Scoring, windows, snapping and travel-time matrices, contraction included.
    pub build_seconds: f64,
    /// Of which contracting the street graphs.
    pub contraction_seconds: f64,
    pub search_seconds: f64,
    pub iterations: u64,
    /// What the optimiser's independent check found wrong (empty: every route keeps its
    /// windows, skills, pins and shift; anything here is a bug, logged as an error).
    #[serde(default)]
    pub check_failures: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatrolPlan {
    /// Store id; 0 until stored.
    pub id: i64,
    pub date: chrono::NaiveDate,
    pub duty: Duty,
    pub routes: Vec<PatrolRoute>,
    pub left_out: Vec<LeftOut>,
    pub summary: PlanSummary,
}

impl PatrolPlan {
    /// Left-out counts by reason, in reason order.
    pub fn left_out_counts(&self) -> Vec<(LeftOutReason, usize)> {
        let mut counts = std::collections::BTreeMap::new();
        for l in &self.left_out {
            *counts.entry(l.reason).or_insert(0) += 1;
        }
        counts.into_iter().collect()
    }
}

/// A stop named in a route's changes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangedStop {
    pub target: Target,
    pub name: String,
}

/// What changed on one team's route between two revisions, as its phone tells the team.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RouteChanges {
    pub added: Vec<ChangedStop>,
    pub removed: Vec<ChangedStop>,
    /// The stops on both are visited in another order.
    pub reordered: bool,
}

/// The changes from `old` to `new` (either may be missing: a route given or taken away).
///
/// ```
/// use patrolmap::planning::plan::{route_changes, PatrolRoute};
/// let none = route_changes(None, None);
/// assert!(none.added.is_empty() && none.removed.is_empty() && !none.reordered);
/// ```
pub fn route_changes(old: Option<&PatrolRoute>, new: Option<&PatrolRoute>) -> RouteChanges {
    let stops = |r: Option<&PatrolRoute>| -> Vec<ChangedStop> {
        r.map(|r| {
            r.stops
                .iter()
                .map(|s| ChangedStop {
                    target: s.target,
                    name: s.name.clone(),
                })
                .collect()
        })
        .unwrap_or_default()
    };
    let (before, after) = (stops(old), stops(new));
    let has = |list: &[ChangedStop], t: Target| list.iter().any(|s| s.target == t);
    let common_before: Vec<Target> = before
        .iter()
        .map(|s| s.target)
        .filter(|t| has(&after, *t))
        .collect();
    let common_after: Vec<Target> = after
        .iter()
        .map(|s| s.target)
        .filter(|t| has(&before, *t))
        .collect();
    RouteChanges {
        added: after
            .iter()
            .filter(|s| !has(&before, s.target))
            .cloned()
            .collect(),
        removed: before
            .iter()
            .filter(|s| !has(&after, s.target))
            .cloned()
            .collect(),
        reordered: common_before != common_after,
    }
}
