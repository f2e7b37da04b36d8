//! my.cnf (MySQL / MariaDB option file) syntax: a span-preserving line lexer.
//!
//! Syntax only: [`lex`] turns one file's text into [`Item`]s with byte spans;
//! which groups count, name normalisation, includes and number parsing live in
//! [`crate::systems::mysql`]. No INI crate keeps spans or reads bare keys and
//! `!include` lines correctly (CRATES.md section 2), hence this hand-written lexer.
//!
//! The rules follow `mysys/my_default.cc` (`search_default_file_with_ext`,
//! `remove_end_comment`, `get_argument`) in mysql/mysql-server, summarised in
//! DOMAIN.md section 1.2 and https://dev.mysql.com/doc/refman/8.0/en/option-files.html :
//!
//! - Leading whitespace is skipped. A line whose first non-blank character is
//!   `#` or `;` is a comment; a blank line is nothing.
//! - `[name]` starts a group. The name is trimmed; text after `]` is ignored;
//!   a missing `]` is an error (the server refuses to start).
//! - `!include PATH` / `!includedir PATH` (whitespace allowed after `!`): the
//!   path is the rest of the line with surrounding whitespace trimmed (no
//!   comment handling, as in the server). A directive without a path is an
//!   error; any other `!word` is ignored, as the server does.
//! - Anything else is an option `name[=value]`. First an end-of-line comment
//!   is removed: a `#` outside `'…'`/`"…"` quotes (a `\` inside quotes escapes
//!   the next character). `;` never starts an end-of-line comment, so in
//!   `wait_timeout = 300 ; note` the value is `300 ; note`. The name and value
//!   are trimmed; a value whose first and last characters are the same quote
//!   (and is longer than one character) loses that pair; then the escapes
//!   `\n \t \r \b \s \" \' \\` are processed (`\s` is a space, an unknown
//!   `\x` is kept as written, a final lone `\` is kept).
//!
//! [`lex_help_variables`] reads the variables table of a
//! `mysqld --verbose --help` dump instead.

use crate::source::Span;

/// One meaningful line of an option file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    /// A group header `[name]`.
    Group {
        /// The name, trimmed (case as written).
        name: String,
        /// The bytes of the trimmed name.
        name_span: Span,
        /// The whole header from `[` to `]` inclusive.
        span: Span,
    },
    /// An option line `name` or `name = value`.
    Option {
        /// The name as written (trimmed; not normalised).
        name: String,
        /// The bytes of the name.
        name_span: Span,
        /// The value, when the line has an `=`.
        value: Option<Value>,
    },
    /// `!include PATH` or `!includedir PATH`.
    Include {
        /// Which directive.
        kind: IncludeKind,
        /// The path text, trimmed at both ends.
        path: String,
        /// The bytes of the path.
        path_span: Span,
    },
    /// A line the server would reject.
    Error {
        /// Where.
        span: Span,
        /// Lower-case message, no trailing period.
        message: String,
    },
}

/// The two include directives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IncludeKind {
    /// `!include FILE`: reads that exact file.
    File,
    /// `!includedir DIR`: reads the `*.cnf` files of a folder.
    Dir,
}

/// An option's value after `=`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Value {
    /// The value as written, trimmed, quotes included.
    pub raw: String,
    /// The bytes of `raw` (empty span just after `=` for an empty value).
    pub span: Span,
    /// The value the server sees: one pair of matching quotes stripped and
    /// escapes processed.
    pub text: String,
}

/// Whitespace as the server's `my_isspace` on latin1 sees it (ASCII only).
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

/// `(start, end)` of `s[start..end]` with whitespace trimmed at both ends.
fn trim_range(s: &[u8], mut start: usize, mut end: usize) -> (usize, usize) {
    while start < end && is_space(s[start]) {
        start += 1;
    }
    while end > start && is_space(s[end - 1]) {
        end -= 1;
    }
    (start, end)
}

/// Lexes a whole option file. Never fails: problems become [`Item::Error`].
pub fn lex(text: &str) -> Vec<Item> {
    let mut items = Vec::new();
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let line_end = line_start + line.len();
        if let Some(item) = lex_line(text, line_start, line_end) {
            items.push(item);
        }
        line_start = line_end;
    }
    items
}

/// Lexes the line `text[start..end]` (which may include its `\n`).
fn lex_line(text: &str, start: usize, end: usize) -> Option<Item> {
    let b = text.as_bytes();
    let (p, end) = trim_range(b, start, end);
    if p >= end || b[p] == b'#' || b[p] == b';' {
        return None;
    }
    match b[p] {
        b'!' => lex_directive(text, p, end),
        b'[' => Some(lex_group(text, p, end)),
        _ => Some(lex_option(text, p, end)),
    }
}

fn lex_directive(text: &str, bang: usize, end: usize) -> Option<Item> {
    let b = text.as_bytes();
    let mut p = bang + 1;
    while p < end && is_space(b[p]) {
        p += 1;
    }
    let rest = &text[p..end];
    // The keyword must be followed by whitespace (or the end of the line).
    let keyword = |kw: &str| {
        rest.strip_prefix(kw)
            .is_some_and(|r| r.is_empty() || r.as_bytes().first().copied().is_some_and(is_space))
    };
    let (kind, kw_len, name) = if keyword("includedir") {
        (IncludeKind::Dir, "includedir".len(), "!includedir")
    } else if keyword("include") {
        (IncludeKind::File, "include".len(), "!include")
    } else {
        // The server ignores unknown directives.
        return None;
    };
    let (ps, pe) = trim_range(b, p + kw_len, end);
    if ps >= pe {
        return Some(Item::Error {
            span: Span::new(bang, end),
            message: format!("`{name}` directive without a path"),
        });
    }
    Some(Item::Include {
        kind,
        path: text[ps..pe].to_string(),
        path_span: Span::new(ps, pe),
    })
}

fn lex_group(text: &str, open: usize, end: usize) -> Item {
    let b = text.as_bytes();
    match text[open + 1..end].find(']') {
        None => Item::Error {
            span: Span::new(open, end),
            message: "group header has no closing `]`".to_string(),
        },
        Some(rel) => {
            let close = open + 1 + rel;
            let (ns, ne) = trim_range(b, open + 1, close);
            Item::Group {
                name: text[ns..ne].to_string(),
                name_span: Span::new(ns, ne),
                span: Span::new(open, close + 1),
            }
        }
    }
}

/// End of the option text once a `#` comment outside quotes is removed
/// (`remove_end_comment` in my_default.cc).
fn comment_start(b: &[u8], start: usize, end: usize) -> usize {
    let mut quote = 0u8;
    let mut escape = false;
    for (i, &c) in b.iter().enumerate().take(end).skip(start) {
        if (c == b'\'' || c == b'"') && !escape {
            if quote == 0 {
                quote = c;
            } else if quote == c {
                quote = 0;
            }
        }
        if quote == 0 && c == b'#' {
            return i;
        }
        escape = quote != 0 && c == b'\\' && !escape;
    }
    end
}

fn lex_option(text: &str, start: usize, end: usize) -> Item {
    let b = text.as_bytes();
    let cut = comment_start(b, start, end);
    let eq = text[start..cut].find('=').map(|i| start + i);
    let (ns, ne) = trim_range(b, start, eq.unwrap_or(cut));
    if ns >= ne {
        return Item::Error {
            span: Span::new(start, cut.max(start + 1).min(end)),
            message: "option without a name".to_string(),
        };
    }
    let value = eq.map(|eq| {
        let (vs, ve) = trim_range(b, eq + 1, cut);
        let raw = &text[vs..ve];
        Value {
            raw: raw.to_string(),
            span: Span::new(vs, ve),
            text: unquote_unescape(raw),
        }
    });
    Item::Option {
        name: text[ns..ne].to_string(),
        name_span: Span::new(ns, ne),
        value,
    }
}

/// Strips one pair of matching outer quotes, then processes escapes.
pub fn unquote_unescape(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let inner = match (bytes.first(), bytes.last()) {
        (Some(&f), Some(&l)) if bytes.len() > 1 && (f == b'"' || f == b'\'') && f == l => {
            &raw[1..raw.len() - 1]
        }
        _ => raw,
    };
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            None => out.push('\\'),
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('b') => out.push('\u{8}'),
            Some('s') => out.push(' '),
            Some('"') => out.push('"'),
            Some('\'') => out.push('\''),
            Some('\\') => out.push('\\'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
        }
    }
    out
}

/// One `name   value` row of a `mysqld --verbose --help` variables table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HelpVariable {
    /// The name as printed (`-` or `_` separators).
    pub name: String,
    /// The bytes of the name.
    pub name_span: Span,
    /// The value text as printed, e.g. `28800` or `(No default value)`.
    pub value: String,
    /// The bytes of the value.
    pub value_span: Span,
}

/// Reads the variables table of a `mysqld --verbose --help` dump, or returns
/// `None` when `text` has none (so it is an option file).
///
/// Shape (see `percona-toolkit__mysqldhelp003.txt` in the corpus): a line
/// starting `Variables (--variable-name=value)`, at most two lines later a
/// rule of dashes and spaces (`------- -------`), then `name value` rows up
/// to the first blank line. Rows without a value are skipped.
pub fn lex_help_variables(text: &str) -> Option<Vec<HelpVariable>> {
    let b = text.as_bytes();
    let mut lines = Vec::new();
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let end = start + line.len();
        let mut te = end;
        while te > start && is_space(b[te - 1]) {
            te -= 1;
        }
        lines.push((start, te));
        start = end;
    }
    let header = lines
        .iter()
        .position(|&(s, e)| text[s..e].starts_with("Variables (--variable-name=value)"))?;
    let is_rule = |&(s, e): &(usize, usize)| {
        let l = &text[s..e];
        l.starts_with('-') && l.contains(' ') && l.bytes().all(|c| c == b'-' || c == b' ')
    };
    let rule = (header + 1..(header + 4).min(lines.len())).find(|&i| is_rule(&lines[i]))?;
    let mut vars = Vec::new();
    for &(s, e) in &lines[rule + 1..] {
        if s >= e {
            break;
        }
        let row = &text[s..e];
        let Some(name_len) = row.find(|c: char| c.is_ascii_whitespace()) else {
            continue;
        };
        let (vs, ve) = trim_range(b, s + name_len, e);
        if vs >= ve {
            continue;
        }
        vars.push(HelpVariable {
            name: row[..name_len].to_string(),
            name_span: Span::new(s, s + name_len),
            value: text[vs..ve].to_string(),
            value_span: Span::new(vs, ve),
        });
    }
    Some(vars)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(line: &str) -> Option<Item> {
        let mut items = lex(line);
        assert!(items.len() <= 1, "{line:?} gave {items:?}");
        items.pop()
    }

    /// (line, name, raw value as written, processed value)
    #[test]
    fn options_accept() {
        let cases: &[(&str, &str, Option<&str>, Option<&str>)] = &[
            ("wait_timeout=600", "wait_timeout", Some("600"), Some("600")),
            (
                "  wait-timeout   =   600  ",
                "wait-timeout",
                Some("600"),
                Some("600"),
            ),
            (
                "wait_timeout = 600 # eight",
                "wait_timeout",
                Some("600"),
                Some("600"),
            ),
            (
                "wait_timeout = 600# eight",
                "wait_timeout",
                Some("600"),
                Some("600"),
            ),
            (
                "wait_timeout = 300 ; trailing",
                "wait_timeout",
                Some("300 ; trailing"),
                Some("300 ; trailing"),
            ),
            (
                "wait_timeout = \"300\"",
                "wait_timeout",
                Some("\"300\""),
                Some("300"),
            ),
            (
                "wait_timeout = '300'",
                "wait_timeout",
                Some("'300'"),
                Some("300"),
            ),
            ("x = \"a # b\" # c", "x", Some("\"a # b\""), Some("a # b")),
            (
                "x = 'it\\'s # no' # c",
                "x",
                Some("'it\\'s # no'"),
                Some("it's # no"),
            ),
            ("x = \"300'", "x", Some("\"300'"), Some("\"300'")),
            ("x = \"", "x", Some("\""), Some("\"")),
            ("x = ''", "x", Some("''"), Some("")),
            (
                "x = a\\tb\\nc\\sd\\\\e\\\"f\\'g\\rh\\bi",
                "x",
                Some("a\\tb\\nc\\sd\\\\e\\\"f\\'g\\rh\\bi"),
                Some("a\tb\nc d\\e\"f'g\rh\u{8}i"),
            ),
            ("x = a\\qb\\", "x", Some("a\\qb\\"), Some("a\\qb\\")),
            ("x =", "x", Some(""), Some("")),
            ("x = a=b", "x", Some("a=b"), Some("a=b")),
            ("skip-name-resolve", "skip-name-resolve", None, None),
            ("skip-name-resolve # why", "skip-name-resolve", None, None),
            ("skip-name-resolve\r\n", "skip-name-resolve", None, None),
            ("x = 1\r\n", "x", Some("1"), Some("1")),
            ("x = café", "x", Some("café"), Some("café")),
        ];
        for &(line, name, raw, text) in cases {
            match one(line) {
                Some(Item::Option {
                    name: n,
                    name_span,
                    value,
                }) => {
                    assert_eq!(n, name, "{line:?}");
                    assert_eq!(&line[name_span.start..name_span.end], name, "{line:?}");
                    assert_eq!(value.as_ref().map(|v| v.raw.as_str()), raw, "{line:?}");
                    assert_eq!(value.as_ref().map(|v| v.text.as_str()), text, "{line:?}");
                    if let Some(v) = value {
                        assert_eq!(&line[v.span.start..v.span.end], v.raw, "{line:?}");
                    }
                }
                other => panic!("{line:?} gave {other:?}"),
            }
        }
    }

    #[test]
    fn comments_and_blanks_are_nothing() {
        for line in [
            "",
            "   ",
            "# x = 1",
            "   # x",
            "; x = 1",
            "\t; x",
            "\r\n",
            "!unknown thing",
        ] {
            assert_eq!(one(line), None, "{line:?}");
        }
    }

    #[test]
    fn groups() {
        let cases = [
            ("[mysqld]", "mysqld", "[mysqld]"),
            ("  [ mysqld  ]  ", "mysqld", "[ mysqld  ]"),
            ("[mysqld-8.0] # c", "mysqld-8.0", "[mysqld-8.0]"),
            ("[client]x", "client", "[client]"),
            ("[]", "", "[]"),
        ];
        for (line, name, header) in cases {
            match one(line) {
                Some(Item::Group {
                    name: n,
                    name_span,
                    span,
                }) => {
                    assert_eq!(n, name, "{line:?}");
                    assert_eq!(&line[name_span.start..name_span.end], name);
                    assert_eq!(&line[span.start..span.end], header);
                }
                other => panic!("{line:?} gave {other:?}"),
            }
        }
    }

    #[test]
    fn includes() {
        let cases = [
            ("!include /etc/x.cnf", IncludeKind::File, "/etc/x.cnf"),
            (
                "!includedir /etc/my.cnf.d ",
                IncludeKind::Dir,
                "/etc/my.cnf.d",
            ),
            (
                "!includedir /etc/mysql/conf.d/\r\n",
                IncludeKind::Dir,
                "/etc/mysql/conf.d/",
            ),
            (
                "  ! include  rel/a b.cnf  ",
                IncludeKind::File,
                "rel/a b.cnf",
            ),
            (
                "!include\tx # not a comment",
                IncludeKind::File,
                "x # not a comment",
            ),
        ];
        for (line, kind, path) in cases {
            match one(line) {
                Some(Item::Include {
                    kind: k,
                    path: p,
                    path_span,
                }) => {
                    assert_eq!((k, p.as_str()), (kind, path), "{line:?}");
                    assert_eq!(&line[path_span.start..path_span.end], path);
                }
                other => panic!("{line:?} gave {other:?}"),
            }
        }
    }

    #[test]
    fn errors() {
        for line in [
            "[mysqld",
            "!include",
            "!includedir   ",
            "= 5",
            "  =",
            "# ok\n= 5 # x",
        ] {
            let items = lex(line);
            assert!(
                matches!(items.last(), Some(Item::Error { .. })),
                "{line:?} gave {items:?}"
            );
        }
    }

    #[test]
    fn spans_are_absolute_over_lines() {
        let text = "[mysqld]\n# c\nwait_timeout = 60\n";
        let items = lex(text);
        assert_eq!(items.len(), 2);
        let Item::Option { value: Some(v), .. } = &items[1] else {
            panic!("{items:?}");
        };
        assert_eq!(&text[v.span.start..v.span.end], "60");
    }

    #[test]
    fn help_dump() {
        let text = "Usage: mysqld\n\nVariables (--variable-name=value)\n\
                    and boolean options {FALSE|TRUE}  Value (after reading options)\n\
                    --------------------------------- -----------------------------\n\
                    bind-address                      (No default value)\n\
                    wait_timeout                      28800\n\
                    lonely\n\
                    \n\
                    after_blank                       1\n";
        let vars = lex_help_variables(text).expect("a dump");
        let got: Vec<_> = vars
            .iter()
            .map(|v| (v.name.as_str(), v.value.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("bind-address", "(No default value)"),
                ("wait_timeout", "28800")
            ]
        );
        let v = &vars[1];
        assert_eq!(&text[v.value_span.start..v.value_span.end], "28800");
        assert_eq!(lex_help_variables("[mysqld]\nwait_timeout=1\n"), None);
        assert_eq!(
            lex_help_variables("Variables (--variable-name=value)\nx 1\n"),
            None
        );
    }
}
