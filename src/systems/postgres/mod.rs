//! PostgreSQL server settings from postgresql.conf (with includes and
//! postgresql.auto.conf) or from a live dump (`SHOW ALL` output, a
//! `pg_settings` CSV or table).
//!
//! Syntax comes from [`crate::parse::pgconf`]; this module decides what the
//! server makes of it (DOMAIN.md section 2, from
//! `postgres/postgres:src/backend/utils/misc/guc-file.l`, `guc.c`
//! (`parse_int`, `convert_to_base_unit`), `guc_tables.c` and
//! <https://www.postgresql.org/docs/current/config-setting.html>):
//!
//! - Includes: `include 'f'` and `include_if_exists 'f'` read a file,
//!   `include_dir 'd'` the files of a folder whose names end in `.conf`, do not
//!   start with `.` and are not folders, in byte (C-locale) order. Relative
//!   paths are resolved from the including file's folder. A missing `include`
//!   target or `include_dir` folder is [`crate::rules::codes::INCLUDE_UNREADABLE`]; a missing
//!   `include_if_exists` target is skipped silently. Nesting deeper than 10
//!   and include cycles are also [`crate::rules::codes::INCLUDE_UNREADABLE`] (the server
//!   refuses to start on both).
//! - Then `postgresql.auto.conf` beside the named file, if present, is read
//!   as if appended: its settings override (ALTER SYSTEM).
//! - The last valid occurrence of a setting wins, in read order.
//! - Numbers follow `parse_int`: leading blanks, a sign, decimal, `0x` hex or
//!   (leading `0`) octal digits, or a decimal fraction/exponent; then blanks and
//!   an optional unit `us ms s min h d` (case-sensitive, at most 3 letters,
//!   blanks after it allowed), so `'5 min'` is valid when quoted. A fraction
//!   with a unit is rounded to the next smaller unit, and the result is
//!   rounded half-to-even to an integer of the base unit. A bare number is in
//!   the base unit (ms for the `*_timeout` settings and `tcp_user_timeout`,
//!   s for `tcp_keepalives_idle/interval`). Bad numbers, bad units and values
//!   outside the `guc_tables.c` range are [`crate::rules::codes::INVALID_VALUE`]; that
//!   occurrence is ignored. A bare number between 0 and 1000 for an ms
//!   `*_timeout` is [`crate::rules::codes::BARE_TIMEOUT_IN_MILLISECONDS`] (still used as ms);
//!   that check also covers the unmodelled `deadlock_timeout`,
//!   `wal_sender_timeout` and `wal_receiver_timeout`.
//! - Passwords in `primary_conninfo` (and on lines that do not lex) are marked
//!   as secret spans in the [`SourceMap`](crate::source::SourceMap).
//!
//! Dumps ([`PostgresInput`]) are detected by content: settings carry units as
//! printed (`SHOW ALL`: `10s`, `1min`, bare = base unit) or in a `unit`
//! column (`pg_settings`); no includes are followed and no TL007 is raised.
//!
//! Not modelled: hexadecimal floats (`'0x1.8'`), which `strtod` would accept,
//! and psql's expanded (`\x`) output.

//!
//! The module is split by concern: `settings` (the rows of
//! `settings/postgres.toml` and the defaults), `number` (`parse_int`: the
//! `strtol`/`strtod` emulation and
//! units), `detect` (telling a postgresql.conf from other files), `load`
//! (files and dumps, with includes through [`crate::systems::include`]),
//! `apply` (one occurrence: number, unit, range), `conninfo` (secrets in
//! connection strings) and `resolve` (the door for deployment sources).

use std::time::Duration;

use crate::provenance::Sourced;
use crate::source::FileId;

mod apply;
mod conninfo;
mod detect;
mod load;
mod number;
mod resolve;
mod settings;
#[cfg(test)]
mod tests;

pub use detect::looks_like_postgres;
pub use load::load_postgres;
pub use number::{IntError, ParsedInt, parse_int};
pub use resolve::resolve;

/// What kind of input the settings came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PostgresInput {
    /// postgresql.conf (with its includes and postgresql.auto.conf).
    ConfFile,
    /// A psql table: `SHOW ALL`, or `select name, setting, unit from
    /// pg_settings`, aligned or unaligned (`-A`).
    SettingsTable,
    /// A `pg_settings` CSV with a header row.
    SettingsCsv,
    /// Settings found in deployment files ([`resolve`]): `-c` flags, a
    /// parameter group, CloudNativePG parameters, a config in Helm values.
    Deployment,
}

/// The server settings timeoutlint models, each with its origin. A zero
/// duration means "off" (timeouts) or "use the OS default" (keepalive, user timeout).
///
/// A value set in a file has [`Origin::File`](crate::provenance::Origin::File) at its value text (a dump: at
/// the setting cell). An absent one has [`Origin::Default`](crate::provenance::Origin::Default) with the
/// postgresql.org page as source, anchored at the start of the named file.
/// Base units, ranges, defaults, first versions and sources are the rows of
/// `settings/postgres.toml` (generated reference: `docs/settings.md`).
#[derive(Clone, Debug)]
pub struct PostgresServer {
    /// `idle_session_timeout` (base unit ms). Default 0 (off).
    pub idle_session_timeout: Sourced<Duration>,
    /// `idle_in_transaction_session_timeout` (ms). Default 0.
    pub idle_in_transaction_session_timeout: Sourced<Duration>,
    /// `statement_timeout` (ms). Default 0.
    pub statement_timeout: Sourced<Duration>,
    /// `lock_timeout` (ms). Default 0.
    pub lock_timeout: Sourced<Duration>,
    /// `transaction_timeout` (ms, PG17+). Default 0.
    pub transaction_timeout: Sourced<Duration>,
    /// `tcp_keepalives_idle` (base unit s). Default 0 = OS (`net.ipv4.tcp_keepalive_time`).
    pub tcp_keepalives_idle: Sourced<Duration>,
    /// `tcp_keepalives_interval` (s). Default 0 = OS.
    pub tcp_keepalives_interval: Sourced<Duration>,
    /// `tcp_keepalives_count`. Default 0 = OS.
    pub tcp_keepalives_count: Sourced<u32>,
    /// `tcp_user_timeout` (ms). Default 0 = OS.
    pub tcp_user_timeout: Sourced<Duration>,
    /// `max_connections`. Default 100, range 1..262143.
    pub max_connections: Sourced<u64>,
    /// `superuser_reserved_connections`. Default 3, range 0..262143.
    pub superuser_reserved_connections: Sourced<u64>,
    /// `reserved_connections` (PG16+). Default 0, range 0..262143.
    pub reserved_connections: Sourced<u64>,
    /// Files read, in read order (each once, at its first read).
    pub files: Vec<FileId>,
    /// What the named file turned out to be.
    pub input: PostgresInput,
}

/// The base unit of a setting (`GUC_UNIT_MS`, `GUC_UNIT_S`, or none).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BaseUnit {
    /// Milliseconds: a bare number is ms.
    Milliseconds,
    /// Seconds: a bare number is s.
    Seconds,
    /// A plain count: no unit allowed.
    Count,
}

impl BaseUnit {
    pub(super) fn suffix(self) -> &'static str {
        match self {
            BaseUnit::Milliseconds => " ms",
            BaseUnit::Seconds => " s",
            BaseUnit::Count => "",
        }
    }
}

/// `INT_MAX`, the upper bound of every integer GUC modelled here.
pub const INT_MAX: i64 = 2_147_483_647;
/// `MAX_BACKENDS` (`0x3FFFF`), the upper bound of the connection counts.
pub const MAX_BACKENDS: i64 = 0x3FFFF;
/// Deepest include nesting the server follows (`depth > 10` fails in
/// `ParseConfigFile`): directives in files at this depth are errors.
pub const MAX_INCLUDE_DEPTH: usize = 10;
/// Most file reads one load performs (guards against include fan-out).
const MAX_FILE_READS: usize = 1_000;
