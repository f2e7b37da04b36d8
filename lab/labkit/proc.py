"""Processes the lab starts, tracked by pid so that cleanup never kills by name.

Every process is started through `spawn()` (or `run()`), in its own session
(process group), and registered until `reap()` or `stop_pid()` removes it.
`kill_all()` (called from the runner's `finally`, on Ctrl-C and on SIGTERM)
stops every registered process by its pid: SIGTERM, then SIGKILL after a grace
period.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from pathlib import Path

_lock = threading.Lock()
_live: dict[int, str] = {}  # pid -> description


def netns_prefix(netns: str | None) -> list[str]:
    """argv prefix that runs a command inside network namespace `netns` (none: host)."""
    return ["ip", "netns", "exec", netns] if netns else []


def user_prefix(user: str | None) -> list[str]:
    """argv prefix that runs a command as `user` with `setpriv`, which execs in
    place, so the pid we hold is the program's own pid."""
    if not user:
        return []
    return ["setpriv", f"--reuid={user}", f"--regid={user}", "--init-groups", "--"]


def spawn(
    argv: list[str],
    *,
    netns: str | None = None,
    user: str | None = None,
    log: Path | None = None,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    what: str = "",
) -> subprocess.Popen:
    """Start `argv` (optionally in `netns`, as `user`) and register its pid.

    `ip netns exec` and `setpriv` both exec the target, so `.pid` is the pid of
    the program itself. Output goes to `log` (appended) or /dev/null.
    """
    full = netns_prefix(netns) + user_prefix(user) + list(argv)
    out = open(log, "ab") if log else subprocess.DEVNULL
    try:
        p = subprocess.Popen(
            full,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=cwd,
            start_new_session=True,
        )
    finally:
        if log:
            out.close()
    register(p.pid, what or argv[0])
    return p


def register(pid: int, what: str) -> None:
    with _lock:
        _live[pid] = what


def unregister(pid: int) -> None:
    with _lock:
        _live.pop(pid, None)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie child still answers kill(0); reap it if it is ours
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    except ChildProcessError:
        pass
    try:
        with open(f"/proc/{pid}/stat") as f:
            if f.read().split(") ", 1)[1].startswith("Z"):
                return False
    except (OSError, IndexError):
        return False
    return True


def stop_pid(pid: int, grace: float = 10.0, group: bool = True) -> None:
    """Stop one process by pid (and its process group when `group`): SIGTERM,
    wait up to `grace` seconds, then SIGKILL. Never matches by name."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            if group:
                os.killpg(pid, sig)
            else:
                os.kill(pid, sig)
        except (ProcessLookupError, PermissionError):
            try:
                os.kill(pid, sig)
            except (ProcessLookupError, PermissionError):
                pass
        deadline = time.monotonic() + (grace if sig == signal.SIGTERM else 5.0)
        while time.monotonic() < deadline:
            if not alive(pid):
                unregister(pid)
                return
            time.sleep(0.05)
    unregister(pid)


def kill_all(grace: float = 5.0) -> list[str]:
    """Stop every registered process by pid. Returns what was still running."""
    with _lock:
        items = list(_live.items())
    left = []
    for pid, what in items:
        if alive(pid):
            left.append(f"{what} (pid {pid})")
            stop_pid(pid, grace)
        unregister(pid)
    return left


def run(
    argv: list[str],
    *,
    netns: str | None = None,
    user: str | None = None,
    timeout: float = 60.0,
    env: dict[str, str] | None = None,
    input: str | None = None,
    check: bool = False,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess:
    """Run a short command to completion (registered while it runs); on timeout
    its process group is killed and `subprocess.TimeoutExpired` is raised."""
    full = netns_prefix(netns) + user_prefix(user) + list(argv)
    p = subprocess.Popen(
        full,
        stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=cwd,
        start_new_session=True,
    )
    register(p.pid, argv[0])
    try:
        out, err = p.communicate(input=input, timeout=timeout)
    except subprocess.TimeoutExpired:
        stop_pid(p.pid, grace=1.0)
        out, err = p.communicate()
        raise subprocess.TimeoutExpired(full, timeout, output=out, stderr=err) from None
    finally:
        unregister(p.pid)
    cp = subprocess.CompletedProcess(full, p.returncode, out, err)
    if check and p.returncode != 0:
        raise RuntimeError(f"{' '.join(full)} exited {p.returncode}: {err.strip() or out.strip()}")
    return cp


class Fatal(Exception):
    """Raised by a `wait_for` predicate to stop waiting at once (e.g. the
    server exited)."""


def wait_for(pred, timeout: float, what: str, interval: float = 0.1):
    """Poll `pred()` until it returns a truthy value; raise TimeoutError with
    `what`. Other exceptions are retried, except `Fatal`, which propagates."""
    deadline = time.monotonic() + timeout
    last_exc = None
    while time.monotonic() < deadline:
        try:
            v = pred()
            if v:
                return v
        except Fatal:
            raise
        except Exception as e:  # noqa: BLE001 - polling; the last error is reported
            last_exc = e
        time.sleep(interval)
    raise TimeoutError(f"{what}: not ready after {timeout:.0f} s" + (f" ({last_exc})" if last_exc else ""))


def installed(binary: str, package: str) -> str | None:
    """None when `binary` exists, else why not (naming its apt package)."""
    return None if Path(binary).exists() else f"{binary} not found (apt package {package})"


_versions: dict[tuple[str, ...], str] = {}


def version_of(cmd: list[str], parse) -> str:
    """`parse(stdout of cmd)`, run once per command and remembered."""
    key = tuple(cmd)
    if key not in _versions:
        out = subprocess.run(cmd, capture_output=True, text=True).stdout
        _versions[key] = parse(out)
    return _versions[key]
