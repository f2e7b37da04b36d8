use super::*;
use crate::sources::embedded::render;

fn run(text: &str) -> (Vec<Candidate>, SourceMap, Vec<Diagnostic>) {
    run_named("k8s.yaml", text)
}

fn run_named(name: &str, text: &str) -> (Vec<Candidate>, SourceMap, Vec<Diagnostic>) {
    let mut sources = SourceMap::new(None);
    let id = sources.add(Path::new(name), text.to_string());
    let mut diags = Vec::new();
    let c = read_file(id, &mut sources, &mut diags);
    (c, sources, diags)
}

fn rendered(text: &str) -> String {
    let (c, s, d) = run(text);
    assert!(d.is_empty(), "{d:?}");
    render(&c, &s)
}

#[test]
fn configmap_my_cnf_value_lands_on_its_line() {
    let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: mysql-config\ndata:\n  my.cnf: |\n    [mysqld]\n    wait_timeout = 600\n  other.txt: hello\n";
    assert_eq!(
        rendered(text),
        "server ConfigMap/mysql-config:my.cnf @6:3 [mysql]\n  wait_timeout (OptionFile) @8:5 = 600 @8:20\n"
    );
}

#[test]
fn configmap_postgres_and_pgbouncer_and_secret_string_data() {
    let text = "kind: ConfigMap\nmetadata: {name: pg}\ndata:\n  postgresql.conf: |\n    idle_session_timeout = '10min'\n---\nkind: Secret\nmetadata: {name: pb}\nstringData:\n  pgbouncer.ini: |\n    [databases]\n    app = host=db password=topsecret\n    [pgbouncer]\n    server_idle_timeout = 30\ndata:\n  pgbouncer.ini: W3BnYm91bmNlcl0K\n";
    let (c, s, d) = run(text);
    assert!(d.is_empty());
    let r = render(&c, &s);
    assert_eq!(
        r,
        "server ConfigMap/pg:postgresql.conf @4:3 [postgres]\n  idle_session_timeout (OptionFile) @5:5 = '10min' @5:28\nserver Secret/pb:pgbouncer.ini @10:3 [pgbouncer]\n  server_idle_timeout (OptionFile) @14:5 = 30 @14:27\n"
    );
    let masked = s.get(c[0].at.file).masked_text();
    assert!(!masked.contains("topsecret"));
    assert_eq!(
        c.len(),
        2,
        "stringData wins over data for the same key: {r}"
    );
    assert!(
        !masked.contains("W3BnYm91bmNlcl0K"),
        "Secret data is masked"
    );
}

#[test]
fn deployment_env_replicas_and_flags() {
    let text = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  template:
    spec:
      containers:
        - name: app
          image: myapp:1
          env:
            - name: PGHOST
              value: pgsql
            - name: DATABASE_URL
              value: "postgres://u:pw@$(PGHOST)/db"
            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef: {name: s, key: pw}
            - name: FROM_CM
              valueFrom:
                configMapKeyRef: {name: settings, key: POOL}
          envFrom:
            - configMapRef: {name: settings}
        - name: db
          image: docker.io/library/postgres:16.2-alpine
          args: ["-c", "idle_session_timeout=5min", "-cstatement-timeout=30s", "--tcp_keepalives_idle=60"]
---
kind: ConfigMap
metadata:
  name: settings
data:
  POOL: "20"
"#;
    let (c, s, d) = run(text);
    assert!(d.is_empty(), "{d:?}");
    let r = render(&c, &s);
    assert_eq!(
        r,
        "workers Deployment/web @4:9 processes [3@6:13]\n\
environment Deployment/web:app @10:17\n  \
POOL = \"20\" @33:9\n  \
PGHOST = pgsql @14:22\n  \
DATABASE_URL = \"postgres://u:**@$(PGHOST)/db\" @16:22\n  \
DB_PASSWORD = ?(set from key `pw` of Secret `s`) @19:17\n  \
FROM_CM = \"20\" @33:9\n\
server Deployment/web:db @25:17 [postgres] flavor postgres 16.2 @26:18\n  \
idle_session_timeout (CommandLine) @27:25 = 5min @27:46\n  \
statement-timeout (CommandLine) @27:56 = 30s @27:74\n  \
tcp_keepalives_idle (CommandLine) @27:83 = 60 @27:103\n"
    );
    // $(PGHOST) was expanded in the value handed on.
    let Found::AppEnv(vars) = &c[1].found else {
        panic!()
    };
    assert_eq!(
        vars[2].value,
        Written::Text("postgres://u:pw@pgsql/db".into())
    );
}

#[test]
fn mysqld_command_and_entrypoint_forms() {
    let text = "kind: StatefulSet\nmetadata: {name: db}\nspec:\n  template:\n    spec:\n      containers:\n      - name: mysql\n        image: mysql:8.0\n        args: [\"--wait-timeout=600\", \"--skip-name-resolve\", \"--password=hunter2\"]\n---\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: m\n    image: busybox\n    command: [\"mysqld\", \"--max_connections={{ .Values.max }}\"]\n  - name: s\n    image: mysql\n    command: [\"sh\", \"-c\", \"mysqld --wait_timeout=5\"]\n";
    let (c, s, _) = run(text);
    let r = render(&c, &s);
    assert!(
        r.contains("server StatefulSet/db @7:15 [mysql] flavor mysql 8.0"),
        "{r}"
    );
    assert!(
        r.contains("wait-timeout (CommandLine) @9:19 = 600 @9:32"),
        "{r}"
    );
    assert!(r.contains("password (CommandLine)"), "{r}");
    assert!(!s.get(c[0].at.file).masked_text().contains("hunter2"));
    assert!(
        r.contains("server Pod/p:m @15:11 [mysql]\n  max_connections (CommandLine) @17:28 = ?("),
        "{r}"
    );
    assert!(!r.contains("Pod/p:s"), "shell commands are not read: {r}");
    // bitnami images run `args` instead of their start script: not assumed.
    let text = "kind: Pod\nmetadata: {name: b}\nspec:\n  containers:\n  - name: m\n    image: bitnami/mysql:8.0\n    args: [\"--wait_timeout=5\"]\n";
    let (c, _, _) = run(text);
    assert!(c.is_empty(), "{c:?}");
}

#[test]
fn load_balancer_annotations() {
    let text = r#"kind: Service
metadata:
  name: clb
  annotations:
    service.beta.kubernetes.io/aws-load-balancer-connection-idle-timeout: "3600"
---
kind: Service
metadata:
  name: nlb
  annotations:
    service.beta.kubernetes.io/aws-load-balancer-type: nlb
    service.beta.kubernetes.io/aws-load-balancer-connection-idle-timeout: "60"
    service.beta.kubernetes.io/aws-load-balancer-listener-attributes.TCP-5432: tcp.idle_timeout.seconds=1800
---
kind: Ingress
metadata:
  name: web
  annotations:
    alb.ingress.kubernetes.io/load-balancer-attributes: routing.http2.enabled=true, idle_timeout.timeout_seconds=600
---
kind: Ingress
metadata:
  name: block
  annotations:
    alb.ingress.kubernetes.io/load-balancer-attributes: |
      idle_timeout.timeout_seconds=${IDLE},
      routing.http2.enabled=true
---
apiVersion: elbv2.k8s.aws/v1beta1
kind: IngressClassParams
metadata: {name: params}
spec:
  loadBalancerAttributes:
  - key: idle_timeout.timeout_seconds
    value: "120"
"#;
    assert_eq!(
        rendered(text),
        "idle limit Service/clb @3:9 [aws-clb] = \"3600\" @5:75 x1s\n\
idle limit Service/nlb:TCP-5432 @9:9 [aws-nlb] = 1800 @13:105 x1s\n\
idle limit Ingress/web @17:9 [aws-alb] = 600 @19:114 x1s\n\
idle limit Ingress/block @23:9 [aws-alb] = ?(`${IDLE}` holds a `${…}` substitution, filled in only at deploy time) @26:36 x1s\n\
idle limit IngressClassParams/params @31:18 [aws-alb] = \"120\" @35:12 x1s\n"
    );
}

#[test]
fn operators() {
    let text = r#"apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata:
  name: pg
spec:
  imageName: ghcr.io/cloudnative-pg/postgresql:16.1
  postgresql:
    parameters:
      idle_session_timeout: "10min"
      max_connections: 200
---
apiVersion: postgresql.cnpg.io/v1
kind: Pooler
metadata: {name: pool}
spec:
  pgbouncer:
    parameters:
      server_idle_timeout: "30"
---
apiVersion: acid.zalan.do/v1
kind: postgresql
metadata: {name: z}
spec:
  postgresql:
    version: "15"
    parameters: {tcp_keepalives_idle: "60"}
---
apiVersion: mysql.oracle.com/v2
kind: InnoDBCluster
metadata: {name: ic}
spec:
  version: 8.0.36
  mycnf: |
    [mysqld]
    wait_timeout=300
---
apiVersion: k8s.mariadb.com/v1alpha1
kind: MariaDB
metadata: {name: m}
spec:
  image: mariadb:11.4.2
  myCnf: |
    [mariadb]
    wait_timeout=100
---
apiVersion: v1
kind: Cluster
metadata: {name: not-cnpg}
"#;
    assert_eq!(
        rendered(text),
        "server Cluster/pg @4:9 [postgres] flavor cloudnative-pg/postgresql 16.1 @6:14\n  \
idle_session_timeout (OptionFile) @9:7 = \"10min\" @9:29\n  \
max_connections (OptionFile) @10:7 = 200 @10:24\n\
server Pooler/pool @14:18 [pgbouncer]\n  \
server_idle_timeout (OptionFile) @18:7 = \"30\" @18:28\n\
server postgresql/z @22:18 [postgres] flavor postgres 15 @25:14\n  \
tcp_keepalives_idle (OptionFile) @26:18 = \"60\" @26:39\n\
server InnoDBCluster/ic @30:18 [mysql] flavor mysql 8.0.36 @32:12\n  \
wait_timeout (OptionFile) @35:5 = 300 @35:18\n\
server MariaDB/m @39:18 [mysql] flavor mariadb 11.4.2 @41:10\n  \
wait_timeout (OptionFile) @44:5 = 100 @44:18\n"
    );
}

#[test]
fn lists_duplicates_and_rejects() {
    // kind: List items are objects; a repeated address gets " (2)".
    let text = "kind: IngressList\nitems:\n- kind: Ingress\n  metadata:\n    name: a\n    annotations: {alb.ingress.kubernetes.io/load-balancer-attributes: idle_timeout.timeout_seconds=1}\n- kind: Ingress\n  metadata:\n    name: a\n    annotations: {alb.ingress.kubernetes.io/load-balancer-attributes: idle_timeout.timeout_seconds=2}\n";
    let (c, _, _) = run(text);
    let addrs: Vec<_> = c.iter().map(|c| c.address.as_str()).collect();
    assert_eq!(addrs, ["Ingress/a", "Ingress/a (2)"]);
    // Nothing to read: no candidate, no diagnostic.
    let rejects = [
        "",
        "# only a comment\n",
        "kind: Service\nmetadata: {name: s}\n",
        "kind: ConfigMap\nmetadata: {name: c}\ndata:\n  app.properties: x=1\n",
        "kind: Deployment\nmetadata: {name: d}\nspec: {replicas: two}\n",
        "just: a mapping\n",
        "- a\n- list\n",
        "kind: [weird]\n",
    ];
    for t in rejects {
        let (c, _, d) = run(t);
        assert!(c.is_empty() && d.is_empty(), "{t:?}: {c:?} {d:?}");
    }
}

#[test]
fn malformed_and_templates_are_one_located_tl001() {
    let (c, s, d) = run("kind: ConfigMap\ndata:\n  a: [\n  password: x\n");
    assert!(c.is_empty());
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].code.id, "TL001");
    assert!(d[0].primary.location.is_some());
    assert!(!s.get(FileId(0)).masked_text().contains("password: x"));
    let tpl = "kind: Ingress\nmetadata:\n  name: {{ .Release.Name }}\n  {{- if .Values.x }}\n  annotations: {}\n  {{- end }}\n";
    let (c, _, d) = run_named("ingress.yaml", tpl);
    assert!(c.is_empty());
    assert_eq!(d.len(), 1);
    assert!(d[0].message.contains("template"), "{}", d[0].message);
}

#[test]
fn hostile_inputs_are_bounded() {
    let deep = format!(
        "kind: ConfigMap\ndata:\n  x: {}{}\n",
        "[".repeat(5000),
        "]".repeat(5000)
    );
    let (_, _, d) = run(&deep);
    assert_eq!(d.len(), 1);
    let mut many = String::new();
    for i in 0..2000 {
        many.push_str(&format!(
            "---\nkind: Ingress\nmetadata:\n  name: i{i}\n  annotations:\n    alb.ingress.kubernetes.io/load-balancer-attributes: idle_timeout.timeout_seconds={i}\n"
        ));
    }
    let (c, _, d) = run(&many);
    assert!(d.is_empty());
    assert_eq!(c.len(), 2000);
    // A 4 MB my.cnf in a block scalar: one mapping piece per line.
    let mut big =
        String::from("kind: ConfigMap\nmetadata: {name: big}\ndata:\n  my.cnf: |\n    [mysqld]\n");
    for i in 0..100_000 {
        big.push_str(&format!("    wait_timeout = {i:020}\n"));
    }
    let start = std::time::Instant::now();
    let (c, s, d) = run(&big);
    assert!(d.is_empty());
    let Found::Server(sv) = &c[0].found else {
        panic!()
    };
    assert_eq!(sv.assignments.len(), 100_000);
    let last = sv.assignments.last().unwrap();
    assert_eq!(s.text_at(last.value_at), format!("{:020}", 99_999));
    assert!(start.elapsed().as_secs() < 30);
}

#[test]
fn env_expansion() {
    let known = vec![EnvVar {
        name: "A".into(),
        value: Written::Text("x".into()),
        at: Location::new(FileId(0), Span::default()),
    }];
    let cases: &[(&str, Written)] = &[
        ("$(A)-y", Written::Text("x-y".into())),
        ("$$(A)", Written::Text("$(A)".into())),
        ("$(B)", Written::Text("$(B)".into())),
        ("cost $5", Written::Text("cost $5".into())),
        ("$(A", Written::Text("$(A".into())),
    ];
    for (v, want) in cases {
        assert_eq!(&expand(v, &known), want, "{v}");
    }
}

#[test]
fn base64_secret_data() {
    let cases: &[(&str, Option<&str>)] = &[
        ("W3BnYm91bmNlcl0K", Some("[pgbouncer]\n")),
        ("W3BnYm91bmNlcl0K\n", Some("[pgbouncer]\n")),
        ("YQ==", Some("a")),
        ("YQ", Some("a")),
        ("", Some("")),
        ("not base64!", None),
        ("/w==", None),
    ];
    for (input, want) in cases {
        assert_eq!(base64_text(input).as_deref(), *want, "{input:?}");
    }
    // pool_mode = transaction under [pgbouncer], as base64 in a Secret.
    let text = "kind: Secret\nmetadata: {name: s}\ndata:\n  pgbouncer.ini: W3BnYm91bmNlcl0KcG9vbF9tb2RlID0gdHJhbnNhY3Rpb24K\n";
    let (c, s, d) = run(text);
    assert!(d.is_empty());
    let Found::Server(sv) = &c[0].found else {
        panic!()
    };
    assert_eq!(sv.assignments[0].name, "pool_mode");
    assert_eq!(sv.assignments[0].value, Written::Text("transaction".into()));
    assert_eq!(
        s.get(FileId(0))
            .line_col(sv.assignments[0].value_at.span.start)
            .line,
        4
    );
}
