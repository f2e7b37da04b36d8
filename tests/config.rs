//! The lint configuration: accept/reject tables for every key, where it is
//! read from (manifest `[lint]`, nearest `pyproject.toml`, `--config`), rule
//! selection, severity overrides, per-path ignores, and custom rules on the
//! fixtures under `tests/fixtures/config/`.

use std::path::{Path, PathBuf};

use timeoutlint::config::{self, LintConfig};
use timeoutlint::diagnostic::{Diagnostic, Severity};
use timeoutlint::report::gcc;
use timeoutlint::run::{RunOptions, run};
use timeoutlint::source::SourceMap;

fn fixture(case: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/config")
        .join(case)
}

/// A run of the fixture `case` with its configuration applied, as the CLI
/// does: `(rule id, severity)` of each finding, and the gcc text.
fn check(case: &str, explicit: Option<&str>) -> (Vec<(String, String)>, String, LintConfig) {
    let dir = fixture(case);
    // `run` loads the configuration (the manifest's [lint], a pyproject.toml,
    // or --config), runs the custom rules and applies select/ignore/severity.
    let opts = RunOptions {
        config: explicit.map(|e| dir.join(e)),
        ..RunOptions::default()
    };
    let outcome = run(std::slice::from_ref(&dir), &opts);
    assert!(outcome.load_errors.is_empty(), "{:?}", outcome.load_errors);
    let diags = outcome.diagnostics;
    let found = diags
        .iter()
        .map(|d| (d.code.id.to_string(), d.severity.as_str().to_string()))
        .collect();
    (
        found,
        gcc::render(&diags, &[], &outcome.sources),
        outcome.config,
    )
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

/// Loads `text` as the manifest's `[lint]` (from a folder without any
/// pyproject.toml): the config and the diagnostics.
fn load_manifest_text(text: &str) -> (LintConfig, Vec<Diagnostic>, SourceMap) {
    let empty = tempfile::tempdir().unwrap();
    let mut sources = SourceMap::new(None);
    let file = sources.add(Path::new("m/timeoutlint.toml"), text.to_string());
    let mut diags = Vec::new();
    let cfg = config::load(Some(file), empty.path(), None, &mut sources, &mut diags).unwrap();
    (cfg, diags, sources)
}

// ---------------------------------------------------------------- accept

#[test]
fn accepts_every_key() {
    let (cfg, diags, _) = load_manifest_text(
        r#"
[[path]]
app = "a.yaml"

[lint]
select = ["ALL"]
ignore = ["TL118", "pool-recycle-exceeds-wait-timeout", "TL12"]
severity = { TL104 = "error", TL11 = "info" }
margin = 12.5
fail-on = "warning"

[lint.per-path-ignores]
"reports -> *" = ["TL125"]
"api -> orders-db" = ["TL1"]

[[lint.rule]]
id = "ORG001"
name = "pool-recycle-above-half-wait-timeout"
severity = "error"
template = "ordering"
left = "app.retirement"
right = "server.wait_timeout"
factor = 0.5
or_equal = true
message = "pool_recycle must be at most half of wait_timeout"
help = "halve it"

[[lint.rule]]
id = "ORG002"
name = "pool-wait-too-long"
template = "threshold"
setting = "app.pool_timeout"
min = "1s"
max = "10s"
required = true
"#,
    );
    assert!(diags.is_empty(), "{diags:#?}");
    assert_eq!(cfg.margin(), Some(12.5));
    assert_eq!(cfg.fail_on(), Some(Severity::Warning));
    assert_eq!(cfg.rules().len(), 2);
    assert_eq!(cfg.rules()[0].code.id, "ORG001");
    assert_eq!(cfg.rules()[0].code.severity, Severity::Error);
    assert_eq!(cfg.rules()[1].code.severity, Severity::Warning);
    assert!(!cfg.enabled("TL118"));
    assert!(!cfg.enabled("TL101"));
    assert!(!cfg.enabled("TL123"));
    assert!(cfg.enabled("TL102"));
    assert!(cfg.enabled("ORG001"));
    assert_eq!(cfg.severity_of("TL104"), Some(Severity::Error));
    assert_eq!(cfg.severity_of("TL110"), Some(Severity::Info));
    assert_eq!(cfg.severity_of("TL101"), None);
}

#[test]
fn no_configuration_changes_nothing() {
    let (cfg, diags, _) = load_manifest_text("[[path]]\napp = \"a.yaml\"\n");
    assert!(diags.is_empty());
    assert_eq!(cfg, LintConfig::default());
    assert!(cfg.enabled("TL101") && cfg.enabled("TL011"));
    assert_eq!((cfg.margin(), cfg.fail_on()), (None, None));
}

#[test]
fn margin_accepts_the_range_ends() {
    for (m, ok) in [
        ("0", true),
        ("99.9", true),
        ("10", true),
        ("100", false),
        ("-1", false),
        ("\"10%\"", false),
        ("nan", false),
    ] {
        let (cfg, diags, _) = load_manifest_text(&format!("[lint]\nmargin = {m}\n"));
        assert_eq!(cfg.margin().is_some(), ok, "margin = {m}");
        assert_eq!(diags.is_empty(), ok, "margin = {m}: {diags:#?}");
        assert!(diags.iter().all(|d| d.code.id == "TL011"));
    }
}

// ---------------------------------------------------------------- reject

/// `(config, message fragment, text at the primary location)`: each input
/// gives exactly one TL011 located at that text.
const REJECT: &[(&str, &str, &str)] = &[
    (
        "[lint]\nselct = [\"TL1\"]\n",
        "unknown key `lint.selct`",
        "selct",
    ),
    (
        "[lint]\nfail_on = \"error\"\n",
        "unknown key `lint.fail_on`",
        "fail_on",
    ),
    (
        "[lint]\nselect = \"TL1\"\n",
        "`lint.select` must be a list",
        "\"TL1\"",
    ),
    (
        "[lint]\nselect = [1]\n",
        "`lint.select` must be a string, not integer",
        "1",
    ),
    (
        "[lint]\nignore = [\"TL999\"]\n",
        "`TL999` matches no rule",
        "\"TL999\"",
    ),
    (
        "[lint]\nignore = [\"XY\"]\n",
        "`XY` matches no rule",
        "\"XY\"",
    ),
    (
        "[lint]\nseverity = { TL101 = \"fatal\" }\n",
        "not \"fatal\"",
        "\"fatal\"",
    ),
    (
        "[lint]\nseverity = { nope = \"info\" }\n",
        "`nope` matches no rule",
        "nope",
    ),
    (
        "[lint]\nseverity = [\"TL101\"]\n",
        "`lint.severity` must be a table",
        "[\"TL101\"]",
    ),
    ("[lint]\nmargin = 150\n", "below 100, not 150", "150"),
    (
        "[lint]\nmargin = \"10%\"\n",
        "must be a number, not string",
        "\"10%\"",
    ),
    (
        "[lint]\nfail-on = \"fatal\"\n",
        "`lint.fail-on` must be \"error\"",
        "\"fatal\"",
    ),
    (
        "[lint]\nfail-on = 2\n",
        "`lint.fail-on` must be a string",
        "2",
    ),
    (
        "[lint.per-path-ignores]\n\"api\" = [\"TL9\"]\n",
        "`TL9` matches no rule",
        "\"TL9\"",
    ),
    (
        "[lint.per-path-ignores]\n\"api\" = \"TL101\"\n",
        "must be a list",
        "\"TL101\"",
    ),
    ("lint = 3\n", "`lint` must be a table", "3"),
    // Custom rules.
    (
        "[[lint.rule]]\nid = \"ORG1\"\nname = \"x\"\ntemplate = \"ordering\"\nleft = \"app.pool_recycle\"\nright = \"server.wait_timeout\"\n",
        "unknown setting `app.pool_recycle` in `lint.rule[1].left`",
        "\"app.pool_recycle\"",
    ),
    (
        "[[lint.rule]]\nid = \"TL900\"\nname = \"x\"\ntemplate = \"ordering\"\nleft = \"app.retirement\"\nright = \"server.wait_timeout\"\n",
        "uses the built-in prefix TL",
        "\"TL900\"",
    ),
    (
        "[[lint.rule]]\nid = \"org-1\"\nname = \"x\"\ntemplate = \"ordering\"\nleft = \"app.retirement\"\nright = \"server.wait_timeout\"\n",
        "must be upper-case letters then digits",
        "\"org-1\"",
    ),
    (
        "[[lint.rule]]\nid = \"ORG1\"\nname = \"Pool Recycle\"\ntemplate = \"ordering\"\nleft = \"app.retirement\"\nright = \"server.wait_timeout\"\n",
        "must be kebab-case",
        "\"Pool Recycle\"",
    ),
    (
        "[[lint.rule]]\nid = \"ORG1\"\nname = \"pool-recycle-exceeds-wait-timeout\"\ntemplate = \"ordering\"\nleft = \"app.retirement\"\nright = \"server.wait_timeout\"\n",
        "is already a rule's name",
        "\"pool-recycle-exceeds-wait-timeout\"",
    ),
    (
        "[[lint.rule]]\nid = \"ORG1\"\nname = \"x\"\ntemplate = \"capacity\"\n",
        "template `capacity` is for built-in rules only",
        "\"capacity\"",
    ),
    (
        "[[lint.rule]]\nid = \"ORG1\"\nname = \"x\"\ntemplate = \"range\"\n",
        "unknown template `range`",
        "\"range\"",
    ),
    (
        "[[lint.rule]]\nid = \"ORG1\"\nname = \"x\"\ntemplate = \"ordering\"\nleft = \"app.retirement\"\nright = \"server.wait_timeout\"\nfactr = 2\n",
        "unknown key `lint.rule[1].factr`",
        "factr",
    ),
    (
        "[[lint.rule]]\nid = \"ORG1\"\nname = \"x\"\ntemplate = \"ordering\"\nleft = \"app.retirement\"\nright = \"server.wait_timeout\"\nfactor = 0\n",
        "must be above 0",
        "0",
    ),
    (
        "[[lint.rule]]\nid = \"ORG1\"\nname = \"x\"\ntemplate = \"ordering\"\nleft = \"app.retirement\"\nright = \"server.wait_timeout\"\nor_equal = \"yes\"\n",
        "`lint.rule[1].or_equal` must be true or false",
        "\"yes\"",
    ),
    (
        "[[lint.rule]]\nid = \"ORG1\"\nname = \"x\"\ntemplate = \"ordering\"\nleft = \"app.retirement\"\nright = \"server.max_connections\"\n",
        "cannot be compared",
        "\"server.max_connections\"",
    ),
    (
        "[[lint.rule]]\nid = \"ORG1\"\nname = \"x\"\ntemplate = \"ordering\"\nleft = \"app.retirement\"\nright = \"server.wait_timeout\"\nmax = \"10s\"\n",
        "`max` is not a parameter of template `ordering`",
        "max",
    ),
    (
        "[[lint.rule]]\nid = \"ORG1\"\nname = \"x\"\ntemplate = \"threshold\"\nsetting = \"app.pool_timeout\"\nmax = 10\n",
        "must be a duration string like \"30s\"",
        "10",
    ),
    (
        "[[lint.rule]]\nid = \"ORG1\"\nname = \"x\"\ntemplate = \"threshold\"\nsetting = \"app.pool_timeout\"\nmax = \"10\"\n",
        "has no unit",
        "\"10\"",
    ),
    (
        "[[lint.rule]]\nid = \"ORG1\"\nname = \"x\"\ntemplate = \"threshold\"\nsetting = \"server.max_connections\"\nmin = \"100\"\n",
        "must be a non-negative integer for the count setting",
        "\"100\"",
    ),
    (
        "[[lint.rule]]\nid = \"ORG1\"\nname = \"x\"\ntemplate = \"threshold\"\nsetting = \"app.pool_timeout\"\nmin = \"20s\"\nmax = \"10s\"\n",
        "`lint.rule[1].max` is below `lint.rule[1].min`",
        "\"10s\"",
    ),
    (
        "[[lint.rule]]\nid = \"ORG1\"\nname = \"x\"\ntemplate = \"threshold\"\nsetting = \"app.pool_timeout\"\n",
        "`lint.rule[1]` checks nothing",
        "",
    ),
    (
        "[[lint.rule]]\nname = \"x\"\ntemplate = \"threshold\"\nsetting = \"app.pool_timeout\"\nrequired = true\n",
        "`lint.rule[1]` has no `id`",
        "",
    ),
    (
        "[[lint.rule]]\nid = \"ORG1\"\nname = \"x\"\ntemplate = \"threshold\"\nsetting = \"app.pool_timeout\"\nrequired = true\n[[lint.rule]]\nid = \"ORG1\"\nname = \"y\"\ntemplate = \"threshold\"\nsetting = \"app.pool_timeout\"\nrequired = true\n",
        "custom rule id `ORG1` is defined twice",
        "\"ORG1\"",
    ),
];

#[test]
fn rejects_bad_keys_and_values_at_their_location() {
    for (text, fragment, at) in REJECT {
        let (_, diags, sources) = load_manifest_text(text);
        assert_eq!(diags.len(), 1, "{text}\n{diags:#?}");
        let d = &diags[0];
        assert_eq!(d.code.id, "TL011", "{text}");
        assert_eq!(d.severity, Severity::Error);
        assert!(
            d.message.contains(fragment),
            "{text}\nmessage: {}\nwanted: {fragment}",
            d.message
        );
        let loc = d.primary.location.expect("located");
        let shown = sources.text_at(loc);
        if at.is_empty() {
            // A missing key: the rule's table header.
            assert_eq!(shown, "[[lint.rule]]", "{text}");
        } else {
            assert_eq!(shown, *at, "{text}");
        }
        assert!(!d.message.ends_with('.'), "{}", d.message);
    }
}

#[test]
fn unknown_key_is_located_by_line_and_suggests_the_spelling() {
    let (_, diags, sources) = load_manifest_text(
        "[[path]]\napp = \"a.yaml\"\n\n[lint]\nselect = [\"TL1\"]\nper_path_ignores = {}\n",
    );
    assert_eq!(diags.len(), 1);
    let r = sources.resolve(diags[0].primary.location.unwrap());
    assert_eq!(
        (r.file.as_str(), r.start.line, r.start.column),
        ("m/timeoutlint.toml", 6, 1)
    );
    assert_eq!(
        diags[0].help.as_deref(),
        Some("did you mean `per-path-ignores`?")
    );
}

#[test]
fn an_invalid_entry_is_skipped_and_the_rest_applies() {
    let (cfg, diags, _) = load_manifest_text(
        "[lint]\nignore = [\"TL999\", \"TL118\"]\nmargin = 500\nfail-on = \"info\"\n",
    );
    assert_eq!(diags.len(), 2);
    assert!(!cfg.enabled("TL118"));
    assert_eq!(cfg.margin(), None);
    assert_eq!(cfg.fail_on(), Some(Severity::Info));
}

#[test]
fn a_manifest_that_does_not_parse_yields_no_config_error() {
    // The manifest parser reports TL001; the config loader stays silent.
    let (cfg, diags, _) = load_manifest_text("[lint\nselect = 1\n");
    assert!(diags.is_empty());
    assert!(cfg.rules().is_empty());
}

// ------------------------------------------------------ select / ignore

fn selection(select: &str, ignore: &str) -> LintConfig {
    let (cfg, diags, _) =
        load_manifest_text(&format!("[lint]\nselect = {select}\nignore = {ignore}\n"));
    assert!(diags.is_empty(), "{diags:#?}");
    cfg
}

#[test]
fn select_and_ignore_by_id_name_and_prefix() {
    let cfg = selection("[\"TL1\"]", "[]");
    assert!(cfg.enabled("TL101") && cfg.enabled("TL126"));
    assert!(!cfg.enabled("TL001"));
    // TL011 is never deselected.
    assert!(cfg.enabled("TL011"));

    let cfg = selection("[\"pool-recycle-exceeds-wait-timeout\"]", "[]");
    assert!(cfg.enabled("TL101") && !cfg.enabled("TL102"));

    let cfg = selection("[\"tl10\"]", "[\"TL104\"]");
    assert!(cfg.enabled("TL101") && !cfg.enabled("TL104") && !cfg.enabled("TL110"));

    // The more specific selector wins, whichever list it is in.
    let cfg = selection("[\"TL101\"]", "[\"TL1\"]");
    assert!(cfg.enabled("TL101") && !cfg.enabled("TL102"));
    let cfg = selection("[\"ALL\"]", "[\"TL12\"]");
    assert!(!cfg.enabled("TL123") && cfg.enabled("TL119"));
    // A tie goes to ignore.
    let cfg = selection("[\"TL101\"]", "[\"pool-recycle-exceeds-wait-timeout\"]");
    assert!(!cfg.enabled("TL101"));
}

#[test]
fn ignore_and_severity_act_on_a_run() {
    let (found, _, _) = check("explicit", None);
    assert_eq!(found, pairs(&[]), "manifest [lint] ignores TL101");
}

// ------------------------------------------------------------ sources

#[test]
fn explicit_config_with_top_level_keys_replaces_the_manifest_lint() {
    let (found, _, cfg) = check("explicit", Some("lint.toml"));
    assert_eq!(found, pairs(&[("TL101", "warning")]));
    assert_eq!(cfg.fail_on(), Some(Severity::Warning));
    assert_eq!(cfg.margin(), Some(20.0));
}

#[test]
fn explicit_config_with_a_lint_table() {
    let (found, _, _) = check("explicit", Some("lint-table.toml"));
    assert_eq!(found, pairs(&[]), "only TL0xx selected");
}

#[test]
fn explicit_config_unknown_top_level_key() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("lint.toml");
    std::fs::write(&f, "select = [\"TL1\"]\nmargn = 5\n").unwrap();
    let mut sources = SourceMap::new(None);
    let mut diags = Vec::new();
    let cfg = config::load(None, dir.path(), Some(&f), &mut sources, &mut diags).unwrap();
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].message, "unknown key `margn`");
    assert!(!cfg.enabled("TL001"));
    // Beside a [lint] table, only `path` (a manifest) may sit at the top.
    std::fs::write(&f, "margin = 5\n[lint]\nmargin = 6\n").unwrap();
    let mut sources = SourceMap::new(None);
    let mut diags = Vec::new();
    let cfg = config::load(None, dir.path(), Some(&f), &mut sources, &mut diags).unwrap();
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert_eq!(diags[0].message, "unknown key `margin`");
    assert_eq!(cfg.margin(), Some(6.0));
}

#[test]
fn explicit_config_that_does_not_parse_is_tl001_and_unreadable_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("lint.toml");
    std::fs::write(&f, "select = [\n").unwrap();
    let mut sources = SourceMap::new(None);
    let mut diags = Vec::new();
    config::load(None, dir.path(), Some(&f), &mut sources, &mut diags).unwrap();
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].code.id, "TL001");
    let missing = dir.path().join("nope.toml");
    let r = config::load(None, dir.path(), Some(&missing), &mut sources, &mut diags);
    assert!(r.is_err());
}

#[test]
fn explicit_pyproject_reads_tool_timeoutlint() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("pyproject.toml");
    std::fs::write(&f, "[project]\nname = \"x\"\n").unwrap();
    let mut sources = SourceMap::new(None);
    let mut diags = Vec::new();
    config::load(None, dir.path(), Some(&f), &mut sources, &mut diags).unwrap();
    assert_eq!(diags.len(), 1);
    assert!(diags[0].message.contains("no [tool.timeoutlint] table"));
    std::fs::write(&f, "[tool.timeoutlint]\nfail-on = \"info\"\n").unwrap();
    let mut sources = SourceMap::new(None);
    let mut diags = Vec::new();
    let cfg = config::load(None, dir.path(), Some(&f), &mut sources, &mut diags).unwrap();
    assert!(diags.is_empty());
    assert_eq!(cfg.fail_on(), Some(Severity::Info));
}

#[test]
fn nearest_pyproject_wins() {
    let (found, _, cfg) = check("pyproject-nearest/inner/project", None);
    assert_eq!(found, pairs(&[]), "inner pyproject ignores TL101");
    assert!(cfg.file.is_some());
}

#[test]
fn pyproject_without_the_table_is_passed_over() {
    let (found, _, _) = check("pyproject-skip/inner/project", None);
    assert_eq!(
        found,
        pairs(&[("TL101", "info")]),
        "outer pyproject applies"
    );
}

#[test]
fn manifest_lint_wins_over_pyproject() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("pyproject.toml"),
        "[tool.timeoutlint]\nfail-on = \"info\"\n",
    )
    .unwrap();
    let mut sources = SourceMap::new(None);
    let m = sources.add(
        &dir.path().join("timeoutlint.toml"),
        "[lint]\nfail-on = \"warning\"\n".to_string(),
    );
    let mut diags = Vec::new();
    let cfg = config::load(Some(m), dir.path(), None, &mut sources, &mut diags).unwrap();
    assert_eq!(cfg.fail_on(), Some(Severity::Warning));
    // Without [lint], the pyproject beside the manifest applies.
    let mut sources = SourceMap::new(None);
    let m = sources.add(
        &dir.path().join("timeoutlint.toml"),
        "[[path]]\napp = \"a.yaml\"\n".to_string(),
    );
    let cfg = config::load(Some(m), dir.path(), None, &mut sources, &mut diags).unwrap();
    assert_eq!(cfg.fail_on(), Some(Severity::Info));
    assert!(diags.is_empty());
}

// ---------------------------------------------------- per-path ignores

#[test]
fn per_path_ignores_drop_findings_of_matching_paths_only() {
    let (found, text, _) = check("per-path", None);
    assert_eq!(found, pairs(&[("TL101", "error")]), "{text}");
    assert!(text.contains("api/app.yaml"), "{text}");
    assert!(!text.contains("reports/app.yaml"), "{text}");
}

// -------------------------------------------------------- custom rules

#[test]
fn custom_ordering_rule_fires() {
    let (found, text, _) = check("ordering-fires", None);
    assert_eq!(found, pairs(&[("ORG001", "error")]), "{text}");
    insta::assert_snapshot!("ordering-fires", text);
}

#[test]
fn custom_ordering_rule_names_both_values_and_origins() {
    let dir = fixture("ordering-fires");
    let outcome = run(std::slice::from_ref(&dir), &RunOptions::default());
    let mut sources = outcome.sources;
    let mut diags = Vec::new();
    let manifest = sources
        .files()
        .find(|(_, f)| f.path().ends_with("timeoutlint.toml"))
        .map(|(id, _)| id);
    let cfg = config::load(manifest, &dir, None, &mut sources, &mut diags).unwrap();
    let d = cfg.custom(&outcome.paths[0], &sources).remove(0);
    assert_eq!(
        d.message,
        "pool_recycle must be at most half of wait_timeout: app.retirement = 400 s (tests/fixtures/config/ordering-fires/app.yaml:3) is not below 0.5 × server.wait_timeout = 600 s (tests/fixtures/config/ordering-fires/my.cnf:2), that is 300 s"
    );
    assert_eq!(sources.text_at(d.primary.location.unwrap()), "400");
    assert_eq!(sources.text_at(d.related[0].location.unwrap()), "600");
    assert!(d.related[1].message.contains("ORG001"));
    assert_eq!(
        d.help.as_deref(),
        Some("set app.retirement below 0.5 × server.wait_timeout (300 s)")
    );
}

#[test]
fn custom_ordering_rule_passes() {
    let (found, text, _) = check("ordering-passes", None);
    assert_eq!(found, pairs(&[]), "{text}");
}

#[test]
fn custom_threshold_rules() {
    let (found, text, _) = check("threshold", None);
    assert_eq!(
        found,
        pairs(&[("ORG002", "warning"), ("ORG003", "info")]),
        "{text}"
    );
    insta::assert_snapshot!("threshold", text);
}

#[test]
fn custom_rules_can_be_selected_and_overridden() {
    let (cfg, diags, _) = load_manifest_text(
        r#"
[lint]
select = ["ORG"]
severity = { ORG = "error" }

[[lint.rule]]
id = "ORG7"
name = "x"
template = "threshold"
setting = "app.read_timeout"
required = true
"#,
    );
    assert!(diags.is_empty(), "{diags:#?}");
    assert!(cfg.enabled("ORG7") && !cfg.enabled("TL101"));
    assert_eq!(cfg.severity_of("ORG7"), Some(Severity::Error));
}

#[test]
fn flags_replace_select_and_ignore() {
    let mut cfg = LintConfig::default();
    cfg.set_select(&["TL1".to_string()]).unwrap();
    cfg.set_ignore(&["TL101".to_string()]).unwrap();
    cfg.set_margin(25.0);
    cfg.set_fail_on(Severity::Info);
    assert!(!cfg.enabled("TL101") && cfg.enabled("TL102") && !cfg.enabled("TL001"));
    assert_eq!(
        (cfg.margin(), cfg.fail_on()),
        (Some(25.0), Some(Severity::Info))
    );
    assert!(cfg.set_select(&["TL9".to_string()]).is_err());
}

/// Runs a one-path MySQL case built in a temporary folder: `app` is the
/// SQLAlchemy block, `lint` the manifest's lint tables. The custom findings.
fn custom_on(app: &str, wait_timeout: u32, lint: &str) -> Vec<Diagnostic> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("app.yaml"),
        format!("sqlalchemy:\n  url: mysql+pymysql://app@db/orders\n{app}"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("my.cnf"),
        format!("[mysqld]\nwait_timeout = {wait_timeout}\n"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("timeoutlint.toml"),
        format!("[[path]]\napp = \"app.yaml\"\ndb = \"my.cnf\"\n\n{lint}"),
    )
    .unwrap();
    // Names relative to the folder (`--root`), not to the working directory.
    let opts = RunOptions {
        root: Some(dir.path().to_path_buf()),
        ..RunOptions::default()
    };
    let outcome = run(&[dir.path().to_path_buf()], &opts);
    let mut sources = outcome.sources;
    let manifest = sources
        .files()
        .find(|(_, f)| f.path().ends_with("timeoutlint.toml"))
        .map(|(id, _)| id);
    let mut diags = Vec::new();
    let cfg = config::load(manifest, dir.path(), None, &mut sources, &mut diags).unwrap();
    assert!(diags.is_empty(), "{diags:#?}");
    cfg.custom(&outcome.paths[0], &sources)
}

const HALF: &str = "[[lint.rule]]\nid = \"ORG1\"\nname = \"half\"\ntemplate = \"ordering\"\nleft = \"app.retirement\"\nright = \"server.wait_timeout\"\nfactor = 0.5\n";

#[test]
fn ordering_at_the_bound_fires_unless_or_equal() {
    assert_eq!(custom_on("  pool_recycle: 300\n", 600, HALF).len(), 1);
    let or_equal = format!("{HALF}or_equal = true\n");
    assert!(custom_on("  pool_recycle: 300\n", 600, &or_equal).is_empty());
    let d = custom_on("  pool_recycle: 301\n", 600, &or_equal).remove(0);
    assert!(
        d.message.contains("is above 0.5 × server.wait_timeout"),
        "{}",
        d.message
    );
}

#[test]
fn ordering_with_a_retirement_of_never_fires() {
    let d = custom_on("  pool_size: 5\n", 600, HALF).remove(0);
    assert!(
        d.message
            .starts_with("app.retirement = never (SQLAlchemy default) is not below"),
        "{}",
        d.message
    );
    // The default has no text of its own: the label says so at its anchor.
    assert!(
        d.primary.message.contains("is not set here"),
        "{:?}",
        d.primary
    );
}

#[test]
fn ordering_is_skipped_where_a_setting_is_not_on_the_path() {
    let lint = "[[lint.rule]]\nid = \"ORG1\"\nname = \"x\"\ntemplate = \"ordering\"\nleft = \"app.retirement\"\nright = \"server.idle_session_timeout\"\n";
    assert!(custom_on("  pool_recycle: 3600\n", 600, lint).is_empty());
}

#[test]
fn threshold_bounds_are_inclusive() {
    let rule = |bounds: &str| {
        format!(
            "[[lint.rule]]\nid = \"ORG1\"\nname = \"x\"\ntemplate = \"threshold\"\nsetting = \"app.pool_timeout\"\n{bounds}"
        )
    };
    let app = "  pool_timeout: 10\n";
    assert!(custom_on(app, 600, &rule("min = \"10s\"\nmax = \"10s\"\n")).is_empty());
    let d = custom_on(app, 600, &rule("min = \"11s\"\n")).remove(0);
    assert_eq!(
        d.message,
        "app.pool_timeout = 10 s (app.yaml:3) is below the minimum 11 s"
    );
    assert_eq!(
        d.help.as_deref(),
        Some("set app.pool_timeout to at least 11 s")
    );
}
