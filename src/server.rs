//! `timeoutlint server`: a language server over standard input/output.
//!
//! Built on `lsp-server` (the synchronous transport of rust-analyzer) and
//! `lsp-types` (docs/dependencies.md). The server:
//! - takes its workspace folders from `initialize` (else `rootUri`, else the
//!   folders of the open documents);
//! - keeps the editor's unsaved buffers (full text sync: `didOpen`,
//!   `didChange`, `didSave`, `didClose`) in the read overlay
//!   ([`crate::source::overlay`]), so every check sees the buffers through
//!   the same root, size and file-type checks as the command line;
//! - on any change (and on `workspace/didChangeWatchedFiles`) re-checks every workspace folder (manifest, else
//!   discovery: exactly `timeoutlint check FOLDER --root FOLDER`), and
//!   publishes `textDocument/publishDiagnostics` for every file whose
//!   diagnostics changed, an empty list for a file that became clean;
//! - answers the pull model's `textDocument/diagnostic` with the same lists
//!   (a full report; they are kept current at every change);
//! - offers a quick fix per finding: suppress it with a reason (an inline
//!   comment above the line).
//!
//! A finding is shown at **each end** of its mismatch: at the value to change
//! (the primary label) and at every other end that has a location (the
//! related labels), each with `relatedInformation` pointing at the others and
//! a `codeDescription` linking to the rule's documentation
//! ([`crate::report::rule_url`]).
//!
//! Positions are sent in UTF-8 code units when the client offers
//! `positionEncoding` `utf-8` (LSP 3.17 `general.positionEncodings`), else in
//! UTF-16 code units, the protocol's default.

use std::collections::{BTreeMap, BTreeSet};
use std::error::Error;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use lsp_server::{Connection, ErrorCode, Message, Notification, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidChangeWatchedFiles, DidCloseTextDocument, DidOpenTextDocument,
    DidSaveTextDocument, Notification as _, PublishDiagnostics,
};
use lsp_types::request::{CodeActionRequest, DocumentDiagnosticRequest, Request as _};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionParams, CodeActionProviderCapability, CodeDescription,
    DiagnosticOptions, DiagnosticRelatedInformation, DiagnosticServerCapabilities,
    DiagnosticSeverity, DidChangeTextDocumentParams, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, DidSaveTextDocumentParams, DocumentDiagnosticParams,
    InitializeParams, NumberOrString, Position, PositionEncodingKind, PublishDiagnosticsParams,
    Range, SaveOptions, ServerCapabilities, ServerInfo, TextDocumentSyncCapability,
    TextDocumentSyncKind, TextDocumentSyncOptions, TextDocumentSyncSaveOptions, TextEdit, Uri,
    WorkspaceEdit,
};

use crate::diagnostic::{Diagnostic, Severity};
use crate::run::{self, RunOptions};
use crate::source::{Location, SourceFile, SourceMap, overlay};

/// Errors of the server loop: a broken connection or malformed JSON.
pub type ServerError = Box<dyn Error + Send + Sync>;

/// The unit of LSP `Position.character`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 code units (bytes), when the client offers `utf-8`.
    Utf8,
    /// UTF-16 code units, the protocol's default.
    Utf16,
}

impl Encoding {
    /// `utf-8` when `init` offers it in `general.positionEncodings`, else
    /// `utf-16` (LSP 3.17, "Position": the server picks one of the offered
    /// encodings; without the capability only UTF-16 may be used).
    pub fn negotiate(init: &InitializeParams) -> Self {
        let offered = init
            .capabilities
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_ref());
        match offered {
            Some(list) if list.contains(&PositionEncodingKind::UTF8) => Encoding::Utf8,
            _ => Encoding::Utf16,
        }
    }

    fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }
    }
}

/// The LSP position of byte `offset` in `file` (clamped to the text and moved
/// back to a character boundary): 0-based line, and the column counted in
/// `encoding`'s code units.
pub fn position(file: &SourceFile, offset: usize, encoding: Encoding) -> Position {
    let text = file.text();
    let mut off = offset.min(text.len());
    while off > 0 && !text.is_char_boundary(off) {
        off -= 1;
    }
    let at = file.byte_line_col(off);
    let line_start = off + 1 - at.column;
    let before = &text[line_start..off];
    let character = match encoding {
        Encoding::Utf8 => before.len(),
        Encoding::Utf16 => before.encode_utf16().count(),
    };
    Position::new(
        u32::try_from(at.line - 1).unwrap_or(u32::MAX),
        u32::try_from(character).unwrap_or(u32::MAX),
    )
}

/// `file://` URI of an absolute `path`: every byte outside RFC 3986's
/// unreserved set and `/` is percent-encoded.
pub fn path_to_uri(path: &Path) -> Option<Uri> {
    use std::os::unix::ffi::OsStrExt;
    let mut s = String::from("file://");
    for &b in path.as_os_str().as_bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    Uri::from_str(&s).ok()
}

/// The path of a `file://` URI (percent-decoded); `None` for another scheme
/// or an authority other than empty or `localhost`.
pub fn uri_to_path(uri: &Uri) -> Option<PathBuf> {
    use std::os::unix::ffi::OsStringExt;
    let rest = uri.as_str().strip_prefix("file://")?;
    let rest = rest.strip_prefix("localhost").unwrap_or(rest);
    if !rest.starts_with('/') {
        return None;
    }
    let rest = rest.split(['?', '#']).next().unwrap_or(rest);
    let bytes = rest.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(h) = bytes.get(i + 1..i + 3)
            && let Ok(v) = u8::from_str_radix(std::str::from_utf8(h).unwrap_or("zz"), 16)
        {
            out.push(v);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(PathBuf::from(std::ffi::OsString::from_vec(out)))
}

/// `uri` with its path resolved (symlinks, `..`), as published.
fn canonical_uri(uri: &Uri) -> Option<Uri> {
    let path = uri_to_path(uri)?;
    path_to_uri(&std::fs::canonicalize(&path).unwrap_or(path))
}

/// What the server keeps between messages.
struct State {
    /// Workspace folders (absolute), from `initialize`.
    roots: Vec<PathBuf>,
    encoding: Encoding,
    /// Open documents (their buffers are in the overlay).
    open: BTreeSet<PathBuf>,
    /// What was last published, by URI text.
    published: BTreeMap<String, (Uri, Vec<lsp_types::Diagnostic>)>,
}

/// Runs the server on standard input/output until `exit`. Returns the exit
/// code: 0 after `shutdown` then `exit`, 1 on a protocol error.
pub fn run_stdio() -> u8 {
    let (conn, io) = Connection::stdio();
    let result = serve(&conn);
    drop(conn);
    let joined = io.join();
    match (result, joined) {
        (Ok(()), Ok(())) => 0,
        (Err(e), _) => {
            eprintln!("timeoutlint server: {e}");
            1
        }
        (_, Err(e)) => {
            eprintln!("timeoutlint server: {e}");
            1
        }
    }
}

/// Serves one client on `conn`: `initialize`, then messages until `exit`.
///
/// Errors: the connection closed early, or `initialize` params that are not
/// JSON of the protocol's shape.
pub fn serve(conn: &Connection) -> Result<(), ServerError> {
    let (id, params) = conn.initialize_start()?;
    let init: InitializeParams = serde_json::from_value(params)?;
    let encoding = Encoding::negotiate(&init);
    let capabilities = ServerCapabilities {
        position_encoding: Some(encoding.kind()),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::FULL),
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(true),
                })),
                ..Default::default()
            },
        )),
        code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
        diagnostic_provider: Some(DiagnosticServerCapabilities::Options(DiagnosticOptions {
            identifier: Some("timeoutlint".to_string()),
            inter_file_dependencies: true,
            workspace_diagnostics: false,
            work_done_progress_options: Default::default(),
        })),
        ..Default::default()
    };
    let result = serde_json::json!({
        "capabilities": capabilities,
        "serverInfo": ServerInfo {
            name: "timeoutlint".to_string(),
            version: Some(env!("CARGO_PKG_VERSION").to_string()),
        },
    });
    conn.initialize_finish(id, result)?;
    overlay::clear();
    let mut state = State {
        roots: workspace_roots(&init),
        encoding,
        open: BTreeSet::new(),
        published: BTreeMap::new(),
    };
    state.recheck(conn)?;
    let outcome = state.main_loop(conn);
    overlay::clear();
    outcome
}

#[allow(deprecated)] // `rootUri` and `rootPath`: older clients send only these
fn workspace_roots(init: &InitializeParams) -> Vec<PathBuf> {
    let mut roots: Vec<PathBuf> = init
        .workspace_folders
        .iter()
        .flatten()
        .filter_map(|f| uri_to_path(&f.uri))
        .collect();
    if roots.is_empty()
        && let Some(p) = init.root_uri.as_ref().and_then(uri_to_path)
    {
        roots.push(p);
    }
    roots.sort();
    roots.dedup();
    roots
}

impl State {
    fn main_loop(&mut self, conn: &Connection) -> Result<(), ServerError> {
        for msg in &conn.receiver {
            match msg {
                Message::Request(req) => {
                    if conn.handle_shutdown(&req)? {
                        return Ok(());
                    }
                    let resp = self.request(req);
                    conn.sender.send(resp.into())?;
                }
                Message::Notification(n) => {
                    if n.method == "exit" {
                        return Ok(());
                    }
                    let method = n.method.clone();
                    match self.notification(n) {
                        Ok(true) => self.recheck(conn)?,
                        Ok(false) => {}
                        // A malformed notification is dropped; the server
                        // keeps serving (it has no reply to carry an error).
                        Err(e) => eprintln!("timeoutlint server: {method}: {e}"),
                    }
                }
                Message::Response(_) => {}
            }
        }
        Ok(())
    }

    /// Answers a request other than `shutdown`.
    fn request(&self, req: lsp_server::Request) -> Response {
        match req.method.as_str() {
            DocumentDiagnosticRequest::METHOD => {
                match serde_json::from_value::<DocumentDiagnosticParams>(req.params) {
                    Ok(p) => {
                        // The diagnostics are kept current at every change,
                        // so a pull returns what was last published.
                        let items = canonical_uri(&p.text_document.uri)
                            .and_then(|u| self.published.get(u.as_str()))
                            .map(|(_, d)| d.clone())
                            .unwrap_or_default();
                        Response::new_ok(
                            req.id,
                            serde_json::json!({ "kind": "full", "items": items }),
                        )
                    }
                    Err(e) => {
                        Response::new_err(req.id, ErrorCode::InvalidParams as i32, e.to_string())
                    }
                }
            }
            CodeActionRequest::METHOD => {
                match serde_json::from_value::<CodeActionParams>(req.params) {
                    Ok(p) => Response::new_ok(req.id, code_actions(&p)),
                    Err(e) => {
                        Response::new_err(req.id, ErrorCode::InvalidParams as i32, e.to_string())
                    }
                }
            }
            _ => Response::new_err(
                req.id,
                ErrorCode::MethodNotFound as i32,
                format!("not supported: {}", req.method),
            ),
        }
    }

    /// Applies a notification; `true` when the files changed.
    fn notification(&mut self, n: Notification) -> Result<bool, ServerError> {
        match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let p: DidOpenTextDocumentParams = serde_json::from_value(n.params)?;
                if let Some(path) = uri_to_path(&p.text_document.uri) {
                    overlay::set(&path, p.text_document.text);
                    self.open.insert(path);
                    return Ok(true);
                }
            }
            DidChangeTextDocument::METHOD => {
                let p: DidChangeTextDocumentParams = serde_json::from_value(n.params)?;
                // Full sync: the last change holds the whole text.
                if let (Some(path), Some(change)) = (
                    uri_to_path(&p.text_document.uri),
                    p.content_changes.into_iter().last(),
                ) {
                    overlay::set(&path, change.text);
                    return Ok(true);
                }
            }
            DidSaveTextDocument::METHOD => {
                let p: DidSaveTextDocumentParams = serde_json::from_value(n.params)?;
                if let Some(path) = uri_to_path(&p.text_document.uri) {
                    if let Some(text) = p.text {
                        overlay::set(&path, text);
                    }
                    return Ok(true);
                }
            }
            // Files changed on disk (a checkout, another tool): re-check.
            DidChangeWatchedFiles::METHOD => return Ok(true),
            DidCloseTextDocument::METHOD => {
                let p: DidCloseTextDocumentParams = serde_json::from_value(n.params)?;
                if let Some(path) = uri_to_path(&p.text_document.uri) {
                    overlay::remove(&path);
                    self.open.remove(&path);
                    return Ok(true);
                }
            }
            _ => {}
        }
        Ok(false)
    }

    /// The folders checked: the workspace folders, else the folder of each
    /// open document.
    fn check_roots(&self) -> Vec<PathBuf> {
        if !self.roots.is_empty() {
            return self.roots.clone();
        }
        let mut dirs: Vec<PathBuf> = self
            .open
            .iter()
            .filter_map(|p| p.parent().map(Path::to_path_buf))
            .collect();
        dirs.sort();
        dirs.dedup();
        dirs
    }

    /// Checks every folder and publishes what changed since the last publish.
    fn recheck(&mut self, conn: &Connection) -> Result<(), ServerError> {
        let mut now: BTreeMap<String, (Uri, Vec<lsp_types::Diagnostic>)> = BTreeMap::new();
        for root in self.check_roots() {
            let opts = RunOptions {
                root: Some(root.clone()),
                ..Default::default()
            };
            let outcome = run::run(std::slice::from_ref(&root), &opts);
            // One automaton for the whole run, not one per text.
            let scrubber = crate::secrets::Scrubber::new(&outcome.sources.secret_values());
            for d in &outcome.diagnostics {
                for (uri, diag) in to_lsp(d, &outcome.sources, &scrubber, self.encoding) {
                    let entry = now
                        .entry(uri.as_str().to_string())
                        .or_insert_with(|| (uri, Vec::new()));
                    if !entry.1.contains(&diag) {
                        entry.1.push(diag);
                    }
                }
            }
        }
        let keys: BTreeSet<String> = now.keys().chain(self.published.keys()).cloned().collect();
        for key in keys {
            let new = now.get(&key);
            let old = self.published.get(&key);
            if new.map(|n| &n.1) == old.map(|o| &o.1) {
                continue;
            }
            let (uri, diagnostics) = match (new, old) {
                (Some((u, d)), _) => (u.clone(), d.clone()),
                (None, Some((u, _))) => (u.clone(), Vec::new()),
                (None, None) => continue,
            };
            let params = PublishDiagnosticsParams::new(uri, diagnostics, None);
            conn.sender
                .send(Notification::new(PublishDiagnostics::METHOD.to_string(), params).into())?;
        }
        self.published = now;
        Ok(())
    }
}

/// The quick fixes for the timeoutlint diagnostics the client sends back in
/// `context.diagnostics`: for each, "suppress with a reason", a comment line
/// `# timeoutlint: ignore[ID] REASON` inserted above the diagnostic's line
/// with its indentation (a `#` line covers the next line in every format,
/// `src/suppress.rs`). The reason is a placeholder the user must replace:
/// the suppression demands one. Files whose format has no `#` comment
/// (`.json`) get none.
fn code_actions(p: &CodeActionParams) -> Vec<CodeAction> {
    let uri = &p.text_document.uri;
    let Some(path) = uri_to_path(uri) else {
        return Vec::new();
    };
    if path.extension().is_some_and(|e| e == "json") {
        return Vec::new();
    }
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
        let edit = TextEdit::new(Range::new(at, at), new_text);
        // `WorkspaceEdit.changes` is keyed by lsp-types' `Uri`, which clippy
        // takes for a mutable key (fluent-uri keeps `Cell` fields); its hash
        // and equality (lsp-types) read only the URI text, which never changes.
        #[allow(clippy::mutable_key_type)]
        let changes = std::collections::HashMap::from([(uri.clone(), vec![edit])]);
        actions.push(CodeAction {
            title: format!("Suppress {id} on this line with a reason"),
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![d.clone()]),
            edit: Some(WorkspaceEdit::new(changes)),
            ..Default::default()
        });
    }
    actions
}

fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
    }
}

/// The file URI and range of `loc`.
fn lsp_location(loc: Location, sources: &SourceMap, enc: Encoding) -> Option<lsp_types::Location> {
    let file = sources.get(loc.file);
    let path = std::fs::canonicalize(file.path()).unwrap_or_else(|_| file.path().to_path_buf());
    let uri = path_to_uri(&path)?;
    let range = Range::new(
        position(file, loc.span.start, enc),
        position(file, loc.span.end, enc),
    );
    Some(lsp_types::Location::new(uri, range))
}

/// One LSP diagnostic at each located end of `d`: the primary label carries
/// the finding's message (and its help), each other end says what it
/// contributes; every one lists the other ends as `relatedInformation`.
/// Texts are scrubbed of secrets.
fn to_lsp(
    d: &Diagnostic,
    sources: &SourceMap,
    scrubber: &crate::secrets::Scrubber,
    enc: Encoding,
) -> Vec<(Uri, lsp_types::Diagnostic)> {
    let ends: Vec<(bool, lsp_types::Location, String)> = std::iter::once((true, &d.primary))
        .chain(d.related.iter().map(|l| (false, l)))
        .filter_map(|(primary, label)| {
            let loc = lsp_location(label.location?, sources, enc)?;
            Some((primary, loc, scrubber.scrub(&label.message)))
        })
        .collect();
    let message = scrubber.scrub(&d.message);
    let help = d.help.as_ref().map(|h| scrubber.scrub(h));
    let href = Uri::from_str(&crate::report::rule_url(d.code.id, d.code.name)).ok();
    ends.iter()
        .enumerate()
        .map(|(i, (primary, here, label))| {
            let mut text = if *primary {
                message.clone()
            } else {
                format!("{label}: the other end of: {message}")
            };
            if *primary && let Some(h) = &help {
                text.push_str(&format!("\nhelp: {h}"));
            }
            let related: Vec<DiagnosticRelatedInformation> = ends
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, (p, loc, m))| DiagnosticRelatedInformation {
                    location: loc.clone(),
                    message: if *p {
                        format!("value to change: {m}")
                    } else {
                        m.clone()
                    },
                })
                .collect();
            let diag = lsp_types::Diagnostic {
                range: here.range,
                severity: Some(severity(d.severity)),
                code: Some(NumberOrString::String(d.code.id.to_string())),
                code_description: href.clone().map(|href| CodeDescription { href }),
                source: Some("timeoutlint".to_string()),
                message: text,
                related_information: (!related.is_empty()).then_some(related),
                tags: None,
                data: Some(serde_json::json!({
                    "rule": d.code.name,
                    "primary": primary,
                })),
            };
            (here.uri.clone(), diag)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf8_or_utf16_units_before_a_value() {
        // "é" is 2 UTF-8 bytes and 1 UTF-16 unit; "😀" is 4 bytes, 2 units.
        let text = "# x\nkey_é😀 = 600\n".to_string();
        let file = SourceFile::new("f", "/f", text.clone());
        let at = text.find("600").unwrap();
        assert_eq!(position(&file, at, Encoding::Utf8), Position::new(1, 13));
        assert_eq!(position(&file, at, Encoding::Utf16), Position::new(1, 10));
        // Inside a character: moved back to its start.
        let inside = text.find('😀').unwrap() + 1;
        assert_eq!(
            position(&file, inside, Encoding::Utf16),
            Position::new(1, 5)
        );
        // Past the end: clamped.
        assert_eq!(position(&file, 999, Encoding::Utf8), Position::new(2, 0));
    }

    #[test]
    fn file_uris_round_trip_with_spaces_and_non_ascii() {
        let p = Path::new("/tmp/a b/é#1.cnf");
        let uri = path_to_uri(p).unwrap();
        assert_eq!(uri.as_str(), "file:///tmp/a%20b/%C3%A9%231.cnf");
        assert_eq!(uri_to_path(&uri).unwrap(), p);
        let other = Uri::from_str("https://example.com/x").unwrap();
        assert_eq!(uri_to_path(&other), None);
    }
}
