//! The pre-commit integration, end to end: `tests/pre_commit.sh` builds a
//! throw-away git repository with one connection path whose pool outlives the
//! server's `wait_timeout` (TL101); `pre-commit run --all-files` must fail
//! with that finding in its output, and pass once the config is fixed.
//!
//! Two hook sources:
//! - `repo: local` with `language: system` and `entry:` the binary under test;
//! - this checkout's `.pre-commit-hooks.yaml` (`language: rust`), from a
//!   committed copy of the working tree, so pre-commit runs `cargo install
//!   --path .` itself. That build runs offline (`CARGO_NET_OFFLINE`; the
//!   crates are in cargo's cache once this test is built) into a target folder
//!   under `target/tmp` that is kept between runs: about 40 s the first time,
//!   about 10 s after.
//!
//! - the `language: python` hook of the same manifest (`timeoutlint-python`):
//!   pre-commit runs `pip install .`, and pip builds the package with maturin
//!   (pyproject.toml), a release build of the whole crate. Minutes the first
//!   time, so the test is `#[ignore]`d: `cargo test --test pre_commit --
//!   --ignored` runs it (`.ci/run` does with `TIMEOUTLINT_CI_WHEEL=1`). It
//!   needs PyPI (pip fetches maturin) and keeps its cargo target folder under
//!   `target/tmp`;
//! - the pre-commit mirror template (`packaging/pre-commit-mirror`:
//!   `language: python`, a package depending only on the timeoutlint wheel),
//!   with pip pointed at a locally built wheel (`TIMEOUTLINT_WHEEL_DIR`;
//!   `packaging/test-wheel.sh` builds the wheel and runs this test).
//!
//! The tests skip, saying why on the real stderr, when `pre-commit` is not on
//! PATH (`.ci/run` installs it), the `language: rust` and `language: python`
//! ones also when `cargo` cannot be found, and the mirror one when no wheel
//! folder is given.

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/pre_commit.sh");

/// Says past the harness's output capture that a test skipped.
fn skip(why: &str) {
    let _ = writeln!(std::io::stderr(), "skipped: {why}");
}

/// `pre-commit --version`, or `None` (after saying so) when it does not run.
fn pre_commit_version() -> Option<String> {
    match Command::new("pre-commit").arg("--version").output() {
        Ok(out) if out.status.success() => {
            Some(String::from_utf8_lossy(&out.stdout).trim().to_owned())
        }
        Ok(out) => {
            skip(&format!(
                "`pre-commit --version` failed ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            ));
            None
        }
        Err(e) => {
            skip(&format!(
                "pre-commit is not on PATH ({e}); `python3 -m pip install --user pre-commit` installs it"
            ));
            None
        }
    }
}

/// A PATH on which `cargo` runs: the current one, or the current one after
/// the folder of the cargo that runs this test (`$CARGO`). `None` (after
/// saying so) when neither has it.
fn path_with_cargo() -> Option<OsString> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let runs = |p: &OsString| {
        Command::new("cargo")
            .arg("--version")
            .env("PATH", p)
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if runs(&path) {
        return Some(path);
    }
    if let Some(dir) = std::env::var_os("CARGO")
        .map(PathBuf::from)
        .and_then(|c| c.parent().map(Path::to_path_buf))
    {
        let mut dirs = vec![dir];
        dirs.extend(std::env::split_paths(&path));
        if let Ok(joined) = std::env::join_paths(dirs)
            && runs(&joined)
        {
            return Some(joined);
        }
    }
    skip("cargo is not on PATH, and pre-commit's `language: rust` would download a toolchain");
    None
}

/// A scenario folder: `project/` (and `hook-repo/`), plus pre-commit's own
/// cache, so nothing is read from or written to the user's.
struct Scenario {
    work: tempfile::TempDir,
    env: Vec<(&'static str, OsString)>,
}

impl Scenario {
    fn setup(mode: &str, arg: &str) -> Scenario {
        let work = tempfile::tempdir().expect("temporary folder");
        let out = Command::new("bash")
            .arg(SCRIPT)
            .args(["setup", path_str(work.path()), mode, arg])
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .env_remove("GIT_INDEX_FILE")
            .output()
            .expect("bash runs");
        assert!(
            out.status.success(),
            "pre_commit.sh setup {mode} failed\n{}",
            transcript(&out)
        );
        let env = vec![(
            "PRE_COMMIT_HOME",
            work.path().join("pre-commit-home").into_os_string(),
        )];
        Scenario { work, env }
    }

    fn project(&self) -> PathBuf {
        self.work.path().join("project")
    }

    /// `pre-commit run --all-files` in the project.
    fn run(&self) -> Output {
        let mut cmd = Command::new("pre-commit");
        cmd.args(["run", "--all-files", "--color", "never"])
            .current_dir(self.project())
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .env_remove("GIT_INDEX_FILE")
            // Not a pre-commit.ci or SKIP environment of the caller's.
            .env_remove("SKIP")
            .env_remove("PRE_COMMIT_COLOR");
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd.output().expect("pre-commit runs")
    }

    fn fix(&self) {
        let out = Command::new("bash")
            .arg(SCRIPT)
            .args(["fix", path_str(self.work.path())])
            .output()
            .expect("bash runs");
        assert!(
            out.status.success(),
            "pre_commit.sh fix failed\n{}",
            transcript(&out)
        );
    }
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("temporary paths are UTF-8")
}

fn transcript(out: &Output) -> String {
    format!(
        "status: {}\n--- stdout\n{}\n--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Runs the scenario: fails with TL101 (and each of `expected`) in the output,
/// then passes after the fix.
fn fails_then_passes(scenario: &Scenario, expected: &[&str]) {
    let out = scenario.run();
    let text = transcript(&out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "the hook must fail on pool_recycle 3600 s > wait_timeout 600 s\n{text}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    for needle in ["timeoutlint", "Failed", "- exit code: 1", "TL101"]
        .iter()
        .chain(expected)
    {
        assert!(
            stdout.contains(needle),
            "no `{needle}` in the output\n{text}"
        );
    }

    scenario.fix();
    let out = scenario.run();
    let text = transcript(&out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "the hook must pass once wait_timeout is 28800 s\n{text}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("Passed"), "no `Passed`\n{text}");
    assert!(!stdout.contains("TL101"), "TL101 after the fix\n{text}");
}

#[test]
fn local_system_hook_fails_on_the_finding_and_passes_after_the_fix() {
    if pre_commit_version().is_none() {
        return;
    }
    let scenario = Scenario::setup("local", env!("CARGO_BIN_EXE_timeoutlint"));
    fails_then_passes(
        &scenario,
        &[
            // The gcc line: file:line:col of pool_recycle's value.
            "app/settings.yaml:3:17: error: pool_recycle = 3600 s (app/settings.yaml:3) \
             is not below wait_timeout = 600 s (db/my.cnf:2) [TL101]",
        ],
    );
}

#[test]
fn hook_manifest_builds_with_language_rust_and_runs() {
    if pre_commit_version().is_none() {
        return;
    }
    let Some(path) = path_with_cargo() else {
        return;
    };
    let checkout = env!("CARGO_MANIFEST_DIR");
    let mut scenario = Scenario::setup("rust", checkout);
    scenario.env.extend([
        ("PATH", path),
        // Resolve and build from cargo's cache only: no registry access.
        ("CARGO_NET_OFFLINE", "true".into()),
        // Kept between runs, so later runs only rebuild timeoutlint itself.
        (
            "CARGO_TARGET_DIR",
            Path::new(env!("CARGO_TARGET_TMPDIR"))
                .join("pre-commit-cargo-target")
                .into_os_string(),
        ),
    ]);
    fails_then_passes(
        &scenario,
        &[
            "pool-recycle-exceeds-wait-timeout",
            "app/settings.yaml:3:17",
        ],
    );
}

#[test]
fn hook_manifest_is_valid() {
    if pre_commit_version().is_none() {
        return;
    }
    let out = Command::new("pre-commit")
        .args(["validate-manifest", ".pre-commit-hooks.yaml"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("pre-commit runs");
    assert!(out.status.success(), "{}", transcript(&out));
}

#[test]
#[ignore = "pip builds a release binary through maturin: minutes; run with --ignored"]
fn hook_manifest_builds_with_language_python_and_runs() {
    if pre_commit_version().is_none() {
        return;
    }
    // With no cargo, maturin would download a Rust toolchain: not in a test.
    let Some(path) = path_with_cargo() else {
        return;
    };
    let checkout = env!("CARGO_MANIFEST_DIR");
    let mut scenario = Scenario::setup("python", checkout);
    scenario.env.extend([
        ("PATH", path),
        // Kept between runs, so later runs only rebuild timeoutlint itself.
        (
            "CARGO_TARGET_DIR",
            Path::new(env!("CARGO_TARGET_TMPDIR"))
                .join("pre-commit-python-target")
                .into_os_string(),
        ),
    ]);
    let start = Instant::now();
    fails_then_passes(
        &scenario,
        &[
            "pool-recycle-exceeds-wait-timeout",
            "app/settings.yaml:3:17",
        ],
    );
    let _ = writeln!(
        std::io::stderr(),
        "language: python hook: installed and run twice in {:.0} s",
        start.elapsed().as_secs_f64()
    );
}

/// The mirror template pins the wheel of this version, so a release that
/// forgets to bump it is caught here.
#[test]
fn mirror_template_pins_this_version() {
    let pyproject = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/packaging/pre-commit-mirror/pyproject.toml"
    ))
    .expect("packaging/pre-commit-mirror/pyproject.toml");
    let version = env!("CARGO_PKG_VERSION");
    assert!(
        pyproject.contains(&format!("version = \"{version}\"")),
        "the mirror's own version is not {version}"
    );
    assert!(
        pyproject.contains(&format!("dependencies = [\"timeoutlint=={version}\"]")),
        "the mirror does not depend on timeoutlint=={version}"
    );
}

#[test]
fn mirror_hook_installs_the_wheel() {
    if pre_commit_version().is_none() {
        return;
    }
    let Some(wheels) = std::env::var_os("TIMEOUTLINT_WHEEL_DIR") else {
        skip(
            "TIMEOUTLINT_WHEEL_DIR is not set (a folder holding a timeoutlint wheel); \
             packaging/test-wheel.sh builds one and runs this test with it",
        );
        return;
    };
    let mirror = concat!(env!("CARGO_MANIFEST_DIR"), "/packaging/pre-commit-mirror");
    let mut scenario = Scenario::setup("mirror", mirror);
    // pip takes timeoutlint from the folder (it is not on PyPI), and
    // setuptools, which builds the mirror package, from the index.
    scenario.env.push(("PIP_FIND_LINKS", wheels));
    let start = Instant::now();
    fails_then_passes(
        &scenario,
        &[
            "pool-recycle-exceeds-wait-timeout",
            "app/settings.yaml:3:17",
        ],
    );
    let _ = writeln!(
        std::io::stderr(),
        "mirror hook (wheel): installed and run twice in {:.0} s",
        start.elapsed().as_secs_f64()
    );
}
