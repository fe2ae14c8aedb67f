//! Reading what was recorded (issue 13): the inspections list with filters and keyset paging,
//! one record whole with its photos, GPS fix, follow-ups, reviews and versions, and a photo's
//! bytes. Managers and
//! admins read every record; an inspector its own team's; a photo only with a record the
//! caller may read.

use super::Shared;
use super::auth::Signed;
use super::error::ApiError;
use crate::model::{Outcome, Role, VenueKind};
use crate::store::{InspectionCursor, InspectionFilter, PhotoFolder, REVIEW_STATES};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde_json::{Value, json};
use std::collections::HashMap;

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

/// The list's query parameters; any other is refused by name, so a misspelt filter never
/// passes as "no filter".
const LIST_FIELDS: &[&str] = &[
    "from",
    "to",
    "area",
    "team",
    "inspector",
    "kind",
    "outcome",
    "has_follow_up",
    "off_plan",
    "review",
    "venue",
    "current",
    "limit",
    "offset",
    "cursor",
];

/// Offsets stop here: a deeper page is read by its cursor, which costs the same at any depth.
pub const MAX_OFFSET: usize = 10_000;

/// The list's parameters, each parsed or refused by its name.
struct ListQuery(HashMap<String, String>);

impl ListQuery {
    fn text(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    fn parsed<T: std::str::FromStr>(
        &self,
        field: &'static str,
        what: &str,
    ) -> Result<Option<T>, ApiError> {
        self.text(field)
            .map(|t| {
                t.trim()
                    .parse::<T>()
                    .map_err(|_| ApiError::bad_request(field, format!("{t:?} is not {what}")))
            })
            .transpose()
    }

    fn day(&self, field: &'static str) -> Result<Option<NaiveDate>, ApiError> {
        self.text(field)
            .map(|t| {
                NaiveDate::parse_from_str(t, "%Y-%m-%d")
                    .map_err(|_| ApiError::bad_request(field, format!("{t:?} is not YYYY-MM-DD")))
            })
            .transpose()
    }

    fn filter(&self) -> Result<InspectionFilter, ApiError> {
        let limit = self.parsed("limit", "a number")?.unwrap_or(50);
        if !(1..=MAX_PAGE).contains(&limit) {
            return Err(ApiError::bad_request(
                "limit",
                format!("between 1 and {MAX_PAGE}"),
            ));
        }
        let offset = self.parsed("offset", "a number")?.unwrap_or(0);
        if offset > MAX_OFFSET {
            return Err(ApiError::bad_request(
                "offset",
                format!(
                    "at most {MAX_OFFSET}; page deeper with `cursor` (the answer's next_cursor)"
                ),
            ));
        }
        let review = self.text("review").map(str::to_string);
        if let Some(r) = &review
            && !REVIEW_STATES.contains(&r.as_str())
        {
            return Err(ApiError::bad_request(
                "review",
                format!("{r:?} is not one of {}", REVIEW_STATES.join(", ")),
            ));
        }
        let cursor = self
            .text("cursor")
            .map(|t| InspectionCursor::decode(t.trim()))
            .transpose()
            .map_err(|m| ApiError::bad_request("cursor", m))?;
        Ok(InspectionFilter {
            from: self.day("from")?,
            to: self.day("to")?,
            area: self.parsed("area", "an area id")?,
            team: self.parsed("team", "a team id")?,
            inspector: self.text("inspector").map(str::to_string),
            kind: self
                .text("kind")
                .map(VenueKind::parse)
                .transpose()
                .map_err(|m| ApiError::bad_request("kind", m))?,
            outcome: self
                .text("outcome")
                .map(Outcome::parse)
                .transpose()
                .map_err(|m| ApiError::bad_request("outcome", m))?,
            has_follow_up: self.parsed("has_follow_up", "true or false")?,
            off_plan: self.parsed("off_plan", "true or false")?,
            review,
            venue: self.parsed("venue", "a venue id")?,
            current: self.parsed("current", "true or false")?.unwrap_or(true),
            limit,
            offset,
            // Only a first page is counted: the client keeps the figure while it pages on.
            count: cursor.is_none() && offset == 0,
            cursor,
        })
    }
}

/// `GET /api/inspections`: newest first, `{items, total, total_capped, limit, offset,
/// next_offset, next_cursor}`; `total` only on a first page (no cursor, offset 0), exact up to
/// `TOTAL_CAP` and then `total_capped`.
pub async fn list(
    State(state): State<Shared>,
    who: Signed,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let team = team_scope(&who)?;
    let Query(map) = query.map_err(|e| ApiError::bad_request("query", e.body_text()))?;
    if let Some(unknown) = map.keys().find(|k| !LIST_FIELDS.contains(&k.as_str())) {
        return Err(ApiError::bad_request(
            unknown.clone(),
            format!(
                "unknown query parameter (known: {})",
                LIST_FIELDS.join(", ")
            ),
        ));
    }
    let filter = ListQuery(map).filter()?;
    let (limit, offset) = (filter.limit, filter.offset);
    let page = state
        .read(move |s| Ok(s.list_inspections(&filter, team)?))
        .await?;
    Ok(Json(json!({
        "items": page.items,
        "total": page.total.map(|(n, _)| n),
        "total_capped": page.total.map(|(_, capped)| capped),
        "limit": limit,
        "offset": offset,
        "next_offset": page.more.then_some(offset + limit).filter(|n| *n <= MAX_OFFSET),
        "next_cursor": page.next_cursor.map(|c| c.encode()),
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
