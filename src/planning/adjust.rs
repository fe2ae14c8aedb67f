//! A dispatcher's changes to one day's plan, and what they amount to together. Each change is
//! kept as it was made (the store keeps them in order, audited); `DayAdjustments::of` folds
//! the active ones, oldest first, into what the day planner obeys: a later change to the same
//! venue or team wins (a venue pinned, then excluded, is excluded).
//!
//! ```
//! use patrolmap::planning::adjust::{Adjustment, DayAdjustments};
//!
//! let changes = [
//!     (1, Adjustment::Pin { venue_id: 7, team_id: Some(2) }),
//!     (2, Adjustment::Exclude { venue_id: 7, reason: "owner away".into() }),
//!     (3, Adjustment::Absent { team_id: 3, reason: "police member ill".into() }),
//! ];
//! let day = DayAdjustments::of(&changes);
//! assert!(day.pinned.is_empty());
//! assert_eq!(day.excluded[&7], "owner away");
//! assert!(day.absent.contains_key(&3));
//! ```

use super::hours::Shift;
use super::teams::Team;
use crate::model::LonLat;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Longest reason or note a dispatcher may give, in characters.
pub const MAX_NOTE_CHARS: usize = 200;

/// One change, as the dispatcher posts it (`{"action": "pin", "venue_id": 12, ...}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum Adjustment {
    /// Must be visited today: by `team_id`, or by any team when None.
    Pin {
        venue_id: i64,
        team_id: Option<i64>,
    },
    /// Not visited today.
    Exclude {
        venue_id: i64,
        reason: String,
    },
    /// A planned stop given to another team (a pin to that team, named for the audit trail).
    Move {
        venue_id: i64,
        team_id: i64,
    },
    /// The team does not go out today.
    Absent {
        team_id: i64,
        reason: String,
    },
    /// The team goes out today with another shift, other members' units or from elsewhere.
    Team {
        team_id: i64,
        shift: Option<String>,
        units: Option<Vec<String>>,
        start: Option<[f64; 2]>,
    },
    /// An extra mandatory stop: a registered venue, or a point with a note.
    Adhoc {
        venue_id: Option<i64>,
        at: Option<[f64; 2]>,
        note: Option<String>,
        team_id: Option<i64>,
        minutes: Option<i64>,
    },
    /// The team's route stays as it is.
    Lock {
        team_id: i64,
    },
    Unlock {
        team_id: i64,
    },
}

/// A change as posted, every field optional, so that a wrong type is refused with its field's
/// name (serde loses the path inside an internally tagged enum) and a missing one too:
/// `Adjustment::from_body` says which field is missing or does not belong to the action.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdjustmentBody {
    pub action: Option<String>,
    pub venue_id: Option<i64>,
    pub team_id: Option<i64>,
    pub reason: Option<String>,
    pub shift: Option<String>,
    pub units: Option<Vec<String>>,
    pub start: Option<[f64; 2]>,
    pub at: Option<[f64; 2]>,
    pub note: Option<String>,
    pub minutes: Option<i64>,
}

impl Adjustment {
    /// The change a posted body describes; the error names the field at fault.
    pub fn from_body(b: AdjustmentBody) -> Result<Self, Invalid> {
        let action = b.action.clone().ok_or_else(|| {
            invalid(
                "action",
                "say which action: pin, exclude, move, absent, team, adhoc, lock or unlock",
            )
        })?;
        fn need<T>(v: Option<T>, field: &'static str, action: &str) -> Result<T, Invalid> {
            v.ok_or_else(|| invalid(field, format!("`{action}` needs `{field}`")))
        }
        let a = action.as_str();
        let change = match a {
            "pin" => Adjustment::Pin {
                venue_id: need(b.venue_id, "venue_id", a)?,
                team_id: b.team_id,
            },
            "exclude" => Adjustment::Exclude {
                venue_id: need(b.venue_id, "venue_id", a)?,
                reason: need(b.reason.clone(), "reason", a)?,
            },
            "move" => Adjustment::Move {
                venue_id: need(b.venue_id, "venue_id", a)?,
                team_id: need(b.team_id, "team_id", a)?,
            },
            "absent" => Adjustment::Absent {
                team_id: need(b.team_id, "team_id", a)?,
                reason: need(b.reason.clone(), "reason", a)?,
            },
            "team" => Adjustment::Team {
                team_id: need(b.team_id, "team_id", a)?,
                shift: b.shift.clone(),
                units: b.units.clone(),
                start: b.start,
            },
            "adhoc" => Adjustment::Adhoc {
                venue_id: b.venue_id,
                at: b.at,
                note: b.note.clone(),
                team_id: b.team_id,
                minutes: b.minutes,
            },
            "lock" => Adjustment::Lock {
                team_id: need(b.team_id, "team_id", a)?,
            },
            "unlock" => Adjustment::Unlock {
                team_id: need(b.team_id, "team_id", a)?,
            },
            other => {
                return Err(invalid(
                    "action",
                    format!(
                        "unknown action {:?} (pin, exclude, move, absent, team, adhoc, lock, unlock)",
                        crate::model::excerpt(other, 40)
                    ),
                ));
            }
        };
        // What the action does not read is refused, not ignored.
        let given = serde_json::to_value(&change).unwrap_or_default();
        let stray = [
            ("venue_id", b.venue_id.is_some()),
            ("team_id", b.team_id.is_some()),
            ("reason", b.reason.is_some()),
            ("shift", b.shift.is_some()),
            ("units", b.units.is_some()),
            ("start", b.start.is_some()),
            ("at", b.at.is_some()),
            ("note", b.note.is_some()),
            ("minutes", b.minutes.is_some()),
        ]
        .into_iter()
        .find(|(field, set)| *set && given.get(field).is_none());
        if let Some((field, _)) = stray {
            return Err(invalid(field, format!("`{a}` has no `{field}`")));
        }
        change.validate()?;
        Ok(change)
    }
}

/// A refusal naming the field.
#[derive(Debug, Clone, PartialEq)]
pub struct Invalid {
    pub field: &'static str,
    pub message: String,
}

fn invalid(field: &'static str, message: impl Into<String>) -> Invalid {
    Invalid {
        field,
        message: message.into(),
    }
}

fn note(field: &'static str, text: &str) -> Result<(), Invalid> {
    let n = text.trim().chars().count();
    if n == 0 {
        return Err(invalid(field, "give a reason"));
    }
    if n > MAX_NOTE_CHARS {
        return Err(invalid(
            field,
            format!("at most {MAX_NOTE_CHARS} characters ({n} given)"),
        ));
    }
    Ok(())
}

fn place(field: &'static str, at: [f64; 2]) -> Result<LonLat, Invalid> {
    LonLat::validate(at[0], at[1]).map_err(|m| invalid(field, m))
}

impl Adjustment {
    /// What the change is about, as the audit trail and the API name it.
    pub fn kind(&self) -> &'static str {
        match self {
            Adjustment::Pin { .. } => "pin",
            Adjustment::Exclude { .. } => "exclude",
            Adjustment::Move { .. } => "move",
            Adjustment::Absent { .. } => "absent",
            Adjustment::Team { .. } => "team",
            Adjustment::Adhoc { .. } => "adhoc",
            Adjustment::Lock { .. } => "lock",
            Adjustment::Unlock { .. } => "unlock",
        }
    }

    /// The venue and team it names, for the caller to check they exist.
    pub fn names(&self) -> (Option<i64>, Option<i64>) {
        match self {
            Adjustment::Pin { venue_id, team_id } => (Some(*venue_id), *team_id),
            Adjustment::Exclude { venue_id, .. } => (Some(*venue_id), None),
            Adjustment::Move { venue_id, team_id } => (Some(*venue_id), Some(*team_id)),
            Adjustment::Adhoc {
                venue_id, team_id, ..
            } => (*venue_id, *team_id),
            Adjustment::Absent { team_id, .. }
            | Adjustment::Team { team_id, .. }
            | Adjustment::Lock { team_id }
            | Adjustment::Unlock { team_id } => (None, Some(*team_id)),
        }
    }

    /// Checks what can be checked without the store: reasons, shifts, places, minutes.
    pub fn validate(&self) -> Result<(), Invalid> {
        match self {
            Adjustment::Exclude { reason, .. } | Adjustment::Absent { reason, .. } => {
                note("reason", reason)
            }
            Adjustment::Team {
                shift,
                units,
                start,
                ..
            } => {
                if shift.is_none() && units.is_none() && start.is_none() {
                    return Err(invalid("shift", "give a shift, units or a start point"));
                }
                if let Some(s) = shift {
                    Shift::parse(s).map_err(|m| invalid("shift", m))?;
                }
                if let Some(u) = units
                    && u.iter().any(|u| u.trim().is_empty())
                {
                    return Err(invalid("units", "a unit name is empty"));
                }
                if let Some(at) = start {
                    place("start", *at)?;
                }
                Ok(())
            }
            Adjustment::Adhoc {
                venue_id,
                at,
                note: text,
                minutes,
                ..
            } => {
                match (venue_id, at) {
                    (Some(_), Some(_)) => {
                        return Err(invalid("at", "give a venue_id or a point `at`, not both"));
                    }
                    (None, None) => return Err(invalid("venue_id", "give a venue_id or `at`")),
                    (None, Some(at)) => {
                        place("at", *at)?;
                        note("note", text.as_deref().unwrap_or(""))?;
                    }
                    (Some(_), None) => {
                        if let Some(t) = text {
                            note("note", t)?;
                        }
                    }
                }
                if let Some(m) = minutes
                    && !(1..=240).contains(m)
                {
                    return Err(invalid("minutes", "between 1 and 240 minutes on site"));
                }
                Ok(())
            }
            Adjustment::Pin { .. }
            | Adjustment::Move { .. }
            | Adjustment::Lock { .. }
            | Adjustment::Unlock { .. } => Ok(()),
        }
    }
}

/// A team's changes for the day.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TeamChange {
    pub shift: Option<Shift>,
    pub units: Option<Vec<String>>,
    pub start: Option<LonLat>,
}

/// An ad-hoc point stop: the action's id names it (`Target::Point(id)`).
#[derive(Debug, Clone, PartialEq)]
pub struct AdhocPoint {
    pub id: i64,
    pub at: LonLat,
    pub note: String,
    pub team_id: Option<i64>,
    pub service_s: Option<i64>,
}

/// The day's changes taken together.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DayAdjustments {
    /// Venues that must be visited today, by a team or by any (None).
    pub pinned: HashMap<i64, Option<i64>>,
    /// Extra minutes on site asked for an ad-hoc venue.
    pub service_s: HashMap<i64, i64>,
    pub excluded: HashMap<i64, String>,
    pub absent: BTreeMap<i64, String>,
    pub teams: HashMap<i64, TeamChange>,
    pub points: Vec<AdhocPoint>,
    pub locked: BTreeSet<i64>,
}

impl DayAdjustments {
    /// Folds `(action id, change)` pairs, oldest first.
    pub fn of(changes: &[(i64, Adjustment)]) -> Self {
        let mut day = Self::default();
        for (id, change) in changes {
            match change {
                Adjustment::Pin { venue_id, team_id } => {
                    day.excluded.remove(venue_id);
                    day.pinned.insert(*venue_id, *team_id);
                }
                Adjustment::Move { venue_id, team_id } => {
                    day.excluded.remove(venue_id);
                    day.pinned.insert(*venue_id, Some(*team_id));
                }
                Adjustment::Exclude { venue_id, reason } => {
                    day.pinned.remove(venue_id);
                    day.excluded.insert(*venue_id, reason.trim().to_string());
                }
                Adjustment::Absent { team_id, reason } => {
                    day.absent.insert(*team_id, reason.trim().to_string());
                }
                Adjustment::Team {
                    team_id,
                    shift,
                    units,
                    start,
                } => {
                    let c = day.teams.entry(*team_id).or_default();
                    if let Some(s) = shift.as_deref().and_then(|s| Shift::parse(s).ok()) {
                        c.shift = Some(s);
                    }
                    if let Some(u) = units {
                        c.units = Some(u.iter().map(|u| u.trim().to_string()).collect());
                    }
                    if let Some([lon, lat]) = start {
                        c.start = Some(LonLat::new(*lon, *lat));
                    }
                }
                Adjustment::Adhoc {
                    venue_id: Some(v),
                    team_id,
                    minutes,
                    ..
                } => {
                    day.excluded.remove(v);
                    day.pinned.insert(*v, *team_id);
                    if let Some(m) = minutes {
                        day.service_s.insert(*v, m * 60);
                    }
                }
                Adjustment::Adhoc {
                    venue_id: None,
                    at,
                    note,
                    team_id,
                    minutes,
                } => {
                    if let Some([lon, lat]) = at {
                        day.points.push(AdhocPoint {
                            id: *id,
                            at: LonLat::new(*lon, *lat),
                            note: note.clone().unwrap_or_default().trim().to_string(),
                            team_id: *team_id,
                            service_s: minutes.map(|m| m * 60),
                        });
                    }
                }
                Adjustment::Lock { team_id } => {
                    day.locked.insert(*team_id);
                }
                Adjustment::Unlock { team_id } => {
                    day.locked.remove(team_id);
                }
            }
        }
        day
    }

    /// The teams that go out today, with their changes for the day.
    pub fn teams_today(&self, teams: &[Team]) -> Vec<Team> {
        teams
            .iter()
            .filter(|t| !self.absent.contains_key(&t.id))
            .map(|t| {
                let mut t = t.clone();
                if let Some(c) = self.teams.get(&t.id) {
                    if let Some(s) = c.shift {
                        t.shift = s;
                    }
                    if let Some(u) = &c.units {
                        t.units = u.clone();
                    }
                    if let Some(at) = c.start {
                        t.depot = at;
                    }
                }
                t
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Adjustment, String> {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }

    #[test]
    fn changes_read_as_the_api_posts_them_and_unknown_fields_are_refused() {
        assert_eq!(
            parse(r#"{"action": "pin", "venue_id": 4}"#).unwrap(),
            Adjustment::Pin {
                venue_id: 4,
                team_id: None
            }
        );
        assert!(parse(r#"{"action": "pin", "venue_id": 4, "teem_id": 2}"#).is_err());
        let body = |t: &str| serde_json::from_str::<AdjustmentBody>(t).unwrap();
        let field = |t: &str| Adjustment::from_body(body(t)).unwrap_err().field;
        assert_eq!(field(r#"{"venue_id": 4}"#), "action");
        assert_eq!(field(r#"{"action": "move", "venue_id": 4}"#), "team_id");
        assert_eq!(
            field(r#"{"action": "lock", "team_id": 1, "reason": "x"}"#),
            "reason"
        );
        assert_eq!(
            Adjustment::from_body(body(r#"{"action": "move", "venue_id": 4, "team_id": 2}"#)),
            Ok(Adjustment::Move {
                venue_id: 4,
                team_id: 2
            })
        );
        assert!(parse(r#"{"action": "teleport", "team_id": 2}"#).is_err());
        let bad = parse(r#"{"action": "team", "team_id": 2, "shift": "25:00-03:00"}"#).unwrap();
        assert_eq!(bad.validate().unwrap_err().field, "shift");
        let both = parse(r#"{"action": "adhoc", "venue_id": 1, "at": [24.9, 60.1]}"#).unwrap();
        assert_eq!(both.validate().unwrap_err().field, "at");
        let silent = parse(r#"{"action": "adhoc", "at": [24.9, 60.1]}"#).unwrap();
        assert_eq!(silent.validate().unwrap_err().field, "note");
        let long = Adjustment::Exclude {
            venue_id: 1,
            reason: "长".repeat(MAX_NOTE_CHARS + 1),
        };
        assert_eq!(long.validate().unwrap_err().field, "reason");
    }

    #[test]
    fn later_changes_win_and_teams_take_theirs_for_the_day() {
        let team = |id, name: &str| Team {
            id,
            name: name.into(),
            units: vec!["commerce".into()],
            depot: LonLat::new(24.9, 60.1),
            shift: Shift::parse("19:00-03:00").unwrap(),
            mode: crate::routing::TravelMode::Ebike,
            duty: crate::planning::teams::Duty::Inspection,
            sample: false,
        };
        let day = DayAdjustments::of(&[
            (
                1,
                Adjustment::Exclude {
                    venue_id: 5,
                    reason: "x".into(),
                },
            ),
            (
                2,
                Adjustment::Move {
                    venue_id: 5,
                    team_id: 2,
                },
            ),
            (3, Adjustment::Lock { team_id: 1 }),
            (4, Adjustment::Unlock { team_id: 1 }),
            (
                5,
                Adjustment::Team {
                    team_id: 2,
                    shift: Some("20:00-02:00".into()),
                    units: None,
                    start: None,
                },
            ),
            (
                6,
                Adjustment::Absent {
                    team_id: 1,
                    reason: "ill".into(),
                },
            ),
            (
                7,
                Adjustment::Adhoc {
                    venue_id: None,
                    at: Some([24.95, 60.16]),
                    note: Some("noise complaint".into()),
                    team_id: None,
                    minutes: Some(10),
                },
            ),
        ]);
        assert_eq!(day.pinned[&5], Some(2));
        assert!(day.excluded.is_empty() && day.locked.is_empty());
        assert_eq!(day.points[0].id, 7);
        assert_eq!(day.points[0].service_s, Some(600));
        let out = day.teams_today(&[team(1, "a"), team(2, "b")]);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].shift.as_text(), "20:00-02:00");
    }
}
