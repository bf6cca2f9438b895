"""One agent, many users (issue 25), against the local stack on loopback (real HTTP).

Alice and bob consent through their own ``for_user`` views; every proxied answer
names the user whose token the gateway received (the demo upstream's ``/user`` answers
the consenting user's login), and the stack counts each token's presentations: both
are what happened on the wire, not what the client believes it sent.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator

import httpx2
import pytest

from ath import (
    AsyncATHGatewayClient,
    AsyncATHNativeClient,
    ATHError,
    ATHGatewayClient,
    ATHNativeClient,
    Token,
)
from ath.testing import LocalStack, afollow_consent, follow_consent
from tests._support.servers import DEVELOPER
from tests.conftest import Agent

GITHUB = [{"provider_id": "github", "scopes": ["read:user", "repo"]}]
THREADS = 8
TASKS = 8
CALLS = 12


@pytest.fixture
def gateway(stack: LocalStack, agent: Agent) -> Iterator[ATHGatewayClient]:
    with ATHGatewayClient(
        url=stack.gateway_url, agent_id=agent.agent_id, private_key=agent.pem
    ) as c:
        c.register(developer=DEVELOPER, providers=GITHUB)
        yield c


def consent_as(stack: LocalStack, view: ATHGatewayClient, user: str) -> Token:
    stack.consent.as_user(user)
    auth = view.authorize("github", ["read:user"])
    consent = follow_consent(auth.authorization_url)
    return view.exchange_token(consent.code or "", auth.ath_session_id)


async def aconsent_as(stack: LocalStack, view: AsyncATHGatewayClient, user: str) -> Token:
    stack.consent.as_user(user)
    auth = await view.authorize("github", ["read:user"])
    consent = await afollow_consent(auth.authorization_url)
    return await view.exchange_token(consent.code or "", auth.ath_session_id)


def test_each_user_gets_their_own_answers(stack: LocalStack, gateway: ATHGatewayClient) -> None:
    alice, bob, carol = (gateway.for_user(u) for u in ("alice", "bob", "carol"))
    a_token = consent_as(stack, alice, "alice")
    b_token = consent_as(stack, bob, "bob")
    assert a_token.access_token != b_token.access_token
    assert alice.proxy("github", "GET", "/user")["login"] == "alice"
    assert bob.proxy("github", "GET", "/user")["login"] == "bob"
    assert gateway.for_user("alice").proxy("github", "GET", "/user")["login"] == "alice"
    # a user who never consented, and the plain client (the default user), hold nothing
    for nobody in (carol, gateway):
        with pytest.raises(ATHError) as err:
            nobody.proxy("github", "GET", "/user")
        assert err.value.code == "NO_TOKEN"
    assert set(alice.tokens) == {"github"} and gateway.tokens == {} and carol.tokens == {}
    assert alice.tokens["github"].access_token == a_token.access_token
    assert alice.access_token == a_token.access_token
    assert bob.access_token == b_token.access_token and gateway.access_token is None
    assert (alice.user_id, gateway.user_id) == ("alice", None)
    assert "user_id='alice'" in repr(alice) and a_token.access_token not in repr(alice)
    # revoking alice leaves bob working
    assert alice.revoke() == ["github"]
    with pytest.raises(ATHError) as err:
        alice.proxy("github", "GET", "/user")
    assert err.value.code == "NO_TOKEN"
    assert bob.proxy("github", "GET", "/user")["login"] == "bob"
    # on the wire: alice's token for alice's two answered calls only (the revoked one was
    # not sent), bob's for bob's two
    assert stack.token_presentations(a_token.access_token) == 2
    assert stack.token_presentations(b_token.access_token) == 2


def test_another_users_authorization_is_refused(
    stack: LocalStack, gateway: ATHGatewayClient
) -> None:
    alice, bob = gateway.for_user("alice"), gateway.for_user("bob")
    stack.consent.as_user("bob")
    auth = bob.authorize("github", ["read:user"])
    assert [a.ath_session_id for a in bob.pending_authorizations] == [auth.ath_session_id]
    assert alice.pending_authorizations == [] and gateway.pending_authorizations == []
    consent = follow_consent(auth.authorization_url)
    before = stack.token_requests(auth.ath_session_id)
    attempts: list[Callable[[], object]] = [
        lambda: alice.finish_authorization(consent.url),
        lambda: alice.finish_authorization(consent.url, auth.ath_session_id),
        lambda: alice.exchange_token(consent.code or "", auth.ath_session_id),
        lambda: alice.wait_for_token(auth.ath_session_id, timeout=0),
        lambda: gateway.finish_authorization(consent.url),
    ]
    for attempt in attempts:
        with pytest.raises(ATHError) as err:
            attempt()
        assert err.value.code == "USER_MISMATCH", err.value
    assert stack.token_requests(auth.ath_session_id) == before  # nothing was sent
    assert alice.tokens == {} and gateway.tokens == {}
    bob.finish_authorization(consent.url)  # bob's own view finishes it
    assert bob.proxy("github", "GET", "/user")["login"] == "bob"


def test_user_ids_are_checked(gateway: ATHGatewayClient) -> None:
    for bad in ("", "a\nb", "tab\there", "x" * 257, "\x00", "nul\u2028", 7, None):
        with pytest.raises(ATHError) as err:
            gateway.for_user(bad)  # type: ignore[arg-type]
        assert err.value.code == "INVALID_ARGUMENT"
    assert gateway.for_user("Zoë Ünïcode 👩‍💻 x" * 10).user_id is not None
    assert gateway.for_user("x" * 256).user_id == "x" * 256


def test_set_token_and_closing_a_view(stack: LocalStack, agent: Agent) -> None:
    client = ATHGatewayClient(url=stack.gateway_url, agent_id=agent.agent_id, private_key=agent.pem)
    with client.for_user("dave") as dave:
        dave.set_token("dave-token", "github")
        assert set(dave.tokens) == {"github"} and client.tokens == {}
    # the view's end left the shared HTTP client open
    assert client.for_user("dave").tokens["github"].access_token == "dave-token"
    client.register(developer=DEVELOPER, providers=GITHUB)
    client.close()


def test_threads_interleaving_users_never_cross(
    stack: LocalStack, gateway: ATHGatewayClient
) -> None:
    users = ("alice", "bob")
    tokens = {u: consent_as(stack, gateway.for_user(u), u) for u in users}
    seen: list[tuple[str, str]] = []
    lock = threading.Lock()
    start = threading.Barrier(THREADS)

    def worker(index: int) -> None:
        start.wait(30)
        for call in range(CALLS):
            user = users[(index + call) % 2]
            login = gateway.for_user(user).proxy("github", "GET", "/user")["login"]
            with lock:
                seen.append((user, login))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert len(seen) == THREADS * CALLS
    assert [pair for pair in seen if pair[0] != pair[1]] == []
    # on the wire: each user's token was presented exactly for that user's calls
    for user in users:
        assert stack.token_presentations(tokens[user].access_token) == THREADS * CALLS // 2


@pytest.mark.timeout(300)
async def test_tasks_interleaving_users_never_cross(stack: LocalStack, agent: Agent) -> None:
    users = ("alice", "bob")
    async with AsyncATHGatewayClient(
        url=stack.gateway_url, agent_id=agent.agent_id, private_key=agent.pem
    ) as client:
        await client.register(developer=DEVELOPER, providers=GITHUB)
        tokens = {u: await aconsent_as(stack, client.for_user(u), u) for u in users}

        async def task(index: int) -> list[tuple[str, str]]:
            out = []
            for call in range(CALLS):
                user = users[(index + call) % 2]
                answer = await client.for_user(user).proxy("github", "GET", "/user")
                out.append((user, answer["login"]))
            return out

        results = await asyncio.gather(*(task(i) for i in range(TASKS)))
        seen = [pair for result in results for pair in result]
        assert len(seen) == TASKS * CALLS
        assert [pair for pair in seen if pair[0] != pair[1]] == []
        for user in users:
            assert stack.token_presentations(tokens[user].access_token) == TASKS * CALLS // 2
        # revoking alice leaves bob working, in the async shell too
        assert await client.for_user("alice").revoke("github") == ["github"]
        assert (await client.for_user("bob").proxy("github", "GET", "/user"))["login"] == "bob"
        with pytest.raises(ATHError) as err:
            await client.for_user("alice").proxy("github", "GET", "/user")
        assert err.value.code == "NO_TOKEN"


def test_native_clients_serve_users(stack: LocalStack, agent: Agent) -> None:
    scopes = ["orders:read", "orders:write"]
    with ATHNativeClient(
        url=stack.native_url, agent_id=agent.agent_id, private_key=agent.pem
    ) as client:
        client.discover()
        client.register(
            developer=DEVELOPER, providers=[{"provider_id": stack.native_app_id, "scopes": scopes}]
        )
        for user in ("alice", "bob"):
            view = client.for_user(user)
            stack.consent.as_user(user)
            auth = view.authorize(stack.native_app_id, scopes)
            view.finish_authorization(follow_consent(auth.authorization_url).url)
            view.api("POST", "/orders", {"item": f"{user}'s mug"})
        for user in ("alice", "bob"):
            orders = client.for_user(user).api("GET", "/orders")["orders"]
            assert [(o["user"], o["item"]) for o in orders] == [(user, f"{user}'s mug")]
        assert set(client.for_user("alice").tokens) == {stack.native_app_id}
        with pytest.raises(ATHError) as err:
            client.api("GET", "/orders")
        assert err.value.code == "NO_TOKEN"


async def test_async_native_view(stack: LocalStack, agent: Agent) -> None:
    async with AsyncATHNativeClient(
        url=stack.native_url, agent_id=agent.agent_id, private_key=agent.pem
    ) as client:
        view = client.for_user("alice")
        assert isinstance(view, AsyncATHNativeClient) and view.user_id == "alice"
        view.set_token("t-alice", None)
        assert set(view.tokens) == {""} and client.tokens == {}


def test_a_views_error_carries_none_of_its_tokens(agent: Agent) -> None:
    """A server echoing the request in its error body: the user's token is redacted
    from what the view raises (the guard redacts that user's tokens and the request's)."""

    def echo(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(502, text=f"bad gateway for {request.headers['authorization']}")

    with ATHGatewayClient(
        url="https://gw.example",
        agent_id=agent.agent_id,
        private_key=agent.pem,
        transport=httpx2.MockTransport(echo),
        max_retries=0,
    ) as client:
        alice = client.for_user("alice")
        alice.set_token("alice-secret-token-value", "github")
        with pytest.raises(ATHError) as err:
            alice.proxy("github", "GET", "/user")
        text = f"{err.value} {err.value.details} {err.value!r}"
        assert err.value.code == "UPSTREAM_ERROR" and "bad gateway" in text
        assert "alice-secret-token-value" not in text
