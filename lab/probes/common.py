"""Helpers shared by the lab's probes (see lab/README.md, "Probes")."""

from __future__ import annotations

import json
import os
import sys
import time
from importlib import metadata
from pathlib import Path

# dialect driver / module -> the distribution whose version is reported
DISTS = {
    "pymysql": "PyMySQL",
    "mysqldb": "mysqlclient",
    "MySQLdb": "mysqlclient",
    "psycopg": "psycopg",
    "psycopg2": "psycopg2",
    "asyncpg": "asyncpg",
    "django": "Django",
    "sqlalchemy": "SQLAlchemy",
}


def dist_version(name: str) -> str:
    dist = DISTS.get(name, name)
    try:
        return f"{dist} {metadata.version(dist)}"
    except metadata.PackageNotFoundError:
        return f"{dist} ?"


def scenario_dir() -> Path:
    return Path(sys.argv[1] if len(sys.argv) > 1 else os.environ["LAB_SCENARIO_DIR"])


def meta() -> dict:
    return json.loads(os.environ.get("LAB_SCENARIO_META", "{}"))


def endpoint() -> dict:
    """The server the app connects to: host, port, user, password, database."""
    return {
        "host": os.environ.get("LAB_HOST", "127.0.0.1"),
        "port": int(os.environ.get("LAB_PORT", "3306")),
        "user": os.environ.get("LAB_USER", "lab"),
        "password": os.environ.get("LAB_PASSWORD", "lab"),
        "database": os.environ.get("LAB_DATABASE", "lab"),
    }


def idle() -> float:
    return float(os.environ.get("LAB_IDLE", "0"))


def hold() -> bool:
    return os.environ.get("LAB_HOLD") == "1"


def err_fields(e: BaseException) -> dict:
    """error_class (module.Class of what the app caught) and error_text (the
    first line users see in logs: for an error SQLAlchemy wraps, the driver's
    class and message, as SQLAlchemy prints them)."""
    orig = getattr(e, "orig", None)
    cls = f"{type(e).__module__}.{type(e).__name__}"
    if orig is not None:
        ocls = f"{type(orig).__module__}.{type(orig).__name__}"
        cls += f" ({ocls})"
        # as SQLAlchemy's own message starts: "(pymysql.err.OperationalError) (2006, ...)"
        text = f"({ocls}) {orig}"
    else:
        text = str(e)
    return {"error_class": cls, "error_text": text.strip().splitlines()[0] if text.strip() else repr(e)}


def emit(**fields) -> None:
    print(json.dumps(fields, default=str), flush=True)


class Clock:
    def __init__(self):
        self.t0 = time.monotonic()

    def __call__(self) -> float:
        return round(time.monotonic() - self.t0, 2)
