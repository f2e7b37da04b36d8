//! haproxy.cfg: the lexer, then the HAProxy loader (as a hop resolving the
//! first `listen`/`frontend` name of the input) on the input followed by a
//! `userlist` whose password is the canary.
#![no_main]
use libfuzzer_sys::fuzz_target;
use timeoutlint::parse::haproxy;
use timeoutlint::systems::haproxy::parse_time;
use timeoutlint_fuzz::{File, app_yaml, check_case, first_name_after, join, my_cnf};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = haproxy::lex(&text);
    for w in text.split_whitespace().take(64) {
        let _ = haproxy::is_section_keyword(w);
        let _ = parse_time(w);
    }
    let proxy = first_name_after(&text, "listen")
        .or_else(|| first_name_after(&text, "frontend"))
        .unwrap_or_else(|| "mysql".to_string());
    let manifest = format!(
        "[[path]]\napp = \"app.yaml\"\ndb = \"my.cnf\"\n\n[[path.hop]]\nhaproxy = \"haproxy.cfg\"\nproxy = \"{proxy}\"\n"
    );
    check_case(
        &|canary| -> Vec<File> {
            vec![
                ("timeoutlint.toml", manifest.clone().into_bytes()),
                ("app.yaml", app_yaml(canary)),
                ("my.cnf", my_cnf(canary)),
                (
                    "haproxy.cfg",
                    join(
                        data,
                        format!("userlist fuzz\n    user admin insecure-password {canary}\n")
                            .as_bytes(),
                    ),
                ),
            ]
        },
        "timeoutlint.toml",
    );
});
