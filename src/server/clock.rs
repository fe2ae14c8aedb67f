//! The server's clock and the current-plan rule (`planning::shift_clock`) applied to the store:
//! which plan each team is on now, the plan day of views that follow no team, and the layers of
//! a plan day other than that one (a night team's yesterday, a day team's today, after
//! midnight).
//!
//! - `--now YYYY-MM-DDTHH:MM` fixes the clock (tests); else it is the real time at
//!   `utc_offset_minutes`.
//! - A team's current plan follows the rule at `now()`. With `--date D` and no `--now` the plan
//!   day is pinned: every team is on D's plan (state `fixed`), as before.
//! - The plan day (`plan_date()`, for managers, planners and the signed-out app) is `--date`, or
//!   the day of `now()`, or the day before while a team of the day before is still on shift.

use super::layer_set::Layers;
use super::{ApiError, AppState, ServeOptions};
use crate::model::{Account, Role};
use crate::planning::PlanningConfig;
use crate::planning::shift_clock::{self, CurrentPlan, ShiftState};
use crate::planning::teams::Team;
use crate::store::Store;
use chrono::{NaiveDate, NaiveDateTime, TimeDelta, Utc};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

/// A team and the days (of yesterday and today) on which the plan of its duty routes it.
#[derive(Debug, Clone)]
pub struct TeamDays {
    pub team: Team,
    pub days: Vec<NaiveDate>,
}

/// The roster as read at one store version on one day.
type RosterAt = (i64, NaiveDate, Arc<Vec<TeamDays>>);

/// The teams with their plan days, as of one store version and one day.
#[derive(Default)]
pub struct Roster(Mutex<Option<RosterAt>>);

/// One plan day's layers.
type DayLayers = (NaiveDate, Arc<Layers>);

/// Layers loaded for other plan days, newest use last; at most `OTHER_DAYS` are kept.
#[derive(Default)]
pub struct OtherDays(tokio::sync::Mutex<Vec<DayLayers>>);

const OTHER_DAYS: usize = 2;

/// A team's plan now, as the server answers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TeamPlan {
    pub date: NaiveDate,
    pub shift_start: NaiveDateTime,
    pub shift_end: NaiveDateTime,
    /// `on_shift`, `upcoming`, or `fixed` (the plan day pinned by `--date`).
    pub state: &'static str,
}

impl TeamPlan {
    pub fn json(&self) -> Value {
        json!({
            "date": self.date,
            "shift_start": self.shift_start.format("%Y-%m-%dT%H:%M").to_string(),
            "shift_end": self.shift_end.format("%Y-%m-%dT%H:%M").to_string(),
            "state": self.state,
        })
    }
}

fn local_now(options: &ServeOptions, config: &PlanningConfig) -> NaiveDateTime {
    options.now.unwrap_or_else(|| {
        (Utc::now() + TimeDelta::minutes(config.utc_offset_minutes as i64)).naive_utc()
    })
}

fn load_roster(store: &Store, now: NaiveDateTime) -> Result<Vec<TeamDays>, ApiError> {
    let days = shift_clock::candidate_days(now);
    let mut routed = Vec::new();
    for d in days {
        for duty in [
            crate::planning::teams::Duty::Inspection,
            crate::planning::teams::Duty::Lighting,
        ] {
            routed.push((d, duty, store.routed_teams(d, duty)?));
        }
    }
    Ok(store
        .teams()?
        .into_iter()
        .map(|team| {
            let days = routed
                .iter()
                .filter(|(_, duty, teams)| *duty == team.duty && teams.contains(&team.id))
                .map(|(d, _, _)| *d)
                .collect();
            TeamDays { team, days }
        })
        .collect())
}

fn day_of(now: NaiveDateTime, roster: &[TeamDays]) -> NaiveDate {
    let teams: Vec<_> = roster
        .iter()
        .map(|t| (t.team.shift, t.days.clone()))
        .collect();
    shift_clock::plan_day(now, &teams)
}

/// The plan day the layers are first loaded for (at start-up, before any request).
pub fn first_plan_date(
    store: &Store,
    config: &PlanningConfig,
    options: &ServeOptions,
) -> anyhow::Result<NaiveDate> {
    if let Some(d) = options.date {
        return Ok(d);
    }
    let now = local_now(options, config);
    let roster = load_roster(store, now).map_err(|e| anyhow::anyhow!("{}", e.message))?;
    Ok(day_of(now, &roster))
}

impl AppState {
    /// The present local moment in the district: `--now`, or the real time at the UTC offset.
    pub fn now(&self) -> NaiveDateTime {
        local_now(&self.options, &self.config)
    }

    /// Every team with the days it has plans, reread when the store or the day changes.
    pub async fn roster(self: &Arc<Self>) -> Result<Arc<Vec<TeamDays>>, ApiError> {
        let now = self.now();
        let version = self.content_revision().await?;
        {
            let cached = self
                .roster
                .0
                .lock()
                .map_err(|_| ApiError::internal("roster lock poisoned"))?;
            if let Some((v, day, roster)) = cached.as_ref()
                && *v == version
                && *day == now.date()
            {
                return Ok(roster.clone());
            }
        }
        let (version, roster) = self
            .read(move |s| Ok((s.content_revision()?, Arc::new(load_roster(s, now)?))))
            .await?;
        *self
            .roster
            .0
            .lock()
            .map_err(|_| ApiError::internal("roster lock poisoned"))? =
            Some((version, now.date(), roster.clone()));
        Ok(roster)
    }

    /// The plan day of views that follow no team: `--date`, else the rule's day for `now()`.
    pub async fn plan_date(self: &Arc<Self>) -> Result<NaiveDate, ApiError> {
        if let Some(d) = self.options.date {
            return Ok(d);
        }
        let roster = self.roster().await?;
        Ok(day_of(self.now(), &roster))
    }

    /// The plan team `team_id` works on now, or None when it has none (no plan for its shift).
    pub async fn team_plan(self: &Arc<Self>, team_id: i64) -> Result<Option<TeamPlan>, ApiError> {
        let roster = self.roster().await?;
        let Some(t) = roster.iter().find(|t| t.team.id == team_id) else {
            return Ok(None);
        };
        if let (Some(date), None) = (self.options.date, self.options.now) {
            let (shift_start, shift_end) = shift_clock::shift_window(date, t.team.shift);
            return Ok(Some(TeamPlan {
                date,
                shift_start,
                shift_end,
                state: "fixed",
            }));
        }
        Ok(shift_clock::current_plan(self.now(), t.team.shift, &t.days).map(team_plan))
    }

    /// The plan day `account` works on: its team's current plan for an inspector (the day of
    /// `now()` when the team has none, so it sees no route), the plan day for everyone else.
    pub async fn day_for(self: &Arc<Self>, account: &Account) -> Result<NaiveDate, ApiError> {
        if account.role == Role::Inspector
            && let Some(team) = account.team_id
        {
            return Ok(match self.team_plan(team).await? {
                Some(p) => p.date,
                None => self.options.date.unwrap_or_else(|| self.now().date()),
            });
        }
        self.plan_date().await
    }

    /// The layers as `account` sees them: those of its own plan day (see `day_for`).
    pub async fn layers_for(self: &Arc<Self>, account: &Account) -> Result<Arc<Layers>, ApiError> {
        let main = self.layers().await?;
        if account.role != Role::Inspector {
            return Ok(main);
        }
        let date = self.day_for(account).await?;
        if main.date == date {
            return Ok(main);
        }
        self.layers_on(date).await
    }

    /// The layers of another plan day, kept for the few teams whose shift spans midnight and
    /// brought forward like the main ones (loaded again when a change needs a rebuild).
    async fn layers_on(self: &Arc<Self>, date: NaiveDate) -> Result<Arc<Layers>, ApiError> {
        let mut days = self.other_days.0.lock().await;
        let revision = self.content_revision().await?;
        if let Some(i) = days.iter().position(|(d, _)| *d == date) {
            let (_, layers) = days.remove(i);
            let layers = if layers.revision == revision {
                Some(layers)
            } else {
                self.bring_forward(layers).await?
            };
            if let Some(layers) = layers {
                days.push((date, layers.clone()));
                return Ok(layers);
            }
        }
        let layers = Arc::new(super::layer_state::load_layers(self.clone(), date).await?);
        if days.len() >= OTHER_DAYS {
            days.remove(0);
        }
        days.push((date, layers.clone()));
        Ok(layers)
    }
}

fn team_plan(c: CurrentPlan) -> TeamPlan {
    TeamPlan {
        date: c.date,
        shift_start: c.shift_start,
        shift_end: c.shift_end,
        state: match c.state {
            ShiftState::OnShift => "on_shift",
            ShiftState::Upcoming => "upcoming",
        },
    }
}

impl AppState {
    /// Venues team `team_id` recorded for the plan of `date`: inspections it started within
    /// that plan's shift, widened by the record grace (the window the capture check accepts).
    pub async fn recorded_for(
        self: &Arc<Self>,
        team_id: i64,
        date: NaiveDate,
    ) -> Result<Vec<i64>, ApiError> {
        let roster = self.roster().await?;
        let Some(t) = roster.iter().find(|t| t.team.id == team_id) else {
            return Ok(Vec::new());
        };
        let (from, to) = shift_clock::shift_window(date, shift_clock::record_shift(t.team.shift));
        self.read(move |s| Ok(s.venues_recorded_between(team_id, from, to)?))
            .await
    }
}
