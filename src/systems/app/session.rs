//! MySQL session variables a pool sets at connect: the driver's
//! `init_command` (PyMySQL, mysqlclient and mysql-connector run it on each
//! new connection; SQLAlchemy `connect_args`, Django `OPTIONS`).
//!
//! `SET [SESSION | LOCAL] name = value [, ...]`, `SET @@session.name = value`,
//! `SET @@name = value` change the session's value, which replaces the
//! server's global for that connection: `wait_timeout` set there is the
//! idle limit of that pool's sessions
//! (https://dev.mysql.com/doc/refman/8.0/en/set-variable.html). `GLOBAL` /
//! `PERSIST` assignments change every later session and need privileges;
//! they are not read as session values. Statements other than `SET` are
//! ignored; a `SET` that does not lex yields what was read before the
//! problem.

use std::ops::Range;

use crate::parse::tree::Node;
use crate::source::Location;

use super::values::Ctx;

/// One session variable set at connect.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionSetting {
    /// The variable name, lower-case (`wait_timeout`).
    pub name: String,
    /// The value text as written, quotes removed (`600`).
    pub value: String,
    /// The value inside the `init_command` string, or the whole string
    /// when no finer span exists.
    pub location: Location,
}

/// The session settings of `init_command` in `args` (a `connect_args` /
/// `OPTIONS` mapping).
pub(super) fn read(ctx: &Ctx<'_>, args: Option<&Node>) -> Vec<SessionSetting> {
    let Some(node) = args.and_then(|a| a.get("init_command")) else {
        return Vec::new();
    };
    let Some(text) = node.as_str() else {
        return Vec::new();
    };
    parse_set(text)
        .into_iter()
        .map(|(name, value)| SessionSetting {
            name,
            value: text[value.clone()].to_string(),
            location: ctx.loc(ctx.inner_span(node, value)),
        })
        .collect()
}

/// The session assignments of the `SET` statements in `sql` (statements
/// separated by `;`): lower-case names, and the byte range of each value in
/// `sql` (quotes excluded).
pub fn parse_set(sql: &str) -> Vec<(String, Range<usize>)> {
    let mut out = Vec::new();
    let mut start = 0;
    for stmt in sql.split(';') {
        parse_statement(sql, start, stmt.len(), &mut out);
        start += stmt.len() + 1;
    }
    out
}

/// One statement at `sql[start..start + len]`.
fn parse_statement(sql: &str, start: usize, len: usize, out: &mut Vec<(String, Range<usize>)>) {
    let b = sql.as_bytes();
    let end = start + len;
    let mut i = skip_space(b, start, end);
    let word = |i: usize| {
        let j = (i..end)
            .find(|&k| !(b[k].is_ascii_alphanumeric() || b[k] == b'_'))
            .unwrap_or(end);
        (sql[i..j].to_ascii_lowercase(), j)
    };
    let (set, j) = word(i);
    if set != "set" {
        return;
    }
    i = j;
    loop {
        i = skip_space(b, i, end);
        // Scope: SESSION / LOCAL / GLOBAL / PERSIST keywords or @@scope. prefixes.
        let mut session = true;
        if sql[i..end].starts_with("@@") {
            i += 2;
            let (w, j) = word(i);
            if j < end && b[j] == b'.' {
                session = matches!(w.as_str(), "session" | "local");
                i = j + 1;
            }
        } else {
            let (w, j) = word(i);
            match w.as_str() {
                "session" | "local" => i = skip_space(b, j, end),
                "global" | "persist" | "persist_only" => {
                    session = false;
                    i = skip_space(b, j, end);
                }
                _ => {}
            }
        }
        let (name, j) = word(i);
        if name.is_empty() {
            return;
        }
        i = skip_space(b, j, end);
        if sql[i..end].starts_with(":=") {
            i += 2;
        } else if sql[i..end].starts_with('=') {
            i += 1;
        } else {
            return;
        }
        i = skip_space(b, i, end);
        let value = match b.get(i).filter(|_| i < end) {
            Some(&q @ (b'\'' | b'"')) => {
                let Some(close) = (i + 1..end).find(|&k| b[k] == q) else {
                    return;
                };
                let v = i + 1..close;
                i = close + 1;
                v
            }
            _ => {
                let stop = (i..end).find(|&k| b[k] == b',').unwrap_or(end);
                let v = i..i + sql[i..stop].trim_end().len();
                i = stop;
                v
            }
        };
        if value.is_empty() {
            return;
        }
        if session {
            out.push((name, value));
        }
        i = skip_space(b, i, end);
        if i < end && b[i] == b',' {
            i += 1;
        } else {
            return;
        }
    }
}

fn skip_space(b: &[u8], mut i: usize, end: usize) -> usize {
    while i < end && b[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::parse_set;

    fn read(sql: &str) -> Vec<(String, String)> {
        parse_set(sql)
            .into_iter()
            .map(|(n, r)| (n, sql[r].to_string()))
            .collect()
    }

    #[test]
    fn set_statements_accept() {
        let table: &[(&str, &[(&str, &str)])] = &[
            ("SET SESSION wait_timeout=600", &[("wait_timeout", "600")]),
            ("set wait_timeout = 600", &[("wait_timeout", "600")]),
            (
                "SET @@session.wait_timeout = 600",
                &[("wait_timeout", "600")],
            ),
            ("SET @@wait_timeout=600", &[("wait_timeout", "600")]),
            (
                "SET LOCAL net_read_timeout := 60",
                &[("net_read_timeout", "60")],
            ),
            (
                "SET SESSION wait_timeout=600, SESSION net_write_timeout=90",
                &[("wait_timeout", "600"), ("net_write_timeout", "90")],
            ),
            (
                "SET sql_mode='STRICT_TRANS_TABLES'; SET wait_timeout=60",
                &[("sql_mode", "STRICT_TRANS_TABLES"), ("wait_timeout", "60")],
            ),
            ("SET SESSION Wait_Timeout=600 ", &[("wait_timeout", "600")]),
        ];
        for (sql, want) in table {
            let want: Vec<(String, String)> = want
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect();
            assert_eq!(read(sql), want, "{sql}");
        }
    }

    #[test]
    fn set_statements_reject() {
        for sql in [
            "SET GLOBAL wait_timeout=600",
            "SET @@global.wait_timeout=600",
            "SET PERSIST wait_timeout=600",
            "SELECT 1",
            "SET wait_timeout",
            "SET wait_timeout=",
            "SET wait_timeout='600",
            "",
            "SET NAMES utf8mb4",
        ] {
            assert!(read(sql).is_empty(), "{sql}: {:?}", read(sql));
        }
    }
}
