//! my.cnf: the option-file lexer, then the MySQL loader (via a manifest run)
//! on the input followed by a `[client]` password canary.
#![no_main]
use libfuzzer_sys::fuzz_target;
use timeoutlint::parse::mycnf;
use timeoutlint_fuzz::{File, app_yaml, check_case, join};

const MANIFEST: &str = "[[path]]\napp = \"app.yaml\"\ndb = \"my.cnf\"\n";

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = mycnf::lex(&text);
    let _ = mycnf::lex_help_variables(&text);
    let _ = mycnf::unquote_unescape(&text);
    check_case(
        &|canary| -> Vec<File> {
            vec![
                ("timeoutlint.toml", MANIFEST.into()),
                ("app.yaml", app_yaml(canary)),
                (
                    "my.cnf",
                    join(data, format!("[client]\npassword = {canary}\n").as_bytes()),
                ),
            ]
        },
        "timeoutlint.toml",
    );
});
