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
