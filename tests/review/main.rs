//! What was recorded, read back (issue 13): an inspector's violation with a photo is found by a
//! manager in the inspections list by outcome, team, day and township, read whole with its GPS
//! fix and photo (the same SHA-256 bytes), and kept from another team's inspector and from a
//! planner. The real server on 127.0.0.1 over a copy of the demo store.

#[path = "../common/mod.rs"]
mod common;
mod helpers;
mod paging;
mod record;
