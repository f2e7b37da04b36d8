use std::path::Path;
use std::time::Duration;

use crate::diagnostic::Diagnostic;
use crate::env::EnvValues;
use crate::provenance::Origin;
use crate::source::SourceMap;
use crate::systems::app::{AppSettings, Backend, Framework};
use crate::units::Retirement;

fn read(
    text: &str,
    object: Option<&str>,
    env: &EnvValues,
) -> (AppSettings, Vec<Diagnostic>, SourceMap) {
    let mut sources = SourceMap::new(None);
    let file = sources.add(Path::new("settings.py"), text.to_string());
    let mut diags = Vec::new();
    let s = super::read_python(file, object, env, &mut sources, &mut diags);
    (s, diags, sources)
}

fn ids(diags: &[Diagnostic]) -> Vec<&str> {
    diags.iter().map(|d| d.code.id).collect()
}

fn secs(r: &Retirement) -> Option<u64> {
    match r {
        Retirement::After(d) => Some(d.as_secs()),
        Retirement::Never => None,
    }
}

#[test]
fn django_literal_with_arithmetic_and_names() {
    let (s, d, _) = read(
        "T = 5 * 60\nDATABASES = {'default': {'ENGINE': 'django.db.backends.' 'mysql', 'CONN_MAX_AGE': T, 'CONN_HEALTH_CHECKS': True}}\n",
        None,
        &EnvValues::new(),
    );
    assert!(d.is_empty(), "{d:?}");
    let p = &s.pools[0];
    assert_eq!(p.framework, Framework::Django);
    assert_eq!(p.backend, Backend::MySql);
    assert_eq!(secs(&p.retirement.value), Some(300));
    assert!(p.validation.value);
}

#[test]
fn django_patches_and_update() {
    let (s, d, _) = read(
        "DATABASES = {'default': {'ENGINE': 'django.db.backends.postgresql'}}\nDATABASES['default']['CONN_MAX_AGE'] = 600\nDATABASES['default'].update({'CONN_HEALTH_CHECKS': True})\n",
        None,
        &EnvValues::new(),
    );
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(secs(&s.pools[0].retirement.value), Some(600));
    assert!(s.pools[0].validation.value);
}

#[test]
fn env_reads_use_deploy_value_or_code_default() {
    let text = "import os\nDATABASES = {'default': {'ENGINE': 'django.db.backends.mysql', 'CONN_MAX_AGE': int(os.environ.get('AGE', '600'))}}\n";
    let (s, d, _) = read(text, None, &EnvValues::new());
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(secs(&s.pools[0].retirement.value), Some(600));
    assert!(matches!(
        &s.pools[0].retirement.origin,
        Origin::Env { var, value_from: None, .. } if var == "AGE"
    ));
    let mut env = EnvValues::new();
    env.set("AGE", "300", "timeoutlint.toml:4");
    let (s, _, _) = read(text, None, &env);
    assert_eq!(secs(&s.pools[0].retirement.value), Some(300));
    assert!(matches!(
        &s.pools[0].retirement.origin,
        Origin::Env { value_from: Some(f), .. } if f == "timeoutlint.toml:4"
    ));
}

#[test]
fn env_forms() {
    for expr in [
        "os.getenv('AGE', 600)",
        "env.int('AGE', default=600)",
        "config('AGE', default=600, cast=int)",
        "int(os.environ.get('AGE', 600))",
    ] {
        let text = format!(
            "DATABASES = {{'default': {{'ENGINE': 'django.db.backends.mysql', 'CONN_MAX_AGE': {expr}}}}}\n"
        );
        let (s, d, _) = read(&text, None, &EnvValues::new());
        assert!(d.is_empty(), "{expr}: {d:?}");
        assert_eq!(secs(&s.pools[0].retirement.value), Some(600), "{expr}");
    }
}

#[test]
fn unknown_values_are_reported_and_left_out() {
    let (s, d, _) = read(
        "DATABASES = {'default': {'ENGINE': 'django.db.backends.mysql', 'CONN_MAX_AGE': get_age(), 'NAME': other()}}\n",
        None,
        &EnvValues::new(),
    );
    assert_eq!(ids(&d), vec!["TL012"]);
    assert!(d[0].message.contains("documented default"));
    assert_eq!(secs(&s.pools[0].retirement.value), Some(0));
    assert!(matches!(
        s.pools[0].retirement.origin,
        Origin::Default { .. }
    ));
}

#[test]
fn dj_database_url_config() {
    let text = "import dj_database_url\nDATABASES = {'default': dj_database_url.config(default='mysql://u:secret@h/db', conn_max_age=600, conn_health_checks=True)}\n";
    let (s, d, sources) = read(text, None, &EnvValues::new());
    assert!(d.is_empty(), "{d:?}");
    let p = &s.pools[0];
    assert_eq!(p.backend, Backend::MySql);
    assert_eq!(secs(&p.retirement.value), Some(600));
    assert!(!sources.get(s.file).masked_text().contains("secret"));
    let (s, d, _) = read(
        "import dj_database_url\nDATABASES = {'default': dj_database_url.config()}\n",
        None,
        &EnvValues::new(),
    );
    assert!(s.pools.is_empty());
    assert_eq!(ids(&d), vec!["TL012"]);
}

#[test]
fn sqlalchemy_engines_are_named_after_their_variable() {
    let (s, d, _) = read(
        "from sqlalchemy import create_engine\nengine = create_engine('mysql+pymysql://u@h/db', pool_recycle=3600, pool_pre_ping=True, connect_args={'connect_timeout': 5})\nreplica = sqlalchemy.create_engine('postgresql://h/db')\n",
        None,
        &EnvValues::new(),
    );
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(s.pools.len(), 2);
    assert_eq!(s.pools[0].name, "engine");
    assert_eq!(secs(&s.pools[0].retirement.value), Some(3600));
    assert_eq!(
        s.pools[0].connect_timeout.value,
        Some(Duration::from_secs(5))
    );
    assert_eq!(s.pools[1].name, "replica");
    assert_eq!(s.pools[1].backend, Backend::PostgreSql);
    let (s, _, _) = read(
        "engine = create_engine('mysql://h/db')\nother = create_engine('mysql://h/db2')\n",
        Some("other"),
        &EnvValues::new(),
    );
    assert_eq!(s.pools.len(), 1);
    assert_eq!(s.pools[0].name, "other");
}

#[test]
fn engine_from_config_strips_prefix_and_coerces() {
    let (s, d, _) = read(
        "e = engine_from_config({'sqlalchemy.url': 'mysql://h/db', 'sqlalchemy.pool_recycle': '1800'}, prefix='sqlalchemy.')\n",
        None,
        &EnvValues::new(),
    );
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(secs(&s.pools[0].retirement.value), Some(1800));
}

#[test]
fn flask_inheritance_and_object_selection() {
    let text = "class Config:\n    SQLALCHEMY_DATABASE_URI = 'mysql://h/db'\n    SQLALCHEMY_ENGINE_OPTIONS = {'pool_recycle': 280}\nclass Dev(Config):\n    pass\nclass Production(Config):\n    SQLALCHEMY_ENGINE_OPTIONS = {'pool_recycle': 3000}\n";
    let (s, d, _) = read(text, None, &EnvValues::new());
    assert!(s.pools.is_empty());
    assert_eq!(ids(&d), vec!["TL004"]);
    assert!(d[0].message.contains("Dev, Production"), "{}", d[0].message);
    let (s, d, _) = read(text, Some("Production"), &EnvValues::new());
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(s.pools[0].framework, Framework::FlaskSqlAlchemy);
    assert_eq!(secs(&s.pools[0].retirement.value), Some(3000));
    let (s, _, _) = read(text, Some("Dev"), &EnvValues::new());
    assert_eq!(secs(&s.pools[0].retirement.value), Some(280));
    let (_, d, _) = read(text, Some("Nope"), &EnvValues::new());
    assert_eq!(ids(&d), vec!["TL004"]);
}

#[test]
fn flask_engine_options_from_constructor() {
    let (s, d, _) = read(
        "app.config['SQLALCHEMY_DATABASE_URI'] = 'mysql+pymysql://h/db'\ndb = SQLAlchemy(app, engine_options={'pool_recycle': 100})\n",
        None,
        &EnvValues::new(),
    );
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(secs(&s.pools[0].retirement.value), Some(100));
}

#[test]
fn syntax_error_is_located_and_the_rest_is_read() {
    let (s, d, _) = read(
        "DATABASES = {'default': {'ENGINE': 'django.db.backends.mysql', 'CONN_MAX_AGE': 60}}\ndef broken(:\n",
        None,
        &EnvValues::new(),
    );
    assert_eq!(ids(&d), vec!["TL001"]);
    assert_eq!(secs(&s.pools[0].retirement.value), Some(60));
}

#[test]
fn tl013_and_tl014() {
    let (_, d, _) = read(
        "DATABASES = {'default': {'ENGINE': 'django.db.backends.mysql', 'CONN_MAX_AGE': 60}}\nCONN_MAX_AGE = 10\nDATABASES['default']['CONN_MAX_AGE'] = 600\n",
        None,
        &EnvValues::new(),
    );
    assert_eq!(ids(&d), vec!["TL014", "TL013"]);
    assert_eq!(d[0].related.len(), 1);
    // Same value twice: no TL014.
    let (_, d, _) = read(
        "DATABASES = {'default': {'ENGINE': 'django.db.backends.mysql', 'CONN_MAX_AGE': 60}}\nDATABASES['default']['CONN_MAX_AGE'] = 60\n",
        None,
        &EnvValues::new(),
    );
    assert!(d.is_empty(), "{d:?}");
}

#[test]
fn evaluator_literals() {
    let (s, d, _) = read(
        "X = -0x10 + 1_000\nDATABASES = {'default': {'ENGINE': f'django.db.backends.mysql', 'CONN_MAX_AGE': (X // 2) * 1.5, 'OPTIONS': dict(connect_timeout=None or 3)}}\n",
        None,
        &EnvValues::new(),
    );
    // `None or 3` is an expression the tool does not evaluate.
    assert_eq!(ids(&d), vec!["TL012"]);
    assert_eq!(secs(&s.pools[0].retirement.value), Some(738));
}
