//! Times as nginx reads them (`ngx_parse_time`).

/// Why a time is not valid for nginx.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeError {
    /// Not a time `ngx_parse_time` accepts.
    Invalid,
    /// Months or years, which only second-based directives accept.
    MonthsOrYears,
}

/// `ngx_parse_time(value, 0)` (millisecond directives such as
/// `proxy_timeout`): the value in milliseconds.
///
/// Errors: [`TimeError`] for everything nginx rejects, including overflow.
pub fn parse_time_ms(text: &str) -> Result<u64, TimeError> {
    #[derive(Clone, Copy, PartialEq, PartialOrd)]
    enum Step {
        Month,
        Week,
        Day,
        Hour,
        Min,
        Sec,
        Msec,
        Last,
    }
    let b = text.as_bytes();
    let mut p = 0;
    let mut valid = false;
    let mut value: i64 = 0;
    let mut total: i64 = 0;
    let mut step = Step::Month;
    while p < b.len() {
        let c = b[p];
        if c.is_ascii_digit() {
            value = value
                .checked_mul(10)
                .and_then(|v| v.checked_add(i64::from(c - b'0')))
                .ok_or(TimeError::Invalid)?;
            valid = true;
            p += 1;
            continue;
        }
        p += 1;
        let (next, scale_ms): (Step, i64) = match c {
            b'y' | b'M' => return Err(TimeError::MonthsOrYears),
            b'w' if step < Step::Week => (Step::Week, 7 * 86_400_000),
            b'd' if step < Step::Day => (Step::Day, 86_400_000),
            b'h' if step < Step::Hour => (Step::Hour, 3_600_000),
            b'm' if b.get(p) == Some(&b's') => {
                if step >= Step::Msec {
                    return Err(TimeError::Invalid);
                }
                p += 1;
                (Step::Msec, 1)
            }
            b'm' if step < Step::Min => (Step::Min, 60_000),
            b's' if step < Step::Sec => (Step::Sec, 1000),
            b' ' if step < Step::Sec => (Step::Last, 1000),
            _ => return Err(TimeError::Invalid),
        };
        step = next;
        let part = value.checked_mul(scale_ms).ok_or(TimeError::Invalid)?;
        total = total.checked_add(part).ok_or(TimeError::Invalid)?;
        value = 0;
        while b.get(p) == Some(&b' ') {
            p += 1;
        }
    }
    if !valid {
        return Err(TimeError::Invalid);
    }
    let rest = value.checked_mul(1000).ok_or(TimeError::Invalid)?;
    // nginx's limit is NGX_MAX_INT_T_VALUE: overflowing i64 is an error.
    let sum = total.checked_add(rest).ok_or(TimeError::Invalid)?;
    u64::try_from(sum).map_err(|_| TimeError::Invalid)
}
