//! Strings that remember where each byte came from.
//!
//! A compose value passes through three decodings before a flag's value is
//! known: YAML (quotes, escapes, folded lines), interpolation (`${VAR}`
//! replaced by text from `.env`) and shell-word splitting. A [`Traced`]
//! string keeps, for every byte, the file position it was read from, so the
//! `600` of `--wait_timeout=600` is located exactly in the compose file (or
//! in `.env` when the value came from there).
//!
//! Exactness: a range of a [`Traced`] has an exact span only when its bytes
//! come from consecutive bytes of one file, which guarantees that the file
//! text there equals the value. Otherwise (escapes such as `\"`, text from a
//! caller-given variable) the span is the smallest one covering the bytes'
//! origins in the first byte's file: the whole scalar or the whole `${...}`.

use std::ops::Range;

use crate::source::{FileId, Location, Span};
use crate::sources::embedded::Embedded;

/// Where one byte of a traced string came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Origin {
    /// The file and span: one byte wide when exact.
    pub at: Location,
    /// True when the byte is exactly the file byte at `at.span.start`.
    pub exact: bool,
    /// The outermost `${...}` expression the byte was substituted for, when
    /// it came from a variable: where an inexact value is shown.
    pub expr: Option<Location>,
}

/// A string with one [`Origin`] per byte, and the byte ranges whose value is
/// unknown (an unset variable), each with the reason shown to the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Traced {
    pub text: String,
    pub origins: Vec<Origin>,
    /// Ranges of `text` holding an unknown value, with why.
    pub unknown: Vec<(Range<usize>, String)>,
    /// Where the whole value is written (used for empty ranges).
    pub whole: Location,
}

impl Traced {
    /// An empty string located at `whole`.
    pub fn empty(whole: Location) -> Traced {
        Traced {
            text: String::new(),
            origins: Vec::new(),
            unknown: Vec::new(),
            whole,
        }
    }

    /// `text` whose every byte is located inexactly at `at` (a value given
    /// by the caller, a YAML number rendered as text).
    pub fn inexact(text: &str, at: Location) -> Traced {
        Traced {
            text: text.to_string(),
            origins: vec![
                Origin {
                    at,
                    exact: false,
                    expr: None,
                };
                text.len()
            ],
            unknown: Vec::new(),
            whole: at,
        }
    }

    /// The text of `file_text[span]` as it is, every byte exact.
    pub fn raw(file: FileId, file_text: &str, span: Span) -> Traced {
        let text = file_text
            .get(span.start..span.end)
            .unwrap_or("")
            .to_string();
        let origins = (0..text.len())
            .map(|i| Origin {
                at: Location::new(file, Span::new(span.start + i, span.start + i + 1)),
                exact: true,
                expr: None,
            })
            .collect();
        Traced {
            text,
            origins,
            unknown: Vec::new(),
            whole: Location::new(file, span),
        }
    }

    /// `decoded`, the value of the scalar written at `span` of `file_text`
    /// (YAML or dotenv quoting already removed by the parser), aligned with
    /// the written text: each decoded character is looked for in the raw text
    /// after the previous one, skipping what quoting adds (an opening quote,
    /// a block-scalar header, backslashes, folded line breaks and
    /// indentation). A character that is not found is located at the whole
    /// span. Alignment is linear in the text size.
    pub fn aligned(file: FileId, file_text: &str, span: Span, decoded: &str) -> Traced {
        if decoded.len() > MAX_VALUE_LEN {
            let mut t = Traced::empty(Location::new(file, span));
            t.unknown.push((
                0..0,
                "the value is longer than 64 KiB and is not read".to_string(),
            ));
            return t;
        }
        let raw = file_text.get(span.start..span.end).unwrap_or("");
        let whole = Location::new(file, span);
        let rb = raw.as_bytes();
        let mut r = 0;
        if raw.starts_with('|') || raw.starts_with('>') || raw.starts_with('!') {
            // Block scalar header or tag: the content starts after it.
            let stop = if raw.starts_with('!') {
                raw.char_indices()
                    .find(|(_, c)| c.is_whitespace())
                    .map(|(i, c)| i + c.len_utf8())
            } else {
                raw.find('\n').map(|i| i + 1)
            };
            r = stop.unwrap_or(raw.len());
            if raw.starts_with('!') {
                let rest = &raw[r..];
                if rest.starts_with('|') || rest.starts_with('>') {
                    r += rest.find('\n').map_or(rest.len(), |i| i + 1);
                }
            }
        }
        if raw[r..].starts_with('\'') || raw[r..].starts_with('"') {
            r += 1;
        }
        let mut origins = Vec::with_capacity(decoded.len());
        for c in decoded.chars() {
            let mut buf = [0u8; 4];
            let cb = c.encode_utf8(&mut buf).as_bytes();
            let skippable =
                |b: u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\\' | b'"' | b'\'');
            let mut p = r;
            let mut found = None;
            while p < rb.len() {
                if rb[p..].starts_with(cb) {
                    found = Some(p);
                    break;
                }
                if !skippable(rb[p]) {
                    break;
                }
                p += 1;
            }
            if found.is_none() && !c.is_whitespace() {
                // Resynchronise after an escape (`\n`, `\x41`): a short look ahead.
                let end = (r + 12).min(rb.len());
                found = (r..end).find(|&q| rb[q..].starts_with(cb));
            }
            match found {
                Some(p) => {
                    for i in 0..cb.len() {
                        let at = span.start + p + i;
                        origins.push(Origin {
                            at: Location::new(file, Span::new(at, at + 1)),
                            exact: true,
                            expr: None,
                        });
                    }
                    r = p + cb.len();
                }
                None => origins.extend(std::iter::repeat_n(
                    Origin {
                        at: whole,
                        exact: false,
                        expr: None,
                    },
                    cb.len(),
                )),
            }
        }
        Traced {
            text: decoded.to_string(),
            origins,
            unknown: Vec::new(),
            whole,
        }
    }

    /// The text of an [`Embedded`] YAML/JSON scalar of the file `file`: each
    /// byte exact where the scalar maps byte by byte, else located at the
    /// file text it was decoded from (an escape) or at the whole scalar.
    pub fn embedded(file: FileId, emb: &Embedded) -> Traced {
        let whole = Location::new(file, emb.whole());
        if emb.text().len() > MAX_VALUE_LEN {
            let mut t = Traced::empty(whole);
            t.unknown.push((
                0..0,
                "the value is longer than 64 KiB and is not read".to_string(),
            ));
            return t;
        }
        let origins = (0..emb.text().len())
            .map(|i| {
                let span = emb.span(Span::new(i, i + 1));
                Origin {
                    at: Location::new(file, span),
                    exact: emb.is_exact() && span.end == span.start + 1,
                    expr: None,
                }
            })
            .collect();
        Traced {
            text: emb.text().to_string(),
            origins,
            unknown: Vec::new(),
            whole,
        }
    }

    /// Appends `other` (its unknown ranges shifted).
    pub fn push(&mut self, other: &Traced) {
        let base = self.text.len();
        self.text.push_str(&other.text);
        self.origins.extend_from_slice(&other.origins);
        self.unknown.extend(
            other
                .unknown
                .iter()
                .map(|(r, why)| (r.start + base..r.end + base, why.clone())),
        );
    }

    /// Appends `other`, the value of the variable expression at `expr`:
    /// every appended byte remembers `expr` (the outermost expression wins).
    pub fn push_via(&mut self, other: &Traced, expr: Location) {
        let from = self.origins.len();
        self.push(other);
        for o in &mut self.origins[from..] {
            o.expr = Some(expr);
        }
    }

    /// Appends the bytes `range` of `from`.
    pub fn push_range(&mut self, from: &Traced, range: Range<usize>) {
        self.push(&from.slice(range));
    }

    /// The bytes `range` as a traced string (unknown ranges that touch it kept).
    pub fn slice(&self, range: Range<usize>) -> Traced {
        let range = range.start.min(self.text.len())..range.end.min(self.text.len());
        let unknown = self
            .unknown
            .iter()
            .filter(|(r, _)| touches(r, &range))
            .map(|(r, why)| {
                let s = r.start.clamp(range.start, range.end) - range.start;
                let e = r.end.clamp(range.start, range.end) - range.start;
                (s..e, why.clone())
            })
            .collect();
        Traced {
            text: self.text.get(range.clone()).unwrap_or("").to_string(),
            origins: self.origins.get(range.clone()).unwrap_or(&[]).to_vec(),
            unknown,
            whole: self.whole,
        }
    }

    /// Why the bytes `range` are unknown, when an unknown range touches them.
    pub fn unknown_in(&self, range: &Range<usize>) -> Option<&str> {
        self.unknown
            .iter()
            .find(|(r, _)| touches(r, range))
            .map(|(_, why)| why.as_str())
    }

    /// Where the bytes `range` are written: exact when they are consecutive
    /// bytes of one file, else the span covering their origins in the first
    /// byte's file. An empty range is located where its neighbour byte is.
    pub fn location(&self, range: Range<usize>) -> Location {
        let Some(first) = self.origins.get(range.start) else {
            return match self.origins.last() {
                Some(o) if o.exact => {
                    Location::new(o.at.file, Span::new(o.at.span.end, o.at.span.end))
                }
                Some(o) => o.at,
                None => self.whole,
            };
        };
        if range.is_empty() {
            return if first.exact {
                Location::new(
                    first.at.file,
                    Span::new(first.at.span.start, first.at.span.start),
                )
            } else {
                first.at
            };
        }
        let os = &self.origins[range.start..range.end.min(self.origins.len())];
        let exact = os.iter().enumerate().all(|(i, o)| {
            o.exact && o.at.file == first.at.file && o.at.span.start == first.at.span.start + i
        });
        if exact {
            return Location::new(
                first.at.file,
                Span::new(first.at.span.start, first.at.span.start + os.len()),
            );
        }
        // Inexact: the union of where each byte is shown (its variable
        // expression, else its own position), in the file of the whole
        // value when it has any there.
        let anchor = |o: &Origin| o.expr.unwrap_or(o.at);
        let file = if os.iter().any(|o| anchor(o).file == self.whole.file) {
            self.whole.file
        } else {
            anchor(first).file
        };
        let same = os.iter().map(anchor).filter(|a| a.file == file);
        let start = same.clone().map(|a| a.span.start).min().unwrap_or(0);
        let end = same.map(|a| a.span.end).max().unwrap_or(start);
        Location::new(file, Span::new(start, end))
    }

    /// The locations (per file, merged) the bytes `range` come from, for
    /// marking a secret value wherever it is written.
    pub fn spans_of(&self, range: Range<usize>) -> Vec<Location> {
        let mut out: Vec<Location> = Vec::new();
        for o in self.origins.get(range).unwrap_or(&[]) {
            match out.last_mut() {
                Some(l)
                    if l.file == o.at.file
                        && o.at.span.start <= l.span.end
                        && o.at.span.end >= l.span.start =>
                {
                    l.span = Span::new(
                        l.span.start.min(o.at.span.start),
                        l.span.end.max(o.at.span.end),
                    );
                }
                _ => out.push(o.at),
            }
        }
        out
    }
}

/// True when `r` overlaps `range` or, when either is empty, touches it.
fn touches(r: &Range<usize>, range: &Range<usize>) -> bool {
    if r.is_empty() || range.is_empty() {
        r.start <= range.end && range.start <= r.end
    } else {
        r.start < range.end && range.start < r.end
    }
}

/// One word of a command line, with its byte range in the split string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Word {
    /// The word after quote removal.
    pub text: Traced,
    /// True for an unquoted shell operator (`&&`, `||`, `;`, `|`).
    pub operator: bool,
}

/// Values longer than this many bytes are not read (and interpolation
/// stops expanding past it), so a hostile file stays cheap.
pub(crate) const MAX_VALUE_LEN: usize = 64 * 1024;

/// At most this many words are taken from one command string; the rest is
/// ignored (a hostile file cannot make the readers quadratic).
pub(crate) const MAX_WORDS: usize = 4096;

/// Splits `s` into words as a POSIX shell does for simple commands, which is
/// what compose does for a string `command:`/`entrypoint:` (it uses
/// `github.com/mattn/go-shellwords`, https://docs.docker.com/reference/compose-file/services/#command):
/// blanks separate words; `'...'` keeps its text literally; `"..."` keeps
/// its text, a backslash escaping `"`, `\\`, `$` and `` ` ``; a backslash
/// outside quotes escapes the next character. `&&`, `||`, `;` and `|`
/// outside quotes are operator words. No expansion is done (`$PORT` stays
/// text). Each kept byte keeps its origin, so a word's location is exact
/// when it is written without quotes inside it.
pub(crate) fn split_words(s: &Traced) -> Vec<Word> {
    let b = s.text.as_bytes();
    let mut words = Vec::new();
    let mut cur: Option<Traced> = None;
    let mut i = 0;
    let start_word = |cur: &mut Option<Traced>| {
        if cur.is_none() {
            *cur = Some(Traced::empty(s.whole));
        }
    };
    while i < b.len() && words.len() < MAX_WORDS {
        let c = b[i];
        match c {
            b' ' | b'\t' | b'\n' | b'\r' => {
                if let Some(w) = cur.take() {
                    words.push(Word {
                        text: w,
                        operator: false,
                    });
                }
                i += 1;
            }
            b'&' | b'|' | b';' => {
                if let Some(w) = cur.take() {
                    words.push(Word {
                        text: w,
                        operator: false,
                    });
                }
                let len = if c != b';' && b.get(i + 1) == Some(&c) {
                    2
                } else {
                    1
                };
                words.push(Word {
                    text: s.slice(i..i + len),
                    operator: true,
                });
                i += len;
            }
            b'\'' => {
                start_word(&mut cur);
                let end = s.text[i + 1..].find('\'').map_or(b.len(), |p| i + 1 + p);
                if let Some(w) = cur.as_mut() {
                    w.push_range(s, i + 1..end);
                }
                i = (end + 1).min(b.len());
            }
            b'"' => {
                start_word(&mut cur);
                let mut j = i + 1;
                while j < b.len() && b[j] != b'"' {
                    if b[j] == b'\\' && matches!(b.get(j + 1), Some(b'"' | b'\\' | b'$' | b'`')) {
                        j += 1;
                    }
                    if let Some(w) = cur.as_mut() {
                        let n = utf8_len(b[j]);
                        w.push_range(s, j..(j + n).min(b.len()));
                        j += n;
                    } else {
                        j += 1;
                    }
                }
                i = (j + 1).min(b.len());
            }
            b'\\' => {
                start_word(&mut cur);
                if i + 1 < b.len() {
                    let n = utf8_len(b[i + 1]);
                    if b[i + 1] != b'\n'
                        && let Some(w) = cur.as_mut()
                    {
                        w.push_range(s, i + 1..(i + 1 + n).min(b.len()));
                    }
                    i += 1 + n;
                } else {
                    i += 1;
                }
            }
            _ => {
                start_word(&mut cur);
                let n = utf8_len(c);
                if let Some(w) = cur.as_mut() {
                    w.push_range(s, i..(i + n).min(b.len()));
                }
                i += n;
            }
        }
    }
    if let Some(w) = cur.take()
        && words.len() < MAX_WORDS
    {
        words.push(Word {
            text: w,
            operator: false,
        });
    }
    words
}

/// Splits on blanks only (bash `read -a` with the default IFS, as the
/// bitnami images read `*_EXTRA_FLAGS`): no quote removal.
pub(crate) fn split_blanks(s: &Traced) -> Vec<Word> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in s
        .text
        .char_indices()
        .chain(std::iter::once((s.text.len(), ' ')))
    {
        if c.is_ascii_whitespace() {
            if let Some(st) = start.take()
                && out.len() < MAX_WORDS
            {
                out.push(Word {
                    text: s.slice(st..i),
                    operator: false,
                });
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    out
}

/// The byte length of the UTF-8 character starting with `b` (1 for a
/// continuation byte, so a scan always advances).
fn utf8_len(b: u8) -> usize {
    match b {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}
