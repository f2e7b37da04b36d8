//! Session settings a SQLAlchemy `connect` event sets on every new
//! connection:
//!
//! ```python
//! @event.listens_for(engine, "connect")
//! def set_session(dbapi_connection, connection_record):
//!     cursor = dbapi_connection.cursor()
//!     cursor.execute("SET SESSION wait_timeout = 600")
//! ```
//!
//! or `event.listen(engine, "connect", set_session)`. SQLAlchemy calls the
//! listener for each new DBAPI connection of that engine's pool
//! (https://docs.sqlalchemy.org/en/20/core/events.html#sqlalchemy.events.PoolEvents.connect),
//! so a `SET` it executes is that pool's session value, replacing the
//! server's. Only module-level functions and literal SQL strings are read
//! (`cursor.execute("SET …")`, also `SET` statements joined by `;`): the
//! statement is parsed by [`super::super::session::parse_set`] (MySQL's
//! `SET [SESSION] name = value`, which also covers PostgreSQL's
//! `SET name = value`; PostgreSQL's `SET name TO value` is read too). The
//! engine is matched by the variable name the reader gave its pool.

use std::collections::HashMap;

use crate::source::{FileId, Location, Span};

use super::super::session::SessionSetting;
use super::syntax::Py;

/// The session settings of each engine variable's `connect` listeners, in
/// source order.
pub(super) fn connect_settings(
    text: &str,
    root: Py<'_>,
    file: FileId,
) -> HashMap<String, Vec<SessionSetting>> {
    // Functions defined at module level, by name (with their decorators).
    let mut functions: HashMap<&str, Py<'_>> = HashMap::new();
    let mut listeners: Vec<(String, Py<'_>)> = Vec::new();
    let mut c = root.walk();
    for stmt in root.named_children(&mut c) {
        match stmt.kind() {
            "decorated_definition" => {
                let Some(def) = stmt.child_by_field_name("definition") else {
                    continue;
                };
                if let Some(name) = def.child_by_field_name("name") {
                    functions.insert(slice(text, name), def);
                }
                let mut dc = stmt.walk();
                for d in stmt.named_children(&mut dc) {
                    if d.kind() != "decorator" {
                        continue;
                    }
                    if let Some(call) = d.named_child(0).filter(|n| n.kind() == "call")
                        && let Some(engine) = connect_target(text, call, "listens_for")
                    {
                        listeners.push((engine, def));
                    }
                }
            }
            "function_definition" => {
                if let Some(name) = stmt.child_by_field_name("name") {
                    functions.insert(slice(text, name), stmt);
                }
            }
            "expression_statement" => {
                let Some(call) = stmt.named_child(0).filter(|n| n.kind() == "call") else {
                    continue;
                };
                let Some(engine) = connect_target(text, call, "listen") else {
                    continue;
                };
                let handler = call
                    .child_by_field_name("arguments")
                    .and_then(|a| {
                        let mut ac = a.walk();
                        a.named_children(&mut ac).nth(2)
                    })
                    .filter(|h| h.kind() == "identifier")
                    .and_then(|h| functions.get(slice(text, h)).copied());
                if let Some(def) = handler {
                    listeners.push((engine, def));
                }
            }
            _ => {}
        }
    }
    let mut out: HashMap<String, Vec<SessionSetting>> = HashMap::new();
    for (engine, def) in listeners {
        let found = set_statements(text, def, file);
        if !found.is_empty() {
            out.entry(engine).or_default().extend(found);
        }
    }
    out
}

/// For `event.<method>(ENGINE, "connect", …)` (or `listens_for` / `listen`
/// imported bare), the engine variable's name.
fn connect_target(text: &str, call: Py<'_>, method: &str) -> Option<String> {
    let f = call.child_by_field_name("function")?;
    let called = slice(text, f);
    if called != method && !called.ends_with(&format!(".{method}")) {
        return None;
    }
    let args = call.child_by_field_name("arguments")?;
    let mut ac = args.walk();
    let mut it = args.named_children(&mut ac);
    let target = it.next()?;
    let event = it.next()?;
    let name = slice(text, event).trim_matches(['"', '\'']);
    if name != "connect" {
        return None;
    }
    // `engine` or `engine.pool`, `engine.sync_engine` (async engines).
    let t = slice(text, target);
    let base = t.split('.').next().unwrap_or(t);
    (!base.is_empty() && base.chars().all(|c| c.is_alphanumeric() || c == '_'))
        .then(|| base.to_string())
}

/// The `SET` assignments of the literal SQL strings passed to `.execute(…)`
/// inside `def`, located in the file.
fn set_statements(text: &str, def: Py<'_>, file: FileId) -> Vec<SessionSetting> {
    let mut out = Vec::new();
    let mut stack = vec![def];
    let mut steps = 0usize;
    while let Some(n) = stack.pop() {
        steps += 1;
        if steps > 100_000 {
            break;
        }
        if n.kind() == "call"
            && let Some(f) = n.child_by_field_name("function")
            && slice(text, f).ends_with(".execute")
            && let Some(args) = n.child_by_field_name("arguments")
            && let Some(first) = {
                let mut ac = args.walk();
                args.named_children(&mut ac).next()
            }
            && first.kind() == "string"
        {
            let raw = slice(text, first);
            // A plain literal: the SQL sits between the quotes, so its
            // offsets map straight into the file.
            let quote = raw.chars().next().unwrap_or('"');
            if (quote == '"' || quote == '\'') && !raw.contains('\\') && raw.len() >= 2 {
                let sql = &raw[1..raw.len() - 1];
                let base = first.start_byte() + 1;
                // PostgreSQL's `SET name TO value`, as `=` padded to the same
                // length so offsets still map into the file.
                let sql_to = sql.replace(" TO ", " =  ").replace(" to ", " =  ");
                let same_len = sql_to.len() == sql.len();
                for (name, range) in super::super::session::parse_set(&sql_to) {
                    let span = if same_len {
                        Span::new(base + range.start, base + range.end)
                    } else {
                        Span::new(first.start_byte(), first.end_byte())
                    };
                    out.push(SessionSetting {
                        name,
                        value: sql_to[range].to_string(),
                        location: Location::new(file, span),
                    });
                }
            }
        }
        let mut c = n.walk();
        let mut children: Vec<Py<'_>> = n.named_children(&mut c).collect();
        children.reverse();
        stack.extend(children);
    }
    out
}

fn slice<'a>(text: &'a str, n: Py<'_>) -> &'a str {
    text.get(n.start_byte()..n.end_byte()).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Vec<(String, String, String)> {
        let tree = super::super::imports::parse(text);
        let mut out: Vec<(String, String, String)> =
            connect_settings(text, tree.root_node(), FileId(0))
                .into_iter()
                .flat_map(|(engine, sets)| {
                    sets.into_iter().map(move |s| {
                        let at = &text[s.location.span.start..s.location.span.end];
                        (
                            engine.clone(),
                            format!("{}={}", s.name, s.value),
                            at.to_string(),
                        )
                    })
                })
                .collect();
        out.sort();
        out
    }

    #[test]
    fn connect_listeners_accept() {
        let decorated = "@event.listens_for(engine, \"connect\")\ndef on(c, r):\n    cur = c.cursor()\n    cur.execute(\"SET SESSION wait_timeout = 600\")\n";
        assert_eq!(
            read(decorated),
            [("engine".into(), "wait_timeout=600".into(), "600".into())]
        );
        let listen = "def on(c, r):\n    c.cursor().execute('SET statement_timeout TO 5000; SET lock_timeout = 1000')\n\nevent.listen(db.sync_engine, 'connect', on)\n";
        assert_eq!(
            read(listen),
            [
                ("db".into(), "lock_timeout=1000".into(), "1000".into()),
                ("db".into(), "statement_timeout=5000".into(), "5000".into()),
            ]
        );
        let bare = "from sqlalchemy.event import listens_for\n@listens_for(engine.pool, 'connect')\ndef on(c, r):\n    with c.cursor() as cur:\n        cur.execute(\"SET @@session.net_read_timeout=60\")\n";
        assert_eq!(
            read(bare),
            [("engine".into(), "net_read_timeout=60".into(), "60".into())]
        );
    }

    #[test]
    fn connect_listeners_reject() {
        for text in [
            // another event
            "@event.listens_for(engine, 'checkout')\ndef on(c, r, p):\n    c.cursor().execute('SET wait_timeout=5')\n",
            // not a literal
            "@event.listens_for(engine, 'connect')\ndef on(c, r):\n    c.cursor().execute(SQL)\n",
            // GLOBAL is not a session value
            "@event.listens_for(engine, 'connect')\ndef on(c, r):\n    c.cursor().execute('SET GLOBAL wait_timeout=5')\n",
            // a handler that is not a module-level function
            "event.listen(engine, 'connect', make_handler())\n",
            // nothing
            "",
        ] {
            assert!(read(text).is_empty(), "{text}: {:?}", read(text));
        }
    }
}
