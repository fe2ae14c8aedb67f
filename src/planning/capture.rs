//! What one inspection record may carry (`[capture.limits]` in `default.toml`). The capture
//! door checks a record against these before it stores anything, so an oversized checklist, a
//! note of ten megabytes, a year 9999 or a GPS accuracy of 1e308 m are refused whole, with the
//! field and the limit named, instead of being stored (twice, with the audit trail).

use crate::model::{Inspection, LonLat};
use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Most choices in one multiple-choice answer.
const MAX_CHOICES: usize = 32;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaptureLimits {
    pub checklist_items: usize,
    pub checklist_key_chars: usize,
    pub checklist_value_chars: usize,
    pub notes_chars: usize,
    pub photos: usize,
    pub accuracy_max_m: f64,
    pub days_before_plan: i64,
    pub days_after_plan: i64,
    pub inspection_hours: i64,
    /// Photo types accepted, as MIME types; each photo's bytes must be of the type it claims.
    pub photo_types: Vec<String>,
}

/// A record over a limit: the field, what is wrong, and whether it is a matter of size (413)
/// rather than of value (400).
#[derive(Debug, Clone, PartialEq)]
pub struct LimitError {
    pub field: String,
    pub message: String,
    pub too_large: bool,
}

impl LimitError {
    fn value(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
            too_large: false,
        }
    }

    fn size(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            too_large: true,
            ..Self::value(field, message)
        }
    }

    pub fn too_many_photos(limit: usize) -> Self {
        Self::size("photo", format!("at most {limit} photos per inspection"))
    }
}

/// Photo types the capture door knows how to recognise by their bytes.
pub const KNOWN_PHOTO_TYPES: [&str; 4] = ["image/jpeg", "image/png", "image/webp", "image/heic"];

impl CaptureLimits {
    pub(super) fn validate(&self) -> Result<(), String> {
        for (key, v) in [
            ("capture.limits.checklist_items", self.checklist_items),
            (
                "capture.limits.checklist_key_chars",
                self.checklist_key_chars,
            ),
            (
                "capture.limits.checklist_value_chars",
                self.checklist_value_chars,
            ),
            ("capture.limits.notes_chars", self.notes_chars),
        ] {
            if v == 0 {
                return Err(format!("{key} must be at least 1"));
            }
        }
        if !(self.accuracy_max_m.is_finite() && self.accuracy_max_m > 0.0) {
            return Err("capture.limits.accuracy_max_m must be a positive number".into());
        }
        if self.days_before_plan < 0 || self.days_after_plan < 0 || self.inspection_hours < 1 {
            return Err("capture.limits: days_before_plan and days_after_plan must not be negative, inspection_hours at least 1".into());
        }
        for t in &self.photo_types {
            if !KNOWN_PHOTO_TYPES.contains(&t.as_str()) {
                return Err(format!(
                    "capture.limits.photo_types: {t:?} is not one of {}",
                    KNOWN_PHOTO_TYPES.join(", ")
                ));
            }
        }
        Ok(())
    }

    /// Checks a record that arrived for the plan of `plan_date` (the server's day).
    pub fn check(&self, i: &Inspection, plan_date: NaiveDate) -> Result<(), LimitError> {
        self.check_checklist(&i.checklist)?;
        if let Some(notes) = &i.notes {
            let n = notes.chars().count();
            if n > self.notes_chars {
                return Err(LimitError::size(
                    "notes",
                    format!("at most {} characters, got {n}", self.notes_chars),
                ));
            }
        }
        if i.photos.len() > self.photos {
            return Err(LimitError::too_many_photos(self.photos));
        }
        if let Some(g) = &i.gps
            && !(g.accuracy_m.is_finite() && (0.0..=self.accuracy_max_m).contains(&g.accuracy_m))
        {
            return Err(LimitError::value(
                "gps.accuracy_m",
                format!(
                    "must lie between 0 and {} metres, got {}",
                    self.accuracy_max_m, g.accuracy_m
                ),
            ));
        }
        let started = local_time(&i.started_at, "started_at")?;
        let earliest = plan_date - TimeDelta::days(self.days_before_plan);
        let latest = plan_date + TimeDelta::days(self.days_after_plan);
        if !(earliest..=latest).contains(&started.date()) {
            return Err(LimitError::value(
                "started_at",
                format!("must lie between {earliest} and {latest} (the plan day is {plan_date})"),
            ));
        }
        if let Some(f) = &i.finished_at {
            let finished = local_time(f, "finished_at")?;
            if finished < started {
                return Err(LimitError::value(
                    "finished_at",
                    "the inspection finished before it started",
                ));
            }
            if finished - started > TimeDelta::hours(self.inspection_hours) {
                return Err(LimitError::value(
                    "finished_at",
                    format!("at most {} hours after started_at", self.inspection_hours),
                ));
            }
        }
        Ok(())
    }

    fn check_checklist(&self, list: &serde_json::Map<String, Value>) -> Result<(), LimitError> {
        if list.len() > self.checklist_items {
            return Err(LimitError::size(
                "checklist",
                format!(
                    "at most {} answers, got {}",
                    self.checklist_items,
                    list.len()
                ),
            ));
        }
        let text_fits = |s: &str| s.chars().count() <= self.checklist_value_chars;
        for (key, value) in list {
            if key.is_empty() || key.chars().count() > self.checklist_key_chars {
                return Err(LimitError::size(
                    "checklist",
                    format!(
                        "an answer's key must have 1 to {} characters",
                        self.checklist_key_chars
                    ),
                ));
            }
            let field = format!("checklist.{key}");
            let fits = match value {
                Value::Null | Value::Bool(_) | Value::Number(_) => true,
                Value::String(s) => text_fits(s),
                Value::Array(choices) => {
                    if choices.len() > MAX_CHOICES {
                        return Err(LimitError::size(
                            field,
                            format!("at most {MAX_CHOICES} choices"),
                        ));
                    }
                    choices.iter().all(|c| match c {
                        Value::String(s) => text_fits(s),
                        Value::Number(_) | Value::Bool(_) => true,
                        _ => false,
                    })
                }
                Value::Object(_) => {
                    return Err(LimitError::value(
                        field,
                        "an answer is a yes/no, a number, a text or a list of choices, not an object",
                    ));
                }
            };
            if !fits {
                return Err(LimitError::size(
                    field,
                    format!(
                        "a text answer has at most {} characters; a list holds texts, numbers or yes/no",
                        self.checklist_value_chars
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Checks that a photo's bytes are the type it claims, and that the type is accepted.
    pub fn check_photo(&self, claimed: &str, bytes: &[u8]) -> Result<(), LimitError> {
        if !self.photo_types.iter().any(|t| t == claimed) {
            return Err(LimitError::value(
                "photo",
                format!(
                    "content type {:?} is not accepted ({})",
                    crate::model::excerpt(claimed, 60),
                    self.photo_types.join(", ")
                ),
            ));
        }
        let found = infer::get(bytes).map(|t| t.mime_type());
        // HEIC photos are HEIF containers; `infer` names them by the container.
        let matches = match claimed {
            "image/heic" => matches!(found, Some("image/heif" | "image/heic")),
            other => found == Some(other),
        };
        if !matches {
            return Err(LimitError::value(
                "photo",
                format!(
                    "the bytes are {}, not {claimed}",
                    found.unwrap_or("of no known image type")
                ),
            ));
        }
        Ok(())
    }
}

fn local_time(text: &str, field: &str) -> Result<NaiveDateTime, LimitError> {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M"))
        .map_err(|_| {
            LimitError::value(
                field,
                format!(
                    "{:?} is not a local time YYYY-MM-DDTHH:MM[:SS]",
                    crate::model::excerpt(text, 60)
                ),
            )
        })
}

/// How far a venue off the plan is from the team, in metres: from the nearest point of its
/// route's street path (`paths`, one per plan that may hold the record) or from the inspector's
/// own GPS fix, whichever is nearer; infinite with neither. An inspector may record such a
/// venue within `[dispatch] off_plan_m`.
///
/// ```
/// use patrolmap::model::LonLat;
/// use patrolmap::planning::capture::off_plan_distance_m;
/// let venue = LonLat::new(24.9400, 60.1700);
/// let street = [LonLat::new(24.9380, 60.1710), LonLat::new(24.9420, 60.1710)];
/// let d = off_plan_distance_m(venue, &[&street[..]], None);
/// assert!((d - 111.0).abs() < 2.0, "{d}");
/// ```
pub fn off_plan_distance_m(venue: LonLat, paths: &[&[LonLat]], fix: Option<LonLat>) -> f64 {
    use geo::{Distance, Euclidean};
    let frame = crate::model::LocalFrame::new(venue);
    let origin = geo::Point::new(0.0, 0.0);
    let mut nearest = fix.map_or(f64::INFINITY, |f| frame.distance_m(venue, f));
    for path in paths {
        let line: geo::LineString<f64> = path
            .iter()
            .map(|p| {
                let [x, y] = frame.to_metric(*p);
                geo::Coord { x, y }
            })
            .collect();
        let d = match line.0.len() {
            0 => continue,
            1 => Euclidean.distance(origin, geo::Point(line.0[0])),
            _ => Euclidean.distance(&origin, &line),
        };
        nearest = nearest.min(d);
    }
    nearest
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{GpsFix, LonLat, Outcome};
    use crate::planning::PlanningConfig;
    use serde_json::json;

    fn record() -> Inspection {
        Inspection {
            client_uuid: uuid::Uuid::nil(),
            venue_id: 1,
            team_id: None,
            account_id: None,
            started_at: "2026-11-20T21:30".into(),
            finished_at: Some("2026-11-20T21:50".into()),
            outcome: Outcome::Compliant,
            checklist: json!({"licence_displayed": true, "remarks": "ok", "exits": ["north"]})
                .as_object()
                .unwrap()
                .clone(),
            notes: Some("all fine".into()),
            gps: Some(GpsFix {
                at: LonLat {
                    lon: 24.94,
                    lat: 60.17,
                },
                accuracy_m: 8.0,
            }),
            photos: Vec::new(),
            sample: false,
            corrects: None,
            off_plan: false,
        }
    }

    fn limits() -> CaptureLimits {
        PlanningConfig::default().capture.limits
    }

    #[test]
    fn a_plain_record_passes_and_each_excess_names_its_field() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let l = limits();
        assert_eq!(l.check(&record(), day), Ok(()));
        let field = |i: Inspection| l.check(&i, day).unwrap_err().field;

        let mut i = record();
        i.notes = Some("x".repeat(l.notes_chars + 1));
        assert_eq!(field(i), "notes");
        let mut i = record();
        for n in 0..=l.checklist_items {
            i.checklist.insert(format!("k{n}"), json!(true));
        }
        assert_eq!(field(i), "checklist");
        let mut i = record();
        i.checklist.insert(
            "remarks".into(),
            json!("字".repeat(l.checklist_value_chars + 1)),
        );
        assert_eq!(field(i), "checklist.remarks");
        let mut i = record();
        i.checklist.insert("nested".into(), json!({"a": 1}));
        assert_eq!(field(i), "checklist.nested");
        let mut i = record();
        i.gps.as_mut().unwrap().accuracy_m = 1e308;
        assert_eq!(field(i), "gps.accuracy_m");
        let mut i = record();
        i.started_at = "9999-01-01T10:00".into();
        i.finished_at = None;
        assert_eq!(field(i), "started_at");
        let mut i = record();
        i.finished_at = Some("2026-11-22T21:50".into());
        assert_eq!(field(i), "finished_at");
    }

    #[test]
    fn a_night_record_after_midnight_and_a_backfill_are_in_the_window() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let mut i = record();
        i.started_at = "2026-11-21T00:30".into();
        i.finished_at = Some("2026-11-21T00:50".into());
        assert_eq!(limits().check(&i, day), Ok(()));
        i.started_at = "2026-01-05T10:00".into();
        i.finished_at = None;
        assert_eq!(limits().check(&i, day), Ok(()));
    }

    #[test]
    fn photos_must_be_what_they_claim() {
        let l = limits();
        let png =
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
        let jpeg = b"\xff\xd8\xff\xe0\0\x10JFIF\0\x01\x01\0\0\x01\0\x01\0\0";
        assert_eq!(l.check_photo("image/png", png), Ok(()));
        assert_eq!(l.check_photo("image/jpeg", jpeg), Ok(()));
        assert_eq!(l.check_photo("image/jpeg", png).unwrap_err().field, "photo");
        assert!(l.check_photo("image/jpeg", b"GIF89a not a jpeg").is_err());
        assert!(l.check_photo("image/gif", b"GIF89a").is_err());
    }
}
