"""Per-call cost of ``proxy()`` / ``api()`` against raw httpx2 doing the same request.

Both sides talk to the same fast server over loopback, carry the same two ATH
headers and parse the JSON answer; the SDK side additionally does whatever the SDK
does (path checks, token lookup, retry bookkeeping, the size-limited body read).
Calls alternate in blocks, the order flipping every block, so that drift in the
machine's speed hits both sides alike.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Final

import httpx2

from ath import (
    AsyncATHGatewayClient,
    ATHGatewayClient,
    ATHNativeClient,
)
from bench._common import TOKEN, agent_id_for, raw_headers
from bench._stats import BudgetExceeded, Deadline, median, ratio_noise

_WARMUP: Final = 50
#: The SDK's default timeout (30 s, connect 10 s), given to the baselines too: under
#: 1000 concurrent calls httpx2's 5 s default can run out while waiting for the pool.
SDK_TIMEOUT: Final = httpx2.Timeout(30.0, connect=10.0)
#: The bursts: the same on both sides, except that waiting for a pooled connection
#: is unbounded (a burst is bounded by the section's deadline instead): on a heavily
#: loaded machine 1000 calls through 20 connections can queue for more than 30 s.
BURST_TIMEOUT: Final = httpx2.Timeout(30.0, connect=10.0, pool=None)
#: The bursts' connection pool, the same on both sides, sized for 2 cores rather than
#: left to httpx2's default (100 connections, 20 kept alive). With the default, every
#: burst of 1000 calls opened 100 connections and closed 80 of them when it ended, so
#: each burst began with 80 connects at once from an event loop busy with 1000 tasks;
#: on a loaded machine one of them ran past its 10 s connect timeout and ended the
#: run. One client process and one server process (one thread each) can keep at most
#: one core each busy: more connections than the server can answer between two of
#: the client's loop turns add connects, not throughput. So: 20 connections (httpx2's
#: default keep-alive count), all kept alive for the whole round (keepalive_expiry far
#: above a round's gaps), opened once in the untimed warm-up burst; the other 980
#: calls wait for the pool (pool timeout None above). Both sides at once hold at
#: most 2 x 20 connections, far below the fast server's backlog (1024, see
#: bench.fastserver), so no connection attempt queues in the kernel.
BURST_LIMITS: Final = httpx2.Limits(
    max_connections=20, max_keepalive_connections=20, keepalive_expiry=600.0
)


@dataclass(frozen=True)
class Pair:
    """One round: the SDK's figure and the baseline's (seconds)."""

    ours: float
    base: float
    #: :func:`bench._stats.ratio_noise` of both sides' samples within the round.
    noise: float = 0.0

    @property
    def ratio(self) -> float:
        return self.ours / self.base


def _json_or_raise(response: httpx2.Response) -> Any:
    response.raise_for_status()
    return response.json()


def interleaved(
    ours: Callable[[], object],
    base: Callable[[], object],
    *,
    calls: int,
    block: int,
    deadline: Deadline,
) -> tuple[list[int], list[int]]:
    """``calls`` timed calls of each (ns), alternating blocks of ``block``."""
    ours_ns: list[int] = []
    base_ns: list[int] = []
    clock = time.perf_counter_ns
    flip = False
    while len(ours_ns) < calls:
        deadline.check()
        n = min(block, calls - len(ours_ns))
        order = ((base, base_ns), (ours, ours_ns)) if flip else ((ours, ours_ns), (base, base_ns))
        for fn, sink in order:
            for _ in range(n):
                started = clock()
                fn()
                sink.append(clock() - started)
        flip = not flip
    return ours_ns, base_ns


def _warm(*fns: Callable[[], object]) -> None:
    for fn in fns:
        for _ in range(_WARMUP):
            fn()


def _compare(
    ours: Callable[[], object], base: Callable[[], object], *, calls: int, deadline: Deadline
) -> Pair:
    """Check both sides get the same answer, warm them, then time them interleaved."""
    if ours() != base():
        raise RuntimeError("the SDK and the baseline got different answers")
    _warm(ours, base)
    gc.collect()
    ours_ns, base_ns = interleaved(ours, base, calls=calls, block=100, deadline=deadline)
    return Pair(median(ours_ns) / 1e9, median(base_ns) / 1e9, ratio_noise(ours_ns, base_ns))


def proxy_sync_round(url: str, pem: str, *, calls: int, deadline: Deadline) -> Pair:
    """Median per-call time of ``ATHGatewayClient.proxy`` vs ``httpx2.Client`` + ``.json()``."""
    agent_id = agent_id_for(url)
    target = f"{url}/ath/proxy/github/user"
    with (
        ATHGatewayClient(url=url, agent_id=agent_id, private_key=pem) as client,
        httpx2.Client(headers=raw_headers(agent_id), timeout=SDK_TIMEOUT) as raw,
    ):
        client.set_token(TOKEN, "github")

        def ours() -> object:
            return client.proxy("github", "GET", "/user")

        def base() -> object:
            return _json_or_raise(raw.get(target))

        return _compare(ours, base, calls=calls, deadline=deadline)


def api_sync_round(url: str, pem: str, *, calls: int, deadline: Deadline) -> Pair:
    """Median per-call time of ``ATHNativeClient.api`` (after ``discover()``) vs raw httpx2."""
    agent_id = agent_id_for(url)
    with (
        ATHNativeClient(url=url, agent_id=agent_id, private_key=pem) as client,
        httpx2.Client(headers=raw_headers(agent_id), timeout=SDK_TIMEOUT) as raw,
    ):
        doc = client.discover()
        api_base = str(doc.api_base).rstrip("/")
        target = f"{api_base}/items"
        client.set_token(TOKEN)

        def ours() -> object:
            return client.api("GET", "/items")

        def base() -> object:
            return _json_or_raise(raw.get(target))

        return _compare(ours, base, calls=calls, deadline=deadline)


#: ``proxy_10k_tokens_ratio``: what the loaded client holds.
HELD_TOKENS: Final = 10_000
PENDING_AUTHORIZATIONS: Final = 256


def loaded_client(url: str, pem: str, *, tokens: int, pending: int) -> ATHGatewayClient:
    """A gateway client holding ``tokens`` tokens (for as many providers, ``github``
    among them) and ``pending`` pending authorizations, all through the public API:
    ``set_token`` and ``authorize()`` against the fast server."""
    client = ATHGatewayClient(url=url, agent_id=agent_id_for(url), private_key=pem)
    client.set_credentials("bench-client", "bench-secret")
    for i in range(tokens - 1):
        client.set_token(f"{TOKEN}-{i}", f"provider-{i}")
    client.set_token(TOKEN, "github")
    for _ in range(pending):
        client.authorize("github", ["read:user"])
    if len(client.tokens) != tokens or len(client.pending_authorizations) != pending:
        client.close()
        raise RuntimeError("the loaded client does not hold what it should")
    return client


def proxy_tokens_round(
    url: str, pem: str, *, calls: int, tokens: int, pending: int, deadline: Deadline
) -> Pair:
    """Median per-call ``proxy()`` time of a client holding ``tokens`` tokens and
    ``pending`` pending authorizations against one holding a single token; both in this
    process (same heap, same collector), calls interleaved in blocks."""
    loaded = loaded_client(url, pem, tokens=tokens, pending=pending)
    with loaded, ATHGatewayClient(url=url, agent_id=agent_id_for(url), private_key=pem) as one:
        one.set_token(TOKEN, "github")

        def ours() -> object:
            return loaded.proxy("github", "GET", "/user")

        def base() -> object:
            return one.proxy("github", "GET", "/user")

        return _compare(ours, base, calls=calls, deadline=deadline)


#: ``proxy_10k_users_ratio``: how many users hold a token in the loaded client.
HELD_USERS: Final = 10_000


def users_client(url: str, pem: str, *, users: int) -> ATHGatewayClient:
    """A gateway client whose ``users`` users (``user-0`` ...) each hold a ``github``
    token, set through the public API (``for_user(...).set_token``)."""
    client = ATHGatewayClient(url=url, agent_id=agent_id_for(url), private_key=pem)
    client.set_credentials("bench-client", "bench-secret")
    for i in range(users):
        client.for_user(f"user-{i}").set_token(f"{TOKEN}-{i}", "github")
    if len(client.for_user(f"user-{users - 1}").tokens) != 1:
        client.close()
        raise RuntimeError("the loaded client does not hold what it should")
    return client


def proxy_users_round(url: str, pem: str, *, calls: int, users: int, deadline: Deadline) -> Pair:
    """Median per-call ``client.for_user(u).proxy()`` time when ``users`` users hold tokens
    (each call for the next user, round the whole population) against a client where one
    user holds a token; both in this process, calls interleaved in blocks."""
    loaded = users_client(url, pem, users=users)
    with loaded, users_client(url, pem, users=1) as one:
        names = [f"user-{i}" for i in range(users)]
        turn = [0]

        def ours() -> object:
            turn[0] = (turn[0] + 7919) % users  # a prime stride: every user, scattered
            return loaded.for_user(names[turn[0]]).proxy("github", "GET", "/user")

        def base() -> object:
            return one.for_user("user-0").proxy("github", "GET", "/user")

        return _compare(ours, base, calls=calls, deadline=deadline)


async def _bounded(work: Awaitable[Any], deadline: Deadline, what: str) -> Any:
    """``work`` within what is left of ``deadline``; past it, BudgetExceeded naming ``what``
    (the round is then recorded as failed, see ``bench.__main__.ROUND_ERRORS``)."""
    try:
        return await asyncio.wait_for(work, timeout=max(deadline.left(), 0.0))
    except TimeoutError:
        raise BudgetExceeded(
            f"{what} did not finish within the {deadline.seconds:.0f}s bound of {deadline.what}"
        ) from None


async def _burst(make: Callable[[], Awaitable[object]], n: int, deadline: Deadline) -> float:
    started = time.perf_counter()
    await _bounded(asyncio.gather(*(make() for _ in range(n))), deadline, f"{n} concurrent calls")
    return time.perf_counter() - started


@dataclass(frozen=True)
class AsyncRound:
    """Wall seconds of each burst, pairs adjacent in time."""

    ours: list[float]
    base: list[float]

    @property
    def ratio(self) -> float:
        """Median over the pairs of ours/baseline: slow drift cancels within a pair."""
        return median([o / b for o, b in zip(self.ours, self.base, strict=True)])

    @property
    def noise(self) -> float:
        return ratio_noise(self.ours, self.base)


async def _proxy_async(
    url: str, pem: str, concurrency: int, reps: int, deadline: Deadline
) -> AsyncRound:
    agent_id = agent_id_for(url)
    target = f"{url}/ath/proxy/github/user"
    # Both sides: the same pool (BURST_LIMITS; the SDK's own transport takes it)
    # and the same timeouts (BURST_TIMEOUT).
    async with (
        AsyncATHGatewayClient(
            url=url,
            agent_id=agent_id,
            private_key=pem,
            timeout=BURST_TIMEOUT,
            limits=BURST_LIMITS,
        ) as client,
        httpx2.AsyncClient(
            headers=raw_headers(agent_id), timeout=BURST_TIMEOUT, limits=BURST_LIMITS
        ) as raw,
    ):
        client.set_token(TOKEN, "github")

        async def ours() -> object:
            return await client.proxy("github", "GET", "/user")

        async def base() -> object:
            return _json_or_raise(await raw.get(target))

        if await _bounded(ours(), deadline, "one call") != await _bounded(
            base(), deadline, "one call"
        ):
            raise RuntimeError("the SDK and the baseline got different answers")
        await _burst(ours, concurrency, deadline)
        await _burst(base, concurrency, deadline)
        ours_s: list[float] = []
        base_s: list[float] = []
        for rep in range(reps):
            deadline.check()
            gc.collect()
            if rep % 2:
                base_s.append(await _burst(base, concurrency, deadline))
                ours_s.append(await _burst(ours, concurrency, deadline))
            else:
                ours_s.append(await _burst(ours, concurrency, deadline))
                base_s.append(await _burst(base, concurrency, deadline))
    return AsyncRound(ours_s, base_s)


def proxy_async_round(
    url: str, pem: str, *, concurrency: int, reps: int, deadline: Deadline
) -> AsyncRound:
    """Wall time of ``concurrency`` concurrent ``proxy()`` calls vs raw ``httpx2.AsyncClient``."""
    return asyncio.run(_proxy_async(url, pem, concurrency, reps, deadline))
