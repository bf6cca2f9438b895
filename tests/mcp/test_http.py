"""`ath mcp serve --transport http` with the real mcp client library: bearer users
(401 with WWW-Authenticate otherwise), each user's own consent and data, Host checks
against DNS rebinding, and no secret in any JSON-RPC message."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx2
import pytest
from mcp.client.session import ClientSession
from mcp.client.streamable_http import streamable_http_client

from ath.testing import LocalStack, follow_consent
from tests._support.procs import Children
from tests.conftest import Agent as AgentKey
from tests.mcp._support import Elicitations, Recorded, Setup

TOKENS = {"alice": "alice-mcp-bearer-0123456789", "bob": "bob-mcp-bearer-9876543210ab"}
HANG_GUARD = 60.0  # a bound far above any normal start, never a speed check


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_listening(proc: subprocess.Popen[bytes], port: int) -> None:
    deadline = time.monotonic() + HANG_GUARD
    while time.monotonic() < deadline:
        assert proc.poll() is None, "ath mcp serve exited"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail("ath mcp serve did not listen")


@pytest.fixture
def served(
    stack: LocalStack, agent: AgentKey, tmp_path: Path, children: Children
) -> Iterator[tuple[Setup, str]]:
    setup = Setup(stack, agent, tmp_path)
    users = tmp_path / "users.json"
    users.write_text(json.dumps(TOKENS))
    port = _free_port()
    env = {**setup.env(), "PATH": "/usr/bin:/bin"}
    proc = children.popen(
        [sys.executable, "-m", "ath", "mcp", "serve", "--transport", "http",
         "--port", str(port), "--users-file", str(users), "--consent-timeout", "30"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    _wait_listening(proc, port)
    yield setup, f"http://127.0.0.1:{port}/mcp"


class _NoElicitation:
    """No callback: the client declares no elicitation support."""


@asynccontextmanager
async def http_session(
    url: str, token: str, log: list[str], elicitation: Elicitations | _NoElicitation
) -> AsyncIterator[ClientSession]:
    http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}, trust_env=False)
    async with (
        http,
        streamable_http_client(url, http_client=http) as (read, write),
        ClientSession(
            Recorded(read, log),
            Recorded(write, log),
            elicitation_callback=None if isinstance(elicitation, _NoElicitation) else elicitation,
        ) as session,
    ):
        await session.initialize()
        yield session


async def test_two_users_get_their_own_data(served: tuple[Setup, str], stack: LocalStack) -> None:
    setup, url = served
    log: list[str] = []
    for user in ("alice", "bob"):
        asked = Elicitations()
        stack.consent.as_user(f"octo-{user}")
        async with http_session(url, TOKENS[user], log, asked) as session:
            assert "ath_github" in [t.name for t in (await session.list_tools()).tools]
            result = await session.call_tool("ath_github", {"path": "/user"})
            assert not result.is_error, result.content
            assert result.structured_content
            assert result.structured_content["login"] == f"octo-{user}"
            assert len(asked.seen) == 1
    stack.consent.as_user("nobody")
    asked = Elicitations()
    async with http_session(url, TOKENS["alice"], log, asked) as session:
        again = await session.call_tool("ath_github", {"path": "/user"})
        assert again.structured_content and again.structured_content["login"] == "octo-alice"
        assert asked.seen == []  # alice's token is kept for alice
    scanner = setup.scanner(("alice", "bob"))
    assert [hit for m in log if (hit := scanner.find(m))] == []


async def test_unauthenticated_and_rebinding_are_refused(served: tuple[Setup, str]) -> None:
    _, url = served
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
    headers = {"Accept": "application/json, text/event-stream"}
    async with httpx2.AsyncClient(trust_env=False) as http:
        none = await http.post(url, json=body, headers=headers)
        assert none.status_code == 401
        assert none.headers["www-authenticate"].lower().startswith("bearer")
        wrong = await http.post(url, json=body, headers={**headers, "Authorization": "Bearer x"})
        assert wrong.status_code == 401
        rebound = await http.post(
            url,
            json=body,
            headers={**headers, "Authorization": f"Bearer {TOKENS['alice']}",
                     "Host": "evil.example:80", "Origin": "http://evil.example"},
        )  # fmt: skip
        assert rebound.status_code == 421  # Host checked before anything else
        foreign = await http.post(
            url,
            json=body,
            headers={**headers, "Authorization": f"Bearer {TOKENS['alice']}",
                     "Origin": "http://evil.example"},
        )  # fmt: skip
        assert foreign.status_code == 403


async def test_one_user_never_finishes_anothers_consent(
    served: tuple[Setup, str], stack: LocalStack
) -> None:
    _, url = served
    log: list[str] = []
    none = _NoElicitation()
    async with http_session(url, TOKENS["alice"], log, none) as alice:
        link = (await alice.call_tool("ath_github", {"path": "/user"})).structured_content
        assert link and link["user"] == "alice"
    stack.consent.as_user("octo-alice")
    assert follow_consent(link["authorization_url"]).ok
    async with http_session(url, TOKENS["bob"], log, none) as bob:
        result = await bob.call_tool("ath_github", {"path": "/user"})
        assert result.is_error and result.structured_content  # bob's own consent, not alice's
        assert result.structured_content["user"] == "bob"
        assert result.structured_content["authorization_url"] != link["authorization_url"]
    async with http_session(url, TOKENS["alice"], log, none) as alice:
        mine = await alice.call_tool("ath_github", {"path": "/user"})
        assert mine.structured_content and mine.structured_content["login"] == "octo-alice"
