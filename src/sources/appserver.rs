//! App-server configs: uWSGI ini files and Procfiles, for the worker
//! processes, threads and request deadline of an app.
//!
//! # Files and addresses
//!
//! - `*.ini` (`uwsgi.ini`): the `[uwsgi]` section, the section uWSGI reads
//!   by default (https://uwsgi-docs.readthedocs.io/en/latest/Configuration.html#ini-files).
//!   Keys `processes` / `workers`, `threads`, `harakiri`
//!   (https://uwsgi-docs.readthedocs.io/en/latest/Options.html); a later
//!   key replaces an earlier one. uWSGI reads numbers with `atoi`, so a
//!   value is its leading digits (`600   ; comment` is 600); a value not
//!   starting with a digit (a `%(placeholder)` or `$(ENV)`) is not read.
//!   `http-timeout` is the HTTP router's, not a worker's deadline: not read.
//!   Address: `uwsgi`.
//! - Procfiles (any other file name, e.g. `Procfile`): lines
//!   `type: command` (`^[A-Za-z0-9_-]+:`, as Heroku and foreman read
//!   them: https://devcenter.heroku.com/articles/procfile); a command
//!   running gunicorn or uWSGI (also after `&&`, a wrapper, `python -m`)
//!   has its worker flags read as in compose commands. Other lines are
//!   ignored, as those tools ignore them. A type defined twice: the last
//!   definition (addresses stay unique). Address: the process type (`web`).
//! - `gunicorn.conf.py` and other `.py` configs are Python: not read here
//!   (left for the Python reader); [`claims`] is false for them and
//!   [`read`] yields nothing without reading them.
//!
//! Each address yields one [`Found::Workers`] when at least one count or
//! deadline is written. Defaults (gunicorn's 1 worker, 30 s timeout) are
//! not filled in: that is the resolver's business.

use std::path::Path;

use crate::diagnostic::Diagnostic;
use crate::source::{LoadError, Location, SourceMap, Span};
use crate::sources::compose::{AppServer, Traced, find_app_server, split_words, worker_flags, worker_option};
use crate::sources::{Candidate, Found, Workers};

/// True for the files [`read`] understands: `*.ini` and Procfiles
/// (`Procfile`, `Procfile.dev`, `*__Procfile`); false for Python configs.
pub fn claims(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name.ends_with(".ini") || name.starts_with("Procfile") || name.ends_with("Procfile")
}

/// Reads the app-server config `path` (see the module doc).
///
/// Errors: [`LoadError`] when `path` cannot be read. Nothing in these files
/// is reported as a syntax error (uWSGI and Procfile readers skip what
/// they do not understand); `diags` is kept for the common adapter shape.
pub fn read(
    path: &Path,
    sources: &mut SourceMap,
    _diags: &mut Vec<Diagnostic>,
) -> Result<Vec<Candidate>, LoadError> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if name.ends_with(".py") {
        return Ok(Vec::new());
    }
    let id = sources.load(path)?;
    let text = sources.get(id).text().to_string();
    let file = id;
    let mut out = Vec::new();
    if name.ends_with(".ini") {
        let mut in_uwsgi = false;
        let mut header = None;
        let mut workers = Workers::default();
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            let at = offset;
            offset += line.len();
            let body = line.trim_end_matches(['\n', '\r']);
            let lead = body.len() - body.trim_start().len();
            let t = body.trim();
            if t.starts_with('[') {
                let section = t.trim_start_matches('[').split(']').next().unwrap_or("").trim();
                in_uwsgi = section == "uwsgi";
                if in_uwsgi && header.is_none() {
                    header = Some(Location::new(file, Span::new(at + lead, at + lead + t.len())));
                }
                continue;
            }
            if !in_uwsgi || t.starts_with(';') || t.starts_with('#') {
                continue;
            }
            let Some(eq) = body.find('=') else { continue };
            let key = body[..eq].trim();
            let vstart = eq + 1 + (body[eq + 1..].len() - body[eq + 1..].trim_start().len());
            let digits = body[vstart..].bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                continue;
            }
            let value = Traced::raw(file, &text, Span::new(at + vstart, at + vstart + digits));
            worker_option(AppServer::Uwsgi, key, &value, &mut workers);
        }
        if let Some(at) = header {
            if workers != Workers::default() {
                out.push(Candidate {
                    address: "uwsgi".to_string(),
                    at,
                    found: Found::Workers(workers),
                });
            }
        }
        return Ok(out);
    }
    // A Procfile.
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let at = offset;
        offset += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        let Some(colon) = body.find(':') else { continue };
        let kind = &body[..colon];
        if kind.is_empty()
            || !kind
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            continue;
        }
        let cmd = Traced::raw(file, &text, Span::new(at + colon + 1, at + body.len()));
        let mut workers = Workers::default();
        if let Some((server, rest)) = find_app_server(&split_words(&cmd)) {
            worker_flags(server, &rest, &mut workers);
        }
        out.retain(|c: &Candidate| c.address != kind);
        if workers != Workers::default() {
            out.push(Candidate {
                address: kind.to_string(),
                at: Location::new(file, Span::new(at, at + colon)),
                found: Found::Workers(workers),
            });
        }
    }
    Ok(out)
}
