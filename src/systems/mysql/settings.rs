//! The variables timeoutlint models (name, unit, range, default, source),
//! and which groups and option names the server reads.

use std::collections::BTreeMap;
use std::sync::OnceLock;
use std::time::Duration;

use crate::provenance::{Origin, Sourced};
use crate::source::{FileId, Location};
use crate::systems::settings_table::{self, Unit};
use crate::units::fmt_secs;

use super::{MysqlProduct, MysqlServer, MysqlSourceKind};

/// One modelled variable: canonical name, unit, range, default and source,
/// read from the row of the same name in `settings/mysql.toml`
/// ([`crate::systems::settings_table`]).
pub(super) struct Var {
    pub(super) name: &'static str,
    pub(super) seconds: bool,
    pub(super) min: u64,
    pub(super) max: u64,
    pub(super) default: u64,
    pub(super) source: &'static str,
}

/// The system name in default origins.
const SYSTEM: &str = "MySQL";

/// The modelled variables, in table order; empty when the embedded table
/// is invalid (a build defect the unit tests catch; then no name matches).
pub(super) fn vars() -> &'static [Var] {
    static VARS: OnceLock<Vec<Var>> = OnceLock::new();
    VARS.get_or_init(|| {
        let Some(table) = settings_table::table("mysql") else {
            return Vec::new();
        };
        table
            .settings
            .iter()
            .filter_map(|s| {
                let (min, max) = s.range?;
                Some(Var {
                    name: &s.name,
                    seconds: s.unit == Unit::Seconds,
                    min: u64::try_from(min).ok()?,
                    max: u64::try_from(max).ok()?,
                    default: u64::try_from(s.default.number()?).ok()?,
                    source: &s.source,
                })
            })
            .collect()
    })
}

/// The modelled variable named `name` (canonical form).
pub(super) fn var(name: &str) -> Option<&'static Var> {
    vars().iter().find(|v| v.name == name)
}

/// Values set so far, by canonical name.
pub(super) type Values = BTreeMap<&'static str, Sourced<u64>>;

impl Var {
    pub(super) fn fmt(&self, n: u64) -> String {
        if self.seconds {
            fmt_secs(Duration::from_secs(n))
        } else if self.name == "max_connections" {
            format!("{n} connections")
        } else {
            n.to_string()
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

/// The server's settings from the values set (by name), the others at
/// their documented defaults anchored at `anchor`.
pub(super) fn finish(
    mut values: Values,
    anchor: Option<Location>,
    files: Vec<FileId>,
    source_kind: MysqlSourceKind,
    product: Option<Sourced<MysqlProduct>>,
) -> MysqlServer {
    let mut take = |name: &'static str| {
        values.remove(name).unwrap_or_else(|| match var(name) {
            Some(v) => Sourced::new(
                v.default,
                Origin::default_of(SYSTEM, v.source).anchored(anchor),
            ),
            None => Sourced::new(
                0,
                Origin::default_of(SYSTEM, settings_table::missing_row_source("mysql"))
                    .anchored(anchor),
            ),
        })
    };
    let mut secs = |name| take(name).map(Duration::from_secs);
    let wait_timeout = secs("wait_timeout");
    let interactive_timeout = secs("interactive_timeout");
    let net_read_timeout = secs("net_read_timeout");
    let net_write_timeout = secs("net_write_timeout");
    let connect_timeout = secs("connect_timeout");
    let tcp_keepalive_time = secs("tcp_keepalive_time");
    let tcp_keepalive_interval = secs("tcp_keepalive_interval");
    MysqlServer {
        wait_timeout,
        interactive_timeout,
        net_read_timeout,
        net_write_timeout,
        connect_timeout,
        max_connections: take("max_connections"),
        tcp_keepalive_time,
        tcp_keepalive_interval,
        tcp_keepalive_probes: take("tcp_keepalive_probes"),
        product,
        files,
        source_kind,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The source of a default, or `None` for another origin.
    fn source(o: &Origin) -> Option<&'static str> {
        match o {
            Origin::Default { source, .. } => Some(source),
            _ => None,
        }
    }

    #[test]
    fn every_row_is_modelled_and_every_field_has_its_row() {
        let table = settings_table::table("mysql").expect("settings/mysql.toml loads");
        assert_eq!(vars().len(), table.settings.len(), "a row was left out");
        let m = finish(
            Values::new(),
            None,
            Vec::new(),
            MysqlSourceKind::OptionFile,
            None,
        );
        let fields = [
            ("wait_timeout", source(&m.wait_timeout.origin)),
            ("interactive_timeout", source(&m.interactive_timeout.origin)),
            ("net_read_timeout", source(&m.net_read_timeout.origin)),
            ("net_write_timeout", source(&m.net_write_timeout.origin)),
            ("connect_timeout", source(&m.connect_timeout.origin)),
            ("max_connections", source(&m.max_connections.origin)),
            ("tcp_keepalive_time", source(&m.tcp_keepalive_time.origin)),
            (
                "tcp_keepalive_interval",
                source(&m.tcp_keepalive_interval.origin),
            ),
            (
                "tcp_keepalive_probes",
                source(&m.tcp_keepalive_probes.origin),
            ),
        ];
        assert_eq!(fields.len(), table.settings.len(), "a row has no field");
        for (name, src) in fields {
            let row = table.get(name).unwrap_or_else(|| panic!("no row `{name}`"));
            assert_eq!(src, Some(row.source.as_str()), "{name}");
        }
        assert_eq!(m.wait_timeout.value, Duration::from_secs(28_800));
        assert_eq!(m.max_connections.value, 151);
    }
}
