//! Telling a PostgreSQL config or dump from other files.

use super::{BaseUnit, ParsedInt, parse_int};
use crate::parse::pgconf::{self, Item};

/// Known PostgreSQL parameter names used by [`looks_like_postgres`].
const KNOWN_NAMES: &[&str] = &[
    "listen_addresses",
    "port",
    "max_connections",
    "superuser_reserved_connections",
    "reserved_connections",
    "unix_socket_directories",
    "shared_buffers",
    "work_mem",
    "maintenance_work_mem",
    "effective_cache_size",
    "huge_pages",
    "temp_buffers",
    "dynamic_shared_memory_type",
    "wal_level",
    "wal_buffers",
    "max_wal_size",
    "min_wal_size",
    "max_wal_senders",
    "wal_keep_size",
    "synchronous_commit",
    "checkpoint_timeout",
    "checkpoint_completion_target",
    "archive_mode",
    "archive_command",
    "hot_standby",
    "primary_conninfo",
    "random_page_cost",
    "seq_page_cost",
    "effective_io_concurrency",
    "default_statistics_target",
    "max_worker_processes",
    "max_parallel_workers",
    "max_parallel_workers_per_gather",
    "log_destination",
    "logging_collector",
    "log_directory",
    "log_filename",
    "log_line_prefix",
    "log_timezone",
    "log_statement",
    "log_min_duration_statement",
    "datestyle",
    "timezone",
    "lc_messages",
    "lc_monetary",
    "lc_numeric",
    "lc_time",
    "default_text_search_config",
    "shared_preload_libraries",
    "password_encryption",
    "hba_file",
    "ident_file",
    "data_directory",
    "autovacuum",
    "idle_session_timeout",
    "idle_in_transaction_session_timeout",
    "statement_timeout",
    "lock_timeout",
    "transaction_timeout",
    "tcp_keepalives_idle",
    "tcp_keepalives_interval",
    "tcp_keepalives_count",
    "tcp_user_timeout",
    "client_connection_check_interval",
];

/// True when `text` looks like a PostgreSQL config or dump rather than a MySQL
/// option file (used to tell what `db = "..."` names).
///
/// True for a `SHOW ALL` / `pg_settings` dump, and for postgresql.conf-like
/// text: no `[group]` line, not a `mysqld --verbose --help` dump, at most
/// half of the lines syntax errors, and at least one known PostgreSQL parameter
/// (`shared_buffers`, `listen_addresses`, `max_wal_size`, ...), an
/// `include*` directive, or a `*_timeout` with a PostgreSQL time unit
/// (`30s`, `5min`). False for MySQL option files and sysctl files.
pub fn looks_like_postgres(text: &str) -> bool {
    if pgconf::lex_dump(text).is_some() {
        return true;
    }
    if text.lines().any(|l| l.trim_start().starts_with('['))
        || crate::parse::mycnf::lex_help_variables(text).is_some()
    {
        return false;
    }
    let items = pgconf::lex(text);
    let errors = items
        .iter()
        .filter(|i| matches!(i, Item::Error { .. }))
        .count();
    // Mostly valid postgresql.conf lines, at least one of them telling.
    errors * 2 <= items.len()
        && items.iter().any(|item| match item {
            Item::Include { .. } => true,
            Item::Setting { name, value, .. } => {
                KNOWN_NAMES.contains(&name.as_str())
                    || (name.ends_with("_timeout")
                        && matches!(
                            parse_int(&value.text, BaseUnit::Milliseconds),
                            Ok(ParsedInt { unit: Some(_), .. })
                        ))
            }
            Item::Error { .. } => false,
        })
}
