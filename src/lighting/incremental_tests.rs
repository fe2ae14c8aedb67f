//! A lamp change applied to an evaluated city must leave it as a fresh evaluation of the changed
//! city would, and report exactly the edges and corners whose state changed.

use super::*;
use crate::lighting::synthetic::{SyntheticCity, synthetic_city};
use crate::model::{LocalFrame, LonLat, MetricPoint};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn fresh(city: &SyntheticCity, lamps: &[Lamp]) -> EvaluatedCity {
    let index = CityIndex::build(&city.venues, lamps, &city.corners, &city.edges);
    EvaluatedCity::new(
        index,
        city.edges.clone(),
        city.corners.clone(),
        &city.venues,
        lamps,
        &LightingConfig::default(),
    )
}

#[test]
fn a_fresh_evaluated_city_agrees_with_the_full_report() {
    let city = synthetic_city(3_000, 1_200, 5);
    let evaluated = fresh(&city, &city.lamps);
    let report = evaluated
        .model()
        .evaluate(&city.edges, &city.corners, &city.venues, 0);
    let edges: Vec<_> = evaluated
        .edge_states()
        .iter()
        .flatten()
        .map(|e| e.lighting.clone())
        .collect();
    assert_eq!(edges, report.edges);
    let corners: Vec<_> = evaluated
        .corner_states()
        .iter()
        .flatten()
        .map(|c| c.lighting.clone())
        .collect();
    assert_eq!(corners, report.corners);
    let gaps: Vec<_> = evaluated
        .edge_states()
        .iter()
        .flatten()
        .flat_map(|e| e.data_gaps.clone())
        .collect();
    assert_eq!(gaps, report.data_gaps);
    assert!(!report.blind_spots.is_empty());
    assert_eq!(evaluated.blind_spots(), report.blind_spots);
}

/// A point a few metres off a random street, toward the frame's origin at the centre of the data,
/// so that the city's bounds, and with them a fresh index's frame, stay as they were.
fn beside_a_street(city: &SyntheticCity, rng: &mut ChaCha8Rng, frame: &LocalFrame) -> LonLat {
    let e = &city.edges[rng.random_range(city.edges.len() / 4..city.edges.len() * 3 / 4)];
    let (a, b) = (
        frame.to_metric(e.geometry[0]),
        frame.to_metric(e.geometry[1]),
    );
    let t: f64 = rng.random_range(0.0..1.0);
    let on: MetricPoint = [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t];
    let p = [on[0] - 3.0 * on[0].signum(), on[1] - 3.0 * on[1].signum()];
    frame.to_lonlat(p)
}

#[test]
fn random_lamp_changes_match_a_full_evaluation_of_the_changed_city() {
    let city = synthetic_city(3_000, 1_200, 7);
    let mut lamps = city.lamps.clone();
    let mut evaluated = fresh(&city, &lamps);
    let frame =
        crate::index::CityIndex::build(&city.venues, &lamps, &city.corners, &city.edges).frame;
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let mut changed = (0, 0);
    for step in 0..16 {
        let change = if step % 4 == 3 {
            let id = lamps.iter().map(|l| l.id).max().unwrap_or(0) + 1;
            let surveyed = rng.random_bool(0.5);
            let lamp = Lamp {
                id,
                source_id: format!("test:lamp/{id}"),
                position: beside_a_street(&city, &mut rng, &frame),
                height_m: surveyed.then_some(9.0),
                flux_lm: surveyed.then_some(11_000.0),
                status: LampStatus::Working,
            };
            lamps.push(lamp.clone());
            LampChange::Added(lamp)
        } else {
            let k = rng.random_range(0..lamps.len());
            let status = match lamps[k].status {
                LampStatus::Broken => LampStatus::Working,
                _ => LampStatus::Broken,
            };
            lamps[k].status = status;
            LampChange::Status {
                id: lamps[k].id,
                status,
            }
        };
        let before_edges = evaluated.edge_states().to_vec();
        let before_corners = evaluated.corner_states().to_vec();
        let delta = evaluated.apply(&change).expect("a valid change");
        let full = fresh(&city, &lamps);
        assert_eq!(evaluated.edge_states(), full.edge_states(), "step {step}");
        assert_eq!(
            evaluated.corner_states(),
            full.corner_states(),
            "step {step}"
        );
        assert_eq!(evaluated.blind_spots(), full.blind_spots(), "step {step}");
        // The delta names exactly the edges and corners whose state is not what it was.
        let want_edges: Vec<i64> = before_edges
            .iter()
            .zip(full.edge_states())
            .filter(|(a, b)| a != b)
            .filter_map(|(_, b)| b.as_ref().map(|e| e.lighting.edge_id))
            .collect();
        let got_edges: Vec<i64> = delta.edges.iter().map(|e| e.lighting.edge_id).collect();
        assert_eq!(got_edges, want_edges, "step {step}");
        let want_corners: Vec<i64> = before_corners
            .iter()
            .zip(full.corner_states())
            .filter(|(a, b)| a != b)
            .filter_map(|(_, b)| b.as_ref().map(|c| c.lighting.corner_id))
            .collect();
        let got_corners: Vec<i64> = delta.corners.iter().map(|c| c.lighting.corner_id).collect();
        assert_eq!(got_corners, want_corners, "step {step}");
        assert!(delta.edges_checked >= delta.edges.len());
        changed.0 += delta.edges.len();
        changed.1 += delta.corners.len();
    }
    assert!(changed.0 > 10 && changed.1 > 0, "{changed:?}");
}

#[test]
fn a_bad_lamp_change_is_a_clear_error() {
    let city = synthetic_city(500, 200, 3);
    let mut evaluated = fresh(&city, &city.lamps);
    let err = evaluated
        .apply(&LampChange::Status {
            id: 999_999,
            status: LampStatus::Broken,
        })
        .unwrap_err();
    assert!(err.to_string().contains("999999"), "{err}");
    let mut old = city.lamps[0].clone();
    old.id = 1;
    let err = evaluated.apply(&LampChange::Added(old)).unwrap_err();
    assert!(err.to_string().contains("above every"), "{err}");
    // Setting a lamp to the status it has changes nothing and says so.
    let lamp = &city.lamps[0];
    let same = evaluated
        .apply(&LampChange::Status {
            id: lamp.id,
            status: lamp.status,
        })
        .unwrap();
    assert_eq!(same, LightingDelta::default());
}
