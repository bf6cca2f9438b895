"""One side of ``proxy_async_instructions_ratio``, run under cachegrind by ``bench._instr``.

``python bench/instr_burst.py URL SIDE N``: ``SIDE`` is ``ours``
(AsyncATHGatewayClient.proxy()), ``ours_aiohttp`` (the same on the SDK's aiohttp engine,
``http="aiohttp"``, for ``proxy_async_vs_aiohttp``), ``raw`` (httpx2.AsyncClient.get()
and .json()) or ``aiohttp`` (the same with aiohttp.ClientSession, 20 connections). An
untimed warm-up burst of 200 concurrent calls opens the pool, then ``N`` concurrent calls.
The bench runs each side with ``N`` = 0 and ``N`` = the burst size: the difference is
what the burst cost, start-up and warm-up cancelled.
Every side: the same pool size and timeouts as the timed ``proxy_async_ratio``
(``bench._micro``).
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx2

from ath import AsyncATHGatewayClient, generate_private_key
from bench._common import TOKEN, agent_id_for, raw_headers
from bench._micro import BURST_LIMITS, BURST_TIMEOUT

WARM_UP = 200


async def _main(url: str, side: str, n: int) -> int:
    agent_id = agent_id_for(url)
    answers: list[object] = []
    if side in ("ours", "ours_aiohttp"):
        async with AsyncATHGatewayClient(
            url=url,
            agent_id=agent_id,
            private_key=generate_private_key(),
            timeout=BURST_TIMEOUT,
            limits=BURST_LIMITS,
            http="aiohttp" if side == "ours_aiohttp" else "httpx2",
        ) as client:
            client.set_token(TOKEN, "github")

            async def ours() -> object:
                return await client.proxy("github", "GET", "/user")

            await asyncio.gather(*(ours() for _ in range(WARM_UP)))
            answers = await asyncio.gather(*(ours() for _ in range(n)))
    elif side == "raw":
        target = f"{url}/ath/proxy/github/user"
        async with httpx2.AsyncClient(
            headers=raw_headers(agent_id), timeout=BURST_TIMEOUT, limits=BURST_LIMITS
        ) as raw:

            async def base() -> object:
                response = await raw.get(target)
                response.raise_for_status()
                return response.json()

            await asyncio.gather(*(base() for _ in range(WARM_UP)))
            answers = await asyncio.gather(*(base() for _ in range(n)))
    elif side == "aiohttp":
        import aiohttp  # the bench's reference for the async floor (requirements-dev)

        target = f"{url}/ath/proxy/github/user"
        connector = aiohttp.TCPConnector(limit=BURST_LIMITS.max_connections or 20)
        async with aiohttp.ClientSession(
            connector=connector, headers=raw_headers(agent_id)
        ) as session:

            async def floor() -> object:
                async with session.get(target) as response:
                    response.raise_for_status()
                    return await response.json()

            await asyncio.gather(*(floor() for _ in range(WARM_UP)))
            answers = await asyncio.gather(*(floor() for _ in range(n)))
    else:
        raise SystemExit(f"unknown side {side!r}")
    return len(answers)


if __name__ == "__main__":
    done = asyncio.run(_main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
    print(f'{{"calls": {done}}}')
