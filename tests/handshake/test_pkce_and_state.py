"""PKCE and state: the verifier and its S256 challenge, the state sent with each authorize and
compared in constant time, the checks of the authorization URL and of the callback, as
unit tests and as properties (hypothesis; every example counts in the ``properties`` tally).
"""

from __future__ import annotations

import base64
import collections
import hashlib
import json
import math
import types

import hypothesis
import pytest
from hypothesis import given
from hypothesis import strategies as st

import ath._pkce
from ath import (
    ATHError,
    ATHGatewayClient,
    PKCEPair,
    code_challenge_s256,
    generate_code_verifier,
    generate_state,
    parse_callback,
)
from ath._parsing import check_authorization_url
from ath._pkce import states_equal
from tests._report import tally
from tests._support.faults import AGENT_ID, MOCK_URL
from tests._support.props import ANY_TEXT, PROPS, UNRESERVED, b64url_decode, example
from tests._support.servers import FakeATH, callback_url

URLSAFE = set(UNRESERVED) - {".", "~"}


# --------------------------------------------------------------------------- PKCE


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


_QUERY_NAMES = (
    "code_challenge", "code_challenge_method", "code%5Fchallenge", "code_challenge%5Fmethod",
    "code+challenge", "state",
)  # fmt: skip
_QUERY_VALUES = ("", "S256", "%53256", "S256+", "abc", "%2")
_QUERY_FIELD = st.builds(
    "{}{}{}".format, st.sampled_from(_QUERY_NAMES), st.sampled_from(("=", "=", "")),
    st.sampled_from(_QUERY_VALUES),
)  # fmt: skip


@PROPS
@given(st.lists(_QUERY_FIELD, max_size=4), st.sampled_from(("&", ";", "&&")))
@hypothesis.example(["code_challenge=", "code_challenge_method=S256"], "&")  # empty: absent
@hypothesis.example(["code%5Fchallenge=abc", "code_challenge_method=%53256"], "&")  # encoded
@hypothesis.example(["code_challenge=abc", "code_challenge_method=S256+"], "&")  # "S256 "
@hypothesis.example(["code_challenge=abc", "code_challenge_method"], "&")  # no "="
def test_pkce_check_reads_the_query_as_parse_qs_does(fields: list[str], sep: str) -> None:
    """The PKCE check reads only its two fields, but exactly as ``parse_qs`` would:
    an encoded name, a ``+``, a repeated or empty field decide the same way."""
    from urllib.parse import parse_qs

    query = sep.join(fields)
    read = parse_qs(query)
    expected_ok = bool(read.get("code_challenge")) and read.get("code_challenge_method") == ["S256"]
    url = "https://idp.example.com/auth?" + query
    try:
        check_authorization_url(url)
        ok = True
    except ATHError as exc:
        assert exc.code == "PKCE_MISSING", exc.code
        ok = False
    assert ok == expected_ok, url


# --------------------------------------------------------------------------- state


def test_state_entropy_and_comparison() -> None:
    states = {generate_state() for _ in range(1000)}
    assert len(states) == 1000
    sample = next(iter(states))
    assert len(b64url_decode(sample)) >= 16  # at least 128 bits
    assert states_equal(sample, sample)
    assert not states_equal(sample, sample[:-1] + ("A" if sample[-1] != "A" else "B"))


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


# --------------------------------------------------------------------------- the callback


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
