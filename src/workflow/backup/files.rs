//! The file handling of backups and restores: a staging folder renamed into place when whole,
//! copies that hash what they write, and the syncs that make both survive a crash.

use anyhow::{Context, bail};
use sha2::{Digest, Sha256};
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// A hidden folder beside the target where a backup or a restore is put together; removed on
/// drop unless it was moved into place, so a failure leaves nothing that looks finished.
pub(super) struct Staging {
    pub(super) path: PathBuf,
    placed: bool,
}

impl Staging {
    pub(super) fn beside(target: &Path, what: &str) -> anyhow::Result<Self> {
        let (parent, name) = parent_and_name(target)?;
        fs::create_dir_all(&parent).with_context(|| parent.display().to_string())?;
        let path = parent.join(format!(".{name}.{what}-{}", uuid::Uuid::new_v4().simple()));
        fs::create_dir(&path).with_context(|| path.display().to_string())?;
        Ok(Self {
            path,
            placed: false,
        })
    }

    /// Syncs every file's folder, then renames the staging folder to `target` (which must be
    /// gone or empty) and syncs the parent, so the rename itself survives a crash.
    pub(super) fn into_place(mut self, target: &Path) -> anyhow::Result<()> {
        sync_tree(&self.path)?;
        if target.exists() {
            fs::remove_dir(target)
                .with_context(|| format!("{}: cannot replace it (not empty?)", target.display()))?;
        }
        fs::rename(&self.path, target)
            .with_context(|| format!("renaming {} to {}", self.path.display(), target.display()))?;
        self.placed = true;
        let (parent, _) = parent_and_name(target)?;
        sync_dir(&parent)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.placed {
            let _ = fs::remove_dir_all(&self.path);
        }
    }
}

/// A folder's parent and its own name, for paths such as `.` or `data/` too.
pub(super) fn parent_and_name(path: &Path) -> anyhow::Result<(PathBuf, String)> {
    let abs = std::path::absolute(path).with_context(|| path.display().to_string())?;
    let name = abs.file_name().and_then(|n| n.to_str());
    match (abs.parent(), name) {
        (Some(parent), Some(name)) => Ok((parent.to_path_buf(), name.to_string())),
        _ => bail!("{}: cannot tell the folder's name", path.display()),
    }
}

pub(super) fn is_empty_dir(path: &Path) -> anyhow::Result<bool> {
    let mut entries = fs::read_dir(path).with_context(|| path.display().to_string())?;
    Ok(entries.next().is_none())
}

/// Copies a file, creating its folder, and syncs it; returns its size and SHA-256 (of the bytes
/// written, so the manifest describes the copy even if the source changed meanwhile).
pub(super) fn copy_hashed(from: &Path, to: &Path) -> anyhow::Result<(u64, String)> {
    let source = fs::File::open(from).with_context(|| from.display().to_string())?;
    copy_open(source, from, to)
}

pub(super) fn copy_open(
    mut source: fs::File,
    from: &Path,
    to: &Path,
) -> anyhow::Result<(u64, String)> {
    if let Some(folder) = to.parent() {
        fs::create_dir_all(folder).with_context(|| folder.display().to_string())?;
    }
    let mut target = fs::File::create_new(to).with_context(|| to.display().to_string())?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut bytes = 0u64;
    loop {
        let n = source
            .read(&mut buf)
            .with_context(|| from.display().to_string())?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        target
            .write_all(&buf[..n])
            .with_context(|| to.display().to_string())?;
        bytes += n as u64;
    }
    target
        .sync_all()
        .with_context(|| to.display().to_string())?;
    Ok((bytes, format!("{:x}", hasher.finalize())))
}

pub(super) fn hash_file(path: &Path) -> anyhow::Result<(u64, String)> {
    let mut file = fs::File::open(path).with_context(|| path.display().to_string())?;
    let mut hasher = Sha256::new();
    let bytes =
        std::io::copy(&mut file, &mut hasher).with_context(|| path.display().to_string())?;
    Ok((bytes, format!("{:x}", hasher.finalize())))
}

pub(super) fn write_synced(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut file = fs::File::create_new(path).with_context(|| path.display().to_string())?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .with_context(|| path.display().to_string())
}

/// Syncs every folder under `root` and `root` itself, so the files' names are durable too.
fn sync_tree(root: &Path) -> anyhow::Result<()> {
    for entry in fs::read_dir(root).with_context(|| root.display().to_string())? {
        let entry = entry.with_context(|| root.display().to_string())?;
        if entry.file_type()?.is_dir() {
            sync_tree(&entry.path())?;
        }
    }
    sync_dir(root)
}

fn sync_dir(dir: &Path) -> anyhow::Result<()> {
    fs::File::open(dir)
        .and_then(|f| f.sync_all())
        .with_context(|| format!("syncing {}", dir.display()))
}
