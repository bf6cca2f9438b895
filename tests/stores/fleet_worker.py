"""One member of a fleet: a client in its own (spawned) process sharing a store.

The tests start several of these with multiprocessing's spawn context; each reports
what it saw on a queue as plain data (never a secret).
"""

from __future__ import annotations

from typing import Any

from ath import ATHError, ATHGatewayClient
from ath.stores import CredentialStore, FileStore, RedisStore

DEVELOPER = {"name": "Acme", "id": "acme"}
GITHUB = [{"provider_id": "github", "scopes": ["read:user", "repo"]}]


def open_store(kind: str, target: str) -> CredentialStore:
    if kind == "file":
        return FileStore(target, lock_timeout=60.0)
    url, prefix = target.split("#", 1)
    return RedisStore(url, prefix=prefix, lock_timeout=60.0)


def client(spec: dict[str, Any], **options: Any) -> ATHGatewayClient:
    return ATHGatewayClient(
        url=spec["url"],
        agent_id=spec["agent_id"],
        private_key=spec["pem"],
        store=open_store(spec["kind"], spec["target"]),
        **options,
    )


def register_together(spec: dict[str, Any], barrier: Any, results: Any) -> None:
    """Wait for the others, then register at the same moment."""
    with client(spec) as c:
        barrier.wait(timeout=120)
        try:
            reg = c.register(developer=DEVELOPER, providers=GITHUB, purpose="fleet")
            results.put(("ok", reg.client_id, c.client_id))
        except ATHError as exc:
            results.put(("error", exc.code, exc.message))


def use_shared_token(spec: dict[str, Any], results: Any) -> None:
    """No consent here: register (served by the store) and proxy with the fleet's token."""
    with client(spec) as c:
        try:
            c.register(developer=DEVELOPER, providers=GITHUB, purpose="fleet")
            user = c.proxy("github", "GET", "/user")
            results.put(("ok", sorted(c.tokens), bool(user)))
        except ATHError as exc:
            results.put(("error", exc.code, exc.message))


def after_revoke(spec: dict[str, Any], commands: Any, results: Any) -> None:
    """Proxy once (the token is good), wait for the revoke elsewhere, proxy twice more."""
    with client(spec, store_refresh_interval=3600.0) as c:
        c.register(developer=DEVELOPER, providers=GITHUB, purpose="fleet")
        outcomes: list[str] = []
        try:
            c.proxy("github", "GET", "/user")
            outcomes.append("ok")
        except ATHError as exc:
            outcomes.append(exc.code)
        results.put(("ready", outcomes))
        commands.get(timeout=120)  # the revoke happened
        for _ in range(2):
            try:
                c.proxy("github", "GET", "/user")
                outcomes.append("ok")
            except ATHError as exc:
                outcomes.append(exc.code)
        results.put(("done", outcomes))
