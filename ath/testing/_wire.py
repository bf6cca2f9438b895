"""HTTP plumbing shared by the ATH endpoints: JSON bodies in (validated), JSON
replies out (validated), ATH error rendering (JSON, or HTML for a browser on the
consent legs), small typed field readers, HTTP Basic credentials, and the consent
completion page."""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import ExceptionHandler

from ._errors import PROTOCOL_CODES, ATHHTTPError, ErrorCode, invalid_request
from ._pages import Outcome, completion_html
from ._validation import ResponseSchemaError, check_request, check_response

__all__ = [
    "BROWSER_PATHS",
    "absolute_uri",
    "basic_credentials",
    "completion_page",
    "error_handlers",
    "json_body",
    "optional_text",
    "reply",
    "text",
    "text_list",
]

BROWSER_PATHS = ("/ath/consent", "/ath/callback")


def wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def wants_html(request: Request) -> bool:
    """A browser (it asks for HTML, not JSON): error pages are then HTML."""
    accept = request.headers.get("accept", "")
    return "text/html" in accept and "application/json" not in accept


def html_page(title: str, rows: Mapping[str, str], status: int = 200) -> HTMLResponse:
    items = "".join(
        f"<dt>{html.escape(k)}</dt><dd><code>{html.escape(v)}</code></dd>" for k, v in rows.items()
    )
    return HTMLResponse(
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"</head><body><h1>{html.escape(title)}</h1><dl>{items}</dl></body></html>",
        status_code=status,
        headers={"Cache-Control": "no-store"},
    )


def render_error(request: Request, exc: ATHHTTPError, *, strict: bool = False) -> Response:
    body = exc.body()
    if strict and exc.code not in PROTOCOL_CODES:
        # Strict: only ATHErrorCode of schema/0.1 on the wire; the status (4xx for a
        # client's mistake) and details.extension_code keep what the extension code said.
        details = {**exc.details, "extension_code": exc.code.value}
        body = {"code": ErrorCode.INTERNAL_ERROR.value, "message": exc.message, "details": details}
    check_response("ATHError", body)
    if request.url.path in BROWSER_PATHS and wants_html(request):
        rows = {"code": str(body["code"]), "message": exc.message}
        return html_page("Authorization failed", rows, exc.status)
    return JSONResponse(body, status_code=exc.status, headers=exc.headers)


def error_handlers(*, strict: bool = False) -> dict[Any, ExceptionHandler]:
    """Starlette exception handlers rendering every failure as an ATH error; with
    ``strict``, every code is one of schema/0.1's ``ATHErrorCode``."""

    async def on_ath_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ATHHTTPError)
        return render_error(request, exc, strict=strict)

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        headers = dict(exc.headers or {})
        err = ATHHTTPError(
            _http_error_code(exc.status_code), exc.detail, status=exc.status_code, headers=headers
        )
        return render_error(request, err, strict=strict)

    async def on_schema_error(request: Request, exc: Exception) -> Response:
        err = ATHHTTPError(
            ErrorCode.INTERNAL_ERROR, str(exc), details={"reason": "response_schema"}
        )
        return render_error(request, err, strict=strict)

    return {
        ATHHTTPError: on_ath_error,
        HTTPException: on_http_error,
        ResponseSchemaError: on_schema_error,
    }


def _http_error_code(status: int) -> ErrorCode:
    """The code of a routing-level (starlette) error: the client's mistake below 500."""
    if status == 404:
        return ErrorCode.NOT_FOUND
    if status == 405:
        return ErrorCode.METHOD_NOT_ALLOWED
    return ErrorCode.INVALID_REQUEST if status < 500 else ErrorCode.INTERNAL_ERROR


def reply(schema: str | None, body: Mapping[str, object], status: int = 200) -> JSONResponse:
    """A JSON response, validated against the protocol model ``schema`` first."""
    if schema is not None:
        check_response(schema, body)
    return JSONResponse(dict(body), status_code=status, headers={"Cache-Control": "no-store"})


async def json_body(
    request: Request, schema: str, *, defaults: Mapping[str, object] | None = None
) -> dict[str, Any]:
    """The request's JSON object, validated against ``schema`` after filling in
    ``defaults`` for absent keys."""
    try:
        body = json.loads(await request.body())
    except ValueError:
        raise invalid_request("request body must be JSON") from None
    if not isinstance(body, dict):
        raise invalid_request("request body must be a JSON object")
    for key, value in (defaults or {}).items():
        body.setdefault(key, value)
    check_request(schema, body)
    return body


def text(body: Mapping[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise invalid_request(f"{name} must be a non-empty string", field=name)
    return value


def optional_text(body: Mapping[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise invalid_request(f"{name} must be a non-empty string", field=name)
    return value


def text_list(body: Mapping[str, Any], name: str) -> tuple[str, ...]:
    value = body.get(name)
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise invalid_request(f"{name} must be a list of strings", field=name)
    return tuple(dict.fromkeys(value))


def absolute_uri(value: str, name: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.fragment:
        raise invalid_request(
            f"{name} must be an absolute http(s) URI without fragment", field=name
        )
    return value


def basic_credentials(request: Request) -> tuple[str | None, str | None]:
    """``(client_id, client_secret)`` from HTTP Basic (RFC 7617), or ``(None, None)``."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None, None
    try:
        decoded = base64.b64decode(value, validate=True).decode("utf-8")
    except ValueError:
        return None, None
    client_id, sep, secret = decoded.partition(":")
    return (client_id, secret) if sep else (None, None)


def completion_page(request: Request) -> Response:
    """Where the browser lands when the agent gave no user_redirect_uri (or gave
    this callback itself): the outcome, as JSON (``ConsentCompletion``, with the
    query's ``session_id``, ``code``, ``state``, ``error`` and ``success``, for
    programs) or as a page that tells the person what happened and never shows them."""
    q = request.query_params
    error = q.get("error")
    status: Outcome
    if error is None and q.get("success") != "false":
        status = "authorized"
    else:
        status = "denied" if error in (None, "access_denied") else "failed"
    if wants_json(request):
        result: dict[str, str] = {"status": status}
        for key in ("session_id", "code", "state", "error", "success"):
            if key in q:
                result[key] = q[key]
        return JSONResponse(result, headers={"Cache-Control": "no-store"})
    return completion_html(status)
