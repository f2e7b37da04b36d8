//! Terraform: server settings and middlebox idle limits in `.tf` files.
//!
//! [`read`] parses one `.tf` file with hcl-edit (byte spans on every node,
//! docs/dependencies.md) and loads, through [`SourceMap::load`], the other
//! `.tf` and `.tfvars` files of its folder, so `var.*` (a `variable`
//! block's `default`, overridden by `terraform.tfvars`, `*.auto.tfvars` and
//! other `.tfvars` values) and `local.*` references resolve, also inside
//! string templates made of literal parts and such references. A resolved
//! value is located where it is set (the default in `variables.tf`, the line
//! of `terraform.tfvars`); anything else (a function call, a conditional, a
//! resource attribute, a variable nobody sets) is [`Written::Unresolved`]
//! with the reason. Only the blocks of the named file yield candidates;
//! siblings only resolve references and links.
//!
//! Addresses (`FILE#ADDRESS` in a manifest), one per block:
//!
//! | block | address | yields |
//! |---|---|---|
//! | `resource "aws_db_parameter_group" "x"`, `aws_rds_cluster_parameter_group` | `TYPE.x` | server: `family` gives system and flavor; each `parameter { name value }` block (and `dynamic "parameter"` over a known list or map) an assignment set by a parameter group |
//! | `aws_db_instance`, `aws_rds_cluster`, `aws_rds_cluster_instance` | `TYPE.x` | server: `engine` / `engine_version`, plus the assignments of the parameter group it names in the same folder (below) |
//! | `google_sql_database_instance` | `TYPE.x` | server: `database_version`, each `settings { database_flags { name value } }` |
//! | `azurerm_mysql_flexible_server_configuration`, `azurerm_postgresql_flexible_server_configuration` | the server's address, `azurerm_mysql_flexible_server.x` | server: every configuration of the folder whose `server_id` is `azurerm_…_flexible_server.x.id`, flavor from that server's `version` |
//! | `aws_lb` / `aws_alb` (type `application`, the default) | `TYPE.x` | idle limit `aws-alb`, `idle_timeout` seconds |
//! | `aws_elb` | `TYPE.x` | idle limit `aws-clb`, `idle_timeout` seconds |
//! | `aws_lb_listener` | `TYPE.x` | idle limit `aws-nlb` (`aws-gateway-lb` when its `load_balancer_arn` names a `gateway` `aws_lb` of the folder), `tcp_idle_timeout_seconds` |
//! | `aws_db_proxy` | `TYPE.x` | idle limit `aws-rds-proxy`, `idle_client_timeout` seconds |
//! | `google_compute_router_nat` | `TYPE.x` | idle limit `gcp-cloud-nat`, `tcp_established_idle_timeout_sec` |
//! | `azurerm_lb_rule`, `azurerm_lb_outbound_rule`, `azurerm_lb_nat_rule`, `azurerm_public_ip` | `TYPE.x` | idle limit `azure-load-balancer`, `idle_timeout_in_minutes` (unit 60 s) |
//! | `azurerm_nat_gateway` | `TYPE.x` | idle limit `azure-nat-gateway`, `idle_timeout_in_minutes` (unit 60 s) |
//! | `module "x"` of `terraform-aws-modules/rds/aws` (also `//modules/db_parameter_group`) | `module.x` | server: `family` (else `engine`, `engine_version`), `parameters = [{ name, value }]` |
//! | `module "x"` of `terraform-aws-modules/rds-aurora/aws` | `module.x` | server: `engine`, `engine_version`; cluster parameters then instance parameters (v10 `cluster_parameter_group` / `db_parameter_group` objects, v9 `db_cluster_parameter_group_parameters` / `db_parameter_group_parameters`) |
//! | `module "x"` of `terraform-aws-modules/rds-proxy/aws` | `module.x` | idle limit `aws-rds-proxy`, `idle_client_timeout` |
//! | `module "x"` of `terraform-aws-modules/alb/aws` | `module.x`; `module.x.listeners.KEY` | idle limit `aws-alb` (`idle_timeout`, type `application`); `aws-nlb` for each TCP listener's `tcp_idle_timeout_seconds` |
//! | `module "x"` of `terraform-google-modules/cloud-nat/google` | `module.x` | idle limit `gcp-cloud-nat`, `tcp_established_idle_timeout_sec` |
//!
//! A module is recognised by its `source`: the registry address, also with
//! a `registry.terraform.io/` host, or the GitHub repository
//! (`github.com/terraform-aws-modules/terraform-aws-rds`, `git::https://…`,
//! `git@github.com:…`, with any `?ref=`). Local paths are not followed.
//!
//! Decisions:
//! - An absent idle attribute yields no candidate: the shared shape has no
//!   "absent" value, and an adapter never holds defaults (STYLE.md). When a
//!   manifest names such a resource, the door finds no candidate and applies
//!   the preset's documented default.
//! - A parameter group whose `family` (and an instance whose `engine`, with
//!   no linked group) cannot be resolved yields no candidate: without the
//!   system there is no door to hand the assignments to, and guessing the
//!   system from parameter names is not done.
//! - Links: an instance names its group by reference
//!   (`parameter_group_name = aws_db_parameter_group.x.name` or `.id`) or by
//!   a name equal to the group's literal `name`. The linked group's
//!   assignments are copied into the instance's candidate, located in the
//!   group. An Aurora instance (`aws_rds_cluster_instance`) gets its
//!   cluster's cluster-group assignments first, then its own group's: a DB
//!   parameter group value overrides the cluster group's
//!   (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_WorkingWithDBClusterParamGroups.html).
//! - RDS formulas (`{DBInstanceClassMemory/12582880}`, `{EndPointPort}`)
//!   are unresolved: RDS evaluates them per instance.
//! - A parameter whose value is `null` or `""` (exported parameter lists
//!   carry every unset parameter so) is no assignment.
//! - `azurerm_public_ip`'s `idle_timeout_in_minutes` (4 to 30 minutes,
//!   default 4, azurerm docs) has no preset of its own; it is mapped to
//!   `azure-load-balancer`, whose default (4 min), keepalive and drop
//!   behaviour it shares. Its narrower range is the door's to know.
//! - `aws_lb` of type `network` or `gateway` has no `idle_timeout`
//!   ("Only valid for Load Balancers of type application", provider docs):
//!   it yields nothing; the listeners carry the NLB's limit.
//! - Resource `count` / `for_each` are ignored: the address is the block's.
//! - Passwords (`password`, `master_password`, `password_wo`,
//!   `root_password`, `administrator_password`, ...) are marked secret in
//!   every loaded `.tf` file, where the literal is written (also a variable
//!   default or `.tfvars` value they resolve to), and every `.tfvars`
//!   attribute whose name contains `password` or `secret`.
//!
//! Caps: [`eval::MAX_SIBLINGS`] sibling files, references
//! [`eval::MAX_REF_DEPTH`] deep, [`eval::MAX_STEPS`] evaluation steps and
//! [`eval::MAX_ITEMS`] list items per folder; file sizes by the map's
//! policy; nesting by hcl-edit's parser (64 levels).

mod eval;
mod modules;
#[cfg(test)]
mod tests;

use std::path::Path;

use hcl_edit::Span as _;
use hcl_edit::expr::{Expression, TraversalOperator};
use hcl_edit::structure::{Block, Body};

use crate::diagnostic::Diagnostic;
use crate::source::{FileId, LoadError, Location, SourceMap, Span};
use crate::sources::{
    Assignment, Candidate, Flavor, Found, IdleLimit, ServerSettings, SetBy, System, Written,
};

use eval::{Eval, Resource, Scope, Val};

/// Reads the Terraform file `path` and yields its candidates (module doc).
///
/// A `.tfvars` file given directly is parsed (syntax errors are reported)
/// and yields nothing by itself; the JSON syntax (`.tf.json`,
/// `.tfvars.json`) is not read and yields nothing.
///
/// Errors: [`LoadError`] only when `path` itself cannot be read. Syntax
/// errors (TL001) of the file and of its siblings are diagnostics.
pub fn read(
    path: &Path,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Result<Vec<Candidate>, LoadError> {
    let id = sources.load(path)?;
    if path.to_string_lossy().ends_with(".json") {
        return Ok(Vec::new());
    }
    let Some(main) = eval::parse(id, sources, diags) else {
        return Ok(Vec::new());
    };
    if eval::tfvars_kind(&main.name).is_some() {
        return Ok(Vec::new());
    }
    let mut files = vec![main];
    files.extend(eval::load_siblings(path, sources, diags));
    let (out, secrets) = {
        let scope = Scope::new(&files);
        let mut cx = Cx {
            ev: Eval::new(&scope),
            scope: &scope,
            out: Vec::new(),
        };
        for block in files[0].body.blocks() {
            cx.block(block, files[0].id);
        }
        cx.flexible_servers(files[0].id);
        let mut secrets = Vec::new();
        for f in &files {
            let tfvars = eval::tfvars_kind(&f.name).is_some();
            secret_spans(&f.body, f.id, tfvars, &mut cx.ev, &mut secrets, 0);
        }
        (cx.out, secrets)
    };
    for loc in secrets {
        sources.get_mut(loc.file).mark_secret(loc.span);
    }
    let mut seen = std::collections::BTreeSet::new();
    Ok(out
        .into_iter()
        .filter(|c| seen.insert((c.address.clone(), c.found.kind())))
        .collect())
}

/// Attribute names whose values are passwords.
const SECRET_KEYS: &[&str] = &[
    "password",
    "password_wo",
    "master_password",
    "master_password_wo",
    "root_password",
    "administrator_password",
    "administrator_login_password",
];

/// Collects the locations of password values in `body` (nested blocks
/// included, 32 levels at most).
fn secret_spans(
    body: &Body,
    file: FileId,
    tfvars: bool,
    ev: &mut Eval,
    out: &mut Vec<Location>,
    depth: usize,
) {
    if depth > 32 {
        return;
    }
    for a in body.attributes() {
        let key = a.key.as_str();
        let hit = if tfvars {
            let k = key.to_ascii_lowercase();
            k.contains("password") || k.contains("secret")
        } else {
            SECRET_KEYS.contains(&key)
        };
        if hit
            && let Val::Text(t, loc) = ev.eval(&a.value, file)
            && !t.is_empty()
        {
            out.push(loc);
        }
        // Module inputs may hold passwords inside objects.
        if !tfvars && let Expression::Object(obj) = &a.value {
            for (k, v) in obj.iter() {
                if k.as_ident()
                    .is_some_and(|i| SECRET_KEYS.contains(&i.as_str()))
                    && let Val::Text(t, loc) = ev.eval(v.expr(), file)
                    && !t.is_empty()
                {
                    out.push(loc);
                }
            }
        }
    }
    for b in body.blocks() {
        secret_spans(&b.body, file, tfvars, ev, out, depth + 1);
    }
}

/// The block's header: its identifier and labels (`resource "a" "b"`).
fn header(block: &Block, file: FileId) -> Location {
    let start = block.ident.span().map_or(0, |r| r.start);
    let end = block
        .labels
        .last()
        .and_then(|l| l.span())
        .or_else(|| block.ident.span())
        .map_or(start, |r| r.end);
    Location::new(file, Span::new(start, end))
}

/// The attribute `key` of `body`.
fn attr<'b>(body: &'b Body, key: &str) -> Option<&'b Expression> {
    body.get_attribute(key).map(|a| &a.value)
}

/// True for a value RDS computes per instance: a formula or variable in
/// braces such as `{DBInstanceClassMemory/12582880}`,
/// `GREATEST({log(DBInstanceClassMemory/805306368)*45},...)` or
/// `{EndPointPort}`
/// (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ParamValuesRef.html).
fn is_rds_formula(text: &str) -> bool {
    match (text.find('{'), text.rfind('}')) {
        (Some(open), Some(close)) => open < close,
        _ => false,
    }
}

/// The value as handed to a door.
fn written(val: &Val, rds: bool) -> Written {
    match val {
        Val::Text(t, _) if rds && is_rds_formula(t) => {
            let per = if t.contains("DBInstanceClass") {
                "per instance class"
            } else {
                "per instance"
            };
            Written::Unresolved(format!("{t}: an RDS formula, evaluated {per}"))
        }
        Val::Text(t, _) => Written::Text(t.clone()),
        Val::Unknown(why, _) => Written::Unresolved(why.clone()),
        Val::Null(_) => Written::Unresolved("null".to_string()),
        Val::List(..) | Val::Map(..) => {
            Written::Unresolved("a list or map where one value belongs".to_string())
        }
    }
}

/// An assignment from a name and a value; `None` when the name is unknown.
fn assignment(name: &Val, value: &Val, rds: bool) -> Option<Assignment> {
    let Val::Text(n, name_at) = name else {
        return None;
    };
    // `null`, or an empty string as in exported parameter lists, sets
    // nothing: the engine default stays.
    match value {
        Val::Null(_) => return None,
        Val::Text(t, _) if t.is_empty() => return None,
        _ => {}
    }
    Some(Assignment {
        name: n.clone(),
        name_at: *name_at,
        value: written(value, rds),
        value_at: value.at(),
        set_by: SetBy::ParameterGroup,
    })
}

/// Assignments from a list of `{ name, value }` maps.
fn from_list(val: &Val, rds: bool) -> Vec<Assignment> {
    let Val::List(items, _) = val else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| {
            let name = item.get("name")?;
            let value = item.get("value")?;
            assignment(name, value, rds)
        })
        .collect()
}

/// A system, the product as named by the source, and the version when the
/// text carries one.
type Product = (System, &'static str, Option<String>);

/// System and product of an RDS parameter group family or engine name:
/// families `mysql8.0`, `mariadb10.6`, `aurora-mysql8.0`, `aurora5.6`,
/// `postgres16`, `aurora-postgresql15`
/// (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBParameterGroup.html);
/// engines `mysql`, `mariadb`, `postgres`, `aurora-mysql`,
/// `aurora-postgresql`, `aurora` (MySQL 5.6-compatible).
fn rds_product(text: &str) -> Option<Product> {
    const TABLE: &[(&str, System)] = &[
        ("aurora-mysql", System::Mysql),
        ("aurora-postgresql", System::Postgres),
        ("mysql", System::Mysql),
        ("mariadb", System::Mysql),
        ("postgres", System::Postgres),
        ("aurora", System::Mysql),
    ];
    let t = text.trim().to_ascii_lowercase();
    for (product, system) in TABLE {
        if let Some(rest) = t.strip_prefix(product) {
            if rest.is_empty() {
                return Some((*system, product, None));
            }
            if rest.starts_with(|c: char| c.is_ascii_digit()) {
                return Some((*system, product, Some(rest.to_string())));
            }
        }
    }
    None
}

/// System, product and version of a Cloud SQL `database_version`
/// (`MYSQL_8_0`, `MYSQL_8_0_31`, `POSTGRES_15`;
/// https://cloud.google.com/sql/docs/mysql/admin-api/rest/v1/SqlDatabaseVersion).
fn cloud_sql_product(text: &str) -> Option<Product> {
    let t = text.trim().to_ascii_uppercase();
    let (system, product, rest) = if let Some(r) = t.strip_prefix("MYSQL_") {
        (System::Mysql, "mysql", r)
    } else if let Some(r) = t.strip_prefix("POSTGRES_") {
        (System::Postgres, "postgres", r)
    } else {
        return None;
    };
    let version = rest.replace('_', ".");
    Some((system, product, (!version.is_empty()).then_some(version)))
}

/// The collector of one file's candidates.
struct Cx<'s, 'a> {
    ev: Eval<'s, 'a>,
    scope: &'s Scope<'a>,
    out: Vec<Candidate>,
}

/// A server found: system, flavor and assignments.
struct ServerFound {
    system: Option<System>,
    flavor: Option<Flavor>,
    assignments: Vec<Assignment>,
}

impl Cx<'_, '_> {
    fn push_server(&mut self, address: String, at: Location, s: ServerFound) {
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

    /// An idle-limit candidate from `expr`, when present and not null.
    fn push_idle(
        &mut self,
        address: String,
        at: Location,
        expr: Option<&Expression>,
        file: FileId,
        preset: &'static str,
        unit_secs: u64,
    ) {
        let Some(expr) = expr else { return };
        let val = self.ev.eval(expr, file);
        if matches!(val, Val::Null(_)) {
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
    fn flavor_of(
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

    fn block(&mut self, block: &Block, file: FileId) {
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
    fn flexible_servers(&mut self, main: FileId) {
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
