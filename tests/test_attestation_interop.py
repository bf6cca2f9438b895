"""The SDK writes its ES256 attestations itself (on ``cryptography``); an independent
JOSE implementation (python-jose) must read every one exactly as the SDK meant it."""

from __future__ import annotations

import base64
import json

import pytest
from jose import jwk, jws

from ath import AttestationSigner, generate_private_key, public_jwk

AGENT = "https://agent.example/agents/a/.well-known/agent.json"


def _segment(token: str, index: int) -> dict[str, object]:
    part = token.split(".")[index]
    decoded: dict[str, object] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return decoded


@pytest.mark.parametrize("key_id", [None, "key-1"])
@pytest.mark.parametrize("capabilities", [None, ["read", "wrïte"]])
def test_python_jose_verifies_every_attestation(
    key_id: str | None, capabilities: list[str] | None
) -> None:
    signer = AttestationSigner(generate_private_key(), AGENT, key_id=key_id)
    verifier = jwk.construct(public_jwk(signer.public_key), "ES256")
    tokens = {signer.mint("https://gw.example", capabilities=capabilities) for _ in range(20)}
    assert len(tokens) == 20  # a new jti every time
    for token in tokens:
        assert token.count(".") == 2 and "=" not in token
        claims = json.loads(jws.verify(token, verifier, algorithms=["ES256"]))
        assert _segment(token, 0) == {"alg": "ES256", "kid": signer.key_id, "typ": "JWT"}
        assert claims["iss"] == claims["sub"] == AGENT
        assert claims["aud"] == "https://gw.example"
        assert claims["exp"] - claims["iat"] == signer.lifetime
        assert claims.get("capabilities") == capabilities
        raw = base64.urlsafe_b64decode(token.split(".")[2] + "==")
        assert len(raw) == 64  # r || s, not DER


def test_a_tampered_attestation_fails_independent_verification() -> None:
    signer = AttestationSigner(generate_private_key(), AGENT)
    verifier = jwk.construct(public_jwk(signer.public_key), "ES256")
    header, payload, signature = signer.mint("https://gw.example").split(".")
    forged = (
        base64.urlsafe_b64encode(
            json.dumps(
                {**_segment(f"{header}.{payload}.x", 1), "aud": "https://evil.example"}
            ).encode()
        )
        .rstrip(b"=")
        .decode()
    )
    with pytest.raises(jws.JWSError):
        jws.verify(f"{header}.{forged}.{signature}", verifier, algorithms=["ES256"])
