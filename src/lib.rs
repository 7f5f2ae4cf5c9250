//! tonlage: monitors how regional news portrays a municipality's priority districts.
//! The library holds every module; the binary in `main.rs` is a thin shell around `cli`.

pub mod backfill;
pub mod cli;
pub mod config;
pub mod digest;
pub mod districts;
pub mod eval;
pub mod extract;
pub mod fetch;
pub mod index;
pub mod ingest;
pub mod metrics;
pub mod model;
pub mod progress;
pub mod search;
pub mod store;
pub mod stories;
pub mod tone;
pub mod web;
pub mod worker;
