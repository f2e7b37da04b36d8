//! Discovery (`check DIR` without a manifest) and `timeoutlint init` on the
//! fixture repositories of `tests/fixtures/discover/` (README.md there says
//! what each is modelled on and what it must give).
//!
//! For each repository:
//! - the discovered paths (the human report's first lines) are snapshotted;
//! - the findings equal those of the hand-written manifest beside it
//!   (`<name>.expected.gcc`), apart from discovery's own TL017 notes;
//! - `init` writes a manifest, and a check with it gives the same findings
//!   as discovery did (again apart from TL017, which only discovery emits);
//! - `init` refuses to overwrite without `--force`.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

const REPOS: [&str; 5] = [
    "django-compose-pgbouncer",
    "flask-mysql-compose",
    "fastapi-k8s-terraform-rds",
    "monorepo",
    "unlinkable",
];

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/discover")
}

fn tl() -> Command {
    Command::cargo_bin("timeoutlint").unwrap()
}

/// Copies `from` into `to` (hidden files and ignored folders included:
/// discovery must skip them itself).
fn copy_tree(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from) {
        let e = e.unwrap();
        let dest = to.join(e.path().strip_prefix(from).unwrap());
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(e.path(), &dest).unwrap();
        }
    }
}

/// `check --format gcc --fail-on info NAME` run in `cwd`: (stdout lines, exit code).
fn gcc(cwd: &Path, name: &str) -> (Vec<String>, i32) {
    let out = tl()
        .args(["check", "--format", "gcc", "--fail-on", "info", name])
        .current_dir(cwd)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    (
        text.lines().map(str::to_string).collect(),
        out.status.code().unwrap_or(-1),
    )
}

fn without_tl017(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .filter(|l| !l.ends_with("[TL017]"))
        .cloned()
        .collect()
}

#[test]
fn discovery_finds_what_the_hand_written_manifest_describes() {
    for name in REPOS {
        let (found, _) = gcc(&fixtures(), name);
        let expected =
            std::fs::read_to_string(fixtures().join(format!("{name}.expected.gcc"))).unwrap();
        let expected: Vec<String> = expected.lines().map(str::to_string).collect();
        assert_eq!(without_tl017(&found), expected, "{name}");
        assert!(!found.is_empty(), "{name}: every repository has a finding");
    }
}

#[test]
fn discovered_paths_head_the_human_report() {
    for name in REPOS {
        let out = tl()
            .args(["check", "--color", "never", name])
            .current_dir(fixtures())
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        let header: String = text
            .split_inclusive('\n')
            .take_while(|l| l.trim() != "")
            .collect();
        insta::assert_snapshot!(format!("discover-header-{name}"), header);
    }
}

#[test]
fn only_the_unlinkable_repository_gets_tl017() {
    for name in REPOS {
        let (found, _) = gcc(&fixtures(), name);
        let notes = found.iter().filter(|l| l.ends_with("[TL017]")).count();
        assert_eq!(
            notes,
            usize::from(name == "unlinkable"),
            "{name}: {found:?}"
        );
    }
}

#[test]
fn init_writes_a_manifest_that_gives_the_same_findings() {
    for name in REPOS {
        let tmp = tempfile::tempdir().unwrap();
        copy_tree(&fixtures().join(name), &tmp.path().join(name));
        let (discovered, code) = gcc(tmp.path(), name);
        tl().args(["init", name])
            .current_dir(tmp.path())
            .assert()
            .code(0);
        let manifest = tmp.path().join(name).join("timeoutlint.toml");
        let text = std::fs::read_to_string(&manifest).unwrap();
        assert!(text.contains("[[path]]"), "{name}: {text}");
        insta::assert_snapshot!(format!("discover-init-{name}"), text);
        let (checked, code_after) = gcc(tmp.path(), name);
        assert_eq!(
            without_tl017(&checked),
            without_tl017(&discovered),
            "{name}: init's manifest gives other findings"
        );
        if name != "unlinkable" {
            assert_eq!(code, code_after, "{name}");
        }
        // The manifest wins over discovery: no discovered-paths header.
        let out = tl()
            .args(["check", "--color", "never", name])
            .current_dir(tmp.path())
            .output()
            .unwrap();
        assert!(
            !String::from_utf8(out.stdout)
                .unwrap()
                .contains("discovered")
        );
        // Never over an existing manifest without --force.
        tl().args(["init", name])
            .current_dir(tmp.path())
            .assert()
            .code(2)
            .stderr(predicates::str::contains("--force"));
        tl().args(["init", "--force", name])
            .current_dir(tmp.path())
            .assert()
            .code(0);
        assert_eq!(std::fs::read_to_string(&manifest).unwrap(), text);
    }
}

#[test]
fn passwords_never_appear_in_discovery_output() {
    let secrets = [
        "pg-fixture-pw-31",
        "s3cr3t-pw",
        "pg-monorepo-pw-9",
        "my-monorepo-pw-4",
    ];
    for name in REPOS {
        for format in ["human", "json", "sarif", "gcc"] {
            let out = tl()
                .args(["check", "--format", format, name])
                .current_dir(fixtures())
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&out.stdout);
            for s in secrets {
                assert!(!text.contains(s), "{name} {format}: {s}");
            }
        }
        let out = tl()
            .args(["init", "--stdout", name])
            .current_dir(fixtures())
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        for s in secrets {
            assert!(!text.contains(s), "{name} init: {s}");
        }
    }
}

#[test]
fn discovery_is_deterministic() {
    for name in REPOS {
        let a = tl()
            .args(["check", "--format", "json", name])
            .current_dir(fixtures())
            .output()
            .unwrap();
        let b = tl()
            .args(["check", "--format", "json", name])
            .current_dir(fixtures())
            .output()
            .unwrap();
        assert_eq!(a.stdout, b.stdout, "{name}");
    }
}
