//! Proxy listeners discovery can link: where each listens and which
//! servers it forwards to.
//!
//! - HAProxy: a `listen` or `frontend` section's `bind` ports; its
//!   `server NAME HOST:PORT` lines, or those of the `backend`s its
//!   `default_backend` / `use_backend` name
//!   (<https://docs.haproxy.org/2.8/configuration.html#4>).
//! - nginx `stream { server { listen PORT; proxy_pass TARGET; } }`: the
//!   target is `HOST:PORT` or an `upstream` block's `server HOST:PORT`
//!   lines (<https://nginx.org/en/docs/stream/ngx_stream_proxy_module.html>).
//!
//! Envoy and Istio listeners are not linked (their clusters name endpoints
//! through service discovery).

use std::path::{Path, PathBuf};

use crate::source::{Location, SourceMap, Span};

/// One listener of a proxy config.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listener {
    /// The config file.
    pub file: PathBuf,
    /// True for HAProxy, false for nginx stream.
    pub haproxy: bool,
    /// The manifest's name for it: the HAProxy section name, the nginx
    /// `listen` value.
    pub name: String,
    /// Where the name is written.
    pub at: Location,
    /// Ports it listens on.
    pub ports: Vec<u16>,
    /// Hosts of the servers it forwards to.
    pub upstream: Vec<String>,
}

/// The port of `[host:]port` / `*:port` / `[::]:port` / `port`.
fn port_of(addr: &str) -> Option<u16> {
    let tail = addr.rsplit(':').next()?;
    let digits: String = tail.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// The host of `host:port` (brackets of an IPv6 address removed).
fn host_of(addr: &str) -> String {
    let a = addr.trim();
    if let Some(v6) = a.strip_prefix('[') {
        return v6.split(']').next().unwrap_or_default().to_string();
    }
    match a.rsplit_once(':') {
        Some((h, _)) => h.to_string(),
        None => a.to_string(),
    }
}

/// The listeners of an HAProxy config file.
pub fn haproxy(path: &Path, sources: &mut SourceMap) -> Vec<Listener> {
    use crate::parse::haproxy::{Item, lex};
    let Ok(id) = sources.load(path) else {
        return Vec::new();
    };
    struct Section {
        keyword: String,
        name: String,
        at: Span,
        ports: Vec<u16>,
        servers: Vec<String>,
        backends: Vec<String>,
    }
    let mut sections: Vec<Section> = Vec::new();
    for item in lex(sources.get(id).text()) {
        match item {
            Item::Section { keyword, args, .. } => {
                let (name, at) = args
                    .first()
                    .map(|a| (a.text.clone(), a.span))
                    .unwrap_or_else(|| (String::new(), keyword.span));
                sections.push(Section {
                    keyword: keyword.text,
                    name,
                    at,
                    ports: Vec::new(),
                    servers: Vec::new(),
                    backends: Vec::new(),
                });
            }
            Item::Directive { words, .. } => {
                let Some(sec) = sections.last_mut() else {
                    continue;
                };
                let arg = |i: usize| words.get(i).map(|w| w.text.as_str()).unwrap_or("");
                match arg(0) {
                    "bind" => {
                        // `bind :3306`, `bind *:3306,*:3307`.
                        for a in arg(1).split(',') {
                            sec.ports.extend(port_of(a));
                        }
                    }
                    "server" => sec.servers.push(host_of(arg(2))),
                    "default_backend" | "use_backend" => sec.backends.push(arg(1).to_string()),
                    _ => {}
                }
            }
            Item::Error { .. } => {}
        }
    }
    let mut out = Vec::new();
    for s in &sections {
        if !matches!(s.keyword.as_str(), "listen" | "frontend") || s.name.is_empty() {
            continue;
        }
        let mut upstream = s.servers.clone();
        for b in &s.backends {
            for other in &sections {
                if matches!(other.keyword.as_str(), "backend" | "listen") && &other.name == b {
                    upstream.extend(other.servers.iter().cloned());
                }
            }
        }
        upstream.retain(|h| !h.is_empty());
        out.push(Listener {
            file: path.to_path_buf(),
            haproxy: true,
            name: s.name.clone(),
            at: Location::new(id, s.at),
            ports: s.ports.clone(),
            upstream,
        });
    }
    out
}

/// The stream listeners of an nginx config file.
pub fn nginx(path: &Path, sources: &mut SourceMap) -> Vec<Listener> {
    use crate::parse::nginx::parse;
    let Ok(id) = sources.load(path) else {
        return Vec::new();
    };
    let cfg = parse(sources.get(id).text());
    let mut out = Vec::new();
    for stream in cfg.directives.iter().filter(|d| d.name.text == "stream") {
        let Some(body) = &stream.block else { continue };
        let upstream_of = |name: &str| -> Vec<String> {
            body.directives
                .iter()
                .filter(|u| {
                    u.name.text == "upstream" && u.args.first().is_some_and(|a| a.text == name)
                })
                .filter_map(|u| u.block.as_ref())
                .flat_map(|b| b.directives.iter())
                .filter(|s| s.name.text == "server")
                .filter_map(|s| s.args.first().map(|a| host_of(&a.text)))
                .collect()
        };
        for server in body.directives.iter().filter(|d| d.name.text == "server") {
            let Some(inner) = &server.block else { continue };
            let target = inner
                .directives
                .iter()
                .find(|d| d.name.text == "proxy_pass")
                .and_then(|d| d.args.first());
            let upstream = match target {
                Some(t) => {
                    let ups = upstream_of(&t.text);
                    if ups.is_empty() {
                        vec![host_of(&t.text)]
                    } else {
                        ups
                    }
                }
                None => Vec::new(),
            };
            for listen in inner.directives.iter().filter(|d| d.name.text == "listen") {
                let Some(value) = listen.args.first() else {
                    continue;
                };
                out.push(Listener {
                    file: path.to_path_buf(),
                    haproxy: false,
                    name: value.text.clone(),
                    at: Location::new(id, value.span),
                    ports: port_of(&value.text).into_iter().collect(),
                    upstream: upstream.clone(),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        assert_eq!(port_of("*:3306"), Some(3306));
        assert_eq!(port_of(":5432"), Some(5432));
        assert_eq!(port_of("[::]:6432"), Some(6432));
        assert_eq!(port_of("3306"), Some(3306));
        assert_eq!(port_of("unix@/x"), None);
        assert_eq!(host_of("db:3306"), "db");
        assert_eq!(host_of("[::1]:3306"), "::1");
        assert_eq!(host_of("db"), "db");
    }

    #[test]
    fn haproxy_listeners_and_their_servers() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = dir.path().join("haproxy.cfg");
        std::fs::write(
            &cfg,
            "global\n  maxconn 100\nfrontend mysql_in\n  bind *:3306\n  default_backend galera\nbackend galera\n  server db1 mysql-1:3306 check\n  server db2 mysql-2:3306 check\nlisten stats\n  bind :8404\n",
        )
        .unwrap();
        let mut sources = SourceMap::new(None);
        let l = haproxy(&cfg, &mut sources);
        assert_eq!(l.len(), 2);
        assert_eq!(l[0].name, "mysql_in");
        assert_eq!(l[0].ports, [3306]);
        assert_eq!(l[0].upstream, ["mysql-1", "mysql-2"]);
        assert_eq!(l[1].name, "stats");
        assert!(l[1].upstream.is_empty());
    }

    #[test]
    fn nginx_stream_listeners() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = dir.path().join("nginx.conf");
        std::fs::write(
            &cfg,
            "stream {\n  upstream pg { server postgres:5432; }\n  server { listen 5432; proxy_pass pg; }\n  server { listen 3306; proxy_pass mysql:3306; }\n}\nhttp { server { listen 80; } }\n",
        )
        .unwrap();
        let mut sources = SourceMap::new(None);
        let l = nginx(&cfg, &mut sources);
        let got: Vec<(&str, Vec<u16>, Vec<String>)> = l
            .iter()
            .map(|l| (l.name.as_str(), l.ports.clone(), l.upstream.clone()))
            .collect();
        assert_eq!(
            got,
            [
                ("5432", vec![5432], vec!["postgres".to_string()]),
                ("3306", vec![3306], vec!["mysql".to_string()])
            ]
        );
    }
}
