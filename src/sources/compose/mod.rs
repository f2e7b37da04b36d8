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
//! comes wholly and exactly from `.env`, the span is the value in `.env`,
//! where the user changes it; from a default (`${X:-600}`), the default's
//! text; from the caller's map or mixing text and variables, the text as
//! written in the compose file (`${X}` expressions included). A value depending on an unset
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

mod environment;
pub(crate) mod images;
mod interp;
mod merge;
mod service;
#[cfg(test)]
mod tests;

use crate::sources::argv::traced::{self, Traced, Word, split_words};
use crate::sources::argv::{self, AppServer, FlagSetting, find_app_server, worker_flags};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, Label};
use crate::parse::tree::{Key, Node, NodeKind, parse_yaml};
use crate::rules::codes;
use crate::source::{FileId, LoadError, Location, SourceMap, Span};
use crate::sources::{Candidate, Written};
use environment::environment;
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
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let mut override_file = None;
    if let Some((_, overrides)) = OVERRIDES.iter().find(|(n, _)| *n == name) {
        let dir = path.parent().unwrap_or(Path::new(""));
        override_file = overrides.iter().map(|o| dir.join(o)).find(|o| o.is_file());
    }
    read_files(&[path.to_path_buf()], override_file, env, sources, diags)
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
    read_files(paths, None, env, sources, diags)
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

/// Reads `paths` (each must be readable) and then `extra` (an override
/// file found beside the first: when it cannot be read, TL003), merged.
fn read_files(
    paths: &[PathBuf],
    extra: Option<PathBuf>,
    env: &BTreeMap<String, String>,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Result<Vec<Candidate>, LoadError> {
    if paths.is_empty() {
        return Ok(Vec::new());
    }
    let mut files = Vec::new();
    for p in paths {
        files.push((sources.load(p)?, p.clone()));
    }
    if let Some(p) = extra {
        match sources.load(&p) {
            Ok(id) => files.push((id, p)),
            Err(e) => diags.push(Diagnostic::new(
                codes::INCLUDE_UNREADABLE,
                format!(
                    "the override file beside this compose file cannot be read: {}",
                    e.reason()
                ),
                Label::at(
                    Location::new(files[0].0, Span::new(0, 0)),
                    "this compose file",
                ),
            )),
        }
    }
    let dir = paths
        .first()
        .and_then(|p| p.parent())
        .map(Path::to_path_buf)
        .unwrap_or_default();
    for (k, v) in env {
        if crate::sources::embedded::is_secret_name(k) {
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
            service::service(name, ls, &mut ctx, &mut out);
        }
    }
    Ok(out)
}

/// The file's YAML with merge keys applied; `None` (reported) when it does
/// not parse, its secret-looking lines then being masked.
fn parse(id: FileId, ctx: &mut Ctx<'_>) -> Option<Node> {
    let text = ctx.sources.get(id).text();
    match parse_yaml(text) {
        Ok(root) => {
            mark_tree_secrets(id, &root, ctx.sources);
            Some(merge::apply_merge_keys(&root))
        }
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

/// Marks secrets anywhere in the file, used or not (an anchor no service
/// merges, a healthcheck): the values of secret-looking keys and of
/// secret-looking `KEY=VALUE` list items, and URL or conninfo passwords in
/// any string.
fn mark_tree_secrets(id: FileId, root: &Node, sources: &mut SourceMap) {
    let mut found: Vec<(String, Span, String)> = Vec::new();
    root.walk(&mut |key, node| {
        let name = key.map_or("", |k| k.text.as_str());
        match &node.kind {
            NodeKind::Str(s) => found.push((name.to_string(), node.span, s.clone())),
            NodeKind::Int(_) | NodeKind::Float(_) | NodeKind::Bool(_)
                if crate::sources::embedded::is_secret_name(name) =>
            {
                found.push((name.to_string(), node.span, String::new()));
            }
            _ => {}
        }
    });
    let text = sources.get(id).text().to_string();
    for (name, span, value) in found {
        if value.is_empty() {
            sources.get_mut(id).mark_secret(span);
            continue;
        }
        let t = Traced::aligned(id, &text, span, &value);
        match value.split_once('=') {
            Some((k, _)) if name.is_empty() && crate::sources::embedded::is_secret_name(k) => {
                crate::sources::embedded::mark_secret_value(
                    sources,
                    k,
                    &t.slice(k.len() + 1..t.text.len()),
                );
            }
            _ => crate::sources::embedded::mark_secret_value(sources, &name, &t),
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
