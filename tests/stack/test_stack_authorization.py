"""Phase B: authorize, the consent legs, sessions and the token exchange."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest

from ath.testing import LocalStack, follow_consent
from tests.stack.stack_helpers import Agent, error_code, make_agent


@pytest.fixture
def http() -> Iterator[httpx2.Client]:
    with httpx2.Client(trust_env=False, timeout=10.0) as client:
        yield client


REDIRECT = "http://127.0.0.1:9/agent/callback"


@pytest.fixture
def agent(ath_stack: LocalStack, http: httpx2.Client) -> Agent:
    agent = make_agent(ath_stack, http)
    agent.register({"github": ["read:user", "repo"], "mail": ["mail:read"]})
    return agent


# -- authorize ------------------------------------------------------------------------


@pytest.mark.parametrize("state", [None, "", 12345])
def test_state_is_required(agent: Agent, state: str | None) -> None:
    body_state = {} if state is None else {"state": state}
    response = agent.http.post(
        f"{agent.base}/ath/authorize",
        json={
            "client_id": agent.client_id,
            "agent_attestation": agent.attest(),
            "provider_id": "github",
            "scopes": ["read:user"],
            **body_state,
        },
    )
    assert response.status_code == 400 and "state" in response.text


def test_state_has_no_minimum_length(agent: Agent) -> None:
    """schema/0.1 dropped minLength; the entropy is the agent's duty (the SDK sends 256 bits)."""
    assert agent.authorize("github", ["read:user"], state="0123456789").status_code == 200


def test_no_redirect_uri_allowed_when_none_registered(agent: Agent) -> None:
    response = agent.authorize("github", ["read:user"], user_redirect_uri=REDIRECT)
    assert response.status_code == 400 and error_code(response) == "INVALID_REQUEST"
    assert response.json()["details"]["field"] == "user_redirect_uri"
    assert response.json()["details"]["reason"] == "redirect_uris_not_registered"


@pytest.mark.parametrize(
    "candidate",
    [
        REDIRECT + "/",
        REDIRECT + "?x=1",
        REDIRECT.upper(),
        "http://localhost:9/agent/callback",
        "http://127.0.0.1:9/agent/callbac",
    ],
)
def test_redirect_uri_must_match_exactly(
    ath_stack: LocalStack, http: httpx2.Client, candidate: str
) -> None:
    agent = make_agent(ath_stack, http)
    agent.register({"github": ["read:user"]}, redirect_uris=[REDIRECT])
    response = agent.authorize("github", ["read:user"], user_redirect_uri=candidate)
    assert response.status_code == 400, candidate
    assert error_code(response) == "INVALID_REQUEST"
    assert response.json()["details"] == {
        "reason": "redirect_uri_mismatch",
        "field": "user_redirect_uri",
    }
    assert agent.authorize("github", ["read:user"], user_redirect_uri=REDIRECT).status_code == 200


def test_unknown_client(agent: Agent) -> None:
    agent.client_id = "ath_client_unknown"
    response = agent.authorize("github", ["read:user"])
    # specification/0.1 schema.mdx, the code/status table: AGENT_NOT_REGISTERED is a 403
    assert response.status_code == 403 and error_code(response) == "AGENT_NOT_REGISTERED"


def test_attestation_of_another_agent(ath_stack: LocalStack, agent: Agent) -> None:
    other = make_agent(ath_stack, agent.http, name="intruder")
    other.client_id = agent.client_id  # uses the victim's client_id with its own key
    response = other.authorize("github", ["read:user"])
    assert error_code(response) == "INVALID_ATTESTATION"


def test_requested_scopes_within_approved(agent: Agent) -> None:
    response = agent.authorize("mail", ["mail:read", "mail:send"])
    assert response.status_code == 403 and error_code(response) == "SCOPE_NOT_APPROVED"
    assert response.json()["details"]["scopes"] == ["mail:send"]


def test_provider_must_be_approved(agent: Agent) -> None:
    for provider in ("shop", "unknown"):
        response = agent.authorize(provider, ["read:user"])
        assert response.status_code == 403 and error_code(response) == "PROVIDER_NOT_APPROVED"


def test_empty_scopes_are_refused(agent: Agent) -> None:
    assert agent.authorize("github", []).status_code == 400


# -- sessions -------------------------------------------------------------------------


def test_session_expires_after_ten_minutes(agent: Agent, ath_stack: LocalStack) -> None:
    grant = agent.authorize("github", ["read:user"]).json()
    ath_stack.clock.advance(601)
    result = follow_consent(grant["authorization_url"])
    assert result.error == "SESSION_EXPIRED"

    ath_stack.clock.reset()
    grant = agent.authorize("github", ["read:user"]).json()
    result = follow_consent(grant["authorization_url"])
    assert result.ok
    ath_stack.clock.advance(601)
    response = agent.exchange(grant["ath_session_id"], result.code)
    assert response.status_code == 400 and error_code(response) == "SESSION_EXPIRED"


def test_session_is_single_use(agent: Agent) -> None:
    session_id, result = agent.consent("github", ["read:user"])
    assert agent.exchange(session_id, result.code).status_code == 200
    again = agent.exchange(session_id, result.code)
    assert again.status_code == 400 and error_code(again) == "SESSION_EXPIRED"


def test_consent_can_start_only_once(agent: Agent) -> None:
    grant = agent.authorize("github", ["read:user"]).json()
    assert follow_consent(grant["authorization_url"]).ok
    assert follow_consent(grant["authorization_url"]).error == "SESSION_EXPIRED"


def test_unknown_session(agent: Agent) -> None:
    response = agent.exchange("ath_sess_nope", "ath_code_nope")
    assert response.status_code == 400 and error_code(response) == "SESSION_NOT_FOUND"


def test_session_of_another_client(ath_stack: LocalStack, agent: Agent) -> None:
    session_id, result = agent.consent("github", ["read:user"])
    thief = make_agent(ath_stack, agent.http, name="thief")
    thief.register({"github": ["read:user"]})
    response = thief.exchange(session_id, result.code)
    assert error_code(response) == "SESSION_NOT_FOUND"
    assert agent.exchange(session_id, result.code).status_code == 200


def test_code_must_match_the_session(agent: Agent) -> None:
    session_a, result_a = agent.consent("github", ["read:user"])
    _, result_b = agent.consent("github", ["read:user"])
    assert result_a.code != result_b.code
    for code in (result_b.code, "ath_code_forged"):
        response = agent.exchange(session_a, code)
        assert response.status_code == 400
        assert error_code(response) == "STATE_MISMATCH"
    assert agent.exchange(session_a, result_a.code).status_code == 200


def test_code_is_not_needed_after_consent(agent: Agent) -> None:
    """The implementer redeemed the provider's code itself: no code, or an empty one."""
    for code in (None, ""):
        session_id, _ = agent.consent("github", ["read:user"])
        response = agent.exchange(session_id, code)
        assert response.status_code == 200, response.text
        assert response.json()["effective_scopes"] == ["read:user"]


def test_token_before_consent(agent: Agent) -> None:
    """ "Not completed" is 400 SESSION_NOT_FOUND, as the public servers answer, and the
    session survives it: asking again after consent gets the token."""
    grant = agent.authorize("github", ["read:user"]).json()
    for _ in range(2):
        response = agent.exchange(grant["ath_session_id"], None)
        assert response.status_code == 400
        assert error_code(response) == "SESSION_NOT_FOUND"
        assert "not completed" in response.json()["message"]
        assert response.json()["details"]["reason"] == "authorization_pending"
    result = follow_consent(grant["authorization_url"])
    assert result.ok
    assert agent.exchange(grant["ath_session_id"], None).status_code == 200


def test_token_after_denial_and_past_the_lifetime(agent: Agent, ath_stack: LocalStack) -> None:
    ath_stack.consent.deny()
    grant = agent.authorize("github", ["read:user"]).json()
    assert follow_consent(grant["authorization_url"]).error == "access_denied"
    denied = agent.exchange(grant["ath_session_id"], None)
    assert denied.status_code == 403 and error_code(denied) == "USER_DENIED"
    ath_stack.consent.approve_all()
    late = agent.authorize("github", ["read:user"]).json()
    ath_stack.clock.advance(601)
    expired = agent.exchange(late["ath_session_id"], None)
    assert expired.status_code == 400 and error_code(expired) == "SESSION_EXPIRED"


def test_token_needs_the_client_secret(agent: Agent) -> None:
    session_id, result = agent.consent("github", ["read:user"])
    response = agent.exchange(session_id, result.code, client_secret="ath_secret_wrong")
    assert response.status_code == 401 and error_code(response) == "AGENT_NOT_REGISTERED"
    assert agent.exchange(session_id, result.code).status_code == 200


def test_grant_type_must_be_authorization_code(agent: Agent) -> None:
    session_id, result = agent.consent("github", ["read:user"])
    assert agent.exchange(session_id, result.code, grant_type="password").status_code == 400


# -- browser binding ------------------------------------------------------------------


def test_callback_is_bound_to_the_browser_that_started(agent: Agent) -> None:
    grant = agent.authorize("github", ["read:user"]).json()
    with httpx2.Client(trust_env=False) as victim, httpx2.Client(trust_env=False) as attacker:
        start = victim.get(grant["authorization_url"])
        assert start.status_code == 302
        cookie = start.headers["set-cookie"]
        assert "HttpOnly" in cookie and "Path=/ath/callback" in cookie
        assert "samesite=lax" in cookie.lower()
        provider = victim.get(start.headers["location"])
        assert provider.status_code == 302
        callback = provider.headers["location"]
        assert callback.startswith(f"{agent.base}/ath/callback?")
        stolen = attacker.get(callback, headers={"Accept": "application/json"})
        assert stolen.status_code == 400 and error_code(stolen) == "STATE_MISMATCH"
        assert stolen.json()["details"]["reason"] == "browser_mismatch"
        finished = victim.get(callback)
        assert finished.status_code == 302 and "code=ath_code_" in finished.headers["location"]


def test_callback_state_must_match(agent: Agent) -> None:
    grant = agent.authorize("github", ["read:user"]).json()
    with httpx2.Client(trust_env=False) as browser:
        start = browser.get(grant["authorization_url"])
        provider = browser.get(start.headers["location"])
        parts = urlsplit(provider.headers["location"])
        query = parse_qs(parts.query)
        forged = f"{agent.base}/ath/callback?code={query['code'][0]}&state=forged-state-0123456789"
        response = browser.get(forged, headers={"Accept": "application/json"})
        assert response.status_code == 400 and error_code(response) == "STATE_MISMATCH"
        html = browser.get(forged, headers={"Accept": "text/html"})
        assert html.status_code == 400 and html.headers["content-type"].startswith("text/html")
        assert "STATE_MISMATCH" in html.text
        default = browser.get(forged)  # no preference: the ATH error body
        assert error_code(default) == "STATE_MISMATCH"


def test_consent_url_pkce_must_match(agent: Agent) -> None:
    grant = agent.authorize("github", ["read:user"]).json()
    url = grant["authorization_url"].replace("code_challenge=", "code_challenge=x")
    assert follow_consent(url).error == "STATE_MISMATCH"


def test_provider_leg_uses_pkce_s256(agent: Agent) -> None:
    grant = agent.authorize("github", ["read:user"]).json()
    with httpx2.Client(trust_env=False) as browser:
        start = browser.get(grant["authorization_url"])
    to_provider = parse_qs(urlsplit(start.headers["location"]).query)
    assert to_provider["code_challenge_method"] == ["S256"]
    assert to_provider["response_type"] == ["code"]
    assert to_provider["redirect_uri"] == [f"{agent.base}/ath/callback"]
    assert to_provider["scope"] == ["read:user"]
    original = parse_qs(urlsplit(grant["authorization_url"]).query)
    assert to_provider["code_challenge"] == original["code_challenge"]
