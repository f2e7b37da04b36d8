//! Throughput of a whole check (read, parse, model, rules, render) on the
//! shipped examples, and of the my.cnf and sysctl loaders on the corpus when
//! `../shared/corpus` exists. Run with `cargo bench`.

use std::path::{Path, PathBuf};

use criterion::{Criterion, criterion_group, criterion_main};
use timeoutlint::diagnostic::Diagnostic;
use timeoutlint::report::json;
use timeoutlint::run::{RunOptions, run};
use timeoutlint::source::SourceMap;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn examples(c: &mut Criterion) {
    let dirs: Vec<PathBuf> = [
        "founding-incident-broken",
        "romm-mariadb-idle-ping-hang",
        "django-persistent-connections",
    ]
    .iter()
    .map(|d| root().join("examples").join(d))
    .collect();
    c.bench_function(
        "check 3 examples (MySQL and PgBouncer paths) to json",
        |b| {
            b.iter(|| {
                let out = run(&dirs, &RunOptions::default());
                json::render(&out.diagnostics, &[], &out.sources).len()
            })
        },
    );
}

/// The sorted files of one corpus folder (empty when the corpus is absent).
fn corpus_files(kind: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root().join("../shared/corpus").join(kind))
        .map(|r| r.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

/// Benchmarks loading every file of corpus folder `kind` with `load`.
fn bench_loader<T, E>(
    c: &mut Criterion,
    kind: &str,
    name: &str,
    load: fn(&Path, &mut SourceMap, &mut Vec<Diagnostic>) -> Result<T, E>,
) {
    let files = corpus_files(kind);
    if files.is_empty() {
        eprintln!("skipped {name}: ../shared/corpus/{kind} is absent");
        return;
    }
    c.bench_function(name, |b| {
        b.iter(|| {
            let mut sources = SourceMap::new(None);
            let mut diags: Vec<Diagnostic> = Vec::new();
            for f in &files {
                let _ = load(f, &mut sources, &mut diags);
            }
            diags.len()
        })
    });
}

fn corpus(c: &mut Criterion) {
    use timeoutlint::systems::{mysql, pgbouncer, postgres, sysctl};
    bench_loader(
        c,
        "mysql",
        "load every corpus my.cnf",
        mysql::load_option_file,
    );
    bench_loader(
        c,
        "sysctl",
        "load every corpus sysctl file",
        sysctl::load_kernel,
    );
    bench_loader(
        c,
        "postgres",
        "load every corpus postgresql.conf",
        postgres::load_postgres,
    );
    bench_loader(
        c,
        "pgbouncer",
        "load every corpus pgbouncer.ini",
        pgbouncer::load_pgbouncer,
    );
}

criterion_group!(benches, examples, corpus);
criterion_main!(benches);
