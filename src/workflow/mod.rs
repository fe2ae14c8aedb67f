//! The district's daily work as whole steps: load what the store holds, run an analysis, save
//! what it decided. The CLI and the server both call these, so a plan made from the command line
//! and one made through the API are the same plan.

pub mod backup;
pub mod city;
mod daily;
pub mod dispatch;
pub mod history;
mod lighting;
pub mod live_coverage;
pub mod refresh;
pub mod report_files;
pub mod reports;
pub mod supervision;
pub mod tables;

pub use daily::{
    DayPlans, OverdueVenue, PlanOptions, coverage_report, overdue_venues, plan_day,
    plan_inspections, plan_lighting, weekly_findings,
};
pub use lighting::{CityLighting, refresh_lighting};
