//! Property tests of the capture door and the query strings: arbitrary input never panics,
//! never writes, and always gets a 4xx in the one JSON error shape. The request parser is run
//! in process on many cases; the real server then gets a bounded number of random requests and
//! must leave its store and photo folder as they were.

mod common;
use axum::body::Body;
use axum::response::IntoResponse;
use common::server::*;
use patrolmap::model::{Account, Role};
use patrolmap::planning::PlanningConfig;
use patrolmap::server::capture::parse_capture;
use proptest::prelude::*;
use serde_json::{Value, json};

const BOUNDARY: &str = "prop-boundary-41";

fn valid_record() -> Value {
    json!({
        "client_uuid": "6f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9",
        "venue_id": 1,
        "started_at": format!("{DEMO_DATE}T21:30"),
        "finished_at": format!("{DEMO_DATE}T21:50"),
        "outcome": "compliant",
        "checklist": { "licence_displayed": true },
        "notes": "ok",
        "gps": { "at": { "lon": 24.94, "lat": 60.17 }, "accuracy_m": 8.0 }
    })
}

/// A JSON body: a valid record with one value replaced by something odd, or raw bytes.
fn json_body() -> impl Strategy<Value = Vec<u8>> {
    let odd = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        ".{0,40}".prop_map(Value::from),
        Just(json!({"nested": {"deep": [1, 2, {"x": null}]}})),
        Just(json!(["a", 1, true])),
    ];
    let keys = prop_oneof![
        Just("client_uuid"),
        Just("venue_id"),
        Just("started_at"),
        Just("finished_at"),
        Just("outcome"),
        Just("checklist"),
        Just("notes"),
        Just("gps"),
        Just("team_id"),
        Just("unexpected"),
    ];
    prop_oneof![
        (keys, odd).prop_map(|(k, v)| {
            let mut r = valid_record();
            r[k] = v;
            r.to_string().into_bytes()
        }),
        (any::<usize>(), any::<u8>()).prop_map(|(at, b)| {
            let mut bytes = valid_record().to_string().into_bytes();
            let i = at % bytes.len();
            bytes[i] = b;
            bytes
        }),
        proptest::collection::vec(any::<u8>(), 0..300),
        ".{0,200}".prop_map(|s| format!("{}{s}", valid_record()).into_bytes()),
    ]
}

/// A multipart body of random parts: names, types and contents drawn from what a careless
/// client or an attacker sends.
fn multipart_body() -> impl Strategy<Value = Vec<u8>> {
    let part = (
        prop_oneof![Just("inspection"), Just("photo"), Just("other"), Just("")],
        prop_oneof![
            Just("application/json"),
            Just("image/jpeg"),
            Just("image/png"),
            Just("text/plain"),
            Just("")
        ],
        prop_oneof![
            json_body(),
            proptest::collection::vec(any::<u8>(), 0..200),
            Just(jpeg_bytes(64)),
        ],
    );
    (proptest::collection::vec(part, 0..4), any::<bool>()).prop_map(|(parts, close)| {
        let mut body = Vec::new();
        for (name, ct, data) in parts {
            body.extend_from_slice(
                format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\nContent-Type: {ct}\r\n\r\n").as_bytes(),
            );
            body.extend_from_slice(&data);
            body.extend_from_slice(b"\r\n");
        }
        if close {
            body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
        }
        body
    })
}

fn inspector() -> Account {
    Account {
        id: 7,
        username: "inspector1".into(),
        role: Role::Inspector,
        team_id: Some(1),
        areas: Vec::new(),
    }
}

/// The door's verdict on one request: Ok, or an error that is a 4xx in the JSON shape.
fn verdict(content_type: &str, body: Vec<u8>) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let config = PlanningConfig::default();
    let limits = config.capture.limits.clone();
    let request = axum::http::Request::builder()
        .method("POST")
        .uri("/api/inspections")
        .header("content-type", content_type)
        .body(Body::from(body))
        .unwrap();
    let outcome = runtime.block_on(async {
        let parsed = parse_capture(request, &limits, 1 << 20).await?;
        let refs = parsed.photos.iter().map(|(r, _)| r.clone()).collect();
        let inspection = parsed.body.into_inspection(&inspector(), refs)?;
        limits.check(&inspection, DEMO_DATE.parse().unwrap())?;
        Ok::<_, patrolmap::server::ApiError>(())
    });
    let Err(e) = outcome else { return Ok(()) };
    let response = e.into_response();
    let status = response.status();
    let bytes = runtime
        .block_on(axum::body::to_bytes(response.into_body(), 1 << 20))
        .unwrap();
    let shape: Value = serde_json::from_slice(&bytes).map_err(|e| format!("{e}"))?;
    if !status.is_client_error() {
        return Err(format!("status {status}"));
    }
    if !(shape["error"].is_string() && shape["message"].is_string()) {
        return Err(format!("shape {shape}"));
    }
    if bytes.len() > 2_000 {
        return Err(format!("a {}-byte error", bytes.len()));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn any_json_body_is_parsed_or_refused_with_a_json_4xx(body in json_body()) {
        prop_assert_eq!(verdict("application/json", body), Ok(()));
    }

    #[test]
    fn any_multipart_body_is_parsed_or_refused_with_a_json_4xx(body in multipart_body()) {
        let ct = format!("multipart/form-data; boundary={BOUNDARY}");
        prop_assert_eq!(verdict(&ct, body), Ok(()));
    }
}

#[test]
fn the_server_refuses_random_requests_without_writing() {
    let data = demo_copy();
    let server = Server::start(data.path(), &[]);
    let token = login(&server, "inspector1");
    let manager = login(&server, "manager");
    let conn = rusqlite::Connection::open(data.path().join("patrolmap.sqlite")).unwrap();
    let rows = || -> i64 {
        conn.query_row("SELECT count(*) FROM inspections", [], |r| r.get(0))
            .unwrap()
    };
    let before = rows();
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 48,
        ..ProptestConfig::default()
    });
    let url = server.url("/api/inspections");
    let ct = format!("multipart/form-data; boundary={BOUNDARY}");
    let bodies = (json_body(), multipart_body(), any::<bool>());
    runner
        .run(&bodies, |(json, form, as_form)| {
            // Random bodies cannot hit a planned venue with a valid record by chance; any 2xx
            // would be a real record and is checked below.
            let r = if as_form {
                send("POST", &url, Some(&token), &ct, &form)
            } else {
                send("POST", &url, Some(&token), "application/json", &json)
            };
            prop_assert!((400..500).contains(&r.status), "{} {}", r.status, r.body);
            let e: Value = serde_json::from_str(&r.body).unwrap();
            prop_assert!(e["error"].is_string());
            Ok(())
        })
        .unwrap();
    let queries = proptest::string::string_regex("[a-z=&%,.0-9+-]{0,40}").unwrap();
    runner
        .run(&queries, |q| {
            for path in [
                "/api/layers/venues",
                "/ogc/collections/venues/items",
                "/api/audit",
                "/api/follow-ups",
                "/api/findings",
            ] {
                let r = get(&server.url(&format!("{path}?{q}")), Some(&manager));
                prop_assert!(r.status < 500, "{path}?{q}: {} {}", r.status, r.body);
                if r.status >= 400 {
                    let e: Value = serde_json::from_str(&r.body).unwrap();
                    prop_assert!(e["error"].is_string(), "{path}?{q}");
                }
            }
            Ok(())
        })
        .unwrap();
    assert_eq!(rows(), before, "nothing was recorded");
    let left = common::files_under(&data.path().join("photos"));
    assert!(left.is_empty(), "no photo was left: {left:?}");
}
