//! nginx.conf: the tokenizer and parser, then the nginx stream loader (as a
//! hop resolving the input's first `listen` value) between an app file and a
//! my.cnf that hold the canary (nginx stream configs keep no secrets).
#![no_main]
use libfuzzer_sys::fuzz_target;
use timeoutlint::parse::nginx;
use timeoutlint::systems::nginx::{listen_matches, parse_time_ms};
use timeoutlint_fuzz::{File, app_yaml, check_case, first_name_after, my_cnf};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = nginx::tokenize(&text);
    let _ = nginx::parse(&text);
    for w in text.split_whitespace().take(64) {
        let _ = parse_time_ms(w);
        let _ = listen_matches("3306", w);
    }
    let listen = first_name_after(&text, "listen").unwrap_or_else(|| "3306".to_string());
    let manifest = format!(
        "[[path]]\napp = \"app.yaml\"\ndb = \"my.cnf\"\n\n[[path.hop]]\nnginx = \"nginx.conf\"\nserver = \"{listen}\"\n"
    );
    check_case(
        &|canary| -> Vec<File> {
            vec![
                ("timeoutlint.toml", manifest.clone().into_bytes()),
                ("app.yaml", app_yaml(canary)),
                ("my.cnf", my_cnf(canary)),
                ("nginx.conf", data.to_vec()),
            ]
        },
        "timeoutlint.toml",
    );
});
