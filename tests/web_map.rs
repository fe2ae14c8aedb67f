//! The web map in a real browser. `tests/web/e2e.mjs` drives Debian's headless Chromium with
//! Playwright against the real server on 127.0.0.1 (an inspector offline and back, a planner, a
//! manager; zh-CN and English screenshots under target/screenshots/); this test then checks the
//! store for what the inspector recorded while offline: exactly once, with its photo on disk.

mod common;

use common::server::{Server, demo_copy};
use sha2::{Digest, Sha256};
use std::path::Path;

#[test]
fn inspector_planner_and_manager_in_headless_chromium() {
    let data = demo_copy();
    let server = Server::start(data.path(), &[]);
    let shots = common::screenshots();
    let result = common::run_browser_script("e2e.mjs", &[&server.base, &shots.to_string_lossy()]);
    let uuid = result["inspection"]["uuid"].as_str().unwrap();
    let venue = result["inspection"]["venue_id"].as_i64().unwrap();

    let db = rusqlite::Connection::open(data.path().join("patrolmap.sqlite")).unwrap();
    let rows: Vec<(i64, i64, String, Option<String>)> = db
        .prepare("SELECT id, venue_id, outcome, notes FROM inspections WHERE client_uuid = ?1")
        .unwrap()
        .query_map([uuid], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        rows.len(),
        1,
        "the offline inspection is stored exactly once"
    );
    let (id, stored_venue, outcome, notes) = &rows[0];
    assert_eq!((*stored_venue, outcome.as_str()), (venue, "violation"));
    assert!(notes.as_deref().unwrap_or("").contains("包厢"));
    let photos: Vec<(String, i64)> = db
        .prepare("SELECT sha256, bytes FROM inspection_photos WHERE inspection_id = ?1")
        .unwrap()
        .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let web = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("web");
    let sent = std::fs::read(web.join("scene.png")).unwrap();
    assert_eq!(
        photos,
        vec![(format!("{:x}", Sha256::digest(&sent)), sent.len() as i64)],
        "the photo taken offline arrived whole"
    );
    let sha = &photos[0].0;
    assert!(
        data.path()
            .join("photos")
            .join(&sha[..2])
            .join(format!("{sha}.png"))
            .exists(),
        "the photo is in the data folder under its hash"
    );
    let follow_ups: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM follow_ups WHERE inspection_id = ?1",
            [id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(follow_ups, 1, "the violation raised its follow-up");
    for view in ["inspector", "planner", "manager"] {
        for lang in ["zh", "en"] {
            let shot = shots.join(format!("{view}-{lang}.png"));
            assert!(shot.exists(), "{} was not saved", shot.display());
        }
    }
}
