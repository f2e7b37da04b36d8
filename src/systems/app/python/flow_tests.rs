//! Control flow at module and class level: `if` / `elif` / `else` decided
//! from known values, undecided conditions read as variants, `try` /
//! `except`, `with`, and the evaluator's comparisons and boolean operators.

use crate::env::EnvValues;
use crate::systems::app::{AppPool, Backend};

use super::tests::{ids, read, secs};

fn env(pairs: &[(&str, &str)]) -> EnvValues {
    let mut e = EnvValues::new();
    for (k, v) in pairs {
        e.set(k.to_string(), v.to_string(), "test".to_string());
    }
    e
}

/// The conditions of a pool's variant, as text.
fn when(p: &AppPool) -> Vec<&str> {
    p.variant
        .as_ref()
        .map(|v| v.conditions.iter().map(|c| c.text.as_str()).collect())
        .unwrap_or_default()
}

/// `CONN_MAX_AGE = 60 if (<cond>) else 0`: `Some(true)` / `Some(false)` when
/// the condition was decided, `None` when it was not (then TL012).
fn decide(cond: &str, e: &EnvValues) -> Option<bool> {
    let text = format!(
        "import os\nDATABASES = {{'default': {{'ENGINE': 'django.db.backends.mysql', 'CONN_MAX_AGE': 60 if ({cond}) else 0}}}}\n"
    );
    let (s, d, _) = read(&text, None, e);
    let unknown = d.iter().any(|d| d.code.id == "TL012");
    let age = secs(&s.pools[0].retirement.value);
    match (unknown, age) {
        (false, Some(60)) => Some(true),
        (false, Some(0)) => Some(false),
        (true, Some(0)) => None,
        other => panic!("{cond}: {other:?} {d:?}"),
    }
}

#[test]
fn conditions_decided_from_known_values() {
    let e = env(&[("DB", "postgres"), ("N", "5"), ("EMPTY", "")]);
    let table: &[(&str, Option<bool>)] = &[
        ("1 == 1", Some(true)),
        ("1 == 1.0", Some(true)),
        ("True == 1", Some(true)),
        ("'a' == 'b'", Some(false)),
        ("'a' != 'b'", Some(true)),
        ("None == 0", Some(false)),
        ("1 < 2 < 3", Some(true)),
        ("1 < 3 < 2", Some(false)),
        ("'b' >= 'a'", Some(true)),
        ("'gres' in 'postgres'", Some(true)),
        ("'pg' in 'postgres'", Some(false)),
        ("'x' not in ['a', 'b']", Some(true)),
        ("'k' in {'k': 1}", Some(true)),
        ("None is None", Some(true)),
        ("False is not None", Some(true)),
        ("not 0", Some(true)),
        ("not 'x'", Some(false)),
        ("[] or {}", Some(false)),
        ("0 or 'yes'", Some(true)),
        ("1 and 0", Some(false)),
        ("os.getenv('DB') == 'postgres'", Some(true)),
        ("os.environ.get('DB', 'mysql') == 'mysql'", Some(false)),
        ("os.getenv('MISSING', 'sqlite') == 'sqlite'", Some(true)),
        ("int(os.getenv('N')) > 3", Some(true)),
        ("os.getenv('EMPTY')", Some(false)),
        ("not os.environ.get('DB')", Some(false)),
        // Not decided: unknown values, and what Python would not compare.
        ("os.getenv('MISSING') == 'postgres'", None),
        ("'test' in sys.argv", None),
        ("x", None),
        ("1 < 'a'", None),
        ("[1] is [1]", None),
        ("1 in 5", None),
        ("f() and 1", None),
    ];
    for (cond, want) in table {
        assert_eq!(decide(cond, &e), *want, "{cond}");
    }
}

#[test]
fn short_circuit_does_not_read_the_other_side() {
    // `1 or f()`: f() is never evaluated, so it is not unknown.
    assert_eq!(decide("1 or f()", &EnvValues::new()), Some(true));
    assert_eq!(decide("0 and f()", &EnvValues::new()), Some(false));
}

const CHOOSE: &str = "import os
DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': 'db'}}
if os.getenv('DB') == 'postgres':
    DATABASES = {'default': {'ENGINE': 'django.db.backends.postgresql', 'CONN_MAX_AGE': 600}}
elif os.getenv('DB') == 'mysql':
    DATABASES = {'default': {'ENGINE': 'django.db.backends.mysql', 'CONN_MAX_AGE': 300}}
else:
    DATABASES['default']['CONN_MAX_AGE'] = 5
";

#[test]
fn a_decided_condition_takes_its_branch() {
    let cases = [
        ("postgres", Backend::PostgreSql, 600),
        ("mysql", Backend::MySql, 300),
        ("other", Backend::Sqlite, 5),
    ];
    for (db, backend, age) in cases {
        let (s, d, _) = read(CHOOSE, None, &env(&[("DB", db)]));
        // No TL014: a branch replacing the fallback is not an accident.
        assert!(d.is_empty(), "{db}: {d:?}");
        assert_eq!(s.pools.len(), 1, "{db}");
        assert_eq!(s.pools[0].backend.value, backend, "{db}");
        assert_eq!(secs(&s.pools[0].retirement.value), Some(age), "{db}");
        assert!(s.pools[0].variant.is_none(), "{db}");
    }
}

#[test]
fn an_undecided_condition_gives_one_variant_per_branch() {
    let (s, d, src) = read(CHOOSE, None, &EnvValues::new());
    // One TL012 per undecided condition, at it.
    assert_eq!(ids(&d), vec!["TL012", "TL012"], "{d:?}");
    for (diag, cond) in d.iter().zip([
        "os.getenv('DB') == 'postgres'",
        "os.getenv('DB') == 'mysql'",
    ]) {
        let at = diag.primary.location.expect("located");
        assert_eq!(src.text_at(at), cond);
        assert!(
            diag.message.contains("cannot be decided"),
            "{}",
            diag.message
        );
    }
    let got: Vec<(Backend, Option<u64>, Vec<&str>)> = s
        .pools
        .iter()
        .map(|p| (p.backend.value, secs(&p.retirement.value), when(p)))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                Backend::PostgreSql,
                Some(600),
                vec!["when os.getenv('DB') == 'postgres'"]
            ),
            (
                Backend::MySql,
                Some(300),
                vec![
                    "when os.getenv('DB') != 'postgres'",
                    "when os.getenv('DB') == 'mysql'"
                ]
            ),
            (
                Backend::Sqlite,
                Some(5),
                vec![
                    "when os.getenv('DB') != 'postgres'",
                    "when os.getenv('DB') != 'mysql'"
                ]
            ),
        ]
    );
    let v = s.pools[0].variant.as_ref().expect("variant");
    assert_eq!((v.runs.clone(), v.of), (vec![0], 3));
    assert_eq!(src.short(v.conditions[0].location), "settings.py:3");
}

#[test]
fn an_undecided_condition_that_changes_nothing_is_not_reported() {
    let text = "DATABASES = {'default': {'ENGINE': 'django.db.backends.mysql', 'CONN_MAX_AGE': 60}}
if DEBUG:
    INSTALLED_APPS = ['debug_toolbar']
    y = f()
";
    let (s, d, _) = read(text, None, &EnvValues::new());
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(s.pools.len(), 1);
    assert!(s.pools[0].variant.is_none());
}

#[test]
fn a_pool_found_in_several_variants_keeps_only_the_branches_that_matter() {
    let text = "import os
DATABASES = {'default': {'ENGINE': 'django.db.backends.mysql', 'CONN_MAX_AGE': 60}}
if os.getenv('A'):
    DATABASES['default']['CONN_MAX_AGE'] = 600
if os.getenv('B'):
    DEBUG = True
    DATABASES['default']['TIME_ZONE'] = 'UTC'
";
    let (s, d, src) = read(text, None, &EnvValues::new());
    // 4 variants, but B changes nothing a rule reads (TIME_ZONE; NAME would
    // matter: a PgBouncer picks its [databases] entry by it): only A is
    // reported, and each pool is labelled with A alone.
    assert_eq!(ids(&d), vec!["TL012"], "{d:?}");
    assert_eq!(
        src.text_at(d[0].primary.location.expect("located")),
        "os.getenv('A')"
    );
    let ages: Vec<(Option<u64>, Vec<&str>)> = s
        .pools
        .iter()
        .map(|p| (secs(&p.retirement.value), when(p)))
        .collect();
    assert_eq!(
        ages,
        vec![
            (Some(600), vec!["when os.getenv('A')"]),
            (Some(60), vec!["when not os.getenv('A')"]),
        ]
    );
    let runs: Vec<Vec<usize>> = s
        .pools
        .iter()
        .map(|p| p.variant.as_ref().expect("variant").runs.clone())
        .collect();
    assert_eq!(runs, vec![vec![0, 1], vec![2, 3]]);
}

#[test]
fn try_except_reads_the_body_and_each_handler_as_variants() {
    let text = "DATABASES = {'default': {'ENGINE': 'django.db.backends.mysql', 'CONN_MAX_AGE': 60}}
try:
    from .local import *
    DATABASES['default']['CONN_MAX_AGE'] = 600
except ImportError:
    DATABASES['default']['CONN_MAX_AGE'] = 30
else:
    DATABASES['default']['CONN_HEALTH_CHECKS'] = True
finally:
    DATABASES['default']['NAME'] = 'app'
";
    let (s, d, _) = read(text, None, &EnvValues::new());
    assert!(ids(&d).iter().all(|c| *c != "TL014"), "{d:?}");
    let got: Vec<(Option<u64>, bool, Vec<&str>)> = s
        .pools
        .iter()
        .map(|p| (secs(&p.retirement.value), p.validation.value, when(p)))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                Some(600),
                true,
                vec!["when the `try` body runs without error"]
            ),
            (
                Some(30),
                false,
                vec!["when the `try` body raises ImportError"]
            ),
        ]
    );
}

#[test]
fn with_blocks_are_read() {
    let text = "with open('x') as f:
    DATABASES = {'default': {'ENGINE': 'django.db.backends.mysql', 'CONN_MAX_AGE': 90}}
";
    let (s, d, _) = read(text, None, &EnvValues::new());
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(secs(&s.pools[0].retirement.value), Some(90));
}

#[test]
fn branches_not_taken_are_not_read() {
    let text = "from sqlalchemy import create_engine
if False:
    engine = create_engine('mysql+pymysql://h/db', pool_recycle=10)
else:
    engine = create_engine('mysql+pymysql://h/db', pool_recycle=20)
";
    let (s, d, _) = read(text, None, &EnvValues::new());
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(s.pools.len(), 1);
    assert_eq!(secs(&s.pools[0].retirement.value), Some(20));
}

#[test]
fn class_bodies_follow_branches() {
    let text = "import os
class Config:
    SQLALCHEMY_DATABASE_URI = 'mysql+pymysql://h/db'
    if os.environ.get('ENV', 'prod') == 'prod':
        SQLALCHEMY_ENGINE_OPTIONS = {'pool_recycle': 280}
    else:
        SQLALCHEMY_ENGINE_OPTIONS = {'pool_recycle': 3600}
";
    let (s, d, _) = read(text, None, &EnvValues::new());
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(secs(&s.pools[0].retirement.value), Some(280));
    let (s, _, _) = read(text, None, &env(&[("ENV", "dev")]));
    assert_eq!(secs(&s.pools[0].retirement.value), Some(3600));
}

#[test]
fn variants_past_the_cap_are_reported_not_read() {
    // 2^7 combinations, each a different CONN_MAX_AGE.
    let mut text = String::from("AGE = 1\n");
    for i in 0..7 {
        text += &format!("if x{i}:\n    AGE += {}\n", 1 << i);
    }
    text +=
        "DATABASES = {'default': {'ENGINE': 'django.db.backends.mysql', 'CONN_MAX_AGE': AGE}}\n";
    let (s, d, _) = read(&text, None, &EnvValues::new());
    let cap = super::MAX_VARIANTS;
    assert!(
        d.iter().any(|d| d
            .message
            .starts_with(&format!("this file has more than {cap} variants"))),
        "{d:?}"
    );
    assert_eq!(s.pools.len(), cap);
    assert!(
        s.pools
            .iter()
            .all(|p| p.variant.as_ref().is_some_and(|v| v.of == cap))
    );
}

#[test]
fn deep_not_chains_hit_the_evaluator_cap() {
    let text = format!(
        "X = {}1{}\nDATABASES = {{'default': {{'ENGINE': 'django.db.backends.mysql', 'CONN_MAX_AGE': 60}}}}\n",
        "not (".repeat(10_000),
        ")".repeat(10_000)
    );
    let (s, d, _) = read(&text, None, &EnvValues::new());
    assert_eq!(ids(&d), vec!["TL012"], "{d:?}");
    assert!(d[0].message.starts_with("expression nested deeper"));
    assert_eq!(secs(&s.pools[0].retirement.value), Some(60));
}

/// `CONN_MAX_AGE = <expr>` after `prelude`: the age read, and the codes.
fn age_of(prelude: &str, expr: &str, e: &EnvValues) -> (Option<u64>, Vec<String>) {
    let text = format!(
        "import os\n{prelude}\nDATABASES = {{'default': {{'ENGINE': 'django.db.backends.mysql', 'CONN_MAX_AGE': {expr}}}}}\n"
    );
    let (s, d, _) = read(&text, None, e);

    (
        secs(&s.pools[0].retirement.value),
        ids(&d).into_iter().map(str::to_string).collect(),
    )
}

const FUNCS: &str = "
def envint(name, default=0):
    \"\"\"An integer from the environment.\"\"\"
    value = os.environ.get(name, default)
    return int(value)

def pick(kind, short=60, long=3600):
    if kind == 'web':
        return short
    elif kind.startswith('batch'):
        return long
    return 0

def twice(x):
    y = x * 2
    return y

def nested(x):
    return twice(twice(x))

def loops(x):
    for i in range(3):
        x += i
    return x

def undecided(x):
    if os.getenv('MODE'):
        return x
    return 0

def star(*args):
    return 1

def recurse(x):
    return recurse(x)

def no_return(x):
    pass
";

#[test]
fn small_functions_are_inlined() {
    let e = env(&[("AGE", "120")]);
    let accept: &[(&str, Option<u64>)] = &[
        ("envint('AGE', 30)", Some(120)),
        ("envint('MISSING', 30)", Some(30)),
        ("envint(name='MISSING', default=45)", Some(45)),
        ("pick('web')", Some(60)),
        ("pick('batch-nightly')", Some(3600)),
        ("pick('other')", Some(0)),
        ("pick('web', short=5)", Some(5)),
        ("twice(30)", Some(60)),
        ("nested(10)", Some(40)),
    ];
    for (expr, want) in accept {
        let (age, codes) = age_of(FUNCS, expr, &e);
        assert_eq!(age, *want, "{expr}: {codes:?}");
        assert!(codes.is_empty(), "{expr}: {codes:?}");
    }
}

#[test]
fn functions_the_tool_cannot_follow_stay_unknown() {
    let reject = [
        ("loops(3)", "a loop over something it cannot read"),
        ("star(1)", "`*args`"),
        ("recurse(1)", "nested too deep"),
        ("twice()", "no value for its parameter `x`"),
        ("twice(1, 2)", "arguments it does not take"),
        ("no_return(1)", ""),
    ];
    for (expr, why) in reject {
        let text = format!(
            "import os\n{FUNCS}\nDATABASES = {{'default': {{'ENGINE': 'django.db.backends.mysql', 'CONN_MAX_AGE': {expr}}}}}\n"
        );
        let (s, d, _) = read(&text, None, &EnvValues::new());
        if expr == "no_return(1)" {
            // Python returns None: CONN_MAX_AGE = None (never retired).
            assert!(d.is_empty(), "{d:?}");
            assert_eq!(secs(&s.pools[0].retirement.value), None);
            continue;
        }
        assert_eq!(ids(&d), vec!["TL012"], "{expr}: {d:?}");
        assert!(d[0].message.contains(why), "{expr}: {}", d[0].message);
        // Left out: Django's default CONN_MAX_AGE 0.
        assert_eq!(secs(&s.pools[0].retirement.value), Some(0), "{expr}");
    }
}

#[test]
fn an_inlined_env_read_is_told_at_the_call() {
    let text = format!(
        "import os\n{FUNCS}\nDATABASES = {{'default': {{'ENGINE': 'django.db.backends.mysql', 'CONN_MAX_AGE': envint('AGE', 30)}}}}\n"
    );
    let (s, _, src) = read(&text, None, &env(&[("AGE", "120")]));
    match &s.pools[0].retirement.origin {
        crate::provenance::Origin::Env { var, location, .. } => {
            assert_eq!(var, "AGE");
            assert_eq!(src.text_at(*location), "envint('AGE', 30)");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn pydantic_settings_objects() {
    let classes = "
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

class Base(BaseSettings):
    model_config = SettingsConfigDict(env_prefix='APP_')
    MAX_AGE: int = 600
    OTHER: int = Field(30, alias='LEGACY_AGE')
    REQUIRED: int

class Settings(Base):
    LOCAL: int = 5

class V1(BaseSettings):
    MAX_AGE: int = 7
    class Config:
        env_prefix = 'V1_'
        case_sensitive = True

settings = Settings()
v1 = V1()
";
    type Row<'a> = (&'a [(&'a str, &'a str)], &'a str, Option<u64>);
    let table: &[Row<'_>] = &[
        (&[], "settings.MAX_AGE", Some(600)),
        (&[("APP_MAX_AGE", "90")], "settings.MAX_AGE", Some(90)),
        // Without regard to case, by default.
        (&[("app_max_age", "91")], "settings.MAX_AGE", Some(91)),
        // The prefix does not apply to an alias.
        (&[("LEGACY_AGE", "92")], "settings.OTHER", Some(92)),
        (&[("APP_OTHER", "93")], "settings.OTHER", Some(30)),
        (&[("APP_REQUIRED", "94")], "settings.REQUIRED", Some(94)),
        (&[], "settings.LOCAL", Some(5)),
        (&[("V1_MAX_AGE", "95")], "v1.MAX_AGE", Some(95)),
        // case_sensitive = True: another case is not the variable.
        (&[("v1_max_age", "96")], "v1.MAX_AGE", Some(7)),
        (&[], "Settings(MAX_AGE=97).MAX_AGE", Some(97)),
    ];
    for (vars, expr, want) in table {
        let (age, codes) = age_of(classes, expr, &env(vars));
        assert_eq!(age, *want, "{expr} {vars:?}: {codes:?}");
        assert!(codes.is_empty(), "{expr}: {codes:?}");
    }
    // A required field without a value, and a value pydantic would reject.
    let text = |expr: &str| {
        format!(
            "import os\n{classes}\nDATABASES = {{'default': {{'ENGINE': 'django.db.backends.mysql', 'CONN_MAX_AGE': {expr}}}}}\n"
        )
    };
    let (s, d, _) = read(&text("settings.REQUIRED"), None, &EnvValues::new());
    assert_eq!(ids(&d), vec!["TL012"]);
    assert!(
        d[0].message.contains("required field `REQUIRED`"),
        "{}",
        d[0].message
    );
    assert_eq!(secs(&s.pools[0].retirement.value), Some(0));
    let (_, d, _) = read(
        &text("settings.MAX_AGE"),
        None,
        &env(&[("APP_MAX_AGE", "soon")]),
    );
    assert_eq!(ids(&d), vec!["TL012"]);
    assert!(
        d[0].message.contains("not valid for the field `MAX_AGE`"),
        "{}",
        d[0].message
    );
    let (age, codes) = age_of(
        classes,
        "settings.MAX_AGE",
        &env(&[("APP_MAX_AGE", "soon")]),
    );
    assert_eq!((age, codes), (Some(0), vec!["TL012".to_string()]));
}

#[test]
fn variants_agree_with_the_conditions_they_took() {
    // Two separate `if`s on one variable: DB cannot be both, so 3 variants
    // (postgres; mysql; neither), not 4, and no pool is labelled with both.
    let text = "import os
DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': 'db'}}
if os.getenv('DB') == 'postgres':
    DATABASES = {'default': {'ENGINE': 'django.db.backends.postgresql', 'CONN_MAX_AGE': 600}}
    if os.getenv('DB') != 'postgres':
        DATABASES['default']['CONN_MAX_AGE'] = 1
if os.getenv('DB') in ['mysql', 'mariadb']:
    DATABASES = {'default': {'ENGINE': 'django.db.backends.mysql', 'CONN_MAX_AGE': 300}}
";
    let (s, d, _) = read(text, None, &EnvValues::new());
    assert_eq!(ids(&d), vec!["TL012", "TL012"], "{d:?}");
    let got: Vec<(Backend, Option<u64>, Vec<&str>)> = s
        .pools
        .iter()
        .map(|p| (p.backend.value, secs(&p.retirement.value), when(p)))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                Backend::PostgreSql,
                Some(600),
                vec!["when os.getenv('DB') == 'postgres'"]
            ),
            (
                Backend::MySql,
                Some(300),
                vec![
                    "when os.getenv('DB') != 'postgres'",
                    "when os.getenv('DB') in ['mysql', 'mariadb']"
                ]
            ),
            (
                Backend::Sqlite,
                Some(0),
                vec![
                    "when os.getenv('DB') != 'postgres'",
                    "when os.getenv('DB') not in ['mysql', 'mariadb']"
                ]
            ),
        ]
    );
    assert!(
        s.pools
            .iter()
            .all(|p| p.variant.as_ref().is_some_and(|v| v.of == 3))
    );
}

#[test]
fn a_python_file_without_settings_is_still_said_to_have_none() {
    // An undecided `if` does not hide "no app settings found".
    let text = "import os\nworkers = 4\nif os.getenv('X'):\n    workers = 8\n";
    let (s, d, _) = read(text, None, &EnvValues::new());
    assert!(s.pools.is_empty());
    assert_eq!(ids(&d), vec!["TL002"], "{d:?}");
    assert!(d[0].message.starts_with("no app settings found"));
}

#[test]
fn pydantic_computed_properties_build_the_url() {
    // The full-stack-fastapi-template shape.
    let text = "
from pydantic import PostgresDsn, computed_field
from pydantic_core import MultiHostUrl
from pydantic_settings import BaseSettings
from sqlalchemy import create_engine

class Settings(BaseSettings):
    POSTGRES_SERVER: str
    POSTGRES_PORT: int = 5432
    POSTGRES_USER: str
    POSTGRES_PASSWORD: str = ''
    POSTGRES_DB: str = ''

    @computed_field  # type: ignore[prop-decorator]
    @property
    def SQLALCHEMY_DATABASE_URI(self) -> PostgresDsn:
        return MultiHostUrl.build(
            scheme='postgresql+psycopg',
            username=self.POSTGRES_USER,
            password=self.POSTGRES_PASSWORD,
            host=self.POSTGRES_SERVER,
            port=self.POSTGRES_PORT,
            path=self.POSTGRES_DB,
        )

settings = Settings()
engine = create_engine(str(settings.SQLALCHEMY_DATABASE_URI))
";
    let e = env(&[
        ("POSTGRES_SERVER", "db"),
        ("POSTGRES_USER", "app"),
        ("POSTGRES_PASSWORD", "s3cr3t-pw"),
        ("POSTGRES_DB", "app"),
    ]);
    let (s, d, src) = read(text, None, &e);
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(s.pools.len(), 1);
    assert_eq!(s.pools[0].backend.value, Backend::PostgreSql);
    assert_eq!(
        s.pools[0].driver.value,
        crate::systems::app::Driver::Psycopg
    );
    // The password put into the URL is a secret of every output.
    assert!(src.secret_values().iter().any(|v| v == "s3cr3t-pw"));
    // Without the required server, the URL is unknown, and said why.
    let (s, d, _) = read(text, None, &EnvValues::new());
    assert_eq!(ids(&d), vec!["TL012"], "{d:?}");
    assert!(
        d[0].message
            .contains("computed property `SQLALCHEMY_DATABASE_URI`"),
        "{}",
        d[0].message
    );
    assert_eq!(s.pools.len(), 1);
}

#[test]
fn a_settings_class_with_flask_keys_is_a_flask_config() {
    let text = "
from pydantic import Field, computed_field
from pydantic_settings import BaseSettings

class DatabaseConfig(BaseSettings):
    DB_HOST: str = 'db'
    SQLALCHEMY_POOL_RECYCLE_S: int = Field(default=280)

    @computed_field
    @property
    def SQLALCHEMY_DATABASE_URI(self) -> str:
        return f'mysql+pymysql://app@{self.DB_HOST}/app'

    @computed_field
    @property
    def SQLALCHEMY_ENGINE_OPTIONS(self) -> dict:
        return {'pool_recycle': self.SQLALCHEMY_POOL_RECYCLE_S, 'pool_pre_ping': True}
";
    let (s, d, _) = read(text, None, &env(&[("SQLALCHEMY_POOL_RECYCLE_S", "90")]));
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(s.pools.len(), 1);
    assert_eq!(s.pools[0].backend.value, Backend::MySql);
    assert_eq!(secs(&s.pools[0].retirement.value), Some(90));
    assert!(s.pools[0].validation.value);
}

#[test]
fn inlined_functions_build_dicts_item_by_item() {
    // The paperless-ngx shape: a dict built key by key in a helper.
    let text = "import os
def db_settings(engine: str) -> dict:
    databases: dict
    databases = {'default': {'ENGINE': 'django.db.backends.sqlite3'}}
    databases['default']['CONN_MAX_AGE'] = 30
    if engine in {'mysql', 'mariadb'}:
        databases['default']['ENGINE'] = 'django.db.backends.mysql'
        databases['default']['OPTIONS'] = {'connect_timeout': 5}
    if 'DB_AGE' in os.environ:
        databases['default']['CONN_MAX_AGE'] = int(os.environ['DB_AGE'])
    return databases

DATABASES = db_settings('mariadb')
";
    let (s, d, _) = read(text, None, &env(&[("DB_AGE", "45")]));
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(s.pools[0].backend.value, Backend::MySql);
    assert_eq!(secs(&s.pools[0].retirement.value), Some(45));
    // `"DB_AGE" in os.environ` without a value given: both branches, the
    // condition said once; where DB_AGE is set its value is unknown, so
    // CONN_MAX_AGE is left out (Django's 0), never the earlier 30.
    let (s, d, _) = read(text, None, &EnvValues::new());
    assert_eq!(ids(&d), vec!["TL012", "TL012"], "{d:?}");
    assert!(
        d.iter().any(|x| x
            .message
            .contains("whether environment variable DB_AGE is set")),
        "{d:?}"
    );
    let got: Vec<(Option<u64>, Vec<&str>)> = s
        .pools
        .iter()
        .map(|p| (secs(&p.retirement.value), when(p)))
        .collect();
    assert_eq!(
        got,
        vec![
            (Some(0), vec!["when 'DB_AGE' in os.environ"]),
            (Some(30), vec!["when 'DB_AGE' not in os.environ"]),
        ]
    );
}

#[test]
fn conditions_in_inlined_functions_branch_when_they_matter() {
    let text = format!(
        "import os\n{FUNCS}\nDATABASES = {{'default': {{'ENGINE': 'django.db.backends.mysql', 'CONN_MAX_AGE': undecided(300)}}}}\nDEBUG_LEVEL = undecided(1)\n"
    );
    let (s, d, _) = read(&text, None, &EnvValues::new());
    assert_eq!(ids(&d), vec!["TL012"], "{d:?}");
    assert!(
        d[0].message.contains("os.getenv('MODE')"),
        "{}",
        d[0].message
    );
    let got: Vec<(Option<u64>, Vec<&str>)> = s
        .pools
        .iter()
        .map(|p| (secs(&p.retirement.value), when(p)))
        .collect();
    assert_eq!(
        got,
        vec![
            (Some(300), vec!["when os.getenv('MODE')"]),
            (Some(0), vec!["when not os.getenv('MODE')"]),
        ]
    );
}

#[test]
fn walrus_conditions_bind_their_name() {
    let text = "import os
DATABASES = {'default': {'ENGINE': 'django.db.backends.mysql', 'CONN_MAX_AGE': 0}}
if (age := int(os.environ.get('AGE', '0'))) > 10:
    DATABASES['default']['CONN_MAX_AGE'] = age
";
    let (s, d, _) = read(text, None, &env(&[("AGE", "120")]));
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(secs(&s.pools[0].retirement.value), Some(120));
    let (s, _, _) = read(text, None, &env(&[("AGE", "5")]));
    assert_eq!(secs(&s.pools[0].retirement.value), Some(0));
}

#[test]
fn engines_in_functions_see_the_functions_locals() {
    // The ichnaea shape: options built in the method, spread into the call.
    let text = "from sqlalchemy import create_engine

class Database:
    def __init__(self, uri, pool_size=5):
        options = {'pool_recycle': 3600, 'pool_size': pool_size}
        options.update({'pool_pre_ping': True})
        extra = 10
        extra += 5
        self.engine = create_engine(uri, max_overflow=extra, **options)
";
    let (s, d, src) = read(text, None, &EnvValues::new());
    assert_eq!(s.pools.len(), 1);
    let p = &s.pools[0];
    assert_eq!(secs(&p.retirement.value), Some(3600));
    assert!(p.validation.value);
    assert_eq!(p.max_overflow.as_ref().map(|m| m.value), Some(15));
    // The URL and pool_size are the method's parameters: unknown, located there.
    let at: Vec<&str> = d
        .iter()
        .map(|x| src.text_at(x.primary.location.expect("located")))
        .collect();
    assert_eq!(ids(&d), vec!["TL012", "TL012"], "{d:?}");
    assert_eq!(at, vec!["uri", "pool_size"]);
    assert!(
        d[0].message.contains("the parameter `uri`"),
        "{}",
        d[0].message
    );
}

#[test]
fn module_level_loops_are_unrolled() {
    let base = "import os
DATABASES = {
    'default': {'ENGINE': 'django.db.backends.mysql', 'NAME': 'a'},
    'replica': {'ENGINE': 'django.db.backends.mysql', 'NAME': 'b'},
}
";
    let ages = |s: &crate::systems::app::AppSettings| -> Vec<(String, Option<u64>)> {
        s.pools
            .iter()
            .map(|p| (p.name.clone(), secs(&p.retirement.value)))
            .collect()
    };
    let both = |n: u64| {
        vec![
            ("default".to_string(), Some(n)),
            ("replica".to_string(), Some(n)),
        ]
    };
    // (loop, the CONN_MAX_AGE of both aliases after it)
    let accept: &[(&str, u64)] = &[
        (
            "for db in DATABASES.values():\n    db['CONN_MAX_AGE'] = 60\n",
            60,
        ),
        (
            "for alias in DATABASES:\n    DATABASES[alias]['CONN_MAX_AGE'] = 70\n",
            70,
        ),
        (
            "for alias in DATABASES.keys():\n    DATABASES[alias]['CONN_MAX_AGE'] = 80\n",
            80,
        ),
        (
            "for alias, db in DATABASES.items():\n    db.update({'CONN_MAX_AGE': 90})\n",
            90,
        ),
        (
            "for alias in ['default', 'replica']:\n    DATABASES[alias]['CONN_MAX_AGE'] = 100\n",
            100,
        ),
    ];
    for (lp, age) in accept {
        let (s, d, _) = read(&format!("{base}{lp}"), None, &EnvValues::new());
        assert!(d.is_empty(), "{lp}: {d:?}");
        assert_eq!(ages(&s), both(*age), "{lp}");
    }
    // Loops it cannot follow, that change settings: reported, and what
    // they change is unknown (the documented default, with the TL012),
    // never the value before the loop.
    let reject = [
        "for db in sorted(DATABASES.values(), key=order):\n    db['CONN_MAX_AGE'] = 60\n",
        "for db in DATABASES.values():\n    if db['NAME'] == 'a':\n        break\n    db['CONN_MAX_AGE'] = 60\n",
    ];
    for lp in reject {
        let text = format!("{base}DATABASES['default']['CONN_MAX_AGE'] = 30\n{lp}");
        let (s, d, _) = read(&text, None, &EnvValues::new());
        assert!(
            d.iter()
                .any(|x| x.message.starts_with("this loop cannot be followed")),
            "{lp}: {d:?}"
        );
        assert!(
            s.pools
                .iter()
                .all(|p| secs(&p.retirement.value) != Some(30)),
            "{lp}: {:?}",
            ages(&s)
        );
    }
    // A loop that changes no setting is not reported.
    let (s, d, _) = read(
        &format!("{base}for app in unknown_apps():\n    INSTALLED_APPS.append(app)\n"),
        None,
        &EnvValues::new(),
    );
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(ages(&s), both(0));
}

#[test]
fn match_statements_in_inlined_functions() {
    let text = "import os
def db(engine):
    match engine:
        case 'sqlite':
            return {'ENGINE': 'django.db.backends.sqlite3', 'NAME': 'x'}
        case 'mysql' | 'mariadb':
            age = 300
        case other if other.startswith('postgres'):
            age = 600
        case _:
            age = 0
    return {'ENGINE': 'django.db.backends.mysql', 'CONN_MAX_AGE': age}

DATABASES = {'default': db(os.getenv('DBE', 'mariadb'))}
";
    let cases = [
        ("mariadb", Backend::MySql, Some(300)),
        ("postgresql", Backend::MySql, Some(600)),
        ("other", Backend::MySql, Some(0)),
        ("sqlite", Backend::Sqlite, Some(0)),
    ];
    for (engine, backend, age) in cases {
        let (s, d, _) = read(text, None, &env(&[("DBE", engine)]));
        assert!(d.is_empty(), "{engine}: {d:?}");
        assert_eq!(s.pools[0].backend.value, backend, "{engine}");
        assert_eq!(secs(&s.pools[0].retirement.value), age, "{engine}");
    }
    // An unknown subject: one variant per case (and none), labelled.
    let unknown = text.replace("os.getenv('DBE', 'mariadb')", "os.getenv('DBE')");
    let (s, d, _) = read(&unknown, None, &EnvValues::new());
    // The undecided subject, and DBE itself (no value, no default).
    assert_eq!(ids(&d), vec!["TL012", "TL012"], "{d:?}");
    assert!(
        d.iter()
            .any(|x| x.message.contains("the condition `engine`")),
        "{d:?}"
    );
    assert_eq!(
        s.pools.len(),
        4,
        "{:?}",
        s.pools.iter().map(when).collect::<Vec<_>>()
    );
    let labels: Vec<Vec<&str>> = s.pools.iter().map(when).collect();
    assert!(
        labels.contains(&vec!["when engine matches 'mysql' | 'mariadb'"]),
        "{labels:?}"
    );
    assert!(
        labels.contains(&vec!["when engine matches 'sqlite'"]),
        "{labels:?}"
    );
}

#[test]
fn loops_in_inlined_functions() {
    let text = "import os
def merged(defaults, extra):
    out = {}
    for key, value in defaults.items():
        out[key] = value
    for key in extra:
        out[key] = extra[key]
    else:
        out['CONN_HEALTH_CHECKS'] = True
    return out

def changed(dbs):
    for db in dbs.values():
        db['CONN_MAX_AGE'] = 1
    return dbs

DATABASES = {'default': merged({'ENGINE': 'django.db.backends.mysql', 'CONN_MAX_AGE': 60}, {'CONN_MAX_AGE': 120})}
";
    let (s, d, _) = read(text, None, &EnvValues::new());
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(secs(&s.pools[0].retirement.value), Some(120));
    assert!(s.pools[0].validation.value);
    // A loop changing its items is not followed: the call is unknown.
    let (_, d, _) = read(
        &format!("{text}DATABASES = changed(DATABASES)\n"),
        None,
        &EnvValues::new(),
    );
    assert_eq!(ids(&d), vec!["TL012"], "{d:?}");
    assert!(
        d[0].message.contains("a loop that changes its items"),
        "{}",
        d[0].message
    );
}
