"""Redaction: every secret the client holds or sent, removed from what it reports.

:func:`redact` cleans a string, :func:`scrub` a nested value (error details),
:func:`redacted` an error (a cleaned copy), and
:func:`request_secrets` lists the credentials a request carried (its Authorization
header, attestations and secret body fields), so that an error quoting the server's
answer or the request cannot leak them.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final, TypeVar
from urllib.parse import parse_qsl, unquote

import httpx2

from ath._errors import ATHError, ATHServerError

__all__ = ["SCRUB_DEPTH", "redact", "redacted", "request_secrets", "scrub"]

_PREFIX: Final = 8  # a secret's leading run this long is redacted too (a snippet cut it)


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """``text`` with every occurrence of every secret (of 4+ characters) replaced by
    ``***``, and every run of a secret's first 8+ characters too (a snippet may have cut
    it). All matches are found in the text as it came before any is replaced, so secrets
    that overlap (one inside another, or sharing a prefix, like JWTs sharing a header)
    are each removed whole."""
    spans: list[tuple[int, int]] = []
    for secret in {s for s in secrets if s and len(s) >= 4}:
        _find_all(text, secret, spans)
        if len(secret) > _PREFIX:
            _find_prefix_runs(text, secret, spans)
    if not spans:
        return text
    spans.sort()
    parts, kept = [], 0
    start, end = spans[0]
    for begin, stop in spans[1:]:
        if begin < end:  # overlapping: one span
            end = max(end, stop)
            continue
        parts += [text[kept:start], "***"]
        kept, start, end = end, begin, stop
    parts += [text[kept:start], "***", text[end:]]
    return "".join(parts)


def _find_all(text: str, secret: str, spans: list[tuple[int, int]]) -> None:
    found = text.find(secret)
    while found != -1:
        spans.append((found, found + len(secret)))
        found = text.find(secret, found + 1)


def _find_prefix_runs(text: str, secret: str, spans: list[tuple[int, int]]) -> None:
    """Every run of at least ``_PREFIX`` leading characters of ``secret``."""
    head = secret[:_PREFIX]
    found = text.find(head)
    while found != -1:
        end = found + _PREFIX
        while end < len(text) and end - found < len(secret) and text[end] == secret[end - found]:
            end += 1
        spans.append((found, end))
        found = text.find(head, found + 1)


_E = TypeVar("_E", bound=ATHError)


def redacted(error: _E, secrets: Sequence[str | None]) -> _E:
    """A copy of ``error`` (same class) with ``secrets`` removed from its message, details
    and (for :class:`~ath.ATHServerError`) headers, unlinked from its cause and context,
    which may quote what was sent or answered. ``error`` itself is left as it was."""
    fields: dict[str, Any] = {}
    if isinstance(error, ATHServerError):
        fields["headers"] = {name: redact(value, secrets) for name, value in error.headers.items()}
    clean = error.replace(
        message=redact(error.message, secrets), details=scrub(error.details, secrets), **fields
    )
    clean.__cause__ = clean.__context__ = None  # a fresh copy: nothing unredacted linked
    return clean


#: How deep ``scrub`` follows nested details; what lies deeper is dropped, not kept.
SCRUB_DEPTH: Final = 16
_TOO_DEEP: Final = "[nested too deep; dropped]"


def scrub(value: Any, secrets: Sequence[str | None], depth: int = 0) -> Any:
    """``value`` with every secret redacted from its strings (keys included).

    Total: it never raises on deep input, it drops what is nested deeper than
    :data:`SCRUB_DEPTH` levels (so no unredacted part can survive).
    """
    if isinstance(value, str):
        return redact(value, secrets)
    if isinstance(value, Mapping | list | tuple):
        if depth >= SCRUB_DEPTH:
            return _TOO_DEEP
        if isinstance(value, Mapping):
            return {
                scrub(key, secrets, SCRUB_DEPTH) if isinstance(key, str) else key: scrub(
                    item, secrets, depth + 1
                )
                for key, item in value.items()
            }
        return [scrub(item, secrets, depth + 1) for item in value]
    if isinstance(value, bytes | bytearray):
        return redact(bytes(value).decode("utf-8", "replace"), secrets)
    return value


#: Request body fields that carry credentials (JSON or form-encoded); ``code`` is the
#: consent's authorization code, redeemable once for a token.
_SECRET_FIELDS: Final = frozenset(
    {"agent_attestation", "client_secret", "token", "code", "code_verifier", "refresh_token"}
)


def request_secrets(request: httpx2.Request) -> list[str]:
    """The credentials ``request`` carries: its Authorization header and secret fields."""
    found: list[str] = []
    auth = request.headers.get("authorization")
    if auth:
        scheme, _, credentials = auth.partition(" ")
        found += [auth, credentials]
        if scheme.lower() == "basic":  # a server may echo the decoded id:secret
            try:
                decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                decoded = ""
            secret = decoded.partition(":")[2]
            found += [decoded, secret, unquote(secret)]
    try:
        content = request.content
    except httpx2.RequestNotRead:
        content = b""
    fields: Any = None
    if content:
        try:
            fields = json.loads(content)
        except (ValueError, RecursionError):
            fields = dict(parse_qsl(content.decode("utf-8", "replace")))
    if isinstance(fields, dict):
        found += [v for k, v in fields.items() if k in _SECRET_FIELDS and isinstance(v, str)]
    return found
