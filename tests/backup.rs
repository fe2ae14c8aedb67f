//! A backup of a data folder while the server takes inspections from 50 clients: the backup
//! holds every inspection acknowledged before it started and every photo its store names; it
//! restores into a fresh folder that passes the integrity check; a backup with one byte changed
//! is refused, naming the file, and the target folder stays as it was.

mod common;
use common::server::*;
use common::{patrolmap, stderr, stdout};
use serde_json::json;
use std::collections::HashSet;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const CLIENTS: usize = 50;
/// Every how many records of a client carries a photo.
const PHOTO_EVERY: usize = 5;

/// A valid PNG of one transparent pixel, with a text chunk that makes each one's bytes (and so
/// its SHA-256) its own.
fn png(tag: &str) -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut crc = flate2::Crc::new();
        crc.update(kind);
        crc.update(data);
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        out.extend_from_slice(&crc.sum().to_be_bytes());
    }
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    // 1 × 1, 8-bit RGBA.
    chunk(&mut out, b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0]);
    chunk(&mut out, b"tEXt", format!("Comment\0{tag}").as_bytes());
    // zlib of one filter byte and four zero bytes.
    let idat = [
        0x78, 0x9c, 0x63, 0x60, 0x00, 0x02, 0x00, 0x00, 0x05, 0x00, 0x01,
    ];
    chunk(&mut out, b"IDAT", &idat);
    chunk(&mut out, b"IEND", &[]);
    out
}

struct Acks {
    uuids: Vec<String>,
    with_photo: usize,
}

#[test]
fn a_backup_under_load_restores_everything_acknowledged_before_it() {
    let data = demo_copy();
    let server = Server::start(data.path(), &[]);
    let token = login(&server, "manager");
    let venues: Vec<i64> =
        get(&server.url("/api/layers/venues?limit=300"), Some(&token)).json()["features"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|f| f["id"].as_str()?.parse().ok())
            .collect();
    assert!(!venues.is_empty());

    let acks = Arc::new(Mutex::new(Acks {
        uuids: Vec::new(),
        with_photo: 0,
    }));
    let refused = Arc::new(Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let url = server.url("/api/inspections");
    let writers: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let (acks, refused, stop) = (acks.clone(), refused.clone(), stop.clone());
            let (url, token, venues) = (url.clone(), token.clone(), venues.clone());
            std::thread::spawn(move || {
                let mut k = 0;
                while !stop.load(Ordering::SeqCst) {
                    let uuid = uuid::Uuid::new_v4().to_string();
                    let body = json!({
                        "client_uuid": uuid,
                        "venue_id": venues[(c * 7 + k) % venues.len()],
                        "started_at": format!("{DEMO_DATE}T21:30"),
                        "finished_at": format!("{DEMO_DATE}T21:50"),
                        "outcome": "compliant",
                        "checklist": { "licence_displayed": true },
                        "notes": format!("client {c} record {k}"),
                        "gps": { "at": { "lon": 24.9431, "lat": 60.1702 }, "accuracy_m": 8.0 }
                    });
                    let photo = k % PHOTO_EVERY == 0;
                    let reply = if photo {
                        let image = png(&uuid);
                        let (ct, form) = multipart(&body, &[("image/png", &image)]);
                        send("POST", &url, Some(&token), &ct, &form)
                    } else {
                        post_json(&url, Some(&token), &body)
                    };
                    if reply.status == 200 || reply.status == 201 {
                        let mut a = acks.lock().unwrap();
                        a.uuids.push(uuid);
                        a.with_photo += usize::from(photo);
                    } else {
                        refused
                            .lock()
                            .unwrap()
                            .push(format!("{}: {}", reply.status, reply.body));
                    }
                    k += 1;
                }
            })
        })
        .collect();

    // Some records with photos are in before the backup starts.
    while acks.lock().unwrap().with_photo < CLIENTS {
        std::thread::sleep(Duration::from_millis(10));
    }
    let before: Vec<String> = acks.lock().unwrap().uuids.clone();
    let backups = tempfile::tempdir().unwrap();
    let backup = backups.path().join("backup");
    let out = patrolmap(data.path(), &["backup", "--out", backup.to_str().unwrap()]);
    let during = acks.lock().unwrap().uuids.len() - before.len();
    stop.store(true, Ordering::SeqCst);
    for w in writers {
        w.join().expect("a writer failed");
    }
    assert!(out.status.success(), "backup failed: {}", stderr(&out));
    assert!(stdout(&out).contains("backed up"), "{}", stdout(&out));
    let refused = refused.lock().unwrap();
    assert!(
        refused.is_empty(),
        "the server refused: {:?}",
        &refused[..refused.len().min(3)]
    );
    println!(
        "{} acknowledged before the backup, {during} while it ran",
        before.len()
    );

    // Restore into a fresh folder.
    let target = tempfile::tempdir().unwrap();
    let restored = target.path().join("data");
    let out = patrolmap(&restored, &["restore", backup.to_str().unwrap()]);
    assert!(out.status.success(), "restore failed: {}", stderr(&out));
    assert!(
        stdout(&out).contains("integrity check ok"),
        "{}",
        stdout(&out)
    );

    let db = rusqlite::Connection::open(restored.join("patrolmap.sqlite")).unwrap();
    let check: String = db
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let stored: HashSet<String> = db
        .prepare("SELECT client_uuid FROM inspections")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let lost: Vec<&String> = before.iter().filter(|u| !stored.contains(*u)).collect();
    assert!(
        lost.is_empty(),
        "{} acknowledged records lost: {:?}",
        lost.len(),
        &lost[..lost.len().min(5)]
    );
    let photos: Vec<String> = db
        .prepare("SELECT DISTINCT sha256 FROM inspection_photos")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(photos.len() >= CLIENTS, "{} photos", photos.len());
    for sha in &photos {
        let file = restored
            .join("photos")
            .join(&sha[..2])
            .join(format!("{sha}.png"));
        assert!(file.is_file(), "{} is missing", file.display());
    }
    assert!(!restored.join("photos/.incoming").exists());
    drop(db);

    // The same folder again, without --force: refused.
    let out = patrolmap(&restored, &["restore", backup.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("not empty"), "{}", stderr(&out));

    // One byte of one photo changed: refused by name, before anything is written.
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(backup.join("manifest.json")).unwrap())
            .unwrap();
    let photo = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "photo")
        .unwrap()["path"]
        .as_str()
        .unwrap()
        .to_string();
    flip_a_byte(&backup.join(&photo));
    let fresh = tempfile::tempdir().unwrap();
    let out = patrolmap(fresh.path(), &["restore", backup.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains(&format!(
            "backup {}: {photo}: SHA-256 does not match the manifest",
            backup.display()
        )),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_dir(fresh.path()).unwrap().count(), 0);
    let name = fresh.path().file_name().unwrap().to_str().unwrap();
    let beside: Vec<_> = std::fs::read_dir(fresh.path().parent().unwrap())
        .unwrap()
        .filter_map(|e| e.unwrap().file_name().into_string().ok())
        .filter(|n| n.starts_with(&format!(".{name}.restore-")))
        .collect();
    assert!(beside.is_empty(), "{beside:?}");
    // Also over a full folder with --force: the folder stays as it was.
    let out = patrolmap(&restored, &["restore", "--force", backup.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(restored.join("patrolmap.sqlite").is_file());
    assert_eq!(std::fs::read_dir(target.path()).unwrap().count(), 1);

    // Put right again, --force swaps it in and keeps the old folder aside.
    flip_a_byte(&backup.join(&photo));
    let out = patrolmap(&restored, &["restore", "--force", backup.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("is kept as"), "{}", stdout(&out));
    assert_eq!(std::fs::read_dir(target.path()).unwrap().count(), 2);
}

fn flip_a_byte(path: &Path) {
    let mut bytes = std::fs::read(path).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x20;
    std::fs::write(path, bytes).unwrap();
}
