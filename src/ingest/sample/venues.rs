use crate::ingest::osm::OsmExtract;
use crate::model::{LonLat, Venue, VenueKind, VenueStatus};
use geo::{Area, BoundingRect, Contains, InteriorPoint, Point};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Rental units the demo adds inside residential buildings, on top of the OSM places.
pub const DEFAULT_SYNTHETIC_RENTALS: usize = 360;
/// One rental unit per this much footprint, so big blocks hold more units than houses.
const FOOTPRINT_M2_PER_UNIT: f64 = 120.0;
const MAX_UNITS_PER_BUILDING: usize = 12;

/// Typical hours when OSM gives none: KTVs and bars open late into the night, bathhouses from
/// noon; rentals have no opening hours (they are inspected by appointment in the day).
pub(super) fn default_hours(kind: VenueKind) -> Option<&'static str> {
    match kind {
        VenueKind::Entertainment => Some("Mo-Su 20:00-02:00"),
        VenueKind::Bathhouse => Some("Mo-Su 12:00-24:00"),
        VenueKind::Rental | VenueKind::Other => None,
    }
}

/// The commerce bureau leads supervision of entertainment and bathing venues; rental housing is
/// the local police station's register.
pub(super) fn responsible_unit(kind: VenueKind) -> &'static str {
    match kind {
        VenueKind::Entertainment | VenueKind::Bathhouse => "区商务局",
        VenueKind::Rental | VenueKind::Other => "属地派出所",
    }
}

fn kind_label(kind: VenueKind) -> &'static str {
    match kind {
        VenueKind::Entertainment => "娱乐场所",
        VenueKind::Bathhouse => "洗浴场所",
        VenueKind::Rental => "出租屋",
        VenueKind::Other => "场所",
    }
}

pub fn sample_venues(extract: &OsmExtract, seed: u64, synthetic_rentals: usize) -> Vec<Venue> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut venues = Vec::new();
    for (n, c) in extract.candidates.iter().enumerate() {
        venues.push(Venue {
            id: 0,
            source_id: format!("sample:{}", c.source_id),
            kind: c.kind,
            name: c
                .name
                .clone()
                .unwrap_or_else(|| format!("{} {}", kind_label(c.kind), n + 1)),
            address: c.address.clone(),
            position: c.position,
            opening_hours: c
                .opening_hours
                .clone()
                .or(default_hours(c.kind).map(str::to_string)),
            status: status(&mut rng),
            responsible_unit: Some(responsible_unit(c.kind).to_string()),
            complaints: complaints(&mut rng),
            sample: true,
        });
    }
    let mut added = 0;
    'buildings: for b in &extract.residential_buildings {
        let footprint_m2 = footprint_m2(&b.footprint);
        let units = ((footprint_m2 / FOOTPRINT_M2_PER_UNIT).round() as usize)
            .clamp(1, MAX_UNITS_PER_BUILDING);
        for unit in 1..=units {
            if added == synthetic_rentals {
                break 'buildings;
            }
            let Some(position) = point_inside(&b.footprint, &mut rng) else {
                continue 'buildings;
            };
            let place = b
                .address
                .clone()
                .or(b.name.clone())
                .unwrap_or_else(|| b.source_id.clone());
            venues.push(Venue {
                id: 0,
                source_id: format!("sample:rental:{}:{unit}", b.source_id),
                kind: VenueKind::Rental,
                name: format!("出租屋 {place} #{unit}"),
                address: b.address.clone(),
                position,
                opening_hours: None,
                status: status(&mut rng),
                responsible_unit: Some(responsible_unit(VenueKind::Rental).to_string()),
                complaints: complaints(&mut rng),
                sample: true,
            });
            added += 1;
        }
    }
    venues
}

/// Mostly active; a few suspended after findings, a few closed, as on a real register.
pub(super) fn status(rng: &mut ChaCha8Rng) -> VenueStatus {
    match rng.random_range(0..100) {
        0..3 => VenueStatus::Suspended,
        3..6 => VenueStatus::Closed,
        _ => VenueStatus::Active,
    }
}

/// Most venues draw no tips; a few draw several.
pub(super) fn complaints(rng: &mut ChaCha8Rng) -> u32 {
    match rng.random_range(0..100) {
        0..70 => 0,
        70..88 => 1,
        88..96 => 2,
        _ => rng.random_range(3..7),
    }
}

fn footprint_m2(footprint: &geo::Polygon<f64>) -> f64 {
    let Some(c) = footprint.interior_point() else {
        return 0.0;
    };
    let frame = crate::model::LocalFrame::new(LonLat::new(c.x(), c.y()));
    let metric = geo::MapCoords::map_coords(footprint, |coord| {
        let m = frame.to_metric(LonLat::new(coord.x, coord.y));
        geo::coord! { x: m[0], y: m[1] }
    });
    metric.unsigned_area()
}

/// A uniformly random point in the footprint (rejection sampling in its box), or its interior
/// point when the footprint is a sliver.
fn point_inside(footprint: &geo::Polygon<f64>, rng: &mut ChaCha8Rng) -> Option<LonLat> {
    let rect = footprint.bounding_rect()?;
    for _ in 0..64 {
        let p = Point::new(
            rng.random_range(rect.min().x..=rect.max().x),
            rng.random_range(rect.min().y..=rect.max().y),
        );
        if footprint.contains(&p) {
            return Some(LonLat::new(p.x(), p.y()));
        }
    }
    footprint
        .interior_point()
        .map(|p| LonLat::new(p.x(), p.y()))
}
