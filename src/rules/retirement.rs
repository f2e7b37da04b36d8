//! Each segment's retirement against every idle killer on that segment.
//!
//! - TL101 pool-recycle-exceeds-wait-timeout (app -> MySQL)
//! - TL102 conn-max-age-exceeds-wait-timeout (Django app -> MySQL)
//! - TL103 retirement-exceeds-hop-idle-timeout (any client end -> network hop)
//! - TL104 retirement-within-margin-of-idle-timeout
//! - TL107 retirement-causes-reconnect-churn
//! - TL109 idle-session-timeout-kills-pooled-connections (PgBouncer pool -> PostgreSQL)
//! - TL110 client-idle-timeout-not-above-retirement (app -> PgBouncer)
//! - TL119 retirement-exceeds-idle-session-timeout (app -> PostgreSQL)
//!
//! Retirement is an age checked when a connection is handed out (SQLAlchemy
//! `pool_recycle`, `lib/sqlalchemy/pool/base.py`: `time.time() - starttime >
//! recycle` at checkout) or at request start and end (Django `CONN_MAX_AGE`,
//! `django/db/backends/base/base.py close_if_unusable_or_obsolete`); for
//! PgBouncer's server pool it is `server_idle_timeout` / `server_lifetime`
//! (`doc/config.md`). A connection handed out after idling t seconds has age
//! ≥ t, so retirement R below every idle killer K means no dead connection is
//! handed out: R < K.

use std::time::Duration;

use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::model::idle::{
    End, IdleKiller, KillerKind, Retire, Segment, end_keepalive, idle_killers, linked_segments,
    pgbouncer_retirement, pool_mode, segments,
};
use crate::model::{ConnectionPath, DbServer, Hop, OnIdle, PgBouncerHop};
use crate::provenance::Sourced;
use crate::rules::budget::{read_bound, retransmission_give_up};
use crate::rules::codes::{self, Code};
use crate::rules::{
    RuleOptions, insert_flask_options_fix, insert_keyword_fix, set_seconds_fix, value_label,
};
use crate::source::SourceMap;
use crate::systems::app::{AppPool, Backend, Framework, PoolClass};
use crate::systems::pgbouncer::{EffectivePoolMode, PoolMode, PoolModeScope};
use crate::units::{Retirement, fmt_secs};

/// Below this, retirement reconnects nearly every checkout (TL107).
const CHURN_BELOW: Duration = Duration::from_secs(60);

/// The retirement setting's name, as the pool's framework spells it
/// ([`Framework::retirement_key`]): `pool_recycle`, `CONN_MAX_AGE`,
/// `sql_alchemy_pool_recycle`.
pub(crate) fn setting_name(app: &AppPool) -> &'static str {
    app.framework.retirement_key()
}

/// The validation setting's name ([`Framework::validation_key`]):
/// `pool_pre_ping`, `CONN_HEALTH_CHECKS`, `sql_alchemy_pool_pre_ping`.
pub(crate) fn validation_name(app: &AppPool) -> &'static str {
    app.framework.validation_key()
}

/// The app's retirement as a [`Retire`], after its pool class
/// ([`AppPool::effective_retirement`]): `None` for a NullPool (no connection
/// idles in it, so no idle killer can meet one) or an unknown pool class;
/// for a StaticPool the setting is `poolclass` (its one connection is never
/// retired, whatever `pool_recycle` says).
pub(crate) fn app_retire(app: &AppPool) -> Option<Retire> {
    let value = app.effective_retirement()?;
    let setting = match &app.pool_class {
        Some(c) if c.value == PoolClass::StaticPool => "poolclass",
        _ => setting_name(app),
    };
    Some(Retire {
        value,
        setting,
        validated: app.validation.value,
    })
}

/// `pool_recycle = -1 (never; SQLAlchemy default)`,
/// `CONN_MAX_AGE = 600 s (app/settings.yaml:7)`.
pub(crate) fn retire_text(r: &Retire, sources: &SourceMap) -> String {
    let origin = r.value.origin.brief(sources);
    let name = r.setting;
    match r.value.value {
        Retirement::Never if name == "CONN_MAX_AGE" => format!("{name} = None (never; {origin})"),
        Retirement::Never
            if name == Framework::SqlAlchemy.retirement_key()
                || name == Framework::Airflow.retirement_key() =>
        {
            format!("{name} = -1 (never; {origin})")
        }
        Retirement::Never if name == "poolclass" => {
            format!("{name} = StaticPool (one connection, never retired; {origin})")
        }
        Retirement::Never => format!("{name} = 0 (never; {origin})"),
        Retirement::After(d) => format!("{name} = {} ({origin})", fmt_secs(d)),
    }
}

/// [`retire_text`] of an app pool's own retirement setting (before its pool
/// class).
pub(crate) fn retirement_text(app: &AppPool, sources: &SourceMap) -> String {
    let r = Retire {
        value: app.retirement.clone(),
        setting: setting_name(app),
        validated: app.validation.value,
    };
    retire_text(&r, sources)
}

fn killer_text(k: &IdleKiller, sources: &SourceMap) -> String {
    let v = format!(
        "{} ({})",
        fmt_secs(k.timeout.value),
        k.timeout.origin.brief(sources)
    );
    match k.kind {
        KillerKind::MysqlWaitTimeout => format!("wait_timeout = {v}"),
        KillerKind::PostgresIdleSession => format!("idle_session_timeout = {v}"),
        KillerKind::PgBouncerClientIdle => format!("client_idle_timeout = {v}"),
        KillerKind::Hop(_) => format!("the idle timeout of {} = {v}", k.label),
    }
}

/// The killer's setting, for help texts: `wait_timeout`, `the idle timeout
/// of hop "NAT"`.
fn killer_setting(k: &IdleKiller) -> String {
    match k.kind {
        KillerKind::MysqlWaitTimeout => "wait_timeout".to_string(),
        KillerKind::PostgresIdleSession => "idle_session_timeout".to_string(),
        KillerKind::PgBouncerClientIdle => "client_idle_timeout".to_string(),
        KillerKind::Hop(_) => format!("the idle timeout of {}", k.label),
    }
}

/// A retirement value to suggest: the margin below the shortest killer.
fn suggestion(shortest: Duration, opts: &RuleOptions) -> u64 {
    let s = (shortest.as_secs_f64() * (1.0 - opts.margin)).floor() as u64;
    s.max(1)
}

/// The rule for a (client end, killer) pair, and whether the value to change
/// is the killer (PgBouncer's `client_idle_timeout` "should be larger than the
/// client-side connection lifetime settings"; PostgreSQL warns against
/// `idle_session_timeout` behind poolers) rather than the retirement.
fn code_for(client: End<'_>, kind: KillerKind) -> Option<(Code, bool)> {
    Some(match (client, kind) {
        (End::App(a), KillerKind::MysqlWaitTimeout) if a.framework == Framework::Django => {
            (codes::CONN_MAX_AGE_EXCEEDS_WAIT_TIMEOUT, false)
        }
        (End::App(_), KillerKind::MysqlWaitTimeout) => {
            (codes::POOL_RECYCLE_EXCEEDS_WAIT_TIMEOUT, false)
        }
        (End::App(_), KillerKind::PostgresIdleSession) => {
            (codes::RETIREMENT_EXCEEDS_IDLE_SESSION_TIMEOUT, false)
        }
        (End::App(_), KillerKind::PgBouncerClientIdle) => {
            (codes::CLIENT_IDLE_TIMEOUT_NOT_ABOVE_RETIREMENT, true)
        }
        (End::PgBouncer(_), KillerKind::PostgresIdleSession) => {
            (codes::IDLE_SESSION_TIMEOUT_KILLS_POOLED, true)
        }
        (_, KillerKind::Hop(_)) => (codes::RETIREMENT_EXCEEDS_HOP_IDLE_TIMEOUT, false),
        _ => return None,
    })
}

/// Whether the killer applies to this client: a MySQL pool is not killed by a
/// PostgreSQL timeout (TL006 reports the mismatch instead).
fn applies(client: End<'_>, kind: KillerKind) -> bool {
    match (client, kind) {
        (End::App(a), KillerKind::MysqlWaitTimeout) => a.backend.value == Backend::MySql,
        (End::App(a), KillerKind::PostgresIdleSession | KillerKind::PgBouncerClientIdle) => {
            a.backend.value == Backend::PostgreSql
        }
        _ => true,
    }
}

pub(super) fn check(
    path: &ConnectionPath,
    sources: &SourceMap,
    opts: &RuleOptions,
    out: &mut Vec<Diagnostic>,
) {
    let segs = segments(path);
    for (i, seg) in segs.iter().enumerate() {
        let (retire, owner) = match seg.client {
            End::App(app) if app.backend.value == Backend::Sqlite => continue,
            End::App(app) => match app_retire(app) {
                Some(r) => (r, format!("pool \"{}\"", app.name)),
                // NullPool keeps nothing idle; an unknown class is not guessed.
                None => continue,
            },
            End::PgBouncer(b) => (pgbouncer_retirement(b), format!("PgBouncer \"{}\"", b.name)),
            End::Server(_) | End::Missing => continue,
        };
        if let Retirement::After(d) = retire.value.value {
            if d.is_zero() {
                // Not reused: closed after each request / reconnected each checkout.
                continue;
            }
            if let End::App(app) = seg.client
                && d < CHURN_BELOW
            {
                out.push(churn(app, d, sources));
            }
        }
        let effective = |j: usize| {
            idle_killers(path, &segs[j])
                .into_iter()
                .filter(|k| k.is_effective() && applies(seg.client, k.kind))
        };
        let mut killers: Vec<Killer<'_>> = effective(i)
            .map(|k| Killer {
                k,
                seg: i,
                linked: None,
            })
            .collect();
        // Session pooling links the app's connection to one server
        // connection: the killers behind the PgBouncer reach the app too.
        if let End::App(_) = seg.client {
            for (j, b, mode) in linked_segments(path, &segs, i) {
                killers.extend(effective(j).map(|k| Killer {
                    k,
                    seg: j,
                    linked: Some((b, mode.clone())),
                }));
            }
        }
        check_segment(path, &segs, i, killers, &retire, &owner, sources, opts, out);
    }
}

/// An idle killer met by a segment's client end, on its own segment or on
/// one linked to it through a session-mode PgBouncer.
struct Killer<'a> {
    k: IdleKiller,
    /// The segment the killer is on.
    seg: usize,
    /// The session-mode PgBouncer the app's connection is linked through,
    /// when the killer is behind one.
    linked: Option<(&'a PgBouncerHop, EffectivePoolMode)>,
}

/// The label at the pool mode that links the app's connection through `b`.
fn pool_mode_label(b: &PgBouncerHop, mode: &EffectivePoolMode) -> Label {
    let m = &mode.mode;
    let what = match &mode.scope {
        PoolModeScope::Global => format!(
            "PgBouncer \"{}\" pools in session mode: each app connection holds one server connection until it disconnects",
            b.name
        ),
        PoolModeScope::Database(d) => format!(
            "pool_mode = session for database \"{d}\": each app connection holds one server connection until it disconnects"
        ),
        PoolModeScope::User(u) => format!(
            "pool_mode = session for user \"{u}\": each app connection holds one server connection until it disconnects"
        ),
    };
    value_label(&m.origin, "pool_mode", m.value.as_str(), what)
}

/// `pool_mode = transaction of [databases] orders, pgbouncer.ini:4`.
fn pool_mode_text(mode: &EffectivePoolMode, sources: &SourceMap) -> String {
    let scope = match &mode.scope {
        PoolModeScope::Global => String::new(),
        PoolModeScope::Database(d) => format!(" of [databases] {d}"),
        PoolModeScope::User(u) => format!(" of [users] {u}"),
    };
    format!(
        "pool_mode = {}{scope}, {}",
        mode.mode.value.as_str(),
        mode.mode.origin.brief(sources)
    )
}

/// What validation at checkout costs through a hop that drops flows
/// silently (lab, PyMySQL 2.2.8 through a conntrack firewall: `pool_pre_ping`
/// recovered only after a full `read_timeout` of 5 s; without one the query
/// still hung when killed at 25 s). Applies to the app's segment when an
/// effective silently dropping hop's timeout is not above the retirement, so
/// a pooled connection can outlive the flow under it.
struct PingStall {
    /// The hop: `hop "nat gateway"`.
    hop: String,
    /// The bound name: `read_timeout`, `command_timeout`, `tcp_user_timeout`.
    guard: &'static str,
    /// `read_timeout = 5 s (app.yaml:5)`, `None` when the connection has none.
    bound: Option<String>,
    /// `about 924.6 s with tcp_retries2 = 15 (Linux default)`.
    give_up: String,
}

fn ping_stall(
    path: &ConnectionPath,
    seg: &Segment<'_>,
    retire: &Retire,
    sources: &SourceMap,
) -> Option<PingStall> {
    let End::App(app) = seg.client else {
        return None;
    };
    if !retire.validated {
        return None;
    }
    let hop = idle_killers(path, seg)
        .into_iter()
        .filter(|k| {
            k.is_effective()
                && matches!(k.kind, KillerKind::Hop(i)
                    if matches!(&path.hops[i], Hop::Network(h) if h.on_idle.value == OnIdle::Drop))
                && match retire.value.value {
                    Retirement::Never => true,
                    Retirement::After(d) => d >= k.timeout.value,
                }
        })
        .min_by_key(|k| k.timeout.value)?;
    let (guard, bound) = read_bound(app);
    let bound = bound.map(|b| {
        format!(
            "{guard} = {} ({})",
            fmt_secs(b.value),
            b.origin.brief(sources)
        )
    });
    let retries = &path.app_kernel.tcp_retries2;
    Some(PingStall {
        hop: hop.label,
        guard,
        bound,
        give_up: format!(
            "about {} with tcp_retries2 = {} ({})",
            fmt_secs(retransmission_give_up(retries.value)),
            retries.value,
            retries.origin.brief(sources)
        ),
    })
}

#[allow(clippy::too_many_arguments)]
fn check_segment(
    path: &ConnectionPath,
    segs: &[Segment<'_>],
    i: usize,
    killers: Vec<Killer<'_>>,
    retire: &Retire,
    owner: &str,
    sources: &SourceMap,
    opts: &RuleOptions,
    out: &mut Vec<Diagnostic>,
) {
    let seg = &segs[i];
    let Some(shortest) = killers.iter().map(|k| k.k.timeout.value).min() else {
        return;
    };
    let name = retire.setting;
    let stall = ping_stall(path, seg, retire, sources);
    // Through a silent drop with no read bound, validation hangs instead of
    // reconnecting: the error stays an error (DOMAIN.md rule 1).
    let softened = retire.validated && stall.as_ref().is_none_or(|s| s.bound.is_some());
    for killer in &killers {
        let k = &killer.k;
        let kseg = &segs[killer.seg];
        let Some((code, primary_is_killer)) = code_for(seg.client, k.kind) else {
            continue;
        };
        let exceeds = match retire.value.value {
            Retirement::Never => true,
            Retirement::After(d) => d >= k.timeout.value,
        };
        let retire_label = retirement_label(retire, owner);
        let killer_label = killer_label(path, k);
        if exceeds {
            let mut message = format!(
                "{} is not below {}",
                retire_text(retire, sources),
                killer_text(k, sources)
            );
            if let Some((b, mode)) = &killer.linked {
                message.push_str(&format!(
                    " behind PgBouncer \"{}\" in session mode ({}): the app's connection keeps one server connection for its whole life",
                    b.name,
                    pool_mode_text(mode, sources)
                ));
            }
            let mut severity = code.severity;
            if let (End::PgBouncer(b), KillerKind::PostgresIdleSession) = (seg.client, k.kind) {
                let mode = pool_mode(path, b);
                message.push_str(&match mode.mode.value {
                    PoolMode::Session => format!(
                        "; in session mode ({}) a server connection a client holds is not covered by {name}: the app's retirement must be below it too (TL119)",
                        pool_mode_text(&mode, sources)
                    ),
                    PoolMode::Transaction | PoolMode::Statement => {
                        // The lab: PgBouncer logged "closing because:
                        // server conn crashed?" and opened a new server
                        // connection; the app saw no error.
                        severity = Severity::Info;
                        format!(
                            "; in {} mode ({}) PgBouncer drops the closed server connection and opens a new one, so clients see no error: only reconnect churn",
                            mode.mode.value.as_str(),
                            pool_mode_text(&mode, sources)
                        )
                    }
                });
            }
            if let (true, End::App(app)) = (retire.validated, seg.client) {
                message.push_str(&match &stall {
                    Some(s) if s.bound.is_none() => format!(
                        "; {} = true cannot help: with no {} its ping hangs on the dropped flow",
                        validation_name(app),
                        s.guard
                    ),
                    _ => format!(
                        "; {} = true turns it into a reconnect",
                        validation_name(app)
                    ),
                });
            }
            if softened {
                severity = severity.min(Severity::Warning);
            }
            let (primary, other) = if primary_is_killer {
                (killer_label, retire_label)
            } else {
                (retire_label, killer_label)
            };
            let mut d = Diagnostic::new(code, message, primary)
                .with_severity(severity)
                .with_related(other);
            if let Some((b, mode)) = &killer.linked {
                d = d.with_related(pool_mode_label(b, mode));
            }
            if let Some(l) = keepalive_label(path, kseg, k, sources) {
                d = d.with_related(l);
            }
            if let Some(l) = caveat_label(path, k.kind) {
                d = d.with_related(l);
            }
            let mut help = fix_help(path, kseg, k, retire, shortest, primary_is_killer, opts);
            if killer.linked.is_some() {
                help.push_str(
                    "; PgBouncer's server_idle_timeout does not help: it closes only server connections no client holds",
                );
            }
            help.push_str(&validation_help(retire, stall.as_ref()));
            out.push(d.with_help(help).with_fix(retire_fix(
                retire,
                shortest,
                primary_is_killer,
                opts,
                sources,
            )));
        } else if let Retirement::After(d) = retire.value.value {
            let limit = k.timeout.value.as_secs_f64() * (1.0 - opts.margin);
            if d.as_secs_f64() > limit {
                let mut diag = Diagnostic::new(
                    codes::RETIREMENT_WITHIN_MARGIN,
                    format!(
                        "{} is within {}% of {}",
                        retire_text(retire, sources),
                        (opts.margin * 100.0).round(),
                        killer_text(k, sources)
                    ),
                    retire_label,
                )
                .with_related(killer_label);
                if let Some((b, mode)) = &killer.linked {
                    diag = diag.with_related(pool_mode_label(b, mode));
                }
                out.push(
                    diag.with_help(format!(
                        "leave a margin: {name} = {} or lower",
                        suggestion(shortest, opts)
                    ))
                    .with_fix(retire_fix(retire, shortest, false, opts, sources)),
                );
            }
        }
    }
}

/// The edit behind the help's "set {name} = N": the retirement lowered to
/// the margin below the segment's shortest idle killer, where it is written
/// ([`set_seconds_fix`]) or, for a default, as a keyword of the
/// `create_engine(...)` call it is anchored at ([`insert_keyword_fix`]).
/// None when the value to change is the killer, for a StaticPool (the fix
/// is another pool class), and when N would be under a minute (TL107).
fn retire_fix(
    retire: &Retire,
    shortest: Duration,
    primary_is_killer: bool,
    opts: &RuleOptions,
    sources: &SourceMap,
) -> Option<crate::diagnostic::Fix> {
    if primary_is_killer
        || retire.setting == "poolclass"
        || shortest.as_secs_f64() * (1.0 - opts.margin) < 1.0
    {
        return None;
    }
    let secs = suggestion(shortest, opts);
    // Below a minute the edit would trade this finding for reconnect churn
    // (TL107): the idle limit is what is too short, a choice for the user.
    if secs < CHURN_BELOW.as_secs() {
        return None;
    }
    let origin = &retire.value.origin;
    if let Some(fix) = set_seconds_fix(origin, retire.setting, secs, sources) {
        return Some(fix);
    }
    // A default: written into the `create_engine(...)` call or the Flask
    // config it is anchored at, when there is one.
    if retire.setting != "pool_recycle" {
        return None;
    }
    insert_keyword_fix(origin, retire.setting, secs, sources)
        .or_else(|| insert_flask_options_fix(origin, secs, sources))
}

fn fix_help(
    path: &ConnectionPath,
    seg: &Segment<'_>,
    k: &IdleKiller,
    retire: &Retire,
    shortest: Duration,
    primary_is_killer: bool,
    opts: &RuleOptions,
) -> String {
    let name = retire.setting;
    let mut help = if name == "poolclass" {
        format!(
            "StaticPool keeps its one connection open forever and does not reliably recycle it (https://docs.sqlalchemy.org/en/20/core/pooling.html#sqlalchemy.pool.StaticPool): use QueuePool with pool_recycle = {}, or NullPool",
            suggestion(shortest, opts)
        )
    } else if primary_is_killer {
        let raise = match retire.value.value {
            Retirement::Never => format!("set a finite {name} first, then "),
            Retirement::After(_) => String::new(),
        };
        let setting = match k.kind {
            KillerKind::PgBouncerClientIdle => "client_idle_timeout",
            _ => "idle_session_timeout",
        };
        format!(
            "{raise}raise {setting} above {name} (or set it to 0), or lower {name} below {}",
            fmt_secs(k.timeout.value)
        )
    } else if (shortest.as_secs_f64() * (1.0 - opts.margin)) < 1.0 {
        // No whole-second retirement fits under a 1 s idle limit: the
        // limit itself is the problem.
        format!(
            "no {name} fits below an idle timeout of {}: raise {} to what the app's idle \
             gaps need (minutes, not seconds), then set {name} below it",
            fmt_secs(shortest),
            if k.timeout.value == shortest {
                killer_setting(k)
            } else {
                "the shortest idle timeout on the path".to_string()
            }
        )
    } else {
        format!(
            "set {name} below every idle timeout on the path, e.g. {name} = {}",
            suggestion(shortest, opts)
        )
    };
    if let KillerKind::Hop(i) = k.kind
        && let Hop::Network(hop) = &path.hops[i]
        && hop.keepalive_resets.value
        && let Some(ka) = end_keepalive(path, seg.client)
        && ka.enabled == Some(true)
    {
        help.push_str(&format!(
            ", or keep the hop open: {} below {} on the {}",
            ka.setting,
            fmt_secs(k.timeout.value),
            ka.who
        ));
    }
    help
}

/// What validation does about the finding: softens it, stalls up to a read
/// bound, or hangs through a silent drop ([`PingStall`]).
fn validation_help(retire: &Retire, stall: Option<&PingStall>) -> String {
    match stall {
        Some(PingStall {
            hop,
            bound: Some(b),
            ..
        }) => format!(
            "; validation only softens this: through {hop}, which drops flows silently, the ping itself stalls up to {b} before the reconnect"
        ),
        Some(PingStall {
            hop,
            guard,
            bound: None,
            give_up,
        }) => format!(
            "; validation does not help through {hop}, which drops flows silently: with no {guard} the ping itself hangs until TCP gives up retransmitting, {give_up}, so set {guard}"
        ),
        None if retire.validated => {
            "; validation only softens this: a ping through a silently dropping hop can hang"
                .to_string()
        }
        None => String::new(),
    }
}

fn retirement_label(retire: &Retire, owner: &str) -> Label {
    let value = match retire.value.value {
        Retirement::Never => "(never)".to_string(),
        Retirement::After(d) => fmt_secs(d),
    };
    value_label(
        &retire.value.origin,
        retire.setting,
        &value,
        format!("{} of {owner}", retire.setting),
    )
}

fn churn(app: &AppPool, d: Duration, sources: &SourceMap) -> Diagnostic {
    let name = setting_name(app);
    Diagnostic::new(
        codes::RETIREMENT_CAUSES_RECONNECT_CHURN,
        format!(
            "{} retires connections after less than a minute: most checkouts open a new connection",
            retirement_text(app, sources)
        ),
        Label::maybe(app.retirement.origin.location(), format!("{name} = {}", fmt_secs(d))),
    )
    .with_help(format!(
        "{name} is in seconds; set it just below the shortest idle timeout on the path (minutes, not seconds)"
    ))
}

fn killer_label(path: &ConnectionPath, k: &IdleKiller) -> Label {
    let t = fmt_secs(k.timeout.value);
    match k.kind {
        KillerKind::MysqlWaitTimeout => value_label(
            &k.timeout.origin,
            "wait_timeout",
            &t,
            format!(
                "the server closes connections idle for {t} (wait_timeout; Python drivers never set CLIENT_INTERACTIVE, so interactive_timeout does not apply)"
            ),
        ),
        KillerKind::PostgresIdleSession => Label::maybe(
            k.timeout.origin.location(),
            format!("PostgreSQL terminates sessions idle for {t}"),
        ),
        KillerKind::PgBouncerClientIdle => Label::maybe(
            k.timeout.origin.location(),
            format!("PgBouncer closes client connections idle for {t}"),
        ),
        KillerKind::Hop(i) => {
            let action = match &path.hops[i] {
                Hop::Network(h) if h.on_idle.value == crate::model::OnIdle::Reset => "resets",
                _ => "silently drops",
            };
            Label::maybe(
                k.timeout.origin.location(),
                format!("{} {action} flows idle for {t}", k.label),
            )
        }
    }
}

/// Explains why keepalive does not keep a hop open, at the client end's
/// keepalive idle time when it was set in a file.
fn keepalive_label(
    path: &ConnectionPath,
    seg: &Segment<'_>,
    k: &IdleKiller,
    sources: &SourceMap,
) -> Option<Label> {
    let KillerKind::Hop(i) = k.kind else {
        return None;
    };
    let Hop::Network(hop) = &path.hops[i] else {
        return None;
    };
    if !hop.keepalive_resets.value {
        return Some(Label::maybe(
            hop.keepalive_resets.origin.location(),
            format!("keepalive probes do not count as activity for {}", k.label),
        ));
    }
    // A terminating proxy between the client end and the hop stops its probes.
    let pos = seg.hops.iter().position(|(j, _)| *j == i)?;
    if let Some((_, proxy)) = seg.hops[..pos].iter().find(|(_, h)| h.terminates) {
        return Some(Label::maybe(
            proxy.idle_timeout.origin.location(),
            format!(
                "{} terminates TCP in front of {}: the app's keepalive probes never reach it",
                proxy.name, k.label
            ),
        ));
    }
    let ka = end_keepalive(path, seg.client)?;
    let t: &Sourced<Duration> = &ka.idle;
    let reason = match ka.enabled {
        Some(true) => format!(
            "{} {} = {} ({}) is not below {}, so keepalive probes start too late",
            ka.who,
            ka.setting,
            fmt_secs(t.value),
            t.origin.brief(sources),
            fmt_secs(k.timeout.value)
        ),
        Some(false) => format!("the {} end never enables SO_KEEPALIVE", ka.who),
        None => "the driver is not known to enable SO_KEEPALIVE".to_string(),
    };
    Some(Label::maybe(
        t.origin.location().filter(|_| t.origin.is_explicit()),
        reason,
    ))
}

/// The server's kind, for messages.
pub(crate) fn server_family(s: &DbServer) -> &'static str {
    match s {
        DbServer::Mysql(_) => "MySQL",
        DbServer::Postgres(_) => "PostgreSQL",
    }
}

/// The preset caveat of a hop killer, as a note (unconfirmed or disputed facts
/// are said in the diagnostic, not hidden).
pub(crate) fn caveat_label(path: &ConnectionPath, kind: KillerKind) -> Option<Label> {
    let KillerKind::Hop(i) = kind else {
        return None;
    };
    let Hop::Network(hop) = &path.hops[i] else {
        return None;
    };
    hop.caveat
        .as_ref()
        .map(|c| Label::maybe(None, format!("preset caveat for {}: {c}", hop.name)))
}
