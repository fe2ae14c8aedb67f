//! The basemap: an OSM extract cut into vector tiles and written as one PMTiles archive that the
//! server hands to MapLibre. Roads by class with names, buildings, water, green areas and place
//! labels; minor roads and buildings only where they are readable.

use super::encode::{LayerBuilder, encode};
use super::mercator::{TileBounds, tiles_over, to_mercator};
use crate::ingest::osm::{BaseFeature, BaseLayer};
use crate::model::BBox;
use geo::{BoundingRect, Geometry, MapCoords};
use geozero::mvt::TileValue;
use pmtiles::{PmTilesWriter, TileCoord, TileId, TileType};
use rayon::prelude::*;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};
use serde::Serialize;
use serde_json::json;
use std::path::Path;

pub const DEFAULT_MIN_ZOOM: u8 = 10;
pub const DEFAULT_MAX_ZOOM: u8 = 16;
pub const ATTRIBUTION: &str = "© OpenStreetMap contributors (ODbL)";

/// The first zoom at which a feature is drawn: detail only where it can be read.
fn min_zoom(f: &BaseFeature) -> u8 {
    match (f.layer, f.class.as_str()) {
        (
            BaseLayer::Roads,
            "motorway" | "trunk" | "primary" | "secondary" | "motorway_link" | "trunk_link"
            | "primary_link",
        ) => 0,
        (BaseLayer::Roads, "tertiary" | "secondary_link" | "tertiary_link") => 11,
        (BaseLayer::Roads, "residential" | "unclassified" | "living_street" | "pedestrian") => 13,
        (BaseLayer::Roads, _) => 14,
        (BaseLayer::Buildings, _) => 14,
        (BaseLayer::Places, "city" | "town" | "suburb" | "island") => 0,
        (BaseLayer::Places, "quarter" | "village") => 12,
        (BaseLayer::Places, _) => 14,
        (BaseLayer::Water | BaseLayer::Green, _) => 0,
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct BasemapSummary {
    pub features: usize,
    pub tiles: usize,
    pub tiles_by_zoom: Vec<(u8, usize)>,
    pub bytes: u64,
    pub largest_tile_bytes: usize,
    pub seconds: f64,
}

type Entry = GeomWithData<Rectangle<[f64; 2]>, usize>;

/// Cuts every tile of `min..=max` over the features' extent and writes the archive to `out`.
pub fn build_basemap(
    features: &[BaseFeature],
    min: u8,
    max: u8,
    out: &Path,
) -> anyhow::Result<BasemapSummary> {
    let started = std::time::Instant::now();
    anyhow::ensure!(
        min <= max && max <= 20,
        "zoom range {min}..{max}: expected min <= max <= 20"
    );
    let extent = features
        .iter()
        .filter_map(|f| f.geometry.bounding_rect())
        .map(|r| BBox::new(r.min().x, r.min().y, r.max().x, r.max().y))
        .reduce(|a, b| {
            BBox::new(
                a.west.min(b.west),
                a.south.min(b.south),
                a.east.max(b.east),
                a.north.max(b.north),
            )
        })
        .ok_or_else(|| anyhow::anyhow!("the extract has nothing to draw"))?;
    let projected: Vec<Geometry<f64>> = features
        .iter()
        .map(|f| {
            f.geometry.map_coords(|c| {
                let (x, y) = to_mercator(c.x, c.y);
                geo::Coord { x, y }
            })
        })
        .collect();
    let tree: RTree<Entry> = RTree::bulk_load(
        projected
            .iter()
            .enumerate()
            .filter_map(|(i, g)| {
                let r = g.bounding_rect()?;
                Some(Entry::new(
                    Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                    i,
                ))
            })
            .collect(),
    );
    let coords: Vec<(u8, u32, u32)> = (min..=max)
        .flat_map(|z| tiles_over(&extent, z).map(move |(x, y)| (z, x, y)))
        .collect();
    let mut tiles: Vec<(TileId, TileCoord, Vec<u8>)> = coords
        .par_iter()
        .filter_map(|&(z, x, y)| {
            let bytes = cut(features, &projected, &tree, z, x, y);
            if bytes.is_empty() {
                return None;
            }
            let coord = TileCoord::new(z, x, y).ok()?;
            Some((TileId::from(coord), coord, bytes))
        })
        .collect();
    // PMTiles wants tiles in tile-id order (zoom, then Hilbert curve).
    tiles.sort_by_key(|t| t.0);
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = out.with_extension("pmtiles.part");
    let file = std::fs::File::create(&tmp)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", tmp.display()))?;
    let center = extent.center();
    let mut writer = PmTilesWriter::new(TileType::Mvt)
        .min_zoom(min)
        .max_zoom(max)
        .bounds(extent.west, extent.south, extent.east, extent.north)
        .center(center.lon, center.lat)
        .center_zoom(min.max(14).min(max))
        .metadata(metadata().to_string())
        .create(std::io::BufWriter::new(file))?;
    let mut tiles_by_zoom: Vec<(u8, usize)> = (min..=max).map(|z| (z, 0)).collect();
    let mut largest = 0;
    for (_, coord, bytes) in &tiles {
        writer.add_tile(*coord, bytes)?;
        tiles_by_zoom[(coord.z() - min) as usize].1 += 1;
        largest = largest.max(bytes.len());
    }
    writer.finalize()?;
    std::fs::File::open(&tmp)?.sync_all()?;
    std::fs::rename(&tmp, out)?;
    Ok(BasemapSummary {
        features: features.len(),
        tiles: tiles.len(),
        tiles_by_zoom,
        bytes: std::fs::metadata(out)?.len(),
        largest_tile_bytes: largest,
        seconds: started.elapsed().as_secs_f64(),
    })
}

fn cut(
    features: &[BaseFeature],
    projected: &[Geometry<f64>],
    tree: &RTree<Entry>,
    z: u8,
    x: u32,
    y: u32,
) -> Vec<u8> {
    let bounds = TileBounds::of(z, x, y);
    let g = bounds.grown(super::encode::BUFFER_PX);
    let mut hits: Vec<usize> = tree
        .locate_in_envelope_intersecting(&AABB::from_corners([g.left, g.bottom], [g.right, g.top]))
        .map(|e| e.data)
        .filter(|&i| min_zoom(&features[i]) <= z)
        .collect();
    hits.sort_unstable();
    let mut layers: Vec<LayerBuilder> = BaseLayer::ALL
        .iter()
        .map(|l| LayerBuilder::new(l.as_str(), bounds))
        .collect();
    for i in hits {
        let f = &features[i];
        let mut props = vec![("class", TileValue::Str(f.class.clone()))];
        if let Some(n) = &f.name {
            props.push(("name", TileValue::Str(n.clone())));
        }
        let layer = BaseLayer::ALL
            .iter()
            .position(|l| *l == f.layer)
            .unwrap_or(0);
        layers[layer].add(&projected[i], Some(i as u64 + 1), &props);
    }
    encode(layers)
}

/// The archive's metadata: layers and fields as TileJSON's `vector_layers`, and attribution.
pub fn metadata() -> serde_json::Value {
    let fields = json!({ "class": "String", "name": "String" });
    json!({
        "name": "patrolmap basemap",
        "attribution": ATTRIBUTION,
        "vector_layers": BaseLayer::ALL.iter().map(|l| json!({ "id": l.as_str(), "fields": fields })).collect::<Vec<_>>(),
    })
}
