"""labkit: the timeoutlint lab's framework (see lab/README.md).

- `scenario`: Scenario (a folder under lab/scenarios/ + its lab.toml) and Server
  (what every server module's `start(scn, netns) -> Server` returns).
- `proc`: processes started and stopped by pid (never by name).
- `net`: the app / fw / db namespaces with the silently dropping firewall.
- `mariadb` (and, by engineer B, `postgres`, `pgbouncer`, `haproxy`): server modules.
"""

from .scenario import Scenario, ScenarioError, Server, load_all, select

__all__ = ["Scenario", "ScenarioError", "Server", "load_all", "select"]
