//! Inline suppressions and baselines end to end: each fixture folder under
//! `tests/fixtures/suppress/` is a manifest whose configs carry
//! `timeoutlint: ignore[...]` comments. `run` finds the raw findings;
//! `suppress::apply` and `baseline::filter` are called here as the CLI does.

use std::fs;
use std::path::{Path, PathBuf};

use timeoutlint::baseline;
use timeoutlint::diagnostic::Diagnostic;
use timeoutlint::report::gcc;
use timeoutlint::run::{Outcome, RunOptions, run};
use timeoutlint::suppress;

fn fixture(case: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/suppress")
        .join(case)
}

fn run_dir(dir: &Path) -> Outcome {
    // The raw findings: suppression is applied by the tests themselves.
    // `--root` is the project's folder, so names (and baseline identities)
    // are relative to it, whatever the working directory.
    let opts = RunOptions {
        keep_suppressed: true,
        root: Some(dir.to_path_buf()),
        ..RunOptions::default()
    };
    let outcome = run(&[dir.to_path_buf()], &opts);
    assert!(outcome.load_errors.is_empty(), "{:?}", outcome.load_errors);
    outcome
}

/// `(id, file:line)` of each finding.
type Found = Vec<(String, String)>;

fn found(diags: &[Diagnostic], outcome: &Outcome) -> Found {
    diags
        .iter()
        .map(|d| {
            let at = d
                .primary
                .location
                .map(|l| outcome.sources.short(l))
                .unwrap_or_default();
            (d.code.id.to_string(), at)
        })
        .collect()
}

/// Runs a fixture; returns the raw and the suppressed findings as `(id, file:line)`.
fn check(case: &str) -> (Found, Found, String) {
    let outcome = run_dir(&fixture(case));
    let raw = found(&outcome.diagnostics, &outcome);
    let after = suppress::apply(outcome.diagnostics.clone(), &outcome.sources);
    let text = gcc::render(&after, &[], &outcome.sources);
    (raw, found(&after, &outcome), text)
}

fn pairs(items: &[(&str, &str)]) -> Found {
    items
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

/// The fixture has exactly `raw` findings without suppressions, and none with them.
fn fully_suppressed(case: &str, raw: &[(&str, &str)]) {
    let (found_raw, after, text) = check(case);
    assert_eq!(found_raw, pairs(raw), "{case}: raw findings changed");
    assert!(after.is_empty(), "{case}: still reported:\n{text}");
}

#[test]
fn mycnf_same_line_on_the_related_end() {
    // The finding's primary location is in app.yaml; the comment sits on
    // the my.cnf end.
    fully_suppressed("mycnf", &[("TL101", "app.yaml:3")]);
}

#[test]
fn yaml_line_before_by_rule_name() {
    fully_suppressed("yaml", &[("TL101", "app.yaml:4")]);
}

#[test]
fn yaml_hash_in_a_quoted_string_is_not_a_comment() {
    let (raw, after, text) = check("yaml-quoted");
    assert_eq!(raw, pairs(&[("TL101", "app.yaml:3")]));
    // Still reported, and no TL009/TL010: the text is no directive at all.
    assert_eq!(after, raw, "{text}");
}

#[test]
fn toml_end_of_line() {
    fully_suppressed("toml", &[("TL101", "app.toml:3")]);
}

#[test]
fn sysctl_semicolon_line_before() {
    fully_suppressed("sysctl", &[("TL105", "sysctl.conf:2")]);
}

#[test]
fn sysctl_has_no_end_of_line_comments() {
    let (raw, after, text) = check("sysctl-end-of-line");
    assert_eq!(
        raw,
        pairs(&[("TL105", "sysctl.conf:1"), ("TL005", "sysctl.conf:1")])
    );
    assert_eq!(after, raw, "{text}");
}

#[test]
fn postgresql_conf_end_of_line() {
    fully_suppressed("postgresql", &[("TL109", "postgresql.conf:3")]);
}

#[test]
fn pgbouncer_ini_semicolon_line_before() {
    fully_suppressed("pgbouncer", &[("TL110", "pgbouncer.ini:8")]);
}

#[test]
fn haproxy_multiple_ids_either_end() {
    // TL121 starts on the haproxy line; TL103 starts in app.yaml and only
    // its related location is on the haproxy line.
    fully_suppressed(
        "haproxy",
        &[("TL103", "app.yaml:3"), ("TL121", "haproxy.cfg:4")],
    );
}

#[test]
fn nginx_end_of_line_on_the_related_end() {
    fully_suppressed("nginx", &[("TL103", "app.yaml:3")]);
}

#[test]
fn invalid_and_unused_suppressions() {
    let (raw, after, text) = check("problems");
    assert_eq!(raw, pairs(&[("TL101", "app.yaml:1")]));
    assert_eq!(
        after,
        pairs(&[
            ("TL101", "app.yaml:1"),
            ("TL010", "my.cnf:2"),
            ("TL010", "my.cnf:4"),
            ("TL009", "my.cnf:6"),
        ]),
        "{text}"
    );
    insta::assert_snapshot!("problems", text);
}

#[test]
fn every_suppression_code_is_a_warning() {
    let outcome = run_dir(&fixture("problems"));
    let after = suppress::apply(outcome.diagnostics, &outcome.sources);
    for d in after.iter().filter(|d| d.code.id != "TL101") {
        assert_eq!(d.severity.as_str(), "warning", "{}", d.message);
    }
    // Ids used by the catalogue meta-test: ("TL009" and ("TL010" are covered here.
    assert!(after.iter().any(|d| d.code.id == "TL009"));
    assert!(after.iter().any(|d| d.code.id == "TL010"));
}

// ---------------------------------------------------------------- baselines

const APP: &str = "\
sqlalchemy:
  primary:
    url: mysql+pymysql://app@db.internal/orders
    pool_recycle: 3600
  replica:
    url: mysql+pymysql://ro@db.internal/orders
    pool_recycle: 3600
";

const MYCNF: &str = "\
[mysqld]
max_connections = 500
wait_timeout = 600
";

const MANIFEST: &str = "[[path]]\napp = \"app.yaml\"\ndb = \"my.cnf\"\n";

fn project(app: &str, mycnf: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_project(dir.path(), app, mycnf);
    dir
}

fn write_project(dir: &Path, app: &str, mycnf: &str) {
    fs::write(dir.join("timeoutlint.toml"), MANIFEST).unwrap();
    fs::write(dir.join("app.yaml"), app).unwrap();
    fs::write(dir.join("my.cnf"), mycnf).unwrap();
}

fn with_baseline(dir: &Path, baseline_text: &str) -> Vec<String> {
    let outcome = run_dir(dir);
    let diags = suppress::apply(outcome.diagnostics, &outcome.sources);
    baseline::filter(diags, &outcome.sources, baseline_text)
        .unwrap()
        .iter()
        .map(|d| format!("{} {}", d.code.id, baseline::identity(d, &outcome.sources)))
        .collect()
}

fn record(dir: &Path) -> String {
    let outcome = run_dir(dir);
    let diags = suppress::apply(outcome.diagnostics, &outcome.sources);
    assert_eq!(
        diags.iter().map(|d| d.code.id).collect::<Vec<_>>(),
        ["TL101", "TL101"],
        "{}",
        gcc::render(&diags, &[], &outcome.sources)
    );
    baseline::write(&diags, &outcome.sources)
}

#[test]
fn baseline_records_identities_without_line_numbers() {
    let dir = project(APP, MYCNF);
    let text = record(dir.path());
    assert!(text.starts_with("# timeoutlint baseline"), "{text}");
    assert!(text.contains("\nversion = 1\n"), "{text}");
    assert!(
        text.contains(
            r#"identity = 'TL101 app.yaml:"pool_recycle: 3600" <-> my.cnf:"wait_timeout = 600"'"#
        ),
        "{text}"
    );
    assert!(text.contains("count = 2"), "{text}");
    // Deterministic.
    assert_eq!(text, record(dir.path()));
    // Everything recorded: nothing left.
    assert!(with_baseline(dir.path(), &text).is_empty());
}

#[test]
fn baseline_survives_moved_and_inserted_lines() {
    let dir = project(APP, MYCNF);
    let text = record(dir.path());
    // Reorder the engines and their keys, reindent, add comments and settings.
    let app = "\
# moved around
sqlalchemy:
  replica:
    pool_recycle:   3600
    url: mysql+pymysql://ro@db.internal/orders

  primary:
    pool_size: 5
    pool_recycle: 3600
    url: mysql+pymysql://app@db.internal/orders
";
    let mycnf = "\
# the database server
[mysqld]
wait_timeout   =   600  # raised from 300; a comment does not change the identity
interactive_timeout = 600
max_connections = 500
";
    write_project(dir.path(), app, mycnf);
    assert_eq!(with_baseline(dir.path(), &text), Vec::<String>::new());
}

#[test]
fn baseline_reports_only_new_findings() {
    let dir = project(APP, MYCNF);
    let text = record(dir.path());
    // A third engine with the same line: one more than the baseline recorded.
    let app = format!(
        "{APP}  reports:\n    url: mysql+pymysql://rep@db.internal/orders\n    pool_recycle: 3600\n"
    );
    write_project(dir.path(), &app, MYCNF);
    let left = with_baseline(dir.path(), &text);
    assert_eq!(left.len(), 1, "{left:?}");
    assert!(left[0].contains("pool_recycle: 3600"), "{left:?}");

    // A new, different finding is the only one left.
    let app = format!(
        "{APP}  reports:\n    url: mysql+pymysql://rep@db.internal/orders\n    pool_recycle: 7200\n"
    );
    write_project(dir.path(), &app, MYCNF);
    let left = with_baseline(dir.path(), &text);
    assert_eq!(
        left,
        [r#"TL101 TL101 app.yaml:"pool_recycle: 7200" <-> my.cnf:"wait_timeout = 600""#]
    );
}

#[test]
fn baseline_from_a_file_on_disk() {
    let dir = project(APP, MYCNF);
    let path = dir.path().join("timeoutlint-baseline.toml");
    fs::write(&path, record(dir.path())).unwrap();
    let text = baseline::read(&path).unwrap();
    assert!(with_baseline(dir.path(), &text).is_empty());
    let e = baseline::read(&dir.path().join("missing.toml")).unwrap_err();
    assert!(e.to_string().contains("no such file or directory"), "{e}");
}
