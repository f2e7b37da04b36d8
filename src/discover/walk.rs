//! The walk of discovery: every file under the project root that may be a
//! config, found by name and by a byte prefilter, never parsed here.
//!
//! - The tree is walked with the `ignore` crate (as ripgrep and ruff do):
//!   `.gitignore`, `.ignore` and `.git/info/exclude` are honoured (also
//!   outside a git work tree), hidden files and folders are skipped, symbolic
//!   links are not followed, and entries are visited in name order, so
//!   discovery is deterministic.
//! - Vendored and virtualenv folders are skipped whatever the ignore files
//!   say: [`SKIPPED_DIRS`], and any folder holding a `pyvenv.cfg`.
//! - Only files whose name or extension can hold a config are opened
//!   ([`worth_reading`]); each is read once, up to the size cap, and kept
//!   only when it contains one of [`MARKERS`] (one Aho-Corasick pass over
//!   its bytes). Images, scripts and documents are never read.
//! - The walk stops after [`MAX_ENTRIES`] entries, and reports that it did.

use std::path::{Path, PathBuf};

use aho_corasick::AhoCorasick;

/// Folders never entered: package caches and vendored code, whose settings
/// modules are not the project's (`node_modules`, `site-packages`, a
/// Terraform `.terraform` module cache, ...).
pub const SKIPPED_DIRS: [&str; 10] = [
    "node_modules",
    "bower_components",
    "vendor",
    "site-packages",
    "dist-packages",
    "__pycache__",
    "venv",
    "virtualenv",
    ".terraform",
    "charts_cache",
];

/// At most this many directory entries are visited.
pub const MAX_ENTRIES: usize = 500_000;

/// Byte strings that mark a file worth parsing (any case of the first
/// letter is not folded: these are written as the formats spell them).
pub const MARKERS: [&str; 38] = [
    // App settings (Python, airflow.cfg) and the Django settings pointer.
    "DATABASES",
    "create_engine",
    "create_async_engine",
    "SQLALCHEMY_",
    "DJANGO_SETTINGS_MODULE",
    "sql_alchemy_conn",
    "BaseSettings",
    // MySQL option files and dumps.
    "[mysqld",
    "[mariadb",
    "[server]",
    "[client",
    "Variable_name",
    "wait_timeout",
    // PostgreSQL.
    "idle_session_timeout",
    "idle_in_transaction_session_timeout",
    "statement_timeout",
    "tcp_keepalives_idle",
    "max_connections",
    "listen_addresses",
    // PgBouncer.
    "[pgbouncer]",
    "[databases]",
    // sysctl.
    "net.ipv4.tcp_keepalive",
    "net.netfilter",
    "net/ipv4",
    // Proxies.
    "timeout server",
    "timeout client",
    "proxy_timeout",
    "stream {",
    "tcp_proxy",
    "DestinationRule",
    // Deployment files.
    "services:",
    "apiVersion:",
    "resource \"",
    "module \"",
    "AWSTemplateFormatVersion",
    "AWS::",
    // Workers.
    "gunicorn",
    "[uwsgi]",
];

/// A file the walk kept.
#[derive(Clone, Debug)]
pub struct Kept {
    /// The path (the root joined with the relative path).
    pub path: PathBuf,
    /// Its text (lossy UTF-8, capped at the size limit).
    pub text: String,
}

/// What the walk saw.
#[derive(Debug, Default)]
pub struct Walked {
    /// Files kept, in path order.
    pub kept: Vec<Kept>,
    /// Files opened and read.
    pub read: usize,
    /// Entries visited.
    pub visited: usize,
    /// True when [`MAX_ENTRIES`] stopped the walk.
    pub truncated: bool,
    /// Manifests (`timeoutlint.toml`) in subfolders: each folder holding one
    /// is checked as its manifest says, so its files are not kept.
    pub manifests: Vec<PathBuf>,
}

/// True for file names that may hold a config of a supported kind.
pub fn worth_reading(path: &Path) -> bool {
    let Some(name) = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
    else {
        return false;
    };
    if name == "procfile" || name.starts_with("procfile.") {
        return true;
    }
    let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    matches!(
        ext,
        "py" | "cfg"
            | "ini"
            | "toml"
            | "cnf"
            | "conf"
            | "yaml"
            | "yml"
            | "json"
            | "tf"
            | "tfvars"
            | "template"
            | "tpl"
            | "txt"
            | "tsv"
            | "csv"
    )
}

/// Walks `root`, keeping the files that may be configs.
///
/// `max_file_size` caps each read (a larger file is skipped unread);
/// `confine`, the project root (canonical), keeps every read inside it
/// (a folder given outside `--root` is walked but nothing of it is read).
pub fn walk(root: &Path, max_file_size: u64, confine: Option<&Path>) -> Walked {
    let canonical_root = std::fs::canonicalize(root).ok();
    let inside = |p: &Path| match (confine, &canonical_root) {
        (None, _) => true,
        (Some(c), Some(r)) => p
            .strip_prefix(root)
            .map(|rel| r.join(rel).starts_with(c))
            .unwrap_or(false),
        (Some(_), None) => false,
    };
    let markers = AhoCorasick::new(MARKERS).ok();
    let mut out = Walked::default();
    let walker = ignore::WalkBuilder::new(root)
        .hidden(true)
        .follow_links(false)
        .require_git(false)
        .git_global(false)
        .parents(true)
        .sort_by_file_name(|a, b| a.cmp(b))
        .filter_entry(|e| {
            let is_dir = e.file_type().is_some_and(|t| t.is_dir());
            if !is_dir || e.depth() == 0 {
                return true;
            }
            let name = e.file_name().to_string_lossy();
            // `.git` holds the CI token (actions/checkout): never entered,
            // whatever an ignore file whitelists.
            name != ".git"
                && !SKIPPED_DIRS.contains(&name.as_ref())
                && !e.path().join("pyvenv.cfg").is_file()
        })
        .build();
    for entry in walker {
        out.visited += 1;
        if out.visited > MAX_ENTRIES {
            out.truncated = true;
            break;
        }
        let Ok(entry) = entry else { continue };
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        if entry.depth() > 1 && entry.file_name() == crate::manifest::FILE_NAME {
            out.manifests.push(entry.path().to_path_buf());
            continue;
        }
        if !worth_reading(entry.path()) || !inside(entry.path()) {
            continue;
        }
        if entry.metadata().map_or(true, |m| m.len() > max_file_size) {
            continue;
        }
        let buffer = std::fs::canonicalize(entry.path())
            .ok()
            .and_then(|real| crate::source::overlay::get(&real));
        let bytes = match buffer {
            // An editor's buffer over the cap is refused like the file.
            Some(text) if text.len() as u64 > max_file_size => continue,
            Some(text) => text.into_bytes(),
            None => match std::fs::read(entry.path()) {
                Ok(bytes) => bytes,
                Err(_) => continue,
            },
        };
        out.read += 1;
        let hit = markers.as_ref().is_some_and(|m| m.is_match(&bytes[..]));
        if hit || is_named_config(entry.path()) {
            out.kept.push(Kept {
                path: entry.path().to_path_buf(),
                text: crate::source::decode(bytes),
            });
        }
    }
    // A folder with its own manifest is checked by it, not discovered.
    let dirs: Vec<PathBuf> = out
        .manifests
        .iter()
        .filter_map(|m| m.parent().map(Path::to_path_buf))
        .collect();
    out.kept
        .retain(|k| !dirs.iter().any(|d| k.path.starts_with(d)));
    // Nested manifests under another manifest's folder are that one's business.
    let all = dirs.clone();
    out.manifests.retain(|m| {
        let d = m.parent().unwrap_or(m);
        !all.iter().any(|o| o != d && d.starts_with(o))
    });
    out
}

/// Files kept by name whatever their content: a Helm chart's values file,
/// a `Procfile`, a `.env` (read by the compose reader beside its compose
/// file, never on its own).
fn is_named_config(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    name.starts_with("procfile")
        || (name.starts_with("values") && (name.ends_with(".yaml") || name.ends_with(".yml")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worth_reading_by_name() {
        for yes in [
            "settings.py",
            "my.cnf",
            "postgresql.conf",
            "pgbouncer.ini",
            "docker-compose.yml",
            "main.tf",
            "Procfile",
            "stack.json",
            "variables.txt",
        ] {
            assert!(worth_reading(Path::new(yes)), "{yes}");
        }
        for no in [
            "app.js",
            "logo.png",
            "README.md",
            "style.css",
            "Makefile",
            "x",
        ] {
            assert!(!worth_reading(Path::new(no)), "{no}");
        }
    }

    #[test]
    fn honours_gitignore_and_skips_vendored_folders() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let write = |p: &str, text: &str| {
            let p = root.join(p);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        };
        let settings = "DATABASES = {}\n";
        write(".gitignore", "ignored/\n");
        write("app/settings.py", settings);
        write("ignored/settings.py", settings);
        write("node_modules/x/settings.py", settings);
        write("env/pyvenv.cfg", "home = /usr\n");
        write("env/lib/settings.py", settings);
        write(".hidden/settings.py", settings);
        write("app/views.py", "def index(): pass\n");
        write("app/logo.png", "DATABASES");
        let w = walk(root, 1 << 20, None);
        let kept: Vec<String> = w
            .kept
            .iter()
            .map(|k| k.path.strip_prefix(root).unwrap().display().to_string())
            .collect();
        assert_eq!(kept, ["app/settings.py"]);
        // settings.py and views.py were read; the png, ignored and vendored files were not.
        assert_eq!(w.read, 2);
    }

    #[test]
    fn folders_with_their_own_manifest_are_left_to_it() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let write = |p: &str, text: &str| {
            let p = root.join(p);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        };
        write("a/settings.py", "DATABASES = {}\n");
        write("b/settings.py", "DATABASES = {}\n");
        write("b/timeoutlint.toml", "[[path]]\napp = \"settings.py\"\n");
        write("b/c/timeoutlint.toml", "[[path]]\napp = \"x.py\"\n");
        let w = walk(root, 1 << 20, None);
        let kept: Vec<_> = w
            .kept
            .iter()
            .map(|k| k.path.strip_prefix(root).unwrap().to_path_buf())
            .collect();
        assert_eq!(kept, [PathBuf::from("a/settings.py")]);
        assert_eq!(w.manifests, [root.join("b/timeoutlint.toml")]);
    }

    #[test]
    fn reads_nothing_outside_the_project_root() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        std::fs::create_dir_all(root.join("inner")).unwrap();
        std::fs::write(root.join("settings.py"), "DATABASES = {}\n").unwrap();
        std::fs::write(root.join("inner/settings.py"), "DATABASES = {}\n").unwrap();
        let w = walk(&root, 1 << 20, Some(&root.join("inner")));
        assert_eq!(w.read, 1);
        assert_eq!(w.kept.len(), 1);
        assert!(w.kept[0].path.ends_with("inner/settings.py"));
    }

    #[test]
    fn skips_files_over_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("settings.py"), "DATABASES = {}\n").unwrap();
        assert!(walk(dir.path(), 4, None).kept.is_empty());
        assert_eq!(walk(dir.path(), 1 << 20, None).kept.len(), 1);
    }
}
