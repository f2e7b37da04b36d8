//! `SHOW [GLOBAL | SESSION] VARIABLES` output of the `mysql` client: a
//! span-preserving lexer for its three output forms.
//!
//! Syntax only: [`lex_variables_dump`] finds the `name → value` rows and
//! where they are; which names matter and how values are read lives in
//! [`crate::systems::mysql`]. The forms (mysql client `print_table`,
//! `print_tab_data`, `print_table_vertically`):
//!
//! 1. **Table** (default interactive output):
//!    ```text
//!    mysql> SHOW GLOBAL VARIABLES LIKE '%timeout%';
//!    +---------------------+-------+
//!    | Variable_name       | Value |
//!    +---------------------+-------+
//!    | wait_timeout        | 28800 |
//!    +---------------------+-------+
//!    1 row in set (0.00 sec)
//!    ```
//!    A table starts at a `| Variable_name | Value |` header line between two
//!    `+---+---+` borders and ends at the next border. Each body line is
//!    `| name | value |`: the name is the first cell, the value everything up
//!    to the final `|` (so a value may itself contain `|`). A body line of
//!    another shape is an error. Text outside tables (prompts, the
//!    `N rows in set` footer, `Query OK`, banners) is ignored.
//! 2. **Batch** (`mysql -B`, or output to a pipe): a `Variable_name<TAB>Value`
//!    header line, then one `name<TAB>value` line per row (the client escapes
//!    tabs and newlines inside values, so a row is one line with one tab).
//!    Lines before the header are ignored; after it, a line without a tab is
//!    an error (a repeated header is skipped). With `-N` there is no header:
//!    the text is taken for a headerless dump only when **every** non-blank
//!    line is `identifier<TAB>value` with exactly one tab, where the
//!    identifier is ASCII letters, digits and `_` (so `net.ipv4.x<TAB>1`, any
//!    `[group]` line and any `key = value` line rule it out).
//! 3. **Vertical** (`\G`):
//!    ```text
//!    *************************** 1. row ***************************
//!    Variable_name: wait_timeout
//!            Value: 28800
//!    ```
//!    Detected by a row marker whose next line is a `Variable_name:` line.
//!    After each marker a `Variable_name:` line and a `Value:` line must
//!    follow (else an error); other lines between records are ignored.
//!
//! Column names are matched ASCII case-insensitively and may also be those
//! of `information_schema` / `performance_schema` `GLOBAL_VARIABLES`
//! (`VARIABLE_NAME`, `VARIABLE_VALUE`). Trailing whitespace and `\r` are
//! ignored on every line.
//!
//! The scope comes from `SHOW … VARIABLES` statements anywhere outside the
//! data rows (a `mysql>` prompt line, a shell line with `-e "…"`): `GLOBAL`
//! gives `Some(true)`; `SESSION`, `LOCAL` or no keyword give `Some(false)`;
//! no statement, or statements that disagree, give `None`. The
//! `/*!40003 GLOBAL */` version comment that `mysqladmin variables` sends
//! counts as `GLOBAL`.

use crate::source::Span;

/// Which of the client's output forms a dump is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DumpForm {
    /// The boxed `+---+` table.
    Table,
    /// Tab-separated batch output, with or without the header line.
    Batch,
    /// The `\G` vertical form.
    Vertical,
}

/// One `name → value` row of a dump.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DumpVariable {
    /// The name as printed.
    pub name: String,
    /// The bytes of the name.
    pub name_span: Span,
    /// The value text, trimmed.
    pub value: String,
    /// The bytes of the value (empty, at the value's place, for an empty value).
    pub value_span: Span,
}

/// A line of a detected dump that does not have the form's shape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DumpError {
    /// The offending text.
    pub span: Span,
    /// Lower-case message, no trailing period.
    pub message: String,
}

/// A lexed variables dump.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VariablesDump {
    /// The output form.
    pub form: DumpForm,
    /// `Some(true)` for `SHOW GLOBAL VARIABLES`, `Some(false)` for
    /// `SHOW [SESSION | LOCAL] VARIABLES`, `None` when not shown or mixed.
    pub global: Option<bool>,
    /// The rows in file order.
    pub vars: Vec<DumpVariable>,
    /// Lines that break the form.
    pub errors: Vec<DumpError>,
}

/// One line: start, end without trailing blanks and line break, and the
/// trimmed text.
#[derive(Clone, Copy)]
struct Line<'a> {
    start: usize,
    end: usize,
    text: &'a str,
}

fn lines(text: &str) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    let mut start = 0;
    for raw in text.split_inclusive('\n') {
        // Not tabs: in batch output a trailing tab is an empty value.
        let trimmed = raw.trim_end_matches([' ', '\r', '\n']);
        out.push(Line {
            start,
            end: start + trimmed.len(),
            text: trimmed,
        });
        start += raw.len();
    }
    out
}

/// `(start, end)` of `text[start..end]` with ASCII whitespace trimmed.
fn trim_range(text: &str, mut start: usize, mut end: usize) -> (usize, usize) {
    let b = text.as_bytes();
    while start < end && b[start].is_ascii_whitespace() {
        start += 1;
    }
    while end > start && b[end - 1].is_ascii_whitespace() {
        end -= 1;
    }
    (start, end)
}

fn is_name_column(s: &str) -> bool {
    s.eq_ignore_ascii_case("Variable_name")
}

fn is_value_column(s: &str) -> bool {
    s.eq_ignore_ascii_case("Value") || s.eq_ignore_ascii_case("Variable_value")
}

/// `+----+----+` (at least two `+` and one `-`, nothing else).
fn is_border(s: &str) -> bool {
    s.starts_with('+')
        && s.ends_with('+')
        && s.contains('-')
        && s.bytes().all(|c| c == b'+' || c == b'-')
}

/// `| Variable_name | Value |`.
fn is_table_header(s: &str) -> bool {
    let Some(inner) = s.strip_prefix('|').and_then(|s| s.strip_suffix('|')) else {
        return false;
    };
    let cells: Vec<&str> = inner.split('|').map(str::trim).collect();
    cells.len() == 2 && is_name_column(cells[0]) && is_value_column(cells[1])
}

/// `Variable_name<TAB>Value`.
fn is_batch_header(s: &str) -> bool {
    s.split_once('\t')
        .is_some_and(|(a, b)| is_name_column(a.trim()) && is_value_column(b.trim()))
}

/// `*************************** 1. row ***************************`.
fn is_row_marker(s: &str) -> bool {
    let Some(mid) = s
        .strip_prefix("***")
        .map(|s| s.trim_start_matches('*'))
        .and_then(|s| s.strip_suffix("***"))
        .map(|s| s.trim_end_matches('*'))
    else {
        return false;
    };
    let Some(n) = mid.trim().strip_suffix(". row") else {
        return false;
    };
    !n.is_empty() && n.bytes().all(|c| c.is_ascii_digit())
}

/// A `Label: value` line of the vertical form whose label satisfies `is`:
/// returns the value's trimmed range.
fn vertical_field(line: Line<'_>, text: &str, is: fn(&str) -> bool) -> Option<(usize, usize)> {
    let colon = line.text.find(':')?;
    if !is(line.text[..colon].trim()) {
        return None;
    }
    Some(trim_range(text, line.start + colon + 1, line.end))
}

/// A variable name as printed by the server: ASCII letters, digits, `_`.
fn is_identifier(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_')
}

/// The scope of a `SHOW … VARIABLES` statement on this line, if it has one:
/// `Some(true)` for GLOBAL, `Some(false)` for SESSION / LOCAL / none.
pub fn show_variables_scope(line: &str) -> Option<bool> {
    let lower = line.to_ascii_lowercase();
    // `/*!40003 GLOBAL */` (mysqladmin) is read as plain GLOBAL.
    let cleaned: String = lower
        .replace("*/", " ")
        .split("/*!")
        .enumerate()
        .map(|(i, part)| {
            if i == 0 {
                part
            } else {
                part.trim_start_matches(|c: char| c.is_ascii_digit())
            }
        })
        .collect::<Vec<_>>()
        .join(" ");
    let words: Vec<&str> = cleaned
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .collect();
    let mut found = None;
    for (i, w) in words.iter().enumerate() {
        if *w != "show" {
            continue;
        }
        let scope = match words.get(i + 1).copied() {
            Some("global") => Some(true),
            Some("session" | "local") => Some(false),
            _ => None,
        };
        let next = if scope.is_some() { i + 2 } else { i + 1 };
        if words.get(next) == Some(&"variables") {
            found = Some(scope.unwrap_or(false));
        }
    }
    found
}

/// Reads a `SHOW VARIABLES` dump, or returns `None` when `text` is not one
/// (see the module documentation for what is recognised).
pub fn lex_variables_dump(text: &str) -> Option<VariablesDump> {
    let ls = lines(text);
    let form = detect(&ls)?;
    let mut dump = VariablesDump {
        form,
        global: None,
        vars: Vec::new(),
        errors: Vec::new(),
    };
    // Indices of data lines, which are not scanned for statements.
    let mut data = vec![false; ls.len()];
    match form {
        DumpForm::Table => lex_table(text, &ls, &mut dump, &mut data),
        DumpForm::Batch => lex_batch(text, &ls, &mut dump, &mut data),
        DumpForm::Vertical => lex_vertical(text, &ls, &mut dump, &mut data),
    }
    let mut scopes = ls
        .iter()
        .zip(&data)
        .filter(|(_, d)| !**d)
        .filter_map(|(l, _)| show_variables_scope(l.text));
    if let Some(first) = scopes.next() {
        dump.global = scopes.all(|s| s == first).then_some(first);
    }
    Some(dump)
}

fn detect(ls: &[Line<'_>]) -> Option<DumpForm> {
    for (i, l) in ls.iter().enumerate() {
        let t = l.text.trim_start();
        if is_table_header(t)
            && i > 0
            && is_border(ls[i - 1].text.trim_start())
            && ls
                .get(i + 1)
                .is_some_and(|n| is_border(n.text.trim_start()))
        {
            return Some(DumpForm::Table);
        }
        if is_batch_header(l.text) {
            return Some(DumpForm::Batch);
        }
        if is_row_marker(t)
            && ls.get(i + 1).is_some_and(|n| {
                n.text
                    .split_once(':')
                    .is_some_and(|(label, _)| is_name_column(label.trim()))
            })
        {
            return Some(DumpForm::Vertical);
        }
    }
    // Headerless batch output: every non-blank line is `identifier<TAB>value`.
    let mut rows = ls.iter().filter(|l| !l.text.is_empty()).peekable();
    rows.peek()?;
    rows.all(|l| {
        l.text
            .split_once('\t')
            .is_some_and(|(name, value)| is_identifier(name) && !value.contains('\t'))
    })
    .then_some(DumpForm::Batch)
}

fn lex_table(text: &str, ls: &[Line<'_>], dump: &mut VariablesDump, data: &mut [bool]) {
    let mut i = 0;
    while i < ls.len() {
        let opens = is_table_header(ls[i].text.trim_start())
            && i > 0
            && is_border(ls[i - 1].text.trim_start())
            && ls
                .get(i + 1)
                .is_some_and(|n| is_border(n.text.trim_start()));
        if !opens {
            i += 1;
            continue;
        }
        data[i] = true;
        i += 2;
        let mut closed = false;
        while i < ls.len() {
            let l = ls[i];
            let t = l.text.trim_start();
            i += 1;
            if t.is_empty() {
                continue;
            }
            if is_border(t) {
                closed = true;
                break;
            }
            data[i - 1] = true;
            match table_row(text, l) {
                Ok(v) => dump.vars.push(v),
                Err(message) => dump.errors.push(DumpError {
                    span: Span::new(l.end - t.len(), l.end),
                    message,
                }),
            }
        }
        if !closed {
            let end = text.trim_end().len();
            dump.errors.push(DumpError {
                span: Span::new(end, end),
                message: "variables table has no closing `+---+` border".to_string(),
            });
        }
    }
}

/// `| name | value |` → the row; a value may contain `|`.
fn table_row(text: &str, l: Line<'_>) -> Result<DumpVariable, String> {
    let t = l.text.trim_start();
    let open = l.end - t.len();
    if !t.starts_with('|') || !t.ends_with('|') || t.len() < 2 {
        return Err("line inside the variables table is not a `| name | value |` row".into());
    }
    let inner_start = open + 1;
    let inner_end = l.end - 1;
    let Some(sep) = text[inner_start..inner_end].find('|') else {
        return Err("table row has no `|` between name and value".into());
    };
    let (ns, ne) = trim_range(text, inner_start, inner_start + sep);
    let (vs, ve) = trim_range(text, inner_start + sep + 1, inner_end);
    if ns >= ne {
        return Err("table row has an empty variable name".into());
    }
    Ok(DumpVariable {
        name: text[ns..ne].to_string(),
        name_span: Span::new(ns, ne),
        value: text[vs..ve].to_string(),
        value_span: Span::new(vs, ve),
    })
}

fn lex_batch(text: &str, ls: &[Line<'_>], dump: &mut VariablesDump, data: &mut [bool]) {
    let header = ls.iter().position(|l| is_batch_header(l.text));
    let first = header.map_or(0, |h| h + 1);
    for (i, l) in ls.iter().enumerate().skip(first) {
        if l.text.is_empty() || is_batch_header(l.text) {
            continue;
        }
        data[i] = true;
        let Some(tab) = l.text.find('\t') else {
            dump.errors.push(DumpError {
                span: Span::new(l.start, l.end),
                message: "batch output line has no tab between name and value".into(),
            });
            continue;
        };
        let (ns, ne) = trim_range(text, l.start, l.start + tab);
        let (vs, ve) = trim_range(text, l.start + tab + 1, l.end);
        if ns >= ne {
            dump.errors.push(DumpError {
                span: Span::new(l.start, l.end),
                message: "batch output line has an empty variable name".into(),
            });
            continue;
        }
        dump.vars.push(DumpVariable {
            name: text[ns..ne].to_string(),
            name_span: Span::new(ns, ne),
            value: text[vs..ve].to_string(),
            value_span: Span::new(vs, ve),
        });
    }
}

fn lex_vertical(text: &str, ls: &[Line<'_>], dump: &mut VariablesDump, data: &mut [bool]) {
    let mut i = 0;
    while i < ls.len() {
        if !is_row_marker(ls[i].text.trim_start()) {
            i += 1;
            continue;
        }
        let marker = ls[i];
        data[i] = true;
        i += 1;
        let name = ls
            .get(i)
            .and_then(|&l| vertical_field(l, text, is_name_column));
        let Some((ns, ne)) = name else {
            dump.errors.push(DumpError {
                span: Span::new(marker.start, marker.end),
                message: "row is not followed by a `Variable_name:` line".into(),
            });
            continue;
        };
        data[i] = true;
        i += 1;
        let value = ls
            .get(i)
            .and_then(|&l| vertical_field(l, text, is_value_column));
        let Some((vs, ve)) = value else {
            dump.errors.push(DumpError {
                span: Span::new(ns, ne),
                message: "`Variable_name:` line is not followed by a `Value:` line".into(),
            });
            continue;
        };
        data[i] = true;
        i += 1;
        if ns >= ne {
            dump.errors.push(DumpError {
                span: Span::new(ns, ne),
                message: "row has an empty variable name".into(),
            });
            continue;
        }
        dump.vars.push(DumpVariable {
            name: text[ns..ne].to_string(),
            name_span: Span::new(ns, ne),
            value: text[vs..ve].to_string(),
            value_span: Span::new(vs, ve),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (text, rows as `(name, value)`, scope)
    type Case = (
        &'static str,
        &'static [(&'static str, &'static str)],
        Option<bool>,
    );

    fn rows(d: &VariablesDump) -> Vec<(&str, &str)> {
        d.vars
            .iter()
            .map(|v| (v.name.as_str(), v.value.as_str()))
            .collect()
    }

    /// Every span covers exactly the text it claims.
    fn check_spans(text: &str, d: &VariablesDump) {
        for v in &d.vars {
            assert_eq!(&text[v.name_span.start..v.name_span.end], v.name);
            assert_eq!(&text[v.value_span.start..v.value_span.end], v.value);
        }
    }

    fn errors(text: &str, d: &VariablesDump) -> Vec<String> {
        d.errors
            .iter()
            .map(|e| text[e.span.start..e.span.end].to_string())
            .collect()
    }

    #[test]
    fn table_accept() {
        let cases: &[Case] = &[
            (
                "+---------------+-------+\n\
                 | Variable_name | Value |\n\
                 +---------------+-------+\n\
                 | wait_timeout  | 28800 |\n\
                 +---------------+-------+\n\
                 1 row in set (0.00 sec)\n",
                &[("wait_timeout", "28800")],
                None,
            ),
            (
                "mysql> SHOW GLOBAL VARIABLES LIKE '%timeout%';\r\n\
                 +---------------------+-------+\r\n\
                 | Variable_name       | Value |\r\n\
                 +---------------------+-------+\r\n\
                 | connect_timeout     | 10    |\r\n\
                 | wait_timeout        | 600   |\r\n\
                 +---------------------+-------+\r\n\
                 2 rows in set (0.00 sec)\r\n\r\nmysql> \r\n",
                &[("connect_timeout", "10"), ("wait_timeout", "600")],
                Some(true),
            ),
            // Indented (pasted into a document), empty and `|`-holding values.
            (
                "MariaDB [(none)]> show variables\n    -> like 'x%';\n  +-----+------+\n  | VARIABLE_NAME | VARIABLE_VALUE |\n  +-----+------+\n  | a   |      |\n  | b   | x|y  |\n  +-----+------+\n",
                &[("a", ""), ("b", "x|y")],
                Some(false),
            ),
            // Two tables: rows of both, statements agree.
            (
                "mysql> show session variables like 'a';\n+-+-+\n| Variable_name | Value |\n+-+-+\n| a | 1 |\n+-+-+\n\
                 mysql> SHOW LOCAL VARIABLES LIKE 'b';\n+-+-+\n| Variable_name | Value |\n+-+-+\n| b | 2 |\n+-+-+\nEmpty set (0.00 sec)\n",
                &[("a", "1"), ("b", "2")],
                Some(false),
            ),
            // Statements disagree: scope unknown.
            (
                "mysql> show global variables;\nmysql> show variables;\n+-+\n| Variable_name | Value |\n+-+\n| a | 1 |\n+-+\n",
                &[("a", "1")],
                None,
            ),
        ];
        for &(text, want, global) in cases {
            let d = lex_variables_dump(text).unwrap_or_else(|| panic!("{text:?}"));
            assert_eq!(d.form, DumpForm::Table, "{text:?}");
            assert_eq!(rows(&d), want, "{text:?}");
            assert_eq!(d.global, global, "{text:?}");
            assert!(d.errors.is_empty(), "{text:?}: {:?}", d.errors);
            check_spans(text, &d);
        }
    }

    #[test]
    fn table_reject_rows() {
        let text = "+---+---+\n| Variable_name | Value |\n+---+---+\n| wait_timeout | 1 |\n\
                    | lonely |\nwrapped text\n| open | 5\n| | 3 |\n+---+---+\n";
        let d = lex_variables_dump(text).expect("a dump");
        assert_eq!(rows(&d), [("wait_timeout", "1")]);
        assert_eq!(
            errors(text, &d),
            ["| lonely |", "wrapped text", "| open | 5", "| | 3 |"]
        );
        // A table cut short.
        let text = "+---+---+\n| Variable_name | Value |\n+---+---+\n| wait_timeout | 1 |\n";
        let d = lex_variables_dump(text).expect("a dump");
        assert_eq!(rows(&d), [("wait_timeout", "1")]);
        assert_eq!(d.errors.len(), 1);
        assert!(d.errors[0].message.contains("closing"), "{:?}", d.errors);
    }

    #[test]
    fn batch_accept() {
        let cases: &[Case] = &[
            (
                "Variable_name\tValue\nconnect_timeout\t10\nwait_timeout\t28800\n",
                &[("connect_timeout", "10"), ("wait_timeout", "28800")],
                None,
            ),
            (
                "$ mysql -B -e \"SHOW GLOBAL VARIABLES LIKE '%timeout%'\"\r\nVariable_name\tValue\r\nwait_timeout\t60\r\n",
                &[("wait_timeout", "60")],
                Some(true),
            ),
            // `-N`: no header.
            (
                "wait_timeout\t28800\ninit_connect\t\n\nmax_connections\t151\n",
                &[
                    ("wait_timeout", "28800"),
                    ("init_connect", ""),
                    ("max_connections", "151"),
                ],
                None,
            ),
            // Escaped tab and newline in a value stay on one line.
            (
                "Variable_name\tValue\ninit_connect\tSET a=1;\\nSET b=2\\t\nVariable_name\tValue\nwait_timeout\t5\n",
                &[
                    ("init_connect", "SET a=1;\\nSET b=2\\t"),
                    ("wait_timeout", "5"),
                ],
                None,
            ),
        ];
        for &(text, want, global) in cases {
            let d = lex_variables_dump(text).unwrap_or_else(|| panic!("{text:?}"));
            assert_eq!(d.form, DumpForm::Batch, "{text:?}");
            assert_eq!(rows(&d), want, "{text:?}");
            assert_eq!(d.global, global, "{text:?}");
            assert!(d.errors.is_empty(), "{text:?}: {:?}", d.errors);
            check_spans(text, &d);
        }
    }

    #[test]
    fn batch_reject_rows() {
        let text = "Variable_name\tValue\nwait_timeout\t5\nno tab here\n\t7\n";
        let d = lex_variables_dump(text).expect("a dump");
        assert_eq!(rows(&d), [("wait_timeout", "5")]);
        assert_eq!(errors(text, &d), ["no tab here", "\t7"]);
    }

    #[test]
    fn vertical_accept() {
        let text = "mysql> SHOW GLOBAL VARIABLES LIKE 'wait%'\\G\n\
                    *************************** 1. row ***************************\n\
                    Variable_name: wait_timeout\n\
                    \x20       Value: 28800\n\
                    *************************** 2. row ***************************\n\
                    Variable_name: init_connect\n\
                    \x20       Value: \n\
                    *************************** 12. row ***************************\n\
                    VARIABLE_NAME: max_connections\n\
                    VARIABLE_VALUE: 151\n\
                    3 rows in set (0.01 sec)\n\nmysql> exit\nBye\n";
        let d = lex_variables_dump(text).expect("a dump");
        assert_eq!(d.form, DumpForm::Vertical);
        assert_eq!(
            rows(&d),
            [
                ("wait_timeout", "28800"),
                ("init_connect", ""),
                ("max_connections", "151")
            ]
        );
        assert_eq!(d.global, Some(true));
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        check_spans(text, &d);
    }

    #[test]
    fn vertical_reject_rows() {
        let text = "*************************** 1. row ***************************\n\
                    Variable_name: wait_timeout\n\
                    *************************** 2. row ***************************\n\
                    Variable_name: connect_timeout\n\
                    \x20       Value: 10\n\
                    *************************** 3. row ***************************\n\
                    Something: else\n";
        let d = lex_variables_dump(text).expect("a dump");
        assert_eq!(rows(&d), [("connect_timeout", "10")]);
        assert_eq!(
            errors(text, &d),
            [
                "wait_timeout",
                "*************************** 3. row ***************************"
            ]
        );
    }

    #[test]
    fn not_a_dump() {
        for text in [
            "",
            "\n\n",
            "[mysqld]\nwait_timeout=600\n",
            "[mysqld]\nwait_timeout\t600\n",
            "# Variable_name\tValue is a nice header\n[mysqld]\n",
            "wait_timeout = 600\n",
            "wait_timeout\t=\t600\n",
            "skip-name-resolve\t# why\n",
            "net.ipv4.tcp_keepalive_time\t7200\n",
            "net.ipv4.tcp_keepalive_time = 7200\nnet.core.somaxconn = 4096\n",
            "wait_timeout\t600\n[mysqld]\n",
            // A `--verbose --help` dump is not a SHOW VARIABLES dump.
            "Variables (--variable-name=value)\nand boolean options {FALSE|TRUE}  Value (after reading options)\n\
             --------------------------------- -----------------------------\nwait_timeout 28800\n",
            // A header without its borders.
            "| Variable_name | Value |\n| wait_timeout | 5 |\n",
            // A row marker not followed by `Variable_name:`.
            "*************************** 1. row ***************************\nId: 5\n",
        ] {
            assert_eq!(lex_variables_dump(text), None, "{text:?}");
        }
    }

    #[test]
    fn scopes() {
        let cases = [
            ("mysql> SHOW GLOBAL VARIABLES LIKE '%timeout%';", Some(true)),
            ("show global variables", Some(true)),
            ("SHOW VARIABLES;", Some(false)),
            ("SHOW SESSION VARIABLES WHERE x", Some(false)),
            ("show local variables", Some(false)),
            ("show /*!40003 GLOBAL */ variables", Some(true)),
            ("mysql -e \"show   global\tvariables\"", Some(true)),
            ("SHOW GLOBAL STATUS", None),
            ("show databases", None),
            ("variables", None),
            ("showglobal variables", None),
        ];
        for (line, want) in cases {
            assert_eq!(show_variables_scope(line), want, "{line:?}");
        }
    }

    #[test]
    fn row_markers() {
        assert!(is_row_marker(
            "*************************** 1. row ***************************"
        ));
        assert!(is_row_marker("*** 10. row ***"));
        for s in ["*** row ***", "*** x. row ***", "**** 1. row", "1. row"] {
            assert!(!is_row_marker(s), "{s}");
        }
    }
}
