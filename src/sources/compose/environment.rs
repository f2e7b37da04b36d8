//! A service's environment: `environment:` (a mapping or `KEY=VALUE`
//! list) and `env_file:` files, merged as compose merges them.

use std::collections::BTreeMap;

use super::{Ctx, Layer, interp, scalar};
use crate::diagnostic::{Diagnostic, Label};
use crate::parse::tree::{Node, NodeKind};
use crate::rules::codes;
use crate::source::Location;
use crate::sources::argv::traced::Traced;

/// One variable of a service's environment.
pub(super) struct EnvEntry {
    pub name: String,
    pub name_at: Location,
    pub value: Traced,
}

/// The service's environment: `env_file:` entries (files in order, later
/// over earlier), then `environment:` entries over them; layers in order.
/// Compose: https://docs.docker.com/reference/compose-file/services/#environment
/// and #env_file (`environment` has precedence over `env_file`).
pub(super) fn environment(layers: &[Layer], ctx: &mut Ctx<'_>) -> Vec<EnvEntry> {
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
        crate::sources::embedded::mark_secret_value(ctx.sources, &e.name, &e.value);
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
                format!(
                    "{name} takes its value from the environment running compose and is not set in .env (else it is unset)"
                ),
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
