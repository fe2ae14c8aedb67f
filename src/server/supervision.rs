//! Managers closing the loop (issue 13): a verdict on a record (approved, has issues, sent
//! back), one follow-up whole with its history, and the supervision actions on it (extend,
//! escalate, cancel, close with evidence photos). The rules are `planning::supervision`'s;
//! every change is audited by the store in the transaction that makes it.

use super::Shared;
use super::auth::Signed;
use super::capture::{parse_form, place_photos, stage_photos};
use super::error::{ApiError, parse_json};
use crate::model::{ReviewState, Role};
use crate::planning::supervision::SupervisionAction;
use axum::Json;
use axum::extract::{Path, Request, State};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

pub fn routes() -> axum::Router<Shared> {
    axum::Router::new()
        .route("/api/inspections/{uuid}/review", post(review))
        .route("/api/follow-ups/{id}", get(follow_up))
        .route("/api/follow-ups/{id}/{action}", post(supervise))
}

const REVIEWERS: &[Role] = &[Role::Manager, Role::Admin];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReviewBody {
    state: String,
    reason: Option<String>,
}

/// `POST /api/inspections/{uuid}/review`: `{state, reason}`.
async fn review(
    State(state): State<Shared>,
    who: Signed,
    Path(uuid): Path<String>,
    body: axum::body::Bytes,
) -> Result<Json<Value>, ApiError> {
    let account = who.require(REVIEWERS, "review inspection records")?.id;
    let uuid = uuid::Uuid::parse_str(uuid.trim())
        .map_err(|e| ApiError::bad_request("uuid", format!("not a UUID: {e}")))?
        .to_string();
    let key = uuid.clone();
    let version = state
        .read(move |s| Ok(s.inspection_version(&key)?))
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no inspection {uuid}")))?;
    super::scope::may_act_on_venue(&state, &who.0, version.venue_id).await?;
    let body: ReviewBody = parse_json(&body)?;
    let verdict = ReviewState::parse(&body.state).map_err(|m| ApiError::bad_request("state", m))?;
    let settings = state.config.supervision.clone();
    let review = state
        .write(move |s| {
            Ok(s.review_inspection(
                &uuid,
                verdict,
                body.reason.as_deref(),
                &settings,
                Some(account),
            )?)
        })
        .await?;
    Ok(Json(json!({ "uuid": review.uuid, "review": review })))
}

/// `GET /api/follow-ups/{id}`: where it stands, its history in order, its evidence.
async fn follow_up(
    State(state): State<Shared>,
    who: Signed,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    who.require(
        &[Role::Manager, Role::Admin, Role::Planner],
        "read follow-ups",
    )?;
    let detail = state
        .read(move |s| Ok(s.follow_up_detail(id)?))
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no follow-up with id {id}")))?;
    // Another area's follow-up is not there for this account.
    if !super::scope::sees_venue(&state, &who.0, detail.follow_up.venue_id).await? {
        return Err(ApiError::not_found(format!("no follow-up with id {id}")));
    }
    Ok(Json(json!(detail)))
}

/// The body of an action: what the rule needs, by action.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ActionBody {
    days: Option<i64>,
    unit: Option<String>,
    reason: Option<String>,
    note: Option<String>,
}

fn action_body(bytes: &[u8]) -> Result<ActionBody, ApiError> {
    parse_json(bytes)
}

/// `POST /api/follow-ups/{id}/{extend|escalate|cancel|close}`: JSON, or for `close` a form
/// with a `close` JSON part and `photo` parts (the evidence).
async fn supervise(
    State(state): State<Shared>,
    who: Signed,
    Path((id, action)): Path<(i64, String)>,
    request: Request,
) -> Result<Json<Value>, ApiError> {
    let account = who.require(REVIEWERS, "supervise follow-ups")?.id;
    let venue = state
        .read(move |s| Ok(s.follow_up(id)?))
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no follow-up with id {id}")))?
        .venue_id;
    super::scope::may_act_on_venue(&state, &who.0, venue).await?;
    let limits = &state.config.capture.limits;
    let (body, photos) = parse_form(
        request,
        limits,
        state.options.max_photo_bytes,
        "close",
        action_body,
    )
    .await?;
    let missing =
        |field: &'static str| ApiError::bad_request(field, format!("`{action}` needs `{field}`"));
    let reason = body.reason.clone().unwrap_or_default();
    let action = match action.as_str() {
        "extend" => SupervisionAction::Extend {
            days: body.days.ok_or_else(|| missing("days"))?,
            reason,
        },
        "escalate" => SupervisionAction::Escalate {
            unit: body.unit.ok_or_else(|| missing("unit"))?,
            reason,
        },
        "cancel" => SupervisionAction::Cancel { reason },
        "close" => SupervisionAction::Close {
            note: body.note.or(body.reason).unwrap_or_default(),
            photos: photos.len(),
        },
        other => {
            return Err(ApiError::not_found(format!(
                "no follow-up action {:?} (extend, escalate, cancel or close)",
                crate::model::excerpt(other, 40)
            )));
        }
    };
    if !matches!(action, SupervisionAction::Close { .. }) && !photos.is_empty() {
        return Err(ApiError::bad_request(
            "photo",
            "only closing a follow-up takes photos",
        ));
    }
    let evidence: Vec<_> = photos.iter().map(|(r, _)| r.clone()).collect();
    let staged = stage_photos(&state, photos).await?;
    let today = state.now().date();
    let settings = state.config.supervision.clone();
    // Dropped on any error below, the staged photos are deleted with it.
    state
        .write(move |s| {
            Ok(s.supervise_follow_up(id, &action, &evidence, today, &settings, Some(account))?)
        })
        .await?;
    place_photos(staged).await?;
    let detail = state
        .read(move |s| Ok(s.follow_up_detail(id)?))
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no follow-up with id {id}")))?;
    Ok(Json(json!(detail)))
}
