//! The stored tables as map features: one query per layer, each row a feature whose properties
//! are the query's columns. Columns named `…_json` hold JSON and lose the suffix; `geometry` holds
//! GeoJSON; `lon`/`lat` make a point.

use super::{Result, Store, StoreError};
use serde_json::{Map, Value};

/// A stored layer the map can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoredLayer {
    Venues,
    Lamps,
    Corners,
    BlindSpots,
    DataGaps,
    LampProposals,
    LampRepairs,
}

/// One row: the id, the geometry and every other column.
#[derive(Debug, Clone, PartialEq)]
pub struct MapFeature {
    pub id: i64,
    pub geometry: geojson::Geometry,
    pub properties: Map<String, Value>,
}

impl StoredLayer {
    fn sql(self) -> &'static str {
        match self {
            StoredLayer::Venues => {
                "SELECT v.id, v.lon, v.lat, v.source_id, v.name, v.kind, v.address, v.status, v.opening_hours,
                        v.responsible_unit, v.complaints, v.sample, t.name AS township, c.name AS community,
                        r.score AS risk_score, r.scored_on AS risk_scored_on, r.terms AS risk_terms_json,
                        (SELECT max(started_at) FROM inspections i WHERE i.venue_id = v.id) AS last_inspected_at,
                        (SELECT outcome FROM inspections i WHERE i.venue_id = v.id ORDER BY started_at DESC, id DESC LIMIT 1) AS last_outcome,
                        (SELECT count(*) FROM follow_ups f WHERE f.venue_id = v.id AND f.status = 'open') AS open_follow_ups
                 FROM venues v LEFT JOIN venue_risk r ON r.venue_id = v.id
                 LEFT JOIN areas t ON t.id = v.township_id LEFT JOIN areas c ON c.id = v.community_id
                 ORDER BY v.id"
            }
            StoredLayer::Lamps => {
                "SELECT l.id, l.lon, l.lat, l.source_id, l.status, l.height_m, l.flux_lm,
                        r.deficit_removed_lx AS repair_gain_lx
                 FROM lamps l LEFT JOIN lamp_repairs r ON r.lamp_id = l.id ORDER BY l.id"
            }
            StoredLayer::Corners => {
                "SELECT id, lon, lat, source_id, kind, degree, turn_deg, road_classes FROM corners ORDER BY id"
            }
            StoredLayer::BlindSpots => {
                "SELECT id, geometry, kind, ref_id, road_class, lighting_class, required_min_lx, lux, mean_lux,
                        length_m, confirmed, severity, terms AS terms_json, lon AS darkest_lon, lat AS darkest_lat
                 FROM blind_spots ORDER BY severity DESC, id"
            }
            StoredLayer::DataGaps => {
                "SELECT id, geometry, edge_id, road_class, length_m FROM lighting_data_gaps ORDER BY id"
            }
            StoredLayer::LampProposals => {
                "SELECT rank AS id, lon, lat, rank, edge_id, road_class, height_m, flux_lm, gain_lx, removed_lx,
                        deficit_left_share FROM lamp_proposals ORDER BY rank"
            }
            StoredLayer::LampRepairs => {
                "SELECT l.id, l.lon, l.lat, l.source_id, l.status, r.deficit_removed_lx
                 FROM lamp_repairs r JOIN lamps l ON l.id = r.lamp_id ORDER BY r.deficit_removed_lx DESC, l.id"
            }
        }
    }

    fn table(self) -> &'static str {
        match self {
            StoredLayer::Venues => "venues",
            StoredLayer::Lamps => "lamps",
            StoredLayer::Corners => "corners",
            StoredLayer::BlindSpots => "blind_spots",
            StoredLayer::DataGaps => "lighting_data_gaps",
            StoredLayer::LampProposals => "lamp_proposals",
            StoredLayer::LampRepairs => "lamp_repairs",
        }
    }
}

impl Store {
    pub fn map_features(&self, layer: StoredLayer) -> Result<Vec<MapFeature>> {
        let mut stmt = self.conn.prepare(layer.sql())?;
        read_features(layer, &mut stmt, [])
    }

    /// The features `ids` of a layer only, as `map_features` has them: what a server re-reads
    /// after those features changed. (SQLite pushes the filter into the layer's query, so the
    /// per-row subqueries run for these rows alone.)
    pub fn map_features_of(&self, layer: StoredLayer, ids: &[i64]) -> Result<Vec<MapFeature>> {
        let sql = format!(
            "SELECT * FROM ({}) WHERE id IN (SELECT value FROM json_each(?1))",
            layer.sql()
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        read_features(layer, &mut stmt, [super::neighbourhood::id_list(ids)])
    }
}

fn read_features(
    layer: StoredLayer,
    stmt: &mut rusqlite::Statement,
    params: impl rusqlite::Params,
) -> Result<Vec<MapFeature>> {
    let names: Vec<String> = stmt.column_names().map(|s| s.to_string()).collect();
    let mut rows = stmt.query(params)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        let bad = |field: &'static str, message: String| StoreError::Corrupt {
            table: layer.table(),
            id,
            field,
            message,
        };
        let mut properties = Map::new();
        let (mut lon, mut lat, mut geometry) = (None, None, None);
        for (i, name) in names.iter().enumerate().skip(1) {
            let value = value_of(row.get_ref(i)?);
            match name.as_str() {
                "lon" => lon = value.as_f64(),
                "lat" => lat = value.as_f64(),
                "geometry" => {
                    let text = value.as_str().unwrap_or_default();
                    geometry = Some(
                        serde_json::from_str::<geojson::Geometry>(text)
                            .map_err(|e| bad("geometry", e.to_string()))?,
                    );
                }
                json if json.ends_with("_json") => {
                    let parsed = match value.as_str() {
                        Some(t) => serde_json::from_str(t)
                            .map_err(|e| bad("json column", format!("{json}: {e}")))?,
                        None => Value::Null,
                    };
                    properties.insert(json.trim_end_matches("_json").to_string(), parsed);
                }
                _ => {
                    properties.insert(name.clone(), value);
                }
            }
        }
        let geometry = match (geometry, lon, lat) {
            (Some(g), _, _) => g,
            (None, Some(lon), Some(lat)) => {
                geojson::Geometry::new(geojson::GeometryValue::new_point([lon, lat]))
            }
            _ => return Err(bad("geometry", "the row has no position".into())),
        };
        out.push(MapFeature {
            id,
            geometry,
            properties,
        });
    }
    Ok(out)
}

fn value_of(v: rusqlite::types::ValueRef) -> Value {
    use rusqlite::types::ValueRef;
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::from(i),
        ValueRef::Real(f) => serde_json::Number::from_f64(f)
            .map(Value::Number)
            .unwrap_or(Value::Null),
        ValueRef::Text(t) => Value::String(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(_) => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_layer_query_runs_on_an_empty_store() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        for layer in [
            StoredLayer::Venues,
            StoredLayer::Lamps,
            StoredLayer::Corners,
            StoredLayer::BlindSpots,
            StoredLayer::DataGaps,
            StoredLayer::LampProposals,
            StoredLayer::LampRepairs,
        ] {
            assert!(store.map_features(layer).unwrap().is_empty(), "{layer:?}");
        }
    }
}
