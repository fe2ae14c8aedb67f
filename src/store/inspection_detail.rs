//! One inspection whole, as a manager reviews it (issue 13): the list's row with its checklist,
//! notes, GPS fix and photos, every review it had, the chain of its versions, and the follow-up
//! it raised as supervision left it; and whether a photo belongs to a record the caller may see.

use super::inspection_list::{InspectionRow, ROW_SELECT, row};
use super::{Result, Store};
use crate::model::{LonLat, PhotoRef};
use rusqlite::OptionalExtension;
use serde::Serialize;
use serde_json::{Value, json};

/// One record whole.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InspectionDetail {
    /// With `follow_up` in full: `{id, status, deadline, unit, action, raised_on, extensions,
    /// level, escalated_to, closed_on, closed_how}`.
    #[serde(flatten)]
    pub row: InspectionRow,
    pub checklist: Value,
    pub notes: Option<String>,
    /// `{lon, lat, accuracy_m}` as the phone fixed it.
    pub gps: Option<Value>,
    pub photo_refs: Vec<PhotoRef>,
    /// Follow-ups a compliant visit closed.
    pub closed_follow_ups: Vec<i64>,
    /// Every review in the order made: `{state, reason, by, at}`.
    pub reviews: Vec<Value>,
    /// The client UUIDs of every version of this record, oldest first (this one included).
    pub versions: Vec<String>,
}

/// Far more corrections than anyone makes of one record: a chain that loops (which the writes
/// never make) ends here instead of never.
const MAX_VERSIONS: usize = 1000;

impl Store {
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
        let Some((mut row, id)) = found else {
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
                Some(json!({
                    "lon": lon, "lat": lat, "accuracy_m": accuracy,
                    "from_venue_m": frame.distance_m(venue, LonLat::new(lon, lat)).round(),
                }))
            }
            _ => None,
        };
        if row.follow_up.is_some() {
            row.follow_up = self.follow_up_raised(id)?;
        }
        Ok(Some(InspectionDetail {
            row,
            checklist: serde_json::from_str(&checklist).unwrap_or(Value::Null),
            notes,
            gps,
            photo_refs,
            closed_follow_ups,
            reviews: self.reviews_of(id)?,
            versions: self.versions_of(id)?,
        }))
    }

    /// The follow-up record `id` raised, with what supervision did to it.
    fn follow_up_raised(&self, id: i64) -> Result<Option<Value>> {
        let text: Option<String> = self
            .conn
            .query_row(
                "SELECT json_object('id', f.id, 'status', f.status, 'deadline', f.deadline,
                        'unit', f.responsible_unit, 'action', f.action, 'raised_on', f.raised_on,
                        'extensions', f.extensions, 'level', f.level, 'escalated_to', f.escalated_to,
                        'closed_on', f.closed_on, 'closed_how', f.closed_how)
                 FROM follow_ups f WHERE f.inspection_id = ?1 ORDER BY f.id LIMIT 1",
                [id],
                |r| r.get(0),
            )
            .optional()?;
        Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
    }

    /// Every review of record `id`, oldest first.
    fn reviews_of(&self, id: i64) -> Result<Vec<Value>> {
        let mut stmt = self.conn.prepare(
            "SELECT r.state, r.reason, a.username, r.at FROM inspection_reviews r
             LEFT JOIN accounts a ON a.id = r.account_id
             WHERE r.inspection_id = ?1 ORDER BY r.id",
        )?;
        let reviews = stmt
            .query_map([id], |r| {
                Ok(json!({
                    "state": r.get::<_, String>(0)?,
                    "reason": r.get::<_, Option<String>>(1)?,
                    "by": r.get::<_, Option<String>>(2)?,
                    "at": r.get::<_, String>(3)?,
                }))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(reviews)
    }

    /// The chain of versions through record `id`, oldest first: back along `corrects`, forward
    /// along `superseded_by` (or, where only the newer row names the older, the row that
    /// corrects it).
    fn versions_of(&self, id: i64) -> Result<Vec<String>> {
        let mut back = self
            .conn
            .prepare_cached("SELECT corrects FROM inspections WHERE id = ?1")?;
        let mut forward = self.conn.prepare_cached(
            "SELECT coalesce(superseded_by, (SELECT n.id FROM inspections n WHERE n.corrects = i.id ORDER BY n.id LIMIT 1))
             FROM inspections i WHERE i.id = ?1",
        )?;
        let mut chain = vec![id];
        let mut at = id;
        while let Some(older) = back.query_row([at], |r| r.get::<_, Option<i64>>(0))? {
            if chain.contains(&older) || chain.len() >= MAX_VERSIONS {
                break;
            }
            chain.insert(0, older);
            at = older;
        }
        at = id;
        while let Some(newer) = forward.query_row([at], |r| r.get::<_, Option<i64>>(0))? {
            if chain.contains(&newer) || chain.len() >= MAX_VERSIONS {
                break;
            }
            chain.push(newer);
            at = newer;
        }
        let mut uuid = self
            .conn
            .prepare_cached("SELECT client_uuid FROM inspections WHERE id = ?1")?;
        let uuids = chain
            .iter()
            .map(|v| uuid.query_row([v], |r| r.get(0)))
            .collect::<rusqlite::Result<Vec<String>>>()?;
        Ok(uuids)
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
