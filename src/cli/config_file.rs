//! `serve --config FILE`: one TOML file a district keeps under /etc for every serve option.
//! Its `[serve]` table holds the options by their flag names (`listen`, `public_url`,
//! `tls_self_signed`, `host`, `backup_every`, …, with `_` for `-`); the rest of the file is the
//! planning configuration, as for every command. Flags on the command line win over the file;
//! list options (`host`, `origin`, `trust_proxy`, `metrics_from`) add to it.

use clap::CommandFactory;
use std::ffi::OsString;
use std::path::Path;

/// The command line with the `[serve]` table of the `--config` file spliced in, right after
/// the subcommand, so that flags the user typed (which come later) override it.
pub fn expand(args: Vec<OsString>) -> anyhow::Result<Vec<OsString>> {
    let text: Vec<String> = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let Some(at) = text.iter().position(|a| a == "serve" || a == "demo") else {
        return Ok(args);
    };
    let config = text.iter().enumerate().skip(at).find_map(|(i, a)| {
        if a == "--config" {
            text.get(i + 1).cloned()
        } else {
            a.strip_prefix("--config=").map(str::to_string)
        }
    });
    let Some(config) = config else {
        return Ok(args);
    };
    let flags = serve_flags(Path::new(&config), &text[at])?;
    let mut out = args[..=at].to_vec();
    out.extend(flags.into_iter().map(OsString::from));
    out.extend_from_slice(&args[at + 1..]);
    Ok(out)
}

/// The `[serve]` table of `path` as flags of `subcommand`; unknown keys and odd values are
/// errors naming the file and the key.
fn serve_flags(path: &Path, subcommand: &str) -> anyhow::Result<Vec<String>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("{}: cannot read: {e}", path.display()))?;
    let table: toml::Table = text
        .parse()
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let Some(serve) = table.get("serve") else {
        return Ok(Vec::new());
    };
    let serve = serve
        .as_table()
        .ok_or_else(|| anyhow::anyhow!("{}: `serve` must be a table", path.display()))?;
    let command = super::Cli::command();
    let sub = command
        .find_subcommand(subcommand)
        .ok_or_else(|| anyhow::anyhow!("no subcommand {subcommand}"))?;
    let known: Vec<(String, bool)> = sub
        .get_arguments()
        .filter_map(|a| {
            let takes_value = a.get_action().takes_values();
            a.get_long().map(|l| (l.to_string(), takes_value))
        })
        .collect();
    let mut flags = Vec::new();
    for (key, value) in serve {
        let flag = key.replace('_', "-");
        let bad = |what: &str| anyhow::anyhow!("{}: serve.{key}: {what}", path.display());
        let Some((_, takes_value)) = known.iter().find(|(l, _)| *l == flag) else {
            return Err(bad("not an option of `patrolmap serve`"));
        };
        if flag == "config" || flag == "data" {
            return Err(bad("belongs on the command line"));
        }
        let values: Vec<&toml::Value> = match value {
            toml::Value::Array(items) => items.iter().collect(),
            one => vec![one],
        };
        for v in values {
            match (v, takes_value) {
                (toml::Value::Boolean(true), false) => flags.push(format!("--{flag}")),
                (toml::Value::Boolean(false), false) => {}
                (toml::Value::String(s), true) => flags.push(format!("--{flag}={s}")),
                (toml::Value::Integer(n), true) => flags.push(format!("--{flag}={n}")),
                (toml::Value::Float(x), true) => flags.push(format!("--{flag}={x}")),
                (_, false) => return Err(bad("is a switch: true or false")),
                _ => return Err(bad("must be a string, a number or a list of them")),
            }
        }
    }
    Ok(flags)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<OsString> {
        a.iter().map(OsString::from).collect()
    }

    #[test]
    fn the_serve_table_becomes_flags_the_command_line_overrides() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("patrolmap.toml");
        std::fs::write(
            &file,
            "utc_offset_minutes = 480\n[serve]\nlisten = \"0.0.0.0:8443\"\ntls_self_signed = true\nhost = [\"patrol.test\", \"192.0.2.10\"]\nbackup_keep = 7\n",
        )
        .unwrap();
        let f = file.to_string_lossy().into_owned();
        let out = expand(args(&[
            "patrolmap",
            "serve",
            "--config",
            &f,
            "--listen",
            "127.0.0.1:1",
        ]))
        .unwrap();
        let out: Vec<String> = out
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            out[..7],
            [
                "patrolmap",
                "serve",
                "--backup-keep=7",
                "--host=patrol.test",
                "--host=192.0.2.10",
                "--listen=0.0.0.0:8443",
                "--tls-self-signed"
            ]
            .map(String::from)
        );
        let cli = <super::super::Cli as clap::Parser>::try_parse_from(&out).unwrap();
        let super::super::Command::Serve(serve) = cli.command else {
            panic!("not serve")
        };
        assert_eq!(
            serve.listen.to_string(),
            "127.0.0.1:1",
            "the command line wins"
        );
        assert!(serve.tls.tls_self_signed);
        assert_eq!(serve.tls.hosts, ["patrol.test", "192.0.2.10"]);
    }

    #[test]
    fn unknown_keys_are_named_with_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("bad.toml");
        std::fs::write(&file, "[serve]\nlisten_on = \"x\"\n").unwrap();
        let f = file.to_string_lossy().into_owned();
        let e = expand(args(&["patrolmap", "serve", "--config", &f]))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("bad.toml") && e.contains("serve.listen_on"),
            "{e}"
        );
    }
}
