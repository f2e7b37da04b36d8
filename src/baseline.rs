//! Baselines for gradual adoption: record today's findings once, then report
//! only new ones.
//!
//! # Identity
//!
//! A finding is keyed by [`identity`]: its rule id and, for the primary
//! location and then each related location in order, the file's display name
//! and the text of the line the location starts on, without its end-of-line
//! comment (as [`crate::suppress`] recognises comments in that file's format),
//! trimmed, with runs of whitespace folded to one space:
//!
//! ```text
//! TL101 app.yaml:"pool_recycle: 3600" <-> my.cnf:"wait_timeout = 600"
//! ```
//!
//! Line numbers are not part of it, so inserting, deleting or reordering other
//! lines, or adding a comment to the line, keeps the key; changing the setting's line (its value, too) makes the
//! finding new again, as it should be looked at again. A label without a
//! location (a command-line hop, an undocumented default) contributes
//! `-:"<its message>"`. In the quoted text, `\` and `"` are escaped with `\`.
//! Display names are those of every output: relative to the working
//! directory, or to `--root` when given
//! ([`crate::source::SourceMap::display_name`]). So a baseline matches runs
//! from the folder it was written in (in CI, the repository root), or with
//! the same `--root`, whatever folder is checked; from another folder the
//! names differ and every finding is new. The line text is taken from
//! [`crate::source::SourceFile::masked_text`] (secrets masked with `*`), and
//! the command line scrubs the written file of every secret value, so a
//! baseline never holds a password.
//!
//! # File format
//!
//! TOML, written by [`write`]: a comment header, `version = 1`, then one
//! `[[finding]]` table per distinct identity, sorted by identity, holding
//! `identity`, `count` (how many findings had it) and `message` (the first
//! finding's message, for readers only; it is not compared):
//!
//! ```toml
//! version = 1
//!
//! [[finding]]
//! identity = 'TL101 app.yaml:"pool_recycle: 3600" <-> my.cnf:"wait_timeout = 600"'
//! count = 1
//! message = "pool_recycle = 3600 s (app.yaml:3) is not below wait_timeout = 600 s (my.cnf:2)"
//! ```
//!
//! [`filter`] drops a finding when its identity has budget left: an entry
//! matches at most `count` findings (default 1), so a second copy of a known
//! problem is still reported. Entries with the same identity add up. Unknown
//! keys and other versions are errors.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::diagnostic::{Diagnostic, Label};
use crate::source::{SourceMap, io_reason};
use crate::suppress;

/// The baseline format version [`write`] produces and [`filter`] reads.
pub const VERSION: i64 = 1;

/// A baseline that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    /// The file cannot be read.
    #[error("cannot read baseline {path}: {reason}")]
    Unreadable {
        /// The path as given.
        path: String,
        /// The operating system's reason.
        reason: String,
    },
    /// The text is not a baseline (not TOML, a missing or unknown key).
    #[error("invalid baseline: {message}; regenerate it with --write-baseline")]
    Invalid {
        /// What is wrong.
        message: String,
    },
    /// A baseline of another format version.
    #[error(
        "baseline version {found} is not supported (this timeoutlint reads version {VERSION}); regenerate it with --write-baseline"
    )]
    UnsupportedVersion {
        /// The version in the file.
        found: i64,
    },
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: i64,
    #[serde(default)]
    finding: Vec<Entry>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    identity: String,
    #[serde(default = "one")]
    count: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    message: Option<String>,
}

fn one() -> u64 {
    1
}

/// The line-number-free key of a finding (see the module docs).
pub fn identity(d: &Diagnostic, sources: &SourceMap) -> String {
    identity_in(d, sources, &mut SyntaxCache::new())
}

/// The comment syntax of each file, told once per file ([`Syntax::detect`]
/// reads the whole text) rather than once per finding.
type SyntaxCache = BTreeMap<crate::source::FileId, suppress::Syntax>;

fn identity_in(d: &Diagnostic, sources: &SourceMap, cache: &mut SyntaxCache) -> String {
    let ends: Vec<String> = std::iter::once(&d.primary)
        .chain(&d.related)
        .map(|l| end(l, sources, cache))
        .collect();
    // Names and flag values may hold control characters; a raw newline in
    // the baseline would start a line of the attacker's choosing.
    crate::report::escape::control(&format!("{} {}", d.code.id, ends.join(" <-> "))).into_owned()
}

fn end(label: &Label, sources: &SourceMap, cache: &mut SyntaxCache) -> String {
    match label.location {
        Some(loc) => {
            let file = sources.get(loc.file);
            let syntax = *cache
                .entry(loc.file)
                .or_insert_with(|| suppress::Syntax::detect(file));
            let text = file.masked_text();
            let at = loc.span.start.min(text.len());
            let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
            let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
            let line = suppress::strip_end_comment_as(syntax, &text[start..end]);
            format!("{}:{}", file.name(), quote(line))
        }
        None => format!("-:{}", quote(&label.message)),
    }
}

fn quote(s: &str) -> String {
    let folded = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = String::with_capacity(folded.len() + 2);
    out.push('"');
    for c in folded.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

const HEADER: &str = "\
# timeoutlint baseline: findings listed here are not reported again; new ones are.
# An identity is the rule id and, for each location of the finding, the file and
# the trimmed text of its line (no line numbers: moving lines keeps it).
# `count` is how many findings share it; `message` is for readers only.
# Regenerate with `timeoutlint --write-baseline FILE`.
";

/// The baseline text recording `diags` (deterministic: sorted by identity).
pub fn write(diags: &[Diagnostic], sources: &SourceMap) -> String {
    let mut grouped: BTreeMap<String, (u64, String)> = BTreeMap::new();
    let mut cache = SyntaxCache::new();
    for d in diags {
        let e = grouped
            .entry(identity_in(d, sources, &mut cache))
            .or_insert_with(|| (0, crate::report::escape::control(&d.message).into_owned()));
        e.0 += 1;
        // Keep the smallest message so the output does not depend on input order.
        let message = crate::report::escape::control(&d.message);
        if *message < *e.1 {
            e.1 = message.into_owned();
        }
    }
    let file = File {
        version: VERSION,
        finding: grouped
            .into_iter()
            .map(|(identity, (count, message))| Entry {
                identity,
                count,
                message: Some(message),
            })
            .collect(),
    };
    let body = toml::to_string(&file).unwrap_or_else(|_| format!("version = {VERSION}\n"));
    format!("{HEADER}{body}")
}

/// Reads a baseline file's text.
///
/// Errors: [`BaselineError::Unreadable`] when the file cannot be read.
pub fn read(path: &Path) -> Result<String, BaselineError> {
    std::fs::read_to_string(path).map_err(|e| BaselineError::Unreadable {
        path: path.display().to_string(),
        reason: io_reason(&e),
    })
}

/// Keeps the findings that `baseline_text` does not record, in their order.
///
/// Errors: [`BaselineError::Invalid`] for text that is not a baseline,
/// [`BaselineError::UnsupportedVersion`] for another version.
pub fn filter(
    diags: Vec<Diagnostic>,
    sources: &SourceMap,
    baseline_text: &str,
) -> Result<Vec<Diagnostic>, BaselineError> {
    let mut budget = parse(baseline_text)?;
    let mut cache = SyntaxCache::new();
    Ok(diags
        .into_iter()
        .filter(
            |d| match budget.get_mut(&identity_in(d, sources, &mut cache)) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    false
                }
                _ => true,
            },
        )
        .collect())
}

/// Identity -> how many findings it may still match.
fn parse(text: &str) -> Result<BTreeMap<String, u64>, BaselineError> {
    // Check the version first, so a future format gets the clearer error.
    let table: toml::Table = toml::from_str(text).map_err(|e| BaselineError::Invalid {
        message: crate::secrets::parser_message(e.message()),
    })?;
    match table.get("version") {
        Some(toml::Value::Integer(VERSION)) => {}
        Some(toml::Value::Integer(found)) => {
            return Err(BaselineError::UnsupportedVersion { found: *found });
        }
        Some(_) => {
            return Err(BaselineError::Invalid {
                message: "`version` is not an integer".to_string(),
            });
        }
        None => {
            return Err(BaselineError::Invalid {
                message: "no `version` key".to_string(),
            });
        }
    }
    let file: File = toml::from_str(text).map_err(|e| BaselineError::Invalid {
        message: crate::secrets::parser_message(e.message()),
    })?;
    let mut budget = BTreeMap::new();
    for e in file.finding {
        *budget.entry(e.identity).or_insert(0) += e.count;
    }
    Ok(budget)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::codes;
    use crate::source::{FileId, Location, Span};

    fn setup(app: &str, cnf: &str) -> (SourceMap, FileId, FileId) {
        let mut m = SourceMap::new(None);
        let a = m.add(Path::new("app.yaml"), app.to_string());
        let c = m.add(Path::new("my.cnf"), cnf.to_string());
        (m, a, c)
    }

    fn finding(m: &SourceMap, a: FileId, c: FileId, needle_a: &str) -> Diagnostic {
        let loc = |f: FileId, n: &str| {
            let s = m.get(f).text().find(n).unwrap();
            Location::new(f, Span::new(s, s + n.len()))
        };
        Diagnostic::new(
            codes::POOL_RECYCLE_EXCEEDS_WAIT_TIMEOUT,
            "pool_recycle is not below wait_timeout",
            Label::at(loc(a, needle_a), "pool_recycle"),
        )
        .with_related(Label::at(loc(c, "600"), "wait_timeout"))
        .with_related(Label::maybe(None, "a \"default\""))
    }

    #[test]
    fn identity_uses_trimmed_line_text() {
        let (m, a, c) = setup(
            "sqlalchemy:\n    pool_recycle:\t  3600   \n",
            "[mysqld]\nwait_timeout = 600  # 'note' \"quoted\"\n",
        );
        assert_eq!(
            identity(&finding(&m, a, c, "3600"), &m),
            r#"TL101 app.yaml:"pool_recycle: 3600" <-> my.cnf:"wait_timeout = 600" <-> -:"a \"default\"""#
        );
    }

    #[test]
    fn write_is_sorted_counted_and_reads_back() {
        let (m, a, c) = setup(
            "x:\n  pool_recycle: 3600\ny:\n  pool_recycle: 3600\nz:\n  pool_recycle: 7200\n",
            "[mysqld]\nwait_timeout = 600\n",
        );
        let first = finding(&m, a, c, "3600");
        let mut second = first.clone();
        let s = m.get(a).text().rfind("3600").unwrap();
        second.primary.location = Some(Location::new(a, Span::new(s, s + 4)));
        let third = finding(&m, a, c, "7200");
        let all = vec![third.clone(), first.clone(), second.clone()];
        let text = write(&all, &m);
        assert!(text.starts_with("# timeoutlint baseline"));
        assert_eq!(
            text,
            write(&[first.clone(), second.clone(), third.clone()], &m)
        );
        let i3600 = text.find("3600").unwrap();
        let i7200 = text.find("7200").unwrap();
        assert!(i3600 < i7200, "{text}");
        assert!(text.contains("count = 2"), "{text}");
        assert!(filter(all.clone(), &m, &text).unwrap().is_empty());
        // One more copy than recorded is reported.
        let more = vec![first.clone(), second.clone(), first.clone(), third];
        assert_eq!(filter(more, &m, &text).unwrap(), vec![first]);
    }

    #[test]
    fn errors_are_clear() {
        let (m, _, _) = setup("", "");
        let e = filter(vec![], &m, "not = [toml").unwrap_err();
        assert!(matches!(e, BaselineError::Invalid { .. }), "{e}");
        let e = filter(vec![], &m, "version = 2\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "baseline version 2 is not supported (this timeoutlint reads version 1); regenerate it with --write-baseline"
        );
        let e = filter(vec![], &m, "[[finding]]\nidentity = \"x\"\n").unwrap_err();
        assert!(e.to_string().contains("no `version` key"), "{e}");
        let e = filter(vec![], &m, "version = 1\n[[finding]]\nident = \"x\"\n").unwrap_err();
        assert!(e.to_string().starts_with("invalid baseline: "), "{e}");
        assert!(filter(vec![], &m, "version = 1\n").unwrap().is_empty());
        let e = read(Path::new("/nonexistent/baseline.toml")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "cannot read baseline /nonexistent/baseline.toml: no such file or directory"
        );
    }
}
