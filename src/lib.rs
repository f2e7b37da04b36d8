//! timeoutlint: checks that the timeouts along a database connection path agree.
//!
//! Data flows one way: read files ([`source`]) -> parse syntax with spans
//! ([`parse`]) -> per-system semantics, units and documented defaults
//! ([`systems`]) -> the connection-path model with provenance ([`model`]) ->
//! rules ([`rules`]) -> [`diagnostic::Diagnostic`]s -> one sort -> renderers
//! ([`report`]). Rules never see raw text; renderers never see the model.

pub mod autofix;
pub mod baseline;
pub mod classify;
pub mod cli;
pub mod code;
pub mod config;
pub mod deploy;
pub mod diagnostic;
pub mod discover;
pub mod env;
pub mod manifest;
pub mod model;
pub mod parse;
pub mod provenance;
pub mod report;
pub mod rules;
pub mod run;
pub mod secrets;
pub mod server;
pub mod source;
pub mod sources;
pub mod suppress;
pub mod systems;
#[cfg(test)]
mod test_support;
pub mod units;
