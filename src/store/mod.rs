//! The embedded store: one SQLite file in the data folder, in WAL mode with full fsync, so that a
//! write the program acknowledged survives a crash. Migrations live beside this file and run in
//! order on open.

mod accounts;
mod backup;
mod city;
mod dispatch;
mod follow_up_list;
mod follow_ups;
mod inspection_bench;
mod inspection_detail;
mod inspection_list;
mod inspections;
mod lighting;
mod map_features;
mod neighbourhood;
mod photos;
mod planning;
mod read;
mod reports;
mod review;
mod revision;
pub mod scope;
mod stats;
mod summary;
pub mod thumbnails;
mod upsert;

pub use accounts::{
    AuditEvent, LoginClaimant, MIN_PASSWORD_CHARS, Session, check_password, password_checks,
};
pub use backup::DatabaseCopy;
pub use dispatch::{DispatchAction, MadeHow, PlanMade, PlanState, StopEvent};
pub use follow_up_list::{FollowUpFilter, FollowUpSort, ListedFollowUp};
pub use follow_ups::{FollowUpDetail, HistoryLine};
pub use inspection_detail::InspectionDetail;
pub use inspection_list::{
    InspectionCursor, InspectionFilter, InspectionPage, InspectionRow, REVIEW_STATES, TOTAL_CAP,
};
pub use inspections::{Recorded, parse_local_time};
pub use lighting::StoredBlindSpot;
pub use map_features::{MapFeature, StoredLayer};
pub use photos::{PhotoFolder, StagedPhoto, Sweep};
pub use reports::WebhookAttempt;
pub use review::{Review, Version};
pub use revision::{Change, Subject};
pub use stats::Stats;
pub use summary::{ImportSummary, TableSummary};

use rusqlite::{Connection, OptionalExtension};
use std::path::{Path, PathBuf};

/// Migrations in order; the position is the schema version (SQLite `user_version`).
const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_city", include_str!("migrations/0001_city.sql")),
    (
        "0002_operations",
        include_str!("migrations/0002_operations.sql"),
    ),
    (
        "0003_lighting",
        include_str!("migrations/0003_lighting.sql"),
    ),
    (
        "0004_hardening",
        include_str!("migrations/0004_hardening.sql"),
    ),
    (
        "0005_dispatch",
        include_str!("migrations/0005_dispatch.sql"),
    ),
    ("0006_review", include_str!("migrations/0006_review.sql")),
    ("0007_browse", include_str!("migrations/0007_browse.sql")),
    ("0008_reports", include_str!("migrations/0008_reports.sql")),
    (
        "0009_revisions",
        include_str!("migrations/0009_revisions.sql"),
    ),
    (
        "0010_follow_up_closers",
        include_str!("migrations/0010_follow_up_closers.sql"),
    ),
];

pub const DATABASE_FILE: &str = "patrolmap.sqlite";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create the data folder {path}: {source}")]
    DataFolder {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("database {path}: {source}")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("migration {name} failed: {source}")]
    Migration {
        name: String,
        source: rusqlite::Error,
    },
    #[error(
        "the database is at schema version {found}, newer than this program ({known}); upgrade patrolmap"
    )]
    TooNew { found: i64, known: i64 },
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The same client UUID arrived with another body: never overwrite what was acknowledged.
    #[error("{what} {uuid} was already recorded with other contents")]
    Conflict { what: &'static str, uuid: String },
    /// The record's state refuses the change (a follow-up already closed, extended too often).
    #[error("field `{field}`: {message}")]
    Refused {
        field: &'static str,
        message: String,
    },
    #[error("no {what} with id {id}")]
    NotFound { what: &'static str, id: String },
    #[error("field `{field}`: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    /// `PRAGMA integrity_check` found damage: the file is not to be trusted or restored.
    #[error("database {path} fails the integrity check: {findings}")]
    Damaged { path: PathBuf, findings: String },
    #[error("{table} row {id}: field `{field}`: {message}")]
    Corrupt {
        table: &'static str,
        id: i64,
        field: &'static str,
        message: String,
    },
}

pub type Result<T> = std::result::Result<T, StoreError>;

pub struct Store {
    conn: Connection,
    dir: PathBuf,
    /// How much more work the running statement may do, in units of [`WORK_UNIT_OPS`] SQLite
    /// instructions; negative for no limit (the default). A bounded answer (the inspections
    /// list's count) sets it and is cut off, rather than slowing every other reader.
    work_left: std::sync::Arc<std::sync::atomic::AtomicI64>,
}

/// SQLite instructions between two looks at [`Store::work_left`].
const WORK_UNIT_OPS: i32 = 1000;

impl Store {
    /// Opens (creating if need be) the store in `dir`, and brings its schema up to date.
    pub fn open(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::DataFolder {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = dir.join(DATABASE_FILE);
        let mut conn = Connection::open(&path).map_err(|source| StoreError::Open {
            path: path.clone(),
            source,
        })?;
        // FULL makes each commit durable in WAL mode; NORMAL could lose the last commits on power loss.
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
        )
        .map_err(|source| StoreError::Open { path: path.clone(), source })?;
        let work_left = std::sync::Arc::new(std::sync::atomic::AtomicI64::new(-1));
        let budget = work_left.clone();
        conn.progress_handler(
            WORK_UNIT_OPS,
            Some(move || {
                use std::sync::atomic::Ordering::Relaxed;
                let left = budget.load(Relaxed);
                // True interrupts the statement: only when a budget was set and is spent.
                left == 0 || (left > 0 && budget.fetch_sub(1, Relaxed) <= 1)
            }),
        )
        .map_err(|source| StoreError::Open {
            path: path.clone(),
            source,
        })?;
        let mut store = Self {
            conn,
            dir: dir.to_path_buf(),
            work_left,
        };
        store.migrate()?;
        Ok(store)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn schema_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    fn migrate(&mut self) -> Result<()> {
        let current = self.schema_version()?;
        let known = MIGRATIONS.len() as i64;
        if current > known {
            return Err(StoreError::TooNew {
                found: current,
                known,
            });
        }
        for (version, (name, sql)) in MIGRATIONS.iter().enumerate().skip(current as usize) {
            let tx = self.conn.transaction()?;
            tx.execute_batch(sql)
                .and_then(|_| tx.pragma_update(None, "user_version", version as i64 + 1))
                .map_err(|source| StoreError::Migration {
                    name: name.to_string(),
                    source,
                })?;
            tx.commit()?;
        }
        Ok(())
    }

    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    pub fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [key, value],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_migrates_once_and_reopens() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len() as i64);
        store.set_setting("grid.cell_m", "250").unwrap();
        drop(store);
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(
            store.setting("grid.cell_m").unwrap().as_deref(),
            Some("250")
        );
        let mode: String = store
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
    }

    #[test]
    fn audit_events_cannot_be_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        store
            .conn
            .execute("INSERT INTO audit_events (action, entity, entity_id) VALUES ('create', 'venue', '1')", [])
            .unwrap();
        assert!(store.conn.execute("DELETE FROM audit_events", []).is_err());
        assert!(
            store
                .conn
                .execute("UPDATE audit_events SET action = 'x'", [])
                .is_err()
        );
    }
}
