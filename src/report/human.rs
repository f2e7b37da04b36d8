//! `human` format: miette graphical reports with source snippets.
//!
//! The primary label sits on the value to change; related labels in the same
//! file join it, labels in other files become related reports with their own
//! snippet; labels with no file (command-line flags) become notes. Links are
//! always off (miette emits OSC-8 hyperlinks even when piped, CRATES.md §4).
//!
//! Untrusted text: messages, labels, help and file names are escaped as
//! [`crate::report::escape`] describes. miette is never handed a whole file:
//! each report gets a [`Snippet`] of only the lines around its labels (one
//! line of context), with control characters escaped (tabs are kept; miette
//! expands them) and each line cut to [`MAX_LINE_WIDTH`] columns around its
//! first label, with `…` where text was left out. Line numbers and the
//! `[file:line:column]` header are those of the file (columns in
//! characters, as in every other format). So a one-line 50 MB file makes a
//! report of a few hundred bytes.

use std::collections::BTreeMap;
use std::fmt;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteSpanContents, SourceSpan};

use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::report::{RunError, escape, run_summary};
use crate::source::{SourceFile, SourceMap};

/// Colour choice for the human renderer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Color {
    /// ANSI colours and unicode drawing.
    Always,
    /// Plain unicode drawing, no escapes (deterministic; used when piped).
    Never,
}

struct Report {
    message: String,
    code: String,
    severity: miette::Severity,
    help: Option<String>,
    source: Option<Snippet>,
    labels: Vec<LabeledSpan>,
    related: Vec<Report>,
}

impl fmt::Debug for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        if self.code.is_empty() {
            None
        } else {
            Some(Box::new(&self.code))
        }
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            None
        } else {
            Some(Box::new(
                self.related.iter().map(|r| r as &dyn miette::Diagnostic),
            ))
        }
    }
}

/// The text of `file` the snippets quote: with every secret span masked.
fn snippet_text(file: &SourceFile) -> &str {
    file.masked_text()
}

/// Widest quoted source line, in columns after escaping. A longer line is
/// cut to a window around its first label, with `…` where text was left out.
pub const MAX_LINE_WIDTH: usize = 200;

/// Columns of a long line kept before its first label.
const WINDOW_LEFT: usize = 40;

/// Lines of context miette shows around a label (its default).
const CONTEXT_LINES: usize = 1;

/// Lines of a multi-line label quoted; a longer label is cut to its first
/// line.
const MAX_LABEL_LINES: usize = 10;

/// Contiguous lines of a [`Snippet`]: `start..end` in its text, whose first
/// line is line `first_line` (0-based) of the file.
struct Segment {
    start: usize,
    end: usize,
    first_line: usize,
}

/// The part of a file one report quotes: only the lines around its labels,
/// each escaped (control characters other than tab, which miette expands)
/// and cut to [`MAX_LINE_WIDTH`] around its labels. Labels are rebased into
/// it with [`Snippet::span`]; miette sees the original line numbers and
/// columns.
struct Snippet {
    name: String,
    text: String,
    segments: Vec<Segment>,
    /// Snippet offset of a label start => original 0-based line and column
    /// (the first label's, when several start there).
    starts: BTreeMap<usize, (usize, usize)>,
    /// Original byte offset => snippet offset, for every label end point
    /// (the first mapping, when one is mapped twice).
    offsets: BTreeMap<usize, usize>,
    /// Offset of each line of `text` (from 0), so that miette is handed
    /// only the lines around one label, never a whole segment to scan.
    line_starts: Vec<usize>,
}

/// `(start, end)` of the line holding byte `offset`, without its newline.
fn line_bounds(text: &str, offset: usize) -> (usize, usize) {
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    (start, end)
}

/// `offset` clamped to `text` and moved back to a character boundary.
fn boundary(text: &str, offset: usize) -> usize {
    let mut o = offset.min(text.len());
    while o > 0 && !text.is_char_boundary(o) {
        o -= 1;
    }
    o
}

/// Columns `c` takes in a snippet line.
fn columns(c: char) -> usize {
    if c == '\t' { 4 } else { escape::width(c) }
}

fn push_snippet_char(out: &mut String, c: char) {
    if c == '\t' {
        out.push(c);
    } else {
        escape::push_char(out, c);
    }
}

impl Snippet {
    /// The snippet of `file` for labels at `spans` (byte spans of the
    /// file), and those spans rebased into it (a label longer than
    /// [`MAX_LABEL_LINES`] cut to them).
    fn new(file: &SourceFile, spans: &[(usize, usize)]) -> (Snippet, Vec<SourceSpan>) {
        let text = snippet_text(file);
        // Every line to quote: (start, end) by start offset.
        let mut lines: BTreeMap<usize, usize> = BTreeMap::new();
        let mut points = Vec::new();
        for &(s, e) in spans {
            let s = boundary(text, s);
            let (ls, le) = line_bounds(text, s);
            // The label's lines, at most MAX_LABEL_LINES of them.
            let mut e = boundary(text, e.max(s));
            let (mut cs, mut ce) = (ls, le);
            lines.insert(cs, ce);
            let mut n = 1;
            while e > ce + 1 && ce < text.len() {
                if n == MAX_LABEL_LINES {
                    e = ce;
                    break;
                }
                cs = ce + 1;
                ce = line_bounds(text, cs).1;
                lines.insert(cs, ce);
                n += 1;
            }
            if e > ce {
                e = ce.min(e);
            }
            points.push((s, e));
            // Context before and after.
            let (mut before, mut after) = (ls, ce);
            for _ in 0..CONTEXT_LINES {
                if before > 0 {
                    let b = line_bounds(text, before - 1);
                    lines.insert(b.0, b.1);
                    before = b.0;
                }
                if after < text.len() {
                    let a = line_bounds(text, after + 1);
                    lines.insert(a.0, a.1);
                    after = a.1;
                }
            }
        }
        let mut snippet = Snippet {
            name: escape::file_name(file.name()).into_owned(),
            text: String::new(),
            segments: Vec::new(),
            starts: BTreeMap::new(),
            offsets: BTreeMap::new(),
            line_starts: Vec::new(),
        };
        // Label starts, and every label end point, sorted: each line takes
        // its own with a binary search.
        let mut label_starts: Vec<usize> = points.iter().map(|&(s, _)| s).collect();
        label_starts.sort_unstable();
        let mut end_points: Vec<usize> = points.iter().flat_map(|&(s, e)| [s, e]).collect();
        end_points.sort_unstable();
        let within = |sorted: &[usize], ls: usize, le: usize| {
            let from = sorted.partition_point(|&p| p < ls);
            let to = sorted.partition_point(|&p| p <= le);
            sorted[from..to.max(from)].to_vec()
        };
        let mut previous_end: Option<usize> = None;
        for (&ls, &le) in &lines {
            let contiguous = previous_end.is_some_and(|p| p + 1 == ls);
            if !contiguous {
                snippet.segments.push(Segment {
                    start: snippet.text.len(),
                    end: snippet.text.len(),
                    first_line: file.line_col(ls).line - 1,
                });
            }
            let ends = within(&end_points, ls, le);
            let focus = within(&label_starts, ls, le).first().copied().unwrap_or(ls);
            snippet.push_line(text, ls, le, focus, &ends);
            // Each line keeps its line break, as in the file.
            if le < text.len() {
                snippet.text.push('\n');
            }
            if let Some(seg) = snippet.segments.last_mut() {
                seg.end = snippet.text.len();
            }
            previous_end = Some(le);
        }
        let mut rebased = Vec::new();
        for &(s, e) in &points {
            let at = file.line_col(s);
            let from = snippet.offset(s);
            let to = snippet.offset(e).max(from);
            snippet
                .starts
                .entry(from)
                .or_insert((at.line - 1, at.column - 1));
            rebased.push(SourceSpan::new(from.into(), to - from));
        }
        snippet.line_starts = std::iter::once(0)
            .chain(snippet.text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        (snippet, rebased)
    }

    /// Appends line `ls..le` of `text`, windowed around `focus`, and maps
    /// the label end points `ends` on it.
    fn push_line(&mut self, text: &str, ls: usize, le: usize, focus: usize, ends: &[usize]) {
        // A CRLF line: the `\r` is part of the line break, not of the text.
        let le_text = if le > ls && text.as_bytes()[le - 1] == b'\r' {
            le - 1
        } else {
            le
        };
        let line = &text[ls..le_text];
        let fits = line.len() <= MAX_LINE_WIDTH && !line.chars().any(escape::is_escaped);
        let base = self.text.len();
        if fits {
            self.text.push_str(line);
            for &p in ends {
                let p = p.min(le_text);
                self.offsets.entry(p).or_insert(base + (p - ls));
            }
            return;
        }
        // Is the whole line narrow enough once escaped? Stop counting early.
        let mut width = 0;
        let whole = line.chars().all(|c| {
            width += columns(c);
            width <= MAX_LINE_WIDTH
        });
        let start = if whole {
            ls
        } else {
            // Up to WINDOW_LEFT characters before the focus.
            let mut start = boundary(text, focus.min(le_text));
            for _ in 0..WINDOW_LEFT {
                if start <= ls {
                    break;
                }
                start = boundary(text, start - 1);
            }
            start
        };
        let budget = if whole {
            MAX_LINE_WIDTH
        } else {
            MAX_LINE_WIDTH - 2
        };
        if start > ls {
            self.text.push('…');
        }
        let window_start = self.text.len();
        let mut map = vec![(start, window_start)];
        let mut width = 0;
        let mut end = start;
        for (i, c) in text[start..le_text].char_indices() {
            let w = columns(c);
            if width + w > budget {
                break;
            }
            width += w;
            push_snippet_char(&mut self.text, c);
            end = start + i + c.len_utf8();
            map.push((end, self.text.len()));
        }
        let window_end = self.text.len();
        if end < le_text {
            self.text.push('…');
        }
        for &p in ends {
            let to = if p <= start {
                window_start
            } else if p >= end {
                window_end
            } else {
                // The last mapped character boundary at or before p.
                let i = map.partition_point(|&(o, _)| o <= p);
                map[i.saturating_sub(1)].1
            };
            self.offsets.entry(p).or_insert(to);
        }
    }

    /// The snippet offset of original byte `offset`, one of the label end
    /// points given to [`Snippet::new`].
    fn offset(&self, offset: usize) -> usize {
        self.offsets.get(&offset).copied().unwrap_or(0)
    }
}

impl miette::SourceCode for Snippet {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let (from, to) = (span.offset(), span.offset() + span.len());
        // A span across two segments would show lines that are not
        // consecutive as if they were: miette then draws them apart.
        // Segments are in order and do not overlap: the first one ending at
        // or after `to` is the first that can hold the span (a binary
        // search, not a scan: a report can quote thousands of lines).
        let seg = self
            .segments
            .get(self.segments.partition_point(|s| s.end < to))
            .filter(|s| s.start <= from)
            .ok_or(miette::MietteError::OutOfBounds)?;
        // Only the label's lines, the context miette asks for and one line
        // more on each side (so miette decides exactly as on the whole
        // segment), within the segment: miette scans what it is given from
        // its start, once per label.
        let line_of = |o: usize| {
            self.line_starts
                .partition_point(|&s| s <= o)
                .saturating_sub(1)
        };
        let first = line_of(from).saturating_sub(context_lines_before + 1);
        let last = line_of(to) + context_lines_after + 1;
        let sub_start = self
            .line_starts
            .get(first)
            .map_or(seg.start, |&s| s.max(seg.start));
        let sub_end = self
            .line_starts
            .get(last + 1)
            .map_or(seg.end, |&e| e.min(seg.end))
            .max(to);
        let skipped = line_of(sub_start) - line_of(seg.start);
        let local = &self.text[sub_start..sub_end];
        let local_span = SourceSpan::new((from - sub_start).into(), span.len());
        let c = local.read_span(&local_span, context_lines_before, context_lines_after)?;
        let mut line = c.line() + seg.first_line + skipped;
        let mut column = c.column();
        if context_lines_before == 0
            && let Some(&(l, col)) = self.starts.get(&from)
        {
            line = l;
            column = col;
        }
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            c.data(),
            SourceSpan::new((c.span().offset() + sub_start).into(), c.span().len()),
            line,
            column,
            c.line_count(),
        )))
    }
}

fn byte_span(label: &Label) -> Option<(usize, usize)> {
    label.location.map(|l| (l.span.start, l.span.end))
}

fn build(d: &Diagnostic, sources: &SourceMap) -> Report {
    let primary_file = d.primary.location.map(|l| l.file);
    let text = |s: &str| escape::text(s).into_owned();
    // The labels in the primary's file, in one snippet.
    let mut same_file = Vec::new();
    if d.primary.location.is_some() {
        same_file.push(&d.primary);
    }
    let mut notes = Vec::new();
    let mut related = Vec::new();
    for l in &d.related {
        match l.location {
            Some(loc) if Some(loc.file) == primary_file => same_file.push(l),
            Some(loc) => {
                let file = sources.get(loc.file);
                let span = (loc.span.start, loc.span.end);
                let (snippet, label) = Snippet::new(file, &[span]);
                related.push(Report {
                    message: text(&l.message),
                    code: String::new(),
                    severity: miette::Severity::Advice,
                    help: None,
                    source: Some(snippet),
                    labels: label
                        .into_iter()
                        .map(|s| LabeledSpan::new_primary_with_span(None, s))
                        .collect(),
                    related: Vec::new(),
                });
            }
            None => notes.push(format!("note: {}", text(&l.message))),
        }
    }
    let mut source = None;
    let mut labels = Vec::new();
    if let Some(file) = primary_file.map(|f| sources.get(f)) {
        let spans: Vec<(usize, usize)> = same_file.iter().filter_map(|l| byte_span(l)).collect();
        let (snippet, rebased) = Snippet::new(file, &spans);
        for (i, (l, &span)) in same_file.iter().zip(&rebased).enumerate() {
            let message = Some(text(&l.message));
            labels.push(if i == 0 {
                LabeledSpan::new_primary_with_span(message, span)
            } else {
                LabeledSpan::new_with_span(message, span)
            });
        }
        source = Some(snippet);
    }
    let mut help = d.help.as_deref().map(text);
    if !notes.is_empty() {
        let joined = notes.join("\n");
        help = Some(match help {
            Some(h) => format!("{h}\n{joined}"),
            None => joined,
        });
    }
    Report {
        message: text(&d.message),
        code: format!("{} {}", d.code.id, d.code.name),
        severity: match d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        },
        help,
        source,
        labels,
        related,
    }
}

/// Renders every diagnostic as a graphical report, then the summary line of
/// [`run_summary`] (which says when `errors` kept the run from checking
/// everything; the errors themselves go to standard error).
pub fn render(
    diags: &[Diagnostic],
    errors: &[RunError],
    sources: &SourceMap,
    color: Color,
) -> String {
    let theme = match color {
        Color::Always => GraphicalTheme::unicode(),
        Color::Never => GraphicalTheme::unicode_nocolor(),
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_links(false)
        .with_width(100);
    let mut out = String::new();
    for d in diags {
        let report = build(d, sources);
        if handler.render_report(&mut out, &report).is_err() {
            out.push_str(&format!("{}: {}\n", d.code.id, escape::text(&d.message)));
        }
        out.push('\n');
    }
    out.push_str(&run_summary(diags, errors));
    out.push('\n');
    if let Some(note) = super::fixable_note(diags) {
        out.push_str(&note);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::diagnostic::Label;
    use crate::rules::codes;
    use crate::source::{Location, Span};

    fn one(text: &str, needle: &str) -> String {
        let mut sources = SourceMap::new(None);
        let f = sources.add(Path::new("f.cnf"), text.to_string());
        let start = text.find(needle).unwrap_or(0);
        let d = Diagnostic::new(
            codes::INVALID_VALUE,
            "bad value",
            Label::at(
                Location::new(f, Span::new(start, start + needle.len())),
                "this one",
            ),
        );
        render(&[d], &[], &sources, Color::Never)
    }

    #[test]
    fn a_label_deep_in_a_long_line_is_shown_in_a_window() {
        let text = format!(
            "a = 1\nb = {}TARGET{}\nc = 2\n",
            "x".repeat(500_000),
            "y".repeat(500_000)
        );
        let out = one(&text, "TARGET");
        assert!(out.len() < 3_000, "{} bytes", out.len());
        // The file's own line and column in the header.
        assert!(out.contains("[f.cnf:2:500005]"), "{out}");
        let line = out.lines().find(|l| l.starts_with(" 2 │ ")).unwrap();
        assert!(line.starts_with(" 2 │ …xxx"), "{line}");
        assert!(line.ends_with("yyy…"), "{line}");
        assert!(line.chars().count() <= MAX_LINE_WIDTH + 5, "{line}");
        // The underline sits under TARGET.
        let under = out.lines().find(|l| l.contains("──")).unwrap();
        let column = |s: &str, pat: &str| s.find(pat).map(|i| s[..i].chars().count());
        assert_eq!(
            column(under, "─"),
            column(line, "TARGET"),
            "{line}\n{under}"
        );
        assert!(
            out.contains(" 1 │ a = 1\n") && out.contains(" 3 │ c = 2\n"),
            "{out}"
        );
    }

    #[test]
    fn control_characters_in_quoted_lines_are_escaped() {
        let out = one("[mysqld]\r\nwait_timeout = 6\u{1b}[2J\u{9b}\r\n", "6");
        assert!(!out.contains('\u{1b}') && !out.contains('\u{9b}'), "{out}");
        assert!(
            out.contains(" 2 │ wait_timeout = 6\\x1b[2J\\u{9b}\n"),
            "{out}"
        );
        assert!(
            out.contains(" 1 │ [mysqld]\n"),
            "CRLF is a line break:\n{out}"
        );
        assert!(out.contains("[f.cnf:2:16]"), "{out}");
    }

    #[test]
    fn thousands_of_labels_in_one_file() {
        // One report quoting 2,000 lines of one file: each label keeps its
        // own line and column (lookups by binary search, not by scan).
        let n = 2_000;
        let text: String = (0..n).map(|i| format!("key{i} = {i}\n")).collect();
        let mut sources = SourceMap::new(None);
        let f = sources.add(Path::new("f.cnf"), text.clone());
        let at = |i: usize| {
            let s = text.find(&format!("key{i} =")).unwrap_or(0);
            Location::new(f, Span::new(s, s + 3))
        };
        let mut d = Diagnostic::new(codes::INVALID_VALUE, "many", Label::at(at(0), "first"));
        for i in (2..n).step_by(2) {
            d = d.with_related(Label::at(at(i), format!("label {i}")));
        }
        let started = std::time::Instant::now();
        let out = render(&[d], &[], &sources, Color::Never);
        eprintln!("rendered in {:?}", started.elapsed());
        assert!(out.contains("[f.cnf:1:1]"), "{}", &out[..500]);
        assert!(out.contains(" 1999 │ key1998 = 1998\n"), "{}", &out[..500]);
        assert!(out.contains("label 1998"));
    }

    #[test]
    fn labels_far_apart_keep_their_line_numbers() {
        let mut text = String::from("first = 1\n");
        text.push_str(&"filler\n".repeat(50));
        text.push_str("last = 2\n");
        let mut sources = SourceMap::new(None);
        let f = sources.add(Path::new("f.cnf"), text.clone());
        let a = text.find('1').unwrap();
        let b = text.find('2').unwrap();
        let d = Diagnostic::new(
            codes::INVALID_VALUE,
            "far apart",
            Label::at(Location::new(f, Span::new(b, b + 1)), "here"),
        )
        .with_related(Label::at(Location::new(f, Span::new(a, a + 1)), "there"));
        let out = render(&[d], &[], &sources, Color::Never);
        assert!(out.contains("[f.cnf:52:8]"), "{out}");
        assert!(out.contains(" 52 │ last = 2\n"), "{out}");
        assert!(out.contains(" 1 │ first = 1\n"), "{out}");
        assert!(
            !out.contains("25 │"),
            "only the lines around labels:\n{out}"
        );
    }
}
