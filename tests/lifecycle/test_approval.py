"""``wait_for_approval``: a registration held pending by the local stack is decided
later (``LocalStack(hold_registrations=True)`` + ``resolve_registration``), in both shells
and both modes. The client's ``sleep=`` is injected: it records each pause and lets the
person decide after the second one, so no test waits for real."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from ath import ATHError, generate_private_key
from ath.testing import LocalStack
from tests._support.shells import Either, client_class, close
from tests.conftest import DEVELOPER

GITHUB = [{"provider_id": "github", "scopes": ["read:user"]}]


@pytest.fixture
def held() -> Iterator[LocalStack]:
    with LocalStack(hold_registrations=True) as running:
        yield running


def _sleep(shell: str, pauses: list[float], after: Callable[[int], None]) -> Any:
    """A ``sleep=`` that does not sleep: records the pause and calls ``after(n)``."""

    def record(seconds: float) -> None:
        pauses.append(seconds)
        after(len(pauses))

    if shell == "sync":
        return record

    async def arecord(seconds: float) -> None:
        record(seconds)

    return arecord


def _providers(stack: LocalStack, mode: str) -> list[dict[str, Any]]:
    if mode == "gateway":
        return GITHUB
    return [{"provider_id": stack.native_app_id, "scopes": ["orders:read"]}]


@pytest.fixture(params=["sync", "async"])
def shell(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.mark.parametrize("mode", ["gateway", "native"])
@pytest.mark.parametrize("approve", [True, False])
async def test_a_held_registration_is_decided_while_waiting(
    held: LocalStack, shell: str, mode: str, approve: bool
) -> None:
    pem = generate_private_key()
    agent_id = held.host_agent(pem)
    pauses: list[float] = []

    def decide(pause: int) -> None:
        if pause == 2:  # the person decides after the agent asked twice
            (client_id,) = held.pending_registrations()
            held.resolve_registration(client_id, approve=approve)

    url = held.gateway_url if mode == "gateway" else held.native_url
    client = Either(
        client_class(mode, shell)(
            url=url, agent_id=agent_id, private_key=pem, sleep=_sleep(shell, pauses, decide)
        ),
        shell == "async",
    )
    try:
        if mode == "native":
            await client.discover()
        registration = await client.register(developer=DEVELOPER, providers=_providers(held, mode))
        assert registration.agent_status == "pending"
        if approve:
            info = await client.wait_for_approval(timeout=600, poll_interval=2.0)
            assert info.agent_status == "approved"
            assert info.client_id == registration.client_id
            providers = _providers(held, mode)
            assert [(p.provider_id, p.approved_scopes) for p in info.approved_providers] == [
                (providers[0]["provider_id"], providers[0]["scopes"])
            ]
            auth = await client.authorize(providers[0]["provider_id"], providers[0]["scopes"])
            assert auth.ath_session_id  # the client knows it is approved now
        else:
            with pytest.raises(ATHError) as denied:
                await client.wait_for_approval(timeout=600, poll_interval=2.0)
            assert denied.value.code == "REGISTRATION_DENIED"
        # two pauses before the decision, the third request saw it; the pacing of
        # wait_for_token: 2 s, then 1.25 times longer
        assert pauses == [2.0, 2.5]
        assert held.pending_registrations() == []
    finally:
        await close(client.client)


async def test_wait_for_approval_times_out_and_the_registration_stays_pending(
    held: LocalStack, shell: str
) -> None:
    pem = generate_private_key()
    pauses: list[float] = []
    client = Either(
        client_class("gateway", shell)(
            url=held.gateway_url,
            agent_id=held.host_agent(pem),
            private_key=pem,
            sleep=_sleep(shell, pauses, lambda n: None),
        ),
        shell == "async",
    )
    try:
        await client.register(developer=DEVELOPER, providers=GITHUB)
        with pytest.raises(ATHError) as late:
            await client.wait_for_approval(timeout=0)
        assert late.value.code == "APPROVAL_TIMEOUT"
        assert late.value.details["status_requests"] == 1 and pauses == []
        assert len(held.pending_registrations()) == 1
    finally:
        await close(client.client)


async def test_wait_for_approval_of_an_approved_registration_returns_at_once(
    stack: LocalStack, shell: str
) -> None:
    pem = generate_private_key()
    cls = client_class("gateway", shell)
    client = Either(
        cls(url=stack.gateway_url, agent_id=stack.host_agent(pem), private_key=pem),
        shell == "async",
    )
    try:
        with pytest.raises(ATHError) as unregistered:
            await client.wait_for_approval()
        assert unregistered.value.code == "NOT_REGISTERED"
        await client.register(developer=DEVELOPER, providers=GITHUB)
        info = await client.wait_for_approval(timeout=0)
        assert info.agent_status == "approved"
    finally:
        await close(client.client)


@pytest.mark.parametrize("bad", [{"timeout": -1}, {"poll_interval": 0}, {"timeout": "1"}])
async def test_bad_wait_arguments(stack: LocalStack, bad: dict[str, Any]) -> None:
    pem = generate_private_key()
    cls = client_class("gateway", "sync")
    agent_id = stack.host_agent(pem)
    with (
        cls(url=stack.gateway_url, agent_id=agent_id, private_key=pem) as client,
        pytest.raises(ATHError) as info,
    ):
        client.wait_for_approval(**bad)
    assert info.value.code == "INVALID_ARGUMENT"


async def test_the_pauses_grow_like_wait_for_token_up_to_five_intervals(
    held: LocalStack, shell: str
) -> None:
    pem = generate_private_key()
    pauses: list[float] = []

    def decide(pause: int) -> None:
        if pause == 12:
            held.resolve_registration(held.pending_registrations()[0])

    client = Either(
        client_class("gateway", shell)(
            url=held.gateway_url,
            agent_id=held.host_agent(pem),
            private_key=pem,
            sleep=_sleep(shell, pauses, decide),
        ),
        shell == "async",
    )
    try:
        await client.register(developer=DEVELOPER, providers=GITHUB)
        info = await client.wait_for_approval(timeout=3600, poll_interval=1.0)
        assert info.agent_status == "approved"
        expected = [min(1.25**i, 5.0) for i in range(12)]
        assert pauses == pytest.approx(expected)
        assert max(pauses) == 5.0
    finally:
        await close(client.client)
