"""Primitives the whole stack shares: a controllable clock, secret handling (random
tokens, digests, sealing), base64url and PKCE encodings, and URL building (query
strings, the outbound OAuth authorization request)."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os
import secrets
import ssl
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

__all__ = [
    "Clock",
    "Sealed",
    "add_query",
    "b64url_decode",
    "b64url_encode",
    "digest_matches",
    "iso_utc",
    "pkce_s256",
    "random_token",
    "sha256_hex",
    "ssl_context",
]


class Clock:
    """Wall-clock time that tests can move forward (``advance``) without sleeping."""

    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        """Seconds since the epoch, as the stack sees it."""
        return time.time() + self._offset

    def advance(self, seconds: float) -> None:
        """Move the stack's time forward (or back, with a negative value)."""
        with self._lock:
            self._offset += seconds

    def reset(self) -> None:
        """Return to real time."""
        with self._lock:
            self._offset = 0.0


@functools.cache
def ssl_context() -> ssl.SSLContext:
    """One default (verifying) TLS context per process: building one for every
    ``httpx2`` client costs ~20 ms, which short-lived clients should not pay."""
    return ssl.create_default_context()


def random_token(prefix: str, nbytes: int = 32) -> str:
    """A CSPRNG token with a readable prefix (``ath_tk_``, ``ath_sess_``...)."""
    return prefix + secrets.token_urlsafe(nbytes)


def sha256_hex(value: str) -> str:
    """The form in which the stack keeps secrets it only needs to recognise."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def digest_matches(value: str, digest: str) -> bool:
    """Constant-time comparison of a presented secret against a stored digest."""
    return hmac.compare_digest(sha256_hex(value), digest)


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode unpadded base64url; raises ``ValueError`` on bad input."""
    if any(c not in _B64URL_ALPHABET for c in text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


_B64URL_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def pkce_s256(verifier: str) -> str:
    """RFC 7636 §4.2: ``BASE64URL(SHA256(ASCII(code_verifier)))``."""
    return b64url_encode(hashlib.sha256(verifier.encode("ascii")).digest())


def iso_utc(timestamp: float) -> str:
    """ISO 8601 in UTC with a ``Z`` suffix, second precision."""
    return datetime.fromtimestamp(int(timestamp), tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def add_query(url: str, params: dict[str, str]) -> str:
    """Append query parameters to a URL, keeping the ones it already has."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query.extend(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


def oauth_authorization_url(
    endpoint: str,
    *,
    client_id: str,
    redirect_uri: str,
    scopes: Sequence[str],
    state: str,
    code_challenge: str,
    resource: str | None = None,
) -> str:
    """The stack's outbound RFC 6749 §4.1.1 authorization request (PKCE S256, RFC 7636).

    Built here rather than taken from the SDK, so that a bug in the SDK's own URL
    builder cannot hide in end-to-end tests that use this stack as the oracle.
    """
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": " ".join(scopes),
        "state": state,
        "code_challenge": code_challenge,
        "code_challenge_method": "S256",
    }
    if resource:
        params["resource"] = resource
    return add_query(endpoint, params)


# One key per process; sealed values never leave the process, so it never needs storing.
_SEAL_KEY = AESGCM.generate_key(bit_length=256)


class Sealed:
    """A secret the stack must use again later in plain form (a provider token, an
    OAuth client secret, a PKCE verifier), kept encrypted (AES-256-GCM) in memory
    so that it never sits there in plain form, and never shown by ``repr``."""

    __slots__ = ("_blob",)

    def __init__(self, plaintext: str) -> None:
        nonce = os.urandom(12)
        self._blob = nonce + AESGCM(_SEAL_KEY).encrypt(nonce, plaintext.encode("utf-8"), None)

    def reveal(self) -> str:
        nonce, body = self._blob[:12], self._blob[12:]
        return AESGCM(_SEAL_KEY).decrypt(nonce, body, None).decode("utf-8")

    def __repr__(self) -> str:
        return "Sealed(<hidden>)"
