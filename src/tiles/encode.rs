//! Geometry into Mapbox Vector Tile layers: clip to the tile with a small buffer, simplify to
//! about a pixel, drop what collapsed, wind exterior rings as MVT wants, then encode (geozero).

use super::mercator::TileBounds;
use geo::orient::{Direction, Orient};
use geo::{
    Area, BooleanOps, BoundingRect, Geometry, MultiLineString, MultiPolygon, Rect, Simplify,
};
use geozero::ToMvt;
use geozero::mvt::tile::{Feature, Layer};
use geozero::mvt::{Message, TagsBuilder, Tile, TileValue};

/// Tile coordinate units per side.
pub const EXTENT: u32 = 4096;
/// Pixels of geometry kept beyond the tile's edge, so lines and fills join without seams.
pub const BUFFER_PX: f64 = 4.0;

/// One named layer of one tile, being filled.
pub struct LayerBuilder {
    name: String,
    bounds: TileBounds,
    clip: Rect,
    features: Vec<Feature>,
    tags: TagsBuilder,
}

impl LayerBuilder {
    pub fn new(name: &str, bounds: TileBounds) -> Self {
        let g = bounds.grown(BUFFER_PX);
        Self {
            name: name.to_string(),
            bounds,
            clip: Rect::new((g.left, g.bottom), (g.right, g.top)),
            features: Vec::new(),
            tags: TagsBuilder::new(),
        }
    }

    /// Adds a feature given in Mercator metres; false when nothing of it shows in this tile.
    pub fn add(
        &mut self,
        geometry: &Geometry<f64>,
        id: Option<u64>,
        properties: &[(&str, TileValue)],
    ) -> bool {
        let Some(shape) = self.fit(geometry) else {
            return false;
        };
        let b = self.bounds;
        let Ok(mut feature) = shape.to_mvt(EXTENT, b.left, b.bottom, b.right, b.top) else {
            return false;
        };
        if feature.geometry.is_empty() {
            return false;
        }
        feature.id = id;
        for (key, value) in properties {
            let (k, v) = self.tags.insert_ref(key, value.clone());
            feature.tags.extend([k, v]);
        }
        self.features.push(feature);
        true
    }

    /// Clipped, simplified and wound, or None if nothing is left.
    fn fit(&self, geometry: &Geometry<f64>) -> Option<Geometry<f64>> {
        let px = self.bounds.metres_per_pixel();
        let within = geometry.bounding_rect().map(|r| {
            r.min().x >= self.clip.min().x
                && r.min().y >= self.clip.min().y
                && r.max().x <= self.clip.max().x
                && r.max().y <= self.clip.max().y
        })?;
        let meets = geometry.bounding_rect().is_some_and(|r| {
            r.min().x <= self.clip.max().x
                && r.max().x >= self.clip.min().x
                && r.min().y <= self.clip.max().y
                && r.max().y >= self.clip.min().y
        });
        if !meets {
            return None;
        }
        let clip = self.clip.to_polygon();
        match geometry {
            Geometry::Point(_) | Geometry::MultiPoint(_) => within.then(|| geometry.clone()),
            Geometry::LineString(l) => {
                self.lines(MultiLineString::new(vec![l.clone()]), within, &clip, px)
            }
            Geometry::MultiLineString(m) => self.lines(m.clone(), within, &clip, px),
            Geometry::Polygon(p) => {
                self.areas(MultiPolygon::new(vec![p.clone()]), within, &clip, px)
            }
            Geometry::MultiPolygon(m) => self.areas(m.clone(), within, &clip, px),
            _ => None,
        }
    }

    fn lines(
        &self,
        m: MultiLineString,
        within: bool,
        clip: &geo::Polygon,
        px: f64,
    ) -> Option<Geometry<f64>> {
        let m = if within { m } else { clip.clip(&m, false) };
        let kept: Vec<_> =
            m.0.into_iter()
                .map(|l| l.simplify(px))
                .filter(|l| l.0.len() >= 2)
                .collect();
        (!kept.is_empty()).then(|| Geometry::MultiLineString(MultiLineString::new(kept)))
    }

    fn areas(
        &self,
        m: MultiPolygon,
        within: bool,
        clip: &geo::Polygon,
        px: f64,
    ) -> Option<Geometry<f64>> {
        let m = if within { m } else { m.intersection(clip) };
        // A ring smaller than a pixel would round to nothing, or to a spike.
        let kept: Vec<_> =
            m.0.into_iter()
                .map(|p| p.simplify(px))
                .filter(|p| p.exterior().0.len() >= 4 && p.unsigned_area() >= px * px)
                .collect();
        if kept.is_empty() {
            return None;
        }
        // In Mercator (y up), clockwise exteriors come out right in tile coordinates (y down).
        Some(Geometry::MultiPolygon(
            MultiPolygon::new(kept).orient(Direction::Reversed),
        ))
    }

    pub fn is_empty(&self) -> bool {
        self.features.is_empty()
    }

    pub fn finish(self) -> Layer {
        let (keys, values) = self.tags.into_tags();
        Layer {
            version: 2,
            name: self.name,
            features: self.features,
            keys,
            values: values.into_iter().map(Into::into).collect(),
            extent: Some(EXTENT),
        }
    }
}

/// The tile's bytes (uncompressed protobuf); empty when no layer has a feature.
pub fn encode(layers: Vec<LayerBuilder>) -> Vec<u8> {
    let layers: Vec<Layer> = layers
        .into_iter()
        .filter(|l| !l.is_empty())
        .map(LayerBuilder::finish)
        .collect();
    if layers.is_empty() {
        return Vec::new();
    }
    Tile { layers }.encode_to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tiles::mercator::to_mercator;
    use geo::{LineString, Polygon, polygon};

    #[test]
    fn a_square_across_the_edge_is_clipped_and_wound_for_mvt() {
        let b = TileBounds::of(14, 9327, 4742);
        let (cx, cy) = (b.left, (b.top + b.bottom) / 2.0);
        let half = (b.right - b.left) / 4.0;
        // Counter-clockwise in Mercator, half outside the tile on the left.
        let square: Polygon = polygon![
            (x: cx - half, y: cy - half),
            (x: cx + half, y: cy - half),
            (x: cx + half, y: cy + half),
            (x: cx - half, y: cy + half),
        ];
        let mut layer = LayerBuilder::new("buildings", b);
        assert!(layer.add(
            &square.into(),
            Some(1),
            &[("class", TileValue::Str("yes".into()))]
        ));
        let tile = geozero::mvt::Tile::decode(encode(vec![layer]).as_slice()).unwrap();
        let layer = &tile.layers[0];
        assert_eq!(layer.name, "buildings");
        assert_eq!(layer.keys, vec!["class".to_string()]);
        let feature = &layer.features[0];
        // MoveTo(1) … LineTo(n) … ClosePath: decode the ring and check its signed area.
        let ring = decode_ring(&feature.geometry);
        let xs: Vec<i32> = ring.iter().map(|p| p.0).collect();
        assert!(
            *xs.iter().min().unwrap() >= -(BUFFER_PX as i32) * 16,
            "clipped at the buffer: {xs:?}"
        );
        let area: i64 = ring
            .iter()
            .zip(ring.iter().cycle().skip(1))
            .map(|(a, b)| i64::from(a.0) * i64::from(b.1) - i64::from(b.0) * i64::from(a.1))
            .sum();
        assert!(
            area > 0,
            "exterior ring must have positive area in tile coordinates"
        );
    }

    fn decode_ring(g: &[u32]) -> Vec<(i32, i32)> {
        let z = |v: u32| ((v >> 1) as i32) ^ -((v & 1) as i32);
        let (mut x, mut y, mut out, mut i) = (0, 0, vec![], 0);
        while i < g.len() {
            let (cmd, count) = (g[i] & 7, g[i] >> 3);
            i += 1;
            if cmd == 7 {
                break;
            }
            for _ in 0..count {
                x += z(g[i]);
                y += z(g[i + 1]);
                out.push((x, y));
                i += 2;
            }
        }
        out
    }

    #[test]
    fn what_lies_outside_or_collapses_is_left_out() {
        let b = TileBounds::of(14, 9327, 4742);
        let mut layer = LayerBuilder::new("roads", b);
        let (x, y) = to_mercator(0.0, 0.0);
        let far = LineString::from(vec![(x, y), (x + 10.0, y)]);
        assert!(!layer.add(&far.into(), None, &[]));
        let tiny: Polygon = polygon![(x: b.left + 100.0, y: b.bottom + 100.0), (x: b.left + 100.1, y: b.bottom + 100.0), (x: b.left + 100.1, y: b.bottom + 100.1)];
        assert!(!layer.add(&tiny.into(), None, &[]));
        assert!(encode(vec![layer]).is_empty());
    }
}
