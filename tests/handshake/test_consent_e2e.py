"""Consent that completes by itself, end to end over real HTTP against the local stack,
in both shells: registration without redirect_uris, wait_for_token (polling), and login
(loopback redirect or polling).

Token requests are counted by the stack (``LocalStack.token_requests``), never by timing;
the elapsed time only bounds how many requests the poll interval allows.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest

from ath import ATHError, ATHGatewayClient
from ath._loopback import answer
from ath.testing import LocalStack, follow_consent
from tests._support.shells import Either
from tests.conftest import DEVELOPER, Agent

GITHUB = [{"provider_id": "github", "scopes": ["read:user", "repo"]}]
INTERVAL = 0.2

Factory = Callable[..., Either]


def _later(seconds: float, action: Callable[[], Any]) -> threading.Thread:
    """Run ``action`` in another thread ``seconds`` from now (a user who consents later)."""

    def run() -> None:
        time.sleep(seconds)
        action()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


#: A hang guard for waiting on the stack, far above the milliseconds it takes.
HANG_GUARD = 120.0


def _after_first_poll(
    stack: LocalStack, session_id: str, action: Callable[[], Any]
) -> threading.Thread:
    """Run ``action`` in another thread once the stack has answered one token request of
    ``session_id`` (a user who consents while the agent is already polling): ordered by
    what the stack saw, not by a delay."""

    def run() -> None:
        deadline = time.monotonic() + HANG_GUARD
        while stack.token_requests(session_id) < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        action()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def _allowed(elapsed: float, interval: float) -> int:
    """The most token requests a poller that waits ``interval`` between them can send."""
    return int(elapsed / interval) + 1


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    with socket.socket() as caller:
        return caller.connect_ex(("127.0.0.1", port)) != 0  # nobody listens any more


# -- registration -----------------------------------------------------------------------


async def test_registration_without_redirect_uris_sends_no_field(new_client: Factory) -> None:
    sent: list[httpx2.Request] = []
    client = new_client(sent)
    await client.register(developer=DEVELOPER, providers=GITHUB)
    body = json.loads(next(r for r in sent if r.url.path.endswith("/register")).content)
    assert "redirect_uris" not in body
    with pytest.raises(ATHError) as refused:
        await client.authorize("github", ["read:user"], redirect_uri="http://127.0.0.1:9/cb")
    assert refused.value.status == 400
    assert refused.value.code == "INVALID_REQUEST" and refused.value.origin == "server"
    assert refused.value.details["reason"] == "redirect_uris_not_registered"
    assert "not of ATH v0.1" in str(refused.value.details["note"])


async def test_registration_sends_exactly_the_given_redirect_uris(new_client: Factory) -> None:
    sent: list[httpx2.Request] = []
    client = new_client(sent)
    await client.register(developer=DEVELOPER, providers=GITHUB, redirect_uris=[])
    body = json.loads(next(r for r in sent if r.url.path.endswith("/register")).content)
    assert body["redirect_uris"] == []


# -- wait_for_token -----------------------------------------------------------------------


async def test_wait_for_token_returns_after_consent_elsewhere(
    new_client: Factory, stack: LocalStack
) -> None:
    client = new_client()
    await client.register(developer=DEVELOPER, providers=GITHUB)
    auth = await client.authorize("github", ["read:user"])
    consent: list[Any] = []
    started = time.monotonic()
    user = _after_first_poll(
        stack, auth.ath_session_id, lambda: consent.append(follow_consent(auth.authorization_url))
    )
    token = await client.wait_for_token(
        auth.ath_session_id, timeout=HANG_GUARD, poll_interval=INTERVAL
    )
    elapsed = time.monotonic() - started
    user.join()
    assert consent and consent[0].ok
    assert token.effective_scopes == ["read:user"] and token.provider_id == "github"
    assert client.tokens["github"].access_token == token.access_token  # stored
    asked = stack.token_requests(auth.ath_session_id)
    assert 2 <= asked <= _allowed(elapsed, INTERVAL), (asked, elapsed)
    assert await client.proxy("github", "GET", "/user")


async def test_wait_for_token_ends_promptly_on_denial(
    new_client: Factory, stack: LocalStack
) -> None:
    client = new_client()
    await client.register(developer=DEVELOPER, providers=GITHUB)
    auth = await client.authorize("github", ["read:user"])
    stack.consent.deny()
    started = time.monotonic()
    user = _later(0.5, lambda: follow_consent(auth.authorization_url))
    with pytest.raises(ATHError) as denied:
        await client.wait_for_token(auth.ath_session_id, timeout=60, poll_interval=INTERVAL)
    elapsed = time.monotonic() - started
    user.join()
    assert denied.value.code == "USER_DENIED"
    assert stack.token_requests(auth.ath_session_id) <= _allowed(elapsed, INTERVAL)


def _counting_sleep(shell: str, pauses: list[float]) -> Any:
    """The ``sleep=`` of a ``shell`` client: sleeps for real and records each pause."""
    if shell == "sync":

        def sleep(seconds: float) -> None:
            pauses.append(seconds)
            time.sleep(seconds)

        return sleep

    async def async_sleep(seconds: float) -> None:
        pauses.append(seconds)
        await asyncio.sleep(seconds)

    return async_sleep


async def test_wait_for_token_times_out_with_consent_timeout(
    new_client: Factory, stack: LocalStack, request: pytest.FixtureRequest
) -> None:
    pauses: list[float] = []  # every pause, really slept (the deadline is the clock's)
    client = new_client(sleep=_counting_sleep(request.node.callspec.params["new_client"], pauses))
    await client.register(developer=DEVELOPER, providers=GITHUB)
    auth = await client.authorize("github", ["read:user"])
    with pytest.raises(ATHError) as late:
        await client.wait_for_token(auth.ath_session_id, timeout=1.0, poll_interval=INTERVAL)
    assert late.value.code == "CONSENT_TIMEOUT"
    asked = stack.token_requests(auth.ath_session_id)
    assert late.value.details["token_requests"] == asked
    # polled, paused, polled ... until the timeout: one request more than pauses, and
    # no pause reaching past the timeout; how many fit in 1 s is the machine's business
    assert asked == len(pauses) + 1
    from ath._flows._consent import POLL_GROWTH

    assert all(0 < p <= INTERVAL * POLL_GROWTH**i for i, p in enumerate(pauses)), pauses
    assert sum(pauses) <= 1.0, pauses
    # the session was not consumed: consent now, and waiting again gets the token
    assert follow_consent(auth.authorization_url).ok
    token = await client.wait_for_token(auth.ath_session_id, timeout=10, poll_interval=INTERVAL)
    assert token.provider_id == "github"


async def test_wait_for_token_unknown_session_raises_at_once(
    new_client: Factory, stack: LocalStack
) -> None:
    client = new_client()
    await client.register(developer=DEVELOPER, providers=GITHUB)
    with pytest.raises(ATHError) as unknown:
        await client.wait_for_token("ath_sess_unknown", timeout=30, poll_interval=INTERVAL)
    assert unknown.value.code == "SESSION_NOT_FOUND"
    assert stack.token_requests("ath_sess_unknown") == 1
    for bad in ({"timeout": -1}, {"poll_interval": 0}, {"timeout": "soon"}):
        with pytest.raises(ATHError) as wrong:
            await client.wait_for_token("ath_sess_unknown", **bad)
        assert wrong.value.code == "INVALID_ARGUMENT"


# -- login -------------------------------------------------------------------------------


async def test_login_with_loopback_redirect(new_client: Factory, stack: LocalStack) -> None:
    port = _free_port()
    redirect = f"http://127.0.0.1:{port}/callback"
    client = new_client()
    await client.register(developer=DEVELOPER, providers=GITHUB, redirect_uris=[redirect])
    seen: dict[str, Any] = {}

    def browser() -> None:
        consent = follow_consent(seen["url"])  # stops at the redirect aimed at the agent
        seen["session_id"] = consent.session_id
        with httpx2.Client(trust_env=False, timeout=10) as http:
            seen["favicon"] = http.get(f"http://127.0.0.1:{port}/favicon.ico").status_code
            forged = f"{redirect}?code=ath_code_forged&state=not-the-state"
            seen["forged"] = http.get(forged).status_code
            seen["stateless"] = http.get(f"{redirect}?code=ath_code_forged").status_code
            real = http.get(consent.url)
            seen["real"] = (real.status_code, real.text)

    def on_url(url: str) -> None:
        seen["url"] = url
        seen["thread"] = _later(0.0, browser)

    token = await client.login(
        "github",
        ["read:user"],
        open_browser=False,
        redirect_uri=redirect,
        timeout=30,
        on_authorization_url=on_url,
    )
    seen["thread"].join()
    assert token.effective_scopes == ["read:user"]
    assert seen["favicon"] == 404 and seen["forged"] == 400 and seen["stateless"] == 400
    status, page = seen["real"]
    assert status == 200 and "signed in" in page and "close this tab" in page
    # finished by the redirect: one token request (the exchange), no polling
    assert stack.token_requests(seen["session_id"]) == 1
    assert _port_is_free(port)
    assert await client.proxy("github", "GET", "/user")


async def test_login_without_redirect_completes_by_polling(
    new_client: Factory, stack: LocalStack
) -> None:
    client = new_client()
    await client.register(developer=DEVELOPER, providers=GITHUB)
    seen: dict[str, Any] = {}

    def on_url(url: str) -> None:
        seen["session_id"] = parse_qs(urlsplit(url).query)["ath_session_id"][0]
        seen["thread"] = _later(0.0, lambda: seen.setdefault("consent", follow_consent(url)))

    token = await client.login(
        "github", ["read:user"], open_browser=False, timeout=30, on_authorization_url=on_url
    )
    seen["thread"].join()
    assert seen["consent"].ok and token.provider_id == "github"
    assert stack.token_requests(seen["session_id"]) >= 1


async def test_login_loopback_port_in_use(new_client: Factory) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        client = new_client()
        with pytest.raises(ATHError) as taken:
            await client.login(
                "github",
                ["read:user"],
                open_browser=False,
                redirect_uri=f"http://127.0.0.1:{port}/cb",
                on_authorization_url=print,
            )
        assert taken.value.code == "LOOPBACK_UNAVAILABLE"


# -- the listener's request handling (sans-IO) ------------------------------------------------


def test_loopback_answers() -> None:
    origin, state = "http://127.0.0.1:8765", "S" * 43

    def ask(line: str) -> tuple[int, str | None]:
        head = line.encode() + b"\r\nHost: 127.0.0.1:8765"
        reply = answer(head, origin=origin, path="/cb", state=state)
        return int(reply.data.split(b" ", 2)[1]), reply.callback_url

    assert ask(f"GET /cb?code=c&state={state} HTTP/1.1") == (
        200,
        f"{origin}/cb?code=c&state={state}",
    )
    assert ask(f"GET /cb?error=access_denied&state={state} HTTP/1.1")[1] is not None
    assert ask("GET /favicon.ico HTTP/1.1") == (404, None)
    assert ask("GET /cb?code=c&state=other HTTP/1.1") == (400, None)
    assert ask(f"GET /cb?state={state}&state=other HTTP/1.1") == (400, None)
    assert ask(f"POST /cb?state={state} HTTP/1.1") == (405, None)
    assert ask("garbage") == (400, None)


async def test_login_loopback_reports_a_denial(new_client: Factory, stack: LocalStack) -> None:
    port = _free_port()
    redirect = f"http://127.0.0.1:{port}/callback"
    client = new_client()
    await client.register(developer=DEVELOPER, providers=GITHUB, redirect_uris=[redirect])
    stack.consent.deny()
    pages: list[int] = []

    def browser(url: str) -> None:
        consent = follow_consent(url)
        assert consent.error == "access_denied"
        with httpx2.Client(trust_env=False, timeout=10) as http:
            pages.append(http.get(consent.url).status_code)

    threads: list[threading.Thread] = []
    with pytest.raises(ATHError) as denied:
        await client.login(
            "github",
            ["read:user"],
            open_browser=False,
            redirect_uri=redirect,
            timeout=30,
            on_authorization_url=lambda url: threads.append(_later(0.0, lambda: browser(url))),
        )
    threads[0].join()
    assert denied.value.code == "USER_DENIED" and pages == [200]
    assert _port_is_free(port)


def test_login_with_legacy_redirects_finishes_by_polling(agent: Agent) -> None:
    """A gateway that redirects with session_id and success but no state: the listener
    ignores that redirect (it cannot be told from a forged one) and polling finishes."""
    with LocalStack(legacy_redirects=True) as legacy:
        agent_id = legacy.host_agent(agent.pem, name="legacy-agent")
        port = _free_port()
        redirect = f"http://127.0.0.1:{port}/callback"
        statuses: list[int] = []

        def browser(url: str) -> None:
            consent = follow_consent(url)
            with httpx2.Client(trust_env=False, timeout=10) as http:
                statuses.append(http.get(consent.url).status_code)

        with ATHGatewayClient(
            url=legacy.gateway_url, agent_id=agent_id, private_key=agent.pem
        ) as client:
            client.register(developer=DEVELOPER, providers=GITHUB, redirect_uris=[redirect])
            threads: list[threading.Thread] = []
            token = client.login(
                "github",
                ["read:user"],
                open_browser=False,
                redirect_uri=redirect,
                timeout=30,
                on_authorization_url=lambda url: threads.append(_later(0.0, lambda: browser(url))),
            )
            threads[0].join()
        assert token.provider_id == "github"
        assert statuses == [400], "the stateless redirect was answered and ignored"
        assert _port_is_free(port)
