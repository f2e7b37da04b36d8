//! Shared harness for the timeoutlint fuzz targets.
//!
//! Every target does two things with its input:
//!
//! 1. feeds the raw bytes (as `from_utf8_lossy` text) to the public parsers of
//!    its format, for speed;
//! 2. builds a small project in a per-process temporary folder: the input
//!    inserted into a fixed template that plants a known password, the
//!    [`CANARY`], where that format keeps secrets (plus companion files and a
//!    `timeoutlint.toml` manifest), runs [`timeoutlint::run::run`] on it,
//!    renders every output format ([`render_all`]) and checks with
//!    [`check_outputs`] that no secret survives in any output.
//!
//! Panics (a crash for libFuzzer) mean a bug in timeoutlint: a panic in a
//! parser, loader, rule or renderer, or a secret that reached an output.
//! Hangs are caught by libFuzzer's `-timeout`.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use timeoutlint::cli::{self, ChainFormat, Format};
use timeoutlint::report;
use timeoutlint::rules::catalogue::{self, RuleDoc};
use timeoutlint::run::{Outcome, RunOptions, run};
use timeoutlint::source::SourceMap;

/// The password planted in each template. Alphanumeric, so no output format
/// escapes it.
pub const CANARY: &str = "FuzzCanary7Qx3";

/// The replacement canary of the control run (same length and shape).
pub const CONTROL: &str = "FuzzCanary8Wz5";

/// One file of a case: its name in the case folder and its bytes.
pub type File = (&'static str, Vec<u8>);

/// One rendered output: the format's name and the text.
pub type Output = (&'static str, String);

/// The per-process folder the cases are written to (created once, reused).
pub fn case_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("timeoutlint-fuzz-{}", std::process::id()));
        fs::create_dir_all(&dir).expect("cannot create the fuzz case folder");
        dir
    })
}

fn docs() -> &'static [RuleDoc] {
    static DOCS: OnceLock<Vec<RuleDoc>> = OnceLock::new();
    DOCS.get_or_init(|| catalogue::load().expect("the rule catalogue loads"))
}

/// Writes `files` into [`case_dir`] and returns the path of `entry` there.
pub fn write_case(files: &[File], entry: &str) -> PathBuf {
    let dir = case_dir();
    for (name, bytes) in files {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("cannot create a fuzz case folder");
        }
        fs::write(path, bytes).expect("cannot write a fuzz case file");
    }
    dir.join(entry)
}

/// Renders `outcome` in every output the CLI writes, through the CLI's own
/// functions (so what is checked is exactly what `timeoutlint` prints): the
/// nine `check` formats, the chain table and chain JSON, a baseline file and
/// the error lines of standard error.
pub fn render_all(outcome: &Outcome) -> Vec<Output> {
    let d = &outcome.diagnostics;
    // Only the docs of the rules that fired: SARIF serialises every doc it
    // is given, and the whole catalogue would cost most of each run.
    let docs: Vec<RuleDoc> = docs()
        .iter()
        .filter(|doc| d.iter().any(|x| x.code.id == doc.id))
        .cloned()
        .collect();
    let check = |f| cli::render_check(f, outcome, &docs, report::human::Color::Never);
    vec![
        ("human", check(Format::Human)),
        ("concise", check(Format::Concise)),
        ("gcc", check(Format::Gcc)),
        ("json", check(Format::Json)),
        ("sarif", check(Format::Sarif)),
        ("github", check(Format::Github)),
        ("junit", check(Format::Junit)),
        ("checkstyle", check(Format::Checkstyle)),
        ("rdjson", check(Format::Rdjson)),
        ("markdown", check(Format::Markdown)),
        ("chain", cli::render_chain(ChainFormat::Table, outcome)),
        ("chain-json", cli::render_chain(ChainFormat::Json, outcome)),
        ("chain-mermaid", cli::render_chain(ChainFormat::Mermaid, outcome)),
        ("chain-svg", cli::render_chain(ChainFormat::Svg, outcome)),
        ("baseline", cli::render_baseline(outcome)),
        ("stderr", cli::render_errors(outcome)),
    ]
}

/// The secrets that must not appear in any output of a run over `sources`:
/// the planted `canary`, and every value the readers marked as a secret
/// that the scrubber masks everywhere (at least
/// [`timeoutlint::secrets::MIN_SCRUB_LEN`] bytes; a value made only of `*`
/// is what masking writes, so it is left out).
pub fn secrets(sources: &SourceMap, canary: &str) -> Vec<String> {
    let mut out = vec![canary.to_string()];
    out.extend(
        sources
            .secret_values()
            .into_iter()
            .filter(|v| v.len() >= timeoutlint::secrets::MIN_SCRUB_LEN)
            .filter(|v| !v.chars().all(|c| c == '*')),
    );
    out
}

/// A secret found in an output.
#[derive(Debug)]
pub struct Leak {
    /// The secret.
    pub secret: String,
    /// The output format it appeared in.
    pub format: &'static str,
    /// The output line holding it.
    pub line: String,
}

/// Checks that none of `secrets` appears in any of `outputs`.
///
/// Errors: the first [`Leak`] found.
pub fn check_outputs(secrets: &[String], outputs: &[Output]) -> Result<(), Leak> {
    for (format, text) in outputs {
        for secret in secrets {
            if let Some(at) = text.find(secret.as_str()) {
                let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
                let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
                return Err(Leak {
                    secret: secret.clone(),
                    format,
                    line: text[start..end].to_string(),
                });
            }
        }
    }
    Ok(())
}

/// Runs timeoutlint on `entry` of the case `build(canary)` and renders it.
pub fn run_case(build: &dyn Fn(&str) -> Vec<File>, entry: &str, canary: &str) -> Vec<Output> {
    let path = write_case(&build(canary), entry);
    let outcome = run(&[path], &RunOptions::default());
    let mut outputs = render_all(&outcome);
    let planted = secrets(&outcome.sources, canary);
    if let Err(leak) = check_outputs(&planted, &outputs) {
        outputs.push(("leak", format!("{leak:?}")));
    }
    outputs
}

/// The full check of one input: builds the case with [`CANARY`] planted,
/// runs and renders it, and panics when a secret reaches an output.
///
/// `build` returns the case's files for a given canary; `entry` is the file
/// given to `timeoutlint check` (usually the manifest). When the canary shows
/// up, a control run with the canary replaced by [`CONTROL`] tells a leak
/// (the control canary shows up too) from an input that spells the canary
/// itself (the original canary still shows up without being planted).
pub fn check_case(build: &dyn Fn(&str) -> Vec<File>, entry: &str) {
    let outputs = run_case(build, entry, CANARY);
    let Some((_, leak)) = outputs.iter().find(|(f, _)| *f == "leak") else {
        return;
    };
    let control = run_case(build, entry, CONTROL);
    let spelled_by_input = control.iter().any(|(_, t)| t.contains(CANARY));
    let control_leaks = control.iter().any(|(f, _)| *f == "leak");
    if spelled_by_input && !control_leaks {
        return;
    }
    panic!("a secret reached an output: {leak}");
}

/// The first word after `keyword` at the start of a line of `text` that is
/// safe to put in a TOML basic string (letters, digits, `-_.:`), if any.
pub fn first_name_after(text: &str, keyword: &str) -> Option<String> {
    text.lines().find_map(|l| {
        let mut words = l.split_whitespace();
        if words.next()? != keyword {
            return None;
        }
        let w = words.next()?.trim_end_matches(';');
        let ok = !w.is_empty()
            && w.len() <= 64
            && w.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.:[]".contains(c));
        ok.then(|| w.to_string())
    })
}

/// An app settings file (YAML) whose database URL and a `password` key hold
/// `canary`, for targets whose own format keeps no secrets.
pub fn app_yaml(canary: &str) -> Vec<u8> {
    format!(
        "password: {canary}\nsqlalchemy:\n  url: mysql+pymysql://api:{canary}@127.0.0.1:3306/orders\n  pool_recycle: 3600\n  connect_args:\n    read_timeout: 60\n"
    )
    .into_bytes()
}

/// A my.cnf whose `[client]` password is `canary`.
pub fn my_cnf(canary: &str) -> Vec<u8> {
    format!("[mysqld]\nwait_timeout = 600\n\n[client]\npassword = {canary}\n").into_bytes()
}

/// `head`, then a newline, then `tail`.
pub fn join(head: &[u8], tail: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(head.len() + tail.len() + 1);
    v.extend_from_slice(head);
    v.push(b'\n');
    v.extend_from_slice(tail);
    v
}
