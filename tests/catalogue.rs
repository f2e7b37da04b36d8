//! Meta-tests over the rule catalogue in `rules/`.

use std::collections::BTreeSet;

use timeoutlint::rules::catalogue::{self, FILES, RuleDoc};
use timeoutlint::rules::codes::ALL;
use timeoutlint::rules::settings;
use timeoutlint::rules::templates::TemplateKind;

#[test]
fn catalogue_loads_and_matches_the_codes() {
    let docs = catalogue::load().expect("catalogue valid");
    let ids: Vec<&str> = docs.iter().map(|d| d.id.as_str()).collect();
    let codes: Vec<&str> = ALL.iter().map(|c| c.id).collect();
    assert_eq!(ids, codes);
}

#[test]
fn every_file_in_rules_is_embedded() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/rules");
    let on_disk: BTreeSet<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let embedded: BTreeSet<String> = FILES.iter().map(|(f, _)| f.to_string()).collect();
    assert_eq!(on_disk, embedded);
}

#[test]
fn ids_and_names_are_unique_and_well_formed() {
    let mut ids = BTreeSet::new();
    let mut names = BTreeSet::new();
    for c in ALL {
        assert!(ids.insert(c.id), "duplicate id {}", c.id);
        assert!(names.insert(c.name), "duplicate name {}", c.name);
        assert!(
            c.id.len() == 5
                && c.id.starts_with("TL")
                && c.id[2..].bytes().all(|b| b.is_ascii_digit())
        );
        assert!(
            c.name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "{}",
            c.name
        );
    }
}

#[test]
fn every_rule_has_a_fixture_test() {
    let tests = include_str!("rules.rs");
    // The suppression codes (TL009, TL010) are covered by tests/suppress.rs.
    let suppress_tests = include_str!("suppress.rs");
    for c in ALL {
        // Input-problem codes are covered by parser tests and the bad-* fixtures;
        // TL011 by tests/config.rs.
        let covered = tests.contains(&format!("(\"{}\"", c.id))
            || suppress_tests.contains(&format!("(\"{}\"", c.id))
            || [
                "TL003", "TL004", "TL005", "TL007", "TL008", "TL011", "TL120", "TL121", "TL122",
            ]
            .contains(&c.id);
        assert!(covered, "{} has no fixture in tests/rules.rs", c.id);
    }
}

#[test]
fn every_rule_has_a_passing_fixture() {
    let tests = include_str!("rules.rs");
    let table = &tests[tests.find("const PASSING").expect("PASSING table")..];
    for c in ALL {
        assert!(
            table.contains(&format!("(\"{}\", \"", c.id)),
            "{} has no passing fixture in tests/rules.rs PASSING",
            c.id
        );
    }
}

#[test]
fn summaries_follow_the_message_style() {
    const PROPER: &[&str] = &[
        "SQLAlchemy",
        "Flask-SQLAlchemy",
        "MySQL",
        "Django",
        "Linux",
        "PyMySQL",
        "TCP",
    ];
    for d in catalogue::load().unwrap() {
        let first_word = d.summary.split_whitespace().next().unwrap_or("");
        let starts_lower = first_word.starts_with(|c: char| !c.is_uppercase());
        assert!(
            starts_lower || PROPER.iter().any(|p| first_word.starts_with(p)),
            "{}: summary starts with a capital: {}",
            d.id,
            d.summary
        );
        assert!(!d.summary.ends_with('.'), "{}: trailing period", d.id);
    }
}

#[test]
fn readme_rule_table_is_generated_from_the_catalogue() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
    let readme = std::fs::read_to_string(path).unwrap();
    let (start, end) = ("<!-- rules:start -->\n", "<!-- rules:end -->");
    let a = readme.find(start).expect("start marker") + start.len();
    let b = readme.find(end).expect("end marker");
    let table = catalogue::markdown_table(&catalogue::load().unwrap());
    if std::env::var_os("TIMEOUTLINT_BLESS").is_some() {
        std::fs::write(path, format!("{}{}{}", &readme[..a], table, &readme[b..])).unwrap();
        return;
    }
    assert_eq!(
        &readme[a..b],
        table,
        "README rule table is stale (TIMEOUTLINT_BLESS=1 cargo test --test catalogue)"
    );
}

/// Every rule file, parsed on its own (so that one missing doc elsewhere does
/// not hide a bad setting name here).
fn each_doc() -> Vec<RuleDoc> {
    FILES
        .iter()
        .map(|(file, text)| {
            toml::from_str(text).unwrap_or_else(|e| panic!("rules/{file}: {}", e.message()))
        })
        .collect()
}

#[test]
fn every_setting_a_rule_names_exists_in_the_model() {
    for d in each_doc() {
        for s in &d.settings {
            assert!(
                settings::lookup(s).is_some(),
                "{}: setting `{s}` is not in src/rules/settings.rs",
                d.id
            );
        }
    }
}

#[test]
fn template_rules_name_the_settings_they_compare() {
    for d in each_doc() {
        let at_least = match d.template {
            TemplateKind::Ordering => 2,
            TemplateKind::Threshold | TemplateKind::Capacity => 1,
            TemplateKind::Input | TemplateKind::Function => 0,
        };
        assert!(
            d.settings.len() >= at_least,
            "{}: template {} names {} setting(s)",
            d.id,
            d.template.as_str(),
            d.settings.len()
        );
        if d.id.starts_with("TL0") {
            assert!(
                matches!(d.template, TemplateKind::Input | TemplateKind::Function),
                "{}: input problems use template input",
                d.id
            );
        }
    }
}

/// The lab's scenarios folder, `lab/scenarios/`.
fn lab_scenarios() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("lab/scenarios")
}

#[test]
fn every_proven_entry_names_a_lab_scenario() {
    let docs = catalogue::load().expect("catalogue valid");
    for d in &docs {
        for p in &d.proven {
            let dir = lab_scenarios().join(&p.scenario);
            assert!(
                dir.join("lab.toml").is_file() && dir.join("timeoutlint.toml").is_file(),
                "{}: proven scenario `{}` is not a lab scenario (no {}/lab.toml and timeoutlint.toml)",
                d.id,
                p.scenario,
                dir.display()
            );
        }
    }
}

#[test]
fn every_error_rule_is_proven_or_not_applicable() {
    let docs = catalogue::load().expect("catalogue valid");
    let missing: Vec<&str> = docs
        .iter()
        .filter(|d| d.severity == "error" && d.proven.is_empty() && d.not_applicable.is_none())
        .map(|d| d.id.as_str())
        .collect();
    assert!(
        missing.is_empty(),
        "error rules neither proven in the lab nor marked not_applicable: {missing:?}"
    );
}

#[test]
fn a_proven_scenario_proves_the_rule_that_names_it() {
    // lab.toml's `rule` names the rule the scenario proves: a [[proven]]
    // entry may not borrow another rule's scenario.
    let docs = catalogue::load().expect("catalogue valid");
    for d in &docs {
        for p in &d.proven {
            let lab = std::fs::read_to_string(lab_scenarios().join(&p.scenario).join("lab.toml"))
                .unwrap_or_default();
            let table: toml::Table = toml::from_str(&lab).expect("lab.toml is TOML");
            // `rule = "TL101"`, or a list for a scenario that proves several.
            let rules: Vec<&str> = match table.get("rule") {
                Some(toml::Value::String(s)) => vec![s.as_str()],
                Some(toml::Value::Array(a)) => a.iter().filter_map(|v| v.as_str()).collect(),
                _ => Vec::new(),
            };
            assert!(
                rules.contains(&d.id.as_str()),
                "scenario {} proves {rules:?}, not {}",
                p.scenario,
                d.id
            );
        }
    }
}
