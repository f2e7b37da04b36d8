//! postgresql.conf: the lexer and de-escaper, then the PostgreSQL loader on
//! the input followed by a `primary_conninfo` whose password is the canary.
#![no_main]
use libfuzzer_sys::fuzz_target;
use timeoutlint::parse::pgconf;
use timeoutlint_fuzz::{File, app_yaml, check_case, join};

const MANIFEST: &str = "[[path]]\napp = \"app.yaml\"\ndb = \"postgresql.conf\"\n";

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = pgconf::lex(&text);
    let _ = pgconf::deescape(&text);
    check_case(
        &|canary| -> Vec<File> {
            vec![
                ("timeoutlint.toml", MANIFEST.into()),
                ("app.yaml", app_yaml(canary)),
                (
                    "postgresql.conf",
                    join(
                        data,
                        format!("primary_conninfo = 'host=primary user=rep password={canary}'\n")
                            .as_bytes(),
                    ),
                ),
            ]
        },
        "timeoutlint.toml",
    );
});
