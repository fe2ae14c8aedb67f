//! Registries written back as GeoJSON with the same field names the readers take, so that a
//! generated registry goes through the same import path (and checks) as a government one.

use crate::model::{Area, Lamp, Venue};
use geojson::{Feature, FeatureCollection, Geometry, JsonObject};
use serde_json::{Value, json};

pub fn venues_geojson(venues: &[Venue]) -> String {
    collection(venues.iter().map(|v| {
        let properties = json!({
            "source_id": v.source_id,
            "name": v.name,
            "kind": v.kind.as_str(),
            "address": v.address,
            "opening_hours": v.opening_hours,
            "status": v.status.as_str(),
            "responsible_unit": v.responsible_unit,
            "complaints": v.complaints,
            "sample": v.sample,
        });
        feature(
            Geometry::new_point([v.position.lon, v.position.lat]),
            properties,
        )
    }))
}

pub fn lamps_geojson(lamps: &[Lamp]) -> String {
    collection(lamps.iter().map(|l| {
        let properties = json!({
            "source_id": l.source_id,
            "height_m": l.height_m,
            "flux_lm": l.flux_lm,
            "status": l.status.as_str(),
        });
        feature(
            Geometry::new_point([l.position.lon, l.position.lat]),
            properties,
        )
    }))
}

pub fn areas_geojson(areas: &[Area]) -> String {
    collection(areas.iter().map(|a| {
        let properties = json!({
            "source_id": a.source_id,
            "name": a.name,
            "level": a.level.as_str(),
            "parent": a.parent_source_id,
            "sample": a.sample,
        });
        feature(
            Geometry::new(geojson::GeometryValue::from(&a.geometry)),
            properties,
        )
    }))
}

fn feature(geometry: Geometry, properties: Value) -> Feature {
    let properties: JsonObject = match properties {
        Value::Object(map) => map.into_iter().filter(|(_, v)| !v.is_null()).collect(),
        _ => JsonObject::new(),
    };
    Feature {
        geometry: Some(geometry),
        properties: Some(properties),
        ..Default::default()
    }
}

fn collection(features: impl Iterator<Item = Feature>) -> String {
    FeatureCollection {
        bbox: None,
        features: features.collect(),
        foreign_members: None,
    }
    .to_string()
}
