//! `timeoutlint server` under a real editor client: Neovim's built-in LSP
//! client, headless, started by the Neovim 0.7 snippet of editors/README.md
//! (`vim.lsp.start_client` + `vim.lsp.buf_attach_client`; Debian bookworm
//! ships Neovim 0.7.2). The driver, tests/editors/neovim.lua, opens files of
//! a copy of examples/founding-incident-broken, waits for their
//! diagnostics, and writes what Neovim stored (`vim.diagnostic.get` of every
//! buffer) as JSON.
//!
//! What Neovim received is compared with `timeoutlint check --format json`
//! on the same folder: one diagnostic at each located end of each finding
//! (the finding's place and each `related` place), with its rule code,
//! severity, line and byte column, and a message carrying the finding's.
//! The files opened are the first finding's file and the files of its other
//! ends; the files not opened get their diagnostics too (the server
//! publishes at every end, Neovim keeps them on unloaded buffers).
//!
//! On timeoutlint.toml's `idle_timeout` line the driver then asks for code
//! actions with the line's diagnostics as Neovim hands them back (as
//! `vim.lsp.buf.code_action` does) and for a hover: each diagnostic keeps
//! its `data` through Neovim's store and gets "open the other end" and
//! "suppress"; the hover shows the hop's chain row.
//!
//! Then the driver lowers `wait_timeout` in db/my.cnf's buffer without
//! saving it, and Neovim's diagnostics must become what the CLI finds on a
//! copy with that edit on disk: findings leave my.cnf and timeoutlint.toml
//! and one appears in app/settings.yaml (a file the edit did not touch).
//!
//! Where `nvim` is absent the test says it skipped and passes; `.ci/run`
//! installs it (Debian's `neovim`). A Neovim that hangs is killed after
//! [`NVIM_TIMEOUT`].

mod common;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use common::copy_dir;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const EXAMPLE: &str = "founding-incident-broken";

/// The edit made in Neovim (unsaved): the first line of `EDIT_FILE` that
/// starts with `EDIT_KEY` becomes `EDIT_TEXT`. Below the security group's
/// 3600 s, wait_timeout no longer outlives the hop (TL106 leaves my.cnf and
/// timeoutlint.toml), but now cuts the pool's 7200 s recycling (TL101
/// appears on settings.yaml): the CLI on the edited copy says which.
const EDIT_FILE: &str = "db/my.cnf";
const EDIT_KEY: &str = "wait_timeout";
const EDIT_TEXT: &str = "wait_timeout = 3000";

/// How long Neovim may run before it is killed and the test fails.
const NVIM_TIMEOUT: Duration = Duration::from_secs(90);

/// Says, past the test harness's capture, what the test saw or why it
/// skipped.
fn say(text: &str) {
    let _ = writeln!(std::io::stderr(), "{text}");
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The first line of `nvim --version`, or `None` when `nvim` does not run.
fn nvim_version() -> Option<String> {
    let out = Command::new("nvim").arg("--version").output().ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    Some(text.lines().next().unwrap_or("").to_string())
}

/// The one ```lua block of editors/README.md that starts a client with
/// `vim.lsp.start_client` (the Neovim 0.7 snippet).
fn readme_snippet() -> String {
    let readme = std::fs::read_to_string(repo().join("editors/README.md")).unwrap();
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in readme.lines() {
        match &mut current {
            None if line.trim_end() == "```lua" => current = Some(String::new()),
            Some(block) if line.trim_end() == "```" => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            Some(block) => {
                block.push_str(line);
                block.push('\n');
            }
            None => {}
        }
    }
    let found: Vec<String> = blocks
        .into_iter()
        .filter(|b| b.contains("vim.lsp.start_client"))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "one Neovim 0.7 snippet in editors/README.md"
    );
    found.into_iter().next().unwrap()
}

/// One diagnostic as Neovim stores it: file (relative to the checked
/// folder, `/`-separated), 0-based line, 0-based byte column, rule code,
/// `vim.diagnostic.severity` (1 error, 2 warning, 3 info).
type Place = (String, u64, u64, String, u64);

/// `file` relative to `root` (both canonical), as a `/`-separated string.
fn relative(root: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(root).unwrap_or(file);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// One end of a finding of `timeoutlint check --format json`, where Neovim
/// should show it.
#[derive(Debug)]
struct End {
    place: Place,
    primary: bool,
    /// The finding's message.
    message: String,
    /// What this end contributes (a `related` entry's message).
    label: String,
}

/// 0-based byte column of the 1-based character `column` of 1-based `line`
/// of `file` (the JSON counts characters; Neovim stores bytes).
fn byte_col(file: &Path, line: u64, column: u64) -> u64 {
    let text = std::fs::read_to_string(file).unwrap();
    let l = text.lines().nth(line as usize - 1).unwrap_or("");
    l.chars()
        .take(column as usize - 1)
        .map(char::len_utf8)
        .sum::<usize>() as u64
}

/// Every located end of every finding of `timeoutlint check --format json
/// --root ROOT ROOT` (what the server checks for workspace folder ROOT),
/// in the CLI's order.
fn cli_ends(root: &Path) -> Vec<End> {
    let out = Command::new(env!("CARGO_BIN_EXE_timeoutlint"))
        .args(["check", "--format", "json", "--root"])
        .arg(root)
        .arg(root)
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let severity = |s: &str| match s {
        "error" => 1,
        "warning" => 2,
        "info" => 3,
        other => panic!("severity {other}"),
    };
    let mut ends = Vec::new();
    for d in json["diagnostics"].as_array().unwrap() {
        let code = d["rule"].as_str().unwrap().to_string();
        let sev = severity(d["severity"].as_str().unwrap());
        let message = d["message"].as_str().unwrap().to_string();
        let here = std::iter::once((true, d));
        let there = d["related"].as_array().into_iter().flatten();
        for (primary, at) in here.chain(there.map(|r| (false, r))) {
            let (Some(file), Some(line), Some(col)) = (
                at["file"].as_str(),
                at["line"].as_u64(),
                at["column"].as_u64(),
            ) else {
                continue;
            };
            let file = std::fs::canonicalize(root.join(file)).unwrap();
            let place = (
                relative(root, &file),
                line - 1,
                byte_col(&file, line, col),
                code.clone(),
                sev,
            );
            ends.push(End {
                place,
                primary,
                message: message.clone(),
                label: at["message"].as_str().unwrap_or("").to_string(),
            });
        }
    }
    ends
}

/// An edit the driver makes in a buffer, unsaved: `line` (1-based) of
/// `file` becomes `text`.
struct Edit {
    file: PathBuf,
    line: usize,
    text: String,
}

/// Where the driver asks for code actions and a hover: `line` (1-based) and
/// byte `col` (0-based) of `file`.
struct Probe {
    file: PathBuf,
    line: usize,
    col: usize,
}

/// Runs the driver in Neovim with `files` to open, then `probe`, then
/// `edit`; returns its JSON report.
fn run_nvim(root: &Path, files: &[PathBuf], probe: &Probe, edit: &Edit, tmp: &Path) -> Value {
    let snippet = tmp.join("snippet.lua");
    std::fs::write(&snippet, readme_snippet()).unwrap();
    let out = tmp.join("report.json");
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_timeoutlint"))
        .parent()
        .unwrap();
    let path = std::env::join_paths(std::iter::once(bin_dir.to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    let list: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    let (stdout, stderr) = (tmp.join("nvim.stdout"), tmp.join("nvim.stderr"));
    let mut cmd = Command::new("nvim");
    cmd.args(["--headless", "-n", "-i", "NONE", "--noplugin", "-u"])
        .arg(repo().join("tests/editors/neovim.lua"))
        .current_dir(root)
        .env("PATH", path)
        .env("TIMEOUTLINT_NVIM_SNIPPET", &snippet)
        .env("TIMEOUTLINT_NVIM_FILES", list.join("\n"))
        .env("TIMEOUTLINT_NVIM_OUT", &out)
        .env("TIMEOUTLINT_NVIM_WAIT_MS", "20000")
        .env("TIMEOUTLINT_NVIM_PROBE_FILE", &probe.file)
        .env("TIMEOUTLINT_NVIM_PROBE_LINE", probe.line.to_string())
        .env("TIMEOUTLINT_NVIM_PROBE_COL", probe.col.to_string())
        .env("TIMEOUTLINT_NVIM_EDIT_FILE", &edit.file)
        .env("TIMEOUTLINT_NVIM_EDIT_LINE", edit.line.to_string())
        .env("TIMEOUTLINT_NVIM_EDIT_TEXT", &edit.text)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&stdout).unwrap())
        .stderr(std::fs::File::create(&stderr).unwrap());
    // The user's configuration, state and LSP log stay out of it.
    for var in [
        "XDG_CONFIG_HOME",
        "XDG_DATA_HOME",
        "XDG_STATE_HOME",
        "XDG_CACHE_HOME",
    ] {
        cmd.env(var, tmp.join("xdg").join(var));
    }
    let started = Instant::now();
    let mut child = cmd.spawn().expect("nvim starts");
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > NVIM_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "nvim still running after {NVIM_TIMEOUT:?}, killed; stderr:\n{}\nLSP log:\n{}",
                std::fs::read_to_string(&stderr).unwrap_or_default(),
                lsp_log(tmp)
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    say(&format!(
        "nvim ran {:.1} s ({status})",
        started.elapsed().as_secs_f64()
    ));
    let text = std::fs::read_to_string(&out).unwrap_or_else(|e| {
        panic!(
            "no report from nvim ({e}, {status}); stderr:\n{}\nLSP log:\n{}",
            std::fs::read_to_string(&stderr).unwrap_or_default(),
            lsp_log(tmp)
        )
    });
    let report: Value = serde_json::from_str(&text).unwrap();
    assert!(
        report.get("error").is_none() && status.success(),
        "driver failed ({status}): {}\nLSP log:\n{}",
        report["error"],
        lsp_log(tmp)
    );
    report
}

/// Neovim's LSP log (under the test's XDG_CACHE_HOME or XDG_STATE_HOME).
fn lsp_log(tmp: &Path) -> String {
    ["XDG_CACHE_HOME/nvim/lsp.log", "XDG_STATE_HOME/nvim/lsp.log"]
        .iter()
        .filter_map(|p| std::fs::read_to_string(tmp.join("xdg").join(p)).ok())
        .collect()
}

/// What Neovim stored, from a snapshot of the driver (`buffers` or
/// `after`): each diagnostic's place, message, and whether its buffer is
/// loaded. Checks the fields every diagnostic must have.
fn received(root: &Path, buffers: &Value) -> Vec<(Place, String, bool)> {
    let mut seen = Vec::new();
    for buf in buffers.as_array().unwrap() {
        let file = relative(root, Path::new(buf["file"].as_str().unwrap()));
        let loaded = buf["loaded"].as_bool().unwrap();
        for d in buf["diagnostics"].as_array().unwrap() {
            assert_eq!(d["source"], "timeoutlint", "{d}");
            assert!(
                d["namespace"].as_str().unwrap().contains("timeoutlint"),
                "{d}"
            );
            let place = (
                file.clone(),
                d["lnum"].as_u64().unwrap(),
                d["col"].as_u64().unwrap(),
                d["code"].as_str().unwrap().to_string(),
                d["severity"].as_u64().unwrap(),
            );
            seen.push((place, d["message"].as_str().unwrap().to_string(), loaded));
        }
    }
    seen
}

/// Prints, per file, the diagnostics Neovim holds.
fn describe(what: &str, version: &str, seen: &[(Place, String, bool)]) {
    let mut per_file: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (p, _, loaded) in seen {
        let state = if *loaded { "opened" } else { "not opened" };
        per_file
            .entry(format!("{} ({state})", p.0))
            .or_default()
            .push(format!("{}@{}:{}", p.3, p.1 + 1, p.2 + 1));
    }
    for (file, diags) in &per_file {
        say(&format!(
            "{version}, {what}: {file}: {} diagnostics: {}",
            diags.len(),
            diags.join(" ")
        ));
    }
}

/// Neovim holds exactly one diagnostic per end of each finding of the CLI
/// (`ends`), at the same place, carrying the finding's message; an other end
/// also says what it contributes.
fn assert_matches(what: &str, seen: &[(Place, String, bool)], ends: &[End]) {
    let mut want: Vec<&Place> = ends.iter().map(|e| &e.place).collect();
    want.sort();
    want.dedup();
    let mut got: Vec<&Place> = seen.iter().map(|(p, _, _)| p).collect();
    got.sort();
    assert_eq!(got, want, "{what}: Neovim's diagnostics against the CLI's");
    for e in ends {
        let found = seen.iter().any(|(p, msg, _)| {
            *p == e.place
                && if e.primary {
                    msg.starts_with(&e.message)
                } else {
                    msg.contains(&e.message) && msg.contains(&e.label)
                }
        });
        assert!(found, "{what}: no diagnostic for {e:?} in {seen:#?}");
    }
}

/// The places of `ends` in `file`.
fn places_in<'a>(ends: &'a [End], file: &str) -> Vec<&'a Place> {
    let mut v: Vec<&Place> = ends
        .iter()
        .map(|e| &e.place)
        .filter(|p| p.0 == file)
        .collect();
    v.sort();
    v.dedup();
    v
}

#[test]
fn neovim_lsp_client_shows_each_finding_at_both_ends() {
    let Some(version) = nvim_version() else {
        say("skipped: nvim not found (.ci/run installs it: apt-get install neovim)");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let base = std::fs::canonicalize(tmp.path()).unwrap();
    let root = base.join(EXAMPLE);
    copy_dir(&repo().join("examples").join(EXAMPLE), &root);
    let ends = cli_ends(&root);
    assert!(!ends.is_empty(), "the example has findings");

    // Open the first finding's file, then the files of its other ends.
    let first = &ends[0];
    assert!(first.primary);
    let mut files = vec![root.join(&first.place.0)];
    for e in ends.iter().skip(1).take_while(|e| !e.primary) {
        if !files.contains(&root.join(&e.place.0)) {
            files.push(root.join(&e.place.0));
        }
    }
    assert!(
        files.len() >= 2,
        "the first finding has an end in another file"
    );

    // Then lower wait_timeout in db/my.cnf (unsaved): what the CLI finds in
    // a copy with that file changed on disk is what Neovim must show.
    let cnf = std::fs::read_to_string(root.join(EDIT_FILE)).unwrap();
    let line = cnf
        .lines()
        .position(|l| l.starts_with(EDIT_KEY))
        .expect("the setting to edit")
        + 1;
    let edit = Edit {
        file: root.join(EDIT_FILE),
        line,
        text: EDIT_TEXT.to_string(),
    };
    let edited = base.join("edited").join(EXAMPLE);
    copy_dir(&root, &edited);
    let mut lines: Vec<&str> = cnf.lines().collect();
    lines[line - 1] = EDIT_TEXT;
    std::fs::write(edited.join(EDIT_FILE), lines.join("\n") + "\n").unwrap();
    let ends_after = cli_ends(&edited);
    // The edit moves findings into another file than the one edited.
    let moved: Vec<&String> = ends
        .iter()
        .chain(&ends_after)
        .map(|e| &e.place.0)
        .filter(|f| *f != EDIT_FILE && places_in(&ends, f) != places_in(&ends_after, f))
        .collect();
    assert!(!moved.is_empty(), "the edit changes findings elsewhere");

    // The code actions and hover at the security group's idle timeout in
    // timeoutlint.toml (opened: an other end of the first finding).
    let manifest = std::fs::read_to_string(root.join("timeoutlint.toml")).unwrap();
    let (probe_line, probe_text) = manifest
        .lines()
        .enumerate()
        .find(|(_, l)| l.starts_with("idle_timeout"))
        .expect("the hop's idle_timeout");
    let probe = Probe {
        file: root.join("timeoutlint.toml"),
        line: probe_line + 1,
        col: probe_text.find('"').unwrap(),
    };
    assert!(files.contains(&probe.file), "{files:?}");

    let report = run_nvim(&root, &files, &probe, &edit, tmp.path());
    assert_eq!(
        report["timed_out"].as_array().unwrap().len(),
        0,
        "no diagnostics arrived for {}; LSP log:\n{}",
        report["timed_out"],
        lsp_log(tmp.path())
    );

    // The snippet attached the client to every opened buffer, with the
    // example's folder (it holds timeoutlint.toml) as workspace folder.
    let opened = report["opened"].as_array().unwrap();
    assert_eq!(opened.len(), files.len(), "{report:#}");
    for (o, f) in opened.iter().zip(&files) {
        assert_eq!(o["file"].as_str(), f.to_str());
        assert_eq!(o["clients"], serde_json::json!(["timeoutlint"]), "{o}");
    }
    let clients = report["clients"].as_array().unwrap();
    assert_eq!(clients.len(), 1, "{report:#}");
    let root_uri = format!("file://{}", root.display());
    assert_eq!(
        clients[0]["workspace_folders"][0]["uri"].as_str(),
        Some(root_uri.as_str()),
        "{report:#}"
    );

    let seen = received(&root, &report["buffers"]);
    describe("opened", &version, &seen);
    assert_matches("opened", &seen, &ends);
    // The opened files, loaded, hold theirs (both ends of the first finding).
    for f in &files {
        let rel = relative(&root, f);
        assert!(
            seen.iter().any(|(p, _, loaded)| p.0 == rel && *loaded),
            "{rel} opened but without diagnostics"
        );
    }

    // Code actions from the diagnostics Neovim hands back: each kept its
    // `data` through Neovim's store, and each gets "open the other end" and
    // "suppress"; the hover shows the hop's chain row.
    let p = &report["probe"];
    let at_probe: Vec<&End> = ends
        .iter()
        .filter(|e| e.place.0 == "timeoutlint.toml" && e.place.1 == probe_line as u64)
        .collect();
    assert!(!at_probe.is_empty());
    assert_eq!(
        p["diagnostics"].as_u64(),
        Some(at_probe.len() as u64),
        "{p:#}"
    );
    assert_eq!(p["with_data"], p["diagnostics"], "data survives: {p:#}");
    let actions = p["actions"].as_array().unwrap();
    for e in &at_probe {
        let code = &e.place.3;
        assert!(
            actions.iter().any(|a| a["title"]
                == format!("Suppress {code} on this line with a reason")
                && a["edit"] == true),
            "{code}: {p:#}"
        );
    }
    let opens = actions
        .iter()
        .filter(|a| a["command"] == "timeoutlint.openLocation")
        .count();
    assert!(opens >= at_probe.len(), "{p:#}");
    let hover = p["hover"]
        .as_str()
        .unwrap_or_else(|| panic!("no hover: {p:#}"));
    assert!(
        hover.starts_with("**idle_timeout** = 3600 s (1h)"),
        "{hover}"
    );
    assert!(hover.contains("must stay above"), "{hover}");
    say(&format!(
        "{version}, code actions at timeoutlint.toml:{}: {} ({} diagnostics, all with data); hover: {}",
        probe.line,
        actions
            .iter()
            .map(|a| a["title"].as_str().unwrap_or(""))
            .collect::<Vec<_>>()
            .join(" | "),
        at_probe.len(),
        hover.lines().next().unwrap_or("")
    ));

    // After the edit: the findings moved as the CLI says, from the unsaved
    // buffer (the file on disk is unchanged).
    assert_eq!(report["edited"].as_str(), edit.file.to_str());
    let after = received(&root, &report["after"]);
    describe(
        &format!("after {EDIT_FILE}:{line} = {EDIT_TEXT:?}"),
        &version,
        &after,
    );
    assert_matches("after the edit", &after, &ends_after);
    let modified = report["after"]
        .as_array()
        .unwrap()
        .iter()
        .any(|b| b["file"].as_str() == edit.file.to_str() && b["modified"] == true);
    let unsaved = std::fs::read_to_string(&edit.file).unwrap() == cnf;
    assert!(unsaved, "Neovim wrote {EDIT_FILE}");
    // (The edited buffer is listed when it still holds diagnostics.)
    if places_in(&ends_after, EDIT_FILE).is_empty() {
        assert!(!modified);
    } else {
        assert!(modified, "{EDIT_FILE} modified in its buffer");
    }
}
