//! Command lines: server flags (mysqld, postgres) and app-server worker
//! flags (gunicorn, uWSGI), read from split words ([`Word`]).
//!
//! One reader per program serves every adapter: compose `command:` /
//! `entrypoint:` (shell-split strings or lists, interpolated), a
//! Kubernetes container's `command` + `args` (one YAML scalar a word,
//! [`scalar_word`]), Helm `extraFlags` and bitnami `*_EXTRA_FLAGS` (one
//! string split at blanks, [`traced::split_blanks`]). Each word is a
//! [`Traced`] string, so every name and value keeps its exact place in the
//! file it was written in, whatever decoding it went through.
//!
//! Only syntax is read here: a flag becomes a setting name as written and a
//! value text; the system's `resolve` applies names (`-`/`_`, `loose-`),
//! units and ranges. A value holding a template expression (`{{ … }}`,
//! `${…}`, [`template_reason`]) or an unset variable is
//! [`Written::Unresolved`].

#[cfg(test)]
mod tests;
pub(crate) mod traced;

use crate::parse::tree::Node;
use crate::source::{FileId, Location, SourceMap};
use crate::sources::embedded::{Embedded, is_secret_setting, template_reason};
use crate::sources::{Assignment, SetBy, System, Workers, Written};
use traced::{Traced, Word, split_words};

/// One setting read from a command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FlagSetting {
    /// The name as written (`wait_timeout`, `loose-wait-timeout`), or for a
    /// postgres short flag the parameter it sets (`max_connections` for `-N`).
    pub name: String,
    /// Where the name (or the short flag) is written.
    pub name_at: Location,
    /// The value text, or why it is unknown.
    pub value: Written,
    /// Where the value is written.
    pub value_at: Location,
}

impl FlagSetting {
    /// The setting as an [`Assignment`] set on the command line.
    pub(crate) fn into_assignment(self) -> Assignment {
        Assignment {
            name: self.name,
            name_at: self.name_at,
            value: self.value,
            value_at: self.value_at,
            set_by: SetBy::CommandLine,
        }
    }
}

/// The value text of `range`: unknown when an unset variable or a template
/// expression is in it.
fn written(t: &Traced, range: std::ops::Range<usize>) -> Written {
    if let Some(why) = t.unknown_in(&range) {
        return Written::Unresolved(why.to_string());
    }
    let text = t.text.get(range).unwrap_or("");
    match template_reason(text) {
        Some(why) => Written::Unresolved(why),
        None => Written::Text(text.to_string()),
    }
}

fn setting(
    name: String,
    name_at: Location,
    value_word: &Traced,
    range: std::ops::Range<usize>,
) -> FlagSetting {
    FlagSetting {
        name,
        name_at,
        value: written(value_word, range.clone()),
        value_at: value_word.location(range),
    }
}

/// The `name=value` setting written from byte `from` of the word `t`
/// (`--name=value` from 2, postgres `-cname=value` from 2, `name=value`
/// after `-c` from 0); `None` without `=`.
fn name_value(t: &Traced, from: usize) -> Option<FlagSetting> {
    let eq = from + t.text.get(from..)?.find('=')?;
    Some(setting(
        t.text[from..eq].to_string(),
        t.location(from..eq),
        t,
        eq + 1..t.text.len(),
    ))
}

/// The file name of a program word: `/usr/sbin/mysqld` -> `mysqld`.
pub(crate) fn basename(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

/// mysqld flags (https://dev.mysql.com/doc/refman/8.0/en/command-line-options.html
/// and mysys `my_getopt.c`): `--name=value`; `--name value` (my_getopt
/// takes the next argument as the value of an option that requires one: the
/// next word is taken when it does not start with `-`); `--name` alone (a
/// boolean, value text empty, located just after the name). Prefixes
/// (`loose-`, `skip-`, `enable-`, `disable-`, `maximum-`) and `-`/`_` are
/// kept as written for the system to normalise. `--set-variable=name=value`
/// (`-O`) was removed in MySQL 5.5 (WL#5154,
/// https://dev.mysql.com/worklog/task/?id=5154): it is handed on as the
/// setting `set-variable`, which the system does not know. mysqld takes no
/// positional arguments, so a word after `--name` that does not start with
/// `-` can only be that option's value. Short options (`-u mysql`) set
/// nothing on the connection path and are skipped with their value.
/// Reading stops at a shell operator.
pub(crate) fn mysqld_flags(words: &[Word]) -> Vec<FlagSetting> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        if w.operator {
            break;
        }
        let t = &w.text;
        if let Some(body) = t.text.strip_prefix("--") {
            if body.is_empty() {
                i += 1;
                continue;
            }
            if let Some(f) = name_value(t, 2) {
                out.push(f);
            } else if let Some(next) = words
                .get(i + 1)
                .filter(|n| !n.operator && !n.text.text.starts_with('-'))
            {
                out.push(setting(
                    body.to_string(),
                    t.location(2..t.text.len()),
                    &next.text,
                    0..next.text.text.len(),
                ));
                i += 1;
            } else {
                out.push(setting(
                    body.to_string(),
                    t.location(2..t.text.len()),
                    t,
                    t.text.len()..t.text.len(),
                ));
            }
        } else if t.text.len() == 2 && t.text.starts_with('-') {
            // A short option with its value in the next word.
            if words
                .get(i + 1)
                .is_some_and(|n| !n.operator && !n.text.text.starts_with('-'))
            {
                i += 1;
            }
        }
        i += 1;
    }
    out
}

/// postgres short options taking a value, from the `getopt` string of
/// `src/backend/postmaster/postmaster.c` (`B:bC:c:D:d:EeFf:h:ijk:lN:OPp:r:S:sTt:W:-:`).
const PG_WITH_VALUE: &[u8] = b"BCcDdfhkNprStW";

/// The parameter a postgres short option sets, per
/// https://www.postgresql.org/docs/current/app-postgres.html ("General
/// Purpose" options): `-B` shared_buffers, `-N` max_connections, `-p`
/// port, `-h` listen_addresses, `-k` unix_socket_directories, `-S` work_mem.
fn pg_short_name(flag: u8) -> Option<&'static str> {
    Some(match flag {
        b'B' => "shared_buffers",
        b'N' => "max_connections",
        b'p' => "port",
        b'h' => "listen_addresses",
        b'k' => "unix_socket_directories",
        b'S' => "work_mem",
        _ => return None,
    })
}

/// postgres flags (https://www.postgresql.org/docs/current/app-postgres.html):
/// `-c name=value` / `-cname=value`, `--name=value` (postgres refuses
/// `--name value`, "--name requires a value": skipped; `-c name` without
/// `=` likewise). Names are kept as written: postgres' `ParseLongOption`
/// turns `-` into `_` (`src/backend/utils/misc/guc.c`), which the system's
/// resolve applies to command-line names. The short options of [`pg_short_name`]
/// with their value attached or in the next word. Other options with a
/// value (`-D dir`) are skipped with it; flags without one (`-F`, `-l`)
/// are not read. Reading stops at a shell operator.
pub(crate) fn postgres_flags(words: &[Word]) -> Vec<FlagSetting> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        if w.operator {
            break;
        }
        let t = &w.text;
        let s = t.text.as_bytes();
        if t.text.starts_with("--") {
            out.extend(name_value(t, 2));
        } else if s.len() >= 2 && s[0] == b'-' && PG_WITH_VALUE.contains(&s[1]) {
            let flag = s[1];
            // The value: attached (`-cname=v`, `-N200`) or the next word.
            let (vt, from) = if s.len() > 2 {
                (t, 2)
            } else if let Some(next) = words.get(i + 1).filter(|n| !n.operator) {
                i += 1;
                (&next.text, 0)
            } else {
                break;
            };
            if flag == b'c' {
                out.extend(name_value(vt, from));
            } else if let Some(name) = pg_short_name(flag) {
                out.push(setting(
                    name.to_string(),
                    t.location(0..2),
                    vt,
                    from..vt.text.len(),
                ));
            }
        }
        i += 1;
    }
    out
}

/// The server a command line starts and its arguments after the program
/// name, for a container whose image is `image` (its product as
/// [`crate::sources::Flavor::product`] names it) and whose entrypoint is the
/// image's own unless `entrypoint_set`:
///
/// - a leading `docker-entrypoint.sh` (any `docker-entrypoint*`) is dropped;
/// - a first word `mysqld`, `mariadbd` or `mysqld_safe` (which hands its
///   options on to mysqld,
///   https://dev.mysql.com/doc/refman/8.0/en/mysqld-safe.html) runs MySQL,
///   `postgres` runs PostgreSQL (as a path too);
/// - a first word starting with `-`, with the image's own entrypoint, runs
///   the server the image's `docker-entrypoint.sh` prepends
///   ([`entrypoint_prepends`]);
/// - anything else runs no server flags (`None`).
pub(crate) fn server_command(
    words: &[Word],
    image: Option<&str>,
    entrypoint_set: bool,
) -> Option<(System, Vec<Word>)> {
    let mut argv = words;
    if argv
        .first()
        .is_some_and(|w| basename(&w.text.text).starts_with("docker-entrypoint"))
    {
        argv = &argv[1..];
    }
    let first = argv.first()?;
    if first.text.text.starts_with('-') {
        if entrypoint_set {
            return None;
        }
        return Some((entrypoint_prepends(image?)?, argv.to_vec()));
    }
    let system = match basename(&first.text.text) {
        "mysqld" | "mariadbd" | "mysqld_safe" => System::Mysql,
        "postgres" => System::Postgres,
        _ => return None,
    };
    Some((system, argv[1..].to_vec()))
}

/// The server an image's entrypoint starts when the command begins with a
/// flag: the docker-library images (`mysql`, `mariadb`, `percona`,
/// `postgres`) and those built on their entrypoints (`mysql/mysql-server`,
/// `percona/percona-server`, `postgis/postgis`, `timescale/timescaledb`)
/// run `if [ "${1:0:1}" = '-' ]; then set -- mysqld "$@"; fi` (`postgres`
/// for PostgreSQL) in `docker-entrypoint.sh`
/// (https://github.com/docker-library/mysql/blob/master/docker-entrypoint.sh,
/// https://github.com/docker-library/postgres/blob/master/docker-entrypoint.sh).
/// Other images (bitnami's, `timescale/timescaledb-ha`) run the command in
/// place of their start script and are not assumed.
pub(crate) fn entrypoint_prepends(product: &str) -> Option<System> {
    match product {
        "mysql" | "mariadb" | "percona" | "mysql/mysql-server" | "percona/percona-server" => {
            Some(System::Mysql)
        }
        "postgres" | "postgis/postgis" | "timescale/timescaledb" => Some(System::Postgres),
        _ => None,
    }
}

/// A YAML scalar (a Kubernetes `args` item, a Helm `extraFlags` string) as
/// a traced string located in the file `file` whose text is `text`: exact
/// byte by byte where [`Embedded`] maps it so, else every byte at the whole
/// scalar. `None` for a mapping, a sequence or null.
pub(crate) fn scalar_traced(file: FileId, text: &str, node: &Node) -> Option<Traced> {
    let emb = Embedded::of(text, node)?;
    Some(Traced::embedded(file, &emb))
}

/// A YAML scalar as one command-line word (a container's `command`/`args`
/// item is passed to the program as it is, never split).
pub(crate) fn scalar_word(file: FileId, text: &str, node: &Node) -> Option<Word> {
    Some(Word {
        text: scalar_traced(file, text, node)?,
        operator: false,
    })
}

/// Marks the values of secret-looking settings
/// ([`crate::sources::embedded::is_secret_setting`]: `--password=…`) as
/// secret, wherever their bytes are written.
pub(crate) fn mark_secrets(sources: &mut SourceMap, flags: &[FlagSetting]) {
    for f in flags {
        if is_secret_setting(&f.name) && !f.value_at.span.is_empty() {
            sources
                .get_mut(f.value_at.file)
                .mark_secret(f.value_at.span);
        }
    }
}

/// The words of the script of `sh -c SCRIPT` (also bash, ash, dash), split
/// again; `None` for other commands.
pub(crate) fn shell_script(words: &[Word]) -> Option<Vec<Word>> {
    let first = words.first()?;
    if !matches!(basename(&first.text.text), "sh" | "bash" | "ash" | "dash") {
        return None;
    }
    let c = words.iter().position(|w| w.text.text == "-c")?;
    words.get(c + 1).map(|s| split_words(&s.text))
}

/// Which app server a command runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AppServer {
    Gunicorn,
    Uwsgi,
}

/// The app server a command line runs and the words after its name: the
/// first word named `gunicorn` or `uwsgi` (after `python -m`, `&&`, a
/// wrapper such as `opentelemetry-instrument`, or inside `sh -c`).
pub(crate) fn find_app_server(words: &[Word]) -> Option<(AppServer, Vec<Word>)> {
    if let Some(inner) = shell_script(words)
        && let Some(found) = find_app_server(&inner)
    {
        return Some(found);
    }
    let at = words
        .iter()
        .position(|w| !w.operator && matches!(basename(&w.text.text), "gunicorn" | "uwsgi"))?;
    let kind = if basename(&words[at].text.text) == "gunicorn" {
        AppServer::Gunicorn
    } else {
        AppServer::Uwsgi
    };
    let rest: Vec<Word> = words[at + 1..]
        .iter()
        .take_while(|w| !w.operator)
        .cloned()
        .collect();
    Some((kind, rest))
}

/// A count or number of seconds as written: decimal digits only (a value
/// from an unset variable or a template is not a number and is skipped).
fn number(t: &Traced, range: std::ops::Range<usize>) -> Option<(u64, Location)> {
    if t.unknown_in(&range).is_some() {
        return None;
    }
    let s = t.text.get(range.clone())?;
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((s.parse().ok()?, t.location(range)))
}

/// Which [`Workers`] field a flag sets.
#[derive(Clone, Copy)]
enum Field {
    Processes,
    Threads,
    Timeout,
}

/// Reads worker flags into `workers`: gunicorn
/// (https://docs.gunicorn.org/en/stable/settings.html: `-w`/`--workers`,
/// `--threads`, `-t`/`--timeout`) or uWSGI
/// (https://uwsgi-docs.readthedocs.io/en/latest/Options.html: `-p`/`--processes`/`--workers`,
/// `--threads`, `--harakiri`), each as `--flag N`, `--flag=N` or, for a
/// short flag, `-wN`. A later flag replaces an earlier one.
pub(crate) fn worker_flags(kind: AppServer, words: &[Word], workers: &mut Workers) {
    let field = |flag: &str| -> Option<Field> {
        Some(match (kind, flag) {
            (AppServer::Gunicorn, "-w" | "--workers") => Field::Processes,
            (AppServer::Gunicorn, "--threads") => Field::Threads,
            (AppServer::Gunicorn, "-t" | "--timeout") => Field::Timeout,
            (AppServer::Uwsgi, "-p" | "--processes" | "--workers") => Field::Processes,
            (AppServer::Uwsgi, "--threads") => Field::Threads,
            (AppServer::Uwsgi, "--harakiri") => Field::Timeout,
            _ => return None,
        })
    };
    let mut i = 0;
    while i < words.len() {
        let t = &words[i].text;
        let s = t.text.as_str();
        let mut hit = None;
        if let Some(f) = field(s) {
            if let Some(next) = words.get(i + 1) {
                hit = Some((f, &next.text, 0..next.text.text.len()));
                i += 1;
            }
        } else if let Some(eq) = s.find('=').filter(|_| s.starts_with("--")) {
            if let Some(f) = field(&s[..eq]) {
                hit = Some((f, t, eq + 1..s.len()));
            }
        } else if s.len() > 2
            && !s.starts_with("--")
            && s.starts_with('-')
            && let Some(f) = s.get(..2).and_then(field)
        {
            hit = Some((f, t, 2..s.len()));
        }
        if let Some((f, vt, range)) = hit
            && let Some(n) = number(vt, range)
        {
            set_field(workers, f, n);
        }
        i += 1;
    }
}

fn set_field(workers: &mut Workers, f: Field, n: (u64, Location)) {
    match f {
        Field::Processes => workers.processes = vec![n],
        Field::Threads => workers.threads = Some(n),
        Field::Timeout => workers.request_timeout_secs = Some(n),
    }
}

/// Reads a worker setting given as a key of a config file (uwsgi.ini
/// `processes = 4`), with the same fields as [`worker_flags`].
pub(crate) fn worker_option(kind: AppServer, key: &str, value: &Traced, workers: &mut Workers) {
    let flag = format!("--{key}");
    let word = Word {
        text: value.clone(),
        operator: false,
    };
    let flag_word = Word {
        text: Traced::inexact(&flag, value.whole),
        operator: false,
    };
    worker_flags(kind, &[flag_word, word], workers);
}
