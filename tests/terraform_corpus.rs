//! The Terraform adapter on real files and on the fixture projects.
//!
//! - Every file of the shared corpus (`../shared/corpus/terraform`, read in
//!   place, never copied) is read without panic, and a stable text rendering
//!   of what it yields (address, kind, system or preset, each
//!   `name=value@line:col`, unresolved reasons, diagnostics) is
//!   snapshotted. The corpus folder is flat: files of different projects
//!   are siblings there, so a variable may resolve from another project's
//!   `variables.tf`. Skips, with a printed note, when the corpus is absent.
//! - The fixture projects `tests/fixtures/sources/terraform/<case>/` are
//!   snapshotted the same way, and their key spans asserted.

mod common;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use timeoutlint::diagnostic::Diagnostic;
use timeoutlint::source::{Location, SourceMap};
use timeoutlint::sources::{Candidate, Found, Written, terraform};

struct Read {
    cands: Vec<Candidate>,
    sources: SourceMap,
    diags: Vec<Diagnostic>,
}

fn read(path: &Path) -> Read {
    let dir = path.parent().map(Path::to_path_buf);
    let mut sources = SourceMap::new(dir.clone()).with_policy(common::confined_to(dir.as_deref()));
    let mut diags = Vec::new();
    let cands = terraform::read(path, &mut sources, &mut diags)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Read {
        cands,
        sources,
        diags,
    }
}

fn at(sources: &SourceMap, loc: Location) -> String {
    let r = sources.resolve(loc);
    format!("{}:{}:{}", r.file, r.start.line, r.start.column)
}

fn value(w: &Written) -> String {
    match w {
        Written::Text(t) => t.clone(),
        Written::Unresolved(why) => format!("<unresolved: {why}>"),
        Written::Unset => "<unset: the provider's default>".to_string(),
    }
}

/// One line per candidate and per setting; secrets masked by the map.
fn render(r: &Read) -> String {
    let mut out = String::new();
    for c in &r.cands {
        let _ = write!(
            out,
            "{} ({}) at {}",
            c.address,
            c.found.kind(),
            at(&r.sources, c.at)
        );
        match &c.found {
            Found::Server(s) => {
                let _ = write!(out, ": {}", s.system.as_str());
                if let Some(f) = &s.flavor {
                    let _ = write!(
                        out,
                        " {} {} @{}",
                        f.product,
                        f.version.as_deref().unwrap_or("-"),
                        at(&r.sources, f.at)
                    );
                }
                out.push('\n');
                for a in &s.assignments {
                    let _ = writeln!(
                        out,
                        "  {}@{} = {}@{}",
                        a.name,
                        at(&r.sources, a.name_at),
                        value(&a.value),
                        at(&r.sources, a.value_at)
                    );
                }
            }
            Found::IdleLimit(l) => {
                let _ = writeln!(
                    out,
                    ": {} = {} x {} s @{}",
                    l.preset,
                    value(&l.value),
                    l.unit_secs,
                    at(&r.sources, l.at)
                );
            }
            other => {
                let _ = writeln!(out, ": {other:?}");
            }
        }
    }
    for d in &r.diags {
        let loc = d
            .primary
            .location
            .map(|l| at(&r.sources, l))
            .unwrap_or_default();
        let _ = writeln!(out, "{} {loc}: {}", d.code.id, d.message);
    }
    r.sources.scrub(&out)
}

fn files_of(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("readable folder")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

#[test]
fn corpus_files_read_without_panic() {
    let Some(dir) = common::corpus_dir("terraform") else {
        return;
    };
    let mut all = String::new();
    for path in files_of(&dir) {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        let r = read(&path);
        // Every location points inside its file.
        for c in &r.cands {
            assert!(!r.sources.text_at(c.at).is_empty(), "{name:?}");
        }
        let _ = writeln!(all, "== {}", name.unwrap_or_default());
        all.push_str(&render(&r));
    }
    insta::assert_snapshot!("terraform_corpus", all);
}

#[test]
fn corpus_concrete_values() {
    let Some(dir) = common::corpus_dir("terraform") else {
        return;
    };
    let r = read(&dir.join("azurerm-natgateway-carlzxc71__natgw.tf"));
    let Found::IdleLimit(l) = &r.cands[0].found else {
        panic!("{:?}", r.cands)
    };
    assert_eq!(
        (l.preset, l.value.clone(), l.unit_secs),
        ("azure-nat-gateway", Written::Text("10".into()), 60)
    );
    assert_eq!(
        at(&r.sources, l.at),
        "azurerm-natgateway-carlzxc71__natgw.tf:6:29"
    );

    // The module's own default, in the module's variables.tf beside it.
    let r = read(&dir.join("garbetjie-nat-gateway__main.tf"));
    let nat = r
        .cands
        .iter()
        .find(|c| c.address == "google_compute_router_nat.nat")
        .expect("nat");
    let Found::IdleLimit(l) = &nat.found else {
        panic!()
    };
    assert_eq!(l.preset, "gcp-cloud-nat");
    assert!(
        at(&r.sources, l.at).starts_with("garbetjie-nat-gateway__variables.tf:")
            || matches!(l.value, Written::Unresolved(_)),
        "{}",
        render(&r)
    );

    // The Mattermost cluster: family is `format(...)`, so the groups have no
    // system; nothing is guessed.
    let r = read(&dir.join("mattermost-cloud-monitoring__rds-customer-cluster_main.tf"));
    assert!(
        !r.cands
            .iter()
            .any(|c| c.address.contains("parameter_group")),
        "{}",
        render(&r)
    );
}

fn fixture(case: &str) -> Read {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/sources/terraform")
        .join(case);
    read(&dir.join("main.tf"))
}

#[test]
fn fixture_projects() {
    let mut all = String::new();
    for case in [
        "azure-nat",
        "cloud-nat",
        "nlb-listener",
        "rds-param-group-mysql",
    ] {
        let r = fixture(case);
        assert!(r.diags.is_empty(), "{case}: {}", render(&r));
        let _ = writeln!(all, "== {case}");
        all.push_str(&render(&r));
    }
    insta::assert_snapshot!("terraform_fixtures", all);
}

#[test]
fn fixture_spans_land_where_values_are_set() {
    let r = fixture("rds-param-group-mysql");
    let group = r
        .cands
        .iter()
        .find(|c| c.address == "aws_db_parameter_group.orders")
        .expect("group");
    let Found::Server(s) = &group.found else {
        panic!()
    };
    let wait = &s.assignments[0];
    assert_eq!(wait.name, "wait_timeout");
    assert_eq!(wait.value, Written::Text("600".into()));
    assert_eq!(at(&r.sources, wait.value_at), "variables.tf:4:17");
    let interactive = &s.assignments[1];
    assert_eq!(interactive.value, Written::Text("600".into()));
    assert_eq!(
        at(&r.sources, interactive.value_at),
        "terraform.tfvars:1:23"
    );
    // The instance carries its group's settings, and its password is masked.
    let instance = r
        .cands
        .iter()
        .find(|c| c.address == "aws_db_instance.orders")
        .expect("instance");
    let Found::Server(i) = &instance.found else {
        panic!()
    };
    assert_eq!(i.assignments, s.assignments);
    assert!(
        r.sources
            .secret_values()
            .contains(&"fixture-only-password".to_string())
    );

    let r = fixture("nlb-listener");
    let Found::IdleLimit(l) = &r.cands[0].found else {
        panic!()
    };
    assert_eq!(
        (l.preset, l.value.clone()),
        ("aws-nlb", Written::Text("350".into()))
    );
    assert_eq!(at(&r.sources, l.at), "main.tf:27:22");
}
