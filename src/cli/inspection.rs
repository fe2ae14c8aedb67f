//! `patrolmap inspection`: record a visit (paper records, backfills), list follow-ups, clear a
//! suspension. The same store functions take the field's records through the API.

use super::plan::ConfigArg;
use crate::model::{FollowUpStatus, Inspection, Outcome};
use crate::store::{Store, parse_local_time};
use anyhow::Context;
use clap::Subcommand;
use std::path::Path;

#[derive(Debug, Subcommand)]
pub enum InspectionCommand {
    /// Record one inspection of a venue.
    Record {
        /// The venue's registry id (source id).
        #[arg(long)]
        venue: String,
        /// compliant, violation, drug_related, closed_on_arrival or refused_entry.
        #[arg(long)]
        outcome: String,
        /// Local start time, YYYY-MM-DDTHH:MM; default now.
        #[arg(long)]
        at: Option<String>,
        /// The team's name.
        #[arg(long)]
        team: Option<String>,
        #[arg(long)]
        notes: Option<String>,
        /// The record's UUID (recording the same UUID again changes nothing); default a new one.
        #[arg(long)]
        uuid: Option<String>,
        #[command(flatten)]
        config: ConfigArg,
    },
    /// List follow-ups.
    FollowUps {
        /// open, done, cancelled or all.
        #[arg(long, default_value = "open")]
        status: String,
        #[arg(long)]
        json: bool,
    },
    /// Escalate (督办) the open follow-ups whose deadline, or last escalation's time limit, has
    /// passed; `serve` does this itself after each midnight.
    EscalateOverdue {
        /// The district's day, YYYY-MM-DD; default today.
        #[arg(long)]
        today: Option<String>,
        #[command(flatten)]
        config: ConfigArg,
    },
    /// Lift a venue's suspension (a manager's decision, recorded in the audit trail).
    ClearSuspension {
        #[arg(long)]
        venue: String,
    },
}

pub fn run(data: &Path, command: InspectionCommand) -> anyhow::Result<()> {
    let mut store = Store::open(data)?;
    match command {
        InspectionCommand::Record {
            venue,
            outcome,
            at,
            team,
            notes,
            uuid,
            config,
        } => {
            let config = config.load()?;
            let venue_id = venue_id(&store, &venue)?;
            let outcome =
                Outcome::parse(&outcome).map_err(|e| anyhow::anyhow!("--outcome: {e}"))?;
            let started_at = match at {
                Some(t) => {
                    parse_local_time(&t, "--at")?;
                    t
                }
                None => (chrono::Utc::now()
                    + chrono::TimeDelta::minutes(config.utc_offset_minutes as i64))
                .naive_utc()
                .format("%Y-%m-%dT%H:%M:%S")
                .to_string(),
            };
            let team_id = match team {
                Some(name) => Some(
                    store
                        .teams()?
                        .into_iter()
                        .find(|t| t.name == name)
                        .with_context(|| format!("--team: no team named {name:?}"))?
                        .id,
                ),
                None => None,
            };
            let inspection = Inspection {
                client_uuid: match uuid {
                    Some(u) => uuid::Uuid::parse_str(u.trim())
                        .map_err(|e| anyhow::anyhow!("--uuid: {u:?} is not a UUID: {e}"))?,
                    None => uuid::Uuid::new_v4(),
                },
                venue_id,
                team_id,
                account_id: None,
                started_at,
                finished_at: None,
                outcome,
                checklist: Default::default(),
                notes,
                gps: None,
                photos: Vec::new(),
                sample: false,
                off_plan: false,
                corrects: None,
            };
            // The risk around the venue is rescored for the day of the inspection.
            let day = chrono::NaiveDate::parse_from_str(
                inspection.started_at.get(..10).unwrap_or_default(),
                "%Y-%m-%d",
            )?;
            let recorded =
                crate::workflow::refresh::record_inspection(&mut store, &config, &inspection, day)?;
            println!(
                "inspection {} {} ({})",
                recorded.inspection_id,
                if recorded.created {
                    "recorded"
                } else {
                    "was already recorded"
                },
                inspection.client_uuid
            );
            if let Some(f) = &recorded.follow_up {
                println!(
                    "follow-up {} raised: {} by {} (deadline {})",
                    f.id, f.action, f.responsible_unit, f.deadline
                );
            }
            for id in &recorded.closed_follow_ups {
                println!("follow-up {id} closed");
            }
            if recorded.suspended {
                println!("venue {venue} suspended until a manager clears it");
            }
        }
        InspectionCommand::FollowUps { status, json } => {
            let filter = match status.as_str() {
                "all" => None,
                s => Some(FollowUpStatus::parse(s).map_err(|e| anyhow::anyhow!("--status: {e}"))?),
            };
            let list = store.follow_ups(filter)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else {
                for f in &list {
                    println!(
                        "{:>5}  venue {:<6} {:<8} {}  {}  {} ({})",
                        f.id,
                        f.venue_id,
                        f.status.as_str(),
                        f.deadline,
                        f.outcome.as_str(),
                        f.action,
                        f.responsible_unit
                    );
                }
                println!("{} follow-ups", list.len());
            }
        }
        InspectionCommand::EscalateOverdue { today, config } => {
            let config = config.load()?;
            let today = match today {
                Some(t) => chrono::NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d")
                    .map_err(|_| anyhow::anyhow!("--today: {t:?} is not YYYY-MM-DD"))?,
                None => config.today(),
            };
            let escalated =
                crate::workflow::supervision::escalate_overdue(&mut store, &config, today)?;
            for f in &escalated {
                println!(
                    "follow-up {} escalated to level {} ({}), due {}",
                    f.id,
                    f.level,
                    f.escalated_to.as_deref().unwrap_or_default(),
                    f.escalation_due.map(|d| d.to_string()).unwrap_or_default()
                );
            }
            println!("{} follow-ups escalated on {today}", escalated.len());
        }
        InspectionCommand::ClearSuspension { venue } => {
            let id = venue_id(&store, &venue)?;
            store.clear_suspension(id, None)?;
            println!("venue {venue} is active again");
        }
    }
    Ok(())
}

fn venue_id(store: &Store, source_id: &str) -> anyhow::Result<i64> {
    store
        .venue_id(source_id)?
        .with_context(|| format!("--venue: no venue with registry id {source_id:?}"))
}
