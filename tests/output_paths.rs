//! File paths in every format are relative to the folder timeoutlint was
//! started in, or to `--root`, whatever folder was checked: in a monorepo,
//! `check services/api` from the repository root names
//! `services/api/app.yaml`, so GitHub annotations, SARIF and `:make`
//! resolve them from there. A file outside that folder is named by its
//! absolute path (as ruff does).

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn tl() -> Command {
    Command::cargo_bin("timeoutlint").expect("binary built")
}

/// A repository (`.git` folder) with a manifest in `services/api`: an app
/// whose `pool_recycle` (3600 s) is above the shared my.cnf's
/// `wait_timeout` (600 s): one TL101 at `app.yaml:3:17`, related to
/// `db/my.cnf:2:16`.
fn monorepo() -> tempfile::TempDir {
    let t = tempfile::tempdir().expect("tempdir");
    let repo = t.path();
    std::fs::create_dir_all(repo.join(".git")).expect("mkdir");
    let api = repo.join("services/api");
    std::fs::create_dir_all(api.join("db")).expect("mkdir");
    std::fs::write(
        api.join("app.yaml"),
        "sqlalchemy:\n  url: mysql+pymysql://app@db.internal/orders\n  pool_recycle: 3600\n",
    )
    .expect("write");
    std::fs::write(api.join("db/my.cnf"), "[mysqld]\nwait_timeout = 600\n").expect("write");
    std::fs::write(
        api.join("timeoutlint.toml"),
        "[[path]]\nname = \"api\"\napp = \"app.yaml\"\ndb = \"db/my.cnf\"\n",
    )
    .expect("write");
    t
}

/// Runs `check --format FORMAT ARGS...` in `cwd`; returns stdout (exit code 1:
/// the TL101 is an error).
fn check(cwd: &Path, format: &str, args: &[&str]) -> String {
    let out = tl()
        .current_dir(cwd)
        .env_remove("GITHUB_ACTIONS")
        .args(["check", "--format", format])
        .args(args)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{format} {args:?}: {stderr}");
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// `(file, line, column)` of the first diagnostic and its related location,
/// in each of gcc, github, json and sarif.
fn names(cwd: &Path, args: &[&str]) -> Vec<(&'static str, String)> {
    let gcc = check(cwd, "gcc", args);
    let github = check(cwd, "github", args);
    let json: serde_json::Value = serde_json::from_str(&check(cwd, "json", args)).expect("JSON");
    let sarif: serde_json::Value = serde_json::from_str(&check(cwd, "sarif", args)).expect("SARIF");
    let d = &json["diagnostics"][0];
    let r = &sarif["runs"][0]["results"][0];
    let artifact = |l: &serde_json::Value| {
        let a = &l["physicalLocation"]["artifactLocation"];
        format!(
            "{} {}",
            a["uri"].as_str().unwrap_or_default(),
            a["uriBaseId"].as_str().unwrap_or("-")
        )
    };
    vec![
        ("gcc", gcc.lines().next().unwrap_or_default().to_string()),
        (
            "github",
            github
                .lines()
                .find(|l| l.starts_with("::error file="))
                .unwrap_or_default()
                .split("::")
                .nth(1)
                .unwrap_or_default()
                .to_string(),
        ),
        (
            "json",
            format!(
                "{}:{}:{} -> {}:{}",
                d["file"].as_str().unwrap_or_default(),
                d["line"],
                d["column"],
                d["related"][0]["file"].as_str().unwrap_or_default(),
                d["related"][0]["line"]
            ),
        ),
        (
            "sarif",
            format!(
                "{} -> {}",
                artifact(&r["locations"][0]),
                artifact(&r["relatedLocations"][0])
            ),
        ),
    ]
}

fn expected(prefix: &str) -> Vec<(&'static str, String)> {
    vec![
        (
            "gcc",
            format!(
                "{prefix}app.yaml:3:17: error: pool_recycle = 3600 s ({prefix}app.yaml:3) is not below wait_timeout = 600 s ({prefix}db/my.cnf:2) [TL101]"
            ),
        ),
        (
            "github",
            format!(
                "error file={prefix}app.yaml,line=3,col=17,endLine=3,endColumn=21,title=TL101 pool-recycle-exceeds-wait-timeout"
            ),
        ),
        (
            "json",
            format!("{prefix}app.yaml:3:17 -> {prefix}db/my.cnf:2"),
        ),
        (
            "sarif",
            format!("{prefix}app.yaml %SRCROOT% -> {prefix}db/my.cnf %SRCROOT%"),
        ),
    ]
}

fn real(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).expect("canonical")
}

#[test]
fn a_subfolder_checked_from_the_repository_root_is_named_from_there() {
    let t = monorepo();
    let repo = t.path();
    assert_eq!(names(repo, &["services/api"]), expected("services/api/"));
    // An absolute argument names the same files.
    let absolute = repo.join("services/api");
    let absolute = absolute.to_str().expect("UTF-8 path");
    assert_eq!(names(repo, &[absolute]), expected("services/api/"));
    // The manifest named directly, too.
    assert_eq!(
        names(repo, &["services/api/timeoutlint.toml"]),
        expected("services/api/")
    );
}

#[test]
fn names_are_relative_to_the_working_directory() {
    let t = monorepo();
    let api = t.path().join("services/api");
    assert_eq!(names(&api, &["."]), expected(""));
    assert_eq!(
        names(&t.path().join("services"), &["api"]),
        expected("api/")
    );
}

#[test]
fn root_makes_names_relative_to_it() {
    let t = monorepo();
    let repo = t.path();
    let api = repo.join("services/api");
    // From inside the subfolder, `--root` at the repository root.
    assert_eq!(
        names(&api, &["--root", "../..", "."]),
        expected("services/api/")
    );
    let root = repo.to_str().expect("UTF-8 path");
    assert_eq!(
        names(&repo.join("services"), &["--root", root, "api"]),
        expected("services/api/")
    );
}

#[test]
fn a_file_outside_the_working_directory_is_named_by_its_absolute_path() {
    let t = monorepo();
    let db = real(&t.path().join("services/api/db"));
    let out = check(&db, "gcc", &[".."]);
    let prefix = format!("{}/", real(&t.path().join("services/api")).display());
    assert!(
        out.starts_with(&format!("{prefix}app.yaml:3:17: error: ")),
        "{out}"
    );
    // my.cnf is inside the working directory: relative.
    assert!(out.contains("wait_timeout = 600 s (my.cnf:2)"), "{out}");
    // SARIF: an absolute name is a `file://` URI, with no base.
    let sarif: serde_json::Value =
        serde_json::from_str(&check(&db, "sarif", &[".."])).expect("SARIF");
    let a = &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(a["uri"], format!("file://{prefix}app.yaml"));
    assert!(a.get("uriBaseId").is_none(), "{a}");
}

#[test]
fn a_baseline_matches_from_the_folder_it_was_written_in() {
    let t = monorepo();
    let repo = t.path();
    let baseline = repo.join("baseline.toml");
    let baseline_arg = baseline.to_str().expect("UTF-8 path");
    tl().current_dir(repo)
        .args(["check", "--write-baseline", baseline_arg, "services/api"])
        .assert()
        .code(0);
    let text = std::fs::read_to_string(&baseline).expect("written");
    assert!(
        text.contains(
            r#"identity = 'TL101 services/api/app.yaml:"pool_recycle: 3600" <-> services/api/db/my.cnf:"wait_timeout = 600"'"#
        ),
        "{text}"
    );
    // The same folder: every finding is known.
    tl().current_dir(repo)
        .args(["check", "--baseline", baseline_arg, "services/api"])
        .assert()
        .code(0);
    // `--root` at the same folder gives the same names from anywhere.
    tl().current_dir(repo.join("services/api"))
        .args(["check", "--root", "../..", "--baseline", baseline_arg, "."])
        .assert()
        .code(0);
    // Another folder without `--root`: other names, so the finding is new.
    tl().current_dir(repo.join("services/api"))
        .args(["check", "--baseline", baseline_arg, "."])
        .assert()
        .code(1);
}
