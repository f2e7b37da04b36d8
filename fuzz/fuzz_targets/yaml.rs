//! YAML: the tree parser, then the app reader on a password-key and URL
//! canary followed by the input, and the Envoy and Istio readers on the
//! input itself (as hops of the same path).
#![no_main]
use libfuzzer_sys::fuzz_target;
use timeoutlint::parse::yaml;
use timeoutlint_fuzz::{File, check_case, my_cnf};

const MANIFEST: &str = "[[path]]\napp = \"app.yaml\"\ndb = \"my.cnf\"\n\n[[path.hop]]\nenvoy = \"mesh.yaml\"\nlistener = \"postgres\"\n\n[[path.hop]]\nistio = \"mesh.yaml\"\n";

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = yaml::parse_yaml_documents(&text);
    if let Ok(node) = yaml::parse_yaml(&text) {
        node.walk(&mut |_, n| {
            let _ = n.type_name();
        });
    }
    check_case(
        &|canary| -> Vec<File> {
            let mut app = format!(
                "password: {canary}\ndatabase_url: \"mysql://app:{canary}@db:3306/orders\"\n"
            )
            .into_bytes();
            app.extend_from_slice(data);
            vec![
                ("timeoutlint.toml", MANIFEST.into()),
                ("app.yaml", app),
                ("mesh.yaml", data.to_vec()),
                ("my.cnf", my_cnf(canary)),
            ]
        },
        "timeoutlint.toml",
    );
});
