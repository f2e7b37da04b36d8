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
//! - on any change (and on `workspace/didChangeWatchedFiles`) re-checks
//!   every workspace folder (manifest, else discovery: exactly
//!   `timeoutlint check FOLDER --root FOLDER`), and
//!   publishes `textDocument/publishDiagnostics` for every file whose
//!   diagnostics changed, an empty list for a file that became clean;
//! - answers the pull model's `textDocument/diagnostic` with the same lists
//!   (kept current at every change), with a `resultId`: a pull that sends
//!   the current one back gets `unchanged`;
//! - debounces: changes that arrive within [`DEBOUNCE`] of each other cause
//!   one re-check (a request is answered after the re-check it waits for);
//! - asks the client to watch the files it reads (`client/registerCapability`
//!   of `workspace/didChangeWatchedFiles`, when the client supports dynamic
//!   registration), and follows `workspace/didChangeWorkspaceFolders`;
//! - reports inputs it could not read (a manifest naming a missing file) in
//!   `window/logMessage`, once per change of that list;
//! - offers code actions per finding ([`actions`]): set the suggested value,
//!   open the other end (`workspace/executeCommand` then
//!   `window/showDocument`), suppress with a reason;
//! - answers `textDocument/hover` on a timeout setting with its chain row and
//!   the limits it must stay below or above ([`hover`]).
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

pub mod actions;
pub mod hover;

use std::collections::{BTreeMap, BTreeSet};
use std::error::Error;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use crossbeam_channel::RecvTimeoutError;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidChangeWatchedFiles, DidChangeWorkspaceFolders, DidCloseTextDocument,
    DidOpenTextDocument, DidSaveTextDocument, LogMessage, Notification as _, PublishDiagnostics,
    ShowMessage,
};
use lsp_types::request::{
    CodeActionRequest, DocumentDiagnosticRequest, ExecuteCommand, HoverRequest, RegisterCapability,
    Request as _, ShowDocument,
};
use lsp_types::{
    CodeActionParams, CodeActionProviderCapability, CodeDescription, DiagnosticOptions,
    DiagnosticRelatedInformation, DiagnosticServerCapabilities, DiagnosticSeverity,
    DidChangeTextDocumentParams, DidChangeWatchedFilesRegistrationOptions,
    DidChangeWorkspaceFoldersParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
    DidSaveTextDocumentParams, DocumentDiagnosticParams, ExecuteCommandOptions,
    ExecuteCommandParams, FileSystemWatcher, GlobPattern, Hover, HoverContents, HoverParams,
    HoverProviderCapability, InitializeParams, LogMessageParams, MarkupContent, MarkupKind,
    MessageType, NumberOrString, OneOf, Position, PositionEncodingKind, PublishDiagnosticsParams,
    Range, Registration, RegistrationParams, SaveOptions, ServerCapabilities, ServerInfo,
    ShowDocumentParams, ShowMessageParams, TextDocumentSyncCapability, TextDocumentSyncKind,
    TextDocumentSyncOptions, TextDocumentSyncSaveOptions, Uri, WorkspaceFoldersServerCapabilities,
    WorkspaceServerCapabilities,
};

use crate::diagnostic::{Diagnostic, Severity};
use crate::run::{self, Outcome, RunOptions};
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

/// How long the server waits after a change for the next one before it
/// re-checks: a burst of keystrokes costs one re-check.
pub const DEBOUNCE: Duration = Duration::from_millis(40);

/// What the client can do, from `initialize`.
#[derive(Clone, Copy, Debug, Default)]
struct ClientCaps {
    /// `window.showDocument.support`.
    show_document: bool,
    /// `workspace.didChangeWatchedFiles.dynamicRegistration`.
    watch_registration: bool,
}

/// What the server keeps between messages.
struct State {
    /// Workspace folders (absolute), from `initialize` and
    /// `workspace/didChangeWorkspaceFolders`.
    roots: Vec<PathBuf>,
    encoding: Encoding,
    client: ClientCaps,
    /// Open documents (their buffers are in the overlay).
    open: BTreeSet<PathBuf>,
    /// What was last published, by URI text.
    published: BTreeMap<String, (Uri, Vec<lsp_types::Diagnostic>)>,
    /// The last check of each folder, for hover.
    last: Vec<Outcome>,
    /// The run errors last logged (logged again only when they change).
    logged_errors: Vec<String>,
    /// Files changed since the last re-check.
    dirty: bool,
    /// Ids of the requests the server sends.
    next_id: i32,
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
        execute_command_provider: Some(ExecuteCommandOptions {
            commands: vec![actions::OPEN_COMMAND.to_string()],
            work_done_progress_options: Default::default(),
        }),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        diagnostic_provider: Some(DiagnosticServerCapabilities::Options(DiagnosticOptions {
            identifier: Some("timeoutlint".to_string()),
            inter_file_dependencies: true,
            workspace_diagnostics: false,
            work_done_progress_options: Default::default(),
        })),
        workspace: Some(WorkspaceServerCapabilities {
            workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                supported: Some(true),
                change_notifications: Some(OneOf::Left(true)),
            }),
            file_operations: None,
        }),
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
    let client = ClientCaps {
        show_document: init
            .capabilities
            .window
            .as_ref()
            .and_then(|w| w.show_document.as_ref())
            .is_some_and(|s| s.support),
        watch_registration: init
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|w| w.dynamic_registration)
            .unwrap_or(false),
    };
    let mut state = State {
        roots: workspace_roots(&init),
        encoding,
        client,
        open: BTreeSet::new(),
        published: BTreeMap::new(),
        last: Vec::new(),
        logged_errors: Vec::new(),
        dirty: false,
        next_id: 0,
    };
    if client.watch_registration {
        state.register_watchers(conn)?;
    }
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

/// The files the server asks the client to watch: every file type a check
/// reads (docs/discovery.md), in any folder.
pub const WATCHED_GLOBS: &[&str] = &[
    "**/*.{toml,yaml,yml,py,cnf,ini,conf,cfg,tf,tfvars,json,template,env}",
    "**/.env*",
    "**/{my.cnf,sysctl.conf,postgresql.conf,pgbouncer.ini,haproxy.cfg}",
];

/// A stable id of a diagnostics list, for the pull model's `resultId`.
fn result_id(items: &[lsp_types::Diagnostic]) -> String {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    serde_json::to_string(items)
        .unwrap_or_default()
        .hash(&mut h);
    format!("{:016x}", h.finish())
}

impl State {
    fn main_loop(&mut self, conn: &Connection) -> Result<(), ServerError> {
        loop {
            let msg = if self.dirty {
                match conn.receiver.recv_timeout(DEBOUNCE) {
                    Ok(m) => m,
                    Err(RecvTimeoutError::Timeout) => {
                        self.recheck(conn)?;
                        continue;
                    }
                    Err(RecvTimeoutError::Disconnected) => return Ok(()),
                }
            } else {
                match conn.receiver.recv() {
                    Ok(m) => m,
                    Err(_) => return Ok(()),
                }
            };
            match msg {
                Message::Request(req) => {
                    // Answer from the files as they are now.
                    if self.dirty {
                        self.recheck(conn)?;
                    }
                    if conn.handle_shutdown(&req)? {
                        return Ok(());
                    }
                    let resp = self.request(conn, req)?;
                    conn.sender.send(resp.into())?;
                }
                Message::Notification(n) => {
                    if n.method == "exit" {
                        return Ok(());
                    }
                    let method = n.method.clone();
                    match self.notification(n) {
                        Ok(true) => self.dirty = true,
                        Ok(false) => {}
                        // A malformed notification is dropped; the server
                        // keeps serving (it has no reply to carry an error).
                        Err(e) => eprintln!("timeoutlint server: {method}: {e}"),
                    }
                }
                // Replies to the server's own requests (registration,
                // showDocument) need no action.
                Message::Response(_) => {}
            }
        }
    }

    /// Sends a request to the client; its reply is not awaited.
    fn send_request<R: lsp_types::request::Request>(
        &mut self,
        conn: &Connection,
        params: R::Params,
    ) -> Result<(), ServerError> {
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        conn.sender
            .send(Request::new(id, R::METHOD.to_string(), params).into())?;
        Ok(())
    }

    fn register_watchers(&mut self, conn: &Connection) -> Result<(), ServerError> {
        let watchers: Vec<FileSystemWatcher> = WATCHED_GLOBS
            .iter()
            .map(|g| FileSystemWatcher {
                glob_pattern: GlobPattern::String((*g).to_string()),
                kind: None,
            })
            .collect();
        let options = DidChangeWatchedFilesRegistrationOptions { watchers };
        let params = RegistrationParams {
            registrations: vec![Registration {
                id: "timeoutlint-watched-files".to_string(),
                method: DidChangeWatchedFiles::METHOD.to_string(),
                register_options: Some(serde_json::to_value(options)?),
            }],
        };
        self.send_request::<RegisterCapability>(conn, params)
    }

    /// Answers a request other than `shutdown`.
    fn request(
        &mut self,
        conn: &Connection,
        req: lsp_server::Request,
    ) -> Result<Response, ServerError> {
        fn invalid(id: RequestId, e: impl std::fmt::Display) -> Response {
            Response::new_err(id, ErrorCode::InvalidParams as i32, e.to_string())
        }
        Ok(match req.method.as_str() {
            DocumentDiagnosticRequest::METHOD => {
                match serde_json::from_value::<DocumentDiagnosticParams>(req.params) {
                    Ok(p) => {
                        // The diagnostics are kept current at every change,
                        // so a pull returns what was last published.
                        let items = canonical_uri(&p.text_document.uri)
                            .and_then(|u| self.published.get(u.as_str()))
                            .map(|(_, d)| d.clone())
                            .unwrap_or_default();
                        let id = result_id(&items);
                        let body = if p.previous_result_id.as_deref() == Some(id.as_str()) {
                            serde_json::json!({ "kind": "unchanged", "resultId": id })
                        } else {
                            serde_json::json!({ "kind": "full", "resultId": id, "items": items })
                        };
                        Response::new_ok(req.id, body)
                    }
                    Err(e) => invalid(req.id, e),
                }
            }
            CodeActionRequest::METHOD => {
                match serde_json::from_value::<CodeActionParams>(req.params) {
                    Ok(p) => Response::new_ok(req.id, actions::code_actions(&p)),
                    Err(e) => invalid(req.id, e),
                }
            }
            HoverRequest::METHOD => match serde_json::from_value::<HoverParams>(req.params) {
                Ok(p) => Response::new_ok(req.id, self.hover(&p)),
                Err(e) => invalid(req.id, e),
            },
            ExecuteCommand::METHOD => {
                match serde_json::from_value::<ExecuteCommandParams>(req.params) {
                    Ok(p) if p.command == actions::OPEN_COMMAND => {
                        match actions::open_target(&p.arguments) {
                            Some(loc) => {
                                self.open_location(conn, loc)?;
                                Response::new_ok(req.id, serde_json::Value::Null)
                            }
                            None => invalid(req.id, "expected arguments [uri, range]"),
                        }
                    }
                    Ok(p) => invalid(req.id, format!("unknown command: {}", p.command)),
                    Err(e) => invalid(req.id, e),
                }
            }
            _ => Response::new_err(
                req.id,
                ErrorCode::MethodNotFound as i32,
                format!("not supported: {}", req.method),
            ),
        })
    }

    /// Shows `loc` in the editor (`window/showDocument`), or, for a client
    /// without it, says where it is (`window/showMessage`).
    fn open_location(
        &mut self,
        conn: &Connection,
        loc: lsp_types::Location,
    ) -> Result<(), ServerError> {
        if self.client.show_document {
            let params = ShowDocumentParams {
                uri: loc.uri,
                external: None,
                take_focus: Some(true),
                selection: Some(loc.range),
            };
            return self.send_request::<ShowDocument>(conn, params);
        }
        let path = uri_to_path(&loc.uri).unwrap_or_default();
        let params = ShowMessageParams {
            typ: MessageType::INFO,
            message: format!(
                "the other end is at {}:{}:{}",
                path.display(),
                loc.range.start.line + 1,
                loc.range.start.character + 1
            ),
        };
        conn.sender
            .send(Notification::new(ShowMessage::METHOD.to_string(), params).into())?;
        Ok(())
    }

    /// The hover at `p`: the chain rows of the value under the cursor, from
    /// the last check of the folder that holds the file.
    fn hover(&self, p: &HoverParams) -> Option<Hover> {
        let at = &p.text_document_position_params;
        let path = uri_to_path(&at.text_document.uri)?;
        let real = std::fs::canonicalize(&path).unwrap_or(path);
        for outcome in &self.last {
            let Some((id, file)) = outcome
                .sources
                .files()
                .find(|(_, f)| std::fs::canonicalize(f.path()).is_ok_and(|p| p == real))
            else {
                continue;
            };
            let offset = offset(file, at.position, self.encoding);
            if let Some(text) = hover::hover_text(outcome, id, offset) {
                return Some(Hover {
                    contents: HoverContents::Markup(MarkupContent {
                        kind: MarkupKind::Markdown,
                        value: text,
                    }),
                    range: None,
                });
            }
        }
        None
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
            DidChangeWorkspaceFolders::METHOD => {
                let p: DidChangeWorkspaceFoldersParams = serde_json::from_value(n.params)?;
                let removed: Vec<PathBuf> = p
                    .event
                    .removed
                    .iter()
                    .filter_map(|f| uri_to_path(&f.uri))
                    .collect();
                self.roots.retain(|r| !removed.contains(r));
                self.roots
                    .extend(p.event.added.iter().filter_map(|f| uri_to_path(&f.uri)));
                self.roots.sort();
                self.roots.dedup();
                return Ok(true);
            }
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
        self.dirty = false;
        let mut now: BTreeMap<String, (Uri, Vec<lsp_types::Diagnostic>)> = BTreeMap::new();
        let mut errors: Vec<String> = Vec::new();
        let mut last = Vec::new();
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
            errors.extend(
                outcome
                    .load_errors
                    .iter()
                    .map(|e| format!("{}: {}", root.display(), scrubber.scrub(&e.message))),
            );
            last.push(outcome);
        }
        self.last = last;
        if errors != self.logged_errors {
            for message in &errors {
                let params = LogMessageParams {
                    typ: MessageType::WARNING,
                    message: format!("timeoutlint could not check everything: {message}"),
                };
                conn.sender
                    .send(Notification::new(LogMessage::METHOD.to_string(), params).into())?;
            }
            self.logged_errors = errors;
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

/// The byte offset of LSP `pos` in `file` (the inverse of [`position`]):
/// clamped to the line's end and to the text.
pub fn offset(file: &SourceFile, pos: Position, encoding: Encoding) -> usize {
    let text = file.text();
    let mut start = 0;
    for _ in 0..pos.line {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let line = &text[start..];
    let line = &line[..line.find('\n').unwrap_or(line.len())];
    let mut units = 0usize;
    for (i, c) in line.char_indices() {
        if units >= pos.character as usize {
            return start + i;
        }
        units += match encoding {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
        };
    }
    start + line.len()
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
    // The fix edits the value to change, whichever end the diagnostic
    // sits on; its text is a number, scrubbed like every text.
    let fix = d.fix.as_ref().and_then(|f| {
        let loc = lsp_location(f.location, sources, enc)?;
        serde_json::to_value(actions::FixData {
            title: scrubber.scrub(&f.title),
            uri: loc.uri,
            range: loc.range,
            new_text: scrubber.scrub(&f.replacement),
        })
        .ok()
    });
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
                data: Some(match &fix {
                    Some(f) => serde_json::json!({
                        "rule": d.code.name,
                        "primary": primary,
                        "fix": f,
                    }),
                    None => serde_json::json!({
                        "rule": d.code.name,
                        "primary": primary,
                    }),
                }),
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
