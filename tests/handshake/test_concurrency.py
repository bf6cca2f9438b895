"""Concurrency: one client shared by many threads or tasks, with re-authorization mid-way.

A sync client serves 8 threads and an async client 200 tasks, all making proxy calls
against the local stack. A quarter of the way in, the token is revoked at the server (calls
in flight hear TOKEN_REVOKED, the client forgets the token, later calls hear NO_TOKEN) and
replaced by a new authorization (authorize -> consent -> exchange_token) while late
answers about the old token still arrive. Every call must be answered or end in an
``ATHError``; the new token must never be lost (forgotten in place of the old) or torn.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import threading
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from ath import AsyncATHGatewayClient, ATHError, ATHGatewayClient, Token, generate_private_key
from ath.testing import LocalStack, afollow_consent, follow_consent
from tests._support.servers import DEVELOPER

from .._report import tally

THREADS = 8
CALLS_PER_THREAD = 40
TASKS = 200
CALLS_PER_TASK = 3
GITHUB = [{"provider_id": "github", "scopes": ["read:user", "repo"]}]
#: What a call may hear while the token is replaced; nothing else is acceptable.
ALLOWED = {"TOKEN_REVOKED", "NO_TOKEN"}


@pytest.fixture
def running() -> Iterator[tuple[LocalStack, str, str]]:
    with LocalStack() as stack:
        pem = generate_private_key()
        yield stack, pem, stack.host_agent(pem, name="concurrency-agent")


class Ledger:
    """What every call produced, and the client's state as seen while calls ran."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.outcomes: collections.Counter[str] = collections.Counter()
        self.escapes: list[str] = []
        self.torn: list[str] = []

    def record(self, outcome: str) -> None:
        with self.lock:
            self.outcomes[outcome] += 1

    def check_state(self, client: Any, issued: list[str], client_id: str) -> None:
        tokens = client.tokens
        held = tokens.get("github")
        if held is None:  # forgotten after TOKEN_REVOKED, before the new token arrived
            ok = (tokens == {} and len(issued) == 1) or "pending" in issued
        else:
            ok = set(tokens) == {"github"} and (held.access_token in issued or "pending" in issued)
        if not ok:
            self.torn.append(f"tokens {tokens!r}")
        if client.client_id != client_id:
            self.torn.append(f"client_id {client.client_id!r}")

    def report(self, reauths: int, lost: int) -> None:
        counts = tally("concurrency")
        total = sum(self.outcomes.values())
        counts["calls"] += total
        counts["answered"] += self.outcomes["answered"]
        counts["ath_errors"] += total - self.outcomes["answered"] - len(self.escapes)
        counts["escapes"] += len(self.escapes)
        counts["reauths"] += reauths
        counts["lost_tokens"] += lost


def revoke_at_server(stack: LocalStack, client: Any, token: Token) -> None:
    """Revoke ``token`` the way another process holding the credentials would."""
    core = client._core
    response = httpx2.post(
        stack.gateway_url + "/ath/revoke",
        json={
            "token": token.access_token,
            "client_id": core.state.client_id,
            "client_secret": core.state.client_secret,
        },
    )
    assert response.status_code == 200


def outcome_of(ledger: Ledger, exc: BaseException | None, renewed: bool) -> None:
    """Record one call: answered, an allowed ATHError, or an escape."""
    if exc is None:
        ledger.record("answered")
    elif isinstance(exc, ATHError):
        ledger.record(exc.code)
        if renewed:  # the new token was stored before this call began: it must serve it
            ledger.escapes.append(f"after renewal: {exc!r}")
        elif exc.code not in ALLOWED:
            ledger.escapes.append(f"unexpected {exc!r}")
    else:
        ledger.record("escape")
        ledger.escapes.append(f"{type(exc).__name__}: {exc}")


def test_sync_client_shared_by_threads(running: tuple[LocalStack, str, str]) -> None:
    stack, pem, agent_id = running
    ledger = Ledger()
    with ATHGatewayClient(url=stack.gateway_url, agent_id=agent_id, private_key=pem) as client:
        reg = client.register(developer=DEVELOPER, providers=GITHUB)
        auth = client.authorize("github", ["read:user"])
        consent = follow_consent(auth.authorization_url)
        old = client.exchange_token(consent.code or "", auth.ath_session_id)
        issued = [old.access_token]
        warmed_up, renewed = threading.Semaphore(0), threading.Event()
        revoked = threading.Event()
        held_back = [0]

        def slow_network(request: httpx2.Request) -> None:
            """Old-token calls sent after the revocation arrive after the renewal."""
            if (
                revoked.is_set()
                and request.headers.get("authorization") == f"Bearer {old.access_token}"
            ):
                held_back[0] += 1
                renewed.wait(60)

        client._http.event_hooks["request"].append(slow_network)

        def one_call() -> None:
            after = renewed.is_set()
            try:
                user = client.proxy("github", "GET", "/user")
                assert isinstance(user, dict) and user.get("login"), user
                outcome_of(ledger, None, after)
            except ATHError as exc:
                outcome_of(ledger, exc, after)
                if exc.code == "NO_TOKEN":
                    renewed.wait(0.05)  # a caller would wait for the re-authorization
            except Exception as exc:  # anything else escaped the SDK
                outcome_of(ledger, exc, after)
            ledger.check_state(client, issued, reg.client_id)

        def worker() -> None:
            for _ in range(CALLS_PER_THREAD // 4):
                one_call()
            warmed_up.release()
            while not renewed.is_set():  # through the revocation and the renewal
                one_call()
            for _ in range(CALLS_PER_THREAD):
                one_call()

        threads = [threading.Thread(target=worker) for _ in range(THREADS)]
        for thread in threads:
            thread.start()
        for _ in threads:
            assert warmed_up.acquire(timeout=60)
        # the old token dies at the server while calls carry it ...
        revoked.set()
        revoke_at_server(stack, client, old)
        # ... and re-authorization replaces it while late answers about it still arrive
        auth = client.authorize("github", ["read:user"])
        consent = follow_consent(auth.authorization_url)
        issued.append("pending")  # the exchange below may store it before it returns
        new = client.exchange_token(consent.code or "", auth.ath_session_id)
        issued[-1] = new.access_token
        renewed.set()
        for thread in threads:
            thread.join(120)
        lost = 0 if client.tokens.get("github") is new else 1
        ledger.report(reauths=1, lost=lost)
        assert held_back[0] > 0  # late TOKEN_REVOKED answers did arrive after the renewal
        assert ledger.outcomes["TOKEN_REVOKED"] >= held_back[0]
        assert not ledger.escapes, ledger.escapes[:10]
        assert not ledger.torn, ledger.torn[:10]
        assert lost == 0, client.tokens
        assert client.pending_authorizations == []
        assert sum(ledger.outcomes.values()) >= THREADS * CALLS_PER_THREAD * 5 // 4
        assert ledger.outcomes["answered"] >= THREADS * CALLS_PER_THREAD * 5 // 4
        assert client.proxy("github", "GET", "/user")["login"]


# A hang guard above pytest's default 120 s: 200 tasks x 3 calls and a re-authorization
# take ~40 s alone on a loaded 2-core machine, and ran past 120 s inside a loaded
# `make test`; only a real hang reaches 600 s.
@pytest.mark.timeout(600)
async def test_async_client_shared_by_tasks(running: tuple[LocalStack, str, str]) -> None:
    stack, pem, agent_id = running
    ledger = Ledger()
    async with AsyncATHGatewayClient(
        url=stack.gateway_url, agent_id=agent_id, private_key=pem
    ) as client:
        reg = await client.register(developer=DEVELOPER, providers=GITHUB)
        auth = await client.authorize("github", ["read:user"])
        consent = await afollow_consent(auth.authorization_url)
        old = await client.exchange_token(consent.code or "", auth.ath_session_id)
        issued = [old.access_token]
        warmed_up, renewed, revoked = asyncio.Event(), asyncio.Event(), asyncio.Event()
        first_calls, held_back = [0], [0]

        async def slow_network(request: httpx2.Request) -> None:
            """Old-token calls sent after the revocation arrive after the renewal."""
            if (
                revoked.is_set()
                and request.headers.get("authorization") == f"Bearer {old.access_token}"
            ):
                held_back[0] += 1
                await renewed.wait()

        client._http.event_hooks["request"].append(slow_network)

        async def one_call() -> None:
            after = renewed.is_set()
            try:
                user = await client.proxy("github", "GET", "/user")
                assert isinstance(user, dict) and user.get("login"), user
                outcome_of(ledger, None, after)
            except ATHError as exc:
                outcome_of(ledger, exc, after)
                if exc.code == "NO_TOKEN":
                    with contextlib.suppress(TimeoutError):  # wait for the re-authorization
                        await asyncio.wait_for(renewed.wait(), 0.05)
            except Exception as exc:  # anything else escaped the SDK
                outcome_of(ledger, exc, after)
            ledger.check_state(client, issued, reg.client_id)

        async def task() -> None:
            await one_call()
            first_calls[0] += 1
            if first_calls[0] == TASKS:
                warmed_up.set()
            while not renewed.is_set():  # through the revocation and the renewal
                await one_call()
            for _ in range(CALLS_PER_TASK):
                await one_call()

        async def reauthorize() -> Token:
            await warmed_up.wait()
            revoked.set()
            await asyncio.to_thread(revoke_at_server, stack, client, old)
            auth = await client.authorize("github", ["read:user"])
            consent = await afollow_consent(auth.authorization_url)
            issued.append("pending")
            new: Token = await client.exchange_token(consent.code or "", auth.ath_session_id)
            issued[-1] = new.access_token
            renewed.set()
            return new

        results = await asyncio.gather(reauthorize(), *(task() for _ in range(TASKS)))
        new = results[0]
        lost = 0 if client.tokens.get("github") is new else 1
        ledger.report(reauths=1, lost=lost)
        assert held_back[0] > 0  # late TOKEN_REVOKED answers did arrive after the renewal
        assert ledger.outcomes["TOKEN_REVOKED"] >= held_back[0]
        assert not ledger.escapes, ledger.escapes[:10]
        assert not ledger.torn, ledger.torn[:10]
        assert lost == 0, client.tokens
        assert client.pending_authorizations == []
        assert sum(ledger.outcomes.values()) >= TASKS * (CALLS_PER_TASK + 1)
        assert ledger.outcomes["answered"] >= TASKS * (CALLS_PER_TASK + 1)
        assert (await client.proxy("github", "GET", "/user"))["login"]


def test_concurrent_reauthorizations_keep_one_consistent_token(
    running: tuple[LocalStack, str, str],
) -> None:
    """8 threads re-authorize at once: every session is used once, one token wins whole."""
    stack, pem, agent_id = running
    with ATHGatewayClient(url=stack.gateway_url, agent_id=agent_id, private_key=pem) as client:
        client.register(developer=DEVELOPER, providers=GITHUB)
        tokens: list[Token] = []
        errors: list[BaseException] = []
        barrier = threading.Barrier(THREADS)

        def reauthorize() -> None:
            try:
                barrier.wait(30)
                auth = client.authorize("github", ["read:user"])
                consent = follow_consent(auth.authorization_url)
                tokens.append(client.exchange_token(consent.code or "", auth.ath_session_id))
            except BaseException as exc:  # collected and asserted below
                errors.append(exc)

        threads = [threading.Thread(target=reauthorize) for _ in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        tally("concurrency")["reauths"] += len(tokens)
        tally("concurrency")["calls"] += THREADS
        tally("concurrency")["answered"] += len(tokens)
        tally("concurrency")["escapes"] += len(errors)
        assert errors == [] and len(tokens) == THREADS
        assert len({t.access_token for t in tokens}) == THREADS
        held = client.tokens["github"]
        assert any(held is t for t in tokens)  # one of them, whole
        assert client.pending_authorizations == []
        assert client.proxy("github", "GET", "/user")["login"]
