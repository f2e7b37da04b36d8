//! nginx configuration syntax: tokens, directives and blocks with byte spans.
//!
//! Syntax only: [`tokenize`] turns one file's text into [`Token`]s and
//! [`parse`] groups them into [`Directive`]s; which directives mean what,
//! `include` resolution, time units and defaults live in
//! [`crate::systems::nginx`].
//!
//! [`tokenize`] follows `ngx_conf_read_token` in `src/core/ngx_conf_file.c`
//! of nginx/nginx:
//!
//! - Space, tab, CR and LF separate words.
//! - `;` ends a directive, `{` opens a block, `}` closes one. `;` and `{` also
//!   end a bare word (`listen 3306;`), but `}` does not: nginx reads `a}` as
//!   one word, so a `}` must be preceded by a separator.
//! - `#` starts a comment up to the end of the line, but only where a word
//!   could start: inside a word (`a#b`) it is an ordinary character.
//! - A word starting with `"` or `'` runs to the matching unescaped quote;
//!   quotes in the middle of a bare word are ordinary characters. After the
//!   closing quote, only a separator, `;`, `{` or `)` may follow
//!   (`"a"b` is "unexpected \"b\"").
//! - `\` escapes the next character in any word. When a word is stored,
//!   `\"`, `\'` and `\\` become the character, `\t`, `\r` and `\n` a tab,
//!   CR and LF; any other `\x` is kept as both characters.
//! - `${` keeps a `{` inside a word (a variable like `${name}`).
//!
//! [`parse`] follows `ngx_conf_parse`: a directive is one or more words ended
//! by `;` or by a `{ ... }` block. A `;` or `{` with no word before it, a `}`
//! after unfinished words or with no open block, and the end of the file
//! inside a directive or block are errors. nginx stops at the first error;
//! [`parse`] records it in [`Config::errors`] and goes on, so a linter can
//! report everything in one run and still use the directives it read.

use crate::source::Span;

/// One word: a directive name or argument.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    /// The value as nginx stores it: quotes removed, escapes resolved.
    pub text: String,
    /// The bytes of the word as written (quotes included).
    pub span: Span,
    /// True when the word was written in `"..."` or `'...'`.
    pub quoted: bool,
}

/// A lexical token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Token {
    /// A word (bare or quoted).
    Word(Word),
    /// `;` at this byte.
    Semicolon(Span),
    /// `{` at this byte.
    Open(Span),
    /// `}` at this byte.
    Close(Span),
}

/// A syntax error: lower-case message without a trailing period, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    /// What is wrong, e.g. `unexpected "}"`.
    pub message: String,
    /// The offending bytes.
    pub span: Span,
}

/// A `{ ... }` block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    /// The directives inside, in file order.
    pub directives: Vec<Directive>,
    /// The `{`.
    pub open: Span,
    /// The `}`; `None` when the file ended first (an error is recorded).
    pub close: Option<Span>,
}

/// One directive: `name args... ;` or `name args... { ... }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Directive {
    /// The first word.
    pub name: Word,
    /// The other words.
    pub args: Vec<Word>,
    /// The block, for a block directive.
    pub block: Option<Block>,
    /// From the name to the `;` or `}` inclusive (to the last byte read when
    /// the file ended first).
    pub span: Span,
}

impl Directive {
    /// True for `include FILE;` (the only file-level directive nginx handles
    /// while parsing).
    pub fn is_include(&self) -> bool {
        self.name.text == "include" && self.block.is_none()
    }
}

/// A parsed file: top-level directives and every syntax error.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Config {
    /// Top-level directives in file order.
    pub directives: Vec<Directive>,
    /// Problems nginx would refuse to start with, in file order.
    pub errors: Vec<SyntaxError>,
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// Resolves nginx escapes in the raw bytes of a word body (quotes excluded).
fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.peek() {
            Some(&n @ ('"' | '\'' | '\\')) => {
                out.push(n);
                chars.next();
            }
            Some('t') => {
                out.push('\t');
                chars.next();
            }
            Some('r') => {
                out.push('\r');
                chars.next();
            }
            Some('n') => {
                out.push('\n');
                chars.next();
            }
            _ => out.push('\\'),
        }
    }
    out
}

/// Splits one file's text into tokens. Never fails: problems become
/// [`SyntaxError`]s and reading goes on after them.
pub fn tokenize(text: &str) -> (Vec<Token>, Vec<SyntaxError>) {
    let b = text.as_bytes();
    let mut tokens = Vec::new();
    let mut errors = Vec::new();
    let mut p = 0;
    // Set after a closing quote: the next byte must be a separator.
    let mut need_space = false;
    while p < b.len() {
        let c = b[p];
        if need_space {
            need_space = false;
            if !(is_space(c) || c == b';' || c == b'{' || c == b')') {
                let end = char_end(text, p);
                errors.push(SyntaxError {
                    message: format!("unexpected \"{}\"", text.get(p..end).unwrap_or("?")),
                    span: Span::new(p, end),
                });
                // Read on as if a separator had been there.
            }
        }
        match c {
            _ if is_space(c) => p += 1,
            b'#' => {
                while p < b.len() && b[p] != b'\n' {
                    p += 1;
                }
            }
            b';' => {
                tokens.push(Token::Semicolon(Span::new(p, p + 1)));
                p += 1;
            }
            b'{' => {
                tokens.push(Token::Open(Span::new(p, p + 1)));
                p += 1;
            }
            b'}' => {
                tokens.push(Token::Close(Span::new(p, p + 1)));
                p += 1;
            }
            b'"' | b'\'' => {
                let start = p;
                let mut q = p + 1;
                let mut closed = false;
                while q < b.len() {
                    if b[q] == b'\\' {
                        q += 2;
                        continue;
                    }
                    if b[q] == c {
                        closed = true;
                        break;
                    }
                    q += 1;
                }
                if closed {
                    tokens.push(Token::Word(Word {
                        text: unescape(text.get(start + 1..q).unwrap_or("")),
                        span: Span::new(start, q + 1),
                        quoted: true,
                    }));
                    p = q + 1;
                    need_space = true;
                } else {
                    errors.push(SyntaxError {
                        message: format!(
                            "unterminated quoted string: unexpected end of file, expecting {}",
                            c as char
                        ),
                        span: Span::new(start, start + 1),
                    });
                    p = b.len();
                }
            }
            _ => {
                let start = p;
                let mut q = p;
                let mut variable = false;
                while q < b.len() {
                    let ch = b[q];
                    if ch == b'\\' {
                        variable = false;
                        q = (q + 2).min(b.len());
                        continue;
                    }
                    if ch == b'{' && variable {
                        variable = false;
                        q += 1;
                        continue;
                    }
                    if is_space(ch) || ch == b';' || ch == b'{' {
                        break;
                    }
                    variable = ch == b'$';
                    q += 1;
                }
                // Words end at an ASCII byte or at the end of the text, so
                // `q` is on a character boundary.
                tokens.push(Token::Word(Word {
                    text: unescape(text.get(start..q).unwrap_or("")),
                    span: Span::new(start, q),
                    quoted: false,
                }));
                p = q;
            }
        }
    }
    (tokens, errors)
}

/// The byte after the character starting at or containing `p`.
fn char_end(text: &str, p: usize) -> usize {
    let mut start = p.min(text.len());
    while start > 0 && !text.is_char_boundary(start) {
        start -= 1;
    }
    match text.get(start..).and_then(|s| s.chars().next()) {
        Some(c) => start + c.len_utf8(),
        None => text.len(),
    }
}

/// Parses one file. Never fails: problems become [`Config::errors`].
pub fn parse(text: &str) -> Config {
    let (tokens, mut errors) = tokenize(text);
    let mut parser = Parser {
        tokens: tokens.into_iter(),
        errors: Vec::new(),
        end: text.len(),
    };
    let directives = parser.block(None);
    errors.extend(parser.errors);
    errors.sort_by_key(|e| (e.span.start, e.span.end));
    Config { directives, errors }
}

struct Parser {
    tokens: std::vec::IntoIter<Token>,
    errors: Vec<SyntaxError>,
    end: usize,
}

impl Parser {
    fn error(&mut self, span: Span, message: impl Into<String>) {
        self.errors.push(SyntaxError {
            message: message.into(),
            span,
        });
    }

    /// Reads directives up to the `}` closing `open` (or the end of the file
    /// at top level). Returns them; the caller reads the `}` via `close`.
    fn block(&mut self, open: Option<Span>) -> Vec<Directive> {
        self.block_with_close(open).0
    }

    fn block_with_close(&mut self, open: Option<Span>) -> (Vec<Directive>, Option<Span>) {
        let mut out = Vec::new();
        let mut words: Vec<Word> = Vec::new();
        loop {
            let Some(tok) = self.tokens.next() else {
                if let Some(first) = words.first() {
                    let span = Span::new(first.span.start, self.end.max(first.span.end));
                    self.error(
                        first.span,
                        "unexpected end of file, expecting \";\" or \"}\"",
                    );
                    out.push(directive(std::mem::take(&mut words), None, span));
                }
                if let Some(open) = open {
                    self.error(open, "unexpected end of file, expecting \"}\"");
                }
                return (out, None);
            };
            match tok {
                Token::Word(w) => words.push(w),
                Token::Semicolon(s) => {
                    if words.is_empty() {
                        self.error(s, "unexpected \";\"");
                        continue;
                    }
                    let start = words.first().map_or(s.start, |w| w.span.start);
                    out.push(directive(
                        std::mem::take(&mut words),
                        None,
                        Span::new(start, s.end),
                    ));
                }
                Token::Open(o) => {
                    if words.is_empty() {
                        self.error(o, "unexpected \"{\"");
                    }
                    let (inner, close) = self.block_with_close(Some(o));
                    if words.is_empty() {
                        // Keep nothing from an unnamed block.
                        continue;
                    }
                    let start = words.first().map_or(o.start, |w| w.span.start);
                    let end = close.map_or(self.end, |c| c.end);
                    out.push(directive(
                        std::mem::take(&mut words),
                        Some(Block {
                            directives: inner,
                            open: o,
                            close,
                        }),
                        Span::new(start, end.max(start)),
                    ));
                    if close.is_none() {
                        return (out, None);
                    }
                }
                Token::Close(c) => {
                    if !words.is_empty() || open.is_none() {
                        self.error(c, "unexpected \"}\"");
                        words.clear();
                    }
                    if open.is_none() {
                        continue;
                    }
                    return (out, Some(c));
                }
            }
        }
    }
}

fn directive(mut words: Vec<Word>, block: Option<Block>, span: Span) -> Directive {
    let name = words.remove(0);
    Directive {
        name,
        args: words,
        block,
        span,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        let (toks, errs) = tokenize(text);
        assert!(errs.is_empty(), "{text:?}: {errs:?}");
        toks.iter()
            .map(|t| match t {
                Token::Word(w) => format!("<{}>", w.text),
                Token::Semicolon(_) => ";".into(),
                Token::Open(_) => "{".into(),
                Token::Close(_) => "}".into(),
            })
            .collect()
    }

    #[test]
    fn lexer_accepts() {
        let cases: &[(&str, &[&str])] = &[
            ("listen 3306;", &["<listen>", "<3306>", ";"]),
            ("a b{c;}", &["<a>", "<b>", "{", "<c>", ";", "}"]),
            ("a}", &["<a}>"]),
            ("a#b;", &["<a#b>", ";"]),
            ("# only a comment\n", &[]),
            ("x; # c ; {\ny;", &["<x>", ";", "<y>", ";"]),
            ("\"a b\";", &["<a b>", ";"]),
            ("'a\\'b';", &["<a'b>", ";"]),
            ("\"a\\\"b\\\\c\\td\\x\";", &["<a\"b\\c\td\\x>", ";"]),
            ("a\\ b;", &["<a\\ b>", ";"]),
            ("set $x ${y}z;", &["<set>", "<$x>", "<${y}z>", ";"]),
            ("x \"a\"{", &["<x>", "<a>", "{"]),
            ("x 'a'\t;", &["<x>", "<a>", ";"]),
            (
                "if ($a = \"b\") {",
                &["<if>", "<($a>", "<=>", "<b>", "<)>", "{"],
            ),
            ("a\r\nb;", &["<a>", "<b>", ";"]),
            ("it\"s;", &["<it\"s>", ";"]),
            ("café é;", &["<café>", "<é>", ";"]),
        ];
        for (text, want) in cases {
            assert_eq!(words(text), *want, "{text:?}");
        }
    }

    #[test]
    fn lexer_rejects() {
        let cases: &[(&str, &str, &str)] = &[
            ("\"a\"b;", "unexpected \"b\"", "b"),
            ("'a'#c\n;", "unexpected \"#\"", "#"),
            ("\"open", "unterminated", "\""),
            ("x 'é'é;", "unexpected \"é\"", "é"),
        ];
        for (text, msg, at) in cases {
            let (_, errs) = tokenize(text);
            assert_eq!(errs.len(), 1, "{text:?}: {errs:?}");
            assert!(errs[0].message.contains(msg), "{text:?}: {errs:?}");
            assert_eq!(&text[errs[0].span.start..errs[0].span.end], *at);
        }
    }

    #[test]
    fn spans_cover_tokens() {
        let text = "proxy_timeout  \"1h\" ;";
        let c = parse(text);
        assert!(c.errors.is_empty());
        let d = &c.directives[0];
        assert_eq!(&text[d.name.span.start..d.name.span.end], "proxy_timeout");
        assert_eq!(&text[d.args[0].span.start..d.args[0].span.end], "\"1h\"");
        assert_eq!(d.args[0].text, "1h");
        assert_eq!(&text[d.span.start..d.span.end], text);
    }

    #[test]
    fn parses_nested_blocks_and_includes() {
        let text = "events {}\nstream {\n  include conf.d/*.conf;\n  server { listen 3306; }\n}\n";
        let c = parse(text);
        assert!(c.errors.is_empty(), "{:?}", c.errors);
        assert_eq!(c.directives.len(), 2);
        let stream = &c.directives[1];
        assert_eq!(stream.name.text, "stream");
        let block = stream.block.as_ref().expect("block");
        assert!(block.directives[0].is_include());
        assert_eq!(block.directives[0].args[0].text, "conf.d/*.conf");
        let server = &block.directives[1];
        let inner = &server.block.as_ref().expect("server block").directives;
        assert_eq!(inner[0].name.text, "listen");
        assert_eq!(inner[0].args[0].text, "3306");
        assert_eq!(
            &text[stream.span.start..stream.span.end],
            &text[10..text.len() - 1]
        );
    }

    #[test]
    fn parse_errors() {
        let cases: &[(&str, &str, &str)] = &[
            ("stream {\n server {\n", "expecting \"}\"", "{"),
            ("a b", "expecting \";\" or \"}\"", "a"),
            ("}", "unexpected \"}\"", "}"),
            (";", "unexpected \";\"", ";"),
            ("{ a; }", "unexpected \"{\"", "{"),
            ("s { a b }", "unexpected \"}\"", "}"),
            ("a }", "unexpected \"}\"", "}"),
        ];
        for (text, msg, at) in cases {
            let c = parse(text);
            assert_eq!(c.errors.len(), 1, "{text:?}: {:?}", c.errors);
            let e = &c.errors[0];
            assert!(e.message.contains(msg), "{text:?}: {:?}", c.errors);
            assert_eq!(&text[e.span.start..e.span.end], *at, "{text:?}");
        }
        // An unclosed block keeps what it read.
        let c = parse("stream { proxy_timeout 5s;");
        let b = c.directives[0].block.as_ref().expect("block");
        assert_eq!(b.directives[0].args[0].text, "5s");
        assert!(b.close.is_none());
    }

    #[test]
    fn never_panics() {
        for text in [
            "",
            "\\",
            "a\\",
            "\"\\",
            "'",
            "{",
            "}",
            ";",
            "${",
            "$",
            "a ${",
            "#",
            "é\\",
            "\\é",
            "a\\é;",
            "\"a\"\u{0}",
            "{{{{}}",
            "}}}}",
            "x \"\\\"",
        ] {
            let _ = parse(text);
        }
    }
}
