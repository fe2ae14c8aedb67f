use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// What one import did to one table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TableSummary {
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Rows of the same dataset that the new file no longer has (OSM-derived tables only).
    pub removed: usize,
}

impl TableSummary {
    pub fn changed(&self) -> bool {
        self.inserted + self.updated + self.removed > 0
    }
}

/// The summary every import ends with.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportSummary {
    pub file: String,
    pub tables: BTreeMap<&'static str, TableSummary>,
    /// Rows refused, with the reason (only non-empty with `--skip-invalid`).
    pub rejected: Vec<String>,
    /// Things the user must know that are not errors (missing node references, ignored tags).
    pub notes: Vec<String>,
}

impl ImportSummary {
    pub fn unchanged(&self) -> bool {
        !self.tables.values().any(TableSummary::changed)
    }
}

impl fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.file)?;
        for (table, s) in &self.tables {
            write!(
                f,
                "  {table:<18} inserted {:>6}  updated {:>6}  unchanged {:>6}",
                s.inserted, s.updated, s.unchanged
            )?;
            if s.removed > 0 {
                write!(f, "  removed {:>6}", s.removed)?;
            }
            writeln!(f)?;
        }
        writeln!(f, "  rejected {}", self.rejected.len())?;
        for r in self.rejected.iter().take(20) {
            writeln!(f, "    {r}")?;
        }
        if self.rejected.len() > 20 {
            writeln!(
                f,
                "    … and {} more (see the rejects file)",
                self.rejected.len() - 20
            )?;
        }
        for n in &self.notes {
            writeln!(f, "  note: {n}")?;
        }
        if self.unchanged() {
            writeln!(f, "  nothing changed: the store already held this data")?;
        }
        Ok(())
    }
}
