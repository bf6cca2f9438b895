"""A restart of `ath mcp serve` mid-consent resumes from the store (a real Redis): the
user consents while no server runs, and the next server's first call answers with
their data, neither asking again nor eliciting."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ath.testing import LocalStack, follow_consent
from ath.testing._redis_server import RedisServer
from tests.conftest import Agent as AgentKey
from tests.mcp._support import Elicitations, Setup, stdio_session


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    server = RedisServer(tmp_path / "redis")
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


async def test_restart_mid_consent_resumes_from_redis(
    stack: LocalStack, agent: AgentKey, tmp_path: Path, redis_url: str
) -> None:
    setup = Setup(stack, agent, tmp_path, store=redis_url)
    env = setup.env(ATH_USER="carol")
    log: list[str] = []
    async with stdio_session(env, log) as session:  # no elicitation: the link in the result
        first = await session.call_tool("ath_github", {"path": "/user"})
        assert first.is_error and first.structured_content
        link = first.structured_content["authorization_url"]
    stack.consent.as_user("octo-carol")
    assert follow_consent(link).ok  # while no server runs
    stack.consent.as_user("someone-else")
    asked = Elicitations()
    async with stdio_session(env, log, elicitation=asked) as session:
        after = await session.call_tool("ath_github", {"path": "/user"})
        assert not after.is_error, after.content
        assert after.structured_content and after.structured_content["login"] == "octo-carol"
    assert asked.seen == []  # no second consent, not even a second link
    scanner = setup.scanner(("carol",))
    assert [hit for m in log if (hit := scanner.find(m))] == []
