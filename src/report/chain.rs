//! The chain table for `timeoutlint chain`: one row per element from app pool
//! to server, rendered with comfy-table (ASCII borders, no terminal probing,
//! so output is byte-identical between runs).
//!
//! Every name, value, source and note in the tables and headings is escaped
//! and cut as [`crate::report::escape::text`] describes: they come from the
//! files checked.

use comfy_table::{ContentArrangement, Table, presets::ASCII_FULL_CONDENSED};

use crate::model::budget::BudgetView;
use crate::model::chain::Chain;
use crate::report::escape::text;

/// Renders each chain as a titled table followed by its verdict.
pub fn render(chains: &[Chain]) -> String {
    let mut out = String::new();
    for (i, c) in chains.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&format!("path: {}\n", text(&c.name)));
        let mut t = Table::new();
        t.load_style(ASCII_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Disabled)
            .set_header(vec!["", "layer", "setting", "value", "source", "note"]);
        for r in &c.rows {
            t.add_row(vec![
                if r.first_idle_killer { ">>" } else { "" },
                &text(&r.layer),
                &text(&r.setting),
                &text(&r.value),
                &text(&r.source),
                &text(&r.note),
            ]);
        }
        out.push_str(&t.to_string());
        out.push('\n');
        out.push_str(&format!(">> {}\n", text(&c.verdict)));
    }
    out
}

/// Renders the connection budgets, one table per shared limit.
pub fn render_budgets(budgets: &[BudgetView]) -> String {
    let mut out = String::new();
    for b in budgets {
        out.push_str(&format!("\nconnection budget: {}\n", text(&b.limit)));
        let mut t = Table::new();
        t.load_style(ASCII_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Disabled)
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
