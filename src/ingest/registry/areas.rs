use super::venues::parse_flag;
use super::{ColumnMap, Parsed, Record, parse_rows, read_records};
use crate::ingest::crs::Crs;
use crate::ingest::error::InputError;
use crate::model::{Area, AreaLevel, LonLat};
use geo::{LineString, MultiPolygon, Polygon};
use std::path::Path;

/// Area registries are GeoJSON only: `source_id` (or the feature id), `name`, `level`, optional
/// `parent` (the parent's source id), and a Polygon or MultiPolygon geometry.
pub fn parse_areas(path: &Path, columns: &ColumnMap, crs: Crs) -> Result<Parsed<Area>, InputError> {
    let is_geojson = matches!(
        path.extension()
            .and_then(|e| e.to_str())
            .map(str::to_lowercase)
            .as_deref(),
        Some("geojson") | Some("json")
    );
    if !is_geojson {
        return Err(InputError::file(
            path,
            "areas must be a GeoJSON FeatureCollection of polygons",
        ));
    }
    let records = read_records(path, columns, &[])?;
    Ok(parse_rows(
        records,
        |r| parse_area(r, crs),
        |a| &a.source_id,
    ))
}

fn parse_area(r: &Record, crs: Crs) -> Result<Area, InputError> {
    let level = AreaLevel::parse(r.required("level")?).map_err(|m| r.error(Some("level"), m))?;
    let Some(geometry) = &r.geometry else {
        return Err(r.error(
            Some("geometry"),
            "an area needs a Polygon or MultiPolygon geometry",
        ));
    };
    let polygons: Vec<&Vec<Vec<geojson::Position>>> = match &geometry.value {
        geojson::GeometryValue::Polygon { coordinates: rings } => vec![rings],
        geojson::GeometryValue::MultiPolygon { coordinates: polys } => polys.iter().collect(),
        other => {
            return Err(r.error(
                Some("geometry"),
                format!(
                    "expected a Polygon or MultiPolygon, found a {}",
                    other.type_name()
                ),
            ));
        }
    };
    let mut out = Vec::with_capacity(polygons.len());
    for (p, rings) in polygons.into_iter().enumerate() {
        let mut converted = Vec::with_capacity(rings.len());
        for (k, ring) in rings.iter().enumerate() {
            converted.push(parse_ring(r, ring, p, k, crs)?);
        }
        if converted.is_empty() {
            return Err(r.error(Some("geometry"), format!("polygon {p} has no rings")));
        }
        let exterior = converted.remove(0);
        out.push(Polygon::new(exterior, converted));
    }
    Ok(Area {
        id: 0,
        source_id: r.required("source_id")?.to_string(),
        name: r.required("name")?.to_string(),
        level,
        parent_source_id: r.text("parent").map(str::to_string),
        geometry: MultiPolygon::new(out),
        sample: parse_flag(r, "sample")?,
    })
}

fn parse_ring(
    r: &Record,
    ring: &[geojson::Position],
    polygon: usize,
    index: usize,
    crs: Crs,
) -> Result<LineString<f64>, InputError> {
    let name = format!("polygon {polygon} ring {index}");
    if ring.len() < 4 {
        return Err(r.error(
            Some("geometry"),
            format!(
                "{name} has {} positions; a closed ring needs at least 4",
                ring.len()
            ),
        ));
    }
    let mut coords = Vec::with_capacity(ring.len());
    for (i, position) in ring.iter().enumerate() {
        let [lon, lat, ..] = position.as_slice() else {
            return Err(r.error(
                Some("geometry"),
                format!("{name} position {i} needs two numbers"),
            ));
        };
        let p = LonLat::validate(*lon, *lat)
            .map_err(|m| r.error(Some("geometry"), format!("{name} position {i}: {m}")))?;
        let p = crs.to_wgs84(p);
        coords.push((p.lon, p.lat));
    }
    // RFC 7946 §3.1.6: the first and last positions are the same; a file that does not close its
    // rings was cut or hand-edited, and guessing the closing edge could change the area.
    if ring.first() != ring.last() {
        return Err(r.error(
            Some("geometry"),
            format!("{name} does not close: its first and last positions differ"),
        ));
    }
    Ok(LineString::from(coords))
}
