//! `timeoutlint init`: the manifest discovery inferred, as TOML text.
//!
//! Every discovered path becomes a `[[path]]` entry with the keys a
//! hand-written manifest uses (docs/manifest.md), so a check with the
//! written manifest gives the findings discovery gave. Each guess is a
//! comment above its path; a network no file describes is a commented-out
//! `[[path.hop]]` template naming the presets that could apply; files no
//! path uses are listed in comments at the end.

use std::path::Path;

use crate::manifest::{HopEntry, PathRef};
use crate::provenance::Origin;

use super::Discovery;

/// A TOML basic string holding `s` (quotes and escapes as TOML requires).
fn quoted(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// `r` written relative to `dir` (the manifest's folder), `#ADDRESS` kept.
fn written(dir: &Path, r: &PathRef) -> String {
    let rel = r.path.strip_prefix(dir).unwrap_or(&r.path);
    let mut s = rel.to_string_lossy().replace('\\', "/");
    if let Some(a) = &r.address {
        s.push('#');
        s.push_str(a);
    }
    s
}

/// The manifest text for what discovery found under `dir`.
pub fn manifest_text(dir: &Path, found: &Discovery) -> String {
    let mut out = String::from(
        "# timeoutlint.toml written by `timeoutlint init` from what discovery found.\n\
         # Check each guess (the comments), then keep this file: a manifest always wins\n\
         # over discovery. Keys: docs/manifest.md.\n",
    );
    for p in &found.paths {
        out.push('\n');
        out.push_str(&format!("# {}\n", p.line()));
        for g in &p.guesses {
            out.push_str(&format!("# {g}\n"));
        }
        let s = &p.spec;
        out.push_str("[[path]]\n");
        out.push_str(&format!("name = {}\n", quoted(&s.name)));
        if let Some(app) = &s.app {
            let mut text = written(dir, app);
            if let Some(o) = &s.app_object {
                text.push(':');
                text.push_str(&o.value);
            }
            out.push_str(&format!("app = {}\n", quoted(&text)));
        }
        if let Some(d) = &s.database {
            out.push_str(&format!("database = {}\n", quoted(&d.value)));
        }
        for (key, r) in [
            ("app_env", &s.app_env),
            ("workers", &s.workers),
            ("db", &s.db),
            ("app_sysctl", &s.app_sysctl),
            ("db_sysctl", &s.db_sysctl),
        ] {
            if let Some(r) = r {
                out.push_str(&format!("{key} = {}\n", quoted(&written(dir, r))));
            }
        }
        for hop in &s.hops {
            match hop {
                HopEntry::PgBouncer { name, file } => {
                    out.push_str("\n[[path.hop]]\n");
                    out.push_str(&format!("name = {}\n", quoted(name)));
                    out.push_str(&format!("pgbouncer = {}\n", quoted(&written(dir, file))));
                }
                HopEntry::Network(h) => {
                    if let Origin::Preset { id, .. } = &h.idle_timeout.origin {
                        out.push_str("\n[[path.hop]]\n");
                        out.push_str(&format!("preset = {}\n", quoted(id)));
                    }
                }
                HopEntry::PresetFromFile { preset, file, .. } => {
                    out.push_str("\n[[path.hop]]\n");
                    out.push_str(&format!("preset = {}\n", quoted(preset)));
                    out.push_str(&format!("idle_timeout = {}\n", quoted(&written(dir, file))));
                }
                HopEntry::Proxy { spec, .. } => {
                    use crate::manifest::ProxySpec;
                    out.push_str("\n[[path.hop]]\n");
                    match spec {
                        ProxySpec::Haproxy { files, proxy } => {
                            let files: Vec<String> =
                                files.iter().map(|f| quoted(&written(dir, f))).collect();
                            match files.as_slice() {
                                [one] => out.push_str(&format!("haproxy = {one}\n")),
                                _ => out.push_str(&format!("haproxy = [{}]\n", files.join(", "))),
                            }
                            out.push_str(&format!("proxy = {}\n", quoted(&proxy.value)));
                        }
                        ProxySpec::Nginx { file, server } => {
                            out.push_str(&format!("nginx = {}\n", quoted(&written(dir, file))));
                            out.push_str(&format!("server = {}\n", quoted(&server.value)));
                        }
                        ProxySpec::Envoy { file, listener } => {
                            out.push_str(&format!("envoy = {}\n", quoted(&written(dir, file))));
                            out.push_str(&format!("listener = {}\n", quoted(&listener.value)));
                        }
                        ProxySpec::Istio { file, rule } => {
                            out.push_str(&format!("istio = {}\n", quoted(&written(dir, file))));
                            if let Some(r) = rule {
                                out.push_str(&format!("rule = {}\n", quoted(&r.value)));
                            }
                        }
                    }
                }
            }
        }
        if let Some(u) = &p.unknown_network {
            out.push_str(&format!(
                "\n# The network between {} and {} is unknown: no file says what sits there.\n\
                 # If a NAT gateway, load balancer or firewall does, describe it (`timeoutlint presets`):\n",
                u.between.0, u.between.1
            ));
            out.push_str("# [[path.hop]]\n");
            let mut presets = u.presets.iter();
            if let Some(first) = presets.next() {
                let rest: Vec<&str> = presets.copied().collect();
                out.push_str(&format!(
                    "# preset = {}{}\n",
                    quoted(first),
                    if rest.is_empty() {
                        String::new()
                    } else {
                        format!("   # or: {}", rest.join(", "))
                    }
                ));
            }
        }
    }
    if !found.unplaced.is_empty() {
        out.push_str("\n# Found, but on no path above:\n");
        for u in &found.unplaced {
            out.push_str(&format!("# - {u}\n"));
        }
    }
    if found.paths.is_empty() {
        out.push_str(
            "\n# Discovery found no path. Describe one by hand:\n\
             # [[path]]\n# app = \"app/settings.py\"\n# db = \"db/my.cnf\"\n",
        );
    }
    out
}
