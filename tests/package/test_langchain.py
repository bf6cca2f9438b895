"""ath.langchain.ATHTool with a real langchain-core against the local stack, sync and async."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest
from langchain_core.messages import ToolMessage
from langchain_core.tools import BaseTool, ToolException
from pydantic import BaseModel

from ath import AsyncATHGatewayClient, ATHGatewayClient, ATHNativeClient
from ath.langchain import ATHTool
from ath.testing import LocalStack, follow_consent
from tests.conftest import DEVELOPER, Agent


def _authorized(client: ATHGatewayClient, scopes: list[str]) -> None:
    client.register(developer=DEVELOPER, providers=[{"provider_id": "github", "scopes": scopes}])
    auth = client.authorize("github", scopes)
    consent = follow_consent(auth.authorization_url)
    assert consent.code is not None
    client.exchange_token(consent.code, auth.ath_session_id)


@pytest.fixture
def sent() -> list[httpx2.Request]:
    return []


@pytest.fixture
def gateway(stack: LocalStack, agent: Agent, sent: list[httpx2.Request]) -> Any:
    http = httpx2.Client(base_url=stack.gateway_url, event_hooks={"request": [sent.append]})
    client = ATHGatewayClient(stack.gateway_url, agent.agent_id, agent.pem, http_client=http)
    _authorized(client, ["read:user", "repo"])
    yield client
    client.close()
    http.close()


def test_positional_constructor_and_typed_schema(gateway: ATHGatewayClient) -> None:
    tool = ATHTool("list_repos", "List the user's repositories", gateway, "github", "/user/repos")
    assert isinstance(tool, BaseTool)
    assert (tool.name, tool.provider_id, tool.endpoint, tool.method) == (
        "list_repos",
        "github",
        "/user/repos",
        "GET",
    )
    assert set(tool.args) == {"query"}  # GET sends no body
    post = ATHTool("create_repo", "Create a repository", gateway, "github", "/user/repos", "post")
    assert post.method == "POST"
    assert set(post.args) == {"query", "body"}
    model = post.tool_call_schema  # what a model is shown
    assert isinstance(model, type) and issubclass(model, BaseModel)
    schema = model.model_json_schema()
    assert set(schema["properties"]) == {"query", "body"}
    assert "secret" not in json.dumps(schema).lower()


def test_sync_run_sends_query_and_parses_json(
    gateway: ATHGatewayClient, sent: list[httpx2.Request]
) -> None:
    tool = ATHTool("list_repos", "List repositories", gateway, "github", "/user/repos")
    out = tool.invoke({"query": {"per_page": 5, "sort": "updated"}})
    assert isinstance(json.loads(out), list)
    last = sent[-1]
    assert last.url.path.endswith("/ath/proxy/github/user/repos")
    assert dict(last.url.params) == {"per_page": "5", "sort": "updated"}


def test_json_body_reaches_the_upstream(gateway: ATHGatewayClient) -> None:
    tool = ATHTool("create_repo", "Create a repository", gateway, "github", "/user/repos", "POST")
    created = json.loads(tool.invoke({"body": {"name": "from-langchain"}}))
    assert created["name"] == "from-langchain"
    names = [r["name"] for r in gateway.proxy("github", "GET", "/user/repos")]
    assert "from-langchain" in names


def test_ath_error_is_a_tool_exception(gateway: ATHGatewayClient) -> None:
    strict = ATHTool(
        "get_repo", "Get a repository", gateway, "github", "/repos/nobody/missing",
        handle_tool_error=False,
    )  # fmt: skip
    with pytest.raises(ToolException) as caught:
        strict.invoke({})
    assert "[UPSTREAM_ERROR]" in str(caught.value)
    assert getattr(caught.value.__cause__, "code", None) == "UPSTREAM_ERROR"


def test_by_default_an_error_is_a_message_for_the_model(gateway: ATHGatewayClient) -> None:
    """A LangGraph ToolNode re-raises a ToolException the tool does not handle: by default
    the tool hands the model the code and what to do instead (issue 27)."""
    tool = ATHTool("get_repo", "Get a repository", gateway, "github", "/repos/nobody/missing")
    text = tool.invoke({})
    assert text.startswith("[UPSTREAM_ERROR]") and "do not repeat" in text
    message = tool.invoke({"name": "get_repo", "args": {}, "id": "c1", "type": "tool_call"})
    assert isinstance(message, ToolMessage) and message.status == "error"


def test_tool_call_gives_a_tool_message(gateway: ATHGatewayClient) -> None:
    tool = ATHTool("whoami", "The signed-in user", gateway, "github", "/user")
    message = tool.invoke({"name": "whoami", "args": {}, "id": "call-1", "type": "tool_call"})
    assert isinstance(message, ToolMessage)
    assert json.loads(str(message.content))["login"]
    assert message.tool_call_id == "call-1"


def test_legacy_string_input_of_0_1_0(gateway: ATHGatewayClient) -> None:
    post = ATHTool(
        name="create_repo", description="Create", client=gateway, service_id="github",
        endpoint="/user/repos", method="POST",
    )  # fmt: skip
    assert post.provider_id == "github"
    created = json.loads(post.run('{"name": "legacy-input"}'))
    assert created["name"] == "legacy-input"
    get = ATHTool(
        name="me", description="Me", client=gateway, provider_id="github", endpoint="/user"
    )
    assert json.loads(get.run(""))["login"]


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"client": object()}, "client must be"),
        ({"provider_id": "bad id"}, "provider id"),
        ({"endpoint": "https://elsewhere.example/x"}, "full URL"),
        ({"endpoint": "/../admin"}, "'..'"),
        ({"method": "TRACE"}, "method"),
    ],
)
def test_bad_arguments_refused_at_construction(
    gateway: ATHGatewayClient, kwargs: dict[str, Any], needle: str
) -> None:
    base: dict[str, Any] = {
        "name": "t",
        "description": "d",
        "client": gateway,
        "provider_id": "github",
        "endpoint": "/user",
    }
    with pytest.raises(ValueError, match="(?i)" + needle.replace("(", r"\(")):
        ATHTool(**{**base, **kwargs})


async def test_async_run_with_async_client(stack: LocalStack, agent: Agent) -> None:
    async with AsyncATHGatewayClient(stack.gateway_url, agent.agent_id, agent.pem) as client:
        await client.register(
            developer=DEVELOPER, providers=[{"provider_id": "github", "scopes": ["read:user"]}]
        )
        auth = await client.authorize("github", ["read:user"])
        consent = follow_consent(auth.authorization_url)
        assert consent.code is not None
        await client.exchange_token(consent.code, auth.ath_session_id)
        tool = ATHTool("whoami", "The signed-in user", client, "github", "/user")
        assert json.loads(await tool.ainvoke({}))["login"]
        assert "ainvoke" in tool.invoke({})
        denied = ATHTool(
            "repos", "Repositories", client, "github", "/user/repos", handle_tool_error=False
        )
        with pytest.raises(ToolException) as caught:  # read:user does not cover /user/repos
            await denied.ainvoke({})
        assert getattr(caught.value.__cause__, "code", None) in {
            "SCOPE_NOT_APPROVED",
            "UPSTREAM_ERROR",
        }


async def test_async_run_with_sync_client(gateway: ATHGatewayClient) -> None:
    tool = ATHTool("whoami", "The signed-in user", gateway, "github", "/user")
    assert json.loads(await tool.ainvoke({}))["login"]


def test_native_client_calls_the_service_api(stack: LocalStack, agent: Agent) -> None:
    with ATHNativeClient(stack.native_url, agent.agent_id, agent.pem) as client:
        doc = client.discover()
        scopes = list(doc.auth.scopes_supported)[:1]
        client.register(
            developer=DEVELOPER, providers=[{"provider_id": doc.app_id, "scopes": scopes}]
        )
        auth = client.authorize(doc.app_id, scopes)
        consent = follow_consent(auth.authorization_url)
        assert consent.code is not None
        client.exchange_token(consent.code, auth.ath_session_id)
        tool = ATHTool("products", "List products", client, endpoint="/products")
        assert json.loads(tool.invoke({}))
