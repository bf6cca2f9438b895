"""Per-JWT cost of ``AttestationSigner.mint`` against a hand-rolled ES256 JWT.

The baseline is the plain way to write it by hand, per token: the same header and
claims (``iat``/``exp``/fresh ``jti``) as compact JSON, base64url, one
``key.sign(data, ECDSA(SHA256()))`` with ``cryptography``, DER to raw ``r||s``,
base64url. The key is parsed once on both sides, and both outputs are verified
once, untimed, so the comparison is between two interchangeable tokens. Each mint
is timed on its own; the figure is the median per JWT.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from typing import Any, Final

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from ath import AttestationSigner
from bench._micro import Pair, interleaved
from bench._stats import Deadline, median, ratio_noise

LIFETIME: Final = 60


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class RawSigner:
    """The baseline: raw ``cryptography`` ES256, nothing else."""

    def __init__(self, pem: str, agent_id: str, key_id: str) -> None:
        key = serialization.load_pem_private_key(pem.encode("ascii"), password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise TypeError("an EC key is needed")
        self.key = key
        self.agent_id = agent_id
        self.key_id = key_id

    def mint(self, audience: str) -> str:
        now = int(time.time())
        header = {"alg": "ES256", "typ": "JWT", "kid": self.key_id}
        claims = {
            "iss": self.agent_id,
            "sub": self.agent_id,
            "aud": audience,
            "iat": now,
            "exp": now + LIFETIME,
            "jti": secrets.token_urlsafe(24),
        }
        head = _b64url(json.dumps(header, separators=(",", ":")).encode())
        payload = _b64url(json.dumps(claims, separators=(",", ":")).encode())
        signing_input = f"{head}.{payload}"
        der = self.key.sign(signing_input.encode("ascii"), ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        return f"{signing_input}.{_b64url(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def verify(token: str, public: ec.EllipticCurvePublicKey, audience: str) -> dict[str, Any]:
    """Check an ES256 JWT's signature and audience (raises on failure); its claims."""
    header_b64, payload_b64, sig_b64 = token.split(".")
    header = json.loads(_b64url_decode(header_b64))
    raw = _b64url_decode(sig_b64)
    if header.get("alg") != "ES256" or len(raw) != 64:
        raise RuntimeError("not an ES256 JWT")
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    public.verify(der, f"{header_b64}.{payload_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    claims: dict[str, Any] = json.loads(_b64url_decode(payload_b64))
    if claims.get("aud") != audience:
        raise RuntimeError("wrong audience")
    return claims


def attestation_round(
    pem: str, agent_id: str, audience: str, *, count: int, deadline: Deadline
) -> Pair:
    """Median seconds per JWT, ours vs baseline, ``count`` each in alternating blocks."""
    ours = AttestationSigner(pem, agent_id)
    base = RawSigner(pem, agent_id, ours.key_id)
    # Both outputs must verify, with the same claim names, before anything is timed.
    mine = verify(ours.mint(audience), ours.public_key, audience)
    theirs = verify(base.mint(audience), ours.public_key, audience)
    if set(mine) != set(theirs):
        raise RuntimeError(f"claims differ: {sorted(mine)} vs {sorted(theirs)}")
    for _ in range(20):
        ours.mint(audience)
        base.mint(audience)
    ours_ns, base_ns = interleaved(
        lambda: ours.mint(audience),
        lambda: base.mint(audience),
        calls=count,
        block=200,
        deadline=deadline,
    )
    return Pair(median(ours_ns) / 1e9, median(base_ns) / 1e9, ratio_noise(ours_ns, base_ns))
