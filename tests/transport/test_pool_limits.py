"""``limits=``: the connection pool of the SDK's own transport, checked like every option.

Concurrent calls against a real keep-alive server on loopback: the server counts the
connections it was opened, so what is asserted is what reached the wire.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from typing import Any

import httpx2
import pytest

from ath import AsyncATHGatewayClient, ATHError, ATHGatewayClient
from tests._support.servers import RawServer, read_request

AGENT = "https://agent.example/a.json"


class Counting:
    """A keep-alive JSON server behaviour that counts connections and holds each answer a
    little, so that concurrent calls overlap."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.connections = 0

    def __call__(self, conn: socket.socket) -> None:
        with self.lock:
            self.connections += 1
        payload = json.dumps({"login": "octocat"}).encode()
        while True:
            try:
                if not read_request(conn):
                    return
            except (OSError, ValueError):
                return
            time.sleep(0.05)
            conn.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                + f"Content-Length: {len(payload)}\r\n\r\n".encode()
                + payload
            )


async def _burst(url: str, pem: str, **options: Any) -> None:
    async with AsyncATHGatewayClient(url, AGENT, pem, max_retries=0, **options) as client:
        client.set_token("ath_tk_limits", "github")
        answers = await asyncio.gather(*(client.proxy("github", "GET", "/user") for _ in range(6)))
    assert answers == [{"login": "octocat"}] * 6


def test_limits_size_the_sdks_own_pool(pem: str) -> None:
    one, default = Counting(), Counting()
    with RawServer(one) as server:
        asyncio.run(_burst(server.url, pem, limits=httpx2.Limits(max_connections=1)))
    with RawServer(default) as server:
        asyncio.run(_burst(server.url, pem))
    assert one.connections == 1
    assert default.connections > 1  # without limits=, the calls did overlap


@pytest.mark.parametrize(
    ("options", "says"),
    [
        ({"limits": 10}, "limits must be an httpx2.Limits or None, got int"),
        ({"limits": httpx2.Limits(), "http_client": "client"}, "with http_client= the pool"),
        ({"limits": httpx2.Limits(), "transport": "transport"}, "with transport= the pool"),
    ],
)
@pytest.mark.parametrize("asynchronous", [False, True])
def test_bad_limits_are_refused_naming_the_option(
    pem: str, options: dict[str, Any], says: str, asynchronous: bool
) -> None:
    options = dict(options)  # the parametrized dict is shared by both shells' runs
    made: list[Any] = []
    if options.get("http_client") == "client":
        options["http_client"] = httpx2.AsyncClient() if asynchronous else httpx2.Client()
        made.append(options["http_client"])
    if options.get("transport") == "transport":
        options["transport"] = (
            httpx2.AsyncHTTPTransport() if asynchronous else httpx2.HTTPTransport()
        )
    cls = AsyncATHGatewayClient if asynchronous else ATHGatewayClient
    with pytest.raises(ATHError) as refused:
        cls("http://127.0.0.1:9", AGENT, pem, **options)
    assert refused.value.code == "INVALID_ARGUMENT"
    assert refused.value.details["option"] == "limits"
    assert says in refused.value.message
    for client in made:
        if isinstance(client, httpx2.Client):
            client.close()
        else:
            asyncio.run(client.aclose())
