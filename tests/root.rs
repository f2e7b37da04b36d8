//! The project root and the size cap from the command line (`--root`,
//! `--max-file-size`): what is read, what is refused, and the exit codes.
//! Every input is built in a temporary folder; nothing on the host is read.

use std::path::Path;

use assert_cmd::Command;

fn tl() -> Command {
    Command::cargo_bin("timeoutlint").expect("binary built")
}

const MARKER: &str = "OUTSIDE-MARKER-41d7";

/// `outer/secret.cnf` (outside) and `outer/project/` holding a manifest
/// whose `db` is `db_entry`.
fn layout(db_entry: &str) -> tempfile::TempDir {
    let outer = tempfile::tempdir().expect("tempdir");
    let o = outer.path();
    std::fs::create_dir_all(o.join("project/db")).expect("mkdir");
    std::fs::write(
        o.join("secret.cnf"),
        format!("[mysqld]\nwait_timeout = 60\n# {MARKER}\n"),
    )
    .expect("write");
    std::fs::write(
        o.join("project/db/my.cnf"),
        "[mysqld]\nwait_timeout = 600\n",
    )
    .expect("write");
    std::fs::write(
        o.join("project/app.yaml"),
        "sqlalchemy:\n  url: mysql+pymysql://u@db/x\n  pool_recycle: 300\n",
    )
    .expect("write");
    std::fs::write(
        o.join("project/timeoutlint.toml"),
        format!("[[path]]\napp = \"app.yaml\"\ndb = \"{db_entry}\"\n"),
    )
    .expect("write");
    outer
}

fn run(args: &[&str], dir: &Path) -> (i32, String, String) {
    let out = tl().args(args).current_dir(dir).output().expect("runs");
    (
        out.status.code().expect("exited, not killed"),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_manifest_entry_outside_the_root_is_not_read() {
    let t = layout("../secret.cnf");
    let project = t.path().join("project");
    // A file outside the working directory is named by its absolute path.
    let secret = std::fs::canonicalize(t.path())
        .expect("canonical")
        .join("secret.cnf");
    for format in ["human", "gcc", "json", "sarif"] {
        let (code, out, err) = run(&["check", "--format", format, "."], &project);
        assert_eq!(code, 2, "{format}: {err}");
        assert!(
            err.contains(&format!(
                "timeoutlint.toml:3: cannot read {}: outside the project root",
                secret.display()
            )),
            "{err}"
        );
        assert!(!out.contains(MARKER) && !err.contains(MARKER));
    }
    // Widened explicitly, it is read.
    let (code, out, err) = run(&["check", "--format", "gcc", "--root", "..", "."], &project);
    assert_eq!(code, 1, "{out}{err}");
    assert!(!err.contains("outside"), "{err}");
    // Names are relative to `--root`.
    assert!(
        out.contains("is not below wait_timeout = 60 s (secret.cnf:2) [TL101]"),
        "{out}"
    );
    assert!(out.starts_with("project/app.yaml:3:17: error: "), "{out}");
}

#[test]
fn the_root_is_the_git_work_tree_holding_the_manifest() {
    // repo/.git, repo/deploy/timeoutlint.toml naming ../db/my.cnf: inside.
    let t = tempfile::tempdir().expect("tempdir");
    let repo = t.path().join("repo");
    std::fs::create_dir_all(repo.join(".git")).expect("mkdir");
    std::fs::create_dir_all(repo.join("deploy")).expect("mkdir");
    std::fs::create_dir_all(repo.join("db")).expect("mkdir");
    std::fs::write(repo.join("db/my.cnf"), "[mysqld]\nwait_timeout = 100\n").expect("write");
    std::fs::write(
        repo.join("deploy/app.yaml"),
        "sqlalchemy:\n  url: mysql+pymysql://u@db/x\n  pool_recycle: 3600\n",
    )
    .expect("write");
    std::fs::write(
        repo.join("deploy/timeoutlint.toml"),
        "[[path]]\napp = \"app.yaml\"\ndb = \"../db/my.cnf\"\n",
    )
    .expect("write");
    let (code, out, err) = run(&["check", "--format", "gcc", "deploy"], &repo);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("[TL101]"), "{out}");
    // --root narrower than the manifest's needs: refused.
    let (code, _, err) = run(&["check", "--root", "deploy", "deploy"], &repo);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("outside the project root"), "{err}");
}

#[test]
fn includes_outside_the_root_are_located_findings() {
    let t = layout("db/my.cnf");
    let project = t.path().join("project");
    std::fs::write(
        project.join("db/my.cnf"),
        "[mysqld]\nwait_timeout = 600\n!include ../../secret.cnf\n!includedir /etc/mysql/conf.d/\n",
    )
    .expect("write");
    let (code, out, err) = run(&["check", "--format", "gcc", "."], &project);
    assert_eq!(code, 1, "{err}");
    let lines: Vec<&str> = out.lines().filter(|l| l.contains("[TL003]")).collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(
        lines[0].starts_with("db/my.cnf:3:10: error: cannot read `"),
        "{out}"
    );
    assert!(
        lines[1].starts_with("db/my.cnf:4:13: error: cannot read folder"),
        "{out}"
    );
    assert!(
        lines.iter().all(|l| l.contains("outside the project root")),
        "{out}"
    );
    assert!(!out.contains(MARKER), "{out}");
}

#[test]
fn files_over_the_size_cap_are_refused() {
    let t = layout("db/my.cnf");
    let project = t.path().join("project");
    let (code, _, err) = run(&["check", "--max-file-size", "16", "."], &project);
    assert_eq!(code, 2);
    assert!(err.contains("larger than the 16 byte cap"), "{err}");
    let (code, _, err) = run(&["check", "--max-file-size", "1K", "."], &project);
    assert_eq!(code, 0, "{err}");
    for bad in ["abc", "0", "1.5M", "99999999999G"] {
        let (code, _, err) = run(&["check", "--max-file-size", bad, "."], &project);
        assert_eq!(code, 2, "{bad}");
        assert!(err.contains("--max-file-size"), "{err}");
    }
}

#[test]
fn a_missing_root_is_a_usage_error() {
    let t = layout("db/my.cnf");
    let project = t.path().join("project");
    let (code, _, err) = run(&["check", "--root", "no-such-dir", "."], &project);
    assert_eq!(code, 2);
    assert!(err.contains("--root no-such-dir: not a directory"), "{err}");
}

#[test]
fn loose_files_are_rooted_at_their_folder() {
    // Without a manifest, the named files' folder is the root: an include
    // leaving it is refused, one inside is read.
    let t = layout("db/my.cnf");
    let db = t.path().join("project/db");
    std::fs::write(db.join("extra.cnf"), "[mysqld]\nwait_timeout = 30\n").expect("write");
    std::fs::write(
        db.join("main.cnf"),
        "[mysqld]\n!include extra.cnf\n!include ../../secret.cnf\n",
    )
    .expect("write");
    let (code, out, _) = run(&["check", "--format", "gcc", "main.cnf"], &db);
    assert_eq!(code, 1);
    let secret = std::fs::canonicalize(t.path())
        .expect("canonical")
        .join("secret.cnf");
    assert!(
        out.contains(&format!(
            "main.cnf:3:10: error: cannot read `{}` named by `!include`: outside the project root",
            secret.display()
        )),
        "{out}"
    );
    assert!(!out.contains("extra.cnf"), "{out}");
}
