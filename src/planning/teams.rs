//! Teams as the district defines them in a file: members' units (their skills), depot, shift and
//! travel mode. Which units a kind of venue needs is configuration (`required_units`), not code.

use super::hours::Shift;
use crate::model::LonLat;
use crate::routing::TravelMode;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// What a team is out for: venues, or lamps (a lighting crew).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Duty {
    #[default]
    Inspection,
    Lighting,
}

impl Duty {
    pub fn as_str(self) -> &'static str {
        match self {
            Duty::Inspection => "inspection",
            Duty::Lighting => "lighting",
        }
    }

    pub fn parse(s: &str) -> Result<Self, String> {
        match s {
            "inspection" => Ok(Duty::Inspection),
            "lighting" => Ok(Duty::Lighting),
            other => Err(format!(
                "unknown duty {other:?} (expected inspection or lighting)"
            )),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Team {
    /// Store id; 0 until stored.
    #[serde(skip)]
    pub id: i64,
    pub name: String,
    /// Members' units: commerce, police, fire, community (free text, matched exactly).
    pub units: Vec<String>,
    pub depot: LonLat,
    pub shift: Shift,
    pub mode: TravelMode,
    pub duty: Duty,
    #[serde(skip)]
    pub sample: bool,
}

impl Team {
    pub fn has_units(&self, needed: &[String]) -> bool {
        needed.iter().all(|u| self.units.contains(u))
    }
}

/// One `[[team]]` table as written in the file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TeamEntry {
    name: String,
    units: Vec<String>,
    depot: [f64; 2],
    shift: String,
    mode: String,
    #[serde(default)]
    duty: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TeamsFile {
    team: Vec<TeamEntry>,
}

/// Reads a teams file; an error names the file, the team (by position and name) and the field.
pub fn read_teams(path: &Path) -> Result<Vec<Team>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    parse_teams(&text).map_err(|e| format!("{}: {e}", path.display()))
}

pub fn parse_teams(text: &str) -> Result<Vec<Team>, String> {
    let file: TeamsFile = toml::from_str(text).map_err(|e| e.to_string())?;
    let mut teams: Vec<Team> = Vec::with_capacity(file.team.len());
    for (i, e) in file.team.into_iter().enumerate() {
        let at =
            |field: &str, msg: String| format!("team {} ({:?}): `{field}`: {msg}", i + 1, e.name);
        if e.name.trim().is_empty() {
            return Err(format!("team {}: `name` is empty", i + 1));
        }
        if teams.iter().any(|t| t.name == e.name) {
            return Err(at("name", "another team has this name".into()));
        }
        let depot = LonLat::validate(e.depot[0], e.depot[1]).map_err(|m| at("depot", m))?;
        let shift = Shift::parse(&e.shift).map_err(|m| at("shift", m))?;
        let mode = TravelMode::parse(&e.mode).map_err(|m| at("mode", m))?;
        let duty = match &e.duty {
            Some(d) => Duty::parse(d).map_err(|m| at("duty", m))?,
            None => Duty::Inspection,
        };
        teams.push(Team {
            id: 0,
            name: e.name.clone(),
            units: e.units.iter().map(|u| u.trim().to_string()).collect(),
            depot,
            shift,
            mode,
            duty,
            sample: false,
        });
    }
    Ok(teams)
}

/// Writes teams in the file format `read_teams` reads (the demo writes its sample teams so).
pub fn teams_toml(teams: &[Team]) -> String {
    let mut out = String::from(
        "# patrolmap teams: one [[team]] per team. units = members' units (their skills); depot =\n\
         # [lon, lat] WGS-84; shift = HH:MM-HH:MM local (an end before the start is the next day);\n\
         # mode = walk | ebike | car; duty = inspection (default) | lighting.\n",
    );
    for t in teams {
        let units: Vec<String> = t.units.iter().map(|u| format!("{u:?}")).collect();
        let shift = t.shift.as_text();
        out.push_str(&format!(
            "\n[[team]]\nname = {:?}\nunits = [{}]\ndepot = [{:.6}, {:.6}]\nshift = {shift:?}\nmode = {:?}\nduty = {:?}\n",
            t.name,
            units.join(", "),
            t.depot.lon,
            t.depot.lat,
            t.mode.as_str(),
            t.duty.as_str()
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"
[[team]]
name = "夜查一组"
units = ["commerce", "police"]
depot = [24.94, 60.17]
shift = "19:00-03:00"
mode = "ebike"

[[team]]
name = "Lamp crew"
units = ["utilities"]
depot = [24.95, 60.16]
shift = "09:00-17:00"
mode = "car"
duty = "lighting"
"#;

    #[test]
    fn reads_teams_and_writes_them_back() {
        let teams = parse_teams(FILE).unwrap();
        assert_eq!(teams.len(), 2);
        assert_eq!(teams[0].shift.end, 27 * 3600);
        assert!(teams[0].has_units(&["police".into()]));
        assert!(!teams[1].has_units(&["police".into()]));
        assert_eq!(teams[1].duty, Duty::Lighting);
        assert_eq!(parse_teams(&teams_toml(&teams)).unwrap(), teams);
    }

    #[test]
    fn errors_name_the_team_and_the_field() {
        let bad = FILE.replace("\"ebike\"", "\"horse\"");
        let e = parse_teams(&bad).unwrap_err();
        assert!(e.contains("team 1") && e.contains("`mode`"), "{e}");
        let bad = FILE.replace("[24.94, 60.17]", "[240.0, 60.17]");
        assert!(parse_teams(&bad).unwrap_err().contains("`depot`"));
        let bad = FILE.replace("depot = [24.95", "depots = [24.95");
        assert!(parse_teams(&bad).unwrap_err().contains("depots"));
    }
}
