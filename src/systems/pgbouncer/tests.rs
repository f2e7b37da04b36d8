use std::path::Path;
use std::time::Duration;

use super::*;
use crate::diagnostic::Severity;
use crate::provenance::Origin;
use crate::source::{LoadError, SourceMap, Span};
use crate::sources::SetBy;
use tempfile::TempDir;

use crate::test_support::{load_text_with, load_with, tree};

type Loaded = crate::test_support::Loaded<PgBouncer>;

fn load_in(dir: &TempDir, name: &str) -> Loaded {
    load_with(&dir.path().join(name), dir.path(), load_pgbouncer)
}

fn load_text(text: &str) -> Loaded {
    load_text_with("pgbouncer.ini", text, load_pgbouncer)
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

#[test]
fn times_accept_plain_fractional_seconds() {
    let accept: &[(&str, u64)] = &[
        ("600", 600_000_000),
        ("0", 0),
        ("0.5", 500_000),
        ("1.25", 1_250_000),
        (".5", 500_000),
        ("5.", 5_000_000),
        ("1e3", 1_000_000_000),
        ("2.5E-1", 250_000),
        ("+7", 7_000_000),
        ("-0", 0),
        (" 30", 30_000_000),
        ("0.0000015", 1),
    ];
    for &(text, micros) in accept {
        assert_eq!(
            parse_time(text),
            Ok(Duration::from_micros(micros)),
            "{text:?}"
        );
    }
}

#[test]
fn times_reject_units_comments_and_junk() {
    let reject: &[(&str, TimeError)] = &[
        ("10min", TimeError::Malformed),
        ("30s", TimeError::Malformed),
        ("600 # ten minutes", TimeError::Malformed),
        ("600 ; note", TimeError::Malformed),
        ("", TimeError::Malformed),
        (".", TimeError::Malformed),
        ("1e", TimeError::Malformed),
        ("1,5", TimeError::Malformed),
        ("0x10", TimeError::Malformed),
        ("ten", TimeError::Malformed),
        ("-1", TimeError::Negative),
        ("-0.5", TimeError::Negative),
        ("-inf", TimeError::Negative),
        ("inf", TimeError::NotFinite),
        ("NaN", TimeError::NotFinite),
        ("1e30", TimeError::TooLarge),
    ];
    for &(text, err) in reject {
        assert_eq!(parse_time(text), Err(err), "{text:?}");
    }
}

#[test]
fn integers_follow_strtol_base_zero() {
    let accept: &[(&str, i64)] = &[
        ("30", 30),
        ("0", 0),
        ("0x1e", 30),
        ("0X1E", 30),
        ("010", 8),
        ("-1", -1),
        ("+7", 7),
        (" 9", 9),
        ("2147483647", 2_147_483_647),
    ];
    for &(text, n) in accept {
        assert_eq!(parse_int(text), Ok(n), "{text:?}");
    }
    let reject: &[(&str, IntError)] = &[
        ("08", IntError::Malformed),
        ("1.5", IntError::Malformed),
        ("30s", IntError::Malformed),
        ("", IntError::Malformed),
        ("0x", IntError::Malformed),
        ("on", IntError::Malformed),
        ("true", IntError::Malformed),
        ("1 # c", IntError::Malformed),
        ("-", IntError::Malformed),
        ("2147483648", IntError::OutOfRange),
        (
            "99999999999999999999999999999999999999999",
            IntError::OutOfRange,
        ),
    ];
    for &(text, err) in reject {
        assert_eq!(parse_int(text), Err(err), "{text:?}");
    }
}

#[test]
fn name_lists() {
    let cases: &[(&str, &[&str])] = &[
        ("", &[]),
        ("extra_float_digits", &["extra_float_digits"]),
        (
            "extra_float_digits, search_path",
            &["extra_float_digits", "search_path"],
        ),
        ("a,,b c\tD", &["a", "b", "c", "D"]),
    ];
    for &(text, names) in cases {
        assert_eq!(parse_name_list(text), names, "{text:?}");
    }
}

#[test]
fn defaults_are_anchored_at_the_header() {
    let l = load_text("[databases]\nx = host=a\n\n[pgbouncer]\nlisten_port = 6432\n");
    assert!(l.diags.is_empty(), "{:?}", l.diags);
    let p = &l.out;
    let want: &[(&Sourced<Duration>, f64, &str)] = &[
        (&p.server_idle_timeout, 600.0, "#server_idle_timeout"),
        (&p.server_lifetime, 3600.0, "#server_lifetime"),
        (&p.client_idle_timeout, 0.0, "#client_idle_timeout"),
        (&p.query_timeout, 0.0, "#query_timeout"),
        (&p.query_wait_timeout, 120.0, "#query_wait_timeout"),
        (
            &p.idle_transaction_timeout,
            0.0,
            "#idle_transaction_timeout",
        ),
        (&p.tcp_keepidle, 0.0, "#tcp_keepidle"),
        (&p.tcp_keepintvl, 0.0, "#tcp_keepintvl"),
        (&p.tcp_user_timeout, 0.0, "#tcp_user_timeout"),
    ];
    for (v, s, anchor) in want {
        assert_eq!(secs(v.value), *s, "{anchor}");
        match &v.origin {
            Origin::Default { system, source, .. } => {
                assert_eq!(*system, "PgBouncer");
                assert!(source.starts_with("https://www.pgbouncer.org/config.html"));
                assert!(source.ends_with(anchor), "{source}");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(l.at(&v.origin).1, "[pgbouncer]");
    }
    assert!(p.tcp_keepalive.value);
    assert_eq!(p.tcp_keepcnt.value, 0);
    assert_eq!(p.default_pool_size.value, 20);
    assert_eq!(p.reserve_pool_size.value, 0);
    assert_eq!(p.max_client_conn.value, 100);
    assert_eq!(p.max_db_connections.value, 0);
    assert!(p.ignore_startup_parameters.value.is_empty());
    assert!(!p.max_client_conn.origin.is_explicit());
    let anchor = p.anchor.expect("anchor");
    assert_eq!(l.sources.text_at(anchor), "[pgbouncer]");
}

#[test]
fn without_a_pgbouncer_section_defaults_point_at_the_file_start() {
    let l = load_text("[databases]\nx = host=a\n");
    assert_eq!(l.diags(), [("TL001", String::new())]);
    let loc = l.out.server_idle_timeout.origin.location().expect("anchor");
    assert_eq!(loc.span, Span::new(0, 0));
    assert_eq!(l.out.anchor, Some(loc));
}

#[test]
fn explicit_values_with_their_units() {
    let l = load_text(
        "[pgbouncer]\n\
             server_idle_timeout = 0.5\n\
             server_lifetime=1800\n\
             client_idle_timeout = 7200\n\
             query_timeout = 30\n\
             query_wait_timeout = 15.25\n\
             idle_transaction_timeout = 60\n\
             tcp_keepalive = 0\n\
             tcp_keepidle = 30\n\
             tcp_keepintvl = 0x0a\n\
             tcp_keepcnt = 3\n\
             tcp_user_timeout = 1500\n\
             default_pool_size = 25\n\
             reserve_pool_size = 5\n\
             max_client_conn = 1000\n\
             max_db_connections = 100\n\
             ignore_startup_parameters = extra_float_digits, Options\n",
    );
    assert!(l.diags.is_empty(), "{:?}", l.diags());
    let p = &l.out;
    assert_eq!(p.server_idle_timeout.value, Duration::from_millis(500));
    assert_eq!(l.at(&p.server_idle_timeout.origin).1, "0.5");
    assert!(p.server_idle_timeout.origin.is_explicit());
    assert_eq!(secs(p.server_lifetime.value), 1800.0);
    assert_eq!(secs(p.client_idle_timeout.value), 7200.0);
    assert_eq!(secs(p.query_timeout.value), 30.0);
    assert_eq!(secs(p.query_wait_timeout.value), 15.25);
    assert_eq!(secs(p.idle_transaction_timeout.value), 60.0);
    assert!(!p.tcp_keepalive.value);
    assert_eq!(l.at(&p.tcp_keepalive.origin).1, "0");
    assert_eq!(secs(p.tcp_keepidle.value), 30.0);
    assert_eq!(secs(p.tcp_keepintvl.value), 10.0);
    assert_eq!(p.tcp_keepcnt.value, 3);
    // Milliseconds in the file.
    assert_eq!(p.tcp_user_timeout.value, Duration::from_millis(1500));
    assert_eq!(p.default_pool_size.value, 25);
    assert_eq!(p.reserve_pool_size.value, 5);
    assert_eq!(p.max_client_conn.value, 1000);
    assert_eq!(p.max_db_connections.value, 100);
    // Case kept: pgbouncer compares startup parameter names exactly.
    assert_eq!(
        p.ignore_startup_parameters.value,
        ["extra_float_digits", "Options"]
    );
    assert_eq!(
        l.at(&p.ignore_startup_parameters.origin).1,
        "extra_float_digits, Options"
    );
}

#[test]
fn flags_are_integers() {
    for (text, on) in [("1", true), ("0", false), ("2", true), ("-1", true)] {
        let l = load_text(&format!("[pgbouncer]\ntcp_keepalive = {text}\n"));
        assert!(l.diags.is_empty(), "{text}: {:?}", l.diags());
        assert_eq!(l.out.tcp_keepalive.value, on, "{text}");
    }
    for text in ["on", "yes", "true", "off"] {
        let l = load_text(&format!("[pgbouncer]\ntcp_keepalive = {text}\n"));
        assert_eq!(l.diags(), [("TL002", text.to_string())], "{text}");
        // The rejected occurrence is ignored: the default stays.
        assert!(l.out.tcp_keepalive.value);
        assert!(!l.out.tcp_keepalive.origin.is_explicit());
    }
}

#[test]
fn trailing_comments_are_part_of_the_value() {
    let l = load_text(
        "[pgbouncer]\n\
             # server_idle_timeout = 1\n\
             ; server_lifetime = 1\n\
             server_idle_timeout = 60\n\
             server_idle_timeout = 600   # 10 minutes\n\
             max_client_conn = 1000 ; mobile\n\
             query_wait_timeout = 30.0\n",
    );
    assert_eq!(
        l.diags(),
        [
            ("TL002", "600   # 10 minutes".to_string()),
            ("TL002", "1000 ; mobile".to_string())
        ]
    );
    let d = &l.diags[0];
    assert_eq!(d.severity, Severity::Error);
    assert!(d.message.contains("600   # 10 minutes"), "{}", d.message);
    let help = d.help.as_deref().unwrap_or_default();
    assert!(help.contains("`server_idle_timeout = 600`"), "{help}");
    // The bad occurrence is ignored; the earlier valid one stands.
    assert_eq!(secs(l.out.server_idle_timeout.value), 60.0);
    assert_eq!(l.out.max_client_conn.value, 100);
    assert_eq!(secs(l.out.server_lifetime.value), 3600.0);
    assert_eq!(secs(l.out.query_wait_timeout.value), 30.0);
}

#[test]
fn units_are_rejected_with_a_suggestion() {
    let cases = [
        (
            "server_idle_timeout",
            "10min",
            "`server_idle_timeout = 600`",
        ),
        ("client_idle_timeout", "30s", "`client_idle_timeout = 30`"),
        ("query_timeout", "500ms", "`query_timeout = 0.5`"),
        ("server_lifetime", "1h", "`server_lifetime = 3600`"),
        ("tcp_keepidle", "5 min", "`tcp_keepidle = 300`"),
        ("tcp_user_timeout", "30s", "`tcp_user_timeout = 30000`"),
        ("tcp_keepidle", "0.5", "strtol"),
        ("default_pool_size", "20.0", "strtol"),
        ("query_timeout", "", "seconds"),
    ];
    for (key, value, hint) in cases {
        let l = load_text(&format!("[pgbouncer]\n{key} = {value}\n"));
        assert_eq!(l.diags(), [("TL002", value.to_string())], "{key} = {value}");
        let d = &l.diags[0];
        let help = d.help.as_deref().unwrap_or_default();
        assert!(help.contains(hint), "{key} = {value}: {help}");
        assert!(d.message.starts_with(key), "{}", d.message);
        assert!(!d.message.ends_with('.'));
    }
}

#[test]
fn negative_numbers_warn_and_read_as_zero() {
    let l = load_text("[pgbouncer]\ntcp_keepidle = -5\nmax_db_connections = -1\n");
    assert_eq!(
        l.diags(),
        [("TL002", "-5".to_string()), ("TL002", "-1".to_string())]
    );
    assert!(l.diags.iter().all(|d| d.severity == Severity::Warning));
    assert_eq!(l.out.tcp_keepidle.value, Duration::ZERO);
    assert!(l.out.tcp_keepidle.origin.is_explicit());
    assert_eq!(l.out.max_db_connections.value, 0);
    let l = load_text("[pgbouncer]\nserver_lifetime = -5\n");
    assert_eq!(l.diags(), [("TL002", "-5".to_string())]);
    assert_eq!(l.diags[0].severity, Severity::Error);
    assert_eq!(secs(l.out.server_lifetime.value), 3600.0);
}

#[test]
fn only_pgbouncer_section_keys_are_settings() {
    let l = load_text(
        "[databases]\n\
             server_idle_timeout = host=a\n\
             [users]\n\
             max_client_conn = pool_mode=session\n\
             [pgbouncer]\n\
             server_lifetime = 10\n\
             some_future_setting = 1\n\
             [peers]\n\
             1 = host=/tmp/pgb1\n",
    );
    assert!(l.diags.is_empty(), "{:?}", l.diags());
    assert_eq!(secs(l.out.server_idle_timeout.value), 600.0);
    assert_eq!(l.out.max_client_conn.value, 100);
    assert_eq!(secs(l.out.server_lifetime.value), 10.0);
    let names: Vec<_> = l.out.databases.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, ["server_idle_timeout"]);
}

#[test]
fn section_and_key_names_are_case_sensitive() {
    let l = load_text("[PgBouncer]\nserver_idle_timeout = 5\n[pgbouncer]\nServer_Lifetime = 5\n");
    assert_eq!(
        l.diags(),
        [
            ("TL001", "PgBouncer".to_string()),
            ("TL002", "Server_Lifetime".to_string())
        ]
    );
    assert!(
        l.diags[0]
            .help
            .as_deref()
            .unwrap_or_default()
            .contains("[pgbouncer]")
    );
    assert_eq!(secs(l.out.server_idle_timeout.value), 600.0);
    assert_eq!(secs(l.out.server_lifetime.value), 3600.0);
    let l = load_text("[ pgbouncer ]\nx = 1\n[foo]\n");
    assert_eq!(
        l.diags(),
        [
            ("TL001", " pgbouncer ".to_string()),
            ("TL001", "foo".to_string()),
            ("TL001", String::new()),
        ]
    );
}

#[test]
fn syntax_errors() {
    let l = load_text(
        "--/etc/pgbouncer/pgbouncer.ini\nserver_lifetime = 1\n[pgbouncer]\nlisten_port 6432\n\
             [databases\nserver_idle_timeout = 9\n",
    );
    assert_eq!(
        l.diags(),
        [
            ("TL001", "--/etc/pgbouncer/pgbouncer.ini".to_string()),
            ("TL001", "server_lifetime".to_string()),
            ("TL001", "listen_port 6432".to_string()),
            ("TL001", "[databases".to_string()),
        ]
    );
    // Still read as far as possible.
    assert_eq!(secs(l.out.server_idle_timeout.value), 9.0);
    assert_eq!(secs(l.out.server_lifetime.value), 3600.0);
}

#[test]
fn last_occurrence_wins_and_headers_reset() {
    let l = load_text(
        "[pgbouncer]\nserver_idle_timeout = 10\nserver_idle_timeout = 20\n\
             [databases]\n[pgbouncer]\nserver_idle_timeout = 30\n",
    );
    // 20 was in force when the second header reset it.
    assert_eq!(l.diags(), [("TL002", "20".to_string())]);
    assert_eq!(secs(l.out.server_idle_timeout.value), 30.0);
    assert_eq!(
        l.sources
            .short(l.out.server_idle_timeout.origin.location().expect("loc")),
        "pgbouncer.ini:6"
    );
    // A second [pgbouncer] header restores the defaults (fill_defaults).
    let l = load_text(
        "[pgbouncer]\nserver_lifetime = 100\nmax_client_conn = 5\n\
             [databases]\nx = host=a\n[pgbouncer]\nlisten_port = 1\n",
    );
    assert_eq!(
        l.diags(),
        [("TL002", "100".to_string()), ("TL002", "5".to_string())]
    );
    assert!(l.diags.iter().all(|d| d.severity == Severity::Warning));
    assert_eq!(secs(l.out.server_lifetime.value), 3600.0);
    assert_eq!(l.out.max_client_conn.value, 100);
    let anchor = l.out.anchor.expect("anchor");
    assert_eq!(l.sources.short(anchor), "pgbouncer.ini:6");
    assert_eq!(l.out.server_lifetime.origin.location(), Some(anchor));
}

#[test]
fn include_relative_to_the_including_file() {
    let dir = tree(&[
        (
            "etc/pgbouncer.ini",
            "[pgbouncer]\nserver_lifetime = 100\n%include conf.d/a.ini\nquery_timeout = host=5\n",
        ),
        (
            "etc/conf.d/a.ini",
            "server_lifetime = 200\n%include b.ini\nmax_client_conn = host=7\n",
        ),
        ("etc/conf.d/b.ini", "[databases]\nfoo = host=x\n"),
    ]);
    let l = load_in(&dir, "etc/pgbouncer.ini");
    assert!(l.diags.is_empty(), "{:?}", l.diags());
    assert_eq!(secs(l.out.server_lifetime.value), 200.0);
    assert_eq!(l.at(&l.out.server_lifetime.origin).0, "a.ini");
    // b.ini switched the section to [databases]; it stays in force after
    // the include, in a.ini and in the main file.
    assert_eq!(l.out.max_client_conn.value, 100);
    assert_eq!(secs(l.out.query_timeout.value), 0.0);
    let names: Vec<_> = l.out.databases.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, ["foo", "max_client_conn", "query_timeout"]);
    assert_eq!(l.out.files.len(), 3);
}

#[test]
fn include_from_fixture_folder() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pgbouncer/include");
    let l = load_with(&root.join("pgbouncer.ini"), &root, load_pgbouncer);
    assert!(l.diags.is_empty(), "{:?}", l.diags());
    let p = &l.out;
    assert_eq!(secs(p.server_idle_timeout.value), 300.0);
    assert_eq!(
        l.sources
            .short(p.server_idle_timeout.origin.location().expect("loc")),
        "conf.d/timeouts.ini:2"
    );
    assert_eq!(secs(p.server_lifetime.value), 1800.0);
    assert_eq!(l.at(&p.server_lifetime.origin).0, "pgbouncer.ini");
    assert_eq!(secs(p.tcp_keepidle.value), 60.0);
    assert_eq!(p.tcp_user_timeout.value, Duration::from_secs(30));
    assert_eq!(
        p.ignore_startup_parameters.value,
        ["extra_float_digits", "options"]
    );
    assert_eq!(p.databases.len(), 1);
    let db = &p.databases[0];
    assert_eq!(db.param("pool_size").map(|c| c.value.as_str()), Some("40"));
    assert_eq!(db.param("password"), None);
    assert!(!l.all_text().contains("fixture-secret"));
}

#[test]
fn missing_include_cycle_and_depth() {
    let l = load_text("[pgbouncer]\n%include missing.ini\nserver_lifetime = 9\n");
    assert_eq!(l.diags(), [("TL003", "missing.ini".to_string())]);
    assert_eq!(l.diags[0].severity, Severity::Error);
    assert!(l.diags[0].message.contains("missing.ini"));
    assert_eq!(secs(l.out.server_lifetime.value), 9.0);

    let dir = tree(&[
        ("a.ini", "[pgbouncer]\n%include b.ini\n"),
        ("b.ini", "server_lifetime = 5\n%include a.ini\n"),
    ]);
    let l = load_in(&dir, "a.ini");
    assert_eq!(l.diags(), [("TL003", "a.ini".to_string())]);
    assert_eq!(secs(l.out.server_lifetime.value), 5.0);

    let mut files: Vec<(String, String)> = (0..12)
        .map(|i| {
            (
                format!("f{i}.ini"),
                format!("server_lifetime = {}\n%include f{}.ini\n", i + 1, i + 1),
            )
        })
        .collect();
    files[0].1 = format!("[pgbouncer]\n{}", files[0].1);
    files.push(("f12.ini".into(), "server_lifetime = 999\n".into()));
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let dir = tree(&refs);
    let l = load_in(&dir, "f0.ini");
    // f0 is depth 0, f10 is depth 10: its directive is refused.
    assert_eq!(l.out.files.len(), 11);
    assert_eq!(secs(l.out.server_lifetime.value), 11.0);
    assert_eq!(l.diags(), [("TL003", "f11.ini".to_string())]);
}

#[test]
fn passwords_are_redacted() {
    let l = load_text(
        "[databases]\n\
             a = host=db user=app password=hunter2 pool_size=5\n\
             b = password='two words''s' host=db\n\
             c = host=db password='unterminated secret\n\
             [users]\n\
             u = password=userpw\n\
             [pgbouncer]\n\
             auth_password = topsecret\n\
             Server_Password = alsosecret\n\
             auth_user = pgbouncer\n",
    );
    let all = l.all_text();
    for secret in [
        "hunter2",
        "two words",
        "unterminated",
        "userpw",
        "topsecret",
        "alsosecret",
    ] {
        assert!(!all.contains(secret), "{secret} leaked: {all}");
    }
    assert!(all.contains("pool_size=5"));
    assert!(all.contains("auth_user = pgbouncer"));
    // c's broken quote is a connection-string error.
    assert_eq!(l.diags.len(), 1, "{:?}", l.diags());
    assert_eq!(l.diags[0].code.id, "TL002");
    for d in &l.diags {
        assert!(!d.message.contains("unterminated"));
    }
    let names: Vec<_> = l.out.databases.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, ["a", "b"]);
    let a = &l.out.databases[0];
    let keys: Vec<_> = a.params.iter().map(|p| p.key.as_str()).collect();
    assert_eq!(keys, ["host", "user", "pool_size"]);
    assert_eq!(l.sources.text_at(a.params[2].location), "5");
    assert_eq!(l.sources.text_at(a.location), "a");
}

#[test]
fn database_redefinition_replaces_in_place() {
    let l = load_text("[databases]\na = host=1\nb = host=2\na = host=3\n[pgbouncer]\n");
    let got: Vec<_> = l
        .out
        .databases
        .iter()
        .map(|d| (d.name.as_str(), d.param("host").map(|p| p.value.as_str())))
        .collect();
    assert_eq!(got, [("a", Some("3")), ("b", Some("2"))]);
}

#[test]
fn unreadable_named_file_is_a_load_error() {
    let dir = TempDir::new().expect("dir");
    let mut sources = SourceMap::new(None);
    let mut diags = Vec::new();
    let r = load_pgbouncer(&dir.path().join("missing.ini"), &mut sources, &mut diags);
    assert!(matches!(r, Err(LoadError::Unreadable { .. })), "{r:?}");
    assert!(diags.is_empty());
}

#[test]
fn crlf_and_non_utf8_files() {
    let l = load_text("[pgbouncer]\r\nserver_idle_timeout = 120\r\n");
    assert!(l.diags.is_empty(), "{:?}", l.diags());
    assert_eq!(secs(l.out.server_idle_timeout.value), 120.0);
    assert_eq!(l.at(&l.out.server_idle_timeout.origin).1, "120");
    let dir = TempDir::new().expect("dir");
    std::fs::write(
        dir.path().join("p.ini"),
        b"[pgbouncer]\n; \xff\xfe\nserver_lifetime=3\n",
    )
    .expect("write");
    assert_eq!(secs(load_in(&dir, "p.ini").out.server_lifetime.value), 3.0);
}

#[test]
fn never_panics_on_odd_input() {
    let inputs = [
        "",
        "\n",
        "[",
        "]",
        "[]",
        "=",
        "==",
        "%",
        "%include",
        "%include ",
        "%include \u{0}",
        "'",
        "\"",
        "''=",
        "[pgbouncer]\nserver_idle_timeout=",
        "[pgbouncer]\nserver_idle_timeout=1e999999",
        "[pgbouncer]\nserver_idle_timeout=-",
        "[pgbouncer]\nserver_idle_timeout=99999999999999999999999",
        "[pgbouncer]\nserver_idle_timeout=é",
        "[pgbouncer]\nserver_idle_timeout=1\u{0}junk",
        "[pgbouncer]\ntcp_keepidle=-99999999999999999999",
        "[pgbouncer]\ntcp_user_timeout=99999999999999 min",
        "[pgbouncer]\nquery_timeout=999999999999999999999999 d",
        "[pgbouncer]\nquery_timeout=. s",
        "[databases]\nx = '",
        "[databases]\nx = a='b''",
        "[databases]\nx = password=",
        "\u{feff}[pgbouncer]",
        "\0\0\0",
    ];
    for text in inputs {
        let _ = load_text(text);
    }
}

/// Resolves image-environment assignments over the pgbouncer.ini `ini`
/// (none when empty).
fn resolved(ini: &str, env: &str) -> Loaded {
    let dir = tree(&[(
        "pgbouncer.ini",
        if ini.is_empty() { "[pgbouncer]\n" } else { ini },
    )]);
    let mut l = load_in(&dir, "pgbouncer.ini");
    let base = (!ini.is_empty()).then(|| l.out.clone());
    let a = crate::test_support::assignments(
        &mut l.sources,
        "compose.yaml",
        env,
        SetBy::ImageEnvironment,
    );
    let anchor = a
        .first()
        .map_or(Location::new(FileId(0), Span::new(0, 0)), |a| a.name_at);
    let mut diags = Vec::new();
    l.out = resolve(&a, base.as_ref(), anchor, &mut l.sources, &mut diags);
    l.diags = diags;
    l
}

#[test]
fn resolve_applies_the_ini_rules() {
    // (assignments, server_idle_timeout s, diagnostics)
    let table: &[(&str, f64, &[&str])] = &[
        ("server_idle_timeout=60", 60.0, &[]),
        ("server_idle_timeout=0.5", 0.5, &[]),
        ("server_idle_timeout=60s", 600.0, &["TL002"]),
        ("SERVER_IDLE_TIMEOUT=60", 600.0, &["TL002"]),
        ("server_idle_timeout=?unset", 600.0, &["TL015"]),
        ("pool_mode=transaction", 600.0, &[]),
    ];
    for (env, want, codes) in table {
        let l = resolved("", env);
        assert_eq!(secs(l.out.server_idle_timeout.value), *want, "{env}");
        let got: Vec<&str> = l.diags().iter().map(|d| d.0).collect();
        assert_eq!(&got, codes, "{env}");
    }
    let l = resolved("", "default_pool_size=40 server_lifetime=1800");
    assert_eq!(l.out.default_pool_size.value, 40);
    assert_eq!(
        l.at(&l.out.server_lifetime.origin),
        ("compose.yaml".into(), "1800".into())
    );
    // Defaults are anchored where the adapter says (the first variable here).
    assert_eq!(
        l.at(&l.out.query_timeout.origin),
        ("compose.yaml".into(), "default_pool_size".into())
    );
}

#[test]
fn environment_beats_the_ini_and_says_so() {
    let l = resolved(
        "[pgbouncer]\nserver_idle_timeout = 30\ndefault_pool_size = 10\n",
        "server_idle_timeout=120",
    );
    assert_eq!(secs(l.out.server_idle_timeout.value), 120.0);
    assert_eq!(l.diags(), vec![("TL016", "30".to_string())]);
    assert_eq!(l.out.default_pool_size.value, 10);
}

#[test]
fn pool_mode_words_accepted_and_rejected() {
    // strcasecmp in cf_set_lookup: case does not matter.
    for (text, want) in [
        ("session", PoolMode::Session),
        ("transaction", PoolMode::Transaction),
        ("statement", PoolMode::Statement),
        ("Transaction", PoolMode::Transaction),
        ("SESSION", PoolMode::Session),
    ] {
        let l = load_text(&format!("[pgbouncer]\npool_mode = {text}\n"));
        assert_eq!(l.out.pool_mode.value, want, "{text}");
        assert_eq!(l.at(&l.out.pool_mode.origin).1, text);
        assert!(l.diags.is_empty(), "{text}: {:?}", l.diags());
    }
    // Anything else: pgbouncer refuses to start; the earlier value stays.
    for text in ["txn", "transaction # comment", "", "1"] {
        let l = load_text(&format!(
            "[pgbouncer]\npool_mode = transaction\npool_mode = {text}\n"
        ));
        assert_eq!(l.out.pool_mode.value, PoolMode::Transaction, "{text:?}");
        assert_eq!(l.diags().len(), 1, "{text:?}: {:?}", l.diags());
        assert_eq!(l.diags()[0].0, "TL002");
    }
    let l = load_text("[pgbouncer]\npool_mode = transaction # pooled per transaction\n");
    assert!(
        l.diags[0].message.contains("trailing comment"),
        "{:?}",
        l.diags
    );
    let help = l.diags[0].help.as_deref().unwrap_or_default();
    assert!(help.contains("write `pool_mode = transaction`"), "{help}");
    // Absent: the documented default, session.
    let l = load_text("[pgbouncer]\nlisten_port = 6432\n");
    assert_eq!(l.out.pool_mode.value, PoolMode::Session);
    match &l.out.pool_mode.origin {
        Origin::Default { source, .. } => assert!(source.ends_with("#pool_mode"), "{source}"),
        other => panic!("{other:?}"),
    }
    // A later [pgbouncer] header resets it, with a warning.
    let l = load_text("[pgbouncer]\npool_mode = transaction\n[pgbouncer]\n");
    assert_eq!(l.out.pool_mode.value, PoolMode::Session);
    assert_eq!(l.diags(), [("TL002", "transaction".to_string())]);
}

#[test]
fn pool_mode_per_database_and_user() {
    let l = load_text(
        "[databases]\n\
         orders = host=db dbname=orders pool_mode=session\n\
         reports = host=db dbname=reports\n\
         forced = host=db user=batch\n\
         * = host=db pool_mode=statement\n\
         [users]\n\
         app = pool_mode=transaction\n\
         batch = pool_mode=Statement\n\
         [pgbouncer]\n\
         pool_mode = transaction\n",
    );
    assert!(l.diags.is_empty(), "{:?}", l.diags());
    let b = &l.out;
    let mode = |db: Option<&str>, user: Option<&str>| {
        let m = b.pool_mode_for(db, user);
        (m.mode.value, m.scope)
    };
    use PoolModeScope::*;
    // The database entry overrides the global mode.
    assert_eq!(
        mode(Some("orders"), None),
        (PoolMode::Session, Database("orders".into()))
    );
    // The user entry overrides the database's.
    assert_eq!(
        mode(Some("orders"), Some("app")),
        (PoolMode::Transaction, User("app".into()))
    );
    // A database without pool_mode= falls back to the global one.
    assert_eq!(
        mode(Some("reports"), Some("web")),
        (PoolMode::Transaction, Global)
    );
    // A database not listed uses the `*` fallback entry.
    assert_eq!(
        mode(Some("other"), None),
        (PoolMode::Statement, Database("*".into()))
    );
    // A forced user= decides the [users] lookup.
    assert_eq!(
        mode(Some("forced"), Some("app")),
        (PoolMode::Statement, User("batch".into()))
    );
    // Unknown database and user: the global mode.
    assert_eq!(mode(None, None), (PoolMode::Transaction, Global));
    let m = b.pool_mode_for(Some("orders"), None);
    assert_eq!(l.at(&m.mode.origin).1, "session");
    // A word pgbouncer rejects in a connection string is reported.
    let l = load_text(
        "[databases]\norders = host=db pool_mode=txn\n[users]\napp = pool_mode=sessions\n[pgbouncer]\n",
    );
    let got: Vec<_> = l.diags().into_iter().collect();
    assert_eq!(
        got,
        [
            ("TL002", "txn".to_string()),
            ("TL002", "sessions".to_string())
        ]
    );
    assert_eq!(
        l.out.pool_mode_for(Some("orders"), Some("app")).scope,
        PoolModeScope::Global
    );
}

#[test]
fn pool_mode_from_image_environment() {
    let l = resolved("", "pool_mode=transaction");
    assert_eq!(l.out.pool_mode.value, PoolMode::Transaction);
    assert_eq!(
        l.at(&l.out.pool_mode.origin),
        ("compose.yaml".into(), "transaction".into())
    );
    let l = resolved("[pgbouncer]\npool_mode = session\n", "pool_mode=statement");
    assert_eq!(l.out.pool_mode.value, PoolMode::Statement);
    assert_eq!(l.diags(), vec![("TL016", "session".to_string())]);
}
