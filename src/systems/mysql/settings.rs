//! The variables timeoutlint models (name, unit, range, default, source),
//! and which groups and option names the server reads.

use std::time::Duration;

use crate::provenance::{Origin, Sourced};
use crate::source::{FileId, Location};
use crate::units::fmt_secs;

use super::{LONG_TIMEOUT, MysqlServer, MysqlSourceKind};

/// One modelled variable: canonical name, unit, range, default and source.
pub(super) struct Var {
    pub(super) name: &'static str,
    pub(super) seconds: bool,
    pub(super) min: u64,
    pub(super) max: u64,
    pub(super) default: u64,
    pub(super) source: &'static str,
}

pub(super) const VARS: [Var; 6] = [
    Var {
        name: "wait_timeout",
        seconds: true,
        min: 1,
        max: LONG_TIMEOUT,
        default: 28_800,
        source: "https://dev.mysql.com/doc/refman/8.0/en/server-system-variables.html#sysvar_wait_timeout",
    },
    Var {
        name: "interactive_timeout",
        seconds: true,
        min: 1,
        max: LONG_TIMEOUT,
        default: 28_800,
        source: "https://dev.mysql.com/doc/refman/8.0/en/server-system-variables.html#sysvar_interactive_timeout",
    },
    Var {
        name: "net_read_timeout",
        seconds: true,
        min: 1,
        max: LONG_TIMEOUT,
        default: 30,
        source: "https://dev.mysql.com/doc/refman/8.0/en/server-system-variables.html#sysvar_net_read_timeout",
    },
    Var {
        name: "net_write_timeout",
        seconds: true,
        min: 1,
        max: LONG_TIMEOUT,
        default: 60,
        source: "https://dev.mysql.com/doc/refman/8.0/en/server-system-variables.html#sysvar_net_write_timeout",
    },
    Var {
        name: "connect_timeout",
        seconds: true,
        min: 2,
        max: LONG_TIMEOUT,
        default: 10,
        source: "https://dev.mysql.com/doc/refman/8.0/en/server-system-variables.html#sysvar_connect_timeout",
    },
    Var {
        name: "max_connections",
        seconds: false,
        min: 1,
        max: 100_000,
        default: 151,
        source: "https://dev.mysql.com/doc/refman/8.0/en/server-system-variables.html#sysvar_max_connections",
    },
];

impl Var {
    pub(super) fn fmt(&self, n: u64) -> String {
        if self.seconds {
            fmt_secs(Duration::from_secs(n))
        } else {
            format!("{n} connections")
        }
    }
}

/// True when the server (mysqld or MariaDB's mariadbd) reads group `name`.
///
/// `[mysqld]`, `[server]`, `[mysqld-X.Y]`, `[mariadb]`, `[mariadb-X.Y]`,
/// `[mariadbd]`, `[mariadbd-X.Y]`, `[client-server]`, `[galera]`; ASCII
/// case-insensitive like the server's `find_type` (DOMAIN.md 1.2).
pub fn server_reads_group(name: &str) -> bool {
    let n = name.trim().to_ascii_lowercase();
    if matches!(
        n.as_str(),
        "mysqld" | "server" | "mariadb" | "mariadbd" | "client-server" | "galera"
    ) {
        return true;
    }
    ["mysqld-", "mariadb-", "mariadbd-"]
        .iter()
        .filter_map(|p| n.strip_prefix(p))
        .any(is_major_minor)
}

/// `X.Y` with both parts decimal digits, e.g. `8.0`, `10.11`.
fn is_major_minor(v: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    v.split_once('.')
        .is_some_and(|(a, b)| digits(a) && digits(b))
}

/// The name the server matches: `-` → `_`, `loose_` prefix dropped. `None`
/// for `maximum_` options, which cap session values and never set the global.
pub fn normalize_option_name(name: &str) -> Option<String> {
    let n = name.replace('-', "_");
    let n = n.strip_prefix("loose_").unwrap_or(&n);
    if n.starts_with("maximum_") {
        return None;
    }
    Some(n.to_string())
}

/// True for options whose value is a secret to redact: `password` and any
/// name ending in `_password` (`report_password`, `master_password`, ...).
pub(super) fn is_secret(name: &str) -> bool {
    normalize_option_name(name).is_some_and(|n| n == "password" || n.ends_with("_password"))
}

/// The server's settings from the values set (by index of [`VARS`]), the
/// others at their documented defaults anchored at `anchor`.
pub(super) fn finish(
    values: [Option<Sourced<u64>>; 6],
    anchor: Option<Location>,
    files: Vec<FileId>,
    source_kind: MysqlSourceKind,
) -> MysqlServer {
    let [wait, interactive, read, write, connect, max_connections] = values;
    let resolve = |idx: usize, set: Option<Sourced<u64>>| {
        set.unwrap_or_else(|| {
            Sourced::new(
                VARS[idx].default,
                Origin::default_of("MySQL", VARS[idx].source).anchored(anchor),
            )
        })
    };
    let secs = |idx, set| resolve(idx, set).map(Duration::from_secs);
    MysqlServer {
        wait_timeout: secs(0, wait),
        interactive_timeout: secs(1, interactive),
        net_read_timeout: secs(2, read),
        net_write_timeout: secs(3, write),
        connect_timeout: secs(4, connect),
        max_connections: resolve(5, max_connections),
        files,
        source_kind,
    }
}
