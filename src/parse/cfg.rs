//! Python `configparser` syntax (as Airflow reads `airflow.cfg`): a
//! span-keeping line lexer.
//!
//! Syntax only: [`lex`] turns a file's text into [`Item`]s with byte spans;
//! which sections and keys count lives in [`crate::systems::app::airflow`].
//!
//! [`lex`] follows `RawConfigParser._read` in CPython's
//! `Lib/configparser.py` with the `ConfigParser()` defaults that Airflow's
//! `AirflowConfigParser` keeps (<https://docs.python.org/3/library/configparser.html#supported-ini-file-structure>):
//!
//! - A line whose first non-blank character is `#` or `;` is a comment
//!   (`comment_prefixes`); there are no inline comments
//!   (`inline_comment_prefixes=None`), so `600 # ten minutes` is the value.
//! - `[name]` starts a section: the name runs from the first `[` to the last
//!   `]` of the line (`SECTCRE = r"\[(?P<header>.+)\]"`), case kept.
//! - `key = value` or `key: value` (`delimiters=('=', ':')`): the key is the
//!   text before the first delimiter, trailing blanks removed; the value is
//!   the rest, blanks around it removed, and may be empty.
//! - A line indented deeper than its key continues the value (multi-line
//!   values). Blank lines inside a value are dropped here (Python keeps
//!   them, `empty_lines_in_values=True`); no value read from Airflow spans
//!   lines.
//! - A key before any section is `MissingSectionHeaderError`; a line with no
//!   delimiter is a parsing error (`allow_no_value=False`); with `strict=True`
//!   a repeated section or a repeated key in one section is an error. Python
//!   stops or collects these; [`lex`] reports each as an [`Item::Error`] and
//!   goes on with the next line, so a linter can report all of them.

use crate::source::Span;

/// One meaningful piece of a configparser file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    /// A section header `[name]`.
    Section {
        /// The name as written between the brackets.
        name: String,
        /// The bytes of `name`.
        name_span: Span,
    },
    /// A `key = value` entry (continuation lines included in `value`).
    Entry {
        /// The key as written (configparser's `optionxform` lower-cases it;
        /// Airflow's keeps the case and looks keys up in lower case).
        key: String,
        /// The bytes of the key.
        key_span: Span,
        /// The value, blanks around it removed; continuation lines joined with `\n`.
        value: String,
        /// The bytes of the value (an empty span after the delimiter when empty).
        value_span: Span,
    },
    /// Text configparser refuses.
    Error {
        /// Where (the offending line, without its line break).
        span: Span,
        /// Lower-case message, no trailing period.
        message: String,
    },
}

/// Lexes a configparser file; never fails (problems are [`Item::Error`]s).
pub fn lex(text: &str) -> Vec<Item> {
    let mut items: Vec<Item> = Vec::new();
    let mut sections: Vec<String> = Vec::new();
    let mut keys: Vec<String> = Vec::new();
    let mut in_section = false;
    // The entry being read: its index in `items` and the indentation of its key.
    let mut open: Option<(usize, usize)> = None;
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let body = line.trim_start();
        let indent = line.len() - body.len();
        let body = body.trim_end();
        if body.starts_with('#') || body.starts_with(';') {
            continue;
        }
        if body.is_empty() {
            continue;
        }
        if let Some((index, key_indent)) = open
            && indent > key_indent
            && let Some(Item::Entry {
                value, value_span, ..
            }) = items.get_mut(index)
        {
            let from = start + indent;
            if value.is_empty() {
                *value_span = Span::new(from, from + body.len());
            } else {
                value.push('\n');
                *value_span = Span::new(value_span.start, from + body.len());
            }
            value.push_str(body);
            continue;
        }
        open = None;
        let at = Span::new(start, start + line.len());
        if body.starts_with('[')
            && let Some(close) = body.rfind(']')
            && close > 1
        {
            let name = &body[1..close];
            let from = start + indent + 1;
            if sections.iter().any(|s| s == name) {
                items.push(Item::Error {
                    span: at,
                    message: format!("section `{name}` appears twice (configparser strict mode)"),
                });
            }
            sections.push(name.to_string());
            keys.clear();
            in_section = true;
            items.push(Item::Section {
                name: name.to_string(),
                name_span: Span::new(from, from + name.len()),
            });
            continue;
        }
        if !in_section {
            items.push(Item::Error {
                span: at,
                message: "text before the first section header".to_string(),
            });
            continue;
        }
        let Some(d) = body.find(['=', ':']) else {
            items.push(Item::Error {
                span: at,
                message: "expected `key = value` or a `[section]` header".to_string(),
            });
            continue;
        };
        let key = body[..d].trim_end();
        if key.is_empty() {
            items.push(Item::Error {
                span: at,
                message: "an entry without a key".to_string(),
            });
            continue;
        }
        let lower = key.to_lowercase();
        if keys.contains(&lower) {
            items.push(Item::Error {
                span: at,
                message: format!(
                    "key `{key}` appears twice in its section (configparser strict mode)"
                ),
            });
            continue;
        }
        keys.push(lower);
        let rest = &body[d + 1..];
        let value = rest.trim();
        let vstart = start + indent + d + 1 + (rest.len() - rest.trim_start().len());
        let key_start = start + indent;
        open = Some((items.len(), indent));
        items.push(Item::Entry {
            key: key.to_string(),
            key_span: Span::new(key_start, key_start + key.len()),
            value: value.to_string(),
            value_span: Span::new(vstart, vstart + value.len()),
        });
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(text: &str) -> Vec<(String, String, String)> {
        lex(text)
            .into_iter()
            .filter_map(|i| match i {
                Item::Entry {
                    key,
                    value,
                    value_span,
                    ..
                } => Some((
                    key,
                    value,
                    text[value_span.start..value_span.end].to_string(),
                )),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn accepts_configparser_syntax() {
        let text = "# c\n[database]\nsql_alchemy_pool_recycle = 1800 # no inline comment\n  ; indented comment\npool: 5\nempty =\nmulti = a\n    b\n\n[core]\ndags_folder = {AIRFLOW_HOME}/dags\n";
        let e = entries(text);
        assert_eq!(
            e[0],
            (
                "sql_alchemy_pool_recycle".into(),
                "1800 # no inline comment".into(),
                "1800 # no inline comment".into()
            )
        );
        assert_eq!(e[1], ("pool".into(), "5".into(), "5".into()));
        assert_eq!(e[2], ("empty".into(), String::new(), String::new()));
        assert_eq!(e[3], ("multi".into(), "a\nb".into(), "a\n    b".into()));
        assert_eq!(e[4].1, "{AIRFLOW_HOME}/dags");
        let sections: Vec<String> = lex(text)
            .into_iter()
            .filter_map(|i| match i {
                Item::Section { name, name_span } => {
                    assert_eq!(&text[name_span.start..name_span.end], name);
                    Some(name)
                }
                _ => None,
            })
            .collect();
        assert_eq!(sections, ["database", "core"]);
    }

    #[test]
    fn rejects_what_configparser_refuses() {
        let cases = [
            ("key = 1\n", "before the first section"),
            ("[a]\njust words\n", "expected `key = value`"),
            ("[a]\n= 1\n", "without a key"),
            ("[a]\nx = 1\nX = 2\n", "appears twice in its section"),
            ("[a]\n[a]\n", "section `a` appears twice"),
        ];
        for (text, want) in cases {
            let errors: Vec<(Span, String)> = lex(text)
                .into_iter()
                .filter_map(|i| match i {
                    Item::Error { span, message } => Some((span, message)),
                    _ => None,
                })
                .collect();
            assert_eq!(errors.len(), 1, "{text:?}: {errors:?}");
            assert!(errors[0].1.contains(want), "{text:?}: {}", errors[0].1);
            let line = &text[errors[0].0.start..errors[0].0.end];
            assert!(!line.contains('\n') && !line.is_empty(), "{text:?}");
        }
    }

    #[test]
    fn odd_bytes_never_panic() {
        for text in [
            "[",
            "[]",
            "]\n[",
            "[é]\né=ü\n  ü",
            "\r\n\r\n[a]\r\nb=\r\n",
            "[a]\n\tx:\n\t\ty",
        ] {
            let _ = lex(text);
        }
    }
}
