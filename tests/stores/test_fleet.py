"""A fleet of real processes sharing one agent identity through a store, against the
local ATH stack on loopback (counted server-side)."""

from __future__ import annotations

import multiprocessing
import uuid
from pathlib import Path
from typing import Any

import pytest

from ath import ATHError, ATHGatewayClient, generate_private_key
from ath.stores import FileStore, RedisStore
from ath.testing import LocalStack, follow_consent
from ath.testing._redis_server import RedisServer
from tests._support.procs import Children
from tests.stores import fleet_worker

SPAWN = multiprocessing.get_context("spawn")


@pytest.fixture
def fleet(
    request: pytest.FixtureRequest, stack: LocalStack, tmp_path: Path, redis_server: RedisServer
) -> dict[str, Any]:
    """What a fleet member needs: the stack, the agent identity, the store."""
    pem = generate_private_key()
    kind = request.param
    target = (
        str(tmp_path / "fleet" / "store.json")
        if kind == "file"
        else f"{redis_server.url}#fleet-{uuid.uuid4().hex}"
    )
    return {
        "url": stack.gateway_url,
        "agent_id": stack.host_agent(pem, name="fleet-agent"),
        "pem": pem,
        "kind": kind,
        "target": target,
    }


def drain(results: Any, count: int) -> list[Any]:
    return [results.get(timeout=180) for _ in range(count)]


@pytest.mark.timeout(300)
@pytest.mark.parametrize("fleet", ["file", "redis"], indirect=True)
def test_eight_processes_register_once(
    fleet: dict[str, Any], stack: LocalStack, children: Children
) -> None:
    barrier = SPAWN.Barrier(8)
    results = SPAWN.Queue()
    procs = [
        SPAWN.Process(target=fleet_worker.register_together, args=(fleet, barrier, results))
        for _ in range(8)
    ]
    for p in procs:
        children.started(p)
    seen = drain(results, 8)
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    assert all(r[0] == "ok" for r in seen), seen
    assert len({r[1] for r in seen}) == 1 and all(r[1] == r[2] for r in seen)
    assert stack.registration_requests() == 1


@pytest.mark.timeout(300)
@pytest.mark.parametrize("fleet", ["file", "redis"], indirect=True)
def test_consent_in_one_process_serves_another(
    fleet: dict[str, Any], stack: LocalStack, children: Children
) -> None:
    with fleet_worker.client(fleet) as first:
        first.register(developer=fleet_worker.DEVELOPER, providers=fleet_worker.GITHUB)
        auth = first.authorize("github", ["read:user"])
        consent = follow_consent(auth.authorization_url)
        token = first.exchange_token(consent.code or "", auth.ath_session_id)
    results = SPAWN.Queue()
    other = SPAWN.Process(target=fleet_worker.use_shared_token, args=(fleet, results))
    children.started(other)
    (seen,) = drain(results, 1)
    other.join(timeout=60)
    assert seen == ("ok", ["github"], True)
    assert stack.registration_requests() == 1  # the other process did not register
    assert stack.token_presentations(token.access_token) == 1  # its proxy call used it


@pytest.mark.timeout(300)
@pytest.mark.parametrize("fleet", ["file", "redis"], indirect=True)
def test_revoke_in_one_process_stops_another(
    fleet: dict[str, Any], stack: LocalStack, children: Children
) -> None:
    with fleet_worker.client(fleet) as first:
        first.register(developer=fleet_worker.DEVELOPER, providers=fleet_worker.GITHUB)
        auth = first.authorize("github", ["read:user"])
        token = first.exchange_token(
            follow_consent(auth.authorization_url).code or "", auth.ath_session_id
        )
        commands, results = SPAWN.Queue(), SPAWN.Queue()
        other = SPAWN.Process(target=fleet_worker.after_revoke, args=(fleet, commands, results))
        children.started(other)
        ready = results.get(timeout=180)
        assert ready == ("ready", ["ok"])
        before = stack.token_presentations(token.access_token)
        assert first.revoke("github") == ["github"]
        commands.put("revoked")
        done = results.get(timeout=180)
        other.join(timeout=60)
    # the other process held the token in memory (refresh interval of an hour): it
    # sends it once more, learns it was revoked, and never sends it again
    assert done[0] == "done" and done[1][0] == "ok"
    assert "ok" not in done[1][1:]
    assert done[1][1:] == ["TOKEN_REVOKED", "NO_TOKEN"]
    assert stack.token_presentations(token.access_token) - before == 1


@pytest.mark.timeout(300)
def test_revoke_is_seen_without_a_request_once_the_stamp_is_checked(
    stack: LocalStack, tmp_path: Path
) -> None:
    pem = generate_private_key()
    agent_id = stack.host_agent(pem, name="fleet-agent")
    path = tmp_path / "store.json"

    def make() -> ATHGatewayClient:
        return ATHGatewayClient(
            url=stack.gateway_url,
            agent_id=agent_id,
            private_key=pem,
            store=FileStore(path),
            store_refresh_interval=0,
        )

    with make() as a, make() as b:
        a.register(developer=fleet_worker.DEVELOPER, providers=fleet_worker.GITHUB)
        b.register(developer=fleet_worker.DEVELOPER, providers=fleet_worker.GITHUB)
        auth = a.authorize("github", ["read:user"])
        token = a.exchange_token(
            follow_consent(auth.authorization_url).code or "", auth.ath_session_id
        )
        b.proxy("github", "GET", "/user")
        a.revoke()
        with pytest.raises(ATHError) as err:
            b.proxy("github", "GET", "/user")
        assert err.value.code == "NO_TOKEN"  # refresh interval 0: not sent at all
        assert stack.token_presentations(token.access_token) == 1
    assert stack.registration_requests() == 1


@pytest.mark.timeout(300)
def test_redis_restart_mid_run(stack: LocalStack, own_redis: RedisServer) -> None:
    pem = generate_private_key()
    agent_id = stack.host_agent(pem, name="fleet-agent")

    def make() -> ATHGatewayClient:
        return ATHGatewayClient(
            url=stack.gateway_url,
            agent_id=agent_id,
            private_key=pem,
            store=RedisStore(own_redis.url, prefix="restart"),
            store_refresh_interval=0,
        )

    with make() as a:
        reg = a.register(developer=fleet_worker.DEVELOPER, providers=fleet_worker.GITHUB)
        auth = a.authorize("github", ["read:user"])
        a.exchange_token(follow_consent(auth.authorization_url).code or "", auth.ath_session_id)
        own_redis.stop(kill=True)  # Redis dies mid-run
        with make() as b:
            with pytest.raises(ATHError) as err:
                b.register(developer=fleet_worker.DEVELOPER, providers=fleet_worker.GITHUB)
            assert err.value.code == "STORE_UNAVAILABLE" and "Redis" in err.value.message
            with pytest.raises(ATHError) as err:
                b.proxy("github", "GET", "/user")
            assert err.value.code == "STORE_UNAVAILABLE"
        # a client holding a live token keeps working on its local copy
        assert a.proxy("github", "GET", "/user")
        own_redis.start()  # restarted from its append-only file
        with make() as c:
            again = c.register(developer=fleet_worker.DEVELOPER, providers=fleet_worker.GITHUB)
            assert again.client_id == reg.client_id  # the acknowledged registration survived
            assert c.proxy("github", "GET", "/user")  # and the token too
    assert stack.registration_requests() == 1
