//! patrolmap: plans inspections of risky venues and finds the city's dark corners.
//!
//! Data flows one way, and a module never imports one above it:
//! `model` (the vocabulary) → `ingest` (files into the model) → `index` (rstar trees) →
//! analyses (`lighting`, `routing`, `planning`) → `store` (SQLite) → `workflow` (whole steps over
//! the store) → `server` (HTTP) and `cli`.

pub mod cli;
pub mod index;
pub mod ingest;
pub mod lighting;
pub mod model;
pub mod planning;
pub mod routing;
pub mod server;
pub mod store;
pub mod tiles;
pub mod workflow;
