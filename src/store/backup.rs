//! The store's half of a backup: SQLite's online backup API copies the database page by page
//! from a live connection, so `serve` keeps writing while a backup runs, and the copy is one
//! consistent snapshot (never a file caught half way through a commit, as `cp` could give).

use super::{Result, Store, StoreError};
use crate::model::PhotoRef;
use rusqlite::Connection;
use rusqlite::backup::{Backup, StepResult};
use std::path::Path;
use std::time::Duration;

/// Pages per step: 1 MiB at SQLite's default 4 KiB page. Small enough that each step is short.
const PAGES_PER_STEP: i32 = 256;
/// The pause between steps, so the copy does not take the disk from the server's writes.
const PAUSE: Duration = Duration::from_millis(5);
/// Another process's commit restarts a stepped copy from page 1. Under a steady stream of writes
/// a stepped copy could restart for ever, so after this many restarts the rest goes in one step.
/// In WAL mode that step holds only a read snapshot, which never blocks a writer.
const RESTARTS_BEFORE_ONE_STEP: u32 = 3;

/// What the online copy produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseCopy {
    /// The schema version (`user_version`) of the copy, which is the snapshot's.
    pub schema_version: i64,
    pub pages: i64,
    /// How often a commit elsewhere made SQLite start the copy again.
    pub restarts: u32,
    /// Every photo a record in the copy names: what the backup must hold beside it.
    pub photos: Vec<PhotoRef>,
}

impl Store {
    /// Copies the database into a new file `dest` with the online backup API, checks the copy
    /// with `PRAGMA integrity_check`, and syncs it. The copy is left in rollback-journal mode, so
    /// it is one self-contained file; `Store::open` turns WAL on again when it is restored.
    pub fn copy_database_to(&self, dest: &Path) -> Result<DatabaseCopy> {
        if dest.exists() {
            return Err(StoreError::Invalid {
                field: "backup",
                message: format!("{} already exists", dest.display()),
            });
        }
        let open_err = |source| StoreError::Open {
            path: dest.to_path_buf(),
            source,
        };
        let mut copy = Connection::open(dest).map_err(open_err)?;
        let restarts = step_through(&self.conn, &mut copy).map_err(open_err)?;
        copy.execute_batch("PRAGMA journal_mode = DELETE;")
            .map_err(open_err)?;
        check_integrity(&copy, dest)?;
        let schema_version = copy
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(open_err)?;
        let pages = copy
            .query_row("PRAGMA page_count", [], |r| r.get(0))
            .map_err(open_err)?;
        let photos = photos_named(&copy).map_err(open_err)?;
        copy.close().map_err(|(_, source)| open_err(source))?;
        std::fs::File::open(dest)
            .and_then(|f| f.sync_all())
            .map_err(|source| StoreError::DataFolder {
                path: dest.to_path_buf(),
                source,
            })?;
        Ok(DatabaseCopy {
            schema_version,
            pages,
            restarts,
            photos,
        })
    }

    /// `PRAGMA integrity_check` on the store: `Damaged` with SQLite's findings unless it is ok.
    pub fn integrity_check(&self) -> Result<()> {
        check_integrity(&self.conn, &self.dir.join(super::DATABASE_FILE))
    }
}

fn step_through(source: &Connection, copy: &mut Connection) -> rusqlite::Result<u32> {
    let backup = Backup::new(source, copy)?;
    let mut restarts = 0;
    let mut last_remaining = i32::MAX;
    loop {
        let pages = if restarts >= RESTARTS_BEFORE_ONE_STEP {
            -1
        } else {
            PAGES_PER_STEP
        };
        match backup.step(pages)? {
            StepResult::Done => return Ok(restarts),
            StepResult::More => {
                let remaining = backup.progress().remaining;
                if remaining > last_remaining {
                    restarts += 1;
                }
                last_remaining = remaining;
            }
            // Busy, Locked, and anything a later SQLite adds: wait and try again.
            _ => {}
        }
        std::thread::sleep(PAUSE);
    }
}

fn photos_named(conn: &Connection) -> rusqlite::Result<Vec<PhotoRef>> {
    let mut stmt = conn.prepare(
        "SELECT sha256, content_type, max(bytes) FROM inspection_photos GROUP BY sha256, content_type ORDER BY sha256",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(PhotoRef {
            sha256: r.get(0)?,
            content_type: r.get(1)?,
            bytes: r.get::<_, i64>(2)?.max(0) as u64,
        })
    })?;
    rows.collect()
}

/// At most this many of SQLite's findings go into the error; the first ones say enough.
const MAX_FINDINGS: usize = 10;

fn check_integrity(conn: &Connection, path: &Path) -> Result<()> {
    let mut stmt = conn.prepare("PRAGMA integrity_check")?;
    let findings = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .take(MAX_FINDINGS)
        .collect::<rusqlite::Result<Vec<_>>>()?;
    if findings.len() == 1 && findings[0] == "ok" {
        return Ok(());
    }
    Err(StoreError::Damaged {
        path: path.to_path_buf(),
        findings: findings.join("; "),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_a_store_that_another_connection_keeps_writing() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        store
            .conn
            .execute_batch("CREATE TABLE filler (id INTEGER PRIMARY KEY, blob BLOB);")
            .unwrap();
        for _ in 0..200 {
            store
                .conn
                .execute("INSERT INTO filler (blob) VALUES (zeroblob(16000))", [])
                .unwrap();
        }
        let writer_dir = dir.path().to_path_buf();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let writer = {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let other = Store::open(&writer_dir).unwrap();
                let mut n = 0;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    other.set_setting("tick", &n.to_string()).unwrap();
                    n += 1;
                }
                n
            })
        };
        let dest = dir.path().join("copy.sqlite");
        let copy = store.copy_database_to(&dest).unwrap();
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        assert!(writer.join().unwrap() > 0, "the writer kept writing");
        assert_eq!(copy.schema_version, store.schema_version().unwrap());
        assert!(copy.pages > 700, "{copy:?}");

        let copied = Connection::open(&dest).unwrap();
        let rows: i64 = copied
            .query_row("SELECT count(*) FROM filler", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 200);
        let mode: String = copied
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "delete", "the copy is one self-contained file");
        assert!(store.copy_database_to(&dest).is_err(), "never over a file");
        store.integrity_check().unwrap();
    }
}
