//! The VS Code extension in editors/vscode: plain JavaScript around
//! vscode-languageclient, packed with `@vscode/vsce` (both pinned in its
//! package-lock.json).
//!
//! - Always: package.json is valid JSON naming `main`, the
//!   `timeoutlint.path` setting extension.js reads, and the same problem
//!   matcher as problem-matcher.json; package-lock.json pins the same
//!   dependencies.
//! - Where Node.js is present: test-problem-matcher.js accepts every line of
//!   `check --format gcc` on an example, and extension.js parses.
//! - Where npm is present: a copy of the folder is built as the README says
//!   (`npm ci`, `npx @vscode/vsce package --out X.vsix`), and the `.vsix` is
//!   a zip holding the extension, its manifest and vscode-languageclient,
//!   without the build tools. It prints how long each step took and the
//!   size. Without npm, or when npm cannot reach its registry, the test says
//!   it skipped that part.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// How long `npm ci` may take before the build is given up as unreachable.
const NPM_TIMEOUT: Duration = Duration::from_secs(300);
/// How long `vsce package` may take (it took about 3 s on this machine).
const VSCE_TIMEOUT: Duration = Duration::from_secs(120);

fn say(text: &str) {
    let _ = writeln!(std::io::stderr(), "{text}");
}

fn folder() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("editors/vscode")
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn runs(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Runs `cmd` with its output in `log`; kills it after `timeout` (then
/// `None`). Returns the status and the output.
fn run(mut cmd: Command, log: &Path, timeout: Duration) -> (Option<ExitStatus>, String) {
    let file = std::fs::File::create(log).unwrap();
    cmd.stdin(Stdio::null())
        .stdout(file.try_clone().unwrap())
        .stderr(file);
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    (status, std::fs::read_to_string(log).unwrap_or_default())
}

/// The names of the entries of the zip archive `bytes`, from its central
/// directory. Panics when it is not a zip.
fn zip_names(bytes: &[u8]) -> Vec<String> {
    let u16_at = |i: usize| u16::from_le_bytes([bytes[i], bytes[i + 1]]) as usize;
    let u32_at = |i: usize| u32::from_le_bytes(bytes[i..i + 4].try_into().unwrap()) as usize;
    // The end of central directory record: 22 bytes and a comment.
    let eocd = (0..=bytes.len().saturating_sub(22))
        .rev()
        .find(|&i| bytes[i..i + 4] == [0x50, 0x4b, 0x05, 0x06])
        .expect("a zip end of central directory record");
    let (count, mut at) = (u16_at(eocd + 10), u32_at(eocd + 16));
    let mut names = Vec::new();
    for _ in 0..count {
        assert_eq!(
            bytes[at..at + 4],
            [0x50, 0x4b, 0x01, 0x02],
            "central header"
        );
        let (name_len, extra, comment) = (u16_at(at + 28), u16_at(at + 30), u16_at(at + 32));
        names.push(String::from_utf8(bytes[at + 46..at + 46 + name_len].to_vec()).unwrap());
        at += 46 + name_len + extra + comment;
    }
    names
}

/// Copies the extension's folder, without what a build leaves there.
fn copy_sources(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy().to_string();
        if name == "node_modules" || name.ends_with(".vsix") {
            continue;
        }
        assert!(e.file_type().unwrap().is_file(), "{name}: a file");
        std::fs::copy(e.path(), to.join(&name)).unwrap();
    }
}

#[test]
fn manifest_is_consistent() {
    let pkg = json(&folder().join("package.json"));
    assert_eq!(pkg["name"], "timeoutlint");
    assert!(pkg["publisher"].is_string());
    assert!(pkg["engines"]["vscode"].is_string());
    let main = pkg["main"].as_str().unwrap();
    let extension = std::fs::read_to_string(folder().join(main)).unwrap();
    // The setting extension.js reads is the one package.json declares.
    assert!(
        pkg["contributes"]["configuration"]["properties"]["timeoutlint.path"].is_object(),
        "{pkg:#}"
    );
    assert!(extension.contains(r#"getConfiguration("timeoutlint").get("path")"#));
    assert!(extension.contains(r#"args: ["server"]"#));
    let events: Vec<&str> = pkg["activationEvents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    assert!(events.contains(&"workspaceContains:**/timeoutlint.toml"));
    // Every language it activates on is one the client attaches to.
    for e in &events {
        if let Some(lang) = e.strip_prefix("onLanguage:") {
            assert!(extension.contains(&format!("\"{lang}\",")), "{lang}");
        }
    }

    // The contributed `$timeoutlint` problem matcher is problem-matcher.json.
    let mut contributed = pkg["contributes"]["problemMatchers"][0].clone();
    assert_eq!(contributed["name"], "timeoutlint");
    let obj = contributed.as_object_mut().unwrap();
    obj.remove("name");
    obj.remove("label");
    assert_eq!(contributed, json(&folder().join("problem-matcher.json")));

    // The lock file pins what package.json asks for.
    let lock = json(&folder().join("package-lock.json"));
    let root = &lock["packages"][""];
    for kind in ["dependencies", "devDependencies"] {
        assert_eq!(root[kind], pkg[kind], "{kind}");
        for (name, version) in pkg[kind].as_object().unwrap() {
            let locked = &lock["packages"][format!("node_modules/{name}")]["version"];
            assert_eq!(locked, version, "{name}");
        }
    }
    let ignore = std::fs::read_to_string(folder().join(".gitignore")).unwrap();
    assert!(ignore.lines().any(|l| l.trim() == "node_modules/"));
}

#[test]
fn problem_matcher_script_reads_gcc_output_and_extension_parses() {
    if !runs("node") {
        say("skipped: node not found (test-problem-matcher.js, node --check extension.js)");
        return;
    }
    let gcc = Command::new(env!("CARGO_BIN_EXE_timeoutlint"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "check",
            "--format",
            "gcc",
            "--fail-on",
            "info",
            "examples/founding-incident-broken",
        ])
        .output()
        .unwrap();
    assert_eq!(gcc.status.code(), Some(1));
    assert!(!gcc.stdout.is_empty());
    let mut node = Command::new("node")
        .arg(folder().join("test-problem-matcher.js"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    node.stdin.take().unwrap().write_all(&gcc.stdout).unwrap();
    let out = node.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let lines = String::from_utf8_lossy(&gcc.stdout).lines().count();
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains(&format!("{lines} of {lines} lines matched")),
        "{text}"
    );

    let check = Command::new("node")
        .arg("--check")
        .arg(folder().join("extension.js"))
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
}

/// Whether npm's log says it could not reach the registry.
fn network_failure(log: &str) -> bool {
    [
        "ENOTFOUND",
        "EAI_AGAIN",
        "ECONNREFUSED",
        "ECONNRESET",
        "ETIMEDOUT",
        "ENETUNREACH",
        "EHOSTUNREACH",
        "network request",
        "fetch failed",
        "request to https://",
    ]
    .iter()
    .any(|m| log.contains(m))
}

#[test]
fn vsce_packages_the_extension() {
    if !runs("npm") || !runs("npx") {
        say("skipped: npm not found (building editors/vscode needs npm and npx)");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("vscode");
    copy_sources(&folder(), &dir);
    // Its own npm cache: a user's cache neither helps nor breaks the test.
    let cache = tmp.path().join("npm-cache");

    let mut npm = Command::new("npm");
    npm.args(["ci", "--no-audit", "--no-fund"])
        .current_dir(&dir)
        .env("npm_config_cache", &cache);
    let started = Instant::now();
    let (status, log) = run(npm, &tmp.path().join("npm-ci.log"), NPM_TIMEOUT);
    let npm_time = started.elapsed();
    match status {
        Some(s) if s.success() => {}
        Some(s) if network_failure(&log) => {
            say(&format!(
                "skipped: npm is present but `npm ci` could not reach the registry ({s}):\n{log}"
            ));
            return;
        }
        None => {
            say(&format!(
                "skipped: `npm ci` did not finish in {NPM_TIMEOUT:?} (registry unreachable?):\n{log}"
            ));
            return;
        }
        Some(s) => panic!("npm ci failed ({s}):\n{log}"),
    }

    // `--no`: the @vscode/vsce that package-lock.json pins, never a download.
    let mut vsce = Command::new("npx");
    vsce.args([
        "--no",
        "@vscode/vsce",
        "package",
        "--out",
        "timeoutlint.vsix",
    ])
    .current_dir(&dir)
    .env("npm_config_cache", &cache);
    let started = Instant::now();
    let (status, log) = run(vsce, &tmp.path().join("vsce.log"), VSCE_TIMEOUT);
    let vsce_time = started.elapsed();
    assert!(status.is_some_and(|s| s.success()), "vsce package:\n{log}");

    let vsix = std::fs::read(dir.join("timeoutlint.vsix")).expect("the .vsix");
    let names = zip_names(&vsix);
    say(&format!(
        "editors/vscode: npm ci {:.1} s, vsce package {:.1} s, timeoutlint.vsix {} bytes, {} entries",
        npm_time.as_secs_f64(),
        vsce_time.as_secs_f64(),
        vsix.len(),
        names.len()
    ));
    for want in [
        "extension.vsixmanifest",
        "[Content_Types].xml",
        "extension/package.json",
        "extension/extension.js",
        "extension/readme.md", // vsce renames it
        "extension/LICENSE.txt",
        "extension/node_modules/vscode-languageclient/package.json",
        // what require("vscode-languageclient/node") loads
        "extension/node_modules/vscode-languageclient/lib/node/main.js",
        "extension/node_modules/vscode-jsonrpc/package.json",
    ] {
        assert!(names.iter().any(|n| n == want), "{want} not in {names:#?}");
    }
    // Build tools (devDependencies) and repository-only files stay out.
    for n in &names {
        assert!(!n.starts_with("extension/node_modules/@vscode/vsce"), "{n}");
        assert!(!n.ends_with("test-problem-matcher.js"), "{n}");
        assert!(!n.ends_with(".vsix"), "{n}");
    }
}
