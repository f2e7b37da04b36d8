//! nginx `stream` configuration: the `proxy_timeout` of one stream server.
//!
//! Syntax comes from [`crate::parse::nginx`]; this module decides what nginx
//! makes of it. Sources: DOMAIN.md section 8 and rules 9 and 27; nginx/nginx
//! `src/stream/ngx_stream_proxy_module.c` (directive table, merge defaults,
//! `ngx_stream_proxy_process`), `src/core/ngx_parse.c` (`ngx_parse_time`),
//! `src/core/ngx_conf_file.c` (`ngx_conf_set_msec_slot`, `ngx_conf_include`)
//! and https://nginx.org/en/docs/stream/ngx_stream_proxy_module.html.
//!
//! - `proxy_timeout` is allowed in `stream {}` and in `stream { server {} }`
//!   (`NGX_STREAM_MAIN_CONF|NGX_STREAM_SRV_CONF`). A server without its own
//!   value inherits the `stream {}` one wherever it is written in the block
//!   (nginx merges after reading the whole block); without either, the
//!   default is 10 minutes (`ngx_conf_merge_msec_value(..., 10 * 60000)`).
//! - It is "the timeout between two successive read or write operations on
//!   client or proxied server connections": one data-inactivity limit for
//!   the whole session, so both [`ProxyTimeouts::client_idle`](crate::systems::proxy::ProxyTimeouts::client_idle) and
//!   [`ProxyTimeouts::server_idle`](crate::systems::proxy::ProxyTimeouts::server_idle) are that value. TCP keepalive probes
//!   carry no data and never reset it (DOMAIN.md rule 9).
//! - `0` does not disable it: `ngx_stream_proxy_process` always calls
//!   `ngx_add_timer(c->write, pscf->timeout)`, so a zero timer fires on the
//!   next event-loop pass and the session ends at its first pause. It is kept
//!   as a zero limit, with a [`crate::rules::codes::INVALID_VALUE`] warning.
//! - Times are read like `ngx_conf_set_msec_slot` → `ngx_parse_time(value,
//!   0)`: whole numbers, each followed by a unit `w d h m s ms` in that
//!   order (`1h30m`, `1h 30m`), a number without a unit counts as seconds
//!   (`600` = 10 min), no fractions. `y` and `M` exist only for second-based
//!   directives (`ngx_parse_time(.., 1)`): `proxy_timeout 1M` is invalid.
//!   An invalid value is [`crate::rules::codes::INVALID_VALUE`] (nginx refuses to start)
//!   and is ignored; so is a second `proxy_timeout` in one block
//!   (`"is duplicate"`), the first one stays.
//! - `include` works in any block and splices the named files in place.
//!   Names with `*`, `?` or `[` are globs (sorted, matching nothing is fine;
//!   a leading `.` must be matched explicitly); other names must be readable
//!   ([`crate::rules::codes::INCLUDE_UNREADABLE`]). nginx resolves a relative name against
//!   its configuration prefix, the folder of the main file it was started
//!   with (`nginx -c`), not against the including file. The file given to
//!   [`load_nginx_stream`] is taken as that main file, so every relative
//!   include, also one written in an included file in a sub-folder, is
//!   resolved from the named file's folder, as nginx does (`include
//!   snippets/x.conf;` in `sites-enabled/a.conf` is `<conf>/snippets/x.conf`).
//!   Cycles, which nginx does not detect, and nesting beyond
//!   [`MAX_INCLUDE_DEPTH`] are reported and not followed.
//! - Listener matching: the requested `listen` value and each
//!   `listen` directive's first argument are split into address and port
//!   (`3306`, `10.0.0.1:3306`, `[::1]:3306`, `*:3306`, port ranges
//!   `3300-3310`). Ports must match; addresses match when equal (ignoring
//!   case) or when either side is a wildcard (none, `*`, `0.0.0.0`, `[::]`).
//!   `unix:` sockets and anything else must match as written. `listen ...
//!   udp` directives are skipped: a database session is TCP. The first
//!   matching server wins.
//! - `proxy_socket_keepalive` (default off) only sets SO_KEEPALIVE on the
//!   upstream socket; it does not extend `proxy_timeout` and is not modelled.
//!
//! The module is split by concern: `load` (reading and splicing includes
//! through [`crate::systems::include`]), `glob` (glob(3) for include
//! patterns), `time` (`ngx_parse_time`) and `lookup` (the block values and
//! the stream server a `listen` value names).

use std::time::Duration;

mod glob;
mod load;
mod lookup;
#[cfg(test)]
mod tests;
mod time;

pub use load::load_nginx_stream;
pub use lookup::listen_matches;
pub use time::{TimeError, parse_time_ms};

/// Include nesting followed at most (nginx has no limit of its own).
pub const MAX_INCLUDE_DEPTH: usize = 32;
/// Files read at most for one configuration (glob includes can be large).
const MAX_FILE_READS: usize = 2000;

/// Where the `proxy_timeout` default is documented.
pub const PROXY_TIMEOUT_SOURCE: &str =
    "https://nginx.org/en/docs/stream/ngx_stream_proxy_module.html#proxy_timeout";
/// The default `proxy_timeout`: 10 minutes.
pub const DEFAULT_PROXY_TIMEOUT: Duration = Duration::from_secs(600);
