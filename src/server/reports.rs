//! The reports of issue 13 over HTTP: the assessment (考核) of a month or quarter as JSON or
//! XLSX, the responsible units with their open/late/due counts, and one unit's list as JSON,
//! CSV or XLSX. The figures are `workflow::reports`', the same the CLI prints.

use super::Shared;
use super::auth::Signed;
use super::error::ApiError;
use super::query::Typed;
use crate::model::{AreaLevel, Role};
use crate::planning::assessment::Period;
use crate::planning::units::DEFAULT_WITHIN_DAYS;
use crate::workflow::report_files::{self, Table};
use crate::workflow::reports::{assessment_report, units_report};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::json;

pub fn routes() -> axum::Router<Shared> {
    axum::Router::new()
        .route("/api/assessment", get(assessment))
        .route("/api/units", get(units))
        .route("/api/units/{unit}/follow-ups", get(unit_follow_ups))
}

/// Who reads the reports: those who answer for follow-ups, and planners the assessment too.
const SUPERVISORS: &[Role] = &[Role::Manager, Role::Admin];
const ASSESSORS: &[Role] = &[Role::Manager, Role::Admin, Role::Planner];
/// A unit's list looks at most this far ahead.
const MAX_WITHIN_DAYS: i64 = 90;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AssessmentQuery {
    period: Option<String>,
    level: Option<String>,
    format: Option<String>,
}

/// `GET /api/assessment?period=2026-11|2026-Q4&level=township|community[&format=xlsx]`;
/// without a period, the month under way.
async fn assessment(
    State(state): State<Shared>,
    who: Signed,
    Typed(q): Typed<AssessmentQuery>,
) -> Result<Response, ApiError> {
    who.require(ASSESSORS, "read the assessment")?;
    let period = match q.period.as_deref() {
        Some(p) => Period::parse(p).map_err(|m| ApiError::bad_request("period", m))?,
        None => Period::month_of(state.now().date()),
    };
    let level = match q.level.as_deref() {
        None => AreaLevel::Township,
        Some(l) => match AreaLevel::parse(l) {
            Ok(AreaLevel::Grid) => {
                return Err(ApiError::bad_request(
                    "level",
                    "the assessment is by township or community",
                ));
            }
            Ok(level) => level,
            Err(m) => return Err(ApiError::bad_request("level", m)),
        },
    };
    let xlsx = format_is(q.format.as_deref(), &["json", "xlsx"])? == "xlsx";
    let config = state.config.clone();
    let account = who.0.clone();
    let today = state.now().date();
    let report = state
        .read(move |s| {
            Ok(assessment_report(
                s,
                &config,
                &period,
                level,
                account.scope(),
                today,
            )?)
        })
        .await?;
    if xlsx {
        let name = format!("考核-{}-{}.xlsx", report.period.label, report.level);
        return file(&report_files::assessment_tables(&report), &name, "xlsx");
    }
    Ok(Json(report).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UnitsQuery {
    within: Option<i64>,
    day: Option<String>,
    format: Option<String>,
}

impl UnitsQuery {
    fn within(&self) -> Result<i64, ApiError> {
        let within = self.within.unwrap_or(DEFAULT_WITHIN_DAYS);
        if !(0..=MAX_WITHIN_DAYS).contains(&within) {
            return Err(ApiError::bad_request(
                "within",
                format!("`within` is 0 to {MAX_WITHIN_DAYS} days, not {within}"),
            ));
        }
        Ok(within)
    }

    /// The day the lists are as of: `day`, else the district's today.
    fn day(&self, state: &Shared) -> Result<NaiveDate, ApiError> {
        match self.day.as_deref() {
            None => Ok(state.now().date()),
            Some(d) => NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").map_err(|e| {
                ApiError::bad_request("day", format!("{d:?} is not a day YYYY-MM-DD: {e}"))
            }),
        }
    }
}

/// `GET /api/units[?within=3&day=…]`: every unit with an open follow-up, with its counts.
async fn units(
    State(state): State<Shared>,
    who: Signed,
    Typed(q): Typed<UnitsQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    who.require(SUPERVISORS, "read the units' lists")?;
    if q.format.is_some() {
        return Err(ApiError::bad_request(
            "format",
            "the list of units is JSON; a unit's own list has CSV and XLSX",
        ));
    }
    let (within, day) = (q.within()?, q.day(&state)?);
    let account = who.0.clone();
    let report = state
        .read(move |s| Ok(units_report(s, day, within, account.scope())?))
        .await?;
    let counts: Vec<_> = report.units.iter().map(|u| u.counts()).collect();
    Ok(Json(json!({
        "day": report.day,
        "within_days": report.within_days,
        "units": counts,
    })))
}

/// `GET /api/units/{unit}/follow-ups[?within=3&day=…&format=csv|xlsx]`: the unit's open
/// follow-ups, late, due within `within` days, later. A unit with none has an empty list.
async fn unit_follow_ups(
    State(state): State<Shared>,
    who: Signed,
    Path(unit): Path<String>,
    Typed(q): Typed<UnitsQuery>,
) -> Result<Response, ApiError> {
    who.require(SUPERVISORS, "read a unit's list")?;
    let (within, day) = (q.within()?, q.day(&state)?);
    let format = format_is(q.format.as_deref(), &["json", "csv", "xlsx"])?;
    let unit = unit.trim().to_string();
    if unit.is_empty() {
        return Err(ApiError::bad_request("unit", "name the unit"));
    }
    let account = who.0.clone();
    let report = state
        .read(move |s| Ok(units_report(s, day, within, account.scope())?))
        .await?;
    let list = report
        .units
        .into_iter()
        .find(|u| u.unit == unit)
        .unwrap_or_else(|| crate::planning::units::UnitList {
            unit: unit.clone(),
            open: 0,
            late: Vec::new(),
            due_soon: Vec::new(),
            later: Vec::new(),
        });
    if format == "json" {
        return Ok(Json(json!({
            "day": report.day,
            "within_days": report.within_days,
            "unit": list,
        }))
        .into_response());
    }
    let name = format!("{}-整改清单-{day}.{format}", list.unit);
    file(
        &[report_files::unit_table(&list, report.within_days)],
        &name,
        format,
    )
}

fn format_is<'a>(asked: Option<&str>, known: &[&'a str]) -> Result<&'a str, ApiError> {
    let asked = asked.unwrap_or(known[0]);
    known.iter().copied().find(|k| *k == asked).ok_or_else(|| {
        ApiError::bad_request(
            "format",
            format!(
                "no {:?} format here (known: {})",
                crate::model::excerpt(asked, 20),
                known.join(", ")
            ),
        )
    })
}

/// The tables as a download: XLSX (a sheet each) or CSV (the first), with a filename.
pub(super) fn file(tables: &[Table], name: &str, format: &str) -> Result<Response, ApiError> {
    let (body, content_type) = match format {
        "csv" => (
            report_files::csv(&tables[0]).map_err(ApiError::internal)?,
            report_files::CSV,
        ),
        _ => (
            report_files::xlsx(tables).map_err(ApiError::internal)?,
            report_files::XLSX,
        ),
    };
    let mut r = body.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&content_disposition(name)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(r)
}

/// `attachment` with an ASCII fallback and the real (Chinese) name as RFC 5987 UTF-8.
fn content_disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '-' | '_' | '.' => c,
            _ => '_',
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_chinese_filename_is_sent_as_utf8_with_an_ascii_fallback() {
        assert_eq!(
            super::content_disposition("考核-2026-11.xlsx"),
            "attachment; filename=\"__-2026-11.xlsx\"; filename*=UTF-8''%E8%80%83%E6%A0%B8-2026-11.xlsx"
        );
    }
}
