//! Plan revisions and their state (draft, published), the dispatcher's actions on a day's plan,
//! and what teams say of their stops through the day. What these mean for a plan is
//! `planning::adjust` and the workflow's; the store keeps them, in order, audited.

use super::inspections::audit;
use super::{Result, Store, StoreError};
use crate::planning::adjust::Adjustment;
use crate::planning::plan::Target;
use crate::planning::teams::Duty;
use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

/// How a revision came to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MadeHow {
    /// `patrolmap plan` (or the demo) at a terminal.
    Cli,
    /// The server's daily draft (`[dispatch] draft_at`).
    Schedule,
    /// A dispatcher's draft or action.
    Dispatcher,
    /// A team's re-plan from where it is.
    Replan,
}

impl MadeHow {
    pub fn as_str(self) -> &'static str {
        match self {
            MadeHow::Cli => "cli",
            MadeHow::Schedule => "schedule",
            MadeHow::Dispatcher => "dispatcher",
            MadeHow::Replan => "replan",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [Self::Cli, Self::Schedule, Self::Dispatcher, Self::Replan]
            .into_iter()
            .find(|m| m.as_str() == s)
    }
}

/// Who made a revision, how, and whether it is published as it is saved.
#[derive(Debug, Clone, Copy)]
pub struct PlanMade {
    pub how: MadeHow,
    /// The account; None for the schedule and the command line.
    pub by: Option<i64>,
    pub publish: bool,
}

/// A revision's state, as the API shows it beside the plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanState {
    pub revision: i64,
    /// `draft` or `published`.
    pub status: String,
    pub made_at: String,
    pub made_how: MadeHow,
    pub made_by: Option<String>,
    pub published_at: Option<String>,
    pub published_by: Option<String>,
    /// The newest published revision of the same day and duty.
    pub published_revision: Option<i64>,
}

/// One dispatcher action as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DispatchAction {
    pub id: i64,
    #[serde(flatten)]
    pub change: Adjustment,
    pub by: Option<String>,
    pub at: String,
}

/// A team's word on one stop: arrived, or skipped with a reason.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StopEvent {
    pub client_uuid: uuid::Uuid,
    pub date: NaiveDate,
    pub team_id: i64,
    pub target: Target,
    /// `arrived` or `skipped`.
    pub status: String,
    pub reason: Option<String>,
    pub note: Option<String>,
    /// Local time on the device, `YYYY-MM-DDTHH:MM`.
    pub at: String,
}

impl Store {
    pub fn venue_exists(&self, id: i64) -> Result<bool> {
        Ok(self
            .conn
            .query_row("SELECT 1 FROM venues WHERE id = ?1", [id], |_| Ok(()))
            .optional()?
            .is_some())
    }

    pub fn venue_position(&self, id: i64) -> Result<Option<crate::model::LonLat>> {
        Ok(self
            .conn
            .query_row("SELECT lon, lat FROM venues WHERE id = ?1", [id], |r| {
                Ok(crate::model::LonLat::new(r.get(0)?, r.get(1)?))
            })
            .optional()?)
    }

    /// The id of the newest revision of a day's plan (published ones only if asked).
    pub fn plan_head(&self, date: NaiveDate, duty: Duty, published: bool) -> Result<Option<i64>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id FROM patrol_plans WHERE plan_date = ?1 AND duty = ?2
                 AND (?3 = 0 OR status = 'published') ORDER BY id DESC LIMIT 1",
                params![date.to_string(), duty.as_str(), published],
                |r| r.get(0),
            )
            .optional()?)
    }

    pub fn plan_state(&self, revision: i64) -> Result<Option<PlanState>> {
        let row = self
            .conn
            .query_row(
                "SELECT p.status, p.created_at, p.made_how, m.username, p.published_at, b.username,
                        (SELECT MAX(q.id) FROM patrol_plans q WHERE q.plan_date = p.plan_date
                           AND q.duty = p.duty AND q.status = 'published')
                 FROM patrol_plans p LEFT JOIN accounts m ON m.id = p.made_by
                 LEFT JOIN accounts b ON b.id = p.published_by WHERE p.id = ?1",
                [revision],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, Option<String>>(3)?,
                        r.get::<_, Option<String>>(4)?,
                        r.get::<_, Option<String>>(5)?,
                        r.get::<_, Option<i64>>(6)?,
                    ))
                },
            )
            .optional()?;
        let Some((status, made_at, how, made_by, published_at, published_by, published)) = row
        else {
            return Ok(None);
        };
        let made_how = MadeHow::parse(&how).ok_or_else(|| StoreError::Corrupt {
            table: "patrol_plans",
            id: revision,
            field: "made_how",
            message: format!("unknown {how:?}"),
        })?;
        Ok(Some(PlanState {
            revision,
            status,
            made_at,
            made_how,
            made_by,
            published_at,
            published_by,
            published_revision: published,
        }))
    }

    /// Publishes the newest revision of a day's plan; its id, or None when there is no plan.
    /// Publishing one that is published already changes nothing.
    pub fn publish_plan(&mut self, date: NaiveDate, duty: Duty, by: i64) -> Result<Option<i64>> {
        let tx = self.conn.transaction()?;
        let head: Option<(i64, String)> = tx
            .query_row(
                "SELECT id, status FROM patrol_plans WHERE plan_date = ?1 AND duty = ?2 ORDER BY id DESC LIMIT 1",
                params![date.to_string(), duty.as_str()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((id, status)) = head else {
            return Ok(None);
        };
        if status != "published" {
            tx.execute(
                "UPDATE patrol_plans SET status = 'published', published_by = ?2,
                 published_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?1",
                params![id, by],
            )?;
            let after = serde_json::json!({"date": date, "duty": duty, "status": "published"});
            audit(
                &tx,
                Some(by),
                "publish",
                "patrol_plan",
                &id.to_string(),
                Some(&serde_json::json!({"status": status}).to_string()),
                Some(&after.to_string()),
            )?;
        }
        tx.commit()?;
        Ok(Some(id))
    }

    /// Keeps a dispatcher's change to a day's plan, audited; its id.
    pub fn add_dispatch_action(
        &mut self,
        date: NaiveDate,
        duty: Duty,
        change: &Adjustment,
        by: i64,
    ) -> Result<i64> {
        let tx = self.conn.transaction()?;
        let body = serde_json::to_string(change).unwrap_or_default();
        tx.execute(
            "INSERT INTO dispatch_actions (plan_date, duty, action, body, account_id) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![date.to_string(), duty.as_str(), change.kind(), body, by],
        )?;
        let id = tx.last_insert_rowid();
        let after = serde_json::json!({"date": date, "duty": duty, "change": change});
        audit(
            &tx,
            Some(by),
            change.kind(),
            "dispatch_action",
            &id.to_string(),
            None,
            Some(&after.to_string()),
        )?;
        tx.commit()?;
        Ok(id)
    }

    /// Revokes an active action of that day; NotFound when there is none with that id.
    pub fn revoke_dispatch_action(
        &mut self,
        date: NaiveDate,
        duty: Duty,
        id: i64,
        by: i64,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        let body: Option<String> = tx
            .query_row(
                "SELECT body FROM dispatch_actions WHERE id = ?1 AND plan_date = ?2 AND duty = ?3 AND revoked_at IS NULL",
                params![id, date.to_string(), duty.as_str()],
                |r| r.get(0),
            )
            .optional()?;
        let Some(body) = body else {
            return Err(StoreError::NotFound {
                what: "active dispatcher action on that day",
                id: id.to_string(),
            });
        };
        tx.execute(
            "UPDATE dispatch_actions SET revoked_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), revoked_by = ?2 WHERE id = ?1",
            params![id, by],
        )?;
        audit(
            &tx,
            Some(by),
            "revoke",
            "dispatch_action",
            &id.to_string(),
            Some(&body),
            None,
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The active actions of a day's plan, oldest first.
    pub fn dispatch_actions(&self, date: NaiveDate, duty: Duty) -> Result<Vec<DispatchAction>> {
        let mut stmt = self.conn.prepare(
            "SELECT d.id, d.body, a.username, d.at FROM dispatch_actions d LEFT JOIN accounts a ON a.id = d.account_id
             WHERE d.plan_date = ?1 AND d.duty = ?2 AND d.revoked_at IS NULL ORDER BY d.id",
        )?;
        let rows = stmt.query_map(params![date.to_string(), duty.as_str()], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, body, by, at) = row?;
            let change = serde_json::from_str(&body).map_err(|e| StoreError::Corrupt {
                table: "dispatch_actions",
                id,
                field: "body",
                message: e.to_string(),
            })?;
            out.push(DispatchAction { id, change, by, at });
        }
        Ok(out)
    }

    /// Keeps a stop event once: the same client UUID again answers the first event's id with
    /// `created` false; with other contents it is a conflict.
    pub fn record_stop_event(&mut self, e: &StopEvent, by: i64) -> Result<(i64, bool)> {
        let tx = self.conn.transaction()?;
        let key = serde_json::to_string(e).unwrap_or_default();
        let earlier: Option<i64> = tx
            .query_row(
                "SELECT id FROM stop_events WHERE client_uuid = ?1",
                [e.client_uuid.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(id) = earlier {
            let same = stop_events_where(&tx, "id = ?1", params![id])?
                .first()
                .is_some_and(|first| first == e);
            return if same {
                Ok((id, false))
            } else {
                Err(StoreError::Conflict {
                    what: "stop event",
                    uuid: e.client_uuid.to_string(),
                })
            };
        }
        tx.execute(
            "INSERT INTO stop_events (client_uuid, plan_date, team_id, target, target_id, status, reason, note, at, account_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                e.client_uuid.to_string(),
                e.date.to_string(),
                e.team_id,
                e.target.kind(),
                e.target.id(),
                e.status,
                e.reason,
                e.note,
                e.at,
                by
            ],
        )?;
        let id = tx.last_insert_rowid();
        audit(
            &tx,
            Some(by),
            &e.status,
            "stop_event",
            &id.to_string(),
            None,
            Some(&key),
        )?;
        tx.commit()?;
        Ok((id, true))
    }

    /// A day's stop events, in the order received.
    pub fn stop_events(&self, date: NaiveDate) -> Result<Vec<StopEvent>> {
        stop_events_where(&self.conn, "plan_date = ?1", params![date.to_string()])
    }
}

fn stop_events_where(
    conn: &rusqlite::Connection,
    filter: &str,
    args: &[&dyn rusqlite::ToSql],
) -> Result<Vec<StopEvent>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT id, client_uuid, plan_date, team_id, target, target_id, status, reason, note, at
         FROM stop_events WHERE {filter} ORDER BY id"
    ))?;
    let rows = stmt.query_map(args, |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, i64>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, i64>(5)?,
            r.get::<_, String>(6)?,
            r.get::<_, Option<String>>(7)?,
            r.get::<_, Option<String>>(8)?,
            r.get::<_, String>(9)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, uuid, date, team_id, kind, target_id, status, reason, note, at) = row?;
        let bad = |field, message: String| StoreError::Corrupt {
            table: "stop_events",
            id,
            field,
            message,
        };
        out.push(StopEvent {
            client_uuid: uuid::Uuid::parse_str(&uuid)
                .map_err(|e| bad("client_uuid", e.to_string()))?,
            date: NaiveDate::parse_from_str(&date, "%Y-%m-%d")
                .map_err(|e| bad("plan_date", e.to_string()))?,
            team_id,
            target: Target::from_parts(&kind, target_id).map_err(|m| bad("target", m))?,
            status,
            reason,
            note,
            at,
        });
    }
    Ok(out)
}
