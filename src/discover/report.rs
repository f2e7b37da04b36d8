//! The first lines of the human report when paths were discovered: one line
//! per path, the unknown networks, and the files no path uses.

use crate::source::SourceMap;

use super::Discovery;

/// The discovery summary printed above the findings (human format).
///
/// Every line is scrubbed of secrets and control characters: hosts and
/// names come from the repository's files.
pub fn header(found: &[Discovery], sources: &SourceMap) -> String {
    let mut out = String::new();
    for d in found {
        let n = d.paths.len();
        out.push_str(&format!(
            "discovered {n} path{} (no timeoutlint.toml; `timeoutlint init` writes these into one):\n",
            if n == 1 { "" } else { "s" }
        ));
        for p in &d.paths {
            out.push_str(&format!("  {}\n", p.line()));
            if let Some(u) = &p.unknown_network {
                out.push_str(&format!(
                    "    network between {} and {}: unknown; if a NAT gateway, load balancer or firewall sits there, add a [[path.hop]] (presets: {})\n",
                    u.between.0,
                    u.between.1,
                    u.presets.join(", ")
                ));
            }
        }
        for m in &d.manifests {
            out.push_str(&format!(
                "  checked with its own manifest: {}\n",
                sources.display_name(m)
            ));
        }
        for u in &d.unplaced {
            out.push_str(&format!("  not on a path: {u}\n"));
        }
        if n == 0 && d.manifests.is_empty() {
            out.push_str(
                "  no app settings, server configs or deployment files found; give files, or a timeoutlint.toml manifest\n",
            );
        }
        if d.truncated {
            out.push_str(&format!(
                "  the walk stopped after {} entries; give a narrower folder\n",
                super::walk::MAX_ENTRIES
            ));
        }
        out.push('\n');
    }
    let scrubbed = sources.scrub(&out);
    scrubbed
        .split_inclusive('\n')
        .map(|l| match l.strip_suffix('\n') {
            Some(line) => format!("{}\n", crate::report::escape::control(line)),
            None => crate::report::escape::control(l).into_owned(),
        })
        .collect()
}
