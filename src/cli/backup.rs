//! `patrolmap backup` and `patrolmap restore`: a data folder into a checked backup folder, and
//! back. `serve` may keep running during a backup; stop it before a restore.

use crate::workflow::backup::{FileKind, Manifest, restore, take_backup};
use std::path::Path;

pub fn run_backup(data: &Path, out: &Path) -> anyhow::Result<()> {
    let manifest = take_backup(data, out)?;
    println!(
        "backed up {} to {}: {} in {:.1} s",
        data.display(),
        out.display(),
        contents(&manifest),
        manifest.seconds
    );
    if !manifest.missing_photos.is_empty() {
        println!(
            "warning: the store names {} photos the data folder lacks (listed in the manifest as missing_photos), e.g. {}",
            manifest.missing_photos.len(),
            manifest.missing_photos[0]
        );
    }
    if manifest.holds_private_keys {
        println!(
            "note: the backup holds tls/ with the server's private key; keep it as safe as the server"
        );
    }
    Ok(())
}

pub fn run_restore(data: &Path, backup: &Path, force: bool) -> anyhow::Result<()> {
    let restored = restore(backup, data, force)?;
    println!(
        "verified {}: {} match the manifest",
        backup.display(),
        contents(&restored.manifest)
    );
    println!(
        "restored into {} (schema version {}, integrity check ok)",
        data.display(),
        restored.schema_version
    );
    if let Some(aside) = restored.set_aside {
        println!(
            "the data folder that was there is kept as {}; remove it when you no longer need it",
            aside.display()
        );
    }
    Ok(())
}

fn contents(m: &Manifest) -> String {
    format!(
        "{} files, {:.1} MiB (the store at schema version {}, {} photos)",
        m.files.len(),
        m.total_bytes() as f64 / (1 << 20) as f64,
        m.schema_version,
        m.count(FileKind::Photo)
    )
}
