"""Checking what callers pass: URLs, provider ids, scopes, proxy paths, redirects.

Pure functions: each returns the checked value or raises an ``INVALID_ARGUMENT``
(or ``INSECURE_TRANSPORT`` / ``PKCE_MISSING``) :class:`~ath.ATHError` that says how
to fix the call.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Mapping, Sequence
from typing import Any, Final
from urllib.parse import parse_qs, quote, unquote, urlsplit

import httpx

from ath._errors import ATHError
from ath._types import CallbackResult

_PROVIDER_RE: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]{0,127}")


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def normalize_base_url(url: str, *, allow_insecure_http: bool, what: str = "url") -> str:
    if not isinstance(url, str) or not url:
        raise ATHError("INVALID_ARGUMENT", f"{what} must be a non-empty http(s) URL string")
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ATHError("INVALID_ARGUMENT", f"{what} must be an absolute http(s) URL, got {url!r}")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ATHError(
            "INVALID_ARGUMENT", f"{what} must not carry a query, fragment or user info: {url!r}"
        )
    if parts.scheme == "http" and not allow_insecure_http and not is_loopback(parts.hostname):
        raise ATHError(
            "INSECURE_TRANSPORT",
            f"{what} {url!r} uses plain http outside loopback; ATH requires HTTPS. Use https://, "
            "or pass allow_insecure_http=True for a trusted development network.",
        )
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def validate_provider_id(provider: Any) -> str:
    if isinstance(provider, str) and provider in _VALID_PROVIDERS:
        return provider
    if not isinstance(provider, str) or not _PROVIDER_RE.fullmatch(provider):
        raise ATHError(
            "INVALID_ARGUMENT",
            f"provider id {provider!r} is not valid: use 1-128 characters of letters, digits, "
            "'.', '_', '~' or '-', starting with a letter or digit.",
        )
    if len(_VALID_PROVIDERS) < 1024:
        _VALID_PROVIDERS.add(provider)
    return provider


_VALID_PROVIDERS: set[str] = set()


def validate_scopes(scopes: Any, what: str = "scopes") -> list[str]:
    if isinstance(scopes, str) or not isinstance(scopes, Sequence) or not scopes:
        raise ATHError("INVALID_ARGUMENT", f"{what} must be a non-empty list of scope strings")
    if not all(isinstance(s, str) and s and " " not in s for s in scopes):
        raise ATHError("INVALID_ARGUMENT", f"{what} must hold non-empty strings without spaces")
    return list(scopes)


_BAD_PATH_CHARS: Final = re.compile(r"[\x00-\x20\x7f\\?#]")
_FULL_URL: Final = re.compile(r"/?[A-Za-z][A-Za-z0-9+.-]*://")


def safe_relative_path(path: Any) -> str:
    """``path`` checked so that it cannot leave the prefix it is appended to."""
    if isinstance(path, str):
        return _checked_path(path)
    return _check_path(path)


def _check_path(path: Any) -> str:
    if not isinstance(path, str):
        raise ATHError("INVALID_ARGUMENT", "path must be a string such as '/user'")
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        raise ATHError("INVALID_ARGUMENT", f"path {path!r} is not valid Unicode") from None
    if _FULL_URL.match(path):
        raise ATHError(
            "INVALID_ARGUMENT",
            f"path {path[:80]!r} is a full URL; pass the path under the API's base, such as "
            "'/user' (the client adds the gateway's proxy prefix or the service's api_base).",
        )
    if _BAD_PATH_CHARS.search(path):
        raise ATHError(
            "INVALID_ARGUMENT",
            f"path {path!r} contains a space, control character, backslash, '?' or '#'; pass "
            "query parameters with params={...}.",
        )
    relative = path[1:] if path.startswith("/") else path
    if relative.startswith("/"):
        raise ATHError("INVALID_ARGUMENT", f"path {path!r} must not start with '//'")
    decoded = relative
    for _ in range(len(relative)):  # percent-decoding, however deep, must not produce one
        step = unquote(decoded)
        if step == decoded:
            break
        decoded = step
    for segment in re.split(r"[/\\]", decoded):
        # servers that drop path parameters read '..;x' as '..'
        if segment.split(";", 1)[0] in (".", ".."):
            raise ATHError("INVALID_ARGUMENT", f"path {path!r} contains a '.' or '..' segment")
    if "?" in decoded or "#" in decoded:
        raise ATHError("INVALID_ARGUMENT", f"path {path!r} smuggles '?' or '#' percent-encoded")
    return quote(relative, safe="/:@!$&'()*+,;=-._~%")


# Agents call the same few paths over and over; a checked path is a pure function.
_checked_path: Final = functools.lru_cache(maxsize=1024)(_check_path)


@functools.lru_cache(maxsize=1024)
def checked_api_url(full: str, prefix: str) -> httpx.URL:
    """The parsed URL of a proxy/api call, checked to stay under ``prefix`` (cached:
    parsing a URL string is the largest cost an API call adds to httpx's own)."""
    url = httpx.URL(full)
    if not str(url).startswith(prefix):
        raise ATHError(
            "INSECURE_TRANSPORT", f"refusing to send the token outside {prefix} ({full!r})"
        )
    return url


def parse_callback(url: str) -> CallbackResult:
    """Read the redirect back from consent (code/state, error, or the session_id shape)."""
    if not isinstance(url, str) or not url:
        raise ATHError(
            "INVALID_ARGUMENT", "callback url must be the URL the user was redirected to"
        )
    parts = urlsplit(url)
    query = parse_qs(parts.query, keep_blank_values=True)
    if parts.fragment and not query:
        query = parse_qs(parts.fragment, keep_blank_values=True)

    def one(name: str) -> str | None:
        values = query.get(name)
        if not values:
            return None
        if len(set(values)) > 1:
            raise ATHError(
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


def check_authorization_url(url: Any, *, status: int | None = None) -> str:
    if not isinstance(url, str):
        raise ATHError(
            "INVALID_RESPONSE", "authorize: authorization_url is not a string", status=status
        )
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ATHError(
            "INVALID_RESPONSE",
            "authorize: authorization_url is not an absolute http(s) URL",
            status=status,
        )
    query = parse_qs(parts.query)
    if not query.get("code_challenge") or query.get("code_challenge_method") != ["S256"]:
        raise ATHError(
            "PKCE_MISSING",
            "authorize: the authorization_url carries no code_challenge with "
            "code_challenge_method=S256; ATH requires PKCE (RFC 7636) on every consent. The SDK "
            "refuses to send a user there; report this to the gateway's operator.",
            status=status,
        )
    return url


def plain_mapping(value: Any, what: str) -> Mapping[str, Any]:
    """A dict, or a model object (generated attrs ``to_dict``, pydantic ``model_dump``)
    as its dict, as ath-sdk 0.1.0 accepted ``DeveloperInfo(...)`` in ``register()``."""
    if not isinstance(value, Mapping):
        for method in ("to_dict", "model_dump"):
            convert = getattr(value, method, None)
            if callable(convert) and not isinstance(value, type):
                converted = convert()
                if isinstance(converted, Mapping):
                    return {k: v for k, v in converted.items() if v is not None}
    return require_mapping(value, what)


def require_mapping(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ATHError("INVALID_ARGUMENT", f"{what} must be a dict, got {type(value).__name__}")
    return value
