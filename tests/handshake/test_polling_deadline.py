"""A wait's deadline bounds every request it makes (issue 23, item 18).

The token endpoint answers its headers, then drips one body byte every 0.2 s for far
longer than any bound here (a request that is not cut at the wait's deadline lasts as
long as the client's own 60 s attempt timeout). ``wait_for_token(timeout=1)`` and
``login(timeout=2)`` must end (``TIMEOUT``: the poll cut at the deadline, or
``CONSENT_TIMEOUT``) within their timeout plus the
last poll's minimum (``MIN_POLL_SECONDS``); the assertion's bound (20 s) is far above
what a loaded machine needs and far below the 60 s the old behaviour takes. Real
sockets, both shells.
"""

from __future__ import annotations

import json
import socket
import time
from typing import Any

import pytest

from ath import ATHError
from ath._flows._consent import MIN_POLL_SECONDS
from tests._support.attacks import runtime_attack
from tests._support.servers import RawServer, read_request
from tests._support.shells import call, client_class, close

AGENT_ID = "https://agent.example/.well-known/agent.json"
#: What the old behaviour takes (the client's attempt timeout) ...
ATTEMPT_TIMEOUT = 60.0
#: ... and the bound asserted: generous for a loaded 2-core machine, far below that.
BOUND = 20.0


def _dripping(port_of: list[int]) -> Any:
    """/ath/authorize answers at once; /ath/token drips its body a byte at a time."""

    def behaviour(conn: socket.socket) -> None:
        request = read_request(conn)
        if b" /ath/authorize " in request.split(b"\r\n", 1)[0]:
            body = json.dumps(
                {
                    "authorization_url": f"http://127.0.0.1:{port_of[0]}/consent?"
                    "code_challenge=x&code_challenge_method=S256",
                    "ath_session_id": "ath_sess_dripping",
                }
            ).encode()
            conn.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                + str(len(body)).encode()
                + b"\r\nConnection: close\r\n\r\n"
                + body
            )
            return
        conn.sendall(
            b"HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\n"
            b"Content-Length: 100000\r\n\r\n{"
        )
        deadline = time.monotonic() + 2 * ATTEMPT_TIMEOUT
        while time.monotonic() < deadline:  # until the client hangs up
            time.sleep(0.2)
            conn.sendall(b" ")

    return behaviour


async def _timed(shell: str, what: str, pem: str) -> tuple[str, float]:
    port: list[int] = []
    with RawServer(_dripping(port)) as server:
        port.append(server.port)
        client = client_class("gateway", shell)(
            url=server.url, agent_id=AGENT_ID, private_key=pem, timeout=ATTEMPT_TIMEOUT
        )
        client.set_credentials("cid-dripping", "cs_dripping_client_secret")
        started = time.monotonic()
        try:
            if what == "wait_for_token":
                await call(client, "wait_for_token", "ath_sess_dripping", timeout=1)
            else:
                await call(
                    client,
                    "login",
                    "github",
                    ["read:user"],
                    open_browser=False,
                    timeout=2,
                    on_authorization_url=lambda url: None,
                )
        except ATHError as exc:
            return exc.code, time.monotonic() - started
        finally:
            await close(client)
    return "no error", time.monotonic() - started


@pytest.mark.parametrize("what", ["wait_for_token", "login"])
@pytest.mark.parametrize("shell", ["sync", "async"])
async def test_a_dripping_token_endpoint_cannot_stretch_the_wait(
    shell: str, what: str, pem: str
) -> None:
    code, elapsed = await _timed(shell, what, pem)
    runtime_attack("polling", elapsed >= BOUND, 1)
    assert code in ("CONSENT_TIMEOUT", "TIMEOUT"), (code, elapsed)
    assert MIN_POLL_SECONDS < BOUND
