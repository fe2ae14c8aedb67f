use super::*;
use crate::model::{AreaLevel, LonLat};
use crate::server::catalogue::LAYERS;
use serde_json::json;

fn point(id: &str, lon: f64, lat: f64, kind: &str, teams: Vec<i64>) -> (String, Feature, Vec<i64>) {
    let f = crate::model::geojson_feature(&[LonLat::new(lon, lat)], json!({ "kind": kind }));
    (id.to_string(), f, teams)
}

#[test]
fn bbox_kind_team_and_area_select_in_layer_order() {
    let square = |w: f64, s: f64, e: f64, n: f64| {
        geo::MultiPolygon::new(vec![geo::Polygon::new(
            geo::LineString::from(vec![(w, s), (e, s), (e, n), (w, n), (w, s)]),
            vec![],
        )])
    };
    let township = crate::model::Area {
        id: 41,
        source_id: "t1".into(),
        name: "一街道".into(),
        level: AreaLevel::Township,
        parent_source_id: None,
        geometry: square(24.9, 60.1, 25.0, 60.2),
        sample: false,
    };
    let areas = [township];
    let layer = Layer::build(
        &LAYERS[0],
        vec![
            point("1", 24.94, 60.17, "rental", vec![]),
            point("2", 24.95, 60.17, "entertainment", vec![7]),
            point("3", 25.50, 60.50, "entertainment", vec![7, 8]),
        ],
        &AreaLocator::new(&areas),
        0,
    );
    assert_eq!(layer.select(&Query::default()), vec![0, 1, 2]);
    let near = Query {
        bbox: Some(BBox::new(24.9, 60.1, 25.0, 60.2)),
        ..Default::default()
    };
    assert_eq!(layer.select(&near), vec![0, 1]);
    let bars = Query {
        kinds: Some(vec!["entertainment".into()]),
        ..Default::default()
    };
    assert_eq!(layer.select(&bars), vec![1, 2]);
    let team8 = Query {
        team: Some(8),
        ..Default::default()
    };
    assert_eq!(layer.select(&team8), vec![2]);
    let in_township = Query {
        areas: Some(vec![41]),
        ..Default::default()
    };
    assert_eq!(layer.select(&in_township), vec![0, 1]);
    assert!(!layer.visible_to(2, &in_township));
    let elsewhere = Query {
        areas: Some(vec![42]),
        ..Default::default()
    };
    assert!(layer.select(&elsewhere).is_empty());
    assert_eq!(layer.find("3"), Some(2));
    assert_eq!(layer.extent, Some(BBox::new(24.94, 60.17, 25.50, 60.50)));
    let json: Value = serde_json::from_str(layer.feature_json(1)).unwrap();
    assert_eq!(json["id"], "2");
}

/// A venue layer at revision 5 of a rental at (24.94, 60.17) and an entertainment venue of
/// team 7 at `second`, with no areas.
fn two_venues(second: (f64, f64)) -> (Layer, AreaLocator<'static>) {
    let locator = AreaLocator::new(&[]);
    let layer = Layer::build(
        &LAYERS[0],
        vec![
            point("1", 24.94, 60.17, "rental", vec![]),
            point("2", second.0, second.1, "entertainment", vec![7]),
        ],
        &locator,
        5,
    );
    (layer, locator)
}

#[test]
fn a_patch_replaces_its_features_moves_them_in_the_index_and_shares_the_rest() {
    let (layer, locator) = two_venues((24.95, 60.17));
    // A property change: the index stays shared, the other feature too.
    let renamed = layer
        .patched(
            vec![point("2", 24.95, 60.17, "bathhouse", vec![7])],
            &locator,
            9,
        )
        .unwrap();
    assert_eq!(renamed.revision, 9);
    assert_eq!(renamed.kind(1), Some("bathhouse"));
    assert_eq!(renamed.kind(0), Some("rental"));
    assert!(Arc::ptr_eq(&renamed.tree, &layer.tree));
    assert!(Arc::ptr_eq(&renamed.features[0], &layer.features[0]));
    // The original is untouched (readers holding it keep a consistent view).
    assert_eq!(layer.kind(1), Some("entertainment"));
    assert_eq!(layer.revision, 5);
    // A move: found at its new place only.
    let moved = layer
        .patched(vec![point("1", 25.5, 60.5, "rental", vec![])], &locator, 10)
        .unwrap();
    let at = |lon: f64, lat: f64| Query {
        bbox: Some(BBox::new(
            lon - 0.001,
            lat - 0.001,
            lon + 0.001,
            lat + 0.001,
        )),
        ..Default::default()
    };
    assert_eq!(moved.select(&at(25.5, 60.5)), vec![0]);
    assert!(moved.select(&at(24.94, 60.17)).is_empty());
    assert_eq!(moved.point(0), Some((25.5, 60.5)));
    // A feature the layer does not have asks for a rebuild.
    assert!(
        layer
            .patched(vec![point("3", 25.0, 60.0, "rental", vec![])], &locator, 11)
            .is_none()
    );
    // Teams set anew: only a change moves the revision.
    let same = layer.with_teams(|id| if id == "2" { vec![7] } else { vec![] }, 12);
    assert_eq!(same.revision, 5);
    let replanned = layer.with_teams(|_| vec![3], 12);
    assert_eq!(replanned.revision, 12);
    assert_eq!(replanned.teams(0), &[3]);
    assert!(!replanned.same_features(&layer));
    assert!(same.same_features(&layer));
}

#[test]
fn a_tile_keeps_its_revision_until_a_patch_changes_something_in_it() {
    let (layer, locator) = two_venues((25.40, 60.40));
    let near_1 = BBox::new(24.93, 60.16, 24.95, 60.18);
    let near_2 = BBox::new(25.39, 60.39, 25.41, 60.41);
    assert_eq!(layer.revision_within(&near_1), 5);
    // Feature 2 changes: its box moves on, the other keeps the build's revision.
    let renamed = layer
        .patched(
            vec![point("2", 25.40, 60.40, "bathhouse", vec![7])],
            &locator,
            9,
        )
        .unwrap();
    assert_eq!(renamed.revision_within(&near_2), 9);
    assert_eq!(renamed.revision_within(&near_1), 5);
    // The same feature again changes nothing: neither the layer's revision nor a tile's.
    let again = renamed
        .patched(
            vec![point("2", 25.40, 60.40, "bathhouse", vec![7])],
            &locator,
            10,
        )
        .unwrap();
    assert_eq!(again.revision, 9);
    assert_eq!(again.revision_within(&near_2), 9);
    // A move touches where it left and where it went.
    let moved = again
        .patched(
            vec![point("1", 25.40, 60.40, "rental", vec![])],
            &locator,
            11,
        )
        .unwrap();
    assert_eq!(moved.revision_within(&near_1), 11);
    assert_eq!(moved.revision_within(&near_2), 11);
    // Teams set anew touch the features whose teams changed.
    let replanned = renamed.with_teams(|id| if id == "1" { vec![3] } else { vec![7] }, 12);
    assert_eq!(replanned.revision_within(&near_1), 12);
    assert_eq!(replanned.revision_within(&near_2), 9);
}

#[test]
fn changes_older_than_those_remembered_count_as_touching_everything() {
    let mut touched = Touched::all_at(1);
    for r in 0..(TOUCHED_KEPT as i64 + 3) {
        touched.add(r + 2, [0.0, 0.0, 1.0, 1.0]);
    }
    // Three boxes were forgotten, the last of them at revision 4: anywhere else reads as
    // changed then.
    assert_eq!(touched.last_in(&BBox::new(5.0, 5.0, 6.0, 6.0)), 4);
    assert_eq!(
        touched.last_in(&BBox::new(0.5, 0.5, 0.6, 0.6)),
        TOUCHED_KEPT as i64 + 4
    );
}
