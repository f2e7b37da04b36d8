"""MariaDB from the scenario's own option file.

`start(scn, netns)` runs `mariadbd --defaults-file=<scenario>/db/my.cnf` (so the
server reads exactly the file timeoutlint reads: wait_timeout, max_connections,
tcp_keepalive_* ...) followed by command-line overrides that only place it:
`--user=mysql` (mariadbd refuses to run as root), a private `--datadir`,
`--socket`, `--pid-file`, `--log-error`, `--port` from the scenario's block and
`--bind-address` (127.0.0.1, or the db namespace's address behind the
firewall). The datadir is a copy of a template made once per machine with
`mariadb-install-db` (4-7 s; a copy takes well under a second). An
`--init-file` creates the database `lab` and the user `lab`@`%` (password
`lab`, privileges on `lab.*` only: no SUPER, so no extra connection slot beyond
max_connections).

Readiness is checked over the unix socket (reachable from the host whatever
the network namespace) with `mariadb-admin ping`. The server is stopped by its
pid.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import subprocess
from pathlib import Path

from . import proc
from .scenario import Scenario, Server

TEMPLATE_ROOT = Path("/tmp/tl-lab-mariadb-template")
RUN_USER = "mysql"

INIT_SQL = """CREATE DATABASE IF NOT EXISTS lab;
CREATE USER IF NOT EXISTS 'lab'@'%' IDENTIFIED BY 'lab';
CREATE USER IF NOT EXISTS 'lab'@'localhost' IDENTIFIED BY 'lab';
GRANT ALL ON lab.* TO 'lab'@'%';
GRANT ALL ON lab.* TO 'lab'@'localhost';
"""

_version: str | None = None


def version() -> str:
    """"MariaDB 10.11.19" from `mariadbd --version`."""
    global _version
    if _version is None:
        out = subprocess.run(["mariadbd", "--version"], capture_output=True, text=True).stdout
        m = re.search(r"Ver (\d+\.\d+\.\d+)-MariaDB", out)
        _version = f"MariaDB {m.group(1)}" if m else "MariaDB ?"
    return _version


def available() -> str | None:
    """None when MariaDB can run here, else why not."""
    for b in ("mariadbd", "mariadb-install-db", "mariadb-admin"):
        if not shutil.which(b):
            return f"{b} not installed (lab/setup installs mariadb-server)"
    try:
        import pwd

        pwd.getpwnam(RUN_USER)
    except KeyError:
        return f"no user {RUN_USER!r} (the mariadb-server package creates it)"
    return None


def template() -> Path:
    """A freshly installed datadir, made once per machine and MariaDB version
    (under a file lock: scenarios start concurrently)."""
    TEMPLATE_ROOT.mkdir(parents=True, exist_ok=True)
    os.chmod(TEMPLATE_ROOT, 0o755)
    tdir = TEMPLATE_ROOT / version().replace(" ", "-")
    with open(TEMPLATE_ROOT / ".lock", "w") as lk:
        fcntl.flock(lk, fcntl.LOCK_EX)
        if (tdir / ".done").exists():
            return tdir
        shutil.rmtree(tdir, ignore_errors=True)
        tdir.mkdir()
        shutil.chown(tdir, RUN_USER, RUN_USER)
        proc.run(
            [
                "mariadb-install-db",
                "--no-defaults",
                f"--datadir={tdir}",
                f"--user={RUN_USER}",
                "--auth-root-authentication-method=socket",
                "--skip-test-db",
            ],
            timeout=120,
            check=True,
        )
        (tdir / ".done").write_text(version())
    return tdir


def start(scn: Scenario, netns: str | None) -> Server:
    """Start mariadbd from the scenario's db/my.cnf in `netns` (None: host loopback)."""
    why = available()
    if why:
        raise RuntimeError(why)
    cnf = scn.find("db/my.cnf", "db/mariadb.cnf")
    if cnf is None:
        raise RuntimeError(f"{scn.name}: no db/my.cnf")
    w = scn.work("mariadb")
    w.mkdir()
    data = w / "data"
    shutil.copytree(template(), data, symlinks=True, ignore=shutil.ignore_patterns(".done"))
    for root, dirs, files in os.walk(w):
        for n in dirs + files:
            os.lchown(os.path.join(root, n), _uid(), _gid())
    os.lchown(w, _uid(), _gid())
    os.chmod(w, 0o750)
    init = w / "init.sql"
    init.write_text(INIT_SQL)
    host = scn.topology.db_ip if (netns and scn.topology) else "127.0.0.1"
    port = scn.port(0)
    sock = w / "mysqld.sock"
    log = w / "mysqld.err"
    argv = [
        "mariadbd",
        f"--defaults-file={cnf}",
        f"--user={RUN_USER}",
        f"--datadir={data}",
        f"--socket={sock}",
        f"--pid-file={w / 'mysqld.pid'}",
        f"--log-error={log}",
        f"--port={port}",
        f"--bind-address={host}",
        f"--init-file={init}",
        "--skip-name-resolve",
        "--skip-log-bin",
        "--innodb-buffer-pool-size=16M",
    ]
    p = proc.spawn(argv, netns=netns, log=w / "stdout.log", what=f"mariadbd {scn.name}")
    srv = Server("mariadb", p.pid, host, port, version(), log=log, extra={"socket": str(sock)})

    def ready() -> bool:
        if p.poll() is not None:
            errs = [ln for ln in srv.log_tail(40).splitlines() if "[ERROR]" in ln]
            raise proc.Fatal(f"mariadbd exited {p.returncode}: {' '.join(errs[-2:]) or srv.log_tail(3)}")
        r = subprocess.run(
            ["mariadb-admin", "--no-defaults", "-uroot", f"--socket={sock}", "ping"],
            capture_output=True,
            text=True,
            timeout=10,
        )
        return r.returncode == 0

    try:
        proc.wait_for(ready, 45, f"mariadbd for {scn.name}")
    except Exception:
        srv.stop()
        raise
    return srv


def sql(srv: Server, query: str) -> str:
    """Run `query` as root over the server's socket (for checks in the runner)."""
    r = proc.run(
        ["mariadb", "--no-defaults", "-uroot", f"--socket={srv.extra['socket']}", "-N", "-B", "-e", query],
        timeout=15,
        check=True,
    )
    return r.stdout


def _uid() -> int:
    import pwd

    return pwd.getpwnam(RUN_USER).pw_uid


def _gid() -> int:
    import pwd

    return pwd.getpwnam(RUN_USER).pw_gid
