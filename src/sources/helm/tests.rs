use super::*;
use crate::sources::embedded::render;

fn run(text: &str) -> (Vec<Candidate>, SourceMap, Vec<Diagnostic>) {
    let mut sources = SourceMap::new(None);
    let id = sources.add(Path::new("values.yaml"), text.to_string());
    let mut diags = Vec::new();
    let c = read_file(id, &mut sources, &mut diags);
    (c, sources, diags)
}

#[test]
fn bitnami_mysql_configuration_and_flags() {
    let text = "image:\n  registry: docker.io\n  repository: bitnami/mysql\n  tag: 8.4.3-debian-12-r4\nauth:\n  rootPassword: hunter2\nprimary:\n  configuration: |-\n    [mysqld]\n    port={{ .Values.primary.containerPorts.mysql }}\n    wait_timeout=600\n    [client]\n    port=3306\n  extraFlags: \"--max_connections=155 --skip-name-resolve\"\nsecondary:\n  configuration: \"\"\n";
    let (c, s, d) = run(text);
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(
        render(&c, &s),
        "server primary.configuration @8:3 [mysql] flavor bitnami/mysql 8.4.3 @4:8\n  \
port (OptionFile) @10:5 = ?(`{{ .Values.primary.containerPorts.mysql }}` is a template expression, rendered only at deploy time) @10:10\n  \
wait_timeout (OptionFile) @11:5 = 600 @11:18\n\
server primary.extraFlags @14:3 [mysql] flavor bitnami/mysql 8.4.3 @4:8\n  \
max_connections (CommandLine) @14:18 = 155 @14:34\n  \
skip-name-resolve (CommandLine) @14:40 =  @14:57\n\
server primary @8:3 [mysql] flavor bitnami/mysql 8.4.3 @4:8\n  \
port (OptionFile) @10:5 = ?(`{{ .Values.primary.containerPorts.mysql }}` is a template expression, rendered only at deploy time) @10:10\n  \
wait_timeout (OptionFile) @11:5 = 600 @11:18\n  \
max_connections (CommandLine) @14:18 = 155 @14:34\n  \
skip-name-resolve (CommandLine) @14:40 =  @14:57\n"
    );
    assert!(!s.get(c[0].at.file).masked_text().contains("hunter2"));
}

#[test]
fn bitnami_postgresql_and_ha_and_subcharts() {
    let text = "postgresql:\n  image: {repository: bitnami/postgresql, tag: \"16.4.0\"}\n  primary:\n    configuration: \"\"\n    extendedConfiguration: |\n      idle_session_timeout = 5min\n  readReplicas:\n    extendedConfiguration: \"\"\npostgresql-ha:\n  postgresql:\n    extendedConf: |-\n      tcp_keepalives_idle = 60\n";
    let (c, s, d) = run(text);
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(
        render(&c, &s),
        "server postgresql.primary.extendedConfiguration @5:5 [postgres] flavor bitnami/postgresql 16.4.0 @2:48\n  \
idle_session_timeout (OptionFile) @6:7 = 5min @6:30\n\
server postgresql-ha.postgresql.extendedConf @11:5 [postgres]\n  \
tcp_keepalives_idle (OptionFile) @12:7 = 60 @12:29\n"
    );
}

#[test]
fn postgresql_configuration_without_groups_is_pgconf() {
    let text = "primary:\n  configuration: |\n    max_connections = 50\n";
    let (c, _, _) = run(text);
    let Found::Server(s) = &c[0].found else {
        panic!()
    };
    assert_eq!(s.system, System::Postgres);
}

#[test]
fn rejects_and_malformed() {
    for t in [
        "",
        "a: 1\n",
        "primary: x\n",
        "primary:\n  configuration: ~\n",
        "- 1\n",
    ] {
        let (c, _, d) = run(t);
        assert!(c.is_empty() && d.is_empty(), "{t:?}");
    }
    let (c, _, d) = run("primary:\n  configuration: |\n    [mysqld]\n  bad: [\n");
    assert!(c.is_empty());
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].code.id, "TL001");
}

#[test]
fn values_file_detection() {
    let dir = crate::test_support::tree(&[
        ("chart/Chart.yaml", "name: x\n"),
        ("chart/prod.yaml", ""),
        ("other/prod.yaml", ""),
    ]);
    let p = dir.path();
    let cases: &[(std::path::PathBuf, bool)] = &[
        (p.join("values.yaml"), true),
        (p.join("values-prod.yml"), true),
        (p.join("values-mysql.yaml.tpl"), true),
        (p.join("chart/prod.yaml"), true),
        (p.join("other/prod.yaml"), false),
        (p.join("chart/templates/values.yaml"), false),
        (p.join("values.json"), false),
        (p.join("deployment.yaml"), false),
    ];
    for (path, want) in cases {
        assert_eq!(is_values_file(path), *want, "{}", path.display());
    }
}
