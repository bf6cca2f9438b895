"""Cheap clients, keys: a key checked at construction without ``cryptography``,
``cryptography`` loaded only when the client first signs (so a proxy-only process never
loads it), and no JOSE library at all; what the cheap check accepts, cryptography loads."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import given, settings
from hypothesis import strategies as st

from ath import ATHError, AttestationSigner, generate_private_key
from ath._attestation import jwk_thumbprint, public_jwk
from ath._keycheck import check_p256_pem

URL = "https://gateway.example.com"
AGENT = "https://agent.example.com/.well-known/agent.json"


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _pem(key: ec.EllipticCurvePrivateKey, fmt: serialization.PrivateFormat) -> str:
    return key.private_bytes(serialization.Encoding.PEM, fmt, serialization.NoEncryption()).decode(
        "ascii"
    )


def _armour(der: bytes, label: str = "PRIVATE KEY") -> str:
    body = base64.encodebytes(der).decode("ascii")
    return f"-----BEGIN {label}-----\n{body}-----END {label}-----\n"


def _der(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _point(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )


def test_proxy_only_process_never_loads_cryptography_or_jose(tmp_path: Path) -> None:
    """A real process: import, construct (key checked), read key_id; nothing heavy
    loaded (nor the generated client, which only the ATH calls need). The first
    signature loads cryptography alone and gives the same key id."""
    key = _key()
    expected = jwk_thumbprint(public_jwk(key))
    code = f"""
import json, sys
import ath
pem = {_pem(key, serialization.PrivateFormat.PKCS8)!r}
client = ath.ATHGatewayClient({URL!r}, {AGENT!r}, pem)
heavy = lambda: sorted(
    {{m.split(".")[0] for m in sys.modules}} & {{"cryptography", "jose", "ath_sdk_client"}}
)
before, kid = heavy(), client.key_id
jwt = client.mint_attestation()
print(json.dumps({{"before": before, "after": heavy(), "kid": kid, "jwt": jwt}}))
"""
    done = subprocess.run(  # noqa: S603 - this interpreter
        [sys.executable, "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    out = json.loads(done.stdout)
    assert out["before"] == []
    assert out["after"] == ["cryptography"]  # and no JOSE library: the SDK signs itself
    assert out["kid"] == expected
    header = json.loads(base64.urlsafe_b64decode(out["jwt"].split(".")[0] + "=="))
    assert header["kid"] == expected and header["alg"] == "ES256"


@pytest.mark.parametrize(
    "fmt",
    [serialization.PrivateFormat.PKCS8, serialization.PrivateFormat.TraditionalOpenSSL],
    ids=["pkcs8", "sec1"],
)
def test_cheap_check_accepts_both_pem_forms_with_the_same_key_id(
    fmt: serialization.PrivateFormat,
) -> None:
    key = _key()
    pem = _pem(key, fmt)
    assert check_p256_pem(pem) is not None
    signer = AttestationSigner(pem, AGENT)
    assert signer.key_id == jwk_thumbprint(public_jwk(key))
    assert signer.public_key.public_numbers() == key.public_key().public_numbers()


def _tlv(tag: int, body: bytes) -> bytes:
    length = bytes([len(body)]) if len(body) < 0x80 else bytes([0x81, len(body)])
    return bytes([tag]) + length + body


def _scalar_only_pkcs8(scalar: bytes) -> bytes:
    """PKCS#8 of a P-256 key with no embedded public point (RFC 5915 allows that)."""
    algorithm = _tlv(
        0x30, bytes.fromhex("06072a8648ce3d0201") + bytes.fromhex("06082a8648ce3d030107")
    )
    inner = _tlv(0x30, b"\x02\x01\x01" + _tlv(0x04, scalar))
    return _tlv(0x30, b"\x02\x01\x00" + algorithm + _tlv(0x04, inner))


def test_key_without_embedded_public_point_still_gets_its_key_id() -> None:
    key = _key()
    pem = _armour(_scalar_only_pkcs8(key.private_numbers().private_value.to_bytes(32, "big")))
    assert serialization.load_pem_private_key(pem.encode(), None) is not None
    checked = check_p256_pem(pem)
    assert checked is not None and checked.public_xy is None
    assert AttestationSigner(pem, AGENT).key_id == jwk_thumbprint(public_jwk(key))


def test_scalar_out_of_range_is_refused_at_construction() -> None:
    der = bytearray(_der(_key()))
    scalar_at = der.index(b"\x04\x20") + 2
    der[scalar_at : scalar_at + 32] = bytes.fromhex(
        "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551"
    )  # the group order n: no valid private key
    with pytest.raises(ATHError) as info:
        AttestationSigner(_armour(bytes(der)), AGENT)
    assert info.value.code == "INVALID_KEY"


def test_public_point_of_another_key_is_refused_at_first_signature() -> None:
    """The one thing the cheap check cannot see (it would need a scalar multiplication):
    the first signature parses the key and refuses it; no token is minted."""
    key, other = _key(), _key()
    pem = _armour(_der(key).replace(_point(key), _point(other)))
    signer = AttestationSigner(pem, AGENT)
    with pytest.raises(ATHError) as info:
        signer.mint("https://gateway.example.com")
    assert info.value.code == "INVALID_KEY"
    assert "BEGIN" not in info.value.message


def test_encrypted_pem_is_not_vouched_for_by_the_cheap_check() -> None:
    pem = _key().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"pw"),
    )
    assert check_p256_pem(pem) is None
    with pytest.raises(ATHError) as info:
        AttestationSigner(pem, AGENT)
    assert info.value.code == "INVALID_KEY"


_VALID_DER = _der(_key())
_SCALAR_AT = _VALID_DER.index(b"\x04\x20") + 2


@settings(max_examples=300, deadline=None)
@given(
    st.integers(min_value=0, max_value=len(_VALID_DER) - 1),
    st.integers(min_value=1, max_value=255),
)
def test_whatever_the_cheap_check_accepts_cryptography_loads(at: int, xor: int) -> None:
    """Single-byte corruptions of a valid key: what the cheap check accepts is a key
    cryptography loads, or (a changed scalar, now not matching the embedded public
    point) one whose scalar alone is a valid key and which the first signature refuses."""
    mutated = bytearray(_VALID_DER)
    mutated[at] ^= xor
    pem = _armour(bytes(mutated))
    if check_p256_pem(pem) is None:
        return
    try:
        serialization.load_pem_private_key(pem.encode(), None)
    except ValueError:
        scalar = bytes(mutated[_SCALAR_AT : _SCALAR_AT + 32])
        serialization.load_der_private_key(_scalar_only_pkcs8(scalar), None)
        with pytest.raises(ATHError) as info:
            AttestationSigner(pem, AGENT).mint("https://gateway.example.com")
        assert info.value.code == "INVALID_KEY"


def test_jwk_thumbprint_is_public_and_is_the_default_key_id() -> None:
    """``ath.jwk_thumbprint`` (RFC 7638) is the kid a client signs with when no ``key_id=``
    is given: what an agent puts in the identity document it serves (and `ath keygen`
    prints)."""
    import ath

    pem = ath.generate_private_key()
    thumbprint = ath.jwk_thumbprint(ath.public_jwk(ath.AttestationSigner(pem, AGENT).public_key))
    with ath.ATHGatewayClient("http://127.0.0.1:9", AGENT, pem) as client:
        assert client.key_id == thumbprint
    assert len(thumbprint) == 43 and "=" not in thumbprint  # base64url of a SHA-256, unpadded
    assert "jwk_thumbprint" in ath.__all__


@settings(max_examples=25, deadline=None)
@given(st.text(min_size=1, max_size=12))
def test_the_written_out_header_and_thumbprint_are_what_json_dumps_writes(kid: str) -> None:
    """The JOSE header and the default kid are written out rather than through
    json.dumps: byte for byte what json.dumps(sort_keys=True, compact) writes, for any
    ``key_id`` (quotes, backslashes, non-ASCII) and for the RFC 7638 thumbprint."""
    pem = generate_private_key()
    for signer in (AttestationSigner(pem, AGENT, key_id=kid), AttestationSigner(pem, AGENT)):
        header_b64 = signer.mint("https://gateway.example.com").split(".")[0]
        header = base64.urlsafe_b64decode(header_b64 + "=" * (-len(header_b64) % 4))
        expected = {"alg": "ES256", "kid": signer.key_id, "typ": "JWT"}
        assert header == json.dumps(expected, separators=(",", ":"), sort_keys=True).encode()
    assert signer.key_id == jwk_thumbprint(public_jwk(signer.public_key))
