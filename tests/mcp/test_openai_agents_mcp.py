"""A third-party MCP consumer end to end: the OpenAI Agents SDK's ``MCPServerStdio``
runs `ath mcp serve` and a scripted model calls its github tool (the README's
snippet, run here)."""

from __future__ import annotations

import sys
from pathlib import Path

from agents import Agent, Runner
from agents.mcp import MCPServerStdio

from ath.testing import LocalStack, follow_consent
from tests.conftest import Agent as AgentKey
from tests.mcp._support import Setup
from tests.tools.test_openai_agents import Scripted


async def test_openai_agents_sdk_runs_the_github_tool(
    stack: LocalStack, agent: AgentKey, tmp_path: Path
) -> None:
    setup = Setup(stack, agent, tmp_path)
    stack.consent.as_user("octo-agents")
    with setup.client() as client:  # the user consented earlier (e.g. through a link)
        auth = client.authorize("github", ["read:user"])
        assert follow_consent(auth.authorization_url).ok
        client.wait_for_token(auth.ath_session_id, timeout=30, poll_interval=0.05)
    server = MCPServerStdio(
        params={"command": sys.executable, "args": ["-m", "ath", "mcp", "serve"],
                "env": setup.env()},
        client_session_timeout_seconds=60,
    )  # fmt: skip
    async with server:
        bot = Agent(name="assistant", model=Scripted(), mcp_servers=[server])
        result = await Runner.run(bot, "Who am I on GitHub?")
    assert "octo-agents" in str(result.final_output)
