"""``ath register --wait`` through the installed console script, against a local stack
that holds registrations pending until the test decides them."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ath.testing import LocalStack
from tests.cli._run import Done, Sandbox

REFUSED = 5
HANG_GUARD = 60.0  # only ends a broken run; nothing here waits on the clock's speed


@pytest.fixture
def held() -> Iterator[LocalStack]:
    with LocalStack(hold_registrations=True) as running:
        yield running


def _agent(stack: LocalStack, sb: Sandbox, name: str) -> None:
    key = sb("--json", "keygen").json()
    agent_id = f"{stack.agents_url}/agents/{name}/.well-known/agent.json"
    stack.host_agent(Path(key["path"]).read_text(), name=name)
    sb.env.update({"ATH_URL": stack.gateway_url, "ATH_AGENT_ID": agent_id})


def _register_waiting(sb: Sandbox, expect: int) -> tuple[threading.Thread, list[Done]]:
    done: list[Done] = []
    args = ["--json", "register", "--provider", "github:read:user", "--developer-name", "A"]
    args += ["--developer-id", "a", "--wait", "--wait-timeout", str(HANG_GUARD)]
    worker = threading.Thread(
        target=lambda: done.append(sb(*args, expect=expect, timeout=HANG_GUARD + 30))
    )
    worker.start()
    return worker, done


def _decide(stack: LocalStack, approve: bool) -> str:
    give_up = time.monotonic() + HANG_GUARD
    while not stack.pending_registrations():
        assert time.monotonic() < give_up, "the command never registered"
        time.sleep(0.05)
    (client_id,) = stack.pending_registrations()
    stack.resolve_registration(client_id, approve=approve)
    return client_id


@pytest.mark.parametrize("approve", [True, False])
def test_register_wait(held: LocalStack, tmp_path: Path, approve: bool) -> None:
    sb = Sandbox(home=tmp_path)
    name = "cli-wait-yes" if approve else "cli-wait-no"
    _agent(held, sb, name)
    worker, done = _register_waiting(sb, 0 if approve else REFUSED)
    try:
        client_id = _decide(held, approve)
    finally:
        worker.join(HANG_GUARD + 40)
    assert done, "the command did not finish"
    if approve:
        doc: dict[str, Any] = done[0].json()
        assert doc["client_id"] == client_id and doc["agent_status"] == "approved"
        assert doc["approved_providers"][0]["approved_scopes"] == ["read:user"]
        assert doc["client_secret"] == "***"
        status = sb("--json", "status").json()
        assert status["server"]["agent_status"] == "approved"
    else:
        assert done[0].error()["code"] == "REGISTRATION_DENIED"


def test_key_rotate_stage_publish_switch(stack: LocalStack, tmp_path: Path) -> None:
    """keygen -> key rotate (document written) -> publish -> --switch: the next command
    signs with the new key, and the stack (which has not cached the agent) accepts it."""
    sb = Sandbox(home=tmp_path)
    name = "cli-rotate"
    agent_id = f"{stack.agents_url}/agents/{name}/.well-known/agent.json"
    key_file = Path(sb("--json", "keygen").json()["path"])
    stack.host_agent(key_file.read_text(), name=name)
    sb.env.update(
        {
            "ATH_URL": stack.gateway_url,
            "ATH_AGENT_ID": agent_id,
        }
    )
    doc_file = tmp_path / "public" / "agent.json"
    staged = sb(
        "--json",
        "key",
        "rotate",
        "--name",
        name,
        "--developer-name",
        "A",
        "--developer-id",
        "a",
        "--out",
        str(doc_file),
    ).json()
    assert staged["switched"] is False and Path(staged["staged"]).is_file()
    assert (Path(staged["staged"]).stat().st_mode & 0o777) == 0o600
    doc = json.loads(doc_file.read_text())
    assert doc["public_key"]["kid"] == staged["key_id"] and "d" not in doc["public_key"]
    again = sb("--json", "key", "rotate", "--name", name, expect=2)
    assert "staged already" in again.error()["message"]
    # publish the new document, then switch
    stack.host_agent(Path(staged["staged"]).read_text(), name=name)
    switched = sb("--json", "key", "rotate", "--switch").json()
    assert switched["switched"] is True and switched["key_id"] == staged["key_id"]
    assert Path(switched["retired"]).is_file() and not Path(staged["staged"]).exists()
    assert sb("--json", "whoami").json()["key_id"] == staged["key_id"]
    # signed with the new key
    sb("register", "--provider", "github:read:user", "--developer-name", "A", "--developer-id", "a")
    auth = sb("--json", "authorize", "github", "read:user").json()
    assert auth["ath_session_id"]
    assert "PRIVATE KEY" not in sb.all_output()


@pytest.fixture
def stack() -> Iterator[LocalStack]:
    with LocalStack() as running:
        yield running
