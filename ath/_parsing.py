"""Response parsing: a server's JSON answer read, checked and parsed with the generated models.

Every check of what a server answered lives here (the URLs it points to included:
``answer_base_url``, ``answer_url``, ``check_authorization_url``); its refusals are
:class:`~ath.ATHServerError`. :mod:`ath._validation` checks the caller's arguments only.

A body that is not JSON, nests too deep, holds strings that cannot be encoded again,
or does not match the generated model's annotations becomes ``INVALID_RESPONSE``.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import SplitResult, parse_qs

import httpx

from ath._errors import ATHClientError, ATHError, ATHServerError
from ath._validation import is_loopback, normalize_base_url, split_url

__all__ = [
    "MAX_ANSWER_DEPTH",
    "answer_base_url",
    "answer_url",
    "ath_error_body",
    "check_authorization_url",
    "check_types",
    "json_object",
    "json_problem",
    "load_json",
    "parse_model",
]

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


def json_object(response: httpx.Response) -> dict[str, Any] | None:
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


def ath_error_body(response: httpx.Response) -> dict[str, Any] | None:
    """The ``{"code", "message"}`` object of an ATH error answer, if that is what it is."""
    data = json_object(response)
    if data is not None and isinstance(data.get("code"), str) and _CODE_RE.fullmatch(data["code"]):
        return data
    return None


_SCALARS: Final[Mapping[str, type | tuple[type, ...]]] = {
    "str": str,
    "int": int,
    "bool": bool,
    "float": (int, float),
}


def check_types(model: Any, where: str = "") -> None:
    """Check a generated model's fields against their annotations (``from_dict`` does not).

    The generated models are attrs classes whose annotations are strings such as
    ``"str"``, ``"list[str]"``, ``"int | Unset"`` or a nested model's name; nested models,
    enums and datetimes are built (and so checked) by ``from_dict`` itself. What each
    class's annotations allow is worked out once per class (:func:`_fields`).
    """
    for name, options, annotation in _fields(type(model)):
        _check_value(getattr(model, name), options, annotation, where + name)


_Fields = tuple[tuple[str, tuple[str, ...], str], ...]
_FIELDS: Final[dict[type, _Fields]] = {}  # per generated model class (a closed set)
_MODELS: Final[dict[type, bool]] = {}  # per type of value met in a model


def _fields(cls: type) -> _Fields:
    """``(name, options, annotation)`` of each checked field of a generated model class."""
    found = _FIELDS.get(cls)
    if found is None:
        import attrs

        found = _FIELDS[cls] = tuple(
            (attribute.name, _options(str(attribute.type)), str(attribute.type))
            for attribute in attrs.fields(cls)
            if attribute.name != "additional_properties"
        )
    return found


@functools.cache
def _options(annotation: str) -> tuple[str, ...]:
    """The alternatives of a string annotation: ``"int | Unset"`` -> ``("int", "Unset")``."""
    return tuple(option.strip() for option in annotation.split("|"))


@functools.cache
def _exact_types(options: tuple[str, ...]) -> frozenset[type]:
    """The types a JSON scalar may have to match one of ``options`` outright (``float``
    takes an ``int`` too; ``int`` never takes a ``bool``)."""
    exact: set[type] = set()
    for option in options:
        scalar = _SCALARS.get(option)
        if scalar is not None:
            exact.update(scalar if isinstance(scalar, tuple) else (scalar,))
    return frozenset(exact)


def _check_value(value: Any, options: tuple[str, ...], annotation: str, where: str) -> None:
    if type(value) in _exact_types(options):
        return  # the common case: a str, int, float or bool where one is allowed
    if (value is None and "None" in options) or (_is_unset(value) and "Unset" in options):
        return
    for option in options:
        scalar = _SCALARS.get(option)
        if scalar is not None:
            if isinstance(value, scalar) and (option == "bool" or not isinstance(value, bool)):
                return
        elif option.startswith("dict["):
            if isinstance(value, dict):
                return
        elif option.startswith("list[") and option.endswith("]"):
            if isinstance(value, list):
                inner = option[5:-1]
                inner_options = _options(inner)
                for index, item in enumerate(value):
                    _check_value(item, inner_options, inner, f"{where}[{index}]")
                return
        elif _is_model(type(value)):
            check_types(value, where + ".")
            return
        elif option not in ("Unset", "None") and not isinstance(value, list | dict):
            return  # an enum, datetime or literal that from_dict built and checked
    raise TypeError(f"{where} is {type(value).__name__}, expected {annotation}")


def _is_unset(value: Any) -> bool:
    """``isinstance(value, Unset)``: the generated package is imported on first use."""
    return isinstance(value, _unset_type())


@functools.cache
def _unset_type() -> type:
    from ath._generated import Unset

    return Unset


def _is_model(cls: type) -> bool:
    found = _MODELS.get(cls)
    if found is None:
        import attrs

        found = _MODELS[cls] = attrs.has(cls)
    return found


def parse_model(factory: Any, response: httpx.Response, action: str) -> Any:
    """Parse a 2xx JSON object with a generated model's ``from_dict``."""
    data = json_object(response)
    if data is None:
        ctype = response.headers.get("content-type", "?")
        raise ATHServerError(
            "INVALID_RESPONSE",
            f"{action}: expected a JSON object, got {ctype} ({len(response.content)} bytes). "
            "Is the URL an ATH server?",
            status=response.status_code,
            headers=response.headers,
        )
    try:
        parsed = factory.from_dict(data)
        check_types(parsed)
        return parsed
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
        raise ATHServerError(
            "INVALID_RESPONSE",
            f"{action}: the answer does not match the ATH schema "
            f"({type(exc).__name__}: {str(exc)[:120]})",
            status=response.status_code,
            headers=response.headers,
        ) from None


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
    there: an absolute https URL (http on loopback only) carrying PKCE (S256)."""
    if not isinstance(url, str):
        raise ATHServerError(
            "INVALID_RESPONSE", "authorize: authorization_url is not a string", status=status
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
    query = parse_qs(parts.query)
    if not query.get("code_challenge") or query.get("code_challenge_method") != ["S256"]:
        raise ATHServerError(
            "PKCE_MISSING",
            "authorize: the authorization_url carries no code_challenge with "
            "code_challenge_method=S256; ATH requires PKCE (RFC 7636) on every consent. The SDK "
            "refuses to send a user there; report this to the gateway's operator.",
            status=status,
        )
    return url
