//! Compose interpolation (`${VAR}`, `${VAR:-default}`, `$$`, ...) and the
//! dotenv files it reads (`.env`, `env_file:`).
//!
//! Syntax, from https://docs.docker.com/reference/compose-file/interpolation/:
//! `$VAR` and `${VAR}`; `${VAR:-default}` (unset or empty), `${VAR-default}`
//! (unset); `${VAR:?err}` / `${VAR?err}` (required); `${VAR:+alt}` /
//! `${VAR+alt}` (alternative); defaults may nest; `$$` is a literal `$`; a
//! `$` not followed by a name or `{` stays as it is. Values come from the
//! environment running compose (here: the caller's map), which wins over the
//! `.env` file of the project folder
//! (https://docs.docker.com/compose/how-tos/environment-variables/envvars-precedence/).
//!
//! A variable without a value is never guessed: compose would substitute an
//! empty string with a warning, which is rarely what runs in production, so
//! the text keeps the `${VAR}` expression and the range is marked unknown
//! (`${VAR} is not set in .env`); a value touching it becomes
//! [`crate::sources::Written::Unresolved`].
//!
//! Dotenv files (https://docs.docker.com/compose/how-tos/environment-variables/variable-interpolation/#env-file-syntax)
//! are parsed with `dotenvy` (as `src/env.rs` does). dotenvy would expand
//! `$VAR` inside values from the process environment of the linter, which
//! is neither deterministic nor the deployment's, so a value that refers to
//! variables (unquoted or double-quoted, containing `$`) is interpolated
//! here instead, from the entries above it and the caller's map, as compose
//! does. Secret-looking entries (`crate::secrets::is_secret_var_name`) and
//! URL passwords are marked secret in the file.

use std::collections::BTreeMap;
use std::ops::Range;

use crate::diagnostic::{Diagnostic, Label};
use crate::rules::codes;
use crate::source::{FileId, Location, SourceMap, Span};
use crate::sources::argv::traced::Traced;

/// How deep `${A:-${B:-${C}}}` defaults may nest before the rest is kept as text.
const MAX_NESTING: usize = 8;

/// The variables interpolation reads: the caller's map (the environment
/// running compose) over the `.env` file's entries.
#[derive(Clone, Debug, Default)]
pub(crate) struct Vars {
    /// Given by the caller: text without a position in any file.
    pub given: BTreeMap<String, String>,
    /// From the `.env` file, each value located there.
    pub file: BTreeMap<String, Traced>,
}

impl Vars {
    /// The value of `name`, located: a `.env` value where it is written, a
    /// given one at `at` (the `${...}` expression).
    pub fn lookup(&self, name: &str, at: Location) -> Option<Traced> {
        if let Some(v) = self.given.get(name) {
            return Some(Traced::inexact(v, at));
        }
        self.file.get(name).cloned()
    }
}

/// `t` with every variable reference replaced (see the module doc).
pub(crate) fn interpolate(t: &Traced, vars: &Vars) -> Traced {
    interpolate_at(t, vars, 0)
}

fn is_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_name(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn interpolate_at(t: &Traced, vars: &Vars, depth: usize) -> Traced {
    if depth > MAX_NESTING || !t.text.contains('$') {
        return t.clone();
    }
    let b = t.text.as_bytes();
    let mut out = Traced::empty(t.whole);
    let mut i = 0;
    let mut lit = 0;
    while i < b.len() {
        if out.text.len() > crate::sources::argv::traced::MAX_VALUE_LEN {
            // Repeated references to long values: the rest is not expanded.
            out.unknown.push((
                out.text.len()..out.text.len(),
                "the value expands past 64 KiB and is not read further".to_string(),
            ));
            return out;
        }
        if b[i] != b'$' {
            i += 1;
            continue;
        }
        match b.get(i + 1) {
            Some(b'$') => {
                out.push_range(t, lit..i + 1);
                i += 2;
                lit = i;
            }
            Some(b'{') => {
                let Some(close) = matching_close(b, i + 2) else {
                    i += 1;
                    continue;
                };
                out.push_range(t, lit..i);
                braced(t, vars, i..close + 1, depth, &mut out);
                i = close + 1;
                lit = i;
            }
            Some(&c) if is_name_start(c) => {
                let mut e = i + 2;
                while e < b.len() && is_name(b[e]) {
                    e += 1;
                }
                out.push_range(t, lit..i);
                let name = &t.text[i + 1..e];
                substitute(t, vars, i..e, name, &mut out);
                i = e;
                lit = i;
            }
            _ => i += 1,
        }
    }
    out.push_range(t, lit..b.len());
    out
}

/// The index of the `}` closing a `${` whose body starts at `from`.
fn matching_close(b: &[u8], from: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = from;
    while i < b.len() {
        match b[i] {
            b'$' if b.get(i + 1) == Some(&b'{') => {
                depth += 1;
                i += 2;
                continue;
            }
            b'}' if depth == 0 => return Some(i),
            b'}' => depth -= 1,
            _ => {}
        }
        i += 1;
    }
    None
}

/// Pushes the value of a plain reference `$NAME` / `${NAME}` at `expr`.
fn substitute(t: &Traced, vars: &Vars, expr: Range<usize>, name: &str, out: &mut Traced) {
    let at = t.location(expr.clone());
    match vars.lookup(name, at) {
        Some(v) => out.push_via(&v, at),
        None => unknown(t, expr, format!("${{{name}}} is not set in .env"), out),
    }
}

/// Pushes the expression text itself, marked unknown with `why`.
fn unknown(t: &Traced, expr: Range<usize>, why: String, out: &mut Traced) {
    let start = out.text.len();
    out.push_range(t, expr);
    let end = out.text.len();
    out.unknown.push((start..end, why));
}

/// Pushes the value of `${...}` spanning `expr` (both braces included).
fn braced(t: &Traced, vars: &Vars, expr: Range<usize>, depth: usize, out: &mut Traced) {
    let body = expr.start + 2..expr.end - 1;
    let text = &t.text[body.clone()];
    let bytes = text.as_bytes();
    if bytes.is_empty() || !is_name_start(bytes[0]) {
        out.push_range(t, expr);
        return;
    }
    let mut n = 1;
    while n < bytes.len() && is_name(bytes[n]) {
        n += 1;
    }
    let name = &text[..n];
    let rest = &text[n..];
    let (op, arg_from) = if rest.is_empty() {
        ("", n)
    } else if let Some(op) = [":-", ":?", ":+", "-", "?", "+"]
        .into_iter()
        .find(|op| rest.starts_with(op))
    {
        (op, n + op.len())
    } else {
        // Not a form compose accepts (`${VAR/x/y}`): kept as written.
        out.push_range(t, expr);
        return;
    };
    if op.is_empty() {
        substitute(t, vars, expr, name, out);
        return;
    }
    let arg = || interpolate_at(&t.slice(body.start + arg_from..body.end), vars, depth + 1);
    let at = t.location(expr.clone());
    let value = vars.lookup(name, at);
    let set = value.is_some();
    let full = value.as_ref().is_some_and(|v| !v.text.is_empty());
    match op {
        ":-" | "-" => match value {
            Some(v) if full || op == "-" => out.push_via(&v, at),
            _ => out.push(&arg()),
        },
        ":?" | "?" => match value {
            Some(v) if full || op == "?" => out.push_via(&v, at),
            _ => {
                let err = arg().text;
                unknown(
                    t,
                    expr,
                    format!("${{{name}}} is not set in .env (required: {err})"),
                    out,
                );
            }
        },
        _ => {
            if full || (op == "+" && set) {
                out.push(&arg());
            }
        }
    }
}

/// One `KEY=VALUE` entry of a dotenv file.
#[derive(Clone, Debug)]
pub(crate) struct DotenvEntry {
    pub name: String,
    pub name_at: Location,
    pub value: Traced,
}

/// The entries of the dotenv file `id`, in order, values interpolated from
/// the entries above and `vars.given` (see the module doc); secret values
/// marked. A line dotenvy cannot parse is [`codes::SYNTAX_ERROR`] at that
/// line and ends the reading (compose refuses the file).
pub(crate) fn read_dotenv(
    id: FileId,
    sources: &mut SourceMap,
    vars: &Vars,
    diags: &mut Vec<Diagnostic>,
) -> Vec<DotenvEntry> {
    let text = sources.get(id).text().to_string();
    // dotenvy would expand `$VAR` itself (from the linter's own process
    // environment, and exponentially for `B=$A$A`, `C=$B$B`, ...): every `$`
    // is hidden from it as a private-use character and put back after.
    let hidden = text.replace('$', DOLLAR);
    let mut pairs = Vec::new();
    let mut failed = None;
    for item in dotenvy::from_read_iter(hidden.as_bytes()) {
        match item {
            Ok((k, v)) => pairs.push((k.replace(DOLLAR, "$"), v.replace(DOLLAR, "$"))),
            Err(e) => {
                failed = Some(e);
                break;
            }
        }
    }
    let mut local = Vars {
        given: vars.given.clone(),
        file: BTreeMap::new(),
    };
    let mut out = Vec::new();
    let mut k = 0;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let at = offset;
        offset += line.len();
        let Some((key, value)) = pairs.get(k) else {
            break;
        };
        let Some((name_span, body, quote)) = locate(line, at) else {
            continue;
        };
        if text.get(name_span.start..name_span.end) != Some(key.as_str()) {
            continue;
        }
        k += 1;
        let raw = text.get(body.start..body.end).unwrap_or("");
        let traced = if quote != Some('\'') && raw.contains('$') {
            interpolate(&Traced::raw(id, &text, body), &local)
        } else {
            Traced::aligned(id, &text, body, value)
        };
        local.file.insert(key.clone(), traced.clone());
        out.push(DotenvEntry {
            name: key.clone(),
            name_at: Location::new(id, name_span),
            value: traced,
        });
    }
    if let Some(e) = failed {
        diags.push(Diagnostic::new(
            codes::SYNTAX_ERROR,
            "invalid dotenv line: compose refuses this file",
            Label::at(Location::new(id, error_span(&text, &hidden, &e)), "here"),
        ));
    }
    for e in &out {
        crate::sources::embedded::mark_secret_value(sources, &e.name, &e.value);
    }
    out
}

/// Name span, value body span (inside quotes) and the quote of a dotenv
/// line starting at byte `at`, or `None` for a blank or comment line.
fn locate(line: &str, at: usize) -> Option<(Span, Span, Option<char>)> {
    let body = line.trim_end_matches(['\n', '\r']);
    let lead = body.len() - body.trim_start().len();
    let mut rest = &body[lead..];
    let mut start = at + lead;
    if rest.is_empty() || rest.starts_with('#') {
        return None;
    }
    if let Some(r) = rest.strip_prefix("export ") {
        let trimmed = r.trim_start();
        start += rest.len() - trimmed.len();
        rest = trimmed;
    }
    let eq = rest.find('=')?;
    let key = rest[..eq].trim_end();
    let name = Span::new(start, start + key.len());
    let after = &rest[eq + 1..];
    let vlead = after.len() - after.trim_start().len();
    let v = &after[vlead..];
    let vstart = start + eq + 1 + vlead;
    let (span, quote) = match v.chars().next() {
        Some(q @ ('\'' | '"')) => {
            let mut end = None;
            let mut escaped = false;
            for (i, c) in v.char_indices().skip(1) {
                if c == q && !escaped {
                    end = Some(i);
                    break;
                }
                escaped = c == '\\' && !escaped;
            }
            let end = end.unwrap_or(v.len());
            (Span::new(vstart + 1, vstart + end), Some(q))
        }
        _ => {
            let cut = v.find(" #").or_else(|| v.find("\t#")).unwrap_or(v.len());
            (Span::new(vstart, vstart + v[..cut].trim_end().len()), None)
        }
    };
    Some((name, span, quote))
}

/// Stands for `$` in the text given to dotenvy (see [`read_dotenv`]).
const DOLLAR: &str = "\u{E000}";

/// The span of the line a dotenvy error points at: the error's text is
/// found in `hidden` (the text dotenvy read), and the line with that number
/// is spanned in `text`.
fn error_span(text: &str, hidden: &str, e: &dotenvy::Error) -> Span {
    if let dotenvy::Error::LineParse(rest, _) = e {
        let first = rest.lines().next().unwrap_or("");
        if let Some(at) = (!first.is_empty()).then(|| hidden.find(first)).flatten() {
            let line = hidden[..at].matches('\n').count();
            let mut offset = 0;
            for (i, l) in text.split_inclusive('\n').enumerate() {
                if i == line {
                    let body = l.trim_end_matches(['\n', '\r']);
                    return Span::new(offset, offset + body.len());
                }
                offset += l.len();
            }
        }
    }
    Span::new(0, 0)
}
