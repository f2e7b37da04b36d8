//! postgresql.conf syntax, and the two live-dump shapes (`SHOW ALL` tables,
//! `pg_settings` CSV): span-preserving lexers.
//!
//! Syntax only: [`lex`] turns one file's text into [`Item`]s with byte spans;
//! units, ranges, includes and defaults live in [`crate::systems::postgres`].
//!
//! The rules follow the flex scanner and `ParseConfigFp` in
//! `postgres/postgres:src/backend/utils/misc/guc-file.l` (DOMAIN.md 2.2,
//! <https://www.postgresql.org/docs/current/config-setting.html>):
//!
//! - Whitespace is `[ \t\r]`; `#` outside a quoted string starts a comment
//!   to the end of the line; a line holds at most one setting.
//! - Tokens (longest match wins; on a tie the earlier one):
//!   `ID = LETTER LETTER_OR_DIGIT*`, `QUALIFIED_ID = ID "." ID`,
//!   `STRING = ' ( [^'\\\n] | \\. | '' )* '`,
//!   `UNQUOTED_STRING = LETTER (LETTER_OR_DIGIT | [-._:/])*`,
//!   `INTEGER = [+-]? (DIGIT+ | 0x HEXDIGIT+) [a-zA-Z]*`,
//!   `REAL = [+-]? DIGIT* "." DIGIT* ([Ee] [+-]? DIGIT+)?` and `=`, where
//!   `LETTER` is `[A-Za-z_]` or any byte ≥ 0x80. Anything else is an error.
//! - A line is `name [=] value`: the name an `ID` or `QUALIFIED_ID`, the value
//!   an `ID`, `STRING`, `INTEGER`, `REAL` or `UNQUOTED_STRING` (so `5min` and
//!   `128MB` need no quotes, while `5 min`, `1.5h` and `a.b` do), then the end
//!   of the line. Any other shape is a syntax error ([`Item::Error`]).
//! - Names are case-insensitive: they come back lower-cased.
//! - A quoted value loses its quotes; `''` and `\'` stand for `'`; `\b \f \n
//!   \r \t` and octal `\ooo` are escapes; any other `\x` is `x`
//!   (`DeescapeQuotedString`). As in C, the value ends at a `\0` escape.
//! - `include`, `include_if_exists` and `include_dir` (any case) are
//!   directives ([`Item::Include`]), not settings.
//!
//! One deviation: a UTF-8 byte-order mark at the very start of the file is
//! skipped (the server would read it as part of the first name).

use crate::source::Span;

/// One meaningful line of a postgresql.conf.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    /// `name [=] value`.
    Setting {
        /// The name, lower-cased.
        name: String,
        /// The bytes of the name as written.
        name_span: Span,
        /// The value.
        value: Value,
    },
    /// `include`, `include_if_exists` or `include_dir` with its path.
    Include {
        /// Which directive.
        kind: IncludeKind,
        /// The path after quote and escape processing.
        path: String,
        /// The bytes of the path token (quotes included when quoted).
        path_span: Span,
        /// The bytes of the directive name.
        name_span: Span,
    },
    /// A line the server rejects as a syntax error.
    Error {
        /// Where (the offending token, or the line).
        span: Span,
        /// Lower-case message, no trailing period.
        message: String,
        /// How to fix it, when there is a usual fix.
        help: Option<String>,
    },
}

/// The three include directives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IncludeKind {
    /// `include 'file'`: a missing file is an error.
    File,
    /// `include_if_exists 'file'`: a missing file is skipped.
    IfExists,
    /// `include_dir 'dir'`: the `*.conf` files of a folder.
    Dir,
}

impl IncludeKind {
    /// The directive as written in a file.
    pub fn directive(self) -> &'static str {
        match self {
            IncludeKind::File => "include",
            IncludeKind::IfExists => "include_if_exists",
            IncludeKind::Dir => "include_dir",
        }
    }
}

/// The lexer token a value was written as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueKind {
    /// A single-quoted string.
    Quoted,
    /// An `INTEGER` token, unit letters included (`60`, `5min`, `0x10`).
    Integer,
    /// A `REAL` token (`1.5`, `.5`, `1e3` only after a dot).
    Real,
    /// An identifier (`on`, `posix`).
    Identifier,
    /// An unquoted string (`scram-sha-256`, `en_US.UTF-8`).
    Unquoted,
}

/// A setting's value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Value {
    /// The value as written (quotes included).
    pub raw: String,
    /// The bytes of `raw`.
    pub span: Span,
    /// The value the server sees: quotes stripped and escapes processed.
    pub text: String,
    /// How it was written.
    pub kind: ValueKind,
}

impl Value {
    /// True for a single-quoted value.
    pub fn quoted(&self) -> bool {
        self.kind == ValueKind::Quoted
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tok {
    Id,
    QualifiedId,
    Str,
    Unquoted,
    Integer,
    Real,
    Equals,
    Error,
    Eol,
}

fn is_letter(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c >= 0x80
}

fn is_letter_or_digit(c: u8) -> bool {
    is_letter(c) || c.is_ascii_digit()
}

/// Length of an `ID` at `p` (0 when none).
fn id_len(b: &[u8], p: usize, end: usize) -> usize {
    if p >= end || !is_letter(b[p]) {
        return 0;
    }
    1 + b[p + 1..end]
        .iter()
        .take_while(|&&c| is_letter_or_digit(c))
        .count()
}

fn qualified_len(b: &[u8], p: usize, end: usize) -> usize {
    let a = id_len(b, p, end);
    if a == 0 || p + a >= end || b[p + a] != b'.' {
        return 0;
    }
    let c = id_len(b, p + a + 1, end);
    if c == 0 { 0 } else { a + 1 + c }
}

fn unquoted_len(b: &[u8], p: usize, end: usize) -> usize {
    if p >= end || !is_letter(b[p]) {
        return 0;
    }
    1 + b[p + 1..end]
        .iter()
        .take_while(|&&c| is_letter_or_digit(c) || matches!(c, b'-' | b'.' | b':' | b'/'))
        .count()
}

/// Longest `STRING` at `p` (0 when none).
fn string_len(b: &[u8], p: usize, end: usize) -> usize {
    if p >= end || b[p] != b'\'' {
        return 0;
    }
    let mut best = 0;
    let mut i = p + 1;
    while i < end {
        match b[i] {
            b'\\' => {
                if i + 1 < end && b[i + 1] != b'\n' {
                    i += 2;
                } else {
                    break;
                }
            }
            b'\'' => {
                // A closing quote ends a match here; `''` may also continue it.
                best = i + 1 - p;
                if i + 1 < end && b[i + 1] == b'\'' {
                    i += 2;
                } else {
                    break;
                }
            }
            b'\n' => break,
            _ => i += 1,
        }
    }
    best
}

fn sign_len(b: &[u8], p: usize, end: usize) -> usize {
    usize::from(p < end && (b[p] == b'+' || b[p] == b'-'))
}

fn count_while(b: &[u8], p: usize, end: usize, f: impl Fn(u8) -> bool) -> usize {
    b.get(p..end)
        .map(|s| s.iter().take_while(|&&c| f(c)).count())
        .unwrap_or(0)
}

fn integer_len(b: &[u8], p: usize, end: usize) -> usize {
    let s = p + sign_len(b, p, end);
    let dec = count_while(b, s, end, |c| c.is_ascii_digit());
    let hex = if s + 2 <= end && b[s] == b'0' && b[s + 1] == b'x' {
        let h = count_while(b, s + 2, end, |c| c.is_ascii_hexdigit());
        if h > 0 { 2 + h } else { 0 }
    } else {
        0
    };
    let with_units = |n: usize| {
        if n == 0 {
            0
        } else {
            n + count_while(b, s + n, end, |c| c.is_ascii_alphabetic())
        }
    };
    let best = with_units(dec).max(with_units(hex));
    if best == 0 { 0 } else { s - p + best }
}

fn real_len(b: &[u8], p: usize, end: usize) -> usize {
    let mut i = p + sign_len(b, p, end);
    i += count_while(b, i, end, |c| c.is_ascii_digit());
    if i >= end || b[i] != b'.' {
        return 0;
    }
    i += 1;
    i += count_while(b, i, end, |c| c.is_ascii_digit());
    if i < end && (b[i] == b'e' || b[i] == b'E') {
        let mut j = i + 1;
        j += sign_len(b, j, end);
        let d = count_while(b, j, end, |c| c.is_ascii_digit());
        if d > 0 {
            i = j + d;
        }
    }
    i - p
}

/// Next token at or after `p` on the line ending at `end` (exclusive of `\n`).
fn token(text: &str, mut p: usize, end: usize) -> (Tok, Span) {
    let b = text.as_bytes();
    while p < end && matches!(b[p], b' ' | b'\t' | b'\r') {
        p += 1;
    }
    if p >= end || b[p] == b'#' {
        return (Tok::Eol, Span::new(end, end));
    }
    let candidates = [
        (Tok::Id, id_len(b, p, end)),
        (Tok::QualifiedId, qualified_len(b, p, end)),
        (Tok::Str, string_len(b, p, end)),
        (Tok::Unquoted, unquoted_len(b, p, end)),
        (Tok::Integer, integer_len(b, p, end)),
        (Tok::Real, real_len(b, p, end)),
        (Tok::Equals, usize::from(b[p] == b'=')),
    ];
    let mut best = (Tok::Error, 0);
    for (t, n) in candidates {
        if n > best.1 {
            best = (t, n);
        }
    }
    if best.1 == 0 {
        // One character (not one byte), so spans stay on char boundaries.
        let n = text[p..].chars().next().map_or(1, char::len_utf8);
        return (Tok::Error, Span::new(p, p + n));
    }
    (best.0, Span::new(p, p + best.1))
}

/// Lexes a whole postgresql.conf. Never fails: problems become [`Item::Error`].
pub fn lex(text: &str) -> Vec<Item> {
    let mut items = Vec::new();
    let mut line_start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    while line_start <= text.len() {
        let rest = &text[line_start..];
        let line_end = rest.find('\n').map_or(text.len(), |i| line_start + i);
        if let Some(item) = lex_line(text, line_start, line_end) {
            items.push(item);
        }
        if line_end >= text.len() {
            break;
        }
        line_start = line_end + 1;
    }
    items
}

/// `text[span]` with trailing `\r`/blanks trimmed, for messages.
fn shown(text: &str, span: Span) -> &str {
    text.get(span.start..span.end)
        .unwrap_or("")
        .trim_end_matches([' ', '\t', '\r'])
}

fn lex_line(text: &str, start: usize, end: usize) -> Option<Item> {
    let (t1, name_span) = token(text, start, end);
    match t1 {
        Tok::Eol => return None,
        Tok::Id | Tok::QualifiedId => {}
        _ => {
            return Some(error_at(
                text,
                t1,
                name_span,
                end,
                format!(
                    "expected a parameter name, found `{}`",
                    shown(text, name_span)
                ),
                Some("each line is `name = value`, a comment starting with `#`, or blank".into()),
            ));
        }
    }
    let name = text[name_span.start..name_span.end].to_ascii_lowercase();
    let (mut t2, mut vspan) = token(text, name_span.end, end);
    if t2 == Tok::Equals {
        (t2, vspan) = token(text, vspan.end, end);
    }
    let kind = match t2 {
        Tok::Id => ValueKind::Identifier,
        Tok::Str => ValueKind::Quoted,
        Tok::Integer => ValueKind::Integer,
        Tok::Real => ValueKind::Real,
        Tok::Unquoted => ValueKind::Unquoted,
        Tok::Eol => {
            let line = Span::new(name_span.start, shown_end(text, start, end));
            return Some(Item::Error {
                span: line,
                message: format!("`{name}` has no value"),
                help: Some(format!("write it as `{name} = value`")),
            });
        }
        Tok::QualifiedId => {
            let v = shown(text, vspan);
            return Some(Item::Error {
                span: vspan,
                message: format!("value `{v}` of `{name}` must be quoted"),
                help: Some(format!("write `{name} = '{v}'`")),
            });
        }
        _ => {
            return Some(error_at(
                text,
                t2,
                vspan,
                end,
                format!(
                    "`{name}` has no valid value: unexpected `{}`",
                    shown(text, vspan)
                ),
                Some(QUOTE_HELP.into()),
            ));
        }
    };
    let (t3, extra) = token(text, vspan.end, end);
    if t3 != Tok::Eol {
        let raw = &text[vspan.start..vspan.end];
        return Some(error_at(
            text,
            t3,
            extra,
            end,
            format!(
                "unexpected `{}` after the value `{raw}` of `{name}`",
                shown(text, extra)
            ),
            Some(QUOTE_HELP.into()),
        ));
    }
    let raw = text[vspan.start..vspan.end].to_string();
    let value_text = if kind == ValueKind::Quoted {
        deescape(&raw)
    } else {
        raw.clone()
    };
    let kind_of_include = match name.as_str() {
        "include" => Some(IncludeKind::File),
        "include_if_exists" => Some(IncludeKind::IfExists),
        "include_dir" => Some(IncludeKind::Dir),
        _ => None,
    };
    Some(match kind_of_include {
        Some(k) => Item::Include {
            kind: k,
            path: value_text,
            path_span: vspan,
            name_span,
        },
        None => Item::Setting {
            name,
            name_span,
            value: Value {
                raw,
                span: vspan,
                text: value_text,
                kind,
            },
        },
    })
}

const QUOTE_HELP: &str = "a line holds one `name = value`; single-quote values with spaces, \
                          fractions with units (`'1.5h'`) or other punctuation";

/// End of the line's text without trailing blanks or `\r`.
fn shown_end(text: &str, start: usize, end: usize) -> usize {
    start + shown(text, Span::new(start, end)).len()
}

fn error_at(
    text: &str,
    tok: Tok,
    span: Span,
    line_end: usize,
    message: String,
    help: Option<String>,
) -> Item {
    if tok == Tok::Error && text.as_bytes().get(span.start) == Some(&b'\'') {
        let start = span.start;
        let s = Span::new(start, shown_end(text, start, line_end).max(span.end));
        return Item::Error {
            span: s,
            message: "quoted value has no closing `'` on its line".to_string(),
            help: Some("close the quote; write a quote inside a value as `''`".into()),
        };
    }
    Item::Error {
        span,
        message,
        help,
    }
}

/// Strips the outer quotes of a `STRING` token and processes its escapes
/// (`DeescapeQuotedString` in guc-file.l).
pub fn deescape(raw: &str) -> String {
    let b = raw.as_bytes();
    if b.len() < 2 {
        return String::new();
    }
    let inner = &b[1..b.len() - 1];
    let mut out: Vec<u8> = Vec::with_capacity(inner.len());
    let mut i = 0;
    while i < inner.len() {
        let c = inner[i];
        if c == b'\\' && i + 1 < inner.len() {
            i += 1;
            let e = inner[i];
            match e {
                b'b' => out.push(0x08),
                b'f' => out.push(0x0c),
                b'n' => out.push(b'\n'),
                b'r' => out.push(b'\r'),
                b't' => out.push(b'\t'),
                b'0'..=b'7' => {
                    let mut v: u32 = u32::from(e - b'0');
                    let mut k = 1;
                    while k < 3 && i + 1 < inner.len() && (b'0'..=b'7').contains(&inner[i + 1]) {
                        i += 1;
                        v = v * 8 + u32::from(inner[i] - b'0');
                        k += 1;
                    }
                    out.push((v & 0xff) as u8);
                }
                other => out.push(other),
            }
        } else if c == b'\'' && i + 1 < inner.len() && inner[i + 1] == b'\'' {
            i += 1;
            out.push(b'\'');
        } else {
            out.push(c);
        }
        i += 1;
    }
    // The server keeps a C string: it ends at the first NUL.
    if let Some(nul) = out.iter().position(|&c| c == 0) {
        out.truncate(nul);
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// One row of a settings dump.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DumpRow {
    /// The parameter name, lower-cased.
    pub name: String,
    /// The bytes of the name.
    pub name_span: Span,
    /// The setting as printed (CSV quotes removed).
    pub setting: String,
    /// The bytes of the setting (inside CSV quotes).
    pub setting_span: Span,
    /// The `unit` column when the dump has one (`ms`, `s`, `min`, `8kB`, or
    /// empty for counts); `None` for `SHOW ALL`, whose settings carry units.
    pub unit: Option<String>,
}

/// Which dump shape [`lex_dump`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DumpShape {
    /// A psql table (aligned with a `---+---` rule, or unaligned `-A`) whose
    /// header has `name` first and a `setting` column: `SHOW ALL` or
    /// `select name, setting, unit from pg_settings`.
    Table,
    /// CSV with a header row holding `name` and `setting` (and usually
    /// `unit`), e.g. `\copy (select name,setting,unit from pg_settings) to
    /// 'x.csv' csv header`.
    Csv,
}

/// Reads `text` as a settings dump, or returns `None` when it is not one.
pub fn lex_dump(text: &str) -> Option<(DumpShape, Vec<DumpRow>)> {
    if let Some(rows) = lex_csv_dump(text) {
        return Some((DumpShape::Csv, rows));
    }
    lex_table_dump(text).map(|rows| (DumpShape::Table, rows))
}

/// Lines of `text` as `(start, end)` with `\r` and trailing blanks trimmed.
fn lines(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_end_matches(['\n', '\r', ' ', '\t']);
        out.push((start, start + trimmed.len()));
        start += line.len();
    }
    out
}

/// Cells of a `|`-separated line, each trimmed of blanks, with spans. A
/// border-2 row (`| a | b |`) loses its outer empty cells.
fn pipe_cells(text: &str, (s, e): (usize, usize)) -> Vec<(String, Span)> {
    let line = &text[s..e];
    let mut cells = Vec::new();
    let mut cs = 0;
    for (i, c) in line
        .char_indices()
        .chain(std::iter::once((line.len(), '|')))
    {
        if c != '|' {
            continue;
        }
        let cell = &line[cs..i];
        let lead = cell.len() - cell.trim_start().len();
        let t = cell.trim();
        let start = s + cs + lead;
        cells.push((t.to_string(), Span::new(start, start + t.len())));
        cs = i + 1;
    }
    let t = line.trim();
    if t.starts_with('|') && t.ends_with('|') && cells.len() >= 2 {
        cells.remove(0);
        cells.pop();
    }
    cells
}

fn is_rule_line(l: &str) -> bool {
    let t = l.trim();
    !t.is_empty() && t.contains('-') && t.bytes().all(|c| matches!(c, b'-' | b'+' | b'|'))
}

fn is_row_count(l: &str) -> bool {
    let t = l.trim();
    t.starts_with('(') && (t.ends_with(" rows)") || t.ends_with(" row)"))
}

/// A psql table dump: the first non-blank line (after a border-2 rule) is a header whose first cell
/// is `name` and which has a `setting` cell; an aligned table then has a
/// rule of `-` and `+`. Rows with an empty name (wrapped descriptions) and
/// the `(N rows)` footer are skipped.
fn lex_table_dump(text: &str) -> Option<Vec<DumpRow>> {
    let ls = lines(text);
    let mut first = ls
        .iter()
        .position(|&(s, e)| !text[s..e].trim().is_empty())?;
    // A border-2 table starts with a rule line.
    if is_rule_line(&text[ls[first].0..ls[first].1]) {
        first += 1;
    }
    let header = pipe_cells(text, *ls.get(first)?);
    if header.len() < 2 || !header[0].0.eq_ignore_ascii_case("name") {
        return None;
    }
    let col = |n: &str| header.iter().position(|(c, _)| c.eq_ignore_ascii_case(n));
    let setting = col("setting")?;
    let unit = col("unit");
    let mut body = first + 1;
    if let Some(&(s, e)) = ls.get(body)
        && is_rule_line(&text[s..e])
    {
        body += 1;
    }
    let mut rows = Vec::new();
    for &(s, e) in &ls[body..] {
        let l = &text[s..e];
        if l.trim().is_empty() || is_row_count(l) || is_rule_line(l) || !l.contains('|') {
            continue;
        }
        let cells = pipe_cells(text, (s, e));
        let (Some(name), Some(set)) = (cells.first(), cells.get(setting)) else {
            continue;
        };
        if name.0.is_empty() {
            continue;
        }
        rows.push(DumpRow {
            name: name.0.to_ascii_lowercase(),
            name_span: name.1,
            setting: set.0.clone(),
            setting_span: set.1,
            unit: unit.map(|u| cells.get(u).map(|c| c.0.clone()).unwrap_or_default()),
        });
    }
    Some(rows)
}

/// One CSV field: its text (quotes removed, `""` folded) and span (inside
/// the quotes for a quoted field).
type Field = (String, Span);

/// RFC 4180 records of `text` (`\n` or `\r\n` line ends; a quoted field may
/// hold commas, `""` and newlines; an unclosed quote runs to the end).
fn csv_records(text: &str) -> Vec<Vec<Field>> {
    let b = text.as_bytes();
    let mut records = Vec::new();
    let mut record: Vec<Field> = Vec::new();
    let mut i = 0;
    loop {
        // One field at i.
        let (field, next) = if b.get(i) == Some(&b'"') {
            let start = i + 1;
            let mut j = start;
            let mut out = Vec::new();
            let mut end = b.len();
            while j < b.len() {
                if b[j] == b'"' {
                    if b.get(j + 1) == Some(&b'"') {
                        out.push(b'"');
                        j += 2;
                        continue;
                    }
                    end = j;
                    j += 1;
                    break;
                }
                out.push(b[j]);
                j += 1;
            }
            // Skip anything between the closing quote and the separator.
            while j < b.len() && b[j] != b',' && b[j] != b'\n' {
                j += 1;
            }
            (
                (
                    String::from_utf8_lossy(&out).into_owned(),
                    Span::new(start, end),
                ),
                j,
            )
        } else {
            let mut j = i;
            while j < b.len() && b[j] != b',' && b[j] != b'\n' {
                j += 1;
            }
            let mut e = j;
            if e > i && b[e - 1] == b'\r' {
                e -= 1;
            }
            ((text[i..e].to_string(), Span::new(i, e)), j)
        };
        record.push(field);
        match b.get(next) {
            Some(b',') => i = next + 1,
            Some(_) => {
                records.push(std::mem::take(&mut record));
                i = next + 1;
                if i >= b.len() {
                    break;
                }
            }
            None => {
                records.push(std::mem::take(&mut record));
                break;
            }
        }
    }
    records
}

/// A CSV dump: the first line is a header with a `name` and a `setting`
/// column (case-insensitive, no `|`, at least one comma). Rows with too few
/// fields or an empty name are skipped.
fn lex_csv_dump(text: &str) -> Option<Vec<DumpRow>> {
    let text_start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let first_line = text[text_start..].lines().next()?;
    if !first_line.contains(',') || first_line.contains('|') || first_line.contains('=') {
        return None;
    }
    let records = csv_records(&text[text_start..]);
    let header = records.first()?;
    let col = |n: &str| {
        header
            .iter()
            .position(|(c, _)| c.trim().eq_ignore_ascii_case(n))
    };
    let name = col("name")?;
    let setting = col("setting")?;
    let unit = col("unit");
    let shift = |s: Span| Span::new(s.start + text_start, s.end + text_start);
    let mut rows = Vec::new();
    for rec in records.iter().skip(1) {
        let (Some(n), Some(v)) = (rec.get(name), rec.get(setting)) else {
            continue;
        };
        if n.0.trim().is_empty() {
            continue;
        }
        rows.push(DumpRow {
            name: n.0.trim().to_ascii_lowercase(),
            name_span: shift(n.1),
            setting: v.0.clone(),
            setting_span: shift(v.1),
            unit: unit.map(|u| rec.get(u).map(|c| c.0.clone()).unwrap_or_default()),
        });
    }
    Some(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(line: &str) -> Option<Item> {
        let mut items = lex(line);
        assert!(items.len() <= 1, "{line:?} gave {items:?}");
        items.pop()
    }

    fn setting(line: &str) -> (String, Value) {
        match one(line) {
            Some(Item::Setting {
                name,
                name_span,
                value,
            }) => {
                assert_eq!(
                    line[name_span.start..name_span.end].to_ascii_lowercase(),
                    name
                );
                assert_eq!(&line[value.span.start..value.span.end], value.raw);
                (name, value)
            }
            other => panic!("{line:?} gave {other:?}"),
        }
    }

    /// (line, name, raw value, processed value, kind)
    #[test]
    fn settings_accept() {
        use ValueKind::*;
        let cases: &[(&str, &str, &str, &str, ValueKind)] = &[
            (
                "statement_timeout = 5min",
                "statement_timeout",
                "5min",
                "5min",
                Integer,
            ),
            (
                "statement_timeout 5min",
                "statement_timeout",
                "5min",
                "5min",
                Integer,
            ),
            (
                "statement_timeout=5min",
                "statement_timeout",
                "5min",
                "5min",
                Integer,
            ),
            (
                "Statement_Timeout = 30",
                "statement_timeout",
                "30",
                "30",
                Integer,
            ),
            (
                "  lock_timeout =\t500ms   # half a second",
                "lock_timeout",
                "500ms",
                "500ms",
                Integer,
            ),
            ("x = 1# c", "x", "1", "1", Integer),
            (
                "shared_buffers = 128MB",
                "shared_buffers",
                "128MB",
                "128MB",
                Integer,
            ),
            ("x = -1", "x", "-1", "-1", Integer),
            ("x = +7s", "x", "+7s", "+7s", Integer),
            ("x = 0x1F", "x", "0x1F", "0x1F", Integer),
            ("x = 1.5", "x", "1.5", "1.5", Real),
            ("x = .5", "x", ".5", ".5", Real),
            ("x = 1.5e3", "x", "1.5e3", "1.5e3", Real),
            ("x = on", "x", "on", "on", Identifier),
            (
                "x = scram-sha-256",
                "x",
                "scram-sha-256",
                "scram-sha-256",
                Unquoted,
            ),
            (
                "x = en_US.UTF-8",
                "x",
                "en_US.UTF-8",
                "en_US.UTF-8",
                Unquoted,
            ),
            ("x = '5 min'", "x", "'5 min'", "5 min", Quoted),
            ("x = '5min' # q", "x", "'5min'", "5min", Quoted),
            ("x = ''", "x", "''", "", Quoted),
            ("x = 'it''s'", "x", "'it''s'", "it's", Quoted),
            ("x = 'it\\'s'", "x", "'it\\'s'", "it's", Quoted),
            ("x = 'a # b'", "x", "'a # b'", "a # b", Quoted),
            (
                "x = 'a\\tb\\nc\\\\d\\qe'",
                "x",
                "'a\\tb\\nc\\\\d\\qe'",
                "a\tb\nc\\dqe",
                Quoted,
            ),
            ("x = '\\101\\0'", "x", "'\\101\\0'", "A", Quoted),
            ("x = 'a\\0b'", "x", "'a\\0b'", "a", Quoted),
            (
                "pg_stat_statements.max = 10000",
                "pg_stat_statements.max",
                "10000",
                "10000",
                Integer,
            ),
            ("x = 5\r", "x", "5", "5", Integer),
            ("x = 'café'", "x", "'café'", "café", Quoted),
            ("x = café", "x", "café", "café", Identifier),
        ];
        for &(line, name, raw, text, kind) in cases {
            let (n, v) = setting(line);
            assert_eq!(
                (n.as_str(), v.raw.as_str(), v.text.as_str(), v.kind),
                (name, raw, text, kind),
                "{line:?}"
            );
        }
    }

    #[test]
    fn blanks_and_comments_are_nothing() {
        for line in ["", "   ", "# x = 1", "\t# c", "\r", "#include 'x'"] {
            assert_eq!(one(line), None, "{line:?}");
        }
    }

    #[test]
    fn syntax_errors() {
        // (line, text at the error span)
        let cases = [
            ("x = 5 min", "min"),
            ("x = 1.5h", "h"),
            ("x = 1e3", "3"),
            ("x = a.b", "a.b"),
            ("x = /var/lib", "/"),
            ("x = 'unterminated", "'unterminated"),
            ("x = 'a' 'b'", "'b'"),
            ("x =", "x ="),
            ("x", "x"),
            ("= 5", "="),
            ("5 = x", "5"),
            ("'x' = 1", "'x'"),
            ("x = 1 2", "2"),
            ("x == 1", "="),
            ("x = \u{b}1", "\u{b}"),
            ("[mysqld]", "["),
        ];
        for (line, at) in cases {
            match one(line) {
                Some(Item::Error { span, message, .. }) => {
                    assert_eq!(&line[span.start..span.end], at, "{line:?}: {message}");
                    assert!(!message.ends_with('.'), "{message}");
                }
                other => panic!("{line:?} gave {other:?}"),
            }
        }
    }

    #[test]
    fn includes() {
        let cases = [
            ("include 'a.conf'", IncludeKind::File, "a.conf", "'a.conf'"),
            (
                "include = 'a b.conf'",
                IncludeKind::File,
                "a b.conf",
                "'a b.conf'",
            ),
            (
                "INCLUDE_IF_EXISTS 'x.conf'",
                IncludeKind::IfExists,
                "x.conf",
                "'x.conf'",
            ),
            (
                "include_dir 'conf.d' # d",
                IncludeKind::Dir,
                "conf.d",
                "'conf.d'",
            ),
            ("include_dir conf", IncludeKind::Dir, "conf", "conf"),
        ];
        for (line, kind, path, raw) in cases {
            match one(line) {
                Some(Item::Include {
                    kind: k,
                    path: p,
                    path_span,
                    name_span,
                }) => {
                    assert_eq!((k, p.as_str()), (kind, path), "{line:?}");
                    assert_eq!(&line[path_span.start..path_span.end], raw);
                    assert!(
                        line[name_span.start..name_span.end].eq_ignore_ascii_case(k.directive())
                    );
                }
                other => panic!("{line:?} gave {other:?}"),
            }
        }
    }

    #[test]
    fn spans_are_absolute_and_bom_is_skipped() {
        let text = "\u{feff}a = 1\r\n# c\r\nstatement_timeout = '30s'\n";
        let items = lex(text);
        assert_eq!(items.len(), 2, "{items:?}");
        let Item::Setting { name, value, .. } = &items[1] else {
            panic!("{items:?}");
        };
        assert_eq!(name, "statement_timeout");
        assert_eq!(&text[value.span.start..value.span.end], "'30s'");
        let Item::Setting { name, .. } = &items[0] else {
            panic!("{items:?}");
        };
        assert_eq!(name, "a");
    }

    #[test]
    fn show_all_table() {
        let text = "                 name                 |   setting   |  description\n\
                    --------------------------------------+-------------+--------------\n \
                    allow_system_table_mods              | off         | Allows | pipes\n \
                    idle_session_timeout                 | 10s         | Sets the\n \
                                                         |             | wrapped\n \
                    max_connections                      | 100         | Sets\n\
                    (3 rows)\n\n";
        let (shape, rows) = lex_dump(text).expect("dump");
        assert_eq!(shape, DumpShape::Table);
        let got: Vec<_> = rows
            .iter()
            .map(|r| (r.name.as_str(), r.setting.as_str(), r.unit.clone()))
            .collect();
        assert_eq!(
            got,
            [
                ("allow_system_table_mods", "off", None),
                ("idle_session_timeout", "10s", None),
                ("max_connections", "100", None)
            ]
        );
        let r = &rows[1];
        assert_eq!(&text[r.setting_span.start..r.setting_span.end], "10s");
        assert_eq!(
            &text[r.name_span.start..r.name_span.end],
            "idle_session_timeout"
        );
    }

    #[test]
    fn unaligned_and_border_two_tables() {
        let text =
            "name|setting|unit\nstatement_timeout|60000|ms\nmax_connections|100|\n(2 rows)\n";
        let (shape, rows) = lex_dump(text).expect("dump");
        assert_eq!(shape, DumpShape::Table);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].unit.as_deref(), Some("ms"));
        assert_eq!(rows[1].unit.as_deref(), Some(""));
        let text = "x = 1\n| name | setting |\n";
        assert_eq!(lex_dump(text), None, "header must come first");
        let text = "+------+---------+\n| name | setting |\n+------+---------+\n\
                    | lock_timeout | 1s |\n+------+---------+\n";
        let (_, rows) = lex_dump(text).expect("dump");
        assert_eq!(rows[0].name, "lock_timeout");
        assert_eq!(rows[0].setting, "1s");
    }

    #[test]
    fn csv_dump() {
        let text = "name,setting,unit,short_desc\n\
                    statement_timeout,0,ms,\"Sets the maximum, allowed\"\n\
                    \"idle_session_timeout\",\"60000\",ms,\"multi\nline \"\"q\"\"\"\r\n\
                    max_connections,100,,x\n\
                    short\n";
        let (shape, rows) = lex_dump(text).expect("csv");
        assert_eq!(shape, DumpShape::Csv);
        let got: Vec<_> = rows
            .iter()
            .map(|r| (r.name.as_str(), r.setting.as_str(), r.unit.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                ("statement_timeout", "0", Some("ms")),
                ("idle_session_timeout", "60000", Some("ms")),
                ("max_connections", "100", Some(""))
            ]
        );
        let r = &rows[1];
        assert_eq!(&text[r.setting_span.start..r.setting_span.end], "60000");
    }

    #[test]
    fn not_dumps() {
        for text in [
            "",
            "statement_timeout = 5\n",
            "# name | setting\nx = 1\n",
            "log_line_prefix = '%m | name | setting'\n",
            "[mysqld]\nwait_timeout=1\n",
            "a,b,c\n1,2,3\n",
        ] {
            assert_eq!(lex_dump(text), None, "{text:?}");
        }
    }

    #[test]
    fn never_panics() {
        for text in [
            "'",
            "\\",
            "x = '\\",
            "x = '\\\n'",
            "x = 0x",
            "x = 0xg",
            "-",
            "+.",
            ".",
            "x = .",
            "x = -.e5",
            "é = 1",
            "\u{feff}",
            "\u{feff}x",
            "\"",
            "name,setting\n\"",
            "name,setting\n\"a\"b,c",
            "name|setting\n|",
            "name|setting\n||||\n",
        ] {
            let _ = lex(text);
            let _ = lex_dump(text);
        }
    }
}
