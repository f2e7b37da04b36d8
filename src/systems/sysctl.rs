//! Linux kernel settings from sysctl.conf, a sysctl.d folder, `sysctl -a`
//! output or a /proc/sys tree.
//!
//! Only the settings in [`KernelSettings`] are modelled; every other key is
//! read past without validation. Facts and sources (DOMAIN.md §7):
//! `tcp(7)` for the keepalive and retransmission sysctls, the kernel's
//! `nf_conntrack-sysctl.rst` for conntrack, `sysctl.d(5)` for file order.
//!
//! # Values
//! The kernel parses these settings with `proc_get_long()` (`kernel/sysctl.c`):
//! one integer read with `strtoul(…, 0)` (so `0x1f` is hexadecimal and a
//! leading `0` means octal), which must be followed by whitespace or the end.
//! For a single-integer setting, text after that whitespace is ignored. So:
//! - `600` is 600; `0x258` is 600;
//! - `0600` is octal 384: used, with a [`codes::INVALID_VALUE`] *warning*;
//! - `600 # comment` is 600, with a [`codes::SYSCTL_TRAILING_TEXT`] warning at
//!   `# comment` (sysctl.conf has no end-of-line comments);
//! - anything else (`abc`, `7200s`, `-5`, `08`, empty, above 2147483647) is a
//!   [`codes::INVALID_VALUE`] error at the value, and that line is ignored.
//!
//! Within the input, the last valid value of a key wins.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::parse::sysctl::{self as syntax, Assignment, ParsedFile};
use crate::provenance::{Origin, Sourced};
use crate::rules::codes;
use crate::source::{FileId, LoadError, Location, SourceMap, Span, io_reason};
use crate::systems::settings_table;

/// `net.ipv4.tcp_keepalive_time`: seconds of idleness before the first keepalive probe.
pub const TCP_KEEPALIVE_TIME: &str = "net.ipv4.tcp_keepalive_time";
/// `net.ipv4.tcp_keepalive_intvl`: seconds between keepalive probes.
pub const TCP_KEEPALIVE_INTVL: &str = "net.ipv4.tcp_keepalive_intvl";
/// `net.ipv4.tcp_keepalive_probes`: unanswered probes before the connection is reset.
pub const TCP_KEEPALIVE_PROBES: &str = "net.ipv4.tcp_keepalive_probes";
/// `net.ipv4.tcp_retries2`: retransmissions of unacknowledged data before giving up.
pub const TCP_RETRIES2: &str = "net.ipv4.tcp_retries2";
/// `net.netfilter.nf_conntrack_tcp_timeout_established`: idle seconds of an
/// ESTABLISHED conntrack entry.
pub const NF_CONNTRACK_TCP_TIMEOUT_ESTABLISHED: &str =
    "net.netfilter.nf_conntrack_tcp_timeout_established";
/// The pre-`nf_conntrack` name of [`NF_CONNTRACK_TCP_TIMEOUT_ESTABLISHED`]
/// (old kernels, still printed by some `sysctl -a`); read as the same setting.
pub const IP_CONNTRACK_TCP_TIMEOUT_ESTABLISHED: &str =
    "net.ipv4.netfilter.ip_conntrack_tcp_timeout_established";

/// Source of the TCP defaults (7200 / 75 / 9 / 15).
pub const TCP_MAN_PAGE: &str = "https://man7.org/linux/man-pages/man7/tcp.7.html";
/// Source of the conntrack default (432000 s = 5 days).
pub const CONNTRACK_DOC: &str = "https://docs.kernel.org/networking/nf_conntrack-sysctl.html";

/// Largest value the kernel stores (the settings are C `int`s).
const MAX_VALUE: u64 = i32::MAX as u64;

/// Which form of input [`load_kernel`] detected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputForm {
    /// One sysctl.conf or sysctl.d file.
    ConfFile,
    /// The output of `sysctl -a` (see [`looks_like_sysctl_dump`]).
    SysctlDump,
    /// A folder of `*.conf` files applied in file-name order.
    SysctlDir,
    /// A /proc/sys-style tree: one file per setting.
    ProcTree,
}

/// The kernel settings timeoutlint models, each with its origin.
#[derive(Clone, Debug)]
pub struct KernelSettings {
    /// `net.ipv4.tcp_keepalive_time`: idle time before the first probe. Default 7200 s.
    pub tcp_keepalive_time: Sourced<Duration>,
    /// `net.ipv4.tcp_keepalive_intvl`: time between probes. Default 75 s.
    pub tcp_keepalive_intvl: Sourced<Duration>,
    /// `net.ipv4.tcp_keepalive_probes`: unanswered probes before reset. Default 9.
    pub tcp_keepalive_probes: Sourced<u32>,
    /// `net.ipv4.tcp_retries2`. Default 15.
    pub tcp_retries2: Sourced<u32>,
    /// `net.netfilter.nf_conntrack_tcp_timeout_established`. Default 432000 s.
    pub nf_conntrack_tcp_timeout_established: Sourced<Duration>,
    /// Files read, in application order.
    pub files: Vec<FileId>,
    /// The detected input form; `None` for [`KernelSettings::defaults`].
    pub form: Option<InputForm>,
}

/// A keepalive sysctl set in a file, for the rule "keepalive sysctl set but
/// the driver never enables SO_KEEPALIVE" ([`codes::KEEPALIVE_SYSCTL_UNUSED`]).
#[derive(Clone, Debug, PartialEq)]
pub struct KeepaliveSetting {
    /// Canonical key, e.g. [`TCP_KEEPALIVE_TIME`].
    pub key: &'static str,
    /// The value: seconds for `_time`/`_intvl`, a count for `_probes`.
    pub value: u64,
    /// Where it was set (always [`Origin::File`]).
    pub origin: Origin,
}

impl KernelSettings {
    /// Linux defaults only (no file given), each an [`Origin::Default`] of
    /// system `Linux` without an anchor, from the rows of
    /// `settings/linux.toml` ([`crate::systems::settings_table`]): 7200 s,
    /// 75 s, 9, 15 ([`TCP_MAN_PAGE`]) and 432000 s ([`CONNTRACK_DOC`]).
    pub fn defaults() -> Self {
        let default = |setting: Setting| {
            let row = setting.row();
            let value = row
                .and_then(|r| r.default.number())
                .and_then(|n| u64::try_from(n).ok())
                .unwrap_or(0);
            let source = row.map_or(settings_table::missing_row_source("linux"), |r| {
                r.source.as_str()
            });
            Sourced::new(value, Origin::default_of("Linux", source))
        };
        let secs = |setting| default(setting).map(Duration::from_secs);
        let count = |setting| default(setting).map(|n| u32::try_from(n).unwrap_or(u32::MAX));
        KernelSettings {
            tcp_keepalive_time: secs(Setting::KeepaliveTime),
            tcp_keepalive_intvl: secs(Setting::KeepaliveIntvl),
            tcp_keepalive_probes: count(Setting::KeepaliveProbes),
            tcp_retries2: count(Setting::Retries2),
            nf_conntrack_tcp_timeout_established: secs(Setting::ConntrackEstablished),
            files: Vec::new(),
            form: None,
        }
    }

    /// The keepalive sysctls (`tcp_keepalive_time`, `_intvl`, `_probes`, in
    /// that order) whose value comes from a file, whatever the value.
    ///
    /// Note that a `sysctl -a` dump or a /proc/sys tree sets every key; see
    /// [`KernelSettings::tuned_keepalive`] for the settings someone changed.
    pub fn explicit_keepalive(&self) -> Vec<KeepaliveSetting> {
        let all = [
            (
                TCP_KEEPALIVE_TIME,
                self.tcp_keepalive_time.value.as_secs(),
                &self.tcp_keepalive_time.origin,
            ),
            (
                TCP_KEEPALIVE_INTVL,
                self.tcp_keepalive_intvl.value.as_secs(),
                &self.tcp_keepalive_intvl.origin,
            ),
            (
                TCP_KEEPALIVE_PROBES,
                u64::from(self.tcp_keepalive_probes.value),
                &self.tcp_keepalive_probes.origin,
            ),
        ];
        all.into_iter()
            .filter(|(_, _, origin)| matches!(origin, Origin::File(_)))
            .map(|(key, value, origin)| KeepaliveSetting {
                key,
                value,
                origin: origin.clone(),
            })
            .collect()
    }

    /// Like [`KernelSettings::explicit_keepalive`], keeping only values that
    /// differ from the Linux default (7200 s / 75 s / 9): the settings someone
    /// tuned, not the ones a dump merely reports.
    pub fn tuned_keepalive(&self) -> Vec<KeepaliveSetting> {
        self.explicit_keepalive()
            .into_iter()
            .filter(|s| Setting::from_key(s.key).and_then(Setting::default_value) != Some(s.value))
            .collect()
    }

    /// Dead-peer detection time of an idle keepalive socket using the sysctls:
    /// `tcp_keepalive_time + tcp_keepalive_intvl × tcp_keepalive_probes`
    /// (7200 + 75 × 9 = 7875 s by default; `tcp(7)`). Saturates on overflow.
    pub fn dead_peer_detection(&self) -> Duration {
        self.tcp_keepalive_time.value.saturating_add(
            self.tcp_keepalive_intvl
                .value
                .saturating_mul(self.tcp_keepalive_probes.value),
        )
    }

    /// Stores a validated value (already range-checked to fit an `i32`).
    fn set(&mut self, setting: Setting, value: u64, origin: Origin) {
        let count = u32::try_from(value).unwrap_or(u32::MAX);
        let secs = Duration::from_secs(value);
        match setting {
            Setting::KeepaliveTime => self.tcp_keepalive_time = Sourced::new(secs, origin),
            Setting::KeepaliveIntvl => self.tcp_keepalive_intvl = Sourced::new(secs, origin),
            Setting::KeepaliveProbes => self.tcp_keepalive_probes = Sourced::new(count, origin),
            Setting::Retries2 => self.tcp_retries2 = Sourced::new(count, origin),
            Setting::ConntrackEstablished => {
                self.nf_conntrack_tcp_timeout_established = Sourced::new(secs, origin)
            }
        }
    }

    /// Anchors every default to `at` (the start of the first file read).
    fn anchor_defaults(&mut self, at: Option<Location>) {
        let anchor = |o: &mut Origin| *o = o.clone().anchored(at);
        anchor(&mut self.tcp_keepalive_time.origin);
        anchor(&mut self.tcp_keepalive_intvl.origin);
        anchor(&mut self.tcp_keepalive_probes.origin);
        anchor(&mut self.tcp_retries2.origin);
        anchor(&mut self.nf_conntrack_tcp_timeout_established.origin);
    }
}

/// The modelled settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Setting {
    KeepaliveTime,
    KeepaliveIntvl,
    KeepaliveProbes,
    Retries2,
    ConntrackEstablished,
}

impl Setting {
    /// The setting a canonical key names, if modelled.
    fn from_key(key: &str) -> Option<Setting> {
        match key {
            TCP_KEEPALIVE_TIME => Some(Setting::KeepaliveTime),
            TCP_KEEPALIVE_INTVL => Some(Setting::KeepaliveIntvl),
            TCP_KEEPALIVE_PROBES => Some(Setting::KeepaliveProbes),
            TCP_RETRIES2 => Some(Setting::Retries2),
            NF_CONNTRACK_TCP_TIMEOUT_ESTABLISHED | IP_CONNTRACK_TCP_TIMEOUT_ESTABLISHED => {
                Some(Setting::ConntrackEstablished)
            }
            _ => None,
        }
    }

    /// The canonical key (the row's name in `settings/linux.toml`).
    fn key(self) -> &'static str {
        match self {
            Setting::KeepaliveTime => TCP_KEEPALIVE_TIME,
            Setting::KeepaliveIntvl => TCP_KEEPALIVE_INTVL,
            Setting::KeepaliveProbes => TCP_KEEPALIVE_PROBES,
            Setting::Retries2 => TCP_RETRIES2,
            Setting::ConntrackEstablished => NF_CONNTRACK_TCP_TIMEOUT_ESTABLISHED,
        }
    }

    /// The row of `settings/linux.toml`; `None` only when the embedded
    /// table is invalid (a build defect the unit tests catch).
    fn row(self) -> Option<&'static settings_table::Setting> {
        settings_table::table("linux")?.get(self.key())
    }

    /// True for settings in seconds, false for counts (the row's unit).
    fn is_seconds(self) -> bool {
        self.row()
            .is_some_and(|r| r.unit == settings_table::Unit::Seconds)
    }

    /// The Linux default (the row's, DOMAIN.md §7).
    fn default_value(self) -> Option<u64> {
        let n = self.row()?.default.number()?;
        u64::try_from(n).ok()
    }
}

/// An integer read the way the kernel reads a single-integer sysctl.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KernelInt {
    /// The value.
    pub value: u64,
    /// Byte length of the number at the start of the text.
    pub number_len: usize,
    /// Byte offset (in the text) of the text after the number and its
    /// whitespace, when there is any; the kernel ignores it.
    pub trailing_at: Option<usize>,
    /// 10, 16 (`0x…`) or 8 (a leading `0`).
    pub radix: u32,
}

/// Why a value is not a kernel integer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KernelIntError {
    /// Empty value.
    Empty,
    /// Not a non-negative integer followed by whitespace or the end (`abc`, `7200s`, `-5`, `08`).
    NotInteger,
    /// Above 2147483647 (a C `int`).
    OutOfRange,
}

/// Parses a trimmed sysctl value as the kernel's `proc_get_long()` does for a
/// single-integer setting: an unsigned integer in base 10, 16 (`0x`) or 8
/// (leading `0`), then whitespace or the end; anything after the whitespace
/// is reported in [`KernelInt::trailing_at`]. Negative values are rejected.
pub fn parse_kernel_int(text: &str) -> Result<KernelInt, KernelIntError> {
    if text.is_empty() {
        return Err(KernelIntError::Empty);
    }
    let number_len = text.find(syntax::is_blank).unwrap_or(text.len());
    let number = &text[..number_len];
    let (digits, radix) = if let Some(hex) = number
        .strip_prefix("0x")
        .or_else(|| number.strip_prefix("0X"))
    {
        (hex, 16)
    } else if number.len() > 1 && number.starts_with('0') {
        (&number[1..], 8)
    } else {
        (number, 10)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return Err(KernelIntError::NotInteger);
    }
    let value = u64::from_str_radix(digits, radix).map_err(|_| KernelIntError::OutOfRange)?;
    if value > MAX_VALUE {
        return Err(KernelIntError::OutOfRange);
    }
    let rest = &text[number_len..];
    let trailing = rest.trim_start_matches(syntax::is_blank);
    let trailing_at = (!trailing.is_empty()).then(|| text.len() - trailing.len());
    Ok(KernelInt {
        value,
        number_len,
        trailing_at,
        radix,
    })
}

/// The `sysctl -a` heuristic: at least 50 `key = value` lines, keys under
/// `kernel.`, under `vm.` or `fs.`, and under `net.`, no comment line and no
/// `-key` line. A hand-written sysctl.conf almost always has comments and
/// rarely touches all three trees that often; `sysctl -a` prints hundreds of
/// keys from every tree and never a comment.
pub fn looks_like_sysctl_dump(parsed: &ParsedFile) -> bool {
    let has = |prefixes: &[&str]| {
        parsed
            .assignments
            .iter()
            .any(|a| prefixes.iter().any(|p| a.key.starts_with(p)))
    };
    parsed.assignments.len() >= 50
        && parsed.comment_lines == 0
        && parsed.exclusions.is_empty()
        && !parsed.assignments.iter().any(|a| a.ignore_failure)
        && has(&["kernel."])
        && has(&["vm.", "fs."])
        && has(&["net."])
}

/// True for a line `sysctl -a 2>&1` writes on stderr, e.g.
/// `sysctl: permission denied on key 'kernel.cad_pid'`,
/// `sysctl: reading key "net.ipv6.conf.all.stable_secret"`, or from old procps
/// `error: permission denied on key 'net.ipv4.route.flush'`.
fn is_dump_noise(line: &str) -> bool {
    line.starts_with("sysctl:") || line.starts_with("error:")
}

/// Reads kernel settings from a sysctl.conf file, a sysctl.d folder, a
/// `sysctl -a` dump or a /proc/sys-style tree (auto-detected).
///
/// Detection:
/// - a file is a `sysctl -a` dump when [`looks_like_sysctl_dump`] holds
///   (then `sysctl:`/`error:` stderr lines are skipped silently), else a
///   sysctl.conf file (every bad line is a [`codes::SYNTAX_ERROR`]);
/// - a folder is a /proc/sys tree when it has a `net/` subfolder or its name
///   ends in `sys`: the key is the file's path relative to the folder, the
///   value its trimmed content; only files of modelled keys are read and
///   unreadable entries are skipped silently (/proc/sys has write-only and
///   root-only files);
/// - any other folder is a sysctl.d folder: its `*.conf` regular files (after
///   following symlinks; names starting with `.` skipped, as systemd does) are
///   applied in byte-wise file-name order, later wins; other entries are
///   ignored. A `*.conf` file that cannot be read is a
///   [`codes::INCLUDE_UNREADABLE`] error without location, and is skipped.
///
/// Settings not found keep their Linux default, anchored at the start of the
/// first file read (`None` when no file was read).
///
/// Errors: [`LoadError::Unreadable`] when `path` itself (the file, or the
/// folder's listing) cannot be read.
pub fn load_kernel(
    path: &Path,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Result<KernelSettings, LoadError> {
    let meta = std::fs::metadata(path).map_err(|e| unreadable(sources, path, &e))?;
    let mut settings = KernelSettings::defaults();
    if meta.is_dir() {
        sources.check_dir(path)?;
        if is_proc_tree(path) {
            settings.form = Some(InputForm::ProcTree);
            load_proc_tree(path, &mut settings, sources, diags);
        } else {
            settings.form = Some(InputForm::SysctlDir);
            load_sysctl_dir(path, &mut settings, sources, diags)?;
        }
    } else {
        let file = sources.load(path)?;
        let parsed = syntax::parse(sources.get(file).text());
        let form = if looks_like_sysctl_dump(&parsed) {
            InputForm::SysctlDump
        } else {
            InputForm::ConfFile
        };
        settings.form = Some(form);
        settings.files.push(file);
        let mark = diags.len();
        apply_file(file, &parsed, form, &mut settings, sources, diags);
        crate::systems::foreign::collapse(diags, mark, file, sources, "a sysctl file", None, None)
            .map_err(LoadError::Invalid)?;
    }
    let anchor = settings
        .files
        .first()
        .map(|f| Location::new(*f, Span::new(0, 0)));
    settings.anchor_defaults(anchor);
    Ok(settings)
}

fn unreadable(sources: &SourceMap, path: &Path, e: &std::io::Error) -> LoadError {
    LoadError::Unreadable {
        path: sources.display_name(path),
        reason: io_reason(e),
    }
}

/// A /proc/sys-style tree: has a `net/` subfolder, or is named `…sys`.
fn is_proc_tree(path: &Path) -> bool {
    if path.join("net").is_dir() {
        return true;
    }
    let name = path.file_name().map(PathBuf::from).or_else(|| {
        std::fs::canonicalize(path)
            .ok()?
            .file_name()
            .map(PathBuf::from)
    });
    name.is_some_and(|n| n.to_string_lossy().ends_with("sys"))
}

/// Applies the `*.conf` files of a sysctl.d folder in file-name order.
fn load_sysctl_dir(
    dir: &Path,
    settings: &mut KernelSettings,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Result<(), LoadError> {
    let entries = std::fs::read_dir(dir).map_err(|e| unreadable(sources, dir, &e))?;
    let mut confs: Vec<(std::ffi::OsString, PathBuf)> = entries
        .filter_map(Result::ok)
        .map(|e| (e.file_name(), e.path()))
        .filter(|(name, _)| {
            let bytes = name.as_encoded_bytes();
            bytes.ends_with(b".conf") && !bytes.starts_with(b".")
        })
        .collect();
    confs.sort();
    // A set beside the list: a folder may hold 100k files.
    let mut seen: std::collections::HashSet<FileId> = settings.files.iter().copied().collect();
    for (_, path) in confs {
        match std::fs::metadata(&path) {
            // Directories named *.conf and symlinks to /dev/null (masked files) hold no settings.
            Ok(m) if !m.is_file() => continue,
            Ok(_) => {}
            Err(e) => {
                report_unreadable(diags, &sources.display_name(&path), &io_reason(&e));
                continue;
            }
        }
        let file = match sources.load(&path) {
            Ok(f) => f,
            Err(LoadError::Unreadable { path, reason }) => {
                report_unreadable(diags, &path, &reason);
                continue;
            }
            Err(LoadError::Invalid(reason)) => {
                report_unreadable(diags, &sources.display_name(&path), &reason);
                continue;
            }
        };
        let parsed = syntax::parse(sources.get(file).text());
        if seen.insert(file) {
            settings.files.push(file);
        }
        let mark = diags.len();
        apply_file(file, &parsed, InputForm::ConfFile, settings, sources, diags);
        if let Err(message) = crate::systems::foreign::collapse(
            diags,
            mark,
            file,
            sources,
            "a sysctl file",
            None,
            None,
        ) {
            report_unreadable(diags, &sources.display_name(&path), &message);
        }
    }
    Ok(())
}

fn report_unreadable(diags: &mut Vec<Diagnostic>, name: &str, reason: &str) {
    diags.push(
        Diagnostic::new(
            codes::INCLUDE_UNREADABLE,
            format!("cannot read sysctl.d file {name}: {reason}"),
            Label::maybe(None, format!("{name} is skipped")),
        )
        .with_help(
            "make the file readable, or move it out of the folder; its settings were not checked",
        ),
    );
}

/// Walks a /proc/sys-style tree and reads the files of modelled keys.
fn load_proc_tree(
    root: &Path,
    settings: &mut KernelSettings,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) {
    // The deepest modelled key is net/ipv4/netfilter/ip_conntrack_tcp_timeout_established.
    let walk = walkdir::WalkDir::new(root)
        .min_depth(1)
        .max_depth(4)
        .follow_links(false)
        .sort_by_file_name();
    for entry in walk.into_iter().filter_map(Result::ok) {
        if !entry.file_type().is_file() {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(root) else {
            continue;
        };
        let rel: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let key = syntax::canonical_key(&rel.join("/"));
        let Some(setting) = Setting::from_key(&key) else {
            continue;
        };
        let Ok(file) = sources.load(entry.path()) else {
            continue;
        };
        if !settings.files.contains(&file) {
            settings.files.push(file);
        }
        let text = sources.get(file).text();
        let is_space = |c: char| c == '\n' || syntax::is_blank(c);
        let after_lead = text.trim_start_matches(is_space);
        let start = text.len() - after_lead.len();
        let value = after_lead.trim_end_matches(is_space);
        let span = Span::new(start, start + value.len());
        let at = ValueAt {
            key: &key,
            text: value,
            span,
            empty_at: span,
            file,
        };
        apply_value(setting, at, settings, diags);
    }
}

/// Applies one parsed sysctl.conf file or dump.
fn apply_file(
    file: FileId,
    parsed: &ParsedFile,
    form: InputForm,
    settings: &mut KernelSettings,
    sources: &SourceMap,
    diags: &mut Vec<Diagnostic>,
) {
    let src = sources.get(file);
    for e in &parsed.errors {
        if form == InputForm::SysctlDump && is_dump_noise(src.slice(e.line_span)) {
            continue;
        }
        diags.push(
            Diagnostic::new(
                codes::SYNTAX_ERROR,
                e.message.clone(),
                Label::at(Location::new(file, e.span), "not a `key = value` line"),
            )
            .with_help("write one `key = value` per line; start comment lines with `#` or `;`"),
        );
    }
    for a in &parsed.assignments {
        let Some(setting) = Setting::from_key(&a.key) else {
            continue;
        };
        apply_assignment(setting, a, file, settings, diags);
    }
}

fn apply_assignment(
    setting: Setting,
    a: &Assignment,
    file: FileId,
    settings: &mut KernelSettings,
    diags: &mut Vec<Diagnostic>,
) {
    let at = ValueAt {
        key: &a.key,
        text: &a.value,
        span: a.value_span,
        empty_at: Span::new(a.key_span.start, a.line_span.end),
        file,
    };
    apply_value(setting, at, settings, diags);
}

/// A value of a modelled key and where it sits.
struct ValueAt<'a> {
    /// Canonical key, for messages.
    key: &'a str,
    /// The trimmed value text.
    text: &'a str,
    /// Its bytes.
    span: Span,
    /// Where to report an empty value (the whole `key =` line).
    empty_at: Span,
    /// The file.
    file: FileId,
}

/// Validates a value and stores it when valid.
fn apply_value(
    setting: Setting,
    at: ValueAt<'_>,
    settings: &mut KernelSettings,
    diags: &mut Vec<Diagnostic>,
) {
    let ValueAt {
        key,
        text: value,
        span,
        empty_at,
        file,
    } = at;
    let shown = setting.default_value().unwrap_or(0);
    let example = if setting.is_seconds() {
        format!("write a whole number of seconds, e.g. `{key} = {shown}`")
    } else {
        format!("write a whole number, e.g. `{key} = {shown}`")
    };
    let int = match parse_kernel_int(value) {
        Ok(int) => int,
        Err(err) => {
            let (message, at) = match err {
                KernelIntError::Empty => (format!("{key} has an empty value"), empty_at),
                KernelIntError::NotInteger => (
                    format!(
                        "{key} value `{}` is not a non-negative integer",
                        syntax::shorten(value)
                    ),
                    span,
                ),
                KernelIntError::OutOfRange => (
                    format!(
                        "{key} value `{}` is out of range (at most {MAX_VALUE})",
                        syntax::shorten(value)
                    ),
                    span,
                ),
            };
            diags.push(
                Diagnostic::new(
                    codes::INVALID_VALUE,
                    message,
                    Label::at(Location::new(file, at), "the kernel rejects this value"),
                )
                .with_help(format!("{example}; the line is ignored")),
            );
            return;
        }
    };
    let number = Span::new(span.start, span.start + int.number_len);
    let number_text = value.get(..int.number_len).unwrap_or(value);
    if let Some(at) = int.trailing_at {
        let trailing = Span::new(span.start + at, span.end);
        let trailing_text = syntax::shorten(value.get(at..).unwrap_or(""));
        diags.push(
            Diagnostic::new(
                codes::SYSCTL_TRAILING_TEXT,
                format!(
                    "{key} value `{}` has text after the integer",
                    syntax::shorten(value)
                ),
                Label::at(Location::new(file, trailing), "ignored by the kernel"),
            )
            .with_related(Label::at(
                Location::new(file, number),
                format!("the kernel uses {number_text}"),
            ))
            .with_help(format!(
                "sysctl files have no end-of-line comments: the kernel reads `{number_text}` and \
                 ignores `{trailing_text}`; put a comment on its own line starting with `#`"
            )),
        );
    }
    if int.radix == 8 && number_text.parse::<u64>().ok() != Some(int.value) {
        diags.push(
            Diagnostic::new(
                codes::INVALID_VALUE,
                format!(
                    "{key} value `{number_text}` has a leading zero, so the kernel reads it as octal ({})",
                    int.value
                ),
                Label::at(Location::new(file, number), format!("octal: {}", int.value)),
            )
            .with_severity(Severity::Warning)
            .with_help(format!(
                "drop the leading zeros to mean `{}`, or write `{}` to keep the kernel's reading",
                number_text.trim_start_matches('0'),
                int.value
            )),
        );
    }
    settings.set(
        setting,
        int.value,
        Origin::File(Location::new(file, number)),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_ints_accept() {
        // (text, value, number length, trailing text, radix)
        let cases: &[(&str, u64, usize, Option<&str>, u32)] = &[
            ("0", 0, 1, None, 10),
            ("600", 600, 3, None, 10),
            ("7200", 7200, 4, None, 10),
            ("2147483647", 2_147_483_647, 10, None, 10),
            ("0x258", 600, 5, None, 16),
            ("0X1f", 31, 4, None, 16),
            ("0600", 384, 4, None, 8),
            ("00", 0, 2, None, 8),
            ("600 # comment", 600, 3, Some("# comment"), 10),
            ("600\t\t#x", 600, 3, Some("#x"), 10),
            ("4096 87380 6291456", 4096, 4, Some("87380 6291456"), 10),
        ];
        for &(text, value, len, trailing, radix) in cases {
            let int = parse_kernel_int(text).unwrap_or_else(|e| panic!("{text:?}: {e:?}"));
            assert_eq!(int.value, value, "{text:?}");
            assert_eq!(int.number_len, len, "{text:?}");
            assert_eq!(int.trailing_at.map(|i| &text[i..]), trailing, "{text:?}");
            assert_eq!(int.radix, radix, "{text:?}");
        }
    }

    #[test]
    fn kernel_ints_reject() {
        use KernelIntError::*;
        let cases = [
            ("", Empty),
            ("abc", NotInteger),
            ("7200s", NotInteger),
            ("-5", NotInteger),
            ("+5", NotInteger),
            ("08", NotInteger),
            ("0x", NotInteger),
            ("0xg", NotInteger),
            ("600#x", NotInteger),
            ("1.5", NotInteger),
            ("١٢", NotInteger),
            ("2147483648", OutOfRange),
            ("99999999999999999999999", OutOfRange),
        ];
        for (text, err) in cases {
            assert_eq!(parse_kernel_int(text), Err(err), "{text:?}");
        }
    }

    fn dump_text(keys: usize, prefixes: &[&str]) -> String {
        (0..keys)
            .map(|i| format!("{}.k{i} = {i}\n", prefixes[i % prefixes.len()]))
            .collect()
    }

    #[test]
    fn dump_heuristic() {
        let full = dump_text(60, &["kernel", "vm", "net"]);
        assert!(looks_like_sysctl_dump(&syntax::parse(&full)));
        let fs = dump_text(60, &["kernel", "fs", "net.ipv4"]);
        assert!(looks_like_sysctl_dump(&syntax::parse(&fs)));
        // Too few keys.
        assert!(!looks_like_sysctl_dump(&syntax::parse(&dump_text(
            49,
            &["kernel", "vm", "net"]
        ))));
        // A missing tree.
        assert!(!looks_like_sysctl_dump(&syntax::parse(&dump_text(
            60,
            &["kernel", "net"]
        ))));
        // One comment makes it a hand-written file.
        let commented = format!("# tuned\n{full}");
        assert!(!looks_like_sysctl_dump(&syntax::parse(&commented)));
        let dashed = format!("-net.x = 1\n{full}");
        assert!(!looks_like_sysctl_dump(&syntax::parse(&dashed)));
    }

    #[test]
    fn noise_lines() {
        assert!(is_dump_noise(
            "sysctl: permission denied on key 'kernel.cad_pid'"
        ));
        assert!(is_dump_noise(
            "sysctl: reading key \"net.ipv6.conf.all.stable_secret\""
        ));
        assert!(is_dump_noise(
            "error: permission denied on key 'net.ipv4.route.flush'"
        ));
        assert!(!is_dump_noise("kernel.x = 1"));
    }

    #[test]
    fn every_modelled_setting_has_its_row() {
        let table = settings_table::table("linux").expect("settings/linux.toml loads");
        let all = [
            Setting::KeepaliveTime,
            Setting::KeepaliveIntvl,
            Setting::KeepaliveProbes,
            Setting::Retries2,
            Setting::ConntrackEstablished,
        ];
        assert_eq!(all.len(), table.settings.len());
        for s in all {
            assert!(s.row().is_some(), "{}", s.key());
            assert_eq!(Setting::from_key(s.key()), Some(s));
        }
        let d = KernelSettings::defaults();
        let tcp = Origin::default_of("Linux", TCP_MAN_PAGE);
        assert_eq!(d.tcp_keepalive_time.origin, tcp);
        assert_eq!(d.tcp_retries2.origin, tcp);
        assert_eq!(
            d.nf_conntrack_tcp_timeout_established.origin,
            Origin::default_of("Linux", CONNTRACK_DOC)
        );
        assert_eq!(d.dead_peer_detection(), Duration::from_secs(7875));
        assert_eq!(d.tcp_retries2.value, 15);
    }
}
