//! A plan belongs to its shift, not to the calendar day: the demo's night team (19:00–03:00) on
//! the plan of DEMO_DATE keeps its route and its recorded stops past midnight, may record at
//! 00:30 for that plan, and after 03:00 is told it has no plan (the demo plans one day only).
//! The server's clock is fixed with `--now`; no wall-clock time is asserted.

mod common;
use common::server::*;
use serde_json::{Value, json};
use std::path::Path;

const NEXT_DAY: &str = "2026-11-21";

/// The server with its clock at `now` and no `--date`: the plan day follows the rule.
fn clocked(data: &Path, now: &str) -> Server {
    Server::start_undated(data, &["--now", now])
}

/// The venue ids of the caller's route, from `/api/plans/current`, and the `current` block.
fn current(server: &Server, token: &str) -> (Vec<i64>, Value) {
    let r = get(&server.url("/api/plans/current"), Some(token));
    assert_eq!(r.status, 200, "{}", r.body);
    let plan = r.json();
    let routes = plan["routes"].as_array().unwrap();
    assert_eq!(routes.len(), 1, "an inspector sees its own route only");
    let stops = routes[0]["stops"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["target"]["kind"] == "venue")
        .filter_map(|s| s["target"]["id"].as_i64())
        .collect();
    (stops, plan["current"].clone())
}

/// The venue ids of the stops on the caller's `routes` layer.
fn layer_stops(server: &Server, token: &str) -> Vec<i64> {
    let r = get(&server.url("/api/layers/routes?kind=stop"), Some(token));
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["properties"]["target"] == "venue")
        .filter_map(|f| f["properties"]["target_id"].as_i64())
        .collect()
}

fn record(server: &Server, token: &str, uuid: &str, venue: i64, at: &str) -> Reply {
    post_json(
        &server.url("/api/inspections"),
        Some(token),
        &json!({
            "client_uuid": uuid,
            "venue_id": venue,
            "started_at": at,
            "outcome": "compliant",
        }),
    )
}

fn app_date(server: &Server, token: Option<&str>) -> Value {
    get(&server.url("/api/app"), token).json()["plan_date"].clone()
}

#[test]
fn a_night_team_keeps_its_plan_past_midnight() {
    let data = demo_copy();
    let teams = std::fs::read_to_string(data.path().join("sample/teams.toml")).unwrap();
    assert!(
        teams.contains("19:00-03:00"),
        "the demo has a night team: {teams}"
    );

    // 23:30: on shift, on the plan of the day.
    let evening = clocked(data.path(), &format!("{DEMO_DATE}T23:30"));
    let night = login(&evening, "inspector1");
    let (stops, now) = current(&evening, &night);
    assert!(stops.len() >= 2, "the night team has stops: {stops:?}");
    assert_eq!(now["date"], DEMO_DATE);
    assert_eq!(now["state"], "on_shift");
    assert_eq!(now["shift_start"], format!("{DEMO_DATE}T19:00"));
    assert_eq!(now["shift_end"], format!("{NEXT_DAY}T03:00"));
    assert_eq!(now["recorded"], json!([]));
    let layer = layer_stops(&evening, &night);
    assert_eq!(
        sorted(layer.clone()),
        sorted(stops.clone()),
        "the layer is the route"
    );
    let r = record(
        &evening,
        &night,
        "5f1e2d3c-0000-4000-8000-000000002340",
        stops[0],
        &format!("{DEMO_DATE}T23:40"),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let (_, now) = current(&evening, &night);
    assert_eq!(now["recorded"], json!([stops[0]]));
    assert_eq!(app_date(&evening, Some(&night)), DEMO_DATE);
    assert_eq!(app_date(&evening, None), DEMO_DATE);
    drop(evening);

    // 00:30 of the next day: the same plan, the same route, the same recorded stop.
    let small_hours = clocked(data.path(), &format!("{NEXT_DAY}T00:30"));
    let night = login(&small_hours, "inspector1");
    let (after_midnight, now) = current(&small_hours, &night);
    assert_eq!(after_midnight, stops, "the same stops after midnight");
    assert_eq!(now["date"], DEMO_DATE);
    assert_eq!(now["state"], "on_shift");
    assert_eq!(now["recorded"], json!([stops[0]]));
    assert_eq!(sorted(layer_stops(&small_hours, &night)), sorted(layer));
    let r = get(&small_hours.url("/api/plans/today"), Some(&night));
    assert_eq!(r.json()["date"], DEMO_DATE, "`today` is the team's plan");
    assert_eq!(app_date(&small_hours, Some(&night)), DEMO_DATE);
    assert_eq!(
        app_date(&small_hours, None),
        DEMO_DATE,
        "a night team is still out on the day before"
    );
    // A record stamped 00:30 belongs to the night's plan.
    let r = record(
        &small_hours,
        &night,
        "5f1e2d3c-0000-4000-8000-000000000030",
        stops[1],
        &format!("{NEXT_DAY}T00:30"),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let (_, now) = current(&small_hours, &night);
    assert_eq!(now["recorded"], json!(sorted(vec![stops[0], stops[1]])));
    // The day team's shift of the 20th is over and the 21st has no plan: none now, no route.
    let day = login(&small_hours, "inspector3");
    let r = get(&small_hours.url("/api/plans/current"), Some(&day));
    assert_eq!(r.status, 404, "{}", r.body);
    assert_eq!(r.json()["error"], "not_found");
    assert!(layer_stops(&small_hours, &day).is_empty());
    // Managers get the plan of the plan day.
    let manager = login(&small_hours, "manager");
    let r = get(&small_hours.url("/api/plans/current"), Some(&manager));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["current"]["date"], DEMO_DATE);
    assert!(r.json()["routes"].as_array().unwrap().len() >= 2);
    drop(small_hours);

    // 03:30: the night is over; the demo planned no next day, and the server says so.
    let morning = clocked(data.path(), &format!("{NEXT_DAY}T03:30"));
    let night = login(&morning, "inspector1");
    let r = get(&morning.url("/api/plans/current"), Some(&night));
    assert_eq!(r.status, 404, "{}", r.body);
    let e = r.json();
    assert_eq!(e["error"], "not_found");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("no plan for your shift"),
        "{e}"
    );
    assert!(layer_stops(&morning, &night).is_empty());
    assert_eq!(app_date(&morning, None), NEXT_DAY);
    // A late upload of the night's work still lands on its plan; a record long after does not.
    let r = record(
        &morning,
        &night,
        "5f1e2d3c-0000-4000-8000-000000000245",
        stops[1],
        &format!("{NEXT_DAY}T02:45"),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let r = record(
        &morning,
        &night,
        "5f1e2d3c-0000-4000-8000-000000001000",
        stops[1],
        &format!("{NEXT_DAY}T10:00"),
    );
    assert_eq!(r.status, 403, "{}", r.body);
    assert!(r.body.contains("not on your team's plan"), "{}", r.body);
}

#[test]
fn now_must_be_a_local_time() {
    let data = demo_copy();
    let out = common::patrolmap(data.path(), &["serve", "--now", "tomorrow"]);
    assert!(!out.status.success());
    assert!(
        common::stderr(&out).contains("--now"),
        "{}",
        common::stderr(&out)
    );
}

fn sorted(mut v: Vec<i64>) -> Vec<i64> {
    v.sort_unstable();
    v.dedup();
    v
}
