//! Each folder in `examples/` holds a manifest, its configs, a README and the
//! expected output of `timeoutlint check --color never <folder>` in
//! `expected.txt`. Run with `TIMEOUTLINT_BLESS=1` to rewrite the expectations
//! after an intended change (and review the diff).

use std::path::Path;

use assert_cmd::Command;

#[test]
fn examples_match_their_expected_output() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut dirs: Vec<_> = std::fs::read_dir(root.join("examples"))
        .expect("examples/ exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.is_dir())
        // examples/ci is a CI workflow to copy, not a scenario to check.
        .filter(|p| !p.ends_with("ci"))
        .collect();
    dirs.sort();
    assert!(
        dirs.len() >= 5,
        "expected at least five examples, found {}",
        dirs.len()
    );
    let bless = std::env::var_os("TIMEOUTLINT_BLESS").is_some();
    let mut failures = Vec::new();
    for dir in dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        assert!(dir.join("README.md").is_file(), "{name} has no README.md");
        assert!(
            dir.join("timeoutlint.toml").is_file(),
            "{name} has no manifest"
        );
        let out = Command::cargo_bin("timeoutlint")
            .unwrap()
            .current_dir(root)
            .args(["check", "--color", "never"])
            .arg(format!("examples/{name}"))
            .output()
            .unwrap();
        let code = out.status.code().unwrap_or(-1);
        let actual = format!(
            "exit code: {code}\n\n{}",
            String::from_utf8_lossy(&out.stdout)
        );
        let expected_path = dir.join("expected.txt");
        if bless {
            std::fs::write(&expected_path, &actual).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if expected != actual {
            failures.push(format!(
                "--- examples/{name}/expected.txt\n{expected}\n+++ actual\n{actual}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "examples differ (TIMEOUTLINT_BLESS=1 rewrites):\n{}",
        failures.join("\n")
    );
}

/// Each example's `timeoutlint.python.toml` points at a Python variant of its
/// app config (`app/settings.py`): read from Python source, it must give the
/// same findings (rule and severity) as the YAML one.
#[test]
fn python_variants_give_the_same_findings() {
    use timeoutlint::run::{RunOptions, run};
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut checked = 0;
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    dirs.sort();
    let findings = |manifest: std::path::PathBuf| {
        let out = run(&[manifest], &RunOptions::default());
        assert!(out.load_errors.is_empty(), "{:?}", out.load_errors);
        let mut v: Vec<(String, String)> = out
            .diagnostics
            .iter()
            .map(|d| (d.code.id.to_string(), d.severity.as_str().to_string()))
            .collect();
        v.sort();
        v
    };
    for dir in dirs {
        let py = dir.join("timeoutlint.python.toml");
        if !py.is_file() {
            continue;
        }
        let yaml = findings(dir.join("timeoutlint.toml"));
        let python = findings(py);
        assert_eq!(python, yaml, "{}: Python variant differs", dir.display());
        checked += 1;
    }
    assert!(checked >= 13, "only {checked} Python variants");
}
