//! Who may do what (DESIGN.md §6): the roles of the district's staff.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Sees its team's plan and venues; records inspections for them only.
    Inspector,
    /// Reads every layer; writes lighting data (lamp status) and proposals.
    Planner,
    /// Reads everything; manages follow-ups and suspensions; may record inspections.
    Manager,
    /// Accounts and imports, and everything a manager may do.
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Inspector, Role::Planner, Role::Manager, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Inspector => "inspector",
            Role::Planner => "planner",
            Role::Manager => "manager",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Result<Self, String> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim())
            .ok_or_else(|| {
                format!("unknown role `{s}` (expected inspector, planner, manager or admin)")
            })
    }
}

/// A staff account; the password hash never leaves the store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    pub id: i64,
    pub username: String,
    pub role: Role,
    /// The inspection team an inspector belongs to.
    pub team_id: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_and_unknown_ones_are_named() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Ok(r));
        }
        assert!(Role::parse("chief").unwrap_err().contains("chief"));
    }
}
