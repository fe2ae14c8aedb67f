//! Rotation for unattended backups: `serve --backup-every 24h --backup-keep 14` takes a backup
//! into a folder of backups named by time and keeps the newest few.

use super::{MANIFEST_FILE, Manifest, take_backup};
use anyhow::{Context, bail};
use chrono::{DateTime, NaiveDateTime, Utc};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The prefix of the folders `take_rotated` makes: `patrolmap-<UTC time>`.
pub const ROTATED_PREFIX: &str = "patrolmap-";
/// Milliseconds, so that two backups in one second still get two names; the names sort by time.
const STAMP: &str = "%Y%m%dT%H%M%S%.3fZ";

/// Takes a backup into `backups/patrolmap-<UTC time>/`, then removes the oldest finished backups
/// beyond `keep`. Only folders with that name and a manifest are counted or removed; anything
/// else in `backups` is left alone. A backup that cannot be removed is logged, not an error: the
/// new backup is fine, and the next rotation tries again.
pub fn take_rotated(data: &Path, backups: &Path, keep: usize) -> anyhow::Result<Manifest> {
    if keep == 0 {
        bail!("keep at least one backup");
    }
    let out = backups.join(format!("{ROTATED_PREFIX}{}", Utc::now().format(STAMP)));
    let manifest = take_backup(data, &out)?;
    // By time, never counting the new one: a clock set back must not make it the oldest.
    let older: Vec<PathBuf> = finished_backups(backups)?
        .into_iter()
        .map(|(_, path)| path)
        .filter(|path| *path != out)
        .collect();
    let excess = older.len().saturating_sub(keep - 1);
    for path in &older[..excess] {
        if let Err(e) = fs::remove_dir_all(path) {
            tracing::warn!("cannot remove the old backup {}: {e}", path.display());
        }
    }
    Ok(manifest)
}

/// How long ago the newest finished backup in `backups` was started; `None` when there is none.
pub fn newest_backup_age(backups: &Path) -> Option<Duration> {
    let (newest, _) = finished_backups(backups).ok()?.pop()?;
    Some((Utc::now() - newest).to_std().unwrap_or(Duration::ZERO))
}

/// The finished backups `take_rotated` made, oldest first.
pub fn finished_backups(backups: &Path) -> anyhow::Result<Vec<(DateTime<Utc>, PathBuf)>> {
    let mut found = Vec::new();
    let entries = fs::read_dir(backups).with_context(|| backups.display().to_string())?;
    for entry in entries {
        let entry = entry.with_context(|| backups.display().to_string())?;
        let Some(at) = entry.file_name().to_str().and_then(rotated_time) else {
            continue;
        };
        let path = entry.path();
        let is_dir = fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir());
        if is_dir && path.join(MANIFEST_FILE).is_file() {
            found.push((at, path));
        }
    }
    found.sort();
    Ok(found)
}

/// The time in a rotated backup's name, if the name is exactly one `take_rotated` would make.
pub(super) fn rotated_time(name: &str) -> Option<DateTime<Utc>> {
    let stamp = name.strip_prefix(ROTATED_PREFIX)?;
    let at = NaiveDateTime::parse_from_str(stamp, STAMP).ok()?.and_utc();
    (at.format(STAMP).to_string() == stamp).then_some(at)
}
