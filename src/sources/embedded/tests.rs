use super::*;
use crate::parse::tree::parse_yaml;
use crate::source::SourceFile;

/// The file text a mapped span covers.
fn mapped<'a>(file: &'a str, emb: &Embedded, needle: &str) -> &'a str {
    let at = emb.text().find(needle).expect("needle in embedded text");
    let s = emb.span(Span::new(at, at + needle.len()));
    &file[s.start..s.end]
}

fn line_col(file: &str, offset: usize) -> (usize, usize) {
    let f = SourceFile::new("t", "t", file.to_string());
    let lc = f.line_col(offset);
    (lc.line, lc.column)
}

#[test]
fn literal_block_lines_map_to_their_file_line_and_column() {
    let file = "data:\n  my.cnf: |\n    [mysqld]\n\n    wait_timeout = 600\n    # é note\n    max_connections=50\nnext: 1\n";
    let doc = parse_yaml(file).unwrap();
    let node = doc.get("data").unwrap().get("my.cnf").unwrap();
    let emb = Embedded::of(file, node).unwrap();
    assert!(emb.is_exact());
    assert_eq!(
        emb.text(),
        "[mysqld]\n\nwait_timeout = 600\n# é note\nmax_connections=50\n"
    );
    assert_eq!(mapped(file, &emb, "600"), "600");
    let at = emb.text().find("600").unwrap();
    let s = emb.span(Span::new(at, at + 3));
    assert_eq!(line_col(file, s.start), (5, 20));
    let at = emb.text().find("max_connections").unwrap();
    let s = emb.span(Span::new(at, at + 15));
    assert_eq!(line_col(file, s.start), (7, 5));
}

#[test]
fn block_chomping_crlf_and_blank_lines() {
    let cases: &[(&str, &str)] = &[
        ("k: |-\n  a=1\n  b=2\n", "b=2"),
        ("k: |+\n  a=1\n\n  b=2\n\n\nz: 1\n", "b=2"),
        ("k: |\r\n  a=1\r\n  b=2\r\n", "b=2"),
        ("k: |  # comment\n\n  a=1\n   b=2\n", "b=2"),
        ("- |\n  a=1\n  b=2\n", "b=2"),
    ];
    for (file, needle) in cases {
        let doc = parse_yaml(file).unwrap();
        let node = match &doc.kind {
            NodeKind::Seq(items) => items[0].clone(),
            _ => doc.get("k").unwrap().clone(),
        };
        let emb = Embedded::of(file, &node).unwrap();
        assert!(emb.is_exact(), "{file:?}: {:?}", emb.text());
        assert_eq!(mapped(file, &emb, needle), *needle, "{file:?}");
    }
}

#[test]
fn quoted_and_plain_scalars_map_through_escapes() {
    let file =
        "a: \"[mysqld]\\nwait_timeout=60\\n\"\nb: 'it''s x=5'\nc: plain x=7\nd: \"\\u00e9 t=9\"\n";
    let doc = parse_yaml(file).unwrap();
    let a = Embedded::of(file, doc.get("a").unwrap()).unwrap();
    assert!(a.is_exact());
    assert_eq!(a.text(), "[mysqld]\nwait_timeout=60\n");
    assert_eq!(mapped(file, &a, "60"), "60");
    assert_eq!(mapped(file, &a, "\n"), "\\n");
    let b = Embedded::of(file, doc.get("b").unwrap()).unwrap();
    assert_eq!(b.text(), "it's x=5");
    assert_eq!(mapped(file, &b, "'s"), "''s");
    assert_eq!(mapped(file, &b, "5"), "5");
    let c = Embedded::of(file, doc.get("c").unwrap()).unwrap();
    assert_eq!(mapped(file, &c, "7"), "7");
    let d = Embedded::of(file, doc.get("d").unwrap()).unwrap();
    assert_eq!(d.text(), "é t=9");
    assert_eq!(mapped(file, &d, "é"), "\\u00e9");
    assert_eq!(mapped(file, &d, "9"), "9");
}

#[test]
fn json_strings_map_too() {
    let file = "{\"data\": {\"pgbouncer.ini\": \"[pgbouncer]\\nserver_idle_timeout = 30\\n\"}}";
    let doc = parse_yaml(file).unwrap();
    let node = doc.get("data").unwrap().get("pgbouncer.ini").unwrap();
    let emb = Embedded::of(file, node).unwrap();
    assert!(emb.is_exact());
    assert_eq!(mapped(file, &emb, "30"), "30");
}

#[test]
fn folded_and_multiline_fall_back_to_the_whole_scalar() {
    let cases = [
        "k: >\n  a=1\n  b=2\n",
        "k: \"a=1\n  b=2\"\n",
        "k: |2\n    a=1\n",
        "k: plain\n  continued\n",
    ];
    for file in cases {
        let doc = parse_yaml(file).unwrap();
        let node = doc.get("k").unwrap();
        let emb = Embedded::of(file, node).unwrap();
        assert!(!emb.is_exact(), "{file:?}");
        assert_eq!(emb.span(Span::new(0, 1)), node.span, "{file:?}");
    }
    // Not a scalar: nothing to embed.
    let doc = parse_yaml("k: [1]\nn: ~\n").unwrap();
    assert!(Embedded::of("k: [1]\nn: ~\n", doc.get("k").unwrap()).is_none());
    assert!(Embedded::of("k: [1]\nn: ~\n", doc.get("n").unwrap()).is_none());
}

fn read(
    format: ConfigFormat,
    file: &str,
    key: &str,
) -> (Vec<Assignment>, SourceMap, Vec<Diagnostic>) {
    let mut sources = SourceMap::new(None);
    let id = sources.add(std::path::Path::new("t.yaml"), file.to_string());
    let doc = parse_yaml(file).unwrap();
    let emb = Embedded::of(file, doc.get(key).unwrap()).unwrap();
    let mut diags = Vec::new();
    let out = read_config(format, &emb, id, &mut sources, &mut diags);
    (out, sources, diags)
}

fn texts(sources: &SourceMap, a: &[Assignment]) -> Vec<(String, String, String)> {
    a.iter()
        .map(|a| {
            let v = match &a.value {
                Written::Text(t) => t.clone(),
                Written::Unresolved(_) => "?".to_string(),
                Written::Unset => "(unset)".to_string(),
            };
            (a.name.clone(), v, sources.text_at(a.value_at).to_string())
        })
        .collect()
}

#[test]
fn mycnf_groups_templates_and_secrets() {
    let file = "c: |\n  [client]\n  password = hunter2\n  [mysqld]\n  wait_timeout=600\n  port={{ .Values.port }}\n  {{- if .Values.tls }}\n  ssl_ca=/x\n  {{- end }}\n  skip-name-resolve\n  password=s3cret\n  [mysqld-8.0]\n  interactive_timeout = 30\n";
    let (a, sources, diags) = read(ConfigFormat::MyCnf, file, "c");
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(
        texts(&sources, &a),
        [
            ("wait_timeout".into(), "600".into(), "600".into()),
            ("port".into(), "?".into(), "{{ .Values.port }}".into()),
            ("ssl_ca".into(), "?".into(), "/x".into()),
            ("password".into(), "s3cret".into(), "s3cret".into()),
            ("interactive_timeout".into(), "30".into(), "30".into()),
        ]
    );
    let masked = sources.get(a[0].value_at.file).masked_text();
    assert!(!masked.contains("hunter2") && !masked.contains("s3cret"));
    assert!(masked.contains("wait_timeout=600"));
}

#[test]
fn mycnf_errors_are_located_in_the_yaml_file() {
    let file = "c: |\n  wait_timeout=1\n  [mysqld\n";
    let (_, sources, diags) = read(ConfigFormat::MyCnf, file, "c");
    let got: Vec<_> = diags
        .iter()
        .map(|d| {
            let l = d.primary.location.unwrap();
            (
                d.code.id,
                line_col(file, l.span.start),
                sources.text_at(l).to_string(),
            )
        })
        .collect();
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(got[0].0, "TL001");
    assert_eq!(got[0].1, (2, 3));
    assert_eq!(got[0].2, "wait_timeout");
    assert_eq!(got[1].1.0, 3);
    // A body fragment needs no group.
    let (a, _, diags) = read(ConfigFormat::MyCnfBody, "c: |\n  wait_timeout=1\n", "c");
    assert!(diags.is_empty());
    assert_eq!(a.len(), 1);
}

#[test]
fn pgconf_and_pgbouncer() {
    let file = "c: |\n  idle_session_timeout = '5min'\n  max_connections 200  # note\n  include 'x.conf'\n  bad line here\n";
    let (a, sources, diags) = read(ConfigFormat::PgConf, file, "c");
    assert_eq!(
        texts(&sources, &a),
        [
            (
                "idle_session_timeout".into(),
                "5min".into(),
                "'5min'".into()
            ),
            ("max_connections".into(), "200".into(), "200".into()),
        ]
    );
    assert_eq!(diags.len(), 1);
    assert_eq!(
        line_col(file, diags[0].primary.location.unwrap().span.start).0,
        5
    );

    let file = "c: |\n  [databases]\n  db = host=x password=pw1\n  [pgbouncer]\n  server_idle_timeout = 30\n  auth_password = pw2\n";
    let (a, sources, diags) = read(ConfigFormat::PgBouncerIni, file, "c");
    assert!(diags.is_empty());
    assert_eq!(a[0].name, "server_idle_timeout");
    assert_eq!(sources.text_at(a[0].value_at), "30");
    let masked = sources.get(a[0].value_at.file).masked_text();
    assert!(!masked.contains("pw1") && !masked.contains("pw2"));
}

#[test]
fn formats_by_key_and_content() {
    let cases: &[(&str, &str, Option<ConfigFormat>)] = &[
        ("my.cnf", "", Some(ConfigFormat::MyCnf)),
        ("primary.cnf", "", Some(ConfigFormat::MyCnf)),
        ("custom", "[mysqld]\nx=1\n", Some(ConfigFormat::MyCnf)),
        ("x", "[mysqld-8.0]\n", Some(ConfigFormat::MyCnf)),
        ("pgbouncer.ini", "", Some(ConfigFormat::PgBouncerIni)),
        ("app.ini", "[pgbouncer]\n", Some(ConfigFormat::PgBouncerIni)),
        ("app.ini", "[app]\n", None),
        ("postgresql.conf", "", Some(ConfigFormat::PgConf)),
        ("pg-custom.conf", "", Some(ConfigFormat::PgConf)),
        ("pg_hba.conf", "", None),
        ("nginx.conf", "", None),
        ("haproxy.cfg", "", None),
    ];
    for (key, text, want) in cases {
        assert_eq!(format_of(key, text), *want, "{key}");
    }
}

#[test]
fn templates_are_named() {
    assert!(template_reason("{{ .Values.x }}").is_some());
    assert!(template_reason("${VAR}").is_some());
    assert!(template_reason("600").is_none());
    assert!(template_reason("$HOME").is_none());
}
