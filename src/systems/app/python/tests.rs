use std::path::Path;
use std::time::Duration;

use crate::diagnostic::Diagnostic;
use crate::env::EnvValues;
use crate::provenance::Origin;
use crate::source::SourceMap;
use crate::systems::app::{AppSettings, Backend, Framework};
use crate::units::Retirement;

pub(super) fn read(
    text: &str,
    object: Option<&str>,
    env: &EnvValues,
) -> (AppSettings, Vec<Diagnostic>, SourceMap) {
    let mut sources = SourceMap::new(None);
    let file = sources.add(Path::new("settings.py"), text.to_string());
    let mut diags = Vec::new();
    let s = super::read_python(
        file,
        object,
        env,
        &crate::systems::app::Overrides::default(),
        &mut sources,
        &mut diags,
    );
    (s, diags, sources)
}

pub(super) fn ids(diags: &[Diagnostic]) -> Vec<&str> {
    diags.iter().map(|d| d.code.id).collect()
}

pub(super) fn secs(r: &Retirement) -> Option<u64> {
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
    assert_eq!(p.backend.value, Backend::MySql);
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
    assert_eq!(p.backend.value, Backend::MySql);
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
    assert_eq!(s.pools[1].backend.value, Backend::PostgreSql);
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
    // `None or 3` is 3, as in Python.
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(secs(&s.pools[0].retirement.value), Some(738));
    assert_eq!(
        s.pools[0].connect_timeout.value.map(|t| t.as_secs_f64()),
        Some(3.0)
    );
}

const DJANGO_60: &str =
    "DATABASES = {'default': {'ENGINE': 'django.db.backends.mysql', 'CONN_MAX_AGE': 60}}\n";

fn span_of(d: &Diagnostic) -> crate::source::Span {
    d.primary.location.expect("located").span
}

/// `open` × n, `inner`, `close` × n.
fn nest(open: &str, inner: &str, close: &str, n: usize) -> String {
    format!("{}{inner}{}", open.repeat(n), close.repeat(n))
}

#[test]
fn deep_expressions_are_capped_at_the_node_where_the_cap_is_hit() {
    const N: usize = 10_000;
    let cap = super::eval::MAX_DEPTH;
    let p = DJANGO_60.len() + "X = ".len();
    let chain = vec!["1"; 100_000].join("+");
    // (expression, span of the node evaluated one level past the cap)
    let cases = [
        (nest("(", "1", ")", N), (p + cap, p + 2 * N + 1 - cap)),
        (nest("[", "1", "]", N), (p + cap, p + 2 * N + 1 - cap)),
        (
            nest("int(", "1", ")", N),
            (p + 4 * cap, p + 5 * N + 1 - cap),
        ),
        (nest("-", "1", "", N), (p + cap, p + N + 1)),
        // The dict at the last level evaluates its key one level deeper.
        (
            nest("{'a':", "1", "}", N),
            (p + 5 * (cap - 1) + 1, p + 5 * (cap - 1) + 4),
        ),
        // Left-deep: the cap is hit at the sum of the first 100_000 - cap terms.
        (chain.clone(), (p, p + 2 * (100_000 - cap) - 1)),
    ];
    for (expr, (start, end)) in cases {
        let text = format!("{DJANGO_60}X = {expr}\n");
        let (s, d, _) = read(&text, None, &EnvValues::new());
        let what = &expr[..12];
        assert_eq!(ids(&d), vec!["TL012"], "{what}: {d:?}");
        assert_eq!(
            d[0].message,
            format!("expression nested deeper than {cap} levels; not evaluated")
        );
        let at = span_of(&d[0]);
        assert_eq!((at.start, at.end), (start, end), "{what}");
        assert_eq!(secs(&s.pools[0].retirement.value), Some(60), "{what}");
    }
}

#[test]
fn deep_expressions_the_evaluator_does_not_enter_are_harmless() {
    const N: usize = 10_000;
    for expr in [
        nest("f(", "1", ")", N),
        format!("a{}", ".b".repeat(N)),
        format!("a{}", "[0]".repeat(N)),
    ] {
        let text = format!("X = {expr}\n{DJANGO_60}");
        let (s, d, _) = read(&text, None, &EnvValues::new());
        assert!(d.is_empty(), "{}: {d:?}", &expr[..12]);
        assert_eq!(secs(&s.pools[0].retirement.value), Some(60));
    }
}

#[test]
fn deep_values_in_settings_are_left_out() {
    let deep = nest("(", "600", ")", 300);
    let text = format!(
        "DATABASES = {{'default': {{'ENGINE': 'django.db.backends.mysql', 'CONN_MAX_AGE': {deep}}}}}\n"
    );
    let (s, d, _) = read(&text, None, &EnvValues::new());
    assert_eq!(ids(&d), vec!["TL012"], "{d:?}");
    assert!(d[0].message.starts_with("expression nested deeper"));
    assert_eq!(secs(&s.pools[0].retirement.value), Some(0));
    let text = format!("engine = create_engine('mysql://h/db', pool_recycle={deep})\n");
    let (s, d, _) = read(&text, None, &EnvValues::new());
    assert_eq!(ids(&d), vec!["TL012"], "{d:?}");
    assert_eq!(s.pools[0].name, "engine");
    assert_eq!(
        secs(&s.pools[0].retirement.value),
        None,
        "SQLAlchemy default"
    );
}

#[test]
fn deep_subscript_assignment_is_not_set() {
    let path = "['a']".repeat(10_000);
    let text = format!("{DJANGO_60}DATABASES{path} = 1\n");
    let (s, d, _) = read(&text, None, &EnvValues::new());
    assert_eq!(ids(&d), vec!["TL012"], "{d:?}");
    assert!(d[0].message.starts_with("expression nested deeper"));
    assert_eq!(span_of(&d[0]).start, DJANGO_60.len());
    assert_eq!(secs(&s.pools[0].retirement.value), Some(60));
}

#[test]
fn values_built_from_names_are_capped_in_depth_and_size() {
    // Depth: 3/4 + 1/2 of the cap, each expression under it.
    let cap = super::eval::MAX_DEPTH;
    let a = nest("[", "1", "]", cap * 3 / 4);
    let b = nest("[", "a", "]", cap / 2);
    let text = format!("a = {a}\nb = {b}\nc = [a]\n{DJANGO_60}");
    let (s, d, _) = read(&text, None, &EnvValues::new());
    assert_eq!(ids(&d), vec!["TL012"], "{d:?}");
    assert!(d[0].message.starts_with("expression nested deeper"));
    let at = span_of(&d[0]).start;
    assert_eq!(&text[at..at + 1], "a");
    assert_eq!(at, "a = ".len() + a.len() + 1 + "b = ".len() + cap / 2);
    assert_eq!(secs(&s.pools[0].retirement.value), Some(60));
    // Size: 100 × 100 × 100 copies of a list (a "billion laughs").
    let list = |x: &str| format!("[{}]", vec![x; 100].join(", "));
    let text = format!(
        "a = {}\nb = {}\nc = {}\nd = {}\n{DJANGO_60}",
        list("1"),
        list("a"),
        list("b"),
        list("c")
    );
    let (s, d, _) = read(&text, None, &EnvValues::new());
    assert_eq!(ids(&d), vec!["TL012"], "{d:?}");
    assert!(d[0].message.starts_with("value too large to copy"), "{d:?}");
    assert_eq!(secs(&s.pools[0].retirement.value), Some(60));
    // Strings doubled by concatenation.
    let text = format!(
        "s = '{}'\n{}{DJANGO_60}",
        "x".repeat(1000),
        "s = s + s\n".repeat(40)
    );
    let (s, d, _) = read(&text, None, &EnvValues::new());
    assert_eq!(ids(&d), vec!["TL012"], "{d:?}");
    assert!(d[0].message.starts_with("value too large to copy"));
    assert_eq!(secs(&s.pools[0].retirement.value), Some(60));
}

#[test]
fn long_assignment_chains_are_read_without_recursion() {
    let text = format!(
        "T = {}60\nDATABASES = {{'default': {{'ENGINE': 'django.db.backends.mysql', 'CONN_MAX_AGE': T}}}}\n",
        "T = ".repeat(100_000)
    );
    let (s, d, _) = read(&text, None, &EnvValues::new());
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(secs(&s.pools[0].retirement.value), Some(60));
    // Every target is a copy, charged to the budget.
    let big = format!("[{}]", vec!["1"; 1000].join(","));
    let text = format!("{}{big}\n{DJANGO_60}", "X = ".repeat(1000));
    let (s, d, _) = read(&text, None, &EnvValues::new());
    assert_eq!(ids(&d), vec!["TL012"], "{d:?}");
    assert!(d[0].message.starts_with("value too large to copy"));
    assert_eq!(secs(&s.pools[0].retirement.value), Some(60));
}

#[test]
fn class_inheritance_cycles_and_lattices_are_walked_once() {
    let text = "class A(B):\n    SQLALCHEMY_DATABASE_URI = 'mysql://h/db'\nclass B(A):\n    SQLALCHEMY_ENGINE_OPTIONS = {'pool_recycle': 5}\n";
    let (s, d, _) = read(text, Some("A"), &EnvValues::new());
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(secs(&s.pools[0].retirement.value), Some(5));
    // 2^30 paths from the leaf to the root (bases are followed 32 levels deep).
    let mut text = "class A0:\n    SQLALCHEMY_DATABASE_URI = 'mysql://h/db'\n    SQLALCHEMY_ENGINE_OPTIONS = {'pool_recycle': 7}\nclass B0(A0):\n    pass\n".to_string();
    for i in 1..=30 {
        let j = i - 1;
        text += &format!("class A{i}(A{j}, B{j}):\n    pass\nclass B{i}(A{j}, B{j}):\n    pass\n");
    }
    let (s, d, _) = read(&text, Some("A30"), &EnvValues::new());
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(secs(&s.pools[0].retirement.value), Some(7));
}

/// `n` nested `if` blocks (indented with `ind`) ending in a string assignment.
fn nested_ifs(n: usize, ind: &str) -> String {
    let mut s = DJANGO_60.to_string();
    for i in 0..n {
        s += &format!("{}if True:\n", ind.repeat(i));
    }
    s + &format!("{}y = 'a'\n", ind.repeat(n))
}

#[test]
fn deep_indentation_is_refused_before_parsing() {
    for ind in ["    ", "\t", " "] {
        let text = nested_ifs(600, ind);
        let (s, d, _) = read(&text, None, &EnvValues::new());
        assert_eq!(ids(&d), vec!["TL001"], "{d:?}");
        assert_eq!(
            d[0].message,
            "indentation nested deeper than 100 levels; the file is not read"
        );
        // The `if` at level 101 (line 103) is the first too deep.
        let line_start: usize = text.split_inclusive('\n').take(102).map(str::len).sum();
        let at = span_of(&d[0]);
        assert_eq!(at.start, line_start + 101 * ind.len(), "{ind:?}");
        assert_eq!(&text[at.start..at.end], "if True:");
        assert!(s.pools.is_empty());
    }
}

#[test]
fn indentation_just_under_the_limit_is_read() {
    for ind in ["    ", "\t"] {
        let (s, d, _) = read(&nested_ifs(99, ind), None, &EnvValues::new());
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(secs(&s.pools[0].retirement.value), Some(60));
    }
    // Comment and blank lines, and backslash continuations, do not nest.
    let text = format!(
        "{DJANGO_60}{}",
        "x = 1 \\\n    + 2\n\n        # c\n".repeat(200)
    );
    let (s, d, _) = read(&text, None, &EnvValues::new());
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(secs(&s.pools[0].retirement.value), Some(60));
}

#[test]
fn many_indentation_widths_are_refused() {
    // Shallow, but the lines of the string use 301 widths.
    let lines: String = (1..=301)
        .map(|i| format!("{}a\nb\n", " ".repeat(i)))
        .collect();
    let text = format!("{DJANGO_60}X = '''\n{lines}'''\n");
    let (s, d, _) = read(&text, None, &EnvValues::new());
    assert_eq!(ids(&d), vec!["TL001"], "{d:?}");
    assert!(
        d[0].message
            .starts_with("more than 300 different indentation widths")
    );
    assert!(s.pools.is_empty());
}

#[test]
fn the_depth_cap_fits_a_2_mib_stack() {
    let deeper = super::eval::MAX_DEPTH + 50;
    let shapes = [
        nest("(", "1", ")", deeper),
        nest("[", "1", "]", deeper),
        nest("{'a': ", "1", "}", deeper),
        nest("int(", "1", ")", deeper),
        nest("-", "1", "", deeper),
        nest("dict(a=", "1", ")", deeper),
        nest("os.getenv('X', ", "1", ")", deeper),
        nest("dj_database_url.parse(", "'mysql://h/db'", ")", deeper),
        nest(
            "dj_database_url.config(default=",
            "'mysql://h/db'",
            ")",
            deeper,
        ),
        nest("env.db('X', ", "'mysql://h/db'", ")", deeper),
        vec!["1"; deeper].join(" + "),
    ];
    let handle = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            for expr in shapes {
                let text = format!("CONN_MAX_AGE = {expr}\n{DJANGO_60}");
                let (s, _, _) = read(&text, None, &EnvValues::new());
                assert_eq!(s.pools.len(), 1);
            }
        })
        .expect("spawn");
    assert!(handle.join().is_ok());
}

/// The pool class name of each pool, and where its origin points.
fn pool_classes(s: &AppSettings, src: &SourceMap) -> Vec<(String, String)> {
    s.pools
        .iter()
        .map(|p| {
            let c = p.pool_class.as_ref().expect("SQLAlchemy pool");
            let at = match &c.origin {
                Origin::File(l) => src.text_at(*l).to_string(),
                Origin::Default { .. } => "default".to_string(),
                other => format!("{other:?}"),
            };
            (c.value.name().to_string(), at)
        })
        .collect()
}

#[test]
fn poolclass_references_in_python() {
    // (source, class, where its origin points)
    let cases: &[(&str, &str, &str)] = &[
        (
            "from sqlalchemy.pool import NullPool\nengine = create_engine('postgresql://u@h/db', poolclass=NullPool)\n",
            "NullPool",
            "NullPool",
        ),
        (
            "from sqlalchemy import pool\nengine = create_engine('postgresql://u@h/db', poolclass=pool.NullPool)\n",
            "NullPool",
            "pool.NullPool",
        ),
        (
            "import sqlalchemy\nengine = sqlalchemy.create_engine('postgresql://u@h/db', poolclass=sqlalchemy.pool.NullPool)\n",
            "NullPool",
            "sqlalchemy.pool.NullPool",
        ),
        (
            "import sqlalchemy as sa\nengine = sa.create_engine('postgresql://u@h/db', poolclass=sa.pool.StaticPool)\n",
            "StaticPool",
            "sa.pool.StaticPool",
        ),
        (
            "from sqlalchemy.pool import NullPool as NP\nengine = create_engine('postgresql://u@h/db', poolclass=NP)\n",
            "NullPool",
            "NP",
        ),
        (
            "from sqlalchemy import NullPool\nengine = create_engine('postgresql://u@h/db', poolclass=NullPool)\n",
            "NullPool",
            "NullPool",
        ),
        (
            "engine = create_engine('postgresql://u@h/db', poolclass=pool.NullPool)\n",
            "NullPool",
            "pool.NullPool",
        ),
        (
            "engine = create_engine('postgresql://u@h/db')\n",
            "QueuePool",
            "default",
        ),
        (
            "engine = create_async_engine('postgresql+psycopg://u@h/db')\n",
            "AsyncAdaptedQueuePool",
            "default",
        ),
        (
            "from sqlalchemy.pool import NullPool\nengine = create_async_engine('postgresql+asyncpg://u@h/db', poolclass=NullPool)\n",
            "NullPool",
            "NullPool",
        ),
        (
            "from sqlalchemy.pool import NullPool\nSQLALCHEMY_DATABASE_URI = 'postgresql://u@h/db'\nSQLALCHEMY_ENGINE_OPTIONS = {'poolclass': NullPool, 'pool_pre_ping': True}\n",
            "NullPool",
            "NullPool",
        ),
        (
            "from sqlalchemy.pool import NullPool\nclass Config:\n    SQLALCHEMY_DATABASE_URI = 'postgresql://u@h/db'\n    SQLALCHEMY_ENGINE_OPTIONS = dict(poolclass=NullPool)\n",
            "NullPool",
            "NullPool",
        ),
        (
            "from sqlalchemy import pool\nSQLALCHEMY_DATABASE_URI = 'postgresql://u@h/db'\ndb = SQLAlchemy(app, engine_options={'poolclass': pool.NullPool})\n",
            "NullPool",
            "pool.NullPool",
        ),
    ];
    for (src, class, at) in cases {
        let (s, d, sources) = read(src, None, &EnvValues::new());
        assert!(d.is_empty(), "{src}: {d:?}");
        assert_eq!(
            pool_classes(&s, &sources),
            [((*class).to_string(), (*at).to_string())],
            "{src}"
        );
    }
}

#[test]
fn poolclass_from_elsewhere_is_unknown_not_guessed() {
    let cases: &[(&str, &str)] = &[
        (
            "from myapp.pools import NullPool\nengine = create_engine('postgresql://u@h/db', poolclass=NullPool)\n",
            "myapp.pools.NullPool",
        ),
        (
            "engine = create_engine('postgresql://u@h/db', poolclass=TracingPool)\n",
            "TracingPool",
        ),
        (
            "import myapp\nengine = create_engine('postgresql://u@h/db', poolclass=myapp.Pool)\n",
            "myapp.Pool",
        ),
    ];
    for (src, name) in cases {
        let (s, d, _) = read(src, None, &EnvValues::new());
        assert_eq!(ids(&d), ["TL012"], "{src}");
        assert!(d[0].message.contains(&format!("`{name}`")), "{src}: {d:?}");
        let p = &s.pools[0];
        assert_eq!(
            p.pool_class.as_ref().map(|c| c.value.name()),
            Some(*name),
            "{src}"
        );
        assert!(p.effective_retirement().is_none(), "{src}");
    }
    // A poolclass chosen at run time is an unknown value like any other: the
    // evaluator's TL012 says the documented default (QueuePool) applies.
    let (s, d, _) = read(
        "engine = create_engine('postgresql://u@h/db', poolclass=pick_pool())\n",
        None,
        &EnvValues::new(),
    );
    assert_eq!(ids(&d), ["TL012"]);
    assert_eq!(
        s.pools[0].pool_class.as_ref().map(|c| c.value.name()),
        Some("QueuePool")
    );
}

/// The first pool's recycle seconds (`None`: never), the source text its
/// origin points at ("default" for a documented default), and the codes.
fn recycle_of(text: &str, env: &EnvValues) -> (Option<u64>, String, Vec<String>) {
    let (s, d, src) = read(text, None, env);
    let p = s.pools.first().expect("a pool");
    let at = match &p.retirement.origin {
        Origin::Default { .. } => "default".to_string(),
        o => o
            .location()
            .map_or_else(|| format!("{o:?}"), |l| src.text_at(l).to_string()),
    };
    let codes = d.iter().map(|d| d.code.id.to_string()).collect();
    (secs(&p.retirement.value), at, codes)
}

#[test]
fn kwargs_spreads_at_call_sites_are_read() {
    // (source, recycle seconds, the text its origin points at)
    let cases: &[(&str, u64, &str)] = &[
        (
            "options = {'pool_recycle': 3600}\noptions.update(pool_pre_ping=True)\nextra = dict(pool_size=5)\nengine = create_engine('mysql+pymysql://u@h/db', **options, **extra)\n",
            3600,
            "3600",
        ),
        (
            "engine = create_engine('mysql://h/db', **{'pool_recycle': 100})\n",
            100,
            "100",
        ),
        (
            "kw = {'url': 'mysql://h/db', 'pool_recycle': 101}\nengine = create_engine(**kw)\n",
            101,
            "101",
        ),
        (
            "kw = {'pool_recycle': 1}\nengine = create_async_engine('mysql+aiomysql://h/db', **kw, pool_recycle=102)\n",
            102,
            "102",
        ),
        (
            "engine = engine_from_config({'sqlalchemy.url': 'mysql://h/db'}, prefix='sqlalchemy.', **{'pool_recycle': 103})\n",
            103,
            "103",
        ),
        (
            "app.config['SQLALCHEMY_DATABASE_URI'] = 'mysql://h/db'\nkw = {'engine_options': {'pool_recycle': 104}}\ndb = SQLAlchemy(app, **kw)\n",
            104,
            "104",
        ),
        (
            "app.config['SQLALCHEMY_DATABASE_URI'] = 'mysql://h/db'\nbase = {'pool_recycle': 105}\ndb = SQLAlchemy(app, engine_options=dict(**base))\n",
            105,
            "105",
        ),
    ];
    for (text, want, at) in cases {
        let (got, origin, codes) = recycle_of(text, &EnvValues::new());
        assert!(codes.is_empty(), "{text}: {codes:?}");
        assert_eq!(got, Some(*want), "{text}");
        assert_eq!(origin, *at, "{text}");
    }
    let (s, _, _) = read(cases[0].0, None, &EnvValues::new());
    assert!(s.pools[0].validation.value, "pool_pre_ping from update()");
}

#[test]
fn engines_see_names_as_they_are_at_the_call() {
    // (source, recycle seconds, the text its origin points at)
    let cases: &[(&str, u64, &str)] = &[
        // Keywords are copied at the call: later changes do not reach it.
        (
            "d = {'pool_recycle': 301}\nengine = create_engine('mysql://h/db', **d)\nd['pool_recycle'] = 5\n",
            301,
            "301",
        ),
        (
            "R = 302\nengine = create_engine('mysql://h/db', pool_recycle=R)\nR = 5\n",
            302,
            "302",
        ),
        // In a function, the module's last values (it runs later).
        (
            "d = {'pool_recycle': 1}\ndef make():\n    return create_engine('mysql://h/db', **d)\nd['pool_recycle'] = 303\n",
            303,
            "303",
        ),
    ];
    for (text, want, at) in cases {
        let (got, origin, codes) = recycle_of(text, &EnvValues::new());
        assert!(codes.is_empty(), "{text}: {codes:?}");
        assert_eq!(got, Some(*want), "{text}");
        assert_eq!(origin, *at, "{text}");
    }
    // Engines keep the order they are written in, whenever they are read.
    let (s, _, _) = read(
        "def f():\n    a = create_engine('mysql://h/a')\nb = create_engine('mysql://h/b')\n",
        None,
        &EnvValues::new(),
    );
    let names: Vec<&str> = s.pools.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["a", "b"]);
}

#[test]
fn unknown_kwargs_spreads_are_tl012_naming_the_call() {
    // (source, the spread the TL012 points at, words in its message)
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "engine = create_engine('mysql://h/db', **get_options())\n",
            "**get_options()",
            &[
                "a `**` spread",
                "create_engine(...)",
                "a call to `get_options`",
            ],
        ),
        (
            "engine = create_engine('mysql://h/db', **opts)\n",
            "**opts",
            &[
                "`**opts`",
                "create_engine(...)",
                "not assigned in this file",
            ],
        ),
        (
            "opts = [1]\nengine = create_engine('mysql://h/db', **opts)\n",
            "**opts",
            &["`**opts`", "not a dict"],
        ),
        (
            "engine = create_engine('mysql://h/db', **settings.DB)\n",
            "**settings.DB",
            &["`**settings.DB`", "an attribute lookup"],
        ),
    ];
    for (text, at, words) in cases {
        let (s, d, src) = read(text, None, &EnvValues::new());
        assert_eq!(ids(&d), vec!["TL012"], "{text}");
        let loc = d[0].primary.location.expect("located");
        assert_eq!(src.text_at(loc), *at, "{text}");
        for w in *words {
            assert!(d[0].message.contains(w), "{text}: {}", d[0].message);
        }
        // Left out: the documented default, never a guess.
        assert!(
            matches!(s.pools[0].retirement.origin, Origin::Default { .. }),
            "{text}"
        );
    }
    // The URL may come from the unread spread: no "missing URL" besides the TL012.
    let (_, d, _) = read("engine = create_engine(**kw)\n", None, &EnvValues::new());
    assert_eq!(ids(&d), vec!["TL012"]);
    // An unread spread in SQLAlchemy(...) is reported too.
    let (_, d, _) = read(
        "app.config['SQLALCHEMY_DATABASE_URI'] = 'mysql://h/db'\ndb = SQLAlchemy(app, **make())\n",
        None,
        &EnvValues::new(),
    );
    assert_eq!(ids(&d), vec!["TL012"]);
    assert!(d[0].message.contains("SQLAlchemy(...)"), "{}", d[0].message);
}

#[test]
fn dict_building_is_read_in_statement_order() {
    // (statements building `d`, recycle seconds, the text its origin points at)
    let cases: &[(&str, Option<u64>, &str)] = &[
        ("d = dict(pool_recycle=201)", Some(201), "201"),
        (
            "base = {'pool_recycle': 1}\nd = dict(base, pool_recycle=202)",
            Some(202),
            "202",
        ),
        (
            "a = {'pool_recycle': 1}\nb = {'pool_recycle': 203}\nd = {**a, **b, 'pool_size': 3}",
            Some(203),
            "203",
        ),
        (
            "a = {'pool_recycle': 1}\nd = {**a, 'pool_recycle': 204}",
            Some(204),
            "204",
        ),
        ("d = {}\nd.update({'pool_recycle': 205})", Some(205), "205"),
        ("d = {}\nd.update(pool_recycle=206)", Some(206), "206"),
        (
            "d = {}\nd.setdefault('pool_recycle', 207)",
            Some(207),
            "207",
        ),
        (
            "d = {'pool_recycle': 208}\nd.setdefault('pool_recycle', 1)",
            Some(208),
            "208",
        ),
        ("d = {}\nd['pool_recycle'] = 209", Some(209), "209"),
        (
            "d = {'pool_recycle': 1}\nd['pool_recycle'] = 210",
            Some(210),
            "210",
        ),
        (
            "d = {'pool_recycle': 1}\nd |= {'pool_recycle': 211}",
            Some(211),
            "211",
        ),
        (
            "d = {'pool_recycle': 100}\nd['pool_recycle'] += 112",
            Some(212),
            "d['pool_recycle'] += 112",
        ),
        ("d = dict([('pool_recycle', 213)])", Some(213), "213"),
        (
            "d = {'pool_recycle': 1} | {'pool_recycle': 214}",
            Some(214),
            "214",
        ),
        (
            "d = {'pool_recycle': 1}\nd.update({'pool_recycle': 2}, pool_recycle=215)",
            Some(215),
            "215",
        ),
        // Removed keys take the documented default, without a TL012.
        (
            "d = {'pool_recycle': 5}\nd.pop('pool_recycle')",
            None,
            "default",
        ),
        (
            "d = {'pool_recycle': 5}\ndel d['pool_recycle']",
            None,
            "default",
        ),
        ("d = {'pool_recycle': 5}\nd.clear()", None, "default"),
    ];
    for (stmts, want, at) in cases {
        let text = format!("{stmts}\nengine = create_engine('mysql://h/db', **d)\n");
        let (got, origin, codes) = recycle_of(&text, &EnvValues::new());
        assert!(codes.is_empty(), "{text}: {codes:?}");
        assert_eq!(got, *want, "{text}");
        assert_eq!(origin, *at, "{text}");
    }
    // Nested dicts and reads of known entries.
    for (text, at) in [
        (
            "d = {'o': {'pool_recycle': 1}}\nd['o'].update(pool_recycle=216)\nengine = create_engine('mysql://h/db', **d['o'])\n",
            "216",
        ),
        (
            "d = {'pool_recycle': 217}\nengine = create_engine('mysql://h/db', pool_recycle=d['pool_recycle'])\n",
            "217",
        ),
    ] {
        let (_, origin, codes) = recycle_of(text, &EnvValues::new());
        assert!(codes.is_empty(), "{text}: {codes:?}");
        assert_eq!(origin, at, "{text}");
    }
}

#[test]
fn dict_changes_the_tool_cannot_follow_make_the_dict_unknown() {
    // (statements building `d`, words in the TL012 at `**d`)
    let cases: &[(&str, &str)] = &[
        ("d = {}\nd.update(get())", "`d`, itself unknown"),
        ("d = {}\nd.update(1, 2)", "`d`, itself unknown"),
        ("d = {}\nd['pool_recycle'] = get()", "`d`, itself unknown"),
        ("d = {}\nd[key()] = 5", "`d`, itself unknown"),
        (
            "d = {}\nd.setdefault('pool_recycle', get())",
            "`d`, itself unknown",
        ),
        (
            "d = {'pool_recycle': 5}\nd.popitem()",
            "`d`, itself unknown",
        ),
        ("d = {'pool_recycle': 5}\nd |= get()", "`d`, itself unknown"),
        ("d = {'pool_recycle': 5}\nd.pop(k())", "`d`, itself unknown"),
        // A dict from elsewhere: one key set here does not make it known.
        ("d['pool_recycle'] = 5", "`d`, itself unknown"),
        ("d = {'a': 1}\ndel d", "not assigned in this file"),
    ];
    for (stmts, words) in cases {
        let text = format!("{stmts}\nengine = create_engine('mysql://h/db', **d)\n");
        let (s, d, src) = read(&text, None, &EnvValues::new());
        assert_eq!(ids(&d), vec!["TL012"], "{text}");
        let loc = d[0].primary.location.expect("located");
        assert_eq!(src.text_at(loc), "**d", "{text}");
        assert!(d[0].message.contains(words), "{text}: {}", d[0].message);
        assert!(
            matches!(s.pools[0].retirement.origin, Origin::Default { .. }),
            "{text}"
        );
    }
    // An unknown spread inside a dict display leaves out only its keys.
    let (s, d, src) = read(
        "d = {**get(), 'pool_recycle': 218}\nengine = create_engine('mysql://h/db', **d)\n",
        None,
        &EnvValues::new(),
    );
    assert_eq!(ids(&d), vec!["TL012"]);
    assert_eq!(
        src.text_at(d[0].primary.location.expect("located")),
        "**get()"
    );
    assert!(d[0].message.contains("in a dict"), "{}", d[0].message);
    assert_eq!(secs(&s.pools[0].retirement.value), Some(218));
}

#[test]
fn unknown_entries_of_a_named_dict_are_reported_where_it_is_used() {
    let (s, d, src) = read(
        "d = {'pool_recycle': get(), 'pool_size': 5}\nengine = create_engine('mysql://h/db', **d)\n",
        None,
        &EnvValues::new(),
    );
    assert_eq!(ids(&d), vec!["TL012"]);
    assert_eq!(
        src.text_at(d[0].primary.location.expect("located")),
        "get()"
    );
    assert!(d[0].message.contains("pool_recycle"), "{}", d[0].message);
    assert!(matches!(
        s.pools[0].retirement.origin,
        Origin::Default { .. }
    ));
    // Copies of a dict with many unknowns stay under the copy budget.
    let many: String = (0..2000).map(|i| format!("'k{i}': f(), ")).collect();
    let uses = vec!["a"; 400].join(", ");
    let text = format!(
        "a = {{{many}}}\nb = [{uses}]\nc = [{uses}]\nd = [b, b, b, b, c, c, c, c]\nengine = create_engine('mysql://h/db', x=d)\n"
    );
    let (_, d, _) = read(&text, None, &EnvValues::new());
    assert!(
        d.iter().any(|d| d.message.contains("too large to copy")),
        "{d:?}"
    );
}

fn env_db() -> EnvValues {
    let mut env = EnvValues::new();
    env.set("DB_USER", "app", "timeoutlint.toml:5");
    env.set("DB_PASS", "p@ss word-77", "timeoutlint.toml:6");
    env.set("DB_HOST", "db.internal", "timeoutlint.toml:7");
    env
}

const URL_NAMES: &str = "import os\nfrom urllib.parse import quote_plus\nuser = os.environ['DB_USER']\npw = os.environ['DB_PASS']\nhost = os.environ.get('DB_HOST', 'localhost')\n";

#[test]
fn urls_built_from_env_values_give_backend_and_driver_and_stay_secret() {
    // (URL expression, backend, driver)
    let cases: &[(&str, Backend, crate::systems::app::Driver)] = &[
        (
            "f'mysql+pymysql://{user}:{quote_plus(pw)}@{host}/app'",
            Backend::MySql,
            crate::systems::app::Driver::PyMySql,
        ),
        (
            "'mysql+pymysql://%s:%s@%s/app' % (user, quote_plus(pw), host)",
            Backend::MySql,
            crate::systems::app::Driver::PyMySql,
        ),
        (
            "'mysql+pymysql://%(u)s:%(p)s@%(h)s/app' % {'u': user, 'p': quote_plus(pw), 'h': host}",
            Backend::MySql,
            crate::systems::app::Driver::PyMySql,
        ),
        (
            "'postgresql+psycopg2://{u}:{p}@{h}:{port}/app'.format(u=user, p=quote_plus(pw), h=host, port=5432)",
            Backend::PostgreSql,
            crate::systems::app::Driver::Psycopg2,
        ),
        (
            "'{}://{}:{}@{}/app'.format('mysql+pymysql', user, quote_plus(pw), host)",
            Backend::MySql,
            crate::systems::app::Driver::PyMySql,
        ),
        (
            "'mysql+pymysql://' + user + ':' + quote_plus(pw) + '@' + host + '/app'",
            Backend::MySql,
            crate::systems::app::Driver::PyMySql,
        ),
    ];
    for (expr, backend, driver) in cases {
        let text = format!("{URL_NAMES}engine = create_engine({expr}, pool_recycle=300)\n");
        let (s, d, sources) = read(&text, None, &env_db());
        assert!(d.is_empty(), "{expr}: {d:?}");
        let p = &s.pools[0];
        assert_eq!(p.backend.value, *backend, "{expr}");
        assert_eq!(p.driver.value, *driver, "{expr}");
        // The password, as quoted in the URL and as given, is scrubbed.
        let secrets = sources.secret_values();
        assert!(
            secrets.contains(&"p%40ss+word-77".to_string()),
            "{expr}: {secrets:?}"
        );
        assert!(
            secrets.contains(&"p@ss word-77".to_string()),
            "{expr}: {secrets:?}"
        );
        let out = sources.scrub("url mysql+pymysql://app:p%40ss+word-77@db.internal/app");
        assert!(!out.contains("word-77"), "{out}");
    }
    // With no deploy-time values: the code's default host, the env reads
    // without one are TL012 (never a guess), and no "invalid URL".
    let text = format!(
        "{URL_NAMES}engine = create_engine(f'mysql+pymysql://{{user}}:{{quote_plus(pw)}}@{{host}}/app')\n"
    );
    let (_, d, src) = read(&text, None, &EnvValues::new());
    assert_eq!(ids(&d), vec!["TL012"], "{d:?}");
    assert_eq!(
        src.text_at(d[0].primary.location.expect("located")),
        "os.environ['DB_USER']"
    );
}

#[test]
fn a_literal_password_put_into_a_url_is_masked_in_the_source() {
    let text = "P = 'Hunter2-secret'\nengine = create_engine(f'mysql://u:{P}@h/db')\n";
    let (s, d, sources) = read(text, None, &EnvValues::new());
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(s.pools[0].backend.value, Backend::MySql);
    assert!(!sources.get(s.file).masked_text().contains("Hunter2-secret"));
    assert!(
        sources
            .secret_values()
            .contains(&"Hunter2-secret".to_string())
    );
}

#[test]
fn string_and_number_coercions_are_read_when_pure() {
    // (expression for pool_recycle, seconds, the text its origin points at)
    let cases: &[(&str, u64, &str)] = &[
        ("int('300')", 300, "int('300')"),
        ("int(' 3_01 ')", 301, "int(' 3_01 ')"),
        ("int(float('302.9'))", 302, "int(float('302.9'))"),
        ("int(f'{R}')", 303, "int(f'{R}')"),
        ("int('%d' % R2)", 304, "int('%d' % R2)"),
        (
            "int('{}{}'.format(3, '05'))",
            305,
            "int('{}{}'.format(3, '05'))",
        ),
        ("int(str(R3))", 306, "int(str(R3))"),
        ("int(True) + 306", 307, "int(True) + 306"),
    ];
    for (expr, want, at) in cases {
        let text = format!(
            "R = 303\nR2 = 304\nR3 = 306\nengine = create_engine('mysql://h/db', pool_recycle={expr})\n"
        );
        let (got, origin, codes) = recycle_of(&text, &EnvValues::new());
        assert!(codes.is_empty(), "{expr}: {codes:?}");
        assert_eq!(got, Some(*want), "{expr}");
        assert_eq!(origin, *at, "{expr}");
    }
    // Python's bool(): a non-empty string is true, whatever it says.
    for (expr, want) in [
        ("bool('false')", true),
        ("bool('')", false),
        ("bool(0)", false),
        ("bool(None)", false),
        ("bool(os.environ.get('PING', ''))", false),
    ] {
        let text =
            format!("import os\nengine = create_engine('mysql://h/db', pool_pre_ping={expr})\n");
        let (s, d, _) = read(&text, None, &EnvValues::new());
        assert!(d.is_empty(), "{expr}: {d:?}");
        assert_eq!(s.pools[0].validation.value, want, "{expr}");
    }
    let mut env = EnvValues::new();
    env.set("PING", "no", "timeoutlint.toml:3");
    let (s, _, _) = read(
        "import os\nengine = create_engine('mysql://h/db', pool_pre_ping=bool(os.environ.get('PING', '')))\n",
        None,
        &env,
    );
    assert!(s.pools[0].validation.value, "bool('no') is True in Python");
}

#[test]
fn formats_the_tool_does_not_evaluate_are_tl012() {
    // (expression for pool_recycle, the text the TL012 points at)
    let cases: &[(&str, &str)] = &[
        ("int('0x10')", "int('0x10')"),
        ("int('3.5')", "int('3.5')"),
        ("int(f'{R:>5}')", "{R:>5}"),
        ("int(f'{R!r}')", "{R!r}"),
        ("int('%x' % R)", "'%x' % R"),
        ("int('%s %s' % (R,))", "'%s %s' % (R,)"),
        ("int('{0.real}'.format(R))", "'{0.real}'.format(R)"),
        ("int('{}'.format())", "'{}'.format()"),
        ("int('{}'.format(*xs))", "*xs"),
        ("int(f'{get()}')", "get()"),
        ("int(str([1]))", "str([1])"),
    ];
    for (expr, at) in cases {
        let text =
            format!("R = 303\nengine = create_engine('mysql://h/db', pool_recycle={expr})\n");
        let (s, d, src) = read(&text, None, &EnvValues::new());
        assert_eq!(ids(&d), vec!["TL012"], "{expr}: {d:?}");
        assert_eq!(
            src.text_at(d[0].primary.location.expect("located")),
            *at,
            "{expr}"
        );
        assert!(
            matches!(s.pools[0].retirement.origin, Origin::Default { .. }),
            "{expr}"
        );
    }
    // quote_plus of an unknown value: the URL is unknown, not guessed.
    let (s, d, _) = read(
        "from urllib.parse import quote_plus\nengine = create_engine('mysql://u:' + quote_plus(get()) + '@h/db')\n",
        None,
        &EnvValues::new(),
    );
    assert_eq!(ids(&d), vec!["TL012"], "{d:?}");
    assert_eq!(s.pools[0].backend.value, Backend::Other);
}

#[test]
fn dict_methods_inside_an_assignment_change_the_dict() {
    let (got, origin, codes) = recycle_of(
        "d = {'pool_recycle': 5, 'connect_args': {}}\nca = d.pop('pool_recycle', None)\nengine = create_engine('mysql://h/db', **d)\n",
        &EnvValues::new(),
    );
    assert!(codes.is_empty(), "{codes:?}");
    assert_eq!((got, origin.as_str()), (None, "default"));
    let (s, d, _) = read(
        "d = {'pool_recycle': 5}\nx = d.popitem()\nengine = create_engine('mysql://h/db', **d)\n",
        None,
        &EnvValues::new(),
    );
    assert_eq!(ids(&d), vec!["TL012"]);
    assert!(
        d[0].message.contains("`d`, itself unknown"),
        "{}",
        d[0].message
    );
    assert!(matches!(
        s.pools[0].retirement.origin,
        Origin::Default { .. }
    ));
}

#[test]
fn unknown_parts_of_a_url_are_reported_even_under_password_like_names() {
    for expr in [
        "'mysql://{user}:{password}@h/db'.format(user=U, password=P)",
        "'mysql://%(user)s:%(password)s@h/db' % {'user': U, 'password': P}",
    ] {
        let text = format!("from const import U, P\nengine = create_engine({expr})\n");
        let (s, d, src) = read(&text, None, &EnvValues::new());
        assert_eq!(ids(&d), vec!["TL012", "TL012"], "{expr}: {d:?}");
        for (d, name) in d.iter().zip(["U", "P"]) {
            assert_eq!(src.text_at(d.primary.location.expect("located")), name);
            assert!(d.message.contains("engine: url"), "{}", d.message);
        }
        assert_eq!(s.pools[0].backend.value, Backend::Other);
    }
}
