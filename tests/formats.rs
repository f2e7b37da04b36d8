//! Every output format on the same inputs: every fixture folder under
//! `tests/fixtures/rules/`, plus hand-made diagnostics for the edge cases
//! (no location, escaping, multi-byte text, more than ten of a kind).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use timeoutlint::diagnostic::{Diagnostic, Label, Severity};
use timeoutlint::report::{
    RunError, checkstyle, concise, gcc, github, human, json, junit, rdjson, sarif, summary,
};
use timeoutlint::rules::catalogue::{self, RuleDoc};
use timeoutlint::rules::codes;
use timeoutlint::run::{Outcome, RunOptions, run};
use timeoutlint::source::{Location, SourceMap, Span};

type Render = fn(&[Diagnostic], &SourceMap, &[RuleDoc]) -> String;

/// Every format, with the uniform signature (gcc and json take no docs),
/// on a run with no failure.
const FORMATS: &[(&str, Render)] = &[
    ("concise", |d, s, docs| concise::render(d, &[], s, docs)),
    ("gcc", |d, s, _| gcc::render(d, &[], s)),
    ("json", |d, s, _| json::render(d, &[], s)),
    ("sarif", |d, s, docs| sarif::render(d, &[], s, docs)),
    ("github", |d, s, docs| github::render(d, &[], s, docs)),
    ("junit", |d, s, docs| junit::render(d, &[], s, docs)),
    ("checkstyle", |d, s, docs| {
        checkstyle::render(d, &[], s, docs)
    }),
    ("rdjson", |d, s, docs| rdjson::render(d, &[], s, docs)),
];

fn docs() -> Vec<RuleDoc> {
    catalogue::load().expect("catalogue loads")
}

fn fixture_dirs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("fixtures folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert!(
        dirs.len() > 20,
        "fixtures not found under {}",
        root.display()
    );
    dirs
}

/// A run of the project in `dir` with `--root dir`: names are relative to
/// it, so a copy elsewhere gives the same names (and SARIF fingerprints).
fn check(dir: &Path) -> Outcome {
    let opts = RunOptions {
        root: Some(dir.to_path_buf()),
        ..RunOptions::default()
    };
    run(&[dir.to_path_buf()], &opts)
}

/// Every fixture's outcome, with its folder name.
fn outcomes() -> Vec<(String, Outcome)> {
    fixture_dirs()
        .iter()
        .map(|d| {
            let name = d.file_name().unwrap().to_string_lossy().into_owned();
            (name, check(d))
        })
        .collect()
}

/// Hand-made findings: a file name and messages that need escaping, a
/// multi-byte character before a span, a finding on a command-line flag only,
/// one whose primary has no file but a related label does, and a code
/// whose docs may be missing from the catalogue.
fn synthetic() -> (Vec<Diagnostic>, SourceMap) {
    let mut sources = SourceMap::new(None);
    let text = "# café, naïve\npool_recycle: 7200   # <&'\">\n".to_string();
    let a = sources.add(Path::new("dir, x/a:b%.yaml"), text.clone());
    let cnf = sources.add(
        Path::new("db/my.cnf"),
        "[mysqld]\nwait_timeout = 600\n".into(),
    );
    let value = text.find("7200").unwrap();
    let cafe = text.find("naïve").unwrap();
    let at = |f, s: usize, e: usize| Location::new(f, Span::new(s, e));
    let diags = vec![
        Diagnostic::new(
            codes::SYNTAX_ERROR,
            "a flag only: --hop \"nat=350s\"",
            Label::maybe(None, "--hop"),
        ),
        Diagnostic::new(
            codes::MANIFEST_ERROR,
            "primary without a file, related with one",
            Label::maybe(None, "--hop nat=350s"),
        )
        .with_related(Label::at(at(cnf, 9, 21), "wait_timeout = 600 s")),
        Diagnostic::new(
            codes::SYSCTL_TRAILING_TEXT,
            "after é: 100% <wrong> & \"quoted\", 'single'\nsecond line\rCR",
            Label::at(at(a, cafe, cafe + "naïve".len()), "naïve"),
        )
        .with_severity(Severity::Info),
        Diagnostic::new(
            codes::BARE_TIMEOUT_IN_MILLISECONDS,
            "pool_recycle = 7200 s is not below wait_timeout = 600 s",
            Label::at(at(a, value, value + 4), "pool_recycle = 7200 s"),
        )
        .with_related(Label::at(at(cnf, 9, 27), "wait_timeout = 600 s"))
        .with_related(Label::maybe(None, "--hop nat=350s"))
        .with_help("set pool_recycle below 600 s, e.g. 540"),
        Diagnostic::new(
            codes::UNUSED_SUPPRESSION,
            "code perhaps without docs",
            Label::at(at(cnf, 0, 8), "here"),
        ),
    ];
    (diags, sources)
}

/// Every input set the structural tests cover: the fixtures, then the
/// synthetic set.
fn all_inputs() -> Vec<(String, Vec<Diagnostic>, SourceMap)> {
    let mut v: Vec<_> = outcomes()
        .into_iter()
        .map(|(n, o)| (n, o.diagnostics, o.sources))
        .collect();
    let (d, s) = synthetic();
    v.push(("synthetic".into(), d, s));
    v
}

fn located(d: &Diagnostic) -> Option<Location> {
    d.primary
        .location
        .or_else(|| d.related.iter().find_map(|l| l.location))
}

// ---------------------------------------------------------------- line formats

fn is_position(s: &str) -> bool {
    // `file:line:col` (the file may itself contain `:`).
    let mut parts = s.rsplitn(3, ':');
    let col = parts.next().unwrap_or("");
    let line = parts.next().unwrap_or("");
    let file = parts.next().unwrap_or("");
    !file.is_empty()
        && !line.is_empty()
        && !col.is_empty()
        && line.bytes().all(|b| b.is_ascii_digit())
        && col.bytes().all(|b| b.is_ascii_digit())
}

#[test]
fn concise_lines_are_file_line_col_code_message_then_summary() {
    for (name, diags, sources) in all_inputs() {
        let out = concise::render(&diags, &[], &sources, &docs());
        let mut lines: Vec<&str> = out.lines().collect();
        // `N fixable with --fix` after the summary, when any has a fix.
        let fixable = diags.iter().filter(|d| d.fix.is_some()).count();
        if fixable > 0 {
            assert_eq!(
                lines.pop(),
                Some(format!("{fixable} fixable with --fix").as_str())
            );
        }
        assert_eq!(lines.len(), diags.len() + 1, "{name}:\n{out}");
        assert_eq!(lines.last().copied(), Some(summary(&diags).as_str()));
        for (line, d) in lines.iter().zip(&diags) {
            let marker = format!(": {} ", d.code.id);
            let (head, message) = line.split_once(&marker).expect(line);
            assert!(!message.is_empty(), "{line}");
            match d.primary.location {
                Some(_) => assert!(is_position(head), "{name}: {line}"),
                None => assert_eq!(head, "timeoutlint", "{line}"),
            }
            for word in ["error", "warning", "note"] {
                assert!(!line.contains(&format!(": {word}: ")), "{line}");
            }
        }
    }
}

#[test]
fn gcc_lines_match_the_gcc_problem_matcher() {
    for (name, diags, sources) in all_inputs() {
        let out = gcc::render(&diags, &[], &sources);
        assert_eq!(out.lines().count(), diags.len(), "{name}");
        for (line, d) in out.lines().zip(&diags) {
            assert!(line.ends_with(&format!(" [{}]", d.code.id)), "{line}");
            let word = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "note",
            };
            let (head, _) = line.split_once(&format!(": {word}: ")).expect(line);
            if d.primary.location.is_some() {
                assert!(is_position(head), "{name}: {line}");
            }
        }
    }
}

// ---------------------------------------------------------------- JSON formats

fn parse(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("{e}:\n{s}"))
}

#[test]
fn json_formats_parse() {
    for (name, diags, sources) in all_inputs() {
        for format in ["json", "sarif", "rdjson"] {
            let render = FORMATS.iter().find(|f| f.0 == format).unwrap().1;
            let v = parse(&render(&diags, &sources, &docs()));
            assert!(v.is_object(), "{name} {format}");
        }
        let v = parse(&json::render(&diags, &[], &sources));
        assert_eq!(v["diagnostics"].as_array().unwrap().len(), diags.len());
    }
}

#[test]
fn rdjson_structure_and_byte_columns() {
    for (name, diags, sources) in all_inputs() {
        let v = parse(&rdjson::render(&diags, &[], &sources, &docs()));
        assert_eq!(v["source"]["name"], "timeoutlint");
        assert!(v["source"]["url"].as_str().unwrap().starts_with("https://"));
        let list = v["diagnostics"].as_array().unwrap();
        assert_eq!(list.len(), diags.len(), "{name}");
        for (r, d) in list.iter().zip(&diags) {
            assert_eq!(r["code"]["value"], d.code.id);
            assert!(r["code"]["url"].as_str().unwrap().contains(d.code.id));
            let sev = r["severity"].as_str().unwrap();
            assert!(["ERROR", "WARNING", "INFO"].contains(&sev), "{sev}");
            assert!(r["message"].as_str().unwrap().starts_with(&d.message));
            let Some(loc) = d.primary.location else {
                assert!(r.get("location").is_none());
                continue;
            };
            let l = &r["location"];
            let file = sources.get(loc.file);
            assert_eq!(l["path"], file.name());
            // The start column is a 1-based UTF-8 byte column: the line's
            // bytes from there on begin with the span's text.
            let line = l["range"]["start"]["line"].as_u64().unwrap() as usize;
            let column = l["range"]["start"]["column"].as_u64().unwrap() as usize;
            let line_text = file.text().split('\n').nth(line - 1).unwrap();
            let covered = sources.text_at(loc).split('\n').next().unwrap();
            assert!(
                line_text.as_bytes()[column - 1..].starts_with(covered.as_bytes()),
                "{name}: {line}:{column} {covered:?} in {line_text:?}"
            );
            for key in ["start", "end"] {
                for part in ["line", "column"] {
                    assert!(l["range"][key][part].as_u64().unwrap() >= 1);
                }
            }
        }
    }
}

#[test]
fn rdjson_columns_count_bytes_where_others_count_characters() {
    let (diags, sources) = synthetic();
    let d = diags
        .iter()
        .find(|d| d.code.id == codes::SYSCTL_TRAILING_TEXT.id)
        .unwrap();
    let rd = parse(&rdjson::render(
        std::slice::from_ref(d),
        &[],
        &sources,
        &docs(),
    ));
    let sarif = parse(&sarif::render(
        std::slice::from_ref(d),
        &[],
        &sources,
        &docs(),
    ));
    // `# café, ` is 8 characters, 9 bytes; `naïve` is 5 characters, 6 bytes.
    let range = &rd["diagnostics"][0]["location"]["range"];
    assert_eq!(range["start"]["column"], 10);
    assert_eq!(range["end"]["column"], 16);
    let region = &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startColumn"], 9);
    assert_eq!(region["endColumn"], 14);
}

// ---------------------------------------------------------------- SARIF

/// The vendored OASIS schema, with the one `pattern` that does not compile
/// removed. The original 2.1.0 schema's `run.language` pattern has a stray
/// `]` (CRATES.md section 5); the errata 01 file vendored here has it fixed,
/// so this strips nothing today but keeps the test working if the file is
/// swapped for the original.
fn sarif_validator() -> jsonschema::Validator {
    const BAD: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
    fn strip(v: &mut Value) {
        match v {
            Value::Object(map) => {
                if map.get("pattern").and_then(Value::as_str) == Some(BAD) {
                    map.remove("pattern");
                }
                map.values_mut().for_each(strip);
            }
            Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut schema: Value = serde_json::from_str(include_str!("fixtures/sarif-schema-2.1.0.json"))
        .expect("schema is JSON");
    strip(&mut schema);
    assert!(!schema.to_string().contains(BAD));
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("schema compiles")
}

fn schema_errors(validator: &jsonschema::Validator, v: &Value) -> Vec<String> {
    validator
        .iter_errors(v)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

#[test]
fn sarif_is_valid_against_the_vendored_schema() {
    let validator = sarif_validator();
    for (name, diags, sources) in all_inputs() {
        let v = parse(&sarif::render(&diags, &[], &sources, &docs()));
        let errors = schema_errors(&validator, &v);
        assert!(errors.is_empty(), "{name}: {errors:#?}");
    }
    // Fixes are among what was validated.
    let with_fixes = all_inputs()
        .iter()
        .flat_map(|(_, diags, _)| diags.iter())
        .filter(|d| d.fix.is_some())
        .count();
    assert!(with_fixes > 0, "no input has a finding with a fix");
    // And the validator does reject a bad level.
    let (diags, sources) = synthetic();
    let mut v = parse(&sarif::render(&diags, &[], &sources, &docs()));
    v["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!schema_errors(&validator, &v).is_empty());
}

#[test]
fn sarif_has_what_github_requires() {
    let docs = docs();
    for (name, diags, sources) in all_inputs() {
        let v = parse(&sarif::render(&diags, &[], &sources, &docs));
        assert_eq!(v["version"], "2.1.0");
        assert!(v["$schema"].as_str().unwrap().starts_with("https://"));
        let runs = v["runs"].as_array().unwrap();
        assert_eq!(runs.len(), 1);
        let run = &runs[0];
        assert_eq!(run["columnKind"], "unicodeCodePoints");
        let driver = &run["tool"]["driver"];
        assert_eq!(driver["name"], "timeoutlint");
        assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
        assert!(driver["informationUri"].as_str().is_some());
        let rules = driver["rules"].as_array().unwrap();
        assert!(rules.len() >= docs.len());
        for (rule, doc) in rules.iter().zip(&docs) {
            assert_eq!(rule["id"], doc.id.as_str());
            assert_eq!(rule["name"], doc.name.as_str());
        }
        for rule in rules {
            for key in ["shortDescription", "fullDescription"] {
                let text = rule[key]["text"].as_str().unwrap();
                assert!(!text.is_empty() && text.chars().count() <= 1024, "{text}");
            }
            assert!(!rule["help"]["text"].as_str().unwrap().is_empty());
            assert!(!rule["help"]["markdown"].as_str().unwrap().is_empty());
            let level = rule["defaultConfiguration"]["level"].as_str().unwrap();
            assert!(["error", "warning", "note"].contains(&level));
            assert!(!rule["properties"]["tags"].as_array().unwrap().is_empty());
        }

        // One result per diagnostic that has a location somewhere, in order.
        let results = run["results"].as_array().unwrap();
        let kept: Vec<&Diagnostic> = diags.iter().filter(|d| located(d).is_some()).collect();
        assert_eq!(results.len(), kept.len(), "{name}");
        for (r, d) in results.iter().zip(&kept) {
            assert_eq!(r["ruleId"], d.code.id);
            let index = r["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[index]["id"], d.code.id);
            let level = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "note",
            };
            assert_eq!(r["level"], level);
            let text = r["message"]["text"].as_str().unwrap();
            assert!(text.starts_with(&d.message));
            if let Some(help) = &d.help {
                assert!(text.contains(help.as_str()));
            }
            let locations = r["locations"].as_array().unwrap();
            assert_eq!(locations.len(), 1);
            let phys = &locations[0]["physicalLocation"];
            let resolved = sources.resolve(located(d).unwrap());
            assert_eq!(phys["artifactLocation"]["uriBaseId"], "%SRCROOT%");
            let uri = phys["artifactLocation"]["uri"].as_str().unwrap();
            assert!(!uri.contains(' ') && !uri.starts_with('/'), "{uri}");
            assert_eq!(phys["region"]["startLine"], resolved.start.line);
            assert_eq!(phys["region"]["startColumn"], resolved.start.column);
            assert_eq!(phys["region"]["endLine"], resolved.end.line);
            assert_eq!(phys["region"]["endColumn"], resolved.end.column);
            let related = r
                .get("relatedLocations")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            assert_eq!(related.len(), d.related.len());
            for (i, (rel, label)) in related.iter().zip(&d.related).enumerate() {
                assert_eq!(rel["id"], i + 1);
                assert_eq!(rel["message"]["text"], label.message.as_str());
                assert_eq!(
                    rel.get("physicalLocation").is_some(),
                    label.location.is_some()
                );
            }
            let hash = r["partialFingerprints"]["primaryLocationLineHash"]
                .as_str()
                .unwrap();
            let (hex, n) = hash.split_once(':').unwrap();
            assert!(hex.len() == 16 && hex.bytes().all(|b| b.is_ascii_hexdigit()));
            assert!(n.parse::<usize>().unwrap() >= 1);
        }
        // The others are notes of the invocation.
        let skipped = diags.len() - kept.len();
        let notes = run["invocations"][0]["toolExecutionNotifications"]
            .as_array()
            .map_or(0, Vec::len);
        assert_eq!(notes, skipped, "{name}");
        assert_eq!(run["invocations"][0]["executionSuccessful"], true);
    }
}

#[test]
fn sarif_falls_back_to_a_related_location_or_notes_the_finding() {
    let (diags, sources) = synthetic();
    let v = parse(&sarif::render(&diags, &[], &sources, &docs()));
    let run = &v["runs"][0];
    let notes = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0]["associatedRule"]["id"], "TL001");
    assert!(
        notes[0]["message"]["text"]
            .as_str()
            .unwrap()
            .contains("a flag only")
    );
    let fallback = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "TL004")
        .expect("TL004 kept");
    let phys = &fallback["locations"][0]["physicalLocation"];
    assert_eq!(phys["artifactLocation"]["uri"], "db/my.cnf");
    assert_eq!(phys["region"]["startLine"], 2);
    // Special characters in the path are percent-encoded.
    let uris: Vec<&str> = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert!(uris.contains(&"dir%2C%20x/a%3Ab%25.yaml"), "{uris:?}");
}

#[test]
fn sarif_rules_cover_codes_missing_from_the_docs() {
    let (diags, sources) = synthetic();
    // With no docs at all, every used code still gets a complete descriptor.
    let v = parse(&sarif::render(&diags, &[], &sources, &[]));
    let rules = v["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    let mut ids: Vec<&str> = diags.iter().map(|d| d.code.id).collect();
    ids.sort();
    ids.dedup();
    let got: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(got, ids);
    let errors = schema_errors(&sarif_validator(), &v);
    assert!(errors.is_empty(), "{errors:#?}");
}

fn copy_tree(from: &Path, to: &Path, prefix: &str) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target, prefix);
        } else {
            let bytes = std::fs::read(entry.path()).unwrap();
            let mut out = prefix.as_bytes().to_vec();
            out.extend(bytes);
            std::fs::write(target, out).unwrap();
        }
    }
}

fn fingerprints_and_lines(sarif: &str) -> Vec<(String, String, u64)> {
    let v = parse(sarif);
    v["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["ruleId"].as_str().unwrap().to_string(),
                r["partialFingerprints"]["primaryLocationLineHash"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                r["locations"][0]["physicalLocation"]["region"]["startLine"]
                    .as_u64()
                    .unwrap(),
            )
        })
        .collect()
}

#[test]
fn sarif_fingerprints_survive_lines_moving() {
    let docs = docs();
    let tmp = tempfile::tempdir().unwrap();
    let mut compared = 0;
    for dir in fixture_dirs() {
        let before = check(&dir);
        if before.diagnostics.is_empty() {
            continue;
        }
        let moved = tmp.path().join(dir.file_name().unwrap());
        copy_tree(&dir, &moved, "\n");
        let after = check(&moved);
        let ids = |o: &Outcome| o.diagnostics.iter().map(|d| d.code.id).collect::<Vec<_>>();
        let a = fingerprints_and_lines(&sarif::render(
            &before.diagnostics,
            &[],
            &before.sources,
            &docs,
        ));
        let b = fingerprints_and_lines(&sarif::render(
            &after.diagnostics,
            &[],
            &after.sources,
            &docs,
        ));
        assert_eq!(ids(&before), ids(&after), "{}", dir.display());
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x.0, y.0);
            assert_eq!(x.1, y.1, "{}: fingerprint changed", dir.display());
            assert_eq!(x.2 + 1, y.2, "{}: the line did move", dir.display());
        }
        compared += a.len();
    }
    assert!(compared > 20, "only {compared} results compared");
}

#[test]
fn sarif_fingerprints_count_occurrences_of_identical_lines() {
    // Three findings of one rule on three identical lines: one hash base,
    // told apart by the occurrence suffix.
    let (diags, sources) = many(3, 0, 0);
    let v = fingerprints_and_lines(&sarif::render(&diags, &[], &sources, &docs()));
    let bases: Vec<&str> = v.iter().map(|x| x.1.split_once(':').unwrap().0).collect();
    assert!(bases.iter().all(|b| *b == bases[0]));
    let suffixes: Vec<&str> = v.iter().map(|x| x.1.split_once(':').unwrap().1).collect();
    assert_eq!(suffixes, ["1", "2", "3"]);
}

#[test]
fn sarif_fingerprints_are_unique_within_each_fixture() {
    let docs = docs();
    let mut all = Vec::new();
    for (_, o) in outcomes() {
        let v = fingerprints_and_lines(&sarif::render(&o.diagnostics, &[], &o.sources, &docs));
        let mut hashes: Vec<&String> = v.iter().map(|x| &x.1).collect();
        let n = hashes.len();
        hashes.sort();
        hashes.dedup();
        assert_eq!(hashes.len(), n, "{v:?}");
        all.extend(v);
    }
    assert!(!all.is_empty());
}

// ---------------------------------------------------------------- GitHub

#[test]
fn github_escaping_table() {
    for (input, property, data) in [
        ("plain text", "plain text", "plain text"),
        ("100%", "100%25", "100%25"),
        ("a\rb", "a%0Db", "a%0Db"),
        ("a\nb", "a%0Ab", "a%0Ab"),
        ("a:b", "a%3Ab", "a:b"),
        ("a,b", "a%2Cb", "a,b"),
        ("%0A", "%250A", "%250A"),
        ("x: 1,\r\n%", "x%3A 1%2C%0D%0A%25", "x: 1,%0D%0A%25"),
    ] {
        assert_eq!(github::escape_property(input), property, "{input:?}");
        assert_eq!(github::escape_data(input), data, "{input:?}");
    }
}

#[test]
fn github_lines_are_workflow_commands() {
    for (name, diags, sources) in all_inputs() {
        let out = github::render(&diags, &[], &sources, &docs());
        assert_eq!(out.lines().count(), diags.len(), "{name}");
        for (line, d) in out.lines().zip(&diags) {
            let kind = match d.severity {
                Severity::Error => "::error ",
                Severity::Warning => "::warning ",
                Severity::Info => "::notice ",
            };
            assert!(line.starts_with(kind), "{line}");
            let (props, message) = line[kind.len()..].split_once("::").expect(line);
            assert!(!message.contains(['\n', '\r']));
            let keys: Vec<&str> = props
                .split(',')
                .map(|p| p.split_once('=').expect(p).0)
                .collect();
            if d.primary.location.is_some() {
                assert_eq!(
                    keys,
                    ["file", "line", "col", "endLine", "endColumn", "title"],
                    "{line}"
                );
            } else {
                assert_eq!(keys, ["title"], "{line}");
            }
            assert!(props.ends_with(&format!("title={} {}", d.code.id, d.code.name)));
        }
    }
    let (diags, sources) = synthetic();
    let out = github::render(&diags, &[], &sources, &docs());
    assert!(out.contains(
        "::notice file=dir%2C x/a%3Ab%25.yaml,line=1,col=9,endLine=1,endColumn=14,title=TL005 sysctl-trailing-text-after-value::after é: 100%25 <wrong> & \"quoted\", 'single'%0Asecond line%0DCR\n"
    ), "{out}");
    assert!(out.contains("::warning file=dir%2C x/a%3Ab%25.yaml,line=2,col=15,endLine=2,endColumn=19,title=TL007 bare-number-timeout-in-milliseconds::pool_recycle = 7200 s is not below wait_timeout = 600 s%0Ahelp: set pool_recycle below 600 s, e.g. 540\n"), "{out}");
    assert!(
        out.contains("::error title=TL001 config-syntax-error::a flag only: --hop \"nat=350s\"\n")
    );
}

fn many(errors: usize, warnings: usize, infos: usize) -> (Vec<Diagnostic>, SourceMap) {
    let mut sources = SourceMap::new(None);
    let text = "x = 1\n".repeat(errors + warnings + infos);
    let f = sources.add(Path::new("many.cnf"), text);
    let mut diags = Vec::new();
    let sevs = std::iter::repeat_n(Severity::Error, errors)
        .chain(std::iter::repeat_n(Severity::Warning, warnings))
        .chain(std::iter::repeat_n(Severity::Info, infos));
    for (i, sev) in sevs.enumerate() {
        diags.push(
            Diagnostic::new(
                codes::INVALID_VALUE,
                format!("finding {i}"),
                Label::at(Location::new(f, Span::new(i * 6, i * 6 + 5)), "x"),
            )
            .with_severity(sev),
        );
    }
    (diags, sources)
}

fn count(out: &str, prefix: &str) -> usize {
    out.lines().filter(|l| l.starts_with(prefix)).count()
}

#[test]
fn github_notes_what_exceeds_ten_per_kind() {
    // At the limit: everything shown, no note.
    let (diags, sources) = many(10, 10, 10);
    let out = github::render(&diags, &[], &sources, &[]);
    assert_eq!(out.lines().count(), 30);
    assert!(!out.contains("::notice::"));

    // Over it: ten errors and warnings, nine notices plus the note (which is
    // a notice itself and must stay within GitHub's ten).
    let (diags, sources) = many(12, 3, 11);
    let out = github::render(&diags, &[], &sources, &[]);
    assert_eq!(count(&out, "::error "), 10);
    assert_eq!(count(&out, "::warning "), 3);
    assert_eq!(count(&out, "::notice "), 9);
    let last = out.lines().last().unwrap();
    assert!(last.starts_with("::notice::"), "{last}");
    assert!(
        last.contains("4 findings not shown as annotations (2 errors, 2 notes)"),
        "{last}"
    );
    assert!(last.contains("sarif"), "{last}");
    assert_eq!(count(&out, "::notice"), 10);

    let (diags, sources) = many(0, 11, 0);
    let out = github::render(&diags, &[], &sources, &[]);
    assert_eq!(count(&out, "::warning "), 10);
    assert!(out.ends_with("(1 warning): GitHub shows at most 10 errors, 10 warnings and 10 notices per step. Use --format sarif (code scanning) to see every finding.\n"), "{out}");
}

// ---------------------------------------------------------------- XML formats

/// Parses `xml` fully (quick-xml checks that end tags match and attributes
/// are well-formed); returns every element as (name, attributes) in order.
fn xml_elements(xml: &str) -> Vec<(String, Vec<(String, String)>)> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut depth = 0usize;
    let mut out = Vec::new();
    let mut roots = 0;
    loop {
        let event = reader
            .read_event()
            .unwrap_or_else(|e| panic!("{e} at {}:\n{xml}", reader.buffer_position()));
        let element = match &event {
            Event::Start(e) | Event::Empty(e) => Some(e.clone()),
            _ => None,
        };
        if let Some(e) = element {
            if depth == 0 {
                roots += 1;
            }
            let name = e.name().0.to_string();
            let attrs = e
                .attributes()
                .map(|a| {
                    let a = a.unwrap_or_else(|err| panic!("{err}:\n{xml}"));
                    let key = a.key.0.to_string();
                    let value = a
                        .normalized_value(quick_xml::XmlVersion::Explicit1_0)
                        .unwrap_or_else(|err| panic!("{err}:\n{xml}"))
                        .into_owned();
                    (key, value)
                })
                .collect();
            out.push((name, attrs));
        }
        match event {
            Event::Start(_) => depth += 1,
            Event::End(_) => depth -= 1,
            Event::GeneralRef(r) => {
                let name = r.into_inner().into_owned();
                assert!(
                    ["amp", "lt", "gt", "quot", "apos"].contains(&name.as_str())
                        || name.starts_with('#'),
                    "&{name};"
                );
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(depth, 0, "unclosed elements:\n{xml}");
    assert_eq!(roots, 1, "one root element:\n{xml}");
    out
}

fn attr<'a>(attrs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    attrs.iter().find(|a| a.0 == key).map(|a| a.1.as_str())
}

#[test]
fn junit_is_well_formed_with_one_testcase_per_finding() {
    for (name, diags, sources) in all_inputs() {
        let out = junit::render(&diags, &[], &sources, &docs());
        assert!(out.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"));
        let elements = xml_elements(&out);
        let (root, attrs) = &elements[0];
        assert_eq!(root, "testsuites");
        assert_eq!(attr(attrs, "name"), Some("timeoutlint"));
        let n = diags.len().to_string();
        assert_eq!(attr(attrs, "tests"), Some(n.as_str()), "{name}");
        assert_eq!(attr(attrs, "failures"), Some(n.as_str()));
        let cases: Vec<_> = elements.iter().filter(|e| e.0 == "testcase").collect();
        let failures: Vec<_> = elements.iter().filter(|e| e.0 == "failure").collect();
        assert_eq!(cases.len(), diags.len(), "{name}");
        assert_eq!(failures.len(), diags.len());
        // Suites: one per file, their counts add up.
        let suites: Vec<_> = elements.iter().filter(|e| e.0 == "testsuite").collect();
        let mut files: Vec<String> = diags
            .iter()
            .map(|d| {
                d.primary
                    .location
                    .map_or("timeoutlint".into(), |l| sources.resolve(l).file)
            })
            .collect();
        files.sort();
        files.dedup();
        assert_eq!(suites.len(), files.len());
        let total: usize = suites
            .iter()
            .map(|s| attr(&s.1, "tests").unwrap().parse::<usize>().unwrap())
            .sum();
        assert_eq!(total, diags.len());
        // Every finding's message survives the escaping.
        for d in &diags {
            assert!(
                failures
                    .iter()
                    .any(|f| attr(&f.1, "message") == Some(d.message.as_str())),
                "{name}: {:?} not found",
                d.message
            );
            assert!(cases.iter().any(|c| attr(&c.1, "name") == Some(d.code.id)));
        }
    }
}

#[test]
fn checkstyle_is_well_formed_with_one_error_per_finding() {
    for (name, diags, sources) in all_inputs() {
        let out = checkstyle::render(&diags, &[], &sources, &docs());
        assert!(
            out.starts_with("<?xml version='1.0' encoding='UTF-8'?>\n<checkstyle version='4.3'>")
        );
        let elements = xml_elements(&out);
        assert_eq!(elements[0].0, "checkstyle");
        let errors: Vec<_> = elements.iter().filter(|e| e.0 == "error").collect();
        assert_eq!(errors.len(), diags.len(), "{name}");
        for d in &diags {
            let source = format!("timeoutlint.{}", d.code.id);
            let found = errors.iter().any(|e| {
                attr(&e.1, "source") == Some(source.as_str())
                    && attr(&e.1, "severity") == Some(d.severity.as_str())
                    && attr(&e.1, "message").is_some_and(|m| m.starts_with(&d.message))
                    && match d.primary.location {
                        Some(l) => {
                            let r = sources.resolve(l);
                            attr(&e.1, "line") == Some(r.start.line.to_string().as_str())
                                && attr(&e.1, "column") == Some(r.start.column.to_string().as_str())
                        }
                        None => attr(&e.1, "line").is_none(),
                    }
            });
            assert!(found, "{name}: {d:?}\n{out}");
        }
    }
}

// ---------------------------------------------------------------- everything

#[test]
fn every_format_is_deterministic() {
    let docs = docs();
    for dir in fixture_dirs() {
        let a = check(&dir);
        let b = check(&dir);
        for (format, render) in FORMATS {
            assert_eq!(
                render(&a.diagnostics, &a.sources, &docs),
                render(&b.diagnostics, &b.sources, &docs),
                "{format} on {}",
                dir.display()
            );
        }
    }
    let (d, s) = synthetic();
    for (format, render) in FORMATS {
        assert_eq!(render(&d, &s, &docs), render(&d, &s, &docs), "{format}");
    }
}

#[test]
fn every_format_handles_no_findings() {
    let sources = SourceMap::new(None);
    for (format, render) in FORMATS {
        let out = render(&[], &sources, &docs());
        match *format {
            "concise" => assert_eq!(out, "no problems found\n"),
            "gcc" | "github" => assert_eq!(out, ""),
            "junit" | "checkstyle" => {
                xml_elements(&out);
            }
            _ => {
                parse(&out);
            }
        }
    }
    let v = parse(&sarif::render(&[], &[], &sources, &docs()));
    assert_eq!(v["runs"][0]["results"].as_array().unwrap().len(), 0);
    assert!(schema_errors(&sarif_validator(), &v).is_empty());
}

// ---------------------------------------------------------------- failed runs

/// Two failures: one with no file, one whose file name and message need
/// escaping in every format.
fn failures() -> Vec<RunError> {
    vec![
        RunError::new("timeoutlint.toml:2: cannot read missing.yaml: no such file or directory"),
        RunError {
            message: "cannot read 100%, <a:b>\n::error::x".into(),
            file: Some("dir, x/a:b%.yaml".into()),
        },
    ]
}

#[test]
fn sarif_of_a_failed_run_is_valid_and_not_successful() {
    let validator = sarif_validator();
    let (diags, sources) = synthetic();
    for diags in [&diags[..], &[]] {
        let v = parse(&sarif::render(diags, &failures(), &sources, &docs()));
        let errors = schema_errors(&validator, &v);
        assert!(errors.is_empty(), "{errors:#?}");
        let invocation = &v["runs"][0]["invocations"][0];
        assert_eq!(invocation["executionSuccessful"], false);
        let notes: Vec<&Value> = invocation["toolExecutionNotifications"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["level"] == "error")
            .collect();
        assert_eq!(notes.len(), 2, "{invocation:#}");
        assert_eq!(notes[0]["message"]["text"], failures()[0].message);
        assert!(notes[0].get("locations").is_none());
        assert_eq!(notes[1]["message"]["text"], failures()[1].message);
        let artifact = &notes[1]["locations"][0]["physicalLocation"]["artifactLocation"];
        assert_eq!(artifact["uri"], "dir%2C%20x/a%3Ab%25.yaml");
        assert_eq!(artifact["uriBaseId"], "%SRCROOT%");
    }
    let v = parse(&sarif::render(&diags, &[], &sources, &docs()));
    assert_eq!(v["runs"][0]["invocations"][0]["executionSuccessful"], true);
}

#[test]
fn github_writes_one_escaped_error_per_failure_first() {
    let (diags, sources) = synthetic();
    let out = github::render(&diags, &failures(), &sources, &docs());
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), diags.len() + 2, "{out}");
    assert_eq!(
        lines[0],
        "::error::timeoutlint.toml:2: cannot read missing.yaml: no such file or directory"
    );
    assert_eq!(
        lines[1],
        "::error file=dir%2C x/a%3Ab%25.yaml,title=timeoutlint::cannot read 100%25, <a:b>%0A::error::x"
    );
    // Failures count towards GitHub's ten errors per step.
    let (diags, sources) = many(10, 0, 0);
    let out = github::render(&diags, &failures(), &sources, &[]);
    assert_eq!(count(&out, "::error"), 10, "{out}");
    assert!(out.ends_with("(2 errors): GitHub shows at most 10 errors, 10 warnings and 10 notices per step. Use --format sarif (code scanning) to see every finding.\n"), "{out}");
}

#[test]
fn github_escapes_terminal_escapes_too() {
    assert_eq!(github::escape_data("a\u{1b}[2J\tb"), "a\\x1b[2J\tb");
    assert_eq!(github::escape_property("x\u{9b}y"), "x\\u{9b}y");
}

#[test]
fn xml_formats_of_a_failed_run_are_well_formed() {
    let (diags, sources) = synthetic();
    let out = junit::render(&diags, &failures(), &sources, &docs());
    let elements = xml_elements(&out);
    let total = (diags.len() + 2).to_string();
    let n = diags.len().to_string();
    assert_eq!(attr(&elements[0].1, "tests"), Some(total.as_str()), "{out}");
    assert_eq!(attr(&elements[0].1, "failures"), Some(n.as_str()));
    assert_eq!(attr(&elements[0].1, "errors"), Some("2"));
    let errors: Vec<_> = elements.iter().filter(|e| e.0 == "error").collect();
    assert_eq!(errors.len(), 2, "{out}");
    for (e, f) in errors.iter().zip(failures()) {
        assert_eq!(attr(&e.1, "message"), Some(f.message.as_str()));
        assert_eq!(attr(&e.1, "type"), Some("error"));
    }
    let suite_errors: usize = elements
        .iter()
        .filter(|e| e.0 == "testsuite")
        .map(|s| attr(&s.1, "errors").unwrap().parse::<usize>().unwrap())
        .sum();
    assert_eq!(suite_errors, 2);

    let out = checkstyle::render(&diags, &failures(), &sources, &docs());
    let elements = xml_elements(&out);
    let mut file = "";
    let mut seen = Vec::new();
    for (name, attrs) in &elements {
        match name.as_str() {
            "file" => file = attr(attrs, "name").unwrap(),
            "error" if attr(attrs, "source") == Some("timeoutlint.input") => {
                assert_eq!(attr(attrs, "severity"), Some("error"));
                seen.push((
                    file.to_string(),
                    attr(attrs, "message").unwrap().to_string(),
                ));
            }
            _ => {}
        }
    }
    // Failures with no file under the first `<file name='timeoutlint'>`,
    // then by file name.
    let f = failures();
    assert_eq!(
        seen,
        [
            ("timeoutlint".to_string(), f[0].message.clone()),
            ("dir, x/a:b%.yaml".to_string(), f[1].message.clone()),
        ],
        "{out}"
    );
}

#[test]
fn json_and_rdjson_list_the_failures() {
    let (diags, sources) = synthetic();
    let v = parse(&json::render(&diags, &failures(), &sources));
    assert_eq!(v["version"], 1);
    assert_eq!(v["errors"][0]["message"], failures()[0].message);
    assert!(v["errors"][0]["file"].is_null());
    assert_eq!(v["errors"][1]["file"], "dir, x/a:b%.yaml");
    let v = parse(&json::render(&diags, &[], &sources));
    assert_eq!(v["errors"], Value::Array(Vec::new()));

    let v = parse(&rdjson::render(&[], &failures(), &sources, &docs()));
    assert_eq!(v["severity"], "ERROR");
    let list = v["diagnostics"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["severity"], "ERROR");
    assert_eq!(list[0]["message"], failures()[0].message);
    assert!(list[0].get("location").is_none());
    assert_eq!(list[1]["location"]["path"], "dir, x/a:b%.yaml");
    assert!(list[1]["location"].get("range").is_none());
}

#[test]
fn text_formats_of_a_failed_run_never_say_no_problems() {
    let sources = SourceMap::new(None);
    let failed = "could not check: 2 inputs could not be read\n";
    let human = human::render(&[], &failures(), &sources, human::Color::Never);
    assert_eq!(human, failed);
    assert_eq!(concise::render(&[], &failures(), &sources, &[]), failed);
    let (diags, sources) = synthetic();
    let out = concise::render(&diags, &failures()[..1], &sources, &[]);
    assert!(
        out.ends_with("; could not check: 1 input could not be read\n"),
        "{out}"
    );
    let out = gcc::render(&[], &failures(), &sources);
    assert_eq!(
        out,
        "timeoutlint: error: timeoutlint.toml:2: cannot read missing.yaml: no such file or directory\n\
         dir, x/a:b%.yaml: error: cannot read 100%, <a:b>\\n::error::x\n"
    );
}

/// `timeoutlint check --format FORMAT` run in `examples/EXAMPLE`, parsed.
fn example_output(example: &str, format: &str) -> Value {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(example);
    let out = Command::new(env!("CARGO_BIN_EXE_timeoutlint"))
        .current_dir(&dir)
        .args(["check", "--format", format])
        .output()
        .unwrap();
    parse(&String::from_utf8(out.stdout).unwrap())
}

#[test]
fn json_carries_the_one_value_fix_of_a_retirement_finding() {
    let example = "django-persistent-connections";
    let v = example_output(example, "json");
    let diags = v["diagnostics"].as_array().unwrap();
    let tl102 = diags.iter().find(|d| d["rule"] == "TL102").unwrap();
    let fix = &tl102["fix"];
    // CONN_MAX_AGE: null (never) against wait_timeout = 600 s, less 10 %.
    assert_eq!(fix["message"], "set CONN_MAX_AGE = 540");
    let edit = &fix["edits"][0];
    assert_eq!(edit["file"], "app/settings.yaml");
    assert_eq!(edit["content"], "540");
    let settings = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(example)
        .join("app/settings.yaml");
    let text = std::fs::read_to_string(settings).unwrap();
    let line = text
        .lines()
        .nth(edit["line"].as_u64().unwrap() as usize - 1)
        .unwrap();
    let (c0, c1) = (
        edit["column"].as_u64().unwrap() as usize - 1,
        edit["end_column"].as_u64().unwrap() as usize - 1,
    );
    assert_eq!(&line[c0..c1], "null");
    // SARIF carries the same edit as `fixes`.
    let v = example_output(example, "sarif");
    let fix = &v["runs"][0]["results"][0]["fixes"][0];
    assert_eq!(fix["description"]["text"], "set CONN_MAX_AGE = 540");
    let change = &fix["artifactChanges"][0];
    assert_eq!(change["artifactLocation"]["uri"], "app/settings.yaml");
    let r = &change["replacements"][0];
    assert_eq!(r["deletedRegion"]["startLine"], edit["line"]);
    assert_eq!(r["deletedRegion"]["startColumn"], edit["column"]);
    assert_eq!(r["insertedContent"]["text"], "540");
    // Flask-SQLAlchemy's implicit pool_recycle: the fix adds the setting
    // after SQLALCHEMY_DATABASE_URI (an insertion: an empty span). Where
    // the fix is no one value (TL106, TL126), there is no `fix` key.
    let v = example_output("founding-incident-broken", "json");
    let diags = v["diagnostics"].as_array().unwrap();
    let tl103 = diags.iter().find(|d| d["rule"] == "TL103").unwrap();
    let edit = &tl103["fix"]["edits"][0];
    assert_eq!(tl103["fix"]["message"], "set pool_recycle = 3240");
    assert_eq!(
        (&edit["line"], &edit["column"]),
        (&edit["end_line"], &edit["end_column"])
    );
    assert_eq!(
        edit["content"],
        "SQLALCHEMY_ENGINE_OPTIONS:\n  pool_recycle: 3240\n"
    );
    for rule in ["TL106", "TL126"] {
        let d = diags.iter().find(|d| d["rule"] == rule).unwrap();
        assert!(d.get("fix").is_none(), "{d}");
    }
}

#[test]
fn a_default_pool_recycle_is_fixed_by_a_keyword_in_the_create_engine_call() {
    let dir = tempfile::tempdir().unwrap();
    let app = "from sqlalchemy import create_engine\n\nengine = create_engine(\n    \"mysql+pymysql://app@db/orders\",  # the primary\n    pool_pre_ping=False,\n)\n";
    std::fs::write(dir.path().join("app.py"), app).unwrap();
    std::fs::write(dir.path().join("my.cnf"), "[mysqld]\nwait_timeout = 600\n").unwrap();
    std::fs::write(
        dir.path().join("timeoutlint.toml"),
        "[[path]]\nname = \"app -> db\"\napp = \"app.py\"\ndb = \"my.cnf\"\n",
    )
    .unwrap();
    let run = || {
        let out = Command::new(env!("CARGO_BIN_EXE_timeoutlint"))
            .current_dir(dir.path())
            .args(["check", "--format", "json"])
            .output()
            .unwrap();
        parse(&String::from_utf8(out.stdout).unwrap())
    };
    let v = run();
    let tl101 = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "TL101")
        .unwrap_or_else(|| panic!("{v:#}"));
    let fix = &tl101["fix"];
    assert_eq!(fix["message"], "set pool_recycle = 540");
    let edit = &fix["edits"][0];
    assert_eq!(edit["file"], "app.py");
    // An insertion: an empty span, on the line of the `)`.
    assert_eq!(edit["line"], edit["end_line"]);
    assert_eq!(edit["column"], edit["end_column"]);
    assert_eq!(edit["line"], 6);
    assert_eq!(edit["content"], "    pool_recycle=540,\n");
    let fixed = app.replace(",\n)", ",\n    pool_recycle=540,\n)");
    std::fs::write(dir.path().join("app.py"), &fixed).unwrap();
    let v = run();
    assert!(
        !v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["rule"] == "TL101"),
        "{v:#}"
    );
}
