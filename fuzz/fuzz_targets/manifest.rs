//! timeoutlint.toml: the manifest (with `[lint]` configuration) as the run's
//! entry, next to fixed companion files it may name (`app.yaml`, `app.toml`,
//! `settings.py`, `my.cnf`, `postgresql.conf`, `pgbouncer.ini`,
//! `haproxy.cfg`, `nginx.conf`, `envoy.yaml`, `istio.yaml`, `sysctl.conf`);
//! every file that can hold a secret holds the canary. Also `--hop` flags.
#![no_main]
use libfuzzer_sys::fuzz_target;
use timeoutlint::manifest::parse_hop_flag;
use timeoutlint_fuzz::{File, app_yaml, check_case, my_cnf};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for line in text.lines().take(16) {
        let _ = parse_hop_flag(line);
    }
    check_case(
        &|canary| -> Vec<File> {
            vec![
                ("timeoutlint.toml", data.to_vec()),
                ("app.yaml", app_yaml(canary)),
                (
                    "app.toml",
                    format!("[sqlalchemy]\nurl = \"mysql://app:{canary}@db/orders\"\npool_recycle = 3600\n").into_bytes(),
                ),
                (
                    "settings.py",
                    format!("DATABASES = {{'default': {{'ENGINE': 'django.db.backends.postgresql', 'PASSWORD': '{canary}', 'CONN_MAX_AGE': 600}}}}\n").into_bytes(),
                ),
                ("my.cnf", my_cnf(canary)),
                (
                    "postgresql.conf",
                    format!("idle_session_timeout = '10min'\nprimary_conninfo = 'host=p password={canary}'\n").into_bytes(),
                ),
                (
                    "pgbouncer.ini",
                    format!("[databases]\nappdb = host=db password={canary}\n[pgbouncer]\nserver_idle_timeout = 600\n").into_bytes(),
                ),
                (
                    "haproxy.cfg",
                    format!("defaults\n    timeout client 30s\n    timeout server 30s\nlisten mysql\n    bind :3306\n    server db db:3306\nuserlist u\n    user admin insecure-password {canary}\n").into_bytes(),
                ),
                (
                    "nginx.conf",
                    b"stream {\n    server {\n        listen 3306;\n        proxy_timeout 5m;\n        proxy_pass db:3306;\n    }\n}\n".to_vec(),
                ),
                (
                    "envoy.yaml",
                    b"static_resources:\n  listeners:\n  - name: postgres\n    filter_chains:\n    - filters:\n      - name: envoy.filters.network.tcp_proxy\n        typed_config:\n          idle_timeout: 300s\n".to_vec(),
                ),
                (
                    "istio.yaml",
                    b"apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  name: db\nspec:\n  trafficPolicy:\n    connectionPool:\n      tcp:\n        idleTimeout: 30m\n".to_vec(),
                ),
                ("sysctl.conf", b"net.ipv4.tcp_keepalive_time = 600\n".to_vec()),
            ]
        },
        "timeoutlint.toml",
    );
});
