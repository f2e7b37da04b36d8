//! Loads every file of the shared pgbouncer.ini corpus
//! (`../shared/corpus/pgbouncer`): no panic, syntax and value errors only
//! where PgBouncer itself would refuse the file, and concrete values for
//! several files. Skips (with a message) when the corpus folder is absent.
//! The corpus is read in place, never copied into the project.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use timeoutlint::provenance::Origin;
use timeoutlint::systems::pgbouncer::{PgBouncer, load_pgbouncer};

type Loaded = common::Loaded<PgBouncer>;

fn load(path: &Path) -> Loaded {
    common::load_confined(path, load_pgbouncer)
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

#[test]
fn every_corpus_file_loads_without_unexpected_errors() {
    let Some(dir) = common::corpus_dir("pgbouncer") else {
        return;
    };
    // Files PgBouncer itself refuses, with the diagnostics that say why.
    let expected: BTreeMap<&str, Vec<(&str, &str)>> = BTreeMap::from([
        // `# comments` after values: part of the value, so not a number.
        (
            "cashapp-fynlo__pgbouncer.ini",
            vec![
                (
                    "TL002",
                    "0                 # No client timeout (mobile apps)",
                ),
                (
                    "TL002",
                    "100                # Max connections to PostgreSQL",
                ),
                (
                    "TL002",
                    "1000                  # Max mobile client connections",
                ),
                ("TL002", "30                      # 30 seconds per query"),
                ("TL002", "50                  # Pool size per database"),
                ("TL002", "600               # 10 minutes server idle"),
                // pool_mode is a word (strcasecmp): the comment is part of it too.
                (
                    "TL002",
                    "transaction                  # Transaction-level pooling for mobile",
                ),
            ],
        ),
        // A stray first line `--/etc/pgbouncer/pgbouncer.ini`.
        (
            "postgresql-ha-oguzkaan__pgbouncer.ini",
            vec![("TL001", "--/etc/pgbouncer/pgbouncer.ini")],
        ),
    ]);
    let entries = common::corpus_files(&dir);
    assert!(!entries.is_empty());
    for (name, path) in entries {
        let l = load(&path);
        let want: Vec<(&str, String)> = expected
            .get(name.as_str())
            .map(|v| v.iter().map(|(c, t)| (*c, t.to_string())).collect())
            .unwrap_or_default();
        assert_eq!(l.found(), want, "{name}: {:#?}", l.describe());
        // Defaults point at the [pgbouncer] header; explicit values at their text.
        for origin in [
            &l.out.server_idle_timeout.origin,
            &l.out.server_lifetime.origin,
            &l.out.client_idle_timeout.origin,
            &l.out.tcp_keepidle.origin,
        ] {
            let loc = origin.location().expect("every origin has a location");
            match origin {
                Origin::File(_) => assert!(!l.sources.text_at(loc).is_empty(), "{name}"),
                _ => assert_eq!(l.sources.text_at(loc), "[pgbouncer]", "{name}"),
            }
        }
    }
}

#[test]
fn concrete_corpus_values() {
    let Some(dir) = common::corpus_dir("pgbouncer") else {
        return;
    };

    let l = load(&dir.join("bigbrotr__pgbouncer.ini"));
    assert!(l.diags.is_empty(), "{:#?}", l.describe());
    let p = &l.out;
    assert_eq!(secs(p.tcp_keepidle.value), 30.0);
    assert_eq!(secs(p.tcp_keepintvl.value), 10.0);
    assert_eq!(p.tcp_keepcnt.value, 3);
    assert!(p.tcp_keepalive.value);
    assert!(p.tcp_keepalive.origin.is_explicit());
    assert_eq!(secs(p.server_idle_timeout.value), 600.0);
    assert_eq!(secs(p.server_lifetime.value), 3600.0);
    assert!(p.server_lifetime.origin.is_explicit());
    assert_eq!(secs(p.query_wait_timeout.value), 120.0);
    assert_eq!(p.default_pool_size.value, 25);
    assert_eq!(p.reserve_pool_size.value, 5);
    assert_eq!(p.max_db_connections.value, 100);
    assert_eq!(p.max_client_conn.value, 1000);
    assert_eq!(
        l.sources
            .short(p.tcp_keepidle.origin.location().expect("loc")),
        "bigbrotr__pgbouncer.ini:94"
    );

    // Trailing comments make the values invalid: defaults stay in force.
    let l = load(&dir.join("cashapp-fynlo__pgbouncer.ini"));
    let p = &l.out;
    assert_eq!(secs(p.server_idle_timeout.value), 600.0);
    assert!(!p.server_idle_timeout.origin.is_explicit());
    assert_eq!(secs(p.query_timeout.value), 0.0);
    assert_eq!(p.max_client_conn.value, 100);
    assert_eq!(
        p.pool_mode.value,
        timeoutlint::systems::pgbouncer::PoolMode::Session
    );
    assert_eq!(
        p.ignore_startup_parameters.value,
        ["extra_float_digits", "search_path"]
    );

    // No timeouts set: all defaults, anchored at the [pgbouncer] header.
    let l = load(&dir.join("flask-pgbouncer__pgbouncer.ini"));
    let p = &l.out;
    assert_eq!(secs(p.server_idle_timeout.value), 600.0);
    assert_eq!(secs(p.server_lifetime.value), 3600.0);
    assert_eq!(p.max_client_conn.value, 100);
    assert_eq!(p.default_pool_size.value, 20);
    let anchor = p.anchor.expect("anchor");
    assert_eq!(l.sources.text_at(anchor), "[pgbouncer]");
    assert_eq!(
        p.server_idle_timeout.origin.location(),
        Some(anchor),
        "defaults anchor at the header"
    );
    let all: String = l
        .sources
        .files()
        .map(|(_, f)| f.masked_text().to_string())
        .collect();
    assert!(!all.contains("flaskpassword"), "password leaked");
    assert_eq!(
        p.databases[0].param("dbname").map(|c| c.value.as_str()),
        Some("flaskdb")
    );

    let l = load(&dir.join("mediacloud-backend__pgbouncer.ini"));
    let p = &l.out;
    assert_eq!(secs(p.idle_transaction_timeout.value), 600.0);
    assert_eq!(p.max_client_conn.value, 5000);
    assert_eq!(p.default_pool_size.value, 450);
    assert_eq!(p.max_db_connections.value, 500);
    assert_eq!(p.databases[0].name, "*");

    let l = load(&dir.join("pgbouncer-options__pgbouncer.ini"));
    let p = &l.out;
    assert_eq!(secs(p.server_idle_timeout.value), 20.0);
    assert_eq!(secs(p.tcp_keepidle.value), 3.0);
    assert_eq!(secs(p.tcp_keepintvl.value), 2.0);
    assert_eq!(p.tcp_keepcnt.value, 9);
    assert_eq!(
        p.ignore_startup_parameters.value,
        ["application_name", "extra_float_digits", "geqo", "options"]
    );
    let all: String = l
        .sources
        .files()
        .map(|(_, f)| f.masked_text().to_string())
        .collect();
    assert!(!all.contains("qwerty123"), "password leaked");

    // Upstream sample: everything commented out.
    let l = load(&dir.join("pgbouncer-upstream__pgbouncer.ini"));
    assert!(!l.out.server_idle_timeout.origin.is_explicit());
    assert!(l.out.tcp_keepalive.value);
    assert!(l.out.databases.is_empty());

    // Upstream test fixture: [users] section, per-database overrides kept
    // out of the global values, passwords redacted.
    let l = load(&dir.join("pgbouncer-upstream__test.ini"));
    let p = &l.out;
    assert_eq!(secs(p.server_lifetime.value), 120.0);
    assert_eq!(secs(p.server_idle_timeout.value), 60.0);
    assert!(!p.tcp_keepalive.value);
    assert_eq!(p.max_client_conn.value, 10);
    assert_eq!(p.default_pool_size.value, 5);
    let p9 = p.databases.iter().find(|d| d.name == "p9").expect("p9");
    assert_eq!(
        p9.param("server_lifetime").map(|c| c.value.as_str()),
        Some("2")
    );
    let all: String = l
        .sources
        .files()
        .map(|(_, f)| f.masked_text().to_string())
        .collect();
    assert!(!all.contains("password=foo"), "password leaked");
    assert!(!all.contains("password=wrong"), "password leaked");

    // Fractional seconds; `[pgbouncer]` before `[databases]`.
    let l = load(&dir.join("record-platform__pgbouncer.ini"));
    assert!(l.diags.is_empty(), "{:#?}", l.describe());
    let p = &l.out;
    assert_eq!(secs(p.query_wait_timeout.value), 30.0);
    assert_eq!(secs(p.server_lifetime.value), 600.0);
    assert_eq!(secs(p.server_idle_timeout.value), 300.0);
    assert_eq!(p.default_pool_size.value, 32);
    assert_eq!(p.reserve_pool_size.value, 32);
    let all: String = l
        .sources
        .files()
        .map(|(_, f)| f.masked_text().to_string())
        .collect();
    assert!(
        !all.contains("SUPER_STRONG_APP_PASSWORD"),
        "password leaked"
    );

    let l = load(&dir.join("pooler-bench__pgbouncer.ini"));
    assert_eq!(secs(l.out.query_wait_timeout.value), 20.0);
    assert_eq!(l.out.default_pool_size.value, 100);
    assert_eq!(
        l.out.ignore_startup_parameters.value,
        ["extra_float_digits", "synchronous_commit"]
    );

    let l = load(&dir.join("postgresql-ha-oguzkaan__pgbouncer.ini"));
    assert_eq!(l.out.default_pool_size.value, 5);
    assert_eq!(l.out.reserve_pool_size.value, 20);
    assert_eq!(l.out.max_client_conn.value, 50000);
}
