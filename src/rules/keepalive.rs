//! TL105 keepalive-sysctl-unused-by-driver.
//!
//! "Keep-alives are sent only when the SO_KEEPALIVE socket option is enabled"
//! (`tcp(7)`, https://man7.org/linux/man-pages/man7/tcp.7.html). The
//! pure-Python mysql-connector-python never sets it (DOMAIN.md section 6).

use crate::diagnostic::{Diagnostic, Label};
use crate::model::ConnectionPath;
use crate::model::idle::{app_keepalive, driver_name};
use crate::rules::codes;
use crate::source::SourceMap;
use crate::units::fmt_secs;

pub(super) fn check(path: &ConnectionPath, sources: &SourceMap, out: &mut Vec<Diagnostic>) {
    let Some(app) = &path.app else { return };
    if app_keepalive(path) != Some(false) {
        return;
    }
    let k = &path.app_kernel;
    let set: Vec<(&str, String, Option<crate::source::Location>)> = [
        (
            "net.ipv4.tcp_keepalive_time",
            fmt_secs(k.tcp_keepalive_time.value),
            k.tcp_keepalive_time.origin.clone(),
        ),
        (
            "net.ipv4.tcp_keepalive_intvl",
            fmt_secs(k.tcp_keepalive_intvl.value),
            k.tcp_keepalive_intvl.origin.clone(),
        ),
        (
            "net.ipv4.tcp_keepalive_probes",
            k.tcp_keepalive_probes.value.to_string(),
            k.tcp_keepalive_probes.origin.clone(),
        ),
    ]
    .into_iter()
    .filter(|(_, _, o)| matches!(o, crate::provenance::Origin::File(_)))
    .map(|(n, v, o)| (n, v, o.location()))
    .collect();
    let Some((name, value, loc)) = set.first() else {
        return;
    };
    let driver = driver_name(&app.driver.value);
    let mut d = Diagnostic::new(
        codes::KEEPALIVE_SYSCTL_UNUSED,
        format!("{name} = {value} has no effect on this pool: {driver} never enables SO_KEEPALIVE"),
        Label::maybe(*loc, "keepalive tuned on the app host"),
    )
    .with_related(Label::maybe(
        app.driver.origin.location(),
        format!("{driver} opens sockets without SO_KEEPALIVE"),
    ))
    .with_help(
        "use a driver that enables SO_KEEPALIVE (PyMySQL, mysqlclient, or mysql-connector-python without use_pure=True), or retire connections below every hop's idle timeout",
    );
    for (n, v, l) in set.iter().skip(1) {
        d = d.with_related(Label::maybe(*l, format!("{n} = {v} is unused too")));
    }
    let _ = sources;
    out.push(d);
}
