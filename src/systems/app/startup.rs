//! The libpq `options` connection parameter: command-line switches the server
//! applies at session start, e.g. `-c statement_timeout=5s`.
//!
//! PostgreSQL splits the string at unescaped white space, a backslash making the
//! next character literal (`src/backend/utils/init/postinit.c`
//! `pg_split_opts`), then reads the words with `getopt` like its own command
//! line (`src/backend/tcop/postgres.c` `process_postgres_switches`, option
//! string `B:bc:C:D:d:EeFf:h:ijk:lN:nOPp:r:S:sTt:v:W:-:`): `-c name=value`,
//! `-cname=value` and `--name=value` set a parameter, and `ParseLongOption`
//! turns `-` in the name into `_`. A setting without `=value`, an unknown
//! switch or a word that is not a switch makes the server refuse the
//! connection. Other known switches (`-B 128`, `-e`) are skipped here.

use std::ops::Range;

/// One `name=value` of an `options` string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedOption {
    /// Parameter name, lower-case, `-` turned into `_`.
    pub name: String,
    /// The value with backslash escapes removed.
    pub value: String,
    /// Byte range of the value as written in the `options` string (escapes included).
    pub value_range: Range<usize>,
}

/// Why an `options` string would make the server refuse the connection.
/// Messages never quote values.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OptionsError {
    /// `-c` (or `--`) at the end, with no setting after it.
    #[error("`-{0}` is not followed by a setting")]
    MissingSetting(char),
    /// A setting without `=value` (its name, lower-case, `-` turned into `_`).
    #[error("{}", no_value_message(.0))]
    NoValue(String),
    /// `-c =value`.
    #[error("a setting has an empty name")]
    EmptyName,
    /// A switch letter the server does not know.
    #[error("`-{0}` is not a switch the server accepts")]
    UnknownSwitch(char),
    /// A word that does not start with `-` (or a lone `--`).
    #[error("a word is not a switch (expected `-c name=value`)")]
    NotASwitch,
}

/// The message of [`OptionsError::NoValue`]: the name is quoted only when it
/// looks like a parameter name (the text could be anything, even a URL).
fn no_value_message(name: &str) -> String {
    let plain = !name.is_empty()
        && name.len() <= 63
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
    if plain {
        format!("the setting `{name}` has no `=value`")
    } else {
        "a setting has no `=value`".to_string()
    }
}

/// Switch letters the server accepts; `true` when the letter takes an argument.
fn switch(c: char) -> Option<bool> {
    const WITH_ARG: &str = "BcCDdfhkNprStvW-";
    const WITHOUT_ARG: &str = "bEeFijlnOPsT";
    if WITH_ARG.contains(c) {
        Some(true)
    } else if WITHOUT_ARG.contains(c) {
        Some(false)
    } else {
        None
    }
}

/// A word of the string: its text without escapes, and for each of its bytes
/// the byte offset in the input (plus the input offset of its end).
struct Word {
    text: String,
    raw: Vec<usize>,
}

impl Word {
    /// Input range of the text bytes `from..` (to the end of the word).
    fn raw_range(&self, from: usize) -> Range<usize> {
        let end = *self.raw.last().unwrap_or(&0);
        let start = self.raw.get(from).copied().unwrap_or(end);
        start..end
    }
}

fn split(input: &str) -> Vec<Word> {
    let mut words = Vec::new();
    let mut chars = input.char_indices().peekable();
    loop {
        while chars.next_if(|(_, c)| c.is_ascii_whitespace()).is_some() {}
        if chars.peek().is_none() {
            return words;
        }
        let mut word = Word {
            text: String::new(),
            raw: Vec::new(),
        };
        let mut escaped = false;
        let mut end = input.len();
        while let Some(&(i, c)) = chars.peek() {
            if c.is_ascii_whitespace() && !escaped {
                end = i;
                break;
            }
            chars.next();
            if !escaped && c == '\\' {
                escaped = true;
                continue;
            }
            escaped = false;
            word.text.push(c);
            word.raw.extend(std::iter::repeat_n(i, c.len_utf8()));
        }
        word.raw.push(end);
        words.push(word);
    }
}

/// Splits `name=value` starting at text byte `at` of `word`.
fn setting(word: &Word, at: usize) -> Result<ParsedOption, OptionsError> {
    let s = &word.text[at..];
    let Some(eq) = s.find('=') else {
        return Err(OptionsError::NoValue(s.replace('-', "_").to_lowercase()));
    };
    if eq == 0 {
        return Err(OptionsError::EmptyName);
    }
    Ok(ParsedOption {
        name: s[..eq].replace('-', "_").to_lowercase(),
        value: s[eq + 1..].to_string(),
        value_range: word.raw_range(at + eq + 1),
    })
}

/// Parses a libpq `options` string into its parameter settings, in order.
///
/// Errors: [`OptionsError`] for what the server would refuse; no setting of
/// such a string is applied.
pub fn parse_libpq_options(input: &str) -> Result<Vec<ParsedOption>, OptionsError> {
    let words = split(input);
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let word = &words[i];
        i += 1;
        if !word.text.starts_with('-') || word.text == "-" || word.text == "--" {
            return Err(OptionsError::NotASwitch);
        }
        // getopt: letters one after the other; a letter taking an argument
        // takes the rest of the word, or else the next word.
        let mut pos = 1;
        while let Some(c) = word.text[pos..].chars().next() {
            pos += c.len_utf8();
            let takes_arg = switch(c).ok_or(OptionsError::UnknownSwitch(c))?;
            if !takes_arg {
                continue;
            }
            let (arg_word, at) = if pos < word.text.len() {
                (word, pos)
            } else {
                let next = words.get(i).ok_or(OptionsError::MissingSetting(c))?;
                i += 1;
                (next, 0)
            };
            if c == 'c' || c == '-' {
                out.push(setting(arg_word, at)?);
            }
            break;
        }
    }
    Ok(out)
}

/// Decodes a URL query value as SQLAlchemy does (`urllib.parse.parse_qsl`:
/// `+` is a space, `%XX` a byte; invalid UTF-8 is replaced).
pub fn decode_query_value(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Expected settings: name, value, value text as written.
    type Want = &'static [(&'static str, &'static str, &'static str)];

    fn pairs(input: &str) -> Vec<(String, String, String)> {
        parse_libpq_options(input)
            .unwrap_or_else(|e| panic!("{input}: {e}"))
            .into_iter()
            .map(|o| (o.name, o.value, input[o.value_range].to_string()))
            .collect()
    }

    #[test]
    fn accepts() {
        let cases: &[(&str, Want)] = &[
            (
                "-c statement_timeout=5000",
                &[("statement_timeout", "5000", "5000")],
            ),
            (
                "-cstatement_timeout=5s",
                &[("statement_timeout", "5s", "5s")],
            ),
            (
                "--statement-timeout=5min",
                &[("statement_timeout", "5min", "5min")],
            ),
            (
                "  -c lock_timeout=1s   -c Statement_Timeout=30s ",
                &[
                    ("lock_timeout", "1s", "1s"),
                    ("statement_timeout", "30s", "30s"),
                ],
            ),
            (
                r"-c search_path=a\ b -c x=1",
                &[("search_path", "a b", r"a\ b"), ("x", "1", "1")],
            ),
            ("-c application_name=", &[("application_name", "", "")]),
            (
                "-c idle_session_timeout=0 --idle_in_transaction_session_timeout=60000",
                &[
                    ("idle_session_timeout", "0", "0"),
                    ("idle_in_transaction_session_timeout", "60000", "60000"),
                ],
            ),
            ("-B 128 -e -c x=y", &[("x", "y", "y")]),
            ("-ec x=y", &[("x", "y", "y")]),
            ("-c é=ü", &[("é", "ü", "ü")]),
            ("", &[]),
            ("   ", &[]),
        ];
        for (input, want) in cases {
            let want: Vec<(String, String, String)> = want
                .iter()
                .map(|(n, v, r)| (n.to_string(), v.to_string(), r.to_string()))
                .collect();
            assert_eq!(pairs(input), want, "{input}");
        }
    }

    #[test]
    fn rejects() {
        let cases: &[(&str, OptionsError)] = &[
            ("-c", OptionsError::MissingSetting('c')),
            (
                "-c statement_timeout",
                OptionsError::NoValue("statement_timeout".into()),
            ),
            (
                "--statement-timeout",
                OptionsError::NoValue("statement_timeout".into()),
            ),
            ("-c =5", OptionsError::EmptyName),
            ("-x 1", OptionsError::UnknownSwitch('x')),
            ("statement_timeout=5", OptionsError::NotASwitch),
            ("-c a=1 b", OptionsError::NotASwitch),
            ("--", OptionsError::NotASwitch),
            ("-", OptionsError::NotASwitch),
            ("-B", OptionsError::MissingSetting('B')),
        ];
        for (input, want) in cases {
            assert_eq!(parse_libpq_options(input).as_ref(), Err(want), "{input}");
        }
    }

    #[test]
    fn messages_never_quote_odd_text() {
        let e = parse_libpq_options("-c postgres://u:pw@h/db").unwrap_err();
        let msg = e.to_string();
        assert!(!msg.contains("://") && !msg.contains("pw"), "{msg}");
        let e = parse_libpq_options("-c statement_timeout").unwrap_err();
        assert_eq!(
            e.to_string(),
            "the setting `statement_timeout` has no `=value`"
        );
    }

    #[test]
    fn query_values_decode_like_parse_qsl() {
        assert_eq!(
            decode_query_value("-c%20statement_timeout%3D5s"),
            "-c statement_timeout=5s"
        );
        assert_eq!(decode_query_value("-c+x%3d1"), "-c x=1");
        assert_eq!(decode_query_value("100%"), "100%");
        assert_eq!(decode_query_value("%zz"), "%zz");
        assert_eq!(decode_query_value("%C3%A9"), "é");
    }
}
