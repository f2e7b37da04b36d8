//! Every Python settings file of the corpus (`../shared/corpus/django` and
//! `sqlalchemy`) is read without a panic; a snapshot per file records what was
//! extracted (pools with their origins, unknowns and other diagnostics).

mod common;

use std::fmt::Write as _;
use std::path::Path;

use timeoutlint::env::EnvValues;
use timeoutlint::source::SourceMap;
use timeoutlint::systems::app::load_python;

fn describe_file(path: &Path) -> String {
    let mut sources = SourceMap::new(path.parent().map(Path::to_path_buf))
        .with_policy(common::confined_to(path.parent()));
    let mut diags = Vec::new();
    let env = EnvValues::new();
    let mut out = String::new();
    let settings = match load_python(path, None, &env, &mut sources, &mut diags) {
        Ok(s) => s,
        Err(e) => return format!("load error: {e:?}\n"),
    };
    for p in &settings.pools {
        let _ = writeln!(
            out,
            "pool {} ({:?}, {:?})",
            p.name, p.framework, p.backend.value
        );
        let _ = writeln!(
            out,
            "  driver {:?} from {}",
            p.driver.value,
            p.driver.origin.describe(&sources)
        );
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
        let _ = writeln!(
            out,
            "  connect_timeout {:?} from {}",
            p.connect_timeout.value,
            p.connect_timeout.origin.describe(&sources)
        );
        if let Some(v) = &p.variant {
            let when: Vec<&str> = v.conditions.iter().map(|c| c.text.as_str()).collect();
            let _ = writeln!(
                out,
                "  only {} (variants {:?} of {})",
                when.join(", "),
                v.runs,
                v.of
            );
        }
        if !p.removed_keys.is_empty() {
            let keys: Vec<&str> = p.removed_keys.iter().map(|(k, _)| k.as_str()).collect();
            let _ = writeln!(out, "  removed keys {}", keys.join(", "));
        }
    }
    if settings.pools.is_empty() {
        out.push_str("no pools\n");
    }
    for d in common::describe(&diags, &sources) {
        let _ = writeln!(out, "{d}");
    }
    out
}

#[test]
fn python_corpus_is_read_without_panic() {
    for kind in ["django", "sqlalchemy"] {
        let Some(dir) = common::corpus_dir(kind) else {
            continue;
        };
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .expect("corpus dir readable")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "py"))
            .collect();
        files.sort();
        assert!(!files.is_empty(), "no .py files in {}", dir.display());
        for f in files {
            let text = describe_file(&f);
            let stem = f.file_stem().and_then(|s| s.to_str()).unwrap_or("file");
            let name = format!("{kind}__{stem}");
            insta::assert_snapshot!(name, text);
        }
    }
}
