//! App settings read from Python source with tree-sitter, never imported or run.
//!
//! The module is turned into the same spanned [`Node`] tree the YAML/TOML
//! shapes produce, then handed to the shared interpreters:
//! - Django: `DATABASES = {...}`, later `DATABASES["default"]["X"] = ...` and
//!   `DATABASES["default"].update(...)`, `dj_database_url.config(...)` /
//!   `parse(...)` and django-environ `env.db()` / `env.db_url()`;
//! - SQLAlchemy: every `create_engine(...)` / `create_async_engine(...)` /
//!   `engine_from_config({...})` call is one engine, named after the variable
//!   it is assigned to;
//! - Flask-SQLAlchemy: `SQLALCHEMY_*` at module level, `app.config["..."]`, and
//!   config classes with inheritance; `SQLAlchemy(app, engine_options={...})`.
//!
//! Module-level statements are read in order: dicts built and changed by
//! plain names (`d.update(...)`, `d.setdefault(...)`, `d["k"] = v`,
//! `del d["k"]`, `d |= {...}`) and engine calls at module level, which see
//! the names as they are at the call (`create_engine(url, **d)`).
//!
//! Values the tool cannot know (calls, unresolved names, attributes, a
//! `**spread` it cannot read, a dict changed in a way it cannot follow) are
//! left out (the documented default applies) and reported once (TL012). The reader
//! also reports settings Django / Flask-SQLAlchemy ignore where they are
//! (TL013) and settings assigned twice with different values (TL014).
//!
//! Hostile files cannot crash it: a file indented deeper than the parser
//! can hold ([`MAX_INDENT_LEVELS`]) is refused before parsing (TL001), every
//! walk over the tree is iterative or depth-capped, and the evaluator's limits
//! (see [`eval`]) are reported as TL012 wherever they are hit.

mod eval;
#[cfg(test)]
mod tests;
mod walk;

use std::collections::{HashMap, HashSet};

use tree_sitter::{Node as Ts, Parser};

use crate::diagnostic::{Diagnostic, Label};
use crate::env::EnvValues;
use crate::parse::tree::{Key, Node, NodeKind};
use crate::rules::codes;
use crate::source::{FileId, Location, SourceMap, Span};

use super::url::{is_secret_name, secret_ranges};
use super::values::{self, Ctx};
use super::{AppPool, AppSettings, Framework, django, flask, sqlalchemy};

use eval::{Eval, MAX_DEPTH, Unknown, measure, same, set_entry, span, too_deep_message};

/// How deep indentation may nest before a file is refused unread.
///
/// tree-sitter-python's external scanner serializes its state after each
/// token into a 1024-byte buffer (`TREE_SITTER_SERIALIZATION_BUFFER_SIZE`);
/// the tree-sitter runtime aborts the process (`assert(length <= 1024)`) when
/// it writes more: 1 byte for the f-string flag, 1 for the count of open
/// string delimiters, 1 per open delimiter (at most 255 written), then 2 per
/// indentation level on its stack beyond the base one, checked against the
/// size only before each pair. With `d` delimiters open (`d` odd) it overruns
/// at `(1023 - d) / 2` levels: 511 levels inside one string, 384 with 255
/// nested f-strings; 383 levels never overrun (nor lose levels). This cap
/// leaves a wide margin under 383 and far above real settings files.
const MAX_INDENT_LEVELS: usize = 100;

/// How many different indentation widths a file may use. The scanner's
/// stack only holds increasing widths, so this bounds it whatever the parser
/// does (inside brackets, in error recovery); kept under 383 as well.
const MAX_INDENT_WIDTHS: usize = 300;

/// Keys whose unknown values do not matter for any timeout (no TL012 for them).
const IRRELEVANT: [&str; 30] = [
    "NAME",
    "USER",
    "PASSWORD",
    "HOST",
    "PORT",
    "TEST",
    "ATOMIC_REQUESTS",
    "AUTOCOMMIT",
    "TIME_ZONE",
    "DISABLE_SERVER_SIDE_CURSORS",
    "charset",
    "init_command",
    "sql_mode",
    "ssl",
    "sslmode",
    "sslrootcert",
    "sslcert",
    "sslkey",
    "isolation_level",
    "host",
    "port",
    "user",
    "password",
    "passwd",
    "database",
    "db",
    "echo",
    "echo_pool",
    "json_serializer",
    "application_name",
];

/// Settings that do not matter for any timeout (no TL012 for them).
const IRRELEVANT_SETTINGS: [&str; 6] = [
    "SQLALCHEMY_TRACK_MODIFICATIONS",
    "SQLALCHEMY_RECORD_QUERIES",
    "SQLALCHEMY_ECHO",
    "SQLALCHEMY_COMMIT_ON_TEARDOWN",
    "SQLALCHEMY_WARN_20",
    "future",
];

/// Reads the Python settings file `file` (already in `sources`); see the module docs.
pub(super) fn read_python(
    file: FileId,
    object: Option<&str>,
    env: &EnvValues,
    overrides: &super::Overrides,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> AppSettings {
    // Borrowed, not copied: `sources` is changed only once the reading is done.
    let text: &str = sources.get(file).text();
    if let Some((at, msg)) = indentation_too_deep(text) {
        for s in values::secret_spans_in_text(text) {
            sources.get_mut(file).mark_secret(s);
        }
        let label = Label::at(Location::new(file, at), "nested too deep");
        diags.push(Diagnostic::new(codes::SYNTAX_ERROR, msg, label));
        return AppSettings {
            file,
            pools: Vec::new(),
        };
    }
    let mut parser = Parser::new();
    let tree = match parser.set_language(&tree_sitter_python::LANGUAGE.into()) {
        Ok(()) => parser.parse(text, None),
        Err(_) => None,
    };
    let Some(tree) = tree else {
        for s in values::secret_spans_in_text(text) {
            sources.get_mut(file).mark_secret(s);
        }
        let label = Label::at(Location::new(file, Span::new(0, 0)), "here");
        diags.push(Diagnostic::new(
            codes::SYNTAX_ERROR,
            "the Python parser could not read this file",
            label,
        ));
        return AppSettings {
            file,
            pools: Vec::new(),
        };
    };
    let root = tree.root_node();
    let mut secrets = Vec::new();
    if root.has_error() {
        let at = first_error(root).map_or(Span::new(0, 0), span);
        let label = Label::at(Location::new(file, at), "here");
        diags.push(Diagnostic::new(
            codes::SYNTAX_ERROR,
            "invalid Python: syntax error; what parses is still read",
            label,
        ));
        secrets.extend(values::secret_spans_in_text(text));
    }
    let found = scan(text, root, &mut secrets);

    let mut r = Reader {
        ev: Eval::new(text, file, env),
        diags: Vec::new(),
        targets: HashMap::new(),
        records: Vec::new(),
        classes: Vec::new(),
        ignored: Vec::new(),
        unknown_urls: Vec::new(),
        reported: HashSet::new(),
        engine_unknown: false,
        engines_done: HashSet::new(),
        engines_read: Vec::new(),
        calls: found.calls,
        mutations: found.mutations,
    };
    r.ev.imports = found.imports;
    r.module(root);
    let mut built = Vec::new();
    let pools = r.finish(root, object, overrides, diags, &mut built);
    // Secrets of URLs the evaluator built: masked wherever they are
    // written in a string of this file, and in every output.
    secret_value_spans(text, root, &built, &mut secrets);
    for v in &built {
        sources.add_secret_value(v);
    }
    for s in secrets {
        sources.get_mut(file).mark_secret(s);
    }
    AppSettings { file, pools }
}

/// One engine call read: its name, its keywords, the span of an unknown URL.
type EngineRead = (Key, Node, Option<Span>);

/// A Flask config candidate: its name, where it is declared, its settings.
type Candidate = (String, Span, Vec<(Key, Node)>);

/// A config class: its own attributes and its bases.
struct Class {
    name: String,
    span: Span,
    bases: Vec<String>,
    attrs: Vec<(Key, Node)>,
}

struct Reader<'s> {
    ev: Eval<'s>,
    diags: Vec<Diagnostic>,
    /// Where each module-level name was last assigned (the target).
    targets: HashMap<String, Span>,
    /// Assignments of settings paths, in order: (path, statement span, value).
    records: Vec<(String, Span, Option<Node>)>,
    classes: Vec<Class>,
    /// Settings placed where the framework ignores them: (name, span, framework).
    ignored: Vec<(String, Span, Framework)>,
    /// Spans of unknown URL expressions (their TL002s are dropped).
    unknown_urls: Vec<Span>,
    /// Spans already reported as unknown.
    reported: HashSet<Span>,
    /// A Django ENGINE or database URL was unknown (its "missing ENGINE" is dropped).
    engine_unknown: bool,
    /// Engine calls read so far, by start byte (see [`Reader::engines_in`]).
    engines_done: HashSet<usize>,
    /// The engines read: (start byte of the call, (name, kwargs, unknown URL
    /// span), made by create_async_engine).
    engines_read: Vec<(usize, EngineRead, bool)>,
    /// Every engine and `SQLAlchemy(...)` call of the file, in document order.
    calls: Vec<Ts<'s>>,
    /// Every call of a dict method that changes its object, in document
    /// order (see [`Reader::mutations_in`]).
    mutations: Vec<Ts<'s>>,
}

fn is_setting(name: &str) -> bool {
    name == "DATABASES" || name.starts_with("SQLALCHEMY_") || name.starts_with("CONN_")
}

impl<'s> Reader<'s> {
    fn loc(&self, s: Span) -> Location {
        Location::new(self.ev.file, s)
    }

    /// Reports the unknowns recorded so far (those under irrelevant keys are dropped).
    fn report(&mut self, what: &str) {
        for u in self.ev.take_unknowns() {
            let last = what.rsplit('.').next().unwrap_or(what);
            if !u.limit
                && (u.key.as_deref().is_some_and(|k| IRRELEVANT.contains(&k))
                    || (u.key.is_none() && IRRELEVANT_SETTINGS.contains(&last)))
            {
                continue;
            }
            if what.starts_with("DATABASES") && matches!(u.key.as_deref(), None | Some("ENGINE")) {
                self.engine_unknown = true;
            }
            self.report_one(what, &u);
        }
    }

    /// Drops the unknowns recorded so far (the value does not matter) but
    /// reports the safety limits among them.
    fn drop_unknowns(&mut self) {
        for u in self.ev.take_unknowns() {
            if u.limit {
                self.report_one("", &u);
            }
        }
    }

    fn report_one(&mut self, what: &str, u: &Unknown) {
        if !self.reported.insert(u.span) {
            return;
        }
        if u.limit {
            let label = Label::at(self.loc(u.span), "not evaluated");
            self.diags.push(Diagnostic::new(
                codes::UNKNOWN_PYTHON_VALUE,
                u.why.clone(),
                label,
            ));
            return;
        }
        let name = match &u.key {
            Some(k) if k != what => format!("{what}: {k}"),
            _ => what.to_string(),
        };
        let msg = format!(
            "the value of {name} is {} and cannot be read without running the code; it is left out, so the documented default applies (give environment values in the manifest's [path.env] or with --env-file, or write a literal)",
            u.why
        );
        let label = Label::at(self.loc(u.span), "value unknown");
        self.diags
            .push(Diagnostic::new(codes::UNKNOWN_PYTHON_VALUE, msg, label));
    }

    fn module(&mut self, root: Ts<'_>) {
        let mut c = root.walk();
        let stmts: Vec<Ts<'_>> = root.named_children(&mut c).collect();
        for s in stmts {
            // Engines made by this statement see the names as they are now
            // (their keywords are copied at the call); those in functions
            // and classes are read at the end, with the module's last values.
            if !matches!(
                s.kind(),
                "function_definition" | "class_definition" | "decorated_definition"
            ) {
                self.engines_in(s);
            }
            self.statement(s);
        }
    }

    /// Reads the engine calls in `n` (not `SQLAlchemy(...)`, whose options
    /// are read when the app starts), each once.
    fn engines_in(&mut self, n: Ts<'_>) {
        let calls = walk::within(&self.calls, n);
        for call in calls {
            if self.engines_done.contains(&call.start_byte()) {
                continue;
            }
            let callee = self.ev.callee(call);
            let last = callee.rsplit('.').next().unwrap_or("").to_string();
            if last == "SQLAlchemy" {
                continue;
            }
            self.engines_done.insert(call.start_byte());
            if let Some(engine) = self.engine(call, &last) {
                self.engines_read
                    .push((call.start_byte(), engine, last == "create_async_engine"));
            }
        }
    }

    fn statement(&mut self, s: Ts<'_>) {
        match s.kind() {
            "expression_statement" => {
                let Some(e) = s.named_child(0) else { return };
                match e.kind() {
                    "assignment" => {
                        self.assignment(e, s);
                        self.mutations_in(e);
                    }
                    "call" if !self.dict_method(e) => self.update_call(e),
                    "augmented_assignment" => self.augmented(e),
                    _ => {}
                }
            }
            "delete_statement" => self.delete(s),
            "class_definition" => self.class(s),
            "decorated_definition" => {
                if let Some(d) = s.child_by_field_name("definition")
                    && d.kind() == "class_definition"
                {
                    self.class(d);
                }
            }
            _ => {}
        }
    }

    /// `A = value`, and `A = B = value`: the value is evaluated once and
    /// every target gets it (innermost first); a chain is walked iteratively.
    fn assignment(&mut self, a: Ts<'_>, stmt: Ts<'_>) {
        let mut targets = Vec::new();
        let mut cur = a;
        while let (Some(left), Some(right)) = (
            cur.child_by_field_name("left"),
            cur.child_by_field_name("right"),
        ) {
            targets.push(left);
            if right.kind() != "assignment" {
                break;
            }
            cur = right;
        }
        let value_node = innermost_value(a);
        let mut value: Option<(Option<Node>, Vec<Unknown>)> = None;
        for left in targets.into_iter().rev() {
            if !matches!(left.kind(), "identifier" | "subscript") {
                continue;
            }
            let (v, unknowns) = match &value {
                None => {
                    let v = self.ev.eval(value_node);
                    let unknowns = self.ev.take_unknowns();
                    value = Some((v.clone(), unknowns.clone()));
                    (v, unknowns)
                }
                // One more target: a copy, charged to the evaluator's budget.
                Some((v, unknowns)) => {
                    let (depth, units) = v.as_ref().map_or((0, 0), measure);
                    let size = (depth, units + unknowns.len());
                    if self.ev.may_copy(span(value_node), 0, size) {
                        (v.clone(), unknowns.clone())
                    } else {
                        (None, self.ev.take_unknowns())
                    }
                }
            };
            self.ev.unknowns = unknowns;
            self.assign(left, stmt, v);
        }
    }

    /// One assignment target `left` of statement `stmt` gets `value`; the
    /// unknowns met evaluating it are in `self.ev.unknowns`.
    fn assign(&mut self, left: Ts<'_>, stmt: Ts<'_>, value: Option<Node>) {
        match left.kind() {
            "identifier" => {
                let name = self.ev.text(left).to_string();
                let pending: Vec<Unknown> = self
                    .ev
                    .unknowns
                    .iter()
                    .filter(|u| !u.limit)
                    .cloned()
                    .collect();
                self.ev.name_unknowns.insert(name.clone(), pending);
                if is_setting(&name) || pool_key(&name).is_some() {
                    self.report(&name);
                } else {
                    self.drop_unknowns();
                }
                self.check_ignored(&name, span(left), None);
                if is_setting(&name) {
                    self.record(&name, span(stmt), value.as_ref());
                }
                self.targets.insert(name.clone(), span(left));
                self.ev.names.insert(name, value);
            }
            "subscript" => {
                let Some((base, path)) = self.subscript_path(left) else {
                    // `d[key] = v` with a key the tool cannot read: `d` is unknown.
                    self.drop_unknowns();
                    if let Some(base) = self.plain_base(left) {
                        self.forget(&base);
                    }
                    return;
                };
                let what = std::iter::once(base.as_str())
                    .chain(path.iter().map(|k| k.text.as_str()))
                    .collect::<Vec<_>>()
                    .join(".");
                let last = path.last().map(|k| k.text.clone()).unwrap_or_default();
                if is_setting(&base) || is_setting(&last) {
                    self.report(&what);
                } else {
                    self.drop_unknowns();
                }
                if base == "app.config" || base.ends_with(".config") {
                    // `app.config["SQLALCHEMY_DATABASE_URI"] = ...`
                    if let [key] = path.as_slice() {
                        if is_setting(&key.text) {
                            self.record(&key.text, span(stmt), value.as_ref());
                        }
                        self.targets.insert(key.text.clone(), key.span);
                        self.ev.names.insert(key.text.clone(), value);
                    }
                    return;
                }
                if is_setting(&base) {
                    self.record(&what, span(stmt), value.as_ref());
                } else if value.is_none() || !self.ev.names.contains_key(&base) {
                    // An unknown value, or a dict from elsewhere: only part
                    // of it would be known, so all of it is unknown.
                    self.forget(&base);
                    return;
                }
                if let Some(value) = value {
                    self.patch(&base, span(left), &path, value, false);
                }
            }
            _ => {
                self.drop_unknowns();
            }
        }
    }

    /// The name at the root of `d["a"]["b"]` / `d`, when it is a plain
    /// module name (not a setting, not `app.config`).
    fn plain_base(&self, n: Ts<'_>) -> Option<String> {
        let mut cur = n;
        while cur.kind() == "subscript" {
            cur = cur.child_by_field_name("value")?;
        }
        if cur.kind() != "identifier" {
            return None;
        }
        let name = self.ev.text(cur).to_string();
        (!is_setting(&name)).then_some(name)
    }

    /// A plain name whose value changed in a way the tool cannot follow:
    /// from now on it is unknown (a later use is a TL012), never a guess.
    fn forget(&mut self, name: &str) {
        if !is_setting(name) {
            self.ev.name_unknowns.remove(name);
            self.ev.names.insert(name.to_string(), None);
        }
    }

    /// The dict `base[path...]` of a plain name, to change in place; `None`
    /// when it is unknown or not a dict.
    fn dict_of(&mut self, base: &str, path: &[Key]) -> Option<&mut Vec<(Key, Node)>> {
        let mut cur = self.ev.names.get_mut(base)?.as_mut()?;
        for key in path {
            let NodeKind::Map(entries) = &mut cur.kind else {
                return None;
            };
            cur = &mut entries.iter_mut().find(|(k, _)| k.text == key.text)?.1;
        }
        match &mut cur.kind {
            NodeKind::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// Dict methods called as statements on plain names (`d.update(...)`,
    /// `d.setdefault(k, v)`, `d.pop(k)`, `d.clear()`, `d["a"].update(...)`),
    /// applied in statement order. A change the tool cannot follow (an
    /// unknown argument, another method) makes the name unknown. `false`
    /// when `call` is not on a plain name (settings are left to
    /// [`Reader::update_call`]).
    fn dict_method(&mut self, call: Ts<'_>) -> bool {
        let Some(f) = call.child_by_field_name("function") else {
            return false;
        };
        let (Some(obj), Some(method)) = (
            f.child_by_field_name("object"),
            f.child_by_field_name("attribute"),
        ) else {
            return false;
        };
        if f.kind() != "attribute" {
            return false;
        }
        let Some(base) = self.plain_base(obj) else {
            return false;
        };
        let path = match obj.kind() {
            "identifier" => Vec::new(),
            _ => match self.subscript_path(obj) {
                Some((_, p)) => p,
                None => {
                    self.forget(&base);
                    return true;
                }
            },
        };
        let method = self.ev.text(method).to_string();
        let is_dict = self.dict_of(&base, &path).is_some();
        match method.as_str() {
            "get" | "copy" | "keys" | "values" | "items" => return true,
            "update" | "setdefault" | "pop" | "clear" if is_dict => {}
            _ => {
                // Another method: harmless on a non-dict, unknown on a dict.
                if is_dict {
                    self.forget(&base);
                }
                return true;
            }
        }
        let (pos, kw) = self.ev.args(call);
        let before = self.ev.unknowns.len();
        // (key, value): `None` value removes the key.
        let mut changes: Vec<(Key, Option<Node>)> = Vec::new();
        let mut clear = false;
        let mut ok = true;
        match method.as_str() {
            "update" => {
                if let Some(&arg) = pos.first() {
                    match self.ev.eval(arg) {
                        Some(Node {
                            kind: NodeKind::Map(m),
                            ..
                        }) => changes.extend(m.into_iter().map(|(k, v)| (k, Some(v)))),
                        Some(Node {
                            kind: NodeKind::Seq(items),
                            ..
                        }) => match eval::pairs(items) {
                            Some(m) => changes.extend(m.into_iter().map(|(k, v)| (k, Some(v)))),
                            None => ok = false,
                        },
                        _ => ok = false,
                    }
                }
                ok &= pos.len() <= 1;
                let (more, _) = self.ev.call_kwargs(call, &[]);
                changes.extend(more.into_iter().map(|(k, v)| (k, Some(v))));
            }
            "setdefault" | "pop" => {
                let key = pos.first().and_then(|&k| self.ev.string(k).map(|t| (k, t)));
                match key {
                    Some((k, text)) if kw.is_empty() => {
                        let key = Key {
                            text,
                            span: span(k),
                        };
                        let present = self
                            .dict_of(&base, &path)
                            .is_some_and(|d| d.iter().any(|(kk, _)| kk.text == key.text));
                        if method == "pop" {
                            changes.push((key, None));
                        } else if !present {
                            let value = match pos.get(1) {
                                Some(&v) => self.ev.eval_keyed(&key.text, v),
                                None => Some(Node::new(NodeKind::Null, span(call))),
                            };
                            match value {
                                Some(v) => changes.push((key, Some(v))),
                                None => ok = false,
                            }
                        }
                    }
                    _ => ok = false,
                }
            }
            _ => clear = pos.is_empty() && kw.is_empty(),
        }
        let unknown = self.ev.unknowns[before..].iter().any(|u| !u.limit);
        self.drop_unknowns();
        if !ok || unknown || (method == "clear" && !clear) {
            self.forget(&base);
            return true;
        }
        let Some(dict) = self.dict_of(&base, &path) else {
            return true;
        };
        if clear {
            dict.clear();
        }
        for (k, v) in changes {
            match v {
                Some(v) => set_entry(dict, k, v),
                None => dict.retain(|(kk, _)| kk.text != k.text),
            }
        }
        true
    }

    /// Dict methods called inside an assignment's value (`x = d.pop("k")`):
    /// applied after it, in the order written (see [`Reader::dict_method`]).
    fn mutations_in(&mut self, a: Ts<'_>) {
        let Some(right) = a.child_by_field_name("right") else {
            return;
        };
        let calls = walk::within(&self.mutations, right);
        for call in calls {
            self.dict_method(call);
        }
    }

    /// `x += 1`, `d |= {...}`, `d["k"] -= 1` on plain names: applied when
    /// both sides are known, else the name becomes unknown.
    fn augmented(&mut self, a: Ts<'_>) {
        let (Some(left), Some(right), Some(op)) = (
            a.child_by_field_name("left"),
            a.child_by_field_name("right"),
            a.child_by_field_name("operator"),
        ) else {
            return;
        };
        let Some(base) = self.plain_base(left) else {
            return;
        };
        let op = self.ev.text(op).trim_end_matches('=').to_string();
        let before = self.ev.unknowns.len();
        let current = self.ev.eval(left);
        let value = self.ev.eval(right);
        let unknown = self.ev.unknowns[before..].iter().any(|u| !u.limit);
        self.drop_unknowns();
        let combined = match (current, value) {
            (Some(c), Some(v)) if !unknown => {
                eval::combine(&op, c.kind, v.kind).map(|k| Node::new(k, span(a)))
            }
            _ => None,
        };
        let Some(combined) = combined else {
            self.forget(&base);
            return;
        };
        match left.kind() {
            "identifier" => {
                self.ev.names.insert(base, Some(combined));
            }
            _ => match self.subscript_path(left) {
                Some((_, path)) => self.patch(&base, span(left), &path, combined, false),
                None => self.forget(&base),
            },
        }
    }

    /// `del d["k"]` (the key is removed) and `del name` on plain names.
    fn delete(&mut self, s: Ts<'_>) {
        let mut c = s.walk();
        let targets: Vec<Ts<'_>> = s.named_children(&mut c).collect();
        for t in targets {
            let items: Vec<Ts<'_>> = if t.kind() == "expression_list" {
                let mut c2 = t.walk();
                t.named_children(&mut c2).collect()
            } else {
                vec![t]
            };
            for t in items {
                let Some(base) = self.plain_base(t) else {
                    continue;
                };
                if t.kind() == "identifier" {
                    self.ev.names.remove(&base);
                    continue;
                }
                match self.subscript_path(t) {
                    Some((_, mut path)) => {
                        let Some(last) = path.pop() else { continue };
                        match self.dict_of(&base, &path) {
                            Some(d) => d.retain(|(k, _)| k.text != last.text),
                            None => self.forget(&base),
                        }
                    }
                    None => self.forget(&base),
                }
            }
        }
    }

    /// `X.update({...})` / `X["a"].update(k=v)` / `app.config.update(...)`.
    fn update_call(&mut self, call: Ts<'_>) {
        let Some(f) = call.child_by_field_name("function") else {
            return;
        };
        if f.kind() != "attribute"
            || f.child_by_field_name("attribute").map(|a| self.ev.text(a)) != Some("update")
        {
            return;
        }
        let Some(obj) = f.child_by_field_name("object") else {
            return;
        };
        let (base, path) = match obj.kind() {
            "identifier" => (self.ev.text(obj).to_string(), Vec::new()),
            "attribute" => (
                self.ev.text(obj).split_whitespace().collect::<String>(),
                Vec::new(),
            ),
            "subscript" => match self.subscript_path(obj) {
                Some(p) => p,
                None => return,
            },
            _ => return,
        };
        let (pos, _) = self.ev.args(call);
        let mut entries: Vec<(Key, Node)> = Vec::new();
        if let Some(&arg) = pos.first()
            && let Some(Node {
                kind: NodeKind::Map(m),
                ..
            }) = self.ev.eval(arg)
        {
            entries.extend(m);
        }
        let (more, _) = self.ev.call_kwargs(call, &[]);
        for (k, v) in more {
            set_entry(&mut entries, k, v);
        }
        let what = std::iter::once(base.as_str())
            .chain(path.iter().map(|k| k.text.as_str()))
            .collect::<Vec<_>>()
            .join(".");
        if is_setting(&base) || base.ends_with(".config") {
            self.report(&what);
        } else {
            self.drop_unknowns();
            return;
        }
        let config = base.ends_with(".config");
        for (k, v) in entries {
            if config {
                self.record(&k.text, span(call), Some(&v));
                self.targets.insert(k.text.clone(), k.span);
                self.ev.names.insert(k.text.clone(), Some(v));
            } else {
                let mut p = path.clone();
                let text = format!("{what}.{}", k.text);
                p.push(k);
                self.record(&text, span(call), Some(&v));
                self.patch(&base, span(obj), &p, v, true);
            }
        }
    }

    /// `A["x"]["y"]`: the base name and the string keys.
    fn subscript_path(&self, n: Ts<'_>) -> Option<(String, Vec<Key>)> {
        let mut keys = Vec::new();
        let mut cur = n;
        while cur.kind() == "subscript" {
            let idx = cur.child_by_field_name("subscript")?;
            let text = self.ev.string(idx)?;
            keys.push(Key {
                text,
                span: span(idx),
            });
            cur = cur.child_by_field_name("value")?;
        }
        keys.reverse();
        let base: String = match cur.kind() {
            "identifier" | "attribute" => self.ev.text(cur).split_whitespace().collect(),
            _ => return None,
        };
        Some((base, keys))
    }

    /// Sets `base[path...] = value`, creating mappings on the way (a name
    /// never assigned in this file, e.g. from `from .base import *`, starts empty).
    /// A value that would end up nested deeper than [`MAX_DEPTH`] is not set
    /// (TL012 at `at`).
    fn patch(&mut self, base: &str, at: Span, path: &[Key], value: Node, _merge: bool) {
        if path.len() + measure(&value).0 > MAX_DEPTH {
            let u = Unknown {
                span: at,
                why: too_deep_message(),
                key: None,
                limit: true,
            };
            self.report_one(base, &u);
            return;
        }
        if !self.ev.names.contains_key(base) && is_setting(base) && self.reported.insert(at) {
            let msg = format!(
                "{base} is not assigned in this file (it comes from another module, which is not read): only the keys set here are known, every other key takes its documented default"
            );
            let label = Label::at(self.loc(at), "defined elsewhere");
            self.diags
                .push(Diagnostic::new(codes::UNKNOWN_PYTHON_VALUE, msg, label));
            if base == "DATABASES" {
                self.engine_unknown = true;
            }
        }
        let root = self
            .ev
            .names
            .entry(base.to_string())
            .or_insert_with(|| Some(Node::new(NodeKind::Map(Vec::new()), at)));
        let Some(root) = root.as_mut() else {
            return; // the whole mapping is unknown
        };
        let mut cur = root;
        for (i, key) in path.iter().enumerate() {
            let NodeKind::Map(entries) = &mut cur.kind else {
                return;
            };
            if i + 1 == path.len() {
                set_entry(entries, key.clone(), value);
                return;
            }
            let pos = match entries.iter().position(|(k, _)| k.text == key.text) {
                Some(p) => p,
                None => {
                    entries.push((key.clone(), Node::new(NodeKind::Map(Vec::new()), key.span)));
                    entries.len() - 1
                }
            };
            cur = &mut entries[pos].1;
        }
    }

    /// Records an assignment of a settings path; a mapping records its leaves
    /// (`DATABASES.default.CONN_MAX_AGE`) so patches compare with literals.
    fn record(&mut self, path: &str, stmt: Span, value: Option<&Node>) {
        match value {
            Some(Node {
                kind: NodeKind::Map(m),
                ..
            }) if path.matches('.').count() < 2 => {
                for (k, v) in m {
                    self.record(&format!("{path}.{}", k.text), stmt, Some(v));
                }
            }
            _ => self.records.push((path.to_string(), stmt, value.cloned())),
        }
    }

    fn check_ignored(&mut self, name: &str, at: Span, class: Option<&str>) {
        if class.is_none() && matches!(name, "CONN_MAX_AGE" | "CONN_HEALTH_CHECKS" | "OPTIONS") {
            self.ignored.push((name.to_string(), at, Framework::Django));
        } else if pool_key(name).is_some() {
            self.ignored
                .push((name.to_string(), at, Framework::FlaskSqlAlchemy));
        }
    }

    fn class(&mut self, c: Ts<'_>) {
        let Some(name) = c.child_by_field_name("name") else {
            return;
        };
        let mut bases = Vec::new();
        if let Some(sup) = c.child_by_field_name("superclasses") {
            let mut cur = sup.walk();
            for b in sup.named_children(&mut cur) {
                if matches!(b.kind(), "identifier" | "attribute") {
                    let t = self.ev.text(b);
                    bases.push(t.rsplit('.').next().unwrap_or(t).to_string());
                }
            }
        }
        let class_name = self.ev.text(name).to_string();
        // Inherited attributes are visible by name in the body? No: only the
        // class's own earlier attributes are, plus module names. The module
        // names the body shadows are restored after it (moved, not copied).
        let mut saved: Vec<(String, Option<Option<Node>>)> = Vec::new();
        let mut attrs: Vec<(Key, Node)> = Vec::new();
        if let Some(body) = c.child_by_field_name("body") {
            let mut cur = body.walk();
            let stmts: Vec<Ts<'_>> = body.named_children(&mut cur).collect();
            for s in stmts {
                let Some(a) = s
                    .named_child(0)
                    .filter(|_| s.kind() == "expression_statement")
                else {
                    continue;
                };
                if a.kind() != "assignment" {
                    continue;
                }
                let (Some(left), Some(right)) = (
                    a.child_by_field_name("left"),
                    a.child_by_field_name("right"),
                ) else {
                    continue;
                };
                if left.kind() != "identifier" {
                    continue;
                }
                let attr = self.ev.text(left).to_string();
                let value = self.ev.eval(innermost_value(right));
                if is_setting(&attr) || pool_key(&attr).is_some() {
                    self.report(&format!("{class_name}.{attr}"));
                } else {
                    self.drop_unknowns();
                }
                self.check_ignored(&attr, span(left), Some(&class_name));
                let key = Key {
                    text: attr.clone(),
                    span: span(left),
                };
                match &value {
                    Some(v) => set_entry(&mut attrs, key, v.clone()),
                    None if attr == flask::URI => {
                        // Kept (as null) so the engine options are still read.
                        let at = span(innermost_value(right));
                        self.unknown_urls.push(at);
                        set_entry(&mut attrs, key, Node::new(NodeKind::Null, at));
                    }
                    None => {}
                }
                let old = self.ev.names.insert(attr.clone(), value);
                if !saved.iter().any(|(n, _)| *n == attr) {
                    saved.push((attr, old));
                }
            }
        }
        for (name, old) in saved.into_iter().rev() {
            match old {
                Some(v) => self.ev.names.insert(name, v),
                None => self.ev.names.remove(&name),
            };
        }
        self.classes.push(Class {
            name: class_name,
            span: span(name),
            bases,
            attrs,
        });
    }

    /// A class's attributes with inheritance resolved (own attributes win;
    /// earlier bases win over later ones, as in Python's MRO for simple
    /// trees). The bases are walked depth-first without recursion, each class
    /// once (a diamond or a cycle costs nothing more), at most 32 levels deep.
    /// `index`: each class name's last definition.
    fn merged(&self, index: &HashMap<String, usize>, name: &str) -> Vec<(Key, Node)> {
        let mut order: Vec<usize> = Vec::new();
        let mut seen: HashSet<usize> = HashSet::new();
        let mut stack: Vec<(&str, usize)> = vec![(name, 0)];
        while let Some((n, depth)) = stack.pop() {
            let Some(&i) = index.get(n) else { continue };
            if !seen.insert(i) {
                continue;
            }
            order.push(i);
            if depth < 32 {
                let bases = &self.classes[i].bases;
                stack.extend(bases.iter().rev().map(|b| (b.as_str(), depth + 1)));
            }
        }
        let mut out: Vec<(Key, Node)> = Vec::new();
        for i in order.into_iter().rev() {
            for (k, v) in &self.classes[i].attrs {
                set_entry(&mut out, k.clone(), v.clone());
            }
        }
        out
    }

    fn finish(
        mut self,
        root: Ts<'_>,
        object: Option<&str>,
        overrides: &super::Overrides,
        out: &mut Vec<Diagnostic>,
        built_secrets: &mut Vec<String>,
    ) -> Vec<AppPool> {
        // Engines not read yet (in functions, classes), and SQLAlchemy(...)
        // calls, anywhere in the file.
        self.engines_in(root);
        let calls = self.calls.clone();
        let mut fsa_options: Option<Node> = None;
        for call in calls {
            let callee = self.ev.callee(call);
            let last = callee.rsplit('.').next().unwrap_or("").to_string();
            if last == "SQLAlchemy" {
                let (_, kw) = self.ev.args(call);
                if let Some(v) = self.ev.kwarg(&kw, "engine_options") {
                    fsa_options = self.ev.eval(v);
                    self.report("SQLAlchemy(engine_options)");
                } else if has_spread(call) {
                    // `SQLAlchemy(app, **kwargs)`: engine_options from a spread;
                    // only its unknowns (and unread spreads) matter.
                    let other: Vec<Span> = kw.iter().map(|(_, v)| span(*v)).collect();
                    let before = self.ev.unknowns.len();
                    let (kwargs, _) = self.ev.call_kwargs(call, &[]);
                    let tail = self.ev.unknowns.split_off(before);
                    self.ev.unknowns.extend(tail.into_iter().filter(|u| {
                        u.limit
                            || !other
                                .iter()
                                .any(|o| o.start <= u.span.start && u.span.end <= o.end)
                    }));
                    fsa_options = kwargs
                        .into_iter()
                        .find(|(k, _)| k.text == "engine_options")
                        .map(|(_, v)| v);
                    self.report("SQLAlchemy(engine_options)");
                }
            }
        }
        // (name, kwargs, unknown URL span, made by create_async_engine), in
        // the order written.
        let mut read = std::mem::take(&mut self.engines_read);
        read.sort_by_key(|(at, _, _)| *at);
        let mut engines: Vec<(Key, Node, Option<Span>, bool)> = Vec::new();
        for (_, engine, async_engine) in read {
            let mut name = engine.0.text.clone();
            let mut n = 2;
            while engines.iter().any(|(k, _, _, _)| k.text == name) {
                name = format!("{}_{n}", engine.0.text);
                n += 1;
            }
            let key = Key {
                text: name,
                span: engine.0.span,
            };
            engines.push((key, engine.1, engine.2, async_engine));
        }

        // Flask candidates: the module, and leaf classes with Flask keys.
        let module_flask: Vec<(Key, Node)> = {
            let mut v: Vec<(Key, Node)> = Vec::new();
            for (name, val) in &self.ev.names {
                if let Some(val) = val
                    && flask::is_flask_key(name)
                    && let Some(span) = self.targets.get(name)
                {
                    v.push((
                        Key {
                            text: name.clone(),
                            span: *span,
                        },
                        val.clone(),
                    ));
                }
            }
            v.sort_by_key(|(k, _)| k.span.start);
            v
        };
        let mut candidates: Vec<Candidate> = Vec::new();
        if !module_flask.is_empty() {
            candidates.push(("the module".to_string(), Span::new(0, 0), module_flask));
        }
        let index: HashMap<String, usize> = self
            .classes
            .iter()
            .enumerate()
            .map(|(i, c)| (c.name.clone(), i))
            .collect();
        let with_sub: HashSet<&str> = self
            .classes
            .iter()
            .flat_map(|c| c.bases.iter().map(String::as_str))
            .collect();
        for c in &self.classes {
            if with_sub.contains(c.name.as_str()) {
                continue;
            }
            let attrs = self.merged(&index, &c.name);
            if attrs.iter().any(|(k, _)| flask::is_flask_key(&k.text)) {
                candidates.push((c.name.clone(), c.span, attrs));
            }
        }
        let mut flask_root: Option<Vec<(Key, Node)>> = None;
        match object {
            Some(o) => {
                if let Some(c) = self.classes.iter().rev().find(|c| c.name == o) {
                    let _ = c;
                    flask_root = Some(self.merged(&index, o));
                } else if engines.iter().any(|(k, _, _, _)| k.text == o) {
                    engines.retain(|(k, _, _, _)| k.text == o);
                } else {
                    let names: Vec<String> = self
                        .classes
                        .iter()
                        .map(|c| c.name.clone())
                        .chain(engines.iter().map(|(k, _, _, _)| k.text.clone()))
                        .collect();
                    let msg = format!(
                        "no class or engine `{o}` in this file; candidates: {}",
                        if names.is_empty() {
                            "none".to_string()
                        } else {
                            names.join(", ")
                        }
                    );
                    let label = Label::at(self.loc(Span::new(0, 0)), "named in the manifest");
                    self.diags
                        .push(Diagnostic::new(codes::MANIFEST_ERROR, msg, label));
                    engines.clear();
                    self.ev.names.remove("DATABASES");
                }
            }
            None => match candidates.len() {
                0 => {}
                1 => flask_root = candidates.pop().map(|c| c.2),
                _ => {
                    let names: Vec<&str> = candidates.iter().map(|c| c.0.as_str()).collect();
                    let msg = format!(
                        "this file has several Flask-SQLAlchemy configs: {}; name one in the manifest, e.g. app = \"{}:{}\"",
                        names.join(", "),
                        "config.py",
                        names.last().copied().unwrap_or("Config")
                    );
                    let label = Label::at(self.loc(Span::new(0, 0)), "which config?");
                    self.diags
                        .push(Diagnostic::new(codes::MANIFEST_ERROR, msg, label));
                }
            },
        }

        self.overrides();
        let has_flask = flask_root.is_some() || fsa_options.is_some();
        let has_django = matches!(self.ev.names.get("DATABASES"), Some(Some(_)));
        self.ignored_settings(has_flask, has_django);

        // Interpret.
        let text = self.ev.src;
        let mut inner: Vec<Diagnostic> = Vec::new();
        let mut ctx = Ctx {
            file: self.ev.file,
            text,
            diags: &mut inner,
            origins: std::mem::take(&mut self.ev.origins),
            overrides: overrides.clone(),
        };
        let mut pools = Vec::new();
        if let Some(Some(db)) = self.ev.names.get("DATABASES") {
            django::read(&mut ctx, db, &mut pools);
        }
        if let Some(mut entries) = flask_root.or_else(|| fsa_options.as_ref().map(|_| Vec::new())) {
            if let Some(opts) = &fsa_options {
                let mut merged = match opts.as_map() {
                    Some(m) => m.to_vec(),
                    None => Vec::new(),
                };
                let at = opts.span;
                if let Some(pos) = entries
                    .iter()
                    .position(|(k, _)| k.text == flask::ENGINE_OPTIONS)
                {
                    let (k, v) = entries.remove(pos);
                    for (kk, vv) in v.as_map().unwrap_or(&[]) {
                        set_entry(&mut merged, kk.clone(), vv.clone());
                    }
                    entries.push((k, Node::new(NodeKind::Map(merged), v.span)));
                } else {
                    let key = Key {
                        text: flask::ENGINE_OPTIONS.to_string(),
                        span: at,
                    };
                    entries.push((key, Node::new(NodeKind::Map(merged), at)));
                }
            }
            let first = entries
                .iter()
                .find(|(k, _)| flask::is_flask_key(&k.text))
                .map(|(k, _)| k.clone());
            if let Some(first) = first {
                if let Some(uri) = entries.iter().find(|(k, _)| k.text == flask::URI) {
                    let _ = uri;
                } else if let Some(s) = self.unknown_uri_span() {
                    let key = Key {
                        text: flask::URI.to_string(),
                        span: s,
                    };
                    entries.push((key, Node::new(NodeKind::Null, s)));
                    self.unknown_urls.push(s);
                }
                let root_node = Node::new(NodeKind::Map(entries), Span::new(0, 0));
                flask::read(&mut ctx, &root_node, &first, &mut pools);
            }
        }
        for (key, map, _, async_engine) in &engines {
            let mut opts = sqlalchemy::read_options(
                &mut ctx,
                map,
                "the SQLAlchemy default -1 (never) is used",
            );
            opts.async_engine = *async_engine;
            let default = sqlalchemy::default_recycle(ctx.loc(key.span));
            let url = map.get("url");
            pools.push(sqlalchemy::build_pool(
                &mut ctx,
                &key.text,
                Framework::SqlAlchemy,
                key,
                url,
                opts,
                default,
            ));
        }
        let unknown_urls: Vec<Span> = self
            .unknown_urls
            .iter()
            .copied()
            .chain(engines.iter().filter_map(|(_, _, u, _)| *u))
            .collect();
        let engine_unknown = self.engine_unknown;
        inner.retain(|d| {
            !(d.code == codes::INVALID_VALUE
                && (d
                    .primary
                    .location
                    .is_some_and(|l| unknown_urls.contains(&l.span))
                    || (engine_unknown && d.message.starts_with("missing ENGINE"))))
        });
        if pools.is_empty()
            && !has_django
            && !has_flask
            && engines.is_empty()
            && self.reported.is_empty()
        {
            let unknown_db = self.ev.names.contains_key("DATABASES");
            if !unknown_db && !self.diags.iter().any(|d| d.code == codes::MANIFEST_ERROR) {
                let msg = "no app settings found in this Python file: expected DATABASES, SQLALCHEMY_* settings or a create_engine(...) call".to_string();
                let label = Label::at(self.loc(Span::new(0, 0)), "app settings file");
                inner.push(Diagnostic::new(codes::INVALID_VALUE, msg, label));
            }
        }
        out.append(&mut self.diags);
        out.append(&mut inner);
        built_secrets.append(&mut self.ev.secrets);
        pools
    }

    /// The span of an unknown `SQLALCHEMY_DATABASE_URI` assignment, if any.
    fn unknown_uri_span(&self) -> Option<Span> {
        match self.ev.names.get(flask::URI) {
            Some(None) => self.targets.get(flask::URI).copied(),
            _ => None,
        }
    }

    /// One engine from a `create_engine` / `create_async_engine` / `engine_from_config` call.
    fn engine(&mut self, call: Ts<'_>, last: &str) -> Option<(Key, Node, Option<Span>)> {
        if !matches!(
            last,
            "create_engine" | "create_async_engine" | "engine_from_config"
        ) {
            return None;
        }
        let name = engine_name(call, &self.ev).unwrap_or_else(|| "engine".to_string());
        let fspan = call
            .child_by_field_name("function")
            .map_or(span(call), span);
        let key = Key {
            text: name.clone(),
            span: fspan,
        };
        let (pos, kw) = self.ev.args(call);
        let mut entries: Vec<(Key, Node)> = Vec::new();
        let mut unknown_url = None;
        if last == "engine_from_config" {
            let prefix = self
                .ev
                .kwarg(&kw, "prefix")
                .or_else(|| pos.get(1).copied())
                .and_then(|p| self.ev.string(p))
                .unwrap_or_else(|| "sqlalchemy.".to_string());
            let config = pos
                .first()
                .copied()
                .or_else(|| self.ev.kwarg(&kw, "configuration"));
            match config.and_then(|c| self.ev.eval(c)) {
                Some(Node {
                    kind: NodeKind::Map(m),
                    ..
                }) => {
                    for (k, v) in m {
                        if let Some(stripped) = k.text.strip_prefix(&prefix) {
                            let key = Key {
                                text: stripped.to_string(),
                                span: k.span,
                            };
                            entries.push((key, coerce_config_string(v)));
                        }
                    }
                }
                _ => {
                    self.report(&name);
                    unknown_url = Some(fspan);
                    entries.push((
                        Key {
                            text: "url".into(),
                            span: fspan,
                        },
                        Node::new(NodeKind::Null, fspan),
                    ));
                }
            }
        } else {
            let url = pos.first().copied().or_else(|| self.ev.kwarg(&kw, "url"));
            if let Some(u) = url {
                let before = self.ev.unknowns.len();
                match self.ev.eval(u) {
                    Some(v) => entries.push((
                        Key {
                            text: "url".into(),
                            span: span(u),
                        },
                        v,
                    )),
                    None => {
                        self.ev.tag_unknowns(before, "url");
                        unknown_url = Some(span(u));
                        entries.push((
                            Key {
                                text: "url".into(),
                                span: span(u),
                            },
                            Node::new(NodeKind::Null, span(u)),
                        ));
                    }
                }
            }
        }
        // Keywords and `**spreads`, in the order written. An explicit URL
        // was read above; otherwise a spread may carry it.
        let explicit_url = last != "engine_from_config"
            && (!pos.is_empty() || self.ev.kwarg(&kw, "url").is_some());
        let skip: &[&str] = if explicit_url {
            &["url", "prefix", "configuration"]
        } else {
            &["prefix", "configuration"]
        };
        let (kwargs, unknown_spread) = self.ev.call_kwargs(call, skip);
        for (k, v) in kwargs {
            set_entry(&mut entries, k, v);
        }
        if unknown_spread && !entries.iter().any(|(k, _)| k.text == "url") {
            // The URL may be in the unread spread: not "missing".
            unknown_url = Some(fspan);
            entries.push((
                Key {
                    text: "url".into(),
                    span: fspan,
                },
                Node::new(NodeKind::Null, fspan),
            ));
        }
        self.report(&name);
        if let Some(s) = unknown_url {
            self.unknown_urls.push(s);
        }
        Some((
            key,
            Node::new(NodeKind::Map(entries), span(call)),
            unknown_url,
        ))
    }

    /// TL014: a settings path assigned again with a different value.
    fn overrides(&mut self) {
        let mut seen: HashMap<&str, usize> = HashMap::new();
        let mut found = Vec::new();
        for (i, (path, stmt, value)) in self.records.iter().enumerate() {
            if let Some(&prev) = seen.get(path.as_str()) {
                let (_, pspan, pvalue) = &self.records[prev];
                let differs = match (pvalue, value) {
                    (Some(a), Some(b)) => !same(a, b),
                    _ => true,
                };
                if differs && pspan != stmt {
                    found.push((path.clone(), *pspan, *stmt));
                }
            }
            seen.insert(path.as_str(), i);
        }
        for (path, first, last) in found {
            let msg = format!(
                "the setting {path} is assigned again later in this file: the last assignment wins and the earlier one has no effect"
            );
            let d = Diagnostic::new(
                codes::SETTING_OVERRIDDEN_LATER,
                msg,
                Label::at(self.loc(last), "this value wins"),
            )
            .with_related(Label::at(self.loc(first), "overridden"));
            self.diags.push(d);
        }
    }

    /// TL013: Django alias settings at module level; pool options outside
    /// `SQLALCHEMY_ENGINE_OPTIONS`.
    fn ignored_settings(&mut self, has_flask: bool, has_django: bool) {
        let file_has_flask = has_flask
            || self.targets.keys().any(|k| flask::is_flask_key(k))
            || self
                .classes
                .iter()
                .any(|c| c.attrs.iter().any(|(k, _)| flask::is_flask_key(&k.text)));
        for (name, at, fw) in std::mem::take(&mut self.ignored) {
            let msg = match fw {
                Framework::Django => {
                    if name == "OPTIONS" && !has_django {
                        continue;
                    }
                    format!(
                        "{name} at module level is ignored by Django: it is a per-database setting and only takes effect inside an alias (DATABASES[\"default\"][\"{name}\"])"
                    )
                }
                _ => {
                    if !file_has_flask {
                        continue;
                    }
                    let key = pool_key(&name).unwrap_or("pool_recycle");
                    format!(
                        "{name} is not a Flask-SQLAlchemy setting and is ignored: engine options go in SQLALCHEMY_ENGINE_OPTIONS = {{\"{key}\": ...}}"
                    )
                }
            };
            let d = Diagnostic::new(
                codes::SETTING_IGNORED_BY_FRAMEWORK,
                msg,
                Label::at(self.loc(at), "ignored here"),
            );
            self.diags.push(d);
        }
    }
}

/// `pool_recycle` / `POOL_RECYCLE` and friends written as a config name: the
/// engine option it was meant to be.
fn pool_key(name: &str) -> Option<&'static str> {
    match name.to_ascii_lowercase().as_str() {
        "pool_recycle" => Some("pool_recycle"),
        "pool_pre_ping" => Some("pool_pre_ping"),
        "pool_timeout" => Some("pool_timeout"),
        "pool_size" => Some("pool_size"),
        "max_overflow" => Some("max_overflow"),
        "sqlalchemy_pool_pre_ping" => Some("pool_pre_ping"),
        _ => None,
    }
}

/// `A = B = value`: the value expression.
fn innermost_value(mut n: Ts<'_>) -> Ts<'_> {
    while n.kind() == "assignment" {
        match n.child_by_field_name("right") {
            Some(r) => n = r,
            None => break,
        }
    }
    n
}

/// `engine_from_config` values are strings in ini files; SQLAlchemy coerces
/// the pool options (`pool_recycle`, `pool_size`, ...) to numbers / booleans.
fn coerce_config_string(v: Node) -> Node {
    let Some(s) = v.as_str() else { return v };
    let t = s.trim();
    let kind = if let Some(i) = eval::parse_int(t) {
        NodeKind::Int(i)
    } else if let Ok(f) = t.parse::<f64>() {
        NodeKind::Float(f)
    } else {
        match t.to_ascii_lowercase().as_str() {
            "true" => NodeKind::Bool(true),
            "false" => NodeKind::Bool(false),
            _ => return v,
        }
    };
    Node::new(kind, v.span)
}

/// The name an engine call is assigned to (`engine = create_engine(...)`,
/// `self.engine = ...` → `engine`).
fn engine_name(call: Ts<'_>, ev: &Eval<'_>) -> Option<String> {
    let mut cur = call.parent()?;
    while cur.kind() == "parenthesized_expression" || cur.kind() == "await" {
        cur = cur.parent()?;
    }
    if cur.kind() != "assignment" {
        return None;
    }
    let left = cur.child_by_field_name("left")?;
    let t = ev.text(left);
    let last = t.rsplit('.').next().unwrap_or(t).trim();
    (matches!(left.kind(), "identifier" | "attribute") && !last.is_empty())
        .then(|| last.to_string())
}

/// What [`scan`] finds in the whole tree.
struct Scan<'t> {
    /// Engine and `SQLAlchemy(...)` calls, in document order.
    calls: Vec<Ts<'t>>,
    /// Calls of dict methods that change their object (`d.pop(...)`,
    /// `d.update(...)`, ...), in document order.
    mutations: Vec<Ts<'t>>,
    /// The names imports bind (see [`Eval::imports`]).
    imports: HashMap<String, String>,
}

/// One walk over the whole tree: the engine and `SQLAlchemy(...)` calls,
/// the dict-method calls, the names imports bind (see
/// [`eval::import_bindings`]), and the secret spans (see
/// [`secret_spans_at`]), added to `secrets`. Readers take the calls inside
/// a node from the lists ([`walk::within`]) instead of walking it again.
fn scan<'t>(text: &str, root: Ts<'t>, secrets: &mut Vec<Span>) -> Scan<'t> {
    let k = walk::Kinds::new(root);
    let mut calls = Vec::new();
    let mut mutations = Vec::new();
    // The bindings of each import statement, in document order; applied
    // last statement first, so the first statement binding a name wins.
    let mut imports: Vec<Vec<(String, String)>> = Vec::new();
    walk::preorder(root, |n| {
        let kind = n.kind_id();
        if kind == k.call {
            if is_engine_call(text, n, &k) {
                calls.push(n);
            }
            if is_mutation_call(text, n, &k) {
                mutations.push(n);
            }
        } else if kind == k.import_statement || kind == k.import_from_statement {
            if let Some(bindings) = eval::import_bindings(n, text) {
                imports.push(bindings);
            }
        } else {
            secret_spans_at(text, n, &k, secrets);
        }
        true
    });
    let mut bound = HashMap::new();
    for bindings in imports.into_iter().rev() {
        bound.extend(bindings);
    }
    Scan {
        calls,
        mutations,
        imports: bound,
    }
}

/// Whether `call` is a `create_engine` / `create_async_engine` /
/// `engine_from_config` / `SQLAlchemy` call: the last dotted part of its
/// function, whitespace removed (as [`Eval::callee`] gives it).
fn is_engine_call(text: &str, call: Ts<'_>, k: &walk::Kinds) -> bool {
    let Some(f) = call.child_by_field_id(k.function) else {
        return false;
    };
    let f = text.get(f.start_byte()..f.end_byte()).unwrap_or("");
    let last = f.rsplit('.').next().unwrap_or("");
    let is = |last: &str| {
        matches!(
            last,
            "create_engine" | "create_async_engine" | "engine_from_config" | "SQLAlchemy"
        )
    };
    if last.contains(char::is_whitespace) {
        is(&last.split_whitespace().collect::<String>())
    } else {
        is(last)
    }
}

/// Whether `call` is `x.pop(...)`, `x.popitem(...)`, `x.update(...)`,
/// `x.setdefault(...)` or `x.clear(...)` (see [`Reader::mutations_in`]).
fn is_mutation_call(text: &str, call: Ts<'_>, k: &walk::Kinds) -> bool {
    call.child_by_field_id(k.function)
        .filter(|f| f.kind_id() == k.attribute)
        .and_then(|f| f.child_by_field_id(k.field_attribute))
        .is_some_and(|m| {
            matches!(
                text.get(m.start_byte()..m.end_byte()).unwrap_or(""),
                "pop" | "popitem" | "update" | "setdefault" | "clear"
            )
        })
}

/// Whether a call has a `**spread` argument.
fn has_spread(call: Ts<'_>) -> bool {
    let Some(list) = call.child_by_field_name("arguments") else {
        return false;
    };
    let mut c = list.walk();
    list.named_children(&mut c)
        .any(|a| a.kind() == "dictionary_splat")
}

/// The first error or missing node, in document order (walked without recursion).
fn first_error(root: Ts<'_>) -> Option<Ts<'_>> {
    let mut found = None;
    walk::preorder(root, |n| {
        if found.is_some() {
            return false;
        }
        if n.is_error() || n.is_missing() {
            found = Some(n);
            return false;
        }
        n.has_error()
    });
    found
}

/// Where the indentation of `text` could overrun tree-sitter-python's
/// scanner (see [`MAX_INDENT_LEVELS`]): the line's span and the message.
///
/// Widths are counted as the scanner counts them: a space is 1, a tab 8,
/// `\r` and form feed reset to 0, in 16 bits; blank and comment-only lines do
/// not count; a backslash-newline carries the width to the next line. The
/// nesting is the stack of increasing widths; lines inside brackets or
/// strings count too, an over-estimate.
fn indentation_too_deep(text: &str) -> Option<(Span, String)> {
    let mut stack: Vec<u16> = vec![0];
    let mut widths: HashSet<u16> = HashSet::new();
    let mut carry: u16 = 0;
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let line_start = start;
        start += line.len();
        let bytes = line.as_bytes();
        let mut width = std::mem::take(&mut carry);
        let mut i = 0;
        while let Some(&b) = bytes.get(i) {
            match b {
                b' ' => width = width.wrapping_add(1),
                b'\t' => width = width.wrapping_add(8),
                b'\r' | 0x0c => width = 0,
                _ => break,
            }
            i += 1;
        }
        match &bytes[i..] {
            [] | [b'\n', ..] | [b'#', ..] => continue,
            [b'\\', b'\n'] | [b'\\', b'\r', b'\n'] | [b'\\'] => {
                carry = width;
                continue;
            }
            _ => {}
        }
        if width != 0 {
            widths.insert(width);
        }
        while stack.last().is_some_and(|&w| w > width) {
            stack.pop();
        }
        if stack.last().is_none_or(|&w| w < width) {
            stack.push(width);
        }
        let end = line_start + line.trim_end().len();
        let at = Span::new(line_start + i, end.max(line_start + i));
        if stack.len() - 1 > MAX_INDENT_LEVELS {
            let msg = format!(
                "indentation nested deeper than {MAX_INDENT_LEVELS} levels; the file is not read"
            );
            return Some((at, msg));
        }
        if widths.len() > MAX_INDENT_WIDTHS {
            let msg = format!(
                "more than {MAX_INDENT_WIDTHS} different indentation widths; the file is not read"
            );
            return Some((at, msg));
        }
    }
    None
}

/// Every occurrence of each of `values` inside a string literal of the file.
fn secret_value_spans(text: &str, root: Ts<'_>, values: &[String], out: &mut Vec<Span>) {
    if values.is_empty() {
        return;
    }
    let string_content = walk::kind_id(root, "string_content");
    walk::preorder(root, |n| {
        if n.kind_id() == string_content {
            let s = text.get(n.start_byte()..n.end_byte()).unwrap_or("");
            for v in values.iter().filter(|v| !v.is_empty()) {
                for (i, _) in s.match_indices(v.as_str()) {
                    out.push(Span::new(n.start_byte() + i, n.start_byte() + i + v.len()));
                }
            }
        }
        true
    });
}

/// The secret spans at node `n` (see [`scan`]): passwords in URL strings,
/// `password=` values in any string (libpq `options`, conninfo), values of
/// password-like keys, keywords and names.
fn secret_spans_at(text: &str, n: Ts<'_>, k: &walk::Kinds, out: &mut Vec<Span>) {
    let kind = n.kind_id();
    if kind == k.string_content {
        let s = text.get(n.start_byte()..n.end_byte()).unwrap_or("");
        let mut ranges = crate::secrets::assignment_ranges(s);
        if s.contains("://") {
            ranges.extend(secret_ranges(s));
        }
        for r in ranges {
            out.push(Span::new(n.start_byte() + r.start, n.start_byte() + r.end));
        }
    } else if kind == k.pair || kind == k.keyword_argument || kind == k.assignment {
        let (key, value) = if kind == k.pair {
            (n.child_by_field_id(k.key), n.child_by_field_id(k.value))
        } else if kind == k.keyword_argument {
            (n.child_by_field_id(k.name), n.child_by_field_id(k.value))
        } else {
            (n.child_by_field_id(k.left), n.child_by_field_id(k.right))
        };
        if let (Some(key), Some(value)) = (key, value) {
            let key = text
                .get(key.start_byte()..key.end_byte())
                .unwrap_or("")
                .trim_matches(|c| c == '"' || c == '\'');
            let key = key.rsplit('.').next().unwrap_or(key);
            if is_secret_name(key) && value.kind_id() == k.string {
                out.push(span(value));
            }
        }
    }
}
