//! The district's daily work as whole steps: load what the store holds, run an analysis, save
//! what it decided. The CLI and the server both call these, so a plan made from the command line
//! and one made through the API are the same plan.

mod daily;
pub mod history;

pub use daily::{PlanOptions, coverage_report, plan_inspections, plan_lighting};
