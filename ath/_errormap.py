"""Error mapping: a non-2xx answer or a transport fault turned into an ATHError.

The error carries a code (the server's ATH code when it sent one, else ``HTTP_ERROR``,
``RATE_LIMITED``, ``TIMEOUT``, ``TLS_ERROR``, ``CONNECTION_ERROR``...), the status and a
message that says what to do. It may quote the server's answer: the secrets are removed
in one place, where the error leaves the flow (``CoreBase.guard`` in
``ath._flows._transport``), which knows every secret the client holds or sent.
"""

from __future__ import annotations

import re
from typing import Final

import httpx2

from ath._errors import (
    EXTENSION_CODES,
    PROTOCOL_CODES,
    ATHClientError,
    ATHError,
    ATHServerError,
    ATHTimeoutError,
    ATHTransportError,
)
from ath._parsing import ath_error_body
from ath._retry import is_tls_failure

__all__ = ["body_snippet", "error_from_response", "transport_error"]

_BODY_SNIPPET: Final = 500


_TAG_RE: Final = re.compile(r"<[^>]{0,200}>")


def body_snippet(response: httpx2.Response) -> str:
    if not response.content:
        return ""
    text = response.content[: _BODY_SNIPPET * 4].decode("utf-8", errors="replace")
    if "html" in response.headers.get("content-type", "").lower() or text.lstrip().startswith("<"):
        text = _TAG_RE.sub(" ", text)
    text = " ".join(text.split())
    if len(text) > _BODY_SNIPPET:
        text = text[:_BODY_SNIPPET] + "..."
    return text


def error_from_response(response: httpx2.Response, action: str) -> ATHError:
    """Turn a non-2xx answer into an ATHError that says what to do."""
    status = response.status_code
    body = ath_error_body(response)
    if body is not None:
        code = str(body["code"])
        message = body.get("message")
        if not isinstance(message, str) or not message:
            known = PROTOCOL_CODES.get(code) or EXTENSION_CODES.get(code)
            message = known or f"the server answered {code} without a message"
        details = body.get("details")
        extra = dict(details) if isinstance(details, dict) else {}
        if code in EXTENSION_CODES:
            extra.setdefault("note", "an extension code of the ath-sdk spec, not of ATH v0.1")
        elif code not in PROTOCOL_CODES:
            extra.setdefault("note", "this code is not defined by ATH v0.1")
        return ATHServerError(
            code,
            f"{action}: {message}",
            status=status,
            details=extra,
            headers=response.headers,
        )
    snippet = body_snippet(response)
    shown = f": {snippet}" if snippet else " with an empty body"
    if status == 429:
        retry_after = response.headers.get("retry-after")
        return ATHServerError(
            "RATE_LIMITED",
            f"{action}: the server is rate limiting (HTTP 429{shown}); wait"
            + (f" {retry_after}s" if retry_after else "")
            + " and try again, or raise max_retries.",
            status=status,
            details={"retry_after": retry_after} if retry_after else {},
            headers=response.headers,
        )
    hint = (
        "the server failed or a proxy in front of it did; try again later"
        if status >= 500
        else "the server refused the request; check the URL and that it is an ATH server"
    )
    return ATHServerError(
        "HTTP_ERROR",
        f"{action}: HTTP {status}{shown} ({hint})",
        status=status,
        details={"body": snippet} if snippet else {},
        headers=response.headers,
    )


def transport_error(exc: BaseException, request: httpx2.Request) -> ATHError:
    where = f"{request.method} {request.url.copy_with(query=None)}"
    if isinstance(exc, httpx2.TimeoutException):
        return ATHTimeoutError(
            "TIMEOUT",
            f"{where} timed out ({type(exc).__name__}); the server is slow or unreachable. "
            "Try again, or raise the client's timeout.",
        )
    text = str(exc)
    if is_tls_failure(exc):
        return ATHTransportError(
            "TLS_ERROR",
            f"{where}: TLS failed ({type(exc).__name__}). Check the server's certificate; "
            "verification stays on.",
        )
    if isinstance(exc, RuntimeError) and "closed" in text.lower():
        return ATHClientError("CLIENT_CLOSED", "the client was closed; create a new client")
    return ATHTransportError(
        "CONNECTION_ERROR",
        f"{where}: could not complete the exchange ({type(exc).__name__}). Check the URL and "
        "that the server is running, then try again.",
    )
