//! The areas an account answers for (issue 13): a township leader sees and acts on what lies in
//! their township, a community worker on their community. Stored per account; the server
//! filters every read and write by them.

use super::inspections::audit;
use super::{Result, Store, StoreError};
use rusqlite::{OptionalExtension, params};

impl Store {
    /// A new account limited to `areas` (none: the district). The areas are checked before the
    /// account is made, so an unknown one refuses the account and leaves none behind.
    pub fn add_account_in(
        &mut self,
        username: &str,
        password: &str,
        role: crate::model::Role,
        team_id: Option<i64>,
        areas: &[String],
        by: Option<i64>,
    ) -> Result<crate::model::Account> {
        // Checked first, so a bad area leaves no account behind.
        for a in areas {
            self.area_for_scope(a)?;
        }
        let mut account = self.add_account(username, password, role, team_id, by)?;
        if !areas.is_empty() {
            account.areas = self.set_account_areas(account.id, areas, by)?;
        }
        Ok(account)
    }

    /// The township or community `name` (an id or a registry source id) names.
    fn area_for_scope(&self, name: &str) -> Result<i64> {
        let name = name.trim();
        let found: Option<(i64, String)> = self
            .conn
            .query_row(
                "SELECT id, level FROM areas WHERE source_id = ?1 OR CAST(id AS TEXT) = ?1
                 ORDER BY source_id = ?1 DESC LIMIT 1",
                [name],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        match found {
            None => Err(StoreError::Invalid {
                field: "areas",
                message: format!("no area {name:?} (a township or community id or source id)"),
            }),
            Some((_, level)) if level == "grid" => Err(StoreError::Invalid {
                field: "areas",
                message: format!(
                    "{name:?} is a grid cell: an account answers for townships or communities"
                ),
            }),
            Some((area, _)) => Ok(area),
        }
    }

    /// The area ids account `id` is limited to, in id order (empty: the district).
    pub fn account_areas(&self, id: i64) -> Result<Vec<i64>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT area_id FROM account_areas WHERE account_id = ?1 ORDER BY area_id",
        )?;
        Ok(stmt
            .query_map([id], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<i64>>>()?)
    }

    /// The township and community a venue lies in; None for an unknown venue.
    pub fn venue_areas(&self, venue_id: i64) -> Result<Option<Vec<i64>>> {
        Ok(self
            .conn
            .query_row(
                "SELECT township_id, community_id FROM venues WHERE id = ?1",
                [venue_id],
                |r| {
                    Ok([r.get::<_, Option<i64>>(0)?, r.get::<_, Option<i64>>(1)?]
                        .into_iter()
                        .flatten()
                        .collect())
                },
            )
            .optional()?)
    }

    /// Whether a photo (of a record or a follow-up's evidence) belongs to a venue in `scope`.
    pub fn photo_in_scope(&self, sha256: &str, scope: Option<&[i64]>) -> Result<bool> {
        let (in_scope, ids) = venue_in(scope);
        let mut args: Vec<&dyn rusqlite::ToSql> = vec![&sha256, &sha256];
        args.extend(ids.iter().map(|i| i as &dyn rusqlite::ToSql));
        Ok(self.conn.query_row(
            &format!(
                "SELECT EXISTS (SELECT 1 FROM venues v WHERE v.id IN (
                    SELECT i.venue_id FROM inspection_photos p JOIN inspections i ON i.id = p.inspection_id
                     WHERE p.sha256 = ?
                    UNION SELECT f.venue_id FROM follow_up_photos e JOIN follow_ups f ON f.id = e.follow_up_id
                     WHERE e.sha256 = ?) AND {in_scope})"
            ),
            args.as_slice(),
            |r| r.get(0),
        )?)
    }

    /// Limits account `id` to `areas` (townships or communities, by id or registry source
    /// id); an empty list gives it the whole district again. Audited.
    pub fn set_account_areas(
        &mut self,
        id: i64,
        areas: &[String],
        by: Option<i64>,
    ) -> Result<Vec<i64>> {
        let mut ids = Vec::new();
        for name in areas {
            ids.push(self.area_for_scope(name)?);
        }
        let tx = self.conn.transaction()?;
        let before: Vec<i64> = {
            let mut stmt = tx.prepare(
                "SELECT area_id FROM account_areas WHERE account_id = ?1 ORDER BY area_id",
            )?;
            stmt.query_map([id], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?
        };
        ids.sort_unstable();
        ids.dedup();
        tx.execute("DELETE FROM account_areas WHERE account_id = ?1", [id])?;
        for a in &ids {
            tx.execute(
                "INSERT INTO account_areas (account_id, area_id) VALUES (?1, ?2)",
                params![id, a],
            )?;
        }
        audit(
            &tx,
            by,
            "scope",
            "account",
            &id.to_string(),
            Some(&serde_json::json!({ "areas": before }).to_string()),
            Some(&serde_json::json!({ "areas": ids }).to_string()),
        )?;
        tx.commit()?;
        Ok(ids)
    }
}

/// An SQL condition that a venue (the table alias `v`) lies in `scope`; with its arguments.
/// None scope: always true.
pub fn venue_in(scope: Option<&[i64]>) -> (String, Vec<i64>) {
    match scope {
        None => ("1".to_string(), Vec::new()),
        Some(ids) => {
            let list = vec!["?"; ids.len()].join(", ");
            (
                format!("(v.township_id IN ({list}) OR v.community_id IN ({list}))"),
                ids.iter().chain(ids.iter()).copied().collect(),
            )
        }
    }
}
