//! SQLAlchemy database URLs: `dialect[+driver]://user:password@host:port/db?k=v`.
//!
//! Only what the linter needs: the scheme (for backend and driver), where the
//! password is (to redact it), and the query parameters (timeouts given in the
//! URL). Positions are byte ranges inside the URL string. Nothing here keeps
//! the password or puts the URL into a message.
//!
//! Source: SQLAlchemy `engine/url.py` `_parse_url` (`sqlalchemy/sqlalchemy@f35da7e`):
//! the scheme is `[\w+]+`, the userinfo is `user[:password]@`.

use std::ops::Range;

use super::{Backend, Driver};

/// A parsed database URL (no credentials kept).
#[derive(Clone, Debug, PartialEq)]
pub struct DbUrl {
    /// Dialect, the part of the scheme before `+` (`mysql`, `postgresql`).
    pub dialect: String,
    /// Driver name after `+`, if written (`pymysql`).
    pub driver_name: Option<String>,
    /// Database family of the dialect.
    pub backend: Backend,
    /// The driver (`MysqlConnector { use_pure: false }` until connect args say otherwise).
    pub driver: Driver,
    /// Byte range of the scheme (`mysql+pymysql`) in the URL.
    pub scheme: Range<usize>,
    /// Byte range of the password in the URL, if the URL has one.
    pub password: Option<Range<usize>>,
    /// Query parameters in order.
    pub query: Vec<QueryParam>,
    /// Host and port after the userinfo (`db:3306` in
    /// `mysql://u:p@db:3306/app`), with the byte range of the host.
    pub host: Option<HostPort>,
    /// The user name of the userinfo (`u` in `mysql://u:p@db/app`), as
    /// written (not percent-decoded); never the password.
    pub username: Option<String>,
    /// The database name after the host (`app` in `mysql://u:p@db/app`),
    /// as written, up to `?` or `#`; `None` when empty.
    pub database: Option<String>,
}

/// The host and port of a database URL (`host[:port]`, `[v6addr][:port]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostPort {
    /// Host name or address, as written (brackets of an IPv6 address removed).
    pub host: String,
    /// The port, when written and numeric.
    pub port: Option<u16>,
    /// Byte range of `host[:port]` in the URL.
    pub range: Range<usize>,
}

/// The `host[:port]` part of a URL's authority starting at byte `start`
/// (after the userinfo): up to the first `/`, `?` or `#`. `None` when empty
/// (`sqlite:///x.db`, a Unix-socket URL).
fn host_port(url: &str, start: usize) -> Option<HostPort> {
    let rest = &url[start..];
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    if authority.is_empty() {
        return None;
    }
    let (host, port) = match authority.strip_prefix('[') {
        Some(v6) => {
            let close = v6.find(']')?;
            (&v6[..close], v6[close + 1..].strip_prefix(':'))
        }
        None => match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        },
    };
    if host.is_empty() {
        return None;
    }
    Some(HostPort {
        host: host.to_string(),
        port: port.and_then(|p| p.parse().ok()),
        range: start..start + end,
    })
}

/// One `name=value` of the URL query (raw, not percent-decoded).
#[derive(Clone, Debug, PartialEq)]
pub struct QueryParam {
    /// Parameter name.
    pub name: String,
    /// Parameter value.
    pub value: String,
    /// Byte range of the value in the URL.
    pub value_range: Range<usize>,
}

/// Why a string is not a database URL. Messages never quote the URL.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    /// No `://` after the scheme.
    #[error("the database URL has no `dialect+driver` scheme")]
    NoScheme,
    /// The scheme holds characters SQLAlchemy does not accept (only letters, digits, `_`, `+`).
    #[error("the database URL scheme is not of the form `dialect+driver`")]
    BadScheme,
}

/// Parses a SQLAlchemy database URL.
///
/// Errors: [`UrlError`] when there is no scheme, e.g. an unexpanded `${DATABASE_URL}`.
pub fn parse_db_url(url: &str) -> Result<DbUrl, UrlError> {
    let sep = url.find("://").ok_or(UrlError::NoScheme)?;
    let scheme = &url[..sep];
    if scheme.is_empty()
        || !scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '+')
    {
        return Err(UrlError::BadScheme);
    }
    let (dialect, driver_name) = match scheme.split_once('+') {
        Some((d, drv)) if !d.is_empty() && !drv.is_empty() && !drv.contains('+') => (d, Some(drv)),
        Some(_) => return Err(UrlError::BadScheme),
        None => (scheme, None),
    };
    let (backend, driver) = classify(dialect, driver_name);
    let rest_start = sep + 3;
    let rest = &url[rest_start..];
    let at = userinfo_end(rest);
    let after_userinfo = at.map_or(rest_start, |a| rest_start + a + 1);
    let query_start = url[after_userinfo..]
        .find('?')
        .map(|q| after_userinfo + q + 1);
    Ok(DbUrl {
        dialect: dialect.to_string(),
        driver_name: driver_name.map(str::to_string),
        backend,
        driver,
        scheme: 0..sep,
        password: password_range(url),
        query: query_start.map(|q| parse_query(url, q)).unwrap_or_default(),
        host: host_port(url, after_userinfo),
        username: at
            .map(|a| &rest[..a])
            .map(|info| info.split_once(':').map_or(info, |(u, _)| u))
            .filter(|u| !u.is_empty())
            .map(str::to_string),
        database: database_name(url, after_userinfo),
    })
}

/// The database name of a URL whose authority starts at byte `start`: the
/// text after the first `/` of the rest, up to `?` or `#`.
fn database_name(url: &str, start: usize) -> Option<String> {
    let rest = &url[start..];
    let slash = rest.find('/')?;
    if rest[..slash].contains(['?', '#']) {
        return None;
    }
    let db = &rest[slash + 1..];
    let db = &db[..db.find(['?', '#']).unwrap_or(db.len())];
    (!db.is_empty()).then(|| db.to_string())
}

/// Index in `rest` (the text after `://`) of the `@` ending the userinfo.
///
/// The LAST `@` is taken, so a password holding an unencoded `@` is covered
/// whole (SQLAlchemy itself stops at the first `@` and would misread such a URL;
/// for redaction, covering more is the safe side).
fn userinfo_end(rest: &str) -> Option<usize> {
    rest.rfind('@')
}

/// Byte range of the password in any `scheme://user:password@...` string.
///
/// Used to redact: the password runs from the first `:` of the userinfo to the
/// last `@` of the string. `None` when there is no `://`, no `@` or no `:`
/// before it.
pub fn password_range(url: &str) -> Option<Range<usize>> {
    let rest_start = url.find("://")? + 3;
    let rest = &url[rest_start..];
    let at = userinfo_end(rest)?;
    let colon = rest[..at].find(':')?;
    Some(rest_start + colon + 1..rest_start + at)
}

/// Byte ranges of every secret in a URL-like string: the userinfo password and
/// the values of query parameters named like a password.
pub fn secret_ranges(url: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let Some(sep) = url.find("://") else {
        return out;
    };
    if let Some(p) = password_range(url) {
        out.push(p);
    }
    let rest_start = sep + 3;
    let after = userinfo_end(&url[rest_start..]).map_or(rest_start, |a| rest_start + a + 1);
    if let Some(q) = url[after..].find('?') {
        for p in parse_query(url, after + q + 1) {
            if is_secret_name(&p.name) && !p.value_range.is_empty() {
                out.push(p.value_range);
            }
        }
    }
    out
}

/// True for setting names that hold a password: containing `password` or
/// `passwd` (any case), or exactly `pwd`.
pub fn is_secret_name(name: &str) -> bool {
    // Every secret name has a `p` (most names have none).
    if !name.bytes().any(|c| c == b'p' || c == b'P') {
        return false;
    }
    let n = name.to_ascii_lowercase();
    n.contains("password") || n.contains("passwd") || n == "pwd"
}

fn parse_query(url: &str, start: usize) -> Vec<QueryParam> {
    let mut out = Vec::new();
    let end = url[start..].find('#').map_or(url.len(), |h| start + h);
    let mut pos = start;
    for part in url[start..end].split('&') {
        let part_start = pos;
        pos += part.len() + 1;
        if part.is_empty() {
            continue;
        }
        let (name, value, value_start) = match part.split_once('=') {
            Some((n, v)) => (n, v, part_start + n.len() + 1),
            None => (part, "", part_start + part.len()),
        };
        out.push(QueryParam {
            name: name.to_string(),
            value: value.to_string(),
            value_range: value_start..value_start + value.len(),
        });
    }
    out
}

/// Backend and driver of a SQLAlchemy dialect and optional driver name.
///
/// Default drivers when none is written: `mysql` and `mariadb` use mysqlclient
/// (MySQLdb), `postgresql` psycopg2, `sqlite` pysqlite (SQLAlchemy dialect docs,
/// <https://docs.sqlalchemy.org/en/20/dialects/>). `postgresql+psycopg` is
/// psycopg 3 and `postgresql+asyncpg` asyncpg; other PostgreSQL drivers
/// (`pg8000`, `psycopg2cffi`) stay [`Driver::Other`].
///
/// Wire-compatible databases map to the family whose protocol and drivers
/// they use (docs/manifest.md, "Backends"): `cockroachdb[+psycopg2|+psycopg|
/// +asyncpg]` (sqlalchemy-cockroachdb,
/// <https://github.com/cockroachdb/sqlalchemy-cockroachdb>) to PostgreSQL,
/// `tidb[+pymysql|+mysqldb]` (<https://github.com/pingcap/sqlalchemy-tidb>)
/// to MySQL. Driver settings (libpq, PyMySQL) then apply; the server's own
/// settings are whatever `db` file the path names (CockroachDB has no
/// PostgreSQL GUC file, TiDB no my.cnf: their server timeouts are not
/// modelled). `mysql+pymysql://` to a TiDB server is plain MySQL here.
pub fn classify(dialect: &str, driver_name: Option<&str>) -> (Backend, Driver) {
    match dialect {
        // TiDB (sqlalchemy-tidb's `tidb` dialect) speaks the MySQL protocol
        // through the same drivers (default mysqlclient).
        "mysql" | "mariadb" | "tidb" => {
            let driver = match driver_name {
                None | Some("mysqldb") => Driver::MysqlClient,
                Some("pymysql") => Driver::PyMySql,
                Some("mysqlconnector") => Driver::MysqlConnector { use_pure: false },
                Some("aiomysql") => Driver::AioMysql,
                Some("asyncmy") => Driver::AsyncMy,
                Some("mariadbconnector") => Driver::MariaDbConnector,
                Some(other) => Driver::Other(other.to_string()),
            };
            (Backend::MySql, driver)
        }
        // CockroachDB (sqlalchemy-cockroachdb) speaks the PostgreSQL wire
        // protocol through the same drivers (default psycopg2).
        "postgresql" | "postgres" | "cockroachdb" => {
            let driver = match driver_name {
                None | Some("psycopg2") => Driver::Psycopg2,
                Some("psycopg") => Driver::Psycopg,
                Some("asyncpg") => Driver::Asyncpg,
                Some(other) => Driver::Other(other.to_string()),
            };
            (Backend::PostgreSql, driver)
        }
        "sqlite" => (
            Backend::Sqlite,
            Driver::Other(driver_name.unwrap_or("pysqlite").to_string()),
        ),
        other => (
            Backend::Other,
            Driver::Other(driver_name.unwrap_or(other).to_string()),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_and_port() {
        type Want<'a> = Option<(&'a str, Option<u16>)>;
        let cases: &[(&str, Want)] = &[
            ("mysql+pymysql://u:p@db:3306/app", Some(("db", Some(3306)))),
            ("postgresql://u:p@pgbouncer/app", Some(("pgbouncer", None))),
            (
                "postgresql://u:p:w@x@h.example.com:6432/app?a=b",
                Some(("h.example.com", Some(6432))),
            ),
            ("postgresql://[::1]:5433/app", Some(("::1", Some(5433)))),
            ("postgresql://db?sslmode=require", Some(("db", None))),
            ("postgresql://u@db:notaport/app", Some(("db", None))),
            ("sqlite:///app.db", None),
            ("postgresql:///app?host=/var/run/postgresql", None),
            ("postgresql://u:p@:5432/app", None),
        ];
        for (url, want) in cases {
            let got = parse_db_url(url).unwrap().host;
            let got = got.as_ref().map(|h| (h.host.as_str(), h.port));
            assert_eq!(got, *want, "{url}");
        }
        let url = "mysql://u:p@db:3306/app";
        let h = parse_db_url(url).unwrap().host.unwrap();
        assert_eq!(&url[h.range], "db:3306");
    }

    #[test]
    fn database_and_user() {
        type Want<'a> = (Option<&'a str>, Option<&'a str>);
        let cases: &[(&str, Want)] = &[
            (
                "postgresql+psycopg://app@pgbouncer:6432/orders",
                (Some("app"), Some("orders")),
            ),
            (
                "postgresql://app:s3cret@db/orders?sslmode=require",
                (Some("app"), Some("orders")),
            ),
            (
                "postgresql://u:p:w@x@h.example.com:6432/app?a=b",
                (Some("u"), Some("app")),
            ),
            ("postgresql://db?sslmode=require", (None, None)),
            ("postgresql://db/", (None, None)),
            (
                "postgresql:///app?host=/var/run/postgresql",
                (None, Some("app")),
            ),
            ("mysql://:p@db/app#frag", (None, Some("app"))),
            ("sqlite:///app.db", (None, Some("app.db"))),
        ];
        for (url, (user, db)) in cases {
            let u = parse_db_url(url).unwrap();
            assert_eq!(u.username.as_deref(), *user, "{url}");
            assert_eq!(u.database.as_deref(), *db, "{url}");
            // The password is never kept.
            assert!(!format!("{u:?}").contains("s3cret"), "{url}");
        }
    }

    #[test]
    fn schemes_to_backend_and_driver() {
        let cases: &[(&str, Backend, Driver)] = &[
            ("mysql://h/db", Backend::MySql, Driver::MysqlClient),
            ("mysql+mysqldb://h/db", Backend::MySql, Driver::MysqlClient),
            ("mysql+pymysql://h/db", Backend::MySql, Driver::PyMySql),
            (
                "mysql+mysqlconnector://h/db",
                Backend::MySql,
                Driver::MysqlConnector { use_pure: false },
            ),
            ("mysql+aiomysql://h/db", Backend::MySql, Driver::AioMysql),
            ("mysql+asyncmy://h/db", Backend::MySql, Driver::AsyncMy),
            (
                "mariadb+mariadbconnector://h/db",
                Backend::MySql,
                Driver::MariaDbConnector,
            ),
            ("mariadb://h/db", Backend::MySql, Driver::MysqlClient),
            ("mariadb+pymysql://h/db", Backend::MySql, Driver::PyMySql),
            (
                "mysql+gaerdbms://h/db",
                Backend::MySql,
                Driver::Other("gaerdbms".into()),
            ),
            ("postgresql://h/db", Backend::PostgreSql, Driver::Psycopg2),
            ("postgres://h/db", Backend::PostgreSql, Driver::Psycopg2),
            (
                "postgresql+psycopg2://h/db",
                Backend::PostgreSql,
                Driver::Psycopg2,
            ),
            (
                "postgresql+asyncpg://h/db",
                Backend::PostgreSql,
                Driver::Asyncpg,
            ),
            (
                "postgresql+psycopg://h/db",
                Backend::PostgreSql,
                Driver::Psycopg,
            ),
            (
                "postgresql+pg8000://h/db",
                Backend::PostgreSql,
                Driver::Other("pg8000".into()),
            ),
            (
                "postgresql+psycopg2cffi://h/db",
                Backend::PostgreSql,
                Driver::Other("psycopg2cffi".into()),
            ),
            (
                "sqlite:///app.db",
                Backend::Sqlite,
                Driver::Other("pysqlite".into()),
            ),
            (
                "sqlite://",
                Backend::Sqlite,
                Driver::Other("pysqlite".into()),
            ),
            ("cockroachdb://h/db", Backend::PostgreSql, Driver::Psycopg2),
            (
                "cockroachdb+psycopg://h/db",
                Backend::PostgreSql,
                Driver::Psycopg,
            ),
            (
                "cockroachdb+asyncpg://h/db",
                Backend::PostgreSql,
                Driver::Asyncpg,
            ),
            ("tidb://h/db", Backend::MySql, Driver::MysqlClient),
            ("tidb+pymysql://h/db", Backend::MySql, Driver::PyMySql),
            (
                "mssql+pyodbc://h/db",
                Backend::Other,
                Driver::Other("pyodbc".into()),
            ),
            (
                "oracle://h/db",
                Backend::Other,
                Driver::Other("oracle".into()),
            ),
        ];
        for (url, backend, driver) in cases {
            let u = parse_db_url(url).unwrap();
            assert_eq!(&u.backend, backend, "{url}");
            assert_eq!(&u.driver, driver, "{url}");
            assert_eq!(&url[u.scheme.clone()], url.split("://").next().unwrap());
        }
    }

    #[test]
    fn rejects_non_urls() {
        assert_eq!(parse_db_url("${DATABASE_URL}"), Err(UrlError::NoScheme));
        assert_eq!(parse_db_url(""), Err(UrlError::NoScheme));
        assert_eq!(parse_db_url("://h"), Err(UrlError::BadScheme));
        assert_eq!(parse_db_url("my sql://h"), Err(UrlError::BadScheme));
        assert_eq!(parse_db_url("mysql+://h"), Err(UrlError::BadScheme));
        assert_eq!(parse_db_url("a+b+c://h"), Err(UrlError::BadScheme));
    }

    #[test]
    fn password_ranges() {
        let cases: &[(&str, Option<&str>)] = &[
            ("mysql://app:s3cret@db:3306/app", Some("s3cret")),
            (
                "mysql+pymysql://app:p@ss:w0rd@db.internal:3306/app",
                Some("p@ss:w0rd"),
            ),
            ("mysql://app:p%40ss%3Aw@db/app", Some("p%40ss%3Aw")),
            ("mysql://app:pä$$@db/app?x=1", Some("pä$$")),
            ("mysql://app:@db/app", Some("")),
            ("mysql://app@db/app", None),
            ("mysql://db:3306/app", None),
            ("sqlite:///tmp/x.db", None),
            ("not a url", None),
        ];
        for (url, want) in cases {
            let got = password_range(url).map(|r| &url[r]);
            assert_eq!(got, *want, "{url}");
        }
    }

    #[test]
    fn query_parameters_with_ranges() {
        let url =
            "mysql+pymysql://u:pw@h/db?connect_timeout=5&read_timeout=30&flag&charset=utf8mb4#frag";
        let u = parse_db_url(url).unwrap();
        let names: Vec<_> = u.query.iter().map(|q| q.name.as_str()).collect();
        assert_eq!(
            names,
            ["connect_timeout", "read_timeout", "flag", "charset"]
        );
        assert_eq!(u.query[0].value, "5");
        assert_eq!(&url[u.query[1].value_range.clone()], "30");
        assert_eq!(u.query[2].value, "");
        assert_eq!(&url[u.password.unwrap()], "pw");
        assert!(parse_db_url("mysql://h/db").unwrap().query.is_empty());
    }

    #[test]
    fn secrets_include_password_query_parameters() {
        let url = "postgresql://u:pw@h/db?password=q&sslmode=require";
        let got: Vec<_> = secret_ranges(url).into_iter().map(|r| &url[r]).collect();
        assert_eq!(got, ["pw", "q"]);
        assert!(secret_ranges("plain").is_empty());
        assert!(is_secret_name("PASSWORD") && is_secret_name("db_passwd") && is_secret_name("pwd"));
        assert!(!is_secret_name("user"));
    }
}
