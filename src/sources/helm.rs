//! Helm chart values (`values.yaml`, `values-prod.yaml`, an override file
//! passed with `-f`): the server configs the common database charts take
//! as values.
//!
//! A values file names no chart, so the same paths are tried at the
//! document root (the chart's own values, or an override file for a chart
//! installed directly) and under every top-level key (an umbrella chart's
//! values for a subchart, `mysql:` / `postgresql:`). Each path found is a
//! server candidate whose address is the dotted path as written
//! (`primary.configuration`, `postgresql.primary.extendedConfiguration`):
//!
//! | path (below the root) | holds | read as |
//! |---|---|---|
//! | `primary.configuration`, `secondary.configuration` | bitnami mysql / mariadb: a whole my.cnf; bitnami postgresql: a whole postgresql.conf | my.cnf when the text has a `[group]` header, else postgresql.conf |
//! | `primary.extendedConfiguration`, `readReplicas.extendedConfiguration` | bitnami postgresql: postgresql.conf lines appended to the main file | postgresql.conf |
//! | `postgresql.configuration`, `postgresql.extendedConf` | bitnami postgresql-ha (postgresql-repmgr image): postgresql.conf / appended lines | postgresql.conf |
//! | `primary.extraFlags`, `secondary.extraFlags` | bitnami mysql / mariadb: extra `mysqld` flags (`--max_connections=155`) | [`crate::sources::SetBy::CommandLine`] mysqld flags ([`argv::mysqld_flags`]) |
//! | `primary`, `secondary` (when both keys above are set) | the server that role runs: its configuration and its flags together | both, the flags winning |
//!
//! The key names and what each holds are those of the charts' own
//! `values.yaml` (bitnami/charts `bitnami/{mysql,mariadb,postgresql,postgresql-ha}/values.yaml`,
//! `@param` comments: "primary.configuration … MySQL Primary configuration
//! to be injected as ConfigMap", "primary.extendedConfiguration … appended
//! to main or default configuration", "primary.extraFlags … additional
//! command line flags"). The image flavor is the root's `image.repository`
//! and `image.tag` (bitnami's `image:` block) when given.
//!
//! An empty string (the charts' default `""`) is nothing written and yields
//! no candidate. The charts render these values through `tpl`, so
//! `{{ … }}` expressions in them are resolved only at deploy time: such
//! values and the lines inside `{{ if }}` … `{{ end }}` are
//! [`crate::sources::Written::Unresolved`] ([`embedded::read_config`]).
//!
//! Not read: chart templates (`templates/*.yaml` are Go templates, not
//! YAML; render them with `helm template` and read the result as a
//! Kubernetes manifest), older bitnami keys (`postgresqlConfiguration`
//! maps, `master.config`), pgpool settings of postgresql-ha (pgpool is not
//! a modelled system), and chart-specific PgBouncer keys (the Airflow
//! chart's `pgbouncer.maxClientConnections`, environment lists for the
//! bitnami pgbouncer image), which need each chart's template mapping.
//!
//! Every scalar whose key looks secret (`password`, `rootPassword`,
//! `postgresqlPassword`, ...; [`crate::secrets::is_secret_var_name`]) is
//! marked secret.

use std::path::Path;

use crate::diagnostic::Diagnostic;
use crate::parse::tree::{Node, NodeKind};
use crate::source::{FileId, LoadError, Location, SourceMap, Span};
use crate::sources::argv::{self, FlagSetting, traced};
use crate::sources::embedded::{
    self, ConfigFormat, Embedded, image_flavor, node_at, template_reason,
};
use crate::sources::{Assignment, Candidate, Flavor, Found, ServerSettings, System};

/// True for a file Helm reads as values: named `values*.yaml` / `values*.yml`
/// (with an optional `.tpl` suffix for a templated override), or any
/// `.yaml`/`.yml` file directly beside a `Chart.yaml` (a chart's folder).
/// Files under a chart's `templates/` folder are templates, never values.
pub fn is_values_file(path: &Path) -> bool {
    let Some(name) = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
    else {
        return false;
    };
    let in_templates = path
        .parent()
        .and_then(Path::file_name)
        .is_some_and(|p| p == "templates");
    if in_templates {
        return false;
    }
    let base = name.strip_suffix(".tpl").unwrap_or(&name);
    let yaml = base.ends_with(".yaml") || base.ends_with(".yml");
    yaml && (base.starts_with("values")
        || path
            .parent()
            .is_some_and(|d| d.join("Chart.yaml").is_file()))
}

/// Reads the Helm values file at `path`.
///
/// Errors: [`LoadError`] only when `path` cannot be read; a file that does
/// not parse is a located diagnostic ([`embedded::parse_documents`]).
pub fn read(
    path: &Path,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Result<Vec<Candidate>, LoadError> {
    let id = sources.load(path)?;
    Ok(read_file(id, sources, diags))
}

/// Reads the already loaded file `id` (see [`read`]).
pub fn read_file(
    id: FileId,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Candidate> {
    let Some(docs) = embedded::parse_documents(id, sources, diags) else {
        return Vec::new();
    };
    let text = sources.get(id).text().to_string();
    let mut out = Vec::new();
    for doc in &docs {
        mark_secrets(id, doc, sources);
        read_root(id, &text, doc, "", sources, diags, &mut out);
        for (k, v) in doc.as_map().unwrap_or(&[]) {
            if v.as_map().is_some() {
                let prefix = format!("{}.", k.text);
                read_root(id, &text, v, &prefix, sources, diags, &mut out);
            }
        }
    }
    embedded::unique_addresses(&mut out);
    out
}

/// Marks every non-empty scalar under a secret-looking key.
fn mark_secrets(id: FileId, doc: &Node, sources: &mut SourceMap) {
    let mut spans: Vec<Span> = Vec::new();
    doc.walk(&mut |k, v| {
        if let Some(k) = k
            && crate::secrets::is_secret_var_name(&k.text)
            && matches!(
                v.kind,
                NodeKind::Str(_) | NodeKind::Int(_) | NodeKind::Float(_)
            )
            && !v.span.is_empty()
        {
            spans.push(v.span);
        }
    });
    for s in spans {
        sources.get_mut(id).mark_secret(s);
    }
}

/// The text-holding paths tried under each root, and how each is read.
/// `None`: my.cnf if the text has a group header, else postgresql.conf.
const CONFIG_PATHS: &[(&[&str], Option<ConfigFormat>)] = &[
    (&["primary", "configuration"], None),
    (&["secondary", "configuration"], None),
    (
        &["primary", "extendedConfiguration"],
        Some(ConfigFormat::PgConf),
    ),
    (
        &["readReplicas", "extendedConfiguration"],
        Some(ConfigFormat::PgConf),
    ),
    (&["postgresql", "configuration"], Some(ConfigFormat::PgConf)),
    (&["postgresql", "extendedConf"], Some(ConfigFormat::PgConf)),
];

const FLAG_PATHS: &[&[&str]] = &[&["primary", "extraFlags"], &["secondary", "extraFlags"]];

#[allow(clippy::too_many_arguments)]
fn read_root(
    id: FileId,
    text: &str,
    root: &Node,
    prefix: &str,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
    out: &mut Vec<Candidate>,
) {
    if root.as_map().is_none() {
        return;
    }
    let flavor = root_flavor(id, text, root);
    // The flavor of the root's image, when it runs `system` (or an image
    // this module does not place).
    let flavor_of = |system: System| {
        flavor
            .clone()
            .filter(|f| embedded::image_system(&f.product).is_none_or(|s| s == system))
    };
    let mut push = |path: &[&str], system: System, assignments: Vec<Assignment>| {
        out.push(Candidate {
            address: format!("{prefix}{}", path.join(".")),
            at: key_location(id, root, path),
            found: Found::Server(ServerSettings {
                system,
                flavor: flavor_of(system),
                assignments,
            }),
        });
    };
    for (path, format) in CONFIG_PATHS {
        let Some((_, emb)) = written_text(text, root, path) else {
            continue;
        };
        let format = format.unwrap_or_else(|| {
            if has_group_header(emb.text()) {
                ConfigFormat::MyCnf
            } else {
                ConfigFormat::PgConf
            }
        });
        let assignments = embedded::read_config(format, &emb, id, sources, diags);
        push(path, format.system(), assignments);
    }
    for path in FLAG_PATHS {
        let Some((node, _)) = written_text(text, root, path) else {
            continue;
        };
        push(path, System::Mysql, flags(id, text, node, sources));
    }
    combine_roles(prefix, out);
}

/// The scalar at `path` below `root` and its text, when it holds more than
/// blanks (the charts' default `""` is nothing written).
fn written_text<'n>(text: &str, root: &'n Node, path: &[&str]) -> Option<(&'n Node, Embedded)> {
    let node = node_at(root, path)?;
    let emb = Embedded::of(text, node)?;
    (!emb.text().trim().is_empty()).then_some((node, emb))
}

/// Adds, for each role (`primary`, `secondary`) with both a `configuration`
/// and `extraFlags` of one system, a candidate at the role's own address
/// (`primary`) holding both: the server that role runs, which reads the
/// configuration as its my.cnf and the flags on its command line (so a
/// flag beats the file's value, and a difference is reported where the
/// system's door resolves them). A role with only one of the two is named
/// by that key's address.
fn combine_roles(prefix: &str, out: &mut Vec<Candidate>) {
    for role in ["primary", "secondary"] {
        let find = |key: &str| {
            let address = format!("{prefix}{role}.{key}");
            out.iter().position(|c| c.address == address)
        };
        let (Some(conf), Some(flags)) = (find("configuration"), find("extraFlags")) else {
            continue;
        };
        let (Found::Server(c), Found::Server(f)) = (&out[conf].found, &out[flags].found) else {
            continue;
        };
        if c.system != f.system {
            continue;
        }
        let mut assignments = c.assignments.clone();
        assignments.extend(f.assignments.iter().cloned());
        let combined = Candidate {
            address: format!("{prefix}{role}"),
            at: out[conf].at,
            found: Found::Server(ServerSettings {
                system: c.system,
                flavor: c.flavor.clone().or_else(|| f.flavor.clone()),
                assignments,
            }),
        };
        out.push(combined);
    }
}

/// The mysqld flags of an `extraFlags` string: the chart hands it to the
/// image as `MYSQL_EXTRA_FLAGS` / `MARIADB_EXTRA_FLAGS`, which the bitnami
/// scripts split at blanks (`read -r -a`) onto `mysqld`'s command line, so
/// it is read as compose reads that variable ([`argv::mysqld_flags`] over
/// [`traced::split_blanks`]).
fn flags(id: FileId, text: &str, node: &Node, sources: &mut SourceMap) -> Vec<Assignment> {
    let Some(t) = argv::scalar_traced(id, text, node) else {
        return Vec::new();
    };
    let flags = argv::mysqld_flags(&traced::split_blanks(&t));
    argv::mark_secrets(sources, &flags);
    flags
        .into_iter()
        .map(FlagSetting::into_assignment)
        .collect()
}

fn has_group_header(text: &str) -> bool {
    text.lines().any(|l| {
        let l = l.trim_start();
        l.starts_with('[') && l.contains(']')
    })
}

/// The key of the last step of `path` below `root`.
fn key_location(id: FileId, root: &Node, path: &[&str]) -> Location {
    let (parent, last) = match path.split_last() {
        Some((last, init)) => (node_at(root, init), *last),
        None => (None, ""),
    };
    let span = parent
        .and_then(|p| p.entry(last))
        .map_or(root.span, |(k, _)| k.span);
    Location::new(id, span)
}

/// bitnami's `image: {registry, repository, tag}` block.
fn root_flavor(id: FileId, text: &str, root: &Node) -> Option<Flavor> {
    let image = root.get("image")?;
    let repo = image.get("repository")?;
    let mut f = image_flavor(id, text, repo)?;
    if let Some(tag) = image.get("tag")
        && let Some(t) = embedded::scalar_text(text, tag)
        && template_reason(&t).is_none()
    {
        let v: String = t
            .trim_start_matches('v')
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        let v = v.trim_end_matches('.');
        if !v.is_empty() {
            f.version = Some(v.to_string());
            f.at = Location::new(id, tag.span);
        }
    }
    Some(f)
}

#[cfg(test)]
mod tests;
