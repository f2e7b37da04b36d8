//! The server's number syntax (`my_getopt.cc`): K/M/G suffixes, plain
//! `SHOW VARIABLES` integers, and what mysqld makes of a suffix with text after it.

/// Why a number was rejected.
#[derive(Debug, PartialEq, Eq)]
pub enum NumberError {
    /// Not `[-+]digits[KMGTPE]`.
    Malformed,
    /// Does not fit in 64 bits (the server also refuses it).
    TooLarge,
}

/// Parses a server number: optional sign, decimal digits, optional one-letter
/// suffix `k m g t p e` (case-insensitive, ×1024ⁿ) — `my_getopt.cc
/// eval_num_suffix`. Surrounding whitespace is allowed (strtoull skips
/// leading blanks). Negative values come back as negative (the server then
/// clamps them to the minimum).
pub fn parse_number(text: &str) -> Result<i128, NumberError> {
    let t = text.trim_matches(|c: char| c.is_ascii_whitespace());
    let (neg, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return Err(NumberError::Malformed);
    }
    let shift = match &t.as_bytes()[digits..] {
        [] => 0,
        [s] => match s.to_ascii_lowercase() {
            b'k' => 10,
            b'm' => 20,
            b'g' => 30,
            b't' => 40,
            b'p' => 50,
            b'e' => 60,
            _ => return Err(NumberError::Malformed),
        },
        _ => return Err(NumberError::Malformed),
    };
    let n: u64 = t[..digits].parse().map_err(|_| NumberError::TooLarge)?;
    let v = n.checked_mul(1u64 << shift).ok_or(NumberError::TooLarge)?;
    Ok(if neg { -i128::from(v) } else { i128::from(v) })
}

/// Parses a number as `SHOW VARIABLES` prints it: an optional `-`, then
/// decimal digits only (no suffix, no inner blanks).
pub fn parse_plain_number(text: &str) -> Result<i128, NumberError> {
    let t = text.trim_matches(|c: char| c.is_ascii_whitespace());
    let digits = t.strip_prefix('-').unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(NumberError::Malformed);
    }
    parse_number(t)
}

/// How mysqld reads a number whose suffix letter is followed by more text:
/// `eval_num_suffix` (`mysys/my_getopt.cc`) looks only at the first character
/// after the digits, so `10min` is 10 × 1024² and `1kb` is 1024. Returns the
/// value, the suffix letter and the ignored tail, or `None` when the text is
/// not of that shape.
pub fn server_suffix_reading(text: &str) -> Option<(i128, char, &str)> {
    let t = text.trim_matches(|c: char| c.is_ascii_whitespace());
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    let suffix = t[digits..].chars().next()?;
    let tail = &t[digits + suffix.len_utf8()..];
    if digits == 0 || tail.is_empty() || !"kmgtpeKMGTPE".contains(suffix) {
        return None;
    }
    parse_number(&t[..digits + 1])
        .ok()
        .map(|n| (n, suffix, tail))
}
