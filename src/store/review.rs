//! Managers' reviews of what was recorded (issue 13): the verdict on a record, kept in order,
//! and the records sent back that the next plan must redo.

use super::inspections::audit;
use super::{Result, Store, StoreError};
use crate::model::ReviewState;
use crate::planning::day::SentBack;
use crate::planning::supervision::{SupervisionSettings, review_reason};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

/// One version of a record, as a correction or a review needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Version {
    pub id: i64,
    pub venue_id: i64,
    pub team_id: Option<i64>,
    pub off_plan: bool,
    /// The client UUID of the version that replaced it.
    pub superseded_by: Option<String>,
}

/// A verdict as it was given.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Review {
    pub uuid: String,
    pub state: ReviewState,
    pub reason: Option<String>,
    pub by: Option<String>,
    pub at: String,
}

impl Store {
    pub fn inspection_version(&self, uuid: &str) -> Result<Option<Version>> {
        Ok(self
            .conn
            .query_row(
                "SELECT i.id, i.venue_id, i.team_id, i.off_plan, s.client_uuid FROM inspections i
                 LEFT JOIN inspections s ON s.id = i.superseded_by WHERE i.client_uuid = ?1",
                [uuid],
                |r| {
                    Ok(Version {
                        id: r.get(0)?,
                        venue_id: r.get(1)?,
                        team_id: r.get(2)?,
                        off_plan: r.get(3)?,
                        superseded_by: r.get(4)?,
                    })
                },
            )
            .optional()?)
    }

    /// Gives the verdict `state` on the record `uuid` (its current version), audited; a
    /// later review replaces the record's verdict and all are kept in order.
    pub fn review_inspection(
        &mut self,
        uuid: &str,
        state: ReviewState,
        reason: Option<&str>,
        settings: &SupervisionSettings,
        account: Option<i64>,
    ) -> Result<Review> {
        let reason = review_reason(state, reason, settings).map_err(|r| StoreError::Invalid {
            field: r.field,
            message: r.message,
        })?;
        let tx = self.conn.transaction()?;
        let version = tx
            .query_row(
                "SELECT i.id, i.review, s.client_uuid FROM inspections i
                 LEFT JOIN inspections s ON s.id = i.superseded_by WHERE i.client_uuid = ?1",
                [uuid],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, Option<String>>(2)?,
                    ))
                },
            )
            .optional()?;
        let Some((id, before, superseded)) = version else {
            return Err(StoreError::NotFound {
                what: "inspection",
                id: uuid.to_string(),
            });
        };
        if let Some(newer) = superseded {
            return Err(StoreError::Refused {
                field: "uuid",
                message: format!(
                    "inspection {uuid} was corrected by {newer}: review the current version"
                ),
            });
        }
        tx.execute(
            "INSERT INTO inspection_reviews (inspection_id, state, reason, account_id) VALUES (?1, ?2, ?3, ?4)",
            params![id, state.as_str(), reason, account],
        )?;
        let review_id = tx.last_insert_rowid();
        let at: String = tx.query_row(
            "SELECT at FROM inspection_reviews WHERE id = ?1",
            [review_id],
            |r| r.get(0),
        )?;
        tx.execute(
            "UPDATE inspections SET review = ?2, review_reason = ?3, reviewed_by = ?4, reviewed_at = ?5
             WHERE id = ?1",
            params![id, state.as_str(), reason, account, at],
        )?;
        let after = serde_json::json!({"review": state, "reason": reason}).to_string();
        audit(
            &tx,
            account,
            "review",
            "inspection",
            &id.to_string(),
            Some(&serde_json::json!({ "review": before }).to_string()),
            Some(&after),
        )?;
        let by = match account {
            Some(a) => tx
                .query_row("SELECT username FROM accounts WHERE id = ?1", [a], |r| {
                    r.get(0)
                })
                .optional()?,
            None => None,
        };
        tx.commit()?;
        Ok(Review {
            uuid: uuid.to_string(),
            state,
            reason,
            by,
            at,
        })
    }

    /// Current records sent back and not yet redone, oldest first; with `team`, its own.
    pub fn sent_back(&self, team: Option<i64>) -> Result<Vec<SentBack>> {
        let mut stmt = self.conn.prepare(
            "SELECT i.id, i.client_uuid, i.venue_id, i.team_id, i.review_reason, a.username, i.reviewed_at
             FROM inspections i LEFT JOIN accounts a ON a.id = i.reviewed_by
             WHERE i.review = 'rejected' AND i.superseded_by IS NULL AND i.redone_by IS NULL
               AND (?1 IS NULL OR i.team_id = ?1)
             ORDER BY i.id",
        )?;
        Ok(stmt
            .query_map([team], |r| {
                Ok(SentBack {
                    inspection_id: r.get(0)?,
                    uuid: r.get(1)?,
                    venue_id: r.get(2)?,
                    team_id: r.get(3)?,
                    reason: r.get(4)?,
                    by: r.get(5)?,
                    at: r.get::<_, Option<String>>(6)?.unwrap_or_default(),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?)
    }
}
