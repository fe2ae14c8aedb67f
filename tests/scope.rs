//! Areas a manager answers for (issue 13), as a matrix: a manager limited to one township gets
//! nothing of another township from any read endpoint (map layers, OGC API items, vector tiles,
//! inspections, photos, coverage, follow-ups, findings, overdue venues) and 403 on its writes;
//! the district's manager sees both. The real server on 127.0.0.1 over a demo store.

mod common;
use common::server::*;
use geozero::mvt::{Message, Tile};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::io::Read;

const MINE: &str = "东华街道";
const MINE_ID: i64 = 1;

/// A layer's features as the caller sees them, whole.
fn features(server: &Server, token: &str, layer: &str) -> Vec<Value> {
    let r = get(
        &server.url(&format!("/api/layers/{layer}?limit=100000")),
        Some(token),
    );
    assert_eq!(r.status, 200, "{layer}: {}", r.body);
    r.json()["features"].as_array().unwrap().clone()
}

fn ids(fs: &[Value]) -> HashSet<String> {
    fs.iter()
        .map(|f| match &f["id"] {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect()
}

fn tile_ids(server: &Server, token: &str, layer: &str, z: u8, x: u32, y: u32) -> Vec<String> {
    let auth = format!("Bearer {token}");
    let (status, h, body) = raw_get(
        server,
        &format!("/layers/{layer}/tiles/{z}/{x}/{y}"),
        &[("Authorization", &auth), ("Accept-Encoding", "gzip")],
    );
    if status == 204 {
        return Vec::new();
    }
    assert_eq!(status, 200, "{layer} {z}/{x}/{y}");
    let mut plain = Vec::new();
    if header(&h, "content-encoding") == Some("gzip") {
        flate2::read::GzDecoder::new(&body[..])
            .read_to_end(&mut plain)
            .unwrap();
    } else {
        plain = body;
    }
    let tile = Tile::decode(plain.as_slice()).expect("valid MVT");
    // A numeric id travels as the MVT feature id, any other as an `id` property.
    let mut out = Vec::new();
    for l in &tile.layers {
        let id_key = l.keys.iter().position(|k| k == "id").map(|k| k as u32);
        for f in &l.features {
            if let Some(id) = f.id {
                out.push(id.to_string());
                continue;
            }
            for pair in f.tags.chunks(2) {
                if Some(pair[0]) == id_key {
                    out.push(l.values[pair[1] as usize].string_value.clone().unwrap());
                }
            }
        }
    }
    out
}

/// A path segment with its UTF-8 percent-encoded.
fn utf8_path(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[test]
fn a_manager_scoped_to_one_township_sees_and_touches_nothing_of_another() {
    let data = demo_copy();
    let server = Server::start(data.path(), &["--now", "2026-11-20T12:00"]);
    let admin = login(&server, "admin");
    let make = |name: &str, areas: Value| {
        post_json(
            &server.url("/api/accounts"),
            Some(&admin),
            &json!({"username": name, "password": DEMO_PASSWORD, "role": "manager", "areas": areas}),
        )
    };
    let r = make("leader1", json!(["sample:township:1"]));
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.json()["areas"], json!([MINE_ID]));
    let bad = make("leader2", json!(["no-such-area"]));
    assert_eq!(
        (bad.status, bad.json()["field"].as_str()),
        (400, Some("areas"))
    );
    let leader = login(&server, "leader1");
    let manager = login(&server, "manager");

    // An inspection with a photo in each township, by the district's manager.
    let all_venues = features(&server, &manager, "venues");
    let township: HashMap<String, String> = all_venues
        .iter()
        .map(|f| {
            (
                ids(std::slice::from_ref(f)).into_iter().next().unwrap(),
                f["properties"]["township"]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
            )
        })
        .collect();
    let venue_in = |name: &str| {
        all_venues
            .iter()
            .find(|f| f["properties"]["township"] == name && f["properties"]["status"] == "active")
            .map(|f| f["id"].as_str().unwrap().parse::<i64>().unwrap())
            .unwrap()
    };
    let (mine, theirs) = (venue_in(MINE), venue_in("南湖街道"));
    let mut recorded = Vec::new();
    for (n, venue) in [mine, theirs].into_iter().enumerate() {
        let photo = jpeg_bytes(5_000 + n);
        let uuid = format!("5c0be000-0000-4000-8000-00000000000{n}");
        let record = json!({
            "client_uuid": uuid, "venue_id": venue, "team_id": 1,
            "started_at": "2026-11-20T10:00", "outcome": "violation",
        });
        let (ct, form) = multipart(&record, &[("image/jpeg", &photo)]);
        let r = send(
            "POST",
            &server.url("/api/inspections"),
            Some(&manager),
            &ct,
            &form,
        );
        assert_eq!(r.status, 201, "{}", r.body);
        let follow_up = r.json()["follow_up"]["id"].as_i64().unwrap();
        recorded.push((uuid, format!("{:x}", Sha256::digest(&photo)), follow_up));
    }
    let (their_uuid, their_photo, their_follow_up) = recorded[1].clone();
    let (my_uuid, my_photo, my_follow_up) = recorded[0].clone();

    // Layers: only what lies in the township; venues by their township.
    let seen = features(&server, &leader, "venues");
    assert!(!seen.is_empty());
    assert!(
        seen.iter().all(|f| f["properties"]["township"] == MINE),
        "venues of another township"
    );
    for layer in ["lamps", "corners", "blind_spots", "routes", "areas"] {
        let (all, scoped) = (
            features(&server, &manager, layer),
            features(&server, &leader, layer),
        );
        assert!(ids(&scoped).is_subset(&ids(&all)), "{layer}");
        assert!(
            scoped.len() < all.len(),
            "{layer}: {} of {}",
            scoped.len(),
            all.len()
        );
    }
    let areas: HashSet<i64> = features(&server, &leader, "areas")
        .iter()
        .filter(|f| f["properties"]["level"] == "township")
        .map(|f| f["properties"]["area_id"].as_i64().unwrap())
        .collect();
    assert_eq!(
        areas,
        HashSet::from([MINE_ID]),
        "coverage of its own township only"
    );
    let layers = get(&server.url("/api/layers"), Some(&leader)).json();
    let count = |name: &str| {
        layers["layers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["id"] == name)
            .unwrap()["features"]
            .as_i64()
            .unwrap()
    };
    assert_eq!(count("venues"), seen.len() as i64);

    // OGC API items and one item.
    let items = get(
        &server.url("/ogc/collections/venues/items?limit=10000"),
        Some(&leader),
    )
    .json();
    let items = items["features"].as_array().unwrap();
    assert_eq!(items.len(), seen.len());
    assert!(items.iter().all(|f| f["properties"]["township"] == MINE));
    let item = |token: &str, id: i64| {
        get(
            &server.url(&format!("/ogc/collections/venues/items/{id}")),
            Some(token),
        )
        .status
    };
    assert_eq!(
        (
            item(&leader, theirs),
            item(&leader, mine),
            item(&manager, theirs)
        ),
        (404, 200, 200)
    );

    // Vector tiles, cut per viewer: every venue in them is the township's.
    let mut tiles = HashSet::new();
    for f in &all_venues {
        let c = &f["geometry"]["coordinates"];
        tiles.insert(patrolmap::tiles::mercator::tile_of(
            c[0].as_f64().unwrap(),
            c[1].as_f64().unwrap(),
            14,
        ));
    }
    let (mut leader_saw, mut manager_saw) = (0, 0);
    for (x, y) in tiles {
        for id in tile_ids(&server, &leader, "venues", 14, x, y) {
            assert_eq!(township[&id], MINE, "tile 14/{x}/{y} shows venue {id}");
            leader_saw += 1;
        }
        manager_saw += tile_ids(&server, &manager, "venues", 14, x, y).len();
    }
    assert!(
        leader_saw > 0 && leader_saw < manager_saw,
        "{leader_saw} of {manager_saw}"
    );

    // Inspections, one record, photos.
    let list = get(
        &server.url("/api/inspections?limit=500&from=2026-01-01"),
        Some(&leader),
    )
    .json();
    let rows = list["items"].as_array().unwrap();
    assert!(!rows.is_empty());
    assert!(
        rows.iter().all(|r| r["township"] == MINE),
        "records of another township"
    );
    let detail = |token: &str, uuid: &str| {
        get(
            &server.url(&format!("/api/inspections/{uuid}")),
            Some(token),
        )
        .status
    };
    assert_eq!(
        (
            detail(&leader, &their_uuid),
            detail(&leader, &my_uuid),
            detail(&manager, &their_uuid)
        ),
        (404, 200, 200)
    );
    let photo = |token: &str, sha: &str| {
        get(&server.url(&format!("/api/photos/{sha}")), Some(token)).status
    };
    assert_eq!(
        (
            photo(&leader, &their_photo),
            photo(&leader, &my_photo),
            photo(&manager, &their_photo)
        ),
        (404, 200, 200)
    );
    let other = get(
        &server.url(&format!("/api/inspections?venue={theirs}")),
        Some(&leader),
    )
    .json();
    assert_eq!(
        other["items"],
        json!([]),
        "a venue of another township has no history for it"
    );

    // Follow-ups, findings by week, overdue venues.
    let fus = get(
        &server.url("/api/follow-ups?status=open&limit=500"),
        Some(&leader),
    )
    .json();
    let fus = fus["follow_ups"].as_array().unwrap();
    assert!(fus.iter().any(|f| f["id"] == my_follow_up));
    assert!(
        fus.iter()
            .all(|f| township[&f["venue_id"].to_string()] == MINE)
    );
    let fu = |token: &str, id: i64| {
        get(&server.url(&format!("/api/follow-ups/{id}")), Some(token)).status
    };
    assert_eq!(
        (fu(&leader, their_follow_up), fu(&leader, my_follow_up)),
        (404, 200)
    );
    let overdue = get(&server.url("/api/overdue?limit=500"), Some(&leader)).json();
    assert!(
        overdue["venues"]
            .as_array()
            .unwrap()
            .iter()
            .all(|v| v["township"] == MINE)
    );
    let weeks = |token: &str| {
        get(&server.url("/api/findings?weeks=8"), Some(token)).json()["weeks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["inspections"].as_i64().unwrap())
            .sum::<i64>()
    };
    let (scoped_weeks, all_weeks) = (weeks(&leader), weeks(&manager));
    assert!(
        scoped_weeks > 0 && scoped_weeks < all_weeks,
        "{scoped_weeks} of {all_weeks}"
    );

    // Exports: the assessment and each unit's list hold its township's venues only.
    let assessment = get(&server.url("/api/assessment?period=2026-11"), Some(&leader)).json();
    let names: Vec<&str> = assessment["areas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, [MINE], "{assessment}");
    let units = get(&server.url("/api/units"), Some(&leader)).json();
    for u in units["units"].as_array().unwrap() {
        let name = u["unit"].as_str().unwrap();
        let path = format!("/api/units/{}/follow-ups", utf8_path(name));
        let list = get(&server.url(&path), Some(&leader)).json();
        for part in ["late", "due_soon", "later"] {
            for f in list["unit"][part].as_array().unwrap() {
                assert_eq!(f["area"], MINE, "{name}: {f}");
            }
        }
    }
    let csv = get(
        &server.url("/api/units/%E5%8C%BA%E5%95%86%E5%8A%A1%E5%B1%80/follow-ups?format=csv"),
        Some(&leader),
    );
    assert_eq!(csv.status, 200);
    assert!(!csv.body.contains("南湖街道"), "{}", csv.body);

    // Writes outside the township: 403; inside: done.
    let review = |uuid: &str| {
        post_json(
            &server.url(&format!("/api/inspections/{uuid}/review")),
            Some(&leader),
            &json!({"state": "approved"}),
        )
        .status
    };
    assert_eq!((review(&their_uuid), review(&my_uuid)), (403, 200));
    let cancel = |id: i64| {
        post_json(
            &server.url(&format!("/api/follow-ups/{id}/cancel")),
            Some(&leader),
            &json!({"reason": "误报"}),
        )
        .status
    };
    assert_eq!((cancel(their_follow_up), cancel(my_follow_up)), (403, 200));
    let lift = post_json(
        &server.url(&format!("/api/venues/{theirs}/clear-suspension")),
        Some(&leader),
        &json!({}),
    );
    assert_eq!(lift.status, 403, "{}", lift.body);
    let record = post_json(
        &server.url("/api/inspections"),
        Some(&leader),
        &json!({"client_uuid": "5c0be000-0000-4000-8000-0000000000ff", "venue_id": theirs, "team_id": 1,
                "started_at": "2026-11-20T11:00", "outcome": "compliant"}),
    );
    assert_eq!(record.status, 403, "{}", record.body);
    for path in [
        "/api/plans/2026-11-20/draft",
        "/api/plans/2026-11-20/publish",
    ] {
        let r = post_json(&server.url(path), Some(&leader), &json!({}));
        assert_eq!(r.status, 403, "{path}: {}", r.body);
    }
    let r = post_json(
        &server.url("/api/accounts"),
        Some(&leader),
        &json!({"username": "x1", "password": DEMO_PASSWORD, "role": "inspector"}),
    );
    assert_eq!(r.status, 403);
}
