"""PostgreSQL 15, started from a scenario's `db/postgresql.conf`.

`start(scn, netns)` copies a template datadir (one `initdb --no-sync` per
machine and version, `/tmp/tl-lab-postgres-template`) into the scenario's
temp dir, then
`postgres -D <datadir> -c config_file=<copy of the scenario's postgresql.conf>`
with command-line overrides for what the lab must own (`port`,
`listen_addresses`, `unix_socket_directories`, `fsync`, `logging_collector`;
a postgres `-c` beats postgresql.conf). Everything else, the timeouts under
test included, comes from the scenario's file, exactly as timeoutlint reads it.

PostgreSQL refuses to run as root, so it runs as the system user `labpg`
(created when missing). After start the module creates the role and database
the probe uses (`lab` / `lab`, a non-superuser, so that a fleet meets the
`superuser_reserved_connections` slots as a real app does). `pg_hba.conf` is
trust for every address: the lab's addresses exist only on loopback or in the
scenario's namespaces.

Stopped by pid: SIGINT (PostgreSQL's "fast" shutdown, which does not wait for
clients), then SIGTERM / SIGKILL to its process group.
"""

from __future__ import annotations

import fcntl
import os
import pwd
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from . import proc
from .scenario import Scenario, Server

PG_BIN = Path(os.environ.get("LAB_PG_BIN", "/usr/lib/postgresql/15/bin"))
LAB_USER = "labpg"
SUPERUSER = "postgres"
PORT_SLOT = 1  # Scenario.port(1); mariadb 0, pgbouncer 2, haproxy 3 (lab/README.md)
APP_USER = APP_PASSWORD = APP_DB = "lab"
TEMPLATE_ROOT = Path("/tmp/tl-lab-postgres-template")

_version: str | None = None


def available() -> str | None:
    """None when PostgreSQL can run here, else the reason it cannot."""
    for b in ("initdb", "postgres", "psql"):
        if not (PG_BIN / b).exists():
            return f"{PG_BIN / b} not found (PostgreSQL 15 server package missing)"
    return None


def version() -> str:
    """"PostgreSQL 15.18" from `postgres --version` ("postgres (PostgreSQL) 15.18 (Debian ...)")."""
    global _version
    if _version is None:
        out = subprocess.run([str(PG_BIN / "postgres"), "--version"], capture_output=True, text=True).stdout
        parts = out.split()
        _version = f"PostgreSQL {parts[2]}" if len(parts) >= 3 else "PostgreSQL ?"
    return _version


def ensure_user(name: str = LAB_USER) -> str:
    """Create the unprivileged system user the lab's servers run as, if missing."""
    try:
        pwd.getpwnam(name)
    except KeyError:
        r = subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
            capture_output=True,
            text=True,
        )
        if r.returncode != 0 and "already exists" not in r.stderr:
            raise RuntimeError(f"useradd {name}: {r.stderr.strip()}")
    return name


def own_dir(scn: Scenario, sub: str) -> Path:
    """A fresh folder `sub` in the scenario's workdir, owned by the lab user.

    The workdir itself gets o+x (traverse only) so that the lab user can reach it."""
    user = ensure_user()
    pw = pwd.getpwnam(user)
    wd = scn.work(".")
    wd.mkdir(parents=True, exist_ok=True)
    os.chmod(wd, os.stat(wd).st_mode | 0o001)
    d = scn.work(sub)
    if d.exists():
        shutil.rmtree(d)
    d.mkdir(parents=True)
    os.chown(d, pw.pw_uid, pw.pw_gid)
    return d


def chown_tree(path: Path, user: str = LAB_USER) -> None:
    pw = pwd.getpwnam(user)
    for root, dirs, files in os.walk(path):
        os.chown(root, pw.pw_uid, pw.pw_gid)
        for n in dirs + files:
            os.chown(os.path.join(root, n), pw.pw_uid, pw.pw_gid)


def host_for(scn: Scenario, netns: str | None) -> str:
    """The address servers listen on: the db namespace's address with a firewall, else loopback."""
    if netns:
        topo = scn.topology
        return getattr(topo, "db_ip", None) or "10.200.2.2"  # labkit.net.DB_IP
    return "127.0.0.1"


def template() -> Path:
    """A fresh `initdb --no-sync` datadir, made once per machine and PostgreSQL
    version under a file lock (scenarios start concurrently) and copied for
    each scenario: initdb costs 0.5-2 s of CPU, a copy a few ms."""
    TEMPLATE_ROOT.mkdir(parents=True, exist_ok=True)
    os.chmod(TEMPLATE_ROOT, 0o755)
    tdir = TEMPLATE_ROOT / version().replace(" ", "-")
    with open(TEMPLATE_ROOT / ".lock", "w") as lk:
        fcntl.flock(lk, fcntl.LOCK_EX)
        if (tdir / ".done").exists():
            return tdir
        shutil.rmtree(tdir, ignore_errors=True)
        tdir.mkdir(mode=0o700)
        chown_tree(tdir)
        r = proc.run(
            [str(PG_BIN / "initdb"), "--no-sync", "-D", str(tdir), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8", "--locale=C"],
            user=LAB_USER,
            timeout=120,
        )
        if r.returncode != 0:
            raise RuntimeError(f"initdb failed: {(r.stderr or r.stdout).strip()[-500:]}")
        (tdir / ".done").write_text(version())
    return tdir


@dataclass
class PgServer(Server):
    """A PostgreSQL postmaster; `stop()` asks for a fast shutdown first."""

    def stop(self) -> None:
        try:
            os.kill(self.pid, signal.SIGINT)
        except ProcessLookupError:
            proc.unregister(self.pid)
            return
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if not proc.alive(self.pid):
                proc.unregister(self.pid)
                return
            time.sleep(0.05)
        proc.stop_pid(self.pid, grace=5.0)


def start(scn: Scenario, netns: str | None) -> Server:
    """initdb + start PostgreSQL from the scenario's db/postgresql.conf; returns when it accepts logins."""
    why = available()
    if why:
        raise RuntimeError(why)
    conf_src = scn.find("db/postgresql.conf")
    if conf_src is None:
        raise RuntimeError(f"{scn.dir}: no db/postgresql.conf")
    base = own_dir(scn, "pg")
    data, conf, sock = base / "data", base / "conf", base / "run"
    # the whole db/ folder: postgresql.conf may `include` its neighbours
    shutil.copytree(conf_src.parent, conf)
    sock.mkdir()
    log = base / "postgres.log"
    log.touch()
    chown_tree(base)

    shutil.copytree(template(), data, symlinks=True, ignore=shutil.ignore_patterns(".done"))
    chown_tree(data)
    (data / "pg_hba.conf").write_text(
        "# written by lab/labkit/postgres.py: the lab's addresses exist only on loopback or in its namespaces\n"
        "local all all trust\nhost all all 0.0.0.0/0 trust\nhost all all ::/0 trust\n"
    )

    host = host_for(scn, netns)
    port = scn.port(PORT_SLOT)
    p = proc.spawn(
        [
            str(PG_BIN / "postgres"),
            "-D", str(data),
            "-c", f"config_file={conf / conf_src.name}",
            "-c", f"hba_file={data / 'pg_hba.conf'}",
            "-c", f"port={port}",
            "-c", f"listen_addresses={host}",
            "-c", f"unix_socket_directories={sock}",
            "-c", "fsync=off",
            "-c", "logging_collector=off",
        ],
        netns=netns,
        user=LAB_USER,
        log=log,
        what=f"postgres ({scn.name})",
    )
    srv = PgServer(
        kind="postgres",
        pid=p.pid,
        host=host,
        port=port,
        version=version(),
        user=APP_USER,
        password=APP_PASSWORD,
        database=APP_DB,
        log=log,
        extra={"socket_dir": str(sock), "datadir": str(data)},
    )
    try:
        pidfile = data / "postmaster.pid"

        def ready() -> bool:
            if p.poll() is not None:
                raise RuntimeError(f"postgres exited {p.returncode}: {srv.log_tail(5)}")
            lines = pidfile.read_text().splitlines() if pidfile.exists() else []
            return len(lines) >= 8 and lines[7].strip() == "ready"

        proc.wait_for(ready, 30, "postgres")
        psql(
            srv,
            f"CREATE ROLE {APP_USER} LOGIN PASSWORD '{APP_PASSWORD}'",
            f"CREATE DATABASE {APP_DB} OWNER {APP_USER}",
        )
    except BaseException:
        srv.stop()
        raise
    return srv


def psql(srv: Server, *sql: str, db: str = "postgres", timeout: float = 30) -> str:
    """Run statements as the superuser over the server's unix socket; returns stdout."""
    argv = [str(PG_BIN / "psql"), "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1",
            "-h", srv.extra["socket_dir"], "-p", str(srv.port), "-U", SUPERUSER, "-d", db]
    for s in sql:
        argv += ["-c", s]
    r = proc.run(argv, user=LAB_USER, timeout=timeout)
    if r.returncode != 0:
        raise RuntimeError(f"psql: {r.stderr.strip()}")
    return r.stdout
