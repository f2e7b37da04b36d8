//! SQLAlchemy `create_engine` keyword arguments, under a top-level `sqlalchemy`
//! mapping: one engine (`sqlalchemy: {url: ..., pool_recycle: ...}`, named
//! `default`) or several (`sqlalchemy: {primary: {url: ...}, replica: {url: ...}}`).
//!
//! Defaults (<https://docs.sqlalchemy.org/en/20/core/engines.html#sqlalchemy.create_engine>,
//! `sqlalchemy@f35da7e` `pool/base.py`, `pool/impl.py`): `pool_recycle` -1 (never),
//! `pool_pre_ping` false, `pool_timeout` 30 s, `pool_size` 5, `max_overflow` 10.

use std::time::Duration;

use crate::diagnostic::{Diagnostic, Label};
use crate::parse::tree::{Key, Node, NodeKind};
use crate::provenance::{Origin, Sourced};
use crate::rules::codes;
use crate::source::Location;
use crate::units::Retirement;

use super::pool_class::{PoolClass, default_pool_class};
use super::values::{Ctx, Seconds};
use super::{AppPool, Driver, Framework, connect, option_keys, pg, postgres_params, resolve_url};

const SYSTEM: &str = "SQLAlchemy";
const RECYCLE: &str = "https://docs.sqlalchemy.org/en/20/core/engines.html#sqlalchemy.create_engine.params.pool_recycle";
const PRE_PING: &str = "https://docs.sqlalchemy.org/en/20/core/engines.html#sqlalchemy.create_engine.params.pool_pre_ping";
const TIMEOUT: &str = "https://docs.sqlalchemy.org/en/20/core/engines.html#sqlalchemy.create_engine.params.pool_timeout";
const SIZE: &str =
    "https://docs.sqlalchemy.org/en/20/core/engines.html#sqlalchemy.create_engine.params.pool_size";
const OVERFLOW: &str = "https://docs.sqlalchemy.org/en/20/core/engines.html#sqlalchemy.create_engine.params.max_overflow";

/// SQLAlchemy's own `pool_recycle` default: -1, never recycled.
pub(super) fn default_recycle(anchor: Location) -> Sourced<Retirement> {
    Sourced::new(
        Retirement::Never,
        Origin::default_of(SYSTEM, RECYCLE).anchored(Some(anchor)),
    )
}

/// Engine keyword arguments as read; `None` = not written (or unusable).
#[derive(Default)]
pub(super) struct EngineOptions<'n> {
    pub recycle: Option<Sourced<Retirement>>,
    pub pre_ping: Option<Sourced<bool>>,
    pub pool_timeout: Option<Sourced<Duration>>,
    pub pool_size: Option<Sourced<u64>>,
    pub max_overflow: Option<Sourced<u64>>,
    pub connect_args: Option<&'n Node>,
    /// The text of a `pool_class` option (Flask-SQLAlchemy 3.1 checks this key).
    pub pool_class: Option<String>,
    /// `poolclass`, the SQLAlchemy argument.
    pub poolclass: Option<Sourced<PoolClass>>,
    /// The engine is made by `create_async_engine` (its default pool is
    /// `AsyncAdaptedQueuePool`).
    pub async_engine: bool,
}

/// Reads the pool keyword arguments of `map`; `recycle_fallback` completes the
/// message when `pool_recycle` is unusable (it names the default that applies).
pub(super) fn read_options<'n>(
    ctx: &mut Ctx<'_>,
    map: &'n Node,
    recycle_fallback: &str,
) -> EngineOptions<'n> {
    let mut o = EngineOptions::default();
    for (key, value) in map.as_map().unwrap_or(&[]) {
        match key.text.as_str() {
            "pool_recycle" => o.recycle = recycle(ctx, value, recycle_fallback),
            "pool_pre_ping" => {
                o.pre_ping = ctx.boolean(
                    "pool_pre_ping",
                    value,
                    "the SQLAlchemy default false is used",
                );
            }
            "pool_timeout" => {
                o.pool_timeout =
                    ctx.duration("pool_timeout", value, "the SQLAlchemy default 30 s is used");
            }
            "pool_size" => {
                o.pool_size = ctx.count("pool_size", value, "the SQLAlchemy default 5 is used");
            }
            "max_overflow" => o.max_overflow = max_overflow(ctx, value),
            "connect_args" => o.connect_args = ctx.mapping("connect_args", value),
            "pool_class" => {
                o.pool_class = Some(value.as_str().unwrap_or("").to_string());
            }
            "poolclass" => o.poolclass = poolclass(ctx, value),
            _ => {}
        }
    }
    o
}

/// `pool_recycle`: seconds (int or float); any negative value means never.
fn recycle(ctx: &mut Ctx<'_>, node: &Node, fallback: &str) -> Option<Sourced<Retirement>> {
    let r = match ctx.seconds("pool_recycle", node, fallback)? {
        Seconds::NonNegative(d) => Retirement::After(d),
        Seconds::Negative(_) => Retirement::Never,
    };
    Some(Sourced::new(r, ctx.at(node)))
}

/// `poolclass`: a class name (a string in YAML / TOML; Python class
/// references are turned into their dotted name by the Python reader). A
/// class timeoutlint does not know is kept as [`PoolClass::Unknown`] and
/// reported (TL012, info): the rules that depend on how the pool keeps
/// connections are skipped for it rather than guessed.
fn poolclass(ctx: &mut Ctx<'_>, node: &Node) -> Option<Sourced<PoolClass>> {
    let Some(text) = node.as_str() else {
        let msg = format!(
            "invalid poolclass = {}: expected a pool class name such as \"NullPool\" or \"sqlalchemy.pool.QueuePool\"; the dialect's default pool is assumed",
            ctx.shown(node)
        );
        ctx.invalid(node.span, msg, "expected a class name");
        return None;
    };
    let class = PoolClass::parse(text);
    if let PoolClass::Unknown(name) = &class {
        let msg = format!(
            "poolclass `{name}` is not a SQLAlchemy pool class timeoutlint knows (QueuePool, AsyncAdaptedQueuePool, NullPool, StaticPool, SingletonThreadPool, AssertionPool): whether it keeps idle connections is unknown, so the retirement and connection-count rules skip this pool"
        );
        let label = Label::at(ctx.loc(node.span), "unknown pool class");
        ctx.diags.push(
            Diagnostic::new(codes::UNKNOWN_PYTHON_VALUE, msg, label).with_help(
                "if it subclasses a SQLAlchemy pool, name that class instead; see https://docs.sqlalchemy.org/en/20/core/pooling.html",
            ),
        );
    }
    Some(Sourced::new(class, ctx.at(node)))
}

/// `max_overflow`: a count; a negative value means no limit, kept as `u64::MAX`.
fn max_overflow(ctx: &mut Ctx<'_>, node: &Node) -> Option<Sourced<u64>> {
    if let NodeKind::Int(i) = node.kind
        && i < 0
    {
        return Some(Sourced::new(u64::MAX, ctx.at(node)));
    }
    ctx.count("max_overflow", node, "the SQLAlchemy default 10 is used")
}

/// Builds one pool from a URL node and engine options; `recycle_default` is
/// what applies when `pool_recycle` is not written.
pub(super) fn build_pool(
    ctx: &mut Ctx<'_>,
    name: &str,
    framework: Framework,
    anchor: &Key,
    url_node: Option<&Node>,
    opts: EngineOptions<'_>,
    recycle_default: Sourced<Retirement>,
) -> AppPool {
    let anchor_loc = ctx.loc(anchor.span);
    let resolved = resolve_url(ctx, name, url_node, anchor);
    let mut driver = resolved.driver;
    let url = url_node.zip(resolved.url.as_ref());
    let args = connect::read(ctx, "connect_args", opts.connect_args, url, &driver.value);
    if let Driver::MysqlConnector { use_pure } = &mut driver.value {
        *use_pure = args.use_pure.as_ref().is_some_and(|u| u.value);
    }
    let written_connect = args.connect.clone();
    let timeouts = connect::with_defaults(args, &driver.value, anchor_loc);
    let input = pg::Input {
        section: "connect_args",
        args: opts.connect_args,
        url,
        anchor: anchor_loc,
        written_connect,
    };
    let url_text = url_node.and_then(Node::as_str);
    let pool_class = opts.poolclass.unwrap_or_else(|| {
        default_pool_class(
            resolved.backend.value,
            &driver.value,
            url_text,
            opts.async_engine,
            anchor_loc,
        )
    });
    let (pg, connect_timeout) = postgres_params(
        ctx,
        resolved.backend.value,
        &driver.value,
        &input,
        timeouts.connect,
    );
    let driver_options = option_keys(ctx, opts.connect_args);
    let session_settings = if resolved.backend.value == super::Backend::MySql {
        super::session::read(ctx, opts.connect_args)
    } else {
        Vec::new()
    };
    let endpoint = url.and_then(|(node, u)| {
        let h = u.host.as_ref()?;
        Some(super::Endpoint {
            host: h.host.clone(),
            port: h.port,
            at: ctx.loc(ctx.inner_span(node, h.range.clone())),
        })
    });
    let default = |source| Origin::default_of(SYSTEM, source).anchored(Some(anchor_loc));
    AppPool {
        name: name.to_string(),
        framework,
        anchor: anchor_loc,
        backend: resolved.backend,
        driver,
        pool_class: Some(pool_class),
        retirement: opts.recycle.unwrap_or(recycle_default),
        validation: opts
            .pre_ping
            .unwrap_or_else(|| Sourced::new(false, default(PRE_PING))),
        pool_timeout: Some(
            opts.pool_timeout
                .unwrap_or_else(|| Sourced::new(Duration::from_secs(30), default(TIMEOUT))),
        ),
        pool_size: Some(
            opts.pool_size
                .unwrap_or_else(|| Sourced::new(5, default(SIZE))),
        ),
        max_overflow: Some(
            opts.max_overflow
                .unwrap_or_else(|| Sourced::new(10, default(OVERFLOW))),
        ),
        connect_timeout,
        read_timeout: timeouts.read,
        write_timeout: timeouts.write,
        removed_keys: Vec::new(),
        pg,
        driver_options,
        django_pool: None,
        variant: None,
        session_settings,
        endpoint,
        database: url.and_then(|(_, u)| u.database.clone()),
        user: url.and_then(|(_, u)| u.username.clone()),
    }
}

/// Reads the `sqlalchemy` section whose key is `key`: one engine when it has a
/// `url`, else one engine per entry that is a mapping with a `url`.
pub(super) fn read_section(ctx: &mut Ctx<'_>, key: &Key, section: &Node, pools: &mut Vec<AppPool>) {
    let Some(section) = ctx.mapping("sqlalchemy", section) else {
        return;
    };
    if let Some(url) = section.get("url") {
        let opts = read_options(ctx, section, "the SQLAlchemy default -1 (never) is used");
        let default = default_recycle(ctx.loc(key.span));
        pools.push(build_pool(
            ctx,
            "default",
            Framework::SqlAlchemy,
            key,
            Some(url),
            opts,
            default,
        ));
        return;
    }
    let before = pools.len();
    for (name, engine) in section.as_map().unwrap_or(&[]) {
        let Some(url) = engine.get("url") else {
            continue;
        };
        let opts = read_options(ctx, engine, "the SQLAlchemy default -1 (never) is used");
        let default = default_recycle(ctx.loc(name.span));
        pools.push(build_pool(
            ctx,
            &name.text,
            Framework::SqlAlchemy,
            name,
            Some(url),
            opts,
            default,
        ));
    }
    if pools.len() == before {
        let msg = "sqlalchemy has no `url` and no engine mapping with a `url`; no engine is read"
            .to_string();
        ctx.invalid(key.span, msg, "expected `url: dialect+driver://...`");
    }
}
