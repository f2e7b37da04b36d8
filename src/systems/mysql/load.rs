//! Reading option files, `--verbose --help` dumps and `SHOW VARIABLES`
//! output, following includes.

use std::path::Path;

use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::parse::mycnf::{self, IncludeKind, Item};
use crate::parse::mysqldump;
use crate::rules::codes;
use crate::source::{FileId, LoadError, Location, SourceMap, Span};
use crate::systems::include::{self, Directive, Follower, Host, Parts, Words};

use super::settings::{Values, finish, is_secret};
use super::{
    MAX_FILE_READS, MAX_INCLUDE_DEPTH, MysqlProduct, MysqlServer, MysqlSourceKind, NumberSyntax,
    server_reads_group,
};
use crate::provenance::{Origin, Sourced};

/// Reads the option file at `path`, following `!include` / `!includedir`.
///
/// Errors: [`LoadError`] only when `path` itself cannot be read. Problems
/// inside files become diagnostics: [`codes::SYNTAX_ERROR`] (option before any
/// group, bad group header, directive without path), [`codes::INVALID_VALUE`]
/// (bad or out-of-range numbers; the occurrence is ignored or clamped),
/// [`codes::INCLUDE_UNREADABLE`] (missing include target, located at the
/// directive's path; the rest is still read; also, as warnings, include
/// cycles and nesting deeper than 10).
pub fn load_option_file(
    path: &Path,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Result<MysqlServer, LoadError> {
    let root = sources.load(path)?;
    let mark = diags.len();
    let mut loader = Loader {
        sources,
        diags,
        root,
        values: Default::default(),
        anchor: None,
        product: None,
        follow: Follower::new(&INCLUDES),
    };
    let source_kind = loader.read(root, 0);
    (loader.follow).check_named(loader.diags, mark, root, loader.sources)?;
    let anchor = Some(Location::new(
        root,
        loader.anchor.unwrap_or(Span::new(0, 0)),
    ));
    let files = loader.follow.take_files();
    let product = loader.product.take();
    let server = finish(loader.values, anchor, files, source_kind, product);
    keepalive_ignored_by_mysql(&server, loader.diags);
    Ok(server)
}

pub(super) struct Loader<'a> {
    pub(super) sources: &'a mut SourceMap,
    pub(super) diags: &'a mut Vec<Diagnostic>,
    pub(super) root: FileId,
    /// Last valid value of each modelled variable, clamped, by name.
    pub(super) values: Values,
    /// Header of the last server-read group of the named file.
    pub(super) anchor: Option<Span>,
    /// The product the input names: a `[mariadb…]` group, a dump's
    /// `version` row (the last one read wins).
    pub(super) product: Option<Sourced<MysqlProduct>>,
    /// Includes: files read, cycle guard, budget.
    pub(super) follow: Follower,
}

/// How mysqld follows `!include` and `!includedir`.
pub(super) static INCLUDES: include::Rules = include::Rules {
    kind: "a my.cnf",
    looks_bad: None,
    max_depth: MAX_INCLUDE_DEPTH,
    max_reads: MAX_FILE_READS,
    unreadable_help: |d| include_help(d.written),
    too_deep: |d| Words {
        message: format!(
            "`{} {}` is skipped: includes nest deeper than {MAX_INCLUDE_DEPTH} levels",
            d.name, d.written
        ),
        label: "not read",
        severity: Severity::Warning,
        help: None,
    },
    cycle: |d, shown| Words {
        message: format!(
            "`{}` of `{shown}` forms an include cycle; not followed",
            d.name
        ),
        label: "cycle",
        severity: Severity::Warning,
        help: None,
    },
};

impl Host for Loader<'_> {
    type Read = MysqlSourceKind;

    fn parts(&mut self) -> Parts<'_> {
        Parts {
            follower: &mut self.follow,
            sources: self.sources,
            diags: self.diags,
        }
    }

    fn read_included(&mut self, id: FileId, depth: usize) -> MysqlSourceKind {
        self.read(id, depth)
    }
}

impl Loader<'_> {
    pub(super) fn emit(&mut self, report: bool, d: Diagnostic) {
        if report {
            self.diags.push(d);
        }
    }

    /// Reads file `id` at include depth `depth` (the named file is 0) and
    /// says what kind of input it was.
    fn read(&mut self, id: FileId, depth: usize) -> MysqlSourceKind {
        let report = self.follow.enter(id, self.sources, self.diags);
        let text = self.sources.get(id).text().to_string();
        let kind = if let Some(vars) = mycnf::lex_help_variables(&text) {
            for v in &vars {
                if is_secret(&v.name) {
                    self.sources.get_mut(id).mark_secret(v.value_span);
                }
            }
            for v in vars {
                self.apply(
                    report,
                    &v.name,
                    Location::new(id, v.name_span),
                    Some((&v.value, Location::new(id, v.value_span))),
                    NumberSyntax::Option,
                );
            }
            MysqlSourceKind::HelpDump
        } else if let Some(dump) = mysqldump::lex_variables_dump(&text) {
            self.read_dump(id, report, dump)
        } else {
            let items = mycnf::lex(&text);
            for item in &items {
                if let Item::Option {
                    name,
                    value: Some(v),
                    ..
                } = item
                    && is_secret(name)
                {
                    self.sources.get_mut(id).mark_secret(v.span);
                }
            }
            self.read_items(id, depth, report, items);
            MysqlSourceKind::OptionFile
        };
        self.follow.leave();
        kind
    }

    /// Applies the rows of a `SHOW VARIABLES` dump; names are matched
    /// ASCII case-insensitively (the server's variable names are, and
    /// `information_schema` prints them in capitals).
    fn read_dump(
        &mut self,
        id: FileId,
        report: bool,
        dump: mysqldump::VariablesDump,
    ) -> MysqlSourceKind {
        for v in &dump.vars {
            if is_secret(&v.name.to_ascii_lowercase()) {
                self.sources.get_mut(id).mark_secret(v.value_span);
            }
        }
        let mut events: Vec<(Span, Option<mysqldump::DumpVariable>, String)> = dump
            .vars
            .into_iter()
            .map(|v| (v.name_span, Some(v), String::new()))
            .chain(dump.errors.into_iter().map(|e| (e.span, None, e.message)))
            .collect();
        events.sort_by_key(|(span, _, _)| *span);
        for (span, var, message) in events {
            match var {
                Some(v) => {
                    let name = v.name.to_ascii_lowercase();
                    if name == "version"
                        && let Some(p) = MysqlProduct::from_version(&v.value)
                    {
                        let at = Location::new(id, v.value_span);
                        self.product = Some(Sourced::new(p, Origin::File(at)));
                    }
                    self.apply(
                        report,
                        &name,
                        Location::new(id, v.name_span),
                        Some((&v.value, Location::new(id, v.value_span))),
                        NumberSyntax::Plain,
                    );
                }
                None => self.emit(
                    report,
                    Diagnostic::new(
                        codes::SYNTAX_ERROR,
                        message,
                        Label::at(Location::new(id, span), "not part of the variables output"),
                    )
                    .with_help(
                        "the file looks like `SHOW VARIABLES` output but this line breaks \
                         its form (a wrapped or edited paste?); a value on it may be missing",
                    ),
                ),
            }
        }
        MysqlSourceKind::VariablesDump {
            global: dump.global,
        }
    }

    fn read_items(&mut self, id: FileId, depth: usize, report: bool, items: Vec<Item>) {
        // None before the first group; then whether the server reads it.
        let mut group: Option<bool> = None;
        for item in items {
            match item {
                Item::Group { name, span, .. } => {
                    let reads = server_reads_group(&name);
                    if reads && name.trim().to_ascii_lowercase().starts_with("mariadb") {
                        let at = Location::new(id, span);
                        self.product = Some(Sourced::new(MysqlProduct::MariaDb, Origin::File(at)));
                    }
                    if reads && id == self.root && depth == 0 {
                        self.anchor = Some(span);
                    }
                    group = Some(reads);
                }
                Item::Option {
                    name,
                    name_span,
                    value,
                } => match group {
                    None => self.emit(
                        report,
                        Diagnostic::new(
                            codes::SYNTAX_ERROR,
                            format!("option `{name}` appears before any [group] header"),
                            Label::at(Location::new(id, name_span), "option outside a group"),
                        )
                        .with_help(
                            "the server refuses to start (\"Found option without preceding \
                             group\"); put it under [mysqld]",
                        ),
                    ),
                    Some(false) => {}
                    Some(true) => {
                        let v = value
                            .as_ref()
                            .map(|v| (v.text.as_str(), Location::new(id, v.span)));
                        let name_at = Location::new(id, name_span);
                        self.apply(report, &name, name_at, v, NumberSyntax::Option);
                    }
                },
                Item::Include {
                    kind,
                    path,
                    path_span,
                } => self.include(id, depth, report, kind, &path, path_span),
                Item::Error { span, message } => self.emit(
                    report,
                    Diagnostic::new(
                        codes::SYNTAX_ERROR,
                        message,
                        Label::at(Location::new(id, span), "the server refuses to start here"),
                    ),
                ),
            }
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
            name: match kind {
                IncludeKind::File => "!include",
                IncludeKind::Dir => "!includedir",
            },
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
        match kind {
            IncludeKind::File => {
                include::follow(self, &d, &target);
            }
            IncludeKind::Dir => {
                include::follow_dir(self, &d, &target, |name| name.ends_with(".cnf"));
            }
        }
    }
}

fn include_help(written: &str) -> String {
    if Path::new(written).is_absolute() {
        format!(
            "`{written}` is an absolute path on the server host; check it there, or lint a \
             copy of the whole config tree; the remaining files are still read"
        )
    } else {
        format!(
            "`{written}` is resolved from the including file's folder; the remaining files \
             are still read"
        )
    }
}

/// Reports the MariaDB-only keepalive variables set for a server known to be
/// MySQL ([`MysqlServer::product`]): MySQL has none of them
/// (https://dev.mysql.com/doc/refman/8.0/en/server-system-variables.html
/// lists none), so mysqld refuses to start on such an option, or, with the
/// `loose-` prefix, ignores it; its sockets then use the db host's
/// `net.ipv4.tcp_keepalive_*` (`vio_keepalive` in `sql/sql_connect.cc`
/// only turns SO_KEEPALIVE on). A warning ([`codes::INVALID_VALUE`]) at
/// each explicit value.
pub fn keepalive_ignored_by_mysql(server: &MysqlServer, diags: &mut Vec<Diagnostic>) {
    let Some(product) = &server.product else {
        return;
    };
    if product.value != MysqlProduct::Mysql {
        return;
    }
    let set = [
        ("tcp_keepalive_time", &server.tcp_keepalive_time.origin),
        (
            "tcp_keepalive_interval",
            &server.tcp_keepalive_interval.origin,
        ),
        ("tcp_keepalive_probes", &server.tcp_keepalive_probes.origin),
    ];
    for (name, origin) in set {
        let Some(at) = origin.location().filter(|_| origin.is_explicit()) else {
            continue;
        };
        diags.push(
            Diagnostic::new(
                codes::INVALID_VALUE,
                format!(
                    "{name} is a MariaDB variable: MySQL has none, so the server ignores it (or \
                     refuses to start without the `loose-` prefix)"
                ),
                Label::at(at, "MariaDB only (10.3.3+)"),
            )
            .with_severity(Severity::Warning)
            .with_related(Label::maybe(
                product.origin.location(),
                "the server is MySQL",
            ))
            .with_help(
                "MySQL's client sockets use the db host's keepalive: set \
                 net.ipv4.tcp_keepalive_time on the database host instead",
            ),
        );
    }
}
