"""HAProxy, started from a scenario's `haproxy/haproxy.cfg`.

The lab copies the config and rewrites only addresses and process settings:
every `bind` line gets the lab's address and port, every `server NAME ADDR`
line points at the upstream server (the one started just before HAProxy, or
`upstream = "KIND"` in lab.toml), and `daemon`, `master-worker`, `user`,
`group`, `uid`, `gid`, `chroot`, `pidfile`, `stats socket` and `log` lines are
dropped. `mode`, the `timeout` lines and everything else stay the scenario's,
as timeoutlint reads them.

Runs in the foreground (`-db`) as the lab user, so the pid we hold is
HAProxy's own; stopped by pid. The Server it returns carries the upstream's
credentials, for the probe.
"""

from __future__ import annotations

import re

from . import postgres, proc
from .scenario import Scenario, Server

HAPROXY = "/usr/sbin/haproxy"
PORT_SLOT = 3

DROP = re.compile(r"^\s*(daemon|master-worker|user|group|uid|gid|chroot|pidfile|log|stats\s+socket)\b")
BIND = re.compile(r"^(\s*bind\s+)(\S+)(.*)$")
SERVER = re.compile(r"^(\s*server\s+\S+\s+)(\S+)(.*)$")

def available() -> str | None:
    return proc.installed(HAPROXY, "haproxy")


def _parse_version(out: str) -> str:
    words = out.split()
    return f"HAProxy {words[2].split('-')[0]}" if len(words) >= 3 else "HAProxy ?"


def version() -> str:
    """"HAProxy 2.6.12" from `haproxy -v`."""
    return proc.version_of([HAPROXY, "-v"], _parse_version)


def rewrite_cfg(text: str, bind: str, upstream: str) -> str:
    out = []
    for line in text.splitlines():
        if DROP.match(line):
            out.append(f"# lab: dropped {line.strip()}")
        elif m := BIND.match(line):
            out.append(f"{m.group(1)}{bind}{m.group(3)}")
        elif m := SERVER.match(line):
            out.append(f"{m.group(1)}{upstream}{m.group(3)}")
        else:
            out.append(line)
    return "\n".join(out) + "\n"


def start(scn: Scenario, netns: str | None) -> Server:
    """Start HAProxy in front of the upstream server; returns when its port accepts connections."""
    why = available()
    if why:
        raise RuntimeError(why)
    src = scn.find("haproxy/haproxy.cfg", "lb/haproxy.cfg")
    if src is None:
        raise RuntimeError(f"{scn.dir}: no haproxy/haproxy.cfg")
    kind = scn.meta.get("upstream")
    if kind:
        up = scn.servers.get(kind)
    else:
        others = [s for k, s in scn.servers.items() if k != "haproxy"]
        up = others[-1] if others else None
    if up is None:
        raise RuntimeError("haproxy needs its upstream server started before it")
    base = postgres.own_dir(scn, "haproxy")
    host = postgres.host_for(scn, netns)
    port = scn.port(PORT_SLOT)
    conf = base / "haproxy.cfg"
    conf.write_text(rewrite_cfg(src.read_text(), f"{host}:{port}", f"{up.host}:{up.port}"))
    log = base / "haproxy.log"
    chk = proc.run([HAPROXY, "-c", "-q", "-f", str(conf)], timeout=15)
    if chk.returncode != 0:
        raise RuntimeError(f"haproxy -c: {(chk.stderr or chk.stdout).strip()[-500:]}")
    postgres.chown_tree(base)
    p = proc.spawn(
        [HAPROXY, "-db", "-f", str(conf)],
        netns=netns,
        user=postgres.LAB_USER,
        log=log,
        what=f"haproxy ({scn.name})",
    )
    srv = Server(
        kind="haproxy",
        pid=p.pid,
        host=host,
        port=port,
        version=version(),
        user=up.user,
        password=up.password,
        database=up.database,
        log=log,
        extra={"cfg": str(conf), "upstream": up.kind},
    )
    try:

        def ready() -> bool:
            if p.poll() is not None:
                raise RuntimeError(f"haproxy exited {p.returncode}: {srv.log_tail(5)}")
            r = proc.run(["ss", "-Hltn", f"sport = :{port}"], netns=netns, timeout=5)
            return bool(r.stdout.strip())

        proc.wait_for(ready, 15, "haproxy")
    except BaseException:
        srv.stop()
        raise
    return srv
