//! What changes the store over HTTP besides capture (`capture.rs`): lamp status, suspensions,
//! accounts; and the audit trail to read (the follow-ups' list is `tables.rs`).
//! Each write needs a role, goes through the same store functions as the CLI, and answers only
//! after the commit is durable.

use super::Shared;
use super::auth::Signed;
use super::error::{ApiError, parse_json};
use super::query::Typed;
use crate::model::{LampStatus, Role};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use serde::Deserialize;
use serde_json::{Value, json};

pub fn routes(options: &super::ServeOptions) -> axum::Router<Shared> {
    axum::Router::new()
        .route(
            "/api/inspections",
            post(super::capture::capture)
                .layer(DefaultBodyLimit::max(options.max_request_bytes))
                .get(super::review::list),
        )
        .route("/api/follow-ups", get(super::tables::follow_ups))
        .route("/api/venues/{id}/clear-suspension", post(clear_suspension))
        .route("/api/lamps/{id}/status", put(lamp_status))
        .route("/api/accounts", post(add_account))
        .route("/api/audit", get(audit))
}

async fn clear_suspension(
    State(state): State<Shared>,
    who: Signed,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    let by = who
        .require(&[Role::Manager, Role::Admin], "clear a suspension")?
        .id;
    super::scope::may_act_on_venue(&state, &who.0, id).await?;
    state
        .write(move |s| Ok(s.clear_suspension(id, Some(by))?))
        .await?;
    Ok(Json(json!({ "venue_id": id, "status": "active" })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LampStatusBody {
    status: String,
}

async fn lamp_status(
    State(state): State<Shared>,
    who: Signed,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let by = who
        .require(&[Role::Planner, Role::Admin], "change a lamp's status")?
        .id;
    let body: LampStatusBody = parse_json(&body)?;
    let status = LampStatus::parse(&body.status).map_err(|m| ApiError::bad_request("status", m))?;
    if who.0.scope().is_some() {
        let layers = state.layers().await?;
        let lamps = layers
            .get("lamps")
            .ok_or_else(|| ApiError::internal("no lamps layer"))?;
        let viewer = lamps.def.viewer(&who.0);
        if !lamps
            .find(&id.to_string())
            .is_some_and(|i| lamps.visible_to(i, &viewer))
        {
            return Err(ApiError::forbidden(format!(
                "lamp {id} lies outside the areas your account answers for"
            )));
        }
    }
    state
        .write(move |s| Ok(s.set_lamp_status(id, status, Some(by))?))
        .await?;
    Ok(Json(json!({ "lamp_id": id, "status": status.as_str() })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewAccount {
    username: String,
    password: String,
    role: String,
    team_id: Option<i64>,
    /// The townships or communities (ids or registry source ids) it answers for.
    #[serde(default)]
    areas: Vec<String>,
}

async fn add_account(
    State(state): State<Shared>,
    who: Signed,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let by = who.require(&[Role::Admin], "create accounts")?.id;
    super::scope::district_wide(&who.0, "create accounts")?;
    let a: NewAccount = parse_json(&body)?;
    let role = Role::parse(&a.role).map_err(|m| ApiError::bad_request("role", m))?;
    let account = state
        .write(move |s| {
            Ok(s.add_account_in(
                &a.username,
                &a.password,
                role,
                a.team_id,
                &a.areas,
                Some(by),
            )?)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(json!(account))))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AuditQuery {
    limit: Option<usize>,
    before: Option<i64>,
}

async fn audit(
    State(state): State<Shared>,
    who: Signed,
    Typed(q): Typed<AuditQuery>,
) -> Result<Json<Value>, ApiError> {
    who.require(&[Role::Manager, Role::Admin], "read the audit trail")?;
    let limit = q.limit.unwrap_or(100).clamp(1, 1_000);
    let events = state
        .read(move |s| Ok(s.audit_events(limit, q.before)?))
        .await?;
    Ok(Json(json!({ "events": events })))
}
