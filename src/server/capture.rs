//! `POST /api/inspections`: one inspection as JSON, or `multipart/form-data` with an
//! `inspection` part and `photo` parts. The door checks everything before it stores anything:
//! the JSON (strict, one value), the UUID (one canonical form), the limits of
//! `[capture.limits]`, each photo's bytes against its claimed type, the inspector's plan. Only
//! then are photos staged, the record committed, and the photos placed; the answer comes after
//! both are durable. A refused or failed request leaves nothing behind.

use super::Shared;
use super::auth::Signed;
use super::error::{ApiError, parse_json};
use crate::model::{Account, GpsFix, Inspection, Outcome, PhotoRef, Role};
use crate::planning::capture::{CaptureLimits, LimitError, off_plan_distance_m};
use crate::planning::shift_clock;
use crate::planning::teams::Duty;
use crate::store::{PhotoFolder, StagedPhoto};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{StatusCode, header};
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// The largest inspection record (the JSON, without photos): the limits of
/// `[capture.limits]` fit in far less; this stops a huge body before it is parsed.
pub const MAX_RECORD_BYTES: usize = 256 << 10;

/// What a device sends for one inspection. The account and team come from the sign-in.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaptureBody {
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
    /// The client UUID of the record this one corrects (a new version of it).
    corrects: Option<String>,
}

/// A capture request as it arrived, parsed and checked for shape, before any store access.
#[derive(Debug)]
pub struct CaptureRequest {
    pub body: CaptureBody,
    pub photos: Vec<(PhotoRef, Bytes)>,
}

impl From<LimitError> for ApiError {
    fn from(e: LimitError) -> Self {
        let status = if e.too_large {
            StatusCode::PAYLOAD_TOO_LARGE
        } else {
            StatusCode::BAD_REQUEST
        };
        let code = if e.too_large { "too_large" } else { "invalid" };
        ApiError {
            field: Some(e.field),
            ..ApiError::new(status, code, e.message)
        }
    }
}

/// Reads a capture request: JSON, or multipart with one `inspection` part and `photo` parts.
/// Never touches the store or the disk; every refusal is a 4xx naming the part or field.
pub async fn parse_capture(
    request: Request,
    limits: &CaptureLimits,
    max_photo_bytes: usize,
) -> Result<CaptureRequest, ApiError> {
    let (body, photos) =
        parse_form(request, limits, max_photo_bytes, "inspection", parse_record).await?;
    Ok(CaptureRequest { body, photos })
}

/// A JSON body, or a form of one JSON part named `part` and `photo` parts (each checked
/// against the capture limits and hashed): what the capture and the follow-up evidence take.
pub async fn parse_form<T>(
    request: Request,
    limits: &CaptureLimits,
    max_photo_bytes: usize,
    part: &'static str,
    parse: fn(&[u8]) -> Result<T, ApiError>,
) -> Result<(T, Vec<(PhotoRef, Bytes)>), ApiError> {
    let is_multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !is_multipart {
        let bytes = Bytes::from_request(request, &())
            .await
            .map_err(|e| ApiError::new(e.status(), "invalid", e.body_text()))?;
        return Ok((parse(&bytes)?, Vec::new()));
    }
    let mut form = Multipart::from_request(request, &())
        .await
        .map_err(|e| ApiError::new(e.status(), "invalid", e.body_text()))?;
    let part_error = |e: axum::extract::multipart::MultipartError| {
        ApiError::new(e.status(), "invalid", e.body_text())
    };
    let mut body = None;
    let mut photos = Vec::new();
    while let Some(mut field) = form.next_field().await.map_err(part_error)? {
        match field.name().unwrap_or_default() {
            name if name == part && body.is_some() => {
                return Err(ApiError::bad_request(
                    part,
                    format!("the form has two `{part}` parts"),
                ));
            }
            name if name == part => {
                // Read whole (within the request's limit) so an oversized record names its field.
                let bytes = read_part(&mut field, usize::MAX, part).await?;
                body = Some(parse(&bytes)?);
            }
            "photo" => {
                if photos.len() >= limits.photos {
                    return Err(LimitError::too_many_photos(limits.photos).into());
                }
                let content_type = field.content_type().unwrap_or_default().to_string();
                let data = read_part(&mut field, max_photo_bytes, "photo").await?;
                if data.is_empty() {
                    return Err(ApiError::bad_request("photo", "the photo is empty"));
                }
                limits.check_photo(&content_type, &data)?;
                let sha256 = format!("{:x}", Sha256::digest(&data));
                photos.push((
                    PhotoRef {
                        sha256,
                        content_type,
                        bytes: data.len() as u64,
                    },
                    data,
                ));
            }
            other => {
                return Err(ApiError::bad_request(
                    crate::model::excerpt(other, 40),
                    format!("unknown form part (expected `{part}` and `photo`)"),
                ));
            }
        }
    }
    let body =
        body.ok_or_else(|| ApiError::bad_request(part, format!("the form has no `{part}` part")))?;
    Ok((body, photos))
}

/// A part read in chunks, so an oversized one is refused before it is all in memory.
async fn read_part(
    field: &mut axum::extract::multipart::Field<'_>,
    limit: usize,
    name: &str,
) -> Result<Bytes, ApiError> {
    let mut data = Vec::new();
    while let Some(chunk) = field
        .chunk()
        .await
        .map_err(|e| ApiError::new(e.status(), "invalid", e.body_text()))?
    {
        data.extend_from_slice(&chunk);
        if data.len() > limit {
            return Err(ApiError {
                field: Some(name.to_string()),
                ..ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "too_large",
                    format!("a `{name}` part may have at most {limit} bytes"),
                )
            });
        }
    }
    Ok(Bytes::from(data))
}

fn parse_record(bytes: &[u8]) -> Result<CaptureBody, ApiError> {
    if bytes.len() > MAX_RECORD_BYTES {
        return Err(oversized_record(bytes));
    }
    parse_json(bytes)
}

/// A record over the size limit, refused with the field that makes it so big: the top-level
/// values are only delimited (borrowed, not built), so naming the field costs little.
fn oversized_record(bytes: &[u8]) -> ApiError {
    let fields: Result<std::collections::HashMap<&str, &serde_json::value::RawValue>, _> =
        serde_json::from_slice(bytes);
    let biggest = fields.ok().and_then(|f| {
        f.into_iter()
            .max_by_key(|(_, v)| v.get().len())
            .map(|(k, v)| (k.to_string(), v.get().len()))
    });
    let (field, message) = match biggest {
        Some((field, size)) => (
            crate::model::excerpt(&field, 40),
            format!(
                "an inspection record may have at most {MAX_RECORD_BYTES} bytes without its photos; this one has {} bytes, {size} of them in `{}`",
                bytes.len(),
                crate::model::excerpt(&field, 40)
            ),
        ),
        None => (
            "inspection".to_string(),
            format!(
                "an inspection record may have at most {MAX_RECORD_BYTES} bytes without its photos; this one has {}",
                bytes.len()
            ),
        ),
    };
    ApiError {
        field: Some(field),
        ..ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", message)
    }
}

impl CaptureBody {
    /// The record as the store keeps it, for `account`: the UUID in its one form, the outcome
    /// parsed, the team from the sign-in (an inspector records for its own team only).
    pub fn into_inspection(
        self,
        account: &Account,
        photos: Vec<PhotoRef>,
    ) -> Result<Inspection, ApiError> {
        let client_uuid = uuid::Uuid::parse_str(self.client_uuid.trim()).map_err(|e| {
            ApiError::bad_request(
                "client_uuid",
                format!(
                    "{:?} is not a UUID: {e}",
                    crate::model::excerpt(&self.client_uuid, 60)
                ),
            )
        })?;
        let outcome =
            Outcome::parse(&self.outcome).map_err(|m| ApiError::bad_request("outcome", m))?;
        let corrects = self
            .corrects
            .as_deref()
            .map(|c| {
                uuid::Uuid::parse_str(c.trim()).map_err(|e| {
                    ApiError::bad_request(
                        "corrects",
                        format!("{:?} is not a UUID: {e}", crate::model::excerpt(c, 60)),
                    )
                })
            })
            .transpose()?;
        let team_id = match account.role {
            Role::Inspector => {
                if self.team_id.is_some_and(|t| Some(t) != account.team_id) {
                    return Err(ApiError::forbidden(
                        "an inspector records for its own team only",
                    ));
                }
                account.team_id
            }
            _ => self.team_id,
        };
        if let Some(g) = &self.gps {
            crate::model::LonLat::validate(g.at.lon, g.at.lat)
                .map_err(|m| ApiError::bad_request("gps.at", m))?;
        }
        Ok(Inspection {
            client_uuid,
            venue_id: self.venue_id,
            team_id,
            account_id: Some(account.id),
            started_at: self.started_at,
            finished_at: self.finished_at,
            outcome,
            checklist: self.checklist,
            notes: self.notes,
            gps: self.gps,
            photos,
            sample: false,
            off_plan: false,
            corrects,
        })
    }
}

pub async fn capture(
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
    let limits = &state.config.capture.limits;
    let CaptureRequest { body, photos } =
        parse_capture(request, limits, state.options.max_photo_bytes).await?;
    let refs = photos.iter().map(|(r, _)| r.clone()).collect();
    let inspection = body.into_inspection(&account, refs)?;
    super::scope::may_act_on_venue(&state, &account, inspection.venue_id).await?;
    // An inspector's first rule is the team's plan; then what any record may carry.
    let mut inspection = inspection;
    if let Some(old) = inspection.corrects {
        // A correction tells the same visit again: it was checked against the plan when first
        // recorded, and an inspector corrects its own team's records only.
        let version = state
            .read(move |store| Ok(store.inspection_version(&old.to_string())?))
            .await?
            .ok_or_else(|| {
                ApiError::bad_request("corrects", format!("no inspection {old} to correct"))
            })?;
        if account.role == Role::Inspector && version.team_id != account.team_id {
            return Err(ApiError::forbidden(
                "an inspector corrects its own team's records only",
            ));
        }
        inspection.off_plan = version.off_plan;
    } else if account.role == Role::Inspector {
        let (team, venue) = (account.team_id.unwrap_or(-1), inspection.venue_id);
        let started = crate::store::parse_local_time(&inspection.started_at, "started_at")?;
        let fix = inspection.gps.map(|g| g.at);
        let shift = state
            .roster()
            .await?
            .iter()
            .find(|t| t.team.id == team)
            .map(|t| t.team.shift);
        let off_plan_m = state.config.dispatch.off_plan_m;
        inspection.off_plan = state
            .read(move |store| {
                // A plan belongs to its shift, by the one rule of `planning::shift_clock`: a
                // night shift's record at 00:30 belongs to the plan of the day before.
                let mut planned = Vec::new();
                for d in shift_clock::candidate_days(started) {
                    if store.planned_venues(team, d)?.contains(&venue) {
                        planned.push(d);
                    }
                }
                if shift.and_then(|s| shift_clock::plan_of_record(started, s, &planned)).is_some() {
                    return Ok(false);
                }
                // Only an off-plan record pays for reading the team's routes.
                let mut routes = Vec::new();
                for d in shift_clock::candidate_days(started) {
                    let holds = shift.and_then(|s| shift_clock::plan_of_record(started, s, &[d]));
                    if holds == Some(d)
                        && let Some(plan) = store.published_plan_for(d, Duty::Inspection)?
                    {
                        routes.extend(plan.routes.into_iter().filter(|r| r.team_id == team));
                    }
                }
                let when = started.format("%Y-%m-%d %H:%M");
                if routes.is_empty() {
                    return Err(ApiError::forbidden(format!(
                        "venue {venue} is not on your team's plan for the shift at {when}"
                    )));
                }
                // Off the plan: a registered venue near the team's route or the inspector.
                let at = store.venue_position(venue)?.ok_or_else(|| {
                    ApiError::forbidden(format!(
                        "venue {venue} is not on your team's plan for the shift at {when}, nor a registered venue"
                    ))
                })?;
                let paths: Vec<&[crate::model::LonLat]> = routes.iter().map(|r| &r.path[..]).collect();
                let distance = off_plan_distance_m(at, &paths, fix);
                if distance <= off_plan_m {
                    return Ok(true);
                }
                let far = if distance.is_finite() {
                    format!("{distance:.0} m")
                } else {
                    "far".to_string()
                };
                Err(ApiError::forbidden(format!(
                    "venue {venue} is not on your team's plan for the shift at {when} and is {far} from your team's route and your position: an off-plan inspection must be within {off_plan_m:.0} m"
                )))
            })
            .await?;
    }
    let off_plan = inspection.off_plan;
    limits.check(&inspection, state.plan_date().await?)?;
    let staged = stage_photos(&state, photos).await?;
    let config = state.config.clone();
    let date = state.plan_date().await?;
    // Dropped on any error below, the staged photos are deleted with it.
    let recorded = state
        .write(move |store| {
            Ok(crate::workflow::refresh::record_inspection(
                store,
                &config,
                &inspection,
                date,
            )?)
        })
        .await?;
    place_photos(staged).await?;
    state.metrics.inspection_recorded(recorded.created);
    let status = if recorded.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let mut body = json!(recorded);
    body["off_plan"] = json!(off_plan);
    Ok((status, Json(body)))
}

/// Writes photos to the data folder's staging area before the record that names them commits.
pub async fn stage_photos(
    state: &Shared,
    photos: Vec<(PhotoRef, Bytes)>,
) -> Result<Vec<StagedPhoto>, ApiError> {
    let folder = PhotoFolder::new(&state.data);
    tokio::task::spawn_blocking(move || {
        photos
            .iter()
            .map(|(r, bytes)| folder.stage(r, bytes))
            .collect::<std::io::Result<Vec<StagedPhoto>>>()
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(ApiError::internal)
}

/// Places staged photos once their record committed. Every photo is tried: one that cannot be
/// placed now stays staged for the start-up sweep.
pub async fn place_photos(staged: Vec<StagedPhoto>) -> Result<(), ApiError> {
    tokio::task::spawn_blocking(move || {
        let mut first_error = Ok(());
        for photo in staged {
            if let Err(e) = photo.place() {
                first_error = first_error.and(Err(e));
            }
        }
        first_error
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(ApiError::internal)
}
