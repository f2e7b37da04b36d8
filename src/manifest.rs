//! The manifest, `timeoutlint.toml`: which configs form each connection path.
//!
//! ```toml
//! [[path]]
//! name = "api -> orders-db"        # optional
//! app = "app/settings.yaml"        # SQLAlchemy / Flask / Django settings, YAML or TOML
//! database = "default"             # optional: which Django alias or engine
//! backend = "postgresql"           # optional: "postgresql" | "mysql", for a wrapper ENGINE
//! driver = "psycopg"               # optional: psycopg, psycopg2, asyncpg, pymysql, mysqlclient, ...
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
use crate::model::{HopSpec, OnIdle};
use crate::provenance::{Origin, Sourced};
use crate::rules::codes;
use crate::source::{FileId, Location, SourceMap, Span};
use crate::systems::app;
use crate::systems::presets;
use crate::units::parse_manifest_duration;

/// The manifest's file name.
pub const FILE_NAME: &str = "timeoutlint.toml";

/// One `[[path.hop]]` entry.
#[derive(Clone, Debug)]
pub enum HopEntry {
    /// A middlebox described by its idle timeout.
    Network(HopSpec),
    /// A preset whose idle limit is read from a deployment file
    /// (`preset = "aws-nlb"`, `idle_timeout = "infra/lb.tf#aws_lb_listener.db"`):
    /// the preset gives behaviour and range, the file the value.
    PresetFromFile {
        /// The hop with the preset's default idle timeout (kept, and shown as
        /// a default, when the file has no value).
        hop: HopSpec,
        /// The preset id.
        preset: String,
        /// The file and address holding the value.
        file: PathRef,
    },
    /// A PgBouncer, read from its pgbouncer.ini.
    PgBouncer {
        /// Display name (default `pgbouncer`).
        name: String,
        /// The pgbouncer.ini.
        file: PathRef,
    },
    /// A terminating proxy read from its own config.
    Proxy {
        /// Display name given in the manifest, if any.
        name: Option<String>,
        /// Which config and which listener.
        spec: ProxySpec,
        /// The `[[path.hop]]` entry (`None` for a proxy config given on the
        /// command line without a manifest).
        location: Option<Location>,
    },
}

/// A proxy hop's config file(s) and the listener on the database path.
#[derive(Clone, Debug)]
pub enum ProxySpec {
    /// `haproxy = "lb/haproxy.cfg"` (or a list of files forming one config) + `proxy = "mysql"`.
    Haproxy {
        /// Files, in order.
        files: Vec<PathRef>,
        /// `listen` or `frontend` name.
        proxy: Sourced<String>,
    },
    /// `nginx = "lb/nginx.conf"` + `server = "3306"` (the stream server's listen value).
    Nginx {
        /// nginx.conf.
        file: PathRef,
        /// Listen value.
        server: Sourced<String>,
    },
    /// `envoy = "mesh/envoy.yaml"` + `listener = "NAME"`.
    Envoy {
        /// The Envoy config.
        file: PathRef,
        /// Listener name.
        listener: Sourced<String>,
    },
    /// `istio = "mesh/destination-rule.yaml"` (+ `rule = "NAME"` when it holds several).
    Istio {
        /// The DestinationRule file.
        file: PathRef,
        /// Rule name.
        rule: Option<Sourced<String>>,
    },
}

/// A path reference in the manifest: the resolved path and where it was written.
///
/// `FILE#ADDRESS` names one thing inside a deployment file
/// (`docker-compose.yml#db`, `infra/rds.tf#aws_db_parameter_group.orders`,
/// `k8s/mysql.yaml#ConfigMap/mysql-config:my.cnf`; docs/manifest.md lists the
/// address forms of each source, [`crate::sources`] reads them).
#[derive(Clone, Debug)]
pub struct PathRef {
    /// Manifest folder joined with the written path (without `#ADDRESS`).
    pub path: PathBuf,
    /// The location of the string in the manifest (`None` on the command line).
    pub location: Option<Location>,
    /// The address after `#`, if one was written.
    pub address: Option<String>,
}

impl PathRef {
    /// A reference as written: `FILE` or `FILE#ADDRESS`, relative to `dir`.
    pub fn written(dir: &Path, text: &str, location: Option<Location>) -> PathRef {
        let (file, address) = match text.split_once('#') {
            Some((f, a)) if !f.is_empty() => (f, Some(a.to_string())),
            _ => (text, None),
        };
        PathRef {
            path: dir.join(file),
            location,
            address,
        }
    }
}

/// One `[[path]]` entry, validated.
#[derive(Clone, Debug)]
pub struct PathSpec {
    /// Name (given, or `path N`).
    pub name: String,
    /// App settings file.
    pub app: Option<PathRef>,
    /// The object in a Python app file (`app = "config.py:ProductionConfig"`).
    pub app_object: Option<Sourced<String>>,
    /// Deploy-time values of environment variables the Python settings read
    /// (`[path.env] DB_CONN_MAX_AGE = "300"`), in name order.
    pub env: Vec<(String, Sourced<String>)>,
    /// Which pool (Django alias or engine) to use.
    pub database: Option<Sourced<String>>,
    /// `backend` / `driver`: the database family and driver of the app's
    /// pools when the URL scheme or ENGINE does not say it (a wrapper
    /// ENGINE), located at the keys (docs/manifest.md).
    pub overrides: crate::systems::app::Overrides,
    /// App host kernel settings.
    pub app_sysctl: Option<PathRef>,
    /// `app_env = "docker-compose.yml#web"`: the environment a deployment
    /// file gives the app (a compose service, a Deployment), fed to the
    /// Python reader below `[path.env]` (which wins).
    pub app_env: Option<PathRef>,
    /// `workers = "docker-compose.yml#web"` / `"uwsgi.ini"`: process and
    /// thread counts and the request deadline from a compose service,
    /// Deployment, uwsgi.ini or Procfile; `processes`, `threads` and
    /// `request_timeout` written in the manifest win.
    pub workers: Option<PathRef>,
    /// The database server's settings: an option file, a dump, or
    /// `FILE#ADDRESS` in a deployment file.
    pub db: Option<PathRef>,
    /// Database host kernel settings.
    pub db_sysctl: Option<PathRef>,
    /// Hops, from app to database.
    pub hops: Vec<HopEntry>,
    /// Processes that each hold their own pool (workers × replicas); `None` = 1.
    pub processes: Option<Sourced<u64>>,
    /// Threads per process that each use the database (gunicorn `--threads`,
    /// a thread pool); `None` = 1. Multiplies Django pools only: Django opens
    /// one connection per thread per alias, while a SQLAlchemy pool (and
    /// Django's native pool) is shared by every thread of its process.
    pub threads: Option<Sourced<u64>>,
    /// The deadline the app works under (gunicorn timeout, HTTP LB idle timeout).
    pub request_timeout: Option<Sourced<Duration>>,
    /// The longest statement the app is expected to run.
    pub max_statement_time: Option<Sourced<Duration>>,
    /// Where the entry starts (the `name` or the table); `None` on the command line.
    pub location: Option<Location>,
}

impl PathSpec {
    /// A path named `name` with nothing in it yet (files given on the
    /// command line, or a discovered path, fill it in).
    pub fn empty(name: impl Into<String>) -> PathSpec {
        PathSpec {
            name: name.into(),
            app: None,
            app_object: None,
            env: Vec::new(),
            database: None,
            overrides: crate::systems::app::Overrides::default(),
            app_sysctl: None,
            app_env: None,
            workers: None,
            db: None,
            db_sysctl: None,
            hops: Vec::new(),
            processes: None,
            threads: None,
            request_timeout: None,
            max_statement_time: None,
            location: None,
        }
    }
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
    /// Lint configuration: accepted here, read by [`crate::config`].
    #[serde(rename = "lint")]
    _lint: Option<serde::de::IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPath {
    name: Option<Spanned<String>>,
    app: Option<Spanned<String>>,
    database: Option<Spanned<String>>,
    backend: Option<Spanned<String>>,
    driver: Option<Spanned<String>>,
    app_sysctl: Option<Spanned<String>>,
    app_env: Option<Spanned<String>>,
    workers: Option<Spanned<String>>,
    db: Option<Spanned<String>>,
    db_sysctl: Option<Spanned<String>>,
    processes: Option<Spanned<toml::Value>>,
    threads: Option<Spanned<toml::Value>>,
    request_timeout: Option<Spanned<toml::Value>>,
    max_statement_time: Option<Spanned<toml::Value>>,
    env: Option<std::collections::BTreeMap<String, Spanned<toml::Value>>>,
    #[serde(default)]
    hop: Vec<Spanned<RawHop>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHop {
    name: Option<Spanned<String>>,
    pgbouncer: Option<Spanned<String>>,
    preset: Option<Spanned<String>>,
    haproxy: Option<Spanned<toml::Value>>,
    proxy: Option<Spanned<String>>,
    nginx: Option<Spanned<String>>,
    server: Option<Spanned<String>>,
    envoy: Option<Spanned<String>>,
    listener: Option<Spanned<String>>,
    istio: Option<Spanned<String>>,
    rule: Option<Spanned<String>>,
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
///
/// Secrets are marked in `sources` (see [`crate::secrets`]): `[path.env]`
/// values of secret-looking variables ([`crate::secrets::is_secret_var_name`])
/// and URL passwords in `[path.env]` values; when the file does not parse,
/// what [`crate::secrets::secret_spans_in_text`] finds.
pub fn parse(
    file: FileId,
    dir: &Path,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Manifest {
    let text = sources.get(file).text().to_string();
    let (manifest, parsed) = parse_text(file, dir, &text, diags);
    if !parsed {
        for span in crate::secrets::secret_spans_in_text(&text) {
            sources.get_mut(file).mark_secret(span);
        }
    }
    for spec in &manifest.paths {
        for (var, v) in &spec.env {
            let Some(loc) = v.origin.location() else {
                continue;
            };
            let raw = sources.get(file).slice(loc.span).to_string();
            // The value's bytes inside its span: after the quote of a simple
            // string, else the whole span.
            let inner = if raw.len() == v.value.len() + 2
                && raw.get(1..raw.len() - 1) == Some(v.value.as_str())
            {
                1
            } else if raw == v.value {
                0
            } else {
                usize::MAX
            };
            let mut ranges = Vec::new();
            if crate::secrets::is_secret_var_name(var) {
                ranges.push(0..v.value.len());
            }
            if v.value.contains("://") {
                ranges.extend(crate::systems::app::url::secret_ranges(&v.value));
            }
            ranges.extend(crate::secrets::assignment_ranges(&v.value));
            for r in ranges {
                if let Some(secret) = v.value.get(r.clone()) {
                    sources.add_secret_value(crate::secrets::unquote(secret));
                }
                let span = match inner {
                    usize::MAX => loc.span,
                    o => Span::new(loc.span.start + o + r.start, loc.span.start + o + r.end),
                };
                sources.get_mut(file).mark_secret(span);
            }
        }
    }
    manifest
}

/// The manifest, and whether the TOML parsed at all (else no entry was read).
fn parse_text(
    file: FileId,
    dir: &Path,
    text: &str,
    diags: &mut Vec<Diagnostic>,
) -> (Manifest, bool) {
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
                format!("manifest: {}", crate::secrets::parser_message(e.message())),
                Label::at(loc, "here"),
            ));
            return (manifest, false);
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
            s.map(|s| PathRef::written(dir, s.get_ref(), Some(at(s.span()))))
        };
        let name = p
            .name
            .as_ref()
            .map(|n| n.get_ref().clone())
            .unwrap_or_else(|| format!("path {}", index + 1));
        let mut hops = Vec::new();
        for hop in p.hop {
            let hop_loc = at(hop.span());
            if let Some(h) = parse_hop_entry(hop.into_inner(), hop_loc, dir, &at, diags) {
                hops.push(h);
            }
        }
        let processes = p
            .processes
            .and_then(|n| manifest_count(n, "processes", "not a process count", &at, diags));
        let threads = p
            .threads
            .and_then(|n| manifest_count(n, "threads", "not a thread count", &at, diags));
        let request_timeout = p
            .request_timeout
            .and_then(|v| manifest_duration(v, "request_timeout", &at, diags));
        let max_statement_time = p
            .max_statement_time
            .and_then(|v| manifest_duration(v, "max_statement_time", &at, diags));
        // `app = "config.py:ProductionConfig"` names an object in a Python file.
        let (app, app_object) = match p.app {
            Some(a) => {
                let text = a.get_ref().clone();
                match text.rsplit_once(':') {
                    Some((file, object)) if file.ends_with(".py") && !object.is_empty() => {
                        let loc = at(a.span());
                        (
                            Some(PathRef {
                                location: Some(loc),
                                path: dir.join(file),
                                address: None,
                            }),
                            Some(Sourced::new(object.to_string(), Origin::Manifest(loc))),
                        )
                    }
                    _ => match settings_module(dir, &text) {
                        Some(path) => (
                            Some(PathRef {
                                location: Some(at(a.span())),
                                path,
                                address: None,
                            }),
                            None,
                        ),
                        None => (pref(Some(a)), None),
                    },
                }
            }
            None => (None, None),
        };
        let mut env = Vec::new();
        for (var, v) in p.env.unwrap_or_default() {
            let loc = at(v.span());
            let value = match v.get_ref() {
                toml::Value::String(s) => Some(s.clone()),
                toml::Value::Integer(n) => Some(n.to_string()),
                toml::Value::Float(f) => Some(f.to_string()),
                toml::Value::Boolean(b) => Some(if *b { "True" } else { "False" }.to_string()),
                _ => None,
            };
            match value {
                Some(value) => env.push((var, Sourced::new(value, Origin::Manifest(loc)))),
                None => diags.push(Diagnostic::new(
                    codes::MANIFEST_ERROR,
                    format!("env `{var}` must be a string, number or boolean"),
                    Label::at(loc, "not an environment value"),
                )),
            }
        }
        let overrides = parse_overrides(p.backend, p.driver, &at, diags);
        let spec = PathSpec {
            name,
            app,
            app_object,
            env,
            overrides,
            database: p
                .database
                .map(|d| Sourced::new(d.get_ref().clone(), Origin::Manifest(at(d.span())))),
            app_sysctl: pref(p.app_sysctl),
            app_env: pref(p.app_env),
            workers: pref(p.workers),
            db: pref(p.db),
            db_sysctl: pref(p.db_sysctl),
            hops,
            processes,
            threads,
            request_timeout,
            max_statement_time,
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
    (manifest, true)
}

/// The `backend` and `driver` keys of a `[[path]]`. An unknown name, or a
/// driver of another family than `backend`, is a TL004 error and that key
/// is dropped (the app file's own backend / driver stay).
fn parse_overrides(
    backend: Option<Spanned<String>>,
    driver: Option<Spanned<String>>,
    at: &dyn Fn(Range<usize>) -> Location,
    diags: &mut Vec<Diagnostic>,
) -> app::Overrides {
    let mut o = app::Overrides::default();
    if let Some(b) = backend {
        let loc = at(b.span());
        match app::backend_named(b.get_ref()) {
            Some(v) => o.backend = Some(Sourced::new(v, Origin::Manifest(loc))),
            None => diags.push(Diagnostic::new(
                codes::MANIFEST_ERROR,
                format!(
                    "backend \"{}\" is not one timeoutlint models: use \"postgresql\" or \"mysql\"",
                    shown_name(b.get_ref())
                ),
                Label::at(loc, "unknown backend"),
            )),
        }
    }
    if let Some(d) = driver {
        let loc = at(d.span());
        match app::driver_named(d.get_ref()) {
            Some(v) => {
                let family = app::driver_family(&v);
                if let (Some(b), Some(f)) = (&o.backend, family)
                    && b.value != f
                {
                    diags.push(
                        Diagnostic::new(
                            codes::MANIFEST_ERROR,
                            format!(
                                "driver \"{}\" does not speak to the backend this [[path]] declares",
                                d.get_ref()
                            ),
                            Label::at(loc, "driver of another database family"),
                        )
                        .with_related(Label::maybe(b.origin.location(), "backend declared here")),
                    );
                } else {
                    o.driver = Some(Sourced::new(v, Origin::Manifest(loc)));
                }
            }
            None => diags.push(
                Diagnostic::new(
                    codes::MANIFEST_ERROR,
                    format!("driver \"{}\" is not one timeoutlint knows", shown_name(d.get_ref())),
                    Label::at(loc, "unknown driver"),
                )
                .with_help(
                    "use a SQLAlchemy driver name: psycopg, psycopg2, asyncpg, pymysql, mysqlclient, mysqlconnector, aiomysql, asyncmy, mariadbconnector",
                ),
            ),
        }
    }
    o
}

/// A manifest name for messages: letters, digits, `_`, `.`, `+`, `-`, at
/// most 40 characters.
fn shown_name(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '+' | '-'))
        .take(40)
        .collect()
}

/// A duration value of the manifest: a string like "30s"; a bare number is rejected.
/// A positive count (`processes`, `threads`), located at its value; `0`, a
/// negative number or anything but an integer is a TL004 error and the key
/// is ignored (the default 1 applies).
fn manifest_count(
    v: Spanned<toml::Value>,
    key: &str,
    label: &str,
    at: &impl Fn(Range<usize>) -> Location,
    diags: &mut Vec<Diagnostic>,
) -> Option<Sourced<u64>> {
    let loc = at(v.span());
    match v.get_ref() {
        toml::Value::Integer(n) if *n > 0 => u64::try_from(*n)
            .ok()
            .map(|n| Sourced::new(n, Origin::Manifest(loc))),
        other => {
            diags.push(Diagnostic::new(
                codes::MANIFEST_ERROR,
                format!("{key} must be a positive count, not {other}"),
                Label::at(loc, label),
            ));
            None
        }
    }
}

fn manifest_duration(
    v: Spanned<toml::Value>,
    key: &str,
    at: &impl Fn(Range<usize>) -> Location,
    diags: &mut Vec<Diagnostic>,
) -> Option<Sourced<Duration>> {
    let loc = at(v.span());
    let parsed = match v.get_ref() {
        toml::Value::String(s) => parse_manifest_duration(s).map_err(|e| e.to_string()),
        toml::Value::Integer(n) => Err(format!("`{n}` has no unit; write it like \"{n}s\"")),
        other => Err(format!(
            "expected a duration string like \"30s\", found {}",
            other.type_str()
        )),
    };
    match parsed {
        Ok(d) => Some(Sourced::new(d, Origin::Manifest(loc))),
        Err(msg) => {
            diags.push(Diagnostic::new(
                codes::MANIFEST_ERROR,
                format!("{key}: {msg}"),
                Label::at(loc, "not a duration"),
            ));
            None
        }
    }
}

/// One `[[path.hop]]`: a PgBouncer, a proxy read from its config, a preset, or
/// a middlebox described by hand.
fn parse_hop_entry(
    hop: RawHop,
    hop_loc: Location,
    dir: &Path,
    at: &impl Fn(Range<usize>) -> Location,
    diags: &mut Vec<Diagnostic>,
) -> Option<HopEntry> {
    let pref = |s: &Spanned<String>| PathRef::written(dir, s.get_ref(), Some(at(s.span())));
    let sourced =
        |s: &Spanned<String>| Sourced::new(s.get_ref().clone(), Origin::Manifest(at(s.span())));
    let kinds: Vec<(&str, Range<usize>)> = [
        hop.pgbouncer.as_ref().map(|v| ("pgbouncer", v.span())),
        hop.preset.as_ref().map(|v| ("preset", v.span())),
        hop.haproxy.as_ref().map(|v| ("haproxy", v.span())),
        hop.nginx.as_ref().map(|v| ("nginx", v.span())),
        hop.envoy.as_ref().map(|v| ("envoy", v.span())),
        hop.istio.as_ref().map(|v| ("istio", v.span())),
    ]
    .into_iter()
    .flatten()
    .collect();
    if kinds.len() > 1 {
        diags.push(
            Diagnostic::new(
                codes::MANIFEST_ERROR,
                format!(
                    "a hop is one thing: `{}` and `{}` both given",
                    kinds[0].0, kinds[1].0
                ),
                Label::at(at(kinds[1].1.clone()), "second kind"),
            )
            .with_help("declare each as its own [[path.hop]]"),
        );
        return None;
    }
    let kind = kinds.first().map(|k| k.0);
    let is_file_hop = matches!(
        kind,
        Some("pgbouncer" | "haproxy" | "nginx" | "envoy" | "istio")
    );
    if is_file_hop
        && let Some(extra) = [
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
                format!(
                    "a {} hop takes its timeouts from its config file, not from `{}`",
                    kind.unwrap_or("proxy"),
                    extra.1
                ),
                Label::at(at(extra.0), "not used for this hop"),
            )
            .with_help("remove the key, or declare the middlebox as its own [[path.hop]]"),
        );
    }
    let name = hop.name.as_ref().map(|n| n.get_ref().clone());
    let missing = |key: &str, for_kind: &str, diags: &mut Vec<Diagnostic>| {
        diags.push(
            Diagnostic::new(
                codes::MANIFEST_ERROR,
                format!("a {for_kind} hop needs `{key}`, the listener on the database path"),
                Label::at(hop_loc, format!("no `{key}`")),
            )
            .with_help(format!("add `{key} = \"...\"`")),
        );
    };
    match kind {
        Some("pgbouncer") => Some(HopEntry::PgBouncer {
            name: name.unwrap_or_else(|| "pgbouncer".to_string()),
            file: pref(hop.pgbouncer.as_ref()?),
        }),
        Some("haproxy") => {
            let v = hop.haproxy.as_ref()?;
            let files: Vec<PathRef> = match v.get_ref() {
                toml::Value::String(f) => vec![PathRef {
                    location: Some(at(v.span())),
                    path: dir.join(f),
                    address: None,
                }],
                toml::Value::Array(items) => items
                    .iter()
                    .filter_map(|i| i.as_str())
                    .map(|f| PathRef {
                        location: Some(at(v.span())),
                        path: dir.join(f),
                        address: None,
                    })
                    .collect(),
                _ => Vec::new(),
            };
            if files.is_empty() {
                diags.push(Diagnostic::new(
                    codes::MANIFEST_ERROR,
                    "haproxy must name a config file or a list of files",
                    Label::at(at(v.span()), "not a file name"),
                ));
                return None;
            }
            let Some(proxy) = hop.proxy.as_ref() else {
                missing("proxy", "haproxy", diags);
                return None;
            };
            Some(HopEntry::Proxy {
                name,
                spec: ProxySpec::Haproxy {
                    files,
                    proxy: sourced(proxy),
                },
                location: Some(hop_loc),
            })
        }
        Some("nginx") => {
            let Some(server) = hop.server.as_ref() else {
                missing("server", "nginx", diags);
                return None;
            };
            Some(HopEntry::Proxy {
                name,
                spec: ProxySpec::Nginx {
                    file: pref(hop.nginx.as_ref()?),
                    server: sourced(server),
                },
                location: Some(hop_loc),
            })
        }
        Some("envoy") => {
            let Some(listener) = hop.listener.as_ref() else {
                missing("listener", "envoy", diags);
                return None;
            };
            Some(HopEntry::Proxy {
                name,
                spec: ProxySpec::Envoy {
                    file: pref(hop.envoy.as_ref()?),
                    listener: sourced(listener),
                },
                location: Some(hop_loc),
            })
        }
        Some("istio") => Some(HopEntry::Proxy {
            name,
            spec: ProxySpec::Istio {
                file: pref(hop.istio.as_ref()?),
                rule: hop.rule.as_ref().map(sourced),
            },
            location: Some(hop_loc),
        }),
        Some("preset") => {
            // `idle_timeout = "infra/lb.tf#aws_lb_listener.db"`: the value
            // lives in a deployment file.
            let file = match hop.idle_timeout.as_ref().map(|v| (v.get_ref(), v.span())) {
                Some((toml::Value::String(t), r)) if is_file_reference(t) => {
                    Some(PathRef::written(dir, t, Some(at(r))))
                }
                _ => None,
            };
            let mut hop = hop;
            if file.is_some() {
                hop.idle_timeout = None;
            }
            let preset = hop.preset.as_ref().map(|p| p.get_ref().clone());
            let spec = parse_preset_hop(hop, hop_loc, at, diags)?;
            Some(match (file, preset) {
                (Some(file), Some(preset)) => HopEntry::PresetFromFile {
                    hop: spec,
                    preset,
                    file,
                },
                _ => HopEntry::Network(spec),
            })
        }
        _ => parse_hop(hop, hop_loc, at, diags).map(HopEntry::Network),
    }
}

/// A hop from a built-in preset, with the manifest's overrides checked
/// against the device's documented range (TL008).
fn parse_preset_hop(
    h: RawHop,
    hop_loc: Location,
    at: &impl Fn(Range<usize>) -> Location,
    diags: &mut Vec<Diagnostic>,
) -> Option<HopSpec> {
    let id = h.preset.as_ref()?;
    let id_loc = at(id.span());
    let Some(preset) = presets::find(id.get_ref()) else {
        let known: Vec<String> = presets::all().into_iter().map(|p| p.id).collect();
        diags.push(
            Diagnostic::new(
                codes::MANIFEST_ERROR,
                format!("unknown preset `{}`", id.get_ref()),
                Label::at(id_loc, "not a built-in preset"),
            )
            .with_help(format!(
                "`timeoutlint presets` lists them: {}",
                known.join(", ")
            )),
        );
        return None;
    };
    let source = preset.source().to_string();
    let preset_origin = preset.origin(Some(id_loc));
    let name = h
        .name
        .as_ref()
        .map(|n| n.get_ref().clone())
        .unwrap_or_else(|| preset.name.clone());
    let given = match &h.idle_timeout {
        Some(v) => Some(manifest_duration(v.clone(), "idle_timeout", at, diags)?),
        None => None,
    };
    let idle = match presets::apply(&preset, given.as_ref().map(|g| g.value)) {
        // `0s` turns the timeout off (Envoy, Istio): the hop never expires idle flows.
        Ok(None) => return None,
        Ok(Some(d)) => match given {
            Some(g) => g,
            None => Sourced::new(d, preset_origin.clone()),
        },
        Err(e) => {
            let loc = given
                .as_ref()
                .and_then(|g| g.origin.location())
                .unwrap_or(id_loc);
            diags.push(
                Diagnostic::new(
                    codes::PRESET_VALUE_INVALID,
                    e.to_string(),
                    Label::at(loc, "not a value this device takes"),
                )
                .with_related(Label::at(hop_loc, format!("{} ({source})", preset.name))),
            );
            return None;
        }
    };
    let on_idle = match &h.on_idle {
        Some(s) => on_idle_value(s, &name, at, diags)?,
        // Unconfirmed behaviour is modelled as the worse case, a silent drop;
        // the preset's caveat says so in `timeoutlint presets` and the chain.
        None => Sourced::new(
            preset.on_idle.unwrap_or(OnIdle::Drop),
            preset_origin.clone(),
        ),
    };
    let keepalive_resets = match &h.keepalive_resets {
        Some(b) => Sourced::new(*b.get_ref(), Origin::Manifest(at(b.span()))),
        None => Sourced::new(preset.keepalive_resets, preset_origin),
    };
    Some(HopSpec {
        name,
        idle_timeout: idle,
        on_idle,
        keepalive_resets,
        caveat: preset.caveat.clone(),
        terminates: false,
        idle_between_requests: preset.idle_between_requests,
    })
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
        Some(s) => on_idle_value(&s, &name, at, diags)?,
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
        caveat: None,
        terminates: false,
        idle_between_requests: false,
    })
}

/// An `on_idle` value: `drop` or `reset`; anything else is a TL004 error.
fn on_idle_value(
    s: &Spanned<String>,
    name: &str,
    at: &impl Fn(Range<usize>) -> Location,
    diags: &mut Vec<Diagnostic>,
) -> Option<Sourced<OnIdle>> {
    let v = match s.get_ref().as_str() {
        "drop" => OnIdle::Drop,
        "reset" => OnIdle::Reset,
        other => {
            diags.push(Diagnostic::new(
                codes::MANIFEST_ERROR,
                format!("hop `{name}` on_idle must be \"drop\" or \"reset\", not \"{other}\""),
                Label::at(at(s.span()), "unknown on_idle"),
            ));
            return None;
        }
    };
    Some(Sourced::new(v, Origin::Manifest(at(s.span()))))
}

/// True when an `idle_timeout` string names a file (`FILE#ADDRESS`, or a
/// path ending in a deployment file's extension) instead of a duration.
fn is_file_reference(text: &str) -> bool {
    if parse_manifest_duration(text).is_ok() {
        return false;
    }
    let file = text.split_once('#').map_or(text, |(f, _)| f);
    text.contains('#')
        || [".tf", ".yaml", ".yml", ".json", ".template"]
            .iter()
            .any(|e| file.ends_with(e))
}

/// Parses a `--hop` flag into a hop: `NAME=DURATION` (drop, keepalive
/// counts), or a preset id alone (`--hop aws-nat-gateway`: its documented
/// default, behaviour and caveat) or with a value (`--hop aws-nlb=120s`,
/// checked against the device's range).
///
/// Errors: a message for the usage error (exit code 2).
pub fn parse_hop_flag(flag: &str) -> Result<HopSpec, String> {
    let (name, dur) = match flag.rsplit_once('=') {
        Some((n, d)) => (n.trim(), Some(d)),
        None => (flag.trim(), None),
    };
    let given = dur
        .map(|d| parse_manifest_duration(d).map_err(|e| format!("--hop `{flag}`: {e}")))
        .transpose()?;
    let origin = Origin::Flag(format!("--hop {flag}"));
    if let Some(preset) = presets::find(name) {
        let idle = presets::apply(&preset, given)
            .map_err(|e| format!("--hop `{flag}`: {e}"))?
            .ok_or_else(|| {
                format!("--hop `{flag}`: 0s turns the idle timeout off; omit the hop")
            })?;
        let preset_origin = preset.origin(None);
        return Ok(HopSpec {
            name: preset.name.clone(),
            idle_timeout: Sourced::new(
                idle,
                if given.is_some() {
                    origin.clone()
                } else {
                    preset_origin.clone()
                },
            ),
            on_idle: Sourced::new(
                preset.on_idle.unwrap_or(OnIdle::Drop),
                preset_origin.clone(),
            ),
            keepalive_resets: Sourced::new(preset.keepalive_resets, preset_origin),
            caveat: preset.caveat.clone(),
            terminates: false,
            idle_between_requests: preset.idle_between_requests,
        });
    }
    let Some(d) = given else {
        return Err(format!(
            "--hop `{flag}`: expected NAME=DURATION (e.g. \"nat=350s\") or a preset id \
             (`timeoutlint presets` lists them)"
        ));
    };
    Ok(HopSpec {
        name: name.to_string(),
        idle_timeout: Sourced::new(d, origin.clone()),
        on_idle: Sourced::new(OnIdle::Drop, origin.clone()),
        keepalive_resets: Sourced::new(true, origin),
        caveat: None,
        terminates: false,
        idle_between_requests: false,
    })
}

/// `app = "myproj.settings.production"`: a dotted Python module name, as in
/// `DJANGO_SETTINGS_MODULE`, resolved from the manifest's folder (or its
/// `src/`) to `myproj/settings/production.py` or
/// `myproj/settings/production/__init__.py`. `None` when `text` is a path
/// (it has a slash, names an existing file, or ends in a config file
/// extension) or not a dotted name. A module not found maps to the `.py`
/// path, so the error names the file expected.
fn settings_module(dir: &Path, text: &str) -> Option<PathBuf> {
    const EXTENSIONS: [&str; 9] = [
        "py", "yaml", "yml", "toml", "cfg", "ini", "conf", "cnf", "json",
    ];
    let parts: Vec<&str> = text.split('.').collect();
    let dotted = parts.len() >= 2
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !p.starts_with(|c: char| c.is_ascii_digit())
        });
    let ext = parts.last().copied().unwrap_or("");
    if !dotted || EXTENSIONS.contains(&ext) || dir.join(text).exists() {
        return None;
    }
    let relative: PathBuf = parts.iter().collect();
    for base in [dir.to_path_buf(), dir.join("src")] {
        for candidate in [
            base.join(&relative).with_extension("py"),
            base.join(&relative).join("__init__.py"),
        ] {
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    Some(dir.join(&relative).with_extension("py"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> (Manifest, Vec<Diagnostic>, SourceMap) {
        let mut sources = SourceMap::new(Some(PathBuf::from("m")));
        let file = sources.add(Path::new("m/timeoutlint.toml"), text.to_string());
        let mut diags = Vec::new();
        let m = parse(file, Path::new("m"), &mut sources, &mut diags);
        (m, diags, sources)
    }

    #[test]
    fn app_as_a_dotted_settings_module() {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        std::fs::create_dir_all(d.join("myproj/settings/prod")).expect("mkdir");
        std::fs::create_dir_all(d.join("src/pkg")).expect("mkdir");
        std::fs::write(d.join("myproj/settings/base.py"), "").expect("write");
        std::fs::write(d.join("myproj/settings/prod/__init__.py"), "").expect("write");
        std::fs::write(d.join("src/pkg/settings.py"), "").expect("write");
        std::fs::write(d.join("app.settings"), "").expect("write");
        // (as written, the path it names; None: taken as a path as written)
        let table: &[(&str, Option<&str>)] = &[
            ("myproj.settings.base", Some("myproj/settings/base.py")),
            (
                "myproj.settings.prod",
                Some("myproj/settings/prod/__init__.py"),
            ),
            ("pkg.settings", Some("src/pkg/settings.py")),
            // Not found: the .py file it was expected at.
            (
                "myproj.settings.nothere",
                Some("myproj/settings/nothere.py"),
            ),
            // Paths, and names that are not dotted module names.
            ("settings.py", None),
            ("app.yaml", None),
            ("airflow.cfg", None),
            ("app/settings.py", None),
            ("app.settings", None),
            ("settings", None),
            ("my-proj.settings", None),
            ("myproj..settings", None),
            ("1proj.settings", None),
        ];
        for (text, want) in table {
            let got = settings_module(d, text);
            assert_eq!(got, want.map(|w| d.join(w)), "{text}");
        }
    }

    #[test]
    fn backend_and_driver_keys_override_with_their_location() {
        let (m, d, sources) =
            load("[[path]]\napp = \"a.yaml\"\nbackend = \"postgresql\"\ndriver = \"psycopg\"\n");
        assert!(d.is_empty(), "{d:?}");
        let o = &m.paths[0].overrides;
        let b = o.backend.as_ref().unwrap();
        assert_eq!(b.value, app::Backend::PostgreSql);
        let loc = b.origin.location().unwrap();
        assert!(matches!(b.origin, Origin::Manifest(_)));
        assert_eq!(sources.text_at(loc), "\"postgresql\"");
        let drv = o.driver.as_ref().unwrap();
        assert_eq!(drv.value, app::Driver::Psycopg);
        assert_eq!(
            sources.text_at(drv.origin.location().unwrap()),
            "\"psycopg\""
        );

        // Neither key: nothing is overridden.
        let (m, d, _) = load("[[path]]\napp = \"a.yaml\"\n");
        assert!(d.is_empty());
        assert_eq!(m.paths[0].overrides, app::Overrides::default());
    }

    #[test]
    fn rejects_unknown_or_conflicting_backend_and_driver() {
        // (entry keys, the message part, what is kept)
        let cases: &[(&str, &str, bool, bool)] = &[
            (
                "backend = \"oracle\"",
                "backend \"oracle\" is not one",
                false,
                false,
            ),
            (
                "driver = \"pg8000\"",
                "driver \"pg8000\" is not one",
                false,
                false,
            ),
            (
                "backend = \"mysql\"\ndriver = \"asyncpg\"",
                "driver \"asyncpg\" does not speak",
                true,
                false,
            ),
        ];
        for (keys, message, backend_kept, driver_kept) in cases {
            let (m, d, _) = load(&format!("[[path]]\napp = \"a.yaml\"\n{keys}\n"));
            assert_eq!(d.len(), 1, "{keys}: {d:?}");
            assert_eq!(d[0].code, codes::MANIFEST_ERROR, "{keys}");
            assert!(d[0].message.contains(message), "{keys}: {}", d[0].message);
            // The path is still checked, with what was valid.
            let o = &m.paths[0].overrides;
            assert_eq!(o.backend.is_some(), *backend_kept, "{keys}");
            assert_eq!(o.driver.is_some(), *driver_kept, "{keys}");
        }
    }

    #[test]
    fn counts_are_positive_integers_located_at_their_value() {
        // (text, processes, threads): accepted rows.
        let cases = [
            ("[[path]]\ndb = \"my.cnf\"\n", None, None),
            ("[[path]]\ndb = \"my.cnf\"\nprocesses = 4\n", Some(4), None),
            ("[[path]]\ndb = \"my.cnf\"\nthreads = 8\n", None, Some(8)),
            (
                "[[path]]\ndb = \"my.cnf\"\nprocesses = 3\nthreads = 1\n",
                Some(3),
                Some(1),
            ),
        ];
        for (text, processes, threads) in cases {
            let (m, d, sources) = load(text);
            assert!(d.is_empty(), "{text}: {d:?}");
            let p = &m.paths[0];
            assert_eq!(p.processes.as_ref().map(|s| s.value), processes, "{text}");
            assert_eq!(p.threads.as_ref().map(|s| s.value), threads, "{text}");
            for (count, n) in [(&p.processes, processes), (&p.threads, threads)] {
                if let (Some(c), Some(n)) = (count, n) {
                    let loc = c.origin.location().expect("located");
                    assert_eq!(sources.text_at(loc), n.to_string(), "{text}");
                    assert!(matches!(c.origin, Origin::Manifest(_)), "{text}");
                }
            }
        }
        // A rejected count leaves the path in place with the key unset.
        let (m, d, _) = load("[[path]]\ndb = \"my.cnf\"\nthreads = 0\n");
        assert_eq!(d.len(), 1);
        assert_eq!(m.paths.len(), 1);
        assert!(m.paths[0].threads.is_none());
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
            other => panic!("hop {i} is not a network hop: {other:?}"),
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
            other => panic!("hop 2 is not a pgbouncer: {other:?}"),
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
                "config file",
            ),
            (
                "[[path]]\ndb = \"my.cnf\"\n[[path.hop]]\nhaproxy = \"lb.cfg\"\n",
                "TL004",
                "needs `proxy`",
            ),
            (
                "[[path]]\ndb = \"my.cnf\"\n[[path.hop]]\nnginx = \"n.conf\"\n",
                "TL004",
                "needs `server`",
            ),
            (
                "[[path]]\ndb = \"my.cnf\"\n[[path.hop]]\nenvoy = \"e.yaml\"\n",
                "TL004",
                "needs `listener`",
            ),
            (
                "[[path]]\ndb = \"my.cnf\"\n[[path.hop]]\nhaproxy = \"lb.cfg\"\nproxy = \"m\"\npreset = \"aws-nlb\"\n",
                "TL004",
                "a hop is one thing",
            ),
            (
                "[[path]]\ndb = \"my.cnf\"\n[[path.hop]]\npreset = \"no-such-device\"\n",
                "TL004",
                "unknown preset",
            ),
            (
                "[[path]]\ndb = \"my.cnf\"\nprocesses = 0\n",
                "TL004",
                "positive count",
            ),
            (
                "[[path]]\ndb = \"my.cnf\"\nprocesses = \"4\"\n",
                "TL004",
                "processes must be a positive count, not \"4\"",
            ),
            (
                "[[path]]\ndb = \"my.cnf\"\nthreads = 0\n",
                "TL004",
                "threads must be a positive count, not 0",
            ),
            (
                "[[path]]\ndb = \"my.cnf\"\nthreads = -4\n",
                "TL004",
                "threads must be a positive count, not -4",
            ),
            (
                "[[path]]\ndb = \"my.cnf\"\nthreads = 2.5\n",
                "TL004",
                "threads must be a positive count, not 2.5",
            ),
            (
                "[[path]]\ndb = \"my.cnf\"\nthreads = \"8\"\n",
                "TL004",
                "threads must be a positive count, not \"8\"",
            ),
            (
                "[[path]]\ndb = \"my.cnf\"\nrequest_timeout = 30\n",
                "TL004",
                "no unit",
            ),
            (
                "[[path]]\ndb = \"my.cnf\"\nmax_statement_time = \"5min\"\n",
                "TL004",
                "unknown unit",
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
        // A preset id alone: its documented default, behaviour and origin.
        let h = parse_hop_flag("aws-nat-gateway").unwrap();
        assert_eq!(h.idle_timeout.value, Duration::from_secs(350));
        assert!(
            matches!(h.idle_timeout.origin, Origin::Preset { ref id, .. } if id == "aws-nat-gateway")
        );
        assert_eq!(h.on_idle.value, OnIdle::Drop);
        // With a value: checked against the device's range, from the flag.
        let h = parse_hop_flag("aws-nlb=120s").unwrap();
        assert_eq!(h.idle_timeout.value, Duration::from_secs(120));
        assert!(matches!(h.idle_timeout.origin, Origin::Flag(_)));
        let e = parse_hop_flag("aws-nlb=30s").unwrap_err();
        assert!(e.contains("aws-nlb"), "{e}");
        assert!(parse_hop_flag("aws-nlb=1h").is_ok());
        assert!(parse_hop_flag("aws-nlb=7000s").is_err());
    }

    #[test]
    fn file_references_carry_an_address() {
        let r = PathRef::written(
            Path::new("/p"),
            "infra/rds.tf#aws_db_parameter_group.orders",
            None,
        );
        assert_eq!(r.path, Path::new("/p/infra/rds.tf"));
        assert_eq!(r.address.as_deref(), Some("aws_db_parameter_group.orders"));
        let r = PathRef::written(
            Path::new("/p"),
            "k8s/mysql.yaml#ConfigMap/mysql-config:my.cnf",
            None,
        );
        assert_eq!(r.address.as_deref(), Some("ConfigMap/mysql-config:my.cnf"));
        let r = PathRef::written(Path::new("/p"), "db/my.cnf", None);
        assert_eq!(
            (r.path.as_path(), r.address),
            (Path::new("/p/db/my.cnf"), None)
        );
        for (text, is_file) in [
            ("350s", false),
            ("infra/lb.tf#aws_lb_listener.db", true),
            ("infra/nlb.tf", true),
            ("k8s/ingress.yaml", true),
            ("5 minutes", false),
        ] {
            assert_eq!(is_file_reference(text), is_file, "{text}");
        }
    }
}
