//! The planner's story on Berlin-Neukölln, where every lamp is mapped: the lighting run is stable,
//! every blind spot can be checked by hand with `--at`, and more proposals never remove less.

mod common;
use common::*;
use serde_json::Value;

fn neukoelln() -> tempfile::TempDir {
    let data = tempfile::tempdir().unwrap();
    let file = fixture("osm/berlin-neukoelln.osm.pbf");
    let out = patrolmap(data.path(), &["import", "osm", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    data
}

fn lighting_json(data: &std::path::Path, extra: &[&str]) -> Value {
    let mut args = vec!["lighting", "--json"];
    args.extend_from_slice(extra);
    let out = patrolmap(data, &args);
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn the_run_is_stable_and_every_blind_spot_can_be_rederived() {
    let data = neukoelln();
    let first = lighting_json(data.path(), &[]);
    let second = lighting_json(data.path(), &[]);
    assert_eq!(first, second, "two runs on the same data agree");
    let summary = &first["summary"];
    assert_eq!(summary["lamps_lit"], 52);
    assert!(summary["samples"].as_u64().unwrap() > 1000);
    let spots = summary["blind_spots"]["corner"].as_u64().unwrap()
        + summary["blind_spots"]["stretch"].as_u64().unwrap();
    assert!(spots > 10, "{summary}");

    let store = patrolmap::store::Store::open(data.path()).unwrap();
    let stored = store.blind_spots().unwrap();
    assert_eq!(stored.len() as u64, spots);
    for b in stored.iter().step_by(7) {
        let at = format!("{},{}", b.at.lon, b.at.lat);
        let out = patrolmap(data.path(), &["lighting", "--at", &at, "--json"]);
        assert!(out.status.success(), "{}", stderr(&out));
        let point: Value = serde_json::from_slice(&out.stdout).unwrap();
        let lux = point["lux"].as_f64().unwrap();
        assert!(
            (lux - b.lux).abs() < 1e-9,
            "{} at {at}: stored {} lx, --at says {lux} lx",
            b.kind,
            b.lux
        );
        assert!(lux < b.required_min_lx, "a blind spot is below its minimum");
        let shares: f64 = point["lamps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["lux"].as_f64().unwrap())
            .sum();
        assert!(
            (shares - lux).abs() < 1e-9,
            "the lamps' shares add up to the total"
        );
    }
}

#[test]
fn more_proposals_never_remove_less() {
    let data = neukoelln();
    let ten = lighting_json(data.path(), &["--proposals", "10"]);
    let proposals = ten["proposals"].as_array().unwrap();
    assert_eq!(proposals.len(), 10);
    let removed: Vec<f64> = proposals
        .iter()
        .map(|p| p["removed_lx"].as_f64().unwrap())
        .collect();
    assert!(removed.windows(2).all(|w| w[1] >= w[0]), "{removed:?}");
    assert!(
        proposals
            .iter()
            .all(|p| p["gain_lx"].as_f64().unwrap() > 0.0)
    );
    for k in [1, 4] {
        let fewer = lighting_json(data.path(), &["--proposals", &k.to_string()]);
        assert_eq!(
            fewer["proposals"].as_array().unwrap()[..],
            proposals[..k],
            "K = {k} is a prefix of K = 10"
        );
    }
}

#[test]
fn a_bad_point_or_config_is_a_clear_error() {
    let data = neukoelln();
    let out = patrolmap(data.path(), &["lighting", "--at", "13.4,95"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("latitude 95"), "{}", stderr(&out));
    let files = tempfile::tempdir().unwrap();
    let config = write(files.path(), "lighting.toml", "maintenance_factor = 2.0\n");
    let out = patrolmap(
        data.path(),
        &["lighting", "--config", config.to_str().unwrap()],
    );
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("lighting.toml") && err.contains("maintenance_factor"),
        "{err}"
    );
}
