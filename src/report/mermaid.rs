//! `chain --format mermaid`: each segment's timeline as a Mermaid `gantt`
//! chart in a fenced ```` ```mermaid ```` block, which GitHub renders in
//! Markdown (issues, pull-request comments, job summaries):
//! <https://docs.github.com/en/get-started/writing-on-github/working-with-advanced-formatting/creating-diagrams>.
//!
//! Every limit of the segment ([`Mark`]) is a bar from 0 (the moment a
//! connection goes idle, or opens for a pool age) to its value, in seconds
//! (`dateFormat X`, `axisFormat %s`), on an axis to the longest limit
//! (or to twice the next one when the longest dwarfs it, see [`horizon`]): idle killers first, the one that
//! strikes first tagged `crit` (red) and named `first killer`, hops that
//! keepalive keeps open tagged `done` (grey), then the client end's
//! keepalive and its retirement (`active`). A pool that never retires
//! connections gets a bar to the end of the chart, named `never`.
//!
//! Every bar starts at `0`: Mermaid 11 reads a numeric start under
//! `dateFormat X` as milliseconds while older versions read seconds, and 0
//! is 0 in both; lengths are durations in whole seconds (`350s`), which
//! every version reads the same way.
//!
//! Names and values come from the files checked. [`label`] keeps only
//! letters, digits, spaces and `._-()/=+,'"*@>` (everything else becomes
//! `_`), so no text can end a line, start a Mermaid statement or
//! directive (`%%`, `:`, `#`, `;`), or carry markup; and it cuts long
//! texts. Secrets are scrubbed from the chain before it gets here
//! (`cli::render_chain`).

use std::time::Duration;

use crate::model::chain::{Chain, Mark, MarkKind};

/// Longest label, in characters, before it is cut with `...`.
pub const MAX_LABEL: usize = 90;

/// Renders every chain as a bold path line, a ```` ```mermaid ```` block
/// and the verdict (Markdown).
pub fn render(chains: &[Chain]) -> String {
    let mut out = String::new();
    for (i, c) in chains.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&block(c));
    }
    out
}

/// One chain as Markdown: `**path: NAME**`, the fenced gantt chart, and the
/// verdict in a quote.
pub fn block(c: &Chain) -> String {
    format!(
        "**path: {}**\n\n```mermaid\n{}```\n\n> {}\n",
        crate::report::markdown::escape(&c.name),
        gantt(c),
        crate::report::markdown::escape(&c.verdict)
    )
}

/// The end of the chart, at least 1 s: the longest finite limit, unless it
/// is more than four times the next one (a year-long `wait_timeout` beside
/// a one-hour hop); then twice the next one, so the limits that decide
/// what breaks first stay readable, and the longer bars run to the end
/// and say they are cut ([`cut_note`]).
pub fn horizon(marks: &[Mark]) -> Duration {
    let mut finite: Vec<Duration> = marks.iter().filter_map(|m| m.at).collect();
    finite.sort_unstable_by(|a, b| b.cmp(a));
    finite.dedup();
    let end = match finite.as_slice() {
        [top, next, ..] if !next.is_zero() && *top > *next * 4 => *next * 2,
        [top, ..] => *top,
        [] => Duration::ZERO,
    };
    end.max(Duration::from_secs(1))
}

/// ` (beyond the chart)` for a mark longer than the chart's `end`, else
/// empty.
pub fn cut_note(m: &Mark, end: Duration) -> &'static str {
    match m.at {
        Some(d) if d > end => " (beyond the chart)",
        _ => "",
    }
}

/// The Mermaid source of one chain's gantt chart (no fence).
pub fn gantt(c: &Chain) -> String {
    let mut s = String::from("gantt\n");
    s.push_str(&format!("    title {}\n", label(&c.name)));
    s.push_str("    dateFormat X\n    axisFormat %s\n    todayMarker off\n");
    let end = horizon(&c.timeline);
    let killers: Vec<&Mark> = c
        .timeline
        .iter()
        .filter(|m| matches!(m.kind, MarkKind::Killer | MarkKind::KeptAlive))
        .collect();
    let client: Vec<&Mark> = c
        .timeline
        .iter()
        .filter(|m| matches!(m.kind, MarkKind::Keepalive | MarkKind::Retirement))
        .collect();
    let mut n = 0;
    for (title, marks) in [("idle killers", killers), ("client end", client)] {
        if marks.is_empty() {
            continue;
        }
        s.push_str(&format!("    section {title}\n"));
        for m in marks {
            let tag = match (m.kind, m.first) {
                (_, true) => "crit, ",
                (MarkKind::KeptAlive, _) => "done, ",
                (MarkKind::Retirement, _) => "active, ",
                _ => "",
            };
            let secs = secs(m.at.unwrap_or(end).min(end));
            s.push_str(&format!(
                "    {} :{tag}m{n}, 0, {secs}s\n",
                label(&format!("{}{}", bar_text(m), cut_note(m, end)))
            ));
            n += 1;
        }
    }
    s
}

/// What a bar says: `first killer - hop "nat" idle_timeout = 350 s (5m50s)`,
/// `hop "lb" idle_timeout = 350 s (5m50s) (kept open by keepalive)`,
/// `app pool_recycle = never`.
pub fn bar_text(m: &Mark) -> String {
    describe(m, Some(&m.value))
}

/// Who sets the limit, without its value: `first killer - hop "nat"
/// idle_timeout`, `hop "lb" idle_timeout (kept open by keepalive)`.
pub fn who(m: &Mark) -> String {
    describe(m, None)
}

fn describe(m: &Mark, value: Option<&str>) -> String {
    let mut t = String::new();
    if m.first {
        t.push_str("first killer - ");
    }
    t.push_str(&m.label);
    if let Some(v) = value {
        t.push_str(&format!(" = {v}"));
    }
    if m.kind == MarkKind::KeptAlive {
        t.push_str(" (kept open by keepalive)");
    }
    t
}

/// Whole seconds, rounded up so a sub-second limit still shows.
fn secs(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

/// `s` made safe for a Mermaid gantt title, section or task name: letters
/// and digits (any script), space, and `._-()/=+,'"*@>` kept (no `<`, so
/// no tag can open); every other
/// character (`:`, `#`, `;`, `%`, `<`, `>`, `&`, `` ` ``, line breaks,
/// controls...) becomes `_`; cut to [`MAX_LABEL`] characters followed by
/// `...`; never empty.
pub fn label(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || " ._-()/=+,'\"*@>".contains(c) {
                c
            } else {
                '_'
            }
        })
        .take(MAX_LABEL)
        .collect();
    if s.chars().count() > MAX_LABEL {
        out.push_str("...");
    }
    let trimmed = out.trim();
    if trimmed.is_empty() {
        "_".to_string()
    } else {
        trimmed.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::label;

    #[test]
    fn labels_cannot_start_statements_or_carry_markup() {
        assert_eq!(
            label("db\n    section x :crit, 0, 1s"),
            "db_    section x _crit, 0, 1s"
        );
        assert_eq!(label("%%{init: {}}%%"), "___init_ _____");
        assert_eq!(
            label("<img src=x onerror=alert(1)>"),
            "_img src=x onerror=alert(1)>"
        );
        assert_eq!(label("a#b;c"), "a_b_c");
        assert_eq!(label("\u{202e}évil"), "_évil");
        assert_eq!(label(""), "_");
        assert_eq!(label(&"x".repeat(200)).len(), super::MAX_LABEL + 3);
    }
}
