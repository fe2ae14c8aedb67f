//! The reports of issue 13 as whole steps: the assessment (考核) of a period, each responsible
//! unit's list, and the daily webhook that sends the lists. The CLI (`patrolmap report`) and
//! the server (`/api/assessment`, `/api/units`, the schedule) call these, so a figure on paper,
//! in a spreadsheet and on the screen is the same figure.

use super::daily::coverage_data;
use crate::index::AreaLocator;
use crate::model::AreaLevel;
use crate::planning::PlanningConfig;
use crate::planning::assessment::{Assessment, AssessmentInputs, Period, assessment};
use crate::planning::units::{UnitsReport, VenueLabel, unit_lists};
use crate::store::{Store, WebhookAttempt};
use chrono::NaiveDate;
use std::collections::HashMap;
use std::time::Duration;

/// The assessment of `period` per area of `level` and per responsible unit, up to `today`
/// while the period is under way; with `scope`, of the venues in those townships or
/// communities only.
pub fn assessment_report(
    store: &Store,
    config: &PlanningConfig,
    period: &Period,
    level: AreaLevel,
    scope: Option<&[i64]>,
    today: NaiveDate,
) -> anyhow::Result<Assessment> {
    let d = coverage_data(store, level, scope)?;
    Ok(assessment(&AssessmentInputs {
        config,
        period,
        as_of: today,
        level: level.as_str(),
        areas: &d.areas,
        venues: &d.venues,
        area_of: &d.area_of,
        visits: &d.visits,
        follow_ups: &d.follow_ups,
    }))
}

/// Every unit's open follow-ups on `day`: late, due within `within` days, later. Each venue is
/// named with its township. With `scope`, only follow-ups of venues in those areas.
pub fn units_report(
    store: &Store,
    day: NaiveDate,
    within: i64,
    scope: Option<&[i64]>,
) -> anyhow::Result<UnitsReport> {
    let areas = store.areas()?;
    let locator = AreaLocator::new(&areas);
    let venues: HashMap<i64, VenueLabel> = store
        .venues()?
        .into_iter()
        .map(|v| {
            let area = locator
                .locate(v.position, AreaLevel::Township)
                .map(|a| a.name.clone());
            (v.id, VenueLabel { name: v.name, area })
        })
        .collect();
    Ok(unit_lists(
        &store.follow_ups_in(None, scope)?,
        &venues,
        day,
        within,
    ))
}

/// Tries of one delivery, and the wait before each retry (doubling).
pub const WEBHOOK_TRIES: u32 = 3;
const FIRST_BACKOFF: Duration = Duration::from_secs(1);
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(15);

/// POSTs `report` as JSON to `url`, up to [`WEBHOOK_TRIES`] times with a doubling backoff
/// until the receiver answers 2xx; each attempt is logged and answered for the caller to keep
/// (the store is not held while the network is waited on). Blocking: run it off the async
/// threads.
pub fn post_units(url: &str, report: &UnitsReport, how: &str) -> Vec<WebhookAttempt> {
    let body = match serde_json::to_vec(report) {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(error = %e, "the units' lists do not serialise");
            return Vec::new();
        }
    };
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(ATTEMPT_TIMEOUT))
        .build()
        .into();
    let mut attempts = Vec::new();
    let mut backoff = FIRST_BACKOFF;
    for attempt in 1..=WEBHOOK_TRIES {
        let (status, error) = match agent
            .post(url)
            .header("Content-Type", "application/json; charset=utf-8")
            .send(&body[..])
        {
            Ok(r) if r.status().is_success() => (Some(r.status().as_u16()), None),
            Ok(r) => (
                Some(r.status().as_u16()),
                Some(format!("the receiver answered {}", r.status())),
            ),
            Err(e) => (None, Some(e.to_string())),
        };
        let ok = error.is_none();
        if ok {
            tracing::info!(url, attempt, day = %report.day, units = report.units.len(), "units' lists delivered");
        } else {
            tracing::warn!(
                url,
                attempt,
                error = error.as_deref().unwrap_or_default(),
                "units' lists not delivered"
            );
        }
        attempts.push(WebhookAttempt {
            day: report.day,
            url: url.to_string(),
            attempt,
            status,
            error,
            ok,
            how: how.to_string(),
            units: report.units.len(),
        });
        if ok {
            break;
        }
        if attempt < WEBHOOK_TRIES {
            std::thread::sleep(backoff);
            backoff *= 2;
        }
    }
    attempts
}

/// `report units --webhook`: the lists of `day` sent now to the configured URL, every attempt
/// kept in the store. Fails when no URL is configured or no attempt got through.
pub fn send_units_now(
    store: &Store,
    config: &PlanningConfig,
    day: NaiveDate,
    within: i64,
) -> anyhow::Result<Vec<WebhookAttempt>> {
    let Some(url) = config.supervision.webhook() else {
        anyhow::bail!("no webhook: set [supervision] webhook_url in the configuration");
    };
    let report = units_report(store, day, within, None)?;
    let attempts = post_units(url, &report, "cli");
    for a in &attempts {
        store.record_webhook_attempt(a)?;
    }
    match attempts.last() {
        Some(a) if a.ok => Ok(attempts),
        last => anyhow::bail!(
            "the webhook {url} was not reached in {} tries: {}",
            attempts.len(),
            last.and_then(|a| a.error.as_deref())
                .unwrap_or("nothing sent")
        ),
    }
}
