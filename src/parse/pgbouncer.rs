//! pgbouncer.ini syntax: a span-preserving reimplementation of PgBouncer's
//! own ini reader, and of its connection-string reader.
//!
//! Syntax only: [`lex`] turns one file's text into [`Item`]s with byte spans;
//! which sections count, defaults, units, includes and number parsing live in
//! [`crate::systems::pgbouncer`].
//!
//! [`lex`] follows `parse_ini_file_internal` in `lib/usual/cfparser.c` of
//! pgbouncer/pgbouncer (libusual), which reads the file with a cursor rather
//! than line by line:
//!
//! - Whitespace (`isspace`, newlines included) before an item is skipped.
//! - `%include` followed by a space or tab is a directive; the file name is
//!   the rest of the line with trailing whitespace removed. There is no
//!   comment handling on that line. `%include` alone is not a directive (and
//!   then not a valid entry either).
//! - `#` or `;` at that position starts a comment up to the end of the line.
//!   Nowhere else: in `server_idle_timeout = 600 # ten minutes` the value is
//!   `600 # ten minutes` (doc/config.md: "The characters `;` and `#` are not
//!   recognized as special when they appear later in the line").
//! - `[` starts a section header, which ends at the first `]` on the same
//!   line; the name between is kept exactly (not trimmed: `[ pgbouncer ]` is
//!   the section ` pgbouncer `). A missing `]` is a syntax error. Reading goes
//!   on right after `]`, so `[pgbouncer] # note` is a header then a comment.
//! - Anything else is `key = value`. An unquoted key is a run of ASCII
//!   letters, digits and `_ . - *`; a key may instead be quoted with `'...'`
//!   (newer cfparser) or `"..."` with `""` for a quote (doc/config.md for
//!   database names). Spaces or tabs may surround `=`, which is required. The
//!   value runs to the end of the line, trailing whitespace removed, and may
//!   be empty.
//! - A NUL byte ends the file, as for the C string PgBouncer reads.
//!
//! PgBouncer stops loading at the first problem; [`lex`] reports it as an
//! [`Item::Error`] and resumes at the next line so that a linter can report
//! everything at once.
//!
//! [`lex_connstring`] reads the values of `[databases]`, `[users]` and
//! `[peers]` entries like `cstr_get_pair` in `src/loader.c`: space-separated
//! `key=value` pairs, values optionally quoted `'...'` with `''` for a quote.

use crate::source::Span;

/// One meaningful piece of a pgbouncer.ini file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    /// A section header `[name]`.
    Section {
        /// The name exactly as written between the brackets.
        name: String,
        /// The bytes of `name`.
        name_span: Span,
        /// The whole header from `[` to `]` inclusive.
        span: Span,
    },
    /// A `key = value` entry.
    Entry {
        /// The key (quotes removed for a quoted key; case as written).
        key: String,
        /// The bytes of the key as written (quotes included).
        key_span: Span,
        /// The value as written, trailing whitespace removed.
        value: String,
        /// The bytes of `value` (an empty span after `=` when empty).
        value_span: Span,
    },
    /// A `%include FILE` directive.
    Include {
        /// The file name as written, trailing whitespace removed.
        path: String,
        /// The bytes of `path`.
        path_span: Span,
        /// The directive from `%` to the end of the file name.
        span: Span,
    },
    /// Text PgBouncer refuses ("syntax error in configuration").
    Error {
        /// Where (to the end of the offending line).
        span: Span,
        /// Lower-case message, no trailing period.
        message: String,
    },
}

/// `isspace` in the C locale.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

/// `isblank` in the C locale.
fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

fn is_key_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b'*')
}

/// Lexes a whole pgbouncer.ini file. Never fails: problems become
/// [`Item::Error`]s.
pub fn lex(text: &str) -> Vec<Item> {
    // PgBouncer reads the file as a C string: a NUL byte ends it.
    let len = text.bytes().position(|b| b == 0).unwrap_or(text.len());
    Lexer {
        text,
        b: &text.as_bytes()[..len],
        p: 0,
        items: Vec::new(),
    }
    .run()
}

struct Lexer<'a> {
    text: &'a str,
    b: &'a [u8],
    p: usize,
    items: Vec<Item>,
}

impl Lexer<'_> {
    fn at(&self, i: usize) -> u8 {
        self.b.get(i).copied().unwrap_or(0)
    }

    /// Index of the next `\n` at or after `from`, or the end.
    fn line_end(&self, from: usize) -> usize {
        self.b[from.min(self.b.len())..]
            .iter()
            .position(|&c| c == b'\n')
            .map_or(self.b.len(), |i| from + i)
    }

    /// End of `start..end` with trailing whitespace removed.
    fn trim_end(&self, start: usize, mut end: usize) -> usize {
        while end > start && is_space(self.b[end - 1]) {
            end -= 1;
        }
        end
    }

    fn slice(&self, start: usize, end: usize) -> String {
        self.text.get(start..end).unwrap_or("").to_string()
    }

    /// Records an error from `start` to the end of its line and resumes there.
    fn error(&mut self, start: usize, message: String) {
        let eol = self.line_end(start);
        let end = self.trim_end(start, eol).max((start + 1).min(eol));
        self.items.push(Item::Error {
            span: Span::new(start, end),
            message,
        });
        self.p = eol;
    }

    fn run(mut self) -> Vec<Item> {
        while self.p < self.b.len() {
            while self.p < self.b.len() && is_space(self.b[self.p]) {
                self.p += 1;
            }
            if self.p >= self.b.len() {
                break;
            }
            let start = self.p;
            let rest = &self.b[start..];
            if rest.starts_with(b"%include") && is_blank(self.at(start + 8)) {
                self.include(start);
            } else if rest[0] == b'#' || rest[0] == b';' {
                self.p = self.line_end(start);
            } else if rest[0] == b'[' {
                self.section(start);
            } else {
                self.entry(start);
            }
        }
        self.items
    }

    fn include(&mut self, start: usize) {
        let mut p = start + 8;
        while is_blank(self.at(p)) {
            p += 1;
        }
        let eol = self.line_end(p);
        let end = self.trim_end(p, eol);
        self.p = eol;
        if p >= end {
            self.items.push(Item::Error {
                span: Span::new(start, start + 8),
                message: "`%include` without a file name".to_string(),
            });
            return;
        }
        self.items.push(Item::Include {
            path: self.slice(p, end),
            path_span: Span::new(p, end),
            span: Span::new(start, end),
        });
    }

    fn section(&mut self, open: usize) {
        let mut p = open + 1;
        while p < self.b.len() && self.b[p] != b']' && self.b[p] != b'\n' {
            p += 1;
        }
        if self.at(p) != b']' {
            self.error(open, "section header has no closing `]`".to_string());
            return;
        }
        self.items.push(Item::Section {
            name: self.slice(open + 1, p),
            name_span: Span::new(open + 1, p),
            span: Span::new(open, p + 1),
        });
        self.p = p + 1;
    }

    fn entry(&mut self, start: usize) {
        let first = self.b[start];
        let (key, key_end) = if first == b'\'' || first == b'"' {
            match self.quoted_key(start, first) {
                Some(k) => k,
                None => {
                    let q = first as char;
                    self.error(start, format!("quoted key has no closing `{q}`"));
                    return;
                }
            }
        } else {
            let mut p = start;
            while p < self.b.len() && is_key_char(self.b[p]) {
                p += 1;
            }
            (self.slice(start, p), p)
        };
        let mut p = key_end;
        while is_blank(self.at(p)) {
            p += 1;
        }
        if self.at(p) != b'=' {
            let message = if key_end == start {
                "expected a `key = value` entry, a `[section]` header, a comment or `%include`"
                    .to_string()
            } else {
                format!("expected `=` after `{key}`")
            };
            self.error(start, message);
            return;
        }
        if key.is_empty() {
            self.error(start, "entry without a key before `=`".to_string());
            return;
        }
        p += 1;
        while is_blank(self.at(p)) {
            p += 1;
        }
        let eol = self.line_end(p);
        let end = self.trim_end(p, eol);
        self.items.push(Item::Entry {
            key,
            key_span: Span::new(start, key_end),
            value: self.slice(p, end),
            value_span: Span::new(p, end),
        });
        self.p = eol;
    }

    /// A key quoted with `quote`, starting at `open`: its text and the index
    /// after the closing quote. `""` inside double quotes is one quote.
    fn quoted_key(&self, open: usize, quote: u8) -> Option<(String, usize)> {
        let mut p = open + 1;
        let mut key = Vec::new();
        loop {
            let c = *self.b.get(p)?;
            if c == b'\n' {
                return None;
            }
            if c == quote {
                if quote == b'"' && self.at(p + 1) == b'"' {
                    key.push(c);
                    p += 2;
                    continue;
                }
                break;
            }
            key.push(c);
            p += 1;
        }
        // Only whole UTF-8 characters were copied (the quote is ASCII).
        let key = String::from_utf8(key).ok()?;
        Some((key, p + 1))
    }
}

/// One `key=value` pair of a connection string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnPair {
    /// The parameter name as written.
    pub key: String,
    /// The bytes of the name.
    pub key_span: Span,
    /// The value, quotes removed and `''` unescaped.
    pub value: String,
    /// The bytes of the value as written (quotes included).
    pub value_span: Span,
}

/// Why a connection string does not parse ("syntax error in connection
/// string" in PgBouncer's log).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnError {
    /// Where, from the offending pair to the end of the string.
    pub span: Span,
    /// Lower-case message, no trailing period.
    pub message: String,
    /// The key of the pair being read when the error occurred, if known
    /// (so a broken `password=` value can still be redacted).
    pub key: Option<String>,
}

/// Reads the connection string `value`, which starts at byte `base` of its
/// file, into pairs (spans are absolute). Pairs before an error are kept.
///
/// Grammar (`cstr_get_pair`, `src/loader.c`): pairs are separated by spaces
/// (only `' '`); a key runs to `=` or a space and must be followed
/// (after optional spaces) by `=`; a value is either `'...'` with `''` for a
/// quote, or runs to the next space; an empty value is an error. An empty
/// string has no pairs.
pub fn lex_connstring(value: &str, base: usize) -> (Vec<ConnPair>, Option<ConnError>) {
    let b = value.as_bytes();
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    let skip_ws = |mut i: usize| {
        while at(i) == b' ' {
            i += 1;
        }
        i
    };
    let slice = |s: usize, e: usize| value.get(s..e).unwrap_or("").to_string();
    let mut pairs = Vec::new();
    let mut p = skip_ws(0);
    while p < b.len() {
        let fail = |message: &str, key: Option<String>| ConnError {
            span: Span::new(base + p, base + b.len()),
            message: message.to_string(),
            key,
        };
        let ks = p;
        let mut ke = ks;
        while ke < b.len() && b[ke] != b'=' && b[ke] != b' ' {
            ke += 1;
        }
        let eq = skip_ws(ke);
        if at(eq) != b'=' || ke == ks {
            let msg = if ke == ks {
                "parameter without a name before `=`"
            } else {
                "parameter without `=value`"
            };
            return (pairs, Some(fail(msg, None)));
        }
        let key = slice(ks, ke);
        let vs = skip_ws(eq + 1);
        let (text, ve, next) = if at(vs) == b'\'' {
            let mut out = Vec::new();
            let mut i = vs + 1;
            loop {
                match b.get(i) {
                    None => {
                        return (
                            pairs,
                            Some(fail("quoted value has no closing `'`", Some(key))),
                        );
                    }
                    Some(b'\'') if at(i + 1) == b'\'' => {
                        out.push(b'\'');
                        i += 2;
                    }
                    Some(b'\'') => break,
                    Some(&c) => {
                        out.push(c);
                        i += 1;
                    }
                }
            }
            let text = String::from_utf8(out).unwrap_or_default();
            (text, i + 1, i + 1)
        } else {
            let mut i = vs;
            while i < b.len() && b[i] != b' ' {
                i += 1;
            }
            (slice(vs, i), i, i)
        };
        if text.is_empty() {
            return (
                pairs,
                Some(fail("parameter with an empty value", Some(key))),
            );
        }
        pairs.push(ConnPair {
            key,
            key_span: Span::new(base + ks, base + ke),
            value: text,
            value_span: Span::new(base + vs, base + ve),
        });
        // After a quoted value, PgBouncer cuts one character (normally the
        // separating space) before reading on.
        p = skip_ws(if next < b.len() { next + 1 } else { next });
    }
    (pairs, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(text: &str) -> Vec<(String, String)> {
        lex(text)
            .into_iter()
            .map(|i| match i {
                Item::Entry { key, value, .. } => (key, value),
                Item::Section { name, .. } => ("[]".into(), name),
                Item::Include { path, .. } => ("%include".into(), path),
                Item::Error { message, .. } => ("!".into(), message),
            })
            .collect()
    }

    /// (line, key, value as read by PgBouncer)
    #[test]
    fn entries_accept() {
        let cases: &[(&str, &str, &str)] = &[
            ("server_idle_timeout = 600", "server_idle_timeout", "600"),
            ("  server_idle_timeout=600  ", "server_idle_timeout", "600"),
            ("x\t=\t1\r\n", "x", "1"),
            // A trailing `#` or `;` is part of the value.
            (
                "server_idle_timeout = 600 # ten",
                "server_idle_timeout",
                "600 # ten",
            ),
            (
                "server_idle_timeout = 600# ten",
                "server_idle_timeout",
                "600# ten",
            ),
            (
                "server_reset_query = ; blank",
                "server_reset_query",
                "; blank",
            ),
            ("x =", "x", ""),
            ("x = a = b", "x", "a = b"),
            ("* = host=foo", "*", "host=foo"),
            ("my-db.v2 = host=a", "my-db.v2", "host=a"),
            ("'my db' = host=a", "my db", "host=a"),
            ("\"a\"\"b\" = host=a", "a\"b", "host=a"),
            ("x = café", "x", "café"),
        ];
        for &(line, key, value) in cases {
            let items = lex(line);
            assert_eq!(items.len(), 1, "{line:?} gave {items:?}");
            match &items[0] {
                Item::Entry {
                    key: k,
                    value: v,
                    value_span,
                    key_span,
                } => {
                    assert_eq!((k.as_str(), v.as_str()), (key, value), "{line:?}");
                    assert_eq!(&line[value_span.start..value_span.end], value);
                    let written = &line[key_span.start..key_span.end];
                    assert!(
                        written == key || written.starts_with(['\'', '"']),
                        "{line:?}"
                    );
                }
                other => panic!("{line:?} gave {other:?}"),
            }
        }
    }

    #[test]
    fn comments_only_at_line_start() {
        for text in ["# x = 1", "; x = 1", "   # x", "\t;x", "", "\n\n", "  \r\n"] {
            assert_eq!(lex(text), [], "{text:?}");
        }
        assert_eq!(
            entries("[pgbouncer] # note\nx = 1 ; not a comment\n"),
            [
                ("[]".to_string(), "pgbouncer".to_string()),
                ("x".to_string(), "1 ; not a comment".to_string())
            ]
        );
        // Reading resumes after `]`: an entry on the header's line counts.
        assert_eq!(entries("[pgbouncer] x = 1").len(), 2);
    }

    #[test]
    fn sections() {
        let cases = [
            ("[pgbouncer]", "pgbouncer", "[pgbouncer]"),
            ("  [ pgbouncer ]", " pgbouncer ", "[ pgbouncer ]"),
            ("[databases]\r\n", "databases", "[databases]"),
            ("[]", "", "[]"),
        ];
        for (line, name, header) in cases {
            match lex(line).first() {
                Some(Item::Section {
                    name: n,
                    name_span,
                    span,
                }) => {
                    assert_eq!(n, name);
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
            ("%include other.ini", "other.ini"),
            (
                "%include\t/etc/pgbouncer/a b.ini  \r\n",
                "/etc/pgbouncer/a b.ini",
            ),
            (
                "  %include   x.ini # not a comment",
                "x.ini # not a comment",
            ),
        ];
        for (line, path) in cases {
            match lex(line).first() {
                Some(Item::Include {
                    path: p, path_span, ..
                }) => {
                    assert_eq!(p, path);
                    assert_eq!(&line[path_span.start..path_span.end], path);
                }
                other => panic!("{line:?} gave {other:?}"),
            }
        }
    }

    #[test]
    fn errors() {
        for text in [
            "[pgbouncer",
            "[pgbouncer\n]",
            "%include",
            "%include   ",
            "%includex.ini",
            "listen_port 6432",
            "= 5",
            "--/etc/pgbouncer/pgbouncer.ini",
            "key: 1",
            "'open = 1",
            "\u{feff}[pgbouncer]",
            "café = 1",
            "[a]]",
        ] {
            let items = lex(text);
            assert!(
                items.iter().any(|i| matches!(i, Item::Error { .. })),
                "{text:?} gave {items:?}"
            );
            for i in &items {
                if let Item::Error { span, .. } = i {
                    assert!(text.get(span.start..span.end).is_some(), "{text:?}");
                }
            }
        }
    }

    #[test]
    fn resumes_after_errors_and_stops_at_nul() {
        let got = entries("oops\nx = 1\n\0y = 2\n");
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[1], ("x".to_string(), "1".to_string()));
    }

    #[test]
    fn connstrings() {
        let base = 10;
        let s = "host=db port=5432  password='it''s x' dbname=a";
        let (pairs, err) = lex_connstring(s, base);
        assert_eq!(err, None);
        let got: Vec<_> = pairs
            .iter()
            .map(|p| (p.key.as_str(), p.value.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("host", "db"),
                ("port", "5432"),
                ("password", "it's x"),
                ("dbname", "a")
            ]
        );
        let pw = &pairs[2];
        assert_eq!(
            &s[pw.value_span.start - base..pw.value_span.end - base],
            "'it''s x'"
        );
        assert_eq!(lex_connstring("", 0), (vec![], None));
        assert_eq!(lex_connstring("   ", 0), (vec![], None));
        let q = "connect_query='set a=1; set b=2' user=x";
        let (pairs, err) = lex_connstring(q, 0);
        assert_eq!(err, None);
        assert_eq!(pairs[0].value, "set a=1; set b=2");
        assert_eq!(pairs[1].value, "x");
    }

    #[test]
    fn connstring_errors() {
        for (s, pairs_before) in [
            ("host=", 0),
            ("host", 0),
            ("=x", 0),
            ("host=a port", 1),
            ("host=a password='open", 1),
            ("host=a password=''", 1),
        ] {
            let (pairs, err) = lex_connstring(s, 0);
            assert_eq!(pairs.len(), pairs_before, "{s:?}");
            let err = err.unwrap_or_else(|| panic!("{s:?} parsed"));
            assert!(s.get(err.span.start..err.span.end).is_some());
        }
        let (_, err) = lex_connstring("password='open", 0);
        assert_eq!(err.and_then(|e| e.key), Some("password".to_string()));
    }
}
