//! Durations in the model, and the manifest's duration syntax.
//!
//! The model keeps every time as a [`std::time::Duration`]; each system's
//! module converts its own units (MySQL seconds with `K`=1024 suffixes,
//! PostgreSQL ms, ...) at the boundary.

use std::time::Duration;

/// A connection retirement age: SQLAlchemy `pool_recycle`, Django `CONN_MAX_AGE`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Retirement {
    /// Never retired by age (`pool_recycle = -1`, `CONN_MAX_AGE = None`).
    Never,
    /// Retired once older than this. Zero means "not reused at all"
    /// (Django `CONN_MAX_AGE = 0`: closed at the end of each request).
    After(Duration),
}

/// Formats a duration in seconds for messages: `3600 s`, `0.5 s`, `1.25 s`.
pub fn fmt_secs(d: Duration) -> String {
    if d.subsec_nanos() == 0 {
        format!("{} s", d.as_secs())
    } else {
        let s = format!("{:.3}", d.as_secs_f64());
        let s = s.trim_end_matches('0').trim_end_matches('.');
        format!("{s} s")
    }
}

/// Formats a duration with a readable hint for long values:
/// `3600 s (1h)`, `28800 s (8h)`, `350 s (5m50s)`, `45 s`.
pub fn fmt_secs_long(d: Duration) -> String {
    let base = fmt_secs(d);
    if d.as_secs() < 60 || d.subsec_nanos() != 0 {
        return base;
    }
    format!("{base} ({})", fmt_compact(d))
}

/// Compact form `2h30m`, `5m50s`, `1d`, `365d`.
pub fn fmt_compact(d: Duration) -> String {
    let mut s = d.as_secs();
    let mut out = String::new();
    for (unit, len) in [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)] {
        if s >= len {
            out.push_str(&format!("{}{unit}", s / len));
            s %= len;
        }
    }
    if out.is_empty() {
        out.push_str("0s");
    }
    out
}

/// Error from [`parse_manifest_duration`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    /// Empty input.
    #[error("empty duration")]
    Empty,
    /// A number without a unit.
    #[error("`{0}` has no unit; write it like \"{0}s\"")]
    MissingUnit(String),
    /// A unit that is not `ms`, `s`, `m`, `h` or `d`.
    #[error("unknown unit `{unit}` in `{text}`; use ms, s, m, h or d")]
    UnknownUnit {
        /// The whole input.
        text: String,
        /// The unit found.
        unit: String,
    },
    /// Anything else (a sign, a fraction, garbage).
    #[error("`{0}` is not a duration like \"350s\", \"60m\", \"1h\" or \"2h30m\"")]
    Malformed(String),
    /// Too large to represent.
    #[error("`{0}` is too large")]
    Overflow(String),
}

/// Parses the manifest's durations: one or more `<integer><unit>` parts with
/// units `ms`, `s`, `m` (minutes), `h`, `d`, e.g. `350s`, `60m`, `1h`, `2h30m`.
///
/// Whitespace around the text is ignored; a bare number is rejected so a unit
/// is always explicit (the unit confusion this tool exists to catch).
pub fn parse_manifest_duration(text: &str) -> Result<Duration, DurationError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(DurationError::Empty);
    }
    if t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(DurationError::MissingUnit(t.to_string()));
    }
    let mut total = Duration::ZERO;
    let mut rest = t;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(DurationError::Malformed(t.to_string()));
        }
        let n: u64 = rest[..digits]
            .parse()
            .map_err(|_| DurationError::Overflow(t.to_string()))?;
        rest = &rest[digits..];
        let ulen = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
        if ulen == 0 {
            return Err(DurationError::Malformed(t.to_string()));
        }
        let unit = &rest[..ulen];
        rest = &rest[ulen..];
        let part = match unit {
            "ms" => Some(Duration::from_millis(n)),
            "s" => Some(Duration::from_secs(n)),
            "m" => n.checked_mul(60).map(Duration::from_secs),
            "h" => n.checked_mul(3_600).map(Duration::from_secs),
            "d" => n.checked_mul(86_400).map(Duration::from_secs),
            _ => {
                return Err(DurationError::UnknownUnit {
                    text: t.to_string(),
                    unit: unit.to_string(),
                });
            }
        }
        .ok_or_else(|| DurationError::Overflow(t.to_string()))?;
        total = total
            .checked_add(part)
            .ok_or_else(|| DurationError::Overflow(t.to_string()))?;
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_durations_accept() {
        let cases = [
            ("350s", 350_000),
            ("60m", 3_600_000),
            ("1h", 3_600_000),
            ("2h30m", 9_000_000),
            ("1d", 86_400_000),
            ("1h0m5s", 3_605_000),
            ("250ms", 250),
            (" 4m ", 240_000),
        ];
        for (text, ms) in cases {
            assert_eq!(
                parse_manifest_duration(text),
                Ok(Duration::from_millis(ms)),
                "{text}"
            );
        }
    }

    #[test]
    fn manifest_durations_reject() {
        use DurationError::*;
        assert_eq!(parse_manifest_duration(""), Err(Empty));
        assert_eq!(
            parse_manifest_duration("3600"),
            Err(MissingUnit("3600".into()))
        );
        assert!(matches!(
            parse_manifest_duration("5min"),
            Err(UnknownUnit { .. })
        ));
        assert!(matches!(parse_manifest_duration("1.5h"), Err(Malformed(_))));
        assert!(matches!(parse_manifest_duration("-5s"), Err(Malformed(_))));
        assert!(matches!(parse_manifest_duration("h"), Err(Malformed(_))));
        assert!(matches!(parse_manifest_duration("5s3"), Err(Malformed(_))));
        assert!(matches!(
            parse_manifest_duration("99999999999999999999s"),
            Err(Overflow(_))
        ));
    }

    #[test]
    fn formats() {
        assert_eq!(fmt_secs(Duration::from_secs(3600)), "3600 s");
        assert_eq!(fmt_secs(Duration::from_millis(500)), "0.5 s");
        assert_eq!(fmt_secs_long(Duration::from_secs(350)), "350 s (5m50s)");
        assert_eq!(fmt_secs_long(Duration::from_secs(28800)), "28800 s (8h)");
        assert_eq!(fmt_secs_long(Duration::from_secs(45)), "45 s");
        assert_eq!(fmt_compact(Duration::from_secs(31_536_000)), "365d");
    }
}
