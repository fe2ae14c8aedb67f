//! Configuration files layered over documented defaults: a user's file names only what it
//! changes, and every key it leaves out keeps the bundled default.

use serde::de::DeserializeOwned;
use std::path::Path;

/// Parses `text` over `defaults` (both TOML); unknown keys are errors if `T` denies them.
pub fn over_defaults<T: DeserializeOwned>(defaults: &str, text: &str) -> Result<T, String> {
    let mut merged: toml::Table = defaults.parse().map_err(|e| format!("{e}"))?;
    let user: toml::Table = text.parse().map_err(|e: toml::de::Error| e.to_string())?;
    merge(&mut merged, user);
    toml::Value::Table(merged)
        .try_into()
        .map_err(|e: toml::de::Error| e.to_string())
}

/// Reads a user's file over `defaults`; errors name the file.
pub fn file_over_defaults<T: DeserializeOwned>(defaults: &str, path: &Path) -> Result<T, String> {
    file_over_defaults_except(defaults, path, &[])
}

/// As `file_over_defaults`, leaving out the top-level tables `skip` (another reader's).
pub fn file_over_defaults_except<T: DeserializeOwned>(
    defaults: &str,
    path: &Path,
    skip: &[&str],
) -> Result<T, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    let mut user: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| format!("{}: {e}", path.display()))?;
    for key in skip {
        user.remove(*key);
    }
    over_defaults(defaults, &user.to_string()).map_err(|e| format!("{}: {e}", path.display()))
}

fn merge(base: &mut toml::Table, over: toml::Table) {
    for (key, value) in over {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}
