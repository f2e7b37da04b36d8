//! The language server driven in-process through JSON-RPC
//! (`lsp_server::Connection::memory`): initialize, publish, edit the other
//! end of a mismatch in an unsaved buffer, diagnostics moving, shutdown.
//!
//! Each scenario runs on a copy of `examples/founding-incident-broken`
//! (TL103 at settings.yaml, TL106 at my.cnf, both with the security group
//! hop in timeoutlint.toml as their other end). The JSON that the client
//! receives is snapshotted with the temporary folder replaced by `ROOT`.

mod common;

use std::path::{Path, PathBuf};

use common::copy_dir;
use std::thread::JoinHandle;

use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::{Value, json};
use timeoutlint::server::{self, path_to_uri};

struct Client {
    conn: Connection,
    /// Requests the server sent (registration, showDocument), in order.
    server_requests: Vec<Request>,
    server: Option<JoinHandle<Result<(), String>>>,
    next_id: i32,
    root: PathBuf,
    _dir: tempfile::TempDir,
}

impl Client {
    /// Starts a server on a copy of `example` and initializes it; returns
    /// the client and the `initialize` result.
    fn start(example: &str, encodings: Option<&[&str]>) -> (Client, Value) {
        let caps = match encodings {
            Some(list) => json!({ "general": { "positionEncodings": list } }),
            None => json!({}),
        };
        Client::start_with(example, caps)
    }

    /// [`Client::start`] with the client capabilities `caps`.
    fn start_with(example: &str, caps: Value) -> (Client, Value) {
        let dir = tempfile::tempdir().unwrap();
        let src = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples")
            .join(example);
        let root = std::fs::canonicalize(dir.path()).unwrap().join("ws");
        copy_dir(&src, &root);
        let (conn, server_conn) = Connection::memory();
        let server =
            std::thread::spawn(move || server::serve(&server_conn).map_err(|e| e.to_string()));
        let mut client = Client {
            conn,
            server_requests: Vec::new(),
            server: Some(server),
            next_id: 0,
            root,
            _dir: dir,
        };
        let uri = client.uri("");
        let init = client.request(
            "initialize",
            json!({
                "capabilities": caps,
                "workspaceFolders": [{ "uri": uri, "name": "ws" }],
            }),
        );
        client.notify("initialized", json!({}));
        (client, init)
    }

    fn uri(&self, rel: &str) -> String {
        let p = if rel.is_empty() {
            self.root.clone()
        } else {
            self.root.join(rel)
        };
        path_to_uri(&p).unwrap().as_str().to_string()
    }

    /// The hover at `position` (an LSP position as JSON) of `rel`.
    fn hover(&mut self, rel: &str, position: Value) -> Value {
        let uri = self.uri(rel);
        self.request(
            "textDocument/hover",
            json!({ "textDocument": { "uri": uri }, "position": position }),
        )
    }

    fn notify(&self, method: &str, params: Value) {
        let n = Notification::new(method.to_string(), params);
        self.conn.sender.send(n.into()).unwrap();
    }

    /// Sends a request and returns its result, panicking on an error.
    fn request(&mut self, method: &str, params: Value) -> Value {
        let (resp, _) = self.request_collect(method, params);
        resp.response_result.expect("a result")
    }

    /// Sends a request; returns its response and every notification the
    /// server sent before it (the server handles messages in order, so those
    /// are all the effects of the earlier messages).
    fn request_collect(
        &mut self,
        method: &str,
        params: Value,
    ) -> (lsp_server::Response, Vec<Notification>) {
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        let req = Request::new(id.clone(), method.to_string(), params);
        self.conn.sender.send(req.into()).unwrap();
        let mut notes = Vec::new();
        loop {
            let msg = self
                .conn
                .receiver
                .recv_timeout(std::time::Duration::from_secs(60))
                .expect("the server answers");
            match msg {
                Message::Response(r) if r.id == id => return (r, notes),
                Message::Notification(n) => notes.push(n),
                Message::Request(r) => self.server_requests.push(r),
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    /// The notifications caused by every message sent so far.
    fn published(&mut self) -> Vec<Notification> {
        let (resp, notes) = self.request_collect("timeoutlint/sync", json!(null));
        assert!(resp.response_result.is_err(), "unknown methods are refused");
        notes
    }

    fn open(&self, rel: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": {
                "uri": self.uri(rel), "languageId": "ini", "version": 1, "text": text,
            }}),
        );
    }

    fn change(&self, rel: &str, version: i32, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": self.uri(rel), "version": version },
                "contentChanges": [{ "text": text }],
            }),
        );
    }

    /// The notifications as pretty JSON with the workspace folder as `ROOT`.
    fn render(&self, notes: &[Notification]) -> String {
        let v: Vec<Value> = notes
            .iter()
            .map(|n| json!({ "method": n.method, "params": n.params }))
            .collect();
        serde_json::to_string_pretty(&v)
            .unwrap()
            .replace(&self.uri(""), "file:///ROOT")
    }

    fn shutdown(mut self) {
        let (resp, notes) = self.request_collect("shutdown", json!(null));
        assert!(resp.response_result.is_ok());
        assert!(notes.is_empty());
        self.notify("exit", json!(null));
        let result = self.server.take().unwrap().join().unwrap();
        assert_eq!(result, Ok(()));
    }
}

/// `(file, rule, line, primary)` of each published diagnostic, sorted.
fn summary(notes: &[Notification], root_uri: &str) -> Vec<(String, String, u64, bool)> {
    let mut out = Vec::new();
    for n in notes {
        assert_eq!(n.method, "textDocument/publishDiagnostics");
        let uri = n.params["uri"].as_str().unwrap();
        let file = uri.strip_prefix(root_uri).unwrap().trim_start_matches('/');
        for d in n.params["diagnostics"].as_array().unwrap() {
            out.push((
                file.to_string(),
                d["code"].as_str().unwrap().to_string(),
                d["range"]["start"]["line"].as_u64().unwrap(),
                d["data"]["primary"].as_bool().unwrap(),
            ));
        }
    }
    out.sort();
    out
}

fn files(notes: &[Notification], root_uri: &str) -> Vec<String> {
    let mut v: Vec<String> = notes
        .iter()
        .map(|n| {
            let uri = n.params["uri"].as_str().unwrap();
            uri.strip_prefix(root_uri).unwrap().to_string()
        })
        .collect();
    v.sort();
    v
}

#[test]
fn diagnostics_follow_an_unsaved_edit_of_the_other_end() {
    let (mut c, init) = Client::start("founding-incident-broken", Some(&["utf-8", "utf-16"]));
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-8");
    assert_eq!(init["capabilities"]["textDocumentSync"]["change"], 1);
    assert_eq!(init["serverInfo"]["name"], "timeoutlint");
    let root = c.uri("");

    // The initial check publishes each end of each finding.
    let first = c.published();
    let s = summary(&first, &root);
    assert!(s.contains(&("app/settings.yaml".into(), "TL103".into(), 3, true)));
    assert!(s.contains(&("db/my.cnf".into(), "TL106".into(), 5, true)));
    // The hop in the manifest is the other end of both.
    assert!(s.contains(&("timeoutlint.toml".into(), "TL103".into(), 14, false)));
    assert!(s.contains(&("timeoutlint.toml".into(), "TL106".into(), 14, false)));
    insta::assert_snapshot!("initial_publish", c.render(&first));

    // Lower wait_timeout in the unsaved buffer of my.cnf: TL106 goes away
    // from my.cnf (an empty list) and from the manifest; TL103's suggested
    // pool_recycle follows the new shortest limit (1620 s, below 1800 s),
    // so its ends are published again, sysctl.conf's too.
    let cnf = std::fs::read_to_string(c.root.join("db/my.cnf")).unwrap();
    assert!(cnf.contains("wait_timeout = 31536000"));
    c.open("db/my.cnf", &cnf);
    assert!(
        c.published().is_empty(),
        "opening the text on disk changes nothing"
    );
    let fixed = cnf.replace("wait_timeout = 31536000", "wait_timeout = 1800");
    c.change("db/my.cnf", 2, &fixed);
    let moved = c.published();
    assert_eq!(
        files(&moved, &root),
        [
            "/app/settings.yaml",
            "/app/sysctl.conf",
            "/db/my.cnf",
            "/timeoutlint.toml"
        ]
    );
    assert!(c.render(&moved).contains("pool_recycle: 1620"));
    let s = summary(&moved, &root);
    assert!(!s.iter().any(|(_, rule, _, _)| rule == "TL106"));
    // The server now closes sessions before the pool retires them (TL101):
    // shown at the pool (settings.yaml) and at wait_timeout (my.cnf).
    assert!(s.contains(&("app/settings.yaml".into(), "TL101".into(), 3, true)));
    assert!(s.contains(&("db/my.cnf".into(), "TL101".into(), 5, false)));
    assert_eq!(
        s.iter().filter(|(f, _, _, _)| f == "db/my.cnf").count(),
        1,
        "{s:?}"
    );
    assert!(s.contains(&("timeoutlint.toml".into(), "TL103".into(), 14, false)));
    insta::assert_snapshot!("after_wait_timeout_lowered", c.render(&moved));
    // The file on disk is untouched.
    assert_eq!(
        std::fs::read_to_string(c.root.join("db/my.cnf")).unwrap(),
        cnf
    );

    // Undo the edit: the warning comes back at both ends.
    c.change("db/my.cnf", 3, &cnf);
    let back = c.published();
    let s = summary(&back, &root);
    assert!(s.contains(&("db/my.cnf".into(), "TL106".into(), 5, true)));
    assert!(s.contains(&("timeoutlint.toml".into(), "TL106".into(), 14, false)));

    // Fix the app end in settings.yaml: TL103 and TL126 leave settings.yaml.
    let yaml = std::fs::read_to_string(c.root.join("app/settings.yaml")).unwrap();
    c.open("app/settings.yaml", &yaml);
    let yaml_fixed = format!(
        "{yaml}SQLALCHEMY_ENGINE_OPTIONS:\n  pool_recycle: 1200\n  pool_pre_ping: true\n  connect_args:\n    read_timeout: 120\n"
    );
    c.change("app/settings.yaml", 2, &yaml_fixed);
    let app = c.published();
    let cleared = app
        .iter()
        .find(|n| {
            n.params["uri"]
                .as_str()
                .unwrap()
                .ends_with("/app/settings.yaml")
        })
        .expect("settings.yaml is published");
    assert_eq!(
        cleared.params["diagnostics"],
        json!([]),
        "a clean file is cleared"
    );

    // Closing the buffers goes back to the files on disk.
    c.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": c.uri("app/settings.yaml") } }),
    );
    let reopened = c.published();
    let shown = files(&reopened, &root);
    assert!(shown.contains(&"/app/settings.yaml".to_string()));
    let expected: Vec<_> = summary(&first, &root)
        .into_iter()
        .filter(|(f, _, _, _)| shown.contains(&format!("/{f}")))
        .collect();
    assert_eq!(summary(&reopened, &root), expected);
    c.shutdown();
}

/// The column of the first `needle` on its line, in UTF-16 and UTF-8 units.
fn columns(text: &str, needle: &str) -> (u64, u64, u64) {
    let at = text.find(needle).unwrap();
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line_start..at];
    (
        text[..at].matches('\n').count() as u64,
        before.encode_utf16().count() as u64,
        before.len() as u64,
    )
}

#[test]
fn positions_after_non_ascii_text_are_sent_in_the_negotiated_unit() {
    // The hop written as an inline table whose name, before the limit on
    // the same line, holds 2-byte, 3-byte and 4-byte characters.
    let manifest = "[[path]]\nname = \"edge api -> devices-db\"\napp = \"app/settings.yaml\"\n\
        app_sysctl = \"app/sysctl.conf\"\ndb = \"db/my.cnf\"\n\
        hop = [{ name = \"sécurité ☁ 😀\", idle_timeout = \"1h\", on_idle = \"drop\", keepalive_resets = true }]\n";
    let (line, utf16, utf8) = columns(manifest, "\"1h\"");
    assert!(
        utf8 > utf16,
        "the line has multi-byte text before the value"
    );
    for (offered, expected) in [(Some(&["utf-8"][..]), utf8), (None, utf16)] {
        let (mut c, init) = Client::start("founding-incident-broken", offered);
        let kind = if offered.is_some() { "utf-8" } else { "utf-16" };
        assert_eq!(init["capabilities"]["positionEncoding"], kind);
        c.published();
        c.open("timeoutlint.toml", manifest);
        let notes = c.published();
        let toml = notes
            .iter()
            .find(|n| {
                n.params["uri"]
                    .as_str()
                    .unwrap()
                    .ends_with("/timeoutlint.toml")
            })
            .expect("the manifest's diagnostics changed");
        let diags = toml.params["diagnostics"].as_array().unwrap();
        assert!(!diags.is_empty());
        for d in diags {
            assert_eq!(d["range"]["start"]["line"], line, "{kind}");
            assert_eq!(d["range"]["start"]["character"], expected, "{kind}");
            assert_eq!(d["range"]["end"]["character"], expected + 4, "{kind}");
        }
        c.shutdown();
    }
}

#[test]
fn each_end_links_to_the_other_and_to_the_rule_docs() {
    let (mut c, _) = Client::start("founding-incident-broken", None);
    let notes = c.published();
    let root = c.uri("");
    let cnf = notes
        .iter()
        .find(|n| n.params["uri"].as_str().unwrap().ends_with("/db/my.cnf"))
        .unwrap();
    let d = &cnf.params["diagnostics"][0];
    assert_eq!(d["code"], "TL106");
    assert_eq!(d["source"], "timeoutlint");
    assert!(
        d["codeDescription"]["href"]
            .as_str()
            .unwrap()
            .ends_with("/rules/TL106-wait-timeout-exceeds-dropping-hop.toml")
    );
    let related = d["relatedInformation"].as_array().unwrap();
    assert!(
        related
            .iter()
            .any(|r| r["location"]["uri"] == format!("{root}/timeoutlint.toml"))
    );
    // No password reaches the client.
    let all = c.render(&notes);
    assert!(!all.contains("changeme"));
    c.shutdown();
}

#[test]
fn pull_diagnostics_and_watched_files_and_bad_input() {
    let (mut c, init) = Client::start("founding-incident-broken", None);
    let caps = &init["capabilities"]["diagnosticProvider"];
    assert_eq!(caps["interFileDependencies"], true);
    let root = c.uri("");
    let first = c.published();
    let pushed = first
        .iter()
        .find(|n| n.params["uri"].as_str().unwrap().ends_with("/db/my.cnf"))
        .unwrap();

    // The pull model returns what was pushed, for a URI spelled with `..`.
    let pulled = c.request(
        "textDocument/diagnostic",
        json!({ "textDocument": { "uri": c.uri("app/../db/my.cnf") } }),
    );
    assert_eq!(pulled["kind"], "full");
    assert_eq!(pulled["items"], pushed.params["diagnostics"]);
    let clean = c.request(
        "textDocument/diagnostic",
        json!({ "textDocument": { "uri": c.uri("README.md") } }),
    );
    assert_eq!(clean["items"], json!([]));

    // Malformed input is refused or dropped; the server keeps serving.
    let (resp, _) = c.request_collect("textDocument/diagnostic", json!({ "nope": 1 }));
    assert!(resp.response_result.is_err());
    c.notify("textDocument/didOpen", json!({ "textDocument": 42 }));
    assert!(c.published().is_empty());

    // A change on disk, told by didChangeWatchedFiles, is re-checked.
    let cnf_path = c.root.join("db/my.cnf");
    let cnf = std::fs::read_to_string(&cnf_path).unwrap();
    std::fs::write(
        &cnf_path,
        cnf.replace("wait_timeout = 31536000", "wait_timeout = 1800"),
    )
    .unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": c.uri("db/my.cnf"), "type": 2 }] }),
    );
    let s = summary(&c.published(), &root);
    assert!(s.contains(&("db/my.cnf".into(), "TL101".into(), 5, false)));
    assert!(!s.iter().any(|(_, rule, _, _)| rule == "TL106"));
    c.shutdown();
}

/// One JSON-RPC message with its `Content-Length` header.
fn frame(v: Value) -> String {
    let body = v.to_string();
    format!("Content-Length: {}\r\n\r\n{body}", body.len())
}

#[test]
fn the_binary_serves_stdio_and_exits_cleanly() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/founding-incident-broken"),
        &root,
    );
    let uri = path_to_uri(&root).unwrap().as_str().to_string();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_timeoutlint"))
        .args(["server", "--stdio"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = String::new();
    input += &frame(json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"capabilities": {}, "workspaceFolders": [{"uri": uri, "name": "ws"}]}}));
    input += &frame(json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}));
    input += &frame(json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}));
    input += &frame(json!({"jsonrpc": "2.0", "method": "exit"}));
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{:?}", out.status);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("\"positionEncoding\":\"utf-16\""));
    assert!(
        text.contains(&format!("{uri}/db/my.cnf")),
        "published at startup"
    );
    assert!(text.contains("\"id\":2,\"result\":null"));
}

/// `text` with LSP `edits` (line/character positions, ASCII-only text
/// before them) applied, from the last to the first.
fn apply_edits(text: &str, edits: &[Value]) -> String {
    let mut lines: Vec<String> = text.split_inclusive('\n').map(String::from).collect();
    let mut edits = edits.to_vec();
    edits.sort_by_key(|e| std::cmp::Reverse(e["range"]["start"]["line"].as_u64().unwrap()));
    for e in edits {
        assert_eq!(e["range"]["start"], e["range"]["end"], "an insertion");
        assert_eq!(e["range"]["start"]["character"], 0);
        let line = e["range"]["start"]["line"].as_u64().unwrap() as usize;
        lines.insert(line, e["newText"].as_str().unwrap().to_string());
    }
    lines.concat()
}

#[test]
fn the_suppress_code_action_when_applied_hides_the_finding_at_both_ends() {
    let (mut c, init) = Client::start("founding-incident-broken", None);
    assert_eq!(init["capabilities"]["codeActionProvider"], true);
    let root = c.uri("");
    let first = c.published();
    let cnf_uri = c.uri("db/my.cnf");
    let diag = first
        .iter()
        .find(|n| n.params["uri"] == cnf_uri.as_str())
        .unwrap()
        .params["diagnostics"][0]
        .clone();
    assert_eq!(diag["code"], "TL106");
    let actions = c.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": cnf_uri },
            "range": diag["range"],
            "context": { "diagnostics": [diag] },
        }),
    );
    let actions = actions.as_array().unwrap();
    // TL106 has no one-value fix: open the other end, then suppress.
    let titles: Vec<&str> = actions
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles.len(), 2, "{titles:?}");
    assert!(titles[0].starts_with("Open the other end: timeoutlint.toml:15"));
    let suppress = &actions[1];
    assert_eq!(suppress["kind"], "quickfix");
    assert_eq!(
        suppress["title"],
        "Suppress TL106 on this line with a reason"
    );
    let edits = suppress["edit"]["changes"][cnf_uri.as_str()]
        .as_array()
        .unwrap();
    let cnf = std::fs::read_to_string(c.root.join("db/my.cnf")).unwrap();
    let edited = apply_edits(&cnf, edits);
    assert!(edited.contains(
        "# timeoutlint: ignore[TL106] REASON: why this is safe here\nwait_timeout = 31536000"
    ));
    c.open("db/my.cnf", &edited);
    let after = c.published();
    let s = summary(&after, &root);
    assert!(!s.iter().any(|(_, rule, _, _)| rule == "TL106"), "{s:?}");
    assert!(files(&after, &root).contains(&"/db/my.cnf".to_string()));
    c.shutdown();
}

/// The settings of founding-incident-broken with `pool_recycle: 5000`: above
/// the security group's 3600 s, so TL103 fires with a one-value fix.
fn recycle_5000(c: &Client) -> String {
    let yaml = std::fs::read_to_string(c.root.join("app/settings.yaml")).unwrap();
    format!("{yaml}SQLALCHEMY_ENGINE_OPTIONS:\n  pool_recycle: 5000\n")
}

/// `text` with one LSP edit (a range on one line, ASCII text) applied.
fn replace_range(text: &str, edit: &Value) -> String {
    let line = edit["range"]["start"]["line"].as_u64().unwrap() as usize;
    assert_eq!(
        edit["range"]["end"]["line"].as_u64().unwrap() as usize,
        line
    );
    let start = edit["range"]["start"]["character"].as_u64().unwrap() as usize;
    let end = edit["range"]["end"]["character"].as_u64().unwrap() as usize;
    let mut lines: Vec<String> = text.split_inclusive('\n').map(String::from).collect();
    let l = &mut lines[line];
    l.replace_range(start..end, edit["newText"].as_str().unwrap());
    lines.concat()
}

#[test]
fn the_set_value_fix_from_the_other_end_edits_the_value_and_clears_the_finding() {
    let (mut c, _) = Client::start("founding-incident-broken", None);
    let root = c.uri("");
    c.published();
    let yaml = recycle_5000(&c);
    c.open("app/settings.yaml", &yaml);
    let notes = c.published();
    // Ask from the manifest's end (the hop), which is not the value to change.
    let toml_uri = c.uri("timeoutlint.toml");
    let diag = notes
        .iter()
        .find(|n| n.params["uri"] == toml_uri.as_str())
        .unwrap()
        .params["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "TL103")
        .unwrap()
        .clone();
    assert_eq!(diag["data"]["primary"], false);
    let actions = c.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": toml_uri },
            "range": diag["range"],
            "context": { "diagnostics": [diag] },
        }),
    );
    insta::assert_snapshot!(
        "code_actions_tl103_at_the_hop",
        serde_json::to_string_pretty(&actions)
            .unwrap()
            .replace(&root, "file:///ROOT")
    );
    // A client asking only for quick fixes gets no "open the other end".
    let quick = c.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": toml_uri },
            "range": diag["range"],
            "context": { "diagnostics": [diag], "only": ["quickfix"] },
        }),
    );
    let kinds: Vec<&Value> = quick
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["kind"])
        .collect();
    assert_eq!(kinds, [&json!("quickfix"), &json!("quickfix")], "{quick:#}");
    let fix = &actions[0];
    // 3600 s less the 10 % margin.
    assert_eq!(fix["title"], "set pool_recycle = 3240");
    assert_eq!(fix["isPreferred"], true);
    let yaml_uri = c.uri("app/settings.yaml");
    let edits = fix["edit"]["changes"][yaml_uri.as_str()]
        .as_array()
        .unwrap();
    assert_eq!(edits.len(), 1);
    let fixed = replace_range(&yaml, &edits[0]);
    assert!(fixed.ends_with("  pool_recycle: 3240\n"), "{fixed}");
    c.change("app/settings.yaml", 2, &fixed);
    let after = summary(&c.published(), &root);
    assert!(
        !after
            .iter()
            .any(|(f, rule, _, _)| f == "app/settings.yaml" && rule == "TL103"),
        "{after:?}"
    );
    c.shutdown();
}

#[test]
fn open_the_other_end_asks_the_client_to_show_it() {
    let caps = json!({ "window": { "showDocument": { "support": true } } });
    let (mut c, init) = Client::start_with("founding-incident-broken", caps);
    assert_eq!(
        init["capabilities"]["executeCommandProvider"]["commands"],
        json!(["timeoutlint.openLocation"])
    );
    let notes = c.published();
    let cnf_uri = c.uri("db/my.cnf");
    let diag = notes
        .iter()
        .find(|n| n.params["uri"] == cnf_uri.as_str())
        .unwrap()
        .params["diagnostics"][0]
        .clone();
    let actions = c.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": cnf_uri },
            "range": diag["range"],
            "context": { "diagnostics": [diag] },
        }),
    );
    let open = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["command"].is_object())
        .unwrap();
    let command = &open["command"];
    let result = c.request(
        "workspace/executeCommand",
        json!({ "command": command["command"], "arguments": command["arguments"] }),
    );
    assert_eq!(result, Value::Null);
    let shown = c.server_requests.last().expect("a showDocument request");
    assert_eq!(shown.method, "window/showDocument");
    assert_eq!(shown.params["uri"], c.uri("timeoutlint.toml"));
    assert_eq!(shown.params["selection"]["start"]["line"], 14);
    assert_eq!(shown.params["takeFocus"], true);

    // Bad arguments are refused, the server keeps serving.
    let (resp, _) = c.request_collect(
        "workspace/executeCommand",
        json!({ "command": "timeoutlint.openLocation", "arguments": [1] }),
    );
    assert!(resp.response_result.is_err());
    c.shutdown();

    // A client without showDocument is told where the other end is.
    let (mut c, _) = Client::start("founding-incident-broken", None);
    c.published();
    let args = json!([
        c.uri("timeoutlint.toml"),
        { "start": { "line": 14, "character": 15 }, "end": { "line": 14, "character": 19 } },
    ]);
    let (resp, told) = c.request_collect(
        "workspace/executeCommand",
        json!({ "command": command["command"], "arguments": args }),
    );
    assert_eq!(resp.response_result.ok(), Some(Value::Null));
    assert_eq!(told.len(), 1);
    assert_eq!(told[0].method, "window/showMessage");
    let message = told[0].params["message"].as_str().unwrap();
    assert!(message.ends_with("/timeoutlint.toml:15:16"), "{message}");
    c.shutdown();
}

/// The LSP position (UTF-16) of the first `needle` in `rel`'s text.
fn position_of(text: &str, needle: &str) -> Value {
    let (line, utf16, _) = columns(text, needle);
    json!({ "line": line, "character": utf16 + 1 })
}

#[test]
fn hover_on_a_timeout_shows_its_chain_row_and_limits() {
    let (mut c, init) = Client::start("founding-incident-broken", None);
    assert_eq!(init["capabilities"]["hoverProvider"], true);
    c.published();
    let yaml = recycle_5000(&c);
    c.open("app/settings.yaml", &yaml);
    c.published();
    let hover = c.hover("app/settings.yaml", position_of(&yaml, "5000"));
    assert_eq!(hover["contents"]["kind"], "markdown");
    let text = hover["contents"]["value"].as_str().unwrap();
    insta::assert_snapshot!("hover_pool_recycle", text);
    assert!(text.starts_with("**pool_recycle** = 5000 s"), "{text}");
    assert!(text.contains("source: app/settings.yaml:7"), "{text}");
    assert!(
        text.contains("must stay below hop \"cloud security group\" idle_timeout = 3600 s (1h)"),
        "{text}"
    );
    assert!(text.contains("**broken**"), "{text}");
    // Hovering the key shows the value of its line.
    let on_key = c.hover(
        "app/settings.yaml",
        position_of(&yaml, "pool_recycle: 5000"),
    );
    assert_eq!(on_key["contents"]["value"].as_str().unwrap(), text);

    // At the other end: the hop must stay above the retirement.
    let manifest = std::fs::read_to_string(c.root.join("timeoutlint.toml")).unwrap();
    let hover = c.hover("timeoutlint.toml", position_of(&manifest, "\"1h\""));
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(text.starts_with("**idle_timeout** = 3600 s (1h)"), "{text}");
    assert!(text.contains("the **first idle killer**"), "{text}");
    assert!(
        text.contains("must stay above app pool_recycle = 5000 s"),
        "{text}"
    );

    // The database URL's line holds a password: never shown.
    let url = c.hover("app/settings.yaml", position_of(&yaml, "changeme"));
    assert!(!url.to_string().contains("changeme"), "{url}");

    // Nothing to say off a value, or in a file no path reads.
    let off = c.hover("app/settings.yaml", json!({ "line": 0, "character": 0 }));
    assert_eq!(off, Value::Null);
    let readme = c.hover("README.md", json!({ "line": 0, "character": 0 }));
    assert_eq!(readme, Value::Null);
    c.shutdown();
}

#[test]
fn watched_files_are_registered_and_pulls_carry_result_ids() {
    let caps = json!({ "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } } });
    let (mut c, _) = Client::start_with("founding-incident-broken", caps);
    c.published();
    let reg = c.server_requests.first().expect("a registration");
    assert_eq!(reg.method, "client/registerCapability");
    let r = &reg.params["registrations"][0];
    assert_eq!(r["method"], "workspace/didChangeWatchedFiles");
    let globs: Vec<&str> = r["registerOptions"]["watchers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["globPattern"].as_str().unwrap())
        .collect();
    assert!(globs.iter().any(|g| g.contains("cnf")), "{globs:?}");

    let uri = c.uri("db/my.cnf");
    let first = c.request(
        "textDocument/diagnostic",
        json!({ "textDocument": { "uri": uri } }),
    );
    let id = first["resultId"].as_str().unwrap().to_string();
    let again = c.request(
        "textDocument/diagnostic",
        json!({ "textDocument": { "uri": uri }, "previousResultId": id }),
    );
    assert_eq!(again, json!({ "kind": "unchanged", "resultId": id }));
    // After an edit that changes the file's diagnostics the id changes.
    let cnf = std::fs::read_to_string(c.root.join("db/my.cnf")).unwrap();
    c.open(
        "db/my.cnf",
        &cnf.replace("wait_timeout = 31536000", "wait_timeout = 1800"),
    );
    let changed = c.request(
        "textDocument/diagnostic",
        json!({ "textDocument": { "uri": uri }, "previousResultId": id }),
    );
    assert_eq!(changed["kind"], "full");
    assert_ne!(changed["resultId"], json!(id));
    c.shutdown();
}

#[test]
fn run_errors_are_logged_and_workspace_folders_follow_the_client() {
    let (mut c, _) = Client::start("founding-incident-broken", None);
    let root = c.uri("");
    c.published();
    // A manifest naming a file that is not there: the editor's log says so,
    // once, not at every keystroke.
    let manifest = std::fs::read_to_string(c.root.join("timeoutlint.toml")).unwrap();
    let broken = manifest.replace("db/my.cnf", "db/missing.cnf");
    c.open("timeoutlint.toml", &broken);
    let notes = c.published();
    let logs: Vec<&Notification> = notes
        .iter()
        .filter(|n| n.method == "window/logMessage")
        .collect();
    assert_eq!(logs.len(), 1, "{notes:?}");
    let text = logs[0].params["message"].as_str().unwrap();
    assert!(text.contains("missing.cnf"), "{text}");
    assert_eq!(logs[0].params["type"], 2);
    c.change("timeoutlint.toml", 2, &format!("{broken}\n"));
    assert!(
        !c.published()
            .iter()
            .any(|n| n.method == "window/logMessage"),
        "the same error is not logged again"
    );
    c.change("timeoutlint.toml", 3, &manifest);
    c.published();

    // A second folder added: its files are published; the first removed:
    // its files are cleared.
    let other = c.root.parent().unwrap().join("other");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/django-persistent-connections"),
        &other,
    );
    let other_uri = path_to_uri(&other).unwrap().as_str().to_string();
    c.notify(
        "workspace/didChangeWorkspaceFolders",
        json!({ "event": { "added": [{ "uri": other_uri, "name": "other" }], "removed": [] } }),
    );
    let added = c.published();
    assert!(!added.is_empty());
    assert!(
        added
            .iter()
            .all(|n| n.params["uri"].as_str().unwrap().starts_with(&other_uri))
    );
    c.notify(
        "workspace/didChangeWorkspaceFolders",
        json!({ "event": { "added": [], "removed": [{ "uri": root, "name": "ws" }] } }),
    );
    let removed = c.published();
    assert!(!removed.is_empty());
    for n in &removed {
        assert!(n.params["uri"].as_str().unwrap().starts_with(&root));
        assert_eq!(n.params["diagnostics"], json!([]));
    }
    c.shutdown();
}

#[test]
fn a_burst_of_edits_ends_on_the_last_text() {
    let (mut c, _) = Client::start("founding-incident-broken", None);
    let root = c.uri("");
    c.published();
    let cnf = std::fs::read_to_string(c.root.join("db/my.cnf")).unwrap();
    c.open("db/my.cnf", &cnf);
    for (v, wait) in [(2, 1800), (3, 31536000), (4, 1700), (5, 1600)] {
        let text = cnf.replace("wait_timeout = 31536000", &format!("wait_timeout = {wait}"));
        c.change("db/my.cnf", v, &text);
    }
    // Whatever was published on the way, the last publish of my.cnf shows
    // the last text: TL101 (1600 s is below the pool's 7200 s), no TL106.
    let notes = c.published();
    let last = notes
        .iter()
        .rev()
        .find(|n| n.params["uri"].as_str().unwrap().ends_with("/db/my.cnf"))
        .unwrap();
    let s = summary(std::slice::from_ref(last), &root);
    assert_eq!(s, [("db/my.cnf".into(), "TL101".into(), 5, false)]);
    let msg = last.params["diagnostics"][0]["message"].as_str().unwrap();
    assert!(
        msg.starts_with("the server closes connections idle for 1600 s"),
        "{msg}"
    );
    c.shutdown();
}

#[test]
fn malformed_requests_and_notifications_never_stop_the_server() {
    let (mut c, _) = Client::start("founding-incident-broken", None);
    c.published();
    let bad_params = [
        json!(null),
        json!(42),
        json!("text"),
        json!({}),
        json!({ "textDocument": { "uri": "not a uri" }, "position": { "line": 0, "character": 0 } }),
        json!({ "textDocument": { "uri": "https://example.com/x" }, "position": { "line": 0, "character": 0 } }),
        json!({ "textDocument": { "uri": c.uri("db/my.cnf") }, "position": { "line": 4_000_000_000u64, "character": 4_000_000_000u64 } }),
        json!({ "textDocument": { "uri": c.uri("db/my.cnf") }, "range": { "start": { "line": 9, "character": 9 }, "end": { "line": 0, "character": 0 } }, "context": { "diagnostics": [{ "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } }, "message": "x", "source": "timeoutlint", "code": "TL106", "data": { "fix": { "title": 1 } }, "relatedInformation": [] }] } }),
        json!({ "command": "timeoutlint.openLocation", "arguments": ["x", "y"] }),
        json!({ "command": "rm -rf /", "arguments": [] }),
    ];
    for method in [
        "textDocument/hover",
        "textDocument/codeAction",
        "textDocument/diagnostic",
        "workspace/executeCommand",
    ] {
        for params in &bad_params {
            let (resp, _) = c.request_collect(method, params.clone());
            // An error, or an empty answer: never a crash or a hang. (A
            // client's diagnostic with malformed fix data still gets its
            // suppression, never a fix.)
            if let Ok(v) = &resp.response_result {
                let only_suppress = v.as_array().is_some_and(|a| {
                    a.iter()
                        .all(|x| x["title"] == "Suppress TL106 on this line with a reason")
                });
                assert!(
                    v.is_null() || only_suppress || v["kind"] == "full",
                    "{method} {params}: {v}"
                );
            }
        }
    }
    for method in [
        "textDocument/didOpen",
        "textDocument/didChange",
        "textDocument/didClose",
        "textDocument/didSave",
        "workspace/didChangeWorkspaceFolders",
        "workspace/didChangeWatchedFiles",
    ] {
        for params in &bad_params {
            c.notify(method, params.clone());
        }
    }
    // Still serving, with the same findings.
    let hover = c.hover("db/my.cnf", json!({ "line": 5, "character": 0 }));
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .starts_with("**wait_timeout**")
    );
    c.shutdown();
}
