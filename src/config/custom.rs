//! `[[lint.rule]]`: custom rules instantiating the templates of
//! [`crate::rules::templates`] over the settings registry.

use std::ops::Range;

use toml::Spanned;
use toml::de::DeValue;

use crate::diagnostic::Severity;
use crate::rules::codes;
use crate::rules::settings::{self, Kind, SettingRef};
use crate::rules::templates::{self, Check, CustomRule, Ordering, Threshold};
use crate::units::parse_manifest_duration;

use super::keys::{Cx, Entry, dotted, in_file_order};

const RULE_KEYS: &[&str] = &[
    "id", "name", "severity", "template", "message", "help", "left", "right", "factor", "or_equal",
    "setting", "min", "max", "required",
];

fn is_custom_id(id: &str) -> bool {
    let letters = id.bytes().take_while(u8::is_ascii_uppercase).count();
    letters > 0 && letters < id.len() && id[letters..].bytes().all(|b| b.is_ascii_digit())
}

fn is_kebab(name: &str) -> bool {
    !name.is_empty()
        && name.split('-').all(|w| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// The raw keys of one `[[lint.rule]]`, before validation.
#[derive(Default)]
struct RawRule<'a, 'i> {
    id: Option<&'a Spanned<DeValue<'i>>>,
    name: Option<&'a Spanned<DeValue<'i>>>,
    severity: Option<&'a Spanned<DeValue<'i>>>,
    template: Option<&'a Spanned<DeValue<'i>>>,
    message: Option<&'a Spanned<DeValue<'i>>>,
    help: Option<&'a Spanned<DeValue<'i>>>,
    left: Option<Entry<'a, 'i>>,
    right: Option<Entry<'a, 'i>>,
    factor: Option<Entry<'a, 'i>>,
    or_equal: Option<Entry<'a, 'i>>,
    setting: Option<Entry<'a, 'i>>,
    min: Option<Entry<'a, 'i>>,
    max: Option<Entry<'a, 'i>>,
    required: Option<Entry<'a, 'i>>,
}

impl Cx<'_> {
    pub(super) fn rules(&mut self, v: &Spanned<DeValue<'_>>, key: &str) -> Vec<CustomRule> {
        let Some(items) = v.get_ref().as_array() else {
            self.wrong_type(v, key, "an array of tables ([[lint.rule]])");
            return Vec::new();
        };
        let mut out: Vec<CustomRule> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let key = format!("{key}[{}]", i + 1);
            if let Some(r) = self.rule(item, &key, &out) {
                out.push(r);
            }
        }
        out
    }

    fn rule(
        &mut self,
        v: &Spanned<DeValue<'_>>,
        key: &str,
        earlier: &[CustomRule],
    ) -> Option<CustomRule> {
        let Some(t) = v.get_ref().as_table() else {
            self.wrong_type(v, key, "a table");
            return None;
        };
        let errors_before = self.diags.len();
        let mut raw = RawRule::default();
        for (k, val) in in_file_order(t) {
            let pair = Some((k, val));
            match k.get_ref().as_ref() {
                "id" => raw.id = Some(val),
                "name" => raw.name = Some(val),
                "severity" => raw.severity = Some(val),
                "template" => raw.template = Some(val),
                "message" => raw.message = Some(val),
                "help" => raw.help = Some(val),
                "left" => raw.left = pair,
                "right" => raw.right = pair,
                "factor" => raw.factor = pair,
                "or_equal" => raw.or_equal = pair,
                "setting" => raw.setting = pair,
                "min" => raw.min = pair,
                "max" => raw.max = pair,
                "required" => raw.required = pair,
                _ => self.unknown_key(k, key, RULE_KEYS),
            }
        }
        let here = v.span();
        let sub = |k: &str| dotted(key, k);
        let id = self.required_string(
            raw.id,
            key,
            "id",
            here.clone(),
            "add e.g. `id = \"ORG001\"`",
        );
        let name = self.required_string(
            raw.name,
            key,
            "name",
            here.clone(),
            "add a kebab-case name describing the bad pattern",
        );
        if let Some((id, r)) = &id {
            self.check_id(id, r.clone(), earlier);
        }
        if let Some((name, r)) = &name {
            self.check_name(name, r.clone(), earlier);
        }
        let severity = match raw.severity {
            Some(val) => self.severity_value(val, &sub("severity")).map(|s| s.value),
            None => Some(Severity::Warning),
        };
        let message = raw
            .message
            .and_then(|val| self.string(val, &sub("message")).map(str::to_string));
        let help = raw
            .help
            .and_then(|val| self.string(val, &sub("help")).map(str::to_string));
        let template = self.required_string(
            raw.template,
            key,
            "template",
            here.clone(),
            "add `template = \"ordering\"` or `template = \"threshold\"`",
        );
        let check = match template.as_ref().map(|(t, r)| (t.as_str(), r.clone())) {
            Some(("ordering", _)) => self.ordering(&raw, key, here.clone()),
            Some(("threshold", _)) => self.threshold(&raw, key, here.clone()),
            Some((t @ ("capacity" | "input" | "function"), r)) => {
                self.error(
                    r,
                    format!("template `{t}` is for built-in rules only"),
                    "not available to custom rules",
                    Some("custom rules use `ordering` or `threshold`".to_string()),
                );
                None
            }
            Some((t, r)) => {
                self.error(
                    r,
                    format!("unknown template `{t}`"),
                    "unknown template",
                    Some("custom rules use `ordering` or `threshold`".to_string()),
                );
                None
            }
            None => None,
        };
        if self.diags.len() != errors_before {
            return None;
        }
        let (id, name, severity, check) = (id?, name?, severity?, check?);
        Some(CustomRule {
            code: templates::leak_code(&id.0, &name.0, severity),
            check,
            message,
            help,
            defined_at: Some(self.at(here)),
        })
    }

    /// A string key the rule cannot do without: its text and span.
    fn required_string(
        &mut self,
        v: Option<&Spanned<DeValue<'_>>>,
        key: &str,
        param: &str,
        here: Range<usize>,
        help: &str,
    ) -> Option<(String, Range<usize>)> {
        match v {
            Some(v) => self
                .string(v, &dotted(key, param))
                .map(|s| (s.to_string(), v.span())),
            None => {
                self.error(
                    here,
                    format!("`{key}` has no `{param}`"),
                    format!("custom rule without `{param}`"),
                    Some(help.to_string()),
                );
                None
            }
        }
    }

    fn check_id(&mut self, id: &str, r: Range<usize>, earlier: &[CustomRule]) {
        let (message, label, help) = if id.starts_with("TL") {
            (
                format!("custom rule id `{id}` uses the built-in prefix TL"),
                "reserved for built-in rules",
                Some("use your own prefix, e.g. ORG001".to_string()),
            )
        } else if !is_custom_id(id) {
            (
                format!("custom rule id `{id}` must be upper-case letters then digits"),
                "not an id like ORG001",
                None,
            )
        } else if earlier.iter().any(|c| c.code.id == id) {
            (
                format!("custom rule id `{id}` is defined twice"),
                "duplicate id",
                None,
            )
        } else {
            return;
        };
        self.error(r, message, label, help);
    }

    fn check_name(&mut self, name: &str, r: Range<usize>, earlier: &[CustomRule]) {
        let taken = codes::ALL.iter().any(|c| c.name == name)
            || earlier.iter().any(|c| c.code.name == name);
        let (message, label, help) = if !is_kebab(name) {
            (
                format!("custom rule name `{name}` must be kebab-case"),
                "not kebab-case",
                Some("use lower-case words joined by `-`".to_string()),
            )
        } else if taken {
            (
                format!("custom rule name `{name}` is already a rule's name"),
                "duplicate name",
                None,
            )
        } else {
            return;
        };
        self.error(r, message, label, help);
    }

    fn not_a_parameter(&mut self, raw_key: Option<Entry<'_, '_>>, template: &str, takes: &str) {
        if let Some((k, _)) = raw_key {
            let name: &str = k.get_ref();
            self.error(
                k.span(),
                format!("`{name}` is not a parameter of template `{template}`"),
                "not a parameter of this template",
                Some(format!("{template} takes {takes}")),
            );
        }
    }

    fn setting(
        &mut self,
        raw_key: Option<Entry<'_, '_>>,
        param: &str,
        key: &str,
        here: Range<usize>,
    ) -> Option<SettingRef> {
        let Some((_, v)) = raw_key else {
            self.error(
                here,
                format!("`{key}` has no `{param}`"),
                format!("missing `{param}`"),
                Some(format!(
                    "add `{param} = \"app.retirement\"` or another setting; known settings: {}",
                    settings::names().collect::<Vec<_>>().join(", ")
                )),
            );
            return None;
        };
        let name = self.string(v, &dotted(key, param))?;
        match settings::lookup(name) {
            Some(s) => Some(s),
            None => {
                self.error(
                    v.span(),
                    format!("unknown setting `{name}` in `{}`", dotted(key, param)),
                    "not a setting of the model",
                    Some(format!(
                        "known settings: {}",
                        settings::names().collect::<Vec<_>>().join(", ")
                    )),
                );
                None
            }
        }
    }

    fn ordering(&mut self, raw: &RawRule<'_, '_>, key: &str, here: Range<usize>) -> Option<Check> {
        const TAKES: &str = "left, right, factor and or_equal";
        for p in [raw.setting, raw.min, raw.max, raw.required] {
            self.not_a_parameter(p, "ordering", TAKES);
        }
        let left = self.setting(raw.left, "left", key, here.clone());
        let right = self.setting(raw.right, "right", key, here);
        let factor = match raw.factor {
            Some((_, v)) => {
                let f = self.number(v, &dotted(key, "factor"))?;
                if f <= 0.0 {
                    self.error(
                        v.span(),
                        format!("`{}` must be above 0, not {f}", dotted(key, "factor")),
                        "not a positive factor",
                        None,
                    );
                    return None;
                }
                f
            }
            None => 1.0,
        };
        let or_equal = match raw.or_equal {
            Some((_, v)) => self.boolean(v, &dotted(key, "or_equal"))?,
            None => false,
        };
        let (left, right) = (left?, right?);
        if !templates::comparable(&left, &right) {
            let span = raw.right.map(|(_, v)| v.span()).unwrap_or_default();
            self.error(
                span,
                format!(
                    "`{}` is a {} and `{}` a {}: they cannot be compared",
                    left.name,
                    left.kind.as_str(),
                    right.name,
                    right.kind.as_str()
                ),
                "a different unit from `left`",
                None,
            );
            return None;
        }
        Some(Check::Ordering(Ordering {
            left,
            right,
            factor,
            or_equal,
        }))
    }

    fn bound(
        &mut self,
        raw_key: Option<Entry<'_, '_>>,
        param: &str,
        key: &str,
        s: &SettingRef,
    ) -> Result<Option<f64>, ()> {
        let Some((_, v)) = raw_key else {
            return Ok(None);
        };
        let full = dotted(key, param);
        match (s.kind, v.get_ref()) {
            (Kind::Duration, DeValue::String(text)) => match parse_manifest_duration(text) {
                Ok(d) => Ok(Some(d.as_secs_f64())),
                Err(e) => {
                    self.error(v.span(), format!("`{full}`: {e}"), "not a duration", None);
                    Err(())
                }
            },
            (Kind::Count, DeValue::Integer(i)) => {
                match u64::from_str_radix(i.as_str(), i.radix()) {
                    Ok(n) => Ok(Some(n as f64)),
                    Err(_) => {
                        self.error(
                            v.span(),
                            format!("`{full}` must be a non-negative integer"),
                            "not a count",
                            None,
                        );
                        Err(())
                    }
                }
            }
            (kind, other) => {
                self.error(
                    v.span(),
                    format!(
                        "`{full}` must be {} for the {} setting `{}`, not {}",
                        templates::unit_hint(kind),
                        kind.as_str(),
                        s.name,
                        other.type_str()
                    ),
                    format!("expected {}", templates::unit_hint(kind)),
                    None,
                );
                Err(())
            }
        }
    }

    fn threshold(&mut self, raw: &RawRule<'_, '_>, key: &str, here: Range<usize>) -> Option<Check> {
        const TAKES: &str = "setting, min, max and required";
        for p in [raw.left, raw.right, raw.factor, raw.or_equal] {
            self.not_a_parameter(p, "threshold", TAKES);
        }
        let setting = self.setting(raw.setting, "setting", key, here.clone())?;
        let min = self.bound(raw.min, "min", key, &setting).ok()?;
        let max = self.bound(raw.max, "max", key, &setting).ok()?;
        let required = match raw.required {
            Some((_, v)) => self.boolean(v, &dotted(key, "required"))?,
            None => false,
        };
        if min.is_none() && max.is_none() && !required {
            self.error(
                here,
                format!("`{key}` checks nothing"),
                "threshold without bounds",
                Some("give `min`, `max` or `required = true`".to_string()),
            );
            return None;
        }
        if let (Some(lo), Some(hi)) = (min, max)
            && lo > hi
        {
            let span = raw.max.map(|(_, v)| v.span()).unwrap_or_default();
            self.error(
                span,
                format!("`{}` is below `{}`", dotted(key, "max"), dotted(key, "min")),
                "below min",
                None,
            );
            return None;
        }
        Some(Check::Threshold(Threshold {
            setting,
            min,
            max,
            required,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_ids_and_names() {
        assert!(is_custom_id("ORG001"));
        assert!(is_custom_id("X1"));
        assert!(!is_custom_id("ORG"));
        assert!(!is_custom_id("001"));
        assert!(!is_custom_id("org001"));
        assert!(!is_custom_id("ORG-1"));
        assert!(is_kebab("pool-recycle-too-long"));
        assert!(!is_kebab("Pool"));
        assert!(!is_kebab("a--b"));
        assert!(!is_kebab(""));
    }
}
