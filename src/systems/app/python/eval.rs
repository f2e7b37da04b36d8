//! Evaluation of Python expressions to spanned [`Node`]s, without running code.
//!
//! Literals (numbers, strings, implicit concatenation, `None`,
//! `True`/`False`, dicts, lists, tuples), arithmetic on them, module-level
//! names assigned earlier and their literal subscripts (`d["k"]`), and
//! environment reads (`os.environ.get("X", "600")`, `os.getenv`,
//! `os.environ["X"]`, `env.int("X", default=600)`, `env("X")`,
//! `config("X", cast=int)`), each possibly wrapped in `int()` / `float()` /
//! `bool()` (Python's: a non-empty string is true) / `str()`. Dicts are also
//! built with `dict(other, k=v, **more)`, `{**a, "k": v}` and `a | b`;
//! strings with f-strings, `%`, `.format()`, `+` and
//! `urllib.parse.quote_plus` / `quote` over known values (the secrets of a
//! URL built this way are recorded in [`Eval::secrets`]). `**spreads` in
//! calls are read by [`Eval::call_kwargs`]. Anything else is *unknown*: the
//! evaluator records it (span and source text) and returns `None`, never a
//! guess.
//!
//! The evaluator is safe on hostile input: it nests at most [`MAX_DEPTH`]
//! levels (deeper expressions, and values built from names that would end up
//! deeper, are recorded as unknown at the node where the cap was hit, never
//! evaluated), and copies at most [`MAX_COPIED`] units of values from names
//! per file (so `b = [a, a]; c = [b, b]; ...` cannot exhaust memory).

use std::collections::HashMap;

use super::syntax::Py;

use crate::env::EnvValues;
use crate::parse::tree::{Key, Node, NodeKind};
use crate::provenance::Origin;
use crate::source::{FileId, Location, Span};
use crate::systems::app::url::secret_ranges;

/// How many levels the evaluator nests. A level costs up to about 11.4 KiB of
/// stack in a debug build (`env.db("X", env.db("X", ...))`: `eval`, `call`,
/// `db_url_call`, `env_read`; 2.9 KiB for plain parentheses), so 256 levels
/// would overflow a 2 MiB test thread; 128 use at most about 1.5 MB (tested in
/// `tests.rs`), far less in a release build. A value deeper than this,
/// written or built from names, is unknown and never evaluated.
pub(super) const MAX_DEPTH: usize = 128;

/// How many value units (one per node, plus one per string byte) the
/// evaluator copies from names in one file; copies past it are unknown.
pub(super) const MAX_COPIED: usize = 500_000;

/// Spans of values read from imported modules live in one space: module
/// `i` (0 = the settings file) at `i << SPACE_BITS`. Files are far smaller
/// than 2^40 bytes (the read cap is a few MiB), so the spaces never overlap;
/// [`space_of`] maps a span back to its module and local bytes.
pub(super) const SPACE_BITS: u32 = 40;

/// The module index and local span of a span in the reader's span space.
pub(super) fn space_of(s: Span) -> (usize, Span) {
    let i = s.start >> SPACE_BITS;
    let base = i << SPACE_BITS;
    (
        i,
        Span::new(
            s.start - base,
            s.end.saturating_sub(base).max(s.start - base),
        ),
    )
}

/// An expression whose value cannot be known without running the code.
#[derive(Clone, Debug)]
pub struct Unknown {
    /// The expression.
    pub span: Span,
    /// Why, for the message (e.g. "a function call"); for a limit, the whole message.
    pub why: String,
    /// The innermost dict key or keyword the expression is the value of.
    pub key: Option<String>,
    /// The expression hit a safety limit ([`MAX_DEPTH`], [`MAX_COPIED`]):
    /// reported wherever it is, even outside settings.
    pub limit: bool,
}

/// What a variant assumes of an environment variable that has no value:
/// the branch taken at an undecided comparison (see `Reader::assume`).
#[derive(Clone, Debug, Default)]
pub(super) struct Assumed {
    /// It equals this string.
    pub eq: Option<String>,
    /// It equals none of these.
    pub ne: Vec<String>,
}

/// How an environment string is converted.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Cast {
    /// As the default's type (a string when there is no default).
    Auto,
    Int,
    Float,
    Bool,
    /// Python's builtin `bool()`: a string is true when not empty.
    PyBool,
    Str,
}

/// The evaluation context: the module text, known names and env values.
pub(super) struct Eval<'s> {
    pub src: &'s str,
    pub file: FileId,
    pub env: &'s EnvValues,
    /// Module-level names assigned so far (`None`: assigned, but unknown).
    pub names: HashMap<String, Option<Node>>,
    /// Origins of env-derived nodes, by span.
    pub origins: Vec<(Span, Origin)>,
    /// Unknowns met since the last [`Eval::take_unknowns`].
    pub unknowns: Vec<Unknown>,
    /// Names bound by `import` / `from ... import` anywhere in the file: the
    /// local name and the dotted name it stands for (`sa` -> `sqlalchemy`,
    /// `NP` -> `sqlalchemy.pool.NullPool`); see [`import_bindings`]. Where
    /// several imports bind a name, the first in the file wins.
    pub imports: HashMap<String, String>,
    /// The unknowns met building each name's value (a dict built with an
    /// unknown entry or spread): recorded again wherever the name is used,
    /// so a partial dict is never read as complete without a TL012.
    pub name_unknowns: HashMap<String, Vec<Unknown>>,
    /// Secrets in strings built by the evaluator (a password put into a URL
    /// by an f-string, `%`, `.format()`, `+`, `quote_plus`): masked at output.
    pub secrets: Vec<String>,
    /// pydantic `BaseSettings` classes read so far, by name: calling one
    /// builds the settings object (see [`super::pydantic`]).
    pub settings_classes: HashMap<String, super::pydantic::SettingsClass>,
    /// The settings file and the project modules it imports (for the
    /// bodies of functions to inline).
    pub modules: &'s [super::imports::Module],
    /// Module-level functions defined so far, by name (see [`super::inline`]).
    pub functions: HashMap<String, super::inline::FnRef>,
    /// Inlined calls being evaluated, and statements left to run in the
    /// outermost one (see [`super::inline`]).
    pub inline_depth: usize,
    pub inline_budget: usize,
    /// The arm to take at each undecided point met, in order (0 past its
    /// end), and the points met in this variant with the arm taken at each
    /// (see `points.rs`).
    pub choices: Vec<usize>,
    pub path: Vec<(super::Point, usize)>,
    /// The TL012 of each undecided condition (by its span), reported only
    /// when the condition changes what is found (see `merge_variants`).
    pub undecided: Vec<(Span, crate::diagnostic::Diagnostic)>,
    /// Whether an undecided condition in an inlined function may branch
    /// (the statement being read may change a setting); otherwise the call
    /// is unknown, as nothing it could change matters. `None` until asked
    /// (see [`Eval::may_branch`]).
    pub branching: Option<bool>,
    /// The statement being read: module index and byte range.
    pub statement: Option<(usize, usize, usize)>,
    /// The names that may reach a setting (see `relevance.rs`).
    pub relevant: Option<&'s std::cell::OnceCell<Option<std::collections::HashSet<String>>>>,
    /// What this variant assumes of environment variables with no value.
    pub assumed: HashMap<String, Assumed>,
    /// Fields of settings objects left out, by (object span, field): why.
    pub absent: HashMap<(Span, String), String>,
    /// Names imported from where the tool does not read (an installed
    /// package) or could not read, and why their value is unknown.
    pub imported: HashMap<String, String>,
    /// Added to every byte offset of the file being read, so spans of
    /// values from different modules never collide (see [`SPACE_BITS`]).
    pub base: usize,
    /// The current nesting of [`Eval::eval`] calls.
    depth: usize,
    /// Value units copied from names so far (see [`MAX_COPIED`]).
    copied: usize,
}

/// The byte span of a syntax tree node (see `syntax.rs`).
pub(super) fn span(n: Py<'_>) -> Span {
    Span::new(n.start_byte(), n.end_byte())
}

/// Structural equality of two nodes, spans ignored.
pub(super) fn same(a: &Node, b: &Node) -> bool {
    match (&a.kind, &b.kind) {
        (NodeKind::Map(x), NodeKind::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((ka, va), (kb, vb))| ka.text == kb.text && same(va, vb))
        }
        (NodeKind::Seq(x), NodeKind::Seq(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (x, y) => x == y,
    }
}

/// The depth of a value (a scalar is 1) and its size in copy units,
/// measured without recursion.
pub(super) fn measure(v: &Node) -> (usize, usize) {
    let mut depth = 0;
    let mut units = 0;
    let mut stack = vec![(v, 1)];
    while let Some((n, d)) = stack.pop() {
        depth = depth.max(d);
        units += 1;
        match &n.kind {
            NodeKind::Map(m) => {
                for (k, v) in m {
                    units += k.text.len();
                    stack.push((v, d + 1));
                }
            }
            NodeKind::Seq(s) => stack.extend(s.iter().map(|v| (v, d + 1))),
            NodeKind::Str(s) => units += s.len(),
            _ => {}
        }
    }
    (depth, units)
}

/// The TL012 message for an expression nested deeper than [`MAX_DEPTH`].
pub(super) fn too_deep_message() -> String {
    format!("expression nested deeper than {MAX_DEPTH} levels; not evaluated")
}

impl<'s> Eval<'s> {
    /// An evaluator for the module text `src` of `file`.
    pub fn new(src: &'s str, file: FileId, env: &'s EnvValues) -> Self {
        Eval {
            src,
            file,
            env,
            names: HashMap::new(),
            origins: Vec::new(),
            unknowns: Vec::new(),
            imports: HashMap::new(),
            name_unknowns: HashMap::new(),
            secrets: Vec::new(),
            imported: HashMap::new(),
            absent: HashMap::new(),
            assumed: HashMap::new(),
            branching: None,
            statement: None,
            relevant: None,
            choices: Vec::new(),
            path: Vec::new(),
            undecided: Vec::new(),
            modules: &[],
            functions: HashMap::new(),
            inline_depth: 0,
            inline_budget: 0,
            settings_classes: HashMap::new(),
            base: 0,
            depth: 0,
            copied: 0,
        }
    }

    /// Evaluates the value of the dict key or keyword `key`: a `poolclass` /
    /// `pool_class` value is a class reference ([`Eval::class_ref`]), any
    /// other value is [`Eval::eval`]ed.
    pub fn eval_keyed(&mut self, key: &str, n: Py<'_>) -> Option<Node> {
        if matches!(key, "poolclass" | "pool_class") {
            return self.class_ref(n);
        }
        self.eval(n)
    }

    /// A class reference (`NullPool`, `pool.NullPool`, `sa.pool.NullPool`)
    /// as the string of its dotted name, located at the reference: the first
    /// part is replaced by what an import bound it to (`from sqlalchemy.pool
    /// import NullPool as NP`: `NP` -> `sqlalchemy.pool.NullPool`), else kept
    /// as written. Names assigned in this file, and any other expression, are
    /// evaluated as usual. Which classes are known is decided by
    /// [`crate::systems::app::PoolClass::parse`].
    pub fn class_ref(&mut self, n: Py<'_>) -> Option<Node> {
        if !matches!(n.kind(), "identifier" | "attribute") {
            return self.eval(n);
        }
        let dotted: String = self.text(n).split_whitespace().collect();
        let (head, rest) = match dotted.split_once('.') {
            Some((h, r)) => (h, Some(r)),
            None => (dotted.as_str(), None),
        };
        if self.names.contains_key(head) {
            return self.eval(n);
        }
        let qualified = match (self.imports.get(head), rest) {
            (Some(q), Some(r)) => format!("{q}.{r}"),
            (Some(q), None) => q.clone(),
            (None, _) => dotted.clone(),
        };
        Some(Node::new(NodeKind::Str(qualified), self.sp(n)))
    }

    /// The span of `n` in the reader's span space: bytes of the file being
    /// read, offset by [`Eval::base`] (0 for the settings file itself; see
    /// [`SPACE_BITS`]).
    pub fn sp(&self, n: Py<'_>) -> Span {
        Span::new(n.start_byte() + self.base, n.end_byte() + self.base)
    }

    pub fn text(&self, n: Py<'_>) -> &'s str {
        self.src.get(n.start_byte()..n.end_byte()).unwrap_or("")
    }

    pub fn take_unknowns(&mut self) -> Vec<Unknown> {
        std::mem::take(&mut self.unknowns)
    }

    /// Sets the key of the unknowns recorded since `before` that have none.
    pub fn tag_unknowns(&mut self, before: usize, key: &str) {
        for u in self.unknowns.iter_mut().skip(before) {
            if u.key.is_none() {
                u.key = Some(key.to_string());
            }
        }
    }

    /// Clears the keys of the unknowns recorded since `before`.
    fn untag_since(&mut self, before: usize) {
        for u in self.unknowns.iter_mut().skip(before) {
            u.key = None;
        }
    }

    pub(super) fn unknown(&mut self, n: Py<'_>, why: impl Into<String>) -> Option<Node> {
        self.unknowns.push(Unknown {
            span: self.sp(n),
            why: why.into(),
            key: None,
            limit: false,
        });
        None
    }

    /// Records that a safety limit stopped the evaluation at `at`.
    fn limit(&mut self, at: Span, message: String) -> Option<Node> {
        self.unknowns.push(Unknown {
            span: at,
            why: message,
            key: None,
            limit: true,
        });
        None
    }

    /// Whether a copy of a value of `depth` levels and `units` copy units
    /// may be placed `above` levels deep; when not (deeper than
    /// [`MAX_DEPTH`], or the copy budget is spent), a limit is recorded at `at`.
    pub fn may_copy(&mut self, at: Span, above: usize, (depth, units): (usize, usize)) -> bool {
        if above + depth > MAX_DEPTH {
            self.limit(at, too_deep_message());
            return false;
        }
        if self.copied + units > MAX_COPIED {
            self.limit(
                at,
                format!(
                    "value too large to copy (more than {MAX_COPIED} units of values copied from names in this file); not evaluated"
                ),
            );
            return false;
        }
        self.copied += units;
        true
    }

    /// The function's dotted name of a call (`os.environ.get`), whitespace removed.
    pub fn callee(&self, call: Py<'_>) -> String {
        call.child_by_field_name("function")
            .map(|f| self.text(f).split_whitespace().collect())
            .unwrap_or_default()
    }

    /// Positional arguments and keyword arguments (name node, value node) of a call.
    #[allow(clippy::type_complexity)]
    pub fn args<'t>(&self, call: Py<'t>) -> (Vec<Py<'t>>, Vec<(Py<'t>, Py<'t>)>) {
        let mut pos = Vec::new();
        let mut kw = Vec::new();
        if let Some(list) = call.child_by_field_name("arguments") {
            let mut c = list.walk();
            for a in list.named_children(&mut c) {
                match a.kind() {
                    "keyword_argument" => {
                        if let (Some(k), Some(v)) = (
                            a.child_by_field_name("name"),
                            a.child_by_field_name("value"),
                        ) {
                            kw.push((k, v));
                        }
                    }
                    "comment" | "dictionary_splat" => {}
                    _ => pos.push(a),
                }
            }
        }
        (pos, kw)
    }

    /// The keyword arguments of a call, `**spreads` included, in the order
    /// written (a later one wins), except those named in `skip`. Each value
    /// is located where it is written (a spread's at the dict value). A
    /// spread that is not a known dict is recorded as one unknown at the
    /// spread, naming the call and the spread: every keyword it may pass is
    /// unknown, none is defaulted silently.
    /// Also says whether a spread was unknown.
    pub fn call_kwargs(&mut self, call: Py<'_>, skip: &[&str]) -> (Vec<(Key, Node)>, bool) {
        let mut entries: Vec<(Key, Node)> = Vec::new();
        let mut unknown_spread = false;
        let Some(list) = call.child_by_field_name("arguments") else {
            return (entries, false);
        };
        let callee = self.callee(call);
        let mut c = list.walk();
        let items: Vec<Py<'_>> = list.named_children(&mut c).collect();
        for a in items {
            match a.kind() {
                "keyword_argument" => {
                    let (Some(k), Some(v)) = (
                        a.child_by_field_name("name"),
                        a.child_by_field_name("value"),
                    ) else {
                        continue;
                    };
                    let key_text = self.text(k).to_string();
                    if skip.contains(&key_text.as_str()) {
                        continue;
                    }
                    let before = self.unknowns.len();
                    let value = self.eval_keyed(&key_text, v);
                    self.tag_unknowns(before, &key_text);
                    if let Some(value) = value {
                        let key = Key {
                            text: key_text,
                            span: self.sp(k),
                        };
                        set_entry(&mut entries, key, value);
                    }
                }
                "dictionary_splat" => {
                    let Some(inner) = a.named_child(0) else {
                        continue;
                    };
                    match self.spread(a, inner, &callee) {
                        Some(m) => {
                            for (k, v) in m {
                                if !skip.contains(&k.text.as_str()) {
                                    set_entry(&mut entries, k, v);
                                }
                            }
                        }
                        None => unknown_spread = true,
                    }
                }
                _ => {}
            }
        }
        (entries, unknown_spread)
    }

    /// The entries of `**inner` (the spread `at`) in a call to `callee` or
    /// a dict display; `None` (one unknown at the spread) when it is not a
    /// known dict.
    pub fn spread(&mut self, at: Py<'_>, inner: Py<'_>, callee: &str) -> Option<Vec<(Key, Node)>> {
        let before = self.unknowns.len();
        let v = self.eval(inner);
        if let Some(Node {
            kind: NodeKind::Map(m),
            ..
        }) = v
        {
            return Some(m);
        }
        // One unknown for the spread, with the inner reason; limits are kept.
        let inner_why = self
            .unknowns
            .get(before)
            .filter(|u| !u.limit)
            .map(|u| u.why.clone());
        let tail = self.unknowns.split_off(before);
        self.unknowns.extend(tail.into_iter().filter(|u| u.limit));
        let name = match inner.kind() {
            "identifier" | "attribute" => {
                let t: String = self.text(inner).split_whitespace().collect();
                format!("`**{}`", shorten(&t))
            }
            _ => "a `**` spread".to_string(),
        };
        let place = if callee.is_empty() {
            "in a dict".to_string()
        } else {
            format!("passed to `{}(...)`", shorten(callee))
        };
        let reason = match (v, inner_why) {
            (Some(_), _) => "not a dict".to_string(),
            (None, Some(w)) => w,
            (None, None) => "unknown".to_string(),
        };
        self.unknown(
            at,
            format!("{name} {place}, a spread of keywords that could not be read ({reason})"),
        );
        None
    }

    /// The value node of keyword `name`.
    pub fn kwarg<'t>(&self, kw: &[(Py<'t>, Py<'t>)], name: &str) -> Option<Py<'t>> {
        kw.iter()
            .find(|(k, _)| self.text(*k) == name)
            .map(|(_, v)| *v)
    }

    /// Evaluates an expression; `None` when unknown (recorded in `unknowns`).
    /// Nests at most [`MAX_DEPTH`] levels: deeper, the node is a limit.
    pub fn eval(&mut self, n: Py<'_>) -> Option<Node> {
        if self.depth >= MAX_DEPTH {
            return self.limit(self.sp(n), too_deep_message());
        }
        self.depth += 1;
        let v = self.eval_node(n);
        self.depth -= 1;
        v
    }

    fn eval_node(&mut self, n: Py<'_>) -> Option<Node> {
        let sp = self.sp(n);
        let kind = match n.kind() {
            "integer" => match parse_int(self.text(n)) {
                Some(i) => NodeKind::Int(i),
                None => return self.unknown(n, "an integer too large"),
            },
            "float" => match self.text(n).replace('_', "").parse::<f64>() {
                Ok(f) => NodeKind::Float(f),
                Err(_) => return self.unknown(n, "a number the tool cannot read"),
            },
            "true" => NodeKind::Bool(true),
            "false" => NodeKind::Bool(false),
            "none" => NodeKind::Null,
            "string" | "concatenated_string" => match self.string(n) {
                Some(s) => NodeKind::Str(s),
                None => {
                    let s = self.fstring(n)?;
                    return Some(self.composed(s, n));
                }
            },
            "parenthesized_expression" => {
                let inner = n.named_child(0)?;
                return self.eval(inner);
            }
            "dictionary" => return self.dict(n),
            "named_expression" => {
                // `(x := value)`: binds `x` (module level, or the function
                // being inlined) and is the value.
                let (Some(name), Some(value)) = (
                    n.child_by_field_name("name"),
                    n.child_by_field_name("value"),
                ) else {
                    return self.unknown(n, "an expression");
                };
                let v = self.eval(value);
                self.names.insert(self.text(name).to_string(), v.clone());
                return v;
            }
            "list" | "tuple" | "set" => {
                let mut items = Vec::new();
                let mut c = n.walk();
                for item in n.named_children(&mut c) {
                    if item.kind() == "comment" {
                        continue;
                    }
                    items.push(self.eval(item)?);
                }
                NodeKind::Seq(items)
            }
            "unary_operator" => {
                let arg = n.child_by_field_name("argument")?;
                let op = n
                    .child_by_field_name("operator")
                    .map(|o| self.text(o))
                    .unwrap_or("");
                let v = self.eval(arg)?;
                match (op, v.kind) {
                    ("-", NodeKind::Int(i)) => NodeKind::Int(i.checked_neg()?),
                    ("-", NodeKind::Float(f)) => NodeKind::Float(-f),
                    ("+", k @ (NodeKind::Int(_) | NodeKind::Float(_))) => k,
                    _ => return self.unknown(n, "an operation on a non-number"),
                }
            }
            "binary_operator" => return self.binary(n),
            "comparison_operator" => return self.compare(n),
            "not_operator" => {
                let arg = n.child_by_field_name("argument")?;
                let v = self.eval(arg)?;
                NodeKind::Bool(!truthy(&v.kind))
            }
            "boolean_operator" => return self.boolean(n),
            "conditional_expression" => return self.conditional(n),
            "identifier" => {
                let name = self.text(n);
                return match self.names.get(name) {
                    Some(Some(v)) => {
                        // `self.depth` counts this level: the value starts here.
                        // Its recorded unknowns are copied too: charged to the budget.
                        let (depth, units) = measure(v);
                        let extra = self.name_unknowns.get(name).map_or(0, Vec::len);
                        if self.may_copy(sp, self.depth - 1, (depth, units + extra)) {
                            if let Some(us) = self.name_unknowns.get(name) {
                                self.unknowns.extend(us.iter().cloned());
                            }
                            self.names.get(name).cloned().flatten()
                        } else {
                            None
                        }
                    }
                    Some(None) => {
                        // Why it is unknown, where that is written, when recorded.
                        let why = self.name_unknowns.get(name).cloned().unwrap_or_default();
                        if why.is_empty() || !self.may_copy(sp, self.depth - 1, (1, why.len())) {
                            self.unknown(n, format!("`{name}`, itself unknown"))
                        } else {
                            self.unknowns.extend(why);
                            None
                        }
                    }
                    None => match self.imported.get(name) {
                        Some(why) => {
                            let why = format!("`{name}`, {why}");
                            self.unknown(n, why)
                        }
                        None => {
                            self.unknown(n, format!("the name `{name}`, not assigned in this file"))
                        }
                    },
                };
            }
            "call" => return self.call(n),
            "subscript" => {
                if let Some((var, _)) = self.environ_subscript(n) {
                    return self.env_read(n, &var, None, Cast::Auto);
                }
                return self.index(n);
            }
            "attribute" => return self.attribute(n),
            "comment" => return None,
            _ => return self.unknown(n, "an expression"),
        };
        Some(Node::new(kind, sp))
    }

    fn dict(&mut self, n: Py<'_>) -> Option<Node> {
        let mut entries: Vec<(Key, Node)> = Vec::new();
        let mut c = n.walk();
        for item in n.named_children(&mut c) {
            match item.kind() {
                "pair" => {
                    let (Some(k), Some(v)) = (
                        item.child_by_field_name("key"),
                        item.child_by_field_name("value"),
                    ) else {
                        continue;
                    };
                    let key = match self.eval(k) {
                        Some(Node {
                            kind: NodeKind::Str(s),
                            ..
                        }) => s,
                        Some(Node {
                            kind: NodeKind::Int(i),
                            ..
                        }) => i.to_string(),
                        _ => continue,
                    };
                    let key = Key {
                        text: key,
                        span: self.sp(k),
                    };
                    let before = self.unknowns.len();
                    let value = self.eval_keyed(&key.text, v);
                    self.tag_unknowns(before, &key.text);
                    if let Some(value) = value {
                        set_entry(&mut entries, key, value);
                    }
                }
                "dictionary_splat" => {
                    let Some(inner) = item.named_child(0) else {
                        continue;
                    };
                    if let Some(m) = self.spread(item, inner, "") {
                        for (k, v) in m {
                            set_entry(&mut entries, k, v);
                        }
                    }
                }
                _ => {}
            }
        }
        Some(Node::new(NodeKind::Map(entries), self.sp(n)))
    }

    /// `d["k"]["j"]` / `s[0]` of a known name with literal indices: the
    /// entry (located where it was written), copied under the budget. The
    /// chain is walked without recursion; anything else is unknown.
    fn index(&mut self, n: Py<'_>) -> Option<Node> {
        let mut keys: Vec<Py<'_>> = Vec::new();
        let mut cur = n;
        while cur.kind() == "subscript" {
            let Some(idx) = cur.child_by_field_name("subscript") else {
                return self.unknown(n, "a subscript");
            };
            keys.push(idx);
            match cur.child_by_field_name("value") {
                Some(v) => cur = v,
                None => return self.unknown(n, "a subscript"),
            }
        }
        keys.reverse();
        let literal: Option<Vec<Result<String, i64>>> = keys
            .iter()
            .map(|&k| match k.kind() {
                "integer" => parse_int(self.text(k)).map(Err),
                // A name holding a known key (a loop variable).
                "identifier" => match self.names.get(self.text(k)) {
                    Some(Some(Node {
                        kind: NodeKind::Str(s),
                        ..
                    })) => Some(Ok(s.clone())),
                    Some(Some(Node {
                        kind: NodeKind::Int(i),
                        ..
                    })) => Some(Err(*i)),
                    _ => None,
                },
                _ => self.string(k).map(Ok),
            })
            .collect();
        let (Some(literal), "identifier") = (literal, cur.kind()) else {
            return self.unknown(n, "a subscript");
        };
        let name = self.text(cur);
        let Some(Some(root)) = self.names.get(name) else {
            return self.unknown(n, "a subscript of a name that is not a known dict or list");
        };
        // Walked by reference first: measured before anything is copied.
        let mut v = root;
        let mut missing = false;
        for k in &literal {
            let next = match (&v.kind, k) {
                (NodeKind::Map(m), Ok(k)) => m.iter().find(|(kk, _)| kk.text == *k).map(|(_, v)| v),
                (NodeKind::Seq(items), Err(i)) => {
                    usize::try_from(*i).ok().and_then(|i| items.get(i))
                }
                _ => None,
            };
            match next {
                Some(x) => v = x,
                None => {
                    missing = true;
                    break;
                }
            }
        }
        if missing {
            return self.unknown(n, "a subscript the tool cannot resolve (no such key)");
        }
        let size = measure(v);
        let found = v.clone();
        if self.may_copy(self.sp(n), self.depth - 1, size) {
            Some(found)
        } else {
            None
        }
    }

    fn binary(&mut self, n: Py<'_>) -> Option<Node> {
        let (Some(l), Some(r), Some(op)) = (
            n.child_by_field_name("left"),
            n.child_by_field_name("right"),
            n.child_by_field_name("operator"),
        ) else {
            return self.unknown(n, "an expression");
        };
        let op = self.text(op);
        let a = self.eval(l)?;
        let before = self.unknowns.len();
        let b = self.eval(r);
        if op == "%" {
            // `"..." % {"user": x}`: parts of a string, not settings; a
            // dict with an unknown entry is already reported.
            self.untag_since(before);
            if self.unknowns.len() > before {
                return None;
            }
        }
        let b = b?;
        if let (NodeKind::Str(fmt), "%") = (&a.kind, op) {
            return match percent_format(fmt, &b.kind) {
                Some(text) => Some(self.composed(text, n)),
                None => self.unknown(n, "a `%` format the tool does not evaluate"),
            };
        }
        match combine(op, a.kind, b.kind) {
            Some(NodeKind::Str(text)) => Some(self.composed(text, n)),
            Some(k) => Some(Node::new(k, self.sp(n))),
            None => self.unknown(n, "an operation the tool does not evaluate"),
        }
    }

    /// `a == b`, `a != b`, `<`, `<=`, `>`, `>=`, `in`, `not in`, `is`,
    /// `is not` (chained as Python does: `a < b < c`), on known values.
    /// `is` is only decided for `None`, `True` and `False`; anything the
    /// tool cannot compare exactly is unknown.
    fn compare(&mut self, n: Py<'_>) -> Option<Node> {
        let mut operands = Vec::new();
        let mut ops = Vec::new();
        let mut c = n.walk();
        for child in n.children(&mut c) {
            if child.is_named() {
                if child.kind() != "comment" {
                    operands.push(child);
                }
            } else {
                ops.push(
                    child
                        .kind()
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" "),
                );
            }
        }
        if operands.len() != ops.len() + 1 || ops.is_empty() {
            return self.unknown(n, "a comparison");
        }
        if let Some(decided) = self.compare_assumed(operands[0], &ops, &operands[1..]) {
            return Some(Node::new(NodeKind::Bool(decided), self.sp(n)));
        }
        // `"X" in os.environ`: whether the deploy sets X, when it is given.
        if let ([op], [l, r]) = (ops.as_slice(), operands.as_slice())
            && matches!(op.as_str(), "in" | "not in")
            && matches!(
                self.text(*r)
                    .split_whitespace()
                    .collect::<String>()
                    .as_str(),
                "os.environ" | "environ"
            )
        {
            let known = match l.kind() {
                "identifier" => match self.names.get(self.text(*l)) {
                    Some(Some(Node {
                        kind: NodeKind::Str(v),
                        ..
                    })) => Some(v.clone()),
                    _ => None,
                },
                _ => None,
            };
            let Some(var) = self.string(*l).or(known) else {
                return self.unknown(n, "a test of the environment with a name it cannot read");
            };
            let set = self.env.get(&var).is_some()
                || self.assumed.get(&var).is_some_and(|a| a.eq.is_some());
            if !set {
                return self.unknown(
                    n,
                    format!("whether environment variable {var} is set, which is not given"),
                );
            }
            return Some(Node::new(NodeKind::Bool(op == "in"), self.sp(n)));
        }
        let mut left = self.eval(operands[0])?;
        for (op, &right) in ops.iter().zip(&operands[1..]) {
            let r = self.eval(right)?;
            match compare_values(op, &left.kind, &r.kind) {
                Some(true) => left = r,
                Some(false) => return Some(Node::new(NodeKind::Bool(false), self.sp(n))),
                None => return self.unknown(n, "a comparison the tool cannot decide"),
            }
        }
        Some(Node::new(NodeKind::Bool(true), self.sp(n)))
    }

    /// `x.method(...)` with `method` one of `methods` and `x` known: the
    /// method and the value of `x`. `None`, with nothing recorded, for any
    /// other call or an unknown `x`.
    fn receiver(&mut self, n: Py<'_>, methods: &[&str]) -> Option<(&'s str, Node)> {
        let f = n.child_by_field_name("function")?;
        if f.kind() != "attribute" {
            return None;
        }
        let method = self.text(f.child_by_field_name("attribute")?);
        if !methods.contains(&method) {
            return None;
        }
        let obj = f.child_by_field_name("object")?;
        let before = self.unknowns.len();
        match self.eval(obj) {
            Some(v) if self.unknowns.len() == before => Some((method, v)),
            _ => {
                self.unknowns.truncate(before);
                None
            }
        }
    }

    /// `d.copy()` and `d.get(k)` / `d.get(k, default)` on a known dict.
    /// `None` when `n` is not such a call on a known dict (nothing recorded).
    fn map_method(&mut self, n: Py<'_>) -> Option<Option<Node>> {
        let (method, receiver) = self.receiver(n, &["copy", "get"])?;
        let Node {
            kind: NodeKind::Map(entries),
            span: at,
        } = receiver
        else {
            return None;
        };
        let (pos, kw) = self.args(n);
        if !kw.is_empty() {
            return Some(self.unknown(n, format!("`.{method}(...)` with keywords")));
        }
        match (method, pos.as_slice()) {
            ("copy", []) => Some(Some(Node::new(NodeKind::Map(entries), at))),
            ("get", [k, rest @ ..]) if rest.len() <= 1 => {
                let Some(NodeKind::Str(key)) = self.eval(*k).map(|k| k.kind) else {
                    return Some(self.unknown(n, "`.get(...)` with a key it cannot read"));
                };
                match entries.into_iter().find(|(kk, _)| kk.text == key) {
                    Some((_, v)) => Some(Some(v)),
                    None => match rest.first() {
                        Some(d) => Some(self.eval(*d)),
                        None => Some(Some(Node::new(NodeKind::Null, self.sp(n)))),
                    },
                }
            }
            _ => Some(self.unknown(n, format!("`.{method}(...)` with these arguments"))),
        }
    }

    /// pydantic's `MultiHostUrl.build(scheme=, username=, password=, host=,
    /// port=, path=, query=)` (also `PostgresDsn` / `MySQLDsn` / `AnyUrl`
    /// `.build`): the URL string from its known parts. `None` when `n` is
    /// not such a call.
    fn url_build(&mut self, n: Py<'_>, f: &str) -> Option<Option<Node>> {
        let (class, method) = f.rsplit_once('.')?;
        let class = class.rsplit('.').next().unwrap_or(class);
        if method != "build" || !(class.ends_with("Url") || class.ends_with("Dsn")) {
            return None;
        }
        let (pos, kw) = self.args(n);
        if !pos.is_empty() {
            return Some(self.unknown(n, format!("`{f}(...)` with positional arguments")));
        }
        let mut parts: Vec<(String, String)> = Vec::new();
        for (k, v) in kw {
            let key = self.text(k).to_string();
            match self.eval(v).map(|v| v.kind) {
                Some(NodeKind::Null) => {}
                Some(kind) => match py_str(&kind) {
                    Some(t) => parts.push((key, t)),
                    None => {
                        return Some(
                            self.unknown(n, format!("`{f}(...)` of a value it cannot write")),
                        );
                    }
                },
                None => return Some(None),
            }
        }
        let get = |k: &str| parts.iter().find(|(p, _)| p == k).map(|(_, v)| v.clone());
        let Some(scheme) = get("scheme") else {
            return Some(self.unknown(n, format!("`{f}(...)` without a scheme")));
        };
        let mut url = format!("{scheme}://");
        if let Some(user) = get("username").or_else(|| get("user")) {
            url.push_str(&url_quote(&user, "", false));
            if let Some(pw) = get("password") {
                url.push(':');
                url.push_str(&url_quote(&pw, "", false));
            }
            url.push('@');
        }
        url.push_str(&get("host").unwrap_or_default());
        if let Some(port) = get("port") {
            url.push(':');
            url.push_str(&port);
        }
        if let Some(path) = get("path") {
            if !path.starts_with('/') {
                url.push('/');
            }
            url.push_str(&path);
        }
        if let Some(q) = get("query") {
            url.push('?');
            url.push_str(&q);
        }
        Some(Some(self.composed(url, n)))
    }

    /// `s.lower()`, `s.upper()`, `s.strip()` (and `lstrip` / `rstrip`),
    /// `s.startswith(x)`, `s.endswith(x)`, `s.replace(a, b)` on a known
    /// string, as Python computes them. `None` when `n` is not such a call
    /// on a known string (nothing recorded); `Some(None)` when an argument
    /// is unknown.
    fn str_method(&mut self, n: Py<'_>) -> Option<Option<Node>> {
        let (method, receiver) = self.receiver(
            n,
            &[
                "lower",
                "upper",
                "strip",
                "lstrip",
                "rstrip",
                "startswith",
                "endswith",
                "replace",
            ],
        )?;
        let NodeKind::Str(text) = receiver.kind else {
            return None;
        };
        let (pos, kw) = self.args(n);
        if !kw.is_empty() {
            return Some(self.unknown(n, format!("`.{method}(...)` with keywords")));
        }
        let mut args = Vec::new();
        for &p in &pos {
            match self.eval(p).map(|v| v.kind) {
                Some(NodeKind::Str(a)) => args.push(a),
                Some(_) => {
                    return Some(self.unknown(n, format!("`.{method}(...)` of a non-string")));
                }
                None => return Some(None),
            }
        }
        let kind = match (method, args.as_slice()) {
            ("lower", []) => NodeKind::Str(text.to_lowercase()),
            ("upper", []) => NodeKind::Str(text.to_uppercase()),
            ("strip", []) => NodeKind::Str(text.trim().to_string()),
            ("lstrip", []) => NodeKind::Str(text.trim_start().to_string()),
            ("rstrip", []) => NodeKind::Str(text.trim_end().to_string()),
            ("strip", [cs]) => NodeKind::Str(text.trim_matches(|c| cs.contains(c)).to_string()),
            ("lstrip", [cs]) => {
                NodeKind::Str(text.trim_start_matches(|c| cs.contains(c)).to_string())
            }
            ("rstrip", [cs]) => {
                NodeKind::Str(text.trim_end_matches(|c| cs.contains(c)).to_string())
            }
            ("startswith", [a]) => NodeKind::Bool(text.starts_with(a.as_str())),
            ("endswith", [a]) => NodeKind::Bool(text.ends_with(a.as_str())),
            ("replace", [a, b]) if !a.is_empty() => NodeKind::Str(text.replace(a.as_str(), b)),
            _ => return Some(self.unknown(n, format!("`.{method}(...)` with these arguments"))),
        };
        Some(Some(match kind {
            NodeKind::Str(t) => self.composed(t, n),
            k => Node::new(k, self.sp(n)),
        }))
    }

    /// `Settings(...)` of a pydantic settings class: each field from the
    /// call's keywords, else its environment variable (converted by its
    /// annotation), else its default; a required field with neither is left
    /// out (a use of it is unknown). See [`super::pydantic`].
    pub(super) fn settings_object(
        &mut self,
        n: Py<'_>,
        class: &super::pydantic::SettingsClass,
    ) -> Option<Node> {
        let (_, kw) = self.args(n);
        let mut entries: Vec<(Key, Node)> = Vec::new();
        for f in &class.fields {
            let key = Key {
                text: f.name.clone(),
                span: f.span,
            };
            if let Some(v) = self.kwarg(&kw, &f.name) {
                if let Some(v) = self.eval_keyed(&f.name, v) {
                    entries.push((key, v));
                }
                continue;
            }
            let var = class.env_names(f);
            let found = if class.case_sensitive {
                self.env.get(&var).map(|(v, from)| (var.clone(), v, from))
            } else {
                self.env
                    .get_ignore_case(&var)
                    .map(|(name, v, from)| (name.to_string(), v, from))
            };
            match found {
                Some((name, value, from)) => {
                    match convert(&NodeKind::Str(value.to_string()), f.cast) {
                        Some(kind) => {
                            self.origins.push((
                                f.span,
                                Origin::Env {
                                    var: name,
                                    value_from: Some(from.to_string()),
                                    location: f.location,
                                },
                            ));
                            entries.push((key, Node::new(kind, f.span)));
                        }
                        None => {
                            let at = self.sp(n);
                            self.absent.insert(
                                (at, f.name.clone()),
                                format!(
                                    "environment variable {name}, whose value given in {from} is not valid for the field `{}`",
                                    f.name
                                ),
                            );
                        }
                    }
                }
                None => {
                    if f.default.is_none() {
                        let at = self.sp(n);
                        self.absent.insert(
                            (at, f.name.clone()),
                            format!(
                                "environment variable {var}, which the required field `{}` reads and which has no deploy-time value",
                                f.name
                            ),
                        );
                    }
                    if let Some(d) = &f.default {
                        if !matches!(d.kind, NodeKind::Map(_) | NodeKind::Seq(_)) {
                            self.origins.push((
                                d.span,
                                Origin::Env {
                                    var: var.clone(),
                                    value_from: None,
                                    location: f.location,
                                },
                            ));
                        }
                        entries.push((key, d.clone()));
                    }
                }
            }
        }
        // Computed properties, on the object with its fields: what they
        // cannot build is left out, with why (not a TL012 on every use of
        // the object).
        let at = self.sp(n);
        for (name, name_at, f) in &class.computed {
            let before = self.unknowns.len();
            let this = Node::new(NodeKind::Map(entries.clone()), at);
            let v = self.call_with(n, name, *f, vec![Some(this)], Vec::new());
            let met = self.unknowns.split_off(before);
            match v {
                Some(v) if met.iter().all(|u| u.limit) => {
                    set_entry(
                        &mut entries,
                        Key {
                            text: name.clone(),
                            span: *name_at,
                        },
                        v,
                    );
                }
                _ => {
                    let why = met
                        .iter()
                        .find(|u| !u.limit)
                        .map_or_else(|| "an expression".to_string(), |u| u.why.clone());
                    self.absent.insert(
                        (at, name.clone()),
                        format!("the computed property `{name}`, which reads {why}"),
                    );
                }
            }
            self.unknowns.extend(met.into_iter().filter(|u| u.limit));
        }
        Some(Node::new(NodeKind::Map(entries), at))
    }

    /// `module.NAME` / `settings.FIELD`: an entry of a namespace the reader
    /// built (an imported project module, a settings object); anything else
    /// is unknown.
    fn attribute(&mut self, n: Py<'_>) -> Option<Node> {
        // `a.b.c`: the root name and the attributes, walked without recursion.
        let mut attrs = Vec::new();
        let mut cur = n;
        while cur.kind() == "attribute" {
            let (Some(obj), Some(attr)) = (
                cur.child_by_field_name("object"),
                cur.child_by_field_name("attribute"),
            ) else {
                return self.unknown(n, "an attribute lookup");
            };
            attrs.push(attr);
            cur = obj;
        }
        if cur.kind() == "call" && !attrs.is_empty() {
            // `Settings().FIELD`: the object the call builds, if known.
            let value = self.eval(cur)?;
            return self.attributes_of(n, value, attrs);
        }
        if cur.kind() != "identifier" {
            return self.unknown(n, "an attribute lookup");
        }
        let root = self.text(cur);
        if !matches!(self.names.get(root), Some(Some(_))) {
            if self.imported.contains_key(root) {
                return self.eval(cur);
            }
            return self.unknown(n, "an attribute lookup");
        }
        let value = self.eval(cur)?;
        self.attributes_of(n, value, attrs)
    }

    /// `value.a.b` for the attributes `attrs` (innermost last), through
    /// mappings the reader built.
    fn attributes_of(&mut self, n: Py<'_>, mut value: Node, attrs: Vec<Py<'_>>) -> Option<Node> {
        for attr in attrs.into_iter().rev() {
            let name = self.text(attr);
            let at = value.span;
            value = match value.kind {
                NodeKind::Map(entries) => match entries.into_iter().find(|(k, _)| k.text == name) {
                    Some((_, v)) => v,
                    None => {
                        let why = match self.absent.get(&(at, name.to_string())) {
                            Some(w) => w.clone(),
                            None => format!("`{}`, not set where it is defined", self.text(n)),
                        };
                        return self.unknown(n, why);
                    }
                },
                _ => return self.unknown(n, "an attribute lookup"),
            };
        }
        Some(value)
    }

    /// `os.getenv("V") == "x"` (or `!=`, `in`, `not in` a list of string
    /// literals) decided by what this variant assumes `V` is not; `None`
    /// when it does not decide it.
    fn compare_assumed(&self, left: Py<'_>, ops: &[String], right: &[Py<'_>]) -> Option<bool> {
        let ([op], [r]) = (ops, right) else {
            return None;
        };
        let (var, None) = self.env_call(left)? else {
            return None;
        };
        if self.env.get(&var).is_some() {
            return None;
        }
        let a = self.assumed.get(&var)?;
        let lits: Vec<String> = match r.kind() {
            "list" | "tuple" | "set" => {
                let mut c = r.walk();
                let items: Vec<Py<'_>> = r.named_children(&mut c).collect();
                let lits: Vec<String> = items.iter().filter_map(|i| self.string(*i)).collect();
                (lits.len() == items.len()).then_some(lits)?
            }
            _ => vec![self.string(*r)?],
        };
        let none_equal = lits.iter().all(|l| a.ne.contains(l));
        match op.as_str() {
            "==" | "in" if none_equal => Some(false),
            "!=" | "not in" if none_equal => Some(true),
            _ => None,
        }
    }

    /// `a and b` / `a or b`, with Python's short-circuit: the value of the
    /// operand that decides (so `os.environ.get("X") or "default"`).
    fn boolean(&mut self, n: Py<'_>) -> Option<Node> {
        let (Some(l), Some(r), Some(op)) = (
            n.child_by_field_name("left"),
            n.child_by_field_name("right"),
            n.child_by_field_name("operator"),
        ) else {
            return self.unknown(n, "an expression");
        };
        let is_and = self.text(op) == "and";
        let a = self.eval(l)?;
        if truthy(&a.kind) != is_and {
            return Some(a);
        }
        self.eval(r)
    }

    /// `a if cond else b`: the branch the condition picks, when it is known.
    fn conditional(&mut self, n: Py<'_>) -> Option<Node> {
        let mut c = n.walk();
        let parts: Vec<Py<'_>> = n
            .named_children(&mut c)
            .filter(|p| p.kind() != "comment")
            .collect();
        let [body, cond, other] = parts.as_slice() else {
            return self.unknown(n, "an expression");
        };
        let decided = self.eval(*cond)?;
        if truthy(&decided.kind) {
            self.eval(*body)
        } else {
            self.eval(*other)
        }
    }

    /// A string the evaluator built, located at `n`; the secrets of a URL
    /// in it (its password, password-like query values) are recorded in
    /// [`Eval::secrets`], encoded and decoded.
    fn composed(&mut self, text: String, n: Py<'_>) -> Node {
        if text.contains("://") {
            for r in secret_ranges(&text) {
                let Some(v) = text.get(r) else { continue };
                for form in [v.to_string(), unquote_plus(v)] {
                    if !form.is_empty() && !self.secrets.contains(&form) {
                        self.secrets.push(form);
                    }
                }
            }
        }
        Node::new(NodeKind::Str(text), self.sp(n))
    }

    /// An f-string (or an implicit concatenation with one) whose
    /// interpolations are known values with no format spec or conversion.
    fn fstring(&mut self, n: Py<'_>) -> Option<String> {
        if n.kind() == "concatenated_string" {
            let mut out = String::new();
            let mut c = n.walk();
            let parts: Vec<Py<'_>> = n.named_children(&mut c).collect();
            for part in parts {
                if part.kind() == "string" {
                    match self.string(part) {
                        Some(t) => out.push_str(&t),
                        None => out.push_str(&self.fstring(part)?),
                    }
                }
            }
            return Some(out);
        }
        let prefix: String = self
            .text(n)
            .chars()
            .take_while(|c| c.is_ascii_alphabetic())
            .collect::<String>()
            .to_ascii_lowercase();
        let raw = prefix.contains('r');
        let mut out = String::new();
        let mut c = n.walk();
        let parts: Vec<Py<'_>> = n.named_children(&mut c).collect();
        for part in parts {
            match part.kind() {
                "string_content" => self.push_content(part, raw, &mut out),
                "escape_sequence" => out.push_str(&unescape(self.text(part))),
                "interpolation" => {
                    if part.child_by_field_name("type_conversion").is_some()
                        || part.child_by_field_name("format_specifier").is_some()
                    {
                        self.unknown(part, "an f-string value with a conversion or format spec");
                        return None;
                    }
                    let e = part.child_by_field_name("expression")?;
                    let v = self.eval(e)?;
                    match py_str(&v.kind) {
                        Some(t) => out.push_str(&t),
                        None => {
                            self.unknown(part, "an f-string value the tool cannot format");
                            return None;
                        }
                    }
                }
                _ => {}
            }
        }
        Some(out)
    }

    /// `"...".format(...)` / `name.format(...)` on a known string, and
    /// `urllib.parse.quote_plus(...)` / `quote(...)`; `None` when `n` is
    /// neither, `Some(None)` when it is but a value is unknown.
    fn string_call(&mut self, n: Py<'_>, f: &str) -> Option<Option<Node>> {
        let func = n.child_by_field_name("function")?;
        let (pos, kw) = self.args(n);
        if func.kind() == "attribute"
            && func.child_by_field_name("attribute").map(|a| self.text(a)) == Some("format")
        {
            let obj = func.child_by_field_name("object")?;
            let fmt = match self.eval(obj) {
                Some(Node {
                    kind: NodeKind::Str(t),
                    ..
                }) => t,
                Some(_) => {
                    return Some(self.unknown(n, "`.format()` of a value that is not a string"));
                }
                None => return Some(None),
            };
            let mut args = Vec::new();
            for &a in &pos {
                if a.kind() == "list_splat" {
                    return Some(self.unknown(a, "a `*` spread in `.format()`"));
                }
                match self.eval(a) {
                    Some(v) => args.push(v.kind),
                    None => return Some(None),
                }
            }
            let before = self.unknowns.len();
            let (named, _) = self.call_kwargs(n, &[]);
            if self.unknowns.len() > before {
                // Parts of a string, not settings: the key is the string's.
                self.untag_since(before);
                return Some(None);
            }
            return Some(match brace_format(&fmt, &args, &named) {
                Some(text) => Some(self.composed(text, n)),
                None => self.unknown(n, "a `.format()` the tool does not evaluate"),
            });
        }
        let (head, rest) = match f.split_once('.') {
            Some((h, r)) => (h, Some(r)),
            None => (f, None),
        };
        let qualified = match (self.imports.get(head), rest) {
            (Some(q), Some(r)) => format!("{q}.{r}"),
            (Some(q), None) => q.clone(),
            (None, _) => f.to_string(),
        };
        let plus = match qualified.as_str() {
            "urllib.parse.quote_plus" => true,
            "urllib.parse.quote" => false,
            _ => return None,
        };
        let Some(&arg) = pos.first() else {
            return Some(self.unknown(n, "a call without argument"));
        };
        let safe_node = pos.get(1).copied().or_else(|| self.kwarg(&kw, "safe"));
        let safe = match safe_node {
            Some(s) => match self.string(s) {
                Some(t) => t,
                None => return Some(self.unknown(s, "a `safe` argument that is not a literal")),
            },
            None if plus => String::new(),
            None => "/".to_string(),
        };
        if pos.len() > 2 || kw.iter().any(|(k, _)| self.text(*k) != "safe") {
            return Some(self.unknown(n, "a quoting call with arguments the tool does not read"));
        }
        let Some(v) = self.eval(arg) else {
            return Some(None);
        };
        Some(match v.kind {
            NodeKind::Str(t) => Some(self.composed(url_quote(&t, &safe, plus), n)),
            _ => self.unknown(n, "a quoting call on a value that is not a string"),
        })
    }

    /// The value of a string literal or implicit concatenation; `None` for
    /// f-strings with expressions.
    pub fn string(&self, n: Py<'_>) -> Option<String> {
        if !matches!(n.kind(), "string" | "concatenated_string") {
            return None;
        }
        if n.kind() == "concatenated_string" {
            let mut out = String::new();
            let mut c = n.walk();
            for part in n.named_children(&mut c) {
                if part.kind() == "string" {
                    out.push_str(&self.string(part)?);
                }
            }
            return Some(out);
        }
        let raw_prefix = self
            .text(n)
            .chars()
            .take_while(|c| c.is_ascii_alphabetic())
            .any(|c| c == 'r' || c == 'R');
        let mut out = String::new();
        let mut c = n.walk();
        for part in n.named_children(&mut c) {
            match part.kind() {
                "string_content" => self.push_content(part, raw_prefix, &mut out),
                "escape_sequence" => out.push_str(&unescape(self.text(part))),
                "interpolation" => return None,
                _ => {}
            }
        }
        Some(out)
    }

    /// Appends the text of a `string_content` node, its escape sequences
    /// (separate nodes inside it) decoded unless the string is raw, and an
    /// f-string's `{{` / `}}` as one brace.
    fn push_content(&self, part: Py<'_>, raw: bool, out: &mut String) {
        let mut pos = part.start_byte();
        // Most contents have no escapes: no cursor for them.
        if part.named_child_count() > 0 {
            let mut c = part.walk();
            for esc in part.named_children(&mut c) {
                out.push_str(self.src.get(pos..esc.start_byte()).unwrap_or(""));
                match self.text(esc) {
                    "{{" => out.push('{'),
                    "}}" => out.push('}'),
                    t if raw => out.push_str(t),
                    t => out.push_str(&unescape(t)),
                }
                pos = esc.end_byte();
            }
        }
        out.push_str(self.src.get(pos..part.end_byte()).unwrap_or(""));
    }

    /// `os.environ["X"]`: the variable name.
    fn environ_subscript(&self, n: Py<'_>) -> Option<(String, ())> {
        let value = n.child_by_field_name("value")?;
        let t: String = self.text(value).split_whitespace().collect();
        if t != "os.environ" && t != "environ" {
            return None;
        }
        let idx = n.child_by_field_name("subscript")?;
        Some((self.string(idx)?, ()))
    }

    fn call(&mut self, n: Py<'_>) -> Option<Node> {
        let f = self.callee(n);
        let (pos, kw) = self.args(n);
        if let Some(class) = self.settings_classes.get(&f).cloned() {
            return self.settings_object(n, &class);
        }
        let cast = match f.as_str() {
            "int" => Some(Cast::Int),
            "float" => Some(Cast::Float),
            "bool" => Some(Cast::PyBool),
            "str" => Some(Cast::Str),
            _ => None,
        };
        if let Some(cast) = cast {
            let Some(&arg) = pos.first() else {
                return self.unknown(n, "a call without argument");
            };
            if pos.len() == 1
                && kw.is_empty()
                && let Some((var, default)) = self.env_call(arg)
            {
                return self.env_read(n, &var, default, cast);
            }
            let v = self.eval(arg)?;
            return match convert(&v.kind, cast) {
                Some(k) => {
                    // A converted environment value is still that value.
                    let at = self.sp(n);
                    if let Some((_, o)) = self.origins.iter().rev().find(|(s, _)| *s == v.span) {
                        let o = o.clone();
                        self.origins.push((at, o));
                    }
                    Some(Node::new(k, at))
                }
                None => self.unknown(n, format!("`{f}(...)` of a value it rejects")),
            };
        }
        if let Some(v) = self.string_call(n, &f) {
            return v;
        }
        if f == "dict" && pos.len() <= 1 {
            // `dict(other, a=1, **more)`: a copy of `other`, then the keywords.
            let mut entries = Vec::new();
            if let Some(&first) = pos.first() {
                match self.eval(first) {
                    Some(Node {
                        kind: NodeKind::Map(m),
                        ..
                    }) => entries = m,
                    Some(Node {
                        kind: NodeKind::Seq(items),
                        ..
                    }) => match pairs(items) {
                        Some(m) => entries = m,
                        None => {
                            self.unknown(
                                first,
                                "`dict(...)` of a sequence that is not of key-value pairs",
                            );
                        }
                    },
                    Some(_) => {
                        self.unknown(first, "`dict(...)` of a value that is not a mapping");
                    }
                    None => {}
                }
            }
            let (more, _) = self.call_kwargs(n, &[]);
            for (k, v) in more {
                set_entry(&mut entries, k, v);
            }
            return Some(Node::new(NodeKind::Map(entries), self.sp(n)));
        }
        if let Some(node) = self.db_url_call(n, &f) {
            return node;
        }
        if let Some((var, default)) = self.env_call(n) {
            let cast = env_method_cast(&f)
                .or_else(|| {
                    self.kwarg(&kw, "cast").map(|c| match self.text(c) {
                        "int" => Cast::Int,
                        "float" => Cast::Float,
                        "bool" => Cast::Bool,
                        _ => Cast::Str,
                    })
                })
                .unwrap_or(Cast::Auto);
            return self.env_read(n, &var, default, cast);
        }
        if let Some(fr) = self.functions.get(&f).copied() {
            return self.inline(n, &f, fr);
        }
        if let Some(v) = self.str_method(n) {
            return v;
        }
        if let Some(v) = self.url_build(n, &f) {
            return v;
        }
        if let Some(v) = self.map_method(n) {
            return v;
        }
        if f.contains("://") || f.contains('@') || f.contains('"') || f.contains('\'') {
            // Never quote string literals (they may hold credentials).
            return self.unknown(n, "a method call on a literal");
        }
        self.unknown(n, format!("a call to `{}`", shorten(&f)))
    }

    /// An environment read: the variable and the default expression, if any.
    pub fn env_call<'t>(&self, n: Py<'t>) -> Option<(String, Option<Py<'t>>)> {
        if n.kind() == "subscript" {
            return self.environ_subscript(n).map(|(v, _)| (v, None));
        }
        if n.kind() != "call" {
            return None;
        }
        let f = self.callee(n);
        let is_env = matches!(
            f.as_str(),
            "os.environ.get"
                | "environ.get"
                | "os.getenv"
                | "getenv"
                | "env"
                | "config"
                | "decouple.config"
                | "env.str"
                | "env.int"
                | "env.float"
                | "env.bool"
                | "env.get_value"
                | "environ.Env"
        ) || (f.starts_with("env.") && env_method_cast(&f).is_some());
        if !is_env {
            return None;
        }
        let (pos, kw) = self.args(n);
        let var_node = pos.first().copied().or_else(|| self.kwarg(&kw, "var"))?;
        // A literal name, or a name whose known value is a string (a
        // parameter of an inlined function, a module constant).
        let var = self.string(var_node).or_else(|| match var_node.kind() {
            "identifier" => match self.names.get(self.text(var_node)) {
                Some(Some(Node {
                    kind: NodeKind::Str(s),
                    ..
                })) => Some(s.clone()),
                _ => None,
            },
            _ => None,
        })?;
        let default = pos.get(1).copied().or_else(|| self.kwarg(&kw, "default"));
        Some((var, default))
    }

    /// Reads environment variable `var` for the expression `n`: the deploy-time
    /// value when known, else the default written in the code, else unknown.
    pub fn env_read(
        &mut self,
        n: Py<'_>,
        var: &str,
        default: Option<Py<'_>>,
        cast: Cast,
    ) -> Option<Node> {
        let sp = self.sp(n);
        let location = Location::new(self.file, span(n));
        let given = match self.env.get(var) {
            Some((v, f)) => Some((v.to_string(), f.to_string())),
            None => self
                .assumed
                .get(var)
                .and_then(|a| a.eq.clone())
                .map(|v| (v, "the condition of this variant".to_string())),
        };
        if let Some((value, from)) = given {
            let value = value.as_str();
            let default_kind = match default {
                Some(d) if cast == Cast::Auto => {
                    let before = self.unknowns.len();
                    let k = self.eval(d).map(|d| d.kind);
                    // Only the type matters; limits are still reported.
                    let tail = self.unknowns.split_off(before);
                    self.unknowns.extend(tail.into_iter().filter(|u| u.limit));
                    k
                }
                _ => None,
            };
            let cast = match (cast, default_kind) {
                (Cast::Auto, Some(NodeKind::Int(_))) => Cast::Int,
                (Cast::Auto, Some(NodeKind::Float(_))) => Cast::Float,
                (Cast::Auto, Some(NodeKind::Bool(_))) => Cast::Bool,
                (c, _) => c,
            };
            return match convert(&NodeKind::Str(value.to_string()), cast) {
                Some(kind) => {
                    self.origins.push((
                        sp,
                        Origin::Env {
                            var: var.to_string(),
                            value_from: Some(from),
                            location,
                        },
                    ));
                    Some(Node::new(kind, sp))
                }
                None => self.unknown(
                    n,
                    format!(
                        "environment variable {var} (its value given in {from} is not valid here)"
                    ),
                ),
            };
        }
        let Some(d) = default else {
            return self.unknown(
                n,
                format!(
                    "environment variable {var}, which has no default and no deploy-time value"
                ),
            );
        };
        let v = self.eval(d)?;
        let kind = match cast {
            Cast::Auto => Some(v.kind),
            c => convert(&v.kind, c),
        };
        let Some(kind) = kind else {
            return self.unknown(
                n,
                format!("environment variable {var} with an unusable default"),
            );
        };
        // Collections keep their inner spans; scalars are located at the whole read.
        let node_span = if matches!(kind, NodeKind::Map(_) | NodeKind::Seq(_)) {
            v.span
        } else {
            sp
        };
        self.origins.push((
            node_span,
            Origin::Env {
                var: var.to_string(),
                value_from: None,
                location,
            },
        ));
        Some(Node::new(kind, node_span))
    }
}

impl Eval<'_> {
    /// `dj_database_url.config(...)` / `.parse(url, ...)` and django-environ
    /// `env.db()` / `env.db_url(...)`: a Django alias mapping (ENGINE from the
    /// URL scheme, `CONN_MAX_AGE`, `CONN_HEALTH_CHECKS`). `None` when `n` is
    /// not such a call; `Some(None)` when the URL is unknown.
    fn db_url_call(&mut self, n: Py<'_>, f: &str) -> Option<Option<Node>> {
        let (pos, kw) = self.args(n);
        let url = match f {
            "dj_database_url.config" | "db_url.config" => {
                // `env=dj_database_url.DEFAULT_ENV` is the default itself:
                // `DEFAULT_ENV = "DATABASE_URL"` (jazzband/dj-database-url,
                // dj_database_url/__init__.py).
                let var = match self.kwarg(&kw, "env") {
                    Some(v) if self.text(v).ends_with("DEFAULT_ENV") => "DATABASE_URL".to_string(),
                    Some(v) => self.string(v)?,
                    None => "DATABASE_URL".to_string(),
                };
                let default = self.kwarg(&kw, "default");
                self.env_read(n, &var, default, Cast::Str)
            }
            "dj_database_url.parse" | "db_url.parse" => {
                let u = pos.first().copied().or_else(|| self.kwarg(&kw, "url"))?;
                self.eval(u)
            }
            _ if f.ends_with("env.db") || f.ends_with("env.db_url") => {
                let var = match pos.first().copied().or_else(|| self.kwarg(&kw, "var")) {
                    Some(v) => self.string(v)?,
                    None => "DATABASE_URL".to_string(),
                };
                let default = pos.get(1).copied().or_else(|| self.kwarg(&kw, "default"));
                self.env_read(n, &var, default, Cast::Str)
            }
            _ => return None,
        };
        let Some(url) = url else {
            return Some(None);
        };
        let Some(text) = url.as_str() else {
            return Some(self.unknown(n, "a database URL that is not a string"));
        };
        let mut entries: Vec<(Key, Node)> = Vec::new();
        let engine = match self.kwarg(&kw, "engine").and_then(|e| self.string(e)) {
            Some(e) => Some(e),
            None => django_engine(text).map(str::to_string),
        };
        if let Some(engine) = engine {
            let key = Key {
                text: "ENGINE".into(),
                span: url.span,
            };
            entries.push((key, Node::new(NodeKind::Str(engine), url.span)));
        }
        // HOST and PORT as dj-database-url / django-environ fill them in.
        if let Some(hp) = crate::systems::app::url::parse_db_url(text)
            .ok()
            .and_then(|u| u.host)
        {
            let key = |t: &str| Key {
                text: t.into(),
                span: url.span,
            };
            entries.push((key("HOST"), Node::new(NodeKind::Str(hp.host), url.span)));
            if let Some(port) = hp.port {
                entries.push((
                    key("PORT"),
                    Node::new(NodeKind::Int(i64::from(port)), url.span),
                ));
            }
        }
        for (kwname, setting) in [
            ("conn_max_age", "CONN_MAX_AGE"),
            ("conn_health_checks", "CONN_HEALTH_CHECKS"),
        ] {
            let Some((k, v)) = kw.iter().find(|(k, _)| self.text(*k) == kwname) else {
                continue;
            };
            let before = self.unknowns.len();
            let value = self.eval(*v);
            self.tag_unknowns(before, setting);
            if let Some(value) = value {
                let key = Key {
                    text: setting.into(),
                    span: self.sp(*k),
                };
                entries.push((key, value));
            }
        }
        Some(Some(Node::new(NodeKind::Map(entries), self.sp(n))))
    }
}

/// The names the import statement `n` binds, in the order written, with
/// the dotted name each stands for (see [`Eval::imports`]): `import a.b`
/// binds `a`; `import a.b as c` binds `c` to `a.b`; `from a.b import X as Y`
/// binds `Y` to `a.b.X`. Relative and star imports bind nothing (`None`
/// for a relative `from` import).
pub(super) fn import_bindings(n: Py<'_>, src: &str) -> Option<Vec<(String, String)>> {
    let text = |n: Py<'_>| -> String {
        src.get(n.start_byte()..n.end_byte())
            .unwrap_or("")
            .split_whitespace()
            .collect()
    };
    let module = n
        .child_by_field_name("module_name")
        .filter(|m| m.kind() == "dotted_name")
        .map(text);
    if n.kind() == "import_from_statement" && module.is_none() {
        return None;
    }
    let mut bindings = Vec::new();
    let mut c = n.walk();
    for name in n.children_by_field_name("name", &mut c) {
        let (target, alias) = match name.kind() {
            "aliased_import" => (
                name.child_by_field_name("name").map(text),
                name.child_by_field_name("alias").map(text),
            ),
            _ => (Some(text(name)), None),
        };
        let Some(target) = target else { continue };
        let (local, full) = match (&module, alias) {
            (Some(m), alias) => (
                alias.unwrap_or_else(|| target.clone()),
                format!("{m}.{target}"),
            ),
            (None, Some(alias)) => (alias, target),
            (None, None) => {
                let head = target.split('.').next().unwrap_or("").to_string();
                (head.clone(), head)
            }
        };
        if !local.is_empty() {
            bindings.push((local, full));
        }
    }
    Some(bindings)
}

/// The Django ENGINE dj-database-url / django-environ choose for a URL scheme.
pub(super) fn django_engine(url: &str) -> Option<&'static str> {
    let scheme = url.split("://").next()?.to_ascii_lowercase();
    Some(match scheme.as_str() {
        "postgres" | "postgresql" | "pgsql" | "psql" => "django.db.backends.postgresql",
        "postgis" => "django.contrib.gis.db.backends.postgis",
        "mysql" | "mysql2" => "django.db.backends.mysql",
        "mysqlgis" => "django.contrib.gis.db.backends.mysql",
        "mysql-connector" | "mysql+mysqlconnector" => "mysql.connector.django",
        "sqlite" => "django.db.backends.sqlite3",
        "spatialite" => "django.contrib.gis.db.backends.spatialite",
        "oracle" => "django.db.backends.oracle",
        _ => return None,
    })
}

/// `env.int` etc. (django-environ, environs): the cast of the method.
fn env_method_cast(f: &str) -> Option<Cast> {
    match f.rsplit('.').next()? {
        "int" if f.contains('.') => Some(Cast::Int),
        "float" if f.contains('.') => Some(Cast::Float),
        "bool" if f.contains('.') => Some(Cast::Bool),
        "str" if f.contains('.') => Some(Cast::Str),
        _ => None,
    }
}

fn shorten(s: &str) -> String {
    let mut out: String = s.chars().take(40).collect();
    if s.chars().count() > 40 {
        out.push('…');
    }
    out
}

fn num(k: &NodeKind) -> Option<f64> {
    match k {
        NodeKind::Int(i) => Some(*i as f64),
        NodeKind::Float(f) => Some(*f),
        _ => None,
    }
}

/// Python's truth value of a known value: `None`, `False`, zero, and empty
/// strings, dicts and lists are false; everything else is true.
pub(super) fn truthy(k: &NodeKind) -> bool {
    match k {
        NodeKind::Null => false,
        NodeKind::Bool(b) => *b,
        NodeKind::Int(i) => *i != 0,
        NodeKind::Float(f) => *f != 0.0,
        NodeKind::Str(s) => !s.is_empty(),
        NodeKind::Map(m) => !m.is_empty(),
        NodeKind::Seq(s) => !s.is_empty(),
    }
}

/// Python's `==` on known values: numbers by value (`True == 1`), strings,
/// `None`, and collections item by item; values of different types are not
/// equal.
pub(super) fn py_eq(a: &NodeKind, b: &NodeKind) -> bool {
    let as_num = |k: &NodeKind| match k {
        NodeKind::Bool(b) => Some(f64::from(u8::from(*b))),
        other => num(other),
    };
    match (a, b) {
        (NodeKind::Str(x), NodeKind::Str(y)) => x == y,
        (NodeKind::Null, NodeKind::Null) => true,
        (NodeKind::Map(_), NodeKind::Map(_)) | (NodeKind::Seq(_), NodeKind::Seq(_)) => same(
            &Node::new(a.clone(), Span::new(0, 0)),
            &Node::new(b.clone(), Span::new(0, 0)),
        ),
        _ => match (as_num(a), as_num(b)) {
            (Some(x), Some(y)) => x == y,
            _ => false,
        },
    }
}

/// One comparison `a op b` (see [`Eval::compare`]); `None` when Python
/// would raise or the tool does not decide it.
fn compare_values(op: &str, a: &NodeKind, b: &NodeKind) -> Option<bool> {
    use std::cmp::Ordering;
    let order = || -> Option<Ordering> {
        match (a, b) {
            (NodeKind::Str(x), NodeKind::Str(y)) => Some(x.cmp(y)),
            _ => num(a)?.partial_cmp(&num(b)?),
        }
    };
    let contains = || -> Option<bool> {
        match b {
            NodeKind::Str(hay) => match a {
                NodeKind::Str(needle) => Some(hay.contains(needle.as_str())),
                _ => None,
            },
            NodeKind::Seq(items) => Some(items.iter().any(|i| py_eq(a, &i.kind))),
            NodeKind::Map(entries) => match a {
                NodeKind::Str(k) => Some(entries.iter().any(|(kk, _)| kk.text == *k)),
                _ => None,
            },
            _ => None,
        }
    };
    let singleton = |k: &NodeKind| matches!(k, NodeKind::Null | NodeKind::Bool(_));
    match op {
        "==" => Some(py_eq(a, b)),
        "!=" | "<>" => Some(!py_eq(a, b)),
        "<" => order().map(Ordering::is_lt),
        "<=" => order().map(Ordering::is_le),
        ">" => order().map(Ordering::is_gt),
        ">=" => order().map(Ordering::is_ge),
        "in" => contains(),
        "not in" => contains().map(|c| !c),
        "is" if singleton(a) || singleton(b) => Some(a == b),
        "is not" if singleton(a) || singleton(b) => Some(a != b),
        _ => None,
    }
}

/// Python's `int()` / `float()` / `bool()` / `str()` of a value, or env text by cast.
fn convert(k: &NodeKind, cast: Cast) -> Option<NodeKind> {
    match (cast, k) {
        (Cast::Auto, k) => Some(k.clone()),
        (Cast::Int, NodeKind::Int(i)) => Some(NodeKind::Int(*i)),
        (Cast::Int, NodeKind::Float(f)) if f.is_finite() => Some(NodeKind::Int(f.trunc() as i64)),
        (Cast::Int, NodeKind::Bool(b)) => Some(NodeKind::Int(i64::from(*b))),
        (Cast::Int, NodeKind::Str(s)) => py_int(s).map(NodeKind::Int),
        (Cast::Float, k) => match k {
            NodeKind::Str(s) => s.trim().parse::<f64>().ok().map(NodeKind::Float),
            other => num(other).map(NodeKind::Float),
        },
        (Cast::Bool, NodeKind::Bool(b)) => Some(NodeKind::Bool(*b)),
        (Cast::Bool, NodeKind::Int(i)) => Some(NodeKind::Bool(*i != 0)),
        (Cast::Bool, NodeKind::Str(s)) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" | "y" | "t" => Some(NodeKind::Bool(true)),
            "false" | "0" | "no" | "off" | "n" | "f" | "" => Some(NodeKind::Bool(false)),
            _ => None,
        },
        (Cast::PyBool, NodeKind::Str(s)) => Some(NodeKind::Bool(!s.is_empty())),
        (Cast::PyBool, NodeKind::Int(i)) => Some(NodeKind::Bool(*i != 0)),
        (Cast::PyBool, NodeKind::Float(f)) => Some(NodeKind::Bool(*f != 0.0)),
        (Cast::PyBool, NodeKind::Bool(b)) => Some(NodeKind::Bool(*b)),
        (Cast::PyBool, NodeKind::Null) => Some(NodeKind::Bool(false)),
        (Cast::Str, k) => py_str(k).map(NodeKind::Str),
        _ => None,
    }
}

/// A Python integer literal (`1_000`, `0x10`, `0o7`, `0b1`).
pub(super) fn parse_int(t: &str) -> Option<i64> {
    let t = t.replace('_', "");
    let lower = t.to_ascii_lowercase();
    if let Some(h) = lower.strip_prefix("0x") {
        i64::from_str_radix(h, 16).ok()
    } else if let Some(o) = lower.strip_prefix("0o") {
        i64::from_str_radix(o, 8).ok()
    } else if let Some(b) = lower.strip_prefix("0b") {
        i64::from_str_radix(b, 2).ok()
    } else {
        lower.parse().ok()
    }
}

fn unescape(t: &str) -> String {
    match t {
        "\\n" => "\n".into(),
        "\\t" => "\t".into(),
        "\\r" => "\r".into(),
        "\\\\" => "\\".into(),
        "\\'" => "'".into(),
        "\\\"" => "\"".into(),
        "\\0" => "\0".into(),
        _ if t.starts_with("\\\n") || t.starts_with("\\\r") => String::new(),
        other => other.to_string(),
    }
}

/// `a op b` for the operations the evaluator knows (`|` merges two dicts,
/// the right one winning); `None` for any other.
pub(super) fn combine(op: &str, a: NodeKind, b: NodeKind) -> Option<NodeKind> {
    match (a, b) {
        (NodeKind::Int(x), NodeKind::Int(y)) => match op {
            "+" => x.checked_add(y).map(NodeKind::Int),
            "-" => x.checked_sub(y).map(NodeKind::Int),
            "*" => x.checked_mul(y).map(NodeKind::Int),
            "//" if y != 0 => Some(NodeKind::Int(x.div_euclid(y))),
            "/" if y != 0 => Some(NodeKind::Float(x as f64 / y as f64)),
            "**" => u32::try_from(y)
                .ok()
                .and_then(|e| x.checked_pow(e))
                .map(NodeKind::Int),
            _ => None,
        },
        (NodeKind::Str(x), NodeKind::Str(y)) if op == "+" => Some(NodeKind::Str(x + &y)),
        (NodeKind::Map(mut x), NodeKind::Map(y)) if op == "|" => {
            for (k, v) in y {
                set_entry(&mut x, k, v);
            }
            Some(NodeKind::Map(x))
        }
        (x, y) => match (num(&x), num(&y)) {
            (Some(x), Some(y)) => match op {
                "+" => Some(NodeKind::Float(x + y)),
                "-" => Some(NodeKind::Float(x - y)),
                "*" => Some(NodeKind::Float(x * y)),
                "/" if y != 0.0 => Some(NodeKind::Float(x / y)),
                _ => None,
            },
            _ => None,
        },
    }
}

/// `[("a", 1), ("b", 2)]` as dict entries (string keys), located where
/// each key and value is written; `None` for anything else.
pub(super) fn pairs(items: Vec<Node>) -> Option<Vec<(Key, Node)>> {
    let mut out = Vec::new();
    for item in items {
        let NodeKind::Seq(kv) = item.kind else {
            return None;
        };
        let [k, v]: [Node; 2] = kv.try_into().ok()?;
        let NodeKind::Str(text) = k.kind else {
            return None;
        };
        set_entry(&mut out, Key { text, span: k.span }, v);
    }
    Some(out)
}

/// Sets `root[path...] = value`, creating mappings on the way; `false`
/// (nothing set) when something on the way is not a mapping or `path` is
/// empty.
pub(super) fn set_at_path(root: &mut Node, path: &[Key], value: Node) -> bool {
    let Some((last, above)) = path.split_last() else {
        return false;
    };
    let mut cur = root;
    for key in above {
        let NodeKind::Map(entries) = &mut cur.kind else {
            return false;
        };
        let pos = match entries.iter().position(|(k, _)| k.text == key.text) {
            Some(p) => p,
            None => {
                entries.push((key.clone(), Node::new(NodeKind::Map(Vec::new()), key.span)));
                entries.len() - 1
            }
        };
        cur = &mut entries[pos].1;
    }
    let NodeKind::Map(entries) = &mut cur.kind else {
        return false;
    };
    set_entry(entries, last.clone(), value);
    true
}

/// Sets `key` in `entries`, replacing an existing entry of that name in place.
pub(super) fn set_entry(entries: &mut Vec<(Key, Node)>, key: Key, value: Node) {
    match entries.iter_mut().find(|(k, _)| k.text == key.text) {
        Some(slot) => *slot = (key, value),
        None => entries.push((key, value)),
    }
}

/// Python's `str()` of a scalar; `None` for values whose text the tool
/// does not reproduce exactly (very large or small floats, collections).
pub(super) fn py_str(k: &NodeKind) -> Option<String> {
    match k {
        NodeKind::Str(s) => Some(s.clone()),
        NodeKind::Int(i) => Some(i.to_string()),
        NodeKind::Bool(true) => Some("True".into()),
        NodeKind::Bool(false) => Some("False".into()),
        NodeKind::Null => Some("None".into()),
        NodeKind::Float(f) => {
            let a = f.abs();
            if !f.is_finite() || (a != 0.0 && !(1e-4..1e16).contains(&a)) {
                None
            } else if f.fract() == 0.0 {
                Some(format!("{f:.1}"))
            } else {
                // Both print the shortest text that reads back the same.
                Some(format!("{f}"))
            }
        }
        _ => None,
    }
}

/// Python's `int()` of a string: blanks around, an optional sign, decimal
/// digits with single underscores between them; anything else raises.
pub(super) fn py_int(s: &str) -> Option<i64> {
    let t = s.trim();
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    let ok = !digits.is_empty()
        && !digits.starts_with('_')
        && !digits.ends_with('_')
        && !digits.contains("__")
        && digits.chars().all(|c| c.is_ascii_digit() || c == '_');
    if !ok {
        return None;
    }
    t.replace('_', "").parse().ok()
}

/// `urllib.parse.quote_plus(s)` (`plus`: spaces become `+`, nothing is
/// safe) and `quote(s, safe)`: UTF-8 bytes other than letters, digits,
/// `_.-~` and `safe` are percent-encoded.
pub(super) fn url_quote(s: &str, safe: &str, plus: bool) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        let c = b as char;
        if b.is_ascii_alphanumeric() || "_.-~".contains(c) || (b.is_ascii() && safe.contains(c)) {
            out.push(c);
        } else if plus && b == b' ' {
            out.push('+');
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The value of a `%` conversion (`s`, `d`, `i`, `r` for strings is not read).
fn percent_one(conv: char, v: &NodeKind) -> Option<String> {
    match (conv, v) {
        ('s', k) => py_str(k),
        ('d' | 'i', NodeKind::Int(i)) => Some(i.to_string()),
        ('d' | 'i', NodeKind::Bool(b)) => Some(i64::from(*b).to_string()),
        _ => None,
    }
}

/// `fmt % args`: `%s`, `%d`, `%i`, `%%` and `%(name)s` over a tuple, a
/// dict or one value. `None` for any other conversion, flags or widths,
/// and for a count of arguments that does not match (Python raises).
pub(super) fn percent_format(fmt: &str, args: &NodeKind) -> Option<String> {
    let positional: Vec<&NodeKind> = match args {
        NodeKind::Seq(items) => items.iter().map(|n| &n.kind).collect(),
        NodeKind::Map(_) => Vec::new(),
        k => vec![k],
    };
    let mut next = 0;
    let mut out = String::new();
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            '%' => out.push('%'),
            '(' => {
                let NodeKind::Map(m) = args else { return None };
                let mut name = String::new();
                loop {
                    match chars.next()? {
                        ')' => break,
                        ch => name.push(ch),
                    }
                }
                let conv = chars.next()?;
                let v = &m.iter().find(|(k, _)| k.text == name)?.1;
                out.push_str(&percent_one(conv, &v.kind)?);
            }
            conv => {
                if matches!(args, NodeKind::Map(_)) {
                    return None;
                }
                let v = positional.get(next)?;
                next += 1;
                out.push_str(&percent_one(conv, v)?);
            }
        }
    }
    (next == positional.len() || matches!(args, NodeKind::Map(_))).then_some(out)
}

/// `fmt.format(*pos, **kw)`: `{}`, `{0}`, `{name}`, `{{` and `}}`. `None`
/// for format specs, conversions, attribute or index lookups and missing
/// arguments.
pub(super) fn brace_format(fmt: &str, pos: &[NodeKind], kw: &[(Key, Node)]) -> Option<String> {
    let mut out = String::new();
    let mut auto = 0;
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '}' => return None,
            '{' => {
                let mut field = String::new();
                loop {
                    match chars.next()? {
                        '}' => break,
                        ch => field.push(ch),
                    }
                }
                let v = if field.is_empty() {
                    auto += 1;
                    pos.get(auto - 1)?
                } else if let Ok(i) = field.parse::<usize>() {
                    pos.get(i)?
                } else if field.chars().all(|c| c.is_alphanumeric() || c == '_') {
                    &kw.iter().find(|(k, _)| k.text == field)?.1.kind
                } else {
                    return None;
                };
                out.push_str(&py_str(v)?);
            }
            c => out.push(c),
        }
    }
    Some(out)
}

/// `urllib.parse.unquote_plus`: `+` is a space, `%XX` a byte; an invalid
/// escape is kept as written.
pub(super) fn unquote_plus(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        let hex = |j: usize| b.get(j).and_then(|h| (*h as char).to_digit(16));
        match c {
            b'+' => out.push(b' '),
            b'%' => match (hex(i + 1), hex(i + 2)) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 2;
                }
                _ => out.push(c),
            },
            _ => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
