use super::*;
use crate::sources::{Found, IdleLimit, ServerSettings};
use crate::test_support::tree;

struct Out {
    cands: Vec<Candidate>,
    sources: SourceMap,
    diags: Vec<Diagnostic>,
    _dir: tempfile::TempDir,
}

fn run(files: &[(&str, &str)]) -> Out {
    let dir = tree(files);
    let mut sources = SourceMap::new(Some(dir.path().to_path_buf()));
    let mut diags = Vec::new();
    let cands = read(&dir.path().join(files[0].0), &mut sources, &mut diags).expect("readable");
    Out {
        cands,
        sources,
        diags,
        _dir: dir,
    }
}

impl Out {
    fn at(&self, loc: Location) -> String {
        let r = self.sources.resolve(loc);
        format!("{}:{}:{}", r.file, r.start.line, r.start.column)
    }

    fn text(&self, loc: Location) -> &str {
        self.sources.text_at(loc)
    }

    fn get(&self, address: &str) -> &Candidate {
        self.cands
            .iter()
            .find(|c| c.address == address)
            .unwrap_or_else(|| panic!("no {address} in {:#?}", self.cands))
    }

    fn server(&self, address: &str) -> &ServerSettings {
        match &self.get(address).found {
            Found::Server(s) => s,
            other => panic!("{address}: {other:?}"),
        }
    }

    fn idle(&self, address: &str) -> &IdleLimit {
        match &self.get(address).found {
            Found::IdleLimit(s) => s,
            other => panic!("{address}: {other:?}"),
        }
    }

    /// `name=value@file:line:col` of each assignment (value text or
    /// `?reason`).
    fn assigned(&self, address: &str) -> Vec<String> {
        self.server(address)
            .assignments
            .iter()
            .map(|a| {
                let v = match &a.value {
                    Written::Text(t) => t.clone(),
                    Written::Unresolved(why) => format!("?{why}"),
                    Written::Unset => "(unset)".to_string(),
                };
                format!("{}={}@{}", a.name, v, self.at(a.value_at))
            })
            .collect()
    }

    fn addresses(&self) -> Vec<String> {
        self.cands
            .iter()
            .map(|c| format!("{} {}", c.address, c.found.kind()))
            .collect()
    }
}

const GROUP: &str = r#"resource "aws_db_parameter_group" "orders" {
  name   = "orders"
  family = "mysql8.0"

  parameter {
    name  = "wait_timeout"
    value = "600"
  }
  parameter {
    name         = "max_connections"
    value        = "{DBInstanceClassMemory/12582880}"
    apply_method = "pending-reboot"
  }
  parameter {
    name  = "interactive_timeout"
    value = 900
  }
  parameter {
    name  = "net_read_timeout"
    value = ""
  }
  parameter {
    name  = "max_execution_time"
    value = -1
  }
}
"#;

#[test]
fn parameter_group_literals_spans_and_formula() {
    let o = run(&[("main.tf", GROUP)]);
    assert!(o.diags.is_empty(), "{:?}", o.diags);
    let c = o.get("aws_db_parameter_group.orders");
    assert_eq!(
        o.text(c.at),
        r#"resource "aws_db_parameter_group" "orders""#
    );
    let s = o.server("aws_db_parameter_group.orders");
    assert_eq!(s.system, System::Mysql);
    let f = s.flavor.as_ref().expect("flavor");
    assert_eq!(
        (f.product.as_str(), f.version.as_deref()),
        ("mysql", Some("8.0"))
    );
    assert_eq!(o.text(f.at), "mysql8.0");
    assert_eq!(
        o.assigned("aws_db_parameter_group.orders"),
        [
            "wait_timeout=600@main.tf:7:14",
            "max_connections=?{DBInstanceClassMemory/12582880}: an RDS formula, evaluated per instance class@main.tf:11:21",
            "interactive_timeout=900@main.tf:16:13",
            "max_execution_time=-1@main.tf:24:13",
        ]
    );
    let a = &s.assignments[0];
    assert_eq!(o.text(a.name_at), "wait_timeout");
    assert_eq!(o.at(a.name_at), "main.tf:6:14");
    assert_eq!(a.set_by, SetBy::ParameterGroup);
}

const VARS_MAIN: &str = r#"resource "aws_db_parameter_group" "db" {
  family = var.family
  parameter {
    name  = "wait_timeout"
    value = var.wait_timeout
  }
  parameter {
    name  = "interactive_timeout"
    value = "${var.interactive_timeout}"
  }
  parameter {
    name  = "net_read_timeout"
    value = var.net_read_timeout
  }
  parameter {
    name  = "net_write_timeout"
    value = "${var.half}0"
  }
  parameter {
    name  = "lock_wait_timeout"
    value = var.undeclared
  }
}
"#;

const VARS: &str = r#"variable "family" {
  default = "aurora-mysql8.0"
}
variable "wait_timeout" {
  type    = number
  default = 600
}
variable "interactive_timeout" {
  default = "28800"
}
variable "net_read_timeout" {
  type = number
}
variable "half" {
  default = 6
}
"#;

#[test]
fn variables_defaults_and_tfvars_overrides_are_located_where_set() {
    let o = run(&[
        ("main.tf", VARS_MAIN),
        ("variables.tf", VARS),
        ("terraform.tfvars", "interactive_timeout = 7200\n"),
        (
            "zz.auto.tfvars",
            "# later than terraform.tfvars\ninteractive_timeout = 3600\n",
        ),
    ]);
    assert!(o.diags.is_empty(), "{:?}", o.diags);
    let s = o.server("aws_db_parameter_group.db");
    let f = s.flavor.as_ref().expect("flavor");
    assert_eq!(f.product, "aurora-mysql");
    assert_eq!(o.at(f.at), "variables.tf:2:14");
    assert_eq!(
        o.assigned("aws_db_parameter_group.db"),
        [
            "wait_timeout=600@variables.tf:6:13",
            "interactive_timeout=3600@zz.auto.tfvars:2:23",
            "net_read_timeout=?var.net_read_timeout has no default and no .tfvars sets it@main.tf:13:13",
            "net_write_timeout=60@main.tf:17:14",
            "lock_wait_timeout=?var.undeclared is not declared in this folder@main.tf:21:13",
        ]
    );
}

#[test]
fn named_tfvars_apply_unless_they_disagree() {
    let main = r#"resource "aws_db_proxy" "p" {
  idle_client_timeout = var.idle
}
"#;
    let vars = "variable \"idle\" {\n  default = 1800\n}\n";
    let o = run(&[
        ("main.tf", main),
        ("variables.tf", vars),
        ("prod.tfvars", "idle = 600\n"),
    ]);
    let l = o.idle("aws_db_proxy.p");
    assert_eq!(l.value, Written::Text("600".into()));
    assert_eq!(o.at(l.at), "prod.tfvars:1:8");
    let o = run(&[
        ("main.tf", main),
        ("variables.tf", vars),
        ("prod.tfvars", "idle = 600\n"),
        ("stage.tfvars", "idle = 300\n"),
    ]);
    assert_eq!(
        o.idle("aws_db_proxy.p").value,
        Written::Unresolved(
            "var.idle is set differently by prod.tfvars and stage.tfvars; which one -var-file names is not known".into()
        )
    );
    assert_eq!(o.at(o.idle("aws_db_proxy.p").at), "main.tf:2:25");
}

#[test]
fn locals_dynamic_blocks_and_unevaluated_expressions() {
    let main = r#"locals {
  timeouts = [
    { name = "wait_timeout", value = "300" },
    { name = "interactive_timeout", value = local.same },
  ]
  same  = local.other
  other = "300"
  by_name = { idle_session_timeout = "60000" }
}
resource "aws_rds_cluster_parameter_group" "pg" {
  family = "aurora-postgresql15"
  dynamic "parameter" {
    for_each = local.timeouts
    content {
      name  = parameter.value.name
      value = parameter.value["value"]
    }
  }
  dynamic "parameter" {
    for_each = local.by_name
    iterator = p
    content {
      name  = p.key
      value = p.value
    }
  }
  dynamic "parameter" {
    for_each = var.unknown_list
    content {
      name  = parameter.value.name
      value = parameter.value.value
    }
  }
  parameter {
    name  = "statement_timeout"
    value = max(1, 2)
  }
  parameter {
    name  = "lock_timeout"
    value = var.env == "prod" ? 1 : 2
  }
}
"#;
    let o = run(&[("main.tf", main)]);
    let s = o.server("aws_rds_cluster_parameter_group.pg");
    assert_eq!(s.system, System::Postgres);
    assert_eq!(
        o.assigned("aws_rds_cluster_parameter_group.pg"),
        [
            "wait_timeout=300@main.tf:3:39",
            "interactive_timeout=300@main.tf:7:12",
            "idle_session_timeout=60000@main.tf:8:39",
            "statement_timeout=?the function call `max(…)`, not evaluated@main.tf:36:13",
            "lock_timeout=?the conditional `var.env == \"prod\" ? 1 : 2`, not evaluated@main.tf:40:13",
        ]
    );
}

#[test]
fn reference_cycles_and_deep_chains_are_unresolved() {
    let mut main = String::from("locals {\n  a = local.b\n  b = local.a\n  c0 = \"1\"\n");
    for i in 1..40 {
        main.push_str(&format!("  c{i} = local.c{}\n", i - 1));
    }
    main.push_str("}\nresource \"aws_db_proxy\" \"cycle\" {\n  idle_client_timeout = local.a\n}\n");
    main.push_str("resource \"aws_db_proxy\" \"deep\" {\n  idle_client_timeout = local.c39\n}\n");
    main.push_str(
        "resource \"aws_db_proxy\" \"shallow\" {\n  idle_client_timeout = local.c10\n}\n",
    );
    let o = run(&[("main.tf", &main)]);
    match &o.idle("aws_db_proxy.cycle").value {
        Written::Unresolved(why) => assert_eq!(why, "local.a -> local.b -> local.a is a cycle"),
        other => panic!("{other:?}"),
    }
    match &o.idle("aws_db_proxy.deep").value {
        Written::Unresolved(why) => assert!(why.contains("deeper than 16"), "{why}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        o.idle("aws_db_proxy.shallow").value,
        Written::Text("1".into())
    );
}

#[test]
fn instances_carry_their_linked_groups() {
    let groups = r#"resource "aws_db_parameter_group" "g" {
  name   = "orders-pg"
  family = "postgres16"
  parameter {
    name  = "idle_session_timeout"
    value = "0"
  }
}
resource "aws_rds_cluster_parameter_group" "cg" {
  family = "aurora-mysql8.0"
  parameter {
    name  = "wait_timeout"
    value = "100"
  }
}
resource "aws_db_parameter_group" "ig" {
  family = "aurora-mysql8.0"
  parameter {
    name  = "wait_timeout"
    value = "200"
  }
}
"#;
    let main = r#"resource "aws_db_instance" "by_ref" {
  engine               = "postgres"
  engine_version       = "16.3"
  parameter_group_name = aws_db_parameter_group.g.name
  password             = "hunter2-secret"
}
resource "aws_db_instance" "by_name" {
  parameter_group_name = "orders-pg"
}
resource "aws_db_instance" "unlinked" {
  engine               = "mysql"
  parameter_group_name = "default.mysql8.0"
}
resource "aws_db_instance" "unknown" {
  engine = var.engine
}
resource "aws_rds_cluster" "c" {
  engine                          = "aurora-mysql"
  db_cluster_parameter_group_name = aws_rds_cluster_parameter_group.cg.id
  master_password                 = var.pw
}
resource "aws_rds_cluster_instance" "i" {
  engine                  = "aurora-mysql"
  cluster_identifier      = aws_rds_cluster.c.id
  db_parameter_group_name = aws_db_parameter_group.ig.name
}
"#;
    let o = run(&[
        ("main.tf", main),
        ("groups.tf", groups),
        (
            "variables.tf",
            "variable \"pw\" {\n  default = \"from-default-pw\"\n}\n",
        ),
    ]);
    let s = o.server("aws_db_instance.by_ref");
    let f = s.flavor.as_ref().expect("flavor");
    assert_eq!(
        (f.product.as_str(), f.version.as_deref()),
        ("postgres", Some("16.3"))
    );
    assert_eq!(
        o.assigned("aws_db_instance.by_ref"),
        ["idle_session_timeout=0@groups.tf:6:14"]
    );
    // No engine: the group's family tells the system.
    assert_eq!(o.server("aws_db_instance.by_name").system, System::Postgres);
    assert_eq!(o.assigned("aws_db_instance.by_name").len(), 1);
    assert!(o.assigned("aws_db_instance.unlinked").is_empty());
    assert_eq!(o.server("aws_db_instance.unlinked").system, System::Mysql);
    assert!(
        !o.addresses()
            .contains(&"aws_db_instance.unknown server".to_string())
    );
    assert_eq!(
        o.assigned("aws_rds_cluster.c"),
        ["wait_timeout=100@groups.tf:13:14"]
    );
    assert_eq!(
        o.assigned("aws_rds_cluster_instance.i"),
        [
            "wait_timeout=100@groups.tf:13:14",
            "wait_timeout=200@groups.tf:20:14"
        ]
    );
    // Siblings yield no candidates of their own.
    assert!(
        !o.addresses()
            .iter()
            .any(|a| a.starts_with("aws_db_parameter_group"))
    );
    // Passwords are masked, literal or through a variable default.
    let main_id = o.get("aws_db_instance.by_ref").at.file;
    assert!(
        !o.sources
            .get(main_id)
            .masked_text()
            .contains("hunter2-secret")
    );
    assert!(
        o.sources
            .get(main_id)
            .masked_text()
            .contains("\"**************\"")
    );
    let secrets = o.sources.secret_values();
    assert!(
        secrets.contains(&"from-default-pw".to_string()),
        "{secrets:?}"
    );
}

#[test]
fn idle_limits_accepted() {
    let main = r#"resource "aws_lb" "app" {
  idle_timeout = 120
}
resource "aws_alb" "typed" {
  load_balancer_type = "application"
  idle_timeout       = "300"
}
resource "aws_elb" "classic" {
  idle_timeout = 400
}
resource "aws_lb" "gw" {
  load_balancer_type = "gateway"
}
resource "aws_lb_listener" "tcp" {
  protocol                 = "TCP"
  tcp_idle_timeout_seconds = 500
}
resource "aws_lb_listener" "gwl" {
  load_balancer_arn        = aws_lb.gw.arn
  tcp_idle_timeout_seconds = 600
}
resource "aws_db_proxy" "proxy" {
  idle_client_timeout = 1800
}
resource "google_compute_router_nat" "nat" {
  tcp_established_idle_timeout_sec = 1200
}
resource "azurerm_lb_rule" "r" {
  idle_timeout_in_minutes = 15
}
resource "azurerm_lb_outbound_rule" "o" {
  idle_timeout_in_minutes = 16
}
resource "azurerm_lb_nat_rule" "n" {
  idle_timeout_in_minutes = 17
}
resource "azurerm_public_ip" "ip" {
  idle_timeout_in_minutes = 30
}
resource "azurerm_nat_gateway" "ng" {
  idle_timeout_in_minutes = 10
}
"#;
    let o = run(&[("main.tf", main)]);
    let table = [
        ("aws_lb.app", "aws-alb", "120", 1, "main.tf:2:18"),
        ("aws_alb.typed", "aws-alb", "300", 1, "main.tf:6:25"),
        ("aws_elb.classic", "aws-clb", "400", 1, "main.tf:9:18"),
        ("aws_lb_listener.tcp", "aws-nlb", "500", 1, "main.tf:16:30"),
        (
            "aws_lb_listener.gwl",
            "aws-gateway-lb",
            "600",
            1,
            "main.tf:20:30",
        ),
        (
            "aws_db_proxy.proxy",
            "aws-rds-proxy",
            "1800",
            1,
            "main.tf:23:25",
        ),
        (
            "google_compute_router_nat.nat",
            "gcp-cloud-nat",
            "1200",
            1,
            "main.tf:26:38",
        ),
        (
            "azurerm_lb_rule.r",
            "azure-load-balancer",
            "15",
            60,
            "main.tf:29:29",
        ),
        (
            "azurerm_lb_outbound_rule.o",
            "azure-load-balancer",
            "16",
            60,
            "main.tf:32:29",
        ),
        (
            "azurerm_lb_nat_rule.n",
            "azure-load-balancer",
            "17",
            60,
            "main.tf:35:29",
        ),
        (
            "azurerm_public_ip.ip",
            "azure-load-balancer",
            "30",
            60,
            "main.tf:38:29",
        ),
        (
            "azurerm_nat_gateway.ng",
            "azure-nat-gateway",
            "10",
            60,
            "main.tf:41:29",
        ),
    ];
    for (address, preset, value, unit, at) in table {
        let l = o.idle(address);
        assert_eq!(l.preset, preset, "{address}");
        assert_eq!(l.value, Written::Text(value.into()), "{address}");
        assert_eq!(l.unit_secs, unit, "{address}");
        assert_eq!(o.at(l.at), at, "{address}");
    }
    assert_eq!(o.cands.len(), table.len(), "{:?}", o.addresses());
}

#[test]
fn idle_limits_rejected() {
    let main = r#"resource "aws_lb" "nlb" {
  load_balancer_type = "network"
  idle_timeout       = 60
}
resource "aws_lb" "unknown_type" {
  load_balancer_type = var.type
  idle_timeout       = 60
}
resource "aws_lb_listener" "tls" {
  protocol                 = "TLS"
  tcp_idle_timeout_seconds = 600
}
resource "aws_db_parameter_group" "oracle" {
  family = "oracle-ee-19"
  parameter {
    name  = "x"
    value = "1"
  }
}
resource "aws_db_parameter_group" "no_family" {
  family = format("%s%s", var.engine, "8.0")
}
resource "google_sql_database_instance" "mssql" {
  database_version = "SQLSERVER_2019_STANDARD"
}
resource "aws_s3_bucket" "b" {
  idle_timeout = 5
}
data "aws_lb" "d" {
  idle_timeout = 5
}
"#;
    let o = run(&[("main.tf", main)]);
    assert!(o.cands.is_empty(), "{:?}", o.addresses());
    assert!(o.diags.is_empty());
}

/// A device without its idle attribute (or with `null`) is a candidate
/// whose value is unset: the provider's default applies, located at the
/// resource.
#[test]
fn idle_limits_without_the_attribute_are_unset() {
    let main = r#"resource "aws_lb" "absent" {
}
resource "aws_db_proxy" "null" {
  idle_client_timeout = null
}
resource "aws_lb_listener" "no_attr" {
  protocol = "TCP"
}
"#;
    let o = run(&[("main.tf", main)]);
    assert_eq!(
        o.addresses(),
        [
            "aws_lb.absent idle limit",
            "aws_db_proxy.null idle limit",
            "aws_lb_listener.no_attr idle limit"
        ]
    );
    for a in [
        "aws_lb.absent",
        "aws_db_proxy.null",
        "aws_lb_listener.no_attr",
    ] {
        let l = o.idle(a);
        assert_eq!(l.value, crate::sources::Written::Unset, "{a}");
        assert_eq!(
            o.at(l.at),
            o.at(o.cands.iter().find(|c| c.address == a).unwrap().at)
        );
    }
    assert!(o.diags.is_empty());
}

#[test]
fn unresolved_idle_values_keep_the_reason() {
    let main = r#"resource "aws_elb" "e" {
  idle_timeout = var.idle
}
resource "aws_lb_listener" "l" {
  tcp_idle_timeout_seconds = aws_lb.x.idle_timeout
}
"#;
    let o = run(&[("main.tf", main), ("v.tf", "variable \"idle\" {}\n")]);
    assert_eq!(
        o.idle("aws_elb.e").value,
        Written::Unresolved("var.idle has no default and no .tfvars sets it".into())
    );
    assert_eq!(o.at(o.idle("aws_elb.e").at), "main.tf:2:18");
    assert_eq!(
        o.idle("aws_lb_listener.l").value,
        Written::Unresolved("`aws_lb.x.idle_timeout` is known only when Terraform runs".into())
    );
}

#[test]
fn cloud_sql_flags() {
    let main = r#"resource "google_sql_database_instance" "main" {
  database_version = "POSTGRES_15"
  root_password    = "cloudsql-root-pw"
  settings {
    tier = "db-f1-micro"
    database_flags {
      name  = "idle_session_timeout"
      value = "600000"
    }
    dynamic "database_flags" {
      for_each = var.flags
      content {
        name  = database_flags.key
        value = database_flags.value
      }
    }
  }
}
variable "flags" {
  default = {
    tcp_keepalives_idle = "60"
  }
}
"#;
    let o = run(&[("main.tf", main)]);
    let s = o.server("google_sql_database_instance.main");
    assert_eq!(s.system, System::Postgres);
    let f = s.flavor.as_ref().expect("flavor");
    assert_eq!(
        (f.product.as_str(), f.version.as_deref()),
        ("postgres", Some("15"))
    );
    assert_eq!(
        o.assigned("google_sql_database_instance.main"),
        [
            "idle_session_timeout=600000@main.tf:8:16",
            "tcp_keepalives_idle=60@main.tf:21:28"
        ]
    );
    assert!(
        o.sources
            .secret_values()
            .contains(&"cloudsql-root-pw".to_string())
    );
}

#[test]
fn azure_flexible_configurations_group_by_server() {
    let main = r#"resource "azurerm_mysql_flexible_server_configuration" "wait" {
  name      = "wait_timeout"
  server_id = azurerm_mysql_flexible_server.main.id
  value     = "600"
}
resource "azurerm_postgresql_flexible_server_configuration" "idle" {
  name      = "idle_session_timeout"
  server_id = azurerm_postgresql_flexible_server.pg.id
  value     = "0"
}
resource "azurerm_mysql_flexible_server_configuration" "other" {
  name      = "wait_timeout"
  server_id = var.server_id
  value     = "1"
}
"#;
    let server = r#"resource "azurerm_mysql_flexible_server" "main" {
  version                = "8.0.21"
  administrator_password = "azure-admin-pw"
}
resource "azurerm_mysql_flexible_server_configuration" "interactive" {
  name      = "interactive_timeout"
  server_id = azurerm_mysql_flexible_server.main.id
  value     = "600"
}
"#;
    let o = run(&[("main.tf", main), ("server.tf", server)]);
    assert_eq!(
        o.addresses(),
        [
            "azurerm_mysql_flexible_server.main server",
            "azurerm_postgresql_flexible_server.pg server"
        ]
    );
    assert_eq!(
        o.assigned("azurerm_mysql_flexible_server.main"),
        [
            "wait_timeout=600@main.tf:4:16",
            "interactive_timeout=600@server.tf:8:16"
        ]
    );
    let f = o
        .server("azurerm_mysql_flexible_server.main")
        .flavor
        .as_ref()
        .expect("flavor");
    assert_eq!(f.version.as_deref(), Some("8.0.21"));
    assert_eq!(
        o.server("azurerm_postgresql_flexible_server.pg").system,
        System::Postgres
    );
    assert!(
        o.server("azurerm_postgresql_flexible_server.pg")
            .flavor
            .is_none()
    );
    assert!(
        o.sources
            .secret_values()
            .contains(&"azure-admin-pw".to_string())
    );
}

#[test]
fn registry_modules() {
    let main = r#"module "db" {
  source                    = "terraform-aws-modules/rds/aws"
  version                   = "~> 6.0"
  engine                    = "mysql"
  engine_version            = "8.0.35"
  family                    = "mysql8.0"
  password                  = "module-db-pw"
  parameters = [
    { name = "wait_timeout", value = "600" },
    { name = "character_set_client", value = "utf8mb4" },
  ]
}
module "off" {
  source                    = "terraform-aws-modules/rds/aws"
  engine                    = "postgres"
  create_db_parameter_group = false
  parameters                = [{ name = "idle_session_timeout", value = "1" }]
}
module "aurora" {
  source         = "terraform-aws-modules/rds-aurora/aws"
  engine         = "aurora-postgresql"
  engine_version = "15.4"
  cluster_parameter_group = {
    family     = "aurora-postgresql15"
    parameters = [{ name = "idle_session_timeout", value = "100" }]
  }
  db_parameter_group = {
    family     = "aurora-postgresql15"
    parameters = [{ name = "idle_session_timeout", value = "200" }]
  }
}
module "aurora9" {
  source                                = "git::https://github.com/terraform-aws-modules/terraform-aws-rds-aurora.git?ref=v9.0.0"
  db_cluster_parameter_group_family     = "aurora-mysql8.0"
  db_cluster_parameter_group_parameters = [{ name = "wait_timeout", value = "300", apply_method = "immediate" }]
  db_parameter_group_parameters         = [{ name = "wait_timeout", value = "400" }]
}
module "proxy" {
  source              = "terraform-aws-modules/rds-proxy/aws"
  idle_client_timeout = 900
}
module "alb" {
  source       = "terraform-aws-modules/alb/aws"
  idle_timeout = 100
}
module "nlb" {
  source             = "terraform-aws-modules/alb/aws"
  load_balancer_type = "network"
  idle_timeout       = 100
  listeners = {
    mysql = {
      port                     = 3306
      protocol                 = "TCP"
      tcp_idle_timeout_seconds = 400
    }
    tls = {
      protocol                 = "TLS"
      tcp_idle_timeout_seconds = 400
    }
  }
}
module "nat" {
  source                           = "terraform-google-modules/cloud-nat/google"
  tcp_established_idle_timeout_sec = "600"
}
module "local" {
  source = "../modules/rds"
  family = "mysql8.0"
}
"#;
    let o = run(&[("main.tf", main)]);
    assert_eq!(
        o.addresses(),
        [
            "module.db server",
            "module.off server",
            "module.aurora server",
            "module.aurora9 server",
            "module.proxy idle limit",
            "module.alb idle limit",
            "module.nlb.listeners.mysql idle limit",
            "module.nat idle limit",
        ]
    );
    let f = o.server("module.db").flavor.as_ref().expect("flavor");
    assert_eq!(
        (f.product.as_str(), f.version.as_deref()),
        ("mysql", Some("8.0"))
    );
    assert_eq!(
        o.assigned("module.db"),
        [
            "wait_timeout=600@main.tf:9:39",
            "character_set_client=utf8mb4@main.tf:10:47"
        ]
    );
    assert!(o.assigned("module.off").is_empty());
    assert_eq!(o.server("module.aurora").system, System::Postgres);
    assert_eq!(
        o.assigned("module.aurora"),
        [
            "idle_session_timeout=100@main.tf:25:61",
            "idle_session_timeout=200@main.tf:29:61"
        ]
    );
    assert_eq!(o.server("module.aurora9").system, System::Mysql);
    assert_eq!(
        o.assigned("module.aurora9"),
        [
            "wait_timeout=300@main.tf:35:78",
            "wait_timeout=400@main.tf:36:78"
        ]
    );
    assert_eq!(o.idle("module.proxy").preset, "aws-rds-proxy");
    assert_eq!(o.idle("module.alb").preset, "aws-alb");
    let l = o.idle("module.nlb.listeners.mysql");
    assert_eq!(
        (l.preset, l.value.clone()),
        ("aws-nlb", Written::Text("400".into()))
    );
    assert_eq!(o.at(l.at), "main.tf:54:34");
    assert_eq!(o.idle("module.nat").value, Written::Text("600".into()));
    assert!(
        o.sources
            .secret_values()
            .contains(&"module-db-pw".to_string())
    );
}

#[test]
fn syntax_errors_are_located_diagnostics() {
    let o = run(&[(
        "main.tf",
        "resource \"aws_elb\" \"e\" {\n  idle_timeout = 60\n  broken = = 1\n}\n",
    )]);
    assert!(o.cands.is_empty());
    assert_eq!(o.diags.len(), 1);
    let d = &o.diags[0];
    assert_eq!(d.code, crate::rules::codes::SYNTAX_ERROR);
    let loc = d.primary.location.expect("located");
    assert_eq!(o.at(loc), "main.tf:3:12");
    // A broken sibling is reported too; the named file still yields.
    let o = run(&[
        (
            "main.tf",
            "resource \"aws_elb\" \"e\" {\n  idle_timeout = var.x\n}\n",
        ),
        ("variables.tf", "variable \"x\" {\n  default = \n"),
    ]);
    assert_eq!(o.diags.len(), 1);
    assert!(
        o.at(o.diags[0].primary.location.expect("loc"))
            .starts_with("variables.tf:")
    );
    assert_eq!(
        o.idle("aws_elb.e").value,
        Written::Unresolved("var.x is not declared in this folder".into())
    );
}

#[test]
fn tfvars_alone_yields_nothing_and_unreadable_is_an_error() {
    let o = run(&[("terraform.tfvars", "db_password = \"tfvars-pw-123\"\n")]);
    assert!(o.cands.is_empty() && o.diags.is_empty());
    let mut sources = SourceMap::new(None);
    let mut diags = Vec::new();
    assert!(read(Path::new("/nonexistent/main.tf"), &mut sources, &mut diags).is_err());
}

#[test]
fn tfvars_passwords_are_marked() {
    let o = run(&[
        (
            "main.tf",
            "resource \"aws_db_instance\" \"x\" {\n  engine = \"mysql\"\n}\n",
        ),
        (
            "secrets.auto.tfvars",
            "db_password = \"tfvars-pw-123\"\napi_secret = \"s3cr3t-api\"\n",
        ),
    ]);
    let secrets = o.sources.secret_values();
    assert!(
        secrets.contains(&"tfvars-pw-123".to_string()),
        "{secrets:?}"
    );
    assert!(secrets.contains(&"s3cr3t-api".to_string()), "{secrets:?}");
}

#[test]
fn hostile_inputs_are_bounded() {
    // Nesting deeper than hcl-edit's 64 levels: a syntax error, no panic.
    let deep = format!(
        "locals {{\n  x = {}1{}\n}}\n",
        "[".repeat(5000),
        "]".repeat(5000)
    );
    let o = run(&[("main.tf", &deep)]);
    assert_eq!(o.diags.len(), 1);
    // Many blocks: every one read, in bounded time.
    let mut big =
        String::from("resource \"aws_db_parameter_group\" \"big\" {\n  family = \"mysql8.0\"\n");
    for i in 0..20_000 {
        big.push_str(&format!(
            "  parameter {{\n    name = \"p{i}\"\n    value = local.v\n  }}\n"
        ));
    }
    big.push_str("}\nlocals {\n  v = [for x in [1] : x]\n}\n");
    let o = run(&[("main.tf", &big)]);
    assert_eq!(
        o.server("aws_db_parameter_group.big").assignments.len(),
        20_000
    );
    // A list referenced through many locals: the step budget ends it.
    let mut fan = String::from("locals {\n  l0 = [\"1\", \"2\", \"3\", \"4\"]\n");
    for i in 1..16 {
        fan.push_str(&format!(
            "  l{i} = [local.l{p}, local.l{p}, local.l{p}, local.l{p}]\n",
            p = i - 1
        ));
    }
    fan.push_str("}\nresource \"aws_db_parameter_group\" \"fan\" {\n  family = \"mysql8.0\"\n  dynamic \"parameter\" {\n    for_each = local.l15\n    content {\n      name  = \"x\"\n      value = parameter.value\n    }\n  }\n}\n");
    // A password behind the exhausting reference, and a literal one after it.
    fan.push_str("resource \"aws_db_instance\" \"a\" {\n  password = local.l15[0]\n}\n");
    fan.push_str("resource \"aws_db_instance\" \"b\" {\n  password = \"literal-pw-after\"\n}\n");
    let o = run(&[("main.tf", &fan)]);
    assert!(o.server("aws_db_parameter_group.fan").assignments.len() <= eval::MAX_ITEMS);
    assert!(
        o.sources
            .secret_values()
            .contains(&"literal-pw-after".to_string())
    );
    // Binary junk does not panic.
    let junk: String = (0..4096u32)
        .map(|i| char::from_u32(i * 7919 % 0x2FFF).unwrap_or('x'))
        .collect();
    let _ = run(&[("main.tf", &junk)]);
}

#[test]
fn product_tables() {
    let rds = [
        ("mysql8.0", Some((System::Mysql, "mysql", Some("8.0")))),
        ("mysql5.7", Some((System::Mysql, "mysql", Some("5.7")))),
        (
            "aurora-mysql8.0",
            Some((System::Mysql, "aurora-mysql", Some("8.0"))),
        ),
        ("aurora5.6", Some((System::Mysql, "aurora", Some("5.6")))),
        (
            "mariadb10.6",
            Some((System::Mysql, "mariadb", Some("10.6"))),
        ),
        (
            "postgres16",
            Some((System::Postgres, "postgres", Some("16"))),
        ),
        (
            "aurora-postgresql15",
            Some((System::Postgres, "aurora-postgresql", Some("15"))),
        ),
        ("postgres", Some((System::Postgres, "postgres", None))),
        ("aurora-mysql", Some((System::Mysql, "aurora-mysql", None))),
        ("oracle-ee-19", None),
        ("sqlserver-ex-15.0", None),
        ("mysqlx", None),
        ("", None),
    ];
    for (text, want) in rds {
        let got = rds_product(text);
        let got = got.as_ref().map(|(s, p, v)| (*s, *p, v.as_deref()));
        assert_eq!(got, want, "{text}");
    }
    let sql = [
        ("MYSQL_8_0", Some((System::Mysql, "mysql", Some("8.0")))),
        (
            "MYSQL_8_0_31",
            Some((System::Mysql, "mysql", Some("8.0.31"))),
        ),
        (
            "POSTGRES_15",
            Some((System::Postgres, "postgres", Some("15"))),
        ),
        ("SQLSERVER_2019_STANDARD", None),
    ];
    for (text, want) in sql {
        let got = cloud_sql_product(text);
        let got = got.as_ref().map(|(s, p, v)| (*s, *p, v.as_deref()));
        assert_eq!(got, want, "{text}");
    }
    assert!(is_rds_formula("{DBInstanceClassMemory/12582880}"));
    assert!(is_rds_formula(
        "{log(DBInstanceClassMemory/8187281418)*1000}"
    ));
    assert!(!is_rds_formula("600"));
}

#[test]
fn siblings_outside_the_root_are_not_read() {
    let outside = tree(&[("secret.tfvars", "idle = 42\n")]);
    let dir = tree(&[
        (
            "main.tf",
            "resource \"aws_db_proxy\" \"p\" {\n  idle_client_timeout = var.idle\n}\n",
        ),
        ("variables.tf", "variable \"idle\" {}\n"),
    ]);
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        outside.path().join("secret.tfvars"),
        dir.path().join("link.auto.tfvars"),
    )
    .expect("symlink");
    let policy = crate::source::ReadPolicy::new(Some(dir.path()), 1 << 20);
    let mut sources = SourceMap::new(Some(dir.path().to_path_buf())).with_policy(policy);
    let mut diags = Vec::new();
    let cands = read(&dir.path().join("main.tf"), &mut sources, &mut diags).expect("read");
    let Found::IdleLimit(l) = &cands[0].found else {
        panic!("{cands:?}")
    };
    assert_eq!(
        l.value,
        Written::Unresolved("var.idle has no default and no .tfvars sets it".into())
    );
    assert!(sources.files().all(|(_, f)| !f.text().contains("42")));
    assert!(diags.is_empty());
}

#[test]
fn every_prefix_of_a_file_parses_or_is_a_located_error() {
    let text =
        format!("# é ü 日本 comment\n{GROUP}{VARS_MAIN}locals {{\n  s = \"ü${{var.x}}日\"\n}}\n");
    let mut sources = SourceMap::new(None);
    let mut cut = 0;
    while cut <= text.len() {
        if text.is_char_boundary(cut) {
            let id = sources.add(Path::new("main.tf"), text[..cut].to_string());
            let mut diags = Vec::new();
            if eval::parse(id, &sources, &mut diags).is_none() {
                assert_eq!(diags.len(), 1);
                let loc = diags[0].primary.location.expect("located");
                assert!(loc.span.end <= cut, "{cut}");
            }
        }
        cut += 1;
    }
}

#[test]
fn mutated_inputs_never_panic() {
    let base = format!("{GROUP}{VARS_MAIN}");
    let dir = tree(&[
        ("variables.tf", VARS),
        ("terraform.tfvars", "interactive_timeout = 1\n"),
    ]);
    let main = dir.path().join("main.tf");
    let noise = b"{}[]()\"$%=.,:\n\\~*-?";
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    for round in 0..300 {
        let mut bytes = base.clone().into_bytes();
        for _ in 0..(1 + round % 4) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let at = (seed % bytes.len() as u64) as usize;
            bytes[at] = noise[(seed >> 32) as usize % noise.len()];
        }
        std::fs::write(&main, &bytes).expect("write");
        let mut sources = SourceMap::new(Some(dir.path().to_path_buf()));
        let mut diags = Vec::new();
        let cands = read(&main, &mut sources, &mut diags).expect("readable");
        for c in &cands {
            assert!(sources.text_at(c.at).len() <= bytes.len());
        }
    }
}
