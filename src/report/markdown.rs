//! `markdown` format: a job summary for `$GITHUB_STEP_SUMMARY`
//! (<https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands#adding-a-job-summary>).
//!
//! A heading with the run's summary line ([`crate::report::run_summary`]),
//! a table of the findings in the one global order (severity, rule,
//! `file:line:col` relative to the project as every format shows it,
//! message), the failures that kept the run from checking everything, then
//! the chain picture ([`crate::report::mermaid`]) of each path a finding
//! points into.
//!
//! Every text from the files checked goes through [`escape`]: controls
//! escaped ([`crate::report::escape::control`]), long values cut, and
//! every ASCII character with a meaning in GitHub Markdown
//! (`` \`*_{}[]()#+-!|<>~&$ ``) backslash-escaped, so no message can open
//! a link, an image, a table cell or an HTML tag.

use crate::diagnostic::Diagnostic;
use crate::model::chain::Chain;
use crate::report::{RunError, escape as text_escape, run_summary};
use crate::rules::catalogue::RuleDoc;
use crate::source::SourceMap;

/// Escapes `s` for Markdown text and table cells (see the module docs).
pub fn escape(s: &str) -> String {
    let cut = text_escape::text(s);
    let mut out = String::with_capacity(cut.len());
    for c in cut.chars() {
        if "\\`*_{}[]()#+-!|<>~&$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Renders the summary: heading, findings table, failures, and the
/// pictures of `chains` (the segments of the paths with findings).
pub fn render(
    diags: &[Diagnostic],
    errors: &[RunError],
    sources: &SourceMap,
    docs: &[RuleDoc],
    chains: &[Chain],
) -> String {
    let mut out = format!("## timeoutlint: {}\n\n", run_summary(diags, errors));
    if !diags.is_empty() {
        out.push_str("| severity | rule | where | message |\n");
        out.push_str("| --- | --- | --- | --- |\n");
        for d in diags {
            let place = match d.primary.location {
                Some(loc) => {
                    let r = sources.resolve(loc);
                    format!("{}:{}:{}", r.file, r.start.line, r.start.column)
                }
                None => "command line".to_string(),
            };
            let rule = match docs.iter().find(|doc| doc.id == d.code.id) {
                Some(doc) => format!(
                    "[{} {}]({})",
                    d.code.id,
                    d.code.name,
                    crate::report::rule_url(&doc.id, &doc.name)
                ),
                None => format!("{} {}", d.code.id, escape(d.code.name)),
            };
            out.push_str(&format!(
                "| {} | {rule} | {} | {} |\n",
                d.severity.as_str(),
                escape(&place),
                escape(&d.message)
            ));
        }
        out.push('\n');
    }
    for e in errors {
        out.push_str(&format!("- **could not check**: {}\n", escape(&e.message)));
    }
    if !errors.is_empty() {
        out.push('\n');
    }
    if !chains.is_empty() {
        out.push_str("### Chains of the paths with findings\n\n");
        out.push_str(&crate::report::mermaid::render(chains));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_links_cells_and_tags() {
        assert_eq!(
            escape("[x](http://e) | <b>*a*</b>"),
            "\\[x\\]\\(http://e\\) \\| \\<b\\>\\*a\\*\\</b\\>"
        );
        assert_eq!(escape("a\nb"), "a\\\\nb");
    }
}
