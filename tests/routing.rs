//! The inspector's street side on the real demo city: every venue joins the walking network,
//! every venue can reach every other, and a route's legs run along the streets.

mod common;
use common::*;
use patrolmap::routing::{PathFinder, StreetGraph, TICKS_PER_SECOND, TravelMode, travel_matrix};
use patrolmap::store::Store;

#[test]
fn venues_of_the_demo_city_are_connected_on_foot_and_by_car() {
    let data = tempfile::tempdir().unwrap();
    let out = patrolmap(data.path(), &["demo", "--no-serve"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let store = Store::open(data.path()).unwrap();
    let (edges, venues) = (store.street_edges().unwrap(), store.venues().unwrap());
    let city = store.city_index().unwrap();
    for mode in [TravelMode::Walk, TravelMode::Car] {
        let graph = StreetGraph::build(&edges, mode);
        let places: Vec<_> = venues
            .iter()
            .step_by(20)
            .map(|v| {
                graph
                    .place(v.position, &edges, &city.streets, &city.frame)
                    .expect("every venue joins the network")
            })
            .collect();
        assert!(places.len() >= 20);
        let matrix = travel_matrix(&graph, &places);
        for i in 0..places.len() {
            for j in 0..places.len() {
                assert!(
                    matrix.get(i, j).is_some(),
                    "{mode:?}: venue {i} cannot reach venue {j}"
                );
            }
        }
        let mut finder = PathFinder::new(&graph, &edges);
        for k in 0..places.len() - 1 {
            let (a, b) = (&places[k], &places[k + 1]);
            let leg = finder.leg(a, b).expect("a leg between connected places");
            assert_eq!(leg.line.first(), Some(&a.street_point));
            assert_eq!(leg.line.last(), Some(&b.street_point));
            assert_eq!(
                leg.geojson().value.type_name(),
                if leg.line.len() > 1 {
                    "LineString"
                } else {
                    "Point"
                }
            );
            // The line is never shorter than the straight distance, and the time matches the table.
            let along: f64 = leg
                .line
                .windows(2)
                .map(|w| city.frame.distance_m(w[0], w[1]))
                .sum();
            assert!(along + 1.0 >= city.frame.distance_m(a.street_point, b.street_point));
            let table = matrix.get(k, k + 1).unwrap() as f64 / TICKS_PER_SECOND;
            assert!(
                (leg.seconds - table).abs() < 1e-9,
                "{mode:?} leg {k}: {} s vs table {table} s",
                leg.seconds
            );
        }
    }
}
