"""Attestation verification: every check the stack makes, each made to fail."""

from __future__ import annotations

from collections.abc import Iterator

import httpx2
import pytest

from ath.testing import LocalStack
from tests.stack.stack_helpers import (
    Agent,
    error_code,
    make_agent,
    mint,
    new_key,
    public_pem,
    sign_jws,
)


@pytest.fixture
def http() -> Iterator[httpx2.Client]:
    with httpx2.Client(trust_env=False, timeout=10.0) as client:
        yield client


@pytest.fixture
def agent(ath_stack: LocalStack, http: httpx2.Client) -> Agent:
    return make_agent(ath_stack, http)


def register_with(agent: Agent, attestation: str) -> httpx2.Response:
    return agent.http.post(
        f"{agent.base}/ath/agents/register",
        json={
            "agent_id": agent.agent_id,
            "agent_attestation": attestation,
            "developer": {"name": "Dev", "id": "dev"},
            "requested_providers": [{"provider_id": "github", "scopes": ["read:user"]}],
            "redirect_uris": [],
        },
    )


def assert_rejected(response: httpx2.Response, reason: str) -> None:
    assert response.status_code == 401, response.text
    assert error_code(response) == "INVALID_ATTESTATION"
    assert response.json()["details"]["reason"] == reason


def test_valid_attestation_registers(agent: Agent) -> None:
    assert register_with(agent, agent.attest()).status_code == 201


def test_signature_from_another_key(agent: Agent) -> None:
    forged = mint(new_key(), agent.agent_id, agent.base, now=agent.stack.clock.now())
    assert_rejected(register_with(agent, forged), "signature")


def test_tampered_payload(agent: Agent) -> None:
    head, _, sig = agent.attest().split(".")
    _, other_body, _ = agent.attest(aud="https://elsewhere.test").split(".")
    assert_rejected(register_with(agent, f"{head}.{other_body}.{sig}"), "aud")
    good_head, good_body, _ = agent.attest().split(".")
    _, _, other_sig = agent.attest().split(".")
    assert_rejected(register_with(agent, f"{good_head}.{good_body}.{other_sig}"), "signature")


@pytest.mark.parametrize("alg", ["HS256", "none", "ES384", "RS256"])
def test_only_es256(agent: Agent, alg: str) -> None:
    assert_rejected(register_with(agent, agent.attest(alg=alg)), "alg")


def test_sub_must_be_the_agent(agent: Agent, ath_stack: LocalStack) -> None:
    other = ath_stack.host_agent(public_pem(agent.key), name="someone-else")
    assert_rejected(register_with(agent, agent.attest(sub=other)), "sub")


def test_audience_must_be_the_implementer(agent: Agent) -> None:
    assert_rejected(register_with(agent, agent.attest(aud="http://127.0.0.1:1")), "aud")
    assert_rejected(register_with(agent, agent.attest(aud=agent.base + "/ath/token")), "aud")


def test_token_endpoint_audience(agent: Agent) -> None:
    agent.register({"github": ["read:user"]})
    session_id, result = agent.consent("github", ["read:user"])
    wrong = agent.exchange(session_id, result.code, agent_attestation=agent.attest())
    assert_rejected(wrong, "aud")
    assert agent.exchange(session_id, result.code).status_code == 200


def test_expired(agent: Agent) -> None:
    now = agent.stack.clock.now()
    stale = mint(agent.key, agent.agent_id, agent.base, now=now - 120, lifetime=60)
    assert_rejected(register_with(agent, stale), "expired")


def test_iat_more_than_five_minutes_away(agent: Agent) -> None:
    now = agent.stack.clock.now()
    old = mint(agent.key, agent.agent_id, agent.base, now=now - 400, lifetime=3600)
    assert_rejected(register_with(agent, old), "iat")
    future = mint(agent.key, agent.agent_id, agent.base, now=now + 400, lifetime=60)
    assert_rejected(register_with(agent, future), "iat")


def test_replayed_jti(agent: Agent) -> None:
    attestation = agent.attest()
    registered = register_with(agent, attestation)
    assert registered.status_code == 201
    agent.client_id = registered.json()["client_id"]
    # The registration's attestation again (same audience): a replay.
    replay = agent.authorize("github", ["read:user"], agent_attestation=attestation)
    assert_rejected(replay, "replay")
    # A fresh, valid attestation that reuses a jti: also a replay.
    jti = "fixed-jti-0001"
    first = agent.authorize("github", ["read:user"], agent_attestation=agent.attest(jti=jti))
    assert first.status_code == 200
    again = agent.authorize("github", ["read:user"], agent_attestation=agent.attest(jti=jti))
    assert_rejected(again, "replay")


@pytest.mark.parametrize("claim", ["iss", "sub", "aud", "iat", "exp", "jti"])
def test_required_claims(agent: Agent, claim: str) -> None:
    assert_rejected(register_with(agent, agent.attest(drop=[claim])), "missing_claims")


@pytest.mark.parametrize("garbage", ["", "a.b", "a.b.c", "x" * 40, "e30.e30.e30"])
def test_malformed(agent: Agent, garbage: str) -> None:
    response = register_with(agent, garbage)
    assert response.status_code in (400, 401)
    assert error_code(response) in ("INVALID_ATTESTATION", "INVALID_REQUEST")


def test_unhosted_agent(ath_stack: LocalStack, http: httpx2.Client) -> None:
    key = new_key()
    agent_id = f"{ath_stack.agents_url}/agents/ghost/.well-known/agent.json"
    ghost = Agent(ath_stack, ath_stack.gateway_url, key, agent_id, http)
    assert_rejected(register_with(ghost, ghost.attest()), "unreachable")
    remote = Agent(
        ath_stack, ath_stack.gateway_url, key, "https://agent.example/.well-known/agent.json", http
    )
    assert_rejected(register_with(remote, remote.attest()), "agent_id")


def test_key_is_cached_five_minutes_and_fetched_again_on_a_mismatch(
    agent: Agent, ath_stack: LocalStack
) -> None:
    """client/identity.mdx: identity documents are cached for 5 minutes at most, and
    fetched again (rate-limited) when a signature does not verify with the cached key."""
    agent.register({"github": ["read:user"]})  # the stack fetched and cached the key
    fetches = _fetches(ath_stack, agent)
    ath_stack.clock.advance(299)
    assert agent.authorize("github", ["read:user"]).status_code == 200, "cached key"
    assert _fetches(ath_stack, agent) == fetches
    ath_stack.clock.advance(2)
    assert agent.authorize("github", ["read:user"]).status_code == 200
    assert _fetches(ath_stack, agent) == fetches + 1, "older than 5 minutes: fetched again"
    old = agent.key
    agent.key = new_key()
    ath_stack.host_agent(public_pem(agent.key), name="agent")  # the agent rotates its key
    ath_stack.clock.advance(61)
    assert agent.authorize("github", ["read:user"]).status_code == 200, "fetched on mismatch"
    assert _fetches(ath_stack, agent) == fetches + 2
    agent.key = old
    assert_rejected(agent.authorize("github", ["read:user"]), "signature")
    ath_stack.clock.advance(300)
    assert_rejected(agent.authorize("github", ["read:user"]), "signature")


def test_refetch_is_rate_limited_per_agent(agent: Agent, ath_stack: LocalStack) -> None:
    """At most one re-fetch per agent_id per minute, whatever forged attestations arrive."""
    agent.register({"github": ["read:user"]})
    fetches = _fetches(ath_stack, agent)
    good = agent.key
    agent.key = new_key()  # attestations the published key does not verify
    for _ in range(3):
        assert_rejected(agent.authorize("github", ["read:user"]), "signature")
    assert _fetches(ath_stack, agent) == fetches, "within a minute of the fetch: none"
    ath_stack.clock.advance(61)
    for _ in range(3):
        assert_rejected(agent.authorize("github", ["read:user"]), "signature")
    assert _fetches(ath_stack, agent) == fetches + 1, "one re-fetch, then the limit again"
    ath_stack.host_agent(public_pem(agent.key), name="agent")  # now it really rotates
    assert_rejected(agent.authorize("github", ["read:user"]), "signature")
    ath_stack.clock.advance(61)
    assert agent.authorize("github", ["read:user"]).status_code == 200
    agent.key = good
    assert_rejected(agent.authorize("github", ["read:user"]), "signature")


def _fetches(stack: LocalStack, agent: Agent) -> int:
    """Identity documents the stack fetched so far (its public counters; the test's
    agent is the only one fetching while it runs)."""
    return stack.counters.identity_fetches


def test_pem_public_key_in_identity_document(ath_stack: LocalStack, http: httpx2.Client) -> None:
    # The identity document may carry a PEM string instead of a JWK.
    key = new_key()
    agent_id = ath_stack.host_agent(key, name="pem-agent", key_format="pem")
    document = http.get(agent_id).json()
    assert document["public_key"] == public_pem(key)
    agent = Agent(ath_stack, ath_stack.gateway_url, key, agent_id, http)
    assert register_with(agent, agent.attest()).status_code == 201


def test_signature_must_be_raw_r_s(agent: Agent) -> None:
    head, body, _ = agent.attest().split(".")
    der_like = sign_jws(agent.key, {"alg": "ES256"}, {}).split(".")[2] + "AAAA"
    assert_rejected(register_with(agent, f"{head}.{body}.{der_like}"), "signature")


def test_host_agent_refuses_an_unknown_key_format(ath_stack: LocalStack) -> None:
    with pytest.raises(ValueError, match="key_format"):
        ath_stack.host_agent(new_key(), name="odd-agent", key_format="xml")  # type: ignore[arg-type]
