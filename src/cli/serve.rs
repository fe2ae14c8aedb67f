//! `patrolmap serve` and `patrolmap user add`: the HTTP service and its first accounts.

use super::plan::{ConfigArg, parse_date};
use crate::model::Role;
use crate::server::{ServeOptions, serve};
use crate::store::Store;
use clap::{Args, Subcommand};
use std::net::SocketAddr;
use std::path::Path;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// The plan day the layers show (YYYY-MM-DD); default today, moving at local midnight.
    #[arg(long)]
    pub date: Option<String>,
    /// A browser origin allowed to call the API from another site (repeat for more).
    #[arg(long = "origin")]
    pub origins: Vec<String>,
    /// Hours a sign-in lasts.
    #[arg(long, default_value_t = 12)]
    pub session_hours: i64,
    /// Largest photo accepted, in MiB.
    #[arg(long, default_value_t = 8)]
    pub max_photo_mib: usize,
    /// Largest request accepted, in MiB (an inspection with all its photos).
    #[arg(long, default_value_t = 32)]
    pub max_request_mib: usize,
    #[command(flatten)]
    pub config: ConfigArg,
}

impl ServeArgs {
    pub fn options(
        &self,
        config: &crate::planning::PlanningConfig,
    ) -> anyhow::Result<ServeOptions> {
        if !(1..=24 * 30).contains(&self.session_hours) {
            anyhow::bail!("--session-hours must be between 1 and 720");
        }
        let mut o = ServeOptions::new(self.listen);
        o.date = match &self.date {
            Some(d) => Some(parse_date(Some(d), config)?),
            None => None,
        };
        o.origins.clone_from(&self.origins);
        o.session_hours = self.session_hours;
        o.max_photo_bytes = self.max_photo_mib << 20;
        o.max_request_bytes = self.max_request_mib << 20;
        Ok(o)
    }
}

pub fn run(data: &Path, args: ServeArgs) -> anyhow::Result<()> {
    let config = args.config.load()?;
    let options = args.options(&config)?;
    serve(data.to_path_buf(), config, options)
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Make an account (the first admin is made this way; later ones through the API too).
    Add {
        username: String,
        /// inspector, planner, manager or admin.
        #[arg(long)]
        role: String,
        /// An inspector's team, by name.
        #[arg(long)]
        team: Option<String>,
        /// Read the password from this environment variable instead of asking on the terminal.
        #[arg(long, default_value = "PATROLMAP_PASSWORD")]
        password_env: String,
    },
}

pub fn run_user(data: &Path, what: UserCommand) -> anyhow::Result<()> {
    match what {
        UserCommand::Add {
            username,
            role,
            team,
            password_env,
        } => {
            let role = Role::parse(&role).map_err(anyhow::Error::msg)?;
            let password = match std::env::var(&password_env) {
                Ok(p) => p,
                Err(_) => read_password()?,
            };
            let mut store = Store::open(data)?;
            let team_id = match team {
                None => None,
                Some(name) => Some(
                    store
                        .teams()?
                        .into_iter()
                        .find(|t| t.name == name)
                        .map(|t| t.id)
                        .ok_or_else(|| anyhow::anyhow!("--team: no team named {name:?}"))?,
                ),
            };
            let account = store.add_account(&username, &password, role, team_id, None)?;
            println!(
                "account {} ({}) created with id {}",
                account.username,
                account.role.as_str(),
                account.id
            );
            Ok(())
        }
    }
}

/// One line from the terminal (the password is not echoed when stdin is a terminal).
fn read_password() -> anyhow::Result<String> {
    use std::io::{BufRead, IsTerminal};
    let stdin = std::io::stdin();
    let tty = stdin.is_terminal();
    if tty {
        eprint!("password: ");
        // Hide the typing; restored below whatever happens.
        let _ = std::process::Command::new("stty").arg("-echo").status();
    }
    let mut line = String::new();
    let read = stdin.lock().read_line(&mut line);
    if tty {
        let _ = std::process::Command::new("stty").arg("echo").status();
        eprintln!();
    }
    read?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}
