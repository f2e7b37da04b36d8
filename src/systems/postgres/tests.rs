use std::time::Duration;

use super::conninfo::conninfo_secrets;
use super::*;
use crate::diagnostic::Severity;
use crate::provenance::Origin;
use crate::source::{LoadError, SourceMap, Span};
use crate::sources::SetBy;
use tempfile::TempDir;

use crate::test_support::{load_text_with, load_with, tree};

type Loaded = crate::test_support::Loaded<PostgresServer>;

impl Loaded {
    fn names(&self) -> Vec<String> {
        self.file_names(&self.out.files)
    }

    fn stmt_ms(&self) -> u128 {
        self.out.statement_timeout.value.as_millis()
    }
}

fn load_in(dir: &TempDir, name: &str) -> Loaded {
    load_with(&dir.path().join(name), dir.path(), load_postgres)
}

fn load_text(text: &str) -> Loaded {
    load_text_with("postgresql.conf", text, load_postgres)
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[test]
fn parse_int_accepts() {
    use BaseUnit::*;
    let cases: &[(&str, BaseUnit, i64)] = &[
        ("0", Milliseconds, 0),
        ("30", Milliseconds, 30),
        ("5min", Milliseconds, 300_000),
        ("5 min", Milliseconds, 300_000),
        (" 5min ", Milliseconds, 300_000),
        ("30s", Milliseconds, 30_000),
        ("250ms", Milliseconds, 250),
        ("1500us", Milliseconds, 2),
        ("2500us", Milliseconds, 2),
        ("1h", Milliseconds, 3_600_000),
        ("1d", Milliseconds, 86_400_000),
        ("1.5h", Milliseconds, 5_400_000),
        ("0.5s", Milliseconds, 500),
        ("1.5", Milliseconds, 2),
        ("2.5", Milliseconds, 2),
        ("1e3", Milliseconds, 1000),
        ("0x10", Milliseconds, 16),
        ("010", Milliseconds, 8),
        ("+7s", Milliseconds, 7000),
        ("-1", Milliseconds, -1),
        ("600", Seconds, 600),
        ("10min", Seconds, 600),
        ("1500ms", Seconds, 2),
        ("500ms", Seconds, 0),
        ("1.5min", Seconds, 90),
        ("100", Count, 100),
        (" 100 ", Count, 100),
        ("1e2", Count, 100),
        ("2147483647", Milliseconds, INT_MAX),
        ("24d", Milliseconds, 2_073_600_000),
    ];
    for &(text, unit, want) in cases {
        assert_eq!(
            parse_int(text, unit).map(|p| p.value),
            Ok(want),
            "{text:?} {unit:?}"
        );
    }
    let p = parse_int("30", Milliseconds).expect("ok");
    assert_eq!((p.number, p.unit), (30.0, None));
    let p = parse_int("5 min", Milliseconds).expect("ok");
    assert_eq!((p.number, p.unit.as_deref()), (5.0, Some("min")));
}

#[test]
fn parse_int_rejects() {
    use BaseUnit::*;
    use IntError::*;
    let cases: &[(&str, BaseUnit, IntError)] = &[
        ("", Milliseconds, NotANumber),
        ("abc", Milliseconds, NotANumber),
        ("-.5", Milliseconds, NotANumber),
        (" .5", Milliseconds, NotANumber),
        ("min", Milliseconds, NotANumber),
        ("5MIN", Milliseconds, InvalidUnit("MIN".into())),
        ("5 m", Milliseconds, InvalidUnit("m".into())),
        ("10sec", Milliseconds, InvalidUnit("sec".into())),
        ("5mins", Milliseconds, InvalidUnit("mins".into())),
        ("5 min x", Milliseconds, InvalidUnit("min x".into())),
        ("128MB", Milliseconds, InvalidUnit("MB".into())),
        ("08", Milliseconds, InvalidUnit("8".into())),
        ("5é", Milliseconds, InvalidUnit("é".into())),
        ("100k", Count, UnitNotAllowed("k".into())),
        ("10s", Count, UnitNotAllowed("s".into())),
        ("2147483648", Milliseconds, OutOfIntRange),
        ("25d", Milliseconds, OutOfIntRange),
        ("99999999999999999999", Milliseconds, OutOfIntRange),
        ("1e999", Milliseconds, NotANumber),
    ];
    for (text, unit, want) in cases {
        assert_eq!(
            parse_int(text, *unit).as_ref().err(),
            Some(want),
            "{text:?} {unit:?}"
        );
    }
}

#[test]
fn units_quoting_and_equals() {
    // (file text, statement_timeout in ms)
    let cases: &[(&str, u64)] = &[
        ("statement_timeout = 5min\n", 300_000),
        ("statement_timeout 5min\n", 300_000),
        ("statement_timeout='5min'\n", 300_000),
        ("statement_timeout = '5 min'\n", 300_000),
        ("STATEMENT_TIMEOUT = 30s\n", 30_000),
        ("statement_timeout = 1000\n", 1000),
        ("statement_timeout = '1.5h' # quoted fraction\n", 5_400_000),
        ("statement_timeout = 0\n", 0),
        ("statement_timeout = 250ms # c\n", 250),
    ];
    for &(text, want) in cases {
        let l = load_text(text);
        assert_eq!(l.stmt_ms(), u128::from(want), "{text:?}");
        assert!(l.diags.is_empty(), "{text:?}: {:?}", l.diags);
        assert!(l.out.statement_timeout.origin.is_explicit());
    }
}

#[test]
fn invalid_values_are_reported_and_ignored() {
    // (value as written, code, text at the diagnostic) — each after a valid `1s`.
    let cases: &[(&str, &str, &str)] = &[
        ("5MIN", "TL002", "5MIN"),
        ("'5 m'", "TL002", "'5 m'"),
        ("10sec", "TL002", "10sec"),
        ("'abc'", "TL002", "'abc'"),
        ("-1", "TL002", "-1"),
        ("'-5s'", "TL002", "'-5s'"),
        ("25d", "TL002", "25d"),
        ("on", "TL002", "on"),
        ("5 m", "TL001", "m"),
        ("1.5h", "TL001", "h"),
        ("'5min", "TL001", "'5min"),
    ];
    for &(value, code, at) in cases {
        let l = load_text(&format!(
            "statement_timeout = 1s\nstatement_timeout = {value}\n"
        ));
        assert_eq!(l.stmt_ms(), 1000, "{value:?}");
        assert_eq!(l.diags(), [(code, at.to_string())], "{value:?}");
        assert_eq!(l.diags[0].severity, Severity::Error);
        let m = &l.diags[0].message;
        assert!(
            !m.ends_with('.') && !m.starts_with(char::is_uppercase),
            "{m}"
        );
    }
    let l = load_text("statement_timeout = 10sec\n");
    assert_eq!(l.diags(), [("TL002", "10sec".to_string())]);
    let d = &l.diags[0];
    assert!(
        d.message.contains("10sec") && d.message.contains("`sec`"),
        "{}",
        d.message
    );
    assert!(
        d.help.as_deref().unwrap_or("").contains("'10s'"),
        "{:?}",
        d.help
    );
    let l = load_text("statement_timeout = 5MIN\n");
    assert!(l.diags[0].help.as_deref().unwrap_or("").contains("'5min'"));
    let l = load_text("max_connections = 0\nmax_connections = 262144\nmax_connections = 10k\n");
    assert_eq!(
        l.diags(),
        [
            ("TL002", "0".to_string()),
            ("TL002", "262144".to_string()),
            ("TL002", "10k".to_string())
        ]
    );
    assert_eq!(l.out.max_connections.value, 100);
    assert!(!l.out.max_connections.origin.is_explicit());
    assert!(
        l.diags[1].message.contains("262143"),
        "{}",
        l.diags[1].message
    );
}

#[test]
fn bare_millisecond_timeouts_warn() {
    // (line, warns)
    let cases: &[(&str, bool)] = &[
        ("statement_timeout = 30", true),
        ("statement_timeout = 999", true),
        ("statement_timeout = '30'", true),
        ("statement_timeout = 0.5", true),
        ("idle_session_timeout = 60", true),
        ("idle_in_transaction_session_timeout = 60", true),
        ("lock_timeout = 5", true),
        ("transaction_timeout = 1", true),
        ("tcp_user_timeout = 30", true),
        ("statement_timeout = 1000", false),
        ("statement_timeout = 0", false),
        ("statement_timeout = 30s", false),
        ("statement_timeout = '30ms'", false),
        ("statement_timeout = 500ms", false),
        ("statement_timeout = 60000", false),
        ("tcp_keepalives_idle = 60", false),
        ("tcp_keepalives_interval = 10", false),
        ("tcp_keepalives_count = 3", false),
        ("max_connections = 50", false),
        ("checkpoint_timeout = 30", false),
        ("deadlock_timeout = 5", true),
        ("wal_sender_timeout = 60", true),
        ("wal_receiver_timeout = 60s", false),
        ("deadlock_timeout = 5XS", false),
        ("archive_timeout = 300", false),
        ("authentication_timeout = 60", false),
    ];
    for &(line, warns) in cases {
        let l = load_text(&format!("{line}\n"));
        let got: Vec<_> = l.diags.iter().map(|d| d.code.id).collect();
        let want: &[&str] = if warns { &["TL007"] } else { &[] };
        assert_eq!(got, want, "{line:?}");
    }
    let l = load_text("statement_timeout = 30\n");
    let d = &l.diags[0];
    assert_eq!(d.severity, Severity::Warning);
    assert_eq!(
        d.message,
        "`statement_timeout = 30` is 30 ms; PostgreSQL reads a bare number in milliseconds"
    );
    assert!(
        d.help.as_deref().unwrap_or("").contains("'30s'"),
        "{:?}",
        d.help
    );
    assert_eq!(l.diags()[0].1, "30");
    // The value is still used as milliseconds.
    assert_eq!(l.out.statement_timeout.value, ms(30));
}

#[test]
fn all_settings_and_units() {
    let l = load_text(
        "idle_session_timeout = 10min\nidle_in_transaction_session_timeout = '1h'\n\
             statement_timeout = 30s\nlock_timeout = 5000\ntransaction_timeout = 1d\n\
             tcp_keepalives_idle = 60\ntcp_keepalives_interval = '1min'\n\
             tcp_keepalives_count = 4\ntcp_user_timeout = 30000\nmax_connections = 500\n\
             superuser_reserved_connections = 5\nreserved_connections = 2\n",
    );
    assert!(l.diags.is_empty(), "{:?}", l.diags);
    let s = &l.out;
    assert_eq!(s.idle_session_timeout.value, ms(600_000));
    assert_eq!(s.idle_in_transaction_session_timeout.value, ms(3_600_000));
    assert_eq!(s.statement_timeout.value, ms(30_000));
    assert_eq!(s.lock_timeout.value, ms(5000));
    assert_eq!(s.transaction_timeout.value, ms(86_400_000));
    assert_eq!(s.tcp_keepalives_idle.value, Duration::from_secs(60));
    assert_eq!(s.tcp_keepalives_interval.value, Duration::from_secs(60));
    assert_eq!(s.tcp_keepalives_count.value, 4);
    assert_eq!(s.tcp_user_timeout.value, ms(30_000));
    assert_eq!(s.max_connections.value, 500);
    assert_eq!(s.superuser_reserved_connections.value, 5);
    assert_eq!(s.reserved_connections.value, 2);
    assert_eq!(
        l.at(&s.idle_in_transaction_session_timeout.origin).1,
        "'1h'"
    );
    assert_eq!(s.input, PostgresInput::ConfFile);
}

#[test]
fn defaults_are_documented_and_anchored() {
    let l = load_text("# nothing here\nshared_buffers = 128MB\n");
    assert!(l.diags.is_empty());
    let s = &l.out;
    assert_eq!(s.idle_session_timeout.value, Duration::ZERO);
    assert_eq!(s.statement_timeout.value, Duration::ZERO);
    assert_eq!(s.tcp_keepalives_idle.value, Duration::ZERO);
    assert_eq!(s.tcp_keepalives_count.value, 0);
    assert_eq!(s.max_connections.value, 100);
    assert_eq!(s.superuser_reserved_connections.value, 3);
    assert_eq!(s.reserved_connections.value, 0);
    for (origin, anchor) in [
        (&s.idle_session_timeout.origin, "#GUC-IDLE-SESSION-TIMEOUT"),
        (&s.max_connections.origin, "#GUC-MAX-CONNECTIONS"),
        (&s.tcp_keepalives_idle.origin, "#GUC-TCP-KEEPALIVES-IDLE"),
    ] {
        match origin {
            Origin::Default {
                system,
                source,
                anchor: Some(loc),
            } => {
                assert_eq!(*system, "PostgreSQL");
                assert!(source.starts_with("https://www.postgresql.org/docs/"));
                assert!(source.ends_with(anchor), "{source}");
                assert_eq!(loc.file, s.files[0]);
                assert_eq!(loc.span, Span::new(0, 0));
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn last_entry_wins() {
    let l = load_text(
        "statement_timeout = 1s\nmax_connections = 10\nstatement_timeout = 2s\n\
             max_connections = 20 # again\n",
    );
    assert_eq!(l.stmt_ms(), 2000);
    assert_eq!(l.out.max_connections.value, 20);
    assert_eq!(l.at(&l.out.statement_timeout.origin).1, "2s");
}

#[test]
fn syntax_errors_are_located_and_the_rest_is_read() {
    let l = load_text("x = 5 min\n[mysqld]\nstatement_timeout = 7s\ny =\n");
    let d = l.diags();
    assert_eq!(
        d,
        [
            ("TL001", "min".to_string()),
            ("TL001", "[".to_string()),
            ("TL001", "y =".to_string())
        ]
    );
    assert_eq!(l.stmt_ms(), 7000);
}

#[test]
fn includes_are_relative_to_the_including_file() {
    let dir = tree(&[
        (
            "etc/postgresql.conf",
            "statement_timeout = 1s\ninclude 'sub/a.conf'\nlock_timeout = 9s\n",
        ),
        (
            "etc/sub/a.conf",
            "statement_timeout = 2s\ninclude = 'b.conf'\nlock_timeout = 1s\n",
        ),
        ("etc/sub/b.conf", "max_connections = 42\n"),
    ]);
    let l = load_in(&dir, "etc/postgresql.conf");
    assert!(l.diags.is_empty(), "{:?}", l.diags);
    assert_eq!(l.stmt_ms(), 2000);
    // Values after the directive override the included file.
    assert_eq!(l.out.lock_timeout.value, ms(9000));
    assert_eq!(l.out.max_connections.value, 42);
    assert_eq!(l.names(), ["postgresql.conf", "a.conf", "b.conf"]);
    assert_eq!(
        l.at(&l.out.statement_timeout.origin),
        ("a.conf".into(), "2s".into())
    );
}

#[test]
fn missing_includes() {
    let dir = tree(&[(
        "postgresql.conf",
        "include 'nope.conf'\ninclude_if_exists 'maybe.conf'\n\
             include_dir 'nodir'\ninclude_dir '/nonexistent/timeoutlint/conf.d'\n\
             include ''\nstatement_timeout = 3s\n",
    )]);
    let l = load_in(&dir, "postgresql.conf");
    assert_eq!(
        l.diags(),
        [
            ("TL003", "'nope.conf'".to_string()),
            ("TL003", "'nodir'".to_string()),
            ("TL003", "'/nonexistent/timeoutlint/conf.d'".to_string()),
            ("TL003", "''".to_string()),
        ]
    );
    assert!(l.diags.iter().all(|d| d.severity == Severity::Error));
    assert!(
        l.diags[0].message.contains("nope.conf"),
        "{}",
        l.diags[0].message
    );
    assert_eq!(l.stmt_ms(), 3000);
}

#[test]
fn include_if_exists_reads_an_existing_file() {
    let dir = tree(&[
        ("postgresql.conf", "include_if_exists 'opt.conf'\n"),
        ("opt.conf", "statement_timeout = 4s\n"),
    ]);
    let l = load_in(&dir, "postgresql.conf");
    assert!(l.diags.is_empty(), "{:?}", l.diags);
    assert_eq!(l.stmt_ms(), 4000);
}

#[test]
fn include_dir_filters_and_orders() {
    let dir = tree(&[
        (
            "postgresql.conf",
            "statement_timeout = 1s\nmax_connections = 5\ninclude_dir 'conf.d'\n",
        ),
        ("conf.d/b.conf", "statement_timeout = 20s\n"),
        (
            "conf.d/A.conf",
            "statement_timeout = 30s\nmax_connections = 7\n",
        ),
        (
            "conf.d/10-x.conf",
            "lock_timeout = 1s\nstatement_timeout = 40s\n",
        ),
        ("conf.d/.hidden.conf", "statement_timeout = 50s\n"),
        ("conf.d/.conf", "statement_timeout = 51s\n"),
        ("conf.d/c.conf.bak", "statement_timeout = 60s\n"),
        ("conf.d/d.CONF", "statement_timeout = 61s\n"),
        ("conf.d/sub.conf/x.conf", "statement_timeout = 70s\n"),
    ]);
    let l = load_in(&dir, "postgresql.conf");
    assert!(l.diags.is_empty(), "{:?}", l.diags);
    assert_eq!(
        l.names(),
        ["postgresql.conf", "10-x.conf", "A.conf", "b.conf"]
    );
    assert_eq!(l.stmt_ms(), 20_000);
    assert_eq!(l.out.max_connections.value, 7);
    assert_eq!(l.at(&l.out.max_connections.origin).0, "A.conf");
}

#[test]
fn include_cycles_and_depth() {
    let dir = tree(&[
        (
            "a.conf",
            "statement_timeout = 1s\ninclude 'b.conf'\nlock_timeout = 3s\n",
        ),
        (
            "b.conf",
            "statement_timeout = 2s\ninclude 'a.conf'\ninclude './b.conf'\n",
        ),
    ]);
    let l = load_in(&dir, "a.conf");
    assert_eq!(l.stmt_ms(), 2000);
    assert_eq!(l.out.lock_timeout.value, ms(3000));
    assert_eq!(l.names(), ["a.conf", "b.conf"]);
    assert_eq!(
        l.diags(),
        [("TL003", "'a.conf'".into()), ("TL003", "'./b.conf'".into())]
    );

    let mut files: Vec<(String, String)> = (0..12)
        .map(|i| {
            (
                format!("f{i}.conf"),
                format!("max_connections = {}\ninclude 'f{}.conf'\n", i + 1, i + 1),
            )
        })
        .collect();
    files.push(("f12.conf".into(), "max_connections = 999\n".into()));
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let dir = tree(&refs);
    let l = load_in(&dir, "f0.conf");
    // f0 is depth 0, f10 is depth 10: its directive is not followed.
    assert_eq!(l.out.files.len(), 11);
    assert_eq!(l.out.max_connections.value, 11);
    assert_eq!(l.diags(), [("TL003", "'f11.conf'".to_string())]);
}

#[test]
fn auto_conf_overrides() {
    let dir = tree(&[
        (
            "data/postgresql.conf",
            "statement_timeout = 1s\nmax_connections = 50\ninclude 'late.conf'\n",
        ),
        ("data/late.conf", "lock_timeout = 2s\n"),
        (
            "data/postgresql.auto.conf",
            "# Do not edit this file manually!\nstatement_timeout = '15s'\n\
                 primary_conninfo = 'host=db user=rep password=s3cr3t sslmode=require'\n",
        ),
    ]);
    let l = load_in(&dir, "data/postgresql.conf");
    assert!(l.diags.is_empty(), "{:?}", l.diags);
    assert_eq!(l.stmt_ms(), 15_000);
    assert_eq!(l.out.max_connections.value, 50);
    assert_eq!(l.out.lock_timeout.value, ms(2000));
    assert_eq!(
        l.at(&l.out.statement_timeout.origin),
        ("postgresql.auto.conf".into(), "'15s'".into())
    );
    assert_eq!(
        l.names(),
        ["postgresql.conf", "late.conf", "postgresql.auto.conf"]
    );
    let all: String = l
        .sources
        .files()
        .map(|(_, f)| f.masked_text().to_string())
        .collect();
    assert!(!all.contains("s3cr3t"), "{all}");
    assert!(all.contains("sslmode=require"));

    // Naming the auto.conf itself reads it once.
    let l = load_in(&dir, "data/postgresql.auto.conf");
    assert_eq!(l.names(), ["postgresql.auto.conf"]);
    assert_eq!(l.stmt_ms(), 15_000);
}

#[test]
fn conninfo_secrets_are_found() {
    let cases: &[(&str, &[&str])] = &[
        ("'host=a password=pw1 user=u'", &["pw1"]),
        ("'password = pw2'", &["pw2"]),
        ("'host=a passwordx=no'", &[]),
        ("'postgresql://rep:pw3@db:5432/x'", &["pw3"]),
        ("'postgresql://rep@db/x'", &[]),
        ("'host=a password='", &[]),
        ("'host=a password=''two words'' user=u'", &["''two words''"]),
        (
            "'host=a password=''unbalanced secret'",
            &["''unbalanced secret"],
        ),
        ("'host=a password=CanaryPw", &["CanaryPw"]),
    ];
    for (raw, want) in cases {
        let got: Vec<&str> = conninfo_secrets(raw)
            .iter()
            .map(|&(s, e)| &raw[s..e])
            .collect();
        assert_eq!(&got, want, "{raw}");
    }
}

#[test]
fn show_all_dump() {
    let text = "                  name                  |   setting    |      description\n\
                    ----------------------------------------+--------------+-----------------------\n \
                    idle_in_transaction_session_timeout    | 1min         | Sets the maximum\n \
                    idle_session_timeout                   | 0            | Sets the maximum\n \
                    max_connections                        | 100          | Sets the maximum\n \
                    primary_conninfo                       | password=xyz | Sets the connection\n \
                    statement_timeout                      | 30           | Sets the maximum\n \
                    tcp_keepalives_idle                    | 7200         | Time between\n \
                    tcp_user_timeout                       | 10s          | TCP user timeout\n\
                    (7 rows)\n";
    let l = load_text(text);
    assert!(l.diags.is_empty(), "{:?}", l.diags);
    let s = &l.out;
    assert_eq!(s.input, PostgresInput::SettingsTable);
    assert_eq!(s.idle_in_transaction_session_timeout.value, ms(60_000));
    assert_eq!(s.idle_session_timeout.value, Duration::ZERO);
    assert!(s.idle_session_timeout.origin.is_explicit());
    assert_eq!(s.statement_timeout.value, ms(30));
    assert_eq!(s.tcp_keepalives_idle.value, Duration::from_secs(7200));
    assert_eq!(s.tcp_user_timeout.value, ms(10_000));
    assert_eq!(l.at(&s.tcp_user_timeout.origin).1, "10s");
    assert!(!s.lock_timeout.origin.is_explicit());
    assert!(!l.sources.get(s.files[0]).masked_text().contains("xyz"));
}

#[test]
fn pg_settings_csv_and_unaligned_dumps() {
    let csv = "name,setting,unit\nidle_session_timeout,60000,ms\n\
                   \"tcp_keepalives_idle\",\"600\",s\nmax_connections,200,\n\
                   statement_timeout,5,min\nlock_timeout,abc,ms\n";
    let l = load_text(csv);
    let s = &l.out;
    assert_eq!(s.input, PostgresInput::SettingsCsv);
    assert_eq!(s.idle_session_timeout.value, ms(60_000));
    assert_eq!(s.tcp_keepalives_idle.value, Duration::from_secs(600));
    assert_eq!(l.at(&s.tcp_keepalives_idle.origin).1, "600");
    assert_eq!(s.max_connections.value, 200);
    assert_eq!(s.statement_timeout.value, ms(300_000));
    assert_eq!(l.diags(), [("TL002", "abc".to_string())]);

    let unaligned =
        "name|setting|unit\nidle_session_timeout|5|ms\nmax_connections|300|\n(2 rows)\n";
    let l = load_text(unaligned);
    assert!(l.diags.is_empty(), "{:?}", l.diags);
    assert_eq!(l.out.input, PostgresInput::SettingsTable);
    // No TL007 for dumps: the unit is explicit there.
    assert_eq!(l.out.idle_session_timeout.value, ms(5));
    assert_eq!(l.out.max_connections.value, 300);
}

#[test]
fn looks_like_postgres_accepts_and_rejects() {
    let yes = [
        "shared_buffers = 128MB\n",
        "listen_addresses = '*'\n",
        "# comment\nmax_wal_size = 1GB\n",
        "include_dir 'conf.d'\n",
        "foo_timeout = 5min\n",
        "name | setting | description\n------+---------+----\n x | 1 | d\n",
        "name,setting,unit\nstatement_timeout,0,ms\n",
        "max_connections = 100\n",
    ];
    for t in yes {
        assert!(looks_like_postgres(t), "{t:?}");
    }
    let no = [
        "",
        "[mysqld]\nwait_timeout = 600\nmax_connections = 100\n",
        "[client]\nport=3306\n",
        "net.ipv4.tcp_keepalive_time = 600\nnet.ipv4.tcp_keepalive_intvl = 60\n",
        "kernel.shmmax=1\nvm.swappiness = 10\n",
        "wait_timeout = 600\n",
        "foo_timeout = 30\n",
        "Usage: mysqld\nVariables (--variable-name=value)\n--------- -----\nport 3306\n",
        "some prose here.\nmore: prose (x)\nport 5432\n",
    ];
    for t in no {
        assert!(!looks_like_postgres(t), "{t:?}");
    }
}

#[test]
fn unreadable_named_file_is_a_load_error() {
    let dir = TempDir::new().expect("dir");
    let mut sources = SourceMap::new(None);
    let mut diags = Vec::new();
    let r = load_postgres(&dir.path().join("missing.conf"), &mut sources, &mut diags);
    assert!(matches!(r, Err(LoadError::Unreadable { .. })), "{r:?}");
    assert!(diags.is_empty());
}

#[test]
fn crlf_and_non_utf8() {
    let l = load_text("statement_timeout = 2s\r\nlock_timeout = '1s'\r\n");
    assert!(l.diags.is_empty(), "{:?}", l.diags);
    assert_eq!(l.stmt_ms(), 2000);
    assert_eq!(l.at(&l.out.lock_timeout.origin).1, "'1s'");
    let dir = TempDir::new().expect("dir");
    std::fs::write(
        dir.path().join("p.conf"),
        b"# \xff\xfe\nstatement_timeout = 3s\n",
    )
    .expect("write");
    assert_eq!(load_in(&dir, "p.conf").stmt_ms(), 3000);
}

#[test]
fn never_panics_on_odd_input() {
    let inputs = [
        "",
        "\n",
        "'",
        "=",
        "==",
        "statement_timeout = '",
        "statement_timeout = '\\",
        "statement_timeout = -",
        "statement_timeout = 0x",
        "statement_timeout = '0x'",
        "statement_timeout = -99999999999999999999999",
        "statement_timeout = '1e-999'",
        "statement_timeout = '\u{0}'",
        "\u{feff}statement_timeout = 1s",
        "statement_timeout = 'é'",
        "statement_timeout = '5 é'",
        "include",
        "include ''",
        "include_dir ''",
        "include '\u{0}'",
        "primary_conninfo = 'password='",
        "primary_conninfo = '://:@'",
        "name|setting\n|\n",
        "name,setting,unit\n,,\n\"",
        "name,setting,unit\nmax_connections,1e99,\n",
        "tcp_keepalives_count = 2147483647",
    ];
    for text in inputs {
        let _ = load_text(text);
        let _ = looks_like_postgres(text);
    }
}

/// Resolves `assigned` (set as `by`) over the postgresql.conf `conf`
/// (none when empty).
fn resolved(conf: &str, assigned: &str, by: SetBy) -> Loaded {
    let dir = tree(&[("postgresql.conf", conf)]);
    let mut l = load_in(&dir, "postgresql.conf");
    let base = (!conf.is_empty()).then(|| l.out.clone());
    let a = crate::test_support::assignments(&mut l.sources, "main.tf", assigned, by);
    let mut diags = Vec::new();
    l.out = resolve(&a, base.as_ref(), None, &mut l.sources, &mut diags);
    l.diags = diags;
    l
}

#[test]
fn resolve_applies_the_conf_rules() {
    // (assignments, by, idle_session_timeout ms, diagnostics)
    let table: &[(&str, SetBy, u128, &[&str])] = &[
        (
            "idle_session_timeout=60000",
            SetBy::ParameterGroup,
            60_000,
            &[],
        ),
        (
            "idle_session_timeout=10min",
            SetBy::CommandLine,
            600_000,
            &[],
        ),
        ("IDLE_SESSION_TIMEOUT=5s", SetBy::ParameterGroup, 5_000, &[]),
        ("--idle-session-timeout=5s", SetBy::CommandLine, 5_000, &[]),
        ("idle-session-timeout=5s", SetBy::ParameterGroup, 0, &[]),
        (
            "idle_session_timeout=30",
            SetBy::CommandLine,
            30,
            &["TL007"],
        ),
        (
            "idle_session_timeout=5h30",
            SetBy::CommandLine,
            0,
            &["TL002"],
        ),
        (
            "idle_session_timeout=-1",
            SetBy::ParameterGroup,
            0,
            &["TL002"],
        ),
        (
            "idle_session_timeout=?formula",
            SetBy::ParameterGroup,
            0,
            &["TL015"],
        ),
        ("shared_buffers=?formula", SetBy::ParameterGroup, 0, &[]),
    ];
    for (assigned, by, want, codes) in table {
        let l = resolved("", assigned, *by);
        assert_eq!(
            l.out.idle_session_timeout.value.as_millis(),
            *want,
            "{assigned}"
        );
        let got: Vec<&str> = l.diags().iter().map(|d| d.0).collect();
        assert_eq!(&got, codes, "{assigned}");
        assert_eq!(l.out.input, PostgresInput::Deployment);
    }
}

#[test]
fn command_line_beats_the_conf_file_and_says_so() {
    let l = resolved(
        "statement_timeout = 30s\nmax_connections = 200\n",
        "--statement_timeout=5s",
        SetBy::CommandLine,
    );
    assert_eq!(l.stmt_ms(), 5_000);
    assert_eq!(l.diags(), vec![("TL016", "30s".to_string())]);
    assert_eq!(
        l.at(&l.out.statement_timeout.origin),
        ("main.tf".into(), "5s".into())
    );
    assert_eq!(
        l.at(&l.out.max_connections.origin),
        ("postgresql.conf".into(), "200".into())
    );
    let l = resolved(
        "statement_timeout = 30s\n",
        "statement_timeout=30000",
        SetBy::CommandLine,
    );
    assert!(l.diags.is_empty(), "{:?}", l.diags());
}
