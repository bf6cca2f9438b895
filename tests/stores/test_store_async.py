"""AsyncRedisStore (issue 25): the async clients' store checks, re-reads and token writes
run on their event loop through redis.asyncio, never in a worker thread. Proved by
running the clients on a loop whose default executor refuses every job: any store call
sent to a thread would fail the call. Against the local stack and a real redis-server."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pytest

from ath import AsyncATHGatewayClient, ATHError, generate_private_key
from ath.stores import AsyncCredentialStore, AsyncRedisStore, EncryptedStore, RedisStore
from ath.testing import LocalStack, afollow_consent
from ath.testing._redis_server import RedisServer
from tests.stores.fleet_worker import DEVELOPER, GITHUB


class NoThreads(ThreadPoolExecutor):
    """A default executor that takes no job (and counts the refusals)."""

    def __init__(self) -> None:
        super().__init__(max_workers=1)
        self.refused = 0

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        self.refused += 1
        raise RuntimeError("no worker threads on this loop")


@pytest.mark.timeout(300)
@pytest.mark.parametrize("sealed", [False, True])
async def test_async_clients_use_the_store_on_their_loop(
    stack: LocalStack, redis_server: RedisServer, sealed: bool
) -> None:
    pem = generate_private_key()
    agent_id = stack.host_agent(pem, name="async-store-agent")
    prefix = f"async-{uuid.uuid4().hex}"
    redis_store = AsyncRedisStore(redis_server.url, prefix=prefix)
    store: AsyncRedisStore | EncryptedStore = redis_store
    if sealed:  # an EncryptedStore around it keeps to the loop too
        store = EncryptedStore(redis_store, EncryptedStore.generate_key())
    assert isinstance(store, AsyncCredentialStore)
    assert not isinstance(RedisStore(redis_server.url, prefix=prefix), AsyncCredentialStore)
    # the registration's single-flight lock is a sync call: done before the loop is locked
    async with AsyncATHGatewayClient(
        url=stack.gateway_url, agent_id=agent_id, private_key=pem, store=store
    ) as setup:
        await setup.register(developer=DEVELOPER, providers=GITHUB)
    no_threads = NoThreads()
    asyncio.get_running_loop().set_default_executor(no_threads)
    try:
        async with AsyncATHGatewayClient(
            url=stack.gateway_url,
            agent_id=agent_id,
            private_key=pem,
            store=store,
            store_refresh_interval=0,
        ) as client:
            for user in ("alice", "bob"):
                view = client.for_user(user)
                stack.consent.as_user(user)
                auth = await view.authorize("github", ["read:user"])
                consent = await afollow_consent(auth.authorization_url)
                await view.exchange_token(consent.code or "", auth.ath_session_id)
            logins = await asyncio.gather(
                *(client.for_user(u).proxy("github", "GET", "/user") for u in ["alice", "bob"] * 4)
            )
            assert [a["login"] for a in logins] == ["alice", "bob"] * 4
            assert await client.for_user("alice").revoke() == ["github"]
            with pytest.raises(ATHError) as err:
                await client.for_user("alice").proxy("github", "GET", "/user")
            assert err.value.code == "NO_TOKEN"
        assert no_threads.refused == 0
    finally:
        asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor())
    assert store.list_users(stack.gateway_url, agent_id) == ["bob"]
    bob = store.load(stack.gateway_url, agent_id, user="bob")
    assert bob is not None and set(bob.tokens) == {"github"}
    raw = redis_store.load(stack.gateway_url, agent_id, user="bob")
    assert raw is not None
    assert raw.tokens["github"].access_token.startswith("ath-enc:v1:") == sealed
    await redis_store.aclose()


async def test_async_store_needs_both_clients(redis_server: RedisServer) -> None:
    import redis

    with pytest.raises(ATHError) as err:
        AsyncRedisStore(client=redis.Redis.from_url(redis_server.url))
    assert err.value.code == "INVALID_ARGUMENT"
