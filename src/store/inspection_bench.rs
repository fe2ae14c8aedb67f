//! The inspections benchmark's store at city size: many generated records over the registered
//! venues and teams, shaped like a year of real work (a follow-up for every violation, most
//! older records reviewed), so that each filter of the list matches what it would in use.

use super::{Result, Store};
use chrono::NaiveDate;

impl Store {
    /// Adds `count` generated inspections (marked sample, UUIDs `00000000-…` by number) spread
    /// over the registered venues, teams and the 365 days before `last_day`. One transaction.
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
        // Numbered after what is there, so that a second run adds new UUIDs.
        let first: i64 = self.conn.query_row(
            "SELECT count(*) FROM inspections WHERE body_hash = 'bench'",
            [],
            |r| r.get(0),
        )?;
        let tx = self.conn.transaction()?;
        {
            let mut insert = tx.prepare(
                "INSERT INTO inspections (client_uuid, body_hash, venue_id, team_id, started_at, outcome, sample,
                                          review, reviewed_at)
                 VALUES (?1, 'bench', ?2, ?3, ?4, ?5, 1, ?6, ?7)",
            )?;
            let mut follow_up = tx.prepare(
                "INSERT INTO follow_ups (venue_id, inspection_id, outcome, raised_on, action, responsible_unit, deadline, status)
                 VALUES (?1, ?2, 'violation', ?3, 'rectify', 'bench', ?4, ?5)",
            )?;
            for n in 0..count {
                let age = rng.random_range(0..365);
                let day = last_day - chrono::Days::new(age);
                let minute = rng.random_range(0..24 * 60);
                let started = format!("{day}T{:02}:{:02}", minute / 60, minute % 60);
                let venue = venues[rng.random_range(0..venues.len())];
                let outcome = outcomes[rng.random_range(0..outcomes.len())];
                // Managers review within a fortnight: most older records have a verdict.
                let review = match (age > 14, rng.random_range(0..100)) {
                    (false, _) | (true, 95..) => "pending",
                    (true, 0..85) => "approved",
                    (true, 85..93) => "has_issues",
                    (true, _) => "rejected",
                };
                let reviewed_at = (review != "pending").then(|| format!("{day}T23:00"));
                insert.execute(rusqlite::params![
                    format!("00000000-0000-4000-8000-{:012}", first + n as i64),
                    venue,
                    teams[rng.random_range(0..teams.len())],
                    started,
                    outcome,
                    review,
                    reviewed_at,
                ])?;
                if outcome == "violation" {
                    let deadline = day + chrono::Days::new(7);
                    let status = if age > 7 { "done" } else { "open" };
                    follow_up.execute(rusqlite::params![
                        venue,
                        tx.last_insert_rowid(),
                        day.to_string(),
                        deadline.to_string(),
                        status,
                    ])?;
                }
            }
        }
        tx.commit()?;
        Ok(count)
    }
}

impl Store {
    /// How many generated records the store holds (a full count: the benchmark asks once).
    pub fn bench_inspection_count(&self) -> Result<usize> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM inspections WHERE body_hash = 'bench'",
            [],
            |r| r.get::<_, i64>(0),
        )? as usize)
    }
}
