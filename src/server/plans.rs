//! A day's plan over HTTP: the whole plan as JSON, and each team's route as GeoJSON or GPX 1.1
//! for the phone's navigation app. Inspectors get their own team's route only.

use super::Shared;
use super::auth::Signed;
use super::error::ApiError;
use crate::model::Role;
use crate::planning::export::{route_geojson, route_gpx};
use crate::planning::plan::PatrolPlan;
use crate::planning::teams::Duty;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::NaiveDate;
use serde::Deserialize;

pub fn routes() -> axum::Router<Shared> {
    axum::Router::new()
        .route("/api/plans/{date}", get(plan))
        .route("/api/plans/{date}/routes/{file}", get(route_file))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DutyQuery {
    duty: Option<String>,
}

fn date_of(state: &Shared, text: &str) -> Result<NaiveDate, ApiError> {
    if text == "today" {
        return Ok(state.plan_date());
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
        ApiError::bad_request("date", format!("{text:?} is not YYYY-MM-DD or `today`"))
    })
}

async fn load(state: &Shared, date: NaiveDate, duty: Duty) -> Result<PatrolPlan, ApiError> {
    state
        .read(move |s| Ok(s.plan_for(date, duty)?))
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no {} plan for {date}", duty.as_str())))
}

/// The plan; an inspector sees its team's route and nothing of the others or the left-out list.
async fn plan(
    State(state): State<Shared>,
    who: Signed,
    Path(date): Path<String>,
    Query(q): Query<DutyQuery>,
) -> Result<Json<PatrolPlan>, ApiError> {
    let date = date_of(&state, &date)?;
    let duty = match q.duty.as_deref() {
        None => Duty::Inspection,
        Some(d) => Duty::parse(d).map_err(|m| ApiError::bad_request("duty", m))?,
    };
    let mut plan = load(&state, date, duty).await?;
    if who.0.role == Role::Inspector {
        plan.routes.retain(|r| Some(r.team_id) == who.0.team_id);
        plan.left_out.clear();
    }
    Ok(Json(plan))
}

/// `TEAM.gpx` or `TEAM.geojson`: one route, inspection or lighting, by team id.
async fn route_file(
    State(state): State<Shared>,
    who: Signed,
    Path((date, file)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let date = date_of(&state, &date)?;
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
        let Ok(plan) = load(&state, date, duty).await else {
            continue;
        };
        let Some(route) = plan.routes.iter().find(|r| r.team_id == team) else {
            continue;
        };
        let name = format!("patrolmap-{date}-team{team}.{format}");
        let (body, content_type) = match format {
            "gpx" => (
                route_gpx(&plan, route, state.config.utc_offset_minutes)
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
