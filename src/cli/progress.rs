use indicatif::{ProgressBar, ProgressStyle};
use std::time::Duration;

/// A spinner for a long step; indicatif draws nothing when stderr is not a terminal, so logs and
/// CI output stay clean.
pub fn step(message: impl Into<std::borrow::Cow<'static, str>>) -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.set_message(message);
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// Finishes a step and logs how long it took.
pub fn done(bar: ProgressBar, what: &str) {
    tracing::info!(step = what, seconds = bar.elapsed().as_secs_f64(), "done");
    bar.finish_and_clear();
}
