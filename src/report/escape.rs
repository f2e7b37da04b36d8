//! Escaping of text that a pull-request author controls (file names, values,
//! anything a message or label quotes from a file) before the text-based
//! formats print it: `human`, `concise`, `gcc` and the `chain` table.
//!
//! The rules, shared by those formats:
//!
//! * [`control`]: `\n`, `\r` and `\t` are written as those two-character
//!   escapes; every other C0 control and DEL as `\xNN` (`\x1b`, `\x7f`); C1
//!   controls, the Unicode line and paragraph separators (U+2028, U+2029)
//!   and the bidirectional-text controls (U+202A..U+202E, U+2066..U+2069) as
//!   `\u{NN}` (`\u{85}`, `\u{202e}`). So no attacker text can start a new
//!   output line, move the cursor, recolour the terminal or reorder what is
//!   shown. A backslash is not escaped: the result is for reading, not for
//!   parsing back.
//! * [`text`]: [`control`], then any run of more than [`MAX_WORD`]
//!   characters without a space (in practice a value quoted from a file) is
//!   cut to that many followed by `…`, and the whole text to [`MAX_TEXT`]
//!   characters followed by `…`. Used for messages, labels and help.
//! * [`file_name`]: [`control`], and a name that begins with `:` is shown as
//!   `./name`, so that a line starting with a file name (`concise`, `gcc`)
//!   never starts with `::`, which GitHub Actions would read as a workflow
//!   command.
//!
//! The structured formats escape on their own terms: JSON (`json`, `sarif`,
//! `rdjson`) by JSON string escaping, XML (`junit`, `checkstyle`) by
//! `report::xml::escape`, and `github` by the workflow-command rules of
//! `report::github`.

use std::borrow::Cow;

/// Longest run of characters without a space that [`text`] keeps before
/// cutting it with `…`.
pub const MAX_WORD: usize = 200;

/// Longest text, in characters after escaping, that [`text`] keeps before
/// cutting it with `…`.
pub const MAX_TEXT: usize = 2000;

/// True for the characters [`control`] escapes.
pub fn is_escaped(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Appends `c` to `out`, escaped when [`is_escaped`] says so.
pub fn push_char(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if is_escaped(c) && (c as u32) < 0x80 => {
            out.push_str(&format!("\\x{:02x}", c as u32));
        }
        c if is_escaped(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
        c => out.push(c),
    }
}

/// How many characters [`push_char`] writes for `c`.
pub fn width(c: char) -> usize {
    match c {
        '\n' | '\r' | '\t' => 2,
        c if is_escaped(c) && (c as u32) < 0x80 => 4,
        c if is_escaped(c) => format!("{:x}", c as u32).len() + 4,
        _ => 1,
    }
}

/// `s` with control characters escaped (see the module documentation);
/// borrowed when there is nothing to escape.
pub fn control(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_escaped) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        push_char(&mut out, c);
    }
    Cow::Owned(out)
}

/// `s` escaped by [`control`], with runs of more than [`MAX_WORD`]
/// characters without a space and the whole text beyond [`MAX_TEXT`]
/// characters cut with `…`. Reads at most about [`MAX_TEXT`] characters of
/// `s`, however long it is.
pub fn text(s: &str) -> Cow<'_, str> {
    let short = s.len() <= MAX_WORD && !s.chars().any(is_escaped);
    if short {
        return Cow::Borrowed(s);
    }
    let mut out = String::new();
    let mut total = 0usize;
    let mut word = 0usize;
    let mut skipping = false;
    for c in s.chars() {
        if c == ' ' {
            skipping = false;
            word = 0;
        } else if skipping {
            continue;
        }
        let w = width(c);
        if total + w > MAX_TEXT {
            out.push('…');
            return Cow::Owned(out);
        }
        if c != ' ' && word + w > MAX_WORD {
            out.push('…');
            total += 1;
            skipping = true;
            continue;
        }
        push_char(&mut out, c);
        total += w;
        if c != ' ' {
            word += w;
        }
    }
    if out == s {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(out)
    }
}

/// A file's display name as the text formats print it: escaped by
/// [`control`], and prefixed with `./` when it begins with `:`.
pub fn file_name(name: &str) -> Cow<'_, str> {
    let escaped = control(name);
    if escaped.starts_with(':') {
        Cow::Owned(format!("./{escaped}"))
    } else {
        escaped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_escaped() {
        assert_eq!(control("plain café"), "plain café");
        assert!(matches!(control("plain"), Cow::Borrowed(_)));
        assert_eq!(control("a\nb\rc\td"), "a\\nb\\rc\\td");
        assert_eq!(control("\u{1b}[2J\u{7f}\u{0}"), "\\x1b[2J\\x7f\\x00");
        assert_eq!(control("\u{85}\u{9b}"), "\\u{85}\\u{9b}");
        assert_eq!(control("a\u{202e}b\u{2028}"), "a\\u{202e}b\\u{2028}");
    }

    #[test]
    fn file_names_never_start_with_a_colon() {
        assert_eq!(
            file_name("::error file=x::owned"),
            "./::error file=x::owned"
        );
        assert_eq!(file_name("a\n::error::x"), "a\\n::error::x");
        assert_eq!(file_name("db/my.cnf"), "db/my.cnf");
        assert_eq!(file_name("/etc/my.cnf"), "/etc/my.cnf");
    }

    #[test]
    fn long_words_and_texts_are_cut() {
        assert_eq!(text("short message"), "short message");
        let value = "x".repeat(1_000_000);
        let msg = format!("value `{value}` is wrong");
        let out = text(&msg);
        assert_eq!(
            out,
            format!("value `{}… is wrong", "x".repeat(MAX_WORD - 1))
        );
        let words = "word ".repeat(1000);
        let out = text(&words);
        assert_eq!(out.chars().count(), MAX_TEXT + 1);
        assert!(out.ends_with('…'));
        // An escape counts with its full width.
        let esc = "\u{1b}".repeat(100);
        assert_eq!(text(&esc).chars().count(), MAX_WORD / 4 * 4 + 1);
    }
}
