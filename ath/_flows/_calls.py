"""Calls with a token: proxied (gateway) and native API calls, and revocation.

Only these requests are built here rather than by the generated client: OpenAPI cannot
describe a path with slashes or any method.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

import httpx

from ath._errormap import body_snippet, error_from_response
from ath._errors import PROTOCOL_CODES, ATHError
from ath._flows._tokens import TokenFlows
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

if TYPE_CHECKING:
    pass

__all__ = ["CallFlows"]


TOKEN_GONE: Final = frozenset({"TOKEN_EXPIRED", "TOKEN_REVOKED", "TOKEN_INVALID"})
SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})
METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"})
#: Headers of proxy/api calls that the client sets itself (framing headers come on top).
API_RESERVED_HEADERS: Final = frozenset({"authorization", "x-ath-agent-id"})


class CallFlows(TokenFlows):
    """Phase D and revocation: use the token, then give it back."""

    # ---------------------------------------------------------------- API calls

    def api_call(
        self,
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
            raise ATHError(
                "INVALID_ARGUMENT", f"method {method!r} is not one of {', '.join(sorted(METHODS))}"
            )
        relative = check_relative_path(path)
        if self.mode == "gateway":
            assert provider is not None
            prefix = f"{self.base_url}/ath/proxy/{check_provider_id(provider)}/"
        else:
            with self._lock:
                api_base = self.api_base
            if api_base is None:
                raise ATHError(
                    "NOT_DISCOVERED",
                    "api() needs the service's api_base: call discover() first.",
                )
            prefix = api_base + "/"
        key, token = yield from self.token_for(provider)
        if headers is not None:
            headers = check_headers(headers, reserved=API_RESERVED_HEADERS)
        merged = {
            **(headers or {}),
            "Authorization": f"Bearer {token.access_token}",
            "X-ATH-Agent-ID": self.agent_id,
        }
        try:
            request = self.build_request(
                verb,
                check_api_url(prefix + relative, prefix),
                json=body if body is not None else None,
                params=params,
                headers=merged,
            )
        except (TypeError, ValueError, RecursionError, httpx.InvalidURL) as exc:
            raise ATHError(
                "INVALID_ARGUMENT",
                f"cannot build the request ({type(exc).__name__}); the body must be JSON "
                "serialisable, valid Unicode and nested less deeply.",
            ) from None
        response = yield from self.send(request, idempotent=verb in SAFE_METHODS)
        result = APIResponse(
            status_code=response.status_code,
            headers=response.headers,
            content=response.content,
        )
        if response.is_success:
            return result
        error = ath_error_body(response)
        if error is not None and error["code"] in TOKEN_GONE:
            yield from self.forget_token(key, token)
        if raw:
            return result
        # the errors quote the answer as it came; the guard (CoreBase.guard) redacts them
        if error is not None and str(error.get("code")) in PROTOCOL_CODES:
            raise error_from_response(response, f"{verb} {path}")
        snippet = body_snippet(response)
        if error is not None and self.mode == "gateway" and isinstance(error.get("message"), str):
            # An ATH-shaped body with a code outside v0.1 (a standalone gateway's own
            # AUTH_REQUIRED, FORBIDDEN, ...): the gateway refused, not the upstream API.
            extra = error.get("details")
            raise ATHError(
                "GATEWAY_ERROR",
                f"{verb} {path}: the gateway answered HTTP {response.status_code} with its own "
                f"error {error['code']}: {error['message'][:300]} (the call did "
                "not reach, or was refused before, the upstream API)",
                status=response.status_code,
                details={
                    "gateway_code": error["code"],
                    "gateway_details": extra if isinstance(extra, dict) else {},
                    "body": snippet,
                },
            )
        raise ATHError(
            "UPSTREAM_ERROR",
            f"{verb} {path}: the API answered HTTP {response.status_code}"
            + (f": {snippet}" if snippet else ""),
            status=response.status_code,
            details={"body": snippet, "headers": dict(response.headers)},
        )

    # ---------------------------------------------------------------- revocation

    def revoke(self, provider: str | None, *, all_tokens: bool) -> Flow[list[str]]:
        from ath._generated import TokenRevocationRequest, revoke_token

        client_id, client_secret = yield from self._credentials()
        if self.state.store is not None:  # revoke what the fleet holds, not a stale copy
            yield from self._refresh(force=False)
        key = token_key(provider)
        with self._lock:
            if all_tokens:
                targets = list(self.tokens.items())
            elif key in self.tokens:
                targets = [(key, self.tokens[key])]
            else:
                raise ATHError("NO_TOKEN", f"no ATH token held for provider {provider!r}")
        revoked: list[str] = []
        for key, token in targets:
            body = TokenRevocationRequest(
                client_id=client_id, client_secret=client_secret, token=token.access_token
            )
            yield from self._call(revoke_token.build_request(body=body), "revoke", idempotent=False)
            yield from self.forget_token(key, token)
            revoked.append(key)
        return revoked
