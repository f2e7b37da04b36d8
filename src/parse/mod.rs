//! Syntax only: each module turns one file format into items with byte spans.
//! No units, defaults or meaning here (see [`crate::systems`]).

pub mod cfg;
pub mod haproxy;
pub mod mycnf;
pub mod mysqldump;
pub mod nginx;
pub mod pgbouncer;
pub mod pgconf;
pub mod sysctl;
pub mod toml;
pub mod tree;
pub mod yaml;
