//! No input may panic the importer: arbitrary bytes, mangled rows and damaged PBF files all end in
//! a clear error or a clean parse.

mod common;
use common::fixture;
use patrolmap::ingest::Crs;
use patrolmap::ingest::osm::read_osm_from;
use patrolmap::ingest::registry::{ColumnMap, parse_areas, parse_lamps, parse_venues};
use proptest::prelude::*;
use std::path::Path;

fn parse_all(dir: &Path, name: &str, bytes: &[u8]) {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    let columns = ColumnMap::default();
    for crs in [Crs::Wgs84, Crs::Gcj02] {
        let _ = parse_venues(&path, &columns, crs);
        let _ = parse_lamps(&path, &columns, crs);
        let _ = parse_areas(&path, &columns, crs);
    }
}

fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("NaN".to_string()),
        Just("inf".to_string()),
        Just("-1e309".to_string()),
        Just("entertainment".to_string()),
        Just("\"quoted, with comma\"".to_string()),
        any::<f64>().prop_map(|f| f.to_string()),
        "[^\n]{0,12}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let dir = tempfile::tempdir().unwrap();
        parse_all(dir.path(), "x.csv", &bytes);
        parse_all(dir.path(), "x.geojson", &bytes);
    }

    #[test]
    fn mangled_csv_rows_never_panic(rows in proptest::collection::vec(proptest::collection::vec(cell(), 0..8), 0..6)) {
        let dir = tempfile::tempdir().unwrap();
        let mut text = String::from("source_id,name,kind,lon,lat,height_m,flux_lm,complaints\n");
        for row in rows {
            text.push_str(&row.join(","));
            text.push('\n');
        }
        parse_all(dir.path(), "rows.csv", text.as_bytes());
    }

    #[test]
    fn mangled_geojson_never_panics(lon in any::<f64>(), lat in any::<f64>(), n in 0usize..6, kind in cell()) {
        let dir = tempfile::tempdir().unwrap();
        let ring: Vec<[f64; 2]> = (0..n).map(|i| [lon + i as f64, lat]).collect();
        let text = serde_json::json!({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"source_id": "a", "name": "A", "kind": kind, "level": kind},
             "geometry": {"type": "Point", "coordinates": [lon, lat]}},
            {"type": "Feature", "properties": {"source_id": "b", "name": "B", "level": "township"},
             "geometry": {"type": "Polygon", "coordinates": [ring]}},
        ]}).to_string();
        parse_all(dir.path(), "f.geojson", text.as_bytes());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// A damaged copy of a real extract: flipped bytes, or cut short.
    #[test]
    fn damaged_pbf_never_panics(flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8), cut in any::<prop::sample::Index>()) {
        let mut bytes = std::fs::read(fixture("osm/berlin-neukoelln.osm.pbf")).unwrap();
        for (at, value) in flips {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        let _ = read_osm_from(bytes.as_slice(), Path::new("damaged.osm.pbf"));
        bytes.truncate(cut.index(bytes.len()));
        let _ = read_osm_from(bytes.as_slice(), Path::new("cut.osm.pbf"));
    }
}
