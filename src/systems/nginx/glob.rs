//! glob(3) and fnmatch(3) for include patterns.

use std::path::{Component, Path, PathBuf};

/// Expands a glob pattern like glob(3) without flags: `*`, `?` and `[...]`
/// per path component, a leading `.` only matched explicitly, results
/// sorted. Matching nothing gives an empty list. Only folders `allowed`
/// accepts (those inside the project root) are listed; the flag says whether
/// one was refused.
pub(super) fn glob(pattern: &Path, allowed: &dyn Fn(&Path) -> bool) -> (Vec<PathBuf>, bool) {
    let mut refused = false;
    let mut current = vec![PathBuf::new()];
    for comp in pattern.components() {
        let magic = match comp {
            Component::Normal(s) => {
                let s = s.to_string_lossy();
                s.contains(['*', '?', '[']).then(|| s.into_owned())
            }
            _ => None,
        };
        match magic {
            Some(pat) => {
                let mut next = Vec::new();
                for dir in &current {
                    let listed = if dir.as_os_str().is_empty() {
                        Path::new(".")
                    } else {
                        dir.as_path()
                    };
                    if !allowed(listed) {
                        refused = true;
                        continue;
                    }
                    let Ok(entries) = std::fs::read_dir(listed) else {
                        continue;
                    };
                    for e in entries.flatten() {
                        let name = e.file_name().to_string_lossy().into_owned();
                        if fnmatch(&pat, &name) {
                            next.push(dir.join(name));
                        }
                    }
                }
                current = next;
            }
            None => {
                for p in &mut current {
                    p.push(comp.as_os_str());
                }
            }
        }
    }
    current.retain(|p| p.exists());
    current.sort_by(|a, b| {
        a.to_string_lossy()
            .as_bytes()
            .cmp(b.to_string_lossy().as_bytes())
    });
    (current, refused)
}

/// fnmatch(3) of one file name, as glob(3) uses it: `*`, `?`, `[...]` with
/// `!`/`^` negation and ranges, `\` quoting; a leading `.` is not matched by
/// a wildcard.
pub(super) fn fnmatch(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    if n.first() == Some(&'.') && p.first() != Some(&'.') {
        return false;
    }
    match_from(&p, &n)
}

fn match_from(p: &[char], n: &[char]) -> bool {
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        let step = match p.get(pi) {
            Some('*') => {
                star = Some((pi, ni));
                pi += 1;
                continue;
            }
            Some('?') => Some(1),
            Some('[') => match class(&p[pi..], n[ni]) {
                Some((true, len)) => Some(len),
                Some((false, _)) => None,
                // An unclosed `[` is an ordinary character.
                None => (n[ni] == '[').then_some(1),
            },
            Some('\\') if pi + 1 < p.len() => (p[pi + 1] == n[ni]).then_some(2),
            Some(c) => (*c == n[ni]).then_some(1),
            None => None,
        };
        match step {
            Some(len) => {
                pi += len;
                ni += 1;
            }
            None => match star {
                Some((sp, sn)) => {
                    pi = sp + 1;
                    ni = sn + 1;
                    star = Some((sp, sn + 1));
                }
                None => return false,
            },
        }
    }
    p[pi.min(p.len())..].iter().all(|c| *c == '*')
}

/// Matches `c` against the class starting at `p[0] == '['`: `(matched,
/// pattern length)`, or `None` when the class is not closed.
fn class(p: &[char], c: char) -> Option<(bool, usize)> {
    let mut i = 1;
    let negate = matches!(p.get(i), Some('!' | '^'));
    if negate {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    loop {
        let lo = *p.get(i)?;
        if lo == ']' && !first {
            return Some((matched != negate, i + 1));
        }
        first = false;
        if p.get(i + 1) == Some(&'-') && p.get(i + 2).is_some_and(|h| *h != ']') {
            let hi = *p.get(i + 2)?;
            if lo <= c && c <= hi {
                matched = true;
            }
            i += 3;
        } else {
            if lo == c {
                matched = true;
            }
            i += 1;
        }
    }
}
