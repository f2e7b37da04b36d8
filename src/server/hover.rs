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
use crate::source::{FileId, Location};

/// The Markdown hover for byte `offset` of `file` (a file of `outcome`):
/// one section per chain row of the value under the cursor, `None` when
/// there is none. The value under the cursor is the first value on the
/// cursor's line that ends at or after it, so hovering the key of
/// `wait_timeout = 600` shows `600`'s rows. Texts are scrubbed of secrets.
pub fn hover_text(outcome: &Outcome, file: FileId, offset: usize) -> Option<String> {
    let text = outcome.sources.get(file).text();
    let offset = offset.min(text.len());
    let all: Vec<Chain> = outcome
        .paths
        .iter()
        .flat_map(|p| chains(p, &outcome.sources))
        .collect();
    // A span under the cursor, or starting later on the cursor's line.
    let rank = |at: &Location| -> Option<(u8, usize)> {
        if at.file != file || at.span.end < offset {
            return None;
        }
        if at.span.start <= offset {
            return Some((0, at.span.len()));
        }
        let between = text.get(offset..at.span.start)?;
        (!between.contains('\n')).then_some((1, at.span.start))
    };
    let target = all
        .iter()
        .flat_map(|c| c.rows.iter().filter_map(|r| r.at))
        .filter_map(|at| rank(&at).map(|r| (r, at)))
        .min_by_key(|(r, at)| (*r, at.span.start, at.span.end))?
        .1;
    let scrubber = Scrubber::new(&outcome.sources.secret_values());
    let mut sections: Vec<String> = Vec::new();
    for chain in &all {
        for row in chain.rows.iter().filter(|r| r.at == Some(target)) {
            let text = scrubber.scrub(&section(chain, row));
            if !sections.contains(&text) {
                sections.push(text);
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
