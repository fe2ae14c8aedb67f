//! The domain vocabulary shared by every layer: what a venue, a lamp, a street, a corner and an
//! area are. Nothing here knows about files, SQLite or HTTP.

mod account;
mod area;
mod frame;
mod grid;
mod inspection;
mod lamp;
pub mod layered_toml;
mod network;
mod page;
mod venue;

pub use account::{Account, MAX_USERNAME_CHARS, Role, normalise_username};
pub use area::{Area, AreaLevel};
pub use frame::{LocalFrame, MetricPoint, metres_between, metric_bounds};
pub use grid::{DEFAULT_GRID_CELL_M, Grid, GridCell};
pub use inspection::{
    ClosedHow, FollowUp, FollowUpStatus, GpsFix, Inspection, Outcome, PhotoRef, ReviewState,
};
pub use lamp::{DEFAULT_LAMP_FLUX_LM, DEFAULT_LAMP_HEIGHT_M, Lamp, LampStatus};
pub use network::{Corner, CornerKind, LitTag, Oneway, StreetEdge, StreetNode};
pub use page::{DEFAULT_PAGE_ROWS, MAX_PAGE_ROWS, Order, Page, PageRequest};
pub use venue::{Venue, VenueCandidate, VenueKind, VenueStatus};

/// `text` cut to `max` characters (on a character boundary), with `…` when cut: how an error
/// quotes a client's input back without repeating all of it.
pub fn excerpt(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

/// A WGS-84 position, longitude first as in GeoJSON (RFC 7946).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LonLat {
    pub lon: f64,
    pub lat: f64,
}

impl LonLat {
    pub fn new(lon: f64, lat: f64) -> Self {
        Self { lon, lat }
    }

    /// Why a coordinate cannot be a WGS-84 position, if it cannot.
    pub fn validate(lon: f64, lat: f64) -> Result<Self, String> {
        if !lon.is_finite() {
            return Err(format!("longitude is not a finite number: {lon}"));
        }
        if !lat.is_finite() {
            return Err(format!("latitude is not a finite number: {lat}"));
        }
        if !(-180.0..=180.0).contains(&lon) {
            return Err(format!("longitude {lon} is outside -180..180"));
        }
        if !(-90.0..=90.0).contains(&lat) {
            return Err(format!("latitude {lat} is outside -90..90"));
        }
        Ok(Self { lon, lat })
    }
}

/// A longitude/latitude rectangle: west, south, east, north.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BBox {
    pub west: f64,
    pub south: f64,
    pub east: f64,
    pub north: f64,
}

impl BBox {
    pub fn new(west: f64, south: f64, east: f64, north: f64) -> Self {
        Self {
            west,
            south,
            east,
            north,
        }
    }

    /// The smallest box around the points, or None when there are none.
    pub fn around(points: impl IntoIterator<Item = LonLat>) -> Option<Self> {
        let mut it = points.into_iter();
        let first = it.next()?;
        let mut b = Self::new(first.lon, first.lat, first.lon, first.lat);
        for p in it {
            b.west = b.west.min(p.lon);
            b.east = b.east.max(p.lon);
            b.south = b.south.min(p.lat);
            b.north = b.north.max(p.lat);
        }
        Some(b)
    }

    pub fn center(&self) -> LonLat {
        LonLat::new(
            (self.west + self.east) / 2.0,
            (self.south + self.north) / 2.0,
        )
    }

    pub fn contains(&self, p: LonLat) -> bool {
        p.lon >= self.west && p.lon <= self.east && p.lat >= self.south && p.lat <= self.north
    }

    /// The box grown by at least `metres` on every side (degrees of longitude measured at the
    /// edge nearer a pole, so the growth is never short).
    pub fn grown(&self, metres: f64) -> BBox {
        const METRES_PER_DEGREE: f64 = 111_320.0;
        let dlat = metres / METRES_PER_DEGREE;
        let polar = self.south.abs().max(self.north.abs()).min(89.0);
        let dlon = metres / (METRES_PER_DEGREE * polar.to_radians().cos());
        BBox::new(
            (self.west - dlon).max(-180.0),
            (self.south - dlat).max(-90.0),
            (self.east + dlon).min(180.0),
            (self.north + dlat).min(90.0),
        )
    }
}

/// A GeoJSON (RFC 7946) Point for one position, a LineString for two or more.
pub fn geojson_geometry(points: &[LonLat]) -> geojson::Geometry {
    let value = match points {
        [p] => geojson::GeometryValue::new_point([p.lon, p.lat]),
        _ => geojson::GeometryValue::new_line_string(points.iter().map(|p| [p.lon, p.lat])),
    };
    geojson::Geometry::new(value)
}

/// A GeoJSON feature over `points` whose properties are `properties` serialised (an object).
pub fn geojson_feature(points: &[LonLat], properties: impl serde::Serialize) -> geojson::Feature {
    let properties = match serde_json::to_value(properties) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => geojson::JsonObject::new(),
    };
    geojson::Feature {
        geometry: Some(geojson_geometry(points)),
        properties: Some(properties),
        ..Default::default()
    }
}
