//! Machine-applicable fixes ([`Fix`]): replacing a value where it is
//! written, or adding a keyword argument to the call that builds an engine
//! when the value is a default.

use crate::diagnostic::Fix;
use crate::provenance::Origin;
use crate::source::{Location, SourceMap, Span};

/// A fix that sets `setting` to `secs` seconds where its value is written
/// (a config file or the manifest), keeping the value's quotes: `3600`
/// becomes `3240`, `"3600"` becomes `"3240"`, `None` or `-1` (never)
/// becomes `3240`. `None` when the value is a default, a preset, a flag or
/// an environment variable (nothing to replace), or when its text is not a
/// plain number, a never-keyword or arithmetic (`60 * 60`): a value with a
/// unit suffix or a call is left to the user.
pub(crate) fn set_seconds_fix(
    origin: &Origin,
    setting: &str,
    secs: u64,
    sources: &SourceMap,
) -> Option<Fix> {
    let (Origin::File(at) | Origin::Manifest(at)) = origin else {
        return None;
    };
    let text = sources
        .get(at.file)
        .text()
        .get(at.span.start..at.span.end)?;
    let (quote, inner) = match text.as_bytes() {
        [q @ (b'"' | b'\''), .., last] if last == q && text.len() >= 2 => {
            (&text[..1], &text[1..text.len() - 1])
        }
        _ => ("", text),
    };
    let inner = inner.trim();
    let never = matches!(inner, "None" | "null" | "~" | "none" | "-1");
    let arithmetic = !inner.is_empty()
        && inner.chars().any(|c| c.is_ascii_digit())
        && inner
            .chars()
            .all(|c| c.is_ascii_digit() || " .*+-_()".contains(c));
    if !(never || arithmetic) || (never && !quote.is_empty()) {
        return None;
    }
    Some(Fix {
        title: format!("set {setting} = {secs}"),
        location: *at,
        replacement: format!("{quote}{secs}{quote}"),
    })
}

/// The longest call text [`insert_keyword_fix`] scans (bytes).
const MAX_CALL: usize = 64 * 1024;

/// A fix that adds `keyword=secs` to the Python call whose function name is
/// at `origin`'s anchor (a default anchored at `create_engine` of
/// `create_engine(url, ...)`, `src/systems/app/python`): inserted after the
/// last argument, or on its own line before the `)` of a call written one
/// argument per line with a trailing comma. `None` unless the value is a
/// default anchored at a `.py` file's call whose parentheses match within
/// [`MAX_CALL`] bytes, and the call has no `**` spread (which could
/// already hold the keyword) and no keyword of that name.
pub(crate) fn insert_keyword_fix(
    origin: &Origin,
    keyword: &str,
    secs: u64,
    sources: &SourceMap,
) -> Option<Fix> {
    let Origin::Default {
        anchor: Some(at), ..
    } = origin
    else {
        return None;
    };
    let file = sources.get(at.file);
    if file.path().extension().is_none_or(|e| e != "py") {
        return None;
    }
    let text = file.text();
    // Only engine constructors take the pool's settings as keywords
    // (`SQLAlchemy(app)` and `engine_from_config` do not).
    let function = text.get(at.span.start..at.span.end)?;
    if !(function.ends_with("create_engine") || function.ends_with("create_async_engine")) {
        return None;
    }
    let at_insert = keyword_insertion(text, at.span.end, keyword)?;
    let (offset, insert) = at_insert;
    let inserted = insert.replace("{}", &format!("{keyword}={secs}"));
    Some(Fix {
        title: format!("set {keyword} = {secs}"),
        location: Location::new(at.file, Span::new(offset, offset)),
        replacement: inserted,
    })
}

/// A fix that adds `SQLALCHEMY_ENGINE_OPTIONS` with `pool_recycle = secs`
/// after the `SQLALCHEMY_DATABASE_URI` line that a Flask-SQLAlchemy default
/// is anchored at (`src/systems/app/flask.rs`), at that key's indentation:
/// in YAML `SQLALCHEMY_ENGINE_OPTIONS:` with `  pool_recycle: N` below it,
/// in Python `SQLALCHEMY_ENGINE_OPTIONS = {"pool_recycle": N}`. `None`
/// unless the key starts its line, its value ends on that line, and the
/// file does not mention `SQLALCHEMY_ENGINE_OPTIONS` outside whole-line
/// comments (adding it twice would replace the first).
pub(crate) fn insert_flask_options_fix(
    origin: &Origin,
    secs: u64,
    sources: &SourceMap,
) -> Option<Fix> {
    const URI: &str = "SQLALCHEMY_DATABASE_URI";
    const OPTIONS: &str = "SQLALCHEMY_ENGINE_OPTIONS";
    let Origin::Default {
        anchor: Some(at), ..
    } = origin
    else {
        return None;
    };
    let file = sources.get(at.file);
    let ext = file.path().extension()?.to_str()?;
    let text = file.text();
    // Mentioned anywhere but in a whole-line comment: maybe set already.
    let mentioned = text
        .lines()
        .any(|l| !l.trim_start().starts_with('#') && l.contains(OPTIONS));
    if text.get(at.span.start..at.span.end)? != URI || mentioned {
        return None;
    }
    let line_start = text[..at.span.start].rfind('\n').map_or(0, |i| i + 1);
    let indent = &text[line_start..at.span.start];
    if !indent.chars().all(|c| c == ' ' || c == '\t') {
        return None;
    }
    let line_end = text[at.span.end..]
        .find('\n')
        .map_or(text.len(), |i| at.span.end + i);
    let line = &text[line_start..line_end];
    let after_key = text[at.span.end..line_end].trim_start();
    let body = match ext {
        "yaml" | "yml" => {
            // The value ends on this line: the next line that holds
            // anything is no deeper than the key.
            let next = text[line_end..]
                .lines()
                .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
            let deeper = next.is_some_and(|l| {
                l.len() - l.trim_start().len() > indent.len() || l.trim_start().starts_with('-')
            });
            let block = after_key.trim_start_matches(':').trim_start();
            if !after_key.starts_with(':') || deeper || block.starts_with(['|', '>']) {
                return None;
            }
            format!("{indent}{OPTIONS}:\n{indent}  pool_recycle: {secs}\n")
        }
        "py" => {
            let assigned = after_key.strip_prefix('=')?;
            if assigned.starts_with('=') || !statement_ends_on(line) {
                return None;
            }
            format!("{indent}{OPTIONS} = {{\"pool_recycle\": {secs}}}\n")
        }
        _ => return None,
    };
    let (offset, insert) = if line_end < text.len() {
        (line_end + 1, body)
    } else {
        (text.len(), format!("\n{body}"))
    };
    Some(Fix {
        title: format!("set pool_recycle = {secs}"),
        location: Location::new(at.file, Span::new(offset, offset)),
        replacement: insert,
    })
}

/// Whether the Python statement on `line` ends there: strings closed,
/// brackets balanced, no `\\` continuation (a comment ends it).
fn statement_ends_on(line: &str) -> bool {
    let mut depth = 0i64;
    let mut quote: Option<char> = None;
    let mut chars = line.chars().peekable();
    let mut last = ' ';
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(_), '\\') => {
                chars.next();
            }
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '#') => break,
            (None, '"' | '\'') => quote = Some(c),
            (None, '(' | '[' | '{') => depth += 1,
            (None, ')' | ']' | '}') => depth -= 1,
            _ => {}
        }
        if depth < 0 {
            return false;
        }
        if !c.is_whitespace() {
            last = c;
        }
    }
    quote.is_none() && depth == 0 && last != '\\'
}

/// Where and what to insert for a keyword argument in the call whose
/// function name ends at `after` in Python source `text`: the byte offset
/// and the text, with `{}` standing for `keyword=value`.
fn keyword_insertion(text: &str, after: usize, keyword: &str) -> Option<(usize, String)> {
    let rest = text.get(after..)?;
    let open = after + (rest.len() - rest.trim_start_matches([' ', '\t']).len());
    if text.as_bytes().get(open) != Some(&b'(') {
        return None;
    }
    let (close, last) = matching_paren(text, open)?;
    let args = &text[open + 1..close];
    if top_level(args).contains("**") || top_level_keyword(args, keyword) {
        return None;
    }
    // `last` is the last byte of code before `)`: insert right after it,
    // before any comment on its line.
    let after_last = last + 1;
    Some(match text.as_bytes()[last] {
        b'(' => (close, "{}".to_string()),
        b',' if text[after_last..close].contains('\n') => {
            // One argument per line: a line of its own, indented as the
            // last argument's line, before the `)` line.
            let line_start = text[..last].rfind('\n').map_or(0, |i| i + 1);
            let indent: String = text[line_start..]
                .chars()
                .take_while(|c| *c == ' ' || *c == '\t')
                .collect();
            let close_line = text[..close].rfind('\n').map_or(0, |i| i + 1);
            if !text[close_line..close].trim().is_empty() {
                return None;
            }
            (close_line, format!("{indent}{{}},\n"))
        }
        b',' => (after_last, " {}".to_string()),
        _ => (after_last, ", {}".to_string()),
    })
}

/// The byte offsets of the `)` matching the `(` at `open` and of the last
/// byte of code before it (not blank, not in a comment; the `(` itself when
/// the call has no arguments), skipping string literals (single, double,
/// triple quotes) and comments; `None` past [`MAX_CALL`] bytes or the end
/// of the text.
fn matching_paren(text: &str, open: usize) -> Option<(usize, usize)> {
    let b = text.as_bytes();
    let end = b.len().min(open.saturating_add(MAX_CALL));
    let mut depth = 0usize;
    let mut last = open;
    let mut i = open;
    while i < end {
        match b[i] {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return (b[i] == b')').then_some((i, last));
                }
            }
            b'#' => {
                i += text[i..end].find('\n')?;
                continue;
            }
            q @ (b'"' | b'\'') => {
                let triple = b.get(i..i + 3) == Some(&[q, q, q][..]);
                let delim = if triple { 3 } else { 1 };
                let mut j = i + delim;
                loop {
                    if j >= end {
                        return None;
                    }
                    if b[j] == b'\\' {
                        j += 2;
                        continue;
                    }
                    if !triple && b[j] == b'\n' {
                        return None;
                    }
                    if b[j] == q && (!triple || b.get(j..j + 3) == Some(&[q, q, q][..])) {
                        break;
                    }
                    j += 1;
                }
                i = j + delim;
                last = i - 1;
                continue;
            }
            c if c.is_ascii_whitespace() => {
                i += 1;
                continue;
            }
            _ => {}
        }
        last = i;
        i += 1;
    }
    None
}

/// The argument text with strings blanked out and nested brackets dropped:
/// what is written at the call's own level.
fn top_level(args: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut chars = args.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(_), '\\') => {
                chars.next();
            }
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '(' | '[' | '{') => depth += 1,
            (None, ')' | ']' | '}') => depth = depth.saturating_sub(1),
            (None, c) if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// Whether `keyword=` is written at the call's own level.
fn top_level_keyword(args: &str, keyword: &str) -> bool {
    top_level(args)
        .split(',')
        .any(|a| a.split_once('=').is_some_and(|(k, _)| k.trim() == keyword))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// The fix for a value written as `text` in a file, if any.
    fn fix_for(text: &str) -> Option<String> {
        let mut sources = SourceMap::new(None);
        let id = sources.add(Path::new("/x/settings.py"), format!("v = {text}\n"));
        let at = Location::new(id, Span::new(4, 4 + text.len()));
        set_seconds_fix(&Origin::File(at), "pool_recycle", 3240, &sources).map(|f| {
            assert_eq!(f.title, "set pool_recycle = 3240");
            assert_eq!(f.location, at);
            f.replacement
        })
    }

    #[test]
    fn set_seconds_fix_accepts_numbers_never_and_arithmetic() {
        for (written, replacement) in [
            ("3600", "3240"),
            ("3600.5", "3240"),
            ("\"3600\"", "\"3240\""),
            ("'3600'", "'3240'"),
            ("None", "3240"),
            ("null", "3240"),
            ("~", "3240"),
            ("-1", "3240"),
            ("60 * 60", "3240"),
            ("(2 * 3600)", "3240"),
            ("1_800", "3240"),
        ] {
            assert_eq!(fix_for(written).as_deref(), Some(replacement), "{written}");
        }
    }

    #[test]
    fn set_seconds_fix_rejects_units_calls_and_quoted_keywords() {
        for written in [
            "1h",
            "\"1h\"",
            "timedelta(hours=1)",
            "os.environ['X']",
            "\"None\"",
            "",
            "\"\"",
        ] {
            assert_eq!(fix_for(written), None, "{written}");
        }
    }

    /// `text` with the keyword insertion for the call after `engine = `
    /// applied, `None` when there is none.
    fn inserted(text: &str) -> Option<String> {
        let after = text.find("create_engine")? + "create_engine".len();
        let (at, insert) = keyword_insertion(text, after, "pool_recycle")?;
        let mut out = text.to_string();
        out.insert_str(at, &insert.replace("{}", "pool_recycle=3240"));
        Some(out)
    }

    #[test]
    fn keyword_insertion_accept_table() {
        for (call, fixed) in [
            (
                "e = create_engine(url)\n",
                "e = create_engine(url, pool_recycle=3240)\n",
            ),
            (
                "e = create_engine()\n",
                "e = create_engine(pool_recycle=3240)\n",
            ),
            (
                "e = create_engine (url, echo=True)\n",
                "e = create_engine (url, echo=True, pool_recycle=3240)\n",
            ),
            (
                "e = create_engine(url, )\n",
                "e = create_engine(url, pool_recycle=3240 )\n",
            ),
            (
                "e = create_engine(\n    url,\n    echo=False,\n)\n",
                "e = create_engine(\n    url,\n    echo=False,\n    pool_recycle=3240,\n)\n",
            ),
            (
                "e = create_engine(\n    url,\n    echo=False\n)\n",
                "e = create_engine(\n    url,\n    echo=False, pool_recycle=3240\n)\n",
            ),
            (
                "e = create_engine(\n    url,\n    echo=False,   )\n",
                "e = create_engine(\n    url,\n    echo=False, pool_recycle=3240   )\n",
            ),
            (
                "e = create_engine(f(x), connect_args={'a': (1, 2)})\n",
                "e = create_engine(f(x), connect_args={'a': (1, 2)}, pool_recycle=3240)\n",
            ),
            (
                "e = create_engine(\"mysql://u:p)(@h/db\", x='#)')  # ) comment\n",
                "e = create_engine(\"mysql://u:p)(@h/db\", x='#)', pool_recycle=3240)  # ) comment\n",
            ),
            (
                "e = create_engine(  # why\n    url,  # the ) url\n)\n",
                "e = create_engine(  # why\n    url,  # the ) url\n    pool_recycle=3240,\n)\n",
            ),
            (
                "e = create_engine(\"\"\"mysql://h/db)\"\"\")\n",
                "e = create_engine(\"\"\"mysql://h/db)\"\"\", pool_recycle=3240)\n",
            ),
            (
                "e = create_engine(url, connect_args={'pool_recycle': 1})\n",
                "e = create_engine(url, connect_args={'pool_recycle': 1}, pool_recycle=3240)\n",
            ),
        ] {
            assert_eq!(inserted(call).as_deref(), Some(fixed), "{call}");
        }
    }

    #[test]
    fn keyword_insertion_reject_table() {
        for call in [
            // A spread may hold the keyword already.
            "e = create_engine(url, **options)\n",
            // Written already.
            "e = create_engine(url, pool_recycle = 60)\n",
            // Not a call, unbalanced, or an unterminated string.
            "e = create_engine\n",
            "e = create_engine(url\n",
            "e = create_engine(url]\n",
            "e = create_engine('url)\n",
        ] {
            assert_eq!(inserted(call), None, "{call}");
        }
    }

    #[test]
    fn insert_keyword_fix_needs_an_engine_call_in_a_python_file() {
        let mut sources = SourceMap::new(None);
        let text = "db = SQLAlchemy(app)\ne = create_engine(url)\n".to_string();
        let py = sources.add(Path::new("/x/app.py"), text.clone());
        let yaml = sources.add(Path::new("/x/app.yaml"), text.clone());
        let anchored = |file, word: &str| Origin::Default {
            system: "SQLAlchemy",
            source: "https://docs.sqlalchemy.org",
            anchor: Some(Location::new(
                file,
                Span::new(
                    text.find(word).unwrap(),
                    text.find(word).unwrap() + word.len(),
                ),
            )),
        };
        let fix = insert_keyword_fix(
            &anchored(py, "create_engine"),
            "pool_recycle",
            3240,
            &sources,
        )
        .unwrap();
        assert_eq!(fix.title, "set pool_recycle = 3240");
        assert_eq!(fix.replacement, ", pool_recycle=3240");
        assert_eq!(fix.location.span, Span::new(text.len() - 2, text.len() - 2));
        assert!(
            insert_keyword_fix(&anchored(py, "SQLAlchemy"), "pool_recycle", 3240, &sources)
                .is_none()
        );
        assert!(
            insert_keyword_fix(
                &anchored(yaml, "create_engine"),
                "pool_recycle",
                3240,
                &sources
            )
            .is_none()
        );
        let written = Origin::File(Location::new(py, Span::new(0, 2)));
        assert!(insert_keyword_fix(&written, "pool_recycle", 3240, &sources).is_none());
    }

    /// The Flask options insertion for `text` in a file named `name`,
    /// applied; `None` when there is none.
    fn flask_inserted(name: &str, text: &str) -> Option<String> {
        let mut sources = SourceMap::new(None);
        let id = sources.add(Path::new(name), text.to_string());
        let at = text.find("SQLALCHEMY_DATABASE_URI")?;
        let origin = Origin::Default {
            system: "Flask-SQLAlchemy",
            source: "https://flask-sqlalchemy.readthedocs.io",
            anchor: Some(Location::new(id, Span::new(at, at + 23))),
        };
        let fix = insert_flask_options_fix(&origin, 3240, &sources)?;
        assert_eq!(fix.title, "set pool_recycle = 3240");
        assert!(fix.location.span.is_empty());
        let mut out = text.to_string();
        out.insert_str(fix.location.span.start, &fix.replacement);
        Some(out)
    }

    #[test]
    fn flask_options_insertion_accept_table() {
        for (name, text, fixed) in [
            (
                "/x/app.yaml",
                "# no SQLALCHEMY_ENGINE_OPTIONS yet\nSQLALCHEMY_DATABASE_URI: mysql://h/db\nDEBUG: false\n",
                "# no SQLALCHEMY_ENGINE_OPTIONS yet\nSQLALCHEMY_DATABASE_URI: mysql://h/db\nSQLALCHEMY_ENGINE_OPTIONS:\n  pool_recycle: 3240\nDEBUG: false\n",
            ),
            (
                "/x/app.yml",
                "flask:\n  SQLALCHEMY_DATABASE_URI: 'mysql://h/db'\n",
                "flask:\n  SQLALCHEMY_DATABASE_URI: 'mysql://h/db'\n  SQLALCHEMY_ENGINE_OPTIONS:\n    pool_recycle: 3240\n",
            ),
            (
                "/x/app.yaml",
                "SQLALCHEMY_DATABASE_URI: mysql://h/db",
                "SQLALCHEMY_DATABASE_URI: mysql://h/db\nSQLALCHEMY_ENGINE_OPTIONS:\n  pool_recycle: 3240\n",
            ),
            (
                "/x/config.py",
                "class Config:\n    SQLALCHEMY_DATABASE_URI = \"mysql://h/db\"  # the (main) db\n    DEBUG = False\n",
                "class Config:\n    SQLALCHEMY_DATABASE_URI = \"mysql://h/db\"  # the (main) db\n    SQLALCHEMY_ENGINE_OPTIONS = {\"pool_recycle\": 3240}\n    DEBUG = False\n",
            ),
            (
                "/x/config.py",
                "SQLALCHEMY_DATABASE_URI = os.environ.get(\"DB\", \"mysql://h/db\")\n",
                "SQLALCHEMY_DATABASE_URI = os.environ.get(\"DB\", \"mysql://h/db\")\nSQLALCHEMY_ENGINE_OPTIONS = {\"pool_recycle\": 3240}\n",
            ),
        ] {
            assert_eq!(flask_inserted(name, text).as_deref(), Some(fixed), "{text}");
        }
    }

    #[test]
    fn flask_options_insertion_reject_table() {
        for (name, text) in [
            // Set already, in any form.
            (
                "/x/app.yaml",
                "SQLALCHEMY_DATABASE_URI: mysql://h/db\nSQLALCHEMY_ENGINE_OPTIONS: {}\n",
            ),
            (
                "/x/config.py",
                "SQLALCHEMY_DATABASE_URI = 'x'\napp.config['SQLALCHEMY_ENGINE_OPTIONS'] = {}\n",
            ),
            // The value goes on past its line.
            ("/x/app.yaml", "SQLALCHEMY_DATABASE_URI:\n  mysql://h/db\n"),
            (
                "/x/app.yaml",
                "SQLALCHEMY_DATABASE_URI: >\n  mysql://h/db\n",
            ),
            (
                "/x/config.py",
                "SQLALCHEMY_DATABASE_URI = (\n    'mysql://h/db'\n)\n",
            ),
            (
                "/x/config.py",
                "SQLALCHEMY_DATABASE_URI = 'mysql://h/db' \\\n    + '?x=1'\n",
            ),
            // Not at the start of its line, or not an assignment.
            (
                "/x/config.py",
                "app.config['SQLALCHEMY_DATABASE_URI'] = 'x'\n",
            ),
            ("/x/config.py", "SQLALCHEMY_DATABASE_URI == 'x'\n"),
            // Another format.
            ("/x/app.toml", "SQLALCHEMY_DATABASE_URI = 'mysql://h/db'\n"),
        ] {
            assert_eq!(flask_inserted(name, text), None, "{text}");
        }
    }

    #[test]
    fn set_seconds_fix_needs_a_written_value() {
        let sources = SourceMap::new(None);
        let default = Origin::default_of("SQLAlchemy", "https://docs.sqlalchemy.org");
        assert!(set_seconds_fix(&default, "pool_recycle", 3240, &sources).is_none());
        let flag = Origin::Flag("--hop".into());
        assert!(set_seconds_fix(&flag, "pool_recycle", 3240, &sources).is_none());
    }
}
