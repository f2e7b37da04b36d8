//! Terminating proxies on the path (HAProxy, nginx `stream`, Envoy
//! `tcp_proxy`, Istio), reduced to what the path model needs: the idle limits
//! of each side. Keepalive probes never count for them: they measure data
//! (DOMAIN.md section 8, rule 9).
//!
//! INTERFACE: the loaders live in [`super::haproxy`], [`super::nginx`] and
//! [`super::mesh`].

use std::time::Duration;

use crate::provenance::Sourced;
use crate::source::Location;

/// Which proxy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProxyKind {
    /// HAProxy (`listen`, or `frontend` + `backend`).
    Haproxy,
    /// nginx `stream` server.
    NginxStream,
    /// Envoy `tcp_proxy` filter.
    Envoy,
    /// Istio `DestinationRule` connection pool.
    Istio,
}

impl ProxyKind {
    /// Display name.
    pub fn as_str(self) -> &'static str {
        match self {
            ProxyKind::Haproxy => "HAProxy",
            ProxyKind::NginxStream => "nginx stream",
            ProxyKind::Envoy => "Envoy",
            ProxyKind::Istio => "Istio",
        }
    }
}

/// The idle limits of one proxy for one database listener.
#[derive(Clone, Debug)]
pub struct ProxyTimeouts {
    /// Which proxy.
    pub kind: ProxyKind,
    /// The listener's name (`listen mysql`, the stream server's listen value,
    /// the Envoy listener, the DestinationRule).
    pub name: String,
    /// Where the listener is declared (its section header / key).
    pub location: Location,
    /// Data-inactivity limit on the client (app) side; `None` = no timeout.
    /// HAProxy: `timeout tunnel` when set (it supersedes client/server in TCP
    /// mode), else `timeout client`.
    pub client_idle: Option<Sourced<Duration>>,
    /// Data-inactivity limit on the server (database) side; `None` = none.
    pub server_idle: Option<Sourced<Duration>>,
}

impl ProxyTimeouts {
    /// The limit that closes an idle session first (either side closes the
    /// whole proxied session), or `None` when neither side has one.
    pub fn idle_limit(&self) -> Option<&Sourced<Duration>> {
        [self.client_idle.as_ref(), self.server_idle.as_ref()]
            .into_iter()
            .flatten()
            .min_by_key(|s| s.value)
    }
}

/// The result of looking a listener up in a proxy config.
// Returned once per hop: boxing would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
pub enum ProxyLookup {
    /// Found and resolved (defaults inherited).
    Found(ProxyTimeouts),
    /// No such listener; the names that exist, for the message.
    NotFound {
        /// Listener names in file order.
        available: Vec<String>,
    },
}
