//! Apache Superset's `superset_config.py`: the metadata-database engine
//! Superset builds through Flask-SQLAlchemy 2.x.
//!
//! Superset reads its defaults from `superset/config.py`, which ends with
//! `from superset_config import *` ("All configuration in this file can be
//! overridden by providing a superset_config in your PYTHONPATH", its module
//! docstring): `superset_config.py` only overrides. What differs from a plain
//! Flask-SQLAlchemy 3.x config ([`super::flask`]):
//! - Defaults from `apache/superset` `superset/config.py`:
//!   `SQLALCHEMY_DATABASE_URI` is
//!   `sqlite:///{DATA_DIR}/superset.db?check_same_thread=false` (SQLite: no
//!   network path) and `SQLALCHEMY_ENGINE_OPTIONS = {}`.
//! - Flask-SQLAlchemy is 2.5.1, not 3.x: Superset's `requirements/base.txt`
//!   pins `flask-sqlalchemy==2.5.1` (via flask-appbuilder, whose `setup.py`
//!   requires `Flask-SQLAlchemy>=2.4, <3`). In 2.5.1
//!   (`pallets-eco/flask-sqlalchemy@2.5.1:flask_sqlalchemy/__init__.py`,
//!   `_EngineConnector.get_options`):
//!   1. `apply_pool_defaults` passes `SQLALCHEMY_POOL_SIZE`, `_POOL_TIMEOUT`,
//!      `_POOL_RECYCLE` and `_MAX_OVERFLOW` when they are not `None`
//!      (deprecated, but honoured: not the 3.0 removal TL108 reports);
//!   2. `apply_driver_hacks`, for a URL whose driver name starts with
//!      `mysql` (but not `mysql+gaerdbms`), `setdefault`s `pool_size` 10 and
//!      `pool_recycle` 7200, whatever the pool class (3.x skips non-QueuePool
//!      classes and sets no `pool_size`);
//!   3. `SQLALCHEMY_ENGINE_OPTIONS` then overrides all of these.
//!
//! 2.5.1's SQLite hacks (NullPool for a file without `pool_size`,
//! StaticPool in memory) are not modelled: SQLite has no network path, so no
//! rule looks at those pools.

use std::path::Path;
use std::time::Duration;

use crate::parse::tree::{Key, Node, NodeKind};
use crate::provenance::{Origin, Sourced};
use crate::source::Span;
use crate::units::Retirement;

use super::flask::{ENGINE_OPTIONS, REMOVED, URI};
use super::sqlalchemy::{build_pool, default_recycle, read_options};
use super::url::parse_db_url;
use super::values::Ctx;
use super::{AppPool, Framework};

const SYSTEM: &str = "Superset";
const URI_DEFAULT: &str = "apache/superset superset/config.py (SQLALCHEMY_DATABASE_URI = sqlite:///{DATA_DIR}/superset.db?check_same_thread=false)";
const FSA_SYSTEM: &str = "Superset / Flask-SQLAlchemy 2.5.1";
const FSA_MYSQL: &str = "pallets-eco/flask-sqlalchemy@2.5.1:flask_sqlalchemy/__init__.py apply_driver_hacks (MySQL: setdefault pool_size 10, pool_recycle 7200); apache/superset requirements/base.txt (flask-sqlalchemy==2.5.1)";

/// The text of Superset's default metadata URL, with `DATA_DIR` left as written.
pub const DEFAULT_URI: &str = "sqlite:///{DATA_DIR}/superset.db?check_same_thread=false";

/// The MySQL pool defaults Flask-SQLAlchemy 2.5.1 sets: `pool_size` 10
/// (connections) and `pool_recycle` 7200 (seconds).
pub const MYSQL_POOL_SIZE: u64 = 10;
/// See [`MYSQL_POOL_SIZE`].
pub const MYSQL_POOL_RECYCLE_SECS: u64 = 7200;

/// Whether `path` is a Superset config module: the file Superset imports is
/// the module `superset_config` (`superset_config.py`; Python module names
/// are case-sensitive).
pub fn is_superset_config(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n == "superset_config.py")
}

/// Who sets the MySQL defaults of a plain Flask app pinned to 2.x.
const FSA2_SYSTEM: &str = "Flask-SQLAlchemy 2.x";
const FSA2_MYSQL: &str = "pallets-eco/flask-sqlalchemy tags 2.0 to 2.5.1, flask_sqlalchemy/__init__.py apply_driver_hacks (drivername starts with mysql, not mysql+gaerdbms: setdefault pool_size 10, pool_recycle 7200); the version pinned in the project's dependency files";

/// Reads the Flask keys of `root` (a mapping of module-level settings) as
/// Flask-SQLAlchemy 2.x builds the engine (the steps in the module docs),
/// named `default` and anchored at `first` (the first Flask key, or the
/// file start when Superset's file sets none): Superset's (`superset`, over
/// its defaults), or a
/// plain Flask app whose dependency files pin 2.x (see [`super::pins`]),
/// which has no default URI (a missing one is reported as for 3.x).
/// `SQLALCHEMY_ENGINE_OPTIONS` exists from 2.4; an older pin that sets it is
/// read as 2.4 would (not modelled: before 2.4 it is ignored).
pub(super) fn read_v2(
    ctx: &mut Ctx<'_>,
    root: &Node,
    first: &Key,
    pools: &mut Vec<AppPool>,
    superset: bool,
) {
    let (framework, system, mysql_source) = if superset {
        (Framework::Superset, FSA_SYSTEM, FSA_MYSQL)
    } else {
        (Framework::FlaskSqlAlchemy, FSA2_SYSTEM, FSA2_MYSQL)
    };
    let (uri_key, uri) = match root.entry(URI) {
        Some((k, v)) => (k.clone(), v.clone()),
        None if !superset => {
            let msg = format!(
                "missing {URI}: {} is set without it; no Flask-SQLAlchemy engine is read",
                first.text
            );
            ctx.invalid(
                first.span,
                msg,
                "add SQLALCHEMY_DATABASE_URI next to this key",
            );
            return;
        }
        None => {
            let node = Node::new(NodeKind::Str(DEFAULT_URI.to_string()), first.span);
            let origin =
                Origin::default_of(SYSTEM, URI_DEFAULT).anchored(Some(ctx.loc(first.span)));
            ctx.origins.push((first.span, origin));
            (first.clone(), node)
        }
    };
    let is_mysql = uri
        .as_str()
        .and_then(|s| parse_db_url(s).ok())
        .is_some_and(|u| {
            let name = match &u.driver_name {
                Some(d) => format!("{}+{d}", u.dialect),
                None => u.dialect.clone(),
            };
            name.starts_with("mysql") && name != "mysql+gaerdbms"
        });
    // 1. the deprecated SQLALCHEMY_POOL_* keys, 2. (below) the MySQL
    // defaults, 3. SQLALCHEMY_ENGINE_OPTIONS over both.
    let mut merged: Vec<(Key, Node)> = Vec::new();
    for (key, value) in root.as_map().unwrap_or(&[]) {
        if !REMOVED.contains(&key.text.as_str()) || matches!(value.kind, NodeKind::Null) {
            continue;
        }
        let option = key
            .text
            .strip_prefix("SQLALCHEMY_")
            .unwrap_or(&key.text)
            .to_ascii_lowercase();
        set(
            &mut merged,
            Key {
                text: option,
                span: key.span,
            },
            value.clone(),
        );
    }
    if let Some(o) = root
        .get(ENGINE_OPTIONS)
        .and_then(|o| ctx.mapping(ENGINE_OPTIONS, o))
    {
        for (k, v) in o.as_map().unwrap_or(&[]) {
            set(&mut merged, k.clone(), v.clone());
        }
    }
    let fallback = if is_mysql {
        "the Flask-SQLAlchemy 2.x default 7200 s is used"
    } else {
        "the SQLAlchemy default -1 (never) is used"
    };
    let map = Node::new(NodeKind::Map(merged), uri_key.span);
    let mut opts = read_options(ctx, &map, fallback);
    let anchor = ctx.loc(uri_key.span);
    let implicit = |s| Origin::default_of(system, s).anchored(Some(anchor));
    let recycle_default = if is_mysql {
        Sourced::new(
            Retirement::After(Duration::from_secs(MYSQL_POOL_RECYCLE_SECS)),
            implicit(mysql_source),
        )
    } else {
        default_recycle(anchor)
    };
    if is_mysql && opts.pool_size.is_none() {
        opts.pool_size = Some(Sourced::new(MYSQL_POOL_SIZE, implicit(mysql_source)));
    }
    let pool = build_pool(
        ctx,
        "default",
        framework,
        &uri_key,
        Some(&uri),
        opts,
        recycle_default,
    );
    pools.push(pool);
}

/// Sets `key` in `entries`, replacing an earlier value (a later source wins).
fn set(entries: &mut Vec<(Key, Node)>, key: Key, value: Node) {
    match entries.iter_mut().find(|(k, _)| k.text == key.text) {
        Some(e) => *e = (key, value),
        None => entries.push((key, value)),
    }
}

/// What a Superset pool is anchored at when the file sets no Flask key: the
/// file start.
pub(super) fn file_anchor() -> Key {
    Key {
        text: "superset_config.py".to_string(),
        span: Span::new(0, 0),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::diagnostic::Diagnostic;
    use crate::env::EnvValues;
    use crate::source::SourceMap;
    use crate::systems::app::{AppSettings, Backend, Overrides, python};

    fn read_as(name: &str, text: &str) -> (AppSettings, Vec<Diagnostic>, SourceMap) {
        let mut sources = SourceMap::new(None);
        let file = sources.add(Path::new(name), text.to_string());
        let mut diags = Vec::new();
        let s = python::read_python(
            file,
            None,
            &EnvValues::new(),
            &Overrides::default(),
            &mut sources,
            &mut diags,
        );
        (s, diags, sources)
    }

    fn read(text: &str) -> (AppSettings, Vec<Diagnostic>, SourceMap) {
        read_as("docker/pythonpath_dev/superset_config.py", text)
    }

    fn secs(r: &Retirement) -> Option<u64> {
        match r {
            Retirement::After(d) => Some(d.as_secs()),
            Retirement::Never => None,
        }
    }

    #[test]
    fn recognised_by_module_name_only() {
        for (path, want) in [
            ("superset_config.py", true),
            ("deploy/pythonpath/superset_config.py", true),
            ("Superset_Config.py", false),
            ("superset_config.yaml", false),
            ("config.py", false),
            ("superset/config.py", false),
        ] {
            assert_eq!(is_superset_config(Path::new(path)), want, "{path}");
        }
    }

    #[test]
    fn mysql_gets_flask_sqlalchemy_2_defaults_located_at_the_uri() {
        let (s, d, sources) = read(
            "SECRET_KEY = 'x'\nSQLALCHEMY_DATABASE_URI = 'mysql+mysqldb://superset@db/superset'\n",
        );
        assert!(d.is_empty(), "{d:?}");
        let p = &s.pools[0];
        assert_eq!(p.framework, Framework::Superset);
        assert_eq!(p.backend.value, Backend::MySql);
        assert_eq!(secs(&p.retirement.value), Some(7200));
        let described = p.retirement.origin.describe(&sources);
        assert!(described.contains("Flask-SQLAlchemy 2.5.1"), "{described}");
        assert!(described.contains("apply_driver_hacks"), "{described}");
        let size = p.pool_size.as_ref().unwrap();
        assert_eq!(size.value, 10);
        assert!(!size.origin.is_explicit());
        // Anchored at the URI key.
        let at = p.retirement.origin.location().unwrap();
        assert_eq!(sources.text_at(at), "SQLALCHEMY_DATABASE_URI");
        assert!(p.removed_keys.is_empty());
    }

    #[test]
    fn legacy_pool_keys_are_honoured_and_engine_options_win() {
        let text = "SQLALCHEMY_DATABASE_URI = 'mysql://h/db'\nSQLALCHEMY_POOL_RECYCLE = 3000\nSQLALCHEMY_POOL_SIZE = 4\nSQLALCHEMY_ENGINE_OPTIONS = {'pool_recycle': 280}\n";
        let (s, d, sources) = read(text);
        assert!(d.is_empty(), "{d:?}");
        let p = &s.pools[0];
        // Flask-SQLAlchemy 2.x passes SQLALCHEMY_POOL_*; 3.0 removed them (TL108).
        assert!(p.removed_keys.is_empty());
        assert_eq!(secs(&p.retirement.value), Some(280));
        assert_eq!(
            sources.text_at(p.retirement.origin.location().unwrap()),
            "280"
        );
        let size = p.pool_size.as_ref().unwrap();
        assert_eq!(size.value, 4);
        assert_eq!(sources.text_at(size.origin.location().unwrap()), "4");

        let (s, _, _) =
            read("SQLALCHEMY_DATABASE_URI = 'mysql://h/db'\nSQLALCHEMY_POOL_RECYCLE = 3000\n");
        assert_eq!(secs(&s.pools[0].retirement.value), Some(3000));

        // The same keys in a plain Flask config are Flask-SQLAlchemy 3.x's removed keys.
        let (s, _, _) = read_as("config.py", text);
        assert_eq!(s.pools[0].framework, Framework::FlaskSqlAlchemy);
        assert_eq!(s.pools[0].removed_keys.len(), 2);
    }

    #[test]
    fn mysql_defaults_apply_whatever_the_pool_class_and_not_to_postgresql() {
        let (s, _, _) = read(
            "from sqlalchemy.pool import NullPool\nSQLALCHEMY_DATABASE_URI = 'mysql+pymysql://h/db'\nSQLALCHEMY_ENGINE_OPTIONS = {'poolclass': NullPool}\n",
        );
        assert_eq!(secs(&s.pools[0].retirement.value), Some(7200));
        let (s, _, sources) = read("SQLALCHEMY_DATABASE_URI = 'postgresql+psycopg2://h/db'\n");
        let p = &s.pools[0];
        assert_eq!(p.retirement.value, Retirement::Never);
        assert!(
            p.retirement
                .origin
                .describe(&sources)
                .contains("SQLAlchemy")
        );
        assert_eq!(p.pool_size.as_ref().map(|s| s.value), Some(5));
    }

    #[test]
    fn no_uri_is_supersets_sqlite_default() {
        let (s, d, sources) = read("SECRET_KEY = 'x'\nROW_LIMIT = 5000\n");
        assert!(d.is_empty(), "{d:?}");
        let p = &s.pools[0];
        assert_eq!(p.framework, Framework::Superset);
        assert_eq!(p.backend.value, Backend::Sqlite);
        let described = p.backend.origin.describe(&sources);
        assert!(described.contains("superset/config.py"), "{described}");

        // Engine options without a URI: still Superset's SQLite, no TL002.
        let (s, d, _) = read("SQLALCHEMY_ENGINE_OPTIONS = {'pool_pre_ping': True}\n");
        assert!(d.is_empty(), "{d:?}");
        assert!(s.pools[0].validation.value);
        assert_eq!(s.pools[0].backend.value, Backend::Sqlite);
    }

    #[test]
    fn unknown_uri_is_reported_once_not_guessed() {
        let (s, d, _) = read("import os\nSQLALCHEMY_DATABASE_URI = os.environ['SUPERSET_DB']\n");
        assert_eq!(s.pools.len(), 1);
        assert_ne!(s.pools[0].backend.value, Backend::Sqlite);
        let codes: Vec<&str> = d.iter().map(|d| d.code.id).collect();
        assert_eq!(codes, ["TL012"], "{d:?}");
    }
}
