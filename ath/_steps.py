"""The steps a protocol flow yields, and the one rule a driver follows for each.

Every ATH exchange is a generator (the shape of ``httpx2.Auth.auth_flow``): it yields
:class:`Send` (a request to put on the wire), :class:`Sleep` (a retry pause) or
:class:`Call` (blocking work: a credential store) and receives the outcome (a
:data:`Reply`); its return value is the result. ``ath._client`` drives these generators with
``httpx2.Client`` + ``sleep=`` (``time.sleep``) or ``httpx2.AsyncClient`` + ``sleep=``
(``asyncio.sleep``);
nothing else differs between the sync and the async clients.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator
from dataclasses import dataclass
from typing import TypeVar

import httpx2

__all__ = [
    "Call",
    "Flow",
    "LoginFlow",
    "OpenBrowser",
    "Outcome",
    "Raised",
    "Reply",
    "Returned",
    "Send",
    "Sleep",
    "Step",
    "WaitCallback",
    "run_call",
]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Send:
    """Put ``request`` on the wire; the driver answers with a Response or the exception."""

    request: httpx2.Request
    #: ``time.monotonic()`` by which this attempt must be over (None: no deadline).
    deadline: float | None = None
    #: Which attempt of the request this is (1: the first; more: a retry).
    attempt: int = 1


@dataclass(frozen=True, slots=True)
class Sleep:
    """Pause before a retry; the driver answers with None."""

    seconds: float


@dataclass(frozen=True, slots=True)
class Call:
    """Run ``fn`` (blocking I/O: a credential store) and answer with its result in
    :class:`Returned`, or with :class:`Raised` when it raised. The async driver awaits
    ``afn`` instead when there is one (a store with an async client), else runs ``fn``
    in a thread."""

    fn: Callable[[], object]
    afn: Callable[[], Awaitable[object]] | None = None


@dataclass(frozen=True, slots=True)
class Returned:
    """What a :class:`Call` returned, handed back to the flow."""

    value: object


@dataclass(frozen=True, slots=True)
class Raised:
    """What a :class:`Call` raised, handed back to the flow."""

    error: BaseException


def run_call(step: Call) -> Returned | Raised:
    """What a driver does with a :class:`Call`: run it; what it returns or raises goes
    back to the flow as a value."""
    try:
        return Returned(step.fn())
    except Exception as exc:
        return Raised(exc)


async def arun_call(step: Call) -> Returned | Raised:
    """:func:`run_call` of a Call's ``afn``, on the event loop."""
    assert step.afn is not None
    try:
        return Returned(await step.afn())
    except Exception as exc:
        return Raised(exc)


#: What a :class:`Send` comes back with: the response, or the exception that ended it.
Outcome = httpx2.Response | BaseException
#: What a driver sends into a flow: a Send's :data:`Outcome`, None after a Sleep, and a
#: Call's :class:`Returned` or :class:`Raised`.
Reply = Outcome | Returned | Raised | None
Step = Send | Sleep | Call
Flow = Generator[Step, Reply, T]


@dataclass(frozen=True, slots=True)
class WaitCallback:
    """Serve the loopback listener for up to ``seconds`` (``login()``); the driver
    answers with the callback URL whose ``state`` matched, or None when the time ran
    out (without a listener it just pauses)."""

    state: str
    seconds: float


@dataclass(frozen=True, slots=True)
class OpenBrowser:
    """Open ``url`` in a browser without waiting for it (``login()``): the driver starts
    the opener on a daemon thread (:func:`ath._browser.start`) and answers None at once,
    so a launcher that blocks (a ``$BROWSER`` command, a headless browser loading the
    page) holds neither the flow nor an event loop. ``opener``: the caller's own, or
    None for :func:`webbrowser.open`."""

    url: str
    opener: Callable[[str], object] | None = None


#: A login flow: the steps of :data:`Flow`, :class:`WaitCallback` (which the driver
#: answers with the callback URL, or None) and :class:`OpenBrowser` (answered None).
LoginFlow = Generator[Step | WaitCallback | OpenBrowser, "Reply | str", T]
