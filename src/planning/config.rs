//! Planning configuration: frequencies, risk weights, follow-up rules and plan settings, read
//! from TOML over the documented defaults in `default.toml` (which is also the users' template).

use crate::model::layered_toml;
use crate::model::{Outcome, VenueKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

pub const DEFAULT_TOML: &str = include_str!("default.toml");

/// One value per venue kind; a missing kind is an error, so no kind is ever silently zero.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PerKind<T> {
    pub entertainment: T,
    pub bathhouse: T,
    pub rental: T,
    pub other: T,
}

impl<T> PerKind<T> {
    pub fn get(&self, kind: VenueKind) -> &T {
        match kind {
            VenueKind::Entertainment => &self.entertainment,
            VenueKind::Bathhouse => &self.bathhouse,
            VenueKind::Rental => &self.rental,
            VenueKind::Other => &self.other,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PerOutcome<T> {
    pub compliant: T,
    pub violation: T,
    pub drug_related: T,
    pub closed_on_arrival: T,
    pub refused_entry: T,
}

impl<T> PerOutcome<T> {
    pub fn get(&self, outcome: Outcome) -> &T {
        match outcome {
            Outcome::Compliant => &self.compliant,
            Outcome::Violation => &self.violation,
            Outcome::DrugRelated => &self.drug_related,
            Outcome::ClosedOnArrival => &self.closed_on_arrival,
            Outcome::RefusedEntry => &self.refused_entry,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskWeights {
    pub points_per_overdue_day: f64,
    pub max_overdue_days: i64,
    pub never_inspected_overdue_days: i64,
    pub points_per_open_follow_up: f64,
    pub points_per_complaint: f64,
    pub max_complaints: u32,
    pub darkness_radius_m: f64,
    pub points_per_darkness: f64,
    pub max_darkness_points: f64,
    pub findings_days: i64,
    pub findings_bandwidth_m: f64,
    pub points_per_finding: f64,
    pub max_findings_points: f64,
    pub kind_points: PerKind<f64>,
    pub last_outcome_points: PerOutcome<f64>,
}

/// What a finding raises.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FollowUpRule {
    pub action: String,
    pub unit: String,
    pub deadline_days: i64,
    pub suspend: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanSettings {
    pub candidate_pool_factor: f64,
    pub assumed_travel_minutes: f64,
    pub follow_up_lead_days: i64,
    pub seconds: f64,
    pub seed: u64,
    pub high_risk_score: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrewSettings {
    pub repair_minutes: i64,
    pub install_minutes: i64,
    pub proposals: usize,
}

/// One line of a kind's inspection checklist. The id is the key the capture form records the
/// answer under, so it must stay stable once inspections use it; the labels may change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChecklistItem {
    pub id: String,
    pub zh: String,
    pub en: String,
}

/// When the capture form warns about a GPS fix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaptureSettings {
    pub poor_accuracy_m: f64,
    pub far_from_venue_m: f64,
    pub limits: super::capture::CaptureLimits,
}

/// Dispatch: the scheduled draft, re-optimisation time, skip reasons, off-plan distance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DispatchSettings {
    pub draft_at: String,
    pub auto_publish: bool,
    pub seconds: f64,
    pub skip_reasons: Vec<String>,
    pub off_plan_m: f64,
    pub adhoc_minutes: i64,
}

impl DispatchSettings {
    /// The daily draft's local time, None when the schedule is off.
    pub fn draft_time(&self) -> Result<Option<chrono::NaiveTime>, String> {
        let t = self.draft_at.trim();
        if t.is_empty() {
            return Ok(None);
        }
        chrono::NaiveTime::parse_from_str(t, "%H:%M:%S")
            .or_else(|_| chrono::NaiveTime::parse_from_str(t, "%H:%M"))
            .map(Some)
            .map_err(|_| format!("dispatch.draft_at: {t:?} is not HH:MM or HH:MM:SS"))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanningConfig {
    pub utc_offset_minutes: i32,
    pub frequency_days: PerKind<i64>,
    pub service_minutes: PerKind<i64>,
    pub required_units: PerKind<Vec<String>>,
    /// Hours to call at venues without their own opening hours (empty: any time).
    pub visiting_hours: PerKind<String>,
    pub risk: RiskWeights,
    /// Keyed by outcome name (`violation`, …); outcomes without a rule raise nothing.
    pub follow_up: BTreeMap<String, FollowUpRule>,
    pub plan: PlanSettings,
    pub lighting_crew: CrewSettings,
    pub checklists: PerKind<Vec<ChecklistItem>>,
    pub capture: CaptureSettings,
    pub dispatch: DispatchSettings,
    pub supervision: super::supervision::SupervisionSettings,
}

impl Default for PlanningConfig {
    fn default() -> Self {
        toml::from_str(DEFAULT_TOML)
            .expect("the bundled default.toml is valid (a unit test checks it)")
    }
}

impl PlanningConfig {
    /// Today in the district's local time (the configured UTC offset, not the machine's zone).
    pub fn today(&self) -> chrono::NaiveDate {
        (chrono::Utc::now() + chrono::TimeDelta::minutes(self.utc_offset_minutes as i64))
            .date_naive()
    }

    /// Reads a configuration file over the defaults. Its `[serve]` table, if any, holds the
    /// server's options (read by `serve --config`) and is not planning's business.
    pub fn from_file(path: &Path) -> Result<Self, String> {
        let config: Self = layered_toml::file_over_defaults_except(DEFAULT_TOML, path, &["serve"])?;
        config
            .validate()
            .map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(config)
    }

    pub fn from_toml(text: &str) -> Result<Self, String> {
        let config: Self = layered_toml::over_defaults(DEFAULT_TOML, text)?;
        config.validate()?;
        Ok(config)
    }

    /// Days past the kind's frequency on `date` since the latest inspection (0 when on time);
    /// `None` when the venue was never inspected. A venue is covered exactly when this is 0.
    pub fn days_overdue(
        &self,
        kind: VenueKind,
        last_inspected: Option<chrono::NaiveDate>,
        date: chrono::NaiveDate,
    ) -> Option<i64> {
        last_inspected.map(|last| ((date - last).num_days() - self.frequency_days.get(kind)).max(0))
    }

    /// The rule for what `outcome` raises, if any.
    pub fn follow_up_rule(&self, outcome: Outcome) -> Option<&FollowUpRule> {
        self.follow_up.get(outcome.as_str())
    }

    fn validate(&self) -> Result<(), String> {
        self.supervision.validate()?;
        let d = &self.dispatch;
        d.draft_time()?;
        if !(d.seconds.is_finite() && d.seconds > 0.0) {
            return Err("dispatch.seconds must be a positive number".into());
        }
        if d.skip_reasons.is_empty() || d.skip_reasons.iter().any(|r| r.trim().is_empty()) {
            return Err("dispatch.skip_reasons must list at least one non-empty reason".into());
        }
        if !(d.off_plan_m.is_finite() && d.off_plan_m >= 0.0) {
            return Err("dispatch.off_plan_m must not be negative".into());
        }
        if !(1..=240).contains(&d.adhoc_minutes) {
            return Err("dispatch.adhoc_minutes must be between 1 and 240".into());
        }
        for kind in VenueKind::ALL {
            let k = kind.as_str();
            if *self.frequency_days.get(kind) < 1 {
                return Err(format!("frequency_days.{k} must be at least 1 day"));
            }
            if *self.service_minutes.get(kind) < 0 {
                return Err(format!("service_minutes.{k} must not be negative"));
            }
        }
        for kind in VenueKind::ALL {
            let hours = self.visiting_hours.get(kind);
            if !hours.trim().is_empty() {
                super::hours::parse_opening_hours(hours)
                    .map_err(|e| format!("visiting_hours.{}: {e}", kind.as_str()))?;
            }
        }
        for (name, rule) in &self.follow_up {
            Outcome::parse(name).map_err(|e| format!("follow_up.{name}: {e}"))?;
            if rule.deadline_days < 0 {
                return Err(format!(
                    "follow_up.{name}.deadline_days must not be negative"
                ));
            }
        }
        for kind in VenueKind::ALL {
            let mut seen = std::collections::HashSet::new();
            for (i, item) in self.checklists.get(kind).iter().enumerate() {
                let key = format!("checklists.{}[{i}]", kind.as_str());
                let plain = !item.id.is_empty()
                    && item
                        .id
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
                if !plain {
                    return Err(format!(
                        "{key}.id {:?} must be lower-case letters, digits and _",
                        item.id
                    ));
                }
                if !seen.insert(item.id.as_str()) {
                    return Err(format!("{key}.id {:?} is used twice", item.id));
                }
                if item.zh.trim().is_empty() || item.en.trim().is_empty() {
                    return Err(format!("{key} needs both a zh and an en label"));
                }
            }
        }
        self.capture.limits.validate()?;
        let r = &self.risk;
        let positive = [
            ("risk.darkness_radius_m", r.darkness_radius_m),
            ("risk.findings_bandwidth_m", r.findings_bandwidth_m),
            (
                "plan.candidate_pool_factor",
                self.plan.candidate_pool_factor,
            ),
            ("plan.seconds", self.plan.seconds),
            ("capture.poor_accuracy_m", self.capture.poor_accuracy_m),
            ("capture.far_from_venue_m", self.capture.far_from_venue_m),
        ];
        for (key, v) in positive {
            if !(v.is_finite() && v > 0.0) {
                return Err(format!("{key} must be a positive number, got {v}"));
            }
        }
        if !(-720..=840).contains(&self.utc_offset_minutes) {
            return Err(format!(
                "utc_offset_minutes must lie between -720 and 840, got {}",
                self.utc_offset_minutes
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_defaults_parse_and_validate() {
        let c = PlanningConfig::from_toml("").unwrap();
        assert_eq!(c, PlanningConfig::default());
        assert_eq!(*c.frequency_days.get(VenueKind::Entertainment), 7);
        assert_eq!(*c.frequency_days.get(VenueKind::Bathhouse), 14);
        assert_eq!(*c.frequency_days.get(VenueKind::Rental), 30);
        assert!(c.follow_up_rule(Outcome::DrugRelated).unwrap().suspend);
        assert!(c.follow_up_rule(Outcome::Compliant).is_none());
    }

    #[test]
    fn default_checklists_cover_every_kind_with_unique_ids() {
        let c = PlanningConfig::default();
        for kind in VenueKind::ALL {
            let items = c.checklists.get(kind);
            assert!(!items.is_empty(), "{} has no checklist", kind.as_str());
            let ids: std::collections::HashSet<&str> =
                items.iter().map(|i| i.id.as_str()).collect();
            assert_eq!(ids.len(), items.len(), "{}: an id repeats", kind.as_str());
            assert!(
                items
                    .iter()
                    .all(|i| !i.zh.trim().is_empty() && !i.en.trim().is_empty())
            );
        }
        assert_eq!(c.capture.poor_accuracy_m, 50.0);
        assert_eq!(c.capture.far_from_venue_m, 150.0);
    }

    #[test]
    fn a_checklist_override_replaces_only_its_kind() {
        let c = PlanningConfig::from_toml(
            "[checklists]\nother = [{ id = \"sign_posted\", zh = \"标识\", en = \"Sign posted\" }]",
        )
        .unwrap();
        assert_eq!(c.checklists.other.len(), 1);
        assert_eq!(
            c.checklists.rental,
            PlanningConfig::default().checklists.rental
        );
        let twice = "[checklists]\nother = [{ id = \"a\", zh = \"甲\", en = \"A\" }, { id = \"a\", zh = \"乙\", en = \"B\" }]";
        let e = PlanningConfig::from_toml(twice).unwrap_err();
        assert!(e.contains("checklists.other[1].id"), "{e}");
        let e = PlanningConfig::from_toml("[capture]\npoor_accuracy_m = 0.0").unwrap_err();
        assert!(e.contains("capture.poor_accuracy_m"), "{e}");
    }

    #[test]
    fn bad_files_name_the_key() {
        let e = PlanningConfig::from_toml("[frequency_days]\nrental = 0").unwrap_err();
        assert!(e.contains("frequency_days.rental"), "{e}");
        let e = PlanningConfig::from_toml("[follow_up.fined]\naction = \"x\"\nunit = \"police\"\ndeadline_days = 1\nsuspend = false").unwrap_err();
        assert!(e.contains("follow_up.fined"), "{e}");
        let e = PlanningConfig::from_toml("[risk]\npoints_per_day = 1.0").unwrap_err();
        assert!(e.contains("points_per_day"), "{e}");
    }
}
