//! Segments, idle killers and keepalive coverage.
//!
//! The physics (MODEL.md; DOMAIN.md sections 1–3, 6–8, 11.B):
//! - a PgBouncer splits the path into segments; each has a client end (the app
//!   pool, or PgBouncer's server-side pool) and a server end (PgBouncer's
//!   client side, or the database server);
//! - the server end's idle limit kills idle connections: MySQL's global
//!   `wait_timeout` (`interactive_timeout` applies only to clients that set
//!   CLIENT_INTERACTIVE, which no Python driver does:
//!   `sql/auth/sql_authentication.cc server_mpvio_update_thd`), PostgreSQL's
//!   `idle_session_timeout` when above 0, PgBouncer's `client_idle_timeout`
//!   when above 0;
//! - a hop forgets a flow idle past its idle timeout, unless TCP keepalive keeps
//!   it busy: an end of the segment enables SO_KEEPALIVE, its keepalive idle
//!   time (a per-socket option such as libpq `keepalives_idle`, PgBouncer
//!   `tcp_keepidle`, PostgreSQL `tcp_keepalives_idle` or MariaDB 10.3.3+'s
//!   server variable `tcp_keepalive_time`, else its host's
//!   `net.ipv4.tcp_keepalive_time`) is below the hop's idle timeout, and the
//!   hop counts probes as activity (`tcp(7)`). Either end's probes serve: MySQL
//!   (`sql/sql_connect.cc vio_keepalive`), PostgreSQL (`pqcomm.c`) and
//!   PgBouncer (`tcp_keepalive = 1`) enable SO_KEEPALIVE on their sockets;
//! - keepalive never resets a server's idle limit: servers measure commands,
//!   not packets.

use std::time::Duration;

use crate::model::HopSpec;
use crate::model::{ConnectionPath, DbServer, Hop, PgBouncerHop};
use crate::provenance::{Origin, Sourced};
use crate::systems::app::{AppPool, Driver};
use crate::systems::mysql::{MysqlProduct, MysqlServer};
use crate::systems::pgbouncer::{EffectivePoolMode, PoolMode};
use crate::units::Retirement;

/// The Linux default keepalive idle time, for hosts whose sysctl was not given
/// (PgBouncer's host): 7200 s, `tcp(7)`.
const LINUX_KEEPALIVE_TIME: Duration = Duration::from_secs(7200);
const TCP_MAN_PAGE: &str = "https://man7.org/linux/man-pages/man7/tcp.7.html";

/// One end of a segment.
#[derive(Clone, Copy, Debug)]
pub enum End<'a> {
    /// The app's pool.
    App(&'a AppPool),
    /// A PgBouncer (client side of the app segment, pooling side of the next).
    PgBouncer(&'a PgBouncerHop),
    /// The database server.
    Server(&'a DbServer),
    /// Not given.
    Missing,
}

/// A TCP segment: client end -> network hops -> server end.
#[derive(Clone, Debug)]
pub struct Segment<'a> {
    /// Position on the path, from 0 (app side).
    pub index: usize,
    /// The end that opens connections and retires them.
    pub client: End<'a>,
    /// Network hops in this segment, with their index in [`ConnectionPath::hops`].
    pub hops: Vec<(usize, &'a HopSpec)>,
    /// The end that accepts connections.
    pub server: End<'a>,
}

impl Segment<'_> {
    /// `app -> pgbouncer`, `pgbouncer -> server`, `app -> server`.
    pub fn label(&self) -> String {
        let name = |e: &End| match e {
            End::App(_) => "app".to_string(),
            End::PgBouncer(b) => b.name.clone(),
            End::Server(DbServer::Mysql(_)) => "MySQL".to_string(),
            End::Server(DbServer::Postgres(_)) => "PostgreSQL".to_string(),
            End::Missing => "server (not given)".to_string(),
        };
        format!("{} -> {}", name(&self.client), name(&self.server))
    }
}

/// Splits `path` into segments at each PgBouncer.
pub fn segments(path: &ConnectionPath) -> Vec<Segment<'_>> {
    let mut out = Vec::new();
    let mut client = match &path.app {
        Some(a) => End::App(a),
        None => End::Missing,
    };
    let mut hops = Vec::new();
    for (i, hop) in path.hops.iter().enumerate() {
        match hop {
            Hop::Network(h) => hops.push((i, h)),
            Hop::PgBouncer(b) => {
                out.push(Segment {
                    index: out.len(),
                    client,
                    hops: std::mem::take(&mut hops),
                    server: End::PgBouncer(b),
                });
                client = End::PgBouncer(b);
            }
        }
    }
    out.push(Segment {
        index: out.len(),
        client,
        hops,
        server: match &path.server {
            Some(s) => End::Server(s),
            None => End::Missing,
        },
    });
    out
}

/// Keepalive of one end: whether it enables SO_KEEPALIVE and after how long
/// idle the first probe goes out.
#[derive(Clone, Debug)]
pub struct EndKeepalive {
    /// Who: `app host`, `PgBouncer`, `database host`.
    pub who: String,
    /// Whether SO_KEEPALIVE is on (`None`: unknown driver).
    pub enabled: Option<bool>,
    /// The setting that gives the idle time: `net.ipv4.tcp_keepalive_time`,
    /// `tcp_keepidle`, `tcp_keepalives_idle`, `keepalives_idle`.
    pub setting: &'static str,
    /// Idle time before the first probe.
    pub idle: Sourced<Duration>,
}

/// Whether the app's driver turns on SO_KEEPALIVE (`None`: no app or unknown driver).
pub fn app_keepalive(path: &ConnectionPath) -> Option<bool> {
    path.app.as_ref().and_then(|a| a.so_keepalive())
}

fn pgbouncer_keepalive(b: &PgBouncerHop) -> EndKeepalive {
    let s = &b.settings;
    let (setting, idle) = if s.tcp_keepidle.value > Duration::ZERO {
        ("tcp_keepidle", s.tcp_keepidle.clone())
    } else {
        (
            "net.ipv4.tcp_keepalive_time",
            Sourced::new(
                LINUX_KEEPALIVE_TIME,
                Origin::default_of("Linux (PgBouncer host)", TCP_MAN_PAGE),
            ),
        )
    };
    EndKeepalive {
        who: format!("PgBouncer \"{}\"", b.name),
        enabled: Some(s.tcp_keepalive.value),
        setting,
        idle,
    }
}

/// Whether a MySQL-family server uses its own MariaDB keepalive variables:
/// MariaDB 10.3.3+ sets `TCP_KEEPIDLE` from `tcp_keepalive_time` when it is
/// above 0 (https://mariadb.com/docs/server/ref/mdb/cli/mariadbd/tcp-keepalive-time);
/// MySQL has no such variable, so a server known to be MySQL never does.
/// An unknown product is taken as MariaDB-capable (the file sets a
/// MariaDB-only variable), and the chain view says so.
pub fn mariadb_keepalive_applies(m: &MysqlServer) -> bool {
    m.tcp_keepalive_time.value > Duration::ZERO
        && m.product.as_ref().map(|p| p.value) != Some(MysqlProduct::Mysql)
}

/// The keepalive of a MySQL / MariaDB server's client sockets: the server
/// always enables SO_KEEPALIVE (`vio_keepalive`, `sql/sql_connect.cc`);
/// the idle time is MariaDB's `tcp_keepalive_time` when it applies
/// ([`mariadb_keepalive_applies`]), else the db host's
/// `net.ipv4.tcp_keepalive_time`.
fn mysql_keepalive(path: &ConnectionPath, m: &MysqlServer) -> EndKeepalive {
    if mariadb_keepalive_applies(m) {
        EndKeepalive {
            who: "MariaDB server".to_string(),
            enabled: Some(true),
            setting: "tcp_keepalive_time",
            idle: m.tcp_keepalive_time.clone(),
        }
    } else {
        EndKeepalive {
            who: "database host".to_string(),
            enabled: Some(true),
            setting: "net.ipv4.tcp_keepalive_time",
            idle: path.db_kernel.tcp_keepalive_time.clone(),
        }
    }
}

/// How long the MySQL-family server takes to declare a silent peer dead:
/// keepalive idle time + interval × probes (`tcp(7)`), each part MariaDB's
/// own variable when it is above 0 and applies, else the db host's sysctl.
pub fn mysql_dead_peer_detection(path: &ConnectionPath, m: &MysqlServer) -> Duration {
    let k = &path.db_kernel;
    let own = m.product.as_ref().map(|p| p.value) != Some(MysqlProduct::Mysql);
    let pick = |v: Duration, host: Duration| if own && v > Duration::ZERO { v } else { host };
    let time = pick(m.tcp_keepalive_time.value, k.tcp_keepalive_time.value);
    let intvl = pick(m.tcp_keepalive_interval.value, k.tcp_keepalive_intvl.value);
    let probes = match m.tcp_keepalive_probes.value {
        n if own && n > 0 => u32::try_from(n).unwrap_or(u32::MAX),
        _ => k.tcp_keepalive_probes.value,
    };
    time + intvl * probes
}

/// The keepalive of one end of a segment.
pub fn end_keepalive(path: &ConnectionPath, end: End<'_>) -> Option<EndKeepalive> {
    match end {
        // A per-socket idle time (libpq keepalives_idle) overrides the sysctl.
        End::App(a) => Some(match a.keepalive_idle() {
            Some(idle) => EndKeepalive {
                who: "app".to_string(),
                enabled: a.so_keepalive(),
                setting: "keepalives_idle",
                idle,
            },
            None => EndKeepalive {
                who: "app host".to_string(),
                enabled: a.so_keepalive(),
                setting: "net.ipv4.tcp_keepalive_time",
                idle: path.app_kernel.tcp_keepalive_time.clone(),
            },
        }),
        End::PgBouncer(b) => Some(pgbouncer_keepalive(b)),
        End::Server(DbServer::Mysql(m)) => Some(mysql_keepalive(path, m)),
        End::Server(DbServer::Postgres(pg)) => {
            let (setting, idle) = if pg.tcp_keepalives_idle.value > Duration::ZERO {
                ("tcp_keepalives_idle", pg.tcp_keepalives_idle.clone())
            } else {
                (
                    "net.ipv4.tcp_keepalive_time",
                    path.db_kernel.tcp_keepalive_time.clone(),
                )
            };
            Some(EndKeepalive {
                who: "database host".to_string(),
                enabled: Some(true),
                setting,
                idle,
            })
        }
        End::Missing => None,
    }
}

/// What the killer is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KillerKind {
    /// MySQL global `wait_timeout`.
    MysqlWaitTimeout,
    /// PostgreSQL `idle_session_timeout` (when above 0).
    PostgresIdleSession,
    /// PgBouncer `client_idle_timeout` (when above 0).
    PgBouncerClientIdle,
    /// The network hop at this index in [`ConnectionPath::hops`].
    Hop(usize),
}

/// Keepalive that keeps a hop open.
#[derive(Clone, Debug, PartialEq)]
pub struct KeptAlive {
    /// Whose probes: `app host`, `PgBouncer "x"`, `database host`.
    pub who: String,
    /// The keepalive idle time that is below the hop's idle timeout.
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
    /// True when the element really kills idle connections on this segment.
    pub fn is_effective(&self) -> bool {
        self.kept_alive.is_none()
    }
}

/// Every idle killer of a segment, server end first then hops in order, each
/// with its keepalive coverage.
pub fn idle_killers(path: &ConnectionPath, seg: &Segment<'_>) -> Vec<IdleKiller> {
    let mut out = Vec::new();
    match seg.server {
        End::Server(DbServer::Mysql(m)) => out.push(IdleKiller {
            kind: KillerKind::MysqlWaitTimeout,
            label: "MySQL wait_timeout".to_string(),
            timeout: m.wait_timeout.clone(),
            kept_alive: None,
        }),
        End::Server(DbServer::Postgres(pg)) if pg.idle_session_timeout.value > Duration::ZERO => {
            out.push(IdleKiller {
                kind: KillerKind::PostgresIdleSession,
                label: "PostgreSQL idle_session_timeout".to_string(),
                timeout: pg.idle_session_timeout.clone(),
                kept_alive: None,
            })
        }
        End::PgBouncer(b) if b.settings.client_idle_timeout.value > Duration::ZERO => {
            out.push(IdleKiller {
                kind: KillerKind::PgBouncerClientIdle,
                label: format!("PgBouncer \"{}\" client_idle_timeout", b.name),
                timeout: b.settings.client_idle_timeout.clone(),
                kept_alive: None,
            })
        }
        _ => {}
    }
    let client_ka = end_keepalive(path, seg.client);
    let server_ka = end_keepalive(path, seg.server);
    for (pos, (i, hop)) in seg.hops.iter().enumerate() {
        // A terminating proxy between an end and the hop stops that end's
        // probes: the proxy opens its own connection on the other side.
        let before = seg.hops[..pos].iter().any(|(_, h)| h.terminates);
        let after = seg.hops[pos + 1..].iter().any(|(_, h)| h.terminates);
        let ends = [
            client_ka.as_ref().filter(|_| !before),
            server_ka.as_ref().filter(|_| !after),
        ];
        out.push(IdleKiller {
            kind: KillerKind::Hop(*i),
            label: format!("hop \"{}\"", hop.name),
            timeout: hop.idle_timeout.clone(),
            kept_alive: keepalive_cover(hop, ends),
        });
    }
    out
}

/// The keepalive that keeps `hop` open, if any (client end preferred).
pub fn keepalive_cover(hop: &HopSpec, ends: [Option<&EndKeepalive>; 2]) -> Option<KeptAlive> {
    if !hop.keepalive_resets.value {
        return None;
    }
    ends.into_iter().flatten().find_map(|ka| {
        (ka.enabled == Some(true) && ka.idle.value < hop.idle_timeout.value).then(|| KeptAlive {
            who: ka.who.clone(),
            keepalive_time: ka.idle.clone(),
        })
    })
}

/// The effective killer with the shortest timeout (the first to strike).
pub fn first_killer(killers: &[IdleKiller]) -> Option<&IdleKiller> {
    killers
        .iter()
        .filter(|k| k.is_effective())
        .min_by_key(|k| k.timeout.value)
}

/// How the client end of a segment retires connections.
#[derive(Clone, Debug)]
pub struct Retire {
    /// The age (or idle) limit.
    pub value: Sourced<Retirement>,
    /// Setting name: `pool_recycle`, `CONN_MAX_AGE`, `server_idle_timeout`.
    pub setting: &'static str,
    /// Whether connections are validated before reuse.
    pub validated: bool,
}

/// The retirement of a PgBouncer's server-side pool (`doc/config.md`):
/// `server_lifetime = 0` means each server connection is used once (not
/// reused); otherwise the smaller of `server_idle_timeout` (idle in the pool;
/// 0 disables it; it never closes the `min_pool_size` connections) and
/// `server_lifetime` (unused and older) bounds how long an idle server
/// connection stays pooled.
pub fn pgbouncer_retirement(b: &PgBouncerHop) -> Retire {
    let s = &b.settings;
    if s.server_lifetime.value.is_zero() {
        return Retire {
            value: s.server_lifetime.clone().map(Retirement::After),
            setting: "server_lifetime",
            validated: true,
        };
    }
    // `server_idle_timeout` spares the `min_pool_size` connections
    // (`src/janitor.c`): with a minimum, those live until `server_lifetime`.
    let idle_applies = s.min_pool_size.value == 0;
    let (setting, v) = [
        ("server_idle_timeout", &s.server_idle_timeout),
        ("server_lifetime", &s.server_lifetime),
    ]
    .into_iter()
    .filter(|(name, _)| idle_applies || *name == "server_lifetime")
    .filter(|(_, v)| v.value > Duration::ZERO)
    .min_by_key(|(_, v)| v.value)
    .unwrap_or(("server_lifetime", &s.server_lifetime));
    Retire {
        value: v.clone().map(Retirement::After),
        setting,
        validated: true,
    }
}

/// The pool mode the app's connections get at PgBouncer `b`
/// ([`crate::systems::pgbouncer::PgBouncer::pool_mode_for`] with the
/// database and user the app's settings name; the global `pool_mode` when
/// they name none).
pub fn pool_mode(path: &ConnectionPath, b: &PgBouncerHop) -> EffectivePoolMode {
    let app = path.app.as_ref();
    b.settings.pool_mode_for(
        app.and_then(|a| a.database.as_deref()),
        app.and_then(|a| a.user.as_deref()),
    )
}

/// The segments an app connection is linked through: in `session` pool mode
/// PgBouncer links each client connection to one server connection until
/// the client disconnects (https://www.pgbouncer.org/config.html#pool_mode),
/// so the idle killers of the segment behind it reach the app's connection
/// as if it were direct. Returns, for segment `i`, the indexes of the later
/// segments reached through session-mode PgBouncers, each with the
/// PgBouncer and its effective pool mode; empty in `transaction` and
/// `statement` mode, where the server connection goes back to the pool and
/// PgBouncer replaces a closed one without the client seeing it (LAB.md:
/// `closing because: server conn crashed?`, no app error).
pub fn linked_segments<'a>(
    path: &'a ConnectionPath,
    segs: &[Segment<'a>],
    i: usize,
) -> Vec<(usize, &'a PgBouncerHop, EffectivePoolMode)> {
    let mut out = Vec::new();
    let mut j = i;
    while let Some(End::PgBouncer(b)) = segs.get(j).map(|s| s.server) {
        let mode = pool_mode(path, b);
        if mode.mode.value != PoolMode::Session || j + 1 >= segs.len() {
            break;
        }
        j += 1;
        out.push((j, b, mode));
    }
    out
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
