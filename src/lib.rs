//! Lull: a self-hosted status page server whose heart is planned maintenance.
//!
//! A tour: [`domain`] is pure (schedules, lifecycle, impact); [`store`] persists on SQLite
//! or PostgreSQL; [`service`] holds the use cases; [`scheduler`] keeps the horizon and the
//! lifecycle on time, and its leader runs the [`checks`]; [`web`] serves the API; [`cli`] is
//! the binary's commands.
pub mod app;
pub mod checks;
pub mod cli;
pub mod clock;
pub mod config;
pub use lull_domain as domain;
pub mod error;
pub mod follow;
pub mod markdown;
pub mod metrics;
pub mod notify;
pub mod scheduler;
pub mod secret;
pub mod service;
pub mod silences;
pub mod store;
pub mod web;
