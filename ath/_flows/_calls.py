"""Calls with a token: proxied (gateway) and native API calls, and revocation.

Only these requests are built here rather than by the generated client: OpenAPI cannot
describe a path with slashes or any method.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import parse_qsl

import httpx2

from ath._core import Core
from ath._errormap import body_snippet, error_from_response
from ath._errors import PROTOCOL_CODES, ATHClientError, ATHServerError, masked_headers
from ath._flows._tokens import forget_token, token_for
from ath._flows._transport import build_request, call, credentials, refresh, send
from ath._lazy import gen
from ath._models import (
    APIResponse,
)
from ath._parsing import ath_error_body
from ath._state import token_key
from ath._steps import Flow
from ath._validation import (
    check_api_url,
    check_headers,
    check_provider_id,
    check_relative_path,
)

__all__ = [
    "API_RESERVED_HEADERS",
    "METHODS",
    "SAFE_METHODS",
    "TOKEN_GONE",
    "api_call",
    "revoke",
    "split_query",
]


TOKEN_GONE: Final = frozenset({"TOKEN_EXPIRED", "TOKEN_REVOKED", "TOKEN_INVALID"})
SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})
METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"})
#: Headers of proxy/api calls that the client sets itself (framing headers come on top).
API_RESERVED_HEADERS: Final = frozenset({"authorization", "x-ath-agent-id"})


# --------------------------------------------------------------------------- API calls


def api_call(
    core: Core,
    provider: str | None,
    method: str,
    path: str,
    body: Any,
    params: Mapping[str, Any] | None,
    headers: Mapping[str, str] | None,
    *,
    raw: bool = False,
) -> Flow[APIResponse]:
    """A proxied (gateway, ``provider`` given) or native (``provider`` None) API call.

    ``raw``: return a non-2xx answer instead of raising (a token the server says
    is gone is forgotten either way).
    """
    verb = method.upper() if isinstance(method, str) else ""
    if verb not in METHODS:
        raise ATHClientError(
            "INVALID_ARGUMENT", f"method {method!r} is not one of {', '.join(sorted(METHODS))}"
        )
    path, params = split_query(path, params)
    relative = check_relative_path(path)
    if core.config.mode == "gateway":
        assert provider is not None
        prefix = f"{core.config.base_url}/ath/proxy/{check_provider_id(provider)}/"
    else:
        with core.state.lock:
            api_base = core.state.api_base
        if api_base is None:
            raise ATHClientError(
                "NOT_DISCOVERED",
                "api() needs the service's api_base: call discover() first.",
            )
        prefix = api_base + "/"
    key, token = yield from token_for(core, provider)
    if headers is not None:
        headers = check_headers(headers, reserved=API_RESERVED_HEADERS)
    merged = {
        **(headers or {}),
        "Authorization": f"Bearer {token.access_token}",
        "X-ATH-Agent-ID": core.signer.agent_id,
    }
    try:
        request = build_request(
            core,
            verb,
            check_api_url(prefix + relative, prefix),
            json=body if body is not None else None,
            params=params,
            headers=merged,
        )
    except (TypeError, ValueError, RecursionError, httpx2.InvalidURL) as exc:
        raise ATHClientError(
            "INVALID_ARGUMENT",
            f"cannot build the request ({type(exc).__name__}); the body must be JSON "
            "serialisable, valid Unicode and nested less deeply.",
        ) from None
    response = yield from send(core, request, idempotent=verb in SAFE_METHODS)
    result = APIResponse(
        status_code=response.status_code,
        headers=response.headers,
        content=response.content,
    )
    if response.is_success:
        return result
    error = ath_error_body(response)
    if error is not None and error["code"] in TOKEN_GONE:
        yield from forget_token(core, key, token)
    if raw:
        return result
    # the errors quote the answer as it came; the guard (CoreBase.guard) redacts them
    if error is not None and str(error.get("code")) in PROTOCOL_CODES:
        raise error_from_response(response, f"{verb} {path}")
    snippet = body_snippet(response)
    if (
        error is not None
        and core.config.mode == "gateway"
        and isinstance(error.get("message"), str)
    ):
        # An ATH-shaped body with a code outside v0.1 (a standalone gateway's own
        # AUTH_REQUIRED, FORBIDDEN, ...): the gateway refused, not the upstream API.
        extra = error.get("details")
        raise ATHServerError(
            "GATEWAY_ERROR",
            f"{verb} {path}: the gateway answered HTTP {response.status_code} with its own "
            f"error {error['code']}: {error['message'][:300]} (the call did "
            "not reach, or was refused before, the upstream API)",
            status=response.status_code,
            headers=response.headers,
            details={
                "gateway_code": error["code"],
                "gateway_details": extra if isinstance(extra, dict) else {},
                "body": snippet,
            },
        )
    raise ATHServerError(
        "UPSTREAM_ERROR",
        f"{verb} {path}: the API answered HTTP {response.status_code}"
        + (f": {snippet}" if snippet else ""),
        status=response.status_code,
        headers=response.headers,
        details={"body": snippet, "headers": masked_headers(response.headers)},
    )


def split_query(
    path: Any, params: Mapping[str, Any] | None
) -> tuple[Any, Mapping[str, Any] | None]:
    """A query string written into the path (``"/user?per_page=5"``, as ath-sdk 0.1.0
    allowed) moved into ``params``; a name given both ways is ``INVALID_ARGUMENT``."""
    if not isinstance(path, str) or "?" not in path or "#" in path:
        return path, params  # not a query string: check_relative_path explains the refusal
    path, _, query = path.partition("?")
    if "?" in query:
        raise ATHClientError(
            "INVALID_ARGUMENT", f"path {path!r}: the query string holds a second '?'"
        )
    found: dict[str, Any] = {}
    for name, value in parse_qsl(query, keep_blank_values=True):
        earlier = found.get(name)
        if earlier is None:
            found[name] = value
        else:  # a repeated name (?a=1&a=2) stays repeated
            found[name] = [*earlier, value] if isinstance(earlier, list) else [earlier, value]
    both = sorted(set(found) & set(params or {}))
    if both:
        raise ATHClientError(
            "INVALID_ARGUMENT",
            f"path {path!r}: the query parameter(s) {', '.join(map(repr, both))} are given "
            "both in the path and in params=; give each once.",
        )
    return path, {**found, **(params or {})}


# --------------------------------------------------------------------------- revocation


def revoke(core: Core, provider: str | None, *, all_tokens: bool) -> Flow[list[str]]:
    client_id, client_secret = yield from credentials(core)
    if core.state.store is not None:  # revoke what the fleet holds, not a stale copy
        yield from refresh(core, force=False)
    key = token_key(provider)
    with core.state.lock:
        held = core.state.of(core.user).tokens
        if all_tokens:
            targets = list(held.items())
        elif key in held:
            targets = [(key, held[key])]
        else:
            whose = f" for user {core.user!r}" if core.user else ""
            raise ATHClientError("NO_TOKEN", f"no ATH token held for provider {provider!r}{whose}")
    revoked: list[str] = []
    for key, token in targets:
        body = gen.TokenRevocationRequest(
            client_id=client_id, client_secret=client_secret, token=token.access_token
        )
        yield from call(core, gen.revoke_token.build_request(body=body), "revoke", idempotent=False)
        yield from forget_token(core, key, token)
        revoked.append(key)
    return revoked
