//! TOML to the spanned [`Node`] tree, with `toml::de::DeTable` (toml 1.2).
//!
//! toml's spans are already byte ranges. Its tables are sorted maps, so entries
//! are put back in file order by the position of their keys. Datetimes become
//! strings holding their text; an integer outside `i64` becomes a string of its
//! text (so it is reported as a bad value, not silently wrapped).

use ::toml::Spanned;
use ::toml::de::{DeTable, DeValue};

use super::tree::{Key, Node, NodeKind, SyntaxError};
use crate::source::Span;

/// Parses a TOML document into a [`NodeKind::Map`] covering the whole file.
///
/// Errors: [`SyntaxError`] with toml's message and byte span (e.g. duplicate
/// keys, unquoted strings).
pub fn parse_toml(text: &str) -> Result<Node, SyntaxError> {
    match DeTable::parse(text) {
        Ok(table) => Ok(Node::new(
            NodeKind::Map(entries(table.get_ref(), text)),
            Span::new(0, text.len()),
        )),
        Err(e) => {
            let span = e
                .span()
                .map(|r| {
                    Span::new(
                        r.start.min(text.len()),
                        r.end.min(text.len()).max(r.start.min(text.len())),
                    )
                })
                .unwrap_or_default();
            Err(SyntaxError {
                message: crate::secrets::parser_message(e.message()),
                span,
            })
        }
    }
}

fn to_span(r: std::ops::Range<usize>, text: &str) -> Span {
    let start = r.start.min(text.len());
    Span::new(start, r.end.min(text.len()).max(start))
}

fn entries(table: &DeTable<'_>, text: &str) -> Vec<(Key, Node)> {
    let mut out: Vec<(Key, Node)> = table
        .iter()
        .map(|(k, v)| {
            let key = Key {
                text: k.get_ref().to_string(),
                span: to_span(k.span(), text),
            };
            (key, convert(v, text))
        })
        .collect();
    out.sort_by_key(|(k, _)| (k.span.start, k.span.end));
    out
}

fn convert(value: &Spanned<DeValue<'_>>, text: &str) -> Node {
    let span = to_span(value.span(), text);
    let kind = match value.get_ref() {
        DeValue::String(s) => NodeKind::Str(s.to_string()),
        DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
            Ok(n) => NodeKind::Int(n),
            Err(_) => NodeKind::Str(text.get(span.start..span.end).unwrap_or("").to_string()),
        },
        DeValue::Float(f) => match f.as_str().parse::<f64>() {
            Ok(x) => NodeKind::Float(x),
            Err(_) => NodeKind::Str(f.as_str().to_string()),
        },
        DeValue::Boolean(b) => NodeKind::Bool(*b),
        DeValue::Datetime(d) => NodeKind::Str(d.to_string()),
        DeValue::Array(items) => NodeKind::Seq(items.iter().map(|v| convert(v, text)).collect()),
        DeValue::Table(t) => NodeKind::Map(entries(t, text)),
    };
    Node::new(kind, span)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slice(text: &str, span: Span) -> &str {
        &text[span.start..span.end]
    }

    #[test]
    fn accepts_with_byte_spans_after_multibyte_text() {
        let text = "# café ü\n[sqlalchemy]\nname = \"Müller\"\npool_recycle = 3600\nratio = 1.5\npre = true\nwhen = 1979-05-27\nbig = 0xff\nlist = [1, \"x\"]\ninline = { k = 1 }\n\n[DATABASES.default]\nENGINE = 'x'\n";
        let n = parse_toml(text).unwrap();
        let keys: Vec<_> = n
            .as_map()
            .unwrap()
            .iter()
            .map(|(k, _)| k.text.as_str())
            .collect();
        assert_eq!(keys, ["sqlalchemy", "DATABASES"], "file order");
        let sa = n.get("sqlalchemy").unwrap();
        let cases: &[(&str, NodeKind, &str)] = &[
            ("name", NodeKind::Str("Müller".into()), "\"Müller\""),
            ("pool_recycle", NodeKind::Int(3600), "3600"),
            ("ratio", NodeKind::Float(1.5), "1.5"),
            ("pre", NodeKind::Bool(true), "true"),
            ("when", NodeKind::Str("1979-05-27".into()), "1979-05-27"),
            ("big", NodeKind::Int(255), "0xff"),
        ];
        for (key, kind, raw) in cases {
            let (k, v) = sa.entry(key).unwrap();
            assert_eq!(slice(text, k.span), *key);
            assert_eq!(&v.kind, kind, "{key}");
            assert_eq!(slice(text, v.span), *raw, "{key}");
        }
        let sa_keys: Vec<_> = sa
            .as_map()
            .unwrap()
            .iter()
            .map(|(k, _)| k.text.as_str())
            .collect();
        assert_eq!(
            sa_keys,
            [
                "name",
                "pool_recycle",
                "ratio",
                "pre",
                "when",
                "big",
                "list",
                "inline"
            ]
        );
        let engine = n
            .get("DATABASES")
            .unwrap()
            .get("default")
            .unwrap()
            .get("ENGINE")
            .unwrap();
        assert_eq!(slice(text, engine.span), "'x'");
    }

    #[test]
    fn too_large_integer_is_kept_as_text() {
        let n = parse_toml("a = 99999999999999999999\n").unwrap();
        assert!(matches!(
            n.get("a").unwrap().kind,
            NodeKind::Str(_) | NodeKind::Int(_)
        ));
    }

    #[test]
    fn empty_document() {
        let n = parse_toml("").unwrap();
        assert_eq!(n.kind, NodeKind::Map(vec![]));
    }

    #[test]
    fn rejects_with_byte_spans() {
        let cases: &[(&str, &str)] = &[
            ("# é\na = 1\na = 2\n", "a"),
            ("# ü\nurl = mysql\n", "m"),
            ("[x]\né = [\n", ""),
        ];
        for (text, at) in cases {
            let e = parse_toml(text).unwrap_err();
            assert!(!e.message.is_empty());
            assert!(e.span.end <= text.len(), "{text:?}");
            assert!(text.is_char_boundary(e.span.start));
            if !at.is_empty() {
                assert!(
                    text[e.span.start..].starts_with(at),
                    "{text:?}: {:?} {}",
                    e.span,
                    e.message
                );
            }
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = format!("a = {}", "[".repeat(100_000));
        assert!(parse_toml(&text).is_err());
    }
}
