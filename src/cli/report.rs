//! `patrolmap report`: the assessment (考核) of a month or quarter, and each responsible unit's
//! list of open follow-ups (printed, as JSON, or sent to the configured webhook now). The
//! server's `/api/assessment` and `/api/units` answer with the same figures.

use super::plan::{ConfigArg, parse_date};
use crate::model::AreaLevel;
use crate::planning::assessment::{Assessment, Figures, Period};
use crate::planning::units::{DEFAULT_WITHIN_DAYS, UnitsReport};
use crate::store::Store;
use crate::workflow::report_files;
use crate::workflow::reports::{assessment_report, send_units_now, units_report};
use anyhow::{Context, bail};
use clap::Subcommand;
use std::path::{Path, PathBuf};

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// The assessment of a period per area and per responsible unit, ranked.
    Assessment {
        /// A month (2026-11) or a quarter (2026-Q4).
        #[arg(long)]
        period: String,
        /// township or community.
        #[arg(long, default_value = "township")]
        level: String,
        /// Also write the assessment as an XLSX workbook to this file.
        #[arg(long)]
        xlsx: Option<PathBuf>,
        #[arg(long)]
        json: bool,
        /// The district's today (YYYY-MM-DD; default today): a period under way is assessed up
        /// to it.
        #[arg(long)]
        today: Option<String>,
        #[command(flatten)]
        config: ConfigArg,
    },
    /// Each responsible unit's open follow-ups: late, due within N days, later.
    Units {
        /// "Due soon" means within this many days.
        #[arg(long, default_value_t = DEFAULT_WITHIN_DAYS)]
        within: i64,
        /// The day the lists are as of (YYYY-MM-DD); default today.
        #[arg(long)]
        day: Option<String>,
        #[arg(long)]
        json: bool,
        /// POST the lists to `[supervision] webhook_url` now (3 tries), as the server does daily.
        #[arg(long)]
        webhook: bool,
        #[command(flatten)]
        config: ConfigArg,
    },
}

pub fn run(data: &Path, command: ReportCommand) -> anyhow::Result<()> {
    let store = Store::open(data)?;
    match command {
        ReportCommand::Assessment {
            period,
            level,
            xlsx,
            json,
            today,
            config,
        } => {
            let config = config.load()?;
            let period = Period::parse(&period).map_err(|e| anyhow::anyhow!("--period: {e}"))?;
            let level =
                match AreaLevel::parse(&level).map_err(|e| anyhow::anyhow!("--level: {e}"))? {
                    AreaLevel::Grid => bail!("--level: the assessment is by township or community"),
                    l => l,
                };
            let today = match &today {
                Some(t) => chrono::NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d")
                    .map_err(|_| anyhow::anyhow!("--today: {t:?} is not YYYY-MM-DD"))?,
                None => config.today(),
            };
            let report = assessment_report(&store, &config, &period, level, None, today)?;
            if let Some(path) = &xlsx {
                let bytes = report_files::xlsx(&report_files::assessment_tables(&report))?;
                std::fs::write(path, bytes)
                    .with_context(|| format!("cannot write {}", path.display()))?;
            }
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print_assessment(&report);
            }
            Ok(())
        }
        ReportCommand::Units {
            within,
            day,
            json,
            webhook,
            config,
        } => {
            let config = config.load()?;
            let day = parse_date(day.as_deref(), &config)?;
            if within < 0 {
                bail!("--within must be 0 or more days");
            }
            if webhook {
                let attempts = send_units_now(&store, &config, day, within)?;
                let last = attempts.last().map(|a| (a.attempt, a.status));
                eprintln!(
                    "sent to {} (attempt {}, HTTP {})",
                    config.supervision.webhook_url,
                    last.map_or(0, |l| l.0),
                    last.and_then(|l| l.1).unwrap_or_default()
                );
            }
            let report = units_report(&store, day, within, None)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else if !webhook {
                print_units(&report);
            }
            Ok(())
        }
    }
}

fn print_assessment(a: &Assessment) {
    println!(
        "assessment {} ({} to {}, {} days) by {}",
        a.period.label, a.period.first, a.period.last, a.days, a.level
    );
    let head = |first: &str| {
        println!(
            "  {:>4} {:<24} {:>6} {:>7} {:>6} {:>6} {:>6} {:>6} {:>7} {:>4} {:>5} {:>8}",
            "rank",
            first,
            "venues",
            "covered",
            "share",
            "insp",
            "finds",
            "raised",
            "on time",
            "late",
            "esc",
            "avg days"
        );
    };
    let row = |rank: Option<usize>, name: &str, f: &Figures| {
        println!(
            "  {:>4} {:<24} {:>6} {:>7} {:>5.0}% {:>6} {:>6} {:>6} {:>7} {:>4} {:>5} {:>8}",
            rank.map_or("-".into(), |r| r.to_string()),
            name,
            f.venues,
            f.covered,
            f.covered_share * 100.0,
            f.inspections,
            f.findings,
            f.raised,
            f.on_time,
            f.late,
            f.escalated,
            f.average_days_to_close
                .map_or("-".into(), |d| format!("{d:.1}"))
        );
    };
    head("area");
    for r in &a.areas {
        row(r.rank, &r.name, &r.figures);
    }
    row(None, "district", &a.total);
    println!();
    head("unit");
    for u in &a.units {
        row(Some(u.rank), &u.unit, &u.figures);
    }
    println!("ranked by {}", a.ranking);
}

fn print_units(r: &UnitsReport) {
    println!(
        "open follow-ups by unit on {} (due soon: within {} days)",
        r.day, r.within_days
    );
    for u in &r.units {
        println!(
            "{}: {} open, {} late, {} due soon",
            u.unit,
            u.open,
            u.late.len(),
            u.due_soon.len()
        );
        for (part, f) in u.rows() {
            println!(
                "  {:<8} #{:<5} {:<24} {:<12} {} deadline {} level {}{}",
                part,
                f.id,
                f.venue,
                f.area.as_deref().unwrap_or("-"),
                f.action,
                f.deadline,
                f.level,
                if f.days_late > 0 {
                    format!(", {} days late", f.days_late)
                } else {
                    String::new()
                }
            );
        }
    }
}
