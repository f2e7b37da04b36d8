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

use tree_sitter::Node as Ts;

use super::imports::Project;
use super::{is_setting, pool_key};

/// The names that may reach a setting, over all modules of `project`;
/// `None` when the scan was too large (then every name may).
pub(super) fn relevant_names(project: &Project) -> Option<HashSet<String>> {
    let mut budget = MAX_SCAN;
    let mut edges: HashMap<String, HashSet<String>> = HashMap::new();
    let mut seeds: HashSet<String> = HashSet::new();
    for m in &project.modules {
        let text = |n: Ts<'_>| m.text.get(n.start_byte()..n.end_byte()).unwrap_or("");
        let mut stack = vec![m.tree.root_node()];
        while let Some(n) = stack.pop() {
            match n.kind() {
                "assignment" | "augmented_assignment" => {
                    if let (Some(l), Some(r)) = (
                        n.child_by_field_name("left"),
                        n.child_by_field_name("right"),
                    ) {
                        let sources = identifiers_within(r, &text, &mut budget)?;
                        for t in identifiers_within(l, &text, &mut budget)? {
                            edges.entry(t).or_default().extend(sources.iter().cloned());
                        }
                    }
                }
                "function_definition" | "class_definition" => {
                    // The name depends on the globals its body uses: the
                    // identifiers in it, less its own locals (parameters,
                    // names assigned inside), which are not the module's.
                    if let Some(name) = n.child_by_field_name("name") {
                        let mut used = identifiers_within(n, &text, &mut budget)?;
                        if n.kind() == "function_definition" {
                            for local in locals(n, &text) {
                                used.remove(&local);
                            }
                        }
                        edges
                            .entry(text(name).to_string())
                            .or_default()
                            .extend(used);
                    }
                    // Its body's assignments are local: not module edges.
                    if n.kind() == "function_definition" {
                        continue;
                    }
                }
                "call" => {
                    let f = n.child_by_field_name("function");
                    let callee = f.map(text).unwrap_or("");
                    let last = callee.rsplit('.').next().unwrap_or("");
                    let makes_engine = matches!(
                        last,
                        "create_engine"
                            | "create_async_engine"
                            | "engine_from_config"
                            | "SQLAlchemy"
                    );
                    let config = callee.contains("config.")
                        && matches!(last, "update" | "from_mapping" | "from_object");
                    let is_method = f.is_some_and(|f| f.kind() == "attribute");
                    if let Some(args) = n
                        .child_by_field_name("arguments")
                        .filter(|_| makes_engine || config || is_method)
                    {
                        let used = identifiers_within(args, &text, &mut budget)?;
                        if makes_engine || config {
                            seeds.extend(used);
                        } else if let Some(obj) = f.and_then(|f| f.child_by_field_name("object")) {
                            // `x.update(y)`: x depends on y.
                            if let Some(root) = root_name(obj, &text) {
                                edges.entry(root).or_default().extend(used);
                            }
                        }
                    }
                }
                "identifier" => {
                    let t = text(n);
                    if is_setting(t) || pool_key(t).is_some() {
                        seeds.insert(t.to_string());
                    }
                }
                "string_content" => {
                    // `app.config["SQLALCHEMY_..."] = x`, `{"CONN_MAX_AGE": x}`.
                    let t = text(n);
                    if is_setting(t) {
                        seeds.insert(t.to_string());
                    }
                }
                _ => {}
            }
            let mut c = n.walk();
            stack.extend(n.named_children(&mut c));
        }
    }
    let mut relevant: HashSet<String> = HashSet::new();
    let mut queue: Vec<String> = seeds.into_iter().collect();
    while let Some(n) = queue.pop() {
        if !relevant.insert(n.clone()) {
            continue;
        }
        if let Some(next) = edges.get(&n) {
            queue.extend(next.iter().filter(|x| !relevant.contains(*x)).cloned());
        }
    }
    Some(relevant)
}

/// Whether a block may change a setting (see the module docs).
/// `in_project` tells whether a module name (as written) is one of the
/// project's: a star import of one may bind anything; one of an installed
/// module binds nothing the reader knows.
pub(super) fn block_relevant(
    block: Ts<'_>,
    src: &str,
    relevant: Option<&HashSet<String>>,
    in_project: &dyn Fn(&str) -> bool,
) -> bool {
    let Some(relevant) = relevant else {
        return true;
    };
    let text = |n: Ts<'_>| src.get(n.start_byte()..n.end_byte()).unwrap_or("");
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
                let changes = matches!(
                    last,
                    "update"
                        | "setdefault"
                        | "pop"
                        | "popitem"
                        | "clear"
                        | "append"
                        | "extend"
                        | "insert"
                        | "remove"
                        | "from_object"
                        | "from_mapping"
                        | "from_pyfile"
                        | "from_envvar"
                );
                if changes
                    && let Some(obj) = f.and_then(|f| f.child_by_field_name("object"))
                    && (root_name(obj, &text).is_some_and(|r| relevant.contains(&r))
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

/// How many nodes [`relevant_names`] may visit collecting identifiers
/// (nested calls make it quadratic on hostile input); past it, every name
/// counts as relevant, which only costs variants.
const MAX_SCAN: usize = 2_000_000;

/// Every identifier in `n` (over-approximating the names it uses), each
/// node visited charged to `budget`; `None` when the budget runs out.
fn identifiers_within<'a>(
    n: Ts<'_>,
    text: &impl Fn(Ts<'_>) -> &'a str,
    budget: &mut usize,
) -> Option<HashSet<String>> {
    let mut out = HashSet::new();
    let mut stack = vec![n];
    while let Some(x) = stack.pop() {
        *budget = budget.checked_sub(1)?;
        if x.kind() == "identifier" {
            out.insert(text(x).to_string());
        }
        let mut c = x.walk();
        stack.extend(x.named_children(&mut c));
    }
    Some(out)
}

/// Every identifier in `n` (over-approximating the names it uses).
fn identifiers<'a>(n: Ts<'_>, text: &impl Fn(Ts<'_>) -> &'a str) -> HashSet<String> {
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
fn locals<'a>(f: Ts<'_>, text: &impl Fn(Ts<'_>) -> &'a str) -> HashSet<String> {
    let mut out = HashSet::new();
    if let Some(params) = f.child_by_field_name("parameters") {
        out.extend(identifiers(params, text));
    }
    let mut stack: Vec<Ts<'_>> = f.child_by_field_name("body").into_iter().collect();
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
fn has_setting_key<'a>(n: Ts<'_>, text: &impl Fn(Ts<'_>) -> &'a str) -> bool {
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
fn root_name<'a>(n: Ts<'_>, text: &impl Fn(Ts<'_>) -> &'a str) -> Option<String> {
    let mut cur = n;
    loop {
        cur = match cur.kind() {
            "identifier" => return Some(text(cur).to_string()),
            "attribute" => cur.child_by_field_name("object")?,
            "subscript" => cur.child_by_field_name("value")?,
            "call" => cur.child_by_field_name("function")?,
            _ => return None,
        };
    }
}
