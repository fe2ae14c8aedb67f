//! Inspections and their consequences, in one transaction each: the record, its photos, the
//! follow-ups it raises or closes, a suspension, and the audit events. The CLI, the sample
//! history and the capture API all record through here.

use super::{Result, Store, StoreError};
use crate::model::{ClosedHow, FollowUp, Inspection, Outcome, VenueStatus};
use crate::planning::PlanningConfig;
use crate::planning::consequences::{Before, Visit, consequences};
use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// What recording did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recorded {
    pub inspection_id: i64,
    /// False when the same UUID and body were recorded before (a retried upload).
    pub created: bool,
    pub follow_up: Option<FollowUp>,
    pub closed_follow_ups: Vec<i64>,
    pub suspended: bool,
}

impl Store {
    /// Records one inspection durably; answers only after the commit.
    pub fn record_inspection(
        &mut self,
        inspection: &Inspection,
        rules: &PlanningConfig,
    ) -> Result<Recorded> {
        let tx = self.conn.transaction()?;
        let r = record(&tx, inspection, rules)?;
        tx.commit()?;
        Ok(r)
    }

    /// Records many in one transaction (backfills, the sample history): all or none.
    pub fn record_inspections(
        &mut self,
        inspections: &[Inspection],
        rules: &PlanningConfig,
    ) -> Result<Vec<Recorded>> {
        let tx = self.conn.transaction()?;
        let r = inspections
            .iter()
            .map(|i| record(&tx, i, rules))
            .collect::<Result<Vec<_>>>()?;
        tx.commit()?;
        Ok(r)
    }

    /// A manager lifts a suspension (after the venue was dealt with).
    pub fn clear_suspension(&mut self, venue_id: i64, account_id: Option<i64>) -> Result<()> {
        let tx = self.conn.transaction()?;
        let status: Option<String> = tx
            .query_row("SELECT status FROM venues WHERE id = ?1", [venue_id], |r| {
                r.get(0)
            })
            .optional()?;
        match status.as_deref() {
            None => {
                return Err(StoreError::NotFound {
                    what: "venue",
                    id: venue_id.to_string(),
                });
            }
            Some("suspended") => {}
            Some(other) => {
                return Err(StoreError::Invalid {
                    field: "status",
                    message: format!("venue {venue_id} is {other}, not suspended"),
                });
            }
        }
        tx.execute(
            "UPDATE venues SET status = 'active' WHERE id = ?1",
            [venue_id],
        )?;
        audit(
            &tx,
            account_id,
            "clear_suspension",
            "venue",
            &venue_id.to_string(),
            Some("\"suspended\""),
            Some("\"active\""),
        )?;
        tx.commit()?;
        Ok(())
    }
}

impl Store {
    /// Inspections per local day and outcome, from `first` to `last` (both included), for
    /// trends that should not load every inspection on record.
    pub fn inspection_counts_by_day(
        &self,
        first: NaiveDate,
        last: NaiveDate,
        scope: Option<&[i64]>,
    ) -> Result<Vec<(NaiveDate, Outcome, usize)>> {
        let (in_scope, scope_args) = super::scope::venue_in(scope);
        let mut stmt = self.conn.prepare(&format!(
            "SELECT substr(i.started_at, 1, 10) AS day, i.outcome, COUNT(*), MIN(i.id)
             FROM inspections i JOIN venues v ON v.id = i.venue_id
             WHERE i.started_at >= ? AND i.started_at < ? AND i.superseded_by IS NULL AND {in_scope}
             GROUP BY day, i.outcome ORDER BY day, i.outcome"
        ))?;
        // Times are `YYYY-MM-DDTHH:MM`, so `T99` sorts after every time of the last day.
        let mut args: Vec<Box<dyn rusqlite::ToSql>> =
            vec![Box::new(first.to_string()), Box::new(format!("{last}T99"))];
        args.extend(
            scope_args
                .into_iter()
                .map(|a| Box::new(a) as Box<dyn rusqlite::ToSql>),
        );
        let rows = stmt.query_map(rusqlite::params_from_iter(args), |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (day, outcome, n, id) = row?;
            // A bad group is named by one of its rows.
            let bad = |field, message| StoreError::Corrupt {
                table: "inspections",
                id,
                field,
                message,
            };
            out.push((
                NaiveDate::parse_from_str(&day, "%Y-%m-%d")
                    .map_err(|e| bad("started_at", format!("{day:?}: {e}")))?,
                Outcome::parse(&outcome).map_err(|m| bad("outcome", m))?,
                n as usize,
            ));
        }
        Ok(out)
    }
}

/// `YYYY-MM-DDTHH:MM[:SS]` (local time), as inspections carry their times.
pub fn parse_local_time(text: &str, field: &'static str) -> Result<NaiveDateTime> {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M"))
        .map_err(|_| StoreError::Invalid {
            field,
            message: format!("{text:?} is not a local time YYYY-MM-DDTHH:MM[:SS]"),
        })
}

fn body_hash(inspection: &Inspection) -> String {
    let body = serde_json::to_vec(inspection).unwrap_or_default();
    format!("{:x}", Sha256::digest(&body))
}

fn validate(i: &Inspection) -> Result<NaiveDate> {
    let started = parse_local_time(&i.started_at, "started_at")?;
    if let Some(f) = &i.finished_at
        && parse_local_time(f, "finished_at")? < started
    {
        return Err(StoreError::Invalid {
            field: "finished_at",
            message: "the inspection finished before it started".into(),
        });
    }
    if let Some(g) = &i.gps {
        crate::model::LonLat::validate(g.at.lon, g.at.lat).map_err(|message| {
            StoreError::Invalid {
                field: "gps",
                message,
            }
        })?;
        if !(g.accuracy_m.is_finite() && g.accuracy_m >= 0.0) {
            return Err(StoreError::Invalid {
                field: "gps.accuracy_m",
                message: format!("must be a distance in metres, got {}", g.accuracy_m),
            });
        }
    }
    for p in &i.photos {
        if p.sha256.len() != 64 || !p.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(StoreError::Invalid {
                field: "photos.sha256",
                message: format!("{:?} is not a SHA-256 in hex", p.sha256),
            });
        }
    }
    Ok(started.date())
}

fn record(tx: &Transaction, i: &Inspection, rules: &PlanningConfig) -> Result<Recorded> {
    let hash = body_hash(i);
    let earlier: Option<(i64, String)> = tx
        .query_row(
            "SELECT id, body_hash FROM inspections WHERE client_uuid = ?1",
            [i.client_uuid.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    if let Some((id, earlier_hash)) = earlier {
        if earlier_hash != hash {
            return Err(StoreError::Conflict {
                what: "inspection",
                uuid: i.client_uuid.to_string(),
            });
        }
        return recorded_before(tx, id);
    }
    let day = validate(i)?;
    let status: Option<String> = tx
        .query_row(
            "SELECT status FROM venues WHERE id = ?1",
            [i.venue_id],
            |r| r.get(0),
        )
        .optional()?;
    // Unknown references in a record are the client's mistake (400 naming the field), never a
    // foreign-key failure deep in the insert.
    let Some(status) = status else {
        return Err(StoreError::Invalid {
            field: "venue_id",
            message: format!("no venue with id {}", i.venue_id),
        });
    };
    if let Some(team) = i.team_id {
        let known: Option<i64> = tx
            .query_row("SELECT id FROM teams WHERE id = ?1", [team], |r| r.get(0))
            .optional()?;
        if known.is_none() {
            return Err(StoreError::Invalid {
                field: "team_id",
                message: format!("no team with id {team}"),
            });
        }
    }
    let corrects = match i.corrects {
        Some(old) => Some(corrected_version(tx, i, &old.to_string())?),
        None => None,
    };
    tx.execute(
        "INSERT INTO inspections (client_uuid, body_hash, venue_id, team_id, account_id, started_at, finished_at,
         outcome, checklist, notes, gps_lon, gps_lat, gps_accuracy_m, sample, off_plan, corrects)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
        params![
            i.client_uuid.to_string(),
            hash,
            i.venue_id,
            i.team_id,
            i.account_id,
            i.started_at,
            i.finished_at,
            i.outcome.as_str(),
            serde_json::Value::Object(i.checklist.clone()).to_string(),
            i.notes,
            i.gps.map(|g| g.at.lon),
            i.gps.map(|g| g.at.lat),
            i.gps.map(|g| g.accuracy_m),
            i.sample,
            i.off_plan,
            corrects,
        ],
    )?;
    let id = tx.last_insert_rowid();
    for p in &i.photos {
        tx.execute(
            "INSERT OR IGNORE INTO inspection_photos (inspection_id, sha256, content_type, bytes) VALUES (?1, ?2, ?3, ?4)",
            params![id, p.sha256, p.content_type, p.bytes as i64],
        )?;
    }
    let after = serde_json::to_string(i).unwrap_or_default();
    let entity = id.to_string();
    audit(
        tx,
        i.account_id,
        "record",
        "inspection",
        &entity,
        None,
        Some(&after),
    )?;
    if i.off_plan {
        audit(
            tx,
            i.account_id,
            "off_plan",
            "inspection",
            &entity,
            None,
            Some(&after),
        )?;
    }
    if let Some(old) = corrects {
        // The old version is kept whole; it only learns which version replaced it.
        tx.execute(
            "UPDATE inspections SET superseded_by = ?2 WHERE id = ?1",
            params![old, id],
        )?;
        audit(
            tx,
            i.account_id,
            "correct",
            "inspection",
            &old.to_string(),
            None,
            Some(&format!("{{\"superseded_by\":{id}}}")),
        )?;
    }

    let open_follow_ups =
        super::follow_ups::select(tx, "f.venue_id = ?1 AND f.status = 'open'", &[&i.venue_id])?;
    let mut stmt = tx.prepare(
        "SELECT id FROM inspections WHERE venue_id = ?1 AND review = 'rejected'
         AND superseded_by IS NULL AND redone_by IS NULL AND id <> ?2 ORDER BY id",
    )?;
    let sent_back = stmt
        .query_map(params![i.venue_id, id], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<i64>>>()?;
    let venue_status = VenueStatus::parse(&status).map_err(|message| StoreError::Corrupt {
        table: "venues",
        id: i.venue_id,
        field: "status",
        message,
    })?;
    let visit = Visit {
        inspection_id: id,
        venue_id: i.venue_id,
        outcome: i.outcome,
        day,
        correcting: corrects,
    };
    let before = Before {
        venue_status,
        open_follow_ups: &open_follow_ups,
        sent_back: &sent_back,
    };
    let c = consequences(&visit, &before, rules);
    for change in &c.changes {
        super::follow_ups::persist(tx, change, i.account_id)?;
    }
    for old in &c.redo {
        tx.execute(
            "UPDATE inspections SET redone_by = ?2 WHERE id = ?1",
            params![old, id],
        )?;
        audit(
            tx,
            i.account_id,
            "redo",
            "inspection",
            &old.to_string(),
            None,
            Some(&format!("{{\"redone_by\":{id}}}")),
        )?;
    }
    let follow_up = match &c.raise {
        Some(f) => Some(super::follow_ups::insert(tx, f, i.account_id)?),
        None => None,
    };
    if c.suspend {
        tx.execute(
            "UPDATE venues SET status = 'suspended' WHERE id = ?1",
            [i.venue_id],
        )?;
        audit(
            tx,
            i.account_id,
            "suspend",
            "venue",
            &i.venue_id.to_string(),
            Some("\"active\""),
            Some("\"suspended\""),
        )?;
        tx.execute("UPDATE inspections SET suspended = 1 WHERE id = ?1", [id])?;
    }
    Ok(Recorded {
        inspection_id: id,
        created: true,
        follow_up,
        closed_follow_ups: c
            .changes
            .iter()
            .filter(|ch| ch.follow_up.closed_how == Some(ClosedHow::Inspection))
            .map(|ch| ch.follow_up.id)
            .collect(),
        suspended: c.suspend,
    })
}

/// The row a correction replaces: a current version of the same venue.
fn corrected_version(tx: &Transaction, i: &Inspection, old: &str) -> Result<i64> {
    let row: Option<(i64, i64, Option<i64>)> = tx
        .query_row(
            "SELECT id, venue_id, superseded_by FROM inspections WHERE client_uuid = ?1",
            [old],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let invalid = |message: String| StoreError::Invalid {
        field: "corrects",
        message,
    };
    match row {
        None => Err(invalid(format!("no inspection {old} to correct"))),
        Some((_, venue, _)) if venue != i.venue_id => Err(invalid(format!(
            "inspection {old} is of venue {venue}, not {}: a correction is of the same venue (record a new inspection for another)",
            i.venue_id
        ))),
        Some((_, _, Some(_))) => Err(StoreError::Refused {
            field: "corrects",
            message: format!("inspection {old} was corrected already: correct its newest version"),
        }),
        Some((id, _, None)) => Ok(id),
    }
}

/// What recording an inspection did, read back for a retry of it: the same answer as the first
/// time but for `created`.
fn recorded_before(tx: &Transaction, id: i64) -> Result<Recorded> {
    let suspended: bool = tx.query_row(
        "SELECT suspended FROM inspections WHERE id = ?1",
        [id],
        |r| r.get(0),
    )?;
    let mut closed =
        tx.prepare("SELECT id FROM follow_ups WHERE closed_by_inspection_id = ?1 ORDER BY id")?;
    let closed_follow_ups = closed
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<i64>>>()?;
    // As it was raised: the answer to a retry repeats the first answer.
    let follow_up = super::follow_ups::select(tx, "f.inspection_id = ?1", &[&id])?
        .into_iter()
        .next()
        .map(|f| {
            let raised = FollowUp::raised(
                f.venue_id,
                id,
                f.outcome,
                f.raised_on,
                (&f.action, &f.responsible_unit, f.deadline),
            );
            FollowUp { id: f.id, ..raised }
        });
    Ok(Recorded {
        inspection_id: id,
        created: false,
        follow_up,
        closed_follow_ups,
        suspended,
    })
}

/// Appends to the audit trail (append-only: triggers refuse updates and deletes).
pub(super) fn audit(
    tx: &Transaction,
    account_id: Option<i64>,
    action: &str,
    entity: &str,
    entity_id: &str,
    before: Option<&str>,
    after: Option<&str>,
) -> Result<()> {
    tx.execute(
        "INSERT INTO audit_events (account_id, action, entity, entity_id, before, after) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![account_id, action, entity, entity_id, before, after],
    )?;
    Ok(())
}
