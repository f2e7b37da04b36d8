//! Driver connect arguments: `connect_timeout`, `read_timeout`, `write_timeout`
//! (seconds) and mysql-connector's `use_pure`, from SQLAlchemy `connect_args`,
//! URL query parameters or Django `OPTIONS`, with each driver's documented defaults.
//!
//! Sources (DOMAIN.md 4.3): PyMySQL `connect_timeout=10`, `read_timeout` /
//! `write_timeout` None, and `0 < connect_timeout <= 31536000` (ValueError
//! otherwise); mysqlclient `0` = not set (library default); mysql-connector
//! `connection_timeout` (alias `connect_timeout`) None, `use_pure` False.

use std::time::Duration;

use crate::parse::tree::{Node, NodeKind};
use crate::provenance::{Origin, Sourced};
use crate::source::{Location, Span};

use super::Driver;
use super::url::DbUrl;
use super::values::{Ctx, Seconds};

const PYMYSQL: &str = "PyMySQL/PyMySQL@0305ab3:pymysql/connections.py (connect_timeout=10, read_timeout=None, write_timeout=None)";
const MYSQLCLIENT: &str =
    "PyMySQL/mysqlclient@4742adc:src/MySQLdb/_mysql.c (timeouts set only when non-zero)";
const CONNECTOR: &str = "mysql/mysql-connector-python:lib/mysql/connector/constants.py (connection_timeout, read_timeout, write_timeout: None; use_pure: False)";
const UNKNOWN: &str = "no default recorded for this driver; treated as not set";

/// The three timeouts as read, `None` when not written; plus `use_pure`.
#[derive(Default)]
pub(super) struct ConnectArgs {
    pub connect: Option<Sourced<Option<Duration>>>,
    pub read: Option<Sourced<Option<Duration>>>,
    pub write: Option<Sourced<Option<Duration>>>,
    pub use_pure: Option<Sourced<bool>>,
}

/// The three timeouts with defaults filled in.
pub(super) struct Timeouts {
    pub connect: Sourced<Option<Duration>>,
    pub read: Sourced<Option<Duration>>,
    pub write: Sourced<Option<Duration>>,
}

/// Reads the timeouts of `args` (a mapping: `connect_args` or Django `OPTIONS`),
/// then fills the ones still missing from the URL query (connect args win).
pub(super) fn read(
    ctx: &mut Ctx<'_>,
    section: &str,
    args: Option<&Node>,
    url: Option<(&Node, &DbUrl)>,
    driver: &Driver,
) -> ConnectArgs {
    let mut out = ConnectArgs::default();
    let connector = matches!(driver, Driver::MysqlConnector { .. });
    if let Some(args) = args {
        for (key, value) in args.as_map().unwrap_or(&[]) {
            let name = format!("{section}.{}", key.text);
            let slot = match key.text.as_str() {
                "connect_timeout" => &mut out.connect,
                "connection_timeout" if connector => &mut out.connect,
                "read_timeout" => &mut out.read,
                "write_timeout" => &mut out.write,
                "use_pure" => {
                    let fallback = "use_pure = false (the C extension) is assumed";
                    out.use_pure = ctx.boolean(&name, value, fallback);
                    continue;
                }
                _ => continue,
            };
            if slot.is_none() {
                *slot = timeout(ctx, &name, value, driver);
            }
        }
    }
    if let Some((node, url)) = url {
        for q in &url.query {
            let span = ctx.inner_span(node, q.value_range.clone());
            let slot = match q.name.as_str() {
                "connect_timeout" => &mut out.connect,
                "connection_timeout" if connector => &mut out.connect,
                "read_timeout" => &mut out.read,
                "write_timeout" => &mut out.write,
                "use_pure" if out.use_pure.is_none() => {
                    out.use_pure = query_bool(ctx, &q.value, span);
                    continue;
                }
                _ => continue,
            };
            if slot.is_none() {
                *slot = query_timeout(ctx, &q.name, &q.value, span, driver);
            }
        }
    }
    out
}

fn fallback_text(driver: &Driver) -> &'static str {
    match driver {
        Driver::PyMySql => "the PyMySQL default is used",
        _ => "the driver default (not set) is used",
    }
}

/// A timeout in seconds: `null` = no timeout, `0` = not set (mysqlclient), a
/// positive number = that many seconds.
fn timeout(
    ctx: &mut Ctx<'_>,
    name: &str,
    node: &Node,
    driver: &Driver,
) -> Option<Sourced<Option<Duration>>> {
    if node.kind == NodeKind::Null {
        return Some(Sourced::new(None, ctx.at(node)));
    }
    let fallback = fallback_text(driver);
    match ctx.seconds(name, node, fallback)? {
        Seconds::NonNegative(d) => checked(ctx, name, d, node.span, driver),
        Seconds::Negative(x) => {
            let msg = format!("invalid {name} = {x} s: negative; {fallback}");
            ctx.invalid(node.span, msg, "must be more than 0");
            None
        }
    }
}

fn checked(
    ctx: &mut Ctx<'_>,
    name: &str,
    d: Duration,
    span: Span,
    driver: &Driver,
) -> Option<Sourced<Option<Duration>>> {
    if d.is_zero() {
        if *driver == Driver::PyMySql {
            let msg = format!(
                "invalid {name} = 0 s: PyMySQL requires more than 0 s; the PyMySQL default is used"
            );
            ctx.invalid(span, msg, "must be more than 0");
            return None;
        }
        return Some(Sourced::new(None, Origin::File(ctx.loc(span))));
    }
    Some(Sourced::new(Some(d), Origin::File(ctx.loc(span))))
}

fn query_timeout(
    ctx: &mut Ctx<'_>,
    name: &str,
    value: &str,
    span: Span,
    driver: &Driver,
) -> Option<Sourced<Option<Duration>>> {
    let secs = value
        .parse::<f64>()
        .ok()
        .filter(|x| x.is_finite() && *x >= 0.0)
        .and_then(|x| Duration::try_from_secs_f64(x).ok());
    match secs {
        Some(d) => checked(ctx, name, d, span, driver),
        None => {
            let shown: String = value.chars().take(40).collect();
            let msg = format!(
                "invalid URL parameter {name} = `{shown}`: not a number of seconds of 0 or more; {}",
                fallback_text(driver)
            );
            ctx.invalid(span, msg, "expected a number of seconds");
            None
        }
    }
}

fn query_bool(ctx: &mut Ctx<'_>, value: &str, span: Span) -> Option<Sourced<bool>> {
    let b = match value.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => true,
        "false" | "0" | "no" | "off" => false,
        _ => {
            let shown: String = value.chars().take(40).collect();
            let msg = format!(
                "invalid URL parameter use_pure = `{shown}`: not a boolean; use_pure = false is assumed"
            );
            ctx.invalid(span, msg, "expected true or false");
            return None;
        }
    };
    Some(Sourced::new(b, Origin::File(ctx.loc(span))))
}

/// Fills missing timeouts with the driver's documented defaults, anchored at `anchor`.
pub(super) fn with_defaults(args: ConnectArgs, driver: &Driver, anchor: Location) -> Timeouts {
    let (system, source, connect_default) = match driver {
        Driver::PyMySql => ("PyMySQL", PYMYSQL, Some(Duration::from_secs(10))),
        Driver::MysqlClient => ("mysqlclient", MYSQLCLIENT, None),
        Driver::MysqlConnector { .. } => ("mysql-connector-python", CONNECTOR, None),
        _ => ("the driver", UNKNOWN, None),
    };
    let default = |v: Option<Duration>| {
        Sourced::new(v, Origin::default_of(system, source).anchored(Some(anchor)))
    };
    Timeouts {
        connect: args.connect.unwrap_or_else(|| default(connect_default)),
        read: args.read.unwrap_or_else(|| default(None)),
        write: args.write.unwrap_or_else(|| default(None)),
    }
}
