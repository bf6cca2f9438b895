"""Key rotation against the local stack, whose verifiers cache an identity document for
at most 5 minutes and re-fetch it after a signature mismatch at most once a minute. The
stack's clock is moved instead of waiting: the agent's attestations are stamped with it
(``AttestationSigner(clock=stack.clock.now)``) and the client's ``sleep=`` advances it.
Traffic is continuous authorize + token (the calls that sign); every call is counted."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx2
import pytest

from ath import ATHError, AttestationSigner, generate_private_key
from ath.testing import LocalStack, follow_consent
from tests._support.shells import Either, client_class, close
from tests.conftest import DEVELOPER

GITHUB = [{"provider_id": "github", "scopes": ["read:user"]}]
NAME = "rotating"


class Traffic:
    """Rounds of authorize + consent + token; counts the calls and the failed ones."""

    def __init__(self, client: Either) -> None:
        self.client = client
        self.calls = 0
        self.failed: list[str] = []

    async def round(self) -> None:
        for name in ("authorize", "token"):
            self.calls += 1
            try:
                if name == "authorize":
                    auth = await self.client.authorize("github", ["read:user"])
                else:
                    code = follow_consent(auth.authorization_url).code or ""
                    await self.client.exchange_token(code, auth.ath_session_id)
            except ATHError as exc:
                self.failed.append(f"{name}: {exc.code}")
                return

    async def rounds(self, n: int) -> None:
        for _ in range(n):
            await self.round()


def _sleep(shell: str, stack: LocalStack, pauses: list[float]) -> Any:
    def sleep(seconds: float) -> None:
        pauses.append(seconds)
        stack.clock.advance(seconds)

    if shell == "sync":
        return sleep

    async def asleep(seconds: float) -> None:
        sleep(seconds)

    return asleep


@pytest.fixture(params=["sync", "async"])
def shell(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def _setup(
    stack: LocalStack, shell: str, pauses: list[float]
) -> tuple[Either, Callable[[str], AttestationSigner], str]:
    pem = generate_private_key()
    agent_id = stack.host_agent(pem, name=NAME)

    def key(pem: str) -> AttestationSigner:
        return AttestationSigner(pem, agent_id, clock=stack.clock.now)

    client = Either(
        client_class("gateway", shell)(
            url=stack.gateway_url,
            agent_id=agent_id,
            signer=key(pem),
            sleep=_sleep(shell, stack, pauses),
        ),
        shell == "async",
    )
    await client.register(developer=DEVELOPER, providers=GITHUB)
    return client, key, agent_id


def _publish(stack: LocalStack, doc: dict[str, Any], pem: str) -> None:
    stack.host_agent(pem, name=NAME)  # the document rotate_key returned, served at agent_id
    assert doc["public_key"]["kid"]


async def test_planned_rotation_under_traffic_fails_no_call(stack: LocalStack, shell: str) -> None:
    pauses: list[float] = []
    client, key, _ = await _setup(stack, shell, pauses)
    traffic = Traffic(client)
    old_kid = client.key_id
    await traffic.rounds(3)
    new_pem = generate_private_key()
    doc = await client.rotate_key(signer=key(new_pem), name=NAME, developer=DEVELOPER)
    assert doc["public_key"]["kid"] != old_kid and "d" not in doc["public_key"]
    assert client.key_id == old_kid  # staged, not used yet
    _publish(stack, doc, new_pem)
    await traffic.rounds(3)  # verifiers still hold the old key: it keeps working
    assert client.key_id == old_kid
    stack.clock.advance(301)  # their caches expire: they read the new document
    await traffic.rounds(3)  # the old key is refused once, the client switches and resends
    assert client.key_id == doc["public_key"]["kid"]
    stack.clock.advance(301)
    await traffic.rounds(3)
    assert traffic.failed == [] and traffic.calls == 24
    assert pauses == []  # no call waited


async def test_switch_when_told_retries_once_after_the_refetch_window(
    stack: LocalStack, shell: str
) -> None:
    pauses: list[float] = []
    client, key, _ = await _setup(stack, shell, pauses)
    traffic = Traffic(client)
    await traffic.rounds(2)  # the verifier fetched the document just now
    new_pem = generate_private_key()
    doc = await client.rotate_key(signer=key(new_pem), name=NAME, developer=DEVELOPER)
    _publish(stack, doc, new_pem)
    assert await client.switch_key() == doc["public_key"]["kid"]
    await traffic.rounds(3)
    assert traffic.failed == [] and traffic.calls == 10
    # one call met the old cached key, waited out the verifier's re-fetch window once
    assert len(pauses) == 1 and 60 < pauses[0] <= 61


async def test_emergency_rotation_is_bounded_by_the_refetch_window(
    stack: LocalStack, shell: str
) -> None:
    """Old key compromised: publish and switch at once. A verifier holding the old key
    refuses the new one until it may re-fetch (at most 61 s after the switch); each call
    in that window is resent once after it, so no call fails."""
    pauses: list[float] = []
    client, key, _ = await _setup(stack, shell, pauses)
    traffic = Traffic(client)
    await traffic.rounds(1)
    new_pem = generate_private_key()
    doc = await client.rotate_key(signer=key(new_pem), name=NAME, developer=DEVELOPER, switch=True)
    _publish(stack, doc, new_pem)
    await traffic.rounds(2)
    assert traffic.failed == [] and len(pauses) == 1 and pauses[0] <= 61
    # without the SDK's retry, the window is real: an attestation of the new key, sent
    # straight away after another switch, is refused until the re-fetch is allowed
    third = generate_private_key()
    doc3 = await client.rotate_key(signer=key(third), name=NAME, developer=DEVELOPER)
    _publish(stack, doc3, third)
    await client.switch_key()
    attestation = await client.mint_attestation()
    answer = httpx2.post(
        stack.gateway_url + "/ath/agents/register",
        json={
            "agent_id": doc3["agent_id"],
            "agent_attestation": attestation,
            "developer": DEVELOPER,
            "requested_providers": GITHUB,
        },
        trust_env=False,
    )
    assert answer.status_code == 401 and answer.json()["code"] == "INVALID_ATTESTATION"
    stack.clock.advance(61)
    await traffic.rounds(1)
    assert traffic.failed == [] and len(pauses) == 1  # past the window: no wait


async def test_rotation_arguments(stack: LocalStack, shell: str) -> None:
    client, key, _ = await _setup(stack, shell, [])
    with pytest.raises(ATHError) as none_staged:
        await client.switch_key()
    assert none_staged.value.code == "INVALID_ARGUMENT"
    with pytest.raises(ATHError) as both:
        await client.rotate_key(
            generate_private_key(),
            signer=key(generate_private_key()),
            name=NAME,
            developer=DEVELOPER,
        )
    assert both.value.code == "INVALID_ARGUMENT"
    with pytest.raises(ATHError) as same:
        await client.rotate_key(
            signer=client.client._core.signer.current, name=NAME, developer=DEVELOPER
        )
    assert same.value.code == "INVALID_ARGUMENT"
    doc = await client.rotate_key(generate_private_key(), name=NAME, developer=DEVELOPER)
    assert set(doc) >= {"ath_version", "agent_id", "name", "developer", "public_key"}
    await close(client.client)
