"""Frame clearing: the one mechanism that keeps secrets out of traceback frames.

Error reporters (Sentry, ``pytest --showlocals``, rich) render the locals of every frame
of an exception and of its ``__cause__``/``__context__`` chain. :func:`sealed` wraps one
of the SDK's public entry points so that whatever leaves it has those frames cleared;
:func:`seal_methods` applies it to the public methods a class of the SDK defines. It is
applied explicitly, class by class and function by function, to the SDK's own entry
points (the clients, the stores, the CLI, the integrations), never to a user's subclass:
a user's own method keeps its locals.
"""

from __future__ import annotations

import functools
import inspect
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

from ath._errors import ATHError

__all__ = ["seal", "seal_methods", "sealed"]

F = TypeVar("F", bound=Callable[..., Any])


def seal(exc: BaseException) -> None:
    """Clear the locals of every finished frame of ``exc`` and of its chain.

    An ATHError's chain is cut as well: the SDK's message says what happened, and
    the exceptions under it (a library's, a server's answer) may quote secrets.
    """
    if isinstance(exc, ATHError):
        exc.__cause__ = exc.__context__ = None
        exc.__suppress_context__ = True
    seen: set[int] = set()
    pending: list[BaseException] = [exc]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if current.__traceback__ is not None:
            traceback.clear_frames(current.__traceback__)  # skips frames still running
        pending += [e for e in (current.__cause__, current.__context__) if e is not None]


def sealed(fn: F) -> F:
    """``fn`` with :func:`seal` applied to whatever exception leaves it."""
    if inspect.iscoroutinefunction(fn):

        @functools.wraps(fn)
        async def acall(*args: Any, **kwargs: Any) -> Any:
            try:
                return await fn(*args, **kwargs)
            except BaseException as exc:
                del args, kwargs  # this frame is still running: it cannot be cleared
                seal(exc)
                raise

        return acall  # type: ignore[return-value]

    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except BaseException as exc:
            del args, kwargs
            seal(exc)
            raise

    return call  # type: ignore[return-value]


def seal_methods(cls: type) -> None:
    """Wrap the public methods (and ``__init__``) defined by ``cls`` with :func:`sealed`."""
    for name, value in list(vars(cls).items()):
        if inspect.isfunction(value) and (name == "__init__" or not name.startswith("_")):
            setattr(cls, name, sealed(value))
