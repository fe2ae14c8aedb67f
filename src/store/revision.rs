//! The content revision and what changed since a given one (migration 0009): the triggers keep
//! them, so every writer (server, CLI, an import) moves them without remembering to.

use super::{Result, Store};

/// What a change touched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Subject {
    /// One venue's feature: the venue, its inspections, follow-ups or risk.
    Venue(i64),
    /// One lamp's feature: the lamp or its repair gain.
    Lamp(i64),
    /// The lighting results as a whole (a lighting run, blind spots, gaps, proposals, repairs).
    Lighting,
    Corners,
    /// Plans and their routes and stops.
    Plans,
    Areas,
    Teams,
    Settings,
    /// A subject this build does not know (a newer migration's): treated as everything.
    Other,
}

impl Subject {
    fn parse(subject: &str, id: i64) -> Subject {
        match subject {
            "venue" => Subject::Venue(id),
            "lamp" => Subject::Lamp(id),
            "lighting" => Subject::Lighting,
            "corners" => Subject::Corners,
            "plans" => Subject::Plans,
            "areas" => Subject::Areas,
            "teams" => Subject::Teams,
            "settings" => Subject::Settings,
            _ => Subject::Other,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    pub subject: Subject,
    /// The revision of the subject's latest change.
    pub revision: i64,
}

impl Store {
    /// The content revision: moves on every change to what the map or the plans show.
    pub fn content_revision(&self) -> Result<i64> {
        Ok(self.conn.query_row(
            "SELECT revision FROM content_revision WHERE id = 1",
            [],
            |r| r.get(0),
        )?)
    }

    /// The subjects changed after revision `since`, oldest first, at most `limit` of them
    /// (the caller asks for one more than it will patch, to learn that there are too many).
    pub fn changes_since(&self, since: i64, limit: usize) -> Result<Vec<Change>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT subject, subject_id, revision FROM content_changes
             WHERE revision > ?1 ORDER BY revision LIMIT ?2",
        )?;
        let rows = stmt.query_map(rusqlite::params![since, limit as i64], |r| {
            let subject: String = r.get(0)?;
            Ok(Change {
                subject: Subject::parse(&subject, r.get(1)?),
                revision: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_content_write_moves_the_revision_and_names_its_subject_and_a_session_does_not() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let start = store.content_revision().unwrap();
        store
            .conn
            .execute(
                "INSERT INTO lamps (source_id, dataset, lon, lat, height_m, flux_lm, status)
                 VALUES ('l1', 'test', 24.9, 60.1, 8, 10000, 'working')",
                [],
            )
            .unwrap();
        let after_lamp = store.content_revision().unwrap();
        assert!(after_lamp > start);
        let changes = store.changes_since(start, 10).unwrap();
        assert_eq!(changes.len(), 1);
        assert!(matches!(changes[0].subject, Subject::Lamp(_)));
        assert_eq!(changes[0].revision, after_lamp);
        // The same lamp changed twice is one subject, at its newest revision.
        store
            .conn
            .execute("UPDATE lamps SET status = 'broken'", [])
            .unwrap();
        let changes = store.changes_since(start, 10).unwrap();
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].revision, store.content_revision().unwrap());
        assert!(
            store
                .changes_since(changes[0].revision, 10)
                .unwrap()
                .is_empty()
        );

        let before = store.content_revision().unwrap();
        store
            .conn
            .execute(
                "INSERT INTO audit_events (action, entity, entity_id) VALUES ('login', 'account', '1')",
                [],
            )
            .unwrap();
        assert_eq!(store.content_revision().unwrap(), before);
    }
}
