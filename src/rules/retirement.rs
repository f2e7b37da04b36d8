//! The app's connection retirement against every idle killer on the path.
//!
//! - TL101 pool-recycle-exceeds-wait-timeout
//! - TL102 conn-max-age-exceeds-wait-timeout
//! - TL103 retirement-exceeds-hop-idle-timeout
//! - TL104 retirement-within-margin-of-idle-timeout
//! - TL107 retirement-causes-reconnect-churn
//!
//! Retirement is an age checked when a connection is handed out (SQLAlchemy
//! `pool_recycle`, `lib/sqlalchemy/pool/base.py`: `time.time() - starttime >
//! recycle` at checkout) or at request start and end (Django `CONN_MAX_AGE`,
//! `django/db/backends/base/base.py close_if_unusable_or_obsolete`). A
//! connection handed out after idling t seconds has age ≥ t, so retirement R
//! below every idle killer K means no dead connection is handed out: R < K.

use std::time::Duration;

use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::model::ConnectionPath;
use crate::model::idle::{IdleKiller, KillerKind, app_keepalive, idle_killers};
use crate::rules::RuleOptions;
use crate::rules::{codes, value_label};
use crate::source::SourceMap;
use crate::systems::app::{AppPool, Backend, Framework};
use crate::units::{Retirement, fmt_secs};

/// Below this, retirement reconnects nearly every checkout (TL107).
const CHURN_BELOW: Duration = Duration::from_secs(60);

/// The retirement setting's name: `pool_recycle` or `CONN_MAX_AGE`.
pub(crate) fn setting_name(app: &AppPool) -> &'static str {
    match app.framework {
        Framework::Django => "CONN_MAX_AGE",
        Framework::SqlAlchemy | Framework::FlaskSqlAlchemy => "pool_recycle",
    }
}

/// The validation setting's name: `pool_pre_ping` or `CONN_HEALTH_CHECKS`.
pub(crate) fn validation_name(app: &AppPool) -> &'static str {
    match app.framework {
        Framework::Django => "CONN_HEALTH_CHECKS",
        Framework::SqlAlchemy | Framework::FlaskSqlAlchemy => "pool_pre_ping",
    }
}

/// `pool_recycle = -1 (never; SQLAlchemy default)`,
/// `CONN_MAX_AGE = 600 s (app/settings.yaml:7)`.
pub(crate) fn retirement_text(app: &AppPool, sources: &SourceMap) -> String {
    let name = setting_name(app);
    let origin = app.retirement.origin.brief(sources);
    match (app.retirement.value, app.framework) {
        (Retirement::Never, Framework::Django) => format!("{name} = None (never; {origin})"),
        (Retirement::Never, _) => format!("{name} = -1 (never; {origin})"),
        (Retirement::After(d), _) => format!("{name} = {} ({origin})", fmt_secs(d)),
    }
}

fn killer_text(k: &IdleKiller, sources: &SourceMap) -> String {
    match k.kind {
        KillerKind::Server => format!(
            "wait_timeout = {} ({})",
            fmt_secs(k.timeout.value),
            k.timeout.origin.brief(sources)
        ),
        KillerKind::Hop(_) => format!(
            "the idle timeout of {} = {} ({})",
            k.label,
            fmt_secs(k.timeout.value),
            k.timeout.origin.brief(sources)
        ),
    }
}

/// A retirement value to suggest: the margin below the shortest killer.
fn suggestion(shortest: Duration, opts: &RuleOptions) -> u64 {
    let s = (shortest.as_secs_f64() * (1.0 - opts.margin)).floor() as u64;
    s.max(1)
}

pub(super) fn check(
    path: &ConnectionPath,
    sources: &SourceMap,
    opts: &RuleOptions,
    out: &mut Vec<Diagnostic>,
) {
    let Some(app) = &path.app else { return };
    if app.backend == Backend::Sqlite {
        return;
    }
    let retire = app.retirement.value;
    if let Retirement::After(d) = retire {
        if d.is_zero() {
            // Not reused: closed after each request / reconnected each checkout.
            return;
        }
        if d < CHURN_BELOW {
            out.push(churn(app, d, sources));
        }
    }
    let killers: Vec<IdleKiller> = idle_killers(path)
        .into_iter()
        .filter(|k| k.is_effective())
        .filter(|k| k.kind != KillerKind::Server || app.backend == Backend::MySql)
        .collect();
    let Some(shortest) = killers.iter().map(|k| k.timeout.value).min() else {
        return;
    };
    let name = setting_name(app);
    let validated = app.validation.value;
    for k in &killers {
        let exceeds = match retire {
            Retirement::Never => true,
            Retirement::After(d) => d >= k.timeout.value,
        };
        if exceeds {
            let code = match (k.kind, app.framework) {
                (KillerKind::Hop(_), _) => codes::RETIREMENT_EXCEEDS_HOP_IDLE_TIMEOUT,
                (KillerKind::Server, Framework::Django) => codes::CONN_MAX_AGE_EXCEEDS_WAIT_TIMEOUT,
                (KillerKind::Server, _) => codes::POOL_RECYCLE_EXCEEDS_WAIT_TIMEOUT,
            };
            let mut message = format!(
                "{} is not below {}",
                retirement_text(app, sources),
                killer_text(k, sources)
            );
            let severity = if validated {
                message.push_str(&format!(
                    "; {} = true turns it into a reconnect",
                    validation_name(app)
                ));
                Severity::Warning
            } else {
                Severity::Error
            };
            let mut d = Diagnostic::new(code, message, retirement_label(app))
                .with_severity(severity)
                .with_related(killer_label(path, k));
            if let Some(l) = keepalive_label(path, k, sources) {
                d = d.with_related(l);
            }
            let mut help = format!(
                "set {name} below every idle timeout on the path, e.g. {name} = {}",
                suggestion(shortest, opts)
            );
            if let KillerKind::Hop(i) = k.kind
                && path.hops[i].keepalive_resets.value
                && app_keepalive(path) == Some(true)
            {
                help.push_str(&format!(
                    ", or keep the hop open: net.ipv4.tcp_keepalive_time below {} on the app host",
                    fmt_secs(k.timeout.value)
                ));
            }
            if validated {
                help.push_str(
                    "; validation only softens this: a ping through a silently dropping hop can hang",
                );
            }
            out.push(d.with_help(help));
        } else if let Retirement::After(d) = retire {
            let limit = k.timeout.value.as_secs_f64() * (1.0 - opts.margin);
            if d.as_secs_f64() > limit {
                out.push(
                    Diagnostic::new(
                        codes::RETIREMENT_WITHIN_MARGIN,
                        format!(
                            "{} is within {}% of {}",
                            retirement_text(app, sources),
                            (opts.margin * 100.0).round(),
                            killer_text(k, sources)
                        ),
                        retirement_label(app),
                    )
                    .with_related(killer_label(path, k))
                    .with_help(format!(
                        "leave a margin: {name} = {} or lower",
                        suggestion(shortest, opts)
                    )),
                );
            }
        }
    }
}

fn retirement_label(app: &AppPool) -> Label {
    let value = match app.retirement.value {
        Retirement::Never => "(never)".to_string(),
        Retirement::After(d) => fmt_secs(d),
    };
    value_label(
        &app.retirement.origin,
        setting_name(app),
        &value,
        format!("{} of pool \"{}\"", setting_name(app), app.name),
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
    let what = match k.kind {
        KillerKind::Server => format!(
            "the server closes connections idle for {} (wait_timeout; Python drivers never set CLIENT_INTERACTIVE, so interactive_timeout does not apply)",
            fmt_secs(k.timeout.value)
        ),
        KillerKind::Hop(i) => {
            let hop = &path.hops[i];
            let action = match hop.on_idle.value {
                crate::manifest::OnIdle::Drop => "silently drops",
                crate::manifest::OnIdle::Reset => "resets",
            };
            format!(
                "{} {action} flows idle for {}",
                k.label,
                fmt_secs(k.timeout.value)
            )
        }
    };
    match k.kind {
        KillerKind::Server => value_label(
            &k.timeout.origin,
            "wait_timeout",
            &fmt_secs(k.timeout.value),
            what,
        ),
        KillerKind::Hop(_) => Label::maybe(k.timeout.origin.location(), what),
    }
}

/// Explains why keepalive does not keep a hop open, at the app host's
/// `tcp_keepalive_time` when it was set in a file.
fn keepalive_label(path: &ConnectionPath, k: &IdleKiller, sources: &SourceMap) -> Option<Label> {
    let KillerKind::Hop(i) = k.kind else {
        return None;
    };
    let hop = &path.hops[i];
    if !hop.keepalive_resets.value {
        return Some(Label::maybe(
            hop.keepalive_resets.origin.location(),
            format!("keepalive probes do not count as activity for {}", k.label),
        ));
    }
    let t = &path.app_kernel.tcp_keepalive_time;
    let reason = match app_keepalive(path) {
        Some(true) => format!(
            "app host net.ipv4.tcp_keepalive_time = {} ({}) is not below {}, so keepalive probes start too late",
            fmt_secs(t.value),
            t.origin.brief(sources),
            fmt_secs(k.timeout.value)
        ),
        Some(false) => "the driver never enables SO_KEEPALIVE".to_string(),
        None => "the driver is not known to enable SO_KEEPALIVE".to_string(),
    };
    Some(Label::maybe(
        t.origin.location().filter(|_| t.origin.is_explicit()),
        reason,
    ))
}
