//! TOML: the tree parser, then the app reader on a password-key and URL
//! canary followed by the input.
#![no_main]
use libfuzzer_sys::fuzz_target;
use timeoutlint::parse::toml;
use timeoutlint_fuzz::{File, check_case, my_cnf};

const MANIFEST: &str = "[[path]]\napp = \"app.toml\"\ndb = \"my.cnf\"\n";

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(node) = toml::parse_toml(&text) {
        node.walk(&mut |_, n| {
            let _ = n.type_name();
        });
    }
    check_case(
        &|canary| -> Vec<File> {
            let mut app = format!(
                "password = \"{canary}\"\ndatabase_url = \"mysql://app:{canary}@db:3306/orders\"\n"
            )
            .into_bytes();
            app.extend_from_slice(data);
            vec![
                ("timeoutlint.toml", MANIFEST.into()),
                ("app.toml", app),
                ("my.cnf", my_cnf(canary)),
            ]
        },
        "timeoutlint.toml",
    );
});
