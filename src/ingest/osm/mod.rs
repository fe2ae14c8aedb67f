//! Reads an OSM PBF extract into the city's street network, corners, lamps, venue candidates and
//! residential buildings. Extracts are often clipped to a box, so ways may name nodes the file does
//! not hold: those ways keep the runs that are present, and the gap is counted and reported.

mod basemap;
mod network;
mod places;
mod tags;

pub use basemap::{BaseFeature, BaseLayer, read_basemap, read_basemap_from};
pub use network::{BEND_THRESHOLD_DEG, StreetNetwork};
pub use places::Building;
pub use tags::{Tags, venue_kind_of};

use crate::ingest::error::{InputError, Location};
use crate::model::{BBox, Corner, Lamp, LonLat, VenueCandidate};
use std::collections::HashMap;
use std::path::Path;

/// Everything patrolmap takes from one OSM extract.
#[derive(Debug)]
pub struct OsmExtract {
    pub network: StreetNetwork,
    pub corners: Vec<Corner>,
    pub lamps: Vec<Lamp>,
    pub candidates: Vec<VenueCandidate>,
    pub residential_buildings: Vec<Building>,
    pub missing: MissingNodes,
    /// Tag values that could not be read (e.g. `height=tall`), kept as notes, not errors: one odd
    /// tag in a crowd-sourced map must not refuse the whole city.
    pub ignored_tags: Vec<String>,
    pub extent: Option<BBox>,
}

/// References to nodes that a clipped extract does not contain.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct MissingNodes {
    /// Way→node references that point at absent nodes (all ways).
    pub refs: usize,
    /// Ways with at least one absent node.
    pub ways: usize,
    /// Of those, street (`highway=*`) ways, which keep only their present runs.
    pub street_ways: usize,
}

/// A way as read: its tags of interest and its node references.
#[derive(Debug, Clone)]
pub(crate) struct RawWay {
    pub id: i64,
    pub tags: Tags,
    pub refs: Vec<i64>,
}

#[derive(Debug, Clone)]
pub(crate) struct RawRelation {
    pub id: i64,
    pub tags: Tags,
    /// Member ways with role `outer` (or no role).
    pub outer_ways: Vec<i64>,
}

pub fn read_osm(path: &Path) -> Result<OsmExtract, InputError> {
    let file = std::fs::File::open(path)
        .map_err(|e| InputError::file(path, format!("cannot read: {e}")))?;
    read_osm_from(std::io::BufReader::new(file), path)
}

/// Reads an extract from any byte source; `path` names it in errors.
pub fn read_osm_from<R: std::io::Read + Send>(
    source: R,
    path: &Path,
) -> Result<OsmExtract, InputError> {
    let reader = osmpbf::ElementReader::new(source);
    let mut nodes: HashMap<i64, LonLat> = HashMap::new();
    let mut tagged_nodes: Vec<(i64, Tags)> = Vec::new();
    let mut ways: Vec<RawWay> = Vec::new();
    let mut relations: Vec<RawRelation> = Vec::new();
    let mut bad_node: Option<InputError> = None;
    let mut on_node = |id: i64, lon: f64, lat: f64, tags: Tags| match LonLat::validate(lon, lat) {
        Ok(p) => {
            nodes.insert(id, p);
            if !tags.is_empty() {
                tagged_nodes.push((id, tags));
            }
        }
        Err(m) => {
            bad_node.get_or_insert_with(|| {
                InputError::new(
                    path,
                    Location::Element(format!("node/{id}")),
                    Some("location"),
                    m,
                )
            });
        }
    };
    reader
        .for_each(|element| match element {
            osmpbf::Element::Node(n) => on_node(n.id(), n.lon(), n.lat(), Tags::keep(n.tags())),
            osmpbf::Element::DenseNode(n) => {
                on_node(n.id(), n.lon(), n.lat(), Tags::keep(n.tags()))
            }
            osmpbf::Element::Way(w) => ways.push(RawWay {
                id: w.id(),
                tags: Tags::keep(w.tags()),
                refs: w.refs().collect(),
            }),
            osmpbf::Element::Relation(r) => {
                let tags = Tags::keep(r.tags());
                if venue_kind_of(&tags).is_some() {
                    let outer_ways = r
                        .members()
                        .filter(|m| m.member_type == osmpbf::RelMemberType::Way)
                        .filter(|m| matches!(m.role(), Ok("outer") | Ok("")))
                        .map(|m| m.member_id)
                        .collect();
                    relations.push(RawRelation {
                        id: r.id(),
                        tags,
                        outer_ways,
                    });
                }
            }
        })
        .map_err(|e| InputError::file(path, format!("not a readable OSM PBF file: {e}")))?;
    if let Some(e) = bad_node {
        return Err(e);
    }
    let missing = count_missing(&ways, &nodes);
    let network = StreetNetwork::build(&ways, &nodes);
    let corners = network.corners(BEND_THRESHOLD_DEG);
    let mut ignored_tags = Vec::new();
    let lamps = places::lamps(&tagged_nodes, &nodes, &mut ignored_tags);
    let candidates = places::venue_candidates(&tagged_nodes, &ways, &relations, &nodes);
    let residential_buildings = places::residential_buildings(&ways, &nodes);
    let extent = BBox::around(nodes.values().copied());
    Ok(OsmExtract {
        network,
        corners,
        lamps,
        candidates,
        residential_buildings,
        missing,
        ignored_tags,
        extent,
    })
}

/// The street network, corners and extent of ways made in memory rather than read from a file
/// (the synthetic city): the same splitting and corner finding as an extract gets.
pub(crate) fn extract_from_ways(ways: &[RawWay], nodes: &HashMap<i64, LonLat>) -> OsmExtract {
    let missing = count_missing(ways, nodes);
    let network = StreetNetwork::build(ways, nodes);
    let corners = network.corners(BEND_THRESHOLD_DEG);
    let extent = BBox::around(network.nodes.iter().map(|n| n.position));
    OsmExtract {
        network,
        corners,
        lamps: Vec::new(),
        candidates: Vec::new(),
        residential_buildings: Vec::new(),
        missing,
        ignored_tags: Vec::new(),
        extent,
    }
}

fn count_missing(ways: &[RawWay], nodes: &HashMap<i64, LonLat>) -> MissingNodes {
    let mut missing = MissingNodes::default();
    for way in ways {
        let absent = way.refs.iter().filter(|r| !nodes.contains_key(r)).count();
        if absent > 0 {
            missing.refs += absent;
            missing.ways += 1;
            if tags::is_street(&way.tags) {
                missing.street_ways += 1;
            }
        }
    }
    missing
}
