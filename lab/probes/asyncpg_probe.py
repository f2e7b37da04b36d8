"""asyncpg probe: an SQLAlchemy asyncio pool on asyncpg, used as an async app uses it.

Reads `app/settings.yaml` of the scenario (the same file timeoutlint reads):

    sqlalchemy:
      url: postgresql+asyncpg://lab:lab@db:5432/lab   # host/port/user/password/db replaced by the lab's
      pool_recycle: 2
      pool_pre_ping: false
      connect_args: {command_timeout: 4}

Creates the engine with `create_async_engine` and those options (the pool is
SQLAlchemy's AsyncAdaptedQueuePool), checks out a connection and runs `query`
(lab.toml, default SELECT 1), returns it (or holds it with `hold = true`),
idles LAB_IDLE s, then runs `query_after` (default `query`) on a connection
from the pool (or the held one). asyncpg never sets SO_KEEPALIVE on its
sockets, so the app namespace's tcp_keepalive_* sysctls do nothing for it.

A statement stalled behind a silently dropping hop is bounded by
`command_timeout` when the settings give one; the probe also bounds every step
by LAB_STEP_TIMEOUT (default 20 s) so that it always prints its line.
With `request_deadline = N` (lab.toml, s) the query after the idle period runs
under that deadline, as a worker timeout would impose (TL125): when it fires
first, the outcome is RequestKilled, with no database error.
Prints one JSON line, as lab/probes/sqla.py: ok, error_class, error_text,
elapsed, second, versions, retry_ok.
"""

from __future__ import annotations

import asyncio
import os

import yaml
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

import common

ENGINE_KEYS = {
    "pool_size", "max_overflow", "pool_recycle", "pool_pre_ping", "pool_timeout",
    "connect_args", "pool_use_lifo", "pool_reset_on_return", "isolation_level",
}
STEP = float(os.environ.get("LAB_STEP_TIMEOUT", "20"))


def load_settings():
    d = common.scenario_dir()
    doc = yaml.safe_load((d / "app" / "settings.yaml").read_text())
    cfg = dict(doc.get("sqlalchemy") or doc)
    url = cfg.pop("url")
    return url, {k: v for k, v in cfg.items() if k in ENGINE_KEYS}


class RequestKilled(Exception):
    """The request deadline (lab.toml `request_deadline`, s) fired first, as a
    gunicorn worker timeout or a load balancer would end the request."""


def err_fields(e: BaseException, waited: float | None = None, command_timeout=None) -> dict:
    """As common.err_fields; an empty asyncio timeout says which bound fired."""
    if isinstance(e, (asyncio.TimeoutError, TimeoutError)) and not str(e):
        if command_timeout is not None and (waited is None or waited < STEP - 0.5):
            why = f"asyncpg command_timeout = {command_timeout} s"
        else:
            why = f"the probe's {STEP:g} s bound"
        # the exception's own text is empty: its repr is what the app's log shows
        return {"error_class": f"{type(e).__module__}.{type(e).__name__}", "error_text": f"{e!r} (from {why})"}
    return common.err_fields(e)


async def run() -> dict:
    m = common.meta()
    ep = common.endpoint()
    url, opts = load_settings()
    u = make_url(url).set(
        host=ep["host"], port=ep["port"], username=ep["user"], password=ep["password"], database=ep["database"]
    )
    drv = u.get_driver_name()
    res: dict = {
        "versions": ", ".join([common.dist_version("sqlalchemy"), common.dist_version(drv)]),
        "driver": drv,
        "options": opts,
    }
    common.emit(versions=res["versions"], driver=drv)  # kept by the runner if the probe is killed
    q1 = m.get("query", "SELECT 1")
    q2 = m.get("query_after", q1)
    ct = (opts.get("connect_args") or {}).get("command_timeout")
    eng = create_async_engine(u, **opts)
    conn = None
    try:
        try:
            conn = await asyncio.wait_for(eng.connect(), STEP)
            await asyncio.wait_for(conn.execute(text(q1)), STEP)
            if not common.hold():
                await conn.close()
                conn = None
        except Exception as e:  # noqa: BLE001 - a failure on the first use is the outcome too
            res.update(ok=False, stage="first", second=None, **err_fields(e, None, ct))
            return res
        await asyncio.sleep(common.idle())
        t = asyncio.get_running_loop().time()
        deadline = m.get("request_deadline")

        async def request():
            if conn is not None:
                await asyncio.wait_for(conn.execute(text(q2)), STEP)
            else:
                async with eng.connect() as c:
                    await asyncio.wait_for(c.execute(text(q2)), STEP)

        try:
            if deadline:
                cm = asyncio.timeout(float(deadline))
                try:
                    async with cm:
                        await request()
                except TimeoutError as e:
                    if not cm.expired():
                        raise  # a database-side timeout (command_timeout) fired first
                    raise RequestKilled(
                        f"request killed by its {float(deadline):g} s deadline before any database error"
                    ) from e
            else:
                await request()
            res.update(ok=True, second=round(asyncio.get_running_loop().time() - t, 2))
            res["note"] = f"query after {common.idle():g} s idle ok in {res['second']} s"
        except Exception as e:  # noqa: BLE001 - the point is to record it
            waited = round(asyncio.get_running_loop().time() - t, 2)
            res.update(ok=False, second=waited, **err_fields(e, waited, ct))
            try:
                async with eng.connect() as c:
                    await asyncio.wait_for(c.execute(text("SELECT 1")), STEP)
                res["retry_ok"] = True
            except Exception as e2:  # noqa: BLE001
                res["retry_ok"] = False
                res["retry_error"] = err_fields(e2)["error_text"]
        return res
    finally:
        try:
            if conn is not None:
                await asyncio.wait_for(conn.close(), 5)
        except Exception:  # noqa: BLE001 - teardown of a broken connection
            pass
        try:
            await asyncio.wait_for(eng.dispose(), 5)
        except Exception:  # noqa: BLE001
            pass


def main():
    clock = common.Clock()
    res = asyncio.run(run())
    res["elapsed"] = clock()
    common.emit(**res)


if __name__ == "__main__":
    main()
