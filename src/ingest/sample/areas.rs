//! Invented townships (街道) and communities (社区) over a real extent: Voronoi cells of seeded
//! points, communities cut by the township they fall in, so the two levels nest exactly.

use crate::model::{Area, AreaLevel, BBox, LocalFrame, LonLat};
use geo::{BooleanOps, Coord, LineString, MapCoords, MultiPolygon, Polygon};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const TOWNSHIPS: &[&str] = &[
    "东华街道",
    "西园街道",
    "南湖街道",
    "北城街道",
    "中山街道",
    "滨江街道",
];
const COMMUNITY_NAMES: &[&str] = &[
    "青年", "和平", "光明", "幸福", "新华", "友谊", "建设", "朝阳", "长春", "文化", "桃园", "春华",
    "金桥", "锦绣", "翠竹", "晨曦", "望湖", "丰泽",
];

/// `townships` (at most 6) and about `communities` (at most 18) sample areas over the extent.
pub fn sample_areas(extent: &BBox, seed: u64, townships: usize, communities: usize) -> Vec<Area> {
    let townships = townships.clamp(1, TOWNSHIPS.len());
    let communities = communities.clamp(townships, COMMUNITY_NAMES.len());
    let frame = LocalFrame::new(LonLat::new(extent.west, extent.south));
    let ne = frame.to_metric(LonLat::new(extent.east, extent.north));
    let rect = Polygon::new(
        LineString::from(vec![
            (0.0, 0.0),
            (ne[0], 0.0),
            (ne[0], ne[1]),
            (0.0, ne[1]),
            (0.0, 0.0),
        ]),
        vec![],
    );
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let town_cells = voronoi(&rect, &spread_points(&mut rng, ne, townships));
    let community_cells = voronoi(&rect, &spread_points(&mut rng, ne, communities));
    let to_lonlat = |g: &MultiPolygon<f64>| {
        g.map_coords(|c| {
            let p = frame.to_lonlat([c.x, c.y]);
            Coord { x: p.lon, y: p.lat }
        })
    };
    let mut areas = Vec::new();
    let mut community_no = 0;
    for (t, town) in town_cells.iter().enumerate() {
        let town_id = format!("sample:township:{}", t + 1);
        areas.push(Area {
            id: 0,
            source_id: town_id.clone(),
            name: TOWNSHIPS[t].to_string(),
            level: AreaLevel::Township,
            parent_source_id: None,
            geometry: to_lonlat(town),
            sample: true,
        });
        for cell in &community_cells {
            let piece = cell.intersection(town);
            // Slivers where a community cell grazes a township are not communities.
            if geo::Area::unsigned_area(&piece) < 2_000.0 {
                continue;
            }
            community_no += 1;
            let name = COMMUNITY_NAMES[(community_no - 1) % COMMUNITY_NAMES.len()];
            areas.push(Area {
                id: 0,
                source_id: format!("sample:community:{community_no}"),
                name: format!("{name}社区"),
                level: AreaLevel::Community,
                parent_source_id: Some(town_id.clone()),
                geometry: to_lonlat(&piece),
                sample: true,
            });
        }
    }
    areas
}

/// The synthetic city's ten townships: a few more names than the demo's six.
const CITY_TOWNSHIPS: &[&str] = &[
    "东华街道",
    "西园街道",
    "南湖街道",
    "北城街道",
    "中山街道",
    "滨江街道",
    "望月街道",
    "新河街道",
    "金霞街道",
    "枫林街道",
];

/// Ten townships over the extent (five columns of two, their cuts staggered so no two line up)
/// and `communities` communities in each (Voronoi cells within the township), nested exactly.
pub fn city_areas(extent: &BBox, seed: u64, communities: usize) -> Vec<Area> {
    let frame = LocalFrame::new(LonLat::new(extent.west, extent.south));
    let ne = frame.to_metric(LonLat::new(extent.east, extent.north));
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xA4EA);
    let columns = CITY_TOWNSHIPS.len() / 2;
    let mut cuts = vec![0.0];
    for i in 1..columns {
        cuts.push(ne[0] * (i as f64 + rng.random_range(-0.2..0.2)) / columns as f64);
    }
    cuts.push(ne[0]);
    let rect = |x0: f64, y0: f64, x1: f64, y1: f64| {
        Polygon::new(
            LineString::from(vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]),
            vec![],
        )
    };
    let to_lonlat = |g: &MultiPolygon<f64>| {
        g.map_coords(|c| {
            let p = frame.to_lonlat([c.x, c.y]);
            Coord { x: p.lon, y: p.lat }
        })
    };
    let mut areas = Vec::new();
    let mut community_no = 0;
    for column in 0..columns {
        let split = ne[1] * rng.random_range(0.38..0.62);
        for (y0, y1) in [(0.0, split), (split, ne[1])] {
            let (x0, x1) = (cuts[column], cuts[column + 1]);
            let t = areas
                .iter()
                .filter(|a: &&Area| a.level == AreaLevel::Township)
                .count();
            let town_id = format!("city:township:{}", t + 1);
            let town = rect(x0, y0, x1, y1);
            areas.push(Area {
                id: 0,
                source_id: town_id.clone(),
                name: CITY_TOWNSHIPS[t].to_string(),
                level: AreaLevel::Township,
                parent_source_id: None,
                geometry: to_lonlat(&MultiPolygon::new(vec![town.clone()])),
                sample: true,
            });
            let seeds: Vec<[f64; 2]> = spread_points(&mut rng, [x1 - x0, y1 - y0], communities)
                .into_iter()
                .map(|p| [p[0] + x0, p[1] + y0])
                .collect();
            for cell in voronoi(&town, &seeds) {
                community_no += 1;
                let word = COMMUNITY_NAMES[(community_no - 1) % COMMUNITY_NAMES.len()];
                let ordinal = ["", "一", "二", "三", "四", "五", "六"]
                    [((community_no - 1) / COMMUNITY_NAMES.len()) % 7];
                areas.push(Area {
                    id: 0,
                    source_id: format!("city:community:{community_no}"),
                    name: format!("{word}{ordinal}社区"),
                    level: AreaLevel::Community,
                    parent_source_id: Some(town_id.clone()),
                    geometry: to_lonlat(&cell),
                    sample: true,
                });
            }
        }
    }
    areas
}

/// Seeded points kept apart (rejection against a spacing that shrinks if the box is crowded),
/// so that no area is a sliver.
fn spread_points(rng: &mut ChaCha8Rng, ne: [f64; 2], n: usize) -> Vec<[f64; 2]> {
    let mut spacing = (ne[0] * ne[1] / n as f64).sqrt() * 0.6;
    let mut points: Vec<[f64; 2]> = Vec::new();
    let mut tries = 0;
    while points.len() < n {
        let p = [rng.random_range(0.0..=ne[0]), rng.random_range(0.0..=ne[1])];
        if points
            .iter()
            .all(|q| (p[0] - q[0]).hypot(p[1] - q[1]) >= spacing)
        {
            points.push(p);
        }
        tries += 1;
        if tries % 200 == 0 {
            spacing *= 0.8;
        }
    }
    points
}

/// The Voronoi cell of each seed within `rect`: the rectangle cut by the half-plane nearer to the
/// seed than to each other seed.
fn voronoi(rect: &Polygon<f64>, seeds: &[[f64; 2]]) -> Vec<MultiPolygon<f64>> {
    seeds
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut cell = MultiPolygon::new(vec![rect.clone()]);
            for (j, o) in seeds.iter().enumerate() {
                if i != j {
                    cell = cell.intersection(&nearer_half_plane(*s, *o));
                }
            }
            cell
        })
        .collect()
}

fn nearer_half_plane(seed: [f64; 2], other: [f64; 2]) -> Polygon<f64> {
    const FAR: f64 = 1.0e6;
    let mid = [(seed[0] + other[0]) / 2.0, (seed[1] + other[1]) / 2.0];
    let len = (other[0] - seed[0])
        .hypot(other[1] - seed[1])
        .max(f64::EPSILON);
    let n = [(other[0] - seed[0]) / len, (other[1] - seed[1]) / len];
    let t = [-n[1], n[0]];
    let corner = |a: f64, b: f64| (mid[0] + t[0] * a - n[0] * b, mid[1] + t[1] * a - n[1] * b);
    let ring = vec![
        corner(FAR, 0.0),
        corner(-FAR, 0.0),
        corner(-FAR, FAR),
        corner(FAR, FAR),
        corner(FAR, 0.0),
    ];
    Polygon::new(LineString::from(ring), vec![])
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Contains, Point};

    #[test]
    fn communities_nest_in_townships_and_cover_the_extent() {
        let extent = BBox::new(24.9352, 60.1642, 24.9534, 60.1791);
        let areas = sample_areas(&extent, 7, 3, 9);
        let towns: Vec<&Area> = areas
            .iter()
            .filter(|a| a.level == AreaLevel::Township)
            .collect();
        assert_eq!(towns.len(), 3);
        assert!(
            areas
                .iter()
                .filter(|a| a.level == AreaLevel::Community)
                .count()
                >= 3
        );
        // Every point of the extent is in exactly one township and one community.
        for (lon, lat) in [(24.94, 60.17), (24.936, 60.165), (24.952, 60.178)] {
            let p = Point::new(lon, lat);
            for level in [AreaLevel::Township, AreaLevel::Community] {
                let n = areas
                    .iter()
                    .filter(|a| a.level == level && a.geometry.contains(&p))
                    .count();
                assert_eq!(n, 1, "{level:?} at {lon},{lat}");
            }
        }
        for c in areas.iter().filter(|a| a.level == AreaLevel::Community) {
            let parent = areas
                .iter()
                .find(|a| Some(&a.source_id) == c.parent_source_id.as_ref())
                .unwrap();
            assert_eq!(parent.level, AreaLevel::Township);
        }
        assert_eq!(
            areas,
            sample_areas(&extent, 7, 3, 9),
            "same seed, same areas"
        );
    }

    #[test]
    fn the_city_has_ten_townships_of_ten_communities() {
        let extent = BBox::new(112.90, 28.12, 113.05, 28.25);
        let areas = city_areas(&extent, 3, 10);
        let towns: Vec<&Area> = areas
            .iter()
            .filter(|a| a.level == AreaLevel::Township)
            .collect();
        assert_eq!(towns.len(), 10);
        for t in &towns {
            let children = areas
                .iter()
                .filter(|a| a.parent_source_id.as_ref() == Some(&t.source_id))
                .count();
            assert_eq!(children, 10, "{}", t.name);
        }
        let names: std::collections::BTreeSet<&str> =
            areas.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names.len(), areas.len(), "every area has its own name");
        for (lon, lat) in [(112.91, 28.13), (112.97, 28.2), (113.04, 28.24)] {
            let p = Point::new(lon, lat);
            for level in [AreaLevel::Township, AreaLevel::Community] {
                let n = areas
                    .iter()
                    .filter(|a| a.level == level && a.geometry.contains(&p))
                    .count();
                assert_eq!(n, 1, "{level:?} at {lon},{lat}");
            }
        }
        assert_eq!(areas, city_areas(&extent, 3, 10));
    }
}
