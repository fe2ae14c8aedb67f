use super::{ColumnMap, Parsed, Record, parse_rows, read_records};
use crate::ingest::crs::Crs;
use crate::ingest::error::InputError;
use crate::model::{Lamp, LampStatus};
use std::path::Path;

/// The lamp registry's fields: `source_id` and the position are required; `height_m` and `flux_lm`
/// stay unknown when blank (the lighting model then applies its documented defaults).
pub const LAMP_FIELDS: &[&str] = &["source_id", "lon", "lat", "height_m", "flux_lm", "status"];

const CSV_REQUIRED: &[&str] = &["source_id", "lon", "lat"];

/// Taller than any street-lighting pole; a larger value is a unit mistake (cm for m).
const MAX_HEIGHT_M: f64 = 60.0;
/// Above the brightest high-mast luminaires; a larger value is a unit mistake.
const MAX_FLUX_LM: f64 = 200_000.0;

pub fn parse_lamps(path: &Path, columns: &ColumnMap, crs: Crs) -> Result<Parsed<Lamp>, InputError> {
    let records = read_records(path, columns, CSV_REQUIRED)?;
    Ok(parse_rows(
        records,
        |r| parse_lamp(r, crs),
        |l| &l.source_id,
    ))
}

fn parse_lamp(r: &Record, crs: Crs) -> Result<Lamp, InputError> {
    let height_m = r.positive("height_m")?;
    if let Some(h) = height_m.filter(|h| *h > MAX_HEIGHT_M) {
        return Err(r.error(
            Some("height_m"),
            format!("{h} m is taller than any lamp pole (metres expected)"),
        ));
    }
    let flux_lm = r.positive("flux_lm")?;
    if let Some(f) = flux_lm.filter(|f| *f > MAX_FLUX_LM) {
        return Err(r.error(
            Some("flux_lm"),
            format!("{f} lm is brighter than any street luminaire"),
        ));
    }
    Ok(Lamp {
        id: 0,
        source_id: r.required("source_id")?.to_string(),
        position: r.point(crs)?,
        height_m,
        flux_lm,
        status: LampStatus::parse(r.text("status").unwrap_or(""))
            .map_err(|m| r.error(Some("status"), m))?,
    })
}
