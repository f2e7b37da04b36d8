//! PostgreSQL driver parameters: libpq keepalive and timeout parameters
//! (psycopg2, psycopg 3), asyncpg's `timeout` / `command_timeout`, and the
//! startup parameters sent with the connection (libpq `options`, asyncpg
//! `server_settings`).
//!
//! Values come from SQLAlchemy `connect_args` or Django `OPTIONS`, else from the
//! URL query (SQLAlchemy passes the query to the driver as keyword arguments;
//! `connect_args` win). A Python `None` is dropped by psycopg2 (`make_dsn`)
//! and psycopg 3 (`make_conninfo`), so a `null` reads as not set.
//!
//! Facts (DOMAIN.md 2.3, 4.3, 6):
//! - libpq: `keepalives` 1 (on); `keepalives_idle`, `keepalives_interval`,
//!   `keepalives_count` and `tcp_user_timeout` (ms) 0 = system default, a
//!   negative value counts as 0; all integers (`parse_int_param`);
//!   `connect_timeout` unset or <= 0 = wait indefinitely.
//! - psycopg 3 enforces `connect_timeout` itself: 130 s when unset or <= 0.
//! - asyncpg: `timeout` 60 s (connection), `command_timeout` None (no
//!   timeout; must be > 0); it never enables SO_KEEPALIVE (asyncpg issue #606).

use std::time::Duration;

use crate::parse::tree::{Node, NodeKind};
use crate::provenance::{Origin, Sourced};
use crate::source::{Location, Span};

use super::Driver;
use super::startup::{decode_query_value, parse_libpq_options};
use super::url::DbUrl;
use super::values::Ctx;

const LIBPQ: &str = "libpq";
const LIBPQ_DOC: &str = "https://www.postgresql.org/docs/15/libpq-connect.html#LIBPQ-PARAMKEYWORDS";
const PSYCOPG: &str = "psycopg 3";
const PSYCOPG_DOC: &str = "psycopg/psycopg@c079c37:psycopg/psycopg/conninfo.py (_DEFAULT_CONNECT_TIMEOUT = 130 when connect_timeout is unset or <= 0)";
const ASYNCPG: &str = "asyncpg";
const ASYNCPG_DOC: &str =
    "MagicStack/asyncpg@db8ecc2:asyncpg/connection.py (connect(timeout=60, command_timeout=None))";

/// libpq parameters of a psycopg2 / psycopg 3 pool.
#[derive(Clone, Debug, PartialEq)]
pub struct LibpqParams {
    /// `keepalives` (default 1 = on): whether libpq enables SO_KEEPALIVE.
    pub keepalives: Sourced<bool>,
    /// `keepalives_idle` (s): TCP_KEEPIDLE; `None` = 0 / system default.
    pub keepalives_idle: Sourced<Option<Duration>>,
    /// `keepalives_interval` (s): TCP_KEEPINTVL; `None` = 0 / system default.
    pub keepalives_interval: Sourced<Option<Duration>>,
    /// `keepalives_count`: TCP_KEEPCNT; `None` = 0 / system default.
    pub keepalives_count: Sourced<Option<u64>>,
    /// `tcp_user_timeout` (written in ms): TCP_USER_TIMEOUT; `None` = 0 / system default.
    pub tcp_user_timeout: Sourced<Option<Duration>>,
    /// `connect_timeout` (s): `None` = wait indefinitely (libpq, psycopg2);
    /// psycopg 3 uses 130 s when unset or <= 0.
    pub connect_timeout: Sourced<Option<Duration>>,
}

/// asyncpg `connect()` timeouts.
#[derive(Clone, Debug, PartialEq)]
pub struct AsyncpgParams {
    /// `timeout` (s), the connection timeout (default 60); `None` = a written
    /// `null`, no timeout.
    pub timeout: Sourced<Option<Duration>>,
    /// `command_timeout` (s), the default timeout of every operation; `None` =
    /// no timeout (the default).
    pub command_timeout: Sourced<Option<Duration>>,
}

/// How a startup parameter is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StartupVia {
    /// libpq `options` (`-c name=value`, `--name=value`).
    LibpqOptions,
    /// asyncpg `server_settings` dict.
    AsyncpgServerSettings,
}

/// A server parameter set in the startup packet.
#[derive(Clone, Debug, PartialEq)]
pub struct StartupParameter {
    /// Lower-case parameter (GUC) name, e.g. `statement_timeout`.
    pub name: String,
    /// The value as sent (PostgreSQL applies its units rule, DOMAIN.md 2.1).
    pub value: String,
    /// The value text, or the whole `options` string when no finer span exists.
    pub location: Location,
    /// How it is sent.
    pub via: StartupVia,
}

/// PostgreSQL parameters of a pool.
#[derive(Clone, Debug, PartialEq)]
pub struct PgParams {
    /// libpq parameters (psycopg2, psycopg 3); `None` for other drivers.
    pub libpq: Option<LibpqParams>,
    /// asyncpg parameters; `None` for other drivers.
    pub asyncpg: Option<AsyncpgParams>,
    /// Startup parameters in file order.
    pub startup_parameters: Vec<StartupParameter>,
}

impl PgParams {
    /// The driver's connect timeout: libpq `connect_timeout` or asyncpg `timeout`.
    pub fn connect_timeout(&self) -> Option<Sourced<Option<Duration>>> {
        if let Some(l) = &self.libpq {
            return Some(l.connect_timeout.clone());
        }
        self.asyncpg.as_ref().map(|a| a.timeout.clone())
    }
}

/// Where the parameters are read from.
pub(super) struct Input<'a> {
    /// Section name for messages: `connect_args`, `DATABASES.default.OPTIONS`.
    pub section: &'a str,
    /// `connect_args` / `OPTIONS` (a mapping), if any.
    pub args: Option<&'a Node>,
    /// The URL node and its parse (SQLAlchemy only).
    pub url: Option<(&'a Node, &'a DbUrl)>,
    /// The engine / alias key, the anchor of defaults.
    pub anchor: Location,
    /// `connect_timeout` as read by `connect::read` (connect args, then URL query).
    pub written_connect: Option<Sourced<Option<Duration>>>,
}

/// One written value: a tree node, or a URL query value (decoded).
enum Raw<'a> {
    Node(&'a Node),
    Query {
        /// Decoded value.
        text: String,
        /// True when the decoded value equals the raw text and `span` covers it exactly.
        verbatim: bool,
        span: Span,
    },
}

impl Raw<'_> {
    fn span(&self) -> Span {
        match self {
            Raw::Node(n) => n.span,
            Raw::Query { span, .. } => *span,
        }
    }
}

/// Reads the PostgreSQL parameters of a pool using `driver`.
pub(super) fn read(ctx: &mut Ctx<'_>, input: &Input<'_>, driver: &Driver) -> PgParams {
    let mut out = PgParams {
        libpq: None,
        asyncpg: None,
        startup_parameters: Vec::new(),
    };
    match driver {
        Driver::Psycopg2 | Driver::Psycopg => {
            out.libpq = Some(libpq(ctx, input, driver));
            if let Some((key, raw)) = find(ctx, input, "options") {
                libpq_options(ctx, &key, &raw, &mut out.startup_parameters);
            }
        }
        Driver::Asyncpg => {
            out.asyncpg = Some(asyncpg(ctx, input));
            if let Some(node) = input.args.and_then(|a| a.get("server_settings")) {
                let name = format!("{}.server_settings", input.section);
                if let Some(map) = ctx.mapping(&name, node) {
                    server_settings(ctx, &name, map, &mut out.startup_parameters);
                }
            }
        }
        _ => {}
    }
    out
}

/// The first value of `key`: from the connect args, else from the URL query.
/// Returns the name for messages with it.
fn find<'a>(ctx: &Ctx<'_>, input: &Input<'a>, key: &str) -> Option<(String, Raw<'a>)> {
    if let Some(node) = input.args.and_then(|a| a.get(key)) {
        return Some((format!("{}.{key}", input.section), Raw::Node(node)));
    }
    let (node, url) = input.url?;
    let q = url.query.iter().find(|q| q.name == key)?;
    let span = ctx.inner_span(node, q.value_range.clone());
    let text = decode_query_value(&q.value);
    let verbatim = text == q.value && span.len() == q.value.len();
    Some((
        format!("URL parameter {key}"),
        Raw::Query {
            text,
            verbatim,
            span,
        },
    ))
}

fn shown(ctx: &Ctx<'_>, raw: &Raw<'_>) -> String {
    match raw {
        Raw::Node(n) => ctx.shown(n),
        Raw::Query { text, .. } => {
            let s: String = text.chars().take(40).collect();
            format!("`{s}`")
        }
    }
}

/// An integer as libpq reads it; `Ok(None)` for a `null` (not set).
fn integer(ctx: &mut Ctx<'_>, name: &str, raw: &Raw<'_>, fallback: &str) -> Option<i64> {
    let parsed = match raw {
        Raw::Node(n) => match &n.kind {
            NodeKind::Int(i) => Some(*i),
            NodeKind::Str(s) => s.trim().parse().ok(),
            NodeKind::Null => return None,
            _ => None,
        },
        Raw::Query { text, .. } => text.trim().parse().ok(),
    };
    if parsed.is_none() {
        let msg = format!(
            "invalid {name} = {}: not an integer; {fallback}",
            shown(ctx, raw)
        );
        ctx.invalid(raw.span(), msg, "expected an integer");
    }
    parsed
}

/// A number of seconds as asyncpg reads it (`float()`); `Err(())` for `null`.
fn float(ctx: &mut Ctx<'_>, name: &str, raw: &Raw<'_>, fallback: &str) -> Result<f64, bool> {
    let parsed = match raw {
        Raw::Node(n) => match &n.kind {
            NodeKind::Int(i) => Some(*i as f64),
            NodeKind::Float(f) => Some(*f),
            NodeKind::Str(s) => s.trim().parse().ok(),
            NodeKind::Null => return Err(true),
            _ => None,
        },
        Raw::Query { text, .. } => text.trim().parse().ok(),
    };
    match parsed.filter(|x: &f64| x.is_finite()) {
        Some(x) => Ok(x),
        None => {
            let msg = format!(
                "invalid {name} = {}: not a number of seconds; {fallback}",
                shown(ctx, raw)
            );
            ctx.invalid(raw.span(), msg, "expected a number of seconds");
            Err(false)
        }
    }
}

fn libpq(ctx: &mut Ctx<'_>, input: &Input<'_>, driver: &Driver) -> LibpqParams {
    let default = |at: Location| Origin::default_of(LIBPQ, LIBPQ_DOC).anchored(Some(at));
    let anchor = input.anchor;

    let keepalives = match find(ctx, input, "keepalives") {
        Some((name, raw)) => {
            let origin = Origin::File(ctx.loc(raw.span()));
            let fallback = "the libpq default 1 (on) is used";
            let on = match &raw {
                Raw::Node(Node {
                    kind: NodeKind::Bool(b),
                    ..
                }) => Some(*b),
                _ => integer(ctx, &name, &raw, fallback).map(|i| i != 0),
            };
            on.map(|v| Sourced::new(v, origin))
        }
        None => None,
    }
    .unwrap_or_else(|| Sourced::new(true, default(anchor)));

    // Integers where 0 or less means the system default.
    let mut int_param = |key: &str| -> Sourced<Option<u64>> {
        let fallback = "the libpq default 0 (system default) is used";
        find(ctx, input, key)
            .and_then(|(name, raw)| {
                let i = integer(ctx, &name, &raw, fallback)?;
                let v = (i > 0).then(|| i.unsigned_abs());
                Some(Sourced::new(v, Origin::File(ctx.loc(raw.span()))))
            })
            .unwrap_or_else(|| Sourced::new(None, default(anchor)))
    };
    let secs = |v: Option<u64>| v.map(Duration::from_secs);
    let keepalives_idle = int_param("keepalives_idle").map(secs);
    let keepalives_interval = int_param("keepalives_interval").map(secs);
    let keepalives_count = int_param("keepalives_count");
    let tcp_user_timeout = int_param("tcp_user_timeout").map(|v| v.map(Duration::from_millis));

    let connect_timeout = match (driver, input.written_connect.clone()) {
        (Driver::Psycopg, Some(w)) if w.value.is_none() => {
            let at = w.origin.location().unwrap_or(anchor);
            psycopg_default(at)
        }
        (_, Some(w)) => w,
        (Driver::Psycopg, None) => psycopg_default(anchor),
        (_, None) => Sourced::new(None, default(anchor)),
    };

    LibpqParams {
        keepalives,
        keepalives_idle,
        keepalives_interval,
        keepalives_count,
        tcp_user_timeout,
        connect_timeout,
    }
}

fn psycopg_default(at: Location) -> Sourced<Option<Duration>> {
    Sourced::new(
        Some(Duration::from_secs(130)),
        Origin::default_of(PSYCOPG, PSYCOPG_DOC).anchored(Some(at)),
    )
}

fn asyncpg(ctx: &mut Ctx<'_>, input: &Input<'_>) -> AsyncpgParams {
    let default = |v| {
        Sourced::new(
            v,
            Origin::default_of(ASYNCPG, ASYNCPG_DOC).anchored(Some(input.anchor)),
        )
    };
    let mut positive = |key: &str, fallback: &str| -> Option<Sourced<Option<Duration>>> {
        let (name, raw) = find(ctx, input, key)?;
        let origin = Origin::File(ctx.loc(raw.span()));
        match float(ctx, &name, &raw, fallback) {
            Err(true) => Some(Sourced::new(None, origin)),
            Err(false) => None,
            Ok(x) if x > 0.0 => match Duration::try_from_secs_f64(x) {
                Ok(d) => Some(Sourced::new(Some(d), origin)),
                Err(_) => {
                    let msg = format!("invalid {name} = {x} s: too large; {fallback}");
                    ctx.invalid(raw.span(), msg, "too large");
                    None
                }
            },
            Ok(x) => {
                let msg =
                    format!("invalid {name} = {x} s: asyncpg requires more than 0 s; {fallback}");
                ctx.invalid(raw.span(), msg, "must be more than 0");
                None
            }
        }
    };
    let timeout = positive("timeout", "the asyncpg default 60 s is used");
    let command_timeout = positive(
        "command_timeout",
        "the asyncpg default (no timeout) is used",
    );
    AsyncpgParams {
        timeout: timeout.unwrap_or_else(|| default(Some(Duration::from_secs(60)))),
        command_timeout: command_timeout.unwrap_or_else(|| default(None)),
    }
}

fn libpq_options(ctx: &mut Ctx<'_>, name: &str, raw: &Raw<'_>, out: &mut Vec<StartupParameter>) {
    let text = match raw {
        Raw::Node(n) => match &n.kind {
            NodeKind::Str(s) => s.clone(),
            NodeKind::Null => return,
            _ => {
                let msg = format!(
                    "invalid {name}: expected a string of `-c name=value` settings, found {}; it is ignored",
                    n.type_name()
                );
                ctx.invalid(n.span, msg, "expected a string");
                return;
            }
        },
        Raw::Query { text, .. } => text.clone(),
    };
    let parsed = match parse_libpq_options(&text) {
        Ok(p) => p,
        Err(e) => {
            let msg = format!(
                "invalid {name}: {e}; the server refuses the connection, so its settings are ignored"
            );
            ctx.invalid(raw.span(), msg, "expected `-c name=value` settings");
            return;
        }
    };
    for p in parsed {
        let span = match raw {
            Raw::Node(n) => ctx.inner_span(n, p.value_range.clone()),
            Raw::Query {
                verbatim: true,
                span,
                ..
            } => Span::new(
                span.start + p.value_range.start,
                span.start + p.value_range.end,
            ),
            Raw::Query { span, .. } => *span,
        };
        out.push(StartupParameter {
            name: p.name,
            value: p.value,
            location: ctx.loc(span),
            via: StartupVia::LibpqOptions,
        });
    }
}

fn server_settings(ctx: &mut Ctx<'_>, section: &str, map: &Node, out: &mut Vec<StartupParameter>) {
    for (key, value) in map.as_map().unwrap_or(&[]) {
        let text = match &value.kind {
            NodeKind::Str(s) => s.clone(),
            NodeKind::Int(_) | NodeKind::Float(_) | NodeKind::Bool(_) => ctx
                .text
                .get(value.span.start..value.span.end)
                .unwrap_or("")
                .trim()
                .to_string(),
            _ => {
                let msg = format!(
                    "invalid {section}.{}: expected a string, found {}; it is ignored",
                    key.text,
                    value.type_name()
                );
                ctx.invalid(value.span, msg, "expected a string");
                continue;
            }
        };
        out.push(StartupParameter {
            name: key.text.to_lowercase(),
            value: text,
            location: ctx.loc(value.span),
            via: StartupVia::AsyncpgServerSettings,
        });
    }
}
