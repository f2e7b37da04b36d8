//! Which names can reach a setting, so that a branch that cannot change
//! any setting is not read as a variant.
//!
//! Real settings modules have many `if DEBUG:` blocks that only touch
//! `INSTALLED_APPS` or logging. Reading each undecided one as two variants
//! would multiply the reads (and hit the variant cap) for nothing. Before
//! reading, every module of the project is scanned once. The names a
//! setting may depend on are the settings themselves (`DATABASES`,
//! `SQLALCHEMY_*`, `CONN_*`, pool option names), every name used in an
//! engine call or `app.config` change, and, transitively, every name used to
//! compute one of those (assignments, functions, classes, `x.update(...)`).
//! A branch is *relevant* when it may bind or change one of them, imports
//! anything, or makes an engine. The test over-approximates: a relevant
//! branch may still change nothing, and is then read as two identical
//! variants, which are merged.

use std::collections::{HashMap, HashSet};

use super::syntax::Py;

use super::imports::Module;
use super::walk;
use super::{is_setting, pool_key};

/// Statement containers: the walk enters them to reach statements.
pub(super) fn is_container(kind: &str) -> bool {
    matches!(
        kind,
        "module"
            | "block"
            | "if_statement"
            | "elif_clause"
            | "else_clause"
            | "try_statement"
            | "except_clause"
            | "except_group_clause"
            | "finally_clause"
            | "with_statement"
            | "for_statement"
            | "while_statement"
            | "class_definition"
            | "decorated_definition"
    )
}

/// What one walk over an expression (or a function body) finds: the
/// identifiers it uses, and the seeds in it (setting names, names used in
/// engine calls and `app.config` changes).
#[derive(Default)]
struct Found<'a> {
    used: Vec<&'a str>,
    seeds: Vec<&'a str>,
    /// `x.update(y)` calls: (x, names in the arguments).
    updates: Vec<(&'a str, Vec<&'a str>)>,
}

/// Walks `n` once (charged to `budget`): see [`Found`]. `None` when the
/// budget runs out.
fn walk_expr<'a>(n: Py<'_>, src: &'a str, budget: &mut usize, out: &mut Found<'a>) -> Option<()> {
    let text = |n: Py<'_>| -> &'a str { src.get(n.start_byte()..n.end_byte()).unwrap_or("") };
    let mut ok = true;
    walk::preorder(n, |x| {
        if !ok {
            return false;
        }
        match budget.checked_sub(1) {
            Some(b) => *budget = b,
            None => {
                ok = false;
                return false;
            }
        }
        match x.kind() {
            "identifier" => {
                let t = text(x);
                out.used.push(t);
                if is_setting(t) || pool_key(t).is_some() {
                    out.seeds.push(t);
                }
            }
            "string_content" => {
                let t = text(x);
                if is_setting(t) {
                    out.seeds.push(t);
                }
            }
            "call" => {
                let f = x.child_by_field_name("function");
                let callee = f.map(text).unwrap_or("");
                let last = callee.rsplit('.').next().unwrap_or("");
                let makes_engine = matches!(
                    last,
                    "create_engine" | "create_async_engine" | "engine_from_config" | "SQLAlchemy"
                );
                let config = callee.contains("config.")
                    && matches!(last, "update" | "from_mapping" | "from_object");
                if let Some(args) = x.child_by_field_name("arguments") {
                    if makes_engine || config {
                        // Their arguments are seeds: collected by a marker
                        // pass over the arguments only (linear overall, as
                        // engine calls do not nest in real code; budgeted).
                        let mut inner = Found::default();
                        if walk_expr(args, src, budget, &mut inner).is_none() {
                            ok = false;
                            return false;
                        }
                        out.seeds.extend(inner.used.iter().copied());
                        out.seeds.extend(inner.seeds);
                        out.used.extend(inner.used);
                        out.updates.extend(inner.updates);
                        return false;
                    }
                    if let Some(root) = f
                        .filter(|f| f.kind() == "attribute")
                        .and_then(|f| f.child_by_field_name("object"))
                        .and_then(|o| root_name(o, &text))
                        && matches!(
                            last,
                            "update" | "setdefault" | "append" | "extend" | "insert"
                        )
                    {
                        let mut inner = Found::default();
                        if walk_expr(args, src, budget, &mut inner).is_none() {
                            ok = false;
                            return false;
                        }
                        out.updates.push((root, inner.used.clone()));
                        out.used.extend(inner.used);
                        out.seeds.extend(inner.seeds);
                        out.updates.extend(inner.updates);
                        // The callee itself.
                        if let Some(f) = f {
                            let mut callee_found = Found::default();
                            if walk_expr(f, src, budget, &mut callee_found).is_none() {
                                ok = false;
                                return false;
                            }
                            out.used.extend(callee_found.used);
                            out.seeds.extend(callee_found.seeds);
                        }
                        return false;
                    }
                }
            }
            _ => {}
        }
        true
    });
    ok.then_some(())
}

/// The names that may reach a setting, over all `modules` of the project;
/// `None` when the scan was too large (then every name may). Each node is
/// visited a bounded number of times: statements are walked once, an
/// assignment's sides once each, a function or class body once more for
/// the names it uses.
pub(super) fn relevant_names(modules: &[Module]) -> Option<HashSet<String>> {
    let mut budget = MAX_SCAN;
    let mut edges: HashMap<&str, Vec<&str>> = HashMap::new();
    let mut seeds: Vec<&str> = Vec::new();
    for m in modules {
        let src = m.text.as_str();
        let text = |n: Py<'_>| -> &str { src.get(n.start_byte()..n.end_byte()).unwrap_or("") };
        let mut failed = false;
        walk::preorder(m.tree.root_node(), |n| {
            if failed {
                return false;
            }
            let kind = n.kind();
            if kind == "function_definition" || kind == "class_definition" {
                // The name depends on the globals its body uses (for a
                // function, less its own locals). A class body is also
                // entered for its statements.
                if let Some(name) = n.child_by_field_name("name") {
                    let mut found = Found::default();
                    if walk_expr(n, src, &mut budget, &mut found).is_none() {
                        failed = true;
                        return false;
                    }
                    let used: Vec<&str> = if kind == "function_definition" {
                        let locals = locals(n, &text);
                        found
                            .used
                            .into_iter()
                            .filter(|u| !locals.contains(*u))
                            .collect()
                    } else {
                        found.used
                    };
                    edges.entry(text(name)).or_default().extend(used);
                    seeds.extend(found.seeds);
                    for (root, args) in found.updates {
                        edges.entry(root).or_default().extend(args);
                    }
                }
                return kind == "class_definition";
            }
            if is_container(kind) {
                return true;
            }
            // A simple statement: its expression walked once.
            let e = if kind == "expression_statement" {
                n.named_child(0).unwrap_or(n)
            } else {
                n
            };
            let mut found = Found::default();
            if matches!(e.kind(), "assignment" | "augmented_assignment")
                && let (Some(l), Some(r)) = (
                    e.child_by_field_name("left"),
                    e.child_by_field_name("right"),
                )
            {
                let mut left = Found::default();
                if walk_expr(l, src, &mut budget, &mut left).is_none()
                    || walk_expr(r, src, &mut budget, &mut found).is_none()
                {
                    failed = true;
                    return false;
                }
                for t in &left.used {
                    edges
                        .entry(t)
                        .or_default()
                        .extend(found.used.iter().copied());
                }
                seeds.extend(left.seeds);
            } else if walk_expr(e, src, &mut budget, &mut found).is_none() {
                failed = true;
                return false;
            }
            seeds.extend(found.seeds);
            for (root, args) in found.updates {
                edges.entry(root).or_default().extend(args);
            }
            false
        });
        if failed {
            return None;
        }
    }
    let mut relevant: HashSet<&str> = HashSet::new();
    let mut queue: Vec<&str> = seeds;
    while let Some(n) = queue.pop() {
        if !relevant.insert(n) {
            continue;
        }
        if let Some(next) = edges.get(n) {
            queue.extend(next.iter().filter(|x| !relevant.contains(*x)).copied());
        }
    }
    Some(relevant.into_iter().map(str::to_string).collect())
}

/// Whether a block may change a setting (see the module docs).
/// `in_project` tells whether a module name (as written) is one of the
/// project's: a star import of one may bind anything; one of an installed
/// module binds nothing the reader knows.
pub(super) fn block_relevant(
    block: Py<'_>,
    src: &str,
    relevant: Option<&HashSet<String>>,
    in_project: &dyn Fn(&str) -> bool,
) -> bool {
    let Some(relevant) = relevant else {
        return true;
    };
    let text = |n: Py<'_>| src.get(n.start_byte()..n.end_byte()).unwrap_or("");
    let mut stack = vec![block];
    while let Some(n) = stack.pop() {
        match n.kind() {
            "import_from_statement" => {
                let star = {
                    let mut c = n.walk();
                    n.named_children(&mut c)
                        .any(|x| x.kind() == "wildcard_import")
                };
                let module: String = n
                    .child_by_field_name("module_name")
                    .map(|m| text(m).split_whitespace().collect())
                    .unwrap_or_default();
                if star && in_project(&module) {
                    return true;
                }
                let mut c = n.walk();
                let binds_relevant = n.children_by_field_name("name", &mut c).any(|x| {
                    let bound = match x.kind() {
                        "aliased_import" => x.child_by_field_name("alias"),
                        _ => Some(x),
                    };
                    bound.is_some_and(|b| relevant.contains(text(b)))
                });
                if binds_relevant {
                    return true;
                }
                continue;
            }
            "import_statement" => {
                let mut c = n.walk();
                let binds_relevant = n.children_by_field_name("name", &mut c).any(|x| {
                    let bound = match x.kind() {
                        "aliased_import" => x.child_by_field_name("alias").map(text),
                        _ => text(x).split('.').next(),
                    };
                    bound.is_some_and(|b| relevant.contains(b.trim()))
                });
                if binds_relevant {
                    return true;
                }
                continue;
            }
            "assignment" | "augmented_assignment" => {
                if let Some(l) = n.child_by_field_name("left")
                    && (identifiers(l, &text).iter().any(|t| relevant.contains(t))
                        || has_setting_key(l, &text))
                {
                    return true;
                }
            }
            "delete_statement" | "global_statement"
                if identifiers(n, &text).iter().any(|t| relevant.contains(t)) =>
            {
                return true;
            }
            "function_definition" | "class_definition" => {
                if n.child_by_field_name("name")
                    .is_some_and(|name| relevant.contains(text(name)))
                {
                    return true;
                }
                continue;
            }
            "call" => {
                let f = n.child_by_field_name("function");
                let callee = f.map(text).unwrap_or("");
                let last = callee.rsplit('.').next().unwrap_or("");
                if matches!(
                    last,
                    "create_engine" | "create_async_engine" | "engine_from_config" | "SQLAlchemy"
                ) {
                    return true;
                }
                // A method that changes its object, on a relevant name or a
                // Flask config (`app.config.from_object(...)`).
                let changes = is_mutating_method(last)
                    || matches!(
                        last,
                        "from_object" | "from_mapping" | "from_pyfile" | "from_envvar"
                    );
                if changes
                    && let Some(obj) = f.and_then(|f| f.child_by_field_name("object"))
                    && (root_name(obj, &text).is_some_and(|r| relevant.contains(r))
                        || text(obj).ends_with("config"))
                {
                    return true;
                }
            }
            _ => {}
        }
        let mut c = n.walk();
        stack.extend(n.named_children(&mut c));
    }
    false
}

/// How many nodes [`relevant_names`] may visit (nested engine or update
/// calls are walked again for their arguments); past it, every name counts
/// as relevant, which only costs variants.
const MAX_SCAN: usize = 4_000_000;

/// Every identifier in `n` (over-approximating the names it uses).
fn identifiers<'a>(n: Py<'_>, text: &impl Fn(Py<'_>) -> &'a str) -> HashSet<String> {
    let mut out = HashSet::new();
    let mut stack = vec![n];
    while let Some(x) = stack.pop() {
        if x.kind() == "identifier" {
            out.insert(text(x).to_string());
        }
        let mut c = x.walk();
        stack.extend(x.named_children(&mut c));
    }
    out
}

/// A function's local names: its parameters and the names assigned in
/// its body (not in nested functions).
fn locals<'a>(f: Py<'_>, text: &impl Fn(Py<'_>) -> &'a str) -> HashSet<String> {
    let mut out = HashSet::new();
    if let Some(params) = f.child_by_field_name("parameters") {
        out.extend(identifiers(params, text));
    }
    let mut stack: Vec<Py<'_>> = f.child_by_field_name("body").into_iter().collect();
    while let Some(x) = stack.pop() {
        match x.kind() {
            "function_definition" | "class_definition" | "lambda" => continue,
            "assignment" | "augmented_assignment" | "for_statement" => {
                let target = x
                    .child_by_field_name("left")
                    .filter(|l| l.kind() == "identifier");
                if let Some(t) = target {
                    out.insert(text(t).to_string());
                }
            }
            "named_expression" => {
                if let Some(t) = x.child_by_field_name("name") {
                    out.insert(text(t).to_string());
                }
            }
            _ => {}
        }
        let mut c = x.walk();
        stack.extend(x.named_children(&mut c));
    }
    out
}

/// Whether an assignment target is keyed by a setting name
/// (`app.config["SQLALCHEMY_ENGINE_OPTIONS"] = ...`).
fn has_setting_key<'a>(n: Py<'_>, text: &impl Fn(Py<'_>) -> &'a str) -> bool {
    let mut stack = vec![n];
    while let Some(x) = stack.pop() {
        if x.kind() == "string_content" && is_setting(text(x)) {
            return true;
        }
        let mut c = x.walk();
        stack.extend(x.named_children(&mut c));
    }
    false
}

/// The name at the root of `a.b[c].d`.
fn root_name<'a>(n: Py<'_>, text: &impl Fn(Py<'_>) -> &'a str) -> Option<&'a str> {
    let mut cur = n;
    loop {
        cur = match cur.kind() {
            "identifier" => return Some(text(cur)),
            "attribute" => cur.child_by_field_name("object")?,
            "subscript" => cur.child_by_field_name("value")?,
            "call" => cur.child_by_field_name("function")?,
            _ => return None,
        };
    }
}

/// Methods that change the object they are called on.
pub(super) fn is_mutating_method(m: &str) -> bool {
    matches!(
        m,
        "update"
            | "setdefault"
            | "pop"
            | "popitem"
            | "clear"
            | "append"
            | "extend"
            | "insert"
            | "remove"
    )
}

/// What a loop body does that matters before following it: whether it
/// jumps (`break` / `continue`), and whether it changes an item of the loop
/// variable (`x["k"] = v`, `x.update(...)`): in Python that changes the
/// objects the iterable yields.
pub(super) fn loop_effects(left: Py<'_>, body: Py<'_>, src: &str) -> (bool, bool) {
    let text = |n: Py<'_>| src.get(n.start_byte()..n.end_byte()).unwrap_or("");
    let mut vars: Vec<&str> = Vec::new();
    walk::preorder(left, |n| {
        if n.kind() == "identifier" {
            vars.push(text(n));
        }
        true
    });
    let mut jumps = false;
    let mut changes_var = false;
    walk::preorder(body, |n| {
        if matches!(n.kind(), "break_statement" | "continue_statement") {
            jumps = true;
        }
        let target = match n.kind() {
            "assignment" | "augmented_assignment" => n
                .child_by_field_name("left")
                .filter(|l| l.kind() == "subscript"),
            "call" => n
                .child_by_field_name("function")
                .filter(|f| {
                    f.kind() == "attribute"
                        && f.child_by_field_name("attribute")
                            .is_some_and(|m| is_mutating_method(text(m)))
                })
                .and_then(|f| f.child_by_field_name("object")),
            _ => None,
        };
        if let Some(mut cur) = target {
            while let Some(v) = cur
                .child_by_field_name("value")
                .filter(|_| cur.kind() == "subscript")
            {
                cur = v;
            }
            if cur.kind() == "identifier" && vars.contains(&text(cur)) {
                changes_var = true;
            }
        }
        !matches!(n.kind(), "function_definition" | "class_definition")
    });
    (jumps, changes_var)
}
