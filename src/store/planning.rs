//! Teams, plans and risk scores in the store, and the venue history the risk model reads.

use super::dispatch::PlanMade;
use super::inspections::audit;
use super::{Result, Store, StoreError};
use crate::model::{LonLat, Outcome};
use crate::planning::plan::{LeftOut, LeftOutReason, PatrolPlan, PatrolRoute, PlannedStop, Target};
use crate::planning::teams::{Duty, Team};
use crate::planning::{RiskScore, Shift};
use crate::routing::TravelMode;
use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};

impl Store {
    /// Brings the teams table in line with a teams file (by name) and sets each team's id.
    /// Teams missing from the file stay: their past plans and inspections refer to them.
    pub fn sync_teams(&mut self, teams: &mut [Team]) -> Result<()> {
        let tx = self.conn.transaction()?;
        for t in teams.iter_mut() {
            tx.execute(
                "INSERT INTO teams (name, units, depot_lon, depot_lat, shift, travel_mode, duty, sample)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (name) DO UPDATE SET units = excluded.units, depot_lon = excluded.depot_lon,
                   depot_lat = excluded.depot_lat, shift = excluded.shift, travel_mode = excluded.travel_mode,
                   duty = excluded.duty, sample = excluded.sample",
                params![
                    t.name,
                    t.units.join(","),
                    t.depot.lon,
                    t.depot.lat,
                    t.shift.as_text(),
                    t.mode.as_str(),
                    t.duty.as_str(),
                    t.sample
                ],
            )?;
            t.id = tx.query_row("SELECT id FROM teams WHERE name = ?1", [&t.name], |r| {
                r.get(0)
            })?;
        }
        tx.commit()?;
        Ok(())
    }

    pub fn teams(&self) -> Result<Vec<Team>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, name, units, depot_lon, depot_lat, shift, travel_mode, duty, sample FROM teams ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                LonLat::new(r.get(3)?, r.get(4)?),
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, String>(7)?,
                r.get::<_, bool>(8)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, name, units, depot, shift, mode, duty, sample) = row?;
            let bad = |field, message| StoreError::Corrupt {
                table: "teams",
                id,
                field,
                message,
            };
            out.push(Team {
                id,
                name,
                units: units
                    .split(',')
                    .filter(|u| !u.is_empty())
                    .map(str::to_string)
                    .collect(),
                depot,
                shift: Shift::parse(&shift).map_err(|m| bad("shift", m))?,
                mode: TravelMode::parse(&mode).map_err(|m| bad("travel_mode", m))?,
                duty: Duty::parse(&duty).map_err(|m| bad("duty", m))?,
                sample,
            });
        }
        Ok(out)
    }

    /// Stores a plan whole as the newest revision of its day and duty, a draft or published
    /// as `made` says, and returns its id.
    pub fn save_plan(&mut self, plan: &PatrolPlan, made: &PlanMade) -> Result<i64> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO patrol_plans (plan_date, duty, summary, status, made_how, made_by, published_at, published_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6,
                     CASE WHEN ?4 = 'published' THEN strftime('%Y-%m-%dT%H:%M:%fZ', 'now') END,
                     CASE WHEN ?4 = 'published' THEN ?6 END)",
            params![
                plan.date.to_string(),
                plan.duty.as_str(),
                serde_json::to_string(&plan.summary).unwrap_or_default(),
                if made.publish { "published" } else { "draft" },
                made.how.as_str(),
                made.by,
            ],
        )?;
        let id = tx.last_insert_rowid();
        {
            let mut route = tx.prepare(
                "INSERT INTO patrol_routes (plan_id, team_id, team, mode, start_s, end_s, score, travel_s, path, locked)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?;
            let mut stop = tx.prepare(
                "INSERT INTO patrol_stops (plan_id, team_id, seq, target, target_id, name, category, lon, lat,
                 arrival_s, start_s, departure_s, score, mandatory, reason)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            )?;
            for r in &plan.routes {
                let path: Vec<[f64; 2]> = r.path.iter().map(|p| [p.lon, p.lat]).collect();
                route.execute(params![
                    id,
                    r.team_id,
                    r.team,
                    r.mode,
                    r.start_s,
                    r.end_s,
                    r.score,
                    r.travel_s,
                    serde_json::to_string(&path).unwrap_or_default(),
                    r.locked
                ])?;
                for s in &r.stops {
                    stop.execute(params![
                        id,
                        r.team_id,
                        s.seq as i64,
                        s.target.kind(),
                        s.target.id(),
                        s.name,
                        s.category,
                        s.at.lon,
                        s.at.lat,
                        s.arrival_s,
                        s.start_s,
                        s.departure_s,
                        s.score,
                        s.mandatory,
                        s.reason.to_string()
                    ])?;
                }
            }
            let mut left = tx.prepare(
                "INSERT INTO plan_left_out (plan_id, target, target_id, name, reason, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for l in &plan.left_out {
                left.execute(params![
                    id,
                    l.target.kind(),
                    l.target.id(),
                    l.name,
                    l.reason.as_str(),
                    l.detail
                ])?;
            }
        }
        let after = serde_json::json!({"date": plan.date, "duty": plan.duty, "summary": plan.summary,
            "made_how": made.how.as_str(), "published": made.publish});
        audit(
            &tx,
            made.by,
            "create",
            "patrol_plan",
            &id.to_string(),
            None,
            Some(&after.to_string()),
        )?;
        tx.commit()?;
        Ok(id)
    }

    /// The newest revision of a day's plan, draft or published: the dispatcher's working copy.
    pub fn plan_for(&self, date: NaiveDate, duty: Duty) -> Result<Option<PatrolPlan>> {
        match self.plan_head(date, duty, false)? {
            Some(id) => self.plan_by_id(id),
            None => Ok(None),
        }
    }

    /// The newest published revision: the plan in force for the teams.
    pub fn published_plan_for(&self, date: NaiveDate, duty: Duty) -> Result<Option<PatrolPlan>> {
        match self.plan_head(date, duty, true)? {
            Some(id) => self.plan_by_id(id),
            None => Ok(None),
        }
    }

    /// One revision by its id.
    pub fn plan_by_id(&self, id: i64) -> Result<Option<PatrolPlan>> {
        let head: Option<(String, String, String)> = self
            .conn
            .query_row(
                "SELECT plan_date, duty, summary FROM patrol_plans WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let Some((date, duty, summary)) = head else {
            return Ok(None);
        };
        let bad = |field, message: String| StoreError::Corrupt {
            table: "patrol_plans",
            id,
            field,
            message,
        };
        let summary = serde_json::from_str(&summary).map_err(|e| bad("summary", e.to_string()))?;
        let date = NaiveDate::parse_from_str(&date, "%Y-%m-%d")
            .map_err(|e| bad("plan_date", e.to_string()))?;
        let duty = Duty::parse(&duty).map_err(|m| bad("duty", m))?;
        let mut routes = Vec::new();
        let mut stmt = self.conn.prepare(
            "SELECT team_id, team, mode, start_s, end_s, score, travel_s, path, locked FROM patrol_routes WHERE plan_id = ?1 ORDER BY team",
        )?;
        let rows = stmt.query_map([id], |r| {
            Ok((
                PatrolRoute {
                    team_id: r.get(0)?,
                    team: r.get(1)?,
                    mode: r.get(2)?,
                    start_s: r.get(3)?,
                    end_s: r.get(4)?,
                    stops: Vec::new(),
                    path: Vec::new(),
                    score: r.get(5)?,
                    travel_s: r.get(6)?,
                    locked: r.get(8)?,
                },
                r.get::<_, String>(7)?,
            ))
        })?;
        for row in rows {
            let (mut route, path) = row?;
            let path: Vec<[f64; 2]> =
                serde_json::from_str(&path).map_err(|e| bad("path", e.to_string()))?;
            route.path = path
                .into_iter()
                .map(|[lon, lat]| LonLat::new(lon, lat))
                .collect();
            routes.push(route);
        }
        let mut stmt = self.conn.prepare(
            "SELECT team_id, seq, target, target_id, name, category, lon, lat, arrival_s, start_s, departure_s, score,
             mandatory, reason FROM patrol_stops WHERE plan_id = ?1 ORDER BY team_id, seq",
        )?;
        let rows = stmt.query_map([id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, String>(13)?,
                PlannedStop {
                    seq: r.get::<_, i64>(1)? as usize,
                    target: Target::Venue(0),
                    name: r.get(4)?,
                    category: r.get(5)?,
                    at: LonLat::new(r.get(6)?, r.get(7)?),
                    arrival_s: r.get(8)?,
                    start_s: r.get(9)?,
                    departure_s: r.get(10)?,
                    score: r.get(11)?,
                    mandatory: r.get(12)?,
                    reason: serde_json::Value::Null,
                },
            ))
        })?;
        for row in rows {
            let (team_id, kind, target_id, reason, mut stop) = row?;
            stop.target = Target::from_parts(&kind, target_id).map_err(|m| bad("target", m))?;
            stop.reason =
                serde_json::from_str(&reason).map_err(|e| bad("reason", e.to_string()))?;
            if let Some(route) = routes.iter_mut().find(|r| r.team_id == team_id) {
                route.stops.push(stop);
            }
        }
        let mut stmt = self.conn.prepare(
            "SELECT target, target_id, name, reason, detail FROM plan_left_out WHERE plan_id = ?1 ORDER BY rowid",
        )?;
        let rows = stmt.query_map([id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?;
        let mut left_out = Vec::new();
        for row in rows {
            let (kind, target_id, name, reason, detail) = row?;
            left_out.push(LeftOut {
                target: Target::from_parts(&kind, target_id).map_err(|m| bad("target", m))?,
                name,
                reason: LeftOutReason::parse(&reason).map_err(|m| bad("reason", m))?,
                detail,
            });
        }
        Ok(Some(PatrolPlan {
            id,
            date,
            duty,
            routes,
            left_out,
            summary,
        }))
    }

    /// Replaces the stored risk scores with today's.
    pub fn save_risk(&mut self, date: NaiveDate, scores: &[(i64, RiskScore)]) -> Result<()> {
        let tx = self.conn.transaction()?;
        let scored =
            super::neighbourhood::id_list(&scores.iter().map(|(id, _)| *id).collect::<Vec<_>>());
        tx.execute(
            "DELETE FROM venue_risk WHERE venue_id NOT IN (SELECT value FROM json_each(?1))",
            [scored],
        )?;
        super::neighbourhood::write_risk(&tx, date, scores)?;
        tx.commit()?;
        Ok(())
    }
}

impl Store {
    /// Every inspection as coverage counts it: venue, day, outcome and who recorded it.
    pub fn visits(&self) -> Result<Vec<crate::planning::coverage::Visit>> {
        self.visits_where("1", [])
    }

    /// The inspections a filter on `inspections i` selects, as coverage counts them.
    pub(super) fn visits_where(
        &self,
        filter: &str,
        params: impl rusqlite::Params,
    ) -> Result<Vec<crate::planning::coverage::Visit>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT i.id, i.venue_id, substr(i.started_at, 1, 10), i.outcome,
                    COALESCE(a.username, t.name, 'unknown')
             FROM inspections i LEFT JOIN accounts a ON a.id = i.account_id LEFT JOIN teams t ON t.id = i.team_id
             WHERE {filter} ORDER BY i.started_at, i.id"
        ))?;
        let rows = stmt.query_map(params, |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, venue_id, day, outcome, inspector) = row?;
            let bad = |field, message| StoreError::Corrupt {
                table: "inspections",
                id,
                field,
                message,
            };
            out.push(crate::planning::coverage::Visit {
                venue_id,
                day: NaiveDate::parse_from_str(&day, "%Y-%m-%d")
                    .map_err(|e| bad("started_at", e.to_string()))?,
                outcome: Outcome::parse(&outcome).map_err(|m| bad("outcome", m))?,
                inspector,
            });
        }
        Ok(out)
    }

    /// What the newest lighting run left for the crews: broken lamps with the deficit their
    /// repair removes, and the lamp proposals in rank order.
    pub fn crew_work(
        &self,
    ) -> Result<(
        Vec<crate::planning::crew::Repair>,
        Vec<crate::planning::crew::Installation>,
    )> {
        let mut stmt = self.conn.prepare(
            "SELECT l.id, l.source_id, l.lon, l.lat, r.deficit_removed_lx FROM lamp_repairs r JOIN lamps l ON l.id = r.lamp_id
             WHERE l.status = 'broken' ORDER BY r.deficit_removed_lx DESC, l.id",
        )?;
        let repairs = stmt
            .query_map([], |r| {
                Ok(crate::planning::crew::Repair {
                    lamp_id: r.get(0)?,
                    source_id: r.get(1)?,
                    at: LonLat::new(r.get(2)?, r.get(3)?),
                    deficit_removed_lx: r.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut stmt = self.conn.prepare(
            "SELECT rank, lon, lat, gain_lx, road_class FROM lamp_proposals ORDER BY rank",
        )?;
        let installations = stmt
            .query_map([], |r| {
                Ok(crate::planning::crew::Installation {
                    rank: r.get(0)?,
                    at: LonLat::new(r.get(1)?, r.get(2)?),
                    gain_lx: r.get(3)?,
                    road_class: r.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok((repairs, installations))
    }
}

impl Store {
    /// Inspections on record (only the generated sample ones with `sample_only`).
    pub fn inspection_count(&self, sample_only: bool) -> Result<i64> {
        Ok(self.conn.query_row(
            "SELECT COUNT(*) FROM inspections WHERE sample = 1 OR ?1 = 0",
            [sample_only],
            |r| r.get(0),
        )?)
    }
}

impl Store {
    /// The teams with a route on the published plan of a day and duty.
    pub fn routed_teams(&self, date: NaiveDate, duty: Duty) -> Result<Vec<i64>> {
        let mut stmt = self.conn.prepare(
            "SELECT team_id FROM patrol_routes WHERE plan_id = (
               SELECT id FROM patrol_plans WHERE plan_date = ?1 AND duty = ?2 AND status = 'published'
               ORDER BY id DESC LIMIT 1)",
        )?;
        let rows = stmt.query_map(params![date.to_string(), duty.as_str()], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Venues a team recorded an inspection of that started in `[from, to)` (local times).
    pub fn venues_recorded_between(
        &self,
        team_id: i64,
        from: chrono::NaiveDateTime,
        to: chrono::NaiveDateTime,
    ) -> Result<Vec<i64>> {
        let text = |t: chrono::NaiveDateTime| t.format("%Y-%m-%dT%H:%M").to_string();
        let mut stmt = self.conn.prepare(
            "SELECT DISTINCT venue_id FROM inspections
             WHERE team_id = ?1 AND started_at >= ?2 AND started_at < ?3 ORDER BY venue_id",
        )?;
        let rows = stmt.query_map(params![team_id, text(from), text(to)], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}
