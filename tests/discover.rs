//! Discovery (`check DIR` without a manifest) and `timeoutlint init` on the
//! fixture repositories of `tests/fixtures/discover/` (README.md there says
//! what each is modelled on and what it must give).
//!
//! For each repository:
//! - the discovered paths (the human report's first lines) are snapshotted;
//! - the findings equal those of the hand-written manifest beside it
//!   (`<name>.expected.gcc`), apart from discovery's own TL017 notes;
//! - `init` writes a manifest, and a check with it gives the same findings
//!   as discovery did (again apart from TL017, which only discovery emits);
//! - `init` refuses to overwrite without `--force`.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

const REPOS: [&str; 5] = [
    "django-compose-pgbouncer",
    "flask-mysql-compose",
    "fastapi-k8s-terraform-rds",
    "monorepo",
    "unlinkable",
];

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/discover")
}

fn tl() -> Command {
    Command::cargo_bin("timeoutlint").unwrap()
}

/// Copies `from` into `to` (hidden files and ignored folders included:
/// discovery must skip them itself).
fn copy_tree(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from) {
        let e = e.unwrap();
        let dest = to.join(e.path().strip_prefix(from).unwrap());
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(e.path(), &dest).unwrap();
        }
    }
}

/// `check --format gcc --fail-on info NAME` run in `cwd`: (stdout lines, exit code).
fn gcc(cwd: &Path, name: &str) -> (Vec<String>, i32) {
    let out = tl()
        .args(["check", "--format", "gcc", "--fail-on", "info", name])
        .current_dir(cwd)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    (
        text.lines().map(str::to_string).collect(),
        out.status.code().unwrap_or(-1),
    )
}

fn without_tl017(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .filter(|l| !l.ends_with("[TL017]"))
        .cloned()
        .collect()
}

#[test]
fn discovery_finds_what_the_hand_written_manifest_describes() {
    for name in REPOS {
        let (found, _) = gcc(&fixtures(), name);
        let expected =
            std::fs::read_to_string(fixtures().join(format!("{name}.expected.gcc"))).unwrap();
        let expected: Vec<String> = expected.lines().map(str::to_string).collect();
        assert_eq!(without_tl017(&found), expected, "{name}");
        assert!(!found.is_empty(), "{name}: every repository has a finding");
    }
}

#[test]
fn discovered_paths_head_the_human_report() {
    for name in REPOS {
        let out = tl()
            .args(["check", "--color", "never", name])
            .current_dir(fixtures())
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        let header: String = text
            .split_inclusive('\n')
            .take_while(|l| l.trim() != "")
            .collect();
        insta::assert_snapshot!(format!("discover-header-{name}"), header);
    }
}

#[test]
fn only_the_unlinkable_repository_gets_tl017() {
    for name in REPOS {
        let (found, _) = gcc(&fixtures(), name);
        let notes = found.iter().filter(|l| l.ends_with("[TL017]")).count();
        assert_eq!(
            notes,
            usize::from(name == "unlinkable"),
            "{name}: {found:?}"
        );
    }
}

#[test]
fn init_writes_a_manifest_that_gives_the_same_findings() {
    for name in REPOS {
        let tmp = tempfile::tempdir().unwrap();
        copy_tree(&fixtures().join(name), &tmp.path().join(name));
        let (discovered, code) = gcc(tmp.path(), name);
        tl().args(["init", name])
            .current_dir(tmp.path())
            .assert()
            .code(0);
        let manifest = tmp.path().join(name).join("timeoutlint.toml");
        let text = std::fs::read_to_string(&manifest).unwrap();
        assert!(text.contains("[[path]]"), "{name}: {text}");
        insta::assert_snapshot!(format!("discover-init-{name}"), text);
        let (checked, code_after) = gcc(tmp.path(), name);
        assert_eq!(
            without_tl017(&checked),
            without_tl017(&discovered),
            "{name}: init's manifest gives other findings"
        );
        if name != "unlinkable" {
            assert_eq!(code, code_after, "{name}");
        }
        // The manifest wins over discovery: no discovered-paths header.
        let out = tl()
            .args(["check", "--color", "never", name])
            .current_dir(tmp.path())
            .output()
            .unwrap();
        assert!(
            !String::from_utf8(out.stdout)
                .unwrap()
                .contains("discovered")
        );
        // Never over an existing manifest without --force.
        tl().args(["init", name])
            .current_dir(tmp.path())
            .assert()
            .code(2)
            .stderr(predicates::str::contains("--force"));
        tl().args(["init", "--force", name])
            .current_dir(tmp.path())
            .assert()
            .code(0);
        assert_eq!(std::fs::read_to_string(&manifest).unwrap(), text);
    }
}

#[test]
fn passwords_never_appear_in_discovery_output() {
    let secrets = [
        "pg-fixture-pw-31",
        "s3cr3t-pw",
        "pg-monorepo-pw-9",
        "my-monorepo-pw-4",
    ];
    for name in REPOS {
        for format in ["human", "json", "sarif", "gcc"] {
            let out = tl()
                .args(["check", "--format", format, name])
                .current_dir(fixtures())
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&out.stdout);
            for s in secrets {
                assert!(!text.contains(s), "{name} {format}: {s}");
            }
        }
        let out = tl()
            .args(["init", "--stdout", name])
            .current_dir(fixtures())
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        for s in secrets {
            assert!(!text.contains(s), "{name} init: {s}");
        }
    }
}

#[test]
fn discovery_is_deterministic() {
    for name in REPOS {
        let a = tl()
            .args(["check", "--format", "json", name])
            .current_dir(fixtures())
            .output()
            .unwrap();
        let b = tl()
            .args(["check", "--format", "json", name])
            .current_dir(fixtures())
            .output()
            .unwrap();
        assert_eq!(a.stdout, b.stdout, "{name}");
    }
}

/// Writes `files` (path, text) under a fresh folder.
fn repo(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (p, text) in files {
        let p = dir.path().join(p);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

fn human(dir: &Path) -> String {
    let out = tl()
        .args(["check", "--color", "never", "."])
        .current_dir(dir)
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn links_through_an_haproxy_listener_on_the_app_port() {
    let dir = repo(&[
        (
            "config.py",
            "SQLALCHEMY_DATABASE_URI = 'mysql+pymysql://app@haproxy:3306/app'\nSQLALCHEMY_ENGINE_OPTIONS = {'pool_recycle': 3600}\n",
        ),
        (
            "lb/haproxy.cfg",
            "defaults\n  mode tcp\n  timeout connect 5s\n  timeout client 30m\n  timeout server 30m\nlisten stats\n  bind :8404\nlisten mysql\n  bind *:3306\n  server db1 mysql:3306 check\n",
        ),
        (
            "docker-compose.yml",
            "services:\n  haproxy:\n    image: haproxy:2.8\n  mysql:\n    image: mysql:8.0\n    command: --wait-timeout=600\n",
        ),
    ]);
    let text = human(dir.path());
    assert!(
        text.contains("  app (config.py, engine) -> haproxy `mysql` (lb/haproxy.cfg) -> mysql:8.0 (compose: mysql)\n"),
        "{text}"
    );
    // Both idle limits are checked: the server's and the proxy's.
    assert!(text.contains("TL101"), "{text}");
    assert!(text.contains("TL103"), "{text}");
    let manifest = String::from_utf8(
        tl().args(["init", "--stdout", "."])
            .current_dir(dir.path())
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert!(
        manifest.contains("[[path.hop]]\nhaproxy = \"lb/haproxy.cfg\"\nproxy = \"mysql\"\n"),
        "{manifest}"
    );
}

#[test]
fn links_through_an_rds_proxy_to_its_target() {
    let dir = repo(&[
        (
            "app/db.py",
            "from sqlalchemy import create_engine\nengine = create_engine('postgresql+psycopg://app@orders-proxy.proxy-c9akciq32fmw.eu-west-1.rds.amazonaws.com:5432/orders', pool_recycle=3600, pool_pre_ping=True)\n",
        ),
        (
            "infra/rds.tf",
            r#"resource "aws_db_instance" "orders" {
  identifier     = "orders"
  engine         = "postgres"
  engine_version = "16.4"
}
resource "aws_db_proxy" "orders" {
  name                = "orders-proxy"
  engine_family       = "POSTGRESQL"
  idle_client_timeout = 1800
}
resource "aws_db_proxy_target" "orders" {
  db_instance_identifier = aws_db_instance.orders.identifier
  db_proxy_name          = aws_db_proxy.orders.name
}
"#,
        ),
    ]);
    let text = human(dir.path());
    assert!(
        text.contains("  app (app/db.py, engine `engine`) -> RDS Proxy `orders-proxy` (terraform: aws_db_proxy.orders) -> postgres:16.4 (terraform: aws_db_instance.orders)\n"),
        "{text}"
    );
    // The network is said to be unknown once, without the preset already on the path.
    assert_eq!(text.matches("network between app and").count(), 1, "{text}");
    assert!(
        text.contains("(presets: aws-security-group, aws-nat-gateway, aws-nlb)"),
        "{text}"
    );
    assert!(text.contains("TL103"), "{text}");
    assert!(text.contains("infra/rds.tf:9"), "{text}");
}

#[test]
fn links_a_kubernetes_service_and_adds_its_conntrack_preset() {
    let dir = repo(&[
        (
            "app/settings.py",
            "import os\nDATABASES = {'default': {'ENGINE': 'django.db.backends.postgresql', 'HOST': os.environ.get('DB_HOST', 'localhost'), 'CONN_MAX_AGE': 600}}\n",
        ),
        (
            "k8s/app.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n        - name: web\n          image: shop:1\n          env:\n            - name: DB_HOST\n              value: postgres.shop.svc.cluster.local\n",
        ),
        (
            "k8s/db.yaml",
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: postgres\nspec:\n  selector: {app: postgres}\n  ports: [{port: 5432}]\n---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: postgres\nspec:\n  template:\n    metadata:\n      labels: {app: postgres}\n    spec:\n      containers:\n        - name: postgres\n          image: postgres:16\n          args: [\"-c\", \"idle_session_timeout=300s\"]\n",
        ),
    ]);
    let text = human(dir.path());
    assert!(
        text.contains("  web (app/settings.py, DATABASES[\"default\"]) -> postgres:16 (k8s: StatefulSet/postgres)\n"),
        "{text}"
    );
    assert!(!text.contains("network between"), "{text}");
    assert!(text.contains("TL119"), "{text}");
    let manifest = String::from_utf8(
        tl().args(["init", "--stdout", "."])
            .current_dir(dir.path())
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert!(
        manifest.contains("preset = \"kube-proxy-conntrack\""),
        "{manifest}"
    );
    assert!(
        manifest.contains("app_env = \"k8s/app.yaml#Deployment/web\""),
        "{manifest}"
    );
}

#[test]
fn a_subfolder_with_its_own_manifest_is_checked_by_it() {
    let dir = repo(&[
        (
            "billing/settings.py",
            "DATABASES = {'default': {'ENGINE': 'django.db.backends.mysql', 'HOST': 'db', 'CONN_MAX_AGE': 3600}}\n",
        ),
        (
            "billing/compose.yaml",
            "services:\n  db:\n    image: mysql:8.0\n    command: --wait-timeout=600\n",
        ),
        (
            "legacy/app.yaml",
            "sqlalchemy:\n  url: mysql+pymysql://app@legacy-db/app\n  pool_recycle: 7200\n",
        ),
        ("legacy/my.cnf", "[mysqld]\nwait_timeout = 600\n"),
        (
            "legacy/timeoutlint.toml",
            "[[path]]\nname = \"legacy\"\napp = \"app.yaml\"\ndb = \"my.cnf\"\n",
        ),
    ]);
    let text = human(dir.path());
    assert!(
        text.contains(
            "  billing (billing/settings.py, DATABASES[\"default\"]) -> mysql:8.0 (compose: db)\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("  checked with its own manifest: legacy/timeoutlint.toml\n"),
        "{text}"
    );
    // The manifest's path is checked (TL101), its files are not discovered again.
    assert!(text.contains("TL101"), "{text}");
    assert!(text.contains("TL102"), "{text}");
    assert!(!text.contains("legacy (legacy/app.yaml"), "{text}");
}

#[test]
fn dj_database_url_hosts_are_linked() {
    let dir = repo(&[
        (
            "manage.py",
            "import os\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"shop.settings\")\n",
        ),
        (
            "shop/settings.py",
            "import dj_database_url\nDATABASES = {'default': dj_database_url.config(env=dj_database_url.DEFAULT_ENV, default='postgres://shop@localhost:5432/shop', conn_max_age=600)}\n",
        ),
        (
            "docker-compose.yml",
            "services:\n  api:\n    build: .\n    environment:\n      DATABASE_URL: postgres://shop@db:5432/shop\n  db:\n    image: postgres:16\n    command: postgres -c idle_session_timeout=300s\n",
        ),
    ]);
    let text = human(dir.path());
    assert!(
        text.contains(
            "  api (shop/settings.py, DATABASES[\"default\"]) -> postgres:16 (compose: db)\n"
        ),
        "{text}"
    );
    assert!(text.contains("TL119"), "{text}");
}

#[test]
fn settings_without_a_readable_database_are_said_once() {
    let dir = repo(&[(
        "app/settings.py",
        "from .db import build\nDATABASES = {'default': build()}\n",
    )]);
    let out = tl()
        .args(["check", "--format", "gcc", "--fail-on", "info", "."])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.matches("[TL017]").count(), 1, "{text}");
    assert!(
        text.contains("app/settings.py:1:1: note: app/settings.py: no database could be read"),
        "{text}"
    );
    assert!(
        human(dir.path())
            .contains("  app (app/settings.py) -> ? (no database read from the settings)\n")
    );
}

#[test]
fn links_a_kubernetes_pgbouncer_and_its_upstream() {
    let dir = repo(&[
        (
            "app/settings.py",
            "import os\nDATABASES = {'default': {'ENGINE': 'django.db.backends.postgresql', 'HOST': os.environ['DB_HOST'], 'PORT': 6432, 'CONN_MAX_AGE': 900}}\n",
        ),
        (
            "k8s/web.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n        - name: web\n          image: shop:1\n          env:\n            - {name: DB_HOST, value: pgbouncer}\n",
        ),
        (
            "k8s/pgbouncer.yaml",
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: pgbouncer\nspec:\n  selector: {app: pgbouncer}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: pgbouncer\nspec:\n  template:\n    metadata:\n      labels: {app: pgbouncer}\n    spec:\n      containers:\n        - name: pgbouncer\n          image: edoburu/pgbouncer:1.23.1\n          env:\n            - {name: DB_HOST, value: postgres}\n            - {name: CLIENT_IDLE_TIMEOUT, value: \"600\"}\n",
        ),
        (
            "k8s/postgres.yaml",
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: postgres\nspec:\n  selector: {app: postgres}\n---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: postgres\nspec:\n  template:\n    metadata:\n      labels: {app: postgres}\n    spec:\n      containers:\n        - name: postgres\n          image: postgres:16\n",
        ),
    ]);
    let text = human(dir.path());
    assert!(
        text.contains("  web (app/settings.py, DATABASES[\"default\"]) -> edoburu/pgbouncer:1.23.1 (k8s k8s/pgbouncer.yaml: Deployment/pgbouncer) -> postgres:16 (k8s k8s/postgres.yaml: StatefulSet/postgres)\n"),
        "{text}"
    );
    assert!(text.contains("TL110"), "{text}");
}

#[cfg(unix)]
#[test]
fn discovery_follows_no_symlink_out_of_the_repository() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join("settings.py"),
        "DATABASES = {'default': {'ENGINE': 'django.db.backends.mysql', 'HOST': 'outside-secret-host'}}\n",
    )
    .unwrap();
    std::fs::create_dir_all(outside.path().join("conf")).unwrap();
    std::fs::write(
        outside.path().join("conf/my.cnf"),
        "[mysqld]\nwait_timeout = 5\n",
    )
    .unwrap();
    let dir = repo(&[(
        "app/settings.py",
        "DATABASES = {'default': {'ENGINE': 'django.db.backends.mysql', 'HOST': 'db', 'CONN_MAX_AGE': 60}}\n",
    )]);
    std::os::unix::fs::symlink(
        outside.path().join("settings.py"),
        dir.path().join("app/leak.py"),
    )
    .unwrap();
    std::os::unix::fs::symlink(outside.path().join("conf"), dir.path().join("conf")).unwrap();
    for format in ["human", "json", "gcc"] {
        let out = tl()
            .args(["check", "--format", format, "."])
            .current_dir(dir.path())
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(!text.contains("outside-secret-host"), "{format}: {text}");
        assert!(!text.contains("leak.py"), "{format}: {text}");
        assert!(!text.contains("my.cnf"), "{format}: {text}");
    }
}
