"""Phase A: registration, its status endpoint and the approval policy."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import httpx2
import pytest

from ath.testing import LocalStack
from tests.stack.stack_helpers import error_code, make_agent


@pytest.fixture
def http() -> Iterator[httpx2.Client]:
    with httpx2.Client(trust_env=False, timeout=10.0) as client:
        yield client


def basic(client_id: str, secret: str) -> dict[str, str]:
    token = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def test_duplicate_registration_gets_409(ath_stack: LocalStack, http: httpx2.Client) -> None:
    agent = make_agent(ath_stack, http)
    agent.register({"github": ["read:user"]})
    again = agent.register({"github": ["read:user"]}, expect=409)
    assert error_code(again) == "AGENT_ALREADY_REGISTERED"
    assert again.json()["details"] == {"client_id": agent.client_id}


def test_status_requires_authentication(ath_stack: LocalStack, http: httpx2.Client) -> None:
    agent = make_agent(ath_stack, http)
    agent.register({"github": ["read:user", "repo"]})
    url = f"{ath_stack.gateway_url}/ath/agents/{agent.client_id}"

    anonymous = http.get(url)
    assert anonymous.status_code == 401 and error_code(anonymous) == "AGENT_NOT_REGISTERED"
    assert anonymous.headers["www-authenticate"].startswith("Basic")
    wrong = http.get(url, headers=basic(agent.client_id, agent.client_secret + "x"))
    assert wrong.status_code == 401 and error_code(wrong) == "AGENT_NOT_REGISTERED"

    other = make_agent(ath_stack, http, name="other")
    other.register({"github": ["read:user"]})
    foreign = http.get(url, headers=basic(other.client_id, other.client_secret))
    assert foreign.status_code == 403 and error_code(foreign) == "AGENT_IDENTITY_MISMATCH"

    mine = http.get(url, headers=basic(agent.client_id, agent.client_secret))
    assert mine.status_code == 200
    body = mine.json()
    assert body["client_id"] == agent.client_id and body["agent_id"] == agent.agent_id
    assert body["agent_status"] == "approved"
    assert body["approved_providers"] == agent.registration["approved_providers"]
    assert "client_secret" not in body


def test_redirect_uris_is_optional(ath_stack: LocalStack, http: httpx2.Client) -> None:
    agent = make_agent(ath_stack, http)
    response = http.post(
        f"{ath_stack.gateway_url}/ath/agents/register",
        json={
            "agent_id": agent.agent_id,
            "agent_attestation": agent.attest(),
            "developer": {"name": "Dev", "id": "dev"},
            "requested_providers": [{"provider_id": "github", "scopes": ["repo"]}],
        },
    )
    assert response.status_code == 201, response.text
    assert response.json()["client_id"]


@pytest.mark.parametrize(
    ("patch", "where"),
    [
        ({"requested_providers": []}, "requested_providers"),
        ({"developer": {"name": "Dev"}}, "developer"),
        ({"developer": {"name": "Dev", "id": "d", "contact": 5}}, "developer"),
        ({"redirect_uris": "http://127.0.0.1/cb"}, "redirect_uris"),
        ({"redirect_uris": ["not a uri"]}, "redirect_uris"),
    ],
)
def test_invalid_registration_bodies_get_400(
    ath_stack: LocalStack, http: httpx2.Client, patch: dict[str, object], where: str
) -> None:
    agent = make_agent(ath_stack, http)
    body: dict[str, object] = {
        "agent_id": agent.agent_id,
        "agent_attestation": agent.attest(),
        "developer": {"name": "Dev", "id": "dev"},
        "requested_providers": [{"provider_id": "github", "scopes": ["repo"]}],
        "redirect_uris": [],
        **patch,
    }
    response = http.post(f"{ath_stack.gateway_url}/ath/agents/register", json=body)
    assert response.status_code == 400, response.text
    assert error_code(response) == "INVALID_REQUEST"
    assert where in response.text
    assert agent.attest() not in response.text  # never echoes the input


def test_non_json_body_gets_400(ath_stack: LocalStack, http: httpx2.Client) -> None:
    response = http.post(f"{ath_stack.gateway_url}/ath/agents/register", content=b"<xml/>")
    assert response.status_code == 400 and error_code(response) == "INVALID_REQUEST"


@pytest.mark.parametrize("native", [False, True])
def test_routing_mistakes_have_codes_of_their_own(
    ath_stack: LocalStack, http: httpx2.Client, native: bool
) -> None:
    """A client's mistake is never INTERNAL_ERROR (that is reserved for the stack's own 5xx)."""
    base = ath_stack.native_url if native else ath_stack.gateway_url
    unknown = http.get(f"{base}/ath/nothing-here")
    assert unknown.status_code == 404 and error_code(unknown) == "NOT_FOUND"
    wrong_method = http.get(f"{base}/ath/token")
    assert wrong_method.status_code == 405 and error_code(wrong_method) == "METHOD_NOT_ALLOWED"
    assert "POST" in wrong_method.headers["allow"]


def test_approval_subset(ath_stack: LocalStack, http: httpx2.Client) -> None:
    ath_stack.approval.approve_subset({"github": ["read:user"]})
    agent = make_agent(ath_stack, http)
    reg = agent.register(
        {"github": ["read:user", "repo"], "mail": ["mail:read"], "nope": ["x"]}
    ).json()
    assert reg["agent_status"] == "approved"
    by_id = {p["provider_id"]: p for p in reg["approved_providers"]}
    assert by_id["github"]["approved_scopes"] == ["read:user"]
    assert by_id["github"]["denied_scopes"] == ["repo"]
    assert by_id["github"]["denial_reason"]
    assert by_id["mail"]["approved_scopes"] == [] and by_id["mail"]["denied_scopes"] == [
        "mail:read"
    ]
    assert by_id["nope"]["denial_reason"] == "unknown provider"

    assert error_code(agent.authorize("github", ["repo"])) == "SCOPE_NOT_APPROVED"
    assert error_code(agent.authorize("mail", ["mail:read"])) == "PROVIDER_NOT_APPROVED"
    assert agent.authorize("github", ["read:user"]).status_code == 200


def test_unoffered_scopes_are_denied(ath_stack: LocalStack, http: httpx2.Client) -> None:
    agent = make_agent(ath_stack, http)
    reg = agent.register({"github": ["read:user", "admin:org"]}).json()
    (github,) = reg["approved_providers"]
    assert github["approved_scopes"] == ["read:user"] and github["denied_scopes"] == ["admin:org"]


@pytest.mark.parametrize("policy", ["pending", "deny"])
def test_unapproved_registrations_cannot_authorize(
    ath_stack: LocalStack, http: httpx2.Client, policy: str
) -> None:
    getattr(ath_stack.approval, policy)()
    agent = make_agent(ath_stack, http)
    reg = agent.register({"github": ["read:user"]}).json()
    assert reg["agent_status"] == ("pending" if policy == "pending" else "denied")
    assert reg["approved_providers"][0]["approved_scopes"] == []
    response = agent.authorize("github", ["read:user"])
    assert response.status_code == 403 and error_code(response) == "AGENT_UNAPPROVED"
    ath_stack.approval.approve_all()  # only affects later registrations
    assert error_code(agent.authorize("github", ["read:user"])) == "AGENT_UNAPPROVED"


def test_native_registration_uses_the_app_id(ath_stack: LocalStack, http: httpx2.Client) -> None:
    agent = make_agent(ath_stack, http, native=True)
    reg = agent.register({"shop": ["products:read"], "github": ["repo"]}).json()
    by_id = {p["provider_id"]: p for p in reg["approved_providers"]}
    assert by_id["shop"]["approved_scopes"] == ["products:read"]
    assert by_id["github"]["approved_scopes"] == []


def test_pending_registration_resolved_later(ath_stack: LocalStack, http: httpx2.Client) -> None:
    ath_stack.approval.pending()
    agent = make_agent(ath_stack, http)
    agent.register({"github": ["read:user", "admin:org"]})
    status_url = f"{ath_stack.gateway_url}/ath/agents/{agent.client_id}"
    credentials = basic(agent.client_id, agent.client_secret)
    assert http.get(status_url, headers=credentials).json()["agent_status"] == "pending"
    ath_stack.resolve_registration(agent.client_id)
    status = http.get(status_url, headers=credentials).json()
    assert status["agent_status"] == "approved"
    assert status["approved_providers"][0]["approved_scopes"] == ["read:user"]
    assert agent.authorize("github", ["read:user"]).status_code == 200
    ath_stack.resolve_registration(agent.client_id, approve=False)
    assert error_code(agent.authorize("github", ["read:user"])) == "AGENT_UNAPPROVED"
    with pytest.raises(KeyError):
        ath_stack.resolve_registration("ath_client_unknown")
