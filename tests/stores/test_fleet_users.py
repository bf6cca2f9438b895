"""Two processes sharing a FileStore or a RedisStore (a real redis-server) serve the
same users (issue 25): a user's token obtained in one is used by the other without
consent, and a revoke for one user in one process is seen by the other, which keeps
serving the other users. Counted at the local stack."""

from __future__ import annotations

from typing import Any

import pytest

from ath.testing import LocalStack, follow_consent
from tests._support.procs import Children
from tests.stores import fleet_worker, test_fleet, users_worker
from tests.stores.test_fleet import SPAWN

fleet = test_fleet.fleet  # the same fixture: the stack, an agent identity, a store


@pytest.mark.timeout(300)
@pytest.mark.parametrize("fleet", ["file", "redis"], indirect=True)
def test_users_shared_between_processes(
    fleet: dict[str, Any], stack: LocalStack, children: Children
) -> None:
    with fleet_worker.client(fleet) as first:
        first.register(developer=fleet_worker.DEVELOPER, providers=fleet_worker.GITHUB)
        tokens = {}
        for user in ("alice", "bob"):
            view = first.for_user(user)
            stack.consent.as_user(user)
            auth = view.authorize("github", ["read:user"])
            consent = follow_consent(auth.authorization_url)
            tokens[user] = view.exchange_token(consent.code or "", auth.ath_session_id)
        commands, results = SPAWN.Queue(), SPAWN.Queue()
        other = SPAWN.Process(target=users_worker.serve_users, args=(fleet, commands, results))
        children.started(other)
        ready = results.get(timeout=180)
        # the other process used bob's and alice's tokens without any consent of its own
        assert ready == ("ready", ["bob", "alice", "NO_TOKEN"])
        assert first.for_user("alice").revoke() == ["github"]
        commands.put("revoked")
        done = results.get(timeout=180)
        other.join(timeout=60)
        assert other.exitcode == 0
        # the revoke was seen there: alice's token was not sent again, bob still served
        assert done == ("done", ["bob", "NO_TOKEN"])
        assert first.for_user("bob").proxy("github", "GET", "/user")["login"] == "bob"
        assert first.store is not None
        users = first.store.list_users(stack.gateway_url, fleet["agent_id"])  # type: ignore[attr-defined]
        assert users == ["bob"]
    assert stack.token_presentations(tokens["alice"].access_token) == 1
    assert stack.token_presentations(tokens["bob"].access_token) == 3
    assert stack.registration_requests() == 1
