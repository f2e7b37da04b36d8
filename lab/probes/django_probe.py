"""Django probe: two web requests with an idle period between them.

Loads the scenario's `app/settings.py` (the Django settings module timeoutlint
reads), points DATABASES["default"] (or lab.toml `database`) at the lab's
server (HOST, PORT, USER, PASSWORD, NAME; for PostgreSQL, NAME is the lab
database too), and runs `query` (lab.toml, default SELECT 1) inside a
request: Django applies CONN_MAX_AGE and CONN_HEALTH_CHECKS at
`request_started` / `request_finished` (django.db.close_old_connections), so
the probe sends those signals around each query, as a web request does.
Prints one JSON line (lab/README.md).
"""

from __future__ import annotations

import runpy
import time

import common


def main():
    clock = common.Clock()
    m = common.meta()
    ep = common.endpoint()
    mod = runpy.run_path(str(common.scenario_dir() / "app" / "settings.py"))
    conf = {k: v for k, v in mod.items() if k.isupper()}
    alias = m.get("database", "default")
    db = dict(conf["DATABASES"][alias])
    db.update(HOST=ep["host"], PORT=ep["port"], USER=ep["user"], PASSWORD=ep["password"], NAME=ep["database"])
    conf["DATABASES"] = {alias: db} if alias == "default" else {"default": db, alias: db}
    conf.setdefault("INSTALLED_APPS", [])
    conf.setdefault("USE_TZ", True)

    import django
    from django.conf import settings

    settings.configure(**conf)
    django.setup()
    from django.core.signals import request_finished, request_started
    from django.db import connections

    engine = db.get("ENGINE", "")
    drv = "MySQLdb" if "mysql" in engine else ("psycopg" if "postgresql" in engine else engine)
    versions = ", ".join([common.dist_version("django"), common.dist_version(drv)])
    q = m.get("query", "SELECT 1")

    def request():
        request_started.send(sender=None)
        try:
            with connections[alias].cursor() as c:
                c.execute(q)
                c.fetchall()
        finally:
            request_finished.send(sender=None)

    res = {"versions": versions, "options": {k: db.get(k) for k in ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS")}}
    try:
        request()
    except Exception as e:  # noqa: BLE001 - e.g. a rejected option (TL115)
        res.update(ok=False, stage="first request", elapsed=clock(), **common.err_fields(e))
        res["error_text"] = f"{type(e).__module__}.{type(e).__name__}: {res['error_text']}"
        common.emit(**res)
        return
    time.sleep(common.idle())
    t = time.monotonic()
    try:
        request()
        res.update(ok=True, second=round(time.monotonic() - t, 2))
        res["note"] = f"request after {common.idle():g} s idle ok in {res['second']} s"
    except Exception as e:  # noqa: BLE001 - the point is to record it
        res.update(ok=False, stage="after idle", second=round(time.monotonic() - t, 2))
        res.update(common.err_fields(e))
        res["error_text"] = f"{type(e).__module__}.{type(e).__name__}: {res['error_text']}"
        try:
            request()
            res["retry_ok"] = True
        except Exception as e2:  # noqa: BLE001
            res["retry_ok"] = False
            res["retry_error"] = str(e2)
    res["elapsed"] = clock()
    common.emit(**res)


if __name__ == "__main__":
    main()
