//! Fixture projects laid out like real repositories, one pair per shape
//! the Python reader follows (issue 10): each `*-fires` project has the
//! finding that must fire, its `*-passes` twin the fix. The test asserts
//! the exact (rule, severity) list and snapshots the gcc output.

use std::path::PathBuf;

#[macro_use]
mod common;

fn check(case: &str) -> (Vec<(String, String)>, String) {
    common::check_fixture("projects", case)
}

// `if os.getenv("DATABASE") == "mysql":` decided by the manifest's [path.env].
case!(if_env_fires, "django-if-env-fires", [("TL102", "error")]);
case!(if_env_passes, "django-if-env-passes", []);
// The same condition undecided: both branches checked, findings labelled.
case!(
    if_undecided_fires,
    "django-if-undecided-fires",
    [("TL006", "warning"), ("TL012", "info"), ("TL102", "error")]
);
// `try: from .local import * except ImportError: pass`, and a cycle back.
case!(
    try_local_fires,
    "django-try-local-fires",
    [("TL119", "error")]
);
case!(try_local_passes, "django-try-local-passes", []);
// A settings package named as DJANGO_SETTINGS_MODULE: `from .base import *`.
case!(
    settings_package_fires,
    "django-settings-package-fires",
    [("TL119", "warning")]
);
case!(
    settings_package_passes,
    "django-settings-package-passes",
    []
);
// `import constants` then `constants.POOL_RECYCLE` in a Flask config class.
case!(
    config_module_fires,
    "flask-config-module-fires",
    [("TL101", "error")]
);
case!(config_module_passes, "flask-config-module-passes", []);
// A pydantic BaseSettings object imported from app.core.config.
case!(
    pydantic_settings_fires,
    "fastapi-pydantic-settings-fires",
    [("TL101", "error")]
);
case!(
    pydantic_settings_passes,
    "fastapi-pydantic-settings-passes",
    []
);
// Small functions of the project inlined: db_config(...), envint(...).
case!(
    helper_function_fires,
    "django-helper-function-fires",
    [("TL102", "error")]
);
case!(helper_function_passes, "django-helper-function-passes", []);

// Flask-SQLAlchemy 2.2 pinned in requirements.txt (the twin: in
// requirements/common.txt): MySQL gets 2.x's implicit pool_recycle 7200;
// SQLALCHEMY_POOL_RECYCLE is honoured.
case!(
    flask2_pinned_fires,
    "flask2-pinned-fires",
    [("TL101", "error")]
);
case!(flask2_pinned_passes, "flask2-pinned-passes", []);

/// Every fixture project here has its twin, and a test above.
#[test]
fn every_project_has_a_twin_and_a_test() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/projects");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("fixtures")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let source = include_str!("projects.rs");
    for n in &names {
        assert!(source.contains(&format!("\"{n}\"")), "{n} has no test");
        if let Some(stem) = n.strip_suffix("-fires") {
            let twin = format!("{stem}-passes");
            assert!(
                names.contains(&twin) || stem.ends_with("undecided"),
                "{n} has no twin"
            );
        }
    }
}
