//! What the basemap draws from an OSM extract: roads by class with names, buildings, water,
//! green areas and place labels. A pass of its own: the analyses never need these tags.

use crate::ingest::error::InputError;
use crate::model::LonLat;
use geo::{Contains, Coord, LineString, MultiPolygon, Point, Polygon};
use std::collections::HashMap;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BaseLayer {
    Water,
    Green,
    Buildings,
    Roads,
    Places,
}

impl BaseLayer {
    pub const ALL: [BaseLayer; 5] = [
        BaseLayer::Water,
        BaseLayer::Green,
        BaseLayer::Buildings,
        BaseLayer::Roads,
        BaseLayer::Places,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            BaseLayer::Water => "water",
            BaseLayer::Green => "green",
            BaseLayer::Buildings => "buildings",
            BaseLayer::Roads => "roads",
            BaseLayer::Places => "places",
        }
    }
}

/// One thing to draw, in WGS-84.
#[derive(Debug, Clone, PartialEq)]
pub struct BaseFeature {
    pub layer: BaseLayer,
    /// The OSM value that decided it: `primary`, `park`, `river`, `suburb`, …
    pub class: String,
    pub name: Option<String>,
    pub geometry: geo::Geometry<f64>,
}

const GREEN: &[(&str, &[&str])] = &[
    (
        "leisure",
        &["park", "garden", "playground", "pitch", "nature_reserve"],
    ),
    (
        "landuse",
        &[
            "grass",
            "forest",
            "meadow",
            "recreation_ground",
            "cemetery",
            "allotments",
            "village_green",
        ],
    ),
    ("natural", &["wood", "scrub", "grassland", "heath"]),
];
const PLACES: &[&str] = &[
    "city",
    "town",
    "suburb",
    "quarter",
    "neighbourhood",
    "village",
    "hamlet",
    "island",
    "square",
];

fn tag<'a>(tags: &'a [(String, String)], key: &str) -> Option<&'a str> {
    tags.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

/// The layer and class of an area (closed way or multipolygon).
fn area_kind(tags: &[(String, String)]) -> Option<(BaseLayer, String)> {
    if let Some(b) = tag(tags, "building") {
        return (b != "no").then(|| (BaseLayer::Buildings, b.to_string()));
    }
    if tag(tags, "natural") == Some("water")
        || tag(tags, "waterway") == Some("riverbank")
        || tag(tags, "landuse") == Some("reservoir")
    {
        let class = tag(tags, "water").unwrap_or("water");
        return Some((BaseLayer::Water, class.to_string()));
    }
    GREEN.iter().find_map(|(key, values)| {
        tag(tags, key)
            .filter(|v| values.contains(v))
            .map(|v| (BaseLayer::Green, v.to_string()))
    })
}

const KEYS: &[&str] = &[
    "highway", "name", "building", "natural", "water", "waterway", "landuse", "leisure", "place",
    "type", "area",
];

fn keep<'a>(tags: impl Iterator<Item = (&'a str, &'a str)>) -> Vec<(String, String)> {
    tags.filter(|(k, _)| KEYS.contains(k))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

struct Way {
    tags: Vec<(String, String)>,
    refs: Vec<i64>,
}

struct Relation {
    tags: Vec<(String, String)>,
    outer: Vec<i64>,
    inner: Vec<i64>,
}

pub fn read_basemap(path: &Path) -> Result<Vec<BaseFeature>, InputError> {
    let file = std::fs::File::open(path)
        .map_err(|e| InputError::file(path, format!("cannot read: {e}")))?;
    read_basemap_from(std::io::BufReader::new(file), path)
}

pub fn read_basemap_from<R: std::io::Read + Send>(
    source: R,
    path: &Path,
) -> Result<Vec<BaseFeature>, InputError> {
    let mut nodes: HashMap<i64, LonLat> = HashMap::new();
    let mut places: Vec<(LonLat, Vec<(String, String)>)> = Vec::new();
    let mut ways: HashMap<i64, Way> = HashMap::new();
    let mut relations: Vec<Relation> = Vec::new();
    let mut on_node = |id: i64, lon: f64, lat: f64, tags: Vec<(String, String)>| {
        if let Ok(p) = LonLat::validate(lon, lat) {
            nodes.insert(id, p);
            if tag(&tags, "place").is_some_and(|p| PLACES.contains(&p))
                && tag(&tags, "name").is_some()
            {
                places.push((p, tags));
            }
        }
    };
    osmpbf::ElementReader::new(source)
        .for_each(|element| match element {
            osmpbf::Element::Node(n) => on_node(n.id(), n.lon(), n.lat(), keep(n.tags())),
            osmpbf::Element::DenseNode(n) => on_node(n.id(), n.lon(), n.lat(), keep(n.tags())),
            osmpbf::Element::Way(w) => {
                ways.insert(
                    w.id(),
                    Way {
                        tags: keep(w.tags()),
                        refs: w.refs().collect(),
                    },
                );
            }
            osmpbf::Element::Relation(r) => {
                let tags = keep(r.tags());
                if tag(&tags, "type") == Some("multipolygon") && area_kind(&tags).is_some() {
                    let (mut outer, mut inner) = (Vec::new(), Vec::new());
                    for m in r
                        .members()
                        .filter(|m| m.member_type == osmpbf::RelMemberType::Way)
                    {
                        match m.role() {
                            Ok("inner") => inner.push(m.member_id),
                            _ => outer.push(m.member_id),
                        }
                    }
                    relations.push(Relation { tags, outer, inner });
                }
            }
        })
        .map_err(|e| InputError::file(path, format!("not a readable OSM PBF file: {e}")))?;

    let line = |refs: &[i64]| -> Vec<Coord> {
        refs.iter()
            .filter_map(|r| nodes.get(r))
            .map(|p| Coord { x: p.lon, y: p.lat })
            .collect()
    };
    let mut out = Vec::new();
    let mut ids: Vec<&i64> = ways.keys().collect();
    ids.sort_unstable();
    for id in ids {
        let w = &ways[id];
        let closed = w.refs.len() >= 4 && w.refs.first() == w.refs.last();
        if let Some(highway) =
            tag(&w.tags, "highway").filter(|_| tag(&w.tags, "area") != Some("yes"))
        {
            let coords = line(&w.refs);
            if coords.len() >= 2 {
                out.push(BaseFeature {
                    layer: BaseLayer::Roads,
                    class: highway.to_string(),
                    name: tag(&w.tags, "name").map(str::to_string),
                    geometry: LineString::new(coords).into(),
                });
            }
        } else if closed && let Some((layer, class)) = area_kind(&w.tags) {
            let coords = line(&w.refs);
            if coords.len() == w.refs.len() {
                out.push(BaseFeature {
                    layer,
                    class,
                    name: tag(&w.tags, "name").map(str::to_string),
                    geometry: Polygon::new(LineString::new(coords), vec![]).into(),
                });
            }
        }
    }
    for r in &relations {
        let Some((layer, class)) = area_kind(&r.tags) else {
            continue;
        };
        let rings = |members: &[i64]| -> Vec<LineString> {
            let parts: Vec<Vec<Coord>> = members
                .iter()
                .filter_map(|m| ways.get(m))
                .map(|w| line(&w.refs))
                .filter(|c| c.len() >= 2)
                .collect();
            assemble_rings(parts)
        };
        let inners = rings(&r.inner);
        let polygons: Vec<Polygon> = rings(&r.outer)
            .into_iter()
            .map(|outer| {
                let shell = Polygon::new(outer.clone(), vec![]);
                let holes = inners
                    .iter()
                    .filter(|i| {
                        i.0.first()
                            .is_some_and(|c| shell.contains(&Point::from(*c)))
                    })
                    .cloned()
                    .collect();
                Polygon::new(outer, holes)
            })
            .collect();
        if !polygons.is_empty() {
            out.push(BaseFeature {
                layer,
                class,
                name: tag(&r.tags, "name").map(str::to_string),
                geometry: MultiPolygon::new(polygons).into(),
            });
        }
    }
    for (p, tags) in places {
        out.push(BaseFeature {
            layer: BaseLayer::Places,
            class: tag(&tags, "place").unwrap_or_default().to_string(),
            name: tag(&tags, "name").map(str::to_string),
            geometry: Point::new(p.lon, p.lat).into(),
        });
    }
    Ok(out)
}

/// Joins way pieces end to end into closed rings; pieces that never close (cut by the extract's
/// edge) are dropped rather than drawn as wrong shapes.
pub fn assemble_rings(mut parts: Vec<Vec<Coord>>) -> Vec<LineString> {
    let mut rings = Vec::new();
    while let Some(mut ring) = parts.pop() {
        loop {
            if ring.len() >= 4 && ring.first() == ring.last() {
                rings.push(LineString::new(ring));
                break;
            }
            let end = *ring.last().unwrap_or(&Coord {
                x: f64::NAN,
                y: f64::NAN,
            });
            let next = parts
                .iter()
                .position(|p| p.first() == Some(&end) || p.last() == Some(&end));
            match next {
                Some(i) => {
                    let mut piece = parts.swap_remove(i);
                    if piece.first() != Some(&end) {
                        piece.reverse();
                    }
                    ring.extend(piece.into_iter().skip(1));
                }
                None => break,
            }
        }
    }
    rings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_join_into_rings_and_open_ones_are_dropped() {
        let c = |x: f64, y: f64| Coord { x, y };
        let rings = assemble_rings(vec![
            vec![c(0.0, 0.0), c(1.0, 0.0)],
            vec![c(1.0, 1.0), c(1.0, 0.0)],
            vec![c(1.0, 1.0), c(0.0, 1.0), c(0.0, 0.0)],
            vec![c(5.0, 5.0), c(6.0, 5.0)],
        ]);
        assert_eq!(rings.len(), 1);
        assert_eq!(rings[0].0.len(), 5);
        assert_eq!(rings[0].0.first(), rings[0].0.last());
    }

    #[test]
    fn the_demo_city_has_roads_buildings_water_green_and_places() {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/osm/helsinki-centre.osm.pbf");
        let features = read_basemap(&path).unwrap();
        for layer in BaseLayer::ALL {
            assert!(
                features.iter().any(|f| f.layer == layer),
                "no {}",
                layer.as_str()
            );
        }
        assert!(
            features
                .iter()
                .any(|f| f.layer == BaseLayer::Roads && f.name.is_some())
        );
    }
}
