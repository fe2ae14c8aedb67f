//! A day's plan over HTTP: the whole plan as JSON, and each team's route as GeoJSON or GPX 1.1
//! for the phone's navigation app. Inspectors get their own team's route only.

use super::Shared;
use super::auth::Signed;
use super::error::ApiError;
use super::query::Typed;
use crate::model::Role;
use crate::planning::export::{route_geojson, route_gpx};
use crate::planning::plan::PatrolPlan;
use crate::planning::teams::Duty;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{Value, json};

pub fn routes() -> axum::Router<Shared> {
    axum::Router::new()
        .route("/api/plans/current", get(current))
        .route("/api/plans/{date}", get(plan))
        .route("/api/plans/{date}/routes/{file}", get(route_file))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DutyQuery {
    duty: Option<String>,
    /// The published revision wanted rather than the newest (inspectors get only that).
    published: Option<bool>,
    /// `current`: the revision the phone last showed, to say what changed since.
    seen: Option<i64>,
    /// `false`: the routes without the list of work left out (a city's crews leave out
    /// thousands of lamps, megabytes a map that draws only the routes does not need; the
    /// summary still counts them).
    left_out: Option<bool>,
}

/// A date in the path; `today` is the caller's plan day: an inspector's is its team's current
/// plan (a night team's yesterday until its shift ends), everyone else's the server's plan day.
async fn date_of(state: &Shared, who: &Signed, text: &str) -> Result<NaiveDate, ApiError> {
    if text == "today" {
        return state.day_for(&who.0).await;
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
        ApiError::bad_request("date", format!("{text:?} is not YYYY-MM-DD or `today`"))
    })
}

/// The newest revision of a day's plan, or the newest published one (all an inspector sees).
async fn load(
    state: &Shared,
    date: NaiveDate,
    duty: Duty,
    published: bool,
) -> Result<PatrolPlan, ApiError> {
    state
        .read(move |s| {
            Ok(if published {
                s.published_plan_for(date, duty)?
            } else {
                s.plan_for(date, duty)?
            })
        })
        .await?
        .ok_or_else(|| {
            let which = if published { "published " } else { "" };
            ApiError::not_found(format!("no {which}{} plan for {date}", duty.as_str()))
        })
}

/// The plan as `plan_body` answers it, for `who`: an inspector sees the published revision,
/// its team's route only and nothing of the left-out list.
/// With `left_out` false (always for an inspector) the work left out is dropped before the
/// plan is turned into JSON; the summary still counts it.
async fn body_for(
    state: &Shared,
    who: &Signed,
    date: NaiveDate,
    duty: Duty,
    published: bool,
    left_out: bool,
) -> Result<Value, ApiError> {
    let inspector = who.0.role == Role::Inspector;
    let mut plan = load(state, date, duty, published || inspector).await?;
    if inspector {
        plan.routes.retain(|r| Some(r.team_id) == who.0.team_id);
    }
    if inspector || !left_out {
        plan.left_out.clear();
    }
    let dispatcher = matches!(who.0.role, Role::Manager | Role::Admin);
    let mut body = state
        .read(move |s| super::dispatch::plan_body(s, &plan, dispatcher))
        .await?;
    if let Some(job) = state.planning_for(date) {
        body["planning"] = job;
    }
    Ok(body)
}

/// The plan with its state (draft or published, made when and by whom) and each stop's status.
async fn plan(
    State(state): State<Shared>,
    who: Signed,
    Path(date): Path<String>,
    Typed(q): Typed<DutyQuery>,
) -> Result<Json<Value>, ApiError> {
    let date = date_of(&state, &who, &date).await?;
    let duty = duty_of(&q)?;
    let left_out = q.left_out.unwrap_or(true);
    Ok(Json(
        body_for(
            &state,
            &who,
            date,
            duty,
            q.published.unwrap_or(false),
            left_out,
        )
        .await?,
    ))
}

fn duty_of(q: &DutyQuery) -> Result<Duty, ApiError> {
    match q.duty.as_deref() {
        None => Ok(Duty::Inspection),
        Some(d) => Duty::parse(d).map_err(|m| ApiError::bad_request("duty", m)),
    }
}

/// The plan the caller works on now, as `/api/plans/{date}` answers it, with `current`: for an
/// inspector its team's plan whose shift holds the present moment, else the one starting later
/// today (`planning::shift_clock`), and the venues its team recorded for that plan; 404 when
/// there is none. Managers, planners and admins get the plan of the plan day.
async fn current(
    State(state): State<Shared>,
    who: Signed,
    Typed(q): Typed<DutyQuery>,
) -> Result<Json<Value>, ApiError> {
    let duty = duty_of(&q)?;
    let (date, mut current) = if who.0.role == Role::Inspector {
        let no_plan = || {
            ApiError::not_found(
                "no plan for your shift now: your team has no plan whose shift is running or starts later today",
            )
        };
        let team = who.0.team_id.ok_or_else(no_plan)?;
        let p = state.team_plan(team).await?.ok_or_else(no_plan)?;
        let mut c = p.json();
        c["recorded"] = json!(state.recorded_for(team, p.date).await?);
        (p.date, c)
    } else {
        let d = state.plan_date().await?;
        (
            d,
            json!({ "date": d, "shift_start": null, "shift_end": null, "state": "plan_day" }),
        )
    };
    let mut body = body_for(&state, &who, date, duty, false, q.left_out.unwrap_or(true)).await?;
    if who.0.role == Role::Inspector {
        if body["routes"].as_array().is_none_or(|r| r.is_empty()) {
            current["recorded"] = json!([]);
        }
        let revision = body["revision"].as_i64().unwrap_or(0);
        current["revision"] = json!(revision);
        if let (Some(seen), Some(team)) = (q.seen, who.0.team_id)
            && seen != revision
        {
            let now = body["routes"][0].clone();
            // Only a revision of the same day's plan: another day's route did not "change".
            let before = state.read(move |s| Ok(s.plan_by_id(seen)?)).await?;
            if let Some(before) = before.filter(|p| p.date == date && p.duty == duty) {
                let old = before.routes.iter().find(|r| r.team_id == team);
                let new: Option<crate::planning::plan::PatrolRoute> =
                    serde_json::from_value(now).ok();
                let mut changes =
                    serde_json::to_value(crate::planning::plan::route_changes(old, new.as_ref()))
                        .map_err(ApiError::internal)?;
                changes["since"] = json!(seen);
                current["changes"] = changes;
            }
        }
    }
    body["current"] = current;
    Ok(Json(body))
}

/// `TEAM.gpx` or `TEAM.geojson`: one route, inspection or lighting, by team id.
async fn route_file(
    State(state): State<Shared>,
    who: Signed,
    origin: super::origin::Origin,
    Path((date, file)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let date = date_of(&state, &who, &date).await?;
    let name_in_url = file.clone();
    let (team, format) = file
        .rsplit_once('.')
        .ok_or_else(|| ApiError::bad_request("file", "expected TEAM.gpx or TEAM.geojson"))?;
    let team: i64 = team
        .parse()
        .map_err(|_| ApiError::bad_request("file", format!("{team:?} is not a team id")))?;
    if who.0.role == Role::Inspector && who.0.team_id != Some(team) {
        return Err(ApiError::forbidden(
            "an inspector reads its own team's route only",
        ));
    }
    for duty in [Duty::Inspection, Duty::Lighting] {
        let Ok(plan) = load(&state, date, duty, who.0.role == Role::Inspector).await else {
            continue;
        };
        let Some(route) = plan.routes.iter().find(|r| r.team_id == team) else {
            continue;
        };
        let name = format!("patrolmap-{date}-team{team}.{format}");
        let (body, content_type) = match format {
            "gpx" => (
                route_gpx(
                    &plan,
                    route,
                    state.config.utc_offset_minutes,
                    Some(&format!(
                        "{}/api/plans/{date}/routes/{name_in_url}",
                        origin.root
                    )),
                )
                .map_err(ApiError::internal)?,
                "application/gpx+xml",
            ),
            "geojson" => (
                serde_json::to_string(&route_geojson(&plan, route)).map_err(ApiError::internal)?,
                "application/geo+json",
            ),
            other => {
                return Err(ApiError::bad_request(
                    "file",
                    format!("no `.{other}` export (gpx, geojson)"),
                ));
            }
        };
        let mut r = body.into_response();
        let h = r.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
            h.insert(header::CONTENT_DISPOSITION, v);
        }
        return Ok(r);
    }
    Err(ApiError::not_found(format!(
        "team {team} has no route on {date}"
    )))
}
