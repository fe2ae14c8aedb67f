//! The OSM tags patrolmap reads, and what they mean for it.

use crate::model::{LitTag, Oneway, VenueKind};

/// Only the keys patrolmap uses are kept, so a city's worth of tags stays small.
const KEPT_KEYS: &[&str] = &[
    "highway",
    "name",
    "oneway",
    "junction",
    "lit",
    "foot",
    "access",
    "motor_vehicle",
    "area",
    "amenity",
    "tourism",
    "leisure",
    "shop",
    "building",
    "opening_hours",
    "addr:street",
    "addr:housenumber",
    "height",
    "light:flux",
    "light:lumen",
];

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tags(Vec<(String, String)>);

impl Tags {
    pub fn keep<'a>(tags: impl Iterator<Item = (&'a str, &'a str)>) -> Self {
        Tags(
            tags.filter(|(k, _)| KEPT_KEYS.contains(k))
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    pub fn from_pairs(pairs: &[(&str, &str)]) -> Self {
        Tags(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub fn is(&self, key: &str, value: &str) -> bool {
        self.get(key) == Some(value)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// `highway=*` values that are not streets anyone walks or drives along.
const NOT_STREETS: &[&str] = &[
    "proposed",
    "construction",
    "abandoned",
    "disused",
    "razed",
    "platform",
    "raceway",
    "bus_stop",
    "elevator",
    "corridor",
    "rest_area",
    "services",
    "emergency_bay",
    "bus_guideway",
    "escape",
    "street_lamp",
    "no",
];

pub fn is_street(tags: &Tags) -> bool {
    tags.get("highway")
        .is_some_and(|h| !NOT_STREETS.contains(&h))
}

const CAR_CLASSES: &[&str] = &[
    "motorway",
    "trunk",
    "primary",
    "secondary",
    "tertiary",
    "unclassified",
    "residential",
    "living_street",
    "service",
    "road",
    "motorway_link",
    "trunk_link",
    "primary_link",
    "secondary_link",
    "tertiary_link",
];

pub fn car_allowed(tags: &Tags) -> bool {
    let class = tags.get("highway").unwrap_or("");
    let closed = ["no", "private"];
    CAR_CLASSES.contains(&class)
        && !tags.get("access").is_some_and(|v| closed.contains(&v))
        && !tags
            .get("motor_vehicle")
            .is_some_and(|v| closed.contains(&v))
}

pub fn foot_allowed(tags: &Tags) -> bool {
    match tags.get("foot") {
        Some("yes" | "designated" | "permissive") => true,
        Some("no" | "private") => false,
        _ => {
            !matches!(tags.get("highway"), Some("motorway" | "motorway_link"))
                && !tags
                    .get("access")
                    .is_some_and(|v| v == "no" || v == "private")
        }
    }
}

/// Oneway applies to vehicles; walkers may go both ways on any street they are allowed on.
pub fn oneway(tags: &Tags) -> Oneway {
    match tags.get("oneway") {
        Some("yes" | "true" | "1") => Oneway::Forward,
        Some("-1" | "reverse") => Oneway::Backward,
        Some("no" | "false" | "0") => Oneway::No,
        _ if matches!(tags.get("junction"), Some("roundabout" | "circular")) => Oneway::Forward,
        _ if tags.is("highway", "motorway") => Oneway::Forward,
        _ => Oneway::No,
    }
}

pub fn lit(tags: &Tags) -> Option<LitTag> {
    tags.get("lit").map(LitTag::parse)
}

/// The venue-kind mapping of the sample registry (documented in the README): nightlife and
/// gambling → entertainment; saunas, baths, massage → bathhouse; short-stay lodging and apartment
/// blocks → rental. Returns the kind and the tag that decided it.
pub fn venue_kind_of(tags: &Tags) -> Option<(VenueKind, String)> {
    const RULES: &[(&str, &str, VenueKind)] = &[
        ("amenity", "nightclub", VenueKind::Entertainment),
        ("amenity", "bar", VenueKind::Entertainment),
        ("amenity", "pub", VenueKind::Entertainment),
        ("amenity", "casino", VenueKind::Entertainment),
        ("amenity", "karaoke_box", VenueKind::Entertainment),
        ("leisure", "karaoke", VenueKind::Entertainment),
        ("amenity", "stripclub", VenueKind::Entertainment),
        ("amenity", "hookah_lounge", VenueKind::Entertainment),
        ("leisure", "sauna", VenueKind::Bathhouse),
        ("amenity", "public_bath", VenueKind::Bathhouse),
        ("shop", "massage", VenueKind::Bathhouse),
        ("tourism", "hotel", VenueKind::Rental),
        ("tourism", "hostel", VenueKind::Rental),
        ("tourism", "guest_house", VenueKind::Rental),
        ("building", "apartments", VenueKind::Rental),
    ];
    RULES
        .iter()
        .find(|(k, v, _)| tags.is(k, v))
        .map(|(k, v, kind)| (*kind, format!("{k}={v}")))
}

/// A length tag in metres: `8`, `8 m`, `8.5m`. `None` for anything else (feet, prose).
pub fn metres(value: &str) -> Option<f64> {
    let v = value.trim();
    let number = v.strip_suffix('m').map(str::trim_end).unwrap_or(v);
    number
        .parse::<f64>()
        .ok()
        .filter(|m| m.is_finite() && *m > 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_oneway_conventions() {
        assert_eq!(
            oneway(&Tags::from_pairs(&[("oneway", "-1")])),
            Oneway::Backward
        );
        assert_eq!(
            oneway(&Tags::from_pairs(&[("junction", "roundabout")])),
            Oneway::Forward
        );
        assert_eq!(
            oneway(&Tags::from_pairs(&[
                ("highway", "motorway"),
                ("oneway", "no")
            ])),
            Oneway::No
        );
    }

    #[test]
    fn maps_venue_tags_to_kinds() {
        let (kind, tag) = venue_kind_of(&Tags::from_pairs(&[("amenity", "pub")])).unwrap();
        assert_eq!(
            (kind, tag.as_str()),
            (VenueKind::Entertainment, "amenity=pub")
        );
        let (kind, _) = venue_kind_of(&Tags::from_pairs(&[("shop", "massage")])).unwrap();
        assert_eq!(kind, VenueKind::Bathhouse);
        assert!(venue_kind_of(&Tags::from_pairs(&[("amenity", "cafe")])).is_none());
    }

    #[test]
    fn parses_heights_in_metres_only() {
        assert_eq!(metres("8"), Some(8.0));
        assert_eq!(metres("8.5 m"), Some(8.5));
        assert_eq!(metres("tall"), None);
        assert_eq!(metres("-3"), None);
    }

    #[test]
    fn streets_exclude_platforms_and_plans() {
        assert!(is_street(&Tags::from_pairs(&[("highway", "footway")])));
        assert!(!is_street(&Tags::from_pairs(&[("highway", "proposed")])));
        assert!(!is_street(&Tags::from_pairs(&[("building", "yes")])));
    }
}
