//! sysctl.conf / sysctl.d syntax: a span-preserving line lexer.
//!
//! Syntax only: no units, defaults or meaning (see [`crate::systems::sysctl`]).
//! The grammar follows `sysctl.d(5)` (systemd 252) and `sysctl.conf(5)`
//! (procps 4.0.2):
//!
//! - one setting per line, `key = value`; whitespace around the key and the
//!   value is ignored, the value may contain inner spaces (`4096 87380 6291456`)
//!   and may be empty (`kernel.hotplug =`, as `sysctl -a` prints it);
//! - blank lines and lines whose first non-blank character is `#` or `;` are
//!   comments; there are **no end-of-line comments** (`600 # x` is the value);
//! - a key may start with `-`: failure to set it is ignored;
//! - `-key` alone (no `=`) excludes the key from glob matches (systemd): kept
//!   as an [`Exclusion`], not an error;
//! - keys use `.` or `/` as separators: if the first separator is `/`, the
//!   rest are literal path components; if it is `.`, dots and slashes are
//!   interchanged. [`canonical_key`] gives the dotted name `sysctl -a` prints.
//!
//! Every other line is a [`SyntaxError`]. Lines may end in `\r\n`; a UTF-8
//! byte order mark at the start of the text is skipped.

use crate::source::Span;

/// One `key = value` line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assignment {
    /// Canonical dotted key, e.g. `net.ipv4.tcp_keepalive_time` (see [`canonical_key`]).
    pub key: String,
    /// The key as written, without the `-` prefix.
    pub key_text: String,
    /// Bytes of [`Assignment::key_text`].
    pub key_span: Span,
    /// The value, trimmed (may be empty).
    pub value: String,
    /// Bytes of [`Assignment::value`]; empty (at the end of the line) when the value is.
    pub value_span: Span,
    /// True when the line starts with `-` (failure to set is ignored).
    pub ignore_failure: bool,
    /// The whole line without leading and trailing blanks.
    pub line_span: Span,
}

/// A `-key` line without `=`: excludes `key` from glob matches (systemd).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exclusion {
    /// Canonical dotted key.
    pub key: String,
    /// Bytes of the key as written, without the `-`.
    pub key_span: Span,
}

/// A line that is neither a comment nor `key = value`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    /// What is wrong: lower-case start, no trailing period.
    pub message: String,
    /// The offending bytes (the trimmed line, or the key).
    pub span: Span,
    /// The whole line without leading and trailing blanks.
    pub line_span: Span,
}

/// The lexed lines of one file, each list in file order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ParsedFile {
    /// `key = value` lines.
    pub assignments: Vec<Assignment>,
    /// `-key` lines.
    pub exclusions: Vec<Exclusion>,
    /// Lines that are not valid syntax.
    pub errors: Vec<SyntaxError>,
    /// Number of comment lines (`#` or `;`), not counting blank lines.
    pub comment_lines: usize,
}

/// Blank characters trimmed around keys and values (`\r` covers CRLF files).
pub fn is_blank(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\x0b' | '\x0c')
}

/// The canonical dotted name of a key written with `.` or `/` separators.
///
/// Per `sysctl.d(5)`: when the first separator is `/`, the key is a literal
/// /proc/sys path, so its dots belong to names (an interface `eth0.1`); the
/// dotted form then swaps the two characters (`net/ipv4/conf/eth0.1/rp_filter`
/// becomes `net.ipv4.conf.eth0/1.rp_filter`, as `sysctl -a` prints it). When
/// the first separator is `.`, the key is already dotted. Leading `/` are dropped.
pub fn canonical_key(raw: &str) -> String {
    let raw = raw.trim_start_matches('/');
    match raw.find(['.', '/']) {
        Some(i) if raw.as_bytes().get(i) == Some(&b'/') => raw
            .chars()
            .map(|c| match c {
                '/' => '.',
                '.' => '/',
                other => other,
            })
            .collect(),
        _ => raw.to_string(),
    }
}

/// Lexes `text`, never failing: bad lines become [`SyntaxError`]s.
pub fn parse(text: &str) -> ParsedFile {
    let mut out = ParsedFile::default();
    let mut line_start = 0;
    for raw_line in text.split_inclusive('\n') {
        let start = line_start;
        line_start += raw_line.len();
        let mut line = raw_line.strip_suffix('\n').unwrap_or(raw_line);
        let mut offset = start;
        if start == 0
            && let Some(rest) = line.strip_prefix('\u{feff}')
        {
            offset += '\u{feff}'.len_utf8();
            line = rest;
        }
        lex_line(line, offset, &mut out);
    }
    out
}

/// Lexes one line (without its `\n`) that starts at byte `offset` of the file.
fn lex_line(line: &str, offset: usize, out: &mut ParsedFile) {
    let (content, cstart) = trim(line, 0);
    if content.is_empty() {
        return;
    }
    if content.starts_with('#') || content.starts_with(';') {
        out.comment_lines += 1;
        return;
    }
    let line_span = Span::new(offset + cstart, offset + cstart + content.len());
    let (body, ignore_failure, body_start) = match content.strip_prefix('-') {
        Some(rest) => (rest, true, cstart + 1),
        None => (content, false, cstart),
    };
    let error = |message: String, span: Span| SyntaxError {
        message,
        span,
        line_span,
    };
    let Some(eq) = body.find('=') else {
        let (key, kstart) = trim(body, body_start);
        let key_span = Span::new(offset + kstart, offset + kstart + key.len());
        if ignore_failure && !key.is_empty() && !key.contains(is_blank) {
            out.exclusions.push(Exclusion {
                key: canonical_key(key),
                key_span,
            });
        } else {
            out.errors.push(error(
                format!("expected `key = value`, found `{}`", shorten(content)),
                line_span,
            ));
        }
        return;
    };
    let (key, kstart) = trim(&body[..eq], body_start);
    let eq_at = offset + body_start + eq;
    if key.is_empty() {
        out.errors.push(error(
            "missing key before `=`".to_string(),
            Span::new(eq_at, eq_at + 1),
        ));
        return;
    }
    let key_span = Span::new(offset + kstart, offset + kstart + key.len());
    if key.contains(is_blank) {
        out.errors.push(error(
            format!("key `{}` contains whitespace", shorten(key)),
            key_span,
        ));
        return;
    }
    let (value, vstart) = trim(&body[eq + 1..], body_start + eq + 1);
    let value_span = if value.is_empty() {
        Span::new(line_span.end, line_span.end)
    } else {
        Span::new(offset + vstart, offset + vstart + value.len())
    };
    out.assignments.push(Assignment {
        key: canonical_key(key),
        key_text: key.to_string(),
        key_span,
        value: value.to_string(),
        value_span,
        ignore_failure,
        line_span,
    });
}

/// `s` without leading/trailing blanks, and the offset of the result, given
/// that `s` starts at `base`.
fn trim(s: &str, base: usize) -> (&str, usize) {
    let t = s.trim_start_matches(is_blank);
    let lead = s.len() - t.len();
    (t.trim_end_matches(is_blank), base + lead)
}

/// At most 60 characters of `s`, with `…` when cut: keeps messages one short line.
pub fn shorten(s: &str) -> String {
    const MAX: usize = 60;
    match s.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slice(text: &str, span: Span) -> &str {
        &text[span.start..span.end]
    }

    /// (line, canonical key, key text, value, ignore_failure)
    const ACCEPT: &[(&str, &str, &str, &str, bool)] = &[
        (
            "net.ipv4.tcp_keepalive_time = 600",
            "net.ipv4.tcp_keepalive_time",
            "net.ipv4.tcp_keepalive_time",
            "600",
            false,
        ),
        ("a.b=1", "a.b", "a.b", "1", false),
        ("a.b= 1", "a.b", "a.b", "1", false),
        ("a.b =1", "a.b", "a.b", "1", false),
        ("  \ta.b   =   1  \t", "a.b", "a.b", "1", false),
        ("a.b = 1\r", "a.b", "a.b", "1", false),
        (
            "net.ipv4.tcp_rmem = 4096 87380 6291456",
            "net.ipv4.tcp_rmem",
            "net.ipv4.tcp_rmem",
            "4096 87380 6291456",
            false,
        ),
        ("a.b = 600 # comment", "a.b", "a.b", "600 # comment", false),
        ("a.b = x = y", "a.b", "a.b", "x = y", false),
        (
            "kernel.hotplug = ",
            "kernel.hotplug",
            "kernel.hotplug",
            "",
            false,
        ),
        (
            "kernel.hotplug=",
            "kernel.hotplug",
            "kernel.hotplug",
            "",
            false,
        ),
        ("-net.a.b = 1", "net.a.b", "net.a.b", "1", true),
        ("- net.a.b = 1", "net.a.b", "net.a.b", "1", true),
        (
            "net/ipv4/tcp_keepalive_time = 5",
            "net.ipv4.tcp_keepalive_time",
            "net/ipv4/tcp_keepalive_time",
            "5",
            false,
        ),
        (
            "net/ipv4/conf/eth0.1/rp_filter = 1",
            "net.ipv4.conf.eth0/1.rp_filter",
            "net/ipv4/conf/eth0.1/rp_filter",
            "1",
            false,
        ),
        (
            "net.ipv4.conf.eth0/1.rp_filter = 1",
            "net.ipv4.conf.eth0/1.rp_filter",
            "net.ipv4.conf.eth0/1.rp_filter",
            "1",
            false,
        ),
        (
            "fs.binfmt_misc.python2/7 = flags:",
            "fs.binfmt_misc.python2/7",
            "fs.binfmt_misc.python2/7",
            "flags:",
            false,
        ),
        (
            "kernel.domainname = (none)",
            "kernel.domainname",
            "kernel.domainname",
            "(none)",
            false,
        ),
        ("vm.x = café", "vm.x", "vm.x", "café", false),
    ];

    #[test]
    fn accepts_key_value_lines() {
        for &(line, key, key_text, value, ignore) in ACCEPT {
            let p = parse(line);
            assert!(p.errors.is_empty(), "{line:?}: {:?}", p.errors);
            assert_eq!(p.assignments.len(), 1, "{line:?}");
            let a = &p.assignments[0];
            assert_eq!(a.key, key, "{line:?}");
            assert_eq!(a.key_text, key_text, "{line:?}");
            assert_eq!(slice(line, a.key_span), key_text, "{line:?}");
            assert_eq!(a.value, value, "{line:?}");
            assert_eq!(slice(line, a.value_span), value, "{line:?}");
            assert_eq!(a.ignore_failure, ignore, "{line:?}");
            assert_eq!(
                slice(line, a.line_span),
                line.trim_matches(is_blank),
                "{line:?}"
            );
        }
    }

    #[test]
    fn rejects_other_lines() {
        // (line, expected message prefix, expected span text)
        let cases = [
            (
                "net.ipv4.tcp_keepalive_time 600",
                "expected `key = value`",
                "net.ipv4.tcp_keepalive_time 600",
            ),
            ("garbage", "expected `key = value`", "garbage"),
            ("= 5", "missing key", "="),
            ("  =", "missing key", "="),
            ("-= 5", "missing key", "="),
            ("-", "expected `key = value`", "-"),
            (
                "net ipv4 = 5",
                "key `net ipv4` contains whitespace",
                "net ipv4",
            ),
            (
                "sysctl: permission denied on key 'a.b'",
                "expected `key = value`",
                "sysctl: permission denied on key 'a.b'",
            ),
            ("- a b", "expected `key = value`", "- a b"),
        ];
        for (line, msg, span_text) in cases {
            let p = parse(line);
            assert!(p.assignments.is_empty(), "{line:?}");
            assert_eq!(p.errors.len(), 1, "{line:?}");
            let e = &p.errors[0];
            assert!(e.message.starts_with(msg), "{line:?}: {}", e.message);
            assert_eq!(slice(line, e.span), span_text, "{line:?}");
        }
    }

    #[test]
    fn comments_blank_lines_and_exclusions() {
        let text = "# c\n  ; c2\n\n \t \n#a.b = 1\n;a.b=2\n-net.ipv4.conf.*.rp_filter\n";
        let p = parse(text);
        assert!(p.assignments.is_empty());
        assert!(p.errors.is_empty());
        assert_eq!(p.comment_lines, 4);
        assert_eq!(p.exclusions.len(), 1);
        assert_eq!(p.exclusions[0].key, "net.ipv4.conf.*.rp_filter");
        assert_eq!(
            slice(text, p.exclusions[0].key_span),
            "net.ipv4.conf.*.rp_filter"
        );
    }

    #[test]
    fn spans_are_file_offsets_across_lines() {
        let text = "\u{feff}# é\r\na.b = 1\r\n  c/d =  two words \r\nbad line\n";
        let p = parse(text);
        assert_eq!(p.assignments.len(), 2);
        assert_eq!(slice(text, p.assignments[0].value_span), "1");
        assert_eq!(slice(text, p.assignments[1].key_span), "c/d");
        assert_eq!(p.assignments[1].key, "c.d");
        assert_eq!(slice(text, p.assignments[1].value_span), "two words");
        assert_eq!(p.errors.len(), 1);
        assert_eq!(slice(text, p.errors[0].span), "bad line");
        assert_eq!(p.comment_lines, 1);
    }

    #[test]
    fn empty_value_span_sits_at_line_end() {
        let text = "a.b =   \nc.d = 1\n";
        let p = parse(text);
        let a = &p.assignments[0];
        assert!(a.value_span.is_empty());
        assert_eq!(a.value_span.start, "a.b =".len());
    }

    #[test]
    fn canonical_keys() {
        assert_eq!(
            canonical_key("net.ipv4.tcp_keepalive_time"),
            "net.ipv4.tcp_keepalive_time"
        );
        assert_eq!(
            canonical_key("net/ipv4/tcp_keepalive_time"),
            "net.ipv4.tcp_keepalive_time"
        );
        assert_eq!(
            canonical_key("/net/ipv4/tcp_keepalive_time"),
            "net.ipv4.tcp_keepalive_time"
        );
        assert_eq!(
            canonical_key("net/ipv4/conf/eth0.1/rp_filter"),
            "net.ipv4.conf.eth0/1.rp_filter"
        );
        assert_eq!(canonical_key("kernel"), "kernel");
        assert_eq!(canonical_key(""), "");
    }

    #[test]
    fn never_panics_on_odd_input() {
        for text in [
            "",
            "\n",
            "=",
            "==",
            "-",
            "-=",
            "\u{feff}",
            "\u{feff}=",
            "a=\u{feff}",
            "é=é\r",
            "\r\n\r\n",
            "a.b = 1",
        ] {
            let _ = parse(text);
        }
    }
}
