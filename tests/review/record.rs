//! One violation with a photo: found, read whole, kept from others.

use crate::helpers::*;
use serde_json::json;
use sha2::{Digest, Sha256};

#[test]
fn a_violation_with_a_photo_is_found_read_and_kept_from_others() {
    let data = demo_copy();
    let server = Server::start(data.path(), &[]);
    let inspector = login(&server, "inspector1");
    let current = get(&server.url("/api/plans/current"), Some(&inspector)).json();
    let stop = &current["routes"][0]["stops"][0];
    let venue = stop["target"]["id"]
        .as_i64()
        .expect("inspector1 has a stop");
    let team = current["routes"][0]["team_id"].as_i64().unwrap();
    let (lon, lat) = (
        stop["at"]["lon"].as_f64().unwrap(),
        stop["at"]["lat"].as_f64().unwrap(),
    );

    let uuid = "7b0f5c2e-1d3a-4e5f-8a9b-00000000c0de";
    let photo = jpeg_bytes(30_000);
    let hash = format!("{:x}", Sha256::digest(&photo));
    let record = json!({
        "client_uuid": uuid,
        "venue_id": venue,
        "started_at": format!("{DEMO_DATE}T21:30"),
        "finished_at": format!("{DEMO_DATE}T21:55"),
        "outcome": "violation",
        "checklist": { "licence_displayed": false },
        "notes": "无证经营",
        "gps": { "at": { "lon": lon + 0.0005, "lat": lat }, "accuracy_m": 6.0 }
    });
    let (ct, form) = multipart(&record, &[("image/jpeg", &photo)]);
    let r = send(
        "POST",
        &server.url("/api/inspections"),
        Some(&inspector),
        &ct,
        &form,
    );
    assert_eq!(r.status, 201, "{}", r.body);

    // The manager finds it by outcome, team and day, newest first, with its follow-up.
    let manager = login(&server, "manager");
    let found = list(
        &server,
        &manager,
        &format!("outcome=violation&team={team}&from={DEMO_DATE}&to={DEMO_DATE}"),
    );
    assert_eq!(
        uuids(&found).first().map(String::as_str),
        Some(uuid),
        "{found}"
    );
    let row = &found["items"][0];
    assert_eq!(row["venue_id"], venue);
    assert_eq!(row["photos"], 1);
    assert_eq!(row["follow_up"]["status"], "open");
    assert!(found["total"].as_i64().unwrap() >= 1);
    // By its township, and not by another.
    let township = row["township"]
        .as_str()
        .expect("the venue lies in a township");
    let areas = get(
        &server.url("/api/layers/areas?kind=township"),
        Some(&manager),
    )
    .json();
    let ids: Vec<(i64, String)> = areas["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["id"].as_str().unwrap().parse().unwrap(),
                f["properties"]["name"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let here = ids.iter().find(|(_, n)| n == township).unwrap().0;
    assert!(
        uuids(&list(
            &server,
            &manager,
            &format!("area={here}&outcome=violation")
        ))
        .contains(&uuid.to_string())
    );
    if let Some((other, _)) = ids.iter().find(|(_, n)| n != township) {
        assert!(
            !uuids(&list(&server, &manager, &format!("area={other}&limit=500")))
                .contains(&uuid.to_string())
        );
    }
    // Paging: one at a time, the next offset says where the next page starts.
    let page = list(&server, &manager, "limit=1");
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    assert_eq!(page["next_offset"], 1);

    // The record whole: checklist, notes, the fix and how far it was from the venue, the photo.
    let whole = get(
        &server.url(&format!("/api/inspections/{uuid}")),
        Some(&manager),
    );
    assert_eq!(whole.status, 200, "{}", whole.body);
    let whole = whole.json();
    assert_eq!(whole["notes"], "无证经营");
    assert_eq!(whole["checklist"]["licence_displayed"], false);
    let from_venue = whole["gps"]["from_venue_m"].as_f64().unwrap();
    assert!((20.0..40.0).contains(&from_venue), "{from_venue}");
    assert_eq!(whole["photos"][0]["sha256"], hash.as_str());
    let (status, got) = bytes(&server.url(&format!("/api/photos/{hash}")), &manager);
    assert_eq!(status, 200);
    assert_eq!(
        format!("{:x}", Sha256::digest(&got)),
        hash,
        "the same bytes"
    );
    // Its own inspector reads it too.
    let own = get(
        &server.url(&format!("/api/inspections/{uuid}")),
        Some(&inspector),
    );
    assert_eq!(own.status, 200);

    // Another team's inspector: as if it did not exist; a planner: not a reader of records.
    let other = login(&server, "inspector2");
    assert_eq!(
        get(
            &server.url(&format!("/api/inspections/{uuid}")),
            Some(&other)
        )
        .status,
        404
    );
    assert_eq!(
        bytes(&server.url(&format!("/api/photos/{hash}")), &other).0,
        404
    );
    assert!(!uuids(&list(&server, &other, "limit=500")).contains(&uuid.to_string()));
    let planner = login(&server, "planner");
    assert_eq!(
        get(&server.url("/api/inspections"), Some(&planner)).status,
        403
    );
    assert_eq!(
        bytes(&server.url(&format!("/api/photos/{hash}")), &planner).0,
        403
    );
    // Bad filters are named.
    let bad = get(&server.url("/api/inspections?outcome=lost"), Some(&manager));
    assert_eq!(
        (bad.status, bad.json()["field"].clone()),
        (400, json!("outcome"))
    );
    let bad = get(&server.url("/api/inspections?limit=0"), Some(&manager));
    assert_eq!(
        (bad.status, bad.json()["field"].clone()),
        (400, json!("limit"))
    );
}
