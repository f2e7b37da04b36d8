//! `FILE#ADDRESS` references in the manifest: picking a candidate, the
//! TL004 errors that list the candidates, preset hops taking their value
//! from a file (range checks, kind mismatches, unresolved values), and
//! `app_env` / `workers`.

use timeoutlint::run::{RunOptions, run};

/// Runs a project made of `files` and returns `(code, primary text)` of
/// each finding, plus the load errors.
fn check(files: &[(&str, &str)]) -> (Vec<(String, String)>, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let out = run(&[dir.path().to_path_buf()], &RunOptions::default());
    let found = out
        .diagnostics
        .iter()
        .map(|d| {
            let text = d
                .primary
                .location
                .map(|l| out.sources.get(l.file).masked_slice(l.span).to_string())
                .unwrap_or_default();
            (d.code.id.to_string(), text)
        })
        .collect();
    let errors = out.load_errors.iter().map(|e| e.to_string()).collect();
    (found, errors)
}

fn codes(found: &[(String, String)]) -> Vec<&str> {
    found.iter().map(|(c, _)| c.as_str()).collect()
}

const APP: &str =
    "sqlalchemy:\n  url: mysql+pymysql://app@db.internal/orders\n  pool_recycle: 3600\n";

const TWO_GROUPS: &str = r#"
resource "aws_db_parameter_group" "orders" {
  family = "mysql8.0"
  parameter {
    name  = "wait_timeout"
    value = "600"
  }
}

resource "aws_db_parameter_group" "billing" {
  family = "mysql8.0"
  parameter {
    name  = "wait_timeout"
    value = "28800"
  }
}
"#;

#[test]
fn an_address_picks_one_of_several_candidates() {
    let manifest = "[[path]]\napp = \"app.yaml\"\ndb = \"rds.tf#aws_db_parameter_group.orders\"\n";
    let (found, errors) = check(&[
        ("timeoutlint.toml", manifest),
        ("app.yaml", APP),
        ("rds.tf", TWO_GROUPS),
    ]);
    assert!(errors.is_empty(), "{errors:?}");
    // RDS computes max_connections from the instance class: TL015 at the
    // family, never a number.
    assert_eq!(codes(&found), ["TL101", "TL015"]);
    assert_eq!(found[1].1, "mysql8.0");
    // The other group (28800) passes: the address decided.
    let manifest = manifest.replace("orders\"", "billing\"");
    let (found, _) = check(&[
        ("timeoutlint.toml", &manifest),
        ("app.yaml", APP),
        ("rds.tf", TWO_GROUPS),
    ]);
    assert_eq!(codes(&found), ["TL015"], "{found:?}");
}

#[test]
fn several_candidates_without_an_address_are_listed() {
    let manifest = "[[path]]\napp = \"app.yaml\"\ndb = \"rds.tf\"\n";
    let (found, _) = check(&[
        ("timeoutlint.toml", manifest),
        ("app.yaml", APP),
        ("rds.tf", TWO_GROUPS),
    ]);
    assert_eq!(found, [("TL004".to_string(), "\"rds.tf\"".to_string())]);
    let (found, _) = check(&[
        (
            "timeoutlint.toml",
            "[[path]]\napp = \"app.yaml\"\ndb = \"rds.tf#aws_db_parameter_group.nope\"\n",
        ),
        ("app.yaml", APP),
        ("rds.tf", TWO_GROUPS),
    ]);
    assert_eq!(codes(&found), ["TL004"]);
}

#[test]
fn one_candidate_needs_no_address() {
    let one = &TWO_GROUPS[..TWO_GROUPS
        .find("resource \"aws_db_parameter_group\" \"billing\"")
        .unwrap()];
    let (found, errors) = check(&[
        (
            "timeoutlint.toml",
            "[[path]]\napp = \"app.yaml\"\ndb = \"rds.tf\"\n",
        ),
        ("app.yaml", APP),
        ("rds.tf", one),
    ]);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(
        found,
        [
            ("TL101".to_string(), "3600".to_string()),
            ("TL015".to_string(), "mysql8.0".to_string())
        ]
    );
}

const LB: &str = r#"
resource "aws_lb_listener" "db" {
  load_balancer_arn        = "arn"
  port                     = 5432
  protocol                 = "TCP"
  tcp_idle_timeout_seconds = var.idle
}

resource "aws_lb" "web" {
  load_balancer_type = "application"
  idle_timeout       = 120
}
"#;

fn hop_project(var: &str, preset: &str, address: &str) -> (Vec<(String, String)>, Vec<String>) {
    let manifest = format!(
        "[[path]]\napp = \"app.yaml\"\n\n[[path.hop]]\npreset = \"{preset}\"\nidle_timeout = \"lb.tf#{address}\"\n"
    );
    let app = "sqlalchemy:\n  url: postgresql+psycopg2://api@db/orders\n  pool_recycle: 1800\n  connect_args:\n    tcp_user_timeout: 30000\n";
    check(&[
        ("timeoutlint.toml", &manifest),
        ("app.yaml", app),
        ("lb.tf", LB),
        ("variables.tf", var),
    ])
}

#[test]
fn a_preset_hop_takes_its_value_from_the_file() {
    let var = "variable \"idle\" {\n  default = 600\n}\n";
    let (found, errors) = hop_project(var, "aws-nlb", "aws_lb_listener.db");
    assert!(errors.is_empty(), "{errors:?}");
    // 1800 s recycle against the file's 600 s, located at the default.
    assert_eq!(found, [("TL103".to_string(), "1800".to_string())]);
}

#[test]
fn a_file_value_outside_the_preset_range_is_tl008_at_the_value() {
    let var = "variable \"idle\" {\n  default = 30\n}\n";
    let (found, _) = hop_project(var, "aws-nlb", "aws_lb_listener.db");
    // The preset's 350 s default stays: TL103 too.
    assert_eq!(codes(&found), ["TL103", "TL008"]);
    assert_eq!(found[1].1, "30");
}

#[test]
fn an_unresolved_file_value_keeps_the_preset_default_and_says_so() {
    let var = "variable \"idle\" {\n  type = number\n}\n";
    let (found, _) = hop_project(var, "aws-nlb", "aws_lb_listener.db");
    assert_eq!(codes(&found), ["TL103", "TL015"]);
}

#[test]
fn a_resource_of_another_kind_than_the_preset_warns() {
    let var = "variable \"idle\" {\n  default = 600\n}\n";
    let (found, _) = hop_project(var, "aws-nlb", "aws_lb.web");
    // An ALB named as an NLB: TL004 (warning) at the resource; its 120 s
    // value is still used.
    assert_eq!(codes(&found), ["TL103", "TL004"]);
}

#[test]
fn a_file_no_adapter_reads_is_a_load_error() {
    let (_, errors) = check(&[
        (
            "timeoutlint.toml",
            "[[path]]\napp = \"app.yaml\"\ndb = \"notes.txt#db\"\n",
        ),
        ("app.yaml", APP),
        ("notes.txt", "hello"),
    ]);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains("not a deployment file"), "{errors:?}");
}

const COMPOSE_MARIADB: &str =
    "services:\n  db:\n    image: mariadb:10.2\n  web:\n    image: ctfd/ctfd\n";

#[test]
fn a_server_without_config_runs_with_its_image_defaults() {
    // mariadb images before 10.5 ship wait_timeout = 600 (presets/images.toml).
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [
        (
            "timeoutlint.toml",
            "[[path]]\napp = \"app.yaml\"\ndb = \"docker-compose.yml#db\"\n",
        ),
        ("app.yaml", APP),
        ("docker-compose.yml", COMPOSE_MARIADB),
    ] {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let out = run(&[dir.path().to_path_buf()], &RunOptions::default());
    assert!(out.load_errors.is_empty(), "{:?}", out.load_errors);
    let d = &out.diagnostics;
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].code.id, "TL101");
    assert!(
        d[0].message
            .contains("wait_timeout = 600 s (image mariadb:10.2 default)"),
        "{}",
        d[0].message
    );
    // The related label points at the image line.
    let related = d[0].related[0].location.unwrap();
    assert!(
        out.sources
            .get(related.file)
            .masked_slice(related.span)
            .contains("mariadb")
    );
    // The same image from 10.5 on ships the compiled default (28800): no finding.
    let (found, _) = check(&[
        (
            "timeoutlint.toml",
            "[[path]]\napp = \"app.yaml\"\ndb = \"docker-compose.yml#db\"\n",
        ),
        ("app.yaml", APP),
        (
            "docker-compose.yml",
            &COMPOSE_MARIADB.replace("10.2", "10.11"),
        ),
    ]);
    assert!(found.is_empty(), "{found:?}");
    // A flag beats the image's value, with no "set twice" finding.
    let (found, _) = check(&[
        (
            "timeoutlint.toml",
            "[[path]]\napp = \"app.yaml\"\ndb = \"docker-compose.yml#db\"\n",
        ),
        ("app.yaml", APP),
        (
            "docker-compose.yml",
            &COMPOSE_MARIADB.replace(
                "mariadb:10.2\n",
                "mariadb:10.2\n    command: --wait_timeout=28800\n",
            ),
        ),
    ]);
    assert!(found.is_empty(), "{found:?}");
}

/// Untrusted deployment files: a reference leaving the project root is a
/// load error, never read; a deeply nested or huge compose file, a Helm
/// template and a Terraform reference cycle are located diagnostics, never a
/// panic or a hang.
#[test]
fn hostile_deployment_files_stay_bounded() {
    let outer = tempfile::tempdir().unwrap();
    let root = outer.path().join("project");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(outer.path().join("secret.tf"), TWO_GROUPS).unwrap();
    std::fs::write(
        root.join("timeoutlint.toml"),
        "[[path]]\napp = \"app.yaml\"\ndb = \"../secret.tf#aws_db_parameter_group.orders\"\n",
    )
    .unwrap();
    std::fs::write(root.join("app.yaml"), APP).unwrap();
    std::fs::write(root.join(".git"), "").unwrap();
    let opts = RunOptions {
        root: Some(root.clone()),
        ..RunOptions::default()
    };
    let out = run(std::slice::from_ref(&root), &opts);
    assert_eq!(out.load_errors.len(), 1, "{:?}", out.load_errors);
    assert!(
        out.sources
            .files()
            .all(|(_, f)| !f.path().ends_with("secret.tf"))
    );

    let deep = format!(
        "services:\n  db:\n    image: mysql:8.0\n    x: {}{}\n",
        "[".repeat(5000),
        "]".repeat(5000)
    );
    let (found, _) = check(&[
        (
            "timeoutlint.toml",
            "[[path]]\napp = \"app.yaml\"\ndb = \"docker-compose.yml#db\"\n",
        ),
        ("app.yaml", APP),
        ("docker-compose.yml", &deep),
    ]);
    assert!(codes(&found).contains(&"TL001"), "{found:?}");

    let (found, _) = check(&[
        (
            "timeoutlint.toml",
            "[[path]]\napp = \"app.yaml\"\ndb = \"chart/values.yaml#primary.configuration\"\n",
        ),
        ("app.yaml", APP),
        (
            "chart/values.yaml",
            "primary:\n  configuration: {{ .Values.x | quote }}\n  extra: [\n",
        ),
    ]);
    assert!(codes(&found).contains(&"TL001"), "{found:?}");

    let cycle = "locals {\n  a = local.b\n  b = local.a\n}\nresource \"aws_db_parameter_group\" \"p\" {\n  family = \"mysql8.0\"\n  parameter {\n    name  = \"wait_timeout\"\n    value = local.a\n  }\n}\n";
    let (found, errors) = check(&[
        (
            "timeoutlint.toml",
            "[[path]]\napp = \"app.yaml\"\ndb = \"main.tf\"\n",
        ),
        ("app.yaml", APP),
        ("main.tf", cycle),
    ]);
    assert!(errors.is_empty(), "{errors:?}");
    assert!(codes(&found).contains(&"TL015"), "{found:?}");
}

/// A managed service's defaults that differ from the server's apply below
/// the parameter group: RDS for PostgreSQL probes idle sessions after 300 s
/// (tcp_keepalives_idle 300, interval 30, count 2), which keeps an NLB's
/// 350 s flow alive; the chain says where the 300 comes from.
#[test]
fn rds_postgres_keepalive_defaults_apply() {
    let tf = "resource \"aws_db_parameter_group\" \"pg\" {\n  family = \"postgres15\"\n  parameter {\n    name  = \"statement_timeout\"\n    value = \"60000\"\n  }\n}\n";
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [
        (
            "timeoutlint.toml",
            "[[path]]\napp = \"app.yaml\"\ndb = \"rds.tf\"\n\n[[path.hop]]\npreset = \"aws-nlb\"\n",
        ),
        (
            "app.yaml",
            "sqlalchemy:\n  url: postgresql+asyncpg://api@db/orders\n  pool_recycle: 1800\n  connect_args:\n    command_timeout: 30\n",
        ),
        ("rds.tf", tf),
    ] {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let out = run(&[dir.path().to_path_buf()], &RunOptions::default());
    let Some(timeoutlint::model::DbServer::Postgres(pg)) = &out.paths[0].server else {
        panic!("a PostgreSQL server");
    };
    assert_eq!(pg.tcp_keepalives_idle.value.as_secs(), 300);
    assert_eq!(pg.tcp_keepalives_count.value, 2);
    let said = pg.tcp_keepalives_idle.origin.describe(&out.sources);
    assert!(
        said.starts_with("default of Amazon RDS for postgres 15 (https://docs.aws.amazon.com/"),
        "{said}"
    );
    assert_eq!(pg.statement_timeout.value.as_millis(), 60_000);
    // Server keepalive below the NLB's 350 s: no TL103 for asyncpg's pool.
    let codes: Vec<&str> = out.diagnostics.iter().map(|d| d.code.id).collect();
    assert!(!codes.contains(&"TL103"), "{codes:?}");
}
