//! Code actions and the one command behind them.
//!
//! For each timeoutlint diagnostic the client sends back in
//! `context.diagnostics`:
//! - **set the value** (preferred quick fix), where the finding carries a
//!   [`crate::diagnostic::Fix`]: a text edit in the file of the value to
//!   change, which may be the other file (`data.fix` of the diagnostic);
//! - **open the other end**: one action per other end
//!   (`relatedInformation`), running [`OPEN_COMMAND`], which asks the client
//!   to show that file and select the value (`window/showDocument`);
//! - **suppress with a reason**: a comment line
//!   `# timeoutlint: ignore[ID] REASON` above the diagnostic's line, with
//!   its indentation (a `#` line covers the next line in every format,
//!   `src/suppress.rs`). The reason is a placeholder the user must replace:
//!   the suppression demands one. Files whose format has no `#` comment
//!   (`.json`) get none.

use std::collections::HashMap;

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionParams, Command, Location, NumberOrString, Position,
    Range, TextEdit, Uri, WorkspaceEdit,
};
use serde::Deserialize;

use crate::source::overlay;

use super::uri_to_path;

/// The command of "open the other end": arguments `[uri, range]`.
pub const OPEN_COMMAND: &str = "timeoutlint.openLocation";

/// The fix a diagnostic carries in `data.fix`: replace `range` of `uri`
/// with `newText`.
#[derive(Clone, Debug, Deserialize, serde::Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct FixData {
    /// `set pool_recycle = 3240`.
    pub title: String,
    /// The file of the value to change.
    pub uri: Uri,
    /// The value's range, in the negotiated position encoding.
    pub range: Range,
    /// The new value text.
    pub new_text: String,
}

/// One edit as a workspace edit.
fn workspace_edit(uri: &Uri, edit: TextEdit) -> WorkspaceEdit {
    // `WorkspaceEdit.changes` is keyed by lsp-types' `Uri`, which clippy
    // takes for a mutable key (fluent-uri keeps `Cell` fields); its hash
    // and equality (lsp-types) read only the URI text, which never changes.
    #[allow(clippy::mutable_key_type)]
    let changes = HashMap::from([(uri.clone(), vec![edit])]);
    WorkspaceEdit::new(changes)
}

/// The code actions for `p` (see the module documentation), in the order
/// set value, open the other end(s), suppress, per diagnostic.
pub fn code_actions(p: &CodeActionParams) -> Vec<CodeAction> {
    let uri = &p.text_document.uri;
    let Some(path) = uri_to_path(uri) else {
        return Vec::new();
    };
    let commentable = path.extension().is_none_or(|e| e != "json");
    // The editor's buffer, else the file (the same bytes the check read).
    let real = std::fs::canonicalize(&path).unwrap_or(path.clone());
    let text = overlay::get(&real)
        .or_else(|| std::fs::read_to_string(&real).ok())
        .unwrap_or_default();
    let mut actions = Vec::new();
    for d in &p.context.diagnostics {
        let (Some(source), Some(NumberOrString::String(id))) = (&d.source, &d.code) else {
            continue;
        };
        if source != "timeoutlint" {
            continue;
        }
        if let Some(fix) = d
            .data
            .as_ref()
            .and_then(|v| v.get("fix"))
            .and_then(|f| serde_json::from_value::<FixData>(f.clone()).ok())
        {
            actions.push(CodeAction {
                title: fix.title.clone(),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![d.clone()]),
                edit: Some(workspace_edit(
                    &fix.uri,
                    TextEdit::new(fix.range, fix.new_text.clone()),
                )),
                is_preferred: Some(true),
                ..Default::default()
            });
        }
        for other in d.related_information.iter().flatten() {
            let name = uri_to_path(&other.location.uri)
                .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
                .unwrap_or_default();
            let title = format!(
                "Open the other end: {name}:{} ({})",
                other.location.range.start.line + 1,
                other.message
            );
            actions.push(CodeAction {
                title: title.clone(),
                kind: Some(CodeActionKind::EMPTY),
                diagnostics: Some(vec![d.clone()]),
                command: Some(Command::new(
                    title,
                    OPEN_COMMAND.to_string(),
                    Some(vec![
                        serde_json::json!(other.location.uri),
                        serde_json::json!(other.location.range),
                    ]),
                )),
                ..Default::default()
            });
        }
        if !commentable {
            continue;
        }
        let line = d.range.start.line;
        let indent: String = text
            .lines()
            .nth(line as usize)
            .unwrap_or("")
            .chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .collect();
        let new_text =
            format!("{indent}# timeoutlint: ignore[{id}] REASON: why this is safe here\n");
        let at = Position::new(line, 0);
        actions.push(CodeAction {
            title: format!("Suppress {id} on this line with a reason"),
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![d.clone()]),
            edit: Some(workspace_edit(
                uri,
                TextEdit::new(Range::new(at, at), new_text),
            )),
            ..Default::default()
        });
    }
    // `context.only`: the kinds the client asks for (hierarchical:
    // `quickfix` covers `quickfix.x`); the others are left out.
    if let Some(only) = &p.context.only {
        actions.retain(|a| {
            let kind = a.kind.as_ref().map_or("", |k| k.as_str());
            only.iter().any(|o| {
                let o = o.as_str();
                kind == o || (kind.starts_with(o) && kind[o.len()..].starts_with('.'))
            })
        });
    }
    actions
}

/// The location [`OPEN_COMMAND`]'s arguments name, `None` when they are
/// not `[uri, range]`.
pub fn open_target(arguments: &[serde_json::Value]) -> Option<Location> {
    let [uri, range] = arguments else {
        return None;
    };
    Some(Location::new(
        serde_json::from_value(uri.clone()).ok()?,
        serde_json::from_value(range.clone()).ok()?,
    ))
}
