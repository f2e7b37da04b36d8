//! MySQL / MariaDB server settings from option files (my.cnf).
//!
//! Syntax comes from [`crate::parse::mycnf`]; this module decides what the
//! server makes of it (DOMAIN.md sections 1.1 and 1.2, from
//! `mysql/mysql-server:mysys/my_default.cc`, `mysys/my_getopt.cc`,
//! `sql/sys_vars.cc` and https://dev.mysql.com/doc/refman/8.0/en/option-files.html):
//!
//! - Groups read by the server: `[mysqld]`, `[server]`, `[mysqld-X.Y]`, and
//!   for MariaDB `[mariadb]`, `[mariadb-X.Y]`, `[mariadbd]`, `[mariadbd-X.Y]`,
//!   `[client-server]`, `[galera]`. Group names match ASCII case-insensitively,
//!   as the server's `find_type` does. Not `[client]`, `[mysql]`, `[mysqld_safe]`.
//! - An option before any group is fatal at server start ([`crate::rules::codes::SYNTAX_ERROR`]).
//! - `!include FILE` / `!includedir DIR`: relative paths are resolved from
//!   the including file's folder; `!includedir` reads the files whose name ends
//!   in `.cnf` (case-sensitive), in byte order of their names; nesting stops
//!   at depth 10 as in the server; a file already being read is not entered
//!   again (cycle guard). Unreadable targets are [`crate::rules::codes::INCLUDE_UNREADABLE`].
//! - Names: `-` and `_` are the same; a `loose-` prefix is dropped; options
//!   with a `maximum-` prefix cap session values and never set the global one.
//! - The last occurrence wins, in read order across groups, files and includes.
//! - Numbers: a decimal integer with an optional `K/M/G/T/P/E` suffix (×1024ⁿ,
//!   case-insensitive), so `wait_timeout=1k` is 1024 s and `2h` is invalid
//!   ([`crate::rules::codes::INVALID_VALUE`]); out-of-range values are clamped as the
//!   server does.
//! - The values of options named `password` (or ending in `_password`) are
//!   marked as secret spans in the [`SourceMap`](crate::source::SourceMap) right after each file is
//!   lexed (outputs mask them, see [`crate::secrets`]).
//!
//! A `mysqld --verbose --help` dump is detected and its variables table read
//! instead (see [`crate::parse::mycnf::lex_help_variables`]). So is the
//! output of `SHOW [GLOBAL | SESSION] VARIABLES` in any of the mysql client's
//! three forms (boxed table, `-B` tab-separated, `\G` vertical; see
//! [`crate::parse::mysqldump`]): its values are plain integers (no suffixes),
//! range-checked like option-file values; rows that break the form are
//! [`crate::rules::codes::SYNTAX_ERROR`]. [`MysqlServer::source_kind`] says which kind of
//! input the named file was.
//!
//! The module is split by concern: `settings` (the rows of
//! `settings/mysql.toml`, group and name rules), `number` (the server's
//! number syntax), `load`
//! (option files and dumps, with includes through
//! [`crate::systems::include`]), `apply` (one occurrence: number, range,
//! clamp) and `resolve` (the door for deployment sources).

use std::time::Duration;

use crate::provenance::Sourced;
use crate::source::FileId;

mod apply;
mod load;
mod number;
mod resolve;
mod settings;
#[cfg(test)]
mod tests;

pub use load::{keepalive_ignored_by_mysql, load_option_file};
pub use number::{NumberError, parse_number, parse_plain_number, server_suffix_reading};
pub use resolve::resolve;
pub use settings::{normalize_option_name, server_reads_group};

/// The server settings timeoutlint models, each with its origin.
///
/// Times are [`Duration`]s (MySQL stores whole seconds). A value set in a file
/// has [`Origin::File`](crate::provenance::Origin::File) at its value text; an absent one has
/// [`Origin::Default`](crate::provenance::Origin::Default) with the dev.mysql.com page as source and, as anchor,
/// the header of the last server-read group of the named file (or its start).
/// Units, ranges, defaults and sources are the rows of `settings/mysql.toml`
/// (generated reference: `docs/settings.md`); the numbers below restate them.
#[derive(Clone, Debug)]
pub struct MysqlServer {
    /// Global `wait_timeout`: idle seconds between commands before the server
    /// closes a non-interactive session. Default 28800, range 1..31536000
    /// (https://dev.mysql.com/doc/refman/8.0/en/server-system-variables.html#sysvar_wait_timeout).
    pub wait_timeout: Sourced<Duration>,
    /// `interactive_timeout`: only for clients that set CLIENT_INTERACTIVE.
    /// Default 28800, range 1..31536000
    /// (https://dev.mysql.com/doc/refman/8.0/en/server-system-variables.html#sysvar_interactive_timeout).
    pub interactive_timeout: Sourced<Duration>,
    /// `net_read_timeout`: wait for more data mid-packet. Default 30, range
    /// 1..31536000 (https://dev.mysql.com/doc/refman/8.0/en/server-system-variables.html#sysvar_net_read_timeout).
    pub net_read_timeout: Sourced<Duration>,
    /// `net_write_timeout`: wait for a block to be written. Default 60, range
    /// 1..31536000 (https://dev.mysql.com/doc/refman/8.0/en/server-system-variables.html#sysvar_net_write_timeout).
    pub net_write_timeout: Sourced<Duration>,
    /// `connect_timeout` (handshake). Default 10, range 2..31536000
    /// (https://dev.mysql.com/doc/refman/8.0/en/server-system-variables.html#sysvar_connect_timeout).
    pub connect_timeout: Sourced<Duration>,
    /// `max_connections` (a count). Default 151, range 1..100000
    /// (https://dev.mysql.com/doc/refman/8.0/en/server-system-variables.html#sysvar_max_connections).
    pub max_connections: Sourced<u64>,
    /// MariaDB `tcp_keepalive_time`: idle seconds before the server's first
    /// keepalive probe on a client socket. Default 0 = the db host's
    /// `net.ipv4.tcp_keepalive_time`; range 0..2147483. MariaDB 10.3.3+ only:
    /// MySQL has no such variable
    /// (https://mariadb.com/docs/server/ref/mdb/cli/mariadbd/tcp-keepalive-time).
    pub tcp_keepalive_time: Sourced<Duration>,
    /// MariaDB `tcp_keepalive_interval`: seconds between unanswered probes.
    /// Default 0 = the db host's `net.ipv4.tcp_keepalive_intvl`; MariaDB
    /// 10.3.3+ only
    /// (https://mariadb.com/docs/reference/mdb/system-variables/tcp_keepalive_interval/).
    pub tcp_keepalive_interval: Sourced<Duration>,
    /// MariaDB `tcp_keepalive_probes`: unanswered probes before the server
    /// drops the connection. Default 0 = the db host's
    /// `net.ipv4.tcp_keepalive_probes`; MariaDB 10.3.3+ only
    /// (https://mariadb.com/docs/server/ref/mdb/cli/mariadbd/tcp-keepalive-probes).
    pub tcp_keepalive_probes: Sourced<u64>,
    /// Which server reads these settings, when the input says: a
    /// `[mariadb]` / `[mariadbd]` / `[mariadb-X.Y]` group (only MariaDB
    /// reads them), the `version` row of a `SHOW VARIABLES` dump, or the
    /// image / engine of a deployment. `None` when unknown.
    pub product: Option<Sourced<MysqlProduct>>,
    /// Every file read, the named one first, then includes in read order
    /// (each file once, at its first read).
    pub files: Vec<FileId>,
    /// What kind of input the named file was.
    pub source_kind: MysqlSourceKind,
}

/// MySQL or MariaDB: they share option files and most variables, but only
/// MariaDB (10.3.3+) has the server keepalive variables
/// `tcp_keepalive_time`, `tcp_keepalive_interval`, `tcp_keepalive_probes`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MysqlProduct {
    /// Oracle MySQL (or Percona Server, Aurora MySQL: MySQL's variables).
    Mysql,
    /// MariaDB.
    MariaDb,
}

impl MysqlProduct {
    /// `MySQL` or `MariaDB`.
    pub fn as_str(self) -> &'static str {
        match self {
            MysqlProduct::Mysql => "MySQL",
            MysqlProduct::MariaDb => "MariaDB",
        }
    }

    /// The product a deployment names (`mariadb`, `bitnami/mariadb`,
    /// `mysql`, `percona`, `aurora-mysql`, `mysql/mysql-server`); `None`
    /// when the name says neither.
    pub fn from_name(product: &str) -> Option<MysqlProduct> {
        let p = product.to_ascii_lowercase();
        if p.contains("mariadb") {
            Some(MysqlProduct::MariaDb)
        } else if p.contains("mysql") || p.contains("percona") {
            Some(MysqlProduct::Mysql)
        } else {
            None
        }
    }

    /// The product a server's `version` value names: `10.11.19-MariaDB-...`
    /// is MariaDB, any other version text starting with a digit (`8.0.36`)
    /// is MySQL; `None` otherwise.
    pub fn from_version(version: &str) -> Option<MysqlProduct> {
        let v = version.trim();
        if v.to_ascii_lowercase().contains("mariadb") {
            Some(MysqlProduct::MariaDb)
        } else if v.starts_with(|c: char| c.is_ascii_digit()) {
            Some(MysqlProduct::Mysql)
        } else {
            None
        }
    }
}

/// The kind of input the server settings were read from.
///
/// A session-scope dump (`SHOW VARIABLES` / `SHOW SESSION VARIABLES`) taken
/// from the interactive `mysql` client shows the session of an *interactive*
/// client: at login the server copies `interactive_timeout` into the
/// session's `wait_timeout` for clients that set `CLIENT_INTERACTIVE`
/// (`sql/auth/sql_authentication.cc server_mpvio_update_thd`, DOMAIN.md 1.1),
/// so such a dump shows `wait_timeout` = `interactive_timeout`. That is not
/// what a Python driver's session gets: PyMySQL, mysqlclient as used by
/// Django, and SQLAlchemy's drivers do not set `CLIENT_INTERACTIVE`, so their
/// sessions start with the GLOBAL `wait_timeout`. Prefer
/// `SHOW GLOBAL VARIABLES`; with `global` other than `Some(true)` the
/// `wait_timeout` read may be the interactive one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MysqlSourceKind {
    /// An option file (my.cnf), with its includes.
    OptionFile,
    /// The variables table of a `mysqld --verbose --help` dump (the values
    /// the server would start with, from its defaults and option files).
    HelpDump,
    /// Settings found in deployment files ([`resolve`]): command-line flags,
    /// a parameter group, a config embedded in Kubernetes or Helm values.
    Deployment,
    /// `SHOW [GLOBAL | SESSION] VARIABLES` output of a running server.
    VariablesDump {
        /// `Some(true)` when the dump shows `SHOW GLOBAL VARIABLES`,
        /// `Some(false)` for `SHOW VARIABLES` / `SHOW SESSION VARIABLES`
        /// (session scope), `None` when the statement is not in the file (or
        /// statements of both scopes are).
        global: Option<bool>,
    },
}

/// How the values of one input are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum NumberSyntax {
    /// As the server reads option files and command-line options: K/M/G...
    /// suffixes allowed.
    Option,
    /// As `SHOW VARIABLES` prints them: a plain decimal integer.
    Plain,
}

/// Deepest include nesting the server follows (`max_recursion_level` in
/// `my_default.cc`): directives in files at this depth are skipped.
pub const MAX_INCLUDE_DEPTH: usize = 10;

/// Most file reads one load performs (guards against include fan-out).
const MAX_FILE_READS: usize = 1_000;
