#![allow(dead_code)]

pub mod server;

use patrolmap::store::Store;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel)
}

/// Runs the real binary with a data folder.
pub fn patrolmap(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_patrolmap"))
        .arg("--data")
        .arg(data)
        .args(args)
        .output()
        .expect("the patrolmap binary runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Everything a registry import could change, to show that a refused file changed nothing.
pub fn fingerprint(data: &Path) -> String {
    let store = Store::open(data).expect("store opens");
    format!(
        "{:?}\n{:?}\n{:?}\n{:?}",
        store.stats().unwrap(),
        store.venues().unwrap(),
        store.lamps().unwrap(),
        store
            .areas()
            .unwrap()
            .iter()
            .map(|a| (&a.source_id, &a.name, a.geometry.0.len()))
            .collect::<Vec<_>>()
    )
}

pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// Every file below `dir` (none when it does not exist).
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        if e.path().is_dir() {
            out.extend(files_under(&e.path()));
        } else {
            out.push(e.path());
        }
    }
    out
}

/// `/metrics` as a Prometheus server reads it.
pub fn scrape(body: &str) -> prometheus_parse::Scrape {
    prometheus_parse::Scrape::parse(body.lines().map(|l| Ok(l.to_string())))
        .expect("the metrics parse as Prometheus text")
}

/// The sum of a metric's samples (over its labels), if it has any.
pub fn metric_value(scrape: &prometheus_parse::Scrape, name: &str) -> Option<f64> {
    scrape
        .samples
        .iter()
        .filter(|s| s.metric == name)
        .map(|s| match s.value {
            prometheus_parse::Value::Counter(v)
            | prometheus_parse::Value::Gauge(v)
            | prometheus_parse::Value::Untyped(v) => v,
            _ => 0.0,
        })
        .reduce(|a, b| a + b)
}

/// Runs a browser script of `tests/web` (Playwright driving Debian's headless Chromium) with
/// `args`, and gives the JSON line it prints last. Fails with what the script said if it fails.
pub fn run_browser_script(script: &str, args: &[&str]) -> serde_json::Value {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        Path::new(&chromium).exists(),
        "{chromium} is missing: scripts/test installs Debian's chromium"
    );
    let web = root.join("tests").join("web");
    assert!(
        web.join("node_modules").join("playwright-core").exists(),
        "Playwright is missing: scripts/test runs `npm ci` in tests/web"
    );
    let out = Command::new("node")
        .arg(web.join(script))
        .args(args)
        .env("CHROMIUM", &chromium)
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{script} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(stdout.lines().last().expect("a result line")).unwrap()
}

/// Where the browser tests put their screenshots.
pub fn screenshots() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join("screenshots")
}

/// A CLI command that prints JSON, run to success and parsed.
pub fn cli_json(data: &Path, args: &[&str]) -> serde_json::Value {
    let out = patrolmap(data, args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    serde_json::from_str(&stdout(&out)).unwrap_or_else(|e| panic!("{args:?}: {e}"))
}
