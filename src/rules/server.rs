//! Server-internal consistency.
//!
//! - TL117 lock-timeout-not-below-statement-timeout: "if statement_timeout is
//!   nonzero, it is rather pointless to set lock_timeout to the same or larger
//!   value" (PostgreSQL docs, runtime-config-client).
//! - TL118 interactive-timeout-differs-from-wait-timeout: only clients that set
//!   CLIENT_INTERACTIVE get `interactive_timeout` as their session
//!   `wait_timeout` (`sql/auth/sql_authentication.cc server_mpvio_update_thd`);
//!   Python drivers never do.

use std::time::Duration;

use crate::diagnostic::{Diagnostic, Label};
use crate::model::ConnectionPath;
use crate::rules::codes;
use crate::source::SourceMap;
use crate::systems::mysql::MysqlSourceKind;
use crate::units::fmt_secs;

pub(super) fn check(path: &ConnectionPath, sources: &SourceMap, out: &mut Vec<Diagnostic>) {
    if let Some(pg) = path.postgres() {
        let (lock, stmt) = (&pg.lock_timeout, &pg.statement_timeout);
        if stmt.value > Duration::ZERO && lock.value >= stmt.value {
            out.push(
                Diagnostic::new(
                    codes::LOCK_TIMEOUT_NOT_BELOW_STATEMENT_TIMEOUT,
                    format!(
                        "lock_timeout = {} ms ({}) is not below statement_timeout = {} ms ({}): statement_timeout always fires first",
                        lock.value.as_millis(),
                        lock.origin.brief(sources),
                        stmt.value.as_millis(),
                        stmt.origin.brief(sources)
                    ),
                    Label::maybe(lock.origin.location(), "never reached"),
                )
                .with_related(Label::maybe(stmt.origin.location(), "statement_timeout"))
                .with_help("set lock_timeout below statement_timeout, or leave it at 0"),
            );
        }
    }
    if let Some(m) = path.mysql() {
        let (i, w) = (&m.interactive_timeout, &m.wait_timeout);
        let session_dump = matches!(
            m.source_kind,
            MysqlSourceKind::VariablesDump {
                global: Some(false)
            }
        );
        if session_dump {
            out.push(
                Diagnostic::new(
                    codes::INTERACTIVE_TIMEOUT_DIFFERS,
                    format!(
                        "this is a SHOW SESSION VARIABLES dump: wait_timeout = {} ({}) is the dumping session's value, which for the interactive mysql client is interactive_timeout, not what app connections get",
                        fmt_secs(w.value),
                        w.origin.brief(sources)
                    ),
                    Label::maybe(w.origin.location(), "a session value"),
                )
                .with_help("dump SHOW GLOBAL VARIABLES: sessions of Python drivers start from the global wait_timeout"),
            );
        } else if i.value != w.value && i.origin.is_explicit() {
            out.push(
                Diagnostic::new(
                    codes::INTERACTIVE_TIMEOUT_DIFFERS,
                    format!(
                        "interactive_timeout = {} ({}) differs from wait_timeout = {} ({}); Python drivers get wait_timeout",
                        fmt_secs(i.value),
                        i.origin.brief(sources),
                        fmt_secs(w.value),
                        w.origin.brief(sources)
                    ),
                    Label::maybe(i.origin.location(), "applies only to clients that set CLIENT_INTERACTIVE (the mysql CLI)"),
                )
                .with_related(Label::maybe(w.origin.location(), "the idle limit of app connections"))
                .with_help("to change how long app connections may idle, set wait_timeout; a SHOW VARIABLES dump from the mysql CLI shows the interactive value as wait_timeout, so compare SHOW GLOBAL VARIABLES"),
            );
        }
    }
}
