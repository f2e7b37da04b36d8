//! Hostile inputs: issue 9, "safe to run on untrusted repositories".
//!
//! Every case builds its own project in a `TempDir` (laid out by
//! [`Project`]), runs the real binary in every output format, `chain` (table
//! and json) and `--write-baseline` (see [`run_suite`]), and checks:
//!
//! - the exit code the lead's specification gives (a signal is never
//!   acceptable: a crash, a stack overflow or an abort on allocation failure);
//! - that no output (stdout, stderr, the baseline file) holds a line of a file
//!   outside the project root, the password canary, the environment canary or
//!   the fake git token ([`Outputs::assert_no_leaks`]);
//! - that no output holds a raw control character and that no line begins with
//!   `::` unless the github format wrote it ([`Outputs::assert_hygiene`]);
//! - that a failed run (exit 2) says so in SARIF, JSON and human output.
//!
//! Every child runs under a watchdog ([`WATCHDOG`]): a run that hangs (a FIFO,
//! /dev/stdin) is killed and the test fails. Each child also runs under
//! `ulimit -v` ([`MEMORY_LIMIT_KIB`]), so a run that reads /dev/zero or
//! expands a billion laughs dies of allocation failure (a signal: the test
//! fails) instead of eating the shared machine's memory.
//!
//! Sections follow the bullets: 1 outside-root reads, 2 special files
//! and size cap, 3 deep nesting and cycles, 4 huge folders, 5 huge numbers,
//! 6 encodings, 7 control characters, 8 secrets, and the failed-run contract.

use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;
use tempfile::TempDir;

// ---------------------------------------------------------------------------
// Constants
// ---------------------------------------------------------------------------

const BIN: &str = env!("CARGO_BIN_EXE_timeoutlint");

/// How long one child may run before it is killed and the test fails. Generous
/// (the machine is shared): no timing is asserted otherwise.
const WATCHDOG: Duration = Duration::from_secs(60);

/// Address-space limit of each child (2 GiB), so an unbounded read or
/// expansion aborts quickly instead of exhausting the machine.
const MEMORY_LIMIT_KIB: u64 = 2 * 1024 * 1024;

/// At most this much of each child stream is kept (the rest is drained).
const OUTPUT_CAP: u64 = 64 * 1024 * 1024;

/// The password canary: placed wherever a password can live, never printed.
const CANARY: &str = "TlCanary9f2e";

/// Set in the child's environment; /proc/self/environ would show it.
const ENV_CANARY: &str = "TlEnvCanary7c1d";

/// A line of the file outside the project root (`outside/outside.cnf`).
const OUTSIDE_MARKER: &str = "TlOutsideMarker41";

/// The fake credential of the fake `.git/config` (base64 of
/// `x-access-token:TlGitTok3n`).
const GIT_TOKEN: &str = "eC1hY2Nlc3MtdG9rZW46VGxHaXRUb2szbg==";

/// What a file name or value injects into GitHub workflow commands.
const FORGED: &str = "::error file=x::forged";

/// The message of an include that leaves the root (specification, bullet 1).
const OUTSIDE_ROOT: &str = "outside the project root; not read";

const FORMATS: [&str; 10] = [
    "human",
    "concise",
    "gcc",
    "json",
    "sarif",
    "github",
    "junit",
    "checkstyle",
    "rdjson",
    "markdown",
];

// ---------------------------------------------------------------------------
// The project on disk
// ---------------------------------------------------------------------------

/// `tmp/root` is the project root (it holds `.git`, so it is its own git work
/// tree whatever TMPDIR is), `tmp/outside/outside.cnf` is a file outside it,
/// `tmp/out` receives written files.
struct Project {
    _tmp: TempDir,
    root: PathBuf,
    outside: PathBuf,
    out: PathBuf,
}

impl Project {
    fn new() -> Self {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path().join("root");
        let outside = tmp.path().join("outside");
        let out = tmp.path().join("out");
        for d in [&root, &outside, &out, &root.join(".git")] {
            std::fs::create_dir_all(d).expect("mkdir");
        }
        std::fs::write(root.join(".git/HEAD"), "ref: refs/heads/main\n").expect("HEAD");
        // A valid my.cnf that would change the findings if read (TL101 against
        // pool_recycle 250) and whose last line would be quoted (TL001).
        std::fs::write(
            outside.join("outside.cnf"),
            format!("[mysqld]\nwait_timeout = 1\n!{OUTSIDE_MARKER}\n"),
        )
        .expect("outside file");
        Project {
            _tmp: tmp,
            root,
            outside,
            out,
        }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    fn write(&self, rel: impl AsRef<Path>, text: impl AsRef<[u8]>) -> PathBuf {
        let path = self.root.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&path, text).expect("write");
        path
    }

    fn manifest(&self, text: &str) {
        self.write("timeoutlint.toml", text);
    }

    fn symlink(&self, target: impl AsRef<Path>, rel: &str) {
        let link = self.root.join(rel);
        if let Some(parent) = link.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::os::unix::fs::symlink(target, link).expect("symlink");
    }

    fn mkfifo(&self, rel: &str) {
        let status = Command::new("mkfifo")
            .arg(self.root.join(rel))
            .status()
            .expect("mkfifo runs");
        assert!(status.success(), "mkfifo failed");
    }

    /// `../` enough times to reach `/` from the root, then `rest`.
    fn up_to_slash(&self, rest: &str) -> String {
        "../".repeat(self.root.components().count()) + rest
    }
}

// ---------------------------------------------------------------------------
// Base projects: clean (exit 0) until the case adds its hostile line, so an
// exit code of 1 means the hostile line was reported.
// ---------------------------------------------------------------------------

const MYSQL_APP: &str =
    "sqlalchemy:\n  url: mysql+pymysql://app@db.internal/orders\n  pool_recycle: 250\n";
const PG_APP: &str =
    "sqlalchemy:\n  url: postgresql+psycopg://app@db.internal/orders\n  pool_recycle: 250\n";

/// app.yaml + my.cnf; `extra` starts at line 3 of my.cnf.
fn mysql_project(extra: &str) -> Project {
    let p = Project::new();
    p.write("app.yaml", MYSQL_APP);
    p.write("my.cnf", format!("[mysqld]\nwait_timeout = 300\n{extra}"));
    p.manifest("[[path]]\napp = \"app.yaml\"\ndb = \"my.cnf\"\n");
    p
}

/// app.yaml + postgresql.conf; `extra` starts at line 2 of postgresql.conf.
fn postgres_project(extra: &str) -> Project {
    let p = Project::new();
    p.write("app.yaml", PG_APP);
    p.write("postgresql.conf", format!("max_connections = 100\n{extra}"));
    p.manifest("[[path]]\napp = \"app.yaml\"\ndb = \"postgresql.conf\"\n");
    p
}

/// app.yaml + PgBouncer hop + postgresql.conf; `extra` starts at line 6 of
/// pgbouncer.ini.
fn pgbouncer_project(extra: &str) -> Project {
    let p = Project::new();
    p.write("app.yaml", PG_APP);
    p.write("postgresql.conf", "max_connections = 100\n");
    p.write(
        "pgbouncer.ini",
        format!(
            "[databases]\norders = host=db.internal dbname=orders\n\n[pgbouncer]\npool_mode = session\n{extra}"
        ),
    );
    p.manifest(
        "[[path]]\napp = \"app.yaml\"\ndb = \"postgresql.conf\"\n\n[[path.hop]]\npgbouncer = \"pgbouncer.ini\"\n",
    );
    p
}

/// app.yaml + nginx stream hop; `extra` is line 2 of nginx.conf.
fn nginx_project(extra: &str) -> Project {
    let p = Project::new();
    p.write(
        "app.yaml",
        "sqlalchemy:\n  url: mysql+pymysql://api@127.0.0.1:3306/orders\n  pool_recycle: 250\n",
    );
    p.write(
        "nginx.conf",
        format!(
            "events {{}}\n{extra}\nstream {{\n    server {{\n        listen 3306;\n        proxy_pass 10.0.0.5:3306;\n        proxy_timeout 10m;\n    }}\n}}\n"
        ),
    );
    p.manifest(
        "[[path]]\napp = \"app.yaml\"\n\n[[path.hop]]\nnginx = \"nginx.conf\"\nserver = \"3306\"\n",
    );
    p
}

const HAPROXY_CFG: &str = "defaults\n    mode tcp\n    timeout connect 5s\n    timeout client 30m\n    timeout server 30m\n\nlisten mysql\n    bind 127.0.0.1:3307\n    server db1 10.0.0.5:3306 check\n";

/// app.yaml + haproxy hop; `files` is the TOML value of `haproxy =` (line 5).
fn haproxy_project(files: &str) -> Project {
    let p = Project::new();
    p.write(
        "app.yaml",
        "sqlalchemy:\n  url: mysql+pymysql://api@127.0.0.1:3307/orders\n  pool_recycle: 600\n  connect_args:\n    read_timeout: 60\n",
    );
    p.write("haproxy.cfg", HAPROXY_CFG);
    p.manifest(&format!(
        "[[path]]\napp = \"app.yaml\"\n\n[[path.hop]]\nhaproxy = {files}\nproxy = \"mysql\"\n"
    ));
    p
}

// ---------------------------------------------------------------------------
// Running the binary
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq)]
enum Stdin {
    Null,
    /// A pipe the test holds open (and never writes) until the child exits.
    HeldOpen,
}

/// One child run.
struct Run {
    label: String,
    /// The `--format` of a `check` run, else "".
    format: &'static str,
    /// Whether this is a `check` run (chain and baseline runs exit 0 on
    /// findings).
    is_check: bool,
    code: Option<i32>,
    signal: Option<i32>,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

fn reader(stream: impl Read + Send + 'static) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut stream = stream;
        let mut kept = Vec::new();
        let _ = (&mut stream).take(OUTPUT_CAP).read_to_end(&mut kept);
        let _ = std::io::copy(&mut stream, &mut std::io::sink());
        kept
    })
}

/// Runs `timeoutlint args…` in the project root under the memory limit and the
/// watchdog; panics if it is still running after [`WATCHDOG`].
fn spawn(p: &Project, label: String, args: &[OsString], stdin: Stdin) -> Run {
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(format!(
            "ulimit -v {MEMORY_LIMIT_KIB} 2>/dev/null; exec \"$0\" \"$@\""
        ))
        .arg(BIN)
        .args(args)
        .current_dir(&p.root)
        .env("TL_CANARY", ENV_CANARY)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("FORCE_COLOR")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .stdin(match stdin {
            Stdin::Null => Stdio::null(),
            Stdin::HeldOpen => Stdio::piped(),
        });
    let mut child = cmd.spawn().expect("spawn timeoutlint");
    let held = child.stdin.take();
    let out = reader(child.stdout.take().expect("stdout"));
    let err = reader(child.stderr.take().expect("stderr"));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            break status;
        }
        if start.elapsed() > WATCHDOG {
            let _ = child.kill();
            let _ = child.wait();
            panic!("`timeoutlint {label}` still running after {WATCHDOG:?}: killed (it hangs)");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    drop(held);
    use std::os::unix::process::ExitStatusExt;
    Run {
        label,
        format: "",
        is_check: false,
        code: status.code(),
        signal: status.signal(),
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
    }
}

/// Which runs [`run_suite`] makes.
#[derive(Clone, Copy, PartialEq)]
enum Suite {
    /// All 9 formats, chain table and json, --write-baseline.
    Full,
    /// json, human, sarif, chain table: for heavy inputs where crashing is
    /// the question.
    Quick,
    /// json, human, sarif only (flags `chain` does not take).
    CheckOnly,
}

/// Everything a case printed or wrote.
struct Outputs {
    runs: Vec<Run>,
    /// Written files: (label, bytes).
    files: Vec<(String, Vec<u8>)>,
}

static BASELINE_COUNTER: AtomicUsize = AtomicUsize::new(0);

fn os(args: &[&str]) -> Vec<OsString> {
    args.iter().map(OsString::from).collect()
}

/// Runs `check` in each format, `chain` (table, json) and `check
/// --write-baseline`, each with `args` (flags and paths), and collects every
/// output.
fn run_suite(p: &Project, args: &[OsString], suite: Suite, stdin: Stdin) -> Outputs {
    let mut runs = Vec::new();
    let mut files = Vec::new();
    let formats: &[&'static str] = match suite {
        Suite::Full => &FORMATS,
        Suite::Quick | Suite::CheckOnly => &["json", "human", "sarif"],
    };
    let shown = |a: &[OsString]| {
        a.iter()
            .map(|s| format!("{:?}", s))
            .collect::<Vec<_>>()
            .join(" ")
    };
    for &format in formats {
        let mut a = os(&["check", "--color", "never", "--format", format]);
        a.extend_from_slice(args);
        let mut run = spawn(p, shown(&a), &a, stdin);
        run.format = format;
        run.is_check = true;
        runs.push(run);
    }
    let chain_formats: &[&str] = match suite {
        Suite::Full => &["table", "json", "mermaid", "svg"],
        Suite::Quick => &["table"],
        Suite::CheckOnly => &[],
    };
    for &format in chain_formats {
        let mut a = os(&["chain", "--format", format]);
        a.extend_from_slice(args);
        let run = spawn(p, shown(&a), &a, stdin);
        runs.push(run);
    }
    if suite == Suite::Full {
        let n = BASELINE_COUNTER.fetch_add(1, Ordering::Relaxed);
        let file = p.out.join(format!("baseline-{n}.json"));
        let mut a = os(&["check", "--color", "never", "--write-baseline"]);
        a.push(file.clone().into_os_string());
        a.extend_from_slice(args);
        let run = spawn(p, shown(&a), &a, stdin);
        runs.push(run);
        if let Ok(bytes) = std::fs::read(&file) {
            files.push((format!("baseline file of `{}`", shown(&a)), bytes));
        }
    }
    Outputs { runs, files }
}

/// [`run_suite`] with the full suite, stdin closed.
fn check_all(p: &Project, args: &[&str]) -> Outputs {
    run_suite(p, &os(args), Suite::Full, Stdin::Null)
}

/// [`run_suite`] with the quick suite, stdin closed.
fn check_quick(p: &Project, args: &[&str]) -> Outputs {
    run_suite(p, &os(args), Suite::Quick, Stdin::Null)
}

// ---------------------------------------------------------------------------
// What must never be printed
// ---------------------------------------------------------------------------

/// Distinctive fragments of /etc/passwd: each line, and each line up to its
/// third `:` (`root:x:0:`), which a partial quote would still show. `None`
/// (said once on stderr) when the host has no /etc/passwd.
fn passwd_needles() -> Option<&'static [String]> {
    static NEEDLES: OnceLock<Option<Vec<String>>> = OnceLock::new();
    NEEDLES
        .get_or_init(|| {
            let Ok(text) = std::fs::read_to_string("/etc/passwd") else {
                eprintln!("skipped: /etc/passwd is missing; its lines are not searched for");
                return None;
            };
            let mut needles = Vec::new();
            for line in text.lines().map(str::trim).filter(|l| l.len() >= 6) {
                needles.push(line.to_string());
                let colons: Vec<usize> = line.match_indices(':').map(|(i, _)| i).collect();
                if colons.len() >= 3 {
                    needles.push(line[..=colons[2]].to_string());
                }
            }
            Some(needles)
        })
        .as_deref()
}

/// Every string no output may hold.
fn forbidden() -> Vec<String> {
    let mut v = vec![
        CANARY.to_string(),
        ENV_CANARY.to_string(),
        OUTSIDE_MARKER.to_string(),
        GIT_TOKEN.to_string(),
    ];
    v.extend(passwd_needles().unwrap_or_default().iter().cloned());
    v
}

/// Bytes no output may hold raw: C0 controls but tab, LF and CR; DEL; C1
/// controls (U+0080..U+009F, encoded C2 80..C2 9F).
fn first_control(bytes: &[u8]) -> Option<usize> {
    bytes.iter().enumerate().position(|(i, &b)| {
        (b < 0x20 && b != b'\t' && b != b'\n' && b != b'\r')
            || b == 0x7f
            || (b == 0xc2 && bytes.get(i + 1).is_some_and(|n| (0x80..0xa0).contains(n)))
    })
}

fn excerpt(bytes: &[u8], at: usize) -> String {
    let from = at.saturating_sub(120);
    let to = (at + 120).min(bytes.len());
    format!("{:?}", String::from_utf8_lossy(&bytes[from..to]))
}

fn find(hay: &[u8], needle: &str) -> Option<usize> {
    let n = needle.as_bytes();
    if n.is_empty() || hay.len() < n.len() {
        return None;
    }
    hay.windows(n.len()).position(|w| w == n)
}

// ---------------------------------------------------------------------------
// Assertions on outputs
// ---------------------------------------------------------------------------

impl Outputs {
    /// (label, bytes, written-by-the-github-format-on-stdout) of every output.
    fn streams(&self) -> Vec<(String, &[u8], bool)> {
        let mut v = Vec::new();
        for r in &self.runs {
            v.push((
                format!("stdout of `{}`", r.label),
                &r.stdout[..],
                r.format == "github",
            ));
            v.push((format!("stderr of `{}`", r.label), &r.stderr[..], false));
        }
        for (label, bytes) in &self.files {
            v.push((label.clone(), &bytes[..], false));
        }
        v
    }

    fn dump(&self) -> String {
        let mut s = String::new();
        for (label, bytes, _) in self.streams() {
            let text = String::from_utf8_lossy(bytes);
            let cut: String = text.chars().take(1500).collect();
            s.push_str(&format!("--- {label}:\n{cut}\n"));
        }
        s
    }

    fn run(&self, format: &str) -> &Run {
        self.runs
            .iter()
            .find(|r| r.is_check && r.format == format)
            .unwrap_or_else(|| panic!("no `check --format {format}` run"))
    }

    /// No run was killed by a signal, and each exited with an allowed code:
    /// `check` runs with one of `check`; `chain` and `--write-baseline` runs
    /// with 2 where `check` may exit 2, else 0 (they do not fail on findings).
    fn assert_codes(&self, check: &[i32]) {
        let other: Vec<i32> = check.iter().map(|&c| if c == 2 { 2 } else { 0 }).collect();
        for r in &self.runs {
            if let Some(sig) = r.signal {
                panic!(
                    "`{}` was killed by signal {sig} (a crash){}\nstderr: {}",
                    r.label,
                    if sig == 6 {
                        " (SIGABRT: abort, e.g. stack overflow or allocation failure)"
                    } else {
                        ""
                    },
                    String::from_utf8_lossy(&r.stderr)
                        .chars()
                        .take(2000)
                        .collect::<String>()
                );
            }
            let allowed = if r.is_check && !r.label.contains("--write-baseline") {
                check
            } else {
                &other[..]
            };
            let code = r.code.expect("an exit code");
            assert!(
                allowed.contains(&code),
                "`{}` exited {code}, expected one of {allowed:?}\n{}",
                r.label,
                self.dump()
            );
        }
    }

    /// No output holds the canaries, the fake git token, the marker of the
    /// outside file or a line of /etc/passwd.
    fn assert_no_leaks(&self) {
        self.assert_no_leaks_except(&[]);
    }

    fn assert_no_leaks_except(&self, allowed: &[&str]) {
        let needles: Vec<String> = forbidden()
            .into_iter()
            .filter(|n| !allowed.contains(&n.as_str()))
            .collect();
        for (label, bytes, _) in self.streams() {
            for n in &needles {
                if let Some(at) = find(bytes, n) {
                    panic!("{label} leaks `{n}`: …{}…", excerpt(bytes, at));
                }
            }
        }
    }

    /// No raw control character anywhere; no line beginning with `::` except
    /// the github format's own commands (and never a forged one there).
    fn assert_hygiene(&self) {
        for (label, bytes, github) in self.streams() {
            if let Some(at) = first_control(bytes) {
                panic!(
                    "{label} holds a raw control character {:#04x}: …{}…",
                    bytes[at],
                    excerpt(bytes, at)
                );
            }
            let text = String::from_utf8_lossy(bytes);
            for line in text.split(['\n', '\r']) {
                let forged = line.starts_with("::error file=x::");
                assert!(
                    !(line.starts_with("::") && (!github || forged)),
                    "{label} has a line that GitHub would run as a workflow command: {line:?}"
                );
            }
        }
    }

    /// Both of the above.
    fn assert_safe(&self) {
        self.assert_no_leaks();
        self.assert_hygiene();
    }

    /// The JSON report (`check --format json`).
    fn json(&self) -> Value {
        let r = self.run("json");
        serde_json::from_slice(&r.stdout).unwrap_or_else(|e| {
            panic!(
                "`{}` printed no JSON ({e}):\n{}",
                r.label,
                String::from_utf8_lossy(&r.stdout)
            )
        })
    }

    fn diagnostics(&self) -> Vec<Value> {
        self.json()["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    fn rules(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .diagnostics()
            .iter()
            .filter_map(|d| d["rule"].as_str().map(str::to_string))
            .collect();
        v.sort();
        v
    }

    /// A `rule` finding at `file:line` whose message holds `message`.
    fn assert_finding(&self, rule: &str, file: &str, line: u64, message: &str) {
        let diags = self.diagnostics();
        let hit = diags.iter().any(|d| {
            d["rule"] == rule
                && d["file"]
                    .as_str()
                    .is_some_and(|f| f == file || f.ends_with(&format!("/{file}")))
                && d["line"] == line
                && d["message"].as_str().is_some_and(|m| m.contains(message))
        });
        assert!(
            hit,
            "expected {rule} at {file}:{line} saying `{message}`; got:\n{}",
            serde_json::to_string_pretty(&diags).unwrap_or_default()
        );
    }

    /// Some diagnostic of `rule` whose message holds `message`.
    fn assert_rule_says(&self, rule: &str, message: &str) {
        let diags = self.diagnostics();
        assert!(
            diags
                .iter()
                .any(|d| d["rule"] == rule
                    && d["message"].as_str().is_some_and(|m| m.contains(message))),
            "expected {rule} saying `{message}`; got:\n{}",
            serde_json::to_string_pretty(&diags).unwrap_or_default()
        );
    }

    /// No diagnostic is located in (or relates to) a file whose name holds
    /// `name`: the file was not read.
    fn assert_not_read(&self, name: &str) {
        for d in self.diagnostics() {
            let mut files = vec![d["file"].clone()];
            if let Some(rel) = d["related"].as_array() {
                files.extend(rel.iter().map(|r| r["file"].clone()));
            }
            for f in files {
                assert!(
                    !f.as_str().is_some_and(|f| f.contains(name)),
                    "a diagnostic points into `{f}`, so it was read:\n{d:#}"
                );
            }
        }
    }

    /// stderr of the `check` runs holds `text` (e.g. `timeoutlint.toml:3`).
    fn assert_stderr_says(&self, text: &str) {
        for r in self.runs.iter().filter(|r| r.is_check) {
            assert!(
                find(&r.stderr, text).is_some(),
                "stderr of `{}` does not say `{text}`:\n{}",
                r.label,
                String::from_utf8_lossy(&r.stderr)
            );
        }
    }

    /// A failed run says so: SARIF `executionSuccessful: false`, JSON
    /// top-level `errors` non-empty, human never "no problems found".
    fn assert_failure_reported(&self) {
        let json = self.json();
        assert!(
            json["errors"].as_array().is_some_and(|e| !e.is_empty()),
            "JSON of a failed run has no `errors`:\n{json:#}"
        );
        let sarif: Value = serde_json::from_slice(&self.run("sarif").stdout).expect("SARIF");
        for run in sarif["runs"].as_array().cloned().unwrap_or_default() {
            let inv = &run["invocations"][0];
            assert_eq!(
                inv["executionSuccessful"],
                Value::Bool(false),
                "SARIF of a failed run:\n{inv:#}"
            );
        }
        let human = String::from_utf8_lossy(&self.run("human").stdout).to_string();
        assert!(
            !human.contains("no problems found"),
            "human output of a failed run: {human}"
        );
    }
}

/// The exit code of a run finishing with a located TL003 (exit 1) and
/// nothing read from outside the root.
fn assert_include_refused(out: &Outputs, file: &str, line: u64, message: &str) {
    out.assert_codes(&[1]);
    out.assert_safe();
    out.assert_finding("TL003", file, line, message);
    out.assert_not_read("outside.cnf");
    out.assert_not_read("/etc/");
    out.assert_not_read("/proc/");
    out.assert_not_read("/dev/");
}

/// A named input that cannot be read: exit 2, located at the manifest key,
/// failure reported in every format.
fn assert_input_refused(out: &Outputs, manifest_line: u32) {
    out.assert_codes(&[2]);
    out.assert_safe();
    out.assert_stderr_says(&format!("timeoutlint.toml:{manifest_line}"));
    out.assert_failure_reported();
    out.assert_not_read("outside.cnf");
    out.assert_not_read("/etc/");
}

/// Runs the body for each item, catching each failure, and fails at the end
/// naming every failed item (cut to 100 characters), so one run tells which
/// cases of a family fail.
macro_rules! each_case {
    ($items:expr, |$x:pat_param| $body:block) => {{
        let mut failed: Vec<String> = Vec::new();
        for item in $items {
            let label: String = format!("{:?}", &item).chars().take(100).collect();
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let $x = item;
                $body
            }));
            if result.is_err() {
                failed.push(label);
            }
        }
        assert!(
            failed.is_empty(),
            "{} case(s) failed: {failed:#?}",
            failed.len()
        );
    }};
}

/// A run that must merely survive: no signal, an ordinary exit code, no leak,
/// no raw control character.
fn assert_survives(out: &Outputs, codes: &[i32]) {
    out.assert_codes(codes);
    out.assert_safe();
}

// ===========================================================================
// 0. The base projects are clean, so exit 1 below means "reported".
// ===========================================================================

/// Sanity for every section: each base project exits 0 on its own.
#[test]
fn base_projects_are_clean() {
    for p in [
        mysql_project(""),
        postgres_project(""),
        pgbouncer_project(""),
        nginx_project(""),
        haproxy_project("\"haproxy.cfg\""),
    ] {
        let out = check_quick(&p, &["."]);
        out.assert_codes(&[0]);
        out.assert_safe();
    }
}

// ===========================================================================
// 1. Every read stays inside the project root (bullet 1: outside-root
//    includes of every kind; manifest entries leaving the root).
// ===========================================================================

/// Bullet 1: my.cnf `!include /etc/passwd` is a TL003 at the include line.
#[test]
fn mycnf_include_etc_passwd() {
    let p = mysql_project("!include /etc/passwd\n");
    assert_include_refused(&check_all(&p, &["."]), "my.cnf", 3, OUTSIDE_ROOT);
}

/// Bullet 1: my.cnf `!includedir /etc`.
#[test]
fn mycnf_includedir_etc() {
    let p = mysql_project("!includedir /etc\n");
    assert_include_refused(&check_all(&p, &["."]), "my.cnf", 3, OUTSIDE_ROOT);
}

/// Bullet 1: my.cnf `!include ../outside/outside.cnf` (a sibling folder).
#[test]
fn mycnf_include_relative_outside() {
    let p = mysql_project("!include ../outside/outside.cnf\n");
    assert_include_refused(&check_all(&p, &["."]), "my.cnf", 3, OUTSIDE_ROOT);
}

/// Bullet 1: loose files (no manifest): the root is the current folder's git
/// work tree, so the same include is refused.
#[test]
fn mycnf_include_outside_without_manifest() {
    let p = mysql_project("!include ../outside/outside.cnf\n");
    std::fs::remove_file(p.path("timeoutlint.toml")).expect("rm manifest");
    assert_include_refused(
        &check_all(&p, &["app.yaml", "my.cnf"]),
        "my.cnf",
        3,
        OUTSIDE_ROOT,
    );
}

/// Bullet 1: `--root DIR` overrides the root: with the temp folder as root the
/// sibling file is inside it and is read (its wait_timeout = 1 fires TL101).
#[test]
fn root_flag_widens_the_root() {
    let p = mysql_project("!include ../outside/outside.cnf\n");
    let wide = p
        .root
        .parent()
        .expect("parent")
        .to_str()
        .expect("utf-8")
        .to_string();
    let out = check_all(&p, &["--root", &wide, "."]);
    out.assert_codes(&[1]);
    out.assert_no_leaks_except(&[OUTSIDE_MARKER]);
    out.assert_hygiene();
    assert!(
        out.diagnostics()
            .iter()
            .all(|d| !d["message"].as_str().unwrap_or("").contains(OUTSIDE_ROOT)),
        "nothing is outside --root:\n{:#}",
        out.json()
    );
    assert!(
        out.rules().iter().any(|r| r == "TL101"),
        "outside.cnf's wait_timeout = 1 was read: {:?}",
        out.rules()
    );
}

/// Bullet 1 + not-a-config: `--root /` audits the host by choice; /etc/passwd
/// is then read, but it is not a my.cnf: one finding for the include, none of
/// its lines quoted.
#[test]
fn root_slash_reads_host_but_never_quotes_a_non_config() {
    let p = mysql_project("!include /etc/passwd\n");
    let out = check_all(&p, &["--root", "/", "."]);
    out.assert_codes(&[1]);
    out.assert_safe();
    out.assert_finding("TL003", "my.cnf", 3, "is not a my.cnf");
    out.assert_not_read("/etc/passwd");
}

/// Bullet 1: postgresql.conf `include '/etc/passwd'`.
#[test]
fn postgres_include_etc_passwd() {
    let p = postgres_project("include '/etc/passwd'\n");
    assert_include_refused(&check_all(&p, &["."]), "postgresql.conf", 2, OUTSIDE_ROOT);
}

/// Bullet 1: postgresql.conf `include_dir '/etc'`.
#[test]
fn postgres_include_dir_etc() {
    let p = postgres_project("include_dir '/etc'\n");
    assert_include_refused(&check_all(&p, &["."]), "postgresql.conf", 2, OUTSIDE_ROOT);
}

/// Bullet 1: postgresql.conf `include_if_exists` of the outside file.
#[test]
fn postgres_include_if_exists_outside() {
    let p = postgres_project("include_if_exists '../outside/outside.cnf'\n");
    assert_include_refused(&check_all(&p, &["."]), "postgresql.conf", 2, OUTSIDE_ROOT);
}

/// Bullet 1 (not-a-config rule): `include '.git/config'` is inside the root,
/// but a git config is not a postgresql.conf: one finding for the include, and
/// the `extraheader` token is never quoted.
#[test]
fn postgres_include_git_config_is_not_a_config() {
    let p = postgres_project("include '.git/config'\n");
    p.write(
        ".git/config",
        format!(
            "[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = false\n\tlogallrefupdates = true\n[remote \"origin\"]\n\turl = https://github.com/acme/app\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n[gc]\n\tauto = 0\n[http \"https://github.com/\"]\n\textraheader = AUTHORIZATION: basic {GIT_TOKEN}\n"
        ),
    );
    let out = check_all(&p, &["."]);
    out.assert_codes(&[1]);
    out.assert_safe();
    // Nothing inside .git is ever read.
    out.assert_finding("TL003", "postgresql.conf", 2, "inside .git; not read");
    out.assert_not_read(".git/config");
    // The same text elsewhere in the root: one finding, nothing quoted.
    let p = postgres_project("include 'ci.gitconfig'\n");
    p.write(
        "ci.gitconfig",
        format!(
            "[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = false\n\tlogallrefupdates = true\n[remote \"origin\"]\n\turl = https://github.com/acme/app\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n[gc]\n\tauto = 0\n[http \"https://github.com/\"]\n\textraheader = AUTHORIZATION: basic {GIT_TOKEN}\n"
        ),
    );
    let out = check_all(&p, &["."]);
    out.assert_codes(&[1]);
    out.assert_safe();
    out.assert_finding("TL003", "postgresql.conf", 2, "is not a postgresql.conf");
}

/// Bullet 1: pgbouncer.ini `%include /etc/passwd`.
#[test]
fn pgbouncer_include_etc_passwd() {
    let p = pgbouncer_project("%include /etc/passwd\n");
    assert_include_refused(&check_all(&p, &["."]), "pgbouncer.ini", 6, OUTSIDE_ROOT);
}

/// Bullet 1: pgbouncer.ini `%include` of the outside file.
#[test]
fn pgbouncer_include_outside() {
    let p = pgbouncer_project("%include ../outside/outside.cnf\n");
    assert_include_refused(&check_all(&p, &["."]), "pgbouncer.ini", 6, OUTSIDE_ROOT);
}

/// Bullet 1: nginx `include /etc/passwd;`.
#[test]
fn nginx_include_etc_passwd() {
    let p = nginx_project("include /etc/passwd;");
    assert_include_refused(&check_all(&p, &["."]), "nginx.conf", 2, OUTSIDE_ROOT);
}

/// Bullet 1: my.cnf `!include /proc/self/environ`: the child's environment
/// (TL_CANARY) is never printed.
#[test]
fn mycnf_include_proc_self_environ() {
    let p = mysql_project("!include /proc/self/environ\n");
    assert_include_refused(&check_all(&p, &["."]), "my.cnf", 3, OUTSIDE_ROOT);
}

/// Bullet 1: manifest `app = "../../…/etc/passwd"`: exit 2 at the key.
#[test]
fn manifest_app_dotdot_etc_passwd() {
    let p = mysql_project("");
    let up = p.up_to_slash("etc/passwd");
    p.manifest(&format!("[[path]]\napp = \"{up}\"\ndb = \"my.cnf\"\n"));
    assert_input_refused(&check_all(&p, &["."]), 2);
}

/// Bullet 1: the literal `app = "../../../etc/passwd"` of the issue.
#[test]
fn manifest_app_literal_dotdot() {
    let p = mysql_project("");
    p.manifest("[[path]]\napp = \"../../../etc/passwd\"\ndb = \"my.cnf\"\n");
    assert_input_refused(&check_all(&p, &["."]), 2);
}

/// Bullet 1: manifest `db = "/etc/passwd"`.
#[test]
fn manifest_db_etc_passwd() {
    let p = mysql_project("");
    p.manifest("[[path]]\napp = \"app.yaml\"\ndb = \"/etc/passwd\"\n");
    assert_input_refused(&check_all(&p, &["."]), 3);
}

/// Bullet 1: manifest `app_sysctl = "/etc/passwd"` and `db_sysctl` of the
/// outside file.
#[test]
fn manifest_sysctl_outside() {
    let p = mysql_project("");
    p.manifest("[[path]]\napp = \"app.yaml\"\ndb = \"my.cnf\"\napp_sysctl = \"/etc/passwd\"\n");
    assert_input_refused(&check_all(&p, &["."]), 4);
    p.manifest("[[path]]\napp = \"app.yaml\"\ndb = \"my.cnf\"\ndb_sysctl = \"../outside\"\n");
    assert_input_refused(&check_all(&p, &["."]), 4);
}

/// Bullet 1: manifest `haproxy = ["/etc/passwd"]` (haproxy extra files).
#[test]
fn manifest_haproxy_etc_passwd() {
    let p = haproxy_project("[\"/etc/passwd\"]");
    assert_input_refused(&check_all(&p, &["."]), 5);
    let p = haproxy_project("[\"haproxy.cfg\", \"/etc/passwd\"]");
    assert_input_refused(&check_all(&p, &["."]), 5);
}

/// Bullet 1: manifest `pgbouncer =` and `nginx =` leaving the root.
#[test]
fn manifest_proxy_files_outside() {
    let p = pgbouncer_project("");
    p.manifest("[[path]]\napp = \"app.yaml\"\ndb = \"postgresql.conf\"\n\n[[path.hop]]\npgbouncer = \"/etc/passwd\"\n");
    assert_input_refused(&check_all(&p, &["."]), 6);
    let p = nginx_project("");
    p.manifest("[[path]]\napp = \"app.yaml\"\n\n[[path.hop]]\nnginx = \"../outside/outside.cnf\"\nserver = \"3306\"\n");
    assert_input_refused(&check_all(&p, &["."]), 5);
}

/// Bullet 1: `--env-file` is named on the command line, which the CI author
/// writes (SECURITY.md: the command line is trusted), so it may lie outside
/// the root, e.g. `/proc/self/environ`; the environment is still never
/// shown. The size cap and the regular-file check still hold for it.
#[test]
fn env_file_outside_root_is_read_but_never_shown() {
    let p = mysql_project("");
    let out = check_all(&p, &["--env-file", "/proc/self/environ", "."]);
    out.assert_codes(&[0, 1]);
    out.assert_safe();
    let out = check_all(&p, &["--env-file", "/dev/zero", "."]);
    out.assert_codes(&[2]);
    out.assert_safe();
    out.assert_failure_reported();
}

// ===========================================================================
// 2. Symlinks, special files and the size cap (bullet 2).
// ===========================================================================

/// Bullet 2: a symlink inside the root pointing out of it, used as an include:
/// resolved, then refused.
#[test]
fn symlink_out_of_root_as_include() {
    let p = mysql_project("!include inner.cnf\n");
    p.symlink(p.outside.join("outside.cnf"), "inner.cnf");
    assert_include_refused(&check_all(&p, &["."]), "my.cnf", 3, OUTSIDE_ROOT);
}

/// Bullet 2: a symlinked folder leaving the root, used by `!includedir`.
#[test]
fn symlinked_dir_out_of_root_as_includedir() {
    let p = mysql_project("!includedir conf.d\n");
    p.symlink(&p.outside, "conf.d");
    assert_include_refused(&check_all(&p, &["."]), "my.cnf", 3, OUTSIDE_ROOT);
}

/// Bullet 2: the same symlink named in the manifest: exit 2 at the key.
#[test]
fn symlink_out_of_root_as_manifest_entry() {
    let p = mysql_project("");
    p.symlink(p.outside.join("outside.cnf"), "inner.cnf");
    p.manifest("[[path]]\napp = \"app.yaml\"\ndb = \"inner.cnf\"\n");
    assert_input_refused(&check_all(&p, &["."]), 3);
}

/// Bullet 2: a symlink to /etc/passwd given as a loose file.
#[test]
fn symlink_to_etc_passwd_as_loose_file() {
    let p = mysql_project("");
    std::fs::remove_file(p.path("timeoutlint.toml")).expect("rm manifest");
    p.symlink("/etc/passwd", "passwd.cnf");
    let out = check_all(&p, &["app.yaml", "passwd.cnf"]);
    out.assert_codes(&[2]);
    out.assert_safe();
    out.assert_failure_reported();
}

/// Bullet 2: `!include /dev/zero` (outside the root) finishes.
#[test]
fn mycnf_include_dev_zero() {
    let p = mysql_project("!include /dev/zero\n");
    assert_include_refused(&check_all(&p, &["."]), "my.cnf", 3, OUTSIDE_ROOT);
}

/// Bullet 2: a symlink to /dev/zero inside the root.
#[test]
fn symlink_to_dev_zero_as_include() {
    let p = mysql_project("!include zero.cnf\n");
    p.symlink("/dev/zero", "zero.cnf");
    assert_include_refused(&check_all(&p, &["."]), "my.cnf", 3, "");
}

/// Bullet 2: with `--root /`, /dev/zero is inside the root but not a regular
/// file: TL003, never read.
#[test]
fn dev_zero_under_root_slash_is_not_a_regular_file() {
    let p = mysql_project("!include /dev/zero\n");
    let out = check_all(&p, &["--root", "/", "."]);
    out.assert_codes(&[1]);
    out.assert_safe();
    out.assert_finding("TL003", "my.cnf", 3, "");
    out.assert_not_read("/dev/zero");
}

/// Bullet 2: /dev/zero named in the manifest (with `--root /` so only the
/// regular-file rule can refuse it).
#[test]
fn dev_zero_named_in_manifest() {
    let p = mysql_project("");
    p.manifest("[[path]]\napp = \"app.yaml\"\ndb = \"/dev/zero\"\n");
    let out = check_all(&p, &["--root", "/", "."]);
    assert_input_refused(&out, 3);
}

/// Bullet 2: a FIFO inside the root, included: TL003, and the run never
/// blocks waiting for a writer.
#[test]
fn fifo_as_include() {
    let p = mysql_project("!include pipe.cnf\n");
    p.mkfifo("pipe.cnf");
    assert_include_refused(&check_all(&p, &["."]), "my.cnf", 3, "");
}

/// Bullet 2: a FIFO named in the manifest: exit 2, no hang.
#[test]
fn fifo_named_in_manifest() {
    let p = mysql_project("");
    p.mkfifo("pipe.cnf");
    p.manifest("[[path]]\napp = \"app.yaml\"\ndb = \"pipe.cnf\"\n");
    assert_input_refused(&check_all(&p, &["."]), 3);
}

/// Bullet 2: a FIFO in a sysctl.d folder and in an `!includedir`: skipped or
/// reported, never blocking.
#[test]
fn fifo_inside_included_folders() {
    let p = mysql_project("!includedir conf.d\n");
    p.write("conf.d/a.cnf", "[mysqld]\nwait_timeout = 300\n");
    p.mkfifo("conf.d/b.cnf");
    p.write("sysctl.d/10-a.conf", "net.ipv4.tcp_keepalive_time = 60\n");
    p.mkfifo("sysctl.d/20-b.conf");
    p.manifest("[[path]]\napp = \"app.yaml\"\ndb = \"my.cnf\"\napp_sysctl = \"sysctl.d\"\n");
    assert_survives(&check_all(&p, &["."]), &[0, 1]);
}

/// Bullet 2: a Unix socket included and named.
#[test]
fn socket_as_include_and_manifest_entry() {
    let p = mysql_project("!include sock.cnf\n");
    let _listener =
        std::os::unix::net::UnixListener::bind(p.path("sock.cnf")).expect("bind socket");
    assert_include_refused(&check_all(&p, &["."]), "my.cnf", 3, "");
    p.manifest("[[path]]\napp = \"app.yaml\"\ndb = \"sock.cnf\"\n");
    assert_input_refused(&check_all(&p, &["."]), 3);
}

/// Bullet 2: a directory where a file is expected: `!include dir` and
/// `db = "dir"`.
#[test]
fn directory_where_a_file_is_expected() {
    let p = mysql_project("!include confdir\n");
    p.write("confdir/x.cnf", "[mysqld]\n");
    assert_include_refused(&check_all(&p, &["."]), "my.cnf", 3, "");
    p.write("my.cnf", "[mysqld]\nwait_timeout = 300\n");
    p.manifest("[[path]]\napp = \"app.yaml\"\ndb = \"confdir\"\n");
    assert_input_refused(&check_all(&p, &["."]), 3);
}

/// Bullet 2: `!include /dev/stdin` with stdin a pipe that stays open: the run
/// finishes (TL003), it does not wait for input.
#[test]
fn mycnf_include_dev_stdin_does_not_block() {
    let p = mysql_project("!include /dev/stdin\n");
    let out = run_suite(&p, &os(&["."]), Suite::Full, Stdin::HeldOpen);
    assert_include_refused(&out, "my.cnf", 3, OUTSIDE_ROOT);
    let out = run_suite(
        &p,
        &os(&["--root", "/", "."]),
        Suite::Quick,
        Stdin::HeldOpen,
    );
    out.assert_codes(&[1]);
    out.assert_safe();
    out.assert_finding("TL003", "my.cnf", 3, "");
}

/// A comment-padded my.cnf of `size` bytes holding `wait_timeout = 300`.
fn padded_mycnf(size: usize) -> String {
    let mut s = String::from("[mysqld]\nwait_timeout = 300\n");
    while s.len() < size {
        s.push_str("# padding padding padding padding padding padding padding\n");
    }
    s
}

/// Bullet 2: `--max-file-size 1024`: a 2 KiB include is TL003, a 2 KiB named
/// file is exit 2.
#[test]
fn max_file_size_flag() {
    let p = mysql_project("!include big.cnf\n");
    p.write("big.cnf", padded_mycnf(2048));
    let out = check_all(&p, &["--max-file-size", "1024", "."]);
    assert_include_refused(&out, "my.cnf", 3, "");
    p.write("my.cnf", padded_mycnf(2048));
    let out = check_all(&p, &["--max-file-size", "1024", "."]);
    assert_input_refused(&out, 3);
}

/// Bullet 2: the default cap is 8 MiB: a 9 MiB include and a 9 MiB app file
/// are refused.
#[test]
fn default_size_cap_is_8_mib() {
    let nine = 9 * 1024 * 1024;
    let p = mysql_project("!include big.cnf\n");
    p.write("big.cnf", padded_mycnf(nine));
    assert_include_refused(&check_quick(&p, &["."]), "my.cnf", 3, "");
    p.write("my.cnf", "[mysqld]\nwait_timeout = 300\n");
    let mut app = MYSQL_APP.to_string();
    while app.len() < nine {
        app.push_str("# padding padding padding padding padding padding padding\n");
    }
    p.write("app.yaml", app);
    let out = check_all(&p, &["."]);
    assert_input_refused(&out, 2);
}

/// Bullet 2: a /proc/sys-style tree given explicitly still works (the
/// regular-file rule does not refuse folders meant as inputs).
#[test]
fn proc_sys_style_tree_still_works() {
    let p = Project::new();
    p.write(
        "app.yaml",
        "sqlalchemy:\n  url: mysql+mysqlconnector://app@db.internal/orders\n  pool_recycle: 300\n  connect_args:\n    use_pure: true\n",
    );
    p.write("proc/sys/net/ipv4/tcp_keepalive_time", "120\n");
    p.write("proc/sys/net/ipv4/tcp_keepalive_intvl", "30\n");
    p.manifest("[[path]]\napp = \"app.yaml\"\napp_sysctl = \"proc/sys\"\n");
    let out = check_all(&p, &["."]);
    out.assert_codes(&[0]);
    out.assert_safe();
    assert!(
        out.rules().iter().any(|r| r == "TL105"),
        "the tree's tcp_keepalive_time was read: {:?}",
        out.rules()
    );
}

// ===========================================================================
// 3. Bounded depth: deep nesting in every language, billion laughs, include
//    cycles and symlink loops (bullet 3).
// ===========================================================================

/// A Django settings.py whose CONN_MAX_AGE is the expression `deep` defined
/// before it.
fn deep_python(p: &Project, prelude: &str) {
    p.write(
        "settings.py",
        format!(
            "{prelude}\nDATABASES = {{\"default\": {{\"ENGINE\": \"django.db.backends.mysql\", \"CONN_MAX_AGE\": X}}}}\n"
        ),
    );
    p.write("my.cnf", "[mysqld]\nwait_timeout = 300\n");
    p.manifest("[[path]]\napp = \"settings.py\"\ndb = \"my.cnf\"\n");
}

/// Bullet 3: Python: 10k parentheses, 10k lists, 10k dicts, 100k `1+1+…`,
/// 600 nested ifs, a 10k-deep call chain and an exponent bomb never crash.
#[test]
fn python_deep_nesting() {
    let n = 10_000;
    let mut ifs = String::new();
    for i in 0..600 {
        ifs.push_str(&" ".repeat(i));
        ifs.push_str("if True:\n");
    }
    ifs.push_str(&" ".repeat(600));
    ifs.push_str("X = 1\n");
    let cases = [
        format!("X = {}1{}", "(".repeat(n), ")".repeat(n)),
        format!("X = {}1{}", "[".repeat(n), "]".repeat(n)),
        format!("X = {}1{}", "{\"a\": ".repeat(n), "}".repeat(n)),
        format!("X = {}1", "1+".repeat(100_000)),
        format!("X = {}1", "-".repeat(100_000)),
        format!("X = {}0{}", "int(".repeat(n), ")".repeat(n)),
        format!("X = {}", "not ".repeat(100_000) + "1"),
        ifs,
        "X = 10 ** 10 ** 10 ** 10".to_string(),
        "X = len(\"x\" * 10 ** 12)".to_string(),
        "X = 2 << 10 ** 12".to_string(),
    ];
    each_case!(cases, |prelude| {
        let p = Project::new();
        deep_python(&p, &prelude);
        assert_survives(&check_quick(&p, &["."]), &[0, 1]);
    });
}

/// Bullet 3: YAML: 100k flow sequences, 100k flow mappings, 50k block
/// sequences on one line, 3000 nested block mappings.
#[test]
fn yaml_deep_nesting() {
    let mut block = String::from("x:\n");
    for i in 1..3000 {
        block.push_str(&" ".repeat(i));
        block.push_str("a:\n");
    }
    block.push_str(&" ".repeat(3000));
    block.push_str("a: 1\n");
    let cases = [
        format!("x: {}{}\n", "[".repeat(100_000), "]".repeat(100_000)),
        format!("x: {}1{}\n", "{a: ".repeat(100_000), "}".repeat(100_000)),
        format!("x: {}1\n", "- ".repeat(50_000)),
        block,
    ];
    each_case!(cases, |deep| {
        let p = mysql_project("");
        p.write("app.yaml", format!("{MYSQL_APP}{deep}"));
        assert_survives(&check_quick(&p, &["."]), &[0, 1]);
        // The same value as pool_recycle.
        let value = deep.trim_start_matches("x:").to_string();
        p.write(
            "app.yaml",
            format!(
                "sqlalchemy:\n  url: mysql+pymysql://app@db.internal/orders\n  pool_recycle:{value}"
            ),
        );
        assert_survives(&check_quick(&p, &["."]), &[0, 1]);
    });
}

/// Bullet 3: YAML read by the proxy loaders (envoy, istio) nests deeply too.
#[test]
fn proxy_yaml_deep_nesting() {
    let p = Project::new();
    p.write("app.yaml", PG_APP);
    p.write(
        "envoy.yaml",
        format!(
            "static_resources: {}{}\n",
            "[".repeat(100_000),
            "]".repeat(100_000)
        ),
    );
    p.manifest("[[path]]\napp = \"app.yaml\"\n\n[[path.hop]]\nenvoy = \"envoy.yaml\"\nlistener = \"postgres\"\n");
    assert_survives(&check_quick(&p, &["."]), &[0, 1, 2]);
    p.write(
        "rule.yaml",
        format!("spec: {}1{}\n", "{a: ".repeat(100_000), "}".repeat(100_000)),
    );
    p.manifest("[[path]]\napp = \"app.yaml\"\n\n[[path.hop]]\nistio = \"rule.yaml\"\n");
    assert_survives(&check_quick(&p, &["."]), &[0, 1, 2]);
}

/// Bullet 3: TOML app files: 100k inline arrays, 10k inline tables, a 10k-deep
/// dotted key and a 10k-deep table header.
#[test]
fn toml_app_deep_nesting() {
    let n = 10_000;
    let cases = [
        format!("x = {}1{}\n", "[".repeat(100_000), "]".repeat(100_000)),
        format!("x = {}1{}\n", "{a = ".repeat(n), "}".repeat(n)),
        format!("{} = 1\n", vec!["a"; n].join(".")),
        format!("[{}]\nb = 1\n", vec!["a"; n].join(".")),
    ];
    each_case!(cases, |deep| {
        let p = mysql_project("");
        std::fs::remove_file(p.path("app.yaml")).expect("rm");
        p.write(
            "app.toml",
            format!("{deep}\n[sqlalchemy]\nurl = \"mysql+pymysql://app@db.internal/orders\"\npool_recycle = 250\n"),
        );
        p.manifest("[[path]]\napp = \"app.toml\"\ndb = \"my.cnf\"\n");
        assert_survives(&check_quick(&p, &["."]), &[0, 1]);
    });
}

/// Bullet 3: the manifest itself nests deeply (an unknown key, an env value,
/// a deep `[lint]` table): a clear error, never a crash.
#[test]
fn manifest_deep_nesting() {
    let n = 10_000;
    let cases = [
        format!(
            "[[path]]\napp = \"app.yaml\"\ndb = \"my.cnf\"\nx = {}1{}\n",
            "[".repeat(100_000),
            "]".repeat(100_000)
        ),
        format!(
            "[[path]]\napp = \"app.yaml\"\ndb = \"my.cnf\"\n[path.env]\nX = {}1{}\n",
            "{a = ".repeat(n),
            "}".repeat(n)
        ),
        format!(
            "[lint.{}]\nb = 1\n[[path]]\napp = \"app.yaml\"\ndb = \"my.cnf\"\n",
            vec!["a"; n].join(".")
        ),
        format!(
            "{} = 1\n[[path]]\napp = \"app.yaml\"\n",
            vec!["a"; n].join(".")
        ),
    ];
    each_case!(cases, |manifest| {
        let p = mysql_project("");
        p.manifest(&manifest);
        assert_survives(&check_quick(&p, &["."]), &[1, 2]);
    });
}

/// Bullet 3 (JSON-ish): a `--baseline` file nesting 100k arrays and a
/// pyproject.toml `[tool.timeoutlint]` nesting deeply.
#[test]
fn json_and_config_deep_nesting() {
    let p = mysql_project("");
    p.write(
        "deep.json",
        format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)),
    );
    let out = run_suite(
        &p,
        &os(&["--baseline", "deep.json", "."]),
        Suite::CheckOnly,
        Stdin::Null,
    );
    assert_survives(&out, &[0, 2]);
    p.write(
        "pyproject.toml",
        format!(
            "[tool.timeoutlint]\nx = {}1{}\n",
            "[".repeat(100_000),
            "]".repeat(100_000)
        ),
    );
    std::fs::remove_file(p.path("timeoutlint.toml")).expect("rm manifest");
    assert_survives(&check_quick(&p, &["app.yaml", "my.cnf"]), &[0, 1, 2]);
}

/// Bullet 3: billion laughs: anchors and aliases expanding 9^9 times in an app
/// file finish without exhausting memory.
#[test]
fn yaml_billion_laughs() {
    let mut laughs = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for w in names.windows(2) {
        let (prev, name) = (w[0], w[1]);
        laughs.push_str(&format!(
            "{name}: &{name} [{}]\n",
            vec![format!("*{prev}"); 9].join(",")
        ));
    }
    let p = mysql_project("");
    p.write(
        "app.yaml",
        format!("{laughs}sqlalchemy:\n  url: mysql+pymysql://app@db.internal/orders\n  pool_recycle: *i\n  connect_args: *i\n"),
    );
    assert_survives(&check_quick(&p, &["."]), &[0, 1]);
    // As the whole document under the keys the loader walks.
    p.write(
        "app.yaml",
        format!("{laughs}DATABASES:\n  default: *i\n  other: *i\n"),
    );
    assert_survives(&check_quick(&p, &["."]), &[0, 1]);
}

/// Bullet 3: include cycles (a -> b -> a, and a file including itself) in
/// my.cnf, postgresql.conf, pgbouncer.ini and nginx: reported, never looping.
#[test]
fn include_cycles() {
    let p = mysql_project("!include b.cnf\n");
    p.write("b.cnf", "[mysqld]\n!include my.cnf\n!include b.cnf\n");
    let out = check_all(&p, &["."]);
    assert_survives(&out, &[0, 1]);
    out.assert_rule_says("TL003", "");

    let p = postgres_project("include 'b.conf'\n");
    p.write("b.conf", "include 'postgresql.conf'\ninclude_dir '.'\n");
    let out = check_all(&p, &["."]);
    assert_survives(&out, &[0, 1]);
    out.assert_rule_says("TL003", "");

    let p = pgbouncer_project("%include b.ini\n");
    p.write("b.ini", "%include pgbouncer.ini\n");
    let out = check_all(&p, &["."]);
    assert_survives(&out, &[0, 1]);
    out.assert_rule_says("TL003", "");

    let p = nginx_project("include nginx.conf;");
    let out = check_all(&p, &["."]);
    assert_survives(&out, &[0, 1]);
}

/// Bullet 3: `!includedir .` holding the including file itself.
#[test]
fn includedir_of_own_folder() {
    let p = mysql_project("!includedir .\n");
    assert_survives(&check_all(&p, &["."]), &[0, 1]);
}

/// Bullet 3: symlink loops (la -> lb -> la) as includes and as a manifest
/// entry; a folder symlinked to itself inside an `!includedir` and a sysctl.d.
#[test]
fn symlink_loops() {
    let p = mysql_project("!include la\n");
    p.symlink("lb", "la");
    p.symlink("la", "lb");
    assert_include_refused(&check_all(&p, &["."]), "my.cnf", 3, "");

    let p = postgres_project("include 'la'\n");
    p.symlink("lb", "la");
    p.symlink("la", "lb");
    assert_include_refused(&check_all(&p, &["."]), "postgresql.conf", 2, "");

    let p = pgbouncer_project("%include la\n");
    p.symlink("lb", "la");
    p.symlink("la", "lb");
    assert_include_refused(&check_all(&p, &["."]), "pgbouncer.ini", 6, "");

    let p = mysql_project("");
    p.symlink("lb", "la");
    p.symlink("la", "lb");
    p.manifest("[[path]]\napp = \"app.yaml\"\ndb = \"la\"\n");
    assert_input_refused(&check_all(&p, &["."]), 3);

    let p = mysql_project("!includedir conf.d\n");
    p.write("conf.d/a.cnf", "[mysqld]\n");
    p.symlink(".", "conf.d/self");
    p.symlink("..", "conf.d/up");
    p.write("sysctl.d/10-a.conf", "net.ipv4.tcp_keepalive_time = 60\n");
    p.symlink(".", "sysctl.d/self");
    p.symlink("..", "sysctl.d/up.conf");
    p.manifest("[[path]]\napp = \"app.yaml\"\ndb = \"my.cnf\"\napp_sysctl = \"sysctl.d\"\n");
    assert_survives(&check_all(&p, &["."]), &[0, 1]);
}

// ===========================================================================
// 4. Huge folders (bullet 4).
// ===========================================================================

/// Bullet 4: a sysctl.d folder of 100k files (built once, here) finishes.
#[test]
fn sysctl_d_with_100k_files() {
    let p = mysql_project("");
    let dir = p.path("sysctl.d");
    std::fs::create_dir_all(&dir).expect("mkdir");
    for i in 0..100_000 {
        std::fs::write(
            dir.join(format!("{i:06}-x.conf")),
            format!("net.ipv4.tcp_keepalive_time = {}\n", 60 + i % 600),
        )
        .expect("write");
    }
    p.manifest("[[path]]\napp = \"app.yaml\"\ndb = \"my.cnf\"\napp_sysctl = \"sysctl.d\"\n");
    let out = check_quick(&p, &["."]);
    assert_survives(&out, &[0, 1, 2]);
}

// ===========================================================================
// 5. Huge, negative and non-finite numbers (bullet 5).
// ===========================================================================

const WEIRD_NUMBERS: [&str; 9] = [
    "99999999999999999999999",
    "-99999999999999999999999",
    "-5",
    "NaN",
    "nan",
    "inf",
    "-inf",
    "1e400",
    "18446744073709551616",
];

/// Bullet 5: my.cnf, postgresql.conf, pgbouncer.ini, sysctl, haproxy and nginx
/// values.
#[test]
fn weird_numbers_in_server_configs() {
    each_case!(WEIRD_NUMBERS, |v| {
        let p = mysql_project("");
        p.write(
            "my.cnf",
            format!(
                "[mysqld]\nwait_timeout = {v}\ninteractive_timeout = {v}\nmax_connections = {v}\n"
            ),
        );
        p.write(
            "sysctl.conf",
            format!("net.ipv4.tcp_keepalive_time = {v}\nnet.ipv4.tcp_retries2 = {v}\n"),
        );
        p.manifest("[[path]]\napp = \"app.yaml\"\ndb = \"my.cnf\"\napp_sysctl = \"sysctl.conf\"\ndb_sysctl = \"sysctl.conf\"\n");
        assert_survives(&check_all(&p, &["."]), &[0, 1]);

        let p = postgres_project(&format!(
            "idle_session_timeout = {v}\ntcp_keepalives_idle = {v}\nstatement_timeout = '{v}s'\nidle_in_transaction_session_timeout = {v}min\n"
        ));
        assert_survives(&check_all(&p, &["."]), &[0, 1]);

        let p = pgbouncer_project(&format!(
            "server_idle_timeout = {v}\nserver_lifetime = {v}\nclient_idle_timeout = {v}\nmax_client_conn = {v}\ndefault_pool_size = {v}\n"
        ));
        assert_survives(&check_all(&p, &["."]), &[0, 1]);

        let p = haproxy_project("\"haproxy.cfg\"");
        p.write("haproxy.cfg", HAPROXY_CFG.replace("30m", &format!("{v}s")));
        assert_survives(&check_all(&p, &["."]), &[0, 1]);

        let p = nginx_project("");
        p.write("nginx.conf", format!("events {{}}\nstream {{\n    server {{\n        listen 3306;\n        proxy_pass 10.0.0.5:3306;\n        proxy_timeout {v}s;\n    }}\n}}\n"));
        assert_survives(&check_all(&p, &["."]), &[0, 1]);
    });
}

/// Bullet 5: YAML and TOML app files.
#[test]
fn weird_numbers_in_app_files() {
    let yaml_extra = [
        ".nan",
        ".inf",
        "-.inf",
        "0x7fffffffffffffffffff",
        "1_000_000_000_000_000_000_000",
    ];
    each_case!(WEIRD_NUMBERS.iter().chain(yaml_extra.iter()), |v| {
        let p = mysql_project("");
        p.write(
            "app.yaml",
            format!("sqlalchemy:\n  url: mysql+pymysql://app@db.internal/orders\n  pool_recycle: {v}\n  pool_size: {v}\n  max_overflow: {v}\n  pool_timeout: {v}\n  connect_args:\n    read_timeout: {v}\n"),
        );
        assert_survives(&check_all(&p, &["."]), &[0, 1]);
    });
    each_case!(
        WEIRD_NUMBERS.iter().chain(
            [
                "+inf",
                "-nan",
                "1e-400",
                "9223372036854775807",
                "-9223372036854775808"
            ]
            .iter()
        ),
        |v| {
            let p = mysql_project("");
            std::fs::remove_file(p.path("app.yaml")).expect("rm");
            p.write(
            "app.toml",
            format!("[sqlalchemy]\nurl = \"mysql+pymysql://app@db.internal/orders\"\npool_recycle = {v}\npool_size = {v}\n\n[sqlalchemy.connect_args]\nread_timeout = {v}\n"),
        );
            p.manifest("[[path]]\napp = \"app.toml\"\ndb = \"my.cnf\"\n");
            assert_survives(&check_all(&p, &["."]), &[0, 1]);
        }
    );
}

/// Bullet 5: Python settings.
#[test]
fn weird_numbers_in_python() {
    let values = [
        "99999999999999999999999",
        "-99999999999999999999999",
        "-5",
        "float(\"nan\")",
        "float(\"inf\")",
        "-float(\"inf\")",
        "1e400",
        "-1e400",
        "1e400 - 1e400",
        "10 ** 400",
        "2 ** 64",
        "1 // 0",
        "1 % 0",
        "int(\"99999999999999999999999\")",
        "int(os.environ.get(\"X\", \"1e400\"))",
        "float(os.environ.get(\"X\", \"nan\"))",
        "0x7fffffffffffffffffff",
        "1_000_000_000_000_000_000_000",
        "60 * 60 * 24 * 365 * 10 ** 20",
    ];
    each_case!(values, |v| {
        let p = Project::new();
        p.write(
            "settings.py",
            format!("import os\nDATABASES = {{\"default\": {{\"ENGINE\": \"django.db.backends.mysql\", \"CONN_MAX_AGE\": {v}, \"OPTIONS\": {{\"read_timeout\": {v}, \"connect_timeout\": {v}}}}}}}\n"),
        );
        p.write("my.cnf", "[mysqld]\nwait_timeout = 300\n");
        p.manifest("[[path]]\napp = \"settings.py\"\ndb = \"my.cnf\"\n");
        assert_survives(&check_all(&p, &["."]), &[0, 1]);
        p.write(
            "settings.py",
            format!("from sqlalchemy import create_engine\nengine = create_engine(\"mysql+pymysql://app@db.internal/orders\", pool_recycle={v}, pool_size={v}, pool_timeout={v})\n"),
        );
        assert_survives(&check_all(&p, &["."]), &[0, 1]);
    });
}

/// Bullet 5: manifest durations: a huge `idle_timeout` is a finding or a
/// usage error, never an overflow panic.
#[test]
fn weird_numbers_in_manifest() {
    for v in [
        "99999999999999999999999s",
        "18446744073709551616ms",
        "9999999999999999d",
        "-5s",
        "1e400s",
        "NaNs",
    ] {
        let p = mysql_project("");
        p.manifest(&format!(
            "[[path]]\napp = \"app.yaml\"\ndb = \"my.cnf\"\n\n[[path.hop]]\nname = \"nat\"\nidle_timeout = \"{v}\"\n"
        ));
        assert_survives(&check_all(&p, &["."]), &[1, 2]);
        p.manifest(&format!(
            "[[path]]\napp = \"app.yaml\"\ndb = \"my.cnf\"\nrequest_timeout = \"{v}\"\nmax_statement_time = \"{v}\"\n"
        ));
        assert_survives(&check_all(&p, &["."]), &[0, 1, 2]);
        let out = check_quick(&p, &["--hop", &format!("nat={v}"), "app.yaml", "my.cnf"]);
        assert_survives(&out, &[0, 1, 2]);
    }
    for n in ["99999999999999999999", "9223372036854775807", "-1", "0"] {
        let p = mysql_project("");
        p.manifest(&format!(
            "[[path]]\napp = \"app.yaml\"\ndb = \"my.cnf\"\nprocesses = {n}\n[[path]]\napp = \"app.yaml\"\ndb = \"my.cnf\"\nprocesses = {n}\n"
        ));
        assert_survives(&check_all(&p, &["."]), &[0, 1, 2]);
    }
}

// ===========================================================================
// 6. Encodings: NUL bytes, BOM, CRLF, UTF-16 (bullet 6).
// ===========================================================================

/// The findings of a project whose my.cnf (or app file) fires TL101, written
/// plainly and re-encoded by `encode`.
fn encoded_project(which: &str, encode: impl Fn(&str) -> Vec<u8>) -> (Vec<String>, Outputs) {
    let app = "sqlalchemy:\n  url: mysql+pymysql://app@db.internal/orders\n  pool_recycle: 600\n";
    let cnf = "[mysqld]\nwait_timeout = 300\n";
    let py = "DATABASES = {\n    \"default\": {\n        \"ENGINE\": \"django.db.backends.mysql\",\n        \"CONN_MAX_AGE\": 3600,\n    }\n}\n";
    let manifest_for =
        |app_file: &str| format!("[[path]]\napp = \"{app_file}\"\ndb = \"my.cnf\"\n");
    let build = |enc: &dyn Fn(&str) -> Vec<u8>| {
        let p = Project::new();
        let app_file = if which == "settings.py" {
            "settings.py"
        } else {
            "app.yaml"
        };
        let files = [
            ("app.yaml", app.to_string()),
            ("settings.py", py.to_string()),
            ("my.cnf", cnf.to_string()),
            ("timeoutlint.toml", manifest_for(app_file)),
        ];
        for (name, text) in files {
            if name == which {
                p.write(name, enc(&text));
            } else {
                p.write(name, text);
            }
        }
        p
    };
    let plain = build(&|s: &str| s.as_bytes().to_vec());
    let expected = check_quick(&plain, &["."]);
    expected.assert_codes(&[1]);
    let p = build(&encode);
    let out = check_all(&p, &["."]);
    // Keep the project alive until the runs are over.
    drop(p);
    (expected.rules(), out)
}

fn bom_crlf(s: &str) -> Vec<u8> {
    let mut v = "\u{feff}".as_bytes().to_vec();
    v.extend(s.replace('\n', "\r\n").as_bytes());
    v
}

fn utf16le(s: &str) -> Vec<u8> {
    let mut v = vec![0xff, 0xfe];
    for u in s.encode_utf16() {
        v.extend(u.to_le_bytes());
    }
    v
}

/// Bullet 6: a UTF-8 BOM with CRLF line ends changes nothing: the same
/// findings as the plain file (my.cnf, app.yaml, settings.py, manifest).
#[test]
fn bom_and_crlf_change_nothing() {
    each_case!(
        ["my.cnf", "app.yaml", "settings.py", "timeoutlint.toml"],
        |which| {
            let (expected, out) = encoded_project(which, bom_crlf);
            out.assert_codes(&[1]);
            out.assert_safe();
            assert_eq!(out.rules(), expected, "{which} with BOM + CRLF");
        }
    );
}

/// Bullet 6: CRLF alone in postgresql.conf, pgbouncer.ini, haproxy and nginx.
#[test]
fn crlf_in_proxy_and_postgres_files() {
    let p = postgres_project("idle_session_timeout = 60s\r\n");
    let text = std::fs::read_to_string(p.path("postgresql.conf")).expect("read");
    p.write(
        "postgresql.conf",
        text.replace("\r\n", "\n").replace('\n', "\r\n"),
    );
    assert_survives(&check_all(&p, &["."]), &[0, 1]);
    let p = pgbouncer_project("server_idle_timeout = 60\n");
    let text = std::fs::read_to_string(p.path("pgbouncer.ini")).expect("read");
    p.write("pgbouncer.ini", bom_crlf(&text));
    assert_survives(&check_all(&p, &["."]), &[0, 1]);
    let p = haproxy_project("\"haproxy.cfg\"");
    p.write("haproxy.cfg", bom_crlf(HAPROXY_CFG));
    assert_survives(&check_all(&p, &["."]), &[0, 1]);
    let p = nginx_project("");
    let text = std::fs::read_to_string(p.path("nginx.conf")).expect("read");
    p.write("nginx.conf", bom_crlf(&text));
    assert_survives(&check_all(&p, &["."]), &[0, 1]);
}

/// Bullet 6: UTF-16 LE with a BOM: decoded (same findings) or refused
/// clearly (a finding or exit 2); never silently ignored (exit 0), never a
/// raw NUL in the output.
#[test]
fn utf16_files_are_decoded_or_refused() {
    each_case!(
        ["my.cnf", "app.yaml", "settings.py", "timeoutlint.toml"],
        |which| {
            let (_, out) = encoded_project(which, utf16le);
            out.assert_codes(&[1, 2]);
            out.assert_safe();
        }
    );
}

/// Bullet 6: NUL bytes in comments, values and keys: no crash, no raw NUL
/// printed, never silently clean.
#[test]
fn nul_bytes() {
    let cases: [(&str, &[u8]); 5] = [
        ("my.cnf", b"[mysqld]\n# a\0comment\nwait_timeout = 300\0\0garbage\n"),
        ("my.cnf", b"[mysqld\0]\nwait\0_timeout = 300\n"),
        ("app.yaml", b"sqlalchemy:\n  url: mysql+pymysql://app@db.internal/orders\0\n  pool_recycle: 600\0\n"),
        ("settings.py", b"DATABASES = {\"default\": {\"ENGINE\": \"django.db.backends.mysql\", \"CONN_MAX_AGE\": 3600}}\n\0\0\0\n"),
        ("timeoutlint.toml", b"[[path]]\napp = \"app\0.yaml\"\ndb = \"my.cnf\"\n"),
    ];
    each_case!(cases, |(which, bytes)| {
        let p = Project::new();
        p.write(
            "app.yaml",
            "sqlalchemy:\n  url: mysql+pymysql://app@db.internal/orders\n  pool_recycle: 600\n",
        );
        p.write("settings.py", "X = 1\n");
        p.write("my.cnf", "[mysqld]\nwait_timeout = 300\n");
        let app = if which == "settings.py" {
            "settings.py"
        } else {
            "app.yaml"
        };
        p.manifest(&format!("[[path]]\napp = \"{app}\"\ndb = \"my.cnf\"\n"));
        p.write(which, bytes);
        let out = check_all(&p, &["."]);
        out.assert_codes(&[1, 2]);
        out.assert_safe();
    });
}

// ===========================================================================
// 7. Control characters in file names and values (bullet 7).
// ===========================================================================

const NEWLINE_NAME: &str = "a\n::error file=x::forged.yaml";
const ESC_NAME: &str = "b\x1b[2J\x1b]0;pwned\x07.cnf";

/// Bullet 7: file names with a newline + a forged workflow command and with
/// terminal escapes, given loose on the command line (TL101 quotes both).
#[test]
fn control_characters_in_loose_file_names() {
    let p = Project::new();
    p.write(
        NEWLINE_NAME,
        "sqlalchemy:\n  url: mysql+pymysql://app@db.internal/orders\n  pool_recycle: 600\n",
    );
    p.write(ESC_NAME, "[mysqld]\nwait_timeout = 300\n");
    let out = check_all(&p, &[NEWLINE_NAME, ESC_NAME]);
    out.assert_codes(&[1]);
    out.assert_safe();
}

/// Bullet 7: the same names written in the manifest (TOML escapes).
#[test]
fn control_characters_in_manifest_names() {
    let p = Project::new();
    p.write(
        NEWLINE_NAME,
        "sqlalchemy:\n  url: mysql+pymysql://app@db.internal/orders\n  pool_recycle: 600\n",
    );
    p.write(ESC_NAME, "[mysqld]\nwait_timeout = 300\n");
    p.manifest(
        "[[path]]\nname = \"p\\n::error file=x::forged \\u001b[2J\"\napp = \"a\\n::error file=x::forged.yaml\"\ndb = \"b\\u001b[2J\\u001b]0;pwned\\u0007.cnf\"\n",
    );
    let out = check_all(&p, &["."]);
    out.assert_codes(&[1]);
    out.assert_safe();
}

/// Bullet 7: names that cannot be read are quoted in stderr and in TL003
/// messages: escaped there too.
#[test]
fn control_characters_in_unreadable_names() {
    let p = mysql_project("");
    p.write(
        "my.cnf",
        "[mysqld]\nwait_timeout = 300\n!include c\x1b[2J\x1b]0;pwned\x07.cnf\n",
    );
    let out = check_all(&p, &["."]);
    out.assert_codes(&[1]);
    out.assert_safe();
    p.manifest(
        "[[path]]\napp = \"app.yaml\"\ndb = \"missing\\u001b[2J\\n::error file=x::forged.cnf\"\n",
    );
    let out = check_all(&p, &["."]);
    out.assert_codes(&[2]);
    out.assert_safe();
    out.assert_failure_reported();
}

/// Bullet 7: control characters in values (my.cnf, YAML, Python, TOML,
/// postgresql.conf, pgbouncer.ini, haproxy), quoted by TL001/TL002.
#[test]
fn control_characters_in_values() {
    let esc = "\x1b[2J\x1b]0;pwned\x07";
    let p = mysql_project("");
    p.write("my.cnf", format!("[mysqld]\nwait_timeout = {esc}300\ninteractive_timeout = 300\u{85}{FORGED}\n[{esc}]\n{esc}\n"));
    assert_survives(&check_all(&p, &["."]), &[1]);

    let p = mysql_project("");
    p.write(
        "app.yaml",
        "sqlalchemy:\n  url: \"mysql+pymysql://app@db.internal/orders\\e[2J\"\n  pool_recycle: \"\\e[2J\\n::error file=x::forged\"\n  pool_size: \"\\x9b2J\\r::error file=x::forged\"\n",
    );
    assert_survives(&check_all(&p, &["."]), &[1]);

    let p = mysql_project("");
    std::fs::remove_file(p.path("app.yaml")).expect("rm");
    p.write(
        "app.toml",
        "[sqlalchemy]\nurl = \"mysql+pymysql://app@db.internal/orders\"\npool_recycle = \"\\u001b[2J\\n::error file=x::forged\"\n",
    );
    p.manifest("[[path]]\napp = \"app.toml\"\ndb = \"my.cnf\"\n");
    assert_survives(&check_all(&p, &["."]), &[1]);

    let p = Project::new();
    p.write(
        "settings.py",
        "DATABASES = {\"default\": {\"ENGINE\": \"django.db.backends.mysql\", \"CONN_MAX_AGE\": \"\\x1b[2J\\n::error file=x::forged\", \"OPTIONS\": {\"read_timeout\": \"\\x1b]0;pwned\\x07\"}}}\n\x1b[2J = 1\n",
    );
    p.write("my.cnf", "[mysqld]\nwait_timeout = 300\n");
    p.manifest("[[path]]\napp = \"settings.py\"\ndb = \"my.cnf\"\n");
    assert_survives(&check_all(&p, &["."]), &[1]);

    let p = postgres_project(&format!("idle_session_timeout = '{esc}'\n{esc} = 1\n"));
    assert_survives(&check_all(&p, &["."]), &[1]);

    let p = pgbouncer_project(&format!("server_idle_timeout = {esc}\n{esc}\n"));
    assert_survives(&check_all(&p, &["."]), &[1]);

    let p = haproxy_project("\"haproxy.cfg\"");
    p.write(
        "haproxy.cfg",
        HAPROXY_CFG.replace("30m", esc) + &format!("{esc}\n"),
    );
    assert_survives(&check_all(&p, &["."]), &[1]);
}

/// Bullet 7: control characters in a `--hop` name and in `[path.env]` values
/// echoed by messages.
#[test]
fn control_characters_in_hop_names_and_env() {
    let p = mysql_project("");
    let out = check_all(
        &p,
        &["--hop", "nat\x1b[2J\n::error file=x::forged=60s", "."],
    );
    assert_survives(&out, &[1, 2]);
    let p = Project::new();
    p.write(
        "settings.py",
        "import os\nDATABASES = {\"default\": {\"ENGINE\": \"django.db.backends.mysql\", \"CONN_MAX_AGE\": int(os.environ.get(\"AGE\", \"3600\"))}}\n",
    );
    p.write("my.cnf", "[mysqld]\nwait_timeout = 300\n");
    p.manifest("[[path]]\napp = \"settings.py\"\ndb = \"my.cnf\"\n\n[path.env]\nAGE = \"\\u001b[2J\\n::error file=x::forged\"\n");
    // The value is no number: TL012 (a note) says so, escaped; CONN_MAX_AGE
    // keeps its default, so nothing fails.
    assert_survives(&check_all(&p, &["."]), &[0]);
}

// ===========================================================================
// 8. Secrets are masked at output: every format, chain, baseline, stderr
//    (bullet 8).
// ===========================================================================

/// A project whose my.cnf fires TL101 against pool_recycle 3600, with
/// `app_file` holding `app_text`.
fn secret_project(app_file: &str, app_text: &str) -> Project {
    let p = Project::new();
    p.write(app_file, app_text);
    p.write("my.cnf", "[mysqld]\nwait_timeout = 300\n");
    p.manifest(&format!(
        "[[path]]\napp = \"{app_file}\"\ndb = \"my.cnf\"\n"
    ));
    p
}

/// Bullet 8: passwords in app URLs: YAML, TOML, Python, in a list of engines.
#[test]
fn secret_in_app_urls() {
    let cases = [
        (
            "app.yaml",
            format!(
                "sqlalchemy:\n  url: mysql+pymysql://app:{CANARY}@db.internal/orders\n  pool_recycle: 3600\n"
            ),
        ),
        (
            "app.yaml",
            format!(
                "sqlalchemy:\n  url: \"mysql+pymysql://app:{CANARY}@db.internal/orders?ssl=x\n  pool_recycle: 3600\n"
            ),
        ),
        (
            "app.yaml",
            format!(
                "sqlalchemy:\n  url: mysql+pymysql://app:{CANARY}@db.internal/orders\n  pool_recycle: [3600\n"
            ),
        ),
        (
            "app.toml",
            format!(
                "[sqlalchemy]\nurl = \"mysql+pymysql://app:{CANARY}@db.internal/orders\"\npool_recycle = 3600\n"
            ),
        ),
        (
            "app.toml",
            format!(
                "[sqlalchemy]\nurl = \"mysql+pymysql://app:{CANARY}@db.internal/orders\npool_recycle = 3600\n"
            ),
        ),
        (
            "settings.py",
            format!(
                "from sqlalchemy import create_engine\nengine = create_engine(\"mysql+pymysql://app:{CANARY}@db.internal/orders\", pool_recycle=3600)\n"
            ),
        ),
        (
            "settings.py",
            format!(
                "from sqlalchemy import create_engine\nengine = create_engine(\n    \"mysql+pymysql://app:{CANARY}@db.internal/orders\",\n    pool_recycle=3600,\n    pool_size=\"x\",\n)\n"
            ),
        ),
        (
            "settings.py",
            format!(
                "from sqlalchemy import create_engine\nengine = create_engine(\"mysql+pymysql://app:{CANARY}@db.internal/orders\", pool_recycle=3600\n"
            ),
        ),
        (
            "settings.py",
            format!(
                "SQLALCHEMY_DATABASE_URI = \"mysql+pymysql://app:{CANARY}@db.internal/orders\"\nSQLALCHEMY_ENGINE_OPTIONS = {{\"pool_recycle\": 3600}}\n"
            ),
        ),
    ];
    each_case!(cases, |(file, text)| {
        let out = check_all(&secret_project(file, &text), &["."]);
        // Some cases are syntax errors: a finding, or an unreadable input.
        out.assert_codes(&[1, 2]);
        out.assert_safe();
    });
}

/// Bullet 8: Django PASSWORD in Python, YAML and TOML settings, next to the
/// line TL102 quotes.
#[test]
fn secret_in_django_password() {
    let cases = [
        (
            "settings.py",
            format!(
                "DATABASES = {{\n    \"default\": {{\n        \"ENGINE\": \"django.db.backends.mysql\",\n        \"PASSWORD\": \"{CANARY}\",\n        \"CONN_MAX_AGE\": 3600,\n    }}\n}}\n"
            ),
        ),
        (
            "settings.py",
            format!(
                "DATABASES = {{\n    \"default\": {{\n        \"ENGINE\": \"django.db.backends.mysql\",\n        \"PASSWORD\": \"{CANARY}\" \"{CANARY}\",\n        \"CONN_MAX_AGE\": 3600 +,\n    }}\n}}\n"
            ),
        ),
        (
            "settings.py",
            format!(
                "DB_PASSWORD = \"{CANARY}\"\nDATABASES = {{\"default\": {{\"ENGINE\": \"django.db.backends.mysql\", \"PASSWORD\": DB_PASSWORD, \"CONN_MAX_AGE\": 3600}}}}\n"
            ),
        ),
        (
            "settings.yaml",
            format!(
                "DATABASES:\n  default:\n    ENGINE: django.db.backends.mysql\n    PASSWORD: {CANARY}\n    CONN_MAX_AGE: 3600\n"
            ),
        ),
        (
            "settings.yaml",
            format!(
                "DATABASES:\n  default:\n    ENGINE: django.db.backends.mysql\n    CONN_MAX_AGE: 3600\n    PASSWORD: [{CANARY}\n"
            ),
        ),
        (
            "settings.toml",
            format!(
                "[DATABASES.default]\nENGINE = \"django.db.backends.mysql\"\nPASSWORD = \"{CANARY}\"\nCONN_MAX_AGE = 3600\n"
            ),
        ),
    ];
    each_case!(cases, |(file, text)| {
        let out = check_all(&secret_project(file, &text), &["."]);
        out.assert_codes(&[1, 2]);
        out.assert_safe();
    });
}

/// Bullet 8: `connect_args` options `-c password=…` (TL112 quotes the options
/// string behind a transaction-pooling PgBouncer), in YAML and Python.
#[test]
fn secret_in_connect_args_options() {
    let options = format!("-c password={CANARY} -c statement_timeout=30000");
    let cases = [
        (
            "app.yaml",
            format!(
                "sqlalchemy:\n  url: postgresql+psycopg2://api@pgbouncer.internal:6432/orders\n  pool_recycle: 300\n  connect_args:\n    options: \"{options}\"\n"
            ),
        ),
        (
            "settings.py",
            format!(
                "from sqlalchemy import create_engine\nengine = create_engine(\"postgresql+psycopg2://api@pgbouncer.internal:6432/orders\", pool_recycle=300, connect_args={{\"options\": \"{options}\"}})\n"
            ),
        ),
        (
            "settings.py",
            format!(
                "DATABASES = {{\"default\": {{\"ENGINE\": \"django.db.backends.postgresql\", \"OPTIONS\": {{\"options\": \"{options}\", \"password\": \"{CANARY}\"}}}}}}\n"
            ),
        ),
    ];
    each_case!(cases, |(file, text)| {
        let p = Project::new();
        p.write(file, text);
        p.write(
            "pgbouncer.ini",
            "[databases]\norders = host=orders-db.internal dbname=orders\n\n[pgbouncer]\npool_mode = transaction\n",
        );
        p.manifest(&format!(
            "[[path]]\napp = \"{file}\"\n\n[[path.hop]]\npgbouncer = \"pgbouncer.ini\"\n"
        ));
        let out = check_all(&p, &["."]);
        out.assert_codes(&[1]);
        out.assert_safe();
    });
}

/// Bullet 8: my.cnf `password=` next to the wait_timeout line TL101 cites,
/// and on a broken line.
#[test]
fn secret_in_mycnf() {
    let app = "sqlalchemy:\n  url: mysql+pymysql://app@db.internal/orders\n  pool_recycle: 3600\n";
    let cnfs = [
        format!(
            "[client]\npassword = {CANARY}\n[mysqld]\npassword={CANARY}\nwait_timeout = 300\npassword = \"{CANARY}\n"
        ),
        format!(
            "[mysqld]\nwait_timeout = 300\npassword {CANARY} oops\n[client\npassword={CANARY}\n"
        ),
    ];
    each_case!(cnfs, |cnf| {
        let p = secret_project("app.yaml", app);
        p.write("my.cnf", cnf);
        let out = check_all(&p, &["."]);
        out.assert_codes(&[1]);
        out.assert_safe();
    });
}

/// Bullet 8: postgresql.conf primary_conninfo with balanced and unbalanced
/// quotes, next to a finding.
#[test]
fn secret_in_postgres_conninfo() {
    let lines = [
        format!("primary_conninfo = 'host=primary user=rep password={CANARY}'\n"),
        format!("primary_conninfo = 'host=primary user=rep password={CANARY}\n"),
        format!("primary_conninfo = 'host=primary password=''{CANARY}'' user=rep'\n"),
        format!("primary_conninfo = host=primary password={CANARY}\n"),
        format!("primary_conninfo = 'postgresql://rep:{CANARY}@primary/db'\n"),
    ];
    each_case!(lines, |line| {
        let p = Project::new();
        p.write(
            "app.yaml",
            "sqlalchemy:\n  url: postgresql+psycopg://app@db.internal/orders\n  pool_recycle: 3600\n",
        );
        p.write(
            "postgresql.conf",
            format!("max_connections = 100\n{line}idle_session_timeout = 60s\n{line}"),
        );
        p.manifest("[[path]]\napp = \"app.yaml\"\ndb = \"postgresql.conf\"\n");
        let out = check_all(&p, &["."]);
        out.assert_codes(&[1]);
        out.assert_safe();
    });
}

/// Bullet 8: pgbouncer.ini passwords in connection strings, auth settings and
/// broken lines.
#[test]
fn secret_in_pgbouncer() {
    let extras = [
        format!(
            "server_lifetime = nonsense\n[databases]\nother = host=x password={CANARY} port=nope\n"
        ),
        format!(
            "server_lifetime = nonsense\n[databases]\n* = host=x password={CANARY}\nquoted = host=x password='{CANARY} x' port=nope\n"
        ),
        format!("server_lifetime = nonsense\n[databases]\nbroken = host=x password='{CANARY}\n"),
    ];
    each_case!(extras, |extra| {
        let p = pgbouncer_project(&extra);
        p.write(
            "pgbouncer.ini",
            std::fs::read_to_string(p.path("pgbouncer.ini"))
                .expect("read")
                .replace("dbname=orders", &format!("dbname=orders password={CANARY}")),
        );
        let out = check_all(&p, &["."]);
        out.assert_codes(&[1]);
        out.assert_safe();
    });
}

/// Bullet 8: haproxy `stats auth`, userlist passwords, broken secret lines.
#[test]
fn secret_in_haproxy() {
    let cfg = format!(
        "userlist admins\n    user admin insecure-password {CANARY}\n    user ops password {CANARY} groups x\n    user bad insecure-password\n\ndefaults\n    mode tcp\n    timeout connect 5s\n    timeout client 30m\n\nlisten mysql\n    bind 127.0.0.1:3307\n    stats auth admin:{CANARY}\n    stats auth broken{CANARY}\n    server db1 10.0.0.5:3306 check\n"
    );
    let p = haproxy_project("\"haproxy.cfg\"");
    p.write("haproxy.cfg", cfg);
    let out = check_all(&p, &["."]);
    out.assert_codes(&[0, 1]);
    out.assert_safe();
}

/// The Python settings that read DB_URL and DB_PASSWORD from the environment.
const ENV_SETTINGS: &str = "import os\nfrom sqlalchemy import create_engine\nengine = create_engine(os.environ[\"DB_URL\"], pool_recycle=int(os.environ.get(\"DB_RECYCLE\", \"3600\")), connect_args={\"password\": os.environ.get(\"DB_PASSWORD\")})\n";

/// Bullet 8: `[path.env]` values.
#[test]
fn secret_in_manifest_env() {
    let p = secret_project("settings.py", ENV_SETTINGS);
    p.manifest(&format!(
        "[[path]]\napp = \"settings.py\"\ndb = \"my.cnf\"\n\n[path.env]\nDB_URL = \"mysql+pymysql://app:{CANARY}@db.internal/orders\"\nDB_PASSWORD = \"{CANARY}\"\n"
    ));
    let out = check_all(&p, &["."]);
    out.assert_codes(&[1]);
    out.assert_safe();
}

/// Bullet 8: a TOML syntax error on a `[path.env]` line holding the secret
/// (the parser's message quotes the line): reported (a TL001 finding or exit
/// 2), masked.
#[test]
fn secret_in_manifest_env_syntax_error() {
    let bad = [
        format!("DB_PASSWORD = \"{CANARY}\n"),
        format!("DB_PASSWORD = {CANARY}\n"),
        format!("DB_PASSWORD = \"{CANARY}\" \"again\"\n"),
        format!("DB_URL = 'mysql://app:{CANARY}@db/x' = 1\n"),
    ];
    each_case!(bad, |line| {
        let p = secret_project("settings.py", ENV_SETTINGS);
        p.manifest(&format!(
            "[[path]]\napp = \"settings.py\"\ndb = \"my.cnf\"\n\n[path.env]\n{line}"
        ));
        let out = check_all(&p, &["."]);
        out.assert_codes(&[1, 2]);
        out.assert_safe();
        if out.run("json").code == Some(2) {
            out.assert_failure_reported();
        }
    });
}

/// Bullet 8: `--env-file` values.
#[test]
fn secret_in_env_file() {
    let p = secret_project("settings.py", ENV_SETTINGS);
    p.write(
        ".env",
        format!("DB_URL=mysql+pymysql://app:{CANARY}@db.internal/orders\nexport DB_PASSWORD=\"{CANARY}\"\n"),
    );
    let out = check_all(&p, &["--env-file", ".env", "."]);
    out.assert_codes(&[1]);
    out.assert_safe();
}

/// Bullet 8: a .env with a parse error after the secret (on the same line and
/// on a later line): the error is reported (exit 2), the secret is not.
#[test]
fn secret_in_env_file_with_parse_error() {
    let bad = [
        format!(
            "DB_URL=mysql+pymysql://app:{CANARY}@db.internal/orders\nDB_PASSWORD={CANARY}\"oops\n"
        ),
        format!(
            "DB_URL=mysql+pymysql://app:{CANARY}@db.internal/orders\nDB_PASSWORD={CANARY}\nthis line is not dotenv {CANARY}\n"
        ),
        format!("DB_URL=\"mysql+pymysql://app:{CANARY}@db.internal/orders\n"),
    ];
    each_case!(bad, |env| {
        let p = secret_project("settings.py", ENV_SETTINGS);
        p.write(".env", env);
        let out = check_all(&p, &["--env-file", ".env", "."]);
        out.assert_codes(&[2]);
        out.assert_safe();
        out.assert_failure_reported();
    });
}

// ===========================================================================
// 9. A failed run says so (the exit-2 contract in every format).
// ===========================================================================

/// A manifest naming a missing file: exit 2, and SARIF, JSON and human output
/// all say the run failed, while the rest is still reported.
#[test]
fn failed_run_is_reported_in_every_format() {
    let p = mysql_project("");
    p.manifest("[[path]]\napp = \"missing.yaml\"\ndb = \"my.cnf\"\n");
    let out = check_all(&p, &["."]);
    assert_input_refused(&out, 2);
    // A loose file that does not exist.
    let out = check_all(&p, &["nope.yaml", "my.cnf"]);
    out.assert_codes(&[2]);
    out.assert_safe();
    out.assert_failure_reported();
}

/// Issue 10: Python imports resolve only to the project's own modules:
/// a relative import climbing out of the root, a symlink leaving it, and a
/// module in a virtualenv inside it are never read (each would set AGE = 1
/// and have its bad line quoted if it were), while a module of the project
/// is (its AGE = 900 fires TL102 against wait_timeout 300).
#[test]
fn python_imports_stay_inside_the_root() {
    const EVIL: &str = "AGE = 1\nX = )(\n";
    let p = Project::new();
    std::fs::write(p.outside.join("evil.py"), EVIL).expect("outside module");
    p.symlink(p.outside.join("evil.py"), "linked.py");
    p.write("venv/evilpkg.py", EVIL);
    p.write("good.py", "AGE = 900\n");
    p.write(
        "settings.py",
        "from .good import *\nfrom ..outside.evil import *\nfrom .linked import *\nfrom venv.evilpkg import *\nimport linked\nDATABASES = {\"default\": {\"ENGINE\": \"django.db.backends.mysql\", \"CONN_MAX_AGE\": AGE}}\n",
    );
    p.write("my.cnf", "[mysqld]\nwait_timeout = 300\n");
    p.manifest("[[path]]\napp = \"settings.py\"\ndb = \"my.cnf\"\n");
    let out = check_all(&p, &["."]);
    out.assert_codes(&[1]);
    out.assert_safe();
    out.assert_finding("TL102", "good.py", 1, "CONN_MAX_AGE = 900 s");
    out.assert_not_read("evil");
    out.assert_not_read("linked");
}

/// Issue 10: what the Python reader follows is bounded: 200 undecided
/// conditions that each change a setting (at most 64 variants are read, and
/// the rest reported), a chain of 100 star-imported modules (at most 64 are
/// loaded), and a function that calls itself under an undecided condition
/// (inlining stops at depth 8).
#[test]
fn python_variants_imports_and_inlining_are_bounded() {
    let p = Project::new();
    let mut settings = String::from(
        "import os\nfrom .m0 import *\nDATABASES = {\"default\": {\"ENGINE\": \"django.db.backends.mysql\", \"CONN_MAX_AGE\": 60}}\n",
    );
    for i in 0..200 {
        settings.push_str(&format!(
            "if os.getenv(\"V{i}\"):\n    DATABASES[\"default\"][\"CONN_MAX_AGE\"] = {i}\n"
        ));
    }
    settings.push_str(
        "def f(n):\n    if os.getenv(\"DEEP\"):\n        return f(n)\n    return n\nDATABASES[\"default\"][\"CONN_HEALTH_CHECKS\"] = f(1) == 1\n",
    );
    p.write("settings.py", settings);
    for i in 0..100 {
        p.write(
            format!("m{i}.py"),
            format!("from .m{} import *\nX{i} = {i}\n", i + 1),
        );
    }
    p.write("my.cnf", "[mysqld]\nwait_timeout = 300\n");
    p.manifest("[[path]]\napp = \"settings.py\"\ndb = \"my.cnf\"\n");
    let out = check_all(&p, &["."]);
    out.assert_codes(&[0, 1]);
    out.assert_safe();
    out.assert_rule_says("TL012", "more than 64 variants");
}
