"""Unit tests of the facade's pure parts: PKCE, state, attestation, keys, paths, retries."""

from __future__ import annotations

import base64
import json
import os
import stat
import time
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from ath import (
    ATHError,
    AttestationSigner,
    PKCEPair,
    RetryPolicy,
    agent_identity_document,
    code_challenge_s256,
    generate_code_verifier,
    generate_private_key,
    generate_state,
    parse_callback,
)
from ath._errormap import error_from_response
from ath._pkce import states_equal
from ath._retry import parse_retry_after
from ath._validation import check_authorization_url, check_relative_path

AGENT = "https://agent.example.com/.well-known/agent.json"


def _b64d(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def verify_es256(token: str, public_key: ec.EllipticCurvePublicKey) -> dict[str, object]:
    header_b64, claims_b64, sig_b64 = token.split(".")
    sig = _b64d(sig_b64)
    assert len(sig) == 64
    der = encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
    public_key.verify(der, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    header = json.loads(_b64d(header_b64))
    claims: dict[str, object] = json.loads(_b64d(claims_b64))
    claims["_header"] = header
    return claims


# ------------------------------------------------------------------------ PKCE / state


def test_pkce_rfc7636_appendix_b_vector() -> None:
    assert (
        code_challenge_s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
        == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    )


@pytest.mark.parametrize("length", [43, 64, 128])
def test_pkce_verifier_alphabet_and_length(length: int) -> None:
    verifier = generate_code_verifier(length)
    assert len(verifier) == length
    assert set(verifier) <= set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
    )
    pair = PKCEPair.generate(length)
    assert pair.challenge == code_challenge_s256(pair.verifier)
    assert pair.verifier not in repr(pair)


@pytest.mark.parametrize("bad", ["short", "x" * 129, "a" * 42 + "!", "a" * 43 + " "])
def test_pkce_rejects_bad_verifiers(bad: str) -> None:
    with pytest.raises(ATHError) as info:
        code_challenge_s256(bad)
    assert info.value.code == "INVALID_ARGUMENT"


def test_state_entropy_and_comparison() -> None:
    states = {generate_state() for _ in range(1000)}
    assert len(states) == 1000
    sample = next(iter(states))
    assert len(_b64d(sample)) >= 16  # at least 128 bits
    assert states_equal(sample, sample)
    assert not states_equal(sample, sample[:-1] + ("A" if sample[-1] != "A" else "B"))


# ------------------------------------------------------------------------ keys / JWT


def test_attestation_claims_and_signature() -> None:
    pem = generate_private_key()
    signer = AttestationSigner(pem, AGENT, key_id="k1")
    token = signer.mint("https://gw.example.com/ath/token")
    claims = verify_es256(token, signer.public_key)
    header = claims.pop("_header")
    assert header == {"alg": "ES256", "typ": "JWT", "kid": "k1"}
    assert claims["iss"] == AGENT and claims["sub"] == AGENT
    assert claims["aud"] == "https://gw.example.com/ath/token"
    iat, exp = claims["iat"], claims["exp"]
    assert isinstance(iat, int) and isinstance(exp, int)
    assert abs(iat - time.time()) < 5 and 0 < exp - iat <= 300
    jti = claims["jti"]
    assert isinstance(jti, str) and len(_b64d(jti)) >= 16


def test_attestation_jti_unique_and_default_kid_is_thumbprint() -> None:
    signer = AttestationSigner(generate_private_key(), AGENT)
    jtis = {verify_es256(signer.mint("aud"), signer.public_key)["jti"] for _ in range(200)}
    assert len(jtis) == 200
    assert len(_b64d(signer.key_id)) == 32  # RFC 7638 SHA-256 thumbprint
    assert "PRIVATE" not in repr(signer)


def test_key_object_accepted() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    signer = AttestationSigner(key, AGENT)
    verify_es256(signer.mint("a"), key.public_key())


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


# ------------------------------------------------------------------------ paths / URLs


@pytest.mark.parametrize(
    "path",
    [
        "/../admin",
        "..",
        "/a/../../b",
        "//evil.example.com/x",
        "/a?x=1",
        "/a#frag",
        "/a\\..\\b",
        "/%2e%2e/admin",
        "/%252e%252e/admin",
        "/a%3Fb",
        "/a b",
        "/a\r\nX: y",
    ],
)
def test_proxy_paths_cannot_escape(path: str) -> None:
    with pytest.raises(ATHError) as info:
        check_relative_path(path)
    assert info.value.code == "INVALID_ARGUMENT"


def test_proxy_paths_kept() -> None:
    assert check_relative_path("/user/repos") == "user/repos"
    assert check_relative_path("repos/o/r/issues") == "repos/o/r/issues"
    assert check_relative_path("/files/a%20b") == "files/a%20b"


def test_authorization_url_must_carry_s256_pkce() -> None:
    ok = "https://idp.example.com/auth?code_challenge=abc&code_challenge_method=S256&state=x"
    assert check_authorization_url(ok) == ok
    for bad in (
        "https://idp.example.com/auth?state=x",
        "https://idp.example.com/auth?code_challenge=abc&code_challenge_method=plain",
        "https://idp.example.com/auth?code_challenge_method=S256",
    ):
        with pytest.raises(ATHError) as info:
            check_authorization_url(bad)
        assert info.value.code == "PKCE_MISSING"


def test_parse_callback_shapes() -> None:
    cb = parse_callback("https://agent/cb?code=c1&state=s1&session_id=ath_sess_1")
    assert (cb.code, cb.state, cb.session_id, cb.error) == ("c1", "s1", "ath_sess_1", None)
    legacy = parse_callback("http://gw/ath/callback?session_id=ath_sess_2&success=true")
    assert legacy.success and legacy.code is None and legacy.session_id == "ath_sess_2"
    denied = parse_callback("https://agent/cb?error=access_denied&state=s")
    assert denied.error == "access_denied"
    assert "c1" not in repr(cb) and "s1" not in repr(cb)
    with pytest.raises(ATHError):
        parse_callback("https://agent/cb?state=a&state=b")


# ------------------------------------------------------------------------ retries / errors


def test_retry_policy_decisions() -> None:
    policy = RetryPolicy(max_retries=2, backoff_base=0.1, backoff_max=1.0, max_retry_after=5)
    req = httpx.Request("GET", "http://127.0.0.1/x")
    r503 = httpx.Response(503, request=req)
    assert policy.delay_for(0, r503, idempotent=True) is not None
    assert policy.delay_for(2, r503, idempotent=True) is None  # exhausted
    assert policy.delay_for(0, r503, idempotent=False) is None
    assert policy.delay_for(0, httpx.Response(500, request=req), idempotent=True) is None
    after = httpx.Response(429, headers={"Retry-After": "3"}, request=req)
    assert policy.delay_for(0, after, idempotent=True) == 3.0
    too_long = httpx.Response(429, headers={"Retry-After": "600"}, request=req)
    assert policy.delay_for(0, too_long, idempotent=True) is None
    connect = httpx.ConnectError("refused", request=req)
    read = httpx.ReadError("reset", request=req)
    assert policy.delay_for(0, connect, idempotent=False) is not None
    assert policy.delay_for(0, read, idempotent=False) is None
    assert policy.delay_for(0, read, idempotent=True) is not None
    assert RetryPolicy(max_retries=0).delay_for(0, connect, idempotent=True) is None
    for attempt in range(10):
        assert 0 <= policy.backoff(attempt) <= 1.0


def test_retry_after_http_date() -> None:
    now = 1_700_000_000.0
    value = "Tue, 14 Nov 2023 22:13:30 GMT"  # now + 10 s
    assert parse_retry_after(value, now=now) == pytest.approx(10.0)
    assert parse_retry_after("soon") is None


@pytest.mark.parametrize(
    ("status", "content", "ctype", "code"),
    [
        (502, b"<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html", "HTTP_ERROR"),
        (500, b"", "text/plain", "HTTP_ERROR"),
        (403, b'{"code": "SCOPE_NOT_APPROVED", "message": "no"}', "application/json", None),
        (400, b'{"code": "SOMETHING_NEW", "message": "x"}', "application/json", "SOMETHING_NEW"),
        (400, b'{"message": "no code"}', "application/json", "HTTP_ERROR"),
        (429, b"", "text/plain", "RATE_LIMITED"),
        (499, b"[1, 2]", "application/json", "HTTP_ERROR"),
    ],
)
def test_error_mapping(status: int, content: bytes, ctype: str, code: str | None) -> None:
    response = httpx.Response(status, content=content, headers={"content-type": ctype})
    err = error_from_response(response, "discover")
    assert err.code == (code or "SCOPE_NOT_APPROVED")
    assert err.status == status
    assert "<html>" not in err.message
    assert err.message.startswith("discover")


def test_tls_failures_are_not_retried() -> None:
    req = httpx.Request("GET", "https://127.0.0.1/x")
    bad_cert = httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")
    assert RetryPolicy().delay_for(0, bad_cert, idempotent=True) is None
    assert RetryPolicy().delay_for(0, httpx.ConnectError("refused", request=req), idempotent=True)


def test_only_code_shaped_values_count_as_ath_errors() -> None:
    echo = httpx.Response(400, json={"code": "code-1", "message": "echo"})
    assert error_from_response(echo, "x").code == "HTTP_ERROR"
    real = httpx.Response(400, json={"code": "TOKEN_EXPIRED", "message": "gone"})
    assert error_from_response(real, "x").code == "TOKEN_EXPIRED"


def test_save_removes_stale_temp_files_only(tmp_path: Path) -> None:
    from ath import ATHGatewayClient

    stale = tmp_path / ".creds.json.abc123.tmp"
    fresh = tmp_path / ".creds.json.def456.tmp"
    other = tmp_path / ".other.json.abc123.tmp"
    for leftover in (stale, fresh, other):
        leftover.write_text("partial")
    old = time.time() - 7200
    os.utime(stale, (old, old))
    os.utime(other, (old, old))
    with ATHGatewayClient(
        url="https://gw.example.com", agent_id=AGENT, private_key=generate_private_key()
    ) as client:
        client.set_credentials("id", "secret")
        client.save_credentials(tmp_path / "creds.json")
    assert not stale.exists()  # a killed save's leftover, an hour old
    assert fresh.exists()  # may belong to a save in progress
    assert other.exists()  # another file's
    assert stat.S_IMODE(os.stat(tmp_path / "creds.json").st_mode) == 0o600
