//! Reading postgresql.conf (with includes and postgresql.auto.conf) and
//! `SHOW ALL` / `pg_settings` dumps.

use std::path::Path;

use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::parse::pgconf::{self, DumpShape, IncludeKind, Item};
use crate::rules::codes;
use crate::source::{FileId, LoadError, Location, SourceMap, Span};
use crate::systems::include::{self, Directive, Follower, Host, Parts, Words};

use super::apply::ValueRef;
use super::conninfo::conninfo_secrets;
use super::settings::{Values, finish};
use super::{MAX_FILE_READS, MAX_INCLUDE_DEPTH, PostgresInput, PostgresServer};

/// Reads postgresql.conf at `path` (following includes, then
/// postgresql.auto.conf beside it) or a `SHOW ALL` / `pg_settings` CSV dump.
///
/// Errors: [`LoadError`] only when `path` itself cannot be read. Problems
/// inside files become diagnostics: [`codes::SYNTAX_ERROR`] (a line the
/// server's lexer rejects), [`codes::INVALID_VALUE`] (bad number, unit or
/// range; the occurrence is ignored), [`codes::INCLUDE_UNREADABLE`] (missing
/// `include` target or `include_dir` folder, empty path, include cycle,
/// nesting deeper than 10; located at the directive's path), and
/// [`codes::BARE_TIMEOUT_IN_MILLISECONDS`] (warning).
pub fn load_postgres(
    path: &Path,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Result<PostgresServer, LoadError> {
    let root = sources.load(path)?;
    let mark = diags.len();
    let mut loader = Loader {
        sources,
        diags,
        values: Default::default(),
        follow: Follower::new(&INCLUDES).with_files(vec![root]),
    };
    let text = loader.sources.get(root).text().to_string();
    let input = match pgconf::lex_dump(&text) {
        Some((shape, rows)) => {
            loader.read_dump(root, rows);
            match shape {
                DumpShape::Table => PostgresInput::SettingsTable,
                DumpShape::Csv => PostgresInput::SettingsCsv,
            }
        }
        None => {
            loader.read(root, 0);
            (loader.follow).check_named(loader.diags, mark, root, loader.sources)?;
            loader.read_auto_conf(root);
            PostgresInput::ConfFile
        }
    };
    let anchor = Some(Location::new(root, Span::new(0, 0)));
    let values = std::mem::take(&mut loader.values);
    Ok(finish(values, anchor, loader.follow.take_files(), input))
}

pub(super) struct Loader<'a> {
    pub(super) sources: &'a mut SourceMap,
    pub(super) diags: &'a mut Vec<Diagnostic>,
    /// Last valid value of each modelled setting, in its base unit, by name.
    pub(super) values: Values,
    /// Includes: files read, cycle guard, budget.
    pub(super) follow: Follower,
}

/// How postgres follows `include`, `include_if_exists` and `include_dir`
/// (`ParseConfigFile`, `ParseConfigDirectory` in `guc-file.l`).
pub(super) static INCLUDES: include::Rules = include::Rules {
    kind: "a postgresql.conf",
    looks_bad: None,
    max_depth: MAX_INCLUDE_DEPTH,
    max_reads: MAX_FILE_READS,
    unreadable_help: |d| include_help(d.written, d.name == "include"),
    too_deep: |d| Words {
        message: format!(
            "`{} '{}'` is not read: includes nest deeper than {MAX_INCLUDE_DEPTH} levels",
            d.name, d.written
        ),
        label: "not read",
        severity: Severity::Error,
        help: Some("the server stops with \"maximum nesting depth exceeded\"".to_string()),
    },
    cycle: |d, shown| Words {
        message: format!(
            "`{}` of `{shown}` forms an include cycle; not followed",
            d.name
        ),
        label: "cycle",
        severity: Severity::Error,
        help: Some(
            "the server refuses to start (\"configuration file recursion\" or \
             \"maximum nesting depth exceeded\"); remove the directive"
                .to_string(),
        ),
    },
};

impl Host for Loader<'_> {
    type Read = ();

    fn parts(&mut self) -> Parts<'_> {
        Parts {
            follower: &mut self.follow,
            sources: self.sources,
            diags: self.diags,
        }
    }

    fn read_included(&mut self, id: FileId, depth: usize) {
        self.read(id, depth);
    }
}

impl Loader<'_> {
    pub(super) fn emit(&mut self, report: bool, d: Diagnostic) {
        if report {
            self.diags.push(d);
        }
    }

    fn read_dump(&mut self, id: FileId, rows: Vec<pgconf::DumpRow>) {
        for r in &rows {
            if r.name == "primary_conninfo" {
                self.redact_conninfo(id, r.setting_span);
            }
        }
        for r in rows {
            let text = match r.unit.as_deref() {
                Some(u) if !u.is_empty() => format!("{}{u}", r.setting),
                _ => r.setting.clone(),
            };
            self.apply(
                true,
                &r.name,
                ValueRef {
                    text: &text,
                    at: Location::new(id, r.setting_span),
                    dump: true,
                },
            );
        }
    }

    /// Reads postgresql.auto.conf beside the named file, if it exists.
    fn read_auto_conf(&mut self, root: FileId) {
        let Some(dir) = self.sources.get(root).path().parent() else {
            return;
        };
        let auto = dir.join("postgresql.auto.conf");
        if !auto.is_file() {
            return;
        }
        match self.sources.load(&auto) {
            Ok(id) if id == root => {}
            Ok(id) => self.read(id, 0),
            Err(e) => {
                let reason = e.reason().to_string();
                let shown = self.sources.display_name(&auto);
                self.diags.push(
                    Diagnostic::new(
                        codes::INCLUDE_UNREADABLE,
                        format!(
                            "cannot read `{shown}`: {reason}; its ALTER SYSTEM settings are not checked"
                        ),
                        Label::at(Location::new(root, Span::new(0, 0)), "read after this file"),
                    )
                    .with_severity(Severity::Warning),
                );
            }
        }
    }

    /// Reads file `id` at include depth `depth` (the named file is 0).
    fn read(&mut self, id: FileId, depth: usize) {
        let report = self.follow.enter(id, self.sources, self.diags);
        let text = self.sources.get(id).text().to_string();
        let items = pgconf::lex(&text);
        for item in &items {
            if let Item::Setting { name, value, .. } = item
                && name == "primary_conninfo"
            {
                self.redact_conninfo(id, value.span);
            }
            // A line that does not lex (an unterminated quote) may still hold
            // a password: scan the whole line.
            if let Item::Error { span, .. } = item {
                let start = text[..span.start.min(text.len())]
                    .rfind('\n')
                    .map_or(0, |i| i + 1);
                let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
                for s in crate::secrets::secret_spans_in_text(&text[start..end]) {
                    self.sources
                        .get_mut(id)
                        .mark_secret(Span::new(start + s.start, start + s.end));
                }
            }
        }
        for item in items {
            match item {
                Item::Setting { name, value, .. } => {
                    let value = ValueRef {
                        text: &value.text,
                        at: Location::new(id, value.span),
                        dump: false,
                    };
                    self.apply(report, &name, value);
                }
                Item::Include {
                    kind,
                    path,
                    path_span,
                    ..
                } => self.include(id, depth, report, kind, &path, path_span),
                Item::Error {
                    span,
                    message,
                    help,
                } => {
                    let mut d = Diagnostic::new(
                        codes::SYNTAX_ERROR,
                        message,
                        Label::at(Location::new(id, span), "syntax error"),
                    );
                    d.help = Some(match help {
                        Some(h) => format!("{h}; the server refuses to start with this line"),
                        None => "the server refuses to start with this line".to_string(),
                    });
                    self.emit(report, d);
                }
            }
        }
        self.follow.leave();
    }

    /// Marks `password=...` values and URI passwords inside a conninfo value
    /// as secret spans.
    fn redact_conninfo(&mut self, id: FileId, span: Span) {
        let raw = self.sources.get(id).slice(span).to_string();
        for (s, e) in conninfo_secrets(&raw) {
            self.sources
                .get_mut(id)
                .mark_secret(Span::new(span.start + s, span.start + e));
        }
    }

    fn include(
        &mut self,
        id: FileId,
        depth: usize,
        report: bool,
        kind: IncludeKind,
        path: &str,
        path_span: Span,
    ) {
        let d = Directive {
            name: kind.directive(),
            written: path,
            at: Location::new(id, path_span),
            depth,
            report,
            optional: kind == IncludeKind::IfExists,
        };
        if path.trim_matches([' ', '\t', '\r', '\n']).is_empty() {
            self.emit(
                report,
                Diagnostic::new(
                    codes::INCLUDE_UNREADABLE,
                    format!("`{}` names an empty path", d.name),
                    Label::at(d.at, "empty path"),
                )
                .with_help(
                    "name a file (or a folder for include_dir); the server refuses to start",
                ),
            );
            return;
        }
        if include::too_deep(self, &d) {
            return;
        }
        let target = include::beside(self.sources, id, path);
        match kind {
            IncludeKind::File | IncludeKind::IfExists => {
                include::follow(self, &d, &target);
            }
            IncludeKind::Dir => {
                include::follow_dir(self, &d, &target, |name| {
                    name.len() >= 6 && !name.starts_with('.') && name.ends_with(".conf")
                });
            }
        }
    }
}

/// The help of an include that cannot be read; `plain` for `include`, whose
/// missing target `include_if_exists` would skip.
fn include_help(written: &str, plain: bool) -> String {
    let optional = if plain {
        " (include_if_exists skips a missing file)"
    } else {
        ""
    };
    if Path::new(written).is_absolute() {
        format!(
            "`{written}` is an absolute path on the server host; check it there, or lint a \
             copy of the whole config tree; the server refuses to start without it{optional}"
        )
    } else {
        format!(
            "`{written}` is resolved from the including file's folder; the server refuses \
             to start without it{optional}"
        )
    }
}
