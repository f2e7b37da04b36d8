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
use crate::sources::argv::traced::{Traced, split_words};
use crate::sources::argv::{AppServer, find_app_server, worker_flags, worker_option};
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
                let section = t
                    .trim_start_matches('[')
                    .split(']')
                    .next()
                    .unwrap_or("")
                    .trim();
                in_uwsgi = section == "uwsgi";
                if in_uwsgi && header.is_none() {
                    header = Some(Location::new(
                        file,
                        Span::new(at + lead, at + lead + t.len()),
                    ));
                }
                continue;
            }
            if !in_uwsgi || t.starts_with(';') || t.starts_with('#') {
                continue;
            }
            let Some(eq) = body.find('=') else { continue };
            let key = body[..eq].trim();
            let vstart = eq + 1 + (body[eq + 1..].len() - body[eq + 1..].trim_start().len());
            let digits = body[vstart..]
                .bytes()
                .take_while(u8::is_ascii_digit)
                .count();
            if digits == 0 {
                continue;
            }
            let value = Traced::raw(file, &text, Span::new(at + vstart, at + vstart + digits));
            worker_option(AppServer::Uwsgi, key, &value, &mut workers);
        }
        if let Some(at) = header
            && workers != Workers::default()
        {
            out.push(Candidate {
                address: "uwsgi".to_string(),
                at,
                found: Found::Workers(workers),
            });
        }
        return Ok(out);
    }
    // A Procfile.
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let at = offset;
        offset += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        let Some(colon) = body.find(':') else {
            continue;
        };
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{DEFAULT_MAX_FILE_SIZE, ReadPolicy};

    fn read_text(name: &str, text: &str) -> (Vec<Candidate>, SourceMap) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let mut sources = SourceMap::new(Some(dir.path().to_path_buf()))
            .with_policy(ReadPolicy::new(Some(dir.path()), DEFAULT_MAX_FILE_SIZE));
        let cands = read(&path, &mut sources, &mut Vec::new()).unwrap();
        (cands, sources)
    }

    fn workers(c: &Candidate) -> &Workers {
        match &c.found {
            Found::Workers(w) => w,
            other => panic!("{other:?}"),
        }
    }

    /// `(line, column, text)` of a location.
    fn at(sources: &SourceMap, loc: Location) -> (usize, usize, String) {
        let r = sources.resolve(loc);
        (
            r.start.line,
            r.start.column,
            sources.text_at(loc).to_string(),
        )
    }

    #[test]
    fn uwsgi_ini_counts_and_deadline() {
        let text = "[uwsgi]\nprocesses = 4 ; at most\nthreads=2\nharakiri = 600                ; kill after\nhttp-timeout = 30\n[other]\nprocesses = 99\n[uwsgi]\nworkers = 8\nthreads = %(t)\n";
        let (cands, sources) = read_text("uwsgi.ini", text);
        assert_eq!(cands.len(), 1);
        assert_eq!(cands[0].address, "uwsgi");
        assert_eq!(at(&sources, cands[0].at), (1, 1, "[uwsgi]".to_string()));
        let w = workers(&cands[0]);
        assert_eq!(w.processes.len(), 1);
        assert_eq!(w.processes[0].0, 8);
        assert_eq!(at(&sources, w.processes[0].1), (9, 11, "8".to_string()));
        assert_eq!(w.threads.map(|t| t.0), Some(2));
        let (n, loc) = w.request_timeout_secs.unwrap();
        assert_eq!(n, 600);
        assert_eq!(at(&sources, loc), (4, 12, "600".to_string()));
        // Nothing to read: no candidate.
        for text in [
            "[uwsgi]\nmaster = true\n",
            "",
            "processes = 4\n",
            "[uwsgi\n=\n[]\n",
        ] {
            assert!(read_text("uwsgi.ini", text).0.is_empty(), "{text:?}");
        }
    }

    #[test]
    fn procfile_types_with_app_servers() {
        let text = concat!(
            "release: python manage.py migrate\n",
            ".listen(process.env.PORT || 5000)\n",
            "web: gunicorn -w 2 app:app\n",
            "python manage.py runserver\n",
            "worker: celery -A app worker --concurrency 4\n",
            "api: python manage.py migrate && gunicorn --workers=3 --threads 4 -t 90 app:app\n",
            "web: gunicorn --workers 5 --timeout 60 app:app\n",
            "uw: uwsgi --processes 2 --harakiri 30\n",
            "bad type: gunicorn -w 9\n",
        );
        let (cands, sources) = read_text("Procfile", text);
        let names: Vec<&str> = cands.iter().map(|c| c.address.as_str()).collect();
        assert_eq!(names, ["api", "web", "uw"]);
        let api = workers(&cands[0]);
        assert_eq!(api.processes[0].0, 3);
        assert_eq!(at(&sources, api.processes[0].1), (6, 53, "3".to_string()));
        assert_eq!(api.threads.map(|t| t.0), Some(4));
        assert_eq!(api.request_timeout_secs.map(|t| t.0), Some(90));
        // The later `web` replaces the earlier one.
        let web = workers(&cands[1]);
        assert_eq!(web.processes[0].0, 5);
        assert_eq!(at(&sources, cands[1].at).0, 7);
        let uw = workers(&cands[2]);
        assert_eq!(
            (uw.processes[0].0, uw.request_timeout_secs.map(|t| t.0)),
            (2, Some(30))
        );
    }

    #[test]
    fn python_configs_are_not_claimed_nor_read() {
        assert!(!claims(Path::new("gunicorn.conf.py")));
        assert!(!claims(Path::new("netbox__gunicorn.py")));
        assert!(claims(Path::new("uwsgi.ini")));
        assert!(claims(Path::new("Procfile")));
        assert!(claims(Path::new("booking-system__Procfile")));
        let (cands, sources) = read_text("gunicorn.conf.py", "workers = 4\ntimeout = 30\n");
        assert!(cands.is_empty());
        assert_eq!(sources.files().count(), 0);
    }
}
