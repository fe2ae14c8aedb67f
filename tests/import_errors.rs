//! The administrator's story with bad files: every refusal names the file, the place and the
//! field, and leaves the store exactly as it was.

mod common;
use common::*;

/// A store with a registry already in it, so "unchanged" means something.
fn seeded() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let ok = fixture("registry/venues-ok.csv");
    let out = patrolmap(dir.path(), &["import", "venues", ok.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    dir
}

/// Imports `text` as `name` and returns the error text, checking the store did not change.
fn refused(kind: &str, name: &str, text: &str) -> String {
    let data = seeded();
    let files = tempfile::tempdir().unwrap();
    let path = write(files.path(), name, text);
    let before = fingerprint(data.path());
    let out = patrolmap(data.path(), &["import", kind, path.to_str().unwrap()]);
    assert!(
        !out.status.success(),
        "import of {name} should fail:\n{}",
        stdout(&out)
    );
    assert_eq!(
        before,
        fingerprint(data.path()),
        "the store changed after a refused import"
    );
    let err = stderr(&out);
    assert!(err.contains(name), "error does not name the file: {err}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

const HEADER: &str = "source_id,name,kind,lon,lat\n";

#[test]
fn malformed_csv_names_the_line() {
    let err = refused(
        "venues",
        "bad.csv",
        &format!("{HEADER}a,KTV,entertainment,24.9,60.1\nb,Bar,entertainment,24.9\n"),
    );
    assert!(err.contains("line 3") && err.contains("fields"), "{err}");
}

#[test]
fn missing_column_names_the_field() {
    let err = refused(
        "venues",
        "nolat.csv",
        "source_id,name,kind,lon\na,KTV,entertainment,24.9\n",
    );
    assert!(
        err.contains("field `lat`") && err.contains("missing column"),
        "{err}"
    );
}

#[test]
fn nan_coordinate_names_the_row_and_field() {
    let err = refused(
        "venues",
        "nan.csv",
        &format!("{HEADER}a,KTV,entertainment,NaN,60.1\n"),
    );
    assert!(
        err.contains("line 2") && err.contains("field `lon`") && err.contains("finite"),
        "{err}"
    );
}

#[test]
fn out_of_range_coordinate_is_refused() {
    let err = refused(
        "venues",
        "far.csv",
        &format!("{HEADER}a,KTV,entertainment,24.9,95.0\n"),
    );
    assert!(err.contains("line 2") && err.contains("-90..90"), "{err}");
}

#[test]
fn unknown_kind_names_the_field() {
    let err = refused(
        "venues",
        "kind.csv",
        &format!("{HEADER}a,KTV,entertainment,24.9,60.1\nb,Gym,gym,24.9,60.1\n"),
    );
    assert!(
        err.contains("line 3") && err.contains("field `kind`") && err.contains("\"gym\""),
        "{err}"
    );
}

#[test]
fn one_bad_row_refuses_the_whole_file() {
    // The first row is good, but nothing of the file may land.
    let err = refused(
        "venues",
        "mixed.csv",
        &format!("{HEADER}new-1,KTV,entertainment,24.9,60.1\nnew-2,Bar,bar,24.9,60.1\n"),
    );
    assert!(err.contains("--skip-invalid"), "{err}");
}

#[test]
fn malformed_geojson_names_the_line() {
    let err = refused(
        "venues",
        "bad.geojson",
        "{\"type\": \"FeatureCollection\",\n \"features\": [\n {\"type\": \"Feature\",, }]}",
    );
    assert!(
        err.contains("line 3") && err.contains("malformed JSON"),
        "{err}"
    );
}

#[test]
fn geojson_feature_names_its_index() {
    let text = r#"{"type":"FeatureCollection","features":[
      {"type":"Feature","geometry":{"type":"Point","coordinates":[24.9,60.1]},"properties":{"source_id":"a","name":"A","kind":"rental"}},
      {"type":"Feature","geometry":{"type":"Point","coordinates":[240.9,60.1]},"properties":{"source_id":"b","name":"B","kind":"rental"}}]}"#;
    let err = refused("venues", "far.geojson", text);
    assert!(
        err.contains("feature 1") && err.contains("field `geometry`") && err.contains("-180..180"),
        "{err}"
    );
}

#[test]
fn polygon_that_does_not_close_is_refused() {
    let text = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"source_id":"t1","name":"东华街道","level":"township"},
      "geometry":{"type":"Polygon","coordinates":[[[24.93,60.16],[24.95,60.16],[24.95,60.18],[24.93,60.18]]]}}]}"#;
    let err = refused("areas", "open.geojson", text);
    assert!(
        err.contains("feature 0")
            && err.contains("field `geometry`")
            && err.contains("does not close"),
        "{err}"
    );
}

#[test]
fn malformed_pbf_is_refused() {
    let data = seeded();
    let files = tempfile::tempdir().unwrap();
    let mut bytes = std::fs::read(fixture("osm/berlin-neukoelln.osm.pbf")).unwrap();
    bytes.truncate(bytes.len() / 2);
    let path = files.path().join("cut.osm.pbf");
    std::fs::write(&path, bytes).unwrap();
    let before = fingerprint(data.path());
    let out = patrolmap(data.path(), &["import", "osm", path.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("cut.osm.pbf") && err.contains("not a readable OSM PBF"),
        "{err}"
    );
    assert_eq!(before, fingerprint(data.path()));
}

#[test]
fn unreadable_file_is_refused() {
    let data = seeded();
    let before = fingerprint(data.path());
    let out = patrolmap(
        data.path(),
        &["import", "venues", "/nonexistent/venues.csv"],
    );
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("/nonexistent/venues.csv") && err.contains("cannot read"),
        "{err}"
    );
    assert_eq!(before, fingerprint(data.path()));
}

#[test]
fn skip_invalid_imports_the_good_rows_and_writes_the_rejects() {
    let data = seeded();
    let files = tempfile::tempdir().unwrap();
    let path = write(
        files.path(),
        "mixed.csv",
        &format!(
            "{HEADER}new-1,KTV,entertainment,24.9,60.1\nnew-2,Bar,bar,24.9,60.1\nnew-3,Sauna,bathhouse,24.9,NaN\n"
        ),
    );
    let rejects = files.path().join("rejects.csv");
    let out = patrolmap(
        data.path(),
        &[
            "import",
            "venues",
            path.to_str().unwrap(),
            "--skip-invalid",
            "--rejects",
            rejects.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("inserted      1") && stdout(&out).contains("rejected 2"),
        "{}",
        stdout(&out)
    );
    let written = std::fs::read_to_string(&rejects).unwrap();
    assert!(
        written.contains("line 3,kind,") && written.contains("line 4,lat,"),
        "{written}"
    );
    let store = patrolmap::store::Store::open(data.path()).unwrap();
    assert_eq!(store.venues().unwrap().len(), 4);
}
