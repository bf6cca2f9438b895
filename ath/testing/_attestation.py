"""Verification of agent attestations (compact JWS, ES256).

Checks, in order: the JWS shape; ``alg`` is ES256 (anything else, ``none``
included, is refused); the claims ``iss``, ``sub``, ``aud``, ``iat``, ``exp`` and
``jti`` are present; ``typ``, when present, is ``JWT``; ``sub`` is the expected
agent; ``aud`` names this verifier;
``exp`` has not passed; ``iat`` is within five minutes of now; the signature
verifies with the public key of the agent identity document fetched over HTTP from
``sub`` (cached for at most five minutes, specification/0.1 client/identity.mdx; a
signature that fails with a cached key makes it fetch the document again, at most once
per agent_id per minute counted from the last fetch);
and the ``jti`` was not seen before (kept until the attestation expires). Every
failure is ``INVALID_ATTESTATION`` with ``details.reason``.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from ._agent_hosting import public_key_from_jwk
from ._errors import ATHHTTPError, ErrorCode
from ._primitives import Clock, b64url_decode
from ._runner import HttpPool

__all__ = ["Attestation", "AttestationVerifier"]

MAX_CLOCK_SKEW = 300.0
REFETCH_INTERVAL = 60.0  # identity documents: at most one re-fetch per agent_id per minute
KEY_CACHE_TTL = 300.0  # identity documents are cached for at most five minutes
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
_REQUIRED_CLAIMS = ("iss", "sub", "aud", "iat", "exp", "jti")


@dataclass(frozen=True)
class Attestation:
    """The verified claims of an attestation."""

    agent_id: str
    issuer: str
    jti: str
    issued_at: float
    expires_at: float
    claims: dict[str, Any]


def _reject(reason: str, message: str) -> ATHHTTPError:
    return ATHHTTPError(ErrorCode.INVALID_ATTESTATION, message, details={"reason": reason})


def _json_segment(segment: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(b64url_decode(segment))
    except ValueError:
        raise _reject("malformed", f"attestation {what} is not base64url JSON") from None
    if not isinstance(value, dict):
        raise _reject("malformed", f"attestation {what} is not a JSON object")
    return value


#: The longest agent name kept for the consent page (characters).
MAX_NAME = 120


class AttestationVerifier:
    """Verifies attestations for one ATH implementer; owns its key cache and its
    ``jti`` replay cache."""

    def __init__(
        self, clock: Clock, http: HttpPool, broken_rules: frozenset[str] = frozenset()
    ) -> None:
        self._broken = broken_rules
        self._clock = clock
        self._http = http
        self._keys: dict[str, tuple[ec.EllipticCurvePublicKey, float]] = {}
        self.key_cache_ttl = float("inf") if "KEY-TTL" in broken_rules else KEY_CACHE_TTL
        #: Identity documents fetched, for tests and operators: agent_id -> count.
        self.fetches: dict[str, int] = {}
        #: The ``name`` of each agent's identity document as last fetched (the consent
        #: page shows it): agent_id -> name.
        self.names: dict[str, str] = {}
        self._fetched_at: dict[str, float] = {}
        self._seen_jti: dict[tuple[str, str], float] = {}

    async def verify(
        self, token: object, *, audience: str | None, agent_id: str | None
    ) -> Attestation:
        """Verify ``token`` for ``audience``, issued by ``agent_id``. ``None`` for either
        skips that check: only a stack breaking a conformance rule on purpose passes it."""
        if not isinstance(token, str) or token.count(".") != 2:
            raise _reject("malformed", "agent_attestation must be a compact JWS")
        head_b64, body_b64, sig_b64 = token.split(".")
        header = _json_segment(head_b64, "header")
        claims = _json_segment(body_b64, "payload")
        alg_ok = header.get("alg") == "ES256"
        if not alg_ok and self._keeps("ATT-ALG"):
            raise _reject("alg", "attestation must be signed with ES256")
        if "typ" in header and str(header["typ"]).upper() != "JWT":
            raise _reject("typ", "attestation typ must be JWT")
        if not self._keeps("ATT-CLAIMS"):
            claims.setdefault("jti", secrets.token_urlsafe(8))
        missing = [name for name in _REQUIRED_CLAIMS if name not in claims]
        if missing:
            raise _reject("missing_claims", f"attestation lacks claims: {', '.join(missing)}")
        sub, iss, jti = claims["sub"], claims["iss"], claims["jti"]
        iat, exp = claims["iat"], claims["exp"]
        if not all(isinstance(v, str) and v for v in (sub, iss, jti)):
            raise _reject("malformed", "iss, sub and jti must be non-empty strings")
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (iat, exp)):
            raise _reject("malformed", "iat and exp must be numbers")
        if agent_id is not None and sub != agent_id:
            raise _reject("sub", "attestation sub does not name the agent")
        if not _issuer_matches(iss, sub):
            raise _reject("iss", "attestation iss must be the agent_id or the agent's domain")
        if audience is not None and not _audience_matches(claims["aud"], audience):
            raise _reject("aud", f"attestation aud must be {audience}")
        now = self._clock.now()
        if exp <= now and self._keeps("ATT-EXP"):
            raise _reject("expired", "attestation has expired")
        if abs(now - iat) > MAX_CLOCK_SKEW and self._keeps("ATT-IAT"):
            raise _reject("iat", "attestation iat is more than five minutes from now")
        if alg_ok and self._keeps("ATT-SIG"):
            await self._check_signature(sub, head_b64, body_b64, sig_b64)
        self._forget_expired(now)
        key = (sub, jti)
        if key in self._seen_jti and self._keeps("ATT-JTI"):
            raise _reject("replay", "attestation jti was already used")
        self._seen_jti[key] = float(exp)
        return Attestation(sub, iss, jti, float(iat), float(exp), claims)

    def _keeps(self, rule: str) -> bool:
        return rule not in self._broken

    async def _check_signature(self, sub: str, head_b64: str, body_b64: str, sig: str) -> None:
        try:
            raw_sig = b64url_decode(sig)
        except ValueError:
            raise _reject("malformed", "attestation signature is not base64url") from None
        if len(raw_sig) != 64:
            raise _reject("signature", "ES256 signature must be 64 bytes (r || s)")
        der = encode_dss_signature(
            int.from_bytes(raw_sig[:32], "big"), int.from_bytes(raw_sig[32:], "big")
        )
        signed = f"{head_b64}.{body_b64}".encode("ascii")
        if not await self._signature_ok(sub, der, signed):
            raise _reject("signature", "attestation signature does not verify")

    async def _signature_ok(self, agent_id: str, der: bytes, signed: bytes) -> bool:
        cached = self._keys.get(agent_id)
        if cached is not None and self._clock.now() - cached[1] >= self.key_cache_ttl:
            cached = None  # older than the cache may keep it: fetch the document again
        if cached is None:
            return _verifies(await self._fetch_key(agent_id), der, signed)
        if _verifies(cached[0], der, signed):
            return True
        if not self._keeps("KEY-ROTATE"):
            return False
        # A mismatch: the agent may have rotated its key. Fetch again, but at most once
        # per agent_id per minute, so forged attestations cannot make us hammer it.
        if self._clock.now() - self._fetched_at.get(agent_id, cached[1]) < REFETCH_INTERVAL:
            return False
        return _verifies(await self._fetch_key(agent_id), der, signed)

    async def _fetch_key(self, agent_id: str) -> ec.EllipticCurvePublicKey:
        parts = urlsplit(agent_id)
        if parts.scheme not in ("http", "https") or parts.hostname not in _LOOPBACK_HOSTS:
            raise _reject(
                "agent_id",
                "the local stack fetches agent identity documents from loopback URLs only "
                "(host agents with LocalStack.host_agent)",
            )
        self.fetches[agent_id] = self.fetches.get(agent_id, 0) + 1
        self._fetched_at[agent_id] = self._clock.now()
        try:
            response = await self._http.client.get(agent_id, headers={"Accept": "application/json"})
        except httpx2.HTTPError:
            raise _reject("unreachable", "agent identity document could not be fetched") from None
        if response.status_code != 200:
            raise _reject("unreachable", f"agent identity document: HTTP {response.status_code}")
        try:
            doc = response.json()
        except ValueError:
            raise _reject("document", "agent identity document is not JSON") from None
        if not isinstance(doc, dict) or doc.get("agent_id") != agent_id:
            raise _reject("document", "agent identity document does not describe this agent_id")
        public = _document_key(doc.get("public_key"))
        self._keys[agent_id] = (public, self._clock.now())
        name = doc.get("name")
        if isinstance(name, str) and name.strip():
            self.names[agent_id] = name.strip()[:MAX_NAME]
        return public

    def _forget_expired(self, now: float) -> None:
        expired = [key for key, exp in self._seen_jti.items() if exp <= now]
        for key in expired:
            del self._seen_jti[key]


def _issuer_matches(iss: str, agent_id: str) -> bool:
    """``iss``: specification/0.1 says "the agent's domain" but shows an origin, and agents
    send their full agent_id; the stack accepts the agent_id, its origin or its host."""
    parts = urlsplit(agent_id)
    return iss.rstrip("/") in (agent_id, f"{parts.scheme}://{parts.netloc}", parts.netloc)


def _audience_matches(aud: object, expected: str) -> bool:
    candidates = aud if isinstance(aud, list) else [aud]
    want = expected.rstrip("/")
    return any(isinstance(c, str) and c.rstrip("/") == want for c in candidates)


def _document_key(value: object) -> ec.EllipticCurvePublicKey:
    try:
        if isinstance(value, dict):
            return public_key_from_jwk(value)
        if isinstance(value, str):
            public = serialization.load_pem_public_key(value.encode("ascii"))
            if isinstance(public, ec.EllipticCurvePublicKey) and isinstance(
                public.curve, ec.SECP256R1
            ):
                return public
    except ValueError:
        pass
    raise _reject("document", "agent public_key must be an EC P-256 JWK or PEM")


def _verifies(public: ec.EllipticCurvePublicKey, der: bytes, signed: bytes) -> bool:
    try:
        public.verify(der, signed, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True
