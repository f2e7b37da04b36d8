//! Secrets are redacted at output, not at input.
//!
//! Loaders read the real text of every file and mark where passwords are
//! ([`crate::source::SourceFile::mark_secret`]); values without a span in a
//! loaded file (the `--env-file`'s) are recorded with
//! [`crate::source::SourceMap::add_secret_value`]. Outputs are masked twice:
//! source snippets come from [`crate::source::SourceFile::masked_text`], and
//! every text the command line writes (each format, the chain table and JSON,
//! the baseline file, each error line) goes through
//! [`crate::source::SourceMap::scrub`], which masks every occurrence of every
//! secret value with [`scrub`].
//!
//! This module also holds the text scans shared by loaders: password
//! assignments inside conninfo and libpq `options` strings
//! ([`assignment_ranges`]), secret-looking variable names
//! ([`is_secret_var_name`]) and the line scan used when a file does not parse
//! ([`secret_spans_in_text`]).

use std::ops::Range;

use crate::diagnostic::Diagnostic;
use crate::source::{SourceMap, Span};

/// Secret values shorter than this many bytes are not scrubbed from outputs:
/// masking every `ab` or `pw` would corrupt messages, keys and numbers. Their
/// spans are still masked in source snippets.
pub const MIN_SCRUB_LEN: usize = 4;

/// `text` with every occurrence of each of `values` (at least
/// [`MIN_SCRUB_LEN`] bytes long) replaced by one `*` per character.
///
/// Besides the value as written, the forms the renderers produce are matched:
/// JSON string escaping, XML escaping, GitHub workflow-command escaping, and
/// the percent-decoded value (a password written URL-encoded is decoded in
/// messages). Overlapping occurrences are masked together. To scrub many
/// texts with the same values, build one [`Scrubber`].
pub fn scrub(text: &str, values: &[String]) -> String {
    Scrubber::new(values).scrub(text)
}

/// Every form of a set of secret values (see [`scrub`]) in one
/// Aho-Corasick automaton: built once in time linear in the total length
/// of the forms, it scrubs a text in one pass, linear in the text's length
/// plus the number of occurrences, whatever the number of values.
#[derive(Debug)]
pub struct Scrubber {
    matcher: Matcher,
}

#[derive(Debug)]
enum Matcher {
    /// No value is long enough to be scrubbed.
    Nothing,
    /// Every form.
    Forms(aho_corasick::AhoCorasick),
    /// The automaton could not be built (past its size limits): no text
    /// can be shown safely, so every character is masked.
    Everything,
}

impl Scrubber {
    /// The scrubber of `values` (values shorter than [`MIN_SCRUB_LEN`]
    /// bytes are left out).
    pub fn new(values: &[String]) -> Self {
        let mut forms: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
        for v in values.iter().filter(|v| v.len() >= MIN_SCRUB_LEN) {
            let decoded = percent_decode(v);
            for base in [v.clone(), decoded] {
                let json = serde_json::to_string(&base).unwrap_or_default();
                let json = json
                    .get(1..json.len().saturating_sub(1))
                    .unwrap_or_default()
                    .to_string();
                for form in [
                    json,
                    crate::report::xml::escape(&base),
                    crate::report::github::escape_property(&base),
                    crate::report::github::escape_data(&base),
                    base,
                ] {
                    if form.len() >= MIN_SCRUB_LEN {
                        forms.insert(form);
                    }
                }
            }
        }
        let matcher = if forms.is_empty() {
            Matcher::Nothing
        } else {
            aho_corasick::AhoCorasick::new(&forms).map_or(Matcher::Everything, Matcher::Forms)
        };
        Scrubber { matcher }
    }

    /// `text` with every occurrence of every form replaced by one `*` per
    /// character.
    pub fn scrub(&self, text: &str) -> String {
        let matcher = match &self.matcher {
            Matcher::Nothing => return text.to_string(),
            Matcher::Everything => return "*".repeat(text.chars().count()),
            Matcher::Forms(m) => m,
        };
        let mut ranges: Vec<(usize, usize)> = matcher
            .find_overlapping_iter(text)
            .map(|m| (m.start(), m.end()))
            .collect();
        if ranges.is_empty() {
            return text.to_string();
        }
        ranges.sort_unstable();
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        let mut i = 0;
        while i < ranges.len() {
            let (start, mut end) = ranges[i];
            i += 1;
            while i < ranges.len() && ranges[i].0 < end {
                end = end.max(ranges[i].1);
                i += 1;
            }
            // Forms are whole strings, so both ends are character boundaries.
            out.push_str(&text[at..start]);
            out.extend(std::iter::repeat_n('*', text[start..end].chars().count()));
            at = end;
        }
        out.push_str(&text[at..]);
        out
    }
}

/// The first line of a third-party parser's message (`toml::de::Error::message`,
/// never its `Display`, which quotes the source line), with any quoted string
/// value (serde's `invalid type: string "x"`) replaced by `a string`, so no
/// text of the input is echoed.
pub fn parser_message(message: &str) -> String {
    let line = message.lines().next().unwrap_or("").trim();
    let mut out = String::new();
    let mut rest = line;
    while let Some(i) = rest.find("string \"") {
        out.push_str(&rest[..i]);
        out.push_str("a string");
        let after = &rest[i + "string \"".len()..];
        let mut end = after.len();
        let mut escaped = false;
        for (j, c) in after.char_indices() {
            match c {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => {
                    end = j + 1;
                    break;
                }
                _ => escaped = false,
            }
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// Copies of `diags` with every message, label and help scrubbed of the
/// secret values of `sources` ([`SourceMap::scrub`]).
///
/// Renderers that wrap lines (the human one) can split a value across lines,
/// where scrubbing the rendered text would miss it, so the command line
/// scrubs the diagnostics before rendering as well as the text after.
pub fn scrub_diagnostics(diags: &[Diagnostic], sources: &SourceMap) -> Vec<Diagnostic> {
    let values = sources.secret_values();
    let scrubber = Scrubber::new(&values);
    let clean = |s: &mut String| {
        if !matches!(scrubber.matcher, Matcher::Nothing) {
            *s = scrubber.scrub(s);
        }
    };
    diags
        .iter()
        .map(|d| {
            let mut d = d.clone();
            clean(&mut d.message);
            clean(&mut d.primary.message);
            for l in &mut d.related {
                clean(&mut l.message);
            }
            if let Some(h) = &mut d.help {
                clean(h);
            }
            d
        })
        .collect()
}

/// `%XX` sequences decoded (invalid UTF-8 replaced); `s` itself when it has none.
fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = (b[i] == b'%')
            .then(|| s.get(i + 1..i + 3))
            .flatten()
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match hex {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(b[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A marked span's text without surrounding blanks and without the quotes of
/// a quoted string (`"x"`, `'x'`, Python `r'x'`, `"""x"""`), so the value is
/// scrubbed as a message would quote it; a lone opening quote is dropped too.
/// Anything else is returned trimmed.
pub fn unquote(s: &str) -> &str {
    let t = s.trim();
    let body = t.trim_start_matches(['r', 'R', 'b', 'B', 'u', 'U', 'f', 'F']);
    let body = if t.len() - body.len() <= 2 { body } else { t };
    for q in ["\"\"\"", "'''", "\"", "'"] {
        if body.len() >= 2 * q.len() && body.starts_with(q) && body.ends_with(q) {
            return &body[q.len()..body.len() - q.len()];
        }
    }
    // An unterminated quote (a file that does not parse): the value after it.
    t.strip_prefix(['"', '\'']).unwrap_or(t)
}

/// True for environment variable names that hold a secret: containing
/// `PASSWORD`, `PASSWD`, `PWD`, `SECRET` or `TOKEN` (any case).
pub fn is_secret_var_name(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    ["PASSWORD", "PASSWD", "PWD", "SECRET", "TOKEN"]
        .iter()
        .any(|w| n.contains(w))
}

/// Byte ranges of password values assigned inside a string: conninfo
/// (`host=a password=x`), libpq `options` (`-c password=x`) and their
/// URL-encoded forms (`password%3Dx`).
///
/// The key is `password`, `passwd` or `pwd` (any case) after a word
/// boundary, then `=` (blanks around it allowed) or `%3D`. A value quoted with
/// `'` or `"` runs to its closing quote, or, when the quote is never closed,
/// to the end of the string; an unquoted value runs to the next blank (and,
/// after `%3D`, to the next `&`, `+` or `%20`).
pub fn assignment_ranges(s: &str) -> Vec<Range<usize>> {
    // Every assignment has `=` or `%3D`: most strings have neither.
    if !s.bytes().any(|c| c == b'=' || c == b'%') {
        return Vec::new();
    }
    let lower = s.to_ascii_lowercase();
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    while from < s.len() {
        let Some((k, key)) = ["password", "passwd", "pwd"]
            .iter()
            .filter_map(|w| lower[from..].find(w).map(|i| (from + i, *w)))
            .min()
        else {
            break;
        };
        from = k + key.len();
        let boundary = k == 0
            || !(b[k - 1].is_ascii_alphanumeric() || b[k - 1] == b'_')
            || lower[..k].ends_with("%20");
        let mut i = from;
        while i < b.len() && matches!(b[i], b' ' | b'\t') {
            i += 1;
        }
        let encoded = lower[i..].starts_with("%3d");
        if !boundary || !(encoded || b.get(i) == Some(&b'=')) {
            continue;
        }
        i += if encoded { 3 } else { 1 };
        while i < b.len() && matches!(b[i], b' ' | b'\t') {
            i += 1;
        }
        let start = i;
        let end = match b.get(i) {
            Some(&q) if q == b'\'' || q == b'"' => s[i + 1..]
                .find(q as char)
                .map_or(s.len(), |p| i + 1 + p + 1),
            _ => {
                let stop = |j: usize| {
                    b[j].is_ascii_whitespace()
                        || (encoded
                            && (b[j] == b'&' || b[j] == b'+' || lower[j..].starts_with("%20")))
                };
                (i..b.len()).find(|&j| stop(j)).unwrap_or(b.len())
            }
        };
        if end > start {
            out.push(start..end);
        }
        from = end.max(from);
    }
    out
}

/// Secret spans found by scanning text line by line (for a file that does not
/// parse, where no tree tells which value is a password): URL passwords, the
/// values of [`assignment_ranges`], and everything after the `=` or `:` of a
/// line whose key looks secret ([`is_secret_var_name`], or a password key) up
/// to the end of the line.
pub fn secret_spans_in_text(text: &str) -> Vec<Span> {
    let mut out = Vec::new();
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let mut ranges = assignment_ranges(body);
        // URLs: from the scheme to the next blank or quote.
        let mut from = 0;
        while let Some(i) = body[from..].find("://") {
            let sep = from + i;
            let start = body[..sep]
                .char_indices()
                .rev()
                .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '+'))
                .map_or(0, |(p, c)| p + c.len_utf8());
            let end = body[sep..]
                .find(|c: char| c.is_whitespace() || c == '"' || c == '\'' || c == ',')
                .map_or(body.len(), |p| sep + p);
            for r in crate::systems::app::url::secret_ranges(&body[start..end]) {
                ranges.push(start + r.start..start + r.end);
            }
            from = end.max(sep + 3);
        }
        // `DB_PASSWORD = "x`, `api_token: x`: the key is the text before the
        // first `=` or `:`, without quotes and blanks.
        if let Some(sep) = body.find(['=', ':']) {
            let key = body[..sep].trim().trim_matches(['"', '\'']);
            let key = key.rsplit(['.', ' ', '\t']).next().unwrap_or(key);
            let value = body[sep + 1..].trim();
            if !value.is_empty()
                && (is_secret_var_name(key) || crate::systems::app::url::is_secret_name(key))
            {
                let vstart = sep + 1 + (body[sep + 1..].len() - body[sep + 1..].trim_start().len());
                ranges.push(vstart..vstart + value.len());
            }
        }
        // An HTTP credential header anywhere on the line (git's
        // `extraheader = AUTHORIZATION: basic …`, a proxy's header): all
        // that follows `authorization:` to the end of the line.
        if let Some(i) = body.to_ascii_lowercase().find("authorization:") {
            let after = i + "authorization:".len();
            let value = body[after..].trim();
            if !value.is_empty() {
                let vstart = after + (body[after..].len() - body[after..].trim_start().len());
                ranges.push(vstart..vstart + value.len());
            }
        }
        for r in ranges {
            out.push(Span::new(line_start + r.start, line_start + r.end));
        }
        line_start += line.len();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorization_headers_are_secret() {
        let text = "[http]\n\textraheader = AUTHORIZATION: basic eDp0b2tlbg==\nx = Authorization:Bearer abc.def\n";
        let got: Vec<&str> = secret_spans_in_text(text)
            .into_iter()
            .map(|s| &text[s.start..s.end])
            .collect();
        assert_eq!(got, ["basic eDp0b2tlbg==", "Bearer abc.def"]);
    }

    fn found(s: &str) -> Vec<&str> {
        assignment_ranges(s).into_iter().map(|r| &s[r]).collect()
    }

    #[test]
    fn assignments_in_conninfo_and_options() {
        assert_eq!(found("-c password=pw1 -c x=1"), ["pw1"]);
        assert_eq!(found("host=a PASSWORD = 'p w2' user=u"), ["'p w2'"]);
        assert_eq!(found("host=a password='p w3"), ["'p w3"]);
        assert_eq!(found("-c%20password%3Dpw4%20-c%20a%3D1"), ["pw4"]);
        assert_eq!(found("passwordx=no mypassword=no pwd=pw5"), ["pw5"]);
        assert!(found("password=").is_empty());
    }

    #[test]
    fn parser_messages_lose_quoted_values() {
        assert_eq!(
            parser_message("invalid type: string \"Pw\\\"x\", expected u64\nmore"),
            "invalid type: a string, expected u64"
        );
        assert_eq!(
            parser_message("invalid basic string"),
            "invalid basic string"
        );
    }

    #[test]
    fn unquote_strips_string_quotes_only() {
        assert_eq!(unquote(" 'abc' "), "abc");
        assert_eq!(unquote("r\"abc\""), "abc");
        assert_eq!(unquote("\"\"\"abc\"\"\""), "abc");
        assert_eq!(unquote("'abc"), "abc");
        assert_eq!(unquote("abc"), "abc");
    }

    #[test]
    fn scrub_masks_values_and_their_escaped_forms() {
        let values = vec![
            "p&w\"1x".to_string(),
            "a%40b-long".to_string(),
            "ab".to_string(),
        ];
        let out = scrub(
            "x p&w\"1x y p&amp;w&quot;1x z p&w\\\"1x a@b-long ab",
            &values,
        );
        assert_eq!(out, "x ****** y *************** z ******* ******** ab");
    }

    #[test]
    fn overlapping_values_are_masked_together() {
        let values = vec!["password1234".to_string(), "1234abcd".to_string()];
        assert_eq!(
            scrub("x password1234abcd y 1234abcd", &values),
            "x **************** y ********"
        );
        // One automaton for thousands of values scrubs in one pass.
        let many: Vec<String> = (0..5_000).map(|i| format!("Secret-pw-{i}")).collect();
        let scrubber = Scrubber::new(&many);
        assert_eq!(
            scrubber.scrub("a Secret-pw-4999 b Secret-pw-1x"),
            "a ************** b ***********x"
        );
        assert_eq!(Scrubber::new(&["ab".to_string()]).scrub("ab"), "ab");
    }

    #[test]
    fn text_scan_finds_keys_urls_and_assignments() {
        let text = "[path.env]\nDB_PASSWORD = \"CanaryPw\nURL = \"pg://u:pw9@h/db\"\nX = 1\n";
        let spans = secret_spans_in_text(text);
        let got: Vec<&str> = spans.iter().map(|s| &text[s.start..s.end]).collect();
        assert_eq!(got, ["\"CanaryPw", "pw9"]);
        assert!(is_secret_var_name("api_token"));
        assert!(!is_secret_var_name("DB_HOST"));
    }
}
