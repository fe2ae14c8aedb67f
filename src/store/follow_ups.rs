//! Follow-ups as stored: read whole, changed by the rules of `planning::supervision` with an
//! event in their history and in the audit trail, in the one transaction that changes them.

use super::inspections::audit;
use super::{Result, Store, StoreError};
use crate::model::{ClosedHow, FollowUp, FollowUpStatus, Outcome, PhotoRef};
use crate::planning::supervision::{
    self, Change, EventKind, FollowUpEvent, SupervisionAction, SupervisionSettings,
};
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;
use std::collections::HashMap;

pub(super) const COLUMNS: &str =
    "f.id, f.venue_id, f.inspection_id, f.outcome, f.raised_on, f.action,
    f.responsible_unit, f.deadline, f.status, f.closed_by_inspection_id, f.extensions, f.level,
    f.escalated_to, f.escalation_due, f.closed_on, f.closed_how, f.close_note";

/// A follow-up from a row of [`COLUMNS`] (from `first` on).
pub(super) fn from_row(r: &rusqlite::Row, first: usize) -> Result<FollowUp> {
    let id: i64 = r.get(first)?;
    let bad = |field: &'static str, message: String| StoreError::Corrupt {
        table: "follow_ups",
        id,
        field,
        message,
    };
    let date = |i: usize, field: &'static str| -> Result<Option<NaiveDate>> {
        r.get::<_, Option<String>>(first + i)?
            .map(|t| {
                NaiveDate::parse_from_str(&t, "%Y-%m-%d")
                    .map_err(|e| bad(field, format!("{t:?}: {e}")))
            })
            .transpose()
    };
    let required = |v: Option<NaiveDate>, field| v.ok_or_else(|| bad(field, "missing".into()));
    Ok(FollowUp {
        id,
        venue_id: r.get(first + 1)?,
        inspection_id: r.get(first + 2)?,
        outcome: Outcome::parse(&r.get::<_, String>(first + 3)?).map_err(|m| bad("outcome", m))?,
        raised_on: required(date(4, "raised_on")?, "raised_on")?,
        action: r.get(first + 5)?,
        responsible_unit: r.get(first + 6)?,
        deadline: required(date(7, "deadline")?, "deadline")?,
        status: FollowUpStatus::parse(&r.get::<_, String>(first + 8)?)
            .map_err(|m| bad("status", m))?,
        closed_by_inspection_id: r.get(first + 9)?,
        extensions: r.get(first + 10)?,
        level: r.get(first + 11)?,
        escalated_to: r.get(first + 12)?,
        escalation_due: date(13, "escalation_due")?,
        closed_on: date(14, "closed_on")?,
        closed_how: r
            .get::<_, Option<String>>(first + 15)?
            .map(|t| ClosedHow::parse(&t).map_err(|m| bad("closed_how", m)))
            .transpose()?,
        close_note: r.get(first + 16)?,
    })
}

/// The follow-ups `filter` (an SQL condition on `f`, with `args`) selects, by deadline.
pub(super) fn select(
    conn: &Connection,
    filter: &str,
    args: &[&dyn rusqlite::ToSql],
) -> Result<Vec<FollowUp>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM follow_ups f WHERE {filter} ORDER BY f.deadline, f.id"
    ))?;
    let mut rows = stmt.query(args)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(from_row(r, 0)?);
    }
    Ok(out)
}

/// Stores a newly raised follow-up with its first event; answers it with its id.
pub(super) fn insert(tx: &Transaction, f: &FollowUp, account: Option<i64>) -> Result<FollowUp> {
    tx.execute(
        "INSERT INTO follow_ups (venue_id, inspection_id, outcome, raised_on, action, responsible_unit, deadline, status)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'open')",
        params![
            f.venue_id,
            f.inspection_id,
            f.outcome.as_str(),
            f.raised_on.to_string(),
            f.action,
            f.responsible_unit,
            f.deadline.to_string()
        ],
    )?;
    let f = FollowUp {
        id: tx.last_insert_rowid(),
        ..f.clone()
    };
    let event = FollowUpEvent::of(EventKind::Raise, &f, f.raised_on, None);
    log(tx, &f, &event, account, None)?;
    Ok(f)
}

/// Writes a change made by the supervision rules: the follow-up, its event, the audit.
pub(super) fn persist(tx: &Transaction, change: &Change, account: Option<i64>) -> Result<()> {
    let f = &change.follow_up;
    let before = tx
        .query_row(
            &format!("SELECT {COLUMNS} FROM follow_ups f WHERE f.id = ?1"),
            [f.id],
            |r| Ok(from_row(r, 0)),
        )
        .optional()?
        .transpose()?;
    tx.execute(
        "UPDATE follow_ups SET deadline = ?2, status = ?3, closed_by_inspection_id = ?4,
            extensions = ?5, level = ?6, escalated_to = ?7, escalation_due = ?8, closed_on = ?9,
            closed_how = ?10, close_note = ?11
         WHERE id = ?1",
        params![
            f.id,
            f.deadline.to_string(),
            f.status.as_str(),
            f.closed_by_inspection_id,
            f.extensions,
            f.level,
            f.escalated_to,
            f.escalation_due.map(|d| d.to_string()),
            f.closed_on.map(|d| d.to_string()),
            f.closed_how.map(|c| c.as_str()),
            f.close_note,
        ],
    )?;
    log(tx, f, &change.event, account, before.as_ref())
}

fn log(
    tx: &Transaction,
    f: &FollowUp,
    e: &FollowUpEvent,
    account: Option<i64>,
    before: Option<&FollowUp>,
) -> Result<()> {
    tx.execute(
        "INSERT INTO follow_up_events (follow_up_id, action, on_day, account_id, reason, deadline, level, unit, inspection_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            f.id,
            e.kind.as_str(),
            e.on_day.to_string(),
            account,
            e.reason,
            e.deadline.to_string(),
            e.level,
            e.unit,
            e.inspection_id
        ],
    )?;
    let json = |f: &FollowUp| serde_json::to_string(f).unwrap_or_default();
    audit(
        tx,
        account,
        e.kind.as_str(),
        "follow_up",
        &f.id.to_string(),
        before.map(json).as_deref(),
        Some(&json(f)),
    )
}

/// One line of a follow-up's history as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryLine {
    pub action: String,
    pub on_day: String,
    /// The account's name; None for the system (a deadline passing).
    pub by: Option<String>,
    pub reason: Option<String>,
    pub deadline: Option<String>,
    pub level: u32,
    pub unit: Option<String>,
    /// The visit that closed it (client UUID).
    pub inspection: Option<String>,
    pub at: String,
}

/// A follow-up whole: where it stands, its history in order and its evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FollowUpDetail {
    #[serde(flatten)]
    pub follow_up: FollowUp,
    pub venue: String,
    /// The record that raised it (client UUID).
    pub inspection: String,
    pub history: Vec<HistoryLine>,
    pub evidence: Vec<PhotoRef>,
}

impl Store {
    /// Follow-ups, by deadline; with `status`, only those.
    pub fn follow_ups(&self, status: Option<FollowUpStatus>) -> Result<Vec<FollowUp>> {
        self.follow_ups_in(status, None)
    }

    /// Follow-ups of venues in `scope` (townships or communities; None: the district).
    pub fn follow_ups_in(
        &self,
        status: Option<FollowUpStatus>,
        scope: Option<&[i64]>,
    ) -> Result<Vec<FollowUp>> {
        let (in_scope, ids) = super::scope::venue_in(scope);
        let status = status.map(|s| s.as_str());
        let mut args: Vec<&dyn rusqlite::ToSql> = vec![&status];
        args.extend(ids.iter().map(|i| i as &dyn rusqlite::ToSql));
        select(
            &self.conn,
            &format!(
                "(?1 IS NULL OR f.status = ?1) AND EXISTS
                 (SELECT 1 FROM venues v WHERE v.id = f.venue_id AND {in_scope})"
            ),
            &args,
        )
    }

    /// A follow-up's evidence photo as stored, if any follow-up has it.
    pub fn evidence_photo(&self, sha256: &str) -> Result<Option<PhotoRef>> {
        Ok(self
            .conn
            .query_row(
                "SELECT sha256, content_type, bytes FROM follow_up_photos WHERE sha256 = ?1 LIMIT 1",
                [sha256],
                |r| {
                    Ok(PhotoRef {
                        sha256: r.get(0)?,
                        content_type: r.get(1)?,
                        bytes: r.get::<_, i64>(2)? as u64,
                    })
                },
            )
            .optional()?)
    }

    /// The venue names of `follow_ups`, by venue id (for lists that name what they show).
    pub fn venue_names(&self, follow_ups: &[FollowUp]) -> Result<HashMap<i64, String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT name FROM venues WHERE id = ?1")?;
        let mut names = HashMap::new();
        for f in follow_ups {
            if let std::collections::hash_map::Entry::Vacant(e) = names.entry(f.venue_id) {
                e.insert(stmt.query_row([f.venue_id], |r| r.get(0))?);
            }
        }
        Ok(names)
    }

    pub fn follow_up(&self, id: i64) -> Result<Option<FollowUp>> {
        Ok(select(&self.conn, "f.id = ?1", &[&id])?.pop())
    }

    pub fn follow_up_detail(&self, id: i64) -> Result<Option<FollowUpDetail>> {
        let Some(follow_up) = self.follow_up(id)? else {
            return Ok(None);
        };
        let (venue, inspection): (String, String) = self.conn.query_row(
            "SELECT v.name, i.client_uuid FROM venues v, inspections i WHERE v.id = ?1 AND i.id = ?2",
            [follow_up.venue_id, follow_up.inspection_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let mut stmt = self.conn.prepare(
            "SELECT e.action, e.on_day, a.username, e.reason, e.deadline, e.level, e.unit, i.client_uuid, e.at
             FROM follow_up_events e LEFT JOIN accounts a ON a.id = e.account_id
             LEFT JOIN inspections i ON i.id = e.inspection_id
             WHERE e.follow_up_id = ?1 ORDER BY e.id",
        )?;
        let history = stmt
            .query_map([id], |r| {
                Ok(HistoryLine {
                    action: r.get(0)?,
                    on_day: r.get(1)?,
                    by: r.get(2)?,
                    reason: r.get(3)?,
                    deadline: r.get(4)?,
                    level: r.get(5)?,
                    unit: r.get(6)?,
                    inspection: r.get(7)?,
                    at: r.get(8)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut stmt = self.conn.prepare(
            "SELECT sha256, content_type, bytes FROM follow_up_photos WHERE follow_up_id = ?1 ORDER BY rowid",
        )?;
        let evidence = stmt
            .query_map([id], |r| {
                Ok(PhotoRef {
                    sha256: r.get(0)?,
                    content_type: r.get(1)?,
                    bytes: r.get::<_, i64>(2)? as u64,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(Some(FollowUpDetail {
            follow_up,
            venue,
            inspection,
            history,
            evidence,
        }))
    }

    /// A manager's action on follow-up `id` on the district's day `today`, by the rules of
    /// `planning::supervision`; evidence photos (already placed in the photo folder) with a
    /// close. A refusal is `Invalid` (a bad request) or `Refused` (the follow-up's state).
    pub fn supervise_follow_up(
        &mut self,
        id: i64,
        action: &SupervisionAction,
        evidence: &[PhotoRef],
        today: NaiveDate,
        settings: &SupervisionSettings,
        account: Option<i64>,
    ) -> Result<FollowUp> {
        let tx = self.conn.transaction()?;
        let Some(f) = select(&tx, "f.id = ?1", &[&id])?.pop() else {
            return Err(StoreError::NotFound {
                what: "follow-up",
                id: id.to_string(),
            });
        };
        let change = supervision::apply(&f, action, today, settings).map_err(|r| {
            if r.conflict {
                StoreError::Refused {
                    field: r.field,
                    message: r.message,
                }
            } else {
                StoreError::Invalid {
                    field: r.field,
                    message: r.message,
                }
            }
        })?;
        persist(&tx, &change, account)?;
        for p in evidence {
            tx.execute(
                "INSERT OR IGNORE INTO follow_up_photos (follow_up_id, sha256, content_type, bytes) VALUES (?1, ?2, ?3, ?4)",
                params![id, p.sha256, p.content_type, p.bytes as i64],
            )?;
        }
        tx.commit()?;
        Ok(change.follow_up)
    }

    /// Escalates every open follow-up whose deadline or escalation time limit has passed by
    /// `today` (the system's 督办, no account); answers those it escalated. Run by the daily
    /// schedule and before each plan: running it twice on one day changes nothing more.
    pub fn escalate_overdue(
        &mut self,
        today: NaiveDate,
        settings: &SupervisionSettings,
    ) -> Result<Vec<FollowUp>> {
        let tx = self.conn.transaction()?;
        let open = select(
            &tx,
            "f.status = 'open' AND coalesce(f.escalation_due, f.deadline) < ?1",
            &[&today.to_string()],
        )?;
        let mut escalated = Vec::new();
        for f in &open {
            if let Some(change) = supervision::overdue(f, today, settings) {
                persist(&tx, &change, None)?;
                escalated.push(change.follow_up);
            }
        }
        tx.commit()?;
        Ok(escalated)
    }
}
