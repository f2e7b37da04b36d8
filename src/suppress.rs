//! Inline suppressions: `# timeoutlint: ignore[TL101] reason` comments in the
//! input files.
//!
//! # Syntax
//!
//! A comment whose text starts with `timeoutlint:` followed by
//! `ignore[RULES] REASON`:
//!
//! ```text
//! wait_timeout = 600  # timeoutlint: ignore[TL101] pool is validated by pre_ping
//! # timeoutlint: ignore[TL101, wait-timeout-exceeds-dropping-hop] reviewed with the DBA
//! ; timeoutlint: ignore[TL105] keepalive is set for another service on this host
//! ```
//!
//! - `RULES` is a comma-separated list of rule ids (`TL101`, any case) or
//!   names (`pool-recycle-exceeds-wait-timeout`); spaces around them are
//!   allowed.
//! - `REASON` is required: the text after `]` (a leading `:` or `-` is
//!   skipped) must hold at least one letter or digit.
//! - `timeoutlint` and `ignore` are matched case-insensitively.
//!
//! # Where a suppression applies
//!
//! A suppression hides a finding of a listed rule when **any** location of
//! the finding (the primary one or a related one: either end of a mismatch)
//! starts on a line it covers:
//!
//! - an end-of-line comment covers its own line;
//! - a comment on a line of its own covers the next line that is not itself
//!   a comment (so several directives can be stacked above one setting), and
//!   its own line. A blank line ends it.
//!
//! # What counts as a comment
//!
//! Comments are found textually, per file, in the syntax of the file's format
//! (told by name and content, see [`Syntax::detect`]):
//!
//! - A line whose first non-blank character is `#` is a comment in every
//!   format; so is one starting with `;` in my.cnf, sysctl files and
//!   pgbouncer.ini.
//! - An end-of-line comment is a `#` preceded by a space or a tab and not
//!   inside a `'…'` or `"…"` string opened earlier on the same line. In YAML,
//!   TOML and nginx a quote opens a string only at the start of a word (after
//!   whitespace or one of `: = , [ { (`), so the apostrophe in `it's` does not;
//!   in the other formats any quote does. Inside double quotes (and, except in
//!   YAML and TOML, single quotes) a backslash escapes the next character.
//!   This is stricter than some formats (my.cnf and haproxy.cfg also end a
//!   value at `value#note`): a directive is never recognised where the file's
//!   own reader would not see a comment.
//! - sysctl files and pgbouncer.ini have no end-of-line comments (`600 # x`
//!   is the value `600 # x`), so there a directive must be on its own line.
//! - YAML block scalars (`key: |` and the more indented lines after it) and
//!   TOML multi-line strings (`"""…"""`, `'''…'''`) are text, not comments.
//! - JSON files have no comments.
//!
//! # Problems with suppressions
//!
//! - A directive without a reason, naming an unknown rule, naming TL009 or
//!   TL010, or not of the form `ignore[RULES] REASON` is reported as TL010
//!   (`invalid-suppression`) and suppresses **nothing**: reasons are
//!   enforced, and a typo never silently widens or narrows what is hidden.
//! - Each rule of a valid directive that hid no finding is reported as TL009
//!   (`unused-suppression`), at that rule's name in the comment.
//! - TL009 and TL010 themselves can never be suppressed.

use std::collections::BTreeMap;
use std::path::Path;

use crate::diagnostic::{Diagnostic, Label, sort_and_dedup};
use crate::rules::codes::{self, Code};
use crate::source::{FileId, Location, SourceFile, SourceMap, Span};

/// The comment syntax of an input file, as far as suppressions need it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Syntax {
    /// YAML (app settings, Envoy, Istio).
    Yaml,
    /// TOML (app settings, the manifest).
    Toml,
    /// JSON: no comments.
    Json,
    /// MySQL option file: `#`/`;` lines, `#` at end of line.
    MyCnf,
    /// sysctl.conf / sysctl.d: `#`/`;` lines only.
    Sysctl,
    /// pgbouncer.ini: `#`/`;` lines only.
    PgBouncer,
    /// postgresql.conf: `#` lines and end of line.
    PgConf,
    /// haproxy.cfg: `#` lines and end of line.
    Haproxy,
    /// nginx.conf: `#` lines and end of line.
    Nginx,
    /// Anything else (server dumps): `#` lines and end of line.
    Other,
}

impl Syntax {
    /// Tells a file's comment syntax from its name, then its content.
    pub fn detect(file: &SourceFile) -> Syntax {
        let path = file.path();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        let text = file.text();
        match ext.as_str() {
            "json" => return Syntax::Json,
            "yaml" | "yml" => return Syntax::Yaml,
            "toml" => return Syntax::Toml,
            // Python settings: `#` comments, whole-line or after code; told
            // by the name so a large module is not scanned line by line.
            "py" => return Syntax::Other,
            _ => {}
        }
        let has_line = |wanted: &[&str]| {
            text.lines().any(|l| {
                let l = l.trim().to_ascii_lowercase();
                wanted.iter().any(|w| l.starts_with(w))
            })
        };
        if name.contains("pgbouncer") || has_line(&["[pgbouncer]"]) {
            return Syntax::PgBouncer;
        }
        if in_sysctl_path(path) {
            return Syntax::Sysctl;
        }
        if ext == "cnf"
            || name == "my.ini"
            || has_line(&[
                "[mysqld", "[mariadb", "[server]", "[client", "[mysql", "[galera]",
            ])
        {
            return Syntax::MyCnf;
        }
        if name.contains("haproxy") || ext == "cfg" {
            return Syntax::Haproxy;
        }
        if name.contains("nginx") {
            return Syntax::Nginx;
        }
        if name.starts_with("postgresql") || crate::systems::postgres::looks_like_postgres(text) {
            return Syntax::PgConf;
        }
        let sysctl_key = text.lines().any(|l| {
            let l = l.trim_start().trim_start_matches('-');
            ["net.", "kernel.", "vm.", "fs.", "net/"]
                .iter()
                .any(|p| l.starts_with(p))
                && l.contains('=')
        });
        if sysctl_key {
            return Syntax::Sysctl;
        }
        Syntax::Other
    }

    fn has_comments(self) -> bool {
        self != Syntax::Json
    }

    /// `;` starts a whole-line comment.
    fn semicolon_lines(self) -> bool {
        matches!(self, Syntax::MyCnf | Syntax::Sysctl | Syntax::PgBouncer)
    }

    /// `#` may end a line with a comment.
    fn end_of_line(self) -> bool {
        !matches!(self, Syntax::Sysctl | Syntax::PgBouncer | Syntax::Json)
    }

    /// A quote opens a string only at the start of a word.
    fn quotes_at_word_start(self) -> bool {
        matches!(self, Syntax::Yaml | Syntax::Toml | Syntax::Nginx)
    }

    /// A backslash escapes inside single quotes too.
    fn backslash_in_single_quotes(self) -> bool {
        !matches!(self, Syntax::Yaml | Syntax::Toml)
    }
}

fn in_sysctl_path(path: &Path) -> bool {
    path.components().any(|c| {
        c.as_os_str()
            .to_string_lossy()
            .to_lowercase()
            .contains("sysctl")
    })
}

/// One comment in a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Comment {
    /// 0-based line index.
    line: usize,
    /// Byte offset of the `#` or `;`.
    start: usize,
    /// End of the comment (end of the line, without `\r`).
    end: usize,
    /// The comment is the whole line (only blanks before it).
    whole_line: bool,
}

/// The comments of `text` in `syntax`, in order.
fn comments(text: &str, syntax: Syntax) -> Vec<Comment> {
    let mut out = Vec::new();
    if !syntax.has_comments() {
        return out;
    }
    let mut offset = 0;
    // YAML block scalar: the indentation of the line that opened it.
    let mut block: Option<usize> = None;
    // TOML multi-line string: its closing delimiter.
    let mut multi: Option<&'static str> = None;
    for (idx, raw) in text.split('\n').enumerate() {
        let line_start = offset;
        offset += raw.len() + 1;
        let mut line = raw.strip_suffix('\r').unwrap_or(raw);
        let mut base = line_start;
        if idx == 0 && line.starts_with('\u{feff}') {
            line = &line['\u{feff}'.len_utf8()..];
            base += '\u{feff}'.len_utf8();
        }
        let rest = line.trim_start_matches([' ', '\t']);
        let indent = line.len() - rest.len();
        if let Some(b) = block {
            if rest.is_empty() || indent > b {
                continue;
            }
            block = None;
        }
        if multi.is_none()
            && (rest.starts_with('#') || (syntax.semicolon_lines() && rest.starts_with(';')))
        {
            out.push(Comment {
                line: idx,
                start: base + indent,
                end: base + line.len(),
                whole_line: true,
            });
            continue;
        }
        if !syntax.end_of_line() {
            continue;
        }
        let hash = end_of_line_comment(line, syntax, &mut multi);
        if let Some(h) = hash {
            out.push(Comment {
                line: idx,
                start: base + h,
                end: base + line.len(),
                whole_line: false,
            });
        }
        if syntax == Syntax::Yaml && opens_block_scalar(&line[..hash.unwrap_or(line.len())]) {
            block = Some(indent);
        }
    }
    out
}

/// The byte offset of the `#` that starts an end-of-line comment in `line`.
fn end_of_line_comment(
    line: &str,
    syntax: Syntax,
    multi: &mut Option<&'static str>,
) -> Option<usize> {
    let b = line.as_bytes();
    // No `#` and no string that could open here: nothing to find, no state to change.
    if multi.is_none()
        && !b.contains(&b'#')
        && (syntax != Syntax::Toml || !b.iter().any(|&c| c == b'"' || c == b'\''))
    {
        return None;
    }
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if let Some(delim) = *multi {
            if c == b'\\' && delim == "\"\"\"" {
                i += 2;
            } else if b[i..].starts_with(delim.as_bytes()) {
                *multi = None;
                i += delim.len();
            } else {
                i += 1;
            }
            continue;
        }
        match quote {
            Some(q) => {
                if c == b'\\' && (q == b'"' || syntax.backslash_in_single_quotes()) {
                    i += 2;
                    continue;
                }
                if c == q {
                    quote = None;
                }
            }
            None => {
                let after_blank = i > 0 && matches!(b[i - 1], b' ' | b'\t');
                if c == b'#' && (i == 0 || after_blank) {
                    return Some(i);
                }
                let word_start = i == 0
                    || matches!(
                        b[i - 1],
                        b' ' | b'\t' | b':' | b'=' | b',' | b'[' | b'{' | b'('
                    );
                if (c == b'"' || c == b'\'') && (word_start || !syntax.quotes_at_word_start()) {
                    if syntax == Syntax::Toml {
                        let triple = if c == b'"' { "\"\"\"" } else { "'''" };
                        if line[i..].starts_with(triple) {
                            *multi = Some(triple);
                            i += 3;
                            continue;
                        }
                    }
                    quote = Some(c);
                }
            }
        }
        i += 1;
    }
    None
}

/// `line` (one line of `file`) without its end-of-line comment and trailing
/// blanks, as [`apply`] recognises comments in `file`'s syntax. A line that
/// is only a comment is returned whole (trimmed at the end).
pub fn strip_end_comment<'a>(file: &SourceFile, line: &'a str) -> &'a str {
    strip_end_comment_as(Syntax::detect(file), line)
}

/// [`strip_end_comment`] for a file whose syntax is already told.
pub fn strip_end_comment_as(syntax: Syntax, line: &str) -> &str {
    let code = match end_of_line_comment(line, syntax, &mut None) {
        Some(h) if syntax.end_of_line() => line[..h].trim_end(),
        _ => line.trim_end(),
    };
    if code.trim_start().is_empty() {
        line.trim_end()
    } else {
        code
    }
}

/// `key: |`, `- >-`, `key: !!str |2`: the line opens a YAML block scalar.
fn opens_block_scalar(content: &str) -> bool {
    let t = content.trim_end();
    let t = t.trim_end_matches(|c: char| c == '+' || c == '-' || c.is_ascii_digit());
    let Some(before) = t.strip_suffix(['|', '>']) else {
        return false;
    };
    if !(before.is_empty() || before.ends_with([' ', '\t'])) {
        return false;
    }
    let before = before.trim_end();
    if before.is_empty() || before.ends_with(':') || before.ends_with('-') {
        return true;
    }
    // A tag or anchor before the indicator.
    let last = before.rsplit([' ', '\t']).next().unwrap_or("");
    (last.starts_with('!') || last.starts_with('&'))
        && before[..before.len() - last.len()]
            .trim_end()
            .ends_with([':', '-'])
}

/// What a `timeoutlint:` comment says.
#[derive(Debug, PartialEq, Eq)]
enum Parsed {
    /// `ignore[...] reason`, every rule known and suppressible.
    Valid(Vec<(Code, Span)>),
    /// Reported as TL010, one diagnostic per problem; suppresses nothing.
    Invalid(Vec<Problem>),
}

/// One TL010: where, what, the label and the help line.
#[derive(Debug, PartialEq, Eq)]
struct Problem {
    span: Span,
    message: String,
    label: &'static str,
    help: String,
}

const EXAMPLE: &str = "`# timeoutlint: ignore[TL101] pool is validated by pre_ping`";

/// Parses the comment at `c` of `text`; `None` when it is no directive.
fn parse_directive(text: &str, c: &Comment) -> Option<Parsed> {
    let comment_span = Span::new(c.start, c.end);
    // Skip the `#` or `;` (both one byte).
    let body_start = c.start + 1;
    let body = &text[body_start..c.end];
    let lead = body.len() - body.trim_start().len();
    let pos = body_start + lead;
    let body = &text[pos..c.end];
    let after_tool = strip_prefix_ci(body, "timeoutlint")?;
    let after_tool = after_tool.trim_start();
    let after_colon = after_tool.strip_prefix(':')?;
    let malformed = |what: &str| {
        Some(Parsed::Invalid(vec![Problem {
            span: comment_span,
            message: format!(
                "suppression comment is not `timeoutlint: ignore[RULES] REASON` ({what}): it suppresses nothing"
            ),
            label: "malformed suppression",
            help: format!("write the rules in brackets and a reason after them, e.g. {EXAMPLE}"),
        }]))
    };
    let rest = after_colon.trim_start();
    let Some(rest) = strip_prefix_ci(rest, "ignore") else {
        return malformed("expected `ignore[`");
    };
    let rest = rest.trim_start();
    let Some(list) = rest.strip_prefix('[') else {
        return malformed("expected `[` after `ignore`");
    };
    let Some(close) = list.find(']') else {
        return malformed("missing `]`");
    };
    let list_start = c.end - list.len();
    let reason = list[close + 1..]
        .trim_start()
        .trim_start_matches([':', '-', '\u{2014}', '\u{2013}'])
        .trim();
    let mut problems = Vec::new();
    let mut rules = Vec::new();
    let mut item_start = 0;
    for item in list[..close].split(',') {
        let trimmed = item.trim();
        let off = list_start + item_start + (item.len() - item.trim_start().len());
        item_start += item.len() + 1;
        let span = Span::new(off, off + trimmed.len());
        if trimmed.is_empty() {
            return malformed("an empty rule in the list");
        }
        match lookup(trimmed) {
            None => problems.push(Problem {
                span,
                message: format!("unknown rule `{trimmed}` in suppression: it suppresses nothing"),
                label: "not a timeoutlint rule",
                help: "name rules by id (TL101) or name (pool-recycle-exceeds-wait-timeout); `timeoutlint rules` lists them".to_string(),
            }),
            Some(code) if is_meta(code) => problems.push(Problem {
                span,
                message: format!("{} ({}) cannot be suppressed inline: the suppression suppresses nothing", code.id, code.name),
                label: "cannot be suppressed",
                help: "fix or remove the suppression comment it reports instead".to_string(),
            }),
            Some(code) => rules.push((code, span)),
        }
    }
    if !reason.chars().any(char::is_alphanumeric) {
        let names: Vec<&str> = rules.iter().map(|(c, _)| c.id).collect();
        problems.insert(
            0,
            Problem {
                span: comment_span,
                message: if names.is_empty() {
                    "suppression without a reason: it suppresses nothing".to_string()
                } else {
                    format!(
                        "suppression without a reason: it suppresses nothing, so {} is still reported",
                        names.join(", ")
                    )
                },
                label: "no reason after `]`",
                help: format!("say why the finding is acceptable after the bracket, e.g. {EXAMPLE}"),
            },
        );
    }
    Some(if problems.is_empty() {
        Parsed::Valid(rules)
    } else {
        Parsed::Invalid(problems)
    })
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// A rule by id (any case) or name.
fn lookup(key: &str) -> Option<Code> {
    codes::ALL
        .iter()
        .copied()
        .find(|c| c.id.eq_ignore_ascii_case(key) || c.name == key)
}

fn is_meta(code: Code) -> bool {
    code.id == codes::UNUSED_SUPPRESSION.id || code.id == codes::INVALID_SUPPRESSION.id
}

/// A valid directive.
struct Directive {
    file: FileId,
    /// First and last covered line (0-based, inclusive).
    lines: (usize, usize),
    /// The directive is a whole-line comment (for the TL009 message).
    whole_line: bool,
    rules: Vec<(Code, Span)>,
    used: Vec<bool>,
}

/// The lines (0-based, inclusive) a directive in comment `c` covers: its own
/// line, and for a whole-line comment the next line that is not a comment.
fn covered_range(text: &str, comments: &[Comment], c: &Comment) -> (usize, usize) {
    if !c.whole_line {
        return (c.line, c.line);
    }
    let comment_lines: std::collections::BTreeSet<usize> = comments
        .iter()
        .filter(|x| x.whole_line)
        .map(|x| x.line)
        .collect();
    let total = text.split('\n').count();
    let mut target = c.line + 1;
    while comment_lines.contains(&target) && target + 1 < total {
        target += 1;
    }
    (c.line, target)
}

/// Removes the findings that an inline suppression covers, and adds TL010 for
/// each invalid suppression and TL009 for each suppressed rule that matched
/// nothing. Every file in `sources` is scanned. The result is sorted and
/// deduplicated like [`sort_and_dedup`].
pub fn apply(diags: Vec<Diagnostic>, sources: &SourceMap) -> Vec<Diagnostic> {
    let mut directives = Vec::new();
    let mut out = Vec::new();
    for (id, file) in sources.files() {
        let syntax = Syntax::detect(file);
        let text = file.text();
        let found = comments(text, syntax);
        for c in &found {
            match parse_directive(text, c) {
                None => {}
                Some(Parsed::Valid(rules)) => directives.push(Directive {
                    file: id,
                    lines: covered_range(text, &found, c),
                    whole_line: c.whole_line,
                    used: vec![false; rules.len()],
                    rules,
                }),
                Some(Parsed::Invalid(problems)) => {
                    for p in problems {
                        out.push(
                            Diagnostic::new(
                                codes::INVALID_SUPPRESSION,
                                p.message,
                                Label::at(Location::new(id, p.span), p.label),
                            )
                            .with_help(p.help),
                        );
                    }
                }
            }
        }
    }
    // (file, line) -> directives covering it.
    let mut by_line: BTreeMap<(FileId, usize), Vec<usize>> = BTreeMap::new();
    for (i, d) in directives.iter().enumerate() {
        for line in d.lines.0..=d.lines.1 {
            by_line.entry((d.file, line)).or_default().push(i);
        }
    }
    for diag in diags {
        if is_meta(diag.code) {
            out.push(diag);
            continue;
        }
        let mut suppressed = false;
        let locations = std::iter::once(&diag.primary)
            .chain(&diag.related)
            .filter_map(|l| l.location);
        for loc in locations {
            let line = sources.get(loc.file).line_col(loc.span.start).line - 1;
            for &i in by_line.get(&(loc.file, line)).into_iter().flatten() {
                let d = &mut directives[i];
                for (k, (code, _)) in d.rules.iter().enumerate() {
                    if code.id == diag.code.id {
                        d.used[k] = true;
                        suppressed = true;
                    }
                }
            }
        }
        if !suppressed {
            out.push(diag);
        }
    }
    for d in &directives {
        for ((code, span), used) in d.rules.iter().zip(&d.used) {
            if *used {
                continue;
            }
            let place = if d.whole_line {
                format!("on line {}", d.lines.1 + 1)
            } else {
                "on this line".to_string()
            };
            out.push(
                Diagnostic::new(
                    codes::UNUSED_SUPPRESSION,
                    format!(
                        "unused suppression: no {} ({}) finding {place}",
                        code.id, code.name
                    ),
                    Label::at(Location::new(d.file, *span), "suppresses nothing"),
                )
                .with_help(format!(
                    "remove `{}` from the comment, or move the comment to the line of the finding (either end) or the line before it",
                    code.id
                )),
            );
        }
    }
    sort_and_dedup(&mut out, sources);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_byte_text_in_toml_multiline_strings() {
        // Found by fuzz/manifest: stepping through `"""é` by bytes sliced
        // inside the `é`.
        let text = "name = \"\"\"é\\é\n\"\"\" # timeoutlint: ignore[TL101]\n";
        assert_eq!(
            scan("timeoutlint.toml", text),
            ["# timeoutlint: ignore[TL101]"]
        );
        let text = "name = '''é'''\n";
        assert!(scan("timeoutlint.toml", text).is_empty());
    }

    fn scan(name: &str, text: &str) -> Vec<String> {
        let f = SourceFile::new(name, name, text.to_string());
        comments(text, Syntax::detect(&f))
            .iter()
            .map(|c| text[c.start..c.end].to_string())
            .collect()
    }

    fn syntax(name: &str, text: &str) -> Syntax {
        Syntax::detect(&SourceFile::new(name, name, text.to_string()))
    }

    #[test]
    fn detects_formats() {
        assert_eq!(syntax("app.yaml", ""), Syntax::Yaml);
        assert_eq!(syntax("a/settings.toml", ""), Syntax::Toml);
        assert_eq!(syntax("envoy.json", ""), Syntax::Json);
        assert_eq!(syntax("db/my.cnf", ""), Syntax::MyCnf);
        assert_eq!(syntax("db/server.conf", "[mysqld]\nx=1\n"), Syntax::MyCnf);
        assert_eq!(syntax("pgbouncer.ini", ""), Syntax::PgBouncer);
        assert_eq!(syntax("bouncer.ini", "[pgbouncer]\n"), Syntax::PgBouncer);
        assert_eq!(syntax("app/sysctl.d/60-k.conf", ""), Syntax::Sysctl);
        assert_eq!(
            syntax("k.conf", "net.ipv4.tcp_keepalive_time = 1\n"),
            Syntax::Sysctl
        );
        assert_eq!(syntax("postgresql.conf", ""), Syntax::PgConf);
        assert_eq!(syntax("lb/haproxy.cfg", ""), Syntax::Haproxy);
        assert_eq!(syntax("nginx.conf", ""), Syntax::Nginx);
        assert_eq!(syntax("dump.txt", "hello\n"), Syntax::Other);
        // A Python file is Python, whatever lines it holds.
        assert_eq!(
            syntax("settings.py", "[mysqld]\nwait_timeout = 1\n"),
            Syntax::Other
        );
    }

    #[test]
    fn whole_line_and_end_of_line_comments() {
        assert_eq!(
            scan("my.cnf", "# a\n  ; b\nwait_timeout = 600  # c\nx=1#d\n"),
            ["# a", "; b", "# c"]
        );
        assert_eq!(
            scan("postgresql.conf", "a = 'x # y' # z\r\n; no\n"),
            ["# z"]
        );
    }

    #[test]
    fn sysctl_and_pgbouncer_have_no_end_of_line_comments() {
        assert_eq!(
            scan(
                "sysctl.conf",
                "# a\n; b\nnet.ipv4.tcp_keepalive_time = 1 # c\n"
            ),
            ["# a", "; b"]
        );
        assert_eq!(
            scan("pgbouncer.ini", "[pgbouncer]\n ; a\nx = 1 # b\n"),
            ["; a"]
        );
    }

    #[test]
    fn yaml_quotes_and_block_scalars() {
        let text = "\
a: \"x # timeoutlint: ignore[TL101] not a comment\"
b: 'y # no' # yes
c: it's # yes too
d: url#frag
e: |
  # block text
  more
# after the block
f: >-
    # folded text
g: 1
";
        assert_eq!(
            scan("app.yaml", text),
            ["# yes", "# yes too", "# after the block"]
        );
    }

    #[test]
    fn toml_strings() {
        let text = "\
a = \"x # no\" # yes
b = '''
# inside a multi-line string
'''
c = \"\"\"one \\\"\"\" # still in\"\"\" # out
";
        assert_eq!(scan("app.toml", text), ["# yes", "# out"]);
    }

    #[test]
    fn nginx_quotes_at_word_start() {
        assert_eq!(
            scan("nginx.conf", "a b'c;  # yes\nd \"e # no\";\n"),
            ["# yes"]
        );
    }

    fn parse(line: &str) -> Option<Parsed> {
        let f = SourceFile::new("my.cnf", "my.cnf", line.to_string());
        let cs = comments(line, Syntax::detect(&f));
        parse_directive(line, cs.first()?)
    }

    fn valid_ids(line: &str) -> Vec<&'static str> {
        match parse(line) {
            Some(Parsed::Valid(rules)) => rules.iter().map(|(c, _)| c.id).collect(),
            other => panic!("{line}: {other:?}"),
        }
    }

    fn problems(line: &str) -> Vec<(String, String)> {
        match parse(line) {
            Some(Parsed::Invalid(p)) => p
                .into_iter()
                .map(|p| (line[p.span.start..p.span.end].to_string(), p.message))
                .collect(),
            other => panic!("{line}: {other:?}"),
        }
    }

    #[test]
    fn parses_ids_names_and_reasons() {
        assert_eq!(valid_ids("# timeoutlint: ignore[TL101] why"), ["TL101"]);
        assert_eq!(
            valid_ids("#timeoutlint:ignore[ tl101 , wait-timeout-exceeds-dropping-hop ]: why"),
            ["TL101", "TL106"]
        );
        assert_eq!(
            valid_ids("# TimeoutLint: IGNORE [TL101] - reviewed"),
            ["TL101"]
        );
        assert_eq!(
            parse("# just a note about timeoutlint: ignore[TL101] x"),
            None
        );
        assert_eq!(parse("# timeoutlint rules are nice"), None);
    }

    #[test]
    fn invalid_directives() {
        let p = problems("# timeoutlint: ignore[TL101]");
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].0, "# timeoutlint: ignore[TL101]");
        assert!(p[0].1.contains("without a reason"), "{}", p[0].1);
        assert!(
            problems("# timeoutlint: ignore[TL101] --")[0]
                .1
                .contains("without a reason")
        );

        let p = problems("# timeoutlint: ignore[TL101, TL999] typo");
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].0, "TL999");
        assert!(p[0].1.contains("unknown rule `TL999`"));

        let p = problems("# timeoutlint: ignore[TL009] no");
        assert_eq!(p[0].0, "TL009");
        assert!(p[0].1.contains("cannot be suppressed"));

        for bad in [
            "# timeoutlint: disable[TL101] x",
            "# timeoutlint: ignore TL101 x",
            "# timeoutlint: ignore[TL101 x",
            "# timeoutlint: ignore[] x",
            "# timeoutlint: ignore[TL101,] x",
        ] {
            let p = problems(bad);
            assert!(
                p[0].1.contains("is not `timeoutlint: ignore"),
                "{bad}: {p:?}"
            );
        }
    }

    fn map(files: &[(&str, &str)]) -> (SourceMap, Vec<FileId>) {
        let mut m = SourceMap::new(None);
        let ids = files
            .iter()
            .map(|(n, t)| m.add(Path::new(n), t.to_string()))
            .collect();
        (m, ids)
    }

    fn at(file: FileId, text: &str, needle: &str) -> Location {
        let s = text.find(needle).unwrap();
        Location::new(file, Span::new(s, s + needle.len()))
    }

    fn ids(diags: &[Diagnostic]) -> Vec<&'static str> {
        diags.iter().map(|d| d.code.id).collect()
    }

    #[test]
    fn either_end_same_line_or_line_before() {
        let app = "sqlalchemy:\n  pool_recycle: 3600\n";
        let cnf = "[mysqld]\n# timeoutlint: ignore[TL101] validated by pre_ping\n\
                   # another comment\nwait_timeout = 600\n";
        let (m, f) = map(&[("app.yaml", app), ("my.cnf", cnf)]);
        let d = Diagnostic::new(
            codes::POOL_RECYCLE_EXCEEDS_WAIT_TIMEOUT,
            "x",
            Label::at(at(f[0], app, "3600"), "pool_recycle"),
        )
        .with_related(Label::at(at(f[1], cnf, "600\n"), "wait_timeout"));
        assert!(apply(vec![d.clone()], &m).is_empty());

        // A blank line ends a whole-line directive's reach.
        let cnf2 = "[mysqld]\n# timeoutlint: ignore[TL101] validated\n\nwait_timeout = 600\n";
        let (m, f) = map(&[("app.yaml", app), ("my.cnf", cnf2)]);
        let d = Diagnostic::new(
            codes::POOL_RECYCLE_EXCEEDS_WAIT_TIMEOUT,
            "x",
            Label::at(at(f[0], app, "3600"), "pool_recycle"),
        )
        .with_related(Label::at(at(f[1], cnf2, "600\n"), "wait_timeout"));
        let out = apply(vec![d], &m);
        assert_eq!(ids(&out), ["TL101", "TL009"]);
        assert!(out[1].message.contains("on line 3"), "{}", out[1].message);
    }

    #[test]
    fn meta_codes_are_never_suppressed() {
        let cnf = "[mysqld]\nx = 1  # timeoutlint: ignore[TL101] why\n";
        let (m, f) = map(&[("my.cnf", cnf)]);
        let d = Diagnostic::new(
            codes::UNUSED_SUPPRESSION,
            "x",
            Label::at(at(f[0], cnf, "x = 1"), "l"),
        );
        let out = apply(vec![d], &m);
        // The given TL009 stays, and the directive (which matched nothing) adds one.
        assert_eq!(ids(&out), ["TL009", "TL009"]);
    }

    #[test]
    fn unused_rule_of_a_partly_used_directive() {
        let cnf = "[mysqld]\nwait_timeout = 600  # timeoutlint: ignore[TL101,TL106] why\n";
        let (m, f) = map(&[("my.cnf", cnf)]);
        let d = Diagnostic::new(
            codes::POOL_RECYCLE_EXCEEDS_WAIT_TIMEOUT,
            "x",
            Label::at(at(f[0], cnf, "600"), "l"),
        );
        let out = apply(vec![d], &m);
        assert_eq!(ids(&out), ["TL009"]);
        assert_eq!(m.text_at(out[0].primary.location.unwrap()), "TL106");
        assert!(out[0].message.contains("on this line"));
    }
}
