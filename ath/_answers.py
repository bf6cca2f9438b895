"""Reading servers' answers: ATH error bodies, error mapping, model parsing, redaction.

Everything a server sends back passes through here before a user sees it: a non-2xx
answer becomes an :class:`~ath.ATHError` with a code, the status and a message that
says what to do; a 2xx body is parsed with the generated models and type-checked;
any secret the client holds or sent is redacted from what it reports.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final
from urllib.parse import parse_qsl, unquote

import httpx

from ath._errors import EXTENSION_CODES, PROTOCOL_CODES, ATHError
from ath._retry import is_tls_failure

_BODY_SNIPPET: Final = 500


_TAG_RE: Final = re.compile(r"<[^>]{0,200}>")


_CODE_RE: Final = re.compile(r"[A-Z][A-Z0-9_]{1,63}")  # what an ATH error code looks like


_PREFIX: Final = 8  # a secret's leading run this long is redacted too (a snippet cut it)


def redact(text: str, secrets: Iterable[str | None]) -> str:
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
            if len(secret) > _PREFIX and secret[:_PREFIX] in text:
                text = _redact_prefixes(text, secret)
    return text


def _redact_prefixes(text: str, secret: str) -> str:
    """Replace every run of at least ``_PREFIX`` leading characters of ``secret``."""
    parts, start = [], 0
    while (found := text.find(secret[:_PREFIX], start)) != -1:
        end = found + _PREFIX
        while end < len(text) and end - found < len(secret) and text[end] == secret[end - found]:
            end += 1
        parts += [text[start:found], "***"]
        start = end
    parts.append(text[start:])
    return "".join(parts)


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


#: Request body fields that carry credentials (JSON or form-encoded).
_SECRET_FIELDS: Final = frozenset(
    {"agent_attestation", "client_secret", "token", "code_verifier", "refresh_token"}
)


def request_secrets(request: httpx.Request) -> list[str]:
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
    except httpx.RequestNotRead:
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


def body_snippet(response: httpx.Response, secrets: Iterable[str | None] = ()) -> str:
    if not response.content:
        return ""
    text = response.content[: _BODY_SNIPPET * 4].decode("utf-8", errors="replace")
    if "html" in response.headers.get("content-type", "").lower() or text.lstrip().startswith("<"):
        text = _TAG_RE.sub(" ", text)
    text = " ".join(text.split())
    if len(text) > _BODY_SNIPPET:
        text = text[:_BODY_SNIPPET] + "..."
    return redact(text, secrets)


#: How deep an ATH answer may nest (the protocol's objects nest three or four levels).
MAX_ANSWER_DEPTH: Final = 32


def check_json(data: Any, max_depth: int = MAX_ANSWER_DEPTH) -> str | None:
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


def load_json(content: bytes) -> Any:
    """``json.loads`` whose deep-nesting failure is a ValueError like the others."""
    try:
        return json.loads(content)
    except RecursionError:
        raise ValueError("JSON nested too deep") from None


def json_object(response: httpx.Response) -> dict[str, Any] | None:
    """The answer's JSON object, None when it is not one; INVALID_RESPONSE when it is an
    object that cannot be used safely (see :func:`check_json`)."""
    if not response.content:
        return None
    try:
        data = load_json(response.content)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict):
        return None
    problem = check_json(data)
    if problem is not None:
        raise ATHError(
            "INVALID_RESPONSE",
            f"the server's answer is refused: {problem}. Report this to the server's operator.",
            status=response.status_code,
        )
    return data


def ath_error_body(response: httpx.Response) -> dict[str, Any] | None:
    """The ``{"code", "message"}`` object of an ATH error answer, if that is what it is."""
    data = json_object(response)
    if data is not None and isinstance(data.get("code"), str) and _CODE_RE.fullmatch(data["code"]):
        return data
    return None


def error_from_response(
    response: httpx.Response, action: str, secrets: Iterable[str | None] = ()
) -> ATHError:
    """Turn a non-2xx answer into an ATHError that says what to do."""
    status = response.status_code
    secrets = tuple(secrets)
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
        return ATHError(code, f"{action}: {redact(message, secrets)}", status=status, details=extra)
    snippet = body_snippet(response, secrets)
    shown = f": {snippet}" if snippet else " with an empty body"
    if status == 429:
        retry_after = response.headers.get("retry-after")
        return ATHError(
            "RATE_LIMITED",
            f"{action}: the server is rate limiting (HTTP 429{shown}); wait"
            + (f" {retry_after}s" if retry_after else "")
            + " and try again, or raise max_retries.",
            status=status,
            details={"retry_after": retry_after} if retry_after else {},
        )
    hint = (
        "the server failed or a proxy in front of it did; try again later"
        if status >= 500
        else "the server refused the request; check the URL and that it is an ATH server"
    )
    return ATHError(
        "HTTP_ERROR",
        f"{action}: HTTP {status}{shown} ({hint})",
        status=status,
        details={"body": snippet} if snippet else {},
    )


def transport_error(exc: BaseException, request: httpx.Request) -> ATHError:
    where = f"{request.method} {request.url.copy_with(query=None)}"
    if isinstance(exc, httpx.TimeoutException):
        return ATHError(
            "TIMEOUT",
            f"{where} timed out ({type(exc).__name__}); the server is slow or unreachable. "
            "Try again, or raise the client's timeout.",
        )
    text = str(exc)
    if is_tls_failure(exc):
        return ATHError(
            "TLS_ERROR",
            f"{where}: TLS failed ({type(exc).__name__}). Check the server's certificate; "
            "verification stays on.",
        )
    if isinstance(exc, ATHError):
        return exc
    if isinstance(exc, RuntimeError) and "closed" in text.lower():
        return ATHError("CLIENT_CLOSED", "the client was closed; create a new client")
    return ATHError(
        "CONNECTION_ERROR",
        f"{where}: could not complete the exchange ({type(exc).__name__}). Check the URL and "
        "that the server is running, then try again.",
    )


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
    enums and datetimes are built (and so checked) by ``from_dict`` itself.
    """
    import attrs

    for attribute in attrs.fields(type(model)):
        if attribute.name != "additional_properties":
            _check_value(
                getattr(model, attribute.name), str(attribute.type), where + attribute.name
            )


def _check_value(value: Any, annotation: str, where: str) -> None:
    import attrs

    from ath._gen import Unset

    options = [option.strip() for option in annotation.split("|")]
    if (isinstance(value, Unset) and "Unset" in options) or (value is None and "None" in options):
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
                for index, item in enumerate(value):
                    _check_value(item, option[5:-1], f"{where}[{index}]")
                return
        elif attrs.has(type(value)):
            check_types(value, where + ".")
            return
        elif option not in ("Unset", "None") and not isinstance(value, list | dict):
            return  # an enum, datetime or literal that from_dict built and checked
    raise TypeError(f"{where} is {type(value).__name__}, expected {annotation}")


def parse_model(factory: Any, response: httpx.Response, action: str) -> Any:
    """Parse a 2xx JSON object with a generated model's ``from_dict``."""
    data = json_object(response)
    if data is None:
        ctype = response.headers.get("content-type", "?")
        raise ATHError(
            "INVALID_RESPONSE",
            f"{action}: expected a JSON object, got {ctype} ({len(response.content)} bytes). "
            "Is the URL an ATH server?",
            status=response.status_code,
        )
    try:
        parsed = factory.from_dict(data)
        check_types(parsed)
        return parsed
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
        raise ATHError(
            "INVALID_RESPONSE",
            f"{action}: the answer does not match the ATH schema "
            f"({type(exc).__name__}: {str(exc)[:120]})",
            status=response.status_code,
        ) from None
