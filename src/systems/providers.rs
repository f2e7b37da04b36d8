//! Managed-database provider defaults: the values a managed server (Amazon
//! RDS and Aurora, Google Cloud SQL, Azure Database flexible server) runs
//! with when the deployment names no parameter group, for the settings
//! timeoutlint models, wherever they differ from the upstream server's
//! compiled default.
//!
//! An `aws_db_instance` with `engine = "postgres"` and no
//! `parameter_group_name` does not run with PostgreSQL's compiled defaults:
//! RDS's default parameter group sets `tcp_keepalives_idle = 300`,
//! `tcp_keepalives_interval = 30` and `tcp_keepalives_count = 2`
//! (<https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Appendix.PostgreSQL.CommonDBATasks.DeadConnectionHandling.html>).
//! This module answers "what does provider P set for engine E, version V?"
//! so the deployment reader can apply those values below the parameter
//! group's own, each with its source.
//!
//! The table is one data file, `presets/providers.toml`, embedded in the
//! binary and validated at load ([`load`]); every entry cites the provider's
//! documentation page. The findings, the entries checked and found equal to
//! upstream, and what could not be checked are in `docs/providers.md`. An
//! invalid table is a build defect: the unit tests load it, and production
//! code never panics on it ([`all`] is then empty and [`lookup`] finds
//! nothing).
//!
//! # Formulas
//!
//! Some defaults are not numbers but expressions the provider evaluates from
//! the instance: RDS's `max_connections` for MySQL is
//! `{DBInstanceClassMemory/12582880}`, Azure's depends on the compute tier.
//! They are kept apart in [`ProviderDefaults::formulas`], never evaluated;
//! [`ProviderDefaults::formula_reason`] gives the text to pass as
//! [`crate::sources::Written::Unresolved`], so the system's door reports the
//! setting as unresolved ("an RDS formula ...") and keeps the value below.
//!
//! # Matching an engine and a version
//!
//! The engine is compared, in lower case, with each entry's `engines`
//! (`postgres`, `aurora-postgresql`, `mysql`, `mariadb`, `aurora-mysql`,
//! `postgresql_flexible_server`). For Cloud SQL a `database_version` such as
//! `POSTGRES_15` or `MYSQL_8_0` is also accepted as the engine: the part
//! before the first `_` is the engine and the rest, with `_` read as `.`, the
//! version when none is given.
//!
//! The version is read from its start: dot-separated numbers ended by the end
//! or by any other character (`15`, `15.4`, `8.0.35`,
//! `8.0.mysql_aurora.3.05.2` is `8.0`). Like image tags, it names every
//! release starting with those numbers (`15` is 15.0 up to 16), and an entry
//! answers only when one of its ranges holds that whole set. No version, or
//! one that does not start with a number: only an entry for every version
//! (`versions = "*"`) answers.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

use super::versions::{Range, Version, next_line, parse_range};

use crate::sources::System;

/// The embedded table.
pub const FILE: &str = include_str!("../../presets/providers.toml");

/// A managed-database provider.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Provider {
    /// Amazon RDS and Aurora (`aws_db_instance`, `aws_rds_cluster`,
    /// `AWS::RDS::DBInstance`, `AWS::RDS::DBCluster`); `aws-rds` in the table.
    AwsRds,
    /// Google Cloud SQL (`google_sql_database_instance`); `gcp-cloud-sql`.
    GcpCloudSql,
    /// Azure Database for MySQL / PostgreSQL flexible server
    /// (`azurerm_postgresql_flexible_server`, ...); `azure-flexible`.
    AzureFlexible,
}

impl Provider {
    /// The name used in the table: `aws-rds`, `gcp-cloud-sql`,
    /// `azure-flexible`.
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::AwsRds => "aws-rds",
            Provider::GcpCloudSql => "gcp-cloud-sql",
            Provider::AzureFlexible => "azure-flexible",
        }
    }

    fn parse(text: &str) -> Option<Provider> {
        [
            Provider::AwsRds,
            Provider::GcpCloudSql,
            Provider::AzureFlexible,
        ]
        .into_iter()
        .find(|p| p.as_str() == text)
    }
}

/// What one provider sets for some engines and a range of versions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderDefaults {
    /// Unique in the table, e.g. `aws-rds-postgres`.
    pub id: String,
    /// Which provider.
    pub provider: Provider,
    /// Which server the settings belong to.
    pub system: System,
    /// The engine names the entry answers to, lower case (`postgres`,
    /// `aurora-postgresql`).
    pub engines: Vec<String>,
    /// The version ranges as written (`*`, `>=12, <16`, `15 or 16`).
    pub versions: String,
    /// `(name, value)` in the server's own syntax
    /// (`("tcp_keepalives_idle", "300")`), in name order, for the system's
    /// door to parse with its own rules.
    pub settings: Vec<(String, String)>,
    /// `(name, formula)` for values the provider computes from the instance
    /// (`("max_connections", "{DBInstanceClassMemory/12582880}")`), in name
    /// order; never a number. See [`ProviderDefaults::formula_reason`].
    pub formulas: Vec<(String, String)>,
    /// Names checked and found equal to upstream's default.
    pub same: Vec<String>,
    /// The provider's documentation page stating the values (https).
    pub source: String,
    /// More URLs.
    pub see_also: Vec<String>,
    /// What the check covered and what it did not.
    pub note: Option<String>,
}

impl ProviderDefaults {
    /// The reason to give as [`crate::sources::Written::Unresolved`] for a
    /// formula of this entry, e.g. "an RDS formula,
    /// `{DBInstanceClassMemory/12582880}`, evaluated from the DB instance
    /// class".
    pub fn formula_reason(&self, formula: &str) -> String {
        match self.provider {
            Provider::AwsRds => {
                format!("an RDS formula, `{formula}`, evaluated from the DB instance class")
            }
            Provider::GcpCloudSql => format!("a Cloud SQL default that {formula}"),
            Provider::AzureFlexible => format!("an Azure flexible-server default that {formula}"),
        }
    }
}

/// Errors loading the table (a build defect, caught by the unit tests).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    /// The file is not valid TOML, misses a key, or has an unknown one.
    #[error("presets/providers.toml: {0}")]
    Syntax(String),
    /// One entry breaks a rule.
    #[error("presets/providers.toml: provider `{id}`: {message}")]
    Invalid {
        /// The entry's id.
        id: String,
        /// What is wrong.
        message: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    provider: Vec<RawEntry>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawVersions {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFormula {
    formula: String,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawValue {
    Text(String),
    Formula(RawFormula),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    id: String,
    provider: String,
    system: String,
    engines: Vec<String>,
    versions: RawVersions,
    settings: BTreeMap<String, RawValue>,
    #[serde(default)]
    same: Vec<String>,
    source: String,
    #[serde(default)]
    see_also: Vec<String>,
    note: Option<String>,
}

fn parse_system(text: &str) -> Option<System> {
    match text {
        "mysql" => Some(System::Mysql),
        "postgres" => Some(System::Postgres),
        _ => None,
    }
}

/// One validated entry with its parsed ranges.
#[derive(Clone, Debug)]
struct Entry {
    defaults: ProviderDefaults,
    ranges: Vec<Range>,
}

/// Parses and validates the embedded table, in (provider, id) order.
///
/// Errors: TOML syntax, unknown or missing keys; an id that is not lower-case
/// `[a-z0-9-]`, or used twice; an unknown `provider` or `system`; an empty
/// or non-lower-case engine list; a bad version range (only `*`, a bare
/// release line, `>=` and `<`; empty ranges refused); a setting (or `same`
/// name) the system does not model, a value its server would reject, a
/// blank formula, a formula that is a plain number, or a name both set and
/// listed as `same`; a source or see_also that is not an https URL; an empty
/// note or one ending with a period; two entries of one provider answering
/// to one engine with overlapping ranges.
pub fn load() -> Result<Vec<ProviderDefaults>, LoadError> {
    parse(FILE).map(|entries| entries.into_iter().map(|e| e.defaults).collect())
}

fn parse(text: &str) -> Result<Vec<Entry>, LoadError> {
    let raw: RawFile = toml::from_str(text).map_err(|e| LoadError::Syntax(e.message().into()))?;
    let mut out: Vec<Entry> = Vec::with_capacity(raw.provider.len());
    for r in raw.provider {
        let e = validate(r)?;
        for other in &out {
            let invalid = |message: String| LoadError::Invalid {
                id: e.defaults.id.clone(),
                message,
            };
            if other.defaults.id == e.defaults.id {
                return Err(invalid("the id is used twice".into()));
            }
            let shared = other.defaults.provider == e.defaults.provider
                && e.defaults
                    .engines
                    .iter()
                    .any(|n| other.defaults.engines.contains(n));
            let overlap = e
                .ranges
                .iter()
                .any(|a| other.ranges.iter().any(|b| a.overlaps(b)));
            if shared && overlap {
                return Err(invalid(format!(
                    "its versions overlap `{}` for a shared engine",
                    other.defaults.id
                )));
            }
        }
        out.push(e);
    }
    out.sort_by(|a, b| {
        (a.defaults.provider, &a.defaults.id).cmp(&(b.defaults.provider, &b.defaults.id))
    });
    Ok(out)
}

fn validate(r: RawEntry) -> Result<Entry, LoadError> {
    let id = r.id.clone();
    let invalid = |message: String| LoadError::Invalid {
        id: id.clone(),
        message,
    };
    if id.is_empty()
        || !id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(invalid("the id is not lower-case [a-z0-9-]".into()));
    }
    let provider = Provider::parse(&r.provider).ok_or_else(|| {
        invalid(format!(
            "provider must be \"aws-rds\", \"gcp-cloud-sql\" or \"azure-flexible\", not \"{}\"",
            r.provider
        ))
    })?;
    let system = parse_system(&r.system).ok_or_else(|| {
        invalid(format!(
            "system must be \"mysql\" or \"postgres\", not \"{}\"",
            r.system
        ))
    })?;
    if r.engines.is_empty() {
        return Err(invalid("engines is an empty list".into()));
    }
    for e in &r.engines {
        let ok = e.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
            && e.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if !ok {
            return Err(invalid(format!(
                "engine `{e}` is not a lower-case engine name"
            )));
        }
    }
    let items = match r.versions {
        RawVersions::One(s) => vec![s],
        RawVersions::Many(v) => v,
    };
    if items.is_empty() {
        return Err(invalid("versions is an empty list".into()));
    }
    let versions = items
        .iter()
        .map(|s| s.trim())
        .collect::<Vec<_>>()
        .join(" or ");
    let ranges = items
        .iter()
        .map(|s| parse_range(s))
        .collect::<Result<Vec<_>, _>>()
        .map_err(&invalid)?;
    for (i, a) in ranges.iter().enumerate() {
        if ranges[i + 1..].iter().any(|b| a.overlaps(b)) {
            return Err(invalid("two of its version ranges overlap".into()));
        }
    }
    let accepts = |name: &str, value: &str| {
        super::table_values::accepts(system, name, value).ok_or_else(|| {
            invalid(format!(
                "`{name}` is not a setting timeoutlint models for {}",
                system.as_str()
            ))
        })
    };
    let mut settings = Vec::new();
    let mut formulas = Vec::new();
    for (name, value) in r.settings {
        match value {
            RawValue::Text(v) => {
                if !accepts(&name, &v)? {
                    return Err(invalid(format!(
                        "`{name} = \"{v}\"` is not a value {} accepts",
                        system.as_str()
                    )));
                }
                settings.push((name, v));
            }
            RawValue::Formula(f) => {
                let f = f.formula;
                if f.trim().is_empty() {
                    return Err(invalid(format!("`{name}` has a blank formula")));
                }
                if accepts(&name, f.trim())? {
                    return Err(invalid(format!(
                        "`{name}` formula `{f}` is a plain value; write it as a string"
                    )));
                }
                formulas.push((name, f));
            }
        }
    }
    for name in &r.same {
        // Any value will do: only whether the name is modelled is asked.
        accepts(name, "0")?;
        if settings.iter().chain(&formulas).any(|(n, _)| n == name) {
            return Err(invalid(format!("`{name}` is both set and listed as same")));
        }
    }
    check_url(&r.source).map_err(|why| invalid(format!("source: {why}")))?;
    for u in &r.see_also {
        check_url(u).map_err(|why| invalid(format!("see_also: {why}")))?;
    }
    match &r.note {
        Some(n) if n.trim().is_empty() => return Err(invalid("empty note".into())),
        Some(n) if n.trim_end().ends_with('.') => {
            return Err(invalid("note ends with a period".into()));
        }
        _ => {}
    }
    Ok(Entry {
        defaults: ProviderDefaults {
            id: r.id,
            provider,
            system,
            engines: r.engines,
            versions,
            settings,
            formulas,
            same: r.same,
            source: r.source,
            see_also: r.see_also,
            note: r.note,
        },
        ranges,
    })
}

/// An https URL with a host and without blanks.
fn check_url(url: &str) -> Result<(), String> {
    let host = url.strip_prefix("https://").unwrap_or("");
    if host.is_empty() || host.starts_with('/') || url.chars().any(char::is_whitespace) {
        return Err(format!("`{url}` is not an https URL"));
    }
    Ok(())
}

/// The validated table, loaded once. Empty if the embedded file is invalid
/// (a build defect the unit tests catch; never a panic).
fn catalogue() -> &'static [Entry] {
    static CATALOGUE: OnceLock<Vec<Entry>> = OnceLock::new();
    CATALOGUE.get_or_init(|| parse(FILE).unwrap_or_default())
}

/// Every entry of the table, in (provider, id) order.
pub fn all() -> Vec<ProviderDefaults> {
    catalogue().iter().map(|e| e.defaults.clone()).collect()
}

/// The numbers at the start of `text` (`8.0.mysql_aurora.3` -> `8.0`), or
/// `None` when it does not start with a digit or a component overflows.
fn leading_version(text: &str) -> Option<Version> {
    let t = text.trim();
    let end = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let head = t[..end].trim_end_matches('.');
    let parts: Vec<&str> = head.split('.').take(4).collect();
    if parts.first().is_none_or(|p| p.is_empty()) {
        return None;
    }
    parts
        .iter()
        .map(|p| if p.is_empty() { None } else { p.parse().ok() })
        .collect()
}

/// The defaults `provider` applies to `engine` at `version`, if the table
/// has an entry for them.
///
/// `engine` is the engine name as Terraform or CloudFormation write it
/// (`postgres`, `aurora-postgresql`, `mysql`, `mariadb`, `aurora-mysql`;
/// case ignored), or for Cloud SQL a `database_version` (`POSTGRES_15`,
/// `MYSQL_8_0`). `version` is the engine version as written (`15.4`,
/// `8.0.mysql_aurora.3.05.2`, `15`); see the module documentation for how
/// it is matched. `None` when nothing answers: the upstream defaults apply
/// as far as this table knows.
pub fn lookup(provider: Provider, engine: &str, version: Option<&str>) -> Option<ProviderDefaults> {
    lookup_in(catalogue(), provider, engine, version).map(|e| e.defaults.clone())
}

fn lookup_in<'a>(
    entries: &'a [Entry],
    provider: Provider,
    engine: &str,
    version: Option<&str>,
) -> Option<&'a Entry> {
    let engine = engine.trim().to_ascii_lowercase();
    let (engine, from_name) = match engine.split_once('_') {
        Some((head, rest))
            if provider == Provider::GcpCloudSql
                && rest.bytes().next().is_some_and(|b| b.is_ascii_digit()) =>
        {
            (head.to_string(), Some(rest.replace('_', ".")))
        }
        _ => (engine, None),
    };
    let version = version.map(str::to_string).or(from_name);
    let parsed = version.as_deref().and_then(leading_version);
    entries
        .iter()
        .filter(|e| e.defaults.provider == provider && e.defaults.engines.contains(&engine))
        .find(|e| match &parsed {
            Some(v) => {
                let hi = next_line(v);
                e.ranges.iter().any(|r| r.holds(v, hi.as_deref()))
            }
            None => e.ranges.contains(&Range::all()),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::systems::{mysql, postgres};

    #[test]
    fn the_table_loads() {
        let table = load().unwrap_or_else(|e| panic!("{e}"));
        assert!(!table.is_empty());
        assert_eq!(all().len(), table.len());
        for d in &table {
            assert!(d.source.starts_with("https://"), "{}", d.id);
            // A formula never holds a number.
            for (_, f) in &d.formulas {
                assert!(f.parse::<f64>().is_err(), "{}: {f}", d.id);
            }
        }
    }

    #[test]
    fn lookup_finds_the_documented_entries() {
        let rds_pg = lookup(Provider::AwsRds, "postgres", Some("15.4"))
            .unwrap_or_else(|| panic!("no RDS PostgreSQL entry"));
        assert_eq!(rds_pg.id, "aws-rds-postgres");
        assert!(
            rds_pg
                .settings
                .contains(&("tcp_keepalives_idle".into(), "300".into()))
        );
        assert!(
            rds_pg
                .settings
                .contains(&("tcp_keepalives_count".into(), "2".into()))
        );
        assert_eq!(
            rds_pg.formulas,
            vec![(
                "max_connections".to_string(),
                "LEAST({DBInstanceClassMemory/9531392},5000)".to_string()
            )]
        );
        assert!(
            rds_pg
                .formula_reason(&rds_pg.formulas[0].1)
                .starts_with("an RDS formula")
        );
        let cases: &[(Provider, &str, Option<&str>, Option<&str>)] = &[
            (Provider::AwsRds, "POSTGRES", None, Some("aws-rds-postgres")),
            (
                Provider::AwsRds,
                "mysql",
                Some("8.0.35"),
                Some("aws-rds-mysql"),
            ),
            (
                Provider::AwsRds,
                "mariadb",
                Some("10.11"),
                Some("aws-rds-mysql"),
            ),
            (
                Provider::AwsRds,
                "aurora-mysql",
                Some("8.0.mysql_aurora.3.05.2"),
                Some("aws-aurora-mysql"),
            ),
            (
                Provider::AwsRds,
                "aurora-postgresql",
                Some("16.1"),
                Some("aws-aurora-postgres"),
            ),
            (
                Provider::AzureFlexible,
                "postgresql_flexible_server",
                Some("16"),
                Some("azure-flexible-postgres"),
            ),
            // rejected: another provider, an unknown engine, a Cloud SQL
            // version on AWS
            (Provider::AzureFlexible, "aurora-postgresql", None, None),
            (Provider::AzureFlexible, "flexible_server", None, None),
            (Provider::AzureFlexible, "mysql", None, None),
            (Provider::AwsRds, "oracle-ee", Some("19"), None),
            (Provider::AwsRds, "", None, None),
            (Provider::AwsRds, "POSTGRES_15", None, None),
            (
                Provider::GcpCloudSql,
                "POSTGRES_15",
                None,
                Some("gcp-cloud-sql-postgres"),
            ),
            (
                Provider::GcpCloudSql,
                "MYSQL_8_0",
                None,
                Some("gcp-cloud-sql-mysql"),
            ),
            (Provider::GcpCloudSql, "SQLSERVER_2019_STANDARD", None, None),
        ];
        for (p, engine, version, want) in cases {
            let got = lookup(*p, engine, *version).map(|d| d.id);
            assert_eq!(got.as_deref(), *want, "{p:?} {engine} {version:?}");
        }
    }

    #[test]
    fn versions_and_cloud_sql_names() {
        assert_eq!(leading_version("15"), Some(vec![15]));
        assert_eq!(leading_version("8.0.mysql_aurora.3.05.2"), Some(vec![8, 0]));
        assert_eq!(leading_version("v15"), None);
        assert_eq!(leading_version(""), None);
        assert_eq!(leading_version("99999999999"), None);
        let table = "[[provider]]\nid = \"g\"\nprovider = \"gcp-cloud-sql\"\nsystem = \"postgres\"\nengines = [\"postgres\"]\nversions = \">=14\"\nsettings = { tcp_keepalives_idle = \"60\" }\nsource = \"https://cloud.google.com/x\"\n";
        let entries = parse(table).unwrap_or_else(|e| panic!("{e}"));
        let find = |engine: &str, version: Option<&str>| {
            lookup_in(&entries, Provider::GcpCloudSql, engine, version).is_some()
        };
        assert!(find("POSTGRES_15", None));
        assert!(!find("POSTGRES_13", None));
        assert!(!find("POSTGRES", None));
        assert!(find("postgres", Some("16.2")));
        assert!(find("POSTGRES_15", Some("16")), "an explicit version wins");
        assert!(lookup_in(&entries, Provider::AwsRds, "POSTGRES_15", None).is_none());
    }

    #[test]
    fn validation_rejects_bad_entries() {
        let entry = |id: &str,
                     provider: &str,
                     system: &str,
                     engines: &str,
                     versions: &str,
                     settings: &str| {
            format!(
                "[[provider]]\nid = \"{id}\"\nprovider = \"{provider}\"\nsystem = \"{system}\"\nengines = {engines}\nversions = {versions}\nsettings = {{ {settings} }}\nsource = \"https://docs.example.org/p\"\nnote = \"checked\"\n"
            )
        };
        let ok = entry(
            "a",
            "aws-rds",
            "mysql",
            "[\"mysql\"]",
            "\"*\"",
            "wait_timeout = \"600\", max_connections = { formula = \"{DBInstanceClassMemory/12582880}\" }",
        );
        assert!(parse(&ok).is_ok(), "{:?}", parse(&ok).err());
        let good = [
            entry(
                "b",
                "azure-flexible",
                "postgres",
                "[\"flexible_server\"]",
                "[\"12\", \">=14\"]",
                "tcp_keepalives_idle = \"120\"",
            ),
            entry(
                "c",
                "gcp-cloud-sql",
                "postgres",
                "[\"postgres\"]",
                "\"15\"",
                "idle_session_timeout = \"5min\"",
            ),
            entry("d", "aws-rds", "postgres", "[\"postgres\"]", "\"*\"", ""),
            format!(
                "{ok}{}",
                entry("e", "aws-rds", "mysql", "[\"mariadb\"]", "\"*\"", "")
            ),
            format!(
                "{ok}{}",
                entry("f", "gcp-cloud-sql", "mysql", "[\"mysql\"]", "\"*\"", "")
            ),
            format!("{ok}same = [\"connect_timeout\"]\n"),
        ];
        for text in good {
            assert!(
                parse(&text).is_ok(),
                "refused:\n{text}\n{:?}",
                parse(&text).err()
            );
        }
        let bad = [
            // ids, providers, systems, engines
            entry("A", "aws-rds", "mysql", "[\"mysql\"]", "\"*\"", ""),
            entry("", "aws-rds", "mysql", "[\"mysql\"]", "\"*\"", ""),
            entry("a", "aws", "mysql", "[\"mysql\"]", "\"*\"", ""),
            entry("a", "aws-rds", "pgbouncer", "[\"mysql\"]", "\"*\"", ""),
            entry("a", "aws-rds", "mysql", "[]", "\"*\"", ""),
            entry("a", "aws-rds", "mysql", "[\"MySQL\"]", "\"*\"", ""),
            entry("a", "aws-rds", "mysql", "[\"\"]", "\"*\"", ""),
            // versions
            entry("a", "aws-rds", "mysql", "[\"mysql\"]", "\">8\"", ""),
            entry("a", "aws-rds", "mysql", "[\"mysql\"]", "[]", ""),
            entry(
                "a",
                "aws-rds",
                "mysql",
                "[\"mysql\"]",
                "[\"8\", \"8.0\"]",
                "",
            ),
            // settings, values, formulas
            entry(
                "a",
                "aws-rds",
                "mysql",
                "[\"mysql\"]",
                "\"*\"",
                "innodb_buffer_pool_size = \"1G\"",
            ),
            entry(
                "a",
                "aws-rds",
                "mysql",
                "[\"mysql\"]",
                "\"*\"",
                "wait_timeout = \"ten\"",
            ),
            entry(
                "a",
                "aws-rds",
                "mysql",
                "[\"mysql\"]",
                "\"*\"",
                "wait_timeout = \"-1\"",
            ),
            entry(
                "a",
                "aws-rds",
                "mysql",
                "[\"mysql\"]",
                "\"*\"",
                "wait_timeout = 600",
            ),
            entry(
                "a",
                "aws-rds",
                "postgres",
                "[\"postgres\"]",
                "\"*\"",
                "max_connections = \"100ms\"",
            ),
            entry(
                "a",
                "aws-rds",
                "postgres",
                "[\"postgres\"]",
                "\"*\"",
                "tcp_keepalives_idle = \"5 fortnights\"",
            ),
            entry(
                "a",
                "aws-rds",
                "mysql",
                "[\"mysql\"]",
                "\"*\"",
                "max_connections = { formula = \" \" }",
            ),
            entry(
                "a",
                "aws-rds",
                "mysql",
                "[\"mysql\"]",
                "\"*\"",
                "max_connections = { formula = \"1000\" }",
            ),
            entry(
                "a",
                "aws-rds",
                "mysql",
                "[\"mysql\"]",
                "\"*\"",
                "max_connections = { formula = \"x\", unit = \"s\" }",
            ),
            entry(
                "a",
                "aws-rds",
                "mysql",
                "[\"mysql\"]",
                "\"*\"",
                "tcp_keepalives_idle = \"300\"",
            ),
            format!("{ok}same = [\"wait_timeout\"]\n"),
            format!("{ok}same = [\"statement_timeout\"]\n"),
            // sources and notes
            ok.replace("https://docs.example.org/p", "http://docs.example.org/p"),
            ok.replace("https://docs.example.org/p", "https://"),
            ok.replace("https://docs.example.org/p", "https://exa mple.org"),
            ok.replace("note = \"checked\"", "note = \"checked.\""),
            ok.replace("note = \"checked\"", "note = \" \""),
            format!("{ok}colour = \"red\"\n"),
            // duplicates and overlaps
            format!(
                "{ok}{}",
                entry("a", "aws-rds", "mysql", "[\"mariadb\"]", "\"*\"", "")
            ),
            format!(
                "{ok}{}",
                entry(
                    "z",
                    "aws-rds",
                    "mysql",
                    "[\"mariadb\", \"mysql\"]",
                    "\"8.0\"",
                    ""
                )
            ),
            String::from("[[provider]]\nid = \"x\"\n"),
            String::from("not toml ["),
        ];
        for text in bad {
            assert!(parse(&text).is_err(), "accepted:\n{text}");
        }
    }

    /// Every entry's settings go through its system's door without a
    /// diagnostic, and every formula, given as `Written::Unresolved`, comes
    /// out as an unresolved-value report naming it (never a number).
    #[test]
    fn every_door_reads_the_table() {
        use crate::rules::codes;
        use crate::source::{Location, SourceMap, Span};
        use crate::sources::{Assignment, SetBy, Written};
        use std::time::Duration;
        for d in all() {
            let mut sources = SourceMap::new(None);
            let pairs: Vec<(String, Written, usize)> =
                d.settings
                    .iter()
                    .map(|(n, v)| (n.clone(), Written::Text(v.clone()), v.len()))
                    .chain(d.formulas.iter().map(|(n, f)| {
                        (n.clone(), Written::Unresolved(d.formula_reason(f)), f.len())
                    }))
                    .collect();
            let text: String = d
                .settings
                .iter()
                .chain(&d.formulas)
                .map(|(n, v)| format!("{n}={v}\n"))
                .collect();
            let id = sources.add(std::path::Path::new("provider.conf"), text);
            let mut at = 0;
            let assignments: Vec<Assignment> = pairs
                .into_iter()
                .map(|(n, value, len)| {
                    let loc = |s: usize, l: usize| Location::new(id, Span::new(s, s + l));
                    let a = Assignment {
                        name: n.clone(),
                        name_at: loc(at, n.len()),
                        value,
                        value_at: loc(at + n.len() + 1, len),
                        set_by: SetBy::ParameterGroup,
                    };
                    at += n.len() + len + 2;
                    a
                })
                .collect();
            let anchor = Location::new(id, Span::new(0, 0));
            let mut diags = Vec::new();
            match d.system {
                System::Mysql => {
                    mysql::resolve(&assignments, None, Some(anchor), &mut sources, &mut diags);
                }
                System::Postgres => {
                    let s = postgres::resolve(
                        &assignments,
                        None,
                        Some(anchor),
                        &mut sources,
                        &mut diags,
                    );
                    if d.id == "aws-rds-postgres" || d.id == "aws-aurora-postgres" {
                        assert_eq!(s.tcp_keepalives_idle.value, Duration::from_secs(300));
                        assert_eq!(s.tcp_keepalives_interval.value, Duration::from_secs(30));
                        assert_eq!(s.tcp_keepalives_count.value, 2);
                    }
                }
                System::PgBouncer => unreachable!("the table holds no PgBouncer entry"),
            }
            assert_eq!(diags.len(), d.formulas.len(), "{}: {diags:?}", d.id);
            for (diag, (name, _)) in diags.iter().zip(&d.formulas) {
                assert_eq!(diag.code, codes::UNRESOLVED_SETTING_VALUE, "{}", d.id);
                assert!(diag.message.contains(name.as_str()), "{}", diag.message);
            }
            if d.provider == Provider::AwsRds && !d.formulas.is_empty() {
                assert!(
                    diags.iter().all(|x| x.message.contains("an RDS formula")),
                    "{diags:?}"
                );
            }
        }
    }

    #[test]
    fn lookup_never_panics() {
        let long = "9".repeat(100);
        let inputs = [
            "",
            "_",
            "__",
            "postgres_",
            "POSTGRES__15",
            "MYSQL_8_0_",
            "é",
            "\u{0}",
            "..",
            ".1",
            "1..2",
            &long,
        ];
        for p in [
            Provider::AwsRds,
            Provider::GcpCloudSql,
            Provider::AzureFlexible,
        ] {
            for e in inputs {
                for v in inputs {
                    let _ = lookup(p, e, Some(v));
                    let _ = lookup(p, v, None);
                }
            }
        }
    }
}
