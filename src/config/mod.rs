//! The lint configuration: which rules run, at which severity, with which
//! margin, and the user's own rules.
//!
//! ```toml
//! [lint]                                 # in timeoutlint.toml
//! select = ["TL1", "ORG001"]             # ids, names, prefixes or "ALL" (default: ALL)
//! ignore = ["interactive-timeout-differs-from-wait-timeout"]
//! severity = { TL104 = "error", TL11 = "info" }
//! margin = 20                            # percent, 0 <= margin < 100
//! fail-on = "warning"                    # error | warning | info
//!
//! [lint.per-path-ignores]                # path name or glob (`*`, `?`) -> rules
//! "reporting -> *" = ["TL125"]
//!
//! [[lint.rule]]                          # a custom rule (src/rules/templates.rs)
//! id = "ORG001"                          # letters then digits; not TL (reserved)
//! name = "pool-recycle-above-half-wait-timeout"
//! severity = "error"                     # default warning
//! template = "ordering"                  # ordering | threshold
//! left = "app.retirement"                # names from src/rules/settings.rs
//! right = "server.wait_timeout"
//! factor = 0.5                           # default 1.0
//! message = "pool_recycle must be at most half of wait_timeout"
//! ```
//!
//! Where it is read (the nearest configuration wins; files are never merged,
//! as in ruff):
//! 1. `--config FILE`, when given: a file named `pyproject.toml` is read at
//!    `[tool.timeoutlint]`; any other file at `[lint]` when it has that table
//!    (so a manifest can be named, and its `[[path]]` entries are skipped),
//!    else at the top level.
//! 2. The manifest's `[lint]` table.
//! 3. `[tool.timeoutlint]` of the nearest `pyproject.toml`, searching from the
//!    manifest's folder (or the start folder) upward; a `pyproject.toml`
//!    without that table is passed over.
//!
//! Every value keeps its location. Unknown keys, values of the wrong type or
//! out of range, rule selectors that match no rule, and custom rules naming
//! unknown settings are TL011 errors located at the key or value; the
//! offending entry is skipped and the rest of the configuration applies.
//! TL011 itself cannot be selected away: a configuration cannot silence its
//! own errors.

mod custom;
mod keys;
mod scope;
mod selector;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::model::ConnectionPath;
use crate::provenance::{Origin, Sourced};
use crate::rules::codes;
use crate::rules::templates::CustomRule;
use crate::source::{FileId, LoadError, Location, ReadPolicy, SourceMap, Span};

use keys::Cx;
pub use scope::glob_match;
use scope::{owners, path_files};
pub use selector::Selector;
use selector::{SELECTOR_HELP, Universe};

/// The `pyproject.toml` table that holds the configuration.
pub const PYPROJECT_TABLE: &str = "tool.timeoutlint";

/// A `per-path-ignores` entry.
#[derive(Clone, Debug, PartialEq)]
pub struct PathIgnore {
    /// A path name, or a glob over path names (`*`, `?`).
    pub pattern: Sourced<String>,
    /// The rules ignored on matching paths.
    pub rules: Vec<Selector>,
}

/// The lint configuration. [`Default`] is "no configuration": every rule at
/// its default severity, no custom rules.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LintConfig {
    /// The file it was read from.
    pub file: Option<FileId>,
    select: Vec<Selector>,
    ignore: Vec<Selector>,
    severity: Vec<(Selector, Sourced<Severity>)>,
    margin: Option<Sourced<f64>>,
    fail_on: Option<Sourced<Severity>>,
    per_path_ignores: Vec<PathIgnore>,
    rules: Vec<CustomRule>,
}

/// Reads the lint configuration (see the module docs for where from).
///
/// `manifest` is the loaded manifest, `start_dir` the folder the pyproject
/// search starts from (the manifest's folder), `explicit` the `--config` file.
///
/// Errors: [`LoadError::Unreadable`] when `explicit` cannot be read. Invalid
/// content is never an error here: it becomes TL001 (syntax) or TL011
/// diagnostics in `diags`, and the valid rest is returned.
pub fn load(
    manifest: Option<FileId>,
    start_dir: &Path,
    explicit: Option<&Path>,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Result<LintConfig, LoadError> {
    if let Some(path) = explicit {
        let file = sources.load_option_file(path)?;
        let is_pyproject = path.file_name().is_some_and(|n| n == "pyproject.toml");
        return Ok(read_explicit(file, is_pyproject, sources, diags));
    }
    if let Some(file) = manifest {
        // A manifest that does not parse is reported by `manifest::parse`.
        if let Ok(root) = DeTable::parse(sources.get(file).text())
            && let Some(lint) = root.get_ref().get("lint")
        {
            let mut cx = Cx::new(file, diags);
            return Ok(cx.config(lint, "lint"));
        }
    }
    Ok(match nearest_pyproject(start_dir, sources.policy()) {
        Some(path) => {
            let file = sources.load(&path)?;
            read_explicit(file, true, sources, diags)
        }
        None => LintConfig::default(),
    })
}

/// The nearest `pyproject.toml` at or above `start`, and inside the project
/// root of `policy`, that has a `[tool.timeoutlint]` table (or mentions it
/// but does not parse).
fn nearest_pyproject(start: &Path, policy: &ReadPolicy) -> Option<PathBuf> {
    let start = std::fs::canonicalize(start).unwrap_or_else(|_| start.to_path_buf());
    start.ancestors().find_map(|dir| {
        let candidate = dir.join("pyproject.toml");
        if !candidate.is_file() {
            return None;
        }
        let (_, bytes) = policy.read(&candidate, "pyproject.toml").ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let ours = match DeTable::parse(&text) {
            Ok(root) => table_at(root.get_ref(), PYPROJECT_TABLE).is_some(),
            Err(_) => text.contains(PYPROJECT_TABLE),
        };
        ours.then_some(candidate)
    })
}

fn table_at<'a, 'i>(root: &'a DeTable<'i>, dotted: &str) -> Option<&'a Spanned<DeValue<'i>>> {
    let mut parts = dotted.split('.');
    let mut v = root.get(parts.next()?)?;
    for p in parts {
        v = v.get_ref().as_table()?.get(p)?;
    }
    Some(v)
}

fn read_explicit(
    file: FileId,
    is_pyproject: bool,
    sources: &SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> LintConfig {
    let text = sources.get(file).text();
    let root = match DeTable::parse(text) {
        Ok(r) => r,
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            diags.push(Diagnostic::new(
                codes::SYNTAX_ERROR,
                format!(
                    "lint configuration: {}",
                    crate::secrets::parser_message(e.message())
                ),
                Label::at(Location::new(file, Span::new(span.start, span.end)), "here"),
            ));
            return LintConfig {
                file: Some(file),
                ..LintConfig::default()
            };
        }
    };
    let mut cx = Cx::new(file, diags);
    let root_table = root.get_ref();
    if is_pyproject {
        return match table_at(root_table, PYPROJECT_TABLE) {
            Some(t) => cx.config(t, PYPROJECT_TABLE),
            None => {
                cx.error(
                    0..0,
                    format!("this pyproject.toml has no [{PYPROJECT_TABLE}] table"),
                    "the configuration is read from here",
                    Some(format!("put the keys under [{PYPROJECT_TABLE}]")),
                );
                cx.empty()
            }
        };
    }
    if let Some(lint) = root_table.get("lint") {
        for (k, _) in root_table.iter() {
            if k.get_ref() != "lint" && k.get_ref() != "path" {
                cx.unknown_key(k, "", &["lint", "path"]);
            }
        }
        return cx.config(lint, "lint");
    }
    let whole = Spanned::new(root.span(), DeValue::Table(root.get_ref().clone()));
    cx.config(&whole, "")
}

impl LintConfig {
    /// Filters and adjusts the diagnostics of a run: drops rules not selected
    /// or ignored (the most specific selector decides; on a tie, `ignore`),
    /// drops findings that every path they belong to ignores
    /// (`per-path-ignores`), and applies `severity` overrides (the most
    /// specific entry wins). TL011 is always kept.
    pub fn apply(&self, diags: Vec<Diagnostic>, paths: &[ConnectionPath]) -> Vec<Diagnostic> {
        let files: Vec<BTreeSet<FileId>> = if self.per_path_ignores.is_empty() {
            Vec::new()
        } else {
            paths.iter().map(path_files).collect()
        };
        diags
            .into_iter()
            .filter_map(|mut d| {
                if d.code == codes::INVALID_CONFIG {
                    return Some(d);
                }
                if !self.enabled(d.code.id) {
                    return None;
                }
                if !self.per_path_ignores.is_empty() {
                    let own = owners(&d, paths, &files);
                    if !own.is_empty()
                        && own
                            .iter()
                            .all(|i| self.ignored_on(&paths[*i].name, d.code.id))
                    {
                        return None;
                    }
                }
                if let Some(s) = self.severity_of(d.code.id) {
                    d.severity = s;
                }
                Some(d)
            })
            .collect()
    }

    /// Runs the custom rules on one path.
    pub fn custom(&self, path: &ConnectionPath, sources: &SourceMap) -> Vec<Diagnostic> {
        self.rules
            .iter()
            .filter_map(|r| r.evaluate(path, sources))
            .collect()
    }

    /// The `margin` key, in percent as written (the unit of `--margin`;
    /// divide by 100 for [`crate::rules::RuleOptions::margin`]).
    pub fn margin(&self) -> Option<f64> {
        self.margin.as_ref().map(|m| m.value)
    }

    /// The `fail-on` key.
    pub fn fail_on(&self) -> Option<Severity> {
        self.fail_on.as_ref().map(|s| s.value)
    }

    /// The custom rules, in file order.
    pub fn rules(&self) -> &[CustomRule] {
        &self.rules
    }

    /// Whether rule `id` runs: the most specific matching selector of
    /// `select` (default `ALL`) and `ignore` decides; a tie goes to `ignore`.
    pub fn enabled(&self, id: &str) -> bool {
        if id == codes::INVALID_CONFIG.id {
            return true;
        }
        let best = |list: &[Selector]| {
            list.iter()
                .filter(|s| s.matches(id))
                .map(|s| s.specificity)
                .max()
        };
        let selected = if self.select.is_empty() {
            Some(0)
        } else {
            best(&self.select)
        };
        match (selected, best(&self.ignore)) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(s), Some(i)) => s > i,
        }
    }

    /// The severity override for rule `id` (the most specific entry; on a
    /// tie, the one written last).
    pub fn severity_of(&self, id: &str) -> Option<Severity> {
        self.severity
            .iter()
            .enumerate()
            .filter(|(_, (s, _))| s.matches(id))
            .max_by_key(|(i, (s, _))| (s.specificity, *i))
            .map(|(_, (_, sev))| sev.value)
    }

    fn ignored_on(&self, path_name: &str, id: &str) -> bool {
        self.per_path_ignores.iter().any(|pi| {
            glob_match(&pi.pattern.value, path_name) && pi.rules.iter().any(|s| s.matches(id))
        })
    }

    fn flag_selectors(&self, flag: &str, list: &[String]) -> Result<Vec<Selector>, String> {
        let u = Universe::new(&self.rules);
        list.iter()
            .map(|t| {
                u.selector(t, Origin::Flag(format!("{flag} {t}")))
                    .map_err(|e| format!("{flag}: {e}; {SELECTOR_HELP}"))
            })
            .collect()
    }

    /// Replaces `select` (the `--select` flag).
    ///
    /// Errors: a selector that matches no rule.
    pub fn set_select(&mut self, list: &[String]) -> Result<(), String> {
        self.select = self.flag_selectors("--select", list)?;
        Ok(())
    }

    /// Replaces `ignore` (the `--ignore` flag).
    ///
    /// Errors: a selector that matches no rule.
    pub fn set_ignore(&mut self, list: &[String]) -> Result<(), String> {
        self.ignore = self.flag_selectors("--ignore", list)?;
        Ok(())
    }

    /// Adds severity overrides (the `--severity RULE=LEVEL` flag), taking
    /// precedence over the file's for the same rules.
    ///
    /// Errors: not `RULE=LEVEL`, a selector that matches no rule, or an
    /// unknown level.
    pub fn add_severity(&mut self, overrides: &[String]) -> Result<(), String> {
        for o in overrides {
            let (rule, level) = o
                .split_once('=')
                .ok_or_else(|| format!("--severity {o}: expected RULE=LEVEL, e.g. TL104=error"))?;
            let level = match level.trim() {
                "error" => Severity::Error,
                "warning" => Severity::Warning,
                "info" => Severity::Info,
                other => {
                    return Err(format!(
                        "--severity {o}: `{other}` is not error, warning or info"
                    ));
                }
            };
            let origin = Origin::Flag(format!("--severity {o}"));
            let selector = self.flag_selectors("--severity", &[rule.trim().to_string()])?;
            for sel in selector {
                // Flags come last, so they win over the file's entries.
                self.severity
                    .push((sel, Sourced::new(level, origin.clone())));
            }
        }
        Ok(())
    }

    /// Replaces `margin` (the `--margin` flag, in percent).
    pub fn set_margin(&mut self, percent: f64) {
        self.margin = Some(Sourced::new(
            percent,
            Origin::Flag(format!("--margin {percent}")),
        ));
    }

    /// Replaces `fail-on` (the `--fail-on` flag).
    pub fn set_fail_on(&mut self, severity: Severity) {
        self.fail_on = Some(Sourced::new(
            severity,
            Origin::Flag(format!("--fail-on {}", severity.as_str())),
        ));
    }
}
