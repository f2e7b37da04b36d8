//! Walks over the syntax tree with one cursor each, in document order.
//!
//! `Node::walk()` allocates a cursor, and `named_children(&mut node.walk())`
//! in a walk allocates one per node visited (about 40 per line of a settings
//! file before these walks). A walk here allocates one cursor in all, never
//! recurses, and compares node kinds by id ([`kind_id`]) rather than by name
//! (`Node::kind` measures and checks the name's C string on every call).

use tree_sitter::Node as Ts;

/// Calls `visit` on `root` and on every node under it (named or anonymous),
/// in document order (a node before its children), moving one cursor.
/// `visit` returns whether to walk under the node it was given.
pub(super) fn preorder<'t>(root: Ts<'t>, mut visit: impl FnMut(Ts<'t>) -> bool) {
    let mut c = root.walk();
    // Levels below `root` (`TreeCursor::depth` walks the cursor's stack).
    let mut depth = 0usize;
    let mut descend = visit(root);
    loop {
        if descend && c.goto_first_child() {
            depth += 1;
            descend = visit(c.node());
            continue;
        }
        loop {
            if depth == 0 {
                return;
            }
            if c.goto_next_sibling() {
                break;
            }
            if !c.goto_parent() {
                return;
            }
            depth -= 1;
        }
        descend = visit(c.node());
    }
}

/// The ids of the named node kinds the readers look for (see [`kind_id`]).
pub(super) struct Kinds {
    pub call: u16,
    pub attribute: u16,
    pub string: u16,
    pub string_content: u16,
    pub pair: u16,
    pub keyword_argument: u16,
    pub assignment: u16,
    pub import_statement: u16,
    pub import_from_statement: u16,
    /// Field ids, for [`Ts::child_by_field_id`] (0: no such field).
    pub function: u16,
    pub field_attribute: u16,
    pub key: u16,
    pub value: u16,
    pub name: u16,
    pub left: u16,
    pub right: u16,
}

impl Kinds {
    /// The ids in the grammar of `n`.
    pub fn new(n: Ts<'_>) -> Self {
        Kinds {
            call: kind_id(n, "call"),
            attribute: kind_id(n, "attribute"),
            string: kind_id(n, "string"),
            string_content: kind_id(n, "string_content"),
            pair: kind_id(n, "pair"),
            keyword_argument: kind_id(n, "keyword_argument"),
            assignment: kind_id(n, "assignment"),
            import_statement: kind_id(n, "import_statement"),
            import_from_statement: kind_id(n, "import_from_statement"),
            function: field_id(n, "function"),
            field_attribute: field_id(n, "attribute"),
            key: field_id(n, "key"),
            value: field_id(n, "value"),
            name: field_id(n, "name"),
            left: field_id(n, "left"),
            right: field_id(n, "right"),
        }
    }
}

/// The id of the named node kind `kind` in the grammar of `n`, to compare
/// with [`Ts::kind_id`] (an id that is no kind, 0, when the grammar has none).
pub(super) fn kind_id(n: Ts<'_>, kind: &str) -> u16 {
    n.language().id_for_node_kind(kind, true)
}

/// The id of the field `name` in the grammar of `n` (0 when it has none).
fn field_id(n: Ts<'_>, name: &str) -> u16 {
    n.language().field_id_for_name(name).map_or(0, u16::from)
}
