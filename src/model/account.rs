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
    /// The townships or communities (area ids) the account answers for: it reads and writes
    /// only what lies in them. Empty: the whole district.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub areas: Vec<i64>,
}

impl Account {
    /// The areas the account is limited to; None for the whole district.
    pub fn scope(&self) -> Option<&[i64]> {
        (!self.areas.is_empty()).then_some(&self.areas[..])
    }

    /// Whether something lying in `areas` (its township and community ids) is the account's.
    pub fn sees(&self, areas: &[i64]) -> bool {
        self.scope()
            .is_none_or(|scope| areas.iter().any(|a| scope.contains(a)))
    }
}

/// Longest account name, in characters (not bytes: 64 Chinese characters fit).
pub const MAX_USERNAME_CHARS: usize = 64;

/// The one spelling of an account name, used to make accounts, to sign in and to throttle.
///
/// Unicode NFKC first (full-width `ａｄｍｉｎ` is `admin`), then lower case, so that two
/// names that look alike on screen are one name. What is left must be letters and digits of
/// one script, with `.`, `_` and `-` between them: `张伟`, `inspector-1`, `ли.иванов` pass;
/// `аdmin` with a Cyrillic `а`, zero-width or direction-override characters, spaces and
/// emoji are refused, because they let one account pass for another.
pub fn normalise_username(raw: &str) -> Result<String, String> {
    use unicode_normalization::UnicodeNormalization;
    use unicode_script::{Script, UnicodeScript};
    let name: String = raw.trim().nfkc().collect::<String>().to_lowercase();
    let chars = name.chars().count();
    if chars == 0 || chars > MAX_USERNAME_CHARS {
        return Err(format!(
            "must have 1 to {MAX_USERNAME_CHARS} characters, has {chars}"
        ));
    }
    let mut script = None;
    for c in name.chars() {
        if !(c.is_alphanumeric() || matches!(c, '.' | '_' | '-')) {
            return Err(format!(
                "may hold only letters, digits, `.`, `_` and `-`, not U+{:04X}",
                c as u32
            ));
        }
        match (c.script(), script) {
            (Script::Common | Script::Inherited, _) => {}
            (s, None) => script = Some(s),
            (s, Some(first)) if s != first => {
                return Err(format!(
                    "mixes the {} and {} scripts",
                    first.full_name(),
                    s.full_name()
                ));
            }
            _ => {}
        }
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_names_have_one_spelling_and_no_look_alikes() {
        assert_eq!(normalise_username(" Admin ").unwrap(), "admin");
        assert_eq!(normalise_username("ａｄｍｉｎ").unwrap(), "admin");
        assert_eq!(
            normalise_username("inspector_1.li-wei").unwrap(),
            "inspector_1.li-wei"
        );
        let chinese = "张".repeat(22);
        assert_eq!(normalise_username(&chinese).unwrap(), chinese);
        assert!(normalise_username(&"张".repeat(64)).is_ok());
        assert!(normalise_username(&"张".repeat(65)).is_err());
        assert!(normalise_username("ли.иванов").is_ok());
        let cyrillic_a = normalise_username("\u{430}dmin").unwrap_err();
        assert!(cyrillic_a.contains("scripts"), "{cyrillic_a}");
        for hidden in ["ad\u{200b}min", "admin\u{202e}", "ad min", "admin😀", ""] {
            assert!(normalise_username(hidden).is_err(), "{hidden:?}");
        }
    }

    #[test]
    fn roles_round_trip_and_unknown_ones_are_named() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Ok(r));
        }
        assert!(Role::parse("chief").unwrap_err().contains("chief"));
    }
}
