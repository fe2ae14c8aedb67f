use super::ColumnMap;
use crate::ingest::crs::Crs;
use crate::ingest::error::{InputError, Location};
use crate::model::LonLat;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// One registry row: its place in the file, its fields by patrolmap name, and (for GeoJSON) its
/// geometry.
#[derive(Debug, Clone)]
pub struct Record {
    pub file: PathBuf,
    pub location: Location,
    fields: HashMap<String, String>,
    pub geometry: Option<geojson::Geometry>,
}

impl Record {
    pub fn error(&self, field: Option<&str>, message: impl Into<String>) -> InputError {
        InputError::new(&self.file, self.location.clone(), field, message)
    }

    /// The field's text, `None` when absent or blank.
    pub fn text(&self, field: &str) -> Option<&str> {
        self.fields
            .get(field)
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
    }

    pub fn required(&self, field: &str) -> Result<&str, InputError> {
        self.text(field)
            .ok_or_else(|| self.error(Some(field), "is required but empty or missing"))
    }

    pub fn number(&self, field: &str) -> Result<Option<f64>, InputError> {
        let Some(text) = self.text(field) else {
            return Ok(None);
        };
        let value: f64 = text
            .parse()
            .map_err(|_| self.error(Some(field), format!("not a number: {text:?}")))?;
        if !value.is_finite() {
            return Err(self.error(Some(field), format!("not a finite number: {text:?}")));
        }
        Ok(Some(value))
    }

    pub fn positive(&self, field: &str) -> Result<Option<f64>, InputError> {
        match self.number(field)? {
            Some(v) if v <= 0.0 => {
                Err(self.error(Some(field), format!("must be positive, got {v}")))
            }
            v => Ok(v),
        }
    }

    /// The row's position in WGS-84: a GeoJSON Point, or the `lon`/`lat` fields, converted from the
    /// registry's declared datum.
    pub fn point(&self, crs: Crs) -> Result<LonLat, InputError> {
        let (lon, lat) = match &self.geometry {
            Some(g) => match &g.value {
                geojson::GeometryValue::Point { coordinates: c } if c.len() >= 2 => (c[0], c[1]),
                geojson::GeometryValue::Point { .. } => {
                    return Err(self.error(Some("geometry"), "a Point needs two coordinates"));
                }
                other => {
                    return Err(self.error(
                        Some("geometry"),
                        format!("expected a Point, found a {}", other.type_name()),
                    ));
                }
            },
            None => {
                let lon = self
                    .number("lon")?
                    .ok_or_else(|| self.error(Some("lon"), "is required but empty or missing"))?;
                let lat = self
                    .number("lat")?
                    .ok_or_else(|| self.error(Some("lat"), "is required but empty or missing"))?;
                (lon, lat)
            }
        };
        let field = if self.geometry.is_some() {
            "geometry"
        } else {
            "lon/lat"
        };
        let input = LonLat::validate(lon, lat).map_err(|m| self.error(Some(field), m))?;
        Ok(crs.to_wgs84(input))
    }
}

/// Reads a CSV (with a header) or a GeoJSON FeatureCollection, chosen by the file's extension.
/// `required` fields must be present as CSV columns; GeoJSON rows are checked one by one.
/// The outer error refuses the whole file; inner errors belong to single rows.
pub fn read_records(
    path: &Path,
    columns: &ColumnMap,
    required: &[&str],
) -> Result<Vec<Result<Record, InputError>>, InputError> {
    let bytes =
        std::fs::read(path).map_err(|e| InputError::file(path, format!("cannot read: {e}")))?;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "csv" | "txt" => read_csv(path, &bytes, columns, required),
        "geojson" | "json" => read_geojson(path, &bytes, columns),
        other => Err(InputError::file(
            path,
            format!("unknown registry format {other:?}: expected .csv or .geojson"),
        )),
    }
}

fn read_csv(
    path: &Path,
    bytes: &[u8],
    columns: &ColumnMap,
    required: &[&str],
) -> Result<Vec<Result<Record, InputError>>, InputError> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| csv_error(path, &e))?
        .iter()
        .map(|h| {
            columns
                .field_of(h.trim_start_matches('\u{feff}'))
                .to_string()
        })
        .collect();
    for field in required {
        if !headers.iter().any(|h| h == field) {
            return Err(InputError::new(
                path,
                Location::Line(1),
                Some(field),
                format!(
                    "missing column {:?} (the header has: {}); name it with --columns {field}=<header>",
                    columns.header_of(field),
                    headers.join(", ")
                ),
            ));
        }
    }
    let mut records = Vec::new();
    for row in reader.records() {
        let row = row.map_err(|e| csv_error(path, &e))?;
        let line = row.position().map(|p| p.line()).unwrap_or(0);
        let fields = headers
            .iter()
            .cloned()
            .zip(row.iter().map(str::to_string))
            .collect();
        records.push(Ok(Record {
            file: path.to_path_buf(),
            location: Location::Line(line),
            fields,
            geometry: None,
        }));
    }
    Ok(records)
}

fn csv_error(path: &Path, e: &csv::Error) -> InputError {
    let location = e
        .position()
        .map(|p| Location::Line(p.line()))
        .unwrap_or(Location::File);
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("row has {len} fields, the header has {expected_len}")
        }
        csv::ErrorKind::Utf8 { .. } => {
            "not valid UTF-8 text (save the registry as UTF-8)".to_string()
        }
        _ => format!("malformed CSV: {e}"),
    };
    InputError::new(path, location, None, message)
}

fn read_geojson(
    path: &Path,
    bytes: &[u8],
    columns: &ColumnMap,
) -> Result<Vec<Result<Record, InputError>>, InputError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| InputError::file(path, format!("not valid UTF-8 text: {e}")))?;
    // serde_json reports the line and column of a syntax error, which geojson would hide.
    let json: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        InputError::new(
            path,
            Location::Line(e.line() as u64),
            None,
            format!("malformed JSON: {e}"),
        )
    })?;
    if json.get("type").and_then(|t| t.as_str()) != Some("FeatureCollection") {
        return Err(InputError::file(
            path,
            "not a GeoJSON FeatureCollection (top-level \"type\" must be \"FeatureCollection\")",
        ));
    }
    let Some(features) = json.get("features").and_then(|f| f.as_array()) else {
        return Err(InputError::file(
            path,
            "the FeatureCollection has no \"features\" array",
        ));
    };
    let records = features
        .iter()
        .enumerate()
        .map(|(i, value)| {
            let feature =
                serde_json::from_value::<geojson::Feature>(value.clone()).map_err(|e| {
                    InputError::new(
                        path,
                        Location::Feature(i),
                        None,
                        format!("not a valid GeoJSON Feature: {e}"),
                    )
                })?;
            let mut fields = HashMap::new();
            if let Some(id) = &feature.id {
                let id = match id {
                    geojson::feature::Id::String(s) => s.clone(),
                    geojson::feature::Id::Number(n) => n.to_string(),
                };
                fields.insert("source_id".to_string(), id);
            }
            for (key, value) in feature.properties.into_iter().flatten() {
                let text = match value {
                    serde_json::Value::Null => continue,
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                };
                fields.insert(columns.field_of(&key).to_string(), text);
            }
            Ok(Record {
                file: path.to_path_buf(),
                location: Location::Feature(i),
                fields,
                geometry: feature.geometry,
            })
        })
        .collect();
    Ok(records)
}
