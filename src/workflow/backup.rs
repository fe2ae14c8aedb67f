//! Backups of a data folder, their manifest, and rotation for unattended backups.
//!
//! A backup is a folder: the store copied with SQLite's online backup API (so `serve` may keep
//! running and writing), every committed photo, the basemap (`tiles/`), the sample registries
//! (`sample/`), the configuration files (`*.toml` at the top) and the certificate (`tls/`, private
//! key included: the manifest says so). `manifest.json` lists every file with its size and SHA-256.
//! A backup is written into a hidden sibling folder and renamed into place when it is whole, so a
//! folder with a manifest under the backup's own name is always a finished backup.

mod files;
mod restore;
mod rotate;
#[cfg(test)]
mod tests;

pub use restore::{Restored, restore};
pub use rotate::{ROTATED_PREFIX, finished_backups, newest_backup_age, take_rotated};

use files::{Staging, copy_open, hash_file, is_empty_dir, write_synced};

use crate::model::PhotoRef;
use crate::store::{DATABASE_FILE, PhotoFolder, Store};
use anyhow::{Context, anyhow, bail};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

pub const MANIFEST_FILE: &str = "manifest.json";
/// Bumped when the manifest changes shape; a restore refuses a format it does not know.
pub const MANIFEST_FORMAT: u32 = 1;

/// The folders of a data folder that a backup holds besides the store: what the district was
/// given or made and cannot rebuild cheaply. Import rejects and exports are left out (they can be
/// made again), and so are the store's `-wal` and `-shm` files (the online copy replaces them).
const FOLDERS: &[(&str, FileKind)] = &[
    ("photos", FileKind::Photo),
    ("tiles", FileKind::Tiles),
    ("sample", FileKind::Sample),
    ("tls", FileKind::Tls),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    Store,
    Photo,
    Tiles,
    Sample,
    Config,
    /// The HTTPS certificate and its private key: whoever holds the backup can impersonate the
    /// server, so the manifest flags it.
    Tls,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManifestFile {
    /// Relative to the backup folder (and to the data folder), `/`-separated.
    pub path: String,
    pub kind: FileKind,
    pub bytes: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    pub patrolmap_version: String,
    /// The store's schema version in the backup (SQLite `user_version`).
    pub schema_version: i64,
    /// When the backup started, UTC (RFC 3339).
    pub started_at: String,
    /// How long the backup took.
    pub seconds: f64,
    /// True when `tls/` is in the backup: keep the backup as safe as the server itself.
    #[serde(default)]
    pub holds_private_keys: bool,
    /// Photos the store names that the data folder did not hold: lost before this backup.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing_photos: Vec<String>,
    pub files: Vec<ManifestFile>,
}

impl Manifest {
    pub fn total_bytes(&self) -> u64 {
        self.files.iter().map(|f| f.bytes).sum()
    }

    pub fn count(&self, kind: FileKind) -> usize {
        self.files.iter().filter(|f| f.kind == kind).count()
    }
}

/// Backs up the data folder `data` into the new folder `out` (which must not exist, or be empty).
pub fn take_backup(data: &Path, out: &Path) -> anyhow::Result<Manifest> {
    let clock = Instant::now();
    let started_at = Utc::now();
    if !data.join(DATABASE_FILE).is_file() {
        bail!(
            "{}: no store ({DATABASE_FILE}) here, nothing to back up",
            data.display()
        );
    }
    check_out(data, out)?;
    let staging = Staging::beside(out, "partial")?;

    let store = Store::open(data)?;
    let copy = store
        .copy_database_to(&staging.path.join(DATABASE_FILE))
        .with_context(|| format!("copying {}", data.join(DATABASE_FILE).display()))?;
    drop(store);
    tracing::info!(
        pages = copy.pages,
        restarts = copy.restarts,
        "copied the store of {}",
        data.display()
    );
    let (bytes, sha256) = hash_file(&staging.path.join(DATABASE_FILE))?;
    let mut files = vec![ManifestFile {
        path: DATABASE_FILE.to_string(),
        kind: FileKind::Store,
        bytes,
        sha256,
    }];
    // Everything else comes after the store's snapshot, so every photo the copied store names
    // was committed before the walk began: it is under its hash by then, or (in the moment
    // between the commit and the move) still staged in `photos/.incoming/`.
    for (rel, from, kind) in files_to_copy(data)? {
        let source = match fs::File::open(&from) {
            Ok(source) => source,
            // Gone since the listing (the server's sweep removes photos no record names): not
            // one the copied store needs, or the check below reports it.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(anyhow!("{}: {e}", from.display())),
        };
        let (bytes, sha256) = copy_open(source, &from, &staging.path.join(&rel))?;
        files.push(ManifestFile {
            path: rel,
            kind,
            bytes,
            sha256,
        });
    }
    let missing_photos = add_late_photos(data, &staging.path, &copy.photos, &mut files)?;
    let manifest = Manifest {
        format: MANIFEST_FORMAT,
        patrolmap_version: env!("CARGO_PKG_VERSION").to_string(),
        schema_version: copy.schema_version,
        started_at: started_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        seconds: clock.elapsed().as_secs_f64(),
        holds_private_keys: files.iter().any(|f| f.kind == FileKind::Tls),
        missing_photos,
        files,
    };
    let mut text = serde_json::to_string_pretty(&manifest)?;
    text.push('\n');
    write_synced(&staging.path.join(MANIFEST_FILE), text.as_bytes())?;
    staging.into_place(out)?;
    Ok(manifest)
}

/// Copies the photos the store copy names that the walk did not find (placed since, or still
/// staged), and returns those found nowhere, as paths relative to the data folder.
fn add_late_photos(
    data: &Path,
    staging: &Path,
    named: &[PhotoRef],
    files: &mut Vec<ManifestFile>,
) -> anyhow::Result<Vec<String>> {
    let folder = PhotoFolder::new(data);
    let copied: HashSet<String> = files.iter().map(|f| f.path.clone()).collect();
    let mut missing = Vec::new();
    for photo in named {
        let hex = photo.sha256.len() == 64
            && photo
                .sha256
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        let placed = folder.path(photo);
        let rel = placed
            .strip_prefix(data)
            .ok()
            .and_then(|p| p.to_str())
            .map(|p| p.replace(std::path::MAIN_SEPARATOR, "/"));
        let Some(rel) = rel.filter(|_| hex) else {
            missing.push(photo.sha256.clone());
            continue;
        };
        if copied.contains(&rel) {
            continue;
        }
        // A staged photo is `.incoming/<sha256>.<ext>.<nonce>`. The move is one rename, so
        // looking under the hash, then in staging, then under the hash again cannot miss it.
        let staged_prefix = format!("{}.", rel.rsplit('/').next().unwrap_or_default());
        let staged = fs::read_dir(data.join("photos").join(".incoming"))
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with(&staged_prefix))
            });
        let candidates: Vec<PathBuf> = std::iter::once(placed.clone())
            .chain(staged)
            .chain(std::iter::once(placed))
            .collect();
        let to = staging.join(&rel);
        let mut found = false;
        for from in candidates {
            let Ok(source) = fs::File::open(&from) else {
                continue;
            };
            let (bytes, sha256) = copy_open(source, &from, &to)?;
            if sha256 == photo.sha256 {
                files.push(ManifestFile {
                    path: rel.clone(),
                    kind: FileKind::Photo,
                    bytes,
                    sha256,
                });
                found = true;
                break;
            }
            fs::remove_file(&to).with_context(|| to.display().to_string())?;
        }
        if !found {
            tracing::warn!("{rel}: the store names this photo but the data folder lacks it");
            missing.push(rel);
        }
    }
    Ok(missing)
}

/// Refuses an `out` that would overwrite something or land inside what it copies.
fn check_out(data: &Path, out: &Path) -> anyhow::Result<()> {
    let (data_abs, out_abs) = (std::path::absolute(data)?, std::path::absolute(out)?);
    let inside = out_abs == data_abs
        || FOLDERS
            .iter()
            .any(|(folder, _)| out_abs.starts_with(data_abs.join(folder)));
    if inside {
        bail!(
            "{}: a backup cannot go into the data folder or a folder it copies",
            out.display()
        );
    }
    if out.exists() && !is_empty_dir(out)? {
        bail!(
            "{} already exists and is not empty: a backup goes into a new folder",
            out.display()
        );
    }
    Ok(())
}

/// Every file to copy besides the store, as (relative path, source, kind), in name order.
fn files_to_copy(data: &Path) -> anyhow::Result<Vec<(String, PathBuf, FileKind)>> {
    let mut out = Vec::new();
    for (name, path) in visible_entries(data)? {
        if name.ends_with(".toml") && fs::metadata(&path).is_ok_and(|m| m.is_file()) {
            out.push((name, path, FileKind::Config));
        }
    }
    for (folder, kind) in FOLDERS {
        let path = data.join(folder);
        if path.is_dir() {
            walk(&path, folder, *kind, &mut out)?;
        }
    }
    Ok(out)
}

fn walk(
    dir: &Path,
    rel: &str,
    kind: FileKind,
    out: &mut Vec<(String, PathBuf, FileKind)>,
) -> anyhow::Result<()> {
    for (name, path) in visible_entries(dir)? {
        let rel = format!("{rel}/{name}");
        let meta = fs::metadata(&path).with_context(|| path.display().to_string())?;
        if meta.is_dir() {
            if fs::symlink_metadata(&path)?.file_type().is_symlink() {
                // A linked folder could loop back on itself; what it holds is not ours to copy.
                tracing::warn!(
                    "{}: a link to a folder, left out of the backup",
                    path.display()
                );
            } else {
                walk(&path, &rel, kind, out)?;
            }
        } else if meta.is_file() {
            out.push((rel, path, kind));
        }
    }
    Ok(())
}

/// The entries of a folder by name, without those starting with `.`: uploads not yet committed
/// (`photos/.incoming/`, `.….part`) and anything else hidden is not part of the district's data.
fn visible_entries(dir: &Path) -> anyhow::Result<Vec<(String, PathBuf)>> {
    let mut entries = Vec::new();
    for entry in fs::read_dir(dir).with_context(|| dir.display().to_string())? {
        let entry = entry.with_context(|| dir.display().to_string())?;
        let path = entry.path();
        let Some(name) = entry.file_name().to_str().map(str::to_string) else {
            bail!("{}: the name is not UTF-8; rename it", path.display());
        };
        if !name.starts_with('.') {
            entries.push((name, path));
        }
    }
    entries.sort();
    Ok(entries)
}

/// Reads the manifest of the backup `dir` and checks every file against it: present, a plain
/// file, the size and SHA-256 it lists, each path listed once, relative and without `..`.
/// Reads and changes nothing outside `dir`. The error names the backup and the file.
pub fn verify_backup(dir: &Path) -> anyhow::Result<Manifest> {
    let fail = |what: String| anyhow!("backup {}: {what}", dir.display());
    let text = fs::read_to_string(dir.join(MANIFEST_FILE))
        .map_err(|e| fail(format!("{MANIFEST_FILE}: {e}")))?;
    let manifest: Manifest =
        serde_json::from_str(&text).map_err(|e| fail(format!("{MANIFEST_FILE}: {e}")))?;
    if manifest.format != MANIFEST_FORMAT {
        return Err(fail(format!(
            "{MANIFEST_FILE}: format {} is not one this patrolmap knows ({MANIFEST_FORMAT})",
            manifest.format
        )));
    }
    let mut seen = HashSet::new();
    let mut real_dirs = HashSet::new();
    for f in &manifest.files {
        let at = |what: &str| fail(format!("{}: {what}", f.path));
        let rel = checked_relative(&f.path).map_err(at)?;
        if !seen.insert(rel.clone()) {
            return Err(at("listed twice in the manifest"));
        }
        // A linked folder inside the backup could point anywhere; only real folders count.
        for parent in rel
            .ancestors()
            .skip(1)
            .filter(|p| !p.as_os_str().is_empty())
        {
            if real_dirs.contains(parent) {
                continue;
            }
            match fs::symlink_metadata(dir.join(parent)) {
                Ok(m) if m.is_dir() => real_dirs.insert(parent.to_path_buf()),
                _ => return Err(at("missing from the backup")),
            };
        }
        let path = dir.join(&rel);
        let meta = match fs::symlink_metadata(&path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(at("missing from the backup"));
            }
            Err(e) => return Err(at(&e.to_string())),
        };
        if !meta.is_file() {
            return Err(at("not a plain file"));
        }
        if meta.len() != f.bytes {
            return Err(at(&format!(
                "{} bytes, the manifest says {}",
                meta.len(),
                f.bytes
            )));
        }
        let (_, sha256) = hash_file(&path).map_err(|e| at(&format!("{e:#}")))?;
        if !sha256.eq_ignore_ascii_case(&f.sha256) {
            return Err(at("SHA-256 does not match the manifest"));
        }
    }
    if !manifest
        .files
        .iter()
        .any(|f| f.path == DATABASE_FILE && f.kind == FileKind::Store)
    {
        return Err(fail(format!("{MANIFEST_FILE}: lists no {DATABASE_FILE}")));
    }
    Ok(manifest)
}

/// A manifest path as a relative path of plain names: no `..`, `.`, empty part or leading `/`.
pub(crate) fn checked_relative(path: &str) -> Result<PathBuf, &'static str> {
    if path.is_empty() || path.contains(['\\', '\0']) {
        return Err("not a plain relative path");
    }
    if path
        .split('/')
        .any(|p| p.is_empty() || p == "." || p == "..")
    {
        return Err("not a plain relative path (`..`, `.`, an empty part or a leading `/`)");
    }
    if path == MANIFEST_FILE {
        return Err("the manifest cannot list itself");
    }
    Ok(PathBuf::from(path))
}
