//! One run: turn the command line's inputs into connection paths, check them,
//! and collect the sorted diagnostics. No printing here.

use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, Label, sort_and_dedup};
use crate::manifest::{self, HopSpec, PathSpec};
use crate::model::ConnectionPath;
use crate::rules::{self, RuleOptions, codes};
use crate::source::{LoadError, SourceMap, io_reason};
use crate::systems::app::{self, AppPool};
use crate::systems::mysql::{self, MysqlServer};
use crate::systems::sysctl::{self, KernelSettings};

/// What the run needs besides the inputs.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Hops added by `--hop NAME=DURATION`, appended to every path.
    pub extra_hops: Vec<HopSpec>,
    /// Rule settings.
    pub rules: RuleOptions,
}

/// The result of a run.
#[derive(Debug)]
pub struct Outcome {
    /// Every file read.
    pub sources: SourceMap,
    /// The assembled paths, in input order.
    pub paths: Vec<ConnectionPath>,
    /// Sorted, deduplicated findings.
    pub diagnostics: Vec<Diagnostic>,
    /// Inputs that could not be read (exit code 2), as messages.
    pub load_errors: Vec<String>,
}

/// The kind of a config file given without a manifest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// App pool settings (YAML / TOML).
    App,
    /// MySQL option file or `mysqld --verbose --help` dump.
    Mysql,
    /// sysctl file, sysctl.d folder, `sysctl -a` dump or /proc/sys tree.
    Sysctl,
}

/// Classifies a config path by name, then by content.
///
/// Errors: a message when the path cannot be read or its kind cannot be told.
pub fn classify(path: &Path) -> Result<Kind, String> {
    let shown = path.display();
    let meta =
        std::fs::metadata(path).map_err(|e| format!("cannot read {shown}: {}", io_reason(&e)))?;
    if meta.is_dir() {
        return Ok(Kind::Sysctl);
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "yaml" | "yml" | "toml" => return Ok(Kind::App),
        "cnf" => return Ok(Kind::Mysql),
        _ => {}
    }
    if name.contains("sysctl") {
        return Ok(Kind::Sysctl);
    }
    let bytes =
        std::fs::read(path).map_err(|e| format!("cannot read {shown}: {}", io_reason(&e)))?;
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(256 * 1024)]);
    let mysql_group = text.lines().any(|l| {
        let l = l.trim_start().to_ascii_lowercase();
        [
            "[mysqld", "[mariadb", "[server]", "[client", "[mysql", "[galera]",
        ]
        .iter()
        .any(|g| l.starts_with(g))
    });
    if mysql_group
        || text.contains("Variables (--variable-name=value)")
        || text.contains("!includedir")
    {
        return Ok(Kind::Mysql);
    }
    let sysctl_key = text.lines().any(|l| {
        let l = l.trim_start().trim_start_matches('-');
        ["net.", "kernel.", "vm.", "fs.", "net/"]
            .iter()
            .any(|p| l.starts_with(p))
            && l.contains('=')
    });
    if sysctl_key {
        return Ok(Kind::Sysctl);
    }
    Err(format!(
        "cannot tell what kind of config {shown} is (app settings .yaml/.toml, my.cnf, or sysctl); list it in a timeoutlint.toml manifest"
    ))
}

/// A sysctl.d folder (holding `*.conf` files) or a /proc/sys-style tree
/// (holding `net/`).
fn looks_like_sysctl_dir(dir: &Path) -> bool {
    if dir.join("net").is_dir() {
        return true;
    }
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| e.path().extension().is_some_and(|x| x == "conf"))
    })
}

fn is_manifest(path: &Path) -> bool {
    if path.file_name().is_some_and(|n| n == manifest::FILE_NAME) {
        return true;
    }
    if path.extension().is_some_and(|e| e == "toml")
        && let Ok(text) = std::fs::read_to_string(path)
    {
        return text.lines().any(|l| l.trim() == "[[path]]");
    }
    false
}

/// Runs the check on `inputs` (default: the current folder).
pub fn run(inputs: &[PathBuf], opts: &RunOptions) -> Outcome {
    let inputs: Vec<PathBuf> = if inputs.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        inputs.to_vec()
    };
    let mut manifests = Vec::new();
    let mut loose = Vec::new();
    let mut load_errors = Vec::new();
    for input in &inputs {
        let candidate = input.join(manifest::FILE_NAME);
        if input.is_dir() && candidate.is_file() {
            manifests.push(candidate);
        } else if input.is_file() && is_manifest(input) {
            manifests.push(input.clone());
        } else if input.is_dir() && !looks_like_sysctl_dir(input) {
            load_errors.push(format!(
                "no {} in {}; give a manifest, a folder holding one, or config files",
                manifest::FILE_NAME,
                input.display()
            ));
        } else if !input.exists() {
            load_errors.push(format!(
                "cannot read {}: no such file or directory",
                input.display()
            ));
        } else {
            loose.push(input.clone());
        }
    }
    let base = match manifests.as_slice() {
        [only] if loose.is_empty() => only.parent().map(Path::to_path_buf),
        _ => None,
    };
    let mut sources = SourceMap::new(base);
    let mut diags = Vec::new();
    let mut paths = Vec::new();

    for m in &manifests {
        let file = match sources.load(m) {
            Ok(f) => f,
            Err(e) => {
                load_errors.push(e.to_string());
                continue;
            }
        };
        let dir = m.parent().map(Path::to_path_buf).unwrap_or_default();
        let parsed = manifest::parse(file, &dir, &sources, &mut diags);
        for spec in &parsed.paths {
            build_paths(
                spec,
                opts,
                &mut sources,
                &mut diags,
                &mut load_errors,
                &mut paths,
            );
        }
    }
    if !loose.is_empty()
        && let Some(spec) = loose_spec(&loose, &mut load_errors)
    {
        build_paths(
            &spec,
            opts,
            &mut sources,
            &mut diags,
            &mut load_errors,
            &mut paths,
        );
    }
    for p in &paths {
        diags.extend(rules::check_path(p, &sources, &opts.rules));
    }
    sort_and_dedup(&mut diags, &sources);
    Outcome {
        sources,
        paths,
        diagnostics: diags,
        load_errors,
    }
}

/// Files given without a manifest form one path.
fn loose_spec(files: &[PathBuf], load_errors: &mut Vec<String>) -> Option<PathSpec> {
    let mut spec = PathSpec {
        name: "command line".to_string(),
        app: None,
        database: None,
        app_sysctl: None,
        db: None,
        db_sysctl: None,
        hops: Vec::new(),
        location: None,
    };
    let mut ok = true;
    for f in files {
        let kind = match classify(f) {
            Ok(k) => k,
            Err(e) => {
                load_errors.push(e);
                ok = false;
                continue;
            }
        };
        let slot = match kind {
            Kind::App => &mut spec.app,
            Kind::Mysql => &mut spec.db,
            Kind::Sysctl => &mut spec.app_sysctl,
        };
        if let Some(prev) = slot {
            load_errors.push(format!(
                "{} and {} are both {} configs; give one per kind, or describe several paths in a timeoutlint.toml manifest",
                prev.path.display(),
                f.display(),
                match kind {
                    Kind::App => "app settings",
                    Kind::Mysql => "MySQL",
                    Kind::Sysctl => "sysctl",
                }
            ));
            ok = false;
            continue;
        }
        *slot = Some(manifest::PathRef {
            path: f.clone(),
            location: spec.location,
        });
    }
    (ok || spec.app.is_some() || spec.db.is_some() || spec.app_sysctl.is_some()).then_some(spec)
}

fn load_error(r: &manifest::PathRef, e: LoadError, sources: &SourceMap) -> String {
    match r.location {
        None => e.to_string(),
        Some(l) => format!("{}: {e}", sources.short(l)),
    }
}

fn build_paths(
    spec: &PathSpec,
    opts: &RunOptions,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
    load_errors: &mut Vec<String>,
    out: &mut Vec<ConnectionPath>,
) {
    let mut load = |r: &Option<manifest::PathRef>,
                    kind: Kind,
                    sources: &mut SourceMap,
                    diags: &mut Vec<Diagnostic>|
     -> Option<Loaded> {
        let r = r.as_ref()?;
        let res = match kind {
            Kind::App => app::load_app(&r.path, sources, diags).map(Loaded::App),
            Kind::Mysql => mysql::load_option_file(&r.path, sources, diags).map(Loaded::Mysql),
            Kind::Sysctl => sysctl::load_kernel(&r.path, sources, diags).map(Loaded::Kernel),
        };
        match res {
            Ok(l) => Some(l),
            Err(e) => {
                load_errors.push(load_error(r, e, sources));
                None
            }
        }
    };
    let pools: Vec<Option<AppPool>> = match load(&spec.app, Kind::App, sources, diags) {
        Some(Loaded::App(settings)) => select_pools(spec, settings.pools, diags),
        _ => vec![None],
    };
    let app_kernel = match load(&spec.app_sysctl, Kind::Sysctl, sources, diags) {
        Some(Loaded::Kernel(k)) => k,
        _ => KernelSettings::defaults(),
    };
    let server: Option<MysqlServer> = match load(&spec.db, Kind::Mysql, sources, diags) {
        Some(Loaded::Mysql(m)) => Some(m),
        _ => None,
    };
    let db_kernel = match load(&spec.db_sysctl, Kind::Sysctl, sources, diags) {
        Some(Loaded::Kernel(k)) => k,
        _ => KernelSettings::defaults(),
    };
    let hops: Vec<HopSpec> = spec.hops.iter().chain(&opts.extra_hops).cloned().collect();
    let many = pools.len() > 1;
    for pool in pools {
        let name = match (&pool, many) {
            (Some(p), true) => format!("{} [{}]", spec.name, p.name),
            _ => spec.name.clone(),
        };
        out.push(ConnectionPath {
            name,
            location: spec.location,
            app: pool,
            app_kernel: app_kernel.clone(),
            hops: hops.clone(),
            db_kernel: db_kernel.clone(),
            server: server.clone(),
        });
    }
}

enum Loaded {
    App(app::AppSettings),
    Mysql(MysqlServer),
    Kernel(KernelSettings),
}

/// Picks the pool named by `database`, or every pool when it is absent.
fn select_pools(
    spec: &PathSpec,
    pools: Vec<AppPool>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Option<AppPool>> {
    let Some(wanted) = &spec.database else {
        if pools.is_empty() {
            return vec![None];
        }
        return pools.into_iter().map(Some).collect();
    };
    let names: Vec<String> = pools.iter().map(|p| format!("\"{}\"", p.name)).collect();
    match pools.into_iter().find(|p| p.name == wanted.value) {
        Some(p) => vec![Some(p)],
        None => {
            diags.push(
                Diagnostic::new(
                    codes::MANIFEST_ERROR,
                    format!(
                        "database \"{}\" is not an alias or engine of the app file",
                        wanted.value
                    ),
                    Label::maybe(
                        wanted.origin.location(),
                        "no such database in the app settings",
                    ),
                )
                .with_help(if names.is_empty() {
                    "the app file declares no database".to_string()
                } else {
                    format!("the app file declares {}", names.join(", "))
                }),
            );
            vec![None]
        }
    }
}
