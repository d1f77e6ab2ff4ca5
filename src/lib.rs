//! Lull: a self-hosted status page server whose heart is planned maintenance.
pub mod domain;
