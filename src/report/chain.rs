//! The chain table for `timeoutlint chain`: one row per element from app pool
//! to server, rendered with comfy-table (ASCII borders), fitted to a width
//! the caller gives (`cli` takes it from `COLUMNS`, the terminal, else 100),
//! so output is byte-identical between runs at one width.
//!
//! Every name, value, source and note in the tables and headings is escaped
//! and cut as [`crate::report::escape::text`] describes: they come from the
//! files checked.

use comfy_table::{
    ColumnConstraint, ContentArrangement, Table, Width, presets::ASCII_FULL_CONDENSED,
};

use crate::model::budget::BudgetView;
use crate::model::chain::Chain;
use crate::report::escape::text;

/// Renders each chain as a titled table followed by its verdict, fitted
/// to `width` columns:
/// - the layer is written on the first row of its group only;
/// - the marker, setting and value columns never wrap; layer, source and
///   note wrap (comfy-table's dynamic arrangement, with the width given
///   rather than probed, so output is deterministic for a given width);
/// - a long source of the form `WHO (REFERENCE)` (a documented default and
///   its doc URL or source file, a preset, an image) is abbreviated to
///   `WHO [n]`, and the full source is listed as `[n] ...` under the table;
/// - the path and verdict lines are word-wrapped.
pub fn render(chains: &[Chain], width: usize) -> String {
    let mut out = String::new();
    for (i, c) in chains.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&wrap(&format!("path: {}", text(&c.name)), width, ""));
        let folder = common_folder(c);
        if let Some(f) = &folder {
            out.push_str(&wrap(&format!("files under {}", text(f)), width, ""));
        }
        let mut t = Table::new();
        t.load_style(ASCII_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_width(u16::try_from(width).unwrap_or(u16::MAX))
            .set_header(vec!["", "setting", "value", "source / note"]);
        let mut notes: Vec<String> = Vec::new();
        let mut last_layer = None;
        for r in &c.rows {
            if last_layer != Some(&r.layer) {
                t.add_row(vec![String::new(), format!("{}:", text(&r.layer))]);
                last_layer = Some(&r.layer);
            }
            let source = abbreviate(
                &text(
                    folder
                        .as_deref()
                        .and_then(|f| r.source.strip_prefix(f))
                        .unwrap_or(&r.source),
                ),
                &mut notes,
            );
            let note = text(&r.note);
            t.add_row(vec![
                if r.first_idle_killer { ">>" } else { "" }.to_string(),
                format!("  {}", text(&r.setting)),
                text(&r.value).into_owned(),
                if note.is_empty() {
                    source
                } else {
                    format!("{source}\n{note}")
                },
            ]);
        }
        let setting_w = c
            .rows
            .iter()
            .map(|r| text(&r.setting).chars().count() + 4)
            .max()
            .unwrap_or(10)
            .max(16);
        if let Some(col) = t.column_mut(0) {
            col.set_constraint(ColumnConstraint::ContentWidth);
        }
        if let Some(col) = t.column_mut(1) {
            col.set_constraint(ColumnConstraint::Absolute(Width::Fixed(
                u16::try_from(setting_w).unwrap_or(40),
            )));
        }
        if let Some(col) = t.column_mut(2) {
            col.set_constraint(ColumnConstraint::ContentWidth);
        }
        out.push_str(&t.to_string());
        out.push('\n');
        for (n, full) in notes.iter().enumerate() {
            out.push_str(&wrap(&format!("[{}] {full}", n + 1), width, "    "));
        }
        out.push_str(&wrap(&format!(">> {}", text(&c.verdict)), width, "   "));
    }
    out
}

/// Sources longer than this are abbreviated by [`abbreviate`].
const LONG_SOURCE: usize = 40;

/// `documented default of Linux (https://man7.org/...)` becomes
/// `documented default of Linux [1]`, the full text pushed on `notes`
/// (numbered in order of first use, each once); shorter sources, and
/// those without a `(...)` reference, are kept.
fn abbreviate(source: &str, notes: &mut Vec<String>) -> String {
    if source.chars().count() <= LONG_SOURCE || !source.ends_with(')') {
        return source.to_string();
    }
    let Some(open) = source.find(" (") else {
        return source.to_string();
    };
    let n = match notes.iter().position(|s| s == source) {
        Some(i) => i + 1,
        None => {
            notes.push(source.to_string());
            notes.len()
        }
    };
    let who = &source[..open];
    let who = who
        .strip_prefix("documented default of ")
        .map_or_else(|| who.to_string(), |w| format!("{w} default"));
    format!("{who} [{n}]")
}

/// The folder (ending in `/`) that every file source of `c` lies in, when
/// there is one and it is not empty: the table shows sources relative to it.
fn common_folder(c: &Chain) -> Option<String> {
    let files: Vec<&str> = c
        .rows
        .iter()
        .filter(|r| r.at.is_some() && !r.source.contains(' '))
        .map(|r| r.source.as_str())
        .collect();
    let first = files.first()?;
    let mut prefix = &first[..first.rfind('/')? + 1];
    for f in &files[1..] {
        while !f.starts_with(prefix) {
            let cut = prefix[..prefix.len() - 1].rfind('/')?;
            prefix = &prefix[..cut + 1];
        }
    }
    Some(prefix.to_string())
}

/// Word-wraps `s` to `width` columns, continuation lines starting with
/// `indent`; a word longer than a line stays whole. Ends with a newline.
fn wrap(s: &str, width: usize, indent: &str) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in s.split(' ') {
        let len = line.chars().count();
        if len > indent.len() && len + 1 + word.chars().count() > width {
            out.push_str(line.trim_end());
            out.push('\n');
            line = indent.to_string();
        } else if !line.is_empty() && line != indent {
            line.push(' ');
        }
        line.push_str(word);
    }
    out.push_str(line.trim_end());
    out.push('\n');
    out
}

/// Renders the connection budgets, one table per shared limit, fitted to
/// `width` columns as [`render`] does.
pub fn render_budgets(budgets: &[BudgetView], width: usize) -> String {
    let mut out = String::new();
    for b in budgets {
        out.push('\n');
        out.push_str(&wrap(
            &format!("connection budget: {}", text(&b.limit)),
            width,
            "   ",
        ));
        let mut t = Table::new();
        t.load_style(ASCII_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_width(u16::try_from(width).unwrap_or(u16::MAX))
            .set_header(vec!["path", "per process", "processes", "connections"]);
        for r in &b.rows {
            t.add_row(r.iter().map(|cell| text(cell).into_owned()));
        }
        out.push_str(&t.to_string());
        out.push('\n');
        out.push_str(&format!(">> {}\n", text(&b.verdict)));
    }
    out
}

/// Renders the chains and budgets as JSON
/// (`{"version": 1, "paths": [...], "budgets": [...]}`).
pub fn render_json(chains: &[Chain], budgets: &[BudgetView]) -> String {
    let v = serde_json::json!({ "version": 1, "paths": chains, "budgets": budgets });
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}
