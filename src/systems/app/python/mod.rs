//! App settings read from Python source, parsed with ruff's parser (see
//! [`syntax`]), never imported or run.
//!
//! The module is turned into the same spanned [`Node`] tree the YAML/TOML
//! shapes produce, then handed to the shared interpreters:
//! - Django: `DATABASES = {...}`, later `DATABASES["default"]["X"] = ...` and
//!   `DATABASES["default"].update(...)`, `dj_database_url.config(...)` /
//!   `parse(...)` and django-environ `env.db()` / `env.db_url()`;
//! - SQLAlchemy: every `create_engine(...)` / `create_async_engine(...)` /
//!   `engine_from_config({...})` call is one engine, named after the variable
//!   it is assigned to;
//! - Flask-SQLAlchemy: `SQLALCHEMY_*` at module level, `app.config["..."]`, and
//!   config classes with inheritance; `SQLAlchemy(app, engine_options={...})`.
//!
//! Module-level statements are read in order: dicts built and changed by
//! plain names (`d.update(...)`, `d.setdefault(...)`, `d["k"] = v`,
//! `del d["k"]`, `d |= {...}`) and engine calls at module level, which see
//! the names as they are at the call (`create_engine(url, **d)`).
//!
//! Values the tool cannot know (calls, unresolved names, attributes, a
//! `**spread` it cannot read, a dict changed in a way it cannot follow) are
//! left out (the documented default applies) and reported once (TL012). The reader
//! also reports settings Django / Flask-SQLAlchemy ignore where they are
//! (TL013) and settings assigned twice with different values (TL014).
//!
//! Hostile files cannot crash it: the parser and the tree conversion grow
//! their stack as they nest (see [`syntax`]), a file indented deeper than
//! [`MAX_INDENT_LEVELS`] is refused before parsing (TL001), every walk over
//! the tree is iterative or depth-capped, and the evaluator's limits
//! (see [`eval`]) are reported as TL012 wherever they are hit.

mod eval;
mod events;
#[cfg(test)]
mod flow_tests;
pub mod gunicorn;
mod imports;
mod inline;
mod points;
mod pydantic;
mod relevance;
mod syntax;
#[cfg(test)]
mod tests;
mod walk;

use std::collections::{HashMap, HashSet};
use std::path::Path;

use syntax::{F, K, Py};

use crate::diagnostic::{Diagnostic, Label};
use crate::env::EnvValues;
use crate::parse::tree::{Key, Node, NodeKind};
use crate::rules::codes;
use crate::source::{FileId, Location, SourceMap, Span};

use super::url::{is_secret_name, secret_ranges};
use super::values::{self, Ctx};
use super::{AppPool, AppSettings, Framework, django, flask, sqlalchemy, superset};

use eval::{Eval, MAX_DEPTH, Unknown, measure, same, set_entry, span, too_deep_message};

/// How deep indentation may nest before a file is refused unread.
///
/// The reader follows nested blocks by recursion (`Reader::block` through
/// `if` / `try` / `with` / `for`, and `run_block` in inlined functions), so
/// this cap bounds its stack. It was first set for tree-sitter-python, whose
/// scanner aborted the process past 383 levels; ruff's parser has no such
/// limit (it grows its stack), but the cap is kept: it is far above real
/// settings files and keeps the reader's recursion shallow.
const MAX_INDENT_LEVELS: usize = 100;

/// How many different indentation widths a file may use (a bound on the
/// nesting whatever the lines inside brackets or strings hold).
const MAX_INDENT_WIDTHS: usize = 300;

/// Keys whose unknown values do not matter for any timeout (no TL012 for them).
const IRRELEVANT: [&str; 30] = [
    "NAME",
    "USER",
    "PASSWORD",
    "HOST",
    "PORT",
    "TEST",
    "ATOMIC_REQUESTS",
    "AUTOCOMMIT",
    "TIME_ZONE",
    "DISABLE_SERVER_SIDE_CURSORS",
    "charset",
    "init_command",
    "sql_mode",
    "ssl",
    "sslmode",
    "sslrootcert",
    "sslcert",
    "sslkey",
    "isolation_level",
    "host",
    "port",
    "user",
    "password",
    "passwd",
    "database",
    "db",
    "echo",
    "echo_pool",
    "json_serializer",
    "application_name",
];

/// Settings that do not matter for any timeout (no TL012 for them).
const IRRELEVANT_SETTINGS: [&str; 6] = [
    "SQLALCHEMY_TRACK_MODIFICATIONS",
    "SQLALCHEMY_RECORD_QUERIES",
    "SQLALCHEMY_ECHO",
    "SQLALCHEMY_COMMIT_ON_TEARDOWN",
    "SQLALCHEMY_WARN_20",
    "future",
];

/// Reads the Python settings file `file` (already in `sources`); see the module docs.
pub(super) fn read_python(
    file: FileId,
    object: Option<&str>,
    env: &EnvValues,
    overrides: &super::Overrides,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> AppSettings {
    // Owned: the modules read keep their text while `sources` takes marks.
    let text: String = sources.get(file).text().to_string();
    let text_ref: &str = &text;
    if let Some((at, msg)) = indentation_too_deep(text_ref) {
        for s in values::secret_spans_in_text(text_ref) {
            sources.get_mut(file).mark_secret(s);
        }
        let label = Label::at(Location::new(file, at), "nested too deep");
        diags.push(Diagnostic::new(codes::SYNTAX_ERROR, msg, label));
        return AppSettings {
            file,
            pools: Vec::new(),
        };
    }
    let tree = imports::parse(text_ref);
    let mut secrets = Vec::new();
    if let Some((start, end)) = tree.first_error() {
        let label = Label::at(Location::new(file, Span::new(start, end)), "here");
        diags.push(Diagnostic::new(
            codes::SYNTAX_ERROR,
            "invalid Python: syntax error; what parses is still read",
            label,
        ));
        secrets.extend(values::secret_spans_in_text(text_ref));
    }
    for s in std::mem::take(&mut secrets) {
        sources.get_mut(file).mark_secret(s);
    }
    let dir = sources
        .get(file)
        .path()
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let main = imports::Module {
        file,
        text,
        tree,
        dir,
    };
    let project = imports::load(main, sources, diags);
    let text = project.modules[0].text.as_str();
    let root = project.modules[0].tree.root_node();
    let spaces: Vec<FileId> = project.modules.iter().map(|m| m.file).collect();
    // Found when first needed (an undecided condition), once for all variants.
    let relevant: std::cell::OnceCell<Option<HashSet<String>>> = std::cell::OnceCell::new();
    // One walk per module: its engine and dict-method calls, the names its
    // imports bind, and its secret spans (marked once, here).
    let scans: Vec<Scan<'_>> = project
        .modules
        .iter()
        .map(|m| {
            let mut found = Vec::new();
            let sc = scan(&m.text, m.tree.root_node(), &mut found);
            for s in found {
                sources.get_mut(m.file).mark_secret(s);
            }
            sc
        })
        .collect();
    let is_superset = superset::is_superset_config(sources.get(file).path());
    // A plain Flask app pinned to Flask-SQLAlchemy 2.x builds its engine as
    // 2.x does (see `pins`); Superset is 2.x by its own pins.
    let flask2 = !is_superset
        && super::pins::flask_sqlalchemy_major(sources.get(file).path(), sources)
            .is_some_and(|(major, _)| major == 2);
    let mut runs: Vec<VariantRun> = Vec::new();
    let mut choices: Vec<usize> = Vec::new();
    let mut complete = true;
    loop {
        let mut r = Reader {
            ev: Eval::new(text, file, env),
            project: &project,
            relevant: &relevant,
            current: 0,
            stack: Vec::new(),
            namespaces: HashMap::new(),
            aliases: HashMap::new(),
            ns_functions: HashMap::new(),
            diags: Vec::new(),
            targets: HashMap::new(),
            records: Vec::new(),
            branch: Vec::new(),
            classes: Vec::new(),
            ignored: Vec::new(),
            unknown_urls: Vec::new(),
            reported: HashSet::new(),
            engine_unknown: false,
            engines_done: HashSet::new(),
            engines_read: Vec::new(),
            skipped: Vec::new(),
            scans: &scans,
        };
        r.ev.imports = scans[0].imports.clone();
        r.ev.choices = std::mem::take(&mut choices);
        r.ev.modules = &project.modules;
        r.ev.relevant = Some(&relevant);
        r.module(root);
        let path = std::mem::take(&mut r.ev.path);
        let undecided = std::mem::take(&mut r.ev.undecided);
        let mut run_diags = Vec::new();
        let mut built = Vec::new();
        let pools = r.finish(
            root,
            object,
            overrides,
            (is_superset, flask2),
            &mut run_diags,
            &mut built,
        );
        let next = next_choices(&path);
        runs.push(VariantRun {
            path,
            undecided,
            pools,
            diags: run_diags,
            built,
        });
        match next {
            Some(n) if runs.len() < MAX_VARIANTS => choices = n,
            Some(n) => {
                // Where the first variant not read departs from the last read.
                let last = &runs[runs.len() - 1].path;
                let at = n
                    .len()
                    .checked_sub(1)
                    .and_then(|i| last.get(i))
                    .and_then(|(p, _)| p.arms.first())
                    .map_or(Span::new(0, 0), |(_, s)| *s);
                let msg = format!(
                    "this file has more than {MAX_VARIANTS} variants (combinations of branches the tool cannot decide); only the first {MAX_VARIANTS} are checked"
                );
                let label = Label::at(at_space(&spaces, at), "variants not checked from here");
                diags.push(Diagnostic::new(codes::UNKNOWN_PYTHON_VALUE, msg, label));
                complete = false;
                break;
            }
            None => break,
        }
    }
    let (pools, built) = merge_variants(&spaces, runs, complete, diags);
    // Secrets of URLs the evaluator built: masked wherever they are
    // written in a string of the settings file or a module it imports,
    // and in every output.
    for m in &project.modules {
        let mut found = Vec::new();
        secret_value_spans(&m.text, m.tree.root_node(), &built, &mut found);
        for s in found {
            sources.get_mut(m.file).mark_secret(s);
        }
    }
    for v in &built {
        sources.add_secret_value(v);
    }
    // `connect` event listeners that SET session variables on the engine's
    // new connections (see `events`).
    let mut pools = pools;
    let by_engine = events::connect_settings(
        project.modules[0].text.as_str(),
        project.modules[0].tree.root_node(),
        file,
    );
    for p in &mut pools {
        if let Some(set) = by_engine.get(&p.name) {
            p.session_settings.extend(set.iter().cloned());
        }
    }
    AppSettings { file, pools }
}

/// The location of a span of the reader's span space (see
/// [`eval::SPACE_BITS`]): in the module it belongs to.
fn at_space(spaces: &[FileId], s: Span) -> Location {
    let (i, local) = eval::space_of(s);
    Location::new(spaces.get(i).copied().unwrap_or(spaces[0]), local)
}

/// What one variant of a file gave.
struct VariantRun {
    /// The arms taken at its undecided points.
    path: Vec<(Point, usize)>,
    /// The TL012 of each undecided condition met, by the condition's span.
    undecided: Vec<(Span, Diagnostic)>,
    pools: Vec<AppPool>,
    diags: Vec<Diagnostic>,
    /// Secrets of the strings it built.
    built: Vec<String>,
}

/// Merges the variants of one file: the findings of all (each once), and
/// each distinct pool once. A pool found in every variant is plain; one
/// found in some carries a [`super::Variant`]: the branches common to the
/// variants it is in when they pick out exactly those, else one copy per
/// variant with all its branches. When the variants were cut at
/// [`MAX_VARIANTS`] (`complete` false), a pool found in every variant read
/// still carries the arms they share. "No app settings found" is dropped
/// when some variant has settings.
fn merge_variants(
    spaces: &[FileId],
    runs: Vec<VariantRun>,
    complete: bool,
    diags: &mut Vec<Diagnostic>,
) -> (Vec<AppPool>, Vec<String>) {
    let total = runs.len();
    let any_pools = runs.iter().any(|r| !r.pools.is_empty());
    let mut built: Vec<String> = Vec::new();
    let mut seen_diags: Vec<Diagnostic> = Vec::new();
    let mut groups: Vec<(AppPool, Vec<usize>)> = Vec::new();
    // Each variant's arms taken: (point, arm, what holds, where). A point
    // is known by where its first arm is written.
    let choices: Vec<Vec<(Span, usize, String, Span)>> = runs
        .iter()
        .map(|r| {
            r.path
                .iter()
                .map(|(p, arm)| {
                    let (text, at) = p.arms[*arm].clone();
                    (p.arms[0].1, *arm, text, at)
                })
                .collect()
        })
        .collect();
    // An undecided condition is reported when it matters: two variants
    // that took different arms at it, and the same arms at every other
    // point both met, found different pools or findings.
    let mut matters: Vec<Span> = Vec::new();
    for a in 0..total {
        for b in a + 1..total {
            if runs[a].pools == runs[b].pools && runs[a].diags == runs[b].diags {
                continue;
            }
            let differ: Vec<Span> = runs[a]
                .path
                .iter()
                .filter_map(|(pa, arm_a)| {
                    let key = pa.arms[0].1;
                    runs[b]
                        .path
                        .iter()
                        .any(|(pb, arm_b)| pb.arms[0].1 == key && arm_b != arm_a)
                        .then_some(key)
                })
                .collect();
            if let [key] = differ.as_slice()
                && !matters.contains(key)
            {
                matters.push(*key);
            }
        }
    }
    for run in &runs {
        for (at, d) in &run.undecided {
            if matters.contains(at) && !seen_diags.contains(d) {
                seen_diags.push(d.clone());
            }
        }
    }
    for (i, run) in runs.into_iter().enumerate() {
        for d in run.diags {
            let no_settings =
                d.code == codes::INVALID_VALUE && d.message.starts_with("no app settings found");
            if (no_settings && any_pools) || seen_diags.contains(&d) {
                continue;
            }
            seen_diags.push(d);
        }
        for b in run.built {
            if !built.contains(&b) {
                built.push(b);
            }
        }
        for pool in run.pools {
            match groups.iter_mut().find(|(p, _)| *p == pool) {
                Some((_, in_runs)) => in_runs.push(i),
                None => groups.push((pool, vec![i])),
            }
        }
    }
    diags.extend(seen_diags);
    let to_conditions = |picked: &[&(Span, usize, String, Span)]| -> Vec<super::Condition> {
        picked
            .iter()
            .map(|(_, _, text, at)| super::Condition {
                text: text.clone(),
                location: at_space(spaces, *at),
            })
            .collect()
    };
    let mut pools = Vec::new();
    for (pool, in_runs) in groups {
        // In every variant read: plain, unless some were not read (then
        // it is only known to hold under the arms those variants share).
        if in_runs.len() == total && (complete || choices.iter().all(Vec::is_empty)) {
            pools.push(pool);
            continue;
        }
        // The arms every variant holding the pool took.
        let common: Vec<&(Span, usize, String, Span)> = choices[in_runs[0]]
            .iter()
            .filter(|c| in_runs.iter().all(|&r| choices[r].contains(c)))
            .collect();
        let exact = !common.is_empty()
            && (0..total)
                .all(|r| in_runs.contains(&r) || !common.iter().all(|c| choices[r].contains(c)));
        if exact {
            let mut p = pool;
            p.variant = Some(super::Variant {
                conditions: to_conditions(&common),
                file: spaces[0],
                runs: in_runs,
                of: total,
            });
            pools.push(p);
        } else {
            for &r in &in_runs {
                let all: Vec<&(Span, usize, String, Span)> = choices[r].iter().collect();
                let mut p = pool.clone();
                p.variant = Some(super::Variant {
                    conditions: to_conditions(&all),
                    file: spaces[0],
                    runs: vec![r],
                    of: total,
                });
                pools.push(p);
            }
        }
    }
    (pools, built)
}

/// A dict entry by name and keys (`DATABASES`, `["default"]`).
type EntryPath = (String, Vec<Key>);

/// Module names shadowed by a function's locals, with what they were.
type Shadowed = Vec<(String, Option<Option<Node>>)>;

/// The recorded unknowns of names a function's locals shadow.
type SavedUnknowns = Vec<(String, Option<Vec<Unknown>>)>;

/// One engine call read: its name, its keywords, the span of an unknown URL.
type EngineRead = (Key, Node, Option<Span>);

/// A Flask config candidate: its name, where it is declared, its settings.
type Candidate = (String, Span, Vec<(Key, Node)>);

/// A config class: its own attributes and its bases.
struct Class {
    name: String,
    span: Span,
    bases: Vec<String>,
    attrs: Vec<(Key, Node)>,
    /// A pydantic settings class: a Flask config candidate only when the
    /// file makes no engine itself (then its `SQLALCHEMY_*` fields are the
    /// app's config, as in Dify; otherwise they feed `create_engine`).
    settings: bool,
    /// Flask keys a settings class declares whose values are unknown:
    /// reported when the class is taken as the Flask config.
    unknown_keys: Vec<(String, Unknown)>,
}

struct Reader<'s> {
    ev: Eval<'s>,
    /// The settings file (module 0) and the project modules it imports.
    project: &'s imports::Project,
    /// The names that may reach a setting (see [`relevance`]); `None`:
    /// every name may.
    relevant: &'s std::cell::OnceCell<Option<HashSet<String>>>,
    /// The module being read.
    current: usize,
    /// The modules being read, outermost first (an import of one of them
    /// is a cycle).
    stack: Vec<usize>,
    /// Loop variables standing for a dict's entries (see
    /// [`Reader::for_statement`]): name -> (dict name, keys).
    aliases: HashMap<String, EntryPath>,
    /// The namespace of each module imported by name, once read, and the
    /// functions it defines.
    namespaces: HashMap<usize, Option<Node>>,
    ns_functions: HashMap<usize, HashMap<String, inline::FnRef>>,
    diags: Vec<Diagnostic>,
    /// Where each module-level name was last assigned (the target).
    targets: HashMap<String, Span>,
    /// Assignments of settings paths, in order: (path, statement span, value).
    /// The innermost branch each was made in (`None`: unconditional), so an
    /// assignment in a branch is not "overridden" by one outside it (TL014).
    records: Vec<(String, Span, Option<Node>, Option<Span>)>,
    /// The blocks of the branches being read, innermost last.
    branch: Vec<Span>,
    classes: Vec<Class>,
    /// Settings placed where the framework ignores them: (name, span, framework).
    ignored: Vec<(String, Span, Framework)>,
    /// Spans of unknown URL expressions (their TL002s are dropped).
    unknown_urls: Vec<Span>,
    /// Spans already reported as unknown.
    reported: HashSet<Span>,
    /// A Django ENGINE or database URL was unknown (its "missing ENGINE" is dropped).
    engine_unknown: bool,
    /// Engine calls read so far, by start byte (see [`Reader::engines_in`]).
    engines_done: HashSet<usize>,
    /// The engines read: (start byte of the call, (name, kwargs, unknown URL
    /// span), made by create_async_engine).
    engines_read: Vec<(usize, EngineRead, bool)>,
    /// Blocks of branches not taken in this variant: nothing in them is read.
    skipped: Vec<Span>,
    /// Each module's engine and dict-method calls and import bindings
    /// (see [`scan`]), by module index.
    scans: &'s [Scan<'s>],
}

/// A place where the reader cannot tell which way the code goes: an `if`
/// whose condition is unknown (two arms: true, false), or a `try` with
/// handlers (the body, then one arm per `except`).
#[derive(Clone, Debug)]
pub(super) struct Point {
    /// Each arm: what holds when it is taken, and where that is written.
    pub arms: Vec<(String, Span)>,
}

/// The statements a block is read as: module level, or a class body.
enum Scope {
    Module,
    Class(ClassBody),
}

/// A class body being read: its attributes so far, and the module names it
/// shadows (restored after it).
struct ClassBody {
    name: String,
    attrs: Vec<(Key, Node)>,
    saved: Vec<(String, Option<Option<Node>>)>,
    /// `Some` for a pydantic settings class: its fields so far.
    settings: Option<pydantic::SettingsClass>,
}

/// How many rounds of a module-level `for` loop are unrolled at most.
pub(super) const MAX_LOOP: usize = 64;

/// How many variants of one file are read at most (every combination of
/// the arms at undecided points, in order); the rest are reported (TL012).
pub(super) const MAX_VARIANTS: usize = 64;

/// The next combination of arms after `path` (depth first: the last point
/// with an arm left moves on, the points after it start over), or `None`
/// when every combination was read.
fn next_choices(path: &[(Point, usize)]) -> Option<Vec<usize>> {
    let i = path.iter().rposition(|(p, arm)| arm + 1 < p.arms.len())?;
    let mut next: Vec<usize> = path[..i].iter().map(|(_, a)| *a).collect();
    next.push(path[i].1 + 1);
    Some(next)
}

/// The arms of an `if` statement in order: (condition, block) for the
/// `if` and each `elif`, then (`None`, block) for the `else`. Empty when
/// the `if` itself is incomplete (a syntax error).
pub(super) fn if_arms(s: Py<'_>) -> Vec<(Option<Py<'_>>, Py<'_>)> {
    let (Some(cond), Some(body)) = (
        s.child_by_field_name("condition"),
        s.child_by_field_name("consequence"),
    ) else {
        return Vec::new();
    };
    let mut arms = vec![(Some(cond), body)];
    let mut c = s.walk();
    for alt in s.children_by_field_name("alternative", &mut c) {
        match alt.kind() {
            "elif_clause" => {
                if let (Some(cond), Some(body)) = (
                    alt.child_by_field_name("condition"),
                    alt.child_by_field_name("consequence"),
                ) {
                    arms.push((Some(cond), body));
                }
            }
            "else_clause" => {
                if let Some(body) = alt.child_by_field_name("body") {
                    arms.push((None, body));
                }
            }
            _ => {}
        }
    }
    arms
}

/// `a == b` written as its opposite, `a != b` (also `in` / `not in`, `is` /
/// `is not`), for the label of a condition's false arm; `None` for
/// anything but a single such comparison.
pub(super) fn negate_comparison(cond: Py<'_>, src: &str) -> Option<String> {
    if cond.kind() != "comparison_operator" || cond.child_count() != 3 {
        return None;
    }
    let (l, op, r) = (cond.child(0)?, cond.child(1)?, cond.child(2)?);
    let opposite = match op
        .kind()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .as_str()
    {
        "==" => "!=",
        "!=" => "==",
        "in" => "not in",
        "not in" => "in",
        "is" => "is not",
        "is not" => "is",
        _ => return None,
    };
    let text = |n: Py<'_>| src.get(n.start_byte()..n.end_byte()).unwrap_or("");
    Some(one_line(&format!("{} {opposite} {}", text(l), text(r))))
}

/// Source text on one line, shortened for a label.
pub(super) fn one_line(t: &str) -> String {
    let t: String = t.split_whitespace().collect::<Vec<_>>().join(" ");
    if t.chars().count() > 70 {
        let cut: String = t.chars().take(67).collect();
        format!("{cut}...")
    } else {
        t
    }
}

pub(super) fn is_setting(name: &str) -> bool {
    name == "DATABASES" || name.starts_with("SQLALCHEMY_") || name.starts_with("CONN_")
}

impl<'s> Reader<'s> {
    fn loc(&self, s: Span) -> Location {
        let (i, local) = eval::space_of(s);
        let file = self.project.modules.get(i).map_or(self.ev.file, |m| m.file);
        Location::new(file, local)
    }

    /// Reports the unknowns recorded so far (those under irrelevant keys are dropped).
    fn report(&mut self, what: &str) {
        for u in self.ev.take_unknowns() {
            let last = what.rsplit('.').next().unwrap_or(what);
            if !u.limit
                && (u.key.as_deref().is_some_and(|k| IRRELEVANT.contains(&k))
                    || (u.key.is_none() && IRRELEVANT_SETTINGS.contains(&last)))
            {
                continue;
            }
            if what.starts_with("DATABASES")
                && (what == "DATABASES" || matches!(u.key.as_deref(), None | Some("ENGINE")))
            {
                self.engine_unknown = true;
            }
            self.report_one(what, &u);
        }
    }

    /// Drops the unknowns recorded so far (the value does not matter) but
    /// reports the safety limits among them.
    fn drop_unknowns(&mut self) {
        for u in self.ev.take_unknowns() {
            if u.limit {
                self.report_one("", &u);
            }
        }
    }

    fn report_one(&mut self, what: &str, u: &Unknown) {
        if !self.reported.insert(u.span) {
            return;
        }
        if u.limit {
            let label = Label::at(self.loc(u.span), "not evaluated");
            self.diags.push(Diagnostic::new(
                codes::UNKNOWN_PYTHON_VALUE,
                u.why.clone(),
                label,
            ));
            return;
        }
        let name = match &u.key {
            Some(k) if k != what => format!("{what}: {k}"),
            _ => what.to_string(),
        };
        let msg = format!(
            "the value of {name} is {} and cannot be read without running the code; it is left out, so the documented default applies (give environment values in the manifest's [path.env] or with --env-file, or write a literal)",
            u.why
        );
        let label = Label::at(self.loc(u.span), "value unknown");
        self.diags
            .push(Diagnostic::new(codes::UNKNOWN_PYTHON_VALUE, msg, label));
    }

    fn module(&mut self, root: Py<'_>) {
        let mut scope = Scope::Module;
        self.block(root, &mut scope);
    }

    /// The statements of a module, a class body or a branch taken, in order.
    fn block(&mut self, body: Py<'_>, scope: &mut Scope) {
        let mut c = body.walk();
        let stmts: Vec<Py<'_>> = body.named_children(&mut c).collect();
        for s in stmts {
            match s.kind() {
                "if_statement" => self.if_statement(s, scope),
                "try_statement" => self.try_statement(s, scope),
                "with_statement" => {
                    if let Some(b) = s.child_by_field_name("body") {
                        self.block(b, scope);
                    }
                }
                "for_statement" if matches!(scope, Scope::Module) => self.for_statement(s, scope),
                _ => match scope {
                    Scope::Module => {
                        // Conditions in functions it calls branch only when
                        // the statement may change a setting (told lazily).
                        self.ev.statement = Some((self.current, s.start_byte(), s.end_byte()));
                        self.ev.branching = None;
                        // Engines made by this statement see the names as
                        // they are now (their keywords are copied at the
                        // call); those in functions and classes are read at
                        // the end, with the module's last values.
                        if !matches!(
                            s.kind(),
                            "function_definition" | "class_definition" | "decorated_definition"
                        ) {
                            self.engines_in(s);
                        }
                        self.statement(s);
                    }
                    Scope::Class(body) => {
                        self.ev.statement = Some((self.current, s.start_byte(), s.end_byte()));
                        self.ev.branching = None;
                        self.class_statement(s, body);
                    }
                },
            }
        }
    }

    /// Whether a condition is true, when it is known; else why not.
    fn decide(&mut self, cond: Py<'_>) -> Result<bool, String> {
        let before = self.ev.unknowns.len();
        let v = self.ev.eval(cond);
        let met = self.ev.unknowns.split_off(before);
        let mut why = None;
        for u in met {
            if u.limit {
                self.report_one("", &u);
            } else if why.is_none() {
                why = Some(u.why);
            }
        }
        match (v, why) {
            (Some(v), None) => Ok(eval::truthy(&v.kind)),
            (_, why) => Err(why.unwrap_or_else(|| "an expression".to_string())),
        }
    }

    /// `if` / `elif` / `else`: a known condition picks its branch; an
    /// unknown one is a point with two arms (it holds, it does not), each a
    /// variant, reported once (TL012).
    fn if_statement(&mut self, s: Py<'_>, scope: &mut Scope) {
        let arms = if_arms(s);
        let mut taken = None;
        let mut relevant: Option<bool> = None;
        for (i, (cond, _)) in arms.iter().enumerate() {
            let Some(cond) = *cond else {
                taken = Some(i);
                break;
            };
            let decided = self.decide(cond);
            if decided.is_err() && relevant.is_none() {
                relevant = Some(arms.iter().any(|(_, b)| self.block_relevant(*b)));
            }
            let go = match decided {
                Ok(b) => b,
                // No branch can change a setting: none is read.
                Err(_) if relevant == Some(false) => break,
                Err(why) => self.ev.branch_on(cond, &why),
            };
            if go {
                taken = Some(i);
                break;
            }
        }
        for (i, (_, body)) in arms.iter().enumerate() {
            if Some(i) != taken {
                self.skipped.push(self.ev.sp(*body));
            }
        }
        if let Some(i) = taken {
            self.in_branch(arms[i].1, scope);
        }
    }

    /// Reads the block of a branch taken (decided or not): settings set in
    /// it are recorded as set in that branch.
    fn in_branch(&mut self, block: Py<'_>, scope: &mut Scope) {
        self.branch.push(self.ev.sp(block));
        self.block(block, scope);
        self.branch.pop();
    }

    /// `try` / `except` / `else` / `finally`: the body (then `else`) is one
    /// variant and each handler another, since whether the body raises
    /// (a missing module, a missing environment variable) is not known;
    /// `finally` runs in all of them.
    fn try_statement(&mut self, s: Py<'_>, scope: &mut Scope) {
        let Some(body) = s.child_by_field_name("body") else {
            return;
        };
        let mut handlers: Vec<(Py<'_>, Py<'_>)> = Vec::new();
        let mut else_body = None;
        let mut finally_body = None;
        let mut c = s.walk();
        let clauses: Vec<Py<'_>> = s.named_children(&mut c).collect();
        for clause in clauses {
            let block = || {
                (0..clause.named_child_count())
                    .filter_map(|i| clause.named_child(u32::try_from(i).ok()?))
                    .find(|b| b.kind() == "block")
            };
            match clause.kind() {
                "except_clause" | "except_group_clause" => {
                    if let Some(b) = block() {
                        handlers.push((clause, b));
                    }
                }
                "else_clause" => else_body = clause.child_by_field_name("body"),
                "finally_clause" => finally_body = block(),
                _ => {}
            }
        }
        let arm = if handlers.is_empty()
            || !std::iter::once(body)
                .chain(else_body)
                .chain(handlers.iter().map(|(_, b)| *b))
                .any(|b| self.block_relevant(b))
        {
            0
        } else {
            let try_at = Span::new(s.start_byte(), s.start_byte() + 3);
            let mut arms = vec![("when the `try` body runs without error".to_string(), try_at)];
            for (clause, b) in &handlers {
                let what = match clause.child_by_field_name("value") {
                    Some(v) => one_line(self.ev.text(v)),
                    None => "any exception".to_string(),
                };
                let head = Span::new(clause.start_byte(), b.start_byte().max(clause.start_byte()));
                arms.push((format!("when the `try` body raises {what}"), head));
            }
            self.ev.choose(Point { arms })
        };
        let mut chosen = Vec::new();
        if arm == 0 {
            chosen.push(body);
            chosen.extend(else_body);
            self.skipped
                .extend(handlers.iter().map(|(_, b)| self.ev.sp(*b)));
        } else {
            self.skipped.push(self.ev.sp(body));
            self.skipped.extend(else_body.map(span));
            for (i, (_, b)) in handlers.iter().enumerate() {
                if i + 1 == arm {
                    chosen.push(*b);
                } else {
                    self.skipped.push(self.ev.sp(*b));
                }
            }
        }
        for b in chosen {
            self.in_branch(b, scope);
        }
        if let Some(b) = finally_body {
            self.block(b, scope);
        }
    }

    /// Whether a block may change a setting (see [`relevance`]).
    fn block_relevant(&self, b: Py<'_>) -> bool {
        let project = self.project;
        let current = self.current;
        let in_project = |m: &str| project.lookup(current, m).is_some();
        let relevant = self
            .relevant
            .get_or_init(|| relevance::relevant_names(&project.modules))
            .as_ref();
        relevance::block_relevant(b, self.ev.src, relevant, &in_project)
    }

    /// Whether `n` is inside a branch not taken in this variant.
    fn is_skipped(&self, n: Py<'_>) -> bool {
        let at = n.start_byte();
        self.skipped.iter().any(|s| s.start <= at && at < s.end)
    }

    /// Reads the engine calls in `n` (not `SQLAlchemy(...)`, whose options
    /// are read when the app starts), each once.
    fn engines_in(&mut self, n: Py<'_>) {
        if self.current != 0 {
            // Engines made by imported modules are not this app's settings.
            return;
        }
        let calls = walk::within(&self.scans[0].calls, n);
        for call in calls {
            if self.engines_done.contains(&call.start_byte()) || self.is_skipped(call) {
                continue;
            }
            let callee = self.ev.callee(call);
            let last = callee.rsplit('.').next().unwrap_or("").to_string();
            if last == "SQLAlchemy" {
                continue;
            }
            self.engines_done.insert(call.start_byte());
            self.ev.branching = Some(true);
            // An engine made in a function sees the function's locals as
            // they are at the call (its parameters are unknown).
            let (shadowed, saved_unknowns) = self.function_locals(call);
            if let Some(engine) = self.engine(call, &last) {
                self.engines_read
                    .push((call.start_byte(), engine, last == "create_async_engine"));
            }
            for (name, old) in shadowed.into_iter().rev() {
                match old {
                    Some(v) => self.ev.names.insert(name, v),
                    None => self.ev.names.remove(&name),
                };
            }
            for (name, old) in saved_unknowns.into_iter().rev() {
                match old {
                    Some(v) => self.ev.name_unknowns.insert(name, v),
                    None => self.ev.name_unknowns.remove(&name),
                };
            }
        }
    }

    /// The locals of the function (or method) `call` is in, as they are at
    /// the call: its parameters (unknown, "a parameter of `f`") and, in each
    /// block from the function body down to the call, the statements before
    /// it that assign a local name (`x = ...`, `x += ...`) or change a local
    /// dict (`x.update(...)`, `x["k"] = v`). Other statements are passed
    /// over: a name they would bind stays as it was. Returns the module
    /// names they shadow, to restore (innermost last).
    fn function_locals(&mut self, call: Py<'_>) -> (Shadowed, SavedUnknowns) {
        let mut chain = Vec::new();
        let mut cur = call;
        let mut func = None;
        while let Some(p) = cur.parent() {
            if p.kind() == "block" {
                chain.push((p, cur));
            }
            if p.kind() == "function_definition" {
                func = Some(p);
                break;
            }
            cur = p;
        }
        let mut shadowed: Vec<(String, Option<Option<Node>>)> = Vec::new();
        let mut saved_unknowns: Vec<(String, Option<Vec<Unknown>>)> = Vec::new();
        let Some(func) = func else {
            return (shadowed, saved_unknowns);
        };
        if let Some(params) = func.child_by_field_name("parameters") {
            let mut c = params.walk();
            let list: Vec<Py<'_>> = params.named_children(&mut c).collect();
            for p in list {
                let id = match p.kind() {
                    "identifier" => Some(p),
                    "default_parameter" | "typed_default_parameter" => {
                        p.child_by_field_name("name")
                    }
                    _ => (0..p.named_child_count())
                        .filter_map(|i| p.named_child(u32::try_from(i).ok()?))
                        .find(|n| n.kind() == "identifier"),
                };
                if let Some(id) = id {
                    let name = self.ev.text(id).to_string();
                    let why = Unknown {
                        span: self.ev.sp(id),
                        why: format!("the parameter `{name}`, set by the function's callers"),
                        key: None,
                        limit: false,
                    };
                    let old = self.ev.name_unknowns.insert(name.clone(), vec![why]);
                    saved_unknowns.push((name.clone(), old));
                    inline::shadow(&mut self.ev, &mut shadowed, name, None);
                }
            }
        }
        // Outermost block first.
        for (block, toward) in chain.into_iter().rev() {
            let mut c = block.walk();
            let stmts: Vec<Py<'_>> = block.named_children(&mut c).collect();
            for st in stmts {
                if st.start_byte() >= toward.start_byte() {
                    break;
                }
                let Some(e) = st
                    .named_child(0)
                    .filter(|_| st.kind() == "expression_statement")
                else {
                    continue;
                };
                match e.kind() {
                    "assignment" | "augmented_assignment" => {
                        let (Some(l), Some(r)) = (
                            e.child_by_field_name("left"),
                            e.child_by_field_name("right"),
                        ) else {
                            continue;
                        };
                        if l.kind() != "identifier" {
                            continue;
                        }
                        let name = self.ev.text(l).to_string();
                        let mut v = self.ev.eval(r);
                        if e.kind() == "augmented_assignment" {
                            let op = e
                                .child_by_field_name("operator")
                                .map(|o| self.ev.text(o).trim_end_matches('=').to_string())
                                .unwrap_or_default();
                            let current = self.ev.names.get(&name).cloned().flatten();
                            v = match (current, v) {
                                (Some(c), Some(x)) => eval::combine(&op, c.kind, x.kind)
                                    .map(|k| Node::new(k, self.ev.sp(e))),
                                _ => None,
                            };
                        }
                        let met = self.ev.take_unknowns();
                        let old = self
                            .ev
                            .name_unknowns
                            .insert(name.clone(), met.into_iter().filter(|u| !u.limit).collect());
                        if !saved_unknowns.iter().any(|(n, _)| *n == name) {
                            saved_unknowns.push((name.clone(), old));
                        }
                        inline::shadow(&mut self.ev, &mut shadowed, name, v);
                    }
                    "call" => {
                        // `x.update(...)` on a local dict: applied (or
                        // the dict becomes unknown), as at module level.
                        if let Some(base) = e
                            .child_by_field_name("function")
                            .and_then(|f| f.child_by_field_name("object"))
                            .and_then(|o| self.plain_base(o))
                            && shadowed.iter().any(|(n, _)| *n == base)
                        {
                            self.dict_method(e);
                        }
                    }
                    _ => {}
                }
            }
        }
        (shadowed, saved_unknowns)
    }

    fn statement(&mut self, s: Py<'_>) {
        match s.kind() {
            "expression_statement" => {
                let Some(e) = s.named_child(0) else { return };
                match e.kind() {
                    "assignment" => {
                        self.assignment(e, s);
                        self.mutations_in(e);
                    }
                    "call" if !self.dict_method(e) => self.update_call(e),
                    "augmented_assignment" => self.augmented(e),
                    _ => {}
                }
            }
            "delete_statement" => self.delete(s),
            "function_definition" => self.define(s),
            "import_from_statement" => self.import_from(s),
            "import_statement" => self.import(s),
            "class_definition" => self.class(s),
            "decorated_definition" => {
                if let Some(d) = s.child_by_field_name("definition") {
                    match d.kind() {
                        "class_definition" => self.class(d),
                        "function_definition" => self.define(d),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }

    /// `def f(...)` at module level: callable from now on (see [`inline`]).
    fn define(&mut self, d: Py<'_>) {
        let Some(name) = d.child_by_field_name("name") else {
            return;
        };
        let name = self.ev.text(name).to_string();
        self.ev.names.remove(&name);
        self.ev.functions.insert(
            name,
            inline::FnRef {
                module: self.current,
                start: d.start_byte(),
                end: d.end_byte(),
            },
        );
    }

    /// Source text without whitespace (a dotted name as written).
    fn compact(&self, n: Py<'_>) -> String {
        self.ev.text(n).split_whitespace().collect()
    }

    /// `from X import *` reads the project module `X` here, into this
    /// namespace (so later assignments win, as in Python);
    /// `from X import a, b as c` binds names of `X`'s namespace (or the
    /// submodules `X.a`). A module outside the project leaves the names
    /// unknown (a later use is a TL012 naming the module).
    fn import_from(&mut self, s: Py<'_>) {
        let Some(module) = s.child_by_field_name("module_name") else {
            return;
        };
        let base = self.compact(module);
        let mut c = s.walk();
        if s.named_children(&mut c)
            .any(|n| n.kind() == "wildcard_import")
        {
            if let Some(idx) = self.project.lookup(self.current, &base) {
                self.read_module(idx);
            }
            return;
        }
        let mut c = s.walk();
        let names: Vec<(String, String)> = s
            .children_by_field_name("name", &mut c)
            .filter_map(|n| match n.kind() {
                "aliased_import" => Some((
                    self.compact(n.child_by_field_name("name")?),
                    self.compact(n.child_by_field_name("alias")?),
                )),
                _ => Some((self.compact(n), self.compact(n))),
            })
            .collect();
        for (name, alias) in names {
            let sub = imports::submodule(&base, &name);
            let value = if let Some(idx) = self.project.lookup(self.current, &sub) {
                self.namespace(idx, self.ev.sp(s))
            } else if let Some(idx) = self.project.lookup(self.current, &base) {
                let ns = self.namespace(idx, self.ev.sp(s));
                if let Some(fr) = self.ns_functions.get(&idx).and_then(|f| f.get(&name)) {
                    let fr = *fr;
                    self.ev.names.remove(&alias);
                    self.ev.functions.insert(alias.clone(), fr);
                    continue;
                }
                ns.and_then(|ns| match ns.kind {
                    NodeKind::Map(entries) => entries
                        .into_iter()
                        .find(|(k, _)| k.text == name)
                        .map(|(_, v)| v),
                    _ => None,
                })
            } else {
                self.outside(&alias, &base);
                continue;
            };
            self.bind(&alias, value, &format!("`{name}` from `{base}`"));
        }
    }

    /// `import X`, `import X.Y as Z`: the project module's namespace, read
    /// as a mapping so `X.NAME` is known; `import a.b` binds `a` with `b` in it.
    fn import(&mut self, s: Py<'_>) {
        let mut c = s.walk();
        let names: Vec<(String, Option<String>)> = s
            .children_by_field_name("name", &mut c)
            .filter_map(|n| match n.kind() {
                "aliased_import" => Some((
                    self.compact(n.child_by_field_name("name")?),
                    Some(self.compact(n.child_by_field_name("alias")?)),
                )),
                _ => Some((self.compact(n), None)),
            })
            .collect();
        for (dotted, alias) in names {
            let Some(idx) = self.project.lookup(self.current, &dotted) else {
                let bound = alias
                    .clone()
                    .unwrap_or_else(|| dotted.split('.').next().unwrap_or(&dotted).to_string());
                self.outside(&bound, &dotted);
                continue;
            };
            let value = self.namespace(idx, self.ev.sp(s));
            match alias {
                Some(a) => self.bind(&a, value, &format!("module `{dotted}`")),
                None => {
                    // `import a.b.c` binds `a`: {b: {c: namespace}}.
                    let parts: Vec<&str> = dotted.split('.').collect();
                    let mut v = value;
                    for part in parts[1..].iter().rev() {
                        let at = self.ev.sp(s);
                        v = v.map(|inner| {
                            let key = Key {
                                text: (*part).to_string(),
                                span: at,
                            };
                            Node::new(NodeKind::Map(vec![(key, inner)]), at)
                        });
                    }
                    self.bind(parts[0], v, &format!("module `{dotted}`"));
                }
            }
        }
    }

    /// Binds an imported name; an unknown value records why.
    fn bind(&mut self, name: &str, value: Option<Node>, what: &str) {
        if value.is_none() {
            self.ev.name_unknowns.remove(name);
            self.ev.names.remove(name);
            self.ev.imported.insert(
                name.to_string(),
                format!("{what}, whose value the tool could not read"),
            );
            return;
        }
        self.ev.name_unknowns.remove(name);
        self.ev.imported.remove(name);
        self.ev.names.insert(name.to_string(), value);
    }

    /// A name imported from a module that is not part of the project
    /// (installed, or not found): unknown, and a use says where it is from.
    fn outside(&mut self, name: &str, module: &str) {
        self.ev.name_unknowns.remove(name);
        self.ev.names.remove(name);
        self.ev.imported.insert(
            name.to_string(),
            format!("imported from `{module}`, which is not among the project's files (installed packages are never read)"),
        );
    }

    /// Reads module `idx` here, into the current namespace (`from X import *`).
    /// A module already being read (an import cycle) is not read again: as
    /// in Python, whose partly run module holds only the names assigned so
    /// far, which are already in this namespace.
    fn read_module(&mut self, idx: usize) {
        if self.stack.contains(&idx) || idx == self.current {
            return;
        }
        let project = self.project;
        let m = &project.modules[idx];
        let saved = (
            self.ev.src,
            self.ev.file,
            self.ev.base,
            self.current,
            std::mem::take(&mut self.ev.imports),
        );
        self.ev.src = &m.text;
        self.ev.file = m.file;
        self.ev.base = idx << eval::SPACE_BITS;
        self.ev.imports = self.scans[idx].imports.clone();
        self.stack.push(self.current);
        self.current = idx;
        let mut scope = Scope::Module;
        self.block(m.tree.root_node(), &mut scope);
        self.current = saved.3;
        self.stack.pop();
        self.ev.src = saved.0;
        self.ev.file = saved.1;
        self.ev.base = saved.2;
        self.ev.imports = saved.4;
    }

    /// The namespace of module `idx` after it runs, as a mapping of its
    /// known names (sorted by name), read once per variant in a namespace
    /// of its own; `None` for an import cycle.
    fn namespace(&mut self, idx: usize, at: Span) -> Option<Node> {
        if let Some(ns) = self.namespaces.get(&idx) {
            return ns.clone();
        }
        if self.stack.contains(&idx) || idx == self.current {
            // An import cycle: Python hands out the partly run module,
            // with the names assigned so far (those of this namespace).
            let mut entries: Vec<(Key, Node)> = self
                .ev
                .names
                .iter()
                .filter_map(|(name, v)| {
                    let v = v.clone()?;
                    let span = self.targets.get(name).copied().unwrap_or(v.span);
                    Some((
                        Key {
                            text: name.clone(),
                            span,
                        },
                        v,
                    ))
                })
                .collect();
            entries.sort_by(|a, b| a.0.text.cmp(&b.0.text));
            return Some(Node::new(NodeKind::Map(entries), at));
        }
        let names = std::mem::take(&mut self.ev.names);
        let name_unknowns = std::mem::take(&mut self.ev.name_unknowns);
        let imported = std::mem::take(&mut self.ev.imported);
        let targets = std::mem::take(&mut self.targets);
        let records = std::mem::take(&mut self.records);
        let classes = std::mem::take(&mut self.classes);
        let ignored = std::mem::take(&mut self.ignored);
        let functions = std::mem::take(&mut self.ev.functions);
        self.read_module(idx);
        let their_functions = std::mem::replace(&mut self.ev.functions, functions);
        self.ns_functions.insert(idx, their_functions);
        let theirs = std::mem::replace(&mut self.ev.names, names);
        let their_targets = std::mem::replace(&mut self.targets, targets);
        self.ev.name_unknowns = name_unknowns;
        self.ev.imported = imported;
        self.records = records;
        self.classes = classes;
        self.ignored = ignored;
        let mut entries: Vec<(Key, Node)> = theirs
            .into_iter()
            .filter_map(|(name, v)| {
                let v = v?;
                let span = their_targets.get(&name).copied().unwrap_or(v.span);
                Some((Key { text: name, span }, v))
            })
            .collect();
        entries.sort_by(|a, b| a.0.text.cmp(&b.0.text));
        let base = idx << eval::SPACE_BITS;
        let ns = Some(Node::new(NodeKind::Map(entries), Span::new(base, base)));
        self.namespaces.insert(idx, ns.clone());
        ns
    }

    /// `A = value`, and `A = B = value`: the value is evaluated once and
    /// every target gets it (innermost first); a chain is walked iteratively.
    fn assignment(&mut self, a: Py<'_>, stmt: Py<'_>) {
        let mut targets = Vec::new();
        let mut cur = a;
        while let (Some(left), Some(right)) = (
            cur.child_by_field_name("left"),
            cur.child_by_field_name("right"),
        ) {
            targets.push(left);
            if right.kind() != "assignment" {
                break;
            }
            cur = right;
        }
        let value_node = innermost_value(a);
        let mut value: Option<(Option<Node>, Vec<Unknown>)> = None;
        for left in targets.into_iter().rev() {
            if !matches!(left.kind(), "identifier" | "subscript") {
                continue;
            }
            let (v, unknowns) = match &value {
                None => {
                    let v = self.ev.eval(value_node);
                    let unknowns = self.ev.take_unknowns();
                    value = Some((v.clone(), unknowns.clone()));
                    (v, unknowns)
                }
                // One more target: a copy, charged to the evaluator's budget.
                Some((v, unknowns)) => {
                    let (depth, units) = v.as_ref().map_or((0, 0), measure);
                    let size = (depth, units + unknowns.len());
                    if self.ev.may_copy(self.ev.sp(value_node), 0, size) {
                        (v.clone(), unknowns.clone())
                    } else {
                        (None, self.ev.take_unknowns())
                    }
                }
            };
            self.ev.unknowns = unknowns;
            self.assign(left, stmt, v);
        }
    }

    /// One assignment target `left` of statement `stmt` gets `value`; the
    /// unknowns met evaluating it are in `self.ev.unknowns`.
    fn assign(&mut self, left: Py<'_>, stmt: Py<'_>, value: Option<Node>) {
        match left.kind() {
            "identifier" => {
                let name = self.ev.text(left).to_string();
                let pending: Vec<Unknown> = self
                    .ev
                    .unknowns
                    .iter()
                    .filter(|u| !u.limit)
                    .cloned()
                    .collect();
                self.ev.name_unknowns.insert(name.clone(), pending);
                if is_setting(&name) || pool_key(&name).is_some() {
                    self.report(&name);
                } else {
                    self.drop_unknowns();
                }
                self.check_ignored(&name, self.ev.sp(left), None);
                if is_setting(&name) {
                    self.record(&name, self.ev.sp(stmt), value.as_ref());
                }
                self.targets.insert(name.clone(), self.ev.sp(left));
                self.ev.functions.remove(&name);
                self.ev.names.insert(name, value);
            }
            "subscript" => {
                let Some((base, path)) = self.subscript_path(left) else {
                    // `d[key] = v` with a key the tool cannot read: `d` is unknown.
                    self.drop_unknowns();
                    if let Some(base) = self.plain_base(left) {
                        self.forget(&base);
                    }
                    return;
                };
                let what = std::iter::once(base.as_str())
                    .chain(path.iter().map(|k| k.text.as_str()))
                    .collect::<Vec<_>>()
                    .join(".");
                let last = path.last().map(|k| k.text.clone()).unwrap_or_default();
                if is_setting(&base) || is_setting(&last) {
                    self.report(&what);
                } else {
                    self.drop_unknowns();
                }
                if base == "app.config" || base.ends_with(".config") {
                    // `app.config["SQLALCHEMY_DATABASE_URI"] = ...`
                    if let [key] = path.as_slice() {
                        if is_setting(&key.text) {
                            self.record(&key.text, self.ev.sp(stmt), value.as_ref());
                        }
                        self.targets.insert(key.text.clone(), key.span);
                        self.ev.names.insert(key.text.clone(), value);
                    }
                    return;
                }
                if is_setting(&base) {
                    self.record(&what, self.ev.sp(stmt), value.as_ref());
                } else if value.is_none() || !self.ev.names.contains_key(&base) {
                    // An unknown value, or a dict from elsewhere: only part
                    // of it would be known, so all of it is unknown.
                    self.forget(&base);
                    return;
                }
                if let Some(value) = value {
                    self.patch(&base, self.ev.sp(left), &path, value, false);
                }
            }
            _ => {
                self.drop_unknowns();
            }
        }
    }

    /// The name at the root of `d["a"]["b"]` / `d`, when it is a plain
    /// module name (not a setting, not `app.config`).
    fn plain_base(&self, n: Py<'_>) -> Option<String> {
        let mut cur = n;
        while cur.kind() == "subscript" {
            cur = cur.child_by_field_name("value")?;
        }
        if cur.kind() != "identifier" {
            return None;
        }
        let name = self.ev.text(cur).to_string();
        (!is_setting(&name)).then_some(name)
    }

    /// A plain name whose value changed in a way the tool cannot follow:
    /// from now on it is unknown (a later use is a TL012), never a guess.
    fn forget(&mut self, name: &str) {
        if !is_setting(name) {
            self.ev.name_unknowns.remove(name);
            self.ev.names.insert(name.to_string(), None);
        }
    }

    /// The dict `base[path...]` of a plain name, to change in place; `None`
    /// when it is unknown or not a dict.
    fn dict_of(&mut self, base: &str, path: &[Key]) -> Option<&mut Vec<(Key, Node)>> {
        let mut cur = self.ev.names.get_mut(base)?.as_mut()?;
        for key in path {
            let NodeKind::Map(entries) = &mut cur.kind else {
                return None;
            };
            cur = &mut entries.iter_mut().find(|(k, _)| k.text == key.text)?.1;
        }
        match &mut cur.kind {
            NodeKind::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// Dict methods called as statements on plain names (`d.update(...)`,
    /// `d.setdefault(k, v)`, `d.pop(k)`, `d.clear()`, `d["a"].update(...)`),
    /// applied in statement order. A change the tool cannot follow (an
    /// unknown argument, another method) makes the name unknown. `false`
    /// when `call` is not on a plain name (settings are left to
    /// [`Reader::update_call`]).
    fn dict_method(&mut self, call: Py<'_>) -> bool {
        let Some(f) = call.child_by_field_name("function") else {
            return false;
        };
        let (Some(obj), Some(method)) = (
            f.child_by_field_name("object"),
            f.child_by_field_name("attribute"),
        ) else {
            return false;
        };
        if f.kind() != "attribute" {
            return false;
        }
        let Some(base) = self.plain_base(obj) else {
            return false;
        };
        if self.aliases.contains_key(&base) {
            // A loop variable standing for a setting's entry: its
            // `.update(...)` changes the setting (see `update_call`).
            return false;
        }
        let path = match obj.kind() {
            "identifier" => Vec::new(),
            _ => match self.subscript_path(obj) {
                Some((_, p)) => p,
                None => {
                    self.forget(&base);
                    return true;
                }
            },
        };
        let method = self.ev.text(method).to_string();
        let is_dict = self.dict_of(&base, &path).is_some();
        match method.as_str() {
            "get" | "copy" | "keys" | "values" | "items" => return true,
            "update" | "setdefault" | "pop" | "clear" if is_dict => {}
            _ => {
                // Another method: harmless on a non-dict, unknown on a dict.
                if is_dict {
                    self.forget(&base);
                }
                return true;
            }
        }
        let (pos, kw) = self.ev.args(call);
        let before = self.ev.unknowns.len();
        // (key, value): `None` value removes the key.
        let mut changes: Vec<(Key, Option<Node>)> = Vec::new();
        let mut clear = false;
        let mut ok = true;
        match method.as_str() {
            "update" => {
                if let Some(&arg) = pos.first() {
                    match self.ev.eval(arg) {
                        Some(Node {
                            kind: NodeKind::Map(m),
                            ..
                        }) => changes.extend(m.into_iter().map(|(k, v)| (k, Some(v)))),
                        Some(Node {
                            kind: NodeKind::Seq(items),
                            ..
                        }) => match eval::pairs(items) {
                            Some(m) => changes.extend(m.into_iter().map(|(k, v)| (k, Some(v)))),
                            None => ok = false,
                        },
                        _ => ok = false,
                    }
                }
                ok &= pos.len() <= 1;
                let (more, _) = self.ev.call_kwargs(call, &[]);
                changes.extend(more.into_iter().map(|(k, v)| (k, Some(v))));
            }
            "setdefault" | "pop" => {
                let key = pos.first().and_then(|&k| self.ev.string(k).map(|t| (k, t)));
                match key {
                    Some((k, text)) if kw.is_empty() => {
                        let key = Key {
                            text,
                            span: self.ev.sp(k),
                        };
                        let present = self
                            .dict_of(&base, &path)
                            .is_some_and(|d| d.iter().any(|(kk, _)| kk.text == key.text));
                        if method == "pop" {
                            changes.push((key, None));
                        } else if !present {
                            let value = match pos.get(1) {
                                Some(&v) => self.ev.eval_keyed(&key.text, v),
                                None => Some(Node::new(NodeKind::Null, self.ev.sp(call))),
                            };
                            match value {
                                Some(v) => changes.push((key, Some(v))),
                                None => ok = false,
                            }
                        }
                    }
                    _ => ok = false,
                }
            }
            _ => clear = pos.is_empty() && kw.is_empty(),
        }
        let unknown = self.ev.unknowns[before..].iter().any(|u| !u.limit);
        self.drop_unknowns();
        if !ok || unknown || (method == "clear" && !clear) {
            self.forget(&base);
            return true;
        }
        let Some(dict) = self.dict_of(&base, &path) else {
            return true;
        };
        if clear {
            dict.clear();
        }
        for (k, v) in changes {
            match v {
                Some(v) => set_entry(dict, k, v),
                None => dict.retain(|(kk, _)| kk.text != k.text),
            }
        }
        true
    }

    /// Dict methods called inside an assignment's value (`x = d.pop("k")`):
    /// applied after it, in the order written (see [`Reader::dict_method`]).
    fn mutations_in(&mut self, a: Py<'_>) {
        let Some(right) = a.child_by_field_name("right") else {
            return;
        };
        let calls = walk::within(&self.scans[self.current].mutations, right);
        for call in calls {
            self.dict_method(call);
        }
    }

    /// `x += 1`, `d |= {...}`, `d["k"] -= 1` on plain names: applied when
    /// both sides are known, else the name becomes unknown.
    fn augmented(&mut self, a: Py<'_>) {
        let (Some(left), Some(right), Some(op)) = (
            a.child_by_field_name("left"),
            a.child_by_field_name("right"),
            a.child_by_field_name("operator"),
        ) else {
            return;
        };
        let Some(base) = self.plain_base(left) else {
            return;
        };
        let op = self.ev.text(op).trim_end_matches('=').to_string();
        let before = self.ev.unknowns.len();
        let current = self.ev.eval(left);
        let value = self.ev.eval(right);
        let unknown = self.ev.unknowns[before..].iter().any(|u| !u.limit);
        self.drop_unknowns();
        let combined = match (current, value) {
            (Some(c), Some(v)) if !unknown => {
                eval::combine(&op, c.kind, v.kind).map(|k| Node::new(k, self.ev.sp(a)))
            }
            _ => None,
        };
        let Some(combined) = combined else {
            self.forget(&base);
            return;
        };
        match left.kind() {
            "identifier" => {
                self.ev.names.insert(base, Some(combined));
            }
            _ => match self.subscript_path(left) {
                Some((_, path)) => self.patch(&base, self.ev.sp(left), &path, combined, false),
                None => self.forget(&base),
            },
        }
    }

    /// `del d["k"]` (the key is removed) and `del name` on plain names.
    fn delete(&mut self, s: Py<'_>) {
        let mut c = s.walk();
        let targets: Vec<Py<'_>> = s.named_children(&mut c).collect();
        for t in targets {
            let items: Vec<Py<'_>> = if t.kind() == "expression_list" {
                let mut c2 = t.walk();
                t.named_children(&mut c2).collect()
            } else {
                vec![t]
            };
            for t in items {
                let Some(base) = self.plain_base(t) else {
                    continue;
                };
                if t.kind() == "identifier" {
                    self.ev.names.remove(&base);
                    continue;
                }
                match self.subscript_path(t) {
                    Some((_, mut path)) => {
                        let Some(last) = path.pop() else { continue };
                        match self.dict_of(&base, &path) {
                            Some(d) => d.retain(|(k, _)| k.text != last.text),
                            None => self.forget(&base),
                        }
                    }
                    None => self.forget(&base),
                }
            }
        }
    }

    /// `X.update({...})` / `X["a"].update(k=v)` / `app.config.update(...)`.
    fn update_call(&mut self, call: Py<'_>) {
        let Some(f) = call.child_by_field_name("function") else {
            return;
        };
        if f.kind() != "attribute"
            || f.child_by_field_name("attribute").map(|a| self.ev.text(a)) != Some("update")
        {
            return;
        }
        let Some(obj) = f.child_by_field_name("object") else {
            return;
        };
        let (base, path) = match obj.kind() {
            "identifier" => (self.ev.text(obj).to_string(), Vec::new()),
            "attribute" => (
                self.ev.text(obj).split_whitespace().collect::<String>(),
                Vec::new(),
            ),
            "subscript" => match self.subscript_path(obj) {
                Some(p) => p,
                None => return,
            },
            _ => return,
        };
        let (base, path) = self.unalias(base, path);
        let (pos, _) = self.ev.args(call);
        let mut entries: Vec<(Key, Node)> = Vec::new();
        if let Some(&arg) = pos.first()
            && let Some(Node {
                kind: NodeKind::Map(m),
                ..
            }) = self.ev.eval(arg)
        {
            entries.extend(m);
        }
        let (more, _) = self.ev.call_kwargs(call, &[]);
        for (k, v) in more {
            set_entry(&mut entries, k, v);
        }
        let what = std::iter::once(base.as_str())
            .chain(path.iter().map(|k| k.text.as_str()))
            .collect::<Vec<_>>()
            .join(".");
        if is_setting(&base) || base.ends_with(".config") {
            self.report(&what);
        } else {
            self.drop_unknowns();
            return;
        }
        let config = base.ends_with(".config");
        for (k, v) in entries {
            if config {
                self.record(&k.text, self.ev.sp(call), Some(&v));
                self.targets.insert(k.text.clone(), k.span);
                self.ev.names.insert(k.text.clone(), Some(v));
            } else {
                let mut p = path.clone();
                let text = format!("{what}.{}", k.text);
                p.push(k);
                self.record(&text, self.ev.sp(call), Some(&v));
                self.patch(&base, self.ev.sp(obj), &p, v, true);
            }
        }
    }

    /// `A["x"]["y"]`: the base name and the string keys.
    fn subscript_path(&self, n: Py<'_>) -> Option<(String, Vec<Key>)> {
        let mut keys = Vec::new();
        let mut cur = n;
        while cur.kind() == "subscript" {
            let idx = cur.child_by_field_name("subscript")?;
            // A literal key, or a name holding a known string (a loop variable).
            let text = self.ev.string(idx).or_else(|| match idx.kind() {
                "identifier" => match self.ev.names.get(self.ev.text(idx)) {
                    Some(Some(Node {
                        kind: NodeKind::Str(k),
                        ..
                    })) => Some(k.clone()),
                    _ => None,
                },
                _ => None,
            })?;
            keys.push(Key {
                text,
                span: self.ev.sp(idx),
            });
            cur = cur.child_by_field_name("value")?;
        }
        keys.reverse();
        let base: String = match cur.kind() {
            "identifier" | "attribute" => self.ev.text(cur).split_whitespace().collect(),
            _ => return None,
        };
        Some(self.unalias(base, keys))
    }

    /// A loop variable that stands for an entry of a dict (`for db in
    /// DATABASES.values()`): changes through it change the dict, as in
    /// Python, where it is the same object.
    fn unalias(&self, base: String, path: Vec<Key>) -> (String, Vec<Key>) {
        match self.aliases.get(&base) {
            Some((b, p)) => (b.clone(), p.iter().cloned().chain(path).collect()),
            None => (base, path),
        }
    }

    /// `for x in ...:` at module level: a loop over a known list, tuple,
    /// dict (its keys) or `d.keys()` / `d.values()` / `d.items()` is
    /// unrolled (at most [`MAX_LOOP`] rounds), the loop variable bound in
    /// each; a `.values()` / `.items()` value stands for the dict's entry,
    /// so `db["CONN_MAX_AGE"] = 60` changes it. A loop it cannot follow
    /// (unknown iterable, `break`, `continue`, too many rounds) that may
    /// change a setting is reported (TL012), and the names it assigns
    /// become unknown, never left as if unchanged.
    fn for_statement(&mut self, s: Py<'_>, scope: &mut Scope) {
        let (Some(left), Some(right), Some(body)) = (
            s.child_by_field_name("left"),
            s.child_by_field_name("right"),
            s.child_by_field_name("body"),
        ) else {
            return;
        };
        // Changing an item of the loop variable may change whatever the
        // iterable yields (a setting's entries, for all the tool knows).
        let (jumps, changes_var) = relevance::loop_effects(left, body, self.ev.src);
        let relevant = changes_var || self.block_relevant(body);
        // The rounds: (item, the dict entry it stands for).
        let mut rounds: Vec<(Node, Option<EntryPath>)> = Vec::new();
        let method_call = (right.kind() == "call")
            .then(|| right.child_by_field_name("function"))
            .flatten()
            .filter(|f| f.kind() == "attribute");
        let before = self.ev.unknowns.len();
        let known = if let Some(f) = method_call
            && let (Some(obj), Some(m)) = (
                f.child_by_field_name("object"),
                f.child_by_field_name("attribute"),
            )
            && matches!(self.ev.text(m), "keys" | "values" | "items")
        {
            let method = self.ev.text(m).to_string();
            let path = match obj.kind() {
                "identifier" => Some((self.ev.text(obj).to_string(), Vec::new())),
                "subscript" => self.subscript_path(obj),
                _ => None,
            }
            .map(|(b, p)| self.unalias(b, p));
            match self.ev.eval(obj) {
                Some(Node {
                    kind: NodeKind::Map(entries),
                    ..
                }) => {
                    for (k, v) in entries {
                        let key = Node::new(NodeKind::Str(k.text.clone()), k.span);
                        let entry = path.clone().map(|(b, mut p)| {
                            p.push(k.clone());
                            (b, p)
                        });
                        match method.as_str() {
                            "keys" => rounds.push((key, None)),
                            "values" => rounds.push((v, entry)),
                            _ => {
                                let at = v.span;
                                rounds.push((Node::new(NodeKind::Seq(vec![key, v]), at), entry));
                            }
                        }
                    }
                    true
                }
                _ => false,
            }
        } else {
            match self.ev.eval(right) {
                Some(Node {
                    kind: NodeKind::Seq(items),
                    ..
                }) => {
                    rounds.extend(items.into_iter().map(|i| (i, None)));
                    true
                }
                Some(Node {
                    kind: NodeKind::Map(entries),
                    ..
                }) => {
                    rounds.extend(
                        entries
                            .into_iter()
                            .map(|(k, _)| (Node::new(NodeKind::Str(k.text), k.span), None)),
                    );
                    true
                }
                _ => false,
            }
        };
        let met = self.ev.unknowns.split_off(before);
        for u in met.iter().filter(|u| u.limit) {
            self.report_one("", u);
        }
        if !known || jumps || rounds.len() > MAX_LOOP {
            if relevant {
                let why = if jumps {
                    "`break` / `continue`".to_string()
                } else if known {
                    format!("more than {MAX_LOOP} rounds")
                } else {
                    met.iter().find(|u| !u.limit).map_or_else(
                        || "an iterable it cannot read".to_string(),
                        |u| u.why.clone(),
                    )
                };
                let at = self.ev.sp(right);
                if !self.reported.contains(&at) {
                    self.reported.insert(at);
                    let msg = format!(
                        "this loop cannot be followed without running the code ({why}): the names it assigns are unknown after it (TL012), never taken as unchanged"
                    );
                    let label = Label::at(self.loc(at), "loop not followed");
                    self.diags
                        .push(Diagnostic::new(codes::UNKNOWN_PYTHON_VALUE, msg, label));
                }
                self.forget_assigned(body);
                if changes_var {
                    // Its items may be entries of the settings the iterable
                    // names (`sorted(DATABASES.values())`): those are
                    // unknown too.
                    let mut named: Vec<String> = Vec::new();
                    walk::preorder(right, |n| {
                        if n.kind() == "identifier" {
                            named.push(self.ev.text(n).to_string());
                        }
                        true
                    });
                    for n in named {
                        if is_setting(&n) && self.ev.names.contains_key(&n) {
                            self.ev.names.insert(n.clone(), None);
                            self.engine_unknown |= n == "DATABASES";
                        }
                    }
                }
            }
            return;
        }
        for (item, entry) in rounds {
            self.bind_target(left, item, entry);
            self.in_branch(body, scope);
        }
        if let Some(alt) = s.child_by_field_name("alternative")
            && let Some(b) = alt.child_by_field_name("body")
        {
            self.block(b, scope);
        }
    }

    /// Binds a loop target (`x`, or `k, v` / `(k, v)` of a pair).
    fn bind_target(&mut self, left: Py<'_>, item: Node, entry: Option<EntryPath>) {
        match left.kind() {
            "identifier" => {
                let name = self.ev.text(left).to_string();
                match entry {
                    Some(e) => self.aliases.insert(name.clone(), e),
                    None => self.aliases.remove(&name),
                };
                self.ev.name_unknowns.remove(&name);
                self.ev.names.insert(name, Some(item));
            }
            "pattern_list" | "tuple_pattern" | "tuple" => {
                let mut c = left.walk();
                let parts: Vec<Py<'_>> = left.named_children(&mut c).collect();
                let values: Vec<Node> = match item.kind {
                    NodeKind::Seq(v) if v.len() == parts.len() => v,
                    _ => Vec::new(),
                };
                let last = parts.len().saturating_sub(1);
                for (i, p) in parts.iter().enumerate() {
                    let v = values.get(i).cloned();
                    let e = if i == last { entry.clone() } else { None };
                    match v {
                        Some(v) => self.bind_target(*p, v, e),
                        None => {
                            if p.kind() == "identifier" {
                                let name = self.ev.text(*p).to_string();
                                self.aliases.remove(&name);
                                self.forget(&name);
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }

    /// Every name a block assigns (or changes an item of) becomes unknown.
    fn forget_assigned(&mut self, body: Py<'_>) {
        let mut names: Vec<String> = Vec::new();
        let src = self.ev.src;
        walk::preorder(body, |n| {
            if matches!(n.kind(), "assignment" | "augmented_assignment")
                && let Some(l) = n.child_by_field_name("left")
            {
                let mut cur = l;
                while matches!(cur.kind(), "subscript" | "attribute") {
                    match cur
                        .child_by_field_name("value")
                        .or_else(|| cur.child_by_field_name("object"))
                    {
                        Some(c) => cur = c,
                        None => break,
                    }
                }
                if cur.kind() == "identifier" {
                    names.push(
                        src.get(cur.start_byte()..cur.end_byte())
                            .unwrap_or("")
                            .to_string(),
                    );
                }
            }
            !matches!(n.kind(), "function_definition" | "class_definition")
        });
        for n in names {
            let (base, _) = self.unalias(n, Vec::new());
            if is_setting(&base) {
                // A setting changed in a way not followed: unknown too.
                self.ev.names.insert(base.clone(), None);
                self.engine_unknown |= base == "DATABASES";
            } else {
                self.forget(&base);
            }
        }
    }

    /// Sets `base[path...] = value`, creating mappings on the way (a name
    /// never assigned in this file, e.g. from `from .base import *`, starts empty).
    /// A value that would end up nested deeper than [`MAX_DEPTH`] is not set
    /// (TL012 at `at`).
    fn patch(&mut self, base: &str, at: Span, path: &[Key], value: Node, _merge: bool) {
        if path.len() + measure(&value).0 > MAX_DEPTH {
            let u = Unknown {
                span: at,
                why: too_deep_message(),
                key: None,
                limit: true,
            };
            self.report_one(base, &u);
            return;
        }
        if !self.ev.names.contains_key(base) && is_setting(base) && self.reported.insert(at) {
            let msg = format!(
                "{base} is not assigned in this file (it comes from another module, which is not read): only the keys set here are known, every other key takes its documented default"
            );
            let label = Label::at(self.loc(at), "defined elsewhere");
            self.diags
                .push(Diagnostic::new(codes::UNKNOWN_PYTHON_VALUE, msg, label));
            if base == "DATABASES" {
                self.engine_unknown = true;
            }
        }
        let root = self
            .ev
            .names
            .entry(base.to_string())
            .or_insert_with(|| Some(Node::new(NodeKind::Map(Vec::new()), at)));
        let Some(root) = root.as_mut() else {
            return; // the whole mapping is unknown
        };
        eval::set_at_path(root, path, value);
    }

    /// Records an assignment of a settings path; a mapping records its leaves
    /// (`DATABASES.default.CONN_MAX_AGE`) so patches compare with literals.
    fn record(&mut self, path: &str, stmt: Span, value: Option<&Node>) {
        match value {
            Some(Node {
                kind: NodeKind::Map(m),
                ..
            }) if path.matches('.').count() < 2 => {
                for (k, v) in m {
                    self.record(&format!("{path}.{}", k.text), stmt, Some(v));
                }
            }
            _ => self.records.push((
                path.to_string(),
                stmt,
                value.cloned(),
                self.branch.last().copied(),
            )),
        }
    }

    fn check_ignored(&mut self, name: &str, at: Span, class: Option<&str>) {
        if class.is_none() && matches!(name, "CONN_MAX_AGE" | "CONN_HEALTH_CHECKS" | "OPTIONS") {
            self.ignored.push((name.to_string(), at, Framework::Django));
        } else if pool_key(name).is_some() {
            self.ignored
                .push((name.to_string(), at, Framework::FlaskSqlAlchemy));
        }
    }

    fn class(&mut self, c: Py<'_>) {
        let Some(name) = c.child_by_field_name("name") else {
            return;
        };
        let mut bases = Vec::new();
        if let Some(sup) = c.child_by_field_name("superclasses") {
            let mut cur = sup.walk();
            for b in sup.named_children(&mut cur) {
                if matches!(b.kind(), "identifier" | "attribute") {
                    let t = self.ev.text(b);
                    bases.push(t.rsplit('.').next().unwrap_or(t).to_string());
                }
            }
        }
        let class_name = self.ev.text(name).to_string();
        // Inherited attributes are not visible by name in the body: only the
        // class's own earlier attributes are, plus module names. The module
        // names the body shadows are restored after it (moved, not copied).
        // A pydantic settings class starts with its bases' fields.
        let settings = bases
            .iter()
            .any(|b| b == "BaseSettings" || self.ev.settings_classes.contains_key(b))
            .then(|| {
                let mut sc = pydantic::SettingsClass::default();
                for b in bases.iter().rev() {
                    if let Some(base) = self.ev.settings_classes.get(b) {
                        for f in &base.fields {
                            sc.set_field(f.clone());
                        }
                        for c in &base.computed {
                            sc.computed.retain(|(n, _, _)| *n != c.0);
                            sc.computed.push(c.clone());
                        }
                        sc.env_prefix.clone_from(&base.env_prefix);
                        sc.case_sensitive = base.case_sensitive;
                    }
                }
                sc
            });
        let mut scope = Scope::Class(ClassBody {
            name: class_name,
            attrs: Vec::new(),
            saved: Vec::new(),
            settings,
        });
        if let Some(body) = c.child_by_field_name("body") {
            self.block(body, &mut scope);
        }
        let Scope::Class(ClassBody {
            name: class_name,
            mut attrs,
            saved,
            settings,
        }) = scope
        else {
            return;
        };
        let is_settings = settings.is_some();
        let mut unknown_keys = Vec::new();
        if let Some(sc) = settings {
            // A settings class holding Flask keys (`SQLALCHEMY_DATABASE_URI:
            // str = ...`, a computed `SQLALCHEMY_ENGINE_OPTIONS`) is also a
            // Flask config candidate, with the values its object would have.
            let before = self.ev.unknowns.len();
            if let Some(Node {
                kind: NodeKind::Map(fields),
                span: at,
            }) = self.ev.settings_object(name, &sc)
            {
                // Flask keys declared but not known are said why (TL012),
                // never left to a default silently; the URI is kept (as
                // null) so the engine options are still read.
                let declared: Vec<(String, Span)> = sc
                    .fields
                    .iter()
                    .map(|f| (f.name.clone(), f.span))
                    .chain(sc.computed.iter().map(|(n, s, _)| (n.clone(), *s)))
                    .filter(|(n, _)| {
                        flask::is_flask_key(n) && !fields.iter().any(|(k, _)| k.text == *n)
                    })
                    .collect();
                for (key_name, key_at) in declared {
                    let why = self
                        .ev
                        .absent
                        .get(&(at, key_name.clone()))
                        .cloned()
                        .unwrap_or_else(|| "a value it cannot read".to_string());
                    unknown_keys.push((
                        format!("{class_name}.{key_name}"),
                        Unknown {
                            span: key_at,
                            why,
                            key: None,
                            limit: false,
                        },
                    ));
                    if key_name == flask::URI {
                        self.unknown_urls.push(key_at);
                        let key = Key {
                            text: key_name,
                            span: key_at,
                        };
                        set_entry(&mut attrs, key, Node::new(NodeKind::Null, key_at));
                    }
                }
                for (k, v) in fields {
                    if flask::is_flask_key(&k.text) {
                        set_entry(&mut attrs, k, v);
                    }
                }
            }
            let met = self.ev.unknowns.split_off(before);
            self.ev.unknowns.extend(met.into_iter().filter(|u| u.limit));
            self.ev.settings_classes.insert(class_name.clone(), sc);
        }
        for (name, old) in saved.into_iter().rev() {
            match old {
                Some(v) => self.ev.names.insert(name, v),
                None => self.ev.names.remove(&name),
            };
        }
        self.classes.push(Class {
            name: class_name,
            span: self.ev.sp(name),
            bases,
            attrs,
            settings: is_settings,
            unknown_keys,
        });
    }

    /// One statement of a class body: `ATTR = value` sets an attribute
    /// (visible by name to the rest of the body); others are not read.
    fn class_statement(&mut self, s: Py<'_>, cb: &mut ClassBody) {
        if cb.settings.is_some() && self.settings_statement(s, cb) {
            return;
        }
        let Some(a) = s
            .named_child(0)
            .filter(|_| s.kind() == "expression_statement")
        else {
            return;
        };
        if a.kind() != "assignment" {
            return;
        }
        let (Some(left), Some(right)) = (
            a.child_by_field_name("left"),
            a.child_by_field_name("right"),
        ) else {
            return;
        };
        if left.kind() != "identifier" {
            return;
        }
        let class_name = cb.name.clone();
        let attr = self.ev.text(left).to_string();
        let value = self.ev.eval(innermost_value(right));
        if is_setting(&attr) || pool_key(&attr).is_some() {
            self.report(&format!("{class_name}.{attr}"));
        } else {
            self.drop_unknowns();
        }
        self.check_ignored(&attr, self.ev.sp(left), Some(&class_name));
        let key = Key {
            text: attr.clone(),
            span: self.ev.sp(left),
        };
        match &value {
            Some(v) => set_entry(&mut cb.attrs, key, v.clone()),
            None if attr == flask::URI => {
                // Kept (as null) so the engine options are still read.
                let at = self.ev.sp(innermost_value(right));
                self.unknown_urls.push(at);
                set_entry(&mut cb.attrs, key, Node::new(NodeKind::Null, at));
            }
            None => {}
        }
        let old = self.ev.names.insert(attr.clone(), value);
        if !cb.saved.iter().any(|(n, _)| *n == attr) {
            cb.saved.push((attr, old));
        }
    }

    /// A statement of a pydantic settings class body: a field
    /// (`NAME: type [= default | = Field(...)]`), `model_config = ...`, or
    /// a 1.x `class Config:`. `false` for anything else.
    fn settings_statement(&mut self, s: Py<'_>, cb: &mut ClassBody) -> bool {
        if s.kind() == "decorated_definition" {
            let computed = {
                let mut c = s.walk();
                s.named_children(&mut c)
                    .filter(|d| d.kind() == "decorator")
                    .any(|d| {
                        let t = self.ev.text(d);
                        t.contains("property") || t.contains("computed_field")
                    })
            };
            if let Some(def) = s
                .child_by_field_name("definition")
                .filter(|d| d.kind() == "function_definition" && computed)
                && let Some(name) = def.child_by_field_name("name")
                && let Some(sc) = cb.settings.as_mut()
            {
                let at = Span::new(
                    name.start_byte() + self.ev.base,
                    name.end_byte() + self.ev.base,
                );
                let f = inline::FnRef {
                    module: self.current,
                    start: def.start_byte(),
                    end: def.end_byte(),
                };
                let text = self.ev.text(name).to_string();
                sc.computed.retain(|(n, _, _)| *n != text);
                sc.computed.push((text, at, f));
            }
            return true;
        }
        if s.kind() == "class_definition" {
            let is_config = s
                .child_by_field_name("name")
                .is_some_and(|n| self.ev.text(n) == "Config");
            if is_config && let Some(body) = s.child_by_field_name("body") {
                let mut c = body.walk();
                let stmts: Vec<Py<'_>> = body.named_children(&mut c).collect();
                for st in stmts {
                    if let Some(a) = st.named_child(0).filter(|a| a.kind() == "assignment")
                        && let (Some(l), Some(r)) = (
                            a.child_by_field_name("left"),
                            a.child_by_field_name("right"),
                        )
                    {
                        let key = self.ev.text(l).to_string();
                        let v = self.ev.eval(r);
                        self.drop_unknowns();
                        self.settings_option(cb, &key, v);
                    }
                }
            }
            return is_config;
        }
        let Some(a) = s
            .named_child(0)
            .filter(|a| s.kind() == "expression_statement" && a.kind() == "assignment")
        else {
            return false;
        };
        let Some(left) = a
            .child_by_field_name("left")
            .filter(|l| l.kind() == "identifier")
        else {
            return false;
        };
        let name = self.ev.text(left).to_string();
        let right = a.child_by_field_name("right");
        if name == "model_config" {
            if let Some(r) = right {
                let mut opts: Vec<(String, Option<Node>)> = Vec::new();
                if r.kind() == "call" {
                    let (_, kw) = self.ev.args(r);
                    for (k, v) in kw {
                        opts.push((self.ev.text(k).to_string(), self.ev.eval(v)));
                    }
                } else if let Some(Node {
                    kind: NodeKind::Map(m),
                    ..
                }) = self.ev.eval(r)
                {
                    opts.extend(m.into_iter().map(|(k, v)| (k.text, Some(v))));
                }
                self.drop_unknowns();
                for (k, v) in opts {
                    self.settings_option(cb, &k, v);
                }
            }
            return true;
        }
        let Some(ty) = a.child_by_field_name("type") else {
            return false;
        };
        let at = self.ev.sp(left);
        let mut field = pydantic::Field {
            name: name.clone(),
            span: at,
            location: self.loc(at),
            cast: pydantic::cast_of(self.ev.text(ty)),
            default: None,
            alias: None,
        };
        if let Some(r) = right {
            let is_field =
                r.kind() == "call" && self.ev.callee(r).rsplit('.').next() == Some("Field");
            if is_field {
                let (pos, kw) = self.ev.args(r);
                if let Some(d) = pos
                    .first()
                    .copied()
                    .or_else(|| self.ev.kwarg(&kw, "default"))
                {
                    field.default = self.ev.eval_keyed(&name, d);
                }
                for k in ["validation_alias", "alias", "env"] {
                    if let Some(v) = self.ev.kwarg(&kw, k).and_then(|v| self.ev.string(v)) {
                        field.alias = Some(v);
                        break;
                    }
                }
            } else {
                field.default = self.ev.eval_keyed(&name, r);
            }
            if is_setting(&name) || pool_key(&name).is_some() {
                self.report(&format!("{}.{name}", cb.name));
            } else {
                self.drop_unknowns();
            }
        }
        if let Some(sc) = cb.settings.as_mut() {
            sc.set_field(field);
        }
        true
    }

    /// One option of a settings class's config (`env_prefix`, `case_sensitive`).
    fn settings_option(&mut self, cb: &mut ClassBody, key: &str, value: Option<Node>) {
        let Some(sc) = cb.settings.as_mut() else {
            return;
        };
        match (key, value.map(|v| v.kind)) {
            ("env_prefix", Some(NodeKind::Str(p))) => sc.env_prefix = p,
            ("case_sensitive", Some(NodeKind::Bool(b))) => sc.case_sensitive = b,
            _ => {}
        }
    }

    /// A class's attributes with inheritance resolved (own attributes win;
    /// earlier bases win over later ones, as in Python's MRO for simple
    /// trees). The bases are walked depth-first without recursion, each class
    /// once (a diamond or a cycle costs nothing more), at most 32 levels deep.
    /// `index`: each class name's last definition.
    fn merged(&self, index: &HashMap<String, usize>, name: &str) -> Vec<(Key, Node)> {
        let mut order: Vec<usize> = Vec::new();
        let mut seen: HashSet<usize> = HashSet::new();
        let mut stack: Vec<(&str, usize)> = vec![(name, 0)];
        while let Some((n, depth)) = stack.pop() {
            let Some(&i) = index.get(n) else { continue };
            if !seen.insert(i) {
                continue;
            }
            order.push(i);
            if depth < 32 {
                let bases = &self.classes[i].bases;
                stack.extend(bases.iter().rev().map(|b| (b.as_str(), depth + 1)));
            }
        }
        let mut out: Vec<(Key, Node)> = Vec::new();
        for i in order.into_iter().rev() {
            for (k, v) in &self.classes[i].attrs {
                set_entry(&mut out, k.clone(), v.clone());
            }
        }
        out
    }

    fn finish(
        mut self,
        root: Py<'_>,
        object: Option<&str>,
        overrides: &super::Overrides,
        (is_superset, flask2): (bool, bool),
        out: &mut Vec<Diagnostic>,
        built_secrets: &mut Vec<String>,
    ) -> Vec<AppPool> {
        // Engines not read yet (in functions, classes), and SQLAlchemy(...)
        // calls, anywhere in the file.
        self.engines_in(root);
        let calls = self.scans[0].calls.clone();
        let mut fsa_options: Option<Node> = None;
        for call in calls {
            if self.is_skipped(call) {
                continue;
            }
            let callee = self.ev.callee(call);
            let last = callee.rsplit('.').next().unwrap_or("").to_string();
            if last == "SQLAlchemy" {
                let (_, kw) = self.ev.args(call);
                if let Some(v) = self.ev.kwarg(&kw, "engine_options") {
                    fsa_options = self.ev.eval(v);
                    self.report("SQLAlchemy(engine_options)");
                } else if has_spread(call) {
                    // `SQLAlchemy(app, **kwargs)`: engine_options from a spread;
                    // only its unknowns (and unread spreads) matter.
                    let other: Vec<Span> = kw.iter().map(|(_, v)| self.ev.sp(*v)).collect();
                    let before = self.ev.unknowns.len();
                    let (kwargs, _) = self.ev.call_kwargs(call, &[]);
                    let tail = self.ev.unknowns.split_off(before);
                    self.ev.unknowns.extend(tail.into_iter().filter(|u| {
                        u.limit
                            || !other
                                .iter()
                                .any(|o| o.start <= u.span.start && u.span.end <= o.end)
                    }));
                    fsa_options = kwargs
                        .into_iter()
                        .find(|(k, _)| k.text == "engine_options")
                        .map(|(_, v)| v);
                    self.report("SQLAlchemy(engine_options)");
                }
            }
        }
        // (name, kwargs, unknown URL span, made by create_async_engine), in
        // the order written.
        let mut read = std::mem::take(&mut self.engines_read);
        read.sort_by_key(|(at, _, _)| *at);
        let mut engines: Vec<(Key, Node, Option<Span>, bool)> = Vec::new();
        for (_, engine, async_engine) in read {
            let mut name = engine.0.text.clone();
            let mut n = 2;
            while engines.iter().any(|(k, _, _, _)| k.text == name) {
                name = format!("{}_{n}", engine.0.text);
                n += 1;
            }
            let key = Key {
                text: name,
                span: engine.0.span,
            };
            engines.push((key, engine.1, engine.2, async_engine));
        }

        // Flask candidates: the module, and leaf classes with Flask keys.
        let module_flask: Vec<(Key, Node)> = {
            let mut v: Vec<(Key, Node)> = Vec::new();
            for (name, val) in &self.ev.names {
                if let Some(val) = val
                    && flask::is_flask_key(name)
                    && let Some(span) = self.targets.get(name)
                {
                    v.push((
                        Key {
                            text: name.clone(),
                            span: *span,
                        },
                        val.clone(),
                    ));
                }
            }
            v.sort_by_key(|(k, _)| k.span.start);
            v
        };
        let mut candidates: Vec<Candidate> = Vec::new();
        if !module_flask.is_empty() {
            candidates.push(("the module".to_string(), Span::new(0, 0), module_flask));
        }
        let index: HashMap<String, usize> = self
            .classes
            .iter()
            .enumerate()
            .map(|(i, c)| (c.name.clone(), i))
            .collect();
        let with_sub: HashSet<&str> = self
            .classes
            .iter()
            .flat_map(|c| c.bases.iter().map(String::as_str))
            .collect();
        let mut settings_unknowns: Vec<(String, Unknown)> = Vec::new();
        for c in &self.classes {
            if with_sub.contains(c.name.as_str()) || (c.settings && !engines.is_empty()) {
                continue;
            }
            settings_unknowns.extend(c.unknown_keys.iter().cloned());
            let attrs = self.merged(&index, &c.name);
            if attrs.iter().any(|(k, _)| flask::is_flask_key(&k.text)) {
                candidates.push((c.name.clone(), c.span, attrs));
            }
        }
        for (what, u) in settings_unknowns {
            self.report_one(&what, &u);
        }
        let mut flask_root: Option<Vec<(Key, Node)>> = None;
        match object {
            Some(o) => {
                if let Some(c) = self.classes.iter().rev().find(|c| c.name == o) {
                    let _ = c;
                    flask_root = Some(self.merged(&index, o));
                } else if engines.iter().any(|(k, _, _, _)| k.text == o) {
                    engines.retain(|(k, _, _, _)| k.text == o);
                } else {
                    let names: Vec<String> = self
                        .classes
                        .iter()
                        .map(|c| c.name.clone())
                        .chain(engines.iter().map(|(k, _, _, _)| k.text.clone()))
                        .collect();
                    let msg = format!(
                        "no class or engine `{o}` in this file; candidates: {}",
                        if names.is_empty() {
                            "none".to_string()
                        } else {
                            names.join(", ")
                        }
                    );
                    let label = Label::at(self.loc(Span::new(0, 0)), "named in the manifest");
                    self.diags
                        .push(Diagnostic::new(codes::MANIFEST_ERROR, msg, label));
                    engines.clear();
                    self.ev.names.remove("DATABASES");
                }
            }
            None => match candidates.len() {
                0 => {}
                1 => flask_root = candidates.pop().map(|c| c.2),
                _ => {
                    let names: Vec<&str> = candidates.iter().map(|c| c.0.as_str()).collect();
                    let msg = format!(
                        "this file has several Flask-SQLAlchemy configs: {}; name one in the manifest, e.g. app = \"{}:{}\"",
                        names.join(", "),
                        "config.py",
                        names.last().copied().unwrap_or("Config")
                    );
                    let label = Label::at(self.loc(Span::new(0, 0)), "which config?");
                    self.diags
                        .push(Diagnostic::new(codes::MANIFEST_ERROR, msg, label));
                }
            },
        }

        self.overrides();
        let has_flask = flask_root.is_some() || fsa_options.is_some();
        let has_django = matches!(self.ev.names.get("DATABASES"), Some(Some(_)));
        self.ignored_settings(has_flask, has_django);

        // Interpret.
        let text = self.ev.src;
        let mut inner: Vec<Diagnostic> = Vec::new();
        let mut ctx = Ctx {
            file: self.ev.file,
            text,
            diags: &mut inner,
            origins: std::mem::take(&mut self.ev.origins),
            overrides: overrides.clone(),
            spaces: self
                .project
                .modules
                .iter()
                .map(|m| (m.file, m.text.as_str()))
                .collect(),
        };
        let mut pools = Vec::new();
        if let Some(Some(db)) = self.ev.names.get("DATABASES") {
            django::read(&mut ctx, db, &mut pools);
        }
        // A superset_config.py is read over Superset's defaults, even when it
        // sets no Flask key (see [`superset`]).
        let flask_root = flask_root.or_else(|| is_superset.then(Vec::new));
        if let Some(mut entries) = flask_root.or_else(|| fsa_options.as_ref().map(|_| Vec::new())) {
            if let Some(opts) = &fsa_options {
                let mut merged = match opts.as_map() {
                    Some(m) => m.to_vec(),
                    None => Vec::new(),
                };
                let at = opts.span;
                if let Some(pos) = entries
                    .iter()
                    .position(|(k, _)| k.text == flask::ENGINE_OPTIONS)
                {
                    let (k, v) = entries.remove(pos);
                    for (kk, vv) in v.as_map().unwrap_or(&[]) {
                        set_entry(&mut merged, kk.clone(), vv.clone());
                    }
                    entries.push((k, Node::new(NodeKind::Map(merged), v.span)));
                } else {
                    let key = Key {
                        text: flask::ENGINE_OPTIONS.to_string(),
                        span: at,
                    };
                    entries.push((key, Node::new(NodeKind::Map(merged), at)));
                }
            }
            let first = entries
                .iter()
                .find(|(k, _)| flask::is_flask_key(&k.text))
                .map(|(k, _)| k.clone())
                .or_else(|| is_superset.then(superset::file_anchor));
            if let Some(first) = first {
                if let Some(uri) = entries.iter().find(|(k, _)| k.text == flask::URI) {
                    let _ = uri;
                } else if let Some(s) = self.unknown_uri_span() {
                    let key = Key {
                        text: flask::URI.to_string(),
                        span: s,
                    };
                    entries.push((key, Node::new(NodeKind::Null, s)));
                    self.unknown_urls.push(s);
                }
                let root_node = Node::new(NodeKind::Map(entries), Span::new(0, 0));
                if is_superset || flask2 {
                    superset::read_v2(&mut ctx, &root_node, &first, &mut pools, is_superset);
                } else {
                    flask::read(&mut ctx, &root_node, &first, &mut pools);
                }
            }
        }
        for (key, map, _, async_engine) in &engines {
            let mut opts = sqlalchemy::read_options(
                &mut ctx,
                map,
                "the SQLAlchemy default -1 (never) is used",
            );
            opts.async_engine = *async_engine;
            let default = sqlalchemy::default_recycle(ctx.loc(key.span));
            let url = map.get("url");
            pools.push(sqlalchemy::build_pool(
                &mut ctx,
                &key.text,
                Framework::SqlAlchemy,
                key,
                url,
                opts,
                default,
            ));
        }
        let unknown_urls: Vec<Span> = self
            .unknown_urls
            .iter()
            .copied()
            .chain(engines.iter().filter_map(|(_, _, u, _)| *u))
            .collect();
        let engine_unknown = self.engine_unknown;
        inner.retain(|d| {
            !(d.code == codes::INVALID_VALUE
                && (d
                    .primary
                    .location
                    .is_some_and(|l| unknown_urls.contains(&l.span))
                    || (engine_unknown && d.message.starts_with("missing ENGINE"))))
        });
        if pools.is_empty()
            && !has_django
            && !has_flask
            && engines.is_empty()
            && self.reported.is_empty()
        {
            let unknown_db = self.ev.names.contains_key("DATABASES");
            if !unknown_db && !self.diags.iter().any(|d| d.code == codes::MANIFEST_ERROR) {
                let msg = "no app settings found in this Python file: expected DATABASES, SQLALCHEMY_* settings or a create_engine(...) call".to_string();
                let label = Label::at(self.loc(Span::new(0, 0)), "app settings file");
                inner.push(Diagnostic::new(codes::INVALID_VALUE, msg, label));
            }
        }
        out.append(&mut self.diags);
        out.append(&mut inner);
        built_secrets.append(&mut self.ev.secrets);
        pools
    }

    /// The span of an unknown `SQLALCHEMY_DATABASE_URI` assignment, if any.
    fn unknown_uri_span(&self) -> Option<Span> {
        match self.ev.names.get(flask::URI) {
            Some(None) => self.targets.get(flask::URI).copied(),
            _ => None,
        }
    }

    /// One engine from a `create_engine` / `create_async_engine` / `engine_from_config` call.
    fn engine(&mut self, call: Py<'_>, last: &str) -> Option<(Key, Node, Option<Span>)> {
        if !matches!(
            last,
            "create_engine" | "create_async_engine" | "engine_from_config"
        ) {
            return None;
        }
        let name = engine_name(call, &self.ev).unwrap_or_else(|| "engine".to_string());
        let fspan = call
            .child_by_field_name("function")
            .map_or(self.ev.sp(call), |f| self.ev.sp(f));
        let key = Key {
            text: name.clone(),
            span: fspan,
        };
        let (pos, kw) = self.ev.args(call);
        let mut entries: Vec<(Key, Node)> = Vec::new();
        let mut unknown_url = None;
        if last == "engine_from_config" {
            let prefix = self
                .ev
                .kwarg(&kw, "prefix")
                .or_else(|| pos.get(1).copied())
                .and_then(|p| self.ev.string(p))
                .unwrap_or_else(|| "sqlalchemy.".to_string());
            let config = pos
                .first()
                .copied()
                .or_else(|| self.ev.kwarg(&kw, "configuration"));
            match config.and_then(|c| self.ev.eval(c)) {
                Some(Node {
                    kind: NodeKind::Map(m),
                    ..
                }) => {
                    for (k, v) in m {
                        if let Some(stripped) = k.text.strip_prefix(&prefix) {
                            let key = Key {
                                text: stripped.to_string(),
                                span: k.span,
                            };
                            entries.push((key, coerce_config_string(v)));
                        }
                    }
                }
                _ => {
                    self.report(&name);
                    unknown_url = Some(fspan);
                    entries.push((
                        Key {
                            text: "url".into(),
                            span: fspan,
                        },
                        Node::new(NodeKind::Null, fspan),
                    ));
                }
            }
        } else {
            let url = pos.first().copied().or_else(|| self.ev.kwarg(&kw, "url"));
            if let Some(u) = url {
                let before = self.ev.unknowns.len();
                match self.ev.eval(u) {
                    Some(v) => entries.push((
                        Key {
                            text: "url".into(),
                            span: self.ev.sp(u),
                        },
                        v,
                    )),
                    None => {
                        self.ev.tag_unknowns(before, "url");
                        unknown_url = Some(self.ev.sp(u));
                        entries.push((
                            Key {
                                text: "url".into(),
                                span: self.ev.sp(u),
                            },
                            Node::new(NodeKind::Null, self.ev.sp(u)),
                        ));
                    }
                }
            }
        }
        // Keywords and `**spreads`, in the order written. An explicit URL
        // was read above; otherwise a spread may carry it.
        let explicit_url = last != "engine_from_config"
            && (!pos.is_empty() || self.ev.kwarg(&kw, "url").is_some());
        let skip: &[&str] = if explicit_url {
            &["url", "prefix", "configuration"]
        } else {
            &["prefix", "configuration"]
        };
        let (kwargs, unknown_spread) = self.ev.call_kwargs(call, skip);
        for (k, v) in kwargs {
            set_entry(&mut entries, k, v);
        }
        if unknown_spread && !entries.iter().any(|(k, _)| k.text == "url") {
            // The URL may be in the unread spread: not "missing".
            unknown_url = Some(fspan);
            entries.push((
                Key {
                    text: "url".into(),
                    span: fspan,
                },
                Node::new(NodeKind::Null, fspan),
            ));
        }
        self.report(&name);
        if let Some(s) = unknown_url {
            self.unknown_urls.push(s);
        }
        Some((
            key,
            Node::new(NodeKind::Map(entries), self.ev.sp(call)),
            unknown_url,
        ))
    }

    /// TL014: a settings path assigned again with a different value.
    fn overrides(&mut self) {
        let mut seen: HashMap<&str, usize> = HashMap::new();
        let mut found = Vec::new();
        for (i, (path, stmt, value, branch)) in self.records.iter().enumerate() {
            if let Some(&prev) = seen.get(path.as_str()) {
                let (_, pspan, pvalue, pbranch) = &self.records[prev];
                if pbranch != branch || eval::space_of(*pspan).0 != eval::space_of(*stmt).0 {
                    // A value set in a branch, or a fallback a branch
                    // replaces: each is in force in some variants. A module
                    // overriding what it imported (`from .base import *`)
                    // is how settings packages are written.
                    seen.insert(path.as_str(), i);
                    continue;
                }
                let differs = match (pvalue, value) {
                    (Some(a), Some(b)) => !same(a, b),
                    _ => true,
                };
                if differs && pspan != stmt {
                    found.push((path.clone(), *pspan, *stmt));
                }
            }
            seen.insert(path.as_str(), i);
        }
        for (path, first, last) in found {
            let msg = format!(
                "the setting {path} is assigned again later in this file: the last assignment wins and the earlier one has no effect"
            );
            let d = Diagnostic::new(
                codes::SETTING_OVERRIDDEN_LATER,
                msg,
                Label::at(self.loc(last), "this value wins"),
            )
            .with_related(Label::at(self.loc(first), "overridden"));
            self.diags.push(d);
        }
    }

    /// TL013: Django alias settings at module level; pool options outside
    /// `SQLALCHEMY_ENGINE_OPTIONS`.
    fn ignored_settings(&mut self, has_flask: bool, has_django: bool) {
        let file_has_flask = has_flask
            || self.targets.keys().any(|k| flask::is_flask_key(k))
            || self
                .classes
                .iter()
                .any(|c| c.attrs.iter().any(|(k, _)| flask::is_flask_key(&k.text)));
        for (name, at, fw) in std::mem::take(&mut self.ignored) {
            let msg = match fw {
                Framework::Django => {
                    if name == "OPTIONS" && !has_django {
                        continue;
                    }
                    format!(
                        "{name} at module level is ignored by Django: it is a per-database setting and only takes effect inside an alias (DATABASES[\"default\"][\"{name}\"])"
                    )
                }
                _ => {
                    if !file_has_flask {
                        continue;
                    }
                    let key = pool_key(&name).unwrap_or("pool_recycle");
                    format!(
                        "{name} is not a Flask-SQLAlchemy setting and is ignored: engine options go in SQLALCHEMY_ENGINE_OPTIONS = {{\"{key}\": ...}}"
                    )
                }
            };
            let d = Diagnostic::new(
                codes::SETTING_IGNORED_BY_FRAMEWORK,
                msg,
                Label::at(self.loc(at), "ignored here"),
            );
            self.diags.push(d);
        }
    }
}

/// `pool_recycle` / `POOL_RECYCLE` and friends written as a config name: the
/// engine option it was meant to be.
pub(super) fn pool_key(name: &str) -> Option<&'static str> {
    match name.to_ascii_lowercase().as_str() {
        "pool_recycle" => Some("pool_recycle"),
        "pool_pre_ping" => Some("pool_pre_ping"),
        "pool_timeout" => Some("pool_timeout"),
        "pool_size" => Some("pool_size"),
        "max_overflow" => Some("max_overflow"),
        "sqlalchemy_pool_pre_ping" => Some("pool_pre_ping"),
        _ => None,
    }
}

/// `A = B = value`: the value expression.
fn innermost_value(mut n: Py<'_>) -> Py<'_> {
    while n.kind() == "assignment" {
        match n.child_by_field_name("right") {
            Some(r) => n = r,
            None => break,
        }
    }
    n
}

/// `engine_from_config` values are strings in ini files; SQLAlchemy coerces
/// the pool options (`pool_recycle`, `pool_size`, ...) to numbers / booleans.
fn coerce_config_string(v: Node) -> Node {
    let Some(s) = v.as_str() else { return v };
    let t = s.trim();
    let kind = if let Some(i) = eval::parse_int(t) {
        NodeKind::Int(i)
    } else if let Ok(f) = t.parse::<f64>() {
        NodeKind::Float(f)
    } else {
        match t.to_ascii_lowercase().as_str() {
            "true" => NodeKind::Bool(true),
            "false" => NodeKind::Bool(false),
            _ => return v,
        }
    };
    Node::new(kind, v.span)
}

/// The name an engine call is assigned to (`engine = create_engine(...)`,
/// `self.engine = ...` → `engine`).
fn engine_name(call: Py<'_>, ev: &Eval<'_>) -> Option<String> {
    let mut cur = call.parent()?;
    while cur.kind() == "parenthesized_expression" || cur.kind() == "await" {
        cur = cur.parent()?;
    }
    if cur.kind() != "assignment" {
        return None;
    }
    let left = cur.child_by_field_name("left")?;
    let t = ev.text(left);
    let last = t.rsplit('.').next().unwrap_or(t).trim();
    (matches!(left.kind(), "identifier" | "attribute") && !last.is_empty())
        .then(|| last.to_string())
}

/// What [`scan`] finds in the whole tree.
struct Scan<'t> {
    /// Engine and `SQLAlchemy(...)` calls, in document order.
    calls: Vec<Py<'t>>,
    /// Calls of dict methods that change their object (`d.pop(...)`,
    /// `d.update(...)`, ...), in document order.
    mutations: Vec<Py<'t>>,
    /// The names imports bind (see [`Eval::imports`]).
    imports: HashMap<String, String>,
}

/// One walk over the whole tree: the engine and `SQLAlchemy(...)` calls,
/// the dict-method calls, the names imports bind (see
/// [`eval::import_bindings`]), and the secret spans (see
/// [`secret_spans_at`]), added to `secrets`. Readers take the calls inside
/// a node from the lists ([`walk::within`]) instead of walking it again.
fn scan<'t>(text: &str, root: Py<'t>, secrets: &mut Vec<Span>) -> Scan<'t> {
    let mut calls = Vec::new();
    let mut mutations = Vec::new();
    // The bindings of each import statement, in document order; applied
    // last statement first, so the first statement binding a name wins.
    let mut imports: Vec<Vec<(String, String)>> = Vec::new();
    walk::preorder(root, |n| {
        let kind = n.k();
        if kind == K::Call {
            if is_engine_call(text, n) {
                calls.push(n);
            }
            if is_mutation_call(text, n) {
                mutations.push(n);
            }
        } else if kind == K::ImportStatement || kind == K::ImportFromStatement {
            if let Some(bindings) = eval::import_bindings(n, text) {
                imports.push(bindings);
            }
        } else {
            secret_spans_at(text, n, secrets);
        }
        true
    });
    let mut bound = HashMap::new();
    for bindings in imports.into_iter().rev() {
        bound.extend(bindings);
    }
    Scan {
        calls,
        mutations,
        imports: bound,
    }
}

/// Whether `call` is a `create_engine` / `create_async_engine` /
/// `engine_from_config` / `SQLAlchemy` call: the last dotted part of its
/// function, whitespace removed (as [`Eval::callee`] gives it).
fn is_engine_call(text: &str, call: Py<'_>) -> bool {
    let Some(f) = call.child_by_field(F::Function) else {
        return false;
    };
    let f = text.get(f.start_byte()..f.end_byte()).unwrap_or("");
    let last = f.rsplit('.').next().unwrap_or("");
    let is = |last: &str| {
        matches!(
            last,
            "create_engine" | "create_async_engine" | "engine_from_config" | "SQLAlchemy"
        )
    };
    if last.contains(char::is_whitespace) {
        is(&last.split_whitespace().collect::<String>())
    } else {
        is(last)
    }
}

/// Whether `call` is `x.pop(...)`, `x.popitem(...)`, `x.update(...)`,
/// `x.setdefault(...)` or `x.clear(...)` (see [`Reader::mutations_in`]).
fn is_mutation_call(text: &str, call: Py<'_>) -> bool {
    call.child_by_field(F::Function)
        .filter(|f| f.k() == K::Attribute)
        .and_then(|f| f.child_by_field(F::Attribute))
        .is_some_and(|m| {
            matches!(
                text.get(m.start_byte()..m.end_byte()).unwrap_or(""),
                "pop" | "popitem" | "update" | "setdefault" | "clear"
            )
        })
}

/// Whether a call has a `**spread` argument.
fn has_spread(call: Py<'_>) -> bool {
    let Some(list) = call.child_by_field_name("arguments") else {
        return false;
    };
    let mut c = list.walk();
    list.named_children(&mut c)
        .any(|a| a.kind() == "dictionary_splat")
}

/// Where the indentation of `text` nests past [`MAX_INDENT_LEVELS`] (or
/// uses more than [`MAX_INDENT_WIDTHS`] widths): the line's span and the
/// message.
///
/// Widths are counted as tree-sitter-python's scanner counted them: a space is 1, a tab 8,
/// `\r` and form feed reset to 0, in 16 bits; blank and comment-only lines do
/// not count; a backslash-newline carries the width to the next line. The
/// nesting is the stack of increasing widths; lines inside brackets or
/// strings count too, an over-estimate.
fn indentation_too_deep(text: &str) -> Option<(Span, String)> {
    let mut stack: Vec<u16> = vec![0];
    let mut widths: HashSet<u16> = HashSet::new();
    let mut carry: u16 = 0;
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let line_start = start;
        start += line.len();
        let bytes = line.as_bytes();
        let mut width = std::mem::take(&mut carry);
        let mut i = 0;
        while let Some(&b) = bytes.get(i) {
            match b {
                b' ' => width = width.wrapping_add(1),
                b'\t' => width = width.wrapping_add(8),
                b'\r' | 0x0c => width = 0,
                _ => break,
            }
            i += 1;
        }
        match &bytes[i..] {
            [] | [b'\n', ..] | [b'#', ..] => continue,
            [b'\\', b'\n'] | [b'\\', b'\r', b'\n'] | [b'\\'] => {
                carry = width;
                continue;
            }
            _ => {}
        }
        if width != 0 {
            widths.insert(width);
        }
        while stack.last().is_some_and(|&w| w > width) {
            stack.pop();
        }
        if stack.last().is_none_or(|&w| w < width) {
            stack.push(width);
        }
        let end = line_start + line.trim_end().len();
        let at = Span::new(line_start + i, end.max(line_start + i));
        if stack.len() - 1 > MAX_INDENT_LEVELS {
            let msg = format!(
                "indentation nested deeper than {MAX_INDENT_LEVELS} levels; the file is not read"
            );
            return Some((at, msg));
        }
        if widths.len() > MAX_INDENT_WIDTHS {
            let msg = format!(
                "more than {MAX_INDENT_WIDTHS} different indentation widths; the file is not read"
            );
            return Some((at, msg));
        }
    }
    None
}

/// Whether `s` holds `://` (found with a byte search for `:`, cheaper than
/// a substring search on every string of a large file).
fn has_scheme_separator(s: &str) -> bool {
    let b = s.as_bytes();
    let mut from = 0;
    while let Some(i) = b[from..].iter().position(|&c| c == b':') {
        let at = from + i;
        if b.get(at + 1..at + 3) == Some(b"//") {
            return true;
        }
        from = at + 1;
    }
    false
}

/// Every occurrence of each of `values` inside a string literal of the file.
fn secret_value_spans(text: &str, root: Py<'_>, values: &[String], out: &mut Vec<Span>) {
    if values.is_empty() {
        return;
    }
    walk::preorder(root, |n| {
        if n.k() == K::StringContent {
            let s = text.get(n.start_byte()..n.end_byte()).unwrap_or("");
            for v in values.iter().filter(|v| !v.is_empty()) {
                for (i, _) in s.match_indices(v.as_str()) {
                    out.push(Span::new(n.start_byte() + i, n.start_byte() + i + v.len()));
                }
            }
        }
        true
    });
}

/// The secret spans at node `n` (see [`scan`]): passwords in URL strings,
/// `password=` values in any string (libpq `options`, conninfo), values of
/// password-like keys, keywords and names.
fn secret_spans_at(text: &str, n: Py<'_>, out: &mut Vec<Span>) {
    let kind = n.k();
    if kind == K::StringContent {
        let s = text.get(n.start_byte()..n.end_byte()).unwrap_or("");
        let mut ranges = crate::secrets::assignment_ranges(s);
        if has_scheme_separator(s) {
            ranges.extend(secret_ranges(s));
        }
        for r in ranges {
            out.push(Span::new(n.start_byte() + r.start, n.start_byte() + r.end));
        }
    } else if kind == K::Pair || kind == K::KeywordArgument || kind == K::Assignment {
        let (key, value) = if kind == K::Pair {
            (n.child_by_field(F::Key), n.child_by_field(F::Value))
        } else if kind == K::KeywordArgument {
            (n.child_by_field(F::Name), n.child_by_field(F::Value))
        } else {
            (n.child_by_field(F::Left), n.child_by_field(F::Right))
        };
        if let (Some(key), Some(value)) = (key, value) {
            let key = text
                .get(key.start_byte()..key.end_byte())
                .unwrap_or("")
                .trim_matches(|c| c == '"' || c == '\'');
            let key = key.rsplit('.').next().unwrap_or(key);
            if is_secret_name(key) && value.k() == K::String {
                out.push(span(value));
            }
        }
    }
}
