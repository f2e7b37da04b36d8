"""The timeoutlint lab runner: `lab/run [SCENARIO...]` (see lab/README.md, docs/lab.md).

For each scenario (concurrently, each in its own ports / namespaces / temp dir):
  1. builds the app / fw / db namespaces when `firewall = true`;
  2. starts the servers listed in lab.toml from the scenario's configs;
  3. applies the app host's sysctl.conf inside the app namespace;
  4. runs the probe (lab/probes/<probe>.py) with the app settings;
  5. runs `timeoutlint check --format json <scenario>`;
  6. compares: expect "error": the tool reports `rule` as an error AND the probe
     failed; "clean": no error from the tool AND the probe succeeded; "record":
     the outcome is recorded, not asserted.
Prints a table, writes lab/out/results.json, exits 1 on any mismatch or
broken scenario, 3 when the lab cannot run and LAB_REQUIRE=1 (else 0 with a
loud SKIPPED line).

Environment: LAB_REQUIRE=1, LAB_JOBS (concurrent scenarios, default 8),
LAB_PREFIX (namespace prefix, default "tl"), LAB_PORT_BASE (default 20000),
LAB_OUT (results folder, default lab/out), LAB_TIMEOUTLINT (the binary to
use; default: `cargo build --bin timeoutlint` then target/debug/timeoutlint),
LAB_TOTAL_TIMEOUT (s, default 570), LAB_KEEP=1 (keep temp dirs for debugging).
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import importlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from labkit import proc  # noqa: E402
from labkit.net import Topology  # noqa: E402
from labkit.scenario import LAB_DIR, Scenario, ScenarioError, load_all, select  # noqa: E402

REPO = LAB_DIR.parent
VENV_PY = LAB_DIR / ".venv" / "bin" / "python"
OUT = Path(os.environ.get("LAB_OUT", LAB_DIR / "out"))

_state_lock = threading.Lock()
_topologies: list[Topology] = []
_workdirs: list[Path] = []
_stopping = threading.Event()


def log(msg: str) -> None:
    print(f"lab: {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- preflight
def why_not_runnable() -> str | None:
    if os.geteuid() != 0:
        return "needs root (network namespaces, servers run as their own users)"
    if not shutil.which("ip"):
        return "no `ip` (iproute2)"
    probe_ns = f"{os.environ.get('LAB_PREFIX', 'tl')}probe{os.getpid()}"
    r = subprocess.run(["ip", "netns", "add", probe_ns], capture_output=True, text=True)
    if r.returncode != 0:
        return f"`ip netns add` fails: {r.stderr.strip()}"
    subprocess.run(["ip", "netns", "del", probe_ns], capture_output=True)
    for b in ("nft", "setpriv"):
        if not shutil.which(b):
            return f"no `{b}` (run lab/setup)"
    if not VENV_PY.exists():
        return f"no venv at {VENV_PY.parent.parent} (run lab/setup)"
    return None


def timeoutlint_bin() -> Path:
    env = os.environ.get("LAB_TIMEOUTLINT")
    if env:
        return Path(env)
    log("cargo build --bin timeoutlint (debug profile: reuses what `cargo test` built)")
    r = subprocess.run(["cargo", "build", "--quiet", "--bin", "timeoutlint"], cwd=REPO)
    if r.returncode != 0:
        raise SystemExit("lab: cargo build failed")
    return REPO / "target" / "debug" / "timeoutlint"


# ---------------------------------------------------------------- one scenario
def server_module(kind: str):
    return importlib.import_module(f"labkit.{kind}")


def tool_verdict(binary: Path, scn: Scenario) -> dict:
    """Run `timeoutlint check --format json` on the scenario folder."""
    r = subprocess.run(
        [str(binary), "check", "--format", "json", "--color", "never", str(scn.dir)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
    )
    try:
        doc = json.loads(r.stdout)
    except json.JSONDecodeError:
        return {"verdict": "tool-failed", "exit": r.returncode, "stderr": r.stderr.strip()[-800:], "errors": []}
    diags = doc.get("diagnostics", [])
    rank = {"error": 3, "warning": 2, "info": 1, "note": 1}
    mine = [d for d in diags if d.get("rule") in scn.rules]
    # per rule, its highest severity; with several rules, the weakest of them
    per = {
        r: max((d.get("severity", "") for d in mine if d["rule"] == r), key=lambda s: rank.get(s, 0), default="none")
        for r in scn.rules
    }
    sev = min(per.values(), key=lambda s: rank.get(s, 0), default="none")
    return {
        "verdict": sev,
        "exit": r.returncode,
        "messages": [d.get("message", "") for d in mine],
        "helps": [d.get("help", "") for d in mine],
        "errors": sorted({d["rule"] for d in diags if d.get("severity") == "error"}),
        "all": sorted({f"{d['rule']}:{d.get('severity')}" for d in diags}),
    }


def run_probe(scn: Scenario) -> dict:
    target = scn.servers.get(scn.connect) if scn.connect else None
    env = dict(os.environ)
    env.update(
        {
            "LAB_SCENARIO_DIR": str(scn.dir),
            "LAB_SCENARIO_META": json.dumps(scn.meta),
            "LAB_IDLE": str(scn.idle),
            "LAB_HOLD": "1" if scn.hold else "0",
            "LAB_SERVERS": json.dumps(
                {k: {"host": s.host, "port": s.port, "user": s.user, "password": s.password, "database": s.database}
                 for k, s in scn.servers.items()}
            ),
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    if target:
        env.update(
            {
                "LAB_HOST": target.host,
                "LAB_PORT": str(target.port),
                "LAB_USER": target.user,
                "LAB_PASSWORD": target.password,
                "LAB_DATABASE": target.database,
            }
        )
    script = LAB_DIR / "probes" / f"{scn.probe}.py"
    if not script.exists():
        script = LAB_DIR / "probes" / f"{scn.probe}_probe.py"
    limit = max(5.0, scn.timeout - 5)
    t0 = time.monotonic()
    try:
        r = proc.run([str(VENV_PY), str(script), str(scn.dir)], netns=scn.ns("app"), env=env, timeout=limit)
    except subprocess.TimeoutExpired as e:
        res = {}
        for info in _json_lines(e.output or ""):
            res.update(info)  # what the probe said before it hung (versions)
        res.update(
            ok=False,
            error_class="Timeout",
            error_text=f"probe still hanging after {limit:.0f} s (killed)",
            elapsed=round(time.monotonic() - t0, 1),
        )
        return res
    infos = _json_lines(r.stdout)
    lines = [i for i in infos if "ok" in i]
    if not lines:
        return {
            "ok": False,
            "crashed": True,
            "error_class": "ProbeCrashed",
            "error_text": f"probe exited {r.returncode} without a result: {r.stderr.strip()[-600:]}",
            "elapsed": round(time.monotonic() - t0, 1),
        }
    res = {}
    for info in infos:
        res.update(info)
    if r.stderr.strip():
        res["stderr"] = r.stderr.strip()[-600:]
    return res


def _json_lines(text: str) -> list[dict]:
    out = []
    for ln in text.splitlines():
        if ln.startswith("{"):
            try:
                out.append(json.loads(ln))
            except json.JSONDecodeError:
                pass
    return out


def judge(scn: Scenario, tool: dict, lab: dict) -> str:
    if lab.get("crashed") or tool["verdict"] == "tool-failed":
        return "BROKEN"
    if scn.expect == "record":
        return "recorded"
    if scn.expect == "error":
        return "ok" if tool["verdict"] == "error" and not lab.get("ok") else "MISMATCH"
    return "ok" if not tool["errors"] and lab.get("ok") else "MISMATCH"


def run_scenario(scn: Scenario, binary: Path) -> dict:
    t0 = time.monotonic()
    res: dict = {
        "scenario": scn.name,
        "rule": scn.rule,
        "proves": scn.meta.get("proves", scn.rule),
        "expect": scn.expect,
        "twin": scn.twin,
        "index": scn.index,
        "note": scn.meta.get("note", ""),
    }
    if _stopping.is_set():
        res.update(status="skipped", reason="interrupted")
        return res
    # which server modules exist and can run here
    for kind in scn.server_kinds:
        try:
            mod = server_module(kind)
        except ImportError as e:
            res.update(status="skipped", reason=f"no labkit.{kind} ({e})")
            return res
        why = getattr(mod, "available", lambda: None)()
        if why:
            res.update(status="skipped", reason=why)
            return res
    wd = Path(tempfile.mkdtemp(prefix=f"tl-lab-{scn.prefix}{scn.index}-"))
    os.chmod(wd, 0o755)
    with _state_lock:
        _workdirs.append(wd)
    scn.workdir = wd
    topo = None
    try:
        if scn.firewall:
            topo = Topology(f"{scn.prefix}{scn.index}", scn.conntrack_established)
            with _state_lock:
                _topologies.append(topo)
            scn.topology = topo
            topo.up()
            app_sysctl = scn.find("app/sysctl.conf")
            if app_sysctl:
                res["app_sysctl"] = topo.apply_sysctl(topo.app, app_sysctl)
            db_sysctl = scn.find("db/sysctl.conf")
            if db_sysctl:
                res["db_sysctl"] = topo.apply_sysctl(topo.db, db_sysctl)
        for kind in scn.server_kinds:
            srv = server_module(kind).start(scn, scn.ns("db"))
            scn.servers[kind] = srv
        res["servers"] = {k: s.version for k, s in scn.servers.items()}
        lab = run_probe(scn)
        if topo:
            lab["fw_invalid_dropped"] = topo.dropped()
        res["lab"] = lab
        if not lab.get("ok"):
            res["server_logs"] = {k: s.log_tail(6) for k, s in scn.servers.items()}
    except Exception as e:  # noqa: BLE001 - a broken scenario is reported, others go on
        res["lab"] = {"ok": False, "crashed": True, "error_class": type(e).__name__, "error_text": str(e)[-800:]}
    finally:
        for srv in reversed(list(scn.servers.values())):
            try:
                srv.stop()
            except Exception as e:  # noqa: BLE001
                log(f"{scn.name}: stopping {srv.kind} pid {srv.pid}: {e}")
        if topo:
            topo.down()
        if not os.environ.get("LAB_KEEP"):
            shutil.rmtree(wd, ignore_errors=True)
    res["tool"] = tool_verdict(binary, scn)
    versions = list(res.get("servers", {}).values())
    if res["lab"].get("versions"):
        versions.append(res["lab"]["versions"])
    res["with"] = ", ".join(versions)
    res["status"] = judge(scn, res["tool"], res["lab"])
    res["seconds"] = round(time.monotonic() - t0, 1)
    return res


# ---------------------------------------------------------------- output
def outcome(res: dict) -> str:
    lab = res.get("lab") or {}
    if res["status"] == "skipped":
        return "skipped"
    if lab.get("crashed"):
        return "broken"
    if not lab:
        return "-"
    return "ok" if lab.get("ok") else "failed"


def table(results: list[dict]) -> str:
    head = ["scenario", "rule", "expect", "tool", "lab", "status", "error text", "versions"]
    rows = []
    for r in results:
        lab = r.get("lab") or {}
        err = lab.get("error_text") or r.get("reason") or ""
        if lab.get("ok") and lab.get("note"):
            err = lab["note"]
        err = " ".join(str(err).split())
        if len(err) > 110:
            err = err[:107] + "..."
        tool = (r.get("tool") or {}).get("verdict", "-")
        rows.append([r["scenario"], r["rule"], r["expect"], tool, outcome(r), r["status"], err, r.get("with", "")])
    w = [max(len(str(x[i])) for x in rows + [head]) for i in range(len(head))]
    w[6] = min(w[6], 110)
    line = lambda cells: "| " + " | ".join(str(c).ljust(w[i]) for i, c in enumerate(cells)) + " |"  # noqa: E731
    sep = "|" + "|".join("-" * (x + 2) for x in w) + "|"
    return "\n".join([line(head), sep] + [line(r) for r in rows])


# ---------------------------------------------------------------- cleanup
def cleanup() -> None:
    left = proc.kill_all()
    if left:
        log("stopped leftover processes by pid: " + ", ".join(left))
    with _state_lock:
        topos = list(_topologies)
        wds = list(_workdirs)
    for t in topos:
        t.down()
    if not os.environ.get("LAB_KEEP"):
        for wd in wds:
            shutil.rmtree(wd, ignore_errors=True)


def leftovers(scns: list[Scenario]) -> list[str]:
    """Namespaces, processes and temp dirs of this run still present (should be none)."""
    from labkit.net import ns_exists

    left = [n for s in scns if s.firewall for n in (s.ns("app"), s.ns("fw"), s.ns("db")) if ns_exists(n)]
    with proc._lock:
        pids = dict(proc._live)
    left += [f"{w} (pid {p})" for p, w in pids.items() if proc.alive(p)]
    with _state_lock:
        if not os.environ.get("LAB_KEEP"):
            left += [str(w) for w in _workdirs if w.exists()]
    return left


def main() -> int:
    ap = argparse.ArgumentParser(prog="lab/run", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("scenarios", nargs="*", help="scenario names (or name prefixes); all when none")
    ap.add_argument("--list", action="store_true", help="list the scenarios and exit")
    ap.add_argument("-j", "--jobs", type=int, default=int(os.environ.get("LAB_JOBS", "8")))
    args = ap.parse_args()
    require = os.environ.get("LAB_REQUIRE") == "1"

    try:
        scns = select(load_all(), args.scenarios)
    except ScenarioError as e:
        log(str(e))
        return 2
    if args.list:
        for s in scns:
            print(f"{s.name:40} {s.rule:6} {s.expect:7} servers={','.join(s.server_kinds)} probe={s.probe}")
        return 0
    why = why_not_runnable()
    if why:
        print(f"lab: SKIPPED: {why}", flush=True)
        return 3 if require else 0

    def on_term(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    total_limit = float(os.environ.get("LAB_TOTAL_TIMEOUT", "570"))
    t0 = time.monotonic()
    results: list[dict] = []
    interrupted = False
    ex = None
    try:
        binary = timeoutlint_bin()
        log(f"{len(scns)} scenario(s), {args.jobs} at a time, tool {binary}")
        # longest first, so the run ends sooner
        order = sorted(scns, key=lambda s: -s.timeout)
        ex = cf.ThreadPoolExecutor(max_workers=max(1, args.jobs))
        futs = {ex.submit(run_scenario, s, binary): s for s in order}
        pending = set(futs)
        while pending:
            left = total_limit - (time.monotonic() - t0)
            if left <= 0:
                raise TimeoutError(f"whole lab over {total_limit:.0f} s")
            done, pending = cf.wait(pending, timeout=min(left, 1.0))
            for f in done:
                r = f.result()
                results.append(r)
                log(f"{r['scenario']}: {r['status']} ({r.get('seconds', 0)} s)")
        ex.shutdown()
    except (KeyboardInterrupt, TimeoutError) as e:
        interrupted = True
        _stopping.set()
        log(f"interrupted ({type(e).__name__}: {e}); cleaning up")
        if ex is not None:
            ex.shutdown(wait=False, cancel_futures=True)
        cleanup()
        # running scenarios now fail fast (their processes are gone); give
        # them a moment to finish their own cleanup, then sweep again
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(t.name.startswith("ThreadPool") for t in threading.enumerate()):
            time.sleep(0.2)
        got = {r["scenario"] for r in results}
        for s in scns:
            if s.name not in got:
                results.append({"scenario": s.name, "rule": s.rule, "expect": s.expect, "status": "BROKEN",
                                "reason": f"not finished: {type(e).__name__}", "lab": {}})
    finally:
        cleanup()
    left = leftovers(scns)
    if left:
        log("LEFT BEHIND after cleanup: " + ", ".join(left))
        interrupted = True
    else:
        log("cleanup: no namespace, process or temp dir of this run is left")
    results.sort(key=lambda r: r["scenario"])
    elapsed = round(time.monotonic() - t0, 1)
    OUT.mkdir(parents=True, exist_ok=True)
    doc = {"version": 1, "elapsed": elapsed, "results": results}
    (OUT / "results.json").write_text(json.dumps(doc, indent=2) + "\n")
    print(table(results))
    bad = [r for r in results if r["status"] in ("MISMATCH", "BROKEN")]
    skipped = [r for r in results if r["status"] == "skipped"]
    print(
        f"lab: {len(results)} scenario(s) in {elapsed} s: "
        f"{sum(r['status'] == 'ok' for r in results)} ok, {len(bad)} mismatched or broken, "
        f"{sum(r['status'] == 'recorded' for r in results)} recorded, {len(skipped)} skipped; "
        f"results in {OUT / 'results.json'}"
    )
    for r in skipped:
        print(f"lab: SKIPPED {r['scenario']}: {r.get('reason')}")
    if interrupted:
        sys.stdout.flush()
        os._exit(1)  # worker threads that are still stuck must not hold the exit
    if bad:
        return 1
    if skipped and require:
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
