"""What the SDK reports about itself, named: no I/O, no logging, no OpenTelemetry.

The watcher (:mod:`ath._telemetry`) turns a public call into log records, spans and
metrics; everything they are called and every value they carry is decided here:

- :func:`call_name`: the public call a flow serves (``ath.register``, ``ath.proxy``, ...),
  the span's name and the records' ``ath.call``;
- :func:`path_template` and :func:`safe_url`: what of a request's URL may be reported
  (a template without ids or tokens; the URL without its query, user info or fragment);
- :func:`outcome_label`: an attempt's outcome as a status or an exception's type;
- :func:`audit_events`: the audit events a call's result or error stands for.

Only names, ids, statuses, scopes and error codes are ever taken: never a body, a
header value, a query, a token, a secret, a code, a state or a session id.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Final
from urllib.parse import urlsplit

__all__ = [
    "AUDITED_CALLS",
    "AUDIT_EVENTS",
    "CONSENT_WAITS",
    "AttrValue",
    "Attrs",
    "audit_events",
    "base_path",
    "call_name",
    "outcome_label",
    "path_template",
    "safe_url",
]

#: A span attribute's or a log record's extra field's value.
AttrValue = str | bool | int | float | Sequence[str]
Attrs = dict[str, AttrValue]

#: The public call each flow function serves (``api_call``: by the client's mode).
_CALLS: Final = {
    "register": "ath.register",
    "registration_status": "ath.registration_status",
    "authorize": "ath.authorize",
    "exchange_token": "ath.token",
    "finish_authorization": "ath.finish_authorization",
    "wait_for_token_flow": "ath.wait_for_token",
    "login_flow": "ath.login",
    "discover_gateway": "ath.discover",
    "discover_service": "ath.discover",
    "revoke": "ath.revoke",
    "refresh": "ath.refresh",
    "oauth_finish": "ath.oauth_finish",
}
#: The calls that wait for the user's consent (the consent-wait histogram).
CONSENT_WAITS: Final = frozenset({"ath.wait_for_token", "ath.login"})
#: The calls that end with an ATH token (consent completed, token issued).
_TOKEN_CALLS: Final = frozenset(
    {"ath.token", "ath.finish_authorization", "ath.wait_for_token", "ath.login"}
)
#: The calls whose success stands for audit events (:func:`audit_events` of any other
#: call's success is empty: the watcher skips it).
AUDITED_CALLS: Final = frozenset({"ath.register", "ath.authorize", "ath.revoke", *_TOKEN_CALLS})
#: The audit events, by the value of their ``event`` field.
AUDIT_EVENTS: Final = (
    "agent.registered",
    "consent.started",
    "consent.completed",
    "consent.denied",
    "token.issued",
    "token.expired",
    "token.revoked",
    "scope.refused",
)
#: The events an error code stands for.
_ERROR_EVENTS: Final = {
    "USER_DENIED": "consent.denied",
    "TOKEN_EXPIRED": "token.expired",
    "TOKEN_REVOKED": "token.revoked",
    "SCOPE_NOT_APPROVED": "scope.refused",
}
#: The ATH endpoints' paths below the base URL, reported as they are.
_FIXED_PATHS: Final = frozenset(
    {
        "/.well-known/ath.json",
        "/.well-known/ath-app.json",
        "/ath/agents/register",
        "/ath/authorize",
        "/ath/token",
        "/ath/revoke",
    }
)


def call_name(flow_name: str, mode: str) -> str:
    """The public call of the flow function ``flow_name`` in a client of ``mode``."""
    if flow_name == "api_call":
        return "ath.proxy" if mode == "gateway" else "ath.api"
    return _CALLS.get(flow_name, "ath." + flow_name)


def path_template(call: str, path: str, base_path: str) -> str:
    """``path`` (a request's URL path) with its ids and tokens replaced by names:
    ``/ath/agents/{client_id}``, ``/ath/proxy/{provider}/{path}``, ``{api_base}/{path}``;
    the ATH endpoints as they are; any other endpoint (one a discovery document named,
    like an OAuth token endpoint) as ``{endpoint}``."""
    if call == "ath.api":
        return "{api_base}/{path}"
    if path.startswith(base_path):
        below = path[len(base_path) :]
        if below in _FIXED_PATHS:
            return path
        if below.startswith("/ath/proxy/"):
            return base_path + "/ath/proxy/{provider}/{path}"
        if below.startswith("/ath/agents/"):
            return base_path + "/ath/agents/{client_id}"
    return "{token_endpoint}" if call == "ath.oauth_finish" else "{endpoint}"


@functools.lru_cache(maxsize=64)
def base_path(base_url: str) -> str:
    """The path of a client's base URL ("" at the root)."""
    return urlsplit(base_url).path.rstrip("/")


def safe_url(scheme: str, host: str, port: int | None, path: str) -> str:
    """A request's URL as reported (``url.full``): scheme, host, port and path only. The
    query is left out whole (an API key or a code may ride in it), and so are user info
    and fragment."""
    if ":" in host:  # an IPv6 literal
        host = f"[{host}]"
    return f"{scheme}://{host}{'' if port is None else f':{port}'}{path}"


def outcome_label(outcome: object) -> str:
    """An attempt's outcome: the status code, or the type of the exception that ended it."""
    status = getattr(outcome, "status_code", None)
    if isinstance(status, int):
        return str(status)
    return type(outcome).__name__


def _scopes(values: Sequence[str] | None) -> list[str]:
    return sorted({str(v) for v in values or ()})


def _token_events(provider: str | None, token: object) -> list[tuple[str, Attrs]]:
    provider = getattr(token, "provider_id", None) or provider or ""
    issued: Attrs = {
        "ath.provider": provider,
        "ath.scopes": _scopes(getattr(token, "effective_scopes", None)),
    }
    expires_in = getattr(token, "expires_in", None)
    if isinstance(expires_in, int):
        issued["ath.token.expires_in"] = expires_in
    events: list[tuple[str, Attrs]] = [
        ("consent.completed", {"ath.provider": provider}),
        ("token.issued", issued),
    ]
    intersection = getattr(token, "scope_intersection", None)
    if intersection is not None:
        asked = {*intersection.agent_approved, *intersection.user_consented}
        refused = _scopes([s for s in asked if s not in intersection.effective])
        if refused:
            events.append(("scope.refused", {"ath.provider": provider, "ath.scopes": refused}))
    return events


def audit_events(
    call: str, provider: str | None, result: object = None, error_code: str | None = None
) -> list[tuple[str, Attrs]]:
    """The audit events (``event``, attributes) that ``call`` ending with ``result``, or
    with an ATHError of ``error_code``, stands for."""
    if error_code is not None:
        event = _ERROR_EVENTS.get(error_code)
        if event is None:
            return []
        attrs: Attrs = {"ath.error.code": error_code}
        if provider:
            attrs["ath.provider"] = provider
        return [(event, attrs)]
    if call == "ath.register":
        events: list[tuple[str, Attrs]] = [
            (
                "agent.registered",
                {
                    "ath.client_id": str(getattr(result, "client_id", "")),
                    "ath.agent_status": str(getattr(result, "agent_status", "")),
                },
            )
        ]
        for approval in getattr(result, "approved_providers", None) or ():
            if approval.denied_scopes:
                events.append(
                    (
                        "scope.refused",
                        {
                            "ath.provider": approval.provider_id,
                            "ath.scopes": _scopes(approval.denied_scopes),
                        },
                    )
                )
        return events
    if call == "ath.authorize":
        return [
            (
                "consent.started",
                {
                    "ath.provider": str(getattr(result, "provider_id", provider or "")),
                    "ath.scopes": _scopes(getattr(result, "scopes", None)),
                },
            )
        ]
    if call in _TOKEN_CALLS:
        return _token_events(provider, result)
    if call == "ath.revoke" and isinstance(result, list):
        return [("token.revoked", {"ath.provider": str(key)}) for key in result]
    return []
