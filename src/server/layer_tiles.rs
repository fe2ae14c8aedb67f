//! A layer's vector tiles, cut per request from its R-tree as its `TileDef` says: the
//! properties the map's style and legend need, points thinned to one per few-pixel cell at low
//! zoom (the most important kept, with a `count`), lines and polygons simplified to the pixel
//! by the encoder. Also the tile entry of a layer in `/api/layers`: its URL template, legend
//! breaks and counts, so the web map never needs the whole layer to draw or explain it.

use super::catalogue::{Query, Rank, Thinning};
use super::error::ApiError;
use super::layer_index::Layer;
use super::layer_set::Layers;
use crate::tiles::encode::{LayerBuilder, encode};
use crate::tiles::mercator::{TileBounds, tile_bbox};
use geo::{BoundingRect, Geometry};
use geozero::mvt::TileValue;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashMap};

/// Tiles are cut from zoom 0; beyond this the map overzooms (every layer is whole by then).
pub const TILE_MAXZOOM: u8 = 16;
/// The quantiles the legend's four colour classes split at.
const LEGEND_QUANTILES: [f64; 3] = [0.5, 0.8, 0.95];

/// The gzip-compressed MVT of one layer's tile as `viewer` may see it; empty if nothing shows.
pub fn cut_layer(
    layers: &Layers,
    id: &str,
    viewer: &Query,
    z: u8,
    x: u32,
    y: u32,
) -> Result<Vec<u8>, ApiError> {
    let layer = layers
        .get(id)
        .ok_or_else(|| ApiError::not_found(format!("no layer `{id}`")))?;
    cut(layer, viewer, z, x, y)
}

/// One layer's tile, gzipped; see `cut_layer`.
pub fn cut(layer: &Layer, viewer: &Query, z: u8, x: u32, y: u32) -> Result<Vec<u8>, ApiError> {
    let id = layer.def.id;
    let def = layer
        .def
        .tiles
        .as_ref()
        .ok_or_else(|| ApiError::not_found(format!("layer `{id}` has no tiles")))?;
    let bounds = TileBounds::of(z, x, y);
    let hits = layer.select(&viewer.within(tile_bbox(z, x, y)));
    let thinning = def.thinning.filter(|t| z < t.below_zoom);
    let kept = match thinning {
        Some(t) => thin_layer(layer, &hits, &bounds, t),
        None => hits.iter().map(|&i| (i, 1)).collect(),
    };
    let px = bounds.metres_per_pixel();
    let mut builder = LayerBuilder::new(id, bounds);
    for (i, count) in kept {
        let Some(geometry) = layer.mercator(i).filter(|g| shows_at(g, px)) else {
            continue;
        };
        let fid = layer.feature_id(i);
        let numeric = fid.parse::<u64>().ok();
        let mut props = Vec::with_capacity(def.properties.len() + 2);
        // A numeric id travels as the MVT feature id; only other ids need a property.
        if numeric.is_none() {
            props.push(("id", TileValue::Str(fid.to_string())));
        }
        for (key, value) in def
            .properties
            .iter()
            .zip(layer.properties(i, def.properties))
        {
            if let Some(v) = value.as_ref().and_then(tile_value) {
                props.push((*key, v));
            }
        }
        if thinning.is_some() && matches!(geometry, Geometry::Point(_)) {
            props.push(("count", TileValue::Uint(u64::from(count))));
        }
        builder.add(geometry, numeric, &props);
    }
    let raw = encode(vec![builder]);
    if raw.is_empty() {
        return Ok(raw);
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, &raw).map_err(ApiError::internal)?;
    gz.finish().map_err(ApiError::internal)
}

/// Whether a shape is worth a tile feature at this scale: a line or polygon under a pixel both
/// ways would be one dot among thousands at low zoom.
fn shows_at(g: &Geometry<f64>, metres_per_px: f64) -> bool {
    match g {
        Geometry::Point(_) | Geometry::MultiPoint(_) => true,
        _ => g
            .bounding_rect()
            .is_some_and(|r| r.width().max(r.height()) >= metres_per_px),
    }
}

/// The layer's points in this tile thinned as `t` says, and its lines apart from them (each
/// standing at its box's centre): a city's half a million blind stretches at city zoom are
/// a few thousand, the most important of each cell, instead of tens of thousands a browser
/// takes seconds to draw. Polygons pass through, one each.
fn thin_layer(
    layer: &Layer,
    hits: &[usize],
    bounds: &TileBounds,
    t: Thinning,
) -> Vec<(usize, u32)> {
    let mut out = Vec::new();
    let (mut points, mut lines) = (Vec::with_capacity(hits.len()), Vec::new());
    for &i in hits {
        match layer.mercator(i) {
            Some(Geometry::Point(p)) => {
                points.push((i, p.x(), p.y(), importance(layer, i, t.rank)))
            }
            Some(g @ (Geometry::LineString(_) | Geometry::MultiLineString(_))) => {
                if let Some(c) = g.bounding_rect().map(|r| r.center()) {
                    lines.push((i, c.x, c.y, importance(layer, i, t.rank)));
                }
            }
            Some(_) => out.push((i, 1)),
            None => {}
        }
    }
    out.extend(thin(&points, bounds, t.cell_px));
    out.extend(thin(&lines, bounds, t.cell_px));
    out.sort_unstable();
    out
}

/// Higher is kept first.
fn importance(layer: &Layer, i: usize, rank: Rank) -> f64 {
    match rank {
        Rank::LayerOrder => -(i as f64),
        Rank::Kinds(order) => {
            let k = layer.kind(i);
            -(order
                .iter()
                .position(|o| Some(*o) == k)
                .unwrap_or(order.len()) as f64)
        }
        Rank::Highest(key) => layer.properties(i, &[key])[0]
            .as_ref()
            .and_then(Value::as_f64)
            .unwrap_or(f64::NEG_INFINITY),
    }
}

/// One point per `cell_px` square of a 256-pixel tile: the most important (ties: the first
/// given), with how many points of the square it stands for. `points` are (index, x, y,
/// importance) in Mercator metres; the result is in index order.
pub fn thin(
    points: &[(usize, f64, f64, f64)],
    bounds: &TileBounds,
    cell_px: u32,
) -> Vec<(usize, u32)> {
    let cell_px = cell_px.max(1);
    let per_side = 256u32.div_ceil(cell_px);
    let cell_m = bounds.metres_per_pixel() * f64::from(cell_px);
    let cell_of = |v: f64, lo: f64| {
        ((v - lo) / cell_m)
            .floor()
            .clamp(0.0, f64::from(per_side - 1)) as u32
    };
    // (kept index, its importance, count)
    let mut cells: HashMap<u32, (usize, f64, u32)> = HashMap::new();
    for &(i, x, y, score) in points {
        let key = cell_of(bounds.top - y, 0.0) * per_side + cell_of(x, bounds.left);
        cells
            .entry(key)
            .and_modify(|(kept, best, n)| {
                *n += 1;
                if score > *best || (score == *best && i < *kept) {
                    (*kept, *best) = (i, score);
                }
            })
            .or_insert((i, score, 1));
    }
    let mut out: Vec<(usize, u32)> = cells.into_values().map(|(i, _, n)| (i, n)).collect();
    out.sort_unstable();
    out
}

/// A JSON property as an MVT value; arrays, objects and nulls are left out of tiles.
pub fn tile_value(v: &Value) -> Option<TileValue> {
    match v {
        Value::String(s) => Some(TileValue::Str(s.clone())),
        Value::Bool(b) => Some(TileValue::Bool(*b)),
        Value::Number(n) => n
            .as_i64()
            .map(TileValue::Sint)
            .or_else(|| n.as_u64().map(TileValue::Uint))
            .or_else(|| n.as_f64().map(TileValue::Double)),
        _ => None,
    }
}

/// What `/api/layers` tells the map of a layer's tiles: the URL template (absolute, from
/// `root`), the zooms, the features per kind and the legend's quantile breaks, all over what
/// `viewer` may see. Empty for a layer without tiles.
pub fn catalogue_entry(layer: &Layer, viewer: &Query, root: &str) -> Map<String, Value> {
    let mut entry = Map::new();
    let Some(def) = layer.def.tiles.as_ref() else {
        return entry;
    };
    let id = layer.def.id;
    entry.insert(
        "tiles".into(),
        json!(format!("{root}/layers/{id}/tiles/{{z}}/{{x}}/{{y}}")),
    );
    entry.insert("minzoom".into(), json!(0));
    entry.insert("maxzoom".into(), json!(TILE_MAXZOOM));
    entry.insert("tile_properties".into(), json!(def.properties));
    let hits = layer.select(viewer);
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    for &i in &hits {
        if let Some(k) = layer.kind(i) {
            *kinds.entry(k).or_default() += 1;
        }
    }
    entry.insert("kinds".into(), json!(kinds));
    if let Some(key) = def.quantiles_of {
        let mut values: Vec<f64> = hits
            .iter()
            .filter_map(|&i| {
                layer.properties(i, &[key])[0]
                    .as_ref()
                    .and_then(Value::as_f64)
            })
            .collect();
        values.sort_unstable_by(f64::total_cmp);
        entry.insert(
            "quantiles".into(),
            json!({ key: quantiles(&values, &LEGEND_QUANTILES) }),
        );
    }
    entry
}

/// The values at shares `at` of sorted `values` (nearest rank); empty for no values.
pub fn quantiles(values: &[f64], at: &[f64]) -> Vec<f64> {
    if values.is_empty() {
        return Vec::new();
    }
    at.iter()
        .map(|p| values[((p * values.len() as f64) as usize).min(values.len() - 1)])
        .collect()
}

#[cfg(test)]
#[path = "layer_tiles_tests.rs"]
mod tests;
