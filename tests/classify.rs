//! File kinds told without a manifest (`timeoutlint check FILE...`): every
//! supported kind under the names real repositories use, files that are
//! refused (unknown) or ambiguous, the command line's behaviour for them,
//! and the whole corpus given file by file.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use timeoutlint::classify::{Classified, Kind, classify, classify_text, proxy_listeners};
use timeoutlint::model::DbServer;
use timeoutlint::run::{RunOptions, run};

const DJANGO: &str =
    "DATABASES = {'default': {'ENGINE': 'django.db.backends.mysql', 'CONN_MAX_AGE': 600}}\n";
const GUNICORN: &str = "workers = 4\nthreads = 2\ntimeout = 30\n";
const APP_YAML: &str = "sqlalchemy:\n  url: mysql+pymysql://app@db/app\n  pool_recycle: 3600\n";
const FLASK_YAML: &str = "SQLALCHEMY_DATABASE_URI: postgresql://app@db/app\nSQLALCHEMY_ENGINE_OPTIONS:\n  pool_recycle: 300\n";
const DJANGO_YAML: &str =
    "DATABASES:\n  default:\n    ENGINE: django.db.backends.postgresql\n    CONN_MAX_AGE: 60\n";
const APP_TOML: &str = "[sqlalchemy]\nurl = \"mysql+pymysql://app@db/app\"\npool_recycle = 3600\n";
const AIRFLOW: &str = "[core]\ndags_folder = /opt/airflow/dags\n\n[database]\nsql_alchemy_conn = postgresql+psycopg2://airflow@db/airflow\nsql_alchemy_pool_recycle = 1800\n";
const MYCNF: &str = "[mysqld]\nbind-address = 0.0.0.0\nwait_timeout = 600\nmax_connections = 500\n";
const MYCNF_FRAGMENT: &str =
    "# included from my.cnf\nwait_timeout=600\ninteractive_timeout=600\nskip-name-resolve\n";
const MYCNF_INCLUDES: &str =
    "!includedir /etc/mysql/conf.d/\n!includedir /etc/mysql/mysql.conf.d/\n";
const DUMP_TABLE: &str = "mysql> SHOW GLOBAL VARIABLES LIKE '%timeout%';\n+-----------------+-------+\n| Variable_name   | Value |\n+-----------------+-------+\n| max_connections | 151   |\n| wait_timeout    | 28800 |\n+-----------------+-------+\n2 rows in set (0.00 sec)\n";
const DUMP_BATCH: &str =
    "Variable_name\tValue\nmax_connections\t151\nshared_buffers_pct\t10\nwait_timeout\t28800\n";
const DUMP_HEADERLESS: &str =
    "max_connections\t151\nwait_timeout\t28800\ninnodb_buffer_pool_size\t134217728\n";
const DUMP_VERTICAL: &str = "*************************** 1. row ***************************\nVariable_name: max_connections\n        Value: 151\n*************************** 2. row ***************************\nVariable_name: wait_timeout\n        Value: 28800\n";
const MYSQLD_HELP: &str = "mysqld  Ver 8.0.36 for Linux on x86_64 (MySQL Community Server - GPL)\n\nVariables (--variable-name=value)\nand boolean options {FALSE|TRUE}  Value (after reading options)\n--------------------------------- ----------------------------------------\nmax-connections                   151\nwait-timeout                      28800\n\n";
const PGCONF: &str = "listen_addresses = '*'\nmax_connections = 100\nshared_buffers = 128MB\nidle_session_timeout = 10min\n";
const PGCONF_TIMEOUTS: &str = "# timeouts\nstatement_timeout = 30s\nidle_in_transaction_session_timeout = '5min'\ntcp_keepalives_idle = 60\n";
const SHOW_ALL: &str = "          name           | setting |              description\n-------------------------+---------+---------------------------------------\n idle_session_timeout    | 0       | Sets the maximum allowed idle time.\n max_connections         | 100     | Sets the maximum number of connections.\n(2 rows)\n";
const PG_CSV: &str = "name,setting,unit,category\nidle_session_timeout,0,ms,Client Connection Defaults\nmax_connections,100,,Connections and Authentication\n";
const PGBOUNCER: &str = "[databases]\napp = host=db port=5432 dbname=app\n\n[pgbouncer]\nlisten_port = 6432\nserver_idle_timeout = 600\n";
const SYSCTL: &str = "# keepalive\nnet.ipv4.tcp_keepalive_time = 600\nnet.ipv4.tcp_keepalive_intvl = 60\nnet.ipv4.tcp_keepalive_probes = 5\n";
const CONNTRACK: &str = "net.netfilter.nf_conntrack_tcp_timeout_established = 432000\n";
const HAPROXY: &str = "global\n    maxconn 100\n\ndefaults\n    mode tcp\n    timeout connect 5s\n    timeout client 30m\n    timeout server 30m\n\nlisten stats\n    bind *:7000\n    mode http\n    stats enable\n\nlisten mysql\n    bind *:3306\n    server db1 10.0.0.1:3306 check\n";
const NGINX: &str = "events {}\n\nstream {\n    upstream db {\n        server 10.0.0.1:3306;\n    }\n    server {\n        listen 3306;\n        proxy_pass db;\n        proxy_timeout 10m;\n    }\n}\n";
const ENVOY: &str = "static_resources:\n  listeners:\n  - name: mysql\n    address:\n      socket_address: {address: 0.0.0.0, port_value: 3306}\n    filter_chains:\n    - filters:\n      - name: envoy.filters.network.tcp_proxy\n        typed_config:\n          \"@type\": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy\n          stat_prefix: mysql\n          cluster: mysql\n          idle_timeout: 600s\n";
const ISTIO: &str = "apiVersion: networking.istio.io/v1beta1\nkind: DestinationRule\nmetadata:\n  name: mysql\nspec:\n  host: mysql.db.svc.cluster.local\n  trafficPolicy:\n    connectionPool:\n      tcp:\n        idleTimeout: 1h\n";
const COMPOSE: &str = "services:\n  db:\n    image: mysql:8.0\n    command: --wait_timeout=600\n  web:\n    image: app\n";
const K8S: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: mysql\ndata:\n  my.cnf: |\n    [mysqld]\n    wait_timeout = 600\n---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: mysql\n";
const HELM: &str = "auth:\n  rootPassword: \"\"\nprimary:\n  configuration: |-\n    [mysqld]\n    wait_timeout=600\n";
const TERRAFORM: &str = "resource \"aws_db_parameter_group\" \"main\" {\n  family = \"mysql8.0\"\n  parameter {\n    name  = \"wait_timeout\"\n    value = \"600\"\n  }\n}\n";
const CFN_YAML: &str = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  DbParams:\n    Type: AWS::RDS::DBParameterGroup\n    Properties:\n      Family: mysql8.0\n      Parameters:\n        wait_timeout: 600\n      Description: !Sub '${AWS::StackName} params'\n";
const CFN_JSON: &str = "{\"Resources\": {\"DbParams\": {\"Type\": \"AWS::RDS::DBParameterGroup\", \"Properties\": {\"Family\": \"mysql8.0\", \"Parameters\": {\"wait_timeout\": \"600\"}}}}}\n";
const AWS_CLI: &str = "{\n  \"Parameters\": [\n    {\"ParameterName\": \"wait_timeout\", \"ParameterValue\": \"600\", \"Source\": \"user\"}\n  ]\n}\n";
const UWSGI: &str = "[uwsgi]\nmodule = app.wsgi\nprocesses = 4\nthreads = 2\nharakiri = 30\n";
const PROCFILE: &str = "web: gunicorn app.wsgi -w 4 --timeout 30\nworker: celery -A app worker\n";

/// Every kind, in the forms and under the file names real repositories use.
fn accepted() -> Vec<(Kind, &'static str, &'static [&'static str])> {
    use Kind::*;
    vec![
        (
            PythonSettings,
            DJANGO,
            &[
                "settings.py",
                "config.py",
                "production.py",
                "superset_config.py",
                "database.py",
                "base.py",
            ],
        ),
        (
            AppServer,
            GUNICORN,
            &[
                "gunicorn.conf.py",
                "gunicorn_conf.py",
                "gunicorn-config.py",
                "gunicorn.py",
            ],
        ),
        (
            AppYaml,
            APP_YAML,
            &[
                "app.yaml",
                "settings.yml",
                "config.yaml",
                "database.yml",
                "db.yaml",
            ],
        ),
        (AppYaml, FLASK_YAML, &["flask.yaml", "config.yml"]),
        (AppYaml, DJANGO_YAML, &["django.yaml", "settings.yaml"]),
        (
            AppToml,
            APP_TOML,
            &["app.toml", "settings.toml", "config.toml"],
        ),
        (
            AirflowCfg,
            AIRFLOW,
            &[
                "airflow.cfg",
                "airflow-prod.cfg",
                "airflow.cfg.j2",
                "webserver.cfg",
            ],
        ),
        (
            MysqlOptionFile,
            MYCNF,
            &[
                "my.cnf",
                "mysqld.cnf",
                "50-server.cnf",
                "server.cnf",
                "custom.cnf",
                "my.ini",
                "my-default.ini",
                "mysql.conf",
                "docker.cnf",
                "my.cnf.example",
                "settings.txt",
            ],
        ),
        (
            MysqlOptionFile,
            MYCNF_FRAGMENT,
            &["timeouts.cnf", "custom.conf", "tuning.conf"],
        ),
        (
            MysqlOptionFile,
            MYCNF_INCLUDES,
            &["my.cnf", "mysql.conf", "base.conf"],
        ),
        (
            MysqlDump,
            DUMP_TABLE,
            &[
                "variables.txt",
                "show-variables.txt",
                "mysql-vars.out",
                "global-variables.log",
            ],
        ),
        (
            MysqlDump,
            DUMP_BATCH,
            &[
                "variables.txt",
                "variables.tsv",
                "vars.tsv",
                "show-global-variables.txt",
                "postgresql.conf",
            ],
        ),
        (
            MysqlDump,
            DUMP_HEADERLESS,
            &["variables.txt", "vars-N.tsv", "settings.conf"],
        ),
        (
            MysqlDump,
            DUMP_VERTICAL,
            &["variables.txt", "show-variables-G.txt"],
        ),
        (
            MysqlDump,
            MYSQLD_HELP,
            &["mysqld-help.txt", "mysqld--verbose--help.txt", "help.out"],
        ),
        (
            PostgresConf,
            PGCONF,
            &[
                "postgresql.conf",
                "postgresql.auto.conf",
                "custom.conf",
                "00-tuning.conf",
                "postgresql.conf.sample",
                "pg.conf",
                "postgres.conf",
            ],
        ),
        (
            PostgresConf,
            PGCONF_TIMEOUTS,
            &["postgresql.conf", "timeouts.conf", "custom.conf"],
        ),
        (
            PostgresDump,
            SHOW_ALL,
            &["show-all.txt", "pg-settings.txt", "show_all.out"],
        ),
        (
            PostgresDump,
            PG_CSV,
            &["pg_settings.csv", "settings.csv", "pg-settings.txt"],
        ),
        (
            PgBouncer,
            PGBOUNCER,
            &[
                "pgbouncer.ini",
                "pgbouncer.ini.template",
                "pool.ini",
                "pgbouncer.conf",
                "bouncer.cfg",
            ],
        ),
        (
            Sysctl,
            SYSCTL,
            &[
                "sysctl.conf",
                "99-sysctl.conf",
                "10-network.conf",
                "keepalive.conf",
                "sysctl-a.txt",
                "my.cnf",
            ],
        ),
        (Sysctl, CONNTRACK, &["60-conntrack.conf", "conntrack.conf"]),
        (
            Haproxy,
            HAPROXY,
            &[
                "haproxy.cfg",
                "haproxy.conf",
                "10-mysql.cfg",
                "lb.cfg",
                "postgresql.conf",
            ],
        ),
        (
            Nginx,
            NGINX,
            &["nginx.conf", "stream.conf", "default.conf", "tcp.conf"],
        ),
        (
            Envoy,
            ENVOY,
            &[
                "envoy.yaml",
                "envoy.yml",
                "bootstrap.yaml",
                "front-envoy.yaml",
            ],
        ),
        (
            Istio,
            ISTIO,
            &[
                "destination-rule.yaml",
                "destinationrule.yaml",
                "dr.yaml",
                "mysql-dr.yml",
            ],
        ),
        (
            Compose,
            COMPOSE,
            &[
                "docker-compose.yml",
                "docker-compose.yaml",
                "compose.yaml",
                "compose.yml",
                "docker-compose.prod.yml",
                "docker-compose.override.yml",
                "db.mariadb.yml",
                "stack.yml",
            ],
        ),
        (
            Kubernetes,
            K8S,
            &[
                "deployment.yaml",
                "configmap.yaml",
                "mysql.yaml",
                "statefulset.yml",
                "k8s.yaml",
                "all.yaml",
                "mysql.yaml.tpl",
            ],
        ),
        (
            Helm,
            HELM,
            &[
                "values.yaml",
                "values-production.yaml",
                "values.prod.yaml",
                "mysql-values.yaml",
                "mysql_values.yaml",
                "values.yaml.tpl",
                "chart-config.yaml",
            ],
        ),
        (
            Terraform,
            TERRAFORM,
            &[
                "main.tf",
                "rds.tf",
                "database.tf",
                "prod.tfvars",
                "terraform.tfvars",
                "main.tf.json",
            ],
        ),
        (
            CloudFormation,
            CFN_YAML,
            &[
                "template.yaml",
                "stack.yaml",
                "cfn.yml",
                "rds.template",
                "database.yaml",
            ],
        ),
        (
            CloudFormation,
            CFN_JSON,
            &["stack.json", "template.json", "rds.template"],
        ),
        (
            AwsCliDump,
            AWS_CLI,
            &[
                "parameters.json",
                "db-params.json",
                "describe-db-parameters.json",
            ],
        ),
        (
            AppServer,
            UWSGI,
            &["uwsgi.ini", "app.ini", "uwsgi-prod.ini"],
        ),
        (AppServer, PROCFILE, &["Procfile", "Procfile.dev"]),
    ]
}

#[test]
fn every_kind_is_told_under_the_names_repositories_use() {
    let mut wrong = Vec::new();
    for (kind, text, names) in accepted() {
        for name in names {
            let got = classify_text(Path::new(name), text);
            if got != Classified::Known(kind) {
                wrong.push(format!("{name} ({kind:?}): {got:?}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn the_shipped_dump_fixtures_are_dumps() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    for (file, kind) in [
        ("mysql-dumps/batch.tsv", Kind::MysqlDump),
        (
            "mysql-dumps/show-global-variables-table.txt",
            Kind::MysqlDump,
        ),
        (
            "mysql-dumps/show-session-variables-vertical.txt",
            Kind::MysqlDump,
        ),
        ("postgres/show_all.txt", Kind::PostgresDump),
        ("postgres/show_all_unaligned.txt", Kind::PostgresDump),
        ("postgres/pg_settings.csv", Kind::PostgresDump),
    ] {
        let path = dir.join(file);
        let text = std::fs::read_to_string(&path).expect("fixture");
        assert_eq!(
            classify_text(&path, &text),
            Classified::Known(kind),
            "{file}"
        );
    }
}

#[test]
fn content_wins_over_a_misleading_name() {
    // The name only breaks ties: a file is never given a kind its content
    // contradicts.
    for (name, text, kind) in [
        ("my.cnf", SYSCTL, Kind::Sysctl),
        ("postgresql.conf", HAPROXY, Kind::Haproxy),
        ("haproxy.cfg", MYCNF, Kind::MysqlOptionFile),
        ("pgbouncer.ini", MYCNF, Kind::MysqlOptionFile),
        ("sysctl.conf", PGCONF, Kind::PostgresConf),
        ("values.yaml", K8S, Kind::Kubernetes),
        ("docker-compose.yml", CFN_YAML, Kind::CloudFormation),
        ("postgresql.conf", DUMP_BATCH, Kind::MysqlDump),
        ("my.cnf", SHOW_ALL, Kind::PostgresDump),
    ] {
        assert_eq!(
            classify_text(Path::new(name), text),
            Classified::Known(kind),
            "{name}"
        );
    }
}

#[test]
fn the_name_breaks_ties_the_content_leaves() {
    let shared = "max_connections = 100\nport = 3306\n";
    let both = "wait_timeout = 600\nshared_buffers = 128MB\n";
    for (name, text, kind) in [
        ("my.cnf", shared, Kind::MysqlOptionFile),
        ("50-server.cnf", shared, Kind::MysqlOptionFile),
        ("postgresql.conf", shared, Kind::PostgresConf),
        ("postgresql.auto.conf", shared, Kind::PostgresConf),
        ("tuning.cnf", both, Kind::MysqlOptionFile),
        ("postgresql.conf", both, Kind::PostgresConf),
        ("pgbouncer.ini", "", Kind::PgBouncer),
        ("my.cnf", "", Kind::MysqlOptionFile),
        ("sysctl.conf", "# nothing yet\n", Kind::Sysctl),
    ] {
        assert_eq!(
            classify_text(Path::new(name), text),
            Classified::Known(kind),
            "{name}: {text:?}"
        );
    }
}

#[test]
fn unknown_files_are_refused() {
    for (name, text) in [
        ("README.md", "# hello\n\nsome words\n"),
        ("notes.txt", "just some words\nmore words\n"),
        (
            ".env",
            "DB_HOST=db\nDB_PORT=5432\nPOSTGRES_PASSWORD=secret\n",
        ),
        ("prod.env", "MAX_CONNECTIONS=100\nWAIT_TIMEOUT=600\n"),
        ("env.example", "DATABASE_URL=postgres://db/app\n"),
        (
            "package.json",
            "{\"name\": \"x\", \"version\": \"1.0.0\"}\n",
        ),
        (
            "ci.yml",
            "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n",
        ),
        (
            "alembic.ini",
            "[alembic]\nscript_location = migrations\nsqlalchemy.url = driver://user:pass@localhost/dbname\n",
        ),
        ("setup.cfg", "[metadata]\nname = x\n"),
        (
            "Cargo.toml",
            "[package]\nname = \"x\"\nversion = \"0.1.0\"\n",
        ),
        ("pyproject.toml", "[tool.black]\nline-length = 100\n"),
        ("empty.conf", ""),
        ("data.csv", "id,name\n1,a\n"),
        ("broken.yaml", "key: [unclosed\n"),
    ] {
        assert_eq!(
            classify_text(Path::new(name), text),
            Classified::Unknown,
            "{name}"
        );
    }
}

#[test]
fn ambiguous_files_list_their_candidates() {
    use Kind::*;
    let mesh =
        format!("{ISTIO}---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\n");
    for (name, text, kinds) in [
        (
            "custom.conf",
            "max_connections = 100\n".to_string(),
            vec![MysqlOptionFile, PostgresConf],
        ),
        (
            "tuning.conf",
            "wait_timeout = 600\nshared_buffers = 128MB\n".to_string(),
            vec![MysqlOptionFile, PostgresConf],
        ),
        (
            "vars.tsv",
            "shared_buffers\t128MB\nwork_mem\t4MB\n".to_string(),
            vec![MysqlDump, PostgresDump],
        ),
        ("mesh.yaml", mesh, vec![Istio, Kubernetes]),
        (
            "both.conf",
            "[mysqld]\nwait_timeout = 1\n[pgbouncer]\nlisten_port = 6432\n".to_string(),
            vec![MysqlOptionFile, PgBouncer],
        ),
        (
            "app.yaml",
            format!("{APP_YAML}services:\n  db:\n    image: mysql\n"),
            vec![AppYaml, Compose],
        ),
    ] {
        assert_eq!(
            classify_text(Path::new(name), &text),
            Classified::Ambiguous(kinds),
            "{name}"
        );
    }
}

#[test]
fn classification_looks_at_the_first_256_kib_only() {
    // A huge file is not scanned to its end: the tail does not count.
    let mut text = MYCNF.to_string();
    text.push_str(&"# padding line\n".repeat(20_000));
    text.push_str("[pgbouncer]\nlisten_port = 6432\n");
    assert_eq!(
        classify_text(Path::new("x.conf"), &text),
        Classified::Known(Kind::MysqlOptionFile)
    );
}

#[test]
fn every_kind_has_a_description_and_a_manifest_key() {
    for k in Kind::ALL {
        assert!(!k.describe().is_empty());
        assert!(k.manifest_key().contains("FILE"), "{k:?}");
    }
    assert_eq!(
        Kind::MysqlOptionFile.describe(),
        "my.cnf (MySQL option file)"
    );
    assert_eq!(Kind::Compose.manifest_key(), "db = \"FILE#ADDRESS\"");
    assert_eq!(
        Kind::Haproxy.manifest_key(),
        "[[path.hop]] haproxy = \"FILE\" + proxy = \"NAME\""
    );
}

#[test]
fn proxy_listeners_mark_the_database_ones() {
    let names = |kind, texts: &[&str]| -> Vec<(String, bool)> {
        proxy_listeners(kind, texts)
            .into_iter()
            .map(|l| (l.name, l.database))
            .collect()
    };
    assert_eq!(
        names(Kind::Haproxy, &[HAPROXY]),
        [("stats".to_string(), false), ("mysql".to_string(), true)]
    );
    // A frontend is a database one through its backend's servers; files
    // given together are one configuration.
    let front = "frontend app_in\n    bind *:5000\n    default_backend primary\n";
    let back = "backend primary\n    server n1 10.0.0.1:5432 check\n";
    assert_eq!(
        names(Kind::Haproxy, &[front, back]),
        [("app_in".to_string(), true)]
    );
    assert_eq!(names(Kind::Nginx, &[NGINX]), [("3306".to_string(), true)]);
    assert_eq!(names(Kind::Envoy, &[ENVOY]), [("mysql".to_string(), true)]);
    assert_eq!(names(Kind::Istio, &[ISTIO]), [("mysql".to_string(), true)]);
    let web = "frontend www\n    bind *:80\n    mode http\n    default_backend app\nbackend app\n    server a 10.0.0.1:8080\n";
    assert_eq!(names(Kind::Haproxy, &[web]), [("www".to_string(), false)]);
    assert!(names(Kind::Compose, &[COMPOSE]).is_empty());
}

// --- The command line ---------------------------------------------------

fn tl() -> Command {
    Command::cargo_bin("timeoutlint").expect("binary built")
}

/// Writes `files` into a fresh folder and returns it.
fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    dir
}

/// `check --format concise` on `names` inside `dir`: exit code, stdout,
/// stderr.
fn check(dir: &Path, names: &[&str]) -> (i32, String, String) {
    let out = tl()
        .current_dir(dir)
        .arg("check")
        .args(["--format", "concise", "--color", "never"])
        .args(names)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The rule ids in concise output, sorted.
fn codes(stdout: &str) -> Vec<String> {
    let mut c: Vec<String> = stdout
        .split_whitespace()
        .filter(|w| {
            w.len() == 5 && w.starts_with("TL") && w[2..].bytes().all(|b| b.is_ascii_digit())
        })
        .map(str::to_string)
        .collect();
    c.sort();
    c
}

#[test]
fn an_ambiguous_file_is_a_usage_error_naming_candidates_and_keys() {
    let dir = project(&[("custom.conf", "max_connections = 100\n")]);
    let (code, stdout, stderr) = check(dir.path(), &["custom.conf"]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(
        codes(&stdout).is_empty(),
        "never parsed as a guessed kind: {stdout}"
    );
    assert!(
        stderr.contains(
            "custom.conf is ambiguous: it could be my.cnf (MySQL option file) (`db = \"custom.conf\"`) or postgresql.conf (`db = \"custom.conf\"`)"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("`backend = \"mysql\"` or `backend = \"postgresql\"`"),
        "{stderr}"
    );
}

#[test]
fn an_unknown_file_is_a_usage_error_listing_the_kinds() {
    let dir = project(&[("notes.txt", "just words\n"), (".env", "DB_HOST=db\n")]);
    let (code, stdout, stderr) = check(dir.path(), &["notes.txt"]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(
        stderr.contains("cannot tell what kind of config notes.txt is"),
        "{stderr}"
    );
    for k in Kind::ALL {
        assert!(stderr.contains(k.describe()), "{k:?} not listed: {stderr}");
    }
    let (code, _, stderr) = check(dir.path(), &[".env"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains(".env looks like an environment file"),
        "{stderr}"
    );
    assert!(stderr.contains("--env-file .env"), "{stderr}");
}

#[test]
fn a_lone_haproxy_cfg_gets_its_proxy_rules_only() {
    let cfg = "defaults\n    mode tcp\n    timeout client 600\n\nlisten stats\n    bind *:7000\n    mode http\n\nlisten mysql\n    bind *:3306\n    server db1 10.0.0.1:3306\n\nlisten postgres\n    bind *:5432\n    mode http\n    timeout client 1h\n    timeout server 1h\n    server pg1 10.0.0.2:5432\n";
    let dir = project(&[("haproxy.cfg", cfg)]);
    let (code, stdout, stderr) = check(dir.path(), &["haproxy.cfg"]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    // mysql: bare 600 (ms) client timeout and no server timeout; postgres:
    // mode http. `stats` is not a database listener and is not read as one.
    assert_eq!(
        stdout,
        "haproxy.cfg:3:20: TL121 timeout client 600 is 600 ms: a bare number is milliseconds in haproxy\n\
         haproxy.cfg:9:1: TL120 listen `mysql` has no timeout server: no timeout means the proxy never closes an idle session\n\
         haproxy.cfg:15:10: TL122 listen `postgres` runs in mode http, but a database connection is not http\n\
         1 error, 2 warnings\n"
    );
}

#[test]
fn a_haproxy_cfg_without_database_listeners_names_its_listeners() {
    let web = "defaults\n    mode http\n    timeout client 30s\n    timeout server 30s\nfrontend www\n    bind *:80\n    default_backend app\nbackend app\n    server a 10.0.0.1:8080\n";
    let dir = project(&[("haproxy.cfg", web)]);
    let (code, stdout, stderr) = check(dir.path(), &["haproxy.cfg"]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(codes(&stdout).is_empty(), "{stdout}");
    assert!(
        stderr.contains(
            "haproxy.cfg: no listener looks like a database one (it declares: www); name the one on the database path in a timeoutlint.toml manifest: [[path.hop]] haproxy = \"haproxy.cfg\" + proxy = \"NAME\""
        ),
        "{stderr}"
    );
}

#[test]
fn haproxy_files_given_together_are_one_config() {
    let global = "global\n    maxconn 100\ndefaults\n    mode tcp\n    timeout client 30m\n    timeout server 30m\n";
    let mysql = "frontend mysql\n    bind *:3306\n    default_backend mysql\nbackend mysql\n    server db1 10.0.0.1:3306\n";
    let dir = project(&[("10-global.cfg", global), ("mysql.cfg", mysql)]);
    let (code, stdout, stderr) = check(dir.path(), &["10-global.cfg", "mysql.cfg"]);
    assert_eq!((code, codes(&stdout)), (0, vec![]), "{stdout}{stderr}");
    // Alone, the defaults are missing: both sides lack a timeout.
    let (code, stdout, _) = check(dir.path(), &["mysql.cfg"]);
    assert_eq!(
        (code, codes(&stdout)),
        (0, vec!["TL120".to_string(), "TL120".to_string()])
    );
}

#[test]
fn other_lone_proxies_get_their_rules() {
    let nginx_no_timeout = NGINX.replace("        proxy_timeout 10m;\n", "");
    let envoy_http = "static_resources:\n  listeners:\n  - name: postgres\n    filter_chains:\n    - filters:\n      - name: envoy.filters.network.tcp_proxy\n        typed_config:\n          \"@type\": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy\n          stat_prefix: pg\n          cluster: pg\n          idle_timeout: 0s\n";
    let dir = project(&[
        ("nginx.conf", NGINX),
        ("stream.conf", &nginx_no_timeout),
        ("envoy.yaml", envoy_http),
        ("destination-rule.yaml", ISTIO),
    ]);
    for name in ["nginx.conf", "stream.conf", "destination-rule.yaml"] {
        let (code, stdout, stderr) = check(dir.path(), &[name]);
        assert_eq!(code, 0, "{name}: {stdout}{stderr}");
        assert!(
            !codes(&stdout).iter().any(|c| c == "TL001"),
            "{name}: {stdout}"
        );
    }
    let (code, stdout, stderr) = check(dir.path(), &["envoy.yaml"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(codes(&stdout), ["TL120"], "{stdout}");
}

#[test]
fn a_lone_compose_file_is_read_as_a_deployment_not_as_a_server_config() {
    let dir = project(&[
        ("docker-compose.yml", COMPOSE),
        ("compose.yaml", "services:\n  web:\n    image: app\n"),
    ]);
    let (code, stdout, stderr) = check(dir.path(), &["docker-compose.yml"]);
    assert_eq!((code, codes(&stdout)), (0, vec![]), "{stdout}{stderr}");
    // No database service: the deployment reader says so, once; no TL001.
    let (code, stdout, stderr) = check(dir.path(), &["compose.yaml"]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert_eq!(codes(&stdout), ["TL004"], "{stdout}");
    assert!(stdout.contains("holds no database server"), "{stdout}");
}

#[test]
fn a_tab_separated_show_global_variables_dump_is_read_as_mysql() {
    let dump = "Variable_name\tValue\nmax_connections\t151\nwait_timeout\t28800\ninteractive_timeout\t28800\n";
    let dir = project(&[("variables.txt", dump), ("postgresql.conf", dump)]);
    for name in ["variables.txt", "postgresql.conf"] {
        let (code, stdout, stderr) = check(dir.path(), &[name]);
        assert_eq!(
            (code, codes(&stdout)),
            (0, vec![]),
            "{name}: {stdout}{stderr}"
        );
        let out = run(&[dir.path().join(name)], &RunOptions::default());
        assert!(out.load_errors.is_empty());
        match &out.paths[0].server {
            Some(DbServer::Mysql(m)) => {
                assert_eq!(m.wait_timeout.value.as_secs(), 28800);
                assert_eq!(m.max_connections.value, 151);
            }
            other => panic!("{name}: {other:?}"),
        }
    }
}

#[test]
fn a_lone_server_dump_gets_its_single_file_rules() {
    // TL118 (MySQL: interactive_timeout differs from wait_timeout) and TL117
    // (PostgreSQL: lock_timeout not below statement_timeout) need the
    // server alone; each dump form is read as its server and gets them.
    let my_vertical = "*************************** 1. row ***************************\nVariable_name: interactive_timeout\n        Value: 28800\n*************************** 2. row ***************************\nVariable_name: wait_timeout\n        Value: 600\n";
    let my_batch = "interactive_timeout\t28800\nwait_timeout\t600\n";
    let pg_csv = "name,setting,unit\nlock_timeout,60000,ms\nstatement_timeout,30000,ms\n";
    let pg_show_all = " name | setting | description\n-------------------+---------+------------\n lock_timeout | 1min | x\n statement_timeout | 30s | y\n(2 rows)\n";
    let dir = project(&[
        ("variables-G.txt", my_vertical),
        ("variables.tsv", my_batch),
        ("pg_settings.csv", pg_csv),
        ("show-all.txt", pg_show_all),
    ]);
    for (name, postgres, rule) in [
        ("variables-G.txt", false, "TL118"),
        ("variables.tsv", false, "TL118"),
        ("pg_settings.csv", true, "TL117"),
        ("show-all.txt", true, "TL117"),
    ] {
        let out = run(&[dir.path().join(name)], &RunOptions::default());
        assert!(out.load_errors.is_empty(), "{name}");
        match &out.paths[0].server {
            Some(DbServer::Postgres(_)) if postgres => {}
            Some(DbServer::Mysql(_)) if !postgres => {}
            other => panic!("{name}: {other:?}"),
        }
        let ids: Vec<&str> = out.diagnostics.iter().map(|d| d.code.id).collect();
        assert_eq!(ids, [rule], "{name}");
    }
}

#[test]
fn terraform_variables_alone_are_a_usage_error() {
    let dir = project(&[
        ("variables.tf", "variable \"wait\" {\n  default = 600\n}\n"),
        ("main.tf", TERRAFORM),
    ]);
    let (code, _, stderr) = check(dir.path(), &["variables.tf"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("variables.tf declares no Terraform `resource` or `module`"),
        "{stderr}"
    );
    let (code, stdout, stderr) = check(dir.path(), &["variables.tf", "main.tf"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
}

#[test]
fn classify_refuses_unreadable_paths_and_plain_folders() {
    let dir = project(&[("my.cnf", MYCNF)]);
    let policy = timeoutlint::source::ReadPolicy::new(Some(dir.path()), 1024);
    assert_eq!(
        classify(&dir.path().join("my.cnf"), &policy),
        Ok(Kind::MysqlOptionFile)
    );
    let missing = classify(&dir.path().join("nope.cnf"), &policy).unwrap_err();
    assert!(missing.contains("cannot read"), "{missing}");
    let folder = classify(dir.path(), &policy).unwrap_err();
    assert!(folder.contains("is a folder"), "{folder}");
    std::fs::create_dir(dir.path().join("sysctl.d")).expect("mkdir");
    std::fs::write(dir.path().join("sysctl.d/99-keepalive.conf"), SYSCTL).expect("write");
    assert_eq!(
        classify(&dir.path().join("sysctl.d"), &policy),
        Ok(Kind::Sysctl)
    );
    let small = timeoutlint::source::ReadPolicy::new(Some(dir.path()), 10);
    assert!(classify(&dir.path().join("my.cnf"), &small).is_err());
}

// --- The corpus, file by file --------------------------------------------

/// What each corpus folder's files may be classified as. `None` in the
/// exceptions means: refused as unknown (environment files), never a kind.
fn folder_kinds(folder: &str) -> &'static [Kind] {
    use Kind::*;
    match folder {
        "mysql" => &[MysqlOptionFile, MysqlDump],
        "postgres" => &[PostgresConf, PostgresDump],
        "pgbouncer" => &[PgBouncer],
        "sysctl" => &[Sysctl],
        "haproxy" => &[Haproxy],
        "django" | "sqlalchemy" | "airflow" => &[PythonSettings, AirflowCfg],
        "compose" => &[Compose],
        "kubernetes" => &[Kubernetes],
        "helm" => &[Helm],
        "terraform" => &[Terraform],
        "cloudformation" => &[CloudFormation],
        "appservers" => &[AppServer],
        _ => &[],
    }
}

fn corpus_folders() -> Option<Vec<(String, PathBuf)>> {
    let root = common::corpus_dir("")?;
    let mut dirs: Vec<(String, PathBuf)> = std::fs::read_dir(&root)
        .expect("corpus readable")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .map(|p| {
            (
                p.file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned(),
                p,
            )
        })
        .collect();
    dirs.sort();
    Some(dirs)
}

/// The compose folder's environment files: refused as unknown, with the
/// `--env-file` hint.
fn is_env_file(name: &str) -> bool {
    name.ends_with(".env") || name.contains("__.env") || name.contains("env.example")
}

#[test]
fn every_corpus_file_is_classified_as_its_folder_says() {
    let Some(folders) = corpus_folders() else {
        return;
    };
    let mut wrong = Vec::new();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for (folder, dir) in folders {
        let allowed = folder_kinds(&folder);
        assert!(
            !allowed.is_empty(),
            "corpus folder {folder} has no expected kinds"
        );
        let policy = common::confined_to(Some(&dir));
        for (name, path) in common::corpus_files(&dir) {
            let got = classify(&path, &policy);
            let fine = match &got {
                Ok(k) => allowed.contains(k),
                Err(e) if is_env_file(&name) => e.contains("looks like an environment file"),
                Err(e) => e.contains(" is ambiguous: "),
            };
            if !fine {
                wrong.push(format!("{folder}/{name}: {got:?}"));
            }
            *counts.entry(folder.clone()).or_default() += 1;
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    assert!(counts.values().sum::<usize>() > 150, "{counts:?}");
}

#[test]
fn every_corpus_file_checked_alone_ends_with_a_meaningful_exit_code() {
    let Some(folders) = corpus_folders() else {
        return;
    };
    // Usage errors (exit 2) are expected exactly for: environment files,
    // Terraform files declaring no resource (variables), and an HAProxy
    // file without any listener (global and defaults only).
    let usage = |folder: &str, name: &str| {
        is_env_file(name)
            || folder == "terraform"
                && (name.ends_with(".tfvars") || name.ends_with("variables.tf"))
            || name == "harisekhon-haproxy-configs__10-global.cfg"
    };
    let mut wrong = Vec::new();
    for (folder, dir) in folders {
        for (name, path) in common::corpus_files(&dir) {
            let out = tl()
                .current_dir(&dir)
                .args(["check", "--format", "concise", "--color", "never"])
                .arg(&path)
                .output()
                .expect("runs");
            let code = out.status.code().unwrap_or(-1);
            let stdout = String::from_utf8_lossy(&out.stdout);
            let stderr = String::from_utf8_lossy(&out.stderr);
            let want_usage = usage(&folder, &name);
            let ok = if want_usage {
                code == 2
            } else {
                code == 0 || code == 1
            };
            if !ok || stderr.contains("panicked") {
                wrong.push(format!("{folder}/{name}: exit {code}: {stdout}{stderr}"));
            }
            // A server or proxy file is never parsed as another kind: no
            // TL001 flood of another format's syntax.
            let tl001 = codes(&stdout).iter().filter(|c| *c == "TL001").count();
            if tl001 > 2 {
                wrong.push(format!("{folder}/{name}: {tl001} TL001: {stdout}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn a_templated_airflow_cfg_is_read_as_airflow_not_as_yaml() {
    let dir = project(&[("airflow.cfg.j2", AIRFLOW)]);
    let (code, stdout, stderr) = check(dir.path(), &["airflow.cfg.j2"]);
    assert_eq!((code, codes(&stdout)), (0, vec![]), "{stdout}{stderr}");
    let out = run(&[dir.path().join("airflow.cfg.j2")], &RunOptions::default());
    let pool = out.paths[0].app.as_ref().expect("airflow pool");
    assert_eq!(
        pool.framework,
        timeoutlint::systems::app::Framework::Airflow
    );
    assert_eq!(
        pool.retirement.value,
        timeoutlint::units::Retirement::After(std::time::Duration::from_secs(1800))
    );
}

#[test]
fn a_deployment_file_whose_name_hides_its_kind_is_a_usage_error() {
    let dir = project(&[("params.txt", AWS_CLI), ("deploy", K8S)]);
    for name in ["params.txt", "deploy"] {
        let (code, stdout, stderr) = check(dir.path(), &[name]);
        assert_eq!(code, 2, "{stdout}{stderr}");
        assert!(codes(&stdout).is_empty(), "{stdout}");
        assert!(stderr.contains("its name does not say so"), "{stderr}");
    }
}
