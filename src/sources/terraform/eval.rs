//! The folder of a Terraform file: its sibling `.tf` and `.tfvars` files
//! loaded and parsed, and the evaluation of the few expressions an adapter
//! may know without running Terraform: literals, `var.*` (a `variable`
//! block's `default`, overridden by `.tfvars` values), `local.*`, a `dynamic`
//! block's iterator, and string templates made of literal parts and those
//! references.
//!
//! Terraform's own rules followed here
//! (<https://developer.hashicorp.com/terraform/language/values/variables#variable-definition-precedence>):
//! `terraform.tfvars` is read first, then `*.auto.tfvars` in lexical order,
//! and a later file wins. Other `.tfvars` files are read only when named by
//! `-var-file`, which a linter cannot see: their values are taken after the
//! automatic ones, and a variable two of them set differently is unresolved.
//! Variable defaults and `.tfvars` values cannot refer to anything
//! (<https://developer.hashicorp.com/terraform/language/values/variables#default-values>),
//! so they are evaluated as literals.

use std::collections::BTreeMap;
use std::path::Path;

use hcl_edit::Span as _;
use hcl_edit::expr::{Expression, ObjectKey, TraversalOperator};
use hcl_edit::structure::{Block, Body};
use hcl_edit::template::Element;

use crate::diagnostic::{Diagnostic, Label};
use crate::rules::codes;
use crate::source::{FileId, Location, SourceMap, Span};

/// Most sibling files read from one folder (`.tf` and `.tfvars` together).
pub(super) const MAX_SIBLINGS: usize = 64;
/// Deepest chain of `local.*` references followed.
pub(super) const MAX_REF_DEPTH: usize = 16;
/// Most expression nodes evaluated for one file (a cap on hostile input:
/// huge lists referenced many times).
pub(super) const MAX_STEPS: usize = 200_000;
/// Most elements of one `for_each` or list followed.
pub(super) const MAX_ITEMS: usize = 1_000;

/// One parsed file of the folder.
pub(super) struct Parsed {
    pub id: FileId,
    /// The file name (last path component), for ordering and messages.
    pub name: String,
    /// The text, for numbers as written.
    pub text: String,
    pub body: Body,
}

/// How a `.tfvars` file is read by Terraform.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub(super) enum TfvarsKind {
    /// `terraform.tfvars`: read first.
    Terraform,
    /// `*.auto.tfvars`: read after it, in lexical order.
    Auto,
    /// Any other `.tfvars`: read only with `-var-file`.
    Named,
}

/// Which kind of file a path is, by name.
pub(super) fn tfvars_kind(name: &str) -> Option<TfvarsKind> {
    if name == "terraform.tfvars" {
        Some(TfvarsKind::Terraform)
    } else if name.ends_with(".auto.tfvars") {
        Some(TfvarsKind::Auto)
    } else if name.ends_with(".tfvars") {
        Some(TfvarsKind::Named)
    } else {
        None
    }
}

/// Parses `id`'s text; a syntax error becomes a TL001 diagnostic located at
/// the byte the parser stopped at, and `None`.
pub(super) fn parse(
    id: FileId,
    sources: &SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Option<Parsed> {
    let file = sources.get(id);
    let text = file.text().to_string();
    let name = file
        .path()
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    match hcl_edit::parser::parse_body(&text) {
        Ok(body) => Some(Parsed {
            id,
            name,
            text,
            body,
        }),
        Err(e) => {
            let mut start = e.location().offset().min(text.len());
            while !text.is_char_boundary(start) {
                start -= 1;
            }
            let end = text[start..]
                .chars()
                .next()
                .map_or(start, |c| start + c.len_utf8());
            diags.push(Diagnostic::new(
                codes::SYNTAX_ERROR,
                format!("not valid HCL: {}", e.message()),
                Label::at(
                    Location::new(id, Span::new(start, end)),
                    "Terraform stops here",
                ),
            ));
            None
        }
    }
}

/// Loads the `.tf` and `.tfvars` siblings of `main` (not `main` itself),
/// sorted by file name, at most [`MAX_SIBLINGS`]. Files the map refuses
/// (outside the root, over the size cap) are skipped: what they would set
/// stays unresolved. A sibling that does not parse is a TL001 diagnostic.
pub(super) fn load_siblings(
    main: &Path,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Parsed> {
    let dir = match main.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => Path::new(".").to_path_buf(),
    };
    if sources.check_dir(&dir).is_err() {
        return Vec::new();
    }
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let main_name = main.file_name();
    let mut names: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .filter(|n| Some(n.as_os_str()) != main_name)
        .filter(|n| {
            let s = n.to_string_lossy();
            s.ends_with(".tf") || s.ends_with(".tfvars")
        })
        .collect();
    names.sort();
    names.truncate(MAX_SIBLINGS);
    let mut out = Vec::new();
    for name in names {
        let path = dir.join(&name);
        if !path.is_file() {
            continue;
        }
        let Ok(id) = sources.load(&path) else {
            continue;
        };
        if let Some(p) = parse(id, sources, diags) {
            out.push(p);
        }
    }
    out
}

/// A value as far as it is known, with where it is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Val {
    /// A string, number or bool, as text (numbers as written), and where
    /// the text is (inside the quotes of a string).
    Text(String, Location),
    /// A list or tuple.
    List(Vec<Val>, Location),
    /// An object or map, in source order.
    Map(Vec<(String, Val)>, Location),
    /// `null`: as if the attribute were absent.
    Null(Location),
    /// Not knowable here, and why; located at the expression that hides it.
    Unknown(String, Location),
}

impl Val {
    /// Where the value is written.
    pub fn at(&self) -> Location {
        match self {
            Val::Text(_, l)
            | Val::List(_, l)
            | Val::Map(_, l)
            | Val::Null(l)
            | Val::Unknown(_, l) => *l,
        }
    }

    /// The entry `key` of a map.
    pub fn get(&self, key: &str) -> Option<&Val> {
        match self {
            Val::Map(items, _) => items.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The text of a string, number or bool.
    pub fn text(&self) -> Option<&str> {
        match self {
            Val::Text(t, _) => Some(t),
            _ => None,
        }
    }
}

/// A `variable` block and the `.tfvars` lines that set it.
#[derive(Default)]
struct VarDef<'a> {
    default: Option<(FileId, &'a Expression)>,
    /// `(kind, file name, file, value)` in Terraform's reading order.
    set_by: Vec<(TfvarsKind, &'a str, FileId, &'a Expression)>,
}

/// A resource block of the folder.
pub(super) struct Resource<'a> {
    pub kind: &'a str,
    pub name: &'a str,
    pub file: FileId,
    pub block: &'a Block,
}

/// What the folder declares: variables (with their `.tfvars` values),
/// locals and resources.
pub(super) struct Scope<'a> {
    vars: BTreeMap<&'a str, VarDef<'a>>,
    locals: BTreeMap<&'a str, (FileId, &'a Expression)>,
    texts: BTreeMap<FileId, &'a str>,
    /// Every resource of every `.tf` file of the folder.
    pub resources: Vec<Resource<'a>>,
}

/// The two labels of a `resource` block.
pub(super) fn resource_labels(block: &Block) -> Option<(&str, &str)> {
    if block.ident.as_str() != "resource" || block.labels.len() != 2 {
        return None;
    }
    Some((block.labels[0].as_str(), block.labels[1].as_str()))
}

impl<'a> Scope<'a> {
    /// The scope of `files` (the `.tf` ones declare, the `.tfvars` ones set).
    pub fn new(files: &'a [Parsed]) -> Self {
        let mut scope = Scope {
            vars: BTreeMap::new(),
            locals: BTreeMap::new(),
            texts: files.iter().map(|f| (f.id, f.text.as_str())).collect(),
            resources: Vec::new(),
        };
        let mut tfvars: Vec<&Parsed> = Vec::new();
        for f in files {
            if tfvars_kind(&f.name).is_some() {
                tfvars.push(f);
                continue;
            }
            for block in f.body.blocks() {
                match block.ident.as_str() {
                    "variable" if block.labels.len() == 1 => {
                        let def = scope.vars.entry(block.labels[0].as_str()).or_default();
                        if let Some(a) = block.body.get_attribute("default") {
                            def.default = Some((f.id, &a.value));
                        }
                    }
                    "locals" => {
                        for a in block.body.attributes() {
                            scope.locals.insert(a.key.as_str(), (f.id, &a.value));
                        }
                    }
                    "resource" => {
                        if let Some((kind, name)) = resource_labels(block) {
                            scope.resources.push(Resource {
                                kind,
                                name,
                                file: f.id,
                                block,
                            });
                        }
                    }
                    _ => {}
                }
            }
        }
        tfvars.sort_by(|a, b| {
            let ka = tfvars_kind(&a.name);
            let kb = tfvars_kind(&b.name);
            ka.cmp(&kb).then_with(|| a.name.cmp(&b.name))
        });
        for f in tfvars {
            let Some(kind) = tfvars_kind(&f.name) else {
                continue;
            };
            for a in f.body.attributes() {
                scope.vars.entry(a.key.as_str()).or_default().set_by.push((
                    kind,
                    f.name.as_str(),
                    f.id,
                    &a.value,
                ));
            }
        }
        scope
    }

    /// The resource `kind.name` of the folder.
    pub fn resource(&self, kind: &str, name: &str) -> Option<&Resource<'a>> {
        self.resources
            .iter()
            .find(|r| r.kind == kind && r.name == name)
    }
}

/// Evaluates expressions of one folder, within a step budget.
pub(super) struct Eval<'s, 'a> {
    scope: &'s Scope<'a>,
    /// Names bound by `dynamic` blocks (`parameter` -> `{key, value}`).
    bindings: Vec<(String, Val)>,
    /// `local.*` names being evaluated (cycle and depth check).
    stack: Vec<String>,
    steps: usize,
}

/// The span of `expr` in its file, quotes of a plain string left out.
fn expr_loc(expr: &Expression, file: FileId, text: &str) -> Location {
    let r = expr.span().unwrap_or(0..0);
    let mut span = Span::new(r.start, r.end);
    if matches!(expr, Expression::String(_) | Expression::StringTemplate(_)) {
        let s = text.get(r.clone()).unwrap_or("");
        if s.len() >= 2 && s.starts_with('"') && s.ends_with('"') {
            span = Span::new(r.start + 1, r.end - 1);
        }
    }
    Location::new(file, span)
}

impl<'s, 'a> Eval<'s, 'a> {
    /// An evaluator over `scope`.
    pub fn new(scope: &'s Scope<'a>) -> Self {
        Eval {
            scope,
            bindings: Vec::new(),
            stack: Vec::new(),
            steps: 0,
        }
    }

    /// Binds `name` (a `dynamic` block's iterator) while `f` runs.
    pub fn with_binding<T>(&mut self, name: &str, val: Val, f: impl FnOnce(&mut Self) -> T) -> T {
        self.bindings.push((name.to_string(), val));
        let out = f(self);
        self.bindings.pop();
        out
    }

    fn text_of(&self, file: FileId) -> &'a str {
        self.scope.texts.get(&file).copied().unwrap_or("")
    }

    /// The location of `expr` in `file` (inside the quotes of a string).
    pub fn loc(&self, expr: &Expression, file: FileId) -> Location {
        expr_loc(expr, file, self.text_of(file))
    }

    /// The source text of `expr`, shortened for messages.
    fn shown(&self, expr: &Expression, file: FileId) -> String {
        let r = expr.span().unwrap_or(0..0);
        let s = self.text_of(file).get(r).unwrap_or("").trim();
        let one_line: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
        if one_line.chars().count() > 60 {
            one_line.chars().take(57).collect::<String>() + "..."
        } else {
            one_line
        }
    }

    /// The value of `expr`, written in `file`.
    pub fn eval(&mut self, expr: &Expression, file: FileId) -> Val {
        self.eval_in(expr, file, false)
    }

    fn eval_in(&mut self, expr: &Expression, file: FileId, literal_only: bool) -> Val {
        let at = self.loc(expr, file);
        self.steps += 1;
        if self.steps > MAX_STEPS {
            return Val::Unknown(
                format!("not evaluated: more than {MAX_STEPS} expression steps in this folder"),
                at,
            );
        }
        match expr {
            Expression::Null(_) => Val::Null(at),
            Expression::Bool(b) => Val::Text(b.value().to_string(), at),
            Expression::Number(_) => Val::Text(
                self.text_of(file)
                    .get(at.span.start..at.span.end)
                    .unwrap_or("")
                    .to_string(),
                at,
            ),
            Expression::String(s) => Val::Text(s.value().clone(), at),
            Expression::Array(items) => {
                let vals = items
                    .iter()
                    .take(MAX_ITEMS)
                    .map(|e| self.eval_in(e, file, literal_only))
                    .collect();
                Val::List(vals, at)
            }
            Expression::Object(obj) => {
                let mut items = Vec::new();
                for (k, v) in obj.iter().take(MAX_ITEMS) {
                    let key = match k {
                        ObjectKey::Ident(id) => id.as_str().to_string(),
                        ObjectKey::Expression(e) => match self.eval_in(e, file, literal_only) {
                            Val::Text(t, _) => t,
                            _ => continue,
                        },
                    };
                    let val = self.eval_in(v.expr(), file, literal_only);
                    items.push((key, val));
                }
                Val::Map(items, at)
            }
            Expression::StringTemplate(t) => {
                let elements: Vec<&Element> = t.iter().collect();
                if let [Element::Interpolation(i)] = elements.as_slice() {
                    return self.eval_in(&i.expr, file, literal_only);
                }
                let mut out = String::new();
                for e in elements {
                    match e {
                        Element::Literal(l) => out.push_str(l.value()),
                        Element::Interpolation(i) => {
                            match self.eval_in(&i.expr, file, literal_only) {
                                Val::Text(t, _) => out.push_str(&t),
                                Val::Unknown(why, _) => return Val::Unknown(why, at),
                                _ => {
                                    return Val::Unknown(
                                        format!(
                                            "`{}` puts a list, map or null in a string",
                                            self.shown(expr, file)
                                        ),
                                        at,
                                    );
                                }
                            }
                        }
                        Element::Directive(_) => {
                            return Val::Unknown(
                                "a string template with %{ } directives, not evaluated".to_string(),
                                at,
                            );
                        }
                    }
                }
                Val::Text(out, at)
            }
            Expression::HeredocTemplate(_) => {
                Val::Unknown("a heredoc string, not evaluated".to_string(), at)
            }
            Expression::Parenthesis(p) => self.eval_in(p.inner(), file, literal_only),
            Expression::Traversal(t) => {
                let root = match &t.expr {
                    Expression::Variable(v) => v.as_str().to_string(),
                    _ => {
                        return Val::Unknown(
                            format!("`{}` is not evaluated", self.shown(expr, file)),
                            at,
                        );
                    }
                };
                let ops: Vec<&TraversalOperator> = t.operators.iter().map(|o| o.value()).collect();
                if literal_only {
                    return Val::Unknown(
                        format!(
                            "`{}`: variable defaults and .tfvars values cannot refer to anything",
                            self.shown(expr, file)
                        ),
                        at,
                    );
                }
                let (base, rest) = match (root.as_str(), ops.split_first()) {
                    ("var", Some((TraversalOperator::GetAttr(name), rest))) => {
                        (self.var(name.as_str(), at), rest)
                    }
                    ("local", Some((TraversalOperator::GetAttr(name), rest))) => {
                        (self.local(name.as_str(), at), rest)
                    }
                    (name, _) => match self.bindings.iter().rev().find(|(n, _)| n == name) {
                        Some((_, v)) => (v.clone(), ops.as_slice()),
                        None => {
                            return Val::Unknown(
                                format!(
                                    "`{}` is known only when Terraform runs",
                                    self.shown(expr, file)
                                ),
                                at,
                            );
                        }
                    },
                };
                self.traverse(base, rest, expr, file, at)
            }
            Expression::Variable(v) => {
                match self.bindings.iter().rev().find(|(n, _)| n == v.as_str()) {
                    Some((_, val)) => val.clone(),
                    None => Val::Unknown(format!("`{}` is not evaluated", v.as_str()), at),
                }
            }
            Expression::FuncCall(f) => Val::Unknown(
                format!(
                    "the function call `{}(…)`, not evaluated",
                    f.name.name.as_str()
                ),
                at,
            ),
            Expression::Conditional(_) => Val::Unknown(
                format!(
                    "the conditional `{}`, not evaluated",
                    self.shown(expr, file)
                ),
                at,
            ),
            // A negative number literal (`-1`) is written as an operation.
            Expression::UnaryOp(u) if matches!(u.expr, Expression::Number(_)) => {
                let text = self
                    .text_of(file)
                    .get(at.span.start..at.span.end)
                    .unwrap_or("");
                let compact: String = text.split_whitespace().collect();
                if compact.starts_with('-') {
                    Val::Text(compact, at)
                } else {
                    Val::Unknown(format!("the operation `{compact}`, not evaluated"), at)
                }
            }
            Expression::UnaryOp(_) | Expression::BinaryOp(_) => Val::Unknown(
                format!("the operation `{}`, not evaluated", self.shown(expr, file)),
                at,
            ),
            Expression::ForExpr(_) => {
                Val::Unknown("a `for` expression, not evaluated".to_string(), at)
            }
        }
    }

    /// Applies attribute and index steps to `base`.
    fn traverse(
        &mut self,
        base: Val,
        ops: &[&TraversalOperator],
        expr: &Expression,
        file: FileId,
        at: Location,
    ) -> Val {
        let mut cur = base;
        for op in ops {
            if let Val::Unknown(..) = cur {
                return cur;
            }
            let next = match op {
                TraversalOperator::GetAttr(k) => cur.get(k.as_str()).cloned(),
                TraversalOperator::Index(e) => match self.eval(e, file) {
                    Val::Text(k, _) => match &cur {
                        Val::List(items, _) => {
                            k.parse::<usize>().ok().and_then(|i| items.get(i)).cloned()
                        }
                        _ => cur.get(&k).cloned(),
                    },
                    Val::Unknown(why, _) => return Val::Unknown(why, at),
                    _ => None,
                },
                TraversalOperator::LegacyIndex(i) => match &cur {
                    Val::List(items, _) => usize::try_from(*i.value())
                        .ok()
                        .and_then(|i| items.get(i))
                        .cloned(),
                    _ => None,
                },
                TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                    return Val::Unknown(
                        format!("the splat `{}`, not evaluated", self.shown(expr, file)),
                        at,
                    );
                }
            };
            match next {
                Some(v) => cur = v,
                None => {
                    return Val::Unknown(
                        format!("`{}` names nothing in its value", self.shown(expr, file)),
                        at,
                    );
                }
            }
        }
        cur
    }

    /// `var.name`: the last `.tfvars` value, else the default.
    fn var(&mut self, name: &str, at: Location) -> Val {
        let scope = self.scope;
        let Some(def) = scope.vars.get(name) else {
            return Val::Unknown(format!("var.{name} is not declared in this folder"), at);
        };
        let named: Vec<_> = def
            .set_by
            .iter()
            .filter(|(k, ..)| *k == TfvarsKind::Named)
            .collect();
        if named.len() > 1 {
            let first = named[0];
            let differs = named.iter().find(|s| {
                let t0 = self.text_of(first.2).get(first.3.span().unwrap_or(0..0));
                let t1 = self.text_of(s.2).get(s.3.span().unwrap_or(0..0));
                t0 != t1
            });
            if let Some(other) = differs {
                return Val::Unknown(
                    format!(
                        "var.{name} is set differently by {} and {}; which one -var-file names is not known",
                        first.1, other.1
                    ),
                    at,
                );
            }
        }
        if let Some((_, _, file, expr)) = def.set_by.last() {
            return self.eval_in(expr, *file, true);
        }
        match def.default {
            Some((file, expr)) => match self.eval_in(expr, file, true) {
                Val::Null(_) => Val::Unknown(
                    format!("var.{name} defaults to null and no .tfvars sets it"),
                    at,
                ),
                v => v,
            },
            None => Val::Unknown(
                format!("var.{name} has no default and no .tfvars sets it"),
                at,
            ),
        }
    }

    /// `local.name`, following references at most [`MAX_REF_DEPTH`] deep.
    fn local(&mut self, name: &str, at: Location) -> Val {
        let scope = self.scope;
        let Some((file, expr)) = scope.locals.get(name).copied() else {
            return Val::Unknown(format!("local.{name} is not declared in this folder"), at);
        };
        let key = format!("local.{name}");
        if let Some(i) = self.stack.iter().position(|s| *s == key) {
            let chain = self.stack[i..].join(" -> ");
            return Val::Unknown(format!("{chain} -> {key} is a cycle"), at);
        }
        if self.stack.len() >= MAX_REF_DEPTH {
            return Val::Unknown(
                format!("{key}: references nested deeper than {MAX_REF_DEPTH}, not followed"),
                at,
            );
        }
        self.stack.push(key);
        let v = self.eval_in(expr, file, false);
        self.stack.pop();
        v
    }
}
