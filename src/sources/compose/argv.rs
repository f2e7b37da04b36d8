//! Command lines: server flags (mysqld, postgres) and app-server worker
//! flags (gunicorn, uWSGI), read from split words ([`Word`]).
//!
//! Only syntax is read here: a flag becomes a setting name as written and a
//! value text; the system's `resolve` applies names, units and ranges.

use super::traced::{Traced, Word, split_words};
use crate::source::Location;
use crate::sources::{Workers, Written};

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

fn written(t: &Traced, range: std::ops::Range<usize>) -> Written {
    match t.unknown_in(&range) {
        Some(why) => Written::Unresolved(why.to_string()),
        None => Written::Text(t.text.get(range).unwrap_or("").to_string()),
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
/// kept as written for the system to normalise. Short options (`-u mysql`)
/// set nothing on the connection path and are skipped with their value.
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
            if let Some(eq) = body.find('=') {
                out.push(setting(
                    body[..eq].to_string(),
                    t.location(2..2 + eq),
                    t,
                    2 + eq + 1..t.text.len(),
                ));
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
/// `--name value`: skipped), and the short options of [`pg_short_name`]
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
        if let Some(body) = t.text.strip_prefix("--") {
            if let Some(eq) = body.find('=') {
                out.push(setting(
                    body[..eq].to_string(),
                    t.location(2..2 + eq),
                    t,
                    2 + eq + 1..t.text.len(),
                ));
            }
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
                if let Some(eq) = vt.text[from..].find('=') {
                    out.push(setting(
                        vt.text[from..from + eq].to_string(),
                        vt.location(from..from + eq),
                        vt,
                        from + eq + 1..vt.text.len(),
                    ));
                }
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
