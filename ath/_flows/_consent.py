"""Consent that completes by itself: ``wait_for_token`` and ``login``, written once.

Both are generator functions over :class:`ath._core.Core` like every flow (they
yield ``Send`` and ``Sleep``, and ``login`` also :class:`ath._steps.WaitCallback`),
driven by the sync and async drivers of :mod:`ath._drivers`. Nothing here touches a
socket or a clock the driver does not control, apart from reading ``time.monotonic``
for the deadline.

Polling ``POST /ath/token`` follows what ATH implementers that complete the OAuth
callback themselves answer: ``400 SESSION_NOT_FOUND`` ("authorization not completed")
until the user has consented, without consuming the session. For a session this client
started and that is within its lifetime, that answer means "pending"; so does any answer
whose ``details.reason`` is ``authorization_pending``, and a 429 (after its Retry-After).
Every other answer ends the wait at once.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Final, TypeVar
from urllib.parse import urlsplit

import httpx2

from ath._constants import SESSION_LIFETIME
from ath._core import Core
from ath._coverage import token_covers
from ath._errors import ATHClientError, ATHError, ATHServerError
from ath._flows._authorization import (
    authorize,
    end_session,
    exchange_token,
    finish_authorization,
    known_session,
)
from ath._flows._transport import credentials, refresh
from ath._retry import parse_retry_after
from ath._steps import Flow, LoginFlow, OpenBrowser, Send, Sleep, WaitCallback

if TYPE_CHECKING:
    from ath._models import Authorization, Token

__all__ = [
    "LOGIN_POLL_INTERVAL",
    "MAX_POLL_INTERVAL",
    "check_wait_arguments",
    "login_flow",
    "loopback_address",
    "wait_for_token_flow",
]

#: The poll interval grows by this factor after every "pending" answer ...
POLL_GROWTH: Final = 1.25
#: ... up to five times the requested interval, and never beyond this many seconds
#: (unless the requested interval itself is longer, or a Retry-After asks for more).
MAX_POLL_INTERVAL: Final = 30.0
#: How often login() asks the token endpoint while it also waits for the redirect.
LOGIN_POLL_INTERVAL: Final = 2.0
#: The least time one poll is given: the poll made at the deadline (or with timeout=0)
#: may take this long, so the wait ends within its timeout plus this.
MIN_POLL_SECONDS: Final = 1.0

AuthorizationUrlHandler = Callable[[str], Any]
T = TypeVar("T")


def check_wait_arguments(timeout: object, poll_interval: object) -> tuple[float, float]:
    for name, value in (("timeout", timeout), ("poll_interval", poll_interval)):
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
            raise ATHClientError("INVALID_ARGUMENT", f"{name} must be a number of seconds")
    assert isinstance(timeout, int | float) and isinstance(poll_interval, int | float)
    if timeout < 0:
        raise ATHClientError("INVALID_ARGUMENT", "timeout must be >= 0 seconds")
    if poll_interval <= 0:
        raise ATHClientError("INVALID_ARGUMENT", "poll_interval must be > 0 seconds")
    return float(timeout), float(poll_interval)


def loopback_address(redirect_uri: str | None) -> tuple[str, int, str] | None:
    """``(host, port, path)`` when ``redirect_uri`` is an RFC 8252 loopback redirect
    (``http://127.0.0.1:PORT/...`` or ``http://[::1]:PORT/...``), else None."""
    if redirect_uri is None:
        return None
    try:
        parts = urlsplit(redirect_uri)
        port = parts.port
    except ValueError:
        raise ATHClientError("INVALID_ARGUMENT", "redirect_uri has an invalid port") from None
    if parts.scheme != "http" or parts.hostname not in ("127.0.0.1", "::1"):
        return None
    if port is None or port == 0:
        raise ATHClientError(
            "INVALID_ARGUMENT",
            "a loopback redirect_uri needs the explicit port it was registered with, "
            "e.g. http://127.0.0.1:8765/callback (ATH matches redirect URIs exactly)",
        )
    if parts.fragment:
        raise ATHClientError("INVALID_ARGUMENT", "redirect_uri must not carry a #fragment")
    return parts.hostname, port, parts.path or "/"


class _Poller:
    """One ``POST /ath/token`` per call, and the interval before the next one."""

    def __init__(self, core: Core, session_id: str, poll_interval: float, deadline: float) -> None:
        self.core = core
        self.session_id = session_id
        self.deadline = deadline
        self.interval = poll_interval
        self.cap = max(poll_interval, min(MAX_POLL_INTERVAL, 5 * poll_interval))
        self.requests = 0
        self.next_wait = poll_interval
        self.rate_limited: ATHError | None = None

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def bound(self) -> float:
        """When this poll's requests must be over: the wait's deadline, or
        MIN_POLL_SECONDS from now for the last poll made at the deadline (timeout=0
        still asks once)."""
        return max(self.deadline, time.monotonic() + MIN_POLL_SECONDS)

    def poll(self) -> Flow[Token | None]:
        """The token, or None while consent is pending (the next wait is in ``interval``)."""
        seen: list[httpx2.Response] = []
        self.requests += 1
        exchange = exchange_token(self.core, "", self.session_id)
        try:
            token: Token = yield from _watch(_within(exchange, self.bound()), seen)
        except _OutOfTime:
            return None  # the wait's deadline passed during this poll: the caller says so
        except ATHError as exc:
            response = seen[-1] if seen else None
            if not self._pending(exc):
                raise
            self.rate_limited = exc if exc.status == 429 else None
            wait = self.interval
            self.interval = min(self.interval * POLL_GROWTH, self.cap)
            if response is not None:
                retry_after = parse_retry_after(response.headers.get("retry-after"))
                if retry_after is not None:
                    wait = max(wait, retry_after)
                    self.interval = max(self.interval, min(retry_after, MAX_POLL_INTERVAL))
            self.next_wait = wait
            return None
        return token

    def _pending(self, exc: ATHError) -> bool:
        if exc.status == 429:
            return True
        if exc.details.get("reason") == "authorization_pending":
            return True
        if exc.code != "SESSION_NOT_FOUND":
            return False
        pending = _started_session(self.core, self.session_id)
        if pending is None:
            raise exc.replace(
                message=f"wait_for_token: session {self.session_id} is unknown to the server "
                "and was not started by this client; call authorize() and wait for that session."
            ) from None
        if time.time() - pending.created_at > SESSION_LIFETIME:
            raise ATHServerError(
                "SESSION_EXPIRED",
                f"wait_for_token: session {self.session_id} outlived its lifetime without "
                "consent; call authorize() again.",
                status=exc.status,
            ) from None
        return True

    def timeout_error(self, timeout: float) -> ATHError:
        if self.rate_limited is not None:  # the server's last word was "slow down": say so
            return self.rate_limited
        return ATHClientError(
            "CONSENT_TIMEOUT",
            f"the user did not complete consent within {timeout:g} s "
            f"({self.requests} token requests). The session {self.session_id} stays usable "
            "until it expires: call wait_for_token() again, or authorize() again.",
            details={"session_id": self.session_id, "token_requests": self.requests},
        )


class _OutOfTime(Exception):
    """A poll's retry pause would end past the wait's deadline."""


def _within(flow: Flow[T], deadline: float) -> Flow[T]:
    """``flow`` with every request bounded by ``deadline`` (a monotonic time) and no
    retry pause past it (:class:`_OutOfTime`): a wait's deadline bounds every request it
    makes, whatever the client's own timeouts (a token endpoint that drips its answer
    would otherwise hold a poll for the whole attempt timeout). A request cut there
    ends the wait with its ``TIMEOUT``, as a poll that timed out on its own does."""
    try:
        step = next(flow)
        while True:
            if isinstance(step, Send):
                if step.deadline is None or step.deadline > deadline:
                    step = Send(step.request, deadline)
            elif isinstance(step, Sleep) and time.monotonic() + step.seconds >= deadline:
                flow.close()
                raise _OutOfTime
            step = flow.send((yield step))
    except StopIteration as done:
        result: T = done.value
        return result


def _watch(flow: Flow[Any], seen: list[httpx2.Response]) -> Flow[Any]:
    """``flow`` unchanged, recording every response the driver hands it."""
    try:
        step = next(flow)
    except StopIteration as done:
        return done.value
    while True:
        outcome = yield step
        if isinstance(outcome, httpx2.Response):
            seen.append(outcome)
        try:
            step = flow.send(outcome)
        except StopIteration as done:
            return done.value


def _started_session(core: Core, session_id: str) -> Authorization | None:
    with core.state.lock:
        return core.state.of(core.user).sessions.get(session_id)


def wait_for_token_flow(
    core: Core, session_id: str, timeout: float, poll_interval: float
) -> Flow[Token]:
    """Poll ``POST /ath/token`` until the user consented elsewhere; see the module doc."""
    if not isinstance(session_id, str) or not session_id:
        raise ATHClientError("INVALID_ARGUMENT", "wait_for_token(session_id) needs the session id")
    timeout, poll_interval = check_wait_arguments(timeout, poll_interval)
    yield from credentials(core)  # fail before the first request when there are none
    yield from known_session(core, session_id, None)
    poller = _Poller(core, session_id, poll_interval, time.monotonic() + timeout)
    while True:
        try:
            token = yield from poller.poll()
        except ATHError as exc:
            if exc.code == "SESSION_EXPIRED":  # outlived its lifetime: pending no more
                yield from end_session(core, session_id)
            raise
        if token is not None:
            return token
        remaining = poller.remaining()
        if remaining <= 0:
            raise poller.timeout_error(timeout)
        yield Sleep(min(poller.next_wait, remaining))


def _announce(url: str) -> None:
    print(f"Open this URL in a browser to authorize the agent:\n  {url}", file=sys.stderr)


def _held_token(core: Core, provider: str) -> Flow[Token | None]:
    """The token held for ``provider``, the store re-read first (a token another
    process shared counts), or None."""
    if core.state.store is not None:
        yield from refresh(core, force=True)
    found = core.state.lookup(core.user, provider)
    return None if found is None else found[1]


def login_flow(
    core: Core,
    provider: str,
    scopes: Sequence[str],
    *,
    redirect_uri: str | None,
    listening: bool,
    timeout: float,
    poll_interval: float,
    open_browser: bool | Callable[[str], object],
    on_authorization_url: AuthorizationUrlHandler | None,
    force: bool = False,
) -> LoginFlow[Token]:
    """The held token when it covers the ask (:func:`ath._coverage.token_covers`;
    unless ``force``), else authorize, hand out the URL, have it opened (``open_browser``: True for
    :func:`webbrowser.open`, a callable for the caller's own opener, False for none;
    the driver never waits for it), then finish by the loopback redirect
    (``listening``) or by polling, whichever comes first."""
    timeout, poll_interval = check_wait_arguments(timeout, poll_interval)
    if not force:
        held = yield from _held_token(core, provider)
        if token_covers(held, provider, scopes):
            assert held is not None
            return held
    auth = yield from authorize(core, provider, scopes, redirect_uri, None)
    deadline = time.monotonic() + timeout
    (on_authorization_url or _announce)(auth.authorization_url)
    if open_browser is not False:  # after the listener is up; the driver never waits on it
        opener = None if open_browser is True else open_browser
        yield OpenBrowser(auth.authorization_url, opener)
    poller = _Poller(core, auth.ath_session_id, poll_interval, deadline)
    while True:  # wait (serving the listener), then ask once; the last ask is at the deadline
        wait = max(0.0, min(poller.next_wait, poller.remaining()))
        if listening:
            callback_url = yield WaitCallback(auth.state, wait)
            if isinstance(callback_url, str):
                token: Token = yield from finish_authorization(
                    core, callback_url, auth.ath_session_id
                )
                return token
        elif wait > 0:
            yield Sleep(wait)
        polled = yield from poller.poll()
        if polled is not None:
            return polled
        if poller.remaining() <= 0:
            raise poller.timeout_error(timeout)
