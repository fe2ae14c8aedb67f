//! The model on hand-built streets, where every figure can be worked out on paper.

use super::*;
use crate::model::{Corner, CornerKind, Lamp, LampStatus, LitTag, LocalFrame, Oneway, StreetEdge};

fn frame() -> LocalFrame {
    LocalFrame::new(LonLat::new(13.43, 52.47))
}

/// A 100 m residential street along x, from (0,0) to (100,0).
fn street(lit: Option<LitTag>) -> StreetEdge {
    let f = frame();
    StreetEdge {
        id: 1,
        source_id: "e1".into(),
        from_node: 1,
        to_node: 2,
        road_class: "residential".into(),
        name: None,
        oneway: Oneway::No,
        length_m: 100.0,
        lit,
        foot: true,
        car: true,
        geometry: vec![f.to_lonlat([0.0, 0.0]), f.to_lonlat([100.0, 0.0])],
    }
}

fn lamp(id: i64, x: f64, status: LampStatus) -> Lamp {
    Lamp {
        id,
        source_id: format!("l{id}"),
        position: frame().to_lonlat([x, 0.0]),
        height_m: Some(10.0),
        flux_lm: Some(10_000.0),
        status,
    }
}

fn model_at(lamps: &[Lamp], edges: &[StreetEdge], x: f64) -> PointIlluminance {
    let config = LightingConfig::default();
    let city = CityIndex::build(&[], lamps, &[], edges);
    LightingModel::new(&city, edges, lamps, &config).at(frame().to_lonlat([x, 0.0]))
}

#[test]
fn one_lamp_gives_the_hand_computed_figures() {
    let edges = [street(None)];
    let below = model_at(&[lamp(1, 50.0, LampStatus::Working)], &edges, 50.0);
    assert!((below.lux - 11.1408).abs() < 1e-3, "{}", below.lux);
    let out = model_at(&[lamp(1, 50.0, LampStatus::Working)], &edges, 60.0);
    assert!((out.lux - 3.9389).abs() < 1e-3, "{}", out.lux);
    assert_eq!(out.lamps.len(), 1);
    assert!((out.lamps[0].distance_m - 10.0).abs() < 1e-6);
}

#[test]
fn two_lamps_add_and_a_broken_lamp_adds_nothing() {
    let edges = [street(None)];
    let one = model_at(&[lamp(1, 40.0, LampStatus::Working)], &edges, 50.0).lux;
    let other = model_at(&[lamp(2, 70.0, LampStatus::Working)], &edges, 50.0).lux;
    let both = model_at(
        &[
            lamp(1, 40.0, LampStatus::Working),
            lamp(2, 70.0, LampStatus::Working),
        ],
        &edges,
        50.0,
    );
    assert!((both.lux - (one + other)).abs() < 1e-12);
    assert_eq!(both.lamps.len(), 2);
    let broken = model_at(
        &[
            lamp(1, 40.0, LampStatus::Working),
            lamp(2, 70.0, LampStatus::Broken),
        ],
        &edges,
        50.0,
    );
    assert!((broken.lux - one).abs() < 1e-12);
}

#[test]
fn a_lamp_mapped_twice_counts_once_and_missing_attributes_take_the_class_default() {
    let edges = [street(None)];
    let mut twice = lamp(2, 50.2, LampStatus::Working);
    twice.height_m = None;
    let once = model_at(&[lamp(1, 50.0, LampStatus::Working)], &edges, 50.0).lux;
    let doubled = model_at(
        &[lamp(1, 50.0, LampStatus::Working), twice.clone()],
        &edges,
        50.0,
    );
    assert!(
        (doubled.lux - once).abs() < 1e-12,
        "the later duplicate is left out"
    );
    twice.position = frame().to_lonlat([20.0, 0.0]);
    let alone = model_at(&[twice], &edges, 20.0);
    // Residential streets are class III: an 8 m pole in the defaults.
    assert_eq!(alone.lamps[0].height_m, 8.0);
    assert_eq!(alone.lamps[0].flux_lm, 10_000.0);
}

#[test]
fn dark_stretches_data_gaps_and_corners_are_told_apart() {
    let config = LightingConfig::default();
    let f = frame();
    // One lamp at x = 0 lights the first metres; the rest of the street is dark.
    let lamps = [
        lamp(1, 0.0, LampStatus::Working),
        lamp(2, 60.0, LampStatus::Broken),
    ];
    let corner = Corner {
        id: 7,
        source_id: "osm:node/2".into(),
        position: f.to_lonlat([100.0, 0.0]),
        kind: CornerKind::Junction,
        degree: 3,
        turn_deg: 0.0,
        road_classes: vec!["residential".into()],
    };
    let edges = [street(None)];
    let city = CityIndex::build(&[], &lamps, &[], &edges);
    let model = LightingModel::new(&city, &edges, &lamps, &config);
    let report = model.evaluate(&edges, std::slice::from_ref(&corner), &[], 3);
    assert_eq!(report.summary.edges_failing, 1);
    assert_eq!(report.summary.blind_spots.get("corner"), Some(&1));
    assert_eq!(report.summary.blind_spots.get("stretch"), Some(&1));
    let stretch = report
        .blind_spots
        .iter()
        .find(|b| b.kind == BlindSpotKind::Stretch)
        .unwrap();
    assert!(stretch.length_m >= config.min_dark_run_m);
    assert!(stretch.lux < 2.4 && stretch.terms.relative_deficit > 0.0);
    // Every blind spot is re-derived at its darkest point (the position goes through WGS-84 and
    // back, so allow for the last bits).
    for b in &report.blind_spots {
        assert!((model.at(b.at).lux - b.lux).abs() < 1e-9, "{b:?}");
    }
    // Repairing the broken lamp at x = 60 would remove part of the deficit.
    assert_eq!(report.repairs.len(), 1);
    assert!(report.repairs[0].deficit_removed_lx > 0.0);
    assert!(
        report
            .proposals
            .windows(2)
            .all(|w| w[1].removed_lx >= w[0].removed_lx)
    );

    // The same street tagged lit=yes, far from any mapped lamp beyond x = 40, is a data gap there.
    let edges = [street(Some(LitTag::Yes))];
    let model = LightingModel::new(&city, &edges, &lamps[..1], &config);
    let report = model.evaluate(&edges, &[], &[], 0);
    // Beyond 40 m of the only mapped lamp the street is a data gap (about 60 m of it), and the
    // darkness found stops where the data gap starts.
    assert_eq!(report.summary.data_gaps, 1);
    assert!(
        (report.summary.data_gap_km * 1000.0 - 60.0).abs() <= config.sample_spacing_m,
        "{}",
        report.summary.data_gap_km
    );
    for b in &report.blind_spots {
        assert!(
            b.geometry
                .iter()
                .all(|p| f.to_metric(*p)[0] <= config.data_gap_radius_m + 1e-6),
            "{b:?}"
        );
    }
}

#[test]
fn zero_length_edges_and_attribute_less_lamps_never_panic() {
    let config = LightingConfig::default();
    let mut edge = street(None);
    edge.geometry = vec![edge.geometry[0], edge.geometry[0]];
    edge.length_m = 0.0;
    let lamps = [Lamp {
        height_m: None,
        flux_lm: None,
        ..lamp(1, 0.0, LampStatus::Unknown)
    }];
    let edges = [edge];
    let city = CityIndex::build(&[], &lamps, &[], &edges);
    let report = LightingModel::new(&city, &edges, &lamps, &config).evaluate(&edges, &[], &[], 5);
    assert_eq!(report.edges[0].samples, 1);
    assert_eq!(report.summary.lamps_defaulted, 1);
}

#[test]
fn the_nearest_judged_street_gives_the_standard_and_unjudged_ones_are_passed_over() {
    let f = frame();
    let mut track = street(None);
    track.id = 2;
    track.road_class = "track".into();
    track.geometry = vec![f.to_lonlat([0.0, 10.0]), f.to_lonlat([100.0, 10.0])];
    let mut named = street(None);
    named.name = Some("Kivikatu".into());
    let edges = [named, track];
    let city = CityIndex::build(&[], &[], &[], &edges);
    let config = LightingConfig::default();
    // 3 m from the track, 7 m from the residential street: the track has no standard.
    let at = f.to_lonlat([40.0, 7.0]);
    let s = street_standard_near(at, &edges, &city.streets, &config, 50.0).unwrap();
    assert_eq!((s.edge_id, s.lighting_class.as_str()), (1, "III"));
    assert_eq!(s.name.as_deref(), Some("Kivikatu"));
    assert_eq!((s.required_avg_lux, s.required_min_lux), (8.0, 2.4));
    assert!((s.distance_m - 7.0).abs() < 1e-3, "{}", s.distance_m);
    assert_eq!(
        street_standard_near(at, &edges, &city.streets, &config, 5.0),
        None
    );
}
