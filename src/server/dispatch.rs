//! Dispatch over HTTP: a day's draft made now, a dispatcher's changes (each re-optimised),
//! publishing, a team's re-plan from where it is, and the team's word on a stop. Every step is
//! `workflow::dispatch`; this checks roles, parses and answers. Planning runs one step at a
//! time on its own store connection, off the async threads, so requests never wait behind the
//! optimiser for the store.

use super::auth::Signed;
use super::error::{ApiError, parse_json};
use super::query::Typed;
use super::{AppState, Shared};
use crate::model::{LonLat, Role};
use crate::planning::adjust::{Adjustment, DayAdjustments};
use crate::planning::plan::{PatrolPlan, Target};
use crate::planning::teams::Duty;
use crate::routing::optimiser::SolveOptions;
use crate::store::{MadeHow, PlanMade, StopEvent, Store};
use crate::workflow::dispatch::{self as flow, DispatchError, Replan, Revise};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, post};
use chrono::{NaiveDate, NaiveDateTime};
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

pub fn routes() -> axum::Router<Shared> {
    axum::Router::new()
        .route("/api/plans/{date}/draft", post(draft))
        .route("/api/plans/{date}/actions", post(act))
        .route("/api/plans/{date}/actions/{id}", delete(revoke))
        .route("/api/plans/{date}/publish", post(publish))
        // `{file}` as in `/routes/{file}` (a GPX or GeoJSON): one name per path position.
        .route("/api/plans/{date}/routes/{file}/replan", post(replan))
        .route("/api/stops", post(stop_event))
        .route("/api/venues/nearby", axum::routing::get(nearby))
}

const DISPATCHERS: &[Role] = &[Role::Manager, Role::Admin];

impl From<DispatchError> for ApiError {
    fn from(e: DispatchError) -> Self {
        match e {
            DispatchError::Store(s) => s.into(),
            DispatchError::Invalid { field, message } => ApiError::bad_request(field, message),
            DispatchError::UnknownTeam(_)
            | DispatchError::UnknownVenue(_)
            | DispatchError::NoPlan(_) => ApiError::not_found(e.to_string()),
            DispatchError::Locked(_) => {
                ApiError::new(StatusCode::CONFLICT, "locked", e.to_string())
            }
            DispatchError::NotOnRoute(m) => ApiError::forbidden(m),
            DispatchError::NoTeams | DispatchError::NoStreets => {
                ApiError::new(StatusCode::CONFLICT, "not_ready", e.to_string())
            }
        }
    }
}

fn date_in_path(text: &str) -> Result<NaiveDate, ApiError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| ApiError::bad_request("date", format!("{text:?} is not YYYY-MM-DD")))
}

impl AppState {
    /// The moment a re-optimisation plans from: None while the plan day is pinned by
    /// `--date` without `--now` (a day looked at, not lived through).
    fn dispatch_now(&self) -> Option<NaiveDateTime> {
        (self.options.date.is_none() || self.options.now.is_some()).then(|| self.now())
    }

    fn solve_options(&self, seconds: f64) -> SolveOptions {
        SolveOptions {
            seed: self.config.plan.seed,
            time_limit: Some(Duration::from_secs_f64(seconds)),
            iteration_limit: None,
            threads: 2,
        }
    }

    /// Runs one dispatch step: one at a time, on a connection of its own, off the async
    /// threads; what runs is shown by `GET /api/plans/{date}` meanwhile.
    pub(super) async fn dispatching<T: Send + 'static>(
        self: &Arc<Self>,
        date: NaiveDate,
        what: &str,
        f: impl FnOnce(&mut Store, &AppState) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let _turn = self.dispatch_turn.lock().await;
        self.set_planning(Some(json!({
            "date": date,
            "what": what,
            "since": chrono::Utc::now().to_rfc3339(),
        })));
        let state = self.clone();
        let result = tokio::task::spawn_blocking(move || {
            let mut store = Store::open(&state.data)?;
            let out = f(&mut store, &state)?;
            Ok((out, store.content_revision()?))
        })
        .await
        .map_err(ApiError::internal)
        .and_then(|r| r);
        self.set_planning(None);
        let (out, revision) = result?;
        // The plan's routes are on the map by the time the step is answered.
        self.catch_up(revision).await;
        Ok(out)
    }

    fn set_planning(&self, job: Option<Value>) {
        if let Ok(mut p) = self.planning_job.lock() {
            *p = job;
        }
    }

    /// What dispatch step runs now, for `date`.
    pub(super) fn planning_for(&self, date: NaiveDate) -> Option<Value> {
        let job = self.planning_job.lock().ok()?.clone()?;
        (job["date"] == json!(date)).then_some(job)
    }
}

/// A revision of `date` with the day's actions, as `made` says.
pub(super) fn revise(
    store: &mut Store,
    state: &AppState,
    date: NaiveDate,
    made: PlanMade,
    seconds: f64,
    replan: Option<Replan>,
    after: Option<Adjustment>,
) -> Result<PatrolPlan, ApiError> {
    let teams = store.teams()?;
    Ok(flow::revise(
        store,
        &state.config,
        &teams,
        &Revise {
            date,
            solve: state.solve_options(seconds),
            made,
            now: state.dispatch_now(),
            replan,
            after,
        },
        &state.routing,
    )?)
}

/// The plan as the API answers it: the plan, its state, each stop's status, and for
/// dispatchers the day's actions and absent teams.
pub(super) fn plan_body(
    store: &Store,
    plan: &PatrolPlan,
    dispatcher: bool,
) -> Result<Value, ApiError> {
    let teams = store.teams()?;
    let state = store
        .plan_state(plan.id)?
        .ok_or_else(|| ApiError::not_found(format!("no plan revision {}", plan.id)))?;
    let statuses = flow::stop_statuses(store, plan, &teams)?;
    let mut body = serde_json::to_value(plan).map_err(ApiError::internal)?;
    for route in body["routes"].as_array_mut().into_iter().flatten() {
        let team = route["team_id"].as_i64().unwrap_or(-1);
        for stop in route["stops"].as_array_mut().into_iter().flatten() {
            let target: Option<Target> = serde_json::from_value(stop["target"].clone()).ok();
            let st = target.and_then(|t| statuses.get(&(team, t)));
            stop["status"] = json!(st.map_or("pending", |s| s.status));
            stop["skip_reason"] = json!(st.and_then(|s| s.skip_reason.clone()));
            stop["note"] = match (target, st.and_then(|s| s.note.clone())) {
                (_, Some(n)) => json!(n),
                (Some(Target::Point(_)), None) => stop["name"].clone(),
                _ => Value::Null,
            };
        }
    }
    body["revision"] = json!(plan.id);
    body["status"] = json!(state.status);
    body["made_at"] = json!(state.made_at);
    body["made_by"] = json!({ "how": state.made_how, "account": state.made_by });
    body["published_at"] = json!(state.published_at);
    body["published_by"] = json!(state.published_by);
    body["published_revision"] = json!(state.published_revision);
    if dispatcher {
        let actions = store.dispatch_actions(plan.date, plan.duty)?;
        let day = DayAdjustments::of(
            &actions
                .iter()
                .map(|a| (a.id, a.change.clone()))
                .collect::<Vec<_>>(),
        );
        body["absent_teams"] = day
            .absent
            .iter()
            .map(|(id, reason)| {
                let name = teams.iter().find(|t| t.id == *id).map(|t| t.name.clone());
                json!({ "team_id": id, "team": name, "reason": reason })
            })
            .collect();
        body["actions"] = json!(actions);
    }
    Ok(body)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DraftBody {
    seconds: Option<f64>,
}

async fn draft(
    State(state): State<Shared>,
    who: Signed,
    Path(date): Path<String>,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let account = who.require(DISPATCHERS, "make plans")?.id;
    super::scope::district_wide(&who.0, "make plans")?;
    let date = date_in_path(&date)?;
    let seconds = if body.is_empty() {
        None
    } else {
        parse_json::<DraftBody>(&body)?.seconds
    };
    let seconds = seconds.unwrap_or(state.config.plan.seconds);
    if !(seconds.is_finite() && (0.1..=60.0).contains(&seconds)) {
        return Err(ApiError::bad_request(
            "seconds",
            "between 0.1 and 60 seconds of search",
        ));
    }
    let made = PlanMade {
        how: MadeHow::Dispatcher,
        by: Some(account),
        publish: false,
    };
    let body = state
        .dispatching(date, "draft", move |store, state| {
            let plan = revise(store, state, date, made, seconds, None, None)?;
            plan_body(store, &plan, true)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(body)))
}

async fn act(
    State(state): State<Shared>,
    who: Signed,
    Path(date): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let account = who.require(DISPATCHERS, "change plans")?.id;
    super::scope::district_wide(&who.0, "change plans")?;
    let date = date_in_path(&date)?;
    let change = Adjustment::from_body(parse_json(&body)?)
        .map_err(|e| ApiError::bad_request(e.field, e.message))?;
    let seconds = state.config.dispatch.seconds;
    let body = state
        .dispatching(date, change.kind(), move |store, state| {
            let id = flow::add_action(store, date, &change, account)?;
            let made = PlanMade {
                how: MadeHow::Dispatcher,
                by: Some(account),
                publish: false,
            };
            let plan = revise(
                store,
                state,
                date,
                made,
                seconds,
                None,
                Some(change.clone()),
            )?;
            let mut action = serde_json::to_value(&change).map_err(ApiError::internal)?;
            action["id"] = json!(id);
            Ok(json!({ "action": action, "plan": plan_body(store, &plan, true)? }))
        })
        .await?;
    Ok(Json(body))
}

async fn revoke(
    State(state): State<Shared>,
    who: Signed,
    Path((date, id)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let account = who.require(DISPATCHERS, "change plans")?.id;
    super::scope::district_wide(&who.0, "change plans")?;
    let date = date_in_path(&date)?;
    let id: i64 = id
        .parse()
        .map_err(|_| ApiError::bad_request("id", format!("{id:?} is not an action id")))?;
    let seconds = state.config.dispatch.seconds;
    let body = state
        .dispatching(date, "revoke", move |store, state| {
            store.revoke_dispatch_action(date, Duty::Inspection, id, account)?;
            let made = PlanMade {
                how: MadeHow::Dispatcher,
                by: Some(account),
                publish: false,
            };
            let plan = revise(store, state, date, made, seconds, None, None)?;
            Ok(json!({ "plan": plan_body(store, &plan, true)? }))
        })
        .await?;
    Ok(Json(body))
}

async fn publish(
    State(state): State<Shared>,
    who: Signed,
    Path(date): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let account = who.require(DISPATCHERS, "publish plans")?.id;
    super::scope::district_wide(&who.0, "publish plans")?;
    let date = date_in_path(&date)?;
    let body = state
        .dispatching(date, "publish", move |store, _| {
            let id = store
                .publish_plan(date, Duty::Inspection, account)?
                .ok_or_else(|| ApiError::not_found(format!("no inspection plan for {date}")))?;
            let plan = store
                .plan_by_id(id)?
                .ok_or_else(|| ApiError::internal("the published plan vanished"))?;
            plan_body(store, &plan, true)
        })
        .await?;
    Ok(Json(body))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReplanBody {
    at: [f64; 2],
    time: Option<String>,
}

async fn replan(
    State(state): State<Shared>,
    who: Signed,
    Path((date, team)): Path<(String, String)>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let account = who
        .require(
            &[Role::Inspector, Role::Manager, Role::Admin],
            "re-plan routes",
        )?
        .clone();
    let date = date_in_path(&date)?;
    let team_id: i64 = team
        .parse()
        .map_err(|_| ApiError::bad_request("team", format!("{team:?} is not a team id")))?;
    if account.role == Role::Inspector && account.team_id != Some(team_id) {
        return Err(ApiError::forbidden(
            "an inspector re-plans its own team's route only",
        ));
    }
    let b: ReplanBody = parse_json(&body)?;
    let at = LonLat::validate(b.at[0], b.at[1]).map_err(|m| ApiError::bad_request("at", m))?;
    let time = match &b.time {
        Some(t) => crate::store::parse_local_time(t, "time")?,
        None => state.now(),
    };
    let seconds = state.config.dispatch.seconds;
    let dispatcher = account.role != Role::Inspector;
    let body = state
        .dispatching(date, "replan", move |store, state| {
            let made = PlanMade {
                how: MadeHow::Replan,
                by: Some(account.id),
                publish: false,
            };
            let replan = Replan { team_id, at, time };
            let plan = revise(store, state, date, made, seconds, Some(replan), None)?;
            let mut body = plan_body(store, &plan, dispatcher)?;
            if !dispatcher && let Some(routes) = body["routes"].as_array_mut() {
                routes.retain(|r| r["team_id"] == json!(team_id));
                body["left_out"] = json!([]);
            }
            let route = body["routes"]
                .as_array()
                .and_then(|rs| rs.iter().find(|r| r["team_id"] == json!(team_id)))
                .cloned()
                .unwrap_or(Value::Null);
            Ok(json!({ "route": route, "plan": body }))
        })
        .await?;
    Ok(Json(body))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StopBody {
    client_uuid: String,
    date: String,
    venue_id: Option<i64>,
    target: Option<Target>,
    team_id: Option<i64>,
    status: String,
    reason: Option<String>,
    note: Option<String>,
    at: String,
}

async fn stop_event(
    State(state): State<Shared>,
    who: Signed,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let account = who
        .require(
            &[Role::Inspector, Role::Manager, Role::Admin],
            "report on stops",
        )?
        .clone();
    let b: StopBody = parse_json(&body)?;
    let client_uuid = uuid::Uuid::parse_str(b.client_uuid.trim()).map_err(|e| {
        ApiError::bad_request(
            "client_uuid",
            format!(
                "{:?} is not a UUID: {e}",
                crate::model::excerpt(&b.client_uuid, 60)
            ),
        )
    })?;
    let date = NaiveDate::parse_from_str(&b.date, "%Y-%m-%d")
        .map_err(|_| ApiError::bad_request("date", format!("{:?} is not YYYY-MM-DD", b.date)))?;
    let target = match (b.target, b.venue_id) {
        (Some(t), None) => t,
        (None, Some(v)) => Target::Venue(v),
        _ => {
            return Err(ApiError::bad_request(
                "venue_id",
                "give a venue_id or a target",
            ));
        }
    };
    let team_id = match account.role {
        Role::Inspector => {
            if b.team_id.is_some_and(|t| Some(t) != account.team_id) {
                return Err(ApiError::forbidden(
                    "an inspector reports on its own team's stops only",
                ));
            }
            account
                .team_id
                .ok_or_else(|| ApiError::forbidden("this inspector belongs to no team"))?
        }
        _ => b
            .team_id
            .ok_or_else(|| ApiError::bad_request("team_id", "say which team's stop"))?,
    };
    crate::store::parse_local_time(&b.at, "at")?;
    let event = StopEvent {
        client_uuid,
        date,
        team_id,
        target,
        status: b.status,
        reason: b.reason.filter(|r| !r.trim().is_empty()),
        note: b
            .note
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty()),
        at: b.at,
    };
    let config = state.config.clone();
    let (id, created) = state
        .write(move |store| Ok(flow::record_stop_event(store, &config, &event, account.id)?))
        .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(json!({ "id": id, "created": created }))))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NearbyQuery {
    lon: f64,
    lat: f64,
    radius_m: Option<f64>,
}

/// The farthest `nearby` looks, in metres: what a team might walk to, not the district.
const NEARBY_MAX_M: f64 = 2000.0;

/// Registered venues near a point, nearest first (at most 50): what an inspector may pick for
/// an off-plan inspection. Only what identifies a venue (id, name, kind, address, place) and
/// its distance, for every role: an inspector sees no risk terms of venues off its plan.
async fn nearby(
    State(state): State<Shared>,
    who: Signed,
    Typed(q): Typed<NearbyQuery>,
) -> Result<Json<Value>, ApiError> {
    who.require(
        &[Role::Inspector, Role::Manager, Role::Admin],
        "look up venues for inspections",
    )?;
    let at = LonLat::validate(q.lon, q.lat).map_err(|m| ApiError::bad_request("lon", m))?;
    let radius = q.radius_m.unwrap_or(3.0 * state.config.dispatch.off_plan_m);
    if !(radius.is_finite() && radius > 0.0 && radius <= NEARBY_MAX_M) {
        return Err(ApiError::bad_request(
            "radius_m",
            format!("between 0 and {NEARBY_MAX_M} m"),
        ));
    }
    let layers = state.layers().await?;
    let venues = layers
        .get("venues")
        .ok_or_else(|| ApiError::internal("no venues layer"))?;
    let frame = crate::model::LocalFrame::new(at);
    let (sw, ne) = (
        frame.to_lonlat([-radius, -radius]),
        frame.to_lonlat([radius, radius]),
    );
    let query = super::catalogue::Query {
        bbox: Some(crate::model::BBox::new(sw.lon, sw.lat, ne.lon, ne.lat)),
        ..Default::default()
    };
    let mut found: Vec<(f64, Value)> = Vec::new();
    for i in venues.select(&query) {
        let Ok(f) = serde_json::from_str::<Value>(venues.feature_json(i)) else {
            continue;
        };
        let c = &f["geometry"]["coordinates"];
        let (Some(lon), Some(lat)) = (c[0].as_f64(), c[1].as_f64()) else {
            continue;
        };
        let d = frame.distance_m(at, LonLat::new(lon, lat));
        if d <= radius {
            let p = &f["properties"];
            found.push((
                d,
                json!({
                    "id": venues.feature_id(i).parse::<i64>().ok(),
                    "name": p["name"], "kind": p["kind"], "address": p["address"],
                    "lon": lon, "lat": lat, "distance_m": d.round(),
                }),
            ));
        }
    }
    found.sort_by(|a, b| a.0.total_cmp(&b.0));
    found.truncate(50);
    Ok(Json(json!({
        "venues": found.into_iter().map(|(_, v)| v).collect::<Vec<_>>(),
        "radius_m": radius,
        "off_plan_m": state.config.dispatch.off_plan_m,
    })))
}
