//! Envoy `tcp_proxy` and Istio `DestinationRule` idle timeouts.
//!
//! Both files are YAML (JSON is YAML too), read with
//! [`crate::parse::yaml::parse_yaml_documents`]. Sources: DOMAIN.md section 8
//! and rules 9 and 27; envoyproxy/envoy
//! `api/envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy.proto`;
//! istio/api `networking/v1alpha3/destination_rule.proto`; istio/istio
//! `pkg/util/protomarshal/protomarshal.go` and golang/protobuf
//! `jsonpb/decode.go` (how Istio reads durations).
//!
//! Envoy:
//!
//! - Listeners are the entries of `static_resources.listeners` (bootstrap)
//!   or of a top-level `resources` list (an LDS response), in every YAML
//!   document, identified by `name`.
//! - The TCP proxy of a listener is the first filter of its
//!   `filter_chains[].filters` (then `default_filter_chain.filters`) whose
//!   `typed_config."@type"` ends in `tcp_proxy.v3.TcpProxy`, or, when the
//!   filter has no `@type`, whose `name` is `envoy.filters.network.tcp_proxy`
//!   (or the old `envoy.tcp_proxy`). A listener without one is reported
//!   ([`codes::INVALID_VALUE`]) and looked up as not found.
//! - `typed_config.idle_timeout` is "the period in which there are no bytes
//!   sent or received on either the upstream or downstream connection", so
//!   it is both [`ProxyTimeouts::client_idle`] and
//!   [`ProxyTimeouts::server_idle`]. Not set (or `null`): 1 hour. `0s`
//!   disables it: `None`, with a [`codes::PROXY_TIMEOUT_MISSING`] warning.
//! - Envoy reads YAML through protobuf's JSON mapping, where a Duration is a
//!   string of seconds with an `s` suffix and up to nine fraction digits
//!   (`"3600s"`, `"0.5s"`). A number (`3600`), another unit (`1h`), a
//!   negative value or more than 315576000000 s is
//!   [`codes::INVALID_VALUE`] (Envoy rejects the configuration) and the
//!   default is used.
//!
//! Istio:
//!
//! - Rules are the YAML documents (and the `items` of a `kind: List`) with
//!   `kind: DestinationRule`, named by `metadata.name`. Without a requested
//!   name, the file must hold exactly one rule.
//! - `spec.trafficPolicy.connectionPool.tcp.idleTimeout` has the Envoy
//!   definition (Istio writes it into the listener's tcp_proxy): default
//!   1 hour, `0s` disables. Per-port (`portLevelSettings`) and per-subset
//!   policies are not modelled.
//! - Istio reads its resources with the legacy `jsonpb` package, which
//!   parses a Duration with Go's `time.ParseDuration`: numbers with
//!   optional fractions, each with a unit `h m s ms us µs ns`, combinable
//!   (`1h30m`, `1.5h`, `3600s`); `0` alone is allowed. Days (`1d`), bare
//!   numbers and negative values are [`codes::INVALID_VALUE`].
//!
//! The location of a value is its YAML value span; the listener's or rule's
//! location is its `name` value span. A default is anchored at the deepest
//! existing key where the setting would be added (`typed_config`,
//! `tcp`/`connectionPool`/`trafficPolicy`/`spec`).
//!
//! A file that is not valid YAML gives [`codes::SYNTAX_ERROR`] and a
//! [`ProxyLookup::NotFound`] with no names.

use std::path::Path;
use std::time::Duration;

use crate::diagnostic::{Diagnostic, Label};
use crate::parse::tree::{Key, Node, NodeKind};
use crate::parse::yaml::parse_yaml_documents;
use crate::provenance::{Origin, Sourced};
use crate::rules::codes;
use crate::source::{FileId, LoadError, Location, SourceMap};
use crate::systems::proxy::{ProxyKind, ProxyLookup, ProxyTimeouts};

/// Where Envoy documents the tcp_proxy `idle_timeout` default.
pub const ENVOY_IDLE_TIMEOUT_SOURCE: &str = "https://www.envoyproxy.io/docs/envoy/latest/api-v3/extensions/filters/network/tcp_proxy/v3/tcp_proxy.proto#envoy-v3-api-field-extensions-filters-network-tcp-proxy-v3-tcpproxy-idle-timeout";
/// Where Istio documents the `connectionPool.tcp.idleTimeout` default.
pub const ISTIO_IDLE_TIMEOUT_SOURCE: &str = "https://istio.io/latest/docs/reference/config/networking/destination-rule/#ConnectionPoolSettings-TCPSettings";
/// The default idle timeout of both: 1 hour.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(3600);

/// Largest protobuf Duration: 10000 years of seconds.
const MAX_PROTO_SECONDS: u64 = 315_576_000_000;

/// Why a duration is not valid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DurationError {
    /// Not in the accepted syntax.
    Malformed,
    /// Below zero.
    Negative,
    /// Too large to represent.
    OutOfRange,
}

/// A protobuf JSON Duration as Envoy reads it: `[-]SECONDS[.FRACTION]s`
/// with up to nine fraction digits.
///
/// Errors: [`DurationError`].
pub fn parse_proto_duration(text: &str) -> Result<Duration, DurationError> {
    let body = text.strip_suffix('s').ok_or(DurationError::Malformed)?;
    let (neg, body) = match body.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, body),
    };
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => {
            if f.is_empty() || f.len() > 9 {
                return Err(DurationError::Malformed);
            }
            (i, f)
        }
        None => (body, ""),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(int) || (!frac.is_empty() && !all_digits(frac)) {
        return Err(DurationError::Malformed);
    }
    let secs: u64 = int.parse().map_err(|_| DurationError::OutOfRange)?;
    if secs > MAX_PROTO_SECONDS {
        return Err(DurationError::OutOfRange);
    }
    let mut nanos: u32 = 0;
    for b in frac.bytes().chain(std::iter::repeat(b'0')).take(9) {
        nanos = nanos * 10 + u32::from(b - b'0');
    }
    if neg && (secs > 0 || nanos > 0) {
        return Err(DurationError::Negative);
    }
    Ok(Duration::new(secs, nanos))
}

/// A duration as Go's `time.ParseDuration` reads it (Istio): `[-+]` then one
/// or more `NUMBER[.FRACTION]UNIT` with units `ns us µs μs ms s m h`; `0`
/// alone is zero.
///
/// Errors: [`DurationError`] (values beyond Go's ±292 years are
/// [`DurationError::OutOfRange`]).
pub fn parse_go_duration(text: &str) -> Result<Duration, DurationError> {
    const LIMIT: u64 = 1 << 63;
    let (neg, mut s) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if s == "0" {
        return Ok(Duration::ZERO);
    }
    if s.is_empty() {
        return Err(DurationError::Malformed);
    }
    let mut total: u64 = 0;
    while !s.is_empty() {
        let int_len = s.bytes().take_while(u8::is_ascii_digit).count();
        let int = &s[..int_len];
        s = &s[int_len..];
        let mut frac = "";
        if let Some(rest) = s.strip_prefix('.') {
            let n = rest.bytes().take_while(u8::is_ascii_digit).count();
            frac = &rest[..n];
            s = &rest[n..];
        }
        if int.is_empty() && frac.is_empty() {
            return Err(DurationError::Malformed);
        }
        let unit_len = s
            .find(|c: char| c == '.' || c.is_ascii_digit())
            .unwrap_or(s.len());
        let unit: u64 = match &s[..unit_len] {
            "ns" => 1,
            "us" | "\u{b5}s" | "\u{3bc}s" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => return Err(DurationError::Malformed),
        };
        s = &s[unit_len..];
        let v: u64 = if int.is_empty() {
            0
        } else {
            int.parse().map_err(|_| DurationError::OutOfRange)?
        };
        let mut part = v
            .checked_mul(unit)
            .filter(|p| *p <= LIMIT)
            .ok_or(DurationError::OutOfRange)?;
        if !frac.is_empty() {
            // Go scales the fraction in floating point; 18 digits are plenty.
            let digits = &frac[..frac.len().min(18)];
            let f: u64 = digits.parse().map_err(|_| DurationError::Malformed)?;
            let scale = 10f64.powi(i32::try_from(digits.len()).unwrap_or(18));
            let add = (f as f64 * (unit as f64 / scale)) as u64;
            part = part.checked_add(add).ok_or(DurationError::OutOfRange)?;
        }
        total = total
            .checked_add(part)
            .filter(|t| *t <= LIMIT)
            .ok_or(DurationError::OutOfRange)?;
    }
    if !neg && total == LIMIT {
        return Err(DurationError::OutOfRange);
    }
    if neg && total > 0 {
        return Err(DurationError::Negative);
    }
    Ok(Duration::from_nanos(total))
}

/// Reads `path` and its YAML documents; `None` after a syntax error (reported).
fn read_docs(
    path: &Path,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Result<(FileId, Option<Vec<Node>>), LoadError> {
    let id = sources.load(path)?;
    match parse_yaml_documents(sources.get(id).text()) {
        Ok(docs) => Ok((id, Some(docs))),
        Err(e) => {
            diags.push(Diagnostic::new(
                codes::SYNTAX_ERROR,
                format!("invalid YAML: {}", e.message.trim_end_matches('.')),
                Label::at(Location::new(id, e.span), "here"),
            ));
            Ok((id, None))
        }
    }
}

fn seq(node: Option<&Node>) -> &[Node] {
    match node.map(|n| &n.kind) {
        Some(NodeKind::Seq(items)) => items,
        _ => &[],
    }
}

fn str_at<'a>(node: &'a Node, key: &str) -> Option<&'a str> {
    node.get(key).and_then(Node::as_str)
}

/// How one system reads and describes its idle timeout.
struct IdleSpec {
    system: &'static str,
    source: &'static str,
    /// The key as written in the file, for messages.
    field: &'static str,
    parse: fn(&str) -> Result<Duration, DurationError>,
    /// Accepted syntax, for messages.
    syntax: &'static str,
    /// What the system does with an invalid value.
    rejects: &'static str,
}

const ENVOY: IdleSpec = IdleSpec {
    system: "Envoy",
    source: ENVOY_IDLE_TIMEOUT_SOURCE,
    field: "idle_timeout",
    parse: parse_proto_duration,
    syntax: "a protobuf Duration string: seconds with an `s` suffix, like \"3600s\" or \"0.5s\"",
    rejects: "Envoy rejects the configuration",
};

const ISTIO: IdleSpec = IdleSpec {
    system: "Istio",
    source: ISTIO_IDLE_TIMEOUT_SOURCE,
    field: "idleTimeout",
    parse: parse_go_duration,
    syntax: "a duration like \"1h\", \"30m\", \"90s\" or \"1h30m\" (units h, m, s, ms, us, ns)",
    rejects: "Istio rejects the DestinationRule",
};

/// The idle limit from `entry` (the idle key and value, when present):
/// `Some(Some(..))` a limit, `Some(None)` disabled, and the default when
/// absent, null or invalid.
fn idle_value(
    spec: &IdleSpec,
    file: FileId,
    entry: Option<(&Key, &Node)>,
    anchor: Location,
    owner: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<Sourced<Duration>> {
    let default = |anchor: Location| {
        Some(Sourced::new(
            DEFAULT_IDLE_TIMEOUT,
            Origin::Default {
                system: spec.system,
                source: spec.source,
                anchor: Some(anchor),
            },
        ))
    };
    let Some((_, value)) = entry else {
        return default(anchor);
    };
    let at = Location::new(file, value.span);
    let text = match &value.kind {
        NodeKind::Null => return default(anchor),
        NodeKind::Str(s) => s.as_str(),
        _ => {
            diags.push(
                Diagnostic::new(
                    codes::INVALID_VALUE,
                    format!(
                        "{} of {owner} is {}, not {}",
                        spec.field,
                        value.type_name(),
                        spec.syntax
                    ),
                    Label::at(at, "not a duration string"),
                )
                .with_help(format!(
                    "{}; the default of {} s applies meanwhile",
                    spec.rejects,
                    DEFAULT_IDLE_TIMEOUT.as_secs()
                )),
            );
            return default(at);
        }
    };
    match (spec.parse)(text) {
        Ok(d) if d.is_zero() => {
            diags.push(
                Diagnostic::new(
                    codes::PROXY_TIMEOUT_MISSING,
                    format!(
                        "{owner} has no idle timeout: {} `{text}` (0 s) disables it, so idle \
                         sessions are never closed by the proxy",
                        spec.field
                    ),
                    Label::at(at, "idle timeout disabled"),
                )
                .with_help(format!(
                    "{} warns that a disabled idle timeout leaks connections; set it above \
                     the app's connection retirement age",
                    spec.system
                )),
            );
            None
        }
        Ok(d) => Some(Sourced::new(d, Origin::File(at))),
        Err(e) => {
            let why = match e {
                DurationError::Malformed => format!("not {}", spec.syntax),
                DurationError::Negative => "a negative duration".to_string(),
                DurationError::OutOfRange => "out of range".to_string(),
            };
            diags.push(
                Diagnostic::new(
                    codes::INVALID_VALUE,
                    format!("invalid {} `{text}` of {owner}: {why}", spec.field),
                    Label::at(at, "not a valid duration"),
                )
                .with_help(format!(
                    "{}; the default of {} s applies meanwhile",
                    spec.rejects,
                    DEFAULT_IDLE_TIMEOUT.as_secs()
                )),
            );
            default(at)
        }
    }
}

/// Reads an Envoy config (YAML) and resolves the `tcp_proxy` of listener `listener`.
///
/// Errors: [`LoadError`] when `path` cannot be read.
pub fn load_envoy(
    path: &Path,
    listener: &str,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Result<ProxyLookup, LoadError> {
    let (file, docs) = read_docs(path, sources, diags)?;
    let Some(docs) = docs else {
        return Ok(ProxyLookup::NotFound {
            available: Vec::new(),
        });
    };
    let listeners = envoy_listeners(&docs);
    let Some(found) = listeners
        .iter()
        .find(|l| str_at(l, "name") == Some(listener))
    else {
        let available = listeners
            .iter()
            .filter_map(|l| str_at(l, "name"))
            .map(str::to_string)
            .collect();
        return Ok(ProxyLookup::NotFound { available });
    };
    let name_node = found.get("name").unwrap_or(found);
    let location = Location::new(file, name_node.span);
    let owner = format!("Envoy listener `{listener}`");
    let Some(filter) = tcp_proxies(found).into_iter().next() else {
        diags.push(
            Diagnostic::new(
                codes::INVALID_VALUE,
                format!("{owner} has no tcp_proxy filter (envoy.filters.network.tcp_proxy)"),
                Label::at(location, "no tcp_proxy filter"),
            )
            .with_help("name the listener that proxies the database connections"),
        );
        let available = listeners
            .iter()
            .filter(|l| !tcp_proxies(l).is_empty())
            .filter_map(|l| str_at(l, "name"))
            .map(str::to_string)
            .collect();
        return Ok(ProxyLookup::NotFound { available });
    };
    let (config_key, config) = match filter.entry("typed_config") {
        Some((k, v)) => (Some(k), Some(v)),
        None => (None, None),
    };
    let anchor_span = config_key
        .map(|k| k.span)
        .or_else(|| filter.get("name").map(|n| n.span))
        .unwrap_or(filter.span);
    let anchor = Location::new(file, anchor_span);
    let entry = config.and_then(|c| c.entry("idle_timeout"));
    let idle = idle_value(&ENVOY, file, entry, anchor, &owner, diags);
    Ok(ProxyLookup::Found(ProxyTimeouts {
        kind: ProxyKind::Envoy,
        name: listener.to_string(),
        location,
        client_idle: idle.clone(),
        server_idle: idle,
    }))
}

/// The listeners of every document, in file order.
fn envoy_listeners(docs: &[Node]) -> Vec<&Node> {
    let mut out = Vec::new();
    for doc in docs {
        let bootstrap = doc.get("static_resources").and_then(|s| s.get("listeners"));
        out.extend(seq(bootstrap));
        out.extend(seq(doc.get("resources")).iter().filter(|r| {
            r.get("filter_chains").is_some()
                || r.get("default_filter_chain").is_some()
                || str_at(r, "@type").is_some_and(|t| t.ends_with(".Listener"))
        }));
    }
    out
}

/// The tcp_proxy filters of a listener, in order.
fn tcp_proxies(listener: &Node) -> Vec<&Node> {
    let chains = seq(listener.get("filter_chains"))
        .iter()
        .chain(listener.get("default_filter_chain"));
    chains
        .flat_map(|c| seq(c.get("filters")))
        .filter(|f| is_tcp_proxy(f))
        .collect()
}

fn is_tcp_proxy(filter: &Node) -> bool {
    let ty = filter.get("typed_config").and_then(|t| str_at(t, "@type"));
    match ty {
        Some(t) => t.ends_with("tcp_proxy.v3.TcpProxy"),
        None => matches!(
            str_at(filter, "name"),
            Some("envoy.filters.network.tcp_proxy" | "envoy.tcp_proxy")
        ),
    }
}

/// Reads an Istio `DestinationRule` (YAML, possibly several documents) and
/// resolves the rule named `name` (or the only one when `name` is `None`).
///
/// Errors: [`LoadError`] when `path` cannot be read.
pub fn load_istio(
    path: &Path,
    name: Option<&str>,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Result<ProxyLookup, LoadError> {
    let (file, docs) = read_docs(path, sources, diags)?;
    let Some(docs) = docs else {
        return Ok(ProxyLookup::NotFound {
            available: Vec::new(),
        });
    };
    let rules: Vec<(&str, &Node, &Node)> = destination_rules(&docs)
        .into_iter()
        .filter_map(|r| {
            let n = r.get("metadata")?.get("name")?;
            Some((n.as_str()?, n, r))
        })
        .collect();
    let chosen = match name {
        Some(want) => rules.iter().find(|(n, _, _)| *n == want),
        None if rules.len() == 1 => rules.first(),
        None => None,
    };
    let Some((rule_name, name_node, rule)) = chosen else {
        return Ok(ProxyLookup::NotFound {
            available: rules.iter().map(|(n, _, _)| n.to_string()).collect(),
        });
    };
    let location = Location::new(file, name_node.span);
    // The deepest existing key of the path to idleTimeout anchors a default.
    let mut anchor = location;
    let mut node = Some(*rule);
    for key in ["spec", "trafficPolicy", "connectionPool", "tcp"] {
        match node.and_then(|n| n.entry(key)) {
            Some((k, v)) => {
                anchor = Location::new(file, k.span);
                node = Some(v);
            }
            None => {
                node = None;
                break;
            }
        }
    }
    let entry = node.and_then(|n| n.entry("idleTimeout"));
    let owner = format!("Istio DestinationRule `{rule_name}`");
    let idle = idle_value(&ISTIO, file, entry, anchor, &owner, diags);
    Ok(ProxyLookup::Found(ProxyTimeouts {
        kind: ProxyKind::Istio,
        name: rule_name.to_string(),
        location,
        client_idle: idle.clone(),
        server_idle: idle,
    }))
}

/// `kind: DestinationRule` documents and `kind: List` items, in file order.
fn destination_rules(docs: &[Node]) -> Vec<&Node> {
    let mut out = Vec::new();
    for doc in docs {
        match str_at(doc, "kind") {
            Some("DestinationRule") => out.push(doc),
            Some("List") => out.extend(
                seq(doc.get("items"))
                    .iter()
                    .filter(|i| str_at(i, "kind") == Some("DestinationRule")),
            ),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{diag_texts, origin_text};
    use tempfile::TempDir;

    struct Loaded {
        lookup: ProxyLookup,
        sources: SourceMap,
        diags: Vec<Diagnostic>,
    }

    impl Loaded {
        fn diags(&self) -> Vec<(&'static str, String)> {
            diag_texts(&self.diags, &self.sources)
        }

        fn found(&self) -> &ProxyTimeouts {
            match &self.lookup {
                ProxyLookup::Found(t) => t,
                other => panic!("not found: {other:?} {:?}", self.diags()),
            }
        }

        fn available(&self) -> Vec<String> {
            match &self.lookup {
                ProxyLookup::NotFound { available } => available.clone(),
                other => panic!("found: {other:?}"),
            }
        }

        /// The idle limit (same on both sides) and the text its origin points at.
        fn idle(&self) -> Option<(Duration, String)> {
            let t = self.found();
            assert_eq!(t.client_idle, t.server_idle);
            t.client_idle
                .as_ref()
                .map(|s| (s.value, origin_text(&self.sources, &s.origin).1))
        }
    }

    fn write(text: &str) -> (TempDir, std::path::PathBuf) {
        let dir = TempDir::new().expect("dir");
        let path = dir.path().join("config.yaml");
        std::fs::write(&path, text).expect("write");
        (dir, path)
    }

    fn envoy(text: &str, listener: &str) -> Loaded {
        let (dir, path) = write(text);
        let mut sources = SourceMap::new(Some(dir.path().to_path_buf()));
        let mut diags = Vec::new();
        let lookup = load_envoy(&path, listener, &mut sources, &mut diags).expect("loads");
        Loaded {
            lookup,
            sources,
            diags,
        }
    }

    fn istio(text: &str, name: Option<&str>) -> Loaded {
        let (dir, path) = write(text);
        let mut sources = SourceMap::new(Some(dir.path().to_path_buf()));
        let mut diags = Vec::new();
        let lookup = load_istio(&path, name, &mut sources, &mut diags).expect("loads");
        Loaded {
            lookup,
            sources,
            diags,
        }
    }

    fn fixture(name: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/mesh")
            .join(name)
    }

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    fn envoy_listener(idle: &str) -> String {
        format!(
            "static_resources:\n  listeners:\n  - name: mysql\n    filter_chains:\n    - filters:\n      \
             - name: envoy.filters.network.tcp_proxy\n        typed_config:\n          \
             \"@type\": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy\n          \
             stat_prefix: mysql\n          cluster: db\n{idle}"
        )
    }

    #[test]
    fn proto_durations() {
        let ok: &[(&str, Duration)] = &[
            ("3600s", secs(3600)),
            ("0s", Duration::ZERO),
            ("0.5s", Duration::from_millis(500)),
            ("1.000000001s", Duration::new(1, 1)),
            ("-0s", Duration::ZERO),
            ("315576000000s", secs(315_576_000_000)),
        ];
        for (t, d) in ok {
            assert_eq!(parse_proto_duration(t), Ok(*d), "{t}");
        }
        let bad: &[(&str, DurationError)] = &[
            ("3600", DurationError::Malformed),
            ("1h", DurationError::Malformed),
            ("1m", DurationError::Malformed),
            ("s", DurationError::Malformed),
            ("1.s", DurationError::Malformed),
            (".5s", DurationError::Malformed),
            ("1.0000000001s", DurationError::Malformed),
            ("+1s", DurationError::Malformed),
            (" 1s", DurationError::Malformed),
            ("-1s", DurationError::Negative),
            ("315576000001s", DurationError::OutOfRange),
            ("99999999999999999999999s", DurationError::OutOfRange),
        ];
        for (t, e) in bad {
            assert_eq!(parse_proto_duration(t), Err(*e), "{t}");
        }
    }

    #[test]
    fn go_durations() {
        let ok: &[(&str, Duration)] = &[
            ("1h", secs(3600)),
            ("30m", secs(1800)),
            ("3600s", secs(3600)),
            ("1h30m", secs(5400)),
            ("1.5h", secs(5400)),
            ("500ms", Duration::from_millis(500)),
            ("10us", Duration::from_micros(10)),
            ("10µs", Duration::from_micros(10)),
            ("7ns", Duration::from_nanos(7)),
            (".5s", Duration::from_millis(500)),
            ("1.s", secs(1)),
            ("0", Duration::ZERO),
            ("0s", Duration::ZERO),
            ("+5m", secs(300)),
            ("-0s", Duration::ZERO),
        ];
        for (t, d) in ok {
            assert_eq!(parse_go_duration(t), Ok(*d), "{t}");
        }
        let bad: &[(&str, DurationError)] = &[
            ("", DurationError::Malformed),
            ("1", DurationError::Malformed),
            ("3600", DurationError::Malformed),
            ("1d", DurationError::Malformed),
            ("h", DurationError::Malformed),
            (".s", DurationError::Malformed),
            ("1h 30m", DurationError::Malformed),
            ("-", DurationError::Malformed),
            ("-5s", DurationError::Negative),
            ("3000000h", DurationError::OutOfRange),
            ("99999999999999999999h", DurationError::OutOfRange),
        ];
        for (t, e) in bad {
            assert_eq!(parse_go_duration(t), Err(*e), "{t}");
        }
    }

    #[test]
    fn envoy_explicit_idle_timeout() {
        let l = envoy(&envoy_listener("          idle_timeout: 600s\n"), "mysql");
        assert!(l.diags.is_empty(), "{:?}", l.diags());
        let t = l.found();
        assert_eq!(t.kind, ProxyKind::Envoy);
        assert_eq!(t.name, "mysql");
        assert_eq!(l.sources.text_at(t.location), "mysql");
        assert_eq!(l.idle(), Some((secs(600), "600s".into())));
        let l = envoy(
            &envoy_listener("          idle_timeout: \"0.5s\"\n"),
            "mysql",
        );
        assert_eq!(
            l.idle(),
            Some((Duration::from_millis(500), "\"0.5s\"".into()))
        );
    }

    #[test]
    fn envoy_default_is_one_hour_at_typed_config() {
        let l = envoy(&envoy_listener(""), "mysql");
        assert!(l.diags.is_empty(), "{:?}", l.diags());
        let idle = l.found().client_idle.clone().expect("idle");
        assert_eq!(idle.value, secs(3600));
        match &idle.origin {
            Origin::Default {
                system,
                source,
                anchor,
            } => {
                assert_eq!(*system, "Envoy");
                assert_eq!(*source, ENVOY_IDLE_TIMEOUT_SOURCE);
                assert_eq!(l.sources.text_at(anchor.expect("anchor")), "typed_config");
            }
            other => panic!("{other:?}"),
        }
        // `idle_timeout:` with no value is null: the default too.
        let l = envoy(&envoy_listener("          idle_timeout:\n"), "mysql");
        assert!(l.diags.is_empty(), "{:?}", l.diags());
        assert_eq!(l.idle(), Some((secs(3600), "typed_config".into())));
    }

    #[test]
    fn envoy_zero_disables_with_a_warning() {
        let l = envoy(&envoy_listener("          idle_timeout: 0s\n"), "mysql");
        assert_eq!(l.idle(), None);
        assert_eq!(l.found().idle_limit(), None);
        assert_eq!(l.diags(), [("TL120", "0s".to_string())]);
        assert!(l.diags[0].message.contains("0 s"), "{}", l.diags[0].message);
    }

    #[test]
    fn envoy_bad_durations() {
        for (raw, msg) in [
            ("3600", "an integer"),
            ("1h", "protobuf Duration"),
            ("-5s", "negative"),
            ("[1]", "a list"),
        ] {
            let l = envoy(
                &envoy_listener(&format!("          idle_timeout: {raw}\n")),
                "mysql",
            );
            assert_eq!(l.diags(), [("TL002", raw.to_string())]);
            assert!(l.diags[0].message.contains(msg), "{}", l.diags[0].message);
            // The default applies, anchored at the bad value.
            assert_eq!(l.idle(), Some((secs(3600), raw.to_string())));
        }
    }

    #[test]
    fn envoy_listener_not_found_and_without_tcp_proxy() {
        let text = format!(
            "{}  - name: admin_http\n    filter_chains:\n    - filters:\n      - name: envoy.filters.network.http_connection_manager\n",
            envoy_listener("")
        );
        assert_eq!(envoy(&text, "nope").available(), ["mysql", "admin_http"]);
        let l = envoy(&text, "admin_http");
        assert_eq!(l.available(), ["mysql"]);
        assert_eq!(l.diags(), [("TL002", "admin_http".to_string())]);
        assert!(envoy("", "x").available().is_empty());
        let l = envoy("a: [", "x");
        assert!(l.available().is_empty());
        assert_eq!(l.diags.len(), 1);
        assert_eq!(l.diags[0].code.id, "TL001");
    }

    #[test]
    fn envoy_fixture_bootstrap() {
        let path = fixture("envoy.yaml");
        let mut sources = SourceMap::new(path.parent().map(Path::to_path_buf));
        let mut diags = Vec::new();
        let get =
            |name: &str, sources: &mut SourceMap, diags: &mut Vec<Diagnostic>| match load_envoy(
                &path, name, sources, diags,
            )
            .expect("loads")
            {
                ProxyLookup::Found(t) => t,
                other => panic!("{other:?}"),
            };
        let pg = get("postgres_listener", &mut sources, &mut diags);
        let idle = pg.idle_limit().expect("idle");
        assert_eq!(idle.value, secs(300));
        assert_eq!(
            sources.short(idle.origin.location().expect("loc")),
            "envoy.yaml:22"
        );
        // Found by @type only (no well-known filter name).
        let my = get("mysql_listener", &mut sources, &mut diags);
        assert_eq!(my.idle_limit().map(|s| s.value), Some(secs(3600)));
        assert!(diags.is_empty(), "{diags:?}");
    }

    #[test]
    fn envoy_lds_resources() {
        let text = "resources:\n- \"@type\": type.googleapis.com/envoy.config.listener.v3.Listener\n  name: db\n  filter_chains:\n  - filters:\n    - name: envoy.tcp_proxy\n      typed_config: {idle_timeout: 90s}\n";
        let l = envoy(text, "db");
        assert!(l.diags.is_empty(), "{:?}", l.diags());
        assert_eq!(l.idle(), Some((secs(90), "90s".into())));
    }

    const RULE_EXPLICIT: &str = "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  name: mysql-dr\nspec:\n  host: mysql.db.svc.cluster.local\n  trafficPolicy:\n    connectionPool:\n      tcp:\n        maxConnections: 100\n        idleTimeout: 30m\n";

    #[test]
    fn istio_single_rule_explicit() {
        let l = istio(RULE_EXPLICIT, None);
        assert!(l.diags.is_empty(), "{:?}", l.diags());
        let t = l.found();
        assert_eq!(t.kind, ProxyKind::Istio);
        assert_eq!(t.name, "mysql-dr");
        assert_eq!(l.sources.text_at(t.location), "mysql-dr");
        assert_eq!(l.idle(), Some((secs(1800), "30m".into())));
        assert!(matches!(
            istio(RULE_EXPLICIT, Some("other")).lookup,
            ProxyLookup::NotFound { .. }
        ));
    }

    #[test]
    fn istio_default_anchored_at_the_deepest_key() {
        let text = "kind: DestinationRule\nmetadata:\n  name: pg\nspec:\n  host: pg\n  trafficPolicy:\n    connectionPool:\n      http:\n        idleTimeout: 5s\n";
        let l = istio(text, Some("pg"));
        assert!(l.diags.is_empty(), "{:?}", l.diags());
        let idle = l.found().client_idle.clone().expect("idle");
        assert_eq!(idle.value, secs(3600));
        match &idle.origin {
            Origin::Default { system, anchor, .. } => {
                assert_eq!(*system, "Istio");
                assert_eq!(l.sources.text_at(anchor.expect("anchor")), "connectionPool");
            }
            other => panic!("{other:?}"),
        }
        let l = istio("kind: DestinationRule\nmetadata:\n  name: bare\n", None);
        assert_eq!(l.idle(), Some((secs(3600), "bare".into())));
    }

    #[test]
    fn istio_multi_document_and_list() {
        let path = fixture("istio.yaml");
        let mut sources = SourceMap::new(path.parent().map(Path::to_path_buf));
        let mut diags = Vec::new();
        let r = load_istio(&path, None, &mut sources, &mut diags).expect("loads");
        match r {
            ProxyLookup::NotFound { available } => {
                assert_eq!(available, ["reviews", "mysql-primary", "postgres"]);
            }
            other => panic!("{other:?}"),
        }
        let r = load_istio(&path, Some("mysql-primary"), &mut sources, &mut diags).expect("loads");
        let ProxyLookup::Found(t) = r else {
            panic!("{r:?}")
        };
        assert_eq!(t.idle_limit().map(|s| s.value), Some(secs(5400)));
        let r = load_istio(&path, Some("postgres"), &mut sources, &mut diags).expect("loads");
        let ProxyLookup::Found(t) = r else {
            panic!("{r:?}")
        };
        assert!(t.client_idle.is_none());
        assert_eq!(diag_texts(&diags, &sources), [("TL120", "0s".to_string())]);

        let list = "kind: List\nitems:\n- kind: Service\n  metadata: {name: x}\n- kind: DestinationRule\n  metadata: {name: y}\n  spec: {trafficPolicy: {connectionPool: {tcp: {idleTimeout: 2h}}}}\n";
        let l = istio(list, None);
        assert_eq!(l.idle(), Some((secs(7200), "2h".into())));
        assert!(istio("---\nkind: Service\n", None).available().is_empty());
    }

    #[test]
    fn istio_bad_durations() {
        for raw in ["1d", "3600", "-1h", "\"\""] {
            let text = RULE_EXPLICIT.replace("30m", raw);
            let l = istio(&text, None);
            assert_eq!(l.diags(), [("TL002", raw.to_string())], "{raw}");
            assert_eq!(l.idle(), Some((secs(3600), raw.to_string())));
        }
    }

    #[test]
    fn unreadable_named_file_is_a_load_error() {
        let dir = TempDir::new().expect("dir");
        let mut sources = SourceMap::new(None);
        let mut diags = Vec::new();
        let missing = dir.path().join("missing.yaml");
        assert!(matches!(
            load_envoy(&missing, "x", &mut sources, &mut diags),
            Err(LoadError::Unreadable { .. })
        ));
        assert!(matches!(
            load_istio(&missing, None, &mut sources, &mut diags),
            Err(LoadError::Unreadable { .. })
        ));
    }

    #[test]
    fn never_panics_on_odd_input() {
        let inputs = [
            "",
            "~",
            "[]",
            "static_resources: 1",
            "static_resources: {listeners: 5}",
            "static_resources: {listeners: [5, {name: 3}, {name: x, filter_chains: 7}]}",
            "static_resources: {listeners: [{name: x, filter_chains: [{filters: [{typed_config: 1}]}]}]}",
            "static_resources: {listeners: [{name: x, default_filter_chain: {filters: [{name: envoy.tcp_proxy, typed_config: {idle_timeout: é}}]}}]}",
            "resources: [{name: x, filter_chains: []}]",
            "kind: DestinationRule",
            "kind: DestinationRule\nmetadata: 1",
            "kind: DestinationRule\nmetadata: {name: [x]}",
            "kind: DestinationRule\nmetadata: {name: x}\nspec: {trafficPolicy: {connectionPool: {tcp: {idleTimeout: 1e99999h}}}}",
            "kind: List\nitems: 3",
            "\u{feff}kind: DestinationRule",
            "a: &x [*x]",
        ];
        for text in inputs {
            for name in ["x", "", "é"] {
                let _ = envoy(text, name);
                let _ = istio(text, Some(name));
            }
            let _ = istio(text, None);
        }
        for t in [
            "", "s", "-s", ".s", "1.s", "é", "9s9", "µs", "1µ", "1.é", "--1s",
        ] {
            let _ = parse_proto_duration(t);
            let _ = parse_go_duration(t);
        }
    }
}
