//! The command line: exit codes, formats, flags, loose files.

use assert_cmd::Command;
use predicates::prelude::*;

fn fixture(case: &str) -> String {
    format!("{}/tests/fixtures/rules/{case}", env!("CARGO_MANIFEST_DIR"))
}

/// Runs timeoutlint with `args`, asserts the exit code, returns stdout.
fn stdout_of(args: &[&str], code: i32) -> String {
    let out = tl()
        .env_remove("COLUMNS")
        .args(args)
        .assert()
        .code(code)
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).expect("UTF-8 output")
}

fn tl() -> Command {
    Command::cargo_bin("timeoutlint").expect("binary built")
}

#[test]
fn exit_0_when_clean() {
    tl().args(["check", &fixture("tl101-passes")])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("no problems found"));
}

#[test]
fn exit_1_on_errors() {
    tl().args(["check", &fixture("tl101-fires")])
        .assert()
        .code(1);
}

#[test]
fn warnings_pass_by_default_and_fail_with_fail_on_warning() {
    tl().args(["check", &fixture("tl104-fires")])
        .assert()
        .code(0);
    tl().args(["check", "--fail-on", "warning", &fixture("tl104-fires")])
        .assert()
        .code(1);
    tl().args(["check", "--fail-on", "info", &fixture("tl101-passes")])
        .assert()
        .code(0);
}

#[test]
fn exit_2_on_missing_path_and_usage_errors() {
    tl().args(["check", "/nonexistent/timeoutlint"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "cannot read /nonexistent/timeoutlint",
        ));
    tl().args(["check", "--format", "xml", &fixture("tl101-fires")])
        .assert()
        .code(2);
    tl().args(["frobnicate"]).assert().code(2);
    tl().args(["check", "--hop", "nat=350", &fixture("tl101-fires")])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no unit"));
    tl().args(["check", "--margin", "150", &fixture("tl101-fires")])
        .assert()
        .code(2);
    // A preset's value outside the device's range is a usage error too.
    tl().args(["check", "--hop", "aws-nlb=30s", &fixture("tl101-passes")])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("aws-nlb"));
}

#[test]
fn hop_flag_takes_preset_ids() {
    // pool_recycle 250 s against the NAT gateway's documented 350 s: fine;
    // against an NLB set to 120 s: TL103, naming the preset and the flag.
    tl().args([
        "check",
        "--hop",
        "aws-nat-gateway",
        &fixture("tl101-passes"),
    ])
    .assert()
    .code(0);
    tl().args([
        "check",
        "--format",
        "concise",
        "--hop",
        "aws-nlb=120s",
        &fixture("tl101-passes"),
    ])
    .assert()
    .code(1)
    .stdout(predicate::str::contains("TL103"))
    .stdout(predicate::str::contains("AWS Network Load Balancer"));
}

#[test]
fn manifest_pointing_at_missing_file_is_exit_2_but_reports_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("my.cnf"), "[mysqld]\nwait_timeout = 600\n").unwrap();
    std::fs::write(
        dir.path().join("timeoutlint.toml"),
        "[[path]]\napp = \"missing.yaml\"\ndb = \"my.cnf\"\n[[path.hop]]\nname = \"nat\"\nidle_timeout = \"350s\"\n",
    )
    .unwrap();
    tl().current_dir(dir.path())
        .args(["check", "--format", "gcc", "."])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "timeoutlint.toml:2: cannot read missing.yaml",
        ))
        .stdout(
            predicate::str::contains("my.cnf:2:16: warning:")
                .and(predicate::str::contains("[TL106]")),
        );
}

#[test]
fn gcc_format_is_one_line_per_finding() {
    let text = stdout_of(&["check", "--format", "gcc", &fixture("tl108-fires")], 1);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    let re = regex_lite(&lines);
    assert!(re, "{text}");
    // Names are relative to the working directory (the crate's folder).
    let p = "tests/fixtures/rules/tl108-fires/";
    assert!(
        lines[0].starts_with(&format!("{p}config.yaml:1:1: error: ")),
        "{text}"
    );
    assert!(lines[0].ends_with("[TL101]"), "{text}");
    assert!(
        lines[1].starts_with(&format!(
            "{p}config.yaml:2:1: warning: SQLALCHEMY_POOL_RECYCLE was removed"
        )),
        "{text}"
    );
}

/// Every line matches VS Code's `$gcc` problem matcher:
/// `^(.*):(\d+):(\d+):\s+(?:fatal\s+)?(warning|error):\s+(.*)$`.
fn regex_lite(lines: &[&str]) -> bool {
    lines.iter().all(|l| {
        let mut parts = l.splitn(4, ':');
        let (Some(_file), Some(line), Some(col), Some(rest)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return false;
        };
        line.parse::<u32>().is_ok()
            && col.parse::<u32>().is_ok()
            && (rest.starts_with(" error: ")
                || rest.starts_with(" warning: ")
                || rest.starts_with(" note: "))
    })
}

#[test]
fn json_format_has_the_documented_shape() {
    let out = tl()
        .args(["check", "--format", "json", &fixture("tl103-fires")])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["version"], 1);
    let all = v["diagnostics"].as_array().unwrap();
    let rules: Vec<&str> = all.iter().map(|d| d["rule"].as_str().unwrap()).collect();
    assert_eq!(rules, ["TL126", "TL103", "TL106"]);
    let d = &all[1];
    assert_eq!(d["rule"], "TL103");
    assert_eq!(d["name"], "retirement-exceeds-hop-idle-timeout");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["file"], "tests/fixtures/rules/tl103-fires/app.yaml");
    assert_eq!(d["line"], 3);
    assert_eq!(d["column"], 17);
    assert_eq!(d["end_line"], 3);
    assert_eq!(d["end_column"], 21);
    assert_eq!(
        d["related"][0]["file"],
        "tests/fixtures/rules/tl103-fires/timeoutlint.toml"
    );
    assert_eq!(d["related"][0]["line"], 8);
    assert!(d["help"].as_str().unwrap().contains("pool_recycle = 3240"));
    assert_eq!(v["summary"]["errors"], 1);
    assert_eq!(v["summary"]["warnings"], 2);
}

#[test]
fn human_format_labels_both_ends() {
    let text = stdout_of(&["check", "--color", "never", &fixture("tl103-fires")], 1);
    assert!(
        text.contains("TL103 retirement-exceeds-hop-idle-timeout"),
        "{text}"
    );
    let p = "tests/fixtures/rules/tl103-fires/";
    assert!(text.contains(&format!("[{p}app.yaml:3:17]")), "{text}");
    assert!(
        text.contains(&format!("[{p}timeoutlint.toml:8:16]")),
        "{text}"
    );
    assert!(
        text.contains("help: set pool_recycle below every idle timeout"),
        "{text}"
    );
    assert!(text.contains("1 error, 2 warnings"), "{text}");
    assert!(!text.contains('\u{1b}'), "no escapes when colour is off");
}

#[test]
fn output_is_byte_identical_between_runs() {
    for format in ["human", "json", "gcc"] {
        let run = || {
            tl().args(["check", "--format", format, &fixture("tl108-fires")])
                .output()
                .unwrap()
                .stdout
        };
        assert_eq!(run(), run(), "{format}");
    }
}

#[test]
fn loose_files_and_hop_flag_form_one_path() {
    let f = fixture("tl103-fires");
    tl().args([
        "check",
        "--format",
        "gcc",
        &format!("{f}/app.yaml"),
        &format!("{f}/my.cnf"),
    ])
    .assert()
    .code(0);
    tl().args([
        "check",
        "--format",
        "gcc",
        "--hop",
        "cloud sg=1h",
        &format!("{f}/app.yaml"),
        &format!("{f}/my.cnf"),
    ])
    .assert()
    .code(1)
    .stdout(
        predicate::str::contains("[TL103]").and(
            predicate::str::contains("hop \\\"cloud sg\\\"")
                .or(predicate::str::contains("hop \"cloud sg\"")),
        ),
    );
}

#[test]
fn loose_files_of_unknown_kind_are_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("notes.txt");
    std::fs::write(&p, "hello\n").unwrap();
    tl().arg("check")
        .arg(&p)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot tell what kind of config"));
}

#[test]
fn chain_marks_the_first_idle_killer() {
    let text = stdout_of(&["chain", &fixture("tl103-fires")], 0);
    assert!(text.contains("path: api -> orders-db"), "{text}");
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with("| >>") && l.contains("idle_timeout"))
        .expect("marked row");
    // The layer is the row above its settings.
    assert!(
        lines[at - 1].contains("hop \"cloud security group\":"),
        "{text}"
    );
    assert!(lines[at].contains("timeoutlint.toml:8"), "{text}");
    // A default's source is abbreviated in the table, in full below it.
    assert!(text.contains("| Linux default [3] "), "{text}");
    assert!(
        text.contains("\n[3] documented default of Linux (https://man7.org/"),
        "{text}"
    );
    assert!(
        text.contains(
            ">> an idle connection is killed first by hop \"cloud security group\" after 3600 s"
        ),
        "{text}"
    );
}

/// The chain table fits `COLUMNS`, else 100 columns when not on a
/// terminal; only an unbreakable URL in a footnote may be longer.
#[test]
fn chain_table_fits_the_width() {
    for (columns, width) in [(None, 100), (Some("80"), 80), (Some("160"), 160)] {
        let mut cmd = tl();
        cmd.env_remove("COLUMNS");
        if let Some(c) = columns {
            cmd.env("COLUMNS", c);
        }
        let out = cmd
            .args(["chain", &fixture("tl110-fires")])
            .assert()
            .code(0)
            .get_output()
            .stdout
            .clone();
        let text = String::from_utf8(out).unwrap();
        let widest = text
            .lines()
            .filter(|l| !l.contains("://"))
            .map(|l| l.chars().count())
            .max()
            .unwrap();
        assert!(widest <= width, "{columns:?}: {widest} columns:\n{text}");
        assert!(widest > width - 10, "{columns:?}: only {widest}:\n{text}");
    }
}

/// Keepalive rows give the driver's own keepalive (libpq
/// `keepalives_idle`, `keepalives_count`) where it replaces the host's, and
/// a validation that is off never says it validates.
#[test]
fn chain_shows_the_effective_keepalive_and_an_off_validation() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("app.yaml"),
        "sqlalchemy:\n  url: postgresql+psycopg2://app@db/x?keepalives_idle=60&keepalives_count=3\n  pool_recycle: 7200\n",
    )
    .unwrap();
    std::fs::write(d.join("postgresql.conf"), "idle_session_timeout = 0\n").unwrap();
    // Wide enough that no note wraps.
    let out = tl()
        .env("COLUMNS", "400")
        .arg("chain")
        .arg(d.join("app.yaml"))
        .arg(d.join("postgresql.conf"))
        .args(["--hop", "nat=350s"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    let flat = &text;
    assert!(
        flat.contains("not used: the driver sets keepalives_idle = 60 s"),
        "{text}"
    );
    assert!(
        flat.contains("keepalives_count = 3; dead peer detected after 285 s"),
        "{text}"
    );
    assert!(
        flat.contains("kept open by app keepalive (60 s < 350 s)"),
        "{text}"
    );
    assert!(!text.contains("validates on checkout"), "{text}");
    assert!(flat.contains("off: a dead connection is found"), "{text}");
}

#[test]
fn rules_and_explain() {
    tl().arg("rules")
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "TL101  pool-recycle-exceeds-wait-timeout",
        ));
    tl().args(["explain", "TL103"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("## Why is this bad?"));
    tl().args(["explain", "pool-recycle-exceeds-wait-timeout"])
        .assert()
        .code(0);
    tl().args(["explain", "TL999"]).assert().code(2);
    // An input error cannot fail at runtime: explain says so instead of a
    // lab reproduction.
    tl().args(["explain", "TL001"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "## Proven (lab/, docs/lab.md)\nNot applicable: an input error",
        ));
    // A proven rule quotes the error the lab saw, with the versions.
    tl().args(["explain", "TL101"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "- Reproduced with MariaDB 10.11.19, SQLAlchemy 2.1.9, PyMySQL 1.2.4 (scenario tl101-pymysql): (pymysql.err.OperationalError) (2006, \"MySQL server has gone away",
        ));
}

#[test]
fn a_folder_without_manifest_is_discovered() {
    // Nothing to find: said, not an error (ruff, shellcheck do the same).
    let dir = tempfile::tempdir().unwrap();
    tl().arg("check")
        .current_dir(dir.path())
        .assert()
        .code(0)
        .stdout(predicate::str::contains("discovered 0 paths"))
        .stdout(predicate::str::contains(
            "no app settings, server configs or deployment files found",
        ));
    // A settings module and a compose file are linked into one path.
    std::fs::write(dir.path().join("README"), "x").unwrap();
    std::fs::write(
        dir.path().join("settings.py"),
        "DATABASES = {'default': {'ENGINE': 'django.db.backends.mysql', 'HOST': 'db', 'CONN_MAX_AGE': 3600}}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("compose.yaml"),
        "services:\n  db:\n    image: mysql:8.0\n    command: --wait-timeout=600\n",
    )
    .unwrap();
    tl().args(["check", "--format", "gcc"])
        .current_dir(dir.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains("settings.py:1:"))
        .stdout(predicate::str::contains("[TL102]"));
    tl().arg("check")
        .current_dir(dir.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "discovered 1 path (no timeoutlint.toml; `timeoutlint init` writes these into one):\n  app (settings.py, DATABASES[\"default\"]) -> mysql:8.0 (compose: db)\n",
        ));
}

#[test]
fn a_sysctl_d_folder_is_the_app_host_kernel() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("10-keepalive.conf"),
        "net.ipv4.tcp_keepalive_time = 300\n",
    )
    .unwrap();
    let out = tl()
        .args(["chain", "--format", "json"])
        .arg(dir.path())
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let row = &v["paths"][0]["rows"][0];
    assert_eq!(row["layer"], "app host kernel");
    assert_eq!(row["value"], "300 s (5m)");
    assert!(
        row["source"]
            .as_str()
            .unwrap()
            .ends_with("10-keepalive.conf:1"),
        "{row}"
    );
}

#[test]
fn chain_prints_both_segments_of_a_pgbouncer_path() {
    let text = stdout_of(&["chain", &fixture("tl110-fires")], 0);
    assert!(
        text.contains("path: api -> pgbouncer -> orders (app -> pgbouncer)"),
        "{text}"
    );
    assert!(
        text.contains("path: api -> pgbouncer -> orders (pgbouncer -> server (not given))"),
        "{text}"
    );
    let first = text
        .lines()
        .find(|l| l.starts_with("| >>"))
        .expect("a marked row");
    assert!(
        first.contains("client_idle_timeout") && first.contains("pgbouncer.ini:7"),
        "{text}"
    );
    let out = tl()
        .args(["chain", "--format", "json", &fixture("tl109-fires")])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let paths = v["paths"].as_array().unwrap();
    assert_eq!(paths.len(), 2);
    assert_eq!(
        paths[1]["name"],
        "pgbouncer -> orders (pgbouncer -> PostgreSQL)"
    );
    let marked: Vec<_> = paths[1]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["first_idle_killer"] == true)
        .collect();
    assert_eq!(marked.len(), 1);
    assert_eq!(marked[0]["setting"], "idle_session_timeout");
    assert_eq!(marked[0]["value"], "300 s (5m)");
}

#[test]
fn chain_prints_the_connection_budget() {
    // Run from the fixture's folder, so names are as short as a user there sees.
    let out = tl()
        .current_dir(fixture("tl123-fires"))
        .env("COLUMNS", "300")
        .args(["chain", "."])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).expect("UTF-8 output");
    assert!(text.contains("connection budget: PostgreSQL max_connections = 97 (max_connections 100 − superuser_reserved_connections 3 − reserved_connections 0; postgresql.conf:1)"), "{text}");
    assert!(text.contains("| worker | 15 (pool_size 5 + max_overflow 10)  | 3 (timeoutlint.toml:11) | 45          |"), "{text}");
    assert!(text.contains(">> 105 of 97: over by 8"), "{text}");
}

#[test]
fn presets_lists_the_catalogue() {
    let out = tl()
        .arg("presets")
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    for id in [
        "aws-nlb",
        "aws-nat-gateway",
        "aws-security-group",
        "gcp-cloud-nat",
        "azure-load-balancer",
        "linux-conntrack",
        "kube-proxy-conntrack",
        "ipvs",
        "envoy-tcp-proxy",
        "istio",
    ] {
        assert!(text.contains(id), "{id} missing:\n{text}");
    }
}

#[test]
fn rules_in_three_formats_completions_and_man() {
    tl().args(["rules", "--format", "markdown"])
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with(
            "| id | name | severity | summary |",
        ));
    let out = tl()
        .args(["rules", "--format", "json"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v[0]["id"], "TL001");
    assert!(
        v.as_array()
            .unwrap()
            .iter()
            .all(|r| !r["why"].as_str().unwrap().is_empty())
    );
    tl().args(["completions", "bash"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("_timeoutlint()"));
    tl().args(["completions", "zsh"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("#compdef timeoutlint"));
    tl().arg("man")
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with(".ie").or(predicate::str::contains(".TH timeoutlint")));
}

#[test]
fn several_formats_in_one_run_and_exit_zero() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("out.json");
    tl().args(["check", "--format", "json", "--output"])
        .arg(&json)
        .args(["--format", "gcc", &fixture("tl101-fires")])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("[TL101]"));
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(v["diagnostics"][0]["rule"], "TL101");
    tl().args(["check", "--exit-zero", &fixture("tl101-fires")])
        .assert()
        .code(0);
    tl().args(["check", "--exit-zero", "/nonexistent"])
        .assert()
        .code(2);
    tl().args([
        "check",
        "--format",
        "gcc",
        "--output",
        "a",
        "--output",
        "b",
        &fixture("tl101-fires"),
    ])
    .assert()
    .code(2);
}

#[test]
fn every_format_runs_from_the_command_line() {
    for f in [
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
    ] {
        let text = stdout_of(&["check", "--format", f, &fixture("tl103-fires")], 1);
        assert!(text.contains("TL103"), "{f}: {text}");
    }
}

#[test]
fn baseline_round_trip_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let src = std::path::Path::new(&fixture("tl108-fires")).to_path_buf();
    for f in ["config.yaml", "my.cnf", "timeoutlint.toml"] {
        std::fs::copy(src.join(f), dir.path().join(f)).unwrap();
    }
    let base = dir.path().join("baseline.toml");
    tl().arg("check")
        .arg("--write-baseline")
        .arg(&base)
        .arg(dir.path())
        .assert()
        .code(0);
    tl().arg("check")
        .arg("--baseline")
        .arg(&base)
        .arg(dir.path())
        .assert()
        .code(0)
        .stdout(predicate::str::contains("no problems found"));
    // Reorder the config file: the baseline still matches.
    let cfg = dir.path().join("config.yaml");
    let text = std::fs::read_to_string(&cfg).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines.reverse();
    std::fs::write(&cfg, format!("# reordered\n{}\n", lines.join("\n"))).unwrap();
    tl().arg("check")
        .arg("--baseline")
        .arg(&base)
        .arg(dir.path())
        .assert()
        .code(0);
    // A new finding is reported.
    std::fs::write(dir.path().join("my.cnf"), "[mysqld]\nwait_timeout = 100\n").unwrap();
    tl().args(["check", "--format", "gcc", "--baseline"])
        .arg(&base)
        .arg(dir.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains("[TL101]"));
    tl().arg("check")
        .arg("--baseline")
        .arg(dir.path().join("missing.toml"))
        .arg(dir.path())
        .assert()
        .code(2);
}

fn config_fixture(case: &str) -> String {
    format!(
        "{}/tests/fixtures/config/{case}",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn lint_config_and_its_flags_from_the_command_line() {
    // A house rule from [[lint.rule]] in the manifest fires end to end.
    tl().args([
        "check",
        "--format",
        "gcc",
        &config_fixture("ordering-fires"),
    ])
    .assert()
    .code(1)
    .stdout(predicate::str::contains("[ORG001]"));
    tl().args([
        "check",
        "--format",
        "gcc",
        &config_fixture("ordering-passes"),
    ])
    .assert()
    .stdout(predicate::str::contains("[ORG001]").not());
    // --ignore and --select mirror the config keys.
    tl().args([
        "check",
        "--format",
        "gcc",
        "--ignore",
        "ORG001,TL1",
        &config_fixture("ordering-fires"),
    ])
    .assert()
    .stdout(
        predicate::str::contains("[ORG001]")
            .not()
            .and(predicate::str::contains("[TL1").not()),
    );
    tl().args([
        "check",
        "--format",
        "gcc",
        "--select",
        "TL106",
        &fixture("tl103-fires"),
    ])
    .assert()
    .code(0)
    .stdout(predicate::str::contains("[TL106]").and(predicate::str::contains("[TL103]").not()));
    tl().args(["check", "--select", "TL999", &fixture("tl103-fires")])
        .assert()
        .code(2);
    // fail-on from a --config file.
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("lint.toml");
    std::fs::write(&cfg, "fail-on = \"warning\"\n").unwrap();
    tl().args(["check", &fixture("tl104-fires")])
        .assert()
        .code(0);
    tl().args(["check", "--config"])
        .arg(&cfg)
        .arg(fixture("tl104-fires"))
        .assert()
        .code(1);
    // An unknown key is a located TL011.
    std::fs::write(&cfg, "selectt = [\"TL101\"]\n").unwrap();
    tl().args(["check", "--format", "gcc", "--config"])
        .arg(&cfg)
        .arg(fixture("tl101-passes"))
        .assert()
        .code(1)
        .stdout(
            predicate::str::contains("lint.toml:1:1: error:")
                .and(predicate::str::contains("[TL011]")),
        );
}

#[test]
fn env_file_gives_deploy_time_values_to_python_settings() {
    let dir = tempfile::tempdir().unwrap();
    let src = std::path::Path::new(&fixture("tl102-env-default-fires")).to_path_buf();
    for f in ["settings.py", "my.cnf", "timeoutlint.toml"] {
        std::fs::copy(src.join(f), dir.path().join(f)).unwrap();
    }
    tl().arg("check").arg(dir.path()).assert().code(1);
    let env = dir.path().join(".env");
    std::fs::write(&env, "DB_CONN_MAX_AGE=300\n").unwrap();
    tl().arg("check")
        .arg("--env-file")
        .arg(&env)
        .arg(dir.path())
        .assert()
        .code(0);
    tl().arg("check")
        .arg("--env-file")
        .arg(dir.path().join("missing.env"))
        .arg(dir.path())
        .assert()
        .code(2);
}

/// A wrapper ENGINE timeoutlint does not know: TL006 names the manifest keys
/// that declare its backend; with `backend = "mysql"` in the manifest the
/// server rules run (TL102) and the backend is the manifest's.
#[test]
fn manifest_backend_key_for_a_wrapper_engine() {
    let out = stdout_of(
        &[
            "check",
            "--format",
            "json",
            &fixture("tl006-wrapper-engine-fires"),
        ],
        0,
    );
    assert!(out.contains("\"TL006\""), "{out}");
    assert!(
        out.contains(r#"backend = \"mysql\""#),
        "the help names the manifest key: {out}"
    );
    let out = stdout_of(
        &[
            "check",
            "--format",
            "gcc",
            &fixture("tl102-manifest-backend-fires"),
        ],
        1,
    );
    assert!(out.contains("[TL102]"), "{out}");
    assert!(!out.contains("TL006"), "{out}");
}

/// An unknown `driver` in the manifest is a TL004 error at the key.
#[test]
fn manifest_unknown_driver_is_reported_at_the_key() {
    let dir = std::env::temp_dir().join(format!("timeoutlint-driver-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("settings.yaml"),
        "DATABASES:\n  default:\n    ENGINE: myco.backend\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("timeoutlint.toml"),
        "[[path]]\napp = \"settings.yaml\"\ndriver = \"oracledb\"\n",
    )
    .unwrap();
    let out = stdout_of(&["check", "--format", "gcc", dir.to_str().unwrap()], 1);
    std::fs::remove_dir_all(&dir).ok();
    assert!(
        out.contains(
            "timeoutlint.toml:3:10: error: driver \"oracledb\" is not one timeoutlint knows [TL004]"
        ),
        "{out}"
    );
}

/// Copies `examples/NAME` into a fresh temporary folder.
fn example_copy(name: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let to = dir.path().join(name);
    let from = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name);
    for e in walkdir::WalkDir::new(&from) {
        let e = e.unwrap();
        let dest = to.join(e.path().strip_prefix(&from).unwrap());
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(e.path(), &dest).unwrap();
        }
    }
    (dir, to)
}

#[test]
fn fix_writes_the_one_value_fixes_and_reports_what_is_left() {
    let (_dir, root) = example_copy("founding-incident-broken");
    let settings = root.join("app/settings.yaml");
    let before = std::fs::read_to_string(&settings).unwrap();
    let cnf = std::fs::read_to_string(root.join("db/my.cnf")).unwrap();
    // The error (TL103, Flask-SQLAlchemy's implicit 7200 s) is fixed; the
    // warnings (TL106, TL126) have no one-value fix and are reported.
    tl().current_dir(&root)
        .args(["check", "--fix", "--format", "concise"])
        .assert()
        .code(0)
        .stderr(predicate::str::contains(
            "fixed 1 finding(s) in 1 file(s): app/settings.yaml",
        ))
        .stdout(predicate::str::contains("TL103").not())
        .stdout(predicate::str::contains("TL106"));
    let after = std::fs::read_to_string(&settings).unwrap();
    assert_eq!(
        after,
        before.replace(
            "SQLALCHEMY_TRACK_MODIFICATIONS",
            "SQLALCHEMY_ENGINE_OPTIONS:\n  pool_recycle: 3240\nSQLALCHEMY_TRACK_MODIFICATIONS"
        )
    );
    assert_eq!(
        std::fs::read_to_string(root.join("db/my.cnf")).unwrap(),
        cnf
    );
    // Nothing left to fix: nothing written.
    tl().current_dir(&root)
        .args(["check", "--fix", "--format", "concise"])
        .assert()
        .code(0)
        .stderr(predicate::str::contains("fixed 0 finding(s) in 0 file(s)"));
    assert_eq!(std::fs::read_to_string(&settings).unwrap(), after);
}
