//! Apache Airflow's `airflow.cfg`: the metadata-database engine Airflow
//! builds from its `[database]` options (`[core]` before Airflow 2.3).
//!
//! Facts, from `apache/airflow` `airflow/settings.py` (`prepare_engine_args`,
//! `configure_orm`) and `airflow/configuration.py` (`AirflowConfigParser`),
//! and the configuration reference
//! (<https://airflow.apache.org/docs/apache-airflow/stable/configurations-ref.html#database>):
//! - Airflow calls `create_engine(sql_alchemy_conn, connect_args=..., **engine_args)`.
//! - `sql_alchemy_pool_enabled = False` makes the pool `NullPool`. Otherwise,
//!   unless the URL starts with `sqlite`, Airflow passes `pool_size`
//!   (fallback 5), `max_overflow` (10), `pool_recycle` (1800) and
//!   `pool_pre_ping` (True), read with `getint` / `getboolean`.
//! - `getboolean` lower-cases the value, cuts it at `#`, and accepts `t`,
//!   `true`, `1` / `f`, `false`, `0`; `getint` is Python's `int()`.
//! - Lookup order (`AirflowConfigParser.get`): the environment variable
//!   `AIRFLOW__{SECTION}__{KEY}` (for `[database]`, then the deprecated
//!   `[core]` name), then the file (`[database]`, then `[core]`, renamed in
//!   2.3.0: `deprecated_options`), then `{key}_cmd` / `{key}_secret` (and the
//!   `…_CMD` / `…_SECRET` variables), which Airflow honours only for
//!   sensitive options such as `sql_alchemy_conn`. timeoutlint never runs a
//!   command or queries a secrets backend: such a value is unknown (TL012).
//! - `sql_alchemy_connect_args` (an import path) and
//!   `sql_alchemy_engine_args` (JSON) are not modelled (TL012 when set).
//!
//! The file is read with [`crate::parse::cfg`]; the environment values are
//! the manifest's `[path.env]` and `--env-file` ([`EnvValues`]).
//!
//! The pool is a [`Framework::Airflow`] pool: SQLAlchemy semantics, but
//! rules, `chain` and budgets name Airflow's keys (`sql_alchemy_pool_recycle`,
//! `sql_alchemy_pool_size`, …; see [`Framework::retirement_key`]).

use std::path::Path;
use std::time::Duration;

use crate::diagnostic::{Diagnostic, Label};
use crate::env::EnvValues;
use crate::parse::cfg::{Item, lex};
use crate::parse::tree::{Key, Node, NodeKind};
use crate::provenance::{Origin, Sourced};
use crate::rules::codes;
use crate::source::{FileId, Location, SourceMap, Span};
use crate::units::Retirement;

use super::pool_class::PoolClass;
use super::sqlalchemy::{EngineOptions, build_pool};
use super::values::{Ctx, secret_spans_in_text};
use super::{AppSettings, Framework, Overrides};

const SYSTEM: &str = "Airflow";
const CONN_DEFAULT: &str = "https://airflow.apache.org/docs/apache-airflow/stable/configurations-ref.html#sql-alchemy-conn (default sqlite:///{AIRFLOW_HOME}/airflow.db)";
const RECYCLE: &str = "https://airflow.apache.org/docs/apache-airflow/stable/configurations-ref.html#sql-alchemy-pool-recycle; airflow/settings.py prepare_engine_args (fallback 1800)";
const SIZE: &str = "https://airflow.apache.org/docs/apache-airflow/stable/configurations-ref.html#sql-alchemy-pool-size; airflow/settings.py prepare_engine_args (fallback 5)";
const OVERFLOW: &str = "https://airflow.apache.org/docs/apache-airflow/stable/configurations-ref.html#sql-alchemy-max-overflow; airflow/settings.py prepare_engine_args (fallback 10)";
const PRE_PING: &str = "https://airflow.apache.org/docs/apache-airflow/stable/configurations-ref.html#sql-alchemy-pool-pre-ping; airflow/settings.py prepare_engine_args (fallback True)";
const ENABLED: &str = "https://airflow.apache.org/docs/apache-airflow/stable/configurations-ref.html#sql-alchemy-pool-enabled (default True)";

/// The sections Airflow reads database options from, newest first.
const SECTIONS: [&str; 2] = ["database", "core"];

/// Whether `path` is an Airflow config: named `airflow.cfg`, or a `.cfg`
/// file with a `[database]` or `[core]` section holding a `sql_alchemy_` key.
pub fn is_airflow_cfg(path: &Path, text: &str) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if name == "airflow.cfg" {
        return true;
    }
    if !name.ends_with(".cfg") {
        return false;
    }
    let mut section = String::new();
    lex(text).into_iter().any(|i| match i {
        Item::Section { name, .. } => {
            section = name;
            false
        }
        Item::Entry { key, .. } => {
            SECTIONS.contains(&section.as_str()) && key.starts_with("sql_alchemy_")
        }
        Item::Error { .. } => false,
    })
}

/// One `key = value` of `[database]` / `[core]`.
struct Entry {
    section: &'static str,
    key: String,
    key_span: Span,
    value: String,
    value_span: Span,
}

/// A raw option value and where it came from.
struct Raw {
    text: String,
    origin: Origin,
    /// Where diagnostics about it point.
    at: Span,
    /// How messages name it: `[database] sql_alchemy_pool_recycle` or `$AIRFLOW__…`.
    name: String,
}

/// What the lookup of one option found.
enum Found {
    Value(Raw),
    /// Only a command or secret reference gives it (sensitive option).
    Unknown,
    Unset,
}

struct Reader<'c, 'a> {
    ctx: &'c mut Ctx<'a>,
    entries: Vec<Entry>,
    env: &'c EnvValues,
    /// `[database]` header, else `[core]`, else the file start.
    anchor: Key,
}

impl Reader<'_, '_> {
    fn entry(&self, section: &str, key: &str) -> Option<&Entry> {
        self.entries
            .iter()
            .find(|e| e.section == section && e.key == key)
    }

    /// Where a value from the environment is anchored: the option in the
    /// file when written there, else the section header.
    fn env_anchor(&self, key: &str) -> Span {
        SECTIONS
            .iter()
            .find_map(|s| self.entry(s, key).map(|e| e.key_span))
            .unwrap_or(self.anchor.span)
    }

    /// Looks `key` up as Airflow does; `sensitive` options honour `_cmd` / `_secret`.
    fn lookup(&mut self, key: &str, sensitive: bool) -> Found {
        for section in SECTIONS {
            let var = format!(
                "AIRFLOW__{}__{}",
                section.to_uppercase(),
                key.to_uppercase()
            );
            if let Some((value, from)) = self.env.get(&var) {
                let at = self.env_anchor(key);
                return Found::Value(Raw {
                    text: value.to_string(),
                    origin: Origin::Env {
                        var: var.clone(),
                        value_from: Some(from.to_string()),
                        location: self.ctx.loc(at),
                    },
                    at,
                    name: format!("${var}"),
                });
            }
        }
        let mut indirect: Vec<(String, Span)> = Vec::new();
        for section in SECTIONS {
            let var = format!(
                "AIRFLOW__{}__{}",
                section.to_uppercase(),
                key.to_uppercase()
            );
            for suffix in ["_CMD", "_SECRET"] {
                if self.env.get(&format!("{var}{suffix}")).is_some() {
                    indirect.push((format!("${var}{suffix}"), self.env_anchor(key)));
                }
            }
        }
        let mut file_value = None;
        for section in SECTIONS {
            if let Some(e) = self.entry(section, key) {
                file_value = Some(Raw {
                    text: e.value.clone(),
                    origin: Origin::File(self.ctx.loc(e.value_span)),
                    at: e.value_span,
                    name: format!("[{}] {key}", e.section),
                });
                break;
            }
        }
        if file_value.is_none() {
            for section in SECTIONS {
                for suffix in ["_cmd", "_secret"] {
                    if let Some(e) = self.entry(section, &format!("{key}{suffix}")) {
                        indirect.push((format!("[{section}] {}", e.key), e.key_span));
                    }
                }
            }
        }
        if let Some((name, at)) = indirect.first() {
            let msg = if !sensitive {
                format!(
                    "{name} is ignored: Airflow runs commands and reads secrets backends only for sensitive options, and `{key}` is not one"
                )
            } else if file_value.is_some() {
                format!(
                    "{name} is set; Airflow would use it before `{key}` in the file, but timeoutlint does not run commands or query secrets backends, so the file's value is used"
                )
            } else {
                format!(
                    "`{key}` comes from {name}: timeoutlint does not run commands or query secrets backends, so its value is unknown"
                )
            };
            let label = Label::at(self.ctx.loc(*at), "value not known");
            self.ctx.diags.push(
                Diagnostic::new(codes::UNKNOWN_PYTHON_VALUE, msg, label).with_help(
                    "give the value in the manifest's [path.env] (AIRFLOW__DATABASE__…) or an --env-file",
                ),
            );
            if sensitive && file_value.is_none() {
                return Found::Unknown;
            }
        }
        file_value.map_or(Found::Unset, Found::Value)
    }

    /// An unusable value: TL002 at its location, naming the fallback.
    fn invalid(&mut self, raw: &Raw, what: &str, fallback: &str) {
        let shown: String = if raw.text.contains("://") || raw.text.contains('@') {
            "(hidden)".to_string()
        } else {
            raw.text.chars().take(40).collect()
        };
        let msg = format!("invalid {} = {shown}: {what}; {fallback}", raw.name);
        self.ctx.invalid(raw.at, msg, what);
    }

    /// An integer as Python's `int()` reads it (blanks, sign, `_` between digits).
    fn int(&mut self, key: &str, fallback: &str) -> Option<(i64, Raw)> {
        let Found::Value(raw) = self.lookup(key, false) else {
            return None;
        };
        let t = raw.text.trim();
        let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
        let ok = !digits.is_empty()
            && !digits.starts_with('_')
            && !digits.ends_with('_')
            && !digits.contains("__")
            && digits.chars().all(|c| c.is_ascii_digit() || c == '_');
        match t.replace('_', "").parse::<i64>() {
            Ok(n) if ok => Some((n, raw)),
            _ => {
                self.invalid(
                    &raw,
                    "not an integer (Airflow reads it with getint)",
                    fallback,
                );
                None
            }
        }
    }

    /// A boolean as Airflow's `getboolean` reads it.
    fn boolean(&mut self, key: &str, fallback: &str) -> Option<Sourced<bool>> {
        let Found::Value(raw) = self.lookup(key, false) else {
            return None;
        };
        let lower = raw.text.to_lowercase();
        let v = lower.split('#').next().unwrap_or("").trim();
        match v {
            "t" | "true" | "1" => Some(Sourced::new(true, raw.origin)),
            "f" | "false" | "0" => Some(Sourced::new(false, raw.origin)),
            _ => {
                self.invalid(&raw, "not a boolean (t, true, 1, f, false or 0)", fallback);
                None
            }
        }
    }

    fn default(&self, source: &'static str) -> Origin {
        Origin::default_of(SYSTEM, source).anchored(Some(self.ctx.loc(self.anchor.span)))
    }
}

/// Reads an `airflow.cfg` already in `sources` as app settings: one engine,
/// `default`, anchored at the `[database]` header (else `[core]`).
/// `env` holds deploy-time `AIRFLOW__…` values, which win over the file.
/// Secrets (URL passwords, `password=` text, values of keys named like a
/// secret, `fernet_key`) are marked in the file; env secrets are scrubbed by value.
pub fn read_airflow(
    file: FileId,
    env: &EnvValues,
    overrides: &Overrides,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> AppSettings {
    for v in env.secret_values() {
        sources.add_secret_value(v);
    }
    let text = sources.get(file).text().to_string();
    let mut secrets = secret_spans_in_text(&text);
    let mut section: Option<&'static str> = None;
    let mut anchors: Vec<(&'static str, Key)> = Vec::new();
    let mut entries = Vec::new();
    let mut errors = Vec::new();
    for item in lex(&text) {
        match item {
            Item::Section { name, name_span } => {
                section = SECTIONS.iter().copied().find(|s| *s == name);
                if let Some(s) = section
                    && !anchors.iter().any(|(a, _)| *a == s)
                {
                    anchors.push((
                        s,
                        Key {
                            text: name,
                            span: name_span,
                        },
                    ));
                }
            }
            Item::Entry {
                key,
                key_span,
                value,
                value_span,
            } => {
                if crate::secrets::is_secret_var_name(&key)
                    || key.eq_ignore_ascii_case("fernet_key")
                {
                    secrets.push(value_span);
                }
                if let Some(s) = section {
                    entries.push(Entry {
                        section: s,
                        key: key.to_lowercase(),
                        key_span,
                        value,
                        value_span,
                    });
                }
            }
            Item::Error { span, message } => errors.push((span, message)),
        }
    }
    for (span, message) in errors {
        let label = Label::at(Location::new(file, span), "here");
        diags.push(Diagnostic::new(
            codes::SYNTAX_ERROR,
            format!("invalid airflow.cfg: {message}"),
            label,
        ));
    }
    let anchor = SECTIONS
        .iter()
        .find_map(|s| anchors.iter().find(|(a, _)| a == s).map(|(_, k)| k.clone()))
        .unwrap_or(Key {
            text: "airflow.cfg".into(),
            span: Span::new(0, 0),
        });
    let has_section = !anchors.is_empty();
    let mut ctx = Ctx {
        file,
        text: &text,
        diags,
        origins: Vec::new(),
        overrides: overrides.clone(),
        spaces: Vec::new(),
    };
    let pools = if has_section || !env.is_empty() {
        let mut r = Reader {
            ctx: &mut ctx,
            entries,
            env,
            anchor,
        };
        vec![read_engine(&mut r)]
    } else {
        let msg = "no Airflow database settings found: expected a `[database]` (Airflow 2.3+) or `[core]` section".to_string();
        ctx.invalid(Span::new(0, 0), msg, "airflow.cfg");
        Vec::new()
    };
    for span in secrets {
        sources.get_mut(file).mark_secret(span);
    }
    AppSettings { file, pools }
}

fn read_engine(r: &mut Reader<'_, '_>) -> super::AppPool {
    for key in ["sql_alchemy_connect_args", "sql_alchemy_engine_args"] {
        if let Found::Value(raw) = r.lookup(key, false)
            && !raw.text.trim().is_empty()
        {
            let msg = format!(
                "{} is set: timeoutlint does not model Airflow's `{key}` (an import path or JSON evaluated at run time), so driver timeouts and engine arguments given there are not checked",
                raw.name
            );
            let label = Label::at(r.ctx.loc(raw.at), "not modelled");
            r.ctx.diags.push(
                Diagnostic::new(codes::UNKNOWN_PYTHON_VALUE, msg, label).with_help(
                    "put the pool and driver settings in a SQLAlchemy app file listed in the manifest to have them checked",
                ),
            );
        }
    }
    // The URL: a string node at its value (file), or at its anchor with the
    // environment or default origin.
    let (url_node, conn_text, conn_unknown) = match r.lookup("sql_alchemy_conn", true) {
        Found::Value(raw) => {
            let node = Node::new(NodeKind::Str(raw.text.clone()), raw.at);
            if !matches!(raw.origin, Origin::File(_)) {
                r.ctx.origins.push((raw.at, raw.origin));
            }
            (Some(node), raw.text, false)
        }
        Found::Unknown => (None, String::new(), true),
        Found::Unset => {
            let text = "sqlite:///airflow.db".to_string();
            let node = Node::new(NodeKind::Str(text.clone()), r.anchor.span);
            r.ctx.origins.push((r.anchor.span, r.default(CONN_DEFAULT)));
            (Some(node), text, false)
        }
    };
    let enabled = r
        .boolean(
            "sql_alchemy_pool_enabled",
            "the Airflow default True is used",
        )
        .unwrap_or_else(|| Sourced::new(true, r.default(ENABLED)));
    let mut opts = EngineOptions::default();
    if !enabled.value {
        opts.poolclass = Some(Sourced::new(PoolClass::NullPool, enabled.origin));
    } else if !conn_text.starts_with("sqlite") {
        let size = r.int("sql_alchemy_pool_size", "the Airflow default 5 is used");
        opts.pool_size = Some(match size {
            Some((n, raw)) if n >= 0 => Sourced::new(n.unsigned_abs(), raw.origin),
            Some((_, raw)) => {
                r.invalid(&raw, "negative", "the Airflow default 5 is used");
                Sourced::new(5, r.default(SIZE))
            }
            None => Sourced::new(5, r.default(SIZE)),
        });
        let overflow = r.int("sql_alchemy_max_overflow", "the Airflow default 10 is used");
        opts.max_overflow = Some(match overflow {
            // SQLAlchemy: a negative max_overflow means no limit.
            Some((n, raw)) => Sourced::new(u64::try_from(n).unwrap_or(u64::MAX), raw.origin),
            None => Sourced::new(10, r.default(OVERFLOW)),
        });
        let recycle = r.int(
            "sql_alchemy_pool_recycle",
            "the Airflow default 1800 is used",
        );
        opts.recycle = Some(match recycle {
            // SQLAlchemy: a negative pool_recycle means never.
            Some((n, raw)) => {
                let ret = u64::try_from(n).map_or(Retirement::Never, |s| {
                    Retirement::After(Duration::from_secs(s))
                });
                Sourced::new(ret, raw.origin)
            }
            None => Sourced::new(
                Retirement::After(Duration::from_secs(1800)),
                r.default(RECYCLE),
            ),
        });
        opts.pre_ping = Some(
            r.boolean(
                "sql_alchemy_pool_pre_ping",
                "the Airflow default True is used",
            )
            .unwrap_or_else(|| Sourced::new(true, r.default(PRE_PING))),
        );
    }
    // SQLite (no pool arguments from Airflow) and NullPool: SQLAlchemy's own
    // defaults apply to what Airflow does not pass.
    let recycle_default = super::sqlalchemy::default_recycle(r.ctx.loc(r.anchor.span));
    let before = r.ctx.diags.len();
    let anchor = r.anchor.clone();
    let pool = build_pool(
        r.ctx,
        "default",
        Framework::Airflow,
        &anchor,
        url_node.as_ref(),
        opts,
        recycle_default,
    );
    if conn_unknown {
        // Already reported as unknown (TL012): not also a missing URL (TL002).
        let tail = r.ctx.diags.split_off(before);
        r.ctx.diags.extend(
            tail.into_iter()
                .filter(|d| d.code.id != codes::INVALID_VALUE.id),
        );
    }
    pool
}
