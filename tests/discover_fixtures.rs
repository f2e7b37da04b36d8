//! The discovery fixtures (tests/fixtures/discover/, issue 12): each
//! repository's hand-written manifest (`<name>.timeoutlint.toml`, outside the
//! repository folder) gives the findings recorded in `<name>.expected.gcc`,
//! never prints a password, and the repositories are intact (no manifest
//! inside, git-ignored decoys present). `TIMEOUTLINT_BLESS=1` rewrites the
//! expectations.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// Each fixture with its exit code under the default `--fail-on error`.
const FIXTURES: [(&str, i32); 5] = [
    ("django-compose-pgbouncer", 1),
    ("flask-mysql-compose", 1),
    ("fastapi-k8s-terraform-rds", 1),
    ("monorepo", 1),
    ("unlinkable", 0),
];

/// The fake passwords written in the fixtures' compose files, env files and
/// URLs.
const PASSWORDS: [&str; 4] = [
    "pg-fixture-pw-31",
    "s3cr3t-pw",
    "pg-monorepo-pw-9",
    "my-monorepo-pw-4",
];

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/discover")
}

fn manifest(name: &str) -> String {
    dir()
        .join(format!("{name}.timeoutlint.toml"))
        .display()
        .to_string()
}

/// Runs timeoutlint with `args` from tests/fixtures/discover (so paths are
/// printed relative to it, as `<name>/...`); returns the exit code and stdout.
fn run(args: &[&str]) -> (i32, String) {
    let out = Command::cargo_bin("timeoutlint")
        .expect("binary built")
        .current_dir(dir())
        .args(args)
        .output()
        .expect("timeoutlint runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).expect("UTF-8 output"),
    )
}

#[test]
fn hand_written_manifests_give_the_expected_findings() {
    let bless = std::env::var_os("TIMEOUTLINT_BLESS").is_some();
    let mut failures = Vec::new();
    for (name, code) in FIXTURES {
        let m = manifest(name);
        let (got_code, _) = run(&["check", "--format", "gcc", &m]);
        if got_code != code {
            failures.push(format!("{name}: exit code {got_code}, expected {code}"));
        }
        let (_, got) = run(&["check", "--format", "gcc", "--fail-on", "info", &m]);
        let path = dir().join(format!("{name}.expected.gcc"));
        if bless {
            std::fs::write(&path, &got).expect("expected.gcc written");
            continue;
        }
        let want = std::fs::read_to_string(&path).expect("expected.gcc");
        if got != want {
            failures.push(format!("{name}:\n--- expected\n{want}--- got\n{got}"));
        }
    }
    assert!(
        failures.is_empty(),
        "discover fixtures differ (TIMEOUTLINT_BLESS=1 rewrites):\n{}",
        failures.join("\n")
    );
}

#[test]
fn every_fixture_has_exactly_its_intended_findings() {
    // The codes by fixture, as README.md records them; no TL001 / TL004 /
    // TL012 noise from the fixtures themselves.
    let want: [(&str, &[&str]); 5] = [
        ("django-compose-pgbouncer", &["TL110"]),
        ("flask-mysql-compose", &["TL101"]),
        ("fastapi-k8s-terraform-rds", &["TL119"]),
        ("monorepo", &["TL101", "TL119"]),
        ("unlinkable", &["TL108"]),
    ];
    for (name, codes) in want {
        let (_, out) = run(&[
            "check",
            "--format",
            "gcc",
            "--fail-on",
            "info",
            &manifest(name),
        ]);
        let mut got: Vec<&str> = out
            .lines()
            .filter_map(|l| l.rsplit_once(" [").map(|(_, c)| c.trim_end_matches(']')))
            .collect();
        got.sort_unstable();
        assert_eq!(got, codes, "{name}:\n{out}");
    }
}

#[test]
fn no_password_in_any_output() {
    for (name, _) in FIXTURES {
        let m = manifest(name);
        for args in [
            vec!["check", "--fail-on", "info", "--color", "never", &m],
            vec!["check", "--format", "json", &m],
            vec!["check", "--format", "sarif", &m],
            vec!["check", "--format", "gcc", &m],
            vec!["chain", &m],
        ] {
            let (_, out) = run(&args);
            for pw in PASSWORDS {
                assert!(!out.contains(pw), "{name} {args:?} prints {pw}:\n{out}");
            }
        }
    }
}

/// Regular files under `dir`, relative, sorted.
fn files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.expect("readable fixture tree"))
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(dir)
                .expect("under the fixture")
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    v.sort();
    v
}

#[test]
fn repositories_hold_no_manifest_and_keep_their_ignored_decoys() {
    for (name, _) in FIXTURES {
        let all = files(&dir().join(name));
        assert!(all.len() >= 10, "{name} has only {} files", all.len());
        assert!(
            !all.iter().any(|f| f.ends_with("timeoutlint.toml")),
            "{name} holds a manifest: discovery must find its paths alone"
        );
    }
    // Git-ignored inside the fixture (its own .gitignore), so committed with
    // `git add -f`: a checkout must still hold them.
    let django = files(&dir().join("django-compose-pgbouncer"));
    for decoy in [
        ".venv/lib/python3.12/site-packages/django_starter_kit/settings.py",
        "node_modules/pg-dev-stack/docker-compose.yml",
    ] {
        assert!(django.iter().any(|f| f == decoy), "decoy {decoy} missing");
    }
    let gitignore = std::fs::read_to_string(dir().join("django-compose-pgbouncer/.gitignore"))
        .expect(".gitignore");
    for line in [".venv/", "node_modules/"] {
        assert!(gitignore.lines().any(|l| l == line), "{line} not ignored");
    }
}
