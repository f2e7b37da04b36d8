//! Every one-value fix the tool offers, applied, clears its finding.
//!
//! For each example and fixture folder that `timeoutlint check` runs in
//! (a manifest, or discovery), every finding with a `fix` in `--format
//! json` is applied to a copy of the folder, and the copy is checked
//! again: the finding (same rule, file and line) must be gone, and no rule
//! may fire that did not before. Replacements and insertions (a keyword
//! added to `create_engine(...)`, a `SQLALCHEMY_ENGINE_OPTIONS` added after
//! `SQLALCHEMY_DATABASE_URI`) both.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::copy_dir;
use serde_json::Value;

fn check(dir: &Path) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_timeoutlint"))
        .current_dir(dir)
        .args(["check", "--format", "json", "."])
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or(Value::Null)
}

/// The folders checked: the examples, every fixture folder holding a
/// manifest, and the discovery and project fixtures.
fn folders() -> Vec<PathBuf> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = BTreeSet::new();
    for base in [
        "examples",
        "tests/fixtures/discover",
        "tests/fixtures/projects",
    ] {
        for e in std::fs::read_dir(repo.join(base)).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                out.insert(p);
            }
        }
    }
    for e in walkdir::WalkDir::new(repo.join("tests/fixtures")) {
        let e = e.unwrap();
        if e.file_name() == "timeoutlint.toml" {
            out.insert(e.path().parent().unwrap().to_path_buf());
        }
    }
    out.into_iter().collect()
}

/// The byte offset of 1-based `line` and character `column` in `text`.
fn offset(text: &str, line: u64, column: u64) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line as usize - 1)
        .map(str::len)
        .sum();
    let rest = &text[start..];
    rest.char_indices()
        .nth(column as usize - 1)
        .map_or(rest.len(), |(i, _)| i)
        + start
}

fn rules(v: &Value) -> BTreeSet<String> {
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn every_fix_applied_clears_its_finding_and_adds_none() {
    let (mut replaced, mut inserted) = (0, 0);
    for dir in folders() {
        let before = check(&dir);
        let Some(diags) = before["diagnostics"].as_array() else {
            continue;
        };
        for d in diags {
            let Some(fix) = d.get("fix") else { continue };
            let edit = &fix["edits"][0];
            let tmp = tempfile::tempdir().unwrap();
            let copy = tmp.path().join("w");
            copy_dir(&dir, &copy);
            let file = copy.join(edit["file"].as_str().unwrap());
            let text = std::fs::read_to_string(&file).unwrap();
            let a = offset(
                &text,
                edit["line"].as_u64().unwrap(),
                edit["column"].as_u64().unwrap(),
            );
            let b = offset(
                &text,
                edit["end_line"].as_u64().unwrap(),
                edit["end_column"].as_u64().unwrap(),
            );
            if a == b {
                inserted += 1;
            } else {
                replaced += 1;
            }
            let content = edit["content"].as_str().unwrap();
            std::fs::write(&file, format!("{}{content}{}", &text[..a], &text[b..])).unwrap();
            let after = check(&copy);
            let still = after["diagnostics"].as_array().unwrap().iter().any(|x| {
                x["rule"] == d["rule"] && x["file"] == d["file"] && x["line"] == d["line"]
            });
            let what = format!("{}: {} {}", dir.display(), d["rule"], fix["message"]);
            assert!(!still, "{what}: still reported after the fix\n{after:#}");
            let new: Vec<String> = rules(&after).difference(&rules(&before)).cloned().collect();
            assert!(new.is_empty(), "{what}: the fix brings {new:?}");
        }
    }
    eprintln!("fixes applied: {replaced} replacements, {inserted} insertions");
    // The examples and fixtures hold both kinds (a folder whose fix went
    // missing would otherwise pass unseen).
    assert!(replaced >= 20, "{replaced} replacements");
    assert!(inserted >= 5, "{inserted} insertions");
}
