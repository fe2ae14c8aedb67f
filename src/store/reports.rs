//! What the reports (issue 13) keep: each attempt of the daily webhook, so a failed delivery
//! can be traced and a restarted server knows whether the day's lists went out already.

use super::{Result, Store};
use chrono::NaiveDate;
use rusqlite::params;
use serde::Serialize;

/// One try at POSTing the units' lists.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WebhookAttempt {
    pub day: NaiveDate,
    pub url: String,
    pub attempt: u32,
    /// The receiver's HTTP status; None when it could not be reached.
    pub status: Option<u16>,
    pub error: Option<String>,
    pub ok: bool,
    /// `schedule` or `cli`.
    pub how: String,
    pub units: usize,
}

impl Store {
    pub fn record_webhook_attempt(&self, a: &WebhookAttempt) -> Result<()> {
        self.conn.execute(
            "INSERT INTO webhook_attempts (day, url, attempt, status, error, ok, how, units)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                a.day.to_string(),
                a.url,
                a.attempt,
                a.status,
                a.error,
                a.ok,
                a.how,
                a.units as i64
            ],
        )?;
        Ok(())
    }

    /// Whether the lists of `day` were delivered (some attempt succeeded).
    pub fn webhook_delivered(&self, day: NaiveDate) -> Result<bool> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM webhook_attempts WHERE day = ?1 AND ok = 1)",
            [day.to_string()],
            |r| r.get(0),
        )?)
    }

    /// The latest attempts, newest first.
    pub fn webhook_attempts(&self, limit: usize) -> Result<Vec<WebhookAttempt>> {
        let mut stmt = self.conn.prepare(
            "SELECT day, url, attempt, status, error, ok, how, units FROM webhook_attempts
             ORDER BY id DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit as i64], |r| {
            let day: String = r.get(0)?;
            Ok(WebhookAttempt {
                day: NaiveDate::parse_from_str(&day, "%Y-%m-%d").unwrap_or_default(),
                url: r.get(1)?,
                attempt: r.get(2)?,
                status: r.get(3)?,
                error: r.get(4)?,
                ok: r.get(5)?,
                how: r.get(6)?,
                units: r.get::<_, i64>(7)? as usize,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_is_delivered_once_an_attempt_succeeds() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let mut a = WebhookAttempt {
            day,
            url: "http://127.0.0.1:9/hook".into(),
            attempt: 1,
            status: None,
            error: Some("connection refused".into()),
            ok: false,
            how: "cli".into(),
            units: 3,
        };
        store.record_webhook_attempt(&a).unwrap();
        assert!(!store.webhook_delivered(day).unwrap());
        a.attempt = 2;
        a.status = Some(200);
        a.error = None;
        a.ok = true;
        store.record_webhook_attempt(&a).unwrap();
        assert!(store.webhook_delivered(day).unwrap());
        assert_eq!(store.webhook_attempts(10).unwrap()[0], a);
    }
}
