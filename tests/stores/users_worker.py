"""A fleet member serving several users (issue 25), in its own spawned process.

It reports what it saw on a queue as plain data (logins and error codes, never a secret).
"""

from __future__ import annotations

from typing import Any

from ath import ATHError
from tests.stores.fleet_worker import DEVELOPER, GITHUB, client


def _login(c: Any, user: str) -> str:
    try:
        return str(c.for_user(user).proxy("github", "GET", "/user")["login"])
    except ATHError as exc:
        return exc.code


def serve_users(spec: dict[str, Any], commands: Any, results: Any) -> None:
    """No consent here: answer for bob and alice from the store, wait for alice's revoke
    elsewhere, answer again; the store is checked on every call (interval 0)."""
    with client(spec, store_refresh_interval=0) as c:
        c.register(developer=DEVELOPER, providers=GITHUB, purpose="fleet")
        results.put(("ready", [_login(c, "bob"), _login(c, "alice"), _login(c, "carol")]))
        commands.get(timeout=120)  # alice was revoked in the other process
        results.put(("done", [_login(c, "bob"), _login(c, "alice")]))
