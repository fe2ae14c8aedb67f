//! Storing the lighting model's results: one transaction replaces the previous run whole.

use super::{Result, Store};
use crate::lighting::{LightingConfig, LightingReport};
use crate::model::LonLat;
use rusqlite::params;

impl Store {
    pub fn save_lighting(
        &mut self,
        config: &LightingConfig,
        report: &LightingReport,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        for table in [
            "edge_lighting",
            "blind_spots",
            "lighting_data_gaps",
            "lamp_repairs",
            "lamp_proposals",
        ] {
            tx.execute(&format!("DELETE FROM {table}"), [])?;
        }
        {
            let mut edge = tx.prepare(
                "INSERT INTO edge_lighting (edge_id, lighting_class, required_avg_lx, required_min_lx, samples,
                 data_gap_samples, avg_lx, min_lx, uniformity, passes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?;
            for e in &report.edges {
                edge.execute(params![
                    e.edge_id,
                    e.lighting_class,
                    e.required.avg_lx,
                    e.required.min_lx,
                    e.samples as i64,
                    e.data_gap_samples as i64,
                    e.avg_lx,
                    e.min_lx,
                    e.uniformity,
                    e.passes
                ])?;
            }
            let mut spot = tx.prepare(
                "INSERT INTO blind_spots (kind, ref_id, road_class, lighting_class, required_min_lx, lon, lat, lux,
                 mean_lux, length_m, confirmed, severity, terms, geometry)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            )?;
            for b in &report.blind_spots {
                spot.execute(params![
                    b.kind.as_str(),
                    b.ref_id,
                    b.road_class,
                    b.lighting_class,
                    b.required_min_lx,
                    b.at.lon,
                    b.at.lat,
                    b.lux,
                    b.mean_lux,
                    b.length_m,
                    b.confirmed,
                    b.severity,
                    serde_json::to_string(&b.terms).unwrap_or_default(),
                    crate::model::geojson_geometry(&b.geometry).to_string()
                ])?;
            }
            let mut gap = tx.prepare(
                "INSERT INTO lighting_data_gaps (edge_id, road_class, length_m, geometry) VALUES (?1, ?2, ?3, ?4)",
            )?;
            for g in &report.data_gaps {
                gap.execute(params![
                    g.edge_id,
                    g.road_class,
                    g.length_m,
                    crate::model::geojson_geometry(&g.geometry).to_string()
                ])?;
            }
            let mut repair = tx.prepare(
                "INSERT INTO lamp_repairs (lamp_id, deficit_removed_lx) VALUES (?1, ?2)",
            )?;
            for r in &report.repairs {
                repair.execute(params![r.lamp_id, r.deficit_removed_lx])?;
            }
            let mut proposal = tx.prepare(
                "INSERT INTO lamp_proposals (rank, lon, lat, edge_id, road_class, height_m, flux_lm, gain_lx, removed_lx,
                 deficit_left_share) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?;
            for p in &report.proposals {
                proposal.execute(params![
                    p.rank as i64,
                    p.at.lon,
                    p.at.lat,
                    p.edge_id,
                    p.road_class,
                    p.height_m,
                    p.flux_lm,
                    p.gain_lx,
                    p.removed_lx,
                    p.deficit_left_share
                ])?;
            }
        }
        tx.execute(
            "INSERT INTO lighting_runs (config, summary) VALUES (?1, ?2)",
            params![
                serde_json::to_string(&config).unwrap_or_default(),
                serde_json::to_string(&report.summary).unwrap_or_default()
            ],
        )?;
        // The lamps this run saw, so a later plan can tell whether it is out of date.
        tx.execute(
            "INSERT INTO settings (key, value) VALUES ('lighting.lamps', ?1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [lamps_fingerprint(&tx)?],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Whether lamps were added, moved, re-surveyed or changed status since the newest
    /// lighting run (false when there has been no run: there is nothing to bring up to date).
    pub fn lamps_changed_since_lighting(&self) -> Result<bool> {
        let seen = self.setting("lighting.lamps")?;
        let ran = self.lighting_summary()?.is_some();
        Ok(ran && seen.as_deref() != Some(lamps_fingerprint(&self.conn)?.as_str()))
    }

    /// The configuration the newest lighting run used, so that a point figure agrees with the
    /// blind spots and proposals on the map.
    pub fn lighting_config(&self) -> Result<Option<LightingConfig>> {
        use rusqlite::OptionalExtension;
        let row: Option<(i64, String)> = self
            .conn
            .query_row(
                "SELECT id, config FROM lighting_runs ORDER BY id DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        row.map(|(id, text)| {
            // Read over the defaults, so a run stored before a key was added still loads.
            serde_json::from_str::<serde_json::Value>(&text)
                .map_err(|e| e.to_string())
                .and_then(|v| toml::to_string(&v).map_err(|e| e.to_string()))
                .and_then(|t| LightingConfig::from_toml(&t))
                .map_err(|message| super::StoreError::Corrupt {
                    table: "lighting_runs",
                    id,
                    field: "config",
                    message,
                })
        })
        .transpose()
    }

    /// The newest lighting run's summary, as stored.
    pub fn lighting_summary(&self) -> Result<Option<serde_json::Value>> {
        use rusqlite::OptionalExtension;
        let text: Option<String> = self
            .conn
            .query_row(
                "SELECT summary FROM lighting_runs ORDER BY id DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?;
        Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
    }
}

/// A stored blind spot, as the map and the checks read it back.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StoredBlindSpot {
    pub kind: String,
    pub ref_id: i64,
    pub at: LonLat,
    pub lux: f64,
    pub required_min_lx: f64,
    pub severity: f64,
}

impl Store {
    /// Blind spots of the newest run, most severe first.
    pub fn blind_spots(&self) -> Result<Vec<StoredBlindSpot>> {
        let mut stmt = self.conn.prepare(
            "SELECT kind, ref_id, lon, lat, lux, required_min_lx, severity FROM blind_spots ORDER BY severity DESC, id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(StoredBlindSpot {
                kind: r.get(0)?,
                ref_id: r.get(1)?,
                at: LonLat::new(r.get(2)?, r.get(3)?),
                lux: r.get(4)?,
                required_min_lx: r.get(5)?,
                severity: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// A digest of every lamp's place, survey and status.
fn lamps_fingerprint(conn: &rusqlite::Connection) -> Result<String> {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    let mut stmt =
        conn.prepare("SELECT id, lon, lat, height_m, flux_lm, status FROM lamps ORDER BY id")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let line = format!(
            "{}|{}|{}|{:?}|{:?}|{}\n",
            r.get::<_, i64>(0)?,
            r.get::<_, f64>(1)?,
            r.get::<_, f64>(2)?,
            r.get::<_, Option<f64>>(3)?,
            r.get::<_, Option<f64>>(4)?,
            r.get::<_, String>(5)?
        );
        hash.update(line.as_bytes());
    }
    Ok(format!("{:x}", hash.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lighting::LightingSummary;

    #[test]
    fn the_newest_runs_configuration_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path()).unwrap();
        assert_eq!(store.lighting_config().unwrap(), None);
        let empty = LightingReport {
            summary: LightingSummary::default(),
            edges: vec![],
            corners: vec![],
            blind_spots: vec![],
            data_gaps: vec![],
            repairs: vec![],
            proposals: vec![],
        };
        store
            .save_lighting(&LightingConfig::default(), &empty)
            .unwrap();
        let custom = LightingConfig::from_toml("maintenance_factor = 0.8").unwrap();
        store.save_lighting(&custom, &empty).unwrap();
        assert_eq!(store.lighting_config().unwrap(), Some(custom));
    }
}
