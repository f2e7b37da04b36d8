//! Tests of the compose adapter: interpolation, images, spans,
//! merges, secrets, malformed and hostile input.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::images::recognise;
use super::interp::{Vars, interpolate};
use super::*;
use crate::source::{DEFAULT_MAX_FILE_SIZE, FileId, ReadPolicy};
use crate::sources::argv::traced::{self, Traced, split_words};
use crate::sources::argv::{self, mysqld_flags, postgres_flags};
use crate::sources::{EnvVar, Found, ServerSettings, SetBy, System, Workers};

/// A project folder with `files` written in it.
fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

fn map_for(dir: &Path) -> SourceMap {
    SourceMap::new(Some(dir.to_path_buf()))
        .with_policy(ReadPolicy::new(Some(dir), DEFAULT_MAX_FILE_SIZE))
}

struct Read {
    cands: Vec<Candidate>,
    sources: SourceMap,
    diags: Vec<Diagnostic>,
    _dir: tempfile::TempDir,
}

impl Read {
    fn server(&self, name: &str) -> &ServerSettings {
        self.cands
            .iter()
            .find_map(|c| match &c.found {
                Found::Server(s) if c.address == name => Some(s),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no server {name}: {:#?}", self.cands))
    }

    fn env(&self, name: &str) -> &[EnvVar] {
        self.cands
            .iter()
            .find_map(|c| match &c.found {
                Found::AppEnv(v) if c.address == name => Some(v.as_slice()),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no environment {name}"))
    }

    fn workers(&self, name: &str) -> Option<&Workers> {
        self.cands.iter().find_map(|c| match &c.found {
            Found::Workers(w) if c.address == name => Some(w),
            _ => None,
        })
    }

    /// `(name, value)` of a server's assignments.
    fn pairs(&self, name: &str) -> Vec<(String, String)> {
        self.server(name)
            .assignments
            .iter()
            .map(|a| (a.name.clone(), text(&a.value)))
            .collect()
    }

    fn at(&self, loc: Location) -> (String, usize, usize, String) {
        let r = self.sources.resolve(loc);
        (
            r.file,
            r.start.line,
            r.start.column,
            self.sources.text_at(loc).to_string(),
        )
    }
}

fn text(w: &Written) -> String {
    match w {
        Written::Text(t) => t.clone(),
        Written::Unresolved(why) => format!("?{why}"),
        Written::Unset => "(unset)".to_string(),
    }
}

fn read_project(files: &[(&str, &str)], main: &str) -> Read {
    read_env(files, main, &BTreeMap::new())
}

fn read_env(files: &[(&str, &str)], main: &str, env: &BTreeMap<String, String>) -> Read {
    let dir = project(files);
    let mut sources = map_for(dir.path());
    let mut diags = Vec::new();
    let cands = read_with_env(&dir.path().join(main), env, &mut sources, &mut diags).unwrap();
    Read {
        cands,
        sources,
        diags,
        _dir: dir,
    }
}

fn compose(text: &str) -> Read {
    read_project(&[("compose.yaml", text)], "compose.yaml")
}

fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn interpolation_table() {
    let at = Location::new(FileId(0), crate::source::Span::new(0, 0));
    let mut vars = Vars::default();
    vars.given.insert("A".into(), "1".into());
    vars.given.insert("E".into(), String::new());
    let cases: &[(&str, &str, bool)] = &[
        ("${A}", "1", false),
        ("$A", "1", false),
        ("x${A}y", "x1y", false),
        ("${B}", "${B}", true),
        ("$B", "$B", true),
        ("${B:-7}", "7", false),
        ("${E:-7}", "7", false),
        ("${E-7}", "", false),
        ("${B-7}", "7", false),
        ("${A:?x}", "1", false),
        ("${B:?need it}", "${B:?need it}", true),
        ("${A:+y}", "y", false),
        ("${B:+y}", "", false),
        ("${E+y}", "y", false),
        ("$$A", "$A", false),
        ("$${A}", "${A}", false),
        ("${B:-${A}}", "1", false),
        ("${B:-${C:-deep}}", "deep", false),
        ("a$", "a$", false),
        ("${", "${", false),
        ("${A/x/y}", "${A/x/y}", false),
        ("$1", "$1", false),
        ("${}", "${}", false),
    ];
    for (input, want, unknown) in cases {
        let t = interpolate(&Traced::inexact(input, at), &vars);
        assert_eq!(t.text, *want, "{input}");
        assert_eq!(!t.unknown.is_empty(), *unknown, "{input}: {:?}", t.unknown);
    }
    let t = interpolate(&Traced::inexact("${B:?need it}", at), &vars);
    assert_eq!(
        t.unknown[0].1,
        "${B} is not set in .env (required: need it)"
    );
    let t = interpolate(&Traced::inexact("${X}", at), &vars);
    assert_eq!(t.unknown[0].1, "${X} is not set in .env");
}

#[test]
fn images_are_recognised_with_versions() {
    let cases: &[(&str, System, &str, Option<&str>)] = &[
        ("mysql:8.0", System::Mysql, "mysql", Some("8.0")),
        ("mysql", System::Mysql, "mysql", None),
        ("mysql:latest", System::Mysql, "mysql", None),
        (
            "docker.io/library/mysql:8.0.30",
            System::Mysql,
            "mysql",
            Some("8.0.30"),
        ),
        ("mariadb:10.11", System::Mysql, "mariadb", Some("10.11")),
        ("percona:8", System::Mysql, "percona", Some("8")),
        (
            "bitnami/mysql:8.4",
            System::Mysql,
            "bitnami/mysql",
            Some("8.4"),
        ),
        (
            "bitnami/mariadb:11.4.3-debian-12-r0",
            System::Mysql,
            "bitnami/mariadb",
            Some("11.4.3"),
        ),
        (
            "postgres:16-alpine",
            System::Postgres,
            "postgres",
            Some("16"),
        ),
        (
            "postgres:15.7-alpine",
            System::Postgres,
            "postgres",
            Some("15.7"),
        ),
        (
            "quay.io/bitnami/postgresql:16.2.0-debian-12-r5",
            System::Postgres,
            "bitnami/postgresql",
            Some("16.2.0"),
        ),
        (
            "postgis/postgis:16-3.4",
            System::Postgres,
            "postgis/postgis",
            Some("16"),
        ),
        (
            "timescale/timescaledb:2.14.2-pg16",
            System::Postgres,
            "timescale/timescaledb",
            Some("16"),
        ),
        (
            "timescale/timescaledb:latest-pg15",
            System::Postgres,
            "timescale/timescaledb",
            Some("15"),
        ),
        (
            "edoburu/pgbouncer:v1.23.1-p2",
            System::PgBouncer,
            "edoburu/pgbouncer",
            Some("1.23.1"),
        ),
        (
            "bitnami/pgbouncer",
            System::PgBouncer,
            "bitnami/pgbouncer",
            None,
        ),
        (
            "pgbouncer/pgbouncer:1.22.0",
            System::PgBouncer,
            "pgbouncer/pgbouncer",
            Some("1.22.0"),
        ),
        (
            "localhost:5000/postgres:16",
            System::Postgres,
            "postgres",
            Some("16"),
        ),
        (
            "postgres@sha256:0123abcd",
            System::Postgres,
            "postgres",
            None,
        ),
        ("POSTGRES:16", System::Postgres, "postgres", Some("16")),
    ];
    for (image, system, product, version) in cases {
        let got = recognise(image).unwrap_or_else(|| panic!("{image} not recognised"));
        assert_eq!(got.system, *system, "{image}");
        assert_eq!(got.product, *product, "{image}");
        assert_eq!(got.version.as_deref(), *version, "{image}");
    }
    for image in [
        "redis:7",
        "pgbouncer",
        "myorg/mysql",
        "mysqlx",
        "nginx",
        "",
        ":",
        "a/b/c/d",
    ] {
        assert!(recognise(image).is_none(), "{image}");
    }
}

#[test]
fn wait_timeout_flag_lands_on_its_value_in_every_scalar_style() {
    let cases: &[(&str, usize, usize)] = &[
        ("command: --wait_timeout=600\n", 3, 29),
        ("command: \"--wait_timeout=600\"\n", 3, 30),
        ("command: '--x=''y'' --wait_timeout=600'\n", 3, 40),
        ("command: \"--x=\\\"y\\\" --wait_timeout=600\"\n", 3, 40),
        ("command: [\"--wait_timeout=600\"]\n", 3, 31),
        (
            "command:\n      - mysqld\n      - --wait_timeout=600\n",
            5,
            24,
        ),
        (
            "command: >\n      --max-connections=50\n      --wait_timeout=600\n",
            5,
            22,
        ),
        ("command: |\n      --wait_timeout=600\n", 4, 22),
        ("command:\n      --a=1\n      --wait_timeout=600\n", 5, 22),
        ("command: --wait_timeout 600\n", 3, 29),
        ("command: mysqld --wait_timeout=600\n", 3, 36),
        ("command: /usr/sbin/mysqld --wait_timeout=600\n", 3, 46),
        (
            "entrypoint: [\"docker-entrypoint.sh\"]\n    command: [\"mysqld\", \"--wait_timeout=600\"]\n",
            4,
            41,
        ),
    ];
    for (cmd, line, col) in cases {
        let r = compose(&format!(
            "services:\n  db:\n    {cmd}    image: mysql:8.0\n"
        ));
        let a = r
            .server("db")
            .assignments
            .iter()
            .find(|a| a.name == "wait_timeout")
            .unwrap_or_else(|| panic!("{cmd}: {:?}", r.pairs("db")));
        assert_eq!(a.value, Written::Text("600".into()), "{cmd}");
        assert_eq!(a.set_by, SetBy::CommandLine);
        let (_, l, c, t) = r.at(a.value_at);
        assert_eq!((l, c, t.as_str()), (*line, *col, "600"), "{cmd}");
        assert_eq!(r.at(a.name_at).3, "wait_timeout", "{cmd}");
    }
}

#[test]
fn commands_that_do_not_run_the_server_set_nothing() {
    let cases = [
        "command: bash -c \"mysqld --wait_timeout=600\"",
        "command: [\"sh\", \"-c\", \"--wait_timeout=600\"]",
        "entrypoint: [\"--wait_timeout=600\"]",
        "command: mysqldump --wait_timeout=600",
        "command: postgres -c wait_timeout=600",
    ];
    for cmd in cases {
        let r = compose(&format!(
            "services:\n  db:\n    image: mysql:8\n    {cmd}\n"
        ));
        assert!(
            r.server("db").assignments.is_empty(),
            "{cmd}: {:?}",
            r.pairs("db")
        );
    }
    let r = compose(
        "services:\n  db:\n    image: postgres:16\n    command: -c max_connections=5 -N 7\n",
    );
    assert_eq!(
        r.pairs("db"),
        owned(&[("max_connections", "5"), ("max_connections", "7")])
    );
}

#[test]
fn values_from_env_defaults_and_unset_variables() {
    let r = read_project(
        &[
            (
                "compose.yaml",
                "services:\n  db:\n    image: \"mariadb:${TAG:-10.11}\"\n    command: --wait_timeout=${WT} --max_connections=${MC:-151} --net_read_timeout=${NRT}\n",
            ),
            (".env", "# deploy\nWT=600\nexport TAG=11.4 # tag\n"),
        ],
        "compose.yaml",
    );
    let s = r.server("db");
    assert_eq!(s.flavor.as_ref().unwrap().version.as_deref(), Some("11.4"));
    let a = &s.assignments;
    assert_eq!(a[0].value, Written::Text("600".into()));
    assert_eq!(
        r.at(a[0].value_at),
        (".env".to_string(), 2, 4, "600".to_string())
    );
    assert_eq!(a[1].value, Written::Text("151".into()));
    assert_eq!(r.at(a[1].value_at).3, "151");
    assert_eq!(r.at(a[1].value_at).0, "compose.yaml");
    assert_eq!(
        a[2].value,
        Written::Unresolved("${NRT} is not set in .env".into())
    );
    assert_eq!(r.at(a[2].value_at).3, "${NRT}");
    // A value mixing text and variables is shown where it is written in
    // the compose file: the text and the `${...}` expressions.
    let r = read_project(
        &[
            (
                "compose.yaml",
                "services:\n  db:\n    image: mysql\n    command: --a=${A}0 --b=${B}\n",
            ),
            (".env", "A=6\nB=x${A}y\n"),
        ],
        "compose.yaml",
    );
    let a = &r.server("db").assignments;
    assert_eq!(a[0].value, Written::Text("60".into()));
    assert_eq!(r.at(a[0].value_at).3, "${A}0");
    assert_eq!(a[1].value, Written::Text("x6y".into()));
    assert_eq!(r.at(a[1].value_at).3, "${B}");
    // The caller's environment wins over .env; its value has no position
    // in a file: the `${WT}` expression is the location.
    let env = BTreeMap::from([("WT".to_string(), "900".to_string())]);
    let r = read_env(
        &[
            (
                "compose.yaml",
                "services:\n  db:\n    image: mysql\n    command: --wait_timeout=${WT}\n",
            ),
            (".env", "WT=600\n"),
        ],
        "compose.yaml",
        &env,
    );
    let a = &r.server("db").assignments[0];
    assert_eq!(a.value, Written::Text("900".into()));
    assert_eq!(r.at(a.value_at).3, "${WT}");
}

#[test]
fn dotenv_values_refer_to_earlier_entries_not_the_process_environment() {
    let r = read_project(
        &[
            (
                "compose.yaml",
                "services:\n  app:\n    image: app\n    environment:\n      A: ${A}\n      B: ${B}\n      H: ${H}\n      S: ${S}\n",
            ),
            (".env", "A=10\nB=\"${A}0\"\nH=$HOME\nS='${A}'\n"),
        ],
        "compose.yaml",
    );
    let env = r.env("app");
    let got: Vec<(String, String)> = env
        .iter()
        .map(|v| (v.name.clone(), text(&v.value)))
        .collect();
    assert_eq!(
        got,
        owned(&[
            ("A", "10"),
            ("B", "100"),
            ("H", "?${HOME} is not set in .env"),
            ("S", "${A}"),
        ])
    );
}

#[test]
fn environment_forms_env_files_and_precedence() {
    let r = read_project(
        &[
            (
                "compose.yaml",
                concat!(
                    "services:\n",
                    "  web:\n",
                    "    image: app\n",
                    "    env_file:\n",
                    "      - common.env\n",
                    "      - path: local.env\n",
                    "        required: false\n",
                    "      - path: missing.env\n",
                    "        required: false\n",
                    "    environment:\n",
                    "      - POOL_RECYCLE=3600\n",
                    "      - FROM_ENV\n",
                    "      - SHARED=compose\n",
                    "  worker:\n",
                    "    image: app\n",
                    "    env_file: common.env\n",
                    "    environment:\n",
                    "      N: 5\n",
                    "      T: true\n",
                    "      EMPTY:\n",
                ),
            ),
            ("common.env", "SHARED=file\nTIMEOUT=30\n"),
            ("local.env", "TIMEOUT=60\n"),
            (".env", "FROM_ENV=dot\n"),
        ],
        "compose.yaml",
    );
    assert!(r.diags.is_empty(), "{:?}", r.diags);
    let got: Vec<(String, String)> = r
        .env("web")
        .iter()
        .map(|v| (v.name.clone(), text(&v.value)))
        .collect();
    assert_eq!(
        got,
        owned(&[
            ("SHARED", "compose"),
            ("TIMEOUT", "60"),
            ("POOL_RECYCLE", "3600"),
            ("FROM_ENV", "dot"),
        ])
    );
    let timeout = &r.env("web")[1];
    assert_eq!(
        r.at(timeout.at),
        ("local.env".to_string(), 1, 9, "60".to_string())
    );
    let got: Vec<(String, String)> = r
        .env("worker")
        .iter()
        .map(|v| (v.name.clone(), text(&v.value)))
        .collect();
    assert_eq!(
        got,
        owned(&[
            ("SHARED", "file"),
            ("TIMEOUT", "30"),
            ("N", "5"),
            ("T", "true"),
            (
                "EMPTY",
                "?EMPTY takes its value from the environment running compose and is not set in .env (else it is unset)"
            ),
        ])
    );
    // A required env_file that is missing is reported where it is named.
    let r = compose("services:\n  web:\n    image: app\n    env_file: nope.env\n");
    assert_eq!(r.diags.len(), 1);
    assert_eq!(r.diags[0].code.id, "TL003");
    assert_eq!(r.at(r.diags[0].primary.location.unwrap()).3, "nope.env");
}

#[test]
fn pgbouncer_and_bitnami_environment_variables_are_settings() {
    let r = compose(concat!(
        "services:\n",
        "  pgbouncer:\n",
        "    image: edoburu/pgbouncer:latest\n",
        "    environment:\n",
        "      SERVER_IDLE_TIMEOUT: 600\n",
        "      SERVER_LIFETIME: \"\"\n",
        "      DB_HOST: db\n",
        "      POOL_MODE: ${MODE}\n",
        "  bouncer2:\n",
        "    image: bitnami/pgbouncer:1\n",
        "    environment:\n",
        "      - PGBOUNCER_SERVER_IDLE_TIMEOUT=30\n",
        "      - SERVER_IDLE_TIMEOUT=99\n",
        "  pg:\n",
        "    image: bitnami/postgresql:16\n",
        "    environment:\n",
        "      POSTGRESQL_MAX_CONNECTIONS: 200\n",
        "      POSTGRESQL_TCP_KEEPALIVES_IDLE: 60\n",
        "  my:\n",
        "    image: bitnami/mysql:8.4\n",
        "    environment:\n",
        "      MYSQL_EXTRA_FLAGS: --wait_timeout=300 --max-connections=50\n",
    ));
    let s = r.server("pgbouncer");
    assert_eq!(s.system, System::PgBouncer);
    assert_eq!(
        r.pairs("pgbouncer"),
        owned(&[
            ("server_idle_timeout", "600"),
            ("pool_mode", "?${MODE} is not set in .env"),
        ])
    );
    let a = &s.assignments[0];
    assert_eq!(a.set_by, SetBy::ImageEnvironment);
    assert_eq!(r.at(a.name_at).3, "SERVER_IDLE_TIMEOUT");
    assert_eq!(
        r.at(a.value_at),
        ("compose.yaml".to_string(), 5, 28, "600".to_string())
    );
    assert_eq!(r.pairs("bouncer2"), owned(&[("server_idle_timeout", "30")]));
    assert_eq!(r.at(r.server("bouncer2").assignments[0].value_at).3, "30");
    assert_eq!(
        r.pairs("pg"),
        owned(&[("max_connections", "200"), ("tcp_keepalives_idle", "60")])
    );
    let my = r.server("my");
    assert_eq!(
        r.pairs("my"),
        owned(&[("wait_timeout", "300"), ("max-connections", "50")])
    );
    assert!(
        my.assignments
            .iter()
            .all(|a| a.set_by == SetBy::CommandLine)
    );
    assert_eq!(r.at(my.assignments[0].value_at).3, "300");
}

#[test]
fn workers_from_commands_env_and_replicas() {
    let r = compose(concat!(
        "services:\n",
        "  web:\n",
        "    image: app\n",
        "    command: gunicorn -w 4 --threads=2 --timeout 30 app:app\n",
        "    deploy:\n",
        "      replicas: 3\n",
        "  api:\n",
        "    image: app\n",
        "    command: [\"sh\", \"-c\", \"python manage.py migrate && uwsgi --processes 8 --harakiri=60\"]\n",
        "    scale: 2\n",
        "  env:\n",
        "    image: app\n",
        "    environment:\n",
        "      GUNICORN_CMD_ARGS: \"--workers 3 --timeout 240\"\n",
        "    command: gunicorn --timeout 90 app:app\n",
        "  db:\n",
        "    image: postgres:16\n",
        "    deploy:\n",
        "      replicas: 2\n",
        "  celery:\n",
        "    image: app\n",
        "    environment:\n",
        "      GUNICORN_CMD_ARGS: \"--workers 3\"\n",
        "    command: celery -A app worker\n",
        "  bad:\n",
        "    image: app\n",
        "    command: gunicorn -w ${W} --threads x\n",
    ));
    let w = r.workers("web").unwrap();
    let procs: Vec<u64> = w.processes.iter().map(|p| p.0).collect();
    assert_eq!(procs, [4, 3]);
    assert_eq!(w.threads.map(|t| t.0), Some(2));
    assert_eq!(w.request_timeout_secs.map(|t| t.0), Some(30));
    assert_eq!(
        r.at(w.processes[0].1),
        ("compose.yaml".into(), 4, 26, "4".into())
    );
    assert_eq!(r.at(w.processes[1].1).3, "3");
    let w = r.workers("api").unwrap();
    assert_eq!(w.processes.iter().map(|p| p.0).collect::<Vec<_>>(), [8, 2]);
    assert_eq!(w.request_timeout_secs.map(|t| t.0), Some(60));
    assert_eq!(r.at(w.request_timeout_secs.unwrap().1).3, "60");
    let w = r.workers("env").unwrap();
    assert_eq!(w.processes.iter().map(|p| p.0).collect::<Vec<_>>(), [3]);
    assert_eq!(w.request_timeout_secs.map(|t| t.0), Some(90));
    assert!(
        r.workers("db").is_none(),
        "a server's replicas are not app workers"
    );
    assert!(r.workers("bad").is_none());
    assert!(
        r.workers("celery").is_none(),
        "celery does not read GUNICORN_CMD_ARGS"
    );
}

#[test]
fn merge_keys_and_extension_fields() {
    let r = compose(concat!(
        "x-db: &db\n",
        "  image: mysql:8.0\n",
        "  command: --wait_timeout=100\n",
        "x-env: &env\n",
        "  A: from-anchor\n",
        "  B: from-anchor\n",
        "x-env2: &env2\n",
        "  B: second\n",
        "  C: second\n",
        "services:\n",
        "  db:\n",
        "    <<: *db\n",
        "    command: --wait_timeout=200\n",
        "  app:\n",
        "    image: app\n",
        "    environment:\n",
        "      <<: [*env, *env2]\n",
        "      A: own\n",
        "  db2:\n",
        "    << : *db\n",
    ));
    assert_eq!(r.pairs("db"), owned(&[("wait_timeout", "200")]));
    assert_eq!(r.pairs("db2"), owned(&[("wait_timeout", "100")]));
    // The merged value is located at the anchor's definition.
    let a = &r.server("db2").assignments[0];
    assert_eq!(r.at(a.value_at).1, 3);
    let got: Vec<(String, String)> = r
        .env("app")
        .iter()
        .map(|v| (v.name.clone(), text(&v.value)))
        .collect();
    assert_eq!(
        got,
        owned(&[("A", "own"), ("B", "from-anchor"), ("C", "second")])
    );
}

#[test]
fn override_file_and_multiple_files_merge_as_compose_does() {
    let base = concat!(
        "services:\n",
        "  db:\n",
        "    image: mysql:5.7\n",
        "    command: [\"--wait_timeout=100\", \"--max_connections=10\"]\n",
        "    environment:\n",
        "      A: base\n",
        "      B: base\n",
        "  web:\n",
        "    image: app\n",
        "    environment: [X=1]\n",
    );
    let over = concat!(
        "services:\n",
        "  db:\n",
        "    image: mysql:8.0\n",
        "    command: --wait_timeout=600\n",
        "    environment:\n",
        "      - B=override\n",
        "      - C=override\n",
        "  extra:\n",
        "    image: postgres:16\n",
    );
    let r = read_project(
        &[("compose.yaml", base), ("compose.override.yaml", over)],
        "compose.yaml",
    );
    // `command` is replaced, not appended; the later image wins.
    assert_eq!(r.pairs("db"), owned(&[("wait_timeout", "600")]));
    let s = r.server("db");
    assert_eq!(s.flavor.as_ref().unwrap().version.as_deref(), Some("8.0"));
    assert_eq!(r.at(s.assignments[0].value_at).0, "compose.override.yaml");
    let got: Vec<(String, String)> = r
        .env("db")
        .iter()
        .map(|v| (v.name.clone(), text(&v.value)))
        .collect();
    assert_eq!(
        got,
        owned(&[("A", "base"), ("B", "override"), ("C", "override")])
    );
    let order: Vec<&str> = r.cands.iter().map(|c| c.address.as_str()).collect();
    assert_eq!(order, ["db", "db", "web", "extra"]);
    // The override is not read for a file given by another name, and
    // read_merged reads exactly the files named.
    let r = read_project(
        &[
            ("docker-compose.prod.yml", base),
            ("compose.override.yaml", over),
        ],
        "docker-compose.prod.yml",
    );
    assert_eq!(
        r.pairs("db"),
        owned(&[("wait_timeout", "100"), ("max_connections", "10")])
    );
    let dir = project(&[("a.yml", base), ("b.yml", over)]);
    let mut sources = map_for(dir.path());
    let mut diags = Vec::new();
    let paths: Vec<PathBuf> = ["a.yml", "b.yml"]
        .iter()
        .map(|p| dir.path().join(p))
        .collect();
    let cands = read_merged(&paths, &BTreeMap::new(), &mut sources, &mut diags).unwrap();
    assert_eq!(cands.len(), 4);
    assert!(
        read_merged(&[], &BTreeMap::new(), &mut sources, &mut diags)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn secrets_are_marked_and_never_rendered() {
    let r = read_project(
        &[
            (
                "compose.yaml",
                concat!(
                    "services:\n",
                    "  web:\n",
                    "    image: app\n",
                    "    environment:\n",
                    "      DB_PASSWORD: Hunter2-Compose\n",
                    "      DATABASE_URL: postgres://app:UrlPw-9876@db/app\n",
                    "      FROM_DOTENV: ${API_TOKEN}\n",
                    "      CONNINFO: \"host=db password=Conn-Pw-55\"\n",
                ),
            ),
            (".env", "API_TOKEN=Tok-Dotenv-1\n"),
        ],
        "compose.yaml",
    );
    let secrets = [
        "Hunter2-Compose",
        "UrlPw-9876",
        "Tok-Dotenv-1",
        "Conn-Pw-55",
    ];
    let rendered = r.sources.scrub(&format!("{:?}", r.cands));
    for s in secrets {
        assert!(!rendered.contains(s), "{s} in {rendered}");
    }
    for (_, f) in r.sources.files() {
        for s in secrets {
            assert!(!f.masked_text().contains(s), "{s} in {}", f.name());
        }
    }
    // Secrets outside any service's environment are marked too.
    let r = compose(concat!(
        "x-unused: &unused\n",
        "  DB_PASSWORD: Anchor-Pw-11\n",
        "services:\n",
        "  db:\n",
        "    image: mysql\n",
        "    healthcheck:\n",
        "      test: [\"CMD\", \"mysql://root:Health-Pw-22@localhost\"]\n",
        "    labels:\n",
        "      - \"API_TOKEN=Label-Tok-33\"\n",
    ));
    for (_, f) in r.sources.files() {
        for s in ["Anchor-Pw-11", "Health-Pw-22", "Label-Tok-33"] {
            assert!(!f.masked_text().contains(s), "{s} in {}", f.masked_text());
        }
    }
    // Given secret values are registered too.
    let env = BTreeMap::from([("DB_PASSWORD".to_string(), "Given-Pw-77".to_string())]);
    let r = read_env(
        &[(
            "compose.yaml",
            "services:\n  web:\n    image: app\n    environment: [P=${DB_PASSWORD}]\n",
        )],
        "compose.yaml",
        &env,
    );
    assert!(
        !r.sources
            .scrub(&format!("{:?}", r.cands))
            .contains("Given-Pw-77")
    );
}

#[test]
fn malformed_files_are_located_syntax_errors() {
    let r =
        compose("services:\n  db:\n    image: mysql\n    command: [--a\n  password: Leak-Pw-1\n");
    assert!(r.cands.is_empty());
    assert_eq!(r.diags.len(), 1);
    assert_eq!(r.diags[0].code.id, "TL001");
    assert!(r.diags[0].primary.location.is_some());
    for (_, f) in r.sources.files() {
        assert!(!f.masked_text().contains("Leak-Pw-1"));
    }
    let r = read_project(
        &[
            (
                "compose.yaml",
                "services:\n  db:\n    image: mysql\n    command: --wait_timeout=${WT}\n",
            ),
            (".env", "WT=600\nBAD LINE\"\n"),
        ],
        "compose.yaml",
    );
    assert_eq!(r.diags.len(), 1, "{:?}", r.diags);
    assert_eq!(r.diags[0].code.id, "TL001");
    assert_eq!(r.at(r.diags[0].primary.location.unwrap()).1, 2);
    assert_eq!(r.pairs("db"), owned(&[("wait_timeout", "600")]));
    // Shapes compose refuses are skipped, not guessed at.
    for text in [
        "services: [a, b]\n",
        "services:\n  db: 5\n",
        "services:\n  db:\n    image: [mysql]\n",
        "services:\n  db:\n    image: mysql\n    command: {a: 1}\n    environment: 7\n    env_file: {x: 1}\n",
        "- a\n",
        "",
    ] {
        let r = compose(text);
        assert!(r.diags.is_empty(), "{text}: {:?}", r.diags);
    }
    let missing = tempfile::tempdir().unwrap();
    let mut sources = map_for(missing.path());
    assert!(
        read(
            &missing.path().join("compose.yaml"),
            &mut sources,
            &mut Vec::new()
        )
        .is_err()
    );
}

#[test]
fn hostile_input_is_bounded() {
    let start = std::time::Instant::now();
    // Many words, long values, deep default nesting, repeated expansion.
    let long = "--a=1 ".repeat(50_000);
    let nested = format!("{}x{}", "${A:-".repeat(2000), "}".repeat(2000));
    let r = read_project(
        &[
            (
                "compose.yaml",
                &format!(
                    "services:\n  db:\n    image: mysql\n    command: {long}\n  app:\n    image: app\n    environment:\n      N: \"{nested}\"\n      E: \"{}\"\n",
                    "${E9}".repeat(2000)
                ),
            ),
            (
                ".env",
                &(0..30)
                    .map(|i| {
                        if i == 0 {
                            "E0=xxxxxxxx\n".to_string()
                        } else {
                            format!("E{i}=${{E{}}}${{E{}}}\n", i - 1, i - 1)
                        }
                    })
                    .collect::<String>(),
            ),
        ],
        "compose.yaml",
    );
    assert!(r.server("db").assignments.len() <= traced::MAX_WORDS);
    let e = r.env("app").iter().find(|v| v.name == "E").unwrap();
    assert!(
        matches!(e.value, Written::Unresolved(_)),
        "{:?}",
        text(&e.value).len()
    );
    // Aliases are expanded by the parser: a small expansion is read, a
    // billion laughs is refused by its node budget (a located TL001).
    let laughs = |width: usize, levels: u8| {
        let lol = vec!["lol"; width].join(",");
        let mut s = format!("a: &a [{lol}]\n");
        for i in 1..levels {
            let prev = (b'a' + i - 1) as char;
            let name = (b'a' + i) as char;
            let refs = vec![format!("*{prev}"); width].join(",");
            s.push_str(&format!("{name}: &{name} [{refs}]\n"));
        }
        s + "services:\n  x:\n    image: app\n    environment:\n      V: 1\n"
    };
    let r = compose(&laughs(5, 6));
    assert_eq!(r.env("x").len(), 1);
    let r = compose(&laughs(8, 8));
    assert!(r.cands.is_empty());
    assert_eq!(r.diags.len(), 1);
    assert_eq!(r.diags[0].code.id, "TL001");
    assert!(start.elapsed().as_secs() < 20, "{:?}", start.elapsed());
}

#[test]
fn compose_file_names() {
    for (name, want) in [
        ("compose.yaml", true),
        ("compose.yml", true),
        ("docker-compose.yml", true),
        ("docker-compose.prod.yml", true),
        ("compose.override.yaml", true),
        ("docker-compose.json", false),
        ("kustomization.yaml", false),
        ("mycompose.yaml", false),
    ] {
        assert_eq!(is_compose_file(Path::new(name)), want, "{name}");
    }
}

/// A small deterministic generator of hostile text: quotes, escapes,
/// variables, flags, blanks and multi-byte characters.
fn fuzz_texts(n: usize) -> Vec<String> {
    let alphabet = [
        "$", "{", "}", ":-", ":?", "-", "--", "=", " ", "\n", "\t", "'", "\"", "\\", "é",
        "\u{3000}", "a", "Z", "_", "0", "9", "-c", "-N", "&&", ";", "|", "!", "#", "w", "${A}",
        "$$", "\u{E000}", ">", "*",
    ];
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..n)
        .map(|_| {
            let len = (next() % 40) as usize;
            (0..len)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect()
        })
        .collect()
}

#[test]
fn fuzzed_values_never_panic() {
    let at = Location::new(FileId(0), crate::source::Span::new(0, 0));
    let mut vars = Vars::default();
    vars.given.insert("A".into(), "--x=é 1".into());
    for s in fuzz_texts(3000) {
        let t = interpolate(&Traced::inexact(&s, at), &vars);
        let words = split_words(&t);
        let _ = mysqld_flags(&words);
        let _ = postgres_flags(&words);
        let mut w = Workers::default();
        argv::worker_flags(argv::AppServer::Gunicorn, &words, &mut w);
        argv::worker_flags(argv::AppServer::Uwsgi, &words, &mut w);
        let _ = argv::find_app_server(&words);
        let _ = recognise(&s);
        for w in &words {
            let _ = w.text.location(0..w.text.text.len());
        }
        // The same text as a file's scalar, aligned against itself.
        let file = format!("k: {s}");
        let span = crate::source::Span::new(3, file.len());
        let a = Traced::aligned(FileId(0), &file, span, &s);
        assert_eq!(a.origins.len(), s.len());
        let _ = a.location(0..s.len());
    }
    // Whole files: each fuzzed text as a command, an environment value, an
    // image and a .env line.
    for s in fuzz_texts(300) {
        let yaml_value = format!("{:?}", s);
        let text = format!(
            "services:\n  db:\n    image: {yaml_value}\n    command: {yaml_value}\n    environment:\n      X: {yaml_value}\n  pg:\n    image: postgres\n    command: {yaml_value}\n"
        );
        let dotenv = format!("A={s}\nB=\"{s}\"\n");
        let r = read_project(
            &[("compose.yaml", &text), (".env", &dotenv)],
            "compose.yaml",
        );
        let _ = r.cands.len();
    }
}

#[cfg(unix)]
#[test]
fn an_unreadable_override_file_is_reported_not_fatal() {
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("secret.yaml");
    std::fs::write(&target, "services: {}\n").unwrap();
    let dir = project(&[("compose.yaml", "services:\n  db:\n    image: mysql\n")]);
    std::os::unix::fs::symlink(&target, dir.path().join("compose.override.yaml")).unwrap();
    let mut sources = map_for(dir.path());
    let mut diags = Vec::new();
    let cands = read(&dir.path().join("compose.yaml"), &mut sources, &mut diags).unwrap();
    assert_eq!(cands.len(), 1);
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].code.id, "TL003");
    // An env_file outside the root is not read either.
    let r = compose("services:\n  web:\n    image: app\n    env_file: ../../etc/passwd\n");
    assert_eq!(r.diags.len(), 1);
    assert_eq!(r.diags[0].code.id, "TL003");
    assert!(
        r.diags[0].message.contains("outside the project root"),
        "{}",
        r.diags[0].message
    );
}
