//! Government registries (venues, lamps, areas) as CSV or GeoJSON, read into records keyed by the
//! project's field names, then into domain types by one parser per registry.

mod areas;
mod columns;
mod lamps;
mod record;
mod venues;
mod write;

pub use areas::parse_areas;
pub use columns::ColumnMap;
pub use lamps::{LAMP_FIELDS, parse_lamps};
pub use record::{Record, read_records};
pub use venues::{VENUE_FIELDS, parse_venues};
pub use write::{areas_geojson, lamps_geojson, venues_geojson};

use super::error::{InputError, RejectedFile};

/// What a registry parser hands to the store: the good rows and the rejected ones with reasons.
#[derive(Debug)]
pub struct Parsed<T> {
    pub rows: Vec<T>,
    pub rejected: Vec<InputError>,
}

impl<T> Parsed<T> {
    /// The rule for bad rows: by default any bad row refuses the whole file, so the store never
    /// holds half a registry; `skip_invalid` keeps the good rows and reports the rest.
    pub fn accept(self, skip_invalid: bool) -> Result<Self, RejectedFile> {
        if self.rejected.is_empty() || skip_invalid {
            Ok(self)
        } else {
            Err(RejectedFile {
                errors: self.rejected,
            })
        }
    }
}

/// Runs a row parser over every record, keeping each row's error apart. A source id seen twice in
/// one file is ambiguous (which row is the venue?), so the later row is rejected.
fn parse_rows<T>(
    records: Vec<Result<Record, InputError>>,
    mut parse: impl FnMut(&Record) -> Result<T, InputError>,
    source_id: impl Fn(&T) -> &str,
) -> Parsed<T> {
    let mut rows = Vec::with_capacity(records.len());
    let mut rejected = Vec::new();
    let mut first_seen = std::collections::HashMap::<String, String>::new();
    for record in records {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                rejected.push(e);
                continue;
            }
        };
        match parse(&record) {
            Ok(row) => match first_seen.get(source_id(&row)) {
                Some(place) => rejected.push(record.error(
                    Some("source_id"),
                    format!("{:?} already appears at {place}", source_id(&row)),
                )),
                None => {
                    let place =
                        InputError::new(&record.file, record.location.clone(), None, "").place();
                    first_seen.insert(source_id(&row).to_string(), place);
                    rows.push(row);
                }
            },
            Err(e) => rejected.push(e),
        }
    }
    Parsed { rows, rejected }
}
