//! The `proxy_timeout` of each block and the stream server a `listen`
//! value names.

use std::time::Duration;

use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::provenance::{Origin, Sourced};
use crate::rules::codes;
use crate::source::Location;
use crate::systems::proxy::{ProxyKind, ProxyLookup, ProxyTimeouts};

use super::load::Item;
use super::{DEFAULT_PROXY_TIMEOUT, PROXY_TIMEOUT_SOURCE, TimeError, parse_time_ms};

/// A validated `proxy_timeout` of one block.
#[derive(Clone, Copy)]
struct Timeout {
    ms: u64,
    at: Location,
}

/// The `proxy_timeout` directly in `items` (one block), reporting invalid
/// values and duplicates.
fn block_timeout(items: &[Item], diags: &mut Vec<Diagnostic>) -> Option<Timeout> {
    let mut found: Option<Timeout> = None;
    for it in items.iter().filter(|i| i.name.text == "proxy_timeout") {
        let [arg] = it.args.as_slice() else {
            diags.push(Diagnostic::new(
                codes::INVALID_VALUE,
                format!(
                    "`proxy_timeout` takes one time, not {} arguments",
                    it.args.len()
                ),
                Label::at(it.at(&it.name), "invalid number of arguments"),
            ));
            continue;
        };
        let at = it.at(arg);
        let ms = match parse_time_ms(&arg.text) {
            Ok(ms) => ms,
            Err(e) => {
                let why = match e {
                    TimeError::MonthsOrYears => {
                        "months (M) and years (y) are accepted only by second-based \
                         directives, not by proxy_timeout"
                    }
                    TimeError::Invalid => {
                        "nginx times are whole numbers with units w, d, h, m, s or ms, \
                         largest first (a bare number is seconds)"
                    }
                };
                diags.push(
                    Diagnostic::new(
                        codes::INVALID_VALUE,
                        format!("invalid proxy_timeout `{}`: {why}", arg.text),
                        Label::at(at, "not an nginx time"),
                    )
                    .with_help("nginx refuses to start; write it like `10m`, `1h30m` or `600`"),
                );
                continue;
            }
        };
        if found.is_some() {
            diags.push(
                Diagnostic::new(
                    codes::INVALID_VALUE,
                    format!(
                        "duplicate proxy_timeout `{}` in the same block: nginx refuses to \
                         start (\"is duplicate\")",
                        arg.text
                    ),
                    Label::at(at, "second value"),
                )
                .with_help("keep one proxy_timeout per block"),
            );
            continue;
        }
        found = Some(Timeout { ms, at });
    }
    found
}

/// Splits a listen value into address and port text.
fn split_listen(v: &str) -> (Option<&str>, Option<&str>) {
    if v.starts_with("unix:") {
        return (Some(v), None);
    }
    if let Some(rest) = v.strip_prefix('[') {
        return match rest.find(']') {
            Some(i) => {
                let host = v.get(..i + 2);
                let port = rest.get(i + 1..).and_then(|r| r.strip_prefix(':'));
                (host, port)
            }
            None => (Some(v), None),
        };
    }
    if v.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
        return (None, Some(v));
    }
    match v.rsplit_once(':') {
        Some((h, p)) => (Some(h), Some(p)),
        None => (Some(v), None),
    }
}

/// A port or a port range `lo-hi`.
fn port_range(p: &str) -> Option<(u32, u32)> {
    let (lo, hi) = p.split_once('-').unwrap_or((p, p));
    let lo: u32 = lo.parse().ok()?;
    let hi: u32 = hi.parse().ok()?;
    (lo <= hi).then_some((lo, hi))
}

fn is_wildcard(host: Option<&str>) -> bool {
    matches!(host, None | Some("*" | "0.0.0.0" | "[::]"))
}

/// True when the requested listen value `want` names the listen argument `have`.
pub fn listen_matches(want: &str, have: &str) -> bool {
    let want = want.trim();
    let (wh, wp) = split_listen(want);
    let (hh, hp) = split_listen(have);
    match (wp.and_then(port_range), hp.and_then(port_range)) {
        (Some((w, _)), Some((lo, hi))) => {
            let port_ok = lo <= w && w <= hi;
            let host_ok = is_wildcard(wh)
                || is_wildcard(hh)
                || wh.zip(hh).is_some_and(|(a, b)| a.eq_ignore_ascii_case(b));
            port_ok && host_ok
        }
        _ => want == have,
    }
}

pub(super) fn resolve(top: &[Item], listen: &str, diags: &mut Vec<Diagnostic>) -> ProxyLookup {
    let mut available = Vec::new();
    let mut found: Option<ProxyTimeouts> = None;
    let mut seen_stream = false;
    for stream in top.iter().filter(|i| i.name.text == "stream") {
        let Some(body) = stream.block.as_deref() else {
            continue;
        };
        if seen_stream {
            diags.push(Diagnostic::new(
                codes::SYNTAX_ERROR,
                "second `stream` block: nginx refuses to start (\"is duplicate\")",
                Label::at(stream.at(&stream.name), "duplicate"),
            ));
        }
        seen_stream = true;
        let main = block_timeout(body, diags);
        for server in body.iter().filter(|i| i.name.text == "server") {
            let Some(inner) = server.block.as_deref() else {
                continue;
            };
            let own = block_timeout(inner, diags);
            for l in inner.iter().filter(|i| i.name.text == "listen") {
                let Some(value) = l.args.first() else {
                    continue;
                };
                available.push(value.text.clone());
                let udp = l.args.iter().skip(1).any(|a| a.text == "udp");
                if found.is_some() || udp || !listen_matches(listen, &value.text) {
                    continue;
                }
                let anchor = server.at(&server.name);
                let idle = match own.or(main) {
                    Some(t) => {
                        if t.ms == 0 {
                            diags.push(
                                Diagnostic::new(
                                    codes::INVALID_VALUE,
                                    "proxy_timeout = 0 s closes a stream session at its first \
                                     pause: nginx has no \"no timeout\" value",
                                    Label::at(t.at, "zero timeout"),
                                )
                                .with_severity(Severity::Warning)
                                .with_help("set it above the app's connection retirement age"),
                            );
                        }
                        Sourced::new(Duration::from_millis(t.ms), Origin::File(t.at))
                    }
                    None => Sourced::new(
                        DEFAULT_PROXY_TIMEOUT,
                        Origin::Default {
                            system: "nginx",
                            source: PROXY_TIMEOUT_SOURCE,
                            anchor: Some(anchor),
                        },
                    ),
                };
                found = Some(ProxyTimeouts {
                    kind: ProxyKind::NginxStream,
                    name: value.text.clone(),
                    location: l.at(value),
                    client_idle: Some(idle.clone()),
                    server_idle: Some(idle),
                });
            }
        }
    }
    match found {
        Some(t) => ProxyLookup::Found(t),
        None => ProxyLookup::NotFound { available },
    }
}
