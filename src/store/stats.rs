use super::{Result, Store};
use serde::Serialize;
use std::collections::BTreeMap;

/// What the store holds, for `patrolmap stats`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Stats {
    pub venues: BTreeMap<String, i64>,
    pub venues_total: i64,
    pub venues_sample: i64,
    pub venue_candidates: i64,
    pub lamps: i64,
    pub lamps_by_status: BTreeMap<String, i64>,
    pub street_nodes: i64,
    pub street_edges: i64,
    pub street_km: f64,
    pub corners: BTreeMap<String, i64>,
    pub areas: BTreeMap<String, i64>,
    pub schema_version: i64,
}

impl Store {
    pub fn stats(&self) -> Result<Stats> {
        let count = |sql: &str| -> Result<i64> { Ok(self.conn.query_row(sql, [], |r| r.get(0))?) };
        let group = |sql: &str| -> Result<BTreeMap<String, i64>> {
            let mut stmt = self.conn.prepare(sql)?;
            let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        };
        let mut venues = group("SELECT kind, COUNT(*) FROM venues GROUP BY kind")?;
        let mut areas = group("SELECT level, COUNT(*) FROM areas GROUP BY level")?;
        let mut corners = group("SELECT kind, COUNT(*) FROM corners GROUP BY kind")?;
        // Every level and kind is listed, with 0 where there is none, so scripts can rely on the keys.
        for k in crate::model::VenueKind::ALL {
            venues.entry(k.as_str().to_string()).or_insert(0);
        }
        for l in crate::model::AreaLevel::ALL {
            areas.entry(l.as_str().to_string()).or_insert(0);
        }
        for k in [
            crate::model::CornerKind::Junction,
            crate::model::CornerKind::Bend,
        ] {
            corners.entry(k.as_str().to_string()).or_insert(0);
        }
        Ok(Stats {
            venues,
            venues_total: count("SELECT COUNT(*) FROM venues")?,
            venues_sample: count("SELECT COUNT(*) FROM venues WHERE sample")?,
            venue_candidates: count("SELECT COUNT(*) FROM venue_candidates")?,
            lamps: count("SELECT COUNT(*) FROM lamps")?,
            lamps_by_status: group("SELECT status, COUNT(*) FROM lamps GROUP BY status")?,
            street_nodes: count("SELECT COUNT(*) FROM street_nodes")?,
            street_edges: count("SELECT COUNT(*) FROM street_edges")?,
            street_km: self.conn.query_row(
                "SELECT COALESCE(SUM(length_m), 0) / 1000.0 FROM street_edges",
                [],
                |r| r.get(0),
            )?,
            corners,
            areas,
            schema_version: self.schema_version()?,
        })
    }
}

impl Store {
    /// The box around every street node and venue, or `None` for an empty store.
    pub fn extent(&self) -> Result<Option<crate::model::BBox>> {
        let row: (Option<f64>, Option<f64>, Option<f64>, Option<f64>) = self.conn.query_row(
            "SELECT MIN(lon), MIN(lat), MAX(lon), MAX(lat) FROM (
                 SELECT lon, lat FROM street_nodes UNION ALL SELECT lon, lat FROM venues)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?;
        Ok(match row {
            (Some(w), Some(s), Some(e), Some(n)) => Some(crate::model::BBox::new(w, s, e, n)),
            _ => None,
        })
    }
}
