//! Meaning: per-system settings, units and documented defaults, each value
//! carrying its [`crate::provenance::Origin`].

pub mod app;
pub mod foreign;
pub mod haproxy;
pub mod images;
pub mod include;
pub mod mesh;
pub mod mysql;
pub mod nginx;
pub mod pgbouncer;
pub mod postgres;
pub mod presets;
pub mod providers;
pub mod proxy;
pub mod settings_table;
pub mod sysctl;
pub(crate) mod table_values;
pub(crate) mod versions;
