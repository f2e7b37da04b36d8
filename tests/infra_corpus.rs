//! Every file of the deployment-layer corpus folders `kubernetes/`, `helm/`
//! and `cloudformation/` (`../shared/corpus/…`) is read by its adapter
//! without a panic; a snapshot per file records the candidates (addresses,
//! values at their line:col, secrets masked) and the diagnostics. A few
//! facts each file is in the corpus for are asserted by name. Skips (with a
//! message) when the corpus folder is absent; the files are read in place.

mod common;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use timeoutlint::diagnostic::Diagnostic;
use timeoutlint::source::{LoadError, SourceMap};
use timeoutlint::sources::embedded::render;
use timeoutlint::sources::{Candidate, cloudformation, helm, kubernetes};

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
