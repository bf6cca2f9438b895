"""Fixtures of the handshake suites."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx2
import pytest

from ath import AsyncATHGatewayClient, ATHGatewayClient
from ath.testing import LocalStack
from tests._support.shells import Either, settle
from tests.conftest import Agent

Factory = Callable[..., Either]


@pytest.fixture(params=["sync", "async"])
async def new_client(
    request: pytest.FixtureRequest, stack: LocalStack, agent: Agent
) -> AsyncIterator[Factory]:
    """A gateway client in the parametrized shell whose sent requests are recorded
    (an httpx2 event hook on the real connection pool)."""
    is_async = request.param == "async"
    made: list[Any] = []

    def make(sent: list[httpx2.Request] | None = None, **options: Any) -> Either:
        record = sent if sent is not None else []
        client: Any
        if is_async:

            async def hook(req: httpx2.Request) -> None:
                record.append(req)

            http: Any = httpx2.AsyncClient(trust_env=False, event_hooks={"request": [hook]})
            client = AsyncATHGatewayClient(
                url=stack.gateway_url,
                agent_id=agent.agent_id,
                private_key=agent.pem,
                http_client=http,
                **options,
            )
        else:
            http = httpx2.Client(trust_env=False, event_hooks={"request": [record.append]})
            client = ATHGatewayClient(
                url=stack.gateway_url,
                agent_id=agent.agent_id,
                private_key=agent.pem,
                http_client=http,
                **options,
            )
        made.append(http)
        made.append(client)
        return Either(client, is_async)

    yield make
    for item in made:
        await settle(item.aclose() if hasattr(item, "aclose") else item.close())
