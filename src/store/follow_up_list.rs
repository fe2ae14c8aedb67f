//! Follow-ups as a manager's table pages through them (issue 14): filtered, sorted by a column
//! the caller picks from a fixed list, and cut by SQL `LIMIT`/`OFFSET`, with the count of the
//! whole filtered list. A district has tens of thousands of follow-ups over the years; a screen
//! shows fifty.

use super::follow_ups::{COLUMNS, from_row};
use super::{Result, Store};
use crate::model::{FollowUp, FollowUpStatus, Order, Outcome, Page, PageRequest};
use chrono::NaiveDate;
use rusqlite::ToSql;
use serde::{Deserialize, Serialize};

/// The columns a follow-up list sorts by; ties always fall back to the id, so pages never
/// overlap or skip a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FollowUpSort {
    #[default]
    Deadline,
    RaisedOn,
    Venue,
    Unit,
    Outcome,
    Level,
    Status,
}

impl FollowUpSort {
    fn column(self) -> &'static str {
        match self {
            FollowUpSort::Deadline => "f.deadline",
            FollowUpSort::RaisedOn => "f.raised_on",
            FollowUpSort::Venue => "v.name",
            FollowUpSort::Unit => "coalesce(f.escalated_to, f.responsible_unit)",
            FollowUpSort::Outcome => "f.outcome",
            FollowUpSort::Level => "f.level",
            FollowUpSort::Status => "f.status",
        }
    }
}

/// Which follow-ups a list holds; every filter is optional and they combine.
#[derive(Debug, Clone, Default)]
pub struct FollowUpFilter {
    pub status: Option<FollowUpStatus>,
    /// The unit that answers for it now: the one escalated to, else the responsible one.
    pub unit: Option<String>,
    /// A township or community the venue lies in.
    pub area: Option<i64>,
    pub outcome: Option<Outcome>,
    /// Open with the deadline passed on `day` (true), or not (false).
    pub late: Option<bool>,
    /// The day "late" is judged on.
    pub day: Option<NaiveDate>,
    /// Only venues in these townships or communities (an account's areas); None: the district.
    pub scope: Option<Vec<i64>>,
}

/// One row of the list: the follow-up, its venue's name, and whether it is late on the day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ListedFollowUp {
    #[serde(flatten)]
    pub follow_up: FollowUp,
    pub venue: String,
    pub late: bool,
}

impl Store {
    /// A page of the follow-ups `filter` selects, sorted by `sort` in `order`, with the total.
    pub fn follow_up_page(
        &self,
        filter: &FollowUpFilter,
        sort: FollowUpSort,
        order: Order,
        page: PageRequest,
    ) -> Result<Page<ListedFollowUp>> {
        let (in_scope, ids) = super::scope::venue_in(filter.scope.as_deref());
        let mut clauses = vec![in_scope];
        let mut args: Vec<Box<dyn ToSql>> = ids
            .into_iter()
            .map(|i| Box::new(i) as Box<dyn ToSql>)
            .collect();
        if let Some(s) = filter.status {
            clauses.push("f.status = ?".into());
            args.push(Box::new(s.as_str()));
        }
        if let Some(u) = &filter.unit {
            clauses.push("coalesce(f.escalated_to, f.responsible_unit) = ?".into());
            args.push(Box::new(u.clone()));
        }
        if let Some(a) = filter.area {
            clauses.push("(v.township_id = ? OR v.community_id = ?)".into());
            args.push(Box::new(a));
            args.push(Box::new(a));
        }
        if let Some(o) = filter.outcome {
            clauses.push("f.outcome = ?".into());
            args.push(Box::new(o.as_str()));
        }
        let day = filter.day.map(|d| d.to_string());
        if let (Some(late), Some(day)) = (filter.late, &day) {
            // `FollowUp::late_on` in SQL: open (not closed by the day) with the deadline passed.
            let late_sql = "(f.status = 'open' AND f.raised_on <= ? AND f.deadline < ?)";
            clauses.push(if late {
                late_sql.into()
            } else {
                format!("NOT {late_sql}")
            });
            args.push(Box::new(day.clone()));
            args.push(Box::new(day.clone()));
        }
        let from = format!(
            "FROM follow_ups f JOIN venues v ON v.id = f.venue_id WHERE {}",
            clauses.join(" AND ")
        );
        let refs: Vec<&dyn ToSql> = args.iter().map(|a| a.as_ref()).collect();
        let total: i64 =
            self.conn
                .query_row(&format!("SELECT COUNT(*) {from}"), refs.as_slice(), |r| {
                    r.get(0)
                })?;
        let (limit, offset) = page.sql();
        let dir = order.as_sql();
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {COLUMNS}, v.name {from} ORDER BY {} {dir}, f.id {dir} LIMIT {limit} OFFSET {offset}",
            sort.column()
        ))?;
        let mut rows = stmt.query(refs.as_slice())?;
        let mut items = Vec::new();
        while let Some(r) = rows.next()? {
            let follow_up = from_row(r, 0)?;
            let late = filter.day.is_some_and(|d| follow_up.late_on(d));
            items.push(ListedFollowUp {
                venue: r.get(17)?,
                late,
                follow_up,
            });
        }
        Ok(Page {
            total: total as usize,
            offset: page.offset,
            limit: page.limit,
            items,
        })
    }
}
