//! gunicorn's Python config file (`gunicorn.conf.py`, `-c gunicorn_conf.py`):
//! the worker count, threads and request timeout, read without running it.
//!
//! gunicorn executes the file and takes its module-level names as settings
//! (https://docs.gunicorn.org/en/stable/configure.html#configuration-file):
//! `workers` (processes), `threads` (per process) and `timeout` (seconds a
//! silent worker may run before the arbiter kills and restarts it,
//! https://docs.gunicorn.org/en/stable/settings.html#timeout). Each
//! module-level assignment to those names is evaluated by the settings
//! evaluator ([`super::eval`]): literals, arithmetic, names assigned before,
//! environment reads with their defaults or the deploy-time values of
//! `[path.env]` (`int(os.environ.get("WEB_CONCURRENCY", "4"))`). What it
//! cannot know (`multiprocessing.cpu_count() * 2 + 1`) is unknown, with the
//! reason, never guessed; the last assignment wins, as when Python runs the
//! file. Control flow is not followed here: an assignment inside an `if`
//! makes the name unknown. No gunicorn default is held here: an absent
//! name is simply not reported.

use std::collections::HashMap;

use crate::diagnostic::Diagnostic;
use crate::env::EnvValues;
use crate::parse::tree::NodeKind;
use crate::source::{FileId, Location, SourceMap, Span};

use super::eval::Eval;

/// The settings read, by name.
pub const SETTINGS: [&str; 3] = ["workers", "threads", "timeout"];

/// One setting of a gunicorn config file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GunicornValue {
    /// A whole number, at the assigned expression.
    Known(u64, Location),
    /// Not known without running the file, and why, at the expression.
    Unknown(String, Location),
}

/// Reads the module-level `workers`, `threads` and `timeout` of the gunicorn
/// config `file` (already in `sources`), in [`SETTINGS`] order; an absent
/// name is left out. A file that does not parse, or is nested too deep,
/// yields nothing but a TL001 (as the settings reader reports it).
pub fn read(
    file: FileId,
    env: &EnvValues,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(&'static str, GunicornValue)> {
    let text = sources.get(file).text().to_string();
    if let Some((at, msg)) = super::indentation_too_deep(&text) {
        diags.push(Diagnostic::new(
            crate::rules::codes::SYNTAX_ERROR,
            msg,
            crate::diagnostic::Label::at(Location::new(file, at), "nested too deep"),
        ));
        return Vec::new();
    }
    let tree = super::imports::parse(&text);
    if let Some((start, end)) = tree.first_error() {
        diags.push(Diagnostic::new(
            crate::rules::codes::SYNTAX_ERROR,
            "invalid Python: syntax error; what parses is still read",
            crate::diagnostic::Label::at(Location::new(file, Span::new(start, end)), "here"),
        ));
    }
    let mut ev = Eval::new(&text, file, env);
    let mut found: HashMap<&'static str, GunicornValue> = HashMap::new();
    let root = tree.root_node();
    let mut c = root.walk();
    for stmt in root.named_children(&mut c) {
        let (assign, nested) = match stmt.kind() {
            "expression_statement" => (
                stmt.named_child(0).filter(|a| a.kind() == "assignment"),
                false,
            ),
            "if_statement" | "for_statement" | "while_statement" | "try_statement"
            | "with_statement" => (None, true),
            _ => (None, false),
        };
        if nested {
            // A setting assigned in a block is not followed: unknown.
            for name in SETTINGS {
                if let Some(at) = assigned_in(stmt, name, &text) {
                    found.insert(
                        name,
                        GunicornValue::Unknown(
                            "assigned inside a block whose path is not followed".to_string(),
                            Location::new(file, at),
                        ),
                    );
                }
            }
            continue;
        }
        let Some(a) = assign else { continue };
        let (Some(left), Some(right)) = (
            a.child_by_field_name("left"),
            a.child_by_field_name("right"),
        ) else {
            continue;
        };
        if left.kind() != "identifier" {
            continue;
        }
        let name = &text[left.start_byte()..left.end_byte()];
        let value = ev.eval(right);
        ev.names.insert(name.to_string(), value.clone());
        let Some(setting) = SETTINGS.iter().find(|s| **s == name) else {
            continue;
        };
        let at = Location::new(file, Span::new(right.start_byte(), right.end_byte()));
        let unknowns = ev.take_unknowns();
        let v = match value.map(|n| n.kind) {
            Some(NodeKind::Int(n)) if n >= 0 => GunicornValue::Known(n.unsigned_abs(), at),
            Some(NodeKind::Float(f)) if *setting == "timeout" && f >= 0.0 && f.is_finite() => {
                GunicornValue::Known(f.ceil() as u64, at)
            }
            Some(NodeKind::Str(s)) if s.trim().parse::<u64>().is_ok() => {
                GunicornValue::Known(s.trim().parse().unwrap_or(0), at)
            }
            Some(other) => {
                GunicornValue::Unknown(format!("not a whole number ({})", kind_name(&other)), at)
            }
            None => GunicornValue::Unknown(
                unknowns
                    .first()
                    .map(|u| u.why.clone())
                    .unwrap_or_else(|| "not known without running the file".to_string()),
                at,
            ),
        };
        found.insert(setting, v);
    }
    SETTINGS
        .iter()
        .filter_map(|s| found.remove(s).map(|v| (*s, v)))
        .collect()
}

/// The span of an assignment to `name` anywhere inside `block`.
fn assigned_in(block: super::syntax::Py<'_>, name: &str, text: &str) -> Option<Span> {
    let mut stack = vec![block];
    let mut steps = 0usize;
    while let Some(n) = stack.pop() {
        steps += 1;
        if steps > 100_000 {
            return None;
        }
        if n.kind() == "assignment"
            && let Some(left) = n.child_by_field_name("left")
            && left.kind() == "identifier"
            && &text[left.start_byte()..left.end_byte()] == name
        {
            return Some(Span::new(n.start_byte(), n.end_byte()));
        }
        let mut c = n.walk();
        stack.extend(n.named_children(&mut c));
    }
    None
}

fn kind_name(k: &NodeKind) -> &'static str {
    match k {
        NodeKind::Map(_) => "a dict",
        NodeKind::Seq(_) => "a list",
        NodeKind::Str(_) => "a string",
        NodeKind::Int(_) => "a negative number",
        NodeKind::Float(_) => "a fraction",
        NodeKind::Bool(_) => "a boolean",
        NodeKind::Null => "None",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str, env: &[(&str, &str)]) -> Vec<(&'static str, String)> {
        let mut sources = SourceMap::new(None);
        let id = sources.add(std::path::Path::new("gunicorn.conf.py"), text.to_string());
        let mut e = EnvValues::new();
        for (k, v) in env {
            e.set(k.to_string(), v.to_string(), "test".to_string());
        }
        let mut diags = Vec::new();
        read(id, &e, &mut sources, &mut diags)
            .into_iter()
            .map(|(n, v)| {
                let shown = match v {
                    GunicornValue::Known(n, at) => format!("{n} @{}", sources.text_at(at)),
                    GunicornValue::Unknown(why, at) => format!("? {why} @{}", sources.text_at(at)),
                };
                (n, shown)
            })
            .collect()
    }

    #[test]
    fn settings_accept() {
        let got = run(
            "import os\nbind = '0.0.0.0:8000'\nworkers = 4\nthreads = int(os.environ.get('THREADS', '2'))\ntimeout = 60 * 2\n",
            &[],
        );
        assert_eq!(
            got,
            [
                ("workers", "4 @4".to_string()),
                (
                    "threads",
                    "2 @int(os.environ.get('THREADS', '2'))".to_string()
                ),
                ("timeout", "120 @60 * 2".to_string()),
            ]
        );
        // Deploy-time environment values win over the code's default;
        // the last assignment wins; names assigned before are known.
        let got = run(
            "import os\nw = 3\nworkers = w\nworkers = int(os.getenv('WEB_CONCURRENCY', '2'))\n",
            &[("WEB_CONCURRENCY", "8")],
        );
        assert_eq!(got[0].0, "workers");
        assert!(got[0].1.starts_with("8 @"), "{got:?}");
    }

    #[test]
    fn settings_reject() {
        let got = run(
            "import multiprocessing\nworkers = multiprocessing.cpu_count() * 2 + 1\nthreads = 'many'\nif True:\n    timeout = 5\n",
            &[],
        );
        assert_eq!(got.len(), 3, "{got:?}");
        assert!(got[0].1.starts_with("? "), "{got:?}");
        assert!(got[1].1.starts_with("? not a whole number"), "{got:?}");
        assert!(got[2].1.contains("inside a block"), "{got:?}");
        // Nothing set, nothing said; a syntax error is TL001, no panic.
        assert!(run("bind = ':8000'\n", &[]).is_empty());
        assert!(run(&"(".repeat(100_000), &[]).is_empty());
    }
}
