//! A local metric frame: distances, buffers and radii are done in metres on a plane tangent to the
//! district. An equirectangular frame is exact enough over a district or a city (scale error below
//! 0.1 % within ±25 km of the reference latitude) and, unlike a transverse projection, maps a
//! longitude/latitude box to an axis-aligned metric box, so bbox queries stay rectangle queries.

use super::LonLat;

/// Mean Earth radius (IUGG), the one the haversine lengths use too.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// A point in the local frame, in metres east and north of the frame's origin.
pub type MetricPoint = [f64; 2];

/// Distance between two points of a frame, in metres. Plain `sqrt` rather than `hypot`: hypot's
/// guard against overflow costs several times more and city coordinates never come near it.
#[inline]
pub fn metres_between(a: MetricPoint, b: MetricPoint) -> f64 {
    let (dx, dy) = (a[0] - b[0], a[1] - b[1]);
    (dx * dx + dy * dy).sqrt()
}

/// The smallest box holding every point, as (south-west, north-east) corners; no points give
/// an inverted box (+∞ to −∞), which meets nothing.
pub fn metric_bounds(points: impl IntoIterator<Item = MetricPoint>) -> (MetricPoint, MetricPoint) {
    points.into_iter().fold(
        ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]),
        |(lo, hi), p| {
            (
                [lo[0].min(p[0]), lo[1].min(p[1])],
                [hi[0].max(p[0]), hi[1].max(p[1])],
            )
        },
    )
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LocalFrame {
    origin: LonLat,
    metres_per_degree_lon: f64,
    metres_per_degree_lat: f64,
}

impl LocalFrame {
    pub fn new(origin: LonLat) -> Self {
        let per_degree = EARTH_RADIUS_M * std::f64::consts::PI / 180.0;
        Self {
            origin,
            metres_per_degree_lon: per_degree * origin.lat.to_radians().cos(),
            metres_per_degree_lat: per_degree,
        }
    }

    pub fn origin(&self) -> LonLat {
        self.origin
    }

    pub fn to_metric(&self, p: LonLat) -> MetricPoint {
        [
            (p.lon - self.origin.lon) * self.metres_per_degree_lon,
            (p.lat - self.origin.lat) * self.metres_per_degree_lat,
        ]
    }

    pub fn to_lonlat(&self, m: MetricPoint) -> LonLat {
        LonLat::new(
            self.origin.lon + m[0] / self.metres_per_degree_lon,
            self.origin.lat + m[1] / self.metres_per_degree_lat,
        )
    }

    pub fn distance_m(&self, a: LonLat, b: LonLat) -> f64 {
        metres_between(self.to_metric(a), self.to_metric(b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Distance, Haversine, Point};

    #[test]
    fn frame_distances_agree_with_haversine_across_a_city() {
        let frame = LocalFrame::new(LonLat::new(24.94, 60.17));
        let a = LonLat::new(24.90, 60.15);
        let b = LonLat::new(25.00, 60.20);
        let planar = frame.distance_m(a, b);
        let sphere = Haversine.distance(Point::new(a.lon, a.lat), Point::new(b.lon, b.lat));
        assert!(
            (planar - sphere).abs() / sphere < 0.002,
            "{planar} vs {sphere}"
        );
    }

    #[test]
    fn round_trip_is_exact_to_a_millimetre() {
        let frame = LocalFrame::new(LonLat::new(14.49, 50.13));
        let p = LonLat::new(14.52, 50.11);
        let back = frame.to_lonlat(frame.to_metric(p));
        assert!(frame.distance_m(p, back) < 1e-3);
    }
}
