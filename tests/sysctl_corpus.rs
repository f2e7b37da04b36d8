//! Real sysctl files from public repositories (`../shared/corpus/sysctl`,
//! outside the project and never copied into it): every file loads without
//! panicking, and several give known values.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use timeoutlint::diagnostic::{Diagnostic, Severity};
use timeoutlint::rules::codes;
use timeoutlint::source::SourceMap;
use timeoutlint::systems::sysctl::{InputForm, KernelSettings, load_kernel};

fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/sysctl");
    if dir.is_dir() {
        Some(dir)
    } else {
        // Written to the real stderr, past the test harness's capture, so
        // a run without the corpus says that it skipped.
        let _ = writeln!(
            std::io::stderr(),
            "skipped: corpus folder {} is absent",
            dir.display()
        );
        None
    }
}

fn load(path: &Path) -> (KernelSettings, SourceMap, Vec<Diagnostic>) {
    let mut sources = SourceMap::new(None).with_policy(timeoutlint::source::ReadPolicy::new(
        path.parent(),
        timeoutlint::source::DEFAULT_MAX_FILE_SIZE,
    ));
    let mut diags = Vec::new();
    let k = load_kernel(path, &mut sources, &mut diags)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (k, sources, diags)
}

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// (time, intvl, probes) in seconds / count.
fn keepalive(k: &KernelSettings) -> (u64, u64, u32) {
    (
        k.tcp_keepalive_time.value.as_secs(),
        k.tcp_keepalive_intvl.value.as_secs(),
        k.tcp_keepalive_probes.value,
    )
}

#[test]
fn every_corpus_file_loads() {
    let Some(dir) = corpus() else { return };
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("corpus folder lists")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    assert!(!entries.is_empty());
    for path in &entries {
        let (k, _, diags) = load(path);
        assert!(k.form.is_some(), "{}", path.display());
        // Nothing in the corpus is a syntax error.
        assert!(
            diags.iter().all(|d| d.code != codes::SYNTAX_ERROR),
            "{}: {diags:?}",
            path.display()
        );
    }
    // The whole folder also loads as one sysctl.d folder (no *.conf order
    // problem, no panic); only the `.conf` files are applied.
    let (k, _, _) = load(&dir);
    assert_eq!(k.form, Some(InputForm::SysctlDir));
    assert!(k.files.len() < entries.len());
}

#[test]
fn hand_written_files() {
    let Some(dir) = corpus() else { return };

    let (k, sources, diags) = load(&dir.join("0x484c-sysctl__sysctl.conf"));
    assert_eq!(k.form, Some(InputForm::ConfFile));
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(keepalive(&k), (300, 15, 5));
    assert_eq!(k.tcp_retries2.value, 15);
    assert!(k.tcp_retries2.origin.is_explicit());
    assert_eq!(
        sources
            .short(k.tcp_keepalive_time.origin.location().expect("loc"))
            .rsplit(':')
            .next(),
        Some("101")
    );
    assert_eq!(k.dead_peer_detection(), secs(300 + 15 * 5));

    let (k, _, diags) = load(&dir.join("antiflood-kernel-tweaks__sysctl.conf"));
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(k.nf_conntrack_tcp_timeout_established.value, secs(120));
    assert_eq!(keepalive(&k), (600, 60, 10));

    let (k, _, diags) = load(&dir.join("correabuscar-etc__60-conntrack.conf"));
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(k.nf_conntrack_tcp_timeout_established.value, secs(86_400));
    assert!(!k.tcp_keepalive_time.origin.is_explicit());

    let (k, _, diags) = load(&dir.join("correabuscar-etc__60-net-arch-perf.conf"));
    assert!(diags.is_empty(), "{diags:?}");
    // The commented-out defaults above the real lines do not count.
    assert_eq!(keepalive(&k), (60, 10, 6));

    // CRLF line endings and aligned `=`.
    let (k, sources, diags) = load(&dir.join("fleshgrinder-sysctl.d__sysctl.conf"));
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(keepalive(&k), (6, 1, 10));
    assert_eq!(k.tcp_retries2.value, 2);
    let loc = k.tcp_keepalive_time.origin.location().expect("loc");
    assert_eq!(sources.text_at(loc), "6");

    // Only unmodelled keys (one with a trailing `# comment`, not validated).
    for name in [
        "gandi-vm-config__sysctl.conf",
        "iainmckenzietech-server__99-sysctl.conf",
    ] {
        let (k, _, diags) = load(&dir.join(name));
        assert!(diags.is_empty(), "{name}: {diags:?}");
        assert!(k.explicit_keepalive().is_empty(), "{name}");
        assert_eq!(k.tcp_keepalive_time.value, secs(7200), "{name}");
        assert!(
            k.tcp_keepalive_time.origin.location().is_some(),
            "{name}: anchored"
        );
    }
}

#[test]
fn end_of_line_comments_are_warnings_not_errors() {
    let Some(dir) = corpus() else { return };
    let (k, sources, diags) = load(&dir.join("hxhgts-tcpoptimization__sysctl.conf"));
    assert_eq!(keepalive(&k), (600, 15, 5));
    assert_eq!(k.tcp_retries2.value, 8);
    assert_eq!(k.nf_conntrack_tcp_timeout_established.value, secs(36_000));
    assert!(!diags.is_empty());
    assert!(
        diags
            .iter()
            .all(|d| d.code == codes::SYSCTL_TRAILING_TEXT && d.severity == Severity::Warning)
    );
    // One per modelled key written with a trailing comment.
    assert_eq!(diags.len(), 4, "{diags:?}");
    let first = diags
        .iter()
        .find(|d| d.message.starts_with("net.ipv4.tcp_keepalive_time"))
        .expect("keepalive_time warning");
    let loc = first.primary.location.expect("loc");
    assert!(sources.text_at(loc).starts_with('#'));
    assert_eq!(sources.resolve(loc).start.line, 57);
}

#[test]
fn sysctl_a_dumps() {
    let Some(dir) = corpus() else { return };
    for name in [
        "percona-toolkit__linux001_sysctl",
        "percona-toolkit__linux006_sysctl",
    ] {
        let (k, _, diags) = load(&dir.join(name));
        assert_eq!(k.form, Some(InputForm::SysctlDump), "{name}");
        assert!(diags.is_empty(), "{name}: {diags:?}");
        assert_eq!(keepalive(&k), (7200, 75, 9), "{name}");
        assert_eq!(k.tcp_retries2.value, 15, "{name}");
        assert_eq!(
            k.nf_conntrack_tcp_timeout_established.value,
            secs(432_000),
            "{name}"
        );
        // Read from the dump, equal to the defaults: explicit, but not tuned.
        assert_eq!(k.explicit_keepalive().len(), 3, "{name}");
        assert!(k.tuned_keepalive().is_empty(), "{name}");
    }
}
