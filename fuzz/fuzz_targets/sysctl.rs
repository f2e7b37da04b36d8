//! sysctl files and `sysctl -a` dumps: the sysctl parser, then the kernel
//! loader on the input as both hosts' sysctl file of a path whose app file
//! and my.cnf hold the canary.
#![no_main]
use libfuzzer_sys::fuzz_target;
use timeoutlint::parse::sysctl;
use timeoutlint_fuzz::{File, app_yaml, check_case, my_cnf};

const MANIFEST: &str = "[[path]]\napp = \"app.yaml\"\napp_sysctl = \"sysctl.conf\"\ndb = \"my.cnf\"\ndb_sysctl = \"sysctl.conf\"\n";

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let parsed = sysctl::parse(&text);
    for a in &parsed.assignments {
        let _ = sysctl::canonical_key(&a.key);
    }
    let _ = sysctl::shorten(&text);
    check_case(
        &|canary| -> Vec<File> {
            vec![
                ("timeoutlint.toml", MANIFEST.into()),
                ("app.yaml", app_yaml(canary)),
                ("my.cnf", my_cnf(canary)),
                ("sysctl.conf", data.to_vec()),
            ]
        },
        "timeoutlint.toml",
    );
});
