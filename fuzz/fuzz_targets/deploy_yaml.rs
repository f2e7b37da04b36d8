//! Deployment YAML and JSON: the input as a compose file (server, app
//! environment, workers), a Kubernetes manifest (a PgBouncer hop), a Helm
//! values file and a CloudFormation template (an ALB hop's idle timeout),
//! with the canary as a password in the compose project's `.env`.
#![no_main]
use libfuzzer_sys::fuzz_target;
use timeoutlint_fuzz::{File, app_yaml, check_case};

const MANIFEST: &str = "[[path]]\napp = \"app.yaml\"\ndb = \"docker-compose.yml\"\nworkers = \"docker-compose.yml\"\n\n[[path.hop]]\npgbouncer = \"k8s/pool.yaml\"\n\n[[path.hop]]\npreset = \"aws-alb\"\nidle_timeout = \"stack.yaml\"\n\n[[path]]\nname = \"helm\"\napp = \"app.yaml\"\ndb = \"chart/values.yaml\"\n";

fuzz_target!(|data: &[u8]| {
    check_case(
        &|canary| -> Vec<File> {
            vec![
                ("timeoutlint.toml", MANIFEST.into()),
                ("app.yaml", app_yaml(canary)),
                (".env", format!("MYSQL_PASSWORD={canary}\n").into_bytes()),
                ("docker-compose.yml", data.to_vec()),
                ("k8s/pool.yaml", data.to_vec()),
                ("chart/values.yaml", data.to_vec()),
                ("stack.yaml", data.to_vec()),
            ]
        },
        "timeoutlint.toml",
    );
});
