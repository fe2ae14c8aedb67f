//! The doors a probe of the served demo found open (issue 20), one test per finding: the
//! sign-in throttle under parallel guesses, sign-in timing, one record per UUID whatever its
//! spelling, refused uploads that leave files behind, records without limits, trailing bytes,
//! unknown references, slow connections, look-alike account names, errors that are not JSON,
//! photos that are not what they claim.

mod common;
use common::files_under;
use common::server::*;
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::path::Path;

fn venue_of(server: &Server, token: &str) -> i64 {
    let stops = get(&server.url("/api/layers/routes?kind=stop"), Some(token)).json();
    stops["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["properties"]["target"] == "venue")
        .and_then(|f| f["properties"]["target_id"].as_i64())
        .expect("a planned venue")
}

fn record(uuid: &str, venue: i64) -> Value {
    json!({
        "client_uuid": uuid,
        "venue_id": venue,
        "started_at": format!("{DEMO_DATE}T21:30"),
        "finished_at": format!("{DEMO_DATE}T21:50"),
        "outcome": "violation",
        "checklist": { "licence_displayed": false },
        "notes": "fire exit blocked",
        "gps": { "at": { "lon": 24.9431, "lat": 60.1702 }, "accuracy_m": 8.0 }
    })
}

/// Rows and audit events: what a refused request must not change.
fn written(data: &Path) -> (i64, i64) {
    let conn = rusqlite::Connection::open(data.join("patrolmap.sqlite")).unwrap();
    let n = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
    (
        n("SELECT count(*) FROM inspections"),
        n("SELECT count(*) FROM audit_events WHERE action <> 'login'"),
    )
}

/// One metric's value, as an admin reads `/metrics`.
fn metric(server: &Server, admin: &str, name: &str) -> f64 {
    let r = get(&server.url("/metrics"), Some(admin));
    assert_eq!(r.status, 200, "{}", r.body);
    common::metric_value(&common::scrape(&r.body), name).unwrap_or(0.0)
}

#[test]
fn forty_parallel_guesses_for_one_name_are_at_most_five_checks() {
    let data = demo_copy();
    let server = Server::start(data.path(), &[]);
    let admin = login(&server, "admin");
    let checks_before = metric(&server, &admin, "patrolmap_password_checks_total");
    let url = server.url("/api/login");
    let barrier = std::sync::Barrier::new(40);
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..40)
            .map(|i| {
                let (url, barrier) = (&url, &barrier);
                s.spawn(move || {
                    barrier.wait();
                    let body = json!({ "username": "manager", "password": format!("guess-{i}") });
                    post_json(url, None, &body).status
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let checked = statuses.iter().filter(|s| **s == 401).count();
    let throttled = statuses.iter().filter(|s| **s == 429).count();
    assert!(checked <= 5, "{checked} guesses were checked: {statuses:?}");
    assert_eq!(checked + throttled, 40, "{statuses:?}");
    let checks = metric(&server, &admin, "patrolmap_password_checks_total") - checks_before;
    assert_eq!(
        checks as usize, checked,
        "each 401 is one password check, no more"
    );
}

#[test]
fn an_unknown_name_runs_the_same_password_check_as_a_wrong_password() {
    let data = demo_copy();
    let server = Server::start(data.path(), &[]);
    let admin = login(&server, "admin");
    let url = server.url("/api/login");
    let counted = |body: Value| {
        let before = metric(&server, &admin, "patrolmap_password_checks_total");
        let r = post_json(&url, None, &body);
        let after = metric(&server, &admin, "patrolmap_password_checks_total");
        (r.status, r.json()["message"].clone(), after - before)
    };
    let wrong = counted(json!({ "username": "manager", "password": "not-the-password" }));
    let unknown = counted(json!({ "username": "no-such-user", "password": "not-the-password" }));
    let malformed = counted(json!({ "username": "ad\u{200b}min", "password": "x" }));
    assert_eq!(wrong, (401, wrong.1.clone(), 1.0));
    assert_eq!(unknown, wrong, "same status, same message, one check each");
    assert_eq!(malformed, wrong, "a name that cannot exist is checked too");
}

#[test]
fn four_spellings_of_one_uuid_are_one_record() {
    let data = demo_copy();
    let server = Server::start(data.path(), &[]);
    let token = login(&server, "inspector1");
    let venue = venue_of(&server, &token);
    let url = server.url("/api/inspections");
    let canonical = "2a3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f";
    let first = post_json(&url, Some(&token), &record(canonical, venue));
    assert_eq!(first.status, 201, "{}", first.body);
    let spellings = [
        "2A3D4E5F6A7B4C8D9E0F1A2B3C4D5E6F".to_string(),
        format!("{{{canonical}}}"),
        format!("urn:uuid:{canonical}"),
    ];
    let answers: Vec<Reply> = spellings
        .iter()
        .map(|u| post_json(&url, Some(&token), &record(u, venue)))
        .collect();
    for (a, u) in answers.iter().zip(&spellings) {
        assert_eq!(a.status, 200, "{u}: {}", a.body);
        assert_eq!(a.body, answers[0].body, "{u}");
    }
    let (first, retry) = (first.json(), answers[0].json());
    assert_eq!(retry["inspection_id"], first["inspection_id"]);
    assert_eq!(
        retry["follow_up"], first["follow_up"],
        "a retry says what the first did"
    );
    let conn = rusqlite::Connection::open(data.path().join("patrolmap.sqlite")).unwrap();
    let rows: Vec<String> = conn
        .prepare("SELECT client_uuid FROM inspections WHERE client_uuid LIKE '%2a3d4e5f%' OR client_uuid LIKE '%2A3D4E5F%'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(rows, vec![canonical.to_string()]);
    let mut other = record("{2a3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f}", venue);
    other["outcome"] = json!("compliant");
    assert_eq!(post_json(&url, Some(&token), &other).status, 409);
}

#[test]
fn refused_uploads_leave_no_file() {
    let data = demo_copy();
    let server = Server::start(data.path(), &[]);
    let inspector = login(&server, "inspector1");
    let manager = login(&server, "manager");
    let venue = venue_of(&server, &inspector);
    let url = server.url("/api/inspections");
    let photos = data.path().join("photos");
    let before = (written(data.path()), files_under(&photos));
    let photo = jpeg_bytes(400_000);
    let second = jpeg_bytes(300_000);
    let with = |key: &str, value: Value| {
        let mut r = record("7e1c0b52-3d6f-4a8e-9b1c-2d3e4f5a6b7c", venue);
        let mut at = &mut r;
        let path: Vec<&str> = key.split('.').collect();
        for p in &path[..path.len() - 1] {
            at = &mut at[*p];
        }
        at[path[path.len() - 1]] = value;
        r
    };
    let cases = [
        (
            "bad UUID",
            with("client_uuid", json!("not-a-uuid")),
            &inspector,
            400,
        ),
        (
            "start after end",
            with("finished_at", json!(format!("{DEMO_DATE}T20:00"))),
            &inspector,
            400,
        ),
        (
            "latitude 91",
            with("gps.at.lat", json!(91.0)),
            &inspector,
            400,
        ),
        (
            "unknown venue",
            with("venue_id", json!(987_654_321)),
            &manager,
            400,
        ),
        (
            "unknown team",
            with("team_id", json!(987_654)),
            &manager,
            400,
        ),
        (
            "not on the plan",
            with("venue_id", json!(987_654_321)),
            &inspector,
            403,
        ),
    ];
    for (what, body, token, status) in cases {
        let (ct, form) = multipart(&body, &[("image/jpeg", &photo), ("image/jpeg", &second)]);
        let r = send("POST", &url, Some(token), &ct, &form);
        assert_eq!(r.status, status, "{what}: {}", r.body);
        assert_eq!(r.header("content-type"), Some("application/json"), "{what}");
        assert_eq!(
            (written(data.path()), files_under(&photos)),
            before,
            "{what}: nothing stored"
        );
    }
    // A photo whose bytes are not the type it claims is refused too.
    let (ct, form) = multipart(&with("venue_id", json!(venue)), &[("image/png", &photo)]);
    let r = send("POST", &url, Some(&inspector), &ct, &form);
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(r.json()["field"], "photo");
    assert_eq!((written(data.path()), files_under(&photos)), before);
    // And the good one lands, with its photo under its hash and nothing staged.
    let (ct, form) = multipart(&with("venue_id", json!(venue)), &[("image/jpeg", &photo)]);
    assert_eq!(send("POST", &url, Some(&inspector), &ct, &form).status, 201);
    let files = files_under(&photos);
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(!files[0].to_string_lossy().contains(".incoming"));
}

#[test]
fn oversized_records_are_refused_naming_the_field_and_nothing_is_stored() {
    let data = demo_copy();
    let server = Server::start(data.path(), &[]);
    let token = login(&server, "manager");
    let venue = venue_of(&server, &login(&server, "inspector1"));
    let url = server.url("/api/inspections");
    let before = written(data.path());
    let uuid = "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f";
    let ten_mb = "x".repeat(10 << 20);
    let mut big_note = record(uuid, venue);
    big_note["notes"] = json!(ten_mb);
    let mut big_answer = record(uuid, venue);
    big_answer["checklist"] = json!({ "remarks": ten_mb });
    let mut many_keys = record(uuid, venue);
    many_keys["checklist"] = Value::Object(
        (0..200_000)
            .map(|i| (format!("k{i}"), json!(true)))
            .collect(),
    );
    let mut long_note = record(uuid, venue);
    long_note["notes"] = json!("字".repeat(4001));
    let mut too_many = record(uuid, venue);
    too_many["checklist"] =
        Value::Object((0..65).map(|i| (format!("k{i}"), json!(true))).collect());
    for (what, body, field) in [
        ("10 MB note", big_note, "notes"),
        ("10 MB answer", big_answer, "checklist"),
        ("200,000 answers", many_keys, "checklist"),
        ("4,001-character note", long_note, "notes"),
        ("65 answers", too_many, "checklist"),
    ] {
        let r = post_json(&url, Some(&token), &body);
        assert_eq!(
            r.status,
            413,
            "{what}: {}",
            patrolmap::model::excerpt(&r.body, 300)
        );
        let e = r.json();
        assert_eq!(e["field"], field, "{what}: {e}");
        assert!(
            r.body.len() < 2_000,
            "{what}: the error quotes {} bytes back",
            r.body.len()
        );
    }
    let mut far = record(uuid, venue);
    far["gps"]["accuracy_m"] = json!(1e308);
    let mut year = record(uuid, venue);
    year["started_at"] = json!("9999-01-01T21:30");
    year["finished_at"] = Value::Null;
    for (what, body, field) in [
        ("accuracy 1e308 m", far, "gps.accuracy_m"),
        ("year 9999", year, "started_at"),
    ] {
        let r = post_json(&url, Some(&token), &body);
        assert_eq!(r.status, 400, "{what}: {}", r.body);
        assert_eq!(r.json()["field"], field, "{what}");
    }
    assert_eq!(written(data.path()), before, "nothing stored");
    let audit = get(&server.url("/api/audit?limit=100"), Some(&token));
    assert!(audit.body.len() < 1 << 20, "{} bytes", audit.body.len());
}

#[test]
fn trailing_bytes_and_unknown_references_are_client_errors() {
    let data = demo_copy();
    let server = Server::start(data.path(), &[]);
    let token = login(&server, "manager");
    let venue = venue_of(&server, &login(&server, "inspector1"));
    let before = written(data.path());
    let body = format!(
        "{}xyz",
        record("4d5e6f7a-8b9c-4d0e-8f1a-2b3c4d5e6f7a", venue)
    );
    for (path, body) in [
        ("/api/inspections", body.clone()),
        (
            "/api/login",
            r#"{"username":"manager","password":"patrolmap-demo"}xyz"#.to_string(),
        ),
        ("/api/venues/1/clear-suspension", "{}{}".to_string()),
    ] {
        let r = send(
            "POST",
            &server.url(path),
            Some(&token),
            "application/json",
            body.as_bytes(),
        );
        assert!(
            (400..500).contains(&r.status),
            "{path}: {} {}",
            r.status,
            r.body
        );
        assert!(r.json()["error"].is_string(), "{path}");
    }
    let mut unknown_team = record("5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b", venue);
    unknown_team["team_id"] = json!(4242);
    let r = post_json(&server.url("/api/inspections"), Some(&token), &unknown_team);
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(r.json()["field"], "team_id");
    assert_eq!(written(data.path()), before);
}

#[test]
fn a_connection_that_sends_half_a_request_line_is_closed() {
    let data = demo_copy();
    let server = Server::start(data.path(), &["--header-timeout-s", "2"]);
    let addr = server.base.trim_start_matches("http://");
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.write_all(b"GET /heal").unwrap();
    // The server, not this guard, must end it: a read that times out here fails the test.
    s.set_read_timeout(Some(std::time::Duration::from_secs(60)))
        .unwrap();
    let mut buf = Vec::new();
    match s.read_to_end(&mut buf) {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
        Err(e) => panic!("the server kept the connection open: {e}"),
    }
    // An idle connection that sent nothing at all is closed as well.
    let mut quiet = std::net::TcpStream::connect(addr).unwrap();
    quiet
        .set_read_timeout(Some(std::time::Duration::from_secs(60)))
        .unwrap();
    let mut buf = Vec::new();
    let r = quiet.read_to_end(&mut buf);
    assert!(
        r.is_ok()
            || r.as_ref()
                .is_err_and(|e| e.kind() == std::io::ErrorKind::ConnectionReset),
        "{r:?}"
    );
}

#[test]
fn account_names_are_one_script_without_invisible_characters() {
    let data = demo_copy();
    let server = Server::start(data.path(), &[]);
    let admin = login(&server, "admin");
    let url = server.url("/api/accounts");
    let make = |name: &str| {
        post_json(
            &url,
            Some(&admin),
            &json!({ "username": name, "password": "a-long-password", "role": "planner" }),
        )
    };
    for name in [
        "\u{430}dmin",
        "ad\u{200b}min",
        "admin\u{202e}",
        "ad min",
        "Ａｄｍｉｎ",
    ] {
        let r = make(name);
        assert_eq!(r.status, 400, "{name:?}: {}", r.body);
        assert_eq!(r.json()["field"], "username", "{name:?}");
    }
    let chinese = "王".repeat(22);
    let r = make(&chinese);
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.json()["username"], chinese);
    let r = post_json(
        &server.url("/api/login"),
        None,
        &json!({ "username": chinese, "password": "a-long-password" }),
    );
    assert_eq!(r.status, 200, "{}", r.body);
}

#[test]
fn every_error_is_the_same_json_shape() {
    let data = demo_copy();
    let server = Server::start(data.path(), &[]);
    let token = login(&server, "admin");
    let t = Some(token.as_str());
    for (method, path) in [
        ("GET", "/api/audit?limit=abc"),
        ("GET", "/api/audit?color=red"),
        ("GET", "/api/follow-ups?status=open&bogus=1"),
        ("GET", "/api/follow-ups?status=nope"),
        ("GET", "/api/no-such-thing"),
        ("DELETE", "/api/inspections"),
        ("GET", "/api/plans/not-a-date"),
        ("GET", "/api/layers/venues?limit=-1"),
        ("GET", "/layers/venues/tiles/99/0/0"),
        ("PUT", "/api/lamps/abc/status"),
    ] {
        let r = match method {
            "GET" => get(&server.url(path), t),
            _ => send(method, &server.url(path), t, "application/json", b"{}"),
        };
        assert!(
            (400..500).contains(&r.status),
            "{method} {path}: {}",
            r.status
        );
        assert_eq!(
            r.header("content-type"),
            Some("application/json"),
            "{method} {path}"
        );
        let e: Value = serde_json::from_str(&r.body)
            .unwrap_or_else(|_| panic!("{method} {path}: {} {:?}", r.status, r.body));
        assert!(
            e["error"].is_string() && e["message"].is_string(),
            "{method} {path}: {e}"
        );
    }
}

#[test]
fn links_carry_the_public_url_and_forwarded_headers_only_from_a_trusted_proxy() {
    let data = demo_copy();
    let forged = [
        ("Host", "evil.example"),
        ("X-Forwarded-Host", "evil.example"),
        ("X-Forwarded-Proto", "https"),
    ];
    let links = |server: &Server, headers: &[(&str, &str)]| {
        let token = login(server, "admin");
        let auth = format!("Bearer {token}");
        let mut with_auth = headers.to_vec();
        with_auth.push(("Authorization", auth.as_str()));
        let ogc = raw_get(server, "/ogc/", headers).2;
        let items = raw_get(server, "/ogc/collections/venues/items?limit=1", &with_auth).2;
        let tilejson = raw_get(server, "/tiles/basemap.json", headers).2;
        let api = raw_get(server, "/api/openapi.json", headers).2;
        let gpx = {
            let plan = get(
                &server.url(&format!("/api/plans/{DEMO_DATE}")),
                Some(&token),
            )
            .json();
            let team = plan["routes"][0]["team_id"].as_i64().unwrap();
            raw_get(
                server,
                &format!("/api/plans/{DEMO_DATE}/routes/{team}.gpx"),
                &with_auth,
            )
            .2
        };
        [ogc, items, tilejson, api, gpx].map(|b| String::from_utf8_lossy(&b).into_owned())
    };
    // --public-url: every absolute link uses it, whatever the request says.
    let public = Server::start(
        data.path(),
        &["--public-url", "https://patrol.district.example/"],
    );
    for (what, body) in ["ogc", "items", "tilejson", "openapi", "gpx"]
        .iter()
        .zip(links(&public, &forged))
    {
        assert!(
            body.contains("https://patrol.district.example"),
            "{what}: {body}"
        );
        assert!(!body.contains("evil.example"), "{what}: {body}");
    }
    drop(public);
    // No public URL, peer not trusted: the forwarded headers are ignored.
    let plain = Server::start(data.path(), &[]);
    let host = plain.base.trim_start_matches("http://").to_string();
    let untrusted = [
        ("Host", host.as_str()),
        ("X-Forwarded-Host", "evil.example"),
        ("X-Forwarded-Proto", "https"),
    ];
    for body in links(&plain, &untrusted) {
        assert!(!body.contains("evil.example"), "{body}");
    }
    drop(plain);
    // Behind a trusted proxy (the test itself, on 127.0.0.1): scheme and host are forwarded.
    let proxied = Server::start(data.path(), &["--trust-proxy", "127.0.0.1"]);
    let via = [
        ("Host", "127.0.0.1"),
        ("X-Forwarded-Host", "patrol.district.example"),
        ("X-Forwarded-Proto", "https"),
    ];
    for body in links(&proxied, &via) {
        assert!(body.contains("https://patrol.district.example"), "{body}");
    }
}
