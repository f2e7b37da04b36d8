//! Secrets inside libpq connection strings (`primary_conninfo`).

/// Byte ranges of secrets in a conninfo value as written: the value of each
/// `password=` keyword and the password of a `postgresql://user:pw@host` URI.
pub(super) fn conninfo_secrets(raw: &str) -> Vec<(usize, usize)> {
    let b = raw.as_bytes();
    // The closing outer quote is not part of a secret.
    let limit = if raw.len() >= 2 && raw.starts_with('\'') && raw.ends_with('\'') {
        raw.len() - 1
    } else {
        raw.len()
    };
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(rel) = raw.get(from..limit).and_then(|s| s.find("password")) {
        let k = from + rel;
        from = k + "password".len();
        let boundary = k == 0 || matches!(b[k - 1], b' ' | b'\t' | b'\'' | b'"');
        let mut i = from;
        while i < limit && matches!(b[i], b' ' | b'\t') {
            i += 1;
        }
        if !boundary || i >= limit || b[i] != b'=' {
            continue;
        }
        i += 1;
        while i < limit && matches!(b[i], b' ' | b'\t') {
            i += 1;
        }
        let start = i;
        // A quoted value (`''two words''` inside the outer quotes, `\'x\'`,
        // `"x"`) runs to its closing quote, or to the end when unbalanced.
        let quote = ["''", "\\'", "'", "\""]
            .into_iter()
            .find(|q| raw[i..limit].starts_with(q));
        if let Some(q) = quote {
            i = raw[i + q.len()..limit]
                .find(q)
                .map_or(limit, |p| i + q.len() + p + q.len());
        }
        while quote.is_none() && i < limit && !matches!(b[i], b' ' | b'\t') {
            i += 1;
        }
        if i > start {
            out.push((start, i));
        }
        from = i;
    }
    if let Some(scheme) = raw.find("://") {
        let auth_start = scheme + 3;
        let auth_end = raw[auth_start..limit.max(auth_start)]
            .find(['/', '?', ' ', '\''])
            .map_or(limit, |i| auth_start + i);
        if let Some(at) = raw[auth_start..auth_end].rfind('@') {
            let userinfo = &raw[auth_start..auth_start + at];
            if let Some(colon) = userinfo.find(':')
                && colon + 1 < userinfo.len()
            {
                out.push((auth_start + colon + 1, auth_start + at));
            }
        }
    }
    out
}
