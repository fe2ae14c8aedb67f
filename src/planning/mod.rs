//! From risk to routes: risk scores, opening hours, teams, the daily plan, lighting crew routes and
//! coverage. An analysis like lighting and routing: it reads plain inputs and returns plain
//! results; loading and saving them is the store's and the callers' work.

pub mod adjust;
pub mod assessment;
pub mod capture;
pub mod config;
pub mod consequences;
pub mod hours;
pub mod risk;
pub mod shift_clock;
pub mod supervision;

pub use config::PlanningConfig;
pub use hours::Shift;
pub use risk::{Finding, RiskModel, RiskScore, RiskTerm, VenueHistory};
pub mod coverage;
pub mod crew;
pub mod day;
pub mod dispatch;
pub mod export;
pub mod plan;
pub mod synthetic;
pub mod teams;
pub mod units;

#[cfg(test)]
mod adjust_tests;
#[cfg(test)]
mod tests;
