//! Reading what was recorded (issue 13): the inspections list with filters and paging, one
//! record whole with its photos, GPS fix and follow-ups, and a photo's bytes. Managers and
//! admins read every record; an inspector its own team's; a photo only with a record the
//! caller may read.

use super::Shared;
use super::auth::Signed;
use super::error::ApiError;
use crate::model::{Outcome, Role, VenueKind};
use crate::store::{InspectionFilter, PhotoFolder};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{Value, json};

pub fn routes() -> axum::Router<Shared> {
    axum::Router::new()
        .route("/api/inspections/{uuid}", axum::routing::get(detail))
        .route("/api/photos/{sha256}", axum::routing::get(photo))
}

/// Largest page of the list.
pub const MAX_PAGE: usize = 500;

/// Whose records the caller reads: None for all (managers, admins), else its team's.
fn team_scope(who: &Signed) -> Result<Option<i64>, ApiError> {
    match who.0.role {
        Role::Manager | Role::Admin => Ok(None),
        Role::Inspector => Ok(Some(who.0.team_id.unwrap_or(-1))),
        Role::Planner => Err(ApiError::forbidden(
            "a planner may not read inspection records",
        )),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    from: Option<String>,
    to: Option<String>,
    area: Option<i64>,
    team: Option<i64>,
    inspector: Option<String>,
    kind: Option<String>,
    outcome: Option<String>,
    has_follow_up: Option<bool>,
    off_plan: Option<bool>,
    limit: Option<usize>,
    offset: Option<usize>,
}

fn day(field: &'static str, text: &Option<String>) -> Result<Option<NaiveDate>, ApiError> {
    text.as_deref()
        .map(|t| {
            NaiveDate::parse_from_str(t, "%Y-%m-%d")
                .map_err(|_| ApiError::bad_request(field, format!("{t:?} is not YYYY-MM-DD")))
        })
        .transpose()
}

/// `GET /api/inspections`: newest first, `{items, total, limit, offset, next_offset}`.
pub async fn list(
    State(state): State<Shared>,
    who: Signed,
    Query(q): Query<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    let team = team_scope(&who)?;
    let limit = q.limit.unwrap_or(50);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(ApiError::bad_request(
            "limit",
            format!("between 1 and {MAX_PAGE}"),
        ));
    }
    let filter = InspectionFilter {
        from: day("from", &q.from)?,
        to: day("to", &q.to)?,
        area: q.area,
        team: q.team,
        inspector: q.inspector.clone(),
        kind: q
            .kind
            .as_deref()
            .map(VenueKind::parse)
            .transpose()
            .map_err(|m| ApiError::bad_request("kind", m))?,
        outcome: q
            .outcome
            .as_deref()
            .map(Outcome::parse)
            .transpose()
            .map_err(|m| ApiError::bad_request("outcome", m))?,
        has_follow_up: q.has_follow_up,
        off_plan: q.off_plan,
        limit,
        offset: q.offset.unwrap_or(0),
    };
    let offset = filter.offset;
    let (items, total) = state
        .read(move |s| Ok(s.list_inspections(&filter, team)?))
        .await?;
    let next = (offset + items.len() < total as usize).then_some(offset + items.len());
    Ok(Json(json!({
        "items": items,
        "total": total,
        "limit": limit,
        "offset": offset,
        "next_offset": next,
    })))
}

/// `GET /api/inspections/{uuid}`: the record whole; its photos as `/api/photos/{sha256}`.
async fn detail(
    State(state): State<Shared>,
    who: Signed,
    Path(uuid): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let team = team_scope(&who)?;
    let uuid = uuid::Uuid::parse_str(uuid.trim())
        .map_err(|e| ApiError::bad_request("uuid", format!("not a UUID: {e}")))?
        .to_string();
    let missing = || ApiError::not_found(format!("no inspection {uuid} you may read"));
    let key = uuid.clone();
    let found = state.read(move |s| Ok(s.inspection_detail(&key)?)).await?;
    // Another team's record is as absent as one that does not exist.
    let d = found
        .filter(|d| team.is_none() || d.row.team_id == team)
        .ok_or_else(missing)?;
    let mut body = serde_json::to_value(&d).map_err(ApiError::internal)?;
    body["photos"] = d
        .photo_refs
        .iter()
        .map(|p| {
            json!({ "sha256": p.sha256, "content_type": p.content_type, "bytes": p.bytes,
                    "url": format!("/api/photos/{}", p.sha256) })
        })
        .collect();
    if let Some(o) = body.as_object_mut() {
        o.remove("photo_refs");
    }
    Ok(Json(body))
}

/// `GET /api/photos/{sha256}`: the bytes as stored, for a caller who may read a record with it.
async fn photo(
    State(state): State<Shared>,
    who: Signed,
    Path(sha256): Path<String>,
) -> Result<Response, ApiError> {
    let team = team_scope(&who)?;
    let sha256 = sha256.to_ascii_lowercase();
    if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ApiError::bad_request("sha256", "not a SHA-256 in hex"));
    }
    let key = sha256.clone();
    let found = state.read(move |s| Ok(s.photo_for(&key, team)?)).await?;
    let photo =
        found.ok_or_else(|| ApiError::not_found(format!("no photo {sha256} you may read")))?;
    let path = PhotoFolder::new(&state.data).path(&photo);
    let bytes = tokio::fs::read(&path).await.map_err(|e| {
        ApiError::not_found(format!("photo {sha256} is not in the data folder: {e}"))
    })?;
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&photo.content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    // Named by its content: it never changes, but it is not for shared caches.
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=31536000, immutable"),
    );
    Ok(r)
}
