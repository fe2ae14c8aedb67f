//! Point features of the extract: lamps, venue candidates and the residential buildings that the
//! sample registry fills with rental units.

use super::tags::{self, Tags, venue_kind_of};
use super::{RawRelation, RawWay};
use crate::model::{Lamp, LampStatus, LonLat, VenueCandidate};
use geo::{Centroid, ConvexHull, LineString, MultiPoint, Point, Polygon};
use std::collections::HashMap;

/// A building that people live in, as a polygon.
#[derive(Debug, Clone)]
pub struct Building {
    pub source_id: String,
    pub building: String,
    pub name: Option<String>,
    pub address: Option<String>,
    pub footprint: Polygon<f64>,
}

/// `building=*` values where people live.
const RESIDENTIAL_BUILDINGS: &[&str] = &[
    "apartments",
    "residential",
    "house",
    "terrace",
    "dormitory",
    "detached",
];
/// In European and Chinese city centres most homes sit above shops in blocks tagged only
/// `building=yes`; they come after the buildings tagged as homes.
const MIXED_USE_BUILDING: &str = "yes";

pub(super) fn lamps(
    tagged: &[(i64, Tags)],
    nodes: &HashMap<i64, LonLat>,
    ignored: &mut Vec<String>,
) -> Vec<Lamp> {
    let mut lamps = Vec::new();
    for (id, t) in tagged
        .iter()
        .filter(|(_, t)| t.is("highway", "street_lamp"))
    {
        let mut read = |key: &str| {
            let value = t.get(key)?;
            let parsed = tags::metres(value);
            if parsed.is_none() {
                ignored.push(format!(
                    "node/{id}: {key}={value:?} is not a number of metres or lumens"
                ));
            }
            parsed
        };
        let height_m = read("height");
        let flux_lm = read("light:flux").or_else(|| read("light:lumen"));
        lamps.push(Lamp {
            id: 0,
            source_id: format!("osm:node/{id}"),
            position: nodes[id],
            height_m,
            flux_lm,
            status: LampStatus::Unknown,
        });
    }
    lamps
}

pub(super) fn venue_candidates(
    tagged: &[(i64, Tags)],
    ways: &[RawWay],
    relations: &[RawRelation],
    nodes: &HashMap<i64, LonLat>,
) -> Vec<VenueCandidate> {
    let mut out = Vec::new();
    for (id, t) in tagged {
        if let Some(c) = candidate(format!("osm:node/{id}"), t, Some(nodes[id])) {
            out.push(c);
        }
    }
    let way_refs: HashMap<i64, &[i64]> = ways.iter().map(|w| (w.id, w.refs.as_slice())).collect();
    for w in ways {
        if venue_kind_of(&w.tags).is_some() {
            let position = centre(w.refs.iter(), nodes);
            out.extend(candidate(format!("osm:way/{}", w.id), &w.tags, position));
        }
    }
    for r in relations {
        let members = r
            .outer_ways
            .iter()
            .filter_map(|w| way_refs.get(w))
            .flat_map(|refs| refs.iter());
        out.extend(candidate(
            format!("osm:relation/{}", r.id),
            &r.tags,
            centre(members, nodes),
        ));
    }
    out
}

fn candidate(source_id: String, t: &Tags, position: Option<LonLat>) -> Option<VenueCandidate> {
    let (kind, osm_tag) = venue_kind_of(t)?;
    Some(VenueCandidate {
        source_id,
        kind,
        osm_tag,
        name: t.get("name").map(str::to_string),
        address: address(t),
        position: position?,
        opening_hours: t.get("opening_hours").map(str::to_string),
    })
}

fn address(t: &Tags) -> Option<String> {
    match (t.get("addr:street"), t.get("addr:housenumber")) {
        (Some(s), Some(n)) => Some(format!("{s} {n}")),
        (Some(s), None) => Some(s.to_string()),
        _ => None,
    }
}

/// The centre of an outline: the centroid of the convex hull of its present nodes, which stays
/// inside any convex building and does not depend on how rings are split into ways.
fn centre<'a>(refs: impl Iterator<Item = &'a i64>, nodes: &HashMap<i64, LonLat>) -> Option<LonLat> {
    let points: MultiPoint<f64> = refs
        .filter_map(|r| nodes.get(r))
        .map(|p| Point::new(p.lon, p.lat))
        .collect();
    let c = points.convex_hull().centroid()?;
    Some(LonLat::new(c.x(), c.y()))
}

/// Buildings people may live in: those tagged as homes first, then mixed-use blocks.
pub(super) fn residential_buildings(
    ways: &[RawWay],
    nodes: &HashMap<i64, LonLat>,
) -> Vec<Building> {
    let mut buildings: Vec<Building> = ways
        .iter()
        .filter(|w| {
            w.tags
                .get("building")
                .is_some_and(|b| RESIDENTIAL_BUILDINGS.contains(&b) || b == MIXED_USE_BUILDING)
        })
        .filter(|w| w.refs.len() >= 4 && w.refs.first() == w.refs.last())
        .filter_map(|w| {
            let ring: Option<Vec<(f64, f64)>> = w
                .refs
                .iter()
                .map(|r| nodes.get(r).map(|p| (p.lon, p.lat)))
                .collect();
            Some(Building {
                source_id: format!("osm:way/{}", w.id),
                building: w.tags.get("building")?.to_string(),
                name: w.tags.get("name").map(str::to_string),
                address: address(&w.tags),
                footprint: Polygon::new(LineString::from(ring?), vec![]),
            })
        })
        .collect();
    buildings.sort_by_key(|b| b.building == MIXED_USE_BUILDING);
    buildings
}
