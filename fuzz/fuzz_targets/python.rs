//! Python settings (Django, Flask, SQLAlchemy): the Python reader, via a
//! manifest run, on a `DATABASE_URL` canary followed by the input.
#![no_main]
use libfuzzer_sys::fuzz_target;
use timeoutlint::systems::app::url;
use timeoutlint_fuzz::{File, check_case, my_cnf};

const MANIFEST: &str = "[[path]]\napp = \"settings.py\"\ndb = \"my.cnf\"\n";

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for w in text
        .split(['"', '\'', ' ', '\n'])
        .filter(|w| w.contains("://"))
        .take(16)
    {
        let _ = url::parse_db_url(w);
        let _ = url::secret_ranges(w);
    }
    check_case(
        &|canary| -> Vec<File> {
            let mut py = format!(
                "DATABASE_URL = \"mysql://app:{canary}@db:3306/orders\"\nPASSWORD = '{canary}'\n"
            )
            .into_bytes();
            py.extend_from_slice(data);
            vec![
                ("timeoutlint.toml", MANIFEST.into()),
                ("settings.py", py),
                ("my.cnf", my_cnf(canary)),
            ]
        },
        "timeoutlint.toml",
    );
});
