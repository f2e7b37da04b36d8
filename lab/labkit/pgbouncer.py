"""PgBouncer, started from a scenario's `pgbouncer/pgbouncer.ini`.

The lab copies the ini into the scenario's temp dir and rewrites only what it
must own: in `[databases]`, each entry's `host=` / `port=` point at the
PostgreSQL server started before it (`scn.servers["postgres"]`); in
`[pgbouncer]`, `listen_addr`, `listen_port`, `unix_socket_dir`, `auth_file`
(a generated userlist with the lab's role), `logfile` and `pidfile` are
replaced, and `user` / `%include` lines are dropped. Every other setting
(`pool_mode`, `client_idle_timeout`, `server_idle_timeout`,
`ignore_startup_parameters`, `auth_type`, ...) is the scenario's, as
timeoutlint reads it.

Runs in the foreground (no `-d`) as the lab user, so the pid we hold is
PgBouncer's own; its log file is created and chowned first (PgBouncer exits
silently when it cannot open it, LAB.md). Stopped by pid (SIGTERM: immediate
shutdown).
"""

from __future__ import annotations

import re

from . import postgres, proc
from .scenario import Scenario, Server

PGBOUNCER = "/usr/sbin/pgbouncer"
PORT_SLOT = 2

OWNED = {"listen_addr", "listen_port", "unix_socket_dir", "auth_file", "logfile", "pidfile", "user"}

def available() -> str | None:
    """None when PgBouncer is installed, else why not."""
    return proc.installed(PGBOUNCER, "pgbouncer")


def version() -> str:
    """"PgBouncer 1.18.0" from the first line of `pgbouncer --version`."""
    return proc.version_of(
        [PGBOUNCER, "--version"],
        lambda out: out.splitlines()[0].strip() if out else "PgBouncer ?",
    )


def _set_kv(connstr: str, key: str, value: str) -> str:
    """Set `key=value` in a libpq-style connection string of a [databases] entry."""
    pat = re.compile(rf"(^|\s){key}\s*=\s*('[^']*'|\S+)")
    if pat.search(connstr):
        return pat.sub(lambda m: f"{m.group(1)}{key}={value}", connstr, count=1)
    return f"{connstr.strip()} {key}={value}".strip()


def rewrite_ini(text: str, up_host: str, up_port: int, owned: dict[str, str]) -> tuple[str, str | None]:
    """The scenario's ini with the lab's addresses and paths; returns (ini, first database alias)."""
    out: list[str] = []
    section = ""
    first_alias: str | None = None
    for line in text.splitlines():
        s = line.strip()
        if s.startswith("[") and s.endswith("]"):
            if section == "pgbouncer":
                out += [f"{k} = {v}" for k, v in owned.items()]
            section = s[1:-1].strip().lower()
            out.append(line)
            continue
        if s.lower().startswith("%include"):
            out.append(f"; lab: dropped {s}")
            continue
        if not s or s[0] in ";#" or "=" not in s:
            out.append(line)
            continue
        key, val = (x.strip() for x in s.split("=", 1))
        if section == "databases":
            first_alias = first_alias or key
            val = _set_kv(_set_kv(val, "host", up_host), "port", str(up_port))
            out.append(f"{key} = {val}")
        elif section == "pgbouncer" and key.lower() in OWNED:
            out.append(f"; lab: replaced {s}")
        else:
            out.append(line)
    if section == "pgbouncer":
        out += [f"{k} = {v}" for k, v in owned.items()]
    return "\n".join(out) + "\n", first_alias


def start(scn: Scenario, netns: str | None) -> Server:
    """Start PgBouncer in front of the scenario's PostgreSQL; returns when it listens."""
    why = available()
    if why:
        raise RuntimeError(why)
    src = scn.find("pgbouncer/pgbouncer.ini", "pool/pgbouncer.ini")
    if src is None:
        raise RuntimeError(f"{scn.dir}: no pgbouncer/pgbouncer.ini")
    up = scn.servers.get("postgres")
    if up is None:
        raise RuntimeError("pgbouncer needs a postgres server started before it (servers = [\"postgres\", \"pgbouncer\"])")
    base = postgres.own_dir(scn, "pgbouncer")
    host = postgres.host_for(scn, netns)
    port = scn.port(PORT_SLOT)
    log = base / "pgbouncer.log"
    log.touch()
    userlist = base / "userlist.txt"
    userlist.write_text(f'"{up.user}" "{up.password}"\n')
    ini, alias = rewrite_ini(
        src.read_text(),
        up.host,
        up.port,
        {
            "listen_addr": host,
            "listen_port": str(port),
            "unix_socket_dir": str(base),
            "auth_file": str(userlist),
            "logfile": str(log),
            "pidfile": str(base / "pgbouncer.pid"),
        },
    )
    conf = base / "pgbouncer.ini"
    conf.write_text(ini)
    postgres.chown_tree(base)
    p = proc.spawn(
        [PGBOUNCER, str(conf)],
        netns=netns,
        user=postgres.LAB_USER,
        log=None,  # it writes its own logfile (and the same lines to stderr)
        what=f"pgbouncer ({scn.name})",
    )
    srv = Server(
        kind="pgbouncer",
        pid=p.pid,
        host=host,
        port=port,
        version=version(),
        user=up.user,
        password=up.password,
        database=alias or up.database,
        log=log,
        extra={"ini": str(conf)},
    )
    try:

        def ready() -> bool:
            if p.poll() is not None:
                raise RuntimeError(f"pgbouncer exited {p.returncode}: {srv.log_tail(5)}")
            return "listening on" in log.read_text(errors="replace") and "process up" in log.read_text(errors="replace")

        proc.wait_for(ready, 15, "pgbouncer")
    except BaseException:
        srv.stop()
        raise
    return srv
