//! Running unattended (issue 11): `/metrics` in the Prometheus text format for admins and the
//! configured scraper only, with the counters a district's monitoring watches.

mod common;
use common::server::*;
use common::{metric_value as value, scrape};
use serde_json::json;

#[test]
fn metrics_parse_count_what_happens_and_are_for_admins_only() {
    let data = demo_copy();
    let server = Server::start(data.path(), &[]);
    let admin = login(&server, "admin");
    for user in ["manager", "planner", "inspector1"] {
        let r = get(&server.url("/metrics"), Some(&login(&server, user)));
        assert_eq!(r.status, 403, "{user}: {}", r.body);
    }
    assert_eq!(get(&server.url("/metrics"), None).status, 401);

    let before = scrape(&get(&server.url("/metrics"), Some(&admin)).body);
    let failures = value(&before, "patrolmap_login_failures_total").unwrap_or(0.0);
    let r = post_json(
        &server.url("/api/login"),
        None,
        &json!({ "username": "manager", "password": "wrong-password" }),
    );
    assert_eq!(r.status, 401);
    let venue = get(&server.url("/api/layers/venues?limit=1"), Some(&admin)).json()["features"][0]
        ["id"]
        .as_str()
        .unwrap()
        .parse::<i64>()
        .unwrap();
    let record = json!({
        "client_uuid": "8a7b6c5d-4e3f-4a1b-9c8d-7e6f5a4b3c2d",
        "venue_id": venue,
        "started_at": format!("{DEMO_DATE}T20:10"),
        "outcome": "compliant",
    });
    assert_eq!(
        post_json(&server.url("/api/inspections"), Some(&admin), &record).status,
        201
    );
    assert_eq!(
        post_json(&server.url("/api/inspections"), Some(&admin), &record).status,
        200
    );

    let r = get(&server.url("/metrics"), Some(&admin));
    assert!(
        r.header("content-type").is_some_and(|t| t.contains("text")),
        "{:?}",
        r.header("content-type")
    );
    let after = scrape(&r.body);
    assert_eq!(
        value(&after, "patrolmap_login_failures_total"),
        Some(failures + 1.0)
    );
    assert_eq!(
        value(&after, "patrolmap_inspections_accepted_total"),
        Some(2.0)
    );
    assert!(value(&after, "patrolmap_store_size_bytes").is_some_and(|b| b > 0.0));
    assert!(value(&after, "patrolmap_http_request_duration_seconds_count").is_some());
    let by_route = after
        .samples
        .iter()
        .find(|s| {
            s.metric == "patrolmap_http_requests_total"
                && s.labels.get("route") == Some("/api/inspections")
                && s.labels.get("status") == Some("201")
        })
        .expect("requests are counted by route pattern and status");
    assert!(
        matches!(by_route.value, prometheus_parse::Value::Counter(v) | prometheus_parse::Value::Untyped(v) if v == 1.0)
    );
}

#[test]
fn a_configured_scraper_reads_metrics_without_a_token() {
    let data = demo_copy();
    let server = Server::start(data.path(), &["--metrics-from", "127.0.0.1"]);
    let r = get(&server.url("/metrics"), None);
    assert_eq!(r.status, 200, "{}", r.body);
    scrape(&r.body);
    let manager = login(&server, "manager");
    assert_eq!(
        get(&server.url("/metrics"), Some(&manager)).status,
        403,
        "a token is still checked"
    );
}

#[test]
fn sigterm_lets_a_write_in_flight_finish_and_then_stops() {
    use std::io::{Read, Write};
    let data = demo_copy();
    let mut server = Server::start(data.path(), &[]);
    let addr = server.base.trim_start_matches("http://").to_string();
    let token = {
        let r = post_json(
            &format!("http://{addr}/api/login"),
            None,
            &json!({ "username": "admin", "password": DEMO_PASSWORD }),
        );
        r.json()["token"].as_str().unwrap().to_string()
    };
    let venue = get(
        &format!("http://{addr}/api/layers/venues?limit=1"),
        Some(&token),
    )
    .json()["features"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let body = json!({
        "client_uuid": "9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
        "venue_id": venue.parse::<i64>().unwrap(),
        "started_at": format!("{DEMO_DATE}T20:10"),
        "outcome": "compliant",
    })
    .to_string();
    // Half the request is sent, then the server is told to stop, then the rest arrives.
    let mut s = std::net::TcpStream::connect(&addr).unwrap();
    write!(
        s,
        "POST /api/inspections HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .unwrap();
    let (first, rest) = body.split_at(body.len() / 2);
    s.write_all(first.as_bytes()).unwrap();
    s.flush().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    // SAFETY: a signal to our own child process.
    unsafe { libc::kill(server.pid() as i32, libc::SIGTERM) };
    std::thread::sleep(std::time::Duration::from_millis(300));
    s.write_all(rest.as_bytes()).unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
    let status = server.wait();
    assert!(
        status.success(),
        "the server exits cleanly after draining: {status:?}"
    );
    let conn = rusqlite::Connection::open(data.path().join("patrolmap.sqlite")).unwrap();
    let n: i64 = conn
        .query_row(
            "SELECT count(*) FROM inspections WHERE client_uuid = '9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 1, "the acknowledged write is in the store");
}
