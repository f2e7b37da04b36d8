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
//!   start ("invalid section") and is [`codes::SYNTAX_ERROR`]; so is an entry
//!   before any section.
//! - Every `[pgbouncer]` header resets all settings to their defaults
//!   (`fill_defaults` runs at each header), so values written before a second
//!   `[pgbouncer]` header are lost; such a lost value is reported as a
//!   [`codes::INVALID_VALUE`] warning. Otherwise the last occurrence wins, in
//!   read order across `%include`d files; the section in force carries over
//!   into and out of included files, as in PgBouncer.
//! - Unknown keys in `[pgbouncer]` make PgBouncer refuse to start ("unknown
//!   parameter"), but the set of keys grows with every release, so unknown
//!   keys are ignored here. A key that differs from a modelled setting only
//!   in letter case is reported ([`codes::INVALID_VALUE`]): it is never the
//!   setting the author meant.
//! - Times (`CF_TIME_USEC`: `server_idle_timeout`, `server_lifetime`,
//!   `client_idle_timeout`, `query_timeout`, `query_wait_timeout`,
//!   `idle_transaction_timeout`) go through `parse_time`: `strtod` of the
//!   whole value, anything after the number rejected, negatives rejected.
//!   So they are plain, possibly fractional, seconds: `0.5` is valid, `10min`,
//!   `30s` and `600 # comment` are [`codes::INVALID_VALUE`] and that
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
//!   [`codes::INCLUDE_UNREADABLE`] errors, at the directive's file name.
//! - Passwords: the value of any key whose name contains `password`, and the
//!   value of every `password=` pair of a connection string (`[databases]`
//!   lines such as `db = host=x password=secret`), are marked as secret spans in the
//!   [`SourceMap`] right after each file is lexed.
//!
//! Per-database and per-user overrides (`pool_size=`, `max_db_connections=`,
//! `server_lifetime=`, ... in `[databases]`/`[users]`) are not applied to the
//! global settings; the `[databases]` connection strings are kept, without
//! passwords, in [`PgBouncer::databases`] for rules that need them.

use std::path::Path;
use std::time::Duration;

use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::parse::pgbouncer::{self as ini, Item};
use crate::provenance::{Origin, Sourced};
use crate::rules::codes;
use crate::source::{FileId, LoadError, Location, SourceMap, Span};
use crate::sources::{Assignment, SetBy, Written};
use crate::systems::include::{self, Directive, Follower, Host, Parts, Words};
use crate::units::fmt_secs;

/// The PgBouncer settings timeoutlint models, each with its origin. Times are
/// plain (fractional) seconds in the file, except `tcp_user_timeout` (ms).
/// A zero duration means "off" / "OS default", as documented per field.
///
/// A value set in a file has [`Origin::File`] at its value text; an absent
/// one has [`Origin::Default`] with its https://www.pgbouncer.org/config.html
/// anchor as source and [`PgBouncer::anchor`] as anchor.
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
    /// `[databases]` entries in read order (a name defined again replaces
    /// its earlier definition in place), without passwords.
    pub databases: Vec<Database>,
    /// The `[pgbouncer]` header whose defaults are in force (the last one
    /// read), the anchor of every default; the named file's start without one.
    pub anchor: Option<Location>,
    /// Files read, the named one first, then includes in read order (each
    /// file once, at its first read).
    pub files: Vec<FileId>,
}

/// One `[databases]` entry: `name = connection string`.
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

/// How a setting's value is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// `CF_TIME_USEC`: strtod seconds.
    Time,
    /// `CF_INT` whole seconds.
    IntSecs,
    /// `CF_INT` whole milliseconds.
    IntMillis,
    /// `CF_INT` count.
    Count,
    /// `CF_INT` used as a flag.
    Flag,
    /// `CF_STR` list of names.
    List,
}

/// A parsed value, in the model's unit.
#[derive(Clone, Debug, PartialEq)]
enum Value {
    Time(Duration),
    Count(u64),
    Flag(bool),
    List(Vec<String>),
}

struct Setting {
    name: &'static str,
    kind: Kind,
    /// The default in the model's unit (seconds, ms, count or 0/1).
    default: u64,
    source: &'static str,
}

const fn setting(name: &'static str, kind: Kind, default: u64, source: &'static str) -> Setting {
    Setting {
        name,
        kind,
        default,
        source,
    }
}

/// The modelled settings; defaults from `src/main.c` `bouncer_params`.
/// How many settings are modelled (the length of [`SETTINGS`]).
const SETTING_COUNT: usize = 17;

static SETTINGS: [Setting; SETTING_COUNT] = [
    setting(
        "server_idle_timeout",
        Kind::Time,
        600,
        "https://www.pgbouncer.org/config.html#server_idle_timeout",
    ),
    setting(
        "server_lifetime",
        Kind::Time,
        3600,
        "https://www.pgbouncer.org/config.html#server_lifetime",
    ),
    setting(
        "client_idle_timeout",
        Kind::Time,
        0,
        "https://www.pgbouncer.org/config.html#client_idle_timeout",
    ),
    setting(
        "query_timeout",
        Kind::Time,
        0,
        "https://www.pgbouncer.org/config.html#query_timeout",
    ),
    setting(
        "query_wait_timeout",
        Kind::Time,
        120,
        "https://www.pgbouncer.org/config.html#query_wait_timeout",
    ),
    setting(
        "idle_transaction_timeout",
        Kind::Time,
        0,
        "https://www.pgbouncer.org/config.html#idle_transaction_timeout",
    ),
    setting(
        "tcp_keepalive",
        Kind::Flag,
        1,
        "https://www.pgbouncer.org/config.html#tcp_keepalive",
    ),
    setting(
        "tcp_keepidle",
        Kind::IntSecs,
        0,
        "https://www.pgbouncer.org/config.html#tcp_keepidle",
    ),
    setting(
        "tcp_keepintvl",
        Kind::IntSecs,
        0,
        "https://www.pgbouncer.org/config.html#tcp_keepintvl",
    ),
    setting(
        "tcp_keepcnt",
        Kind::Count,
        0,
        "https://www.pgbouncer.org/config.html#tcp_keepcnt",
    ),
    setting(
        "tcp_user_timeout",
        Kind::IntMillis,
        0,
        "https://www.pgbouncer.org/config.html#tcp_user_timeout",
    ),
    setting(
        "default_pool_size",
        Kind::Count,
        20,
        "https://www.pgbouncer.org/config.html#default_pool_size",
    ),
    setting(
        "reserve_pool_size",
        Kind::Count,
        0,
        "https://www.pgbouncer.org/config.html#reserve_pool_size",
    ),
    setting(
        "max_client_conn",
        Kind::Count,
        100,
        "https://www.pgbouncer.org/config.html#max_client_conn",
    ),
    setting(
        "max_db_connections",
        Kind::Count,
        0,
        "https://www.pgbouncer.org/config.html#max_db_connections",
    ),
    setting(
        "ignore_startup_parameters",
        Kind::List,
        0,
        "https://www.pgbouncer.org/config.html#ignore_startup_parameters",
    ),
    setting(
        "min_pool_size",
        Kind::Count,
        0,
        "https://www.pgbouncer.org/config.html#min_pool_size",
    ),
];

impl Setting {
    fn default_value(&self) -> Value {
        match self.kind {
            Kind::Time | Kind::IntSecs => Value::Time(Duration::from_secs(self.default)),
            Kind::IntMillis => Value::Time(Duration::from_millis(self.default)),
            Kind::Count => Value::Count(self.default),
            Kind::Flag => Value::Flag(self.default != 0),
            Kind::List => Value::List(Vec::new()),
        }
    }

    /// A value in words for messages: `600 s`, `20`, `on`, `a, b`.
    fn describe(&self, v: &Value) -> String {
        match v {
            Value::Time(d) => crate::units::fmt_secs(*d),
            Value::Count(n) => n.to_string(),
            Value::Flag(f) => if *f { "on" } else { "off" }.to_string(),
            Value::List(names) => names.join(", "),
        }
    }

    /// What the value must be, for messages.
    fn shape(&self) -> &'static str {
        match self.kind {
            Kind::Time => "a plain number of seconds (fractions allowed, no unit)",
            Kind::IntSecs => "a whole number of seconds (no unit)",
            Kind::IntMillis => "a whole number of milliseconds (no unit)",
            Kind::Count => "a whole number",
            Kind::Flag => "an integer (0 off, 1 on)",
            Kind::List => "a list of names",
        }
    }
}

/// Why a time value was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeError {
    /// Not a decimal number, or text after it (a unit, a comment).
    Malformed,
    /// Below zero (`parse_time` rejects it).
    Negative,
    /// `inf` / `nan`: strtod reads them, but they mean nothing as a time.
    NotFinite,
    /// More microseconds than 64 bits hold.
    TooLarge,
}

/// Parses a PgBouncer time value (`parse_time` in cfparser.c): `strtod` of
/// the whole string, optional leading whitespace and sign, decimal digits
/// with an optional fraction and exponent, nothing after. Returns whole
/// microseconds, truncated as `(usec_t)(USEC * v)` does.
pub fn parse_time(text: &str) -> Result<Duration, TimeError> {
    let t = text.trim_start_matches(|c: char| c.is_ascii_whitespace());
    let unsigned = t.strip_prefix(['+', '-']).unwrap_or(t);
    let lower = unsigned.to_ascii_lowercase();
    if lower == "inf" || lower == "infinity" || lower.starts_with("nan") {
        return if t.starts_with('-') && !lower.starts_with("nan") {
            Err(TimeError::Negative)
        } else {
            Err(TimeError::NotFinite)
        };
    }
    if !is_decimal_float(unsigned) {
        return Err(TimeError::Malformed);
    }
    let v: f64 = t.parse().map_err(|_| TimeError::Malformed)?;
    if v < 0.0 {
        return Err(TimeError::Negative);
    }
    let micros = v * 1e6;
    // 2^64: the first value that does not fit in usec_t.
    if !micros.is_finite() || micros >= 18_446_744_073_709_551_616.0 {
        return Err(TimeError::TooLarge);
    }
    // Truncates toward zero like the C cast; in range by the check above.
    Ok(Duration::from_micros(micros as u64))
}

/// `digits[.digits][e[+-]digits]` or `.digits[...]`, at least one digit.
fn is_decimal_float(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |from: usize| b[from..].iter().take_while(|c| c.is_ascii_digit()).count();
    let int = digits(0);
    let mut p = int;
    let mut frac = 0;
    if b.get(p) == Some(&b'.') {
        frac = digits(p + 1);
        p += 1 + frac;
    }
    if int + frac == 0 {
        return false;
    }
    if matches!(b.get(p), Some(b'e' | b'E')) {
        let mut q = p + 1;
        if matches!(b.get(q), Some(b'+' | b'-')) {
            q += 1;
        }
        let exp = digits(q);
        if exp == 0 {
            return false;
        }
        p = q + exp;
    }
    p == b.len()
}

/// Why an integer value was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntError {
    /// Not an integer, or text after it (a unit, a fraction, a comment).
    Malformed,
    /// Outside PgBouncer's `int` (32 bits).
    OutOfRange,
}

/// Parses a PgBouncer integer (`cf_set_int`: `strtol(value, &end, 0)` of the
/// whole string): optional leading whitespace and sign, then `0x` + hex
/// digits, `0` + octal digits, or decimal digits; nothing after.
pub fn parse_int(text: &str) -> Result<i64, IntError> {
    let t = text.trim_start_matches(|c: char| c.is_ascii_whitespace());
    let (neg, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let lower = t.to_ascii_lowercase();
    let (digits, radix) = match lower.strip_prefix("0x") {
        Some(hex) if hex.bytes().next().is_some_and(|c| c.is_ascii_hexdigit()) => (hex, 16),
        _ if lower.len() > 1 && lower.starts_with('0') => (&lower[1..], 8),
        _ => (lower.as_str(), 10),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return Err(IntError::Malformed);
    }
    let n = i128::from_str_radix(digits, radix).map_err(|_| IntError::OutOfRange)?;
    let n = if neg { -n } else { n };
    if n < i128::from(i32::MIN) || n > i128::from(i32::MAX) {
        return Err(IntError::OutOfRange);
    }
    i64::try_from(n).map_err(|_| IntError::OutOfRange)
}

/// The names of an `ignore_startup_parameters` value: split at commas and
/// whitespace (the separators `strlist_contains` accepts), empty parts
/// dropped, case kept.
pub fn parse_name_list(text: &str) -> Vec<String> {
    text.split(|c: char| c == ',' || c.is_ascii_whitespace())
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Reads pgbouncer.ini at `path`, following `%include`.
///
/// Errors: [`LoadError`] only when `path` itself cannot be read. Problems
/// inside files become diagnostics: [`codes::SYNTAX_ERROR`] (lines PgBouncer
/// cannot read, unknown sections, entries before any section, no
/// `[pgbouncer]` section), [`codes::INVALID_VALUE`] (values of modelled
/// settings PgBouncer rejects, with the occurrence ignored; broken connection
/// strings; warnings for negative numbers and for values reset by a later
/// `[pgbouncer]` header), [`codes::INCLUDE_UNREADABLE`] (missing include
/// targets, cycles, nesting deeper than 10).
pub fn load_pgbouncer(
    path: &Path,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Result<PgBouncer, LoadError> {
    let root = sources.load(path)?;
    let mark = diags.len();
    let mut loader = Loader {
        sources,
        diags,
        section: None,
        values: Default::default(),
        anchor: None,
        databases: Vec::new(),
        follow: Follower::new(&INCLUDES),
    };
    loader.read(root, 0);
    (loader.follow).check_named(loader.diags, mark, root, loader.sources)?;
    let anchor = loader
        .anchor
        .unwrap_or_else(|| Location::new(root, Span::new(0, 0)));
    if loader.anchor.is_none() {
        loader.diags.push(
            Diagnostic::new(
                codes::SYNTAX_ERROR,
                "no [pgbouncer] section in this configuration",
                Label::at(anchor, "no [pgbouncer] header here or in included files"),
            )
            .with_help(
                "pgbouncer refuses to start (\"main section missing from config file\"); \
                 add a [pgbouncer] header above the settings",
            ),
        );
    }
    let files = loader.follow.take_files();
    Ok(finish(loader.values, anchor, loader.databases, files))
}

/// The settings from the values set (by index of [`SETTINGS`]), the others
/// at their documented defaults anchored at `anchor`.
fn finish(
    values: [Option<Sourced<Value>>; SETTING_COUNT],
    anchor: Location,
    databases: Vec<Database>,
    files: Vec<FileId>,
) -> PgBouncer {
    let mut values = values.into_iter();
    let mut next = |idx: usize| -> Sourced<Value> {
        values.next().flatten().unwrap_or_else(|| {
            let s = &SETTINGS[idx];
            Sourced::new(
                s.default_value(),
                Origin::default_of("PgBouncer", s.source).anchored(Some(anchor)),
            )
        })
    };
    let time = |v: Sourced<Value>| match v.value {
        Value::Time(d) => Sourced::new(d, v.origin),
        _ => Sourced::new(Duration::ZERO, v.origin),
    };
    let count = |v: Sourced<Value>| match v.value {
        Value::Count(n) => Sourced::new(n, v.origin),
        _ => Sourced::new(0, v.origin),
    };
    let server_idle_timeout = time(next(0));
    let server_lifetime = time(next(1));
    let client_idle_timeout = time(next(2));
    let query_timeout = time(next(3));
    let query_wait_timeout = time(next(4));
    let idle_transaction_timeout = time(next(5));
    let keepalive = next(6);
    let tcp_keepalive = Sourced::new(
        matches!(keepalive.value, Value::Flag(true)),
        keepalive.origin,
    );
    let tcp_keepidle = time(next(7));
    let tcp_keepintvl = time(next(8));
    let tcp_keepcnt = count(next(9)).map(|n| u32::try_from(n).unwrap_or(u32::MAX));
    let tcp_user_timeout = time(next(10));
    let default_pool_size = count(next(11));
    let reserve_pool_size = count(next(12));
    let max_client_conn = count(next(13));
    let max_db_connections = count(next(14));
    let list = next(15);
    let ignore_startup_parameters = match list.value {
        Value::List(names) => Sourced::new(names, list.origin),
        _ => Sourced::new(Vec::new(), list.origin),
    };
    let min_pool_size = count(next(16));
    PgBouncer {
        server_idle_timeout,
        server_lifetime,
        client_idle_timeout,
        query_timeout,
        query_wait_timeout,
        idle_transaction_timeout,
        tcp_keepalive,
        tcp_keepidle,
        tcp_keepintvl,
        tcp_keepcnt,
        tcp_user_timeout,
        default_pool_size,
        reserve_pool_size,
        min_pool_size,
        max_client_conn,
        max_db_connections,
        ignore_startup_parameters,
        databases,
        anchor: Some(anchor),
        files,
    }
}

/// The PgBouncer door for settings found outside pgbouncer.ini: the
/// environment variables of PgBouncer images (edoburu/pgbouncer,
/// bitnami/pgbouncer), which their entrypoints write into the config, and
/// CloudNativePG `Pooler` parameters ([`crate::sources`]). The adapter maps
/// each variable to its pgbouncer.ini key; here each [`Assignment`] goes
/// through the same rules as a `[pgbouncer]` line (case-sensitive names,
/// units, ranges). `base` is a pgbouncer.ini the process also reads, whose
/// explicit values count as [`SetBy::OptionFile`]; a higher [`SetBy`] wins,
/// different values from two kinds are [`codes::SERVER_SETTING_SET_TWICE`],
/// [`Written::Unresolved`] is [`codes::UNRESOLVED_SETTING_VALUE`]. Defaults
/// are anchored at `anchor`.
pub fn resolve(
    assignments: &[Assignment],
    base: Option<&PgBouncer>,
    anchor: Location,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> PgBouncer {
    let mut loader = Loader {
        sources,
        diags,
        section: Some(Section::Main),
        values: Default::default(),
        anchor: Some(anchor),
        databases: base.map(|b| b.databases.clone()).unwrap_or_default(),
        follow: Follower::new(&INCLUDES)
            .with_files(base.map(|b| b.files.clone()).unwrap_or_default()),
    };
    let mut set_by: [Option<SetBy>; SETTING_COUNT] = Default::default();
    if let Some(b) = base {
        for (idx, v) in base_values(b).into_iter().enumerate() {
            if matches!(v.origin, Origin::File(_)) {
                set_by[idx] = Some(SetBy::OptionFile);
                loader.values[idx] = Some(v);
            }
        }
    }
    let mut ordered: Vec<&Assignment> = assignments.iter().collect();
    ordered.sort_by_key(|a| a.set_by);
    for a in ordered {
        let idx = SETTINGS.iter().position(|s| s.name == a.name);
        let text = match (&a.value, idx) {
            (Written::Text(t), _) => t,
            (Written::Unresolved(why), Some(idx)) => {
                let s = &SETTINGS[idx];
                let kept = loader.values[idx].as_ref().map_or_else(
                    || format!("the default {}", s.describe(&s.default_value())),
                    |v| s.describe(&v.value),
                );
                crate::sources::report_unresolved(loader.diags, s.name, a, why, &kept);
                continue;
            }
            (Written::Unresolved(_), None) => continue,
        };
        let before = idx.and_then(|i| loader.values[i].clone());
        loader.apply(true, &a.name, a.name_at, text, a.value_at);
        let Some(idx) = idx else { continue };
        let s = &SETTINGS[idx];
        let after = loader.values[idx].clone();
        if let (Some(prev_by), Some(old), Some(new)) = (set_by[idx], before, after.as_ref())
            && prev_by != a.set_by
            && old.value != new.value
            && let Some(old_at) = old.origin.location()
        {
            crate::sources::report_set_twice(
                loader.diags,
                s.name,
                (prev_by, old_at, &s.describe(&old.value)),
                (a.set_by, a.value_at, &s.describe(&new.value)),
                "the image's entrypoint writes its environment variables into the config \
                 after the file's own lines",
            );
        }
        if after.is_some_and(|v| v.origin == Origin::File(a.value_at)) {
            set_by[idx] = Some(a.set_by);
        }
    }
    let files = loader.follow.take_files();
    finish(loader.values, anchor, loader.databases, files)
}

/// The explicit and default values of `b`, by index of [`SETTINGS`].
fn base_values(b: &PgBouncer) -> [Sourced<Value>; SETTING_COUNT] {
    let t = |v: &Sourced<Duration>| v.clone().map(Value::Time);
    let c = |v: &Sourced<u64>| v.clone().map(Value::Count);
    [
        t(&b.server_idle_timeout),
        t(&b.server_lifetime),
        t(&b.client_idle_timeout),
        t(&b.query_timeout),
        t(&b.query_wait_timeout),
        t(&b.idle_transaction_timeout),
        b.tcp_keepalive.clone().map(Value::Flag),
        t(&b.tcp_keepidle),
        t(&b.tcp_keepintvl),
        b.tcp_keepcnt.clone().map(|n| Value::Count(u64::from(n))),
        t(&b.tcp_user_timeout),
        c(&b.default_pool_size),
        c(&b.reserve_pool_size),
        c(&b.max_client_conn),
        c(&b.max_db_connections),
        b.ignore_startup_parameters.clone().map(Value::List),
        c(&b.min_pool_size),
    ]
}

/// The section entries currently belong to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Section {
    Main,
    Databases,
    /// `[users]` and `[peers]`: connection strings we only check.
    Other,
    /// A section PgBouncer rejects (already reported).
    Unknown,
}

struct Loader<'a> {
    sources: &'a mut SourceMap,
    diags: &'a mut Vec<Diagnostic>,
    /// None before the first header; carries over across includes.
    section: Option<Section>,
    /// Last valid value of each of [`SETTINGS`] since the last `[pgbouncer]` header.
    values: [Option<Sourced<Value>>; SETTING_COUNT],
    /// The last `[pgbouncer]` header read.
    anchor: Option<Location>,
    databases: Vec<Database>,
    /// Includes: files read, cycle guard, budget.
    follow: Follower,
}

/// How PgBouncer follows `%include` (`cf_parse_include` in cfparser.c).
static INCLUDES: include::Rules = include::Rules {
    kind: "a pgbouncer.ini",
    looks_bad: None,
    max_depth: MAX_INCLUDE_DEPTH,
    max_reads: MAX_FILE_READS,
    unreadable_help: |_| {
        "pgbouncer refuses to start when an included file is missing; it opens \
         a relative name from its working directory, timeoutlint from the \
         including file's folder, so an absolute path avoids the ambiguity"
            .to_string()
    },
    too_deep: |d| Words {
        message: format!(
            "`%include {}` nests deeper than {MAX_INCLUDE_DEPTH} levels",
            d.written
        ),
        label: "not read",
        severity: Severity::Error,
        help: Some(
            "pgbouncer refuses to start (\"include nesting level too deep\"); \
             flatten the includes"
                .to_string(),
        ),
    },
    cycle: |_, shown| Words {
        message: format!("`%include` of `{shown}` forms an include cycle"),
        label: "cycle; not followed",
        severity: Severity::Error,
        help: Some(format!(
            "pgbouncer follows the cycle until includes nest {MAX_INCLUDE_DEPTH} levels \
             deep, then refuses to start; remove the directive"
        )),
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

/// True for a key whose whole value is a secret.
fn is_secret_key(key: &str) -> bool {
    key.to_ascii_lowercase().contains("password")
}

impl Loader<'_> {
    fn emit(&mut self, report: bool, d: Diagnostic) {
        if report {
            self.diags.push(d);
        }
    }

    /// Reads file `id` at include depth `depth` (the named file is 0).
    fn read(&mut self, id: FileId, depth: usize) {
        let report = self.follow.enter(id, self.sources, self.diags);
        let text = self.sources.get(id).text().to_string();
        let items = ini::lex(&text);
        self.redact(id, &items);
        for item in items {
            self.item(id, depth, report, item);
        }
        self.follow.leave();
    }

    /// Marks every password value of file `id` as a secret span.
    fn redact(&mut self, id: FileId, items: &[Item]) {
        for item in items {
            let Item::Entry {
                key,
                value,
                value_span,
                ..
            } = item
            else {
                continue;
            };
            if is_secret_key(key) {
                self.sources.get_mut(id).mark_secret(*value_span);
                continue;
            }
            let (pairs, err) = ini::lex_connstring(value, value_span.start);
            for p in pairs {
                if is_secret_key(&p.key) {
                    self.sources.get_mut(id).mark_secret(p.value_span);
                }
            }
            if let Some(e) = err
                && e.key.as_deref().is_some_and(is_secret_key)
            {
                self.sources.get_mut(id).mark_secret(e.span);
            }
        }
    }

    fn item(&mut self, id: FileId, depth: usize, report: bool, item: Item) {
        match item {
            Item::Section {
                name,
                name_span,
                span,
            } => self.section(id, report, &name, name_span, span),
            Item::Entry {
                key,
                key_span,
                value,
                value_span,
            } => {
                let key_at = Location::new(id, key_span);
                let value_at = Location::new(id, value_span);
                match self.section {
                    None => self.emit(
                        report,
                        Diagnostic::new(
                            codes::SYNTAX_ERROR,
                            format!("`{key}` appears before any [section] header"),
                            Label::at(key_at, "entry outside a section"),
                        )
                        .with_help(
                            "pgbouncer refuses to start (\"value without section\"); \
                             put settings under [pgbouncer]",
                        ),
                    ),
                    Some(Section::Main) => self.apply(report, &key, key_at, &value, value_at),
                    Some(Section::Databases) => {
                        if let Some(db) = self.connstring(report, &key, key_at, &value, value_at) {
                            match self.databases.iter_mut().find(|d| d.name == db.name) {
                                Some(old) => *old = db,
                                None => self.databases.push(db),
                            }
                        }
                    }
                    Some(Section::Other) => {
                        let _ = self.connstring(report, &key, key_at, &value, value_at);
                    }
                    Some(Section::Unknown) => {}
                }
            }
            Item::Include {
                path, path_span, ..
            } => self.include(id, depth, report, &path, path_span),
            Item::Error { span, message } => self.emit(
                report,
                Diagnostic::new(
                    codes::SYNTAX_ERROR,
                    message,
                    Label::at(Location::new(id, span), "pgbouncer stops loading here"),
                )
                .with_help(
                    "pgbouncer refuses to start (\"syntax error in configuration\"); \
                     lines are `key = value`, `[section]`, `%include FILE`, or comments \
                     starting with `#` or `;`",
                ),
            ),
        }
    }

    fn section(&mut self, id: FileId, report: bool, name: &str, name_span: Span, span: Span) {
        let at = Location::new(id, span);
        self.section = Some(match name {
            "pgbouncer" => {
                self.reset_values(report, at);
                self.anchor = Some(at);
                Section::Main
            }
            "databases" => Section::Databases,
            "users" | "peers" => Section::Other,
            _ => {
                let near = ["pgbouncer", "databases", "users", "peers"]
                    .into_iter()
                    .find(|s| s.eq_ignore_ascii_case(name.trim()));
                let help = match near {
                    Some(s) => format!(
                        "section names are compared exactly (case and spaces); write `[{s}]`"
                    ),
                    None => {
                        "pgbouncer knows [pgbouncer], [databases], [users] and [peers]".to_string()
                    }
                };
                self.emit(
                    report,
                    Diagnostic::new(
                        codes::SYNTAX_ERROR,
                        format!("unknown section `[{name}]`"),
                        Label::at(Location::new(id, name_span), "not a pgbouncer section"),
                    )
                    .with_help(format!(
                        "{help}; pgbouncer refuses to start (\"invalid section\")"
                    )),
                );
                Section::Unknown
            }
        });
    }

    /// A `[pgbouncer]` header: PgBouncer's `fill_defaults` sets every setting
    /// back to its default, so explicit values read so far are lost.
    fn reset_values(&mut self, report: bool, header: Location) {
        let header_at = self.sources.short(header);
        for (idx, slot) in self.values.iter_mut().enumerate() {
            let Some(old) = slot.take() else { continue };
            let Some(loc) = old.origin.location() else {
                continue;
            };
            let name = SETTINGS[idx].name;
            let text = self.sources.text_at(loc).to_string();
            let d = Diagnostic::new(
                codes::INVALID_VALUE,
                format!(
                    "{name} = {text} is reset to its default by the [pgbouncer] header at {header_at}"
                ),
                Label::at(loc, "value lost"),
            )
            .with_severity(Severity::Warning)
            .with_related(Label::at(header, "every [pgbouncer] header restores all defaults"))
            .with_help(
                "pgbouncer fills in the defaults of all settings at each [pgbouncer] header; \
                 keep one [pgbouncer] section, or set the value after the last header",
            );
            if report {
                self.diags.push(d);
            }
        }
    }

    /// One `[pgbouncer]` entry.
    fn apply(&mut self, report: bool, key: &str, key_at: Location, text: &str, at: Location) {
        let Some(idx) = SETTINGS.iter().position(|s| s.name == key) else {
            if let Some(s) = SETTINGS.iter().find(|s| s.name.eq_ignore_ascii_case(key)) {
                self.emit(
                    report,
                    Diagnostic::new(
                        codes::INVALID_VALUE,
                        format!("`{key}` is not a pgbouncer setting; names are case-sensitive"),
                        Label::at(key_at, format!("did you mean `{}`?", s.name)),
                    )
                    .with_help(format!(
                        "write `{}`; pgbouncer refuses to start (\"unknown parameter\")",
                        s.name
                    )),
                );
            }
            return;
        };
        let s = &SETTINGS[idx];
        let parsed = match s.kind {
            Kind::Time => parse_time(text).map(Value::Time).map_err(|e| match e {
                TimeError::Malformed => self.malformed(s, text),
                TimeError::Negative => format!("{} value `{text}` is negative", s.name),
                TimeError::NotFinite => format!("{} value `{text}` is not a finite number", s.name),
                TimeError::TooLarge => format!(
                    "{} value `{text}` seconds is too large for pgbouncer's microsecond clock",
                    s.name
                ),
            }),
            Kind::List => Ok(Value::List(parse_name_list(text))),
            Kind::IntSecs | Kind::IntMillis | Kind::Count | Kind::Flag => match parse_int(text) {
                Err(IntError::Malformed) => Err(self.malformed(s, text)),
                Err(IntError::OutOfRange) => Err(format!(
                    "{} value `{text}` does not fit in pgbouncer's 32-bit integer",
                    s.name
                )),
                Ok(n) => Ok(self.int_value(report, s, n, text, at)),
            },
        };
        match parsed {
            Ok(v) => self.values[idx] = Some(Sourced::new(v, Origin::File(at))),
            Err(message) => {
                let help = self.help(s, text);
                self.emit(
                    report,
                    Diagnostic::new(
                        codes::INVALID_VALUE,
                        message,
                        Label::at(at, format!("not {}", s.shape())),
                    )
                    .with_help(format!(
                        "{help}; pgbouncer refuses to start (\"invalid value\"), and this \
                         occurrence is ignored here"
                    )),
                );
            }
        }
    }

    /// A valid integer as the model's value; negatives warn and read as 0.
    fn int_value(&mut self, report: bool, s: &Setting, n: i64, text: &str, at: Location) -> Value {
        if s.kind == Kind::Flag {
            return Value::Flag(n != 0);
        }
        if n < 0 {
            let what = match s.kind {
                Kind::Count => "a negative count is not meaningful",
                _ => {
                    "pgbouncer passes it to setsockopt, which rejects a negative value, so \
                     socket setup fails"
                }
            };
            self.emit(
                report,
                Diagnostic::new(
                    codes::INVALID_VALUE,
                    format!("{} value `{text}` is negative; read as 0", s.name),
                    Label::at(at, "read as 0"),
                )
                .with_severity(Severity::Warning)
                .with_help(format!(
                    "{what}; write 0 for the default, or a positive value"
                )),
            );
        }
        let n = u64::try_from(n).unwrap_or(0);
        match s.kind {
            Kind::IntSecs => Value::Time(Duration::from_secs(n)),
            Kind::IntMillis => Value::Time(Duration::from_millis(n)),
            _ => Value::Count(n),
        }
    }

    fn malformed(&self, s: &Setting, text: &str) -> String {
        if text.is_empty() {
            return format!("{} has an empty value; it must be {}", s.name, s.shape());
        }
        if comment_tail(text).is_some() {
            return format!(
                "{} value `{text}` has text after the number: a trailing comment is part of the value",
                s.name
            );
        }
        format!("{} value `{text}` is not {}", s.name, s.shape())
    }

    /// The help line for a rejected value: a corrected line when one can be
    /// guessed.
    fn help(&self, s: &Setting, text: &str) -> String {
        if let Some(number) = comment_tail(text) {
            return format!(
                "`#` and `;` start a comment only at the beginning of a line; move the comment \
                 to its own line and write `{} = {number}`",
                s.name
            );
        }
        let unit = match s.kind {
            Kind::Time => Some(1_000.0),
            Kind::IntSecs => Some(1_000.0),
            Kind::IntMillis => Some(1.0),
            _ => None,
        };
        let converted = unit
            .zip(with_unit_ms(text))
            .map(|(per, ms)| ms / per)
            .filter(|n| n.is_finite() && *n < 1e12);
        if let Some(n) = converted {
            let plain = match Duration::try_from_secs_f64(n) {
                Ok(d) if s.kind == Kind::Time => fmt_secs(d).trim_end_matches(" s").to_string(),
                _ => format!("{}", n.round()),
            };
            let unit = if s.kind == Kind::IntMillis {
                "milliseconds"
            } else {
                "seconds"
            };
            return format!(
                "pgbouncer accepts no units here, only a number of {unit}: write `{} = {plain}`",
                s.name
            );
        }
        match s.kind {
            Kind::Time => format!(
                "pgbouncer reads times with strtod and rejects any text after the number; \
                 write seconds, e.g. `{} = {}`",
                s.name, s.default
            ),
            Kind::Flag => format!("write `{} = 1` (on) or `{} = 0` (off)", s.name, s.name),
            _ => format!(
                "pgbouncer reads this with strtol and rejects fractions and any text after the \
                 number; write e.g. `{} = {}`",
                s.name, s.default
            ),
        }
    }

    /// Checks the connection string of a `[databases]`, `[users]` or
    /// `[peers]` entry; returns the database (passwords left out) when it
    /// parses.
    fn connstring(
        &mut self,
        report: bool,
        name: &str,
        name_at: Location,
        text: &str,
        at: Location,
    ) -> Option<Database> {
        let (pairs, err) = ini::lex_connstring(text, at.span.start);
        if let Some(e) = err {
            self.emit(
                report,
                Diagnostic::new(
                    codes::INVALID_VALUE,
                    format!(
                        "connection string of `{name}` does not parse: {}",
                        e.message
                    ),
                    Label::at(Location::new(at.file, e.span), "syntax error here"),
                )
                .with_help(
                    "pgbouncer refuses to start (\"syntax error in connection string\"); write \
                     space-separated key=value pairs and quote values with spaces as 'a b'",
                ),
            );
            return None;
        }
        let params = pairs
            .into_iter()
            .filter(|p| !is_secret_key(&p.key))
            .map(|p| ConnParam {
                key: p.key,
                value: p.value,
                location: Location::new(at.file, p.value_span),
            })
            .collect();
        Some(Database {
            name: name.to_string(),
            location: name_at,
            params,
        })
    }

    fn include(&mut self, id: FileId, depth: usize, report: bool, path: &str, path_span: Span) {
        let d = Directive {
            name: "%include",
            written: path,
            at: Location::new(id, path_span),
            depth,
            report,
            optional: false,
        };
        if include::too_deep(self, &d) {
            return;
        }
        let target = include::beside(self.sources, id, path);
        include::follow(self, &d, &target);
    }
}

/// The number before a trailing `# ...` / `; ...` comment, when `text` is
/// a number, whitespace, then `#` or `;`.
fn comment_tail(text: &str) -> Option<&str> {
    let cut = text.find(['#', ';'])?;
    let head = text[..cut].trim_end();
    let number = !head.is_empty() && (parse_time(head).is_ok() || parse_int(head).is_ok());
    number.then_some(head)
}

/// Milliseconds of a number written with a unit, e.g. `10min`, `30 s`,
/// `500ms`, `1.5h`, `2d`; `None` for anything else.
fn with_unit_ms(text: &str) -> Option<f64> {
    let t = text.trim();
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let n: f64 = t[..split].parse().ok()?;
    let factor = match t[split..].trim().to_ascii_lowercase().as_str() {
        "ms" => 1.0,
        "s" | "sec" | "secs" | "second" | "seconds" => 1_000.0,
        "m" | "min" | "mins" | "minute" | "minutes" => 60_000.0,
        "h" | "hr" | "hour" | "hours" => 3_600_000.0,
        "d" | "day" | "days" => 86_400_000.0,
        _ => return None,
    };
    Some(n * factor)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tempfile::TempDir;

    struct Loaded {
        pgb: PgBouncer,
        sources: SourceMap,
        diags: Vec<Diagnostic>,
    }

    impl Loaded {
        fn diags(&self) -> Vec<(&'static str, String)> {
            crate::test_support::diag_texts(&self.diags, &self.sources)
        }

        /// `(file name, text)` of an origin's location.
        fn at(&self, origin: &Origin) -> (String, String) {
            crate::test_support::origin_text(&self.sources, origin)
        }

        fn all_text(&self) -> String {
            self.sources
                .files()
                .map(|(_, f)| f.masked_text().to_string())
                .collect()
        }
    }

    use crate::test_support::tree;

    fn load_in(dir: &TempDir, name: &str) -> Loaded {
        load_path(&dir.path().join(name), dir.path())
    }

    fn load_path(path: &Path, base: &Path) -> Loaded {
        let mut sources = SourceMap::new(Some(base.to_path_buf())).with_policy(
            crate::source::ReadPolicy::new(Some(base), crate::source::DEFAULT_MAX_FILE_SIZE),
        );
        let mut diags = Vec::new();
        let pgb = load_pgbouncer(path, &mut sources, &mut diags).expect("loads");
        Loaded {
            pgb,
            sources,
            diags,
        }
    }

    fn load_text(text: &str) -> Loaded {
        let dir = tree(&[("pgbouncer.ini", text)]);
        load_in(&dir, "pgbouncer.ini")
    }

    fn secs(d: Duration) -> f64 {
        d.as_secs_f64()
    }

    #[test]
    fn times_accept_plain_fractional_seconds() {
        let accept: &[(&str, u64)] = &[
            ("600", 600_000_000),
            ("0", 0),
            ("0.5", 500_000),
            ("1.25", 1_250_000),
            (".5", 500_000),
            ("5.", 5_000_000),
            ("1e3", 1_000_000_000),
            ("2.5E-1", 250_000),
            ("+7", 7_000_000),
            ("-0", 0),
            (" 30", 30_000_000),
            ("0.0000015", 1),
        ];
        for &(text, micros) in accept {
            assert_eq!(
                parse_time(text),
                Ok(Duration::from_micros(micros)),
                "{text:?}"
            );
        }
    }

    #[test]
    fn times_reject_units_comments_and_junk() {
        let reject: &[(&str, TimeError)] = &[
            ("10min", TimeError::Malformed),
            ("30s", TimeError::Malformed),
            ("600 # ten minutes", TimeError::Malformed),
            ("600 ; note", TimeError::Malformed),
            ("", TimeError::Malformed),
            (".", TimeError::Malformed),
            ("1e", TimeError::Malformed),
            ("1,5", TimeError::Malformed),
            ("0x10", TimeError::Malformed),
            ("ten", TimeError::Malformed),
            ("-1", TimeError::Negative),
            ("-0.5", TimeError::Negative),
            ("-inf", TimeError::Negative),
            ("inf", TimeError::NotFinite),
            ("NaN", TimeError::NotFinite),
            ("1e30", TimeError::TooLarge),
        ];
        for &(text, err) in reject {
            assert_eq!(parse_time(text), Err(err), "{text:?}");
        }
    }

    #[test]
    fn integers_follow_strtol_base_zero() {
        let accept: &[(&str, i64)] = &[
            ("30", 30),
            ("0", 0),
            ("0x1e", 30),
            ("0X1E", 30),
            ("010", 8),
            ("-1", -1),
            ("+7", 7),
            (" 9", 9),
            ("2147483647", 2_147_483_647),
        ];
        for &(text, n) in accept {
            assert_eq!(parse_int(text), Ok(n), "{text:?}");
        }
        let reject: &[(&str, IntError)] = &[
            ("08", IntError::Malformed),
            ("1.5", IntError::Malformed),
            ("30s", IntError::Malformed),
            ("", IntError::Malformed),
            ("0x", IntError::Malformed),
            ("on", IntError::Malformed),
            ("true", IntError::Malformed),
            ("1 # c", IntError::Malformed),
            ("-", IntError::Malformed),
            ("2147483648", IntError::OutOfRange),
            (
                "99999999999999999999999999999999999999999",
                IntError::OutOfRange,
            ),
        ];
        for &(text, err) in reject {
            assert_eq!(parse_int(text), Err(err), "{text:?}");
        }
    }

    #[test]
    fn name_lists() {
        let cases: &[(&str, &[&str])] = &[
            ("", &[]),
            ("extra_float_digits", &["extra_float_digits"]),
            (
                "extra_float_digits, search_path",
                &["extra_float_digits", "search_path"],
            ),
            ("a,,b c\tD", &["a", "b", "c", "D"]),
        ];
        for &(text, names) in cases {
            assert_eq!(parse_name_list(text), names, "{text:?}");
        }
    }

    #[test]
    fn defaults_are_anchored_at_the_header() {
        let l = load_text("[databases]\nx = host=a\n\n[pgbouncer]\nlisten_port = 6432\n");
        assert!(l.diags.is_empty(), "{:?}", l.diags);
        let p = &l.pgb;
        let want: &[(&Sourced<Duration>, f64, &str)] = &[
            (&p.server_idle_timeout, 600.0, "#server_idle_timeout"),
            (&p.server_lifetime, 3600.0, "#server_lifetime"),
            (&p.client_idle_timeout, 0.0, "#client_idle_timeout"),
            (&p.query_timeout, 0.0, "#query_timeout"),
            (&p.query_wait_timeout, 120.0, "#query_wait_timeout"),
            (
                &p.idle_transaction_timeout,
                0.0,
                "#idle_transaction_timeout",
            ),
            (&p.tcp_keepidle, 0.0, "#tcp_keepidle"),
            (&p.tcp_keepintvl, 0.0, "#tcp_keepintvl"),
            (&p.tcp_user_timeout, 0.0, "#tcp_user_timeout"),
        ];
        for (v, s, anchor) in want {
            assert_eq!(secs(v.value), *s, "{anchor}");
            match &v.origin {
                Origin::Default { system, source, .. } => {
                    assert_eq!(*system, "PgBouncer");
                    assert!(source.starts_with("https://www.pgbouncer.org/config.html"));
                    assert!(source.ends_with(anchor), "{source}");
                }
                other => panic!("{other:?}"),
            }
            assert_eq!(l.at(&v.origin).1, "[pgbouncer]");
        }
        assert!(p.tcp_keepalive.value);
        assert_eq!(p.tcp_keepcnt.value, 0);
        assert_eq!(p.default_pool_size.value, 20);
        assert_eq!(p.reserve_pool_size.value, 0);
        assert_eq!(p.max_client_conn.value, 100);
        assert_eq!(p.max_db_connections.value, 0);
        assert!(p.ignore_startup_parameters.value.is_empty());
        assert!(!p.max_client_conn.origin.is_explicit());
        let anchor = p.anchor.expect("anchor");
        assert_eq!(l.sources.text_at(anchor), "[pgbouncer]");
    }

    #[test]
    fn without_a_pgbouncer_section_defaults_point_at_the_file_start() {
        let l = load_text("[databases]\nx = host=a\n");
        assert_eq!(l.diags(), [("TL001", String::new())]);
        let loc = l.pgb.server_idle_timeout.origin.location().expect("anchor");
        assert_eq!(loc.span, Span::new(0, 0));
        assert_eq!(l.pgb.anchor, Some(loc));
    }

    #[test]
    fn explicit_values_with_their_units() {
        let l = load_text(
            "[pgbouncer]\n\
             server_idle_timeout = 0.5\n\
             server_lifetime=1800\n\
             client_idle_timeout = 7200\n\
             query_timeout = 30\n\
             query_wait_timeout = 15.25\n\
             idle_transaction_timeout = 60\n\
             tcp_keepalive = 0\n\
             tcp_keepidle = 30\n\
             tcp_keepintvl = 0x0a\n\
             tcp_keepcnt = 3\n\
             tcp_user_timeout = 1500\n\
             default_pool_size = 25\n\
             reserve_pool_size = 5\n\
             max_client_conn = 1000\n\
             max_db_connections = 100\n\
             ignore_startup_parameters = extra_float_digits, Options\n",
        );
        assert!(l.diags.is_empty(), "{:?}", l.diags());
        let p = &l.pgb;
        assert_eq!(p.server_idle_timeout.value, Duration::from_millis(500));
        assert_eq!(l.at(&p.server_idle_timeout.origin).1, "0.5");
        assert!(p.server_idle_timeout.origin.is_explicit());
        assert_eq!(secs(p.server_lifetime.value), 1800.0);
        assert_eq!(secs(p.client_idle_timeout.value), 7200.0);
        assert_eq!(secs(p.query_timeout.value), 30.0);
        assert_eq!(secs(p.query_wait_timeout.value), 15.25);
        assert_eq!(secs(p.idle_transaction_timeout.value), 60.0);
        assert!(!p.tcp_keepalive.value);
        assert_eq!(l.at(&p.tcp_keepalive.origin).1, "0");
        assert_eq!(secs(p.tcp_keepidle.value), 30.0);
        assert_eq!(secs(p.tcp_keepintvl.value), 10.0);
        assert_eq!(p.tcp_keepcnt.value, 3);
        // Milliseconds in the file.
        assert_eq!(p.tcp_user_timeout.value, Duration::from_millis(1500));
        assert_eq!(p.default_pool_size.value, 25);
        assert_eq!(p.reserve_pool_size.value, 5);
        assert_eq!(p.max_client_conn.value, 1000);
        assert_eq!(p.max_db_connections.value, 100);
        // Case kept: pgbouncer compares startup parameter names exactly.
        assert_eq!(
            p.ignore_startup_parameters.value,
            ["extra_float_digits", "Options"]
        );
        assert_eq!(
            l.at(&p.ignore_startup_parameters.origin).1,
            "extra_float_digits, Options"
        );
    }

    #[test]
    fn flags_are_integers() {
        for (text, on) in [("1", true), ("0", false), ("2", true), ("-1", true)] {
            let l = load_text(&format!("[pgbouncer]\ntcp_keepalive = {text}\n"));
            assert!(l.diags.is_empty(), "{text}: {:?}", l.diags());
            assert_eq!(l.pgb.tcp_keepalive.value, on, "{text}");
        }
        for text in ["on", "yes", "true", "off"] {
            let l = load_text(&format!("[pgbouncer]\ntcp_keepalive = {text}\n"));
            assert_eq!(l.diags(), [("TL002", text.to_string())], "{text}");
            // The rejected occurrence is ignored: the default stays.
            assert!(l.pgb.tcp_keepalive.value);
            assert!(!l.pgb.tcp_keepalive.origin.is_explicit());
        }
    }

    #[test]
    fn trailing_comments_are_part_of_the_value() {
        let l = load_text(
            "[pgbouncer]\n\
             # server_idle_timeout = 1\n\
             ; server_lifetime = 1\n\
             server_idle_timeout = 60\n\
             server_idle_timeout = 600   # 10 minutes\n\
             max_client_conn = 1000 ; mobile\n\
             query_wait_timeout = 30.0\n",
        );
        assert_eq!(
            l.diags(),
            [
                ("TL002", "600   # 10 minutes".to_string()),
                ("TL002", "1000 ; mobile".to_string())
            ]
        );
        let d = &l.diags[0];
        assert_eq!(d.severity, Severity::Error);
        assert!(d.message.contains("600   # 10 minutes"), "{}", d.message);
        let help = d.help.as_deref().unwrap_or_default();
        assert!(help.contains("`server_idle_timeout = 600`"), "{help}");
        // The bad occurrence is ignored; the earlier valid one stands.
        assert_eq!(secs(l.pgb.server_idle_timeout.value), 60.0);
        assert_eq!(l.pgb.max_client_conn.value, 100);
        assert_eq!(secs(l.pgb.server_lifetime.value), 3600.0);
        assert_eq!(secs(l.pgb.query_wait_timeout.value), 30.0);
    }

    #[test]
    fn units_are_rejected_with_a_suggestion() {
        let cases = [
            (
                "server_idle_timeout",
                "10min",
                "`server_idle_timeout = 600`",
            ),
            ("client_idle_timeout", "30s", "`client_idle_timeout = 30`"),
            ("query_timeout", "500ms", "`query_timeout = 0.5`"),
            ("server_lifetime", "1h", "`server_lifetime = 3600`"),
            ("tcp_keepidle", "5 min", "`tcp_keepidle = 300`"),
            ("tcp_user_timeout", "30s", "`tcp_user_timeout = 30000`"),
            ("tcp_keepidle", "0.5", "strtol"),
            ("default_pool_size", "20.0", "strtol"),
            ("query_timeout", "", "seconds"),
        ];
        for (key, value, hint) in cases {
            let l = load_text(&format!("[pgbouncer]\n{key} = {value}\n"));
            assert_eq!(l.diags(), [("TL002", value.to_string())], "{key} = {value}");
            let d = &l.diags[0];
            let help = d.help.as_deref().unwrap_or_default();
            assert!(help.contains(hint), "{key} = {value}: {help}");
            assert!(d.message.starts_with(key), "{}", d.message);
            assert!(!d.message.ends_with('.'));
        }
    }

    #[test]
    fn negative_numbers_warn_and_read_as_zero() {
        let l = load_text("[pgbouncer]\ntcp_keepidle = -5\nmax_db_connections = -1\n");
        assert_eq!(
            l.diags(),
            [("TL002", "-5".to_string()), ("TL002", "-1".to_string())]
        );
        assert!(l.diags.iter().all(|d| d.severity == Severity::Warning));
        assert_eq!(l.pgb.tcp_keepidle.value, Duration::ZERO);
        assert!(l.pgb.tcp_keepidle.origin.is_explicit());
        assert_eq!(l.pgb.max_db_connections.value, 0);
        let l = load_text("[pgbouncer]\nserver_lifetime = -5\n");
        assert_eq!(l.diags(), [("TL002", "-5".to_string())]);
        assert_eq!(l.diags[0].severity, Severity::Error);
        assert_eq!(secs(l.pgb.server_lifetime.value), 3600.0);
    }

    #[test]
    fn only_pgbouncer_section_keys_are_settings() {
        let l = load_text(
            "[databases]\n\
             server_idle_timeout = host=a\n\
             [users]\n\
             max_client_conn = pool_mode=session\n\
             [pgbouncer]\n\
             server_lifetime = 10\n\
             some_future_setting = 1\n\
             [peers]\n\
             1 = host=/tmp/pgb1\n",
        );
        assert!(l.diags.is_empty(), "{:?}", l.diags());
        assert_eq!(secs(l.pgb.server_idle_timeout.value), 600.0);
        assert_eq!(l.pgb.max_client_conn.value, 100);
        assert_eq!(secs(l.pgb.server_lifetime.value), 10.0);
        let names: Vec<_> = l.pgb.databases.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, ["server_idle_timeout"]);
    }

    #[test]
    fn section_and_key_names_are_case_sensitive() {
        let l =
            load_text("[PgBouncer]\nserver_idle_timeout = 5\n[pgbouncer]\nServer_Lifetime = 5\n");
        assert_eq!(
            l.diags(),
            [
                ("TL001", "PgBouncer".to_string()),
                ("TL002", "Server_Lifetime".to_string())
            ]
        );
        assert!(
            l.diags[0]
                .help
                .as_deref()
                .unwrap_or_default()
                .contains("[pgbouncer]")
        );
        assert_eq!(secs(l.pgb.server_idle_timeout.value), 600.0);
        assert_eq!(secs(l.pgb.server_lifetime.value), 3600.0);
        let l = load_text("[ pgbouncer ]\nx = 1\n[foo]\n");
        assert_eq!(
            l.diags(),
            [
                ("TL001", " pgbouncer ".to_string()),
                ("TL001", "foo".to_string()),
                ("TL001", String::new()),
            ]
        );
    }

    #[test]
    fn syntax_errors() {
        let l = load_text(
            "--/etc/pgbouncer/pgbouncer.ini\nserver_lifetime = 1\n[pgbouncer]\nlisten_port 6432\n\
             [databases\nserver_idle_timeout = 9\n",
        );
        assert_eq!(
            l.diags(),
            [
                ("TL001", "--/etc/pgbouncer/pgbouncer.ini".to_string()),
                ("TL001", "server_lifetime".to_string()),
                ("TL001", "listen_port 6432".to_string()),
                ("TL001", "[databases".to_string()),
            ]
        );
        // Still read as far as possible.
        assert_eq!(secs(l.pgb.server_idle_timeout.value), 9.0);
        assert_eq!(secs(l.pgb.server_lifetime.value), 3600.0);
    }

    #[test]
    fn last_occurrence_wins_and_headers_reset() {
        let l = load_text(
            "[pgbouncer]\nserver_idle_timeout = 10\nserver_idle_timeout = 20\n\
             [databases]\n[pgbouncer]\nserver_idle_timeout = 30\n",
        );
        // 20 was in force when the second header reset it.
        assert_eq!(l.diags(), [("TL002", "20".to_string())]);
        assert_eq!(secs(l.pgb.server_idle_timeout.value), 30.0);
        assert_eq!(
            l.sources
                .short(l.pgb.server_idle_timeout.origin.location().expect("loc")),
            "pgbouncer.ini:6"
        );
        // A second [pgbouncer] header restores the defaults (fill_defaults).
        let l = load_text(
            "[pgbouncer]\nserver_lifetime = 100\nmax_client_conn = 5\n\
             [databases]\nx = host=a\n[pgbouncer]\nlisten_port = 1\n",
        );
        assert_eq!(
            l.diags(),
            [("TL002", "100".to_string()), ("TL002", "5".to_string())]
        );
        assert!(l.diags.iter().all(|d| d.severity == Severity::Warning));
        assert_eq!(secs(l.pgb.server_lifetime.value), 3600.0);
        assert_eq!(l.pgb.max_client_conn.value, 100);
        let anchor = l.pgb.anchor.expect("anchor");
        assert_eq!(l.sources.short(anchor), "pgbouncer.ini:6");
        assert_eq!(l.pgb.server_lifetime.origin.location(), Some(anchor));
    }

    #[test]
    fn include_relative_to_the_including_file() {
        let dir = tree(&[
            (
                "etc/pgbouncer.ini",
                "[pgbouncer]\nserver_lifetime = 100\n%include conf.d/a.ini\nquery_timeout = host=5\n",
            ),
            (
                "etc/conf.d/a.ini",
                "server_lifetime = 200\n%include b.ini\nmax_client_conn = host=7\n",
            ),
            ("etc/conf.d/b.ini", "[databases]\nfoo = host=x\n"),
        ]);
        let l = load_in(&dir, "etc/pgbouncer.ini");
        assert!(l.diags.is_empty(), "{:?}", l.diags());
        assert_eq!(secs(l.pgb.server_lifetime.value), 200.0);
        assert_eq!(l.at(&l.pgb.server_lifetime.origin).0, "a.ini");
        // b.ini switched the section to [databases]; it stays in force after
        // the include, in a.ini and in the main file.
        assert_eq!(l.pgb.max_client_conn.value, 100);
        assert_eq!(secs(l.pgb.query_timeout.value), 0.0);
        let names: Vec<_> = l.pgb.databases.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, ["foo", "max_client_conn", "query_timeout"]);
        assert_eq!(l.pgb.files.len(), 3);
    }

    #[test]
    fn include_from_fixture_folder() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pgbouncer/include");
        let l = load_path(&root.join("pgbouncer.ini"), &root);
        assert!(l.diags.is_empty(), "{:?}", l.diags());
        let p = &l.pgb;
        assert_eq!(secs(p.server_idle_timeout.value), 300.0);
        assert_eq!(
            l.sources
                .short(p.server_idle_timeout.origin.location().expect("loc")),
            "conf.d/timeouts.ini:2"
        );
        assert_eq!(secs(p.server_lifetime.value), 1800.0);
        assert_eq!(l.at(&p.server_lifetime.origin).0, "pgbouncer.ini");
        assert_eq!(secs(p.tcp_keepidle.value), 60.0);
        assert_eq!(p.tcp_user_timeout.value, Duration::from_secs(30));
        assert_eq!(
            p.ignore_startup_parameters.value,
            ["extra_float_digits", "options"]
        );
        assert_eq!(p.databases.len(), 1);
        let db = &p.databases[0];
        assert_eq!(db.param("pool_size").map(|c| c.value.as_str()), Some("40"));
        assert_eq!(db.param("password"), None);
        assert!(!l.all_text().contains("fixture-secret"));
    }

    #[test]
    fn missing_include_cycle_and_depth() {
        let l = load_text("[pgbouncer]\n%include missing.ini\nserver_lifetime = 9\n");
        assert_eq!(l.diags(), [("TL003", "missing.ini".to_string())]);
        assert_eq!(l.diags[0].severity, Severity::Error);
        assert!(l.diags[0].message.contains("missing.ini"));
        assert_eq!(secs(l.pgb.server_lifetime.value), 9.0);

        let dir = tree(&[
            ("a.ini", "[pgbouncer]\n%include b.ini\n"),
            ("b.ini", "server_lifetime = 5\n%include a.ini\n"),
        ]);
        let l = load_in(&dir, "a.ini");
        assert_eq!(l.diags(), [("TL003", "a.ini".to_string())]);
        assert_eq!(secs(l.pgb.server_lifetime.value), 5.0);

        let mut files: Vec<(String, String)> = (0..12)
            .map(|i| {
                (
                    format!("f{i}.ini"),
                    format!("server_lifetime = {}\n%include f{}.ini\n", i + 1, i + 1),
                )
            })
            .collect();
        files[0].1 = format!("[pgbouncer]\n{}", files[0].1);
        files.push(("f12.ini".into(), "server_lifetime = 999\n".into()));
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let dir = tree(&refs);
        let l = load_in(&dir, "f0.ini");
        // f0 is depth 0, f10 is depth 10: its directive is refused.
        assert_eq!(l.pgb.files.len(), 11);
        assert_eq!(secs(l.pgb.server_lifetime.value), 11.0);
        assert_eq!(l.diags(), [("TL003", "f11.ini".to_string())]);
    }

    #[test]
    fn passwords_are_redacted() {
        let l = load_text(
            "[databases]\n\
             a = host=db user=app password=hunter2 pool_size=5\n\
             b = password='two words''s' host=db\n\
             c = host=db password='unterminated secret\n\
             [users]\n\
             u = password=userpw\n\
             [pgbouncer]\n\
             auth_password = topsecret\n\
             Server_Password = alsosecret\n\
             auth_user = pgbouncer\n",
        );
        let all = l.all_text();
        for secret in [
            "hunter2",
            "two words",
            "unterminated",
            "userpw",
            "topsecret",
            "alsosecret",
        ] {
            assert!(!all.contains(secret), "{secret} leaked: {all}");
        }
        assert!(all.contains("pool_size=5"));
        assert!(all.contains("auth_user = pgbouncer"));
        // c's broken quote is a connection-string error.
        assert_eq!(l.diags.len(), 1, "{:?}", l.diags());
        assert_eq!(l.diags[0].code.id, "TL002");
        for d in &l.diags {
            assert!(!d.message.contains("unterminated"));
        }
        let names: Vec<_> = l.pgb.databases.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
        let a = &l.pgb.databases[0];
        let keys: Vec<_> = a.params.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys, ["host", "user", "pool_size"]);
        assert_eq!(l.sources.text_at(a.params[2].location), "5");
        assert_eq!(l.sources.text_at(a.location), "a");
    }

    #[test]
    fn database_redefinition_replaces_in_place() {
        let l = load_text("[databases]\na = host=1\nb = host=2\na = host=3\n[pgbouncer]\n");
        let got: Vec<_> = l
            .pgb
            .databases
            .iter()
            .map(|d| (d.name.as_str(), d.param("host").map(|p| p.value.as_str())))
            .collect();
        assert_eq!(got, [("a", Some("3")), ("b", Some("2"))]);
    }

    #[test]
    fn unreadable_named_file_is_a_load_error() {
        let dir = TempDir::new().expect("dir");
        let mut sources = SourceMap::new(None);
        let mut diags = Vec::new();
        let r = load_pgbouncer(&dir.path().join("missing.ini"), &mut sources, &mut diags);
        assert!(matches!(r, Err(LoadError::Unreadable { .. })), "{r:?}");
        assert!(diags.is_empty());
    }

    #[test]
    fn crlf_and_non_utf8_files() {
        let l = load_text("[pgbouncer]\r\nserver_idle_timeout = 120\r\n");
        assert!(l.diags.is_empty(), "{:?}", l.diags());
        assert_eq!(secs(l.pgb.server_idle_timeout.value), 120.0);
        assert_eq!(l.at(&l.pgb.server_idle_timeout.origin).1, "120");
        let dir = TempDir::new().expect("dir");
        std::fs::write(
            dir.path().join("p.ini"),
            b"[pgbouncer]\n; \xff\xfe\nserver_lifetime=3\n",
        )
        .expect("write");
        assert_eq!(secs(load_in(&dir, "p.ini").pgb.server_lifetime.value), 3.0);
    }

    #[test]
    fn never_panics_on_odd_input() {
        let inputs = [
            "",
            "\n",
            "[",
            "]",
            "[]",
            "=",
            "==",
            "%",
            "%include",
            "%include ",
            "%include \u{0}",
            "'",
            "\"",
            "''=",
            "[pgbouncer]\nserver_idle_timeout=",
            "[pgbouncer]\nserver_idle_timeout=1e999999",
            "[pgbouncer]\nserver_idle_timeout=-",
            "[pgbouncer]\nserver_idle_timeout=99999999999999999999999",
            "[pgbouncer]\nserver_idle_timeout=é",
            "[pgbouncer]\nserver_idle_timeout=1\u{0}junk",
            "[pgbouncer]\ntcp_keepidle=-99999999999999999999",
            "[pgbouncer]\ntcp_user_timeout=99999999999999 min",
            "[pgbouncer]\nquery_timeout=999999999999999999999999 d",
            "[pgbouncer]\nquery_timeout=. s",
            "[databases]\nx = '",
            "[databases]\nx = a='b''",
            "[databases]\nx = password=",
            "\u{feff}[pgbouncer]",
            "\0\0\0",
        ];
        for text in inputs {
            let _ = load_text(text);
        }
    }

    /// Resolves image-environment assignments over the pgbouncer.ini `ini`
    /// (none when empty).
    fn resolved(ini: &str, env: &str) -> Loaded {
        let dir = tree(&[(
            "pgbouncer.ini",
            if ini.is_empty() { "[pgbouncer]\n" } else { ini },
        )]);
        let mut l = load_in(&dir, "pgbouncer.ini");
        let base = (!ini.is_empty()).then(|| l.pgb.clone());
        let a = crate::test_support::assignments(
            &mut l.sources,
            "compose.yaml",
            env,
            SetBy::ImageEnvironment,
        );
        let anchor = a
            .first()
            .map_or(Location::new(FileId(0), Span::new(0, 0)), |a| a.name_at);
        let mut diags = Vec::new();
        l.pgb = resolve(&a, base.as_ref(), anchor, &mut l.sources, &mut diags);
        l.diags = diags;
        l
    }

    #[test]
    fn resolve_applies_the_ini_rules() {
        // (assignments, server_idle_timeout s, diagnostics)
        let table: &[(&str, f64, &[&str])] = &[
            ("server_idle_timeout=60", 60.0, &[]),
            ("server_idle_timeout=0.5", 0.5, &[]),
            ("server_idle_timeout=60s", 600.0, &["TL002"]),
            ("SERVER_IDLE_TIMEOUT=60", 600.0, &["TL002"]),
            ("server_idle_timeout=?unset", 600.0, &["TL015"]),
            ("pool_mode=transaction", 600.0, &[]),
        ];
        for (env, want, codes) in table {
            let l = resolved("", env);
            assert_eq!(secs(l.pgb.server_idle_timeout.value), *want, "{env}");
            let got: Vec<&str> = l.diags().iter().map(|d| d.0).collect();
            assert_eq!(&got, codes, "{env}");
        }
        let l = resolved("", "default_pool_size=40 server_lifetime=1800");
        assert_eq!(l.pgb.default_pool_size.value, 40);
        assert_eq!(
            l.at(&l.pgb.server_lifetime.origin),
            ("compose.yaml".into(), "1800".into())
        );
        // Defaults are anchored where the adapter says (the first variable here).
        assert_eq!(
            l.at(&l.pgb.query_timeout.origin),
            ("compose.yaml".into(), "default_pool_size".into())
        );
    }

    #[test]
    fn environment_beats_the_ini_and_says_so() {
        let l = resolved(
            "[pgbouncer]\nserver_idle_timeout = 30\ndefault_pool_size = 10\n",
            "server_idle_timeout=120",
        );
        assert_eq!(secs(l.pgb.server_idle_timeout.value), 120.0);
        assert_eq!(l.diags(), vec![("TL016", "30".to_string())]);
        assert_eq!(l.pgb.default_pool_size.value, 10);
    }
}
