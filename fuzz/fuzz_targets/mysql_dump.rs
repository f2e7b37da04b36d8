//! MySQL server dumps (`SHOW VARIABLES` in its table, tab or vertical forms,
//! and `mysqld --verbose --help`): the dump lexers, then the MySQL loader on
//! the input as the database file of a path whose app file holds the canary.
#![no_main]
use libfuzzer_sys::fuzz_target;
use timeoutlint::parse::{mycnf, mysqldump};
use timeoutlint_fuzz::{File, app_yaml, check_case};

const MANIFEST: &str = "[[path]]\napp = \"app.yaml\"\ndb = \"dump.cnf\"\n";

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = mysqldump::lex_variables_dump(&text);
    let _ = mycnf::lex_help_variables(&text);
    for line in text.lines().take(64) {
        let _ = mysqldump::show_variables_scope(line);
    }
    check_case(
        &|canary| -> Vec<File> {
            vec![
                ("timeoutlint.toml", MANIFEST.into()),
                ("app.yaml", app_yaml(canary)),
                ("dump.cnf", data.to_vec()),
            ]
        },
        "timeoutlint.toml",
    );
});
