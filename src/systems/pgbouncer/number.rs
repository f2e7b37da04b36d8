//! Values as PgBouncer reads them (`cfparser.c`): `parse_time` over
//! `strtod`, `cf_set_int` over `strtol`, and name lists.

use std::time::Duration;

/// Why a time value was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeError {
    /// Not a decimal number, or text after it (a unit, a comment).
    Malformed,
    /// Below zero (`parse_time` rejects it).
    Negative,
    /// `inf` / `nan`: strtod reads them, but they mean nothing as a time.
    NotFinite,
    /// More microseconds than 64 bits hold.
    TooLarge,
}

/// Parses a PgBouncer time value (`parse_time` in cfparser.c): `strtod` of
/// the whole string, optional leading whitespace and sign, decimal digits
/// with an optional fraction and exponent, nothing after. Returns whole
/// microseconds, truncated as `(usec_t)(USEC * v)` does.
pub fn parse_time(text: &str) -> Result<Duration, TimeError> {
    let t = text.trim_start_matches(|c: char| c.is_ascii_whitespace());
    let unsigned = t.strip_prefix(['+', '-']).unwrap_or(t);
    let lower = unsigned.to_ascii_lowercase();
    if lower == "inf" || lower == "infinity" || lower.starts_with("nan") {
        return if t.starts_with('-') && !lower.starts_with("nan") {
            Err(TimeError::Negative)
        } else {
            Err(TimeError::NotFinite)
        };
    }
    if !is_decimal_float(unsigned) {
        return Err(TimeError::Malformed);
    }
    let v: f64 = t.parse().map_err(|_| TimeError::Malformed)?;
    if v < 0.0 {
        return Err(TimeError::Negative);
    }
    let micros = v * 1e6;
    // 2^64: the first value that does not fit in usec_t.
    if !micros.is_finite() || micros >= 18_446_744_073_709_551_616.0 {
        return Err(TimeError::TooLarge);
    }
    // Truncates toward zero like the C cast; in range by the check above.
    Ok(Duration::from_micros(micros as u64))
}

/// `digits[.digits][e[+-]digits]` or `.digits[...]`, at least one digit.
fn is_decimal_float(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |from: usize| b[from..].iter().take_while(|c| c.is_ascii_digit()).count();
    let int = digits(0);
    let mut p = int;
    let mut frac = 0;
    if b.get(p) == Some(&b'.') {
        frac = digits(p + 1);
        p += 1 + frac;
    }
    if int + frac == 0 {
        return false;
    }
    if matches!(b.get(p), Some(b'e' | b'E')) {
        let mut q = p + 1;
        if matches!(b.get(q), Some(b'+' | b'-')) {
            q += 1;
        }
        let exp = digits(q);
        if exp == 0 {
            return false;
        }
        p = q + exp;
    }
    p == b.len()
}

/// Why an integer value was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntError {
    /// Not an integer, or text after it (a unit, a fraction, a comment).
    Malformed,
    /// Outside PgBouncer's `int` (32 bits).
    OutOfRange,
}

/// Parses a PgBouncer integer (`cf_set_int`: `strtol(value, &end, 0)` of the
/// whole string): optional leading whitespace and sign, then `0x` + hex
/// digits, `0` + octal digits, or decimal digits; nothing after.
pub fn parse_int(text: &str) -> Result<i64, IntError> {
    let t = text.trim_start_matches(|c: char| c.is_ascii_whitespace());
    let (neg, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let lower = t.to_ascii_lowercase();
    let (digits, radix) = match lower.strip_prefix("0x") {
        Some(hex) if hex.bytes().next().is_some_and(|c| c.is_ascii_hexdigit()) => (hex, 16),
        _ if lower.len() > 1 && lower.starts_with('0') => (&lower[1..], 8),
        _ => (lower.as_str(), 10),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return Err(IntError::Malformed);
    }
    let n = i128::from_str_radix(digits, radix).map_err(|_| IntError::OutOfRange)?;
    let n = if neg { -n } else { n };
    if n < i128::from(i32::MIN) || n > i128::from(i32::MAX) {
        return Err(IntError::OutOfRange);
    }
    i64::try_from(n).map_err(|_| IntError::OutOfRange)
}

/// The names of an `ignore_startup_parameters` value: split at commas and
/// whitespace (the separators `strlist_contains` accepts), empty parts
/// dropped, case kept.
pub fn parse_name_list(text: &str) -> Vec<String> {
    text.split(|c: char| c == ',' || c.is_ascii_whitespace())
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}
