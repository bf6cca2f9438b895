"""Property-based tests (hypothesis): PKCE, state, attestations, proxy paths, credentials.

Every example increments the ``properties`` tally, so the summary line reports how many
examples ran in total.
"""

from __future__ import annotations

import base64
import collections
import hashlib
import json
import math
import types
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote_to_bytes

import httpx
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ath._pkce
from ath import (
    ATHError,
    ATHGatewayClient,
    ATHNativeClient,
    AttestationSigner,
    PKCEPair,
    code_challenge_s256,
    generate_code_verifier,
    generate_state,
)
from ath._attestation import jwk_thumbprint, public_jwk
from ath._pkce import states_equal

from .._report import tally
from ._faults import AGENT_ID, MOCK_URL
from ._support import DEVELOPER, FakeATH, callback_url

UNRESERVED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
URLSAFE = set(UNRESERVED) - {".", "~"}
PROPS = settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
#: Any text, lone surrogates included (``st.text()`` leaves them out).
ANY_TEXT = st.text(st.characters(codec=None) | st.characters(categories=["Cs"]))


def example() -> None:
    tally("properties")["examples"] += 1


def b64url_decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


# --------------------------------------------------------------------------- PKCE


@PROPS
@given(length=st.integers(43, 128))
def test_generated_verifier_and_challenge(length: int) -> None:
    example()
    verifier = generate_code_verifier(length)
    assert len(verifier) == length and set(verifier) <= set(UNRESERVED)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert code_challenge_s256(verifier) == expected and len(expected) == 43
    pair = PKCEPair.generate(length)
    assert pair.method == "S256" and pair.challenge == code_challenge_s256(pair.verifier)
    assert pair.verifier not in repr(pair)


@PROPS
@given(verifier=st.text(alphabet=UNRESERVED, min_size=43, max_size=128))
def test_challenge_is_s256_of_any_valid_verifier(verifier: str) -> None:
    example()
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    assert b64url_decode(code_challenge_s256(verifier)) == digest


@PROPS
@given(verifier=ANY_TEXT, length=st.integers(-1000, 1000))
def test_invalid_verifiers_and_lengths_are_refused(verifier: str, length: int) -> None:
    example()
    valid = 43 <= len(verifier) <= 128 and set(verifier) <= set(UNRESERVED)
    try:
        code_challenge_s256(verifier)
        assert valid
    except ATHError as exc:
        assert not valid and exc.code == "INVALID_ARGUMENT"
    try:
        assert len(generate_code_verifier(length)) == length and 43 <= length <= 128
    except ATHError as exc:
        assert not 43 <= length <= 128 and exc.code == "INVALID_ARGUMENT"


# --------------------------------------------------------------------------- state


def test_state_entropy() -> None:
    states = [generate_state() for _ in range(5000)]
    tally("properties")["examples"] += len(states)
    assert len(set(states)) == len(states)
    raw = [b64url_decode(s) for s in states]
    assert all(set(s) <= URLSAFE for s in states)
    assert all(len(r) * 8 >= 128 for r in raw)
    # every bit position is a fair coin: ones / samples close to 1/2
    ones = [sum((r[i // 8] >> (i % 8)) & 1 for r in raw) for i in range(len(raw[0]) * 8)]
    assert all(abs(count / len(raw) - 0.5) < 0.04 for count in ones)
    # the characters carry about 6 bits each (base64url)
    freq = collections.Counter(ch for s in states for ch in s[:42])
    total = sum(freq.values())
    entropy = -sum(n / total * math.log2(n / total) for n in freq.values())
    assert entropy > 5.98


def test_authorize_sends_a_fresh_state_each_time(pem: str) -> None:
    fake = FakeATH(AGENT_ID, MOCK_URL)
    with ATHGatewayClient(
        url=MOCK_URL, agent_id=AGENT_ID, private_key=pem, transport=fake.transport()
    ) as client:
        client.set_credentials("cid", "secret-secret-secret")
        auths = [client.authorize("github", ["read:user"]) for _ in range(200)]
    sent = [json.loads(r.content)["state"] for r in fake.requests]
    assert sent == [a.state for a in auths] and len(set(sent)) == 200
    assert all(len(b64url_decode(s)) >= 16 for s in sent)
    tally("properties")["examples"] += 200


@PROPS
@given(a=ANY_TEXT, b=ANY_TEXT)
def test_states_equal_is_equality(a: str, b: str) -> None:
    example()
    assert states_equal(a, b) == (a == b)
    assert states_equal(a, a) and states_equal(b, b)


def test_state_comparisons_are_constant_time(pem: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The helper and the client's callback check both go through hmac.compare_digest."""
    calls: list[tuple[bytes, bytes]] = []

    def compare_digest(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return a == b

    monkeypatch.setattr(ath._pkce, "hmac", types.SimpleNamespace(compare_digest=compare_digest))
    assert states_equal("abc", "abc") and not states_equal("abc", "abd")
    assert len(calls) == 2
    fake = FakeATH(AGENT_ID, MOCK_URL)
    with ATHGatewayClient(
        url=MOCK_URL, agent_id=AGENT_ID, private_key=pem, transport=fake.transport()
    ) as client:
        client.set_credentials("cid", "secret-secret-secret")
        auth = client.authorize("github", ["read:user"])
        calls.clear()
        with pytest.raises(ATHError) as forged:
            client.finish_authorization(callback_url("A" * 43), auth.ath_session_id)
        assert forged.value.code == "STATE_MISMATCH" and calls
        assert all(isinstance(x, bytes) and isinstance(y, bytes) for x, y in calls)
        calls.clear()
        client.finish_authorization(callback_url(auth.state), auth.ath_session_id)
        assert calls


# --------------------------------------------------------------------------- attestations


def verify_jwt(token: str, public_key: ec.EllipticCurvePublicKey) -> tuple[dict[str, Any], Any]:
    header_b64, claims_b64, sig_b64 = token.split(".")
    sig = b64url_decode(sig_b64)
    assert len(sig) == 64
    der = encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
    public_key.verify(der, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    return json.loads(b64url_decode(header_b64)), json.loads(b64url_decode(claims_b64))


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
        suffix = request.url.path[len(httpx.URL(expected_base).path.rstrip("/")) :]
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


# --------------------------------------------------------------------------- proxy paths

TRICKY = st.lists(
    st.sampled_from(
        [
            "..",
            ".",
            "/",
            "%2e",
            "%2E",
            "%252e",
            "%25252e",
            "%2f",
            "%2F",
            "%5c",
            "\\",
            ";",
            "..;",
            ";x",
            "?",
            "#",
            "%3f",
            "%23",
            "%00",
            "\x00",
            "//",
            "@",
            ":",
            "http:",
            "evil.example",
            "%",
            "%%",
            "~",
            "user",
            "\ud800",
            "é",
            " ",
            "\t",
            "\n",
            "ath",
            "proxy",
            "%2e%2e",
            "%u002e",
            ".%2e",
            "%c0%ae",
        ]
    )
    | st.text(max_size=3),
    max_size=12,
).map("".join)


@dataclass
class Proxies:
    gateway: Any
    native: Any
    gateway_server: FakeATH
    native_server: FakeATH


@pytest.fixture(scope="module")
def proxies(pem: str) -> Iterator[Proxies]:
    servers = FakeATH(AGENT_ID, MOCK_URL), FakeATH(AGENT_ID, MOCK_URL)
    gateway = ATHGatewayClient(
        url=MOCK_URL, agent_id=AGENT_ID, private_key=pem, transport=servers[0].transport()
    )
    native = ATHNativeClient(
        url=MOCK_URL, agent_id=AGENT_ID, private_key=pem, transport=servers[1].transport()
    )
    native.discover()
    gateway.set_token("ath_tk_paths_" + "x" * 20, "github")
    native.set_token("ath_tk_paths_" + "y" * 20)
    yield Proxies(gateway, native, *servers)
    gateway.close()
    native.close()


def fully_decoded(raw: bytes) -> str:
    """Percent-decode until nothing changes, as the most eager server would."""
    for _ in range(len(raw) + 1):
        decoded = unquote_to_bytes(raw)
        if decoded == raw:
            break
        raw = decoded
    return raw.decode("latin-1")


def check_stays_under(request: httpx.Request, prefix: str) -> None:
    assert (request.url.scheme, request.url.host, request.url.port) == ("https", "127.0.0.1", 9)
    raw_path = request.url.raw_path.split(b"?", 1)[0]
    assert raw_path.startswith(prefix.encode()), raw_path
    path = fully_decoded(raw_path).replace("\\", "/")
    assert path.startswith(prefix), path
    segments = [segment.split(";", 1)[0] for segment in path[len(prefix) :].split("/")]
    assert ".." not in segments and "." not in segments, path


@PROPS
@given(path=ANY_TEXT | TRICKY, native=st.booleans())
def test_no_path_leaves_the_proxy_prefix(path: str, native: bool, proxies: Proxies) -> None:
    example()
    sent = proxies.native_server if native else proxies.gateway_server
    before = len(sent.requests)
    try:
        if native:
            proxies.native.api_raw("GET", path)
        else:
            proxies.gateway.proxy_raw("github", "GET", path)
    except ATHError as exc:
        assert exc.code == "INVALID_ARGUMENT", exc
        assert len(sent.requests) == before  # nothing was sent
        return
    assert len(sent.requests) == before + 1
    check_stays_under(sent.requests[-1], "/api/" if native else "/ath/proxy/github/")


@pytest.mark.parametrize(
    "path",
    [
        "../admin",
        "..",
        "a/../../b",
        "..;/admin",
        "a/..;x/b",
        "%2e%2e/admin",
        ".%2E/admin",
        "%252e%252e/admin",
        "%2525252e%2525252e/admin",
        "a%2f..%2f..%2fadmin",
        "a%5c..%5cadmin",
        "/./x",
        "//evil.example/x",
        "\\evil.example\\x",
        "x?y=1",
        "x%3fy=1",
        "x#frag",
        "x%23frag",
        "\ud800/x",
        "a\x00b",
        "a b",
    ],
)
def test_known_traversals_are_refused(path: str, proxies: Proxies) -> None:
    before = len(proxies.gateway_server.requests)
    with pytest.raises(ATHError) as info:
        proxies.gateway.proxy_raw("github", "GET", path)
    assert info.value.code == "INVALID_ARGUMENT"
    assert len(proxies.gateway_server.requests) == before
    example()


@PROPS
@given(provider=ANY_TEXT | TRICKY)
def test_no_provider_id_leaves_the_proxy_prefix(provider: str, proxies: Proxies) -> None:
    example()
    gateway, sent = proxies.gateway, proxies.gateway_server
    gateway.set_token("ath_tk_any_" + "z" * 20)  # serves any provider
    before = len(sent.requests)
    try:
        gateway.proxy_raw(provider, "GET", "/user")
    except ATHError as exc:
        assert exc.code == "INVALID_ARGUMENT" and len(sent.requests) == before
        return
    check_stays_under(sent.requests[-1], f"/ath/proxy/{provider}/")
    assert sent.requests[-1].url.raw_path == f"/ath/proxy/{provider}/user".encode()


# --------------------------------------------------------------------------- credentials

PROVIDER_IDS = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._~-]{0,20}", fullmatch=True)
TOKENS = st.dictionaries(
    st.none() | PROVIDER_IDS,
    st.tuples(
        ANY_TEXT.filter(lambda t: bool(t.strip())),
        st.lists(ANY_TEXT, max_size=4),
        st.none() | st.integers(60, 10**9),
    ),
    max_size=4,
)


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@settings(PROPS, max_examples=120)
@given(client_id=ANY_TEXT.filter(bool), secret=ANY_TEXT.filter(bool), tokens=TOKENS)
def test_credentials_round_trip(
    client_id: str, secret: str, tokens: dict[str | None, Any], pem: str, tmp_path: Path
) -> None:
    example()
    path = tmp_path / "creds.json"
    with (
        ATHGatewayClient(url=MOCK_URL, agent_id=AGENT_ID, private_key=pem) as first,
        ATHGatewayClient(url=MOCK_URL, agent_id=AGENT_ID, private_key=pem) as second,
    ):
        if not (_utf8(client_id) and _utf8(secret)):
            # a lone surrogate could never be sent: refused up front, nothing stored
            with pytest.raises(ATHError) as refused:
                first.set_credentials(client_id, secret)
            assert refused.value.code == "INVALID_ARGUMENT" and first.client_id is None
            return
        first.set_credentials(client_id, secret)
        for provider, (token, scopes, expires_in) in tokens.items():
            first.set_token(token, provider, expires_in=expires_in, scopes=scopes)
        first.save_credentials(path)
        assert path.stat().st_mode & 0o777 == 0o600
        second.load_credentials(path)
        assert (second._core.client_id, second._core.client_secret) == (client_id, secret)
        held, loaded = first._core.tokens, second._core.tokens
        assert set(loaded) == set(held)
        for key, token in held.items():
            other = loaded[key]
            assert (other.access_token, other.effective_scopes, other.provider_id) == (
                token.access_token,
                token.effective_scopes,
                token.provider_id,
            )
            assert other.expires_at == token.expires_at
