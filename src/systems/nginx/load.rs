//! Reading nginx.conf and splicing its includes in place.

use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::parse::nginx::{self as syntax, Directive, Word};
use crate::rules::codes;
use crate::source::{FileId, LoadError, Location, SourceMap};
use crate::systems::include::{self, Followed, Follower, Host, Parts, Words};
use crate::systems::proxy::ProxyLookup;

use super::glob::glob;
use super::lookup::resolve;
use super::{MAX_FILE_READS, MAX_INCLUDE_DEPTH};

/// Reads nginx.conf at `path` (following `include`) and resolves the `stream`
/// server whose `listen` value is `listen` (e.g. `3306`).
///
/// Diagnostics: [`codes::SYNTAX_ERROR`] for text nginx cannot parse,
/// [`codes::INCLUDE_UNREADABLE`] for includes that cannot be followed,
/// [`codes::INVALID_VALUE`] for bad `proxy_timeout`/`include` values.
///
/// Errors: [`LoadError`] when `path` cannot be read.
pub fn load_nginx_stream(
    path: &Path,
    listen: &str,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Result<ProxyLookup, LoadError> {
    let root = sources.load(path)?;
    let prefix = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut ex = Expander {
        sources,
        diags,
        prefix,
        follow: Follower::new(&INCLUDES),
    };
    let mark = ex.diags.len();
    let top = ex.read(root, 0);
    (ex.follow).check_named(ex.diags, mark, root, ex.sources)?;
    Ok(resolve(&top, listen, diags))
}

/// A line nginx would not take as (part of) a directive: after its comment
/// is cut, it does not end a directive (`;`) or open or close a block. Used
/// to tell files that are not nginx configs, as the parser stops at the
/// first error.
fn not_nginx_line(line: &str) -> bool {
    let code = line.split('#').next().unwrap_or("").trim_end();
    !code.is_empty() && !code.ends_with([';', '{', '}'])
}

/// A directive with its file, includes already spliced in.
#[derive(Debug)]
pub(super) struct Item {
    pub(super) file: FileId,
    pub(super) name: Word,
    pub(super) args: Vec<Word>,
    pub(super) block: Option<Vec<Item>>,
}

impl Item {
    pub(super) fn at(&self, w: &Word) -> Location {
        Location::new(self.file, w.span)
    }
}

struct Expander<'a> {
    sources: &'a mut SourceMap,
    diags: &'a mut Vec<Diagnostic>,
    prefix: PathBuf,
    /// Includes: cycle guard, budget, files reported.
    follow: Follower,
}

/// How nginx follows `include` (`ngx_conf_include`).
static INCLUDES: include::Rules = include::Rules {
    kind: "an nginx config",
    looks_bad: Some(not_nginx_line),
    max_depth: MAX_INCLUDE_DEPTH,
    max_reads: MAX_FILE_READS,
    unreadable_help: |_| {
        "nginx refuses to start when an included file is missing; it \
         resolves a relative name from its configuration folder (the \
         main nginx.conf's folder), and so does timeoutlint"
            .to_string()
    },
    too_deep: |d| Words {
        message: format!(
            "`include {}` nests deeper than {MAX_INCLUDE_DEPTH} levels",
            d.written
        ),
        label: "not read",
        severity: Severity::Error,
        help: None,
    },
    cycle: |_, shown| Words {
        message: format!("`include` of `{shown}` forms an include cycle"),
        label: "cycle; not followed",
        severity: Severity::Error,
        help: Some("nginx recurses until it fails to start; remove the directive".to_string()),
    },
};

impl Host for Expander<'_> {
    type Read = Vec<Item>;

    fn parts(&mut self) -> Parts<'_> {
        Parts {
            follower: &mut self.follow,
            sources: self.sources,
            diags: self.diags,
        }
    }

    fn read_included(&mut self, id: FileId, depth: usize) -> Vec<Item> {
        self.read(id, depth)
    }
}

impl Expander<'_> {
    fn read(&mut self, id: FileId, depth: usize) -> Vec<Item> {
        let report = self.follow.enter(id, self.sources, self.diags);
        let cfg = syntax::parse(self.sources.get(id).text());
        for e in cfg.errors.into_iter().filter(|_| report) {
            self.diags.push(Diagnostic::new(
                codes::SYNTAX_ERROR,
                format!("invalid nginx configuration: {}", e.message),
                Label::at(Location::new(id, e.span), "here"),
            ));
        }
        let items = self.expand(id, cfg.directives, depth, report);
        self.follow.leave();
        items
    }

    fn expand(
        &mut self,
        id: FileId,
        directives: Vec<Directive>,
        depth: usize,
        report: bool,
    ) -> Vec<Item> {
        let mut out = Vec::new();
        for d in directives {
            if d.is_include() {
                out.extend(self.include(id, &d, depth, report));
                continue;
            }
            let block = d
                .block
                .map(|b| self.expand(id, b.directives, depth, report));
            out.push(Item {
                file: id,
                name: d.name,
                args: d.args,
                block,
            });
        }
        out
    }

    fn include(&mut self, id: FileId, d: &Directive, depth: usize, report: bool) -> Vec<Item> {
        let [arg] = d.args.as_slice() else {
            if report {
                self.diags.push(Diagnostic::new(
                    codes::INVALID_VALUE,
                    format!(
                        "`include` takes one file name, not {} arguments",
                        d.args.len()
                    ),
                    Label::at(
                        Location::new(id, d.name.span),
                        "invalid number of arguments",
                    ),
                ));
            }
            return Vec::new();
        };
        let inc = include::Directive {
            name: "include",
            written: &arg.text,
            at: Location::new(id, arg.span),
            depth,
            report,
            optional: false,
        };
        if include::too_deep(self, &inc) {
            return Vec::new();
        }
        let target = self.prefix.join(&arg.text);
        let files = if arg.text.contains(['*', '?', '[']) {
            let sources = &*self.sources;
            let outside = |d: &Path| matches!(sources.check_dir(d), Err(e) if e.reason() == crate::source::OUTSIDE_ROOT);
            let (files, refused) = glob(&target, &|d| !outside(d));
            if refused {
                let words = Words {
                    message: format!(
                        "cannot list `{}` named by `include`: {}",
                        arg.text,
                        crate::source::OUTSIDE_ROOT
                    ),
                    label: "folder not listed",
                    severity: Severity::Error,
                    help: None,
                };
                include::report(self, &inc, words);
            }
            files
        } else {
            vec![target]
        };
        let mut out = Vec::new();
        for file in files {
            match include::follow(self, &inc, &file) {
                Followed::Read(items) => out.extend(items),
                Followed::Skipped => {}
                Followed::Stopped => break,
            }
        }
        out
    }
}
