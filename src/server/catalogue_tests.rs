use super::*;
use crate::model::LonLat;

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
