"""Step-up, opt in: a call refused with ``SCOPE_NOT_APPROVED`` becomes one consent
request for the union of the scopes held and the scopes asked, then the call once more.

``authorize(provider, scopes)`` always sends exactly the scopes asked; only
``login(..., step_up=True)`` and ``proxy(..., step_up=...)`` / ``api(..., step_up=...)``
widen. The scope logic lives here once (no I/O): which scopes the token held for a
provider has, and which scopes a refusal names (``details["required_scopes"]``, which
gateways that say what a route needs send; without it there is nothing to ask for and
the refusal is raised as it is).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeAlias, TypeVar

from ath._core import Core
from ath._errors import ATHClientError, ATHError
from ath._models import Token

__all__ = ["StepUp", "held_scopes", "needed_scopes", "run_async", "run_sync", "union"]

T = TypeVar("T")

#: ``step_up=`` of proxy()/api(): ``True`` (the client's own ``login(provider, scopes)``),
#: or the caller's consent path, called as ``consent(provider, scopes)`` and returning the
#: new token (an async client awaits what it returns).
StepUp: TypeAlias = "bool | Callable[[str, list[str]], Token | Awaitable[Token]]"


def union(held: Sequence[str], asked: Sequence[str]) -> list[str]:
    """The scopes held, then those asked that are not held yet, in order, once each."""
    return list(dict.fromkeys([*held, *asked]))


def held_scopes(core: Core, provider: str | None) -> list[str]:
    """The effective scopes of the token held for ``provider`` (native: the one token)."""
    tokens = core.state.token_view(core.user)
    token = tokens.get(provider or "") if provider is not None else None
    if token is None and provider is None and len(tokens) == 1:
        token = next(iter(tokens.values()))
    return list(token.effective_scopes) if token is not None else []


def provider_of(core: Core, provider: str | None) -> str | None:
    """The provider a step-up asks consent for: the one called, or, for a native
    service, the provider of the one token held."""
    if provider is not None:
        return provider
    tokens = core.state.token_view(core.user)
    if len(tokens) == 1:
        token = next(iter(tokens.values()))
        return token.provider_id
    return None


def needed_scopes(error: ATHError) -> list[str] | None:
    """The scopes a ``SCOPE_NOT_APPROVED`` refusal names, or None (another error, or a
    refusal that names none)."""
    if error.code != "SCOPE_NOT_APPROVED":
        return None
    named: Any = error.details.get("required_scopes")
    if not isinstance(named, list) or not named or not all(isinstance(s, str) for s in named):
        return None
    return [str(s) for s in named]


def check_step_up(step_up: object) -> None:
    if not isinstance(step_up, bool) and not callable(step_up):
        raise ATHClientError(
            "INVALID_ARGUMENT",
            "step_up must be True/False or a function (provider, scopes) -> Token",
        )


def _plan(
    core: Core, provider: str | None, step_up: object, exc: ATHError
) -> tuple[str, list[str]] | None:
    needed = needed_scopes(exc)
    target = provider_of(core, provider)
    if step_up is False or needed is None or target is None:
        return None
    return target, union(held_scopes(core, provider), needed)


def run_sync(
    core: Core,
    provider: str | None,
    step_up: object,
    call: Callable[[], T],
    login: Callable[[str, list[str]], Token],
) -> T:
    """``call()``; with ``step_up``, a ``SCOPE_NOT_APPROVED`` that names scopes runs one
    consent (``login``, or ``step_up`` itself when it is a function) for the union of held
    and named scopes, then ``call()`` once more."""
    check_step_up(step_up)
    try:
        return call()
    except ATHError as exc:
        plan = _plan(core, provider, step_up, exc)
        if plan is None:
            raise
    consent: Callable[..., Any] = login if step_up is True else step_up  # type: ignore[assignment]
    consent(*plan)
    return call()


async def run_async(
    core: Core,
    provider: str | None,
    step_up: object,
    call: Callable[[], Awaitable[T]],
    login: Callable[[str, list[str]], Awaitable[Token]],
) -> T:
    """:func:`run_sync` for the async clients (an async consent path is awaited)."""
    check_step_up(step_up)
    try:
        return await call()
    except ATHError as exc:
        plan = _plan(core, provider, step_up, exc)
        if plan is None:
            raise
    consent: Callable[..., Any] = login if step_up is True else step_up  # type: ignore[assignment]
    result = consent(*plan)
    import inspect  # only on a step-up

    if inspect.isawaitable(result):
        await result
    return await call()
