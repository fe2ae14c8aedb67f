//! Follow-up supervision as whole steps: the daily escalation of follow-ups whose deadline
//! (or the time limit of their last escalation) has passed. The server's schedule runs it
//! after midnight and at start-up; `patrolmap inspection escalate-overdue` runs it by hand.

use crate::model::FollowUp;
use crate::planning::PlanningConfig;
use crate::store::Store;
use chrono::NaiveDate;

/// Escalates what is overdue on `today`; answers what it escalated. Running it twice on one
/// day changes nothing more.
pub fn escalate_overdue(
    store: &mut Store,
    config: &PlanningConfig,
    today: NaiveDate,
) -> crate::store::Result<Vec<FollowUp>> {
    let escalated = store.escalate_overdue(today, &config.supervision)?;
    for f in &escalated {
        tracing::info!(
            follow_up = f.id,
            level = f.level,
            unit = f.escalated_to.as_deref().unwrap_or_default(),
            "overdue follow-up escalated"
        );
    }
    Ok(escalated)
}
