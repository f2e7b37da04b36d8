//! The real configs in `../shared/corpus` (CI has that folder beside the
//! checkout; a fresh clone does not, and then these tests say so and skip).
//! Every mysql, sysctl, postgres and pgbouncer file is checked through the command line: no
//! panic, exit 0 or 1, and syntax errors only where the file is malformed.

use std::io::Write;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn corpus(kind: &str) -> Option<Vec<PathBuf>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus")
        .join(kind);
    if !dir.is_dir() {
        // Written to the real stderr, past the test harness's capture, so
        // a run without the corpus says that it skipped.
        let _ = writeln!(
            std::io::stderr(),
            "skipped: {} does not exist (corpus tests run where ../shared is present)",
            dir.display()
        );
        return None;
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    Some(files)
}

/// Runs `check --format json` on one file with `--hop` (so the path has an
/// idle killer), returning (exit code, rule ids found).
fn check(file: &Path) -> (i32, Vec<String>) {
    let out = Command::cargo_bin("timeoutlint")
        .unwrap()
        .args(["check", "--format", "json", "--hop", "nat=350s"])
        .arg(file)
        .output()
        .unwrap();
    let code = out.status.code().unwrap_or(-1);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{}: not JSON ({e}): {}",
            file.display(),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let rules = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule"].as_str().unwrap().to_string())
        .collect();
    (code, rules)
}

fn run_kind(kind: &str, malformed: &[&str]) {
    let Some(files) = corpus(kind) else { return };
    assert!(!files.is_empty());
    for f in files {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        let (code, rules) = check(&f);
        assert!(code == 0 || code == 1, "{name}: exit {code}");
        let syntax = rules.iter().any(|r| r == "TL001");
        assert_eq!(
            syntax,
            malformed.contains(&name.as_str()),
            "{name}: TL001 {syntax}, rules {rules:?}"
        );
    }
}

#[test]
fn every_mysql_corpus_file_is_checked() {
    run_kind("mysql", &[]);
}

#[test]
fn every_sysctl_corpus_file_is_checked() {
    run_kind("sysctl", &[]);
}

#[test]
fn every_postgres_corpus_file_is_checked() {
    run_kind("postgres", &[]);
}

#[test]
fn every_pgbouncer_corpus_file_is_checked() {
    // Its first line is a stray `--/etc/haproxy/haproxy.cfg`, which pgbouncer rejects.
    run_kind("pgbouncer", &["postgresql-ha-oguzkaan__pgbouncer.ini"]);
}

#[test]
fn every_django_settings_corpus_file_is_checked() {
    run_kind("django", &[]);
}

#[test]
fn every_sqlalchemy_corpus_file_is_checked() {
    // airflow.cfg is an INI file, not Python settings: no app kind applies.
    let Some(files) = corpus("sqlalchemy") else {
        return;
    };
    for f in files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "py"))
    {
        let (code, rules) = check(f);
        assert!(code == 0 || code == 1, "{}: exit {code}", f.display());
        assert!(
            !rules.iter().any(|r| r == "TL001"),
            "{}: {rules:?}",
            f.display()
        );
    }
}
