"""`ath mcp serve` over stdio with the real mcp client library and the local stack:
tools from discovery, consent by URL-mode elicitation, the upstream JSON as structured
content, no elicitation once a token is held, the link in the result for a client
without elicitation, typed OpenAPI tools, and no secret in any JSON-RPC message."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ath.testing import LocalStack, follow_consent
from tests._support.procs import run
from tests.conftest import Agent as AgentKey
from tests.mcp._support import Elicitations, Setup, stdio_session

OPENAPI = {
    "openapi": "3.1.0",
    "info": {"title": "GitHub", "version": "1"},
    "paths": {"/user": {"get": {"operationId": "getAuthenticatedUser",
                                "summary": "The signed-in user."}}},
}  # fmt: skip


async def test_consent_by_url_elicitation(
    stack: LocalStack, agent: AgentKey, tmp_path: Path
) -> None:
    setup = Setup(stack, agent, tmp_path)
    stack.consent.as_user("octo-alice")
    log: list[str] = []
    asked = Elicitations()
    errors = (tmp_path / "server.err").open("w+")
    async with stdio_session(setup.env(), log, elicitation=asked, errlog=errors) as session:
        tools = await session.list_tools()
        assert "ath_github" in [t.name for t in tools.tools]
        first = await session.call_tool("ath_github", {"method": "GET", "path": "/user"})
        assert not first.is_error, first.content
        assert first.structured_content is not None
        assert first.structured_content["login"] == "octo-alice"
        assert len(asked.seen) == 1 and asked.seen[0].mode == "url"
        again = await session.call_tool("ath_github", {"path": "/user"})
        assert again.structured_content and again.structured_content["login"] == "octo-alice"
        assert len(asked.seen) == 1  # no second elicitation: the token is held
        refused = await session.call_tool("ath_github", {"path": "/ath/agents/register"})
        assert refused.is_error and "[INVALID_ARGUMENT]" in refused.content[0].text  # type: ignore[union-attr]
    scanner = setup.scanner()
    assert any("elicitation/create" in m for m in log)
    errors.seek(0)
    server_log = errors.read()
    errors.close()
    assert [hit for m in [*log, server_log] if (hit := scanner.find(m))] == []


async def test_client_without_elicitation_gets_the_link(
    stack: LocalStack, agent: AgentKey, tmp_path: Path
) -> None:
    setup = Setup(stack, agent, tmp_path)
    log: list[str] = []
    async with stdio_session(setup.env(), log) as session:
        first = await session.call_tool("ath_github", {"path": "/user"})
        assert first.is_error
        data = first.structured_content
        assert data is not None and data["type"] == "ath_consent_required"
        assert "call the tool again" in first.content[0].text  # type: ignore[union-attr]
        assert follow_consent(data["authorization_url"]).ok
        second = await session.call_tool("ath_github", {"path": "/user"})
        assert not second.is_error, second.content
        assert second.structured_content and second.structured_content["login"]
    scanner = setup.scanner()
    assert [hit for m in log if (hit := scanner.find(m))] == []


async def test_openapi_typed_tool(stack: LocalStack, agent: AgentKey, tmp_path: Path) -> None:
    setup = Setup(stack, agent, tmp_path)
    document = tmp_path / "github.json"
    document.write_text(json.dumps(OPENAPI))
    stack.consent.as_user("octo-typed")
    log: list[str] = []
    asked = Elicitations()
    args = ("--openapi", f"github={document}")
    async with stdio_session(setup.env(), log, *args, elicitation=asked) as session:
        names = [t.name for t in (await session.list_tools()).tools]
        typed = [n for n in names if "getAuthenticatedUser" in n]
        assert typed and "ath_github" not in names
        result = await session.call_tool(typed[0], {})
        assert not result.is_error, result.content
        assert result.structured_content and result.structured_content["login"] == "octo-typed"


async def test_gateway_down_is_a_tool_error(
    stack: LocalStack, agent: AgentKey, tmp_path: Path
) -> None:
    setup = Setup(stack, agent, tmp_path)
    log: list[str] = []
    async with stdio_session(setup.env(), log, elicitation=Elicitations()) as session:
        stack.stop()
        result = await session.call_tool("ath_github", {"path": "/user"})
        assert result.is_error
        text = result.content[0].text  # type: ignore[union-attr]
        assert text.startswith("[") and "]" in text
        assert (await session.list_tools()).tools  # the server is still serving


async def test_refused_and_declined_consent_are_tool_results(
    stack: LocalStack, agent: AgentKey, tmp_path: Path
) -> None:
    setup = Setup(stack, agent, tmp_path)
    log: list[str] = []
    stack.consent.deny()
    async with stdio_session(setup.env(), log, elicitation=Elicitations(False)) as session:
        denied = await session.call_tool("ath_github", {"path": "/user"})
        assert denied.is_error
        assert denied.content[0].text.startswith("[USER_DENIED]")  # type: ignore[union-attr]
        assert (await session.list_tools()).tools  # still serving
    stack.consent.approve_all()
    declining = Elicitations(action="decline")
    async with stdio_session(setup.env(), log, elicitation=declining) as session:
        declined = await session.call_tool("ath_github", {"path": "/user"})
        assert declined.is_error and declined.structured_content
        assert declined.structured_content["type"] == "ath_consent_required"
        assert len(declining.seen) == 1


async def test_first_start_registers_and_help_lists_settings(
    stack: LocalStack, agent: AgentKey, tmp_path: Path
) -> None:
    setup = Setup(stack, agent, tmp_path, register=False)
    log: list[str] = []
    args = ("--provider", "github:read:user", "--developer-name", "Acme", "--developer-id", "acme")
    async with stdio_session(setup.env(), log, *args) as session:
        assert "ath_github" in [t.name for t in (await session.list_tools()).tools]
    with setup.client() as client:
        client.refresh()
        assert client.client_id is not None  # the registration is in the store
    shown = run([sys.executable, "-m", "ath", "mcp", "serve", "--help"], hang_guard=60)
    assert shown.returncode == 0
    for name in ("ATH_URL", "ATH_AGENT_ID", "ATH_KEY", "ATH_STORE", "ATH_PROFILE", "ATH_USER"):
        assert name in shown.stdout


async def test_token_revoked_mid_session_asks_again(
    stack: LocalStack, agent: AgentKey, tmp_path: Path
) -> None:
    setup = Setup(stack, agent, tmp_path)
    stack.consent.as_user("octo-rev")
    log: list[str] = []
    asked = Elicitations()
    async with stdio_session(setup.env(), log, elicitation=asked) as session:
        first = await session.call_tool("ath_github", {"path": "/user"})
        assert not first.is_error, first.content
        with setup.client() as other:  # another process revokes the user's token
            other.refresh()
            assert other.revoke("github")
        again = await session.call_tool("ath_github", {"path": "/user"})
        assert not again.is_error, again.content
        assert again.structured_content and again.structured_content["login"] == "octo-rev"
    assert len(asked.seen) == 2  # the revoked token led to a new consent, not a crash
