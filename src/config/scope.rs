//! Which paths a diagnostic belongs to, for `per-path-ignores`.

use std::collections::BTreeSet;

use crate::diagnostic::Diagnostic;
use crate::model::{ConnectionPath, Hop};
use crate::provenance::Origin;
use crate::source::FileId;

/// `*` matches any run of characters, `?` one character; anything else itself.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || (p[pi] != '*' && p[pi] == t[ti])) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// The files a path reads (app, kernels, server, PgBouncers, proxy configs).
pub(super) fn path_files(p: &ConnectionPath) -> BTreeSet<FileId> {
    let mut s = BTreeSet::new();
    if let Some(a) = &p.app {
        s.insert(a.anchor.file);
    }
    s.extend(p.app_kernel.files.iter().copied());
    s.extend(p.db_kernel.files.iter().copied());
    if let Some(m) = p.mysql() {
        s.extend(m.files.iter().copied());
    }
    if let Some(pg) = p.postgres() {
        s.extend(pg.files.iter().copied());
    }
    for h in &p.hops {
        match h {
            Hop::PgBouncer(b) => s.extend(b.settings.files.iter().copied()),
            Hop::Network(n) => {
                if let Origin::File(l) = &n.idle_timeout.origin {
                    s.insert(l.file);
                }
            }
        }
    }
    s
}

/// The paths a diagnostic belongs to: those reading the file of its primary
/// location (else of its first located related label); for a location in a
/// manifest, the `[[path]]` entry declared last before it; every path when
/// the diagnostic has no location.
pub(super) fn owners(
    d: &Diagnostic,
    paths: &[ConnectionPath],
    files: &[BTreeSet<FileId>],
) -> Vec<usize> {
    let loc = d
        .primary
        .location
        .or_else(|| d.related.iter().find_map(|l| l.location));
    let Some(loc) = loc else {
        return (0..paths.len()).collect();
    };
    let declared = paths
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            p.location
                .filter(|l| l.file == loc.file && l.span.start <= loc.span.start)
                .map(|l| (l.span.start, i))
        })
        .max();
    if let Some((_, i)) = declared {
        return vec![i];
    }
    (0..paths.len())
        .filter(|i| files[*i].contains(&loc.file))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        for (p, t, ok) in [
            ("*", "api -> db", true),
            ("api -> *", "api -> orders-db", true),
            ("api -> *", "worker -> orders-db", false),
            ("*-db", "api -> orders-db", true),
            ("path ?", "path 1", true),
            ("path ?", "path 12", false),
            ("a*b*c", "aXbYc", true),
            ("a*b*c", "aXbY", false),
            ("exact", "exact", true),
            ("", "", true),
            ("", "x", false),
        ] {
            assert_eq!(glob_match(p, t), ok, "{p} ~ {t}");
        }
    }
}
