//! The connection-path model: app pool -> app host kernel -> hops -> database
//! host kernel -> server, every value with its provenance.
//!
//! A hop that terminates TCP and pools (PgBouncer) splits the path into
//! segments, each with its own client end and server end ([`idle::segments`]).
//! [`idle`] derives which elements kill an idle connection on each segment,
//! taking keepalive into account (MODEL.md, "What kills an idle connection").

pub mod budget;
pub mod chain;
pub mod idle;

use std::time::Duration;

use crate::provenance::Sourced;
use crate::source::Location;
use crate::systems::app::AppPool;
use crate::systems::mysql::MysqlServer;
use crate::systems::pgbouncer::PgBouncer;
use crate::systems::postgres::PostgresServer;
use crate::systems::sysctl::KernelSettings;

/// A network hop between app and database: a NAT, security group, firewall or
/// load balancer with an idle timeout.
#[derive(Clone, Debug)]
pub struct HopSpec {
    /// Display name.
    pub name: String,
    /// Idle time after which the hop forgets the flow.
    pub idle_timeout: Sourced<Duration>,
    /// What happens to the flow then (default `drop`).
    pub on_idle: Sourced<OnIdle>,
    /// Whether TCP keepalive probes count as activity (default true: NAT,
    /// conntrack, L4 load balancers; false for proxies that terminate TCP).
    pub keepalive_resets: Sourced<bool>,
    /// What is unconfirmed or disputed about a preset's facts, said in the
    /// diagnostics that involve the hop.
    pub caveat: Option<String>,
    /// True for a proxy that terminates TCP (HAProxy, nginx stream, Envoy):
    /// keepalive probes of one side never cross it.
    pub terminates: bool,
    /// True for a device that measures idleness between requests, not data
    /// silence (RDS Proxy, preset `idle_between_requests`): a statement
    /// running is activity, so it never cuts a long silent statement (TL124).
    pub idle_between_requests: bool,
}

/// What a hop does to a flow that has been idle past its timeout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnIdle {
    /// Forgets the flow silently: the next packet vanishes and the client hangs
    /// until a read timeout or TCP retransmission gives up.
    Drop,
    /// Answers the next packet with a TCP RST: the client fails fast.
    Reset,
}

impl OnIdle {
    /// `drop` or `reset`.
    pub fn as_str(self) -> &'static str {
        match self {
            OnIdle::Drop => "drop",
            OnIdle::Reset => "reset",
        }
    }
}

/// The database server at the end of the path.
// One per path, cloned once per pool: boxing would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
pub enum DbServer {
    /// MySQL / MariaDB, from an option file or a dump.
    Mysql(MysqlServer),
    /// PostgreSQL, from postgresql.conf or a dump.
    Postgres(PostgresServer),
}

/// A PgBouncer on the path: a server to the app, a pooling client to PostgreSQL.
#[derive(Clone, Debug)]
pub struct PgBouncerHop {
    /// Display name (`pgbouncer` unless the manifest names it).
    pub name: String,
    /// Where the manifest declares it.
    pub location: Option<Location>,
    /// Its settings.
    pub settings: PgBouncer,
}

/// One element between app and database.
// A handful per path: boxing would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
pub enum Hop {
    /// A stateful middlebox (NAT, security group, firewall, L4 load balancer)
    /// or a terminating proxy described only by its idle timeout.
    Network(HopSpec),
    /// A PgBouncer: ends one TCP connection and pools another.
    PgBouncer(PgBouncerHop),
}

/// One database connection path, assembled from the manifest (or the files and
/// flags given on the command line).
#[derive(Clone, Debug)]
pub struct ConnectionPath {
    /// Display name.
    pub name: String,
    /// Where the path is declared (manifest entry), if anywhere.
    pub location: Option<Location>,
    /// The app's pool, when an app file was given.
    pub app: Option<AppPool>,
    /// App host kernel settings (Linux defaults when no file was given).
    pub app_kernel: KernelSettings,
    /// Hops from app to database, in order.
    pub hops: Vec<Hop>,
    /// Database host kernel settings (Linux defaults when no file was given).
    pub db_kernel: KernelSettings,
    /// The server, when a db config was given.
    pub server: Option<DbServer>,
    /// Processes that each hold their own pool (workers × replicas); 1 unless given.
    pub processes: Sourced<u64>,
    /// Threads per process that use the database; 1 unless given. Django
    /// opens one connection per thread per alias, so for a Django pool
    /// without its native pool the per-process count is this (see
    /// [`budget::pool_max`]); SQLAlchemy pools are shared by the threads.
    pub threads: Sourced<u64>,
    /// The deadline the app works under, when declared.
    pub request_timeout: Option<Sourced<Duration>>,
    /// The longest statement the app is expected to run, when declared.
    pub max_statement_time: Option<Sourced<Duration>>,
}

impl ConnectionPath {
    /// The MySQL server, if the path ends at one.
    pub fn mysql(&self) -> Option<&MysqlServer> {
        match &self.server {
            Some(DbServer::Mysql(m)) => Some(m),
            _ => None,
        }
    }

    /// The PostgreSQL server, if the path ends at one.
    pub fn postgres(&self) -> Option<&PostgresServer> {
        match &self.server {
            Some(DbServer::Postgres(p)) => Some(p),
            _ => None,
        }
    }

    /// Every PgBouncer on the path, app side first.
    pub fn pgbouncers(&self) -> impl Iterator<Item = &PgBouncerHop> {
        self.hops.iter().filter_map(|h| match h {
            Hop::PgBouncer(b) => Some(b),
            Hop::Network(_) => None,
        })
    }
}
