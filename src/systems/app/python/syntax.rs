//! The syntax tree the Python reader walks, built from ruff's parser.
//!
//! `ruff_python_parser` (pinned `=0.0.10`, see docs/dependencies.md) parses
//! the module into its typed AST, recovering from syntax errors. That AST is
//! turned, in one pass that consumes it, into a compact tree of plain nodes
//! (kind, field, byte range, parent, first child, next sibling: 24 bytes
//! each, in one `Vec`). The kinds and fields are those of tree-sitter-python,
//! which the reader was first written against (`assignment` with `left` /
//! `right`, `call` with `function` / `arguments`, `string` with
//! `string_content` and `escape_sequence` children, ...), so the readers'
//! walks and spans did not change with the parser. What ruff's AST leaves
//! out is found in the source: parentheses (from the tokens), keyword
//! positions (`else`, `finally`, `if` of a comprehension) and operator
//! tokens, and the escape sequences inside strings (scanned as
//! tree-sitter-python's scanner does). Comments are not in the tree.
//!
//! Hostile input: ruff's parser grows its stack as it nests, and the
//! conversion does too (`stacker::maybe_grow`), taking the AST apart as it
//! goes, so nothing recurses deeper than the stack on a deeply nested file,
//! not even dropping the AST. Walks over the tree are iterative.

use ruff_python_ast::token::TokenKind;
use ruff_python_ast::{
    self as ast, BoolOp, CmpOp, Expr, ExprContext, InterpolatedStringElement, Operator, Pattern,
    PySourceType, Stmt, UnaryOp,
};
use ruff_text_size::{Ranged, TextRange};

/// Declares the node kinds: `K::X` and its name, as tree-sitter-python
/// writes it. Kinds after `FIRST_ANON` are anonymous tokens (operators).
macro_rules! kinds {
    ($($v:ident = $s:literal),* $(,)?) => {
        /// A node kind.
        #[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
        #[repr(u8)]
        pub(crate) enum K { $($v),* }
        const KIND_NAMES: &[&str] = &[$($s),*];
    };
}

kinds! {
    Module = "module",
    Error = "ERROR",
    Block = "block",
    ExpressionStatement = "expression_statement",
    Assignment = "assignment",
    AugmentedAssignment = "augmented_assignment",
    Type = "type",
    IfStatement = "if_statement",
    ElifClause = "elif_clause",
    ElseClause = "else_clause",
    ForStatement = "for_statement",
    WhileStatement = "while_statement",
    TryStatement = "try_statement",
    ExceptClause = "except_clause",
    FinallyClause = "finally_clause",
    WithStatement = "with_statement",
    WithClause = "with_clause",
    WithItem = "with_item",
    AsPattern = "as_pattern",
    AsPatternTarget = "as_pattern_target",
    FunctionDefinition = "function_definition",
    ClassDefinition = "class_definition",
    DecoratedDefinition = "decorated_definition",
    Decorator = "decorator",
    Parameters = "parameters",
    LambdaParameters = "lambda_parameters",
    DefaultParameter = "default_parameter",
    TypedParameter = "typed_parameter",
    TypedDefaultParameter = "typed_default_parameter",
    ListSplatPattern = "list_splat_pattern",
    DictionarySplatPattern = "dictionary_splat_pattern",
    KeywordSeparator = "keyword_separator",
    PositionalSeparator = "positional_separator",
    ReturnStatement = "return_statement",
    DeleteStatement = "delete_statement",
    RaiseStatement = "raise_statement",
    AssertStatement = "assert_statement",
    PassStatement = "pass_statement",
    BreakStatement = "break_statement",
    ContinueStatement = "continue_statement",
    GlobalStatement = "global_statement",
    NonlocalStatement = "nonlocal_statement",
    TypeAliasStatement = "type_alias_statement",
    ImportStatement = "import_statement",
    ImportFromStatement = "import_from_statement",
    FutureImportStatement = "future_import_statement",
    RelativeImport = "relative_import",
    ImportPrefix = "import_prefix",
    DottedName = "dotted_name",
    AliasedImport = "aliased_import",
    WildcardImport = "wildcard_import",
    MatchStatement = "match_statement",
    CaseClause = "case_clause",
    CasePattern = "case_pattern",
    IfClause = "if_clause",
    UnionPattern = "union_pattern",
    ListPattern = "list_pattern",
    TuplePattern = "tuple_pattern",
    DictPattern = "dict_pattern",
    ClassPattern = "class_pattern",
    KeywordPattern = "keyword_pattern",
    SplatPattern = "splat_pattern",
    PatternList = "pattern_list",
    ExpressionList = "expression_list",
    Identifier = "identifier",
    Integer = "integer",
    Float = "float",
    True = "true",
    False = "false",
    None = "none",
    Ellipsis = "ellipsis",
    String = "string",
    ConcatenatedString = "concatenated_string",
    StringStart = "string_start",
    StringContent = "string_content",
    StringEnd = "string_end",
    EscapeSequence = "escape_sequence",
    EscapeInterpolation = "escape_interpolation",
    Interpolation = "interpolation",
    TypeConversion = "type_conversion",
    FormatSpecifier = "format_specifier",
    FormatExpression = "format_expression",
    ParenthesizedExpression = "parenthesized_expression",
    Call = "call",
    ArgumentList = "argument_list",
    KeywordArgument = "keyword_argument",
    ListSplat = "list_splat",
    DictionarySplat = "dictionary_splat",
    Attribute = "attribute",
    Subscript = "subscript",
    Slice = "slice",
    List = "list",
    Tuple = "tuple",
    Set = "set",
    Dictionary = "dictionary",
    Pair = "pair",
    ListComprehension = "list_comprehension",
    SetComprehension = "set_comprehension",
    DictionaryComprehension = "dictionary_comprehension",
    GeneratorExpression = "generator_expression",
    ForInClause = "for_in_clause",
    BinaryOperator = "binary_operator",
    UnaryOperator = "unary_operator",
    NotOperator = "not_operator",
    BooleanOperator = "boolean_operator",
    ComparisonOperator = "comparison_operator",
    ConditionalExpression = "conditional_expression",
    NamedExpression = "named_expression",
    Lambda = "lambda",
    Await = "await",
    Yield = "yield",
    // Anonymous tokens from here on.
    OpLt = "<",
    OpLtE = "<=",
    OpEq = "==",
    OpNotEq = "!=",
    OpGtE = ">=",
    OpGt = ">",
    OpIn = "in",
    OpNotIn = "not in",
    OpIs = "is",
    OpIsNot = "is not",
    OpAdd = "+",
    OpSub = "-",
    OpMult = "*",
    OpMatMult = "@",
    OpDiv = "/",
    OpMod = "%",
    OpFloorDiv = "//",
    OpPow = "**",
    OpBitOr = "|",
    OpBitAnd = "&",
    OpBitXor = "^",
    OpLShift = "<<",
    OpRShift = ">>",
    OpInvert = "~",
    OpAnd = "and",
    OpOr = "or",
    OpAugAdd = "+=",
    OpAugSub = "-=",
    OpAugMult = "*=",
    OpAugMatMult = "@=",
    OpAugDiv = "/=",
    OpAugMod = "%=",
    OpAugFloorDiv = "//=",
    OpAugPow = "**=",
    OpAugBitOr = "|=",
    OpAugBitAnd = "&=",
    OpAugBitXor = "^=",
    OpAugLShift = "<<=",
    OpAugRShift = ">>=",
}

const FIRST_ANON: K = K::OpLt;

/// Declares the fields: `F::X` and its name.
macro_rules! fields {
    ($($v:ident = $s:literal),* $(,)?) => {
        /// The field a node is in, under its parent.
        #[derive(Clone, Copy, PartialEq, Eq, Debug)]
        #[repr(u8)]
        pub(crate) enum F { $($v),* }
        const FIELD_NAMES: &[&str] = &[$($s),*];
    };
}

fields! {
    No = "",
    Left = "left",
    Right = "right",
    Type = "type",
    Operator = "operator",
    Operators = "operators",
    Condition = "condition",
    Consequence = "consequence",
    Alternative = "alternative",
    Body = "body",
    Value = "value",
    Alias = "alias",
    Name = "name",
    Parameters = "parameters",
    ReturnType = "return_type",
    Superclasses = "superclasses",
    Definition = "definition",
    Function = "function",
    Arguments = "arguments",
    Object = "object",
    Attribute = "attribute",
    Subscript = "subscript",
    Key = "key",
    Argument = "argument",
    ModuleName = "module_name",
    Subject = "subject",
    Guard = "guard",
    Expression = "expression",
    TypeConversion = "type_conversion",
    FormatSpecifier = "format_specifier",
    Cause = "cause",
}

const NIL: u32 = u32::MAX;

#[derive(Clone, Copy, Debug)]
struct Raw {
    start: u32,
    end: u32,
    parent: u32,
    first: u32,
    next: u32,
    kind: K,
    field: F,
}

/// A parsed module: its nodes (the root first) and syntax errors.
pub(crate) struct Tree {
    nodes: Vec<Raw>,
    /// The byte ranges of the parser's syntax errors, in document order.
    errors: Vec<(usize, usize)>,
}

impl Tree {
    pub fn root_node(&self) -> Py<'_> {
        Py { tree: self, id: 0 }
    }

    /// The range of the first syntax error, if the parser met any.
    pub fn first_error(&self) -> Option<(usize, usize)> {
        self.errors.first().copied()
    }
}

/// A node of a [`Tree`]: copied freely, like tree-sitter's `Node`.
#[derive(Clone, Copy)]
pub(crate) struct Py<'t> {
    tree: &'t Tree,
    id: u32,
}

impl PartialEq for Py<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id && std::ptr::eq(self.tree, other.tree)
    }
}

impl Eq for Py<'_> {}

impl std::fmt::Debug for Py<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{{{} {}..{}}}",
            self.kind(),
            self.start_byte(),
            self.end_byte()
        )
    }
}

/// Stands in for tree-sitter's tree cursor in the readers' loops
/// (`let mut c = n.walk(); n.named_children(&mut c)`); holds nothing.
pub(crate) struct Cursor;

/// The children of a node, in document order.
pub(crate) struct Children<'t> {
    tree: &'t Tree,
    next: u32,
}

impl<'t> Iterator for Children<'t> {
    type Item = Py<'t>;
    fn next(&mut self) -> Option<Py<'t>> {
        if self.next == NIL {
            return None;
        }
        let id = self.next;
        self.next = self.tree.nodes[id as usize].next;
        Some(Py {
            tree: self.tree,
            id,
        })
    }
}

impl<'t> Py<'t> {
    fn raw(&self) -> &'t Raw {
        &self.tree.nodes[self.id as usize]
    }

    pub fn k(&self) -> K {
        self.raw().kind
    }

    pub fn kind(&self) -> &'static str {
        KIND_NAMES[self.raw().kind as usize]
    }

    #[cfg(test)]
    fn field_name(&self) -> &'static str {
        FIELD_NAMES[self.raw().field as usize]
    }

    pub fn is_named(&self) -> bool {
        (self.raw().kind as u8) < (FIRST_ANON as u8)
    }

    pub fn start_byte(&self) -> usize {
        self.raw().start as usize
    }

    pub fn end_byte(&self) -> usize {
        self.raw().end as usize
    }

    pub fn parent(&self) -> Option<Py<'t>> {
        let p = self.raw().parent;
        (p != NIL).then_some(Py {
            tree: self.tree,
            id: p,
        })
    }

    pub fn walk(&self) -> Cursor {
        Cursor
    }

    /// All children, named or not.
    pub fn all(&self) -> Children<'t> {
        Children {
            tree: self.tree,
            next: self.raw().first,
        }
    }

    pub fn children(&self, _: &mut Cursor) -> Children<'t> {
        self.all()
    }

    pub fn named_children(&self, _: &mut Cursor) -> impl Iterator<Item = Py<'t>> + use<'t> {
        self.all().filter(Py::is_named)
    }

    pub fn child_count(&self) -> usize {
        self.all().count()
    }

    pub fn named_child_count(&self) -> usize {
        self.all().filter(Py::is_named).count()
    }

    pub fn child(&self, i: u32) -> Option<Py<'t>> {
        self.all().nth(i as usize)
    }

    pub fn named_child(&self, i: u32) -> Option<Py<'t>> {
        self.all().filter(Py::is_named).nth(i as usize)
    }

    pub fn child_by_field(&self, f: F) -> Option<Py<'t>> {
        self.all().find(|c| c.raw().field == f)
    }

    pub fn child_by_field_name(&self, name: &str) -> Option<Py<'t>> {
        self.all()
            .find(|c| FIELD_NAMES[c.raw().field as usize] == name && !name.is_empty())
    }

    pub fn children_by_field_name(
        &self,
        name: &'static str,
        _: &mut Cursor,
    ) -> impl Iterator<Item = Py<'t>> + use<'t> {
        self.all()
            .filter(move |c| FIELD_NAMES[c.raw().field as usize] == name)
    }

    /// The smallest node holding `start..end` (the deepest, when several
    /// have the same range), as tree-sitter's `descendant_for_byte_range`.
    pub fn descendant_for_byte_range(&self, start: usize, end: usize) -> Option<Py<'t>> {
        if self.start_byte() > start || self.end_byte() < end {
            return None;
        }
        let mut cur = *self;
        'down: loop {
            for c in cur.all() {
                if c.start_byte() <= start && end <= c.end_byte() {
                    cur = c;
                    continue 'down;
                }
                if c.start_byte() > start {
                    break;
                }
            }
            return Some(cur);
        }
    }

    /// The next node in document order after this node's subtree, within
    /// `root` (for iterative walks).
    pub fn first_child_id(&self) -> Option<Py<'t>> {
        let f = self.raw().first;
        (f != NIL).then_some(Py {
            tree: self.tree,
            id: f,
        })
    }

    pub fn next_sibling(&self) -> Option<Py<'t>> {
        let n = self.raw().next;
        (n != NIL).then_some(Py {
            tree: self.tree,
            id: n,
        })
    }
}

/// Parses `text` (syntax errors recovered from, as far as the parser can).
pub(super) fn parse(text: &str) -> Tree {
    let parsed = ruff_python_parser::parse_unchecked_source(text, PySourceType::Python);
    let errors: Vec<(usize, usize)> = parsed
        .errors()
        .iter()
        .map(|e| (e.location.start().to_usize(), e.location.end().to_usize()))
        .collect();
    let toks: Vec<Tok> = parsed
        .tokens()
        .iter()
        .filter(|t| !t.kind().is_trivia())
        .map(|t| Tok {
            start: t.start().to_u32(),
            end: t.end().to_u32(),
            kind: match t.kind() {
                TokenKind::Lpar => 1,
                TokenKind::Rpar => 2,
                _ => 0,
            },
        })
        .collect();
    let module = parsed.into_syntax();
    // The positions right after a `(` token (the next token's start).
    let mut after_lpar = vec![0u64; text.len() / 64 + 1];
    for pair in toks.windows(2) {
        if pair[0].kind == 1 {
            let i = pair[1].start as usize;
            if let Some(w) = after_lpar.get_mut(i / 64) {
                *w |= 1 << (i % 64);
            }
        }
    }
    let len = u32::try_from(text.len()).unwrap_or(u32::MAX);
    let mut b = Builder {
        src: text.as_bytes(),
        nodes: Vec::with_capacity(text.len() / 4 + 16),
        stack: Vec::new(),
        toks,
        after_lpar,
    };
    b.open(K::Module, F::No, 0, len);
    for s in module.body {
        b.stmt(s);
    }
    b.close();
    let mut errors = errors;
    errors.sort_unstable();
    Tree {
        nodes: b.nodes,
        errors,
    }
}

/// A token that is not trivia: 1 `(`, 2 `)`, 0 anything else.
struct Tok {
    start: u32,
    end: u32,
    kind: u8,
}

struct Builder<'s> {
    src: &'s [u8],
    nodes: Vec<Raw>,
    /// The nodes open, innermost last, with the last child of each.
    stack: Vec<(u32, u32)>,
    toks: Vec<Tok>,
    /// A bit set over the source's bytes: where a token follows a `(`.
    after_lpar: Vec<u64>,
}

fn r(range: TextRange) -> (u32, u32) {
    (range.start().to_u32(), range.end().to_u32())
}

/// Stack left before growing it, and the size of each new segment.
const RED_ZONE: usize = 64 * 1024;
const SEGMENT: usize = 1024 * 1024;

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

impl Builder<'_> {
    fn open(&mut self, kind: K, field: F, start: u32, end: u32) -> u32 {
        let id = u32::try_from(self.nodes.len()).unwrap_or(NIL - 1);
        let parent = match self.stack.last_mut() {
            Some((p, last)) => {
                let p = *p;
                if *last == NIL {
                    self.nodes[p as usize].first = id;
                } else {
                    self.nodes[*last as usize].next = id;
                }
                *last = id;
                p
            }
            None => NIL,
        };
        self.nodes.push(Raw {
            start,
            end: end.max(start),
            parent,
            first: NIL,
            next: NIL,
            kind,
            field,
        });
        self.stack.push((id, NIL));
        id
    }

    fn close(&mut self) {
        self.stack.pop();
    }

    fn leaf(&mut self, kind: K, field: F, start: u32, end: u32) -> u32 {
        let id = self.open(kind, field, start, end);
        self.close();
        id
    }

    fn end_of(&self, id: u32) -> u32 {
        self.nodes[id as usize].end
    }

    fn start_of(&self, id: u32) -> u32 {
        self.nodes[id as usize].start
    }

    /// Sets a node's range to span its children (tree-sitter's ranges
    /// include a parenthesized first or last operand).
    fn fit(&mut self, id: u32) {
        let first = self.nodes[id as usize].first;
        if first == NIL {
            return;
        }
        let mut last = first;
        while self.nodes[last as usize].next != NIL {
            last = self.nodes[last as usize].next;
        }
        let (s, e) = (
            self.nodes[first as usize].start,
            self.nodes[last as usize].end,
        );
        let n = &mut self.nodes[id as usize];
        n.start = n.start.min(s);
        n.end = n.end.max(e);
    }

    /// The position of the first byte at or after `pos` that is not
    /// whitespace, a line continuation or a comment.
    fn skip_trivia(&self, mut pos: u32) -> u32 {
        let src = self.src;
        while let Some(&b) = src.get(pos as usize) {
            match b {
                b' ' | b'\t' | b'\n' | b'\r' | 0x0c | b'\\' => pos += 1,
                b'#' => {
                    while src.get(pos as usize).is_some_and(|&c| c != b'\n') {
                        pos += 1;
                    }
                }
                _ => break,
            }
        }
        pos
    }

    /// The range of keyword or operator `word` at the first non-trivia
    /// position after `pos` (`pos..pos` when it is not there).
    fn token_after(&self, pos: u32, word: &str) -> (u32, u32) {
        let at = self.skip_trivia(pos);
        let w = word.as_bytes();
        if self.src.get(at as usize..at as usize + w.len()) == Some(w) {
            (at, at + w.len() as u32)
        } else {
            (pos, pos)
        }
    }

    /// Where a keyword written before `pos` starts (`def` before a name):
    /// `pos` moved back over whitespace and one word.
    fn word_before(&self, pos: u32) -> u32 {
        let src = self.src;
        let mut p = pos as usize;
        while p > 0 && matches!(src[p - 1], b' ' | b'\t' | b'\\' | b'\n' | b'\r' | 0x0c) {
            p -= 1;
        }
        let end = p;
        while p > 0 && is_ident_byte(src[p - 1]) {
            p -= 1;
        }
        if p == end { pos } else { p as u32 }
    }

    /// The parentheses around the expression at `start..end` (outermost
    /// first), whose closing ones end by `limit`.
    fn parens(&self, start: u32, end: u32, limit: u32) -> Vec<(u32, u32)> {
        // Only an expression right after a `(` token can be parenthesized.
        let i = start as usize;
        if self
            .after_lpar
            .get(i / 64)
            .is_none_or(|w| w & (1 << (i % 64)) == 0)
        {
            return Vec::new();
        }
        let lo = self.toks.partition_point(|t| t.start < start);
        let hi = self.toks.partition_point(|t| t.start < end);
        let mut out = Vec::new();
        let mut left = lo;
        let mut right = hi;
        while left > 0
            && self.toks[left - 1].kind == 1
            && let Some(t) = self.toks.get(right)
            && t.kind == 2
            && t.end <= limit
        {
            out.push((self.toks[left - 1].start, t.end));
            left -= 1;
            right += 1;
        }
        out.reverse();
        out
    }

    fn stmts(&mut self, body: impl IntoIterator<Item = Stmt>, field: F, fallback: u32) {
        let body: Vec<Stmt> = body.into_iter().collect();
        let (s, e) = match (body.first(), body.last()) {
            (Some(f), Some(l)) => (self.stmt_start(f), l.range().end().to_u32()),
            _ => (fallback, fallback),
        };
        self.open(K::Block, field, s, e);
        for st in body {
            self.stmt(st);
        }
        self.close();
    }

    /// Where a statement starts as tree-sitter sees it (a decorated
    /// definition at its first decorator).
    fn stmt_start(&self, s: &Stmt) -> u32 {
        let decorator = match s {
            Stmt::FunctionDef(f) => f.decorator_list.first(),
            Stmt::ClassDef(c) => c.decorator_list.first(),
            _ => None,
        };
        let at = s.range().start().to_u32();
        decorator.map_or(at, |d| d.range.start().to_u32().min(at))
    }

    fn stmt(&mut self, s: Stmt) {
        stacker::maybe_grow(RED_ZONE, SEGMENT, || self.stmt_inner(s));
    }

    #[allow(clippy::too_many_lines)]
    fn stmt_inner(&mut self, s: Stmt) {
        let start = self.stmt_start(&s);
        let end = s.range().end().to_u32();
        match s {
            Stmt::Expr(e) => {
                self.open(K::ExpressionStatement, F::No, start, end);
                match *e.value {
                    Expr::Tuple(t) if !t.parenthesized => {
                        for x in t.elts {
                            self.expr(x, F::No, end);
                        }
                    }
                    v => {
                        self.expr(v, F::No, end);
                    }
                }
                self.close();
            }
            Stmt::Assign(a) => {
                self.open(K::ExpressionStatement, F::No, start, end);
                let n = a.targets.len();
                let mut opened = Vec::new();
                for (i, t) in a.targets.into_iter().enumerate() {
                    let field = if i == 0 { F::No } else { F::Right };
                    let ts = t.range().start().to_u32();
                    let id = self.open(K::Assignment, field, ts, end);
                    opened.push(id);
                    self.target(t, F::Left, end);
                    if i + 1 == n {
                        self.rhs(*a.value, end);
                        break;
                    }
                }
                for id in opened.into_iter().rev() {
                    self.fit(id);
                    self.close();
                }
                self.close();
            }
            Stmt::AnnAssign(a) => {
                self.open(K::ExpressionStatement, F::No, start, end);
                let id = self.open(K::Assignment, F::No, start, end);
                self.target(*a.target, F::Left, end);
                self.type_node(*a.annotation, F::Type, end);
                if let Some(v) = a.value {
                    self.rhs(*v, end);
                }
                self.fit(id);
                self.close();
                self.close();
            }
            Stmt::AugAssign(a) => {
                self.open(K::ExpressionStatement, F::No, start, end);
                let id = self.open(K::AugmentedAssignment, F::No, start, end);
                let l = self.target(*a.target, F::Left, end);
                let (kind, text) = aug_op(a.op);
                let (os, oe) = self.token_after(self.end_of(l), text);
                self.leaf(kind, F::Operator, os, oe);
                self.rhs(*a.value, end);
                self.fit(id);
                self.close();
                self.close();
            }
            Stmt::If(i) => {
                self.open(K::IfStatement, F::No, start, end);
                self.expr(*i.test, F::Condition, end);
                self.stmts(i.body, F::Consequence, end);
                for c in i.elif_else_clauses {
                    let (cs, ce) = r(c.range);
                    match c.test {
                        Some(t) => {
                            self.open(K::ElifClause, F::Alternative, cs, ce);
                            self.expr(t, F::Condition, ce);
                            self.stmts(c.body, F::Consequence, ce);
                        }
                        None => {
                            self.open(K::ElseClause, F::Alternative, cs, ce);
                            self.stmts(c.body, F::Body, ce);
                        }
                    }
                    self.close();
                }
                self.close();
            }
            Stmt::For(f) => {
                self.open(K::ForStatement, F::No, start, end);
                self.target(*f.target, F::Left, end);
                self.rhs_field(*f.iter, F::Right, end);
                let body_end = f.body.last().map_or(end, |s| s.range().end().to_u32());
                self.stmts(f.body, F::Body, end);
                self.else_clause(f.orelse, body_end, end);
                self.close();
            }
            Stmt::While(w) => {
                self.open(K::WhileStatement, F::No, start, end);
                self.expr(*w.test, F::Condition, end);
                let body_end = w.body.last().map_or(end, |s| s.range().end().to_u32());
                self.stmts(w.body, F::Body, end);
                self.else_clause(w.orelse, body_end, end);
                self.close();
            }
            Stmt::Try(t) => {
                self.open(K::TryStatement, F::No, start, end);
                let mut last = t.body.last().map_or(end, |s| s.range().end().to_u32());
                self.stmts(t.body, F::Body, end);
                for h in t.handlers {
                    let ast::ExceptHandler::ExceptHandler(h) = h;
                    let (hs, he) = r(h.range);
                    last = he;
                    self.open(K::ExceptClause, F::No, hs, he);
                    let alias = h.name.map(|n| r(n.range));
                    let as_id = match (alias, h.type_.as_ref()) {
                        (Some((_, ae)), Some(ty)) => {
                            let ts = ty.range().start().to_u32();
                            Some(self.open(K::AsPattern, F::Value, ts, ae))
                        }
                        _ => None,
                    };
                    if let Some(ty) = h.type_ {
                        let field = if as_id.is_some() { F::No } else { F::Value };
                        match *ty {
                            Expr::Tuple(tu) if !tu.parenthesized => {
                                for x in tu.elts {
                                    self.expr(x, field, he);
                                }
                            }
                            other => {
                                self.expr(other, field, he);
                            }
                        }
                    }
                    if let (Some(id), Some((ns, ne))) = (as_id, alias) {
                        self.open(K::AsPatternTarget, F::Alias, ns, ne);
                        self.leaf(K::Identifier, F::No, ns, ne);
                        self.close();
                        self.fit(id);
                        self.close();
                    }
                    self.stmts(h.body, F::No, he);
                    self.close();
                }
                if !t.orelse.is_empty() {
                    let (ks, _) = self.token_after(last, "else");
                    let oe = t.orelse.last().map_or(end, |s| s.range().end().to_u32());
                    last = oe;
                    self.open(K::ElseClause, F::No, ks, oe);
                    self.stmts(t.orelse, F::Body, oe);
                    self.close();
                }
                if !t.finalbody.is_empty() {
                    let (ks, _) = self.token_after(last, "finally");
                    let fe = t.finalbody.last().map_or(end, |s| s.range().end().to_u32());
                    self.open(K::FinallyClause, F::No, ks, fe);
                    self.stmts(t.finalbody, F::No, fe);
                    self.close();
                }
                self.close();
            }
            Stmt::With(w) => {
                self.open(K::WithStatement, F::No, start, end);
                let (is, ie) = match (w.items.first(), w.items.last()) {
                    (Some(f), Some(l)) => (f.range.start().to_u32(), l.range.end().to_u32()),
                    _ => (start, start),
                };
                self.open(K::WithClause, F::No, is, ie);
                for item in w.items {
                    let (s2, e2) = r(item.range);
                    self.open(K::WithItem, F::No, s2, e2);
                    match item.optional_vars {
                        Some(v) => {
                            let id = self.open(K::AsPattern, F::Value, s2, e2);
                            self.expr(item.context_expr, F::No, e2);
                            let (vs, ve) = r(v.range());
                            self.open(K::AsPatternTarget, F::Alias, vs, ve);
                            self.expr(*v, F::No, ve);
                            self.close();
                            self.fit(id);
                            self.close();
                        }
                        None => {
                            self.expr(item.context_expr, F::Value, e2);
                        }
                    }
                    self.close();
                }
                self.close();
                self.stmts(w.body, F::Body, end);
                self.close();
            }
            Stmt::FunctionDef(f) => {
                let def_start = {
                    let s = self.word_before(f.name.range.start().to_u32());
                    if f.is_async { self.word_before(s) } else { s }
                };
                let decorated = !f.decorator_list.is_empty();
                if decorated {
                    self.open(K::DecoratedDefinition, F::No, start, end);
                    for d in f.decorator_list {
                        let (ds, de) = r(d.range);
                        self.open(K::Decorator, F::No, ds, de);
                        self.expr(d.expression, F::No, de);
                        self.close();
                    }
                }
                let field = if decorated { F::Definition } else { F::No };
                self.open(K::FunctionDefinition, field, def_start, end);
                let (ns, ne) = r(f.name.range);
                self.leaf(K::Identifier, F::Name, ns, ne);
                self.parameters(*f.parameters, K::Parameters, end);
                if let Some(ret) = f.returns {
                    self.type_node(*ret, F::ReturnType, end);
                }
                self.stmts(f.body, F::Body, end);
                self.close();
                if decorated {
                    self.close();
                }
            }
            Stmt::ClassDef(c) => {
                let def_start = self.word_before(c.name.range.start().to_u32());
                let decorated = !c.decorator_list.is_empty();
                if decorated {
                    self.open(K::DecoratedDefinition, F::No, start, end);
                    for d in c.decorator_list {
                        let (ds, de) = r(d.range);
                        self.open(K::Decorator, F::No, ds, de);
                        self.expr(d.expression, F::No, de);
                        self.close();
                    }
                }
                let field = if decorated { F::Definition } else { F::No };
                self.open(K::ClassDefinition, field, def_start, end);
                let (ns, ne) = r(c.name.range);
                self.leaf(K::Identifier, F::Name, ns, ne);
                if let Some(args) = c.arguments {
                    self.arguments(*args, F::Superclasses);
                }
                self.stmts(c.body, F::Body, end);
                self.close();
                if decorated {
                    self.close();
                }
            }
            Stmt::Return(ret) => {
                self.open(K::ReturnStatement, F::No, start, end);
                if let Some(v) = ret.value {
                    self.rhs_field(*v, F::No, end);
                }
                self.close();
            }
            Stmt::Delete(d) => {
                self.open(K::DeleteStatement, F::No, start, end);
                if d.targets.len() > 1 {
                    let s2 = d.targets[0].range().start().to_u32();
                    let id = self.open(K::ExpressionList, F::No, s2, end);
                    for t in d.targets {
                        self.expr(t, F::No, end);
                    }
                    self.fit(id);
                    self.close();
                } else {
                    for t in d.targets {
                        self.rhs_field(t, F::No, end);
                    }
                }
                self.close();
            }
            Stmt::Raise(ra) => {
                self.open(K::RaiseStatement, F::No, start, end);
                if let Some(e) = ra.exc {
                    self.rhs_field(*e, F::No, end);
                }
                if let Some(c) = ra.cause {
                    self.expr(*c, F::Cause, end);
                }
                self.close();
            }
            Stmt::Assert(a) => {
                self.open(K::AssertStatement, F::No, start, end);
                self.expr(*a.test, F::No, end);
                if let Some(m) = a.msg {
                    self.expr(*m, F::No, end);
                }
                self.close();
            }
            Stmt::Pass(_) => {
                self.leaf(K::PassStatement, F::No, start, end);
            }
            Stmt::Break(_) => {
                self.leaf(K::BreakStatement, F::No, start, end);
            }
            Stmt::Continue(_) => {
                self.leaf(K::ContinueStatement, F::No, start, end);
            }
            Stmt::Global(g) => {
                self.open(K::GlobalStatement, F::No, start, end);
                for n in g.names {
                    let (a, b) = r(n.range);
                    self.leaf(K::Identifier, F::No, a, b);
                }
                self.close();
            }
            Stmt::Nonlocal(g) => {
                self.open(K::NonlocalStatement, F::No, start, end);
                for n in g.names {
                    let (a, b) = r(n.range);
                    self.leaf(K::Identifier, F::No, a, b);
                }
                self.close();
            }
            Stmt::TypeAlias(t) => {
                self.open(K::TypeAliasStatement, F::No, start, end);
                self.type_node(*t.name, F::Left, end);
                self.type_node(*t.value, F::Right, end);
                self.close();
            }
            Stmt::Import(i) => {
                self.open(K::ImportStatement, F::No, start, end);
                for a in i.names {
                    self.alias(a);
                }
                self.close();
            }
            Stmt::ImportFrom(i) => {
                let future =
                    i.level == 0 && i.module.as_ref().is_some_and(|m| m.id == "__future__");
                let kind = if future {
                    K::FutureImportStatement
                } else {
                    K::ImportFromStatement
                };
                self.open(kind, F::No, start, end);
                if !future {
                    let (fs, fe) = self.token_after(start, "from");
                    let after_from = if fe > fs { fe } else { start };
                    if i.level > 0 {
                        let ps = self.skip_trivia(after_from);
                        let mut pe = ps;
                        let mut dots = 0;
                        while dots < i.level {
                            match self.src.get(pe as usize) {
                                Some(b'.') => {
                                    pe += 1;
                                    dots += 1;
                                }
                                Some(b' ' | b'\t' | b'\\' | b'\n' | b'\r') => pe += 1,
                                _ => break,
                            }
                        }
                        let re = i.module.as_ref().map_or(pe, |m| m.range.end().to_u32());
                        self.open(K::RelativeImport, F::ModuleName, ps, re);
                        self.leaf(K::ImportPrefix, F::No, ps, pe);
                        if let Some(m) = i.module {
                            let (ms, me) = r(m.range);
                            self.dotted(ms, me, F::No);
                        }
                        self.close();
                    } else if let Some(m) = i.module {
                        let (ms, me) = r(m.range);
                        self.dotted(ms, me, F::ModuleName);
                    }
                }
                for a in i.names {
                    if a.name.id == "*" {
                        let (s2, e2) = r(a.range);
                        self.leaf(K::WildcardImport, F::No, s2, e2);
                    } else {
                        self.alias(a);
                    }
                }
                self.close();
            }
            Stmt::Match(m) => {
                self.open(K::MatchStatement, F::No, start, end);
                self.rhs_field(*m.subject, F::Subject, end);
                let (bs, be) = match (m.cases.first(), m.cases.last()) {
                    (Some(f), Some(l)) => (f.range.start().to_u32(), l.range.end().to_u32()),
                    _ => (end, end),
                };
                self.open(K::Block, F::Body, bs, be);
                for c in m.cases {
                    let (cs, ce) = r(c.range);
                    self.open(K::CaseClause, F::Alternative, cs, ce);
                    let pat_end = c.pattern.range().end().to_u32();
                    match c.pattern {
                        Pattern::MatchSequence(seq)
                            if !matches!(
                                self.src.get(seq.range.start().to_usize()),
                                Some(b'(' | b'[')
                            ) =>
                        {
                            for p in seq.patterns {
                                self.case_pattern(p);
                            }
                        }
                        p => self.case_pattern(p),
                    }
                    if let Some(g) = c.guard {
                        let (ks, _) = self.token_after(pat_end, "if");
                        let ge = g.range().end().to_u32();
                        self.open(K::IfClause, F::Guard, ks, ge);
                        self.expr(*g, F::No, ge);
                        self.close();
                    }
                    self.stmts(c.body, F::Consequence, ce);
                    self.close();
                }
                self.close();
                self.close();
            }
            Stmt::IpyEscapeCommand(_) => {
                self.leaf(K::Error, F::No, start, end);
            }
        }
    }

    fn else_clause(&mut self, orelse: impl IntoIterator<Item = Stmt>, after: u32, end: u32) {
        let orelse: Vec<Stmt> = orelse.into_iter().collect();
        if orelse.is_empty() {
            return;
        }
        let (ks, _) = self.token_after(after, "else");
        let oe = orelse.last().map_or(end, |s| s.range().end().to_u32());
        self.open(K::ElseClause, F::Alternative, ks, oe);
        self.stmts(orelse, F::Body, oe);
        self.close();
    }

    /// `a.b.c` at `start..end`: a dotted name with one identifier a part.
    fn dotted(&mut self, start: u32, end: u32, field: F) {
        self.open(K::DottedName, field, start, end);
        let mut p = start;
        while p < end {
            let b = self.src[p as usize];
            if is_ident_byte(b) {
                let s = p;
                while p < end && is_ident_byte(self.src[p as usize]) {
                    p += 1;
                }
                self.leaf(K::Identifier, F::No, s, p);
            } else {
                p += 1;
            }
        }
        self.close();
    }

    fn alias(&mut self, a: ast::Alias) {
        let (s, e) = r(a.range);
        let (ns, ne) = r(a.name.range);
        match a.asname {
            Some(asname) => {
                self.open(K::AliasedImport, F::Name, s, e);
                self.dotted(ns, ne, F::Name);
                let (as_, ae) = r(asname.range);
                self.leaf(K::Identifier, F::Alias, as_, ae);
                self.close();
            }
            None => self.dotted(ns, ne, F::Name),
        }
    }

    fn parameters(&mut self, p: ast::Parameters, kind: K, limit: u32) {
        let (s, e) = r(p.range);
        self.open(kind, F::Parameters, s, e);
        let mut last = if kind == K::Parameters { s + 1 } else { s };
        let had_posonly = !p.posonlyargs.is_empty();
        for a in p.posonlyargs {
            last = a.range.end().to_u32();
            self.param_with_default(a, limit);
        }
        if had_posonly {
            let (ps, pe) = self.token_after(self.after_comma(last), "/");
            if pe > ps {
                last = pe;
                self.leaf(K::PositionalSeparator, F::No, ps, pe);
            }
        }
        for a in p.args {
            last = a.range.end().to_u32();
            self.param_with_default(a, limit);
        }
        match p.vararg {
            Some(v) => {
                self.splat_param(*v, K::ListSplatPattern, "*", limit);
            }
            None if !p.kwonlyargs.is_empty() => {
                let (ks, ke) = self.token_after(self.after_comma(last), "*");
                if ke > ks {
                    self.leaf(K::KeywordSeparator, F::No, ks, ke);
                }
            }
            None => {}
        }
        for a in p.kwonlyargs {
            self.param_with_default(a, limit);
        }
        if let Some(k) = p.kwarg {
            self.splat_param(*k, K::DictionarySplatPattern, "**", limit);
        }
        self.close();
    }

    /// `pos` moved past trivia and one comma.
    fn after_comma(&self, pos: u32) -> u32 {
        let p = self.skip_trivia(pos);
        if self.src.get(p as usize) == Some(&b',') {
            p + 1
        } else {
            pos
        }
    }

    fn param_with_default(&mut self, p: ast::ParameterWithDefault, limit: u32) {
        let (s, e) = r(p.range);
        let (ns, ne) = r(p.parameter.name.range);
        match (p.parameter.annotation, p.default) {
            (None, None) => {
                self.leaf(K::Identifier, F::No, ns, ne);
            }
            (None, Some(d)) => {
                self.open(K::DefaultParameter, F::No, s, e);
                self.leaf(K::Identifier, F::Name, ns, ne);
                self.expr(*d, F::Value, limit);
                self.close();
            }
            (Some(t), None) => {
                self.open(K::TypedParameter, F::No, s, e);
                self.leaf(K::Identifier, F::No, ns, ne);
                self.type_node(*t, F::Type, limit);
                self.close();
            }
            (Some(t), Some(d)) => {
                self.open(K::TypedDefaultParameter, F::No, s, e);
                self.leaf(K::Identifier, F::Name, ns, ne);
                self.type_node(*t, F::Type, limit);
                self.expr(*d, F::Value, limit);
                self.close();
            }
        }
    }

    fn splat_param(&mut self, p: ast::Parameter, kind: K, star: &str, limit: u32) {
        let (ns, ne) = r(p.name.range);
        let mut ss = ns;
        while ss > 0 && matches!(self.src[ss as usize - 1], b' ' | b'\t') {
            ss -= 1;
        }
        ss = ss.saturating_sub(star.len() as u32);
        match p.annotation {
            None => {
                self.open(kind, F::No, ss, ne);
                self.leaf(K::Identifier, F::No, ns, ne);
                self.close();
            }
            Some(t) => {
                let te = t.range().end().to_u32();
                self.open(K::TypedParameter, F::No, ss, te);
                self.open(kind, F::No, ss, ne);
                self.leaf(K::Identifier, F::No, ns, ne);
                self.close();
                self.type_node(*t, F::Type, limit);
                self.close();
            }
        }
    }

    /// An annotation: a `type` node around the expression.
    fn type_node(&mut self, e: Expr, field: F, limit: u32) {
        let (s, e2) = r(e.range());
        let id = self.open(K::Type, field, s, e2);
        self.expr(e, F::No, limit);
        self.fit(id);
        self.close();
    }

    /// The right side of an assignment: a bare tuple is an expression list.
    fn rhs(&mut self, e: Expr, limit: u32) {
        self.rhs_field(e, F::Right, limit);
    }

    fn rhs_field(&mut self, e: Expr, field: F, limit: u32) {
        match e {
            Expr::Tuple(t) if !t.parenthesized => {
                let (s, e2) = r(t.range);
                let id = self.open(K::ExpressionList, field, s, e2);
                for x in t.elts {
                    self.expr(x, F::No, limit);
                }
                self.fit(id);
                self.close();
            }
            other => {
                self.expr(other, field, limit);
            }
        }
    }

    /// An assignment or loop target (a pattern, in tree-sitter's terms).
    fn target(&mut self, e: Expr, field: F, limit: u32) -> u32 {
        stacker::maybe_grow(RED_ZONE, SEGMENT, || self.target_inner(e, field, limit))
    }

    fn target_inner(&mut self, e: Expr, field: F, limit: u32) -> u32 {
        let (s, en) = r(e.range());
        let layers = self.parens(s, en, limit);
        let (kind, elts) = match e {
            Expr::Tuple(t) if !t.parenthesized => (K::PatternList, t.elts),
            Expr::Tuple(t) if layers.is_empty() => (K::TuplePattern, t.elts),
            Expr::List(l) if layers.is_empty() => (K::ListPattern, l.elts),
            Expr::Starred(st) if layers.is_empty() => {
                let id = self.open(K::ListSplatPattern, field, s, en);
                self.target(*st.value, F::No, en);
                self.close();
                return id;
            }
            other => return self.expr(other, field, limit),
        };
        let id = self.open(kind, field, s, en);
        for x in elts {
            self.target(x, F::No, en);
        }
        if kind == K::PatternList {
            self.fit(id);
        }
        self.close();
        id
    }

    /// An expression, inside the parentheses written around it; returns
    /// the outermost node.
    fn expr(&mut self, e: Expr, field: F, limit: u32) -> u32 {
        stacker::maybe_grow(RED_ZONE, SEGMENT, || self.expr_outer(e, field, limit))
    }

    fn expr_outer(&mut self, e: Expr, field: F, limit: u32) -> u32 {
        let (s, en) = r(e.range());
        let layers = self.parens(s, en, limit);
        if layers.is_empty() {
            return self.expr_inner(e, field);
        }
        let mut first = None;
        for (i, (ps, pe)) in layers.iter().enumerate() {
            let f = if i == 0 { field } else { F::No };
            let id = self.open(K::ParenthesizedExpression, f, *ps, *pe);
            first.get_or_insert(id);
        }
        match e {
            Expr::Tuple(t) if !t.parenthesized => {
                let (ts, te) = r(t.range);
                let id = self.open(K::ExpressionList, F::No, ts, te);
                for x in t.elts {
                    self.expr(x, F::No, te);
                }
                self.fit(id);
                self.close();
            }
            other => {
                self.expr_inner(other, F::No);
            }
        }
        for _ in &layers {
            self.close();
        }
        first.unwrap_or(NIL)
    }

    #[allow(clippy::too_many_lines)]
    fn expr_inner(&mut self, e: Expr, field: F) -> u32 {
        let (s, en) = r(e.range());
        match e {
            Expr::Name(n) => {
                let kind = if n.ctx == ExprContext::Invalid {
                    K::Error
                } else {
                    K::Identifier
                };
                self.leaf(kind, field, s, en)
            }
            Expr::NumberLiteral(_) => {
                let t = self.src.get(s as usize..en as usize).unwrap_or(b"");
                let lower: Vec<u8> = t.iter().map(u8::to_ascii_lowercase).collect();
                let float = !(lower.starts_with(b"0x")
                    || lower.starts_with(b"0o")
                    || lower.starts_with(b"0b"))
                    && lower.iter().any(|&c| c == b'.' || c == b'e');
                let kind = if float { K::Float } else { K::Integer };
                self.leaf(kind, field, s, en)
            }
            Expr::BooleanLiteral(b) => {
                self.leaf(if b.value { K::True } else { K::False }, field, s, en)
            }
            Expr::NoneLiteral(_) => self.leaf(K::None, field, s, en),
            Expr::EllipsisLiteral(_) => self.leaf(K::Ellipsis, field, s, en),
            Expr::StringLiteral(mut sl) => {
                if !sl.value.is_implicit_concatenated() {
                    return self.string(field, (s, en), Vec::new());
                }
                let parts: Vec<(u32, u32)> = sl.value.iter_mut().map(|p| r(p.range)).collect();
                self.string_parts(field, s, en, parts.into_iter().map(|p| (p, Vec::new())))
            }
            Expr::BytesLiteral(mut bl) => {
                if !bl.value.is_implicit_concatenated() {
                    return self.string(field, (s, en), Vec::new());
                }
                let parts: Vec<(u32, u32)> = bl.value.iter_mut().map(|p| r(p.range)).collect();
                self.string_parts(field, s, en, parts.into_iter().map(|p| (p, Vec::new())))
            }
            Expr::FString(mut fs) => {
                let mut parts = Vec::new();
                for p in fs.value.iter_mut() {
                    match p {
                        ast::FStringPart::Literal(l) => parts.push((r(l.range), Vec::new())),
                        ast::FStringPart::FString(f) => {
                            parts.push((r(f.range), take_elements(&mut f.elements)));
                        }
                    }
                }
                self.string_parts(field, s, en, parts)
            }
            Expr::TString(mut ts) => {
                let mut parts = Vec::new();
                for t in ts.value.iter_mut() {
                    parts.push((r(t.range), take_elements(&mut t.elements)));
                }
                self.string_parts(field, s, en, parts)
            }
            Expr::Dict(d) => {
                let id = self.open(K::Dictionary, field, s, en);
                for item in d.items {
                    match item.key {
                        Some(k) => {
                            let ks = k.range().start().to_u32();
                            let ve = item.value.range().end().to_u32();
                            let pid = self.open(K::Pair, F::No, ks, ve);
                            self.expr(k, F::Key, en);
                            self.expr(item.value, F::Value, en);
                            self.fit(pid);
                            self.close();
                        }
                        None => {
                            let (vs, ve) = r(item.value.range());
                            let mut ss = vs;
                            while ss > 0 && self.src[ss as usize - 1] != b'*' {
                                ss -= 1;
                            }
                            let ss = ss.saturating_sub(2);
                            self.open(K::DictionarySplat, F::No, ss.min(vs), ve);
                            self.expr(item.value, F::No, en);
                            self.close();
                        }
                    }
                }
                self.close();
                id
            }
            Expr::Set(x) => self.collection(K::Set, field, s, en, x.elts),
            Expr::List(x) => self.collection(K::List, field, s, en, x.elts),
            Expr::Tuple(x) => {
                if x.parenthesized {
                    self.collection(K::Tuple, field, s, en, x.elts)
                } else {
                    let id = self.open(K::ExpressionList, field, s, en);
                    for y in x.elts {
                        self.expr(y, F::No, en);
                    }
                    self.fit(id);
                    self.close();
                    id
                }
            }
            Expr::Starred(st) => {
                let id = self.open(K::ListSplat, field, s, en);
                self.expr(*st.value, F::No, en);
                self.close();
                id
            }
            Expr::ListComp(c) => {
                let id = self.open(K::ListComprehension, field, s, en);
                self.expr(*c.elt, F::Body, en);
                self.comprehensions(c.generators, en);
                self.close();
                id
            }
            Expr::SetComp(c) => {
                let id = self.open(K::SetComprehension, field, s, en);
                self.expr(*c.elt, F::Body, en);
                self.comprehensions(c.generators, en);
                self.close();
                id
            }
            Expr::Generator(c) => {
                let id = self.open(K::GeneratorExpression, field, s, en);
                self.expr(*c.elt, F::Body, en);
                self.comprehensions(c.generators, en);
                self.close();
                id
            }
            Expr::DictComp(c) => {
                let id = self.open(K::DictionaryComprehension, field, s, en);
                let pid = self.open(K::Pair, F::Body, s, en);
                if let Some(k) = c.key {
                    self.expr(*k, F::Key, en);
                }
                self.expr(*c.value, F::Value, en);
                let first = self.nodes[pid as usize].first;
                if first != NIL {
                    self.nodes[pid as usize].start = self.start_of(first);
                    self.nodes[pid as usize].end = self.start_of(first);
                }
                self.fit_end(pid);
                self.close();
                self.comprehensions(c.generators, en);
                self.close();
                id
            }
            Expr::Call(c) => {
                let id = self.open(K::Call, field, s, en);
                self.expr(*c.func, F::Function, en);
                let args = c.arguments;
                let generator = args.keywords.is_empty()
                    && args.args.len() == 1
                    && matches!(&args.args[0], Expr::Generator(g) if !g.parenthesized);
                if generator {
                    let (as_, ae) = r(args.range);
                    if let Some(Expr::Generator(g)) = args.args.into_vec().pop() {
                        self.open(K::GeneratorExpression, F::Arguments, as_, ae);
                        self.expr(*g.elt, F::Body, ae);
                        self.comprehensions(g.generators, ae);
                        self.close();
                    }
                } else {
                    self.arguments(args, F::Arguments);
                }
                self.fit(id);
                self.close();
                id
            }
            Expr::Attribute(a) => {
                let id = self.open(K::Attribute, field, s, en);
                self.expr(*a.value, F::Object, en);
                let (as_, ae) = r(a.attr.range);
                self.leaf(K::Identifier, F::Attribute, as_, ae);
                self.fit(id);
                self.close();
                id
            }
            Expr::Subscript(sub) => {
                let id = self.open(K::Subscript, field, s, en);
                self.expr(*sub.value, F::Value, en);
                match *sub.slice {
                    Expr::Tuple(t) if !t.parenthesized => {
                        for x in t.elts {
                            self.expr(x, F::Subscript, en);
                        }
                    }
                    other => {
                        self.expr(other, F::Subscript, en);
                    }
                }
                self.fit(id);
                self.close();
                id
            }
            Expr::Slice(sl) => {
                let id = self.open(K::Slice, field, s, en);
                for x in [sl.lower, sl.upper, sl.step].into_iter().flatten() {
                    self.expr(*x, F::No, en);
                }
                self.close();
                id
            }
            Expr::BinOp(b) => {
                let id = self.open(K::BinaryOperator, field, s, en);
                let l = self.expr(*b.left, F::Left, en);
                let (kind, text) = bin_op(b.op);
                let (os, oe) = self.token_after(self.end_of(l), text);
                self.leaf(kind, F::Operator, os, oe);
                self.expr(*b.right, F::Right, en);
                self.fit(id);
                self.close();
                id
            }
            Expr::UnaryOp(u) => {
                if u.op == UnaryOp::Not {
                    let id = self.open(K::NotOperator, field, s, en);
                    self.expr(*u.operand, F::Argument, en);
                    self.close();
                    return id;
                }
                let id = self.open(K::UnaryOperator, field, s, en);
                let kind = match u.op {
                    UnaryOp::Invert => K::OpInvert,
                    UnaryOp::UAdd => K::OpAdd,
                    _ => K::OpSub,
                };
                self.leaf(kind, F::Operator, s, s + 1);
                self.expr(*u.operand, F::Argument, en);
                self.close();
                id
            }
            Expr::BoolOp(b) => {
                let (kind, text) = match b.op {
                    BoolOp::And => (K::OpAnd, "and"),
                    BoolOp::Or => (K::OpOr, "or"),
                };
                let n = b.values.len();
                if n < 2 {
                    let id = self.open(K::Error, field, s, en);
                    for v in b.values {
                        self.expr(v, F::No, en);
                    }
                    self.close();
                    return id;
                }
                // Left-nested, as tree-sitter parses `a or b or c`.
                let mut ids = Vec::with_capacity(n - 1);
                for i in 0..n - 1 {
                    let f = if i == 0 { field } else { F::Left };
                    ids.push(self.open(K::BooleanOperator, f, s, en));
                }
                let mut values = b.values.into_iter();
                let mut prev = match values.next() {
                    Some(v) => self.expr(v, F::Left, en),
                    None => NIL,
                };
                for (i, v) in values.enumerate() {
                    let (os, oe) = self.token_after(self.end_of(prev), text);
                    self.leaf(kind, F::Operator, os, oe);
                    self.expr(v, F::Right, en);
                    let id = ids[n - 2 - i];
                    self.nodes[id as usize].end = 0;
                    self.nodes[id as usize].start = u32::MAX;
                    self.fit(id);
                    self.close();
                    prev = id;
                }
                ids[0]
            }
            Expr::Compare(c) => {
                let id = self.open(K::ComparisonOperator, field, s, en);
                let mut prev = self.expr(*c.left, F::No, en);
                for (op, right) in c.ops.iter().zip(c.comparators.into_vec()) {
                    let (kind, first, second) = cmp_op(*op);
                    let (os, mut oe) = self.token_after(self.end_of(prev), first);
                    if let Some(w) = second {
                        let (_, e2) = self.token_after(oe, w);
                        oe = e2;
                    }
                    self.leaf(kind, F::Operators, os, oe);
                    prev = self.expr(right, F::No, en);
                }
                self.fit(id);
                self.close();
                id
            }
            Expr::If(i) => {
                let id = self.open(K::ConditionalExpression, field, s, en);
                self.expr(*i.body, F::No, en);
                self.expr(*i.test, F::No, en);
                self.expr(*i.orelse, F::No, en);
                self.fit(id);
                self.close();
                id
            }
            Expr::Named(n) => {
                let id = self.open(K::NamedExpression, field, s, en);
                self.expr(*n.target, F::Name, en);
                self.expr(*n.value, F::Value, en);
                self.fit(id);
                self.close();
                id
            }
            Expr::Lambda(l) => {
                let id = self.open(K::Lambda, field, s, en);
                if let Some(p) = l.parameters {
                    self.parameters(*p, K::LambdaParameters, en);
                }
                self.expr(*l.body, F::Body, en);
                self.close();
                id
            }
            Expr::Await(a) => {
                let id = self.open(K::Await, field, s, en);
                self.expr(*a.value, F::No, en);
                self.close();
                id
            }
            Expr::Yield(y) => {
                let id = self.open(K::Yield, field, s, en);
                if let Some(v) = y.value {
                    self.rhs_field(*v, F::No, en);
                }
                self.close();
                id
            }
            Expr::YieldFrom(y) => {
                let id = self.open(K::Yield, field, s, en);
                self.expr(*y.value, F::No, en);
                self.close();
                id
            }
            Expr::IpyEscapeCommand(_) => self.leaf(K::Error, field, s, en),
        }
    }

    /// Sets a node's end to its last child's end.
    fn fit_end(&mut self, id: u32) {
        let mut c = self.nodes[id as usize].first;
        while c != NIL {
            let e = self.nodes[c as usize].end;
            let n = &mut self.nodes[id as usize];
            n.end = n.end.max(e);
            c = self.nodes[c as usize].next;
        }
    }

    fn collection(&mut self, kind: K, field: F, s: u32, en: u32, elts: Vec<Expr>) -> u32 {
        let id = self.open(kind, field, s, en);
        for x in elts {
            self.expr(x, F::No, en);
        }
        self.close();
        id
    }

    fn comprehensions(&mut self, gens: Vec<ast::Comprehension>, limit: u32) {
        for g in gens {
            let (gs, ge) = r(g.range);
            let iter_end = g.iter.range().end().to_u32();
            let fid = self.open(K::ForInClause, F::No, gs, iter_end.max(gs));
            self.target(g.target, F::Left, limit);
            self.expr(g.iter, F::Right, limit);
            self.fit_end(fid);
            let iter_end = self.end_of(fid);
            self.close();
            let mut after = iter_end;
            for cond in g.ifs {
                let (ks, _) = self.token_after(after, "if");
                let ce = cond.range().end().to_u32();
                let iid = self.open(K::IfClause, F::No, ks, ce);
                self.expr(cond, F::No, limit);
                self.fit_end(iid);
                after = self.end_of(iid);
                self.close();
            }
            let _ = ge;
        }
    }

    fn arguments(&mut self, args: ast::Arguments, field: F) {
        let (s, e) = r(args.range);
        self.open(K::ArgumentList, field, s, e);
        let limit = e.saturating_sub(1);
        if args.keywords.is_empty() {
            for a in args.args.into_vec() {
                self.expr(a, F::No, limit);
            }
            self.close();
            return;
        }
        // Positional and keyword arguments, in the order written.
        let mut items: Vec<(u32, Result<Expr, ast::Keyword>)> = Vec::new();
        for a in args.args.into_vec() {
            items.push((a.range().start().to_u32(), Ok(a)));
        }
        for k in args.keywords {
            items.push((k.range.start().to_u32(), Err(k)));
        }
        items.sort_by_key(|(at, _)| *at);
        for (_, item) in items {
            match item {
                Ok(a) => {
                    self.expr(a, F::No, limit);
                }
                Err(k) => {
                    let (ks, ke) = r(k.range);
                    match k.arg {
                        Some(name) => {
                            self.open(K::KeywordArgument, F::No, ks, ke);
                            let (ns, ne) = r(name.range);
                            self.leaf(K::Identifier, F::Name, ns, ne);
                            self.expr(k.value, F::Value, limit);
                            self.close();
                        }
                        None => {
                            self.open(K::DictionarySplat, F::No, ks, ke);
                            self.expr(k.value, F::No, limit);
                            self.close();
                        }
                    }
                }
            }
        }
        self.close();
    }

    /// A string literal (one part) or an implicit concatenation.
    fn string_parts(
        &mut self,
        field: F,
        s: u32,
        en: u32,
        parts: impl IntoIterator<Item = ((u32, u32), Vec<ast::InterpolatedElement>)>,
    ) -> u32 {
        let parts: Vec<_> = parts.into_iter().collect();
        if parts.len() == 1 {
            let Some((range, elements)) = parts.into_iter().next() else {
                return NIL;
            };
            return self.string(field, range, elements);
        }
        let id = self.open(K::ConcatenatedString, field, s, en);
        for (range, elements) in parts {
            self.string(F::No, range, elements);
        }
        self.close();
        id
    }

    /// One string literal: start, contents (with escape sequences),
    /// interpolations, end.
    fn string(
        &mut self,
        field: F,
        (s, e): (u32, u32),
        elements: Vec<ast::InterpolatedElement>,
    ) -> u32 {
        let id = self.open(K::String, field, s, e);
        let src = self.src;
        let mut p = s as usize;
        let mut raw = false;
        let mut bytes = false;
        let mut format = false;
        while let Some(&c) = src.get(p).filter(|c| c.is_ascii_alphabetic()) {
            match c.to_ascii_lowercase() {
                b'r' => raw = true,
                b'b' => bytes = true,
                b'f' | b't' => format = true,
                _ => {}
            }
            p += 1;
        }
        let quote = src.get(p).copied().unwrap_or(b'"');
        let triple = src.get(p + 1) == Some(&quote) && src.get(p + 2) == Some(&quote);
        let qlen: u32 = if triple { 3 } else { 1 };
        let cs = (p as u32 + qlen).min(e);
        let closed = e >= cs + qlen && src.get(e as usize - 1) == Some(&quote);
        let ce = if closed { e - qlen } else { e };
        self.leaf(K::StringStart, F::No, s, cs);
        let mut pos = cs;
        for el in elements {
            let (is, ie) = r(el.range);
            if is > pos {
                self.content(pos, is.min(ce), raw, bytes, format, quote);
            }
            self.interpolation(el);
            pos = pos.max(ie);
        }
        if ce > pos {
            self.content(pos, ce, raw, bytes, format, quote);
        }
        if closed {
            self.leaf(K::StringEnd, F::No, ce, e);
        }
        self.close();
        id
    }

    fn interpolation(&mut self, el: ast::InterpolatedElement) {
        let (is, ie) = r(el.range);
        self.open(K::Interpolation, F::No, is, ie);
        let expr_end = el.expression.range().end().to_u32();
        self.rhs_field(*el.expression, F::Expression, ie);
        if el.conversion != ast::ConversionFlag::None {
            let mut p = expr_end;
            while p < ie && self.src[p as usize] != b'!' {
                p += 1;
            }
            self.leaf(K::TypeConversion, F::TypeConversion, p, (p + 2).min(ie));
        }
        if let Some(mut spec) = el.format_spec {
            let (ss, se) = r(spec.range);
            let colon = if ss > 0 && self.src[ss as usize - 1] == b':' {
                ss - 1
            } else {
                ss
            };
            self.open(K::FormatSpecifier, F::FormatSpecifier, colon, se);
            for inner in take_elements(&mut spec.elements) {
                let (a, b) = r(inner.range);
                self.open(K::FormatExpression, F::No, a, b);
                self.rhs_field(*inner.expression, F::Expression, b);
                self.close();
            }
            self.close();
        }
        self.close();
    }

    /// The contents of a string between `start` and `end`: one
    /// `string_content` node with its escape sequences, as
    /// tree-sitter-python's scanner splits them.
    fn content(&mut self, start: u32, end: u32, raw: bool, bytes: bool, format: bool, quote: u8) {
        if end <= start {
            return;
        }
        self.open(K::StringContent, F::No, start, end);
        let src = self.src;
        let mut i = start as usize;
        let end = end as usize;
        while i < end {
            let c = src[i];
            if format && (c == b'{' || c == b'}') && src.get(i + 1) == Some(&c) && i + 1 < end {
                self.leaf(K::EscapeInterpolation, F::No, i as u32, i as u32 + 2);
                i += 2;
                continue;
            }
            if c == b'\\' {
                if raw {
                    i += 1;
                    if i < end && (src[i] == quote || src[i] == b'\\') {
                        i += 1;
                    }
                    continue;
                }
                if bytes && matches!(src.get(i + 1), Some(b'N' | b'u' | b'U')) {
                    i += 2;
                    continue;
                }
                match escape_len(&src[i..end]) {
                    Some(n) => {
                        self.leaf(K::EscapeSequence, F::No, i as u32, (i + n) as u32);
                        i += n;
                    }
                    None => i += 1,
                }
                continue;
            }
            i += 1;
        }
        self.close();
    }

    fn case_pattern(&mut self, p: Pattern) {
        stacker::maybe_grow(RED_ZONE, SEGMENT, || self.case_pattern_inner(p));
    }

    /// A `case_pattern` node around a pattern (an `as` pattern, a keyword
    /// pattern or a simple pattern).
    fn case_pattern_inner(&mut self, p: Pattern) {
        let (s, e) = r(p.range());
        self.open(K::CasePattern, F::No, s, e);
        match p {
            Pattern::MatchAs(a) if a.pattern.is_some() => {
                let (ps, pe) = r(a.range);
                self.open(K::AsPattern, F::No, ps, pe);
                if let Some(inner) = a.pattern {
                    self.case_pattern(*inner);
                }
                if let Some(n) = a.name {
                    let (ns, ne) = r(n.range);
                    self.leaf(K::Identifier, F::No, ns, ne);
                }
                self.close();
            }
            other => self.simple_pattern(other),
        }
        self.close();
    }

    /// A pattern as tree-sitter's `_simple_pattern` (flattened into its parent).
    fn simple_pattern(&mut self, p: Pattern) {
        let (s, e) = r(p.range());
        match p {
            Pattern::MatchValue(v) => match *v.value {
                Expr::UnaryOp(u) if u.op == UnaryOp::USub => {
                    self.leaf(K::OpSub, F::No, s, s + 1);
                    self.expr(*u.operand, F::No, e);
                }
                Expr::Attribute(_) | Expr::Name(_) => self.dotted(s, e, F::No),
                other => {
                    self.expr(other, F::No, e);
                }
            },
            Pattern::MatchSingleton(v) => {
                let kind = match v.value {
                    ast::Singleton::None => K::None,
                    ast::Singleton::True => K::True,
                    ast::Singleton::False => K::False,
                };
                self.leaf(kind, F::No, s, e);
            }
            Pattern::MatchAs(a) => {
                // A capture (`x`: a dotted name) or the wildcard `_` (nothing named).
                if let Some(n) = a.name {
                    let (ns, ne) = r(n.range);
                    self.dotted(ns, ne, F::No);
                }
            }
            Pattern::MatchOr(o) => {
                self.open(K::UnionPattern, F::No, s, e);
                for alt in o.patterns {
                    stacker::maybe_grow(RED_ZONE, SEGMENT, || self.simple_pattern(alt));
                }
                self.close();
            }
            Pattern::MatchSequence(seq) => {
                let kind = if self.src.get(s as usize) == Some(&b'[') {
                    K::ListPattern
                } else {
                    K::TuplePattern
                };
                self.open(kind, F::No, s, e);
                for x in seq.patterns {
                    self.case_pattern(x);
                }
                self.close();
            }
            Pattern::MatchMapping(m) => {
                self.open(K::DictPattern, F::No, s, e);
                for (k, v) in m.keys.into_iter().zip(m.patterns) {
                    self.expr(k, F::Key, e);
                    self.case_pattern(v);
                }
                if let Some(rest) = m.rest {
                    let (rs, re) = r(rest.range);
                    self.open(K::SplatPattern, F::No, rs.saturating_sub(2), re);
                    self.leaf(K::Identifier, F::No, rs, re);
                    self.close();
                }
                self.close();
            }
            Pattern::MatchClass(c) => {
                self.open(K::ClassPattern, F::No, s, e);
                let (cs, ce) = r(c.cls.range());
                self.dotted(cs, ce, F::No);
                for x in c.arguments.patterns {
                    self.case_pattern(x);
                }
                for kw in c.arguments.keywords {
                    let (ks, ke) = r(kw.range);
                    self.open(K::CasePattern, F::No, ks, ke);
                    self.open(K::KeywordPattern, F::No, ks, ke);
                    let (as_, ae) = r(kw.attr.range);
                    self.leaf(K::Identifier, F::No, as_, ae);
                    stacker::maybe_grow(RED_ZONE, SEGMENT, || self.simple_pattern(kw.pattern));
                    self.close();
                    self.close();
                }
                self.close();
            }
            Pattern::MatchStar(st) => {
                self.open(K::SplatPattern, F::No, s, e);
                if let Some(n) = st.name {
                    let (ns, ne) = r(n.range);
                    self.leaf(K::Identifier, F::No, ns, ne);
                }
                self.close();
            }
        }
    }
}

/// The interpolations of an f-string, taken out of it (their expressions
/// are converted, and dropped, one at a time).
fn take_elements(elements: &mut ast::InterpolatedStringElements) -> Vec<ast::InterpolatedElement> {
    let mut out = Vec::new();
    for el in elements.iter_mut() {
        if let InterpolatedStringElement::Interpolation(i) = el {
            let placeholder = ast::InterpolatedElement {
                range: i.range,
                node_index: ast::AtomicNodeIndex::default(),
                expression: Box::new(Expr::NoneLiteral(ast::ExprNoneLiteral::default())),
                debug_text: None,
                conversion: ast::ConversionFlag::None,
                format_spec: None,
            };
            out.push(std::mem::replace(i, placeholder));
        }
    }
    out
}

/// The length of the escape sequence at the start of `t` (which starts
/// with a backslash), as tree-sitter-python's `escape_sequence` matches it.
fn escape_len(t: &[u8]) -> Option<usize> {
    let hex = |from: usize, n: usize| -> bool {
        t.len() >= from + n && t[from..from + n].iter().all(u8::is_ascii_hexdigit)
    };
    match t.get(1)? {
        b'u' if hex(2, 4) => Some(6),
        b'U' if hex(2, 8) => Some(10),
        b'x' if hex(2, 2) => Some(4),
        b'0'..=b'9' => {
            let n = t[1..]
                .iter()
                .take(3)
                .take_while(|c| c.is_ascii_digit())
                .count();
            Some(1 + n)
        }
        b'\r' if t.get(2) == Some(&b'\n') => Some(3),
        b'\n' => Some(2),
        b'\'' | b'"' | b'a' | b'b' | b'f' | b'r' | b'n' | b't' | b'v' | b'\\' => Some(2),
        b'N' if t.get(2) == Some(&b'{') => {
            let close = t[3..].iter().position(|&c| c == b'}')?;
            (close > 0).then_some(3 + close + 1)
        }
        _ => None,
    }
}

fn bin_op(op: Operator) -> (K, &'static str) {
    match op {
        Operator::Add => (K::OpAdd, "+"),
        Operator::Sub => (K::OpSub, "-"),
        Operator::Mult => (K::OpMult, "*"),
        Operator::MatMult => (K::OpMatMult, "@"),
        Operator::Div => (K::OpDiv, "/"),
        Operator::Mod => (K::OpMod, "%"),
        Operator::Pow => (K::OpPow, "**"),
        Operator::LShift => (K::OpLShift, "<<"),
        Operator::RShift => (K::OpRShift, ">>"),
        Operator::BitOr => (K::OpBitOr, "|"),
        Operator::BitXor => (K::OpBitXor, "^"),
        Operator::BitAnd => (K::OpBitAnd, "&"),
        Operator::FloorDiv => (K::OpFloorDiv, "//"),
    }
}

fn aug_op(op: Operator) -> (K, &'static str) {
    match op {
        Operator::Add => (K::OpAugAdd, "+="),
        Operator::Sub => (K::OpAugSub, "-="),
        Operator::Mult => (K::OpAugMult, "*="),
        Operator::MatMult => (K::OpAugMatMult, "@="),
        Operator::Div => (K::OpAugDiv, "/="),
        Operator::Mod => (K::OpAugMod, "%="),
        Operator::Pow => (K::OpAugPow, "**="),
        Operator::LShift => (K::OpAugLShift, "<<="),
        Operator::RShift => (K::OpAugRShift, ">>="),
        Operator::BitOr => (K::OpAugBitOr, "|="),
        Operator::BitXor => (K::OpAugBitXor, "^="),
        Operator::BitAnd => (K::OpAugBitAnd, "&="),
        Operator::FloorDiv => (K::OpAugFloorDiv, "//="),
    }
}

fn cmp_op(op: CmpOp) -> (K, &'static str, Option<&'static str>) {
    match op {
        CmpOp::Eq => (K::OpEq, "==", None),
        CmpOp::NotEq => (K::OpNotEq, "!=", None),
        CmpOp::Lt => (K::OpLt, "<", None),
        CmpOp::LtE => (K::OpLtE, "<=", None),
        CmpOp::Gt => (K::OpGt, ">", None),
        CmpOp::GtE => (K::OpGtE, ">=", None),
        CmpOp::Is => (K::OpIs, "is", None),
        CmpOp::IsNot => (K::OpIsNot, "is", Some("not")),
        CmpOp::In => (K::OpIn, "in", None),
        CmpOp::NotIn => (K::OpNotIn, "not", Some("in")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The named nodes under the root: `kind[field] text` per line, indented.
    fn dump(src: &str) -> String {
        fn go(n: Py<'_>, src: &str, depth: usize, out: &mut String) {
            let text = src.get(n.start_byte()..n.end_byte()).unwrap_or("?");
            let field = n.field_name();
            let field = if field.is_empty() {
                String::new()
            } else {
                format!("[{field}]")
            };
            out.push_str(&format!(
                "{}{}{field} {text:?}\n",
                "  ".repeat(depth),
                n.kind()
            ));
            for c in n.all().filter(Py::is_named) {
                go(c, src, depth + 1, out);
            }
        }
        let tree = parse(src);
        let mut out = String::new();
        for c in tree.root_node().all().filter(Py::is_named) {
            go(c, src, 0, &mut out);
        }
        out
    }

    #[test]
    fn parentheses_operators_and_chains_are_nodes() {
        let d = dump("A = B = (1) + f((x), y)\n");
        assert_eq!(
            d,
            "expression_statement \"A = B = (1) + f((x), y)\"\n\
             \x20 assignment \"A = B = (1) + f((x), y)\"\n\
             \x20   identifier[left] \"A\"\n\
             \x20   assignment[right] \"B = (1) + f((x), y)\"\n\
             \x20     identifier[left] \"B\"\n\
             \x20     binary_operator[right] \"(1) + f((x), y)\"\n\
             \x20       parenthesized_expression[left] \"(1)\"\n\
             \x20         integer \"1\"\n\
             \x20       call[right] \"f((x), y)\"\n\
             \x20         identifier[function] \"f\"\n\
             \x20         argument_list[arguments] \"((x), y)\"\n\
             \x20           parenthesized_expression \"(x)\"\n\
             \x20             identifier \"x\"\n\
             \x20           identifier \"y\"\n"
        );
        let tree = parse("X = a == b and not c\n");
        let mut ops = Vec::new();
        super::super::walk::preorder(tree.root_node(), |n| {
            if !n.is_named() {
                ops.push(n.kind());
            }
            true
        });
        assert_eq!(ops, ["==", "and"]);
    }

    #[test]
    fn strings_are_split_as_tree_sitter_python_splits_them() {
        let d = dump("S = 'a\\n\\qb' f'{x!r:>4}{{'\n");
        assert!(d.contains("escape_sequence \"\\\\n\""), "{d}");
        assert!(!d.contains("escape_sequence \"\\\\q\""), "{d}");
        assert!(d.contains("concatenated_string"), "{d}");
        assert!(d.contains("type_conversion[type_conversion] \"!r\""), "{d}");
        assert!(d.contains("format_specifier[format_specifier]"), "{d}");
        assert!(d.contains("escape_interpolation \"{{\""), "{d}");
        let raw = dump("S = r'a\\nb'\n");
        assert!(!raw.contains("escape_sequence"), "{raw}");
    }

    #[test]
    fn keywords_and_clauses_are_located_in_the_source() {
        let src = "try:\n    import x\nexcept (A, B) as e:\n    pass\nelse:\n    pass\nfinally:\n    pass\n@d\ndef f(a, *, b=1):\n    return a\n";
        let d = dump(src);
        for line in [
            "except_clause \"except (A, B) as e:\\n    pass\"",
            "as_pattern[value] \"(A, B) as e\"",
            "else_clause \"else:\\n    pass\"",
            "finally_clause \"finally:\\n    pass\"",
            "decorated_definition \"@d\\ndef f(a, *, b=1):\\n    return a\"",
            "function_definition[definition] \"def f(a, *, b=1):\\n    return a\"",
            "keyword_separator \"*\"",
            "default_parameter \"b=1\"",
        ] {
            assert!(d.contains(line), "{line} in\n{d}");
        }
    }

    #[test]
    fn syntax_errors_are_recorded_and_what_parses_is_kept() {
        let tree = parse("A = 1\nB = (\nC = 3\n");
        assert!(tree.first_error().is_some());
        assert_eq!(
            tree.root_node().named_child(0).map(|n| n.kind()),
            Some("expression_statement")
        );
        assert!(parse("A = 1\n").first_error().is_none());
    }
}
