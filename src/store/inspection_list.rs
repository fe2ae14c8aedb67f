//! Inspections as managers browse them (issue 13): a filtered, paged list newest first, one
//! record whole with its photos and follow-ups, and whether a photo belongs to a record the
//! caller may see. Who may see what is the server's rule; this answers for a team or for all.

use super::{Result, Store};
use crate::model::{LonLat, Outcome, PhotoRef, VenueKind};
use chrono::NaiveDate;
use rusqlite::{OptionalExtension, ToSql};
use serde::Serialize;
use serde_json::Value;

/// What a list asks for; every filter is optional and they combine.
#[derive(Debug, Clone, Default)]
pub struct InspectionFilter {
    /// Local days, both included.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// A township or community (the venue's, as the registry places it).
    pub area: Option<i64>,
    pub team: Option<i64>,
    /// The account that recorded it, by name.
    pub inspector: Option<String>,
    pub kind: Option<VenueKind>,
    pub outcome: Option<Outcome>,
    /// Whether the record raised a follow-up.
    pub has_follow_up: Option<bool>,
    pub off_plan: Option<bool>,
    pub limit: usize,
    pub offset: usize,
}

/// One line of the list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InspectionRow {
    pub uuid: String,
    pub venue_id: i64,
    pub venue: String,
    pub kind: String,
    pub township: Option<String>,
    pub community: Option<String>,
    pub team_id: Option<i64>,
    pub team: Option<String>,
    pub inspector: Option<String>,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub outcome: String,
    pub photos: i64,
    /// The follow-up it raised: `{id, status, deadline, unit}`.
    pub follow_up: Option<Value>,
    pub off_plan: bool,
    pub lon: f64,
    pub lat: f64,
}

/// One record whole.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InspectionDetail {
    #[serde(flatten)]
    pub row: InspectionRow,
    pub checklist: Value,
    pub notes: Option<String>,
    /// `{lon, lat, accuracy_m}` as the phone fixed it.
    pub gps: Option<Value>,
    pub photo_refs: Vec<PhotoRef>,
    /// Follow-ups a compliant visit closed.
    pub closed_follow_ups: Vec<i64>,
}

const ROW_SELECT: &str = "SELECT i.client_uuid, i.venue_id, v.name, v.kind, t.name, c.name, i.team_id, tm.name,
        a.username, i.started_at, i.finished_at, i.outcome,
        (SELECT count(*) FROM inspection_photos p WHERE p.inspection_id = i.id),
        (SELECT json_object('id', f.id, 'status', f.status, 'deadline', f.deadline, 'unit', f.responsible_unit)
           FROM follow_ups f WHERE f.inspection_id = i.id ORDER BY f.id LIMIT 1),
        i.off_plan, v.lon, v.lat, i.id
     FROM inspections i JOIN venues v ON v.id = i.venue_id
     LEFT JOIN areas t ON t.id = v.township_id LEFT JOIN areas c ON c.id = v.community_id
     LEFT JOIN teams tm ON tm.id = i.team_id LEFT JOIN accounts a ON a.id = i.account_id";

fn row(r: &rusqlite::Row) -> rusqlite::Result<(InspectionRow, i64)> {
    let follow_up: Option<String> = r.get(13)?;
    Ok((
        InspectionRow {
            uuid: r.get(0)?,
            venue_id: r.get(1)?,
            venue: r.get(2)?,
            kind: r.get(3)?,
            township: r.get(4)?,
            community: r.get(5)?,
            team_id: r.get(6)?,
            team: r.get(7)?,
            inspector: r.get(8)?,
            started_at: r.get(9)?,
            finished_at: r.get(10)?,
            outcome: r.get(11)?,
            photos: r.get(12)?,
            follow_up: follow_up.and_then(|f| serde_json::from_str(&f).ok()),
            off_plan: r.get(14)?,
            lon: r.get(15)?,
            lat: r.get(16)?,
        },
        r.get(17)?,
    ))
}

impl Store {
    /// The records `f` selects, newest first, one page; and how many it selects in all. With
    /// `team`, only that team's records.
    pub fn list_inspections(
        &self,
        f: &InspectionFilter,
        team: Option<i64>,
    ) -> Result<(Vec<InspectionRow>, i64)> {
        let mut clauses: Vec<&str> = Vec::new();
        let mut args: Vec<Box<dyn ToSql>> = Vec::new();
        if let Some(d) = f.from {
            clauses.push("i.started_at >= ?");
            args.push(Box::new(d.to_string()));
        }
        if let Some(d) = f.to {
            // Every time of the day `to` sorts before its next day.
            clauses.push("i.started_at < ?");
            args.push(Box::new((d + chrono::Days::new(1)).to_string()));
        }
        if let Some(a) = f.area {
            clauses.push("(v.township_id = ? OR v.community_id = ?)");
            args.push(Box::new(a));
            args.push(Box::new(a));
        }
        for (clause, value) in [("i.team_id = ?", f.team), ("i.team_id = ?", team)] {
            if let Some(t) = value {
                clauses.push(clause);
                args.push(Box::new(t));
            }
        }
        if let Some(name) = &f.inspector {
            clauses.push("a.username = ?");
            args.push(Box::new(name.clone()));
        }
        if let Some(k) = f.kind {
            clauses.push("v.kind = ?");
            args.push(Box::new(k.as_str()));
        }
        if let Some(o) = f.outcome {
            clauses.push("i.outcome = ?");
            args.push(Box::new(o.as_str()));
        }
        if let Some(has) = f.has_follow_up {
            clauses.push(if has {
                "EXISTS (SELECT 1 FROM follow_ups x WHERE x.inspection_id = i.id)"
            } else {
                "NOT EXISTS (SELECT 1 FROM follow_ups x WHERE x.inspection_id = i.id)"
            });
        }
        if let Some(off) = f.off_plan {
            clauses.push("i.off_plan = ?");
            args.push(Box::new(off));
        }
        let filter = if clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", clauses.join(" AND "))
        };
        let refs: Vec<&dyn ToSql> = args.iter().map(|a| a.as_ref()).collect();
        let total: i64 = self.conn.query_row(
            &format!(
                "SELECT count(*) FROM inspections i JOIN venues v ON v.id = i.venue_id
                 LEFT JOIN accounts a ON a.id = i.account_id{filter}"
            ),
            refs.as_slice(),
            |r| r.get(0),
        )?;
        let mut page_args = refs.clone();
        let (limit, offset) = (f.limit as i64, f.offset as i64);
        page_args.push(&limit);
        page_args.push(&offset);
        let mut stmt = self.conn.prepare(&format!(
            "{ROW_SELECT}{filter} ORDER BY i.started_at DESC, i.id DESC LIMIT ? OFFSET ?"
        ))?;
        let rows = stmt
            .query_map(page_args.as_slice(), row)?
            .map(|r| r.map(|(row, _)| row))
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok((rows, total))
    }

    /// One record by its client UUID (canonical form), with its team.
    pub fn inspection_detail(&self, uuid: &str) -> Result<Option<InspectionDetail>> {
        let found = self
            .conn
            .query_row(
                &format!("{ROW_SELECT} WHERE i.client_uuid = ?1"),
                [uuid],
                row,
            )
            .optional()?;
        let Some((row, id)) = found else {
            return Ok(None);
        };
        let (checklist, notes, lon, lat, accuracy): (
            String,
            Option<String>,
            Option<f64>,
            Option<f64>,
            Option<f64>,
        ) = self.conn.query_row(
            "SELECT checklist, notes, gps_lon, gps_lat, gps_accuracy_m FROM inspections WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )?;
        let mut stmt = self.conn.prepare(
            "SELECT sha256, content_type, bytes FROM inspection_photos WHERE inspection_id = ?1 ORDER BY rowid",
        )?;
        let photo_refs = stmt
            .query_map([id], |r| {
                Ok(PhotoRef {
                    sha256: r.get(0)?,
                    content_type: r.get(1)?,
                    bytes: r.get::<_, i64>(2)? as u64,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut stmt = self
            .conn
            .prepare("SELECT id FROM follow_ups WHERE closed_by_inspection_id = ?1 ORDER BY id")?;
        let closed_follow_ups = stmt
            .query_map([id], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<i64>>>()?;
        let gps = match (lon, lat) {
            (Some(lon), Some(lat)) => {
                let venue = LonLat::new(row.lon, row.lat);
                let frame = crate::model::LocalFrame::new(venue);
                Some(serde_json::json!({
                    "lon": lon, "lat": lat, "accuracy_m": accuracy,
                    "from_venue_m": frame.distance_m(venue, LonLat::new(lon, lat)).round(),
                }))
            }
            _ => None,
        };
        Ok(Some(InspectionDetail {
            row,
            checklist: serde_json::from_str(&checklist).unwrap_or(Value::Null),
            notes,
            gps,
            photo_refs,
            closed_follow_ups,
        }))
    }

    /// A photo as stored for a record `team` may see (any record with None), if there is one.
    pub fn photo_for(&self, sha256: &str, team: Option<i64>) -> Result<Option<PhotoRef>> {
        Ok(self
            .conn
            .query_row(
                "SELECT p.sha256, p.content_type, p.bytes FROM inspection_photos p
                 JOIN inspections i ON i.id = p.inspection_id
                 WHERE p.sha256 = ?1 AND (?2 IS NULL OR i.team_id = ?2) LIMIT 1",
                rusqlite::params![sha256, team],
                |r| {
                    Ok(PhotoRef {
                        sha256: r.get(0)?,
                        content_type: r.get(1)?,
                        bytes: r.get::<_, i64>(2)? as u64,
                    })
                },
            )
            .optional()?)
    }
}

impl Store {
    /// Adds `count` generated inspections (marked sample, UUIDs `00000000-…` by number) spread
    /// over the registered venues, teams and the 365 days before `last_day`: the benchmark's
    /// store at city size. One transaction.
    pub fn add_bench_inspections(
        &mut self,
        count: usize,
        last_day: NaiveDate,
        seed: u64,
    ) -> Result<usize> {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let venues: Vec<i64> = self
            .conn
            .prepare("SELECT id FROM venues ORDER BY id")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let teams: Vec<i64> = self
            .conn
            .prepare("SELECT id FROM teams WHERE duty = 'inspection' ORDER BY id")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        if venues.is_empty() || teams.is_empty() {
            return Ok(0);
        }
        let outcomes = [
            "compliant",
            "compliant",
            "compliant",
            "violation",
            "closed_on_arrival",
        ];
        let tx = self.conn.transaction()?;
        {
            let mut insert = tx.prepare(
                "INSERT INTO inspections (client_uuid, body_hash, venue_id, team_id, started_at, outcome, sample)
                 VALUES (?1, 'bench', ?2, ?3, ?4, ?5, 1)",
            )?;
            for n in 0..count {
                let day = last_day - chrono::Days::new(rng.random_range(0..365));
                let minute = rng.random_range(0..24 * 60);
                let started = format!("{day}T{:02}:{:02}", minute / 60, minute % 60);
                insert.execute(rusqlite::params![
                    format!("00000000-0000-4000-8000-{n:012}"),
                    venues[rng.random_range(0..venues.len())],
                    teams[rng.random_range(0..teams.len())],
                    started,
                    outcomes[rng.random_range(0..outcomes.len())],
                ])?;
            }
        }
        tx.commit()?;
        Ok(count)
    }
}
