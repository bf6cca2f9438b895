"""Whether a held token answers a request for consent: the one rule, sans-IO.

``login()`` returns a held token instead of asking for consent when
:func:`token_covers` says it covers the ask (issue 24); any later step-up logic asks the
same question, so it is answered here once: same provider (or a token set without
one), not expiring within :data:`REUSE_LEEWAY` seconds, and its effective scopes
include every scope asked for. A token whose effective scopes are narrower than what
is asked (the server granted less, or the ask grew) does not cover it: consent is
asked again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from ath._models import Token

__all__ = ["REUSE_LEEWAY", "missing_scopes", "token_covers"]

#: A token expiring within this many seconds is not reused (it would lapse mid-task).
REUSE_LEEWAY: Final = 60.0


def missing_scopes(token: Token, scopes: Sequence[str]) -> list[str]:
    """The asked ``scopes`` the token was not granted, in the order asked."""
    granted = set(token.effective_scopes)
    return [scope for scope in dict.fromkeys(scopes) if scope not in granted]


def token_covers(
    token: Token | None,
    provider: str | None,
    scopes: Sequence[str],
    *,
    leeway: float = REUSE_LEEWAY,
) -> bool:
    """Whether ``token`` can serve an ask for ``provider`` with ``scopes`` without new
    consent (see the module doc)."""
    if token is None:
        return False
    if token.provider_id is not None and token.provider_id != provider:
        return False
    if token.is_expired(leeway):
        return False
    return not missing_scopes(token, scopes)
