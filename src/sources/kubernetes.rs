//! Kubernetes manifests: multi-document YAML (or JSON) of objects with a
//! `kind` and a `metadata.name`; list objects (`kind: List`,
//! `ConfigMapList`, ... with `items`, as `kubectl get -o yaml` writes them)
//! are read item by item.
//!
//! What is read, and the address of each candidate (`KIND/NAME` with the
//! object's `metadata.name` as written; a second object with the same
//! address and kind of candidate gets ` (2)`, ...):
//!
//! | object | field | candidate | address |
//! |---|---|---|---|
//! | `ConfigMap`, `Secret` | a `data` / `stringData` entry holding my.cnf, postgresql.conf or pgbouncer.ini ([`embedded::format_of`]); a Secret's base64 `data` is decoded, its locations all pointing at the whole value | server, [`SetBy::OptionFile`] | `ConfigMap/NAME:KEY`, `Secret/NAME:KEY` |
//! | `Deployment`, `StatefulSet`, `DaemonSet`, `ReplicaSet`, `ReplicationController`, `Job`, `CronJob`, `Pod` | each container's `env` | environment | `KIND/NAME`, or `KIND/NAME:CONTAINER` when the pod has several containers (init containers included) |
//! | same | `spec.replicas` | workers (processes = replicas) | `KIND/NAME` |
//! | same | a database container's `command`/`args` flags | server, [`SetBy::CommandLine`], flavor from `image` | `KIND/NAME` or `KIND/NAME:CONTAINER` |
//! | same | a database or PgBouncer image's container without `command`/`args` | server, flavor from `image`, its image environment variables ([`SetBy::ImageEnvironment`]) | `KIND/NAME` or `KIND/NAME:CONTAINER` |
//! | `Service` | `service.beta.kubernetes.io/aws-load-balancer-connection-idle-timeout` | idle limit `aws-clb` | `Service/NAME` |
//! | `Service` | `service.beta.kubernetes.io/aws-load-balancer-listener-attributes.PROTO-PORT: tcp.idle_timeout.seconds=N` | idle limit `aws-nlb` | `Service/NAME:PROTO-PORT` |
//! | `Ingress` | `alb.ingress.kubernetes.io/load-balancer-attributes: idle_timeout.timeout_seconds=N` | idle limit `aws-alb` | `Ingress/NAME` |
//! | `IngressClassParams` (elbv2.k8s.aws) | `spec.loadBalancerAttributes[key=idle_timeout.timeout_seconds]` | idle limit `aws-alb` | `IngressClassParams/NAME` |
//! | CloudNativePG `Cluster` | `spec.postgresql.parameters`, flavor from `spec.imageName` | server (postgres), [`SetBy::OptionFile`] | `Cluster/NAME` |
//! | CloudNativePG `Pooler` | `spec.pgbouncer.parameters` | server (pgbouncer), [`SetBy::OptionFile`] | `Pooler/NAME` |
//! | Zalando `postgresql` | `spec.postgresql.parameters`, flavor `postgres` `spec.postgresql.version` | server (postgres) | `postgresql/NAME` |
//! | Crunchy PGO / Percona PG `PostgresCluster`, `PerconaPGCluster` | `spec.patroni.dynamicConfiguration.postgresql.parameters`; `spec.proxy.pgBouncer.config.global` | server (postgres); server (pgbouncer) | `KIND/NAME`; `KIND/NAME:pgbouncer` |
//! | Oracle MySQL Operator `InnoDBCluster` | `spec.mycnf` (my.cnf text), flavor `mysql` `spec.version` | server (mysql) | `InnoDBCluster/NAME` |
//! | mariadb-operator `MariaDB` | `spec.myCnf` (my.cnf text), flavor from `spec.image` | server (mysql) | `MariaDB/NAME` |
//! | Percona `PerconaXtraDBCluster` / `PerconaServerMySQL` | `spec.pxc.configuration` / `spec.mysql.configuration` (my.cnf text) | server (mysql) | `KIND/NAME` |
//!
//! Facts and their sources:
//!
//! - The legacy in-tree AWS cloud provider's annotation
//!   `service.beta.kubernetes.io/aws-load-balancer-connection-idle-timeout`
//!   (1-4000 s) applies to Classic ELBs only
//!   (kubernetes/cloud-provider-aws `docs/service_controller.md`); for a
//!   Service whose `service.beta.kubernetes.io/aws-load-balancer-type` is
//!   `nlb`, `nlb-ip` or `external`, or whose `spec.loadBalancerClass` is
//!   `service.k8s.aws/nlb`, it is ignored by AWS and not read here.
//! - The AWS Load Balancer Controller sets NLB listener attributes from
//!   `service.beta.kubernetes.io/aws-load-balancer-listener-attributes.${PROTOCOL}-${PORT}`
//!   (a `k=v,k=v` list; kubernetes-sigs/aws-load-balancer-controller
//!   `docs/guide/service/annotations.md`); `tcp.idle_timeout.seconds` is
//!   the NLB TCP listener's idle timeout (ELBv2 API `ListenerAttribute`,
//!   <https://docs.aws.amazon.com/elasticloadbalancing/latest/network/update-idle-timeout.html>).
//! - `alb.ingress.kubernetes.io/load-balancer-attributes` is a `k=v,k=v`
//!   list of ALB attributes; `idle_timeout.timeout_seconds` is the ALB's
//!   idle timeout (same controller, `docs/guide/ingress/annotations.md`).
//! - `service.beta.kubernetes.io/aws-load-balancer-target-group-attributes`
//!   holds target-group attributes (deregistration delay, stickiness,
//!   proxy protocol), none of them an idle timeout: not read.
//! - GKE `BackendConfig` `spec.timeoutSec` is the backend service's
//!   response timeout, not an idle limit: not read.
//! - CloudNativePG writes `spec.postgresql.parameters` into the instances'
//!   postgresql.conf and `Pooler` `spec.pgbouncer.parameters` into
//!   pgbouncer.ini (<https://cloudnative-pg.io/documentation/current/postgresql_conf/>,
//!   `.../connection_pooling/`); Zalando's operator passes
//!   `spec.postgresql.parameters` to Patroni's postgresql parameters
//!   (zalando/postgres-operator `manifests/complete-postgres-manifest.yaml`);
//!   Crunchy PGO v5 `spec.patroni.dynamicConfiguration.postgresql.parameters`
//!   and `spec.proxy.pgBouncer.config.global` (PGO `PostgresCluster` CRD).
//! - Oracle's MySQL Operator `InnoDBCluster` `spec.mycnf`
//!   (<https://dev.mysql.com/doc/mysql-operator/en/mysql-operator-innodbcluster-common.html>);
//!   mariadb-operator `MariaDB` `spec.myCnf`, mounted as a `.cnf` file
//!   (<https://mariadb.com/docs/tools/mariadb-enterprise-operator/configuration>);
//!   Percona `spec.pxc.configuration` (pxc.percona.com `PerconaXtraDBCluster`).
//!
//! A `Secret`'s `data` values (base64) are all marked secret, and so are
//! its `stringData` values under secret-looking keys.
//!
//! Container environment: `value` is the text (after Kubernetes'
//! `$(VAR)` expansion from the variables defined before it in the same
//! list; `$$(` stays `$(`); `valueFrom.configMapKeyRef` to a ConfigMap of the
//! same file is resolved to that entry; any other `valueFrom` is
//! [`Written::Unresolved`]. `envFrom.configMapRef` to a ConfigMap of the same
//! file adds its entries; other `envFrom` sources cannot be listed and are
//! left out. Secret-looking names and URL/conninfo passwords are marked
//! secret.
//!
//! Container command lines, read by the command-line readers compose
//! uses too ([`crate::sources::argv`]), each `command`/`args` item one word:
//! the program is the first word of `command` + `args` (after
//! `docker-entrypoint.sh`), or, with no `command` and `args` starting with
//! `-`, the image's server when its entrypoint prepends it
//! ([`argv::entrypoint_prepends`]). `mysqld`/`mariadbd`/`mysqld_safe` read
//! `--name=value`, `--name value` and a bare `--name`; `postgres` reads
//! `-c name=value`, `-cname=value`, `--name=value` and the short options
//! `-B`/`-N`/`-p`/`-h`/`-k`/`-S`. Names are kept as written (the system
//! normalises `-`/`_`). Shell commands (`sh -c "…"`) are not read.
//!
//! A value holding a template expression (`{{ … }}`, `${…}`) is
//! [`Written::Unresolved`]; a file that does not parse as YAML is one
//! [`crate::rules::codes::SYNTAX_ERROR`] (for a template: "this file is a
//! template, not YAML; it is not read"). Nothing here holds a default.

use std::collections::BTreeMap;
use std::path::Path;

use crate::diagnostic::Diagnostic;
use crate::parse::tree::{Node, NodeKind};
use crate::source::{FileId, LoadError, Location, SourceMap, Span};
use crate::sources::argv::{self, FlagSetting, traced::Word};
use crate::sources::embedded::{
    self, ConfigFormat, Embedded, attribute_pairs, image_flavor, image_system, map_assignments,
    node_at, scalar_text, scalar_value, template_reason,
};
use crate::sources::{
    Assignment, Candidate, EnvVar, Flavor, Found, IdleLimit, ServerSettings, SetBy, System,
    Workers, Written,
};

/// Reads the Kubernetes manifest at `path`.
///
/// Errors: [`LoadError`] only when `path` cannot be read (through
/// [`SourceMap::load`]); a file that does not parse is a located diagnostic
/// and yields nothing.
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
    let mut objects: Vec<&Node> = Vec::new();
    for doc in &docs {
        if str_at(doc, &["kind"]).is_some_and(|k| k.ends_with("List")) && doc.get("items").is_some()
        {
            if let Some(NodeKind::Seq(items)) = doc.get("items").map(|n| &n.kind) {
                objects.extend(items.iter());
            }
        } else {
            objects.push(doc);
        }
    }
    let mut r = Reader {
        id,
        text: &text,
        sources,
        diags,
        config_maps: BTreeMap::new(),
        out: Vec::new(),
    };
    for o in &objects {
        if str_at(o, &["kind"]) == Some("ConfigMap")
            && let Some(name) = o.get("metadata").and_then(|m| m.get("name"))
            && let Some(name) = scalar_text(&text, name)
            && let Some(data) = o.get("data")
        {
            r.config_maps.entry(name).or_insert(data);
        }
    }
    for o in objects {
        r.object(o);
    }
    let mut out = r.out;
    embedded::unique_addresses(&mut out);
    out
}

/// The string at `path` below `node`.
fn str_at<'a>(node: &'a Node, path: &[&str]) -> Option<&'a str> {
    node_at(node, path)?.as_str()
}

fn seq(node: Option<&Node>) -> &[Node] {
    match node.map(|n| &n.kind) {
        Some(NodeKind::Seq(items)) => items,
        _ => &[],
    }
}

struct Reader<'a> {
    id: FileId,
    text: &'a str,
    sources: &'a mut SourceMap,
    diags: &'a mut Vec<Diagnostic>,
    /// ConfigMaps of this file by name: their `data`.
    config_maps: BTreeMap<String, &'a Node>,
    out: Vec<Candidate>,
}

const WORKLOADS: &[&str] = &[
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "CronJob",
    "Pod",
];

impl<'a> Reader<'a> {
    fn loc(&self, span: Span) -> Location {
        Location::new(self.id, span)
    }

    fn object(&mut self, o: &'a Node) {
        let Some(kind) = str_at(o, &["kind"]) else {
            return;
        };
        let api = str_at(o, &["apiVersion"]).unwrap_or("");
        let group = api.split('/').next().unwrap_or("");
        let name_node = o.get("metadata").and_then(|m| m.get("name"));
        let name = name_node
            .and_then(|n| scalar_text(self.text, n))
            .unwrap_or_default();
        let at = name_node
            .or_else(|| o.get("kind"))
            .map_or(o.span, |n| n.span);
        let base = format!("{kind}/{name}");
        match kind {
            "ConfigMap" => self.config_data(o.get("data"), &base),
            "Secret" => {
                self.mark_secret_data(o);
                self.config_data(o.get("stringData"), &base);
                self.secret_data(o.get("data"), o.get("stringData"), &base);
            }
            k if WORKLOADS.contains(&k) => self.workload(kind, o, &base, at),
            "Service" => self.service(o, &name, at),
            "Ingress" => self.ingress(o, &base, at),
            "IngressClassParams" => self.ingress_class_params(o, &base, at),
            "Cluster" if group == "postgresql.cnpg.io" => self.cnpg_cluster(o, &base, at),
            "Pooler" if group == "postgresql.cnpg.io" => self.cnpg_pooler(o, &base, at),
            "postgresql" if group == "acid.zalan.do" => self.zalando(o, &base, at),
            "PostgresCluster" | "PerconaPGCluster" => self.crunchy(o, &base, at),
            "InnoDBCluster" => {
                let flavor = node_at(o, &["spec", "version"])
                    .and_then(|v| scalar_text(self.text, v).map(|t| (t, v.span)))
                    .map(|(t, span)| Flavor {
                        product: "mysql".into(),
                        version: Some(t),
                        at: self.loc(span),
                    });
                self.embedded_server(node_at(o, &["spec", "mycnf"]), &base, at, flavor);
            }
            "MariaDB" => {
                let flavor = node_at(o, &["spec", "image"])
                    .and_then(|n| image_flavor(self.id, self.text, n));
                self.embedded_server(node_at(o, &["spec", "myCnf"]), &base, at, flavor);
            }
            "PerconaXtraDBCluster" => {
                let flavor = node_at(o, &["spec", "pxc", "image"])
                    .and_then(|n| image_flavor(self.id, self.text, n));
                let conf = node_at(o, &["spec", "pxc", "configuration"]);
                self.embedded_server(conf, &base, at, flavor);
            }
            "PerconaServerMySQL" => {
                let flavor = node_at(o, &["spec", "mysql", "image"])
                    .and_then(|n| image_flavor(self.id, self.text, n));
                let conf = node_at(o, &["spec", "mysql", "configuration"]);
                self.embedded_server(conf, &base, at, flavor);
            }
            _ => {}
        }
    }

    fn push(&mut self, address: String, at: Span, found: Found) {
        let at = self.loc(at);
        self.out.push(Candidate { address, at, found });
    }

    fn server(
        &mut self,
        address: String,
        at: Span,
        system: System,
        flavor: Option<Flavor>,
        assignments: Vec<Assignment>,
    ) {
        self.push(
            address,
            at,
            Found::Server(ServerSettings {
                system,
                flavor,
                assignments,
            }),
        );
    }

    /// A my.cnf text of an operator's custom resource.
    fn embedded_server(
        &mut self,
        conf: Option<&Node>,
        address: &str,
        at: Span,
        flavor: Option<Flavor>,
    ) {
        let Some(conf) = conf else { return };
        let Some(emb) = Embedded::of(self.text, conf) else {
            return;
        };
        let a = embedded::read_config(ConfigFormat::MyCnf, &emb, self.id, self.sources, self.diags);
        self.server(address.to_string(), at, System::Mysql, flavor, a);
    }

    /// A Secret's `data` values (base64) are all secret; so are the
    /// `stringData` values under secret-looking keys.
    fn mark_secret_data(&mut self, o: &Node) {
        let mut spans: Vec<Span> = Vec::new();
        for (_, v) in o.get("data").and_then(Node::as_map).unwrap_or(&[]) {
            spans.push(v.span);
        }
        for (k, v) in o.get("stringData").and_then(Node::as_map).unwrap_or(&[]) {
            if crate::secrets::is_secret_var_name(&k.text) {
                spans.push(v.span);
            }
        }
        for s in spans {
            self.sources.get_mut(self.id).mark_secret(s);
        }
    }

    /// A Secret's base64 `data` entries holding a config text: decoded and
    /// read, every location pointing at the whole base64 value. A key also
    /// in `stringData` is skipped: Kubernetes writes `stringData` over
    /// `data` (<https://kubernetes.io/docs/concepts/configuration/secret/>).
    fn secret_data(&mut self, data: Option<&Node>, string_data: Option<&Node>, base: &str) {
        let Some(entries) = data.and_then(Node::as_map) else {
            return;
        };
        for (k, v) in entries {
            if string_data.is_some_and(|sd| sd.get(&k.text).is_some()) {
                continue;
            }
            let Some(text) = v.as_str().and_then(base64_text) else {
                continue;
            };
            self.config_entry(base, k, &Embedded::coarse(text, v.span));
        }
    }

    fn config_data(&mut self, data: Option<&Node>, base: &str) {
        let Some(entries) = data.and_then(Node::as_map) else {
            return;
        };
        for (k, v) in entries {
            let Some(emb) = Embedded::of(self.text, v) else {
                continue;
            };
            self.config_entry(base, k, &emb);
        }
    }

    /// One `data`/`stringData` entry: a server candidate `BASE:KEY` when the
    /// entry holds a config file ([`embedded::format_of`]).
    fn config_entry(&mut self, base: &str, k: &crate::parse::tree::Key, emb: &Embedded) {
        let Some(format) = embedded::format_of(&k.text, emb.text()) else {
            return;
        };
        let a = embedded::read_config(format, emb, self.id, self.sources, self.diags);
        let address = format!("{base}:{}", k.text);
        self.server(address, k.span, format.system(), None, a);
    }

    fn workload(&mut self, kind: &str, o: &'a Node, base: &str, at: Span) {
        let spec = o.get("spec");
        let pod = match kind {
            "Pod" => spec,
            "CronJob" => {
                spec.and_then(|s| node_at(s, &["jobTemplate", "spec", "template", "spec"]))
            }
            _ => spec.and_then(|s| node_at(s, &["template", "spec"])),
        };
        if kind != "DaemonSet"
            && kind != "Job"
            && kind != "CronJob"
            && kind != "Pod"
            && let Some(r) = spec.and_then(|s| s.get("replicas"))
            && let NodeKind::Int(n) = r.kind
            && n >= 0
        {
            let w = Workers {
                processes: vec![(n as u64, self.loc(r.span))],
                ..Workers::default()
            };
            self.push(base.to_string(), at, Found::Workers(w));
        }
        let Some(pod) = pod else { return };
        let containers: Vec<&'a Node> = seq(pod.get("initContainers"))
            .iter()
            .chain(seq(pod.get("containers")))
            .collect();
        let several = containers.len() > 1;
        for c in containers {
            let cname = c
                .get("name")
                .and_then(|n| scalar_text(self.text, n))
                .unwrap_or_default();
            let address = if several {
                format!("{base}:{cname}")
            } else {
                base.to_string()
            };
            let cat = c.get("name").map_or(c.span, |n| n.span);
            let env = self.env(c);
            let before = self.out.len();
            self.command_line(c, &address, cat);
            if self.out.len() == before {
                self.image_server(c, &env, &address, cat);
            }
            if !env.is_empty() {
                self.push(address.clone(), cat, Found::AppEnv(env));
            }
        }
    }

    /// A container's environment, in order.
    fn env(&mut self, c: &'a Node) -> Vec<EnvVar> {
        let mut out: Vec<EnvVar> = Vec::new();
        for from in seq(c.get("envFrom")) {
            let Some(cm) = node_at(from, &["configMapRef", "name"]).and_then(Node::as_str) else {
                continue;
            };
            let prefix = from.get("prefix").and_then(Node::as_str).unwrap_or("");
            let Some(data) = self.config_maps.get(cm).copied() else {
                continue;
            };
            for (k, v) in data.as_map().unwrap_or(&[]) {
                let value = scalar_value(self.text, v);
                self.mark_env_secret(&k.text, v);
                out.push(EnvVar {
                    name: format!("{prefix}{}", k.text),
                    value,
                    at: self.loc(v.span),
                });
            }
        }
        for e in seq(c.get("env")) {
            let Some(name) = e.get("name").and_then(|n| scalar_text(self.text, n)) else {
                continue;
            };
            let name_span = e.get("name").map_or(e.span, |n| n.span);
            let (value, at) = if let Some(v) = e.get("value") {
                self.mark_env_secret(&name, v);
                let value = match scalar_value(self.text, v) {
                    Written::Text(t) => expand(&t, &out),
                    other => other,
                };
                (value, v.span)
            } else if let Some(from) = e.get("valueFrom") {
                self.value_from(from)
            } else {
                (Written::Text(String::new()), name_span)
            };
            // A later definition of the same name replaces the earlier one.
            out.retain(|v| v.name != name);
            out.push(EnvVar {
                name,
                value,
                at: self.loc(at),
            });
        }
        out
    }

    fn value_from(&mut self, from: &Node) -> (Written, Span) {
        if let Some(r) = from.get("configMapKeyRef") {
            let cm = str_at(r, &["name"]).unwrap_or("");
            let key = str_at(r, &["key"]).unwrap_or("");
            if let Some(v) = self.config_maps.get(cm).and_then(|d| d.get(key)) {
                self.mark_env_secret(key, v);
                return (scalar_value(self.text, v), v.span);
            }
            return (
                Written::Unresolved(format!(
                    "set from key `{key}` of ConfigMap `{cm}`, which this file does not hold"
                )),
                from.span,
            );
        }
        if let Some(r) = from.get("secretKeyRef") {
            let s = str_at(r, &["name"]).unwrap_or("");
            let key = str_at(r, &["key"]).unwrap_or("");
            return (
                Written::Unresolved(format!("set from key `{key}` of Secret `{s}`")),
                from.span,
            );
        }
        (
            Written::Unresolved("set from a field or resource reference of the pod".into()),
            from.span,
        )
    }

    /// Marks the value of an environment variable as secret when its name
    /// looks secret, and any URL or conninfo password inside it (the rules
    /// compose uses: [`embedded::mark_secret_value`]).
    fn mark_env_secret(&mut self, name: &str, v: &Node) {
        if let Some(t) = argv::scalar_traced(self.id, self.text, v) {
            embedded::mark_secret_value(self.sources, name, &t);
        }
    }

    /// A container running a database or PgBouncer image without server
    /// flags (the image's own entrypoint and command): a server with the
    /// settings its environment variables give (the bitnami and edoburu
    /// images turn them into config lines, as in compose:
    /// [`crate::sources::compose::images::env_role`]), so a Service in front
    /// of it can be linked to it.
    fn image_server(&mut self, c: &Node, env: &[EnvVar], address: &str, at: Span) {
        use crate::sources::compose::images::{self, EnvRole};
        if !seq(c.get("command")).is_empty() || !seq(c.get("args")).is_empty() {
            return;
        }
        let Some(image) = c.get("image").and_then(|n| scalar_text(self.text, n)) else {
            return;
        };
        let Some(img) = images::recognise(&image) else {
            return;
        };
        let flavor = c
            .get("image")
            .and_then(|n| image_flavor(self.id, self.text, n));
        let assignments = env
            .iter()
            .filter_map(|e| match images::env_role(img.product, &e.name)? {
                EnvRole::Setting(key) => Some(Assignment {
                    name: key.to_string(),
                    name_at: e.at,
                    value: e.value.clone(),
                    value_at: e.at,
                    set_by: SetBy::ImageEnvironment,
                }),
                EnvRole::ExtraFlags => None,
            })
            .collect();
        self.server(address.to_string(), at, img.system, flavor, assignments);
    }

    /// Server flags in a database container's `command` / `args`, read by
    /// the shared command-line readers ([`argv::server_command`],
    /// [`argv::mysqld_flags`], [`argv::postgres_flags`]), one YAML item a word.
    fn command_line(&mut self, c: &Node, address: &str, at: Span) {
        let command = seq(c.get("command"));
        let args = seq(c.get("args"));
        let words: Vec<Word> = command
            .iter()
            .chain(args)
            .take(argv::traced::MAX_WORDS)
            .filter_map(|w| argv::scalar_word(self.id, self.text, w))
            .collect();
        let flavor = c
            .get("image")
            .and_then(|n| image_flavor(self.id, self.text, n));
        let product = flavor.as_ref().map(|f| f.product.as_str());
        let Some((system, rest)) = argv::server_command(&words, product, !command.is_empty())
        else {
            return;
        };
        let flags = match system {
            System::Mysql => argv::mysqld_flags(&rest),
            _ => argv::postgres_flags(&rest),
        };
        argv::mark_secrets(self.sources, &flags);
        let a = flags
            .into_iter()
            .map(FlagSetting::into_assignment)
            .collect();
        let flavor = flavor.filter(|f| image_system(&f.product) == Some(system));
        self.server(address.to_string(), at, system, flavor, a);
    }

    fn annotation<'n>(o: &'n Node, key: &str) -> Option<&'n Node> {
        node_at(o, &["metadata", "annotations", key])
    }

    fn service(&mut self, o: &Node, name: &str, at: Span) {
        const TYPE: &str = "service.beta.kubernetes.io/aws-load-balancer-type";
        const CLB_IDLE: &str =
            "service.beta.kubernetes.io/aws-load-balancer-connection-idle-timeout";
        const LISTENER: &str = "service.beta.kubernetes.io/aws-load-balancer-listener-attributes.";
        let lb_type = Self::annotation(o, TYPE)
            .and_then(|n| scalar_text(self.text, n))
            .unwrap_or_default()
            .to_ascii_lowercase();
        let class = str_at(o, &["spec", "loadBalancerClass"]).unwrap_or("");
        let nlb = matches!(lb_type.as_str(), "nlb" | "nlb-ip" | "external")
            || class == "service.k8s.aws/nlb";
        if !nlb && let Some(v) = Self::annotation(o, CLB_IDLE) {
            self.idle(
                format!("Service/{name}"),
                at,
                "aws-clb",
                scalar_value(self.text, v),
                v.span,
            );
        }
        let Some(ann) = node_at(o, &["metadata", "annotations"]).and_then(Node::as_map) else {
            return;
        };
        for (k, v) in ann {
            let Some(listener) = k.text.strip_prefix(LISTENER) else {
                continue;
            };
            self.attribute_limit(
                v,
                "tcp.idle_timeout.seconds",
                &format!("Service/{name}:{listener}"),
                at,
                "aws-nlb",
            );
        }
    }

    /// An idle limit in a `k=v,k=v` attribute list held by `v`.
    fn attribute_limit(
        &mut self,
        v: &Node,
        key: &str,
        address: &str,
        at: Span,
        preset: &'static str,
    ) {
        let Some(emb) = Embedded::of(self.text, v) else {
            return;
        };
        for (k, _, value, vs) in attribute_pairs(emb.text()) {
            if k == key {
                let written = match template_reason(&value) {
                    Some(why) => Written::Unresolved(why),
                    None => Written::Text(value),
                };
                let span = emb.span(vs);
                self.idle(address.to_string(), at, preset, written, span);
            }
        }
    }

    fn idle(
        &mut self,
        address: String,
        at: Span,
        preset: &'static str,
        value: Written,
        span: Span,
    ) {
        let limit = IdleLimit {
            preset,
            value,
            unit_secs: 1,
            at: self.loc(span),
        };
        self.push(address, at, Found::IdleLimit(limit));
    }

    fn ingress(&mut self, o: &Node, base: &str, at: Span) {
        if let Some(v) = Self::annotation(o, "alb.ingress.kubernetes.io/load-balancer-attributes") {
            self.attribute_limit(v, "idle_timeout.timeout_seconds", base, at, "aws-alb");
        }
    }

    fn ingress_class_params(&mut self, o: &Node, base: &str, at: Span) {
        for attr in seq(node_at(o, &["spec", "loadBalancerAttributes"])) {
            if str_at(attr, &["key"]) == Some("idle_timeout.timeout_seconds")
                && let Some(v) = attr.get("value")
            {
                let value = scalar_value(self.text, v);
                self.idle(base.to_string(), at, "aws-alb", value, v.span);
            }
        }
    }

    fn params(&mut self, node: Option<&Node>) -> Option<Vec<Assignment>> {
        let node = node?;
        node.as_map()?;
        Some(map_assignments(
            self.id,
            self.text,
            node,
            SetBy::OptionFile,
            self.sources,
        ))
    }

    fn cnpg_cluster(&mut self, o: &Node, base: &str, at: Span) {
        let flavor =
            node_at(o, &["spec", "imageName"]).and_then(|n| image_flavor(self.id, self.text, n));
        if let Some(a) = self.params(node_at(o, &["spec", "postgresql", "parameters"])) {
            self.server(base.to_string(), at, System::Postgres, flavor, a);
        }
    }

    /// A CloudNativePG `Pooler`: `spec.pgbouncer.parameters`, and
    /// `spec.pgbouncer.poolMode` as PgBouncer's `pool_mode` (the operator
    /// writes it into pgbouncer.ini; `session` or `transaction`, default
    /// `session`: https://cloudnative-pg.io/documentation/current/connection_pooling).
    fn cnpg_pooler(&mut self, o: &Node, base: &str, at: Span) {
        let params = self.params(node_at(o, &["spec", "pgbouncer", "parameters"]));
        let mode = node_at(o, &["spec", "pgbouncer"])
            .and_then(Node::as_map)
            .and_then(|m| m.iter().find(|(k, _)| k.text == "poolMode"))
            .map(|(k, v)| Assignment {
                name: "pool_mode".to_string(),
                name_at: Location::new(self.id, k.span),
                value: scalar_value(self.text, v),
                value_at: Location::new(self.id, v.span),
                set_by: SetBy::OptionFile,
            });
        if params.is_none() && mode.is_none() {
            return;
        }
        let mut a: Vec<Assignment> = mode.into_iter().collect();
        a.extend(params.unwrap_or_default());
        self.server(base.to_string(), at, System::PgBouncer, None, a);
    }

    fn zalando(&mut self, o: &Node, base: &str, at: Span) {
        let flavor = node_at(o, &["spec", "postgresql", "version"]).and_then(|v| {
            Some(Flavor {
                product: "postgres".into(),
                version: Some(scalar_text(self.text, v)?),
                at: self.loc(v.span),
            })
        });
        if let Some(a) = self.params(node_at(o, &["spec", "postgresql", "parameters"])) {
            self.server(base.to_string(), at, System::Postgres, flavor, a);
        }
    }

    fn crunchy(&mut self, o: &Node, base: &str, at: Span) {
        let path = [
            "spec",
            "patroni",
            "dynamicConfiguration",
            "postgresql",
            "parameters",
        ];
        let flavor = node_at(o, &["spec", "postgresVersion"]).and_then(|v| {
            Some(Flavor {
                product: "postgres".into(),
                version: Some(scalar_text(self.text, v)?),
                at: self.loc(v.span),
            })
        });
        if let Some(a) = self.params(node_at(o, &path)) {
            self.server(base.to_string(), at, System::Postgres, flavor, a);
        }
        let bouncer = ["spec", "proxy", "pgBouncer", "config", "global"];
        if let Some(a) = self.params(node_at(o, &bouncer)) {
            self.server(format!("{base}:pgbouncer"), at, System::PgBouncer, None, a);
        }
    }
}

/// Decodes standard base64 (RFC 4648 §4, `=` padding optional, blanks
/// and line breaks ignored) holding UTF-8 text, as Kubernetes stores a
/// Secret's `data`. `None` for anything else.
fn base64_text(s: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(s.len() / 4 * 3);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' | b' ' | b'\n' | b'\r' | b'\t' => continue,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            bytes.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    String::from_utf8(bytes).ok()
}

/// Kubernetes' `$(VAR)` expansion of a container env value against the
/// variables defined before it: a defined variable's text replaces it, an
/// undefined one stays as written, `$$` is a literal `$`
/// (<https://kubernetes.io/docs/tasks/inject-data-application/define-interdependent-environment-variables/>).
/// A reference to a variable whose value is unknown makes the result unknown.
fn expand(value: &str, before: &[EnvVar]) -> Written {
    if !value.contains('$') {
        return Written::Text(value.to_string());
    }
    let mut out = String::new();
    let mut rest = value;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(r) = after.strip_prefix('$') {
            out.push('$');
            rest = r;
        } else if let Some(r) = after.strip_prefix('(')
            && let Some(close) = r.find(')')
        {
            let var = &r[..close];
            match before.iter().rev().find(|v| v.name == var) {
                Some(EnvVar {
                    value: Written::Text(t),
                    ..
                }) => out.push_str(t),
                Some(_) => {
                    return Written::Unresolved(format!(
                        "refers to `$({var})`, whose value is unknown"
                    ));
                }
                None => {
                    out.push_str("$(");
                    out.push_str(var);
                    out.push(')');
                }
            }
            rest = &r[close + 1..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    Written::Text(out)
}

#[cfg(test)]
mod tests;
