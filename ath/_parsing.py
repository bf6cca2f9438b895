"""Response parsing: a server's answer read and checked.

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

import httpx2

from ath._errors import ATHError

__all__ = [
    "MAX_ANSWER_DEPTH",
    "ath_error_body",
    "json_object",
    "json_problem",
    "load_json",
    "parse_answer",
]

T = TypeVar("T")

_CODE_RE: Final = re.compile(r"[A-Z][A-Z0-9_]{1,63}")  # what an ATH error code looks like


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
        raise ATHError(
            "INVALID_RESPONSE",
            f"the server's answer is refused: {problem}. Report this to the server's operator.",
            status=response.status_code,
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
    from ath._generated import ErrorAnswer, InvalidAnswer

    try:
        return parse(
            status_code=response.status_code, headers=response.headers, content=response.content
        )
    except InvalidAnswer as exc:
        if exc.reason == "not_json":
            ctype = response.headers.get("content-type", "?")
            message = (
                f"{action}: expected a JSON object, got {ctype} ({len(response.content)} bytes). "
                "Is the URL an ATH server?"
            )
        elif exc.reason == "unsafe":
            message = (
                f"the server's answer is refused: {exc.problem}. "
                "Report this to the server's operator."
            )
        else:
            message = _schema_message(action, exc.__cause__ or exc)
    except ErrorAnswer:  # the flows read only 2xx answers this way
        message = f"{action}: HTTP {response.status_code} is not a success answer"
    raise ATHError("INVALID_RESPONSE", message, status=response.status_code)


def _schema_message(action: str, cause: BaseException) -> str:
    return (
        f"{action}: the answer does not match the ATH schema "
        f"({type(cause).__name__}: {str(cause)[:120]})"
    )
