//! Loads every file of the shared haproxy.cfg corpus
//! (`../shared/corpus/haproxy`) and resolves every `listen`/`frontend` that
//! proxies a database: no panic, syntax errors only where HAProxy itself
//! would refuse the file, and concrete values for several files (from the
//! notes in `../shared/corpus/SOURCES.tsv`). Skips (with a message) when the
//! corpus folder is absent. The corpus is read in place, never copied into
//! the project.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use timeoutlint::diagnostic::{Diagnostic, Severity};
use timeoutlint::parse::haproxy::{Item, lex};
use timeoutlint::provenance::Origin;
use timeoutlint::source::SourceMap;
use timeoutlint::systems::haproxy::load_haproxy;
use timeoutlint::systems::proxy::{ProxyLookup, ProxyTimeouts};

fn corpus_dir() -> Option<PathBuf> {
    common::corpus_dir("haproxy")
}

struct Loaded {
    timeouts: ProxyTimeouts,
    sources: SourceMap,
    diags: Vec<Diagnostic>,
}

fn load(paths: &[PathBuf], name: &str) -> Loaded {
    let base = paths
        .first()
        .and_then(|p| p.parent())
        .map(Path::to_path_buf);
    let mut sources =
        SourceMap::new(base.clone()).with_policy(common::confined_to(base.as_deref()));
    let mut diags = Vec::new();
    let lookup = load_haproxy(paths, name, &mut sources, &mut diags)
        .unwrap_or_else(|e| panic!("{paths:?}: {e}"));
    match lookup {
        ProxyLookup::Found(timeouts) => Loaded {
            timeouts,
            sources,
            diags,
        },
        ProxyLookup::NotFound { available } => {
            panic!("{paths:?}: no `{name}`; available {available:?}")
        }
    }
}

fn describe(l: &Loaded) -> Vec<String> {
    common::describe(&l.diags, &l.sources)
}

/// `(code, text at the primary location)` of each diagnostic, sorted.
fn found(l: &Loaded) -> Vec<(&'static str, String)> {
    let mut v: Vec<_> = l
        .diags
        .iter()
        .map(|d| {
            let text = d
                .primary
                .location
                .map(|loc| l.sources.text_at(loc).to_string())
                .unwrap_or_default();
            (d.code.id, text)
        })
        .collect();
    v.sort();
    v
}

/// `(client, server)` idle limits in seconds.
fn idle_secs(l: &Loaded) -> (Option<u64>, Option<u64>) {
    (
        l.timeouts.client_idle.as_ref().map(|s| s.value.as_secs()),
        l.timeouts.server_idle.as_ref().map(|s| s.value.as_secs()),
    )
}

/// The text an origin points at.
fn origin_text(l: &Loaded, origin: &Origin) -> String {
    origin
        .location()
        .map(|loc| l.sources.text_at(loc).to_string())
        .unwrap_or_default()
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The `listen` and `frontend` sections of `text` that look like database
/// proxies: `mode tcp`, a database port in a `bind` line (or the legacy
/// `listen NAME ADDRESS:PORT`), or a database-like name.
fn database_proxies(text: &str) -> Vec<String> {
    const PORTS: [&str; 9] = [
        "3306", "5432", "6432", "5000", "5001", "5002", "5003", "26000", "33306",
    ];
    const NAMES: [&str; 6] = ["mysql", "postgres", "pgsql", "psql", "pgbouncer", "maria"];
    let port_of = |w: &str| w.rsplit(':').next().unwrap_or("").to_string();
    let mut out: Vec<String> = Vec::new();
    let mut current: Option<(String, bool)> = None;
    let finish = |cur: Option<(String, bool)>, out: &mut Vec<String>| {
        if let Some((name, true)) = cur
            && !out.contains(&name)
        {
            out.push(name);
        }
    };
    for item in lex(text) {
        match item {
            Item::Section { keyword, args, .. } => {
                finish(current.take(), &mut out);
                if (keyword.text == "listen" || keyword.text == "frontend")
                    && let Some(name) = args.first()
                {
                    let lower = name.text.to_ascii_lowercase();
                    let by_name = NAMES.iter().any(|n| lower.contains(n));
                    let by_addr = args
                        .get(1)
                        .is_some_and(|a| PORTS.contains(&port_of(&a.text).as_str()));
                    current = Some((name.text.clone(), by_name || by_addr));
                }
            }
            Item::Directive { words, .. } => {
                if let Some((_, db)) = current.as_mut() {
                    let key = words[0].text.as_str();
                    let arg = words.get(1).map(|w| w.text.as_str()).unwrap_or("");
                    if (key == "mode" && arg == "tcp")
                        || (key == "bind" && PORTS.contains(&port_of(arg).as_str()))
                    {
                        *db = true;
                    }
                }
            }
            Item::Error { .. } => {}
        }
    }
    finish(current, &mut out);
    out
}

#[test]
fn every_corpus_file_resolves_its_database_proxies() {
    let Some(dir) = corpus_dir() else { return };
    // Findings for one file read on its own, by file and proxy.
    let expected: BTreeMap<(&str, &str), Vec<(&str, &str)>> = BTreeMap::from([
        (
            ("ajtemir-postgresql__haproxy.cfg", "postgres_front"),
            vec![],
        ),
        (("docker-mysql-cluster__haproxy.cfg", "proxy-mysql"), vec![]),
        // Read alone, the frontend/backend pairs have no defaults at all.
        (
            ("harisekhon-haproxy-configs__mysql.cfg", "mysql"),
            vec![("TL120", "backend mysql"), ("TL120", "frontend mysql")],
        ),
        (
            ("harisekhon-haproxy-configs__postgres.cfg", "postgres"),
            vec![
                ("TL120", "backend postgres"),
                ("TL120", "frontend postgres"),
            ],
        ),
        (("ichnaea__haproxy.cfg", "mysql-rw"), vec![]),
        (("ichnaea__haproxy.cfg", "mysql-ro"), vec![]),
        // `listen postgres` inherits `mode http` from defaults.
        (
            ("patroni-haproxy-1devops2__haproxy.cfg", "postgres"),
            vec![("TL122", "listen postgres")],
        ),
        (("patroni__haproxy.cfg", "batman"), vec![]),
        // The stats listen uses clitimeout/srvtimeout/contimeout, refused
        // since HAProxy 2.1.
        (
            ("pgbouncer-haproxy-lb__haproxy.cfg", "pgsql_pool"),
            vec![
                ("TL002", "clitimeout"),
                ("TL002", "contimeout"),
                ("TL002", "srvtimeout"),
            ],
        ),
        // A stray first line `--/etc/haproxy/haproxy.cfg`.
        (
            (
                "postgresql-ha-oguzkaan__haproxy_node1.conf",
                "Master_Server",
            ),
            vec![("TL001", "--/etc/haproxy/haproxy.cfg")],
        ),
        (
            (
                "postgresql-ha-oguzkaan__haproxy_node1.conf",
                "Standby_Servers",
            ),
            vec![("TL001", "--/etc/haproxy/haproxy.cfg")],
        ),
        (("thu-distributed-db__haproxy.cfg", "psql"), vec![]),
    ]);
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .expect("corpus readable")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    entries.sort();
    let mut seen = Vec::new();
    for path in &entries {
        let name = file_name(path);
        let text = String::from_utf8_lossy(&std::fs::read(path).expect("readable")).into_owned();
        for proxy in database_proxies(&text) {
            let l = load(std::slice::from_ref(path), &proxy);
            let want: Vec<(&str, String)> = expected
                .get(&(name.as_str(), proxy.as_str()))
                .unwrap_or_else(|| panic!("{name}: `{proxy}` has no expectation"))
                .iter()
                .map(|(c, t)| (*c, t.to_string()))
                .collect();
            assert_eq!(found(&l), want, "{name} {proxy}: {:#?}", describe(&l));
            // Messages: lower-case start, no trailing period.
            for d in &l.diags {
                assert!(!d.message.ends_with('.'), "{}", d.message);
                assert!(
                    !d.message.starts_with(|c: char| c.is_ascii_uppercase()),
                    "{}",
                    d.message
                );
            }
            // Every value points at its text in a file.
            for s in [&l.timeouts.client_idle, &l.timeouts.server_idle]
                .into_iter()
                .flatten()
            {
                assert!(matches!(s.origin, Origin::File(_)), "{name} {proxy}");
                assert!(!origin_text(&l, &s.origin).is_empty(), "{name} {proxy}");
            }
            seen.push((name.clone(), proxy));
        }
    }
    // Every expectation was used: the detection found each database proxy.
    for (file, proxy) in expected.keys() {
        assert!(
            seen.iter().any(|(f, p)| f == file && p == proxy),
            "{file} `{proxy}` was not resolved; resolved {seen:?}"
        );
    }
}

#[test]
fn corpus_values() {
    let Some(dir) = corpus_dir() else { return };
    let one = |file: &str, proxy: &str| load(&[dir.join(file)], proxy);

    // `timeout client 50000` / `timeout server 50000`: bare = ms, so 50 s.
    let l = one("docker-mysql-cluster__haproxy.cfg", "proxy-mysql");
    assert_eq!(idle_secs(&l), (Some(50), Some(50)));
    let origin = l
        .timeouts
        .client_idle
        .as_ref()
        .map(|s| origin_text(&l, &s.origin));
    assert_eq!(origin.as_deref(), Some("50000"));
    // The placeholder `stats auth admin:123456` password is redacted.
    let text: String = l
        .sources
        .files()
        .map(|(_, f)| f.masked_text().to_string())
        .collect();
    assert!(!text.contains("123456") && text.contains("stats auth  admin:"));

    // ichnaea: defaults timeout client/server 60s.
    for proxy in ["mysql-rw", "mysql-ro"] {
        let l = one("ichnaea__haproxy.cfg", proxy);
        assert_eq!(idle_secs(&l), (Some(60), Some(60)), "{proxy}");
    }

    // patroni: defaults mode tcp, timeout client/server 30m.
    let l = one("patroni__haproxy.cfg", "batman");
    assert_eq!(idle_secs(&l), (Some(1800), Some(1800)));
    assert_eq!(l.sources.text_at(l.timeouts.location), "listen batman");

    // 1DevOps2's patroni copy: `listen postgres` inherits `mode http`.
    let l = one("patroni-haproxy-1devops2__haproxy.cfg", "postgres");
    assert_eq!(idle_secs(&l), (Some(50), Some(50)));
    let d: Vec<_> = l.diags.iter().filter(|d| d.code.id == "TL122").collect();
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].severity, Severity::Error);

    // Bereket-G: defaults (mode http, 50000 ms) inherited by a tcp listen;
    // the stats listen's `stats auth admin:password` is redacted.
    let l = one("pgbouncer-haproxy-lb__haproxy.cfg", "pgsql_pool");
    assert_eq!(idle_secs(&l), (Some(50), Some(50)));
    let text: String = l
        .sources
        .files()
        .map(|(_, f)| f.masked_text().to_string())
        .collect();
    assert!(text.contains("stats auth admin:********"), "{text}");

    // Oguzkaan: a frontend and its default backend, 30m.
    let l = one(
        "postgresql-ha-oguzkaan__haproxy_node1.conf",
        "Master_Server",
    );
    assert_eq!(idle_secs(&l), (Some(1800), Some(1800)));

    // CockroachDB behind `listen psql`: 1m.
    let l = one("thu-distributed-db__haproxy.cfg", "psql");
    assert_eq!(idle_secs(&l), (Some(60), Some(60)));

    // Ajtemir: unindented directives, frontend + backend, 1m.
    let l = one("ajtemir-postgresql__haproxy.cfg", "postgres_front");
    assert_eq!(idle_secs(&l), (Some(60), Some(60)));
}

#[test]
fn harisekhon_files_form_one_config() {
    let Some(dir) = corpus_dir() else { return };
    // `haproxy -f 10-global.cfg -f mysql.cfg`: the defaults (timeout client
    // and server 10s, timeout tunnel 1h, mode http) apply to the tcp
    // frontend/backend of the second file; the tunnel timeout supersedes
    // the 10 s once the tcp stream is a tunnel.
    for (file, proxy) in [
        ("harisekhon-haproxy-configs__mysql.cfg", "mysql"),
        ("harisekhon-haproxy-configs__postgres.cfg", "postgres"),
    ] {
        let paths = [
            dir.join("harisekhon-haproxy-configs__10-global.cfg"),
            dir.join(file),
        ];
        let l = load(&paths, proxy);
        assert_eq!(found(&l), [], "{file}: {:#?}", describe(&l));
        assert_eq!(idle_secs(&l), (Some(3600), Some(3600)), "{file}");
        let origin = l.timeouts.client_idle.as_ref().map(|s| {
            let loc = s.origin.location().expect("a location");
            (
                file_name(l.sources.get(loc.file).path()),
                origin_text(&l, &s.origin),
            )
        });
        assert_eq!(
            origin,
            Some((
                "harisekhon-haproxy-configs__10-global.cfg".to_string(),
                "1h".to_string()
            ))
        );
        // The listener itself is declared in the second file.
        assert_eq!(
            file_name(l.sources.get(l.timeouts.location.file).path()),
            file
        );
    }
}
