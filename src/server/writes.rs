//! Everything that changes the store over HTTP: inspection capture (JSON, or multipart with
//! photos), lamp status, suspensions, accounts; and the audit trail and follow-ups to read.
//! Each write needs a role, goes through the same store functions as the CLI, and answers only
//! after the commit is durable.

use super::Shared;
use super::auth::Signed;
use super::error::{ApiError, parse_json};
use crate::model::{FollowUpStatus, GpsFix, Inspection, LampStatus, Outcome, PhotoRef, Role};
use crate::store::parse_local_time;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::routing::{get, post, put};
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path as FsPath, PathBuf};

pub fn routes(options: &super::ServeOptions) -> axum::Router<Shared> {
    axum::Router::new()
        .route(
            "/api/inspections",
            post(capture).layer(DefaultBodyLimit::max(options.max_request_bytes)),
        )
        .route("/api/follow-ups", get(follow_ups))
        .route("/api/venues/{id}/clear-suspension", post(clear_suspension))
        .route("/api/lamps/{id}/status", put(lamp_status))
        .route("/api/accounts", post(add_account))
        .route("/api/audit", get(audit))
}

/// What a device sends for one inspection. The account and team come from the sign-in.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaptureBody {
    client_uuid: String,
    venue_id: i64,
    started_at: String,
    finished_at: Option<String>,
    outcome: String,
    #[serde(default)]
    checklist: serde_json::Map<String, Value>,
    notes: Option<String>,
    gps: Option<GpsFix>,
    /// Managers recording for a team; an inspector's own team is used otherwise.
    team_id: Option<i64>,
}

const PHOTO_TYPES: &[(&str, &str)] = &[
    ("image/jpeg", "jpg"),
    ("image/png", "png"),
    ("image/webp", "webp"),
    ("image/heic", "heic"),
];
const MAX_PHOTOS: usize = 12;
const MAX_NOTES_CHARS: usize = 4_000;

async fn capture(
    State(state): State<Shared>,
    who: Signed,
    request: Request,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let account = who
        .require(
            &[Role::Inspector, Role::Manager, Role::Admin],
            "record inspections",
        )?
        .clone();
    let is_multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let (body, photos) = if is_multipart {
        read_multipart(&state, request).await?
    } else {
        let bytes = Bytes::from_request(request, &state)
            .await
            .map_err(|e| ApiError::new(e.status(), "invalid", e.body_text()))?;
        (parse_json::<CaptureBody>(&bytes)?, Vec::new())
    };
    let outcome = Outcome::parse(&body.outcome).map_err(|m| ApiError::bad_request("outcome", m))?;
    if body
        .notes
        .as_ref()
        .is_some_and(|n| n.chars().count() > MAX_NOTES_CHARS)
    {
        return Err(ApiError::bad_request(
            "notes",
            format!("at most {MAX_NOTES_CHARS} characters"),
        ));
    }
    let team_id = match account.role {
        Role::Inspector => {
            if body.team_id.is_some_and(|t| Some(t) != account.team_id) {
                return Err(ApiError::forbidden(
                    "an inspector records for its own team only",
                ));
            }
            account.team_id
        }
        _ => body.team_id,
    };
    let started = parse_local_time(&body.started_at, "started_at")?;
    let inspection = Inspection {
        client_uuid: body.client_uuid.trim().to_lowercase(),
        venue_id: body.venue_id,
        team_id,
        account_id: Some(account.id),
        started_at: body.started_at,
        finished_at: body.finished_at,
        outcome,
        checklist: body.checklist,
        notes: body.notes,
        gps: body.gps,
        photos: photos.iter().map(|(r, _)| r.clone()).collect(),
        sample: false,
    };
    if account.role == Role::Inspector {
        // Checked before any photo is written: a refused upload leaves nothing behind.
        let (team, venue, day) = (
            account.team_id.unwrap_or(-1),
            inspection.venue_id,
            started.date(),
        );
        state
            .read(move |store| {
                // A night shift's plan is the day it started: 01:30 belongs to yesterday's plan.
                for d in [day, day - chrono::Days::new(1)] {
                    if store.planned_venues(team, d)?.contains(&venue) {
                        return Ok(());
                    }
                }
                Err(ApiError::forbidden(format!(
                    "venue {venue} is not on your team's plan for {day}"
                )))
            })
            .await?;
    }
    // Photos are on disk (synced) before the record that names them commits.
    let dir = state.data.join("photos");
    for (r, bytes) in &photos {
        save_photo(&dir, r, bytes).map_err(ApiError::internal)?;
    }
    let config = state.config.clone();
    let recorded = state
        .write(move |store| Ok(store.record_inspection(&inspection, &config)?))
        .await?;
    let status = if recorded.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(json!(recorded))))
}

async fn read_multipart(
    state: &Shared,
    request: Request,
) -> Result<(CaptureBody, Vec<(PhotoRef, Bytes)>), ApiError> {
    let mut form = Multipart::from_request(request, state)
        .await
        .map_err(|e| ApiError::new(e.status(), "invalid", e.body_text()))?;
    let mut body = None;
    let mut photos = Vec::new();
    let limit = state.options.max_photo_bytes;
    let too_big = |e: axum::extract::multipart::MultipartError| {
        ApiError::new(e.status(), "invalid", e.body_text())
    };
    while let Some(mut field) = form.next_field().await.map_err(too_big)? {
        match field.name().unwrap_or_default() {
            "inspection" => {
                let bytes = field.bytes().await.map_err(too_big)?;
                body = Some(parse_json::<CaptureBody>(&bytes)?);
            }
            "photo" => {
                if photos.len() >= MAX_PHOTOS {
                    return Err(ApiError::bad_request(
                        "photo",
                        format!("at most {MAX_PHOTOS} photos per inspection"),
                    ));
                }
                let content_type = field.content_type().unwrap_or_default().to_string();
                if !PHOTO_TYPES.iter().any(|(t, _)| *t == content_type) {
                    return Err(ApiError::bad_request(
                        "photo",
                        format!(
                            "content type {content_type:?} is not a photo (JPEG, PNG, WebP or HEIC)"
                        ),
                    ));
                }
                // Read in chunks so an oversized photo is refused before it is all in memory.
                let mut data = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(too_big)? {
                    data.extend_from_slice(&chunk);
                    if data.len() > limit {
                        return Err(ApiError::new(
                            StatusCode::PAYLOAD_TOO_LARGE,
                            "too_large",
                            format!("a photo may have at most {limit} bytes"),
                        ));
                    }
                }
                if data.is_empty() {
                    return Err(ApiError::bad_request("photo", "the photo is empty"));
                }
                let sha256 = format!("{:x}", Sha256::digest(&data));
                photos.push((
                    PhotoRef {
                        sha256,
                        content_type,
                        bytes: data.len() as u64,
                    },
                    Bytes::from(data),
                ));
            }
            other => {
                return Err(ApiError::bad_request(
                    other.to_string(),
                    "unknown form part (expected `inspection` and `photo`)",
                ));
            }
        }
    }
    let body = body
        .ok_or_else(|| ApiError::bad_request("inspection", "the form has no `inspection` part"))?;
    Ok((body, photos))
}

/// Where a photo lives: under its content hash, so a retried upload writes nothing new.
pub fn photo_path(dir: &FsPath, photo: &PhotoRef) -> PathBuf {
    let ext = PHOTO_TYPES
        .iter()
        .find(|(t, _)| *t == photo.content_type)
        .map_or("bin", |(_, e)| e);
    dir.join(&photo.sha256[..2])
        .join(format!("{}.{ext}", photo.sha256))
}

fn save_photo(dir: &FsPath, photo: &PhotoRef, bytes: &[u8]) -> std::io::Result<()> {
    let path = photo_path(dir, photo);
    if path.exists() {
        return Ok(());
    }
    let folder = path.parent().unwrap_or(dir);
    std::fs::create_dir_all(folder)?;
    // Written beside, synced, then renamed: a crash leaves no half photo under the hash.
    let tmp = folder.join(format!(".{}.part", uuid::Uuid::new_v4().simple()));
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, &path)?;
    std::fs::File::open(folder)?.sync_all()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FollowUpQuery {
    status: Option<String>,
}

async fn follow_ups(
    State(state): State<Shared>,
    who: Signed,
    Query(q): Query<FollowUpQuery>,
) -> Result<Json<Value>, ApiError> {
    who.require(
        &[Role::Manager, Role::Admin, Role::Planner],
        "list follow-ups",
    )?;
    let status = q
        .status
        .map(|s| FollowUpStatus::parse(&s).map_err(|m| ApiError::bad_request("status", m)))
        .transpose()?;
    let list = state.read(move |s| Ok(s.follow_ups(status)?)).await?;
    Ok(Json(json!({ "follow_ups": list })))
}

async fn clear_suspension(
    State(state): State<Shared>,
    who: Signed,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    let by = who
        .require(&[Role::Manager, Role::Admin], "clear a suspension")?
        .id;
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
}

async fn add_account(
    State(state): State<Shared>,
    who: Signed,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let by = who.require(&[Role::Admin], "create accounts")?.id;
    let a: NewAccount = parse_json(&body)?;
    let role = Role::parse(&a.role).map_err(|m| ApiError::bad_request("role", m))?;
    let account = state
        .write(move |s| Ok(s.add_account(&a.username, &a.password, role, a.team_id, Some(by))?))
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
    Query(q): Query<AuditQuery>,
) -> Result<Json<Value>, ApiError> {
    who.require(&[Role::Manager, Role::Admin], "read the audit trail")?;
    let limit = q.limit.unwrap_or(100).clamp(1, 1_000);
    let events = state
        .read(move |s| Ok(s.audit_events(limit, q.before)?))
        .await?;
    Ok(Json(json!({ "events": events })))
}
