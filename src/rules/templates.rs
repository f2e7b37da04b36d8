//! Rule templates: the shapes most rules take, with typed parameters over the
//! settings registry ([`super::settings`]).
//!
//! Every catalogue file names its template (`template = "..."`): the built-in
//! rules keep their Rust engines (the ordering rules TL101–TL104, TL109,
//! TL110 and TL119 run in `rules/retirement.rs`, which walks each segment's
//! idle killers), so for them the key documents the shape and the settings
//! they compare. Custom rules from the lint configuration (`[[lint.rule]]`)
//! are evaluated here:
//!
//! ## `ordering`
//! **What it does:** checks `left < right × factor` (`<=` with
//! `or_equal = true`) on every path where both settings exist.
//! **Why:** a timeout that must expire first (a pool's retirement age, a lock
//! limit) is useless or harmful once it reaches the limit it must stay under.
//! **Options:** `left`, `right` (setting names), `factor` (default 1.0, above
//! 0), `or_equal` (default false). A `right` of "no limit" (a disabled
//! timeout) never fires; a `left` of "no limit" fires against any finite bound.
//! **Example:** `left = "app.retirement"`, `right = "server.wait_timeout"`,
//! `factor = 0.5`: "pool_recycle must be at most half of wait_timeout".
//!
//! ## `threshold`
//! **What it does:** checks that `setting` lies within `min ..= max`, or, with
//! `required = true`, that it is a real limit (not "no limit").
//! **Why:** organisations bound timeouts (a read timeout is mandatory, a pool
//! wait at most 10 s) beyond what the systems require.
//! **Options:** `setting`, `min`, `max` (durations as strings like `"30s"`,
//! counts as integers), `required` (default false).
//!
//! ## `capacity`, `input`, `function`
//! Catalogue-only: `capacity` is the pool-sum rule TL123 (`model/budget.rs`),
//! `input` the TL0xx checks on the inputs themselves, `function` a rule that
//! fits no template and names its Rust function in its module docs.

use serde::Deserialize;

use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::model::ConnectionPath;
use crate::provenance::Sourced;
use crate::rules::codes::Code;
use crate::rules::settings::{Kind, SettingRef};
use crate::rules::value_label;
use crate::source::{Location, SourceMap};

/// The shape of a rule, as named by the `template` key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TemplateKind {
    /// `left < right × factor`.
    Ordering,
    /// A value within bounds, or set at all.
    Threshold,
    /// A sum of pool sizes within a connection limit.
    Capacity,
    /// A check on the inputs (syntax, values, manifest, configuration).
    Input,
    /// A Rust function that fits no template.
    Function,
}

impl TemplateKind {
    /// The key's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            TemplateKind::Ordering => "ordering",
            TemplateKind::Threshold => "threshold",
            TemplateKind::Capacity => "capacity",
            TemplateKind::Input => "input",
            TemplateKind::Function => "function",
        }
    }
}

/// `left < right × factor` (or `<=`).
#[derive(Clone, Debug, PartialEq)]
pub struct Ordering {
    /// The value that must stay below.
    pub left: SettingRef,
    /// The limit.
    pub right: SettingRef,
    /// Multiplies `right` (default 1.0).
    pub factor: f64,
    /// Accept `left == right × factor`.
    pub or_equal: bool,
}

/// `min <= setting <= max`, or `setting` is a real limit.
#[derive(Clone, Debug, PartialEq)]
pub struct Threshold {
    /// The value checked.
    pub setting: SettingRef,
    /// Lower bound (inclusive), in the setting's unit.
    pub min: Option<f64>,
    /// Upper bound (inclusive), in the setting's unit.
    pub max: Option<f64>,
    /// Fire when the setting is "no limit".
    pub required: bool,
}

/// A template instance.
#[derive(Clone, Debug, PartialEq)]
pub enum Check {
    /// See [`Ordering`].
    Ordering(Ordering),
    /// See [`Threshold`].
    Threshold(Threshold),
}

/// A custom rule from the lint configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomRule {
    /// Its code, in the user's namespace (see [`leak_code`]).
    pub code: Code,
    /// What it checks.
    pub check: Check,
    /// The user's headline, put before the comparison.
    pub message: Option<String>,
    /// The user's help line, replacing the generated one.
    pub help: Option<String>,
    /// Where the rule is defined (`[[lint.rule]]` table).
    pub defined_at: Option<Location>,
}

/// A [`Code`] for a custom rule.
///
/// [`Code`] holds `&'static str` so that the built-in codes are constants and
/// diagnostics stay `Copy`-cheap to label; a custom id exists only at run time,
/// so its id and name are leaked, once, when the configuration is loaded. The
/// leak is bounded by the configuration (a few bytes per `[[lint.rule]]`,
/// loaded once per process).
pub fn leak_code(id: &str, name: &str, severity: Severity) -> Code {
    Code {
        id: Box::leak(id.to_string().into_boxed_str()),
        name: Box::leak(name.to_string().into_boxed_str()),
        severity,
    }
}

fn shown(s: &SettingRef, v: &Sourced<f64>, sources: &SourceMap) -> String {
    format!(
        "{} = {} ({})",
        s.name,
        s.format(v.value),
        v.origin.brief(sources)
    )
}

fn factor_text(f: f64) -> String {
    if f == 1.0 {
        String::new()
    } else {
        format!("{f} × ")
    }
}

impl CustomRule {
    /// Evaluates the rule on `path`: one diagnostic when it fires.
    pub fn evaluate(&self, path: &ConnectionPath, sources: &SourceMap) -> Option<Diagnostic> {
        let f = match &self.check {
            Check::Ordering(o) => ordering(o, path, sources)?,
            Check::Threshold(t) => threshold(t, path, sources)?,
        };
        let message = match &self.message {
            Some(m) => format!("{m}: {}", f.comparison),
            None => f.comparison,
        };
        let mut d = Diagnostic::new(self.code, message, f.primary)
            .with_help(self.help.clone().unwrap_or(f.help));
        if let Some(r) = f.related {
            d = d.with_related(r);
        }
        if let Some(at) = self.defined_at {
            d = d.with_related(Label::at(
                at,
                format!(
                    "custom rule {} ({}) defined here",
                    self.code.id, self.code.name
                ),
            ));
        }
        Some(d)
    }
}

/// What a template found: the comparison for the message, the labels, and
/// the generated help line.
struct Finding {
    comparison: String,
    primary: Label,
    related: Option<Label>,
    help: String,
}

fn ordering(o: &Ordering, path: &ConnectionPath, sources: &SourceMap) -> Option<Finding> {
    let l = o.left.get(path)?;
    let r = o.right.get(path)?;
    if r.value.is_infinite() {
        return None;
    }
    let bound = r.value * o.factor;
    let ok = if o.or_equal {
        l.value <= bound
    } else {
        l.value < bound
    };
    if ok {
        return None;
    }
    let (verb, want) = if o.or_equal {
        ("is above", "at most")
    } else {
        ("is not below", "below")
    };
    let bound_text = if o.factor == 1.0 {
        String::new()
    } else {
        format!(", that is {}", o.right.kind.format(bound))
    };
    let comparison = format!(
        "{} {verb} {}{}{bound_text}",
        shown(&o.left, &l, sources),
        factor_text(o.factor),
        shown(&o.right, &r, sources),
    );
    let lv = o.left.format(l.value);
    let primary = value_label(
        &l.origin,
        o.left.name,
        &lv,
        format!("{} = {lv}", o.left.name),
    );
    let related = value_label(
        &r.origin,
        o.right.name,
        &o.right.format(r.value),
        format!("{} = {}", o.right.name, o.right.format(r.value)),
    );
    let help = format!(
        "set {} {want} {}{} ({})",
        o.left.name,
        factor_text(o.factor),
        o.right.name,
        o.right.kind.format(bound)
    );
    Some(Finding {
        comparison,
        primary,
        related: Some(related),
        help,
    })
}

fn threshold(t: &Threshold, path: &ConnectionPath, sources: &SourceMap) -> Option<Finding> {
    let v = t.setting.get(path)?;
    let kind = t.setting.kind;
    let (problem, help) = if t.required && v.value.is_infinite() {
        (
            ", but a limit is required".to_string(),
            format!("set {}", t.setting.name),
        )
    } else if let Some(min) = t.min.filter(|m| v.value < *m) {
        (
            format!(" is below the minimum {}", kind.format(min)),
            format!("set {} to at least {}", t.setting.name, kind.format(min)),
        )
    } else if let Some(max) = t.max.filter(|m| v.value > *m) {
        (
            format!(" is above the maximum {}", kind.format(max)),
            format!("set {} to at most {}", t.setting.name, kind.format(max)),
        )
    } else {
        return None;
    };
    let value = t.setting.format(v.value);
    let primary = value_label(
        &v.origin,
        t.setting.name,
        &value,
        format!("{} = {value}", t.setting.name),
    );
    Some(Finding {
        comparison: format!("{}{problem}", shown(&t.setting, &v, sources)),
        primary,
        related: None,
        help,
    })
}

/// Whether two settings can be compared (same unit).
pub fn comparable(a: &SettingRef, b: &SettingRef) -> bool {
    a.kind == b.kind
}

/// The unit word of a setting kind, for configuration errors.
pub fn unit_hint(kind: Kind) -> &'static str {
    match kind {
        Kind::Duration => "a duration string like \"30s\", \"10m\" or \"1h\"",
        Kind::Count => "a non-negative integer",
    }
}
