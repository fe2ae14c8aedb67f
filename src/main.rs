use clap::Parser;
use std::process::ExitCode;

/// The lighting model and the importers allocate many small vectors from both cores at once;
/// mimalloc's per-thread heaps keep that from serialising on glibc's arenas.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args = match patrolmap::cli::config_file::expand(std::env::args_os().collect()) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    let cli = patrolmap::cli::Cli::parse_from(args);
    // Like every Unix tool, a command stops quietly when the reader of its output goes away
    // (`| head`), instead of Rust's default of failing the next print. Not a server: a vectored
    // write to a client that hung up mid-answer raises SIGPIPE, and at its default disposition
    // that killed `serve` (seen under load on the synthetic city, exit status 141).
    #[cfg(unix)]
    if !cli.serves() {
        // SAFETY: setting a signal disposition to its default before any thread starts.
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        }
    }
    let filter = tracing_subscriber::EnvFilter::try_from_env("PATROLMAP_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,fast_paths=error"));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if cli.log_format == "json" {
        logs.json().init();
    } else {
        logs.init();
    }
    match patrolmap::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
