"""The silently dropping firewall: three network namespaces, app <-> fw <-> db.

    app  a0 10.200.1.2/24 --- f0 10.200.1.1/24  fw  f1 10.200.2.1/24 --- d0 10.200.2.2/24  db

The addresses exist only inside the namespaces (no link to the host), so
scenarios running at the same time never see each other. In fw:
- net.ipv4.ip_forward = 1;
- net.netfilter.nf_conntrack_tcp_timeout_established = N (per namespace; the
  host keeps its own), net.netfilter.nf_conntrack_tcp_loose = 0 (a packet of a
  forgotten flow is not picked up again mid-stream);
- nftables: forward chain, policy drop; established/related accepted; invalid
  counted and dropped; SYNs from app to db with ct state new accepted. (A chain
  named `fwd` is a syntax error: `fwd` is an nft keyword.)
Once an idle flow's conntrack entry expires, its next packets are `invalid`
and vanish: neither end gets an RST (see /work/shared/LAB.md).

`net.*` sysctls written inside a namespace apply to sockets made there, so the
app host's sysctl.conf from the scenario is applied in app (and a db
sysctl.conf in db).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from . import proc

APP_IP = "10.200.1.2"
FW_APP_IP = "10.200.1.1"
FW_DB_IP = "10.200.2.1"
DB_IP = "10.200.2.2"

NFT_RULES = """
table inet lab {
    chain forward {
        type filter hook forward priority 0; policy drop;
        ct state established,related accept
        ct state invalid counter drop
        iifname "f0" oifname "f1" tcp flags & (syn | ack) == syn ct state new accept
        counter
    }
}
"""


def _ip(*args: str, netns: str | None = None) -> None:
    proc.run(["ip", *args], netns=netns, timeout=20, check=True)


def ns_exists(name: str) -> bool:
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    return any(line.split()[0] == name for line in out.splitlines() if line.strip())


def ns_delete(name: str) -> None:
    if ns_exists(name):
        subprocess.run(["ip", "netns", "del", name], capture_output=True)


def parse_sysctl(path: Path) -> list[tuple[str, str]]:
    """`key = value` lines of a sysctl.conf (comments `#`/`;` skipped; the
    leading `-` that makes an error non-fatal is dropped)."""
    out = []
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if "=" not in line:
            continue
        k, v = line.split("=", 1)
        k = k.strip().lstrip("-").strip().replace("/", ".")
        out.append((k, v.strip()))
    return out


def sysctl_set(netns: str | None, key: str, value: str) -> None:
    """Write one sysctl inside `netns` (through /proc/sys, which shows the
    writing process's namespace)."""
    if not re.fullmatch(r"[a-z0-9_.\-]+", key):
        raise ValueError(f"bad sysctl key {key!r}")
    path = "/proc/sys/" + key.replace(".", "/")
    proc.run(["sh", "-c", f'echo "$1" > {path}', "sh", value], netns=netns, timeout=10, check=True)


def sysctl_get(netns: str | None, key: str) -> str:
    path = "/proc/sys/" + key.replace(".", "/")
    return proc.run(["cat", path], netns=netns, timeout=10, check=True).stdout.strip()


class Topology:
    """app/fw/db namespaces of one scenario. `up()` builds them, `down()`
    deletes them (idempotent; called from the runner's `finally`)."""

    def __init__(self, prefix: str, conntrack_established: int = 5):
        self.app = f"{prefix}-app"
        self.fw = f"{prefix}-fw"
        self.db = f"{prefix}-db"
        self.conntrack_established = conntrack_established
        self.app_ip = APP_IP
        self.db_ip = DB_IP
        self.created: list[str] = []

    @property
    def names(self) -> list[str]:
        return [self.app, self.fw, self.db]

    def up(self) -> "Topology":
        for n in self.names:
            ns_delete(n)  # a leftover of an interrupted run with this exact name
        for n in self.names:
            _ip("netns", "add", n)
            self.created.append(n)
            _ip("link", "set", "lo", "up", netns=n)
        _ip("link", "add", "a0", "netns", self.app, "type", "veth", "peer", "name", "f0", "netns", self.fw)
        _ip("link", "add", "d0", "netns", self.db, "type", "veth", "peer", "name", "f1", "netns", self.fw)
        _ip("addr", "add", f"{APP_IP}/24", "dev", "a0", netns=self.app)
        _ip("addr", "add", f"{FW_APP_IP}/24", "dev", "f0", netns=self.fw)
        _ip("addr", "add", f"{FW_DB_IP}/24", "dev", "f1", netns=self.fw)
        _ip("addr", "add", f"{DB_IP}/24", "dev", "d0", netns=self.db)
        for ns, dev in ((self.app, "a0"), (self.fw, "f0"), (self.fw, "f1"), (self.db, "d0")):
            _ip("link", "set", dev, "up", netns=ns)
        _ip("route", "add", "default", "via", FW_APP_IP, netns=self.app)
        _ip("route", "add", "default", "via", FW_DB_IP, netns=self.db)
        sysctl_set(self.fw, "net.ipv4.ip_forward", "1")
        proc.run(["nft", "-f", "-"], netns=self.fw, input=NFT_RULES, timeout=20, check=True)
        sysctl_set(self.fw, "net.netfilter.nf_conntrack_tcp_timeout_established", str(self.conntrack_established))
        sysctl_set(self.fw, "net.netfilter.nf_conntrack_tcp_loose", "0")
        return self

    def apply_sysctl(self, netns: str, path: Path) -> list[str]:
        """Apply the `net.*` keys of a sysctl.conf inside `netns` (others are
        host-wide and are not touched). Returns what was set."""
        done = []
        for k, v in parse_sysctl(path):
            if k.startswith("net."):
                sysctl_set(netns, k, v)
                done.append(f"{k}={v}")
        return done

    def dropped(self) -> int:
        """Packets the fw's `ct state invalid` rule dropped so far."""
        try:
            out = proc.run(["nft", "list", "chain", "inet", "lab", "forward"], netns=self.fw, timeout=10).stdout
        except Exception:  # noqa: BLE001 - diagnostic only
            return -1
        m = re.search(r"ct state invalid counter packets (\d+)", out)
        return int(m.group(1)) if m else -1

    def down(self) -> None:
        for n in reversed(self.names):
            ns_delete(n)
        self.created.clear()
