"""Scenarios (folders under lab/scenarios/) and the Server API every server module implements.

A scenario folder holds the configs timeoutlint reads (timeoutlint.toml, app/,
db/, pgbouncer/, haproxy/ ...) plus `lab.toml`, the lab's own metadata:

    rule = "TL101"            # the rule this scenario proves (or records)
    expect = "error"          # "error" | "clean" | "record"
    twin = "tl101-pymysql-fixed"
    servers = ["mariadb"]     # labkit modules, started in order
    connect = "mariadb"       # which server the app connects to (default: the last one)
    firewall = false          # true: app / fw / db namespaces with a dropping firewall
    conntrack_established = 5 # fw conntrack timeout (s)
    probe = "sqla"            # lab/probes/<probe>.py (sqla | django | fleet | asyncpg ...)
    idle = 6                  # s idle between the two queries
    hold = false              # keep the connection checked out while idle
    timeout = 60              # hard limit for the whole scenario (s)
    note = "..."              # free text shown in docs

Names and ports are derived from the scenario's index in the sorted list of
all scenarios, so concurrent scenarios never collide:
  namespaces  f"{prefix}{index}-app" / "-fw" / "-db"   (prefix: $LAB_PREFIX, default "tl")
  ports       port_base .. port_base+9, port_base = $LAB_PORT_BASE (default 20000) + 10*index
  temp dir    /tmp/tl-lab-{prefix}{index}-XXXX (datadirs, sockets, logs), removed afterwards
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

LAB_DIR = Path(__file__).resolve().parent.parent
SCENARIOS_DIR = LAB_DIR / "scenarios"
PORTS_PER_SCENARIO = 10

EXPECTS = ("error", "clean", "record")


class ScenarioError(Exception):
    """A scenario folder or its lab.toml is invalid."""


@dataclass
class Server:
    """A running server started by a labkit module's `start(scn, netns)`.

    Attributes: `kind` ("mariadb", "postgres", "pgbouncer", "haproxy"), `pid`
    (the server process itself: stopped by this pid, never by name), `host` and
    `port` where the app connects (an address inside the db namespace when the
    scenario has a firewall, else 127.0.0.1), `version` (e.g. "MariaDB
    10.11.19"), the credentials the probe uses (`user`, `password`,
    `database`), and `log` (the server's log file, read on failure).
    """

    kind: str
    pid: int
    host: str
    port: int
    version: str
    user: str = "lab"
    password: str = "lab"
    database: str = "lab"
    log: Path | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def stop(self) -> None:
        """Stop the server by its pid (SIGTERM, then SIGKILL after 10 s)."""
        from . import proc

        proc.stop_pid(self.pid, grace=10.0)

    def log_tail(self, n: int = 20) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:]) if self.log else ""
        except OSError:
            return ""


@dataclass
class Scenario:
    """One scenario folder and its lab.toml (see the module doc)."""

    name: str
    dir: Path
    index: int
    meta: dict[str, Any]
    prefix: str = "tl"
    port_base_all: int = 20000
    workdir: Path | None = None  # set by the runner: /tmp/tl-lab-<prefix><index>-XXXX
    servers: dict[str, Server] = field(default_factory=dict)  # started so far, by kind
    topology: Any = None  # labkit.net.Topology when firewall = true

    # -- lab.toml fields -------------------------------------------------
    @property
    def rules(self) -> list[str]:
        """`rule = "TL101"`, or a list for a scenario that proves several."""
        r = self.meta.get("rule", [])
        return [r] if isinstance(r, str) else list(r)

    @property
    def rule(self) -> str:
        return ", ".join(self.rules)

    @property
    def expect(self) -> str:
        return self.meta.get("expect", "record")

    @property
    def twin(self) -> str | None:
        return self.meta.get("twin")

    @property
    def server_kinds(self) -> list[str]:
        return list(self.meta.get("servers", []))

    @property
    def connect(self) -> str | None:
        kinds = self.server_kinds
        return self.meta.get("connect", kinds[-1] if kinds else None)

    @property
    def firewall(self) -> bool:
        return bool(self.meta.get("firewall", False))

    @property
    def conntrack_established(self) -> int:
        return int(self.meta.get("conntrack_established", 5))

    @property
    def probe(self) -> str:
        return self.meta.get("probe", "sqla")

    @property
    def idle(self) -> float:
        return float(self.meta.get("idle", 0))

    @property
    def hold(self) -> bool:
        return bool(self.meta.get("hold", False))

    @property
    def timeout(self) -> float:
        return float(self.meta.get("timeout", 60))

    # -- derived names -------------------------------------------------------
    @property
    def port_base(self) -> int:
        return self.port_base_all + PORTS_PER_SCENARIO * self.index

    def port(self, k: int) -> int:
        """The k-th port (0..9) of this scenario's block."""
        if not 0 <= k < PORTS_PER_SCENARIO:
            raise ValueError(f"port slot {k} out of range")
        return self.port_base + k

    def ns(self, role: str) -> str | None:
        """Namespace name for role "app" | "fw" | "db", or None without a firewall."""
        return f"{self.prefix}{self.index}-{role}" if self.firewall else None

    def file(self, rel: str) -> Path:
        """A file of the scenario folder (its configs are read, never written)."""
        return self.dir / rel

    def find(self, *cands: str) -> Path | None:
        """The first of `cands` that exists in the scenario folder."""
        for c in cands:
            p = self.dir / c
            if p.exists():
                return p
        return None

    def work(self, rel: str) -> Path:
        """A path in the scenario's temp dir (created by the runner)."""
        if self.workdir is None:
            raise RuntimeError("scenario has no workdir yet")
        return self.workdir / rel


def _load_meta(d: Path) -> dict[str, Any]:
    f = d / "lab.toml"
    try:
        meta = tomllib.loads(f.read_text())
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise ScenarioError(f"{f}: {e}") from e
    exp = meta.get("expect", "record")
    if exp not in EXPECTS:
        raise ScenarioError(f"{f}: expect = {exp!r}, want one of {EXPECTS}")
    if not (d / "timeoutlint.toml").exists():
        raise ScenarioError(f"{d}: no timeoutlint.toml")
    return meta


def load_all(root: Path | None = None) -> list[Scenario]:
    """Every scenario under `root` (default: $LAB_SCENARIOS or lab/scenarios),
    sorted by name; the index is the position in that list (stable whichever
    subset is run)."""
    root = root or Path(os.environ.get("LAB_SCENARIOS", SCENARIOS_DIR))
    prefix = os.environ.get("LAB_PREFIX", "tl")
    base = int(os.environ.get("LAB_PORT_BASE", "20000"))
    dirs = sorted(p for p in root.iterdir() if p.is_dir() and (p / "lab.toml").exists()) if root.exists() else []
    return [Scenario(d.name, d, i, _load_meta(d), prefix, base) for i, d in enumerate(dirs)]


def select(all_: list[Scenario], names: list[str]) -> list[Scenario]:
    """The named scenarios (exact names, or a prefix such as "tl101"); all when empty."""
    if not names:
        return all_
    out = []
    for n in names:
        hit = [s for s in all_ if s.name == n] or [s for s in all_ if s.name.startswith(n)]
        if not hit:
            raise ScenarioError(f"no scenario named {n!r} (have: {', '.join(s.name for s in all_)})")
        out += [s for s in hit if s not in out]
    return out
