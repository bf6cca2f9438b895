"""Agent keys and ES256 attestation JWTs.

This is the only module that touches python-jose: the SDK signs through
:class:`AttestationSigner` and nothing else imports ``jose``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from collections.abc import Sequence
from typing import Any, Final

from cryptography.hazmat.primitives.asymmetric import ec

from ath._errors import ATHError

__all__ = [
    "ATTESTATION_LIFETIME",
    "AttestationSigner",
    "PrivateKeyInput",
    "generate_private_key",
    "load_private_key",
    "public_jwk",
]

#: Seconds an attestation stays valid. Verifiers accept at most 5 minutes of skew.
ATTESTATION_LIFETIME: Final = 60

PrivateKeyInput = str | bytes | ec.EllipticCurvePrivateKey


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def generate_private_key() -> str:
    """A new EC P-256 private key as unencrypted PKCS#8 PEM (keep it secret)."""
    from cryptography.hazmat.primitives import serialization

    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")


def load_private_key(private_key: PrivateKeyInput) -> ec.EllipticCurvePrivateKey:
    """Parse a PEM (str/bytes) or accept a key object; refuse anything but EC P-256."""
    from cryptography.hazmat.primitives import serialization

    key: object
    if isinstance(private_key, str | bytes):
        data = (
            private_key.encode("ascii", "replace") if isinstance(private_key, str) else private_key
        )
        try:
            key = serialization.load_pem_private_key(data, password=None)
        except (ValueError, TypeError) as exc:
            # The library's message may quote the input; never echo key material.
            raise ATHError(
                "INVALID_KEY",
                "private_key is not an unencrypted PEM private key. Pass the PKCS#8 PEM of an "
                "EC P-256 key (see ath.generate_private_key()) or a cryptography key object.",
                details={"reason": type(exc).__name__},
            ) from None
    else:
        key = private_key
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ATHError(
            "INVALID_KEY",
            f"private_key is a {type(key).__name__}; ATH attestations are ES256 and need an "
            "EC P-256 private key.",
        )
    if not isinstance(key.curve, ec.SECP256R1):
        raise ATHError(
            "INVALID_KEY",
            f"private_key is on curve {key.curve.name}; ES256 requires P-256 (secp256r1). "
            "Generate one with ath.generate_private_key().",
        )
    return key


def public_jwk(key: ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey) -> dict[str, str]:
    """The public half as an RFC 7517 JWK (kty, crv, x, y)."""
    public = key.public_key() if isinstance(key, ec.EllipticCurvePrivateKey) else key
    numbers = public.public_numbers()
    return {
        "kty": "EC",
        "crv": "P-256",
        "x": _b64url(numbers.x.to_bytes(32, "big")),
        "y": _b64url(numbers.y.to_bytes(32, "big")),
    }


def jwk_thumbprint(jwk_dict: dict[str, str]) -> str:
    """RFC 7638 SHA-256 thumbprint of an EC JWK: a stable default key id."""
    canonical = json.dumps(
        {k: jwk_dict[k] for k in ("crv", "kty", "x", "y")}, separators=(",", ":"), sort_keys=True
    )
    return _b64url(hashlib.sha256(canonical.encode("ascii")).digest())


class AttestationSigner:
    """Mints attestation JWTs for one agent; the key is parsed once."""

    __slots__ = ("_jose_key", "_jws", "_key", "agent_id", "key_id", "lifetime")

    def __init__(
        self,
        private_key: PrivateKeyInput,
        agent_id: str,
        *,
        key_id: str | None = None,
        lifetime: int = ATTESTATION_LIFETIME,
    ) -> None:
        if not 1 <= lifetime <= 300:
            raise ATHError(
                "INVALID_ARGUMENT",
                "attestation lifetime must be between 1 and 300 seconds (verifiers reject more "
                "than 5 minutes).",
            )
        self._key = load_private_key(private_key)
        from jose import jwk, jws  # imported on first use: it is the heaviest import we have

        self._jws = jws
        self._jose_key = jwk.construct(self._key, "ES256")
        self.agent_id = agent_id
        self.key_id = key_id or jwk_thumbprint(public_jwk(self._key))
        self.lifetime = lifetime

    @property
    def public_key(self) -> ec.EllipticCurvePublicKey:
        return self._key.public_key()

    def mint(self, audience: str, *, capabilities: Sequence[str] | None = None) -> str:
        """A fresh ES256 JWT for ``audience``: new 192-bit ``jti`` every call."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.agent_id,
            "sub": self.agent_id,
            "aud": audience,
            "iat": now,
            "exp": now + self.lifetime,
            "jti": secrets.token_urlsafe(24),
        }
        if capabilities:
            claims["capabilities"] = list(capabilities)
        token: str = self._jws.sign(
            claims, self._jose_key, headers={"kid": self.key_id}, algorithm="ES256"
        )
        return token

    def __repr__(self) -> str:
        return (
            f"AttestationSigner(agent_id={self.agent_id!r}, key_id={self.key_id!r}, key=<hidden>)"
        )
