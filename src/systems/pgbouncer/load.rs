//! Reading pgbouncer.ini: sections, entries and `%include`.

use std::path::Path;

use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::parse::pgbouncer::{self as ini, Item};
use crate::rules::codes;
use crate::source::{FileId, LoadError, Location, SourceMap, Span};
use crate::systems::include::{self, Directive, Follower, Host, Parts, Words};

use super::settings::{Values, finish, settings};
use super::{Database, MAX_FILE_READS, MAX_INCLUDE_DEPTH, PgBouncer};

/// Reads pgbouncer.ini at `path`, following `%include`.
///
/// Errors: [`LoadError`] only when `path` itself cannot be read. Problems
/// inside files become diagnostics: [`codes::SYNTAX_ERROR`] (lines PgBouncer
/// cannot read, unknown sections, entries before any section, no
/// `[pgbouncer]` section), [`codes::INVALID_VALUE`] (values of modelled
/// settings PgBouncer rejects, with the occurrence ignored; broken connection
/// strings; warnings for negative numbers and for values reset by a later
/// `[pgbouncer]` header), [`codes::INCLUDE_UNREADABLE`] (missing include
/// targets, cycles, nesting deeper than 10).
pub fn load_pgbouncer(
    path: &Path,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Result<PgBouncer, LoadError> {
    let root = sources.load(path)?;
    let mark = diags.len();
    let mut loader = Loader {
        sources,
        diags,
        section: None,
        values: Default::default(),
        anchor: None,
        databases: Vec::new(),
        users: Vec::new(),
        follow: Follower::new(&INCLUDES),
    };
    loader.read(root, 0);
    (loader.follow).check_named(loader.diags, mark, root, loader.sources)?;
    let anchor = loader
        .anchor
        .unwrap_or_else(|| Location::new(root, Span::new(0, 0)));
    if loader.anchor.is_none() {
        loader.diags.push(
            Diagnostic::new(
                codes::SYNTAX_ERROR,
                "no [pgbouncer] section in this configuration",
                Label::at(anchor, "no [pgbouncer] header here or in included files"),
            )
            .with_help(
                "pgbouncer refuses to start (\"main section missing from config file\"); \
                 add a [pgbouncer] header above the settings",
            ),
        );
    }
    let files = loader.follow.take_files();
    Ok(finish(
        loader.values,
        anchor,
        loader.databases,
        loader.users,
        files,
    ))
}

/// The section entries currently belong to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Section {
    Main,
    Databases,
    /// `[users]`: per-user settings, kept for `pool_mode`.
    Users,
    /// `[peers]`: connection strings we only check.
    Other,
    /// A section PgBouncer rejects (already reported).
    Unknown,
}

pub(super) struct Loader<'a> {
    pub(super) sources: &'a mut SourceMap,
    pub(super) diags: &'a mut Vec<Diagnostic>,
    /// None before the first header; carries over across includes.
    pub(super) section: Option<Section>,
    /// Last valid value of each modelled setting since the last
    /// `[pgbouncer]` header, by name.
    pub(super) values: Values,
    /// The last `[pgbouncer]` header read.
    pub(super) anchor: Option<Location>,
    pub(super) databases: Vec<Database>,
    pub(super) users: Vec<Database>,
    /// Includes: files read, cycle guard, budget.
    pub(super) follow: Follower,
}

/// How PgBouncer follows `%include` (`cf_parse_include` in cfparser.c).
pub(super) static INCLUDES: include::Rules = include::Rules {
    kind: "a pgbouncer.ini",
    looks_bad: None,
    max_depth: MAX_INCLUDE_DEPTH,
    max_reads: MAX_FILE_READS,
    unreadable_help: |_| {
        "pgbouncer refuses to start when an included file is missing; it opens \
         a relative name from its working directory, timeoutlint from the \
         including file's folder, so an absolute path avoids the ambiguity"
            .to_string()
    },
    too_deep: |d| Words {
        message: format!(
            "`%include {}` nests deeper than {MAX_INCLUDE_DEPTH} levels",
            d.written
        ),
        label: "not read",
        severity: Severity::Error,
        help: Some(
            "pgbouncer refuses to start (\"include nesting level too deep\"); \
             flatten the includes"
                .to_string(),
        ),
    },
    cycle: |_, shown| Words {
        message: format!("`%include` of `{shown}` forms an include cycle"),
        label: "cycle; not followed",
        severity: Severity::Error,
        help: Some(format!(
            "pgbouncer follows the cycle until includes nest {MAX_INCLUDE_DEPTH} levels \
             deep, then refuses to start; remove the directive"
        )),
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

/// True for a key whose whole value is a secret.
pub(super) fn is_secret_key(key: &str) -> bool {
    key.to_ascii_lowercase().contains("password")
}

impl Loader<'_> {
    pub(super) fn emit(&mut self, report: bool, d: Diagnostic) {
        if report {
            self.diags.push(d);
        }
    }

    /// Reads file `id` at include depth `depth` (the named file is 0).
    fn read(&mut self, id: FileId, depth: usize) {
        let report = self.follow.enter(id, self.sources, self.diags);
        let text = self.sources.get(id).text().to_string();
        let items = ini::lex(&text);
        self.redact(id, &items);
        for item in items {
            self.item(id, depth, report, item);
        }
        self.follow.leave();
    }

    /// Marks every password value of file `id` as a secret span.
    fn redact(&mut self, id: FileId, items: &[Item]) {
        for item in items {
            let Item::Entry {
                key,
                value,
                value_span,
                ..
            } = item
            else {
                continue;
            };
            if is_secret_key(key) {
                self.sources.get_mut(id).mark_secret(*value_span);
                continue;
            }
            let (pairs, err) = ini::lex_connstring(value, value_span.start);
            for p in pairs {
                if is_secret_key(&p.key) {
                    self.sources.get_mut(id).mark_secret(p.value_span);
                }
            }
            if let Some(e) = err
                && e.key.as_deref().is_some_and(is_secret_key)
            {
                self.sources.get_mut(id).mark_secret(e.span);
            }
        }
    }

    fn item(&mut self, id: FileId, depth: usize, report: bool, item: Item) {
        match item {
            Item::Section {
                name,
                name_span,
                span,
            } => self.section(id, report, &name, name_span, span),
            Item::Entry {
                key,
                key_span,
                value,
                value_span,
            } => {
                let key_at = Location::new(id, key_span);
                let value_at = Location::new(id, value_span);
                match self.section {
                    None => self.emit(
                        report,
                        Diagnostic::new(
                            codes::SYNTAX_ERROR,
                            format!("`{key}` appears before any [section] header"),
                            Label::at(key_at, "entry outside a section"),
                        )
                        .with_help(
                            "pgbouncer refuses to start (\"value without section\"); \
                             put settings under [pgbouncer]",
                        ),
                    ),
                    Some(Section::Main) => self.apply(report, &key, key_at, &value, value_at),
                    Some(Section::Databases) => {
                        if let Some(db) = self.connstring(report, &key, key_at, &value, value_at) {
                            match self.databases.iter_mut().find(|d| d.name == db.name) {
                                Some(old) => *old = db,
                                None => self.databases.push(db),
                            }
                        }
                    }
                    Some(Section::Users) => {
                        if let Some(u) = self.connstring(report, &key, key_at, &value, value_at) {
                            match self.users.iter_mut().find(|e| e.name == u.name) {
                                Some(old) => *old = u,
                                None => self.users.push(u),
                            }
                        }
                    }
                    Some(Section::Other) => {
                        let _ = self.connstring(report, &key, key_at, &value, value_at);
                    }
                    Some(Section::Unknown) => {}
                }
            }
            Item::Include {
                path, path_span, ..
            } => self.include(id, depth, report, &path, path_span),
            Item::Error { span, message } => self.emit(
                report,
                Diagnostic::new(
                    codes::SYNTAX_ERROR,
                    message,
                    Label::at(Location::new(id, span), "pgbouncer stops loading here"),
                )
                .with_help(
                    "pgbouncer refuses to start (\"syntax error in configuration\"); \
                     lines are `key = value`, `[section]`, `%include FILE`, or comments \
                     starting with `#` or `;`",
                ),
            ),
        }
    }

    fn section(&mut self, id: FileId, report: bool, name: &str, name_span: Span, span: Span) {
        let at = Location::new(id, span);
        self.section = Some(match name {
            "pgbouncer" => {
                self.reset_values(report, at);
                self.anchor = Some(at);
                Section::Main
            }
            "databases" => Section::Databases,
            "users" => Section::Users,
            "peers" => Section::Other,
            _ => {
                let near = ["pgbouncer", "databases", "users", "peers"]
                    .into_iter()
                    .find(|s| s.eq_ignore_ascii_case(name.trim()));
                let help = match near {
                    Some(s) => format!(
                        "section names are compared exactly (case and spaces); write `[{s}]`"
                    ),
                    None => {
                        "pgbouncer knows [pgbouncer], [databases], [users] and [peers]".to_string()
                    }
                };
                self.emit(
                    report,
                    Diagnostic::new(
                        codes::SYNTAX_ERROR,
                        format!("unknown section `[{name}]`"),
                        Label::at(Location::new(id, name_span), "not a pgbouncer section"),
                    )
                    .with_help(format!(
                        "{help}; pgbouncer refuses to start (\"invalid section\")"
                    )),
                );
                Section::Unknown
            }
        });
    }

    /// A `[pgbouncer]` header: PgBouncer's `fill_defaults` sets every setting
    /// back to its default, so explicit values read so far are lost.
    fn reset_values(&mut self, report: bool, header: Location) {
        let header_at = self.sources.short(header);
        // In table order, so the warnings come out in a stable order.
        for s in settings() {
            let Some(old) = self.values.remove(s.name) else {
                continue;
            };
            let Some(loc) = old.origin.location() else {
                continue;
            };
            let name = s.name;
            let text = self.sources.text_at(loc).to_string();
            let d = Diagnostic::new(
                codes::INVALID_VALUE,
                format!(
                    "{name} = {text} is reset to its default by the [pgbouncer] header at {header_at}"
                ),
                Label::at(loc, "value lost"),
            )
            .with_severity(Severity::Warning)
            .with_related(Label::at(header, "every [pgbouncer] header restores all defaults"))
            .with_help(
                "pgbouncer fills in the defaults of all settings at each [pgbouncer] header; \
                 keep one [pgbouncer] section, or set the value after the last header",
            );
            if report {
                self.diags.push(d);
            }
        }
    }

    fn include(&mut self, id: FileId, depth: usize, report: bool, path: &str, path_span: Span) {
        let d = Directive {
            name: "%include",
            written: path,
            at: Location::new(id, path_span),
            depth,
            report,
            optional: false,
        };
        if include::too_deep(self, &d) {
            return;
        }
        let target = include::beside(self.sources, id, path);
        include::follow(self, &d, &target);
    }
}
