//! Built-in middlebox presets: the documented idle behaviour of NATs, load
//! balancers, firewalls, conntrack tables and proxies, so a manifest can say
//! `preset = "aws-nlb"` instead of looking the numbers up.
//!
//! The catalogue is one data file, `presets/presets.toml`, embedded in the
//! binary and validated at load ([`load`]); every fact carries its source
//! URLs and, when something is unconfirmed or disputed, a caveat. Facts come
//! from `DOMAIN.md` sections 7, 8 and 10.
//!
//! An invalid catalogue is a build defect: the unit tests load it, and
//! production code never panics on it ([`catalogue`] is then empty).

use std::collections::BTreeSet;
use std::sync::OnceLock;
use std::time::Duration;

use comfy_table::{ContentArrangement, Table, presets::ASCII_FULL_CONDENSED};
use serde::Deserialize;

use crate::model::OnIdle;
use crate::provenance::Origin;
use crate::source::Location;
use crate::units::{fmt_secs_long, parse_manifest_duration};

/// The embedded catalogue file.
pub const FILE: &str = include_str!("../../presets/presets.toml");

/// One middlebox's documented idle behaviour.
#[derive(Clone, Debug, PartialEq)]
pub struct Preset {
    /// Stable id, kebab-case, e.g. `aws-nlb`.
    pub id: String,
    /// Display name, e.g. `AWS Network Load Balancer (TCP listener)`.
    pub name: String,
    /// Documented default idle timeout; `None` when the sources disagree or
    /// it is unconfirmed (then the user must give one, see [`apply`]).
    pub idle_timeout: Option<Duration>,
    /// Whether the user can change the idle timeout at all.
    pub configurable: bool,
    /// Documented configurable range (inclusive); `None` = not configurable,
    /// or configurable without a documented (or confirmed) bound.
    pub range: Option<(Duration, Duration)>,
    /// Whether a configured `0s` turns the idle timeout off (Envoy, Istio).
    pub zero_disables: bool,
    /// What happens at expiry; `None` = unconfirmed.
    pub on_idle: Option<OnIdle>,
    /// Whether TCP keepalive probes count as activity: true for NAT,
    /// conntrack and L4 flow trackers, false for proxies that measure payload.
    pub keepalive_resets: bool,
    /// Whether the device measures idleness between requests rather than
    /// data silence (RDS Proxy: "no new request since the previous one
    /// completed"), so a statement running counts as activity and a long
    /// silent statement is never cut by it (TL124).
    pub idle_between_requests: bool,
    /// Source URLs of the facts; the first is the one quoted in diagnostics.
    pub sources: Vec<String>,
    /// What is unconfirmed or disputed, said in diagnostics and `presets`
    /// (lower case, no final period).
    pub caveat: Option<String>,
}

impl Preset {
    /// The primary source URL (the first of [`Preset::sources`]).
    pub fn source(&self) -> &str {
        self.sources.first().map(String::as_str).unwrap_or("")
    }

    /// The provenance of a value taken from this preset, anchored at the
    /// manifest entry that names it. Needs a catalogue entry
    /// ([`get`]/[`catalogue`]) because [`Origin::Preset`] borrows for `'static`.
    pub fn origin(&self, anchor: Option<Location>) -> Origin {
        Origin::Preset {
            id: self.id.clone(),
            source: self.source().to_string(),
            anchor,
        }
    }
}

/// Errors loading the catalogue (a build defect, caught by the unit tests).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    /// The file is not valid TOML, misses a key or has an unknown one.
    #[error("presets/presets.toml: {0}")]
    Syntax(String),
    /// One entry breaks a rule.
    #[error("presets/presets.toml: preset `{id}`: {message}")]
    Invalid {
        /// The entry's id (as written).
        id: String,
        /// What is wrong.
        message: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    preset: Vec<RawPreset>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPreset {
    id: String,
    name: String,
    idle_timeout: Option<String>,
    configurable: bool,
    range: Option<[String; 2]>,
    #[serde(default)]
    zero_disables: bool,
    on_idle: Option<String>,
    keepalive_resets: bool,
    #[serde(default)]
    idle_between_requests: bool,
    sources: Vec<String>,
    caveat: Option<String>,
}

/// Parses and validates the embedded catalogue, in id order.
///
/// Errors: TOML syntax or unknown/missing keys; a duplicate or non-kebab-case
/// id; an empty name; a duration that [`parse_manifest_duration`] rejects; a
/// range with min > max, or not containing the default; a range on a device
/// that is not configurable; a fixed device without a default; `on_idle`
/// other than `drop`/`reset`; no sources or a source that is not an http(s)
/// URL; a missing caveat when `idle_timeout` or `on_idle` is absent; an empty
/// caveat or one ending with a period.
pub fn load() -> Result<Vec<Preset>, LoadError> {
    parse(FILE)
}

fn parse(text: &str) -> Result<Vec<Preset>, LoadError> {
    let raw: RawFile = toml::from_str(text).map_err(|e| LoadError::Syntax(e.message().into()))?;
    let mut seen = BTreeSet::new();
    let mut out = Vec::with_capacity(raw.preset.len());
    for r in raw.preset {
        let p = validate(r)?;
        if !seen.insert(p.id.clone()) {
            return Err(LoadError::Invalid {
                id: p.id,
                message: "duplicate id".into(),
            });
        }
        out.push(p);
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}

fn validate(r: RawPreset) -> Result<Preset, LoadError> {
    let id = r.id.clone();
    let invalid = |message: String| LoadError::Invalid {
        id: id.clone(),
        message,
    };
    if !is_kebab(&r.id) {
        return Err(invalid("id is not kebab-case".into()));
    }
    if r.name.trim().is_empty() {
        return Err(invalid("empty name".into()));
    }
    let dur = |key: &str, s: &str| {
        parse_manifest_duration(s).map_err(|e| LoadError::Invalid {
            id: id.clone(),
            message: format!("{key}: {e}"),
        })
    };
    let idle_timeout = r
        .idle_timeout
        .as_deref()
        .map(|s| dur("idle_timeout", s))
        .transpose()?;
    let range = match &r.range {
        None => None,
        Some([lo, hi]) => Some((dur("range", lo)?, dur("range", hi)?)),
    };
    if let Some((lo, hi)) = range {
        if lo > hi {
            return Err(invalid("range min is above max".into()));
        }
        if !r.configurable {
            return Err(invalid(
                "a range on a device that is not configurable".into(),
            ));
        }
        if let Some(d) = idle_timeout
            && (d < lo || d > hi)
        {
            return Err(invalid("idle_timeout is outside the range".into()));
        }
    }
    if !r.configurable && idle_timeout.is_none() {
        return Err(invalid("a fixed device needs idle_timeout".into()));
    }
    if r.zero_disables && !r.configurable {
        return Err(invalid(
            "zero_disables on a device that is not configurable".into(),
        ));
    }
    let on_idle = match r.on_idle.as_deref() {
        None => None,
        Some("drop") => Some(OnIdle::Drop),
        Some("reset") => Some(OnIdle::Reset),
        Some(other) => {
            return Err(invalid(format!(
                "on_idle must be \"drop\" or \"reset\", not \"{other}\""
            )));
        }
    };
    if r.sources.is_empty() {
        return Err(invalid("no sources".into()));
    }
    if let Some(s) = r
        .sources
        .iter()
        .find(|s| !(s.starts_with("https://") || s.starts_with("http://")) || s.contains(' '))
    {
        return Err(invalid(format!("source `{s}` is not a URL")));
    }
    match &r.caveat {
        None if idle_timeout.is_none() => {
            return Err(invalid("no idle_timeout needs a caveat".into()));
        }
        None if on_idle.is_none() => return Err(invalid("no on_idle needs a caveat".into())),
        Some(c) if c.trim().is_empty() => return Err(invalid("empty caveat".into())),
        Some(c) if c.trim_end().ends_with('.') => {
            return Err(invalid("caveat ends with a period".into()));
        }
        _ => {}
    }
    Ok(Preset {
        id: r.id,
        name: r.name,
        idle_timeout,
        configurable: r.configurable,
        range,
        zero_disables: r.zero_disables,
        on_idle,
        keepalive_resets: r.keepalive_resets,
        idle_between_requests: r.idle_between_requests,
        sources: r.sources,
        caveat: r.caveat,
    })
}

fn is_kebab(s: &str) -> bool {
    !s.is_empty()
        && s.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// The validated catalogue, loaded once, in id order. Empty if the embedded
/// file is invalid (a build defect the unit tests catch; never a panic).
pub fn catalogue() -> &'static [Preset] {
    static CATALOGUE: OnceLock<Vec<Preset>> = OnceLock::new();
    CATALOGUE.get_or_init(|| load().unwrap_or_default())
}

/// Every preset, in id order (a copy of [`catalogue`]).
pub fn all() -> Vec<Preset> {
    catalogue().to_vec()
}

/// The preset with id `id` (a copy).
pub fn find(id: &str) -> Option<Preset> {
    get(id).cloned()
}

/// The catalogue entry with id `id`, borrowed for `'static` (for [`Preset::origin`]).
pub fn get(id: &str) -> Option<&'static Preset> {
    catalogue().iter().find(|p| p.id == id)
}

/// Why a user's idle timeout for a preset was refused. Messages are lower
/// case, without a final period, and name units and the source.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PresetError {
    /// The value is outside the documented range.
    #[error(
        "idle_timeout = {} for preset {id} is outside its documented range {} to {} ({url})",
        fmt_secs_long(*value),
        fmt_secs_long(*min),
        fmt_secs_long(*max)
    )]
    OutOfRange {
        /// Preset id.
        id: String,
        /// The value given.
        value: Duration,
        /// Documented minimum (inclusive).
        min: Duration,
        /// Documented maximum (inclusive).
        max: Duration,
        /// Source URL of the range.
        url: String,
    },
    /// The device's idle timeout cannot be configured and the value differs
    /// from its fixed one.
    #[error(
        "preset {id} has a fixed idle timeout of {} that cannot be configured, so idle_timeout = {} cannot apply; remove idle_timeout or describe the hop without the preset ({url})",
        fmt_secs_long(*fixed),
        fmt_secs_long(*value)
    )]
    NotConfigurable {
        /// Preset id.
        id: String,
        /// The value given.
        value: Duration,
        /// The fixed idle timeout.
        fixed: Duration,
        /// Source URL of the fixed value.
        url: String,
    },
    /// No value was given and the preset has no confirmed default.
    #[error(
        "preset {id} has no confirmed default idle timeout ({caveat}); set idle_timeout ({url})"
    )]
    NoDefault {
        /// Preset id.
        id: String,
        /// Why there is no default.
        caveat: String,
        /// Source URL.
        url: String,
    },
    /// `0s` on a device without a documented range where zero does not
    /// disable the timeout: it describes no idle timeout.
    #[error(
        "idle_timeout = 0 s for preset {id} does not describe an idle timeout; give the timeout in effect ({url})"
    )]
    Zero {
        /// Preset id.
        id: String,
        /// Source URL.
        url: String,
    },
}

/// Applies a user's `idle_timeout` override to a preset.
///
/// Returns the idle timeout in effect: the given value, or the preset's
/// default when none is given; `Ok(None)` when the value is `0s` on a device
/// where zero disables the timeout (Envoy, Istio), i.e. the hop never expires
/// idle flows.
///
/// Errors: [`PresetError::OutOfRange`] when the value is outside the
/// documented range; [`PresetError::NotConfigurable`] when the device is not
/// configurable and the value differs from its fixed timeout (a value equal to
/// it is accepted); [`PresetError::NoDefault`] when no value is given and the
/// preset has no confirmed default; [`PresetError::Zero`] for `0s` on a
/// configurable device without a range where zero has no documented meaning.
/// A configurable device without a documented range accepts any other value.
pub fn apply(
    preset: &Preset,
    idle_timeout: Option<Duration>,
) -> Result<Option<Duration>, PresetError> {
    let id = || preset.id.clone();
    let url = || preset.source().to_string();
    let Some(value) = idle_timeout else {
        return match preset.idle_timeout {
            Some(d) => Ok(Some(d)),
            None => Err(PresetError::NoDefault {
                id: id(),
                caveat: preset
                    .caveat
                    .clone()
                    .unwrap_or_else(|| "the sources disagree or it is unconfirmed".into()),
                url: url(),
            }),
        };
    };
    if value.is_zero() && preset.zero_disables {
        return Ok(None);
    }
    if let Some((min, max)) = preset.range {
        if value < min || value > max {
            return Err(PresetError::OutOfRange {
                id: id(),
                value,
                min,
                max,
                url: url(),
            });
        }
        return Ok(Some(value));
    }
    if !preset.configurable {
        return match preset.idle_timeout {
            Some(fixed) if fixed != value => Err(PresetError::NotConfigurable {
                id: id(),
                value,
                fixed,
                url: url(),
            }),
            _ => Ok(Some(value)),
        };
    }
    if value.is_zero() {
        return Err(PresetError::Zero {
            id: id(),
            url: url(),
        });
    }
    Ok(Some(value))
}

/// The table printed by `timeoutlint presets`: one row per preset (id, name,
/// default, range, at expiry, keepalive counts, caveat), caveats as numbered
/// notes under the table, then each preset's sources. Deterministic: id
/// order, ASCII borders, no terminal probing.
pub fn table() -> String {
    render(catalogue())
}

fn render(presets: &[Preset]) -> String {
    let mut t = Table::new();
    t.load_style(ASCII_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(vec![
            "id",
            "name",
            "default",
            "range",
            "at expiry",
            "keepalive counts",
            "caveat",
        ]);
    let mut notes = Vec::new();
    for p in presets {
        let default = p
            .idle_timeout
            .map(fmt_secs_long)
            .unwrap_or_else(|| "none (give one)".into());
        let range = match (p.range, p.configurable) {
            (Some((lo, hi)), _) => format!("{} - {}", fmt_secs_long(lo), fmt_secs_long(hi)),
            (None, false) => "fixed".into(),
            (None, true) => "any".into(),
        };
        let range = if p.zero_disables {
            format!("{range} (0s disables)")
        } else {
            range
        };
        let caveat = match &p.caveat {
            Some(c) => {
                notes.push((p.id.as_str(), c.as_str()));
                format!("[{}]", notes.len())
            }
            None => String::new(),
        };
        t.add_row(vec![
            p.id.clone(),
            p.name.clone(),
            default,
            range,
            p.on_idle.map_or("unconfirmed", OnIdle::as_str).to_string(),
            if p.keepalive_resets { "yes" } else { "no" }.to_string(),
            caveat,
        ]);
    }
    let mut out = t.to_string();
    out.push('\n');
    if !notes.is_empty() {
        out.push_str("\ncaveats:\n");
        for (i, (id, c)) in notes.iter().enumerate() {
            out.push_str(&format!("[{}] {id}: {c}\n", i + 1));
        }
    }
    out.push_str("\nsources:\n");
    for p in presets {
        for s in &p.sources {
            out.push_str(&format!("{}: {s}\n", p.id));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    fn preset(id: &str) -> &'static Preset {
        get(id).unwrap_or_else(|| panic!("preset {id} missing"))
    }

    #[test]
    fn catalogue_loads_and_validates() {
        let all = load().expect("presets/presets.toml is valid");
        assert!(all.len() >= 21);
        assert_eq!(catalogue(), all.as_slice());
        let ids: Vec<&str> = all.iter().map(|p| p.id.as_str()).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(ids, sorted, "id order, unique");
    }

    /// (id, default s, range s, on_idle, keepalive counts, configurable)
    type Row = (
        &'static str,
        Option<u64>,
        Option<(u64, u64)>,
        Option<OnIdle>,
        bool,
        bool,
    );

    #[test]
    fn required_presets_have_documented_values() {
        use OnIdle::{Drop, Reset};
        let rows: &[Row] = &[
            ("aws-nlb", Some(350), Some((60, 6000)), None, true, true),
            ("aws-alb", Some(60), None, Some(Reset), false, true),
            (
                "aws-clb",
                Some(60),
                Some((1, 3600)),
                Some(Reset),
                false,
                true,
            ),
            ("aws-nat-gateway", Some(350), None, None, true, false),
            (
                "aws-security-group",
                None,
                Some((60, 432_000)),
                Some(Drop),
                true,
                true,
            ),
            (
                "aws-network-firewall",
                Some(350),
                Some((60, 6000)),
                Some(Drop),
                true,
                true,
            ),
            (
                "aws-rds-proxy",
                Some(1800),
                Some((1, 28_800)),
                Some(Reset),
                false,
                true,
            ),
            ("gcp-cloud-nat", Some(1200), None, None, true, true),
            ("gcp-vpc-firewall", Some(600), None, Some(Drop), true, false),
            (
                "gcp-internal-lb",
                Some(600),
                Some((600, 57_600)),
                None,
                true,
                true,
            ),
            (
                "azure-load-balancer",
                Some(240),
                Some((240, 6000)),
                Some(Drop),
                true,
                true,
            ),
            (
                "azure-nat-gateway",
                Some(240),
                Some((240, 7200)),
                None,
                true,
                true,
            ),
            (
                "azure-firewall",
                Some(240),
                Some((240, 900)),
                None,
                true,
                true,
            ),
            ("alibaba-slb", Some(900), Some((10, 900)), None, true, true),
            ("tencent-clb", Some(900), None, None, true, true),
            ("linux-conntrack", Some(432_000), None, None, true, true),
            ("kube-proxy-conntrack", Some(86_400), None, None, true, true),
            ("ipvs", Some(900), None, None, true, true),
            (
                "envoy-tcp-proxy",
                Some(3600),
                None,
                Some(Reset),
                false,
                true,
            ),
            ("istio", Some(3600), None, Some(Reset), false, true),
        ];
        for &(id, default, range, on_idle, ka, configurable) in rows {
            let p = preset(id);
            assert_eq!(p.idle_timeout, default.map(secs), "{id} default");
            assert_eq!(
                p.range,
                range.map(|(a, b)| (secs(a), secs(b))),
                "{id} range"
            );
            assert_eq!(p.on_idle, on_idle, "{id} on_idle");
            assert_eq!(p.keepalive_resets, ka, "{id} keepalive_resets");
            assert_eq!(p.configurable, configurable, "{id} configurable");
            assert!(p.source().starts_with("https://"), "{id} source");
        }
    }

    #[test]
    fn caveats_say_what_is_disputed() {
        let has = |id: &str, needle: &str| {
            let c = preset(id).caveat.clone().unwrap_or_default();
            assert!(c.contains(needle), "{id} caveat `{c}` lacks `{needle}`");
        };
        has(
            "aws-clb",
            "TCP keep-alive probes do not prevent the load balancer from terminating the connection",
        );
        has("aws-security-group", "Nitro v6");
        has("aws-security-group", "432000 s");
        has("aws-nat-gateway", "RST");
        has("azure-firewall", "east-west");
        has("tencent-clb", "disputed");
        assert!(preset("envoy-tcp-proxy").zero_disables);
        assert!(preset("istio").zero_disables);
        assert!(!preset("aws-nlb").zero_disables);
    }

    #[test]
    fn origin_names_the_preset_and_its_first_source() {
        let p = preset("aws-nlb");
        match p.origin(None) {
            Origin::Preset { id, source, anchor } => {
                assert_eq!(id, "aws-nlb");
                assert_eq!(
                    source,
                    "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/update-idle-timeout.html"
                );
                assert_eq!(anchor, None);
            }
            other => panic!("unexpected origin {other:?}"),
        }
        assert_eq!(find("aws-nlb").as_ref(), Some(p));
        assert_eq!(find("nope"), None);
        assert_eq!(all().len(), catalogue().len());
    }

    #[test]
    fn apply_accepts_and_rejects() {
        enum Want {
            Ok(Option<u64>),
            OutOfRange,
            NotConfigurable,
            NoDefault,
            Zero,
        }
        use Want::*;
        let cases: &[(&str, Option<u64>, Want)] = &[
            // default used
            ("aws-nlb", None, Ok(Some(350))),
            ("aws-nat-gateway", None, Ok(Some(350))),
            ("gcp-cloud-nat", None, Ok(Some(1200))),
            // in range, bounds inclusive
            ("aws-nlb", Some(60), Ok(Some(60))),
            ("aws-nlb", Some(6000), Ok(Some(6000))),
            ("aws-security-group", Some(350), Ok(Some(350))),
            ("azure-load-balancer", Some(1800), Ok(Some(1800))),
            // out of range
            ("aws-nlb", Some(59), OutOfRange),
            ("aws-nlb", Some(6001), OutOfRange),
            ("aws-nlb", Some(0), OutOfRange),
            ("aws-security-group", Some(432_001), OutOfRange),
            ("gcp-internal-lb", Some(300), OutOfRange),
            // not configurable: equal accepted, different refused
            ("aws-nat-gateway", Some(350), Ok(Some(350))),
            ("aws-nat-gateway", Some(600), NotConfigurable),
            ("gcp-vpc-firewall", Some(600), Ok(Some(600))),
            ("gcp-vpc-firewall", Some(3600), NotConfigurable),
            // no default
            ("aws-security-group", None, NoDefault),
            // configurable without a range: anything but a meaningless zero
            ("aws-alb", Some(4000), Ok(Some(4000))),
            ("tencent-clb", Some(3600), Ok(Some(3600))),
            ("linux-conntrack", Some(0), Zero),
            // zero disables
            ("envoy-tcp-proxy", Some(0), Ok(None)),
            ("istio", Some(0), Ok(None)),
            ("envoy-tcp-proxy", Some(7200), Ok(Some(7200))),
        ];
        for (id, given, want) in cases {
            let got = apply(preset(id), given.map(secs));
            let ok = match (want, &got) {
                (Ok(w), Result::Ok(g)) => *g == w.map(secs),
                (OutOfRange, Err(PresetError::OutOfRange { .. }))
                | (NotConfigurable, Err(PresetError::NotConfigurable { .. }))
                | (NoDefault, Err(PresetError::NoDefault { .. }))
                | (Zero, Err(PresetError::Zero { .. })) => true,
                _ => false,
            };
            assert!(ok, "{id} {given:?}: got {got:?}");
        }
    }

    #[test]
    fn apply_messages_have_units_and_source() {
        let msg = |id: &str, v: Option<u64>| {
            apply(preset(id), v.map(secs))
                .expect_err("refused")
                .to_string()
        };
        let cases = [
            (
                msg("aws-nlb", Some(7000)),
                "idle_timeout = 7000 s (1h56m40s) for preset aws-nlb is outside its documented range 60 s (1m) to 6000 s (1h40m) (https://docs.aws.amazon.com/elasticloadbalancing/latest/network/update-idle-timeout.html)",
            ),
            (
                msg("aws-nat-gateway", Some(600)),
                "preset aws-nat-gateway has a fixed idle timeout of 350 s (5m50s) that cannot be configured, so idle_timeout = 600 s (10m) cannot apply; remove idle_timeout or describe the hop without the preset (https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-troubleshooting.html#nat-gateway-troubleshooting-timeout)",
            ),
        ];
        for (got, want) in cases {
            assert_eq!(got, want);
        }
        let nd = msg("aws-security-group", None);
        assert!(
            nd.starts_with("preset aws-security-group has no confirmed default idle timeout (")
        );
        assert!(nd.contains("set idle_timeout"));
        for m in [nd, msg("linux-conntrack", Some(0))] {
            assert!(!m.ends_with('.'), "{m}");
            assert!(m.chars().next().is_some_and(|c| c.is_lowercase()), "{m}");
        }
    }

    #[test]
    fn validation_rejects_bad_entries() {
        let entry = |extra: &str| {
            format!(
                "[[preset]]\nid = \"x-y\"\nname = \"X\"\nconfigurable = true\nkeepalive_resets = true\nsources = [\"https://example.org\"]\n{extra}\n"
            )
        };
        let ok = entry("idle_timeout = \"60s\"\non_idle = \"drop\"");
        assert!(parse(&ok).is_ok(), "{:?}", parse(&ok));
        let bad = [
            entry("idle_timeout = \"60\"\non_idle = \"drop\""),
            entry("idle_timeout = \"60s\"\non_idle = \"drop\"\nrange = [\"90s\", \"30s\"]"),
            entry("idle_timeout = \"600s\"\non_idle = \"drop\"\nrange = [\"30s\", \"90s\"]"),
            entry("idle_timeout = \"60s\"\non_idle = \"silent\""),
            entry("idle_timeout = \"60s\""),
            entry("on_idle = \"drop\""),
            entry("idle_timeout = \"60s\"\non_idle = \"drop\"\ncaveat = \"ends with a period.\""),
            entry("idle_timeout = \"60s\"\non_idle = \"drop\"\nunknown = 1"),
            ok.replace("x-y", "X_Y"),
            ok.replace("https://example.org", "example.org"),
            ok.replace("configurable = true", "configurable = false")
                .replace("idle_timeout = \"60s\"\n", ""),
            format!("{ok}{ok}"),
        ];
        for text in bad {
            assert!(parse(&text).is_err(), "accepted:\n{text}");
        }
    }

    #[test]
    fn table_is_stable() {
        let t = table();
        assert_eq!(t, table());
        let header = t.lines().nth(1).unwrap_or_default();
        for col in [
            "id",
            "name",
            "default",
            "range",
            "at expiry",
            "keepalive counts",
            "caveat",
        ] {
            assert!(header.contains(col), "{header}");
        }
        let row = |id: &str| {
            t.lines()
                .find(|l| l.starts_with(&format!("| {id} ")))
                .unwrap_or_else(|| panic!("no row for {id}"))
                .to_string()
        };
        let nlb = row("aws-nlb");
        assert!(nlb.contains("350 s (5m50s)") && nlb.contains("60 s (1m) - 6000 s (1h40m)"));
        assert!(nlb.contains("unconfirmed"));
        let sg = row("aws-security-group");
        assert!(sg.contains("none (give one)") && sg.contains("drop"));
        assert!(row("aws-nat-gateway").contains("fixed"));
        assert!(row("envoy-tcp-proxy").contains("any (0s disables)"));
        assert!(row("aws-alb").contains("| no "));
        assert!(t.contains("\ncaveats:\n[1] "));
        assert!(t.contains("aws-clb: https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/config-idle-timeout.html\n"));
        assert!(!t.lines().any(|l| l.ends_with(' ')));
    }

    #[test]
    fn render_small_catalogue_exactly() {
        let p = parse(
            "[[preset]]\nid = \"b-nat\"\nname = \"B NAT\"\nidle_timeout = \"350s\"\nconfigurable = false\non_idle = \"drop\"\nkeepalive_resets = true\nsources = [\"https://b.example\"]\n\n[[preset]]\nid = \"a-lb\"\nname = \"A LB\"\nconfigurable = true\nrange = [\"1s\", \"1h\"]\nkeepalive_resets = false\nsources = [\"https://a.example\"]\ncaveat = \"disputed\"\n",
        )
        .expect("valid");
        let want = "\
+-------+-------+-----------------+-------------------+-------------+------------------+--------+
| id    | name  | default         | range             | at expiry   | keepalive counts | caveat |
+===============================================================================================+
| a-lb  | A LB  | none (give one) | 1 s - 3600 s (1h) | unconfirmed | no               | [1]    |
| b-nat | B NAT | 350 s (5m50s)   | fixed             | drop        | yes              |        |
+-------+-------+-----------------+-------------------+-------------+------------------+--------+

caveats:
[1] a-lb: disputed

sources:
a-lb: https://a.example
b-nat: https://b.example
";
        assert_eq!(render(&p), want);
    }
}
