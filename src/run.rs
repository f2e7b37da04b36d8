//! One run: turn the command line's inputs into connection paths, check them,
//! and collect the sorted diagnostics. No printing here.

use std::path::{Path, PathBuf};

use crate::classify::looks_like_sysctl_dir;
use crate::config::{self, LintConfig};
use crate::diagnostic::{Diagnostic, Label, sort_and_dedup};
use crate::env::EnvValues;
use crate::manifest::{self, HopEntry, PathSpec, ProxySpec};
use crate::model::{ConnectionPath, DbServer, Hop, PgBouncerHop};
use crate::model::{HopSpec, OnIdle};
use crate::provenance::{Origin, Sourced};
use crate::report::RunError;
use crate::rules::{self, RuleOptions, codes};
use crate::source::Location;
use crate::source::{DEFAULT_MAX_FILE_SIZE, LoadError, ReadPolicy, SourceMap, project_root_of};
use crate::systems::app::{self, AppPool};
use crate::systems::pgbouncer::{self, PgBouncer};
use crate::systems::postgres;
use crate::systems::proxy::ProxyLookup;
use crate::systems::sysctl::{self, KernelSettings};
use crate::systems::{haproxy, mesh, mysql, nginx};

/// What the run needs besides the inputs.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Hops added by `--hop NAME=DURATION`, placed on the app side of every path.
    pub extra_hops: Vec<HopSpec>,
    /// Rule settings given on the command line; `margin` there overrides the
    /// configuration's when [`RunOptions::margin_given`] is set.
    pub rules: RuleOptions,
    /// Whether `--margin` was given (else the config's margin, else 10 %).
    pub margin_given: bool,
    /// `--config FILE`.
    pub config: Option<PathBuf>,
    /// `--env-file FILE`: deploy-time values of environment variables read by
    /// Python settings (the manifest's `[path.env]` wins over it).
    pub env_file: Option<PathBuf>,
    /// `--select` rules (ids, names or prefixes), overriding the config's.
    pub select: Vec<String>,
    /// `--ignore` rules, overriding the config's.
    pub ignore: Vec<String>,
    /// `--severity RULE=LEVEL` overrides, on top of the config's.
    pub severity: Vec<String>,
    /// Keep findings that inline comments suppress (and skip TL009/TL010):
    /// for tests of the suppression layer itself.
    pub keep_suppressed: bool,
    /// `--root DIR`: the folder every read must stay inside. Default: the
    /// git work tree holding the manifest (or the loose inputs), else the
    /// manifest's folder (or the inputs' folder); see [`default_root`].
    pub root: Option<PathBuf>,
    /// `--max-file-size BYTES` (default
    /// [`DEFAULT_MAX_FILE_SIZE`](crate::source::DEFAULT_MAX_FILE_SIZE)).
    pub max_file_size: Option<u64>,
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
    pub load_errors: Vec<RunError>,
    /// The lint configuration in force (for `fail-on`).
    pub config: LintConfig,
    /// What discovery found in each folder checked without a manifest, in
    /// input order (empty when every input had a manifest or was a file).
    pub discovered: Vec<crate::discover::Discovery>,
}

/// How a path's file is loaded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LoadAs {
    /// MySQL option file or dump.
    Mysql,
    /// postgresql.conf or a PostgreSQL dump.
    Postgres,
    /// pgbouncer.ini.
    PgBouncer,
    /// sysctl file, sysctl.d folder, `sysctl -a` dump or /proc/sys tree.
    Sysctl,
}

fn is_manifest(path: &Path, policy: &ReadPolicy) -> bool {
    if path.file_name().is_some_and(|n| n == manifest::FILE_NAME) {
        return true;
    }
    if path.extension().is_some_and(|e| e == "toml")
        && let Ok((_, bytes)) = policy.read(path, "")
    {
        return String::from_utf8_lossy(&bytes)
            .lines()
            .any(|l| l.trim() == "[[path]]");
    }
    false
}

/// The project root when `--root` is not given: for each manifest its
/// folder, for each other input its folder (or itself, for a folder); each
/// widened to the git work tree holding it; then the deepest folder holding
/// them all. `None` when there is no input.
pub fn default_root(manifests: &[PathBuf], loose: &[PathBuf]) -> Option<PathBuf> {
    let dir_of = |p: &Path, is_dir: bool| {
        let d = if is_dir {
            p.to_path_buf()
        } else {
            p.parent().map(Path::to_path_buf).unwrap_or_default()
        };
        if d.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            d
        }
    };
    let mut roots = manifests
        .iter()
        .map(|m| dir_of(m, false))
        .chain(loose.iter().map(|l| dir_of(l, l.is_dir())))
        .map(|d| project_root_of(&d));
    let first = roots.next()?;
    Some(roots.fold(first, |acc, r| {
        acc.ancestors()
            .find(|a| r.starts_with(a))
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("/"))
    }))
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
    let mut discover_dirs = Vec::new();
    let mut load_errors = Vec::new();
    let max_file_size = opts.max_file_size.unwrap_or(DEFAULT_MAX_FILE_SIZE);
    // Before the root is known, manifests are told apart by name or by a
    // capped read of a `.toml` the user named.
    let unconfined = ReadPolicy::new(None, max_file_size);
    for input in &inputs {
        let candidate = input.join(manifest::FILE_NAME);
        if input.is_dir() && candidate.is_file() {
            manifests.push(candidate);
        } else if input.is_file() && is_manifest(input, &unconfined) {
            manifests.push(input.clone());
        } else if input.is_dir() && !looks_like_sysctl_dir(input) {
            // No manifest: discover the paths (a manifest always wins).
            discover_dirs.push(input.clone());
        } else if !input.exists() {
            load_errors
                .push(format!("cannot read {}: no such file or directory", input.display()).into());
        } else {
            loose.push(input.clone());
        }
    }
    // Display names are relative to `--root`, else to the working directory,
    // whatever folder was checked (SourceMap::display_name).
    let base = opts.root.clone().or_else(|| std::env::current_dir().ok());
    // `--env-file` is named on the command line (so not confined to the
    // root) but must still be a small regular file, whatever the app is.
    if let Some(f) = &opts.env_file
        && let Err(e) = ReadPolicy::new(None, max_file_size).read(f, &f.display().to_string())
    {
        load_errors.push(format!("--env-file: {e}").into());
    }
    if let Some(r) = &opts.root
        && !r.is_dir()
    {
        load_errors.push(format!("--root {}: not a directory", r.display()).into());
    }
    let root = opts.root.clone().or_else(|| {
        let mut given = loose.clone();
        given.extend(discover_dirs.iter().cloned());
        default_root(&manifests, &given)
    });
    let policy = ReadPolicy::new(root.as_deref(), max_file_size);
    let mut sources = SourceMap::new(base).with_policy(policy);
    let mut diags = Vec::new();
    let mut paths = Vec::new();
    let mut first_manifest = None;

    for m in &manifests {
        if let Some(loaded) = check_manifest(
            m,
            opts,
            &mut sources,
            &mut diags,
            &mut load_errors,
            &mut paths,
        ) {
            first_manifest.get_or_insert(loaded);
        }
    }
    let mut discovered = Vec::new();
    for dir in &discover_dirs {
        if let Err(e) = sources.check_dir(dir) {
            load_errors.push(e.to_string().into());
            continue;
        }
        let found = crate::discover::discover(dir, &mut sources);
        for p in &found.paths {
            build_paths(
                &p.spec,
                opts,
                &mut sources,
                &mut diags,
                &mut load_errors,
                &mut paths,
            );
        }
        diags.extend(found.findings.iter().cloned());
        // Subfolders holding their own manifest are checked as it says.
        for m in &found.manifests {
            check_manifest(
                m,
                opts,
                &mut sources,
                &mut diags,
                &mut load_errors,
                &mut paths,
            );
        }
        discovered.push(found);
    }
    if !loose.is_empty()
        && let Some(spec) = loose_spec(&loose, sources.policy(), &mut load_errors)
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
    let config = load_config(
        opts,
        first_manifest,
        &inputs,
        &mut sources,
        &mut diags,
        &mut load_errors,
    );
    let rule_opts = RuleOptions {
        margin: match (opts.margin_given, config.margin()) {
            (false, Some(percent)) => percent / 100.0,
            _ => opts.rules.margin,
        },
    };
    let mut start = 0;
    while start < paths.len() {
        let end = variant_group_end(&paths, start);
        let group: Vec<Vec<Diagnostic>> = paths[start..end]
            .iter()
            .map(|p| {
                let mut found = rules::check_path(p, &sources, &rule_opts);
                found.extend(config.custom(p, &sources));
                found
            })
            .collect();
        diags.extend(merge_variant_findings(&paths[start..end], group, &sources));
        start = end;
    }
    for world in variant_worlds(&paths) {
        diags.extend(rules::check_fleet(&world));
    }
    let mut diags = config.apply(diags, &paths);
    sort_and_dedup(&mut diags, &sources);
    mark_secrets_near_findings(&diags, &mut sources);
    // Inline `# timeoutlint: ignore[...]` comments, and their own findings.
    let diags = if opts.keep_suppressed {
        diags
    } else {
        crate::suppress::apply(diags, &sources)
    };
    let diags = config.apply(diags, &paths);
    Outcome {
        sources,
        paths,
        diagnostics: diags,
        load_errors,
        config,
        discovered,
    }
}

/// Loads the manifest `m` and builds its paths; returns the manifest's file
/// and folder, or `None` (a load error recorded) when it cannot be read.
fn check_manifest(
    m: &Path,
    opts: &RunOptions,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
    load_errors: &mut Vec<RunError>,
    paths: &mut Vec<ConnectionPath>,
) -> Option<(crate::source::FileId, PathBuf)> {
    let file = match sources.load(m) {
        Ok(f) => f,
        Err(e) => {
            load_errors.push(e.to_string().into());
            return None;
        }
    };
    let dir = m.parent().map(Path::to_path_buf).unwrap_or_default();
    let parsed = manifest::parse(file, &dir, sources, diags);
    for spec in &parsed.paths {
        build_paths(spec, opts, sources, diags, load_errors, paths);
    }
    Some((file, dir))
}

/// The lint configuration: `--config`, else the manifest's `[lint]`, else the
/// nearest pyproject.toml's `[tool.timeoutlint]`; then the command line's
/// `--select` / `--ignore` on top.
fn load_config(
    opts: &RunOptions,
    manifest: Option<(crate::source::FileId, PathBuf)>,
    inputs: &[PathBuf],
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
    load_errors: &mut Vec<RunError>,
) -> LintConfig {
    let start = match &manifest {
        Some((_, dir)) => dir.clone(),
        None => inputs
            .first()
            .map(|i| {
                if i.is_dir() {
                    i.clone()
                } else {
                    i.parent().map(Path::to_path_buf).unwrap_or_default()
                }
            })
            .unwrap_or_default(),
    };
    let start = if start.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        start
    };
    let mut config = match config::load(
        manifest.map(|m| m.0),
        &start,
        opts.config.as_deref(),
        sources,
        diags,
    ) {
        Ok(c) => c,
        Err(e) => {
            load_errors.push(format!("config: {e}").into());
            LintConfig::default()
        }
    };
    if !opts.select.is_empty()
        && let Err(e) = config.set_select(&opts.select)
    {
        load_errors.push(format!("--select: {e}").into());
    }
    if !opts.ignore.is_empty()
        && let Err(e) = config.set_ignore(&opts.ignore)
    {
        load_errors.push(format!("--ignore: {e}").into());
    }
    if let Err(e) = config.add_severity(&opts.severity) {
        load_errors.push(e.into());
    }
    config
}

/// Files given without a manifest form one path. Each file's kind comes from
/// [`crate::classify::classify`] (an unknown or ambiguous file is a usage
/// error, never read as a guessed kind):
///
/// - app settings -> `app`; a MySQL / PostgreSQL config or dump -> `db`;
///   sysctl -> `app_sysctl`; an app-server config -> `workers` (a
///   Procfile's `web` process when it has one);
/// - pgbouncer.ini -> a PgBouncer hop;
/// - a deployment file (compose, Kubernetes, Helm, Terraform,
///   CloudFormation, AWS CLI dump) -> `db = "FILE"` without an address:
///   its only database server, or a TL004 listing the candidates. A
///   Terraform file that declares no `resource` or `module` (variables,
///   `.tfvars`) is read with its folder, not as the server;
/// - a proxy config -> proxy hops ([`loose_proxy_hops`]).
fn loose_spec(
    files: &[PathBuf],
    policy: &ReadPolicy,
    load_errors: &mut Vec<RunError>,
) -> Option<PathSpec> {
    use crate::classify::Kind;
    let mut spec = PathSpec::empty("command line");
    let mut ok = true;
    let mut proxies: Vec<(PathBuf, Kind)> = Vec::new();
    // Terraform files declaring no resource (variables, `.tfvars`).
    let mut tf_inputs: Vec<PathBuf> = Vec::new();
    let loose_ref = |path: &Path, address: Option<String>| manifest::PathRef {
        path: path.to_path_buf(),
        location: None,
        address,
    };
    for f in files {
        let kind = match crate::classify::classify(f, policy) {
            Ok(k) => k,
            Err(e) => {
                load_errors.push(e.into());
                ok = false;
                continue;
            }
        };
        let slot = match kind {
            Kind::PgBouncer => {
                spec.hops.push(HopEntry::PgBouncer {
                    name: "pgbouncer".to_string(),
                    file: loose_ref(f, None),
                });
                continue;
            }
            k if k.is_proxy() => {
                proxies.push((f.clone(), k));
                continue;
            }
            Kind::Terraform if !declares_terraform_blocks(f, policy) => {
                tf_inputs.push(f.clone());
                continue;
            }
            k if k.is_app() => &mut spec.app,
            k if k.is_mysql() || k.is_postgres() || k.is_deployment() => &mut spec.db,
            Kind::AppServer => &mut spec.workers,
            _ => &mut spec.app_sysctl,
        };
        if let Some(prev) = slot {
            load_errors.push(format!(
                "{} and {} are both {} configs; give one per kind, or describe several paths in a timeoutlint.toml manifest",
                prev.path.display(),
                f.display(),
                match kind {
                    k if k.is_app() => "app settings",
                    Kind::AppServer => "app-server",
                    Kind::Sysctl => "sysctl",
                    _ => "database server",
                }
            ).into());
            ok = false;
            continue;
        }
        if kind.is_deployment() && !crate::deploy::is_deployment_file(f) {
            load_errors.push(
                format!(
                    "{} is a {} but its name does not say so, and deployment files are read by \
                     their name: rename it (.yaml, .yml, .json, .tf)",
                    f.display(),
                    kind.describe()
                )
                .into(),
            );
            ok = false;
            continue;
        }
        let address = (kind == Kind::AppServer)
            .then(|| procfile_web(f, policy))
            .flatten();
        *slot = Some(loose_ref(f, address));
    }
    let tf_db = spec
        .db
        .as_ref()
        .is_some_and(|r| crate::classify::classify(&r.path, policy) == Ok(Kind::Terraform));
    if !tf_inputs.is_empty() && !tf_db {
        let shown: Vec<String> = tf_inputs.iter().map(|f| f.display().to_string()).collect();
        load_errors.push(
            format!(
                "{} declare{} no Terraform `resource` or `module`: such files only feed variables \
                 to the .tf files of their folder; give the .tf file that declares the database \
                 resource",
                shown.join(", "),
                if shown.len() == 1 { "s" } else { "" }
            )
            .into(),
        );
        ok = false;
    }
    let (hops, errors) = loose_proxy_hops(&proxies, policy);
    spec.hops.extend(hops);
    ok &= errors.is_empty();
    load_errors.extend(errors.into_iter().map(RunError::from));
    let any = spec.app.is_some()
        || spec.db.is_some()
        || spec.app_sysctl.is_some()
        || spec.workers.is_some()
        || !spec.hops.is_empty();
    (ok || any).then_some(spec)
}

/// A Terraform file that declares a `resource` or `module` (else it only
/// feeds variables to its folder's other files).
fn declares_terraform_blocks(path: &Path, policy: &ReadPolicy) -> bool {
    let Ok((_, bytes)) = policy.read(path, "") else {
        return true;
    };
    String::from_utf8_lossy(&bytes).lines().any(|l| {
        let l = l.trim_start();
        l.starts_with("resource ") || l.starts_with("module ")
    })
}

/// `web` when `path` is a Procfile with a `web:` process (the one serving
/// requests), so a Procfile with workers too is not ambiguous.
fn procfile_web(path: &Path, policy: &ReadPolicy) -> Option<String> {
    let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
    if !name.contains("procfile") {
        return None;
    }
    let (_, bytes) = policy.read(path, "").ok()?;
    String::from_utf8_lossy(&bytes)
        .lines()
        .any(|l| l.trim_start().starts_with("web:"))
        .then(|| "web".to_string())
}

/// The hops of proxy configs given without a manifest: one per listener
/// that looks like a database one ([`crate::classify::proxy_listeners`]),
/// so TL120–TL122 run on each; the others (a `stats` page, web frontends)
/// are not on a database path and are not read as if they were. HAProxy
/// files given together form one configuration (as `haproxy -f a -f b`).
///
/// Returns the hops and, as usage messages, each config that cannot be read
/// or has no database listener, naming the listeners it has and the
/// manifest key that picks one.
fn loose_proxy_hops(
    proxies: &[(PathBuf, crate::classify::Kind)],
    policy: &ReadPolicy,
) -> (Vec<HopEntry>, Vec<String>) {
    use crate::classify::{Kind, proxy_listeners};
    // HAProxy files together, then each other config on its own.
    let haproxy: Vec<PathBuf> = proxies
        .iter()
        .filter(|(_, k)| *k == Kind::Haproxy)
        .map(|(p, _)| p.clone())
        .collect();
    let mut groups: Vec<(Kind, Vec<PathBuf>)> = Vec::new();
    if !haproxy.is_empty() {
        groups.push((Kind::Haproxy, haproxy));
    }
    groups.extend(
        proxies
            .iter()
            .filter(|(_, k)| *k != Kind::Haproxy)
            .map(|(p, k)| (*k, vec![p.clone()])),
    );
    let mut hops = Vec::new();
    let mut errors = Vec::new();
    for (kind, files) in groups {
        let mut texts = Vec::new();
        for f in &files {
            match policy.read(f, &f.display().to_string()) {
                Ok((_, bytes)) => texts.push(crate::source::decode(bytes)),
                Err(e) => errors.push(e.to_string()),
            }
        }
        if texts.len() != files.len() {
            continue;
        }
        let texts: Vec<&str> = texts.iter().map(|t| t.as_ref()).collect();
        let listeners = proxy_listeners(kind, &texts);
        let shown: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
        let shown = shown.join(" + ");
        let wanted: Vec<&str> = listeners
            .iter()
            .filter(|l| l.database)
            .map(|l| l.name.as_str())
            .collect();
        if wanted.is_empty() {
            let key = kind.manifest_key().replace("FILE", &shown);
            let declared = if listeners.is_empty() {
                match kind {
                    Kind::Haproxy => "it declares no `listen` or `frontend` section (give the files holding them too: HAProxy files given together form one config)".to_string(),
                    Kind::Nginx => "it declares no `stream` server in this file (servers in included files are found only through a manifest)".to_string(),
                    Kind::Envoy => "it declares no listener with a tcp_proxy filter".to_string(),
                    _ => "it declares no DestinationRule".to_string(),
                }
            } else {
                let names: Vec<&str> = listeners.iter().map(|l| l.name.as_str()).collect();
                format!("it declares: {}", names.join(", "))
            };
            errors.push(format!(
                "{shown}: no listener looks like a database one ({declared}); name the one on the database path in a timeoutlint.toml manifest: {key}"
            ));
            continue;
        }
        let refs: Vec<manifest::PathRef> = files
            .iter()
            .map(|f| manifest::PathRef {
                path: f.clone(),
                location: None,
                address: None,
            })
            .collect();
        for name in wanted {
            let value = Sourced::new(
                name.to_string(),
                Origin::Flag(format!("{shown} given without a manifest")),
            );
            let spec = match kind {
                Kind::Haproxy => ProxySpec::Haproxy {
                    files: refs.clone(),
                    proxy: value,
                },
                Kind::Nginx => ProxySpec::Nginx {
                    file: refs[0].clone(),
                    server: value,
                },
                Kind::Envoy => ProxySpec::Envoy {
                    file: refs[0].clone(),
                    listener: value,
                },
                _ => ProxySpec::Istio {
                    file: refs[0].clone(),
                    rule: Some(value),
                },
            };
            hops.push(HopEntry::Proxy {
                name: None,
                spec,
                location: None,
            });
        }
    }
    (hops, errors)
}

/// The failure to read `r`: located at its manifest key when it has one
/// (the file to fix is then the manifest), else at the path itself.
fn load_error(r: &manifest::PathRef, e: LoadError, sources: &SourceMap) -> RunError {
    match r.location {
        None => RunError::in_file(e.to_string(), sources.display_name(&r.path)),
        Some(l) => RunError::in_file(
            format!("{}: {e}", sources.short(l)),
            sources.get(l.file).name().to_string(),
        ),
    }
}

/// Loads the inputs of one path, collecting unreadable paths as messages.
struct Loader<'a> {
    sources: &'a mut SourceMap,
    diags: &'a mut Vec<Diagnostic>,
    load_errors: &'a mut Vec<RunError>,
}

impl Loader<'_> {
    fn load(&mut self, r: &manifest::PathRef, kind: LoadAs) -> Option<Loaded> {
        let (sources, diags) = (&mut *self.sources, &mut *self.diags);
        let from_deployment = crate::deploy::is_deployment_ref(r);
        let res = match kind {
            LoadAs::PgBouncer if from_deployment => {
                crate::deploy::load_pgbouncer(r, sources, diags)
                    .map(|b| b.map(|b| Loaded::PgBouncer(Box::new(b))))
            }
            LoadAs::Mysql | LoadAs::Postgres if from_deployment => {
                crate::deploy::load_server(r, sources, diags)
                    .map(|s| s.map(|s| Loaded::Server(Box::new(s))))
            }
            _ => self.load_file(r, kind).map(Some),
        };
        match res {
            Ok(l) => l,
            Err(e) => {
                self.load_errors.push(load_error(r, e, self.sources));
                None
            }
        }
    }

    fn load_file(&mut self, r: &manifest::PathRef, kind: LoadAs) -> Result<Loaded, LoadError> {
        let (sources, diags) = (&mut *self.sources, &mut *self.diags);
        match kind {
            LoadAs::Mysql => mysql::load_option_file(&r.path, sources, diags)
                .map(|m| Loaded::Server(Box::new(DbServer::Mysql(m)))),
            LoadAs::Postgres => postgres::load_postgres(&r.path, sources, diags)
                .map(|p| Loaded::Server(Box::new(DbServer::Postgres(p)))),
            LoadAs::PgBouncer => pgbouncer::load_pgbouncer(&r.path, sources, diags)
                .map(|b| Loaded::PgBouncer(Box::new(b))),
            LoadAs::Sysctl => {
                sysctl::load_kernel(&r.path, sources, diags).map(|k| Loaded::Kernel(Box::new(k)))
            }
        }
    }

    fn kernel(&mut self, r: &Option<manifest::PathRef>) -> KernelSettings {
        match r.as_ref().and_then(|r| self.load(r, LoadAs::Sysctl)) {
            Some(Loaded::Kernel(k)) => *k,
            _ => KernelSettings::defaults(),
        }
    }
}

fn build_paths(
    spec: &PathSpec,
    opts: &RunOptions,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
    load_errors: &mut Vec<RunError>,
    out: &mut Vec<ConnectionPath>,
) {
    let mut loader = Loader {
        sources,
        diags,
        load_errors,
    };
    let app_loaded = match &spec.app {
        Some(r) if read_as_code_or_airflow(&r.path, loader.sources.policy()).is_some() => {
            let mut env = EnvValues::new();
            // A deployment file's environment first: `[path.env]` wins.
            if let Some(r) = &spec.app_env {
                match crate::deploy::app_env(r, loader.sources, loader.diags) {
                    Ok(vars) => {
                        for (var, value, at) in vars {
                            let from = loader.sources.short(at);
                            env.set(var, value, from);
                        }
                    }
                    Err(e) => loader.load_errors.push(load_error(r, e, loader.sources)),
                }
            }
            for (var, v) in &spec.env {
                let from = v
                    .origin
                    .location()
                    .map(|l| loader.sources.short(l))
                    .unwrap_or_else(|| "the manifest".to_string());
                env.set(var.clone(), v.value.clone(), from);
            }
            if let Some(f) = &opts.env_file {
                // Checked (regular file, size cap) and reported once in `run`.
                let policy = ReadPolicy::new(None, loader.sources.policy().max_file_size());
                if policy.read(f, "").is_ok()
                    && let Err(e) = env.read_env_file(f)
                {
                    loader.load_errors.push(format!("--env-file: {e}").into());
                }
            }
            let object = spec.app_object.as_ref().map(|o| o.value.as_str());
            let airflow = read_as_code_or_airflow(&r.path, loader.sources.policy())
                == Some(crate::classify::Kind::AirflowCfg);
            let loaded = if airflow {
                app::load_airflow_with(&r.path, &env, &spec.overrides, loader.sources, loader.diags)
            } else {
                app::load_python_with(
                    &r.path,
                    object,
                    &env,
                    &spec.overrides,
                    loader.sources,
                    loader.diags,
                )
            };
            match loaded {
                Ok(a) => Some(Loaded::App(a)),
                Err(e) => {
                    loader.load_errors.push(load_error(r, e, loader.sources));
                    None
                }
            }
        }
        Some(r) => match app::load_app_with(&r.path, &spec.overrides, loader.sources, loader.diags)
        {
            Ok(a) => Some(Loaded::App(a)),
            Err(e) => {
                loader.load_errors.push(load_error(r, e, loader.sources));
                None
            }
        },
        None => None,
    };
    let pools: Vec<Option<AppPool>> = match app_loaded {
        Some(Loaded::App(settings)) => select_pools(spec, settings.pools, loader.diags),
        _ => vec![None],
    };
    let app_kernel = loader.kernel(&spec.app_sysctl);
    let server = match spec.db.as_ref().and_then(|r| {
        let backend = spec.overrides.backend.as_ref().map(|b| b.value);
        let kind = db_kind(&r.path, loader.sources.policy(), backend);
        loader.load(r, kind)
    }) {
        Some(Loaded::Server(s)) => Some(*s),
        _ => None,
    };
    let db_kernel = loader.kernel(&spec.db_sysctl);
    let mut hops: Vec<Hop> = opts.extra_hops.iter().cloned().map(Hop::Network).collect();
    for entry in &spec.hops {
        match entry {
            HopEntry::Network(h) => hops.push(Hop::Network(h.clone())),
            HopEntry::Proxy {
                name,
                spec,
                location,
            } => {
                if let Some(h) = load_proxy(name.as_deref(), spec, *location, &mut loader) {
                    hops.push(Hop::Network(h));
                }
            }
            HopEntry::PresetFromFile { hop, preset, file } => {
                match crate::deploy::idle_hop(
                    hop.clone(),
                    preset,
                    file,
                    loader.sources,
                    loader.diags,
                ) {
                    Ok(h) => hops.push(Hop::Network(h)),
                    Err(e) => loader.load_errors.push(load_error(file, e, loader.sources)),
                }
            }
            HopEntry::PgBouncer { name, file } => {
                if let Some(Loaded::PgBouncer(settings)) = loader.load(file, LoadAs::PgBouncer) {
                    hops.push(Hop::PgBouncer(PgBouncerHop {
                        name: name.clone(),
                        location: file.location,
                        settings: *settings,
                    }));
                }
            }
        }
    }
    let from_file = match &spec.workers {
        Some(r) => match crate::deploy::workers(r, loader.sources, loader.diags) {
            Ok(w) => w,
            Err(e) => {
                loader.load_errors.push(load_error(r, e, loader.sources));
                crate::deploy::PathWorkers::default()
            }
        },
        None => crate::deploy::PathWorkers::default(),
    };
    let processes = spec.processes.clone().or(from_file.processes);
    let threads = spec.threads.clone().or(from_file.threads);
    let request_timeout = spec.request_timeout.clone().or(from_file.request_timeout);
    let many = pools.len() > 1;
    for pool in pools {
        let session_server =
            with_session_overrides(server.as_ref(), pool.as_ref(), loader.sources, loader.diags);
        let when = pool
            .as_ref()
            .and_then(|p| p.variant.as_ref())
            .map(|v| {
                let texts: Vec<&str> = v.conditions.iter().map(|c| c.text.as_str()).collect();
                format!(", {}", texts.join(", "))
            })
            .unwrap_or_default();
        let name = match (&pool, many) {
            (Some(p), true) => format!("{} [{}{when}]", spec.name, p.name),
            _ => spec.name.clone(),
        };
        out.push(ConnectionPath {
            name,
            location: spec.location,
            processes: processes.clone().unwrap_or_else(|| {
                Sourced::new(
                    1,
                    Origin::Default {
                        system: "timeoutlint manifest",
                        source: "docs/manifest.md (processes defaults to 1)",
                        anchor: spec.location,
                    },
                )
            }),
            threads: threads.clone().unwrap_or_else(|| {
                Sourced::new(
                    1,
                    Origin::Default {
                        system: "timeoutlint manifest",
                        source: "docs/manifest.md (threads defaults to 1)",
                        anchor: spec.location,
                    },
                )
            }),
            request_timeout: request_timeout.clone(),
            max_statement_time: spec.max_statement_time.clone(),
            app: pool,
            app_kernel: app_kernel.clone(),
            hops: hops.clone(),
            db_kernel: db_kernel.clone(),
            server: session_server,
        });
    }
}

/// The server as one pool's sessions see it: the pool's per-session
/// overrides (libpq `options='-c name=value'`, asyncpg `server_settings`,
/// MySQL `init_command` `SET SESSION ...`) replace the server's values
/// through the server's own door, so a session `wait_timeout` is that pool's
/// idle limit,
/// `tcp_keepalives_idle` in `server_settings` counts as keepalive and
/// `statement_timeout` there as that pool's statement limit. Other pools
/// keep the server's values.
fn with_session_overrides(
    server: Option<&DbServer>,
    pool: Option<&AppPool>,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Option<DbServer> {
    let params = pool
        .and_then(|p| p.pg.as_ref())
        .map(|pg| pg.startup_parameters.as_slice())
        .unwrap_or_default();
    let sets = pool
        .map(|p| p.session_settings.as_slice())
        .unwrap_or_default();
    match server {
        Some(DbServer::Postgres(pg)) if !params.is_empty() || !sets.is_empty() => {
            let session = |name: &str, value: &str, at: Location| crate::sources::Assignment {
                name: name.to_string(),
                name_at: at,
                value: crate::sources::Written::Text(value.to_string()),
                value_at: at,
                set_by: crate::sources::SetBy::Session,
            };
            let assignments: Vec<crate::sources::Assignment> = params
                .iter()
                .map(|p| session(&p.name, &p.value, p.location))
                .chain(sets.iter().map(|s| session(&s.name, &s.value, s.location)))
                .collect();
            let anchor = match &pg.max_connections.origin {
                Origin::Default { anchor, .. } => *anchor,
                _ => None,
            };
            Some(DbServer::Postgres(crate::systems::postgres::resolve(
                &assignments,
                Some(pg),
                anchor,
                sources,
                diags,
            )))
        }
        Some(DbServer::Mysql(my)) => {
            let settings = pool
                .map(|p| p.session_settings.as_slice())
                .unwrap_or_default();
            if settings.is_empty() {
                return Some(DbServer::Mysql(my.clone()));
            }
            let assignments: Vec<crate::sources::Assignment> = settings
                .iter()
                .map(|s| crate::sources::Assignment {
                    name: s.name.clone(),
                    name_at: s.location,
                    value: crate::sources::Written::Text(s.value.clone()),
                    value_at: s.location,
                    set_by: crate::sources::SetBy::Session,
                })
                .collect();
            let anchor = match &my.max_connections.origin {
                Origin::Default { anchor, .. } => *anchor,
                _ => None,
            };
            Some(DbServer::Mysql(crate::systems::mysql::resolve(
                &assignments,
                Some(my),
                anchor,
                sources,
                diags,
            )))
        }
        other => other.cloned(),
    }
}

/// Loads a proxy hop and reduces it to the idle limit that closes a proxied
/// session first. A terminating proxy closes both connections (so the client
/// sees the close: `reset`), and measures data, so TCP keepalive never keeps
/// it open (DOMAIN.md rule 9). A proxy without any idle limit is no hop (its
/// loader reports TL120).
fn load_proxy(
    name: Option<&str>,
    spec: &ProxySpec,
    location: Option<Location>,
    loader: &mut Loader<'_>,
) -> Option<HopSpec> {
    let (sources, diags) = (&mut *loader.sources, &mut *loader.diags);
    let (result, file, wanted) = match spec {
        ProxySpec::Haproxy { files, proxy } => {
            let paths: Vec<PathBuf> = files.iter().map(|f| f.path.clone()).collect();
            (
                haproxy::load_haproxy(&paths, &proxy.value, sources, diags),
                &files[0],
                Some(proxy),
            )
        }
        ProxySpec::Nginx { file, server } => (
            nginx::load_nginx_stream(&file.path, &server.value, sources, diags),
            file,
            Some(server),
        ),
        ProxySpec::Envoy { file, listener } => (
            mesh::load_envoy(&file.path, &listener.value, sources, diags),
            file,
            Some(listener),
        ),
        ProxySpec::Istio { file, rule } => (
            mesh::load_istio(
                &file.path,
                rule.as_ref().map(|r| r.value.as_str()),
                sources,
                diags,
            ),
            file,
            rule.as_ref(),
        ),
    };
    let timeouts = match result {
        Ok(ProxyLookup::Found(t)) => t,
        Ok(ProxyLookup::NotFound { available }) => {
            let shown = wanted.map(|w| w.value.clone()).unwrap_or_default();
            loader.diags.push(
                Diagnostic::new(
                    codes::MANIFEST_ERROR,
                    format!(
                        "no listener `{shown}` in {}",
                        loader.sources.display_name(&file.path)
                    ),
                    Label::maybe(
                        wanted.and_then(|w| w.origin.location()).or(location),
                        "not found in the proxy config",
                    ),
                )
                .with_help(if available.is_empty() {
                    "the config declares no listener".to_string()
                } else {
                    format!("it declares: {}", available.join(", "))
                }),
            );
            return None;
        }
        Err(e) => {
            loader.load_errors.push(load_error(file, e, loader.sources));
            return None;
        }
    };
    let idle = timeouts.idle_limit()?.clone();
    let kind = timeouts.kind.as_str();
    let origin = |why: &'static str| Origin::Default {
        system: "timeoutlint",
        source: why,
        anchor: Some(timeouts.location),
    };
    Some(HopSpec {
        name: name
            .map(str::to_string)
            .unwrap_or_else(|| format!("{kind} {}", timeouts.name)),
        idle_timeout: idle,
        on_idle: Sourced::new(
            OnIdle::Reset,
            origin("a terminating proxy closes both connections when a side idles out"),
        ),
        keepalive_resets: Sourced::new(
            false,
            origin("DOMAIN.md rule 9: proxies measure data; TCP keepalive probes carry none"),
        ),
        caveat: None,
        terminates: true,
        idle_between_requests: false,
    })
}

/// How an app file is read: `Some(PythonSettings)` for Python (`.py`),
/// `Some(AirflowCfg)` for an airflow.cfg (`.cfg`, or content that says so:
/// `airflow.cfg.j2`), `None` for exported YAML / TOML settings.
fn read_as_code_or_airflow(path: &Path, policy: &ReadPolicy) -> Option<crate::classify::Kind> {
    use crate::classify::Kind;
    match path.extension().and_then(|e| e.to_str()) {
        Some("py") => Some(Kind::PythonSettings),
        Some("cfg") => Some(Kind::AirflowCfg),
        Some("yaml" | "yml" | "toml" | "json") => None,
        _ => (crate::classify::classify(path, policy) == Ok(Kind::AirflowCfg))
            .then_some(Kind::AirflowCfg),
    }
}

/// What `db = "..."` names: a PostgreSQL config or dump, else a MySQL one.
///
/// A file whose content fits both (`max_connections = 100` alone) follows
/// the path's `backend` key when it has one.
fn db_kind(path: &Path, policy: &ReadPolicy, backend: Option<app::Backend>) -> LoadAs {
    let postgres = match crate::classify::classify(path, policy) {
        Ok(k) => k.is_postgres(),
        Err(_) => backend == Some(app::Backend::PostgreSql),
    };
    if postgres {
        LoadAs::Postgres
    } else {
        LoadAs::Mysql
    }
}

// Boxed so the variants are of similar size (clippy::large_enum_variant).
enum Loaded {
    App(app::AppSettings),
    Server(Box<DbServer>),
    PgBouncer(Box<PgBouncer>),
    Kernel(Box<KernelSettings>),
}

/// Labels the findings of a path whose pool exists only in some variants of
/// its Python settings file with the branches that lead to it: one related
/// label per condition, at the condition, and the conditions at the end of
/// the message (so one-line formats show them too), e.g.
/// `... (only when os.getenv("DB") == "mysql", settings.py:12)`.
/// The end of the run of paths starting at `start` that are variants of
/// one pool of one settings file (same manifest entry, pool name and file):
/// `build_paths` pushes them one after another.
fn variant_group_end(paths: &[ConnectionPath], start: usize) -> usize {
    let key = |p: &ConnectionPath| {
        let a = p.app.as_ref()?;
        let v = a.variant.as_ref()?;
        Some((p.location, a.name.clone(), v.file, v.of))
    };
    let Some(first) = key(&paths[start]) else {
        return start + 1;
    };
    let mut end = start + 1;
    while end < paths.len() && key(&paths[end]).as_ref() == Some(&first) {
        end += 1;
    }
    end
}

/// The findings of the variants of one pool, each said once: a finding
/// every variant of the file has (same rule, place and message) holds
/// whatever the branches decide, so it carries no condition; one that only
/// some have is labelled with the first such variant's conditions and says
/// how many others share it ([`label_variant`]).
fn merge_variant_findings(
    group: &[ConnectionPath],
    found: Vec<Vec<Diagnostic>>,
    sources: &SourceMap,
) -> Vec<Diagnostic> {
    if group.len() < 2 {
        let mut out = Vec::new();
        for (p, mut f) in group.iter().zip(found) {
            label_variant(p, sources, &mut f);
            out.extend(f);
        }
        return out;
    }
    let of = group[0]
        .app
        .as_ref()
        .and_then(|a| a.variant.as_ref())
        .map_or(0, |v| v.of);
    type Key = (&'static str, Option<Location>, String);
    let key = |d: &Diagnostic| -> Key { (d.code.id, d.primary.location, d.message.clone()) };
    // For each finding: the variant runs it appears in, and its first path.
    let mut seen: Vec<(Key, Vec<usize>, usize, Diagnostic)> = Vec::new();
    for (i, (p, f)) in group.iter().zip(&found).enumerate() {
        let runs = p
            .app
            .as_ref()
            .and_then(|a| a.variant.as_ref())
            .map(|v| v.runs.clone())
            .unwrap_or_default();
        for d in f {
            let k = key(d);
            match seen.iter_mut().find(|(sk, ..)| *sk == k) {
                Some((_, r, ..)) => r.extend(runs.iter().copied()),
                None => seen.push((k, runs.clone(), i, d.clone())),
            }
        }
    }
    let mut out = Vec::new();
    for (_, mut runs, first, d) in seen {
        runs.sort_unstable();
        runs.dedup();
        if of > 0 && runs.len() == of {
            out.push(d);
            continue;
        }
        let mut one = vec![d];
        label_variant(&group[first], sources, &mut one);
        let sharing = group
            .iter()
            .zip(&found)
            .filter(|(_, f)| {
                f.iter()
                    .any(|x| key(x) == key(&one[0]) || same_base(x, &one[0]))
            })
            .count();
        if sharing > 1 && one[0].message.ends_with(')') {
            one[0].message.pop();
            let others = sharing - 1;
            one[0].message = format!(
                "{}; and in {others} other variant{})",
                one[0].message,
                if others == 1 { "" } else { "s" }
            );
        }
        out.extend(one);
    }
    out
}

/// True when `a` is `b` before [`label_variant`] added its conditions.
fn same_base(a: &Diagnostic, b: &Diagnostic) -> bool {
    a.code == b.code
        && a.primary.location == b.primary.location
        && b.message.starts_with(&a.message)
}

fn label_variant(p: &ConnectionPath, sources: &SourceMap, found: &mut [Diagnostic]) {
    let Some(v) = p.app.as_ref().and_then(|a| a.variant.as_ref()) else {
        return;
    };
    let when: Vec<String> = v
        .conditions
        .iter()
        .map(|c| format!("{}, {}", c.text, sources.short(c.location)))
        .collect();
    for d in found.iter_mut() {
        d.message = format!("{} (only {})", d.message, when.join("; "));
        for c in &v.conditions {
            d.related
                .push(Label::at(c.location, format!("only {}", c.text)));
        }
    }
}

/// The sets of paths that exist together. Pools from different variants of
/// one settings file never run at the same time, so the fleet rules
/// (connection budgets) see one variant of each file at a time: every
/// combination, at most [`MAX_WORLDS`]. Without variants, all paths at once.
fn variant_worlds(paths: &[ConnectionPath]) -> Vec<Vec<ConnectionPath>> {
    /// How many combinations of variants the fleet rules check.
    const MAX_WORLDS: usize = 64;
    let mut files: Vec<(crate::source::FileId, usize)> = Vec::new();
    for p in paths {
        if let Some(v) = p.app.as_ref().and_then(|a| a.variant.as_ref())
            && !files.iter().any(|(f, _)| *f == v.file)
        {
            files.push((v.file, v.of));
        }
    }
    if files.is_empty() {
        return vec![paths.to_vec()];
    }
    let mut worlds = Vec::new();
    let mut pick = vec![0usize; files.len()];
    loop {
        let world: Vec<ConnectionPath> = paths
            .iter()
            .filter(|p| match p.app.as_ref().and_then(|a| a.variant.as_ref()) {
                None => true,
                Some(v) => files
                    .iter()
                    .position(|(f, _)| *f == v.file)
                    .is_some_and(|i| v.runs.contains(&pick[i])),
            })
            .cloned()
            .collect();
        worlds.push(world);
        if worlds.len() >= MAX_WORLDS {
            break;
        }
        // The next combination, the last file counting fastest.
        let mut i = files.len();
        loop {
            if i == 0 {
                return worlds;
            }
            i -= 1;
            pick[i] += 1;
            if pick[i] < files[i].1 {
                break;
            }
            pick[i] = 0;
        }
    }
    worlds
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
    // Every variant of the pool: the same name may exist in several.
    let picked: Vec<Option<AppPool>> = pools
        .into_iter()
        .filter(|p| p.name == wanted.value)
        .map(Some)
        .collect();
    match picked.is_empty() {
        false => picked,
        true => {
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

/// A safety net under the readers' own secret marking: the lines a finding
/// points at, and the line on each side (the human snippet's context), may
/// hold a password no reader recognised, typically on a line that does not
/// parse (a `password = …` line breaking a `SHOW VARIABLES` dump). Every
/// secret-looking value on them ([`crate::secrets::secret_spans_in_text`])
/// is marked, so it is masked in every output.
fn mark_secrets_near_findings(diags: &[Diagnostic], sources: &mut SourceMap) {
    let mut seen = std::collections::BTreeSet::new();
    for d in diags {
        for label in std::iter::once(&d.primary).chain(&d.related) {
            let Some(loc) = label.location else { continue };
            let text = sources.get(loc.file).text();
            let at = loc.span.start.min(text.len());
            // Back to the start of the line before, forward past the line after.
            let mut start = text[..at].rfind('\n').map_or(0, |i| i);
            start = text[..start].rfind('\n').map_or(0, |i| i + 1);
            let mut end = text[at..].find('\n').map_or(text.len(), |i| at + i + 1);
            end = text[end..].find('\n').map_or(text.len(), |i| end + i + 1);
            if !seen.insert((loc.file, start, end)) {
                continue;
            }
            let spans = crate::secrets::secret_spans_in_text(&text[start..end]);
            let file = sources.get_mut(loc.file);
            for s in spans {
                file.mark_secret(crate::source::Span::new(start + s.start, start + s.end));
            }
        }
    }
}
