//! Loading kernel settings from each input form: sysctl.conf, `sysctl -a`,
//! sysctl.d folders and /proc/sys trees.

use std::path::{Path, PathBuf};
use std::time::Duration;

use timeoutlint::diagnostic::{Diagnostic, Severity};
use timeoutlint::provenance::Origin;
use timeoutlint::rules::codes;
use timeoutlint::source::{LoadError, Location, SourceMap, Span};
use timeoutlint::systems::sysctl::{
    InputForm, KernelSettings, TCP_KEEPALIVE_INTVL, TCP_KEEPALIVE_PROBES, TCP_KEEPALIVE_TIME,
    load_kernel,
};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/sysctl")
        .join(name)
}

fn load(path: &Path) -> (KernelSettings, SourceMap, Vec<Diagnostic>) {
    let mut sources = SourceMap::new(None);
    let mut diags = Vec::new();
    let k = load_kernel(path, &mut sources, &mut diags).expect("loads");
    (k, sources, diags)
}

/// The text an origin's location covers, and the file's name.
fn at(origin: &Origin, sources: &SourceMap) -> (String, String) {
    let loc = origin.location().expect("a location");
    (
        sources.get(loc.file).name().to_string(),
        sources.text_at(loc).to_string(),
    )
}

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(path, text).expect("write");
}

#[test]
fn sysctl_d_folder_applies_conf_files_in_byte_order() {
    let (k, sources, diags) = load(&fixture("sysctl.d"));
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(k.form, Some(InputForm::SysctlDir));
    // 10-a sets 600, 99-b sets 300: the later name wins. README, x.conf.bak,
    // .hidden.conf and the folder 50-dir.conf are ignored.
    assert_eq!(k.tcp_keepalive_time.value, secs(300));
    let (file, text) = at(&k.tcp_keepalive_time.origin, &sources);
    assert!(file.ends_with("sysctl.d/99-b.conf"), "{file}");
    assert_eq!(text, "300");
    // "10-a" < "9-z" byte-wise, so 9-z's interval wins over 10-a's.
    assert_eq!(k.tcp_keepalive_intvl.value, secs(20));
    assert!(
        at(&k.tcp_keepalive_intvl.origin, &sources)
            .0
            .ends_with("9-z.conf")
    );
    assert_eq!(k.tcp_keepalive_probes.value, 4);
    let names: Vec<_> = k
        .files
        .iter()
        .map(|f| sources.get(*f).name().to_string())
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(names[0].ends_with("10-a.conf"));
    assert!(names[1].ends_with("9-z.conf"));
    assert!(names[2].ends_with("99-b.conf"));
    // Unset settings are defaults anchored at the start of the first file.
    assert_eq!(
        k.tcp_retries2.origin,
        Origin::Default {
            system: "Linux",
            source: "https://man7.org/linux/man-pages/man7/tcp.7.html",
            anchor: Some(Location::new(k.files[0], Span::new(0, 0))),
        }
    );
}

#[test]
fn unreadable_conf_in_folder_is_reported_and_skipped() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        &dir.path().join("10-ok.conf"),
        "net.ipv4.tcp_keepalive_time = 120\n",
    );
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        dir.path().join("missing"),
        dir.path().join("20-dangling.conf"),
    )
    .expect("symlink");
    let (k, _, diags) = load(dir.path());
    assert_eq!(k.tcp_keepalive_time.value, secs(120));
    #[cfg(unix)]
    {
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert_eq!(diags[0].code, codes::INCLUDE_UNREADABLE);
        assert!(
            diags[0].message.contains("20-dangling.conf"),
            "{}",
            diags[0].message
        );
        assert!(diags[0].primary.location.is_none());
    }
}

#[test]
fn empty_folder_gives_unanchored_defaults() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (k, _, diags) = load(dir.path());
    assert!(diags.is_empty());
    assert!(k.files.is_empty());
    assert_eq!(k.tcp_keepalive_time.value, secs(7200));
    assert_eq!(k.tcp_keepalive_time.origin.location(), None);
}

#[test]
fn mixed_conf_file_values_warnings_and_errors() {
    let (k, sources, diags) = load(&fixture("mixed.conf"));
    assert_eq!(k.form, Some(InputForm::ConfFile));

    // Invalid occurrences are ignored; the last valid value wins.
    assert_eq!(k.tcp_keepalive_time.value, secs(900));
    assert_eq!(at(&k.tcp_keepalive_time.origin, &sources).1, "900");
    // Trailing text: the integer is used, located on the integer alone.
    assert_eq!(k.tcp_keepalive_intvl.value, secs(30));
    assert_eq!(at(&k.tcp_keepalive_intvl.origin, &sources).1, "30");
    // A `/`-separated key is the same setting.
    assert_eq!(k.tcp_keepalive_probes.value, 6);
    assert_eq!(k.tcp_retries2.value, 8);
    // Legacy conntrack name, then the current one written with a leading zero (octal).
    assert_eq!(k.nf_conntrack_tcp_timeout_established.value, secs(0o600));
    assert_eq!(
        at(&k.nf_conntrack_tcp_timeout_established.origin, &sources).1,
        "0600"
    );

    let found: Vec<(&str, Severity, String, String)> = diags
        .iter()
        .map(|d| {
            let loc = d.primary.location.expect("located");
            (
                d.code.id,
                d.severity,
                d.message.clone(),
                sources.text_at(loc).to_string(),
            )
        })
        .collect();
    let expected = [
        (
            "TL002",
            Severity::Error,
            "net.ipv4.tcp_keepalive_time value `7200s` is not a non-negative integer",
            "7200s",
        ),
        (
            "TL002",
            Severity::Error,
            "net.ipv4.tcp_keepalive_time value `abc` is not a non-negative integer",
            "abc",
        ),
        (
            "TL005",
            Severity::Warning,
            "net.ipv4.tcp_keepalive_intvl value `30 # seconds between probes` has text after the integer",
            "# seconds between probes",
        ),
        (
            "TL002",
            Severity::Error,
            "net.ipv4.tcp_retries2 value `-5` is not a non-negative integer",
            "-5",
        ),
        (
            "TL002",
            Severity::Error,
            "net.ipv4.tcp_retries2 has an empty value",
            "net.ipv4.tcp_retries2 =",
        ),
        (
            "TL002",
            Severity::Warning,
            "net.netfilter.nf_conntrack_tcp_timeout_established value `0600` has a leading zero, so the kernel reads it as octal (384)",
            "0600",
        ),
        (
            "TL001",
            Severity::Error,
            "expected `key = value`, found `this line is not a setting`",
            "this line is not a setting",
        ),
    ];
    let mut found_sorted = found.clone();
    found_sorted.sort_by(|a, b| a.2.cmp(&b.2));
    let mut expected: Vec<_> = expected
        .iter()
        .map(|(c, s, m, t)| (*c, *s, m.to_string(), t.to_string()))
        .collect();
    expected.sort_by(|a, b| a.2.cmp(&b.2));
    assert_eq!(found_sorted, expected);

    // Every diagnostic has a help line; the trailing-text one points back at the integer.
    assert!(diags.iter().all(|d| d.help.is_some()));
    let tl005 = diags
        .iter()
        .find(|d| d.code == codes::SYSCTL_TRAILING_TEXT)
        .expect("TL005");
    let rel = tl005.related[0].location.expect("related location");
    assert_eq!(sources.text_at(rel), "30");
    // Messages: lower-case start, no trailing period.
    for d in &diags {
        assert!(!d.message.ends_with('.'), "{}", d.message);
        assert!(!d.message.starts_with(char::is_uppercase), "{}", d.message);
    }
}

#[test]
fn sysctl_dump_skips_stderr_noise() {
    let (k, sources, diags) = load(&fixture("sysctl-a.txt"));
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(k.form, Some(InputForm::SysctlDump));
    assert_eq!(k.tcp_keepalive_time.value, secs(1800));
    assert_eq!(k.tcp_keepalive_intvl.value, secs(30));
    assert_eq!(k.tcp_keepalive_probes.value, 4);
    assert_eq!(k.tcp_retries2.value, 15);
    assert_eq!(k.nf_conntrack_tcp_timeout_established.value, secs(86_400));
    assert_eq!(at(&k.tcp_keepalive_time.origin, &sources).1, "1800");
}

#[test]
fn noise_lines_are_errors_in_a_plain_conf_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("s.conf");
    write(
        &path,
        "# a comment\nsysctl: permission denied on key 'x'\nnet.ipv4.tcp_retries2 = 5\n",
    );
    let (k, _, diags) = load(&path);
    assert_eq!(k.form, Some(InputForm::ConfFile));
    assert_eq!(k.tcp_retries2.value, 5);
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].code, codes::SYNTAX_ERROR);
}

#[test]
fn proc_sys_tree() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("proc-copy");
    write(&root.join("net/ipv4/tcp_keepalive_time"), "  240\n");
    write(&root.join("net/ipv4/tcp_keepalive_intvl"), "15\n");
    write(&root.join("net/ipv4/tcp_keepalive_probes"), "nine\n");
    write(&root.join("net/ipv4/tcp_rmem"), "4096\t131072\t6291456\n");
    write(
        &root.join("net/ipv4/netfilter/ip_conntrack_tcp_timeout_established"),
        "1000\n",
    );
    write(
        &root.join("net/netfilter/nf_conntrack_tcp_timeout_established"),
        "7440\n",
    );
    write(&root.join("kernel/hostname"), "box\n");
    #[cfg(unix)]
    std::os::unix::fs::symlink(root.join("gone"), root.join("net/ipv4/tcp_retries2"))
        .expect("symlink");

    let (k, sources, diags) = load(&root);
    assert_eq!(k.form, Some(InputForm::ProcTree));
    assert_eq!(k.tcp_keepalive_time.value, secs(240));
    let (file, text) = at(&k.tcp_keepalive_time.origin, &sources);
    assert!(file.ends_with("net/ipv4/tcp_keepalive_time"), "{file}");
    assert_eq!(text, "240");
    assert_eq!(k.tcp_keepalive_intvl.value, secs(15));
    // "nine" is invalid: reported, default kept.
    assert_eq!(k.tcp_keepalive_probes.value, 9);
    assert!(!k.tcp_keepalive_probes.origin.is_explicit());
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0].code, codes::INVALID_VALUE);
    assert_eq!(
        sources.text_at(diags[0].primary.location.expect("loc")),
        "nine"
    );
    // net/ipv4/netfilter sorts before net/netfilter: the current name wins.
    assert_eq!(k.nf_conntrack_tcp_timeout_established.value, secs(7440));
    // The dangling symlink is skipped: default.
    assert_eq!(k.tcp_retries2.value, 15);
    // Only modelled files are read.
    assert_eq!(k.files.len(), 5);
    // Defaults anchor at the first file read.
    let anchor = k.tcp_retries2.origin.location().expect("anchor");
    assert_eq!(anchor, Location::new(k.files[0], Span::new(0, 0)));
}

#[test]
fn folder_named_sys_is_a_proc_tree() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("sys");
    write(&root.join("ipv4/tcp_keepalive_time"), "1\n");
    write(&root.join("x.conf"), "net.ipv4.tcp_keepalive_time = 2\n");
    let (k, _, diags) = load(&root);
    assert!(diags.is_empty());
    assert_eq!(k.form, Some(InputForm::ProcTree));
    // Neither file is a modelled key relative to this root.
    assert_eq!(k.tcp_keepalive_time.value, secs(7200));
}

#[test]
fn unreadable_named_path_is_a_load_error() {
    let mut sources = SourceMap::new(None);
    let mut diags = Vec::new();
    let err = load_kernel(&fixture("does-not-exist.conf"), &mut sources, &mut diags)
        .expect_err("missing file");
    match err {
        LoadError::Unreadable { reason, .. } => assert_eq!(reason, "no such file or directory"),
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn defaults_without_files() {
    let k = KernelSettings::defaults();
    assert_eq!(k.tcp_keepalive_time.value, secs(7200));
    assert_eq!(k.tcp_keepalive_intvl.value, secs(75));
    assert_eq!(k.tcp_keepalive_probes.value, 9);
    assert_eq!(k.tcp_retries2.value, 15);
    assert_eq!(k.nf_conntrack_tcp_timeout_established.value, secs(432_000));
    assert_eq!(
        k.nf_conntrack_tcp_timeout_established.origin,
        Origin::default_of(
            "Linux",
            "https://docs.kernel.org/networking/nf_conntrack-sysctl.html"
        )
    );
    assert!(k.files.is_empty());
    assert_eq!(k.form, None);
    assert_eq!(k.dead_peer_detection(), secs(7875));
    assert!(k.explicit_keepalive().is_empty());
}

#[test]
fn keepalive_helpers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("k.conf");
    write(
        &path,
        "net.ipv4.tcp_keepalive_time = 300\nnet.ipv4.tcp_keepalive_probes = 9\nnet.ipv4.tcp_keepalive_time = 600\n",
    );
    let (k, sources, _) = load(&path);
    assert_eq!(k.dead_peer_detection(), secs(600 + 75 * 9));
    let explicit = k.explicit_keepalive();
    let keys: Vec<_> = explicit.iter().map(|s| (s.key, s.value)).collect();
    assert_eq!(keys, [(TCP_KEEPALIVE_TIME, 600), (TCP_KEEPALIVE_PROBES, 9)]);
    assert_eq!(at(&explicit[0].origin, &sources).1, "600");
    // probes = 9 is the default value: set, but not tuned.
    let tuned: Vec<_> = k.tuned_keepalive().iter().map(|s| s.key).collect();
    assert_eq!(tuned, [TCP_KEEPALIVE_TIME]);
    assert!(!tuned.contains(&TCP_KEEPALIVE_INTVL));
}

#[test]
fn never_panics_on_binary_or_odd_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cases: &[&[u8]] = &[
        b"",
        b"\xff\xfe\x00garbage\n=\n-\n",
        b"net.ipv4.tcp_keepalive_time = 99999999999999999999999\n",
        b"net.ipv4.tcp_keepalive_time = 0x\n",
        b"net.ipv4.tcp_keepalive_time = \xc3\xa9\n",
        b"net.ipv4.tcp_keepalive_time=\r\n",
        b"\xef\xbb\xbfnet.ipv4.tcp_keepalive_probes=3",
    ];
    for (i, bytes) in cases.iter().enumerate() {
        let path = dir.path().join(format!("{i}.conf"));
        std::fs::write(&path, bytes).expect("write");
        // Case 1 starts with a UTF-16 byte order mark, so it is decoded as
        // UTF-16: one line of nonsense, reported, never quoted when refused.
        let mut sources = SourceMap::new(None);
        let r = load_kernel(&path, &mut sources, &mut Vec::new());
        if let Err(e) = r {
            assert_eq!(i, 1, "case {i}: {e}");
            assert!(e.to_string().contains("is not a sysctl file"), "{e}");
        }
        let path = dir.path().join("passwd.conf");
        let mut sources = SourceMap::new(None);
        let text = b"root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/usr/sbin:/usr/sbin/nologin\n";
        std::fs::write(&path, text).expect("write");
        let e = load_kernel(&path, &mut sources, &mut Vec::new())
            .expect_err("a passwd file is not a sysctl file")
            .to_string();
        assert!(e.contains("is not a sysctl file: 2 of 2 lines"), "{e}");
        assert!(!e.contains("root"), "{e}");
    }
    let (k, _, _) = load(&dir.path().join("6.conf"));
    assert_eq!(k.tcp_keepalive_probes.value, 3);
}

#[test]
fn long_values_are_shortened_in_messages() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("long.conf");
    let comment = "#".repeat(200);
    write(
        &path,
        &format!("net.ipv4.tcp_keepalive_time = 600 {comment}\n"),
    );
    let (k, sources, diags) = load(&path);
    assert_eq!(k.tcp_keepalive_time.value, secs(600));
    assert_eq!(diags.len(), 1);
    assert!(diags[0].message.len() < 150, "{}", diags[0].message);
    assert!(diags[0].message.contains('…'));
    // The label still covers the whole trailing text.
    let loc = diags[0].primary.location.expect("loc");
    assert_eq!(sources.text_at(loc), comment);
}
