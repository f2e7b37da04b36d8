//! Discovery: `timeoutlint check DIR` without a manifest.
//!
//! [`discover`] walks the project ([`walk`]), tells each kept file's kind
//! by its content ([`crate::classify`], and for Python the settings forms
//! below), and links the pieces into connection paths by what a deployment
//! connects ([`link`]):
//!
//! - app settings: Django settings modules named by `DJANGO_SETTINGS_MODULE`
//!   in `manage.py`, `wsgi.py`, `asgi.py`, `pyproject.toml`, `setup.cfg` or
//!   `pytest.ini` (else modules assigning `DATABASES`); modules calling
//!   `create_engine`; Flask config modules (`SQLALCHEMY_DATABASE_URI`);
//!   `airflow.cfg`; exported YAML / TOML settings;
//! - deployment files (compose, Kubernetes, Helm values, Terraform,
//!   CloudFormation), server configs (my.cnf, postgresql.conf and dumps,
//!   pgbouncer.ini), sysctl files and proxies.
//!
//! Each path is a [`PathSpec`], exactly what a manifest entry gives, so
//! `timeoutlint init` ([`init`]) writes what discovery inferred and a check
//! with that manifest gives the same findings.

pub mod init;
pub mod link;
pub mod proxies;
pub mod report;
pub mod walk;

use std::path::{Path, PathBuf};

use crate::classify::{Classified, Kind};
use crate::diagnostic::Diagnostic;
use crate::manifest::PathSpec;
use crate::source::SourceMap;

/// One discovered connection path.
#[derive(Clone, Debug)]
pub struct Discovered {
    /// What a manifest entry would say.
    pub spec: PathSpec,
    /// The pieces from app to server, each `label (where)`, for the report's
    /// first lines and the manifest's comments.
    pub pieces: Vec<String>,
    /// Every guess made, in words (`matched DATABASE_URL host `db` to
    /// compose service `db``): `init` writes each as a comment.
    pub guesses: Vec<String>,
    /// What lies between app and server when no file says it, in words:
    /// `None` when a file says (same compose project, a Kubernetes Service).
    pub unknown_network: Option<UnknownNetwork>,
}

/// A network between two pieces that no file describes.
#[derive(Clone, Debug)]
pub struct UnknownNetwork {
    /// `api` and `orders (terraform: aws_db_instance.orders)`.
    pub between: (String, String),
    /// Presets that could apply (`timeoutlint presets`), most likely first.
    pub presets: Vec<&'static str>,
}

impl Discovered {
    /// The path as one line: `api (app/settings.py, DATABASES["default"]) -> pgbouncer (compose: pgbouncer) -> postgres:16 (compose: db)`.
    pub fn line(&self) -> String {
        self.pieces.join(" -> ")
    }
}

/// What discovery found.
#[derive(Debug, Default)]
pub struct Discovery {
    /// Paths, in a stable order (app file, then pool, then environment).
    pub paths: Vec<Discovered>,
    /// Info findings: links that could not be made.
    pub findings: Vec<Diagnostic>,
    /// Files found that no path uses, each `path (kind): why`.
    pub unplaced: Vec<String>,
    /// Directory entries visited and files read by the walk.
    pub visited: usize,
    /// Files opened by the walk's prefilter.
    pub read: usize,
    /// True when the walk stopped at its entry cap.
    pub truncated: bool,
    /// Manifests found in subfolders: their folders are checked as they
    /// say, not discovered.
    pub manifests: Vec<PathBuf>,
}

/// A file discovery kept, with what it is.
#[derive(Clone, Debug)]
pub struct Piece {
    /// The file.
    pub path: PathBuf,
    /// What it is.
    pub kind: PieceKind,
}

/// What a kept file is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PieceKind {
    /// App settings in Python, and which form made it one.
    Python(PythonForm),
    /// Another file kind ([`crate::classify`]).
    Config(Kind),
}

/// Why a Python file is app settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum PythonForm {
    /// Named by `DJANGO_SETTINGS_MODULE`.
    DjangoPointed,
    /// Assigns `DATABASES` (used when no pointer names a module).
    DjangoSettings,
    /// Calls `create_engine` / `create_async_engine`.
    Engine,
    /// Sets `SQLALCHEMY_DATABASE_URI` (Flask-SQLAlchemy config).
    FlaskConfig,
}

/// Discovers the connection paths under `root`.
///
/// Every file is read through `sources` (root and size policy); nothing is
/// executed. Diagnostics of the files read while linking are not kept
/// (the check reads them again and reports them once).
pub fn discover(root: &Path, sources: &mut SourceMap) -> Discovery {
    let confine = sources.policy().root().map(Path::to_path_buf);
    let walked = walk::walk(root, sources.policy().max_file_size(), confine.as_deref());
    let pieces = classify_kept(root, &walked.kept);
    let mut found = link::link(root, &pieces, sources);
    found.visited = walked.visited;
    found.read = walked.read;
    found.truncated = walked.truncated;
    found.manifests = walked.manifests;
    found
}

/// The name of an app for the report: its deployment service when known,
/// else the first folder of its path that is not a generic container
/// (`services/api/app/settings.py` → `api`), else `app`.
pub fn app_name(root: &Path, file: &Path) -> String {
    const GENERIC: &[&str] = &[
        "services",
        "service",
        "apps",
        "packages",
        "src",
        "projects",
        "examples",
        "tests",
        "test",
        "fixtures",
        "deploy",
        "lib",
        "libs",
        "modules",
        "components",
    ];
    let rel = file.strip_prefix(root).unwrap_or(file);
    rel.parent()
        .into_iter()
        .flat_map(Path::components)
        .map(|c| c.as_os_str().to_string_lossy().to_string())
        .find(|c| !GENERIC.contains(&c.to_ascii_lowercase().as_str()))
        .unwrap_or_else(|| "app".to_string())
}

/// Tells the kind of each kept file.
pub fn classify_kept(root: &Path, kept: &[walk::Kept]) -> Vec<Piece> {
    let mut pointed: Vec<PathBuf> = Vec::new();
    for k in kept {
        for module in settings_pointers(&k.text) {
            if let Some(p) = module_file(root, &k.path, &module) {
                pointed.push(p);
            }
        }
    }
    pointed.sort();
    pointed.dedup();
    let mut out = Vec::new();
    for k in kept {
        if is_test_or_migration(root, &k.path) {
            continue;
        }
        let is_py = k.path.extension().is_some_and(|e| e == "py");
        if is_py {
            let form = if pointed.contains(&k.path) {
                Some(PythonForm::DjangoPointed)
            } else if contains_call(&k.text, "create_engine")
                || contains_call(&k.text, "create_async_engine")
            {
                Some(PythonForm::Engine)
            } else if pointed.is_empty() && assigns(&k.text, "DATABASES") {
                Some(PythonForm::DjangoSettings)
            } else if assigns(&k.text, "SQLALCHEMY_DATABASE_URI") {
                Some(PythonForm::FlaskConfig)
            } else {
                None
            };
            if let Some(form) = form {
                out.push(Piece {
                    path: k.path.clone(),
                    kind: PieceKind::Python(form),
                });
                continue;
            }
            // A gunicorn config is a Python file too.
        }
        if let Classified::Known(kind) = crate::classify::classify_text(&k.path, &k.text) {
            if kind == Kind::PythonSettings {
                continue; // Python without a settings form above: a helper module.
            }
            out.push(Piece {
                path: k.path.clone(),
                kind: PieceKind::Config(kind),
            });
        }
    }
    out
}

/// Test modules and fixtures, migrations, documentation and examples hold
/// engines, settings and configs that are not the deployed ones.
fn is_test_or_migration(root: &Path, path: &Path) -> bool {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let name = rel
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    name.starts_with("test_")
        || name.ends_with("_test.py")
        || name == "conftest.py"
        || rel.components().any(|c| {
            let c = c.as_os_str().to_string_lossy().to_ascii_lowercase();
            matches!(
                c.as_str(),
                "tests" | "test" | "testing" | "migrations" | "alembic" | "docs" | "examples"
            )
        })
}

/// True when `text` calls `name(` (not as part of a longer name).
fn contains_call(text: &str, name: &str) -> bool {
    let pat = format!("{name}(");
    text.match_indices(&pat).any(|(i, _)| {
        !text[..i]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

/// True when a line of `text` assigns `name` (`NAME =`, `NAME: T =`,
/// `NAME[...] =`, `NAME.update(`), at any indentation (class bodies too).
fn assigns(text: &str, name: &str) -> bool {
    text.lines().any(|l| {
        let t = l.trim_start();
        let Some(rest) = t.strip_prefix(name) else {
            return false;
        };
        let rest = rest.trim_start();
        (rest.starts_with('=') && !rest.starts_with("=="))
            || rest.starts_with(':')
            || rest.starts_with('[')
            || rest.starts_with(".update(")
    })
}

/// The dotted modules a file names as `DJANGO_SETTINGS_MODULE`:
/// `os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")`,
/// `DJANGO_SETTINGS_MODULE = "app.settings"` (pytest.ini, setup.cfg),
/// `DJANGO_SETTINGS_MODULE = app.settings`, `--ds=app.settings`.
pub fn settings_pointers(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let Some(i) = line.find("DJANGO_SETTINGS_MODULE") else {
            continue;
        };
        let rest = &line[i + "DJANGO_SETTINGS_MODULE".len()..];
        let rest = rest.trim_start_matches(['"', '\'']);
        let rest = rest.trim_start_matches([' ', '\t', ',', '=', ':']);
        let rest = rest.trim_start_matches(['"', '\'', ' ']);
        let module: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.')
            .collect();
        let valid = !module.is_empty()
            && !module.starts_with('.')
            && !module.ends_with('.')
            && module.split('.').all(|p| {
                p.chars()
                    .next()
                    .is_some_and(|c| c.is_alphabetic() || c == '_')
            });
        if valid {
            out.push(module);
        }
    }
    out
}

/// The file of dotted `module` seen from `pointer`'s folder and its
/// ancestors up to `root` (`config.settings.production` →
/// `config/settings/production.py` or `.../production/__init__.py`).
fn module_file(root: &Path, pointer: &Path, module: &str) -> Option<PathBuf> {
    let rel: PathBuf = module.split('.').collect();
    let mut dir = pointer.parent();
    while let Some(d) = dir {
        for candidate in [rel.with_extension("py"), rel.join("__init__.py")] {
            let p = d.join(&candidate);
            if p.is_file() {
                return Some(p);
            }
        }
        // `src/` layouts: the module lives one folder down.
        let src = d.join("src").join(rel.with_extension("py"));
        if src.is_file() {
            return Some(src);
        }
        if d == root {
            break;
        }
        dir = d.parent();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_names() {
        let root = Path::new("/r");
        for (file, want) in [
            ("/r/settings.py", "app"),
            ("/r/services/api/api/settings.py", "api"),
            ("/r/src/shop/settings.py", "shop"),
            ("/r/backend/app/core/db.py", "backend"),
            ("/r/services/x.py", "app"),
        ] {
            assert_eq!(app_name(root, Path::new(file)), want, "{file}");
        }
    }

    #[test]
    fn settings_pointer_forms() {
        let cases = [
            (
                "os.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"config.settings.local\")",
                vec!["config.settings.local"],
            ),
            (
                "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')",
                vec!["mysite.settings"],
            ),
            (
                "DJANGO_SETTINGS_MODULE = app.settings",
                vec!["app.settings"],
            ),
            (
                "DJANGO_SETTINGS_MODULE = \"app.settings.test\"",
                vec!["app.settings.test"],
            ),
            (
                "env = DJANGO_SETTINGS_MODULE=proj.settings",
                vec!["proj.settings"],
            ),
            ("os.environ['DJANGO_SETTINGS_MODULE']", vec![]),
            (
                "DJANGO_SETTINGS_MODULE = os.environ.get(x)",
                vec!["os.environ.get"],
            ),
            ("DJANGO_SETTINGS_MODULE = .bad", vec![]),
        ];
        for (text, want) in cases {
            assert_eq!(settings_pointers(text), want, "{text}");
        }
    }

    #[test]
    fn assignment_and_call_detection() {
        assert!(assigns("DATABASES = {\n}", "DATABASES"));
        assert!(assigns("    DATABASES: dict = {}", "DATABASES"));
        assert!(assigns("DATABASES['default'] = x", "DATABASES"));
        assert!(assigns("DATABASES.update(x)", "DATABASES"));
        assert!(!assigns("if DATABASES == x:", "DATABASES"));
        assert!(!assigns("print(DATABASES)", "DATABASES"));
        assert!(!assigns("MY_DATABASES = 1", "DATABASES"));
        assert!(contains_call("e = create_engine(url)", "create_engine"));
        assert!(contains_call("e = sa.create_engine(url)", "create_engine"));
        assert!(!contains_call("e = my_create_engine(url)", "create_engine"));
        assert!(!contains_call(
            "from sqlalchemy import create_engine",
            "create_engine"
        ));
    }

    #[test]
    fn module_files_resolve_from_the_pointer_upwards() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("config/settings")).unwrap();
        std::fs::create_dir_all(root.join("src/shop")).unwrap();
        std::fs::write(root.join("config/settings/production.py"), "").unwrap();
        std::fs::write(root.join("src/shop/settings.py"), "").unwrap();
        std::fs::create_dir_all(root.join("deploy")).unwrap();
        let manage = root.join("manage.py");
        let wsgi = root.join("deploy/wsgi.py");
        assert_eq!(
            module_file(root, &manage, "config.settings.production"),
            Some(root.join("config/settings/production.py"))
        );
        assert_eq!(
            module_file(root, &wsgi, "config.settings.production"),
            Some(root.join("config/settings/production.py"))
        );
        assert_eq!(
            module_file(root, &manage, "shop.settings"),
            Some(root.join("src/shop/settings.py"))
        );
        assert_eq!(module_file(root, &manage, "nothing.here"), None);
    }
}
