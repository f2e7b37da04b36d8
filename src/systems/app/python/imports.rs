//! The project's own modules a settings file imports, found and parsed
//! before it is read, never imported or run.
//!
//! `from .base import *`, `from myproj.settings.base import *`,
//! `from app.core.config import settings`, `import config` are resolved as
//! Python's import system would for a project laid out on disk
//! (<https://docs.python.org/3/reference/import.html#searching>): a relative
//! module from the importing module's package folder (one more level up per
//! extra dot); an absolute one from the importing module's folder and each
//! folder above it up to the project root (the places a project puts on
//! `sys.path`: its root, `src/`, the folder of `manage.py`). A module is
//! `name.py` or a package `name/__init__.py`.
//!
//! Only files the [`crate::source::ReadPolicy`] allows are read: inside the
//! project root, regular, under the size cap. Installed packages are never
//! read (a path through `site-packages`, `dist-packages` or a virtualenv is
//! skipped), nor anything outside the root: their names stay unknown.
//! At most [`MAX_MODULES`] files are loaded per settings file.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::syntax::{Py, Tree};

use crate::diagnostic::{Diagnostic, Label};
use crate::rules::codes;
use crate::source::{FileId, Location, SourceMap, Span};

/// How many modules (the settings file included) are loaded for one settings file.
pub(super) const MAX_MODULES: usize = 64;

/// A module of the project: its file, text and syntax tree.
pub(super) struct Module {
    pub file: FileId,
    pub text: String,
    pub tree: Tree,
    /// The folder relative imports start from: the module's own folder.
    pub dir: PathBuf,
}

/// Every module loaded, and what each import names resolves to.
pub(super) struct Project {
    /// Module 0 is the settings file; the others in the order found.
    pub modules: Vec<Module>,
    /// (importing module, dotted name as written, e.g. `.base`) → module.
    pub resolved: HashMap<(usize, String), usize>,
}

impl Project {
    /// The module `name` (as written in module `from`) resolves to, if it
    /// is one of the project's.
    pub fn lookup(&self, from: usize, name: &str) -> Option<usize> {
        self.resolved.get(&(from, name.to_string())).copied()
    }
}

/// Parses Python text (see [`super::syntax`]).
pub(super) fn parse(text: &str) -> Tree {
    super::syntax::parse(text)
}

/// Finds, loads and parses the project modules `main` imports, and theirs,
/// breadth first. A module that cannot be parsed safely is reported
/// (TL001) and left out; the secrets of those read are marked by the
/// reader's scan of each module.
pub(super) fn load(main: Module, sources: &mut SourceMap, diags: &mut Vec<Diagnostic>) -> Project {
    let root = sources.policy().root().map(Path::to_path_buf);
    let mut project = Project {
        modules: vec![main],
        resolved: HashMap::new(),
    };
    let mut i = 0;
    while i < project.modules.len() {
        let names = imported_names(&project.modules[i]);
        for name in names {
            if project.resolved.contains_key(&(i, name.clone())) {
                continue;
            }
            let Some(path) = resolve(&project.modules[i].dir, &name, root.as_deref()) else {
                continue;
            };
            let Ok(file) = sources.load(&path) else {
                continue;
            };
            let found = project.modules.iter().position(|m| m.file == file);
            let idx = match found {
                Some(idx) => idx,
                None if project.modules.len() < MAX_MODULES => {
                    match module(file, &path, sources, diags) {
                        Some(m) => {
                            project.modules.push(m);
                            project.modules.len() - 1
                        }
                        None => continue,
                    }
                }
                None => continue,
            };
            project.resolved.insert((i, name), idx);
        }
        i += 1;
    }
    project
}

/// Parses one loaded module (its secrets marked); `None`, reported, when it
/// is nested too deep to parse safely.
fn module(
    file: FileId,
    path: &Path,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Option<Module> {
    let text = sources.get(file).text().to_string();
    if let Some((at, msg)) = super::indentation_too_deep(&text) {
        for s in crate::secrets::secret_spans_in_text(&text) {
            sources.get_mut(file).mark_secret(s);
        }
        let label = Label::at(Location::new(file, at), "nested too deep");
        diags.push(Diagnostic::new(codes::SYNTAX_ERROR, msg, label));
        return None;
    }
    let tree = parse(&text);
    let mut secrets = Vec::new();
    if let Some((start, end)) = tree.first_error() {
        let at = Span::new(start, end);
        let label = Label::at(Location::new(file, at), "here");
        diags.push(Diagnostic::new(
            codes::SYNTAX_ERROR,
            "invalid Python: syntax error; what parses is still read",
            label,
        ));
        secrets.extend(crate::secrets::secret_spans_in_text(&text));
    }
    for s in secrets {
        sources.get_mut(file).mark_secret(s);
    }
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    Some(Module {
        file,
        text,
        tree,
        dir,
    })
}

/// The dotted module names a module's imports may load, as written: for
/// `from X import a, b` both `X` and the submodules `X.a`, `X.b`; for
/// `import X.Y` `X.Y`. Function bodies are not searched (they run later,
/// if ever).
pub(super) fn imported_names(m: &Module) -> Vec<String> {
    let text = |n: Py<'_>| -> String {
        m.text
            .get(n.start_byte()..n.end_byte())
            .unwrap_or("")
            .split_whitespace()
            .collect()
    };
    let mut out = Vec::new();
    // Imports are statements: only statement containers are entered (not
    // expressions, not function bodies).
    super::walk::preorder(m.tree.root_node(), |n| match n.kind() {
        k if super::relevance::is_container(k) => true,
        "import_from_statement" => {
            if let Some(module) = n.child_by_field_name("module_name") {
                let base = text(module);
                let mut c = n.walk();
                for name in n.children_by_field_name("name", &mut c) {
                    let name = match name.kind() {
                        "aliased_import" => name.child_by_field_name("name").map(text),
                        _ => Some(text(name)),
                    };
                    if let Some(name) = name {
                        out.push(submodule(&base, &name));
                    }
                }
                out.push(base);
            }
            false
        }
        "import_statement" => {
            let mut c = n.walk();
            for name in n.children_by_field_name("name", &mut c) {
                let name = match name.kind() {
                    "aliased_import" => name.child_by_field_name("name").map(text),
                    _ => Some(text(name)),
                };
                out.extend(name);
            }
            false
        }
        _ => false,
    });
    out.sort();
    out.dedup();
    out
}

/// `X` + `a` as a dotted module name (`.` + `base` is `.base`).
pub(super) fn submodule(base: &str, name: &str) -> String {
    if base.ends_with('.') {
        format!("{base}{name}")
    } else {
        format!("{base}.{name}")
    }
}

/// Folders an installed package lives in: never read.
const INSTALLED: [&str; 6] = [
    "site-packages",
    "dist-packages",
    ".venv",
    "venv",
    ".tox",
    "node_modules",
];

/// The file a dotted module name written in a module of folder `dir`
/// resolves to (see the module docs), if one exists.
pub(super) fn resolve(dir: &Path, name: &str, root: Option<&Path>) -> Option<PathBuf> {
    let dots = name.chars().take_while(|&c| c == '.').count();
    let rest = &name[dots..];
    if rest.split('.').any(|p| p.is_empty() && !rest.is_empty())
        || rest
            .split('.')
            .any(|p| !p.chars().all(|c| c.is_alphanumeric() || c == '_'))
    {
        return None;
    }
    let relative: PathBuf = rest.split('.').filter(|p| !p.is_empty()).collect();
    let bases: Vec<PathBuf> = if dots > 0 {
        let mut base = dir.to_path_buf();
        for _ in 1..dots {
            base = base.parent()?.to_path_buf();
        }
        vec![base]
    } else {
        // The module's folder and each one above it, up to the root (or
        // three levels when no root is known).
        let mut v = Vec::new();
        let mut cur = Some(dir);
        while let Some(d) = cur {
            v.push(d.to_path_buf());
            let at_root = match root {
                Some(r) => {
                    let real = std::fs::canonicalize(d).unwrap_or_else(|_| d.to_path_buf());
                    real == r || !real.starts_with(r)
                }
                None => v.len() > 3,
            };
            if at_root {
                break;
            }
            cur = d.parent();
        }
        v
    };
    for base in bases {
        let target = base.join(&relative);
        let candidates = if relative.as_os_str().is_empty() {
            vec![target.join("__init__.py")]
        } else {
            vec![target.with_extension("py"), target.join("__init__.py")]
        };
        for c in candidates {
            let installed = c.components().any(|p| {
                INSTALLED
                    .iter()
                    .any(|i| p.as_os_str() == std::ffi::OsStr::new(i))
            });
            if !installed && c.is_file() {
                return Some(c);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_names_resolve_like_pythons_imports() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = std::fs::canonicalize(tmp.path()).expect("canonical");
        for f in [
            "proj/settings/__init__.py",
            "proj/settings/base.py",
            "proj/settings/prod.py",
            "proj/core/config.py",
            "proj/limits/__init__.py",
            "config.py",
            "venv/lib/pkg.py",
            "site-packages/pkg2.py",
        ] {
            let p = root.join(f);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(&p, "").expect("write");
        }
        let settings = root.join("proj/settings");
        // (name as written in proj/settings/prod.py, what it resolves to)
        let table: &[(&str, Option<&str>)] = &[
            (".base", Some("proj/settings/base.py")),
            ("..core.config", Some("proj/core/config.py")),
            ("..limits", Some("proj/limits/__init__.py")),
            (".", Some("proj/settings/__init__.py")),
            // Absolute: from the module's folder, then each one above it.
            ("proj.settings.base", Some("proj/settings/base.py")),
            ("proj.core.config", Some("proj/core/config.py")),
            ("config", Some("config.py")),
            ("base", Some("proj/settings/base.py")),
            // Not the project's: installed, missing, or not a module name.
            ("venv.lib.pkg", None),
            ("django.conf", None),
            (".missing", None),
            ("proj..settings", None),
            ("proj/settings", None),
            ("...........x", None),
        ];
        for (name, want) in table {
            let got = resolve(&settings, name, Some(&root));
            assert_eq!(got, want.map(|w| root.join(w)), "{name}");
        }
        // Above the root, an absolute name is not searched for.
        let got = resolve(&settings, "config", Some(&root.join("proj")));
        assert_eq!(got, None);
    }

    #[test]
    fn imported_names_are_found_outside_functions_only() {
        let text = "from .base import *\nfrom x import a, b as c\nimport p.q, r as s\ntry:\n    from .local import *\nexcept ImportError:\n    pass\ndef f():\n    from .never import *\n";
        let m = Module {
            file: FileId(0),
            text: text.to_string(),
            tree: parse(text),
            dir: PathBuf::new(),
        };
        assert_eq!(
            imported_names(&m),
            vec![".base", ".local", "p.q", "r", "x", "x.a", "x.b"]
        );
    }
}
