//! PgBouncer settings from pgbouncer.ini (`[pgbouncer]`, `[databases]`,
//! `%include`).
//!
//! Syntax comes from [`crate::parse::pgbouncer`]; this module decides what
//! PgBouncer makes of it. Sources: DOMAIN.md section 3; pgbouncer/pgbouncer
//! `lib/usual/cfparser.c` (ini reading, `cf_set`, `fill_defaults`,
//! `cf_set_int`, `parse_time`), `src/main.c` (the `bouncer_params` table:
//! types and defaults), `src/loader.c` (connection strings), `src/util.c`
//! (`tune_socket`, `strlist_contains`) and
//! https://www.pgbouncer.org/config.html (= `doc/config.md`).
//!
//! - Sections: `[pgbouncer]` holds the settings; `[databases]`, `[users]`
//!   and `[peers]` hold connection strings. Section and key names are
//!   compared with `strcmp`, so they are case-sensitive and not trimmed: any
//!   other section (`[PgBouncer]`, `[ pgbouncer ]`) makes PgBouncer refuse to
//!   start ("invalid section") and is [`crate::rules::codes::SYNTAX_ERROR`]; so is an entry
//!   before any section.
//! - Every `[pgbouncer]` header resets all settings to their defaults
//!   (`fill_defaults` runs at each header), so values written before a second
//!   `[pgbouncer]` header are lost; such a lost value is reported as a
//!   [`crate::rules::codes::INVALID_VALUE`] warning. Otherwise the last occurrence wins, in
//!   read order across `%include`d files; the section in force carries over
//!   into and out of included files, as in PgBouncer.
//! - Unknown keys in `[pgbouncer]` make PgBouncer refuse to start ("unknown
//!   parameter"), but the set of keys grows with every release, so unknown
//!   keys are ignored here. A key that differs from a modelled setting only
//!   in letter case is reported ([`crate::rules::codes::INVALID_VALUE`]): it is never the
//!   setting the author meant.
//! - Times (`CF_TIME_USEC`: `server_idle_timeout`, `server_lifetime`,
//!   `client_idle_timeout`, `query_timeout`, `query_wait_timeout`,
//!   `idle_transaction_timeout`) go through `parse_time`: `strtod` of the
//!   whole value, anything after the number rejected, negatives rejected.
//!   So they are plain, possibly fractional, seconds: `0.5` is valid, `10min`,
//!   `30s` and `600 # comment` are [`crate::rules::codes::INVALID_VALUE`] and that
//!   occurrence is ignored (PgBouncer refuses to start). `inf`/`nan`, which
//!   strtod accepts but which have no meaning, are rejected too, and so is
//!   hexadecimal (`0x..`) notation, which nobody writes for a time.
//! - `tcp_keepalive`, `tcp_keepidle`, `tcp_keepintvl`, `tcp_keepcnt`,
//!   `tcp_user_timeout` and the pool sizes are `CF_INT`: `strtol(value, 0)`
//!   of the whole value (so `0x1e` is 30 and `010` is 8), no fractions, no
//!   units. `tcp_keepidle`/`tcp_keepintvl` are whole seconds,
//!   `tcp_user_timeout` milliseconds. `tcp_keepalive` is an integer too, not
//!   a word: 0 is off, any other number on. PgBouncer accepts negative
//!   numbers, but passes any non-zero TCP option to `setsockopt`
//!   (`tune_socket`, `socket_set_keepalive`), where Linux rejects a negative
//!   one; a negative value is read as 0 here, with a warning.
//! - `ignore_startup_parameters` is a list separated by commas or
//!   whitespace; PgBouncer matches a startup parameter against it
//!   case-sensitively (`strlist_contains`), so names keep their case.
//! - `%include FILE`: PgBouncer opens a relative name from its current
//!   working directory (doc/config.md, "Include directive"). A linter cannot
//!   know the daemon's working directory, and configurations are written to
//!   be read from where they live, so relative names are resolved from the
//!   including file's folder. PgBouncer refuses to start when an included
//!   file is missing and when includes nest deeper than 10 levels; it has no
//!   cycle guard (a cycle ends at that limit). All three are
//!   [`crate::rules::codes::INCLUDE_UNREADABLE`] errors, at the directive's file name.
//! - Passwords: the value of any key whose name contains `password`, and the
//!   value of every `password=` pair of a connection string (`[databases]`
//!   lines such as `db = host=x password=secret`), are marked as secret spans in the
//!   [`SourceMap`](crate::source::SourceMap) right after each file is lexed.
//!
//! Per-database and per-user overrides (`pool_size=`, `max_db_connections=`,
//! `server_lifetime=`, ... in `[databases]`/`[users]`) are not applied to the
//! global settings; the `[databases]` and `[users]` connection strings are
//! kept, without passwords, in [`PgBouncer::databases`] and
//! [`PgBouncer::users`] for rules that need them. `pool_mode` is resolved
//! per (database, user) by [`PgBouncer::pool_mode_for`]: a `[users]`
//! entry's `pool_mode=` overrides the database's, which overrides the
//! global `pool_mode` (default `session`); `probably_wrong_pool_pool_mode`
//! in `src/server.c`, doc/config.md "Section [users]". The word is
//! compared case-insensitively (`cf_set_lookup`); any other word makes
//! PgBouncer reject the line ("invalid pool mode") and is
//! [`crate::rules::codes::INVALID_VALUE`].
//!
//! The module is split by concern: `settings` (the rows of
//! `settings/pgbouncer.toml` as value kinds and defaults), `number`
//! (`parse_time`, `parse_int`, name lists),
//! `load` (files, sections and includes through
//! [`crate::systems::include`]), `apply` (one `[pgbouncer]` entry or
//! connection string) and `resolve` (the door for deployment sources).

use std::time::Duration;

use crate::provenance::{Origin, Sourced};
use crate::source::{FileId, Location};

mod apply;
mod load;
mod number;
mod resolve;
mod settings;
#[cfg(test)]
mod tests;

pub use load::load_pgbouncer;
pub use number::{IntError, TimeError, parse_int, parse_name_list, parse_time};
pub use resolve::resolve;

/// The PgBouncer settings timeoutlint models, each with its origin. Times are
/// plain (fractional) seconds in the file, except `tcp_user_timeout` (ms).
/// A zero duration means "off" / "OS default", as documented per field.
///
/// A value set in a file has [`Origin::File`](crate::provenance::Origin::File) at its value text; an absent
/// one has [`Origin::Default`](crate::provenance::Origin::Default) with its https://www.pgbouncer.org/config.html
/// anchor as source and [`PgBouncer::anchor`] as anchor. Units, value
/// types, defaults (also of older releases) and sources are the rows of
/// `settings/pgbouncer.toml` (generated reference: `docs/settings.md`).
#[derive(Clone, Debug)]
pub struct PgBouncer {
    /// `server_idle_timeout`: a pooled server connection idle longer is closed. Default 600 s; 0 disables.
    pub server_idle_timeout: Sourced<Duration>,
    /// `server_lifetime`: an unused server connection older than this is closed. Default 3600 s.
    pub server_lifetime: Sourced<Duration>,
    /// `client_idle_timeout`: client connections idle longer are closed. Default 0 (off).
    pub client_idle_timeout: Sourced<Duration>,
    /// `query_timeout`: queries running longer are cancelled. Default 0 (off).
    pub query_timeout: Sourced<Duration>,
    /// `query_wait_timeout`: max wait for a server connection. Default 120 s; 0 waits forever.
    pub query_wait_timeout: Sourced<Duration>,
    /// `idle_transaction_timeout`: a client idle in a transaction longer is disconnected. Default 0 (off).
    pub idle_transaction_timeout: Sourced<Duration>,
    /// `tcp_keepalive`: SO_KEEPALIVE on every TCP socket PgBouncer creates
    /// or accepts. An integer in the file (0 off, other numbers on). Default true.
    pub tcp_keepalive: Sourced<bool>,
    /// `tcp_keepidle` (whole seconds in the file). Default 0 = OS (Linux 7200 s).
    pub tcp_keepidle: Sourced<Duration>,
    /// `tcp_keepintvl` (whole seconds in the file). Default 0 = OS (Linux 75 s).
    pub tcp_keepintvl: Sourced<Duration>,
    /// `tcp_keepcnt` (probes). Default 0 = OS (Linux 9).
    pub tcp_keepcnt: Sourced<u32>,
    /// `tcp_user_timeout` (whole milliseconds in the file; Linux only). Default 0 = OS.
    pub tcp_user_timeout: Sourced<Duration>,
    /// `default_pool_size`: server connections per user/database pair. Default 20.
    pub default_pool_size: Sourced<u64>,
    /// `min_pool_size`: server connections kept per pool; `server_idle_timeout`
    /// closes only connections above it (`src/janitor.c`). Default 0.
    pub min_pool_size: Sourced<u64>,
    /// `reserve_pool_size`: extra connections per pool after
    /// `reserve_pool_timeout`. Default 0.
    pub reserve_pool_size: Sourced<u64>,
    /// `max_client_conn`: client connections accepted. Default 100.
    pub max_client_conn: Sourced<u64>,
    /// `max_db_connections`: server connections per database across users. Default 0 (unlimited).
    pub max_db_connections: Sourced<u64>,
    /// `ignore_startup_parameters`: startup parameter names PgBouncer accepts
    /// and drops, case as written (PgBouncer compares case-sensitively).
    /// Default empty. The origin covers the whole value text.
    pub ignore_startup_parameters: Sourced<Vec<String>>,
    /// `pool_mode` of `[pgbouncer]`: when a server connection goes back to
    /// the pool. Default `session`. Per database and user, see
    /// [`PgBouncer::pool_mode_for`].
    pub pool_mode: Sourced<PoolMode>,
    /// `[databases]` entries in read order (a name defined again replaces
    /// its earlier definition in place), without passwords.
    pub databases: Vec<Database>,
    /// `[users]` entries in read order (same shape: the user name and its
    /// `key=value` pairs, such as `pool_mode=session`).
    pub users: Vec<Database>,
    /// The `[pgbouncer]` header whose defaults are in force (the last one
    /// read), the anchor of every default; the named file's start without one.
    pub anchor: Option<Location>,
    /// Files read, the named one first, then includes in read order (each
    /// file once, at its first read).
    pub files: Vec<FileId>,
}

/// One `[databases]` (or `[users]`) entry: `name = connection string`.
#[derive(Clone, Debug, PartialEq)]
pub struct Database {
    /// The database name clients ask for (`*` is the fallback entry).
    pub name: String,
    /// The name as written.
    pub location: Location,
    /// The connection string's pairs in order, `password` left out.
    pub params: Vec<ConnParam>,
}

impl Database {
    /// The last value of parameter `key` (exact name, as PgBouncer compares).
    pub fn param(&self, key: &str) -> Option<&ConnParam> {
        self.params.iter().rev().find(|p| p.key == key)
    }
}

/// When PgBouncer hands a server connection back to its pool
/// (https://www.pgbouncer.org/config.html#pool_mode).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PoolMode {
    /// Released when the client disconnects: each client connection is
    /// linked to one server connection for its whole life. The default.
    Session,
    /// Released when a transaction ends.
    Transaction,
    /// Released after each statement.
    Statement,
}

impl PoolMode {
    /// `session`, `transaction`, `statement`, case-insensitively (as
    /// `cf_set_lookup` compares); `None` for any other word.
    pub fn parse(word: &str) -> Option<PoolMode> {
        match word.to_ascii_lowercase().as_str() {
            "session" => Some(PoolMode::Session),
            "transaction" => Some(PoolMode::Transaction),
            "statement" => Some(PoolMode::Statement),
            _ => None,
        }
    }

    /// The word as PgBouncer's docs write it.
    pub fn as_str(self) -> &'static str {
        match self {
            PoolMode::Session => "session",
            PoolMode::Transaction => "transaction",
            PoolMode::Statement => "statement",
        }
    }
}

/// Where an effective pool mode comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PoolModeScope {
    /// `[pgbouncer] pool_mode` (or its default).
    Global,
    /// `pool_mode=` of the `[databases]` entry of this name (`*` is the
    /// fallback entry).
    Database(String),
    /// `pool_mode=` of the `[users]` entry of this name.
    User(String),
}

/// The pool mode a client gets, with where it was set.
#[derive(Clone, Debug)]
pub struct EffectivePoolMode {
    /// The mode, at the value that sets it (or the global default).
    pub mode: Sourced<PoolMode>,
    /// Which line sets it.
    pub scope: PoolModeScope,
}

impl PgBouncer {
    /// The pool mode of a client that asks for `database` as `user`
    /// (`None` when the app's settings do not say), as PgBouncer decides it
    /// (`probably_wrong_pool_pool_mode`, `src/server.c`): the `[users]`
    /// entry's `pool_mode=`, else the database entry's, else the global
    /// `pool_mode`. The database entry is the one named `database`, else
    /// the `*` fallback entry (autodb, `src/loader.c`); its `user=` (forced
    /// user) replaces the client's user for the `[users]` lookup
    /// (`src/client.c`). An unknown database uses no database entry; an
    /// unknown user, no user entry. A `pool_mode=` with a word PgBouncer
    /// rejects is skipped (it was reported when loading).
    pub fn pool_mode_for(&self, database: Option<&str>, user: Option<&str>) -> EffectivePoolMode {
        let db = database.and_then(|name| {
            self.databases
                .iter()
                .find(|d| d.name == name)
                .or_else(|| self.databases.iter().find(|d| d.name == "*"))
        });
        let user = db
            .and_then(|d| d.param("user"))
            .map(|p| p.value.as_str())
            .or(user);
        let from = |e: &Database| {
            let p = e.param("pool_mode")?;
            PoolMode::parse(&p.value).map(|m| Sourced::new(m, Origin::File(p.location)))
        };
        if let Some(u) = user.and_then(|u| self.users.iter().find(|e| e.name == u))
            && let Some(mode) = from(u)
        {
            return EffectivePoolMode {
                mode,
                scope: PoolModeScope::User(u.name.clone()),
            };
        }
        if let Some(d) = db
            && let Some(mode) = from(d)
        {
            return EffectivePoolMode {
                mode,
                scope: PoolModeScope::Database(d.name.clone()),
            };
        }
        EffectivePoolMode {
            mode: self.pool_mode.clone(),
            scope: PoolModeScope::Global,
        }
    }
}

/// One `key=value` pair of a connection string.
#[derive(Clone, Debug, PartialEq)]
pub struct ConnParam {
    /// Parameter name as written.
    pub key: String,
    /// Value, quotes removed.
    pub value: String,
    /// The value as written.
    pub location: Location,
}

/// Deepest include nesting PgBouncer follows (`MAX_INCLUDE` in cfparser.c):
/// a directive in a file at this depth stops loading.
pub const MAX_INCLUDE_DEPTH: usize = 10;

/// Most file reads one load performs (guards against include fan-out).
const MAX_FILE_READS: usize = 1_000;
