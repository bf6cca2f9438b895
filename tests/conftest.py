"""Shared fixtures: the local ATH stack on loopback, agent keys, and clients in both shells."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from ath import (
    AsyncATHGatewayClient,
    AsyncATHNativeClient,
    ATHGatewayClient,
    ATHNativeClient,
    generate_private_key,
)
from ath.testing import LocalStack

from . import _report

DEVELOPER = {"name": "Acme", "id": "acme"}


@dataclass
class Agent:
    pem: str
    agent_id: str


class Either:
    """Calls a sync or an async client the same way, so one test body covers both shells."""

    def __init__(self, client: Any, is_async: bool) -> None:
        self.client = client
        self.is_async = is_async

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.client, name)
        if not callable(attr):
            return attr

        async def call(*args: Any, **kwargs: Any) -> Any:
            result = attr(*args, **kwargs)
            if inspect.isawaitable(result):
                result = await result
            return result

        return call


@pytest.fixture
def stack() -> Iterator[LocalStack]:
    with LocalStack() as running:
        yield running


@pytest.fixture
def agent(stack: LocalStack) -> Agent:
    pem = generate_private_key()
    return Agent(pem=pem, agent_id=stack.host_agent(pem, name="test-agent"))


MakeClient = Callable[..., Either]


@pytest.fixture(params=["sync", "async"])
async def make_client(
    request: pytest.FixtureRequest, stack: LocalStack, agent: Agent
) -> AsyncIterator[MakeClient]:
    """``make_client(mode="gateway"|"native", **kwargs)`` in the parametrized shell."""
    is_async = request.param == "async"
    made: list[Any] = []

    def make(mode: str = "gateway", **kwargs: Any) -> Either:
        cls: Any
        if mode == "gateway":
            cls = AsyncATHGatewayClient if is_async else ATHGatewayClient
            url = kwargs.pop("url", stack.gateway_url)
        else:
            cls = AsyncATHNativeClient if is_async else ATHNativeClient
            url = kwargs.pop("url", stack.native_url)
        kwargs.setdefault("agent_id", agent.agent_id)
        kwargs.setdefault("private_key", agent.pem)
        client = cls(url=url, **kwargs)
        made.append(client)
        return Either(client, is_async)

    yield make
    for client in made:
        result = client.close()
        if inspect.isawaitable(result):
            await result


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
