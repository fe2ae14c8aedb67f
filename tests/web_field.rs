//! The web map as an inspector's phone in the field opens it: by the server's name, not the
//! loopback (which browsers treat as secure). `tests/web/field.mjs` drives Debian's headless
//! Chromium with `patrolmap.test` mapped to 127.0.0.1: over `http://` the page must say at once
//! that location, offline use and saving are limited and name the HTTPS address, and saving must
//! work or say why, never throw; over `https://` (the server's self-signed certificate) there is
//! no banner and a record with a photo and a GPS fix reaches the server. That record is a
//! violation: a manager on the same HTTPS address finds it in the inspections tab by its area and
//! outcome, sees its photo (the same bytes) and sends it back with a reason; the phone shows the
//! reason on reload, and the team's next plan (the next day's, published by the manager) has the
//! venue as a mandatory stop the phone marks as sent back, with the reason. This test then checks the store: every acknowledged record exactly once, nothing from
//! the save that failed, the finding's follow-up and the review.
//! Screenshots go to target/screenshots/field-*.png and review-*.png.

mod common;

use common::screenshots;
use common::server::{Server, demo_copy};
use serde_json::Value;
use std::path::Path;

/// Runs field.mjs against `url` (or `night` and the servers of the night-shift run after the
/// screenshot folder); the JSON line it prints at the end.
fn run_field(url: &str, more: &[&str]) -> Value {
    let shots = screenshots();
    let shots = shots.to_string_lossy();
    common::run_browser_script("field.mjs", &[&[url, &*shots][..], more].concat())
}

fn store(data: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(data.join("patrolmap.sqlite")).unwrap()
}

fn inspections(db: &rusqlite::Connection) -> i64 {
    db.query_row("SELECT COUNT(*) FROM inspections", [], |r| r.get(0))
        .unwrap()
}

/// (id, venue_id, gps_lon, gps_lat, gps_accuracy_m) of every stored record with this UUID.
type Stored = (i64, i64, Option<f64>, Option<f64>, Option<f64>);

fn stored(db: &rusqlite::Connection, uuid: &str) -> Vec<Stored> {
    db.prepare(
        "SELECT id, venue_id, gps_lon, gps_lat, gps_accuracy_m FROM inspections WHERE client_uuid = ?1",
    )
    .unwrap()
    .query_map([uuid], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

/// RFC 4122 version 4, as the page makes it where `crypto.randomUUID` is missing.
fn is_uuid_v4(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12])
        && s.chars()
            .all(|c| c == '-' || c.is_ascii_digit() || ('a'..='f').contains(&c))
        && parts[2].starts_with('4')
        && parts[3].starts_with(['8', '9', 'a', 'b'])
}

#[test]
fn http_address_warns_at_once_and_saving_never_throws() {
    let data = demo_copy();
    let server = Server::start(data.path(), &[]);
    let before = inspections(&store(data.path()));
    let result = run_field(&server.base, &[]);
    let http = &result["http"];
    let records = http["records"].as_array().expect("the records it saved");
    assert_eq!(
        records.len(),
        3,
        "one through the outbox, two posted straight: {http}"
    );
    assert_eq!(
        http["not_saved"], 1,
        "the save without signal or storage said so"
    );

    let db = store(data.path());
    for r in records {
        let uuid = r["uuid"].as_str().unwrap();
        assert!(is_uuid_v4(uuid), "{uuid} is a version 4 UUID");
        let rows = stored(&db, uuid);
        assert_eq!(
            rows.len(),
            1,
            "{uuid} ({}) is stored exactly once",
            r["via"]
        );
        let (_, venue, lon, lat, accuracy) = rows[0];
        assert_eq!(venue, r["venue_id"].as_i64().unwrap());
        assert_eq!(
            (lon, lat, accuracy),
            (None, None, None),
            "no fix on an insecure address"
        );
    }
    assert_eq!(
        inspections(&db),
        before + 3,
        "the save that failed left nothing, its retry one record"
    );
    for name in [
        "field-insecure-sign-in",
        "field-insecure",
        "field-insecure-capture",
        "field-insecure-not-saved",
        "field-insecure-en",
    ] {
        let shot = screenshots().join(format!("{name}.png"));
        assert!(shot.exists(), "{} was not saved", shot.display());
    }
}

/// Needs `serve --tls-self-signed --host NAME`: the server makes its own certificate for the
/// name and prints its `https://` address first. The demo's `manager` account reviews. A second
/// server over the same data runs its clock on the next evening (`--now`), where the night team
/// is on the next day's plan.
#[test]
fn https_address_has_no_banner_and_saves_photo_and_fix_then_the_record_is_sent_back() {
    let data = demo_copy();
    let server = Server::start_https(
        data.path(),
        &["--tls-self-signed", "--host", "patrolmap.test"],
    );
    assert!(server.base.starts_with("https://"), "{}", server.base);
    let next_day = Server::start_https(
        data.path(),
        &[
            "--tls-self-signed",
            "--host",
            "patrolmap.test",
            "--now",
            "2026-11-21T20:30",
        ],
    );
    let before = inspections(&store(data.path()));
    let result = run_field(&server.base, &["--next-day", &next_day.base]);
    let https = &result["https"];
    let uuid = https["uuid"].as_str().expect("the record's UUID");

    let db = store(data.path());
    let rows = stored(&db, uuid);
    assert_eq!(rows.len(), 1, "the record is stored exactly once");
    assert_eq!(inspections(&db), before + 1);
    let (id, venue, lon, lat, accuracy) = rows[0];
    assert_eq!(venue, https["venue_id"].as_i64().unwrap());
    let fix = &https["gps"];
    let near = |stored: Option<f64>, sent: &Value| {
        (stored.expect("a fix is stored") - sent.as_f64().unwrap()).abs() < 1e-9
    };
    assert!(
        near(lon, &fix["lon"]) && near(lat, &fix["lat"]) && near(accuracy, &fix["accuracy_m"]),
        "the phone's fix is stored: {lon:?} {lat:?} {accuracy:?} vs {fix}"
    );
    let photos: Vec<(String, i64)> = db
        .prepare("SELECT sha256, bytes FROM inspection_photos WHERE inspection_id = ?1")
        .unwrap()
        .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let photo = &https["photo"];
    assert_eq!(
        photos,
        vec![(
            photo["sha256"].as_str().unwrap().to_string(),
            photo["bytes"].as_i64().unwrap()
        )],
        "the photo arrived whole"
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
    // A violation: it raised a follow-up, and the manager sent it back with the reason typed.
    let (outcome, review, reason, reviewer): (String, String, Option<String>, Option<String>) = db
        .query_row(
            "SELECT i.outcome, i.review, i.review_reason, a.username FROM inspections i \
             LEFT JOIN accounts a ON a.id = i.reviewed_by WHERE i.id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!(outcome, "violation");
    let follow_ups: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM follow_ups WHERE inspection_id = ?1",
            [id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(follow_ups, 1, "the violation raised one follow-up");
    let sent = &https["review"];
    assert_eq!(review, "rejected", "sent back: {sent}");
    assert_eq!(reason.as_deref(), sent["reason"].as_str());
    assert_eq!(reviewer.as_deref(), Some("manager"));
    let reviews: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM inspection_reviews WHERE inspection_id = ?1 AND state = 'rejected'",
            [id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(reviews, 1, "one review in the history");
    for name in [
        "field-secure",
        "field-secure-capture",
        "review-table",
        "review-detail",
        "review-sent-back",
        "field-sent-back-list",
        "field-sent-back",
        "field-sent-back-stop",
    ] {
        let shot = screenshots().join(format!("{name}.png"));
        assert!(shot.exists(), "{} was not saved", shot.display());
    }
}

/// A night team (inspector1's, 19:00–03:00) across midnight, on the phone's clock and the
/// server's (`--now`): the same route and recorded marks at 00:30 as at 23:40, and at 03:30 no
/// route and a plain "no plan for your shift now".
#[test]
fn night_shift_keeps_its_route_and_marks_past_midnight() {
    let data = demo_copy();
    let late = Server::start(data.path(), &["--now", "2026-11-20T23:40"]);
    let after = Server::start(data.path(), &["--now", "2026-11-21T00:30"]);
    let morning = Server::start(data.path(), &["--now", "2026-11-21T03:30"]);
    let result = run_field("night", &[&late.base, &after.base, &morning.base]);
    let recorded = result["night"]["recorded"].as_array().unwrap();
    assert_eq!(recorded.len(), 1, "{result}");
    let db = store(data.path());
    let venue: i64 = recorded[0].as_str().unwrap().parse().unwrap();
    let n: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM inspections WHERE venue_id = ?1 AND sample = 0",
            [venue],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 1, "the 23:40 record is stored once");
}
