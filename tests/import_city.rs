//! The administrator's story with good files: the demo city, a real extract imported twice, and a
//! registry in Chinese map coordinates.

mod common;
use common::*;
use patrolmap::ingest::Crs;
use patrolmap::model::{LocalFrame, LonLat};
use serde_json::Value;

#[test]
fn demo_prepares_the_bundled_city() {
    let data = tempfile::tempdir().unwrap();
    let out = patrolmap(data.path(), &["demo", "--no-serve"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("lamps"), "the demo prints counts");
    let out = patrolmap(data.path(), &["stats", "--json"]);
    let stats: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(stats["lamps"], 586);
    let venues = &stats["venues"];
    for kind in ["entertainment", "bathhouse", "rental"] {
        assert!(
            venues[kind].as_i64().unwrap() > 0,
            "no {kind} venues: {stats}"
        );
    }
    let total = stats["venues_total"].as_i64().unwrap();
    assert!((300..1000).contains(&total), "{total} venues");
    assert_eq!(
        stats["venues_sample"], total,
        "every generated venue is marked sample"
    );
    assert!(stats["street_edges"].as_i64().unwrap() > 1000);
    let corners =
        stats["corners"]["junction"].as_i64().unwrap() + stats["corners"]["bend"].as_i64().unwrap();
    assert!(corners > 1000);
    for level in ["township", "community", "grid"] {
        assert!(
            stats["areas"][level].as_i64().unwrap() > 0,
            "no {level} areas: {stats}"
        );
    }
    // The indexes built from the store answer in metres: every venue stands near a street, and
    // the lamps nearest to a venue are the ones a brute-force scan finds.
    let store = patrolmap::store::Store::open(data.path()).unwrap();
    let index = store.city_index().unwrap();
    let venues = store.venues().unwrap();
    let lamps = store.lamps().unwrap();
    assert_eq!((index.venues.len(), index.lamps.len()), (venues.len(), 586));
    for v in venues.iter().step_by(25) {
        let snap = index.streets.snap(v.position).unwrap();
        assert!(
            snap.distance_m < 150.0,
            "{} is {} m from any street",
            v.name,
            snap.distance_m
        );
        let nearest = index.lamps.nearest(v.position, 1)[0];
        let brute = lamps
            .iter()
            .map(|l| index.frame.distance_m(v.position, l.position))
            .fold(f64::INFINITY, f64::min);
        assert!((nearest.distance_m - brute).abs() < 1e-6);
    }

    // A second demo run changes nothing.
    let again = patrolmap(data.path(), &["demo", "--no-serve"]);
    assert!(again.status.success());
    let after: Value =
        serde_json::from_slice(&patrolmap(data.path(), &["stats", "--json"]).stdout).unwrap();
    assert_eq!(stats, after);
    assert!(
        !stdout(&again).contains("inserted      1"),
        "{}",
        stdout(&again)
    );
}

#[test]
fn prague_reports_missing_nodes_and_reimports_unchanged() {
    let data = tempfile::tempdir().unwrap();
    let file = fixture("osm/prague-small.osm.pbf");
    let first = patrolmap(data.path(), &["import", "osm", file.to_str().unwrap()]);
    assert!(first.status.success(), "{}", stderr(&first));
    let text = stdout(&first);
    assert!(text.contains("7637 way→node references"), "{text}");
    let second = patrolmap(data.path(), &["import", "osm", file.to_str().unwrap()]);
    let text = stdout(&second);
    assert!(text.contains("nothing changed"), "{text}");
    assert!(
        !text.contains("updated      1") && text.contains("inserted      0"),
        "{text}"
    );
}

#[test]
fn gcj02_registry_lands_on_its_wgs84_position() {
    let data = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    // A KTV in Beijing: its true (WGS-84) position, as AMap would publish it (GCJ-02).
    let truth = LonLat::new(116.397_428, 39.909_230);
    let published = Crs::Gcj02.from_wgs84(truth);
    let path = write(
        files.path(),
        "amap.csv",
        &format!(
            "编号,名称,类别,经度,纬度\nbj-1,金樽KTV,娱乐场所,{},{}\n",
            published.lon, published.lat
        ),
    );
    let out = patrolmap(
        data.path(),
        &[
            "import",
            "venues",
            path.to_str().unwrap(),
            "--crs",
            "gcj02",
            "--columns",
            "source_id=编号,name=名称,kind=类别,lon=经度,lat=纬度",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let store = patrolmap::store::Store::open(data.path()).unwrap();
    let venue = &store.venues().unwrap()[0];
    let frame = LocalFrame::new(truth);
    assert!(
        frame.distance_m(truth, published) > 100.0,
        "GCJ-02 is offset by hundreds of metres"
    );
    let error_m = frame.distance_m(truth, venue.position);
    assert!(error_m < 1.0, "landed {error_m} m from the reference");
}

#[test]
fn registry_reimport_updates_instead_of_duplicating() {
    let data = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let ok = fixture("registry/venues-ok.csv");
    assert!(
        patrolmap(data.path(), &["import", "venues", ok.to_str().unwrap()])
            .status
            .success()
    );
    let changed = std::fs::read_to_string(&ok)
        .unwrap()
        .replace("金樽KTV", "金樽KTV（新）");
    let path = write(files.path(), "venues.csv", &changed);
    let out = patrolmap(data.path(), &["import", "venues", path.to_str().unwrap()]);
    let text = stdout(&out);
    assert!(
        text.contains("inserted      0")
            && text.contains("updated      1")
            && text.contains("unchanged      2"),
        "{text}"
    );
    let store = patrolmap::store::Store::open(data.path()).unwrap();
    assert_eq!(store.venues().unwrap().len(), 3);
}
