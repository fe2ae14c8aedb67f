//! Inspection capture over HTTP and who may write what: idempotent records by client UUID,
//! photos by multipart under their content hash, a role matrix over every write endpoint, and a
//! set of bad inputs that each get a clear 4xx and write nothing.

mod common;
use common::server::*;
use patrolmap::store::Store;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// A venue on the team's route (as the inspector sees it), and one on no route of that team.
fn venues_for(server: &Server, inspector: &str) -> (i64, i64) {
    let planned = planned_venues(server, &login(server, inspector));
    assert!(!planned.is_empty(), "{inspector} has no stops");
    let manager = login(server, "manager");
    let all = get(&server.url("/api/layers/venues"), Some(&manager)).json();
    let other = all["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["id"].as_str()?.parse::<i64>().ok())
        .find(|id| !planned.contains(id))
        .unwrap();
    (planned[0], other)
}

fn inspection(uuid: &str, venue: i64, outcome: &str) -> Value {
    json!({
        "client_uuid": uuid,
        "venue_id": venue,
        "started_at": format!("{DEMO_DATE}T21:30"),
        "finished_at": format!("{DEMO_DATE}T21:50"),
        "outcome": outcome,
        "checklist": { "licence_displayed": true, "minors_present": false },
        "notes": "'); DROP TABLE inspections; --",
        "gps": { "at": { "lon": 24.9431, "lat": 60.1702 }, "accuracy_m": 8.0 }
    })
}

fn count(server: &Server) -> i64 {
    Store::open(&server.data)
        .unwrap()
        .inspection_count(false)
        .unwrap()
}

#[test]
fn capture_is_idempotent_and_photos_land_under_their_hash() {
    let data = demo_copy();
    let server = Server::start(
        data.path(),
        &["--max-photo-mib", "1", "--max-request-mib", "3"],
    );
    let (venue, foreign) = venues_for(&server, "inspector1");
    let token = login(&server, "inspector1");
    let t = Some(token.as_str());
    let url = server.url("/api/inspections");

    let body = inspection("0d6f6c1e-8a51-4a0e-bb9e-000000000001", venue, "violation");
    let first = post_json(&url, t, &body);
    assert_eq!(first.status, 201, "{}", first.body);
    let first = first.json();
    assert!(first["follow_up"]["deadline"].is_string(), "{first}");
    let again = post_json(&url, t, &body);
    assert_eq!(again.status, 200, "a retry is the same record");
    assert_eq!(again.json()["inspection_id"], first["inspection_id"]);
    let mut changed = body.clone();
    changed["outcome"] = json!("compliant");
    assert_eq!(post_json(&url, t, &changed).status, 409);

    // Not on this team's plan: refused, not recorded.
    let before = count(&server);
    let r = post_json(
        &url,
        t,
        &inspection("0d6f6c1e-8a51-4a0e-bb9e-000000000002", foreign, "compliant"),
    );
    assert_eq!(r.status, 403, "{}", r.body);
    assert_eq!(count(&server), before);

    // With photos: stored under their SHA-256, named on the record.
    let photo = jpeg_bytes(50_000);
    let hash = format!("{:x}", Sha256::digest(&photo));
    let body = inspection("0d6f6c1e-8a51-4a0e-bb9e-000000000003", venue, "compliant");
    let (ct, form) = multipart(&body, &[("image/jpeg", &photo)]);
    let r = send("POST", &url, t, &ct, &form);
    assert_eq!(r.status, 201, "{}", r.body);
    let stored = data
        .path()
        .join("photos")
        .join(&hash[..2])
        .join(format!("{hash}.jpg"));
    assert_eq!(std::fs::read(&stored).unwrap(), photo);
    let r = send("POST", &url, t, &ct, &form);
    assert_eq!(
        r.status, 200,
        "the retried upload is the same record: {}",
        r.body
    );

    // A photo over the limit, a body over the limit, a file that is no photo: refused.
    let before = count(&server);
    let big = jpeg_bytes((1 << 20) + 10);
    let body = inspection("0d6f6c1e-8a51-4a0e-bb9e-000000000004", venue, "compliant");
    let (ct, form) = multipart(&body, &[("image/jpeg", &big)]);
    assert_eq!(send("POST", &url, t, &ct, &form).status, 413);
    assert_eq!(announce_body(&server, &token, 4 << 20), 413);
    let (ct, form) = multipart(&body, &[("application/x-sh", b"#!/bin/sh\n")]);
    assert_eq!(send("POST", &url, t, &ct, &form).status, 400);
    assert_eq!(count(&server), before);
}

/// Announces a body of `bytes` and reads the answer before sending any of it: the server must
/// refuse by the announced length alone.
fn announce_body(server: &Server, token: &str, bytes: usize) -> u16 {
    use std::io::{Read, Write};
    let addr = server.base.trim_start_matches("http://");
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(
        s,
        "POST /api/inspections HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {bytes}\r\n\r\n"
    )
    .unwrap();
    let mut head = [0u8; 12];
    s.read_exact(&mut head).unwrap();
    String::from_utf8_lossy(&head[9..12]).parse().unwrap()
}

#[test]
fn bad_inputs_get_a_clear_4xx_and_write_nothing() {
    let data = demo_copy();
    let server = Server::start(data.path(), &[]);
    let (venue, _) = venues_for(&server, "inspector1");
    let token = login(&server, "inspector1");
    let t = Some(token.as_str());
    let url = server.url("/api/inspections");
    let before = count(&server);
    let good = inspection("0d6f6c1e-8a51-4a0e-bb9e-00000000000a", venue, "compliant");
    let with = |path: &[&str], value: Value| {
        let mut b = good.clone();
        let mut at = &mut b;
        for p in &path[..path.len() - 1] {
            at = &mut at[*p];
        }
        at[path[path.len() - 1]] = value;
        b
    };
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("malformed JSON", b"{\"client_uuid\": ".to_vec(), ""),
        (
            "venue id as text",
            with(&["venue_id"], json!("abc")).to_string().into_bytes(),
            "venue_id",
        ),
        (
            "SQL in the venue id",
            with(&["venue_id"], json!("1; DROP TABLE venues"))
                .to_string()
                .into_bytes(),
            "venue_id",
        ),
        (
            "SQL in the UUID",
            with(&["client_uuid"], json!("x' OR '1'='1"))
                .to_string()
                .into_bytes(),
            "client_uuid",
        ),
        (
            "NaN longitude",
            with(&["gps", "at", "lon"], json!("NaN"))
                .to_string()
                .into_bytes(),
            "gps.at.lon",
        ),
        (
            "longitude out of range",
            with(&["gps", "at", "lon"], json!(200.0))
                .to_string()
                .into_bytes(),
            "gps",
        ),
        (
            "negative accuracy",
            with(&["gps", "accuracy_m"], json!(-3.0))
                .to_string()
                .into_bytes(),
            "gps.accuracy_m",
        ),
        (
            "unknown outcome",
            with(&["outcome"], json!("fine")).to_string().into_bytes(),
            "outcome",
        ),
        (
            "not a time",
            with(&["started_at"], json!("yesterday"))
                .to_string()
                .into_bytes(),
            "started_at",
        ),
        (
            "unknown field",
            with(&["admin"], json!(true)).to_string().into_bytes(),
            "admin",
        ),
        (
            "huge number",
            br#"{"client_uuid":"0d6f6c1e-8a51-4a0e-bb9e-00000000000b","venue_id":1e999}"#.to_vec(),
            "venue_id",
        ),
    ];
    for (what, body, field) in cases {
        let r = send("POST", &url, t, "application/json", &body);
        assert_eq!(r.status, 400, "{what}: {}", r.body);
        let json = r.json();
        assert!(
            json["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{what}"
        );
        assert!(
            json["field"].as_str().is_some_and(|f| f.starts_with(field)),
            "{what}: {json}"
        );
    }
    // Paths that try to climb out, and SQL in a login, get 4xx too.
    for path in [
        "/api/layers/..%2F..%2Fpatrolmap.sqlite",
        "/ogc/collections/%2E%2E/items",
        "/api/layers/../../etc/passwd",
    ] {
        let r = get(&server.url(path), t);
        assert!((400..500).contains(&r.status), "{path}: {}", r.status);
    }
    let r = post_json(
        &server.url("/api/login"),
        None,
        &json!({ "username": "admin' OR '1'='1", "password": "x' OR '1'='1" }),
    );
    assert_eq!(r.status, 401);
    assert_eq!(count(&server), before, "nothing was written");
}

/// A session that ended an hour ago, written straight into the store as the server keeps them.
fn expired_token(data: &std::path::Path) -> String {
    let token = "e".repeat(64);
    let conn = rusqlite::Connection::open(data.join("patrolmap.sqlite")).unwrap();
    conn.execute(
        "INSERT INTO sessions (token_hash, account_id, expires_at)
         SELECT ?1, id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 hour') FROM accounts WHERE username = 'admin'",
        [format!("{:x}", Sha256::digest(token.as_bytes()))],
    )
    .unwrap();
    token
}

#[test]
fn every_write_endpoint_answers_each_role_as_designed() {
    let data = demo_copy();
    let server = Server::start(data.path(), &[]);
    let (venue, _) = venues_for(&server, "inspector1");
    let expired = expired_token(data.path());
    let team1 =
        get(&server.url("/api/me"), Some(&login(&server, "inspector1"))).json()["team_id"].clone();
    let lamp = {
        let m = login(&server, "manager");
        get(&server.url("/api/layers/lamps?limit=1"), Some(&m)).json()["features"][0]["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let mut n = 0;
    let mut next_uuid = || {
        n += 1;
        format!("5a1b2c3d-0000-4000-8000-{n:012}")
    };
    // (who, token) for every role, no token, and an expired token.
    let mut who: Vec<(&str, Option<String>)> =
        ["inspector1", "inspector3", "planner", "manager", "admin"]
            .iter()
            .map(|u| (*u, Some(login(&server, u))))
            .collect();
    who.push(("nobody", None));
    who.push(("expired", Some(expired)));

    for (user, token) in &who {
        let t = token.as_deref();
        let expect = |allowed: &[&str], ok: u16| match *user {
            "nobody" | "expired" => 401,
            u if allowed.contains(&u) => ok,
            _ => 403,
        };
        // Record an inspection (inspector3 is on another team: not its venue).
        let mut body = inspection(&next_uuid(), venue, "compliant");
        body["team_id"] = team1.clone();
        let r = post_json(&server.url("/api/inspections"), t, &body);
        assert_eq!(
            r.status,
            expect(&["inspector1", "manager", "admin"], 201),
            "{user} inspections: {}",
            r.body
        );
        // Set a lamp's status.
        let r = send(
            "PUT",
            &server.url(&format!("/api/lamps/{lamp}/status")),
            t,
            "application/json",
            br#"{"status":"broken"}"#,
        );
        assert_eq!(
            r.status,
            expect(&["planner", "admin"], 200),
            "{user} lamp: {}",
            r.body
        );
        // Clear a suspension: suspend first (as the manager), so the allowed get 200.
        let m = who.iter().find(|(u, _)| *u == "manager").unwrap().1.clone();
        let mut drug = inspection(&next_uuid(), venue, "drug_related");
        drug["team_id"] = team1.clone();
        assert_eq!(
            post_json(&server.url("/api/inspections"), m.as_deref(), &drug).status,
            201
        );
        let r = send(
            "POST",
            &server.url(&format!("/api/venues/{venue}/clear-suspension")),
            t,
            "application/json",
            b"",
        );
        assert_eq!(
            r.status,
            expect(&["manager", "admin"], 200),
            "{user} clear: {}",
            r.body
        );
        if r.status != 200 {
            let r = send(
                "POST",
                &server.url(&format!("/api/venues/{venue}/clear-suspension")),
                m.as_deref(),
                "application/json",
                b"",
            );
            assert_eq!(r.status, 200);
        }
        // Make an account.
        let body = json!({ "username": format!("new-{user}"), "password": "long enough password", "role": "planner" });
        let r = post_json(&server.url("/api/accounts"), t, &body);
        assert_eq!(
            r.status,
            expect(&["admin"], 201),
            "{user} accounts: {}",
            r.body
        );
        // Read the audit trail (a read, but managers' and admins' only).
        let r = get(&server.url("/api/audit?limit=5"), t);
        assert_eq!(
            r.status,
            expect(&["manager", "admin"], 200),
            "{user} audit: {}",
            r.body
        );
    }
    // Every write above left its audit event, with who did it.
    let admin = who.iter().find(|(u, _)| *u == "admin").unwrap().1.clone();
    let events = get(&server.url("/api/audit?limit=1000"), admin.as_deref()).json();
    let events = events["events"].as_array().unwrap();
    for action in ["create", "set_status", "clear_suspension", "login"] {
        assert!(
            events.iter().any(|e| e["action"] == action),
            "no {action} event"
        );
    }
    assert!(
        events
            .iter()
            .filter(|e| e["action"] == "set_status")
            .all(|e| e["username"].is_string())
    );
}

#[test]
fn failed_logins_are_throttled() {
    let data = demo_copy();
    let server = Server::start(data.path(), &[]);
    let url = server.url("/api/login");
    let wrong = json!({ "username": "manager", "password": "not the password" });
    for _ in 0..5 {
        assert_eq!(post_json(&url, None, &wrong).status, 401);
    }
    let r = post_json(
        &url,
        None,
        &json!({ "username": "manager", "password": DEMO_PASSWORD }),
    );
    assert_eq!(r.status, 429, "even the right password waits: {}", r.body);
    assert!(r.header("retry-after").is_some());
    // Another name is not locked.
    let r = post_json(
        &url,
        None,
        &json!({ "username": "planner", "password": DEMO_PASSWORD }),
    );
    assert_eq!(r.status, 200);
}
