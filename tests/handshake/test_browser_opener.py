"""``login()`` never waits on a browser (issue 24): the opener runs on a daemon thread
after the loopback listener is up, so a launcher that blocks (a ``$BROWSER`` command, a
headless browser loading the page) delays neither the login nor an event loop, and a
failed open is reported. Ordered by events the test controls, never by timing."""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
from typing import Any

import pytest

from ath import AsyncATHGatewayClient
from ath._browser import open_url
from ath.testing import LocalStack, follow_consent
from tests._support.shells import MakeClient
from tests.conftest import DEVELOPER, Agent

GITHUB = [{"provider_id": "github", "scopes": ["read:user", "repo"]}]
#: A hang guard far above the milliseconds a loopback login takes, not a speed check.
HANG_GUARD = 60.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class BlockingOpener:
    """A browser launcher that does not return until the test lets it (``release``)."""

    def __init__(self) -> None:
        self.called = threading.Event()
        self.released = threading.Event()
        self.returned = threading.Event()
        self.urls: list[str] = []

    def __call__(self, url: str) -> bool:
        self.urls.append(url)
        self.called.set()
        self.released.wait(HANG_GUARD)
        self.returned.set()
        return True


def _consent_in_background(url: str, redirect: str) -> threading.Thread:
    """The person's browser: consent at the stack, then the redirect to the listener."""

    def run() -> None:
        consent = follow_consent(url)
        assert consent.url.startswith(redirect)
        import httpx2

        with httpx2.Client(trust_env=False, timeout=10) as http:
            http.get(consent.url)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


async def test_a_blocking_opener_does_not_delay_a_loopback_login(
    make_client: MakeClient,
) -> None:
    port = _free_port()
    redirect = f"http://127.0.0.1:{port}/callback"
    client = make_client()
    await client.register(developer=DEVELOPER, providers=GITHUB, redirect_uris=[redirect])
    opener = BlockingOpener()
    browsers: list[threading.Thread] = []
    try:
        token = await client.login(
            "github",
            ["read:user"],
            open_browser=opener,
            redirect_uri=redirect,
            timeout=HANG_GUARD,
            on_authorization_url=lambda url: browsers.append(_consent_in_background(url, redirect)),
        )
        assert token.effective_scopes == ["read:user"]
        assert opener.called.wait(HANG_GUARD)  # it was started ...
        assert not opener.returned.is_set()  # ... and the login ended while it still blocks
        assert len(opener.urls) == 1  # the authorization URL, opened once
    finally:
        opener.released.set()
        for thread in browsers:
            thread.join(HANG_GUARD)
    assert opener.returned.wait(HANG_GUARD)


async def test_async_login_keeps_the_event_loop_serving(stack: LocalStack, agent: Agent) -> None:
    port = _free_port()
    redirect = f"http://127.0.0.1:{port}/callback"
    opener = BlockingOpener()
    ticks = 0
    ticks_when_opener_called: list[int] = []

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    async with AsyncATHGatewayClient(stack.gateway_url, agent.agent_id, agent.pem) as client:
        await client.register(developer=DEVELOPER, providers=GITHUB, redirect_uris=[redirect])
        ticking = asyncio.create_task(ticker())
        loop = asyncio.get_running_loop()
        seen: dict[str, Any] = {}

        async def person() -> None:
            # consent only once the opener is blocking, and while it still blocks
            await loop.run_in_executor(None, opener.called.wait, HANG_GUARD)
            ticks_when_opener_called.append(ticks)
            consent = await loop.run_in_executor(None, follow_consent, seen["url"])
            import httpx2

            async with httpx2.AsyncClient(trust_env=False, timeout=10) as http:
                await http.get(consent.url)

        try:
            acting: list[asyncio.Task[None]] = []

            def on_url(url: str) -> None:
                seen["url"] = url
                acting.append(asyncio.ensure_future(person()))

            token = await client.login(
                "github",
                ["read:user"],
                open_browser=opener,
                redirect_uri=redirect,
                timeout=HANG_GUARD,
                on_authorization_url=on_url,
            )
            await acting[0]
            ticks_at_end = ticks
        finally:
            opener.released.set()
            ticking.cancel()
    assert token.effective_scopes == ["read:user"]
    assert opener.urls == [seen["url"]]
    # the loop kept running other tasks while the opener blocked, and the login ended
    # before the opener returned
    assert ticks_when_opener_called and ticks_at_end > ticks_when_opener_called[0]
    assert opener.returned.wait(HANG_GUARD)


def test_a_failed_open_is_reported(caplog: pytest.LogCaptureFixture) -> None:
    def refuses(url: str) -> bool:
        return False

    def breaks(url: str) -> bool:
        raise OSError("no launcher")

    url = "http://127.0.0.1:9/ath/consent?state=S3CRET-STATE"
    with caplog.at_level(logging.WARNING, logger="ath"):
        assert open_url(url, refuses) is False
        assert open_url(url, breaks) is False
        assert open_url(url, lambda u: True) is True
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 2
    assert all("open the authorization URL shown yourself" in m for m in messages)
    assert "OSError" in messages[1]
    assert not any("S3CRET-STATE" in m for m in messages)
