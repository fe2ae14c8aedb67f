//! The venue risk score: a plain weighted sum whose every term is kept, so the inspector's list,
//! the API and the manager can all see why a venue is on today's route.

use super::config::PlanningConfig;
use crate::index::PointIndex;
use crate::model::{LocalFrame, LonLat, Outcome, Venue};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What the store knows of a venue's past, as the score needs it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VenueHistory {
    pub last_inspected: Option<NaiveDate>,
    pub last_outcome: Option<Outcome>,
    pub open_follow_ups: u32,
}

/// A past violation or drug finding, where and when.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Finding {
    pub at: LonLat,
    pub on: NaiveDate,
}

/// One term of a score: the input it read and the points it gives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskTerm {
    /// `kind`, `overdue_days`, `last_outcome`, `open_follow_ups`, `complaints`, `darkness`,
    /// `findings_nearby`.
    pub term: String,
    /// The input in its own unit (days, count, summed severity, kernel weight), or a name.
    pub input: serde_json::Value,
    /// Points, rounded to hundredths; the score is exactly their sum.
    pub points: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskScore {
    pub score: f64,
    pub terms: Vec<RiskTerm>,
}

impl RiskScore {
    fn from_terms(terms: Vec<RiskTerm>) -> Self {
        // Summed in whole hundredths so the terms add up to the score exactly.
        let hundredths: i64 = terms
            .iter()
            .map(|t| (t.points * 100.0).round() as i64)
            .sum();
        Self {
            score: hundredths as f64 / 100.0,
            terms,
        }
    }

    pub fn points(&self, term: &str) -> f64 {
        self.terms
            .iter()
            .filter(|t| t.term == term)
            .map(|t| t.points)
            .sum()
    }
}

/// Scores venues on one plan date against the darkness and findings around them.
pub struct RiskModel<'c> {
    config: &'c PlanningConfig,
    date: NaiveDate,
    darkness: PointIndex<f64>,
    findings: PointIndex<()>,
}

impl<'c> RiskModel<'c> {
    /// `blind_spots` are the lighting model's (position, severity); findings after `date` or
    /// older than the configured window are left out.
    pub fn new(
        config: &'c PlanningConfig,
        date: NaiveDate,
        frame: LocalFrame,
        blind_spots: &[(LonLat, f64)],
        findings: &[Finding],
    ) -> Self {
        let window = config.risk.findings_days;
        let recent = findings.iter().filter(|f| {
            let age = (date - f.on).num_days();
            (0..=window).contains(&age)
        });
        Self {
            config,
            date,
            darkness: PointIndex::build(frame, blind_spots.iter().copied()),
            findings: PointIndex::build(frame, recent.map(|f| (f.at, ()))),
        }
    }

    pub fn date(&self) -> NaiveDate {
        self.date
    }

    /// Days since the venue's latest inspection beyond its kind's frequency (0 when on time).
    pub fn days_overdue(&self, venue: &Venue, history: &VenueHistory) -> i64 {
        self.config
            .days_overdue(venue.kind, history.last_inspected, self.date)
            .unwrap_or(self.config.risk.never_inspected_overdue_days)
    }

    pub fn score(&self, venue: &Venue, history: &VenueHistory) -> RiskScore {
        let w = &self.config.risk;
        let mut terms = Vec::with_capacity(7);
        let mut term = |name: &str, input: serde_json::Value, points: f64| {
            terms.push(RiskTerm {
                term: name.to_string(),
                input,
                points: (points * 100.0).round() / 100.0,
            })
        };
        term(
            "kind",
            venue.kind.as_str().into(),
            *w.kind_points.get(venue.kind),
        );
        let overdue = self.days_overdue(venue, history).min(w.max_overdue_days);
        term(
            "overdue_days",
            overdue.into(),
            overdue as f64 * w.points_per_overdue_day,
        );
        term(
            "last_outcome",
            history.last_outcome.map(|o| o.as_str()).into(),
            history
                .last_outcome
                .map_or(0.0, |o| *w.last_outcome_points.get(o)),
        );
        term(
            "open_follow_ups",
            history.open_follow_ups.into(),
            history.open_follow_ups as f64 * w.points_per_open_follow_up,
        );
        let complaints = venue.complaints.min(w.max_complaints);
        term(
            "complaints",
            complaints.into(),
            complaints as f64 * w.points_per_complaint,
        );
        let darkness: f64 = self
            .darkness
            .within(venue.position, w.darkness_radius_m)
            .map(|n| n.item)
            .fold(0.0, f64::max);
        term(
            "darkness",
            round3(darkness).into(),
            (darkness * w.points_per_darkness).min(w.max_darkness_points),
        );
        let h = w.findings_bandwidth_m;
        let density: f64 = self
            .findings
            .within(venue.position, 3.0 * h)
            .map(|n| (-0.5 * (n.distance_m / h).powi(2)).exp())
            .sum();
        term(
            "findings_nearby",
            round3(density).into(),
            (density * w.points_per_finding).min(w.max_findings_points),
        );
        RiskScore::from_terms(terms)
    }
}

fn round3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{VenueKind, VenueStatus};

    fn venue(kind: VenueKind, complaints: u32) -> Venue {
        Venue {
            id: 1,
            source_id: "v1".into(),
            kind,
            name: "KTV".into(),
            address: None,
            position: LonLat::new(116.4, 39.9),
            opening_hours: None,
            status: VenueStatus::Active,
            responsible_unit: None,
            complaints,
            sample: false,
        }
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    #[test]
    fn each_term_follows_its_weight_and_the_terms_add_up() {
        let config = PlanningConfig::default();
        let v = venue(VenueKind::Entertainment, 2);
        let frame = LocalFrame::new(v.position);
        let east = |m: f64| frame.to_lonlat([m, 0.0]);
        let model = RiskModel::new(
            &config,
            day(28),
            frame,
            &[(east(50.0), 1.5), (east(80.0), 0.5), (east(150.0), 9.0)],
            &[
                Finding {
                    at: v.position,
                    on: day(20),
                },
                Finding {
                    at: east(60.0),
                    on: day(1),
                },
                Finding {
                    at: v.position,
                    on: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
                },
                Finding {
                    at: v.position,
                    on: day(29),
                },
            ],
        );
        let history = VenueHistory {
            last_inspected: Some(day(11)),
            last_outcome: Some(Outcome::Violation),
            open_follow_ups: 1,
        };
        let s = model.score(&v, &history);
        assert_eq!(s.points("kind"), 30.0);
        // Inspected 17 days ago, due every 7: 10 days overdue at 2 points.
        assert_eq!(s.points("overdue_days"), 20.0);
        assert_eq!(s.points("last_outcome"), 20.0);
        assert_eq!(s.points("open_follow_ups"), 25.0);
        assert_eq!(s.points("complaints"), 12.0);
        // The severest blind spot within 100 m: 1.5 × 2 (the one 150 m away is too far).
        assert_eq!(s.points("darkness"), 3.0);
        // The finding at the door counts 1, the one 60 m away e^-0.5, the old and the future
        // ones not at all.
        let expected = 6.0 * (1.0 + (-0.5f64).exp());
        assert!((s.points("findings_nearby") - expected).abs() < 0.006);
        let sum: f64 = s.terms.iter().map(|t| t.points).sum();
        assert!((sum - s.score).abs() < 1e-9);
        assert_eq!(s.terms.len(), 7);
    }

    #[test]
    fn a_never_inspected_rental_is_overdue_by_the_configured_days() {
        let config = PlanningConfig::default();
        let v = venue(VenueKind::Rental, 50);
        let model = RiskModel::new(&config, day(28), LocalFrame::new(v.position), &[], &[]);
        let s = model.score(&v, &VenueHistory::default());
        assert_eq!(s.points("overdue_days"), 60.0);
        // Complaints are capped.
        assert_eq!(s.points("complaints"), 60.0);
        assert_eq!(s.score, 8.0 + 60.0 + 60.0);
    }
}
