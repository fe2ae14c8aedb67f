//! Dispatch over HTTP (issue 12, README "Dispatch"): each dispatcher action re-optimises a draft
//! whose effect shows in the plan, leaves its audit event and is refused to inspectors; publish
//! makes a revision visible to the teams, whose phones see what changed; stop events arrive
//! exactly once; a team re-plans from where it is; an inspector may record a registered venue
//! near its route but not far from it. The real server on 127.0.0.1 over a copy of the demo
//! store; its plan day is pinned to DEMO_DATE. No wall-clock time is asserted.

mod actions;
#[path = "../common/mod.rs"]
mod common;
mod day;
mod helpers;
