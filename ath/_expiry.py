"""Knowing before a token expires: :class:`ExpiryWatch`.

ATH v0.1 has no refresh token and tokens live at most an hour, so an agent must ask its
user again in time. ``Token.expires_in_seconds`` says how long a token has left;
:class:`ExpiryWatch` calls ``on_expiring(provider, token)`` once per token when it enters
the last ``within`` seconds of its life. The watch does no I/O: call :meth:`check` from
the agent's own loop (:meth:`next_check_in` says when it is next worth it), or let
:meth:`run` (sync, until ``stop`` is set) or :meth:`arun` (async, until cancelled) do it.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from ath._errors import ATHClientError
from ath._models import Token

__all__ = ["ExpiryWatch"]

#: The longest pause of :meth:`ExpiryWatch.run` / :meth:`ExpiryWatch.arun` between checks
#: (tokens set or obtained meanwhile are seen within this).
MAX_PAUSE = 30.0


class _HoldsTokens(Protocol):
    @property
    def tokens(self) -> dict[str, Token]: ...


def _fingerprint(token: Token) -> str:
    # what the watch remembers of a token it announced: never the token itself
    return hashlib.sha256(token.access_token.encode("utf-8", "replace")).hexdigest()[:32]


class ExpiryWatch:
    """Calls ``on_expiring(provider, token)`` once per token of ``client`` (any client or
    ``for_user`` view) when the token has ``within`` seconds or less left. ``clock``: the
    wall clock (``time.time``; inject one in tests)."""

    def __init__(
        self,
        client: _HoldsTokens,
        on_expiring: Callable[[str, Token], Any],
        *,
        within: float = 300.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if isinstance(within, bool) or not isinstance(within, int | float) or not within >= 0:
            raise ATHClientError("INVALID_ARGUMENT", "within must be a number of seconds >= 0")
        if not callable(on_expiring):
            raise ATHClientError("INVALID_ARGUMENT", "on_expiring must be callable")
        self._client = client
        self._on_expiring = on_expiring
        self.within = float(within)
        self._clock = clock
        self._announced: set[str] = set()
        self._lock = threading.Lock()

    def _due(self) -> tuple[list[tuple[str, Token]], float | None]:
        now = self._clock()
        due: list[tuple[str, Token]] = []
        soonest: float | None = None
        with self._lock:
            for provider, token in sorted(self._client.tokens.items()):
                if token.expires_at is None:
                    continue
                mark = _fingerprint(token)
                if mark in self._announced:
                    continue
                starts = token.expires_at - self.within - now
                if starts <= 0:
                    self._announced.add(mark)
                    due.append((provider, token))
                elif soonest is None or starts < soonest:
                    soonest = starts
        return due, soonest

    def check(self) -> list[tuple[str, Token]]:
        """Call ``on_expiring`` for every token that entered its last ``within`` seconds
        since the last check (once per token); returns those ``(provider, token)`` pairs."""
        due, _ = self._due()
        for provider, token in due:
            self._on_expiring(provider, token)
        return due

    def next_check_in(self) -> float | None:
        """Seconds until the next token held enters its window (``None``: none will)."""
        now = self._clock()
        with self._lock:
            waits = [
                token.expires_at - self.within - now
                for token in self._client.tokens.values()
                if token.expires_at is not None and _fingerprint(token) not in self._announced
            ]
        return max(0.0, min(waits)) if waits else None

    def _pause(self) -> float:
        wait = self.next_check_in()
        return MAX_PAUSE if wait is None else min(max(wait, 0.01), MAX_PAUSE)

    def run(self, stop: threading.Event, *, sleep: Callable[[float], Any] | None = None) -> None:
        """Check, pause until the next token is due (at most 30 s), until ``stop`` is set;
        ``sleep``: how to pause (default: waiting on ``stop``)."""
        while not stop.is_set():
            self.check()
            pause = self._pause()
            if sleep is None:
                stop.wait(pause)
            else:
                sleep(pause)

    async def arun(self, *, sleep: Callable[[float], Awaitable[Any]] | None = None) -> None:
        """:meth:`run` as a task: check and pause (``asyncio.sleep``) until cancelled;
        an async ``on_expiring`` is awaited."""
        import asyncio
        import inspect

        pause = asyncio.sleep if sleep is None else sleep
        while True:
            due, _ = self._due()
            for provider, token in due:
                result = self._on_expiring(provider, token)
                if inspect.isawaitable(result):
                    await result
            await pause(self._pause())

    def __repr__(self) -> str:
        return f"ExpiryWatch(within={self.within:g}, announced={len(self._announced)})"
