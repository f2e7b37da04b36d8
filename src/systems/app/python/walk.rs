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

/// The nodes of `sorted` (nodes of one tree, in document order, as
/// [`preorder`] visits them) that are `n` or under it, in that order: those
/// inside its byte range. A node around `n` that starts where `n` starts
/// ends after it (the lists hold calls, which are wider than any child).
pub(super) fn within<'t>(sorted: &[Ts<'t>], n: Ts<'_>) -> Vec<Ts<'t>> {
    let lo = sorted.partition_point(|c| c.start_byte() < n.start_byte());
    let hi = sorted.partition_point(|c| c.start_byte() < n.end_byte());
    sorted
        .get(lo..hi.max(lo))
        .unwrap_or(&[])
        .iter()
        .filter(|c| c.end_byte() <= n.end_byte())
        .copied()
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;
    use tree_sitter::{Parser, Tree};

    fn parse(src: &str) -> Tree {
        let mut p = Parser::new();
        p.set_language(&tree_sitter_python::LANGUAGE.into())
            .expect("the Python grammar loads");
        p.parse(src, None).expect("the source parses")
    }

    /// Every node under `n` in document order, by recursion.
    fn recursive<'t>(n: Ts<'t>, out: &mut Vec<Ts<'t>>) {
        out.push(n);
        let mut c = n.walk();
        let children: Vec<Ts<'t>> = n.children(&mut c).collect();
        for child in children {
            recursive(child, out);
        }
    }

    const SRC: &str = "import os\nA = f(g(1), h(x=[2, 'a']))\nclass C:\n    B = e(3)\nD = 4\n";

    #[test]
    fn preorder_visits_every_node_in_document_order_and_stays_under_its_root() {
        let tree = parse(SRC);
        let root = tree.root_node();
        for start in [root, root.named_child(1).expect("the assignment")] {
            let mut expected = Vec::new();
            recursive(start, &mut expected);
            let mut seen = Vec::new();
            preorder(start, |n| {
                seen.push(n);
                true
            });
            assert_eq!(seen, expected);
        }
    }

    #[test]
    fn preorder_skips_what_is_under_a_node_when_told() {
        let tree = parse(SRC);
        let class = kind_id(tree.root_node(), "class_definition");
        let mut seen = Vec::new();
        preorder(tree.root_node(), |n| {
            seen.push(n.kind());
            n.kind_id() != class
        });
        assert!(seen.contains(&"class_definition"));
        assert!(!seen.contains(&"block"));
        assert_eq!(seen.last(), Some(&"integer"));
    }

    #[test]
    fn within_takes_the_nodes_under_a_node_from_a_sorted_list() {
        let tree = parse(SRC);
        let root = tree.root_node();
        let call = kind_id(root, "call");
        let mut calls = Vec::new();
        preorder(root, |n| {
            if n.kind_id() == call {
                calls.push(n);
            }
            true
        });
        let text = |ns: Vec<Ts<'_>>| -> Vec<String> {
            ns.iter()
                .map(|n| SRC[n.start_byte()..n.end_byte()].to_string())
                .collect()
        };
        let assignment = root.named_child(1).expect("the assignment");
        assert_eq!(
            text(within(&calls, assignment)),
            ["f(g(1), h(x=[2, 'a']))", "g(1)", "h(x=[2, 'a'])"]
        );
        let inner = calls[1];
        assert_eq!(text(within(&calls, inner)), ["g(1)"]);
        // `g`, inside `f(...)` and starting where `g(1)` starts: not `f(...)`.
        let g = inner.child_by_field_name("function").expect("g");
        assert!(within(&calls, g).is_empty());
        let class = root.named_child(2).expect("the class");
        assert_eq!(text(within(&calls, class)), ["e(3)"]);
        assert!(within(&calls, root.named_child(3).expect("D = 4")).is_empty());
    }
}
