"""AsyncRedisStore: a RedisStore that the async clients reach through ``redis.asyncio``.

The same layout, entries and transactions as :class:`~ath.stores.RedisStore` (it is
one), plus the coroutines of :class:`~ath.stores.AsyncCredentialStore`: an async
client's store checks (the hot path's ``HGET``), re-reads and token writes run on its
event loop, never in a worker thread. The sync methods stay for the sync clients and
the async clients' sync calls (``set_token``, ``set_credentials``, ``register``'s
single-flight lock). Use one store object from one event loop (redis.asyncio binds its
connections to the loop that opened them).
"""

from __future__ import annotations

import os
from typing import Any

from ath._errors import ATHClientError
from ath._frames import seal_methods
from ath.stores._model import DEFAULT_LOCK_TIMEOUT, Change, StoreEntry, loads
from ath.stores._redis import _READ, DEFAULT_URL, MAX_ATTEMPTS, RedisStore, _redis

__all__ = ["AsyncRedisStore"]


class AsyncRedisStore(RedisStore):
    """Entries in Redis, for async clients too (redis.asyncio on their event loop)."""

    def __init__(
        self,
        url: str | None = None,
        *,
        client: Any = None,
        aclient: Any = None,
        prefix: str = "ath-sdk",
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
        lock_ttl: float = 60.0,
    ) -> None:
        super().__init__(
            url, client=client, prefix=prefix, lock_timeout=lock_timeout, lock_ttl=lock_ttl
        )
        if aclient is None:
            if client is not None:
                raise ATHClientError(
                    "INVALID_ARGUMENT",
                    "AsyncRedisStore with client= needs aclient= (a redis.asyncio client) too",
                )
            target = url or os.environ.get("ATH_REDIS_URL") or DEFAULT_URL
            _redis()  # says how to install it when it is missing
            import redis.asyncio

            aclient = redis.asyncio.Redis.from_url(
                target, socket_timeout=5.0, socket_connect_timeout=5.0
            )
        self._ar = aclient
        self._aread_script = aclient.register_script(_READ)

    def __repr__(self) -> str:
        return f"AsyncRedisStore(prefix={self.prefix!r})"

    async def aclose(self) -> None:
        """Close the async client's connections."""
        await self._ar.aclose()

    async def astamp(self, base_url: str, agent_id: str, *, user: str = "") -> object:
        try:
            return await self._ar.hget(self._key(base_url, agent_id, user), "ver")
        except self._errors as exc:
            raise self._unavailable(exc) from None

    async def aload(self, base_url: str, agent_id: str, *, user: str = "") -> StoreEntry | None:
        try:
            raw = await self._aread_script(keys=[self._key(base_url, agent_id, user)])
        except self._errors as exc:
            raise self._unavailable(exc) from None
        return self._decode(raw, base_url, agent_id, user)

    async def aupdate(
        self, base_url: str, agent_id: str, change: Change, *, user: str = ""
    ) -> StoreEntry | None:
        """:meth:`RedisStore.update` on the event loop: the same optimistic transaction."""
        lib = _redis()
        key = self._key(base_url, agent_id, user)
        try:
            for _ in range(MAX_ATTEMPTS):
                async with self._ar.pipeline(transaction=True) as pipe:
                    try:
                        await pipe.watch(key)
                        doc, ver = await pipe.hmget(key, ["doc", "ver"])
                        names: list[str] = []
                        raw: list[Any] = [doc, ver]
                        if doc is not None:
                            parsed = loads(doc, f"Redis {key}")
                            if isinstance(parsed, dict):
                                names = list(parsed.get("token_names") or [])
                            for name in names:
                                raw += [name, await pipe.get(f"{key}:token:{name}")]
                        new = change(self._decode(raw, base_url, agent_id, user))
                        pipe.multi()
                        self._queue_write(pipe, key, names, new)
                        if user:
                            users = self._users_key(base_url, agent_id)
                            if new is None:
                                pipe.srem(users, user)
                            else:
                                pipe.sadd(users, user)
                        await pipe.execute()
                        return new
                    except lib.WatchError:
                        continue
        except self._errors as exc:
            raise self._unavailable(exc) from None
        raise ATHClientError(
            "STORE_LOCK_TIMEOUT",
            f"the Redis entry changed under {MAX_ATTEMPTS} attempts in a row; nothing was "
            "changed. Retry.",
        )


# What leaves the store's public methods carries no secret in its frames.
seal_methods(AsyncRedisStore)
