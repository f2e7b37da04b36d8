use std::path::Path;

use super::*;
use crate::diagnostic::Severity;
use crate::provenance::Origin;
use crate::rules::codes;
use crate::source::{LoadError, SourceMap, Span};
use crate::sources::SetBy;
use tempfile::TempDir;

use crate::test_support::{load_text_with, load_with, tree};

type Loaded = crate::test_support::Loaded<MysqlServer>;

impl Loaded {
    fn names(&self) -> Vec<String> {
        self.file_names(&self.out.files)
    }
}

fn load_in(dir: &TempDir, name: &str) -> Loaded {
    load_with(&dir.path().join(name), dir.path(), load_option_file)
}

fn load_text(text: &str) -> Loaded {
    load_text_with("my.cnf", text, load_option_file)
}

fn wait(l: &Loaded) -> u64 {
    l.out.wait_timeout.value.as_secs()
}

#[test]
fn numbers() {
    let accept: &[(&str, i128)] = &[
        ("600", 600),
        ("0", 0),
        ("1k", 1024),
        ("1K", 1024),
        ("2m", 2 << 20),
        ("1G", 1 << 30),
        ("1t", 1 << 40),
        ("1P", 1 << 50),
        ("1e", 1 << 60),
        ("-5", -5),
        ("+7", 7),
        (" 8 ", 8),
        ("007", 7),
    ];
    for &(text, n) in accept {
        assert_eq!(parse_number(text), Ok(n), "{text:?}");
    }
    let reject: &[(&str, NumberError)] = &[
        ("2h", NumberError::Malformed),
        ("0x10", NumberError::Malformed),
        ("300 ; comment", NumberError::Malformed),
        ("abc", NumberError::Malformed),
        ("", NumberError::Malformed),
        ("1kb", NumberError::Malformed),
        ("1.5", NumberError::Malformed),
        ("k", NumberError::Malformed),
        ("--5", NumberError::Malformed),
        ("1 k", NumberError::Malformed),
        ("99999999999999999999", NumberError::TooLarge),
        ("16e", NumberError::TooLarge),
    ];
    for (text, err) in reject {
        assert_eq!(parse_number(text).as_ref(), Err(err), "{text:?}");
    }
}

#[test]
fn groups_read_by_the_server() {
    for g in [
        "mysqld",
        "server",
        "mysqld-8.0",
        "mysqld-5.7",
        "mariadb",
        "mariadb-10.11",
        "mariadbd",
        "mariadbd-10.6",
        "client-server",
        "galera",
        "MYSQLD",
        " mysqld ",
    ] {
        assert!(server_reads_group(g), "{g}");
    }
    for g in [
        "client",
        "mysql",
        "mysqld_safe",
        "mysqldump",
        "client-mariadb",
        "mysqld-8",
        "mysqld-8.x",
        "mysqld-",
        "mysqld-.0",
        "embedded",
        "",
    ] {
        assert!(!server_reads_group(g), "{g}");
    }
}

#[test]
fn names() {
    let cases = [
        ("wait_timeout", Some("wait_timeout")),
        ("wait-timeout", Some("wait_timeout")),
        ("loose-wait-timeout", Some("wait_timeout")),
        ("loose_wait_timeout", Some("wait_timeout")),
        ("maximum-wait-timeout", None),
        ("loose-maximum-wait_timeout", None),
        ("Wait_Timeout", Some("Wait_Timeout")),
    ];
    for (name, norm) in cases {
        assert_eq!(normalize_option_name(name).as_deref(), norm, "{name}");
    }
}

#[test]
fn values_accepted() {
    let cases: &[(&str, u64, &str)] = &[
        ("wait_timeout=600", 600, "600"),
        ("wait-timeout = 1k", 1024, "1k"),
        ("loose-wait-timeout=5", 5, "5"),
        ("wait_timeout = \"300\"", 300, "\"300\""),
        ("wait_timeout = '300' # quoted", 300, "'300'"),
        ("wait_timeout = 600 # comment", 600, "600"),
        ("wait_timeout=\\s42", 42, "\\s42"),
    ];
    for &(line, secs, at) in cases {
        let l = load_text(&format!("[mysqld]\n{line}\n"));
        assert_eq!(wait(&l), secs, "{line}");
        assert_eq!(l.at(&l.out.wait_timeout.origin).1, at, "{line}");
        assert!(l.diags.is_empty(), "{line}: {:?}", l.diags);
    }
}

#[test]
fn values_ignored_without_diagnostic() {
    for line in [
        "WAIT_TIMEOUT=5",
        "maximum-wait-timeout=5",
        "innodb_lock_wait_timeout=5",
        "skip-wait-timeout",
    ] {
        let l = load_text(&format!("[mysqld]\nwait_timeout=600\n{line}\n"));
        assert_eq!(wait(&l), 600, "{line}");
        assert!(l.diags.is_empty(), "{line}: {:?}", l.diags);
    }
}

#[test]
fn values_rejected_keep_the_earlier_value() {
    let cases = [
        ("wait_timeout = 2h", "2h"),
        ("wait_timeout = 0x10", "0x10"),
        ("wait_timeout = 300 ; comment", "300 ; comment"),
        ("wait_timeout = abc", "abc"),
        ("wait_timeout = \"2h\"", "\"2h\""),
        (
            "wait_timeout = 99999999999999999999",
            "99999999999999999999",
        ),
        ("wait_timeout =", ""),
        ("wait_timeout", "wait_timeout"),
        ("loose-wait-timeout # bare", "loose-wait-timeout"),
    ];
    for (line, at) in cases {
        let l = load_text(&format!("[mysqld]\nwait_timeout=600\n{line}\n"));
        assert_eq!(wait(&l), 600, "{line}");
        assert_eq!(l.diags(), [("TL002", at.to_string())], "{line}");
        let d = &l.diags[0];
        assert!(d.help.is_some());
        assert!(!d.message.ends_with('.'), "{}", d.message);
        assert!(
            d.message.starts_with(|c: char| !c.is_uppercase()),
            "{}",
            d.message
        );
    }
    // Without an earlier value, the default stays.
    let l = load_text("[mysqld]\nwait_timeout = 2h\n");
    assert_eq!(wait(&l), 28800);
    assert!(!l.out.wait_timeout.origin.is_explicit());
    assert_eq!(
        l.diags[0].message,
        "wait_timeout value `2h` is not an integer with an optional K/M/G suffix"
    );
}

#[test]
fn text_after_a_suffix_is_read_like_mysqld() {
    assert_eq!(server_suffix_reading("10min"), Some((10 << 20, 'm', "in")));
    assert_eq!(server_suffix_reading("1kb"), Some((1024, 'k', "b")));
    assert_eq!(server_suffix_reading("2h"), None);
    assert_eq!(server_suffix_reading("10m"), None);
    assert_eq!(server_suffix_reading("m10"), None);
    let l = load_text("[mysqld]\nwait_timeout = 10min\n");
    // Ten minutes meant; 10 × 1024² s (about 121 days) read.
    assert_eq!(wait(&l), 10_485_760);
    let codes: Vec<_> = l
        .diags
        .iter()
        .map(|d| (d.code.id, d.severity.as_str()))
        .collect();
    assert_eq!(codes, [("TL002", "warning")]);
    assert!(
        l.diags[0].message.contains("read by mysqld as 10485760 s"),
        "{}",
        l.diags[0].message
    );
    let l = load_text("[mysqld]\nmax_connections = 1kb\n");
    assert_eq!(l.out.max_connections.value, 1024);
}

#[test]
fn out_of_range_values_are_clamped() {
    let cases: &[(&str, &str, u64)] = &[
        ("wait_timeout = 0", "wait_timeout", 1),
        ("wait_timeout = -5", "wait_timeout", 1),
        ("wait_timeout = 31536001", "wait_timeout", 31_536_000),
        ("wait_timeout = 1e", "wait_timeout", 31_536_000),
        ("interactive_timeout = 0", "interactive_timeout", 1),
        ("net_read_timeout = 0", "net_read_timeout", 1),
        (
            "net_write_timeout = 40000000",
            "net_write_timeout",
            31_536_000,
        ),
        ("connect_timeout = 1", "connect_timeout", 2),
        ("max_connections = 200000", "max_connections", 100_000),
        ("max_connections = 0", "max_connections", 1),
    ];
    for &(line, var, used) in cases {
        let l = load_text(&format!("[mysqld]\n{line}\n"));
        let s = &l.out;
        let got = match var {
            "wait_timeout" => s.wait_timeout.value.as_secs(),
            "interactive_timeout" => s.interactive_timeout.value.as_secs(),
            "net_read_timeout" => s.net_read_timeout.value.as_secs(),
            "net_write_timeout" => s.net_write_timeout.value.as_secs(),
            "connect_timeout" => s.connect_timeout.value.as_secs(),
            _ => s.max_connections.value,
        };
        assert_eq!(got, used, "{line}");
        assert_eq!(l.diags.len(), 1, "{line}");
        assert_eq!(l.diags[0].code, codes::INVALID_VALUE);
        assert!(
            l.diags[0].message.contains(&format!("clamps it to {used}")),
            "{}",
            l.diags[0].message
        );
    }
    let l = load_text("[mysqld]\nwait_timeout = 0\n");
    assert_eq!(
        l.diags[0].message,
        "wait_timeout value `0` is below the minimum 1 s; the server clamps it to 1 s"
    );
    // In-range bounds are fine.
    let l = load_text("[mysqld]\nwait_timeout=1\nconnect_timeout=2\nmax_connections=100000\n");
    assert!(l.diags.is_empty(), "{:?}", l.diags);
}

#[test]
fn all_settings_and_defaults() {
    let l = load_text(
        "[mysqld]\nwait_timeout=1\ninteractive-timeout=2\nnet_read_timeout=3\n\
             net-write-timeout=4\nconnect_timeout=5\nmax-connections=6\n",
    );
    let s = &l.out;
    let got = [
        s.wait_timeout.value.as_secs(),
        s.interactive_timeout.value.as_secs(),
        s.net_read_timeout.value.as_secs(),
        s.net_write_timeout.value.as_secs(),
        s.connect_timeout.value.as_secs(),
        s.max_connections.value,
    ];
    assert_eq!(got, [1, 2, 3, 4, 5, 6]);
    assert_eq!(l.at(&s.max_connections.origin).1, "6");

    let l = load_text("[client]\nuser=x\n[mysqld]\nport=3306\n[mysqld_safe]\nnice=0\n");
    let s = &l.out;
    let got = [
        s.wait_timeout.value.as_secs(),
        s.interactive_timeout.value.as_secs(),
        s.net_read_timeout.value.as_secs(),
        s.net_write_timeout.value.as_secs(),
        s.connect_timeout.value.as_secs(),
        s.max_connections.value,
    ];
    assert_eq!(got, [28800, 28800, 30, 60, 10, 151]);
    match &s.wait_timeout.origin {
        Origin::Default { system, source, .. } => {
            assert_eq!(*system, "MySQL");
            assert!(source.ends_with("#sysvar_wait_timeout"), "{source}");
        }
        other => panic!("{other:?}"),
    }
    // Anchored at the last server-read group header of the named file.
    assert_eq!(l.at(&s.wait_timeout.origin).1, "[mysqld]");
    assert_eq!(l.at(&s.max_connections.origin).1, "[mysqld]");
}

#[test]
fn default_anchor_without_server_group_is_file_start() {
    let l = load_text("# nothing\n[client]\nuser=x\n");
    let loc = l.out.wait_timeout.origin.location().expect("anchor");
    assert_eq!(loc.file, l.out.files[0]);
    assert_eq!(loc.span, Span::new(0, 0));

    // Groups of included files do not move the anchor.
    let dir = tree(&[
        ("my.cnf", "[server]\n[client]\n!include inc.cnf\n"),
        ("inc.cnf", "[mysqld]\nport=1\n"),
    ]);
    let l = load_in(&dir, "my.cnf");
    assert_eq!(
        l.at(&l.out.wait_timeout.origin),
        ("my.cnf".into(), "[server]".into())
    );
}

#[test]
fn groups_decide_what_is_read() {
    let cases: &[(&str, u64)] = &[
        ("[mysqld]", 5),
        ("[server]", 5),
        ("[mysqld-8.0]", 5),
        ("[mariadb]", 5),
        ("[mariadb-10.11]", 5),
        ("[mariadbd]", 5),
        ("[mariadbd-10.11]", 5),
        ("[client-server]", 5),
        ("[galera]", 5),
        ("[ mysqld ]", 5),
        ("[MySQLd]", 5),
        ("[client]", 28800),
        ("[mysql]", 28800),
        ("[mysqld_safe]", 28800),
        ("[mysqldump]", 28800),
        ("[mysqlhotcopy]", 28800),
    ];
    for &(header, secs) in cases {
        let l = load_text(&format!("{header}\nwait_timeout=5\n"));
        assert_eq!(wait(&l), secs, "{header}");
        assert!(l.diags.is_empty(), "{header}: {:?}", l.diags);
    }
}

#[test]
fn option_before_any_group_is_fatal() {
    let l = load_text(
        "# header\nwait_timeout=5\n!include missing-is-ok-here.cnf\n[mysqld]\nmax_connections=7\n",
    );
    let d = l.diags();
    assert!(d.contains(&("TL001", "wait_timeout".to_string())), "{d:?}");
    assert_eq!(wait(&l), 28800);
    assert_eq!(l.out.max_connections.value, 7);
    // An include before a group is fine (only the missing target is reported).
    assert_eq!(d.iter().filter(|(c, _)| *c == "TL001").count(), 1, "{d:?}");

    let dir = tree(&[
        ("my.cnf", "!includedir d\n[mysqld]\nwait_timeout=9\n"),
        ("d/a.cnf", "[mysqld]\nconnect_timeout=4\n"),
    ]);
    let l = load_in(&dir, "my.cnf");
    assert!(l.diags.is_empty(), "{:?}", l.diags);
    assert_eq!((wait(&l), l.out.connect_timeout.value.as_secs()), (9, 4));
}

#[test]
fn syntax_errors() {
    let l = load_text("[mysqld\nwait_timeout=5\n!include\n[mysqld]\n= 3\n");
    let d = l.diags();
    assert_eq!(
        d.iter().map(|(c, _)| *c).collect::<Vec<_>>(),
        ["TL001", "TL001", "TL001", "TL001"],
        "{d:?}"
    );
    let at: Vec<_> = d.iter().map(|(_, t)| t.as_str()).collect();
    assert_eq!(at, ["[mysqld", "wait_timeout", "!include", "= 3"]);
    // `[mysqld` opened no group, so the option after it is also outside one.
    assert_eq!(wait(&l), 28800);
}

#[test]
fn last_occurrence_wins_across_groups() {
    let l = load_text(
        "[mysqld]\nwait_timeout=1\n[server]\nwait_timeout=2\n[client]\nwait_timeout=3\n\
             [mysqld-8.0]\nwait-timeout=4\n[mysql]\nwait_timeout=5\n",
    );
    assert_eq!(wait(&l), 4);
    assert_eq!(l.at(&l.out.wait_timeout.origin).1, "4");
}

#[test]
fn includedir_filters_and_orders_and_last_wins() {
    let dir = tree(&[
        (
            "etc/my.cnf",
            "[mysqld]\nwait_timeout=600\nmax_connections=10\n!includedir conf.d\n",
        ),
        ("etc/conf.d/b.cnf", "[mysqld]\nwait_timeout=50\n"),
        (
            "etc/conf.d/a.cnf",
            "[mysqld]\nwait_timeout=700\nmax_connections=20\n",
        ),
        ("etc/conf.d/c.conf", "[mysqld]\nwait_timeout=1\n"),
        ("etc/conf.d/d.cnf.bak", "[mysqld]\nwait_timeout=2\n"),
        ("etc/conf.d/E.CNF", "[mysqld]\nwait_timeout=3\n"),
        ("etc/conf.d/sub.cnf/x.cnf", "[mysqld]\nwait_timeout=4\n"),
    ]);
    let l = load_in(&dir, "etc/my.cnf");
    assert!(l.diags.is_empty(), "{:?}", l.diags);
    assert_eq!(l.names(), ["my.cnf", "a.cnf", "b.cnf"]);
    assert_eq!(wait(&l), 50);
    assert_eq!(
        l.at(&l.out.wait_timeout.origin),
        ("b.cnf".into(), "50".into())
    );
    assert_eq!(l.out.max_connections.value, 20);
    assert_eq!(l.at(&l.out.max_connections.origin).0, "a.cnf");
}

#[test]
fn values_after_an_include_override_it() {
    let dir = tree(&[
        ("my.cnf", "[mysqld]\n!include inc.cnf\nwait_timeout=30\n"),
        ("inc.cnf", "[mysqld]\nwait_timeout=99\n"),
    ]);
    let l = load_in(&dir, "my.cnf");
    assert_eq!(wait(&l), 30);
    // The included file starts without a group: the including file's
    // group does not carry over.
    let dir = tree(&[
        ("my.cnf", "[mysqld]\n!include inc.cnf\n"),
        ("inc.cnf", "wait_timeout=99\n"),
    ]);
    let l = load_in(&dir, "my.cnf");
    assert_eq!(wait(&l), 28800);
    assert_eq!(l.diags(), [("TL001", "wait_timeout".to_string())]);
    // Nor does an included file's group leak back.
    let dir = tree(&[
        ("my.cnf", "[client]\n!include inc.cnf\nwait_timeout=7\n"),
        ("inc.cnf", "[mysqld]\n"),
    ]);
    assert_eq!(wait(&load_in(&dir, "my.cnf")), 28800);
}

#[test]
fn relative_includes_resolve_from_the_including_file() {
    let dir = tree(&[
        ("a/my.cnf", "[mysqld]\n!include ../b/inc.cnf\n"),
        (
            "b/inc.cnf",
            "[mysqld]\n!include deeper/x.cnf\n!includedir d\n",
        ),
        ("b/deeper/x.cnf", "[mysqld]\nwait_timeout=11\n"),
        ("b/d/z.cnf", "[mysqld]\nconnect_timeout=12\n"),
    ]);
    let l = load_in(&dir, "a/my.cnf");
    assert!(l.diags.is_empty(), "{:?}", l.diags);
    assert_eq!(wait(&l), 11);
    assert_eq!(l.out.connect_timeout.value.as_secs(), 12);
    assert_eq!(l.names(), ["my.cnf", "inc.cnf", "x.cnf", "z.cnf"]);
    // Display names are relative to the SourceMap base.
    let shown: Vec<_> = l
        .out
        .files
        .iter()
        .map(|id| l.sources.get(*id).name())
        .collect();
    assert_eq!(
        shown,
        ["a/my.cnf", "b/inc.cnf", "b/deeper/x.cnf", "b/d/z.cnf"]
    );
}

#[test]
fn missing_includes_are_reported_and_the_rest_is_read() {
    let dir = tree(&[
        (
            "my.cnf",
            "[mysqld]\n!include nope.cnf\n!includedir /nonexistent/timeoutlint/conf.d \n\
                 !includedir ok\nmax_connections=5\n",
        ),
        ("ok/a.cnf", "[mysqld]\nwait_timeout=77\n"),
    ]);
    let l = load_in(&dir, "my.cnf");
    assert_eq!(
        l.diags(),
        [
            ("TL003", "nope.cnf".to_string()),
            ("TL003", "/nonexistent/timeoutlint/conf.d".to_string())
        ]
    );
    assert!(l.diags.iter().all(|d| d.severity == Severity::Error));
    assert_eq!(wait(&l), 77);
    assert_eq!(l.out.max_connections.value, 5);
    assert!(
        l.diags[0].message.contains("nope.cnf"),
        "{}",
        l.diags[0].message
    );
}

#[test]
fn include_cycles_are_not_followed() {
    let dir = tree(&[
        (
            "a.cnf",
            "[mysqld]\nwait_timeout=1\n!include b.cnf\nconnect_timeout=3\n",
        ),
        (
            "b.cnf",
            "[mysqld]\nwait_timeout=2\n!include a.cnf\n!include ./b.cnf\n",
        ),
    ]);
    let l = load_in(&dir, "a.cnf");
    assert_eq!(wait(&l), 2);
    assert_eq!(l.out.connect_timeout.value.as_secs(), 3);
    assert_eq!(l.names(), ["a.cnf", "b.cnf"]);
    let d = l.diags();
    assert_eq!(d, [("TL003", "a.cnf".into()), ("TL003", "./b.cnf".into())]);
    assert!(l.diags.iter().all(|d| d.severity == Severity::Warning));

    // An includedir that contains the including file.
    let dir = tree(&[("d/x.cnf", "[mysqld]\nwait_timeout=4\n!includedir .\n")]);
    let l = load_in(&dir, "d/x.cnf");
    assert_eq!(wait(&l), 4);
    assert_eq!(l.diags.len(), 1);
}

#[test]
fn a_file_included_twice_is_read_twice() {
    let dir = tree(&[
        (
            "my.cnf",
            "[mysqld]\n!include t.cnf\n!include u.cnf\n!include t.cnf\n",
        ),
        ("t.cnf", "[mysqld]\nwait_timeout=1\nbad\nwait_timeout=2h\n"),
        ("u.cnf", "[mysqld]\nwait_timeout=2\n"),
    ]);
    let l = load_in(&dir, "my.cnf");
    assert_eq!(wait(&l), 1);
    assert_eq!(l.names(), ["my.cnf", "t.cnf", "u.cnf"]);
    // Its diagnostics are emitted once.
    assert_eq!(l.diags(), [("TL002", "2h".to_string())]);
}

#[test]
fn nesting_stops_at_depth_ten() {
    let mut files: Vec<(String, String)> = (0..12)
        .map(|i| {
            (
                format!("f{i}.cnf"),
                format!(
                    "[mysqld]\nwait_timeout={}\n!include f{}.cnf\n",
                    i + 1,
                    i + 1
                ),
            )
        })
        .collect();
    files.push(("f12.cnf".into(), "[mysqld]\nwait_timeout=999\n".into()));
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let dir = tree(&refs);
    let l = load_in(&dir, "f0.cnf");
    // f0 is depth 0, f10 is depth 10: its directive is skipped.
    assert_eq!(l.out.files.len(), 11);
    assert_eq!(wait(&l), 11);
    assert_eq!(l.diags(), [("TL003", "f11.cnf".to_string())]);
    assert_eq!(l.diags[0].severity, Severity::Warning);
}

#[test]
fn passwords_are_redacted() {
    let dir = tree(&[
        (
            "my.cnf",
            "[client]\npassword = \"s3cr#t\"  # note\nuser=app\n[mysqld]\n\
                 loose-report-password=hunter2\n!include inc.cnf\n",
        ),
        (
            "inc.cnf",
            "[mysql]\nPassword=keep-case\npassword=topsecret\n",
        ),
    ]);
    let l = load_in(&dir, "my.cnf");
    let all: String = l
        .sources
        .files()
        .map(|(_, f)| f.masked_text().to_string())
        .collect();
    for secret in ["s3cr#t", "hunter2", "topsecret"] {
        assert!(!all.contains(secret), "{secret} leaked: {all}");
    }
    assert!(all.contains("user=app"));
    assert!(all.contains("# note"));
    // Names are case-sensitive: `Password` is not the server's option.
    assert!(all.contains("keep-case"));
    assert!(l.diags.is_empty(), "{:?}", l.diags);
}

#[test]
fn help_dump_is_read() {
    let text = "mysqld  Ver 5.1.34\nUsage: mysqld [OPTIONS]\n\n  --wait_timeout=#    The number of seconds\n\
                    [not a group\nVariables (--variable-name=value)\n\
                    and boolean options {FALSE|TRUE}  Value (after reading options)\n\
                    --------------------------------- -----------------------------\n\
                    connect_timeout                   10\n\
                    interactive-timeout               600\n\
                    max_connections                   151\n\
                    report-password                   (No default value)\n\
                    wait_timeout                      28800\n\
                    \n\
                    To see what values a running MySQL server is using, type\n";
    let l = load_text(text);
    assert!(l.diags.is_empty(), "{:?}", l.diags);
    assert_eq!(wait(&l), 28800);
    assert!(l.out.wait_timeout.origin.is_explicit());
    assert_eq!(l.at(&l.out.wait_timeout.origin).1, "28800");
    assert_eq!(l.out.interactive_timeout.value.as_secs(), 600);
    assert_eq!(l.out.net_read_timeout.value.as_secs(), 30);
    assert!(!l.out.net_read_timeout.origin.is_explicit());
    let loc = l.out.net_read_timeout.origin.location().expect("anchor");
    assert_eq!(loc.span, Span::new(0, 0));
}

#[test]
fn crlf_and_non_utf8_files() {
    let l = load_text("[mysqld]\r\nwait_timeout = 120\r\n");
    assert_eq!(wait(&l), 120);
    assert_eq!(l.at(&l.out.wait_timeout.origin).1, "120");
    let dir = TempDir::new().expect("dir");
    std::fs::write(
        dir.path().join("my.cnf"),
        b"[mysqld]\n# \xff\xfe\nwait_timeout=3\n",
    )
    .expect("write");
    assert_eq!(wait(&load_in(&dir, "my.cnf")), 3);
}

#[test]
fn unreadable_named_file_is_a_load_error() {
    let dir = TempDir::new().expect("dir");
    let mut sources = SourceMap::new(None);
    let mut diags = Vec::new();
    let r = load_option_file(&dir.path().join("missing.cnf"), &mut sources, &mut diags);
    assert!(matches!(r, Err(LoadError::Unreadable { .. })), "{r:?}");
    assert!(diags.is_empty());
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
        "!",
        "!include",
        "!includedir",
        "[mysqld]\nwait_timeout=\"",
        "[mysqld]\nwait_timeout='\\",
        "[mysqld]\nwait_timeout=-",
        "[mysqld]\nwait_timeout=-99999999999999999999",
        "[mysqld]\n\u{feff}x=1",
        "[mysqld]\nwait_timeout=é",
        "[mysqld]\nwait_timeout=1\u{0}",
        "\0\0\0",
        "[mysqld]\n!include \u{0}",
        "Variables (--variable-name=value)\n---- ----\nwait_timeout\n",
    ];
    for text in inputs {
        let _ = load_text(text);
    }
}

// ---- SHOW VARIABLES dumps -------------------------------------------

fn fixture(name: &str) -> Loaded {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mysql-dumps");
    load_with(&dir.join(name), &dir, load_option_file)
}

/// The six values in model order (seconds and a count).
fn six(l: &Loaded) -> [u64; 6] {
    let s = &l.out;
    [
        s.wait_timeout.value.as_secs(),
        s.interactive_timeout.value.as_secs(),
        s.net_read_timeout.value.as_secs(),
        s.net_write_timeout.value.as_secs(),
        s.connect_timeout.value.as_secs(),
        s.max_connections.value,
    ]
}

/// `(line, column)` of an origin's start (1-based, columns in characters).
fn line_col(l: &Loaded, origin: &Origin) -> (usize, usize) {
    let r = l.sources.resolve(origin.location().expect("a location"));
    (r.start.line, r.start.column)
}

/// The text before an origin is longer in bytes than in characters: the
/// span is a byte range counted past multi-byte text.
fn after_multibyte(l: &Loaded, origin: &Origin) -> bool {
    let loc = origin.location().expect("a location");
    let before = &l.sources.get(loc.file).text()[..loc.span.start];
    before.len() > before.chars().count()
}

fn vars_dump(global: Option<bool>) -> MysqlSourceKind {
    MysqlSourceKind::VariablesDump { global }
}

#[test]
fn table_dump_fixture() {
    let l = fixture("show-global-variables-table.txt");
    assert!(l.diags.is_empty(), "{:?}", l.diags);
    assert_eq!(l.out.source_kind, vars_dump(Some(true)));
    assert_eq!(six(&l), [600, 28800, 30, 60, 10, 500]);
    let s = &l.out;
    for (origin, text, at) in [
        (&s.wait_timeout.origin, "600", (36, 39)),
        (&s.interactive_timeout.origin, "28800", (20, 39)),
        (&s.net_read_timeout.origin, "30", (29, 39)),
        (&s.net_write_timeout.origin, "60", (30, 39)),
        (&s.connect_timeout.origin, "10", (14, 39)),
        (&s.max_connections.origin, "500", (5, 21)),
    ] {
        assert!(origin.is_explicit());
        assert_eq!(l.at(origin).1, text);
        assert_eq!(line_col(&l, origin), at, "{text}");
    }
    assert!(after_multibyte(&l, &s.wait_timeout.origin));
    assert_eq!(l.names(), ["show-global-variables-table.txt"]);
}

#[test]
fn batch_dump_fixture() {
    let l = fixture("batch.tsv");
    assert!(l.diags.is_empty(), "{:?}", l.diags);
    assert_eq!(l.out.source_kind, vars_dump(None));
    assert_eq!(six(&l), [3600, 28800, 45, 90, 5, 1000]);
    let s = &l.out;
    assert_eq!(l.at(&s.wait_timeout.origin).1, "3600");
    assert_eq!(line_col(&l, &s.wait_timeout.origin), (8, 14));
    assert_eq!(line_col(&l, &s.max_connections.origin), (5, 17));
    assert!(after_multibyte(&l, &s.interactive_timeout.origin));
}

#[test]
fn vertical_dump_fixture() {
    let l = fixture("show-session-variables-vertical.txt");
    assert!(l.diags.is_empty(), "{:?}", l.diags);
    // A session dump from the interactive client: wait = interactive.
    assert_eq!(l.out.source_kind, vars_dump(Some(false)));
    assert_eq!(six(&l), [900, 900, 30, 60, 10, 151]);
    let s = &l.out;
    assert_eq!(l.at(&s.wait_timeout.origin).1, "900");
    assert_eq!(line_col(&l, &s.wait_timeout.origin), (19, 16));
    assert_eq!(line_col(&l, &s.connect_timeout.origin), (7, 16));
    assert!(after_multibyte(&l, &s.connect_timeout.origin));
    // Not in the dump: the documented default, anchored at the file start.
    assert!(!s.max_connections.origin.is_explicit());
    let loc = s.max_connections.origin.location().expect("anchor");
    assert_eq!(loc.span, Span::new(0, 0));
}

#[test]
fn source_kind_detection() {
    let table =
        "+---+---+\n| Variable_name | Value |\n+---+---+\n| wait_timeout | 7 |\n+---+---+\n";
    let cases: &[(&str, MysqlSourceKind)] = &[
        ("[mysqld]\nwait_timeout=7\n", MysqlSourceKind::OptionFile),
        ("", MysqlSourceKind::OptionFile),
        (
            "# Variable_name\tValue\n[mysqld]\nwait_timeout\t= 7\n",
            MysqlSourceKind::OptionFile,
        ),
        (
            "[client]\nnet.ipv4.tcp_keepalive_time = 7200\nnet.netfilter.nf_conntrack_tcp_timeout_established\t432000\n",
            MysqlSourceKind::OptionFile,
        ),
        (
            "[client]\nnet.ipv4.tcp_keepalive_time\t7200\n",
            MysqlSourceKind::OptionFile,
        ),
        (
            "Variables (--variable-name=value)\nand boolean options {FALSE|TRUE}  Value (after reading options)\n\
                 ------------------------- ---------\nwait_timeout   7\n",
            MysqlSourceKind::HelpDump,
        ),
        (table, vars_dump(None)),
        ("Variable_name\tValue\nwait_timeout\t7\n", vars_dump(None)),
        ("wait_timeout\t7\nmax_connections\t9\n", vars_dump(None)),
        (
            "*************************** 1. row ***************************\n\
                 Variable_name: wait_timeout\n        Value: 7\n",
            vars_dump(None),
        ),
    ];
    for (text, kind) in cases {
        let l = load_text(text);
        assert_eq!(l.out.source_kind, *kind, "{text:?}");
        if matches!(kind, MysqlSourceKind::VariablesDump { .. }) {
            assert_eq!(wait(&l), 7, "{text:?}");
            assert!(l.diags.is_empty(), "{text:?}: {:?}", l.diags);
        }
    }
    // The scope comes from the statement shown with the dump.
    for (statement, global) in [
        (
            "mysql> SHOW GLOBAL VARIABLES LIKE '%timeout%';\n",
            Some(true),
        ),
        ("mysql> show variables like 'wait%';\n", Some(false)),
        ("MariaDB [db]> SHOW SESSION VARIABLES;\n", Some(false)),
        ("mysql> SHOW GLOBAL STATUS;\n", None),
        ("", None),
    ] {
        let l = load_text(&format!("{statement}{table}"));
        assert_eq!(l.out.source_kind, vars_dump(global), "{statement:?}");
    }
    // An included file that is a dump does not change the named file's kind.
    let dir = tree(&[
        ("my.cnf", "[mysqld]\n!include dump.txt\n"),
        ("dump.txt", "Variable_name\tValue\nwait_timeout\t8\n"),
    ]);
    let l = load_in(&dir, "my.cnf");
    assert_eq!(l.out.source_kind, MysqlSourceKind::OptionFile);
    assert_eq!(wait(&l), 8);
}

/// A one-row dump of `wait_timeout` in each form, the value being `v`.
fn each_form(v: &str) -> [String; 3] {
    [
        format!(
            "mysql> SHOW GLOBAL VARIABLES LIKE 'wait%';\n+---------------+-------+\n\
                 | Variable_name | Value |\n+---------------+-------+\n\
                 | wait_timeout  | {v} |\n+---------------+-------+\n1 row in set (0.00 sec)\n"
        ),
        format!("Variable_name\tValue\nwait_timeout\t{v}\n"),
        format!(
            "*************************** 1. row ***************************\n\
                 Variable_name: wait_timeout\n        Value: {v}\n1 row in set (0.00 sec)\n"
        ),
    ]
}

#[test]
fn dump_values_rejected() {
    let cases = [
        "1k",
        "10min",
        "2h",
        "abc",
        "0x10",
        "1.5",
        "+5",
        "ON",
        "99999999999999999999",
    ];
    for v in cases {
        for text in each_form(v) {
            let l = load_text(&text);
            assert_eq!(wait(&l), 28800, "{text}");
            assert!(!l.out.wait_timeout.origin.is_explicit());
            assert_eq!(l.diags(), [("TL002", v.to_string())], "{text}");
            assert_eq!(l.diags[0].severity, Severity::Error);
            let help = l.diags[0].help.as_deref().unwrap_or_default();
            assert!(!help.contains("refuses to start"), "{help}");
        }
    }
    let l = load_text(&each_form("1k")[1]);
    assert_eq!(
        l.diags[0].message,
        "wait_timeout value `1k` is not a plain integer"
    );
}

#[test]
fn dump_values_clamped_and_accepted() {
    for (v, used, diags) in [
        ("0", 1, 1),
        ("-5", 1, 1),
        ("31536001", 31_536_000, 1),
        ("1", 1, 0),
        ("31536000", 31_536_000, 0),
        ("0600", 600, 0),
    ] {
        for text in each_form(v) {
            let l = load_text(&text);
            assert_eq!(wait(&l), used, "{text}");
            assert_eq!(l.diags.len(), diags, "{text}: {:?}", l.diags);
            assert!(l.diags.iter().all(|d| d.code == codes::INVALID_VALUE));
            assert_eq!(l.at(&l.out.wait_timeout.origin).1, v);
        }
    }
}

#[test]
fn dump_names_and_order() {
    // information_schema prints names in capitals; unknown names are
    // ignored; the last row wins.
    let text = "Variable_name\tValue\nWAIT_TIMEOUT\t5\nwait_timeout_x\tgarbage\n\
                    innodb_lock_wait_timeout\tnope\nwait_timeout\t6\n\
                    Max_Connections\t77\nreport_password\thunter2\n";
    let l = load_text(text);
    assert!(l.diags.is_empty(), "{:?}", l.diags);
    assert_eq!(wait(&l), 6);
    assert_eq!(l.out.max_connections.value, 77);
    let all: String = l
        .sources
        .files()
        .map(|(_, f)| f.masked_text().to_string())
        .collect();
    assert!(!all.contains("hunter2"), "{all}");
}

#[test]
fn dump_decorations_are_not_errors_but_broken_rows_are() {
    let text = "Welcome to the MySQL monitor.  Commands end with ; or \\g.\n\
                    mysql> SHOW GLOBAL VARIABLES\n    -> LIKE '%timeout';\n\
                    +---------------+-------+\n| Variable_name | Value |\n+---------------+-------+\n\
                    | wait_timeout  | 120   |\n| connect_timeout | 3\nwrapped tail |\n\
                    +---------------+-------+\n2 rows in set, 1 warning (0.00 sec)\n\nmysql> \\q\nBye\n";
    let l = load_text(text);
    assert_eq!(
        l.diags(),
        [
            ("TL001", "| connect_timeout | 3".to_string()),
            ("TL001", "wrapped tail |".to_string())
        ]
    );
    assert_eq!(l.out.source_kind, vars_dump(Some(true)));
    assert_eq!(wait(&l), 120);
    assert_eq!(l.out.connect_timeout.value.as_secs(), 10);

    // Errors and value diagnostics come in file order.
    let text = "Variable_name\tValue\nwait_timeout\tx\nbroken\nconnect_timeout\t1\n";
    let l = load_text(text);
    assert_eq!(
        l.diags(),
        [
            ("TL002", "x".to_string()),
            ("TL001", "broken".to_string()),
            ("TL002", "1".to_string())
        ]
    );
    assert_eq!(l.out.connect_timeout.value.as_secs(), 2);

    let text = "*************************** 1. row ***************************\n\
                    Variable_name: wait_timeout\n\
                    *************************** 2. row ***************************\n\
                    Variable_name: connect_timeout\n        Value: 4\n";
    let l = load_text(text);
    assert_eq!(l.diags(), [("TL001", "wait_timeout".to_string())]);
    assert_eq!(l.out.connect_timeout.value.as_secs(), 4);
}

#[test]
fn corpus_files_keep_their_kind() {
    // Real option files are never taken for dumps (skips without the corpus).
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/mysql");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    for path in entries.filter_map(Result::ok).map(|e| e.path()) {
        let mut sources = SourceMap::new(None);
        let mut diags = Vec::new();
        let Ok(s) = load_option_file(&path, &mut sources, &mut diags) else {
            continue;
        };
        let help = path.to_string_lossy().contains("mysqldhelp");
        let want = if help {
            MysqlSourceKind::HelpDump
        } else {
            MysqlSourceKind::OptionFile
        };
        assert_eq!(s.source_kind, want, "{}", path.display());
    }
}

#[test]
fn odd_dumps_never_panic() {
    for text in [
        "+-+\n| Variable_name | Value |\n+-+\n",
        "+-+\n| Variable_name | Value |\n+-+\n|",
        "+-+\n| Variable_name | Value |\n+-+\n||\n|é|é|\n",
        "Variable_name\tValue\n\t\n\u{0}\té\n",
        "*** 1. row ***\nVariable_name:\nValue:\n",
        "*** 1. row ***\nVariable_name: é\n",
        "a\t\n",
    ] {
        // A file none of whose lines parse is refused (Err): fine.
        let dir = tree(&[("my.cnf", text)]);
        let mut sources = SourceMap::new(None);
        let _ = load_option_file(&dir.path().join("my.cnf"), &mut sources, &mut Vec::new());
    }
}

/// Resolves `flags` (command-line assignments) over the option file
/// `cnf` (none when empty).
fn resolved(cnf: &str, flags: &str) -> Loaded {
    let dir = tree(&[("my.cnf", cnf)]);
    let mut l = load_in(&dir, "my.cnf");
    let base = (!cnf.is_empty()).then(|| l.out.clone());
    let a =
        crate::test_support::assignments(&mut l.sources, "compose.yaml", flags, SetBy::CommandLine);
    let mut diags = Vec::new();
    l.out = resolve(&a, base.as_ref(), None, &mut l.sources, &mut diags);
    l.diags = diags;
    l
}

#[test]
fn resolve_applies_the_option_file_rules_to_flags() {
    // (flags, wait_timeout, diagnostics): names as mysqld matches them,
    // K/M/G suffixes, clamping, unknown names ignored.
    let table: &[(&str, u64, &[&str])] = &[
        ("--wait_timeout=600", 600, &[]),
        ("--wait-timeout=600", 600, &[]),
        ("--loose-wait-timeout=1k", 1024, &[]),
        ("--maximum-wait-timeout=5", 28_800, &[]),
        ("--wait_timeout=0", 1, &["TL002"]),
        ("--wait_timeout=2h", 28_800, &["TL002"]),
        ("--wait_timeout=600 --wait_timeout=700", 700, &[]),
        ("--character-set-server=utf8mb4", 28_800, &[]),
        ("--wait_timeout=?var.wait", 28_800, &["TL015"]),
    ];
    for (flags, want, codes) in table {
        let l = resolved("", flags);
        assert_eq!(wait(&l), *want, "{flags}");
        let got: Vec<&str> = l.diags().iter().map(|d| d.0).collect();
        assert_eq!(&got, codes, "{flags}");
        assert_eq!(l.out.source_kind, MysqlSourceKind::Deployment);
    }
}

#[test]
fn resolve_locates_values_and_defaults() {
    let l = resolved("", "--wait_timeout=600 --max-connections=500");
    assert_eq!(
        l.at(&l.out.wait_timeout.origin),
        ("compose.yaml".into(), "600".into())
    );
    assert_eq!(
        l.at(&l.out.max_connections.origin),
        ("compose.yaml".into(), "500".into())
    );
    assert!(!l.out.interactive_timeout.origin.is_explicit());
}

#[test]
fn flags_beat_the_option_file_and_say_so() {
    let l = resolved(
        "[mysqld]\nwait_timeout = 28800\nmax_connections = 300\n",
        "--wait_timeout=600",
    );
    assert_eq!(wait(&l), 600);
    // The ignored value is the primary location; the used one is related.
    assert_eq!(l.diags(), vec![("TL016", "28800".to_string())]);
    assert!(
        l.diags[0].message.contains("the server uses 600 s"),
        "{}",
        l.diags[0].message
    );
    // Values only the option file sets stay, located there.
    assert_eq!(l.out.max_connections.value, 300);
    assert_eq!(
        l.at(&l.out.max_connections.origin),
        ("my.cnf".into(), "300".into())
    );
    // The same value in both places is no finding.
    let l = resolved("[mysqld]\nwait_timeout = 600\n", "--wait_timeout=600");
    assert!(l.diags.is_empty());
    // An unresolved flag keeps the option file's value and says so.
    let l = resolved(
        "[mysqld]\nwait_timeout = 900\n",
        "--wait_timeout=?from_a_Secret",
    );
    assert_eq!(wait(&l), 900);
    assert_eq!(l.diags(), vec![("TL015", "?from_a_Secret".to_string())]);
    assert!(l.diags[0].help.as_deref().unwrap_or("").contains("900 s"));
}

fn keepalive(l: &Loaded) -> [u64; 3] {
    [
        l.out.tcp_keepalive_time.value.as_secs(),
        l.out.tcp_keepalive_interval.value.as_secs(),
        l.out.tcp_keepalive_probes.value,
    ]
}

#[test]
fn mariadb_keepalive_variables_are_read() {
    // The lab's form: [mysqld] with underscores; dashes, loose- and the
    // MariaDB-only groups too.
    for text in [
        "[mysqld]\ntcp_keepalive_time = 2\ntcp_keepalive_interval = 1\ntcp_keepalive_probes = 3\n",
        "[mariadb]\ntcp-keepalive-time=2\ntcp-keepalive-interval=1\ntcp-keepalive-probes=3\n",
        "[server]\nloose-tcp_keepalive_time=2\ntcp_keepalive_interval=1\ntcp_keepalive_probes=3\n",
    ] {
        let l = load_text(text);
        assert_eq!(keepalive(&l), [2, 1, 3], "{text}");
        assert_eq!(l.at(&l.out.tcp_keepalive_time.origin).1, "2", "{text}");
        assert!(l.diags.is_empty(), "{text}: {:?}", l.diags);
    }
    // Defaults: 0 = the OS setting, documented by MariaDB.
    let l = load_text("[mysqld]\nwait_timeout=600\n");
    assert_eq!(keepalive(&l), [0, 0, 0]);
    match &l.out.tcp_keepalive_time.origin {
        Origin::Default { source, .. } => assert!(source.contains("mariadb.com"), "{source}"),
        other => panic!("{other:?}"),
    }
    // Not read from groups the server ignores.
    let l = load_text("[client]\ntcp_keepalive_time=2\n[mysqld]\n");
    assert_eq!(keepalive(&l), [0, 0, 0]);
}

#[test]
fn mariadb_keepalive_values_rejected_and_clamped() {
    for (line, used, diags) in [
        ("tcp_keepalive_time = 2h", 0, 1),
        ("tcp_keepalive_time = abc", 0, 1),
        ("tcp_keepalive_time = -1", 0, 1),
        ("tcp_keepalive_time = 2147484", 2_147_483, 1),
        ("tcp_keepalive_time = 0", 0, 0),
        ("tcp_keepalive_time = 1k", 1024, 0),
    ] {
        let l = load_text(&format!("[mysqld]\n{line}\n"));
        assert_eq!(keepalive(&l)[0], used, "{line}");
        assert_eq!(l.diags.len(), diags, "{line}: {:?}", l.diags);
        assert!(l.diags.iter().all(|d| d.code == codes::INVALID_VALUE));
    }
}

#[test]
fn product_is_told_from_groups_and_dump_versions() {
    let l = load_text("[mysqld]\nwait_timeout=1\n");
    assert!(l.out.product.is_none());
    let l = load_text("[mariadb]\nwait_timeout=1\n");
    let p = l
        .out
        .product
        .as_ref()
        .expect("a [mariadb] group names MariaDB");
    assert_eq!(p.value, MysqlProduct::MariaDb);
    assert_eq!(l.at(&p.origin).1, "[mariadb]");
    for (version, want) in [
        ("10.11.19-MariaDB-0+deb12u1", Some(MysqlProduct::MariaDb)),
        ("5.5.5-10.3.39-MariaDB", Some(MysqlProduct::MariaDb)),
        ("8.0.36", Some(MysqlProduct::Mysql)),
        ("8.4.3-commercial", Some(MysqlProduct::Mysql)),
    ] {
        let text = format!(
            "Variable_name\tValue\ntcp_keepalive_time\t2\nversion\t{version}\nwait_timeout\t600\n"
        );
        let l = load_text(&text);
        assert_eq!(l.out.product.as_ref().map(|p| p.value), want, "{version}");
        assert_eq!(keepalive(&l)[0], 2);
        // A MySQL dump never lists tcp_keepalive_time; if one does, it is
        // reported as ignored.
        let warned = l
            .diags
            .iter()
            .any(|d| d.code == codes::INVALID_VALUE && d.message.contains("MariaDB variable"));
        assert_eq!(warned, want == Some(MysqlProduct::Mysql), "{version}");
    }
    assert_eq!(
        MysqlProduct::from_name("bitnami/mariadb"),
        Some(MysqlProduct::MariaDb)
    );
    assert_eq!(MysqlProduct::from_name("mysql"), Some(MysqlProduct::Mysql));
    assert_eq!(
        MysqlProduct::from_name("percona"),
        Some(MysqlProduct::Mysql)
    );
    assert_eq!(MysqlProduct::from_name("postgres"), None);
}
