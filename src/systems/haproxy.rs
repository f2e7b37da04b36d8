//! HAProxy: the idle limits of one `listen`, or of one `frontend` and the
//! backend it forwards to, read from one or more haproxy.cfg files.
//!
//! Syntax comes from [`crate::parse::haproxy`]; this module decides what
//! HAProxy makes of it. Sources: DOMAIN.md section 8 (HAProxy row) and rules
//! 9 and 27; haproxy/haproxy `doc/configuration.txt` (§2 configuration
//! format, quoting and time format; §4 proxies, `timeout client`, `timeout
//! server`, `timeout tunnel`, `mode`, `default_backend`, `use_backend`),
//! `src/proxy.c` (`proxy_parse_timeout`: which side each timeout belongs to,
//! the legacy keywords), `src/tools.c` (`parse_time_err`, `parse_line`) and
//! `src/cfgparse.c` (`readcfgfile`).
//!
//! - Files are read in order as one configuration, like `haproxy -f a -f b`:
//!   a `defaults` section of an earlier file applies to proxies of later
//!   files. Each file starts outside any section, so a directive before the
//!   first section header of a file is [`codes::SYNTAX_ERROR`] ("unknown
//!   keyword out of section"); so is every line HAProxy's reader refuses.
//! - Inheritance: a `frontend`, `backend` or `listen` starts from the last
//!   `defaults` section before it, or from the named one given with
//!   `from NAME` (HAProxy 2.4+: `defaults [NAME] [from NAME]`, `listen NAME
//!   [from NAME]`, ...), then its own lines override (last one wins). Each
//!   `defaults` section starts from scratch unless it has `from` itself. A
//!   `from` naming no earlier `defaults` section is [`codes::SYNTAX_ERROR`].
//! - Sides (`proxy_parse_timeout`): `timeout client` belongs to the frontend
//!   side (`defaults`, `frontend`, `listen`); `timeout server` and `timeout
//!   tunnel` to the backend side (`defaults`, `backend`, `listen`). A value
//!   in a section without that side is ignored, as HAProxy does (with a
//!   warning of its own).
//! - `timeout tunnel`, when set, supersedes both `timeout client` and
//!   `timeout server` once the stream is a tunnel, which in TCP mode is as
//!   soon as no analyser remains. So [`ProxyTimeouts::client_idle`] is the
//!   backend's `timeout tunnel` if set, else the frontend's `timeout client`;
//!   [`ProxyTimeouts::server_idle`] is `timeout tunnel` if set, else `timeout
//!   server`.
//! - Times (`parse_time_err`): a whole decimal number with an optional unit
//!   `us`, `ms`, `s`, `m`, `h` or `d` (lower case); no unit means
//!   milliseconds. Values are rounded up to whole milliseconds and must stay
//!   below 2^31 ms (~24.8 days). Anything else (`5min`, `1.5s`, `10S`, `-1`)
//!   is [`codes::INVALID_VALUE`] at the value and that line is ignored.
//!   `0` means "no timeout" (HAProxy stores it as "eternity").
//! - The legacy `clitimeout`, `srvtimeout` and `contimeout` (also written
//!   `timeout clitimeout`, ...) are read as `timeout client`, `server` and
//!   `connect`, with a [`codes::INVALID_VALUE`] warning: HAProxy 2.1 and
//!   later refuse them.
//! - A frontend forwards to its `default_backend` (which may be inherited
//!   from `defaults`), or else to the only static target of its
//!   `use_backend` rules; a `backend` or `listen` section with that name
//!   supplies the server side. A `default_backend` naming no such section is
//!   [`codes::INVALID_VALUE`] (HAProxy refuses to start).
//! - `mode` defaults to `tcp`.
//! - Environment variables (`"${TIMEOUT}"`) are expanded by HAProxy at
//!   start; their values are unknown here, so such a timeout line is ignored
//!   with a [`codes::INVALID_VALUE`] warning.
//! - Conditional blocks (`.if`/`.elif`/`.else`/`.endif`, HAProxy 2.4+) are
//!   not evaluated: every line inside them is read.
//! - Secrets: the password part of `stats auth USER:PASSWORD` and the word
//!   after `password` / `insecure-password` in `userlist` sections are
//!   marked as secret spans in the [`SourceMap`] right after each file is
//!   lexed (outputs mask them, see [`crate::secrets`]).
//!
//! Findings about the resolved proxy: [`codes::PROXY_TIMEOUT_MISSING`] when
//! a side has no idle limit (no `timeout client`/`server`, or `0`, and no
//! `timeout tunnel`), at the section header of that side;
//! [`codes::PROXY_TIMEOUT_BARE_NUMBER`] when a `timeout client`, `server` or
//! `tunnel` in force is a bare number below 1000 (milliseconds, probably
//! meant as seconds), at the value; [`codes::DATABASE_PROXY_IN_HTTP_MODE`]
//! when the frontend or backend side runs in `mode http`, at the `mode http`
//! line of the proxy itself or, when the mode is inherited, at the proxy's
//! header with the `defaults` line as related label.

use std::path::PathBuf;
use std::time::Duration;

use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::parse::haproxy::{self as cfg, Item, Word};
use crate::provenance::{Origin, Sourced};
use crate::rules::codes;
use crate::source::{FileId, LoadError, Location, SourceMap, Span};
use crate::systems::proxy::{ProxyKind, ProxyLookup, ProxyTimeouts};
use crate::units::fmt_secs_long;

/// A bare timeout below this many milliseconds is reported
/// ([`codes::PROXY_TIMEOUT_BARE_NUMBER`]).
pub const BARE_NUMBER_WARN_BELOW_MS: u64 = 1_000;

/// Largest time HAProxy accepts, in milliseconds (`parse_time_err`:
/// results of 2^31 ms or more overflow).
pub const MAX_TIME_MS: u64 = (1 << 31) - 1;

/// A parsed HAProxy time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HaproxyTime {
    /// The value in whole milliseconds, rounded up like HAProxy does.
    pub millis: u64,
    /// True when written without a unit (so read as milliseconds).
    pub bare: bool,
}

impl HaproxyTime {
    /// The value as a duration.
    pub fn duration(self) -> Duration {
        Duration::from_millis(self.millis)
    }
}

/// Why a time value was rejected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TimeError {
    /// Nothing written.
    Empty,
    /// It does not start with a digit (`-1`, `.5s`, `ten`).
    NotANumber,
    /// Text after the number that is not one of `us ms s m h d`.
    BadUnit {
        /// The digits.
        number: String,
        /// What follows them.
        unit: String,
    },
    /// 2^31 ms (~24.8 days) or more.
    Overflow,
}

/// Parses a HAProxy time (`parse_time_err` with `TIME_UNIT_MS`): digits,
/// then nothing (milliseconds) or one of `us`, `ms`, `s`, `m`, `h`, `d`.
pub fn parse_time(text: &str) -> Result<HaproxyTime, TimeError> {
    if text.is_empty() {
        return Err(TimeError::Empty);
    }
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return Err(TimeError::NotANumber);
    }
    let (number, unit) = text.split_at(digits);
    // (multiplier, divisor) to milliseconds.
    let (mul, div): (u128, u128) = match unit {
        "" | "ms" => (1, 1),
        "us" => (1, 1_000),
        "s" => (1_000, 1),
        "m" => (60_000, 1),
        "h" => (3_600_000, 1),
        "d" => (86_400_000, 1),
        _ => {
            return Err(TimeError::BadUnit {
                number: number.to_string(),
                unit: unit.to_string(),
            });
        }
    };
    let value = number.bytes().fold(0u128, |acc, c| {
        acc.saturating_mul(10)
            .saturating_add(u128::from(c.saturating_sub(b'0')))
    });
    let millis = value.saturating_mul(mul).div_ceil(div);
    if millis > u128::from(MAX_TIME_MS) {
        return Err(TimeError::Overflow);
    }
    let millis = u64::try_from(millis).map_err(|_| TimeError::Overflow)?;
    Ok(HaproxyTime {
        millis,
        bare: unit.is_empty(),
    })
}

/// `30 ms`, `50 s`, `3600 s (1h)`.
fn fmt_ms(ms: u64) -> String {
    if ms.is_multiple_of(1_000) {
        fmt_secs_long(Duration::from_millis(ms))
    } else {
        format!("{ms} ms")
    }
}

/// Reads `files` as one HAProxy configuration (in order, like `haproxy -f a
/// -f b`) and resolves the proxy `name` (`listen name`, or `frontend name`
/// with its default backend).
///
/// Errors: [`LoadError`] when a file cannot be read, or when `files` is
/// empty. Problems inside the files become diagnostics (see the module
/// documentation); `NotFound` lists the `listen` and `frontend` names.
pub fn load_haproxy(
    files: &[PathBuf],
    name: &str,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Result<ProxyLookup, LoadError> {
    if files.is_empty() {
        return Err(LoadError::Invalid(
            "no haproxy configuration file given".to_string(),
        ));
    }
    let mut reader = Reader {
        sources,
        diags,
        proxies: Vec::new(),
        defaults: None,
        named: Vec::new(),
    };
    for path in files {
        let id = reader.sources.load(path)?;
        let mark = reader.diags.len();
        reader.read(id);
        crate::systems::foreign::collapse(
            reader.diags,
            mark,
            id,
            reader.sources,
            "a haproxy config",
            None,
            None,
        )
        .map_err(LoadError::Invalid)?;
    }
    let Reader {
        sources,
        diags,
        proxies,
        ..
    } = reader;
    let front = proxies
        .iter()
        .find(|p| matches!(p.kind, Kind::Frontend | Kind::Listen) && p.name == name);
    let Some(front) = front else {
        let mut available: Vec<String> = Vec::new();
        for p in &proxies {
            if matches!(p.kind, Kind::Frontend | Kind::Listen) && !available.contains(&p.name) {
                available.push(p.name.clone());
            }
        }
        return Ok(ProxyLookup::NotFound { available });
    };
    let back = match front.kind {
        Kind::Listen => Some(front),
        _ => backend_of(front, &proxies, diags),
    };
    Ok(ProxyLookup::Found(resolve(front, back, sources, diags)))
}

/// The kind of a section.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Defaults,
    Frontend,
    Backend,
    Listen,
    Userlist,
    /// `global`, `resolvers`, `ring`, ...: nothing modelled inside.
    Other,
}

impl Kind {
    fn of(keyword: &str) -> Kind {
        match keyword {
            "defaults" => Kind::Defaults,
            "frontend" => Kind::Frontend,
            "backend" => Kind::Backend,
            "listen" => Kind::Listen,
            "userlist" => Kind::Userlist,
            _ => Kind::Other,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Kind::Defaults => "defaults",
            Kind::Frontend => "frontend",
            Kind::Backend => "backend",
            Kind::Listen => "listen",
            Kind::Userlist => "userlist",
            Kind::Other => "section",
        }
    }

    /// Has the frontend (client-side) capability.
    fn fe(self) -> bool {
        matches!(self, Kind::Defaults | Kind::Frontend | Kind::Listen)
    }

    /// Has the backend (server-side) capability.
    fn be(self) -> bool {
        matches!(self, Kind::Defaults | Kind::Backend | Kind::Listen)
    }

    fn is_proxy(self) -> bool {
        matches!(
            self,
            Kind::Defaults | Kind::Frontend | Kind::Backend | Kind::Listen
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Tcp,
    Http,
    /// `log`, `health`, `spop`: neither, and not HTTP.
    Other,
}

/// A value and where it is written.
#[derive(Clone, Debug)]
struct Set<T> {
    value: T,
    at: Location,
}

/// One timeout line in force.
#[derive(Clone, Debug)]
struct Time {
    time: HaproxyTime,
    /// The keyword as written: `timeout client`, `clitimeout`.
    keyword: String,
    /// The value as written.
    text: String,
}

/// The settings timeoutlint models, after inheritance.
#[derive(Clone, Debug, Default)]
struct Settings {
    mode: Option<Set<Mode>>,
    client: Option<Set<Time>>,
    server: Option<Set<Time>>,
    tunnel: Option<Set<Time>>,
    default_backend: Option<Set<String>>,
}

/// A `defaults` section as it stands.
#[derive(Clone, Debug)]
struct Defaults {
    settings: Settings,
    header: Location,
}

/// A `frontend`, `backend` or `listen` section.
#[derive(Clone, Debug)]
struct Proxy {
    kind: Kind,
    name: String,
    header: Location,
    settings: Settings,
    /// Static `use_backend` targets, in order.
    use_backends: Vec<Set<String>>,
    /// A `use_backend` with a dynamic (`%[...]`) target exists.
    dynamic_use_backend: bool,
    /// `mode` is written in the section itself (not inherited).
    own_mode: bool,
    /// The header of the `defaults` section it inherits from.
    inherits: Option<Location>,
}

/// Which timeout a line sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    Client,
    Server,
    Tunnel,
    /// Valid, but not modelled (`connect`, `check`, `queue`, ...).
    Other,
}

/// What a directive changes.
enum Effect {
    Nothing,
    Mode(Set<Mode>),
    Timeout(Side, Set<Time>),
    DefaultBackend(Set<String>),
    UseBackend(Option<Set<String>>),
}

/// The section being read.
enum Current {
    Defaults { name: Option<String>, d: Defaults },
    Proxy(Proxy),
    Other(Kind),
}

struct Reader<'a> {
    sources: &'a mut SourceMap,
    diags: &'a mut Vec<Diagnostic>,
    proxies: Vec<Proxy>,
    /// The last `defaults` section finished.
    defaults: Option<Defaults>,
    /// Named `defaults` sections, in read order (a later one with the same
    /// name shadows an earlier one).
    named: Vec<(String, Defaults)>,
}

const SYNTAX_HELP: &str = "haproxy refuses to start on this line; lines are a keyword and its \
     arguments, `#` starts a comment, and spaces inside an argument need quotes or `\\ `";

impl Reader<'_> {
    fn read(&mut self, id: FileId) {
        crate::systems::foreign::report_nul_byte(id, self.sources, self.diags);
        let text = self.sources.get(id).text().to_string();
        let items = cfg::lex(&text);
        self.redact(id, &items);
        let mut current: Option<Current> = None;
        for item in items {
            match item {
                Item::Section { keyword, args, .. } => {
                    self.finish(current.take());
                    current = Some(self.open(id, &keyword, &args));
                }
                Item::Directive { words, span } => match current.as_mut() {
                    _ if words[0].text.starts_with('.') => {}
                    None => self.diags.push(
                        Diagnostic::new(
                            codes::SYNTAX_ERROR,
                            format!("unknown keyword `{}` out of section", words[0].text),
                            Label::at(Location::new(id, span), "not inside any section"),
                        )
                        .with_help(
                            "haproxy refuses to start (\"unknown keyword out of section\"); \
                             every line belongs to a section such as `global`, `defaults`, \
                             `frontend`, `backend` or `listen`; remove the line or comment it \
                             out with `#`",
                        ),
                    ),
                    Some(cur) => {
                        let kind = match cur {
                            Current::Defaults { .. } => Kind::Defaults,
                            Current::Proxy(p) => p.kind,
                            Current::Other(k) => *k,
                        };
                        if !kind.is_proxy() {
                            continue;
                        }
                        let effect = self.interpret(id, &words);
                        match cur {
                            Current::Defaults { d, .. } => apply(&mut d.settings, kind, effect),
                            Current::Proxy(p) => match effect {
                                Effect::UseBackend(Some(b)) => p.use_backends.push(b),
                                Effect::UseBackend(None) => p.dynamic_use_backend = true,
                                Effect::Mode(m) => {
                                    p.own_mode = true;
                                    p.settings.mode = Some(m);
                                }
                                other => apply(&mut p.settings, kind, other),
                            },
                            Current::Other(_) => {}
                        }
                    }
                },
                Item::Error { span, message, .. } => self.diags.push(
                    Diagnostic::new(
                        codes::SYNTAX_ERROR,
                        message,
                        Label::at(Location::new(id, span), "haproxy cannot read this line"),
                    )
                    .with_help(SYNTAX_HELP),
                ),
            }
        }
        // HAProxy starts every file outside any section.
        self.finish(current);
    }

    /// Marks the secrets of file `id` as secret spans.
    fn redact(&mut self, id: FileId, items: &[Item]) {
        let mut in_userlist = false;
        for item in items {
            match item {
                Item::Section { keyword, .. } => in_userlist = keyword.text == "userlist",
                Item::Directive { words, .. } => {
                    if is_stats_auth(words) {
                        if let Some(w) = words.get(2) {
                            let raw = self.sources.get(id).slice(w.span);
                            let from = raw.find(':').map_or(w.span.start, |i| w.span.start + i + 1);
                            self.sources
                                .get_mut(id)
                                .mark_secret(Span::new(from, w.span.end));
                        }
                        for w in words.iter().skip(3) {
                            self.sources.get_mut(id).mark_secret(w.span);
                        }
                    }
                    if in_userlist {
                        for pair in words.windows(2) {
                            if is_password_word(&pair[0].text) {
                                self.sources.get_mut(id).mark_secret(pair[1].span);
                            }
                        }
                    }
                }
                Item::Error { words, span, .. } => {
                    let secret = is_stats_auth(words)
                        || (in_userlist && words.iter().any(|w| is_password_word(&w.text)));
                    if secret {
                        for w in words.iter().skip(2) {
                            self.sources.get_mut(id).mark_secret(w.span);
                        }
                        self.sources.get_mut(id).mark_secret(*span);
                    }
                }
            }
        }
    }

    /// A section header: what it starts.
    fn open(&mut self, id: FileId, keyword: &Word, args: &[Word]) -> Current {
        let kind = Kind::of(&keyword.text);
        let end = args.last().map_or(keyword.span.end, |w| w.span.end);
        let header = Location::new(id, Span::new(keyword.span.start, end));
        match kind {
            Kind::Defaults => {
                // `defaults [NAME] [from NAME]`
                let (name, from) = match args {
                    [f, d, ..] if f.text == "from" => (None, Some(d)),
                    [n, f, d, ..] if f.text == "from" => (Some(n), Some(d)),
                    [n, ..] => (Some(n), None),
                    [] => (None, None),
                };
                if let [f] | [_, f] = args
                    && f.text == "from"
                {
                    self.missing_from_name(id, f);
                }
                let settings = match from {
                    Some(d) => self.named_defaults(id, d).map(|d| d.settings),
                    None => None,
                };
                Current::Defaults {
                    name: name.map(|w| w.text.clone()),
                    d: Defaults {
                        settings: settings.unwrap_or_default(),
                        header,
                    },
                }
            }
            Kind::Frontend | Kind::Backend | Kind::Listen => {
                let Some(name) = args.first() else {
                    self.diags.push(
                        Diagnostic::new(
                            codes::SYNTAX_ERROR,
                            format!("`{}` has no name", keyword.text),
                            Label::at(header, "a proxy section needs a name"),
                        )
                        .with_help(format!(
                            "haproxy refuses to start (\"'{}' expects <name> as an argument\"); \
                             write e.g. `{} mysql`",
                            keyword.text, keyword.text
                        )),
                    );
                    return Current::Other(Kind::Other);
                };
                // `listen NAME [from NAME]`; old versions allowed
                // `listen NAME ADDRESS`, which is not a `from`.
                let inherited = match args {
                    [_, f, d, ..] if f.text == "from" => self.named_defaults(id, d),
                    [_, f] if f.text == "from" => {
                        self.missing_from_name(id, f);
                        None
                    }
                    _ => self.defaults.clone(),
                };
                Current::Proxy(Proxy {
                    kind,
                    name: name.text.clone(),
                    header,
                    settings: inherited
                        .as_ref()
                        .map(|d| d.settings.clone())
                        .unwrap_or_default(),
                    use_backends: Vec::new(),
                    dynamic_use_backend: false,
                    own_mode: false,
                    inherits: inherited.map(|d| d.header),
                })
            }
            _ => Current::Other(kind),
        }
    }

    fn missing_from_name(&mut self, id: FileId, from: &Word) {
        self.diags.push(
            Diagnostic::new(
                codes::SYNTAX_ERROR,
                "`from` without the name of a defaults section",
                Label::at(Location::new(id, from.span), "a defaults name must follow"),
            )
            .with_help("write `from NAME` with the name of an earlier `defaults NAME` section"),
        );
    }

    /// The named defaults section `word` refers to, or a diagnostic.
    fn named_defaults(&mut self, id: FileId, word: &Word) -> Option<Defaults> {
        let found = self
            .named
            .iter()
            .rev()
            .find(|(n, _)| *n == word.text)
            .map(|(_, d)| d.clone());
        if found.is_none() {
            self.diags.push(
                Diagnostic::new(
                    codes::SYNTAX_ERROR,
                    format!(
                        "no defaults section named `{}` is declared before this line",
                        word.text
                    ),
                    Label::at(Location::new(id, word.span), "unknown defaults section"),
                )
                .with_help(
                    "haproxy refuses to start; `from` names a `defaults NAME` section that \
                     appears earlier in the configuration (HAProxy 2.4 and later)",
                ),
            );
        }
        found
    }

    /// Ends the section being read.
    fn finish(&mut self, current: Option<Current>) {
        match current {
            Some(Current::Defaults { name, d }) => {
                if let Some(n) = name {
                    self.named.push((n, d.clone()));
                }
                self.defaults = Some(d);
            }
            Some(Current::Proxy(p)) => self.proxies.push(p),
            Some(Current::Other(_)) | None => {}
        }
    }

    /// What a directive of a proxy section means, with diagnostics for
    /// values HAProxy refuses.
    fn interpret(&mut self, id: FileId, words: &[Word]) -> Effect {
        let at = |w: &Word| Location::new(id, w.span);
        let key = words[0].text.as_str();
        match key {
            "timeout" => {
                let Some(which) = words.get(1) else {
                    self.invalid(
                        at(&words[0]),
                        "`timeout` without a name and a value".to_string(),
                        "write e.g. `timeout client 30m`".to_string(),
                    );
                    return Effect::Nothing;
                };
                let (side, legacy) = match which.text.as_str() {
                    "client" => (Side::Client, None),
                    "server" => (Side::Server, None),
                    "tunnel" => (Side::Tunnel, None),
                    "clitimeout" => (Side::Client, Some("client")),
                    "srvtimeout" => (Side::Server, Some("server")),
                    "contimeout" => (Side::Other, Some("connect")),
                    "connect" | "check" | "queue" | "tarpit" | "client-fin" | "server-fin"
                    | "http-request" | "http-keep-alive" | "client-hs" => (Side::Other, None),
                    // Unknown or newer names: not ours to judge.
                    _ => return Effect::Nothing,
                };
                let keyword = format!("timeout {}", which.text);
                let kw_at = Location::new(id, Span::new(words[0].span.start, which.span.end));
                self.timeout(id, side, keyword, kw_at, legacy, &words[2..])
            }
            "clitimeout" | "srvtimeout" | "contimeout" => {
                let (side, modern) = match key {
                    "clitimeout" => (Side::Client, "client"),
                    "srvtimeout" => (Side::Server, "server"),
                    _ => (Side::Other, "connect"),
                };
                self.timeout(
                    id,
                    side,
                    key.to_string(),
                    at(&words[0]),
                    Some(modern),
                    &words[1..],
                )
            }
            "mode" => {
                let Some(v) = words.get(1) else {
                    self.invalid(
                        at(&words[0]),
                        "`mode` without a value".to_string(),
                        "write `mode tcp` for a database".to_string(),
                    );
                    return Effect::Nothing;
                };
                let mode = match v.text.as_str() {
                    "tcp" => Mode::Tcp,
                    "http" => Mode::Http,
                    "log" | "health" | "spop" => Mode::Other,
                    other => {
                        self.invalid(
                            at(v),
                            format!("unknown mode `{other}`"),
                            "haproxy knows `mode tcp` and `mode http`; write `mode tcp` for a \
                             database"
                                .to_string(),
                        );
                        return Effect::Nothing;
                    }
                };
                Effect::Mode(Set {
                    value: mode,
                    at: at(v),
                })
            }
            "default_backend" => match words.get(1) {
                Some(b) => Effect::DefaultBackend(Set {
                    value: b.text.clone(),
                    at: at(b),
                }),
                None => Effect::Nothing,
            },
            "use_backend" => match words.get(1) {
                Some(b) if !b.text.contains("%[") && !b.env => Effect::UseBackend(Some(Set {
                    value: b.text.clone(),
                    at: at(b),
                })),
                Some(_) => Effect::UseBackend(None),
                None => Effect::Nothing,
            },
            _ => Effect::Nothing,
        }
    }

    /// One timeout line: `keyword` then `rest` (the value and anything after).
    fn timeout(
        &mut self,
        id: FileId,
        side: Side,
        keyword: String,
        kw_at: Location,
        legacy: Option<&str>,
        rest: &[Word],
    ) -> Effect {
        let Some(v) = rest.first() else {
            self.invalid(
                kw_at,
                format!("`{keyword}` without a value"),
                format!(
                    "haproxy refuses to start; write a time, e.g. `{keyword} 30m` (no unit means \
                     milliseconds)"
                ),
            );
            return Effect::Nothing;
        };
        let v_at = Location::new(id, v.span);
        let modern = legacy.map_or_else(|| keyword.clone(), |m| format!("timeout {m}"));
        if v.env {
            let d = Diagnostic::new(
                codes::INVALID_VALUE,
                format!(
                    "{keyword} `{}` comes from an environment variable; its value is unknown here",
                    v.text
                ),
                Label::at(v_at, "expanded by haproxy at start"),
            )
            .with_severity(Severity::Warning)
            .with_help("this timeout is not checked; write the value in the file to check it");
            self.diags.push(d);
            return Effect::Nothing;
        }
        let time = match parse_time(&v.text) {
            Ok(t) => t,
            Err(e) => {
                let (message, help) = time_error(&keyword, &modern, &v.text, &e);
                self.invalid(v_at, message, help);
                return Effect::Nothing;
            }
        };
        if let Some(extra) = rest.get(1) {
            let help = if parse_time(&format!("{}{}", v.text, extra.text)).is_ok() {
                format!(
                    "haproxy refuses to start; write the unit right after the number: \
                     `{modern} {}{}`",
                    v.text, extra.text
                )
            } else {
                format!("haproxy refuses to start; `{keyword}` takes one value")
            };
            self.invalid(
                Location::new(id, extra.span),
                format!("unexpected `{}` after `{keyword} {}`", extra.text, v.text),
                help,
            );
        }
        if legacy.is_some() {
            let d = Diagnostic::new(
                codes::INVALID_VALUE,
                format!(
                    "`{keyword}` is not supported since haproxy 2.1; read here as `{modern} {}` ({})",
                    v.text,
                    fmt_ms(time.millis)
                ),
                Label::at(kw_at, format!("write `{modern}`")),
            )
            .with_severity(Severity::Warning)
            .with_help(format!(
                "haproxy 2.1 and later refuse to start (\"the '{}' directive is not supported \
                 anymore since HAProxy 2.1\"); write `{modern} {}`",
                keyword.trim_start_matches("timeout "),
                v.text
            ));
            self.diags.push(d);
        }
        Effect::Timeout(
            side,
            Set {
                value: Time {
                    time,
                    keyword,
                    text: v.text.clone(),
                },
                at: v_at,
            },
        )
    }

    /// A [`codes::INVALID_VALUE`] error.
    fn invalid(&mut self, at: Location, message: String, help: String) {
        self.diags.push(
            Diagnostic::new(
                codes::INVALID_VALUE,
                message,
                Label::at(at, "invalid value"),
            )
            .with_help(help),
        );
    }
}

fn is_stats_auth(words: &[Word]) -> bool {
    words.first().is_some_and(|w| w.text == "stats")
        && words.get(1).is_some_and(|w| w.text == "auth")
}

fn is_password_word(w: &str) -> bool {
    w == "password" || w == "insecure-password"
}

/// Applies an effect to the settings of a section of `kind`; values for a
/// side the section does not have are ignored, as HAProxy does.
fn apply(s: &mut Settings, kind: Kind, effect: Effect) {
    match effect {
        Effect::Mode(m) => s.mode = Some(m),
        Effect::Timeout(Side::Client, t) if kind.fe() => s.client = Some(t),
        Effect::Timeout(Side::Server, t) if kind.be() => s.server = Some(t),
        Effect::Timeout(Side::Tunnel, t) if kind.be() => s.tunnel = Some(t),
        Effect::DefaultBackend(b) if kind.fe() => s.default_backend = Some(b),
        _ => {}
    }
}

/// Message and help for a time HAProxy refuses.
fn time_error(keyword: &str, modern: &str, text: &str, e: &TimeError) -> (String, String) {
    const SHAPE: &str = "haproxy times are a whole number with an optional unit us, ms, s, m, h \
                         or d (no unit means milliseconds)";
    match e {
        TimeError::Empty => (
            format!("{keyword} has an empty value"),
            format!("{SHAPE}; write e.g. `{modern} 30m`"),
        ),
        TimeError::NotANumber => (
            format!("{keyword} value `{text}` is not a whole number of time units"),
            format!("{SHAPE}; haproxy refuses to start; write e.g. `{modern} 30m`"),
        ),
        TimeError::BadUnit { number, unit } => {
            let guess = match unit.to_ascii_lowercase().as_str() {
                "us" | "usec" | "usecs" => Some("us"),
                "ms" | "msec" | "msecs" | "millis" => Some("ms"),
                "s" | "sec" | "secs" | "second" | "seconds" => Some("s"),
                "m" | "min" | "mins" | "minute" | "minutes" => Some("m"),
                "h" | "hr" | "hrs" | "hour" | "hours" => Some("h"),
                "d" | "day" | "days" => Some("d"),
                _ => None,
            };
            let help = match guess {
                Some(u) => format!("{SHAPE}; write `{modern} {number}{u}`"),
                None if unit.starts_with('.') => {
                    format!("{SHAPE}; fractions are not accepted: use a smaller unit, e.g. `ms`")
                }
                None => format!("{SHAPE}; haproxy refuses to start"),
            };
            (
                format!("{keyword} value `{text}` has an unknown unit `{unit}`"),
                help,
            )
        }
        TimeError::Overflow => (
            format!(
                "{keyword} value `{text}` is too large: haproxy's limit is 2147483647 ms (~24.8 days)"
            ),
            format!(
                "{SHAPE}; haproxy refuses to start (\"timer overflow\"); write at most `{modern} 24d`"
            ),
        ),
    }
}

/// The backend a frontend forwards to, when it can be known.
fn backend_of<'p>(
    front: &Proxy,
    proxies: &'p [Proxy],
    diags: &mut Vec<Diagnostic>,
) -> Option<&'p Proxy> {
    let target = match &front.settings.default_backend {
        Some(b) => Some((b, "default_backend")),
        None if !front.dynamic_use_backend => {
            let first = front.use_backends.first()?;
            front
                .use_backends
                .iter()
                .all(|b| b.value == first.value)
                .then_some((first, "use_backend"))
        }
        None => None,
    }?;
    let (b, keyword) = target;
    let found = proxies
        .iter()
        .find(|p| matches!(p.kind, Kind::Backend | Kind::Listen) && p.name == b.value);
    if found.is_none() {
        diags.push(
            Diagnostic::new(
                codes::INVALID_VALUE,
                format!("{keyword} `{}` names no backend or listen section", b.value),
                Label::at(b.at, "no such backend"),
            )
            .with_help(format!(
                "haproxy refuses to start (\"unable to find required {keyword}\"); add \
                 `backend {}` or correct the name",
                b.value
            )),
        );
    }
    found
}

/// The idle limits of `front` (and its backend `back`), with the findings
/// about them.
fn resolve(
    front: &Proxy,
    back: Option<&Proxy>,
    sources: &SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> ProxyTimeouts {
    let nonzero = |t: &Option<Set<Time>>| t.clone().filter(|t| t.value.time.millis > 0);
    let tunnel = back.and_then(|b| nonzero(&b.settings.tunnel));
    let sourced = |t: &Set<Time>| Sourced::new(t.value.time.duration(), Origin::File(t.at));
    let client_idle = tunnel
        .as_ref()
        .or(nonzero(&front.settings.client).as_ref())
        .map(sourced);
    let server_idle = match back {
        Some(b) => tunnel
            .as_ref()
            .or(nonzero(&b.settings.server).as_ref())
            .map(sourced),
        None => None,
    };

    // Bare numbers below a second.
    let mut in_force = vec![front.settings.client.as_ref()];
    if let Some(b) = back {
        in_force.push(b.settings.server.as_ref());
        in_force.push(b.settings.tunnel.as_ref());
    }
    for t in in_force.into_iter().flatten() {
        let ms = t.value.time.millis;
        if t.value.time.bare && ms > 0 && ms < BARE_NUMBER_WARN_BELOW_MS {
            let k = &t.value.keyword;
            let v = &t.value.text;
            diags.push(
                Diagnostic::new(
                    codes::PROXY_TIMEOUT_BARE_NUMBER,
                    format!("{k} {v} is {ms} ms: a bare number is milliseconds in haproxy"),
                    Label::at(t.at, format!("{ms} ms")),
                )
                .with_help(format!(
                    "write `{k} {v}s` if {v} seconds were meant, or `{k} {v}ms` to keep \
                     milliseconds"
                )),
            );
        }
    }

    // Missing idle limits.
    if tunnel.is_none() {
        missing(front, &front.settings.client, "client", sources, diags);
        if let Some(b) = back {
            missing(b, &b.settings.server, "server", sources, diags);
        }
    }

    // HTTP mode.
    let mut sides = vec![front];
    if let Some(b) = back
        && !std::ptr::eq(b, front)
    {
        sides.push(b);
    }
    if let Some(p) = sides.into_iter().find(|p| {
        p.settings
            .mode
            .as_ref()
            .is_some_and(|m| m.value == Mode::Http)
    }) {
        http_mode(p, sources, diags);
    }

    ProxyTimeouts {
        kind: ProxyKind::Haproxy,
        name: front.name.clone(),
        location: front.header,
        client_idle,
        server_idle,
    }
}

/// [`codes::PROXY_TIMEOUT_MISSING`] for `side` of `p` when `t` is unset or 0.
fn missing(
    p: &Proxy,
    t: &Option<Set<Time>>,
    side: &str,
    sources: &SourceMap,
    diags: &mut Vec<Diagnostic>,
) {
    let what = format!("{} `{}`", p.kind.as_str(), p.name);
    let mut d = match t {
        Some(t) if t.value.time.millis > 0 => return,
        Some(t) => Diagnostic::new(
            codes::PROXY_TIMEOUT_MISSING,
            format!(
                "{what} has {} 0, which disables it: no timeout means the proxy never closes an \
                 idle session",
                t.value.keyword
            ),
            Label::at(p.header, format!("no timeout {side} in force")),
        )
        .with_related(Label::at(t.at, "0 means no timeout")),
        None => {
            let d = Diagnostic::new(
                codes::PROXY_TIMEOUT_MISSING,
                format!(
                    "{what} has no timeout {side}: no timeout means the proxy never closes an \
                     idle session"
                ),
                Label::at(
                    p.header,
                    format!("no timeout {side} here or in its defaults"),
                ),
            );
            match p.inherits {
                Some(h) => d.with_related(Label::at(
                    h,
                    format!(
                        "the defaults in force ({}) set no timeout {side}",
                        sources.short(h)
                    ),
                )),
                None => d,
            }
        }
    };
    d = d.with_help(format!(
        "set `timeout {side}` (e.g. `timeout {side} 30m`) in {what} or its defaults section, \
         or `timeout tunnel` for a tcp proxy; without it sessions whose peer vanished stay open \
         forever and haproxy warns about missing timeouts at startup"
    ));
    diags.push(d);
}

/// [`codes::DATABASE_PROXY_IN_HTTP_MODE`] for `p`, whose mode is http.
fn http_mode(p: &Proxy, sources: &SourceMap, diags: &mut Vec<Diagnostic>) {
    let Some(mode) = &p.settings.mode else { return };
    let what = format!("{} `{}`", p.kind.as_str(), p.name);
    let message = format!("{what} runs in mode http, but a database connection is not http");
    let help = format!(
        "add `mode tcp` to {what}; in http mode haproxy parses the stream as http requests and \
         rejects the database protocol's first bytes"
    );
    let d = if p.own_mode {
        Diagnostic::new(
            codes::DATABASE_PROXY_IN_HTTP_MODE,
            message,
            Label::at(mode.at, "mode http"),
        )
        .with_related(Label::at(p.header, format!("{what} is declared here")))
    } else {
        Diagnostic::new(
            codes::DATABASE_PROXY_IN_HTTP_MODE,
            message,
            Label::at(p.header, "inherits mode http"),
        )
        .with_related(Label::at(
            mode.at,
            format!(
                "mode http set in the defaults at {}",
                sources.short(mode.at)
            ),
        ))
    };
    diags.push(d.with_help(help));
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;
    use tempfile::TempDir;

    struct Loaded {
        lookup: ProxyLookup,
        sources: SourceMap,
        diags: Vec<Diagnostic>,
    }

    impl Loaded {
        fn diags(&self) -> Vec<(&'static str, String)> {
            crate::test_support::diag_texts(&self.diags, &self.sources)
        }

        fn found(&self) -> &ProxyTimeouts {
            match &self.lookup {
                ProxyLookup::Found(t) => t,
                ProxyLookup::NotFound { available } => panic!("not found; have {available:?}"),
            }
        }

        /// `(client, server)` idle limits in ms.
        fn idle_ms(&self) -> (Option<u128>, Option<u128>) {
            let t = self.found();
            (
                t.client_idle.as_ref().map(|s| s.value.as_millis()),
                t.server_idle.as_ref().map(|s| s.value.as_millis()),
            )
        }

        /// `(file name, text)` of an origin's location.
        fn at(&self, origin: &Origin) -> (String, String) {
            crate::test_support::origin_text(&self.sources, origin)
        }

        fn all_text(&self) -> String {
            self.sources
                .files()
                .map(|(_, f)| f.masked_text().to_string())
                .collect()
        }
    }

    fn load_paths(paths: &[PathBuf], name: &str) -> Loaded {
        let mut sources = SourceMap::new(None);
        let mut diags = Vec::new();
        let lookup = load_haproxy(paths, name, &mut sources, &mut diags).expect("readable");
        Loaded {
            lookup,
            sources,
            diags,
        }
    }

    /// Writes `files` to a temporary folder and loads them in order.
    fn load(files: &[(&str, &str)], name: &str) -> Loaded {
        let dir = TempDir::new().expect("temp dir");
        let paths: Vec<PathBuf> = files
            .iter()
            .map(|(n, text)| {
                let p = dir.path().join(n);
                std::fs::write(&p, text).expect("write");
                p
            })
            .collect();
        load_paths(&paths, name)
    }

    fn one(text: &str, name: &str) -> Loaded {
        load(&[("haproxy.cfg", text)], name)
    }

    fn fixture(rel: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/haproxy")
            .join(rel)
    }

    #[test]
    fn times() {
        let ok: &[(&str, u64, bool)] = &[
            ("50000", 50_000, true),
            ("100", 100, true),
            ("0", 0, true),
            ("1m", 60_000, false),
            ("30m", 1_800_000, false),
            ("10s", 10_000, false),
            ("1h", 3_600_000, false),
            ("1d", 86_400_000, false),
            ("24d", 2_073_600_000, false),
            ("250ms", 250, false),
            ("1us", 1, false),
            ("1500us", 2, false),
            ("0us", 0, false),
            ("007s", 7_000, false),
            ("2147483647", 2_147_483_647, true),
        ];
        for &(text, millis, bare) in ok {
            assert_eq!(
                parse_time(text),
                Ok(HaproxyTime { millis, bare }),
                "{text:?}"
            );
        }
        let unit = |n: &str, u: &str| TimeError::BadUnit {
            number: n.to_string(),
            unit: u.to_string(),
        };
        let bad: &[(&str, TimeError)] = &[
            ("5min", unit("5", "min")),
            ("1.5s", unit("1", ".5s")),
            ("10S", unit("10", "S")),
            ("10 s", unit("10", " s")),
            ("10u", unit("10", "u")),
            ("10sec", unit("10", "sec")),
            ("-1", TimeError::NotANumber),
            ("s", TimeError::NotANumber),
            ("", TimeError::Empty),
            ("25d", TimeError::Overflow),
            ("2147483648", TimeError::Overflow),
            (
                "999999999999999999999999999999999999999999d",
                TimeError::Overflow,
            ),
        ];
        for (text, e) in bad {
            assert_eq!(parse_time(text).as_ref(), Err(e), "{text:?}");
        }
    }

    #[test]
    fn listen_inherits_the_last_defaults() {
        let l = one(
            "defaults\n  mode tcp\n  timeout client 1m\n  timeout server 1m\n\
             defaults\n  mode tcp\n  timeout client 60s\n  timeout server 50000\n\
             listen mysql-rw\n  bind :3306\n  timeout server 2m\n",
            "mysql-rw",
        );
        assert_eq!(l.diags(), []);
        assert_eq!(l.idle_ms(), (Some(60_000), Some(120_000)));
        let t = l.found();
        assert_eq!(t.kind, ProxyKind::Haproxy);
        assert_eq!(t.name, "mysql-rw");
        assert_eq!(l.sources.text_at(t.location), "listen mysql-rw");
        let client = t.client_idle.as_ref().map(|s| l.at(&s.origin));
        assert_eq!(client, Some(("haproxy.cfg".into(), "60s".into())));
        let server = t.server_idle.as_ref().map(|s| l.at(&s.origin));
        assert_eq!(server, Some(("haproxy.cfg".into(), "2m".into())));
    }

    #[test]
    fn each_defaults_section_starts_from_scratch() {
        let l = one(
            "defaults\n  timeout client 10s\n  timeout server 10s\n\
             defaults\n  timeout server 20s\n\
             listen db\n  bind :5432\n",
            "db",
        );
        assert_eq!(l.idle_ms(), (None, Some(20_000)));
        assert_eq!(l.diags(), [("TL120", "listen db".to_string())]);
        assert!(
            l.diags[0].message.contains("no timeout client"),
            "{:?}",
            l.diags
        );
        // The defaults in force are named in a related label.
        assert_eq!(l.diags[0].related.len(), 1);
    }

    #[test]
    fn named_defaults_and_from() {
        let path = fixture("named-defaults.cfg");
        let l = load_paths(std::slice::from_ref(&path), "pg");
        assert_eq!(l.diags(), []);
        assert_eq!(l.idle_ms(), (Some(1_800_000), Some(1_800_000)));

        // Without `from`: the last defaults section (web, mode http).
        let l = load_paths(std::slice::from_ref(&path), "pg-web");
        assert_eq!(l.idle_ms(), (Some(30_000), Some(30_000)));
        assert_eq!(l.diags(), [("TL122", "listen pg-web".to_string())]);

        // A named defaults section inheriting from another one.
        let l = load_paths(std::slice::from_ref(&path), "pg-tunnel");
        assert_eq!(l.diags(), []);
        assert_eq!(l.idle_ms(), (Some(7_200_000), Some(7_200_000)));

        // Userlist passwords never reach the sources.
        let text = l.all_text();
        assert!(
            !text.contains("hunter2") && !text.contains("$6$salt$hash"),
            "{text}"
        );
        assert!(text.contains("user alice password"));
    }

    #[test]
    fn unknown_from_is_a_syntax_error() {
        let l = one(
            "defaults base\n  timeout client 1s\n  timeout server 1s\n\
             listen db from nope\n  bind :5432\n",
            "db",
        );
        let d = l.diags();
        assert!(d.contains(&("TL001", "nope".to_string())), "{d:?}");
        // Nothing is inherited then.
        assert_eq!(l.idle_ms(), (None, None));
    }

    #[test]
    fn frontend_with_backend() {
        // The frontend's client timeout comes from the defaults before it,
        // the server timeout from the defaults before the backend.
        let l = one(
            "defaults\n  mode tcp\n  timeout client 1m\n  timeout server 1m\n\
             frontend pg\n  bind :5432\n  timeout server 5s\n  default_backend pgs\n\
             defaults\n  mode tcp\n  timeout client 7s\n  timeout server 2m\n\
             backend pgs\n  timeout client 9s\n  server a a:5432\n",
            "pg",
        );
        assert_eq!(l.diags(), []);
        assert_eq!(l.idle_ms(), (Some(60_000), Some(120_000)));
    }

    #[test]
    fn default_backend_inherited_and_use_backend() {
        let l = one(
            "defaults\n  mode tcp\n  timeout client 1m\n  timeout server 1m\n  default_backend b\n\
             frontend f\n  bind :3306\n\
             backend b\n  timeout server 3m\n",
            "f",
        );
        assert_eq!(l.idle_ms(), (Some(60_000), Some(180_000)));

        let l = one(
            "defaults\n  mode tcp\n  timeout client 1m\n  timeout server 1m\n\
             frontend f\n  use_backend b if { src 10.0.0.0/8 }\n  use_backend b\n\
             backend b\n  timeout server 3m\n",
            "f",
        );
        assert_eq!(l.idle_ms(), (Some(60_000), Some(180_000)));

        // Two targets: the server side is unknown, and not reported missing.
        let l = one(
            "defaults\n  mode tcp\n  timeout client 1m\n\
             frontend f\n  use_backend a if { src 10.0.0.1 }\n  use_backend b\n\
             backend a\nbackend b\n",
            "f",
        );
        assert_eq!(l.idle_ms(), (Some(60_000), None));
        assert_eq!(l.diags(), []);

        // A listen can be a backend too.
        let l = one(
            "defaults\n  timeout client 1m\n  timeout server 1m\n\
             frontend f\n  default_backend l\n\
             listen l\n  timeout server 4s\n",
            "f",
        );
        assert_eq!(l.idle_ms(), (Some(60_000), Some(4_000)));
    }

    #[test]
    fn missing_backend_is_reported() {
        let l = one(
            "defaults\n  timeout client 1m\n  timeout server 1m\n\
             frontend f\n  default_backend nope\n",
            "f",
        );
        assert_eq!(l.diags(), [("TL002", "nope".to_string())]);
        assert_eq!(l.idle_ms(), (Some(60_000), None));
    }

    #[test]
    fn tunnel_supersedes_client_and_server() {
        let l = one(
            "defaults\n  mode tcp\n  timeout client 10s\n  timeout server 10s\n\
             listen db\n  timeout tunnel 1h\n",
            "db",
        );
        assert_eq!(l.diags(), []);
        assert_eq!(l.idle_ms(), (Some(3_600_000), Some(3_600_000)));
        let t = l.found();
        let at = t.client_idle.as_ref().map(|s| l.at(&s.origin).1);
        assert_eq!(at.as_deref(), Some("1h"));

        // The tunnel timeout of a frontend is ignored (backend side only);
        // the backend's applies to the frontend's clients as well.
        let l = one(
            "defaults\n  timeout client 10s\n  timeout server 10s\n\
             frontend f\n  timeout tunnel 5h\n  default_backend b\n\
             backend b\n  timeout tunnel 2h\n",
            "f",
        );
        assert_eq!(l.idle_ms(), (Some(7_200_000), Some(7_200_000)));

        // With a tunnel timeout, missing client/server timeouts are no finding.
        let l = one("listen db\n  timeout tunnel 1h\n", "db");
        assert_eq!(l.diags(), []);
        assert_eq!(l.idle_ms(), (Some(3_600_000), Some(3_600_000)));
    }

    #[test]
    fn missing_and_zero_timeouts() {
        let l = one("listen db\n  bind :5432\n  mode tcp\n", "db");
        assert_eq!(l.idle_ms(), (None, None));
        assert_eq!(
            l.diags(),
            [
                ("TL120", "listen db".to_string()),
                ("TL120", "listen db".to_string())
            ]
        );
        assert!(l.diags.iter().all(|d| {
            d.message
                .contains("no timeout means the proxy never closes an idle session")
        }));

        let l = one(
            "listen db\n  timeout client 0\n  timeout server 30s\n  timeout tunnel 0\n",
            "db",
        );
        assert_eq!(l.idle_ms(), (None, Some(30_000)));
        assert_eq!(l.diags(), [("TL120", "listen db".to_string())]);
        assert!(l.diags[0].message.contains("timeout client 0"));

        // Frontend without timeout client; backend without timeout server.
        let l = one(
            "frontend f\n  timeout client 1m\n  default_backend b\nbackend b\n  mode tcp\n",
            "f",
        );
        assert_eq!(l.diags(), [("TL120", "backend b".to_string())]);
    }

    #[test]
    fn bare_numbers_below_a_second() {
        let l = one(
            "defaults\n  timeout client 30\n  timeout server 999\n  timeout connect 5\n\
             listen db\n  timeout tunnel 1000\n",
            "db",
        );
        assert_eq!(
            l.diags(),
            [("TL121", "30".to_string()), ("TL121", "999".to_string())]
        );
        assert_eq!(
            l.diags[0].message,
            "timeout client 30 is 30 ms: a bare number is milliseconds in haproxy"
        );
        // 1000 and explicit units are fine.
        let l = one(
            "listen db\n  timeout client 30ms\n  timeout server 1000\n",
            "db",
        );
        assert_eq!(l.diags(), []);
        assert_eq!(l.idle_ms(), (Some(30), Some(1_000)));
    }

    #[test]
    fn invalid_times_are_ignored_with_an_error() {
        let l = one(
            "defaults\n  timeout client 1m\n  timeout server 1m\n\
             listen db\n  timeout client 5min\n  timeout server 1.5s\n  timeout connect\n\
             timeout server 10 s\n",
            "db",
        );
        let d = l.diags();
        assert_eq!(
            d,
            [
                ("TL002", "5min".to_string()),
                ("TL002", "1.5s".to_string()),
                ("TL002", "timeout connect".to_string()),
                ("TL002", "s".to_string()),
                ("TL121", "10".to_string()),
            ]
        );
        assert!(l.diags[0].message.contains("`5min`"), "{:?}", l.diags[0]);
        assert!(
            l.diags[0]
                .help
                .as_deref()
                .unwrap_or("")
                .contains("`timeout client 5m`")
        );
        assert!(
            l.diags[3]
                .help
                .as_deref()
                .unwrap_or("")
                .contains("`timeout server 10s`")
        );
        // Invalid values leave the inherited ones; `10 s` is read as 10 ms
        // (an error for haproxy 2.x, and a bare number below a second).
        assert_eq!(l.idle_ms(), (Some(60_000), Some(10)));
    }

    #[test]
    fn environment_variables_are_not_guessed() {
        let l = one(
            "listen db\n  timeout client \"${CLIENT_TIMEOUT}\"\n  timeout server 1m\n",
            "db",
        );
        let d = l.diags();
        assert_eq!(d[0], ("TL002", "\"${CLIENT_TIMEOUT}\"".to_string()));
        assert_eq!(l.diags[0].severity, Severity::Warning);
    }

    #[test]
    fn http_mode() {
        // Inherited from defaults: at the header, the defaults line related.
        let l = one(
            "defaults\n  mode http\n  timeout client 50000\n  timeout server 50000\n\
             listen postgres\n  bind *:5000\n",
            "postgres",
        );
        assert_eq!(l.diags(), [("TL122", "listen postgres".to_string())]);
        assert_eq!(l.diags[0].severity, Severity::Error);
        let related: Vec<_> = l.diags[0]
            .related
            .iter()
            .filter_map(|r| r.location.map(|x| l.sources.text_at(x).to_string()))
            .collect();
        assert_eq!(related, ["http"]);
        assert_eq!(l.idle_ms(), (Some(50_000), Some(50_000)));

        // Written in the proxy itself: at the value.
        let l = one(
            "defaults\n  mode tcp\n  timeout client 1m\n  timeout server 1m\n\
             listen db\n  mode http\n",
            "db",
        );
        assert_eq!(l.diags(), [("TL122", "http".to_string())]);

        // Overridden by the proxy: fine.
        let l = one(
            "defaults\n  mode http\n  timeout client 1m\n  timeout server 1m\n\
             listen db\n  mode tcp\n",
            "db",
        );
        assert_eq!(l.diags(), []);

        // A tcp frontend with an http backend.
        let l = one(
            "defaults\n  timeout client 1m\n  timeout server 1m\n\
             frontend f\n  mode tcp\n  default_backend b\nbackend b\n  mode http\n",
            "f",
        );
        assert_eq!(l.diags(), [("TL122", "http".to_string())]);

        // Unknown mode.
        let l = one("listen db\n  mode sql\n  timeout tunnel 1h\n", "db");
        assert_eq!(l.diags(), [("TL002", "sql".to_string())]);
    }

    #[test]
    fn legacy_timeouts() {
        let l = load_paths(&[fixture("legacy.cfg")], "mysql");
        assert_eq!(l.idle_ms(), (Some(100_000), Some(100_000)));
        let d = l.diags();
        assert_eq!(
            d,
            [
                ("TL002", "clitimeout".to_string()),
                ("TL002", "srvtimeout".to_string()),
                ("TL002", "contimeout".to_string()),
            ]
        );
        assert!(l.diags.iter().all(|d| d.severity == Severity::Warning));
        assert!(
            l.diags[1].message.contains("timeout server 100000` (100 s"),
            "{}",
            l.diags[1].message
        );
        // `stats auth` passwords are redacted, the user name kept.
        let text = l.all_text();
        assert!(!text.contains("s3cr3t"), "{text}");
        assert!(text.contains("stats auth admin:******"), "{text}");

        let l = one(
            "listen db\n  timeout clitimeout 30s\n  timeout srvtimeout 30s\n",
            "db",
        );
        assert_eq!(l.idle_ms(), (Some(30_000), Some(30_000)));
    }

    #[test]
    fn two_files_form_one_config() {
        let paths = [
            fixture("split/10-defaults.cfg"),
            fixture("split/20-mysql.cfg"),
        ];
        let l = load_paths(&paths, "mysql");
        // mode tcp in both sections overrides the defaults' mode http.
        assert_eq!(l.diags(), []);
        assert_eq!(l.idle_ms(), (Some(3_600_000), Some(3_600_000)));
        let t = l.found();
        let at = t.client_idle.as_ref().map(|s| l.at(&s.origin));
        assert_eq!(at, Some(("10-defaults.cfg".into(), "1h".into())));
        assert_eq!(
            l.sources.get(t.location.file).path().file_name(),
            Some(std::ffi::OsStr::new("20-mysql.cfg"))
        );

        // The second file alone has no defaults.
        let l = load_paths(&paths[1..], "mysql");
        assert_eq!(l.idle_ms(), (None, None));
        assert_eq!(l.diags().len(), 2);
    }

    #[test]
    fn each_file_starts_outside_any_section() {
        let l = load(
            &[
                ("a.cfg", "defaults\n  timeout client 1m\n"),
                (
                    "b.cfg",
                    "  timeout server 1m\nlisten db\n  timeout server 2m\n",
                ),
            ],
            "db",
        );
        assert_eq!(l.diags(), [("TL001", "timeout server 1m".to_string())]);
        assert_eq!(l.idle_ms(), (Some(60_000), Some(120_000)));
    }

    #[test]
    fn not_found_lists_listen_and_frontend_names() {
        let l = one(
            "defaults\nlisten a\nfrontend b\nbackend c\nlisten a\nfrontend d\n",
            "x",
        );
        match l.lookup {
            ProxyLookup::NotFound { available } => assert_eq!(available, ["a", "b", "d"]),
            other => panic!("{other:?}"),
        }
        // A backend is not a listener.
        assert!(matches!(
            one("backend c\n", "c").lookup,
            ProxyLookup::NotFound { .. }
        ));
    }

    #[test]
    fn syntax_errors() {
        let l = one(
            "--/etc/haproxy/haproxy.cfg\n\
             global\n  maxconn 1\n\
             defaults\n  timeout client 1m\n  timeout server 1m\n\
             listen\n\
             listen db\n  acl x \"open\n",
            "db",
        );
        assert_eq!(
            l.diags(),
            [
                ("TL001", "--/etc/haproxy/haproxy.cfg".to_string()),
                ("TL001", "listen".to_string()),
                ("TL001", "\"open".to_string()),
            ]
        );
        assert_eq!(l.idle_ms(), (Some(60_000), Some(60_000)));
    }

    #[test]
    fn sections_that_are_not_proxies_keep_their_timeouts() {
        let l = one(
            "defaults\n  timeout client 1m\n  timeout server 1m\n\
             listen db\n\
             resolvers dns\n  timeout resolve 1s\n  timeout retry 1s\n\
             ring r\n  timeout server 1\n\
             .if defined(X)\n\
             .endif\n",
            "db",
        );
        assert_eq!(l.diags(), []);
        assert_eq!(l.idle_ms(), (Some(60_000), Some(60_000)));
    }

    #[test]
    fn secrets_in_broken_lines_are_redacted() {
        let l = one(
            "listen s\n  stats auth admin:\"pa ss\n\
             userlist u\n  user bob insecure-password \"x y\n",
            "s",
        );
        let text = l.all_text();
        assert!(!text.contains("pa ss") && !text.contains("x y"), "{text}");
    }

    #[test]
    fn empty_file_list_is_an_error() {
        let mut sources = SourceMap::new(None);
        let mut diags = Vec::new();
        assert!(load_haproxy(&[], "x", &mut sources, &mut diags).is_err());
        let missing = [PathBuf::from("/nonexistent/haproxy.cfg")];
        assert!(load_haproxy(&missing, "x", &mut sources, &mut diags).is_err());
    }

    #[test]
    fn never_panics() {
        let pieces = [
            "listen",
            "frontend",
            "backend",
            "defaults",
            "from",
            "x",
            "timeout",
            "client",
            "server",
            "tunnel",
            "mode",
            "http",
            "tcp",
            "0",
            "30",
            "5min",
            "\"",
            "'",
            "\\",
            "\\x4",
            "#",
            "\n",
            "\r",
            " ",
            "\t",
            "é",
            "default_backend",
            "use_backend",
            "stats",
            "auth",
            "a:b",
            "userlist",
            "password",
            "\"${",
            "$",
            "%[",
            "clitimeout",
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..300 {
            let mut text = String::new();
            for _ in 0..40 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let i = usize::try_from(seed % pieces.len() as u64).unwrap_or(0);
                text.push_str(pieces[i]);
                if seed.is_multiple_of(3) {
                    text.push(' ');
                }
            }
            let dir = tempfile::tempdir().expect("tempdir");
            let path = dir.path().join("haproxy.cfg");
            std::fs::write(&path, &text).expect("write");
            for name in ["x", "listen", ""] {
                // A file with no haproxy line at all is refused (Err): fine.
                let mut sources = SourceMap::new(None);
                let _ = load_haproxy(
                    std::slice::from_ref(&path),
                    name,
                    &mut sources,
                    &mut Vec::new(),
                );
            }
        }
    }
}
