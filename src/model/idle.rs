//! Which elements of a path kill an idle connection, and which ones keepalive
//! keeps open.
//!
//! The physics (MODEL.md; DOMAIN.md sections 1, 6, 7, 8, 11.B):
//! - the server's idle limit is the global `wait_timeout`: `interactive_timeout`
//!   applies only to clients that set CLIENT_INTERACTIVE, which no Python
//!   driver does (`sql/auth/sql_authentication.cc server_mpvio_update_thd`;
//!   `PyMySQL pymysql/constants/CLIENT.py`; `django/db/backends/mysql/base.py`);
//! - a hop forgets a flow idle past its idle timeout, unless TCP keepalive keeps
//!   it busy. That needs an end that enables SO_KEEPALIVE, whose host
//!   `net.ipv4.tcp_keepalive_time` is below the hop's idle timeout, and a hop
//!   that counts probes as activity (`tcp(7)`). Either end's probes serve: the
//!   MySQL server enables SO_KEEPALIVE on every client socket
//!   (`sql/sql_connect.cc`, `vio_keepalive(net->vio, true)`), using the
//!   database host's settings;
//! - keepalive never resets `wait_timeout`: the server measures commands,
//!   not packets.

use std::time::Duration;

use crate::manifest::HopSpec;
use crate::model::ConnectionPath;
use crate::provenance::Sourced;
use crate::systems::app::Driver;

/// What the killer is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KillerKind {
    /// The server's idle limit (MySQL global `wait_timeout`).
    Server,
    /// The hop at this index in [`ConnectionPath::hops`].
    Hop(usize),
}

/// Which end's keepalive keeps a hop's flow alive.
#[derive(Clone, Debug, PartialEq)]
pub enum KeepaliveEnd {
    /// The app host: the driver enables SO_KEEPALIVE.
    App,
    /// The database host: the MySQL server enables SO_KEEPALIVE.
    Server,
}

/// Keepalive that keeps a hop open.
#[derive(Clone, Debug, PartialEq)]
pub struct KeptAlive {
    /// Whose probes.
    pub end: KeepaliveEnd,
    /// The keepalive idle time that is below the hop's idle timeout: the host's
    /// `net.ipv4.tcp_keepalive_time`, or the app socket's own idle time (libpq
    /// `keepalives_idle`), which overrides the sysctl.
    pub keepalive_time: Sourced<Duration>,
}

/// An element that closes or forgets a connection idle for `timeout`.
#[derive(Clone, Debug)]
pub struct IdleKiller {
    /// Which element.
    pub kind: KillerKind,
    /// Display name: `MySQL wait_timeout`, `hop "cloud sg"`.
    pub label: String,
    /// The idle timeout.
    pub timeout: Sourced<Duration>,
    /// `Some` when keepalive keeps this hop's flow alive, so it kills nothing.
    pub kept_alive: Option<KeptAlive>,
}

impl IdleKiller {
    /// True when the element really kills idle connections on this path.
    pub fn is_effective(&self) -> bool {
        self.kept_alive.is_none()
    }
}

/// Every idle killer of the path, server first then hops in order, each with
/// its keepalive coverage.
pub fn idle_killers(path: &ConnectionPath) -> Vec<IdleKiller> {
    let mut out = Vec::new();
    if let Some(server) = &path.server {
        out.push(IdleKiller {
            kind: KillerKind::Server,
            label: "MySQL wait_timeout".to_string(),
            timeout: server.wait_timeout.clone(),
            kept_alive: None,
        });
    }
    for (i, hop) in path.hops.iter().enumerate() {
        out.push(IdleKiller {
            kind: KillerKind::Hop(i),
            label: format!("hop \"{}\"", hop.name),
            timeout: hop.idle_timeout.clone(),
            kept_alive: keepalive_cover(path, hop),
        });
    }
    out
}

/// Whether the app's sockets have SO_KEEPALIVE on (`None`: no app or unknown
/// driver); see [`AppPool::so_keepalive`](crate::systems::app::AppPool::so_keepalive).
pub fn app_keepalive(path: &ConnectionPath) -> Option<bool> {
    path.app.as_ref().and_then(|a| a.so_keepalive())
}

/// Name of the driver for messages.
pub fn driver_name(driver: &Driver) -> String {
    match driver {
        Driver::PyMySql => "PyMySQL".into(),
        Driver::MysqlClient => "mysqlclient".into(),
        Driver::MysqlConnector { use_pure: false } => "mysql-connector-python (C extension)".into(),
        Driver::MysqlConnector { use_pure: true } => {
            "mysql-connector-python (use_pure=True)".into()
        }
        Driver::AioMysql => "aiomysql".into(),
        Driver::AsyncMy => "asyncmy".into(),
        Driver::MariaDbConnector => "MariaDB Connector/Python".into(),
        Driver::Psycopg2 => "psycopg2".into(),
        Driver::Psycopg => "psycopg 3".into(),
        Driver::Asyncpg => "asyncpg".into(),
        Driver::Other(name) => name.clone(),
    }
}

/// The keepalive that keeps `hop` open, if any (app end preferred).
pub fn keepalive_cover(path: &ConnectionPath, hop: &HopSpec) -> Option<KeptAlive> {
    if !hop.keepalive_resets.value {
        return None;
    }
    let idle = hop.idle_timeout.value;
    // A per-socket idle time (libpq keepalives_idle) overrides the sysctl.
    let app_time = path
        .app
        .as_ref()
        .and_then(|a| a.keepalive_idle())
        .unwrap_or_else(|| path.app_kernel.tcp_keepalive_time.clone());
    if app_keepalive(path) == Some(true) && app_time.value < idle {
        return Some(KeptAlive {
            end: KeepaliveEnd::App,
            keepalive_time: app_time,
        });
    }
    let db_time = &path.db_kernel.tcp_keepalive_time;
    if path.server.is_some() && db_time.value < idle {
        return Some(KeptAlive {
            end: KeepaliveEnd::Server,
            keepalive_time: db_time.clone(),
        });
    }
    None
}

/// The effective killer with the shortest timeout (the first to strike).
pub fn first_killer(killers: &[IdleKiller]) -> Option<&IdleKiller> {
    killers
        .iter()
        .filter(|k| k.is_effective())
        .min_by_key(|k| k.timeout.value)
}
