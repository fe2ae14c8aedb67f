//! Reads bounded to a few venues or a box: what a write's consequences are recomputed from, so
//! that recording one inspection costs the same in a district and in a city.

use super::follow_ups::select;
use super::read::{areas_where, venues_where};
use super::{Result, Store};
use crate::model::Outcome;
use crate::model::{Area, BBox, FollowUp, LonLat, Venue};
use crate::planning::coverage::Visit;
use crate::planning::{Finding, RiskScore, VenueHistory};
use chrono::NaiveDate;
use rusqlite::params;
use std::collections::HashMap;

impl Store {
    pub fn venue(&self, id: i64) -> Result<Option<Venue>> {
        Ok(venues_where(&self.conn, "id = ?1", [id])?.pop())
    }

    /// The areas `ids`, in id order.
    pub fn areas_of(&self, ids: &[i64]) -> Result<Vec<Area>> {
        areas_where(
            &self.conn,
            "id IN (SELECT value FROM json_each(?1))",
            [id_list(ids)],
        )
    }

    /// The venues inside `bbox` (edges included).
    pub fn venues_within(&self, bbox: BBox) -> Result<Vec<Venue>> {
        venues_where(
            &self.conn,
            "lon BETWEEN ?1 AND ?3 AND lat BETWEEN ?2 AND ?4",
            params![bbox.west, bbox.south, bbox.east, bbox.north],
        )
    }

    /// The inspections of the venues `ids`, as coverage counts them.
    pub fn visits_of(&self, ids: &[i64]) -> Result<Vec<Visit>> {
        self.visits_where(
            "i.venue_id IN (SELECT value FROM json_each(?1))",
            [id_list(ids)],
        )
    }

    /// Every follow-up of the venues `ids`.
    pub fn follow_ups_of(&self, ids: &[i64]) -> Result<Vec<FollowUp>> {
        select(
            &self.conn,
            "f.venue_id IN (SELECT value FROM json_each(?1))",
            &[&id_list(ids)],
        )
    }

    /// The blind spots whose darkest point lies in `bbox`: (position, severity), as risk reads them.
    pub fn blind_spots_within(&self, bbox: BBox) -> Result<Vec<(LonLat, f64)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT lon, lat, severity FROM blind_spots
             WHERE lon BETWEEN ?1 AND ?3 AND lat BETWEEN ?2 AND ?4",
        )?;
        let rows = stmt.query_map(params![bbox.west, bbox.south, bbox.east, bbox.north], |r| {
            Ok((LonLat::new(r.get(0)?, r.get(1)?), r.get(2)?))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Replaces the risk of these venues only (the others keep theirs).
    pub fn update_risk(&mut self, date: NaiveDate, scores: &[(i64, RiskScore)]) -> Result<()> {
        let tx = self.conn.transaction()?;
        write_risk(&tx, date, scores)?;
        tx.commit()?;
        Ok(())
    }
}

/// Writes these scores; a row whose score is unchanged is left alone, so it marks no change in
/// the content revision.
pub(super) fn write_risk(
    tx: &rusqlite::Transaction,
    date: NaiveDate,
    scores: &[(i64, RiskScore)],
) -> Result<()> {
    let mut upsert = tx.prepare_cached(
        "INSERT INTO venue_risk (venue_id, scored_on, score, terms) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (venue_id) DO UPDATE SET scored_on = excluded.scored_on,
             score = excluded.score, terms = excluded.terms
         WHERE score IS NOT excluded.score OR terms IS NOT excluded.terms
             OR scored_on IS NOT excluded.scored_on",
    )?;
    for (id, s) in scores {
        upsert.execute(params![
            id,
            date.to_string(),
            s.score,
            serde_json::to_string(&s.terms).unwrap_or_default()
        ])?;
    }
    Ok(())
}

impl Store {
    /// Each venue's latest inspection (day and outcome) up to `date`, and its open follow-ups.
    pub fn venue_histories(&self, date: NaiveDate) -> Result<HashMap<i64, VenueHistory>> {
        self.venue_histories_of(date, None)
    }

    /// The histories of the venues `ids` only (None: every venue).
    pub fn venue_histories_of(
        &self,
        date: NaiveDate,
        ids: Option<&[i64]>,
    ) -> Result<HashMap<i64, VenueHistory>> {
        let mut out: HashMap<i64, VenueHistory> = HashMap::new();
        let until = format!("{date}T99");
        let ids = ids.map(id_list);
        // As in `findings_within`: one statement each way, so the bounded one is led by the
        // ids (a venue's latest inspection by its index) instead of scanning every inspection.
        let mut stmt;
        let rows = match &ids {
            Some(ids) => {
                stmt = self.conn.prepare_cached(
                    "SELECT i.venue_id, i.started_at, i.outcome
                     FROM json_each(?2) w CROSS JOIN inspections i ON i.venue_id = w.value
                     WHERE i.started_at < ?1 AND i.started_at = (SELECT MAX(started_at)
                           FROM inspections j WHERE j.venue_id = i.venue_id AND j.started_at < ?1)
                     ORDER BY i.venue_id, i.id",
                )?;
                stmt.query(params![&until, ids])?
            }
            None => {
                stmt = self.conn.prepare_cached(
                    "SELECT venue_id, started_at, outcome FROM inspections i
                     WHERE started_at < ?1 AND started_at = (SELECT MAX(started_at)
                           FROM inspections j WHERE j.venue_id = i.venue_id AND j.started_at < ?1)
                     ORDER BY venue_id, id",
                )?;
                stmt.query(params![&until])?
            }
        };
        let rows = rows.mapped(|r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        });
        for row in rows {
            let (venue, started, outcome) = row?;
            let h = out.entry(venue).or_default();
            h.last_inspected =
                NaiveDate::parse_from_str(started.get(..10).unwrap_or(""), "%Y-%m-%d").ok();
            h.last_outcome = Outcome::parse(&outcome).ok();
        }
        let mut stmt;
        let rows = match &ids {
            Some(ids) => {
                stmt = self.conn.prepare_cached(
                    "SELECT venue_id, COUNT(*) FROM follow_ups
                     WHERE venue_id IN (SELECT value FROM json_each(?1)) AND status = 'open'
                     GROUP BY venue_id",
                )?;
                stmt.query([ids])?
            }
            None => {
                stmt = self.conn.prepare_cached(
                    "SELECT venue_id, COUNT(*) FROM follow_ups WHERE status = 'open'
                     GROUP BY venue_id",
                )?;
                stmt.query([])?
            }
        };
        let rows = rows.mapped(|r| Ok((r.get::<_, i64>(0)?, r.get::<_, u32>(1)?)));
        for row in rows {
            let (venue, n) = row?;
            out.entry(venue).or_default().open_follow_ups = n;
        }
        Ok(out)
    }

    /// Violations and drug findings up to `date`, at their venues.
    pub fn findings(&self, date: NaiveDate) -> Result<Vec<Finding>> {
        self.findings_within(date, None)
    }

    /// The findings at venues inside `bbox` only (None: everywhere).
    pub fn findings_within(&self, date: NaiveDate, bbox: Option<BBox>) -> Result<Vec<Finding>> {
        // Two statements, not one with `?2 IS NULL OR …`: SQLite plans a statement once, and
        // that plan scans every inspection. Bounded, the venues' position index leads and each
        // venue's inspections are found by its index (a write's rescoring reads a few hundred).
        let until = format!("{date}T99");
        let mut stmt;
        let rows = match bbox {
            Some(b) => {
                stmt = self.conn.prepare_cached(
                    "SELECT v.lon, v.lat, substr(i.started_at, 1, 10)
                     FROM venues v CROSS JOIN inspections i ON i.venue_id = v.id
                     WHERE v.lon BETWEEN ?2 AND ?4 AND v.lat BETWEEN ?3 AND ?5
                       AND i.started_at < ?1 AND i.outcome IN ('violation', 'drug_related')",
                )?;
                stmt.query(params![until, b.west, b.south, b.east, b.north])?
            }
            None => {
                stmt = self.conn.prepare_cached(
                    "SELECT v.lon, v.lat, substr(i.started_at, 1, 10)
                     FROM inspections i JOIN venues v ON v.id = i.venue_id
                     WHERE i.outcome IN ('violation', 'drug_related') AND i.started_at < ?1",
                )?;
                stmt.query(params![until])?
            }
        };
        let rows = rows.mapped(|r| Ok((LonLat::new(r.get(0)?, r.get(1)?), r.get::<_, String>(2)?)));
        let mut out = Vec::new();
        for row in rows {
            let (at, day) = row?;
            if let Ok(on) = NaiveDate::parse_from_str(&day, "%Y-%m-%d") {
                out.push(Finding { at, on });
            }
        }
        Ok(out)
    }
}

/// Ids as the JSON array `json_each` reads: one parameter however many ids.
pub(super) fn id_list(ids: &[i64]) -> String {
    serde_json::to_string(ids).unwrap_or_else(|_| "[]".into())
}
