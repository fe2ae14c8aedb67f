//! What the web map asks for besides its layers: the settings it boots with, the illuminance at a
//! clicked point and findings week by week (the manager's tables are `tables.rs`). Every figure
//! comes from the same library function the CLI prints it with, so the map and the command line
//! never disagree.

use super::Shared;
use super::auth::Signed;
use super::error::ApiError;
use crate::model::{LonLat, Outcome, Role, VenueKind};
use crate::tiles::basemap::ATTRIBUTION;
use crate::workflow::{CityLighting, weekly_findings};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::routing::get;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::ops::RangeInclusive;
use std::sync::Arc;

/// A click is rarely on a centre line; beyond this the point is off the street network (a yard,
/// a park) and no street's standard applies to it.
const NEAREST_STREET_M: f64 = 50.0;
const DEFAULT_WEEKS: usize = 8;
const MAX_WEEKS: usize = 52;
const BASEMAP: &str = "basemap";

pub fn routes() -> axum::Router<Shared> {
    axum::Router::new()
        .route("/api/app", get(app))
        .route("/api/lighting/at", get(lighting_at))
        .route("/api/findings", get(findings))
        .route("/api/overdue", get(super::tables::overdue))
        .route("/api/coverage", get(super::tables::coverage))
}

/// The lighting model as of one store version. Building it reads every street and lamp, so it
/// is kept until the store changes rather than built per click.
#[derive(Default)]
pub struct LightingCache(tokio::sync::Mutex<Option<(i64, Arc<CityLighting>)>>);

type Params = Result<Query<HashMap<String, String>>, QueryRejection>;

/// The query's parameters; one not in `known` is refused, so a misspelt name never passes as
/// the default.
fn params(query: Params, known: &[&str]) -> Result<HashMap<String, String>, ApiError> {
    let Query(map) = query.map_err(|e| ApiError::bad_request("query", e.body_text()))?;
    if let Some(unknown) = map.keys().find(|k| !known.contains(&k.as_str())) {
        return Err(ApiError::bad_request(
            unknown.clone(),
            format!(
                "unknown query parameter (known: {})",
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            ),
        ));
    }
    Ok(map)
}

fn coordinate(
    map: &HashMap<String, String>,
    field: &str,
    range: RangeInclusive<f64>,
) -> Result<f64, ApiError> {
    let text = map.get(field).ok_or_else(|| {
        ApiError::bad_request(field, format!("`{field}` is required (WGS-84 degrees)"))
    })?;
    let value = text
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| ApiError::bad_request(field, format!("{text:?} is not a finite number")))?;
    if !range.contains(&value) {
        return Err(ApiError::bad_request(
            field,
            format!("{value} is outside {}..{}", range.start(), range.end()),
        ));
    }
    Ok(value)
}

/// Boot settings for the browser; public, as it holds nothing the login page may not show.
/// With a valid token, `plan_date` is the caller's own plan day (an inspector's is its team's
/// current plan, see `clock`); without one (or with a stale one) the server's plan day.
async fn app(
    State(state): State<Shared>,
    mut parts: axum::http::request::Parts,
) -> Result<Json<Value>, ApiError> {
    use axum::extract::FromRequestParts;
    let signed = match parts
        .headers
        .contains_key(axum::http::header::AUTHORIZATION)
    {
        true => Signed::from_request_parts(&mut parts, &state).await.ok(),
        false => None,
    };
    let plan_date = match &signed {
        Some(who) => state.day_for(&who.0).await?,
        None => state.plan_date().await?,
    };
    // No archive (or an unreadable one, which `reader` logs) leaves the map without a basemap
    // rather than failing the whole app.
    let basemap = super::tiles::reader(&state, BASEMAP).await.ok().map(|r| {
        let h = r.get_header();
        json!({
            "archive": format!("/tiles/{BASEMAP}.pmtiles"),
            "bounds": [h.min_longitude, h.min_latitude, h.max_longitude, h.max_latitude],
            "center": [h.center_longitude, h.center_latitude],
            "minzoom": h.min_zoom,
            "maxzoom": h.max_zoom,
        })
    });
    let c = &state.config;
    Ok(Json(json!({
        "plan_date": plan_date,
        "utc_offset_minutes": c.utc_offset_minutes,
        "attribution": ATTRIBUTION,
        "basemap": basemap,
        "kinds": VenueKind::ALL.map(VenueKind::as_str),
        "outcomes": Outcome::ALL.map(Outcome::as_str),
        "checklists": c.checklists,
        "gps": c.capture,
        "dispatch": {
            "skip_reasons": c.dispatch.skip_reasons,
            "off_plan_m": c.dispatch.off_plan_m,
        },
        // Where the insecure-origin banner sends phones: the public address, when it is HTTPS.
        "https_url": state
            .options
            .public_url
            .as_deref()
            .filter(|u| u.starts_with("https://")),
    })))
}

/// The model built with the newest lighting run's configuration (the one behind the blind spots
/// on the map), or the defaults before any run; rebuilt only when the store has changed.
async fn city_lighting(state: &Shared) -> Result<Arc<CityLighting>, ApiError> {
    let mut cache = state.lighting.0.lock().await;
    let version = state.content_revision().await?;
    if let Some((built_at, lighting)) = cache.as_ref()
        && *built_at == version
    {
        return Ok(lighting.clone());
    }
    let (version, lighting) = state
        .read(|s| {
            // Read first: a write during the build leaves an older version, so the next
            // request builds again.
            let version = s.content_revision()?;
            let config = s.lighting_config()?.unwrap_or_default();
            Ok((version, CityLighting::load(s, &config)?))
        })
        .await?;
    let lighting = Arc::new(lighting);
    *cache = Some((version, lighting.clone()));
    Ok(lighting)
}

/// `patrolmap lighting --at LON,LAT --json`, plus the standard of the street nearest the point.
async fn lighting_at(
    State(state): State<Shared>,
    who: Signed,
    query: Params,
) -> Result<Json<Value>, ApiError> {
    who.require(
        &[Role::Planner, Role::Manager, Role::Admin],
        "query the lighting model",
    )?;
    let map = params(query, &["lon", "lat"])?;
    let at = LonLat::new(
        coordinate(&map, "lon", -180.0..=180.0)?,
        coordinate(&map, "lat", -90.0..=90.0)?,
    );
    let lighting = city_lighting(&state).await?;
    let mut answer = serde_json::to_value(lighting.at(at)).map_err(ApiError::internal)?;
    answer["nearest_street"] = json!(lighting.street_near(at, NEAREST_STREET_M));
    Ok(Json(answer))
}

/// Inspections and outcomes per week, the last week ending on the plan date.
async fn findings(
    State(state): State<Shared>,
    who: Signed,
    query: Params,
) -> Result<Json<Value>, ApiError> {
    who.require(
        &[Role::Manager, Role::Admin, Role::Planner],
        "read findings by week",
    )?;
    let map = params(query, &["weeks"])?;
    let weeks = match map.get("weeks") {
        None => DEFAULT_WEEKS,
        Some(text) => text
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|w| (1..=MAX_WEEKS).contains(w))
            .ok_or_else(|| {
                ApiError::bad_request(
                    "weeks",
                    format!("{text:?} is not a whole number from 1 to {MAX_WEEKS}"),
                )
            })?,
    };
    let last_day = state.plan_date().await?;
    let account = who.0.clone();
    let weeks = state
        .read(move |s| Ok(weekly_findings(s, last_day, weeks, account.scope())?))
        .await?;
    Ok(Json(json!({ "weeks": weeks })))
}
