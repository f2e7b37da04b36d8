//! YAML merge keys (`<<: *base`, `<<: [*a, *b]`), which the parser keeps as
//! a literal `<<` key (src/parse/yaml.rs).
//!
//! Rules (https://yaml.org/type/merge.html, as compose's YAML library
//! applies them): the mapping's own keys win; of a list of merged
//! mappings, an earlier one wins over a later one. Merged entries keep the
//! spans of the anchor's definition (where the value is written).

use std::collections::BTreeSet;

use crate::parse::tree::{Key, Node, NodeKind};

/// `node` with every `<<` merge key applied, at every depth. The tree's
/// depth is bounded by the parser (`MAX_DEPTH`), so recursion is safe.
pub(crate) fn apply_merge_keys(node: &Node) -> Node {
    match &node.kind {
        NodeKind::Map(entries) => {
            let mut out: Vec<(Key, Node)> = entries
                .iter()
                .filter(|(k, _)| k.text != "<<")
                .map(|(k, v)| (k.clone(), apply_merge_keys(v)))
                .collect();
            let mut seen: BTreeSet<String> = out.iter().map(|(k, _)| k.text.clone()).collect();
            for (_, v) in entries.iter().filter(|(k, _)| k.text == "<<") {
                let sources: Vec<&Node> = match &v.kind {
                    NodeKind::Seq(items) => items.iter().collect(),
                    _ => vec![v],
                };
                for s in sources {
                    let merged = apply_merge_keys(s);
                    if let NodeKind::Map(m) = merged.kind {
                        for (k, v) in m {
                            if seen.insert(k.text.clone()) {
                                out.push((k, v));
                            }
                        }
                    }
                }
            }
            Node::new(NodeKind::Map(out), node.span)
        }
        NodeKind::Seq(items) => Node::new(
            NodeKind::Seq(items.iter().map(apply_merge_keys).collect()),
            node.span,
        ),
        _ => node.clone(),
    }
}
