//! Every `airflow.cfg` of the corpus (`../shared/corpus/airflow/*.cfg`, and
//! the one filed under `sqlalchemy/`) is recognised as an Airflow config and
//! read without a panic; a snapshot per file records the engine read (values
//! with their origins) and the diagnostics, and the backend of each is asserted.

mod common;

use std::fmt::Write as _;
use std::path::Path;

use timeoutlint::source::SourceMap;
use timeoutlint::systems::app::airflow::is_airflow_cfg;
use timeoutlint::systems::app::{Backend, load_app};

fn describe_file(path: &Path) -> (String, Vec<Backend>) {
    let mut sources = SourceMap::new(path.parent().map(Path::to_path_buf))
        .with_policy(common::confined_to(path.parent()));
    let mut diags = Vec::new();
    let settings = match load_app(path, &mut sources, &mut diags) {
        Ok(s) => s,
        Err(e) => return (format!("load error: {e:?}\n"), Vec::new()),
    };
    let mut out = String::new();
    for p in &settings.pools {
        let _ = writeln!(out, "pool {} ({:?})", p.name, p.framework);
        let _ = writeln!(
            out,
            "  backend {:?}, driver {:?} from {}",
            p.backend.value,
            p.driver.value,
            p.driver.origin.describe(&sources)
        );
        if let Some(c) = &p.pool_class {
            let _ = writeln!(
                out,
                "  pool class {} from {}",
                c.value.name(),
                c.origin.describe(&sources)
            );
        }
        let _ = writeln!(
            out,
            "  retirement {:?} from {}",
            p.retirement.value,
            p.retirement.origin.describe(&sources)
        );
        let _ = writeln!(
            out,
            "  validation {} from {}",
            p.validation.value,
            p.validation.origin.describe(&sources)
        );
        for (name, v) in [
            ("pool_size", &p.pool_size),
            ("max_overflow", &p.max_overflow),
        ] {
            if let Some(v) = v {
                let _ = writeln!(
                    out,
                    "  {name} {} from {}",
                    v.value,
                    v.origin.describe(&sources)
                );
            }
        }
    }
    if settings.pools.is_empty() {
        out.push_str("no pools\n");
    }
    for d in common::describe(&diags, &sources) {
        let _ = writeln!(out, "{d}");
    }
    let backends = settings.pools.iter().map(|p| p.backend.value).collect();
    (out, backends)
}

#[test]
fn airflow_corpus_is_read_without_panic() {
    // What each file holds (SOURCES.tsv): its metadata database.
    let expected = [
        ("airflow3-docker__airflow", Backend::Sqlite),
        ("alertflow__airflow", Backend::PostgreSql),
        // sql_alchemy_conn is commented out (the image's entrypoint sets
        // AIRFLOW__CORE__SQL_ALCHEMY_CONN): Airflow's default SQLite applies.
        ("docker-airflow__airflow", Backend::Sqlite),
    ];
    let mut seen = 0;
    for kind in ["airflow", "sqlalchemy"] {
        let Some(dir) = common::corpus_dir(kind) else {
            continue;
        };
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .expect("corpus dir readable")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "cfg"))
            .collect();
        files.sort();
        for f in files {
            let text = std::fs::read_to_string(&f).expect("corpus file is UTF-8");
            assert!(is_airflow_cfg(&f, &text), "{} not recognised", f.display());
            let (out, backends) = describe_file(&f);
            let stem = f.file_stem().and_then(|s| s.to_str()).unwrap_or("file");
            if let Some((_, want)) = expected.iter().find(|(n, _)| *n == stem) {
                assert_eq!(backends, [*want], "{stem}:\n{out}");
            }
            seen += 1;
            insta::assert_snapshot!(format!("{kind}__{stem}"), out);
        }
    }
    if seen > 0 {
        assert!(
            seen >= 3,
            "expected the three corpus airflow.cfg files, read {seen}"
        );
    }
}
