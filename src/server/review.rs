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
        .route(
            "/api/photos/{sha256}/thumbnail",
            axum::routing::get(thumbnail),
        )
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
            // The caller's areas, set by the handler from the account, never by the query.
            scope: None,
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
    let mut filter = ListQuery(map).filter()?;
    filter.scope = who.0.scope().map(<[i64]>::to_vec);
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
    // And so is one of a venue outside the areas the account answers for.
    if !super::scope::sees_venue(&state, &who.0, d.row.venue_id).await? {
        return Err(missing());
    }
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

/// The photo `sha256` if the caller may read a record (or a follow-up) that has it; else 404.
async fn readable_photo(
    state: &Shared,
    who: &Signed,
    sha256: &str,
) -> Result<crate::model::PhotoRef, ApiError> {
    let team = team_scope(who)?;
    let sha256 = sha256.to_ascii_lowercase();
    if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ApiError::bad_request("sha256", "not a SHA-256 in hex"));
    }
    let key = sha256.clone();
    let scope = who.0.scope().map(<[i64]>::to_vec);
    let found = state
        .read(move |s| {
            // A record's photo, or (for those who read follow-ups) a follow-up's evidence;
            // either of a venue in the caller's areas.
            let photo = match s.photo_for(&key, team)? {
                Some(p) => Some(p),
                None if team.is_none() => s.evidence_photo(&key)?,
                None => None,
            };
            Ok(match photo {
                Some(p) if s.photo_in_scope(&key, scope.as_deref())? => Some(p),
                _ => None,
            })
        })
        .await?;
    found.ok_or_else(|| ApiError::not_found(format!("no photo {sha256} you may read")))
}

/// `GET /api/photos/{sha256}`: the bytes as stored, for a caller who may read a record with it.
async fn photo(
    State(state): State<Shared>,
    who: Signed,
    Path(sha256): Path<String>,
) -> Result<Response, ApiError> {
    let photo = readable_photo(&state, &who, &sha256).await?;
    serve_photo(&PhotoFolder::new(&state.data).path(&photo), &photo).await
}

/// A photo file's bytes with its type; named by its content, so cached for good (privately).
async fn serve_photo(
    path: &std::path::Path,
    photo: &crate::model::PhotoRef,
) -> Result<Response, ApiError> {
    let sha256 = &photo.sha256;
    let bytes = tokio::fs::read(path).await.map_err(|e| {
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

/// `GET /api/photos/{sha256}/thumbnail`: a JPEG at most 320 px on its longest edge, made on
/// first read; the photo as stored when its type has no decoder here (HEIC).
async fn thumbnail(
    State(state): State<Shared>,
    who: Signed,
    Path(sha256): Path<String>,
) -> Result<Response, ApiError> {
    let photo = readable_photo(&state, &who, &sha256).await?;
    let folder = PhotoFolder::new(&state.data);
    let original = photo.clone();
    let made = tokio::task::spawn_blocking(move || folder.thumbnail(&original))
        .await
        .map_err(ApiError::internal)?
        .map_err(|e| ApiError::internal(format!("thumbnail of {}: {e}", photo.sha256)))?;
    match made {
        Some(path) => {
            let thumb = crate::model::PhotoRef {
                content_type: "image/jpeg".into(),
                ..photo
            };
            serve_photo(&path, &thumb).await
        }
        None => serve_photo(&PhotoFolder::new(&state.data).path(&photo), &photo).await,
    }
}
