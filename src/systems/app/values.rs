//! Typed reads of tree values, with TL002 diagnostics for values of the wrong type.
//!
//! Every reader returns `None` when the value cannot be used (after reporting
//! it), so the caller falls back to the documented default.

use std::time::Duration;

use crate::diagnostic::{Diagnostic, Label};
use crate::parse::tree::{Node, NodeKind};
use crate::provenance::{Origin, Sourced};
use crate::rules::codes;
use crate::source::{FileId, Location, Span};

use super::url::is_secret_name;

/// The file being read, its text and where diagnostics go.
pub(super) struct Ctx<'a> {
    pub file: FileId,
    pub text: &'a str,
    pub diags: &'a mut Vec<Diagnostic>,
    /// Origins that replace `Origin::File` for nodes at these spans (values
    /// read from environment variables in Python settings).
    pub origins: Vec<(Span, Origin)>,
    /// The manifest's backend / driver overrides.
    pub overrides: super::Overrides,
    /// Modules imported by a Python settings file, by span space (index 1
    /// up; index 0 is `file` / `text` itself): spans at `i << 40` are bytes
    /// of module `i` (see `python::eval::SPACE_BITS`). Empty elsewhere.
    pub spaces: Vec<(FileId, &'a str)>,
}

/// A number of seconds as written.
pub(super) enum Seconds {
    /// Zero or more.
    NonNegative(Duration),
    /// Below zero (meaning depends on the setting), with the number for messages.
    Negative(f64),
}

impl<'a> Ctx<'a> {
    pub fn loc(&self, span: Span) -> Location {
        let (file, _, local) = self.space(span);
        Location::new(file, local)
    }

    /// The file, text and local span of a span (see [`Ctx::spaces`]).
    fn space(&self, span: Span) -> (FileId, &'a str, Span) {
        let i = span.start >> 40;
        if i == 0 {
            return (self.file, self.text, span);
        }
        let base = i << 40;
        let local = Span::new(span.start - base, span.end.saturating_sub(base));
        match self.spaces.get(i) {
            Some((f, t)) => (*f, t, local),
            None => (self.file, "", Span::new(0, 0)),
        }
    }

    pub fn at(&self, node: &Node) -> Origin {
        if let Some((_, o)) = self.origins.iter().find(|(s, _)| *s == node.span) {
            return o.clone();
        }
        Origin::File(self.loc(node.span))
    }

    /// The origin of the part `span` of `node`: the node's override when it has
    /// one (a value from the environment), else the file at `span`.
    pub fn at_part(&self, node: &Node, span: Span) -> Origin {
        match self.origins.iter().find(|(s, _)| *s == node.span) {
            Some((_, o)) => o.clone(),
            None => Origin::File(self.loc(span)),
        }
    }

    /// Reports a TL002 error at `span`.
    pub fn invalid(&mut self, span: Span, message: String, label: &str) {
        let d = Diagnostic::new(
            codes::INVALID_VALUE,
            message,
            Label::at(self.loc(span), label),
        );
        self.diags.push(d);
    }

    /// The value as written, for messages: the source text of a scalar (at most
    /// 40 characters), or its type for collections. Text that looks like a URL
    /// or a credential is never shown.
    pub fn shown(&self, node: &Node) -> String {
        match node.kind {
            NodeKind::Map(_) | NodeKind::Seq(_) => return node.type_name().to_string(),
            NodeKind::Null => return "null".to_string(),
            _ => {}
        }
        let (_, text, local) = self.space(node.span);
        let raw = text.get(local.start..local.end).unwrap_or("").trim();
        if raw.contains("://") || raw.contains('@') {
            return node.type_name().to_string();
        }
        let mut s: String = raw.chars().take(40).collect();
        if raw.chars().count() > 40 {
            s.push('…');
        }
        if s.is_empty() {
            node.type_name().to_string()
        } else {
            s
        }
    }

    /// The span of bytes `range` of a string node's value, when the file holds
    /// the string verbatim (plain or simply quoted); otherwise the whole node.
    pub fn inner_span(&self, node: &Node, range: std::ops::Range<usize>) -> Span {
        let whole = node.span;
        let (_, text, local) = self.space(whole);
        let (Some(value), Some(raw)) = (node.as_str(), text.get(local.start..local.end)) else {
            return whole;
        };
        let offset = if raw == value {
            Some(0)
        } else {
            let quoted = raw.len() >= 2
                && (raw.starts_with('"') || raw.starts_with('\''))
                && raw.get(1..raw.len() - 1) == Some(value);
            quoted.then_some(1)
        };
        match offset {
            Some(o) if range.end <= value.len() => {
                Span::new(whole.start + o + range.start, whole.start + o + range.end)
            }
            _ => whole,
        }
    }

    /// Reads a number of seconds (integer or float). Reports and returns `None`
    /// for anything else (strings, booleans, NaN, infinity).
    pub fn seconds(&mut self, name: &str, node: &Node, fallback: &str) -> Option<Seconds> {
        let x = match node.kind {
            NodeKind::Int(i) if i >= 0 => {
                return Some(Seconds::NonNegative(Duration::from_secs(i.unsigned_abs())));
            }
            NodeKind::Int(i) => return Some(Seconds::Negative(i as f64)),
            NodeKind::Float(f) if f.is_finite() => f,
            _ => {
                let msg = format!(
                    "invalid {name} = {}: not a number of seconds; {fallback}",
                    self.shown(node)
                );
                self.invalid(node.span, msg, "expected a number of seconds");
                return None;
            }
        };
        if x < 0.0 {
            return Some(Seconds::Negative(x));
        }
        match Duration::try_from_secs_f64(x) {
            Ok(d) => Some(Seconds::NonNegative(d)),
            Err(_) => {
                let msg = format!(
                    "invalid {name} = {} s: too large; {fallback}",
                    self.shown(node)
                );
                self.invalid(node.span, msg, "too large");
                None
            }
        }
    }

    /// Reads a non-negative number of seconds; negatives are reported.
    pub fn duration(
        &mut self,
        name: &str,
        node: &Node,
        fallback: &str,
    ) -> Option<Sourced<Duration>> {
        match self.seconds(name, node, fallback)? {
            Seconds::NonNegative(d) => Some(Sourced::new(d, self.at(node))),
            Seconds::Negative(x) => {
                let msg = format!("invalid {name} = {x} s: negative; {fallback}");
                self.invalid(node.span, msg, "must be 0 or more");
                None
            }
        }
    }

    /// Reads a boolean; anything else is reported.
    pub fn boolean(&mut self, name: &str, node: &Node, fallback: &str) -> Option<Sourced<bool>> {
        match node.kind {
            NodeKind::Bool(b) => Some(Sourced::new(b, self.at(node))),
            _ => {
                let msg = format!(
                    "invalid {name} = {}: not a boolean; {fallback}",
                    self.shown(node)
                );
                self.invalid(node.span, msg, "expected true or false");
                None
            }
        }
    }

    /// Reads a count (a non-negative integer); anything else is reported.
    pub fn count(&mut self, name: &str, node: &Node, fallback: &str) -> Option<Sourced<u64>> {
        match node.kind {
            NodeKind::Int(i) if i >= 0 => Some(Sourced::new(i.unsigned_abs(), self.at(node))),
            _ => {
                let msg = format!(
                    "invalid {name} = {}: not a count (an integer of 0 or more); {fallback}",
                    self.shown(node)
                );
                self.invalid(node.span, msg, "expected an integer of 0 or more");
                None
            }
        }
    }

    /// Reads a mapping; anything else is reported.
    pub fn mapping<'n>(&mut self, name: &str, node: &'n Node) -> Option<&'n Node> {
        if node.as_map().is_some() {
            return Some(node);
        }
        let msg = format!(
            "invalid {name}: expected a mapping, found {}; it is ignored",
            node.type_name()
        );
        self.invalid(node.span, msg, "expected a mapping");
        None
    }
}

/// Secret spans in a parsed tree: values of password-like keys, the
/// passwords (userinfo and `password=` query values) of every URL string, and
/// `password=` values inside any string (libpq `options` such as
/// `-c password=x`, conninfo strings; see [`crate::secrets::assignment_ranges`]).
pub(super) fn secret_spans(ctx: &Ctx<'_>, root: &Node) -> Vec<Span> {
    let mut out = Vec::new();
    root.walk(&mut |key, node| {
        if key.is_some_and(|k| is_secret_name(&k.text)) && !node.span.is_empty() {
            out.push(node.span);
        }
        if let Some(s) = node.as_str() {
            let mut ranges = crate::secrets::assignment_ranges(s);
            if s.contains("://") {
                ranges.extend(super::url::secret_ranges(s));
            }
            for r in ranges {
                let span = ctx.inner_span(node, r);
                if !span.is_empty() {
                    out.push(span);
                }
            }
        }
    });
    out
}

/// Secret spans found by scanning text that did not parse: URL passwords, and
/// what follows `password:` / `password =` on a line (and the other forms
/// [`crate::secrets::secret_spans_in_text`] knows: it is the one scanner).
pub(super) fn secret_spans_in_text(text: &str) -> Vec<Span> {
    crate::secrets::secret_spans_in_text(text)
}
