//! Rule selectors: ids, names, id prefixes and `ALL`, resolved at load.

use std::collections::BTreeSet;

use crate::provenance::{Origin, Sourced};
use crate::rules::codes::{self, Code};
use crate::rules::templates::CustomRule;

/// A rule selector, resolved at load to the ids it matches.
#[derive(Clone, Debug, PartialEq)]
pub struct Selector {
    /// As written: `TL101`, `pool-recycle-exceeds-wait-timeout`, `TL1`, `ALL`.
    pub text: Sourced<String>,
    ids: BTreeSet<&'static str>,
    /// 0 for `ALL`, the length of a prefix, `usize::MAX` for an exact id or
    /// name: the most specific selector decides (ruff's rule).
    pub(super) specificity: usize,
}

impl Selector {
    pub(super) fn matches(&self, id: &str) -> bool {
        self.ids.contains(id)
    }
}

/// Every rule a selector can name: the built-in codes and the custom rules.
pub(super) struct Universe {
    codes: Vec<Code>,
}

impl Universe {
    pub(super) fn new(custom: &[CustomRule]) -> Self {
        let mut codes: Vec<Code> = codes::ALL.to_vec();
        codes.extend(custom.iter().map(|r| r.code));
        Universe { codes }
    }

    /// The ids `text` selects and its specificity, or `None` when it selects nothing.
    fn resolve(&self, text: &str) -> Option<(BTreeSet<&'static str>, usize)> {
        if text == "ALL" {
            return Some((self.codes.iter().map(|c| c.id).collect(), 0));
        }
        if let Some(c) = self
            .codes
            .iter()
            .find(|c| c.id.eq_ignore_ascii_case(text) || c.name == text)
        {
            return Some((BTreeSet::from([c.id]), usize::MAX));
        }
        let upper = text.to_ascii_uppercase();
        let ids: BTreeSet<&'static str> = self
            .codes
            .iter()
            .filter(|c| !text.is_empty() && c.id.starts_with(&upper))
            .map(|c| c.id)
            .collect();
        (!ids.is_empty()).then_some((ids, text.len()))
    }

    pub(super) fn selector(&self, text: &str, origin: Origin) -> Result<Selector, String> {
        match self.resolve(text) {
            Some((ids, specificity)) => Ok(Selector {
                text: Sourced::new(text.to_string(), origin),
                ids,
                specificity,
            }),
            None => Err(format!("`{text}` matches no rule")),
        }
    }
}

pub(super) const SELECTOR_HELP: &str = "name a rule by id (TL101), by name (pool-recycle-exceeds-wait-timeout), by id prefix (TL1) or ALL; `timeoutlint rules` lists them";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_resolve_by_id_name_prefix_and_all() {
        let u = Universe::new(&[]);
        let (ids, spec) = u.resolve("TL101").unwrap();
        assert_eq!((ids.len(), spec), (1, usize::MAX));
        let (ids, _) = u.resolve("tl101").unwrap();
        assert!(ids.contains("TL101"));
        let (ids, spec) = u.resolve("pool-recycle-exceeds-wait-timeout").unwrap();
        assert_eq!(
            (ids.into_iter().collect::<Vec<_>>(), spec),
            (vec!["TL101"], usize::MAX)
        );
        let (ids, spec) = u.resolve("TL10").unwrap();
        assert!(ids.contains("TL101") && ids.contains("TL109") && !ids.contains("TL110"));
        assert_eq!(spec, 4);
        assert_eq!(u.resolve("ALL").unwrap().1, 0);
        assert!(u.resolve("TL999").is_none());
        assert!(u.resolve("").is_none());
    }
}
