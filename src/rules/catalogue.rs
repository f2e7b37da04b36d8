//! The rule catalogue: one TOML file per rule in `rules/`, embedded in the
//! binary. It is the one source of the docs shown by `timeoutlint rules` and
//! `timeoutlint explain`; a test checks it against [`super::codes::ALL`].

use serde::{Deserialize, Serialize};

use crate::rules::codes::{self, Code};
use crate::rules::settings;
use crate::rules::templates::TemplateKind;

/// One rule's documentation (ruff-style sections).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDoc {
    /// Stable id, e.g. `TL101`.
    pub id: String,
    /// Kebab-case name describing the bad pattern.
    pub name: String,
    /// Default severity: `error`, `warning` or `info`.
    pub severity: String,
    /// The rule's shape (`ordering`, `threshold`, `capacity`, `input`,
    /// `function`; see [`crate::rules::templates`]). Built-in rules keep their
    /// Rust engine: for them the key documents the shape. The ordering rules
    /// over idle killers (TL101–TL104, TL109, TL110, TL119) run in
    /// `rules/retirement.rs`; each file's comment names its engine.
    pub template: TemplateKind,
    /// The model settings the rule compares, by registry name
    /// ([`crate::rules::settings::lookup`]), e.g. `["app.retirement",
    /// "server.wait_timeout"]`; empty for rules over text or structure.
    pub settings: Vec<String>,
    /// One line.
    pub summary: String,
    /// What it does.
    pub what: String,
    /// Why is this bad?
    pub why: String,
    /// A configuration that triggers it.
    pub example: String,
    /// Use instead.
    pub instead: String,
    /// Sources of every fact.
    pub references: Vec<String>,
    /// Lab runs that reproduced the failure the rule predicts (`lab/`,
    /// docs/lab.md): filled from `lab/out/results.json` by `lab/record`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub proven: Vec<Proof>,
    /// Why the rule cannot be shown failing at runtime (an input error, a
    /// setting a framework ignores), for an error rule with no [`Self::proven`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_applicable: Option<String>,
}

/// One lab reproduction of a rule's failure (a `[[proven]]` table).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Proof {
    /// The scenario: a folder of `lab/scenarios/` holding the configs the
    /// tool flagged and the lab ran.
    pub scenario: String,
    /// Server, framework and driver versions of the run, e.g. `MariaDB
    /// 10.11.19, SQLAlchemy 2.1.9, PyMySQL 2.2.8`.
    pub with: String,
    /// The error the app saw, verbatim (passwords never appear: the lab's
    /// configs hold none that matter).
    pub error: String,
}

macro_rules! embed {
    ($($file:literal),* $(,)?) => {
        /// `(file name, contents)` of every embedded catalogue file.
        pub const FILES: &[(&str, &str)] = &[
            $(($file, include_str!(concat!("../../rules/", $file)))),*
        ];
    };
}

embed!(
    "TL001-config-syntax-error.toml",
    "TL002-invalid-setting-value.toml",
    "TL003-include-not-readable.toml",
    "TL004-manifest-entry-invalid.toml",
    "TL005-sysctl-trailing-text-after-value.toml",
    "TL006-app-backend-differs-from-db-config.toml",
    "TL007-bare-number-timeout-in-milliseconds.toml",
    "TL008-preset-value-invalid.toml",
    "TL009-unused-suppression.toml",
    "TL010-invalid-suppression.toml",
    "TL011-invalid-lint-config.toml",
    "TL012-unknown-python-value.toml",
    "TL013-setting-ignored-by-framework.toml",
    "TL014-setting-overridden-later.toml",
    "TL015-unresolved-setting-value.toml",
    "TL016-server-setting-set-twice.toml",
    "TL017-database-host-not-linked.toml",
    "TL101-pool-recycle-exceeds-wait-timeout.toml",
    "TL102-conn-max-age-exceeds-wait-timeout.toml",
    "TL103-retirement-exceeds-hop-idle-timeout.toml",
    "TL104-retirement-within-margin-of-idle-timeout.toml",
    "TL105-keepalive-sysctl-unused-by-driver.toml",
    "TL106-wait-timeout-exceeds-dropping-hop.toml",
    "TL107-retirement-causes-reconnect-churn.toml",
    "TL108-flask-sqlalchemy-removed-config-key.toml",
    "TL109-idle-session-timeout-kills-pooled-connections.toml",
    "TL110-client-idle-timeout-not-above-retirement.toml",
    "TL111-query-timeout-without-smaller-statement-timeout.toml",
    "TL112-startup-parameter-rejected-by-pgbouncer.toml",
    "TL113-startup-parameter-ignored-by-pgbouncer.toml",
    "TL114-unknown-driver-option.toml",
    "TL115-django-pool-misconfigured.toml",
    "TL116-django-pool-without-health-checks.toml",
    "TL117-lock-timeout-not-below-statement-timeout.toml",
    "TL118-interactive-timeout-differs-from-wait-timeout.toml",
    "TL119-retirement-exceeds-idle-session-timeout.toml",
    "TL120-proxy-timeout-missing.toml",
    "TL121-proxy-timeout-bare-number-too-small.toml",
    "TL122-database-proxy-in-http-mode.toml",
    "TL123-pools-exceed-max-connections.toml",
    "TL124-statement-limit-below-max-statement-time.toml",
    "TL125-database-wait-exceeds-request-timeout.toml",
    "TL126-silent-drop-without-read-timeout.toml",
    "TL127-request-timeout-exceeds-held-connection-idle-limit.toml",
);

/// Errors loading the catalogue (a build defect, caught by the tests).
#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    /// A file is not valid TOML or misses a key.
    #[error("rules/{file}: {message}")]
    Invalid {
        /// The file.
        file: String,
        /// What is wrong.
        message: String,
    },
}

/// The catalogue of [`load`], parsed once per process on first use; empty if
/// it is invalid (a build defect the catalogue tests catch; never a panic).
/// Parsing every rule file costs about 1.25 ms, so runs whose output needs
/// no rule docs (human, gcc, json, the language server) never call this.
pub fn cached() -> &'static [RuleDoc] {
    static DOCS: std::sync::OnceLock<Vec<RuleDoc>> = std::sync::OnceLock::new();
    DOCS.get_or_init(|| load().unwrap_or_default())
}

/// Parses and validates every embedded rule file, in id order.
///
/// Errors: a file that does not parse, whose id/name/severity disagree with
/// its file name or with [`codes::ALL`], with an empty section, or naming a
/// setting that is not in the registry ([`settings::lookup`]).
pub fn load() -> Result<Vec<RuleDoc>, CatalogueError> {
    let mut docs = Vec::new();
    for (file, text) in FILES {
        let invalid = |message: String| CatalogueError::Invalid {
            file: file.to_string(),
            message,
        };
        let doc: RuleDoc = toml::from_str(text).map_err(|e| invalid(e.message().to_string()))?;
        if *file != format!("{}-{}.toml", doc.id, doc.name) {
            return Err(invalid(format!(
                "file name does not match id {} and name {}",
                doc.id, doc.name
            )));
        }
        let code =
            code_of(&doc.id).ok_or_else(|| invalid(format!("{} is not a known code", doc.id)))?;
        if code.name != doc.name || code.severity.as_str() != doc.severity {
            return Err(invalid(format!(
                "name/severity differ from codes.rs ({} {})",
                code.name,
                code.severity.as_str()
            )));
        }
        for (section, value) in [
            ("summary", &doc.summary),
            ("what", &doc.what),
            ("why", &doc.why),
            ("example", &doc.example),
            ("instead", &doc.instead),
        ] {
            if value.trim().is_empty() {
                return Err(invalid(format!("section `{section}` is empty")));
            }
        }
        if doc.references.is_empty() {
            return Err(invalid("no references".to_string()));
        }
        for p in &doc.proven {
            if p.scenario.is_empty()
                || !p
                    .scenario
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            {
                return Err(invalid(format!(
                    "proven scenario `{}` is not a lab scenario name (a-z, 0-9, -)",
                    p.scenario
                )));
            }
            if p.with.trim().is_empty() || p.error.trim().is_empty() {
                return Err(invalid(format!(
                    "proven scenario `{}` has an empty `with` or `error`",
                    p.scenario
                )));
            }
        }
        if doc.not_applicable.is_some() && !doc.proven.is_empty() {
            return Err(invalid(
                "a rule is either proven in the lab or not applicable, not both".to_string(),
            ));
        }
        if let Some(unknown) = doc.settings.iter().find(|s| settings::lookup(s).is_none()) {
            return Err(invalid(format!(
                "setting `{unknown}` is not in the registry (src/rules/settings.rs)"
            )));
        }
        let wanted = match doc.template {
            TemplateKind::Ordering => 2,
            TemplateKind::Threshold => 1,
            _ => 0,
        };
        if doc.settings.len() < wanted {
            return Err(invalid(format!(
                "template `{}` compares {wanted} setting(s); `settings` names {}",
                doc.template.as_str(),
                doc.settings.len()
            )));
        }
        docs.push(doc);
    }
    docs.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(docs)
}

/// The code with id `id`.
pub fn code_of(id: &str) -> Option<Code> {
    codes::ALL.iter().copied().find(|c| c.id == id)
}

/// Finds a rule by id (`TL101`, case-insensitive) or name.
pub fn find<'a>(docs: &'a [RuleDoc], key: &str) -> Option<&'a RuleDoc> {
    docs.iter()
        .find(|d| d.id.eq_ignore_ascii_case(key) || d.name == key)
}

/// The Markdown table of every rule, as embedded in README.md between
/// `<!-- rules:start -->` and `<!-- rules:end -->` (a test keeps it current).
pub fn markdown_table(docs: &[RuleDoc]) -> String {
    let mut s = String::from("| id | name | severity | summary |\n|---|---|---|---|\n");
    for d in docs {
        s.push_str(&format!(
            "| {} | `{}` | {} | {} |\n",
            d.id,
            d.name,
            d.severity,
            d.summary.replace('|', "\\|")
        ));
    }
    s
}
