//! Tests of the shared command-line readers: accept and reject tables for
//! mysqld and postgres flags, shell words, server programs, and the spans
//! of words read from YAML scalars.

use super::traced::{Traced, Word, split_blanks, split_words};
use super::*;
use crate::source::{FileId, Span};

fn text(w: &Written) -> String {
    match w {
        Written::Text(t) => t.clone(),
        Written::Unresolved(why) => format!("?({why})"),
        Written::Unset => "<unset>".into(),
    }
}

fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

fn words_of(s: &str) -> Vec<Word> {
    let at = Location::new(FileId(0), crate::source::Span::new(0, 0));
    split_words(&Traced::inexact(s, at))
}

fn flags(f: fn(&[Word]) -> Vec<FlagSetting>, s: &str) -> Vec<(String, String)> {
    f(&words_of(s))
        .into_iter()
        .map(|a| (a.name, text(&a.value)))
        .collect()
}

#[test]
fn mysqld_argv_accepts_and_rejects() {
    let cases: &[(&str, &[(&str, &str)])] = &[
        ("--wait_timeout=600", &[("wait_timeout", "600")]),
        ("--wait-timeout=600", &[("wait-timeout", "600")]),
        ("--wait_timeout 600", &[("wait_timeout", "600")]),
        ("--loose-wait-timeout=600", &[("loose-wait-timeout", "600")]),
        (
            "--maximum-wait_timeout=600",
            &[("maximum-wait_timeout", "600")],
        ),
        // Removed in MySQL 5.5: handed on as written; the system refuses it.
        (
            "--set-variable=wait_timeout=600",
            &[("set-variable", "wait_timeout=600")],
        ),
        (
            "--skip-log-bin --wait_timeout=5",
            &[("skip-log-bin", ""), ("wait_timeout", "5")],
        ),
        ("-u mysql --wait_timeout=5", &[("wait_timeout", "5")]),
        ("--wait_timeout='6 00'", &[("wait_timeout", "6 00")]),
        (
            "--wait_timeout=600 && echo --x=1",
            &[("wait_timeout", "600")],
        ),
        ("--", &[]),
        ("wait_timeout=600", &[]),
        ("", &[]),
    ];
    for (argv, want) in cases {
        assert_eq!(flags(mysqld_flags, argv), owned(want), "{argv}");
    }
}

#[test]
fn postgres_argv_accepts_and_rejects() {
    let cases: &[(&str, &[(&str, &str)])] = &[
        ("-c max_connections=200", &[("max_connections", "200")]),
        ("-cmax_connections=200", &[("max_connections", "200")]),
        ("--max_connections=200", &[("max_connections", "200")]),
        ("-N 200", &[("max_connections", "200")]),
        ("-N200", &[("max_connections", "200")]),
        (
            "-B 128MB -p 5433",
            &[("shared_buffers", "128MB"), ("port", "5433")],
        ),
        (
            "-D /data -c idle_session_timeout=60s",
            &[("idle_session_timeout", "60s")],
        ),
        ("-F -c a=b", &[("a", "b")]),
        (
            "-c 'statement_timeout=5 s'",
            &[("statement_timeout", "5 s")],
        ),
        // postgres refuses `--name value` and `-c` without `=`.
        ("--max_connections 200", &[]),
        ("-c max_connections", &[]),
        ("-c", &[]),
        ("-c a=1 ; -c b=2", &[("a", "1")]),
    ];
    for (argv, want) in cases {
        assert_eq!(flags(postgres_flags, argv), owned(want), "{argv}");
    }
}

#[test]
fn shell_words_follow_posix_quoting() {
    let cases: &[(&str, &[&str])] = &[
        ("a b\tc", &["a", "b", "c"]),
        ("'a b' \"c d\"", &["a b", "c d"]),
        ("a\\ b", &["a b"]),
        ("\"a\\\"b\" 'x\\y'", &["a\"b", "x\\y"]),
        ("x&&y", &["x", "&&", "y"]),
        ("a;b|c", &["a", ";", "b", "|", "c"]),
        ("'open", &["open"]),
        ("\"open", &["open"]),
        ("é 'ü'", &["é", "ü"]),
        ("", &[]),
    ];
    for (s, want) in cases {
        let got: Vec<String> = words_of(s).into_iter().map(|w| w.text.text).collect();
        assert_eq!(got, *want, "{s:?}");
    }
}

/// The words of a YAML list of scalars in `file`, as kubernetes reads them.
fn yaml_words(file: &str) -> Vec<Word> {
    let node = crate::parse::tree::parse_yaml(file).unwrap();
    let items = match &node.get("a").unwrap().kind {
        crate::parse::tree::NodeKind::Seq(items) => items.clone(),
        _ => panic!("a list"),
    };
    items
        .iter()
        .filter_map(|n| scalar_word(FileId(0), file, n))
        .collect()
}

/// `(name, value, file text at the name, file text at the value)`.
fn located(file: &str, flags: &[FlagSetting]) -> Vec<(String, String, String, String)> {
    let at = |l: Location| file[l.span.start..l.span.end].to_string();
    flags
        .iter()
        .map(|f| {
            (
                f.name.clone(),
                text(&f.value),
                at(f.name_at),
                at(f.value_at),
            )
        })
        .collect()
}

#[test]
fn yaml_list_words_keep_exact_spans() {
    let file = "a: [\"--wait_timeout=600\", '--max-connections', \"50\", --skip-name-resolve]\n";
    let got = located(file, &mysqld_flags(&yaml_words(file)));
    let own = |a: &str, b: &str, c: &str, d: &str| {
        (a.to_string(), b.to_string(), c.to_string(), d.to_string())
    };
    assert_eq!(
        got,
        vec![
            own("wait_timeout", "600", "wait_timeout", "600"),
            own("max-connections", "50", "max-connections", "50"),
            own("skip-name-resolve", "", "skip-name-resolve", ""),
        ]
    );
    let file = "a:\n  - -c\n  - idle_session_timeout=60s\n  - -N\n  - 200\n  - --work-mem=4MB\n";
    let got = located(file, &postgres_flags(&yaml_words(file)));
    assert_eq!(
        got,
        vec![
            own("idle_session_timeout", "60s", "idle_session_timeout", "60s"),
            own("max_connections", "200", "-N", "200"),
            own("work-mem", "4MB", "work-mem", "4MB"),
        ]
    );
    // An escape inside a double-quoted scalar: the value is still located
    // (at the text it was decoded from), never out of the scalar.
    let file = "a: [\"--init_connect=a\\tb\"]\n";
    let got = located(file, &mysqld_flags(&yaml_words(file)));
    assert_eq!(got[0].1, "a\tb");
    assert_eq!(got[0].3, "a\\tb");
}

#[test]
fn template_values_are_unresolved() {
    let at = Location::new(FileId(0), Span::new(0, 0));
    let words = split_blanks(&Traced::inexact("--a=1 --b={{ .Values.b }} --c=${C}", at));
    let got: Vec<(String, bool)> = mysqld_flags(&words)
        .into_iter()
        .map(|f| (f.name, matches!(f.value, Written::Unresolved(_))))
        .collect();
    assert_eq!(
        got,
        vec![
            ("a".to_string(), false),
            ("b".to_string(), true),
            ("c".to_string(), true)
        ]
    );
}

#[test]
fn server_command_table() {
    use System::{Mysql, Postgres};
    // (words, image product, entrypoint set, the server and its first argument)
    type Case<'a> = (&'a str, Option<&'a str>, bool, Option<(System, &'a str)>);
    let cases: &[Case] = &[
        ("mysqld --a=1", None, false, Some((Mysql, "--a=1"))),
        (
            "/usr/sbin/mariadbd --a=1",
            None,
            true,
            Some((Mysql, "--a=1")),
        ),
        ("mysqld_safe --a=1", None, true, Some((Mysql, "--a=1"))),
        (
            "docker-entrypoint.sh postgres -c a=1",
            None,
            true,
            Some((Postgres, "-c")),
        ),
        ("--a=1", Some("mysql"), false, Some((Mysql, "--a=1"))),
        (
            "--a=1",
            Some("percona/percona-server"),
            false,
            Some((Mysql, "--a=1")),
        ),
        (
            "-c a=1",
            Some("postgis/postgis"),
            false,
            Some((Postgres, "-c")),
        ),
        // The image's own entrypoint replaced, or an image that does not
        // prepend its server: the flags run nothing.
        ("--a=1", Some("mysql"), true, None),
        ("--a=1", Some("bitnami/mysql"), false, None),
        ("--a=1", None, false, None),
        ("gunicorn app", Some("mysql"), false, None),
        ("", Some("mysql"), false, None),
    ];
    let at = Location::new(FileId(0), Span::new(0, 0));
    for (line, image, set, want) in cases {
        let words = split_words(&Traced::inexact(line, at));
        let got = server_command(&words, *image, *set).map(|(s, rest)| {
            (
                s,
                rest.first().map_or(String::new(), |w| w.text.text.clone()),
            )
        });
        let want = want.map(|(s, f)| (s, f.to_string()));
        assert_eq!(got, want, "{line:?} {image:?} {set}");
    }
}

#[test]
fn secret_flags_are_marked() {
    let file = "a: [--password=hunter2, --wait_timeout=5]\n";
    let mut sources = SourceMap::new(None);
    let id = sources.add(std::path::Path::new("x.yaml"), file.to_string());
    let flags = mysqld_flags(&yaml_words(file));
    mark_secrets(&mut sources, &flags);
    let masked = sources.get(id).masked_text();
    assert!(!masked.contains("hunter2"), "{masked}");
    assert!(masked.contains("--wait_timeout=5"), "{masked}");
}
