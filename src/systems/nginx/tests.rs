use std::path::Path;
use std::time::Duration;

use tempfile::TempDir;

use super::glob::fnmatch;
use super::*;
use crate::diagnostic::Severity;
use crate::provenance::Origin;
use crate::source::{LoadError, SourceMap};
use crate::systems::proxy::{ProxyKind, ProxyLookup, ProxyTimeouts};
use crate::test_support::{load_text_with, load_with, tree};

type Loaded = crate::test_support::Loaded<ProxyLookup>;

impl Loaded {
    fn found(&self) -> &ProxyTimeouts {
        match &self.out {
            ProxyLookup::Found(t) => t,
            other => panic!("not found: {other:?} {:?}", self.diags()),
        }
    }

    fn idle(&self) -> (Duration, (String, String)) {
        let t = self.found();
        let c = t.client_idle.as_ref().expect("client");
        let s = t.server_idle.as_ref().expect("server");
        assert_eq!(c, s);
        (c.value, self.at(&c.origin))
    }
}

/// Loads `path` (root `base`) and looks up the stream server of `listen`.
fn load_path(path: &Path, base: &Path, listen: &str) -> Loaded {
    load_with(path, base, |p, s, d| load_nginx_stream(p, listen, s, d))
}

fn load_in(dir: &TempDir, name: &str, listen: &str) -> Loaded {
    load_path(&dir.path().join(name), dir.path(), listen)
}

fn load_text(text: &str, listen: &str) -> Loaded {
    load_text_with("nginx.conf", text, |p, s, d| {
        load_nginx_stream(p, listen, s, d)
    })
}

fn mins(m: u64) -> Duration {
    Duration::from_secs(m * 60)
}

#[test]
fn times_accept() {
    let cases: &[(&str, u64)] = &[
        ("10m", 600_000),
        ("1h30m", 5_400_000),
        ("1h 30m", 5_400_000),
        ("600", 600_000),
        ("0", 0),
        ("500ms", 500),
        ("1s500ms", 1_500),
        ("2w1d", 15 * 86_400_000),
        ("1d", 86_400_000),
        ("30s", 30_000),
        ("1h5", 3_605_000),
        ("007s", 7_000),
    ];
    for (text, ms) in cases {
        assert_eq!(parse_time_ms(text), Ok(*ms), "{text}");
    }
}

#[test]
fn times_reject() {
    let cases: &[(&str, TimeError)] = &[
        ("5x", TimeError::Invalid),
        ("", TimeError::Invalid),
        ("s", TimeError::Invalid),
        ("1.5s", TimeError::Invalid),
        ("30m1h", TimeError::Invalid),
        ("1s1s", TimeError::Invalid),
        ("-5s", TimeError::Invalid),
        ("10 m", TimeError::Invalid),
        ("1ms1s", TimeError::Invalid),
        ("1M", TimeError::MonthsOrYears),
        ("1y", TimeError::MonthsOrYears),
        ("99999999999999999999", TimeError::Invalid),
        ("9999999999999999w", TimeError::Invalid),
        ("10é", TimeError::Invalid),
    ];
    for (text, e) in cases {
        assert_eq!(parse_time_ms(text), Err(*e), "{text}");
    }
}

#[test]
fn listen_matching() {
    let yes = [
        ("3306", "3306"),
        ("3306", "0.0.0.0:3306"),
        ("3306", "[::]:3306"),
        ("3306", "*:3306"),
        ("3306", "10.0.0.5:3306"),
        ("127.0.0.1:3306", "3306"),
        ("127.0.0.1:3306", "127.0.0.1:3306"),
        ("LOCALHOST:3306", "localhost:3306"),
        ("[::1]:3306", "[::]:3306"),
        ("3306", "3300-3310"),
        (" 3306 ", "3306"),
        ("unix:/run/db.sock", "unix:/run/db.sock"),
    ];
    for (want, have) in yes {
        assert!(listen_matches(want, have), "{want} vs {have}");
    }
    let no = [
        ("3306", "33060"),
        ("3306", "5432"),
        ("127.0.0.1:3306", "10.0.0.1:3306"),
        ("3306", "unix:/run/db.sock"),
        ("3306", "localhost"),
        ("3311", "3300-3310"),
        ("x", "3306"),
    ];
    for (want, have) in no {
        assert!(!listen_matches(want, have), "{want} vs {have}");
    }
}

#[test]
fn finds_the_server_by_listen_port() {
    let text = "stream {\n  server {\n    listen 5432;\n    proxy_timeout 1h;\n  }\n  \
                    server {\n    listen [::]:3306 reuseport;\n    proxy_timeout 1h30m;\n  }\n}\n";
    let l = load_text(text, "3306");
    assert!(l.diags.is_empty(), "{:?}", l.diags());
    let t = l.found();
    assert_eq!(t.kind, ProxyKind::NginxStream);
    assert_eq!(t.name, "[::]:3306");
    assert_eq!(l.sources.text_at(t.location), "[::]:3306");
    assert_eq!(l.idle(), (mins(90), ("nginx.conf".into(), "1h30m".into())));
    assert_eq!(l.sources.short(t.location), "nginx.conf:7");
}

#[test]
fn not_found_lists_listen_values() {
    let text = "stream {\n  server { listen 5432; }\n  server { listen 0.0.0.0:6432; listen 7000 udp; }\n}\nhttp { server { listen 3306; } }\n";
    let l = load_text(text, "3306");
    match &l.out {
        ProxyLookup::NotFound { available } => {
            assert_eq!(available, &["5432", "0.0.0.0:6432", "7000"]);
        }
        other => panic!("{other:?}"),
    }
    // A UDP listen is never the database listener.
    assert!(matches!(
        load_text(text, "7000").out,
        ProxyLookup::NotFound { .. }
    ));
}

#[test]
fn inherits_from_stream_level_wherever_written() {
    let text = "stream {\n  server { listen 3306; }\n  proxy_timeout 20m;\n}\n";
    let l = load_text(text, "3306");
    assert!(l.diags.is_empty(), "{:?}", l.diags());
    assert_eq!(l.idle(), (mins(20), ("nginx.conf".into(), "20m".into())));
    // The server's own value wins.
    let text = "stream {\n  proxy_timeout 20m;\n  server { listen 3306; proxy_timeout 600; }\n}\n";
    assert_eq!(load_text(text, "3306").idle().0, mins(10));
}

#[test]
fn default_is_ten_minutes_anchored_at_the_server() {
    let l = load_text("stream {\n  server {\n    listen 3306;\n  }\n}\n", "3306");
    assert!(l.diags.is_empty(), "{:?}", l.diags());
    let t = l.found();
    let idle = t.client_idle.as_ref().expect("idle");
    assert_eq!(idle.value, mins(10));
    match &idle.origin {
        Origin::Default {
            system,
            source,
            anchor,
        } => {
            assert_eq!(*system, "nginx");
            assert_eq!(*source, PROXY_TIMEOUT_SOURCE);
            let a = anchor.expect("anchor");
            assert_eq!(l.sources.text_at(a), "server");
            assert_eq!(l.sources.short(a), "nginx.conf:2");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn zero_is_a_zero_timeout_with_a_warning() {
    let l = load_text(
        "stream { server { listen 3306; proxy_timeout 0; } }",
        "3306",
    );
    assert_eq!(l.idle().0, Duration::ZERO);
    assert_eq!(l.diags(), [("TL002", "0".to_string())]);
    assert_eq!(l.diags[0].severity, Severity::Warning);
}

#[test]
fn invalid_and_duplicate_values() {
    let l = load_text(
        "stream {\n  proxy_timeout 5x;\n  server { listen 3306; proxy_timeout 1M; }\n  \
             server { listen 1; proxy_timeout 1m; proxy_timeout 2m; proxy_timeout; }\n}\n",
        "3306",
    );
    assert_eq!(
        l.diags(),
        [
            ("TL002", "5x".to_string()),
            ("TL002", "1M".to_string()),
            ("TL002", "2m".to_string()),
            ("TL002", "proxy_timeout".to_string()),
        ]
    );
    assert!(
        l.diags[1].message.contains("months"),
        "{}",
        l.diags[1].message
    );
    assert!(l.diags[0].message.contains("`5x`"));
    // Invalid values are ignored: the default applies.
    assert_eq!(l.idle().0, mins(10));
    assert!(matches!(
        l.found().client_idle.as_ref().map(|s| &s.origin),
        Some(Origin::Default { .. })
    ));
}

#[test]
fn syntax_errors_are_reported_and_reading_goes_on() {
    let l = load_text(
        "stream {\n  server {\n    listen 3306;\n    proxy_timeout 2m;\n  }\n",
        "3306",
    );
    assert_eq!(l.diags(), [("TL001", "{".to_string())]);
    assert!(l.diags[0].message.contains("expecting \"}\""));
    assert_eq!(l.idle().0, mins(2));
    let l = load_text("stream { server { listen 3306; } } }", "3306");
    assert_eq!(l.diags(), [("TL001", "}".to_string())]);
}

#[test]
fn includes_from_the_configuration_folder() {
    let dir = tree(&[
        (
            "etc/nginx.conf",
            "events {}\nstream {\n  include stream.d/*.conf;\n  include 'timeouts.conf';\n}\n",
        ),
        // In a sub-folder, a relative include is still read from etc/.
        (
            "etc/stream.d/b-db.conf",
            "server {\n  listen 3306;\n  include snippets/db.conf;\n}\n",
        ),
        ("etc/stream.d/a-pg.conf", "server { listen 5432; }\n"),
        ("etc/stream.d/.hidden.conf", "server { listen 9; }\n"),
        ("etc/stream.d/notes.txt", "this is not nginx {"),
        ("etc/snippets/db.conf", "proxy_timeout 45s;\n"),
        ("etc/timeouts.conf", "proxy_timeout 1h;\n"),
    ]);
    let l = load_in(&dir, "etc/nginx.conf", "3306");
    assert!(l.diags.is_empty(), "{:?}", l.diags());
    assert_eq!(
        l.idle(),
        (Duration::from_secs(45), ("db.conf".into(), "45s".into()))
    );
    assert_eq!(
        l.sources.short(l.found().location),
        "etc/stream.d/b-db.conf:2"
    );
    let l = load_in(&dir, "etc/nginx.conf", "1");
    match &l.out {
        ProxyLookup::NotFound { available } => assert_eq!(available, &["5432", "3306"]),
        other => panic!("{other:?}"),
    }
    // The stream-level value comes from an include too.
    let l = load_in(&dir, "etc/nginx.conf", "5432");
    assert_eq!(l.idle(), (mins(60), ("timeouts.conf".into(), "1h".into())));
}

#[test]
fn missing_include_cycle_and_empty_glob() {
    let l = load_text(
        "stream {\n  include missing.conf;\n  include none.d/*.conf;\n  server { listen 3306; }\n}\n",
        "3306",
    );
    assert_eq!(l.diags(), [("TL003", "missing.conf".to_string())]);
    assert_eq!(l.idle().0, mins(10));

    let dir = tree(&[
        ("a.conf", "stream { include b.conf; }\n"),
        (
            "b.conf",
            "server { listen 3306; proxy_timeout 3s; }\ninclude a.conf;\n",
        ),
    ]);
    let l = load_in(&dir, "a.conf", "3306");
    assert_eq!(l.diags(), [("TL003", "a.conf".to_string())]);
    assert!(l.diags[0].message.contains("cycle"));
    assert_eq!(l.idle().0, Duration::from_secs(3));

    let l = load_text("include;\ninclude a b;\n", "3306");
    assert_eq!(
        l.diags(),
        [
            ("TL002", "include".to_string()),
            ("TL002", "include".to_string())
        ]
    );
}

#[test]
fn fixture_folder() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/nginx/include");
    let l = load_path(&root.join("nginx.conf"), &root, "3306");
    assert!(l.diags.is_empty(), "{:?}", l.diags());
    assert_eq!(l.idle(), (mins(5), ("mysql.conf".into(), "5m".into())));
    let l = load_path(&root.join("nginx.conf"), &root, "5432");
    assert_eq!(l.idle(), (mins(30), ("nginx.conf".into(), "30m".into())));
}

#[test]
fn fnmatch_like_glob() {
    let yes = [
        ("*.conf", "a.conf"),
        ("?.conf", "a.conf"),
        ("[ab].conf", "b.conf"),
        ("[a-c]*", "c.x"),
        ("[!a]*", "b"),
        ("*", "x"),
        ("a\\*", "a*"),
        (".*", ".hidden"),
        ("[", "["),
    ];
    for (p, n) in yes {
        assert!(fnmatch(p, n), "{p} {n}");
    }
    let no = [
        ("*.conf", "a.conf.bak"),
        ("*", ".hidden"),
        ("?x", ".x"),
        ("[!a]*", "a"),
        ("[ab].conf", "c.conf"),
        ("a\\*", "ab"),
    ];
    for (p, n) in no {
        assert!(!fnmatch(p, n), "{p} {n}");
    }
}

#[test]
fn unreadable_named_file_is_a_load_error() {
    let dir = TempDir::new().expect("dir");
    let mut sources = SourceMap::new(None);
    let mut diags = Vec::new();
    let r = load_nginx_stream(
        &dir.path().join("missing.conf"),
        "3306",
        &mut sources,
        &mut diags,
    );
    assert!(matches!(r, Err(LoadError::Unreadable { .. })), "{r:?}");
}

#[test]
fn never_panics_on_odd_input() {
    let inputs = [
        "",
        "stream",
        "stream;",
        "stream {",
        "stream { server; }",
        "stream { server { listen; } }",
        "stream { server { listen \"\"; } }",
        "stream { server { listen [; } }",
        "stream { server { listen [::; } }",
        "stream { server { listen :; } }",
        "stream { server { listen 99999999999999999999; } }",
        "stream { server { listen 3306-1; } }",
        "stream { proxy_timeout 99999999999999w; server { listen 3306; } }",
        "stream { proxy_timeout \"\"; server { listen 3306; } }",
        "stream { proxy_timeout é; server { listen 3306; } }",
        "stream { include [; }",
        "stream { include ''; }",
        "include /;",
        "\u{0}{}}}",
        "stream {} stream { server { listen 3306; } }",
    ];
    for text in inputs {
        for listen in ["3306", "", "[", ":", "unix:", "é"] {
            let _ = load_text(text, listen);
        }
    }
}
