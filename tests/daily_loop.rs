//! The district's loop, through the real binary and a real SQLite file: a violation raises a
//! follow-up with its deadline, the next plan carries the venue as a mandatory stop, a compliant
//! re-inspection closes the follow-up, and coverage counts it. Also: GPX that a GPX parser reads,
//! retried records that change nothing, and a changed body under a used UUID refused.

mod common;
use common::*;
use serde_json::Value;

const TEAMS: &str = r#"
[[team]]
name = "夜查一组"
units = ["commerce", "police"]
depot = [24.9430, 60.1700]
shift = "19:00-03:00"
mode = "ebike"
"#;

fn json(out: &std::process::Output) -> Value {
    assert!(out.status.success(), "{}", stderr(out));
    serde_json::from_str(&stdout(out)).unwrap_or_else(|e| panic!("{e}: {}", stdout(out)))
}

fn ok(out: std::process::Output) -> String {
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
}

#[test]
fn violation_follow_up_mandatory_stop_reinspection_coverage() {
    let data = tempfile::tempdir().unwrap();
    let d = data.path();
    let osm = fixture("osm/helsinki-centre.osm.pbf");
    ok(patrolmap(d, &["import", "osm", osm.to_str().unwrap()]));
    let registry = fixture("registry/venues-ok.csv");
    ok(patrolmap(
        d,
        &["import", "venues", registry.to_str().unwrap()],
    ));
    ok(patrolmap(d, &["grid", "--cell-m", "500"]));
    let teams = write(d, "teams.toml", TEAMS);

    // A violation at the KTV on the 20th: a follow-up due within 7 days.
    let out = ok(patrolmap(
        d,
        &[
            "inspection",
            "record",
            "--venue",
            "reg-001",
            "--outcome",
            "violation",
            "--at",
            "2026-11-20T21:10",
            "--uuid",
            "6f1c1d7e-4b8a-4d2f-9c3e-111111111111",
        ],
    ));
    assert!(out.contains("deadline 2026-11-27"), "{out}");
    let open = json(&patrolmap(d, &["inspection", "follow-ups", "--json"]));
    assert_eq!(open.as_array().unwrap().len(), 1);
    assert_eq!(open[0]["deadline"], "2026-11-27");
    assert_eq!(open[0]["responsible_unit"], "区商务局");
    assert_eq!(open[0]["status"], "open");

    // Recording the same UUID and body again is a retry: nothing new. Another body is refused.
    let again = ok(patrolmap(
        d,
        &[
            "inspection",
            "record",
            "--venue",
            "reg-001",
            "--outcome",
            "violation",
            "--at",
            "2026-11-20T21:10",
            "--uuid",
            "6f1c1d7e-4b8a-4d2f-9c3e-111111111111",
        ],
    ));
    assert!(again.contains("already recorded"), "{again}");
    let changed = patrolmap(
        d,
        &[
            "inspection",
            "record",
            "--venue",
            "reg-001",
            "--outcome",
            "compliant",
            "--at",
            "2026-11-20T21:10",
            "--uuid",
            "6f1c1d7e-4b8a-4d2f-9c3e-111111111111",
        ],
    );
    assert!(!changed.status.success());
    assert!(
        stderr(&changed).contains("other contents"),
        "{}",
        stderr(&changed)
    );

    // The plan for the 26th (deadline the 27th, within the lead days) must visit the KTV.
    let exports = d.join("routes");
    let plan = json(&patrolmap(
        d,
        &[
            "plan",
            "--publish",
            "--date",
            "2026-11-26",
            "--teams",
            teams.to_str().unwrap(),
            "--seconds",
            "1",
            "--json",
            "--export",
            exports.to_str().unwrap(),
        ],
    ));
    let stops = plan["routes"][0]["stops"].as_array().unwrap();
    let ktv = stops
        .iter()
        .find(|s| s["name"] == "金樽KTV")
        .expect("the KTV is on the route");
    assert_eq!(ktv["mandatory"], true);
    assert_eq!(ktv["reason"]["follow_ups"][0]["deadline"], "2026-11-27");
    // Its 25-minute inspection fits inside 20:00–02:00.
    let start = ktv["start_s"].as_i64().unwrap();
    assert!(
        (20 * 3600..=26 * 3600 - 25 * 60).contains(&start),
        "{start}"
    );
    let terms: f64 = ktv["reason"]["terms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["points"].as_f64().unwrap())
        .sum();
    assert!((terms - ktv["score"].as_f64().unwrap()).abs() < 1e-6);
    assert_eq!(plan["summary"]["mandatory"], 1);
    assert_eq!(plan["summary"]["mandatory_unserved"], 0);

    // The exported GPX is GPX 1.1 that a parser reads back, stops as waypoints, path as track.
    let gpx_file = std::fs::read_dir(&exports)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "gpx"))
        .expect("a GPX file per team");
    let gpx = gpx::read(std::fs::File::open(&gpx_file).unwrap()).unwrap();
    assert_eq!(gpx.version, gpx::GpxVersion::Gpx11);
    assert_eq!(gpx.waypoints.len(), stops.len());
    assert!(gpx.tracks[0].segments[0].points.len() >= 2);
    let geojson: Value =
        serde_json::from_str(&std::fs::read_to_string(gpx_file.with_extension("geojson")).unwrap())
            .unwrap();
    assert_eq!(geojson["type"], "FeatureCollection");
    assert_eq!(geojson["features"][0]["geometry"]["type"], "LineString");

    // The compliant re-inspection closes the follow-up.
    let out = ok(patrolmap(
        d,
        &[
            "inspection",
            "record",
            "--venue",
            "reg-001",
            "--outcome",
            "compliant",
            "--at",
            "2026-11-26T21:40",
            "--uuid",
            "6f1c1d7e-4b8a-4d2f-9c3e-222222222222",
        ],
    ));
    assert!(out.contains("follow-up 1 closed"), "{out}");
    let open = json(&patrolmap(d, &["inspection", "follow-ups", "--json"]));
    assert!(open.as_array().unwrap().is_empty());
    let done = json(&patrolmap(
        d,
        &["inspection", "follow-ups", "--status", "done", "--json"],
    ));
    assert_eq!(done[0]["closed_by_inspection_id"], 2);

    // Coverage counts it: the KTV is covered, the two others never inspected are overdue.
    let cov = json(&patrolmap(
        d,
        &[
            "coverage",
            "--date",
            "2026-11-26",
            "--level",
            "grid",
            "--json",
        ],
    ));
    let total = &cov["total"];
    assert_eq!(total["active"], 3);
    assert_eq!(total["covered"], 1);
    assert_eq!(total["overdue"], 2);
    assert_eq!(total["inspections"], 2);
    assert_eq!(total["findings"], 1);
    assert_eq!(total["open_follow_ups"], 0);
    let cell = cov["areas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["covered"] == 1)
        .expect("the KTV's grid cell");
    assert_eq!(cell["inspections_by_inspector"]["unknown"], 2);
}

#[test]
fn a_drug_finding_suspends_the_venue_until_a_manager_clears_it() {
    let data = tempfile::tempdir().unwrap();
    let d = data.path();
    let registry = fixture("registry/venues-ok.csv");
    ok(patrolmap(
        d,
        &["import", "venues", registry.to_str().unwrap()],
    ));
    let out = ok(patrolmap(
        d,
        &[
            "inspection",
            "record",
            "--venue",
            "reg-002",
            "--outcome",
            "drug_related",
            "--at",
            "2026-11-20T15:00",
            "--uuid",
            "0b9d7c52-0e55-4a41-8f0a-333333333333",
        ],
    ));
    assert!(out.contains("suspended"), "{out}");
    let open = json(&patrolmap(d, &["inspection", "follow-ups", "--json"]));
    assert_eq!(open[0]["responsible_unit"], "属地派出所");
    assert_eq!(open[0]["deadline"], "2026-11-23");
    let cleared = ok(patrolmap(
        d,
        &["inspection", "clear-suspension", "--venue", "reg-002"],
    ));
    assert!(cleared.contains("active again"));
    let twice = patrolmap(d, &["inspection", "clear-suspension", "--venue", "reg-002"]);
    assert!(!twice.status.success());
    assert!(
        stderr(&twice).contains("not suspended"),
        "{}",
        stderr(&twice)
    );
}
