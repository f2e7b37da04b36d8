//! Issue 9, "safe to run on untrusted repositories": a pull-request author
//! controls every file name and value timeoutlint prints. These tests run
//! the binary on hostile inputs built in a temporary folder and check what
//! reaches standard output and standard error, in every format.

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

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

fn tl() -> Command {
    Command::cargo_bin("timeoutlint").expect("binary built")
}

/// Runs `timeoutlint ARGS DIR`, asserts the exit code, returns (stdout,
/// stderr) as bytes.
fn run(args: &[&str], dir: &Path, code: i32) -> (Vec<u8>, Vec<u8>) {
    let out = tl()
        // From the input's folder: names are relative to it.
        .current_dir(if dir.is_dir() {
            dir
        } else {
            dir.parent().unwrap_or(dir)
        })
        .args(args)
        .arg(dir)
        .env_remove("GITHUB_ACTIONS")
        .assert()
        .code(code)
        .get_output()
        .clone();
    (out.stdout, out.stderr)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("UTF-8 output")
}

/// A manifest whose `app` file does not exist, beside a readable my.cnf.
fn missing_input() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("my.cnf"), "[mysqld]\nwait_timeout = 600\n").unwrap();
    std::fs::write(
        dir.path().join("timeoutlint.toml"),
        "[[path]]\napp = \"missing.yaml\"\ndb = \"my.cnf\"\n",
    )
    .unwrap();
    dir
}

#[test]
fn a_failed_run_says_so_in_every_format() {
    let dir = missing_input();
    let reason = "cannot read missing.yaml";
    for format in FORMATS {
        let (stdout, stderr) = run(&["check", "--format", format], dir.path(), 2);
        let out = text(&stdout);
        assert!(text(&stderr).contains(reason), "{format}: stderr");
        assert!(!out.contains("no problems found"), "{format}:\n{out}");
        match format {
            "human" | "concise" => assert_eq!(
                out.lines().last(),
                Some("could not check: 1 input could not be read"),
                "{format}:\n{out}"
            ),
            "gcc" => {
                let last = out.lines().last().unwrap_or_default();
                // The failure is located in the manifest, where the key is.
                assert!(last.starts_with("timeoutlint.toml: error: "), "{out}");
                assert!(last.contains(reason), "{out}");
            }
            "json" => {
                let v: Value = serde_json::from_str(&out).unwrap();
                assert_eq!(v["version"], 1);
                let errors = v["errors"].as_array().unwrap();
                assert_eq!(errors.len(), 1, "{out}");
                assert!(errors[0]["message"].as_str().unwrap().contains(reason));
                assert_eq!(errors[0]["file"], "timeoutlint.toml");
            }
            "sarif" => {
                let v: Value = serde_json::from_str(&out).unwrap();
                let invocation = &v["runs"][0]["invocations"][0];
                assert_eq!(invocation["executionSuccessful"], false, "{out}");
                let notes = invocation["toolExecutionNotifications"].as_array().unwrap();
                assert!(
                    notes.iter().any(|n| n["level"] == "error"
                        && n["message"]["text"].as_str().unwrap().contains(reason)),
                    "{out}"
                );
            }
            "github" => {
                let first = out.lines().next().unwrap_or_default();
                assert!(first.starts_with("::error file=timeoutlint.toml"), "{out}");
                assert!(first.contains(reason), "{out}");
            }
            "junit" => {
                assert!(out.contains(" errors=\"1\">"), "{out}");
                assert!(out.contains("<error message=\""), "{out}");
                assert!(out.contains(reason), "{out}");
            }
            "checkstyle" => {
                assert!(out.contains("<error severity='error' message='"), "{out}");
                assert!(out.contains(reason), "{out}");
            }
            "markdown" => {
                let first = out.lines().next().unwrap_or_default();
                assert_eq!(
                    first, "## timeoutlint: could not check: 1 input could not be read",
                    "{out}"
                );
                assert!(out.contains("**could not check**: "), "{out}");
                assert!(out.contains("missing.yaml"), "{out}");
            }
            "rdjson" => {
                let v: Value = serde_json::from_str(&out).unwrap();
                assert_eq!(v["severity"], "ERROR");
                let d = &v["diagnostics"][0];
                assert_eq!(d["severity"], "ERROR", "{out}");
                assert!(d["message"].as_str().unwrap().contains(reason));
            }
            _ => unreachable!(),
        }
    }
}

/// Hostile inputs: a my.cnf whose name holds a newline and a forged
/// workflow command, one whose name starts with `::`, values with terminal
/// escapes (ESC and the C1 CSI), and a missing app file whose name forges a
/// command too.
fn hostile() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("app.yaml"),
        "sqlalchemy:\n  url: mysql+pymysql://app@db/x\n  pool_recycle: 7200\n",
    )
    .unwrap();
    std::fs::write(
        d.join("a\n::error file=x::forged.cnf"),
        "[mysqld]\nwait_timeout = 600\u{1b}[2J\ninteractive_timeout = 60\u{9b}31m\n",
    )
    .unwrap();
    std::fs::write(
        d.join("::error file=x::owned.cnf"),
        "[mysqld]\nwait_timeout = 5x\n",
    )
    .unwrap();
    std::fs::write(
        d.join("timeoutlint.toml"),
        "[[path]]\nname = \"one\\n::error::path\"\napp = \"app.yaml\"\ndb = \"a\\n::error file=x::forged.cnf\"\n\n\
         [[path]]\nname = \"two\"\napp = \"app.yaml\"\ndb = \"::error file=x::owned.cnf\"\n\n\
         [[path]]\nname = \"three\"\napp = \"gone\\n::error::forged.yaml\"\ndb = \"::error file=x::owned.cnf\"\n",
    )
    .unwrap();
    dir
}

/// Lines of `bytes` that begin with `::`.
fn command_lines(bytes: &[u8]) -> Vec<String> {
    text(bytes)
        .lines()
        .filter(|l| l.starts_with("::"))
        .map(str::to_string)
        .collect()
}

#[test]
fn forged_names_and_terminal_escapes_never_reach_the_output() {
    let dir = hostile();
    let mut runs: Vec<(String, Vec<u8>, Vec<u8>)> = FORMATS
        .iter()
        .map(|f| {
            let (out, err) = run(&["check", "--format", f], dir.path(), 2);
            (f.to_string(), out, err)
        })
        .collect();
    for f in ["table", "mermaid", "svg"] {
        let (out, err) = run(&["chain", "--format", f], dir.path(), 2);
        let name = if f == "table" { "chain" } else { f };
        runs.push((name.into(), out, err));
    }
    let mut findings = 0;
    for (format, stdout, stderr) in &runs {
        for (stream, bytes) in [("stdout", stdout), ("stderr", stderr)] {
            assert!(
                !bytes.contains(&0x1b),
                "{format} {stream} has a raw ESC:\n{}",
                String::from_utf8_lossy(bytes)
            );
            let commands = command_lines(bytes);
            if format == "github" && stream == "stdout" {
                // Only the format's own commands: a kind, properties without
                // `::`, then the message.
                for line in &commands {
                    let rest = ["::error", "::warning", "::notice"]
                        .iter()
                        .find_map(|k| line.strip_prefix(k))
                        .unwrap_or_else(|| panic!("not a command of ours: {line}"));
                    let (props, _message) = rest.split_once("::").expect(line);
                    assert!(props.is_empty() || props.starts_with(' '), "{line}");
                    assert!(!props.contains("::"), "{line}");
                }
                findings = commands.len();
            } else {
                assert!(
                    commands.is_empty(),
                    "{format} {stream} starts a line with `::`: {commands:?}"
                );
            }
        }
        if ["human", "concise", "gcc", "chain"].contains(&format.as_str()) {
            let out = text(stdout);
            assert!(!out.contains('\u{9b}'), "{format}: raw CSI:\n{out}");
        }
    }
    // The runs did find something to print in the forged file (and the
    // missing file is one more error line in github).
    assert!(findings >= 2, "github wrote {findings} commands");
    let gcc = &runs.iter().find(|r| r.0 == "gcc").unwrap().1;
    let gcc = text(gcc);
    assert!(
        gcc.contains(
            "a\\n::error file=x::forged.cnf:2:16: error: wait_timeout value `600\\x1b[2J`"
        ),
        "{gcc}"
    );
    assert!(gcc.contains("`60\\u{9b}31m`"), "{gcc}");
    assert!(
        gcc.lines()
            .any(|l| l.starts_with("./::error file=x::owned.cnf:2:16: error: ")),
        "a name starting with `:` gets `./`:\n{gcc}"
    );
    let human = text(&runs[0].1);
    assert!(
        human.contains("2 │ wait_timeout = 600\\x1b[2J\n"),
        "the quoted source line is escaped:\n{human}"
    );
}

#[test]
fn a_one_megabyte_line_keeps_the_output_small() {
    let dir = tempfile::tempdir().unwrap();
    let value = "9".repeat(1 << 20);
    std::fs::write(
        dir.path().join("my.cnf"),
        format!("[mysqld]\nwait_timeout = {value}x\n"),
    )
    .unwrap();
    let cnf = dir.path().join("my.cnf");
    let (stdout, _) = run(&["check", "--color", "never"], &cnf, 1);
    let human = text(&stdout);
    assert!(
        human.len() < 20_000,
        "{} bytes of human output",
        human.len()
    );
    assert!(human.contains("my.cnf:2:16]"), "{human}");
    assert!(human.contains(" 2 │ wait_timeout = 999"), "{human}");
    assert!(human.contains("9…\n"), "the line is cut:\n{human}");
    for format in ["concise", "gcc"] {
        let (stdout, _) = run(&["check", "--format", format], &cnf, 1);
        assert!(
            stdout.len() < 2_000,
            "{format}: {} bytes:\n{}",
            stdout.len(),
            text(&stdout)
        );
    }
}
