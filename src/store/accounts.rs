//! Accounts, sessions and the audit trail. Passwords are kept as argon2id hashes and session
//! tokens only as their SHA-256, so a copy of the database gives away neither.

use super::inspections::audit;
use super::{Result, Store, StoreError};
use crate::model::{Account, Role, normalise_username};
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

/// A login: the token goes to the client once; the store keeps only its hash.
#[derive(Debug, Clone, Serialize)]
pub struct Session {
    pub token: String,
    pub expires_at: String,
    pub account: Account,
}

/// One line of the append-only audit trail.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEvent {
    pub id: i64,
    pub at: String,
    pub account_id: Option<i64>,
    pub username: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// Shorter passwords are refused when an account is made.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// An account a sign-in claims to be, before its password is checked.
pub struct LoginClaimant {
    account: Account,
    password_hash: String,
}

static PASSWORD_CHECKS: AtomicU64 = AtomicU64::new(0);

/// How many passwords were checked since the program started: known and unknown names alike.
pub fn password_checks() -> u64 {
    PASSWORD_CHECKS.load(Ordering::Relaxed)
}

/// Checks a password against the claimed account's hash. An unknown name is checked against
/// a hash of a random password made with the same parameters, so it costs the same time as a
/// wrong password and the answer's timing does not tell which names exist. A stored hash that
/// does not parse counts as a wrong password (and is logged), never as a way in.
pub fn check_password(claimant: Option<&LoginClaimant>, password: &str) -> Option<Account> {
    static UNKNOWN_NAME: OnceLock<String> = OnceLock::new();
    let dummy = UNKNOWN_NAME.get_or_init(|| {
        let random = uuid::Uuid::new_v4().simple().to_string();
        Argon2::default()
            .hash_password(random.as_bytes())
            .map(|h| h.to_string())
            .unwrap_or_default()
    });
    let stored = claimant.map_or(dummy.as_str(), |c| c.password_hash.as_str());
    let parsed = PasswordHash::new(stored)
        .inspect_err(|e| tracing::error!(error = %e, "a stored password hash does not parse"));
    PASSWORD_CHECKS.fetch_add(1, Ordering::Relaxed);
    let right = parsed.is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    });
    claimant.filter(|_| right).map(|c| c.account.clone())
}

impl Store {
    /// Makes an account; `by` is the admin who made it (None from the command line).
    pub fn add_account(
        &mut self,
        username: &str,
        password: &str,
        role: Role,
        team_id: Option<i64>,
        by: Option<i64>,
    ) -> Result<Account> {
        let username = normalise_username(username).map_err(|m| invalid("username", &m))?;
        let username = username.as_str();
        if password.chars().count() < MIN_PASSWORD_CHARS {
            return Err(invalid(
                "password",
                &format!("must have at least {MIN_PASSWORD_CHARS} characters"),
            ));
        }
        if role == Role::Inspector && team_id.is_none() {
            return Err(invalid("team", "an inspector belongs to a team"));
        }
        let hash = Argon2::default()
            .hash_password(password.as_bytes())
            .map_err(|e| invalid("password", &format!("cannot be hashed: {e}")))?
            .to_string();
        let tx = self.conn.transaction()?;
        if let Some(team) = team_id {
            let known: Option<i64> = tx
                .query_row("SELECT id FROM teams WHERE id = ?1", [team], |r| r.get(0))
                .optional()?;
            if known.is_none() {
                return Err(StoreError::NotFound {
                    what: "team",
                    id: team.to_string(),
                });
            }
        }
        let taken: Option<i64> = tx
            .query_row(
                "SELECT id FROM accounts WHERE username = ?1",
                [username],
                |r| r.get(0),
            )
            .optional()?;
        if taken.is_some() {
            return Err(invalid(
                "username",
                &format!("`{username}` is already taken"),
            ));
        }
        tx.execute(
            "INSERT INTO accounts (username, password_hash, role, team_id) VALUES (?1, ?2, ?3, ?4)",
            params![username, hash, role.as_str(), team_id],
        )?;
        let account = Account {
            id: tx.last_insert_rowid(),
            username: username.to_string(),
            role,
            team_id,
            areas: Vec::new(),
        };
        let after = serde_json::to_string(&account).unwrap_or_default();
        audit(
            &tx,
            by,
            "create",
            "account",
            &account.id.to_string(),
            None,
            Some(&after),
        )?;
        tx.commit()?;
        Ok(account)
    }

    pub fn account_count(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM accounts", [], |r| r.get(0))?)
    }

    /// Checks a password and opens a session; None when the name or password is wrong (the
    /// caller must not say which). The server does the three steps itself so that the slow
    /// password check holds no connection; this is the same sequence for the command line.
    pub fn login(
        &mut self,
        username: &str,
        password: &str,
        lifetime: Duration,
        now: DateTime<Utc>,
    ) -> Result<Option<Session>> {
        let claimant = self.login_claimant(username)?;
        match check_password(claimant.as_ref(), password) {
            Some(account) => Ok(Some(self.open_session(account, lifetime, now)?)),
            None => Ok(None),
        }
    }

    /// The enabled account a sign-in names, with its password hash; None for an unknown,
    /// disabled or malformed name.
    pub fn login_claimant(&self, username: &str) -> Result<Option<LoginClaimant>> {
        let Ok(username) = normalise_username(username) else {
            return Ok(None);
        };
        let row: Option<(i64, String, String, Option<i64>)> = self
            .conn
            .query_row(
                "SELECT id, password_hash, role, team_id FROM accounts WHERE username = ?1 AND disabled = 0",
                [&username],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let Some((id, password_hash, role, team_id)) = row else {
            return Ok(None);
        };
        let role = Role::parse(&role).map_err(|message| StoreError::Corrupt {
            table: "accounts",
            id,
            field: "role",
            message,
        })?;
        Ok(Some(LoginClaimant {
            account: Account {
                id,
                username,
                role,
                team_id,
                areas: Vec::new(),
            },
            password_hash,
        }))
    }

    /// A new session for an account whose password was checked.
    pub fn open_session(
        &mut self,
        account: Account,
        lifetime: Duration,
        now: DateTime<Utc>,
    ) -> Result<Session> {
        // Two v4 UUIDs: 244 random bits from the operating system.
        let token = format!(
            "{}{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        );
        let expires_at = timestamp(now + lifetime);
        let tx = self.conn.transaction()?;
        tx.execute(
            "DELETE FROM sessions WHERE expires_at <= ?1",
            [timestamp(now)],
        )?;
        tx.execute(
            "INSERT INTO sessions (token_hash, account_id, expires_at) VALUES (?1, ?2, ?3)",
            params![token_hash(&token), account.id, expires_at],
        )?;
        audit(
            &tx,
            Some(account.id),
            "login",
            "account",
            &account.id.to_string(),
            None,
            None,
        )?;
        tx.commit()?;
        Ok(Session {
            token,
            expires_at,
            account,
        })
    }

    /// The account behind a token, if the token is known and has not expired.
    pub fn session_account(&self, token: &str, now: DateTime<Utc>) -> Result<Option<Account>> {
        let row: Option<(i64, String, String, Option<i64>)> = self
            .conn
            .query_row(
                "SELECT a.id, a.username, a.role, a.team_id FROM sessions s JOIN accounts a ON a.id = s.account_id
                 WHERE s.token_hash = ?1 AND s.expires_at > ?2 AND a.disabled = 0",
                params![token_hash(token), timestamp(now)],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        row.map(|(id, username, role, team_id)| {
            Ok(Account {
                id,
                username,
                role: Role::parse(&role).map_err(|message| StoreError::Corrupt {
                    table: "accounts",
                    id,
                    field: "role",
                    message,
                })?,
                team_id,
                areas: self.account_areas(id)?,
            })
        })
        .transpose()
    }

    pub fn logout(&mut self, token: &str) -> Result<()> {
        self.conn.execute(
            "DELETE FROM sessions WHERE token_hash = ?1",
            [token_hash(token)],
        )?;
        Ok(())
    }

    /// The newest audit events first; `before` pages back from an event id.
    pub fn audit_events(&self, limit: usize, before: Option<i64>) -> Result<Vec<AuditEvent>> {
        let mut stmt = self.conn.prepare(
            "SELECT e.id, e.at, e.account_id, a.username, e.action, e.entity, e.entity_id, e.before, e.after
             FROM audit_events e LEFT JOIN accounts a ON a.id = e.account_id
             WHERE ?1 IS NULL OR e.id < ?1 ORDER BY e.id DESC LIMIT ?2",
        )?;
        let json = |t: Option<String>| {
            t.map(|t| serde_json::from_str(&t).unwrap_or(serde_json::Value::String(t)))
        };
        let rows = stmt.query_map(params![before, limit as i64], |r| {
            Ok(AuditEvent {
                id: r.get(0)?,
                at: r.get(1)?,
                account_id: r.get(2)?,
                username: r.get(3)?,
                action: r.get(4)?,
                entity: r.get(5)?,
                entity_id: r.get(6)?,
                before: json(r.get(7)?),
                after: json(r.get(8)?),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// A planner or a survey marks a lamp working or broken; the next lighting run uses it.
    pub fn set_lamp_status(
        &mut self,
        lamp_id: i64,
        status: crate::model::LampStatus,
        by: Option<i64>,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        let before: Option<String> = tx
            .query_row("SELECT status FROM lamps WHERE id = ?1", [lamp_id], |r| {
                r.get(0)
            })
            .optional()?;
        let Some(before) = before else {
            return Err(StoreError::NotFound {
                what: "lamp",
                id: lamp_id.to_string(),
            });
        };
        tx.execute(
            "UPDATE lamps SET status = ?1 WHERE id = ?2",
            params![status.as_str(), lamp_id],
        )?;
        audit(
            &tx,
            by,
            "set_status",
            "lamp",
            &lamp_id.to_string(),
            Some(&serde_json::json!(before).to_string()),
            Some(&serde_json::json!(status.as_str()).to_string()),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Venues on a team's published inspection plan for a day: what its inspectors may record.
    pub fn planned_venues(&self, team_id: i64, date: chrono::NaiveDate) -> Result<Vec<i64>> {
        let mut stmt = self.conn.prepare(
            "SELECT DISTINCT s.target_id FROM patrol_stops s
             WHERE s.target = 'venue' AND s.team_id = ?1 AND s.plan_id = (
               SELECT id FROM patrol_plans WHERE plan_date = ?2 AND duty = 'inspection'
               AND status = 'published' ORDER BY id DESC LIMIT 1)",
        )?;
        let rows = stmt.query_map(params![team_id, date.to_string()], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}

fn invalid(field: &'static str, message: &str) -> StoreError {
    StoreError::Invalid {
        field,
        message: message.to_string(),
    }
}

fn token_hash(token: &str) -> String {
    format!("{:x}", Sha256::digest(token.as_bytes()))
}

fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_login_opens_a_session_that_expires_and_the_token_is_not_stored() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path()).unwrap();
        let admin = store
            .add_account("chen", "correct horse", Role::Admin, None, None)
            .unwrap();
        assert!(matches!(
            store.add_account("chen", "correct horse", Role::Admin, None, None),
            Err(StoreError::Invalid {
                field: "username",
                ..
            })
        ));
        assert!(matches!(
            store.add_account("li", "short", Role::Planner, None, None),
            Err(StoreError::Invalid {
                field: "password",
                ..
            })
        ));
        let now = Utc::now();
        assert!(
            store
                .login("chen", "wrong password", Duration::hours(1), now)
                .unwrap()
                .is_none()
        );
        let session = store
            .login("chen", "correct horse", Duration::hours(1), now)
            .unwrap()
            .unwrap();
        assert_eq!(session.account, admin);
        let found = store.session_account(&session.token, now).unwrap();
        assert_eq!(found.as_ref().map(|a| a.id), Some(admin.id));
        let later = now + Duration::hours(2);
        assert!(
            store
                .session_account(&session.token, later)
                .unwrap()
                .is_none()
        );
        let stored: String = store
            .conn
            .query_row("SELECT token_hash FROM sessions", [], |r| r.get(0))
            .unwrap();
        assert_ne!(stored, session.token);
        let stored_hash: String = store
            .conn
            .query_row("SELECT password_hash FROM accounts", [], |r| r.get(0))
            .unwrap();
        assert!(stored_hash.starts_with("$argon2id$"));
        let events = store.audit_events(10, None).unwrap();
        assert_eq!(events[0].action, "login");
        assert_eq!(events[1].action, "create");
        assert_eq!(events[1].after.as_ref().unwrap()["username"], "chen");
    }
}
