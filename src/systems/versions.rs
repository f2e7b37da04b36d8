//! Release numbers and version ranges, as the data tables write them
//! (`presets/images.toml`, `presets/providers.toml`): `*`, a release line
//! (`10.3` = every 10.3.x), `>=A`, `<B`, `>=A, <B`. Shared by
//! [`super::images`] and [`super::providers`].

use std::cmp::Ordering;

/// A release number: dot-separated components, compared with missing
/// components as zero (`10.3` = `10.3.0`).
pub(crate) type Version = Vec<u32>;

pub(crate) fn cmp_version(a: &[u32], b: &[u32]) -> Ordering {
    let n = a.len().max(b.len());
    (0..n)
        .map(|i| {
            let x = a.get(i).copied().unwrap_or(0);
            let y = b.get(i).copied().unwrap_or(0);
            x.cmp(&y)
        })
        .find(|o| o.is_ne())
        .unwrap_or(Ordering::Equal)
}

/// The first release after every release starting with `v`: `10.3` -> `10.4`.
/// `None` when the last component cannot grow (then nothing is above).
pub(crate) fn next_line(v: &[u32]) -> Option<Version> {
    let (last, head) = v.split_last()?;
    let mut out = head.to_vec();
    out.push(last.checked_add(1)?);
    Some(out)
}

/// A half-open range `[lo, hi)`; `None` is unbounded on that side.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Range {
    /// Lowest release in the range.
    pub(crate) lo: Option<Version>,
    /// First release above the range.
    pub(crate) hi: Option<Version>,
}

impl Range {
    /// Every release.
    pub(crate) fn all() -> Range {
        Range { lo: None, hi: None }
    }

    /// Whether every release in `[lo, hi)` is in the range.
    pub(crate) fn holds(&self, lo: &[u32], hi: Option<&[u32]>) -> bool {
        let above = self
            .lo
            .as_deref()
            .is_none_or(|l| cmp_version(l, lo).is_le());
        let below = match (&self.hi, hi) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(h), Some(x)) => cmp_version(x, h).is_le(),
        };
        above && below
    }

    /// Whether the two ranges share a release.
    pub(crate) fn overlaps(&self, other: &Range) -> bool {
        let before = |hi: &Option<Version>, lo: &Option<Version>| match (hi, lo) {
            (Some(h), Some(l)) => cmp_version(h, l).is_le(),
            _ => false,
        };
        !before(&self.hi, &other.lo) && !before(&other.hi, &self.lo)
    }
}

/// Parses `1`, `10.3`, `8.0.36`: one to four dot-separated decimal numbers.
pub(crate) fn parse_version(text: &str) -> Option<Version> {
    let parts: Vec<&str> = text.split('.').collect();
    if parts.len() > 4 {
        return None;
    }
    parts
        .iter()
        .map(|p| {
            if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
                None
            } else {
                p.parse().ok()
            }
        })
        .collect()
}

/// Parses one `versions` item: `*`, a bare release line (`8.4`), or `>=A`,
/// `<B` or `>=A, <B`.
pub(crate) fn parse_range(text: &str) -> Result<Range, String> {
    let t = text.trim();
    if t == "*" {
        return Ok(Range::all());
    }
    if let Some(v) = parse_version(t) {
        let hi = next_line(&v);
        return Ok(Range { lo: Some(v), hi });
    }
    let mut range = Range::all();
    for part in t.split(',') {
        let part = part.trim();
        let (slot, rest) = if let Some(rest) = part.strip_prefix(">=") {
            (&mut range.lo, rest)
        } else if let Some(rest) = part.strip_prefix('<').filter(|r| !r.starts_with('=')) {
            (&mut range.hi, rest)
        } else {
            return Err(format!(
                "version range `{t}`: `{part}` is not `>=X` or `<X` (the only comparators)"
            ));
        };
        let v = parse_version(rest.trim())
            .ok_or_else(|| format!("version range `{t}`: `{}` is not a version", rest.trim()))?;
        if slot.replace(v).is_some() {
            return Err(format!("version range `{t}` bounds one side twice"));
        }
    }
    if let (Some(lo), Some(hi)) = (&range.lo, &range.hi)
        && cmp_version(lo, hi).is_ge()
    {
        return Err(format!("version range `{t}` is empty"));
    }
    Ok(range)
}
