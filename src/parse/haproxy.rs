//! haproxy.cfg syntax: a span-preserving reimplementation of HAProxy's line
//! reader (`readcfgfile` in `src/cfgparse.c` and `parse_line` in
//! `src/tools.c` of haproxy/haproxy; `doc/configuration.txt` §2.1–2.3).
//!
//! Syntax only: [`lex`] turns one file's text into [`Item`]s with byte spans;
//! which sections count, inheritance from `defaults`, times and modes live in
//! [`crate::systems::haproxy`].
//!
//! - The file is read line by line. A line ends at `\n`, and also at `\r` or
//!   a NUL byte (`parse_line` stops there; the rest of such a line is never
//!   read).
//! - A UTF-8 byte order mark at the very start of the file is skipped.
//! - Leading whitespace is skipped; indentation means nothing. An empty line
//!   or one whose first character is `#` is a comment.
//! - Words are separated by unquoted, unescaped whitespace (`isspace`).
//! - `#` outside quotes starts a comment up to the end of the line, also
//!   right after a word (`timeout client 10s# note` is `10s`).
//! - `"..."` (weak quoting) keeps spaces, `#` and `'`; backslash escapes
//!   still apply inside, and so do environment variables (`"$NAME"`,
//!   `"${NAME}"`, `"${NAME-default}"`), which are expanded only inside double
//!   quotes. Their values are unknown to a linter: the text is kept as
//!   written and the word is marked [`Word::env`].
//! - `'...'` (strong quoting) keeps everything as is.
//! - Quotes may open and close in the middle of a word; the pieces
//!   concatenate (`"a b"'c'd` is the one word `a bcd`).
//! - Outside single quotes a backslash escapes ` `, `\`, `#`, `'`, `"`
//!   (and `$` inside double quotes); `\t`, `\n`, `\r` are control characters
//!   and `\xHH` a byte. `\x` without two hexadecimal digits is an error; any
//!   other backslash stays as written (`\1` is `\1`).
//! - An unmatched quote, a bad `$` variable name, an unclosed `${` and more
//!   than 64 words on one line make HAProxy refuse the file; [`lex`] reports
//!   them as [`Item::Error`] and goes on with the next line.
//! - A line whose first word is a section keyword (`global`, `defaults`,
//!   `frontend`, `backend`, `listen`, `userlist`, `peers`, `resolvers`, ...;
//!   see [`SECTION_KEYWORDS`]) opens a section; comparison is exact and
//!   case-sensitive, as HAProxy's `strcmp`. Every other line is a directive
//!   of the section in force.

use crate::source::Span;

/// Words HAProxy recognises as section starts (`cfg_register_section` in
/// haproxy 1.x–3.x). Lines inside these sections include `timeout` lines
/// that are not proxy timeouts (`resolvers`, `ring`, `mailers`,
/// `log-forward`), so all of them must be known to keep them apart.
pub const SECTION_KEYWORDS: &[&str] = &[
    "global",
    "defaults",
    "frontend",
    "backend",
    "listen",
    "userlist",
    "peers",
    "resolvers",
    "mailers",
    "program",
    "http-errors",
    "ring",
    "log-forward",
    "cache",
    "fcgi-app",
    "crt-store",
    "traces",
    "acme",
    "namespace_list",
];

/// Most words HAProxy accepts on one line (`MAX_LINE_ARGS`).
pub const MAX_WORDS: usize = 64;

/// One word of a line, after quote removal and escapes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    /// The word as HAProxy reads it (quotes removed, escapes applied;
    /// environment variables left as written).
    pub text: String,
    /// The bytes of the word as written, quotes included.
    pub span: Span,
    /// True when any part of the word was quoted.
    pub quoted: bool,
    /// True when the word refers to an environment variable (`"$X"`), so its
    /// real value is unknown here.
    pub env: bool,
}

/// One meaningful line of a haproxy.cfg file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    /// A section header such as `listen mysql` or `defaults tcp from base`.
    Section {
        /// The section keyword (`listen`, `defaults`, ...).
        keyword: Word,
        /// The words after the keyword (name, `from`, legacy address, ...).
        args: Vec<Word>,
        /// From the keyword to the end of the last word.
        span: Span,
    },
    /// Any other line: a keyword and its arguments.
    Directive {
        /// The words; never empty (`words[0]` is the keyword).
        words: Vec<Word>,
        /// From the first word to the end of the last word.
        span: Span,
    },
    /// A line HAProxy refuses.
    Error {
        /// Where, from the offending character to the end of the line.
        span: Span,
        /// Lower-case message, no trailing period.
        message: String,
        /// The words completed before the error (for redaction).
        words: Vec<Word>,
    },
}

/// True when `word` opens a section.
pub fn is_section_keyword(word: &str) -> bool {
    SECTION_KEYWORDS.contains(&word)
}

/// Lexes a whole haproxy.cfg file. Never fails: problems become
/// [`Item::Error`]s.
pub fn lex(text: &str) -> Vec<Item> {
    let b = text.as_bytes();
    let mut items = Vec::new();
    // A UTF-8 byte order mark before the first line is not part of it.
    let mut start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    while start < b.len() {
        let nl = b[start..]
            .iter()
            .position(|&c| c == b'\n')
            .map_or(b.len(), |i| start + i);
        // `\r` and NUL end the line for parse_line as well.
        let end = b[start..nl]
            .iter()
            .position(|&c| c == b'\r' || c == 0)
            .map_or(nl, |i| start + i);
        if let Some(item) = line(text, start, end) {
            items.push(item);
        }
        start = nl + 1;
    }
    items
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

fn hex(c: u8) -> Option<u8> {
    char::from(c)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

/// A word being built.
struct Building {
    bytes: Vec<u8>,
    start: usize,
    quoted: bool,
    env: bool,
}

impl Building {
    fn new(start: usize) -> Self {
        Building {
            bytes: Vec::new(),
            start,
            quoted: false,
            env: false,
        }
    }

    fn finish(self, end: usize) -> Word {
        Word {
            text: String::from_utf8_lossy(&self.bytes).into_owned(),
            span: Span::new(self.start, end),
            quoted: self.quoted,
            env: self.env,
        }
    }
}

/// Lexes the line `text[start..end]` (no line terminator inside).
fn line(text: &str, start: usize, end: usize) -> Option<Item> {
    let b = &text.as_bytes()[..end];
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    let mut p = start;
    while p < end && is_space(b[p]) {
        p += 1;
    }
    if p >= end || b[p] == b'#' {
        return None;
    }
    let mut words: Vec<Word> = Vec::new();
    let mut cur: Option<Building> = None;
    // Position of the opening quote in force, if any.
    let mut squote: Option<usize> = None;
    let mut dquote: Option<usize> = None;
    let trim_end = |from: usize| {
        let mut e = end;
        while e > from && is_space(b[e - 1]) {
            e -= 1;
        }
        e.max((from + 1).min(end))
    };
    let error = |words: Vec<Word>, from: usize, message: String| Item::Error {
        span: Span::new(from, trim_end(from)),
        message,
        words,
    };
    while p < end {
        let c = b[p];
        let inq = squote.is_some() || dquote.is_some();
        if !inq && is_space(c) {
            if let Some(w) = cur.take() {
                words.push(w.finish(p));
            }
            p += 1;
            continue;
        }
        if !inq && c == b'#' {
            break;
        }
        let w = cur.get_or_insert_with(|| Building::new(p));
        match c {
            b'"' if squote.is_none() => {
                dquote = if dquote.is_some() { None } else { Some(p) };
                w.quoted = true;
                p += 1;
            }
            b'\'' if dquote.is_none() => {
                squote = if squote.is_some() { None } else { Some(p) };
                w.quoted = true;
                p += 1;
            }
            b'\\' if squote.is_none() => {
                let next = at(p + 1);
                match next {
                    b' ' | b'\\' | b'#' | b'\'' | b'"' => {
                        w.bytes.push(next);
                        p += 2;
                    }
                    b'$' if dquote.is_some() => {
                        w.bytes.push(b'$');
                        p += 2;
                    }
                    b't' => {
                        w.bytes.push(b'\t');
                        p += 2;
                    }
                    b'n' => {
                        w.bytes.push(b'\n');
                        p += 2;
                    }
                    b'r' => {
                        w.bytes.push(b'\r');
                        p += 2;
                    }
                    b'x' => match (hex(at(p + 2)), hex(at(p + 3))) {
                        (Some(h), Some(l)) if p + 3 < end => {
                            w.bytes.push(h * 16 + l);
                            p += 4;
                        }
                        _ => {
                            return Some(error(
                                words,
                                p,
                                "`\\x` must be followed by two hexadecimal digits".to_string(),
                            ));
                        }
                    },
                    _ => {
                        w.bytes.push(b'\\');
                        p += 1;
                    }
                }
            }
            b'$' if dquote.is_some() => {
                // An environment variable: kept as written.
                let var_start = p;
                let mut q = p + 1;
                let brace = at(q) == b'{';
                if brace {
                    q += 1;
                }
                let first = at(q);
                if !(first.is_ascii_alphabetic() || first == b'_' || first == b'.') {
                    return Some(error(
                        words,
                        var_start,
                        "`$` must be followed by an environment variable name (write `\\$` for a dollar sign)"
                            .to_string(),
                    ));
                }
                q += 1;
                while q < end && (b[q].is_ascii_alphanumeric() || b[q] == b'_') {
                    q += 1;
                }
                if brace {
                    if at(q) == b'[' {
                        // `${NAME[*]}` word expansion.
                        if at(q + 1) == b'*' && at(q + 2) == b']' {
                            q += 3;
                        } else {
                            return Some(error(
                                words,
                                q,
                                "only `[*]` may follow a variable name inside `${...}`".to_string(),
                            ));
                        }
                    }
                    if at(q) == b'-' {
                        while q < end && b[q] != b'}' {
                            q += 1;
                        }
                    }
                    if q >= end || b[q] != b'}' {
                        return Some(error(
                            words,
                            var_start,
                            "`${` has no closing `}`".to_string(),
                        ));
                    }
                    q += 1;
                }
                w.bytes.extend_from_slice(&b[var_start..q]);
                w.env = true;
                p = q;
            }
            _ => {
                w.bytes.push(c);
                p += 1;
            }
        }
    }
    if let Some(open) = squote.or(dquote) {
        let q = char::from(b[open]);
        return Some(error(
            words,
            open,
            format!("quote `{q}` is not closed on this line"),
        ));
    }
    if let Some(w) = cur.take() {
        words.push(w.finish(p));
    }
    if words.len() > MAX_WORDS {
        let from = words[MAX_WORDS].span.start;
        let message = format!("more than {MAX_WORDS} words on one line");
        words.truncate(MAX_WORDS);
        return Some(error(words, from, message));
    }
    let first = words.first()?;
    let span = Span::new(first.span.start, words.last().map_or(p, |w| w.span.end));
    if !first.quoted && is_section_keyword(&first.text) {
        let mut words = words.into_iter();
        let keyword = words.next()?;
        return Some(Item::Section {
            keyword,
            args: words.collect(),
            span,
        });
    }
    Some(Item::Directive { words, span })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The words of a one-line text, or the error message.
    fn words(text: &str) -> Result<Vec<String>, String> {
        let items = lex(text);
        assert!(items.len() <= 1, "{text:?} gave {items:?}");
        match items.into_iter().next() {
            None => Ok(Vec::new()),
            Some(Item::Directive { words, .. }) => Ok(words.into_iter().map(|w| w.text).collect()),
            Some(Item::Section { keyword, args, .. }) => Ok(std::iter::once(keyword)
                .chain(args)
                .map(|w| w.text)
                .collect()),
            Some(Item::Error { message, span, .. }) => {
                assert!(text.get(span.start..span.end).is_some(), "{text:?}");
                assert!(span.end > span.start, "{text:?}");
                Err(message)
            }
        }
    }

    #[test]
    fn accept() {
        let cases: &[(&str, &[&str])] = &[
            ("timeout client 10s", &["timeout", "client", "10s"]),
            (
                "   timeout\tclient\t\t50000  ",
                &["timeout", "client", "50000"],
            ),
            ("timeout client 10s # ten", &["timeout", "client", "10s"]),
            ("timeout client 10s# ten", &["timeout", "client", "10s"]),
            ("timeout client 10s\r\n", &["timeout", "client", "10s"]),
            (
                "stats realm     Global\\ statistics",
                &["stats", "realm", "Global statistics"],
            ),
            ("a \"b c\" d", &["a", "b c", "d"]),
            ("a 'b \\ c' d", &["a", "b \\ c", "d"]),
            ("a \"x\"'y'z", &["a", "xyz"]),
            ("a \"it's\"", &["a", "it's"]),
            ("a 'say \"hi\"'", &["a", "say \"hi\""]),
            ("a \"#\" \\# b", &["a", "#", "#", "b"]),
            ("a \\\\ \\' \\\"", &["a", "\\", "'", "\""]),
            ("a \\1 \\d", &["a", "\\1", "\\d"]),
            ("a \\x41\\x62", &["a", "Ab"]),
            ("a \\t", &["a", "\t"]),
            ("a \"\\$HOME\" $HOME", &["a", "$HOME", "$HOME"]),
            ("bind \"fd@${FD_APP1}\"", &["bind", "fd@${FD_APP1}"]),
            ("a \"${X-10s}\"", &["a", "${X-10s}"]),
            ("a \"\"", &["a", ""]),
            ("x = café", &["x", "=", "café"]),
            (
                "--/etc/haproxy/haproxy.cfg",
                &["--/etc/haproxy/haproxy.cfg"],
            ),
            ("listen pgsql_pool ", &["listen", "pgsql_pool"]),
            (
                "http-request deny if { path_beg /x }",
                &["http-request", "deny", "if", "{", "path_beg", "/x", "}"],
            ),
        ];
        for &(text, want) in cases {
            assert_eq!(
                words(text),
                Ok(want.iter().map(|s| s.to_string()).collect()),
                "{text:?}"
            );
        }
    }

    #[test]
    fn comments_and_blank_lines() {
        for text in [
            "",
            "   ",
            "# x",
            "   # timeout client 1",
            "\t#",
            "\r\n",
            "\n\n",
        ] {
            assert_eq!(lex(text), [], "{text:?}");
        }
        // `\r` ends a line: what follows on that line is never read.
        assert_eq!(words("a b\rc d"), Ok(vec!["a".into(), "b".into()]));
    }

    #[test]
    fn reject() {
        let cases = [
            "a \"open",
            "a 'open",
            "a \"x\\\"",
            "a \\x4",
            "a \\xZZ",
            "a \\x",
            "a \"$1\"",
            "a \"${X\"",
            "a \"${X[1]}\"",
        ];
        for text in cases {
            assert!(words(text).is_err(), "{text:?} accepted");
        }
        let many = vec!["w"; MAX_WORDS + 1].join(" ");
        assert!(words(&many).is_err());
        let ok = vec!["w"; MAX_WORDS].join(" ");
        assert!(words(&ok).is_ok());
    }

    #[test]
    fn spans_cover_the_written_word() {
        let text = "  timeout client  \"10s\" # c\nlisten  db from base\n";
        let items = lex(text);
        assert_eq!(items.len(), 2);
        match &items[0] {
            Item::Directive { words, span } => {
                assert_eq!(&text[span.start..span.end], "timeout client  \"10s\"");
                assert_eq!(&text[words[2].span.start..words[2].span.end], "\"10s\"");
                assert_eq!(words[2].text, "10s");
                assert!(words[2].quoted);
            }
            other => panic!("{other:?}"),
        }
        match &items[1] {
            Item::Section {
                keyword,
                args,
                span,
            } => {
                assert_eq!(keyword.text, "listen");
                assert_eq!(&text[span.start..span.end], "listen  db from base");
                let a: Vec<_> = args.iter().map(|w| w.text.as_str()).collect();
                assert_eq!(a, ["db", "from", "base"]);
                assert_eq!(&text[args[0].span.start..args[0].span.end], "db");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn sections_are_exact_unquoted_keywords() {
        let kinds: Vec<bool> = lex("listen a\n  frontend b\nListen c\n\"listen\" d\nlistener e\n")
            .iter()
            .map(|i| matches!(i, Item::Section { .. }))
            .collect();
        assert_eq!(kinds, [true, true, false, false, false]);
    }

    #[test]
    fn errors_keep_earlier_words_and_resume() {
        let items = lex("stats auth admin:\"secret\nmode tcp\n");
        assert_eq!(items.len(), 2);
        match &items[0] {
            Item::Error { words, .. } => {
                let w: Vec<_> = words.iter().map(|w| w.text.as_str()).collect();
                assert_eq!(w, ["stats", "auth"]);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(items[1], Item::Directive { .. }));
    }

    #[test]
    fn odd_bytes_never_panic() {
        for text in [
            "\\",
            "\"",
            "'",
            "a \\x4\u{e9}",
            "\"$",
            "\"${",
            "\"${A-",
            "\u{feff}global",
            "\0listen x",
            "a\0b",
            "é \"é\" 'é' \\é",
        ] {
            let _ = lex(text);
        }
    }
}
