//! `github` format: GitHub Actions workflow commands, one annotation per
//! finding (CONVENTIONS.md section 3.2):
//!
//! ```text
//! ::error file=app.yaml,line=3,col=17,endLine=3,endColumn=21,title=TL101 pool-recycle-exceeds-wait-timeout::message%0Ahelp: ...
//! ```
//!
//! Errors are `::error`, warnings `::warning`, infos `::notice`. Lines and
//! columns are 1-based, columns in characters; `endColumn` is the exclusive
//! end of the span. A finding with no file carries only `title`.
//!
//! Escaping: property values escape `%`, `\r`, `\n`, `:` and `,`; the
//! message escapes `%`, `\r` and `\n` (GitHub's workflow-command rules);
//! both write any other control character but tab as `\x1b`-style text (see
//! [`crate::report::escape`]), as the Actions log interprets terminal escapes. So
//! no file name or message, whatever it holds, can end the command or start
//! another one; every line this format writes starts with `::` and is one of
//! its own commands.
//!
//! A failure that kept the run from checking everything (exit code 2) is
//! one `::error::MESSAGE` line (`::error file=FILE,title=timeoutlint::MESSAGE`
//! when the file is known), before the findings, so that it is always shown;
//! those lines count towards the error limit below.
//!
//! GitHub shows at most [`MAX_PER_KIND`] annotations of each kind per step
//! and drops the rest silently. So at most that many lines of each kind are
//! printed (in the global order), and when any were left out, one final
//! `::notice::` says how many and points to SARIF. That notice counts towards
//! the notice limit itself, so when it is printed, one fewer finding notice
//! is.

use crate::diagnostic::{Diagnostic, Severity};
use crate::report::{RunError, escape};
use crate::rules::catalogue::RuleDoc;
use crate::source::SourceMap;

/// Annotations of one kind (error, warning, notice) GitHub shows per step.
pub const MAX_PER_KIND: usize = 10;

/// Escapes a property value (`file=`, `title=`): `%`, `\r`, `\n`, `:` and
/// `,` as `%XX`; other control characters (except tab) as
/// [`crate::report::escape`] writes them (`\x1b`), since the Actions log
/// would interpret terminal escapes.
pub fn escape_property(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            ':' => out.push_str("%3A"),
            ',' => out.push_str("%2C"),
            c if c != '\t' && escape::is_escaped(c) => escape::push_char(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// Escapes the message (the text after `::`): `%`, `\r` and `\n` as `%XX`;
/// other control characters (except tab) as [`crate::report::escape`]
/// writes them (`\x1b`).
pub fn escape_data(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c if c != '\t' && escape::is_escaped(c) => escape::push_char(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

fn command(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

fn line(d: &Diagnostic, sources: &SourceMap) -> String {
    let mut props = Vec::new();
    if let Some(loc) = d.primary.location {
        let r = sources.resolve(loc);
        props.push(format!("file={}", escape_property(&r.file)));
        props.push(format!("line={}", r.start.line));
        props.push(format!("col={}", r.start.column));
        props.push(format!("endLine={}", r.end.line));
        props.push(format!("endColumn={}", r.end.column));
    }
    props.push(format!(
        "title={}",
        escape_property(&format!("{} {}", d.code.id, d.code.name))
    ));
    let mut message = d.message.clone();
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    format!(
        "::{} {}::{}\n",
        command(d.severity),
        props.join(","),
        escape_data(&message)
    )
}

fn failure(e: &RunError) -> String {
    match &e.file {
        Some(file) => format!(
            "::error file={},title=timeoutlint::{}\n",
            escape_property(file),
            escape_data(&e.message)
        ),
        None => format!("::error::{}\n", escape_data(&e.message)),
    }
}

/// Renders one `::error` per failure, one workflow command per shown
/// diagnostic, then the note about the ones left out, if any. `docs` is
/// unused.
pub fn render(
    diags: &[Diagnostic],
    run_errors: &[RunError],
    sources: &SourceMap,
    _docs: &[RuleDoc],
) -> String {
    let (errors, warnings, infos) = crate::report::counts(diags);
    let error_cap = MAX_PER_KIND.saturating_sub(run_errors.len());
    let overflow = errors > error_cap || warnings > MAX_PER_KIND || infos > MAX_PER_KIND;
    let cap = |s: Severity| match s {
        Severity::Info if overflow => MAX_PER_KIND - 1,
        Severity::Error => error_cap,
        _ => MAX_PER_KIND,
    };
    let mut shown = [0usize; 3];
    let mut hidden = [0usize; 3];
    let mut out: String = run_errors.iter().map(failure).collect();
    for d in diags {
        let i = match d.severity {
            Severity::Info => 0,
            Severity::Warning => 1,
            Severity::Error => 2,
        };
        if shown[i] < cap(d.severity) {
            shown[i] += 1;
            out.push_str(&line(d, sources));
        } else {
            hidden[i] += 1;
        }
    }
    if overflow {
        let [infos, warnings, errors] = hidden;
        let total = errors + warnings + infos;
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        let parts: Vec<String> = [(errors, "error"), (warnings, "warning"), (infos, "note")]
            .into_iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, w)| plural(n, w))
            .collect();
        out.push_str(&format!(
            "::notice::timeoutlint: {} not shown as annotations ({}): GitHub shows at most {MAX_PER_KIND} errors, {MAX_PER_KIND} warnings and {MAX_PER_KIND} notices per step. Use --format sarif (code scanning) to see every finding.\n",
            plural(total, "finding"),
            parts.join(", ")
        ));
    }
    out
}
