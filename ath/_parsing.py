"""Response parsing: a server's answer read and checked.

Every check of what a server answered lives here (the URLs it points to included:
``answer_base_url``, ``answer_url``, ``check_authorization_url``); its refusals are
:class:`~ath.ATHServerError`. :mod:`ath._validation` checks the caller's arguments only.

Typed answers are parsed, and checked once, by the generated operations'
``parse_response`` (:func:`parse_answer`); error bodies and proxied JSON are read here
(:func:`json_object`, :func:`ath_error_body`). A body that is not JSON, nests too deep,
holds strings that cannot be encoded again, or does not match the operation's model
becomes ``INVALID_RESPONSE``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, Final, TypeVar
from urllib.parse import SplitResult, unquote

import httpx2

from ath._errors import ATHClientError, ATHError, ATHServerError
from ath._validation import is_loopback, normalize_base_url, split_url

__all__ = [
    "MAX_ANSWER_DEPTH",
    "answer_base_url",
    "answer_url",
    "ath_error_body",
    "check_authorization_url",
    "json_object",
    "json_problem",
    "load_json",
    "parse_answer",
]

T = TypeVar("T")

_CODE_RE: Final = re.compile(r"[A-Z][A-Z0-9_]{1,63}")  # what an ATH error code looks like


#: Control characters (C0, DEL, C1): never part of a URL a user is sent to or shown.
_URL_CONTROLS: Final = re.compile(r"[\x00-\x1f\x7f-\x9f]")

#: How deep an ATH answer may nest (the protocol's objects nest three or four levels).
MAX_ANSWER_DEPTH: Final = 32


def json_problem(data: Any, max_depth: int = MAX_ANSWER_DEPTH) -> str | None:
    """What is wrong with parsed JSON from a server, or None: iterative, never raises.

    Refused: nesting deeper than ``max_depth`` and strings (keys included) that cannot be
    encoded again (a lone surrogate such as ``"\\ud800"``), which would otherwise fail
    later, inside a request the SDK builds from them.
    """
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return "a string holds a lone surrogate (not valid Unicode)"
        elif isinstance(value, dict | list):
            if depth >= max_depth:
                return f"it nests deeper than {max_depth} levels"
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                stack.append((item, depth + 1))
                if isinstance(key, str):
                    stack.append((key, depth + 1))
    return None


def _plainly_safe(content: bytes) -> bool:
    """True when JSON text cannot hold what :func:`json_problem` looks for: it is ASCII
    without ``\\u`` escapes (so it has no surrogate) and has fewer brackets than
    :data:`MAX_ANSWER_DEPTH` (so it cannot nest that deep). Most answers are."""
    return (
        content.isascii()
        and b"\\u" not in content
        and content.count(b"{") + content.count(b"[") < MAX_ANSWER_DEPTH
    )


def load_json(content: bytes) -> Any:
    """``json.loads`` whose deep-nesting failure is a ValueError like the others."""
    try:
        return json.loads(content)
    except RecursionError:
        raise ValueError("JSON nested too deep") from None


def json_object(response: httpx2.Response) -> dict[str, Any] | None:
    """The answer's JSON object, None when it is not one; INVALID_RESPONSE when it is an
    object that cannot be used safely (see :func:`json_problem`)."""
    if not response.content:
        return None
    try:
        data = load_json(response.content)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict):
        return None
    problem = None if _plainly_safe(response.content) else json_problem(data)
    if problem is not None:
        raise ATHServerError(
            "INVALID_RESPONSE",
            f"the server's answer is refused: {problem}. Report this to the server's operator.",
            status=response.status_code,
            headers=response.headers,
        )
    return data


def ath_error_body(response: httpx2.Response) -> dict[str, Any] | None:
    """The ``{"code", "message"}`` object of an ATH error answer, if that is what it is."""
    data = json_object(response)
    if data is not None and isinstance(data.get("code"), str) and _CODE_RE.fullmatch(data["code"]):
        return data
    return None


def parse_answer(parse: Callable[..., T], response: httpx2.Response, action: str) -> T:
    """A 2xx answer read by a generated operation's ``parse_response``.

    The generated layer checks the answer once (a JSON object, at most
    :data:`MAX_ANSWER_DEPTH` deep, valid Unicode, every field of its declared type); what
    it refuses becomes ``INVALID_RESPONSE`` here, saying why.
    """
    try:
        return parse(
            status_code=response.status_code, headers=response.headers, content=response.content
        )
    except Exception as exc:  # the generated layer's errors, imported only when one came
        from ath._generated import ErrorAnswer, InvalidAnswer

        if isinstance(exc, InvalidAnswer):
            if exc.reason == "not_json":
                ctype = response.headers.get("content-type", "?")
                message = (
                    f"{action}: expected a JSON object, got {ctype} "
                    f"({len(response.content)} bytes). Is the URL an ATH server?"
                )
            elif exc.reason == "unsafe":
                message = (
                    f"the server's answer is refused: {exc.problem}. "
                    "Report this to the server's operator."
                )
            else:
                message = _schema_message(action, exc.__cause__ or exc)
        elif isinstance(exc, ErrorAnswer):  # the flows read only 2xx answers this way
            message = f"{action}: HTTP {response.status_code} is not a success answer"
        else:
            raise
    raise ATHServerError(
        "INVALID_RESPONSE", message, status=response.status_code, headers=response.headers
    )


def _schema_message(action: str, cause: BaseException) -> str:
    return (
        f"{action}: the answer does not match the ATH schema "
        f"({type(cause).__name__}: {str(cause)[:120]})"
    )


def _answer_fault(exc: ATHError, action: str, status: int | None) -> ATHServerError:
    """A URL check's refusal, reported as the server's: its answer pointed there."""
    code = exc.code if exc.code == "INSECURE_TRANSPORT" else "INVALID_RESPONSE"
    return ATHServerError(code, f"{action}: {exc.message}", status=status, details=exc.details)


def answer_base_url(
    url: Any, what: str, *, action: str, status: int | None, allow_insecure_http: bool
) -> str:
    """A base URL from a server's answer (``api_base``), normalised; refused as the
    server's fault (``INVALID_RESPONSE``, or ``INSECURE_TRANSPORT`` for plain http)."""
    try:
        return normalize_base_url(url, allow_insecure_http=allow_insecure_http, what=what)
    except ATHClientError as exc:
        raise _answer_fault(exc, action, status) from None


def answer_url(url: str, what: str, *, action: str, status: int | None) -> SplitResult:
    """A URL from a server's answer, split; ``INVALID_RESPONSE`` when it is malformed."""
    try:
        return split_url(url, what)
    except ATHClientError as exc:
        raise _answer_fault(exc, action, status) from None


def check_authorization_url(
    url: Any, *, status: int | None = None, allow_insecure_http: bool = False
) -> str:
    """The ``authorization_url`` of an authorize answer, checked before a user is sent
    there: an absolute https URL (http on loopback only) carrying PKCE (S256), without
    control characters (C0 such as ESC, BEL, CR, LF; DEL; C1)."""
    if not isinstance(url, str):
        raise ATHServerError(
            "INVALID_RESPONSE", "authorize: authorization_url is not a string", status=status
        )
    control = _URL_CONTROLS.search(url)
    if control is not None:  # urlsplit drops some, terminals and browsers act on others
        raise ATHServerError(
            "INVALID_RESPONSE",
            f"authorize: the authorization_url holds a control character "
            f"(U+{ord(control.group()):04X}); the SDK refuses to show it or send a user there",
            status=status,
        )
    parts = answer_url(url, "authorization_url", action="authorize", status=status)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ATHServerError(
            "INVALID_RESPONSE",
            "authorize: authorization_url is not an absolute http(s) URL",
            status=status,
        )
    if parts.scheme == "http" and not allow_insecure_http and not is_loopback(parts.hostname):
        raise ATHServerError(
            "INSECURE_TRANSPORT",
            "authorize: the authorization_url is plain http outside loopback; the user's "
            "consent page must be https. The SDK refuses to send a user there (pass "
            "allow_insecure_http=True only on a trusted development network).",
            status=status,
        )
    challenges, methods = _pkce_fields(parts.query)
    if not challenges or methods != ["S256"]:
        raise ATHServerError(
            "PKCE_MISSING",
            "authorize: the authorization_url carries no code_challenge with "
            "code_challenge_method=S256; ATH requires PKCE (RFC 7636) on every consent. The SDK "
            "refuses to send a user there; report this to the gateway's operator.",
            status=status,
        )
    return url


_PKCE_NAMES: Final = frozenset({"code_challenge", "code_challenge_method"})


def _pkce_fields(query: str) -> tuple[list[str], list[str]]:
    """The ``code_challenge`` and ``code_challenge_method`` values of ``query``, as
    ``urllib.parse.parse_qs`` reads them (fields split on ``&``, ``+`` as a space,
    percent-decoded, a field without ``=`` or with an empty value left out), with only
    those two fields' values decoded: the others are read for their name alone."""
    challenges: list[str] = []
    methods: list[str] = []
    for field in query.split("&"):
        name, eq, value = field.partition("=")
        if not eq or not value:
            continue
        if "%" in name or "+" in name:
            name = unquote(name.replace("+", " "))
        if name in _PKCE_NAMES:
            decoded = unquote(value.replace("+", " "))
            (challenges if name == "code_challenge" else methods).append(decoded)
    return challenges, methods
