//! Hover on a timeout setting: its chain row (`timeoutlint chain`) on every
//! path that reads it — value with unit, source, what it does there — and
//! the limits it must stay below or above on its segment, with whether it
//! does today.
//!
//! The rows and limits come from [`crate::model::chain::chains`]: a row's
//! [`ChainRow::at`] and a limit's [`Mark::location`] are where the value is
//! written (or the anchor of a default: hovering a `[mysqld]` header shows
//! the defaults that apply there).

use crate::model::chain::{Chain, ChainRow, Mark, MarkKind, chains};
use crate::run::Outcome;
use crate::secrets::Scrubber;
use crate::source::FileId;

/// The Markdown hover for byte `offset` of `file` (a file of `outcome`):
/// one section per chain row whose value covers the offset, `None` when no
/// row does. Texts are scrubbed of secrets.
pub fn hover_text(outcome: &Outcome, file: FileId, offset: usize) -> Option<String> {
    let scrubber = Scrubber::new(&outcome.sources.secret_values());
    let mut sections: Vec<String> = Vec::new();
    for path in &outcome.paths {
        for chain in chains(path, &outcome.sources) {
            for row in &chain.rows {
                let Some(at) = row.at else { continue };
                if at.file != file || offset < at.span.start || offset > at.span.end {
                    continue;
                }
                let text = scrubber.scrub(&section(&chain, row));
                if !sections.contains(&text) {
                    sections.push(text);
                }
            }
        }
    }
    (!sections.is_empty()).then(|| sections.join("\n\n---\n\n"))
}

/// One row: `**setting** = value` on the layer and path, its source and
/// note, then its limits.
fn section(chain: &Chain, row: &ChainRow) -> String {
    let mut out = format!(
        "**{}** = {} — {} on path `{}`\n\nsource: {}",
        row.setting, row.value, row.layer, chain.name, row.source
    );
    if !row.note.is_empty() {
        out.push_str(&format!("\n\n{}", row.note));
    }
    if row.first_idle_killer {
        out.push_str("\n\nthe **first idle killer** on this path");
    }
    let mine: Vec<&Mark> = chain
        .timeline
        .iter()
        .filter(|m| m.location.is_some() && m.location == row.at && same_setting(m, row))
        .collect();
    for m in mine {
        for line in limits(m, &chain.timeline) {
            out.push_str(&format!("\n\n{line}"));
        }
    }
    out
}

/// Whether mark `m` is row `row`'s value (a location can anchor several
/// defaults; the mark's label ends with the setting name).
fn same_setting(m: &Mark, row: &ChainRow) -> bool {
    let setting = row.setting.split(' ').next().unwrap_or(&row.setting);
    m.label.contains(setting) || (m.kind == MarkKind::Keepalive && setting.contains("keepalive"))
}

fn mark_text(m: &Mark) -> String {
    format!("{} = {} ({})", m.label, m.value, m.source)
}

fn holds(ok: bool) -> &'static str {
    if ok { "holds" } else { "**broken**" }
}

/// What `m` must stay below or above on its segment, each with whether it
/// does (MODEL.md: retirement below every idle killer not kept alive;
/// a keepalive's first probe below every hop idle limit it refreshes).
fn limits(m: &Mark, timeline: &[Mark]) -> Vec<String> {
    let killers = || timeline.iter().filter(|k| k.kind == MarkKind::Killer);
    let retirements = || timeline.iter().filter(|k| k.kind == MarkKind::Retirement);
    let keepalive = || timeline.iter().filter(|k| k.kind == MarkKind::Keepalive);
    let below = |x: Option<std::time::Duration>, y: Option<std::time::Duration>| match (x, y) {
        (Some(a), Some(b)) => a < b,
        (None, Some(_)) => false,
        (_, None) => true,
    };
    let mut out = Vec::new();
    match m.kind {
        MarkKind::Retirement => {
            for k in killers() {
                out.push(format!(
                    "must stay below {}{}: {}",
                    mark_text(k),
                    if k.first {
                        ", the first idle killer"
                    } else {
                        ""
                    },
                    holds(below(m.at, k.at))
                ));
            }
        }
        MarkKind::Killer => {
            for r in retirements() {
                out.push(format!(
                    "must stay above {}, so connections retire before it closes them: {}",
                    mark_text(r),
                    holds(below(r.at, m.at))
                ));
            }
        }
        MarkKind::KeptAlive => {
            for ka in keepalive() {
                out.push(format!(
                    "kept open by keepalive: must stay above {}: {}",
                    mark_text(ka),
                    holds(below(ka.at, m.at))
                ));
            }
        }
        MarkKind::Keepalive => {
            for h in timeline
                .iter()
                .filter(|k| matches!(k.kind, MarkKind::KeptAlive | MarkKind::Killer))
                .filter(|k| k.label.starts_with("hop "))
            {
                out.push(format!(
                    "must stay below {} to keep that hop open: {}",
                    mark_text(h),
                    holds(below(m.at, h.at))
                ));
            }
        }
    }
    out
}
