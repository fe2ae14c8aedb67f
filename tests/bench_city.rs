//! `bench city` makes a data folder the real server serves: layers, today's published plans and
//! the accounts are there, and the sizes follow `--scale`.

mod common;

use common::server::{DEMO_DATE, Server, get, login};
use common::{patrolmap, stderr, stdout};
use serde_json::Value;

/// The JSON line `bench city` ends with.
fn city(data: &std::path::Path, scale: &str) -> Value {
    let out = patrolmap(
        data,
        &[
            "bench",
            "city",
            "--scale",
            scale,
            "--seed",
            "3",
            "--date",
            DEMO_DATE,
            "--plan-seconds",
            "0.5",
        ],
    );
    assert!(out.status.success(), "bench city failed: {}", stderr(&out));
    let text = stdout(&out);
    for stage in [
        "streets",
        "areas",
        "registries",
        "teams",
        "history",
        "lighting",
        "plans",
        "basemap",
    ] {
        assert!(text.contains(stage), "no {stage} stage in {text}");
    }
    serde_json::from_str(text.lines().last().unwrap()).unwrap()
}

fn layer_count(layers: &Value, id: &str) -> i64 {
    layers["layers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == id)
        .unwrap_or_else(|| panic!("no layer {id} in {layers}"))["features"]
        .as_i64()
        .unwrap()
}

#[test]
fn a_small_city_is_served_with_its_layers_plans_and_accounts() {
    let data = tempfile::tempdir().unwrap();
    let summary = city(data.path(), "0.02");
    assert!(summary["store_bytes"].as_u64().unwrap() > 0);
    assert!(
        summary["inspections"].as_u64().unwrap() > 1_000,
        "{summary}"
    );

    let server = Server::start(data.path(), &[]);
    let manager = login(&server, "manager");
    let layers = get(&server.url("/api/layers"), Some(&manager)).json();
    // 0.02 of 10,000 venues and 100,000 rentals, and of 200,000 lamps.
    assert_eq!(layer_count(&layers, "venues"), 2_200);
    assert_eq!(layer_count(&layers, "lamps"), 4_000);
    let blind = layer_count(&layers, "blind_spots");
    assert!(blind > 0, "the lighting analysis is stored: {layers}");

    let areas = get(
        &server.url("/api/layers/areas?limit=100000"),
        Some(&manager),
    )
    .json();
    let level = |l: &str| {
        areas["features"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["properties"]["level"] == l)
            .count()
    };
    assert_eq!(level("township"), 10);
    assert_eq!(level("community"), 100);
    assert!(level("grid") > 50, "a 250 m grid over the city");

    let plan = get(&server.url("/api/plans/current"), Some(&manager));
    assert_eq!(plan.status, 200, "{}", plan.body);
    let plan = plan.json();
    assert_eq!(plan["current"]["date"], DEMO_DATE);
    let routes = plan["routes"].as_array().unwrap();
    assert!(
        (1..=3).contains(&routes.len()),
        "0.02 of 200 teams, less the lamp crew: {}",
        routes.len()
    );
    assert!(
        routes
            .iter()
            .any(|r| !r["stops"].as_array().unwrap().is_empty()),
        "today's plan has stops: {plan}"
    );

    // Every inspection team has its inspector, who sees the published plan of their team.
    let inspector = login(&server, "inspector1");
    let mine = get(&server.url("/api/plans/current"), Some(&inspector));
    assert_eq!(mine.status, 200, "{}", mine.body);
    assert_eq!(mine.json()["routes"].as_array().unwrap().len(), 1);
    for user in ["admin", "planner", "inspector3"] {
        login(&server, user);
    }
    let nobody = common::server::post_json(
        &server.url("/api/login"),
        None,
        &serde_json::json!({ "username": "inspector4", "password": common::server::DEMO_PASSWORD }),
    );
    assert_eq!(nobody.status, 401, "only three inspection teams at 0.02");

    let basemap = data.path().join("tiles").join("basemap.pmtiles");
    assert!(std::fs::metadata(&basemap).unwrap().len() > 10_000);
    drop(server);

    // The same folder again is refused, not doubled.
    let again = patrolmap(data.path(), &["bench", "city", "--scale", "0.02"]);
    assert!(!again.status.success());
    assert!(
        stderr(&again).contains("already holds a city"),
        "{}",
        stderr(&again)
    );
}
