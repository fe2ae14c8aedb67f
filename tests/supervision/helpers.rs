//! What the supervision tests share: a demo server on the demo day, follow-ups made through
//! the API, the CLI's coverage and plans.

pub use crate::common::server::*;
pub use crate::common::{cli_json, patrolmap, stderr};
use serde_json::{Value, json};
use std::collections::HashSet;
use std::path::Path;

pub const NOW: &str = "2026-11-20T12:00";

pub fn start(data: &Path) -> Server {
    Server::start(data, &["--now", NOW])
}

/// A violation recorded by the manager for `team` at `venue`; answers the follow-up's id.
pub fn violation(server: &Server, token: &str, venue: i64, team: i64, n: usize) -> i64 {
    let r = post_json(
        &server.url("/api/inspections"),
        Some(token),
        &json!({
            "client_uuid": format!("5a1e0000-0000-4000-8000-{n:012}"),
            "venue_id": venue,
            "team_id": team,
            "started_at": format!("{DEMO_DATE}T10:00"),
            "outcome": "violation",
            "notes": "消防通道堵塞",
        }),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    r.json()["follow_up"]["id"].as_i64().unwrap()
}

pub fn act(server: &Server, token: &str, id: i64, action: &str, body: Value) -> Reply {
    post_json(
        &server.url(&format!("/api/follow-ups/{id}/{action}")),
        Some(token),
        &body,
    )
}

pub fn history(f: &Value) -> Vec<&str> {
    f["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["action"].as_str().unwrap())
        .collect()
}

pub fn coverage(data: &Path) -> Value {
    cli_json(data, &["coverage", "--date", DEMO_DATE, "--json"])["total"].clone()
}

/// Every stop of a plan made by the CLI for `date`: (venue id, mandatory, its reason).
pub fn plan_stops(data: &Path, date: &str) -> Vec<(i64, bool, Value)> {
    let plan = cli_json(
        data,
        &[
            "plan",
            "--date",
            date,
            "--seconds",
            "1",
            "--publish",
            "--json",
        ],
    );
    plan["routes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["stops"].as_array().unwrap().clone())
        .filter(|s| s["target"]["kind"] == "venue")
        .map(|s| {
            (
                s["target"]["id"].as_i64().unwrap(),
                s["mandatory"].as_bool().unwrap(),
                s["reason"].clone(),
            )
        })
        .collect()
}

pub fn follow_ups_served(stops: &[(i64, bool, Value)]) -> HashSet<i64> {
    stops
        .iter()
        .filter(|(_, mandatory, _)| *mandatory)
        .flat_map(|(_, _, r)| r["follow_ups"].as_array().cloned().unwrap_or_default())
        .map(|f| f["id"].as_i64().unwrap())
        .collect()
}
