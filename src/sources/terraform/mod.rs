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
//! | `aws_lb_listener` | `TYPE.x` | idle limit `aws-nlb` (`aws-gateway-lb` when its `load_balancer_arn` names a `gateway` `aws_lb` of the folder), `tcp_idle_timeout_seconds`; nothing when its `protocol` is known and not `TCP` |
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
//! Facts, by source:
//! - `aws_lb.idle_timeout`: "Only valid for Load Balancers of type
//!   application. Default: 60" (terraform-provider-aws, as generated into
//!   <https://pub.dev/documentation/pulumi_aws/latest/lb/LoadBalancer/idleTimeout.html>).
//! - `aws_lb_listener.tcp_idle_timeout_seconds` (provider 5.x,
//!   <https://registry.terraform.io/providers/hashicorp/aws/5.91.0/docs/resources/lb_listener#tcp_idle_timeout_seconds>)
//!   sets the listener attribute `tcp.idle_timeout.seconds` of Network and
//!   Gateway Load Balancers
//!   (<https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_ListenerAttribute.html>).
//! - `aws_elb.idle_timeout`: the Classic Load Balancer's
//!   `ConnectionSettings.IdleTimeout`, seconds
//!   (<https://docs.aws.amazon.com/elasticloadbalancing/2012-06-01/APIReference/API_ConnectionSettings.html>).
//! - `aws_db_proxy.idle_client_timeout`: `IdleClientTimeout`, seconds
//!   (<https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/rds-proxy-connections.html>).
//! - `google_compute_router_nat.tcp_established_idle_timeout_sec`:
//!   `tcpEstablishedIdleTimeoutSec`, seconds
//!   (<https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/compute_router_nat>).
//! - `idle_timeout_in_minutes` of `azurerm_lb_rule`, `azurerm_lb_outbound_rule`,
//!   `azurerm_lb_nat_rule`
//!   (<https://github.com/MicrosoftDocs/azure-docs/blob/main/articles/load-balancer/load-balancer-tcp-idle-timeout.md>),
//!   `azurerm_nat_gateway` and `azurerm_public_ip` ("The value can be set
//!   between 4 and 30 minutes",
//!   <https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/public_ip>):
//!   minutes.
//! - `google_sql_database_instance` `settings.database_flags` and
//!   `database_version`
//!   (<https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/sql_database_instance>).
//!
//! A module is recognised by its `source`: the registry address, also with
//! a `registry.terraform.io/` host, or the GitHub repository
//! (`github.com/terraform-aws-modules/terraform-aws-rds`, `git::<https://…>`,
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
//!   (<https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_WorkingWithDBClusterParamGroups.html>).
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
//! Caps: 64 sibling files, references 16 deep, 200,000 evaluation steps
//! and 1,000 list items per folder (`eval.rs`); file sizes by the map's
//! policy; nesting by hcl-edit's parser (64 levels).

mod eval;
mod modules;
mod resources;
#[cfg(test)]
mod tests;

use std::path::Path;

use hcl_edit::Span as _;
use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block, Body};

use crate::diagnostic::Diagnostic;
use crate::source::{FileId, LoadError, Location, SourceMap, Span};
use crate::sources::{Assignment, Candidate, SetBy, System, Written};

use eval::{Eval, Scope, Val};
use resources::{Cx, ServerFound};

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
        // Passwords first, with their own evaluation budget.
        let mut secrets = Vec::new();
        let mut sev = Eval::new(&scope);
        for f in &files {
            let tfvars = eval::tfvars_kind(&f.name).is_some();
            secret_spans(&f.body, f.id, tfvars, &mut sev, &mut secrets, 0);
        }
        let mut cx = Cx {
            ev: Eval::new(&scope),
            scope: &scope,
            out: Vec::new(),
        };
        for block in files[0].body.blocks() {
            cx.block(block, files[0].id);
        }
        cx.flexible_servers(files[0].id);
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
        if hit {
            secret_value(&a.value, file, ev, out);
        }
        // Module inputs may hold passwords inside objects.
        if !tfvars && let Expression::Object(obj) = &a.value {
            for (k, v) in obj.iter() {
                if k.as_ident()
                    .is_some_and(|i| SECRET_KEYS.contains(&i.as_str()))
                {
                    secret_value(v.expr(), file, ev, out);
                }
            }
        }
    }
    for b in body.blocks() {
        secret_spans(&b.body, file, tfvars, ev, out, depth + 1);
    }
}

/// Adds where the password `expr` is written: a literal as it stands
/// (whatever the evaluation budget left), else the text it resolves to.
fn secret_value(expr: &Expression, file: FileId, ev: &mut Eval, out: &mut Vec<Location>) {
    match expr {
        Expression::String(s) => {
            if !s.value().is_empty() {
                out.push(ev.loc(expr, file));
            }
        }
        _ => {
            if let Val::Text(t, loc) = ev.eval(expr, file)
                && !t.is_empty()
            {
                out.push(loc);
            }
        }
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
/// (<https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ParamValuesRef.html>).
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
/// (<https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBParameterGroup.html>);
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
/// <https://cloud.google.com/sql/docs/mysql/admin-api/rest/v1/SqlDatabaseVersion>).
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
