//! What the dispatch tests share: the server on the demo store, sign-ins, plan readers, the
//! audit trail and the checks every action's test makes.

use crate::common;
use crate::common::server::*;
use chrono::{NaiveDate, TimeDelta};
use serde_json::{Value, json};
use std::path::Path;

/// The optimiser's time after each action: shorter than the default 2 s, the machine is shared.
pub const CONFIG: &str = "[dispatch]\nseconds = 1.0\n";

pub fn start(data: &Path) -> Server {
    let config = common::write(data, "dispatch-test.toml", CONFIG);
    Server::start(data, &["--config", config.to_str().unwrap()])
}

pub fn url(server: &Server, path: &str) -> String {
    server.url(&path.replace("{date}", DEMO_DATE))
}

/// The newest revision of DEMO_DATE as `token` sees it.
pub fn plan(server: &Server, token: &str) -> Value {
    let r = get(&url(server, "/api/plans/{date}"), Some(token));
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()
}

/// A dispatcher action; the reply as it came.
pub fn act(server: &Server, token: &str, body: &Value) -> Reply {
    post_json(&url(server, "/api/plans/{date}/actions"), Some(token), body)
}

/// A dispatcher action that must succeed: the action as stored and the re-optimised draft.
pub fn act_ok(server: &Server, manager: &str, body: &Value) -> (Value, Value) {
    let r = act(server, manager, body);
    assert_eq!(r.status, 200, "{body}: {}", r.body);
    let r = r.json();
    let (action, plan) = (r["action"].clone(), r["plan"].clone());
    assert!(action["id"].is_i64(), "{action}");
    assert_eq!(action["action"], body["action"], "{action}");
    assert_eq!(plan["status"], "draft", "an action makes a draft");
    assert_eq!(plan["revision"], plan["id"]);
    assert_eq!(plan["made_by"]["how"], "dispatcher", "{}", plan["made_by"]);
    assert_eq!(plan["made_by"]["account"], "manager", "{}", plan["made_by"]);
    let listed = plan["actions"]
        .as_array()
        .unwrap_or_else(|| panic!("no actions list: {}", plan["actions"]))
        .iter()
        .find(|a| a["id"] == action["id"])
        .unwrap_or_else(|| panic!("action {action} not in the plan's {}", plan["actions"]));
    assert_eq!(listed["action"], body["action"]);
    assert_eq!(listed["by"], "manager", "{listed}");
    check_times(&plan);
    (action, plan)
}

pub fn publish(server: &Server, token: &str) -> Value {
    let r = post_json(
        &url(server, "/api/plans/{date}/publish"),
        Some(token),
        &json!({}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let p = r.json();
    assert_eq!(p["status"], "published", "{}", p["status"]);
    p
}

/// The demo plan as the teams see it: published (it is made by the CLI before any dispatcher
/// exists; if the server keeps it as a draft, the manager publishes it first).
pub fn published_base(server: &Server, manager: &str) -> Value {
    let p = plan(server, manager);
    if p["status"] == "published" {
        p
    } else {
        publish(server, manager)
    }
}

pub fn team_of(server: &Server, user: &str) -> i64 {
    let t = login(server, user);
    get(&server.url("/api/me"), Some(&t)).json()["team_id"]
        .as_i64()
        .unwrap_or_else(|| panic!("{user} has no team"))
}

/// Every inspector with its team id.
pub fn inspectors(server: &Server) -> Vec<(String, i64)> {
    (1..=4)
        .map(|i| format!("inspector{i}"))
        .map(|u| {
            let t = team_of(server, &u);
            (u, t)
        })
        .collect()
}

pub fn inspector_of(server: &Server, team: i64) -> String {
    inspectors(server)
        .into_iter()
        .find(|(_, t)| *t == team)
        .unwrap_or_else(|| panic!("no inspector for team {team}"))
        .0
}

pub fn inspector_not_of(server: &Server, team: i64) -> String {
    inspectors(server)
        .into_iter()
        .find(|(_, t)| *t != team)
        .unwrap()
        .0
}

pub fn route(plan: &Value, team: i64) -> Option<&Value> {
    plan["routes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["team_id"] == team)
}

pub fn team_route(plan: &Value, team: i64) -> &Value {
    route(plan, team).unwrap_or_else(|| panic!("team {team} has no route"))
}

pub fn stops(route: &Value) -> &Vec<Value> {
    route["stops"].as_array().unwrap()
}

pub fn venues_of(route: &Value) -> Vec<i64> {
    stops(route)
        .iter()
        .filter(|s| s["target"]["kind"] == "venue")
        .filter_map(|s| s["target"]["id"].as_i64())
        .collect()
}

pub fn venue_stop(route: &Value, venue: i64) -> Option<&Value> {
    stops(route)
        .iter()
        .find(|s| s["target"] == json!({ "kind": "venue", "id": venue }))
}

/// The teams whose routes hold `venue`.
pub fn teams_with(plan: &Value, venue: i64) -> Vec<i64> {
    plan["routes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| venues_of(r).contains(&venue))
        .filter_map(|r| r["team_id"].as_i64())
        .collect()
}

pub fn left_out(plan: &Value, venue: i64) -> Option<&Value> {
    plan["left_out"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["target"] == json!({ "kind": "venue", "id": venue }))
}

/// Left-out venues the optimiser merely did not fit, of `kinds` (any kind when empty).
pub fn not_selected(server: &Server, manager: &str, plan: &Value, kinds: &[&str]) -> Vec<i64> {
    let kind = venue_kinds(server, manager);
    plan["left_out"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["reason"] == "not_selected" && l["target"]["kind"] == "venue")
        .filter_map(|l| l["target"]["id"].as_i64())
        .filter(|v| kinds.is_empty() || kinds.contains(&kind[v].as_str()))
        .collect()
}

/// Venue id → kind, from the venues layer.
pub fn venue_kinds(server: &Server, manager: &str) -> std::collections::HashMap<i64, String> {
    venues(server, manager)
        .into_iter()
        .map(|(id, kind, _, _)| (id, kind))
        .collect()
}

/// Every registered venue: id, kind, status, position.
pub fn venues(server: &Server, manager: &str) -> Vec<(i64, String, String, (f64, f64))> {
    let r = get(&server.url("/api/layers/venues"), Some(manager));
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let c = &f["geometry"]["coordinates"];
            (
                f["id"].as_str().unwrap().parse().unwrap(),
                f["properties"]["kind"].as_str().unwrap().to_string(),
                f["properties"]["status"].as_str().unwrap().to_string(),
                (c[0].as_f64().unwrap(), c[1].as_f64().unwrap()),
            )
        })
        .collect()
}

/// Every route's stops are in time order within the route, each arrival ≤ start ≤ departure.
pub fn check_times(plan: &Value) {
    for r in plan["routes"].as_array().unwrap() {
        let mut last = r["start_s"].as_i64().unwrap();
        for s in stops(r) {
            let (a, b, d) = (
                s["arrival_s"].as_i64().unwrap(),
                s["start_s"].as_i64().unwrap(),
                s["departure_s"].as_i64().unwrap(),
            );
            assert!(
                last <= a && a <= b && b <= d,
                "team {} stop {}: {last} {a} {b} {d}",
                r["team_id"],
                s["seq"]
            );
            last = d;
        }
        assert!(
            last <= r["end_s"].as_i64().unwrap(),
            "team {}",
            r["team_id"]
        );
    }
}

/// The audit events (newest first), as a manager reads them.
pub fn audit(server: &Server, manager: &str) -> Vec<Value> {
    let r = get(&server.url("/api/audit?limit=1000"), Some(manager));
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["events"].as_array().unwrap().clone()
}

/// The audit events of one dispatcher action.
pub fn audit_of(server: &Server, manager: &str, action: &Value) -> Vec<Value> {
    let id = action["id"].as_i64().unwrap().to_string();
    audit(server, manager)
        .into_iter()
        .filter(|e| e["entity"] == "dispatch_action" && e["entity_id"] == id.as_str())
        .collect()
}

/// The action was audited once, by the manager, with what it was.
pub fn assert_audited(server: &Server, manager: &str, action: &Value) {
    let events = audit_of(server, manager, action);
    assert_eq!(events.len(), 1, "one audit event for {action}: {events:?}");
    let e = &events[0];
    assert_eq!(e["username"], "manager", "{e}");
    let kind = action["action"].as_str().unwrap();
    assert!(
        e.to_string().contains(&format!("\"{kind}\"")),
        "the event says it was a {kind}: {e}"
    );
}

/// Inspectors, of the action's team and of another, may not dispatch: 403, and the newest
/// revision stays what it was.
pub fn refused_to_inspectors(server: &Server, manager: &str, body: &Value) {
    let team = body["team_id"].as_i64().unwrap_or(1);
    let before = plan(server, manager)["revision"].clone();
    for user in [inspector_of(server, team), inspector_not_of(server, team)] {
        let t = login(server, &user);
        let r = act(server, &t, body);
        assert_eq!(r.status, 403, "{user} {body}: {}", r.body);
        assert_eq!(r.json()["error"], "forbidden", "{}", r.body);
    }
    let planner = login(server, "planner");
    assert_eq!(act(server, &planner, body).status, 403, "planner {body}");
    assert_eq!(plan(server, manager)["revision"], before, "nothing changed");
}

/// Metres between two WGS-84 points (equirectangular, plenty at a city's scale).
pub fn metres(a: (f64, f64), b: (f64, f64)) -> f64 {
    let k = (a.1.to_radians() + b.1.to_radians()) / 2.0;
    let dx = (b.0 - a.0).to_radians() * k.cos() * 6_371_000.0;
    let dy = (b.1 - a.1).to_radians() * 6_371_000.0;
    (dx * dx + dy * dy).sqrt()
}

/// Metres from `p` to the polyline `path` (`[{lon, lat}]`).
pub fn metres_to_path(p: (f64, f64), path: &[Value]) -> f64 {
    let pts: Vec<(f64, f64)> = path
        .iter()
        .map(|q| (q["lon"].as_f64().unwrap(), q["lat"].as_f64().unwrap()))
        .collect();
    let k = p.1.to_radians().cos();
    let xy = |q: (f64, f64)| {
        (
            (q.0 - p.0).to_radians() * k * 6_371_000.0,
            (q.1 - p.1).to_radians() * 6_371_000.0,
        )
    };
    let mut best = f64::INFINITY;
    for w in pts.windows(2) {
        let (a, b) = (xy(w[0]), xy(w[1]));
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let l = dx * dx + dy * dy;
        let t = if l == 0.0 {
            0.0
        } else {
            (-(a.0 * dx + a.1 * dy) / l).clamp(0.0, 1.0)
        };
        best = best.min((a.0 + t * dx).hypot(a.1 + t * dy));
    }
    if pts.len() == 1 {
        best = metres(p, pts[0]);
    }
    best
}

pub fn position(stop: &Value) -> (f64, f64) {
    (
        stop["at"]["lon"].as_f64().unwrap(),
        stop["at"]["lat"].as_f64().unwrap(),
    )
}

/// A plan-day second as a local time, `YYYY-MM-DDTHH:MM` (past 86 400: the next day): the
/// minute it falls in.
pub fn local_time(s: i64) -> String {
    let day = NaiveDate::parse_from_str(DEMO_DATE, "%Y-%m-%d").unwrap();
    let minutes = s.div_euclid(60);
    (day.and_hms_opt(0, 0, 0).unwrap() + TimeDelta::minutes(minutes))
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// Plan-day seconds of a `YYYY-MM-DDTHH:MM` local time.
pub fn plan_seconds(t: &str) -> i64 {
    let day = NaiveDate::parse_from_str(DEMO_DATE, "%Y-%m-%d").unwrap();
    let at = chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M").unwrap();
    (at - day.and_hms_opt(0, 0, 0).unwrap()).num_seconds()
}

pub fn inspection(uuid: &str, venue: i64, started: &str, finished: &str) -> Value {
    json!({
        "client_uuid": uuid,
        "venue_id": venue,
        "started_at": started,
        "finished_at": finished,
        "outcome": "compliant",
        "checklist": { "licence_displayed": true },
    })
}

// ---------------------------------------------------------------------------------------------
// One test per dispatcher action.
