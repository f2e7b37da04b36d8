//! Tests of app settings: each shape in YAML and TOML, defaults and their
//! anchors, Flask-SQLAlchemy quirks, Django values, type errors and redaction.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::*;

struct Loaded {
    sources: SourceMap,
    diags: Vec<Diagnostic>,
    settings: AppSettings,
}

impl Loaded {
    fn text(&self) -> &str {
        self.sources.get(self.settings.file).masked_text()
    }

    fn at(&self, origin: &Origin) -> &str {
        match origin {
            Origin::File(l) => self.sources.text_at(*l),
            other => panic!("expected a file origin, got {other:?}"),
        }
    }

    fn pool(&self, name: &str) -> &AppPool {
        self.settings
            .pools
            .iter()
            .find(|p| p.name == name)
            .unwrap_or_else(|| panic!("no pool {name}"))
    }

    /// Asserts a default of `system` anchored at the text `anchor`.
    fn assert_default(&self, origin: &Origin, system: &str, anchor: &str) {
        match origin {
            Origin::Default {
                system: s,
                source,
                anchor: Some(a),
            } => {
                assert_eq!(*s, system);
                assert!(!source.is_empty());
                assert_eq!(self.sources.text_at(*a), anchor);
            }
            other => panic!("expected a default of {system}, got {other:?}"),
        }
    }

    fn codes(&self) -> Vec<&'static str> {
        self.diags.iter().map(|d| d.code.id).collect()
    }
}

fn load(name: &str, text: &str) -> Loaded {
    let mut sources = SourceMap::new(None);
    let id = sources.add(Path::new(name), text.to_string());
    let mut diags = Vec::new();
    let settings = read_app(id, &mut sources, &mut diags);
    check_messages(&diags);
    Loaded {
        sources,
        diags,
        settings,
    }
}

fn fixture(name: &str) -> Loaded {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/app")
        .join(name);
    let mut sources = SourceMap::new(None);
    let mut diags = Vec::new();
    let settings = load_app(&path, &mut sources, &mut diags).unwrap();
    check_messages(&diags);
    Loaded {
        sources,
        diags,
        settings,
    }
}

/// Style of every message: lower-case start, no trailing period, no URL.
fn check_messages(diags: &[Diagnostic]) {
    for d in diags {
        let first = d.message.chars().next().unwrap();
        assert!(!first.is_uppercase(), "{}", d.message);
        assert!(!d.message.ends_with('.'), "{}", d.message);
        assert!(!d.message.contains("://"), "{}", d.message);
    }
}

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

fn after(n: u64) -> Retirement {
    Retirement::After(secs(n))
}

#[test]
fn sqlalchemy_named_engines_yaml() {
    let l = fixture("sqlalchemy_engines.yaml");
    assert!(l.diags.is_empty(), "{:?}", l.diags);
    let names: Vec<_> = l.settings.pools.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["primary", "replica"]);

    let p = l.pool("primary");
    assert_eq!(p.framework, Framework::SqlAlchemy);
    assert_eq!(p.backend.value, Backend::MySql);
    assert_eq!(p.driver.value, Driver::PyMySql);
    assert_eq!(l.at(&p.driver.origin), "mysql+pymysql");
    assert_eq!(l.sources.text_at(p.anchor), "primary");
    assert_eq!(p.retirement.value, after(3600));
    assert_eq!(l.at(&p.retirement.origin), "3600");
    assert!(p.validation.value);
    assert_eq!(p.pool_size.as_ref().unwrap().value, 20);
    assert_eq!(
        p.max_overflow.as_ref().unwrap().value,
        u64::MAX,
        "-1 = no overflow limit"
    );
    let pool_timeout = p.pool_timeout.as_ref().unwrap();
    assert_eq!(pool_timeout.value, secs(30));
    l.assert_default(&pool_timeout.origin, "SQLAlchemy", "primary");
    assert_eq!(p.connect_timeout.value, Some(secs(5)));
    assert_eq!(l.at(&p.connect_timeout.origin), "5");
    assert_eq!(p.read_timeout.value, Some(secs(30)), "from the URL query");
    assert_eq!(l.at(&p.read_timeout.origin), "30");
    assert_eq!(p.write_timeout.value, None);
    l.assert_default(&p.write_timeout.origin, "PyMySQL", "primary");

    let r = l.pool("replica");
    assert_eq!(r.driver.value, Driver::MysqlConnector { use_pure: true });
    assert_eq!(enables_so_keepalive(&r.driver.value), Some(false));
    assert_eq!(r.connect_timeout.value, Some(Duration::from_millis(2500)));
    assert_eq!(r.retirement.value, Retirement::Never);
    l.assert_default(&r.retirement.origin, "SQLAlchemy", "replica");
    assert!(!r.validation.value);
}

#[test]
fn sqlalchemy_single_engine_toml() {
    let l = fixture("sqlalchemy_single.toml");
    assert!(l.diags.is_empty(), "{:?}", l.diags);
    assert_eq!(l.settings.pools.len(), 1);
    let p = l.pool("default");
    assert_eq!(l.sources.text_at(p.anchor), "sqlalchemy");
    assert_eq!(p.driver.value, Driver::MysqlClient);
    assert_eq!(l.at(&p.driver.origin), "mysql");
    assert_eq!(
        p.retirement.value,
        Retirement::After(Duration::from_millis(280_500))
    );
    assert_eq!(l.at(&p.retirement.origin), "280.5");
    assert_eq!(p.pool_timeout.as_ref().unwrap().value, secs(10));
    assert_eq!(p.connect_timeout.value, Some(secs(7)));
    assert_eq!(l.at(&p.connect_timeout.origin), "7");
    assert_eq!(p.read_timeout.value, Some(secs(60)));
    l.assert_default(&p.write_timeout.origin, "mysqlclient", "sqlalchemy");
    assert!(!l.text().contains("t0ml-secret"));
    assert!(l.text().contains("@10.0.0.5:3306/orders"));
}

#[test]
fn yaml_and_toml_read_the_same() {
    let y = load(
        "a.yaml",
        "sqlalchemy:\n  url: postgresql+psycopg://u@h/db\n  pool_recycle: 300\n  pool_pre_ping: true\n  pool_size: 3\n",
    );
    let t = load(
        "a.toml",
        "[sqlalchemy]\nurl = 'postgresql+psycopg://u@h/db'\npool_recycle = 300\npool_pre_ping = true\npool_size = 3\n",
    );
    for l in [&y, &t] {
        assert!(l.diags.is_empty(), "{:?}", l.diags);
        let p = l.pool("default");
        assert_eq!(p.backend.value, Backend::PostgreSql);
        assert_eq!(p.driver.value, Driver::Psycopg);
        assert_eq!(l.at(&p.driver.origin), "postgresql+psycopg");
        assert_eq!(p.retirement.value, after(300));
        assert!(p.validation.value);
        assert_eq!(p.pool_size.as_ref().unwrap().value, 3);
        assert_eq!(enables_so_keepalive(&p.driver.value), Some(true));
    }
}

#[test]
fn sqlalchemy_defaults_are_anchored_at_the_engine_key() {
    let l = load(
        "a.yaml",
        "# é\nsqlalchemy:\n  url: mysql+pymysql://u@h/db\n",
    );
    assert!(l.diags.is_empty());
    let p = l.pool("default");
    assert_eq!(p.retirement.value, Retirement::Never);
    l.assert_default(&p.retirement.origin, "SQLAlchemy", "sqlalchemy");
    assert!(matches!(
        p.retirement.origin,
        Origin::Default { source, .. } if source == "https://docs.sqlalchemy.org/en/20/core/engines.html#sqlalchemy.create_engine.params.pool_recycle"
    ));
    assert!(!p.validation.value);
    l.assert_default(&p.validation.origin, "SQLAlchemy", "sqlalchemy");
    assert_eq!(p.pool_size.as_ref().unwrap().value, 5);
    assert_eq!(p.max_overflow.as_ref().unwrap().value, 10);
    assert_eq!(p.pool_timeout.as_ref().unwrap().value, secs(30));
    assert_eq!(p.connect_timeout.value, Some(secs(10)), "PyMySQL default");
    l.assert_default(&p.connect_timeout.origin, "PyMySQL", "sqlalchemy");
    assert_eq!(p.read_timeout.value, None);
}

#[test]
fn negative_pool_recycle_is_never_and_connect_args_win_over_query() {
    let l = load(
        "a.yaml",
        "sqlalchemy:\n  url: mysql://u@h/db?connect_timeout=9&write_timeout=4\n  pool_recycle: -5\n  connect_args: {connect_timeout: 2}\n",
    );
    let p = l.pool("default");
    assert_eq!(p.retirement.value, Retirement::Never);
    assert_eq!(l.at(&p.retirement.origin), "-5");
    assert_eq!(p.connect_timeout.value, Some(secs(2)));
    assert_eq!(p.write_timeout.value, Some(secs(4)));
    assert_eq!(l.at(&p.write_timeout.origin), "4");
}

#[test]
fn flask_implicit_recycle_and_removed_keys() {
    let l = fixture("flask.yaml");
    assert!(l.diags.is_empty(), "{:?}", l.diags);
    let p = l.pool("default");
    assert_eq!(p.framework, Framework::FlaskSqlAlchemy);
    assert_eq!(p.retirement.value, after(7200));
    l.assert_default(
        &p.retirement.origin,
        "Flask-SQLAlchemy 3.x",
        "SQLALCHEMY_DATABASE_URI",
    );
    assert!(p.validation.value);
    assert_eq!(
        p.pool_size.as_ref().unwrap().value,
        5,
        "SQLALCHEMY_POOL_SIZE is ignored"
    );
    let removed: Vec<_> = p
        .removed_keys
        .iter()
        .map(|(k, loc)| (k.as_str(), l.sources.text_at(*loc)))
        .collect();
    assert_eq!(
        removed,
        [
            ("SQLALCHEMY_POOL_RECYCLE", "SQLALCHEMY_POOL_RECYCLE"),
            ("SQLALCHEMY_POOL_SIZE", "SQLALCHEMY_POOL_SIZE")
        ]
    );
    assert!(!l.text().contains("fl4sk%40pw"));
}

#[test]
fn flask_implicit_recycle_only_for_mysql_without_explicit_value() {
    let cases: &[(&str, Retirement, &str)] = &[
        (
            "SQLALCHEMY_DATABASE_URI: mysql://u@h/db\n",
            after(7200),
            "Flask-SQLAlchemy 3.x",
        ),
        (
            "SQLALCHEMY_DATABASE_URI: mysql+asyncmy://u@h/db\n",
            after(7200),
            "Flask-SQLAlchemy 3.x",
        ),
        (
            "SQLALCHEMY_DATABASE_URI: postgresql://u@h/db\n",
            Retirement::Never,
            "SQLAlchemy",
        ),
        (
            "SQLALCHEMY_DATABASE_URI: sqlite:///app.db\n",
            Retirement::Never,
            "SQLAlchemy",
        ),
        // Flask-SQLAlchemy tests `drivername.startswith("mysql")`: mariadb:// does not match.
        (
            "SQLALCHEMY_DATABASE_URI: mariadb+mariadbconnector://u@h/db\n",
            Retirement::Never,
            "SQLAlchemy",
        ),
        (
            "SQLALCHEMY_DATABASE_URI: mysql://u@h/db\nSQLALCHEMY_ENGINE_OPTIONS: {pool_class: sqlalchemy.pool.NullPool}\n",
            Retirement::Never,
            "SQLAlchemy",
        ),
    ];
    for (text, want, system) in cases {
        let l = load("f.yaml", text);
        assert!(l.diags.is_empty(), "{text}: {:?}", l.diags);
        let p = l.pool("default");
        assert_eq!(p.retirement.value, *want, "{text}");
        l.assert_default(&p.retirement.origin, system, "SQLALCHEMY_DATABASE_URI");
    }
    let explicit = load(
        "f.toml",
        "SQLALCHEMY_DATABASE_URI = 'mysql://u@h/db'\nSQLALCHEMY_POOL_RECYCLE = 100\n[SQLALCHEMY_ENGINE_OPTIONS]\npool_recycle = 280\n",
    );
    let p = explicit.pool("default");
    assert_eq!(p.retirement.value, after(280));
    assert_eq!(explicit.at(&p.retirement.origin), "280");
    assert_eq!(p.removed_keys.len(), 1);
}

#[test]
fn flask_options_without_uri_is_an_error() {
    let l = load(
        "f.yaml",
        "SQLALCHEMY_ENGINE_OPTIONS:\n  pool_recycle: 300\n",
    );
    assert!(l.settings.pools.is_empty());
    assert_eq!(l.codes(), ["TL002"]);
    assert!(l.diags[0].message.contains("SQLALCHEMY_DATABASE_URI"));
}

#[test]
fn django_aliases_toml() {
    let l = fixture("django.toml");
    assert!(l.diags.is_empty(), "{:?}", l.diags);
    let names: Vec<_> = l.settings.pools.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["default", "analytics"]);
    let d = l.pool("default");
    assert_eq!(d.framework, Framework::Django);
    assert_eq!(d.backend.value, Backend::MySql);
    assert_eq!(d.driver.value, Driver::MysqlClient);
    assert_eq!(l.at(&d.driver.origin), "\"django.db.backends.mysql\"");
    assert_eq!(d.retirement.value, after(600));
    assert!(d.validation.value);
    assert_eq!(d.connect_timeout.value, Some(secs(3)));
    assert_eq!(d.read_timeout.value, Some(secs(20)));
    assert!(d.pool_size.is_none() && d.pool_timeout.is_none() && d.max_overflow.is_none());

    let a = l.pool("analytics");
    assert_eq!(a.backend.value, Backend::PostgreSql);
    assert_eq!(a.driver.value, Driver::Psycopg);
    assert_eq!(a.retirement.value, after(0));
    l.assert_default(&a.retirement.origin, "Django", "analytics");
    assert!(matches!(
        a.retirement.origin,
        Origin::Default { source, .. } if source == "https://docs.djangoproject.com/en/5.2/ref/settings/#conn-max-age"
    ));
    assert!(!a.validation.value);
    l.assert_default(&a.validation.origin, "Django", "analytics");

    assert!(!l.text().contains("dj4ngo-secret"));
    assert!(!l.text().contains("an4lytics"));
    assert!(l.text().contains("db.internal"));
}

#[test]
fn django_conn_max_age_values() {
    let text = |v: &str| {
        format!(
            "DATABASES:\n  default:\n    ENGINE: django.db.backends.mysql\n    CONN_MAX_AGE: {v}\n"
        )
    };
    let null = load("s.yaml", &text("null"));
    let p = null.pool("default");
    assert_eq!(p.retirement.value, Retirement::Never);
    assert_eq!(null.at(&p.retirement.origin), "null");

    let zero = load("s.yaml", &text("0"));
    assert_eq!(zero.pool("default").retirement.value, after(0));
    assert!(zero.pool("default").retirement.origin.is_explicit());

    let int = load("s.yaml", &text("300"));
    assert_eq!(int.pool("default").retirement.value, after(300));

    for bad in ["-1", "\"600\"", "true"] {
        let l = load("s.yaml", &text(bad));
        assert_eq!(l.codes(), ["TL002"], "{bad}");
        let d = &l.diags[0];
        assert_eq!(l.sources.text_at(d.primary.location.unwrap()), bad);
        assert!(d.message.contains("CONN_MAX_AGE"), "{}", d.message);
        let p = l.pool("default");
        assert_eq!(p.retirement.value, after(0), "default used");
        assert!(!p.retirement.origin.is_explicit());
    }
}

#[test]
fn django_engines_and_health_checks() {
    let l = load(
        "s.yaml",
        "DATABASES:\n  a:\n    ENGINE: mysql.connector.django\n    CONN_HEALTH_CHECKS: true\n    OPTIONS:\n      use_pure: true\n      connection_timeout: 4\n  b:\n    ENGINE: django.db.backends.sqlite3\n  c:\n    NAME: x\n  d:\n    ENGINE: mssql\n",
    );
    let a = l.pool("a");
    assert_eq!(a.driver.value, Driver::MysqlConnector { use_pure: true });
    assert!(a.validation.value);
    assert_eq!(a.connect_timeout.value, Some(secs(4)));
    assert_eq!(l.pool("b").backend.value, Backend::Sqlite);
    assert_eq!(l.pool("c").backend.value, Backend::Other);
    assert_eq!(l.pool("d").driver.value, Driver::Other("mssql".into()));
    assert_eq!(l.codes(), ["TL002"], "missing ENGINE on c");
    assert_eq!(l.sources.text_at(l.diags[0].primary.location.unwrap()), "c");
}

#[test]
fn type_errors_are_tl002_at_the_value_and_use_defaults() {
    let l = load(
        "a.yaml",
        "# ü\nsqlalchemy:\n  url: mysql+pymysql://u@h/db?read_timeout=abc\n  pool_recycle: \"${RECYCLE}\"\n  pool_pre_ping: \"yes\"\n  pool_size: -1\n  pool_timeout: .nan\n  connect_args:\n    connect_timeout: 0\n",
    );
    let at: Vec<_> = l
        .diags
        .iter()
        .map(|d| (d.code.id, l.sources.text_at(d.primary.location.unwrap())))
        .collect();
    assert_eq!(
        at,
        [
            ("TL002", "\"${RECYCLE}\""),
            ("TL002", "\"yes\""),
            ("TL002", "-1"),
            ("TL002", ".nan"),
            ("TL002", "0"),
            ("TL002", "abc"),
        ]
    );
    assert!(
        l.diags[0]
            .message
            .contains("invalid pool_recycle = \"${RECYCLE}\": not a number of seconds"),
        "{}",
        l.diags[0].message
    );
    assert!(l.diags[0].message.contains("seconds"));
    let p = l.pool("default");
    assert_eq!(p.retirement.value, Retirement::Never);
    assert!(!p.validation.value);
    assert_eq!(p.pool_size.as_ref().unwrap().value, 5);
    assert_eq!(p.pool_timeout.as_ref().unwrap().value, secs(30));
    assert_eq!(p.connect_timeout.value, Some(secs(10)));
    assert_eq!(p.read_timeout.value, None);
}

#[test]
fn bad_urls_are_tl002_without_the_url() {
    let l = load(
        "a.yaml",
        "sqlalchemy:\n  a:\n    url: \"${DATABASE_URL}\"\n  b:\n    url: 5\n",
    );
    assert_eq!(l.codes(), ["TL002", "TL002"]);
    assert!(!l.diags[0].message.contains("DATABASE_URL"));
    assert_eq!(l.pool("a").backend.value, Backend::Other);
    assert_eq!(l.pool("b").driver.value, Driver::Other("unknown".into()));
}

#[test]
fn syntax_errors_give_no_pools_and_still_redact() {
    let l = fixture("broken.yaml");
    assert_eq!(l.codes(), ["TL001"]);
    assert!(l.diags[0].message.starts_with("invalid YAML: "));
    assert!(l.settings.pools.is_empty());
    assert!(!l.text().contains("br0ken-secret"), "{}", l.text());
    assert!(!l.text().contains("plain-br0ken"), "{}", l.text());

    let m = load(
        "a.yaml",
        "a: [\nurl: émysql://u:s3c@h é\nPASSWORD = 'ü-pw'\n",
    );
    assert_eq!(m.codes(), ["TL001"]);
    assert!(
        !m.text().contains("s3c") && !m.text().contains("ü-pw"),
        "{}",
        m.text()
    );

    let t = load("a.toml", "[sqlalchemy]\nurl = mysql://u:x@h\n");
    assert_eq!(t.codes(), ["TL001"]);
    assert!(t.diags[0].message.starts_with("invalid TOML: "));
    assert!(!t.text().contains(":x@"));
}

#[test]
fn files_without_a_known_shape() {
    for (name, text) in [
        ("n.yaml", "server:\n  port: 8080\n"),
        ("e.yaml", ""),
        ("c.yaml", "# only a comment\n"),
        ("l.yaml", "- 1\n- 2\n"),
        ("e.toml", ""),
    ] {
        let l = load(name, text);
        assert_eq!(l.codes(), ["TL002"], "{name}");
        assert_eq!(l.diags[0].primary.location.unwrap().span, Span::new(0, 0));
        assert!(l.diags[0].message.contains("DATABASES"));
        assert!(l.settings.pools.is_empty());
    }
    let f = fixture("not_app.yaml");
    assert_eq!(f.codes(), ["TL002"]);
}

#[test]
fn several_shapes_and_documents_in_file_order() {
    let l = load(
        "m.yaml",
        "DATABASES:\n  dj:\n    ENGINE: django.db.backends.mysql\nSQLALCHEMY_DATABASE_URI: mysql://u@h/db\nsqlalchemy:\n  url: sqlite://\n---\nsqlalchemy:\n  second:\n    url: mysql://u@h/db\n",
    );
    assert!(l.diags.is_empty(), "{:?}", l.diags);
    let got: Vec<_> = l
        .settings
        .pools
        .iter()
        .map(|p| (p.name.as_str(), p.framework))
        .collect();
    assert_eq!(
        got,
        [
            ("dj", Framework::Django),
            ("default", Framework::FlaskSqlAlchemy),
            ("default", Framework::SqlAlchemy),
            ("second", Framework::SqlAlchemy),
        ]
    );
}

#[test]
fn passwords_are_redacted_everywhere() {
    let yaml = "sqlalchemy:\n  url: \"mysql+pymysql://app:pä55@w:rd@h/db?password=qp4ss\"\n  connect_args:\n    password: ca-s3cret\n    passwd: 12345678\nDATABASES:\n  default:\n    ENGINE: django.db.backends.mysql\n    PASSWORD: 'dj-s3cret'\n    OPTIONS: {password: opt-s3cret}\nextra:\n  - url: postgresql://x:list-s3cret@h/db\n";
    let l = load("r.yaml", yaml);
    for secret in [
        "pä55@w:rd",
        "qp4ss",
        "ca-s3cret",
        "12345678",
        "dj-s3cret",
        "opt-s3cret",
        "list-s3cret",
    ] {
        assert!(!l.text().contains(secret), "{secret} in {}", l.text());
        for d in &l.diags {
            assert!(!d.message.contains(secret));
        }
    }
    assert_eq!(l.text().len(), yaml.len(), "offsets kept");
    assert!(l.text().contains("mysql+pymysql://app:"));
    assert_eq!(l.pool("default").driver.value, Driver::PyMySql);

    // A TOML string with an escape: the password cannot be located exactly, so
    // the whole value is redacted.
    let toml = "[sqlalchemy]\nurl = \"mysql://u:esc\\u0061pe@h/db\"\n";
    let t = load("r.toml", toml);
    assert!(!t.text().contains("esc"), "{}", t.text());
    assert_eq!(t.pool("default").backend.value, Backend::MySql);
}

#[test]
fn odd_inputs_never_panic() {
    let inputs = [
        "sqlalchemy: 5\n",
        "sqlalchemy: [1, 2]\n",
        "sqlalchemy: {}\n",
        "sqlalchemy:\n  url: ~\n",
        "sqlalchemy:\n  url: mysql://h\n  connect_args: 3\n",
        "sqlalchemy:\n  url: \"mysql://\"\n  pool_recycle: 1e308\n  pool_timeout: 99999999999999999999\n",
        "sqlalchemy:\n  url: \"mysql://u:@\"\n  pool_recycle: .inf\n",
        "sqlalchemy:\n  url: \"+://\"\n",
        "DATABASES: 1\n",
        "DATABASES:\n  a: 1\n  b: {ENGINE: [1], OPTIONS: x, CONN_MAX_AGE: 1.5}\n",
        "SQLALCHEMY_DATABASE_URI: 5\nSQLALCHEMY_ENGINE_OPTIONS: 5\n",
        "SQLALCHEMY_POOL_SIZE: 5\n",
        "? [a, b]\n: 1\n",
        "&a {sqlalchemy: {url: 'mysql://h'}}\n",
        "a: &x {url: 'mysql://h'}\nsqlalchemy: *x\n",
        "\u{feff}sqlalchemy:\r\n  url: mysql://u:p@h\r\n",
        "password: [1, 2]\nsqlalchemy: {url: 'a://b:c@d'}\n",
        "password:\n",
    ];
    for text in inputs {
        let l = load("odd.yaml", text);
        assert!(!l.text().is_empty() || text.is_empty());
    }
    let l = load(
        "a.yaml",
        "sqlalchemy:\n  url: \"mysql://\"\n  pool_recycle: 1e308\n",
    );
    assert_eq!(l.codes(), ["TL002"], "too large");
    let b = load(
        "odd.yaml",
        "DATABASES:\n  b: {ENGINE: django.db.backends.mysql, CONN_MAX_AGE: 1.5}\n",
    );
    assert_eq!(
        b.pool("b").retirement.value,
        Retirement::After(Duration::from_millis(1500))
    );
}

#[test]
fn every_prefix_of_the_fixtures_loads_without_panic() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/app");
    for name in [
        "sqlalchemy_engines.yaml",
        "sqlalchemy_single.toml",
        "flask.yaml",
        "django.toml",
    ] {
        let text = std::fs::read_to_string(dir.join(name)).unwrap();
        for (i, _) in text.char_indices() {
            for ext in ["x.yaml", "x.toml"] {
                let _ = load(ext, &text[..i]);
            }
        }
    }
}

// ---- PostgreSQL drivers, libpq / asyncpg parameters, driver options, Django pool ----

fn assert_no_secret(l: &Loaded) {
    for secret in ["pg-s3cret", "dj4ngo-pg-secret"] {
        assert!(!l.text().contains(secret));
    }
}

#[test]
fn psycopg2_libpq_parameters_from_connect_args() {
    let l = fixture("pg_engines.yaml");
    assert!(l.diags.is_empty(), "{:?}", l.diags);
    assert_no_secret(&l);
    let p = l.pool("orders");
    assert_eq!(p.backend.value, Backend::PostgreSql);
    assert_eq!(p.driver.value, Driver::Psycopg2);
    assert_eq!(l.at(&p.driver.origin), "postgresql");
    let pg = p.pg.as_ref().unwrap();
    assert!(pg.asyncpg.is_none());
    let lp = pg.libpq.as_ref().unwrap();
    assert!(lp.keepalives.value);
    assert_eq!(l.at(&lp.keepalives.origin), "1");
    assert_eq!(lp.keepalives_idle.value, Some(secs(60)));
    assert_eq!(l.at(&lp.keepalives_idle.origin), "60");
    assert_eq!(lp.keepalives_interval.value, Some(secs(10)));
    assert_eq!(lp.keepalives_count.value, Some(5));
    assert_eq!(l.at(&lp.keepalives_count.origin), "5");
    assert_eq!(
        lp.tcp_user_timeout.value,
        Some(Duration::from_millis(30_000))
    );
    assert_eq!(l.at(&lp.tcp_user_timeout.origin), "30000");
    assert_eq!(lp.connect_timeout.value, Some(secs(5)));
    assert_eq!(l.at(&lp.connect_timeout.origin), "5");
    assert_eq!(p.connect_timeout, lp.connect_timeout);

    let sp: Vec<_> = pg
        .startup_parameters
        .iter()
        .map(|s| {
            (
                s.name.as_str(),
                s.value.as_str(),
                l.sources.text_at(s.location),
                s.via,
            )
        })
        .collect();
    assert_eq!(
        sp,
        [
            ("statement_timeout", "5s", "5s", StartupVia::LibpqOptions),
            ("lock_timeout", "1s", "1s", StartupVia::LibpqOptions),
        ]
    );

    let keys: Vec<_> = p
        .driver_options
        .iter()
        .map(|(k, loc)| {
            assert_eq!(l.sources.text_at(*loc), k);
            k.as_str()
        })
        .collect();
    assert_eq!(
        keys,
        [
            "keepalives",
            "keepalives_idle",
            "keepalives_interval",
            "keepalives_count",
            "tcp_user_timeout",
            "connect_timeout",
            "options",
            "application_name"
        ]
    );
    for (k, _) in &p.driver_options {
        assert_eq!(
            accepts_option(&p.driver.value, p.framework, k),
            Some(true),
            "{k}"
        );
    }
    assert_eq!(p.so_keepalive(), Some(true));
    let idle = p.keepalive_idle().unwrap();
    assert_eq!(idle.value, secs(60));
    assert_eq!(l.at(&idle.origin), "60");
    assert!(p.django_pool.is_none());
}

#[test]
fn psycopg_libpq_parameters_from_the_url_query_and_defaults() {
    let l = fixture("pg_engines.yaml");
    let p = l.pool("reports");
    assert_eq!(p.driver.value, Driver::Psycopg);
    assert!(p.driver_options.is_empty());
    let pg = p.pg.as_ref().unwrap();
    let lp = pg.libpq.as_ref().unwrap();
    assert_eq!(lp.keepalives_idle.value, Some(secs(120)));
    assert_eq!(l.at(&lp.keepalives_idle.origin), "120");
    assert!(lp.keepalives.value);
    l.assert_default(&lp.keepalives.origin, "libpq", "reports");
    assert_eq!(lp.keepalives_interval.value, None);
    l.assert_default(&lp.keepalives_interval.origin, "libpq", "reports");
    assert_eq!(lp.keepalives_count.value, None);
    assert_eq!(lp.tcp_user_timeout.value, None);
    // psycopg 3 enforces 130 s when connect_timeout is unset.
    assert_eq!(lp.connect_timeout.value, Some(secs(130)));
    l.assert_default(&lp.connect_timeout.origin, "psycopg 3", "reports");
    assert_eq!(p.connect_timeout.value, Some(secs(130)));
    // An encoded options value: the location is the whole query value.
    assert_eq!(pg.startup_parameters.len(), 1);
    let s = &pg.startup_parameters[0];
    assert_eq!(
        (s.name.as_str(), s.value.as_str()),
        ("statement_timeout", "30s")
    );
    assert_eq!(l.sources.text_at(s.location), "-cstatement_timeout%3D30s");
    assert_eq!(p.keepalive_idle().unwrap().value, secs(120));
}

#[test]
fn unencoded_url_options_get_a_fine_location() {
    let l = load(
        "a.yaml",
        "sqlalchemy:\n  url: postgresql://u@h/db?options=-cstatement_timeout=5s&connect_timeout=3\n",
    );
    assert!(l.diags.is_empty(), "{:?}", l.diags);
    let p = l.pool("default");
    let s = &p.pg.as_ref().unwrap().startup_parameters[0];
    assert_eq!(l.sources.text_at(s.location), "5s");
    let lp = p.pg.as_ref().unwrap().libpq.as_ref().unwrap();
    assert_eq!(lp.connect_timeout.value, Some(secs(3)));
    l.assert_default(&lp.keepalives_idle.origin, "libpq", "sqlalchemy");
    // psycopg2 (libpq) waits indefinitely when connect_timeout is unset.
    let l = load("b.yaml", "sqlalchemy:\n  url: postgresql://u@h/db\n");
    let lp = l.pool("default").pg.clone().unwrap().libpq.unwrap();
    assert_eq!(lp.connect_timeout.value, None);
    l.assert_default(&lp.connect_timeout.origin, "libpq", "sqlalchemy");
}

#[test]
fn connect_args_win_over_the_url_query() {
    let l = load(
        "a.toml",
        "[sqlalchemy]\nurl = 'postgresql+psycopg2://u@h/db?keepalives_idle=300'\n[sqlalchemy.connect_args]\nkeepalives_idle = '45'\n",
    );
    assert!(l.diags.is_empty(), "{:?}", l.diags);
    let lp = l.pool("default").pg.clone().unwrap().libpq.unwrap();
    assert_eq!(lp.keepalives_idle.value, Some(secs(45)));
    assert_eq!(l.at(&lp.keepalives_idle.origin), "'45'");
}

#[test]
fn libpq_value_table() {
    let cases: &[(&str, Option<u64>, bool)] = &[
        ("60", Some(60), false),
        ("'60'", Some(60), false),
        ("0", None, false),
        ("-5", None, false),
        ("null", None, false),
        ("1.5", None, true),
        ("'soon'", None, true),
        ("true", None, true),
    ];
    for (v, want, error) in cases {
        let l = load(
            "a.yaml",
            &format!(
                "sqlalchemy:\n  url: postgresql://u@h/db\n  connect_args:\n    keepalives_idle: {v}\n"
            ),
        );
        let lp = l.pool("default").pg.clone().unwrap().libpq.unwrap();
        assert_eq!(lp.keepalives_idle.value, want.map(secs), "{v}");
        assert_eq!(l.codes() == ["TL002"], *error, "{v}: {:?}", l.diags);
        if *error {
            assert!(l.diags[0].message.contains("connect_args.keepalives_idle"));
            l.assert_default(&lp.keepalives_idle.origin, "libpq", "sqlalchemy");
        }
    }
    let l = load(
        "a.yaml",
        "sqlalchemy:\n  url: postgresql://u@h/db?keepalives_count=x\n",
    );
    assert_eq!(l.codes(), ["TL002"]);
    assert!(
        l.diags[0]
            .message
            .contains("URL parameter keepalives_count")
    );
}

#[test]
fn keepalives_off_and_so_keepalive_per_driver() {
    for (v, want) in [
        ("0", false),
        ("1", true),
        ("false", false),
        ("true", true),
        ("'0'", false),
    ] {
        let l = load(
            "a.yaml",
            &format!(
                "sqlalchemy:\n  url: postgresql+psycopg://u@h/db\n  connect_args:\n    keepalives: {v}\n    keepalives_idle: 60\n"
            ),
        );
        assert!(l.diags.is_empty(), "{v}: {:?}", l.diags);
        let p = l.pool("default");
        assert_eq!(p.so_keepalive(), Some(want), "{v}");
        assert_eq!(
            p.keepalive_idle().map(|s| s.value),
            want.then(|| secs(60)),
            "{v}"
        );
    }
    let cases: &[(&str, Option<bool>)] = &[
        ("postgresql://u@h/db", Some(true)),
        ("postgresql+psycopg://u@h/db", Some(true)),
        ("postgresql+asyncpg://u@h/db", Some(false)),
        ("postgresql+pg8000://u@h/db", None),
        ("mysql+pymysql://u@h/db", Some(true)),
        ("mysql+mysqlconnector://u@h/db", Some(true)),
    ];
    for (url, want) in cases {
        let l = load("a.yaml", &format!("sqlalchemy:\n  url: {url}\n"));
        let p = l.pool("default");
        assert_eq!(p.so_keepalive(), *want, "{url}");
        assert!(p.keepalive_idle().is_none(), "{url}");
        assert_eq!(p.pg.is_some(), url.starts_with("postgresql"), "{url}");
    }
    // asyncpg: no keepalive whatever libpq-looking keys say.
    let l = load(
        "a.yaml",
        "sqlalchemy:\n  url: postgresql+asyncpg://u@h/db\n  connect_args:\n    keepalives_idle: 60\n",
    );
    let p = l.pool("default");
    assert_eq!(p.so_keepalive(), Some(false));
    assert!(p.keepalive_idle().is_none());
    assert!(p.pg.as_ref().unwrap().libpq.is_none());
    assert_eq!(
        accepts_option(&p.driver.value, p.framework, "keepalives_idle"),
        Some(false)
    );
}

#[test]
fn asyncpg_timeouts_and_server_settings() {
    let l = fixture("pg_engines.yaml");
    let p = l.pool("jobs");
    assert_eq!(p.driver.value, Driver::Asyncpg);
    let pg = p.pg.as_ref().unwrap();
    assert!(pg.libpq.is_none());
    let a = pg.asyncpg.as_ref().unwrap();
    assert_eq!(a.timeout.value, Some(secs(10)));
    assert_eq!(l.at(&a.timeout.origin), "10");
    assert_eq!(a.command_timeout.value, Some(secs(60)));
    assert_eq!(l.at(&a.command_timeout.origin), "60");
    assert_eq!(p.connect_timeout, a.timeout);
    let sp: Vec<_> = pg
        .startup_parameters
        .iter()
        .map(|s| {
            (
                s.name.as_str(),
                s.value.as_str(),
                l.sources.text_at(s.location),
                s.via,
            )
        })
        .collect();
    assert_eq!(
        sp,
        [
            (
                "statement_timeout",
                "5000",
                "\"5000\"",
                StartupVia::AsyncpgServerSettings
            ),
            (
                "idle_in_transaction_session_timeout",
                "60000",
                "60000",
                StartupVia::AsyncpgServerSettings
            ),
            (
                "application_name",
                "jobs",
                "jobs",
                StartupVia::AsyncpgServerSettings
            ),
        ]
    );
    // prepared_statement_cache_size is SQLAlchemy's asyncpg dialect's own key.
    for (k, _) in &p.driver_options {
        assert_eq!(
            accepts_option(&p.driver.value, p.framework, k),
            Some(true),
            "{k}"
        );
    }
    assert_eq!(
        accepts_option(
            &p.driver.value,
            Framework::Django,
            "prepared_statement_cache_size"
        ),
        Some(false)
    );
}

#[test]
fn asyncpg_defaults_and_bad_values() {
    let l = load(
        "a.yaml",
        "sqlalchemy:\n  url: postgresql+asyncpg://u@h/db\n",
    );
    assert!(l.diags.is_empty());
    let a = l.pool("default").pg.clone().unwrap().asyncpg.unwrap();
    assert_eq!(a.timeout.value, Some(secs(60)));
    l.assert_default(&a.timeout.origin, "asyncpg", "sqlalchemy");
    assert_eq!(a.command_timeout.value, None);
    l.assert_default(&a.command_timeout.origin, "asyncpg", "sqlalchemy");
    assert_eq!(l.pool("default").connect_timeout.value, Some(secs(60)));

    let l = load(
        "a.yaml",
        "sqlalchemy:\n  url: postgresql+asyncpg://u@h/db?command_timeout=2.5\n  connect_args:\n    timeout: null\n",
    );
    assert!(l.diags.is_empty(), "{:?}", l.diags);
    let a = l.pool("default").pg.clone().unwrap().asyncpg.unwrap();
    assert_eq!(a.timeout.value, None, "null = no timeout");
    assert_eq!(a.command_timeout.value, Some(Duration::from_millis(2500)));
    assert_eq!(l.at(&a.command_timeout.origin), "2.5");

    let l = load(
        "a.yaml",
        "sqlalchemy:\n  url: postgresql+asyncpg://u@h/db\n  connect_args:\n    command_timeout: 0\n    timeout: soon\n    server_settings:\n      statement_timeout: [1]\n      lock_timeout: 1s\n",
    );
    assert_eq!(l.codes(), ["TL002", "TL002", "TL002"], "{:?}", l.diags);
    let a = l.pool("default").pg.clone().unwrap().asyncpg.unwrap();
    assert_eq!(a.command_timeout.value, None);
    assert_eq!(a.timeout.value, Some(secs(60)));
    let sp = &l.pool("default").pg.as_ref().unwrap().startup_parameters;
    assert_eq!(sp.len(), 1);
    assert_eq!(
        (sp[0].name.as_str(), sp[0].value.as_str()),
        ("lock_timeout", "1s")
    );
}

#[test]
fn bad_libpq_options_are_reported_and_ignored() {
    let l = load(
        "a.yaml",
        "sqlalchemy:\n  url: postgresql://u@h/db\n  connect_args:\n    options: '-c statement_timeout'\n",
    );
    assert_eq!(l.codes(), ["TL002"]);
    assert!(
        l.diags[0].message.contains("connect_args.options"),
        "{}",
        l.diags[0].message
    );
    assert!(
        l.pool("default")
            .pg
            .as_ref()
            .unwrap()
            .startup_parameters
            .is_empty()
    );
    let l = load(
        "a.yaml",
        "sqlalchemy:\n  url: postgresql://u@h/db\n  connect_args:\n    options: {c: 1}\n",
    );
    assert_eq!(l.codes(), ["TL002"]);
    // A YAML escape in the string: no finer span than the whole string.
    let l = load(
        "a.yaml",
        "sqlalchemy:\n  url: postgresql://u@h/db\n  connect_args:\n    options: \"-c\\tstatement_timeout=5s\"\n",
    );
    assert!(l.diags.is_empty(), "{:?}", l.diags);
    let s = &l.pool("default").pg.as_ref().unwrap().startup_parameters[0];
    assert_eq!(s.value, "5s");
    assert_eq!(
        l.sources.text_at(s.location),
        "\"-c\\tstatement_timeout=5s\""
    );
}

#[test]
fn django_postgresql_options_and_pool() {
    let l = fixture("django_pg.yaml");
    assert!(l.diags.is_empty(), "{:?}", l.diags);
    assert_no_secret(&l);
    let d = l.pool("default");
    assert_eq!(d.driver.value, Driver::Psycopg);
    let pg = d.pg.as_ref().unwrap();
    let lp = pg.libpq.as_ref().unwrap();
    assert_eq!(lp.keepalives_idle.value, Some(secs(30)));
    assert_eq!(l.at(&lp.keepalives_idle.origin), "30");
    l.assert_default(&lp.keepalives.origin, "libpq", "default");
    assert_eq!(lp.connect_timeout.value, Some(secs(130)));
    l.assert_default(&lp.connect_timeout.origin, "psycopg 3", "default");
    let s = &pg.startup_parameters[0];
    assert_eq!(s.name, "idle_in_transaction_session_timeout");
    assert_eq!(s.value, "60000");
    assert_eq!(l.sources.text_at(s.location), "60000");

    let pool = d.django_pool.as_ref().unwrap();
    assert_eq!(l.sources.text_at(pool.location), "pool");
    assert_eq!(pool.min_size.value, 2);
    assert_eq!(l.at(&pool.min_size.origin), "2");
    assert_eq!(pool.max_size.value, Some(10));
    assert_eq!(pool.max_lifetime.value, secs(1800));
    assert_eq!(pool.timeout.value, secs(30));
    l.assert_default(&pool.timeout.origin, "psycopg_pool", "pool");
    assert_eq!(pool.max_idle.value, secs(600));
    l.assert_default(&pool.max_idle.origin, "psycopg_pool", "pool");
    let keys: Vec<_> = d.driver_options.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["keepalives_idle", "options", "pool"]);
    for k in keys {
        assert_eq!(
            accepts_option(&d.driver.value, Framework::Django, k),
            Some(true),
            "{k}"
        );
    }

    let s = l.pool("simple");
    let pool = s.django_pool.as_ref().unwrap();
    assert_eq!(pool.min_size.value, 4);
    l.assert_default(&pool.min_size.origin, "psycopg_pool", "pool");
    assert_eq!(pool.max_size.value, None);
    assert_eq!(pool.max_lifetime.value, secs(3600));
    assert_eq!(s.so_keepalive(), Some(false), "keepalives: 0");
    // connect_timeout: 0 means psycopg 3's 130 s, anchored at the 0.
    let lp = s.pg.as_ref().unwrap().libpq.as_ref().unwrap();
    assert_eq!(lp.connect_timeout.value, Some(secs(130)));
    match &lp.connect_timeout.origin {
        Origin::Default {
            system,
            anchor: Some(a),
            ..
        } => {
            assert_eq!(*system, "psycopg 3");
            assert_eq!(l.sources.text_at(*a), "0");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn founding_incident_2_command_timeout_on_psycopg() {
    let l = fixture("django_pg.yaml");
    let a = l.pool("api");
    assert!(a.django_pool.is_none());
    let keys: Vec<_> = a.driver_options.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["connect_timeout", "command_timeout"]);
    let (_, loc) = &a.driver_options[1];
    assert_eq!(l.sources.text_at(*loc), "command_timeout");
    assert_eq!(
        accepts_option(&a.driver.value, a.framework, "connect_timeout"),
        Some(true)
    );
    assert_eq!(
        accepts_option(&a.driver.value, a.framework, "command_timeout"),
        Some(false)
    );
    assert_eq!(drivers_accepting("command_timeout"), ["asyncpg"]);
    assert_eq!(a.connect_timeout.value, Some(secs(10)));
}

#[test]
fn django_pool_values() {
    let text = |v: &str| {
        format!(
            "DATABASES:\n  default:\n    ENGINE: django.db.backends.postgresql\n    OPTIONS:\n      pool: {v}\n"
        )
    };
    for (v, on) in [
        ("true", true),
        ("false", false),
        ("null", false),
        ("{}", false),
        ("{min_size: 1}", true),
    ] {
        let l = load("a.yaml", &text(v));
        assert!(l.diags.is_empty(), "{v}: {:?}", l.diags);
        assert_eq!(l.pool("default").django_pool.is_some(), on, "{v}");
    }
    let l = load("a.yaml", &text("yes please"));
    assert_eq!(l.codes(), ["TL002"]);
    assert!(l.pool("default").django_pool.is_none());
    let l = load(
        "a.yaml",
        &text("{min_size: -1, max_size: null, max_idle: 1.5, timeout: x}"),
    );
    assert_eq!(l.codes(), ["TL002", "TL002"], "{:?}", l.diags);
    let p = l.pool("default").django_pool.clone().unwrap();
    assert_eq!(p.min_size.value, 4);
    assert_eq!(p.max_size.value, None);
    assert_eq!(l.at(&p.max_size.origin), "null");
    assert_eq!(p.max_idle.value, Duration::from_millis(1500));
    assert_eq!(p.timeout.value, secs(30));
    // Not read for MySQL aliases.
    let l = load(
        "a.yaml",
        "DATABASES:\n  default:\n    ENGINE: django.db.backends.mysql\n    OPTIONS:\n      pool: true\n",
    );
    assert!(l.pool("default").django_pool.is_none());
    assert!(l.pool("default").pg.is_none());
    assert_eq!(
        accepts_option(&l.pool("default").driver.value, Framework::Django, "pool"),
        Some(false)
    );
}

#[test]
fn django_postgresql_is_psycopg_3_whatever_the_options() {
    for engine in [
        "django.db.backends.postgresql",
        "django.db.backends.postgresql_psycopg2",
        "django.contrib.gis.db.backends.postgis",
    ] {
        assert_eq!(
            django::classify_engine(engine),
            (Backend::PostgreSql, Driver::Psycopg)
        );
    }
}

#[test]
fn accepts_option_table() {
    use Framework::*;
    let cases: &[(Driver, Framework, &str, Option<bool>)] = &[
        (Driver::Psycopg, Django, "command_timeout", Some(false)),
        (Driver::Psycopg2, SqlAlchemy, "command_timeout", Some(false)),
        (Driver::Asyncpg, SqlAlchemy, "command_timeout", Some(true)),
        (Driver::Asyncpg, SqlAlchemy, "keepalives", Some(false)),
        (Driver::Psycopg, SqlAlchemy, "keepalives_idle", Some(true)),
        (Driver::Psycopg, SqlAlchemy, "prepare_threshold", Some(true)),
        (
            Driver::Psycopg2,
            SqlAlchemy,
            "prepare_threshold",
            Some(false),
        ),
        (Driver::Psycopg2, SqlAlchemy, "cursor_factory", Some(true)),
        (Driver::Psycopg2, SqlAlchemy, "database", Some(true)),
        (Driver::Psycopg, SqlAlchemy, "pool", Some(false)),
        (Driver::Psycopg, Django, "pool", Some(true)),
        (Driver::Psycopg, Django, "server_side_binding", Some(true)),
        (Driver::Psycopg, Django, "assume_role", Some(true)),
        (Driver::Psycopg, Django, "isolation_level", Some(true)),
        (Driver::Psycopg, SqlAlchemy, "isolation_level", Some(false)),
        (Driver::MysqlClient, Django, "isolation_level", Some(true)),
        (Driver::MysqlClient, Django, "read_timeout", Some(true)),
        (
            Driver::MysqlClient,
            Django,
            "connection_timeout",
            Some(false),
        ),
        (Driver::PyMySql, SqlAlchemy, "read_timeout", Some(true)),
        (Driver::PyMySql, SqlAlchemy, "ssl_mode", Some(false)),
        (
            Driver::MysqlConnector { use_pure: true },
            SqlAlchemy,
            "connection_timeout",
            Some(true),
        ),
        (
            Driver::MysqlConnector { use_pure: false },
            SqlAlchemy,
            "use_pure",
            Some(true),
        ),
        (Driver::AioMysql, SqlAlchemy, "echo", Some(true)),
        (
            Driver::AsyncMy,
            FlaskSqlAlchemy,
            "async_fallback",
            Some(true),
        ),
        (Driver::PyMySql, SqlAlchemy, "Connect_Timeout", Some(false)),
        (Driver::MariaDbConnector, SqlAlchemy, "anything", None),
        (Driver::Other("pg8000".into()), SqlAlchemy, "anything", None),
    ];
    for (driver, fw, key, want) in cases {
        assert_eq!(
            accepts_option(driver, *fw, key),
            *want,
            "{driver:?} {fw:?} {key}"
        );
    }
}

#[test]
fn drivers_accepting_table() {
    let cases: &[(&str, &[&str])] = &[
        ("command_timeout", &["asyncpg"]),
        ("keepalives_idle", &["psycopg2", "psycopg 3"]),
        ("server_settings", &["asyncpg"]),
        ("use_pure", &["mysql-connector-python"]),
        (
            "read_timeout",
            &[
                "PyMySQL",
                "mysqlclient",
                "mysql-connector-python",
                "asyncmy",
            ],
        ),
        (
            "connect_timeout",
            &[
                "psycopg2",
                "psycopg 3",
                "PyMySQL",
                "mysqlclient",
                "mysql-connector-python",
                "aiomysql",
                "asyncmy",
            ],
        ),
        ("pool", &[]),
        ("nonsense", &[]),
    ];
    for (key, want) in cases {
        assert_eq!(drivers_accepting(key), *want, "{key}");
    }
}

#[test]
fn mysql_pools_record_driver_options_too() {
    let l = fixture("sqlalchemy_engines.yaml");
    let p = l.pool("primary");
    assert!(p.pg.is_none());
    assert!(!p.driver_options.is_empty());
    for (k, loc) in &p.driver_options {
        assert_eq!(l.sources.text_at(*loc), k);
    }
}

#[test]
fn libpq_keepalives_idle_keeps_a_hop_open_despite_the_sysctl() {
    use crate::model::idle::{app_keepalive, idle_killers, segments};
    use crate::model::{ConnectionPath, Hop};
    use crate::model::{HopSpec, OnIdle};
    use crate::systems::sysctl::KernelSettings;

    let path_for = |yaml: &str| {
        let l = load("a.yaml", yaml);
        let hop = HopSpec {
            name: "nat".into(),
            idle_timeout: Sourced::new(secs(350), Origin::Flag("--hop".into())),
            on_idle: Sourced::new(OnIdle::Drop, Origin::Flag("--hop".into())),
            keepalive_resets: Sourced::new(true, Origin::Flag("--hop".into())),
            caveat: None,
            terminates: false,
            idle_between_requests: false,
        };
        let path = ConnectionPath {
            name: "p".into(),
            location: None,
            app: Some(l.pool("default").clone()),
            app_kernel: KernelSettings::defaults(),
            hops: vec![Hop::Network(hop)],
            db_kernel: KernelSettings::defaults(),
            server: None,
            processes: Sourced::new(1, Origin::Flag("test".into())),
            threads: Sourced::new(1, Origin::Flag("test".into())),
            request_timeout: None,
            max_statement_time: None,
        };
        (l, path)
    };
    // The hop's coverage on the path's only segment (app -> no server).
    let kept = |path: &ConnectionPath| {
        let segs = segments(path);
        idle_killers(path, &segs[0])
            .into_iter()
            .next()
            .and_then(|k| k.kept_alive)
    };
    let (l, path) = path_for(
        "sqlalchemy:\n  url: postgresql://u@h/db\n  connect_args:\n    keepalives_idle: 60\n",
    );
    assert_eq!(path.app_kernel.tcp_keepalive_time.value, secs(7200));
    assert_eq!(app_keepalive(&path), Some(true));
    let k = kept(&path).expect("kept open by the app's keepalive");
    assert_eq!(k.who, "app");
    assert_eq!(k.keepalive_time.value, secs(60));
    assert_eq!(l.at(&k.keepalive_time.origin), "60");

    // Without keepalives_idle the 7200 s sysctl is too late for a 350 s hop.
    let (_, path) = path_for("sqlalchemy:\n  url: postgresql://u@h/db\n");
    assert!(kept(&path).is_none());
    // keepalives = 0: no SO_KEEPALIVE, the idle time does not matter.
    let (_, path) = path_for(
        "sqlalchemy:\n  url: postgresql://u@h/db\n  connect_args:\n    keepalives: 0\n    keepalives_idle: 60\n",
    );
    assert_eq!(app_keepalive(&path), Some(false));
    assert!(kept(&path).is_none());
    // asyncpg never keeps a hop open from the app end.
    let (_, path) = path_for("sqlalchemy:\n  url: postgresql+asyncpg://u@h/db\n");
    assert_eq!(app_keepalive(&path), Some(false));
    assert!(kept(&path).is_none());
}

/// The pool class of the one pool of `text` (`name` picks YAML or TOML).
fn pool_class_of(name: &str, text: &str) -> (Loaded, PoolClass) {
    let l = load(name, text);
    let class = l.settings.pools[0]
        .pool_class
        .as_ref()
        .expect("a SQLAlchemy pool has a pool class")
        .value
        .clone();
    (l, class)
}

#[test]
fn poolclass_is_read_in_every_exported_shape() {
    // (file name, text, class, the text its origin covers)
    let cases: &[(&str, &str, PoolClass, &str)] = &[
        (
            "a.yaml",
            "sqlalchemy:\n  url: postgresql://u@h/db\n  poolclass: NullPool\n",
            PoolClass::NullPool,
            "NullPool",
        ),
        (
            "a.yaml",
            "sqlalchemy:\n  url: postgresql://u@h/db\n  poolclass: sqlalchemy.pool.NullPool\n",
            PoolClass::NullPool,
            "sqlalchemy.pool.NullPool",
        ),
        (
            "a.yaml",
            "sqlalchemy:\n  main:\n    url: mysql+pymysql://u@h/db\n    poolclass: pool.StaticPool\n",
            PoolClass::StaticPool,
            "pool.StaticPool",
        ),
        (
            "a.yaml",
            "SQLALCHEMY_DATABASE_URI: postgresql://u@h/db\nSQLALCHEMY_ENGINE_OPTIONS:\n  poolclass: NullPool\n",
            PoolClass::NullPool,
            "NullPool",
        ),
        (
            "a.toml",
            "[sqlalchemy]\nurl = \"postgresql://u@h/db\"\npoolclass = \"sqlalchemy.pool.NullPool\"\n",
            PoolClass::NullPool,
            "\"sqlalchemy.pool.NullPool\"",
        ),
        (
            "a.toml",
            "SQLALCHEMY_DATABASE_URI = \"mysql://u@h/db\"\n[SQLALCHEMY_ENGINE_OPTIONS]\npoolclass = \"SingletonThreadPool\"\n",
            PoolClass::SingletonThreadPool,
            "\"SingletonThreadPool\"",
        ),
    ];
    for (name, text, want, at) in cases {
        let (l, class) = pool_class_of(name, text);
        assert!(l.diags.is_empty(), "{text}: {:?}", l.diags);
        assert_eq!(&class, want, "{text}");
        let origin = &l.settings.pools[0].pool_class.as_ref().unwrap().origin;
        assert_eq!(l.at(origin), *at, "{text}");
    }
}

#[test]
fn poolclass_defaults_by_dialect_with_provenance() {
    let cases: &[(&str, PoolClass, &str)] = &[
        ("postgresql://u@h/db", PoolClass::QueuePool, "sqlalchemy"),
        (
            "postgresql+asyncpg://u@h/db",
            PoolClass::AsyncAdaptedQueuePool,
            "sqlalchemy",
        ),
        (
            "mysql+aiomysql://u@h/db",
            PoolClass::AsyncAdaptedQueuePool,
            "sqlalchemy",
        ),
        ("sqlite://", PoolClass::SingletonThreadPool, "sqlalchemy"),
        ("sqlite:///app.db", PoolClass::QueuePool, "sqlalchemy"),
    ];
    for (url, want, anchor) in cases {
        let (l, class) = pool_class_of("a.yaml", &format!("sqlalchemy:\n  url: {url}\n"));
        assert_eq!(&class, want, "{url}");
        let origin = &l.settings.pools[0].pool_class.as_ref().unwrap().origin;
        l.assert_default(origin, "SQLAlchemy", anchor);
    }
    // Django has no SQLAlchemy pool class.
    let l = load(
        "d.yaml",
        "DATABASES:\n  default:\n    ENGINE: django.db.backends.mysql\n",
    );
    assert!(l.pool("default").pool_class.is_none());
}

#[test]
fn unknown_or_invalid_poolclass_is_reported_not_guessed() {
    let (l, class) = pool_class_of(
        "a.yaml",
        "sqlalchemy:\n  url: postgresql://u@h/db\n  poolclass: myapp.pools.TracingPool\n",
    );
    assert_eq!(class, PoolClass::Unknown("myapp.pools.TracingPool".into()));
    assert_eq!(l.codes(), ["TL012"]);
    assert!(l.diags[0].message.contains("`myapp.pools.TracingPool`"));
    assert!(l.pool("default").effective_retirement().is_none());

    // Not a string: TL002, and the dialect default applies.
    let (l, class) = pool_class_of(
        "a.yaml",
        "sqlalchemy:\n  url: postgresql://u@h/db\n  poolclass: 3\n",
    );
    assert_eq!(class, PoolClass::QueuePool);
    assert_eq!(l.codes(), ["TL002"]);
}

#[test]
fn effective_retirement_per_pool_class() {
    let yaml = |class: &str| {
        format!(
            "sqlalchemy:\n  url: mysql+pymysql://u@h/db\n  pool_recycle: 3600\n  poolclass: {class}\n"
        )
    };
    // NullPool: nothing kept, nothing to compare.
    let l = load("a.yaml", &yaml("NullPool"));
    assert!(l.pool("default").effective_retirement().is_none());
    // StaticPool: never retired, located at poolclass, whatever pool_recycle says.
    let l = load("a.yaml", &yaml("StaticPool"));
    let r = l.pool("default").effective_retirement().unwrap();
    assert_eq!(r.value, Retirement::Never);
    assert_eq!(l.at(&r.origin), "StaticPool");
    // The others honour pool_recycle.
    for class in [
        "QueuePool",
        "AsyncAdaptedQueuePool",
        "SingletonThreadPool",
        "AssertionPool",
    ] {
        let l = load("a.yaml", &yaml(class));
        let r = l.pool("default").effective_retirement().unwrap();
        assert_eq!(r.value, after(3600), "{class}");
        assert_eq!(l.at(&r.origin), "3600", "{class}");
    }
}

#[test]
fn django_wrapper_engines_map_to_their_backend() {
    let cases: &[(&str, Backend, Driver)] = &[
        (
            "django_prometheus.db.backends.postgresql",
            Backend::PostgreSql,
            Driver::Psycopg,
        ),
        (
            "django_prometheus.db.backends.postgis",
            Backend::PostgreSql,
            Driver::Psycopg,
        ),
        (
            "django_prometheus.db.backends.mysql",
            Backend::MySql,
            Driver::MysqlClient,
        ),
        (
            "django_prometheus.db.backends.sqlite3",
            Backend::Sqlite,
            Driver::Other("sqlite3".into()),
        ),
        (
            "django_tenants.postgresql_backend",
            Backend::PostgreSql,
            Driver::Psycopg,
        ),
        (
            "django.contrib.gis.db.backends.postgis",
            Backend::PostgreSql,
            Driver::Psycopg,
        ),
        (
            "django.contrib.gis.db.backends.mysql",
            Backend::MySql,
            Driver::MysqlClient,
        ),
        (
            "django_db_geventpool.backends.postgresql_psycopg2",
            Backend::PostgreSql,
            Driver::Psycopg2,
        ),
        (
            "django_db_geventpool.backends.postgresql_psycopg3",
            Backend::PostgreSql,
            Driver::Psycopg,
        ),
        (
            "dj_db_conn_pool.backends.mysql",
            Backend::MySql,
            Driver::MysqlClient,
        ),
        (
            "dj_db_conn_pool.backends.postgresql",
            Backend::PostgreSql,
            Driver::Psycopg,
        ),
        (
            "myco.db.backends.postgresql",
            Backend::Other,
            Driver::Other("postgresql".into()),
        ),
        (
            "django_prometheus.db.backends.oracle",
            Backend::Other,
            Driver::Other("oracle".into()),
        ),
    ];
    for (engine, backend, driver) in cases {
        assert_eq!(
            django::classify_engine(engine),
            (*backend, driver.clone()),
            "{engine}"
        );
        let l = load(
            "d.yaml",
            &format!("DATABASES:\n  default:\n    ENGINE: {engine}\n"),
        );
        let p = l.pool("default");
        assert_eq!(p.backend.value, *backend, "{engine}");
        assert_eq!(l.at(&p.backend.origin), *engine, "{engine}");
        // Every PostgreSQL pool gets its libpq parameters.
        assert_eq!(p.pg.is_some(), *backend == Backend::PostgreSql, "{engine}");
    }
}

fn load_with(name: &str, text: &str, overrides: &Overrides) -> Loaded {
    let mut sources = SourceMap::new(None);
    let id = sources.add(Path::new(name), text.to_string());
    let mut diags = Vec::new();
    let settings = read_app_with(id, overrides, &mut sources, &mut diags);
    Loaded {
        sources,
        diags,
        settings,
    }
}

#[test]
fn manifest_overrides_replace_backend_and_driver() {
    let manifest = Location::new(FileId(99), Span::new(3, 9));
    let o = |b: Option<Backend>, d: Option<Driver>| Overrides {
        backend: b.map(|b| Sourced::new(b, Origin::Manifest(manifest))),
        driver: d.map(|d| Sourced::new(d, Origin::Manifest(manifest))),
    };
    let custom = "DATABASES:\n  default:\n    ENGINE: myco.db.backends.pg\n    OPTIONS:\n      keepalives_idle: 30\n";

    // Without overrides the backend is unknown and no libpq parameter is read.
    let l = load_with("d.yaml", custom, &Overrides::default());
    assert_eq!(l.pool("default").backend.value, Backend::Other);
    assert!(l.pool("default").pg.is_none());

    // backend + driver: both from the manifest, and libpq parameters are read.
    let l = load_with(
        "d.yaml",
        custom,
        &o(Some(Backend::PostgreSql), Some(Driver::Psycopg)),
    );
    let p = l.pool("default");
    assert_eq!(p.backend.value, Backend::PostgreSql);
    assert_eq!(p.backend.origin, Origin::Manifest(manifest));
    assert_eq!(p.driver.value, Driver::Psycopg);
    assert_eq!(p.driver.origin, Origin::Manifest(manifest));
    assert_eq!(p.keepalive_idle().map(|k| k.value), Some(secs(30)));

    // A driver alone implies its family.
    let l = load_with("d.yaml", custom, &o(None, Some(Driver::PyMySql)));
    assert_eq!(l.pool("default").backend.value, Backend::MySql);
    assert_eq!(l.pool("default").backend.origin, Origin::Manifest(manifest));

    // A backend alone keeps the inferred driver; SQLAlchemy URLs too.
    let l = load_with(
        "a.yaml",
        "sqlalchemy:\n  url: cockroachdb+psycopg2://u@h/db\n",
        &o(Some(Backend::MySql), None),
    );
    let p = l.pool("default");
    assert_eq!(p.backend.value, Backend::MySql);
    assert_eq!(p.driver.value, Driver::Psycopg2);
    assert_eq!(l.at(&p.driver.origin), "cockroachdb+psycopg2");
}

#[test]
fn manifest_names_of_backends_and_drivers() {
    assert_eq!(backend_named("postgresql"), Some(Backend::PostgreSql));
    assert_eq!(backend_named("mysql"), Some(Backend::MySql));
    assert_eq!(backend_named("oracle"), None);
    assert_eq!(backend_named("PostgreSQL"), None);
    let drivers: &[(&str, Driver, Backend)] = &[
        ("psycopg", Driver::Psycopg, Backend::PostgreSql),
        ("psycopg2", Driver::Psycopg2, Backend::PostgreSql),
        ("asyncpg", Driver::Asyncpg, Backend::PostgreSql),
        ("pymysql", Driver::PyMySql, Backend::MySql),
        ("mysqlclient", Driver::MysqlClient, Backend::MySql),
        ("mysqldb", Driver::MysqlClient, Backend::MySql),
        (
            "mysqlconnector",
            Driver::MysqlConnector { use_pure: false },
            Backend::MySql,
        ),
        ("aiomysql", Driver::AioMysql, Backend::MySql),
        ("asyncmy", Driver::AsyncMy, Backend::MySql),
        ("mariadbconnector", Driver::MariaDbConnector, Backend::MySql),
    ];
    for (name, driver, family) in drivers {
        assert_eq!(driver_named(name).as_ref(), Some(driver), "{name}");
        assert_eq!(driver_family(driver), Some(*family), "{name}");
    }
    assert_eq!(driver_named("pg8000"), None);
    assert_eq!(driver_family(&Driver::Other("pg8000".into())), None);
}

fn load_airflow(name: &str, text: &str, env: &[(&str, &str)]) -> Loaded {
    let mut sources = SourceMap::new(None);
    let id = sources.add(Path::new(name), text.to_string());
    let mut values = crate::env::EnvValues::new();
    for (k, v) in env {
        values.set(*k, *v, "timeoutlint.toml:9");
    }
    let mut diags = Vec::new();
    let settings =
        airflow::read_airflow(id, &values, &Overrides::default(), &mut sources, &mut diags);
    check_messages(&diags);
    Loaded {
        sources,
        diags,
        settings,
    }
}

#[test]
fn airflow_cfg_is_recognised_by_name_or_sql_alchemy_keys() {
    let keyed = "[database]\nsql_alchemy_pool_size = 3\n";
    let cases = [
        ("deploy/airflow.cfg", "", true),
        ("AIRFLOW.CFG", "[webserver]\n", true),
        ("x.cfg", keyed, true),
        ("x.cfg", "[core]\nsql_alchemy_conn = sqlite://\n", true),
        ("x.cfg", "[webserver]\nsql_alchemy_conn = a\n", false),
        ("x.cfg", "[metadata]\nname = pkg\n", false),
        ("x.ini", keyed, false),
        ("airflow.yaml", keyed, false),
    ];
    for (name, text, want) in cases {
        assert_eq!(
            airflow::is_airflow_cfg(Path::new(name), text),
            want,
            "{name}"
        );
    }
    // read_app dispatches an airflow.cfg to the Airflow reader.
    let l = load(
        "airflow.cfg",
        "[database]\nsql_alchemy_conn = mysql+pymysql://a:pw-1@h/db\n",
    );
    assert_eq!(l.pool("default").driver.value, Driver::PyMySql);
    assert!(!l.text().contains("pw-1"));
}

#[test]
fn airflow_defaults_are_airflows_with_their_source() {
    let l = load_airflow(
        "airflow.cfg",
        "[core]\ndags_folder = {AIRFLOW_HOME}/dags\n\n[database]\nsql_alchemy_conn = mysql://u:s3cr3t@db/airflow\n",
        &[],
    );
    assert!(l.diags.is_empty(), "{:?}", l.diags);
    let p = l.pool("default");
    assert_eq!(p.backend.value, Backend::MySql);
    assert_eq!(l.at(&p.backend.origin), "mysql");
    assert_eq!(p.retirement.value, after(1800));
    l.assert_default(&p.retirement.origin, "Airflow", "database");
    assert!(p.validation.value);
    l.assert_default(&p.validation.origin, "Airflow", "database");
    assert_eq!(p.pool_size.as_ref().unwrap().value, 5);
    l.assert_default(&p.pool_size.as_ref().unwrap().origin, "Airflow", "database");
    assert_eq!(p.max_overflow.as_ref().unwrap().value, 10);
    assert_eq!(p.pool_class.as_ref().unwrap().value, PoolClass::QueuePool);
    assert!(!l.text().contains("s3cr3t"));
    let Origin::Default { source, .. } = &p.retirement.origin else {
        unreachable!()
    };
    assert!(source.contains("configurations-ref") && source.contains("settings.py"));
}

#[test]
fn airflow_values_from_database_then_core_and_the_environment_wins() {
    let text = "[core]\nsql_alchemy_conn = postgresql://u@old/db\nsql_alchemy_pool_recycle = 100\nsql_alchemy_pool_size = 7\n[database]\nsql_alchemy_conn = postgresql+psycopg2://u@new/db\nsql_alchemy_pool_recycle = 600\nsql_alchemy_max_overflow = -1\nsql_alchemy_pool_pre_ping = False # off\n";
    let l = load_airflow("airflow.cfg", text, &[]);
    assert!(l.diags.is_empty(), "{:?}", l.diags);
    let p = l.pool("default");
    assert_eq!(p.driver.value, Driver::Psycopg2);
    assert_eq!(p.retirement.value, after(600));
    assert_eq!(l.at(&p.retirement.origin), "600");
    // [core] is the deprecated fallback, used when [database] lacks the key.
    assert_eq!(p.pool_size.as_ref().unwrap().value, 7);
    assert_eq!(p.max_overflow.as_ref().unwrap().value, u64::MAX);
    assert!(!p.validation.value);

    let env = [
        ("AIRFLOW__DATABASE__SQL_ALCHEMY_POOL_RECYCLE", "300"),
        ("AIRFLOW__CORE__SQL_ALCHEMY_POOL_SIZE", "2"),
        (
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
            "mysql+pymysql://u:env-pw@h/db",
        ),
    ];
    let l = load_airflow("airflow.cfg", text, &env);
    assert!(l.diags.is_empty(), "{:?}", l.diags);
    let p = l.pool("default");
    assert_eq!(p.retirement.value, after(300));
    match &p.retirement.origin {
        Origin::Env {
            var,
            value_from: Some(from),
            location,
        } => {
            assert_eq!(var, "AIRFLOW__DATABASE__SQL_ALCHEMY_POOL_RECYCLE");
            assert_eq!(from, "timeoutlint.toml:9");
            assert_eq!(l.sources.text_at(*location), "sql_alchemy_pool_recycle");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(p.pool_size.as_ref().unwrap().value, 2);
    assert_eq!(p.driver.value, Driver::PyMySql);
    assert!(matches!(p.driver.origin, Origin::Env { .. }));
    assert!(l.sources.secret_values().contains(&"env-pw".to_string()));
}

#[test]
fn airflow_pool_disabled_is_nullpool_and_sqlite_gets_no_pool_args() {
    let l = load_airflow(
        "airflow.cfg",
        "[database]\nsql_alchemy_conn = mysql://h/db\nsql_alchemy_pool_enabled = False\n",
        &[],
    );
    let p = l.pool("default");
    let class = p.pool_class.as_ref().unwrap();
    assert_eq!(class.value, PoolClass::NullPool);
    assert_eq!(l.at(&class.origin), "False");
    assert!(p.effective_retirement().is_none());

    let l = load_airflow(
        "airflow.cfg",
        "[database]\nsql_alchemy_conn = sqlite:////tmp/a.db\nsql_alchemy_pool_recycle = 1800\n",
        &[],
    );
    let p = l.pool("default");
    assert_eq!(p.backend.value, Backend::Sqlite);
    assert_eq!(p.retirement.value, Retirement::Never);
    l.assert_default(&p.retirement.origin, "SQLAlchemy", "database");

    // No sql_alchemy_conn: Airflow's default SQLite database.
    let l = load_airflow("airflow.cfg", "[database]\n", &[]);
    let p = l.pool("default");
    assert_eq!(p.backend.value, Backend::Sqlite);
    l.assert_default(&p.backend.origin, "Airflow", "database");
}

fn one_thread() -> Sourced<u64> {
    Sourced::new(1, Origin::Flag("test".into()))
}

#[test]
fn threads_multiply_django_connections_but_not_a_sqlalchemy_pool() {
    use crate::model::budget::pool_max;
    let manifest = |n: u64| {
        let loc = Location::new(FileId(0), Span::new(0, 1));
        Sourced::new(n, Origin::Manifest(loc))
    };
    let l = load(
        "s.yaml",
        "DATABASES:\n  default:\n    ENGINE: django.db.backends.postgresql\n    NAME: x\n",
    );
    let django = l.pool("default");
    assert_eq!(pool_max(django, &one_thread()).connections, Some(1));
    let m = pool_max(django, &manifest(16));
    assert_eq!(m.connections, Some(16));
    assert!(m.how.contains("× 16 threads"), "{}", m.how);

    let l = load(
        "s.yaml",
        "DATABASES:\n  default:\n    ENGINE: django.db.backends.postgresql\n    NAME: x\n    OPTIONS:\n      pool:\n        max_size: 6\n",
    );
    // Django's native pool is one per process, shared by its threads.
    assert_eq!(
        pool_max(l.pool("default"), &manifest(16)).connections,
        Some(6)
    );

    let l = load("s.yaml", "sqlalchemy:\n  url: postgresql://h/db\n");
    assert_eq!(
        pool_max(l.pool("default"), &manifest(16)).connections,
        Some(15)
    );
}

#[test]
fn airflow_pools_are_named_with_airflows_keys() {
    let l = load_airflow(
        "airflow.cfg",
        "[database]\nsql_alchemy_conn = mysql://h/db\nsql_alchemy_pool_size = 8\nsql_alchemy_max_overflow = 2\n",
        &[],
    );
    let p = l.pool("default");
    assert_eq!(p.framework, Framework::Airflow);
    assert_eq!(p.framework.retirement_key(), "sql_alchemy_pool_recycle");
    assert_eq!(p.framework.validation_key(), "sql_alchemy_pool_pre_ping");
    let max = crate::model::budget::pool_max(p, &one_thread());
    assert_eq!(max.connections, Some(10));
    assert_eq!(
        max.how,
        "sql_alchemy_pool_size 8 + sql_alchemy_max_overflow 2"
    );

    // sql_alchemy_pool_enabled = False is the NullPool, and the budget says so.
    let l = load_airflow(
        "airflow.cfg",
        "[database]\nsql_alchemy_conn = mysql://h/db\nsql_alchemy_pool_enabled = False\n",
        &[],
    );
    let max = crate::model::budget::pool_max(l.pool("default"), &one_thread());
    assert_eq!(max.connections, None);
    assert!(
        max.how
            .starts_with("sql_alchemy_pool_enabled = False (NullPool)"),
        "{}",
        max.how
    );

    // A plain SQLAlchemy engine keeps SQLAlchemy's names.
    assert_eq!(Framework::SqlAlchemy.retirement_key(), "pool_recycle");
    assert_eq!(Framework::SqlAlchemy.pool_size_key(), "pool_size");
}

#[test]
fn airflow_bad_values_are_tl002_and_malformed_lines_tl001() {
    let text = "[database]\nsql_alchemy_conn = mysql://h/db\nsql_alchemy_pool_recycle = 1800.0\nsql_alchemy_pool_size = -2\nsql_alchemy_pool_pre_ping = yes\nnot an entry\nsql_alchemy_max_overflow = 1_0\n";
    let l = load_airflow("airflow.cfg", text, &[]);
    assert_eq!(
        l.codes(),
        ["TL001", "TL002", "TL002", "TL002"],
        "{:?}",
        l.diags
    );
    let at: Vec<&str> = l
        .diags
        .iter()
        .map(|d| l.sources.text_at(d.primary.location.unwrap()))
        .collect();
    assert_eq!(at, ["not an entry", "-2", "1800.0", "yes"]);
    let p = l.pool("default");
    assert_eq!(p.retirement.value, after(1800));
    l.assert_default(&p.retirement.origin, "Airflow", "database");
    // Python's int() reads `1_0` as 10, written in the file.
    assert_eq!(p.max_overflow.as_ref().unwrap().value, 10);
    assert_eq!(l.at(&p.max_overflow.as_ref().unwrap().origin), "1_0");
    assert!(p.validation.value);

    let l = load_airflow(
        "airflow.cfg",
        "[database]\nsql_alchemy_conn = not a url\n",
        &[],
    );
    assert_eq!(l.codes(), ["TL002"]);
    let l = load_airflow("airflow.cfg", "[webserver]\nx = 1\n", &[]);
    assert_eq!(l.codes(), ["TL002"]);
    assert!(l.settings.pools.is_empty());
}

#[test]
fn airflow_cmd_secret_and_unmodelled_args_are_infos() {
    let text = "[database]\nsql_alchemy_conn_cmd = cat /run/secrets/db\nsql_alchemy_engine_args = {\"pool_recycle\": 60}\nsql_alchemy_connect_args = local.args\n";
    let l = load_airflow(
        "airflow.cfg",
        text,
        &[("AIRFLOW__DATABASE__SQL_ALCHEMY_POOL_RECYCLE_CMD", "echo 5")],
    );
    assert_eq!(
        l.codes(),
        ["TL012", "TL012", "TL012", "TL012"],
        "{:?}",
        l.diags
    );
    let msgs: Vec<&str> = l.diags.iter().map(|d| d.message.as_str()).collect();
    assert!(
        msgs.iter()
            .any(|m| m.contains("sql_alchemy_connect_args` (an import"))
    );
    assert!(
        msgs.iter()
            .any(|m| m.contains("sql_alchemy_engine_args` (an import"))
    );
    assert!(msgs.iter().any(|m| m.contains("is ignored")));
    assert!(msgs.iter().any(|m| m.contains("its value is unknown")));
    let p = l.pool("default");
    assert_eq!(p.backend.value, Backend::Other);
    assert_eq!(p.retirement.value, after(1800));
}

#[test]
fn airflow_odd_inputs_never_panic() {
    let inputs = [
        "",
        "[database",
        "[database]\nsql_alchemy_pool_size = 99999999999999999999999\n",
        "[database]\nsql_alchemy_pool_recycle = -5\nsql_alchemy_pool_enabled =\n",
        "[database]\nsql_alchemy_conn =\n  mysql://h/db\n",
        "[core]\nsql_alchemy_conn = mysql://u:p@\u{e9}h/db\n[core]\n",
        "\u{feff}[database]\r\nsql_alchemy_pool_pre_ping = t\r\n",
    ];
    for text in inputs {
        let _ = load_airflow(
            "airflow.cfg",
            text,
            &[("AIRFLOW__CORE__SQL_ALCHEMY_CONN_SECRET", "x")],
        );
    }
}

/// The database and user a pool asks for (a PgBouncer picks its
/// `[databases]` and `[users]` entries by them): the URL's path and
/// userinfo, Django's `NAME` and `USER`; never the password.
#[test]
fn database_and_user_are_read() {
    let l = load(
        "app.yaml",
        "sqlalchemy:\n  url: postgresql+psycopg://app:hunter2@pgbouncer:6432/orders\n",
    );
    let p = l.pool("default");
    assert_eq!(p.database.as_deref(), Some("orders"));
    assert_eq!(p.user.as_deref(), Some("app"));
    let l = load(
        "app.yaml",
        "DATABASES:\n  default:\n    ENGINE: django.db.backends.postgresql\n    NAME: orders\n    USER: web\n    PASSWORD: hunter2\n    HOST: pgbouncer\n",
    );
    let p = l.pool("default");
    assert_eq!(p.database.as_deref(), Some("orders"));
    assert_eq!(p.user.as_deref(), Some("web"));
    let l = load(
        "app.yaml",
        "DATABASES:\n  default:\n    ENGINE: django.db.backends.postgresql\n    HOST: pgbouncer\n",
    );
    let p = l.pool("default");
    assert_eq!((p.database.as_deref(), p.user.as_deref()), (None, None));
}
