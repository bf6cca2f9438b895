"""PKCE (RFC 7636) with the S256 method, and OAuth ``state`` values."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field
from typing import Final

from ath._errors import ATHClientError

__all__ = [
    "PKCEPair",
    "code_challenge_s256",
    "generate_code_verifier",
    "generate_state",
    "states_equal",
]

# RFC 7636 §4.1: 43 to 128 unreserved characters: ALPHA / DIGIT / "-" / "." / "_" / "~"
_VERIFIER_RE: Final = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")


def generate_code_verifier(length: int = 64) -> str:
    """A CSPRNG code verifier of ``length`` (43..128) unreserved characters."""
    if not 43 <= length <= 128:
        raise ATHClientError("INVALID_ARGUMENT", "a PKCE code_verifier has 43 to 128 characters")
    # token_urlsafe yields [A-Za-z0-9_-], a subset of the unreserved set; ~6 bits/char.
    return secrets.token_urlsafe(length)[:length]


def code_challenge_s256(verifier: str) -> str:
    """BASE64URL(SHA256(ASCII(code_verifier))) without padding (RFC 7636 §4.2)."""
    if not _VERIFIER_RE.fullmatch(verifier):
        raise ATHClientError(
            "INVALID_ARGUMENT",
            "code_verifier must be 43-128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636 §4.1)",
        )
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class PKCEPair:
    """A verifier and its S256 challenge."""

    verifier: str = field(repr=False)
    challenge: str
    method: str = "S256"

    @classmethod
    def generate(cls, length: int = 64) -> PKCEPair:
        verifier = generate_code_verifier(length)
        return cls(verifier=verifier, challenge=code_challenge_s256(verifier))


def generate_state() -> str:
    """An OAuth ``state`` of 256 CSPRNG bits (ATH requires at least 128)."""
    return secrets.token_urlsafe(32)


def states_equal(expected: str, received: str) -> bool:
    """Constant-time comparison of two state values."""
    # surrogatepass: a lone surrogate (possible in a caller's str) must not raise here
    return hmac.compare_digest(
        expected.encode("utf-8", "surrogatepass"), received.encode("utf-8", "surrogatepass")
    )
