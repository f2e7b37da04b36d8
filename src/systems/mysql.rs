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
//! - An option before any group is fatal at server start ([`codes::SYNTAX_ERROR`]).
//! - `!include FILE` / `!includedir DIR`: relative paths are resolved from
//!   the including file's folder; `!includedir` reads the files whose name ends
//!   in `.cnf` (case-sensitive), in byte order of their names; nesting stops
//!   at depth 10 as in the server; a file already being read is not entered
//!   again (cycle guard). Unreadable targets are [`codes::INCLUDE_UNREADABLE`].
//! - Names: `-` and `_` are the same; a `loose-` prefix is dropped; options
//!   with a `maximum-` prefix cap session values and never set the global one.
//! - The last occurrence wins, in read order across groups, files and includes.
//! - Numbers: a decimal integer with an optional `K/M/G/T/P/E` suffix (×1024ⁿ,
//!   case-insensitive), so `wait_timeout=1k` is 1024 s and `2h` is invalid
//!   ([`codes::INVALID_VALUE`]); out-of-range values are clamped as the
//!   server does.
//! - The values of options named `password` (or ending in `_password`) are
//!   marked as secret spans in the [`SourceMap`] right after each file is
//!   lexed (outputs mask them, see [`crate::secrets`]).
//!
//! A `mysqld --verbose --help` dump is detected and its variables table read
//! instead (see [`crate::parse::mycnf::lex_help_variables`]). So is the
//! output of `SHOW [GLOBAL | SESSION] VARIABLES` in any of the mysql client's
//! three forms (boxed table, `-B` tab-separated, `\G` vertical; see
//! [`crate::parse::mysqldump`]): its values are plain integers (no suffixes),
//! range-checked like option-file values; rows that break the form are
//! [`codes::SYNTAX_ERROR`]. [`MysqlServer::source_kind`] says which kind of
//! input the named file was.

use std::path::Path;
use std::time::Duration;

use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::parse::mycnf::{self, IncludeKind, Item};
use crate::parse::mysqldump;
use crate::provenance::{Origin, Sourced};
use crate::rules::codes;
use crate::source::{FileId, LoadError, Location, SourceMap, Span};
use crate::sources::{Assignment, SetBy, Written};
use crate::systems::include::{self, Directive, Follower, Host, Parts, Words};
use crate::units::fmt_secs;

/// The server settings timeoutlint models, each with its origin.
///
/// Times are [`Duration`]s (MySQL stores whole seconds). A value set in a file
/// has [`Origin::File`] at its value text; an absent one has
/// [`Origin::Default`] with the dev.mysql.com page as source and, as anchor,
/// the header of the last server-read group of the named file (or its start).
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
    /// Every file read, the named one first, then includes in read order
    /// (each file once, at its first read).
    pub files: Vec<FileId>,
    /// What kind of input the named file was.
    pub source_kind: MysqlSourceKind,
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

/// The upper bound of the timeouts (`LONG_TIMEOUT` in `sys_vars.cc`), seconds.
const LONG_TIMEOUT: u64 = 31_536_000;

/// Deepest include nesting the server follows (`max_recursion_level` in
/// `my_default.cc`): directives in files at this depth are skipped.
pub const MAX_INCLUDE_DEPTH: usize = 10;

/// Most file reads one load performs (guards against include fan-out).
const MAX_FILE_READS: usize = 1_000;

/// One modelled variable: canonical name, unit, range, default and source.
struct Var {
    name: &'static str,
    seconds: bool,
    min: u64,
    max: u64,
    default: u64,
    source: &'static str,
}

const VARS: [Var; 6] = [
    Var {
        name: "wait_timeout",
        seconds: true,
        min: 1,
        max: LONG_TIMEOUT,
        default: 28_800,
        source: "https://dev.mysql.com/doc/refman/8.0/en/server-system-variables.html#sysvar_wait_timeout",
    },
    Var {
        name: "interactive_timeout",
        seconds: true,
        min: 1,
        max: LONG_TIMEOUT,
        default: 28_800,
        source: "https://dev.mysql.com/doc/refman/8.0/en/server-system-variables.html#sysvar_interactive_timeout",
    },
    Var {
        name: "net_read_timeout",
        seconds: true,
        min: 1,
        max: LONG_TIMEOUT,
        default: 30,
        source: "https://dev.mysql.com/doc/refman/8.0/en/server-system-variables.html#sysvar_net_read_timeout",
    },
    Var {
        name: "net_write_timeout",
        seconds: true,
        min: 1,
        max: LONG_TIMEOUT,
        default: 60,
        source: "https://dev.mysql.com/doc/refman/8.0/en/server-system-variables.html#sysvar_net_write_timeout",
    },
    Var {
        name: "connect_timeout",
        seconds: true,
        min: 2,
        max: LONG_TIMEOUT,
        default: 10,
        source: "https://dev.mysql.com/doc/refman/8.0/en/server-system-variables.html#sysvar_connect_timeout",
    },
    Var {
        name: "max_connections",
        seconds: false,
        min: 1,
        max: 100_000,
        default: 151,
        source: "https://dev.mysql.com/doc/refman/8.0/en/server-system-variables.html#sysvar_max_connections",
    },
];

impl Var {
    fn fmt(&self, n: u64) -> String {
        if self.seconds {
            fmt_secs(Duration::from_secs(n))
        } else {
            format!("{n} connections")
        }
    }
}

/// True when the server (mysqld or MariaDB's mariadbd) reads group `name`.
///
/// `[mysqld]`, `[server]`, `[mysqld-X.Y]`, `[mariadb]`, `[mariadb-X.Y]`,
/// `[mariadbd]`, `[mariadbd-X.Y]`, `[client-server]`, `[galera]`; ASCII
/// case-insensitive like the server's `find_type` (DOMAIN.md 1.2).
pub fn server_reads_group(name: &str) -> bool {
    let n = name.trim().to_ascii_lowercase();
    if matches!(
        n.as_str(),
        "mysqld" | "server" | "mariadb" | "mariadbd" | "client-server" | "galera"
    ) {
        return true;
    }
    ["mysqld-", "mariadb-", "mariadbd-"]
        .iter()
        .filter_map(|p| n.strip_prefix(p))
        .any(is_major_minor)
}

/// `X.Y` with both parts decimal digits, e.g. `8.0`, `10.11`.
fn is_major_minor(v: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    v.split_once('.')
        .is_some_and(|(a, b)| digits(a) && digits(b))
}

/// The name the server matches: `-` → `_`, `loose_` prefix dropped. `None`
/// for `maximum_` options, which cap session values and never set the global.
pub fn normalize_option_name(name: &str) -> Option<String> {
    let n = name.replace('-', "_");
    let n = n.strip_prefix("loose_").unwrap_or(&n);
    if n.starts_with("maximum_") {
        return None;
    }
    Some(n.to_string())
}

/// True for options whose value is a secret to redact: `password` and any
/// name ending in `_password` (`report_password`, `master_password`, ...).
fn is_secret(name: &str) -> bool {
    normalize_option_name(name).is_some_and(|n| n == "password" || n.ends_with("_password"))
}

/// Why a number was rejected.
#[derive(Debug, PartialEq, Eq)]
pub enum NumberError {
    /// Not `[-+]digits[KMGTPE]`.
    Malformed,
    /// Does not fit in 64 bits (the server also refuses it).
    TooLarge,
}

/// Parses a server number: optional sign, decimal digits, optional one-letter
/// suffix `k m g t p e` (case-insensitive, ×1024ⁿ) — `my_getopt.cc
/// eval_num_suffix`. Surrounding whitespace is allowed (strtoull skips
/// leading blanks). Negative values come back as negative (the server then
/// clamps them to the minimum).
pub fn parse_number(text: &str) -> Result<i128, NumberError> {
    let t = text.trim_matches(|c: char| c.is_ascii_whitespace());
    let (neg, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return Err(NumberError::Malformed);
    }
    let shift = match &t.as_bytes()[digits..] {
        [] => 0,
        [s] => match s.to_ascii_lowercase() {
            b'k' => 10,
            b'm' => 20,
            b'g' => 30,
            b't' => 40,
            b'p' => 50,
            b'e' => 60,
            _ => return Err(NumberError::Malformed),
        },
        _ => return Err(NumberError::Malformed),
    };
    let n: u64 = t[..digits].parse().map_err(|_| NumberError::TooLarge)?;
    let v = n.checked_mul(1u64 << shift).ok_or(NumberError::TooLarge)?;
    Ok(if neg { -i128::from(v) } else { i128::from(v) })
}

/// Parses a number as `SHOW VARIABLES` prints it: an optional `-`, then
/// decimal digits only (no suffix, no inner blanks).
pub fn parse_plain_number(text: &str) -> Result<i128, NumberError> {
    let t = text.trim_matches(|c: char| c.is_ascii_whitespace());
    let digits = t.strip_prefix('-').unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(NumberError::Malformed);
    }
    parse_number(t)
}

/// How mysqld reads a number whose suffix letter is followed by more text:
/// `eval_num_suffix` (`mysys/my_getopt.cc`) looks only at the first character
/// after the digits, so `10min` is 10 × 1024² and `1kb` is 1024. Returns the
/// value, the suffix letter and the ignored tail, or `None` when the text is
/// not of that shape.
pub fn server_suffix_reading(text: &str) -> Option<(i128, char, &str)> {
    let t = text.trim_matches(|c: char| c.is_ascii_whitespace());
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    let suffix = t[digits..].chars().next()?;
    let tail = &t[digits + suffix.len_utf8()..];
    if digits == 0 || tail.is_empty() || !"kmgtpeKMGTPE".contains(suffix) {
        return None;
    }
    parse_number(&t[..digits + 1])
        .ok()
        .map(|n| (n, suffix, tail))
}

/// Reads the option file at `path`, following `!include` / `!includedir`.
///
/// Errors: [`LoadError`] only when `path` itself cannot be read. Problems
/// inside files become diagnostics: [`codes::SYNTAX_ERROR`] (option before any
/// group, bad group header, directive without path), [`codes::INVALID_VALUE`]
/// (bad or out-of-range numbers; the occurrence is ignored or clamped),
/// [`codes::INCLUDE_UNREADABLE`] (missing include target, located at the
/// directive's path; the rest is still read; also, as warnings, include
/// cycles and nesting deeper than 10).
pub fn load_option_file(
    path: &Path,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Result<MysqlServer, LoadError> {
    let root = sources.load(path)?;
    let mark = diags.len();
    let mut loader = Loader {
        sources,
        diags,
        root,
        values: Default::default(),
        anchor: None,
        follow: Follower::new(&INCLUDES),
    };
    let source_kind = loader.read(root, 0);
    (loader.follow).check_named(loader.diags, mark, root, loader.sources)?;
    let anchor = Some(Location::new(
        root,
        loader.anchor.unwrap_or(Span::new(0, 0)),
    ));
    let files = loader.follow.take_files();
    Ok(finish(loader.values, anchor, files, source_kind))
}

/// The server's settings from the values set (by index of [`VARS`]), the
/// others at their documented defaults anchored at `anchor`.
fn finish(
    values: [Option<Sourced<u64>>; 6],
    anchor: Option<Location>,
    files: Vec<FileId>,
    source_kind: MysqlSourceKind,
) -> MysqlServer {
    let [wait, interactive, read, write, connect, max_connections] = values;
    let resolve = |idx: usize, set: Option<Sourced<u64>>| {
        set.unwrap_or_else(|| {
            Sourced::new(
                VARS[idx].default,
                Origin::default_of("MySQL", VARS[idx].source).anchored(anchor),
            )
        })
    };
    let secs = |idx, set| resolve(idx, set).map(Duration::from_secs);
    MysqlServer {
        wait_timeout: secs(0, wait),
        interactive_timeout: secs(1, interactive),
        net_read_timeout: secs(2, read),
        net_write_timeout: secs(3, write),
        connect_timeout: secs(4, connect),
        max_connections: resolve(5, max_connections),
        files,
        source_kind,
    }
}

/// The MySQL door for settings found outside option files: compose and
/// container command-line flags, RDS / Cloud SQL / Azure parameter groups,
/// settings embedded in Kubernetes ConfigMaps or Helm values
/// ([`crate::sources`]).
///
/// Each [`Assignment`] goes through the same rules as a my.cnf line: names
/// normalised (`-` = `_`, `loose-` dropped, `maximum-` ignored), numbers with
/// K/M/G suffixes, ranges clamped, each problem a [`codes::INVALID_VALUE`]
/// at the value. `base` is the option file the server also reads (a
/// mounted my.cnf), whose explicit values count as [`SetBy::OptionFile`].
/// Precedence: a higher [`SetBy`] wins whatever the order (mysqld reads
/// option files before its command line,
/// https://dev.mysql.com/doc/refman/8.0/en/option-files.html), and the last
/// occurrence of one kind wins; a setting given different values by two
/// kinds is [`codes::SERVER_SETTING_SET_TWICE`], located at the value the
/// server ignores. A [`Written::Unresolved`] value is
/// [`codes::UNRESOLVED_SETTING_VALUE`] (info) and is not applied: the value
/// below it (the option file's, or the default) stays, and the message
/// says so. Settings not set anywhere take their documented defaults,
/// anchored at `anchor` (the block, service or object that holds the
/// settings).
pub fn resolve(
    assignments: &[Assignment],
    base: Option<&MysqlServer>,
    anchor: Option<Location>,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> MysqlServer {
    let mut loader = Loader {
        sources,
        diags,
        root: anchor.map_or(FileId(0), |a| a.file),
        values: Default::default(),
        anchor: None,
        follow: Follower::new(&INCLUDES)
            .with_files(base.map(|b| b.files.clone()).unwrap_or_default()),
    };
    let mut set_by: [Option<(SetBy, Location)>; 6] = Default::default();
    if let Some(b) = base {
        let seeded = [
            b.wait_timeout.clone().map(|d| d.as_secs()),
            b.interactive_timeout.clone().map(|d| d.as_secs()),
            b.net_read_timeout.clone().map(|d| d.as_secs()),
            b.net_write_timeout.clone().map(|d| d.as_secs()),
            b.connect_timeout.clone().map(|d| d.as_secs()),
            b.max_connections.clone(),
        ];
        for (idx, v) in seeded.into_iter().enumerate() {
            if let Origin::File(at) = v.origin {
                set_by[idx] = Some((SetBy::OptionFile, at));
                loader.values[idx] = Some(v);
            }
        }
    }
    let mut ordered: Vec<&Assignment> = assignments.iter().collect();
    ordered.sort_by_key(|a| a.set_by);
    for a in ordered {
        let Some(norm) = normalize_option_name(&a.name) else {
            continue;
        };
        let Some(idx) = VARS.iter().position(|v| v.name == norm) else {
            continue;
        };
        let text = match &a.value {
            Written::Text(t) => t,
            Written::Unresolved(why) => {
                let below = loader.values[idx]
                    .as_ref()
                    .map(|v| VARS[idx].fmt(v.value))
                    .unwrap_or_else(|| format!("the default {}", VARS[idx].fmt(VARS[idx].default)));
                crate::sources::report_unresolved(loader.diags, VARS[idx].name, a, why, &below);
                continue;
            }
        };
        let before = loader.values[idx].as_ref().map(|v| v.value);
        if loader
            .apply(
                true,
                &a.name,
                a.name_at,
                Some((text, a.value_at)),
                NumberSyntax::Option,
            )
            .is_none()
        {
            continue;
        }
        if let (Some((prev_by, prev_at)), Some(old)) = (set_by[idx], before) {
            let new = loader.values[idx].as_ref().map_or(old, |v| v.value);
            if prev_by != a.set_by && old != new {
                crate::sources::report_set_twice(
                    loader.diags,
                    VARS[idx].name,
                    (prev_by, prev_at, &VARS[idx].fmt(old)),
                    (a.set_by, a.value_at, &VARS[idx].fmt(new)),
                    "mysqld reads option files first and its command line after them; \
                     a parameter group replaces the option file",
                );
            }
        }
        set_by[idx] = Some((a.set_by, a.value_at));
    }
    let files = loader.follow.take_files();
    finish(
        loader.values,
        anchor,
        files,
        base.map_or(MysqlSourceKind::Deployment, |b| b.source_kind),
    )
}

struct Loader<'a> {
    sources: &'a mut SourceMap,
    diags: &'a mut Vec<Diagnostic>,
    root: FileId,
    /// Last valid value of each of [`VARS`], clamped.
    values: [Option<Sourced<u64>>; 6],
    /// Header of the last server-read group of the named file.
    anchor: Option<Span>,
    /// Includes: files read, cycle guard, budget.
    follow: Follower,
}

/// How mysqld follows `!include` and `!includedir`.
static INCLUDES: include::Rules = include::Rules {
    kind: "a my.cnf",
    looks_bad: None,
    max_depth: MAX_INCLUDE_DEPTH,
    max_reads: MAX_FILE_READS,
    unreadable_help: |d| include_help(d.written),
    too_deep: |d| Words {
        message: format!(
            "`{} {}` is skipped: includes nest deeper than {MAX_INCLUDE_DEPTH} levels",
            d.name, d.written
        ),
        label: "not read",
        severity: Severity::Warning,
        help: None,
    },
    cycle: |d, shown| Words {
        message: format!(
            "`{}` of `{shown}` forms an include cycle; not followed",
            d.name
        ),
        label: "cycle",
        severity: Severity::Warning,
        help: None,
    },
};

impl Host for Loader<'_> {
    type Read = MysqlSourceKind;

    fn parts(&mut self) -> Parts<'_> {
        Parts {
            follower: &mut self.follow,
            sources: self.sources,
            diags: self.diags,
        }
    }

    fn read_included(&mut self, id: FileId, depth: usize) -> MysqlSourceKind {
        self.read(id, depth)
    }
}

impl Loader<'_> {
    fn emit(&mut self, report: bool, d: Diagnostic) {
        if report {
            self.diags.push(d);
        }
    }

    /// Reads file `id` at include depth `depth` (the named file is 0) and
    /// says what kind of input it was.
    fn read(&mut self, id: FileId, depth: usize) -> MysqlSourceKind {
        let report = self.follow.enter(id, self.sources, self.diags);
        let text = self.sources.get(id).text().to_string();
        let kind = if let Some(vars) = mycnf::lex_help_variables(&text) {
            for v in &vars {
                if is_secret(&v.name) {
                    self.sources.get_mut(id).mark_secret(v.value_span);
                }
            }
            for v in vars {
                self.apply(
                    report,
                    &v.name,
                    Location::new(id, v.name_span),
                    Some((&v.value, Location::new(id, v.value_span))),
                    NumberSyntax::Option,
                );
            }
            MysqlSourceKind::HelpDump
        } else if let Some(dump) = mysqldump::lex_variables_dump(&text) {
            self.read_dump(id, report, dump)
        } else {
            let items = mycnf::lex(&text);
            for item in &items {
                if let Item::Option {
                    name,
                    value: Some(v),
                    ..
                } = item
                    && is_secret(name)
                {
                    self.sources.get_mut(id).mark_secret(v.span);
                }
            }
            self.read_items(id, depth, report, items);
            MysqlSourceKind::OptionFile
        };
        self.follow.leave();
        kind
    }

    /// Applies the rows of a `SHOW VARIABLES` dump; names are matched
    /// ASCII case-insensitively (the server's variable names are, and
    /// `information_schema` prints them in capitals).
    fn read_dump(
        &mut self,
        id: FileId,
        report: bool,
        dump: mysqldump::VariablesDump,
    ) -> MysqlSourceKind {
        for v in &dump.vars {
            if is_secret(&v.name.to_ascii_lowercase()) {
                self.sources.get_mut(id).mark_secret(v.value_span);
            }
        }
        let mut events: Vec<(Span, Option<mysqldump::DumpVariable>, String)> = dump
            .vars
            .into_iter()
            .map(|v| (v.name_span, Some(v), String::new()))
            .chain(dump.errors.into_iter().map(|e| (e.span, None, e.message)))
            .collect();
        events.sort_by_key(|(span, _, _)| *span);
        for (span, var, message) in events {
            match var {
                Some(v) => {
                    let name = v.name.to_ascii_lowercase();
                    self.apply(
                        report,
                        &name,
                        Location::new(id, v.name_span),
                        Some((&v.value, Location::new(id, v.value_span))),
                        NumberSyntax::Plain,
                    );
                }
                None => self.emit(
                    report,
                    Diagnostic::new(
                        codes::SYNTAX_ERROR,
                        message,
                        Label::at(Location::new(id, span), "not part of the variables output"),
                    )
                    .with_help(
                        "the file looks like `SHOW VARIABLES` output but this line breaks \
                         its form (a wrapped or edited paste?); a value on it may be missing",
                    ),
                ),
            }
        }
        MysqlSourceKind::VariablesDump {
            global: dump.global,
        }
    }

    fn read_items(&mut self, id: FileId, depth: usize, report: bool, items: Vec<Item>) {
        // None before the first group; then whether the server reads it.
        let mut group: Option<bool> = None;
        for item in items {
            match item {
                Item::Group { name, span, .. } => {
                    let reads = server_reads_group(&name);
                    if reads && id == self.root && depth == 0 {
                        self.anchor = Some(span);
                    }
                    group = Some(reads);
                }
                Item::Option {
                    name,
                    name_span,
                    value,
                } => match group {
                    None => self.emit(
                        report,
                        Diagnostic::new(
                            codes::SYNTAX_ERROR,
                            format!("option `{name}` appears before any [group] header"),
                            Label::at(Location::new(id, name_span), "option outside a group"),
                        )
                        .with_help(
                            "the server refuses to start (\"Found option without preceding \
                             group\"); put it under [mysqld]",
                        ),
                    ),
                    Some(false) => {}
                    Some(true) => {
                        let v = value
                            .as_ref()
                            .map(|v| (v.text.as_str(), Location::new(id, v.span)));
                        let name_at = Location::new(id, name_span);
                        self.apply(report, &name, name_at, v, NumberSyntax::Option);
                    }
                },
                Item::Include {
                    kind,
                    path,
                    path_span,
                } => self.include(id, depth, report, kind, &path, path_span),
                Item::Error { span, message } => self.emit(
                    report,
                    Diagnostic::new(
                        codes::SYNTAX_ERROR,
                        message,
                        Label::at(Location::new(id, span), "the server refuses to start here"),
                    ),
                ),
            }
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
            name: match kind {
                IncludeKind::File => "!include",
                IncludeKind::Dir => "!includedir",
            },
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
        match kind {
            IncludeKind::File => {
                include::follow(self, &d, &target);
            }
            IncludeKind::Dir => {
                include::follow_dir(self, &d, &target, |name| name.ends_with(".cnf"));
            }
        }
    }

    /// Applies one occurrence of an option in a server-read group (or one
    /// row of a dump), its value written in `syntax`.
    fn apply(
        &mut self,
        report: bool,
        name: &str,
        name_at: Location,
        value: Option<(&str, Location)>,
        syntax: NumberSyntax,
    ) -> Option<usize> {
        let norm = normalize_option_name(name)?;
        let idx = VARS.iter().position(|v| v.name == norm)?;
        let var = &VARS[idx];
        let unit = if var.seconds {
            "a number of seconds"
        } else {
            "a number"
        };
        let Some((text, at)) = value else {
            self.emit(
                report,
                Diagnostic::new(
                    codes::INVALID_VALUE,
                    format!(
                        "`{name}` has no value; {} needs a number ({unit})",
                        var.name
                    ),
                    Label::at(name_at, "no `= value`"),
                )
                .with_help(format!(
                    "write it as `{} = {}`; the server refuses to start without a value",
                    var.name, var.default
                )),
            );
            return None;
        };
        let raw = self.sources.get(at.file).slice(at.span).to_string();
        let shown = if raw.is_empty() { text } else { raw.as_str() };
        let lenient = match (syntax, parse_number(text)) {
            (NumberSyntax::Option, Err(NumberError::Malformed)) => server_suffix_reading(text),
            _ => None,
        };
        if let Some((n, suffix, tail)) = lenient {
            self.emit(
                report,
                Diagnostic::new(
                    codes::INVALID_VALUE,
                    format!(
                        "{} value `{shown}` is read by mysqld as {n}{}: the suffix `{suffix}` multiplies by a power of 1024 and the text `{tail}` after it is ignored",
                        var.name,
                        if var.seconds { " s" } else { "" }
                    ),
                    Label::at(at, "suffix, not a unit"),
                )
                .with_severity(crate::diagnostic::Severity::Warning)
                .with_help(format!(
                    "MySQL reads whole seconds and has no time units; write the number of seconds, e.g. `{} = 600` for ten minutes",
                    var.name
                )),
            );
        }
        let parsed = match (lenient, syntax) {
            (Some((n, _, _)), _) => Ok(n),
            (None, NumberSyntax::Option) => parse_number(text),
            (None, NumberSyntax::Plain) => parse_plain_number(text),
        };
        let n = match parsed {
            Ok(n) => n,
            Err(err) => {
                let (msg, help) = match err {
                    NumberError::Malformed if syntax == NumberSyntax::Plain => (
                        format!("{} value `{shown}` is not a plain integer", var.name),
                        format!(
                            "`SHOW VARIABLES` prints {} as a whole number{}, so this value \
                             was edited or cut; take a fresh dump",
                            var.name,
                            if var.seconds { " of seconds" } else { "" }
                        ),
                    ),
                    NumberError::Malformed if var.seconds => (
                        format!(
                            "{} value `{shown}` is not an integer with an optional K/M/G suffix",
                            var.name
                        ),
                        format!(
                            "MySQL reads whole seconds; K/M/G multiply by 1024 and other letters \
                             such as `h` are rejected, so write e.g. `{} = 3600` for one hour",
                            var.name
                        ),
                    ),
                    NumberError::Malformed => (
                        format!(
                            "{} value `{shown}` is not an integer with an optional K/M/G suffix",
                            var.name
                        ),
                        format!("write a plain count, e.g. `{} = {}`", var.name, var.default),
                    ),
                    NumberError::TooLarge => (
                        format!("{} value `{shown}` does not fit in 64 bits", var.name),
                        format!("the maximum is {}", var.fmt(var.max)),
                    ),
                };
                let consequence = match syntax {
                    NumberSyntax::Option => "the server refuses to start",
                    NumberSyntax::Plain => "the default is assumed unless another row sets it",
                };
                self.emit(
                    report,
                    Diagnostic::new(codes::INVALID_VALUE, msg, Label::at(at, "not a number"))
                        .with_help(format!(
                            "{help}; this occurrence is ignored ({consequence})"
                        )),
                );
                return None;
            }
        };
        let clamped = n.clamp(i128::from(var.min), i128::from(var.max));
        let value = u64::try_from(clamped).unwrap_or(var.min);
        if clamped != n {
            let (side, bound) = if n < i128::from(var.min) {
                ("below the minimum", var.min)
            } else {
                ("above the maximum", var.max)
            };
            let what = if shown == n.to_string() {
                format!("`{shown}`")
            } else {
                format!("`{shown}` (= {n})")
            };
            self.emit(
                report,
                Diagnostic::new(
                    codes::INVALID_VALUE,
                    format!(
                        "{} value {what} is {side} {}; the server clamps it to {}",
                        var.name,
                        var.fmt(bound),
                        var.fmt(value)
                    ),
                    Label::at(at, format!("used as {}", var.fmt(value))),
                )
                .with_help(format!(
                    "the server accepts {} to {}; write the value you mean within that range",
                    var.fmt(var.min),
                    var.fmt(var.max)
                )),
            );
        }
        self.values[idx] = Some(Sourced::new(value, Origin::File(at)));
        Some(idx)
    }
}

fn include_help(written: &str) -> String {
    if Path::new(written).is_absolute() {
        format!(
            "`{written}` is an absolute path on the server host; check it there, or lint a \
             copy of the whole config tree; the remaining files are still read"
        )
    } else {
        format!(
            "`{written}` is resolved from the including file's folder; the remaining files \
             are still read"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tempfile::TempDir;

    struct Loaded {
        server: MysqlServer,
        sources: SourceMap,
        diags: Vec<Diagnostic>,
    }

    impl Loaded {
        fn diags(&self) -> Vec<(&'static str, String)> {
            crate::test_support::diag_texts(&self.diags, &self.sources)
        }

        fn at(&self, origin: &Origin) -> (String, String) {
            crate::test_support::origin_text(&self.sources, origin)
        }

        fn names(&self) -> Vec<String> {
            crate::test_support::file_names(&self.sources, &self.server.files)
        }
    }

    use crate::test_support::tree;

    fn load_in(dir: &TempDir, name: &str) -> Loaded {
        let mut sources = SourceMap::new(Some(dir.path().to_path_buf())).with_policy(
            crate::source::ReadPolicy::new(Some(dir.path()), crate::source::DEFAULT_MAX_FILE_SIZE),
        );
        let mut diags = Vec::new();
        let server =
            load_option_file(&dir.path().join(name), &mut sources, &mut diags).expect("loads");
        Loaded {
            server,
            sources,
            diags,
        }
    }

    fn load_text(text: &str) -> Loaded {
        let dir = tree(&[("my.cnf", text)]);
        load_in(&dir, "my.cnf")
    }

    fn wait(l: &Loaded) -> u64 {
        l.server.wait_timeout.value.as_secs()
    }

    #[test]
    fn numbers() {
        let accept: &[(&str, i128)] = &[
            ("600", 600),
            ("0", 0),
            ("1k", 1024),
            ("1K", 1024),
            ("2m", 2 << 20),
            ("1G", 1 << 30),
            ("1t", 1 << 40),
            ("1P", 1 << 50),
            ("1e", 1 << 60),
            ("-5", -5),
            ("+7", 7),
            (" 8 ", 8),
            ("007", 7),
        ];
        for &(text, n) in accept {
            assert_eq!(parse_number(text), Ok(n), "{text:?}");
        }
        let reject: &[(&str, NumberError)] = &[
            ("2h", NumberError::Malformed),
            ("0x10", NumberError::Malformed),
            ("300 ; comment", NumberError::Malformed),
            ("abc", NumberError::Malformed),
            ("", NumberError::Malformed),
            ("1kb", NumberError::Malformed),
            ("1.5", NumberError::Malformed),
            ("k", NumberError::Malformed),
            ("--5", NumberError::Malformed),
            ("1 k", NumberError::Malformed),
            ("99999999999999999999", NumberError::TooLarge),
            ("16e", NumberError::TooLarge),
        ];
        for (text, err) in reject {
            assert_eq!(parse_number(text).as_ref(), Err(err), "{text:?}");
        }
    }

    #[test]
    fn groups_read_by_the_server() {
        for g in [
            "mysqld",
            "server",
            "mysqld-8.0",
            "mysqld-5.7",
            "mariadb",
            "mariadb-10.11",
            "mariadbd",
            "mariadbd-10.6",
            "client-server",
            "galera",
            "MYSQLD",
            " mysqld ",
        ] {
            assert!(server_reads_group(g), "{g}");
        }
        for g in [
            "client",
            "mysql",
            "mysqld_safe",
            "mysqldump",
            "client-mariadb",
            "mysqld-8",
            "mysqld-8.x",
            "mysqld-",
            "mysqld-.0",
            "embedded",
            "",
        ] {
            assert!(!server_reads_group(g), "{g}");
        }
    }

    #[test]
    fn names() {
        let cases = [
            ("wait_timeout", Some("wait_timeout")),
            ("wait-timeout", Some("wait_timeout")),
            ("loose-wait-timeout", Some("wait_timeout")),
            ("loose_wait_timeout", Some("wait_timeout")),
            ("maximum-wait-timeout", None),
            ("loose-maximum-wait_timeout", None),
            ("Wait_Timeout", Some("Wait_Timeout")),
        ];
        for (name, norm) in cases {
            assert_eq!(normalize_option_name(name).as_deref(), norm, "{name}");
        }
    }

    #[test]
    fn values_accepted() {
        let cases: &[(&str, u64, &str)] = &[
            ("wait_timeout=600", 600, "600"),
            ("wait-timeout = 1k", 1024, "1k"),
            ("loose-wait-timeout=5", 5, "5"),
            ("wait_timeout = \"300\"", 300, "\"300\""),
            ("wait_timeout = '300' # quoted", 300, "'300'"),
            ("wait_timeout = 600 # comment", 600, "600"),
            ("wait_timeout=\\s42", 42, "\\s42"),
        ];
        for &(line, secs, at) in cases {
            let l = load_text(&format!("[mysqld]\n{line}\n"));
            assert_eq!(wait(&l), secs, "{line}");
            assert_eq!(l.at(&l.server.wait_timeout.origin).1, at, "{line}");
            assert!(l.diags.is_empty(), "{line}: {:?}", l.diags);
        }
    }

    #[test]
    fn values_ignored_without_diagnostic() {
        for line in [
            "WAIT_TIMEOUT=5",
            "maximum-wait-timeout=5",
            "innodb_lock_wait_timeout=5",
            "skip-wait-timeout",
        ] {
            let l = load_text(&format!("[mysqld]\nwait_timeout=600\n{line}\n"));
            assert_eq!(wait(&l), 600, "{line}");
            assert!(l.diags.is_empty(), "{line}: {:?}", l.diags);
        }
    }

    #[test]
    fn values_rejected_keep_the_earlier_value() {
        let cases = [
            ("wait_timeout = 2h", "2h"),
            ("wait_timeout = 0x10", "0x10"),
            ("wait_timeout = 300 ; comment", "300 ; comment"),
            ("wait_timeout = abc", "abc"),
            ("wait_timeout = \"2h\"", "\"2h\""),
            (
                "wait_timeout = 99999999999999999999",
                "99999999999999999999",
            ),
            ("wait_timeout =", ""),
            ("wait_timeout", "wait_timeout"),
            ("loose-wait-timeout # bare", "loose-wait-timeout"),
        ];
        for (line, at) in cases {
            let l = load_text(&format!("[mysqld]\nwait_timeout=600\n{line}\n"));
            assert_eq!(wait(&l), 600, "{line}");
            assert_eq!(l.diags(), [("TL002", at.to_string())], "{line}");
            let d = &l.diags[0];
            assert!(d.help.is_some());
            assert!(!d.message.ends_with('.'), "{}", d.message);
            assert!(
                d.message.starts_with(|c: char| !c.is_uppercase()),
                "{}",
                d.message
            );
        }
        // Without an earlier value, the default stays.
        let l = load_text("[mysqld]\nwait_timeout = 2h\n");
        assert_eq!(wait(&l), 28800);
        assert!(!l.server.wait_timeout.origin.is_explicit());
        assert_eq!(
            l.diags[0].message,
            "wait_timeout value `2h` is not an integer with an optional K/M/G suffix"
        );
    }

    #[test]
    fn text_after_a_suffix_is_read_like_mysqld() {
        assert_eq!(server_suffix_reading("10min"), Some((10 << 20, 'm', "in")));
        assert_eq!(server_suffix_reading("1kb"), Some((1024, 'k', "b")));
        assert_eq!(server_suffix_reading("2h"), None);
        assert_eq!(server_suffix_reading("10m"), None);
        assert_eq!(server_suffix_reading("m10"), None);
        let l = load_text("[mysqld]\nwait_timeout = 10min\n");
        // Ten minutes meant; 10 × 1024² s (about 121 days) read.
        assert_eq!(wait(&l), 10_485_760);
        let codes: Vec<_> = l
            .diags
            .iter()
            .map(|d| (d.code.id, d.severity.as_str()))
            .collect();
        assert_eq!(codes, [("TL002", "warning")]);
        assert!(
            l.diags[0].message.contains("read by mysqld as 10485760 s"),
            "{}",
            l.diags[0].message
        );
        let l = load_text("[mysqld]\nmax_connections = 1kb\n");
        assert_eq!(l.server.max_connections.value, 1024);
    }

    #[test]
    fn out_of_range_values_are_clamped() {
        let cases: &[(&str, &str, u64)] = &[
            ("wait_timeout = 0", "wait_timeout", 1),
            ("wait_timeout = -5", "wait_timeout", 1),
            ("wait_timeout = 31536001", "wait_timeout", 31_536_000),
            ("wait_timeout = 1e", "wait_timeout", 31_536_000),
            ("interactive_timeout = 0", "interactive_timeout", 1),
            ("net_read_timeout = 0", "net_read_timeout", 1),
            (
                "net_write_timeout = 40000000",
                "net_write_timeout",
                31_536_000,
            ),
            ("connect_timeout = 1", "connect_timeout", 2),
            ("max_connections = 200000", "max_connections", 100_000),
            ("max_connections = 0", "max_connections", 1),
        ];
        for &(line, var, used) in cases {
            let l = load_text(&format!("[mysqld]\n{line}\n"));
            let s = &l.server;
            let got = match var {
                "wait_timeout" => s.wait_timeout.value.as_secs(),
                "interactive_timeout" => s.interactive_timeout.value.as_secs(),
                "net_read_timeout" => s.net_read_timeout.value.as_secs(),
                "net_write_timeout" => s.net_write_timeout.value.as_secs(),
                "connect_timeout" => s.connect_timeout.value.as_secs(),
                _ => s.max_connections.value,
            };
            assert_eq!(got, used, "{line}");
            assert_eq!(l.diags.len(), 1, "{line}");
            assert_eq!(l.diags[0].code, codes::INVALID_VALUE);
            assert!(
                l.diags[0].message.contains(&format!("clamps it to {used}")),
                "{}",
                l.diags[0].message
            );
        }
        let l = load_text("[mysqld]\nwait_timeout = 0\n");
        assert_eq!(
            l.diags[0].message,
            "wait_timeout value `0` is below the minimum 1 s; the server clamps it to 1 s"
        );
        // In-range bounds are fine.
        let l = load_text("[mysqld]\nwait_timeout=1\nconnect_timeout=2\nmax_connections=100000\n");
        assert!(l.diags.is_empty(), "{:?}", l.diags);
    }

    #[test]
    fn all_settings_and_defaults() {
        let l = load_text(
            "[mysqld]\nwait_timeout=1\ninteractive-timeout=2\nnet_read_timeout=3\n\
             net-write-timeout=4\nconnect_timeout=5\nmax-connections=6\n",
        );
        let s = &l.server;
        let got = [
            s.wait_timeout.value.as_secs(),
            s.interactive_timeout.value.as_secs(),
            s.net_read_timeout.value.as_secs(),
            s.net_write_timeout.value.as_secs(),
            s.connect_timeout.value.as_secs(),
            s.max_connections.value,
        ];
        assert_eq!(got, [1, 2, 3, 4, 5, 6]);
        assert_eq!(l.at(&s.max_connections.origin).1, "6");

        let l = load_text("[client]\nuser=x\n[mysqld]\nport=3306\n[mysqld_safe]\nnice=0\n");
        let s = &l.server;
        let got = [
            s.wait_timeout.value.as_secs(),
            s.interactive_timeout.value.as_secs(),
            s.net_read_timeout.value.as_secs(),
            s.net_write_timeout.value.as_secs(),
            s.connect_timeout.value.as_secs(),
            s.max_connections.value,
        ];
        assert_eq!(got, [28800, 28800, 30, 60, 10, 151]);
        match &s.wait_timeout.origin {
            Origin::Default { system, source, .. } => {
                assert_eq!(*system, "MySQL");
                assert!(source.ends_with("#sysvar_wait_timeout"), "{source}");
            }
            other => panic!("{other:?}"),
        }
        // Anchored at the last server-read group header of the named file.
        assert_eq!(l.at(&s.wait_timeout.origin).1, "[mysqld]");
        assert_eq!(l.at(&s.max_connections.origin).1, "[mysqld]");
    }

    #[test]
    fn default_anchor_without_server_group_is_file_start() {
        let l = load_text("# nothing\n[client]\nuser=x\n");
        let loc = l.server.wait_timeout.origin.location().expect("anchor");
        assert_eq!(loc.file, l.server.files[0]);
        assert_eq!(loc.span, Span::new(0, 0));

        // Groups of included files do not move the anchor.
        let dir = tree(&[
            ("my.cnf", "[server]\n[client]\n!include inc.cnf\n"),
            ("inc.cnf", "[mysqld]\nport=1\n"),
        ]);
        let l = load_in(&dir, "my.cnf");
        assert_eq!(
            l.at(&l.server.wait_timeout.origin),
            ("my.cnf".into(), "[server]".into())
        );
    }

    #[test]
    fn groups_decide_what_is_read() {
        let cases: &[(&str, u64)] = &[
            ("[mysqld]", 5),
            ("[server]", 5),
            ("[mysqld-8.0]", 5),
            ("[mariadb]", 5),
            ("[mariadb-10.11]", 5),
            ("[mariadbd]", 5),
            ("[mariadbd-10.11]", 5),
            ("[client-server]", 5),
            ("[galera]", 5),
            ("[ mysqld ]", 5),
            ("[MySQLd]", 5),
            ("[client]", 28800),
            ("[mysql]", 28800),
            ("[mysqld_safe]", 28800),
            ("[mysqldump]", 28800),
            ("[mysqlhotcopy]", 28800),
        ];
        for &(header, secs) in cases {
            let l = load_text(&format!("{header}\nwait_timeout=5\n"));
            assert_eq!(wait(&l), secs, "{header}");
            assert!(l.diags.is_empty(), "{header}: {:?}", l.diags);
        }
    }

    #[test]
    fn option_before_any_group_is_fatal() {
        let l = load_text(
            "# header\nwait_timeout=5\n!include missing-is-ok-here.cnf\n[mysqld]\nmax_connections=7\n",
        );
        let d = l.diags();
        assert!(d.contains(&("TL001", "wait_timeout".to_string())), "{d:?}");
        assert_eq!(wait(&l), 28800);
        assert_eq!(l.server.max_connections.value, 7);
        // An include before a group is fine (only the missing target is reported).
        assert_eq!(d.iter().filter(|(c, _)| *c == "TL001").count(), 1, "{d:?}");

        let dir = tree(&[
            ("my.cnf", "!includedir d\n[mysqld]\nwait_timeout=9\n"),
            ("d/a.cnf", "[mysqld]\nconnect_timeout=4\n"),
        ]);
        let l = load_in(&dir, "my.cnf");
        assert!(l.diags.is_empty(), "{:?}", l.diags);
        assert_eq!((wait(&l), l.server.connect_timeout.value.as_secs()), (9, 4));
    }

    #[test]
    fn syntax_errors() {
        let l = load_text("[mysqld\nwait_timeout=5\n!include\n[mysqld]\n= 3\n");
        let d = l.diags();
        assert_eq!(
            d.iter().map(|(c, _)| *c).collect::<Vec<_>>(),
            ["TL001", "TL001", "TL001", "TL001"],
            "{d:?}"
        );
        let at: Vec<_> = d.iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(at, ["[mysqld", "wait_timeout", "!include", "= 3"]);
        // `[mysqld` opened no group, so the option after it is also outside one.
        assert_eq!(wait(&l), 28800);
    }

    #[test]
    fn last_occurrence_wins_across_groups() {
        let l = load_text(
            "[mysqld]\nwait_timeout=1\n[server]\nwait_timeout=2\n[client]\nwait_timeout=3\n\
             [mysqld-8.0]\nwait-timeout=4\n[mysql]\nwait_timeout=5\n",
        );
        assert_eq!(wait(&l), 4);
        assert_eq!(l.at(&l.server.wait_timeout.origin).1, "4");
    }

    #[test]
    fn includedir_filters_and_orders_and_last_wins() {
        let dir = tree(&[
            (
                "etc/my.cnf",
                "[mysqld]\nwait_timeout=600\nmax_connections=10\n!includedir conf.d\n",
            ),
            ("etc/conf.d/b.cnf", "[mysqld]\nwait_timeout=50\n"),
            (
                "etc/conf.d/a.cnf",
                "[mysqld]\nwait_timeout=700\nmax_connections=20\n",
            ),
            ("etc/conf.d/c.conf", "[mysqld]\nwait_timeout=1\n"),
            ("etc/conf.d/d.cnf.bak", "[mysqld]\nwait_timeout=2\n"),
            ("etc/conf.d/E.CNF", "[mysqld]\nwait_timeout=3\n"),
            ("etc/conf.d/sub.cnf/x.cnf", "[mysqld]\nwait_timeout=4\n"),
        ]);
        let l = load_in(&dir, "etc/my.cnf");
        assert!(l.diags.is_empty(), "{:?}", l.diags);
        assert_eq!(l.names(), ["my.cnf", "a.cnf", "b.cnf"]);
        assert_eq!(wait(&l), 50);
        assert_eq!(
            l.at(&l.server.wait_timeout.origin),
            ("b.cnf".into(), "50".into())
        );
        assert_eq!(l.server.max_connections.value, 20);
        assert_eq!(l.at(&l.server.max_connections.origin).0, "a.cnf");
    }

    #[test]
    fn values_after_an_include_override_it() {
        let dir = tree(&[
            ("my.cnf", "[mysqld]\n!include inc.cnf\nwait_timeout=30\n"),
            ("inc.cnf", "[mysqld]\nwait_timeout=99\n"),
        ]);
        let l = load_in(&dir, "my.cnf");
        assert_eq!(wait(&l), 30);
        // The included file starts without a group: the including file's
        // group does not carry over.
        let dir = tree(&[
            ("my.cnf", "[mysqld]\n!include inc.cnf\n"),
            ("inc.cnf", "wait_timeout=99\n"),
        ]);
        let l = load_in(&dir, "my.cnf");
        assert_eq!(wait(&l), 28800);
        assert_eq!(l.diags(), [("TL001", "wait_timeout".to_string())]);
        // Nor does an included file's group leak back.
        let dir = tree(&[
            ("my.cnf", "[client]\n!include inc.cnf\nwait_timeout=7\n"),
            ("inc.cnf", "[mysqld]\n"),
        ]);
        assert_eq!(wait(&load_in(&dir, "my.cnf")), 28800);
    }

    #[test]
    fn relative_includes_resolve_from_the_including_file() {
        let dir = tree(&[
            ("a/my.cnf", "[mysqld]\n!include ../b/inc.cnf\n"),
            (
                "b/inc.cnf",
                "[mysqld]\n!include deeper/x.cnf\n!includedir d\n",
            ),
            ("b/deeper/x.cnf", "[mysqld]\nwait_timeout=11\n"),
            ("b/d/z.cnf", "[mysqld]\nconnect_timeout=12\n"),
        ]);
        let l = load_in(&dir, "a/my.cnf");
        assert!(l.diags.is_empty(), "{:?}", l.diags);
        assert_eq!(wait(&l), 11);
        assert_eq!(l.server.connect_timeout.value.as_secs(), 12);
        assert_eq!(l.names(), ["my.cnf", "inc.cnf", "x.cnf", "z.cnf"]);
        // Display names are relative to the SourceMap base.
        let shown: Vec<_> = l
            .server
            .files
            .iter()
            .map(|id| l.sources.get(*id).name())
            .collect();
        assert_eq!(
            shown,
            ["a/my.cnf", "b/inc.cnf", "b/deeper/x.cnf", "b/d/z.cnf"]
        );
    }

    #[test]
    fn missing_includes_are_reported_and_the_rest_is_read() {
        let dir = tree(&[
            (
                "my.cnf",
                "[mysqld]\n!include nope.cnf\n!includedir /nonexistent/timeoutlint/conf.d \n\
                 !includedir ok\nmax_connections=5\n",
            ),
            ("ok/a.cnf", "[mysqld]\nwait_timeout=77\n"),
        ]);
        let l = load_in(&dir, "my.cnf");
        assert_eq!(
            l.diags(),
            [
                ("TL003", "nope.cnf".to_string()),
                ("TL003", "/nonexistent/timeoutlint/conf.d".to_string())
            ]
        );
        assert!(l.diags.iter().all(|d| d.severity == Severity::Error));
        assert_eq!(wait(&l), 77);
        assert_eq!(l.server.max_connections.value, 5);
        assert!(
            l.diags[0].message.contains("nope.cnf"),
            "{}",
            l.diags[0].message
        );
    }

    #[test]
    fn include_cycles_are_not_followed() {
        let dir = tree(&[
            (
                "a.cnf",
                "[mysqld]\nwait_timeout=1\n!include b.cnf\nconnect_timeout=3\n",
            ),
            (
                "b.cnf",
                "[mysqld]\nwait_timeout=2\n!include a.cnf\n!include ./b.cnf\n",
            ),
        ]);
        let l = load_in(&dir, "a.cnf");
        assert_eq!(wait(&l), 2);
        assert_eq!(l.server.connect_timeout.value.as_secs(), 3);
        assert_eq!(l.names(), ["a.cnf", "b.cnf"]);
        let d = l.diags();
        assert_eq!(d, [("TL003", "a.cnf".into()), ("TL003", "./b.cnf".into())]);
        assert!(l.diags.iter().all(|d| d.severity == Severity::Warning));

        // An includedir that contains the including file.
        let dir = tree(&[("d/x.cnf", "[mysqld]\nwait_timeout=4\n!includedir .\n")]);
        let l = load_in(&dir, "d/x.cnf");
        assert_eq!(wait(&l), 4);
        assert_eq!(l.diags.len(), 1);
    }

    #[test]
    fn a_file_included_twice_is_read_twice() {
        let dir = tree(&[
            (
                "my.cnf",
                "[mysqld]\n!include t.cnf\n!include u.cnf\n!include t.cnf\n",
            ),
            ("t.cnf", "[mysqld]\nwait_timeout=1\nbad\nwait_timeout=2h\n"),
            ("u.cnf", "[mysqld]\nwait_timeout=2\n"),
        ]);
        let l = load_in(&dir, "my.cnf");
        assert_eq!(wait(&l), 1);
        assert_eq!(l.names(), ["my.cnf", "t.cnf", "u.cnf"]);
        // Its diagnostics are emitted once.
        assert_eq!(l.diags(), [("TL002", "2h".to_string())]);
    }

    #[test]
    fn nesting_stops_at_depth_ten() {
        let mut files: Vec<(String, String)> = (0..12)
            .map(|i| {
                (
                    format!("f{i}.cnf"),
                    format!(
                        "[mysqld]\nwait_timeout={}\n!include f{}.cnf\n",
                        i + 1,
                        i + 1
                    ),
                )
            })
            .collect();
        files.push(("f12.cnf".into(), "[mysqld]\nwait_timeout=999\n".into()));
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let dir = tree(&refs);
        let l = load_in(&dir, "f0.cnf");
        // f0 is depth 0, f10 is depth 10: its directive is skipped.
        assert_eq!(l.server.files.len(), 11);
        assert_eq!(wait(&l), 11);
        assert_eq!(l.diags(), [("TL003", "f11.cnf".to_string())]);
        assert_eq!(l.diags[0].severity, Severity::Warning);
    }

    #[test]
    fn passwords_are_redacted() {
        let dir = tree(&[
            (
                "my.cnf",
                "[client]\npassword = \"s3cr#t\"  # note\nuser=app\n[mysqld]\n\
                 loose-report-password=hunter2\n!include inc.cnf\n",
            ),
            (
                "inc.cnf",
                "[mysql]\nPassword=keep-case\npassword=topsecret\n",
            ),
        ]);
        let l = load_in(&dir, "my.cnf");
        let all: String = l
            .sources
            .files()
            .map(|(_, f)| f.masked_text().to_string())
            .collect();
        for secret in ["s3cr#t", "hunter2", "topsecret"] {
            assert!(!all.contains(secret), "{secret} leaked: {all}");
        }
        assert!(all.contains("user=app"));
        assert!(all.contains("# note"));
        // Names are case-sensitive: `Password` is not the server's option.
        assert!(all.contains("keep-case"));
        assert!(l.diags.is_empty(), "{:?}", l.diags);
    }

    #[test]
    fn help_dump_is_read() {
        let text = "mysqld  Ver 5.1.34\nUsage: mysqld [OPTIONS]\n\n  --wait_timeout=#    The number of seconds\n\
                    [not a group\nVariables (--variable-name=value)\n\
                    and boolean options {FALSE|TRUE}  Value (after reading options)\n\
                    --------------------------------- -----------------------------\n\
                    connect_timeout                   10\n\
                    interactive-timeout               600\n\
                    max_connections                   151\n\
                    report-password                   (No default value)\n\
                    wait_timeout                      28800\n\
                    \n\
                    To see what values a running MySQL server is using, type\n";
        let l = load_text(text);
        assert!(l.diags.is_empty(), "{:?}", l.diags);
        assert_eq!(wait(&l), 28800);
        assert!(l.server.wait_timeout.origin.is_explicit());
        assert_eq!(l.at(&l.server.wait_timeout.origin).1, "28800");
        assert_eq!(l.server.interactive_timeout.value.as_secs(), 600);
        assert_eq!(l.server.net_read_timeout.value.as_secs(), 30);
        assert!(!l.server.net_read_timeout.origin.is_explicit());
        let loc = l.server.net_read_timeout.origin.location().expect("anchor");
        assert_eq!(loc.span, Span::new(0, 0));
    }

    #[test]
    fn crlf_and_non_utf8_files() {
        let l = load_text("[mysqld]\r\nwait_timeout = 120\r\n");
        assert_eq!(wait(&l), 120);
        assert_eq!(l.at(&l.server.wait_timeout.origin).1, "120");
        let dir = TempDir::new().expect("dir");
        std::fs::write(
            dir.path().join("my.cnf"),
            b"[mysqld]\n# \xff\xfe\nwait_timeout=3\n",
        )
        .expect("write");
        assert_eq!(wait(&load_in(&dir, "my.cnf")), 3);
    }

    #[test]
    fn unreadable_named_file_is_a_load_error() {
        let dir = TempDir::new().expect("dir");
        let mut sources = SourceMap::new(None);
        let mut diags = Vec::new();
        let r = load_option_file(&dir.path().join("missing.cnf"), &mut sources, &mut diags);
        assert!(matches!(r, Err(LoadError::Unreadable { .. })), "{r:?}");
        assert!(diags.is_empty());
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
            "!",
            "!include",
            "!includedir",
            "[mysqld]\nwait_timeout=\"",
            "[mysqld]\nwait_timeout='\\",
            "[mysqld]\nwait_timeout=-",
            "[mysqld]\nwait_timeout=-99999999999999999999",
            "[mysqld]\n\u{feff}x=1",
            "[mysqld]\nwait_timeout=é",
            "[mysqld]\nwait_timeout=1\u{0}",
            "\0\0\0",
            "[mysqld]\n!include \u{0}",
            "Variables (--variable-name=value)\n---- ----\nwait_timeout\n",
        ];
        for text in inputs {
            let _ = load_text(text);
        }
    }

    // ---- SHOW VARIABLES dumps -------------------------------------------

    fn fixture(name: &str) -> Loaded {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mysql-dumps");
        let mut sources =
            SourceMap::new(Some(dir.clone())).with_policy(crate::source::ReadPolicy::new(
                Some(&dir.clone()),
                crate::source::DEFAULT_MAX_FILE_SIZE,
            ));
        let mut diags = Vec::new();
        let server = load_option_file(&dir.join(name), &mut sources, &mut diags).expect("loads");
        Loaded {
            server,
            sources,
            diags,
        }
    }

    /// The six values in model order (seconds and a count).
    fn six(l: &Loaded) -> [u64; 6] {
        let s = &l.server;
        [
            s.wait_timeout.value.as_secs(),
            s.interactive_timeout.value.as_secs(),
            s.net_read_timeout.value.as_secs(),
            s.net_write_timeout.value.as_secs(),
            s.connect_timeout.value.as_secs(),
            s.max_connections.value,
        ]
    }

    /// `(line, column)` of an origin's start (1-based, columns in characters).
    fn line_col(l: &Loaded, origin: &Origin) -> (usize, usize) {
        let r = l.sources.resolve(origin.location().expect("a location"));
        (r.start.line, r.start.column)
    }

    /// The text before an origin is longer in bytes than in characters: the
    /// span is a byte range counted past multi-byte text.
    fn after_multibyte(l: &Loaded, origin: &Origin) -> bool {
        let loc = origin.location().expect("a location");
        let before = &l.sources.get(loc.file).text()[..loc.span.start];
        before.len() > before.chars().count()
    }

    fn vars_dump(global: Option<bool>) -> MysqlSourceKind {
        MysqlSourceKind::VariablesDump { global }
    }

    #[test]
    fn table_dump_fixture() {
        let l = fixture("show-global-variables-table.txt");
        assert!(l.diags.is_empty(), "{:?}", l.diags);
        assert_eq!(l.server.source_kind, vars_dump(Some(true)));
        assert_eq!(six(&l), [600, 28800, 30, 60, 10, 500]);
        let s = &l.server;
        for (origin, text, at) in [
            (&s.wait_timeout.origin, "600", (36, 39)),
            (&s.interactive_timeout.origin, "28800", (20, 39)),
            (&s.net_read_timeout.origin, "30", (29, 39)),
            (&s.net_write_timeout.origin, "60", (30, 39)),
            (&s.connect_timeout.origin, "10", (14, 39)),
            (&s.max_connections.origin, "500", (5, 21)),
        ] {
            assert!(origin.is_explicit());
            assert_eq!(l.at(origin).1, text);
            assert_eq!(line_col(&l, origin), at, "{text}");
        }
        assert!(after_multibyte(&l, &s.wait_timeout.origin));
        assert_eq!(l.names(), ["show-global-variables-table.txt"]);
    }

    #[test]
    fn batch_dump_fixture() {
        let l = fixture("batch.tsv");
        assert!(l.diags.is_empty(), "{:?}", l.diags);
        assert_eq!(l.server.source_kind, vars_dump(None));
        assert_eq!(six(&l), [3600, 28800, 45, 90, 5, 1000]);
        let s = &l.server;
        assert_eq!(l.at(&s.wait_timeout.origin).1, "3600");
        assert_eq!(line_col(&l, &s.wait_timeout.origin), (8, 14));
        assert_eq!(line_col(&l, &s.max_connections.origin), (5, 17));
        assert!(after_multibyte(&l, &s.interactive_timeout.origin));
    }

    #[test]
    fn vertical_dump_fixture() {
        let l = fixture("show-session-variables-vertical.txt");
        assert!(l.diags.is_empty(), "{:?}", l.diags);
        // A session dump from the interactive client: wait = interactive.
        assert_eq!(l.server.source_kind, vars_dump(Some(false)));
        assert_eq!(six(&l), [900, 900, 30, 60, 10, 151]);
        let s = &l.server;
        assert_eq!(l.at(&s.wait_timeout.origin).1, "900");
        assert_eq!(line_col(&l, &s.wait_timeout.origin), (19, 16));
        assert_eq!(line_col(&l, &s.connect_timeout.origin), (7, 16));
        assert!(after_multibyte(&l, &s.connect_timeout.origin));
        // Not in the dump: the documented default, anchored at the file start.
        assert!(!s.max_connections.origin.is_explicit());
        let loc = s.max_connections.origin.location().expect("anchor");
        assert_eq!(loc.span, Span::new(0, 0));
    }

    #[test]
    fn source_kind_detection() {
        let table =
            "+---+---+\n| Variable_name | Value |\n+---+---+\n| wait_timeout | 7 |\n+---+---+\n";
        let cases: &[(&str, MysqlSourceKind)] = &[
            ("[mysqld]\nwait_timeout=7\n", MysqlSourceKind::OptionFile),
            ("", MysqlSourceKind::OptionFile),
            (
                "# Variable_name\tValue\n[mysqld]\nwait_timeout\t= 7\n",
                MysqlSourceKind::OptionFile,
            ),
            (
                "[client]\nnet.ipv4.tcp_keepalive_time = 7200\nnet.netfilter.nf_conntrack_tcp_timeout_established\t432000\n",
                MysqlSourceKind::OptionFile,
            ),
            (
                "[client]\nnet.ipv4.tcp_keepalive_time\t7200\n",
                MysqlSourceKind::OptionFile,
            ),
            (
                "Variables (--variable-name=value)\nand boolean options {FALSE|TRUE}  Value (after reading options)\n\
                 ------------------------- ---------\nwait_timeout   7\n",
                MysqlSourceKind::HelpDump,
            ),
            (table, vars_dump(None)),
            ("Variable_name\tValue\nwait_timeout\t7\n", vars_dump(None)),
            ("wait_timeout\t7\nmax_connections\t9\n", vars_dump(None)),
            (
                "*************************** 1. row ***************************\n\
                 Variable_name: wait_timeout\n        Value: 7\n",
                vars_dump(None),
            ),
        ];
        for (text, kind) in cases {
            let l = load_text(text);
            assert_eq!(l.server.source_kind, *kind, "{text:?}");
            if matches!(kind, MysqlSourceKind::VariablesDump { .. }) {
                assert_eq!(wait(&l), 7, "{text:?}");
                assert!(l.diags.is_empty(), "{text:?}: {:?}", l.diags);
            }
        }
        // The scope comes from the statement shown with the dump.
        for (statement, global) in [
            (
                "mysql> SHOW GLOBAL VARIABLES LIKE '%timeout%';\n",
                Some(true),
            ),
            ("mysql> show variables like 'wait%';\n", Some(false)),
            ("MariaDB [db]> SHOW SESSION VARIABLES;\n", Some(false)),
            ("mysql> SHOW GLOBAL STATUS;\n", None),
            ("", None),
        ] {
            let l = load_text(&format!("{statement}{table}"));
            assert_eq!(l.server.source_kind, vars_dump(global), "{statement:?}");
        }
        // An included file that is a dump does not change the named file's kind.
        let dir = tree(&[
            ("my.cnf", "[mysqld]\n!include dump.txt\n"),
            ("dump.txt", "Variable_name\tValue\nwait_timeout\t8\n"),
        ]);
        let l = load_in(&dir, "my.cnf");
        assert_eq!(l.server.source_kind, MysqlSourceKind::OptionFile);
        assert_eq!(wait(&l), 8);
    }

    /// A one-row dump of `wait_timeout` in each form, the value being `v`.
    fn each_form(v: &str) -> [String; 3] {
        [
            format!(
                "mysql> SHOW GLOBAL VARIABLES LIKE 'wait%';\n+---------------+-------+\n\
                 | Variable_name | Value |\n+---------------+-------+\n\
                 | wait_timeout  | {v} |\n+---------------+-------+\n1 row in set (0.00 sec)\n"
            ),
            format!("Variable_name\tValue\nwait_timeout\t{v}\n"),
            format!(
                "*************************** 1. row ***************************\n\
                 Variable_name: wait_timeout\n        Value: {v}\n1 row in set (0.00 sec)\n"
            ),
        ]
    }

    #[test]
    fn dump_values_rejected() {
        let cases = [
            "1k",
            "10min",
            "2h",
            "abc",
            "0x10",
            "1.5",
            "+5",
            "ON",
            "99999999999999999999",
        ];
        for v in cases {
            for text in each_form(v) {
                let l = load_text(&text);
                assert_eq!(wait(&l), 28800, "{text}");
                assert!(!l.server.wait_timeout.origin.is_explicit());
                assert_eq!(l.diags(), [("TL002", v.to_string())], "{text}");
                assert_eq!(l.diags[0].severity, Severity::Error);
                let help = l.diags[0].help.as_deref().unwrap_or_default();
                assert!(!help.contains("refuses to start"), "{help}");
            }
        }
        let l = load_text(&each_form("1k")[1]);
        assert_eq!(
            l.diags[0].message,
            "wait_timeout value `1k` is not a plain integer"
        );
    }

    #[test]
    fn dump_values_clamped_and_accepted() {
        for (v, used, diags) in [
            ("0", 1, 1),
            ("-5", 1, 1),
            ("31536001", 31_536_000, 1),
            ("1", 1, 0),
            ("31536000", 31_536_000, 0),
            ("0600", 600, 0),
        ] {
            for text in each_form(v) {
                let l = load_text(&text);
                assert_eq!(wait(&l), used, "{text}");
                assert_eq!(l.diags.len(), diags, "{text}: {:?}", l.diags);
                assert!(l.diags.iter().all(|d| d.code == codes::INVALID_VALUE));
                assert_eq!(l.at(&l.server.wait_timeout.origin).1, v);
            }
        }
    }

    #[test]
    fn dump_names_and_order() {
        // information_schema prints names in capitals; unknown names are
        // ignored; the last row wins.
        let text = "Variable_name\tValue\nWAIT_TIMEOUT\t5\nwait_timeout_x\tgarbage\n\
                    innodb_lock_wait_timeout\tnope\nwait_timeout\t6\n\
                    Max_Connections\t77\nreport_password\thunter2\n";
        let l = load_text(text);
        assert!(l.diags.is_empty(), "{:?}", l.diags);
        assert_eq!(wait(&l), 6);
        assert_eq!(l.server.max_connections.value, 77);
        let all: String = l
            .sources
            .files()
            .map(|(_, f)| f.masked_text().to_string())
            .collect();
        assert!(!all.contains("hunter2"), "{all}");
    }

    #[test]
    fn dump_decorations_are_not_errors_but_broken_rows_are() {
        let text = "Welcome to the MySQL monitor.  Commands end with ; or \\g.\n\
                    mysql> SHOW GLOBAL VARIABLES\n    -> LIKE '%timeout';\n\
                    +---------------+-------+\n| Variable_name | Value |\n+---------------+-------+\n\
                    | wait_timeout  | 120   |\n| connect_timeout | 3\nwrapped tail |\n\
                    +---------------+-------+\n2 rows in set, 1 warning (0.00 sec)\n\nmysql> \\q\nBye\n";
        let l = load_text(text);
        assert_eq!(
            l.diags(),
            [
                ("TL001", "| connect_timeout | 3".to_string()),
                ("TL001", "wrapped tail |".to_string())
            ]
        );
        assert_eq!(l.server.source_kind, vars_dump(Some(true)));
        assert_eq!(wait(&l), 120);
        assert_eq!(l.server.connect_timeout.value.as_secs(), 10);

        // Errors and value diagnostics come in file order.
        let text = "Variable_name\tValue\nwait_timeout\tx\nbroken\nconnect_timeout\t1\n";
        let l = load_text(text);
        assert_eq!(
            l.diags(),
            [
                ("TL002", "x".to_string()),
                ("TL001", "broken".to_string()),
                ("TL002", "1".to_string())
            ]
        );
        assert_eq!(l.server.connect_timeout.value.as_secs(), 2);

        let text = "*************************** 1. row ***************************\n\
                    Variable_name: wait_timeout\n\
                    *************************** 2. row ***************************\n\
                    Variable_name: connect_timeout\n        Value: 4\n";
        let l = load_text(text);
        assert_eq!(l.diags(), [("TL001", "wait_timeout".to_string())]);
        assert_eq!(l.server.connect_timeout.value.as_secs(), 4);
    }

    #[test]
    fn corpus_files_keep_their_kind() {
        // Real option files are never taken for dumps (skips without the corpus).
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/mysql");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return;
        };
        for path in entries.filter_map(Result::ok).map(|e| e.path()) {
            let mut sources = SourceMap::new(None);
            let mut diags = Vec::new();
            let Ok(s) = load_option_file(&path, &mut sources, &mut diags) else {
                continue;
            };
            let help = path.to_string_lossy().contains("mysqldhelp");
            let want = if help {
                MysqlSourceKind::HelpDump
            } else {
                MysqlSourceKind::OptionFile
            };
            assert_eq!(s.source_kind, want, "{}", path.display());
        }
    }

    #[test]
    fn odd_dumps_never_panic() {
        for text in [
            "+-+\n| Variable_name | Value |\n+-+\n",
            "+-+\n| Variable_name | Value |\n+-+\n|",
            "+-+\n| Variable_name | Value |\n+-+\n||\n|é|é|\n",
            "Variable_name\tValue\n\t\n\u{0}\té\n",
            "*** 1. row ***\nVariable_name:\nValue:\n",
            "*** 1. row ***\nVariable_name: é\n",
            "a\t\n",
        ] {
            // A file none of whose lines parse is refused (Err): fine.
            let dir = tree(&[("my.cnf", text)]);
            let mut sources = SourceMap::new(None);
            let _ = load_option_file(&dir.path().join("my.cnf"), &mut sources, &mut Vec::new());
        }
    }

    /// Resolves `flags` (command-line assignments) over the option file
    /// `cnf` (none when empty).
    fn resolved(cnf: &str, flags: &str) -> Loaded {
        let dir = tree(&[("my.cnf", cnf)]);
        let mut l = load_in(&dir, "my.cnf");
        let base = (!cnf.is_empty()).then(|| l.server.clone());
        let a = crate::test_support::assignments(
            &mut l.sources,
            "compose.yaml",
            flags,
            SetBy::CommandLine,
        );
        let mut diags = Vec::new();
        l.server = resolve(&a, base.as_ref(), None, &mut l.sources, &mut diags);
        l.diags = diags;
        l
    }

    #[test]
    fn resolve_applies_the_option_file_rules_to_flags() {
        // (flags, wait_timeout, diagnostics): names as mysqld matches them,
        // K/M/G suffixes, clamping, unknown names ignored.
        let table: &[(&str, u64, &[&str])] = &[
            ("--wait_timeout=600", 600, &[]),
            ("--wait-timeout=600", 600, &[]),
            ("--loose-wait-timeout=1k", 1024, &[]),
            ("--maximum-wait-timeout=5", 28_800, &[]),
            ("--wait_timeout=0", 1, &["TL002"]),
            ("--wait_timeout=2h", 28_800, &["TL002"]),
            ("--wait_timeout=600 --wait_timeout=700", 700, &[]),
            ("--character-set-server=utf8mb4", 28_800, &[]),
            ("--wait_timeout=?var.wait", 28_800, &["TL015"]),
        ];
        for (flags, want, codes) in table {
            let l = resolved("", flags);
            assert_eq!(wait(&l), *want, "{flags}");
            let got: Vec<&str> = l.diags().iter().map(|d| d.0).collect();
            assert_eq!(&got, codes, "{flags}");
            assert_eq!(l.server.source_kind, MysqlSourceKind::Deployment);
        }
    }

    #[test]
    fn resolve_locates_values_and_defaults() {
        let l = resolved("", "--wait_timeout=600 --max-connections=500");
        assert_eq!(
            l.at(&l.server.wait_timeout.origin),
            ("compose.yaml".into(), "600".into())
        );
        assert_eq!(
            l.at(&l.server.max_connections.origin),
            ("compose.yaml".into(), "500".into())
        );
        assert!(!l.server.interactive_timeout.origin.is_explicit());
    }

    #[test]
    fn flags_beat_the_option_file_and_say_so() {
        let l = resolved(
            "[mysqld]\nwait_timeout = 28800\nmax_connections = 300\n",
            "--wait_timeout=600",
        );
        assert_eq!(wait(&l), 600);
        // The ignored value is the primary location; the used one is related.
        assert_eq!(l.diags(), vec![("TL016", "28800".to_string())]);
        assert!(
            l.diags[0].message.contains("the server uses 600 s"),
            "{}",
            l.diags[0].message
        );
        // Values only the option file sets stay, located there.
        assert_eq!(l.server.max_connections.value, 300);
        assert_eq!(
            l.at(&l.server.max_connections.origin),
            ("my.cnf".into(), "300".into())
        );
        // The same value in both places is no finding.
        let l = resolved("[mysqld]\nwait_timeout = 600\n", "--wait_timeout=600");
        assert!(l.diags.is_empty());
        // An unresolved flag keeps the option file's value and says so.
        let l = resolved(
            "[mysqld]\nwait_timeout = 900\n",
            "--wait_timeout=?from_a_Secret",
        );
        assert_eq!(wait(&l), 900);
        assert_eq!(l.diags(), vec![("TL015", "?from_a_Secret".to_string())]);
        assert!(l.diags[0].help.as_deref().unwrap_or("").contains("900 s"));
    }
}
