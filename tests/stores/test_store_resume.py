"""A restart mid-consent resumes (issue 25): the pending authorization a client started
lives in the store, so a new client (a restarted process) finishes it, by the redirect
or by polling, for the user who started it and no other. Against the local stack, on
a FileStore and a real Redis, sealed or not."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from ath import AsyncATHGatewayClient, ATHError, ATHGatewayClient, generate_private_key
from ath.stores import CredentialStore, EncryptedStore, FileStore, RedisStore
from ath.testing import LocalStack, follow_consent
from ath.testing._redis_server import RedisServer
from tests.stores.fleet_worker import DEVELOPER, GITHUB

KEY = EncryptedStore.generate_key()


@pytest.fixture(params=["file", "redis", "sealed-redis"])
def make_store(
    request: pytest.FixtureRequest, tmp_path: Path, redis_server: RedisServer
) -> Callable[[], CredentialStore]:
    prefix = f"resume-{uuid.uuid4().hex}"

    def make() -> CredentialStore:
        if request.param == "file":
            return FileStore(tmp_path / "store.json")
        redis_store = RedisStore(redis_server.url, prefix=prefix)
        return redis_store if request.param == "redis" else EncryptedStore(redis_store, KEY)

    return make


@pytest.mark.parametrize("finish", ["redirect", "polling"])
def test_a_restart_mid_consent_resumes(
    stack: LocalStack, make_store: Callable[[], CredentialStore], finish: str
) -> None:
    pem = generate_private_key()
    agent_id = stack.host_agent(pem, name="resume-agent")

    def client() -> ATHGatewayClient:
        return ATHGatewayClient(
            url=stack.gateway_url, agent_id=agent_id, private_key=pem, store=make_store()
        )

    with client() as before:
        before.register(developer=DEVELOPER, providers=GITHUB)
        auth = before.for_user("bob").authorize("github", ["read:user"])
    stack.consent.as_user("bob")
    consent = follow_consent(auth.authorization_url)  # consent while the agent restarts
    with client() as after:
        alice = after.for_user("alice")
        with pytest.raises(ATHError) as err:  # not alice's to finish
            alice.finish_authorization(consent.url)
        assert err.value.code == "SESSION_NOT_FOUND"
        bob = after.for_user("bob")
        if finish == "redirect":
            bob.finish_authorization(consent.url)
        else:
            bob.wait_for_token(auth.ath_session_id, timeout=30, poll_interval=0.05)
        assert bob.pending_authorizations == []
        assert bob.proxy("github", "GET", "/user")["login"] == "bob"
    with client() as later:  # finished: no longer pending anywhere
        bob = later.for_user("bob")
        bob.refresh()
        assert bob.pending_authorizations == [] and set(bob.tokens) == {"github"}


@pytest.mark.parametrize("finish", ["redirect", "polling", "async-polling"])
def test_a_refused_consent_is_pending_nowhere(
    stack: LocalStack, make_store: Callable[[], CredentialStore], finish: str
) -> None:
    """A refusal ends the authorization for every process: neither this client nor a
    restarted one offers or resumes it again (it stayed in the store before)."""
    pem = generate_private_key()
    agent_id = stack.host_agent(pem, name="refused-agent")

    def client() -> ATHGatewayClient:
        return ATHGatewayClient(
            url=stack.gateway_url, agent_id=agent_id, private_key=pem, store=make_store()
        )

    with client() as agent:
        agent.register(developer=DEVELOPER, providers=GITHUB)
        bob = agent.for_user("bob")
        auth = bob.authorize("github", ["read:user"])
        stack.consent.as_user("bob")
        stack.consent.deny()
        consent = follow_consent(auth.authorization_url)
        with pytest.raises(ATHError) as err:
            if finish == "redirect":
                bob.finish_authorization(consent.url)
            elif finish == "polling":
                bob.wait_for_token(auth.ath_session_id, timeout=30, poll_interval=0.05)
            else:
                asyncio.run(_await_async(stack, pem, agent_id, make_store(), auth.ath_session_id))
        assert err.value.code == "USER_DENIED"
        if finish != "async-polling":
            assert bob.pending_authorizations == []
    with client() as later:
        bob = later.for_user("bob")
        bob.refresh()
        assert bob.pending_authorizations == []


async def _await_async(
    stack: LocalStack, pem: str, agent_id: str, store: CredentialStore, session_id: str
) -> None:
    """The refusal met by an async client of the same agent and store."""
    async with AsyncATHGatewayClient(
        url=stack.gateway_url, agent_id=agent_id, private_key=pem, store=store
    ) as agent:
        bob = agent.for_user("bob")
        await bob.refresh()
        try:
            await bob.wait_for_token(session_id, timeout=30, poll_interval=0.05)
        finally:
            assert bob.pending_authorizations == []
