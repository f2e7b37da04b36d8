//! nginx `stream` configuration: the `proxy_timeout` of one stream server.
//!
//! Syntax comes from [`crate::parse::nginx`]; this module decides what nginx
//! makes of it. Sources: DOMAIN.md section 8 and rules 9 and 27; nginx/nginx
//! `src/stream/ngx_stream_proxy_module.c` (directive table, merge defaults,
//! `ngx_stream_proxy_process`), `src/core/ngx_parse.c` (`ngx_parse_time`),
//! `src/core/ngx_conf_file.c` (`ngx_conf_set_msec_slot`, `ngx_conf_include`)
//! and https://nginx.org/en/docs/stream/ngx_stream_proxy_module.html.
//!
//! - `proxy_timeout` is allowed in `stream {}` and in `stream { server {} }`
//!   (`NGX_STREAM_MAIN_CONF|NGX_STREAM_SRV_CONF`). A server without its own
//!   value inherits the `stream {}` one wherever it is written in the block
//!   (nginx merges after reading the whole block); without either, the
//!   default is 10 minutes (`ngx_conf_merge_msec_value(..., 10 * 60000)`).
//! - It is "the timeout between two successive read or write operations on
//!   client or proxied server connections": one data-inactivity limit for
//!   the whole session, so both [`ProxyTimeouts::client_idle`] and
//!   [`ProxyTimeouts::server_idle`] are that value. TCP keepalive probes
//!   carry no data and never reset it (DOMAIN.md rule 9).
//! - `0` does not disable it: `ngx_stream_proxy_process` always calls
//!   `ngx_add_timer(c->write, pscf->timeout)`, so a zero timer fires on the
//!   next event-loop pass and the session ends at its first pause. It is kept
//!   as a zero limit, with a [`codes::INVALID_VALUE`] warning.
//! - Times are read like `ngx_conf_set_msec_slot` → `ngx_parse_time(value,
//!   0)`: whole numbers, each followed by a unit `w d h m s ms` in that
//!   order (`1h30m`, `1h 30m`), a number without a unit counts as seconds
//!   (`600` = 10 min), no fractions. `y` and `M` exist only for second-based
//!   directives (`ngx_parse_time(.., 1)`): `proxy_timeout 1M` is invalid.
//!   An invalid value is [`codes::INVALID_VALUE`] (nginx refuses to start)
//!   and is ignored; so is a second `proxy_timeout` in one block
//!   (`"is duplicate"`), the first one stays.
//! - `include` works in any block and splices the named files in place.
//!   Names with `*`, `?` or `[` are globs (sorted, matching nothing is fine;
//!   a leading `.` must be matched explicitly); other names must be readable
//!   ([`codes::INCLUDE_UNREADABLE`]). nginx resolves a relative name against
//!   its configuration prefix, the folder of the main file it was started
//!   with (`nginx -c`), not against the including file. The file given to
//!   [`load_nginx_stream`] is taken as that main file, so every relative
//!   include, also one written in an included file in a sub-folder, is
//!   resolved from the named file's folder, as nginx does (`include
//!   snippets/x.conf;` in `sites-enabled/a.conf` is `<conf>/snippets/x.conf`).
//!   Cycles, which nginx does not detect, and nesting beyond
//!   [`MAX_INCLUDE_DEPTH`] are reported and not followed.
//! - Listener matching: the requested `listen` value and each
//!   `listen` directive's first argument are split into address and port
//!   (`3306`, `10.0.0.1:3306`, `[::1]:3306`, `*:3306`, port ranges
//!   `3300-3310`). Ports must match; addresses match when equal (ignoring
//!   case) or when either side is a wildcard (none, `*`, `0.0.0.0`, `[::]`).
//!   `unix:` sockets and anything else must match as written. `listen ...
//!   udp` directives are skipped: a database session is TCP. The first
//!   matching server wins.
//! - `proxy_socket_keepalive` (default off) only sets SO_KEEPALIVE on the
//!   upstream socket; it does not extend `proxy_timeout` and is not modelled.

use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::parse::nginx::{self as syntax, Directive, Word};
use crate::provenance::{Origin, Sourced};
use crate::rules::codes;
use crate::source::{FileId, LoadError, Location, SourceMap};
use crate::systems::include::{self, Followed, Follower, Host, Parts, Words};
use crate::systems::proxy::{ProxyKind, ProxyLookup, ProxyTimeouts};

/// Include nesting followed at most (nginx has no limit of its own).
pub const MAX_INCLUDE_DEPTH: usize = 32;
/// Files read at most for one configuration (glob includes can be large).
const MAX_FILE_READS: usize = 2000;

/// Where the `proxy_timeout` default is documented.
pub const PROXY_TIMEOUT_SOURCE: &str =
    "https://nginx.org/en/docs/stream/ngx_stream_proxy_module.html#proxy_timeout";
/// The default `proxy_timeout`: 10 minutes.
pub const DEFAULT_PROXY_TIMEOUT: Duration = Duration::from_secs(600);

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
struct Item {
    file: FileId,
    name: Word,
    args: Vec<Word>,
    block: Option<Vec<Item>>,
}

impl Item {
    fn at(&self, w: &Word) -> Location {
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

/// Expands a glob pattern like glob(3) without flags: `*`, `?` and `[...]`
/// per path component, a leading `.` only matched explicitly, results
/// sorted. Matching nothing gives an empty list. Only folders `allowed`
/// accepts (those inside the project root) are listed; the flag says whether
/// one was refused.
fn glob(pattern: &Path, allowed: &dyn Fn(&Path) -> bool) -> (Vec<PathBuf>, bool) {
    let mut refused = false;
    let mut current = vec![PathBuf::new()];
    for comp in pattern.components() {
        let magic = match comp {
            Component::Normal(s) => {
                let s = s.to_string_lossy();
                s.contains(['*', '?', '[']).then(|| s.into_owned())
            }
            _ => None,
        };
        match magic {
            Some(pat) => {
                let mut next = Vec::new();
                for dir in &current {
                    let listed = if dir.as_os_str().is_empty() {
                        Path::new(".")
                    } else {
                        dir.as_path()
                    };
                    if !allowed(listed) {
                        refused = true;
                        continue;
                    }
                    let Ok(entries) = std::fs::read_dir(listed) else {
                        continue;
                    };
                    for e in entries.flatten() {
                        let name = e.file_name().to_string_lossy().into_owned();
                        if fnmatch(&pat, &name) {
                            next.push(dir.join(name));
                        }
                    }
                }
                current = next;
            }
            None => {
                for p in &mut current {
                    p.push(comp.as_os_str());
                }
            }
        }
    }
    current.retain(|p| p.exists());
    current.sort_by(|a, b| {
        a.to_string_lossy()
            .as_bytes()
            .cmp(b.to_string_lossy().as_bytes())
    });
    (current, refused)
}

/// fnmatch(3) of one file name, as glob(3) uses it: `*`, `?`, `[...]` with
/// `!`/`^` negation and ranges, `\` quoting; a leading `.` is not matched by
/// a wildcard.
fn fnmatch(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    if n.first() == Some(&'.') && p.first() != Some(&'.') {
        return false;
    }
    match_from(&p, &n)
}

fn match_from(p: &[char], n: &[char]) -> bool {
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        let step = match p.get(pi) {
            Some('*') => {
                star = Some((pi, ni));
                pi += 1;
                continue;
            }
            Some('?') => Some(1),
            Some('[') => match class(&p[pi..], n[ni]) {
                Some((true, len)) => Some(len),
                Some((false, _)) => None,
                // An unclosed `[` is an ordinary character.
                None => (n[ni] == '[').then_some(1),
            },
            Some('\\') if pi + 1 < p.len() => (p[pi + 1] == n[ni]).then_some(2),
            Some(c) => (*c == n[ni]).then_some(1),
            None => None,
        };
        match step {
            Some(len) => {
                pi += len;
                ni += 1;
            }
            None => match star {
                Some((sp, sn)) => {
                    pi = sp + 1;
                    ni = sn + 1;
                    star = Some((sp, sn + 1));
                }
                None => return false,
            },
        }
    }
    p[pi.min(p.len())..].iter().all(|c| *c == '*')
}

/// Matches `c` against the class starting at `p[0] == '['`: `(matched,
/// pattern length)`, or `None` when the class is not closed.
fn class(p: &[char], c: char) -> Option<(bool, usize)> {
    let mut i = 1;
    let negate = matches!(p.get(i), Some('!' | '^'));
    if negate {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    loop {
        let lo = *p.get(i)?;
        if lo == ']' && !first {
            return Some((matched != negate, i + 1));
        }
        first = false;
        if p.get(i + 1) == Some(&'-') && p.get(i + 2).is_some_and(|h| *h != ']') {
            let hi = *p.get(i + 2)?;
            if lo <= c && c <= hi {
                matched = true;
            }
            i += 3;
        } else {
            if lo == c {
                matched = true;
            }
            i += 1;
        }
    }
}

/// Why a time is not valid for nginx.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeError {
    /// Not a time `ngx_parse_time` accepts.
    Invalid,
    /// Months or years, which only second-based directives accept.
    MonthsOrYears,
}

/// `ngx_parse_time(value, 0)` (millisecond directives such as
/// `proxy_timeout`): the value in milliseconds.
///
/// Errors: [`TimeError`] for everything nginx rejects, including overflow.
pub fn parse_time_ms(text: &str) -> Result<u64, TimeError> {
    #[derive(Clone, Copy, PartialEq, PartialOrd)]
    enum Step {
        Month,
        Week,
        Day,
        Hour,
        Min,
        Sec,
        Msec,
        Last,
    }
    let b = text.as_bytes();
    let mut p = 0;
    let mut valid = false;
    let mut value: i64 = 0;
    let mut total: i64 = 0;
    let mut step = Step::Month;
    while p < b.len() {
        let c = b[p];
        if c.is_ascii_digit() {
            value = value
                .checked_mul(10)
                .and_then(|v| v.checked_add(i64::from(c - b'0')))
                .ok_or(TimeError::Invalid)?;
            valid = true;
            p += 1;
            continue;
        }
        p += 1;
        let (next, scale_ms): (Step, i64) = match c {
            b'y' | b'M' => return Err(TimeError::MonthsOrYears),
            b'w' if step < Step::Week => (Step::Week, 7 * 86_400_000),
            b'd' if step < Step::Day => (Step::Day, 86_400_000),
            b'h' if step < Step::Hour => (Step::Hour, 3_600_000),
            b'm' if b.get(p) == Some(&b's') => {
                if step >= Step::Msec {
                    return Err(TimeError::Invalid);
                }
                p += 1;
                (Step::Msec, 1)
            }
            b'm' if step < Step::Min => (Step::Min, 60_000),
            b's' if step < Step::Sec => (Step::Sec, 1000),
            b' ' if step < Step::Sec => (Step::Last, 1000),
            _ => return Err(TimeError::Invalid),
        };
        step = next;
        let part = value.checked_mul(scale_ms).ok_or(TimeError::Invalid)?;
        total = total.checked_add(part).ok_or(TimeError::Invalid)?;
        value = 0;
        while b.get(p) == Some(&b' ') {
            p += 1;
        }
    }
    if !valid {
        return Err(TimeError::Invalid);
    }
    let rest = value.checked_mul(1000).ok_or(TimeError::Invalid)?;
    // nginx's limit is NGX_MAX_INT_T_VALUE: overflowing i64 is an error.
    let sum = total.checked_add(rest).ok_or(TimeError::Invalid)?;
    u64::try_from(sum).map_err(|_| TimeError::Invalid)
}

/// A validated `proxy_timeout` of one block.
#[derive(Clone, Copy)]
struct Timeout {
    ms: u64,
    at: Location,
}

/// The `proxy_timeout` directly in `items` (one block), reporting invalid
/// values and duplicates.
fn block_timeout(items: &[Item], diags: &mut Vec<Diagnostic>) -> Option<Timeout> {
    let mut found: Option<Timeout> = None;
    for it in items.iter().filter(|i| i.name.text == "proxy_timeout") {
        let [arg] = it.args.as_slice() else {
            diags.push(Diagnostic::new(
                codes::INVALID_VALUE,
                format!(
                    "`proxy_timeout` takes one time, not {} arguments",
                    it.args.len()
                ),
                Label::at(it.at(&it.name), "invalid number of arguments"),
            ));
            continue;
        };
        let at = it.at(arg);
        let ms = match parse_time_ms(&arg.text) {
            Ok(ms) => ms,
            Err(e) => {
                let why = match e {
                    TimeError::MonthsOrYears => {
                        "months (M) and years (y) are accepted only by second-based \
                         directives, not by proxy_timeout"
                    }
                    TimeError::Invalid => {
                        "nginx times are whole numbers with units w, d, h, m, s or ms, \
                         largest first (a bare number is seconds)"
                    }
                };
                diags.push(
                    Diagnostic::new(
                        codes::INVALID_VALUE,
                        format!("invalid proxy_timeout `{}`: {why}", arg.text),
                        Label::at(at, "not an nginx time"),
                    )
                    .with_help("nginx refuses to start; write it like `10m`, `1h30m` or `600`"),
                );
                continue;
            }
        };
        if found.is_some() {
            diags.push(
                Diagnostic::new(
                    codes::INVALID_VALUE,
                    format!(
                        "duplicate proxy_timeout `{}` in the same block: nginx refuses to \
                         start (\"is duplicate\")",
                        arg.text
                    ),
                    Label::at(at, "second value"),
                )
                .with_help("keep one proxy_timeout per block"),
            );
            continue;
        }
        found = Some(Timeout { ms, at });
    }
    found
}

/// Splits a listen value into address and port text.
fn split_listen(v: &str) -> (Option<&str>, Option<&str>) {
    if v.starts_with("unix:") {
        return (Some(v), None);
    }
    if let Some(rest) = v.strip_prefix('[') {
        return match rest.find(']') {
            Some(i) => {
                let host = v.get(..i + 2);
                let port = rest.get(i + 1..).and_then(|r| r.strip_prefix(':'));
                (host, port)
            }
            None => (Some(v), None),
        };
    }
    if v.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
        return (None, Some(v));
    }
    match v.rsplit_once(':') {
        Some((h, p)) => (Some(h), Some(p)),
        None => (Some(v), None),
    }
}

/// A port or a port range `lo-hi`.
fn port_range(p: &str) -> Option<(u32, u32)> {
    let (lo, hi) = p.split_once('-').unwrap_or((p, p));
    let lo: u32 = lo.parse().ok()?;
    let hi: u32 = hi.parse().ok()?;
    (lo <= hi).then_some((lo, hi))
}

fn is_wildcard(host: Option<&str>) -> bool {
    matches!(host, None | Some("*" | "0.0.0.0" | "[::]"))
}

/// True when the requested listen value `want` names the listen argument `have`.
pub fn listen_matches(want: &str, have: &str) -> bool {
    let want = want.trim();
    let (wh, wp) = split_listen(want);
    let (hh, hp) = split_listen(have);
    match (wp.and_then(port_range), hp.and_then(port_range)) {
        (Some((w, _)), Some((lo, hi))) => {
            let port_ok = lo <= w && w <= hi;
            let host_ok = is_wildcard(wh)
                || is_wildcard(hh)
                || wh.zip(hh).is_some_and(|(a, b)| a.eq_ignore_ascii_case(b));
            port_ok && host_ok
        }
        _ => want == have,
    }
}

fn resolve(top: &[Item], listen: &str, diags: &mut Vec<Diagnostic>) -> ProxyLookup {
    let mut available = Vec::new();
    let mut found: Option<ProxyTimeouts> = None;
    let mut seen_stream = false;
    for stream in top.iter().filter(|i| i.name.text == "stream") {
        let Some(body) = stream.block.as_deref() else {
            continue;
        };
        if seen_stream {
            diags.push(Diagnostic::new(
                codes::SYNTAX_ERROR,
                "second `stream` block: nginx refuses to start (\"is duplicate\")",
                Label::at(stream.at(&stream.name), "duplicate"),
            ));
        }
        seen_stream = true;
        let main = block_timeout(body, diags);
        for server in body.iter().filter(|i| i.name.text == "server") {
            let Some(inner) = server.block.as_deref() else {
                continue;
            };
            let own = block_timeout(inner, diags);
            for l in inner.iter().filter(|i| i.name.text == "listen") {
                let Some(value) = l.args.first() else {
                    continue;
                };
                available.push(value.text.clone());
                let udp = l.args.iter().skip(1).any(|a| a.text == "udp");
                if found.is_some() || udp || !listen_matches(listen, &value.text) {
                    continue;
                }
                let anchor = server.at(&server.name);
                let idle = match own.or(main) {
                    Some(t) => {
                        if t.ms == 0 {
                            diags.push(
                                Diagnostic::new(
                                    codes::INVALID_VALUE,
                                    "proxy_timeout = 0 s closes a stream session at its first \
                                     pause: nginx has no \"no timeout\" value",
                                    Label::at(t.at, "zero timeout"),
                                )
                                .with_severity(Severity::Warning)
                                .with_help("set it above the app's connection retirement age"),
                            );
                        }
                        Sourced::new(Duration::from_millis(t.ms), Origin::File(t.at))
                    }
                    None => Sourced::new(
                        DEFAULT_PROXY_TIMEOUT,
                        Origin::Default {
                            system: "nginx",
                            source: PROXY_TIMEOUT_SOURCE,
                            anchor: Some(anchor),
                        },
                    ),
                };
                found = Some(ProxyTimeouts {
                    kind: ProxyKind::NginxStream,
                    name: value.text.clone(),
                    location: l.at(value),
                    client_idle: Some(idle.clone()),
                    server_idle: Some(idle),
                });
            }
        }
    }
    match found {
        Some(t) => ProxyLookup::Found(t),
        None => ProxyLookup::NotFound { available },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{diag_texts, origin_text};
    use tempfile::TempDir;

    struct Loaded {
        lookup: ProxyLookup,
        sources: SourceMap,
        diags: Vec<Diagnostic>,
    }

    impl Loaded {
        fn diags(&self) -> Vec<(&'static str, String)> {
            diag_texts(&self.diags, &self.sources)
        }

        fn found(&self) -> &ProxyTimeouts {
            match &self.lookup {
                ProxyLookup::Found(t) => t,
                other => panic!("not found: {other:?} {:?}", self.diags()),
            }
        }

        fn idle(&self) -> (Duration, (String, String)) {
            let t = self.found();
            let c = t.client_idle.as_ref().expect("client");
            let s = t.server_idle.as_ref().expect("server");
            assert_eq!(c, s);
            (c.value, origin_text(&self.sources, &c.origin))
        }
    }

    use crate::test_support::tree;

    fn load_path(path: &Path, base: &Path, listen: &str) -> Loaded {
        let mut sources = SourceMap::new(Some(base.to_path_buf())).with_policy(
            crate::source::ReadPolicy::new(Some(base), crate::source::DEFAULT_MAX_FILE_SIZE),
        );
        let mut diags = Vec::new();
        let lookup = load_nginx_stream(path, listen, &mut sources, &mut diags).expect("loads");
        Loaded {
            lookup,
            sources,
            diags,
        }
    }

    fn load_in(dir: &TempDir, name: &str, listen: &str) -> Loaded {
        load_path(&dir.path().join(name), dir.path(), listen)
    }

    fn load_text(text: &str, listen: &str) -> Loaded {
        let dir = tree(&[("nginx.conf", text)]);
        load_in(&dir, "nginx.conf", listen)
    }

    fn mins(m: u64) -> Duration {
        Duration::from_secs(m * 60)
    }

    #[test]
    fn times_accept() {
        let cases: &[(&str, u64)] = &[
            ("10m", 600_000),
            ("1h30m", 5_400_000),
            ("1h 30m", 5_400_000),
            ("600", 600_000),
            ("0", 0),
            ("500ms", 500),
            ("1s500ms", 1_500),
            ("2w1d", 15 * 86_400_000),
            ("1d", 86_400_000),
            ("30s", 30_000),
            ("1h5", 3_605_000),
            ("007s", 7_000),
        ];
        for (text, ms) in cases {
            assert_eq!(parse_time_ms(text), Ok(*ms), "{text}");
        }
    }

    #[test]
    fn times_reject() {
        let cases: &[(&str, TimeError)] = &[
            ("5x", TimeError::Invalid),
            ("", TimeError::Invalid),
            ("s", TimeError::Invalid),
            ("1.5s", TimeError::Invalid),
            ("30m1h", TimeError::Invalid),
            ("1s1s", TimeError::Invalid),
            ("-5s", TimeError::Invalid),
            ("10 m", TimeError::Invalid),
            ("1ms1s", TimeError::Invalid),
            ("1M", TimeError::MonthsOrYears),
            ("1y", TimeError::MonthsOrYears),
            ("99999999999999999999", TimeError::Invalid),
            ("9999999999999999w", TimeError::Invalid),
            ("10é", TimeError::Invalid),
        ];
        for (text, e) in cases {
            assert_eq!(parse_time_ms(text), Err(*e), "{text}");
        }
    }

    #[test]
    fn listen_matching() {
        let yes = [
            ("3306", "3306"),
            ("3306", "0.0.0.0:3306"),
            ("3306", "[::]:3306"),
            ("3306", "*:3306"),
            ("3306", "10.0.0.5:3306"),
            ("127.0.0.1:3306", "3306"),
            ("127.0.0.1:3306", "127.0.0.1:3306"),
            ("LOCALHOST:3306", "localhost:3306"),
            ("[::1]:3306", "[::]:3306"),
            ("3306", "3300-3310"),
            (" 3306 ", "3306"),
            ("unix:/run/db.sock", "unix:/run/db.sock"),
        ];
        for (want, have) in yes {
            assert!(listen_matches(want, have), "{want} vs {have}");
        }
        let no = [
            ("3306", "33060"),
            ("3306", "5432"),
            ("127.0.0.1:3306", "10.0.0.1:3306"),
            ("3306", "unix:/run/db.sock"),
            ("3306", "localhost"),
            ("3311", "3300-3310"),
            ("x", "3306"),
        ];
        for (want, have) in no {
            assert!(!listen_matches(want, have), "{want} vs {have}");
        }
    }

    #[test]
    fn finds_the_server_by_listen_port() {
        let text = "stream {\n  server {\n    listen 5432;\n    proxy_timeout 1h;\n  }\n  \
                    server {\n    listen [::]:3306 reuseport;\n    proxy_timeout 1h30m;\n  }\n}\n";
        let l = load_text(text, "3306");
        assert!(l.diags.is_empty(), "{:?}", l.diags());
        let t = l.found();
        assert_eq!(t.kind, ProxyKind::NginxStream);
        assert_eq!(t.name, "[::]:3306");
        assert_eq!(l.sources.text_at(t.location), "[::]:3306");
        assert_eq!(l.idle(), (mins(90), ("nginx.conf".into(), "1h30m".into())));
        assert_eq!(l.sources.short(t.location), "nginx.conf:7");
    }

    #[test]
    fn not_found_lists_listen_values() {
        let text = "stream {\n  server { listen 5432; }\n  server { listen 0.0.0.0:6432; listen 7000 udp; }\n}\nhttp { server { listen 3306; } }\n";
        let l = load_text(text, "3306");
        match &l.lookup {
            ProxyLookup::NotFound { available } => {
                assert_eq!(available, &["5432", "0.0.0.0:6432", "7000"]);
            }
            other => panic!("{other:?}"),
        }
        // A UDP listen is never the database listener.
        assert!(matches!(
            load_text(text, "7000").lookup,
            ProxyLookup::NotFound { .. }
        ));
    }

    #[test]
    fn inherits_from_stream_level_wherever_written() {
        let text = "stream {\n  server { listen 3306; }\n  proxy_timeout 20m;\n}\n";
        let l = load_text(text, "3306");
        assert!(l.diags.is_empty(), "{:?}", l.diags());
        assert_eq!(l.idle(), (mins(20), ("nginx.conf".into(), "20m".into())));
        // The server's own value wins.
        let text =
            "stream {\n  proxy_timeout 20m;\n  server { listen 3306; proxy_timeout 600; }\n}\n";
        assert_eq!(load_text(text, "3306").idle().0, mins(10));
    }

    #[test]
    fn default_is_ten_minutes_anchored_at_the_server() {
        let l = load_text("stream {\n  server {\n    listen 3306;\n  }\n}\n", "3306");
        assert!(l.diags.is_empty(), "{:?}", l.diags());
        let t = l.found();
        let idle = t.client_idle.as_ref().expect("idle");
        assert_eq!(idle.value, mins(10));
        match &idle.origin {
            Origin::Default {
                system,
                source,
                anchor,
            } => {
                assert_eq!(*system, "nginx");
                assert_eq!(*source, PROXY_TIMEOUT_SOURCE);
                let a = anchor.expect("anchor");
                assert_eq!(l.sources.text_at(a), "server");
                assert_eq!(l.sources.short(a), "nginx.conf:2");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn zero_is_a_zero_timeout_with_a_warning() {
        let l = load_text(
            "stream { server { listen 3306; proxy_timeout 0; } }",
            "3306",
        );
        assert_eq!(l.idle().0, Duration::ZERO);
        assert_eq!(l.diags(), [("TL002", "0".to_string())]);
        assert_eq!(l.diags[0].severity, Severity::Warning);
    }

    #[test]
    fn invalid_and_duplicate_values() {
        let l = load_text(
            "stream {\n  proxy_timeout 5x;\n  server { listen 3306; proxy_timeout 1M; }\n  \
             server { listen 1; proxy_timeout 1m; proxy_timeout 2m; proxy_timeout; }\n}\n",
            "3306",
        );
        assert_eq!(
            l.diags(),
            [
                ("TL002", "5x".to_string()),
                ("TL002", "1M".to_string()),
                ("TL002", "2m".to_string()),
                ("TL002", "proxy_timeout".to_string()),
            ]
        );
        assert!(
            l.diags[1].message.contains("months"),
            "{}",
            l.diags[1].message
        );
        assert!(l.diags[0].message.contains("`5x`"));
        // Invalid values are ignored: the default applies.
        assert_eq!(l.idle().0, mins(10));
        assert!(matches!(
            l.found().client_idle.as_ref().map(|s| &s.origin),
            Some(Origin::Default { .. })
        ));
    }

    #[test]
    fn syntax_errors_are_reported_and_reading_goes_on() {
        let l = load_text(
            "stream {\n  server {\n    listen 3306;\n    proxy_timeout 2m;\n  }\n",
            "3306",
        );
        assert_eq!(l.diags(), [("TL001", "{".to_string())]);
        assert!(l.diags[0].message.contains("expecting \"}\""));
        assert_eq!(l.idle().0, mins(2));
        let l = load_text("stream { server { listen 3306; } } }", "3306");
        assert_eq!(l.diags(), [("TL001", "}".to_string())]);
    }

    #[test]
    fn includes_from_the_configuration_folder() {
        let dir = tree(&[
            (
                "etc/nginx.conf",
                "events {}\nstream {\n  include stream.d/*.conf;\n  include 'timeouts.conf';\n}\n",
            ),
            // In a sub-folder, a relative include is still read from etc/.
            (
                "etc/stream.d/b-db.conf",
                "server {\n  listen 3306;\n  include snippets/db.conf;\n}\n",
            ),
            ("etc/stream.d/a-pg.conf", "server { listen 5432; }\n"),
            ("etc/stream.d/.hidden.conf", "server { listen 9; }\n"),
            ("etc/stream.d/notes.txt", "this is not nginx {"),
            ("etc/snippets/db.conf", "proxy_timeout 45s;\n"),
            ("etc/timeouts.conf", "proxy_timeout 1h;\n"),
        ]);
        let l = load_in(&dir, "etc/nginx.conf", "3306");
        assert!(l.diags.is_empty(), "{:?}", l.diags());
        assert_eq!(
            l.idle(),
            (Duration::from_secs(45), ("db.conf".into(), "45s".into()))
        );
        assert_eq!(
            l.sources.short(l.found().location),
            "etc/stream.d/b-db.conf:2"
        );
        let l = load_in(&dir, "etc/nginx.conf", "1");
        match &l.lookup {
            ProxyLookup::NotFound { available } => assert_eq!(available, &["5432", "3306"]),
            other => panic!("{other:?}"),
        }
        // The stream-level value comes from an include too.
        let l = load_in(&dir, "etc/nginx.conf", "5432");
        assert_eq!(l.idle(), (mins(60), ("timeouts.conf".into(), "1h".into())));
    }

    #[test]
    fn missing_include_cycle_and_empty_glob() {
        let l = load_text(
            "stream {\n  include missing.conf;\n  include none.d/*.conf;\n  server { listen 3306; }\n}\n",
            "3306",
        );
        assert_eq!(l.diags(), [("TL003", "missing.conf".to_string())]);
        assert_eq!(l.idle().0, mins(10));

        let dir = tree(&[
            ("a.conf", "stream { include b.conf; }\n"),
            (
                "b.conf",
                "server { listen 3306; proxy_timeout 3s; }\ninclude a.conf;\n",
            ),
        ]);
        let l = load_in(&dir, "a.conf", "3306");
        assert_eq!(l.diags(), [("TL003", "a.conf".to_string())]);
        assert!(l.diags[0].message.contains("cycle"));
        assert_eq!(l.idle().0, Duration::from_secs(3));

        let l = load_text("include;\ninclude a b;\n", "3306");
        assert_eq!(
            l.diags(),
            [
                ("TL002", "include".to_string()),
                ("TL002", "include".to_string())
            ]
        );
    }

    #[test]
    fn fixture_folder() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/nginx/include");
        let l = load_path(&root.join("nginx.conf"), &root, "3306");
        assert!(l.diags.is_empty(), "{:?}", l.diags());
        assert_eq!(l.idle(), (mins(5), ("mysql.conf".into(), "5m".into())));
        let l = load_path(&root.join("nginx.conf"), &root, "5432");
        assert_eq!(l.idle(), (mins(30), ("nginx.conf".into(), "30m".into())));
    }

    #[test]
    fn fnmatch_like_glob() {
        let yes = [
            ("*.conf", "a.conf"),
            ("?.conf", "a.conf"),
            ("[ab].conf", "b.conf"),
            ("[a-c]*", "c.x"),
            ("[!a]*", "b"),
            ("*", "x"),
            ("a\\*", "a*"),
            (".*", ".hidden"),
            ("[", "["),
        ];
        for (p, n) in yes {
            assert!(fnmatch(p, n), "{p} {n}");
        }
        let no = [
            ("*.conf", "a.conf.bak"),
            ("*", ".hidden"),
            ("?x", ".x"),
            ("[!a]*", "a"),
            ("[ab].conf", "c.conf"),
            ("a\\*", "ab"),
        ];
        for (p, n) in no {
            assert!(!fnmatch(p, n), "{p} {n}");
        }
    }

    #[test]
    fn unreadable_named_file_is_a_load_error() {
        let dir = TempDir::new().expect("dir");
        let mut sources = SourceMap::new(None);
        let mut diags = Vec::new();
        let r = load_nginx_stream(
            &dir.path().join("missing.conf"),
            "3306",
            &mut sources,
            &mut diags,
        );
        assert!(matches!(r, Err(LoadError::Unreadable { .. })), "{r:?}");
    }

    #[test]
    fn never_panics_on_odd_input() {
        let inputs = [
            "",
            "stream",
            "stream;",
            "stream {",
            "stream { server; }",
            "stream { server { listen; } }",
            "stream { server { listen \"\"; } }",
            "stream { server { listen [; } }",
            "stream { server { listen [::; } }",
            "stream { server { listen :; } }",
            "stream { server { listen 99999999999999999999; } }",
            "stream { server { listen 3306-1; } }",
            "stream { proxy_timeout 99999999999999w; server { listen 3306; } }",
            "stream { proxy_timeout \"\"; server { listen 3306; } }",
            "stream { proxy_timeout é; server { listen 3306; } }",
            "stream { include [; }",
            "stream { include ''; }",
            "include /;",
            "\u{0}{}}}",
            "stream {} stream { server { listen 3306; } }",
        ];
        for text in inputs {
            for listen in ["3306", "", "[", ":", "unix:", "é"] {
                let _ = load_text(text, listen);
            }
        }
    }
}
