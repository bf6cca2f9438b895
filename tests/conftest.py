"""Shared fixtures: the local ATH stack on loopback, agent keys, and clients in both shells
(through the one sync/async bridge, ``tests/_support/shells.py``); the suites' counts,
printed once at the end."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from ath import generate_private_key
from ath.testing import LocalStack

from . import _report
from ._support.procs import Children
from ._support.shells import Either, MakeClient, client_class, close

DEVELOPER = {"name": "Acme", "id": "acme"}


@dataclass
class Agent:
    pem: str
    agent_id: str


@pytest.fixture
def children() -> Iterator[Children]:
    """Processes a test starts through it: each one's process group is ended at
    teardown, whether the test passed, failed or timed out (tests/_support/procs.py)."""
    started = Children()
    try:
        yield started
    finally:
        started.stop_all()


@pytest.fixture
def stack() -> Iterator[LocalStack]:
    with LocalStack() as running:
        yield running


@pytest.fixture(scope="module")
def pem() -> str:
    """An agent key for a module's clients (one per test module)."""
    return generate_private_key()


@pytest.fixture
def agent(stack: LocalStack) -> Agent:
    pem = generate_private_key()
    return Agent(pem=pem, agent_id=stack.host_agent(pem, name="test-agent"))


@pytest.fixture(params=["sync", "async"])
async def make_client(
    request: pytest.FixtureRequest, stack: LocalStack, agent: Agent
) -> AsyncIterator[MakeClient]:
    """``make_client(mode="gateway"|"native", **kwargs)`` in the parametrized shell."""
    is_async = request.param == "async"
    made: list[Any] = []

    def make(mode: str = "gateway", **kwargs: Any) -> Either:
        url = kwargs.pop("url", stack.gateway_url if mode == "gateway" else stack.native_url)
        kwargs.setdefault("agent_id", agent.agent_id)
        kwargs.setdefault("private_key", agent.pem)
        client = client_class(mode, request.param)(url=url, **kwargs)
        made.append(client)
        return Either(client, is_async)

    yield make
    for client in made:
        await close(client)


# ------------------------------------------------------------ counts over xdist workers


def pytest_sessionfinish(session: pytest.Session) -> None:
    """A pytest-xdist worker hands its counts to the controller (see ``tests/_report.py``)."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["ath_report"] = _report.export()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """The controller adds up what each worker counted."""
    exported = getattr(node, "workeroutput", {}).get("ath_report")
    if exported:
        _report.merge(exported)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    lines = _report.summary()
    if lines:
        terminalreporter.section("hardening and contract counts")
        for line in lines:
            terminalreporter.write_line(line)
