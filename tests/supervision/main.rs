//! Managers close the loop (issue 13): each follow-up action (extend, escalate, cancel, close
//! with evidence) with its audit event, its history, and its effect on coverage and on the next
//! plan; a deadline passing twice raises the escalation level; a record sent back becomes a
//! mandatory stop of its team with the reason, and a correction is a new version that withdraws
//! what the old one raised. The real server on 127.0.0.1 and the CLI over one demo store.

mod actions;
#[path = "../common/mod.rs"]
mod common;
mod helpers;
mod review;
