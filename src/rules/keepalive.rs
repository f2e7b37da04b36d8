//! TL105 keepalive-sysctl-unused-by-driver.
//!
//! "Keep-alives are sent only when the SO_KEEPALIVE socket option is enabled"
//! (`tcp(7)`, https://man7.org/linux/man-pages/man7/tcp.7.html). The
//! pure-Python mysql-connector-python never sets it (DOMAIN.md section 6).
//! Only values that differ from the Linux defaults count as "tuned", so a
//! `sysctl -a` dump, which lists every key, does not fire on its own.

use crate::diagnostic::{Diagnostic, Label};
use crate::model::ConnectionPath;
use crate::model::idle::{app_keepalive, driver_name};
use crate::rules::codes;

pub(super) fn check(path: &ConnectionPath, out: &mut Vec<Diagnostic>) {
    let Some(app) = &path.app else { return };
    if app_keepalive(path) != Some(false) {
        return;
    }
    let tuned = path.app_kernel.tuned_keepalive();
    let Some(first) = tuned.first() else { return };
    let driver = driver_name(&app.driver.value);
    let mut d = Diagnostic::new(
        codes::KEEPALIVE_SYSCTL_UNUSED,
        format!(
            "{} = {} has no effect on this pool: {driver} never enables SO_KEEPALIVE",
            first.key, first.value
        ),
        Label::maybe(first.origin.location(), "keepalive tuned on the app host"),
    )
    .with_related(Label::maybe(
        app.driver.origin.location(),
        format!("{driver} opens sockets without SO_KEEPALIVE"),
    ))
    .with_help(
        "enable SO_KEEPALIVE on the app's sockets (PyMySQL, mysqlclient, mysql-connector-python without use_pure=True and libpq with keepalives=1 do; asyncpg never does), or retire connections below every hop's idle timeout",
    );
    for s in tuned.iter().skip(1) {
        d = d.with_related(Label::maybe(
            s.origin.location(),
            format!("{} = {} is unused too", s.key, s.value),
        ));
    }
    out.push(d);
}
