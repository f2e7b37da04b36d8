//! YAML to the spanned [`Node`] tree, with saphyr 0.3.
//!
//! saphyr resolves scalars with the YAML 1.2 core schema (`no` is a string,
//! `0777` is decimal 777), resolves aliases (their children keep the spans of
//! the anchor's definition), keeps `<<` as a literal key (no merge), and rejects
//! duplicate keys. Its markers count characters, so every position is converted
//! to a byte offset here.

use saphyr::{LoadableYamlNode, MarkedYaml, Scalar, YamlData};

use super::tree::{CharToByte, Key, MAX_DEPTH, Node, NodeKind, SyntaxError};
use crate::source::Span;

/// Parses every document of a YAML stream, in order.
///
/// An empty file or one holding only comments has no document (`Ok(vec![])`).
///
/// Errors: [`SyntaxError`] with saphyr's message and the byte position of the
/// first problem (e.g. `duplicated key in mapping` at the second key).
pub fn parse_yaml_documents(text: &str) -> Result<Vec<Node>, SyntaxError> {
    let map = CharToByte::new(text);
    if let Some(at) = block_nesting_too_deep(text) {
        return Err(SyntaxError {
            message: format!("block collections nested deeper than {MAX_DEPTH} levels"),
            span: Span::new(at, at),
        });
    }
    match MarkedYaml::load_from_str(text) {
        Ok(docs) => {
            if let Some(at) = docs.iter().find_map(|d| too_deep(d)) {
                let start = map.byte(at);
                return Err(SyntaxError {
                    message: format!("nested deeper than {MAX_DEPTH} levels"),
                    span: Span::new(start, map.byte(at + 1).max(start)),
                });
            }
            Ok(docs.iter().map(|d| convert(d, text, &map)).collect())
        }
        Err(e) => {
            let start = map.byte(e.marker().index());
            let end = map.byte(e.marker().index() + 1);
            Err(SyntaxError {
                message: lower_first(e.info()),
                span: Span::new(start, end.max(start)),
            })
        }
    }
}

/// Parses a YAML file into one tree: its first document.
///
/// An empty file gives a [`NodeKind::Null`] node with an empty span at 0.
/// Later documents of a multi-document stream are ignored here; use
/// [`parse_yaml_documents`] to see them.
///
/// Errors: as [`parse_yaml_documents`].
pub fn parse_yaml(text: &str) -> Result<Node, SyntaxError> {
    let docs = parse_yaml_documents(text)?;
    Ok(docs
        .into_iter()
        .next()
        .unwrap_or_else(|| Node::new(NodeKind::Null, Span::new(0, 0))))
}

/// The byte offset of the first line whose block nesting may pass
/// [`MAX_DEPTH`]: saphyr builds block collections by recursion (flow ones it
/// limits itself), so a deep file would overflow the stack inside it. The
/// estimate is the number of distinct increasing indentations open above
/// the line plus the compact `- ` / `? ` indicators starting it; it can only
/// over-count (a block scalar's indented text), never under-count.
fn block_nesting_too_deep(text: &str) -> Option<usize> {
    let mut indents: Vec<usize> = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let at = offset;
        offset += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        let rest = body.trim_start_matches(' ');
        if rest.is_empty() || rest.starts_with('#') {
            continue;
        }
        let indent = body.len() - rest.len();
        while indents.last().is_some_and(|&i| i > indent) {
            indents.pop();
        }
        if indents.last() != Some(&indent) {
            indents.push(indent);
        }
        let mut compact = 0;
        let mut t = rest;
        while let Some(after) = t
            .strip_prefix("- ")
            .or_else(|| t.strip_prefix("? "))
            .or_else(|| t.strip_prefix("-\t"))
        {
            compact += 1;
            t = after.trim_start_matches([' ', '\t']);
        }
        if indents.len() + compact > MAX_DEPTH {
            return Some(at);
        }
    }
    None
}

/// The character index of the first node nested deeper than [`MAX_DEPTH`]
/// collections, found with an explicit stack (no recursion).
fn too_deep(doc: &MarkedYaml<'_>) -> Option<usize> {
    let mut stack = vec![(doc, 0usize)];
    while let Some((node, depth)) = stack.pop() {
        if depth > MAX_DEPTH {
            return Some(node.span.start.index());
        }
        match &node.data {
            YamlData::Sequence(items) => stack.extend(items.iter().map(|i| (i, depth + 1))),
            YamlData::Mapping(entries) => {
                stack.extend(
                    entries
                        .iter()
                        .flat_map(|(k, v)| [(k, depth + 1), (v, depth + 1)]),
                );
            }
            YamlData::Tagged(_, inner) => stack.push((inner, depth)),
            _ => {}
        }
    }
    None
}

fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => "invalid YAML".to_string(),
    }
}

fn span_of(node: &MarkedYaml<'_>, map: &CharToByte) -> Span {
    let start = map.byte(node.span.start.index());
    let end = map.byte(node.span.end.index());
    Span::new(start, end.max(start))
}

/// True for the default span saphyr gives nodes it builds itself (tagged scalars).
fn has_no_position(node: &MarkedYaml<'_>) -> bool {
    node.span.start.line() == 0 && node.span.end.line() == 0
}

fn scalar_kind(s: &Scalar<'_>) -> NodeKind {
    match s {
        Scalar::Null => NodeKind::Null,
        Scalar::Boolean(b) => NodeKind::Bool(*b),
        Scalar::Integer(i) => NodeKind::Int(*i),
        Scalar::FloatingPoint(f) => NodeKind::Float(f.into_inner()),
        Scalar::String(s) => NodeKind::Str(s.to_string()),
    }
}

/// saphyr ends a flow collection's span before its closing bracket; include it.
fn close_flow(span: Span, text: &str) -> Span {
    let bytes = text.as_bytes();
    let close = match bytes.get(span.start) {
        Some(b'[') => b']',
        Some(b'{') => b'}',
        _ => return span,
    };
    if bytes.get(span.end) == Some(&close) {
        Span::new(span.start, span.end + 1)
    } else {
        span
    }
}

fn convert(node: &MarkedYaml<'_>, text: &str, map: &CharToByte) -> Node {
    let mut span = span_of(node, map);
    if matches!(node.data, YamlData::Sequence(_) | YamlData::Mapping(_)) {
        span = close_flow(span, text);
    }
    let kind = match &node.data {
        YamlData::Value(s) => scalar_kind(s),
        YamlData::Representation(raw, _, _) => NodeKind::Str(raw.to_string()),
        YamlData::Sequence(items) => {
            NodeKind::Seq(items.iter().map(|i| convert(i, text, map)).collect())
        }
        YamlData::Mapping(entries) => NodeKind::Map(
            entries
                .iter()
                .map(|(k, v)| (key_of(k, text, map), convert(v, text, map)))
                .collect(),
        ),
        YamlData::Tagged(_, inner) => {
            let mut n = convert(inner, text, map);
            if has_no_position(inner) {
                n.span = span;
            }
            return n;
        }
        YamlData::Alias(_) => NodeKind::Null,
        YamlData::BadValue => {
            NodeKind::Str(text.get(span.start..span.end).unwrap_or("").to_string())
        }
    };
    Node::new(kind, span)
}

fn key_of(node: &MarkedYaml<'_>, text: &str, map: &CharToByte) -> Key {
    let span = span_of(node, map);
    let text = match &node.data {
        YamlData::Value(Scalar::String(s)) => s.to_string(),
        YamlData::Value(Scalar::Integer(i)) => i.to_string(),
        YamlData::Value(Scalar::FloatingPoint(f)) => f.to_string(),
        YamlData::Value(Scalar::Boolean(b)) => b.to_string(),
        YamlData::Value(Scalar::Null) => "null".to_string(),
        YamlData::Tagged(_, inner) => return key_of(inner, text, map).with_span_if_empty(span),
        _ => text.get(span.start..span.end).unwrap_or("").to_string(),
    };
    Key { text, span }
}

impl Key {
    fn with_span_if_empty(mut self, span: Span) -> Key {
        if self.span.is_empty() {
            self.span = span;
        }
        self
    }
}

#[cfg(test)]
mod tests {

    fn block(levels: usize) -> String {
        let mut s = String::new();
        for i in 0..levels {
            s.push_str(&" ".repeat(i));
            s.push_str("a:\n");
        }
        s.push_str(&" ".repeat(levels));
        s.push_str("b: 1\n");
        s
    }

    #[test]
    fn nesting_is_bounded_before_the_parser_recurses() {
        // Real settings nest a few levels; these stay well inside the cap.
        assert!(parse_yaml(&block(100)).is_ok());
        assert!(parse_yaml(&format!("x:\n{}1\n", "- ".repeat(100))).is_ok());
        // Deep block mappings and compact sequences are refused at the line
        // that goes too deep, not parsed (saphyr recurses per level).
        let e = parse_yaml(&block(3000)).unwrap_err();
        assert_eq!(e.message, "block collections nested deeper than 128 levels");
        let text = block(3000);
        let line = text[..e.span.start].matches('\n').count() + 1;
        assert_eq!(line, 129);
        let e = parse_yaml(&format!("x:\n{}1\n", "- ".repeat(50_000))).unwrap_err();
        assert_eq!(e.span.start, 3);
        // Flow collections: saphyr's own limit.
        let e = parse_yaml(&format!(
            "x: {}{}\n",
            "[".repeat(100_000),
            "]".repeat(100_000)
        ))
        .unwrap_err();
        assert_eq!(e.message, "recursion limit exceeded");
    }

    use super::*;

    fn slice(text: &str, span: Span) -> &str {
        &text[span.start..span.end]
    }

    #[test]
    fn accepts_with_byte_spans_after_multibyte_text() {
        // `é` and `ü` are two bytes each: character and byte offsets differ.
        let text = "# café\nsqlalchemy:\n  name: \"Müller\"\n  pool_recycle: 3600\n  ratio: 1.5\n  on: true\n  none: ~\n  empty:\n  list: [1, 2]\n";
        let n = parse_yaml(text).unwrap();
        let (k, sa) = n.entry("sqlalchemy").unwrap();
        assert_eq!(slice(text, k.span), "sqlalchemy");
        let cases: &[(&str, NodeKind, &str)] = &[
            ("name", NodeKind::Str("Müller".into()), "\"Müller\""),
            ("pool_recycle", NodeKind::Int(3600), "3600"),
            ("ratio", NodeKind::Float(1.5), "1.5"),
            ("on", NodeKind::Bool(true), "true"),
            ("none", NodeKind::Null, "~"),
            ("empty", NodeKind::Null, ""),
        ];
        for (key, kind, raw) in cases {
            let (k, v) = sa.entry(key).unwrap();
            assert_eq!(slice(text, k.span), *key);
            assert_eq!(&v.kind, kind, "{key}");
            assert_eq!(slice(text, v.span), *raw, "{key}");
        }
        let list = sa.get("list").unwrap();
        assert_eq!(slice(text, list.span), "[1, 2]");
        match &list.kind {
            NodeKind::Seq(items) => assert_eq!(slice(text, items[1].span), "2"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn yaml_1_2_core_schema() {
        let n = parse_yaml("a: no\nb: 0777\nc: 0o17\nd: !!str 12\ne: .inf\n").unwrap();
        assert_eq!(n.get("a").unwrap().kind, NodeKind::Str("no".into()));
        assert_eq!(n.get("b").unwrap().kind, NodeKind::Int(777));
        assert_eq!(n.get("c").unwrap().kind, NodeKind::Int(15));
        assert_eq!(n.get("d").unwrap().kind, NodeKind::Str("12".into()));
        assert_eq!(n.get("e").unwrap().kind, NodeKind::Float(f64::INFINITY));
    }

    #[test]
    fn keys_keep_file_order_and_tags_keep_spans() {
        let text = "zé: 1\na: !custom 5\n4: x\n";
        let n = parse_yaml(text).unwrap();
        let keys: Vec<_> = n
            .as_map()
            .unwrap()
            .iter()
            .map(|(k, _)| k.text.clone())
            .collect();
        assert_eq!(keys, ["zé", "a", "4"]);
        let v = n.get("a").unwrap();
        assert_eq!(v.kind, NodeKind::Int(5));
        assert_eq!(slice(text, v.span), "!custom 5");
    }

    #[test]
    fn empty_comment_only_and_multi_document() {
        assert_eq!(parse_yaml("").unwrap().kind, NodeKind::Null);
        assert_eq!(parse_yaml("# nothing\n").unwrap().kind, NodeKind::Null);
        let docs = parse_yaml_documents("---\na: 1\n---\nb: é\n...\n").unwrap();
        assert_eq!(docs.len(), 2);
        assert!(docs[1].get("b").is_some());
        assert!(
            parse_yaml("---\na: 1\n---\nb: 2\n")
                .unwrap()
                .get("a")
                .is_some()
        );
    }

    #[test]
    fn bom_and_crlf() {
        let text = "\u{feff}é: 1\r\nb: 2\r\n";
        let n = parse_yaml(text).unwrap();
        let v = n.get("b").unwrap();
        assert_eq!(slice(text, v.span), "2");
    }

    #[test]
    fn rejects_with_byte_spans() {
        let cases: &[(&str, &str, &str)] = &[
            ("é: 1\né: 2\n", "duplicated key", "é"),
            ("# ü\na: [\n", "did not find expected node content", ""),
            ("ü:\n\tb: 1\n", "tabs", "b"),
            ("a: 'ü\n", "", ""),
        ];
        for (text, msg, at) in cases {
            let e = parse_yaml(text).unwrap_err();
            assert!(e.message.contains(msg), "{text:?}: {}", e.message);
            assert!(text.is_char_boundary(e.span.start), "{text:?}");
            assert!(e.span.end <= text.len());
            if !at.is_empty() {
                assert!(
                    text[e.span.start..].starts_with(at),
                    "{text:?}: {:?}",
                    e.span
                );
            }
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = format!("a: {}", "[".repeat(100_000));
        assert!(parse_yaml(&text).is_err());
    }
}
