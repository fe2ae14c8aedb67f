//! Web Mercator (EPSG:3857) and the XYZ tile grid: the few formulas vector tiles are cut on.

use crate::model::BBox;
use std::f64::consts::PI;

const R: f64 = 6_378_137.0;
/// Half the width of the Mercator square, in metres.
pub const HALF: f64 = PI * R;
/// Web Mercator stops here so the world is a square.
pub const MAX_LAT: f64 = 85.051_128_779_806_59;

pub fn to_mercator(lon: f64, lat: f64) -> (f64, f64) {
    let lat = lat.clamp(-MAX_LAT, MAX_LAT);
    (
        R * lon.to_radians(),
        R * (PI / 4.0 + lat.to_radians() / 2.0).tan().ln(),
    )
}

/// A tile's square in Mercator metres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TileBounds {
    pub left: f64,
    pub bottom: f64,
    pub right: f64,
    pub top: f64,
}

impl TileBounds {
    pub fn of(z: u8, x: u32, y: u32) -> Self {
        let size = 2.0 * HALF / f64::from(1u32 << z);
        let left = -HALF + f64::from(x) * size;
        let top = HALF - f64::from(y) * size;
        Self {
            left,
            bottom: top - size,
            right: left + size,
            top,
        }
    }

    /// Metres per pixel of a 256-pixel tile: the simplification step.
    pub fn metres_per_pixel(&self) -> f64 {
        (self.right - self.left) / 256.0
    }

    /// The square grown by `px` pixels on each side.
    pub fn grown(&self, px: f64) -> Self {
        let m = px * self.metres_per_pixel();
        Self {
            left: self.left - m,
            bottom: self.bottom - m,
            right: self.right + m,
            top: self.top + m,
        }
    }
}

/// Whether z/x/y names a tile at all.
pub fn valid_tile(z: u8, x: u32, y: u32) -> bool {
    z <= 30 && u64::from(x) < (1u64 << z) && u64::from(y) < (1u64 << z)
}

/// The tile column and row holding a WGS-84 point at zoom `z`.
pub fn tile_of(lon: f64, lat: f64, z: u8) -> (u32, u32) {
    let n = f64::from(1u32 << z);
    let (mx, my) = to_mercator(lon, lat);
    let x = ((mx + HALF) / (2.0 * HALF) * n).floor().clamp(0.0, n - 1.0);
    let y = ((HALF - my) / (2.0 * HALF) * n).floor().clamp(0.0, n - 1.0);
    (x as u32, y as u32)
}

/// Every tile at zoom `z` that meets the box.
pub fn tiles_over(b: &BBox, z: u8) -> impl Iterator<Item = (u32, u32)> {
    let (x0, y0) = tile_of(b.west, b.north, z);
    let (x1, y1) = tile_of(b.east, b.south, z);
    (x0..=x1).flat_map(move |x| (y0..=y1).map(move |y| (x, y)))
}

/// The WGS-84 box of a tile (for bbox queries against lon/lat indexes).
pub fn tile_bbox(z: u8, x: u32, y: u32) -> BBox {
    let t = TileBounds::of(z, x, y);
    let lon = |mx: f64| (mx / R).to_degrees();
    let lat = |my: f64| (2.0 * (my / R).exp().atan() - PI / 2.0).to_degrees();
    BBox::new(lon(t.left), lat(t.bottom), lon(t.right), lat(t.top))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helsinki_falls_in_its_known_tile_and_the_tile_box_holds_it() {
        // Senate Square, Helsinki: z14 tile 9327/4742 (as slippy-map tools give it).
        assert_eq!(tile_of(24.9525, 60.1695, 14), (9327, 4742));
        let b = tile_bbox(14, 9327, 4742);
        assert!(b.contains(crate::model::LonLat::new(24.9525, 60.1695)));
        let t = TileBounds::of(0, 0, 0);
        assert!((t.left + HALF).abs() < 1e-6 && (t.top - HALF).abs() < 1e-6);
        assert!(valid_tile(3, 7, 7) && !valid_tile(3, 8, 0));
    }
}
