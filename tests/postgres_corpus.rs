//! Loads every file of the shared postgresql.conf corpus
//! (`../shared/corpus/postgres`): no panic, no syntax errors, and concrete
//! values for a few files (from the notes in `../shared/corpus/SOURCES.tsv`).
//! Skips (with a message) when the corpus folder is absent. The corpus is
//! read in place, never copied into the project.

mod common;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

use timeoutlint::rules::codes;
use timeoutlint::systems::postgres::{
    PostgresInput, PostgresServer, load_postgres, looks_like_postgres,
};

type Loaded = common::Loaded<PostgresServer>;

fn load(path: &Path) -> Loaded {
    common::load_confined(path, load_postgres)
}

#[test]
fn every_corpus_file_loads_without_unexpected_diagnostics() {
    let Some(dir) = common::corpus_dir("postgres") else {
        return;
    };
    // Files with findings, by code. None of the corpus files is malformed.
    let expected: BTreeMap<&str, &[&str]> = BTreeMap::new();
    let entries = common::corpus_files(&dir);
    assert!(!entries.is_empty());
    for (name, path) in entries {
        let l = load(&path);
        let got: Vec<&str> = l.diags.iter().map(|d| d.code.id).collect();
        let want = expected.get(name.as_str()).copied().unwrap_or(&[]);
        assert_eq!(got, want, "{name}: {:#?}", l.describe());
        assert!(
            !l.diags.iter().any(|d| d.code == codes::SYNTAX_ERROR),
            "{name}: {:#?}",
            l.describe()
        );
        assert_eq!(l.out.input, PostgresInput::ConfFile, "{name}");
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(looks_like_postgres(&text), "{name}");
        // Defaults point at the start of the named file; explicit values at their text.
        for origin in [
            &l.out.idle_session_timeout.origin,
            &l.out.statement_timeout.origin,
            &l.out.tcp_keepalives_idle.origin,
            &l.out.max_connections.origin,
        ] {
            let loc = origin.location().expect("every origin has a location");
            if origin.is_explicit() {
                assert!(!l.sources.text_at(loc).is_empty(), "{name}");
            } else {
                assert_eq!(loc.file, l.out.files[0], "{name}");
                assert_eq!(loc.span.start, 0, "{name}");
            }
        }
    }
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[test]
fn concrete_corpus_values() {
    let Some(dir) = common::corpus_dir("postgres") else {
        return;
    };

    let l = load(&dir.join("alt__postgresql.conf"));
    assert_eq!(l.out.max_connections.value, 200);
    // Quoted value with a unit.
    assert_eq!(l.out.idle_in_transaction_session_timeout.value, ms(300_000));
    let loc = l
        .out
        .idle_in_transaction_session_timeout
        .origin
        .location()
        .expect("loc");
    assert_eq!(l.sources.text_at(loc), "'5min'");

    // Unit-less 60000 is milliseconds; statement_timeout explicitly 0.
    let l = load(&dir.join("bigbrotr__postgresql.conf"));
    assert_eq!(l.out.max_connections.value, 200);
    assert_eq!(l.out.superuser_reserved_connections.value, 3);
    assert!(l.out.superuser_reserved_connections.origin.is_explicit());
    assert_eq!(l.out.idle_in_transaction_session_timeout.value, ms(60_000));
    assert_eq!(l.out.statement_timeout.value, Duration::ZERO);
    assert!(l.out.statement_timeout.origin.is_explicit());
    assert!(!l.out.tcp_keepalives_idle.origin.is_explicit());

    // CRLF line ends, Cyrillic comments, unquoted units.
    let l = load(&dir.join("bugoverload__default.conf"));
    assert_eq!(l.out.statement_timeout.value, ms(1000));
    assert_eq!(l.out.lock_timeout.value, ms(500));
    assert_eq!(l.out.max_connections.value, 150);
    let loc = l.out.lock_timeout.origin.location().expect("loc");
    assert_eq!(l.sources.text_at(loc), "500ms");

    // `max_connections = 100` twice: the last one wins.
    let l = load(&dir.join("cantusdb__postgresql.conf"));
    assert_eq!(l.out.max_connections.value, 100);
    let loc = l.out.max_connections.origin.location().expect("loc");
    let first = l
        .sources
        .get(loc.file)
        .text()
        .find("max_connections")
        .unwrap_or(0);
    assert!(loc.span.start > first + "max_connections".len());

    // Keepalives in seconds.
    let l = load(&dir.join("cashapp-fynlo__postgresql.conf"));
    assert_eq!(l.out.tcp_keepalives_idle.value, Duration::from_secs(600));
    assert_eq!(l.out.tcp_keepalives_interval.value, Duration::from_secs(30));
    assert_eq!(l.out.tcp_keepalives_count.value, 3);
    assert_eq!(l.out.statement_timeout.value, Duration::ZERO);
    assert!(!l.out.statement_timeout.origin.is_explicit());

    // Everything commented out: documented defaults.
    let l = load(&dir.join("docubot__postgresql.conf"));
    assert_eq!(l.out.max_connections.value, 100);
    assert!(l.out.max_connections.origin.is_explicit());
    assert_eq!(l.out.idle_session_timeout.value, Duration::ZERO);
    assert!(!l.out.idle_session_timeout.origin.is_explicit());
    assert!(!l.out.tcp_user_timeout.origin.is_explicit());

    // tcp_user_timeout unit-less is milliseconds; s-suffixed timeouts.
    let l = load(&dir.join("finalex__postgresql.conf"));
    assert_eq!(l.out.max_connections.value, 500);
    assert_eq!(l.out.tcp_user_timeout.value, ms(30_000));
    assert_eq!(l.out.tcp_keepalives_idle.value, Duration::from_secs(600));
    assert_eq!(l.out.statement_timeout.value, ms(300_000));
    assert_eq!(l.out.lock_timeout.value, ms(60_000));
    assert_eq!(l.out.idle_in_transaction_session_timeout.value, ms(300_000));

    let l = load(&dir.join("katoo-django-project__postgresql.conf"));
    assert_eq!(l.out.max_connections.value, 2000);

    // Explicit zeros; no max_connections (default 100).
    let l = load(&dir.join("landars__postgresql.conf"));
    assert_eq!(l.out.statement_timeout.value, Duration::ZERO);
    assert!(l.out.lock_timeout.origin.is_explicit());
    assert!(
        l.out
            .idle_in_transaction_session_timeout
            .origin
            .is_explicit()
    );
    assert_eq!(l.out.max_connections.value, 100);
    assert!(!l.out.max_connections.origin.is_explicit());
}

#[test]
fn other_corpora_do_not_look_like_postgres() {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    for sub in [
        "mysql",
        "sysctl",
        "pgbouncer",
        "haproxy",
        "django",
        "sqlalchemy",
    ] {
        let Ok(entries) = std::fs::read_dir(base.join(sub)) else {
            let _ = writeln!(
                std::io::stderr(),
                "skipped: corpus folder {sub} does not exist"
            );
            continue;
        };
        for e in entries.filter_map(Result::ok) {
            let text = std::fs::read(e.path())
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default();
            assert!(!looks_like_postgres(&text), "{}", e.path().display());
        }
    }
}
