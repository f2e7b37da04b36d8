//! Following include directives: the mechanics the server loaders share.
//!
//! my.cnf (`!include`, `!includedir`), postgresql.conf (`include`,
//! `include_if_exists`, `include_dir`), pgbouncer.ini (`%include`) and nginx
//! (`include`) all splice other files into the one being read. What differs
//! is each server's directive syntax and what it says when an include cannot
//! be followed; what is the same lives here:
//!
//! - the nesting limit ([`Rules::max_depth`]): a directive in a file at that
//!   depth is not followed;
//! - the cycle guard: a file already being read (on the stack of open
//!   includes) is not entered again;
//! - the read budget ([`ReadBudget`], [`Rules::max_reads`]): a load reads at
//!   most that many files, and says once, as a warning, where it stopped
//!   ("stopped following includes after N file reads");
//! - the files read, each once, in the order of their first read;
//! - "report once per file": a file read a second time (included twice, not
//!   in a cycle) is applied again, but its own findings are not repeated;
//! - targets are loaded through [`SourceMap::load`], so the project root and
//!   the size policy apply to every include, and folders are listed through
//!   [`SourceMap::check_dir`];
//! - after an included file is read, [`crate::systems::foreign::collapse`]
//!   replaces its findings by one when it is not a config of the kind.
//!
//! A loader owns a [`Follower`] and implements [`Host`], whose
//! [`Host::read_included`] is its own reader; it calls [`Follower::enter`]
//! and [`Follower::leave`] around every file it reads, and [`too_deep`],
//! [`follow`] and [`follow_dir`] for each directive. Every finding here is
//! [`codes::INCLUDE_UNREADABLE`], located at the directive's path.

use std::collections::HashSet;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::rules::codes;
use crate::source::{Exhausted, FileId, LoadError, Location, ReadBudget, SourceMap, io_reason};

/// One server's include rules and words.
pub struct Rules {
    /// What a config of this server is, for [`crate::systems::foreign::collapse`]
    /// ("a my.cnf").
    pub kind: &'static str,
    /// The server's own test for a line that does not parse, for parsers that
    /// stop at the first error (nginx); `None` when every bad line is a
    /// [`codes::SYNTAX_ERROR`] finding.
    pub looks_bad: Option<fn(&str) -> bool>,
    /// Deepest nesting followed: a directive in a file at this depth (the
    /// named file is 0) is not followed.
    pub max_depth: usize,
    /// Most files one load reads, the named file included.
    pub max_reads: usize,
    /// The help of a file (or folder) that cannot be read.
    pub unreadable_help: fn(&Directive<'_>) -> String,
    /// What the server says of a directive nested too deep.
    pub too_deep: fn(&Directive<'_>) -> Words,
    /// What the server says of an include of file `shown` (its display
    /// name) that is already being read.
    pub cycle: fn(&Directive<'_>, &str) -> Words,
}

/// A finding in a server's words (the code is always
/// [`codes::INCLUDE_UNREADABLE`], the location the directive's path).
pub struct Words {
    /// The message.
    pub message: String,
    /// The text of the label at the directive's path.
    pub label: &'static str,
    /// Its severity.
    pub severity: Severity,
    /// The help line, if any.
    pub help: Option<String>,
}

/// One include directive being followed.
#[derive(Clone, Copy, Debug)]
pub struct Directive<'t> {
    /// The directive as the server names it in messages (`!includedir`,
    /// `include_if_exists`, `%include`).
    pub name: &'t str,
    /// The path as written.
    pub written: &'t str,
    /// Where the path is written.
    pub at: Location,
    /// Include depth of the file holding the directive (the named file is 0).
    pub depth: usize,
    /// Whether findings in the file holding it are reported (its first read).
    pub report: bool,
    /// A missing target is skipped silently (`include_if_exists`).
    pub optional: bool,
}

/// The state of one load's include following: the budget, the stack of
/// files being read, the files read and those already reported.
#[derive(Debug)]
pub struct Follower {
    rules: &'static Rules,
    budget: ReadBudget,
    stack: Vec<FileId>,
    reported: HashSet<FileId>,
    files: Vec<FileId>,
}

/// The parts of a loader an include step needs at once.
pub struct Parts<'p> {
    /// The loader's follower.
    pub follower: &'p mut Follower,
    /// Where files are loaded.
    pub sources: &'p mut SourceMap,
    /// Where findings go.
    pub diags: &'p mut Vec<Diagnostic>,
}

/// A server loader that follows includes.
pub trait Host {
    /// What reading one file gives the loader.
    type Read;
    /// Its follower, source map and findings.
    fn parts(&mut self) -> Parts<'_>;
    /// Reads included file `id` at depth `depth` with the loader's own
    /// reader (which calls [`Follower::enter`] and [`Follower::leave`]).
    fn read_included(&mut self, id: FileId, depth: usize) -> Self::Read;
}

/// What [`follow`] did with one target.
#[derive(Debug)]
pub enum Followed<R> {
    /// Read; the reader's result.
    Read(R),
    /// Not read: unreadable (reported), a cycle (reported), or a missing
    /// optional target.
    Skipped,
    /// Not read because the read budget is spent: stop following this
    /// directive's targets.
    Stopped,
}

impl std::fmt::Debug for Rules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rules")
            .field("kind", &self.kind)
            .field("max_depth", &self.max_depth)
            .field("max_reads", &self.max_reads)
            .finish_non_exhaustive()
    }
}

impl Follower {
    /// A follower for one load under `rules`.
    pub fn new(rules: &'static Rules) -> Self {
        Follower {
            rules,
            budget: ReadBudget::new(rules.max_reads),
            stack: Vec::new(),
            reported: HashSet::new(),
            files: Vec::new(),
        }
    }

    /// The same, with `files` already read (a base the loader continues).
    pub fn with_files(mut self, files: Vec<FileId>) -> Self {
        self.files = files;
        self
    }

    /// Takes the files read (in the order of their first read), leaving
    /// none.
    pub fn take_files(&mut self) -> Vec<FileId> {
        std::mem::take(&mut self.files)
    }

    /// Starts reading file `id`: counts the read, records the file, and
    /// says whether its findings are reported (true at its first read, when
    /// a NUL byte in it is also reported). Pair with [`Follower::leave`].
    pub fn enter(&mut self, id: FileId, sources: &SourceMap, diags: &mut Vec<Diagnostic>) -> bool {
        self.budget.count();
        if !self.files.contains(&id) {
            self.files.push(id);
        }
        let report = self.reported.insert(id);
        if report {
            crate::systems::foreign::report_nul_byte(id, sources, diags);
        }
        self.stack.push(id);
        report
    }

    /// Ends the read [`Follower::enter`] started.
    pub fn leave(&mut self) {
        self.stack.pop();
    }

    /// The check of the named file `root` after it was read (its reader
    /// pushed `diags[mark..]`): [`crate::systems::foreign::collapse`] with
    /// no include location.
    ///
    /// Errors: [`LoadError::Invalid`] when the named file is not a config
    /// of this kind.
    pub fn check_named(
        &self,
        diags: &mut Vec<Diagnostic>,
        mark: usize,
        root: FileId,
        sources: &SourceMap,
    ) -> Result<(), LoadError> {
        self.collapse(diags, mark, root, sources, None)
            .map_err(LoadError::Invalid)
    }

    fn collapse(
        &self,
        diags: &mut Vec<Diagnostic>,
        mark: usize,
        id: FileId,
        sources: &SourceMap,
        at: Option<Location>,
    ) -> Result<(), String> {
        let looks_bad = self.rules.looks_bad;
        let looks_bad = looks_bad.as_ref().map(|f| f as &dyn Fn(&str) -> bool);
        crate::systems::foreign::collapse(diags, mark, id, sources, self.rules.kind, at, looks_bad)
    }
}

/// The target of `written` relative to the folder of file `from` (how
/// mysqld, postgres and timeoutlint's pgbouncer resolve a relative include).
pub fn beside(sources: &SourceMap, from: FileId, written: &str) -> PathBuf {
    let base = sources.get(from).path().parent();
    base.map(Path::to_path_buf)
        .unwrap_or_default()
        .join(written)
}

/// Pushes `words` as a finding at the directive's path, when the file
/// holding it reports.
pub fn report<H: Host>(host: &mut H, d: &Directive<'_>, words: Words) {
    if !d.report {
        return;
    }
    let mut diag = Diagnostic::new(
        codes::INCLUDE_UNREADABLE,
        words.message,
        Label::at(d.at, words.label),
    )
    .with_severity(words.severity);
    diag.help = words.help;
    host.parts().diags.push(diag);
}

/// True (after reporting it) when directive `d` sits in a file nested as
/// deep as the server follows.
pub fn too_deep<H: Host>(host: &mut H, d: &Directive<'_>) -> bool {
    let rules = host.parts().follower.rules;
    if d.depth < rules.max_depth {
        return false;
    }
    report(host, d, (rules.too_deep)(d));
    true
}

/// Follows directive `d` to `file`: checks the budget, loads the file
/// through [`SourceMap::load`], guards against cycles, reads it with the
/// host's reader one level deeper, and collapses its findings when it is not
/// a config of the kind. Unreadable files and cycles are reported in the
/// server's words.
pub fn follow<H: Host>(host: &mut H, d: &Directive<'_>, file: &Path) -> Followed<H::Read> {
    if d.optional && std::fs::metadata(file).is_err() {
        // postgres only logs "skipping missing configuration file".
        return Followed::Skipped;
    }
    let Parts {
        follower,
        sources,
        diags,
    } = host.parts();
    let rules = follower.rules;
    match follower.budget.exhausted() {
        Exhausted::No => {}
        Exhausted::First => {
            diags.push(
                Diagnostic::new(
                    codes::INCLUDE_UNREADABLE,
                    format!(
                        "stopped following includes after {} file reads",
                        follower.budget.limit()
                    ),
                    Label::at(d.at, "not read"),
                )
                .with_severity(Severity::Warning),
            );
            return Followed::Stopped;
        }
        Exhausted::Again => return Followed::Stopped,
    }
    let id = match sources.load(file) {
        Ok(id) => id,
        Err(e) => {
            let reason = e.reason().to_string();
            let shown = sources.display_name(file);
            let words = Words {
                message: format!("cannot read `{shown}` named by `{}`: {reason}", d.name),
                label: "file not readable",
                severity: Severity::Error,
                help: Some((rules.unreadable_help)(d)),
            };
            report(host, d, words);
            return Followed::Skipped;
        }
    };
    if follower.stack.contains(&id) {
        let shown = sources.get(id).name().to_string();
        report(host, d, (rules.cycle)(d, &shown));
        return Followed::Skipped;
    }
    let mark = diags.len();
    let read = host.read_included(id, d.depth + 1);
    let Parts {
        follower,
        sources,
        diags,
    } = host.parts();
    // An include is never the named file, so this never errs.
    let _ = follower.collapse(diags, mark, id, sources, Some(d.at));
    Followed::Read(read)
}

/// Follows directive `d` to every file of folder `dir` whose name `keep`
/// accepts, in byte order of the names (folders skipped); a folder that
/// cannot be listed is reported ("cannot read folder ..."). Returns what the
/// reader gave for each file read.
pub fn follow_dir<H: Host>(
    host: &mut H,
    d: &Directive<'_>,
    dir: &Path,
    keep: fn(&str) -> bool,
) -> Vec<H::Read> {
    let listed = host
        .parts()
        .sources
        .check_dir(dir)
        .map_err(|e| e.reason().to_string())
        .and_then(|real| files_in(&real, dir, keep).map_err(|e| io_reason(&e)));
    let files = match listed {
        Ok(files) => files,
        Err(reason) => {
            let rules = host.parts().follower.rules;
            let words = Words {
                message: format!(
                    "cannot read folder `{}` of `{}`: {reason}",
                    d.written, d.name
                ),
                label: "folder not readable",
                severity: Severity::Error,
                help: Some((rules.unreadable_help)(d)),
            };
            report(host, d, words);
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for file in files {
        match follow(host, d, &file) {
            Followed::Read(r) => out.push(r),
            Followed::Skipped => {}
            Followed::Stopped => break,
        }
    }
    out
}

/// The files of `dir` whose names `keep` accepts, sorted by name bytes,
/// folders skipped. `real` is `dir` resolved (and checked against the
/// root); the paths returned are under `dir`, as the include wrote it.
fn files_in(real: &Path, dir: &Path, keep: fn(&str) -> bool) -> std::io::Result<Vec<PathBuf>> {
    let mut names: Vec<OsString> = std::fs::read_dir(real)?
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .filter(|n| keep(&n.to_string_lossy()))
        .collect();
    names.sort();
    Ok(names
        .into_iter()
        .map(|n| dir.join(n))
        .filter(|p| !p.is_dir())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_files_come_in_byte_order_filtered_without_folders() {
        let dir = crate::test_support::tree(&[
            ("d/b.cnf", ""),
            ("d/B.cnf", ""),
            ("d/a.cnf", ""),
            ("d/a.CNF", ""),
            ("d/sub.cnf/x.cnf", ""),
            ("d/notes.txt", ""),
        ]);
        let d = dir.path().join("d");
        let files = files_in(&d, &d, |n| n.ends_with(".cnf")).expect("lists");
        let names: Vec<_> = files
            .iter()
            .filter_map(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["B.cnf", "a.cnf", "b.cnf"]);
    }

    #[test]
    fn budget_stops_following_with_one_warning_and_rereads_are_silent() {
        // One file included 1200 times: every read counts, so the budget of
        // 1000 reads (the named file is the first) ends at the 1000th
        // include; its findings (a bad value) are reported at its first read
        // only.
        let mut cnf = String::from("[mysqld]\n");
        for _ in 0..1200 {
            cnf.push_str("!include b.cnf\n");
        }
        let dir = crate::test_support::tree(&[
            ("my.cnf", &cnf),
            ("b.cnf", "[mysqld]\nwait_timeout=2h\n"),
        ]);
        let l = crate::test_support::load_with(
            &dir.path().join("my.cnf"),
            dir.path(),
            crate::systems::mysql::load_option_file,
        );
        let found = l.diags();
        assert_eq!(
            found,
            [("TL002", "2h".to_string()), ("TL003", "b.cnf".to_string())],
            "{found:?}"
        );
        let stop = &l.diags[1];
        assert_eq!(
            stop.message,
            "stopped following includes after 1000 file reads"
        );
        assert_eq!(stop.severity, Severity::Warning);
        let at = stop.primary.location.expect("located");
        assert_eq!(l.sources.get(at.file).line_col(at.span.start).line, 1001);
    }

    #[test]
    fn read_budget_says_once_that_it_ran_out() {
        let mut b = ReadBudget::new(2);
        assert_eq!(b.exhausted(), Exhausted::No);
        b.count();
        b.count();
        assert_eq!(b.exhausted(), Exhausted::First);
        assert_eq!(b.exhausted(), Exhausted::Again);
        assert_eq!(b.limit(), 2);
    }
}
