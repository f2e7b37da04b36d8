//! PgBouncer against the server behind it.
//!
//! - TL111 query-timeout-without-smaller-statement-timeout: `query_timeout`
//!   "should be used only with a slightly smaller server-side
//!   statement_timeout" (`pgbouncer/pgbouncer doc/config.md`).

use std::time::Duration;

use crate::diagnostic::{Diagnostic, Label};
use crate::model::ConnectionPath;
use crate::rules::codes;
use crate::source::SourceMap;
use crate::units::fmt_secs;

pub(super) fn check(path: &ConnectionPath, sources: &SourceMap, out: &mut Vec<Diagnostic>) {
    let Some(pg) = path.postgres() else { return };
    let stmt = &pg.statement_timeout;
    for b in path.pgbouncers() {
        let q = &b.settings.query_timeout;
        if q.value == Duration::ZERO || (stmt.value > Duration::ZERO && stmt.value < q.value) {
            continue;
        }
        let why = if stmt.value.is_zero() {
            format!("statement_timeout is 0 ({})", stmt.origin.brief(sources))
        } else {
            format!(
                "statement_timeout = {} ms ({}) is not smaller",
                stmt.value.as_millis(),
                stmt.origin.brief(sources)
            )
        };
        out.push(
            Diagnostic::new(
                codes::QUERY_TIMEOUT_WITHOUT_STATEMENT_TIMEOUT,
                format!(
                    "PgBouncer \"{}\" query_timeout = {} ({}) has no smaller server-side statement_timeout: {why}",
                    b.name,
                    fmt_secs(q.value),
                    q.origin.brief(sources)
                ),
                Label::maybe(q.origin.location(), "cancels by dropping the server connection"),
            )
            .with_related(Label::maybe(stmt.origin.location(), "server statement_timeout"))
            .with_help(format!(
                "set statement_timeout slightly below {} on the server so it ends the statement cleanly first",
                fmt_secs(q.value)
            )),
        );
    }
}
