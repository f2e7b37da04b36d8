//! The servers' settings tables as data: `settings/mysql.toml`,
//! `settings/postgres.toml`, `settings/pgbouncer.toml` and
//! `settings/linux.toml` (the kernel's sysctls), one shape for all
//! (name, unit, range, default, default per version, first version, source).
//!
//! Each system module (`mysql`, `postgres`, `pgbouncer`, `sysctl`) reads its rows by
//! name from [`table`] and keeps its own number syntax (`number.rs`) and
//! typed struct; only the facts live here. The generated reference is
//! `docs/settings.md` ([`markdown`]).
//!
//! # File format
//!
//! ```toml
//! system = "postgres"          # the table's product; one file per system
//! display = "PostgreSQL"       # the name in messages and docs
//!
//! [[setting]]
//! name = "idle_session_timeout"
//! unit = "ms"                  # s | ms | count | flag | list | word
//! syntax = "CF_TIME_USEC"      # optional: the server's own value type, when
//!                              # the unit alone does not say how it is read
//! min = 0                      # optional; both or neither; integers
//! max = 2147483647
//! default = 0                  # the current releases' default: an integer
//!                              # in `unit`, or a string for "list" and "word"
//! choices = ["a", "b"]         # "word" only, and required there: the words
//!                              # the server accepts (lower case)
//! since = "14"                 # optional: first version with the setting
//! source = "https://..."       # a doc URL, or owner/repo@<commit>:path
//! doc = "one line"
//! defaults = [                 # optional: where an older default differed
//!   { versions = "<1.7", value = 0, source = "owner/repo@<commit>:path" },
//! ]
//! ```
//!
//! `versions` is a comma-separated list of comparators (`<`, `<=`, `>`,
//! `>=`, `=`) over dotted decimal versions, all of which must hold, e.g.
//! `">=10.2, <10.5"`. A `defaults` entry may name a `product` other than
//! the table's `system` (e.g. `"mariadb"` in the MySQL table, whose version
//! numbers differ); without one it applies to the table's own product.
//! `since` is always a version of the table's own product.
//!
//! # Validation and fallback
//!
//! [`load_all`] rejects unknown keys and units, an empty or duplicate name,
//! `min > max` or only one of them, a default (or per-version value) of the
//! wrong type, outside the range, or a flag other than 0/1, a missing or
//! malformed source, an empty or multi-line doc, and a bad version (`since`,
//! `versions`, or a range no version satisfies). An invalid embedded table
//! is a build defect: the unit tests load every table. Production code
//! never panics on it: [`table`] returns `None` for that system, so its
//! loader recognises none of the table's names (a file's values for them
//! are ignored like unknown options) and every field of its typed struct
//! takes the value 0 with an [`Origin::Default`](crate::provenance::Origin::Default)
//! whose source names the table file ([`missing_row_source`]).

use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::fmt;
use std::sync::OnceLock;

use serde::Deserialize;

/// The embedded tables: `(system, path, text)`, in the order of the docs.
pub const FILES: [(&str, &str, &str); 4] = [
    (
        "mysql",
        "settings/mysql.toml",
        include_str!("../../settings/mysql.toml"),
    ),
    (
        "postgres",
        "settings/postgres.toml",
        include_str!("../../settings/postgres.toml"),
    ),
    (
        "pgbouncer",
        "settings/pgbouncer.toml",
        include_str!("../../settings/pgbouncer.toml"),
    ),
    (
        "linux",
        "settings/linux.toml",
        include_str!("../../settings/linux.toml"),
    ),
];

/// What a system's typed field holds when its row is missing because the
/// embedded table failed validation (a build defect the unit tests catch):
/// the value 0, with this text after the table's path as the source
/// ([`missing_row_source`]).
pub const MISSING_ROW: &str = "row missing: the embedded table is invalid";

/// The source of a default whose row is missing from `system`'s invalid
/// table: `settings/<system>.toml (` [`MISSING_ROW`] `)`.
pub fn missing_row_source(system: &str) -> &'static str {
    match system {
        "mysql" => "settings/mysql.toml (row missing: the embedded table is invalid)",
        "postgres" => "settings/postgres.toml (row missing: the embedded table is invalid)",
        "pgbouncer" => "settings/pgbouncer.toml (row missing: the embedded table is invalid)",
        "linux" => "settings/linux.toml (row missing: the embedded table is invalid)",
        _ => "settings/ (row missing: the embedded table is invalid)",
    }
}

/// The unit of a setting's value, one vocabulary for every system.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Seconds (`"s"`): MySQL timeouts, PostgreSQL `GUC_UNIT_S`, PgBouncer times.
    Seconds,
    /// Milliseconds (`"ms"`): PostgreSQL `GUC_UNIT_MS`, PgBouncer `tcp_user_timeout`.
    Milliseconds,
    /// A plain count (`"count"`): connections, probes, pool sizes.
    Count,
    /// An integer read as on/off (`"flag"`): 0 off, 1 on.
    Flag,
    /// A list of names (`"list"`); its default is a string.
    List,
    /// One word from a fixed set (`"word"`, e.g. PgBouncer's `CF_LOOKUP`
    /// `pool_mode`); its default is a string among the row's `choices`.
    Word,
}

impl Unit {
    /// The unit as written in the tables: `s`, `ms`, `count`, `flag`, `list`.
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Seconds => "s",
            Unit::Milliseconds => "ms",
            Unit::Count => "count",
            Unit::Flag => "flag",
            Unit::List => "list",
            Unit::Word => "word",
        }
    }

    fn parse(s: &str) -> Option<Unit> {
        Some(match s {
            "s" => Unit::Seconds,
            "ms" => Unit::Milliseconds,
            "count" => Unit::Count,
            "flag" => Unit::Flag,
            "list" => Unit::List,
            "word" => Unit::Word,
            _ => return None,
        })
    }
}

/// A default value: an integer in the setting's unit, or the text of a list
/// or word.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Value {
    /// An integer in the setting's [`Unit`] (0/1 for a flag).
    Number(i64),
    /// The text of a list or word setting, as the server would read it.
    Text(String),
}

impl Value {
    /// The integer, for numeric units.
    pub fn number(&self) -> Option<i64> {
        match self {
            Value::Number(n) => Some(*n),
            Value::Text(_) => None,
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Number(n) => write!(f, "{n}"),
            Value::Text(t) if t.is_empty() => f.write_str("(empty)"),
            Value::Text(t) => f.write_str(t),
        }
    }
}

/// A dotted decimal version, e.g. `8.0.36`, `16`, `1.4.1`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version(Vec<u64>);

impl Version {
    /// A version as the tables write it: decimal parts separated by dots.
    pub fn parse(s: &str) -> Option<Version> {
        let parts: Option<Vec<u64>> = s
            .split('.')
            .map(|p| {
                (!p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| p.parse().ok())
                    .flatten()
            })
            .collect();
        parts.filter(|p| !p.is_empty()).map(Version)
    }

    /// The version at the start of a version text from a deployment (an
    /// image tag, an `engine_version`): an optional `v`, then dotted decimal
    /// parts, the rest ignored (`10.3.39-MariaDB` → 10.3.39, `16-alpine` →
    /// 16). `None` when it starts with no digit (`latest`).
    pub fn leading(text: &str) -> Option<Version> {
        let t = text.trim();
        let t = t.strip_prefix(['v', 'V']).unwrap_or(t);
        let end = t
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(t.len());
        let head = t[..end].trim_end_matches('.');
        let parts: Vec<u64> = head.split('.').map_while(|p| p.parse().ok()).collect();
        (!parts.is_empty()).then_some(Version(parts))
    }

    /// The lowest and highest versions this (possibly shortened) version
    /// stands for, as `len` parts: `1.4` is 1.4.0 … 1.4.MAX.
    fn bounds(&self, len: usize) -> (Vec<u64>, Vec<u64>) {
        let pad = |fill: u64| {
            let mut v = self.0.clone();
            v.resize(len.max(self.0.len()), fill);
            v
        };
        (pad(0), pad(u64::MAX))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(u64::to_string).collect();
        f.write_str(&parts.join("."))
    }
}

/// Compares two part lists, the shorter padded with zeros.
fn cmp_parts(a: &[u64], b: &[u64]) -> Ordering {
    let n = a.len().max(b.len());
    (0..n)
        .map(|i| {
            let x = a.get(i).copied().unwrap_or(0);
            let y = b.get(i).copied().unwrap_or(0);
            x.cmp(&y)
        })
        .find(|o| o.is_ne())
        .unwrap_or(Ordering::Equal)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
}

impl Op {
    fn holds(self, o: Ordering) -> bool {
        match self {
            Op::Lt => o.is_lt(),
            Op::Le => o.is_le(),
            Op::Gt => o.is_gt(),
            Op::Ge => o.is_ge(),
            Op::Eq => o.is_eq(),
        }
    }
}

/// A version range: comparators that must all hold, e.g. `>=10.2, <10.5`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionReq {
    text: String,
    parts: Vec<(Op, Version)>,
}

impl VersionReq {
    /// Parses `"<1.7"`, `">=10.2, <10.5"`; `None` when malformed.
    pub fn parse(s: &str) -> Option<VersionReq> {
        let mut parts = Vec::new();
        for c in s.split(',') {
            let c = c.trim();
            let (op, rest) = [
                ("<=", Op::Le),
                (">=", Op::Ge),
                ("<", Op::Lt),
                (">", Op::Gt),
                ("=", Op::Eq),
            ]
            .iter()
            .find_map(|(p, op)| c.strip_prefix(p).map(|r| (*op, r)))?;
            parts.push((op, Version::parse(rest.trim())?));
        }
        (!parts.is_empty()).then(|| VersionReq {
            text: s.trim().to_string(),
            parts,
        })
    }

    /// Whether every version `v` stands for is in the range: `Some(true)`
    /// all, `Some(false)` none, `None` when it depends on parts `v` does not
    /// give (`1.4` against `<1.4.1`).
    pub fn matches(&self, v: &Version) -> Option<bool> {
        let mut all = true;
        for (op, bound) in &self.parts {
            let (lo, hi) = v.bounds(bound.0.len() + 1);
            match (
                op.holds(cmp_parts(&lo, &bound.0)),
                op.holds(cmp_parts(&hi, &bound.0)),
            ) {
                (true, true) => {}
                (false, false) => return Some(false),
                _ => all = false,
            }
        }
        all.then_some(true)
    }

    /// Whether some version satisfies every comparator (checked on the
    /// bounds and their neighbours).
    fn satisfiable(&self) -> bool {
        let mut candidates: Vec<Vec<u64>> = vec![vec![0]];
        for (_, b) in &self.parts {
            let mut up = b.0.clone();
            up.push(1);
            candidates.push(b.0.clone());
            candidates.push(up);
            if let Some(down) = decrement(&b.0) {
                candidates.push(down);
            }
        }
        candidates.iter().any(|c| {
            self.parts
                .iter()
                .all(|(op, b)| op.holds(cmp_parts(c, &b.0)))
        })
    }
}

/// The version just below `v` at the precision of `v` plus a large last
/// part (`1.7` → `1.6.MAX`), `None` for all zeros.
fn decrement(v: &[u64]) -> Option<Vec<u64>> {
    let i = v.iter().rposition(|&p| p > 0)?;
    let mut d = v[..=i].to_vec();
    d[i] -= 1;
    d.push(u64::MAX);
    Some(d)
}

impl fmt::Display for VersionReq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// A default that differs in some versions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionDefault {
    /// The product the versions are of (the table's `system` when not written).
    pub product: String,
    /// The versions with this default.
    pub versions: VersionReq,
    /// The default in those versions.
    pub value: Value,
    /// Where that default is documented.
    pub source: String,
}

/// One row of a settings table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setting {
    /// The name the server matches, e.g. `wait_timeout`.
    pub name: String,
    /// The unit of `min`, `max` and the defaults.
    pub unit: Unit,
    /// The server's own value type when the unit alone does not say how it
    /// is read (PgBouncer: `CF_TIME_USEC`, `CF_INT`, `CF_STR`).
    pub syntax: Option<String>,
    /// Inclusive range the server accepts; `None` when it checks none.
    pub range: Option<(i64, i64)>,
    /// The default of current releases.
    pub default: Value,
    /// First version (of the table's product) with the setting.
    pub since: Option<Version>,
    /// Defaults of older (or other products') versions.
    pub defaults: Vec<VersionDefault>,
    /// Doc URL or `owner/repo@commit:path` of the facts.
    pub source: String,
    /// One line saying what the setting does.
    pub doc: String,
    /// The accepted words of a [`Unit::Word`] setting (lower case); empty
    /// for other units.
    pub choices: Vec<String>,
}

/// One system's table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    /// The system (and product) name: `mysql`, `postgres`, `pgbouncer`.
    pub system: String,
    /// The name in messages and docs: `MySQL`, `PostgreSQL`, `PgBouncer`.
    pub display: String,
    /// The file it came from, e.g. `settings/mysql.toml`.
    pub file: &'static str,
    /// The rows in file order.
    pub settings: Vec<Setting>,
}

impl Table {
    /// The row named `name` (exact match).
    pub fn get(&self, name: &str) -> Option<&Setting> {
        self.settings.iter().find(|s| s.name == name)
    }
}

/// Why a table failed to load (a build defect, caught by the unit tests).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    /// Not valid TOML, a missing key or an unknown one.
    #[error("{file}: {message}")]
    Syntax {
        /// The table file.
        file: String,
        /// The TOML error.
        message: String,
    },
    /// A row (or the header) breaks a rule.
    #[error("{file}: setting `{setting}`: {message}")]
    Invalid {
        /// The table file.
        file: String,
        /// The row's name (`system` for the header).
        setting: String,
        /// What is wrong.
        message: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    system: String,
    display: String,
    setting: Vec<RawSetting>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSetting {
    name: String,
    unit: String,
    syntax: Option<String>,
    min: Option<i64>,
    max: Option<i64>,
    default: Value,
    since: Option<String>,
    #[serde(default)]
    defaults: Vec<RawDefault>,
    source: String,
    doc: String,
    #[serde(default)]
    choices: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDefault {
    product: Option<String>,
    versions: String,
    value: Value,
    source: String,
}

/// Loads and validates every embedded table, in [`FILES`] order.
///
/// Errors: the first [`LoadError`] (see the module docs for the rules).
pub fn load_all() -> Result<Vec<Table>, LoadError> {
    FILES
        .iter()
        .map(|(system, file, text)| parse(system, file, text))
        .collect()
}

/// Parses and validates one table file whose header must say `system`.
pub fn parse(system: &str, file: &'static str, text: &str) -> Result<Table, LoadError> {
    let raw: RawFile = toml::from_str(text).map_err(|e| LoadError::Syntax {
        file: file.to_string(),
        message: e.message().to_string(),
    })?;
    let invalid = |setting: &str, message: String| LoadError::Invalid {
        file: file.to_string(),
        setting: setting.to_string(),
        message,
    };
    if raw.system != system {
        return Err(invalid(
            "system",
            format!("system is `{}`, expected `{system}`", raw.system),
        ));
    }
    if raw.display.trim().is_empty() {
        return Err(invalid("system", "empty display name".into()));
    }
    let mut seen = BTreeSet::new();
    let mut settings = Vec::with_capacity(raw.setting.len());
    for r in raw.setting {
        let name = r.name.clone();
        let s = validate(system, r).map_err(|m| invalid(&name, m))?;
        if !seen.insert(s.name.clone()) {
            return Err(invalid(&name, "duplicate name".into()));
        }
        settings.push(s);
    }
    Ok(Table {
        system: raw.system,
        display: raw.display,
        file,
        settings,
    })
}

fn validate(system: &str, r: RawSetting) -> Result<Setting, String> {
    if r.name.is_empty()
        || !r
            .name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'.')
    {
        return Err("name must be lower-case letters, digits, `_` and `.`".into());
    }
    let unit = Unit::parse(&r.unit).ok_or_else(|| {
        format!(
            "unknown unit `{}` (expected s, ms, count, flag, list or word)",
            r.unit
        )
    })?;
    if r.syntax.as_deref().is_some_and(|s| s.trim().is_empty()) {
        return Err("empty syntax".into());
    }
    let range = match (r.min, r.max) {
        (Some(lo), Some(hi)) if lo > hi => return Err(format!("min {lo} is above max {hi}")),
        (Some(lo), Some(hi)) if matches!(unit, Unit::List | Unit::Word) => {
            return Err(format!(
                "a {} has no range (min {lo}, max {hi})",
                unit.as_str()
            ));
        }
        (Some(lo), Some(hi)) => Some((lo, hi)),
        (None, None) => None,
        _ => return Err("give both min and max, or neither".into()),
    };
    match (unit, r.choices.is_empty()) {
        (Unit::Word, true) => return Err("a word needs `choices`".into()),
        (Unit::Word, false) => {
            if r.choices
                .iter()
                .any(|c| c.is_empty() || c.to_lowercase() != *c)
            {
                return Err("choices must be non-empty lower-case words".into());
            }
        }
        (_, false) => return Err("only a word has `choices`".into()),
        (_, true) => {}
    }
    let in_choices = |v: &Value| match v {
        Value::Text(t) if unit == Unit::Word && !r.choices.contains(t) => {
            Err(format!("\"{t}\" is not one of the choices"))
        }
        _ => Ok(()),
    };
    check_value(unit, range, &r.default)
        .and_then(|()| in_choices(&r.default))
        .map_err(|m| format!("default: {m}"))?;
    check_source(&r.source)?;
    let since = match &r.since {
        None => None,
        Some(v) => Some(Version::parse(v).ok_or_else(|| format!("since: bad version `{v}`"))?),
    };
    let mut defaults = Vec::with_capacity(r.defaults.len());
    for d in r.defaults {
        let versions = VersionReq::parse(&d.versions)
            .ok_or_else(|| format!("defaults: bad versions `{}`", d.versions))?;
        if !versions.satisfiable() {
            return Err(format!("defaults: no version is `{}`", d.versions));
        }
        check_value(unit, range, &d.value)
            .and_then(|()| in_choices(&d.value))
            .map_err(|m| format!("defaults `{}`: {m}", d.versions))?;
        check_source(&d.source).map_err(|m| format!("defaults `{}`: {m}", d.versions))?;
        let product = d.product.unwrap_or_else(|| system.to_string());
        if product.trim().is_empty() {
            return Err(format!("defaults `{}`: empty product", d.versions));
        }
        defaults.push(VersionDefault {
            product,
            versions,
            value: d.value,
            source: d.source,
        });
    }
    if r.doc.trim().is_empty() || r.doc.contains('\n') {
        return Err("doc must be one non-empty line".into());
    }
    Ok(Setting {
        name: r.name,
        unit,
        syntax: r.syntax,
        range,
        default: r.default,
        since,
        defaults,
        source: r.source,
        doc: r.doc,
        choices: r.choices,
    })
}

/// A default of the right type for `unit`, inside `range`.
fn check_value(unit: Unit, range: Option<(i64, i64)>, v: &Value) -> Result<(), String> {
    match (unit, v) {
        (Unit::List | Unit::Word, Value::Text(_)) => Ok(()),
        (Unit::List | Unit::Word, Value::Number(n)) => {
            Err(format!("{n} for a {} (write a string)", unit.as_str()))
        }
        (_, Value::Text(t)) => Err(format!("\"{t}\" where an integer is needed")),
        (Unit::Flag, Value::Number(n)) if !matches!(n, 0 | 1) => {
            Err(format!("{n} for a flag (write 0 or 1)"))
        }
        (_, Value::Number(n)) => match range {
            Some((lo, hi)) if *n < lo || *n > hi => Err(format!("{n} is outside {lo} to {hi}")),
            _ => Ok(()),
        },
    }
}

/// An `https://` URL, or `owner/repo@<40 hex>:path`.
fn check_source(s: &str) -> Result<(), String> {
    let url = s.starts_with("https://") && s.len() > "https://".len();
    let repo = s.split_once('@').is_some_and(|(repo, rest)| {
        let repo_ok = repo.split('/').count() == 2 && repo.split('/').all(|p| !p.is_empty());
        rest.split_once(':').is_some_and(|(commit, path)| {
            commit.len() == 40 && commit.bytes().all(|b| b.is_ascii_hexdigit()) && !path.is_empty()
        }) && repo_ok
    });
    if s.contains(char::is_whitespace) || !(url || repo) {
        return Err(format!(
            "source `{s}` is neither an https URL nor owner/repo@<commit>:path"
        ));
    }
    Ok(())
}

/// The validated table of `system` (`mysql`, `postgres`, `pgbouncer`, `linux`),
/// loaded once; `None` for an unknown system or an invalid embedded table
/// (a build defect the unit tests catch; see the module docs).
pub fn table(system: &str) -> Option<&'static Table> {
    static TABLES: OnceLock<Vec<Option<Table>>> = OnceLock::new();
    let tables = TABLES.get_or_init(|| {
        FILES
            .iter()
            .map(|(system, file, text)| parse(system, file, text).ok())
            .collect()
    });
    let i = FILES.iter().position(|(s, _, _)| *s == system)?;
    tables.get(i)?.as_ref()
}

/// The table a product's settings are in, and the product as the tables
/// name it: `mysql`, `mariadb`, `percona` (MySQL versions) → the MySQL
/// table; `postgres`, `postgresql` → PostgreSQL; `pgbouncer`; `linux`.
fn product_table(product: &str) -> Option<(&'static Table, &'static str)> {
    let (system, canonical) = match product.trim().to_ascii_lowercase().as_str() {
        "mysql" | "percona" => ("mysql", "mysql"),
        "mariadb" => ("mysql", "mariadb"),
        "postgres" | "postgresql" => ("postgres", "postgres"),
        "pgbouncer" => ("pgbouncer", "pgbouncer"),
        "linux" => ("linux", "linux"),
        _ => return None,
    };
    Some((table(system)?, canonical))
}

/// A setting's default for one version of a product ([`default_for`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DefaultFor {
    /// The default and where it is documented.
    Value {
        /// The default, in the row's unit.
        value: &'static Value,
        /// Its source.
        source: &'static str,
    },
    /// The version predates the setting: the server does not know it.
    NotInVersion {
        /// The first version with the setting.
        since: &'static Version,
        /// The row's source.
        source: &'static str,
    },
}

/// The default of setting `name` in `version` of `product` (`mysql`,
/// `mariadb`, `percona`, `postgres`/`postgresql`, `pgbouncer`, `linux`), e.g.
/// `default_for("pgbouncer", "query_wait_timeout", Some("1.6.1"))` is 0
/// and with `Some("1.7")` or `None` it is 120.
///
/// The version text is read by [`Version::leading`] (`16-alpine` is 16).
/// Without a version, with one that cannot be read, or with one too coarse
/// to decide (`1.4` against `<1.4.1`), the current default is returned. A
/// version certainly below the row's `since` (only for the table's own
/// product) gives [`DefaultFor::NotInVersion`]. `None` for an unknown
/// product or setting.
pub fn default_for(product: &str, name: &str, version: Option<&str>) -> Option<DefaultFor> {
    let (table, product) = product_table(product)?;
    let row = table.get(name)?;
    let current = DefaultFor::Value {
        value: &row.default,
        source: &row.source,
    };
    let Some(v) = version.and_then(Version::leading) else {
        return Some(current);
    };
    if product == table.system
        && let Some(since) = &row.since
        && cmp_parts(&v.bounds(since.0.len()).1, &since.0).is_lt()
    {
        return Some(DefaultFor::NotInVersion {
            since,
            source: &row.source,
        });
    }
    let older = row
        .defaults
        .iter()
        .find(|d| d.product == product && d.versions.matches(&v) == Some(true));
    Some(older.map_or(current, |d| DefaultFor::Value {
        value: &d.value,
        source: &d.source,
    }))
}

/// The settings reference of `docs/settings.md` (between its markers): per
/// system a table of name, unit, range, default, since and source, then
/// the per-version defaults. Deterministic: file order, then row order.
pub fn markdown(tables: &[Table]) -> String {
    let mut out = String::new();
    for t in tables {
        out.push_str(&format!("### {} (`{}`)\n\n", t.display, t.file));
        out.push_str("| Setting | Unit | Range | Default | Since | Source | What it does |\n");
        out.push_str("|---|---|---|---|---|---|---|\n");
        for s in &t.settings {
            let range = match s.range {
                Some((lo, hi)) => format!("{lo} to {hi}"),
                None if !s.choices.is_empty() => format!("one of {}", s.choices.join(", ")),
                None => "not checked".to_string(),
            };
            let unit = match &s.syntax {
                Some(syn) => format!("{} ({syn})", s.unit.as_str()),
                None => s.unit.as_str().to_string(),
            };
            let since = s.since.as_ref().map_or("—".to_string(), |v| v.to_string());
            out.push_str(&format!(
                "| `{}` | {unit} | {range} | {} | {since} | {} | {} |\n",
                s.name,
                s.default,
                link(&s.source),
                s.doc
            ));
        }
        let older: Vec<(&Setting, &VersionDefault)> = t
            .settings
            .iter()
            .flat_map(|s| s.defaults.iter().map(move |d| (s, d)))
            .collect();
        if !older.is_empty() {
            out.push_str("\nDefaults of other versions:\n\n");
            for (s, d) in older {
                out.push_str(&format!(
                    "- `{}` = {} in {} {} ({})\n",
                    s.name,
                    d.value,
                    d.product,
                    d.versions,
                    link(&d.source)
                ));
            }
        }
        out.push('\n');
    }
    out
}

/// A Markdown link for a source: URLs as is, `owner/repo@commit:path` to
/// its GitHub blob.
fn link(source: &str) -> String {
    if source.starts_with("https://") {
        return format!("<{source}>");
    }
    match source.split_once('@').and_then(|(repo, rest)| {
        let (commit, path) = rest.split_once(':')?;
        Some((repo, commit, path))
    }) {
        Some((repo, commit, path)) => format!(
            "[{repo}@{}:{path}](https://github.com/{repo}/blob/{commit}/{path})",
            &commit[..commit.len().min(8)]
        ),
        None => source.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "system = \"mysql\"\ndisplay = \"MySQL\"\n";

    fn row(extra: &str) -> String {
        format!(
            "{HEADER}[[setting]]\nname = \"x_timeout\"\nunit = \"s\"\nmin = 1\nmax = 10\n\
             default = 5\nsource = \"https://example.org/x\"\ndoc = \"x\"\n{extra}"
        )
    }

    fn err(text: &str) -> String {
        parse("mysql", "t.toml", text).unwrap_err().to_string()
    }

    #[test]
    fn every_embedded_table_loads_and_validates() {
        let tables = load_all().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(tables.len(), FILES.len());
        for t in &tables {
            assert!(!t.settings.is_empty(), "{}", t.file);
            assert!(table(&t.system).is_some(), "{}", t.system);
        }
    }

    #[test]
    fn missing_row_sources_name_their_file() {
        for (system, file, _) in FILES {
            assert_eq!(
                missing_row_source(system),
                format!("{file} ({MISSING_ROW})"),
                "{system}"
            );
        }
    }

    #[test]
    fn valid_row_parses() {
        let t = parse("mysql", "t.toml", &row("")).unwrap();
        let s = t.get("x_timeout").unwrap();
        assert_eq!(s.unit, Unit::Seconds);
        assert_eq!(s.range, Some((1, 10)));
        assert_eq!(s.default, Value::Number(5));
    }

    #[test]
    fn rejects_bad_rows() {
        let cases = [
            (row("").replace("\"s\"", "\"sec\""), "unknown unit `sec`"),
            (
                row("").replace("min = 1", "min = 11"),
                "min 11 is above max 10",
            ),
            (row("").replace("max = 10\n", ""), "both min and max"),
            (
                row("").replace("default = 5", "default = 50"),
                "50 is outside 1 to 10",
            ),
            (
                row("").replace("default = 5", "default = \"5\""),
                "where an integer",
            ),
            (
                row("").replace("source = \"https://example.org/x\"", "source = \"docs\""),
                "neither an https URL",
            ),
            (
                row("").replace("source = \"https://example.org/x\"\n", ""),
                "missing field `source`",
            ),
            (row("since = \"14.x\""), "since: bad version"),
            (
                row("defaults = [{ versions = \"8.0\", value = 1, source = \"https://e.org\" }]"),
                "bad versions `8.0`",
            ),
            (
                row(
                    "defaults = [{ versions = \">=2, <1\", value = 1, source = \"https://e.org\" }]",
                ),
                "no version is",
            ),
            (
                row("defaults = [{ versions = \"<2\", value = 99, source = \"https://e.org\" }]"),
                "99 is outside",
            ),
            (row("color = 1"), "unknown field `color`"),
            (
                row("").replace("doc = \"x\"", "doc = \"\""),
                "one non-empty line",
            ),
            (
                format!("{}\n{}", row(""), row("").replace(HEADER, "")),
                "duplicate name",
            ),
            (
                row("").replace("system = \"mysql\"", "system = \"pg\""),
                "expected `mysql`",
            ),
        ];
        for (text, want) in cases {
            let got = err(&text);
            assert!(got.contains(want), "want `{want}` in `{got}`");
        }
    }

    #[test]
    fn word_rows_need_choices_holding_the_default() {
        let word = |extra: &str| {
            format!(
                "{HEADER}[[setting]]\nname = \"pool_mode\"\nunit = \"word\"\n\
                 default = \"session\"\nsource = \"https://example.org/x\"\ndoc = \"x\"\n{extra}"
            )
        };
        let t = parse(
            "mysql",
            "t.toml",
            &word("choices = [\"session\", \"transaction\"]"),
        )
        .expect("a word row loads");
        assert_eq!(t.settings[0].unit, Unit::Word);
        assert_eq!(t.settings[0].choices, ["session", "transaction"]);
        for (text, want) in [
            (word(""), "needs `choices`"),
            (
                word("choices = [\"transaction\"]"),
                "not one of the choices",
            ),
            (word("choices = [\"Session\"]"), "lower-case"),
            (
                word("choices = [\"session\"]\nmin = 0\nmax = 1"),
                "has no range",
            ),
            (row("choices = [\"a\"]"), "only a word has `choices`"),
            (
                word("choices = [\"session\"]").replace("\"session\"\nsource", "3\nsource"),
                "for a word",
            ),
        ] {
            let got = err(&text);
            assert!(got.contains(want), "want `{want}` in `{got}`");
        }
    }

    #[test]
    fn flags_and_lists_have_typed_defaults() {
        let flag = row("").replace(
            "unit = \"s\"\nmin = 1\nmax = 10\ndefault = 5",
            "unit = \"flag\"\ndefault = 2",
        );
        assert!(err(&flag).contains("for a flag"));
        let list = row("").replace(
            "unit = \"s\"\nmin = 1\nmax = 10\ndefault = 5",
            "unit = \"list\"\ndefault = 0",
        );
        assert!(err(&list).contains("for a list"));
        let ok = row("").replace(
            "unit = \"s\"\nmin = 1\nmax = 10\ndefault = 5",
            "unit = \"list\"\ndefault = \"\"",
        );
        assert!(parse("mysql", "t.toml", &ok).is_ok());
    }

    #[test]
    fn versions_parse_and_compare() {
        let v = |s: &str| Version::leading(s).unwrap();
        assert_eq!(v("10.3.39-MariaDB").to_string(), "10.3.39");
        assert_eq!(v("16-alpine").to_string(), "16");
        assert_eq!(v("v1.23.1").to_string(), "1.23.1");
        assert_eq!(Version::leading("latest"), None);
        let r = VersionReq::parse("<1.4.1").unwrap();
        assert_eq!(r.matches(&v("1.4")), None);
        assert_eq!(r.matches(&v("1.4.0")), Some(true));
        assert_eq!(r.matches(&v("1.3")), Some(true));
        assert_eq!(r.matches(&v("1.4.1")), Some(false));
        assert_eq!(r.matches(&v("1.10")), Some(false));
        let r = VersionReq::parse(">=10.2, <10.5").unwrap();
        assert_eq!(r.matches(&v("10.4.3")), Some(true));
        assert_eq!(r.matches(&v("10.5")), Some(false));
        assert_eq!(r.matches(&v("10")), None);
        assert_eq!(
            VersionReq::parse("<1.7").unwrap().matches(&v("1.7")),
            Some(false)
        );
    }

    fn value(d: Option<DefaultFor>) -> Option<String> {
        match d? {
            DefaultFor::Value { value, .. } => Some(value.to_string()),
            DefaultFor::NotInVersion { since, .. } => Some(format!("since {since}")),
        }
    }

    #[test]
    fn default_for_picks_the_version() {
        let q = |v| value(default_for("pgbouncer", "query_wait_timeout", v));
        assert_eq!(q(None).as_deref(), Some("120"));
        assert_eq!(q(Some("1.7")).as_deref(), Some("120"));
        assert_eq!(q(Some("1.6.1")).as_deref(), Some("0"));
        assert_eq!(q(Some("latest")).as_deref(), Some("120"));
        let k = |v| value(default_for("pgbouncer", "tcp_keepalive", v));
        assert_eq!(
            k(Some("1.4")).as_deref(),
            Some("1"),
            "too coarse: current default"
        );
        assert_eq!(k(Some("1.4.0")).as_deref(), Some("0"));
        assert_eq!(k(Some("1.4.1")).as_deref(), Some("1"));
        let pg = |n, v| value(default_for("postgresql", n, v));
        assert_eq!(pg("idle_session_timeout", Some("16")).as_deref(), Some("0"));
        assert_eq!(
            pg("idle_session_timeout", Some("13.4")).as_deref(),
            Some("since 14")
        );
        assert_eq!(
            pg("transaction_timeout", Some("16-alpine")).as_deref(),
            Some("since 17")
        );
        assert_eq!(pg("transaction_timeout", Some("17")).as_deref(), Some("0"));
        assert_eq!(
            pg("reserved_connections", Some("15")).as_deref(),
            Some("since 16")
        );
        assert_eq!(
            value(default_for("mariadb", "wait_timeout", Some("10.11"))).as_deref(),
            Some("28800")
        );
        assert_eq!(default_for("oracle", "wait_timeout", None), None);
        assert_eq!(default_for("mysql", "no_such_setting", None), None);
    }

    #[test]
    fn default_for_gives_the_source_of_the_older_default() {
        let Some(DefaultFor::Value { source, .. }) =
            default_for("pgbouncer", "query_wait_timeout", Some("1.6"))
        else {
            panic!("no default");
        };
        assert!(source.starts_with("pgbouncer/pgbouncer@"), "{source}");
    }

    #[test]
    fn markdown_lists_every_row() {
        let tables = load_all().unwrap();
        let md = markdown(&tables);
        for t in &tables {
            for s in &t.settings {
                assert!(md.contains(&format!("| `{}` |", s.name)), "{}", s.name);
            }
        }
        assert!(md.contains("`query_wait_timeout` = 0 in pgbouncer <1.7"));
    }
}
