//! Loads every file of the shared my.cnf corpus (`../shared/corpus/mysql`):
//! no panic, syntax errors only where expected, and concrete values for a
//! few files. Skips (with a message) when the corpus folder is absent. The
//! corpus is read in place, never copied into the project.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use timeoutlint::diagnostic::Diagnostic;
use timeoutlint::rules::codes;
use timeoutlint::source::SourceMap;
use timeoutlint::systems::mysql::{MysqlServer, load_option_file};

fn corpus_dir() -> Option<PathBuf> {
    common::corpus_dir("mysql")
}

struct Loaded {
    server: MysqlServer,
    sources: SourceMap,
    diags: Vec<Diagnostic>,
}

fn load(path: &Path) -> Loaded {
    let mut sources = SourceMap::new(path.parent().map(Path::to_path_buf))
        .with_policy(common::confined_to(path.parent()));
    let mut diags = Vec::new();
    let server = load_option_file(path, &mut sources, &mut diags)
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
fn every_corpus_file_loads_without_unexpected_syntax_errors() {
    let Some(dir) = corpus_dir() else { return };
    // Files with input problems the server itself would report, by code.
    let expected: BTreeMap<&str, &[&str]> = BTreeMap::from([
        // `!includedir /etc/...`: absolute folders outside the project root
        // (the corpus folder), never followed into the host.
        ("abhishekghosh-my.cnf__my.cnf", &["TL003"][..]),
        ("amixp-etc__my.cnf", &["TL003"][..]),
        (
            "easyengine-dockerfiles__mariadb_my.cnf",
            &["TL003", "TL003"][..],
        ),
        ("isucon11__mariadb_my.cnf", &["TL003", "TL003"][..]),
        ("isucon12-qualify__mysql.cnf", &["TL003", "TL003"][..]),
        ("percona-toolkit__mycnf001.txt", &["TL003"][..]),
    ]);
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
        let mut got: Vec<&str> = l.diags.iter().map(|d| d.code.id).collect();
        got.sort();
        let want = expected.get(name.as_str()).copied().unwrap_or(&[]);
        assert_eq!(got, want, "{name}: {:#?}", describe(&l));
        for d in &l.diags {
            assert!(
                d.message.contains("outside the project root"),
                "{name}: {}",
                d.message
            );
        }
        assert!(
            !l.diags.iter().any(|d| d.code == codes::SYNTAX_ERROR),
            "{name}: {:#?}",
            describe(&l)
        );
        // Defaults point into the named file; explicit values at their text.
        for origin in [
            &l.server.wait_timeout.origin,
            &l.server.interactive_timeout.origin,
            &l.server.connect_timeout.origin,
            &l.server.max_connections.origin,
        ] {
            let loc = origin.location().expect("every origin has a location");
            if origin.is_explicit() {
                assert!(!l.sources.text_at(loc).is_empty(), "{name}");
            } else {
                assert_eq!(loc.file, l.server.files[0], "{name}");
            }
        }
    }
}

fn secs(d: std::time::Duration) -> u64 {
    d.as_secs()
}

#[test]
fn concrete_corpus_values() {
    let Some(dir) = corpus_dir() else { return };

    let l = load(&dir.join("alexbaturin-mysql__my.cnf"));
    assert_eq!(secs(l.server.wait_timeout.value), 60);
    assert_eq!(
        l.sources
            .short(l.server.wait_timeout.origin.location().expect("loc")),
        "alexbaturin-mysql__my.cnf:16"
    );

    let l = load(&dir.join("mailcow__my.cnf"));
    assert_eq!(secs(l.server.wait_timeout.value), 3610);
    assert_eq!(secs(l.server.interactive_timeout.value), 3610);
    assert_eq!(l.server.max_connections.value, 550);

    // A `mysqld --verbose --help` dump: values from its variables table.
    let l = load(&dir.join("percona-toolkit__mysqldhelp003.txt"));
    assert!(l.diags.is_empty(), "{:#?}", describe(&l));
    assert_eq!(secs(l.server.wait_timeout.value), 28800);
    assert!(l.server.wait_timeout.origin.is_explicit());
    let loc = l.server.wait_timeout.origin.location().expect("loc");
    assert_eq!(l.sources.text_at(loc), "28800");
    assert_eq!(secs(l.server.net_read_timeout.value), 30);
    assert_eq!(secs(l.server.net_write_timeout.value), 60);
    assert_eq!(secs(l.server.connect_timeout.value), 10);
    assert_eq!(l.server.max_connections.value, 151);

    // `!includedir /etc/my.cnf.d ` (trailing space): absolute, outside the root.
    let l = load(&dir.join("amixp-etc__my.cnf"));
    assert_eq!(l.diags.len(), 1);
    let loc = l.diags[0].primary.location.expect("loc");
    assert_eq!(l.sources.text_at(loc), "/etc/my.cnf.d");
    assert_eq!(secs(l.server.wait_timeout.value), 28800);
    assert!(!l.server.wait_timeout.origin.is_explicit());
    let anchor = l.server.wait_timeout.origin.location().expect("anchor");
    assert_eq!(l.sources.text_at(anchor), "[mysqld]");

    let l = load(&dir.join("amixp-etc__server.cnf"));
    assert_eq!(secs(l.server.wait_timeout.value), 3600);
    assert_eq!(secs(l.server.connect_timeout.value), 60);
    assert_eq!(l.server.max_connections.value, 50);

    // `[client]` values are not the server's; `[mysqlhotcopy]` has a bare
    // `interactive-timeout` that the server never reads.
    let l = load(&dir.join("docker-mysql-ms__my.cnf"));
    assert_eq!(secs(l.server.wait_timeout.value), 7200);
    assert_eq!(secs(l.server.interactive_timeout.value), 7200);
    assert_eq!(l.server.max_connections.value, 1024);

    // MariaDB layout: `[mysqld]` values; defaults elsewhere.
    let l = load(&dir.join("easyengine-dockerfiles__mariadb_my.cnf"));
    assert_eq!(secs(l.server.wait_timeout.value), 600);
    assert_eq!(secs(l.server.connect_timeout.value), 5);
    assert_eq!(l.server.max_connections.value, 151);
    assert!(l.server.max_connections.origin.is_explicit());

    let l = load(&dir.join("percona-toolkit__mycnf-baron-002.txt"));
    assert_eq!(secs(l.server.net_write_timeout.value), 120);
    assert_eq!(l.server.max_connections.value, 1500);

    let l = load(&dir.join("abhishekghosh-my.cnf__my.cnf"));
    assert_eq!(l.server.max_connections.value, 500);
}
