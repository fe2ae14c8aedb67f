use super::{ColumnMap, Parsed, Record, parse_rows, read_records};
use crate::ingest::crs::Crs;
use crate::ingest::error::InputError;
use crate::model::{Venue, VenueKind, VenueStatus};
use std::path::Path;

/// The venue registry's fields. `source_id`, `name`, `kind` and the position (`lon`/`lat`, or a
/// GeoJSON Point) are required; the rest are optional.
pub const VENUE_FIELDS: &[&str] = &[
    "source_id",
    "name",
    "kind",
    "lon",
    "lat",
    "address",
    "opening_hours",
    "status",
    "responsible_unit",
    "complaints",
    "sample",
];

const CSV_REQUIRED: &[&str] = &["source_id", "name", "kind", "lon", "lat"];

pub fn parse_venues(
    path: &Path,
    columns: &ColumnMap,
    crs: Crs,
) -> Result<Parsed<Venue>, InputError> {
    let records = read_records(path, columns, CSV_REQUIRED)?;
    Ok(parse_rows(
        records,
        |r| parse_venue(r, crs),
        |v| &v.source_id,
    ))
}

fn parse_venue(r: &Record, crs: Crs) -> Result<Venue, InputError> {
    let kind = VenueKind::parse(r.required("kind")?).map_err(|m| r.error(Some("kind"), m))?;
    let status = VenueStatus::parse(r.text("status").unwrap_or(""))
        .map_err(|m| r.error(Some("status"), m))?;
    let complaints = match r.number("complaints")? {
        None => 0,
        Some(n) if n >= 0.0 && n.fract() == 0.0 && n <= u32::MAX as f64 => n as u32,
        Some(n) => {
            return Err(r.error(
                Some("complaints"),
                format!("must be a whole number ≥ 0, got {n}"),
            ));
        }
    };
    Ok(Venue {
        id: 0,
        source_id: r.required("source_id")?.to_string(),
        kind,
        name: r.required("name")?.to_string(),
        address: r.text("address").map(str::to_string),
        position: r.point(crs)?,
        opening_hours: r.text("opening_hours").map(str::to_string),
        status,
        responsible_unit: r.text("responsible_unit").map(str::to_string),
        complaints,
        sample: parse_flag(r, "sample")?,
    })
}

pub(super) fn parse_flag(r: &Record, field: &str) -> Result<bool, InputError> {
    match r.text(field).map(str::to_lowercase).as_deref() {
        None | Some("false") | Some("0") | Some("no") => Ok(false),
        Some("true") | Some("1") | Some("yes") => Ok(true),
        Some(other) => Err(r.error(
            Some(field),
            format!("expected true or false, got {other:?}"),
        )),
    }
}
