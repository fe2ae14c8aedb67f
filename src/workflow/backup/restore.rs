//! Restoring a backup into a data folder: verify everything first, put the copy together beside
//! the folder, check the store, and only then swap it in, so a failed restore changes nothing.

use super::files::{Staging, copy_hashed, is_empty_dir, parent_and_name};
use super::{Manifest, checked_relative, verify_backup};
use crate::store::Store;
use anyhow::{Context, anyhow, bail};
use std::fs;
use std::path::{Path, PathBuf};

/// What a restore did.
#[derive(Debug)]
pub struct Restored {
    pub manifest: Manifest,
    /// The store's schema version after opening it (newer than the backup's if it migrated).
    pub schema_version: i64,
    /// Where the folder that was there before now is (only with `force`).
    pub set_aside: Option<PathBuf>,
}

/// Restores the backup `backup` into the data folder `data`. A missing or empty folder is filled;
/// a folder with anything in it is refused unless `force`, and then renamed aside to
/// `<data>.before-restore-<UTC time>` (never deleted) once the restored copy is whole and its
/// store passes `PRAGMA integrity_check`. Stop `serve` first: it would keep the old files open.
pub fn restore(backup: &Path, data: &Path, force: bool) -> anyhow::Result<Restored> {
    let occupied = match fs::symlink_metadata(data) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(e) => return Err(anyhow!("{}: {e}", data.display())),
        Ok(m) if m.is_dir() => !is_empty_dir(data)?,
        Ok(_) => bail!("{}: not a folder", data.display()),
    };
    if occupied && !force {
        bail!(
            "the data folder {} is not empty; restore refuses to overwrite it \
             (with --force it is renamed to {}.before-restore-<time> and the backup takes its place)",
            data.display(),
            data.display()
        );
    }
    let manifest = verify_backup(backup)?;

    let staging = Staging::beside(data, "restore")?;
    for f in &manifest.files {
        let rel = checked_relative(&f.path).map_err(|m| anyhow!("{}: {m}", f.path))?;
        let (bytes, sha256) = copy_hashed(&backup.join(&rel), &staging.path.join(&rel))?;
        // Verified a moment ago; checked again in case the backup changed under us.
        if bytes != f.bytes || !sha256.eq_ignore_ascii_case(&f.sha256) {
            bail!(
                "backup {}: {}: changed while it was being restored",
                backup.display(),
                f.path
            );
        }
    }
    let schema_version = {
        let store = Store::open(&staging.path).context("opening the restored store")?;
        store
            .integrity_check()
            .context("checking the restored store")?;
        store.schema_version()?
    };

    let set_aside = if occupied {
        let (parent, name) = parent_and_name(data)?;
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
        let aside = parent.join(format!("{name}.before-restore-{stamp}"));
        if aside.exists() {
            bail!("{} already exists; try again in a second", aside.display());
        }
        fs::rename(data, &aside)
            .with_context(|| format!("renaming {} to {}", data.display(), aside.display()))?;
        Some(aside)
    } else {
        None
    };
    if let Err(e) = staging.into_place(data) {
        if let Some(aside) = &set_aside {
            // Put the old folder back, so a failed swap leaves what was there.
            if let Err(back) = fs::rename(aside, data) {
                return Err(e.context(format!(
                    "and the earlier folder could not be put back: it is {} ({back})",
                    aside.display()
                )));
            }
        }
        return Err(e);
    }
    Ok(Restored {
        manifest,
        schema_version,
        set_aside,
    })
}
