"""SQLAlchemy probe: a pool used as an app uses it.

Reads `app/settings.yaml` of the scenario (the same file timeoutlint reads):

    sqlalchemy:
      url: mysql+pymysql://lab:lab@db.lab:3306/lab   # host/port/user/password/db replaced by the lab's
      pool_recycle: 12
      pool_pre_ping: false
      connect_args: {read_timeout: 5}

Creates the engine with those options, checks out a connection and runs
`query` (lab.toml, default SELECT 1), returns it to the pool (or keeps it
checked out with `hold = true`), idles LAB_IDLE s, then runs `query_after`
(default: `query`) on a connection from the pool (or on the held one).
Prints one JSON line: ok, stage ("first query": engine creation, connect or
the first query failed, e.g. a rejected option; "after idle"), error_class,
error_text, elapsed (s, whole run),
second (s, the query after the idle period, including checkout: the stall),
versions; and `retry_ok` (an immediate retry on the same engine).
"""

from __future__ import annotations

import time

import yaml
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

import common

ENGINE_KEYS = {
    "pool_size", "max_overflow", "pool_recycle", "pool_pre_ping", "pool_timeout",
    "connect_args", "pool_use_lifo", "pool_reset_on_return", "isolation_level", "poolclass",
}


def load_settings():
    d = common.scenario_dir()
    doc = yaml.safe_load((d / "app" / "settings.yaml").read_text())
    cfg = dict(doc.get("sqlalchemy") or doc)
    url = cfg.pop("url")
    opts = {k: v for k, v in cfg.items() if k in ENGINE_KEYS}
    if opts.get("poolclass") == "NullPool":
        from sqlalchemy.pool import NullPool

        opts["poolclass"] = NullPool
    return url, opts


def main():
    clock = common.Clock()
    m = common.meta()
    ep = common.endpoint()
    url, opts = load_settings()
    u = make_url(url).set(
        host=ep["host"], port=ep["port"], username=ep["user"], password=ep["password"], database=ep["database"]
    )
    drv = u.get_driver_name()
    versions = ", ".join([common.dist_version("sqlalchemy"), common.dist_version(drv)])
    q1 = m.get("query", "SELECT 1")
    q2 = m.get("query_after", q1)
    res = {"versions": versions, "driver": drv, "options": {k: v for k, v in opts.items() if k != "poolclass"}}
    common.emit(versions=versions)  # early, in case the probe hangs and is killed
    try:
        # a driver or proxy that rejects an option fails here (TL112, TL114, TL122)
        eng = create_engine(u, **opts)
        conn = eng.connect()
        conn.execute(text(q1)).fetchall()
    except Exception as e:  # noqa: BLE001 - the point is to record it
        res.update(ok=False, stage="first query", elapsed=clock(), **common.err_fields(e))
        common.emit(**res)
        return
    if not common.hold():
        conn.close()
    time.sleep(common.idle())
    t = time.monotonic()
    try:
        if common.hold():
            conn.execute(text(q2)).fetchall()
        else:
            with eng.connect() as c:
                c.execute(text(q2)).fetchall()
        res.update(ok=True, second=round(time.monotonic() - t, 2))
        res["note"] = f"query after {common.idle():g} s idle ok in {res['second']} s"
    except Exception as e:  # noqa: BLE001 - the point is to record it
        res.update(ok=False, stage="after idle", second=round(time.monotonic() - t, 2), **common.err_fields(e))
        try:
            with eng.connect() as c:
                c.execute(text("SELECT 1")).fetchall()
            res["retry_ok"] = True
        except Exception as e2:  # noqa: BLE001
            res["retry_ok"] = False
            res["retry_error"] = common.err_fields(e2)["error_text"]
    try:
        if common.hold():
            conn.close()
        eng.dispose()
    except Exception:  # noqa: BLE001 - teardown of a broken connection
        pass
    res["elapsed"] = clock()
    common.emit(**res)


if __name__ == "__main__":
    main()
