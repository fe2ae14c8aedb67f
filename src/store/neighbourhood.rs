//! Reads bounded to a few venues or a box: what a write's consequences are recomputed from, so
//! that recording one inspection costs the same in a district and in a city.

use super::follow_ups::select;
use super::planning::id_list;
use super::read::{areas_where, venues_where};
use super::{Result, Store};
use crate::model::{Area, BBox, FollowUp, LonLat, Venue};
use crate::planning::RiskScore;
use crate::planning::coverage::Visit;
use chrono::NaiveDate;
use rusqlite::params;

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
        {
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
        }
        tx.commit()?;
        Ok(())
    }
}
