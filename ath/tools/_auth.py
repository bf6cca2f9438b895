"""``ATHAuth``: an ``httpx2.Auth`` that lets any httpx2-based client call a provider's API
through an ATH gateway (or an ATH-native service's API) with the ATH token.

::

    import httpx2
    from ath.tools import ATHAuth

    auth = ATHAuth(client, "github")           # client holds a token for github
    with httpx2.Client(base_url=auth.base_url, auth=auth) as http:
        http.get("/user").json()

Each request is checked before the token is attached: it must stay under the
provider's proxy base (``{gateway}/ath/proxy/{provider}/``; a native client's
``api_base``), with no traversal, no path of the gateway's own, and a method the auth
allows; otherwise ``ATHClientError("INVALID_ARGUMENT")`` (or ``INSECURE_TRANSPORT`` for
another origin) is raised and nothing is sent. An answer that echoes the token (an API
that reflects request headers) has it replaced by ``***`` in its body and headers.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable
from typing import Any

import httpx2

from ath._errors import ATHClientError
from ath._redaction import redact
from ath._validation import check_provider_id
from ath.tools._core import _checked_path, held_secrets

__all__ = ["ATHAuth"]

_ALL = ("GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE")


class ATHAuth(httpx2.Auth):
    """Attach ``client``'s ATH token for ``provider`` (gateway) or the service (native,
    ``provider`` None) to requests under the matching base URL (:attr:`base_url`)."""

    requires_response_body = True

    def __init__(
        self, client: Any, provider: str | None = None, *, methods: Iterable[str] = _ALL
    ) -> None:
        self._client = client
        self.provider = None if provider is None else check_provider_id(provider)
        self.methods = frozenset(m.upper() for m in methods)
        if self.provider is not None:
            self.base_url = f"{str(client.url).rstrip('/')}/ath/proxy/{self.provider}"
        else:
            api_base = getattr(client, "api_base", None)
            if not api_base:
                raise ATHClientError(
                    "NOT_DISCOVERED", "ATHAuth of a native client needs discover() first"
                )
            self.base_url = str(api_base).rstrip("/")

    def __repr__(self) -> str:
        return f"ATHAuth(provider={self.provider!r}, base_url={self.base_url!r})"

    def _token(self) -> str:
        tokens = self._client.tokens
        token = tokens.get(self.provider or "") or tokens.get("")
        if token is None and self.provider is None and len(tokens) == 1:
            token = next(iter(tokens.values()))
        if token is None:
            raise ATHClientError(
                "NO_TOKEN", f"no ATH token for {self.provider or 'the service'}: consent first"
            )
        return str(token.access_token)

    def _check(self, request: httpx2.Request) -> None:
        base = httpx2.URL(self.base_url + "/")
        url = request.url
        if (url.scheme, url.host, url.port) != (base.scheme, base.host, base.port):
            raise ATHClientError(
                "INSECURE_TRANSPORT",
                "ATHAuth: the request goes to another origin than the gateway's; the token "
                "was not attached",
            )
        raw = url.raw_path.decode("ascii", "replace").split("?", 1)[0]
        prefix = base.raw_path.decode("ascii")
        if not raw.startswith(prefix):
            raise ATHClientError(
                "INVALID_ARGUMENT", f"ATHAuth: {raw[:80]!r} is not under {prefix!r}"
            )
        _checked_path(raw[len(prefix) :] or "/")
        if request.method.upper() not in self.methods:
            raise ATHClientError(
                "INVALID_ARGUMENT", f"ATHAuth: method {request.method} is not allowed"
            )
        for name, value in request.headers.raw:
            if b"\r" in name + value or b"\n" in name + value:
                raise ATHClientError("INVALID_ARGUMENT", "ATHAuth: a header has a line break")

    def auth_flow(
        self, request: httpx2.Request
    ) -> Generator[httpx2.Request, httpx2.Response, None]:
        self._check(request)
        token = self._token()
        request.headers["Authorization"] = f"Bearer {token}"
        request.headers["X-ATH-Agent-ID"] = str(self._client.agent_id)
        response = yield request
        self._redact(response, [token, *held_secrets(self._client)])

    @staticmethod
    def _redact(response: httpx2.Response, secrets: list[str]) -> None:
        """The answer with every secret replaced (body already read: requires_response_body)."""
        body = response.content
        if any(s.encode() in body for s in secrets if len(s) >= 4):
            text = redact(body.decode(response.encoding or "utf-8", "replace"), secrets)
            response._content = text.encode(response.encoding or "utf-8")
        for name, value in list(response.headers.items()):
            clean = redact(value, secrets)
            if clean != value:
                response.headers[name] = clean
