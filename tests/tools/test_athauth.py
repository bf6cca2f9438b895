"""ATHAuth: a plain httpx2 client of the demo upstream (the shape a generated client has:
base_url plus relative paths) calls GitHub through the local gateway with the ATH token,
sync and async; without a token nothing is sent."""

from __future__ import annotations

from collections.abc import Iterator

import httpx2
import pytest

from ath import AsyncATHGatewayClient, ATHClientError, ATHGatewayClient
from ath.testing import LocalStack, follow_consent
from ath.tools import ATHAuth
from tests.conftest import DEVELOPER, Agent

SCOPES = ["read:user", "repo"]


@pytest.fixture
def client(stack: LocalStack, agent: Agent) -> Iterator[ATHGatewayClient]:
    with ATHGatewayClient(stack.gateway_url, agent.agent_id, agent.pem) as made:
        made.register(developer=DEVELOPER, providers=[{"provider_id": "github", "scopes": SCOPES}])
        auth = made.authorize("github", SCOPES)
        made.exchange_token(follow_consent(auth.authorization_url).granted_code,
                            auth.ath_session_id)  # fmt: skip
        yield made


def test_a_plain_httpx2_client_calls_the_upstream(client: ATHGatewayClient) -> None:
    auth = ATHAuth(client, "github", methods=["GET", "POST"])
    assert auth.base_url == client.url + "/ath/proxy/github"
    with httpx2.Client(base_url=auth.base_url, auth=auth) as api:
        assert api.get("/user").json()["login"] == "local-user"
        created = api.post("/user/repos", json={"name": "via-athauth"})
        assert created.status_code == 201, created.text
        repo = api.get("/repos/local-user/via-athauth").json()
        assert repo["full_name"] == "local-user/via-athauth"
    assert "ath_tk_" not in repr(auth) and client.tokens["github"].access_token not in repr(auth)


async def test_async_client_too(stack: LocalStack, agent: Agent, client: ATHGatewayClient) -> None:
    async with AsyncATHGatewayClient(stack.gateway_url, agent.agent_id, agent.pem) as other:
        other.set_token(client.tokens["github"].access_token, "github")
        auth = ATHAuth(other, "github")
        async with httpx2.AsyncClient(base_url=auth.base_url, auth=auth) as api:
            assert (await api.get("/user")).json()["login"] == "local-user"


def test_no_token_sends_nothing(stack: LocalStack, agent: Agent) -> None:
    sent: list[httpx2.Request] = []
    with ATHGatewayClient(stack.gateway_url, agent.agent_id, agent.pem) as bare:
        auth = ATHAuth(bare, "github")
        hooks = {"request": [sent.append]}
        api = httpx2.Client(base_url=auth.base_url, auth=auth, event_hooks=hooks)
        with api, pytest.raises(ATHClientError) as caught:
            api.get("/user")
    assert caught.value.code == "NO_TOKEN" and sent == []
