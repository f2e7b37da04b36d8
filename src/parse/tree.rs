//! A spanned value tree shared by YAML and TOML.
//!
//! [`parse_yaml`] and [`parse_toml`]
//! both produce a [`Node`]. Every node and every mapping key carries the BYTE
//! range of its text in the file (quotes included for quoted strings), so a
//! diagnostic can point at the exact value whatever the format. No units or
//! meaning here: a `3600` is just `Int(3600)`.

use crate::source::Span;

pub use super::toml::parse_toml;
pub use super::yaml::{parse_yaml, parse_yaml_documents};

/// A mapping key: its text and the byte span of the key in the file.
#[derive(Clone, Debug, PartialEq)]
pub struct Key {
    /// The key as a string (YAML scalar keys are rendered as text: `4`, `true`).
    pub text: String,
    /// Byte span of the key.
    pub span: Span,
}

/// What a node holds.
#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    /// A mapping (YAML mapping, TOML table or inline table), in file order.
    Map(Vec<(Key, Node)>),
    /// A sequence (YAML sequence, TOML array).
    Seq(Vec<Node>),
    /// A string (TOML datetimes are kept as their text).
    Str(String),
    /// An integer that fits in `i64`.
    Int(i64),
    /// A floating-point number (may be infinite or NaN: YAML `.inf`, TOML `nan`).
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// YAML `null`, `~` or an empty value (TOML has no null).
    Null,
}

/// One value with the byte span of its text.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// The value.
    pub kind: NodeKind,
    /// Byte span of the value text. An empty YAML value (`key:`) has an empty span.
    pub span: Span,
}

/// A file that does not parse: the parser's message and the byte span it points at.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SyntaxError {
    /// The parser's message (lower-case start, no position inside).
    pub message: String,
    /// Where, in bytes.
    pub span: Span,
}

impl Node {
    /// A node of `kind` at `span`.
    pub fn new(kind: NodeKind, span: Span) -> Self {
        Node { kind, span }
    }

    /// The entries when this is a mapping.
    pub fn as_map(&self) -> Option<&[(Key, Node)]> {
        match &self.kind {
            NodeKind::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The first entry whose key is exactly `key`.
    pub fn entry(&self, key: &str) -> Option<(&Key, &Node)> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.text == key)
            .map(|(k, v)| (k, v))
    }

    /// The value under `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// The string when this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A short name of the node's type for messages: `a string`, `a mapping`, ...
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            NodeKind::Map(_) => "a mapping",
            NodeKind::Seq(_) => "a list",
            NodeKind::Str(_) => "a string",
            NodeKind::Int(_) => "an integer",
            NodeKind::Float(_) => "a number",
            NodeKind::Bool(_) => "a boolean",
            NodeKind::Null => "null",
        }
    }

    /// Calls `f` on this node and every node below it, keys first, in file order.
    ///
    /// Iterative (an explicit stack), so any depth is safe.
    pub fn walk<'a>(&'a self, f: &mut dyn FnMut(Option<&'a Key>, &'a Node)) {
        let mut stack: Vec<(Option<&'a Key>, &'a Node)> = vec![(None, self)];
        while let Some((key, node)) = stack.pop() {
            f(key, node);
            match &node.kind {
                NodeKind::Map(entries) => {
                    stack.extend(entries.iter().rev().map(|(k, v)| (Some(k), v)));
                }
                NodeKind::Seq(items) => stack.extend(items.iter().rev().map(|v| (None, v))),
                _ => {}
            }
        }
    }
}

/// The deepest nesting of collections a settings tree may have. Real
/// settings nest a few levels; the readers, the tree's own drop and the
/// converters recurse, so deeper input is refused as a syntax error before
/// any tree is built.
pub const MAX_DEPTH: usize = 128;

/// Maps character indices (as counted by saphyr) to byte offsets in a text.
pub(crate) struct CharToByte {
    /// `offsets[i]` is the byte offset of character `i`; the last entry is `text.len()`.
    offsets: Vec<usize>,
}

impl CharToByte {
    /// Builds the table for `text`.
    pub(crate) fn new(text: &str) -> Self {
        let mut offsets: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        offsets.push(text.len());
        CharToByte { offsets }
    }

    /// The byte offset of character `index`, clamped to the end of the text.
    pub(crate) fn byte(&self, index: usize) -> usize {
        match self.offsets.get(index) {
            Some(b) => *b,
            None => self.offsets.last().copied().unwrap_or(0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn char_to_byte_handles_multibyte_and_overflow() {
        let t = CharToByte::new("é1");
        assert_eq!(t.byte(0), 0);
        assert_eq!(t.byte(1), 2);
        assert_eq!(t.byte(2), 3);
        assert_eq!(t.byte(99), 3);
        assert_eq!(CharToByte::new("").byte(5), 0);
    }

    #[test]
    fn lookup_and_walk() {
        let n = parse_yaml("a: 1\nb:\n  c: [x, y]\n").unwrap();
        assert_eq!(n.get("a").map(|v| &v.kind), Some(&NodeKind::Int(1)));
        assert!(n.get("zz").is_none());
        let mut seen = Vec::new();
        n.walk(&mut |k, v| seen.push((k.map(|k| k.text.clone()), v.type_name())));
        assert_eq!(seen.len(), 6);
        assert_eq!(seen[3], (Some("c".to_string()), "a list"));
    }
}
