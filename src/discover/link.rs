//! Linking: which app connects to which server, through what.
//!
//! Each app pool's host and port (the URL's `host:port` or Django's
//! `HOST` / `PORT`, read after the environment the deployment gives the app)
//! is matched against the names a deployment gives its servers:
//!
//! | host | matched to |
//! |---|---|
//! | a compose service name | that service (a server image, or a PgBouncer image) |
//! | a Kubernetes Service (`NAME`, `NAME.NS`, `NAME.NS.svc[.cluster.local]`) | the workload its selector picks; the kube-proxy conntrack preset is added |
//! | CloudNativePG `CLUSTER-rw` / `-ro` / `-r`, a `Pooler`'s name | that `Cluster` / `Pooler` |
//! | `IDENT.xxxx.REGION.rds.amazonaws.com` | the Terraform `aws_db_instance` / `aws_rds_cluster` whose `identifier` / `cluster_identifier` is `IDENT` |
//! | `localhost`, `127.0.0.1`, `::1` | the only server config (or pgbouncer.ini listening on the port) of the app's family in the repository |
//!
//! A PgBouncer found this way becomes a hop, and its upstream host (the
//! image's `DB_HOST` / `POSTGRESQL_HOST`, the `host=` of a `[databases]`
//! entry, a `Pooler`'s cluster) is matched the same way. The environment of
//! an app is the compose service or Kubernetes workload whose environment
//! makes its host resolve (a compose service whose `build:` context holds
//! the settings file is preferred); without one, the code's defaults apply.
//!
//! A host that matches nothing is an info finding
//! ([`codes::DATABASE_HOST_NOT_LINKED`]) naming the setting and what was
//! looked for. Nothing is assumed about the network between two pieces
//! unless a file says it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::classify::Kind;
use crate::diagnostic::{Diagnostic, Label};
use crate::env::EnvValues;
use crate::manifest::{HopEntry, PathRef, PathSpec};
use crate::model::HopSpec;
use crate::parse::tree::Node;
use crate::provenance::{Origin, Sourced};
use crate::rules::codes;
use crate::source::{Location, SourceMap};
use crate::sources::{Candidate, Found, System};
use crate::systems::app::{self, AppPool, Backend};

use super::{Discovered, Discovery, Piece, PieceKind, UnknownNetwork};

/// At most this many environments are tried per app file.
const MAX_ENVS: usize = 32;

/// Something an app (or a PgBouncer) can connect to.
#[derive(Clone, Debug)]
struct Target {
    /// The file, and the address in it (deployment files).
    file: PathBuf,
    address: Option<String>,
    system: System,
    /// `postgres:16`, `pgbouncer`, `mysql`.
    label: String,
    /// `compose: db`, `mysql/my.cnf`.
    from: String,
    /// Hosts a PgBouncer forwards to.
    upstream: Vec<String>,
    /// The port it listens on, when known (pgbouncer.ini `listen_port`).
    port: Option<u16>,
    /// A Kubernetes Service in front (its `metadata.name`): adds the
    /// kube-proxy conntrack preset.
    kube_service: Option<(String, Location)>,
    /// Which group of files it lives in (a compose file, a Terraform
    /// folder): a network inside one compose project is one host's.
    compose: bool,
}

/// An environment a deployment gives an app.
#[derive(Clone, Debug)]
struct EnvCand {
    file: PathBuf,
    address: String,
    vars: Vec<(String, String, Location)>,
    /// The compose `build:` context, resolved.
    build: Option<PathBuf>,
    /// The same address has a workers candidate.
    workers: bool,
    /// `compose: web`, `k8s: Deployment/api`.
    from: String,
    /// Whether it is a compose service.
    compose: bool,
}

#[derive(Default)]
struct Index {
    targets: Vec<Target>,
    by_host: BTreeMap<String, Vec<usize>>,
    envs: Vec<EnvCand>,
    /// Standalone server configs and pgbouncer.ini files, by system.
    standalone: Vec<usize>,
    used: Vec<bool>,
    /// HAProxy and nginx stream listeners, and whether a path goes through each.
    listeners: Vec<super::proxies::Listener>,
    used_listeners: Vec<bool>,
    /// RDS Proxies, with their Terraform file.
    rds_proxies: Vec<(PathBuf, RdsProxy)>,
}

impl Index {
    fn add(&mut self, t: Target, hosts: &[String]) -> usize {
        let i = self.targets.len();
        for h in hosts {
            self.by_host
                .entry(h.to_ascii_lowercase())
                .or_default()
                .push(i);
        }
        self.targets.push(t);
        self.used.push(false);
        i
    }
}

/// The label of a candidate server: `image:tag` as the flavor says, else the system.
fn server_label(c: &Candidate) -> Option<(System, String)> {
    let Found::Server(s) = &c.found else {
        return None;
    };
    let label = match &s.flavor {
        Some(f) => match &f.version {
            Some(v) => format!("{}:{v}", f.product),
            None => f.product.clone(),
        },
        None => s.system.as_str().to_string(),
    };
    Some((s.system, label))
}

/// Builds the paths from the classified pieces.
pub fn link(root: &Path, pieces: &[Piece], sources: &mut SourceMap) -> Discovery {
    let mut out = Discovery::default();
    let mut index = Index::default();
    let mut scratch = Vec::new();
    for piece in pieces {
        let PieceKind::Config(kind) = &piece.kind else {
            continue;
        };
        match kind {
            Kind::Compose
            | Kind::Kubernetes
            | Kind::Terraform
            | Kind::CloudFormation
            | Kind::Helm => {
                let r = PathRef {
                    path: piece.path.clone(),
                    location: None,
                    address: None,
                };
                let Ok(cands) = crate::deploy::read_candidates(&r, sources, &mut scratch) else {
                    continue;
                };
                deployment_targets(root, &piece.path, *kind, &cands, sources, &mut index);
            }
            Kind::MysqlOptionFile | Kind::MysqlDump | Kind::PostgresConf | Kind::PostgresDump => {
                let system = match kind {
                    Kind::MysqlOptionFile | Kind::MysqlDump => System::Mysql,
                    _ => System::Postgres,
                };
                let i = index.add(
                    Target {
                        file: piece.path.clone(),
                        address: None,
                        system,
                        label: system.as_str().to_string(),
                        from: sources.display_name(&piece.path),
                        upstream: Vec::new(),
                        port: None,
                        kube_service: None,
                        compose: false,
                    },
                    &[],
                );
                index.standalone.push(i);
            }
            Kind::Haproxy | Kind::Nginx => {
                let found = if *kind == Kind::Haproxy {
                    super::proxies::haproxy(&piece.path, sources)
                } else {
                    super::proxies::nginx(&piece.path, sources)
                };
                index.used_listeners.extend(found.iter().map(|_| false));
                index.listeners.extend(found);
            }
            Kind::PgBouncer => {
                let (port, upstream) = pgbouncer_ini(&piece.path, sources);
                let i = index.add(
                    Target {
                        file: piece.path.clone(),
                        address: None,
                        system: System::PgBouncer,
                        label: "pgbouncer".to_string(),
                        from: sources.display_name(&piece.path),
                        upstream,
                        port: Some(port),
                        kube_service: None,
                        compose: false,
                    },
                    &[],
                );
                index.standalone.push(i);
            }
            _ => {}
        }
    }
    // With several deployment files of one kind holding servers (or app
    // environments), `compose: db` names its file.
    let word_of = |from: &str| from.split(':').next().unwrap_or_default().to_string();
    let mut target_files: BTreeMap<String, std::collections::BTreeSet<PathBuf>> = BTreeMap::new();
    for t in index.targets.iter().filter(|t| t.address.is_some()) {
        target_files
            .entry(word_of(&t.from))
            .or_default()
            .insert(t.file.clone());
    }
    let mut env_files: BTreeMap<String, std::collections::BTreeSet<PathBuf>> = BTreeMap::new();
    for e in &index.envs {
        env_files
            .entry(word_of(&e.from))
            .or_default()
            .insert(e.file.clone());
    }
    let qualify = |files: &BTreeMap<String, std::collections::BTreeSet<PathBuf>>,
                   from: &str,
                   file: &Path,
                   sources: &SourceMap| match from.split_once(": ") {
        Some((word, rest)) if files.get(word).is_some_and(|f| f.len() > 1) => {
            format!("{word} {}: {rest}", sources.display_name(file))
        }
        _ => from.to_string(),
    };
    for i in 0..index.targets.len() {
        if index.targets[i].address.is_some() {
            let t = &index.targets[i];
            let q = qualify(&target_files, &t.from, &t.file, sources);
            index.targets[i].from = q;
        }
    }
    for i in 0..index.envs.len() {
        let e = &index.envs[i];
        let q = qualify(&env_files, &e.from, &e.file, sources);
        index.envs[i].from = q;
    }
    let apps: Vec<&Piece> = pieces
        .iter()
        .filter(|p| match &p.kind {
            PieceKind::Python(_) => true,
            PieceKind::Config(k) => matches!(k, Kind::AirflowCfg | Kind::AppYaml | Kind::AppToml),
        })
        .collect();
    for app_piece in apps {
        link_app(root, app_piece, &mut index, sources, &mut out);
    }
    // Servers nothing connects to still get their own checks.
    for (i, t) in index.targets.iter().enumerate() {
        if index.used[i] || !index.standalone.contains(&i) {
            continue;
        }
        let mut spec = PathSpec::empty(t.label.clone());
        let r = path_ref(&t.file, t.address.as_deref());
        match t.system {
            System::PgBouncer => spec.hops.push(HopEntry::PgBouncer {
                name: "pgbouncer".to_string(),
                file: r,
            }),
            _ => spec.db = Some(r),
        }
        out.unplaced.push(format!(
            "{} ({}): no app found that connects to it; checked on its own",
            sources.display_name(&t.file),
            t.label
        ));
        out.paths.push(Discovered {
            spec,
            pieces: vec![format!("{} ({})", t.label, t.from)],
            guesses: vec![format!("no app found that connects to {}", t.from)],
            unknown_network: None,
        });
    }
    for piece in pieces {
        let through = index
            .listeners
            .iter()
            .zip(&index.used_listeners)
            .any(|(l, used)| *used && l.file == piece.path);
        if let PieceKind::Config(k) = &piece.kind
            && !through
            && matches!(
                k,
                Kind::Sysctl | Kind::Haproxy | Kind::Nginx | Kind::Envoy | Kind::Istio
            )
        {
            out.unplaced.push(format!(
                "{} ({}): not placed on a path; name it in a manifest ({})",
                sources.display_name(&piece.path),
                k.describe(),
                k.manifest_key()
            ));
        }
    }
    out
}

/// Targets and environments of one deployment file.
fn deployment_targets(
    root: &Path,
    path: &Path,
    kind: Kind,
    cands: &[Candidate],
    sources: &mut SourceMap,
    index: &mut Index,
) {
    let _ = root;
    let compose = kind == Kind::Compose;
    let doc = match kind {
        Kind::Compose | Kind::Kubernetes => sources
            .load(path)
            .ok()
            .and_then(|id| crate::parse::yaml::parse_yaml_documents(sources.get(id).text()).ok())
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    let kube = if kind == Kind::Kubernetes {
        kube_services(&doc, path, sources)
    } else {
        Vec::new()
    };
    let rds = if kind == Kind::Terraform {
        let proxies = rds_proxies(path, sources);
        index
            .rds_proxies
            .extend(proxies.into_iter().map(|p| (path.to_path_buf(), p)));
        rds_identifiers(path, sources)
    } else {
        BTreeMap::new()
    };
    for c in cands {
        match &c.found {
            Found::Server(s) => {
                let (system, label) = server_label(c).unwrap_or((s.system, String::new()));
                let mut hosts = Vec::new();
                let mut kube_service = None;
                let mut upstream = Vec::new();
                let (word, name) = match kind {
                    Kind::Compose => ("compose", c.address.clone()),
                    Kind::Kubernetes => ("k8s", c.address.clone()),
                    Kind::Terraform => ("terraform", c.address.clone()),
                    Kind::CloudFormation => ("cloudformation", c.address.clone()),
                    _ => ("helm", c.address.clone()),
                };
                match kind {
                    Kind::Compose => {
                        hosts.push(c.address.clone());
                        if system == System::PgBouncer {
                            upstream = compose_upstream(cands, &c.address);
                        }
                    }
                    Kind::Kubernetes => {
                        if system == System::PgBouncer {
                            upstream = compose_upstream(cands, &c.address);
                        }
                        let workload = c.address.split(':').next().unwrap_or_default();
                        for svc in &kube {
                            if svc.workloads.iter().any(|w| w == workload) {
                                hosts.extend(kube_hosts(&svc.name));
                                kube_service.get_or_insert((svc.name.clone(), svc.at));
                            }
                        }
                        if let Some(cluster) = workload.strip_prefix("Cluster/") {
                            for suffix in ["-rw", "-ro", "-r"] {
                                hosts.extend(kube_hosts(&format!("{cluster}{suffix}")));
                            }
                            kube_service.get_or_insert((format!("{cluster}-rw"), c.at));
                        }
                        if let Some(pooler) = workload.strip_prefix("Pooler/") {
                            hosts.extend(kube_hosts(pooler));
                            kube_service.get_or_insert((pooler.to_string(), c.at));
                            upstream
                                .extend(pooler_cluster(&doc, pooler).map(|c| format!("{c}-rw")));
                        }
                    }
                    Kind::Terraform => {
                        if let Some(ident) = rds.get(&c.address) {
                            hosts.push(format!("rds:{ident}"));
                        }
                    }
                    _ => {}
                }
                if hosts.is_empty() {
                    continue;
                }
                let label = if label.is_empty() {
                    system.as_str().to_string()
                } else {
                    label
                };
                index.add(
                    Target {
                        file: path.to_path_buf(),
                        address: Some(c.address.clone()),
                        system,
                        label,
                        from: format!("{word}: {name}"),
                        upstream,
                        port: None,
                        kube_service,
                        compose,
                    },
                    &hosts,
                );
            }
            Found::AppEnv(vars) => {
                let server_here = cands
                    .iter()
                    .any(|o| o.address == c.address && matches!(o.found, Found::Server(_)));
                if server_here {
                    continue;
                }
                let vars = vars
                    .iter()
                    .filter_map(|v| match &v.value {
                        crate::sources::Written::Text(t) => Some((v.name.clone(), t.clone(), v.at)),
                        _ => None,
                    })
                    .collect();
                let workers = cands
                    .iter()
                    .any(|o| o.address == c.address && matches!(o.found, Found::Workers(_)));
                let build = if compose {
                    compose_build(&doc, &c.address, path)
                } else {
                    None
                };
                let word = if compose { "compose" } else { "k8s" };
                index.envs.push(EnvCand {
                    file: path.to_path_buf(),
                    address: c.address.clone(),
                    vars,
                    build,
                    workers,
                    from: format!("{word}: {}", c.address),
                    compose,
                });
            }
            _ => {}
        }
    }
}

/// `NAME`, `NAME.NS`, ... : only the first label is matched, so a Service
/// is found by any of its DNS names.
fn kube_hosts(name: &str) -> Vec<String> {
    vec![format!("k8s:{name}")]
}

/// The hosts a PgBouncer image's environment forwards to (a compose
/// service's or a Kubernetes container's, at the same address).
fn compose_upstream(cands: &[Candidate], address: &str) -> Vec<String> {
    let mut out = Vec::new();
    for c in cands {
        if c.address != address {
            continue;
        }
        if let Found::AppEnv(vars) = &c.found {
            for v in vars {
                let crate::sources::Written::Text(t) = &v.value else {
                    continue;
                };
                match v.name.as_str() {
                    // edoburu/pgbouncer, bitnami/pgbouncer.
                    "DB_HOST" | "POSTGRESQL_HOST" | "DATABASES_HOST" => out.push(t.clone()),
                    "DATABASE_URL" => {
                        if let Ok(u) = app::url::parse_db_url(t)
                            && let Some(h) = u.host
                        {
                            out.push(h.host);
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    out
}

/// A compose service's `build:` context (a string, or `build.context`),
/// resolved from the compose file's folder.
fn compose_build(docs: &[Node], service: &str, path: &Path) -> Option<PathBuf> {
    let svc = docs.first()?.get("services")?.get(service)?;
    let build = svc.get("build")?;
    let ctx = build
        .as_str()
        .or_else(|| build.get("context").and_then(Node::as_str))
        .unwrap_or(".");
    let dir = path.parent()?.join(ctx);
    Some(crate::source::normalize(&dir))
}

/// A Kubernetes Service and the workloads its selector picks (`KIND/NAME`).
struct KubeService {
    name: String,
    at: Location,
    workloads: Vec<String>,
}

fn kube_services(docs: &[Node], path: &Path, sources: &mut SourceMap) -> Vec<KubeService> {
    let Ok(id) = sources.load(path) else {
        return Vec::new();
    };
    let objects: Vec<&Node> = docs
        .iter()
        .flat_map(|d| {
            match d.get("items").and_then(|i| match &i.kind {
                crate::parse::tree::NodeKind::Seq(items) => Some(items),
                _ => None,
            }) {
                Some(items) => items.iter().collect::<Vec<_>>(),
                None => vec![d],
            }
        })
        .collect();
    let kind_of = |o: &Node| {
        o.get("kind")
            .and_then(Node::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let labels = |n: Option<&Node>| -> Vec<(String, String)> {
        n.and_then(Node::as_map)
            .unwrap_or(&[])
            .iter()
            .filter_map(|(k, v)| Some((k.text.clone(), scalar(v)?)))
            .collect()
    };
    let mut out = Vec::new();
    for o in &objects {
        if kind_of(o) != "Service" {
            continue;
        }
        let Some(name) = name_of(o) else { continue };
        let Some(name_text) = name.as_str() else {
            continue;
        };
        let selector = labels(o.get("spec").and_then(|s| s.get("selector")));
        if selector.is_empty() {
            continue;
        }
        let workloads = objects
            .iter()
            .filter(|w| {
                matches!(
                    kind_of(w).as_str(),
                    "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Pod"
                )
            })
            .filter(|w| {
                let template = if kind_of(w) == "Pod" {
                    w.get("metadata")
                } else {
                    w.get("spec")
                        .and_then(|s| s.get("template"))
                        .and_then(|t| t.get("metadata"))
                };
                let have = labels(template.and_then(|m| m.get("labels")));
                selector.iter().all(|s| have.contains(s))
            })
            .filter_map(|w| Some(format!("{}/{}", kind_of(w), name_of(w)?.as_str()?)))
            .collect();
        out.push(KubeService {
            name: name_text.to_string(),
            at: Location::new(id, name.span),
            workloads,
        });
    }
    out
}

/// An object's `metadata.name`.
fn name_of(o: &Node) -> Option<&Node> {
    o.get("metadata").and_then(|m| m.get("name"))
}

/// The text of a scalar node.
fn scalar(n: &Node) -> Option<String> {
    use crate::parse::tree::NodeKind;
    match &n.kind {
        NodeKind::Str(s) => Some(s.clone()),
        NodeKind::Int(i) => Some(i.to_string()),
        NodeKind::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The CloudNativePG cluster a `Pooler` fronts (`spec.cluster.name`).
fn pooler_cluster(docs: &[Node], pooler: &str) -> Option<String> {
    docs.iter()
        .find(|d| {
            d.get("kind").and_then(Node::as_str) == Some("Pooler")
                && d.get("metadata")
                    .and_then(|m| m.get("name"))
                    .and_then(Node::as_str)
                    == Some(pooler)
        })
        .and_then(|d| {
            d.get("spec")?
                .get("cluster")?
                .get("name")?
                .as_str()
                .map(str::to_string)
        })
}

/// An RDS Proxy of a Terraform file: `aws_db_proxy.x` with a literal
/// `name`, and the database resource an `aws_db_proxy_target` of the same
/// file points it at.
#[derive(Clone, Debug, Default)]
struct RdsProxy {
    /// `aws_db_proxy.x`.
    address: String,
    /// Its `name`, lower-cased (the endpoint's first label).
    name: String,
    /// `aws_db_instance.y` / `aws_rds_cluster.y`, when a target names it.
    target: Option<String>,
}

/// The resource a reference expression names (`aws_db_instance.orders.identifier`
/// → `aws_db_instance.orders`).
fn referenced_resource(expr: &hcl_edit::expr::Expression) -> Option<String> {
    use hcl_edit::expr::Expression;
    let Expression::Traversal(t) = expr else {
        return None;
    };
    let Expression::Variable(v) = &t.expr else {
        return None;
    };
    let first = t.operators.first()?;
    let hcl_edit::expr::TraversalOperator::GetAttr(name) = first.value() else {
        return None;
    };
    Some(format!("{}.{}", v.as_str(), name.as_str()))
}

/// The RDS Proxies of a Terraform file
/// (<https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/db_proxy_target>).
fn rds_proxies(path: &Path, sources: &mut SourceMap) -> Vec<RdsProxy> {
    use hcl_edit::expr::Expression;
    let mut out: Vec<RdsProxy> = Vec::new();
    let Ok(id) = sources.load(path) else {
        return out;
    };
    let Ok(body) = sources.get(id).text().parse::<hcl_edit::structure::Body>() else {
        return out;
    };
    let resources: Vec<_> = body
        .blocks()
        .filter(|b| b.ident.as_str() == "resource" && b.labels.len() == 2)
        .collect();
    for b in &resources {
        if b.labels[0].as_str() == "aws_db_proxy"
            && let Some(a) = b.body.get_attribute("name")
            && let Expression::String(n) = &a.value
        {
            out.push(RdsProxy {
                address: format!("aws_db_proxy.{}", b.labels[1].as_str()),
                name: n.value().to_ascii_lowercase(),
                target: None,
            });
        }
    }
    for b in &resources {
        if b.labels[0].as_str() != "aws_db_proxy_target" {
            continue;
        }
        let proxy = b
            .body
            .get_attribute("db_proxy_name")
            .and_then(|a| referenced_resource(&a.value));
        let target = ["db_instance_identifier", "db_cluster_identifier"]
            .iter()
            .find_map(|k| b.body.get_attribute(k))
            .and_then(|a| referenced_resource(&a.value));
        if let (Some(p), Some(t)) = (proxy, target)
            && let Some(entry) = out.iter_mut().find(|x| x.address == p)
        {
            entry.target = Some(t);
        }
    }
    out
}

/// `aws_db_instance.x` / `aws_rds_cluster.x` → its literal `identifier` /
/// `cluster_identifier`, lower-cased (RDS stores identifiers in lower case:
/// https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html).
fn rds_identifiers(path: &Path, sources: &mut SourceMap) -> BTreeMap<String, String> {
    use hcl_edit::expr::Expression;
    let mut out = BTreeMap::new();
    let Ok(id) = sources.load(path) else {
        return out;
    };
    let Ok(body) = sources.get(id).text().parse::<hcl_edit::structure::Body>() else {
        return out;
    };
    for block in body.blocks() {
        if block.ident.as_str() != "resource" || block.labels.len() != 2 {
            continue;
        }
        let ty = block.labels[0].as_str();
        let name = block.labels[1].as_str();
        let key = match ty {
            "aws_db_instance" => "identifier",
            "aws_rds_cluster" => "cluster_identifier",
            _ => continue,
        };
        if let Some(a) = block.body.get_attribute(key)
            && let Expression::String(s) = &a.value
        {
            out.insert(format!("{ty}.{name}"), s.value().to_ascii_lowercase());
        }
    }
    out
}

/// A pgbouncer.ini's `listen_port` (default 6432,
/// https://www.pgbouncer.org/config.html#listen_port) and the `host=` of its
/// `[databases]` entries.
fn pgbouncer_ini(path: &Path, sources: &mut SourceMap) -> (u16, Vec<String>) {
    use crate::parse::pgbouncer::{Item, lex, lex_connstring};
    let Ok(id) = sources.load(path) else {
        return (6432, Vec::new());
    };
    let mut port = 6432;
    let mut hosts = Vec::new();
    let mut section = String::new();
    for item in lex(sources.get(id).text()) {
        match item {
            Item::Section { name, .. } => section = name.to_ascii_lowercase(),
            Item::Entry { key, value, .. } => {
                if section == "pgbouncer" && key.eq_ignore_ascii_case("listen_port") {
                    port = value.trim().parse().unwrap_or(port);
                }
                if section == "databases" {
                    for pair in lex_connstring(&value, 0).0 {
                        if pair.key == "host" {
                            hosts.push(pair.value);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    hosts.sort();
    hosts.dedup();
    (port, hosts)
}

fn path_ref(file: &Path, address: Option<&str>) -> PathRef {
    PathRef {
        path: file.to_path_buf(),
        location: None,
        address: address.map(str::to_string),
    }
}

/// What [`load_pools`] gives: the pools, the Flask config class picked (its
/// name, where it is written, why), and the environment variables asked for.
type Loaded = (
    Vec<AppPool>,
    Option<(String, Location, String)>,
    std::collections::BTreeSet<String>,
);

/// The pools of an app file read with one environment, and the Flask
/// config class picked when the file has several (with where its name is
/// written and why it was picked).
fn load_pools(piece: &Piece, env: Option<&EnvCand>, sources: &mut SourceMap) -> Loaded {
    let mut values = EnvValues::new();
    if let Some(e) = env {
        for (var, value, at) in &e.vars {
            let from = sources.short(*at);
            values.set(var.clone(), value.clone(), from);
        }
    }
    let overrides = app::Overrides::default();
    let load = |object: Option<&str>, sources: &mut SourceMap| {
        let mut scratch = Vec::new();
        let loaded = match &piece.kind {
            PieceKind::Python(_) => app::load_python_with(
                &piece.path,
                object,
                &values,
                &overrides,
                sources,
                &mut scratch,
            ),
            PieceKind::Config(Kind::AirflowCfg) => {
                app::load_airflow_with(&piece.path, &values, &overrides, sources, &mut scratch)
            }
            PieceKind::Config(_) => {
                app::load_app_with(&piece.path, &overrides, sources, &mut scratch)
            }
        };
        let several = scratch.iter().any(|d| {
            d.code == codes::MANIFEST_ERROR
                && d.message.contains("several Flask-SQLAlchemy configs")
        });
        (loaded.map(|s| s.pools).unwrap_or_default(), several)
    };
    let (pools, several) = load(None, sources);
    let asked = values.asked();
    if !several {
        return (pools, None, asked);
    }
    // Several Flask config classes: the one the deployment's environment
    // names (`FLASK_CONFIG=docker` → `DockerConfig`), else a production one.
    let Ok(id) = sources.load(&piece.path) else {
        return (pools, None, asked);
    };
    let classes = class_names(sources.get(id).text());
    let env_values: Vec<(String, String)> = env
        .map(|e| {
            e.vars
                .iter()
                .map(|(n, v, _)| (n.clone(), v.to_ascii_lowercase()))
                .collect()
        })
        .unwrap_or_default();
    let by_env = classes.iter().find_map(|(c, span)| {
        let stem = c.to_ascii_lowercase();
        let stem = stem.strip_suffix("config").unwrap_or(&stem).to_string();
        env_values
            .iter()
            .find(|(_, v)| !stem.is_empty() && *v == stem)
            .map(|(n, v)| {
                (
                    c.clone(),
                    *span,
                    format!("picked config class `{c}`: {n}={v} in the app environment"),
                )
            })
    });
    let by_name = || {
        classes.iter().find_map(|(c, span)| {
            let l = c.to_ascii_lowercase();
            (l.starts_with("prod") || l.contains("production")).then(|| {
                (
                    c.clone(),
                    *span,
                    format!("picked config class `{c}` (the production one)"),
                )
            })
        })
    };
    let Some((class, span, why)) = by_env.or_else(by_name) else {
        return (pools, None, asked);
    };
    let (pools, _) = load(Some(&class), sources);
    (pools, Some((class, Location::new(id, span), why)), asked)
}

/// `class Name(` / `class Name:` at the start of a line, with the name's span.
fn class_names(text: &str) -> Vec<(String, crate::source::Span)> {
    let mut out = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if let Some(rest) = line.strip_prefix("class ") {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                let start = offset + "class ".len();
                out.push((
                    name.clone(),
                    crate::source::Span::new(start, start + name.len()),
                ));
            }
        }
        offset += line.len();
    }
    out
}

/// Hosts that mean "this machine".
fn is_local(host: &str) -> bool {
    matches!(
        host.to_ascii_lowercase().as_str(),
        "localhost" | "127.0.0.1" | "::1" | "0.0.0.0"
    ) || host.starts_with('/')
}

/// The names a host is looked up under: itself, `k8s:FIRST` for a cluster
/// DNS name, `rds:IDENT` for an RDS endpoint.
fn lookup_keys(host: &str) -> Vec<String> {
    let h = host.to_ascii_lowercase();
    let mut keys = vec![h.clone()];
    let first = h.split('.').next().unwrap_or_default().to_string();
    let labels = h.split('.').count();
    if labels == 1 || h.ends_with(".svc") || h.ends_with(".svc.cluster.local") || labels == 2 {
        keys.push(format!("k8s:{first}"));
    }
    if h.ends_with(".rds.amazonaws.com") {
        keys.push(format!("rds:{first}"));
    }
    keys
}

fn family(system: System) -> Option<Backend> {
    match system {
        System::Mysql => Some(Backend::MySql),
        System::Postgres | System::PgBouncer => Some(Backend::PostgreSql),
    }
}

/// The target `host:port` names, preferring one from `prefer_file`.
fn resolve(
    index: &Index,
    host: &str,
    port: Option<u16>,
    backend: Backend,
    prefer_file: Option<&Path>,
) -> Option<(usize, String)> {
    for key in lookup_keys(host) {
        let Some(hits) = index.by_host.get(&key) else {
            continue;
        };
        let fits: Vec<usize> = hits
            .iter()
            .copied()
            .filter(|i| {
                family(index.targets[*i].system) == Some(backend) || backend == Backend::Other
            })
            .collect();
        let pick = fits
            .iter()
            .copied()
            .find(|i| prefer_file.is_some_and(|f| index.targets[*i].file == f))
            .or_else(|| fits.first().copied());
        if let Some(i) = pick {
            let t = &index.targets[i];
            let how = match key.split_once(':') {
                Some(("k8s", _)) => "Kubernetes Service",
                Some(("rds", _)) => "RDS instance identifier",
                _ => "compose service",
            };
            let name = match &t.kube_service {
                Some((svc, _)) if how == "Kubernetes Service" => svc.clone(),
                _ => t.address.clone().unwrap_or_default(),
            };
            return Some((
                i,
                format!("matched host `{host}` to {how} `{name}` ({})", t.from),
            ));
        }
    }
    if is_local(host) || host.is_empty() {
        let local: Vec<usize> = index
            .standalone
            .iter()
            .copied()
            .filter(|i| {
                let t = &index.targets[*i];
                family(t.system) == Some(backend)
                    && (t.system != System::PgBouncer || t.port == port.or(Some(5432)))
            })
            .collect();
        // A PgBouncer listening on the port wins over the server behind it.
        let bouncer = local
            .iter()
            .copied()
            .find(|i| index.targets[*i].system == System::PgBouncer);
        let servers: Vec<usize> = local
            .iter()
            .copied()
            .filter(|i| index.targets[*i].system != System::PgBouncer)
            .collect();
        let pick = bouncer.or(match servers.as_slice() {
            [only] => Some(*only),
            _ => None,
        });
        if let Some(i) = pick {
            let t = &index.targets[i];
            return Some((
                i,
                format!(
                    "matched local host `{host}` to {}, the only {} config in the repository",
                    t.from, t.label
                ),
            ));
        }
    }
    None
}

/// An RDS Proxy endpoint host (`NAME.proxy-HASH.REGION.rds.amazonaws.com`,
/// https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy-endpoints.html)
/// whose proxy's target is a known database: (proxy, target, why).
fn via_rds_proxy(index: &Index, e: &app::Endpoint) -> Option<(usize, usize, String)> {
    let host = e.host.to_ascii_lowercase();
    let mut labels = host.split('.');
    let name = labels.next()?;
    if !labels.next()?.starts_with("proxy-") || !host.ends_with(".rds.amazonaws.com") {
        return None;
    }
    index.rds_proxies.iter().enumerate().find_map(|(pi, (file, p))| {
        if p.name != name {
            return None;
        }
        let target = p.target.as_deref()?;
        let ti = index
            .targets
            .iter()
            .position(|t| &t.file == file && t.address.as_deref() == Some(target))
            .or_else(|| {
                index
                    .targets
                    .iter()
                    .position(|t| t.address.as_deref() == Some(target))
            })?;
        Some((
            pi,
            ti,
            format!(
                "matched host `{}` to RDS Proxy `{}` ({}), whose aws_db_proxy_target is {target}",
                e.host, p.name, p.address
            ),
        ))
    })
}

/// The `aws-rds-proxy` preset hop with its `idle_client_timeout` read from
/// `file#address`, as `preset = "aws-rds-proxy"` + `idle_timeout =
/// "FILE#ADDRESS"` in a manifest.
fn rds_proxy_hop(file: &Path, address: &str) -> Option<HopEntry> {
    let HopEntry::Network(hop) = preset_hop_unanchored("aws-rds-proxy")? else {
        return None;
    };
    Some(HopEntry::PresetFromFile {
        hop,
        preset: "aws-rds-proxy".to_string(),
        file: path_ref(file, Some(address)),
    })
}

/// A proxy listener on the app's port whose upstream is a known server:
/// (listener, target, why).
fn via_proxy(
    index: &Index,
    e: &app::Endpoint,
    backend: Backend,
    prefer: Option<&Path>,
) -> Option<(usize, usize, String)> {
    let port = e.port.unwrap_or(match backend {
        Backend::MySql => 3306,
        _ => 5432,
    });
    index.listeners.iter().enumerate().find_map(|(li, l)| {
        if !l.ports.contains(&port) {
            return None;
        }
        let (ti, why) = l
            .upstream
            .iter()
            .find_map(|h| resolve(index, h, None, backend, prefer))?;
        Some((
            li,
            ti,
            format!(
                "matched host `{}` port {port} to {} listener `{}` ({}), which forwards to it; {why}",
                e.host,
                if l.haproxy { "HAProxy" } else { "nginx stream" },
                l.name,
                l.file.display()
            ),
        ))
    })
}

/// The manifest hop of a proxy listener.
fn proxy_hop(l: &super::proxies::Listener) -> HopEntry {
    let name = Sourced::new(l.name.clone(), Origin::File(l.at));
    let file = path_ref(&l.file, None);
    HopEntry::Proxy {
        name: None,
        spec: if l.haproxy {
            crate::manifest::ProxySpec::Haproxy {
                files: vec![file],
                proxy: name,
            }
        } else {
            crate::manifest::ProxySpec::Nginx { file, server: name }
        },
        location: None,
    }
}

/// The setting that holds a pool's host, for messages.
fn setting_name(p: &AppPool) -> String {
    match p.framework {
        app::Framework::Django => format!("DATABASES[\"{}\"][\"HOST\"]", p.name),
        _ if p.name == "default" => "the database URL".to_string(),
        _ => format!("the database URL of engine `{}`", p.name),
    }
}

/// Where a pool is declared, for the first line: `DATABASES["default"]`.
fn pool_label(p: &AppPool) -> String {
    match p.framework {
        app::Framework::Django => format!("DATABASES[\"{}\"]", p.name),
        _ if p.name == "default" => "engine".to_string(),
        _ => format!("engine `{}`", p.name),
    }
}

/// One app's result with one environment.
struct Tried {
    env: Option<usize>,
    object: Option<(String, Location, String)>,
    pools: Vec<AppPool>,
    linked: usize,
}

fn link_app(
    root: &Path,
    piece: &Piece,
    index: &mut Index,
    sources: &mut SourceMap,
    out: &mut Discovery,
) {
    let app_dir = piece.path.parent().unwrap_or(root).to_path_buf();
    // The settings read once without a deployment's environment tell which
    // variables they read; only environments setting one of them are tried
    // (a compose service built from the app's folder first).
    let built: Vec<usize> = (0..index.envs.len())
        .filter(|i| {
            index.envs[*i]
                .build
                .as_ref()
                .is_some_and(|b| app_dir.starts_with(b))
        })
        .collect();
    let linked_count = |pools: &[AppPool], prefer: Option<&Path>, index: &Index| {
        pools
            .iter()
            .filter(|p| {
                p.endpoint.as_ref().is_some_and(|e| {
                    resolve(index, &e.host, e.port, p.backend.value, prefer).is_some()
                })
            })
            .count()
    };
    let (pools, object, asked) = load_pools(piece, None, sources);
    let linked = linked_count(&pools, None, index);
    let mut tries = vec![Tried {
        env: None,
        pools,
        linked,
        object,
    }];
    let relevant = |i: &usize| {
        index.envs[*i]
            .vars
            .iter()
            .any(|(n, _, _)| asked.contains(&n.to_ascii_lowercase()))
    };
    let mut order: Vec<usize> = built.iter().copied().filter(relevant).collect();
    order.extend(
        (0..index.envs.len())
            .filter(|i| !built.contains(i))
            .filter(relevant),
    );
    order.truncate(MAX_ENVS);
    for env in order {
        let (pools, object, _) = load_pools(piece, Some(&index.envs[env]), sources);
        let prefer = index.envs[env].file.clone();
        let linked = linked_count(&pools, Some(&prefer), index);
        tries.push(Tried {
            env: Some(env),
            pools,
            linked,
            object,
        });
    }
    let best = tries.iter().map(|t| t.linked).max().unwrap_or(0);
    // Every environment that links as well as the best one does (a web and a
    // worker service of one image are two paths); else the first built
    // environment, else none.
    let chosen: Vec<&Tried> = if best > 0 {
        let envs: Vec<&Tried> = tries.iter().filter(|t| t.linked == best).collect();
        // Prefer environments over the code's defaults when both link.
        let with_env: Vec<&Tried> = envs.iter().copied().filter(|t| t.env.is_some()).collect();
        if with_env.is_empty() { envs } else { with_env }
    } else {
        let first = tries
            .iter()
            .find(|t| t.env.is_some_and(|e| built.contains(&e)))
            .or_else(|| tries.first());
        first.into_iter().collect()
    };
    let file_name = sources.display_name(&piece.path);
    let app_name = |env: Option<&EnvCand>| match env {
        Some(e) => e
            .address
            .rsplit('/')
            .next()
            .unwrap_or(&e.address)
            .to_string(),
        None => super::app_name(root, &piece.path),
    };
    if chosen.iter().all(|t| t.pools.is_empty()) {
        // Settings that hold no database the reader can see (a URL from
        // code it cannot run): said once, and the file is still checked, so
        // its TL012 notes say what could not be read.
        let name_base = app_name(None);
        let mut spec = PathSpec::empty(name_base.clone());
        spec.app = Some(path_ref(&piece.path, None));
        if let Ok(id) = sources.load(&piece.path) {
            out.findings.push(
                Diagnostic::new(
                    codes::DATABASE_HOST_NOT_LINKED,
                    format!(
                        "{file_name}: no database could be read from these settings (see its TL012 notes), so no server is linked; this path is checked without a server"
                    ),
                    Label::at(Location::new(id, crate::source::Span::new(0, 0)), "app settings"),
                )
                .with_help("describe the path in a timeoutlint.toml (`timeoutlint init` writes a start)"),
            );
        }
        out.paths.push(Discovered {
            spec,
            pieces: vec![
                format!("{name_base} ({file_name})"),
                "? (no database read from the settings)".to_string(),
            ],
            guesses: vec![format!(
                "{file_name}: no database could be read from it (TL017)"
            )],
            unknown_network: None,
        });
        return;
    }
    for t in chosen {
        let env = t.env.map(|i| index.envs[i].clone());
        let name_base = app_name(env.as_ref());
        // One path per pool name: the variants of one pool (branches of an
        // undecided `if`) are checked together by the run, as for a manifest.
        let mut distinct: Vec<&AppPool> = Vec::new();
        for p in &t.pools {
            if !distinct.iter().any(|d| d.name == p.name) {
                distinct.push(p);
            }
        }
        let several = distinct.len() > 1;
        for pool in distinct {
            let mut spec = PathSpec::empty(if several {
                format!("{name_base} [{}]", pool.name)
            } else {
                name_base.clone()
            });
            spec.app = Some(path_ref(&piece.path, None));
            let mut guesses = Vec::new();
            if let Some((class, at, why)) = &t.object {
                spec.app_object = Some(Sourced::new(class.clone(), Origin::File(*at)));
                guesses.push(why.clone());
            }
            if several {
                spec.database = Some(Sourced::new(pool.name.clone(), Origin::File(pool.anchor)));
            }
            if let Some(e) = &env {
                spec.app_env = Some(path_ref(&e.file, Some(&e.address)));
                if e.workers {
                    spec.workers = Some(path_ref(&e.file, Some(&e.address)));
                }
                guesses.push(format!(
                    "app environment{} from {} ({})",
                    if e.workers { " and workers" } else { "" },
                    e.from,
                    sources.display_name(&e.file)
                ));
            }
            let shown_file = match &t.object {
                Some((class, _, _)) => format!("{file_name}:{class}"),
                None => file_name.clone(),
            };
            let mut pieces = vec![format!("{name_base} ({shown_file}, {})", pool_label(pool))];
            let prefer = env.as_ref().map(|e| e.file.clone());
            let endpoint = pool.endpoint.clone();
            let hit = endpoint.as_ref().and_then(|e| {
                resolve(
                    index,
                    &e.host,
                    e.port,
                    pool.backend.value,
                    prefer.as_deref(),
                )
            });
            let mut unknown_network = None;
            let hit = match (hit, &endpoint) {
                (None, Some(e)) if via_rds_proxy(index, e).is_some() => {
                    let (pi, ti, why) = via_rds_proxy(index, e).unwrap_or_default();
                    let (file, proxy) = &index.rds_proxies[pi];
                    if let Some(h) = rds_proxy_hop(file, &proxy.address) {
                        spec.hops.push(h);
                    }
                    pieces.push(format!(
                        "RDS Proxy `{}` (terraform: {})",
                        proxy.name, proxy.address
                    ));
                    Some((ti, why))
                }
                (None, Some(e)) => {
                    match via_proxy(index, e, pool.backend.value, prefer.as_deref()) {
                        Some((li, ti, why)) => {
                            index.used_listeners[li] = true;
                            let l = &index.listeners[li];
                            spec.hops.push(proxy_hop(l));
                            pieces.push(format!(
                                "{} `{}` ({})",
                                if l.haproxy { "haproxy" } else { "nginx stream" },
                                l.name,
                                sources.display_name(&l.file)
                            ));
                            Some((ti, why))
                        }
                        None => None,
                    }
                }
                (hit, _) => hit,
            };
            match hit {
                None => {
                    let looked = match &endpoint {
                        Some(e) => format!(
                            "host `{}` matches no compose service, Kubernetes Service, PgBouncer, Terraform database or server config in the repository",
                            e.host
                        ),
                        None => "the host is not known (no value, or an environment variable no deployment file sets)".to_string(),
                    };
                    guesses.push(format!(
                        "{} of {file_name}: {looked} (TL017)",
                        setting_name(pool)
                    ));
                    let at = endpoint.as_ref().map(|e| e.at).unwrap_or(pool.anchor);
                    out.findings.push(
                        Diagnostic::new(
                            codes::DATABASE_HOST_NOT_LINKED,
                            match &endpoint {
                                Some(e) => format!(
                                    "database host `{}` ({}) matches no compose service, Kubernetes Service, PgBouncer, Terraform database or server config in the repository; this path is checked without a server",
                                    e.host,
                                    setting_name(pool)
                                ),
                                None => format!(
                                    "the database host of {} is not known (no value, or an environment variable no deployment file sets); this path is checked without a server",
                                    setting_name(pool)
                                ),
                            },
                            Label::at(at, "the host discovery looked up"),
                        )
                        .with_help("describe the path in a timeoutlint.toml (`timeoutlint init` writes a start)"),
                    );
                    pieces.push(match &endpoint {
                        Some(e) => format!("? (host `{}` not found)", e.host),
                        None => "? (host not known)".to_string(),
                    });
                }
                Some((i, why)) => {
                    index.used[i] = true;
                    guesses.push(why);
                    let first = index.targets[i].clone();
                    let server = if first.system == System::PgBouncer {
                        spec.hops.push(HopEntry::PgBouncer {
                            name: "pgbouncer".to_string(),
                            file: path_ref(&first.file, first.address.as_deref()),
                        });
                        if let Some((_, at)) = &first.kube_service {
                            spec.hops.splice(0..0, preset_hop(KUBE_PRESET, *at));
                        }
                        pieces.push(format!("{} ({})", first.label, first.from));
                        let up = first.upstream.iter().find_map(|h| {
                            resolve(index, h, None, Backend::PostgreSql, Some(&first.file))
                                .filter(|(j, _)| index.targets[*j].system != System::PgBouncer)
                        });
                        match up {
                            Some((j, why)) => {
                                index.used[j] = true;
                                guesses.push(format!("PgBouncer upstream: {why}"));
                                Some(index.targets[j].clone())
                            }
                            None => {
                                pieces.push(match first.upstream.first() {
                                    Some(h) => format!("? (PgBouncer host `{h}` not found)"),
                                    None => "? (PgBouncer upstream not known)".to_string(),
                                });
                                None
                            }
                        }
                    } else {
                        Some(first.clone())
                    };
                    if let Some(s) = server {
                        if let Some((svc, at)) = &s.kube_service
                            && first.system != System::PgBouncer
                        {
                            spec.hops.splice(0..0, preset_hop(KUBE_PRESET, *at));
                            guesses.push(format!(
                                "Kubernetes Service `{svc}` in front of the database: kube-proxy conntrack preset added"
                            ));
                        }
                        spec.db = Some(path_ref(&s.file, s.address.as_deref()));
                        pieces.push(format!("{} ({})", s.label, s.from));
                        let same_host = s.compose
                            && env.as_ref().is_some_and(|e| e.compose && e.file == s.file);
                        if !same_host && s.kube_service.is_none() {
                            unknown_network = Some(UnknownNetwork {
                                between: (name_base.clone(), format!("{} ({})", s.label, s.from)),
                                presets: presets_for(&s)
                                    .into_iter()
                                    .filter(|p| !has_preset(&spec.hops, p))
                                    .collect(),
                            });
                        }
                    }
                }
            }
            out.paths.push(Discovered {
                spec,
                pieces,
                guesses,
                unknown_network,
            });
        }
    }
}

/// The built-in preset `id` as a hop, its origin anchored at `at` (the
/// Kubernetes Service that puts it on the path).
fn preset_hop(id: &str, at: Location) -> Option<HopEntry> {
    preset_hop_at(id, Some(at))
}

/// The built-in preset `id` as a hop without an anchor.
fn preset_hop_unanchored(id: &str) -> Option<HopEntry> {
    preset_hop_at(id, None)
}

fn preset_hop_at(id: &str, at: Option<Location>) -> Option<HopEntry> {
    let preset = crate::systems::presets::find(id)?;
    let idle = crate::systems::presets::apply(&preset, None).ok()??;
    let origin = preset.origin(at);
    Some(HopEntry::Network(HopSpec {
        name: preset.name.clone(),
        idle_timeout: Sourced::new(idle, origin.clone()),
        on_idle: Sourced::new(
            preset.on_idle.unwrap_or(crate::model::OnIdle::Drop),
            origin.clone(),
        ),
        keepalive_resets: Sourced::new(preset.keepalive_resets, origin),
        caveat: preset.caveat.clone(),
        terminates: false,
        idle_between_requests: preset.idle_between_requests,
    }))
}

/// The kube-proxy conntrack preset: a Kubernetes Service's ClusterIP is
/// NATed by kube-proxy, whose conntrack entry expires idle flows.
const KUBE_PRESET: &str = "kube-proxy-conntrack";

/// True when a hop of `hops` is the preset `id`.
fn has_preset(hops: &[HopEntry], id: &str) -> bool {
    hops.iter().any(|h| match h {
        HopEntry::PresetFromFile { preset, .. } => preset == id,
        HopEntry::Network(h) => {
            matches!(&h.idle_timeout.origin, Origin::Preset { id: p, .. } if p == id)
        }
        _ => false,
    })
}

/// Presets that could sit between an app and `server`, most likely first.
fn presets_for(server: &Target) -> Vec<&'static str> {
    if server.from.starts_with("terraform") || server.from.starts_with("cloudformation") {
        vec![
            "aws-security-group",
            "aws-nat-gateway",
            "aws-nlb",
            "aws-rds-proxy",
        ]
    } else {
        vec![
            "linux-conntrack",
            "aws-nat-gateway",
            "gcp-cloud-nat",
            "azure-load-balancer",
        ]
    }
}
