//! Loads the project's own PostgreSQL fixtures (`tests/fixtures/postgres`):
//! a postgresql.conf tree with includes and postgresql.auto.conf, and the
//! three dump shapes (`SHOW ALL`, unaligned `pg_settings`, `pg_settings` CSV).

use std::path::{Path, PathBuf};
use std::time::Duration;

use timeoutlint::diagnostic::{Diagnostic, Severity};
use timeoutlint::provenance::Origin;
use timeoutlint::source::SourceMap;
use timeoutlint::systems::postgres::{
    PostgresInput, PostgresServer, load_postgres, looks_like_postgres,
};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/postgres")
        .join(name)
}

fn load(name: &str) -> (PostgresServer, SourceMap, Vec<Diagnostic>) {
    let path = fixture(name);
    let mut sources = SourceMap::new(Some(fixture("")));
    let mut diags = Vec::new();
    let server = load_postgres(&path, &mut sources, &mut diags).expect("fixture loads");
    (server, sources, diags)
}

fn at(sources: &SourceMap, origin: &Origin) -> String {
    let loc = origin.location().expect("a location");
    format!("{} `{}`", sources.short(loc), sources.text_at(loc))
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[test]
fn conf_tree_with_includes_and_auto_conf() {
    let (s, sources, diags) = load("tree/postgresql.conf");
    assert_eq!(s.input, PostgresInput::ConfFile);
    let names: Vec<&str> = s.files.iter().map(|id| sources.get(*id).name()).collect();
    assert_eq!(
        names,
        [
            "tree/postgresql.conf",
            "tree/extra.conf",
            "tree/conf.d/10-timeouts.conf",
            "tree/conf.d/20-override.conf",
            "tree/postgresql.auto.conf"
        ]
    );
    // The bare `statement_timeout = 30` warns, and auto.conf overrides it.
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0].code.id, "TL007");
    assert_eq!(diags[0].severity, Severity::Warning);
    assert_eq!(s.statement_timeout.value, ms(45_000));
    assert_eq!(
        at(&sources, &s.statement_timeout.origin),
        "tree/postgresql.auto.conf:3 `'45s'`"
    );
    assert_eq!(s.idle_session_timeout.value, ms(600_000));
    assert_eq!(s.idle_in_transaction_session_timeout.value, ms(120_000));
    assert_eq!(
        at(&sources, &s.idle_in_transaction_session_timeout.origin),
        "tree/conf.d/20-override.conf:1 `2min`"
    );
    assert_eq!(s.lock_timeout.value, ms(5000));
    assert_eq!(s.tcp_keepalives_idle.value, Duration::from_secs(300));
    assert_eq!(s.tcp_keepalives_interval.value, Duration::from_secs(30));
    assert_eq!(s.max_connections.value, 150);
    assert_eq!(s.superuser_reserved_connections.value, 3);
    assert!(!s.superuser_reserved_connections.origin.is_explicit());
    let text = std::fs::read_to_string(fixture("tree/postgresql.conf")).expect("read");
    assert!(looks_like_postgres(&text));
}

#[test]
fn show_all_dump() {
    let (s, sources, diags) = load("show_all.txt");
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(s.input, PostgresInput::SettingsTable);
    assert_eq!(s.statement_timeout.value, ms(30_000));
    assert_eq!(
        at(&sources, &s.statement_timeout.origin),
        "show_all.txt:12 `30s`"
    );
    assert_eq!(s.idle_in_transaction_session_timeout.value, ms(60_000));
    assert_eq!(s.idle_session_timeout.value, Duration::ZERO);
    assert!(s.idle_session_timeout.origin.is_explicit());
    assert_eq!(s.tcp_keepalives_idle.value, Duration::from_secs(7200));
    assert_eq!(s.tcp_keepalives_interval.value, Duration::from_secs(75));
    assert_eq!(s.tcp_keepalives_count.value, 9);
    assert_eq!(s.max_connections.value, 200);
    // transaction_timeout is not in this (PG16) dump: documented default.
    assert!(!s.transaction_timeout.origin.is_explicit());
    let text = std::fs::read_to_string(fixture("show_all.txt")).expect("read");
    assert!(looks_like_postgres(&text));
}

#[test]
fn unaligned_pg_settings_dump() {
    let (s, sources, diags) = load("show_all_unaligned.txt");
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(s.input, PostgresInput::SettingsTable);
    assert_eq!(s.idle_in_transaction_session_timeout.value, ms(300_000));
    assert_eq!(s.tcp_keepalives_idle.value, Duration::from_secs(600));
    assert_eq!(s.max_connections.value, 100);
    assert!(s.max_connections.origin.is_explicit());
    assert_eq!(
        at(&sources, &s.tcp_keepalives_idle.origin),
        "show_all_unaligned.txt:6 `600`"
    );
}

#[test]
fn pg_settings_csv_dump() {
    let (s, sources, diags) = load("pg_settings.csv");
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(s.input, PostgresInput::SettingsCsv);
    assert_eq!(s.idle_session_timeout.value, ms(3_600_000));
    assert_eq!(s.idle_in_transaction_session_timeout.value, ms(60_000));
    assert_eq!(s.statement_timeout.value, ms(15_000));
    assert_eq!(s.tcp_keepalives_idle.value, Duration::from_secs(300));
    assert_eq!(s.tcp_keepalives_interval.value, Duration::from_secs(30));
    assert_eq!(s.max_connections.value, 300);
    assert_eq!(
        at(&sources, &s.statement_timeout.origin),
        "pg_settings.csv:6 `15000`"
    );
    let text = std::fs::read_to_string(fixture("pg_settings.csv")).expect("read");
    assert!(looks_like_postgres(&text));
}
