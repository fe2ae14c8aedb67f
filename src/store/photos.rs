//! The photo half of the store: files under `DATA/photos/xx/<sha256>.<ext>`, named by their
//! content so a retried upload writes nothing new. An upload's photos are first staged in
//! `photos/.incoming/` (written and synced there) and placed under their hash only after the
//! record that names them has committed; a refused or failed request drops its staged files, so
//! nothing stays on disk that no record points at. A sweep at start-up finishes what a crash
//! interrupted and removes what is left over.

use super::{Result, Store};
use crate::model::PhotoRef;
use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

const INCOMING: &str = ".incoming";

/// File name endings by MIME type; anything else is kept as `.bin`.
const EXTENSIONS: &[(&str, &str)] = &[
    ("image/jpeg", "jpg"),
    ("image/png", "png"),
    ("image/webp", "webp"),
    ("image/heic", "heic"),
];

#[derive(Debug, Clone)]
pub struct PhotoFolder {
    dir: PathBuf,
}

/// A photo written to the staging folder; dropped without `place`, it is deleted.
#[derive(Debug)]
pub struct StagedPhoto {
    staged: PathBuf,
    dest: PathBuf,
    placed: bool,
}

/// What a sweep did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Sweep {
    /// Staged photos of committed records, placed after a crash between commit and move.
    pub placed: usize,
    /// Files no record points at, removed.
    pub removed: usize,
}

impl PhotoFolder {
    /// The photos of the data folder `data`.
    pub fn new(data: &Path) -> Self {
        Self {
            dir: data.join("photos"),
        }
    }

    /// Where a stored photo lives.
    pub fn path(&self, photo: &PhotoRef) -> PathBuf {
        let ext = EXTENSIONS
            .iter()
            .find(|(t, _)| *t == photo.content_type)
            .map_or("bin", |(_, e)| e);
        self.dir
            .join(&photo.sha256[..2.min(photo.sha256.len())])
            .join(format!("{}.{ext}", photo.sha256))
    }

    /// Writes a photo to the staging folder and syncs it.
    pub fn stage(&self, photo: &PhotoRef, bytes: &[u8]) -> std::io::Result<StagedPhoto> {
        let incoming = self.dir.join(INCOMING);
        std::fs::create_dir_all(&incoming)?;
        let dest = self.path(photo);
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        // `<sha256>.<ext>.<nonce>`: the sweep can tell which photo a staged file is.
        let staged = incoming.join(format!("{name}.{}", uuid::Uuid::new_v4().simple()));
        let s = StagedPhoto {
            staged,
            dest,
            placed: false,
        };
        let mut f = std::fs::File::create(&s.staged)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        Ok(s)
    }

    /// Finishes and cleans up after crashes: a staged photo that a committed record names is
    /// placed; staged files and stored photos no record names, older than `grace` (so uploads
    /// in flight are left alone), are removed.
    pub fn sweep(&self, referenced: &HashSet<String>, grace: Duration) -> std::io::Result<Sweep> {
        let now = SystemTime::now();
        let old = |p: &Path| {
            std::fs::metadata(p)
                .and_then(|m| m.modified())
                .is_ok_and(|t| now.duration_since(t).unwrap_or_default() >= grace)
        };
        let mut sweep = Sweep::default();
        let incoming = self.dir.join(INCOMING);
        for entry in read_dir_or_empty(&incoming)? {
            let path = entry?.path();
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
            let Some(name) = name else { continue };
            let sha = name.split('.').next().unwrap_or_default().to_string();
            let Some(content_type) = name
                .split('.')
                .nth(1)
                .and_then(|e| EXTENSIONS.iter().find(|(_, x)| *x == e))
                .map(|(t, _)| *t)
            else {
                if old(&path) {
                    std::fs::remove_file(&path)?;
                    sweep.removed += 1;
                }
                continue;
            };
            if referenced.contains(&sha) {
                let photo = PhotoRef {
                    sha256: sha,
                    content_type: content_type.to_string(),
                    bytes: 0,
                };
                StagedPhoto {
                    staged: path,
                    dest: self.path(&photo),
                    placed: false,
                }
                .place()?;
                sweep.placed += 1;
            } else if old(&path) {
                std::fs::remove_file(&path)?;
                sweep.removed += 1;
            }
        }
        // Thumbnails of photos no record names any more.
        for entry in read_dir_or_empty(&self.dir.join(super::thumbnails::THUMBS))? {
            let path = entry?.path();
            let sha = path
                .file_stem()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if !referenced.contains(&sha) {
                std::fs::remove_file(&path)?;
                sweep.removed += 1;
            }
        }
        for shard in read_dir_or_empty(&self.dir)? {
            let shard = shard?.path();
            let hidden = shard
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'));
            if hidden || !shard.is_dir() {
                continue;
            }
            for entry in std::fs::read_dir(&shard)? {
                let path = entry?.path();
                let sha = path
                    .file_name()
                    .map(|n| {
                        n.to_string_lossy()
                            .split('.')
                            .next()
                            .unwrap_or("")
                            .to_string()
                    })
                    .unwrap_or_default();
                if !referenced.contains(&sha) && old(&path) {
                    std::fs::remove_file(&path)?;
                    sweep.removed += 1;
                }
            }
        }
        Ok(sweep)
    }
}

fn read_dir_or_empty(dir: &Path) -> std::io::Result<Vec<std::io::Result<std::fs::DirEntry>>> {
    match std::fs::read_dir(dir) {
        Ok(entries) => Ok(entries.collect()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

impl StagedPhoto {
    /// Moves the photo under its hash (or drops the copy if it is there already) and syncs the
    /// folder, so the photo is as durable as the record that names it.
    pub fn place(mut self) -> std::io::Result<()> {
        // The record naming it has committed: from here a failure leaves the staged file for
        // the start-up sweep to place, never deletes it.
        self.placed = true;
        let folder = self
            .dest
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        std::fs::create_dir_all(&folder)?;
        if self.dest.exists() {
            std::fs::remove_file(&self.staged)?;
        } else {
            std::fs::rename(&self.staged, &self.dest)?;
        }
        std::fs::File::open(&folder)?.sync_all()
    }
}

impl Drop for StagedPhoto {
    fn drop(&mut self) {
        if !self.placed {
            let _ = std::fs::remove_file(&self.staged);
        }
    }
}

impl Store {
    /// The SHA-256 of every photo a record names: an inspection's, or a follow-up's evidence.
    pub fn photo_hashes(&self) -> Result<HashSet<String>> {
        let mut stmt = self.conn.prepare(
            "SELECT sha256 FROM inspection_photos UNION SELECT sha256 FROM follow_up_photos",
        )?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<HashSet<String>>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn photo(sha: char) -> PhotoRef {
        PhotoRef {
            sha256: sha.to_string().repeat(64),
            content_type: "image/png".into(),
            bytes: 3,
        }
    }

    fn files(dir: &Path) -> usize {
        walk(dir).len()
    }

    fn walk(dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            if e.path().is_dir() {
                out.extend(walk(&e.path()));
            } else {
                out.push(e.path());
            }
        }
        out
    }

    #[test]
    fn a_staged_photo_is_placed_or_leaves_nothing() {
        let data = tempfile::tempdir().unwrap();
        let folder = PhotoFolder::new(data.path());
        let kept = folder.stage(&photo('a'), b"png").unwrap();
        let dropped = folder.stage(&photo('b'), b"png").unwrap();
        assert_eq!(files(data.path()), 2);
        drop(dropped);
        kept.place().unwrap();
        assert_eq!(walk(data.path()), vec![folder.path(&photo('a'))]);
        // The same photo again: the stored copy stays, the staged one goes.
        folder.stage(&photo('a'), b"png").unwrap().place().unwrap();
        assert_eq!(files(data.path()), 1);
    }

    #[test]
    fn the_sweep_places_committed_photos_and_removes_orphans() {
        let data = tempfile::tempdir().unwrap();
        let folder = PhotoFolder::new(data.path());
        // A crash between the commit and the move leaves a staged photo a record names …
        std::mem::forget(folder.stage(&photo('c'), b"png").unwrap());
        // … and an old bug left a stored photo no record names, and a staged one.
        folder.stage(&photo('d'), b"png").unwrap().place().unwrap();
        std::mem::forget(folder.stage(&photo('e'), b"png").unwrap());
        let referenced: HashSet<String> = [photo('c').sha256].into();
        let fresh = folder
            .sweep(&referenced, Duration::from_secs(3600))
            .unwrap();
        assert_eq!(
            fresh,
            Sweep {
                placed: 1,
                removed: 0
            },
            "young orphans may be uploads in flight"
        );
        let all = folder.sweep(&referenced, Duration::ZERO).unwrap();
        assert_eq!(
            all,
            Sweep {
                placed: 0,
                removed: 2
            }
        );
        assert_eq!(walk(data.path()), vec![folder.path(&photo('c'))]);
    }
}
