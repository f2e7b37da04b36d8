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
                json::render(&out.diagnostics, &out.sources).len()
            })
        },
    );
}

fn corpus(c: &mut Criterion) {
    let base = root().join("../shared/corpus");
    if !base.is_dir() {
        eprintln!("skipped corpus benchmarks: {} is absent", base.display());
        return;
    }
    let files = |kind: &str| -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(base.join(kind))
            .map(|r| r.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        v.sort();
        v
    };
    let mysql = files("mysql");
    c.bench_function("load every corpus my.cnf", |b| {
        b.iter(|| {
            let mut sources = SourceMap::new(None);
            let mut diags: Vec<Diagnostic> = Vec::new();
            for f in &mysql {
                let _ = timeoutlint::systems::mysql::load_option_file(f, &mut sources, &mut diags);
            }
            diags.len()
        })
    });
    let sysctl = files("sysctl");
    c.bench_function("load every corpus sysctl file", |b| {
        b.iter(|| {
            let mut sources = SourceMap::new(None);
            let mut diags: Vec<Diagnostic> = Vec::new();
            for f in &sysctl {
                let _ = timeoutlint::systems::sysctl::load_kernel(f, &mut sources, &mut diags);
            }
            diags.len()
        })
    });
}

fn pg_corpus(c: &mut Criterion) {
    let base = root().join("../shared/corpus");
    if !base.is_dir() {
        return;
    }
    let files = |kind: &str| -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(base.join(kind))
            .map(|r| r.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        v.sort();
        v
    };
    let pg = files("postgres");
    c.bench_function("load every corpus postgresql.conf", |b| {
        b.iter(|| {
            let mut sources = SourceMap::new(None);
            let mut diags: Vec<Diagnostic> = Vec::new();
            for f in &pg {
                let _ = timeoutlint::systems::postgres::load_postgres(f, &mut sources, &mut diags);
            }
            diags.len()
        })
    });
    let bouncer = files("pgbouncer");
    c.bench_function("load every corpus pgbouncer.ini", |b| {
        b.iter(|| {
            let mut sources = SourceMap::new(None);
            let mut diags: Vec<Diagnostic> = Vec::new();
            for f in &bouncer {
                let _ =
                    timeoutlint::systems::pgbouncer::load_pgbouncer(f, &mut sources, &mut diags);
            }
            diags.len()
        })
    });
}

criterion_group!(benches, examples, corpus, pg_corpus);
criterion_main!(benches);
