"""A real headless Chromium (Debian's ``chromium``, driven by Playwright) answers the
local stack's consent page during a real loopback ``login()`` (issue 24): Approve
ends on the SDK's completion page with a token, Deny with ``USER_DENIED`` and a page
saying access was denied. Screenshots of the consent page and of the completion page
are checked: they decode as PNG, have the viewport's size and are not blank; the
pages' text (read from the DOM) says what happened, names the agent and the scopes,
and shows no code, state or session id.

Without Chromium or Playwright these tests fail and say how to install them (``.ci/run``
installs the Debian package, ``make venv`` the pinned Playwright): a browser that is
not there must not read as a browser that works. The browser, Playwright's driver and
the login's thread are stopped on every path, failures included.
"""

from __future__ import annotations

import queue
import socket
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest

from ath import ATHError, ATHGatewayClient, Token
from ath.testing import LocalStack
from tests.conftest import DEVELOPER, Agent
from tests.consent._chromium import INSTALL_PLAYWRIGHT, chromium_flags, system_chromium
from tests.consent._png import decode_png

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

#: A hang guard far above the second a loopback login takes, not a speed check.
HANG_GUARD = 60.0
VIEWPORT = {"width": 900, "height": 700}
SCOPES = ["read:user", "repo"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium from the system (Playwright's own browser download is not
    used); ``--no-sandbox`` only when running as root, where Chromium requires it."""
    executable = system_chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail(INSTALL_PLAYWRIGHT, pytrace=False)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable, args=chromium_flags(), headless=True
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def stack() -> Iterator[LocalStack]:
    with LocalStack(consent="page") as running:
        yield running


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
    try:
        yield context.new_page()
    finally:
        context.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Login:
    """A sync ``login()`` running on its own thread, and the authorization URL its
    opener handed to the test, whose browser is the person's."""

    future: Future[Token]
    redirect: str
    url: str = ""

    def end(self) -> None:
        """Make sure the login is over (on a failure: answer its listener with a
        refusal carrying its own state), so no thread outlives the test."""
        if not self.future.done() and self.url:
            state = parse_qs(urlsplit(self.url).query)["state"][0]
            with httpx2.Client(trust_env=False, timeout=10) as http:
                http.get(self.redirect, params={"error": "access_denied", "state": state})
        self.future.exception(timeout=HANG_GUARD)


@pytest.fixture
def login(stack: LocalStack, agent: Agent) -> Iterator[Login]:
    redirect = f"http://127.0.0.1:{_free_port()}/callback"
    opened: queue.Queue[str] = queue.Queue()
    pool = ThreadPoolExecutor(max_workers=1)
    with ATHGatewayClient(stack.gateway_url, agent.agent_id, agent.pem) as client:
        client.register(
            developer=DEVELOPER,
            providers=[{"provider_id": "github", "scopes": SCOPES}],
            redirect_uris=[redirect],
            purpose="reads your profile for the browser test",
        )

        def run() -> Token:
            return client.login(
                "github",
                SCOPES,
                open_browser=opened.put,  # the "browser launcher": the test's Chromium
                redirect_uri=redirect,
                timeout=HANG_GUARD,
                on_authorization_url=lambda url: None,
            )

        running = Login(pool.submit(run), redirect)
        try:
            running.url = opened.get(timeout=HANG_GUARD)
            yield running
        finally:
            running.end()
            pool.shutdown(wait=True)


def _screenshot_is_a_page(png: bytes, path: Path) -> None:
    path.write_bytes(png)  # kept in the test's tmp_path for a person to look at
    image = decode_png(png)
    assert (image.width, image.height) == (VIEWPORT["width"], VIEWPORT["height"])
    # text, buttons and borders give many colours; a blank or one-colour page gives 1
    assert len(image.colours(step=2)) >= 16, f"{path.name}: the screenshot looks blank"


def _visible_text(page: Page) -> str:
    return " ".join(page.inner_text("body").split())


def _no_secrets(page: Page, *secrets: str) -> None:
    html = page.content()
    for secret in secrets:
        assert secret not in html, "the page shows what only the agent should pick up"


def _consent(page: Page, url: str, tmp_path: Path) -> tuple[str, str]:
    """Open the authorization URL and check the consent page; returns the agent's
    state and session id (from the URL the SDK got)."""
    query = parse_qs(urlsplit(url).query)
    state, session_id = query["state"][0], query["ath_session_id"][0]
    response = page.goto(url)
    assert response is not None and response.ok
    assert page.title().startswith("Allow test-agent")
    text = _visible_text(page)
    assert "test-agent" in text and "github" in text and "Acme" in text
    assert all(scope in text for scope in SCOPES)
    assert "Approve" in text and "Deny" in text
    _no_secrets(page, state, session_id)
    _screenshot_is_a_page(page.screenshot(), tmp_path / "consent.png")
    return state, session_id


def test_chromium_approves_and_lands_on_the_sdk_completion_page(
    stack: LocalStack, login: Login, page: Page, tmp_path: Path
) -> None:
    state, session_id = _consent(page, login.url, tmp_path)
    with page.expect_navigation(url=f"{login.redirect}?*"):
        page.get_by_role("button", name="Approve").click()
    token = login.future.result(timeout=HANG_GUARD)
    assert token.provider_id == "github" and sorted(token.effective_scopes) == SCOPES
    landed = parse_qs(urlsplit(page.url).query)
    code = landed["code"][0]
    assert page.title() == "You're signed in"
    text = _visible_text(page)
    assert "You're signed in" in text and "close this tab" in text
    _no_secrets(page, code, state, session_id, token.access_token)
    _screenshot_is_a_page(page.screenshot(), tmp_path / "completion.png")
    counted = stack.counters
    assert (counted.consent_pages_shown, counted.consents_approved) == (1, 1)
    assert counted.consents_denied == 0


def test_chromium_denies_and_the_login_says_user_denied(
    stack: LocalStack, login: Login, page: Page, tmp_path: Path
) -> None:
    before = stack.counters
    state, session_id = _consent(page, login.url, tmp_path)
    with page.expect_navigation(url=f"{login.redirect}?*"):
        page.get_by_role("button", name="Deny").click()
    with pytest.raises(ATHError) as denied:
        login.future.result(timeout=HANG_GUARD)
    assert denied.value.code == "USER_DENIED"
    assert parse_qs(urlsplit(page.url).query)["error"] == ["access_denied"]
    assert page.title() == "Access was denied"
    assert "not given access" in _visible_text(page)
    _no_secrets(page, state, session_id)
    _screenshot_is_a_page(page.screenshot(), tmp_path / "denied.png")
    counted = stack.counters - before  # since the login's authorization request
    assert (counted.consents_started, counted.consent_pages_shown) == (1, 1)
    assert (counted.consents_denied, counted.consents_approved) == (1, 0)


def test_a_missing_chromium_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the system browser the tests fail and say how to install it."""
    monkeypatch.setenv("PATH", "")
    with pytest.raises(pytest.fail.Exception, match=r"apt-get install -y chromium"):
        system_chromium()
