//! One test per (rule, fixture): each fixture folder under
//! `tests/fixtures/rules/` is a manifest with its configs. The test asserts the
//! exact list of (rule, severity) found, and snapshots the gcc output.

use std::path::PathBuf;

use timeoutlint::report::gcc;
use timeoutlint::run::{RunOptions, run};

#[macro_use]
mod common;

fn check(case: &str) -> (Vec<(String, String)>, String) {
    common::check_fixture("rules", case)
}

case!(tl013_fires, "tl013-fires", [("TL013", "warning")]);
case!(tl014_fires, "tl014-fires", [("TL014", "warning")]);
case!(python_passes, "python-passes", []);
case!(tl017_fires, "tl017-fires", [("TL017", "info")]);
case!(tl017_passes, "tl017-passes", []);
case!(tl101_fires, "tl101-fires", [("TL101", "error")]);
case!(
    tl101_pre_ping_softens_to_warning,
    "tl101-pre-ping-warns",
    [("TL101", "warning")]
);
case!(tl101_passes, "tl101-passes", []);
// init_command `SET SESSION wait_timeout = 600` is the idle limit of that
// pool's sessions, whatever my.cnf says; the finding points into the string.
case!(
    tl101_init_command_fires,
    "tl101-init-command-fires",
    [("TL101", "error")]
);
case!(tl101_init_command_passes, "tl101-init-command-passes", []);
// A SQLAlchemy `connect` event that runs `SET SESSION wait_timeout = 600`
// on every new connection of the engine's pool.
case!(
    tl101_connect_event_fires,
    "tl101-connect-event-fires",
    [("TL101", "error")]
);
case!(tl101_connect_event_passes, "tl101-connect-event-passes", []);
// The server's wait_timeout is a Terraform variable's default (an RDS
// parameter group); its max_connections is an RDS formula, which is TL015.
case!(
    tl101_terraform_fires,
    "tl101-terraform-fires",
    [("TL101", "error"), ("TL015", "info")]
);
case!(
    tl101_tiny_wait_timeout_fires,
    "tl101-tiny-wait-timeout-fires",
    [("TL101", "error")]
);

/// Under a 1 s wait_timeout no pool_recycle fits: the help says to raise
/// the idle limit instead of suggesting a pool_recycle that fires again.
#[test]
fn tl101_help_never_suggests_a_value_that_fires_again() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/rules/tl101-tiny-wait-timeout-fires");
    let out = run(&[dir], &RunOptions::default());
    let help = out.diagnostics[0].help.clone().unwrap_or_default();
    assert!(
        help.starts_with("no pool_recycle fits below an idle timeout of 1 s: raise wait_timeout"),
        "{help}"
    );
    assert!(!help.contains("pool_recycle = 1"), "{help}");
}
// pool_pre_ping through a silently dropping hop: with a read_timeout the
// ping stalls up to it and recovers (a warning); without one it hangs until
// TCP gives up, so validation softens nothing (an error, and TL126).
case!(
    tl103_pre_ping_stalls_warns,
    "tl103-pre-ping-stalls-warns",
    [("TL103", "warning")]
);
case!(
    tl103_pre_ping_hangs_fires,
    "tl103-pre-ping-hangs-fires",
    [("TL126", "warning"), ("TL103", "error")]
);

/// The softened finding says how long the ping stalls and where the bound
/// is set; the unsoftened one says the ping hangs until tcp_retries2.
#[test]
fn pre_ping_through_a_silent_drop_names_the_stall() {
    let fixture = |case: &str| {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/rules")
            .join(case);
        run(&[dir], &RunOptions::default())
            .diagnostics
            .into_iter()
            .find(|d| d.code.id == "TL103")
            .expect("TL103")
    };
    let stalls = fixture("tl103-pre-ping-stalls-warns");
    let help = stalls.help.clone().unwrap_or_default();
    assert!(
        help.contains("the ping itself stalls up to read_timeout = 30 s (")
            && help.contains("tl103-pre-ping-stalls-warns/app.yaml:6)"),
        "{help}"
    );
    assert!(
        stalls
            .message
            .ends_with("pool_pre_ping = true turns it into a reconnect")
    );
    let hangs = fixture("tl103-pre-ping-hangs-fires");
    let help = hangs.help.clone().unwrap_or_default();
    assert!(
        help.contains("with no read_timeout the ping itself hangs until TCP gives up retransmitting, about 924.6 s with tcp_retries2 = 15"),
        "{help}"
    );
    assert!(
        hangs.message.ends_with("pool_pre_ping = true cannot help: with no read_timeout its ping hangs on the dropped flow"),
        "{}",
        hangs.message
    );
}
// airflow.cfg: Airflow's default pool_recycle 1800 against wait_timeout 600;
// its default pool_pre_ping True softens it to a warning.
case!(
    tl101_airflow_default_recycle_fires,
    "tl101-airflow-fires",
    [("TL101", "warning")]
);
case!(tl101_airflow_passes, "tl101-airflow-passes", []);
// superset_config.py: Superset's Flask-SQLAlchemy 2.5.1 recycles MySQL
// connections at 7200 s, past wait_timeout 3600; the twin sets pool_recycle.
case!(
    tl101_superset_implicit_recycle_fires,
    "tl101-superset-fires",
    [("TL101", "error")]
);
case!(tl101_superset_passes, "tl101-superset-passes", []);
case!(
    tl101_airflow_env_override_passes,
    "tl101-airflow-env-passes",
    []
);
case!(
    tl101_flask_implicit_recycle,
    "tl101-flask-implicit",
    [("TL101", "error")]
);
// NullPool: no TL101; its connection count is the app's concurrency (TL123 info).
case!(
    tl101_nullpool_keeps_nothing_idle,
    "tl101-nullpool-passes",
    [("TL123", "info")]
);
case!(
    tl101_queuepool_twin_of_nullpool,
    "tl101-queuepool-fires",
    [("TL101", "error")]
);
case!(
    tl101_staticpool_connection_lives_forever,
    "tl101-staticpool-fires",
    [("TL101", "error")]
);
case!(
    tl101_python_nullpool_passes,
    "tl101-python-nullpool-passes",
    [("TL123", "info")]
);
// Issue 10: options from `**dicts` (built with update() and dict()) are read:
// pool_recycle 3600 against wait_timeout 600, softened by pool_pre_ping;
// its twin recycles at 540.
case!(
    tl101_python_kwargs_spread_fires,
    "tl101-python-kwargs-fires",
    [("TL101", "warning")]
);
case!(
    tl101_python_kwargs_spread_passes,
    "tl101-python-kwargs-passes",
    []
);
case!(tl102_fires, "tl102-fires", [("TL102", "error")]);
case!(
    tl006_wrapper_engine_names_the_manifest_key,
    "tl006-wrapper-engine-fires",
    [("TL006", "warning")]
);
case!(
    tl102_manifest_backend_enables_server_rules,
    "tl102-manifest-backend-fires",
    [("TL102", "error")]
);
case!(
    tl102_health_checks_soften,
    "tl102-health-checks-warns",
    [("TL102", "warning")]
);
case!(tl102_passes, "tl102-passes", []);
case!(
    tl102_compliant_alias_before_failing_one,
    "tl102-second-alias-fires",
    [("TL102", "error")]
);
case!(
    tl103_fires_with_server_zombies,
    "tl103-fires",
    [
        ("TL126", "warning"),
        ("TL103", "error"),
        ("TL106", "warning")
    ]
);
case!(tl103_kept_alive_by_keepalive, "tl103-kept-alive", []);
// The lab's firewall (conntrack forgets a flow idle 5 s): the pool keeps
// connections 60 s. MariaDB's own tcp_keepalive_time = 2 on the server alone
// keeps the flow open; on MySQL the variable does not exist (TL002 warning)
// and the hop still kills.
case!(
    tl103_server_keepalive_fires,
    "tl103-server-keepalive-fires",
    [("TL103", "error"), ("TL106", "warning")]
);
case!(
    tl103_server_keepalive_passes,
    "tl103-server-keepalive-passes",
    []
);
// Behind PgBouncer in session mode the app's connection keeps its server
// connection, whose flow crosses the NAT: the app's retirement meets the
// NAT's idle timeout. In transaction mode PgBouncer's own 60 s idle limit
// closes the server connection first.
case!(
    tl103_pgbouncer_session_hop_fires,
    "tl103-pgbouncer-session-hop-fires",
    [("TL103", "error")]
);
case!(
    tl103_pgbouncer_transaction_hop_passes,
    "tl103-pgbouncer-transaction-hop-passes",
    []
);
case!(
    tl103_mysql_keepalive_ignored,
    "tl103-mysql-keepalive-ignored",
    [
        ("TL103", "error"),
        ("TL106", "warning"),
        ("TL002", "warning")
    ]
);
case!(
    tl103_proxy_ignores_keepalive,
    "tl103-proxy-ignores-keepalive",
    [("TL103", "error")]
);
case!(tl104_fires, "tl104-fires", [("TL104", "warning")]);
// asyncpg never enables SO_KEEPALIVE; a per-session tcp_keepalives_idle in
// server_settings makes the server probe that pool's sessions, which keeps
// the NLB's flow alive (the session value replaces the server's).
case!(
    tl103_session_keepalive_fires,
    "tl103-session-keepalive-fires",
    [("TL126", "warning"), ("TL103", "error")]
);
case!(
    tl103_session_keepalive_passes,
    "tl103-session-keepalive-passes",
    []
);
// The NLB listener's idle timeout comes from Terraform (a local's value);
// the preset gives behaviour and range.
case!(
    tl103_terraform_nlb_fires,
    "tl103-terraform-nlb-fires",
    [("TL126", "warning"), ("TL103", "error")]
);
case!(tl103_terraform_nlb_passes, "tl103-terraform-nlb-passes", []);
// Deployment files as the server: a CloudFormation parameter group, an
// `aws rds describe-db-parameters` dump (both with an RDS formula, TL015),
// bitnami Helm values whose extraFlags override the embedded my.cnf
// (TL016), and a CloudNativePG Cluster behind its Pooler (TL109).
case!(
    tl101_cloudformation_fires,
    "tl101-cloudformation-fires",
    [("TL101", "error"), ("TL015", "info")]
);
case!(
    tl101_aws_cli_dump_fires,
    "tl101-aws-cli-dump-fires",
    [("TL101", "error"), ("TL015", "info")]
);
case!(tl016_helm_fires, "tl016-helm-fires", [("TL016", "warning")]);
// The Pooler's `poolMode: transaction` is read as pool_mode: PgBouncer
// replaces a server connection the server closed, so TL109 is a note.
case!(tl109_cnpg_fires, "tl109-cnpg-fires", [("TL109", "info")]);
// Their fixed twins. A real `describe-db-parameters` dump keeps RDS's
// max_connections formula: TL015 stays, as information.
case!(
    tl101_cloudformation_passes,
    "tl101-cloudformation-passes",
    []
);
case!(
    tl101_aws_cli_dump_passes,
    "tl101-aws-cli-dump-passes",
    [("TL015", "info")]
);
case!(tl016_helm_passes, "tl016-helm-passes", []);
// A compose --wait_timeout flag and the my.cnf the same service mounts.
case!(
    tl016_compose_mount_fires,
    "tl016-compose-mount-fires",
    [("TL016", "warning")]
);
case!(tl109_cnpg_passes, "tl109-cnpg-passes", []);
case!(tl101_terraform_passes, "tl101-terraform-passes", []);
// docker compose: the server's --wait_timeout flag, the app's environment
// and gunicorn's --workers / --timeout all from compose.yaml (the password
// from .env, masked).
case!(
    tl101_compose_fires,
    "tl101-compose-fires",
    [("TL125", "warning"), ("TL101", "error")]
);
case!(tl101_compose_passes, "tl101-compose-passes", []);
// gunicorn.conf.py read by the Python evaluator: workers (with its
// WEB_CONCURRENCY default), threads and the arbiter's timeout.
case!(
    tl125_gunicorn_conf_fires,
    "tl125-gunicorn-conf-fires",
    [("TL125", "warning")]
);
case!(tl125_gunicorn_conf_passes, "tl125-gunicorn-conf-passes", []);
// PgBouncer configured by the edoburu image's environment (compose
// `environment:` and `env_file:`), the server by `postgres -c` flags.
case!(compose_pgbouncer_passes, "compose-pgbouncer-passes", []);
case!(tl105_fires, "tl105-fires", [("TL105", "warning")]);
case!(tl105_passes, "tl105-passes", []);
case!(tl106_fires, "tl106-fires", [("TL106", "warning")]);
case!(tl106_reset_hop_passes, "tl106-reset-passes", []);
case!(tl107_fires, "tl107-fires", [("TL107", "warning")]);
case!(
    tl108_fires,
    "tl108-fires",
    [
        ("TL101", "error"),
        ("TL108", "warning"),
        ("TL108", "warning")
    ]
);
case!(tl006_fires, "tl006-fires", [("TL006", "warning")]);
case!(tl109_fires, "tl109-fires", [("TL109", "warning")]);
case!(tl109_passes, "tl109-passes", []);
case!(tl111_fires, "tl111-fires", [("TL111", "warning")]);
case!(tl111_passes, "tl111-passes", []);
case!(tl117_fires, "tl117-fires", [("TL117", "info")]);
case!(tl119_fires, "tl119-fires", [("TL119", "error")]);
case!(tl119_passes, "tl119-passes", []);
// PgBouncer in session mode links the app's connection to one server
// connection for its whole life: the app's retirement meets the server's
// idle_session_timeout across PgBouncer (the lab: "received 2 results from
// command 'BEGIN'", and server_idle_timeout did not help).
case!(
    tl119_pgbouncer_session_fires,
    "tl119-pgbouncer-session-fires",
    [("TL119", "error")]
);
case!(
    tl119_pgbouncer_session_passes,
    "tl119-pgbouncer-session-passes",
    []
);
// The database the app's URL names overrides the global transaction mode
// with pool_mode=session; the user's [users] pool_mode=transaction
// overrides that again.
case!(
    tl119_pgbouncer_database_session_fires,
    "tl119-pgbouncer-database-session-fires",
    [("TL119", "error")]
);
case!(
    tl119_pgbouncer_user_transaction_passes,
    "tl119-pgbouncer-user-transaction-passes",
    []
);
// In transaction mode PgBouncer replaces a server connection the server
// closed without the client noticing (the lab: "server conn crashed?", no
// app error): TL109 is only a note about reconnect churn.
case!(
    tl109_transaction_mode_info,
    "tl109-transaction-mode-info",
    [("TL109", "info")]
);
case!(
    tl105_asyncpg_fires,
    "tl105-asyncpg-fires",
    [("TL105", "warning")]
);
case!(tl112_passes, "tl112-passes", []);
case!(tl115_passes, "tl115-passes", []);
case!(tl117_passes, "tl117-passes", []);
case!(
    tl109_min_pool_size_spares_connections,
    "tl109-min-pool-size-fires",
    [("TL109", "warning")]
);
case!(tl110_fires, "tl110-fires", [("TL110", "error")]);
case!(tl110_passes, "tl110-passes", []);
case!(tl112_fires, "tl112-fires", [("TL112", "error")]);
case!(
    tl112_asyncpg_server_settings,
    "tl112-asyncpg-fires",
    [("TL112", "error")]
);
case!(tl113_fires, "tl113-fires", [("TL113", "warning")]);
case!(tl114_fires, "tl114-fires", [("TL114", "error")]);
case!(tl114_passes, "tl114-passes", []);
case!(tl115_fires, "tl115-fires", [("TL115", "error")]);
case!(
    tl116_fires,
    "tl116-fires",
    [("TL126", "warning"), ("TL116", "warning")]
);
case!(
    tl116_passes_but_tl126_fires,
    "tl116-passes",
    [("TL126", "warning")]
);
case!(tl123_one_replica_over, "tl123-fires", [("TL123", "error")]);
case!(tl123_fleet_within_budget, "tl123-passes", []);
// Django opens one connection per thread: 4 processes × 16 threads = 64; the
// SQLAlchemy pool is shared by its threads and stays at 10 (74 > 47).
case!(
    tl123_django_threads_fire,
    "tl123-django-threads-fires",
    [("TL123", "error")]
);
// The fixed twin: 8 threads (32 + 10 = 42 of 47).
case!(
    tl123_django_threads_passes,
    "tl123-django-threads-passes",
    []
);
case!(
    tl123_unbounded_pool,
    "tl123-unbounded",
    [("TL123", "error")]
);
case!(
    tl123_nullpool_is_an_info,
    "tl123-nullpool-info",
    [("TL123", "info")]
);
case!(
    tl123_pgbouncer_max_client_conn,
    "tl123-pgbouncer",
    [("TL123", "error")]
);
case!(tl124_fires, "tl124-fires", [("TL124", "error")]);
case!(tl124_passes, "tl124-passes", []);
// HAProxy `timeout server 5m` ends a 535 s statement that sends no data.
case!(
    tl124_haproxy_fires,
    "tl124-haproxy-fires",
    [("TL124", "error")]
);
// `timeout tunnel 1h` supersedes `timeout server` on an established session.
case!(
    tl124_haproxy_tunnel_passes,
    "tl124-haproxy-tunnel-passes",
    []
);
// nginx stream's default proxy_timeout (10 min) against a 15 min statement.
case!(
    tl124_nginx_default_fires,
    "tl124-nginx-default-fires",
    [("TL124", "error")]
);
// Keepalive refreshes the NAT while the statement runs; RDS Proxy counts a
// running statement as activity.
case!(tl124_kept_alive_passes, "tl124-kept-alive-passes", []);
case!(tl125_fires, "tl125-fires", [("TL125", "warning")]);
case!(
    tl125_pool_wait_alone,
    "tl125-pool-wait-fires",
    [("TL125", "warning")]
);
case!(tl125_passes, "tl125-passes", []);
case!(tl126_passes_with_read_timeout, "tl126-passes", []);
// A SQLAlchemy connection held by a request is idle in a transaction:
// idle_in_transaction_session_timeout 30 s against a 60 s request deadline,
// whatever pool_recycle and pool_pre_ping say.
case!(tl127_fires, "tl127-fires", [("TL127", "warning")]);
case!(tl127_passes, "tl127-passes", []);
// The deadline from gunicorn.conf.py `timeout`; MySQL wait_timeout applies
// to a held connection in or out of a transaction.
case!(
    tl127_mysql_workers_fires,
    "tl127-mysql-workers-fires",
    [("TL127", "warning")]
);
// PgBouncer idle_transaction_timeout disconnects a client idle in a
// transaction, in every pool mode.
case!(
    tl127_pgbouncer_fires,
    "tl127-pgbouncer-fires",
    [("TL127", "warning")]
);
// Django autocommit: a held connection between queries is outside a
// transaction, so idle_session_timeout applies (CONN_MAX_AGE 0: no TL119).
case!(
    tl127_django_idle_session_fires,
    "tl127-django-idle-session-fires",
    [("TL127", "warning")]
);
case!(
    tl008_out_of_range,
    "tl008-out-of-range",
    [("TL008", "error")]
);
case!(
    tl008_disputed_default_needs_a_value,
    "tl008-no-default",
    [("TL008", "error")]
);
case!(
    tl103_preset_fires,
    "tl103-preset-fires",
    [("TL103", "error"), ("TL106", "warning")]
);
case!(tl103_preset_kept_alive, "tl103-preset-passes", []);
case!(tl120_fires, "tl120-fires", [("TL120", "warning")]);
case!(tl120_passes, "tl120-passes", []);
case!(
    tl121_fires,
    "tl121-fires",
    [("TL103", "error"), ("TL121", "warning")]
);
case!(tl122_fires, "tl122-fires", [("TL122", "error")]);
case!(
    tl103_nginx_stream_default,
    "tl103-nginx-fires",
    [("TL103", "error")]
);
case!(
    tl120_envoy_idle_timeout_disabled,
    "tl120-envoy-fires",
    [("TL120", "warning")]
);
case!(tl103_istio_passes, "tl103-istio-passes", []);
case!(
    tl102_rests_on_an_environment_default,
    "tl102-env-default-fires",
    [("TL102", "error")]
);
case!(
    tl102_deploy_time_value_from_manifest_env,
    "tl102-env-value-passes",
    []
);
case!(
    tl103_nat_behind_a_proxy_is_not_kept_alive_by_the_app,
    "tl103-behind-proxy-fires",
    [("TL103", "error"), ("TL106", "warning")]
);
case!(tl118_fires, "tl118-fires", [("TL118", "info")]);
case!(
    tl118_session_dump,
    "tl118-session-dump",
    [("TL118", "info")]
);
case!(
    bad_app_yaml_still_checks_the_rest,
    "bad-app-yaml",
    [("TL001", "error"), ("TL106", "warning")]
);
case!(
    bad_mycnf_still_checks_the_rest,
    "bad-mycnf",
    [("TL101", "error"), ("TL001", "error"), ("TL002", "error")]
);

#[test]
fn passwords_never_reach_any_output() {
    for case in ["tl101-fires", "tl102-fires", "tl106-fires", "tl110-fires"] {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/rules")
            .join(case);
        let outcome = run(&[dir], &RunOptions::default());
        let d = &outcome.diagnostics;
        let s = &outcome.sources;
        let all = [
            gcc::render(d, &[], s),
            timeoutlint::report::json::render(d, &[], s),
            timeoutlint::report::human::render(d, &[], s, timeoutlint::report::human::Color::Never),
        ]
        .concat();
        for secret in ["hunter2", "p@ss:word", "client-secret", "bouncer-secret"] {
            assert!(!all.contains(secret), "{case} leaks {secret}:\n{all}");
        }
        for (_, f) in s.files() {
            for secret in ["hunter2", "p@ss:word", "client-secret", "bouncer-secret"] {
                assert!(
                    !f.masked_text().contains(secret),
                    "{} keeps {secret}",
                    f.name()
                );
            }
        }
    }
}

/// For every rule, a fixture where it must not fire (its passing fixture;
/// input-problem codes use a clean fixture). `tests/catalogue.rs` checks that
/// every code is listed here.
const PASSING: &[(&str, &str)] = &[
    ("TL001", "tl101-passes"),
    ("TL002", "tl101-passes"),
    ("TL003", "tl101-passes"),
    ("TL004", "tl101-passes"),
    ("TL005", "tl103-kept-alive"),
    ("TL006", "tl101-passes"),
    ("TL007", "tl119-passes"),
    ("TL008", "tl103-preset-fires"),
    ("TL009", "tl101-passes"),
    ("TL010", "tl101-passes"),
    ("TL011", "tl101-passes"),
    ("TL012", "python-passes"),
    ("TL013", "python-passes"),
    ("TL014", "python-passes"),
    ("TL015", "tl101-terraform-passes"),
    ("TL016", "tl016-helm-passes"),
    ("TL017", "tl017-passes"),
    ("TL101", "tl101-passes"),
    ("TL102", "tl102-passes"),
    ("TL103", "tl103-kept-alive"),
    ("TL104", "tl101-passes"),
    ("TL105", "tl105-passes"),
    ("TL106", "tl106-reset-passes"),
    ("TL107", "tl101-passes"),
    ("TL108", "tl101-flask-implicit"),
    ("TL109", "tl109-passes"),
    ("TL110", "tl110-passes"),
    ("TL111", "tl111-passes"),
    ("TL112", "tl112-passes"),
    ("TL113", "tl112-passes"),
    ("TL114", "tl114-passes"),
    ("TL115", "tl115-passes"),
    ("TL116", "tl116-passes"),
    ("TL117", "tl117-passes"),
    ("TL118", "tl101-passes"),
    ("TL119", "tl119-passes"),
    ("TL120", "tl120-passes"),
    ("TL121", "tl120-passes"),
    ("TL122", "tl120-passes"),
    ("TL123", "tl123-passes"),
    ("TL124", "tl124-passes"),
    ("TL125", "tl125-passes"),
    ("TL126", "tl126-passes"),
    ("TL127", "tl127-passes"),
];

#[test]
fn every_rule_has_a_fixture_where_it_does_not_fire() {
    for (code, case) in PASSING {
        let (found, text) = check(case);
        assert!(
            found.iter().all(|(id, _)| id != code),
            "{code} fires on its passing fixture {case}:\n{text}"
        );
    }
}

/// Messages follow one style (clippy's): no trailing period, and a lower-case
/// start unless the first word is a proper noun or an identifier.
#[test]
fn messages_follow_one_style() {
    const PROPER: &[&str] = &[
        "PgBouncer",
        "PostgreSQL",
        "MySQL",
        "Django",
        "Django's",
        "Envoy",
        "HAProxy",
        "SQLAlchemy",
        "Flask-SQLAlchemy",
        "Linux",
        "PyMySQL",
    ];
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    dirs.sort();
    for dir in dirs {
        let outcome = run(std::slice::from_ref(&dir), &RunOptions::default());
        for d in &outcome.diagnostics {
            let m = &d.message;
            assert!(!m.ends_with('.'), "{}: trailing period: {m}", dir.display());
            let first = m.split_whitespace().next().unwrap_or("");
            let identifier = first
                .chars()
                .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit());
            let ok = first.starts_with(|c: char| !c.is_uppercase())
                || identifier
                || PROPER.contains(&first);
            assert!(ok, "{}: message starts with a capital: {m}", dir.display());
        }
    }
}

/// A finding every variant of a settings file has is said once, without a
/// condition; one that only some variants have keeps its condition and says
/// how many variants share it.
#[test]
fn findings_shared_by_variants_are_said_once() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
    write("my.cnf", "[mysqld]\nwait_timeout = 600\n");
    write(
        "timeoutlint.toml",
        "[[path]]\napp = \"db.py\"\ndb = \"my.cnf\"\n",
    );
    write(
        "db.py",
        "import os\nfrom sqlalchemy import create_engine\n\nif os.getenv(\"BIG\") == \"1\":\n    SIZE = 20\nelse:\n    SIZE = 5\n\nif os.getenv(\"REGION\") == \"eu\":\n    MAX = 5\nelif os.getenv(\"REGION\") == \"us\":\n    MAX = 10\nelse:\n    MAX = 15\n\nengine = create_engine(\n    \"mysql+pymysql://app@db/orders\",\n    pool_size=SIZE,\n    max_overflow=MAX,\n    pool_recycle=3600,\n)\n",
    );
    let out = run(&[dir.path().to_path_buf()], &RunOptions::default());
    let tl101: Vec<&str> = out
        .diagnostics
        .iter()
        .filter(|d| d.code.id == "TL101")
        .map(|d| d.message.as_str())
        .collect();
    assert!(out.paths.len() > 1, "the file has variants");
    assert_eq!(tl101.len(), 1, "{tl101:?}");
    assert!(!tl101[0].contains("only when"), "{}", tl101[0]);
    // pool_recycle too long only when BIG: the finding keeps that condition
    // and counts the other variant that has it (REGION splits it in three).
    write(
        "db.py",
        "import os\nfrom sqlalchemy import create_engine\n\nif os.getenv(\"BIG\") == \"1\":\n    RECYCLE = 3600\nelse:\n    RECYCLE = 300\n\nif os.getenv(\"REGION\") == \"eu\":\n    MAX = 5\nelse:\n    MAX = 15\n\nengine = create_engine(\n    \"mysql+pymysql://app@db/orders\",\n    max_overflow=MAX,\n    pool_recycle=RECYCLE,\n)\n",
    );
    let out = run(&[dir.path().to_path_buf()], &RunOptions::default());
    let tl101: Vec<&str> = out
        .diagnostics
        .iter()
        .filter(|d| d.code.id == "TL101")
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(tl101.len(), 1, "{tl101:?}");
    assert!(
        tl101[0].contains("only when os.getenv(\"BIG\") == \"1\""),
        "{}",
        tl101[0]
    );
    assert!(
        tl101[0].ends_with("; and in 1 other variant)"),
        "{}",
        tl101[0]
    );
}
