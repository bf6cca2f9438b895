"""Agent keys and the ES256 attestations signed with them: claims, signature, ``kid`` and
``jti``, the keys refused, the identity document, and (hypothesis; every example counts in
the ``properties`` tally) the claims of each endpoint's attestation for any base URL.
"""

from __future__ import annotations

import json
import time
from typing import Any

import httpx2
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from hypothesis import given
from hypothesis import strategies as st

from ath import (
    ATHError,
    ATHGatewayClient,
    ATHNativeClient,
    AttestationSigner,
    agent_identity_document,
    generate_private_key,
)
from ath._attestation import (
    attestation_claims,
    claims_json,
    compact_json,
    jwk_thumbprint,
    public_jwk,
)
from tests._report import tally
from tests._support.faults import AGENT_ID
from tests._support.props import ANY_TEXT, PROPS, b64url_decode, example
from tests._support.servers import DEVELOPER, FakeATH, callback_url

AGENT = "https://agent.example.com/.well-known/agent.json"


def verify_jwt(token: str, public_key: ec.EllipticCurvePublicKey) -> tuple[dict[str, Any], Any]:
    header_b64, claims_b64, sig_b64 = token.split(".")
    sig = b64url_decode(sig_b64)
    assert len(sig) == 64
    der = encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
    public_key.verify(der, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    return json.loads(b64url_decode(header_b64)), json.loads(b64url_decode(claims_b64))


# --------------------------------------------------------------------------- keys / JWT


def test_attestation_claims_and_signature() -> None:
    pem = generate_private_key()
    signer = AttestationSigner(pem, AGENT, key_id="k1")
    before = int(time.time())  # iat is whole seconds, taken between these two readings
    token = signer.mint("https://gw.example.com/ath/token")
    after = time.time()
    header, claims = verify_jwt(token, signer.public_key)
    assert header == {"alg": "ES256", "typ": "JWT", "kid": "k1"}
    assert claims["iss"] == AGENT and claims["sub"] == AGENT
    assert claims["aud"] == "https://gw.example.com/ath/token"
    iat, exp = claims["iat"], claims["exp"]
    assert isinstance(iat, int) and isinstance(exp, int)
    assert before <= iat <= after and 0 < exp - iat <= 300
    jti = claims["jti"]
    assert isinstance(jti, str) and len(b64url_decode(jti)) >= 16


@PROPS
@given(ANY_TEXT, ANY_TEXT, st.integers(1, 300), st.integers(0, 2**40))
def test_written_claims_are_the_compact_json_of_the_claims(
    agent_id: str, audience: str, lifetime: int, now: int
) -> None:
    """The claims a mint writes out are, byte for byte, the compact JSON of the claims
    dict (escaping of any text included); only the jti, random, differs per call."""
    written = claims_json(agent_id, audience, lifetime, now)
    claims = attestation_claims(agent_id, audience, lifetime, now)
    claims["jti"] = json.loads(written)["jti"]
    assert written == compact_json(claims)
    assert len(b64url_decode(claims["jti"])) == 24


def test_attestation_jti_unique_and_default_kid_is_thumbprint() -> None:
    signer = AttestationSigner(generate_private_key(), AGENT)
    jtis = {verify_jwt(signer.mint("aud"), signer.public_key)[1]["jti"] for _ in range(200)}
    assert len(jtis) == 200
    assert len(b64url_decode(signer.key_id)) == 32  # RFC 7638 SHA-256 thumbprint
    assert "PRIVATE" not in repr(signer)


def test_key_object_accepted() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    signer = AttestationSigner(key, AGENT)
    verify_jwt(signer.mint("a"), key.public_key())


@pytest.mark.parametrize(
    "make",
    [
        lambda: ec.generate_private_key(ec.SECP384R1()),
        lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048),
        lambda: "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n",
        lambda: b"garbage",
    ],
    ids=["p384", "rsa", "bad-pem", "garbage"],
)
def test_non_p256_keys_refused(make: object) -> None:
    key = make()  # type: ignore[operator]
    if not isinstance(key, str | bytes):
        key = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
    with pytest.raises(ATHError) as info:
        AttestationSigner(key, AGENT)
    assert info.value.code == "INVALID_KEY"
    assert "BEGIN" not in info.value.message


def test_identity_document_has_public_jwk_only() -> None:
    pem = generate_private_key()
    doc = agent_identity_document(
        agent_id=AGENT, name="Bot", developer={"name": "Acme", "id": "acme"}, private_key=pem
    )
    assert doc["agent_id"] == AGENT and doc["ath_version"] == "0.1"
    jwk = doc["public_key"]
    assert jwk["kty"] == "EC" and jwk["crv"] == "P-256" and "d" not in jwk
    assert "PRIVATE" not in json.dumps(doc)


# --------------------------------------------------------------------------- per endpoint

HOSTS = st.sampled_from(["127.0.0.1", "127.0.0.2", "localhost", "[::1]", "gw.localhost"])
BASES = st.builds(
    lambda host, port, segments, slash: (
        f"https://{host}{port}/{'/'.join(segments)}" + ("/" if slash and segments else "")
    ),
    HOSTS,
    st.sampled_from(["", ":443", ":8443", ":1"]),
    st.lists(st.from_regex(r"[a-z0-9][a-z0-9_-]{0,9}", fullmatch=True), max_size=3),
    st.booleans(),
)


class Attestations:
    def __init__(self, pem: str) -> None:
        self.pem = pem
        self.public_key = AttestationSigner(pem, AGENT_ID).public_key
        self.jtis: set[str] = set()


@pytest.fixture(scope="module")
def attestations(pem: str) -> Attestations:
    return Attestations(pem)


@PROPS
@given(base=BASES, native=st.booleans())
def test_attestation_claims_per_endpoint(
    base: str, native: bool, attestations: Attestations
) -> None:
    example()
    fake = FakeATH(AGENT_ID, base)
    cls: Any = ATHNativeClient if native else ATHGatewayClient
    provider = "acme-app" if native else "github"
    with cls(
        url=base, agent_id=AGENT_ID, private_key=attestations.pem, transport=fake.transport()
    ) as client:
        # normalised once: https's default port is dropped (scheme and host are lowercase)
        expected_base = base.rstrip("/").replace(":443", "", 1)
        assert client.url == expected_base
        client.register(DEVELOPER, [{"provider_id": provider, "scopes": ["read:user"]}])
        auth = client.authorize(provider, ["read:user"])
        client.exchange_token("code-1", auth.ath_session_id)
        auth = client.authorize(provider, ["read:user"])
        client.finish_authorization(callback_url(auth.state), auth.ath_session_id)
        key_id = client.key_id
    audiences = {
        "/ath/agents/register": expected_base,
        "/ath/authorize": expected_base,
        "/ath/token": expected_base + "/ath/token",
    }
    checked = 0
    for request in fake.requests:
        body = json.loads(request.content) if request.content else {}
        token = body.get("agent_attestation")
        suffix = request.url.path[len(httpx2.URL(expected_base).path.rstrip("/")) :]
        if suffix not in audiences:
            continue
        assert token, f"{suffix} carries no attestation"
        header, claims = verify_jwt(token, attestations.public_key)
        assert header == {"alg": "ES256", "kid": key_id, "typ": "JWT"}
        assert key_id == jwk_thumbprint(public_jwk(attestations.public_key))
        assert claims["aud"] == audiences[suffix], (suffix, claims["aud"])
        assert claims["iss"] == claims["sub"] == AGENT_ID
        assert 0 < claims["exp"] - claims["iat"] <= 300
        assert isinstance(claims["jti"], str) and claims["jti"] not in attestations.jtis
        attestations.jtis.add(claims["jti"])
        checked += 1
    assert checked == 5  # register, 2 x authorize, exchange_token, finish_authorization


def test_jti_unique_over_ten_thousand_mints(pem: str) -> None:
    signer = AttestationSigner(pem, AGENT_ID)
    public_key = signer.public_key
    jtis = set()
    for index in range(10_000):
        token = signer.mint("https://127.0.0.1:9")
        if index % 1000 == 0:
            verify_jwt(token, public_key)
        jtis.add(json.loads(b64url_decode(token.split(".")[1]))["jti"])
    assert len(jtis) == 10_000
    assert all(len(b64url_decode(j)) * 8 >= 128 for j in list(jtis)[:100])
    tally("properties")["examples"] += 10_000
