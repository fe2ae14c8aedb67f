//! The server makes the next day's plan itself (issue 12, acceptance 1): started with
//! `[dispatch] draft_at` a few seconds ahead on the district's clock, it makes a draft for
//! tomorrow without any CLI call; inspectors do not see it until a manager publishes it, then
//! see their own team's route. With `auto_publish = true` the scheduled plan is published as it
//! is made. The server runs on the real clock (no `--date`, no `--now`); every wait is bounded,
//! and no wall-clock duration is asserted.

mod common;
use chrono::{NaiveDateTime, TimeDelta, Utc};
use common::server::*;
use serde_json::{Value, json};
use std::path::Path;
use std::time::{Duration, Instant};

/// The district's offset from UTC, written into the config (the default's, China).
const OFFSET_MINUTES: i64 = 480;
/// The longest a poll waits for the server to make the plan.
const PATIENCE: Duration = Duration::from_secs(120);
/// How far ahead of the start the schedule is set: the server is listening well before.
const LEAD_S: i64 = 12;

/// A planning config whose draft is due `LEAD_S` seconds from now; the local time it is due.
fn scheduled_config(dir: &Path, auto_publish: bool) -> (std::path::PathBuf, NaiveDateTime) {
    let due =
        (Utc::now() + TimeDelta::minutes(OFFSET_MINUTES) + TimeDelta::seconds(LEAD_S)).naive_utc();
    let text = format!(
        "utc_offset_minutes = {OFFSET_MINUTES}\n\n[plan]\nseconds = 1.0\n\n[dispatch]\ndraft_at = \"{}\"\nauto_publish = {auto_publish}\nseconds = 1.0\n",
        due.format("%H:%M:%S")
    );
    (common::write(dir, "schedule.toml", &text), due)
}

fn team_of(server: &Server, token: &str) -> i64 {
    get(&server.url("/api/me"), Some(token)).json()["team_id"]
        .as_i64()
        .expect("an inspector has a team")
}

/// Polls `path` as `token` until `done` holds for a 200 reply, at most `PATIENCE`.
fn poll(server: &Server, token: &str, path: &str, done: impl Fn(&Value) -> bool) -> Value {
    let since = Instant::now();
    let mut last = String::new();
    while since.elapsed() < PATIENCE {
        let r = get(&server.url(path), Some(token));
        if r.status == 200 && done(&r.json()) {
            return r.json();
        }
        last = format!(
            "{} {}",
            r.status,
            r.body.chars().take(300).collect::<String>()
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    panic!("{path}: no plan after {PATIENCE:?}; last answer {last}");
}

/// An inspector sees `date` as only its own team's route of `plan`.
fn sees_own_route(server: &Server, inspector: &str, date: &str, plan: &Value) {
    let token = login(server, inspector);
    let team = team_of(server, &token);
    let r = get(&server.url(&format!("/api/plans/{date}")), Some(&token));
    assert_eq!(r.status, 200, "{inspector}: {}", r.body);
    let seen = r.json();
    assert_eq!(seen["revision"], plan["revision"]);
    assert_eq!(seen["status"], "published");
    let routes = seen["routes"].as_array().unwrap();
    assert!(
        routes.iter().all(|r| r["team_id"] == team),
        "{inspector} sees other teams"
    );
    let own: Vec<&Value> = plan["routes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["team_id"] == team)
        .collect();
    assert_eq!(routes.len(), own.len(), "{inspector}");
    if let (Some(a), Some(b)) = (routes.first(), own.first()) {
        assert_eq!(
            a["stops"], b["stops"],
            "{inspector} sees its route as planned"
        );
    }
    assert_eq!(
        seen["left_out"],
        json!([]),
        "{inspector} sees no left-out list"
    );
}

#[test]
fn the_server_drafts_tomorrow_on_schedule_and_publishes_when_told() {
    let data = demo_copy();
    let (config, due) = scheduled_config(data.path(), false);
    let tomorrow = (due.date() + TimeDelta::days(1)).to_string();
    let server = Server::start_undated(data.path(), &["--config", config.to_str().unwrap()]);
    let manager = login(&server, "manager");
    let path = format!("/api/plans/{tomorrow}");

    let draft = poll(&server, &manager, &path, |p| {
        p["made_by"]["how"] == "schedule"
    });
    assert_eq!(draft["status"], "draft", "{}", draft["status"]);
    assert_eq!(draft["date"], tomorrow.as_str());
    assert_eq!(draft["duty"], "inspection");
    assert_eq!(draft["revision"], draft["id"]);
    assert!(
        draft["made_by"]["account"].is_null(),
        "{}",
        draft["made_by"]
    );
    assert!(draft["made_at"].is_string(), "{}", draft["made_at"]);
    assert!(draft["published_at"].is_null());
    assert!(draft["published_by"].is_null());
    assert!(draft["published_revision"].is_null());
    assert_eq!(draft["actions"], json!([]));
    assert_eq!(draft["absent_teams"], json!([]));
    assert!(
        draft["routes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| !r["stops"].as_array().unwrap().is_empty()),
        "the draft routes the teams"
    );

    // Not for the teams yet: 404 (no published plan) or 403, and not as the current plan.
    for inspector in ["inspector1", "inspector3"] {
        let token = login(&server, inspector);
        for p in [path.clone(), format!("{path}?published=true")] {
            let r = get(&server.url(&p), Some(&token));
            assert!(
                r.status == 404 || r.status == 403,
                "{inspector} {p}: {} {}",
                r.status,
                r.body
            );
            if r.status == 404 {
                assert!(
                    r.json()["message"]
                        .as_str()
                        .unwrap()
                        .contains(&format!("no published inspection plan for {tomorrow}")),
                    "{}",
                    r.body
                );
            }
        }
        let r = get(
            &server.url(&format!(
                "/api/plans/{tomorrow}/routes/{}.geojson",
                team_of(&server, &token)
            )),
            Some(&token),
        );
        assert!(
            r.status == 404 || r.status == 403,
            "{inspector} route file: {} {}",
            r.status,
            r.body
        );
        let r = post_json(
            &server.url(&format!("{path}/publish")),
            Some(&token),
            &json!({}),
        );
        assert_eq!(r.status, 403, "{inspector} may not publish: {}", r.body);
    }

    let r = post_json(
        &server.url(&format!("{path}/publish")),
        Some(&manager),
        &json!({}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let published = r.json();
    assert_eq!(published["status"], "published");
    assert_eq!(
        published["revision"], draft["revision"],
        "the draft as it was"
    );
    assert_eq!(published["published_revision"], draft["revision"]);
    assert!(published["published_at"].is_string());
    assert!(
        published["published_by"].to_string().contains("manager"),
        "{}",
        published["published_by"]
    );
    assert_eq!(published["routes"], draft["routes"]);
    for inspector in ["inspector1", "inspector3"] {
        sees_own_route(&server, inspector, &tomorrow, &published);
    }
    let events = get(&server.url("/api/audit?limit=200"), Some(&manager)).json();
    assert!(
        events["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["entity"] == "patrol_plan" && e["username"] == "manager"),
        "the publication is audited"
    );
}

#[test]
fn with_auto_publish_the_scheduled_plan_is_published_as_made() {
    let data = demo_copy();
    let (config, due) = scheduled_config(data.path(), true);
    let tomorrow = (due.date() + TimeDelta::days(1)).to_string();
    let server = Server::start_undated(data.path(), &["--config", config.to_str().unwrap()]);
    let manager = login(&server, "manager");
    let path = format!("/api/plans/{tomorrow}");
    let plan = poll(&server, &manager, &path, |p| {
        p["made_by"]["how"] == "schedule"
    });
    assert_eq!(
        plan["status"], "published",
        "auto_publish: {}",
        plan["status"]
    );
    assert_eq!(plan["published_revision"], plan["revision"]);
    assert!(plan["published_at"].is_string());
    for inspector in ["inspector2", "inspector4"] {
        sees_own_route(&server, inspector, &tomorrow, &plan);
    }
}
