//! Small pure functions of the project, inlined at their calls:
//! `DATABASES = parse_db_settings(...)`, `CONN_MAX_AGE = envint("X", 30)`.
//!
//! A function defined at module level (in the settings file or a project
//! module it imports) is followed when its body is only assignments to
//! local names, `if` / `elif` / `else` on conditions the evaluator decides,
//! `return`, `pass` and docstrings, over its parameters (plain, with
//! defaults, typed), module names and environment reads. Anything else in
//! it (loops, `try`, other calls as statements, `raise`, `*args`,
//! `**kwargs`, an undecided condition) makes the call unknown (TL012),
//! never a guess. Inlining nests at most [`MAX_INLINE_DEPTH`] calls and
//! follows at most [`MAX_INLINE_STATEMENTS`] statements per outermost call.
//!
//! The result of a call is located at the call (a scalar), keeping the
//! provenance of what it was read from (an environment variable read in the
//! function is still that variable).

use super::syntax::Py;

use crate::parse::tree::{Key, Node, NodeKind};
use crate::provenance::Origin;
use crate::source::{Location, Span};

use super::eval::{Eval, py_eq, set_at_path, set_entry, truthy};
use super::{Point, if_arms, one_line};

/// How many inlined calls may nest.
pub(super) const MAX_INLINE_DEPTH: usize = 8;

/// How many statements one outermost inlined call may run.
pub(super) const MAX_INLINE_STATEMENTS: usize = 200;

/// A module-level function: which module, and where its definition is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct FnRef {
    /// Index of the module in the project (0: the settings file).
    pub module: usize,
    /// Byte range of the `function_definition` in that module.
    pub start: usize,
    pub end: usize,
}

/// Binds `name` to `v` for the rest of an inlined call, remembering what it
/// shadowed (restored when the call ends), once per name.
pub(super) fn shadow(
    ev: &mut Eval<'_>,
    shadowed: &mut Vec<(String, Option<Option<Node>>)>,
    name: String,
    v: Option<Node>,
) {
    let old = ev.names.insert(name.clone(), v);
    if !shadowed.iter().any(|(n, _)| *n == name) {
        shadowed.push((name, old));
    }
}

/// How a function body ended.
enum Flow {
    /// Ran to the end without `return` (Python returns `None`).
    Fell,
    /// `return value` (`None`: the value is unknown, already recorded).
    Returned(Option<Node>),
    /// Something the tool does not follow: why.
    Unfollowed(String),
}

impl Eval<'_> {
    /// The value of a call to the project function `f` (see the module docs).
    pub(super) fn inline(&mut self, call: Py<'_>, name: &str, f: FnRef) -> Option<Node> {
        if self.inline_depth >= MAX_INLINE_DEPTH {
            return self.unknown(
                call,
                format!("a call to `{name}` nested too deep to follow"),
            );
        }
        // Arguments are evaluated where the call is written.
        let (pos, kw) = self.args(call);
        let mut args: Vec<Option<Node>> = Vec::new();
        for &p in &pos {
            if p.kind() == "list_splat" {
                return self.unknown(call, format!("a call to `{name}` with `*args`"));
            }
            args.push(self.eval(p));
        }
        let mut kwargs: Vec<(String, Option<Node>)> = Vec::new();
        for (k, v) in &kw {
            kwargs.push((self.text(*k).to_string(), self.eval(*v)));
        }
        if self.has_spread_arg(call) {
            return self.unknown(call, format!("a call to `{name}` with `**kwargs`"));
        }
        self.call_with(call, name, f, args, kwargs)
    }

    /// Runs the project function `f` on argument values already evaluated
    /// (also a pydantic computed property, on `self`); its result or an
    /// unknown recorded at `call`.
    pub(super) fn call_with(
        &mut self,
        call: Py<'_>,
        name: &str,
        f: FnRef,
        args: Vec<Option<Node>>,
        kwargs: Vec<(String, Option<Node>)>,
    ) -> Option<Node> {
        if self.inline_depth >= MAX_INLINE_DEPTH {
            return self.unknown(
                call,
                format!("a call to `{name}` nested too deep to follow"),
            );
        }
        let modules = self.modules;
        let Some(m) = modules.get(f.module) else {
            return self.unknown(call, format!("a call to `{name}`"));
        };
        let def = m
            .tree
            .root_node()
            .descendant_for_byte_range(f.start, f.end)
            .filter(|d| d.kind() == "function_definition");
        let Some(def) = def else {
            return self.unknown(call, format!("a call to `{name}`"));
        };
        // Into the function's module.
        let saved_ctx = (self.src, self.file, self.base);
        self.src = &m.text;
        self.file = m.file;
        self.base = f.module << super::eval::SPACE_BITS;
        let bound = self.bind_params(def, args, kwargs);
        let result = match bound {
            Err(why) => Err(why),
            Ok(bound) => {
                let mut shadowed: Vec<(String, Option<Option<Node>>)> = Vec::new();
                for (p, v) in bound {
                    let old = self.names.insert(p.clone(), v);
                    if !shadowed.iter().any(|(n, _)| *n == p) {
                        shadowed.push((p, old));
                    }
                }
                self.inline_depth += 1;
                if self.inline_depth == 1 {
                    self.inline_budget = MAX_INLINE_STATEMENTS;
                }
                let flow = match def.child_by_field_name("body") {
                    Some(body) => self.run_block(body, &mut shadowed),
                    None => Flow::Fell,
                };
                self.inline_depth -= 1;
                for (n, old) in shadowed.into_iter().rev() {
                    match old {
                        Some(v) => self.names.insert(n, v),
                        None => self.names.remove(&n),
                    };
                }
                match flow {
                    Flow::Fell => Ok(Some(Node::new(NodeKind::Null, self.sp(def)))),
                    Flow::Returned(v) => Ok(v),
                    Flow::Unfollowed(why) => Err(why),
                }
            }
        };
        (self.src, self.file, self.base) = saved_ctx;
        match result {
            Err(why) => self.unknown(call, format!("a call to `{name}` ({why})")),
            Ok(None) => None,
            Ok(Some(v)) => Some(self.relocate(v, call)),
        }
    }

    /// The function's parameters bound to the call's arguments (a default
    /// is evaluated in the function's module); `Err` for what is not followed.
    fn bind_params(
        &mut self,
        def: Py<'_>,
        args: Vec<Option<Node>>,
        mut kwargs: Vec<(String, Option<Node>)>,
    ) -> Result<Vec<(String, Option<Node>)>, String> {
        let Some(params) = def.child_by_field_name("parameters") else {
            return Ok(Vec::new());
        };
        let mut args = args.into_iter();
        let mut out = Vec::new();
        let mut c = params.walk();
        let list: Vec<Py<'_>> = params.named_children(&mut c).collect();
        for p in list {
            let (name, default) = match p.kind() {
                "identifier" => (self.text(p).to_string(), None),
                "typed_parameter" => {
                    let id = (0..p.named_child_count())
                        .filter_map(|i| p.named_child(u32::try_from(i).ok()?))
                        .find(|n| n.kind() == "identifier");
                    match id {
                        Some(id) => (self.text(id).to_string(), None),
                        None => return Err("a parameter it does not follow".into()),
                    }
                }
                "default_parameter" | "typed_default_parameter" => {
                    match (
                        p.child_by_field_name("name"),
                        p.child_by_field_name("value"),
                    ) {
                        (Some(n), Some(v)) => (self.text(n).to_string(), Some(v)),
                        _ => return Err("a parameter it does not follow".into()),
                    }
                }
                "comment" => continue,
                _ => return Err("`*args`, `**kwargs` or keyword-only parameters".into()),
            };
            let value = if let Some(v) = args.next() {
                v
            } else if let Some(i) = kwargs.iter().position(|(k, _)| *k == name) {
                kwargs.remove(i).1
            } else if let Some(d) = default {
                self.eval(d)
            } else {
                return Err(format!("no value for its parameter `{name}`"));
            };
            out.push((name, value));
        }
        if args.next().is_some() || !kwargs.is_empty() {
            return Err("arguments it does not take".into());
        }
        Ok(out)
    }

    /// Runs a function body block (see [`Flow`]).
    fn run_block(
        &mut self,
        block: Py<'_>,
        shadowed: &mut Vec<(String, Option<Option<Node>>)>,
    ) -> Flow {
        let mut c = block.walk();
        let stmts: Vec<Py<'_>> = block.named_children(&mut c).collect();
        for s in stmts {
            if self.inline_budget == 0 {
                return Flow::Unfollowed("a function too long to follow".into());
            }
            self.inline_budget -= 1;
            match s.kind() {
                "comment" | "pass_statement" => {}
                "return_statement" => {
                    return Flow::Returned(match s.named_child(0) {
                        Some(e) => self.eval(e),
                        None => Some(Node::new(NodeKind::Null, self.sp(s))),
                    });
                }
                "expression_statement" => {
                    let Some(e) = s.named_child(0) else { continue };
                    match e.kind() {
                        "string" => {} // a docstring
                        "assignment" => {
                            let Some(l) = e.child_by_field_name("left") else {
                                return Flow::Unfollowed("an assignment it does not follow".into());
                            };
                            let Some(r) = e.child_by_field_name("right") else {
                                // `x: int`: an annotation, no value at run time.
                                continue;
                            };
                            if l.kind() == "subscript" && r.kind() != "assignment" {
                                // `d["a"]["b"] = v` on a local dict.
                                if let Err(why) = self.set_item(l, r, shadowed) {
                                    return Flow::Unfollowed(why);
                                }
                                continue;
                            }
                            if l.kind() != "identifier" || r.kind() == "assignment" {
                                return Flow::Unfollowed(
                                    "an assignment to something other than a local name".into(),
                                );
                            }
                            let name = self.text(l).to_string();
                            let v = self.eval(r);
                            let old = self.names.insert(name.clone(), v);
                            if !shadowed.iter().any(|(n, _)| *n == name) {
                                shadowed.push((name, old));
                            }
                        }
                        "call" => {
                            // `d.update({...})` / `d["a"].update(...)` on a
                            // local dict; any other call has effects.
                            if let Err(why) = self.update_item(e, shadowed) {
                                return Flow::Unfollowed(why);
                            }
                        }
                        _ => return Flow::Unfollowed("a statement with effects".into()),
                    }
                }
                "if_statement" => {
                    for (cond, body) in if_arms(s) {
                        let go = match cond {
                            None => true,
                            Some(cond) => {
                                let before = self.unknowns.len();
                                let v = self.eval(cond);
                                let unknown = self.unknowns[before..].iter().any(|u| !u.limit);
                                match v {
                                    Some(v) if !unknown => truthy(&v.kind),
                                    _ => {
                                        // A point, as at module level: each
                                        // arm is a variant (said once, TL012,
                                        // when it matters).
                                        let why = self.unknowns[before..]
                                            .iter()
                                            .find(|u| !u.limit)
                                            .map(|u| u.why.clone())
                                            .unwrap_or_else(|| "an expression".into());
                                        let limits: Vec<_> = self.unknowns[before..]
                                            .iter()
                                            .filter(|u| u.limit)
                                            .cloned()
                                            .collect();
                                        self.unknowns.truncate(before);
                                        self.unknowns.extend(limits);
                                        if !self.may_branch() {
                                            return Flow::Unfollowed(format!(
                                                "a condition it cannot decide: it reads {why}"
                                            ));
                                        }
                                        self.branch_on(cond, &why)
                                    }
                                }
                            }
                        };
                        if go {
                            match self.run_block(body, shadowed) {
                                Flow::Fell => break,
                                other => return other,
                            }
                        }
                    }
                }
                "for_statement" => match self.for_loop(s, shadowed) {
                    Flow::Fell => {}
                    other => return other,
                },
                "match_statement" => match self.match_statement(s, shadowed) {
                    Flow::Fell => {}
                    other => return other,
                },
                _ => return Flow::Unfollowed("a statement it does not follow".into()),
            }
        }
        Flow::Fell
    }

    /// `for x in ...:` inside an inlined function: over a known list,
    /// tuple, dict (its keys), `d.keys()` / `d.values()` / `d.items()`,
    /// unrolled (at most `MAX_LOOP` rounds), with `x` (or `k, v`) bound in
    /// each. `break` / `continue`, an unknown iterable or more rounds make
    /// the call unknown. The loop's `else` runs after it.
    fn for_loop(&mut self, s: Py<'_>, shadowed: &mut Vec<(String, Option<Option<Node>>)>) -> Flow {
        let (Some(left), Some(right), Some(body)) = (
            s.child_by_field_name("left"),
            s.child_by_field_name("right"),
            s.child_by_field_name("body"),
        ) else {
            return Flow::Unfollowed("a loop it does not follow".into());
        };
        let (jumps, changes_var) = super::relevance::loop_effects(left, body, self.src);
        if jumps {
            return Flow::Unfollowed("a loop with `break` / `continue`".into());
        }
        // Changing the loop variable's items would change the iterable's
        // objects (the same objects in Python; copies here): not followed.
        if changes_var {
            return Flow::Unfollowed("a loop that changes its items".into());
        }
        // `d.keys()`, `d.values()`, `d.items()` on a known dict.
        let method = (right.kind() == "call")
            .then(|| right.child_by_field_name("function"))
            .flatten()
            .filter(|f| f.kind() == "attribute")
            .and_then(|f| {
                let m = self.text(f.child_by_field_name("attribute")?);
                matches!(m, "keys" | "values" | "items")
                    .then(|| (m, f.child_by_field_name("object")))
            });
        let before = self.unknowns.len();
        let iterable = match method {
            Some((m, Some(obj))) => self.eval(obj).map(|v| (Some(m), v)),
            _ => self.eval(right).map(|v| (None, v)),
        };
        // Why it cannot be read goes in the call's TL012, not twice.
        let met = self.unknowns.split_off(before);
        let why = met.iter().find(|u| !u.limit).map(|u| u.why.clone());
        self.unknowns.extend(met.into_iter().filter(|u| u.limit));
        let iterable = if why.is_some() { None } else { iterable };
        let items: Vec<Node> = match iterable {
            Some((
                None,
                Node {
                    kind: NodeKind::Seq(items),
                    ..
                },
            )) => items,
            Some((
                m,
                Node {
                    kind: NodeKind::Map(entries),
                    ..
                },
            )) => entries
                .into_iter()
                .map(|(k, v)| {
                    let key = Node::new(NodeKind::Str(k.text), k.span);
                    match m {
                        Some("values") => v,
                        Some("items") => {
                            let at = v.span;
                            Node::new(NodeKind::Seq(vec![key, v]), at)
                        }
                        _ => key,
                    }
                })
                .collect(),
            _ => {
                return Flow::Unfollowed(match why {
                    Some(w) => format!("a loop over something it cannot read: {w}"),
                    None => "a loop over something it cannot read".into(),
                });
            }
        };
        if items.len() > super::MAX_LOOP {
            return Flow::Unfollowed(format!("a loop of more than {} rounds", super::MAX_LOOP));
        }
        for item in items {
            if !self.bind_loop_target(left, item, shadowed) {
                return Flow::Unfollowed("a loop target it does not follow".into());
            }
            match self.run_block(body, shadowed) {
                Flow::Fell => {}
                other => return other,
            }
        }
        match s
            .child_by_field_name("alternative")
            .and_then(|a| a.child_by_field_name("body"))
        {
            Some(b) => self.run_block(b, shadowed),
            None => Flow::Fell,
        }
    }

    /// Binds `x` or `k, v` to a loop item; `false` for another target.
    fn bind_loop_target(
        &mut self,
        left: Py<'_>,
        item: Node,
        shadowed: &mut Vec<(String, Option<Option<Node>>)>,
    ) -> bool {
        match left.kind() {
            "identifier" => {
                let name = self.text(left).to_string();
                shadow(self, shadowed, name, Some(item));
                true
            }
            "pattern_list" | "tuple_pattern" | "tuple" => {
                let mut c = left.walk();
                let parts: Vec<Py<'_>> = left.named_children(&mut c).collect();
                let NodeKind::Seq(values) = item.kind else {
                    return false;
                };
                if values.len() != parts.len() {
                    return false;
                }
                parts
                    .into_iter()
                    .zip(values)
                    .all(|(p, v)| self.bind_loop_target(p, v, shadowed))
            }
            _ => false,
        }
    }

    /// `match subject:` with `case` clauses of literal patterns (strings,
    /// numbers, `None`/`True`/`False`, `a | b`), a capture name or `_`, and
    /// guards it decides. A known subject runs the first case that matches;
    /// an unknown one is a point with one arm per case (while the statement
    /// being read may change a setting), each a variant.
    fn match_statement(
        &mut self,
        s: Py<'_>,
        shadowed: &mut Vec<(String, Option<Option<Node>>)>,
    ) -> Flow {
        let (Some(subject), Some(body)) = (
            s.child_by_field_name("subject"),
            s.child_by_field_name("body"),
        ) else {
            return Flow::Unfollowed("a `match` it does not follow".into());
        };
        let mut c = body.walk();
        let cases: Vec<Py<'_>> = body
            .named_children(&mut c)
            .filter(|n| n.kind() == "case_clause")
            .collect();
        let before = self.unknowns.len();
        let value = self.eval(subject);
        let met: Vec<_> = self.unknowns.split_off(before);
        let subject_text = one_line(self.text(subject));
        let value = match value {
            Some(v) if met.iter().all(|u| u.limit) => Some(v),
            _ => None,
        };
        self.unknowns
            .extend(met.iter().filter(|u| u.limit).cloned());
        let chosen = match &value {
            Some(v) => {
                let mut chosen = None;
                for (i, case) in cases.iter().enumerate() {
                    match self.case_matches(*case, v, shadowed) {
                        Some(true) => {
                            chosen = Some(i);
                            break;
                        }
                        Some(false) => {}
                        None => return Flow::Unfollowed("a `case` it does not follow".into()),
                    }
                }
                chosen
            }
            None => {
                let why = met
                    .iter()
                    .find(|u| !u.limit)
                    .map_or_else(|| "an expression".to_string(), |u| u.why.clone());
                if !self.may_branch() {
                    return Flow::Unfollowed(format!("a `match` it cannot decide: it reads {why}"));
                }
                self.undecided(subject, &why);
                let at = self.sp(subject);
                let mut arms: Vec<(String, Span)> = cases
                    .iter()
                    .map(|case| {
                        let pattern = (0..case.named_child_count())
                            .filter_map(|i| case.named_child(u32::try_from(i).ok()?))
                            .find(|p| p.kind() == "case_pattern")
                            .map(|p| one_line(self.text(p)))
                            .unwrap_or_default();
                        (format!("when {subject_text} matches {pattern}"), at)
                    })
                    .collect();
                // No case may match, unless one matches anything (`_`, a
                // capture name) without a guard.
                let irrefutable = cases.iter().any(|case| {
                    let pattern = (0..case.named_child_count())
                        .filter_map(|i| case.named_child(u32::try_from(i).ok()?))
                        .find(|p| p.kind() == "case_pattern");
                    case.child_by_field_name("guard").is_none()
                        && pattern.is_some_and(|p| match p.named_child(0) {
                            None => true,
                            Some(i) => i.kind() == "dotted_name" && i.named_child_count() == 1,
                        })
                });
                if !irrefutable {
                    arms.push((format!("when {subject_text} matches no case"), at));
                }
                let arm = self.choose(Point { arms });
                (arm < cases.len()).then_some(arm)
            }
        };
        let Some(i) = chosen else {
            return Flow::Fell;
        };
        match cases[i].child_by_field_name("consequence") {
            Some(block) => self.run_block(block, shadowed),
            None => Flow::Fell,
        }
    }

    /// Whether `case` matches the known `subject` (binding a capture name);
    /// `None` for a pattern or guard it does not follow.
    fn case_matches(
        &mut self,
        case: Py<'_>,
        subject: &Node,
        shadowed: &mut Vec<(String, Option<Option<Node>>)>,
    ) -> Option<bool> {
        let patterns: Vec<Py<'_>> = (0..case.named_child_count())
            .filter_map(|i| case.named_child(u32::try_from(i).ok()?))
            .filter(|p| p.kind() == "case_pattern")
            .collect();
        let [pattern] = patterns.as_slice() else {
            return None;
        };
        let matched = self.pattern_matches(*pattern, subject, shadowed)?;
        if !matched {
            return Some(false);
        }
        match case.child_by_field_name("guard") {
            None => Some(true),
            Some(guard) => {
                let cond = guard.named_child(0)?;
                let before = self.unknowns.len();
                let v = self.eval(cond);
                if self.unknowns.len() > before {
                    self.unknowns.truncate(before);
                    return None;
                }
                v.map(|v| truthy(&v.kind))
            }
        }
    }

    /// One pattern against a known subject (see [`Eval::match_statement`]).
    fn pattern_matches(
        &mut self,
        p: Py<'_>,
        subject: &Node,
        shadowed: &mut Vec<(String, Option<Option<Node>>)>,
    ) -> Option<bool> {
        let inner = match p.kind() {
            "case_pattern" => match p.named_child(0) {
                None => return Some(true), // `_`
                Some(i) => i,
            },
            _ => p,
        };
        match inner.kind() {
            "union_pattern" => {
                let mut c = inner.walk();
                let alts: Vec<Py<'_>> = inner.named_children(&mut c).collect();
                for a in alts {
                    if self.pattern_matches(a, subject, shadowed)? {
                        return Some(true);
                    }
                }
                Some(false)
            }
            "dotted_name" if inner.named_child_count() == 1 => {
                // A capture: always matches, binds the name.
                let name = self.text(inner).to_string();
                shadow(self, shadowed, name, Some(subject.clone()));
                Some(true)
            }
            "string" | "concatenated_string" | "integer" | "float" | "true" | "false" | "none" => {
                let before = self.unknowns.len();
                let v = self.eval(inner);
                if self.unknowns.len() > before {
                    self.unknowns.truncate(before);
                    return None;
                }
                Some(v.is_some_and(|v| py_eq(&v.kind, &subject.kind)))
            }
            _ => None,
        }
    }

    /// Whether the statement being read may change a setting, so that a
    /// condition in a function it calls may branch (found once per
    /// statement; star imports count as they may, see `relevance.rs`).
    fn may_branch(&mut self) -> bool {
        if let Some(b) = self.branching {
            return b;
        }
        let b = match self.statement {
            None => true,
            Some((m, start, end)) => {
                let modules = self.modules;
                match modules.get(m).and_then(|md| {
                    md.tree
                        .root_node()
                        .descendant_for_byte_range(start, end)
                        .map(|n| (n, md.text.as_str()))
                }) {
                    Some((n, src)) => {
                        let relevant = self.relevant.and_then(|cell| {
                            cell.get_or_init(|| super::relevance::relevant_names(modules))
                                .as_ref()
                        });
                        super::relevance::block_relevant(n, src, relevant, &|_| true)
                    }
                    None => true,
                }
            }
        };
        self.branching = Some(b);
        b
    }

    /// `d.update(m)` / `d["a"].update(m)` / `d.update(k=v)` inside an
    /// inlined function, on a known local dict: each entry set in place.
    fn update_item(
        &mut self,
        call: Py<'_>,
        shadowed: &mut Vec<(String, Option<Option<Node>>)>,
    ) -> Result<(), String> {
        let not_followed = || "a statement with effects".to_string();
        let f = call
            .child_by_field_name("function")
            .ok_or_else(not_followed)?;
        if f.kind() != "attribute"
            || f.child_by_field_name("attribute").map(|a| self.text(a)) != Some("update")
        {
            return Err(not_followed());
        }
        let obj = f.child_by_field_name("object").ok_or_else(not_followed)?;
        let (pos, kw) = self.args(call);
        let mut entries: Vec<(Key, Node)> = Vec::new();
        if let Some(&arg) = pos.first() {
            match self.eval(arg) {
                Some(Node {
                    kind: NodeKind::Map(m),
                    ..
                }) => entries = m,
                _ => return Err("an update with a value it cannot read".into()),
            }
        }
        for (k, v) in kw {
            let Some(v) = self.eval(v) else {
                return Err("an update with a value it cannot read".into());
            };
            let key = Key {
                text: self.text(k).to_string(),
                span: self.sp(k),
            };
            set_entry(&mut entries, key, v);
        }
        for (k, v) in entries {
            self.set_path(obj, Some(k), v, shadowed)?;
        }
        Ok(())
    }

    /// `d["a"]["b"] = v` inside an inlined function, where `d` is a known
    /// dict (keys created on the way, as nested dict literals would be).
    fn set_item(
        &mut self,
        l: Py<'_>,
        r: Py<'_>,
        shadowed: &mut Vec<(String, Option<Option<Node>>)>,
    ) -> Result<(), String> {
        // An unknown value is left out, as in a dict literal: its unknown
        // is recorded under its key (irrelevant keys are not reported).
        let key = l
            .child_by_field_name("subscript")
            .and_then(|k| self.string(k))
            .unwrap_or_default();
        let before = self.unknowns.len();
        let v = self.eval_keyed(&key, r);
        if !key.is_empty() {
            self.tag_unknowns(before, &key);
        }
        let Some(v) = v else {
            // The key now holds what cannot be read: removed, never the old
            // value kept as if it still held.
            self.remove_path(l, shadowed);
            return Ok(());
        };
        self.set_path(l, None, v, shadowed)
    }

    /// Sets `target[...][last] = v` where `target` is a local name or its
    /// subscripts (`last` `None`: the target's own last subscript is the key).
    fn set_path(
        &mut self,
        target: Py<'_>,
        last: Option<Key>,
        v: Node,
        shadowed: &mut Vec<(String, Option<Option<Node>>)>,
    ) -> Result<(), String> {
        let (name, mut keys) = self.subscript_keys(target)?;
        keys.extend(last);
        let Some(Some(mut root)) = self.names.get(&name).cloned() else {
            return Err(format!("an item assignment to `{name}`, not a known dict"));
        };
        if !set_at_path(&mut root, &keys, v) {
            return Err(format!(
                "an item assignment into `{name}`, not a dict there"
            ));
        }
        shadow(self, shadowed, name, Some(root));
        Ok(())
    }

    /// `d["a"]["b"]` (or `d`): the local name and the keys, each a string
    /// the evaluator knows; `Err` with why for anything else.
    fn subscript_keys(&mut self, target: Py<'_>) -> Result<(String, Vec<Key>), String> {
        let mut keys: Vec<Key> = Vec::new();
        let mut cur = target;
        while cur.kind() == "subscript" {
            let (Some(idx), Some(value)) = (
                cur.child_by_field_name("subscript"),
                cur.child_by_field_name("value"),
            ) else {
                return Err("an item assignment it does not follow".into());
            };
            let before = self.unknowns.len();
            let key = match self.eval(idx).map(|k| k.kind) {
                Some(NodeKind::Str(k)) => k,
                _ => {
                    self.unknowns.truncate(before);
                    return Err("an item assignment with a key it cannot read".into());
                }
            };
            keys.push(Key {
                text: key,
                span: self.sp(idx),
            });
            cur = value;
        }
        keys.reverse();
        if cur.kind() != "identifier" {
            return Err("an item assignment to something other than a local dict".into());
        }
        Ok((self.text(cur).to_string(), keys))
    }

    /// Removes `d[...][key]` from a known local dict, if there.
    fn remove_path(&mut self, l: Py<'_>, shadowed: &mut Vec<(String, Option<Option<Node>>)>) {
        let Ok((name, keys)) = self.subscript_keys(l) else {
            return;
        };
        let Some(Some(mut root)) = self.names.get(&name).cloned() else {
            return;
        };
        let Some((last, path)) = keys.split_last() else {
            return;
        };
        let mut node = &mut root;
        for k in path {
            let NodeKind::Map(entries) = &mut node.kind else {
                return;
            };
            let Some(pos) = entries.iter().position(|(kk, _)| kk.text == k.text) else {
                return;
            };
            node = &mut entries[pos].1;
        }
        if let NodeKind::Map(entries) = &mut node.kind {
            entries.retain(|(k, _)| k.text != last.text);
        }
        shadow(self, shadowed, name, Some(root));
    }

    /// The result of an inlined call, located at the call when it is a
    /// scalar (with the provenance it had: an environment read stays one).
    fn relocate(&mut self, mut v: Node, call: Py<'_>) -> Node {
        if matches!(v.kind, NodeKind::Map(_) | NodeKind::Seq(_)) {
            return v;
        }
        // A literal keeps its own place (the same for every call); a value
        // read from the environment depends on the call's arguments, so it
        // moves to the call, with its provenance.
        let Some(o) = self
            .origins
            .iter()
            .rev()
            .find(|(s, _)| *s == v.span)
            .map(|(_, o)| o.clone())
        else {
            return v;
        };
        let at = self.sp(call);
        // The call is what sets it for this setting: an environment read
        // made in the function is told at the call (variable and default
        // are the call's arguments).
        let o = match o {
            Origin::Env {
                var, value_from, ..
            } => Origin::Env {
                var,
                value_from,
                location: Location::new(self.file, super::eval::span(call)),
            },
            other => other,
        };
        self.origins.push((at, o));
        v.span = at;
        v
    }

    /// Whether a call has a `**spread` argument.
    fn has_spread_arg(&self, call: Py<'_>) -> bool {
        let Some(list) = call.child_by_field_name("arguments") else {
            return false;
        };
        let mut c = list.walk();
        list.named_children(&mut c)
            .any(|a| a.kind() == "dictionary_splat")
    }
}
