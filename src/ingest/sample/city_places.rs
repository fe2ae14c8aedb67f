//! The synthetic city's registries: entertainment venues and bathhouses on the busy streets,
//! rental units on the residential ones, lamps at the kerbs of every street. Each is placed a
//! few metres off a street edge, as a registry's geocoded addresses are, and the same seed
//! always makes the same rows.

use super::venues::{complaints, default_hours, responsible_unit, status};
use crate::model::{
    Lamp, LampStatus, LocalFrame, LonLat, StreetEdge, Venue, VenueKind, VenueStatus,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const ENTERTAINMENT_BRANDS: &[&str] = &[
    "好乐迪KTV",
    "星光量贩KTV",
    "金色年华KTV",
    "纯K",
    "夜色酒吧",
    "蓝调音乐酒吧",
    "皇家会所",
    "魅力迪厅",
    "欢唱派对KTV",
    "麦乐迪KTV",
];
const BATHHOUSE_BRANDS: &[&str] = &[
    "汤泉浴场",
    "金海洗浴中心",
    "水云间足浴",
    "御足堂",
    "沐春风洗浴",
    "温泉会馆",
    "康乐桑拿",
];
/// Hours as registries give them: most venues every day, some longer at weekends.
const ENTERTAINMENT_HOURS: &[&str] = &[
    "Mo-Su 20:00-02:00",
    "Mo-Su 19:00-03:00",
    "Mo-Th 20:00-01:00; Fr-Su 20:00-03:00",
    "Mo-Su 18:00-24:00",
];
const BATHHOUSE_HOURS: &[&str] = &[
    "Mo-Su 12:00-24:00",
    "Mo-Su 10:00-02:00",
    "Mo-Su 00:00-24:00",
    "Mo-Fr 14:00-24:00; Sa-Su 10:00-24:00",
];

/// A sampler of street edges weighted by length and by how likely the place is on that class.
struct EdgePicker {
    cumulative: Vec<f64>,
}

impl EdgePicker {
    fn new(edges: &[StreetEdge], weight: fn(&str) -> f64) -> Self {
        let mut total = 0.0;
        let cumulative = edges
            .iter()
            .map(|e| {
                total += e.length_m * weight(&e.road_class);
                total
            })
            .collect();
        Self { cumulative }
    }

    fn pick(&self, rng: &mut ChaCha8Rng) -> usize {
        let total = self.cumulative.last().copied().unwrap_or(0.0);
        let x = rng.random_range(0.0..total.max(f64::MIN_POSITIVE));
        self.cumulative
            .partition_point(|c| *c <= x)
            .min(self.cumulative.len() - 1)
    }
}

fn nightlife_weight(class: &str) -> f64 {
    match class {
        "primary" | "secondary" => 4.0,
        "tertiary" => 2.5,
        "residential" | "living_street" => 0.6,
        "service" => 0.3,
        _ => 0.0,
    }
}

fn housing_weight(class: &str) -> f64 {
    match class {
        "residential" | "living_street" => 3.0,
        "service" => 1.5,
        "tertiary" => 1.0,
        "secondary" => 0.4,
        "primary" => 0.2,
        _ => 0.0,
    }
}

fn lamp_weight(class: &str) -> f64 {
    match class {
        "primary" | "secondary" => 2.5,
        "tertiary" => 1.8,
        "residential" | "living_street" => 1.0,
        "service" => 0.6,
        _ => 0.4,
    }
}

/// A point `side_m` to one side of a random spot of the edge.
fn beside(frame: &LocalFrame, e: &StreetEdge, side_m: f64, rng: &mut ChaCha8Rng) -> (LonLat, f64) {
    let g = &e.geometry;
    let k = rng.random_range(0..g.len() - 1);
    let (a, b) = (frame.to_metric(g[k]), frame.to_metric(g[k + 1]));
    let t: f64 = rng.random_range(0.0..1.0);
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let len = dx.hypot(dy).max(0.1);
    let side = if rng.random_bool(0.5) {
        side_m
    } else {
        -side_m
    };
    let p = [
        a[0] + dx * t - dy / len * side,
        a[1] + dy * t + dx / len * side,
    ];
    (frame.to_lonlat(p), t)
}

fn street_name(e: &StreetEdge) -> &str {
    e.name.as_deref().unwrap_or("无名路")
}

/// `venues` entertainment venues and bathhouses, then `rentals` rental units, along `edges`.
pub fn city_venues(edges: &[StreetEdge], venues: usize, rentals: usize, seed: u64) -> Vec<Venue> {
    if edges.is_empty() {
        return Vec::new();
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xC17E);
    let frame = LocalFrame::new(edges[0].geometry[0]);
    let nightlife = EdgePicker::new(edges, nightlife_weight);
    let housing = EdgePicker::new(edges, housing_weight);
    let mut out = Vec::with_capacity(venues + rentals);
    for i in 0..venues + rentals {
        let rental = i >= venues;
        let kind = if rental {
            VenueKind::Rental
        } else if rng.random_range(0..10) < 7 {
            VenueKind::Entertainment
        } else {
            VenueKind::Bathhouse
        };
        let picker = if rental { &housing } else { &nightlife };
        let e = &edges[picker.pick(&mut rng)];
        let (position, _) = beside(&frame, e, rng.random_range(8.0..25.0), &mut rng);
        let number = rng.random_range(1..400);
        let address = format!("{}{number}号", street_name(e));
        let (name, hours) = match kind {
            VenueKind::Entertainment => (
                format!(
                    "{}（{}店）",
                    ENTERTAINMENT_BRANDS[rng.random_range(0..ENTERTAINMENT_BRANDS.len())],
                    street_name(e)
                ),
                Some(ENTERTAINMENT_HOURS[rng.random_range(0..ENTERTAINMENT_HOURS.len())]),
            ),
            VenueKind::Bathhouse => (
                format!(
                    "{}（{}店）",
                    BATHHOUSE_BRANDS[rng.random_range(0..BATHHOUSE_BRANDS.len())],
                    street_name(e)
                ),
                Some(BATHHOUSE_HOURS[rng.random_range(0..BATHHOUSE_HOURS.len())]),
            ),
            _ => (
                format!("出租屋 {address}{}室", rng.random_range(101..1202)),
                default_hours(kind),
            ),
        };
        let status = if rental {
            // Rentals are registered, not licensed: none is suspended, a few have moved out.
            match status(&mut rng) {
                VenueStatus::Suspended => VenueStatus::Active,
                s => s,
            }
        } else {
            status(&mut rng)
        };
        out.push(Venue {
            id: 0,
            source_id: format!("city:venue/{i}"),
            kind,
            name,
            address: Some(address),
            position,
            opening_hours: hours.map(str::to_string),
            status,
            responsible_unit: Some(responsible_unit(kind).to_string()),
            complaints: complaints(&mut rng),
            sample: true,
        });
    }
    out
}

/// `count` lamps at the kerbs, 4 m off the centreline: a lighting office's survey with heights
/// and fluxes for most, some broken, some never surveyed.
pub fn city_lamps(edges: &[StreetEdge], count: usize, seed: u64) -> Vec<Lamp> {
    if edges.is_empty() {
        return Vec::new();
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x1A4B);
    let frame = LocalFrame::new(edges[0].geometry[0]);
    let picker = EdgePicker::new(edges, lamp_weight);
    (0..count)
        .map(|i| {
            let e = &edges[picker.pick(&mut rng)];
            let arterial = matches!(e.road_class.as_str(), "primary" | "secondary");
            let (position, _) = beside(&frame, e, if arterial { 7.0 } else { 4.0 }, &mut rng);
            let status = match rng.random_range(0..100) {
                0..8 => LampStatus::Broken,
                8..20 => LampStatus::Unknown,
                _ => LampStatus::Working,
            };
            let surveyed = status != LampStatus::Unknown && rng.random_bool(0.8);
            let (height, flux) = if arterial {
                (10.0..12.0, 12_000.0..20_000.0)
            } else {
                (5.0..8.0, 3_000.0..9_000.0)
            };
            Lamp {
                id: 0,
                source_id: format!("city:lamp/{i}"),
                position,
                height_m: surveyed.then(|| rng.random_range(height)),
                flux_lm: surveyed.then(|| rng.random_range(flux)),
                status,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::sample::city_streets;

    #[test]
    fn places_lie_beside_the_streets_of_their_kind() {
        let streets = city_streets(3_000, 4).network.edges;
        let venues = city_venues(&streets, 200, 800, 4);
        assert_eq!(venues.len(), 1_000);
        let nightlife = venues
            .iter()
            .filter(|v| matches!(v.kind, VenueKind::Entertainment | VenueKind::Bathhouse))
            .count();
        assert_eq!(nightlife, 200);
        assert!(
            venues
                .iter()
                .filter(|v| v.kind != VenueKind::Rental)
                .all(|v| v.opening_hours.is_some())
        );
        let lamps = city_lamps(&streets, 2_000, 4);
        let broken = lamps
            .iter()
            .filter(|l| l.status == LampStatus::Broken)
            .count();
        assert!((80..=250).contains(&broken), "{broken} broken");
        assert_eq!(lamps, city_lamps(&streets, 2_000, 4));
        assert_eq!(venues, city_venues(&streets, 200, 800, 4));
    }
}
