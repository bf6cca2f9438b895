"""Validation of what callers pass: URLs, provider ids, scopes, proxy paths, headers,
redirects; and the parser of the redirect URL (``ath.parse_callback``). Servers' answers
are checked in :mod:`ath._parsing`, which reuses the URL checks here.

Pure functions: each returns the checked value or raises an ``INVALID_ARGUMENT``
(or ``INSECURE_TRANSPORT``) :class:`~ath.ATHClientError` that says how to fix the call.

Naming rule for validators across ``ath/``: ``check_<what>(value)`` refuses a bad value
with an error and returns the value it accepted (unchanged, or only re-typed, e.g. a
list copy); ``normalize_<what>(value)`` returns a canonical form (a base URL without
default port or trailing slash, a model object as its dict) and refuses a value that has
none. A function that reports a problem instead of raising says so in its name
(``ath._parsing.json_problem``).
"""

from __future__ import annotations

import functools
import ipaddress
import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any, Final
from urllib.parse import SplitResult, parse_qs, quote, unquote_to_bytes, urlsplit

import httpx2

from ath._errors import ATHClientError
from ath._models import CallbackResult

__all__ = [
    "DEFAULT_PORTS",
    "FRAMING_HEADERS",
    "check_api_url",
    "check_encodable",
    "check_headers",
    "check_mapping",
    "check_provider_id",
    "check_relative_path",
    "check_scopes",
    "check_user_id",
    "is_loopback",
    "normalize_base_url",
    "normalize_mapping",
    "parse_callback",
    "split_url",
]

_PROVIDER_RE: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]{0,127}")


@functools.lru_cache(maxsize=256)
def is_loopback(host: str | None) -> bool:
    """Exactly ``localhost`` or a literal loopback address (127.0.0.0/8, ::1).

    Names under ``.localhost`` do not count: common resolvers send them to DNS. The
    SDK's transport also checks that ``localhost`` connects to a loopback address.
    """
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def split_url(url: str, what: str) -> SplitResult:
    """``urlsplit`` that reports a malformed URL (``https://[::1``, a bad port) as ATHError."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - parsing the port is what can fail
    except ValueError:
        raise ATHClientError("INVALID_ARGUMENT", f"{what} is not a valid URL: {url!r}") from None
    return parts


DEFAULT_PORTS: Final = {"http": 80, "https": 443}


def normalize_base_url(url: str, *, allow_insecure_http: bool, what: str = "url") -> str:
    """The canonical form of a base URL: scheme and host lowercased, default port dropped."""
    if not isinstance(url, str) or not url:
        raise ATHClientError("INVALID_ARGUMENT", f"{what} must be a non-empty http(s) URL string")
    parts = split_url(url.strip(), what)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise ATHClientError(
            "INVALID_ARGUMENT", f"{what} must be an absolute http(s) URL, got {url!r}"
        )
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ATHClientError(
            "INVALID_ARGUMENT", f"{what} must not carry a query, fragment or user info: {url!r}"
        )
    if scheme == "http" and not allow_insecure_http and not is_loopback(parts.hostname):
        raise ATHClientError(
            "INSECURE_TRANSPORT",
            f"{what} {url!r} uses plain http outside loopback; ATH requires HTTPS. Use https://, "
            "or pass allow_insecure_http=True for a trusted development network.",
        )
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    netloc = host if port is None or port == DEFAULT_PORTS[scheme] else f"{host}:{port}"
    return f"{scheme}://{netloc}{parts.path.rstrip('/')}"


def check_encodable(value: str, what: str) -> str:
    """``value`` if it can be sent (UTF-8 encodable: no lone surrogate)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ATHClientError(
            "INVALID_ARGUMENT", f"{what} is not valid Unicode (a lone surrogate)"
        ) from None
    return value


#: Headers that set how a message is framed or routed: the HTTP client owns them.
FRAMING_HEADERS: Final = frozenset(
    {
        "host",
        "content-length",
        "transfer-encoding",
        "connection",
        "upgrade",
        "te",
        "trailer",
        "keep-alive",
    }
)
_HEADER_NAME: Final = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_HEADER_VALUE_BAD: Final = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def check_headers(
    headers: Any, *, what: str = "headers", reserved: frozenset[str] = frozenset()
) -> dict[str, str]:
    """Caller headers checked: string names and values, no framing/hop-by-hop header."""
    headers = check_mapping(headers, what)
    refused = sorted(
        name
        for name in headers
        if isinstance(name, str)
        and (name.lower() in FRAMING_HEADERS | reserved or name.lower().startswith("proxy-"))
    )
    if refused:
        raise ATHClientError(
            "INVALID_ARGUMENT",
            f"{what} must not set {refused}: message framing, routing and credentials are set "
            "by the client itself.",
        )
    checked: dict[str, str] = {}
    for name, value in headers.items():
        if not isinstance(name, str) or not _HEADER_NAME.fullmatch(name):
            raise ATHClientError("INVALID_ARGUMENT", f"{what}: {name!r} is not a valid header name")
        if not isinstance(value, str) or _HEADER_VALUE_BAD.search(value):
            raise ATHClientError(
                "INVALID_ARGUMENT",
                f"{what}: the value of {name!r} must be a string without control characters",
            )
        try:
            value.encode("latin-1")
        except UnicodeEncodeError:
            raise ATHClientError(
                "INVALID_ARGUMENT", f"{what}: the value of {name!r} is not Latin-1 text"
            ) from None
        checked[name] = value
    return checked


def check_provider_id(provider: Any) -> str:
    if isinstance(provider, str) and provider in _VALID_PROVIDERS:
        return provider
    if not isinstance(provider, str) or not _PROVIDER_RE.fullmatch(provider):
        raise ATHClientError(
            "INVALID_ARGUMENT",
            f"provider id {provider!r} is not valid: use 1-128 characters of letters, digits, "
            "'.', '_', '~' or '-', starting with a letter or digit.",
        )
    if len(_VALID_PROVIDERS) < 1024:
        _VALID_PROVIDERS.add(provider)
    return provider


_VALID_PROVIDERS: set[str] = set()

#: The longest ``user_id`` accepted by ``for_user`` (characters).
MAX_USER_ID: Final = 256


def check_user_id(user_id: Any) -> str:
    """A ``for_user`` label: 1-256 characters, valid Unicode, no control character."""
    if not isinstance(user_id, str) or not user_id or len(user_id) > MAX_USER_ID:
        raise ATHClientError(
            "INVALID_ARGUMENT",
            f"user_id must be a non-empty string of at most {MAX_USER_ID} characters",
        )
    if not user_id.isprintable() and any(
        unicodedata.category(c) in ("Cc", "Cs", "Zl", "Zp") for c in user_id
    ):
        raise ATHClientError(
            "INVALID_ARGUMENT",
            "user_id must not contain control characters, line separators or lone surrogates",
        )
    return user_id


def check_scopes(scopes: Any, what: str = "scopes") -> list[str]:
    listed = type(scopes) is list or (  # a list (the usual) is told apart without the ABC
        not isinstance(scopes, str) and isinstance(scopes, Sequence)
    )
    if not listed or not scopes:
        raise ATHClientError(
            "INVALID_ARGUMENT", f"{what} must be a non-empty list of scope strings"
        )
    if not all(isinstance(s, str) and s and " " not in s for s in scopes):
        raise ATHClientError(
            "INVALID_ARGUMENT", f"{what} must hold non-empty strings without spaces"
        )
    return list(scopes)


_BAD_PATH_CHARS: Final = re.compile(r"[\x00-\x20\x7f\\?#]")
#: Control characters (C0, DEL, C1) and Unicode line breaks: never in a decoded path.
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_FULL_URL: Final = re.compile(r"/?[A-Za-z][A-Za-z0-9+.-]*://")


def check_relative_path(path: Any) -> str:
    """``path`` checked so that it cannot leave the prefix it is appended to."""
    if isinstance(path, str):
        return _checked_path(path)
    return _check_path(path)


def _check_path(path: Any) -> str:
    if not isinstance(path, str):
        raise ATHClientError("INVALID_ARGUMENT", "path must be a string such as '/user'")
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        raise ATHClientError("INVALID_ARGUMENT", f"path {path!r} is not valid Unicode") from None
    if _FULL_URL.match(path):
        raise ATHClientError(
            "INVALID_ARGUMENT",
            f"path {path[:80]!r} is a full URL; pass the path under the API's base, such as "
            "'/user' (the client adds the gateway's proxy prefix or the service's api_base).",
        )
    if _BAD_PATH_CHARS.search(path):
        raise ATHClientError(
            "INVALID_ARGUMENT",
            f"path {path!r} contains a space, control character, backslash, '?' or '#'; pass "
            "query parameters with params={...}.",
        )
    relative = path[1:] if path.startswith("/") else path
    if relative.startswith("/"):
        raise ATHClientError("INVALID_ARGUMENT", f"path {path!r} must not start with '//'")
    # What a lenient server may read: percent-decoding applied again and again, then
    # NFKC (full-width dots become '.'), until nothing changes.
    decoded = relative
    for _ in range(len(relative) + 1):
        try:
            step = unquote_to_bytes(decoded).decode("utf-8")
        except UnicodeDecodeError:
            raise ATHClientError(
                "INVALID_ARGUMENT", f"path {path!r} percent-encodes bytes that are not UTF-8"
            ) from None
        step = unicodedata.normalize("NFKC", step)
        if _CONTROL.search(step):
            raise ATHClientError(
                "INVALID_ARGUMENT", f"path {path!r} encodes a control character or line break"
            )
        if step == decoded:
            break
        decoded = step
    for segment in re.split(r"[/\\]", decoded):
        # servers that drop path parameters read '..;x' as '..'
        if segment.split(";", 1)[0].strip() in (".", ".."):
            raise ATHClientError(
                "INVALID_ARGUMENT", f"path {path!r} contains a '.' or '..' segment"
            )
    if "?" in decoded or "#" in decoded:
        raise ATHClientError(
            "INVALID_ARGUMENT", f"path {path!r} smuggles '?' or '#' percent-encoded"
        )
    return quote(relative, safe="/:@!$&'()*+,;=-._~%")


# Agents call the same few paths over and over; a checked path is a pure function.
_checked_path: Final = functools.lru_cache(maxsize=1024)(_check_path)


@functools.lru_cache(maxsize=1024)
def check_api_url(full: str, prefix: str) -> httpx2.URL:
    """The parsed URL of a proxy/api call, checked to stay under ``prefix`` (cached:
    parsing a URL string is the largest cost an API call adds to httpx2's own)."""
    url = httpx2.URL(full)
    if not str(url).startswith(prefix):
        raise ATHClientError(
            "INSECURE_TRANSPORT", f"refusing to send the token outside {prefix} ({full!r})"
        )
    return url


def parse_callback(url: str) -> CallbackResult:
    """Read the redirect back from consent (code/state, error, or the session_id shape)."""
    if not isinstance(url, str) or not url:
        raise ATHClientError(
            "INVALID_ARGUMENT", "callback url must be the URL the user was redirected to"
        )
    parts = split_url(url, "callback url")
    query = parse_qs(parts.query, keep_blank_values=True)
    if parts.fragment and not query:
        query = parse_qs(parts.fragment, keep_blank_values=True)

    def one(name: str) -> str | None:
        values = query.get(name)
        if not values:
            return None
        if len(set(values)) > 1:
            raise ATHClientError(
                "INVALID_ARGUMENT", f"the redirect carries {name!r} more than once; refusing it"
            )
        return values[0]

    success = (one("success") or "").lower() in ("true", "1", "yes")
    return CallbackResult(
        code=one("code") or None,
        state=one("state"),
        session_id=one("session_id") or one("ath_session_id"),
        success=success,
        error=one("error"),
        error_description=one("error_description"),
    )


def normalize_mapping(value: Any, what: str) -> Mapping[str, Any]:
    """A dict, or a model object (generated attrs ``to_dict``, pydantic ``model_dump``)
    as its dict, as ath-sdk 0.1.0 accepted ``DeveloperInfo(...)`` in ``register()``."""
    if type(value) is not dict and not isinstance(value, Mapping):  # a dict: no ABC check
        for method in ("to_dict", "model_dump"):
            convert = getattr(value, method, None)
            if callable(convert) and not isinstance(value, type):
                converted = convert()
                if isinstance(converted, Mapping):
                    return {k: v for k, v in converted.items() if v is not None}
    return check_mapping(value, what)


def check_mapping(value: Any, what: str) -> Mapping[str, Any]:
    if type(value) is not dict and not isinstance(value, Mapping):
        raise ATHClientError(
            "INVALID_ARGUMENT", f"{what} must be a dict, got {type(value).__name__}"
        )
    return value
