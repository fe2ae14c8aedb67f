use super::*;
use crate::index::AreaLocator;
use crate::model::LonLat;
use crate::server::catalogue::{LAYERS, LayerDef};
use crate::tiles::mercator::tile_of;
use geozero::mvt::{Message, Tile};
use std::io::Read;

fn def(id: &str) -> &'static LayerDef {
    LAYERS.iter().find(|d| d.id == id).unwrap()
}

fn layer_of(id: &str, points: &[(f64, f64, Value)]) -> Layer {
    let features = points
        .iter()
        .enumerate()
        .map(|(n, (lon, lat, props))| {
            let f = crate::model::geojson_feature(&[LonLat::new(*lon, *lat)], props.clone());
            ((n + 1).to_string(), f, Vec::new())
        })
        .collect();
    Layer::build(def(id), features, &AreaLocator::new(&[]), 0)
}

fn decode(gz: &[u8]) -> Tile {
    let mut raw = Vec::new();
    flate2::read::GzDecoder::new(gz)
        .read_to_end(&mut raw)
        .unwrap();
    Tile::decode(raw.as_slice()).unwrap()
}

/// Each feature's properties by key, as the map would read them.
fn features(t: &Tile) -> Vec<(Option<u64>, HashMap<String, Value>)> {
    let l = &t.layers[0];
    l.features
        .iter()
        .map(|f| {
            let props = f
                .tags
                .chunks(2)
                .map(|kv| {
                    let v = &l.values[kv[1] as usize];
                    let v = v
                        .string_value
                        .clone()
                        .map(Value::from)
                        .or(v.uint_value.map(Value::from))
                        .or(v.sint_value.map(Value::from))
                        .or(v.double_value.map(Value::from))
                        .or(v.bool_value.map(Value::from))
                        .unwrap_or(Value::Null);
                    (l.keys[kv[0] as usize].clone(), v)
                })
                .collect();
            (f.id, props)
        })
        .collect()
}

#[test]
fn thinning_keeps_the_most_important_point_of_each_cell_and_counts_the_rest() {
    let b = TileBounds::of(10, 0, 0);
    let px = b.metres_per_pixel();
    let (x0, y0) = (b.left + 0.5 * px, b.top - 0.5 * px);
    // Three points in the first 4-pixel cell, one in the next cell along.
    let points = [
        (0, x0, y0, 1.0),
        (1, x0 + px, y0 - px, 5.0),
        (2, x0 + 2.0 * px, y0, 5.0),
        (3, x0 + 4.0 * px, y0, 0.0),
    ];
    assert_eq!(thin(&points, &b, 4), vec![(1, 3), (3, 1)]);
    // One pixel cells: every point its own.
    assert_eq!(thin(&points, &b, 1).len(), 4);
}

#[test]
fn thinning_bounds_a_tile_whatever_the_density() {
    let b = TileBounds::of(12, 100, 100);
    let side = b.right - b.left;
    let mut points = Vec::new();
    // 200,000 points spread over the tile, as a city's lamps at z12.
    for n in 0..200_000usize {
        let u = (n % 447) as f64 / 447.0;
        let v = (n / 447) as f64 / 448.0;
        points.push((n, b.left + u * side, b.bottom + v * side, 0.0));
    }
    let kept = thin(&points, &b, 2);
    assert!(kept.len() <= 128 * 128, "{} kept", kept.len());
    assert!(
        kept.len() > 10_000,
        "{} kept: thinning too eager",
        kept.len()
    );
    assert_eq!(
        kept.iter().map(|&(_, n)| n as usize).sum::<usize>(),
        200_000
    );
}

#[test]
fn lamp_tiles_carry_status_and_count_thinned_at_low_zoom_and_whole_up_close() {
    // 2,000 lamps within about 100 m; the last one broken.
    let mut lamps: Vec<(f64, f64, Value)> = (0..2_000)
        .map(|n| {
            let d = f64::from(n) * 5e-7;
            (
                24.9400 + d,
                60.1700 + d / 2.0,
                json!({ "status": "working", "height_m": 8.0 }),
            )
        })
        .collect();
    lamps.last_mut().unwrap().2 = json!({ "status": "broken", "height_m": 8.0 });
    let layer = layer_of("lamps", &lamps);
    let (x, y) = tile_of(24.9405, 60.17025, 10);
    let low = features(&decode(&cut(&layer, &Query::default(), 10, x, y).unwrap()));
    assert!(low.len() <= 2, "{} features at z10", low.len());
    let counted: u64 = low.iter().map(|(_, p)| p["count"].as_u64().unwrap()).sum();
    assert_eq!(counted, 2_000, "every lamp is counted once");
    assert!(
        low.iter()
            .any(|(id, p)| *id == Some(2_000) && p["status"] == "broken"),
        "the broken lamp is the one kept: {low:?}"
    );
    assert!(
        low.iter().all(|(_, p)| !p.contains_key("height_m")),
        "only the definition's properties"
    );

    let (x, y) = tile_of(24.9400, 60.1700, 17);
    let close = features(&decode(&cut(&layer, &Query::default(), 17, x, y).unwrap()));
    assert!(!close.is_empty());
    assert!(
        close
            .iter()
            .all(|(id, p)| id.is_some() && !p.contains_key("count") && p["status"].is_string())
    );
}

#[test]
fn venues_thin_by_risk_and_the_catalogue_entry_counts_kinds() {
    let venues = [
        (
            24.9400,
            60.1700,
            json!({ "kind": "rental", "name": "甲", "risk_score": 0.2 }),
        ),
        (
            24.9400,
            60.1700,
            json!({ "kind": "bathhouse", "name": "乙", "risk_score": 0.9 }),
        ),
        (
            24.9401,
            60.1700,
            json!({ "kind": "rental", "name": "丙", "risk_score": null }),
        ),
    ];
    let layer = layer_of("venues", &venues);
    let (x, y) = tile_of(24.94, 60.17, 9);
    let f = features(&decode(&cut(&layer, &Query::default(), 9, x, y).unwrap()));
    assert_eq!(f.len(), 1);
    assert_eq!(
        (f[0].0, f[0].1["name"].as_str(), f[0].1["count"].as_u64()),
        (Some(2), Some("乙"), Some(3))
    );
    let entry = catalogue_entry(&layer, &Query::default(), "http://h");
    assert_eq!(entry["tiles"], "http://h/layers/venues/tiles/{z}/{x}/{y}");
    assert_eq!(entry["kinds"], json!({ "bathhouse": 1, "rental": 2 }));
    assert_eq!(
        layer.properties(0, &["name", "missing"]),
        vec![Some(json!("甲")), None]
    );
}

#[test]
fn blind_spot_quantiles_come_from_the_layer() {
    let spots: Vec<_> = (1..=100)
        .map(|n| {
            (
                24.94,
                60.17,
                json!({ "kind": "corner", "severity": f64::from(n) }),
            )
        })
        .collect();
    let entry = catalogue_entry(&layer_of("blind_spots", &spots), &Query::default(), "");
    assert_eq!(entry["quantiles"]["severity"], json!([51.0, 81.0, 96.0]));
    assert!(quantiles(&[], &[0.5]).is_empty());
    assert!(catalogue_entry(&layer_of("routes", &[]), &Query::default(), "").is_empty());
}

#[test]
fn json_values_become_tile_values_and_nested_ones_stay_out() {
    assert!(matches!(tile_value(&json!("a")), Some(TileValue::Str(s)) if s == "a"));
    assert!(matches!(tile_value(&json!(-3)), Some(TileValue::Sint(-3))));
    assert!(matches!(tile_value(&json!(0.25)), Some(TileValue::Double(v)) if v == 0.25));
    assert!(matches!(
        tile_value(&json!(true)),
        Some(TileValue::Bool(true))
    ));
    assert!(tile_value(&json!(null)).is_none() && tile_value(&json!([1])).is_none());
}

#[test]
fn blind_stretches_thin_by_cell_at_city_zoom_and_stay_whole_up_close() {
    // 900 stretches of about 220 m (a few pixels at z10) starting on a 30 × 30 grid of 20 m.
    let features = (0..900)
        .map(|n| {
            let (lon, lat) = (
                24.94 + f64::from(n % 30) * 3.6e-4,
                60.17 + f64::from(n / 30) * 1.8e-4,
            );
            let line = [LonLat::new(lon, lat), LonLat::new(lon + 4e-3, lat)];
            let f = crate::model::geojson_feature(&line, json!({ "severity": 1.0 }));
            ((n + 1).to_string(), f, Vec::new())
        })
        .collect();
    let layer = Layer::build(def("blind_spots"), features, &AreaLocator::new(&[]), 0);
    let (x, y) = tile_of(24.945, 60.1725, 10);
    let low = features_of(&layer, 10, x, y);
    assert!(
        !low.is_empty() && low.len() <= 16,
        "{} stretches at z10",
        low.len()
    );
    // From zoom 14 on every stretch is drawn, in whichever tiles it falls.
    let (x, y) = tile_of(24.94, 60.17, 14);
    let mut ids: Vec<u64> = [(x, y), (x + 1, y), (x, y - 1), (x + 1, y - 1)]
        .into_iter()
        .flat_map(|(x, y)| features_of(&layer, 14, x, y))
        .filter_map(|(id, _)| id)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 900);
}

fn features_of(layer: &Layer, z: u8, x: u32, y: u32) -> Vec<(Option<u64>, HashMap<String, Value>)> {
    let gz = cut(layer, &Query::default(), z, x, y).unwrap();
    if gz.is_empty() {
        return Vec::new();
    }
    features(&decode(&gz))
}
