//! The resources of the named file, one handler per resource type, and the
//! links between them (an instance and its parameter group, a listener and
//! its load balancer, a flexible server and its configurations). The
//! attributes read and their sources are listed in the module doc of
//! `super` (docs/sources/terraform.md).

use hcl_edit::expr::{Expression, TraversalOperator};
use hcl_edit::structure::{Block, Body};

use super::eval::{self, Eval, Resource, Scope, Val};
use super::{Product, assignment, attr, cloud_sql_product, header, modules, rds_product, written};
use crate::source::{FileId, Location};
use crate::sources::{Assignment, Candidate, Flavor, Found, IdleLimit, ServerSettings, System};

/// The collector of one file's candidates.
pub(super) struct Cx<'s, 'a> {
    pub(super) ev: Eval<'s, 'a>,
    pub(super) scope: &'s Scope<'a>,
    pub(super) out: Vec<Candidate>,
}

/// A server found: system, flavor and assignments.
pub(super) struct ServerFound {
    pub(super) system: Option<System>,
    pub(super) flavor: Option<Flavor>,
    pub(super) assignments: Vec<Assignment>,
}

impl Cx<'_, '_> {
    pub(super) fn push_server(&mut self, address: String, at: Location, s: ServerFound) {
        let Some(system) = s.system else { return };
        self.out.push(Candidate {
            address,
            at,
            found: Found::Server(ServerSettings {
                system,
                flavor: s.flavor,
                assignments: s.assignments,
            }),
        });
    }

    /// An idle-limit candidate from `expr`; an absent or null attribute is
    /// [`crate::sources::Written::Unset`] at the resource (the provider's
    /// default applies).
    pub(super) fn push_idle(
        &mut self,
        address: String,
        at: Location,
        expr: Option<&Expression>,
        file: FileId,
        preset: &'static str,
        unit_secs: u64,
    ) {
        let unset = |at: Location| {
            Found::IdleLimit(IdleLimit {
                preset,
                value: crate::sources::Written::Unset,
                unit_secs,
                at,
            })
        };
        let Some(expr) = expr else {
            self.out.push(Candidate {
                address,
                at,
                found: unset(at),
            });
            return;
        };
        let val = self.ev.eval(expr, file);
        if matches!(val, Val::Null(_)) {
            self.out.push(Candidate {
                address,
                at,
                found: unset(at),
            });
            return;
        }
        self.out.push(Candidate {
            address,
            at,
            found: Found::IdleLimit(IdleLimit {
                preset,
                value: written(&val, false),
                unit_secs,
                at: val.at(),
            }),
        });
    }

    /// Product and version from a family / engine text attribute.
    pub(super) fn flavor_of(
        &mut self,
        expr: Option<&Expression>,
        version: Option<&Expression>,
        file: FileId,
        table: fn(&str) -> Option<Product>,
    ) -> Option<(System, Flavor)> {
        let val = self.ev.eval(expr?, file);
        let Val::Text(t, at) = val else { return None };
        let (system, product, mut v) = table(&t)?;
        if let Some(e) = version
            && let Val::Text(ver, _) = self.ev.eval(e, file)
        {
            v = Some(ver);
        }
        Some((
            system,
            Flavor {
                product: product.to_string(),
                version: v,
                at,
            },
        ))
    }

    pub(super) fn block(&mut self, block: &Block, file: FileId) {
        match block.ident.as_str() {
            "resource" => {
                if let Some((kind, name)) = eval::resource_labels(block) {
                    self.resource(kind, name, block, file);
                }
            }
            "module" if block.labels.len() == 1 => {
                modules::module(self, block.labels[0].as_str(), block, file);
            }
            _ => {}
        }
    }

    fn resource(&mut self, kind: &str, name: &str, block: &Block, file: FileId) {
        let address = format!("{kind}.{name}");
        let at = header(block, file);
        let body = &block.body;
        match kind {
            "aws_db_parameter_group" | "aws_rds_cluster_parameter_group" => {
                let s = self.parameter_group(body, file);
                self.push_server(address, at, s);
            }
            "aws_db_instance" | "aws_rds_cluster" | "aws_rds_cluster_instance" => {
                let s = self.rds_instance(kind, body, file);
                self.push_server(address, at, s);
            }
            "google_sql_database_instance" => {
                let flavor = self.flavor_of(
                    attr(body, "database_version"),
                    None,
                    file,
                    cloud_sql_product,
                );
                let mut assignments = Vec::new();
                for settings in body.get_blocks("settings") {
                    self.nested(
                        &settings.body,
                        file,
                        "database_flags",
                        &mut assignments,
                        false,
                    );
                }
                self.push_server(
                    address,
                    at,
                    ServerFound {
                        system: flavor.as_ref().map(|f| f.0),
                        flavor: flavor.map(|f| f.1),
                        assignments,
                    },
                );
            }
            "aws_lb" | "aws_alb" => {
                let application = match attr(body, "load_balancer_type") {
                    None => true,
                    Some(e) => {
                        matches!(self.ev.eval(e, file), Val::Text(t, _) if t == "application")
                    }
                };
                if application {
                    self.push_idle(address, at, attr(body, "idle_timeout"), file, "aws-alb", 1);
                }
            }
            "aws_elb" => {
                self.push_idle(address, at, attr(body, "idle_timeout"), file, "aws-clb", 1);
            }
            "aws_lb_listener" => {
                // The attribute exists for TCP listeners only ("If the
                // listener uses a protocol other than TCP, this tab is not
                // present", NLB update-idle-timeout docs); a gateway
                // listener has no protocol.
                if let Some(p) = attr(body, "protocol")
                    && let Val::Text(p, _) = self.ev.eval(p, file)
                    && !p.eq_ignore_ascii_case("TCP")
                {
                    return;
                }
                let preset = if self.listener_on_gateway(body) {
                    "aws-gateway-lb"
                } else {
                    "aws-nlb"
                };
                self.push_idle(
                    address,
                    at,
                    attr(body, "tcp_idle_timeout_seconds"),
                    file,
                    preset,
                    1,
                );
            }
            "aws_db_proxy" => {
                self.push_idle(
                    address,
                    at,
                    attr(body, "idle_client_timeout"),
                    file,
                    "aws-rds-proxy",
                    1,
                );
            }
            "google_compute_router_nat" => {
                self.push_idle(
                    address,
                    at,
                    attr(body, "tcp_established_idle_timeout_sec"),
                    file,
                    "gcp-cloud-nat",
                    1,
                );
            }
            "azurerm_lb_rule"
            | "azurerm_lb_outbound_rule"
            | "azurerm_lb_nat_rule"
            | "azurerm_public_ip" => {
                self.push_idle(
                    address,
                    at,
                    attr(body, "idle_timeout_in_minutes"),
                    file,
                    "azure-load-balancer",
                    60,
                );
            }
            "azurerm_nat_gateway" => {
                self.push_idle(
                    address,
                    at,
                    attr(body, "idle_timeout_in_minutes"),
                    file,
                    "azure-nat-gateway",
                    60,
                );
            }
            _ => {}
        }
    }

    /// Assignments of the `ident { name value }` blocks of `body`, static
    /// and `dynamic "ident"` over a known list or map.
    fn nested(
        &mut self,
        body: &Body,
        file: FileId,
        ident: &str,
        out: &mut Vec<Assignment>,
        rds: bool,
    ) {
        for s in body.iter() {
            let Some(b) = s.as_block() else { continue };
            if b.ident.as_str() == ident {
                out.extend(self.name_value(&b.body, file, rds));
            } else if b.ident.as_str() == "dynamic"
                && b.labels.len() == 1
                && b.labels[0].as_str() == ident
            {
                self.dynamic(b, file, out, rds);
            }
        }
    }

    fn name_value(&mut self, body: &Body, file: FileId, rds: bool) -> Option<Assignment> {
        let name = self.ev.eval(attr(body, "name")?, file);
        let value = self.ev.eval(attr(body, "value")?, file);
        assignment(&name, &value, rds)
    }

    /// A `dynamic` block: its `content` once per element of `for_each`
    /// (the iterator, named by `iterator` or the label, is `{key, value}`).
    fn dynamic(&mut self, block: &Block, file: FileId, out: &mut Vec<Assignment>, rds: bool) {
        let Some(content) = block.body.get_blocks("content").next() else {
            return;
        };
        let Some(for_each) = attr(&block.body, "for_each") else {
            return;
        };
        let iterator = match attr(&block.body, "iterator") {
            Some(Expression::Variable(v)) => v.as_str().to_string(),
            _ => block.labels[0].as_str().to_string(),
        };
        let items: Vec<(Val, Val)> = match self.ev.eval(for_each, file) {
            Val::List(items, at) => items
                .into_iter()
                .enumerate()
                .map(|(i, v)| (Val::Text(i.to_string(), at), v))
                .collect(),
            Val::Map(items, at) => items
                .into_iter()
                .map(|(k, v)| (Val::Text(k, at), v))
                .collect(),
            _ => return,
        };
        for (key, value) in items.into_iter().take(eval::MAX_ITEMS) {
            let at = value.at();
            let bound = Val::Map(
                vec![("key".to_string(), key), ("value".to_string(), value)],
                at,
            );
            let a = self.ev.with_binding(&iterator, bound, |ev| {
                let name = ev.eval(attr(&content.body, "name")?, file);
                let value = ev.eval(attr(&content.body, "value")?, file);
                assignment(&name, &value, rds)
            });
            out.extend(a);
        }
    }

    /// An `aws_db_parameter_group` / `aws_rds_cluster_parameter_group`.
    fn parameter_group(&mut self, body: &Body, file: FileId) -> ServerFound {
        let flavor = self.flavor_of(attr(body, "family"), None, file, rds_product);
        let mut assignments = Vec::new();
        self.nested(body, file, "parameter", &mut assignments, true);
        ServerFound {
            system: flavor.as_ref().map(|f| f.0),
            flavor: flavor.map(|f| f.1),
            assignments,
        }
    }

    /// The resource of one of `kinds` that `expr` names: a reference
    /// `kind.name.attr`, or a text equal to a group's literal `name`.
    fn linked(
        &mut self,
        expr: &Expression,
        file: FileId,
        kinds: &[&str],
    ) -> Option<(FileId, usize)> {
        if let Expression::Traversal(t) = expr
            && let Expression::Variable(root) = &t.expr
            && kinds.contains(&root.as_str())
            && let Some(TraversalOperator::GetAttr(name)) = t.operators.first().map(|o| o.value())
        {
            return self
                .scope
                .resources
                .iter()
                .position(|r| r.kind == root.as_str() && r.name == name.as_str())
                .map(|i| (self.scope.resources[i].file, i));
        }
        let Val::Text(wanted, _) = self.ev.eval(expr, file) else {
            return None;
        };
        let scope = self.scope;
        scope.resources.iter().enumerate().find_map(|(i, r)| {
            if !kinds.contains(&r.kind) {
                return None;
            }
            let n = attr(&r.block.body, "name")?;
            match self.ev.eval(n, r.file) {
                Val::Text(t, _) if t == wanted => Some((r.file, i)),
                _ => None,
            }
        })
    }

    /// The group `res` as a server (family and assignments).
    fn group_at(&mut self, index: usize) -> ServerFound {
        let scope = self.scope;
        let r: &Resource = &scope.resources[index];
        self.parameter_group(&r.block.body, r.file)
    }

    /// `aws_db_instance`, `aws_rds_cluster`, `aws_rds_cluster_instance`.
    fn rds_instance(&mut self, kind: &str, body: &Body, file: FileId) -> ServerFound {
        let engine = self.flavor_of(
            attr(body, "engine"),
            attr(body, "engine_version"),
            file,
            rds_product,
        );
        let mut groups = Vec::new();
        match kind {
            "aws_db_instance" => {
                if let Some(e) = attr(body, "parameter_group_name") {
                    groups.extend(self.linked(e, file, &["aws_db_parameter_group"]));
                }
            }
            "aws_rds_cluster" => {
                if let Some(e) = attr(body, "db_cluster_parameter_group_name") {
                    groups.extend(self.linked(e, file, &["aws_rds_cluster_parameter_group"]));
                }
            }
            _ => {
                if let Some(e) = attr(body, "cluster_identifier")
                    && let Some((_, ci)) = self.linked(e, file, &["aws_rds_cluster"])
                {
                    let scope = self.scope;
                    let cluster = &scope.resources[ci];
                    if let Some(e) = attr(&cluster.block.body, "db_cluster_parameter_group_name") {
                        groups.extend(self.linked(
                            e,
                            cluster.file,
                            &["aws_rds_cluster_parameter_group"],
                        ));
                    }
                }
                if let Some(e) = attr(body, "db_parameter_group_name") {
                    groups.extend(self.linked(e, file, &["aws_db_parameter_group"]));
                }
            }
        }
        let mut found = ServerFound {
            system: engine.as_ref().map(|e| e.0),
            flavor: engine.map(|e| e.1),
            assignments: Vec::new(),
        };
        for (_, index) in groups {
            let g = self.group_at(index);
            if found.system.is_none() {
                found.system = g.system;
                found.flavor = g.flavor;
            }
            found.assignments.extend(g.assignments);
        }
        found
    }

    /// True when a listener's `load_balancer_arn` names an `aws_lb` of type
    /// `gateway` in the folder.
    fn listener_on_gateway(&mut self, body: &Body) -> bool {
        let Some(Expression::Traversal(t)) = attr(body, "load_balancer_arn") else {
            return false;
        };
        let Expression::Variable(root) = &t.expr else {
            return false;
        };
        let Some(TraversalOperator::GetAttr(name)) = t.operators.first().map(|o| o.value()) else {
            return false;
        };
        let scope = self.scope;
        let Some(lb) = scope.resource(root.as_str(), name.as_str()) else {
            return false;
        };
        let Some(ty) = attr(&lb.block.body, "load_balancer_type") else {
            return false;
        };
        matches!(self.ev.eval(ty, lb.file), Val::Text(t, _) if t == "gateway")
    }

    /// Azure flexible servers: one candidate per server the file declares
    /// or configures, with every configuration of the folder.
    pub(super) fn flexible_servers(&mut self, main: FileId) {
        const KINDS: &[(&str, &str, System, &str)] = &[
            (
                "azurerm_mysql_flexible_server_configuration",
                "azurerm_mysql_flexible_server",
                System::Mysql,
                "mysql",
            ),
            (
                "azurerm_postgresql_flexible_server_configuration",
                "azurerm_postgresql_flexible_server",
                System::Postgres,
                "postgres",
            ),
        ];
        let scope = self.scope;
        for (config_kind, server_kind, system, product) in KINDS {
            // Server names in order of first appearance in the named file.
            let mut servers: Vec<(String, Location)> = Vec::new();
            let mut configs: Vec<(String, &Resource)> = Vec::new();
            for r in &scope.resources {
                if r.kind == *server_kind && r.file == main {
                    if !servers.iter().any(|(n, _)| n == r.name) {
                        servers.push((r.name.to_string(), header(r.block, r.file)));
                    }
                } else if r.kind == *config_kind
                    && let Some(Expression::Traversal(t)) = attr(&r.block.body, "server_id")
                    && let Expression::Variable(root) = &t.expr
                    && root.as_str() == *server_kind
                    && let Some(TraversalOperator::GetAttr(n)) =
                        t.operators.first().map(|o| o.value())
                {
                    configs.push((n.as_str().to_string(), r));
                    if r.file == main && !servers.iter().any(|(s, _)| s == n.as_str()) {
                        let at = scope
                            .resource(server_kind, n.as_str())
                            .filter(|s| s.file == main)
                            .map_or_else(|| header(r.block, r.file), |s| header(s.block, s.file));
                        servers.push((n.as_str().to_string(), at));
                    }
                }
            }
            for (name, at) in servers {
                let mut assignments = Vec::new();
                for (_, r) in configs.iter().filter(|(n, _)| *n == name) {
                    assignments.extend(self.name_value(&r.block.body, r.file, false));
                }
                let flavor = scope.resource(server_kind, &name).map(|s| {
                    let version = attr(&s.block.body, "version").and_then(|e| {
                        match self.ev.eval(e, s.file) {
                            Val::Text(t, _) => Some(t),
                            _ => None,
                        }
                    });
                    let fat = attr(&s.block.body, "version")
                        .map_or_else(|| header(s.block, s.file), |e| self.ev.loc(e, s.file));
                    Flavor {
                        product: product.to_string(),
                        version,
                        at: fat,
                    }
                });
                self.push_server(
                    format!("{server_kind}.{name}"),
                    at,
                    ServerFound {
                        system: Some(*system),
                        flavor,
                        assignments,
                    },
                );
            }
        }
    }
}
