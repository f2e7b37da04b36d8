//! pgbouncer.ini: the lexer and connection-string lexer, then the PgBouncer
//! loader on the input followed by a `[databases]` entry whose password is
//! the canary, as a hop between an app and a PostgreSQL server.
#![no_main]
use libfuzzer_sys::fuzz_target;
use timeoutlint::parse::pgbouncer;
use timeoutlint_fuzz::{File, app_yaml, check_case, join};

const MANIFEST: &str = "[[path]]\napp = \"app.yaml\"\ndb = \"postgresql.conf\"\n\n[[path.hop]]\npgbouncer = \"pgbouncer.ini\"\n";

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = pgbouncer::lex(&text);
    for line in text.lines().take(64) {
        let _ = pgbouncer::lex_connstring(line, 0);
    }
    check_case(
        &|canary| -> Vec<File> {
            vec![
                ("timeoutlint.toml", MANIFEST.into()),
                ("app.yaml", app_yaml(canary)),
                ("postgresql.conf", b"idle_session_timeout = 0\n".to_vec()),
                (
                    "pgbouncer.ini",
                    join(
                        data,
                        format!("[databases]\nappdb = host=db user=app password={canary}\n")
                            .as_bytes(),
                    ),
                ),
            ]
        },
        "timeoutlint.toml",
    );
});
