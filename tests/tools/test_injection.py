"""Prompt-injection safety: what a model puts in a tool's arguments can never reach another
provider, the gateway's own endpoints, another host, a traversal, a method the tool does
not allow or a header; and errors never carry a secret. Each refusal is checked on a
loopback server that records every request: nothing reaches it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from ath import ATHClientError, ATHError, ATHGatewayClient
from ath.langchain import ATHToolkit
from ath.tools import ATHAuth, ToolCore, generic_spec, specs_from_openapi
from tests.conftest import Agent

from ._servers import echo_server

TOKEN = "ath_tk_InjectionTestToken0123456789"
OPENAPI = {
    "openapi": "3.1.0",
    "paths": {
        "/repos/{owner}/{repo}": {
            "get": {
                "operationId": "get_repo",
                "summary": "A repository",
                "parameters": [
                    {"name": "owner", "in": "path", "required": True, "schema": {"type": "string"}},
                    {"name": "repo", "in": "path", "required": True, "schema": {"type": "string"}},
                ],
            }
        }
    },
}


@pytest.fixture
def setup(agent: Agent) -> Iterator[tuple[ToolCore, Any]]:
    with echo_server() as server, ATHGatewayClient(server.url, agent.agent_id, agent.pem) as c:
        c.set_token(TOKEN, "echo")
        specs = [generic_spec("echo"), *specs_from_openapi("echo", OPENAPI)]
        yield ToolCore(c, specs), server


def _refused(core: ToolCore, server: Any, tool: str, args: Any) -> str:
    seen = len(server.paths)
    out = core.call(tool, args)
    assert out.startswith("[INVALID_ARGUMENT]"), out
    assert TOKEN not in out
    assert len(server.paths) == seen, server.paths[seen:]  # nothing was sent
    return out


@pytest.mark.parametrize(
    "path",
    [
        "https://evil.example/steal",
        "//evil.example/steal",
        "/ath/revoke",
        "/ath/token",
        "ath/proxy/other/user",
        "/%61th/revoke",
        "/.well-known/ath.json",
        "/../other/user",
        "/a/../../ath/revoke",
        "/%2e%2e/other",
        "/%252e%252e/other",
        "/%2E%2E%2Fother",
        "/\uff0e\uff0e/other",
        "/user\r\nX-Injected: 1",
        "/user%0d%0aX-Injected:%201",
        "/user?admin=1",
        "/user#frag",
        "\\\\evil.example\\x",
        "",
    ],
)
def test_generic_path_cannot_leave_the_provider(setup: tuple[ToolCore, Any], path: str) -> None:
    core, server = setup
    _refused(core, server, "ath_echo", {"path": path})


def test_arguments_cannot_name_another_provider_or_headers(setup: tuple[ToolCore, Any]) -> None:
    core, server = setup
    assert "unknown arguments" in _refused(core, server, "ath_echo",
                                           {"path": "/user", "provider": "github"})  # fmt: skip
    _refused(core, server, "ath_echo", {"path": "/user", "headers": {"Authorization": "x"}})
    _refused(core, server, "ath_echo", {"path": "/user", "url": "https://evil.example"})
    _refused(core, server, "no_such_tool", {"path": "/user"})


@pytest.mark.parametrize("method", ["POST", "DELETE", "put", "TRACE", "CONNECT", "GET\r\nX: y"])
def test_method_outside_the_tool_is_refused(setup: tuple[ToolCore, Any], method: str) -> None:
    core, server = setup
    _refused(core, server, "ath_echo", {"method": method, "path": "/user"})


@pytest.mark.parametrize(
    "query", [{"a\r\nX-Injected": "1"}, {"a": {"nested": 1}}, ["a"], {"": "x"}]
)
def test_query_is_plain_names_and_values(setup: tuple[ToolCore, Any], query: Any) -> None:
    core, server = setup
    _refused(core, server, "ath_echo", {"path": "/user", "query": query})


@pytest.mark.parametrize(
    "owner", ["..", ".", "", "../../ath/revoke", "%2e%2e", "a\nb", {"x": 1}, True]
)
def test_typed_path_parameters_are_one_segment(setup: tuple[ToolCore, Any], owner: Any) -> None:
    core, server = setup
    _refused(core, server, "echo_get_repo", {"owner": owner, "repo": "r"})


def test_typed_path_parameters_are_encoded_not_interpreted(setup: tuple[ToolCore, Any]) -> None:
    core, server = setup
    out = core.call("echo_get_repo", {"owner": "a/b", "repo": "my repo"})
    assert not out.startswith("[INVALID_ARGUMENT]"), out
    assert server.paths[-1] == "/ath/proxy/echo/repos/a%2Fb/my%20repo"
    assert TOKEN not in out


def test_a_good_call_goes_to_the_tool_s_provider_only(setup: tuple[ToolCore, Any]) -> None:
    core, server = setup
    core.call("ath_echo", {"path": "/user", "query": {"q": "a&b=c"}})
    assert server.paths[-1] == "/ath/proxy/echo/user?q=a%26b%3Dc"


def test_langchain_tools_refuse_the_same(setup: tuple[ToolCore, Any]) -> None:
    core, server = setup
    tool = ATHToolkit(core.client, specs=list(core.specs.values())).get_tools()[0]
    seen = len(server.paths)
    out = tool.invoke({"path": "//evil.example/x"})
    assert out.startswith("[INVALID_ARGUMENT]") and len(server.paths) == seen


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("GET", "/../../ath/revoke"),
        ("GET", "/%2e%2e/%2e%2e/ath/token"),
        ("GET", "/ath/revoke"),
        ("DELETE", "/user"),
    ],
)
def test_athauth_refuses_before_sending(setup: tuple[ToolCore, Any], method: str, url: str) -> None:
    core, server = setup
    auth = ATHAuth(core.client, "echo", methods=["GET"])
    seen = len(server.paths)
    with httpx2.Client(base_url=auth.base_url, auth=auth) as http, pytest.raises(ATHError) as e:
        http.request(method, url)
    assert e.value.code == "INVALID_ARGUMENT"
    assert TOKEN not in str(e.value) and len(server.paths) == seen


def test_athauth_refuses_another_origin_and_provider(setup: tuple[ToolCore, Any]) -> None:
    core, server = setup
    auth = ATHAuth(core.client, "echo")
    seen = len(server.paths)
    with httpx2.Client(auth=auth) as http:
        with pytest.raises(ATHClientError) as other_host:
            http.get("http://localhost:9/ath/proxy/echo/user")
        assert other_host.value.code == "INSECURE_TRANSPORT"
        with pytest.raises(ATHClientError) as other_provider:
            http.get(server.url + "/ath/proxy/github/user")
        assert other_provider.value.code == "INVALID_ARGUMENT"
    assert len(server.paths) == seen
