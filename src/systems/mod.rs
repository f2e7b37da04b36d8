//! Meaning: per-system settings, units and documented defaults, each value
//! carrying its [`crate::provenance::Origin`].

pub mod app;
pub mod mysql;
pub mod pgbouncer;
pub mod postgres;
pub mod sysctl;
