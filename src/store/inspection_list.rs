//! Inspections as managers browse them (issue 13): a filtered list newest first, paged by a
//! keyset cursor (or a small offset), with a count that stops at a cap. Who may see what is the
//! server's rule; this answers for a team or for all.
//!
//! At a million records a page must never cost a scan: every filter is an index range in the
//! list's order (migration 0007), a page reads `limit + 1` ids from that range and then the 50
//! rows whole, and the count runs only when the caller asks for it and stops at [`TOTAL_CAP`].

use super::{Result, Store};
use crate::model::{Outcome, VenueKind};
use chrono::NaiveDate;
use rusqlite::{OptionalExtension, ToSql};
use serde::Serialize;
use serde_json::{Value, json};

/// The review states a record may be in (migration 0006).
pub const REVIEW_STATES: &[&str] = &["pending", "approved", "has_issues", "rejected"];

/// A count stops here: past it the answer says "more than" rather than reading every match.
pub const TOTAL_CAP: i64 = 10_000;

/// The most work a count may do, in units of `WORK_UNIT_OPS` SQLite instructions: a little more
/// than counting [`TOTAL_CAP`] matches from one index takes (about 90,000 instructions).
/// A filter whose matches are sparse in every index it could use stops here with what it has
/// counted (then `total` is a lower bound), so no first page costs a scan of the table. Work,
/// not time: the same store gives the same answer on any machine.
const COUNT_WORK: i64 = 120;

/// What a list asks for; every filter is optional and they combine.
#[derive(Debug, Clone)]
pub struct InspectionFilter {
    /// Local days, both included.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// A township or community (the venue's, as the registry places it now).
    pub area: Option<i64>,
    pub team: Option<i64>,
    /// The account that recorded it, by name.
    pub inspector: Option<String>,
    pub kind: Option<VenueKind>,
    pub outcome: Option<Outcome>,
    /// Whether the record raised a follow-up.
    pub has_follow_up: Option<bool>,
    pub off_plan: Option<bool>,
    /// One of [`REVIEW_STATES`].
    pub review: Option<String>,
    /// One venue's history.
    pub venue: Option<i64>,
    /// Only the current version of each record (not superseded by a correction); false lists
    /// every version.
    pub current: bool,
    pub limit: usize,
    /// Rows to skip; with `cursor`, counted after it.
    pub offset: usize,
    /// Start after this row (the last of the previous page).
    pub cursor: Option<InspectionCursor>,
    /// Count the matches (up to [`TOTAL_CAP`]).
    pub count: bool,
}

impl Default for InspectionFilter {
    fn default() -> Self {
        Self {
            from: None,
            to: None,
            area: None,
            team: None,
            inspector: None,
            kind: None,
            outcome: None,
            has_follow_up: None,
            off_plan: None,
            review: None,
            venue: None,
            current: true,
            limit: 50,
            offset: 0,
            cursor: None,
            count: false,
        }
    }
}

/// Where a page ends in the list's order (started_at DESC, id DESC): the next page starts after
/// it. Opaque to clients: hex of `started_at` and the row id, so a client cannot build one
/// from a UUID or a day and we may change what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InspectionCursor {
    pub started_at: String,
    pub id: i64,
}

impl InspectionCursor {
    pub fn encode(&self) -> String {
        format!("{}~{}", self.started_at, self.id)
            .bytes()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// The cursor `text` encodes; the message says what is wrong with it.
    pub fn decode(text: &str) -> std::result::Result<Self, String> {
        let bad = || format!("{text:?} is not a cursor this server gave");
        // Any cursor we give is well under this; a longer one is not worth decoding.
        if text.is_empty() || !text.len().is_multiple_of(2) || text.len() > 200 {
            return Err(bad());
        }
        let bytes = (0..text.len())
            .step_by(2)
            .map(|i| {
                text.get(i..i + 2)
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
            })
            .collect::<Option<Vec<u8>>>()
            .ok_or_else(bad)?;
        let plain = String::from_utf8(bytes).map_err(|_| bad())?;
        let (started_at, id) = plain.rsplit_once('~').ok_or_else(bad)?;
        let id = id.parse::<i64>().map_err(|_| bad())?;
        // Local times as stored: `YYYY-MM-DDTHH:MM`, perhaps with seconds.
        let time_like = started_at.len() >= 10
            && started_at
                .bytes()
                .all(|b| b.is_ascii_digit() || b":-T.".contains(&b));
        if !time_like || id < 0 {
            return Err(bad());
        }
        Ok(Self {
            started_at: started_at.to_string(),
            id,
        })
    }
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
    /// `{state, reason, by, at}`; only `state` while pending.
    pub review: Value,
    /// The version this one corrects, and the one that corrected it (client UUIDs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub corrects: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub superseded_by: Option<String>,
    /// The later visit that redid it after a rejection.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redone_by: Option<String>,
}

/// One page of the list.
#[derive(Debug, Clone, PartialEq)]
pub struct InspectionPage {
    pub items: Vec<InspectionRow>,
    /// Whether more rows follow this page.
    pub more: bool,
    /// After the last row, when more follow.
    pub next_cursor: Option<InspectionCursor>,
    /// The matches up to [`TOTAL_CAP`], and whether there may be more (then the figure is a
    /// lower bound); when asked for.
    pub total: Option<(i64, bool)>,
}

pub(super) const ROW_SELECT: &str = "SELECT i.client_uuid, i.venue_id, v.name, v.kind, t.name, c.name, i.team_id, tm.name,
        a.username, i.started_at, i.finished_at, i.outcome,
        (SELECT count(*) FROM inspection_photos p WHERE p.inspection_id = i.id),
        (SELECT json_object('id', f.id, 'status', f.status, 'deadline', f.deadline, 'unit', f.responsible_unit)
           FROM follow_ups f WHERE f.inspection_id = i.id ORDER BY f.id LIMIT 1),
        i.off_plan, v.lon, v.lat, i.id,
        i.review, i.review_reason, ra.username, i.reviewed_at,
        co.client_uuid, sup.client_uuid, rd.client_uuid
     FROM inspections i JOIN venues v ON v.id = i.venue_id
     LEFT JOIN areas t ON t.id = i.township_id LEFT JOIN areas c ON c.id = i.community_id
     LEFT JOIN teams tm ON tm.id = i.team_id LEFT JOIN accounts a ON a.id = i.account_id
     LEFT JOIN accounts ra ON ra.id = i.reviewed_by
     LEFT JOIN inspections co ON co.id = i.corrects
     LEFT JOIN inspections sup ON sup.id = i.superseded_by
     LEFT JOIN inspections rd ON rd.id = i.redone_by";

/// A row of [`ROW_SELECT`], with the record's id.
pub(super) fn row(r: &rusqlite::Row) -> rusqlite::Result<(InspectionRow, i64)> {
    let follow_up: Option<String> = r.get(13)?;
    let state: String = r.get(18)?;
    let review = if state == "pending" {
        json!({ "state": state })
    } else {
        json!({ "state": state, "reason": r.get::<_, Option<String>>(19)?,
                "by": r.get::<_, Option<String>>(20)?, "at": r.get::<_, Option<String>>(21)? })
    };
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
            review,
            corrects: r.get(22)?,
            superseded_by: r.get(23)?,
            redone_by: r.get(24)?,
        },
        r.get(17)?,
    ))
}

/// The values bound to a statement's `?`s, in order.
type Args = Vec<Box<dyn ToSql>>;

/// The WHERE clauses of a filter (without its cursor) and their arguments, each on a column of
/// `inspections` that an index leads with (the venue's area and kind are copied there).
fn clauses(
    store: &Store,
    f: &InspectionFilter,
    team: Option<i64>,
) -> Result<(Vec<&'static str>, Args)> {
    let mut clauses: Vec<&str> = Vec::new();
    let mut args: Args = Vec::new();
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
        // A township and a community are separate columns (and indexes): an OR of both would
        // read neither index.
        let level: Option<String> = store
            .conn
            .query_row("SELECT level FROM areas WHERE id = ?1", [a], |r| r.get(0))
            .optional()?;
        clauses.push(match level.as_deref() {
            Some("township") => "i.township_id = ?",
            Some("community") => "i.community_id = ?",
            // No venue lies "in" a grid cell or an unknown area.
            _ => "? IS NULL",
        });
        args.push(Box::new(a));
    }
    for t in [f.team, team].into_iter().flatten() {
        clauses.push("i.team_id = ?");
        args.push(Box::new(t));
    }
    if let Some(name) = &f.inspector {
        clauses.push("i.account_id = (SELECT id FROM accounts WHERE username = ?)");
        args.push(Box::new(name.clone()));
    }
    if let Some(k) = f.kind {
        clauses.push("i.venue_kind = ?");
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
    if let Some(state) = &f.review {
        clauses.push("i.review = ?");
        args.push(Box::new(state.clone()));
    }
    if let Some(v) = f.venue {
        clauses.push("i.venue_id = ?");
        args.push(Box::new(v));
    }
    if f.current {
        clauses.push("i.superseded_by IS NULL");
    }
    Ok((clauses, args))
}

/// `FROM … WHERE …` for `clauses`.
fn from_where(clauses: &[&str]) -> String {
    if clauses.is_empty() {
        "FROM inspections i".to_string()
    } else {
        format!("FROM inspections i WHERE {}", clauses.join(" AND "))
    }
}

impl Store {
    /// One page of the records `f` selects, newest first. With `team`, only that team's.
    pub fn list_inspections(
        &self,
        f: &InspectionFilter,
        team: Option<i64>,
    ) -> Result<InspectionPage> {
        // One snapshot for the count, the page's ids and its rows: a record committed between
        // them would otherwise be counted but not listed, or listed by id and then not found.
        let snapshot = self.conn.unchecked_transaction()?;
        let (mut clauses, mut args) = clauses(self, f, team)?;
        let total = if f.count {
            Some(self.count_matches(&clauses, &args)?)
        } else {
            None
        };
        if let Some(c) = &f.cursor {
            // A row value compares as the list sorts, and SQLite reads it as a range of the
            // index that ends in (started_at, rowid).
            clauses.push("(i.started_at, i.id) < (?, ?)");
            args.push(Box::new(c.started_at.clone()));
            args.push(Box::new(c.id));
        }
        let mut refs: Vec<&dyn ToSql> = args.iter().map(|a| a.as_ref()).collect();
        // One more than the page says whether another follows, without a count.
        let (limit, offset) = (f.limit as i64 + 1, f.offset as i64);
        refs.push(&limit);
        refs.push(&offset);
        let ids = self
            .conn
            .prepare_cached(&format!(
                "SELECT i.id, i.started_at {} ORDER BY i.started_at DESC, i.id DESC LIMIT ? OFFSET ?",
                from_where(&clauses)
            ))?
            .query_map(refs.as_slice(), |r| Ok((r.get::<_, i64>(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<Vec<(i64, String)>>>()?;
        let more = ids.len() > f.limit;
        let ids = &ids[..ids.len().min(f.limit)];
        let mut one = self
            .conn
            .prepare_cached(&format!("{ROW_SELECT} WHERE i.id = ?1"))?;
        let items = ids
            .iter()
            .map(|(id, _)| one.query_row([id], row).map(|(r, _)| r))
            .collect::<rusqlite::Result<Vec<_>>>()?;
        drop(one);
        snapshot.commit()?;
        let next_cursor = ids
            .last()
            .filter(|_| more)
            .map(|(id, started_at)| InspectionCursor {
                started_at: started_at.clone(),
                id: *id,
            });
        Ok(InspectionPage {
            items,
            more,
            next_cursor,
            total,
        })
    }

    /// How many rows `clauses` select, up to [`TOTAL_CAP`] and within [`COUNT_WORK`]; and
    /// whether there may be more. Rows are counted one by one so that a count cut short still
    /// says how many it found.
    fn count_matches(&self, clauses: &[&str], args: &Args) -> Result<(i64, bool)> {
        use std::sync::atomic::Ordering::Relaxed;
        /// Lifts the budget however the count ends.
        struct Unbounded<'a>(&'a std::sync::atomic::AtomicI64);
        impl Drop for Unbounded<'_> {
            fn drop(&mut self) {
                self.0.store(-1, Relaxed);
            }
        }
        let refs: Vec<&dyn ToSql> = args.iter().map(|a| a.as_ref()).collect();
        // Reading one past the cap tells "exactly TOTAL_CAP" from "more".
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT 1 {} LIMIT {}",
            from_where(clauses),
            TOTAL_CAP + 1
        ))?;
        let _unbounded = Unbounded(&self.work_left);
        self.work_left.store(COUNT_WORK, Relaxed);
        let mut rows = stmt.query(refs.as_slice())?;
        let mut n = 0;
        loop {
            match rows.next() {
                Ok(Some(_)) => n += 1,
                Ok(None) => return Ok((n.min(TOTAL_CAP), n > TOTAL_CAP)),
                Err(rusqlite::Error::SqliteFailure(e, _))
                    if e.code == rusqlite::ErrorCode::OperationInterrupted =>
                {
                    return Ok((n.min(TOTAL_CAP), true));
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_as_given() {
        let c = InspectionCursor {
            started_at: "2026-11-20T21:30".into(),
            id: 1_000_123,
        };
        let text = c.encode();
        assert!(text.bytes().all(|b| b.is_ascii_hexdigit()), "{text}");
        assert_eq!(InspectionCursor::decode(&text), Ok(c));
        let seconds = InspectionCursor {
            started_at: "2026-11-20T21:30:05.250".into(),
            id: 0,
        };
        assert_eq!(InspectionCursor::decode(&seconds.encode()), Ok(seconds));
    }

    #[test]
    fn a_bad_cursor_is_an_error_never_a_panic() {
        let hex = |s: &str| s.bytes().map(|b| format!("{b:02x}")).collect::<String>();
        for text in [
            String::new(),
            "0".into(),
            "zz".into(),
            "é1".into(),
            "日本".into(),
            "ff".repeat(8),
            "a".repeat(400),
            hex("2026-11-20T21:30"),
            hex("2026-11-20T21:30~"),
            hex("2026-11-20T21:30~x1"),
            hex("2026-11-20T21:30~-4"),
            hex("2026-11-20T21:30~99999999999999999999"),
            hex("'; DROP TABLE inspections; --~1"),
            hex("~1"),
        ] {
            assert!(InspectionCursor::decode(&text).is_err(), "{text:?}");
        }
    }
}
