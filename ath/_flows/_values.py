"""Values of the generated models turned into the SDK's own (``ath._models``).

Each refuses, with ``INVALID_RESPONSE`` or the code given, a value no caller could use.
"""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import quote

from ath._errors import ATHClientError, ATHServerError
from ath._models import AgentStatus, ProviderApproval

__all__ = [
    "MAX_EXPIRES_IN",
    "agent_status_of",
    "approvals",
    "basic_auth",
    "check_lifetime",
    "str_list",
    "unset_to_none",
]

#: The longest token lifetime accepted (a century); a larger expires_in is not a lifetime.
MAX_EXPIRES_IN = 100 * 365 * 24 * 3600


def str_list(value: Any) -> list[str]:
    from ath._generated import Unset

    if isinstance(value, Unset) or value is None:
        return []
    return [str(v) for v in value]


def unset_to_none(value: Any) -> Any:
    from ath._generated import Unset

    return None if isinstance(value, Unset) else value


def approvals(items: Any) -> list[ProviderApproval]:
    return [
        ProviderApproval(
            provider_id=item.provider_id,
            approved_scopes=str_list(item.approved_scopes),
            denied_scopes=str_list(item.denied_scopes),
            denial_reason=unset_to_none(item.denial_reason),
        )
        for item in (items or [])
    ]


def agent_status_of(value: Any) -> AgentStatus:
    try:
        return AgentStatus(str(getattr(value, "value", value)))
    except ValueError:
        raise ATHServerError(
            "INVALID_RESPONSE",
            f"agent_status {str(value)[:40]!r} is none of approved, pending, denied",
        ) from None


def check_lifetime(value: Any, what: str, *, code: str, status: int | None = None) -> int | None:
    """A lifetime in seconds, None when absent; refused when not a usable lifetime."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_EXPIRES_IN:
        fault = ATHServerError if code == "INVALID_RESPONSE" else ATHClientError
        raise fault(
            code,
            f"{what} must be a whole number of seconds between 0 and {MAX_EXPIRES_IN}",
            status=status,
        )
    return value


def basic_auth(client_id: str, client_secret: str) -> str:
    raw = f"{quote(client_id, safe='')}:{quote(client_secret, safe='')}".encode()
    return "Basic " + base64.b64encode(raw).decode("ascii")
