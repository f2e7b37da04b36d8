//! Loads every file of the shared postgresql.conf corpus
//! (`../shared/corpus/postgres`): no panic, no syntax errors, and concrete
//! values for a few files (from the notes in `../shared/corpus/SOURCES.tsv`).
//! Skips (with a message) when the corpus folder is absent. The corpus is
//! read in place, never copied into the project.

mod common;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use timeoutlint::diagnostic::Diagnostic;
use timeoutlint::rules::codes;
use timeoutlint::source::SourceMap;
use timeoutlint::systems::postgres::{
    PostgresInput, PostgresServer, load_postgres, looks_like_postgres,
};

fn corpus_dir() -> Option<PathBuf> {
    common::corpus_dir("postgres")
}

struct Loaded {
    server: PostgresServer,
    sources: SourceMap,
    diags: Vec<Diagnostic>,
}

fn load(path: &Path) -> Loaded {
    let mut sources = SourceMap::new(path.parent().map(Path::to_path_buf))
        .with_policy(common::confined_to(path.parent()));
    let mut diags = Vec::new();
    let server = load_postgres(path, &mut sources, &mut diags)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Loaded {
        server,
        sources,
        diags,
    }
}

fn describe(l: &Loaded) -> Vec<String> {
    common::describe(&l.diags, &l.sources)
}

#[test]
fn every_corpus_file_loads_without_unexpected_diagnostics() {
    let Some(dir) = corpus_dir() else { return };
    // Files with findings, by code. None of the corpus files is malformed.
    let expected: BTreeMap<&str, &[&str]> = BTreeMap::new();
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .expect("corpus readable")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    entries.sort();
    assert!(!entries.is_empty());
    for path in entries {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let l = load(&path);
        let got: Vec<&str> = l.diags.iter().map(|d| d.code.id).collect();
        let want = expected.get(name.as_str()).copied().unwrap_or(&[]);
        assert_eq!(got, want, "{name}: {:#?}", describe(&l));
        assert!(
            !l.diags.iter().any(|d| d.code == codes::SYNTAX_ERROR),
            "{name}: {:#?}",
            describe(&l)
        );
        assert_eq!(l.server.input, PostgresInput::ConfFile, "{name}");
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(looks_like_postgres(&text), "{name}");
        // Defaults point at the start of the named file; explicit values at their text.
        for origin in [
            &l.server.idle_session_timeout.origin,
            &l.server.statement_timeout.origin,
            &l.server.tcp_keepalives_idle.origin,
            &l.server.max_connections.origin,
        ] {
            let loc = origin.location().expect("every origin has a location");
            if origin.is_explicit() {
                assert!(!l.sources.text_at(loc).is_empty(), "{name}");
            } else {
                assert_eq!(loc.file, l.server.files[0], "{name}");
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
    let Some(dir) = corpus_dir() else { return };

    let l = load(&dir.join("alt__postgresql.conf"));
    assert_eq!(l.server.max_connections.value, 200);
    // Quoted value with a unit.
    assert_eq!(
        l.server.idle_in_transaction_session_timeout.value,
        ms(300_000)
    );
    let loc = l
        .server
        .idle_in_transaction_session_timeout
        .origin
        .location()
        .expect("loc");
    assert_eq!(l.sources.text_at(loc), "'5min'");

    // Unit-less 60000 is milliseconds; statement_timeout explicitly 0.
    let l = load(&dir.join("bigbrotr__postgresql.conf"));
    assert_eq!(l.server.max_connections.value, 200);
    assert_eq!(l.server.superuser_reserved_connections.value, 3);
    assert!(l.server.superuser_reserved_connections.origin.is_explicit());
    assert_eq!(
        l.server.idle_in_transaction_session_timeout.value,
        ms(60_000)
    );
    assert_eq!(l.server.statement_timeout.value, Duration::ZERO);
    assert!(l.server.statement_timeout.origin.is_explicit());
    assert!(!l.server.tcp_keepalives_idle.origin.is_explicit());

    // CRLF line ends, Cyrillic comments, unquoted units.
    let l = load(&dir.join("bugoverload__default.conf"));
    assert_eq!(l.server.statement_timeout.value, ms(1000));
    assert_eq!(l.server.lock_timeout.value, ms(500));
    assert_eq!(l.server.max_connections.value, 150);
    let loc = l.server.lock_timeout.origin.location().expect("loc");
    assert_eq!(l.sources.text_at(loc), "500ms");

    // `max_connections = 100` twice: the last one wins.
    let l = load(&dir.join("cantusdb__postgresql.conf"));
    assert_eq!(l.server.max_connections.value, 100);
    let loc = l.server.max_connections.origin.location().expect("loc");
    let first = l
        .sources
        .get(loc.file)
        .text()
        .find("max_connections")
        .unwrap_or(0);
    assert!(loc.span.start > first + "max_connections".len());

    // Keepalives in seconds.
    let l = load(&dir.join("cashapp-fynlo__postgresql.conf"));
    assert_eq!(l.server.tcp_keepalives_idle.value, Duration::from_secs(600));
    assert_eq!(
        l.server.tcp_keepalives_interval.value,
        Duration::from_secs(30)
    );
    assert_eq!(l.server.tcp_keepalives_count.value, 3);
    assert_eq!(l.server.statement_timeout.value, Duration::ZERO);
    assert!(!l.server.statement_timeout.origin.is_explicit());

    // Everything commented out: documented defaults.
    let l = load(&dir.join("docubot__postgresql.conf"));
    assert_eq!(l.server.max_connections.value, 100);
    assert!(l.server.max_connections.origin.is_explicit());
    assert_eq!(l.server.idle_session_timeout.value, Duration::ZERO);
    assert!(!l.server.idle_session_timeout.origin.is_explicit());
    assert!(!l.server.tcp_user_timeout.origin.is_explicit());

    // tcp_user_timeout unit-less is milliseconds; s-suffixed timeouts.
    let l = load(&dir.join("finalex__postgresql.conf"));
    assert_eq!(l.server.max_connections.value, 500);
    assert_eq!(l.server.tcp_user_timeout.value, ms(30_000));
    assert_eq!(l.server.tcp_keepalives_idle.value, Duration::from_secs(600));
    assert_eq!(l.server.statement_timeout.value, ms(300_000));
    assert_eq!(l.server.lock_timeout.value, ms(60_000));
    assert_eq!(
        l.server.idle_in_transaction_session_timeout.value,
        ms(300_000)
    );

    let l = load(&dir.join("katoo-django-project__postgresql.conf"));
    assert_eq!(l.server.max_connections.value, 2000);

    // Explicit zeros; no max_connections (default 100).
    let l = load(&dir.join("landars__postgresql.conf"));
    assert_eq!(l.server.statement_timeout.value, Duration::ZERO);
    assert!(l.server.lock_timeout.origin.is_explicit());
    assert!(
        l.server
            .idle_in_transaction_session_timeout
            .origin
            .is_explicit()
    );
    assert_eq!(l.server.max_connections.value, 100);
    assert!(!l.server.max_connections.origin.is_explicit());
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
