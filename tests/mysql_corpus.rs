//! Loads every file of the shared my.cnf corpus (`../shared/corpus/mysql`):
//! no panic, syntax errors only where expected, and concrete values for a
//! few files. Skips (with a message) when the corpus folder is absent. The
//! corpus is read in place, never copied into the project.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use timeoutlint::rules::codes;
use timeoutlint::systems::mysql::{MysqlServer, load_option_file};

type Loaded = common::Loaded<MysqlServer>;

fn load(path: &Path) -> Loaded {
    common::load_confined(path, load_option_file)
}

#[test]
fn every_corpus_file_loads_without_unexpected_syntax_errors() {
    let Some(dir) = common::corpus_dir("mysql") else {
        return;
    };
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
    let entries = common::corpus_files(&dir);
    assert!(!entries.is_empty());
    for (name, path) in entries {
        let l = load(&path);
        let mut got: Vec<&str> = l.diags.iter().map(|d| d.code.id).collect();
        got.sort();
        let want = expected.get(name.as_str()).copied().unwrap_or(&[]);
        assert_eq!(got, want, "{name}: {:#?}", l.describe());
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
            l.describe()
        );
        // Defaults point into the named file; explicit values at their text.
        for origin in [
            &l.out.wait_timeout.origin,
            &l.out.interactive_timeout.origin,
            &l.out.connect_timeout.origin,
            &l.out.max_connections.origin,
        ] {
            let loc = origin.location().expect("every origin has a location");
            if origin.is_explicit() {
                assert!(!l.sources.text_at(loc).is_empty(), "{name}");
            } else {
                assert_eq!(loc.file, l.out.files[0], "{name}");
            }
        }
    }
}

fn secs(d: std::time::Duration) -> u64 {
    d.as_secs()
}

#[test]
fn concrete_corpus_values() {
    let Some(dir) = common::corpus_dir("mysql") else {
        return;
    };

    let l = load(&dir.join("alexbaturin-mysql__my.cnf"));
    assert_eq!(secs(l.out.wait_timeout.value), 60);
    assert_eq!(
        l.sources
            .short(l.out.wait_timeout.origin.location().expect("loc")),
        "alexbaturin-mysql__my.cnf:16"
    );

    let l = load(&dir.join("mailcow__my.cnf"));
    assert_eq!(secs(l.out.wait_timeout.value), 3610);
    assert_eq!(secs(l.out.interactive_timeout.value), 3610);
    assert_eq!(l.out.max_connections.value, 550);

    // A `mysqld --verbose --help` dump: values from its variables table.
    let l = load(&dir.join("percona-toolkit__mysqldhelp003.txt"));
    assert!(l.diags.is_empty(), "{:#?}", l.describe());
    assert_eq!(secs(l.out.wait_timeout.value), 28800);
    assert!(l.out.wait_timeout.origin.is_explicit());
    let loc = l.out.wait_timeout.origin.location().expect("loc");
    assert_eq!(l.sources.text_at(loc), "28800");
    assert_eq!(secs(l.out.net_read_timeout.value), 30);
    assert_eq!(secs(l.out.net_write_timeout.value), 60);
    assert_eq!(secs(l.out.connect_timeout.value), 10);
    assert_eq!(l.out.max_connections.value, 151);

    // `!includedir /etc/my.cnf.d ` (trailing space): absolute, outside the root.
    let l = load(&dir.join("amixp-etc__my.cnf"));
    assert_eq!(l.diags.len(), 1);
    let loc = l.diags[0].primary.location.expect("loc");
    assert_eq!(l.sources.text_at(loc), "/etc/my.cnf.d");
    assert_eq!(secs(l.out.wait_timeout.value), 28800);
    assert!(!l.out.wait_timeout.origin.is_explicit());
    let anchor = l.out.wait_timeout.origin.location().expect("anchor");
    assert_eq!(l.sources.text_at(anchor), "[mysqld]");

    let l = load(&dir.join("amixp-etc__server.cnf"));
    assert_eq!(secs(l.out.wait_timeout.value), 3600);
    assert_eq!(secs(l.out.connect_timeout.value), 60);
    assert_eq!(l.out.max_connections.value, 50);

    // `[client]` values are not the server's; `[mysqlhotcopy]` has a bare
    // `interactive-timeout` that the server never reads.
    let l = load(&dir.join("docker-mysql-ms__my.cnf"));
    assert_eq!(secs(l.out.wait_timeout.value), 7200);
    assert_eq!(secs(l.out.interactive_timeout.value), 7200);
    assert_eq!(l.out.max_connections.value, 1024);

    // MariaDB layout: `[mysqld]` values; defaults elsewhere.
    let l = load(&dir.join("easyengine-dockerfiles__mariadb_my.cnf"));
    assert_eq!(secs(l.out.wait_timeout.value), 600);
    assert_eq!(secs(l.out.connect_timeout.value), 5);
    assert_eq!(l.out.max_connections.value, 151);
    assert!(l.out.max_connections.origin.is_explicit());

    let l = load(&dir.join("percona-toolkit__mycnf-baron-002.txt"));
    assert_eq!(secs(l.out.net_write_timeout.value), 120);
    assert_eq!(l.out.max_connections.value, 1500);

    let l = load(&dir.join("abhishekghosh-my.cnf__my.cnf"));
    assert_eq!(l.out.max_connections.value, 500);
}
