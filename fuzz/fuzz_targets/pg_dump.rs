//! PostgreSQL dumps (`SHOW ALL` output, `pg_settings` CSV): the dump lexer,
//! then the PostgreSQL loader on the input as the database file of a path
//! whose app file holds the canary.
#![no_main]
use libfuzzer_sys::fuzz_target;
use timeoutlint::parse::pgconf;
use timeoutlint::systems::postgres;
use timeoutlint_fuzz::{File, app_yaml, check_case};

const MANIFEST: &str = "[[path]]\napp = \"app.yaml\"\ndb = \"postgresql-settings.csv\"\n";

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = pgconf::lex_dump(&text);
    let _ = postgres::looks_like_postgres(&text);
    check_case(
        &|canary| -> Vec<File> {
            vec![
                ("timeoutlint.toml", MANIFEST.into()),
                ("app.yaml", app_yaml(canary)),
                ("postgresql-settings.csv", data.to_vec()),
            ]
        },
        "timeoutlint.toml",
    );
});
