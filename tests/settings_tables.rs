//! The settings tables (`settings/*.toml`) and their generated reference,
//! `docs/settings.md`.

use timeoutlint::systems::settings_table::{self, DefaultFor, Value};

#[test]
fn every_settings_table_loads() {
    let tables = settings_table::load_all().unwrap_or_else(|e| panic!("{e}"));
    let systems: Vec<&str> = tables.iter().map(|t| t.system.as_str()).collect();
    assert_eq!(systems, ["mysql", "postgres", "pgbouncer", "linux"]);
}

#[test]
fn settings_reference_is_generated_from_the_tables() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/settings.md");
    let doc = std::fs::read_to_string(path).unwrap();
    let (start, end) = ("<!-- settings:start -->\n", "<!-- settings:end -->");
    let a = doc.find(start).expect("start marker") + start.len();
    let b = doc.find(end).expect("end marker");
    let tables = settings_table::markdown(&settings_table::load_all().unwrap());
    if std::env::var_os("TIMEOUTLINT_BLESS").is_some() {
        std::fs::write(path, format!("{}{}{}", &doc[..a], tables, &doc[b..])).unwrap();
        return;
    }
    assert_eq!(
        &doc[a..b],
        tables,
        "docs/settings.md is stale (TIMEOUTLINT_BLESS=1 cargo test --test settings_tables)"
    );
}

#[test]
fn defaults_by_version() {
    let number = |d: Option<DefaultFor>| match d {
        Some(DefaultFor::Value {
            value: Value::Number(n),
            ..
        }) => Some(*n),
        _ => None,
    };
    let pgb = |name, v| number(settings_table::default_for("pgbouncer", name, v));
    assert_eq!(pgb("query_wait_timeout", Some("1.6.1")), Some(0));
    assert_eq!(pgb("query_wait_timeout", Some("1.23.1")), Some(120));
    assert_eq!(pgb("tcp_keepalive", Some("1.4.0")), Some(0));
    assert_eq!(pgb("tcp_keepalive", None), Some(1));
    assert!(matches!(
        settings_table::default_for("postgres", "idle_session_timeout", Some("13")),
        Some(DefaultFor::NotInVersion { .. })
    ));
    assert_eq!(
        number(settings_table::default_for(
            "postgres",
            "idle_session_timeout",
            Some("16")
        )),
        Some(0)
    );
}
