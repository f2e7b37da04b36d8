use super::*;

fn kind(name: &str, text: &str) -> Classified {
    classify_text(Path::new(name), text)
}

#[test]
fn mysql_option_file() {
    assert_eq!(
        kind("my.cnf", "[mysqld]\nwait_timeout = 600\n"),
        Classified::Known(Kind::MysqlOptionFile)
    );
}

#[test]
fn names_lose_copy_suffixes_but_keep_real_extensions() {
    let n = Name::of(Path::new("conf/PostgreSQL.conf.sample"));
    assert_eq!(
        (n.base.as_str(), n.ext.as_str()),
        ("postgresql.conf", "conf")
    );
    let n = Name::of(Path::new("values-mysql.yaml.tpl"));
    assert_eq!(
        (n.base.as_str(), n.ext.as_str()),
        ("values-mysql.yaml", "yaml")
    );
    let n = Name::of(Path::new("pgbouncer.ini.template"));
    assert_eq!(n.ext, "ini");
    // A CloudFormation `.template` is the real extension.
    let n = Name::of(Path::new("rds.template"));
    assert_eq!(n.ext, "template");
    let n = Name::of(Path::new("Procfile"));
    assert_eq!((n.base.as_str(), n.ext.as_str()), ("procfile", ""));
    let n = Name::of(Path::new(".env"));
    assert_eq!(n.ext, "");
}

#[test]
fn environment_files_by_name_and_content() {
    for name in [
        ".env",
        ".env.local",
        "prod.env",
        "env.example",
        "repo__.env.dist",
        "x__variables.env",
    ] {
        assert!(Name::of(Path::new(name)).env_file(), "{name}");
    }
    for name in ["environment.yaml", "my.cnf", "envoy.yaml"] {
        assert!(!Name::of(Path::new(name)).env_file(), "{name}");
    }
    assert!(looks_like_env_file(
        "# db\nDB_HOST=db\nexport DB_PORT=5432\n"
    ));
    assert!(!looks_like_env_file("max_connections = 100\n"));
    assert!(!looks_like_env_file(
        "wait_timeout=600\ninteractive_timeout=600\n"
    ));
    assert!(!looks_like_env_file(""));
}

#[test]
fn name_votes_count_server_specific_names() {
    let votes = |names: &[&str]| name_votes(names.iter().map(|n| n.to_string()));
    assert_eq!(
        votes(&[
            "wait_timeout",
            "innodb-buffer-pool-size",
            "skip-name-resolve"
        ]),
        (3, 0)
    );
    assert_eq!(
        votes(&["shared_buffers", "wal_level", "idle_session_timeout"]),
        (0, 3)
    );
    assert_eq!(votes(&["max_connections", "port"]), (0, 0));
}

#[test]
fn database_words_and_ports() {
    for w in [
        "mysql",
        "MySQL_1",
        "pg_backends",
        "postgres_front",
        "pgsql_pool",
        "mysql-rw",
        "db",
        "orders-db",
        "galera",
        "mariadb",
    ] {
        assert!(is_database_word(w), "{w}");
    }
    for w in [
        "stats",
        "admin_stats",
        "www",
        "batman",
        "http-in",
        "nosql",
        "dbus-proxy2",
    ] {
        assert!(!is_database_word(w), "{w}");
    }
    assert_eq!(port_of("*:5432"), Some(5432));
    assert_eq!(port_of("127.0.0.1:3306"), Some(3306));
    assert_eq!(port_of("3306"), Some(3306));
    assert_eq!(port_of("[::]:6432"), Some(6432));
    assert_eq!(port_of("db"), None);
    assert!(database_port("0.0.0.0:3306"));
    assert!(!database_port("*:80"));
}

#[test]
fn headerless_tab_dumps_with_postgres_names_are_ambiguous() {
    assert_eq!(
        kind("x.tsv", "shared_buffers\t16384\nwal_level\treplica\n"),
        Classified::Ambiguous(vec![Kind::MysqlDump, Kind::PostgresDump])
    );
    assert_eq!(
        kind("x.tsv", "max_connections\t151\n"),
        Classified::Known(Kind::MysqlDump)
    );
}

#[test]
fn yaml_without_an_extension_is_read_as_yaml() {
    assert_eq!(
        kind(
            "deploy",
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: db\n"
        ),
        Classified::Known(Kind::Kubernetes)
    );
    assert_eq!(
        kind("stack", "services:\n  db:\n    image: postgres\n"),
        Classified::Known(Kind::Compose)
    );
}

#[test]
fn templated_yaml_that_does_not_parse_is_told_by_name() {
    let text = "primary:\n  {{- if .Values.x }}\n  configuration: x\n";
    assert_eq!(kind("values.yaml.tpl", text), Classified::Known(Kind::Helm));
    assert_eq!(
        kind("docker-compose.yml", "services: [\n"),
        Classified::Known(Kind::Compose)
    );
    assert_eq!(kind("other.yaml", "key: [\n"), Classified::Unknown);
}

#[test]
fn istio_objects_alone_are_istio() {
    let dr = "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  name: db\nspec:\n  host: db\n";
    let vs = "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: db\n";
    assert_eq!(
        kind("mesh.yaml", &format!("{dr}---\n{vs}")),
        Classified::Known(Kind::Istio)
    );
    // A VirtualService alone is not a DestinationRule: Kubernetes.
    assert_eq!(kind("vs.yaml", vs), Classified::Known(Kind::Kubernetes));
}

#[test]
fn never_panics_on_odd_input() {
    for text in [
        "",
        "\u{feff}",
        "[",
        "[]",
        "{",
        "\t",
        "\0\0\0",
        "é\tè\n",
        "---\n---\n",
        "| a |\n",
        "*** 1. row ***\n",
    ] {
        for name in [
            "", "x", "my.cnf", "x.yaml", "x.toml", "x.json", "x.tf", "Procfile", "x.py", ".env",
        ] {
            let _ = kind(name, text);
        }
    }
    // Cut inside a multi-byte character at the scan limit.
    let text = format!("{}é", "a".repeat(MAX_SCAN - 1));
    let _ = kind("x.conf", &text);
}

#[test]
fn a_lone_server_section_needs_a_mysql_setting() {
    use crate::classify::{Classified, Kind, classify_text};
    use std::path::Path;
    // CTFd's config.ini: `[server]` holding app keys.
    let app =
        "[server]\nSECRET_KEY =\nDATABASE_URL =\n[security]\nSESSION_COOKIE_HTTPONLY = true\n";
    assert!(!matches!(
        classify_text(Path::new("config.ini"), app),
        Classified::Known(Kind::MysqlOptionFile)
    ));
    // MariaDB's `[server]` group with server options.
    let my = "[server]\nwait_timeout = 600\nmax_allowed_packet = 64M\n";
    assert!(matches!(
        classify_text(Path::new("server.cnf"), my),
        Classified::Known(Kind::MysqlOptionFile)
    ));
    let my = "[server]\nwait_timeout = 600\n";
    assert!(matches!(
        classify_text(Path::new("50-server.conf"), my),
        Classified::Known(Kind::MysqlOptionFile)
    ));
}

#[test]
fn a_large_template_cut_at_the_scan_limit_is_still_told() {
    let mut json = String::from("{\"AWSTemplateFormatVersion\": \"2010-09-09\", \"Resources\": {");
    let mut i = 0;
    while json.len() < MAX_SCAN + 1000 {
        json.push_str(&format!(
            "\"Topic{i}\": {{\"Type\": \"AWS::SNS::Topic\"}}, "
        ));
        i += 1;
    }
    json.push_str("\"Last\": {\"Type\": \"AWS::SNS::Topic\"}}}");
    assert_eq!(
        kind("stack.json", &json),
        Classified::Known(Kind::CloudFormation)
    );
    let mut dump = String::from("{\"Parameters\": [");
    while dump.len() < MAX_SCAN + 1000 {
        dump.push_str("{\"ParameterName\": \"x\", \"ParameterValue\": \"1\"}, ");
    }
    dump.push_str("{}]}");
    assert_eq!(
        kind("params.json", &dump),
        Classified::Known(Kind::AwsCliDump)
    );
}

#[test]
fn a_long_dump_is_cut_at_a_line_end() {
    let mut dump = String::new();
    let mut i = 0;
    while dump.len() < MAX_SCAN + 100 {
        dump.push_str(&format!("innodb_setting_{i}\t{i}\n"));
        i += 1;
    }
    // Wherever MAX_SCAN falls, no half line is read.
    for extra in 0..20 {
        let text = format!("{}{dump}", "a\t1\n".repeat(extra));
        assert_eq!(
            kind("vars.tsv", &text),
            Classified::Known(Kind::MysqlDump),
            "{extra}"
        );
    }
}
