use super::*;
use crate::sources::embedded::render;

fn run(text: &str, system: Option<System>) -> (Vec<Candidate>, SourceMap, Vec<Diagnostic>) {
    let mut sources = SourceMap::new(None);
    let id = sources.add(Path::new("params.json"), text.to_string());
    let mut diags = Vec::new();
    let c = read_file(id, system, &mut sources, &mut diags);
    (c, sources, diags)
}

const DUMP: &str = r#"{
    "Parameters": [
        {
            "ParameterName": "innodb_buffer_pool_size",
            "ParameterValue": "{DBInstanceClassMemory*3/4}",
            "Source": "system",
            "IsModifiable": true
        },
        {
            "ParameterName": "max_connections",
            "Source": "engine-default",
            "IsModifiable": true
        },
        {
            "ParameterName": "wait_timeout",
            "ParameterValue": "600",
            "Source": "user",
            "IsModifiable": true
        }
    ]
}
"#;

#[test]
fn describe_db_parameters_rows_with_values() {
    let (c, s, d) = run(DUMP, None);
    assert!(d.is_empty());
    assert_eq!(
        render(&c, &s),
        "server parameters @2:5 [mysql]\n  \
innodb_buffer_pool_size (ParameterGroup) @4:30 = ?(`{DBInstanceClassMemory*3/4}` is an RDS formula, computed from the instance class at run time) @5:31\n  \
wait_timeout (ParameterGroup) @15:30 = \"600\" @16:31\n"
    );
}

#[test]
fn engine_defaults_name_the_family_and_read_as_forces_a_system() {
    let text = r#"{"EngineDefaults": {"DBParameterGroupFamily": "postgres16", "Parameters": [
  {"ParameterName": "idle_session_timeout", "ParameterValue": "0", "Source": "engine-default"}]}}"#;
    let (c, s, _) = run(text, None);
    assert_eq!(
        render(&c, &s),
        "server parameters @1:61 [postgres] flavor postgres 16 @1:47\n  idle_session_timeout (ParameterGroup) @2:21 = \"0\" @2:63\n"
    );
    // Names alone cannot tell: nothing, unless the system is named.
    let text = r#"{"Parameters": [{"ParameterName": "max_connections", "ParameterValue": "10"}]}"#;
    assert!(run(text, None).0.is_empty());
    let (c, _, _) = run(text, Some(System::Postgres));
    assert_eq!(c.len(), 1);
    let (c, _, _) = run(DUMP, Some(System::Postgres));
    let Found::Server(sv) = &c[0].found else {
        panic!()
    };
    assert_eq!(sv.system, System::Postgres);
}

#[test]
fn rejects_and_malformed() {
    for t in [
        "",
        "{}",
        "{\"Parameters\": {}}",
        "[1, 2]",
        "{\"Parameters\": [{\"ParameterName\": 5}]}",
    ] {
        let (c, _, d) = run(t, None);
        assert!(c.is_empty() && d.is_empty(), "{t:?}");
    }
    let (c, _, d) = run("{\"Parameters\": [\n  {\"ParameterName\": \"a\",\n", None);
    assert!(c.is_empty());
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].code.id, "TL001");
    let loc = d[0].primary.location.unwrap();
    assert!(loc.span.start > 0);
}

#[test]
fn detection() {
    let doc = crate::parse::tree::parse_yaml(DUMP).unwrap();
    assert!(is_dump(&doc));
    let doc = crate::parse::tree::parse_yaml("{\"Parameters\": {\"A\": {\"Type\": \"String\"}}}")
        .unwrap();
    assert!(!is_dump(&doc));
}

#[test]
fn large_dump_is_read() {
    let mut t = String::from("{\"Parameters\": [\n");
    for i in 0..3000 {
        t.push_str(&format!(
            "  {{\"ParameterName\": \"innodb_p{i}\", \"ParameterValue\": \"{i}\", \"Source\": \"user\"}},\n"
        ));
    }
    t.push_str("  {\"ParameterName\": \"x\"}\n]}\n");
    let (c, _, d) = run(&t, None);
    assert!(d.is_empty());
    let Found::Server(sv) = &c[0].found else {
        panic!()
    };
    assert_eq!(sv.assignments.len(), 3000);
}
