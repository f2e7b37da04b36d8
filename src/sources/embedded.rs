//! Config texts embedded in a YAML or JSON string: a my.cnf under a
//! ConfigMap key (`my.cnf: |`), a postgresql.conf in Helm values
//! (`primary.configuration`), a pgbouncer.ini in a JSON string.
//!
//! [`Embedded::of`] rebuilds the string's text from the file together with
//! the file offset of every byte, so the project's own line lexers
//! ([`crate::parse::mycnf::lex`], [`crate::parse::pgconf::lex`],
//! [`crate::parse::pgbouncer::lex`]) run on the embedded text and each span
//! they return lands on the right line and column of the YAML/JSON file:
//!
//! - Literal block scalars (`|`, `|-`, `|+`): each content line's bytes are
//!   the file's bytes from the block's indentation on (YAML 1.2 §8.1.2), so
//!   a line's offset is its start plus the indentation.
//! - Single-line plain, single-quoted (`''` stands for `'`) and
//!   double-quoted scalars (the YAML/JSON escapes `\n`, `\t`, `\"`, `\\`,
//!   `\/`, `\uXXXX`, ...): each decoded byte keeps the offset of the text it
//!   came from; an escape's bytes map to the whole escape.
//! - Anything else (folded `>` blocks, multi-line flow scalars whose line
//!   breaks fold into spaces, explicit indentation indicators) is not
//!   mapped byte by byte: every span inside falls back to the scalar's whole
//!   span ([`Embedded::is_exact`] is false). The text is still read.
//!
//! The rebuilt text is checked against the parser's decoded string
//! (trailing line breaks aside, which chomping decides); any difference
//! falls back to the whole span, so a mapping is never wrong, only coarse.
//!
//! [`read_config`] then turns the embedded text into [`Assignment`]s for one
//! system, marks passwords as secrets, and reports the lines the server
//! would refuse as located [`codes::SYNTAX_ERROR`] diagnostics. A value
//! holding a template expression (`{{ .Values.x }}`, `${VAR}`) and a line
//! inside a Go-template condition (`{{- if … }}` … `{{- end }}`) become
//! [`Written::Unresolved`].
//!
//! The module also holds what the YAML/JSON adapters share:
//! [`parse_documents`] (one located TL001 for a file that does not parse,
//! naming templates), [`node_at`], [`scalar_text`] / [`scalar_value`],
//! [`map_assignments`], [`image_reference`] / [`image_flavor`] (the one
//! image parser, compose's included), [`mark_secret_value`] (secret env
//! values, compose and Kubernetes), [`attribute_pairs`],
//! [`unique_addresses`], [`format_of`] and [`render`] (a stable text
//! rendering of candidates for tests).

use crate::diagnostic::{Diagnostic, Label};
use crate::parse::tree::{Node, NodeKind};
use crate::parse::{mycnf, pgbouncer, pgconf};
use crate::rules::codes;
use crate::source::{FileId, Location, SourceMap, Span};
use crate::sources::{Assignment, SetBy, System, Written};

/// A string value's text with the file offset of each of its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Embedded {
    text: String,
    /// Pieces of `text` in order, each with the file text it came from.
    segs: Vec<Seg>,
    /// The whole scalar in the file.
    whole: Span,
    exact: bool,
}

impl Embedded {
    /// The text of the string `node` (any scalar: numbers and booleans give
    /// their text as written) in the file text `file`, mapped to file offsets.
    ///
    /// `None` for mappings, sequences and null.
    pub fn of(file: &str, node: &Node) -> Option<Embedded> {
        let decoded = match &node.kind {
            NodeKind::Str(s) => s.clone(),
            NodeKind::Int(_) | NodeKind::Float(_) | NodeKind::Bool(_) => {
                file.get(node.span.start..node.span.end)?.to_string()
            }
            NodeKind::Map(_) | NodeKind::Seq(_) | NodeKind::Null => return None,
        };
        let whole = node.span;
        let start = skip_properties(file, whole.start, whole.end);
        let start = block_header_before(file, start).unwrap_or(start);
        let mapped = match file.as_bytes().get(start) {
            Some(b'|') => literal_block(file, start),
            Some(b'>') => None,
            Some(b'"') => double_quoted(file, start, whole.end),
            Some(b'\'') => single_quoted(file, start, whole.end),
            Some(_) => plain(file, start, whole.end),
            None => None,
        };
        if let Some(e) = mapped {
            let same = if e.text.len() == decoded.len() {
                e.text == decoded
            } else {
                e.text.trim_end_matches('\n') == decoded.trim_end_matches('\n')
            };
            if same {
                return Some(Embedded { whole, ..e });
            }
        }
        Some(Embedded::coarse(decoded, whole))
    }

    /// A text whose every span maps to `whole` (no byte-by-byte mapping).
    pub fn coarse(text: String, whole: Span) -> Embedded {
        Embedded {
            text,
            segs: Vec::new(),
            whole,
            exact: false,
        }
    }

    /// The decoded text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// True when spans map byte by byte; false when every span maps to the
    /// whole scalar.
    pub fn is_exact(&self) -> bool {
        self.exact
    }

    /// The scalar's whole span in the file.
    pub fn whole(&self) -> Span {
        self.whole
    }

    /// The file span of the text's bytes `span` (an empty span maps to an
    /// empty span at the same place). Out-of-range or coarse: the whole scalar.
    pub fn span(&self, span: Span) -> Span {
        if !self.exact || span.end > self.text.len() || span.start > span.end {
            return self.whole;
        }
        let Some(start) = self.file_start(span.start) else {
            return self.whole;
        };
        if span.start == span.end {
            return Span::new(start, start);
        }
        match self.file_end(span.end - 1) {
            Some(end) => Span::new(start, end.max(start)),
            None => self.whole,
        }
    }

    /// The segment holding text byte `i`.
    fn seg(&self, i: usize) -> Option<&Seg> {
        let k = self.segs.partition_point(|s| s.text <= i);
        let s = self.segs.get(k.checked_sub(1)?)?;
        (i < s.text + s.text_len).then_some(s)
    }

    /// The file offset where text byte `i` starts (`i` may be the text's
    /// length: the end of the last piece).
    fn file_start(&self, i: usize) -> Option<usize> {
        if i == self.text.len() {
            return Some(
                self.segs
                    .last()
                    .map_or(self.whole.start, |s| s.file + s.file_len),
            );
        }
        let s = self.seg(i)?;
        Some(if s.linear {
            s.file + (i - s.text)
        } else {
            s.file
        })
    }

    /// The file offset just past text byte `i`.
    fn file_end(&self, i: usize) -> Option<usize> {
        let s = self.seg(i)?;
        Some(if s.linear {
            s.file + (i - s.text) + 1
        } else {
            s.file + s.file_len
        })
    }

    /// [`Embedded::span`] as a location in `file`.
    pub fn at(&self, file: FileId, span: Span) -> Location {
        Location::new(file, self.span(span))
    }
}

/// A piece of an embedded text and the file text it came from: byte for
/// byte when `linear`, else (an escape) the whole piece from the whole
/// file range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Seg {
    text: usize,
    text_len: usize,
    file: usize,
    file_len: usize,
    linear: bool,
}

/// Builds an [`Embedded`] piece by piece; memory is one entry per piece
/// (a line, a run between escapes), not per byte.
#[derive(Default)]
struct Builder {
    text: String,
    segs: Vec<Seg>,
}

impl Builder {
    /// Appends `s`, copied byte for byte from the file at `file`.
    fn linear(&mut self, s: &str, file: usize) {
        if s.is_empty() {
            return;
        }
        let at = self.text.len();
        self.text.push_str(s);
        if let Some(last) = self.segs.last_mut()
            && last.linear
            && last.text + last.text_len == at
            && last.file + last.file_len == file
        {
            last.text_len += s.len();
            last.file_len += s.len();
            return;
        }
        self.segs.push(Seg {
            text: at,
            text_len: s.len(),
            file,
            file_len: s.len(),
            linear: true,
        });
    }

    /// Appends `c`, decoded from the file bytes `file..file + file_len`.
    fn mapped(&mut self, c: char, file: usize, file_len: usize) {
        let at = self.text.len();
        self.text.push(c);
        self.segs.push(Seg {
            text: at,
            text_len: c.len_utf8(),
            file,
            file_len,
            linear: false,
        });
    }

    fn finish(self) -> Embedded {
        Embedded {
            text: self.text,
            segs: self.segs,
            whole: Span::default(),
            exact: true,
        }
    }
}

/// Skips a node's tag (`!Sub `) and anchor (`&a `) before its scalar.
fn skip_properties(file: &str, mut at: usize, end: usize) -> usize {
    let b = file.as_bytes();
    while at < end && matches!(b.get(at), Some(b'!' | b'&')) {
        while at < end && !matches!(b[at], b' ' | b'\t' | b'\n' | b'\r') {
            at += 1;
        }
        while at < end && matches!(b[at], b' ' | b'\t' | b'\n' | b'\r') {
            at += 1;
        }
    }
    at
}

/// saphyr starts a block scalar's span at its first content character; the
/// header (`|`, `|-`, `>+`, ...) ends the last non-blank line before it.
/// Returns the header's offset when `at` is the first non-space of its line
/// and such a header precedes it.
fn block_header_before(file: &str, at: usize) -> Option<usize> {
    let line_start = file.get(..at)?.rfind('\n').map_or(0, |i| i + 1);
    if !file[line_start..at].bytes().all(|c| c == b' ') {
        return None;
    }
    let mut end = line_start;
    while end > 0 {
        let prev_end = end - 1; // the '\n' ending the previous line
        let prev_start = file[..prev_end].rfind('\n').map_or(0, |i| i + 1);
        let line = file[prev_start..prev_end].trim_end_matches('\r');
        if line.trim().is_empty() {
            end = prev_start;
            continue;
        }
        let body = match line.find(" #") {
            Some(i) => &line[..i],
            None => line,
        }
        .trim_end();
        let token_start = body.rfind([' ', '\t']).map_or(0, |i| i + 1);
        let token = &body[token_start..];
        let is_header = token.starts_with(['|', '>'])
            && token[1..]
                .bytes()
                .all(|c| c == b'+' || c == b'-' || c.is_ascii_digit());
        return is_header.then_some(prev_start + token_start);
    }
    None
}

/// A literal block scalar whose header `|…` starts at `at`.
fn literal_block(file: &str, at: usize) -> Option<Embedded> {
    let b = file.as_bytes();
    let header_end = file[at..].find('\n').map_or(file.len(), |i| at + i);
    let header = &file[at + 1..header_end];
    let indicators = header.split('#').next().unwrap_or("").trim();
    if indicators.bytes().any(|c| c.is_ascii_digit()) {
        return None; // explicit indentation: not mapped
    }
    if !indicators.bytes().all(|c| c == b'+' || c == b'-') {
        return None;
    }
    let mut out = Builder::default();
    let mut indent: Option<usize> = None;
    let mut pos = header_end + 1;
    // Blank lines before the first content line are kept as line breaks.
    let mut pending_breaks: Vec<usize> = Vec::new();
    while pos < file.len() {
        let line_end = file[pos..].find('\n').map_or(file.len(), |i| pos + i);
        let body_end = if line_end > pos && b[line_end - 1] == b'\r' {
            line_end - 1
        } else {
            line_end
        };
        let line = &file[pos..body_end];
        let spaces = line.bytes().take_while(|&c| c == b' ').count();
        let blank = spaces == line.len();
        match indent {
            None if blank => {
                pending_breaks.push(body_end);
                pos = line_end + 1;
                continue;
            }
            None => {
                if spaces == 0 {
                    break;
                }
                indent = Some(spaces);
            }
            Some(n) if !blank && spaces < n => break,
            Some(_) => {}
        }
        let n = indent.unwrap_or(0);
        for brk in pending_breaks.drain(..) {
            out.linear("\n", brk);
        }
        if line.len() > n {
            out.linear(&line[n..], pos + n);
        }
        pending_breaks.push(body_end);
        pos = line_end + 1;
    }
    indent?;
    for brk in pending_breaks {
        out.linear("\n", brk);
    }
    Some(out.finish())
}

/// A single-line plain scalar `file[at..end]`.
fn plain(file: &str, at: usize, end: usize) -> Option<Embedded> {
    let raw = file.get(at..end)?;
    if raw.contains('\n') {
        return None;
    }
    let mut out = Builder::default();
    out.linear(raw.trim_end(), at);
    Some(out.finish())
}

/// A single-line single-quoted scalar starting at `at`.
fn single_quoted(file: &str, at: usize, end: usize) -> Option<Embedded> {
    let raw = file.get(at..end)?;
    if raw.contains('\n') {
        return None;
    }
    let mut out = Builder::default();
    let mut i = at + 1;
    let b = file.as_bytes();
    while i < end {
        if b[i] == b'\'' {
            if b.get(i + 1) == Some(&b'\'') {
                out.mapped('\'', i, 2);
                i += 2;
                continue;
            }
            return Some(out.finish());
        }
        let run = file[i..end].find('\'').map_or(end, |k| i + k);
        out.linear(&file[i..run], i);
        i = run;
    }
    None
}

/// A single-line double-quoted scalar (YAML or JSON) starting at `at`.
fn double_quoted(file: &str, at: usize, end: usize) -> Option<Embedded> {
    let raw = file.get(at..end)?;
    if raw.contains('\n') {
        return None;
    }
    let mut out = Builder::default();
    let b = file.as_bytes();
    let mut i = at + 1;
    while i < end {
        match b[i] {
            b'"' => return Some(out.finish()),
            b'\\' => {
                let e = *b.get(i + 1)?;
                let (c, len) = match e {
                    b'n' => ('\n', 2),
                    b't' | b'\t' => ('\t', 2),
                    b'r' => ('\r', 2),
                    b'"' => ('"', 2),
                    b'\\' => ('\\', 2),
                    b'/' => ('/', 2),
                    b' ' => (' ', 2),
                    b'0' => ('\0', 2),
                    b'a' => ('\u{7}', 2),
                    b'b' => ('\u{8}', 2),
                    b'e' => ('\u{1b}', 2),
                    b'f' => ('\u{c}', 2),
                    b'v' => ('\u{b}', 2),
                    b'N' => ('\u{85}', 2),
                    b'_' => ('\u{a0}', 2),
                    b'L' => ('\u{2028}', 2),
                    b'P' => ('\u{2029}', 2),
                    b'x' | b'u' | b'U' => {
                        let digits = match e {
                            b'x' => 2,
                            b'u' => 4,
                            _ => 8,
                        };
                        let hex = file.get(i + 2..i + 2 + digits)?;
                        let code = u32::from_str_radix(hex, 16).ok()?;
                        // Surrogate pairs (JSON `\ud83d\ude00`) are not mapped.
                        (char::from_u32(code)?, 2 + digits)
                    }
                    _ => return None,
                };
                out.mapped(c, i, len);
                i += len;
            }
            _ => {
                let run = file[i..end].find(['"', '\\']).map_or(end, |k| i + k);
                out.linear(&file[i..run], i);
                i = run;
            }
        }
    }
    None
}

/// Why a value is a template the file alone cannot resolve: a Go/Helm
/// expression `{{ … }}` or a shell/Terraform/envsubst `${…}`.
pub fn template_reason(value: &str) -> Option<String> {
    if value.contains("{{") {
        Some(format!(
            "`{}` is a template expression, rendered only at deploy time",
            short(value)
        ))
    } else if value.contains("${") {
        Some(format!(
            "`{}` holds a `${{…}}` substitution, filled in only at deploy time",
            short(value)
        ))
    } else {
        None
    }
}

/// The value, cut to 60 characters for messages.
fn short(value: &str) -> String {
    let v = value.trim();
    if v.chars().count() <= 60 {
        v.to_string()
    } else {
        let cut: String = v.chars().take(57).collect();
        format!("{cut}...")
    }
}

/// The Go-template condition depth at the start of each line of `text`:
/// `(line start offset, depth)`, for lines between `{{ if|with|range … }}`
/// and `{{ end }}`.
fn condition_depths(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        out.push((at, depth));
        let mut rest = line;
        while let Some(i) = rest.find("{{") {
            let action = rest[i + 2..].trim_start_matches('-').trim_start();
            let word: String = action
                .chars()
                .take_while(|c| c.is_ascii_alphabetic())
                .collect();
            match word.as_str() {
                "if" | "with" | "range" | "define" | "block" => depth += 1,
                "end" => depth = depth.saturating_sub(1),
                _ => {}
            }
            rest = &rest[i + 2..];
        }
        at += line.len();
    }
    out
}

fn depth_at(depths: &[(usize, usize)], offset: usize) -> usize {
    match depths.binary_search_by(|(s, _)| s.cmp(&offset)) {
        Ok(i) => depths[i].1,
        Err(0) => 0,
        Err(i) => depths[i - 1].1,
    }
}

/// The line of `text` holding byte `offset`.
fn line_at(text: &str, offset: usize) -> &str {
    let offset = offset.min(text.len());
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    &text[start..end]
}

/// The value of a setting found in an embedded text: the template reason
/// when the line is inside a template condition or the value is a template.
fn written(value: &str, in_condition: bool) -> Written {
    if let Some(why) = template_reason(value) {
        Written::Unresolved(why)
    } else if in_condition {
        Written::Unresolved(format!(
            "`{}` is set inside a template condition (`{{{{ if … }}}}`), so whether it applies is decided at deploy time",
            short(value)
        ))
    } else {
        Written::Text(value.to_string())
    }
}

/// The config text formats an embedded string may hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfigFormat {
    /// A MySQL/MariaDB option file (my.cnf): only groups the server reads
    /// ([`crate::systems::mysql::server_reads_group`]) count.
    MyCnf,
    /// A my.cnf fragment without group headers that a chart or operator
    /// writes under `[mysqld]` itself: every line counts.
    MyCnfBody,
    /// postgresql.conf lines.
    PgConf,
    /// pgbouncer.ini: the `[pgbouncer]` section's entries.
    PgBouncerIni,
}

impl ConfigFormat {
    /// The system that reads this format.
    pub fn system(self) -> System {
        match self {
            ConfigFormat::MyCnf | ConfigFormat::MyCnfBody => System::Mysql,
            ConfigFormat::PgConf => System::Postgres,
            ConfigFormat::PgBouncerIni => System::PgBouncer,
        }
    }
}

/// Reads the settings of an embedded config text.
///
/// Every setting is an [`Assignment`] with [`SetBy::OptionFile`], its name
/// and value spans mapped into `file`. Passwords (my.cnf `password` /
/// `*_password`, any pgbouncer key containing `password` and the
/// `password=` pairs of `[databases]` connection strings, postgresql.conf
/// names per [`is_secret_setting`]) are marked secret. Lines
/// the server refuses are [`codes::SYNTAX_ERROR`] diagnostics, except lines
/// holding a template expression (rendered at deploy time). Include
/// directives (`!include`, `include`, `%include`) name paths inside the
/// container and are not followed. Bare my.cnf options without `=`
/// (`skip-name-resolve`) are flags, not values, and are left out.
pub fn read_config(
    format: ConfigFormat,
    emb: &Embedded,
    file: FileId,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Assignment> {
    match format {
        ConfigFormat::MyCnf | ConfigFormat::MyCnfBody => {
            read_mycnf(format == ConfigFormat::MyCnfBody, emb, file, sources, diags)
        }
        ConfigFormat::PgConf => read_pgconf(emb, file, sources, diags),
        ConfigFormat::PgBouncerIni => read_pgbouncer(emb, file, sources, diags),
    }
}

fn syntax_error(diags: &mut Vec<Diagnostic>, at: Location, message: String, label: &str) {
    diags.push(
        Diagnostic::new(codes::SYNTAX_ERROR, message, Label::at(at, label))
            .with_help("the server refuses to start with this line of the embedded config"),
    );
}

/// One `name = value` line of an embedded config as an option-file
/// [`Assignment`]; unresolved inside a template condition ([`written`]).
fn line_setting(
    emb: &Embedded,
    file: FileId,
    depths: &[(usize, usize)],
    name: String,
    name_span: Span,
    value: &str,
    value_span: Span,
) -> Assignment {
    let cond = depth_at(depths, name_span.start) > 0;
    Assignment {
        name,
        name_at: emb.at(file, name_span),
        value: written(value, cond),
        value_at: emb.at(file, value_span),
        set_by: SetBy::OptionFile,
    }
}

/// A line the lexer refused: a located TL001, unless the line is a
/// template action (`{{ if … }}`), which the file alone cannot judge.
fn line_error(
    diags: &mut Vec<Diagnostic>,
    emb: &Embedded,
    file: FileId,
    span: Span,
    message: String,
) {
    if template_reason(line_at(emb.text(), span.start)).is_none() {
        syntax_error(diags, emb.at(file, span), message, "syntax error");
    }
}

fn read_mycnf(
    body: bool,
    emb: &Embedded,
    file: FileId,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Assignment> {
    let text = emb.text();
    let depths = condition_depths(text);
    let mut out = Vec::new();
    let mut group: Option<bool> = if body { Some(true) } else { None };
    for item in mycnf::lex(text) {
        match item {
            mycnf::Item::Group { name, .. } => {
                group = Some(crate::systems::mysql::server_reads_group(&name));
            }
            mycnf::Item::Option {
                name,
                name_span,
                value,
            } => {
                if name.contains("{{") || name.starts_with("${") {
                    continue; // a template action line, not an option
                }
                let secret = crate::systems::mysql::normalize_option_name(&name)
                    .is_some_and(|n| n == "password" || n.ends_with("_password"));
                if secret && let Some(v) = &value {
                    sources.get_mut(file).mark_secret(emb.span(v.span));
                }
                match group {
                    None => syntax_error(
                        diags,
                        emb.at(file, name_span),
                        format!("option `{name}` appears before any [group] header"),
                        "option outside a group",
                    ),
                    Some(false) => {}
                    Some(true) => {
                        let Some(v) = value else { continue };
                        out.push(line_setting(
                            emb, file, &depths, name, name_span, &v.text, v.span,
                        ));
                    }
                }
            }
            mycnf::Item::Include { .. } => {}
            mycnf::Item::Error { span, message } => {
                line_error(diags, emb, file, span, message);
            }
        }
    }
    out
}

fn read_pgconf(
    emb: &Embedded,
    file: FileId,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Assignment> {
    let text = emb.text();
    let depths = condition_depths(text);
    let mut out = Vec::new();
    for item in pgconf::lex(text) {
        match item {
            pgconf::Item::Setting {
                name,
                name_span,
                value,
            } => {
                if is_secret_setting(&name) {
                    sources.get_mut(file).mark_secret(emb.span(value.span));
                }
                out.push(line_setting(
                    emb,
                    file,
                    &depths,
                    name,
                    name_span,
                    &value.text,
                    value.span,
                ));
            }
            pgconf::Item::Include { .. } => {}
            pgconf::Item::Error { span, message, .. } => {
                let line = line_at(text, span.start);
                for s in crate::secrets::secret_spans_in_text(line) {
                    let line_start = line.as_ptr() as usize - text.as_ptr() as usize;
                    let s = Span::new(line_start + s.start, line_start + s.end);
                    sources.get_mut(file).mark_secret(emb.span(s));
                }
                line_error(diags, emb, file, span, message);
            }
        }
    }
    out
}

fn read_pgbouncer(
    emb: &Embedded,
    file: FileId,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Assignment> {
    let text = emb.text();
    let depths = condition_depths(text);
    let mut out = Vec::new();
    let mut section: Option<String> = None;
    for item in pgbouncer::lex(text) {
        match item {
            pgbouncer::Item::Section { name, .. } => section = Some(name),
            pgbouncer::Item::Entry {
                key,
                key_span,
                value,
                value_span,
            } => {
                let secret = |k: &str| k.to_ascii_lowercase().contains("password");
                if secret(&key) {
                    sources.get_mut(file).mark_secret(emb.span(value_span));
                } else {
                    let (pairs, err) = pgbouncer::lex_connstring(&value, value_span.start);
                    for p in pairs.iter().filter(|p| secret(&p.key)) {
                        sources.get_mut(file).mark_secret(emb.span(p.value_span));
                    }
                    if let Some(e) = err
                        && e.key.as_deref().is_some_and(secret)
                    {
                        sources.get_mut(file).mark_secret(emb.span(e.span));
                    }
                }
                if section.as_deref() == Some("pgbouncer") {
                    out.push(line_setting(
                        emb, file, &depths, key, key_span, &value, value_span,
                    ));
                }
            }
            pgbouncer::Item::Include { .. } => {}
            pgbouncer::Item::Error { span, message } => {
                line_error(diags, emb, file, span, message);
            }
        }
    }
    out
}

/// Which config format a text named `key` (a ConfigMap key, a file name)
/// holds, by its name first and its content second:
///
/// - `*.cnf`, or a text with a `[mysqld]`, `[mysqld-X.Y]`, `[mariadb]`,
///   `[mariadbd]`, `[server]`, `[client-server]` or `[galera]` header:
///   [`ConfigFormat::MyCnf`];
/// - `pgbouncer.ini` (any `*.ini` whose text has a `[pgbouncer]` header):
///   [`ConfigFormat::PgBouncerIni`];
/// - `postgresql.conf`, `postgresql.auto.conf`, and any other `*.conf` whose
///   name contains `postgres` or starts with `pg` (but not `pg_hba.conf` /
///   `pg_ident.conf`, which hold no settings): [`ConfigFormat::PgConf`].
///
/// `None` otherwise (the key is not read).
pub fn format_of(key: &str, text: &str) -> Option<ConfigFormat> {
    let k = key.to_ascii_lowercase();
    let has_header = |names: &[&str]| {
        text.lines().any(|l| {
            let l = l.trim();
            l.starts_with('[')
                && l.find(']').is_some_and(|e| {
                    let n = l[1..e].trim().to_ascii_lowercase();
                    names.contains(&n.as_str())
                        || n.strip_prefix("mysqld-").is_some_and(|v| v.contains('.'))
                })
        })
    };
    if k.ends_with(".cnf")
        || has_header(&[
            "mysqld",
            "mariadb",
            "mariadbd",
            "server",
            "client-server",
            "galera",
        ])
    {
        return Some(ConfigFormat::MyCnf);
    }
    if k.ends_with(".ini") && (k.contains("pgbouncer") || has_header(&["pgbouncer"])) {
        return Some(ConfigFormat::PgBouncerIni);
    }
    if k.ends_with(".conf")
        && k != "pg_hba.conf"
        && k != "pg_ident.conf"
        && (k.contains("postgres") || k.starts_with("pg"))
    {
        return Some(ConfigFormat::PgConf);
    }
    None
}

// ---------------------------------------------------------------------
// Helpers shared by the YAML/JSON adapters (Kubernetes, Helm values,
// CloudFormation, AWS CLI dumps).

/// Parses every YAML (or JSON) document of file `file`.
///
/// A file that does not parse is one [`codes::SYNTAX_ERROR`] at the
/// parser's position, and `None`; its password-looking values are marked
/// secret line by line ([`crate::secrets::secret_spans_in_text`]). When the
/// text holds Go-template actions (`{{ … }}`) or the file is named `*.tpl`
/// / `*.gotmpl`, the message says it is a template, which is not read
/// (render it first: `helm template`, `envsubst`).
pub fn parse_documents(
    file: FileId,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Option<Vec<Node>> {
    let text = sources.get(file).text();
    match crate::parse::tree::parse_yaml_documents(text) {
        Ok(docs) => Some(docs),
        Err(e) => {
            let name = sources
                .get(file)
                .path()
                .to_string_lossy()
                .to_ascii_lowercase();
            let template =
                text.contains("{{") || name.ends_with(".tpl") || name.ends_with(".gotmpl");
            let secrets = crate::secrets::secret_spans_in_text(text);
            for s in secrets {
                sources.get_mut(file).mark_secret(s);
            }
            let at = Location::new(file, e.span);
            let d = if template {
                Diagnostic::new(
                    codes::SYNTAX_ERROR,
                    format!(
                        "this file is a template, not YAML ({}); it is not read",
                        e.message
                    ),
                    Label::at(at, "template syntax stops the YAML parser here"),
                )
                .with_help(
                    "render it first (`helm template`, `envsubst`) and name the rendered file",
                )
            } else {
                Diagnostic::new(
                    codes::SYNTAX_ERROR,
                    e.message,
                    Label::at(at, "the file stops parsing here"),
                )
            };
            diags.push(d);
            None
        }
    }
}

/// The node at the mapping-key `path` below `node` (`["spec", "mycnf"]`);
/// `None` where a step is missing or not a mapping.
pub fn node_at<'a>(node: &'a Node, path: &[&str]) -> Option<&'a Node> {
    let mut n = node;
    for k in path {
        n = n.get(k)?;
    }
    Some(n)
}

/// The text of a scalar as its consumer reads it: a string's decoded text,
/// a number or boolean as written in the file (`1.0` stays `1.0`), null as
/// the empty string. `None` for mappings and sequences.
pub fn scalar_text(file: &str, node: &Node) -> Option<String> {
    match &node.kind {
        NodeKind::Str(s) => Some(s.clone()),
        NodeKind::Int(_) | NodeKind::Float(_) | NodeKind::Bool(_) => {
            let raw = file.get(node.span.start..node.span.end)?;
            // A tagged scalar's span starts at its tag (`!!int 5`).
            Some(raw.rsplit([' ', '\t']).next().unwrap_or(raw).to_string())
        }
        NodeKind::Null => Some(String::new()),
        NodeKind::Map(_) | NodeKind::Seq(_) => None,
    }
}

/// A scalar's value as an adapter hands it on: its text, or
/// [`Written::Unresolved`] for a template expression or a mapping/list.
pub fn scalar_value(file: &str, node: &Node) -> Written {
    match scalar_text(file, node) {
        Some(t) => match template_reason(&t) {
            Some(why) => Written::Unresolved(why),
            None => Written::Text(t),
        },
        None => Written::Unresolved(format!("{} where a value was expected", node.type_name())),
    }
}

/// True for a setting name whose value is a secret: containing `password`
/// or `passphrase` (any case), except PostgreSQL's `password_encryption`,
/// which names a hashing method.
pub fn is_secret_setting(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    (n.contains("password") || n.contains("passphrase")) && n != "password_encryption"
}

/// True for variable names holding a secret: those of
/// [`crate::secrets::is_secret_var_name`] (`PASSWORD`, `SECRET`, `TOKEN`,
/// ...), keys (`SIGNING_KEY`, `API_KEY`, `PRIVATE_KEY_PEM`: a name
/// ending in `KEY` or containing `PRIVATE_KEY`; not `API_KEY_RATE_LIMIT`)
/// and `CREDENTIALS`. Masking a harmless value is the safe mistake.
pub(crate) fn is_secret_name(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    crate::secrets::is_secret_var_name(name)
        || n.ends_with("KEY")
        || ["PRIVATE_KEY", "CREDENTIAL"].iter().any(|w| n.contains(w))
}

/// Marks the value of `name` secret where it is written when the name looks
/// secret ([`is_secret_name`]), and URL or conninfo passwords inside any value
/// (compose `environment:`, `.env` lines, a Kubernetes container's `env`).
pub(crate) fn mark_secret_value(
    sources: &mut SourceMap,
    name: &str,
    value: &crate::sources::argv::traced::Traced,
) {
    let mut ranges: Vec<std::ops::Range<usize>> = Vec::new();
    if is_secret_name(name) && !value.text.is_empty() {
        ranges.push(0..value.text.len());
    }
    if value.text.contains("://") {
        ranges.extend(crate::systems::app::url::secret_ranges(&value.text));
    }
    ranges.extend(crate::secrets::assignment_ranges(&value.text));
    for r in ranges {
        mark_range(sources, value, r);
    }
}

/// Marks the bytes `r` of `value` secret in the files they come from; text
/// without an exact position (a value given by the caller) is recorded as
/// a secret value so outputs still mask it.
pub(crate) fn mark_range(
    sources: &mut SourceMap,
    value: &crate::sources::argv::traced::Traced,
    r: std::ops::Range<usize>,
) {
    let exact = value
        .origins
        .get(r.clone())
        .is_some_and(|os| os.iter().all(|o| o.exact));
    for loc in value.spans_of(r.clone()) {
        sources.get_mut(loc.file).mark_secret(loc.span);
    }
    if !exact && let Some(text) = value.text.get(r) {
        sources.add_secret_value(crate::secrets::unquote(text));
    }
}

/// Settings written as a YAML mapping `name: value` (CloudNativePG and
/// Zalando `parameters`, CNPG Pooler `pgbouncer.parameters`), in file
/// order, as [`Assignment`]s set by `set_by`. Values of secret names
/// ([`is_secret_setting`]) are marked secret.
pub fn map_assignments(
    file: FileId,
    text: &str,
    map: &Node,
    set_by: SetBy,
    sources: &mut SourceMap,
) -> Vec<Assignment> {
    let mut out = Vec::new();
    for (k, v) in map.as_map().unwrap_or(&[]) {
        if is_secret_setting(&k.text) {
            sources.get_mut(file).mark_secret(v.span);
        }
        out.push(Assignment {
            name: k.text.clone(),
            name_at: Location::new(file, k.span),
            value: scalar_value(text, v),
            value_at: Location::new(file, v.span),
            set_by,
        });
    }
    out
}

/// Makes addresses unique per (address, kind of candidate): a repeated one
/// gets ` (2)`, ` (3)`, ... in file order.
pub fn unique_addresses(cands: &mut [crate::sources::Candidate]) {
    let mut seen: std::collections::BTreeMap<(String, &'static str), usize> =
        std::collections::BTreeMap::new();
    for c in cands.iter_mut() {
        let n = seen
            .entry((c.address.clone(), c.found.kind()))
            .and_modify(|n| *n += 1)
            .or_insert(1);
        if *n > 1 {
            c.address = format!("{} ({n})", c.address);
        }
    }
}

/// The repository and version of a container image reference
/// `[registry/][namespace/]repo[:tag][@digest]`
/// (https://docs.docker.com/reference/cli/docker/image/tag/), the one image
/// parser of all adapters: the registry (a first component with a `.` or
/// `:`, or `localhost`: `docker.io/`, `quay.io/`, `public.ecr.aws/`) and
/// Docker Hub's `library/` namespace of official images are dropped, the
/// repository is lower-cased (`docker.io/library/mysql:8.0` is `mysql`).
///
/// Version from the tag: its leading `v`-less dotted number (`16-alpine` ->
/// `16`, `8.0.30` -> `8.0.30`, bitnami `16.2.0-debian-12-r5` -> `16.2.0`,
/// postgis `16-3.4` -> `16`, the PostgreSQL major first); for timescale
/// images the `pgNN` part (`2.14.2-pg16` -> `16`). `latest`, no tag, or a
/// tag without a number: no version. `None` for an empty reference.
pub fn image_reference(reference: &str) -> Option<(String, Option<String>)> {
    let r = reference.trim();
    let r = r.split('@').next().unwrap_or(r);
    let mut parts: Vec<&str> = r.split('/').collect();
    if parts.len() > 1 {
        let first = parts[0];
        if first.contains('.') || first.contains(':') || first == "localhost" {
            parts.remove(0);
        }
    }
    if parts.first() == Some(&"library") && parts.len() > 1 {
        parts.remove(0);
    }
    let last = parts.pop()?;
    let (name, tag) = match last.split_once(':') {
        Some((n, t)) => (n, Some(t)),
        None => (last, None),
    };
    parts.push(name);
    let repo = parts.join("/").to_ascii_lowercase();
    if repo.is_empty() {
        return None;
    }
    let version = tag.and_then(|t| image_version(&repo, t));
    Some((repo, version))
}

/// The server version in an image tag (see [`image_reference`]).
fn image_version(product: &str, tag: &str) -> Option<String> {
    if product.starts_with("timescale/") {
        let at = tag.find("pg")?;
        let digits: String = tag[at + 2..]
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        return (!digits.is_empty()).then_some(digits);
    }
    let t = tag.strip_prefix('v').unwrap_or(tag);
    let v: String = t
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let v = v.trim_end_matches('.');
    (!v.is_empty() && v.starts_with(|c: char| c.is_ascii_digit())).then(|| v.to_string())
}

/// The [`crate::sources::Flavor`] of the image named by the scalar `node`
/// ([`image_reference`]), located at the scalar. `None` for an empty or
/// templated image.
pub fn image_flavor(file: FileId, text: &str, node: &Node) -> Option<crate::sources::Flavor> {
    let image = scalar_text(text, node)?;
    if image.trim().is_empty() || template_reason(&image).is_some() {
        return None;
    }
    let (product, version) = image_reference(&image)?;
    Some(crate::sources::Flavor {
        product,
        version,
        at: Location::new(file, node.span),
    })
}

/// The system an image runs, from its product name: `mysql`, `mariadb`,
/// `percona` → MySQL; `postgres`, `postgis`, `timescaledb` → PostgreSQL;
/// `pgbouncer` → PgBouncer. `None` otherwise.
pub fn image_system(product: &str) -> Option<System> {
    let last = product.rsplit('/').next().unwrap_or(product);
    if last.contains("pgbouncer") {
        Some(System::PgBouncer)
    } else if last.contains("postgres") || last.contains("postgis") || last.contains("timescaledb")
    {
        Some(System::Postgres)
    } else if last.contains("mysql") || last.contains("mariadb") || last.contains("percona") {
        Some(System::Mysql)
    } else {
        None
    }
}

/// Splits `k1=v1,k2=v2` attribute lists (the AWS Load Balancer Controller's
/// `load-balancer-attributes` / `listener-attributes` annotations) into
/// `(key, key span, value, value span)` in text offsets, blanks trimmed.
pub fn attribute_pairs(text: &str) -> Vec<(String, Span, String, Span)> {
    let mut out = Vec::new();
    let mut at = 0;
    for part in text.split(',') {
        let start = at;
        at += part.len() + 1;
        let Some(eq) = part.find('=') else { continue };
        let trim = |s: usize, e: usize| {
            let t = &part[s..e];
            let lead = t.len() - t.trim_start().len();
            let body = t.trim();
            (
                body.to_string(),
                Span::new(start + s + lead, start + s + lead + body.len()),
            )
        };
        let (k, ks) = trim(0, eq);
        let (v, vs) = trim(eq + 1, part.len());
        out.push((k, ks, v, vs));
    }
    out
}

/// A stable text rendering of candidates, one block per candidate, for
/// tests and debugging: the kind, address and `line:col` of each candidate,
/// then each value as `name = <file text at the value> @line:col`, where the
/// file text is the masked text (secrets show as `*`; cut to 80 characters)
/// and an unresolved value shows `?(reason)`.
pub fn render(cands: &[crate::sources::Candidate], sources: &SourceMap) -> String {
    use crate::sources::Found;
    use std::fmt::Write as _;
    let pos = |l: Location| {
        let lc = sources.get(l.file).line_col(l.span.start);
        format!("{}:{}", lc.line, lc.column)
    };
    let shown = |w: &Written, l: Location| match w {
        Written::Text(_) => {
            let s = sources
                .get(l.file)
                .masked_slice(l.span)
                .replace('\n', "\\n");
            let s = if s.chars().count() > 80 {
                format!("{}...", s.chars().take(77).collect::<String>())
            } else {
                s
            };
            format!("{s} @{}", pos(l))
        }
        Written::Unresolved(why) => format!("?({why}) @{}", pos(l)),
        Written::Unset => format!("(unset: provider default) @{}", pos(l)),
    };
    let mut out = String::new();
    for c in cands {
        let _ = write!(out, "{} {} @{}", c.found.kind(), c.address, pos(c.at));
        match &c.found {
            Found::Server(s) => {
                let _ = write!(out, " [{}]", s.system.as_str());
                if let Some(f) = &s.flavor {
                    let _ = write!(
                        out,
                        " flavor {} {} @{}",
                        f.product,
                        f.version.as_deref().unwrap_or("-"),
                        pos(f.at)
                    );
                }
                out.push('\n');
                for a in &s.assignments {
                    let _ = writeln!(
                        out,
                        "  {} ({:?}) @{} = {}",
                        a.name,
                        a.set_by,
                        pos(a.name_at),
                        shown(&a.value, a.value_at)
                    );
                }
            }
            Found::IdleLimit(l) => {
                let _ = writeln!(
                    out,
                    " [{}] = {} x{}s",
                    l.preset,
                    shown(&l.value, l.at),
                    l.unit_secs
                );
            }
            Found::AppEnv(vars) => {
                out.push('\n');
                for v in vars {
                    let _ = writeln!(out, "  {} = {}", v.name, shown(&v.value, v.at));
                }
            }
            Found::Workers(w) => {
                let p: Vec<String> = w
                    .processes
                    .iter()
                    .map(|(n, l)| format!("{n}@{}", pos(*l)))
                    .collect();
                let _ = writeln!(out, " processes [{}]", p.join(", "));
            }
            Found::ConfigFiles(files) => {
                let t: Vec<String> = files
                    .iter()
                    .map(|f| format!("{}@{}", f.target, pos(f.at)))
                    .collect();
                let _ = writeln!(out, " [{}]", t.join(", "));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
