//! Writes update what they change (issue 14): after an inspection is recorded, the venue's
//! coverage, its risk and the overdue list show it on the very next read, the layers it does
//! not touch keep their ETags, and a sign-in changes no layer's ETag at all.

mod common;
use common::server::*;
use serde_json::{Value, json};

fn etag(server: &Server, path: &str, token: &str) -> String {
    let r = get(&server.url(path), Some(token));
    assert_eq!(r.status, 200, "{path}: {}", r.body);
    r.header("etag").expect("an ETag").to_string()
}

/// The z14 tile holding a feature's point.
fn tile_of(f: &Value) -> String {
    let c = f["geometry"]["coordinates"].as_array().unwrap();
    let (lon, lat) = (c[0].as_f64().unwrap(), c[1].as_f64().unwrap().to_radians());
    let n = f64::from(1 << 14);
    let x = ((lon + 180.0) / 360.0 * n) as u32;
    let y = ((1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0 * n) as u32;
    format!("14/{x}/{y}")
}

fn venue(server: &Server, id: i64, token: &str) -> Value {
    let r = get(
        &server.url(&format!("/ogc/collections/venues/items/{id}")),
        Some(token),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()
}

fn risk_term(v: &Value, term: &str) -> f64 {
    v["properties"]["risk_terms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["term"] == term)
        .unwrap_or_else(|| panic!("no {term} term in {v}"))["points"]
        .as_f64()
        .unwrap()
}

/// The coverage figures of the township named `name`.
fn township(server: &Server, name: &str, token: &str) -> Value {
    let areas = get(&server.url("/api/layers/areas?kind=township"), Some(token)).json();
    areas["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["properties"]["name"] == name)
        .unwrap_or_else(|| panic!("no township {name}"))["properties"]
        .clone()
}

/// The overdue venues (a page as large as the server gives) and how many there are in all.
fn overdue(server: &Server, token: &str) -> (Vec<i64>, i64) {
    let r = get(&server.url("/api/overdue?limit=500"), Some(token)).json();
    let ids = r["venues"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v["id"].as_i64())
        .collect();
    (ids, r["total"].as_i64().unwrap())
}

/// The venue farthest from `from` (of the first 500 the layer pages out).
fn farthest_venue(server: &Server, from: &Value, token: &str) -> Value {
    let xy = |f: &Value| {
        let c = f["geometry"]["coordinates"].as_array().unwrap().clone();
        (c[0].as_f64().unwrap(), c[1].as_f64().unwrap())
    };
    let (x0, y0) = xy(from);
    let page = get(&server.url("/api/layers/venues?limit=500"), Some(token)).json();
    let far = page["features"]
        .as_array()
        .unwrap()
        .iter()
        .max_by(|a, b| {
            let d = |f: &Value| {
                let (x, y) = xy(f);
                (x - x0).powi(2) + (y - y0).powi(2)
            };
            d(a).total_cmp(&d(b))
        })
        .unwrap()
        .clone();
    let (x, y) = xy(&far);
    // A kilometre at least (in degrees at 60° N): far beyond the findings-nearby term's reach
    // (three bandwidths of 60 m) and in another tile.
    assert!(((x - x0) * 0.5).hypot(y - y0) > 0.009, "{far}");
    far
}

#[test]
fn an_inspection_shows_on_the_next_read_and_a_sign_in_moves_no_etag() {
    let data = demo_copy();
    let server = Server::start(data.path(), &[]);
    let manager = login(&server, "manager");
    let inspector = login(&server, "inspector1");

    // An overdue venue on inspector1's route.
    let planned = planned_venues(&server, &inspector);
    let (overdue_before, overdue_total) = overdue(&server, &manager);
    let id = *planned
        .iter()
        .find(|v| overdue_before.contains(v))
        .expect("an overdue venue on inspector1's route");
    let before = venue(&server, id, &manager);
    assert!(risk_term(&before, "overdue_days") > 0.0, "{before}");
    let name = before["properties"]["township"]
        .as_str()
        .unwrap()
        .to_string();
    let area_before = township(&server, &name, &manager);

    let lamp = get(&server.url("/api/layers/lamps?limit=1"), Some(&manager)).json();
    // A venue across the district, out of the inspection's reach: its tile is another.
    let far = farthest_venue(&server, &before, &manager);
    assert_ne!(tile_of(&far), tile_of(&before));
    let watched = [
        "/api/layers/venues?limit=20".to_string(),
        "/api/layers/lamps?limit=20".to_string(),
        "/api/layers/areas?kind=township".to_string(),
        "/api/layers/blind_spots?limit=20".to_string(),
        format!("/layers/lamps/tiles/{}", tile_of(&lamp["features"][0])),
        format!("/layers/venues/tiles/{}", tile_of(&before)),
        format!("/layers/venues/tiles/{}", tile_of(&far)),
    ];
    let tags: Vec<String> = watched.iter().map(|p| etag(&server, p, &manager)).collect();

    // Sign-ins (and their audit rows) are not content: every ETag holds, and a client that
    // has the answer is told so without it being built again.
    for user in ["manager", "inspector2", "planner"] {
        login(&server, user);
    }
    for (path, tag) in watched.iter().zip(&tags) {
        assert_eq!(&etag(&server, path, &manager), tag, "{path} after sign-ins");
    }
    let mut req = agent().get(server.url(&watched[0]));
    req = req
        .header("Authorization", format!("Bearer {manager}"))
        .header("If-None-Match", tags[0].as_str());
    assert_eq!(req.call().unwrap().status().as_u16(), 304);

    // The inspection.
    let body = json!({
        "client_uuid": "8d7c5b0e-3f43-4a59-9f1e-2b6a0c7d9e11",
        "venue_id": id,
        "started_at": format!("{DEMO_DATE}T21:30"),
        "finished_at": format!("{DEMO_DATE}T21:45"),
        "outcome": "compliant",
        "checklist": { "licence_displayed": true },
        "gps": { "at": before["geometry"]["coordinates"].clone().as_array().map(|c| json!({ "lon": c[0], "lat": c[1] })).unwrap(), "accuracy_m": 6.0 }
    });
    let r = post_json(&server.url("/api/inspections"), Some(&inspector), &body);
    assert_eq!(r.status, 201, "{}", r.body);

    // The next reads show it.
    let after = venue(&server, id, &manager);
    assert_eq!(risk_term(&after, "overdue_days"), 0.0, "{after}");
    assert!(
        after["properties"]["risk_score"].as_f64() < before["properties"]["risk_score"].as_f64(),
        "risk {} → {}",
        before["properties"]["risk_score"],
        after["properties"]["risk_score"]
    );
    assert_eq!(after["properties"]["last_outcome"], "compliant");
    let (overdue_after, total_after) = overdue(&server, &manager);
    assert!(!overdue_after.contains(&id));
    assert_eq!(total_after, overdue_total - 1);
    let area_after = township(&server, &name, &manager);
    assert_eq!(
        area_after["overdue"].as_i64().unwrap(),
        area_before["overdue"].as_i64().unwrap() - 1,
        "{area_before} → {area_after}"
    );
    assert_eq!(
        area_after["inspections"].as_i64().unwrap(),
        area_before["inspections"].as_i64().unwrap() + 1
    );

    // What it changed has new ETags; what it did not, the old ones.
    let now: Vec<String> = watched.iter().map(|p| etag(&server, p, &manager)).collect();
    assert_ne!(now[0], tags[0], "venues");
    assert_ne!(now[2], tags[2], "areas");
    assert_eq!(now[1], tags[1], "lamps");
    assert_eq!(now[3], tags[3], "blind spots");
    assert_eq!(now[4], tags[4], "lamp tiles");
    assert_ne!(now[5], tags[5], "the venue's tile");
    // A tile of the same layer that nothing changed in keeps its ETag across the write.
    assert_eq!(now[6], tags[6], "a venue tile across the district");

    // The patch agrees with a load from scratch: a restarted server answers the same.
    drop(server);
    let again = Server::start(data.path(), &[]);
    let manager = login(&again, "manager");
    let reloaded = venue(&again, id, &manager);
    assert_eq!(reloaded["properties"], after["properties"]);
    assert_eq!(township(&again, &name, &manager), area_after);
}
