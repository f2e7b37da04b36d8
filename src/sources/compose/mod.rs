//! docker compose files: the servers, app environments and worker counts a
//! compose project runs.
//!
//! Files: `compose.yaml`, `compose.yml`, `docker-compose.yml`,
//! `docker-compose.yaml`, `docker-compose.*.yml` and any file given by name.
//! [`read`] reads one file plus, when it has a default name, the override
//! file compose adds beside it (`compose.override.yaml`,
//! `docker-compose.override.yml`, ...); [`read_merged`] reads several files
//! merged as `docker compose -f a -f b` does (no override file then).
//!
//! # Addresses
//!
//! One address form: the service name (`db`, `pgbouncer`, `web`), for each
//! kind of candidate a service yields, in service order:
//!
//! - `server`: a service whose `image:` is a recognised MySQL, MariaDB,
//!   Percona, PostgreSQL (postgres, bitnami, postgis, timescale) or
//!   PgBouncer (edoburu, bitnami, pgbouncer) image ([`images`]). Its
//!   settings: the server flags of `entrypoint:` + `command:`
//!   ([`SetBy::CommandLine`]) and the image's documented environment
//!   variables ([`SetBy::ImageEnvironment`]; bitnami `*_EXTRA_FLAGS` are
//!   command-line flags). Flavor: the repository and the tag's version.
//!   Unknown images yield no server.
//! - `environment`: every service with `environment:` or `env_file:`
//!   entries: the variables after interpolation, `environment:` over
//!   `env_file:`, later files over earlier.
//! - `workers`: gunicorn/uWSGI flags in the command (also `sh -c` scripts
//!   and `GUNICORN_CMD_ARGS` in the environment, which gunicorn reads before
//!   its command line), times `deploy.replicas` (or `scale`).
//!
//! # Values and spans
//!
//! Every string value is interpolated ([`interp`]) with the caller's map
//! over the `.env` file of the project folder (the first file's folder).
//! A value's span is its text in the compose file, exact inside plain,
//! quoted, block and list scalars alike (see [`traced`]); when the value
//! comes wholly from `.env`, the span is the value in `.env`, where the user
//! changes it; from a default (`${X:-600}`), the default's text; from the
//! caller's map, the `${X}` expression. A value depending on an unset
//! variable is [`Written::Unresolved`] (`${X} is not set in .env`).
//!
//! YAML: aliases are resolved by the parser; `<<` merge keys (a mapping or
//! a list of mappings, the mapping's own keys first, then earlier merged
//! mappings over later: https://yaml.org/type/merge.html) are applied here.
//! `x-` extension keys are only reachable through anchors. Compose's
//! `!reset`/`!override` tags are not applied (the tag is dropped).
//!
//! Secrets: values of secret-looking variables, URL and conninfo passwords,
//! in the compose file and in `.env`/`env_file` files, are marked secret.
//!
//! Diagnostics: YAML that does not parse and dotenv lines that do not parse
//! are [`codes::SYNTAX_ERROR`]; an `env_file` that cannot be read (missing
//! and not `required: false`, outside the project root) is
//! [`codes::INCLUDE_UNREADABLE`].

mod argv;
mod images;
mod interp;
mod merge;
#[cfg(test)]
mod tests;
mod traced;

pub(crate) use argv::{AppServer, FlagSetting, find_app_server, worker_flags, worker_option};
pub(crate) use traced::{Traced, Word, split_words};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, Label};
use crate::parse::tree::{Key, Node, NodeKind, parse_yaml};
use crate::rules::codes;
use crate::source::{FileId, LoadError, Location, SourceMap, Span};
use crate::sources::{
    Assignment, Candidate, EnvVar, Flavor, Found, ServerSettings, SetBy, System, Workers, Written,
};
use interp::Vars;

/// Default compose file names and their override files, as compose looks
/// for them (https://docs.docker.com/compose/intro/compose-application-model/#the-compose-file,
/// https://docs.docker.com/compose/how-tos/multiple-compose-files/merge/).
const OVERRIDES: &[(&str, &[&str])] = &[
    (
        "compose.yaml",
        &["compose.override.yaml", "compose.override.yml"],
    ),
    (
        "compose.yml",
        &["compose.override.yml", "compose.override.yaml"],
    ),
    (
        "docker-compose.yml",
        &[
            "docker-compose.override.yml",
            "docker-compose.override.yaml",
        ],
    ),
    (
        "docker-compose.yaml",
        &[
            "docker-compose.override.yaml",
            "docker-compose.override.yml",
        ],
    ),
];

/// True for file names compose reads: `compose.yaml`, `compose.yml`,
/// `docker-compose.yml`, `docker-compose.yaml` and `docker-compose.*.yml`
/// / `compose.*.yaml` variants (overrides, per-environment files).
pub fn is_compose_file(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let yaml = name.ends_with(".yml") || name.ends_with(".yaml");
    yaml && (name.starts_with("compose.") || name.starts_with("docker-compose."))
}

/// Reads the compose file `path` (plus its override file beside it when
/// `path` has a default name and the override exists), interpolating from
/// the `.env` file beside it. See the module doc for what is yielded.
///
/// Errors: [`LoadError`] only when `path` itself cannot be read; everything
/// else is a diagnostic.
pub fn read(
    path: &Path,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Result<Vec<Candidate>, LoadError> {
    read_with_env(path, &BTreeMap::new(), sources, diags)
}

/// [`read`] with `env`, the environment compose would run in: its values win
/// over `.env`'s (values without a file position; secret-looking ones are
/// registered as secret values).
///
/// Errors: as [`read`].
pub fn read_with_env(
    path: &Path,
    env: &BTreeMap<String, String>,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Result<Vec<Candidate>, LoadError> {
    let mut paths = vec![path.to_path_buf()];
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if let Some((_, overrides)) = OVERRIDES.iter().find(|(n, _)| *n == name) {
        let dir = path.parent().unwrap_or(Path::new(""));
        if let Some(o) = overrides.iter().map(|o| dir.join(o)).find(|o| o.is_file()) {
            paths.push(o);
        }
    }
    read_files(&paths, env, sources, diags)
}

/// Reads `paths` merged in order as `docker compose -f a -f b` does
/// (https://docs.docker.com/reference/compose-file/merge/): services merge
/// key by key, a later file's `image`, `command`, `entrypoint`,
/// `deploy.replicas` and `scale` replace earlier ones, `environment`
/// merges by variable name, `env_file` lists append. Paths (`env_file`,
/// `.env`) are relative to the first file's folder. No override file is
/// added. `env` as in [`read_with_env`].
///
/// Errors: [`LoadError`] when one of `paths` cannot be read.
pub fn read_merged(
    paths: &[PathBuf],
    env: &BTreeMap<String, String>,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Result<Vec<Candidate>, LoadError> {
    read_files(paths, env, sources, diags)
}

/// One file's definition of a service.
struct Layer {
    file: FileId,
    key: Key,
    node: Node,
}

impl Layer {
    fn at(&self, span: Span) -> Location {
        Location::new(self.file, span)
    }
}

/// The shared state of one read.
struct Ctx<'a> {
    sources: &'a mut SourceMap,
    diags: &'a mut Vec<Diagnostic>,
    vars: Vars,
    /// The first file's folder: `env_file` paths are relative to it.
    dir: PathBuf,
    /// `env_file` values already reported unreadable (an anchor shared by
    /// several services is reported once).
    reported: std::collections::BTreeSet<(usize, usize, usize)>,
}

fn read_files(
    paths: &[PathBuf],
    env: &BTreeMap<String, String>,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Result<Vec<Candidate>, LoadError> {
    if paths.is_empty() {
        return Ok(Vec::new());
    }
    let mut files = Vec::new();
    for p in paths {
        files.push((sources.load(p)?, p));
    }
    let dir = paths
        .first()
        .and_then(|p| p.parent())
        .map(Path::to_path_buf)
        .unwrap_or_default();
    for (k, v) in env {
        if crate::secrets::is_secret_var_name(k) {
            sources.add_secret_value(v);
        }
    }
    let mut ctx = Ctx {
        sources,
        diags,
        vars: Vars {
            given: env.clone(),
            file: BTreeMap::new(),
        },
        dir,
        reported: Default::default(),
    };
    let dotenv = ctx.dir.join(".env");
    if dotenv.is_file() {
        match ctx.sources.load(&dotenv) {
            Ok(id) => {
                for e in interp::read_dotenv(id, ctx.sources, &ctx.vars, ctx.diags) {
                    ctx.vars.file.insert(e.name, e.value);
                }
            }
            Err(e) => ctx.diags.push(Diagnostic::new(
                codes::INCLUDE_UNREADABLE,
                format!(
                    "the .env file of the compose project cannot be read: {}",
                    e.reason()
                ),
                Label::at(Location::new(files[0].0, Span::new(0, 0)), "this project"),
            )),
        }
    }
    // Services in order of first appearance, each with its layers.
    let mut order: Vec<String> = Vec::new();
    let mut layers: BTreeMap<String, Vec<Layer>> = BTreeMap::new();
    for (id, _) in &files {
        let Some(root) = parse(*id, &mut ctx) else {
            continue;
        };
        let Some(services) = root.get("services").and_then(Node::as_map) else {
            continue;
        };
        for (key, node) in services {
            if !layers.contains_key(&key.text) {
                order.push(key.text.clone());
            }
            layers.entry(key.text.clone()).or_default().push(Layer {
                file: *id,
                key: key.clone(),
                node: node.clone(),
            });
        }
    }
    let mut out = Vec::new();
    for name in &order {
        if let Some(ls) = layers.get(name) {
            service(name, ls, &mut ctx, &mut out);
        }
    }
    Ok(out)
}

/// The file's YAML with merge keys applied; `None` (reported) when it does
/// not parse, its secret-looking lines then being masked.
fn parse(id: FileId, ctx: &mut Ctx<'_>) -> Option<Node> {
    let text = ctx.sources.get(id).text();
    match parse_yaml(text) {
        Ok(root) => Some(merge::apply_merge_keys(&root)),
        Err(e) => {
            for s in crate::secrets::secret_spans_in_text(text) {
                ctx.sources.get_mut(id).mark_secret(s);
            }
            ctx.diags.push(Diagnostic::new(
                codes::SYNTAX_ERROR,
                format!("invalid YAML: {}", e.message.trim_end_matches('.')),
                Label::at(Location::new(id, e.span), "here"),
            ));
            None
        }
    }
}

/// The last layer's value of `key` (a later file replaces an earlier one).
fn last<'l>(layers: &'l [Layer], key: &str) -> Option<(&'l Layer, &'l Node)> {
    layers
        .iter()
        .rev()
        .find_map(|l| l.node.get(key).map(|n| (l, n)))
}

/// A scalar node as traced, interpolated text: strings aligned with their
/// written form, other scalars (`60`, `true`) as written. `None` for
/// collections and null.
fn scalar(layer: &Layer, node: &Node, ctx: &Ctx<'_>) -> Option<Traced> {
    let text = ctx.sources.get(layer.file).text();
    let t = match &node.kind {
        NodeKind::Str(s) => Traced::aligned(layer.file, text, node.span, s),
        NodeKind::Int(_) | NodeKind::Float(_) | NodeKind::Bool(_) => {
            Traced::raw(layer.file, text, node.span)
        }
        _ => return None,
    };
    Some(interp::interpolate(&t, &ctx.vars))
}

/// The words of a `command:`/`entrypoint:` value: a string split as a
/// shell does, a list taken item by item.
fn words(layer: &Layer, node: &Node, ctx: &Ctx<'_>) -> Vec<Word> {
    match &node.kind {
        NodeKind::Seq(items) => items
            .iter()
            .take(traced::MAX_WORDS)
            .filter_map(|i| scalar(layer, i, ctx))
            .map(|text| Word {
                text,
                operator: false,
            })
            .collect(),
        _ => scalar(layer, node, ctx)
            .map(|t| split_words(&t))
            .unwrap_or_default(),
    }
}

fn written(t: &Traced) -> Written {
    match t.unknown_in(&(0..t.text.len())) {
        Some(why) => Written::Unresolved(why.to_string()),
        None => Written::Text(t.text.clone()),
    }
}

/// One variable of a service's environment.
struct EnvEntry {
    name: String,
    name_at: Location,
    value: Traced,
}

fn service(name: &str, layers: &[Layer], ctx: &mut Ctx<'_>, out: &mut Vec<Candidate>) {
    let Some(base) = layers.first() else {
        return;
    };
    let at = base.at(base.key.span);
    let env = environment(layers, ctx);
    let image = last(layers, "image").and_then(|(l, n)| {
        let t = scalar(l, n, ctx)?;
        if t.unknown_in(&(0..t.text.len())).is_some() {
            // The repository itself may be unknown; the tag's version then is.
            let (repo, _) = t.text.split_once(':').unwrap_or((&t.text, ""));
            if t.unknown_in(&(0..repo.len())).is_some() {
                return None;
            }
        }
        let img = images::recognise(&t.text)?;
        let version_known = t
            .text
            .find(':')
            .is_none_or(|c| t.unknown_in(&(c..t.text.len())).is_none());
        Some((img, version_known, t.location(0..t.text.len())))
    });
    let entrypoint = last(layers, "entrypoint").map(|(l, n)| words(l, n, ctx));
    let command = last(layers, "command").map(|(l, n)| words(l, n, ctx));
    let is_server = image.is_some();
    if let Some((img, version_known, image_at)) = image {
        let mut assignments = Vec::new();
        for e in &env {
            let Some(role) = images::env_role(img.product, &e.name) else {
                continue;
            };
            if e.value.text.is_empty() && e.value.unknown.is_empty() {
                continue; // The entrypoint skips empty variables.
            }
            match role {
                images::EnvRole::Setting(key) => assignments.push(Assignment {
                    name: key.to_string(),
                    name_at: e.name_at,
                    value: written(&e.value),
                    value_at: e.value.location(0..e.value.text.len()),
                    set_by: SetBy::ImageEnvironment,
                }),
                images::EnvRole::ExtraFlags => {
                    let ws = traced::split_blanks(&e.value);
                    assignments.extend(argv::mysqld_flags(&ws).into_iter().map(command_line));
                }
            }
        }
        let args = server_args(img.system, entrypoint.as_deref(), command.as_deref());
        let flags = match img.system {
            System::Mysql => argv::mysqld_flags(&args),
            System::Postgres => argv::postgres_flags(&args),
            System::PgBouncer => Vec::new(),
        };
        assignments.extend(flags.into_iter().map(command_line));
        out.push(Candidate {
            address: name.to_string(),
            at,
            found: Found::Server(ServerSettings {
                system: img.system,
                flavor: Some(Flavor {
                    product: img.product.to_string(),
                    version: if version_known { img.version } else { None },
                    at: image_at,
                }),
                assignments,
            }),
        });
    }
    if !env.is_empty() {
        let vars = env
            .iter()
            .map(|e| EnvVar {
                name: e.name.clone(),
                value: written(&e.value),
                at: e.value.location(0..e.value.text.len()),
            })
            .collect();
        out.push(Candidate {
            address: name.to_string(),
            at,
            found: Found::AppEnv(vars),
        });
    }
    let workers = workers(layers, &env, entrypoint, command, !is_server, ctx);
    if workers != Workers::default() {
        out.push(Candidate {
            address: name.to_string(),
            at,
            found: Found::Workers(workers),
        });
    }
}

fn command_line(f: FlagSetting) -> Assignment {
    Assignment {
        name: f.name,
        name_at: f.name_at,
        value: f.value,
        value_at: f.value_at,
        set_by: SetBy::CommandLine,
    }
}

/// The server's arguments: `entrypoint` + `command`, without a leading
/// `docker-entrypoint.sh`. With the image's own entrypoint (no
/// `entrypoint:`), a first word starting with `-` means the server with
/// these flags: the official images' `docker-entrypoint.sh` prepend
/// `mysqld`/`mariadbd`/`postgres` then
/// (https://github.com/docker-library/mysql/blob/master/docker-entrypoint.sh,
/// https://github.com/docker-library/postgres/blob/master/docker-entrypoint.sh);
/// otherwise the first word must name the server (`mysqld`, `mariadbd`,
/// `postgres`, as a path too). Anything else runs no server flags.
fn server_args(system: System, entrypoint: Option<&[Word]>, command: Option<&[Word]>) -> Vec<Word> {
    let mut argv: Vec<Word> = Vec::new();
    argv.extend(entrypoint.unwrap_or(&[]).iter().cloned());
    argv.extend(command.unwrap_or(&[]).iter().cloned());
    if argv
        .first()
        .is_some_and(|w| argv::basename(&w.text.text).starts_with("docker-entrypoint"))
    {
        argv.remove(0);
    }
    let Some(first) = argv.first() else {
        return argv;
    };
    if first.text.text.starts_with('-') {
        return if entrypoint.is_none() {
            argv
        } else {
            Vec::new()
        };
    }
    let program = argv::basename(&first.text.text);
    let runs = match system {
        System::Mysql => matches!(program, "mysqld" | "mariadbd"),
        System::Postgres => program == "postgres",
        System::PgBouncer => false,
    };
    if runs { argv.split_off(1) } else { Vec::new() }
}

/// Worker counts: `GUNICORN_CMD_ARGS`, then the command's app-server flags
/// (gunicorn's command line wins over the variable:
/// https://docs.gunicorn.org/en/stable/settings.html), then replicas
/// (`with_replicas`: not for a database server's service, whose replicas
/// are not app processes).
fn workers(
    layers: &[Layer],
    env: &[EnvEntry],
    entrypoint: Option<Vec<Word>>,
    command: Option<Vec<Word>>,
    with_replicas: bool,
    ctx: &Ctx<'_>,
) -> Workers {
    let mut w = Workers::default();
    if let Some(e) = env.iter().rev().find(|e| e.name == "GUNICORN_CMD_ARGS") {
        worker_flags(AppServer::Gunicorn, &split_words(&e.value), &mut w);
    }
    let mut argv = entrypoint.unwrap_or_default();
    argv.extend(command.unwrap_or_default());
    if let Some((kind, rest)) = find_app_server(&argv) {
        worker_flags(kind, &rest, &mut w);
    }
    let replicas = last(layers, "deploy")
        .and_then(|(l, d)| d.get("replicas").map(|n| (l, n)))
        .or_else(|| last(layers, "scale"))
        .filter(|_| with_replicas);
    if let Some((l, n)) = replicas
        && let Some(t) = scalar(l, n, ctx)
    {
        let all = 0..t.text.len();
        if t.unknown_in(&all).is_none()
            && !t.text.is_empty()
            && t.text.bytes().all(|b| b.is_ascii_digit())
            && let Ok(count) = t.text.parse::<u64>()
        {
            w.processes.push((count, t.location(all)));
        }
    }
    w
}

/// The service's environment: `env_file:` entries (files in order, later
/// over earlier), then `environment:` entries over them; layers in order.
/// Compose: https://docs.docker.com/reference/compose-file/services/#environment
/// and #env_file (`environment` has precedence over `env_file`).
fn environment(layers: &[Layer], ctx: &mut Ctx<'_>) -> Vec<EnvEntry> {
    let mut all = EnvList::default();
    let mut declared = EnvList::default();
    for l in layers {
        if let Some(f) = l.node.get("env_file") {
            for e in env_files(l, f, ctx) {
                all.upsert(e);
            }
        }
        if let Some(env) = l.node.get("environment") {
            for e in env_entries(l, env, ctx) {
                declared.upsert(e);
            }
        }
    }
    for e in declared.entries {
        all.upsert(e);
    }
    for e in &all.entries {
        interp::mark_secret_value(ctx.sources, &e.name, &e.value);
    }
    all.entries
}

/// Entries in first-appearance order, a later entry of a name replacing
/// the earlier one in place.
#[derive(Default)]
struct EnvList {
    entries: Vec<EnvEntry>,
    index: BTreeMap<String, usize>,
}

impl EnvList {
    fn upsert(&mut self, e: EnvEntry) {
        match self.index.get(&e.name) {
            Some(&i) => self.entries[i] = e,
            None => {
                self.index.insert(e.name.clone(), self.entries.len());
                self.entries.push(e);
            }
        }
    }
}

/// A variable without a value (`- KEY`, `KEY:`): compose takes it from the
/// environment it runs in, which includes `.env`.
fn pass_through(name: &str, at: Location, ctx: &Ctx<'_>) -> Traced {
    match ctx.vars.lookup(name, at) {
        Some(v) => v,
        None => {
            let mut t = Traced::empty(at);
            t.unknown.push((
                0..0,
                format!("{name} comes from the environment running compose and is not set in .env"),
            ));
            t
        }
    }
}

fn env_entries(l: &Layer, env: &Node, ctx: &Ctx<'_>) -> Vec<EnvEntry> {
    let mut out = Vec::new();
    match &env.kind {
        NodeKind::Map(entries) => {
            for (k, v) in entries {
                let name_at = l.at(k.span);
                let value = match &v.kind {
                    NodeKind::Null => pass_through(&k.text, name_at, ctx),
                    _ => match scalar(l, v, ctx) {
                        Some(t) => t,
                        None => continue,
                    },
                };
                out.push(EnvEntry {
                    name: k.text.clone(),
                    name_at,
                    value,
                });
            }
        }
        NodeKind::Seq(items) => {
            for item in items {
                let Some(t) = scalar(l, item, ctx) else {
                    continue;
                };
                match t.text.find('=') {
                    Some(eq) => out.push(EnvEntry {
                        name: t.text[..eq].to_string(),
                        name_at: t.location(0..eq),
                        value: t.slice(eq + 1..t.text.len()),
                    }),
                    None if !t.text.is_empty() => {
                        let name_at = t.location(0..t.text.len());
                        out.push(EnvEntry {
                            value: pass_through(&t.text, name_at, ctx),
                            name: t.text.clone(),
                            name_at,
                        });
                    }
                    None => {}
                }
            }
        }
        _ => {}
    }
    out
}

/// The entries of the `env_file:` value (a path, a list of paths, or
/// `{path, required}` items: https://docs.docker.com/reference/compose-file/services/#env_file),
/// each path relative to the first compose file's folder.
fn env_files(l: &Layer, f: &Node, ctx: &mut Ctx<'_>) -> Vec<EnvEntry> {
    let items: Vec<&Node> = match &f.kind {
        NodeKind::Seq(items) => items.iter().collect(),
        _ => vec![f],
    };
    let mut out = Vec::new();
    for item in items {
        let (path_node, required) = match &item.kind {
            NodeKind::Map(_) => {
                let required = !matches!(
                    item.get("required").map(|n| &n.kind),
                    Some(NodeKind::Bool(false))
                );
                match item.get("path") {
                    Some(p) => (p, required),
                    None => continue,
                }
            }
            _ => (item, true),
        };
        let Some(p) = scalar(l, path_node, ctx) else {
            continue;
        };
        let at = p.location(0..p.text.len());
        if p.unknown_in(&(0..p.text.len())).is_some() {
            continue;
        }
        let path = ctx.dir.join(&p.text);
        if !path.is_file() && !required {
            continue;
        }
        match ctx.sources.load(&path) {
            Ok(id) => {
                for e in interp::read_dotenv(id, ctx.sources, &ctx.vars, ctx.diags) {
                    out.push(EnvEntry {
                        name: e.name,
                        name_at: e.name_at,
                        value: e.value,
                    });
                }
            }
            Err(e) => {
                if ctx.reported.insert((at.file.0, at.span.start, at.span.end)) {
                    ctx.diags.push(Diagnostic::new(
                        codes::INCLUDE_UNREADABLE,
                        format!("env_file cannot be read: {}", e.reason()),
                        Label::at(at, "this file"),
                    ));
                }
            }
        }
    }
    out
}
