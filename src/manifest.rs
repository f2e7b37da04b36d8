//! The manifest, `timeoutlint.toml`: which configs form each connection path.
//!
//! ```toml
//! [[path]]
//! name = "api -> orders-db"        # optional
//! app = "app/settings.yaml"        # SQLAlchemy / Flask / Django settings, YAML or TOML
//! database = "default"             # optional: which Django alias or engine
//! app_sysctl = "app/sysctl.conf"   # optional: file, sysctl.d folder or `sysctl -a` dump
//! db = "db/my.cnf"                 # MySQL option file; includes are followed
//! db_sysctl = "db/sysctl.conf"     # optional
//!
//! [[path.hop]]                     # zero or more, app -> database order
//! name = "cloud security group"
//! idle_timeout = "3600s"           # "350s", "60m", "1h", "2h30m"
//! on_idle = "drop"                 # "drop" (default) or "reset"
//! keepalive_resets = true          # default true
//! ```
//!
//! Paths are relative to the manifest's folder. The key names are a contract:
//! later versions extend them and never rename them. Unknown keys are errors.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use crate::diagnostic::{Diagnostic, Label};
use crate::provenance::{Origin, Sourced};
use crate::rules::codes;
use crate::source::{FileId, Location, SourceMap, Span};
use crate::units::parse_manifest_duration;

/// The manifest's file name.
pub const FILE_NAME: &str = "timeoutlint.toml";

/// What a hop does to a flow that has been idle past its timeout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnIdle {
    /// Forgets the flow silently: the next packet vanishes and the client hangs
    /// until a read timeout or TCP retransmission gives up.
    Drop,
    /// Answers the next packet with a TCP RST: the client fails fast.
    Reset,
}

impl OnIdle {
    /// `drop` or `reset`.
    pub fn as_str(self) -> &'static str {
        match self {
            OnIdle::Drop => "drop",
            OnIdle::Reset => "reset",
        }
    }
}

/// A network hop between app and database: a NAT, security group, firewall or
/// load balancer with an idle timeout.
#[derive(Clone, Debug)]
pub struct HopSpec {
    /// Display name.
    pub name: String,
    /// Idle time after which the hop forgets the flow.
    pub idle_timeout: Sourced<Duration>,
    /// What happens to the flow then (default `drop`).
    pub on_idle: Sourced<OnIdle>,
    /// Whether TCP keepalive probes count as activity (default true: NAT,
    /// conntrack, L4 load balancers; false for proxies that terminate TCP).
    pub keepalive_resets: Sourced<bool>,
}

/// One `[[path.hop]]` entry.
#[derive(Clone, Debug)]
pub enum HopEntry {
    /// A middlebox described by its idle timeout.
    Network(HopSpec),
    /// A PgBouncer, read from its pgbouncer.ini.
    PgBouncer {
        /// Display name (default `pgbouncer`).
        name: String,
        /// The pgbouncer.ini.
        file: PathRef,
    },
}

/// A path reference in the manifest: the resolved path and where it was written.
#[derive(Clone, Debug)]
pub struct PathRef {
    /// Manifest folder joined with the written path.
    pub path: PathBuf,
    /// The location of the string in the manifest (`None` on the command line).
    pub location: Option<Location>,
}

/// One `[[path]]` entry, validated.
#[derive(Clone, Debug)]
pub struct PathSpec {
    /// Name (given, or `path N`).
    pub name: String,
    /// App settings file.
    pub app: Option<PathRef>,
    /// Which pool (Django alias or engine) to use.
    pub database: Option<Sourced<String>>,
    /// App host kernel settings.
    pub app_sysctl: Option<PathRef>,
    /// MySQL option file.
    pub db: Option<PathRef>,
    /// Database host kernel settings.
    pub db_sysctl: Option<PathRef>,
    /// Hops, from app to database.
    pub hops: Vec<HopEntry>,
    /// Where the entry starts (the `name` or the table); `None` on the command line.
    pub location: Option<Location>,
}

/// A loaded manifest.
#[derive(Clone, Debug)]
pub struct Manifest {
    /// The manifest file.
    pub file: FileId,
    /// Its folder: every relative path is resolved from here.
    pub dir: PathBuf,
    /// Valid path entries in file order (invalid ones produced diagnostics).
    pub paths: Vec<PathSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    #[serde(default)]
    path: Vec<Spanned<RawPath>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPath {
    name: Option<Spanned<String>>,
    app: Option<Spanned<String>>,
    database: Option<Spanned<String>>,
    app_sysctl: Option<Spanned<String>>,
    db: Option<Spanned<String>>,
    db_sysctl: Option<Spanned<String>>,
    #[serde(default)]
    hop: Vec<Spanned<RawHop>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHop {
    name: Option<Spanned<String>>,
    pgbouncer: Option<Spanned<String>>,
    idle_timeout: Option<Spanned<toml::Value>>,
    on_idle: Option<Spanned<String>>,
    keepalive_resets: Option<Spanned<bool>>,
}

fn span(r: Range<usize>) -> Span {
    Span::new(r.start, r.end)
}

/// Parses the manifest already loaded as `file`; `dir` is its folder.
///
/// Never fails: syntax errors and invalid entries become diagnostics
/// (`TL001`, `TL004`) and the entry is skipped.
pub fn parse(
    file: FileId,
    dir: &Path,
    sources: &SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Manifest {
    let text = sources.get(file).text();
    let at = |r: Range<usize>| Location::new(file, span(r));
    let mut manifest = Manifest {
        file,
        dir: dir.to_path_buf(),
        paths: Vec::new(),
    };
    let raw: RawManifest = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            let loc = e
                .span()
                .map(&at)
                .unwrap_or(Location::new(file, Span::new(0, 0)));
            let code = if e.message().starts_with("unknown field") {
                codes::MANIFEST_ERROR
            } else {
                codes::SYNTAX_ERROR
            };
            diags.push(Diagnostic::new(
                code,
                format!("manifest: {}", first_line(e.message())),
                Label::at(loc, "here"),
            ));
            return manifest;
        }
    };
    if raw.path.is_empty() {
        diags.push(
            Diagnostic::new(
                codes::MANIFEST_ERROR,
                "manifest declares no [[path]]",
                Label::at(
                    Location::new(file, Span::new(0, 0)),
                    "no [[path]] table in this file",
                ),
            )
            .with_help("add a [[path]] table with `app` and `db` entries"),
        );
    }
    for (index, entry) in raw.path.into_iter().enumerate() {
        let entry_loc = at(entry.span());
        let p = entry.into_inner();
        let pref = |s: Option<Spanned<String>>| {
            s.map(|s| PathRef {
                location: Some(at(s.span())),
                path: dir.join(s.get_ref()),
            })
        };
        let name = p
            .name
            .as_ref()
            .map(|n| n.get_ref().clone())
            .unwrap_or_else(|| format!("path {}", index + 1));
        let mut hops = Vec::new();
        for hop in p.hop {
            let hop_loc = at(hop.span());
            let hop = hop.into_inner();
            if let Some(file) = &hop.pgbouncer {
                if let Some(extra) = [
                    hop.idle_timeout
                        .as_ref()
                        .map(|v| (v.span(), "idle_timeout")),
                    hop.on_idle.as_ref().map(|v| (v.span(), "on_idle")),
                    hop.keepalive_resets
                        .as_ref()
                        .map(|v| (v.span(), "keepalive_resets")),
                ]
                .into_iter()
                .flatten()
                .next()
                {
                    diags.push(
                        Diagnostic::new(
                            codes::MANIFEST_ERROR,
                            format!("a pgbouncer hop takes its timeouts from pgbouncer.ini, not from `{}`", extra.1),
                            Label::at(at(extra.0), "not used for a pgbouncer hop"),
                        )
                        .with_help("remove the key, or declare the middlebox as its own [[path.hop]]"),
                    );
                }
                hops.push(HopEntry::PgBouncer {
                    name: hop
                        .name
                        .as_ref()
                        .map(|n| n.get_ref().clone())
                        .unwrap_or_else(|| "pgbouncer".to_string()),
                    file: PathRef {
                        location: Some(at(file.span())),
                        path: dir.join(file.get_ref()),
                    },
                });
            } else if let Some(h) = parse_hop(hop, hop_loc, &at, diags) {
                hops.push(HopEntry::Network(h));
            }
        }
        let spec = PathSpec {
            name,
            app: pref(p.app),
            database: p
                .database
                .map(|d| Sourced::new(d.get_ref().clone(), Origin::Manifest(at(d.span())))),
            app_sysctl: pref(p.app_sysctl),
            db: pref(p.db),
            db_sysctl: pref(p.db_sysctl),
            hops,
            location: Some(p.name.map(|n| at(n.span())).unwrap_or(entry_loc)),
        };
        if spec.app.is_none() && spec.db.is_none() {
            diags.push(
                Diagnostic::new(
                    codes::MANIFEST_ERROR,
                    format!("path `{}` names neither `app` nor `db`", spec.name),
                    Label::maybe(spec.location, "this [[path]] has nothing to check"),
                )
                .with_help("add `app = \"...\"` (pool settings) and `db = \"...\"` (my.cnf)"),
            );
            continue;
        }
        manifest.paths.push(spec);
    }
    manifest
}

fn parse_hop(
    h: RawHop,
    hop_loc: Location,
    at: &impl Fn(Range<usize>) -> Location,
    diags: &mut Vec<Diagnostic>,
) -> Option<HopSpec> {
    let name = h
        .name
        .as_ref()
        .map(|n| n.get_ref().clone())
        .unwrap_or_else(|| "hop".to_string());
    let Some(idle) = h.idle_timeout else {
        diags.push(
            Diagnostic::new(
                codes::MANIFEST_ERROR,
                format!("hop `{name}` has no idle_timeout"),
                Label::at(hop_loc, "this [[path.hop]] needs an idle timeout"),
            )
            .with_help("add e.g. `idle_timeout = \"350s\"`"),
        );
        return None;
    };
    let idle_loc = at(idle.span());
    let duration = match idle.get_ref() {
        toml::Value::String(s) => parse_manifest_duration(s).map_err(|e| e.to_string()),
        toml::Value::Integer(n) => Err(format!("`{n}` has no unit; write it like \"{n}s\"")),
        other => Err(format!(
            "expected a duration string like \"350s\", found {}",
            other.type_str()
        )),
    };
    let duration = match duration {
        Ok(d) => d,
        Err(msg) => {
            diags.push(Diagnostic::new(
                codes::MANIFEST_ERROR,
                format!("hop `{name}` idle_timeout: {msg}"),
                Label::at(idle_loc, "not a duration"),
            ));
            return None;
        }
    };
    let default_origin = |what: &'static str| Origin::Default {
        system: "timeoutlint manifest",
        source: what,
        anchor: Some(hop_loc),
    };
    let on_idle = match h.on_idle {
        None => Sourced::new(
            OnIdle::Drop,
            default_origin("docs/manifest.md (on_idle defaults to drop)"),
        ),
        Some(s) => {
            let v = match s.get_ref().as_str() {
                "drop" => OnIdle::Drop,
                "reset" => OnIdle::Reset,
                other => {
                    diags.push(Diagnostic::new(
                        codes::MANIFEST_ERROR,
                        format!(
                            "hop `{name}` on_idle must be \"drop\" or \"reset\", not \"{other}\""
                        ),
                        Label::at(at(s.span()), "unknown on_idle"),
                    ));
                    return None;
                }
            };
            Sourced::new(v, Origin::Manifest(at(s.span())))
        }
    };
    let keepalive_resets = match h.keepalive_resets {
        None => Sourced::new(
            true,
            default_origin("docs/manifest.md (keepalive_resets defaults to true)"),
        ),
        Some(b) => Sourced::new(*b.get_ref(), Origin::Manifest(at(b.span()))),
    };
    Some(HopSpec {
        name,
        idle_timeout: Sourced::new(duration, Origin::Manifest(idle_loc)),
        on_idle,
        keepalive_resets,
    })
}

/// Parses a `--hop NAME=DURATION` flag into a hop (drop, keepalive counts).
///
/// Errors: a message for the usage error (exit code 2).
pub fn parse_hop_flag(flag: &str) -> Result<HopSpec, String> {
    let (name, dur) = flag
        .rsplit_once('=')
        .ok_or_else(|| format!("--hop `{flag}`: expected NAME=DURATION, e.g. \"nat=350s\""))?;
    let d = parse_manifest_duration(dur).map_err(|e| format!("--hop `{flag}`: {e}"))?;
    let origin = Origin::Flag(format!("--hop {flag}"));
    Ok(HopSpec {
        name: name.trim().to_string(),
        idle_timeout: Sourced::new(d, origin.clone()),
        on_idle: Sourced::new(OnIdle::Drop, origin.clone()),
        keepalive_resets: Sourced::new(true, origin),
    })
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s).trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> (Manifest, Vec<Diagnostic>, SourceMap) {
        let mut sources = SourceMap::new(Some(PathBuf::from("m")));
        let file = sources.add(Path::new("m/timeoutlint.toml"), text.to_string());
        let mut diags = Vec::new();
        let m = parse(file, Path::new("m"), &sources, &mut diags);
        (m, diags, sources)
    }

    #[test]
    fn accepts_full_entry() {
        let (m, d, _) = load(
            r#"
[[path]]
name = "api -> db"
app = "app/settings.yaml"
database = "default"
app_sysctl = "app/sysctl.conf"
db = "db/my.cnf"
db_sysctl = "db/sysctl.d"

[[path.hop]]
name = "sg"
idle_timeout = "1h"
on_idle = "reset"
keepalive_resets = false

[[path.hop]]
name = "nat"
idle_timeout = "350s"

[[path.hop]]
pgbouncer = "pool/pgbouncer.ini"
"#,
        );
        assert!(d.is_empty(), "{d:?}");
        let p = &m.paths[0];
        assert_eq!(p.name, "api -> db");
        assert_eq!(
            p.app.as_ref().unwrap().path,
            Path::new("m/app/settings.yaml")
        );
        assert_eq!(p.database.as_ref().unwrap().value, "default");
        assert_eq!(p.hops.len(), 3);
        let net = |i: usize| match &p.hops[i] {
            HopEntry::Network(h) => h.clone(),
            HopEntry::PgBouncer { .. } => panic!("hop {i} is a pgbouncer"),
        };
        assert_eq!(net(0).idle_timeout.value, Duration::from_secs(3600));
        assert_eq!(net(0).on_idle.value, OnIdle::Reset);
        assert!(!net(0).keepalive_resets.value);
        assert_eq!(net(1).on_idle.value, OnIdle::Drop);
        assert!(net(1).keepalive_resets.value);
        assert!(!net(1).on_idle.origin.is_explicit());
        match &p.hops[2] {
            HopEntry::PgBouncer { name, file } => {
                assert_eq!(name, "pgbouncer");
                assert_eq!(file.path, Path::new("m/pool/pgbouncer.ini"));
            }
            HopEntry::Network(_) => panic!("hop 2 is not a pgbouncer"),
        }
    }

    #[test]
    fn rejects_bad_entries_with_locations() {
        let cases = [
            (
                "[[path]]\ndb = \"my.cnf\"\nwait = 1\n",
                "TL004",
                "unknown field",
            ),
            (
                "[[path]]\ndb = \"my.cnf\"\n[[path.hop]]\nidle_timeout = 3600\n",
                "TL004",
                "no unit",
            ),
            (
                "[[path]]\ndb = \"my.cnf\"\n[[path.hop]]\nidle_timeout = \"5min\"\n",
                "TL004",
                "unknown unit",
            ),
            (
                "[[path]]\ndb = \"my.cnf\"\n[[path.hop]]\nname = \"x\"\n",
                "TL004",
                "no idle_timeout",
            ),
            (
                "[[path]]\ndb = \"my.cnf\"\n[[path.hop]]\nidle_timeout = \"1h\"\non_idle = \"rst\"\n",
                "TL004",
                "on_idle",
            ),
            ("[[path]]\nname = \"x\"\n", "TL004", "neither"),
            ("[[path]\n", "TL001", "manifest"),
            ("", "TL004", "no [[path]]"),
            (
                "[[path]]\ndb = \"pg.conf\"\n[[path.hop]]\npgbouncer = \"b.ini\"\nidle_timeout = \"1h\"\n",
                "TL004",
                "pgbouncer.ini",
            ),
        ];
        for (text, code, needle) in cases {
            let (_, d, _) = load(text);
            assert_eq!(d.len(), 1, "{text}: {d:?}");
            assert_eq!(d[0].code.id, code, "{text}");
            assert!(d[0].message.contains(needle), "{text}: {}", d[0].message);
            assert!(d[0].primary.location.is_some());
        }
    }

    #[test]
    fn hop_flag() {
        let h = parse_hop_flag("cloud sg=1h").unwrap();
        assert_eq!(h.name, "cloud sg");
        assert_eq!(h.idle_timeout.value, Duration::from_secs(3600));
        assert!(parse_hop_flag("sg").is_err());
        assert!(parse_hop_flag("sg=3600").is_err());
    }
}
