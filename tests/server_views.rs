//! The web map's JSON views on the demo: their shapes, who may read them, and that each figure
//! equals the one the command line or the store gives for the same question.

mod common;
use common::cli_json;
use common::server::*;
use serde_json::{Value, json};
use std::collections::BTreeMap;

fn days_between(a: &str, b: &str) -> i64 {
    let parse = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    (parse(b) - parse(a)).num_days()
}

#[test]
fn the_app_boots_without_a_sign_in() {
    let data = demo_copy();
    let server = Server::start(data.path(), &[]);
    let r = get(&server.url("/api/app"), None);
    assert_eq!(r.status, 200, "{}", r.body);
    let app = r.json();
    assert_eq!(app["plan_date"], DEMO_DATE);
    assert_eq!(app["utc_offset_minutes"], 480);
    assert_eq!(app["attribution"], "© OpenStreetMap contributors (ODbL)");
    assert_eq!(
        app["kinds"],
        json!(["entertainment", "bathhouse", "rental", "other"])
    );
    assert_eq!(
        app["outcomes"],
        json!([
            "compliant",
            "violation",
            "drug_related",
            "closed_on_arrival",
            "refused_entry"
        ])
    );
    for kind in app["kinds"].as_array().unwrap() {
        let items = app["checklists"][kind.as_str().unwrap()]
            .as_array()
            .unwrap();
        assert!(!items.is_empty(), "{kind}");
        for item in items {
            for key in ["id", "zh", "en"] {
                assert!(!item[key].as_str().unwrap().is_empty(), "{kind}: {item}");
            }
        }
    }
    assert_eq!(app["gps"]["poor_accuracy_m"], 50.0);
    assert_eq!(app["gps"]["far_from_venue_m"], 150.0);

    // The basemap as the archive's header gives it, and the archive where the app says it is.
    let basemap = &app["basemap"];
    let archive = basemap["archive"].as_str().unwrap();
    assert_eq!(archive, "/tiles/basemap.pmtiles");
    let b: Vec<f64> = basemap["bounds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert!(b.len() == 4 && b[0] < b[2] && b[1] < b[3], "{b:?}");
    let c = &basemap["center"];
    let (lon, lat) = (c[0].as_f64().unwrap(), c[1].as_f64().unwrap());
    assert!(b[0] <= lon && lon <= b[2] && b[1] <= lat && lat <= b[3]);
    let tilejson = get(&server.url("/tiles/basemap.json"), None).json();
    assert_eq!(basemap["minzoom"], tilejson["minzoom"]);
    assert_eq!(basemap["maxzoom"], tilejson["maxzoom"]);
    assert_eq!(get(&server.url(archive), None).status, 200);

    // Without the archive the map has no basemap, and the app still boots.
    std::fs::remove_file(data.path().join("tiles/basemap.pmtiles")).unwrap();
    let bare = get(&server.url("/api/app"), None);
    assert_eq!(bare.status, 200, "{}", bare.body);
    assert_eq!(bare.json()["basemap"], Value::Null);
}

#[test]
fn each_view_checks_the_role() {
    let data = demo_copy();
    let server = Server::start(data.path(), &[]);
    // (path, roles that may read it)
    let views: [(&str, &[&str]); 4] = [
        (
            "/api/lighting/at?lon=24.94&lat=60.17",
            &["planner", "manager", "admin"],
        ),
        ("/api/findings", &["planner", "manager", "admin"]),
        ("/api/overdue", &["manager", "admin"]),
        ("/api/coverage", &["planner", "manager", "admin"]),
    ];
    for (path, _) in &views {
        let r = get(&server.url(path), None);
        assert_eq!(r.status, 401, "{path} without a token");
        assert!(r.json()["error"].is_string());
    }
    for user in ["inspector1", "planner", "manager", "admin"] {
        let token = login(&server, user);
        for (path, allowed) in &views {
            let r = get(&server.url(path), Some(&token));
            let want = if allowed.contains(&user) { 200 } else { 403 };
            assert_eq!(r.status, want, "{user} on {path}: {}", r.body);
        }
    }
}

/// A point three metres east of a lamp that lights, as the planner sees the lamps layer.
fn point_by_a_lamp(server: &Server, token: &str) -> (f64, f64) {
    let lamps = get(&server.url("/api/layers/lamps"), Some(token)).json();
    let lamp = lamps["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["properties"]["status"] != "broken")
        .expect("a lamp that lights");
    let at = &lamp["geometry"]["coordinates"];
    (at[0].as_f64().unwrap() + 0.00005, at[1].as_f64().unwrap())
}

#[test]
fn lighting_at_a_point_is_the_cli_figure_and_the_sum_of_its_lamps() {
    let data = demo_copy();
    let server = Server::start(data.path(), &[]);
    let token = login(&server, "planner");
    let t = Some(token.as_str());
    let (lon, lat) = point_by_a_lamp(&server, &token);
    let url = server.url(&format!("/api/lighting/at?lon={lon}&lat={lat}"));
    let r = get(&url, t);
    assert_eq!(r.status, 200, "{}", r.body);
    let mut answer = r.json();
    let lamps = answer["lamps"].as_array().unwrap().clone();
    assert!(!lamps.is_empty(), "{answer}");
    for l in &lamps {
        for key in [
            "id",
            "lon",
            "lat",
            "height_m",
            "flux_lm",
            "distance_m",
            "lux",
        ] {
            assert!(l[key].is_number(), "{key} in {l}");
        }
    }
    let sum: f64 = lamps.iter().map(|l| l["lux"].as_f64().unwrap()).sum();
    let lux = answer["lux"].as_f64().unwrap();
    assert!(
        lux > 0.0 && (lux - sum).abs() <= 1e-9 * lux,
        "{lux} ≠ Σ {sum}"
    );

    let street = answer["nearest_street"].clone();
    assert!(street.is_object(), "a lamp stands by a street: {answer}");
    let (avg, min) = (
        street["required_avg_lux"].as_f64().unwrap(),
        street["required_min_lux"].as_f64().unwrap(),
    );
    assert!(0.0 <= min && min <= avg, "{street}");
    assert!(street["distance_m"].as_f64().unwrap() <= 50.0);
    assert!(street["road_class"].is_string() && street["lighting_class"].is_string());

    // Everything but the street is what `patrolmap lighting --at --json` prints, to the bit.
    answer.as_object_mut().unwrap().remove("nearest_street");
    let at = format!("{lon},{lat}");
    let cli = cli_json(&server.data, &["lighting", "--at", &at, "--json"]);
    assert_eq!(answer, cli);

    // A broken lamp gives no light: the cached model follows the store.
    let brightest = lamps[0]["id"].as_i64().unwrap();
    let r = send(
        "PUT",
        &server.url(&format!("/api/lamps/{brightest}/status")),
        t,
        "application/json",
        json!({ "status": "broken" }).to_string().as_bytes(),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let after = get(&url, t).json();
    assert!(after["lux"].as_f64().unwrap() < lux, "{after}");
    assert!(
        after["lamps"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["id"] != brightest)
    );
}

#[test]
fn lighting_at_names_the_bad_field() {
    let data = demo_copy();
    let server = Server::start(data.path(), &[]);
    let token = login(&server, "planner");
    for (query, field) in [
        ("lat=60.17", "lon"),
        ("lon=24.94", "lat"),
        ("lon=abc&lat=60.17", "lon"),
        ("lon=24.94&lat=NaN", "lat"),
        ("lon=200&lat=60.17", "lon"),
        ("lon=24.94&lat=-91", "lat"),
        ("lon=24.94&lat=60.17&radius=5", "radius"),
    ] {
        let r = get(
            &server.url(&format!("/api/lighting/at?{query}")),
            Some(&token),
        );
        assert_eq!(r.status, 400, "{query}: {}", r.body);
        assert_eq!(r.json()["field"], field, "{query}: {}", r.body);
    }
}

#[test]
fn weekly_findings_add_up_to_the_coverage_count() {
    let data = demo_copy();
    let server = Server::start(data.path(), &[]);
    let token = login(&server, "manager");
    let t = Some(token.as_str());
    let weeks_of = |query: &str| {
        let r = get(&server.url(&format!("/api/findings{query}")), t);
        assert_eq!(r.status, 200, "{query}: {}", r.body);
        r.json()["weeks"].as_array().unwrap().clone()
    };
    let weeks = weeks_of("");
    assert_eq!(weeks.len(), 8);
    let outcomes = [
        "compliant",
        "violation",
        "drug_related",
        "closed_on_arrival",
        "refused_entry",
    ];
    for (i, w) in weeks.iter().enumerate() {
        let start = w["week_start"].as_str().unwrap();
        assert_eq!(
            days_between(start, DEMO_DATE),
            7 * (7 - i as i64) + 6,
            "{w}"
        );
        let by_outcome: u64 = outcomes.iter().map(|o| w[o].as_u64().unwrap()).sum();
        assert_eq!(w["inspections"].as_u64().unwrap(), by_outcome, "{w}");
    }
    let total = |key: &str| -> u64 { weeks.iter().map(|w| w[key].as_u64().unwrap()).sum() };
    assert!(total("inspections") > 0, "the demo has a history");

    // The same 56 days by the coverage report's own count.
    let coverage = cli_json(
        &server.data,
        &[
            "coverage",
            "--date",
            DEMO_DATE,
            "--period-days",
            "56",
            "--json",
        ],
    );
    assert_eq!(total("inspections"), coverage["total"]["inspections"]);
    assert_eq!(
        total("violation") + total("drug_related"),
        coverage["total"]["findings"]
    );
    assert_eq!(weeks_of("?weeks=52").len(), 52);
    assert_eq!(weeks_of("?weeks=1")[0], weeks[7]);

    // A drug finding recorded today lands in the newest week.
    let venues = get(&server.url("/api/overdue"), t).json();
    let venue = venues["venues"][0]["id"].as_i64().unwrap();
    let r = post_json(
        &server.url("/api/inspections"),
        t,
        &json!({
            "client_uuid": "6a0f3c55-1d2e-4f7a-9b8c-000000000001",
            "venue_id": venue,
            "started_at": format!("{DEMO_DATE}T10:00"),
            "outcome": "drug_related",
        }),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let newest = &weeks_of("")[7];
    assert_eq!(
        newest["drug_related"],
        weeks[7]["drug_related"].as_u64().unwrap() + 1
    );
    assert_eq!(
        newest["inspections"],
        weeks[7]["inspections"].as_u64().unwrap() + 1
    );

    for bad in ["0", "53", "-1", "abc"] {
        let r = get(&server.url(&format!("/api/findings?weeks={bad}")), t);
        assert_eq!(r.status, 400, "{bad}: {}", r.body);
        assert_eq!(r.json()["field"], "weeks");
    }
}

#[test]
fn every_overdue_venue_is_one_coverage_counts_as_overdue() {
    let data = demo_copy();
    let server = Server::start(data.path(), &[]);
    let token = login(&server, "manager");
    let r = get(&server.url("/api/overdue?limit=500"), Some(&token));
    assert_eq!(r.status, 200, "{}", r.body);
    let answer = r.json();
    assert_eq!(answer["date"], DEMO_DATE);
    let venues = answer["venues"].as_array().unwrap();
    assert_eq!(
        answer["total"],
        venues.len(),
        "the demo's list fits one page"
    );
    assert!(!venues.is_empty(), "the demo has overdue venues");

    // Never inspected first, then by days overdue; the days are the coverage rule's.
    let mut last_days = i64::MAX;
    for v in venues {
        for key in ["id", "frequency_days", "lon", "lat"] {
            assert!(v[key].is_number(), "{key} in {v}");
        }
        for key in ["name", "kind"] {
            assert!(v[key].is_string(), "{key} in {v}");
        }
        let days = match v["last_inspected_at"].as_str() {
            None => {
                assert_eq!(v["days_overdue"], Value::Null, "{v}");
                i64::MAX
            }
            Some(last) => {
                let days = days_between(last, DEMO_DATE) - v["frequency_days"].as_i64().unwrap();
                assert!(days > 0, "{v}");
                assert_eq!(v["days_overdue"], days, "{v}");
                days
            }
        };
        assert!(days <= last_days, "not most overdue first at {v}");
        last_days = days;
    }

    // Per township, the list counts what the coverage report counts as overdue.
    let coverage = cli_json(
        &server.data,
        &[
            "coverage", "--date", DEMO_DATE, "--level", "township", "--json",
        ],
    );
    assert_eq!(coverage["total"]["overdue"], venues.len());
    let mut listed: BTreeMap<String, u64> = BTreeMap::new();
    for v in venues {
        let township = v["township"].as_str().unwrap_or("outside every area");
        *listed.entry(township.to_string()).or_default() += 1;
    }
    let counted: BTreeMap<String, u64> = coverage["areas"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["overdue"].as_u64().unwrap() > 0)
        .map(|a| {
            (
                a["name"].as_str().unwrap().to_string(),
                a["overdue"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(listed, counted);
}

/// The planner's map draws the crews' routes only: `left_out=false` answers them without the
/// list of work left out (16,000 lamps and 2.5 MB on the synthetic city), and nothing else
/// changes.
#[test]
fn a_plan_can_be_asked_for_without_its_left_out_work() {
    let data = demo_copy();
    let server = Server::start(data.path(), &[]);
    let token = login(&server, "planner");
    let whole = get(&server.url("/api/plans/today?duty=lighting"), Some(&token));
    assert_eq!(whole.status, 200, "{}", whole.body);
    let routes = get(
        &server.url("/api/plans/today?duty=lighting&left_out=false"),
        Some(&token),
    );
    assert_eq!(routes.status, 200, "{}", routes.body);
    let (whole, routes) = (whole.json(), routes.json());
    assert_eq!(routes["left_out"], json!([]));
    assert_eq!(routes["routes"], whole["routes"]);
    assert_eq!(routes["summary"], whole["summary"]);
    let bad = get(
        &server.url("/api/plans/today?duty=lighting&left_out=maybe"),
        Some(&token),
    );
    assert_eq!(bad.status, 400);
    assert_eq!(bad.json()["field"], "left_out", "{}", bad.body);
}
