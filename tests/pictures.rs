//! The chain pictures (`chain --format mermaid|svg`) and the Markdown job
//! summary (`check --format markdown`) on the shipped examples:
//! - the SVG of every example is well-formed XML with one `<svg>` root and
//!   shows, as text, who sets each limit of each segment and its value;
//! - the Mermaid of every example passes the Mermaid parser and renders
//!   (`npx @mermaid-js/mermaid-cli`), where npm and a Chromium are
//!   available; otherwise the test says it skipped;
//! - snapshots (insta) of the three formats on two examples, reviewed by
//!   hand when they change (`INSTA_UPDATE=always`, or `cargo insta accept`).

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use timeoutlint::cli::{self, ChainFormat};
use timeoutlint::model::chain::chains;
use timeoutlint::report::mermaid::who;
use timeoutlint::run::{RunOptions, run};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every example folder (not examples/ci), as `examples/NAME`.
fn examples() -> Vec<String> {
    let mut dirs: Vec<String> = std::fs::read_dir(root().join("examples"))
        .expect("examples/ exists")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir() && !p.ends_with("ci"))
        .map(|p| format!("examples/{}", p.file_name().unwrap().to_string_lossy()))
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 5, "{dirs:?}");
    dirs
}

/// `timeoutlint ARGS` run from the repository root (names relative to it).
fn stdout(args: &[&str]) -> String {
    let out = Command::cargo_bin("timeoutlint")
        .unwrap()
        .current_dir(root())
        .env_remove("COLUMNS")
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.code() == Some(0) || out.status.code() == Some(1),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// Parses `xml` fully; returns the text of each `<text>` element, entities
/// resolved. Panics on malformed XML, a second root, or a root that is not
/// an SVG element in the SVG namespace.
fn svg_texts(xml: &str) -> Vec<String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let (mut depth, mut roots) = (0usize, 0);
    let mut texts = Vec::new();
    let mut current: Option<String> = None;
    loop {
        let event = reader
            .read_event()
            .unwrap_or_else(|e| panic!("{e} at {}:\n{xml}", reader.buffer_position()));
        match &event {
            Event::Start(e) | Event::Empty(e) => {
                if depth == 0 {
                    roots += 1;
                    assert_eq!(e.name().0, "svg", "{xml}");
                    let ns = e
                        .try_get_attribute("xmlns")
                        .unwrap()
                        .expect("xmlns on the root");
                    assert_eq!(&*ns.value, "http://www.w3.org/2000/svg");
                }
                for a in e.attributes() {
                    a.unwrap_or_else(|err| panic!("{err}:\n{xml}"));
                }
                if matches!(event, Event::Start(_)) {
                    depth += 1;
                    if e.name().0 == "text" {
                        current = Some(String::new());
                    }
                }
            }
            Event::End(e) => {
                depth -= 1;
                if e.name().0 == "text"
                    && let Some(t) = current.take()
                {
                    texts.push(t);
                }
            }
            Event::Text(t) => {
                if let Some(c) = current.as_mut() {
                    c.push_str(&t.xml_content(quick_xml::XmlVersion::Explicit1_0));
                }
            }
            Event::GeneralRef(r) => {
                let name = r.xml_content(quick_xml::XmlVersion::Explicit1_0);
                let c = match &*name {
                    "amp" => '&',
                    "lt" => '<',
                    "gt" => '>',
                    "quot" => '"',
                    "apos" => '\'',
                    other => r
                        .resolve_char_ref()
                        .ok()
                        .flatten()
                        .unwrap_or_else(|| panic!("unexpected entity &{other};")),
                };
                if let Some(cur) = current.as_mut() {
                    cur.push(c);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(depth, 0, "unclosed elements:\n{xml}");
    assert_eq!(roots, 1, "one root element:\n{xml}");
    texts
}

#[test]
fn svg_is_well_formed_and_labels_every_limit() {
    for ex in examples() {
        let manifest = root().join(&ex);
        let outcome = run(&[manifest], &RunOptions::default());
        let svg = cli::render_chain(ChainFormat::Svg, &outcome);
        let texts = svg_texts(&svg);
        let mut limits = 0;
        for path in &outcome.paths {
            for c in chains(path, &outcome.sources) {
                // Secrets are scrubbed from the picture as from every output
                // (a password `ctfd` masks the path name `ctfd`).
                let scrub = |s: &str| outcome.sources.scrub(s);
                assert!(
                    texts
                        .iter()
                        .any(|t| t == &format!("path: {}", scrub(&c.name))),
                    "{ex}: no title for {}:\n{svg}",
                    c.name
                );
                for m in &c.timeline {
                    let label = scrub(&who(m));
                    // A long label is cut with `…`.
                    assert!(
                        texts.iter().any(|t| t == &label
                            || t.strip_suffix('…')
                                .is_some_and(|p| p.len() > 40 && label.starts_with(p))),
                        "{ex}: no label `{label}`:\n{svg}"
                    );
                    assert!(
                        texts.iter().any(|t| t.starts_with(&scrub(&m.value))),
                        "{ex}: no value `{}` for `{label}`:\n{svg}",
                        m.value
                    );
                    limits += 1;
                }
                let first = c.timeline.iter().filter(|m| m.first).count();
                assert!(first <= 1, "{ex}: {first} first killers");
            }
        }
        assert!(limits > 0, "{ex}: no limits drawn");
    }
}

#[test]
fn a_hostile_name_stays_text_in_every_picture() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("app.yaml"),
        "sqlalchemy:\n  url: mysql+pymysql://app@db/x\n  pool_recycle: 7200\n",
    )
    .unwrap();
    std::fs::write(d.join("my.cnf"), "[mysqld]\nwait_timeout = 600\n").unwrap();
    let name = "a</text><script>x</script>\\n%%{init: {}}%%\n    section evil :crit, 0, 9s & [x](http://e) | y";
    std::fs::write(
        d.join("timeoutlint.toml"),
        format!(
            "[[path]]\nname = {}\napp = \"app.yaml\"\ndb = \"my.cnf\"\n\n[[path.hop]]\nname = \"<b>lb</b>\"\nidle_timeout = \"350s\"\n",
            toml::Value::String(name.to_string())
        ),
    )
    .unwrap();
    let outcome = run(&[d.to_path_buf()], &RunOptions::default());
    assert!(outcome.load_errors.is_empty(), "{:?}", outcome.load_errors);
    let svg = cli::render_chain(ChainFormat::Svg, &outcome);
    let texts = svg_texts(&svg);
    assert!(!svg.contains("<script"), "{svg}");
    assert!(!svg.contains("<b>"), "{svg}");
    assert!(texts.iter().any(|t| t.contains("</text><script>")), "{svg}");
    let mermaid = cli::render_chain(ChainFormat::Mermaid, &outcome);
    let inside: Vec<&str> = mermaid
        .split("```mermaid\n")
        .nth(1)
        .unwrap()
        .split("```")
        .next()
        .unwrap()
        .lines()
        .collect();
    // Only our statements, each a keyword line or a task with our metadata.
    for line in inside {
        assert!(!line.contains('<'), "{line}");
        assert!(!line.contains("%%"), "{line}");
        assert!(
            !line.trim_start().starts_with("section evil"),
            "a name started a statement:\n{mermaid}"
        );
        let t = line.trim_start();
        assert!(
            t == "gantt"
                || [
                    "title ",
                    "dateFormat ",
                    "axisFormat ",
                    "todayMarker ",
                    "section "
                ]
                .iter()
                .any(|k| t.starts_with(k))
                || t.matches(':').count() == 1,
            "{line}"
        );
    }
    let md = cli::render_check(
        cli::Format::Markdown,
        &outcome,
        &[],
        timeoutlint::report::human::Color::Never,
    );
    // Every `<` and `[` from the name is backslash-escaped.
    assert!(!md.replace("\\<", "").contains('<'), "{md}");
    assert!(!md.contains("](http://e)"), "{md}");
    assert!(md.contains("\\[x\\]\\(http://e\\)"), "{md}");
}

/// Where a Chromium for mermaid-cli is, if anywhere: `$PUPPETEER_EXECUTABLE_PATH`,
/// else `/usr/bin/chromium` (Debian's package).
fn chromium() -> Option<PathBuf> {
    std::env::var_os("PUPPETEER_EXECUTABLE_PATH")
        .map(PathBuf::from)
        .or_else(|| Some(PathBuf::from("/usr/bin/chromium")))
        .filter(|p| p.is_file())
}

fn has(program: &str) -> bool {
    std::process::Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn mermaid_passes_the_mermaid_parser() {
    let Some(chrome) = chromium() else {
        eprintln!("SKIPPED: no Chromium (apt-get install chromium) for mermaid-cli");
        return;
    };
    if !has("npx") {
        eprintln!("SKIPPED: no npx (npm) for @mermaid-js/mermaid-cli");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut md = String::new();
    let mut blocks = 0;
    for ex in examples() {
        let text = stdout(&["chain", "--format", "mermaid", &ex]);
        blocks += text.matches("```mermaid").count();
        md.push_str(&text);
        md.push('\n');
    }
    std::fs::write(d.join("all.md"), &md).unwrap();
    std::fs::write(
        d.join("puppeteer.json"),
        serde_json::json!({ "executablePath": chrome, "args": ["--no-sandbox"] }).to_string(),
    )
    .unwrap();
    let out = std::process::Command::new("npx")
        .args(["-y", "@mermaid-js/mermaid-cli", "-p", "puppeteer.json"])
        .args(["-i", "all.md", "-o", "out.svg"])
        .current_dir(d)
        .env("PUPPETEER_SKIP_DOWNLOAD", "1")
        .output()
        .expect("npx runs");
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if !out.status.success() && (log.contains("npm error") || log.contains("npm ERR")) {
        eprintln!("SKIPPED: npx could not install @mermaid-js/mermaid-cli:\n{log}");
        return;
    }
    assert!(out.status.success(), "mermaid-cli failed:\n{log}\n{md}");
    for n in 1..=blocks {
        let svg = d.join(format!("out-{n}.svg"));
        let text = std::fs::read_to_string(&svg)
            .unwrap_or_else(|e| panic!("{}: {e}\n{log}", svg.display()));
        assert!(!text.contains("Syntax error"), "block {n}:\n{md}");
    }
    eprintln!("mermaid-cli parsed and rendered {blocks} charts");
}

#[test]
fn picture_snapshots() {
    for ex in [
        "examples/founding-incident-broken",
        "examples/commcare-nlb-pgbouncer-keepalive-broken",
    ] {
        let name = Path::new(ex).file_name().unwrap().to_string_lossy();
        insta::assert_snapshot!(
            format!("{name}-mermaid"),
            stdout(&["chain", "--format", "mermaid", ex])
        );
        insta::assert_snapshot!(
            format!("{name}-svg"),
            stdout(&["chain", "--format", "svg", ex])
        );
        insta::assert_snapshot!(
            format!("{name}-markdown"),
            stdout(&["check", "--format", "markdown", ex])
        );
        insta::assert_snapshot!(format!("{name}-table"), stdout(&["chain", ex]));
    }
}
