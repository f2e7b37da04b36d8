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
//!   target or `include_dir` folder is [`codes::INCLUDE_UNREADABLE`]; a missing
//!   `include_if_exists` target is skipped silently. Nesting deeper than 10
//!   and include cycles are also [`codes::INCLUDE_UNREADABLE`] (the server
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
//!   outside the `guc_tables.c` range are [`codes::INVALID_VALUE`]; that
//!   occurrence is ignored. A bare number between 0 and 1000 for an ms
//!   `*_timeout` is [`codes::BARE_TIMEOUT_IN_MILLISECONDS`] (still used as ms);
//!   that check also covers the unmodelled `deadlock_timeout`,
//!   `wal_sender_timeout` and `wal_receiver_timeout`.
//! - Passwords in `primary_conninfo` (and on lines that do not lex) are marked
//!   as secret spans in the [`SourceMap`].
//!
//! Dumps ([`PostgresInput`]) are detected by content: settings carry units as
//! printed (`SHOW ALL`: `10s`, `1min`, bare = base unit) or in a `unit`
//! column (`pg_settings`); no includes are followed and no TL007 is raised.
//!
//! Not modelled: hexadecimal floats (`'0x1.8'`), which `strtod` would accept,
//! and psql's expanded (`\x`) output.

use std::path::Path;
use std::time::Duration;

use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::parse::pgconf::{self, DumpShape, IncludeKind, Item};
use crate::provenance::{Origin, Sourced};
use crate::rules::codes;
use crate::source::{FileId, LoadError, Location, SourceMap, Span};
use crate::sources::{Assignment, SetBy, Written};
use crate::systems::include::{self, Directive, Follower, Host, Parts, Words};

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
/// A value set in a file has [`Origin::File`] at its value text (a dump: at
/// the setting cell). An absent one has [`Origin::Default`] with the
/// postgresql.org page as source, anchored at the start of the named file.
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
    fn suffix(self) -> &'static str {
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

/// One modelled setting: name, unit, range (`guc_tables.c`), default, source.
struct Var {
    name: &'static str,
    unit: BaseUnit,
    min: i64,
    max: i64,
    default: i64,
    source: &'static str,
}

const N_VARS: usize = 12;

const VARS: [Var; N_VARS] = [
    Var {
        name: "idle_session_timeout",
        unit: BaseUnit::Milliseconds,
        min: 0,
        max: INT_MAX,
        default: 0,
        source: "https://www.postgresql.org/docs/current/runtime-config-client.html#GUC-IDLE-SESSION-TIMEOUT",
    },
    Var {
        name: "idle_in_transaction_session_timeout",
        unit: BaseUnit::Milliseconds,
        min: 0,
        max: INT_MAX,
        default: 0,
        source: "https://www.postgresql.org/docs/current/runtime-config-client.html#GUC-IDLE-IN-TRANSACTION-SESSION-TIMEOUT",
    },
    Var {
        name: "statement_timeout",
        unit: BaseUnit::Milliseconds,
        min: 0,
        max: INT_MAX,
        default: 0,
        source: "https://www.postgresql.org/docs/current/runtime-config-client.html#GUC-STATEMENT-TIMEOUT",
    },
    Var {
        name: "lock_timeout",
        unit: BaseUnit::Milliseconds,
        min: 0,
        max: INT_MAX,
        default: 0,
        source: "https://www.postgresql.org/docs/current/runtime-config-client.html#GUC-LOCK-TIMEOUT",
    },
    Var {
        name: "transaction_timeout",
        unit: BaseUnit::Milliseconds,
        min: 0,
        max: INT_MAX,
        default: 0,
        source: "https://www.postgresql.org/docs/current/runtime-config-client.html#GUC-TRANSACTION-TIMEOUT",
    },
    Var {
        name: "tcp_keepalives_idle",
        unit: BaseUnit::Seconds,
        min: 0,
        max: INT_MAX,
        default: 0,
        source: "https://www.postgresql.org/docs/current/runtime-config-connection.html#GUC-TCP-KEEPALIVES-IDLE",
    },
    Var {
        name: "tcp_keepalives_interval",
        unit: BaseUnit::Seconds,
        min: 0,
        max: INT_MAX,
        default: 0,
        source: "https://www.postgresql.org/docs/current/runtime-config-connection.html#GUC-TCP-KEEPALIVES-INTERVAL",
    },
    Var {
        name: "tcp_keepalives_count",
        unit: BaseUnit::Count,
        min: 0,
        max: INT_MAX,
        default: 0,
        source: "https://www.postgresql.org/docs/current/runtime-config-connection.html#GUC-TCP-KEEPALIVES-COUNT",
    },
    Var {
        name: "tcp_user_timeout",
        unit: BaseUnit::Milliseconds,
        min: 0,
        max: INT_MAX,
        default: 0,
        source: "https://www.postgresql.org/docs/current/runtime-config-connection.html#GUC-TCP-USER-TIMEOUT",
    },
    Var {
        name: "max_connections",
        unit: BaseUnit::Count,
        min: 1,
        max: MAX_BACKENDS,
        default: 100,
        source: "https://www.postgresql.org/docs/current/runtime-config-connection.html#GUC-MAX-CONNECTIONS",
    },
    Var {
        name: "superuser_reserved_connections",
        unit: BaseUnit::Count,
        min: 0,
        max: MAX_BACKENDS,
        default: 3,
        source: "https://www.postgresql.org/docs/current/runtime-config-connection.html#GUC-SUPERUSER-RESERVED-CONNECTIONS",
    },
    Var {
        name: "reserved_connections",
        unit: BaseUnit::Count,
        min: 0,
        max: MAX_BACKENDS,
        default: 0,
        source: "https://www.postgresql.org/docs/current/runtime-config-connection.html#GUC-RESERVED-CONNECTIONS",
    },
];

impl Var {
    fn fmt(&self, n: i64) -> String {
        format!("{n}{}", self.unit.suffix())
    }

    /// `min to max` for messages, with a readable form of `INT_MAX` ms.
    fn range(&self) -> String {
        let about = match (self.unit, self.max) {
            (BaseUnit::Milliseconds, INT_MAX) => " (about 24.8 days)",
            (BaseUnit::Seconds, INT_MAX) => " (about 68 years)",
            _ => "",
        };
        format!("{} to {}{about}", self.fmt(self.min), self.fmt(self.max))
    }

    /// An ms-based `*_timeout`: where a bare small number is a likely slip.
    fn bare_ms_timeout(&self) -> bool {
        self.unit == BaseUnit::Milliseconds && self.name.ends_with("_timeout")
    }
}

/// A number read by [`parse_int`].
#[derive(Clone, Debug, PartialEq)]
pub struct ParsedInt {
    /// The value in the base unit, rounded to an integer.
    pub value: i64,
    /// The number as written, before unit conversion and rounding.
    pub number: f64,
    /// The unit as written (`min`), or `None` for a bare number.
    pub unit: Option<String>,
}

/// Why [`parse_int`] rejected a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IntError {
    /// No number at the start, or the number overflows a double.
    NotANumber,
    /// A unit after the number of a setting that has none.
    UnitNotAllowed(String),
    /// Text after the number that is not one of `us ms s min h d`.
    InvalidUnit(String),
    /// The result does not fit in a 32-bit int.
    OutOfIntRange,
}

fn c_isspace(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

fn skip_space(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && c_isspace(b[i]) {
        i += 1;
    }
    i
}

/// `strtol(s, &end, 0)`: `(value, end, overflowed)`; `end == 0` when no digits.
fn strtol(b: &[u8]) -> (f64, usize, bool) {
    let mut i = skip_space(b, 0);
    let neg = match b.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let (radix, start) = if b.get(i) == Some(&b'0')
        && matches!(b.get(i + 1), Some(b'x' | b'X'))
        && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit)
    {
        (16u32, i + 2)
    } else if b.get(i) == Some(&b'0') {
        (8, i)
    } else {
        (10, i)
    };
    let mut v: i128 = 0;
    let mut j = start;
    while let Some(d) = b.get(j).and_then(|&c| (c as char).to_digit(radix)) {
        v = (v * i128::from(radix) + i128::from(d)).min(i128::from(u64::MAX));
        j += 1;
    }
    if j == start {
        return (0.0, 0, false);
    }
    let limit = if neg {
        i128::from(i64::MAX) + 1
    } else {
        i128::from(i64::MAX)
    };
    let overflow = v > limit;
    let v = if neg { -v } else { v };
    (v as f64, j, overflow)
}

/// `strtod` for decimal input: `(value, end)`, `end == 0` when no number or
/// on overflow/underflow (`ERANGE`).
fn strtod(s: &str) -> (f64, usize) {
    let b = s.as_bytes();
    let begin = skip_space(b, 0);
    let mut i = begin;
    if matches!(b.get(i), Some(b'+' | b'-')) {
        i += 1;
    }
    let int_digits = b[i.min(b.len())..]
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count();
    i += int_digits;
    let mut frac_digits = 0;
    if b.get(i) == Some(&b'.') {
        frac_digits = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if int_digits + frac_digits > 0 {
            i += 1 + frac_digits;
        }
    }
    if int_digits + frac_digits == 0 {
        return (0.0, 0);
    }
    let mantissa_end = i;
    if matches!(b.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(b.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        let d = b[j.min(b.len())..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if d > 0 {
            i = j + d;
        }
    }
    let Ok(v) = s[begin..i].parse::<f64>() else {
        return (0.0, 0);
    };
    let nonzero = s[begin..mantissa_end]
        .bytes()
        .any(|c| matches!(c, b'1'..=b'9'));
    if v.is_infinite() || (v == 0.0 && nonzero) {
        return (0.0, 0);
    }
    (v, i)
}

/// `(unit, multiplier)` rows of `time_unit_conversion_table` for `base`,
/// largest first (guc.c).
fn unit_table(base: BaseUnit) -> &'static [(&'static str, f64)] {
    const MS: [(&str, f64); 6] = [
        ("d", 1000.0 * 60.0 * 60.0 * 24.0),
        ("h", 1000.0 * 60.0 * 60.0),
        ("min", 1000.0 * 60.0),
        ("s", 1000.0),
        ("ms", 1.0),
        ("us", 1.0 / 1000.0),
    ];
    const S: [(&str, f64); 6] = [
        ("d", 60.0 * 60.0 * 24.0),
        ("h", 60.0 * 60.0),
        ("min", 60.0),
        ("s", 1.0),
        ("ms", 1.0 / 1000.0),
        ("us", 1.0 / (1000.0 * 1000.0)),
    ];
    match base {
        BaseUnit::Milliseconds => &MS,
        BaseUnit::Seconds => &S,
        BaseUnit::Count => &[],
    }
}

/// `convert_to_base_unit`: the value in the base unit, a fraction rounded to
/// the next smaller unit; `None` for an unknown unit.
fn convert_to_base_unit(value: f64, unit: &str, base: BaseUnit) -> Option<f64> {
    let table = unit_table(base);
    let i = table.iter().position(|(u, _)| *u == unit)?;
    let mut v = value * table[i].1;
    if let Some(next) = table.get(i + 1) {
        v = (v / next.1).round_ties_even() * next.1;
    }
    Some(v)
}

/// Reads a setting value as the server's `parse_int` does (guc.c), in the
/// base unit `base`. See the module documentation for the accepted forms.
///
/// Errors: [`IntError`] when the server would reject the text; the range of
/// the particular setting is checked by the caller.
pub fn parse_int(text: &str, base: BaseUnit) -> Result<ParsedInt, IntError> {
    let b = text.as_bytes();
    let (mut val, mut end, overflow) = strtol(b);
    if overflow || matches!(b.get(end), Some(b'.' | b'e' | b'E')) {
        (val, end) = strtod(text);
    }
    if end == 0 {
        return Err(IntError::NotANumber);
    }
    let number = val;
    let after = skip_space(b, end);
    let mut unit = None;
    if after < b.len() {
        let rest = text[after..].trim_end_matches(|c: char| c.is_ascii() && c_isspace(c as u8));
        if base == BaseUnit::Count {
            return Err(IntError::UnitNotAllowed(rest.to_string()));
        }
        // At most MAX_UNIT_LEN (3) characters, then only blanks.
        let ulen = b[after..]
            .iter()
            .take(3)
            .take_while(|&&c| !c_isspace(c))
            .count();
        let tail = skip_space(b, after + ulen);
        let u = text.get(after..after + ulen);
        let converted = match u {
            Some(u) if tail >= b.len() => convert_to_base_unit(val, u, base),
            _ => None,
        };
        val = converted.ok_or_else(|| IntError::InvalidUnit(rest.to_string()))?;
        unit = Some(rest.to_string());
    }
    let val = val.round_ties_even();
    if !(-(INT_MAX as f64) - 1.0..=INT_MAX as f64).contains(&val) {
        return Err(IntError::OutOfIntRange);
    }
    Ok(ParsedInt {
        value: val as i64,
        number,
        unit,
    })
}

/// A likely meant unit for an invalid one (`sec` → `s`, `MIN` → `min`).
fn unit_suggestion(unit: &str) -> Option<&'static str> {
    let valid = ["us", "ms", "s", "min", "h", "d"];
    let lower = unit.to_ascii_lowercase();
    if let Some(v) = valid.iter().find(|v| **v == lower) {
        return Some(v);
    }
    Some(match lower.as_str() {
        "sec" | "secs" | "second" | "seconds" => "s",
        "m" | "mi" | "mins" | "minute" | "minutes" => "min",
        "hr" | "hrs" | "hour" | "hours" => "h",
        "day" | "days" => "d",
        "msec" | "msecs" | "millisecond" | "milliseconds" => "ms",
        "usec" | "usecs" | "µs" => "us",
        _ => return None,
    })
}

/// Other `*_timeout` settings with base unit ms (`guc_tables.c`): not
/// modelled, but checked for [`codes::BARE_TIMEOUT_IN_MILLISECONDS`].
const OTHER_MS_TIMEOUTS: &[&str] = &[
    "deadlock_timeout",
    "wal_sender_timeout",
    "wal_receiver_timeout",
];

/// Known PostgreSQL parameter names used by [`looks_like_postgres`].
const KNOWN_NAMES: &[&str] = &[
    "listen_addresses",
    "port",
    "max_connections",
    "superuser_reserved_connections",
    "reserved_connections",
    "unix_socket_directories",
    "shared_buffers",
    "work_mem",
    "maintenance_work_mem",
    "effective_cache_size",
    "huge_pages",
    "temp_buffers",
    "dynamic_shared_memory_type",
    "wal_level",
    "wal_buffers",
    "max_wal_size",
    "min_wal_size",
    "max_wal_senders",
    "wal_keep_size",
    "synchronous_commit",
    "checkpoint_timeout",
    "checkpoint_completion_target",
    "archive_mode",
    "archive_command",
    "hot_standby",
    "primary_conninfo",
    "random_page_cost",
    "seq_page_cost",
    "effective_io_concurrency",
    "default_statistics_target",
    "max_worker_processes",
    "max_parallel_workers",
    "max_parallel_workers_per_gather",
    "log_destination",
    "logging_collector",
    "log_directory",
    "log_filename",
    "log_line_prefix",
    "log_timezone",
    "log_statement",
    "log_min_duration_statement",
    "datestyle",
    "timezone",
    "lc_messages",
    "lc_monetary",
    "lc_numeric",
    "lc_time",
    "default_text_search_config",
    "shared_preload_libraries",
    "password_encryption",
    "hba_file",
    "ident_file",
    "data_directory",
    "autovacuum",
    "idle_session_timeout",
    "idle_in_transaction_session_timeout",
    "statement_timeout",
    "lock_timeout",
    "transaction_timeout",
    "tcp_keepalives_idle",
    "tcp_keepalives_interval",
    "tcp_keepalives_count",
    "tcp_user_timeout",
    "client_connection_check_interval",
];

/// True when `text` looks like a PostgreSQL config or dump rather than a MySQL
/// option file (used to tell what `db = "..."` names).
///
/// True for a `SHOW ALL` / `pg_settings` dump, and for postgresql.conf-like
/// text: no `[group]` line, not a `mysqld --verbose --help` dump, at most
/// half of the lines syntax errors, and at least one known PostgreSQL parameter
/// (`shared_buffers`, `listen_addresses`, `max_wal_size`, ...), an
/// `include*` directive, or a `*_timeout` with a PostgreSQL time unit
/// (`30s`, `5min`). False for MySQL option files and sysctl files.
pub fn looks_like_postgres(text: &str) -> bool {
    if pgconf::lex_dump(text).is_some() {
        return true;
    }
    if text.lines().any(|l| l.trim_start().starts_with('['))
        || crate::parse::mycnf::lex_help_variables(text).is_some()
    {
        return false;
    }
    let items = pgconf::lex(text);
    let errors = items
        .iter()
        .filter(|i| matches!(i, Item::Error { .. }))
        .count();
    // Mostly valid postgresql.conf lines, at least one of them telling.
    errors * 2 <= items.len()
        && items.iter().any(|item| match item {
            Item::Include { .. } => true,
            Item::Setting { name, value, .. } => {
                KNOWN_NAMES.contains(&name.as_str())
                    || (name.ends_with("_timeout")
                        && matches!(
                            parse_int(&value.text, BaseUnit::Milliseconds),
                            Ok(ParsedInt { unit: Some(_), .. })
                        ))
            }
            Item::Error { .. } => false,
        })
}

/// Reads postgresql.conf at `path` (following includes, then
/// postgresql.auto.conf beside it) or a `SHOW ALL` / `pg_settings` CSV dump.
///
/// Errors: [`LoadError`] only when `path` itself cannot be read. Problems
/// inside files become diagnostics: [`codes::SYNTAX_ERROR`] (a line the
/// server's lexer rejects), [`codes::INVALID_VALUE`] (bad number, unit or
/// range; the occurrence is ignored), [`codes::INCLUDE_UNREADABLE`] (missing
/// `include` target or `include_dir` folder, empty path, include cycle,
/// nesting deeper than 10; located at the directive's path), and
/// [`codes::BARE_TIMEOUT_IN_MILLISECONDS`] (warning).
pub fn load_postgres(
    path: &Path,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Result<PostgresServer, LoadError> {
    let root = sources.load(path)?;
    let mark = diags.len();
    let mut loader = Loader {
        sources,
        diags,
        values: Default::default(),
        follow: Follower::new(&INCLUDES).with_files(vec![root]),
    };
    let text = loader.sources.get(root).text().to_string();
    let input = match pgconf::lex_dump(&text) {
        Some((shape, rows)) => {
            loader.read_dump(root, rows);
            match shape {
                DumpShape::Table => PostgresInput::SettingsTable,
                DumpShape::Csv => PostgresInput::SettingsCsv,
            }
        }
        None => {
            loader.read(root, 0);
            (loader.follow).check_named(loader.diags, mark, root, loader.sources)?;
            loader.read_auto_conf(root);
            PostgresInput::ConfFile
        }
    };
    let anchor = Some(Location::new(root, Span::new(0, 0)));
    let values = std::mem::take(&mut loader.values);
    Ok(finish(values, anchor, loader.follow.take_files(), input))
}

/// The server's settings from the values set (by index of [`VARS`], in base
/// units), the others at their documented defaults anchored at `anchor`.
fn finish(
    mut values: [Option<Sourced<i64>>; N_VARS],
    anchor: Option<Location>,
    files: Vec<FileId>,
    input: PostgresInput,
) -> PostgresServer {
    let resolved: [Sourced<i64>; N_VARS] = std::array::from_fn(|i| {
        values[i].take().unwrap_or_else(|| {
            Sourced::new(
                VARS[i].default,
                Origin::default_of("PostgreSQL", VARS[i].source).anchored(anchor),
            )
        })
    });
    let [
        idle_session,
        idle_in_transaction,
        statement,
        lock,
        transaction,
        keepalives_idle,
        keepalives_interval,
        keepalives_count,
        user_timeout,
        max_connections,
        superuser_reserved,
        reserved,
    ] = resolved;
    let ms = |s: Sourced<i64>| s.map(|n| Duration::from_millis(n.max(0).unsigned_abs()));
    let secs = |s: Sourced<i64>| s.map(|n| Duration::from_secs(n.max(0).unsigned_abs()));
    let count = |s: Sourced<i64>| s.map(|n| n.max(0).unsigned_abs());
    PostgresServer {
        idle_session_timeout: ms(idle_session),
        idle_in_transaction_session_timeout: ms(idle_in_transaction),
        statement_timeout: ms(statement),
        lock_timeout: ms(lock),
        transaction_timeout: ms(transaction),
        tcp_keepalives_idle: secs(keepalives_idle),
        tcp_keepalives_interval: secs(keepalives_interval),
        tcp_keepalives_count: keepalives_count.map(|n| u32::try_from(n.max(0)).unwrap_or(u32::MAX)),
        tcp_user_timeout: ms(user_timeout),
        max_connections: count(max_connections),
        superuser_reserved_connections: count(superuser_reserved),
        reserved_connections: count(reserved),
        files,
        input,
    }
}

/// The PostgreSQL door for settings found outside postgresql.conf: `-c`
/// flags of a compose or container command, RDS / Cloud SQL / Azure
/// parameter groups, CloudNativePG `postgresql.parameters`, configs embedded
/// in Helm values ([`crate::sources`]).
///
/// Each [`Assignment`] goes through the same rules as a postgresql.conf
/// line: GUC names are case-insensitive (and a command-line `--name=value`
/// may write `-` for `_`, as `ParseLongOption` in `src/backend/utils/misc/guc.c`
/// accepts), units and base units (a bare `idle_session_timeout` is ms,
/// TL007), ranges ([`codes::INVALID_VALUE`], the occurrence ignored).
/// `base` is a postgresql.conf the server also reads, whose explicit values
/// count as [`SetBy::OptionFile`]. Precedence: a higher [`SetBy`] wins
/// whatever the order (`PGC_S_ARGV` beats `PGC_S_FILE`,
/// https://www.postgresql.org/docs/current/config-setting.html), the last of
/// one kind wins; different values from two kinds are
/// [`codes::SERVER_SETTING_SET_TWICE`]; [`Written::Unresolved`] is
/// [`codes::UNRESOLVED_SETTING_VALUE`] and not applied. Defaults are
/// anchored at `anchor`.
pub fn resolve(
    assignments: &[Assignment],
    base: Option<&PostgresServer>,
    anchor: Option<Location>,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> PostgresServer {
    let mut loader = Loader {
        sources,
        diags,
        values: Default::default(),
        follow: Follower::new(&INCLUDES)
            .with_files(base.map(|b| b.files.clone()).unwrap_or_default()),
    };
    let mut set_by: [Option<SetBy>; N_VARS] = Default::default();
    if let Some(b) = base {
        let d = |v: &Sourced<Duration>, ms: bool| {
            v.clone().map(|d| {
                let n = if ms {
                    d.as_millis()
                } else {
                    u128::from(d.as_secs())
                };
                i64::try_from(n).unwrap_or(i64::MAX)
            })
        };
        let c = |v: &Sourced<u64>| v.clone().map(|n| i64::try_from(n).unwrap_or(i64::MAX));
        let seeded: [Sourced<i64>; N_VARS] = [
            d(&b.idle_session_timeout, true),
            d(&b.idle_in_transaction_session_timeout, true),
            d(&b.statement_timeout, true),
            d(&b.lock_timeout, true),
            d(&b.transaction_timeout, true),
            d(&b.tcp_keepalives_idle, false),
            d(&b.tcp_keepalives_interval, false),
            b.tcp_keepalives_count.clone().map(i64::from),
            d(&b.tcp_user_timeout, true),
            c(&b.max_connections),
            c(&b.superuser_reserved_connections),
            c(&b.reserved_connections),
        ];
        for (idx, v) in seeded.into_iter().enumerate() {
            if matches!(v.origin, Origin::File(_)) {
                set_by[idx] = Some(SetBy::OptionFile);
                loader.values[idx] = Some(v);
            }
        }
    }
    let mut ordered: Vec<&Assignment> = assignments.iter().collect();
    ordered.sort_by_key(|a| a.set_by);
    for a in ordered {
        let mut name = a.name.to_ascii_lowercase();
        if a.set_by == SetBy::CommandLine {
            name = name.replace('-', "_");
        }
        let idx = VARS.iter().position(|v| v.name == name);
        let text = match (&a.value, idx) {
            (Written::Text(t), _) => t,
            (Written::Unresolved(why), Some(idx)) => {
                let var = &VARS[idx];
                let kept = loader.values[idx].as_ref().map_or_else(
                    || format!("the default {}", var.fmt(var.default)),
                    |v| var.fmt(v.value),
                );
                crate::sources::report_unresolved(loader.diags, var.name, a, why, &kept);
                continue;
            }
            (Written::Unresolved(_), None) => continue,
        };
        let before = idx.and_then(|i| {
            loader.values[i]
                .as_ref()
                .map(|v| (v.value, v.origin.location()))
        });
        let value = ValueRef {
            text,
            at: a.value_at,
            dump: false,
        };
        let Some(idx) = loader.apply(true, &name, value) else {
            continue;
        };
        let var = &VARS[idx];
        if let (Some(prev_by), Some((old, Some(old_at)))) = (set_by[idx], before) {
            let new = loader.values[idx].as_ref().map_or(old, |v| v.value);
            if prev_by != a.set_by && old != new {
                crate::sources::report_set_twice(
                    loader.diags,
                    var.name,
                    (prev_by, old_at, &var.fmt(old)),
                    (a.set_by, a.value_at, &var.fmt(new)),
                    "postgres applies command-line options over postgresql.conf, and a \
                     parameter group replaces the config file",
                );
            }
        }
        set_by[idx] = Some(a.set_by);
    }
    let values = std::mem::take(&mut loader.values);
    let files = loader.follow.take_files();
    finish(
        values,
        anchor,
        files,
        base.map_or(PostgresInput::Deployment, |b| b.input),
    )
}

/// A value to apply: the text the server parses, where it is, and how it
/// was written.
struct ValueRef<'t> {
    text: &'t str,
    at: Location,
    /// From a dump (units explicit there: no TL007).
    dump: bool,
}

struct Loader<'a> {
    sources: &'a mut SourceMap,
    diags: &'a mut Vec<Diagnostic>,
    /// Last valid value of each of [`VARS`], in its base unit.
    values: [Option<Sourced<i64>>; N_VARS],
    /// Includes: files read, cycle guard, budget.
    follow: Follower,
}

/// How postgres follows `include`, `include_if_exists` and `include_dir`
/// (`ParseConfigFile`, `ParseConfigDirectory` in `guc-file.l`).
static INCLUDES: include::Rules = include::Rules {
    kind: "a postgresql.conf",
    looks_bad: None,
    max_depth: MAX_INCLUDE_DEPTH,
    max_reads: MAX_FILE_READS,
    unreadable_help: |d| include_help(d.written, d.name == "include"),
    too_deep: |d| Words {
        message: format!(
            "`{} '{}'` is not read: includes nest deeper than {MAX_INCLUDE_DEPTH} levels",
            d.name, d.written
        ),
        label: "not read",
        severity: Severity::Error,
        help: Some("the server stops with \"maximum nesting depth exceeded\"".to_string()),
    },
    cycle: |d, shown| Words {
        message: format!(
            "`{}` of `{shown}` forms an include cycle; not followed",
            d.name
        ),
        label: "cycle",
        severity: Severity::Error,
        help: Some(
            "the server refuses to start (\"configuration file recursion\" or \
             \"maximum nesting depth exceeded\"); remove the directive"
                .to_string(),
        ),
    },
};

impl Host for Loader<'_> {
    type Read = ();

    fn parts(&mut self) -> Parts<'_> {
        Parts {
            follower: &mut self.follow,
            sources: self.sources,
            diags: self.diags,
        }
    }

    fn read_included(&mut self, id: FileId, depth: usize) {
        self.read(id, depth);
    }
}

impl Loader<'_> {
    fn emit(&mut self, report: bool, d: Diagnostic) {
        if report {
            self.diags.push(d);
        }
    }

    fn read_dump(&mut self, id: FileId, rows: Vec<pgconf::DumpRow>) {
        for r in &rows {
            if r.name == "primary_conninfo" {
                self.redact_conninfo(id, r.setting_span);
            }
        }
        for r in rows {
            let text = match r.unit.as_deref() {
                Some(u) if !u.is_empty() => format!("{}{u}", r.setting),
                _ => r.setting.clone(),
            };
            self.apply(
                true,
                &r.name,
                ValueRef {
                    text: &text,
                    at: Location::new(id, r.setting_span),
                    dump: true,
                },
            );
        }
    }

    /// Reads postgresql.auto.conf beside the named file, if it exists.
    fn read_auto_conf(&mut self, root: FileId) {
        let Some(dir) = self.sources.get(root).path().parent() else {
            return;
        };
        let auto = dir.join("postgresql.auto.conf");
        if !auto.is_file() {
            return;
        }
        match self.sources.load(&auto) {
            Ok(id) if id == root => {}
            Ok(id) => self.read(id, 0),
            Err(e) => {
                let reason = e.reason().to_string();
                let shown = self.sources.display_name(&auto);
                self.diags.push(
                    Diagnostic::new(
                        codes::INCLUDE_UNREADABLE,
                        format!(
                            "cannot read `{shown}`: {reason}; its ALTER SYSTEM settings are not checked"
                        ),
                        Label::at(Location::new(root, Span::new(0, 0)), "read after this file"),
                    )
                    .with_severity(Severity::Warning),
                );
            }
        }
    }

    /// Reads file `id` at include depth `depth` (the named file is 0).
    fn read(&mut self, id: FileId, depth: usize) {
        let report = self.follow.enter(id, self.sources, self.diags);
        let text = self.sources.get(id).text().to_string();
        let items = pgconf::lex(&text);
        for item in &items {
            if let Item::Setting { name, value, .. } = item
                && name == "primary_conninfo"
            {
                self.redact_conninfo(id, value.span);
            }
            // A line that does not lex (an unterminated quote) may still hold
            // a password: scan the whole line.
            if let Item::Error { span, .. } = item {
                let start = text[..span.start.min(text.len())]
                    .rfind('\n')
                    .map_or(0, |i| i + 1);
                let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
                for s in crate::secrets::secret_spans_in_text(&text[start..end]) {
                    self.sources
                        .get_mut(id)
                        .mark_secret(Span::new(start + s.start, start + s.end));
                }
            }
        }
        for item in items {
            match item {
                Item::Setting { name, value, .. } => {
                    let value = ValueRef {
                        text: &value.text,
                        at: Location::new(id, value.span),
                        dump: false,
                    };
                    self.apply(report, &name, value);
                }
                Item::Include {
                    kind,
                    path,
                    path_span,
                    ..
                } => self.include(id, depth, report, kind, &path, path_span),
                Item::Error {
                    span,
                    message,
                    help,
                } => {
                    let mut d = Diagnostic::new(
                        codes::SYNTAX_ERROR,
                        message,
                        Label::at(Location::new(id, span), "syntax error"),
                    );
                    d.help = Some(match help {
                        Some(h) => format!("{h}; the server refuses to start with this line"),
                        None => "the server refuses to start with this line".to_string(),
                    });
                    self.emit(report, d);
                }
            }
        }
        self.follow.leave();
    }

    /// Marks `password=...` values and URI passwords inside a conninfo value
    /// as secret spans.
    fn redact_conninfo(&mut self, id: FileId, span: Span) {
        let raw = self.sources.get(id).slice(span).to_string();
        for (s, e) in conninfo_secrets(&raw) {
            self.sources
                .get_mut(id)
                .mark_secret(Span::new(span.start + s, span.start + e));
        }
    }

    fn include(
        &mut self,
        id: FileId,
        depth: usize,
        report: bool,
        kind: IncludeKind,
        path: &str,
        path_span: Span,
    ) {
        let d = Directive {
            name: kind.directive(),
            written: path,
            at: Location::new(id, path_span),
            depth,
            report,
            optional: kind == IncludeKind::IfExists,
        };
        if path.trim_matches([' ', '\t', '\r', '\n']).is_empty() {
            self.emit(
                report,
                Diagnostic::new(
                    codes::INCLUDE_UNREADABLE,
                    format!("`{}` names an empty path", d.name),
                    Label::at(d.at, "empty path"),
                )
                .with_help(
                    "name a file (or a folder for include_dir); the server refuses to start",
                ),
            );
            return;
        }
        if include::too_deep(self, &d) {
            return;
        }
        let target = include::beside(self.sources, id, path);
        match kind {
            IncludeKind::File | IncludeKind::IfExists => {
                include::follow(self, &d, &target);
            }
            IncludeKind::Dir => {
                include::follow_dir(self, &d, &target, |name| {
                    name.len() >= 6 && !name.starts_with('.') && name.ends_with(".conf")
                });
            }
        }
    }

    /// Applies one occurrence of a setting.
    /// Returns the index in [`VARS`] of the setting it set, if it set one.
    fn apply(&mut self, report: bool, name: &str, value: ValueRef<'_>) -> Option<usize> {
        let at = value.at;
        let raw = self.sources.get(at.file).slice(at.span).to_string();
        let shown = if raw.is_empty() { value.text } else { &raw };
        if !value.dump && OTHER_MS_TIMEOUTS.contains(&name) {
            // Not modelled: only the unit trap is checked.
            if let Ok(parsed) = parse_int(value.text, BaseUnit::Milliseconds) {
                self.bare_ms_check(report, name, shown, value.text, &parsed, at);
            }
            return None;
        }
        let idx = VARS.iter().position(|v| v.name == name)?;
        let var = &VARS[idx];
        let parsed = match parse_int(value.text, var.unit) {
            Ok(p) => p,
            Err(err) => {
                let d = invalid_value(var, shown, value.text, &err, at);
                self.emit(report, d);
                return None;
            }
        };
        if parsed.value < var.min || parsed.value > var.max {
            let n = parsed.value;
            let what = if parsed.unit.is_some() {
                format!("`{shown}` (= {})", var.fmt(n))
            } else {
                format!("`{shown}`")
            };
            let side = if n < var.min {
                format!("below the minimum {}", var.fmt(var.min))
            } else {
                format!("above the maximum {}", var.fmt(var.max))
            };
            self.emit(
                report,
                Diagnostic::new(
                    codes::INVALID_VALUE,
                    format!("{} value {what} is {side}", var.name),
                    Label::at(at, "out of range; ignored"),
                )
                .with_help(format!(
                    "PostgreSQL accepts {}; the server rejects this value, so this \
                     occurrence is ignored",
                    var.range()
                )),
            );
            return None;
        }
        if !value.dump && var.bare_ms_timeout() {
            self.bare_ms_check(report, var.name, shown, value.text, &parsed, at);
        }
        self.values[idx] = Some(Sourced::new(parsed.value, Origin::File(at)));
        Some(idx)
    }
}

impl Loader<'_> {
    /// [`codes::BARE_TIMEOUT_IN_MILLISECONDS`] for an ms `*_timeout` written
    /// as a bare number between 0 and 1000.
    fn bare_ms_check(
        &mut self,
        report: bool,
        name: &str,
        shown: &str,
        text: &str,
        parsed: &ParsedInt,
        at: Location,
    ) {
        if parsed.unit.is_some() || parsed.number <= 0.0 || parsed.number >= 1000.0 {
            return;
        }
        let num = text.trim();
        self.emit(
            report,
            Diagnostic::new(
                codes::BARE_TIMEOUT_IN_MILLISECONDS,
                format!(
                    "`{name} = {shown}` is {} ms; PostgreSQL reads a bare number in milliseconds",
                    parsed.value
                ),
                Label::at(at, format!("used as {} ms", parsed.value)),
            )
            .with_help(format!(
                "if you meant seconds, write `{name} = '{num}s'`; write `'{num}ms'` to keep \
                 milliseconds and make the unit explicit"
            )),
        );
    }
}

/// The TL002 diagnostic for a value `parse_int` rejected.
fn invalid_value(var: &Var, shown: &str, text: &str, err: &IntError, at: Location) -> Diagnostic {
    let example = match var.unit {
        BaseUnit::Milliseconds => format!("`{} = '30s'`", var.name),
        BaseUnit::Seconds => format!("`{} = '60s'`", var.name),
        BaseUnit::Count => format!("`{} = {}`", var.name, var.default.max(var.min)),
    };
    let units = "valid units are us, ms, s, min, h and d (case-sensitive)";
    let (msg, label, help) = match err {
        IntError::NotANumber if var.unit == BaseUnit::Count => (
            format!("{} value `{shown}` is not a whole number", var.name),
            "not a number".to_string(),
            format!("write a plain count, e.g. {example}"),
        ),
        IntError::NotANumber => (
            format!(
                "{} value `{shown}` is not a number with an optional unit",
                var.name
            ),
            "not a number".to_string(),
            format!("write a number and a unit, e.g. {example}; {units}"),
        ),
        IntError::UnitNotAllowed(u) => (
            format!(
                "{} value `{shown}` has a unit `{u}`, but {} is a plain count",
                var.name, var.name
            ),
            "no unit allowed".to_string(),
            format!("write a plain count, e.g. {example}"),
        ),
        IntError::InvalidUnit(u) => {
            let number = text.trim().strip_suffix(u.as_str()).unwrap_or("").trim();
            let fix = match unit_suggestion(u) {
                Some(s) if !number.is_empty() => {
                    format!("write `{} = '{number}{s}'`; {units}", var.name)
                }
                _ => format!("e.g. {example}; {units}"),
            };
            (
                format!("{} value `{shown}` has an invalid unit `{u}`", var.name),
                format!("unit `{u}` is not valid"),
                fix,
            )
        }
        IntError::OutOfIntRange => (
            format!(
                "{} value `{shown}` is above the maximum {}",
                var.name,
                var.fmt(var.max)
            ),
            "out of range".to_string(),
            format!("PostgreSQL accepts {}", var.range()),
        ),
    };
    Diagnostic::new(codes::INVALID_VALUE, msg, Label::at(at, label)).with_help(format!(
        "{help}; the server rejects this value, so this occurrence is ignored"
    ))
}

/// Byte ranges of secrets in a conninfo value as written: the value of each
/// `password=` keyword and the password of a `postgresql://user:pw@host` URI.
fn conninfo_secrets(raw: &str) -> Vec<(usize, usize)> {
    let b = raw.as_bytes();
    // The closing outer quote is not part of a secret.
    let limit = if raw.len() >= 2 && raw.starts_with('\'') && raw.ends_with('\'') {
        raw.len() - 1
    } else {
        raw.len()
    };
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(rel) = raw.get(from..limit).and_then(|s| s.find("password")) {
        let k = from + rel;
        from = k + "password".len();
        let boundary = k == 0 || matches!(b[k - 1], b' ' | b'\t' | b'\'' | b'"');
        let mut i = from;
        while i < limit && matches!(b[i], b' ' | b'\t') {
            i += 1;
        }
        if !boundary || i >= limit || b[i] != b'=' {
            continue;
        }
        i += 1;
        while i < limit && matches!(b[i], b' ' | b'\t') {
            i += 1;
        }
        let start = i;
        // A quoted value (`''two words''` inside the outer quotes, `\'x\'`,
        // `"x"`) runs to its closing quote, or to the end when unbalanced.
        let quote = ["''", "\\'", "'", "\""]
            .into_iter()
            .find(|q| raw[i..limit].starts_with(q));
        if let Some(q) = quote {
            i = raw[i + q.len()..limit]
                .find(q)
                .map_or(limit, |p| i + q.len() + p + q.len());
        }
        while quote.is_none() && i < limit && !matches!(b[i], b' ' | b'\t') {
            i += 1;
        }
        if i > start {
            out.push((start, i));
        }
        from = i;
    }
    if let Some(scheme) = raw.find("://") {
        let auth_start = scheme + 3;
        let auth_end = raw[auth_start..limit.max(auth_start)]
            .find(['/', '?', ' ', '\''])
            .map_or(limit, |i| auth_start + i);
        if let Some(at) = raw[auth_start..auth_end].rfind('@') {
            let userinfo = &raw[auth_start..auth_start + at];
            if let Some(colon) = userinfo.find(':')
                && colon + 1 < userinfo.len()
            {
                out.push((auth_start + colon + 1, auth_start + at));
            }
        }
    }
    out
}

/// The help of an include that cannot be read; `plain` for `include`, whose
/// missing target `include_if_exists` would skip.
fn include_help(written: &str, plain: bool) -> String {
    let optional = if plain {
        " (include_if_exists skips a missing file)"
    } else {
        ""
    };
    if Path::new(written).is_absolute() {
        format!(
            "`{written}` is an absolute path on the server host; check it there, or lint a \
             copy of the whole config tree; the server refuses to start without it{optional}"
        )
    } else {
        format!(
            "`{written}` is resolved from the including file's folder; the server refuses \
             to start without it{optional}"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tempfile::TempDir;

    struct Loaded {
        server: PostgresServer,
        sources: SourceMap,
        diags: Vec<Diagnostic>,
    }

    impl Loaded {
        fn diags(&self) -> Vec<(&'static str, String)> {
            crate::test_support::diag_texts(&self.diags, &self.sources)
        }

        /// `(file name, text)` where an origin points.
        fn at(&self, origin: &Origin) -> (String, String) {
            crate::test_support::origin_text(&self.sources, origin)
        }

        fn names(&self) -> Vec<String> {
            crate::test_support::file_names(&self.sources, &self.server.files)
        }

        fn stmt_ms(&self) -> u128 {
            self.server.statement_timeout.value.as_millis()
        }
    }

    use crate::test_support::tree;

    fn load_in(dir: &TempDir, name: &str) -> Loaded {
        let mut sources = SourceMap::new(Some(dir.path().to_path_buf())).with_policy(
            crate::source::ReadPolicy::new(Some(dir.path()), crate::source::DEFAULT_MAX_FILE_SIZE),
        );
        let mut diags = Vec::new();
        let server =
            load_postgres(&dir.path().join(name), &mut sources, &mut diags).expect("loads");
        Loaded {
            server,
            sources,
            diags,
        }
    }

    fn load_text(text: &str) -> Loaded {
        let dir = tree(&[("postgresql.conf", text)]);
        load_in(&dir, "postgresql.conf")
    }

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn parse_int_accepts() {
        use BaseUnit::*;
        let cases: &[(&str, BaseUnit, i64)] = &[
            ("0", Milliseconds, 0),
            ("30", Milliseconds, 30),
            ("5min", Milliseconds, 300_000),
            ("5 min", Milliseconds, 300_000),
            (" 5min ", Milliseconds, 300_000),
            ("30s", Milliseconds, 30_000),
            ("250ms", Milliseconds, 250),
            ("1500us", Milliseconds, 2),
            ("2500us", Milliseconds, 2),
            ("1h", Milliseconds, 3_600_000),
            ("1d", Milliseconds, 86_400_000),
            ("1.5h", Milliseconds, 5_400_000),
            ("0.5s", Milliseconds, 500),
            ("1.5", Milliseconds, 2),
            ("2.5", Milliseconds, 2),
            ("1e3", Milliseconds, 1000),
            ("0x10", Milliseconds, 16),
            ("010", Milliseconds, 8),
            ("+7s", Milliseconds, 7000),
            ("-1", Milliseconds, -1),
            ("600", Seconds, 600),
            ("10min", Seconds, 600),
            ("1500ms", Seconds, 2),
            ("500ms", Seconds, 0),
            ("1.5min", Seconds, 90),
            ("100", Count, 100),
            (" 100 ", Count, 100),
            ("1e2", Count, 100),
            ("2147483647", Milliseconds, INT_MAX),
            ("24d", Milliseconds, 2_073_600_000),
        ];
        for &(text, unit, want) in cases {
            assert_eq!(
                parse_int(text, unit).map(|p| p.value),
                Ok(want),
                "{text:?} {unit:?}"
            );
        }
        let p = parse_int("30", Milliseconds).expect("ok");
        assert_eq!((p.number, p.unit), (30.0, None));
        let p = parse_int("5 min", Milliseconds).expect("ok");
        assert_eq!((p.number, p.unit.as_deref()), (5.0, Some("min")));
    }

    #[test]
    fn parse_int_rejects() {
        use BaseUnit::*;
        use IntError::*;
        let cases: &[(&str, BaseUnit, IntError)] = &[
            ("", Milliseconds, NotANumber),
            ("abc", Milliseconds, NotANumber),
            ("-.5", Milliseconds, NotANumber),
            (" .5", Milliseconds, NotANumber),
            ("min", Milliseconds, NotANumber),
            ("5MIN", Milliseconds, InvalidUnit("MIN".into())),
            ("5 m", Milliseconds, InvalidUnit("m".into())),
            ("10sec", Milliseconds, InvalidUnit("sec".into())),
            ("5mins", Milliseconds, InvalidUnit("mins".into())),
            ("5 min x", Milliseconds, InvalidUnit("min x".into())),
            ("128MB", Milliseconds, InvalidUnit("MB".into())),
            ("08", Milliseconds, InvalidUnit("8".into())),
            ("5é", Milliseconds, InvalidUnit("é".into())),
            ("100k", Count, UnitNotAllowed("k".into())),
            ("10s", Count, UnitNotAllowed("s".into())),
            ("2147483648", Milliseconds, OutOfIntRange),
            ("25d", Milliseconds, OutOfIntRange),
            ("99999999999999999999", Milliseconds, OutOfIntRange),
            ("1e999", Milliseconds, NotANumber),
        ];
        for (text, unit, want) in cases {
            assert_eq!(
                parse_int(text, *unit).as_ref().err(),
                Some(want),
                "{text:?} {unit:?}"
            );
        }
    }

    #[test]
    fn units_quoting_and_equals() {
        // (file text, statement_timeout in ms)
        let cases: &[(&str, u64)] = &[
            ("statement_timeout = 5min\n", 300_000),
            ("statement_timeout 5min\n", 300_000),
            ("statement_timeout='5min'\n", 300_000),
            ("statement_timeout = '5 min'\n", 300_000),
            ("STATEMENT_TIMEOUT = 30s\n", 30_000),
            ("statement_timeout = 1000\n", 1000),
            ("statement_timeout = '1.5h' # quoted fraction\n", 5_400_000),
            ("statement_timeout = 0\n", 0),
            ("statement_timeout = 250ms # c\n", 250),
        ];
        for &(text, want) in cases {
            let l = load_text(text);
            assert_eq!(l.stmt_ms(), u128::from(want), "{text:?}");
            assert!(l.diags.is_empty(), "{text:?}: {:?}", l.diags);
            assert!(l.server.statement_timeout.origin.is_explicit());
        }
    }

    #[test]
    fn invalid_values_are_reported_and_ignored() {
        // (value as written, code, text at the diagnostic) — each after a valid `1s`.
        let cases: &[(&str, &str, &str)] = &[
            ("5MIN", "TL002", "5MIN"),
            ("'5 m'", "TL002", "'5 m'"),
            ("10sec", "TL002", "10sec"),
            ("'abc'", "TL002", "'abc'"),
            ("-1", "TL002", "-1"),
            ("'-5s'", "TL002", "'-5s'"),
            ("25d", "TL002", "25d"),
            ("on", "TL002", "on"),
            ("5 m", "TL001", "m"),
            ("1.5h", "TL001", "h"),
            ("'5min", "TL001", "'5min"),
        ];
        for &(value, code, at) in cases {
            let l = load_text(&format!(
                "statement_timeout = 1s\nstatement_timeout = {value}\n"
            ));
            assert_eq!(l.stmt_ms(), 1000, "{value:?}");
            assert_eq!(l.diags(), [(code, at.to_string())], "{value:?}");
            assert_eq!(l.diags[0].severity, Severity::Error);
            let m = &l.diags[0].message;
            assert!(
                !m.ends_with('.') && !m.starts_with(char::is_uppercase),
                "{m}"
            );
        }
        let l = load_text("statement_timeout = 10sec\n");
        assert_eq!(l.diags(), [("TL002", "10sec".to_string())]);
        let d = &l.diags[0];
        assert!(
            d.message.contains("10sec") && d.message.contains("`sec`"),
            "{}",
            d.message
        );
        assert!(
            d.help.as_deref().unwrap_or("").contains("'10s'"),
            "{:?}",
            d.help
        );
        let l = load_text("statement_timeout = 5MIN\n");
        assert!(l.diags[0].help.as_deref().unwrap_or("").contains("'5min'"));
        let l = load_text("max_connections = 0\nmax_connections = 262144\nmax_connections = 10k\n");
        assert_eq!(
            l.diags(),
            [
                ("TL002", "0".to_string()),
                ("TL002", "262144".to_string()),
                ("TL002", "10k".to_string())
            ]
        );
        assert_eq!(l.server.max_connections.value, 100);
        assert!(!l.server.max_connections.origin.is_explicit());
        assert!(
            l.diags[1].message.contains("262143"),
            "{}",
            l.diags[1].message
        );
    }

    #[test]
    fn bare_millisecond_timeouts_warn() {
        // (line, warns)
        let cases: &[(&str, bool)] = &[
            ("statement_timeout = 30", true),
            ("statement_timeout = 999", true),
            ("statement_timeout = '30'", true),
            ("statement_timeout = 0.5", true),
            ("idle_session_timeout = 60", true),
            ("idle_in_transaction_session_timeout = 60", true),
            ("lock_timeout = 5", true),
            ("transaction_timeout = 1", true),
            ("tcp_user_timeout = 30", true),
            ("statement_timeout = 1000", false),
            ("statement_timeout = 0", false),
            ("statement_timeout = 30s", false),
            ("statement_timeout = '30ms'", false),
            ("statement_timeout = 500ms", false),
            ("statement_timeout = 60000", false),
            ("tcp_keepalives_idle = 60", false),
            ("tcp_keepalives_interval = 10", false),
            ("tcp_keepalives_count = 3", false),
            ("max_connections = 50", false),
            ("checkpoint_timeout = 30", false),
            ("deadlock_timeout = 5", true),
            ("wal_sender_timeout = 60", true),
            ("wal_receiver_timeout = 60s", false),
            ("deadlock_timeout = 5XS", false),
            ("archive_timeout = 300", false),
            ("authentication_timeout = 60", false),
        ];
        for &(line, warns) in cases {
            let l = load_text(&format!("{line}\n"));
            let got: Vec<_> = l.diags.iter().map(|d| d.code.id).collect();
            let want: &[&str] = if warns { &["TL007"] } else { &[] };
            assert_eq!(got, want, "{line:?}");
        }
        let l = load_text("statement_timeout = 30\n");
        let d = &l.diags[0];
        assert_eq!(d.severity, Severity::Warning);
        assert_eq!(
            d.message,
            "`statement_timeout = 30` is 30 ms; PostgreSQL reads a bare number in milliseconds"
        );
        assert!(
            d.help.as_deref().unwrap_or("").contains("'30s'"),
            "{:?}",
            d.help
        );
        assert_eq!(l.diags()[0].1, "30");
        // The value is still used as milliseconds.
        assert_eq!(l.server.statement_timeout.value, ms(30));
    }

    #[test]
    fn all_settings_and_units() {
        let l = load_text(
            "idle_session_timeout = 10min\nidle_in_transaction_session_timeout = '1h'\n\
             statement_timeout = 30s\nlock_timeout = 5000\ntransaction_timeout = 1d\n\
             tcp_keepalives_idle = 60\ntcp_keepalives_interval = '1min'\n\
             tcp_keepalives_count = 4\ntcp_user_timeout = 30000\nmax_connections = 500\n\
             superuser_reserved_connections = 5\nreserved_connections = 2\n",
        );
        assert!(l.diags.is_empty(), "{:?}", l.diags);
        let s = &l.server;
        assert_eq!(s.idle_session_timeout.value, ms(600_000));
        assert_eq!(s.idle_in_transaction_session_timeout.value, ms(3_600_000));
        assert_eq!(s.statement_timeout.value, ms(30_000));
        assert_eq!(s.lock_timeout.value, ms(5000));
        assert_eq!(s.transaction_timeout.value, ms(86_400_000));
        assert_eq!(s.tcp_keepalives_idle.value, Duration::from_secs(60));
        assert_eq!(s.tcp_keepalives_interval.value, Duration::from_secs(60));
        assert_eq!(s.tcp_keepalives_count.value, 4);
        assert_eq!(s.tcp_user_timeout.value, ms(30_000));
        assert_eq!(s.max_connections.value, 500);
        assert_eq!(s.superuser_reserved_connections.value, 5);
        assert_eq!(s.reserved_connections.value, 2);
        assert_eq!(
            l.at(&s.idle_in_transaction_session_timeout.origin).1,
            "'1h'"
        );
        assert_eq!(s.input, PostgresInput::ConfFile);
    }

    #[test]
    fn defaults_are_documented_and_anchored() {
        let l = load_text("# nothing here\nshared_buffers = 128MB\n");
        assert!(l.diags.is_empty());
        let s = &l.server;
        assert_eq!(s.idle_session_timeout.value, Duration::ZERO);
        assert_eq!(s.statement_timeout.value, Duration::ZERO);
        assert_eq!(s.tcp_keepalives_idle.value, Duration::ZERO);
        assert_eq!(s.tcp_keepalives_count.value, 0);
        assert_eq!(s.max_connections.value, 100);
        assert_eq!(s.superuser_reserved_connections.value, 3);
        assert_eq!(s.reserved_connections.value, 0);
        for (origin, anchor) in [
            (&s.idle_session_timeout.origin, "#GUC-IDLE-SESSION-TIMEOUT"),
            (&s.max_connections.origin, "#GUC-MAX-CONNECTIONS"),
            (&s.tcp_keepalives_idle.origin, "#GUC-TCP-KEEPALIVES-IDLE"),
        ] {
            match origin {
                Origin::Default {
                    system,
                    source,
                    anchor: Some(loc),
                } => {
                    assert_eq!(*system, "PostgreSQL");
                    assert!(source.starts_with("https://www.postgresql.org/docs/"));
                    assert!(source.ends_with(anchor), "{source}");
                    assert_eq!(loc.file, s.files[0]);
                    assert_eq!(loc.span, Span::new(0, 0));
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn last_entry_wins() {
        let l = load_text(
            "statement_timeout = 1s\nmax_connections = 10\nstatement_timeout = 2s\n\
             max_connections = 20 # again\n",
        );
        assert_eq!(l.stmt_ms(), 2000);
        assert_eq!(l.server.max_connections.value, 20);
        assert_eq!(l.at(&l.server.statement_timeout.origin).1, "2s");
    }

    #[test]
    fn syntax_errors_are_located_and_the_rest_is_read() {
        let l = load_text("x = 5 min\n[mysqld]\nstatement_timeout = 7s\ny =\n");
        let d = l.diags();
        assert_eq!(
            d,
            [
                ("TL001", "min".to_string()),
                ("TL001", "[".to_string()),
                ("TL001", "y =".to_string())
            ]
        );
        assert_eq!(l.stmt_ms(), 7000);
    }

    #[test]
    fn includes_are_relative_to_the_including_file() {
        let dir = tree(&[
            (
                "etc/postgresql.conf",
                "statement_timeout = 1s\ninclude 'sub/a.conf'\nlock_timeout = 9s\n",
            ),
            (
                "etc/sub/a.conf",
                "statement_timeout = 2s\ninclude = 'b.conf'\nlock_timeout = 1s\n",
            ),
            ("etc/sub/b.conf", "max_connections = 42\n"),
        ]);
        let l = load_in(&dir, "etc/postgresql.conf");
        assert!(l.diags.is_empty(), "{:?}", l.diags);
        assert_eq!(l.stmt_ms(), 2000);
        // Values after the directive override the included file.
        assert_eq!(l.server.lock_timeout.value, ms(9000));
        assert_eq!(l.server.max_connections.value, 42);
        assert_eq!(l.names(), ["postgresql.conf", "a.conf", "b.conf"]);
        assert_eq!(
            l.at(&l.server.statement_timeout.origin),
            ("a.conf".into(), "2s".into())
        );
    }

    #[test]
    fn missing_includes() {
        let dir = tree(&[(
            "postgresql.conf",
            "include 'nope.conf'\ninclude_if_exists 'maybe.conf'\n\
             include_dir 'nodir'\ninclude_dir '/nonexistent/timeoutlint/conf.d'\n\
             include ''\nstatement_timeout = 3s\n",
        )]);
        let l = load_in(&dir, "postgresql.conf");
        assert_eq!(
            l.diags(),
            [
                ("TL003", "'nope.conf'".to_string()),
                ("TL003", "'nodir'".to_string()),
                ("TL003", "'/nonexistent/timeoutlint/conf.d'".to_string()),
                ("TL003", "''".to_string()),
            ]
        );
        assert!(l.diags.iter().all(|d| d.severity == Severity::Error));
        assert!(
            l.diags[0].message.contains("nope.conf"),
            "{}",
            l.diags[0].message
        );
        assert_eq!(l.stmt_ms(), 3000);
    }

    #[test]
    fn include_if_exists_reads_an_existing_file() {
        let dir = tree(&[
            ("postgresql.conf", "include_if_exists 'opt.conf'\n"),
            ("opt.conf", "statement_timeout = 4s\n"),
        ]);
        let l = load_in(&dir, "postgresql.conf");
        assert!(l.diags.is_empty(), "{:?}", l.diags);
        assert_eq!(l.stmt_ms(), 4000);
    }

    #[test]
    fn include_dir_filters_and_orders() {
        let dir = tree(&[
            (
                "postgresql.conf",
                "statement_timeout = 1s\nmax_connections = 5\ninclude_dir 'conf.d'\n",
            ),
            ("conf.d/b.conf", "statement_timeout = 20s\n"),
            (
                "conf.d/A.conf",
                "statement_timeout = 30s\nmax_connections = 7\n",
            ),
            (
                "conf.d/10-x.conf",
                "lock_timeout = 1s\nstatement_timeout = 40s\n",
            ),
            ("conf.d/.hidden.conf", "statement_timeout = 50s\n"),
            ("conf.d/.conf", "statement_timeout = 51s\n"),
            ("conf.d/c.conf.bak", "statement_timeout = 60s\n"),
            ("conf.d/d.CONF", "statement_timeout = 61s\n"),
            ("conf.d/sub.conf/x.conf", "statement_timeout = 70s\n"),
        ]);
        let l = load_in(&dir, "postgresql.conf");
        assert!(l.diags.is_empty(), "{:?}", l.diags);
        assert_eq!(
            l.names(),
            ["postgresql.conf", "10-x.conf", "A.conf", "b.conf"]
        );
        assert_eq!(l.stmt_ms(), 20_000);
        assert_eq!(l.server.max_connections.value, 7);
        assert_eq!(l.at(&l.server.max_connections.origin).0, "A.conf");
    }

    #[test]
    fn include_cycles_and_depth() {
        let dir = tree(&[
            (
                "a.conf",
                "statement_timeout = 1s\ninclude 'b.conf'\nlock_timeout = 3s\n",
            ),
            (
                "b.conf",
                "statement_timeout = 2s\ninclude 'a.conf'\ninclude './b.conf'\n",
            ),
        ]);
        let l = load_in(&dir, "a.conf");
        assert_eq!(l.stmt_ms(), 2000);
        assert_eq!(l.server.lock_timeout.value, ms(3000));
        assert_eq!(l.names(), ["a.conf", "b.conf"]);
        assert_eq!(
            l.diags(),
            [("TL003", "'a.conf'".into()), ("TL003", "'./b.conf'".into())]
        );

        let mut files: Vec<(String, String)> = (0..12)
            .map(|i| {
                (
                    format!("f{i}.conf"),
                    format!("max_connections = {}\ninclude 'f{}.conf'\n", i + 1, i + 1),
                )
            })
            .collect();
        files.push(("f12.conf".into(), "max_connections = 999\n".into()));
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let dir = tree(&refs);
        let l = load_in(&dir, "f0.conf");
        // f0 is depth 0, f10 is depth 10: its directive is not followed.
        assert_eq!(l.server.files.len(), 11);
        assert_eq!(l.server.max_connections.value, 11);
        assert_eq!(l.diags(), [("TL003", "'f11.conf'".to_string())]);
    }

    #[test]
    fn auto_conf_overrides() {
        let dir = tree(&[
            (
                "data/postgresql.conf",
                "statement_timeout = 1s\nmax_connections = 50\ninclude 'late.conf'\n",
            ),
            ("data/late.conf", "lock_timeout = 2s\n"),
            (
                "data/postgresql.auto.conf",
                "# Do not edit this file manually!\nstatement_timeout = '15s'\n\
                 primary_conninfo = 'host=db user=rep password=s3cr3t sslmode=require'\n",
            ),
        ]);
        let l = load_in(&dir, "data/postgresql.conf");
        assert!(l.diags.is_empty(), "{:?}", l.diags);
        assert_eq!(l.stmt_ms(), 15_000);
        assert_eq!(l.server.max_connections.value, 50);
        assert_eq!(l.server.lock_timeout.value, ms(2000));
        assert_eq!(
            l.at(&l.server.statement_timeout.origin),
            ("postgresql.auto.conf".into(), "'15s'".into())
        );
        assert_eq!(
            l.names(),
            ["postgresql.conf", "late.conf", "postgresql.auto.conf"]
        );
        let all: String = l
            .sources
            .files()
            .map(|(_, f)| f.masked_text().to_string())
            .collect();
        assert!(!all.contains("s3cr3t"), "{all}");
        assert!(all.contains("sslmode=require"));

        // Naming the auto.conf itself reads it once.
        let l = load_in(&dir, "data/postgresql.auto.conf");
        assert_eq!(l.names(), ["postgresql.auto.conf"]);
        assert_eq!(l.stmt_ms(), 15_000);
    }

    #[test]
    fn conninfo_secrets_are_found() {
        let cases: &[(&str, &[&str])] = &[
            ("'host=a password=pw1 user=u'", &["pw1"]),
            ("'password = pw2'", &["pw2"]),
            ("'host=a passwordx=no'", &[]),
            ("'postgresql://rep:pw3@db:5432/x'", &["pw3"]),
            ("'postgresql://rep@db/x'", &[]),
            ("'host=a password='", &[]),
            ("'host=a password=''two words'' user=u'", &["''two words''"]),
            (
                "'host=a password=''unbalanced secret'",
                &["''unbalanced secret"],
            ),
            ("'host=a password=CanaryPw", &["CanaryPw"]),
        ];
        for (raw, want) in cases {
            let got: Vec<&str> = conninfo_secrets(raw)
                .iter()
                .map(|&(s, e)| &raw[s..e])
                .collect();
            assert_eq!(&got, want, "{raw}");
        }
    }

    #[test]
    fn show_all_dump() {
        let text = "                  name                  |   setting    |      description\n\
                    ----------------------------------------+--------------+-----------------------\n \
                    idle_in_transaction_session_timeout    | 1min         | Sets the maximum\n \
                    idle_session_timeout                   | 0            | Sets the maximum\n \
                    max_connections                        | 100          | Sets the maximum\n \
                    primary_conninfo                       | password=xyz | Sets the connection\n \
                    statement_timeout                      | 30           | Sets the maximum\n \
                    tcp_keepalives_idle                    | 7200         | Time between\n \
                    tcp_user_timeout                       | 10s          | TCP user timeout\n\
                    (7 rows)\n";
        let l = load_text(text);
        assert!(l.diags.is_empty(), "{:?}", l.diags);
        let s = &l.server;
        assert_eq!(s.input, PostgresInput::SettingsTable);
        assert_eq!(s.idle_in_transaction_session_timeout.value, ms(60_000));
        assert_eq!(s.idle_session_timeout.value, Duration::ZERO);
        assert!(s.idle_session_timeout.origin.is_explicit());
        assert_eq!(s.statement_timeout.value, ms(30));
        assert_eq!(s.tcp_keepalives_idle.value, Duration::from_secs(7200));
        assert_eq!(s.tcp_user_timeout.value, ms(10_000));
        assert_eq!(l.at(&s.tcp_user_timeout.origin).1, "10s");
        assert!(!s.lock_timeout.origin.is_explicit());
        assert!(!l.sources.get(s.files[0]).masked_text().contains("xyz"));
    }

    #[test]
    fn pg_settings_csv_and_unaligned_dumps() {
        let csv = "name,setting,unit\nidle_session_timeout,60000,ms\n\
                   \"tcp_keepalives_idle\",\"600\",s\nmax_connections,200,\n\
                   statement_timeout,5,min\nlock_timeout,abc,ms\n";
        let l = load_text(csv);
        let s = &l.server;
        assert_eq!(s.input, PostgresInput::SettingsCsv);
        assert_eq!(s.idle_session_timeout.value, ms(60_000));
        assert_eq!(s.tcp_keepalives_idle.value, Duration::from_secs(600));
        assert_eq!(l.at(&s.tcp_keepalives_idle.origin).1, "600");
        assert_eq!(s.max_connections.value, 200);
        assert_eq!(s.statement_timeout.value, ms(300_000));
        assert_eq!(l.diags(), [("TL002", "abc".to_string())]);

        let unaligned =
            "name|setting|unit\nidle_session_timeout|5|ms\nmax_connections|300|\n(2 rows)\n";
        let l = load_text(unaligned);
        assert!(l.diags.is_empty(), "{:?}", l.diags);
        assert_eq!(l.server.input, PostgresInput::SettingsTable);
        // No TL007 for dumps: the unit is explicit there.
        assert_eq!(l.server.idle_session_timeout.value, ms(5));
        assert_eq!(l.server.max_connections.value, 300);
    }

    #[test]
    fn looks_like_postgres_accepts_and_rejects() {
        let yes = [
            "shared_buffers = 128MB\n",
            "listen_addresses = '*'\n",
            "# comment\nmax_wal_size = 1GB\n",
            "include_dir 'conf.d'\n",
            "foo_timeout = 5min\n",
            "name | setting | description\n------+---------+----\n x | 1 | d\n",
            "name,setting,unit\nstatement_timeout,0,ms\n",
            "max_connections = 100\n",
        ];
        for t in yes {
            assert!(looks_like_postgres(t), "{t:?}");
        }
        let no = [
            "",
            "[mysqld]\nwait_timeout = 600\nmax_connections = 100\n",
            "[client]\nport=3306\n",
            "net.ipv4.tcp_keepalive_time = 600\nnet.ipv4.tcp_keepalive_intvl = 60\n",
            "kernel.shmmax=1\nvm.swappiness = 10\n",
            "wait_timeout = 600\n",
            "foo_timeout = 30\n",
            "Usage: mysqld\nVariables (--variable-name=value)\n--------- -----\nport 3306\n",
            "some prose here.\nmore: prose (x)\nport 5432\n",
        ];
        for t in no {
            assert!(!looks_like_postgres(t), "{t:?}");
        }
    }

    #[test]
    fn unreadable_named_file_is_a_load_error() {
        let dir = TempDir::new().expect("dir");
        let mut sources = SourceMap::new(None);
        let mut diags = Vec::new();
        let r = load_postgres(&dir.path().join("missing.conf"), &mut sources, &mut diags);
        assert!(matches!(r, Err(LoadError::Unreadable { .. })), "{r:?}");
        assert!(diags.is_empty());
    }

    #[test]
    fn crlf_and_non_utf8() {
        let l = load_text("statement_timeout = 2s\r\nlock_timeout = '1s'\r\n");
        assert!(l.diags.is_empty(), "{:?}", l.diags);
        assert_eq!(l.stmt_ms(), 2000);
        assert_eq!(l.at(&l.server.lock_timeout.origin).1, "'1s'");
        let dir = TempDir::new().expect("dir");
        std::fs::write(
            dir.path().join("p.conf"),
            b"# \xff\xfe\nstatement_timeout = 3s\n",
        )
        .expect("write");
        assert_eq!(load_in(&dir, "p.conf").stmt_ms(), 3000);
    }

    #[test]
    fn never_panics_on_odd_input() {
        let inputs = [
            "",
            "\n",
            "'",
            "=",
            "==",
            "statement_timeout = '",
            "statement_timeout = '\\",
            "statement_timeout = -",
            "statement_timeout = 0x",
            "statement_timeout = '0x'",
            "statement_timeout = -99999999999999999999999",
            "statement_timeout = '1e-999'",
            "statement_timeout = '\u{0}'",
            "\u{feff}statement_timeout = 1s",
            "statement_timeout = 'é'",
            "statement_timeout = '5 é'",
            "include",
            "include ''",
            "include_dir ''",
            "include '\u{0}'",
            "primary_conninfo = 'password='",
            "primary_conninfo = '://:@'",
            "name|setting\n|\n",
            "name,setting,unit\n,,\n\"",
            "name,setting,unit\nmax_connections,1e99,\n",
            "tcp_keepalives_count = 2147483647",
        ];
        for text in inputs {
            let _ = load_text(text);
            let _ = looks_like_postgres(text);
        }
    }

    /// Resolves `assigned` (set as `by`) over the postgresql.conf `conf`
    /// (none when empty).
    fn resolved(conf: &str, assigned: &str, by: SetBy) -> Loaded {
        let dir = tree(&[("postgresql.conf", conf)]);
        let mut l = load_in(&dir, "postgresql.conf");
        let base = (!conf.is_empty()).then(|| l.server.clone());
        let a = crate::test_support::assignments(&mut l.sources, "main.tf", assigned, by);
        let mut diags = Vec::new();
        l.server = resolve(&a, base.as_ref(), None, &mut l.sources, &mut diags);
        l.diags = diags;
        l
    }

    #[test]
    fn resolve_applies_the_conf_rules() {
        // (assignments, by, idle_session_timeout ms, diagnostics)
        let table: &[(&str, SetBy, u128, &[&str])] = &[
            (
                "idle_session_timeout=60000",
                SetBy::ParameterGroup,
                60_000,
                &[],
            ),
            (
                "idle_session_timeout=10min",
                SetBy::CommandLine,
                600_000,
                &[],
            ),
            ("IDLE_SESSION_TIMEOUT=5s", SetBy::ParameterGroup, 5_000, &[]),
            ("--idle-session-timeout=5s", SetBy::CommandLine, 5_000, &[]),
            ("idle-session-timeout=5s", SetBy::ParameterGroup, 0, &[]),
            (
                "idle_session_timeout=30",
                SetBy::CommandLine,
                30,
                &["TL007"],
            ),
            (
                "idle_session_timeout=5h30",
                SetBy::CommandLine,
                0,
                &["TL002"],
            ),
            (
                "idle_session_timeout=-1",
                SetBy::ParameterGroup,
                0,
                &["TL002"],
            ),
            (
                "idle_session_timeout=?formula",
                SetBy::ParameterGroup,
                0,
                &["TL015"],
            ),
            ("shared_buffers=?formula", SetBy::ParameterGroup, 0, &[]),
        ];
        for (assigned, by, want, codes) in table {
            let l = resolved("", assigned, *by);
            assert_eq!(
                l.server.idle_session_timeout.value.as_millis(),
                *want,
                "{assigned}"
            );
            let got: Vec<&str> = l.diags().iter().map(|d| d.0).collect();
            assert_eq!(&got, codes, "{assigned}");
            assert_eq!(l.server.input, PostgresInput::Deployment);
        }
    }

    #[test]
    fn command_line_beats_the_conf_file_and_says_so() {
        let l = resolved(
            "statement_timeout = 30s\nmax_connections = 200\n",
            "--statement_timeout=5s",
            SetBy::CommandLine,
        );
        assert_eq!(l.stmt_ms(), 5_000);
        assert_eq!(l.diags(), vec![("TL016", "30s".to_string())]);
        assert_eq!(
            l.at(&l.server.statement_timeout.origin),
            ("main.tf".into(), "5s".into())
        );
        assert_eq!(
            l.at(&l.server.max_connections.origin),
            ("postgresql.conf".into(), "200".into())
        );
        let l = resolved(
            "statement_timeout = 30s\n",
            "statement_timeout=30000",
            SetBy::CommandLine,
        );
        assert!(l.diags.is_empty(), "{:?}", l.diags());
    }
}
