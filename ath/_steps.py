"""The steps a protocol flow yields, and the one rule a driver follows for each.

Every ATH exchange is a generator (the shape of ``httpx.Auth.auth_flow``): it yields
:class:`Send` (a request to put on the wire), :class:`Sleep` (a retry pause) or
:class:`Call` (blocking work: a credential store) and receives the outcome; its
return value is the result. ``ath._client`` drives these generators with
``httpx.Client`` + ``time.sleep`` or ``httpx.AsyncClient`` + ``asyncio.sleep``;
nothing else differs between the sync and the async clients.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

__all__ = ["Call", "Flow", "Outcome", "Raised", "Send", "Sleep", "Step", "run_call"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Send:
    """Put ``request`` on the wire; the driver answers with a Response or the exception."""

    request: httpx.Request
    #: ``time.monotonic()`` by which this attempt must be over (None: no deadline).
    deadline: float | None = None


@dataclass(frozen=True, slots=True)
class Sleep:
    """Pause before a retry; the driver answers with None."""

    seconds: float


@dataclass(frozen=True, slots=True)
class Call:
    """Run ``fn`` (blocking I/O: a credential store) and answer with its result, or
    with :class:`Raised` when it raised. The async driver runs it in a thread."""

    fn: Callable[[], Any]


@dataclass(frozen=True, slots=True)
class Raised:
    """What a :class:`Call` raised, handed back to the flow."""

    error: BaseException


def run_call(step: Call) -> Any:
    """What a driver does with a :class:`Call`: run it; what it raises goes back to the
    flow as a value (:class:`Raised`)."""
    try:
        return step.fn()
    except Exception as exc:
        return Raised(exc)


Outcome = httpx.Response | BaseException
Step = Send | Sleep | Call
Flow = Generator[Step, Any, T]
