//! Every file of the deployment-layer corpus folders `kubernetes/`, `helm/`
//! and `cloudformation/` (`../shared/corpus/…`) is read by its adapter
//! without a panic; a snapshot per file records the candidates (addresses,
//! values at their line:col, secrets masked) and the diagnostics. A few
//! facts each file is in the corpus for are asserted by name. Skips (with a
//! message) when the corpus folder is absent; the files are read in place.
//!
//! The project's own fixtures (`tests/fixtures/sources/<kind>/<case>/`) are
//! read the same way and always run.

mod common;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use timeoutlint::diagnostic::Diagnostic;
use timeoutlint::source::{LoadError, SourceMap};
use timeoutlint::sources::embedded::render;
use timeoutlint::sources::{Candidate, aws_cli, cloudformation, helm, kubernetes};

type Reader = fn(&Path, &mut SourceMap, &mut Vec<Diagnostic>) -> Result<Vec<Candidate>, LoadError>;

fn files(kind: &str) -> Option<Vec<PathBuf>> {
    let dir = common::corpus_dir(kind)?;
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .expect("corpus readable")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    entries.sort();
    assert!(!entries.is_empty(), "{kind}: empty corpus folder");
    Some(entries)
}

fn describe_file(path: &Path, read: Reader) -> String {
    let mut sources = SourceMap::new(path.parent().map(Path::to_path_buf))
        .with_policy(common::confined_to(path.parent()));
    let mut diags = Vec::new();
    let cands = match read(path, &mut sources, &mut diags) {
        Ok(c) => c,
        Err(e) => return format!("load error: {e}\n"),
    };
    let mut out = render(&cands, &sources);
    for d in common::describe(&diags, &sources) {
        let _ = writeln!(out, "diagnostic {d}");
    }
    if out.is_empty() {
        out.push_str("(nothing)\n");
    }
    out
}

fn snapshot_all(kind: &str, read: Reader) -> Vec<(String, String)> {
    let Some(paths) = files(kind) else {
        return Vec::new();
    };
    let mut all = Vec::new();
    for path in paths {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let out = describe_file(&path, read);
        let stem = name.replace(['.', ' '], "_");
        insta::assert_snapshot!(format!("infra__{kind}__{stem}"), out);
        all.push((name, out));
    }
    all
}

fn get<'a>(all: &'a [(String, String)], name: &str) -> &'a str {
    all.iter()
        .find(|(n, _)| n == name)
        .map(|(_, o)| o.as_str())
        .unwrap_or_else(|| panic!("{name} not in the corpus"))
}

#[test]
fn kubernetes_corpus() {
    let all = snapshot_all("kubernetes", kubernetes::read);
    if all.is_empty() {
        return;
    }
    let cnpg = get(&all, "kubernetes-engine-samples__cnpg_cluster.yaml");
    assert!(cnpg.contains("server Cluster/gke-pg-cluster"), "{cnpg}");
    assert!(cnpg.contains("password_encryption"), "{cnpg}");
    let pooler = get(&all, "kubernetes-engine-samples__cnpg_pooler.yaml");
    assert!(pooler.contains("default_pool_size"), "{pooler}");
    let pg = get(&all, "deploy-sourcegraph__pgsql.ConfigMap.yaml");
    assert!(pg.contains("max_connections (OptionFile)"), "{pg}");
    let ingress = get(&all, "api-festivos__app-ingress-alb.yaml.tpl");
    assert!(ingress.contains("[aws-alb] = 60 @"), "{ingress}");
    let nlb = get(&all, "ingress-nginx__nlb-with-tls-termination_deploy.yaml");
    assert!(
        !nlb.contains("aws-clb"),
        "a CLB annotation on an NLB is ignored: {nlb}"
    );
    let zalando = get(&all, "postgres-operator__complete-postgres-manifest.yaml");
    assert!(zalando.contains("max_connections"), "{zalando}");
    let frontend = get(
        &all,
        "deploy-sourcegraph__sourcegraph-frontend.Deployment.yaml",
    );
    assert!(
        frontend.contains("workers Deployment/sourcegraph-frontend"),
        "{frontend}"
    );
    assert!(frontend.contains("PGHOST"), "{frontend}");
}

#[test]
fn helm_corpus() {
    let all = snapshot_all("helm", helm::read);
    if all.is_empty() {
        return;
    }
    let mysql = get(&all, "bitnami-charts__mysql_values.yaml");
    assert!(mysql.contains("server primary.configuration"), "{mysql}");
    assert!(mysql.contains("server secondary.configuration"), "{mysql}");
    // The defaults of bitnami/postgresql are empty strings: nothing written.
    let pg = get(&all, "bitnami-charts__postgresql_values.yaml");
    assert_eq!(pg, "(nothing)\n");
}

#[test]
fn cloudformation_corpus() {
    let all = snapshot_all("cloudformation", cloudformation::read);
    if all.is_empty() {
        return;
    }
    let proxy = get(&all, "serverless-rds-proxy-demo__rds-with-proxy.yaml");
    assert!(proxy.contains("[aws-rds-proxy] = 120"), "{proxy}");
    let albs = get(
        &all,
        "aws-cloudformation-templates__fargate_private-vpc.yaml",
    );
    assert_eq!(albs.matches("[aws-alb] = \"30\"").count(), 2, "{albs}");
    let widdix = get(
        &all,
        "widdix-aws-cf-templates__fargate_service-dedicated-alb.yaml",
    );
    assert!(widdix.contains("[aws-alb] = 60 @"), "{widdix}");
    let json = get(
        &all,
        "aws-cloudformation-templates__rds_with_dbparametergroup.json",
    );
    assert!(json.contains("autocommit"), "{json}");
}

/// Reads the one file of fixture `kind/case` with `read`, confined to the
/// fixture's folder, and renders it.
fn fixture(kind: &str, case: &str, file: &str, read: Reader) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/sources")
        .join(kind)
        .join(case);
    let out = describe_file(&dir.join(file), read);
    insta::assert_snapshot!(format!("fixture__{kind}__{case}"), out);
    out
}

#[test]
fn fixture_ingress_alb_idle_timeout() {
    let out = fixture(
        "kubernetes",
        "ingress-alb-idle",
        "ingress.yaml",
        kubernetes::read,
    );
    assert_eq!(
        out,
        "idle limit Ingress/web @5:9 [aws-alb] = 600 @8:119 x1s\n"
    );
}

#[test]
fn fixture_cnpg_idle_session_timeout() {
    let out = fixture(
        "kubernetes",
        "cnpg-idle-session",
        "cluster.yaml",
        kubernetes::read,
    );
    assert!(
        out.contains("idle_session_timeout (OptionFile) @10:7 = \"5min\" @10:29"),
        "{out}"
    );
    assert!(out.contains("server Pooler/orders-db-rw"), "{out}");
    assert!(
        out.contains("server_idle_timeout (OptionFile) @28:7 = \"600\" @28:28"),
        "{out}"
    );
}

#[test]
fn fixture_configmap_mycnf_and_deployment() {
    let out = fixture(
        "kubernetes",
        "configmap-mycnf",
        "manifests.yaml",
        kubernetes::read,
    );
    // The value inside the block scalar lands on its own line of the YAML.
    assert!(
        out.contains("wait_timeout (OptionFile) @9:5 = 600 @9:20"),
        "{out}"
    );
    assert!(
        !out.contains("not-the-server"),
        "[client] is not read: {out}"
    );
    assert!(
        out.contains("workers Deployment/api @17:9 processes [4@19:13]"),
        "{out}"
    );
    assert!(!out.contains("hunter2"), "URL passwords are masked: {out}");
}

#[test]
fn fixture_bitnami_mysql_wait_timeout() {
    let out = fixture(
        "helm",
        "bitnami-mysql-wait-timeout",
        "values.yaml",
        helm::read,
    );
    assert!(
        out.contains("server primary.configuration @9:3 [mysql] flavor bitnami/mysql 8.4.3"),
        "{out}"
    );
    assert!(
        out.contains("wait_timeout (OptionFile) @13:5 = 300 @13:18"),
        "{out}"
    );
    assert!(out.contains("net_read_timeout (CommandLine)"), "{out}");
    assert!(!out.contains("change-me"));
}

#[test]
fn fixture_cloudformation_parameter_group() {
    let out = fixture(
        "cloudformation",
        "parameter-group",
        "template.yaml",
        cloudformation::read,
    );
    assert!(
        out.contains("server DbParams @8:3 [mysql] flavor aurora-mysql 8.0 @12:15"),
        "{out}"
    );
    assert!(
        out.contains("wait_timeout (ParameterGroup) @14:9 = \"900\" @14:23"),
        "{out}"
    );
    assert!(
        out.contains("idle limit LoadBalancer @16:3 [aws-alb] = 120 @6:14"),
        "{out}"
    );
    assert!(
        out.contains("idle limit Proxy @23:3 [aws-rds-proxy] = 1800"),
        "{out}"
    );
}

#[test]
fn fixture_aws_cli_describe_db_parameters() {
    let out = fixture(
        "aws_cli",
        "describe-db-parameters",
        "parameters.json",
        aws_cli::read,
    );
    assert!(out.contains("server parameters @2:5 [mysql]"), "{out}");
    assert!(
        out.contains("wait_timeout (ParameterGroup) @36:30 = \"600\" @37:31"),
        "{out}"
    );
    assert!(
        !out.contains("net_write_timeout"),
        "rows without a value are unset: {out}"
    );
}

#[test]
fn unreadable_path_is_a_load_error() {
    let mut sources = SourceMap::new(None);
    let mut diags = Vec::new();
    let missing = Path::new("/nonexistent/timeoutlint/values.yaml");
    let readers: [Reader; 4] = [
        kubernetes::read,
        helm::read,
        cloudformation::read,
        aws_cli::read,
    ];
    for read in readers {
        assert!(read(missing, &mut sources, &mut diags).is_err());
    }
    assert!(diags.is_empty());
}
