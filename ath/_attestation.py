"""Agent keys and ES256 attestation JWTs.

An attestation is a JWS compact serialization (RFC 7515 section 7.1) signed with
ES256 (RFC 7518 section 3.4: ECDSA P-256 over SHA-256, the signature as the 64-byte
``r || s``). :class:`AttestationSigner` writes it with ``cryptography`` directly: the
header segment is encoded once per signer, and each mint encodes only the claims and
signs. ``cryptography`` is not imported by ``import ath`` or by constructing a client
with an unencrypted PEM key (:mod:`ath._keycheck` checks it); it loads on the first
signature, so a process that only calls ``proxy()``/``api()`` never pays for it.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import os
import secrets
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Final, TypeAlias

from ath._errors import ATHClientError
from ath._keycheck import check_p256_pem
from ath._lazy import LazyModule

if TYPE_CHECKING:
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric import utils as ec_utils
else:  # cryptography is loaded by the first key operation, not by import ath
    hashes = LazyModule("cryptography.hazmat.primitives.hashes")
    serialization = LazyModule("cryptography.hazmat.primitives.serialization")
    ec = LazyModule("cryptography.hazmat.primitives.asymmetric.ec")
    ec_utils = LazyModule("cryptography.hazmat.primitives.asymmetric.utils")

__all__ = [
    "ATTESTATION_LIFETIME",
    "AttestationSigner",
    "PrivateKeyInput",
    "attestation_claims",
    "compact_json",
    "generate_private_key",
    "load_private_key",
    "parse_private_key",
    "public_jwk",
]

#: Seconds an attestation stays valid. Verifiers accept at most 5 minutes of skew.
ATTESTATION_LIFETIME: Final = 60

#: A PEM (str/bytes), the path of a PEM file, or a cryptography key object.
PrivateKeyInput: TypeAlias = "str | bytes | os.PathLike[str] | ec.EllipticCurvePrivateKey"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def generate_private_key() -> str:
    """A new EC P-256 private key as unencrypted PKCS#8 PEM (keep it secret)."""
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")


def _read_key_file(path: str | os.PathLike[str]) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read(1024 * 1024)
    except OSError as exc:
        # The path is not echoed: a PEM pasted without its header would end up here.
        raise ATHClientError(
            "INVALID_KEY",
            "private_key is neither a PEM private key nor the path of a readable key file "
            f"({type(exc).__name__}). Pass the PEM text, the path of a PEM file, or a "
            "cryptography key object.",
            details={"reason": type(exc).__name__},
        ) from None


def _looks_like_pem(value: str) -> bool:
    return "-----BEGIN" in value


def parse_private_key(
    private_key: PrivateKeyInput, password: str | bytes | None = None
) -> ec.EllipticCurvePrivateKey:
    """A PEM (str/bytes), the path of a PEM file, or a key object, as an EC P-256 key.

    ``password`` decrypts an encrypted PEM. Anything but EC P-256 is refused with
    ``INVALID_KEY``; the key material is never quoted in an error.
    """
    if password is not None and not isinstance(password, str | bytes):
        raise ATHClientError(
            "INVALID_ARGUMENT",
            f"private_key_password must be a str or bytes, got {type(password).__name__}",
        )
    secret = password.encode("utf-8") if isinstance(password, str) else password
    key: object
    if isinstance(private_key, os.PathLike) or (
        isinstance(private_key, str) and not _looks_like_pem(private_key)
    ):
        private_key = _read_key_file(private_key)
    if isinstance(private_key, str | bytes):
        data = (
            private_key.encode("ascii", "replace") if isinstance(private_key, str) else private_key
        )
        try:
            key = serialization.load_pem_private_key(data, password=secret)
        except TypeError as exc:  # encrypted without a password, or the other way round
            given = secret is not None
            raise ATHClientError(
                "INVALID_KEY" if not given else "INVALID_ARGUMENT",
                "private_key_password was given but the private key is not encrypted; drop it."
                if given
                else "private_key is an encrypted PEM: pass its password as "
                "private_key_password=... (or ath.load_private_key(path, password=...)).",
                details={"reason": type(exc).__name__},
            ) from None
        except ValueError as exc:
            # The library's message may quote the input; never echo key material.
            raise ATHClientError(
                "INVALID_KEY",
                (
                    "private_key could not be decrypted with private_key_password: the password "
                    "is wrong, or the PEM is damaged."
                    if secret is not None
                    else "private_key is not a PEM private key. Pass the PKCS#8 PEM of an EC "
                    "P-256 key (see ath.generate_private_key()), the path of a PEM file, or a "
                    "cryptography key object."
                ),
                details={"reason": type(exc).__name__},
            ) from None
    else:
        key = private_key
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ATHClientError(
            "INVALID_KEY",
            f"private_key is a {type(key).__name__}; ATH attestations are ES256 and need an "
            "EC P-256 private key.",
        )
    if not isinstance(key.curve, ec.SECP256R1):
        raise ATHClientError(
            "INVALID_KEY",
            f"private_key is on curve {key.curve.name}; ES256 requires P-256 (secp256r1). "
            "Generate one with ath.generate_private_key().",
        )
    return key


def load_private_key(
    path: str | os.PathLike[str], password: str | bytes | None = None
) -> ec.EllipticCurvePrivateKey:
    """Read an EC P-256 private key from a PEM file, decrypting it with ``password``.

    The result can be passed as ``private_key=`` to any client. Errors are
    ``INVALID_KEY`` (unreadable file, not a PEM key, wrong password, not P-256) or
    ``INVALID_ARGUMENT``, and never quote the key.
    """
    if not isinstance(path, str | os.PathLike):
        raise ATHClientError(
            "INVALID_ARGUMENT",
            f"load_private_key(path) takes a file path, got {type(path).__name__}",
        )
    return parse_private_key(_read_key_file(path), password)


def public_jwk(key: ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey) -> dict[str, str]:
    """The public half as an RFC 7517 JWK (kty, crv, x, y)."""
    public = key.public_key() if isinstance(key, ec.EllipticCurvePrivateKey) else key
    numbers = public.public_numbers()
    return _jwk_of(numbers.x, numbers.y)


def _jwk_of(x: int, y: int) -> dict[str, str]:
    return {
        "kty": "EC",
        "crv": "P-256",
        "x": _b64url(x.to_bytes(32, "big")),
        "y": _b64url(y.to_bytes(32, "big")),
    }


#: ``json.dumps(..., separators=(",", ":"))``'s encoder, built once rather than per call
_COMPACT: Final = json.JSONEncoder(separators=(",", ":"))


def attestation_claims(
    agent_id: str,
    audience: str,
    lifetime: int,
    now: int,
    capabilities: Sequence[str] | None = None,
) -> dict[str, Any]:
    """The claims of a fresh attestation (ATH v0.1): issued by and about ``agent_id``,
    for ``audience``, valid ``lifetime`` seconds from ``now``, a new 192-bit ``jti``."""
    claims: dict[str, Any] = {
        "iss": agent_id,
        "sub": agent_id,
        "aud": audience,
        "iat": now,
        "exp": now + lifetime,
        "jti": secrets.token_urlsafe(24),
    }
    if capabilities:
        claims["capabilities"] = list(capabilities)
    return claims


#: the C string encoder ``_COMPACT`` uses (``ensure_ascii``), called directly by
#: :func:`claims_json`
_ASCII_STRING: Final = json.encoder.encode_basestring_ascii


@functools.cache
def _es256() -> ec.ECDSA:
    """ES256's signature algorithm (ECDSA over SHA-256), built once per process on the
    first signature (its objects hold no state)."""
    return ec.ECDSA(hashes.SHA256())


def claims_json(agent_id: str, audience: str, lifetime: int, now: int) -> bytes:
    """``compact_json(attestation_claims(agent_id, audience, lifetime, now))`` byte for
    byte (same members, order and escaping; ``tests/credentials`` holds them equal),
    written out rather than built as a dict and run through the generic encoder: a
    fresh attestation goes with every signed request."""
    issuer = _ASCII_STRING(agent_id)
    return (
        '{"iss":%s,"sub":%s,"aud":%s,"iat":%d,"exp":%d,"jti":"%s"}'  # noqa: UP031
        % (issuer, issuer, _ASCII_STRING(audience), now, now + lifetime, secrets.token_urlsafe(24))
    ).encode("ascii")


def compact_json(value: object) -> bytes:
    """``value`` as the compact JSON the JWS parts carry (no spaces, UTF-8)."""
    return _COMPACT.encode(value).encode("utf-8")


def _thumbprint_of(x: int, y: int) -> str:
    """:func:`jwk_thumbprint` of :func:`_jwk_of` ``(x, y)``, its canonical JSON written
    out (members in RFC 7638's order; base64url needs no JSON escaping)."""
    canonical = '{"crv":"P-256","kty":"EC","x":"%s","y":"%s"}' % (  # noqa: UP031
        _b64url(x.to_bytes(32, "big")),
        _b64url(y.to_bytes(32, "big")),
    )
    return _b64url(hashlib.sha256(canonical.encode("ascii")).digest())


def jwk_thumbprint(jwk_dict: dict[str, str]) -> str:
    """RFC 7638 SHA-256 thumbprint of an EC JWK: a stable default key id."""
    canonical = json.dumps(
        {k: jwk_dict[k] for k in ("crv", "kty", "x", "y")}, separators=(",", ":"), sort_keys=True
    )
    return _b64url(hashlib.sha256(canonical.encode("ascii")).digest())


class AttestationSigner:
    """Mints attestation JWTs for one agent; the key is parsed once, on first use.

    A PEM key is checked at construction without ``cryptography``
    (:func:`ath._keycheck.check_p256_pem`); anything that check does not vouch for is
    loaded with ``cryptography`` right away, so invalid keys fail at construction.
    """

    __slots__ = (
        "_checked",
        "_clock",
        "_header",
        "_key",
        "_key_id",
        "_sign",
        "agent_id",
        "lifetime",
    )

    def __init__(
        self,
        private_key: PrivateKeyInput,
        agent_id: str,
        *,
        key_id: str | None = None,
        lifetime: int = ATTESTATION_LIFETIME,
        password: str | bytes | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not 1 <= lifetime <= 300:
            raise ATHClientError(
                "INVALID_ARGUMENT",
                "attestation lifetime must be between 1 and 300 seconds (verifiers reject more "
                "than 5 minutes).",
            )
        if password is None and (
            isinstance(private_key, os.PathLike)
            or (isinstance(private_key, str) and not _looks_like_pem(private_key))
        ):
            private_key = _read_key_file(private_key)
        self._checked = (
            check_p256_pem(private_key)
            if password is None and isinstance(private_key, str | bytes)
            else None
        )
        self._key: ec.EllipticCurvePrivateKey | None = None
        if self._checked is None:
            self._key = parse_private_key(private_key, password)
        self._header = b""  # the encoded JOSE header, set with the kid on the first mint
        self._sign: Callable[[bytes], tuple[int, int]] | None = None  # bound on first use
        self._key_id = key_id
        self.agent_id = agent_id
        self.lifetime = lifetime
        #: The wall clock of ``iat``/``exp`` (``time.time``; tests inject a verifier's).
        self._clock = clock

    def _private(self) -> ec.EllipticCurvePrivateKey:
        """The parsed key (parsed here on first use when construction only checked it)."""
        key = self._key
        if key is None:
            checked = self._checked
            assert checked is not None
            if checked.public_xy is None:
                key = parse_private_key(checked.pem)
            else:
                # the DER the check decoded already, loaded as is (cheaper than parsing the
                # PEM again or building the key from its numbers); cryptography refuses a
                # public point that does not belong to the scalar
                try:
                    loaded = serialization.load_der_private_key(checked.der, password=None)
                except ValueError:
                    raise ATHClientError(
                        "INVALID_KEY",
                        "private_key's embedded public key does not belong to its private "
                        "scalar; the key is corrupt. Generate a new one with "
                        "ath.generate_private_key().",
                    ) from None
                if not isinstance(loaded, ec.EllipticCurvePrivateKey):  # the check saw P-256
                    raise ATHClientError("INVALID_KEY", "private_key is not an EC P-256 key")
                key = loaded
            self._key, self._checked = key, None
        return key

    @property
    def key_id(self) -> str:
        """The ``kid``: as given, else the RFC 7638 thumbprint of the public key."""
        if self._key_id is None:
            checked = self._checked
            if checked is not None and checked.public_xy is not None:
                self._key_id = _thumbprint_of(*checked.public_xy)
            else:
                self._key_id = jwk_thumbprint(public_jwk(self._private()))
        return self._key_id

    @property
    def public_key(self) -> ec.EllipticCurvePublicKey:
        return self._private().public_key()

    @property
    def public_jwk(self) -> dict[str, str]:
        """The public key as an RFC 7517 JWK, as the identity document publishes it."""
        checked = self._checked
        if checked is not None and checked.public_xy is not None:
            return _jwk_of(*checked.public_xy)
        return public_jwk(self._private())

    def sign(self, data: bytes) -> bytes:
        """The ES256 signature of ``data`` as the 64 bytes ``r || s`` (:class:`ath.Signer`)."""
        sign = self._sign or self._bind()
        r, s = sign(data)
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")

    def mint(self, audience: str, *, capabilities: Sequence[str] | None = None) -> str:
        """A fresh ES256 JWT for ``audience``: new 192-bit ``jti`` every call."""
        sign = self._sign or self._bind()
        now = int(self._clock())
        if capabilities or type(self.lifetime) is not int:
            claims = attestation_claims(self.agent_id, audience, self.lifetime, now, capabilities)
            payload = compact_json(claims)
        else:
            payload = claims_json(self.agent_id, audience, self.lifetime, now)
        signing_input = self._header + b"." + base64.urlsafe_b64encode(payload).rstrip(b"=")
        r, s = sign(signing_input)
        signature = base64.urlsafe_b64encode(r.to_bytes(32, "big") + s.to_bytes(32, "big"))
        return (signing_input + b"." + signature.rstrip(b"=")).decode("ascii")

    def _bind(self) -> Callable[[bytes], tuple[int, int]]:
        """Parse the key, encode the header and bind the signing call (first mint):
        ``sign(signing_input)`` is the ES256 signature as the integers ``(r, s)``."""
        # {"alg", "kid", "typ"} with sorted keys, as json.dumps(sort_keys=True) writes it
        kid = _ASCII_STRING(self.key_id)  # as json.dumps writes a string
        encoded = ('{"alg":"ES256","kid":%s,"typ":"JWT"}' % kid).encode()  # noqa: UP031
        self._header = base64.urlsafe_b64encode(encoded).rstrip(b"=")
        key = self._private()
        algorithm = _es256()
        decode = ec_utils.decode_dss_signature

        def sign(data: bytes) -> tuple[int, int]:
            r, s = decode(key.sign(data, algorithm))
            return r, s

        self._sign = sign
        return sign

    def __repr__(self) -> str:
        return (
            f"AttestationSigner(agent_id={self.agent_id!r}, key_id={self.key_id!r}, key=<hidden>)"
        )
