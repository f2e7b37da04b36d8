//! AWS CLI JSON dumps of RDS parameters:
//!
//! - `aws rds describe-db-parameters --db-parameter-group-name G` and
//!   `aws rds describe-db-cluster-parameters --db-cluster-parameter-group-name G`:
//!   `{"Parameters": [{"ParameterName", "ParameterValue", "Source", ...}]}`
//!   (<https://docs.aws.amazon.com/cli/latest/reference/rds/describe-db-parameters.html>,
//!   `.../describe-db-cluster-parameters.html>`);
//! - `aws rds describe-engine-default-parameters --db-parameter-group-family F`
//!   (and the cluster form): `{"EngineDefaults": {"DBParameterGroupFamily": F,
//!   "Parameters": [...]}}`.
//!
//! One server candidate at address `parameters`, located at the
//! `Parameters` key, with one [`SetBy::ParameterGroup`] assignment per row
//! that has a `ParameterValue` (rows without one are parameters the group
//! leaves unset), name and value located at the row's `ParameterName` and
//! `ParameterValue` strings. RDS formulas (`{DBInstanceClassMemory/12582880}`)
//! are [`Written::Unresolved`].
//!
//! `Source` is not kept in the assignment: `user` rows were set on the
//! group, `engine-default` and `system` rows are what RDS itself puts in
//! every group of the family. All are the values the server runs with, so
//! all are handed on as parameter-group assignments; a reader that must tell
//! them apart finds `Source` beside the row in the file.
//!
//! The JSON is read with the project's YAML parser (YAML 1.2 is a superset
//! of JSON), which keeps byte spans; serde_json has none.
//!
//! Which engine: the family when the dump names one (`EngineDefaults`,
//! [`crate::sources::cloudformation::family_system`]); otherwise the
//! parameter names decide, by markers found only in one engine's group:
//! `innodb_*`, `binlog_*`, `wait_timeout`, `max_allowed_packet`,
//! `character_set_server`, `sql_mode` for MySQL/MariaDB; `shared_buffers`,
//! `work_mem`, `wal_*`, `autovacuum*`, `statement_timeout`,
//! `idle_in_transaction_session_timeout`, `tcp_keepalives_idle`,
//! `log_min_duration_statement` for PostgreSQL. A dump with neither (or as
//! many of each) yields nothing; [`read_as`] names the system instead.

use std::path::Path;

use crate::diagnostic::Diagnostic;
use crate::parse::tree::{Node, NodeKind};
use crate::source::{FileId, LoadError, Location, SourceMap};
use crate::sources::cloudformation::family_system;
use crate::sources::embedded::{self, scalar_text};
use crate::sources::{
    Assignment, Candidate, Flavor, Found, ServerSettings, SetBy, System, Written,
};

/// True when a parsed document has the shape of an RDS parameters dump.
pub fn is_dump(doc: &Node) -> bool {
    rows(doc).is_some_and(|r| r.iter().any(|i| i.get("ParameterName").is_some()))
}

/// The `Parameters` list of a dump, either shape.
fn rows(doc: &Node) -> Option<&[Node]> {
    let params = doc
        .get("Parameters")
        .or_else(|| doc.get("EngineDefaults").and_then(|e| e.get("Parameters")))?;
    match &params.kind {
        NodeKind::Seq(items) => Some(items),
        _ => None,
    }
}

/// Reads the dump at `path`, inferring the engine (see the module doc).
///
/// Errors: [`LoadError`] only when `path` cannot be read; a file that does
/// not parse is a located diagnostic.
pub fn read(
    path: &Path,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Result<Vec<Candidate>, LoadError> {
    read_as(path, None, sources, diags)
}

/// Reads the dump at `path` as settings of `system` (when given; else
/// inferred as [`read`] does).
///
/// Errors: as [`read`].
pub fn read_as(
    path: &Path,
    system: Option<System>,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Result<Vec<Candidate>, LoadError> {
    let id = sources.load(path)?;
    Ok(read_file(id, system, sources, diags))
}

/// Reads the already loaded file `id` (see [`read_as`]).
pub fn read_file(
    id: FileId,
    system: Option<System>,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Candidate> {
    let Some(docs) = embedded::parse_documents(id, sources, diags) else {
        return Vec::new();
    };
    let text = sources.get(id).text().to_string();
    let mut out = Vec::new();
    for doc in &docs {
        let Some(rows) = rows(doc) else { continue };
        let key = doc
            .entry("Parameters")
            .or_else(|| {
                doc.get("EngineDefaults")
                    .and_then(|e| e.entry("Parameters"))
            })
            .map_or(doc.span, |(k, _)| k.span);
        let family = doc
            .get("EngineDefaults")
            .and_then(|e| e.get("DBParameterGroupFamily"))
            .and_then(|f| Some((scalar_text(&text, f)?, f.span)))
            .and_then(|(f, span)| family_system(&f, Location::new(id, span)));
        let mut assignments = Vec::new();
        for row in rows {
            let (Some(name), Some(value)) = (row.get("ParameterName"), row.get("ParameterValue"))
            else {
                continue;
            };
            let (Some(n), Some(v)) = (name.as_str(), scalar_text(&text, value)) else {
                continue;
            };
            if crate::secrets::is_secret_var_name(n) {
                sources.get_mut(id).mark_secret(value.span);
            }
            let written = if v.contains('{') && v.contains('}') {
                Written::Unresolved(format!(
                    "`{}` is an RDS formula, computed from the instance class at run time",
                    v.trim()
                ))
            } else {
                Written::Text(v)
            };
            assignments.push(Assignment {
                name: n.to_string(),
                name_at: Location::new(id, name.span),
                value: written,
                value_at: Location::new(id, value.span),
                set_by: SetBy::ParameterGroup,
            });
        }
        let (system, flavor): (Option<System>, Option<Flavor>) = match (system, family) {
            (Some(s), f) => (Some(s), f.filter(|(fs, _)| *fs == s).map(|(_, f)| f)),
            (None, Some((s, f))) => (Some(s), Some(f)),
            (None, None) => (infer(&assignments), None),
        };
        let Some(system) = system else { continue };
        out.push(Candidate {
            address: "parameters".to_string(),
            at: Location::new(id, key),
            found: Found::Server(ServerSettings {
                system,
                flavor,
                assignments,
            }),
        });
    }
    embedded::unique_addresses(&mut out);
    out
}

/// The engine whose marker parameters outnumber the other's.
fn infer(assignments: &[Assignment]) -> Option<System> {
    let mysql = |n: &str| {
        n.starts_with("innodb_")
            || n.starts_with("binlog_")
            || matches!(
                n,
                "wait_timeout" | "max_allowed_packet" | "character_set_server" | "sql_mode"
            )
    };
    let postgres = |n: &str| {
        n.starts_with("wal_")
            || n.starts_with("autovacuum")
            || matches!(
                n,
                "shared_buffers"
                    | "work_mem"
                    | "statement_timeout"
                    | "idle_in_transaction_session_timeout"
                    | "tcp_keepalives_idle"
                    | "log_min_duration_statement"
            )
    };
    let m = assignments.iter().filter(|a| mysql(&a.name)).count();
    let p = assignments.iter().filter(|a| postgres(&a.name)).count();
    match m.cmp(&p) {
        std::cmp::Ordering::Greater => Some(System::Mysql),
        std::cmp::Ordering::Less => Some(System::Postgres),
        std::cmp::Ordering::Equal => None,
    }
}

#[cfg(test)]
mod tests;
