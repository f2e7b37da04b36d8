//! Secrets never reach an output: canary passwords placed in every kind of
//! input must not appear in any format, the chain, a written baseline or an
//! error line; and files read by several paths are parsed from their real
//! text (redaction happens at output, not at input).

use std::path::Path;

use assert_cmd::Command;
use tempfile::TempDir;

/// Every canary starts with this; each placement adds its own suffix, so one
/// missed detection is not hidden by another placement's scrubbing.
const CANARY: &str = "CanaryPw-7f3a9";

const FORMATS: [&str; 10] = [
    "human",
    "concise",
    "gcc",
    "json",
    "sarif",
    "github",
    "junit",
    "checkstyle",
    "rdjson",
    "markdown",
];

fn tl() -> Command {
    Command::cargo_bin("timeoutlint").expect("binary built")
}

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create folder");
        }
        std::fs::write(path, text).expect("write input");
    }
}

/// Runs timeoutlint in `dir` with `args`; returns (exit code, stdout, stderr).
fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = tl().current_dir(dir).args(args).output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs every output of `check` (9 formats, `--write-baseline`) and `chain`
/// (table, json) with `extra` arguments, asserts no canary in any stdout,
/// stderr or written file, and returns all outputs joined (for further checks).
fn assert_no_canary(dir: &Path, extra: &[&str]) -> String {
    let mut all = String::new();
    let mut check = |label: String, args: Vec<&str>| {
        let (code, out, err) = run(dir, &args);
        assert!((0..=2).contains(&code), "{label}: exit {code}\n{err}");
        for (what, text) in [("stdout", &out), ("stderr", &err)] {
            let leaks: Vec<&str> = text.lines().filter(|l| l.contains(CANARY)).collect();
            assert!(
                leaks.is_empty(),
                "{label} leaks the canary on {what}: {leaks:#?}"
            );
        }
        all.push_str(&out);
        all.push_str(&err);
    };
    for f in FORMATS {
        let mut args = vec!["check", "--format", f];
        args.extend_from_slice(extra);
        check(format!("check --format {f}"), args);
    }
    for f in ["table", "json", "mermaid", "svg"] {
        let mut args = vec!["chain", "--format", f];
        args.extend_from_slice(extra);
        check(format!("chain --format {f}"), args);
    }
    let mut args = vec!["check", "--write-baseline", "baseline.toml"];
    args.extend_from_slice(extra);
    check("check --write-baseline".to_string(), args);
    let baseline = std::fs::read_to_string(dir.join("baseline.toml")).unwrap_or_default();
    assert!(
        !baseline.contains(CANARY),
        "the baseline leaks the canary:\n{baseline}"
    );
    all.push_str(&baseline);
    all
}

/// Rule ids of the findings of a `--format json` run.
fn codes_of(json: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(json).expect("JSON output");
    let mut codes: Vec<String> = v["diagnostics"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|d| d["rule"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    codes.sort();
    codes
}

#[test]
fn canaries_in_every_input_kind_never_reach_an_output() {
    let dir = TempDir::new().expect("temp dir");
    let c = |tag: &str| format!("{CANARY}-{tag}");
    let app_yaml = format!(
        "sqlalchemy:\n  url: postgresql+psycopg2://api:{}@pgbouncer.internal:6432/orders\n  \
         pool_recycle: 300\n  connect_args:\n    connect_timeout: 10\n    \
         options: \"-c statement_timeout=30000 -c password={}\"\n",
        c("yaml-url"),
        c("options")
    );
    let pgbouncer = format!(
        "[databases]\norders = host=orders-db.internal dbname=orders password={}\n\n\
         [pgbouncer]\npool_mode = transaction\nauth_password = {}\n\
         ignore_startup_parameters = extra_float_digits\n",
        c("bouncer-conninfo"),
        c("bouncer-key")
    );
    let app_toml = format!(
        "[sqlalchemy]\nurl = \"mysql+pymysql://app:{}@db.internal/x\"\npool_recycle = 3600\n",
        c("toml-url")
    );
    let my_cnf = format!(
        "[client]\npassword = {}\n[mysqld]\nwait_timeout = 600\n",
        c("mycnf")
    );
    let haproxy = format!(
        "defaults\n    mode tcp\n    timeout connect 10s\n    timeout client 60s\n    \
         timeout server 60s\n\nlisten mysql-rw\n    bind 127.0.0.1:33307\n    \
         stats auth admin:{}\n    server master 10.0.0.10:3306 check\n\n\
         userlist ops\n    user alice password {}\n    user bob insecure-password {}\n",
        c("stats"),
        c("userlist"),
        c("insecure")
    );
    let settings_py = format!(
        "import os\nfrom sqlalchemy import create_engine\n\
         engine = create_engine(\"postgresql+psycopg2://u:{}@h/db\", pool_recycle=3600)\n\
         DATABASES = {{\n    \"default\": {{\n        \"ENGINE\": \"django.db.backends.postgresql\",\n        \
         \"NAME\": \"api\",\n        \"PASSWORD\": \"{}\",\n        \"CONN_MAX_AGE\": 600,\n        \
         \"OPTIONS\": {{\"options\": \"-c password={} -c statement_timeout=5000\"}},\n    }},\n    \
         \"other\": {{\n        \"ENGINE\": \"django.db.backends.postgresql\",\n        \
         \"PASSWORD\": os.environ.get(\"DB_PASSWORD\", \"x\"),\n        \
         \"CONN_MAX_AGE\": int(os.environ.get(\"ENV_AGE\", \"600\")),\n    }},\n}}\n",
        c("py-url"),
        c("django"),
        c("py-options")
    );
    let postgresql_conf = format!(
        "idle_session_timeout = 60s\n\
         primary_conninfo = 'host=primary user=rep password={} sslmode=require'\n",
        c("conninfo")
    );
    let manifest = format!(
        "[[path]]\nname = \"yaml via pgbouncer\"\napp = \"app.yaml\"\n\n\
         [[path.hop]]\npgbouncer = \"pgbouncer.ini\"\n\n\
         [[path]]\nname = \"toml via haproxy\"\napp = \"app.toml\"\ndb = \"my.cnf\"\n\n\
         [[path.hop]]\nhaproxy = \"haproxy.cfg\"\nproxy = \"mysql-rw\"\n\n\
         [[path]]\nname = \"python\"\napp = \"settings.py\"\ndb = \"postgresql.conf\"\n\n\
         [path.env]\nDB_PASSWORD = \"{}\"\nDATABASE_URL = \"postgresql://u:{}@h/db\"\n",
        c("manifest-env"),
        c("manifest-url")
    );
    let env_file = format!("ENV_AGE=900\nENV_DB_PASSWORD={}\n", c("env-file"));
    write(
        dir.path(),
        &[
            ("app.yaml", &app_yaml),
            ("pgbouncer.ini", &pgbouncer),
            ("app.toml", &app_toml),
            ("my.cnf", &my_cnf),
            ("haproxy.cfg", &haproxy),
            ("settings.py", &settings_py),
            ("postgresql.conf", &postgresql_conf),
            ("timeoutlint.toml", &manifest),
            ("deploy.env", &env_file),
        ],
    );
    let all = assert_no_canary(dir.path(), &["--env-file", "deploy.env"]);
    // The inputs were read: the libpq `options` finding (which quotes the
    // options) and the pool_recycle findings are there, masked.
    assert!(all.contains("TL112"), "{all}");
    assert!(all.contains("TL101"), "{all}");
    assert!(all.contains("password = ****"), "{all}");
    // The env file value and the manifest's were scrubbed as values too.
    let (_, json, _) = run(
        dir.path(),
        &["check", "--format", "json", "--env-file", "deploy.env"],
    );
    assert!(
        !codes_of(&json).iter().any(|c| c == "TL001"),
        "no syntax error: {json}"
    );
}

#[test]
fn unbalanced_conninfo_quote_is_masked_in_snippets() {
    let dir = TempDir::new().expect("temp dir");
    write(
        dir.path(),
        &[
            (
                "app.yaml",
                "sqlalchemy:\n  url: postgresql+psycopg2://api@db/x\n  pool_recycle: 300\n",
            ),
            (
                "postgresql.conf",
                &format!(
                    "idle_session_timeout = 60s\nprimary_conninfo = 'host=p password={CANARY}-a user=rep\n\
                     primary_conninfo = 'user=rep password=''{CANARY}-b two'\n"
                ),
            ),
            (
                "timeoutlint.toml",
                "[[path]]\napp = \"app.yaml\"\ndb = \"postgresql.conf\"\n",
            ),
        ],
    );
    let all = assert_no_canary(dir.path(), &[]);
    assert!(all.contains("TL001"), "the broken line is reported: {all}");
}

#[test]
fn manifest_syntax_error_on_an_env_line_is_masked() {
    let dir = TempDir::new().expect("temp dir");
    write(
        dir.path(),
        &[
            ("settings.py", "DATABASES = {}\n"),
            (
                "timeoutlint.toml",
                &format!(
                    "[[path]]\napp = \"settings.py\"\n\n[path.env]\nDB_PASSWORD = \"{CANARY}-env\nX = 1\n"
                ),
            ),
        ],
    );
    let all = assert_no_canary(dir.path(), &[]);
    assert!(all.contains("TL001"), "the syntax error is reported: {all}");
}

#[test]
fn env_file_parse_error_names_the_line_without_its_text() {
    let dir = TempDir::new().expect("temp dir");
    write(
        dir.path(),
        &[
            (
                "settings.py",
                "import os\nDATABASES = {\"default\": {\"ENGINE\": \"django.db.backends.postgresql\", \
                 \"PASSWORD\": os.environ.get(\"DB_PASSWORD\", \"x\"), \"CONN_MAX_AGE\": 60}}\n",
            ),
            ("postgresql.conf", "idle_session_timeout = 30s\n"),
            (
                "timeoutlint.toml",
                "[[path]]\napp = \"settings.py\"\ndb = \"postgresql.conf\"\n",
            ),
            (
                "deploy.env",
                &format!(
                    "DB_PASSWORD={CANARY}-first\nNOTE=\"unterminated\nAPI_TOKEN={CANARY}-later\n"
                ),
            ),
        ],
    );
    assert_no_canary(dir.path(), &["--env-file", "deploy.env"]);
    let (code, _, err) = run(dir.path(), &["check", "--env-file", "deploy.env"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("deploy.env: line 2: unterminated quote"),
        "{err}"
    );
    assert!(
        !err.contains("unterminated\n") && !err.contains("NOTE"),
        "{err}"
    );
}

/// Both aliases of one settings file, each read by its own `[[path]]`: the
/// second read must parse the real text (no TL001/TL002/TL004 from masked
/// passwords) and report the replica's own finding.
fn two_aliases(app: &str, settings: &str) {
    let dir = TempDir::new().expect("temp dir");
    let manifest = format!(
        "[[path]]\nname = \"primary\"\napp = \"{app}\"\ndatabase = \"default\"\ndb = \"my.cnf\"\n\n\
         [[path]]\nname = \"replica\"\napp = \"{app}\"\ndatabase = \"replica\"\ndb = \"my.cnf\"\n"
    );
    write(
        dir.path(),
        &[
            (app, settings),
            ("my.cnf", "[mysqld]\nwait_timeout = 600\n"),
            ("timeoutlint.toml", &manifest),
        ],
    );
    let (code, json, err) = run(dir.path(), &["check", "--format", "json"]);
    assert_eq!(code, 1, "{json}\n{err}");
    assert_eq!(codes_of(&json), ["TL102"], "{json}");
    let v: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let message = v["diagnostics"][0]["message"].as_str().unwrap_or("");
    assert!(message.contains("CONN_MAX_AGE = 3600"), "{message}");
    assert!(!json.contains(CANARY), "{json}");
    assert_no_canary(dir.path(), &[]);
}

#[test]
fn two_aliases_of_one_python_file_are_both_read() {
    two_aliases(
        "settings.py",
        &format!(
            "DATABASES = {{\n    \"default\": {{\n        \"ENGINE\": \"django.db.backends.mysql\",\n        \
             \"PASSWORD\": \"{CANARY}-default\",\n        \"CONN_MAX_AGE\": 300,\n    }},\n    \
             \"replica\": {{\n        \"ENGINE\": \"django.db.backends.mysql\",\n        \
             \"PASSWORD\": \"{CANARY}-replica\",\n        \"CONN_MAX_AGE\": 3600,\n    }},\n}}\n"
        ),
    );
}

#[test]
fn two_aliases_of_one_yaml_file_are_both_read() {
    two_aliases(
        "settings.yaml",
        &format!(
            "DATABASES:\n  default:\n    ENGINE: django.db.backends.mysql\n    \
             PASSWORD: \"{CANARY}-default\"\n    CONN_MAX_AGE: 300\n  \
             replica:\n    ENGINE: django.db.backends.mysql\n    \
             PASSWORD: '{CANARY}-replica'\n    CONN_MAX_AGE: 3600\n"
        ),
    );
}

/// Found by fuzz/mycnf: a `password =` line breaking a `SHOW VARIABLES`
/// dump is a TL001 line no reader marks; the net under the readers
/// (run.rs `mark_secrets_near_findings`) masks it.
#[test]
fn a_password_line_breaking_a_dump_is_masked() {
    let dir = TempDir::new().expect("temp dir");
    write(
        dir.path(),
        &[
            (
                "dump.txt",
                &format!(
                    "Variable_name\tValue\nwait_timeout\t600\n[client]\npassword = {CANARY}-dump\n"
                ),
            ),
            ("timeoutlint.toml", "[[path]]\ndb = \"dump.txt\"\n"),
        ],
    );
    let all = assert_no_canary(dir.path(), &[]);
    assert!(
        all.contains("TL001"),
        "the broken lines are reported: {all}"
    );
}
