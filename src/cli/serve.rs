//! `patrolmap serve` and `patrolmap user add`: the HTTP service and its first accounts.

use super::plan::{ConfigArg, parse_date};
use crate::model::Role;
use crate::server::{ServeOptions, serve};
use crate::store::Store;
use clap::{Args, Subcommand};
use std::net::SocketAddr;
use std::path::Path;

/// HTTPS: a real certificate, or one made here for a district intranet.
#[derive(Debug, Clone, Args)]
pub struct TlsArgs {
    /// The certificate chain (PEM) of a real certificate; needs --tls-key.
    #[arg(long, requires = "tls_key", conflicts_with = "tls_self_signed")]
    pub tls_cert: Option<std::path::PathBuf>,
    /// The private key (PEM) of --tls-cert.
    #[arg(long, requires = "tls_cert")]
    pub tls_key: Option<std::path::PathBuf>,
    /// Make (once) and use a self-signed certificate for the --host names and addresses, kept
    /// in DATA/tls/.
    #[arg(long)]
    pub tls_self_signed: bool,
    /// A host name or address phones use to reach the server (repeat); default: every address
    /// of this machine.
    #[arg(long = "host")]
    pub hosts: Vec<String>,
    /// Also listen for plain HTTP here and answer with a redirect to HTTPS.
    #[arg(long)]
    pub redirect_http: Option<std::net::SocketAddr>,
}

impl TlsArgs {
    /// Puts the TLS choice into `o`.
    pub fn apply(&self, o: &mut ServeOptions) -> anyhow::Result<()> {
        use crate::server::TlsSource;
        o.tls_source = match (&self.tls_cert, &self.tls_key, self.tls_self_signed) {
            (Some(cert), Some(key), false) => Some(TlsSource::Files {
                cert: cert.clone(),
                key: key.clone(),
            }),
            (None, None, true) => Some(TlsSource::SelfSigned {
                hosts: if self.hosts.is_empty() {
                    crate::server::machine_hosts()
                } else {
                    self.hosts.clone()
                },
            }),
            (None, None, false) => None,
            _ => anyhow::bail!("give --tls-cert with --tls-key, or --tls-self-signed"),
        };
        o.tls = o.tls_source.is_some();
        if self.redirect_http.is_some() && !o.tls {
            anyhow::bail!(
                "--redirect-http needs HTTPS (--tls-cert/--tls-key or --tls-self-signed)"
            );
        }
        o.redirect_http = self.redirect_http;
        Ok(())
    }
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// The plan day the layers show (YYYY-MM-DD); default today, moving at local midnight.
    #[arg(long)]
    pub date: Option<String>,
    /// Fix the server's clock at this local district time, YYYY-MM-DDTHH:MM (for tests): each
    /// team's current plan follows it (see `planning::shift_clock`), even with `--date`.
    #[arg(long)]
    pub now: Option<String>,
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
    /// Seconds a client has to send a request's line and headers (and to finish TLS).
    #[arg(long, default_value_t = 10)]
    pub header_timeout_s: u64,
    /// Seconds a connection may stay open with no bytes moving either way.
    #[arg(long, default_value_t = 75)]
    pub idle_timeout_s: u64,
    /// Connections open at once from one client address (a NAT'd office shares one).
    #[arg(long, default_value_t = 256)]
    pub max_connections_per_address: usize,
    /// The address people open, e.g. https://patrol.district.example: every absolute link the
    /// server writes uses it (default: the Host the client sent).
    #[arg(long)]
    pub public_url: Option<String>,
    /// A reverse proxy whose X-Forwarded-Proto/-Host/-For headers are believed (repeat).
    #[arg(long = "trust-proxy")]
    pub trust_proxy: Vec<std::net::IpAddr>,
    /// Take a backup this often while serving, e.g. `24h` (see `patrolmap backup`).
    #[arg(long)]
    pub backup_every: Option<String>,
    /// Unattended backups to keep; older ones are removed.
    #[arg(long, default_value_t = 14)]
    pub backup_keep: usize,
    /// Where unattended backups go (default: DATA/../patrolmap-backups, off the data folder).
    #[arg(long)]
    pub backup_dir: Option<std::path::PathBuf>,
    /// An address that may read /metrics without a token, e.g. the Prometheus server (repeat).
    #[arg(long = "metrics-from")]
    pub metrics_from: Vec<std::net::IpAddr>,
    #[command(flatten)]
    pub tls: TlsArgs,
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
        o.now = match &self.now {
            Some(t) => Some(
                chrono::NaiveDateTime::parse_from_str(t.trim(), "%Y-%m-%dT%H:%M").map_err(
                    |_| anyhow::anyhow!("--now {t:?}: expected a local time YYYY-MM-DDTHH:MM"),
                )?,
            ),
            None => None,
        };
        o.origins.clone_from(&self.origins);
        o.session_hours = self.session_hours;
        o.max_photo_bytes = self.max_photo_mib << 20;
        o.max_request_bytes = self.max_request_mib << 20;
        if !(1..=300).contains(&self.header_timeout_s) || !(1..=3600).contains(&self.idle_timeout_s)
        {
            anyhow::bail!(
                "--header-timeout-s must be 1 to 300 and --idle-timeout-s 1 to 3600 seconds"
            );
        }
        if self.max_connections_per_address == 0 {
            anyhow::bail!("--max-connections-per-address must be at least 1");
        }
        o.connections.header_timeout = std::time::Duration::from_secs(self.header_timeout_s);
        o.connections.idle_timeout = std::time::Duration::from_secs(self.idle_timeout_s);
        o.connections.per_address = self.max_connections_per_address;
        o.metrics_from.clone_from(&self.metrics_from);
        o.public_url = self
            .public_url
            .as_deref()
            .map(crate::server::parse_public_url)
            .transpose()
            .map_err(|e| anyhow::anyhow!("--public-url: {e}"))?;
        o.trusted_proxies.clone_from(&self.trust_proxy);
        self.tls.apply(&mut o)?;
        Ok(o)
    }

    /// The unattended backups asked for, if any, for the data folder `data`.
    pub fn backups(&self, data: &Path) -> anyhow::Result<Option<crate::server::BackupSchedule>> {
        let Some(every) = &self.backup_every else {
            return Ok(None);
        };
        let every = humantime::parse_duration(every)
            .map_err(|e| anyhow::anyhow!("--backup-every {every:?}: {e} (e.g. 24h, 6h, 30m)"))?;
        if every < std::time::Duration::from_secs(60) {
            anyhow::bail!("--backup-every must be at least a minute");
        }
        if self.backup_keep == 0 {
            anyhow::bail!("--backup-keep must be at least 1");
        }
        let dir = match &self.backup_dir {
            Some(d) => d.clone(),
            None => {
                let data = std::path::absolute(data)?;
                data.parent().unwrap_or(&data).join("patrolmap-backups")
            }
        };
        Ok(Some(crate::server::BackupSchedule {
            dir,
            every,
            keep: self.backup_keep,
        }))
    }
}

pub fn run(data: &Path, args: ServeArgs) -> anyhow::Result<()> {
    let config = args.config.load()?;
    let mut options = args.options(&config)?;
    options.backups = args.backups(data)?;
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
        /// A township or community (registry source id or id) the account answers for; give
        /// it again for more. None: the whole district.
        #[arg(long = "area")]
        areas: Vec<String>,
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
            areas,
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
            let account =
                store.add_account_in(&username, &password, role, team_id, &areas, None)?;
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
