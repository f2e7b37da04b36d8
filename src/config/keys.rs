//! The top-level keys of the configuration and the value readers every key uses.

use std::borrow::Cow;
use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::provenance::{Origin, Sourced};
use crate::rules::codes;
use crate::source::{FileId, Location, Span};

use super::selector::{SELECTOR_HELP, Selector, Universe};
use super::{LintConfig, PathIgnore};

const KEYS: &[&str] = &[
    "select",
    "ignore",
    "severity",
    "margin",
    "fail-on",
    "per-path-ignores",
    "rule",
];

/// Loading context: the file and where errors go.
pub(super) struct Cx<'d> {
    pub(super) file: FileId,
    pub(super) diags: &'d mut Vec<Diagnostic>,
}

pub(super) fn dotted(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

/// A key with its span.
pub(super) type Key<'i> = Spanned<Cow<'i, str>>;

/// A key and its value.
pub(super) type Entry<'a, 'i> = (&'a Key<'i>, &'a Spanned<DeValue<'i>>);

/// Entries of a table in file order (the parsed table is sorted by key).
pub(super) fn in_file_order<'a, 'i>(t: &'a DeTable<'i>) -> Vec<Entry<'a, 'i>> {
    let mut v: Vec<_> = t.iter().collect();
    v.sort_by_key(|(k, _)| k.span().start);
    v
}

pub(super) fn parse_severity(s: &str) -> Option<Severity> {
    match s {
        "error" => Some(Severity::Error),
        "warning" => Some(Severity::Warning),
        "info" => Some(Severity::Info),
        _ => None,
    }
}

impl<'d> Cx<'d> {
    pub(super) fn new(file: FileId, diags: &'d mut Vec<Diagnostic>) -> Self {
        Cx { file, diags }
    }

    pub(super) fn at(&self, r: Range<usize>) -> Location {
        Location::new(self.file, Span::new(r.start, r.end))
    }

    pub(super) fn origin(&self, r: Range<usize>) -> Origin {
        Origin::File(self.at(r))
    }

    pub(super) fn empty(&self) -> LintConfig {
        LintConfig {
            file: Some(self.file),
            ..LintConfig::default()
        }
    }

    pub(super) fn error(
        &mut self,
        r: Range<usize>,
        message: String,
        label: impl Into<String>,
        help: Option<String>,
    ) {
        let mut d = Diagnostic::new(codes::INVALID_CONFIG, message, Label::at(self.at(r), label));
        if let Some(h) = help {
            d = d.with_help(h);
        }
        self.diags.push(d);
    }

    pub(super) fn unknown_key(&mut self, key: &Key<'_>, prefix: &str, known: &[&str]) {
        let k: &str = key.get_ref();
        let swapped: String = k
            .chars()
            .map(|c| match c {
                '_' => '-',
                '-' => '_',
                c => c,
            })
            .collect();
        let help = if known.contains(&swapped.as_str()) {
            format!("did you mean `{swapped}`?")
        } else {
            format!("known keys: {}", known.join(", "))
        };
        self.error(
            key.span(),
            format!("unknown key `{}`", dotted(prefix, k)),
            "unknown key",
            Some(help),
        );
    }

    pub(super) fn wrong_type(&mut self, v: &Spanned<DeValue<'_>>, key: &str, want: &str) {
        self.error(
            v.span(),
            format!("`{key}` must be {want}, not {}", v.get_ref().type_str()),
            format!("expected {want}"),
            None,
        );
    }

    pub(super) fn string<'v>(&mut self, v: &'v Spanned<DeValue<'_>>, key: &str) -> Option<&'v str> {
        match v.get_ref() {
            DeValue::String(s) => Some(s.as_ref()),
            _ => {
                self.wrong_type(v, key, "a string");
                None
            }
        }
    }

    pub(super) fn boolean(&mut self, v: &Spanned<DeValue<'_>>, key: &str) -> Option<bool> {
        match v.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            _ => {
                self.wrong_type(v, key, "true or false");
                None
            }
        }
    }

    /// An integer or float as `f64` (`None` after an error).
    pub(super) fn number(&mut self, v: &Spanned<DeValue<'_>>, key: &str) -> Option<f64> {
        let n = match v.get_ref() {
            DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix())
                .ok()
                .map(|n| n as f64),
            DeValue::Float(f) => f.as_str().parse::<f64>().ok(),
            _ => {
                self.wrong_type(v, key, "a number");
                return None;
            }
        };
        match n {
            Some(n) if n.is_finite() => Some(n),
            _ => {
                self.error(
                    v.span(),
                    format!("`{key}` must be a finite number"),
                    "not a finite number",
                    None,
                );
                None
            }
        }
    }

    pub(super) fn severity_value(
        &mut self,
        v: &Spanned<DeValue<'_>>,
        key: &str,
    ) -> Option<Sourced<Severity>> {
        let s = self.string(v, key)?;
        match parse_severity(s) {
            Some(sev) => Some(Sourced::new(sev, self.origin(v.span()))),
            None => {
                self.error(
                    v.span(),
                    format!("`{key}` must be \"error\", \"warning\" or \"info\", not \"{s}\""),
                    "not a severity",
                    None,
                );
                None
            }
        }
    }

    fn selector_at(
        &mut self,
        text: &str,
        r: Range<usize>,
        key: &str,
        u: &Universe,
    ) -> Option<Selector> {
        match u.selector(text, self.origin(r.clone())) {
            Ok(s) => Some(s),
            Err(e) => {
                self.error(
                    r,
                    format!("`{key}`: {e}"),
                    "matches no rule",
                    Some(SELECTOR_HELP.to_string()),
                );
                None
            }
        }
    }

    fn selectors(&mut self, v: &Spanned<DeValue<'_>>, key: &str, u: &Universe) -> Vec<Selector> {
        let Some(items) = v.get_ref().as_array() else {
            self.wrong_type(v, key, "a list of rule ids, names or prefixes");
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items {
            if let Some(text) = self.string(item, key)
                && let Some(s) = self.selector_at(text, item.span(), key, u)
            {
                out.push(s);
            }
        }
        out
    }

    /// The configuration table `v`, found at `prefix` (`lint`, `tool.timeoutlint`, or `""`).
    pub(super) fn config(&mut self, v: &Spanned<DeValue<'_>>, prefix: &str) -> LintConfig {
        let mut cfg = self.empty();
        let Some(table) = v.get_ref().as_table() else {
            self.wrong_type(
                v,
                if prefix.is_empty() {
                    "the configuration"
                } else {
                    prefix
                },
                "a table",
            );
            return cfg;
        };
        if let Some(r) = table.get("rule") {
            cfg.rules = self.rules(r, &dotted(prefix, "rule"));
        }
        let u = Universe::new(&cfg.rules);
        for (k, val) in in_file_order(table) {
            let key = dotted(prefix, k.get_ref());
            match k.get_ref().as_ref() {
                "select" => cfg.select = self.selectors(val, &key, &u),
                "ignore" => cfg.ignore = self.selectors(val, &key, &u),
                "severity" => cfg.severity = self.severity_table(val, &key, &u),
                "margin" => cfg.margin = self.margin(val, &key),
                "fail-on" => cfg.fail_on = self.severity_value(val, &key),
                "per-path-ignores" => cfg.per_path_ignores = self.per_path(val, &key, &u),
                "rule" => {}
                _ => self.unknown_key(k, prefix, KEYS),
            }
        }
        cfg
    }

    fn margin(&mut self, v: &Spanned<DeValue<'_>>, key: &str) -> Option<Sourced<f64>> {
        let m = self.number(v, key)?;
        if (0.0..100.0).contains(&m) {
            Some(Sourced::new(m, self.origin(v.span())))
        } else {
            self.error(
                v.span(),
                format!("`{key}` is a percentage at least 0 and below 100, not {m}"),
                "out of range",
                Some("write e.g. `margin = 10` for a 10 % safety margin".to_string()),
            );
            None
        }
    }

    fn severity_table(
        &mut self,
        v: &Spanned<DeValue<'_>>,
        key: &str,
        u: &Universe,
    ) -> Vec<(Selector, Sourced<Severity>)> {
        let Some(t) = v.get_ref().as_table() else {
            self.wrong_type(
                v,
                key,
                "a table of rule = \"error\" | \"warning\" | \"info\"",
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for (k, val) in in_file_order(t) {
            let sub = dotted(key, k.get_ref());
            let sel = self.selector_at(k.get_ref(), k.span(), key, u);
            let sev = self.severity_value(val, &sub);
            if let (Some(sel), Some(sev)) = (sel, sev) {
                out.push((sel, sev));
            }
        }
        out
    }

    fn per_path(&mut self, v: &Spanned<DeValue<'_>>, key: &str, u: &Universe) -> Vec<PathIgnore> {
        let Some(t) = v.get_ref().as_table() else {
            self.wrong_type(v, key, "a table of path name or glob = [rules]");
            return Vec::new();
        };
        let mut out = Vec::new();
        for (k, val) in in_file_order(t) {
            let sub = format!("{key}.\"{}\"", k.get_ref());
            let rules = self.selectors(val, &sub, u);
            if !rules.is_empty() {
                out.push(PathIgnore {
                    pattern: Sourced::new(k.get_ref().to_string(), self.origin(k.span())),
                    rules,
                });
            }
        }
        out
    }
}
