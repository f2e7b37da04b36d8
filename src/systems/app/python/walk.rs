//! Walks over the syntax tree (see [`super::syntax`]) in document order,
//! without recursion.

use super::syntax::Py;

/// Calls `visit` on `root` and on every node under it (named or anonymous),
/// in document order (a node before its children). `visit` returns whether
/// to walk under the node it was given.
pub(super) fn preorder<'t>(root: Py<'t>, mut visit: impl FnMut(Py<'t>) -> bool) {
    let mut cur = root;
    let mut descend = visit(root);
    loop {
        if descend && let Some(c) = cur.first_child_id() {
            cur = c;
            descend = visit(cur);
            continue;
        }
        loop {
            if cur == root {
                return;
            }
            if let Some(n) = cur.next_sibling() {
                cur = n;
                break;
            }
            match cur.parent() {
                Some(p) => cur = p,
                None => return,
            }
        }
        descend = visit(cur);
    }
}

/// The nodes of `sorted` (nodes of one tree, in document order, as
/// [`preorder`] visits them) that are `n` or under it, in that order: those
/// inside its byte range. A node around `n` that starts where `n` starts
/// ends after it (the lists hold calls, which are wider than any child).
pub(super) fn within<'t>(sorted: &[Py<'t>], n: Py<'_>) -> Vec<Py<'t>> {
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

#[cfg(test)]
mod tests {
    use super::super::syntax::{K, Tree, parse};
    use super::*;

    /// Every node under `n` in document order, by recursion.
    fn recursive<'t>(n: Py<'t>, out: &mut Vec<Py<'t>>) {
        out.push(n);
        for child in n.all() {
            recursive(child, out);
        }
    }

    const SRC: &str = "import os\nA = f(g(1), h(x=[2, 'a']))\nclass C:\n    B = e(3)\nD = 4\n";

    fn tree() -> Tree {
        parse(SRC)
    }

    #[test]
    fn preorder_visits_every_node_in_document_order_and_stays_under_its_root() {
        let tree = tree();
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
        let tree = tree();
        let mut seen = Vec::new();
        preorder(tree.root_node(), |n| {
            seen.push(n.kind());
            n.k() != K::ClassDefinition
        });
        assert!(seen.contains(&"class_definition"));
        assert!(!seen.contains(&"block"));
        assert_eq!(seen.last(), Some(&"integer"));
    }

    #[test]
    fn within_takes_the_nodes_under_a_node_from_a_sorted_list() {
        let tree = tree();
        let root = tree.root_node();
        let mut calls = Vec::new();
        preorder(root, |n| {
            if n.k() == K::Call {
                calls.push(n);
            }
            true
        });
        let text = |ns: Vec<Py<'_>>| -> Vec<String> {
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
