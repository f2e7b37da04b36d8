//! Terraform: the adapter on the input as a module's `main.tf`, beside a
//! `variables.tf` whose password default is the canary, named as the
//! database server and as an NLB hop's idle timeout (so reference
//! resolution, candidate picking and the doors all run).
#![no_main]
use libfuzzer_sys::fuzz_target;
use timeoutlint_fuzz::{File, app_yaml, check_case};

const MANIFEST: &str = "[[path]]\napp = \"app.yaml\"\ndb = \"infra/main.tf\"\n\n[[path.hop]]\npreset = \"aws-nlb\"\nidle_timeout = \"infra/main.tf\"\n";

fuzz_target!(|data: &[u8]| {
    check_case(
        &|canary| -> Vec<File> {
            vec![
                ("timeoutlint.toml", MANIFEST.into()),
                ("app.yaml", app_yaml(canary)),
                ("infra/main.tf", data.to_vec()),
                (
                    "infra/variables.tf",
                    format!(
                        "variable \"db_password\" {{\n  default = \"{canary}\"\n}}\nvariable \"wait\" {{\n  default = 600\n}}\n"
                    )
                    .into_bytes(),
                ),
            ]
        },
        "timeoutlint.toml",
    );
});
