"""Issue 23 item 9: tool output never hands the model the ATH token, even from an API that
echoes the request's headers (gateway and native, sync and async), through the tool core,
the LangChain tools (ATHTool and ATHToolkit) and ATHAuth."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from ath import AsyncATHGatewayClient, AsyncATHNativeClient, ATHGatewayClient, ATHNativeClient
from ath.langchain import ATHTool, ATHToolkit
from ath.tools import ATHAuth, ToolCore, generic_spec
from tests.conftest import Agent

from ._servers import echo_server

TOKEN = "ath_tk_EchoedSecretToken0123456789"


@pytest.fixture
def echo() -> Iterator[Any]:
    with echo_server() as server:
        yield server


def _clean(text: str) -> None:
    assert TOKEN not in text
    assert TOKEN[:12] not in text  # no recognisable fragment either
    assert "***" in text  # the echo was there, redacted


def test_gateway_sync_core_and_langchain(echo: Any, agent: Agent) -> None:
    with ATHGatewayClient(echo.url, agent.agent_id, agent.pem) as client:
        client.set_token(TOKEN, "echo")
        out = ToolCore(client, [generic_spec("echo")]).call("ath_echo", {"path": "/headers"})
        _clean(out)
        tool = ATHTool("headers", "Echo", client, "echo", "/headers")
        _clean(tool.invoke({}))
        kit = ATHToolkit(client, specs=[generic_spec("echo")]).get_tools()[0]
        _clean(kit.invoke({"path": "/headers"}))
        assert echo.paths.count("/ath/proxy/echo/headers") == 3


async def test_gateway_async(echo: Any, agent: Agent) -> None:
    async with AsyncATHGatewayClient(echo.url, agent.agent_id, agent.pem) as client:
        client.set_token(TOKEN, "echo")
        out = await ToolCore(client, [generic_spec("echo")]).acall("ath_echo", {"path": "/h"})
        _clean(out)
        _clean(await ATHTool("headers", "Echo", client, "echo", "/headers").ainvoke({}))


def test_native_sync(echo: Any, agent: Agent) -> None:
    with ATHNativeClient(echo.url, agent.agent_id, agent.pem) as client:
        client.discover()
        client.set_token(TOKEN)
        _clean(ToolCore(client, [generic_spec(None)]).call("ath_api", {"path": "/headers"}))
        _clean(ATHTool("headers", "Echo", client, endpoint="/headers").invoke({}))


async def test_native_async(echo: Any, agent: Agent) -> None:
    async with AsyncATHNativeClient(echo.url, agent.agent_id, agent.pem) as client:
        await client.discover()
        client.set_token(TOKEN)
        _clean(await ATHTool("headers", "Echo", client, endpoint="/headers").ainvoke({}))


def test_athauth_redacts_body_and_headers(echo: Any, agent: Agent) -> None:
    with ATHGatewayClient(echo.url, agent.agent_id, agent.pem) as client:
        client.set_token(TOKEN, "echo")
        auth = ATHAuth(client, "echo")
        with httpx2.Client(base_url=auth.base_url, auth=auth) as http:
            answer = http.get("/headers")
        assert answer.status_code == 200
        _clean(answer.text)
        _clean(answer.headers["x-echo-authorization"])
        sent = {k.lower(): v for k, v in answer.json()["headers"].items()}
        assert sent["x-ath-agent-id"] == agent.agent_id
