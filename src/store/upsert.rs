//! The one idempotent write that every import uses: insert a row by its source id, update it when
//! its content differs, and count which of the three happened.

use super::TableSummary;
use rusqlite::types::Value;
use rusqlite::{Statement, Transaction};
use std::collections::HashSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Inserted,
    Updated,
    Unchanged,
}

pub struct Upsert<'t> {
    select: Statement<'t>,
    insert: Statement<'t>,
    update: Statement<'t>,
    pub summary: TableSummary,
    pub seen: HashSet<String>,
}

impl<'t> Upsert<'t> {
    /// `columns` are every column but `source_id` (and the row id, unless the caller sets it).
    pub fn new(tx: &'t Transaction<'t>, table: &str, columns: &[&str]) -> rusqlite::Result<Self> {
        let list = columns.join(", ");
        let params: Vec<String> = (2..=columns.len() + 1).map(|i| format!("?{i}")).collect();
        let sets: Vec<String> = columns
            .iter()
            .zip(&params)
            .map(|(c, p)| format!("{c} = {p}"))
            .collect();
        Ok(Self {
            select: tx.prepare(&format!("SELECT {list} FROM {table} WHERE source_id = ?1"))?,
            insert: tx.prepare(&format!(
                "INSERT INTO {table} (source_id, {list}) VALUES (?1, {})",
                params.join(", ")
            ))?,
            update: tx.prepare(&format!(
                "UPDATE {table} SET {} WHERE source_id = ?1",
                sets.join(", ")
            ))?,
            summary: TableSummary::default(),
            seen: HashSet::new(),
        })
    }

    pub fn apply(&mut self, source_id: &str, values: &[Value]) -> rusqlite::Result<Change> {
        let n = values.len();
        let mut rows = self.select.query([source_id])?;
        let existing: Option<Vec<Value>> = match rows.next()? {
            Some(row) => Some(
                (0..n)
                    .map(|i| row.get::<_, Value>(i))
                    .collect::<rusqlite::Result<_>>()?,
            ),
            None => None,
        };
        drop(rows);
        let mut params: Vec<&dyn rusqlite::ToSql> = Vec::with_capacity(n + 1);
        params.push(&source_id);
        params.extend(values.iter().map(|v| v as &dyn rusqlite::ToSql));
        let change = match existing {
            None => {
                self.insert.execute(params.as_slice())?;
                Change::Inserted
            }
            Some(old) if old == values => Change::Unchanged,
            Some(_) => {
                self.update.execute(params.as_slice())?;
                Change::Updated
            }
        };
        match change {
            Change::Inserted => self.summary.inserted += 1,
            Change::Updated => self.summary.updated += 1,
            Change::Unchanged => self.summary.unchanged += 1,
        }
        self.seen.insert(source_id.to_string());
        Ok(change)
    }
}

/// Deletes the rows of `table` whose `column` equals `value` and that this import did not see: a
/// street that left the map leaves the network, a grid cell of an old grid leaves the areas.
pub fn remove_unseen(
    tx: &Transaction,
    table: &str,
    (column, value): (&str, &str),
    seen: &HashSet<String>,
) -> rusqlite::Result<usize> {
    let stale: Vec<String> = {
        let mut stmt = tx.prepare(&format!(
            "SELECT source_id FROM {table} WHERE {column} = ?1"
        ))?;
        stmt.query_map([value], |r| r.get::<_, String>(0))?
            .filter(|s| s.as_ref().map(|s| !seen.contains(s)).unwrap_or(true))
            .collect::<rusqlite::Result<_>>()?
    };
    let mut delete = tx.prepare(&format!("DELETE FROM {table} WHERE source_id = ?1"))?;
    for id in &stale {
        delete.execute([id])?;
    }
    Ok(stale.len())
}

pub fn text(s: &str) -> Value {
    Value::Text(s.to_string())
}

pub fn opt_text(s: Option<&str>) -> Value {
    s.map(text).unwrap_or(Value::Null)
}

pub fn real(v: f64) -> Value {
    Value::Real(v)
}

pub fn opt_real(v: Option<f64>) -> Value {
    v.map(Value::Real).unwrap_or(Value::Null)
}

pub fn int(v: i64) -> Value {
    Value::Integer(v)
}
