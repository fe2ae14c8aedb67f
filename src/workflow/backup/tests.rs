use super::files::is_empty_dir;
use super::rotate::rotated_time;
use super::*;
use std::time::Duration;

/// A small data folder with a store, two photos, an upload in flight, a basemap, a sample file,
/// a configuration file, a certificate and import rejects (which a backup leaves out).
fn data_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    store.set_setting("district", "test").unwrap();
    drop(store);
    let put = |rel: &str, bytes: &[u8]| {
        let path = dir.path().join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, bytes).unwrap();
    };
    put("photos/ab/abcd.jpg", b"a photo");
    put("photos/cd/cdef.png", b"another photo");
    put("photos/.incoming/half.jpg", b"not committed");
    put("photos/ab/.0123.part", b"half written");
    put("tiles/basemap.pmtiles", b"tiles");
    put("sample/teams.toml", b"[[team]]");
    put("planning.toml", b"[risk]");
    put("tls/key.pem", b"secret");
    put("rejects/venues.csv.rejects.csv", b"line,reason");
    dir
}

fn paths(m: &Manifest) -> Vec<&str> {
    m.files.iter().map(|f| f.path.as_str()).collect()
}

fn backup_of(data: &Path) -> (tempfile::TempDir, PathBuf) {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("backup");
    take_backup(data, &out).unwrap();
    (root, out)
}

fn message(r: anyhow::Result<impl std::fmt::Debug>) -> String {
    format!("{:#}", r.unwrap_err())
}

#[test]
fn a_backup_holds_the_districts_data_and_skips_what_is_hidden() {
    let data = data_folder();
    let (root, out) = backup_of(data.path());
    let manifest = verify_backup(&out).unwrap();
    assert_eq!(
        paths(&manifest),
        [
            "patrolmap.sqlite",
            "planning.toml",
            "photos/ab/abcd.jpg",
            "photos/cd/cdef.png",
            "tiles/basemap.pmtiles",
            "sample/teams.toml",
            "tls/key.pem",
        ]
    );
    assert!(manifest.holds_private_keys);
    assert_eq!(manifest.count(FileKind::Photo), 2);
    assert_eq!(
        manifest.schema_version,
        Store::open(data.path()).unwrap().schema_version().unwrap()
    );
    assert_eq!(manifest.patrolmap_version, env!("CARGO_PKG_VERSION"));
    // Nothing but the finished backup beside it: the staging folder was renamed.
    let names: Vec<_> = fs::read_dir(root.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["backup"]);
    assert!(!out.join("patrolmap.sqlite-wal").exists());
}

#[test]
fn a_backup_never_overwrites_nor_lands_inside_what_it_copies() {
    let data = data_folder();
    let (_root, out) = backup_of(data.path());
    assert!(message(take_backup(data.path(), &out)).contains("not empty"));
    let inside = data.path().join("photos/backups");
    assert!(message(take_backup(data.path(), &inside)).contains("cannot go into"));
    let empty = tempfile::tempdir().unwrap();
    let out = empty.path().join("b");
    assert!(message(take_backup(empty.path(), &out)).contains("no store"));
    assert!(!out.exists());
}

#[test]
fn verification_refuses_a_flipped_byte_a_missing_file_and_odd_paths() {
    let data = data_folder();
    let (_root, out) = backup_of(data.path());
    let photo = out.join("photos/ab/abcd.jpg");
    let mut bytes = fs::read(&photo).unwrap();
    bytes[0] ^= 1;
    fs::write(&photo, &bytes).unwrap();
    let m = message(verify_backup(&out));
    assert_eq!(
        m,
        format!(
            "backup {}: photos/ab/abcd.jpg: SHA-256 does not match the manifest",
            out.display()
        )
    );
    bytes[0] ^= 1;
    fs::write(&photo, &bytes).unwrap();
    verify_backup(&out).unwrap();

    fs::remove_file(out.join("tiles/basemap.pmtiles")).unwrap();
    assert!(
        message(verify_backup(&out)).ends_with("tiles/basemap.pmtiles: missing from the backup")
    );
    fs::write(out.join("tiles/basemap.pmtiles"), b"tiles").unwrap();

    let original = fs::read_to_string(out.join(MANIFEST_FILE)).unwrap();
    let rewrite = |edit: &dyn Fn(&mut Manifest)| {
        let mut m: Manifest = serde_json::from_str(&original).unwrap();
        edit(&mut m);
        fs::write(out.join(MANIFEST_FILE), serde_json::to_string(&m).unwrap()).unwrap();
        message(verify_backup(&out))
    };
    let m = rewrite(&|m| m.files[1].path = "sample/../../etc/passwd".into());
    assert!(
        m.contains("sample/../../etc/passwd: not a plain relative path"),
        "{m}"
    );
    let m = rewrite(&|m| m.files[1].path = "/etc/passwd".into());
    assert!(m.contains("/etc/passwd: not a plain relative path"), "{m}");
    let m = rewrite(&|m| {
        let again = m.files[2].clone();
        m.files.push(again)
    });
    assert!(
        m.ends_with("photos/ab/abcd.jpg: listed twice in the manifest"),
        "{m}"
    );
    let m = rewrite(&|m| m.files[2].bytes += 1);
    assert!(
        m.contains("photos/ab/abcd.jpg: 7 bytes, the manifest says 8"),
        "{m}"
    );
    let m = rewrite(&|m| {
        m.files.remove(0);
    });
    assert!(m.ends_with("lists no patrolmap.sqlite"), "{m}");
    fs::write(out.join(MANIFEST_FILE), "{").unwrap();
    assert!(message(verify_backup(&out)).contains("manifest.json: EOF"));
}

#[test]
fn restore_fills_an_empty_folder_and_refuses_a_full_one_without_force() {
    let data = data_folder();
    let (_root, out) = backup_of(data.path());
    let target = tempfile::tempdir().unwrap();
    let fresh = target.path().join("new");
    let restored = restore(&out, &fresh, false).unwrap();
    assert!(restored.set_aside.is_none());
    assert_eq!(
        fs::read(fresh.join("photos/cd/cdef.png")).unwrap(),
        b"another photo"
    );
    assert!(!fresh.join("photos/.incoming").exists());
    assert!(!fresh.join("rejects").exists());
    let store = Store::open(&fresh).unwrap();
    assert_eq!(store.setting("district").unwrap().as_deref(), Some("test"));
    drop(store);

    // A full folder: refused, untouched.
    fs::write(fresh.join("note.txt"), b"mine").unwrap();
    let m = message(restore(&out, &fresh, false));
    assert!(m.contains("is not empty") && m.contains("--force"), "{m}");
    assert_eq!(fs::read(fresh.join("note.txt")).unwrap(), b"mine");

    // With force: the old folder is set aside whole, the backup takes its place.
    let restored = restore(&out, &fresh, true).unwrap();
    let aside = restored.set_aside.unwrap();
    assert!(
        aside
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("new.before-restore-")
    );
    assert_eq!(fs::read(aside.join("note.txt")).unwrap(), b"mine");
    assert!(!fresh.join("note.txt").exists());
    Store::open(&fresh).unwrap().integrity_check().unwrap();
    let mut names: Vec<_> = fs::read_dir(target.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names.len(), 2, "no staging folder is left: {names:?}");
}

#[test]
fn a_refused_restore_changes_nothing() {
    let data = data_folder();
    let (_root, out) = backup_of(data.path());
    let db = out.join(DATABASE_FILE);
    let mut bytes = fs::read(&db).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x55;
    fs::write(&db, &bytes).unwrap();
    let target = tempfile::tempdir().unwrap();
    let m = message(restore(&out, target.path(), false));
    assert!(
        m.ends_with("patrolmap.sqlite: SHA-256 does not match the manifest"),
        "{m}"
    );
    assert!(is_empty_dir(target.path()).unwrap());
    let m = message(restore(&out, data.path(), true));
    assert!(m.contains("SHA-256"), "{m}");
    assert!(data.path().join("tls/key.pem").exists());
    let parent = data.path().parent().unwrap();
    let name = data.path().file_name().unwrap().to_str().unwrap();
    let left: Vec<_> = fs::read_dir(parent)
        .unwrap()
        .filter_map(|e| e.unwrap().file_name().into_string().ok())
        .filter(|n| n.contains(name) && n != name)
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn rotation_keeps_the_newest_and_only_counts_its_own_folders() {
    let data = data_folder();
    let backups = tempfile::tempdir().unwrap();
    assert_eq!(newest_backup_age(backups.path()), None);
    assert_eq!(newest_backup_age(&backups.path().join("none")), None);
    // Others' folders: a lookalike without a manifest, a name of another shape, a hidden one.
    let unfinished = backups.path().join("patrolmap-20200101T000000.000Z");
    fs::create_dir(&unfinished).unwrap();
    let notes = backups.path().join("patrolmap-notes");
    fs::create_dir(&notes).unwrap();
    fs::write(notes.join(MANIFEST_FILE), "{}").unwrap();
    let old = backups.path().join("patrolmap-20200101T000000.001Z");
    fs::create_dir(&old).unwrap();
    fs::write(old.join(MANIFEST_FILE), "{}").unwrap();

    let mut taken = Vec::new();
    for _ in 0..4 {
        take_rotated(data.path(), backups.path(), 2).unwrap();
        taken.push(finished_backups(backups.path()).unwrap().pop().unwrap().1);
        std::thread::sleep(Duration::from_millis(5));
    }
    let left: Vec<PathBuf> = finished_backups(backups.path())
        .unwrap()
        .into_iter()
        .map(|(_, p)| p)
        .collect();
    assert_eq!(left, taken[2..]);
    assert!(unfinished.exists() && notes.exists() && !old.exists());
    verify_backup(&left[1]).unwrap();
    assert!(newest_backup_age(backups.path()).unwrap() < Duration::from_secs(3600));
    assert!(take_rotated(data.path(), backups.path(), 0).is_err());
}

#[test]
fn rotated_names_are_recognised_exactly() {
    let at = rotated_time("patrolmap-20261120T213000.123Z").unwrap();
    assert_eq!(at.to_rfc3339(), "2026-11-20T21:30:00.123+00:00");
    for other in [
        "patrolmap-20261120T213000Z",
        "patrolmap-20261120T213000.123Z.old",
        "patrolmap-2026-11-20",
        ".patrolmap-20261120T213000.123Z.partial-1",
    ] {
        assert_eq!(rotated_time(other), None, "{other}");
    }
}

#[test]
fn a_photo_the_store_names_is_backed_up_while_still_staged_and_a_lost_one_is_listed() {
    use sha2::{Digest, Sha256};
    let data = data_folder();
    let bytes = b"committed, not yet moved";
    let staged = format!("{:x}", Sha256::digest(bytes));
    let lost = "e".repeat(64);
    let db = rusqlite::Connection::open(data.path().join(DATABASE_FILE)).unwrap();
    // Photo rows without their inspection: enough for what the backup reads.
    db.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
    for sha in [&staged, &lost] {
        db.execute(
            "INSERT INTO inspection_photos (inspection_id, sha256, content_type, bytes) VALUES (1, ?1, 'image/png', 24)",
            [sha],
        )
        .unwrap();
    }
    drop(db);
    let incoming = data.path().join("photos/.incoming");
    fs::write(incoming.join(format!("{staged}.png.0123abcd")), bytes).unwrap();

    let (_root, out) = backup_of(data.path());
    let manifest = verify_backup(&out).unwrap();
    let rel = format!("photos/{}/{staged}.png", &staged[..2]);
    assert!(
        paths(&manifest).contains(&rel.as_str()),
        "{:?}",
        paths(&manifest)
    );
    assert_eq!(fs::read(out.join(&rel)).unwrap(), bytes);
    assert_eq!(
        manifest.missing_photos,
        [format!("photos/ee/{lost}.png")],
        "a photo found nowhere is listed, not silently dropped"
    );
    assert!(!out.join("photos/.incoming").exists());
}
