"""proxy() with a credential store vs raw httpx2, and a fleet's registrations.

``proxy_store_*_ratio``: the same measurement as ``proxy_sync_ratio`` (bench._micro),
the client given a FileStore (a temp folder) or a RedisStore (a redis-server this
bench starts on loopback), with the default store_refresh_interval: what a fleet
member pays on its hot path.

``fleet_registrations_8``: 8 processes started together (a barrier, spawn) on an
empty store each call register(); the figure is the number of registration requests
the local stack received (the target is 1), per store kind.
"""

from __future__ import annotations

import multiprocessing
import tempfile
import uuid
from pathlib import Path
from typing import Any

import httpx2

from ath import ATHGatewayClient, generate_private_key
from ath.stores import CredentialStore, FileStore, RedisStore
from bench._common import TOKEN, agent_id_for, raw_headers
from bench._micro import SDK_TIMEOUT, Pair, _compare, _json_or_raise
from bench._stats import Deadline

DEVELOPER = {"name": "Bench", "id": "bench"}
PROVIDERS = [{"provider_id": "github", "scopes": ["read:user"]}]


def proxy_store_round(
    url: str, pem: str, store: CredentialStore, *, calls: int, deadline: Deadline
) -> Pair:
    agent_id = agent_id_for(url)
    target = f"{url}/ath/proxy/github/user"
    with (
        ATHGatewayClient(url=url, agent_id=agent_id, private_key=pem, store=store) as client,
        httpx2.Client(headers=raw_headers(agent_id), timeout=SDK_TIMEOUT) as raw,
    ):
        client.set_token(TOKEN, "github")

        def ours() -> object:
            return client.proxy("github", "GET", "/user")

        def base() -> object:
            return _json_or_raise(raw.get(target))

        return _compare(ours, base, calls=calls, deadline=deadline)


def _member(spec: dict[str, Any], barrier: Any, results: Any) -> None:
    store: CredentialStore = (
        FileStore(spec["target"], lock_timeout=60.0)
        if spec["kind"] == "file"
        else RedisStore(spec["target"], prefix=spec["prefix"], lock_timeout=60.0)
    )
    with ATHGatewayClient(
        url=spec["url"], agent_id=spec["agent_id"], private_key=spec["pem"], store=store
    ) as client:
        barrier.wait(timeout=120)
        reg = client.register(developer=DEVELOPER, providers=PROVIDERS, purpose="bench")
        results.put(reg.client_id)


def fleet_round(kind: str, redis_url: str, *, members: int = 8) -> tuple[int, int]:
    """(registration requests the stack received, distinct client_ids in the fleet)."""
    from ath.testing import LocalStack

    ctx = multiprocessing.get_context("spawn")
    with LocalStack() as stack, tempfile.TemporaryDirectory() as folder:
        pem = generate_private_key()
        spec = {
            "url": stack.gateway_url,
            "agent_id": stack.host_agent(pem, name="bench-fleet"),
            "pem": pem,
            "kind": kind,
            "target": str(Path(folder) / "store.json") if kind == "file" else redis_url,
            "prefix": f"bench-{uuid.uuid4().hex}",
        }
        barrier, results = ctx.Barrier(members), ctx.Queue()
        procs = [ctx.Process(target=_member, args=(spec, barrier, results)) for _ in range(members)]
        for proc in procs:
            proc.start()
        try:
            ids = {results.get(timeout=180) for _ in range(members)}
        finally:
            for proc in procs:
                proc.join(timeout=60)
                if proc.is_alive():
                    proc.kill()
        return stack.registration_requests(), len(ids)
