//! The daily draft: `serve` makes the next day's inspection plan itself at `[dispatch]
//! draft_at` (local time), and at start-up the plan of the day under way when it has none. The
//! lighting model runs first when lamps changed since its last run, so the risk's darkness
//! term is current. With `[dispatch] auto_publish` the draft is published as it is made.
//!
//! Off while the clock is pinned (`--date` or `--now`): such a server shows a day, it does
//! not live through one.

use super::Shared;
use crate::planning::teams::Duty;
use crate::store::{MadeHow, PlanMade};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};

pub fn spawn(state: Shared) {
    if state.options.date.is_some() || state.options.now.is_some() {
        return;
    }
    spawn_escalation(state.clone());
    spawn_webhook(state.clone());
    let at = match state.config.dispatch.draft_time() {
        Ok(Some(at)) => at,
        Ok(None) => return,
        Err(e) => {
            tracing::error!("{e}: the daily draft is off");
            return;
        }
    };
    tokio::spawn(async move {
        if let Ok(day) = state.plan_date().await {
            draft_unless_planned(&state, day).await;
        }
        if state.now().time() >= at {
            draft_unless_planned(&state, state.now().date() + TimeDelta::days(1)).await;
        }
        loop {
            let now = state.now();
            let wait = (next_at(now, at) - now).to_std().unwrap_or_default();
            tokio::time::sleep(wait).await;
            draft_unless_planned(&state, state.now().date() + TimeDelta::days(1)).await;
        }
    });
}

/// Overdue follow-ups are escalated at start-up and just after each midnight, when the day a
/// deadline was due on has passed.
fn spawn_escalation(state: Shared) {
    tokio::spawn(async move {
        let at = NaiveTime::from_hms_opt(0, 1, 0).unwrap_or(NaiveTime::MIN);
        loop {
            let today = state.now().date();
            let config = state.config.clone();
            let result = state
                .write(move |s| {
                    Ok(crate::workflow::supervision::escalate_overdue(
                        s, &config, today,
                    )?)
                })
                .await;
            if let Err(e) = result {
                tracing::error!(error = %e.message, "escalating overdue follow-ups failed");
            }
            let now = state.now();
            tokio::time::sleep((next_at(now, at) - now).to_std().unwrap_or_default()).await;
        }
    });
}

/// Each unit's list is POSTed to `[supervision] webhook_url` once a day at `webhook_at`, and
/// at start-up when that hour has passed and the day's lists did not go out yet (the store
/// keeps every attempt, so a restart never sends a day twice).
fn spawn_webhook(state: Shared) {
    let Some(url) = state.config.supervision.webhook().map(str::to_string) else {
        return;
    };
    let at = match state.config.supervision.webhook_time() {
        Ok(at) => at,
        Err(e) => {
            tracing::error!("{e}: the daily webhook is off");
            return;
        }
    };
    tokio::spawn(async move {
        if state.now().time() >= at {
            deliver_units(&state, &url).await;
        }
        loop {
            let now = state.now();
            tokio::time::sleep((next_at(now, at) - now).to_std().unwrap_or_default()).await;
            deliver_units(&state, &url).await;
        }
    });
}

/// Today's lists to `url` unless delivered already; the retries wait on a blocking thread,
/// and the attempts are written after, so no store lock is held across the network.
async fn deliver_units(state: &Shared, url: &str) {
    let today = state.now().date();
    let within = crate::planning::units::DEFAULT_WITHIN_DAYS;
    let report = state
        .read(move |s| {
            if s.webhook_delivered(today)? {
                return Ok(None);
            }
            Ok(Some(crate::workflow::reports::units_report(
                s, today, within, None,
            )?))
        })
        .await;
    let report = match report {
        Ok(Some(r)) => r,
        Ok(None) => return,
        Err(e) => {
            tracing::error!(error = %e.message, "the units' lists could not be made");
            return;
        }
    };
    let url = url.to_string();
    let attempts = tokio::task::spawn_blocking(move || {
        crate::workflow::reports::post_units(&url, &report, "schedule")
    })
    .await
    .unwrap_or_default();
    let result = state
        .write(move |s| {
            for a in &attempts {
                s.record_webhook_attempt(a)?;
            }
            Ok(())
        })
        .await;
    if let Err(e) = result {
        tracing::error!(error = %e.message, "webhook attempts not recorded");
    }
}

/// The first moment at `at` strictly after `now`.
fn next_at(now: NaiveDateTime, at: NaiveTime) -> NaiveDateTime {
    let today = now.date().and_time(at);
    if today > now {
        today
    } else {
        today + TimeDelta::days(1)
    }
}

/// Drafts `date`'s plan unless it has one already (a dispatcher may have drafted it early).
async fn draft_unless_planned(state: &Shared, date: NaiveDate) {
    let planned = state
        .read(move |s| Ok(s.plan_head(date, Duty::Inspection, false)?.is_some()))
        .await;
    if !matches!(planned, Ok(false)) {
        return;
    }
    let made = PlanMade {
        how: MadeHow::Schedule,
        by: None,
        publish: state.config.dispatch.auto_publish,
    };
    let seconds = state.config.plan.seconds;
    let result = state
        .dispatching(date, "schedule", move |store, state| {
            if crate::workflow::refresh_lighting(store).map_err(super::ApiError::internal)? {
                tracing::info!("lamps changed since the last lighting run: lighting re-run");
            }
            super::dispatch::revise(store, state, date, made, seconds, None, None)
        })
        .await;
    match result {
        Ok(plan) => tracing::info!(
            %date,
            stops = plan.summary.stops,
            published = made.publish,
            "the daily draft is made"
        ),
        Err(e) => tracing::error!(%date, error = %e.message, "the daily draft failed"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_draft_is_today_before_the_hour_and_tomorrow_after() {
        let at = NaiveTime::from_hms_opt(15, 0, 0).unwrap();
        let t = |s| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap();
        assert_eq!(next_at(t("2026-12-01T14:59"), at), t("2026-12-01T15:00"));
        assert_eq!(next_at(t("2026-12-01T15:00"), at), t("2026-12-02T15:00"));
    }
}
