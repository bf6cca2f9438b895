"""Fault matrix: every public method, sync and async, against every server or network fault.

Each case must end in an ``ATHError`` with a documented code, the HTTP status when a
complete answer arrived, and a message (``proxy_raw``/``api_raw`` instead return a
complete answer exactly as it came, whatever its status); nothing else may escape, and
the client's state (credentials, tokens, pending sessions, api_base) must be unchanged
unless the server said the token is gone. Mocks only inject faults; refused connections,
TLS failures, stalled and reset bodies are also produced by real loopback sockets.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
import pytest

from ath._wire import DEFAULT_LIMITS, ssl_context
from tests._support.faults import BASE_FAULTS, CALLS, MOCK_URL, Call, Fault, faults_for, run_case
from tests._support.servers import (
    RawServer,
    closed_port,
    make_self_signed,
    plain_http,
    reset,
    stall,
)
from tests._support.shells import TRANSPORT_SHELLS

from .._report import tally


@dataclass(frozen=True)
class RealServers:
    urls: dict[str, str]


@pytest.fixture(scope="module")
def real_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealServers]:
    cert = make_self_signed(tmp_path_factory.mktemp("tls"))
    with ExitStack() as stack:
        tls_plain = stack.enter_context(RawServer(plain_http))
        self_signed = stack.enter_context(RawServer(plain_http, tls=cert.server_context()))
        stalled = stack.enter_context(RawServer(stall))
        resetting = stack.enter_context(RawServer(reset))
        yield RealServers(
            {
                "refused": f"http://127.0.0.1:{closed_port()}",
                "tls_plain": f"https://127.0.0.1:{tls_plain.port}",
                "tls_self_signed": self_signed.url,
                "stall": stalled.url,
                "reset": resetting.url,
            }
        )


@pytest.fixture
async def real_transport(shell: str) -> AsyncIterator[Any]:
    """``real_transport(kind)``: the default httpx2 transport of the shell (TLS verify on)."""
    made: list[Any] = []

    def make(kind: str) -> Any:
        transport: Any
        if shell == "aiohttp":  # the SDK's aiohttp transport, as http="aiohttp" builds it
            from ath._aiohttp import AiohttpTransport

            transport = AiohttpTransport(ssl_context(True, True), True, DEFAULT_LIMITS)
        elif shell == "async":
            transport = httpx2.AsyncHTTPTransport()
        else:
            transport = httpx2.HTTPTransport()
        made.append(transport)
        return transport

    yield make
    for transport in made:
        if isinstance(transport, httpx2.AsyncBaseTransport):
            await transport.aclose()
        else:
            transport.close()


@pytest.fixture(params=TRANSPORT_SHELLS)
def shell(request: pytest.FixtureRequest) -> str:
    value: str = request.param
    return value


@pytest.mark.parametrize("c", CALLS, ids=[c.id for c in CALLS])
async def test_fault_matrix(
    c: Call, shell: str, pem: str, real_servers: RealServers, real_transport: Any
) -> None:
    counts = tally("faults")
    escapes: list[str] = []
    for fault in faults_for(c):
        if shell == "aiohttp" and fault.real is None:
            continue  # a mock answer never reaches the engine: the async run covers it
        url = real_servers.urls[fault.real] if fault.real else MOCK_URL
        # on aiohttp: the async client, its real faults through the aiohttp transport
        on = "async" if shell == "aiohttp" else shell
        out = await run_case(on, c, fault, url=url, pem=pem, real_transport=real_transport)
        counts["tried"] += 1
        counts["real"] += fault.real is not None
        if out.error is not None:
            counts["errors"] += 1
        else:
            counts["passed_through"] += not out.problems
        if out.problems:
            counts["escapes"] += 1
            escapes.append(f"{fault.name}: {'; '.join(out.problems)}")
    assert not escapes, f"{len(escapes)} escapes:\n" + "\n".join(escapes)


def test_matrix_covers_every_public_method() -> None:
    """The matrix names every method of the clients that talks to a server."""
    from ath import AsyncATHGatewayClient, AsyncATHNativeClient

    io_methods = {
        name
        for cls in (AsyncATHGatewayClient, AsyncATHNativeClient)
        for name, _ in inspect.getmembers(cls, inspect.iscoroutinefunction)
        # refresh() reads the credential store, never a server (tests/stores covers it)
        if not name.startswith("_") and name not in ("aclose", "close", "refresh")
    }
    covered = {c.method for c in CALLS}
    assert io_methods == covered, sorted(io_methods ^ covered)
    assert len(covered) >= 11


def test_self_signed_server_is_reachable_when_trusted(tmp_path: Path) -> None:
    """Control for the TLS faults: the same server works once its certificate is trusted."""
    from tests._support.servers import json_answer

    cert = make_self_signed(tmp_path)
    with (
        RawServer(json_answer({"ok": True}), tls=cert.server_context()) as server,
        httpx2.Client(verify=cert.trusting_context()) as trusting,
    ):
        assert trusting.get(server.url + "/").json() == {"ok": True}
        with pytest.raises(httpx2.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            httpx2.get(server.url + "/")


async def test_the_harness_detects_escapes_and_state_changes(pem: str) -> None:
    """Control: a non-ATHError, a missing status and a changed state are all reported."""
    discover = next(c for c in CALLS if c.id == "gateway.discover")
    proxy = next(c for c in CALLS if c.id == "gateway.proxy[GET]")
    unused: Any = None

    def buggy_transport(request: httpx2.Request, status: int, good: Any) -> httpx2.Response:
        raise KeyError("a transport bug, not a server fault")

    fault = Fault("control", respond=buggy_transport)
    out = await run_case("sync", discover, fault, url=MOCK_URL, pem=pem, real_transport=unused)
    assert any(p.startswith("escaped KeyError") for p in out.problems), out.problems
    # a 200 that the test claims was a 503: the status check fires
    lying = Fault("control", respond=BASE_FAULTS[0].respond, status=503)
    out = await run_case("async", discover, lying, url=MOCK_URL, pem=pem, real_transport=unused)
    assert any("the server answered 503" in p for p in out.problems), out.problems
    # TOKEN_REVOKED without token_gone: the token the client forgets is a state change
    revoked = next(f for f in BASE_FAULTS if f.name == "token_revoked")
    silent = Fault("control", respond=revoked.respond, status=401)
    out = await run_case("sync", proxy, silent, url=MOCK_URL, pem=pem, real_transport=unused)
    assert any(p.startswith("client state changed") for p in out.problems), out.problems
