//! Numbers as the server reads them (`parse_int`, `convert_to_base_unit`
//! in guc.c, over C `strtol`/`strtod`), with units.

use super::{BaseUnit, INT_MAX};

/// A number read by [`parse_int`].
#[derive(Clone, Debug, PartialEq)]
pub struct ParsedInt {
    /// The value in the base unit, rounded to an integer.
    pub value: i64,
    /// The number as written, before unit conversion and rounding.
    pub number: f64,
    /// The unit as written (`min`), or `None` for a bare number.
    pub unit: Option<String>,
}

/// Why [`parse_int`] rejected a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IntError {
    /// No number at the start, or the number overflows a double.
    NotANumber,
    /// A unit after the number of a setting that has none.
    UnitNotAllowed(String),
    /// Text after the number that is not one of `us ms s min h d`.
    InvalidUnit(String),
    /// The result does not fit in a 32-bit int.
    OutOfIntRange,
}

fn c_isspace(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

fn skip_space(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && c_isspace(b[i]) {
        i += 1;
    }
    i
}

/// `strtol(s, &end, 0)`: `(value, end, overflowed)`; `end == 0` when no digits.
fn strtol(b: &[u8]) -> (f64, usize, bool) {
    let mut i = skip_space(b, 0);
    let neg = match b.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let (radix, start) = if b.get(i) == Some(&b'0')
        && matches!(b.get(i + 1), Some(b'x' | b'X'))
        && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit)
    {
        (16u32, i + 2)
    } else if b.get(i) == Some(&b'0') {
        (8, i)
    } else {
        (10, i)
    };
    let mut v: i128 = 0;
    let mut j = start;
    while let Some(d) = b.get(j).and_then(|&c| (c as char).to_digit(radix)) {
        v = (v * i128::from(radix) + i128::from(d)).min(i128::from(u64::MAX));
        j += 1;
    }
    if j == start {
        return (0.0, 0, false);
    }
    let limit = if neg {
        i128::from(i64::MAX) + 1
    } else {
        i128::from(i64::MAX)
    };
    let overflow = v > limit;
    let v = if neg { -v } else { v };
    (v as f64, j, overflow)
}

/// `strtod` for decimal input: `(value, end)`, `end == 0` when no number or
/// on overflow/underflow (`ERANGE`).
fn strtod(s: &str) -> (f64, usize) {
    let b = s.as_bytes();
    let begin = skip_space(b, 0);
    let mut i = begin;
    if matches!(b.get(i), Some(b'+' | b'-')) {
        i += 1;
    }
    let int_digits = b[i.min(b.len())..]
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count();
    i += int_digits;
    let mut frac_digits = 0;
    if b.get(i) == Some(&b'.') {
        frac_digits = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if int_digits + frac_digits > 0 {
            i += 1 + frac_digits;
        }
    }
    if int_digits + frac_digits == 0 {
        return (0.0, 0);
    }
    let mantissa_end = i;
    if matches!(b.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(b.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        let d = b[j.min(b.len())..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if d > 0 {
            i = j + d;
        }
    }
    let Ok(v) = s[begin..i].parse::<f64>() else {
        return (0.0, 0);
    };
    let nonzero = s[begin..mantissa_end]
        .bytes()
        .any(|c| matches!(c, b'1'..=b'9'));
    if v.is_infinite() || (v == 0.0 && nonzero) {
        return (0.0, 0);
    }
    (v, i)
}

/// `(unit, multiplier)` rows of `time_unit_conversion_table` for `base`,
/// largest first (guc.c).
fn unit_table(base: BaseUnit) -> &'static [(&'static str, f64)] {
    const MS: [(&str, f64); 6] = [
        ("d", 1000.0 * 60.0 * 60.0 * 24.0),
        ("h", 1000.0 * 60.0 * 60.0),
        ("min", 1000.0 * 60.0),
        ("s", 1000.0),
        ("ms", 1.0),
        ("us", 1.0 / 1000.0),
    ];
    const S: [(&str, f64); 6] = [
        ("d", 60.0 * 60.0 * 24.0),
        ("h", 60.0 * 60.0),
        ("min", 60.0),
        ("s", 1.0),
        ("ms", 1.0 / 1000.0),
        ("us", 1.0 / (1000.0 * 1000.0)),
    ];
    match base {
        BaseUnit::Milliseconds => &MS,
        BaseUnit::Seconds => &S,
        BaseUnit::Count => &[],
    }
}

/// `convert_to_base_unit`: the value in the base unit, a fraction rounded to
/// the next smaller unit; `None` for an unknown unit.
fn convert_to_base_unit(value: f64, unit: &str, base: BaseUnit) -> Option<f64> {
    let table = unit_table(base);
    let i = table.iter().position(|(u, _)| *u == unit)?;
    let mut v = value * table[i].1;
    if let Some(next) = table.get(i + 1) {
        v = (v / next.1).round_ties_even() * next.1;
    }
    Some(v)
}

/// Reads a setting value as the server's `parse_int` does (guc.c), in the
/// base unit `base`. See the module documentation for the accepted forms.
///
/// Errors: [`IntError`] when the server would reject the text; the range of
/// the particular setting is checked by the caller.
pub fn parse_int(text: &str, base: BaseUnit) -> Result<ParsedInt, IntError> {
    let b = text.as_bytes();
    let (mut val, mut end, overflow) = strtol(b);
    if overflow || matches!(b.get(end), Some(b'.' | b'e' | b'E')) {
        (val, end) = strtod(text);
    }
    if end == 0 {
        return Err(IntError::NotANumber);
    }
    let number = val;
    let after = skip_space(b, end);
    let mut unit = None;
    if after < b.len() {
        let rest = text[after..].trim_end_matches(|c: char| c.is_ascii() && c_isspace(c as u8));
        if base == BaseUnit::Count {
            return Err(IntError::UnitNotAllowed(rest.to_string()));
        }
        // At most MAX_UNIT_LEN (3) characters, then only blanks.
        let ulen = b[after..]
            .iter()
            .take(3)
            .take_while(|&&c| !c_isspace(c))
            .count();
        let tail = skip_space(b, after + ulen);
        let u = text.get(after..after + ulen);
        let converted = match u {
            Some(u) if tail >= b.len() => convert_to_base_unit(val, u, base),
            _ => None,
        };
        val = converted.ok_or_else(|| IntError::InvalidUnit(rest.to_string()))?;
        unit = Some(rest.to_string());
    }
    let val = val.round_ties_even();
    if !(-(INT_MAX as f64) - 1.0..=INT_MAX as f64).contains(&val) {
        return Err(IntError::OutOfIntRange);
    }
    Ok(ParsedInt {
        value: val as i64,
        number,
        unit,
    })
}

/// A likely meant unit for an invalid one (`sec` → `s`, `MIN` → `min`).
pub(super) fn unit_suggestion(unit: &str) -> Option<&'static str> {
    let valid = ["us", "ms", "s", "min", "h", "d"];
    let lower = unit.to_ascii_lowercase();
    if let Some(v) = valid.iter().find(|v| **v == lower) {
        return Some(v);
    }
    Some(match lower.as_str() {
        "sec" | "secs" | "second" | "seconds" => "s",
        "m" | "mi" | "mins" | "minute" | "minutes" => "min",
        "hr" | "hrs" | "hour" | "hours" => "h",
        "day" | "days" => "d",
        "msec" | "msecs" | "millisecond" | "milliseconds" => "ms",
        "usec" | "usecs" | "µs" => "us",
        _ => return None,
    })
}
