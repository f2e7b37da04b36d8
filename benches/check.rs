//! Throughput of a whole check (read, parse, model, rules, render) on the
//! shipped examples, of the my.cnf and sysctl loaders on the corpus when
//! `../shared/corpus` exists, of a whole check of generated Django
//! settings modules of 1k, 10k and 100k lines (the Python settings reader),
//! and of a whole check of generated manifests of 1,000 and 5,000 paths
//! rendered as `human` and as `json` (every format must stay linear in the
//! number of paths). Run with `cargo bench`.
//!
//! docs/performance.md records the measurements; in short, for the 100k-line
//! module: 0.83 s of CPU and 156 MB with tree-sitter, 0.19 s and 59 MB with
//! ruff's parser (the reader's tree built from ruff's AST), ruff itself
//! 0.10 s and 66 MB.
//!
//! `TIMEOUTLINT_BENCH_WRITE=DIR cargo bench --bench check` writes the
//! generated projects (`DIR/settings-1k`, ...: `settings.py` and a
//! `timeoutlint.toml`; `DIR/paths-1000`, `DIR/paths-5000`) instead, for
//! measuring the release binary.

use std::path::{Path, PathBuf};

use criterion::{Criterion, criterion_group};
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

/// One block of a realistic Django settings module, its names suffixed with
/// `i` so blocks do not override each other: plain assignments, lists,
/// nested dicts, environment reads, f-strings, dict updates, a function and
/// a class; every tenth block also adds a `DATABASES` alias and a
/// `create_engine(...)` call (with pool settings that raise no finding).
fn settings_block(i: usize, out: &mut String) {
    use std::fmt::Write as _;
    let _ = write!(
        out,
        r#"
# --- section {i}: application {i} ---
SECRET_KEY_{i} = os.environ.get("DJANGO_SECRET_KEY_{i}", "dev-only-secret-{i}")
DEBUG_{i} = os.environ.get("DJANGO_DEBUG", "false").lower() == "true"
ALLOWED_HOSTS_{i} = ["localhost", "127.0.0.1", "app{i}.example.com"]
SITE_ID_{i} = {i}
TIME_ZONE_{i} = "UTC"
USE_TZ_{i} = True
INSTALLED_APPS_{i} = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "app{i}.apps.App{i}Config",
]
MIDDLEWARE_{i} = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
]
TEMPLATES_{i} = [
    {{
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {{
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
            ],
        }},
    }},
]
CACHE_TIMEOUT_{i} = int(os.environ.get("CACHE_TIMEOUT_{i}", "300"))
CACHES_{i} = {{
    "default": {{
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": f"redis://cache{i}.internal:6379/{{SITE_ID_{i}}}",
        "TIMEOUT": CACHE_TIMEOUT_{i} * 2,
    }},
}}
DB_OPTIONS_{i} = {{"connect_timeout": 10, "read_timeout": 60 * 5}}
DB_OPTIONS_{i}.update({{"write_timeout": 30}})
LOGGING_{i} = {{
    "version": 1,
    "handlers": {{"console": {{"class": "logging.StreamHandler"}}}},
    "root": {{"handlers": ["console"], "level": "INFO"}},
}}


def get_feature_flag_{i}(name, default=False):
    value = os.environ.get(f"FEATURE_{{name}}", str(default))
    return value.lower() in ("1", "true", "yes")


class Worker{i}Settings:
    QUEUE = "jobs-{i}"
    CONCURRENCY = 4
    VISIBILITY_TIMEOUT = 60 * 60
"#
    );
    if i.is_multiple_of(10) {
        let _ = write!(
            out,
            r#"
DATABASES["replica_{i}"] = {{
    "ENGINE": "django.db.backends.postgresql",
    "NAME": "app",
    "HOST": os.environ.get("REPLICA_{i}_HOST", "replica{i}.internal"),
    "CONN_MAX_AGE": 0,
    "OPTIONS": {{"connect_timeout": 5}},
}}
engine_{i} = create_engine(
    "postgresql+psycopg2://app@replica{i}.internal/app",
    pool_pre_ping=True,
    pool_size=5,
)
"#
        );
    }
}

/// A Django settings module of about `lines` lines (at least the header):
/// imports, a `DATABASES` dict read from the environment, then
/// [`settings_block`]s until the size is reached.
fn settings_module(lines: usize) -> String {
    let mut out = String::from(
        r#""""Django settings, generated for the benchmarks."""
import os
from pathlib import Path

from sqlalchemy import create_engine

BASE_DIR = Path(__file__).resolve().parent.parent

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ.get("DB_NAME", "app"),
        "USER": os.environ.get("DB_USER", "app"),
        "PASSWORD": os.environ.get("DB_PASSWORD", ""),
        "HOST": os.environ.get("DB_HOST", "localhost"),
        "PORT": int(os.environ.get("DB_PORT", "5432")),
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": True,
    },
}
"#,
    );
    let mut count = out.lines().count();
    let mut i = 1;
    while count < lines {
        let start = out.len();
        settings_block(i, &mut out);
        count += out[start..].lines().count();
        i += 1;
    }
    out
}

/// The line counts of the generated settings modules, with their names.
const SETTINGS_SIZES: [(usize, &str); 3] = [(1_000, "1k"), (10_000, "10k"), (100_000, "100k")];

/// Writes a project checking a generated settings module of `lines` lines
/// into `dir`: `settings.py` and a `timeoutlint.toml` naming it.
fn write_settings_project(dir: &Path, lines: usize) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join("settings.py"), settings_module(lines))?;
    std::fs::write(
        dir.join("timeoutlint.toml"),
        "[[path]]\nname = \"generated settings\"\napp = \"settings.py\"\n",
    )
}

fn python_settings(c: &mut Criterion) {
    let mut group = c.benchmark_group("python settings");
    group.sample_size(10);
    for (lines, name) in SETTINGS_SIZES {
        let tmp = tempfile::tempdir().expect("a temporary folder");
        let dir = tmp.path().to_path_buf();
        write_settings_project(&dir, lines).expect("the generated project is written");
        let dirs = vec![dir];
        group.bench_function(format!("check a {name}-line Django settings module"), |b| {
            b.iter(|| {
                let out = run(&dirs, &RunOptions::default());
                out.diagnostics.len()
            })
        });
    }
    group.finish();
}

/// The path counts of the generated manifests, with their names.
const PATH_COUNTS: [(usize, &str); 2] = [(1_000, "1000"), (5_000, "5000")];

/// Writes a project of `n` connection paths into `dir`: `n` app files
/// (`apps/aI.yaml`, a SQLAlchemy engine with a password in its URL and
/// `pool_recycle = 3600`), one shared `db/my.cnf` (`wait_timeout = 600`,
/// `max_connections = 500`) and a manifest of `n` `[[path]]` entries, each
/// with its own dropping hop. Every path raises four findings whose related
/// labels point into other files (the shared my.cnf, the manifest's hop),
/// and one finding (TL123) has `n` related labels; every app file adds a
/// secret value to scrub from the output.
fn write_paths_project(dir: &Path, n: usize) -> std::io::Result<()> {
    use std::fmt::Write as _;
    std::fs::create_dir_all(dir.join("apps"))?;
    std::fs::create_dir_all(dir.join("db"))?;
    std::fs::write(
        dir.join("db/my.cnf"),
        "[mysqld]\nwait_timeout = 600\nmax_connections = 500\n",
    )?;
    let mut manifest = String::new();
    for i in 0..n {
        std::fs::write(
            dir.join(format!("apps/a{i}.yaml")),
            format!(
                "sqlalchemy:\n  url: mysql+pymysql://app:Bench-pw-{i}@db.internal/app{i}\n  pool_recycle: 3600\n  pool_size: 5\n"
            ),
        )?;
        let _ = write!(
            manifest,
            "[[path]]\nname = \"api {i} -> db\"\napp = \"apps/a{i}.yaml\"\ndb = \"db/my.cnf\"\n\n[[path.hop]]\nname = \"nat {i}\"\nidle_timeout = \"350s\"\non_idle = \"drop\"\n\n"
        );
    }
    std::fs::write(dir.join("timeoutlint.toml"), manifest)
}

fn many_paths(c: &mut Criterion) {
    use timeoutlint::cli::{Format, render_check};
    use timeoutlint::report::human::Color;
    let docs = timeoutlint::rules::catalogue::load().unwrap_or_default();
    let mut group = c.benchmark_group("many paths");
    group.sample_size(10);
    for (n, name) in PATH_COUNTS {
        let tmp = tempfile::tempdir().expect("a temporary folder");
        let dir = tmp.path().to_path_buf();
        write_paths_project(&dir, n).expect("the generated project is written");
        let dirs = vec![dir];
        for (format, label) in [(Format::Human, "human"), (Format::Json, "json")] {
            group.bench_function(format!("check {name} paths to {label}"), |b| {
                b.iter(|| {
                    let out = run(&dirs, &RunOptions::default());
                    render_check(format, &out, &docs, Color::Never).len()
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, examples, corpus, python_settings, many_paths);

fn main() {
    if let Some(dir) = std::env::var_os("TIMEOUTLINT_BENCH_WRITE") {
        let dir = PathBuf::from(dir);
        for (lines, name) in SETTINGS_SIZES {
            let project = dir.join(format!("settings-{name}"));
            if let Err(e) = write_settings_project(&project, lines) {
                eprintln!("cannot write {}: {e}", project.display());
                std::process::exit(1);
            }
            println!("{}", project.display());
        }
        for (n, name) in PATH_COUNTS {
            let project = dir.join(format!("paths-{name}"));
            if let Err(e) = write_paths_project(&project, n) {
                eprintln!("cannot write {}: {e}", project.display());
                std::process::exit(1);
            }
            println!("{}", project.display());
        }
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
