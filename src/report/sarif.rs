//! `sarif` format: SARIF 2.1.0 as GitHub code scanning ingests it
//! (CONVENTIONS.md section 3.1; CRATES.md section 5: hand-written structs,
//! validated against the vendored OASIS schema in `tests/formats.rs`).
//!
//! One run. `tool.driver.rules` holds every catalogue entry (in the order
//! given), then a minimal descriptor for any code a result uses that the
//! catalogue lacks; `ruleIndex` points into that list. Each result has:
//!
//! * `level`: `error`, `warning` or `note` (info);
//! * `message.text`: the message, then `help: ...` on a new line;
//! * `locations[0]`: the primary label's file as a URI relative to
//!   `%SRCROOT%` (the display path, which is relative to the folder
//!   timeoutlint runs in, or to `--root`: run from the repository root, or
//!   with `--root` there, code scanning resolves it from the repository's
//!   root whatever folder was checked; a file outside that folder has an
//!   absolute display path, which becomes a `file://` URI without
//!   `uriBaseId`), and its region. `originalUriBaseIds` is not written:
//!   it would put the machine's absolute path into every log, and GitHub
//!   takes `%SRCROOT%` to be the checkout;
//! * `relatedLocations`: every related label, with `id` from 1 and its
//!   message (labels with no file carry only the message);
//! * `partialFingerprints.primaryLocationLineHash`: see [`line_hash`];
//! * `fixes`, where one value fixes the finding ([`crate::diagnostic::Fix`]):
//!   one `artifactChange` replacing the value's region with the new text
//!   (GitHub ignores it; SARIF viewers can apply it).
//!
//! `run.columnKind` is `unicodeCodePoints`: lines and columns are 1-based and
//! columns count characters, as in every other format except rdjson;
//! `endColumn` is the exclusive end.
//!
//! GitHub requires at least one location per result. A finding whose primary
//! label has no file (a command-line flag) uses the first related label that
//! has one; when none has, it is left out of `results` and reported in
//! `run.invocations[0].toolExecutionNotifications` instead.
//!
//! A failure that kept the run from checking everything (exit code 2: an
//! input that cannot be read, a manifest error) sets
//! `invocations[0].executionSuccessful` to `false` and adds a
//! `toolExecutionNotifications` entry with level `error`, its message and,
//! when the file is known, a `physicalLocation` with its `artifactLocation`.
//! Code scanning then does not take the (incomplete) results for a clean
//! run that fixes every open alert.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::diagnostic::{Diagnostic, Severity};
use crate::report::{HOMEPAGE, RunError, rule_url};
use crate::rules::catalogue::RuleDoc;
use crate::source::{Location, SourceMap};

/// `$schema` of the output: the OASIS errata 01 schema the tests validate
/// against.
pub const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// GitHub's limit on `shortDescription.text` and `fullDescription.text`.
const MAX_DESCRIPTION: usize = 1024;

#[derive(Serialize)]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    invocations: Vec<Invocation>,
    results: Vec<SarifResult>,
    column_kind: &'static str,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    information_uri: &'static str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: String,
    name: String,
    short_description: Text,
    full_description: Text,
    help: Help,
    help_uri: String,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: Vec<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Notification {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<SarifLocation>,
    level: &'static str,
    message: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    associated_rule: Option<RuleReference>,
}

#[derive(Serialize)]
struct RuleReference {
    id: String,
    index: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: String,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: Vec<SarifLocation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<SarifLocation>,
    partial_fingerprints: BTreeMap<&'static str, String>,
    /// The one-value fix, where the finding has one (SARIF 2.1.0 3.55).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<SarifFix>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifFix {
    description: Text,
    artifact_changes: Vec<ArtifactChange>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange {
    artifact_location: ArtifactLocation,
    replacements: Vec<Replacement>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement {
    deleted_region: Region,
    inserted_content: Text,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    physical_location: Option<PhysicalLocation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

fn text(s: impl Into<String>) -> Text {
    Text { text: s.into() }
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn level_of_word(s: &str) -> &'static str {
    match s {
        "error" => "error",
        "info" => "note",
        _ => "warning",
    }
}

/// Joins hard-wrapped lines into one paragraph, keeping line breaks before
/// list items and blank lines.
fn reflow(s: &str) -> String {
    let mut out = String::new();
    for line in s.trim().lines() {
        let line = line.trim();
        let keep_break = line.is_empty()
            || line.starts_with("- ")
            || line.starts_with("* ")
            || out.ends_with('\n')
            || out.is_empty();
        if !out.is_empty() {
            out.push(if keep_break { '\n' } else { ' ' });
        }
        out.push_str(line);
    }
    out
}

/// Cuts `s` to at most `max` characters at a word boundary, ending with `…`.
fn truncate(s: String, max: usize) -> String {
    if s.chars().count() <= max {
        return s;
    }
    let cut: String = s.chars().take(max - 1).collect();
    let cut = match cut.rfind(char::is_whitespace) {
        Some(i) if i > 0 => cut[..i].trim_end().to_string(),
        _ => cut,
    };
    format!("{cut}…")
}

fn tags(id: &str) -> Vec<&'static str> {
    if id.starts_with("TL0") {
        vec!["input"]
    } else {
        vec!["connection-path", "reliability"]
    }
}

fn rule_from_doc(d: &RuleDoc) -> Rule {
    let help_text = format!(
        "{}\n\nWhy is this bad?\n{}\n\nUse instead:\n{}",
        d.what.trim(),
        d.why.trim(),
        d.instead.trim()
    );
    let mut markdown = format!(
        "## What it does\n\n{}\n\n## Why is this bad?\n\n{}\n\n## Example\n\n{}\n\n## Use instead\n\n{}\n",
        d.what.trim(),
        d.why.trim(),
        d.example.trim(),
        d.instead.trim()
    );
    if !d.references.is_empty() {
        markdown.push_str("\n## References\n\n");
        for r in &d.references {
            markdown.push_str(&format!("- {r}\n"));
        }
    }
    Rule {
        id: d.id.clone(),
        name: d.name.clone(),
        short_description: text(truncate(reflow(&d.summary), MAX_DESCRIPTION)),
        full_description: text(truncate(reflow(&d.what), MAX_DESCRIPTION)),
        help: Help {
            text: help_text,
            markdown,
        },
        help_uri: rule_url(&d.id, &d.name),
        default_configuration: Configuration {
            level: level_of_word(&d.severity),
        },
        properties: RuleProperties { tags: tags(&d.id) },
    }
}

/// A descriptor for a code the catalogue passed in does not document.
fn rule_from_code(d: &Diagnostic) -> Rule {
    let c = d.code;
    let summary = format!("{} ({})", c.name.replace('-', " "), c.id);
    Rule {
        id: c.id.to_string(),
        name: c.name.to_string(),
        short_description: text(summary.clone()),
        full_description: text(summary.clone()),
        help: Help {
            text: format!("See `timeoutlint explain {}`.", c.id),
            markdown: format!("See `timeoutlint explain {}`.", c.id),
        },
        help_uri: rule_url(c.id, c.name),
        default_configuration: Configuration {
            level: level(c.severity),
        },
        properties: RuleProperties { tags: tags(c.id) },
    }
}

/// 64-bit FNV-1a.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The `primaryLocationLineHash` base: 16 hex digits of the 64-bit FNV-1a
/// hash of `rule id NUL file NUL trimmed text of the line`.
///
/// It depends on the line's content, not its number, so a finding keeps its
/// identity when lines above it are added or removed. [`render`] appends
/// `:n`, the finding's occurrence among results with the same base (as
/// GitHub's own fingerprints do), so identical lines stay distinct.
pub fn line_hash(rule_id: &str, file: &str, line_text: &str) -> String {
    let mut bytes = Vec::new();
    bytes.extend_from_slice(rule_id.as_bytes());
    bytes.push(0);
    bytes.extend_from_slice(file.as_bytes());
    bytes.push(0);
    bytes.extend_from_slice(line_text.trim().as_bytes());
    format!("{:016x}", fnv1a(&bytes))
}

/// Percent-encodes a display path into a URI reference: relative paths stay
/// relative (to `%SRCROOT%`), absolute ones become `file://` URIs.
fn uri(display: &str) -> (String, Option<&'static str>) {
    let encode = |s: &str| {
        let mut out = String::new();
        for b in s.bytes() {
            match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                    out.push(b as char)
                }
                _ => out.push_str(&format!("%{b:02X}")),
            }
        }
        out
    };
    let bytes = display.as_bytes();
    let windows_drive =
        bytes.len() >= 3 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' && bytes[2] == b'/';
    if windows_drive {
        // `C:/x`: the drive letter and its colon stay as they are.
        (
            format!("file:///{}{}", &display[..2], encode(&display[2..])),
            None,
        )
    } else if display.starts_with('/') {
        (format!("file://{}", encode(display)), None)
    } else {
        (encode(display), Some("%SRCROOT%"))
    }
}

fn physical(loc: Location, sources: &SourceMap) -> PhysicalLocation {
    let r = sources.resolve(loc);
    let (uri, uri_base_id) = uri(&r.file);
    PhysicalLocation {
        artifact_location: ArtifactLocation { uri, uri_base_id },
        region: Some(Region {
            start_line: r.start.line,
            start_column: r.start.column,
            end_line: r.end.line,
            end_column: r.end.column,
        }),
    }
}

/// The notification of a failure that kept the run from checking everything.
fn failure(e: &RunError) -> Notification {
    let locations = e
        .file
        .as_deref()
        .map(|file| {
            let (uri, uri_base_id) = uri(file);
            SarifLocation {
                id: None,
                physical_location: Some(PhysicalLocation {
                    artifact_location: ArtifactLocation { uri, uri_base_id },
                    region: None,
                }),
                message: None,
            }
        })
        .into_iter()
        .collect();
    Notification {
        locations,
        level: "error",
        message: text(e.message.clone()),
        associated_rule: None,
    }
}

/// Renders the diagnostics and failures as one pretty-printed SARIF 2.1.0
/// log.
pub fn render(
    diags: &[Diagnostic],
    run_errors: &[RunError],
    sources: &SourceMap,
    docs: &[RuleDoc],
) -> String {
    let mut rules: Vec<Rule> = docs.iter().map(rule_from_doc).collect();
    let mut missing: BTreeMap<&str, &Diagnostic> = BTreeMap::new();
    for d in diags {
        if !docs.iter().any(|doc| doc.id == d.code.id) {
            missing.entry(d.code.id).or_insert(d);
        }
    }
    rules.extend(missing.values().map(|d| rule_from_code(d)));
    let index_of = |id: &str| rules.iter().position(|r| r.id == id).unwrap_or(0);

    let mut results = Vec::new();
    let mut notifications: Vec<Notification> = run_errors.iter().map(failure).collect();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for d in diags {
        let rule_index = index_of(d.code.id);
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        let anchor = d
            .primary
            .location
            .or_else(|| d.related.iter().find_map(|l| l.location));
        let Some(anchor) = anchor else {
            notifications.push(Notification {
                locations: Vec::new(),
                level: "warning",
                message: text(format!(
                    "{} {}: {} (no file location, so not reported as a result)",
                    d.code.id,
                    level(d.severity),
                    d.message
                )),
                associated_rule: Some(RuleReference {
                    id: d.code.id.to_string(),
                    index: rule_index,
                }),
            });
            continue;
        };
        let r = sources.resolve(anchor);
        let line_text = sources.get(anchor.file).masked_line(r.start.line);
        let base = line_hash(d.code.id, &r.file, line_text);
        let n = seen.entry(base.clone()).or_insert(0);
        *n += 1;
        let mut fingerprints = BTreeMap::new();
        fingerprints.insert("primaryLocationLineHash", format!("{base}:{n}"));
        results.push(SarifResult {
            rule_id: d.code.id.to_string(),
            rule_index,
            level: level(d.severity),
            message: text(message),
            locations: vec![SarifLocation {
                id: None,
                physical_location: Some(physical(anchor, sources)),
                message: None,
            }],
            related_locations: d
                .related
                .iter()
                .enumerate()
                .map(|(i, l)| SarifLocation {
                    id: Some(i + 1),
                    physical_location: l.location.map(|x| physical(x, sources)),
                    message: Some(text(l.message.clone())),
                })
                .collect(),
            partial_fingerprints: fingerprints,
            fixes: d
                .fix
                .iter()
                .filter_map(|f| {
                    let p = physical(f.location, sources);
                    Some(SarifFix {
                        description: text(f.title.clone()),
                        artifact_changes: vec![ArtifactChange {
                            artifact_location: p.artifact_location,
                            replacements: vec![Replacement {
                                deleted_region: p.region?,
                                inserted_content: text(f.replacement.clone()),
                            }],
                        }],
                    })
                })
                .collect(),
        });
    }

    let log = Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "timeoutlint",
                    version: env!("CARGO_PKG_VERSION"),
                    information_uri: HOMEPAGE,
                    rules,
                },
            },
            invocations: vec![Invocation {
                execution_successful: run_errors.is_empty(),
                tool_execution_notifications: notifications,
            }],
            results,
            column_kind: "unicodeCodePoints",
        }],
    };
    // Serialising plain structs of strings and numbers cannot fail.
    let mut s = serde_json::to_string_pretty(&log).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_known_values() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn line_hash_ignores_surrounding_whitespace() {
        assert_eq!(
            line_hash("TL101", "a.yaml", "  pool_recycle: 7200\r"),
            line_hash("TL101", "a.yaml", "pool_recycle: 7200")
        );
        assert_ne!(
            line_hash("TL101", "a.yaml", "x"),
            line_hash("TL102", "a.yaml", "x")
        );
    }

    #[test]
    fn uris() {
        assert_eq!(uri("db/my.cnf"), ("db/my.cnf".into(), Some("%SRCROOT%")));
        assert_eq!(uri("a b/ü.cnf").0, "a%20b/%C3%BC.cnf");
        assert_eq!(uri("/etc/my.cnf"), ("file:///etc/my.cnf".into(), None));
        assert_eq!(uri("C:/x/y.cnf").0, "file:///C:/x/y.cnf");
    }

    #[test]
    fn descriptions_reflow_and_truncate() {
        assert_eq!(reflow("a\nb\n- c\n- d\n\ne"), "a b\n- c\n- d\n\ne");
        let long = "word ".repeat(300);
        let t = truncate(long, MAX_DESCRIPTION);
        assert!(t.chars().count() <= MAX_DESCRIPTION);
        assert!(t.ends_with("word…"));
    }
}
