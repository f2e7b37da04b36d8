//! The Flask-SQLAlchemy major version a project pins, read from its
//! dependency files, because 2.x and 3.x build the engine differently (see
//! [`super::superset`] for 2.x, [`super::flask`] for 3.x).
//!
//! From the app file's folder up to the project root, the first of these
//! files that names `flask-sqlalchemy` (any case, `-` or `_`) decides:
//! `requirements*.txt`, every `.txt` of a `requirements/` folder, `pyproject.toml`,
//! `Pipfile`, `setup.py`, `setup.cfg`. The major version is taken only when
//! the specifier fixes it: `==2.2`, `~=2.5`, `^2.5`, `2.5.*`, `<3`, `<3.0`,
//! `<=2.5`, `>=2.4,<3` give 2; `==3.1`, `>=3`, `~=3.0`, `^3` give 3. Anything
//! else (no pin, `>=2.4`) leaves the tool's default, 3.x. Files are read
//! through the [`crate::source::ReadPolicy`] (inside the root, capped), never
//! executed.

use std::path::{Path, PathBuf};

use crate::source::SourceMap;

/// The files looked at in each folder, besides `requirements*.txt`.
const FILES: [&str; 4] = ["pyproject.toml", "Pipfile", "setup.py", "setup.cfg"];

/// The Flask-SQLAlchemy major version pinned for the app at `app` (2 or
/// 3), and the file that pins it; `None` when no file fixes it.
pub fn flask_sqlalchemy_major(app: &Path, sources: &SourceMap) -> Option<(u8, PathBuf)> {
    let policy = sources.policy();
    let root = policy.root().map(Path::to_path_buf);
    let mut dir = app.parent().map(Path::to_path_buf);
    let mut levels = 0;
    while let Some(d) = dir {
        let mut candidates: Vec<PathBuf> = Vec::new();
        if let Ok(entries) = std::fs::read_dir(if d.as_os_str().is_empty() {
            Path::new(".")
        } else {
            &d
        }) {
            let mut names: Vec<String> = entries
                .flatten()
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|n| n.starts_with("requirements") && n.ends_with(".txt"))
                .collect();
            names.sort();
            candidates.extend(names.into_iter().map(|n| d.join(n)));
        }
        // A `requirements/` folder (`common.txt`, `prod.txt`, ...).
        if let Ok(entries) = std::fs::read_dir(d.join("requirements")) {
            let mut names: Vec<String> = entries
                .flatten()
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|n| n.ends_with(".txt"))
                .collect();
            names.sort();
            candidates.extend(names.into_iter().map(|n| d.join("requirements").join(n)));
        }
        candidates.extend(FILES.iter().map(|f| d.join(f)));
        for c in candidates {
            if !c.is_file() {
                continue;
            }
            let Ok((_, bytes)) = policy.read(&c, "") else {
                continue;
            };
            let text = String::from_utf8_lossy(&bytes);
            if let Some(major) = pinned_major(&text) {
                return Some((major, c));
            }
        }
        let real = std::fs::canonicalize(if d.as_os_str().is_empty() {
            Path::new(".")
        } else {
            &d
        })
        .unwrap_or_else(|_| d.clone());
        levels += 1;
        let at_root = match &root {
            Some(r) => real == *r || !real.starts_with(r),
            None => levels > 3,
        };
        if at_root {
            break;
        }
        dir = d.parent().map(Path::to_path_buf);
    }
    None
}

/// The major version a dependency file's text fixes for Flask-SQLAlchemy
/// (see the module docs); `None` when it names it without fixing the major,
/// or not at all.
pub fn pinned_major(text: &str) -> Option<u8> {
    for line in text.lines() {
        let lower = line.to_ascii_lowercase().replace('_', "-");
        let Some(at) = lower.find("flask-sqlalchemy") else {
            continue;
        };
        let line_comment = lower.trim_start().starts_with('#');
        if line_comment {
            continue;
        }
        let rest = &lower[at + "flask-sqlalchemy".len()..];
        // `flask-sqlalchemy-utils` is another package.
        if rest.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '-') {
            continue;
        }
        if let Some(m) = major_of(rest) {
            return Some(m);
        }
    }
    None
}

/// The major version a specifier (`==2.2`, `= "^2.5"`, `>=2.4,<3`) fixes.
fn major_of(spec: &str) -> Option<u8> {
    let spec: String = spec
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '"' | '\'' | '=' | ':'))
        .collect::<String>();
    // `=` removed above: `==2.2` is `2.2`, `>=3` is `>3`, `<=2.5` is `<2.5`.
    let mut lower_major: Option<u8> = None;
    let mut upper_major: Option<u8> = None;
    for part in spec.split([',', ';', ')', ']', '#']) {
        // `{version2.5.1}` (a Pipfile or poetry table), `(>=2.4`: from the
        // first operator or digit.
        let part = part.trim_start_matches(|c: char| !(c.is_ascii_digit() || "<>~^".contains(c)));
        let (op, version) = match part.chars().next() {
            Some('<') => ("<", &part[1..]),
            Some('>') => (">", &part[1..]),
            Some('~') | Some('^') => ("~", &part[1..]),
            Some(c) if c.is_ascii_digit() => ("=", part),
            _ => continue,
        };
        let mut nums = version.split('.');
        let Some(Ok(major)) = nums.next().map(str::parse::<u8>) else {
            continue;
        };
        let minor_zero = nums.next().is_none_or(|m| m.chars().all(|c| c == '0'));
        match op {
            "=" | "~" => return Some(major),
            // `<3` / `<3.0`: below 3; `<2.5`: 2.
            "<" if minor_zero && major > 0 => upper_major = Some(major - 1),
            "<" => upper_major = Some(major),
            ">" => lower_major = Some(major),
            _ => {}
        }
    }
    match (lower_major, upper_major) {
        (_, Some(u)) => Some(u),
        (Some(l), None) if l >= 3 => Some(l),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specifiers_fix_the_major_or_not() {
        let table: &[(&str, Option<u8>)] = &[
            ("Flask-SQLAlchemy==2.2\n", Some(2)),
            ("flask_sqlalchemy~=2.5\n", Some(2)),
            ("flask-sqlalchemy>=2.4,<3\n", Some(2)),
            ("flask-sqlalchemy<3.0\n", Some(2)),
            ("flask-sqlalchemy <= 2.5.1\n", Some(2)),
            ("flask-sqlalchemy==3.1.1\n", Some(3)),
            ("flask-sqlalchemy>=3.0\n", Some(3)),
            ("\"Flask-SQLAlchemy>=3.0.2\",\n", Some(3)),
            ("flask-sqlalchemy = \"^2.5\"\n", Some(2)),
            ("flask-sqlalchemy = {version = \"==2.5.1\"}\n", Some(2)),
            ("Flask-SQLAlchemy==2.5.*\n", Some(2)),
            // Not fixed, or not this package.
            ("flask-sqlalchemy>=2.4\n", None),
            ("flask-sqlalchemy\n", None),
            ("# flask-sqlalchemy==2.2\n", None),
            ("flask-sqlalchemy-utils==2.0\n", None),
            ("sqlalchemy==2.0.1\n", None),
        ];
        for (text, want) in table {
            assert_eq!(pinned_major(text), *want, "{text:?}");
        }
    }
}
