"""Fleet probe: every process's pool at its maximum at once (TL123).

Reads the scenario's manifest (`timeoutlint.toml`): for each [[path]], its
`processes` (default 1) and its app settings (`app/settings.yaml`, key
`sqlalchemy`: url, pool_size (default 5), max_overflow (default 10)). It then
opens one SQLAlchemy engine per process (a pool cannot be shared across
processes, so each engine stands for one) and checks out every connection
each pool allows, holding them all, as a fleet at peak does. `ok` is whether
every checkout succeeded; the first refusal is the error (MariaDB: 1040 "Too
many connections"; PostgreSQL: "sorry, too many clients already").
Prints one JSON line (lab/README.md), with `opened` and `wanted`.
"""

from __future__ import annotations

import tomllib

import yaml
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

import common


def main():
    clock = common.Clock()
    d = common.scenario_dir()
    ep = common.endpoint()
    manifest = tomllib.loads((d / "timeoutlint.toml").read_text())
    engines, held = [], []
    wanted = opened = 0
    res: dict = {}
    drv = "?"
    try:
        for path in manifest.get("path", []):
            cfg = dict(yaml.safe_load((d / path["app"]).read_text()).get("sqlalchemy"))
            u = make_url(cfg.pop("url")).set(
                host=ep["host"], port=ep["port"], username=ep["user"], password=ep["password"],
                database=ep["database"],
            )
            drv = u.get_driver_name()
            size = int(cfg.get("pool_size", 5))
            over = int(cfg.get("max_overflow", 10))
            for _ in range(int(path.get("processes", 1))):
                eng = create_engine(u, pool_size=size, max_overflow=over, pool_timeout=5)
                engines.append(eng)
                wanted += size + over
        for eng in engines:
            for _ in range(eng.pool.size() + eng.pool._max_overflow):
                c = eng.connect()
                held.append(c)
                c.execute(text("SELECT 1")).fetchall()
                opened += 1
        res.update(ok=True, note=f"{opened} of {wanted} connections open at once")
    except Exception as e:  # noqa: BLE001 - the point is to record it
        res.update(ok=False, **common.err_fields(e))
        res["note"] = f"refused after {opened} of {wanted}"
    finally:
        for c in held:
            try:
                c.close()
            except Exception:  # noqa: BLE001
                pass
        for eng in engines:
            eng.dispose()
    res.update(opened=opened, wanted=wanted, elapsed=clock(),
               versions=", ".join([common.dist_version("sqlalchemy"), common.dist_version(drv)]))
    common.emit(**res)


if __name__ == "__main__":
    main()
