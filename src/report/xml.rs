//! XML escaping shared by the `junit` and `checkstyle` renderers.

/// Escapes `s` for use in XML 1.0 text or in an attribute value quoted with
/// either `"` or `'`.
///
/// `&`, `<`, `>`, `"` and `'` become entity references. Tab, newline and
/// carriage return become character references, so attribute-value
/// normalisation does not turn them into spaces. Other control characters
/// are not allowed in XML 1.0 at all (not even as references) and become
/// U+FFFD.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_markup_quotes_and_controls() {
        assert_eq!(
            escape("a<b & 'c' \"d\">\n\u{1}"),
            "a&lt;b &amp; &apos;c&apos; &quot;d&quot;&gt;&#10;\u{FFFD}"
        );
        assert_eq!(escape("café"), "café");
    }
}
