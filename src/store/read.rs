//! Loading the city back into domain types (to build the indexes and run the analyses).

use super::{Result, Store, StoreError};
use crate::model::{
    Area, AreaLevel, Corner, CornerKind, Lamp, LampStatus, LitTag, LonLat, Oneway, StreetEdge,
    StreetNode, Venue, VenueKind, VenueStatus,
};
use geo::MultiPolygon;
use rusqlite::{Connection, Row};

impl Store {
    pub fn venues(&self) -> Result<Vec<Venue>> {
        venues(&self.conn)
    }
    pub fn lamps(&self) -> Result<Vec<Lamp>> {
        lamps(&self.conn)
    }
    pub fn areas(&self) -> Result<Vec<Area>> {
        areas(&self.conn)
    }
    pub fn street_nodes(&self) -> Result<Vec<StreetNode>> {
        street_nodes(&self.conn)
    }
    pub fn street_edges(&self) -> Result<Vec<StreetEdge>> {
        street_edges(&self.conn)
    }
    pub fn corners(&self) -> Result<Vec<Corner>> {
        corners(&self.conn)
    }
    /// The store id of the venue with this registry id.
    pub fn venue_id(&self, source_id: &str) -> Result<Option<i64>> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn
            .query_row(
                "SELECT id FROM venues WHERE source_id = ?1",
                [source_id],
                |r| r.get(0),
            )
            .optional()?)
    }
    /// The city's spatial indexes, built from what the store holds (done once at start).
    pub fn city_index(&self) -> Result<crate::index::CityIndex> {
        Ok(crate::index::CityIndex::build(
            &self.venues()?,
            &self.lamps()?,
            &self.corners()?,
            &self.street_edges()?,
        ))
    }
}

/// Turns a stored text that fails its domain parser into a clear error naming the row.
fn parsed<T>(
    table: &'static str,
    id: i64,
    field: &'static str,
    r: std::result::Result<T, String>,
) -> Result<T> {
    r.map_err(|message| StoreError::Corrupt {
        table,
        id,
        field,
        message,
    })
}

fn collect<T>(
    conn: &Connection,
    sql: &str,
    row: impl FnMut(&Row) -> rusqlite::Result<Result<T>>,
) -> Result<Vec<T>> {
    collect_with(conn, sql, [], row)
}

pub(super) fn collect_with<T>(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    mut row: impl FnMut(&Row) -> rusqlite::Result<Result<T>>,
) -> Result<Vec<T>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(params, |r| row(r))?;
    let mut out = Vec::new();
    for r in rows {
        out.push(r??);
    }
    Ok(out)
}

pub(super) fn venues(conn: &Connection) -> Result<Vec<Venue>> {
    venues_where(conn, "1", [])
}

/// The venues a filter on `venues` selects, in id order.
pub(super) fn venues_where(
    conn: &Connection,
    filter: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<Venue>> {
    collect_with(
        conn,
        &format!(
            "SELECT id, source_id, kind, name, address, lon, lat, opening_hours, status, responsible_unit, complaints, sample
             FROM venues WHERE {filter} ORDER BY id"
        ),
        params,
        |r| {
            let id: i64 = r.get(0)?;
            let kind: String = r.get(2)?;
            let status: String = r.get(8)?;
            let (lon, lat): (f64, f64) = (r.get(5)?, r.get(6)?);
            let (source_id, name, address, opening_hours, responsible_unit) = (r.get(1)?, r.get(3)?, r.get(4)?, r.get(7)?, r.get(9)?);
            let (complaints, sample): (i64, bool) = (r.get(10)?, r.get(11)?);
            Ok((|| {
                Ok(Venue {
                    id,
                    source_id,
                    kind: parsed("venues", id, "kind", VenueKind::parse(&kind))?,
                    name,
                    address,
                    position: LonLat::new(lon, lat),
                    opening_hours,
                    status: parsed("venues", id, "status", VenueStatus::parse(&status))?,
                    responsible_unit,
                    complaints: complaints.max(0) as u32,
                    sample,
                })
            })())
        },
    )
}

pub(super) fn lamps(conn: &Connection) -> Result<Vec<Lamp>> {
    collect(
        conn,
        "SELECT id, source_id, lon, lat, height_m, flux_lm, status FROM lamps ORDER BY id",
        |r| {
            let id: i64 = r.get(0)?;
            let status: String = r.get(6)?;
            let (source_id, lon, lat, height_m, flux_lm) =
                (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?);
            Ok(
                parsed("lamps", id, "status", LampStatus::parse(&status)).map(|status| Lamp {
                    id,
                    source_id,
                    position: LonLat::new(lon, lat),
                    height_m,
                    flux_lm,
                    status,
                }),
            )
        },
    )
}

pub(super) fn areas(conn: &Connection) -> Result<Vec<Area>> {
    areas_where(conn, "1", [])
}

pub(super) fn areas_where(
    conn: &Connection,
    filter: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<Area>> {
    collect_with(
        conn,
        &format!(
            "SELECT id, source_id, name, level, parent_source_id, geometry, sample FROM areas
             WHERE {filter} ORDER BY id"
        ),
        params,
        |r| {
            let id: i64 = r.get(0)?;
            let level: String = r.get(3)?;
            let geometry: String = r.get(5)?;
            let (source_id, name, parent_source_id, sample) =
                (r.get(1)?, r.get(2)?, r.get(4)?, r.get(6)?);
            Ok((|| {
                Ok(Area {
                    id,
                    source_id,
                    name,
                    level: parsed("areas", id, "level", AreaLevel::parse(&level))?,
                    parent_source_id,
                    geometry: parsed("areas", id, "geometry", decode_multipolygon(&geometry))?,
                    sample,
                })
            })())
        },
    )
}

pub(super) fn street_nodes(conn: &Connection) -> Result<Vec<StreetNode>> {
    collect(
        conn,
        "SELECT id, lon, lat FROM street_nodes ORDER BY id",
        |r| {
            Ok(Ok(StreetNode {
                id: r.get(0)?,
                position: LonLat::new(r.get(1)?, r.get(2)?),
            }))
        },
    )
}

pub(super) fn street_edges(conn: &Connection) -> Result<Vec<StreetEdge>> {
    collect(
        conn,
        "SELECT id, source_id, from_node, to_node, road_class, name, oneway, length_m, lit, foot, car, geometry
         FROM street_edges ORDER BY id",
        |r| {
            let id: i64 = r.get(0)?;
            let blob: Vec<u8> = r.get(11)?;
            let lit: Option<String> = r.get(8)?;
            let edge = StreetEdge {
                id,
                source_id: r.get(1)?,
                from_node: r.get(2)?,
                to_node: r.get(3)?,
                road_class: r.get(4)?,
                name: r.get(5)?,
                oneway: Oneway::from_i64(r.get(6)?),
                length_m: r.get(7)?,
                lit: lit.as_deref().map(LitTag::parse),
                foot: r.get(9)?,
                car: r.get(10)?,
                geometry: Vec::new(),
            };
            Ok(parsed("street_edges", id, "geometry", decode_line(&blob)).map(|geometry| StreetEdge { geometry, ..edge }))
        },
    )
}

pub(super) fn corners(conn: &Connection) -> Result<Vec<Corner>> {
    collect(
        conn,
        "SELECT id, source_id, kind, degree, turn_deg, road_classes, lon, lat FROM corners ORDER BY id",
        |r| {
            let id: i64 = r.get(0)?;
            let kind: String = r.get(2)?;
            let classes: String = r.get(5)?;
            let (source_id, degree, turn_deg, lon, lat) =
                (r.get(1)?, r.get(3)?, r.get(4)?, r.get(6)?, r.get(7)?);
            Ok(
                parsed("corners", id, "kind", CornerKind::parse(&kind)).map(|kind| Corner {
                    id,
                    source_id,
                    position: LonLat::new(lon, lat),
                    kind,
                    degree,
                    turn_deg,
                    road_classes: classes
                        .split(',')
                        .filter(|c| !c.is_empty())
                        .map(str::to_string)
                        .collect(),
                }),
            )
        },
    )
}

/// Street geometry as little-endian f64 longitude/latitude pairs: compact, exact, and fast to load.
pub(super) fn encode_line(points: &[LonLat]) -> Vec<u8> {
    let mut out = Vec::with_capacity(points.len() * 16);
    for p in points {
        out.extend_from_slice(&p.lon.to_le_bytes());
        out.extend_from_slice(&p.lat.to_le_bytes());
    }
    out
}

pub(super) fn decode_line(blob: &[u8]) -> std::result::Result<Vec<LonLat>, String> {
    if !blob.len().is_multiple_of(16) || blob.len() < 32 {
        return Err(format!(
            "{} bytes is not a line of two or more points",
            blob.len()
        ));
    }
    Ok(blob
        .chunks_exact(16)
        .map(|c| {
            let (lon, lat) = c.split_at(8);
            LonLat::new(
                f64::from_le_bytes(lon.try_into().unwrap_or_default()),
                f64::from_le_bytes(lat.try_into().unwrap_or_default()),
            )
        })
        .collect())
}

fn decode_multipolygon(text: &str) -> std::result::Result<MultiPolygon<f64>, String> {
    let geometry: geojson::Geometry = text.parse().map_err(|e| format!("not GeoJSON: {e}"))?;
    match &geometry.value {
        geojson::GeometryValue::Polygon { .. } => geo::Polygon::try_from(&geometry.value)
            .map(|p| MultiPolygon::new(vec![p]))
            .map_err(|e| e.to_string()),
        _ => MultiPolygon::try_from(&geometry.value).map_err(|e| e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_encoding_round_trips_and_refuses_garbage() {
        let line = vec![LonLat::new(24.9, 60.1), LonLat::new(-0.5, 51.25)];
        assert_eq!(decode_line(&encode_line(&line)).unwrap(), line);
        assert!(decode_line(&[0u8; 17]).is_err());
        assert!(decode_line(&encode_line(&line[..1])).is_err());
    }
}
