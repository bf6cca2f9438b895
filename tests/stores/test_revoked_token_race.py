"""A token revoked by one process is not sent by another's concurrent calls while that
other process's store check is in flight (issue 23, item 21), counted on the wire at
the local stack.

A revokes the token (the server and the shared Redis store forget it). B's periodic
store check is due; its first call starts the check, which crosses a link with 150 ms
of latency each way (a remote Redis); B's other calls start while it is in flight.
Before, they found the check "not due" (the first call had moved the next-check time)
and sent the revoked token from B's stale copy, once each; now they wait for the check
and send nothing. Sequential calls after a rejection never resend it either.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
import uuid
from collections.abc import Iterator

import pytest

from ath import ATHError, ATHGatewayClient
from ath.stores import RedisStore
from ath.testing import LocalStack, follow_consent
from ath.testing._redis_server import RedisServer
from tests._support.attacks import runtime_attack
from tests.conftest import DEVELOPER, Agent

GITHUB = [{"provider_id": "github", "scopes": ["read:user"]}]
DELAY = 0.15
INTERVAL = 0.3
CALLS = 8


@contextlib.contextmanager
def slow_link(target_port: int, delay: float) -> Iterator[int]:
    """A loopback TCP forwarder to ``target_port`` that holds every answer ``delay``
    seconds (a remote server's latency); yields its port."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    stop = threading.Event()
    threads: list[threading.Thread] = []

    def pump(src: socket.socket, dst: socket.socket, hold: float) -> None:
        with contextlib.suppress(OSError):
            while data := src.recv(65536):
                if hold:
                    time.sleep(hold)
                dst.sendall(data)
        with contextlib.suppress(OSError):
            dst.shutdown(socket.SHUT_WR)

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", target_port))
            for args in ((conn, upstream, 0.0), (upstream, conn, delay)):
                thread = threading.Thread(target=pump, args=args, daemon=True)
                thread.start()
                threads.append(thread)

    server = threading.Thread(target=serve, daemon=True)
    server.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        server.join(5)
        listener.close()


def _redis_port(server: RedisServer) -> int:
    return int(server.url.rsplit(":", 1)[1].split("/", 1)[0])


def test_concurrent_calls_wait_for_the_store_check_in_flight(
    stack: LocalStack, agent: Agent, redis_server: RedisServer
) -> None:
    prefix = f"t-{uuid.uuid4().hex}"
    a = ATHGatewayClient(
        url=stack.gateway_url,
        agent_id=agent.agent_id,
        private_key=agent.pem,
        store=RedisStore(redis_server.url, prefix=prefix),
    )
    with slow_link(_redis_port(redis_server), DELAY) as port:
        b = ATHGatewayClient(
            url=stack.gateway_url,
            agent_id=agent.agent_id,
            private_key=agent.pem,
            store=RedisStore(f"redis://127.0.0.1:{port}/0", prefix=prefix),
            store_refresh_interval=INTERVAL,
        )
        try:
            a.register(developer=DEVELOPER, providers=GITHUB)
            auth = a.authorize("github", ["read:user"])
            code = follow_consent(auth.authorization_url).code or ""
            token = a.exchange_token(code, auth.ath_session_id)
            assert b.proxy("github", "GET", "/user")  # B holds the token and used it
            a.revoke("github")
            before = stack.token_presentations(token.access_token)
            time.sleep(INTERVAL + 0.05)  # B's periodic check is due (not a speed check)
            outcomes: list[str] = []

            def one() -> None:
                try:
                    b.proxy("github", "GET", "/user")
                    outcomes.append("answered")
                except ATHError as exc:
                    outcomes.append(exc.code)

            first = threading.Thread(target=one)
            first.start()
            time.sleep(DELAY * 1.5)  # its stamp read is back, its entry read in flight
            others = [threading.Thread(target=one) for _ in range(CALLS - 1)]
            for thread in others:
                thread.start()
            for thread in [first, *others]:
                thread.join(120)
            sent = stack.token_presentations(token.access_token) - before
            # sequential calls after that: the token is gone for good
            for _ in range(3):
                with pytest.raises(ATHError):
                    b.proxy("github", "GET", "/user")
            resent = stack.token_presentations(token.access_token) - before - sent
        finally:
            b.close()
            a.close()
    runtime_attack("concurrency", sent > 1 or resent > 0, CALLS + 3)
    assert len(outcomes) == CALLS and "answered" not in outcomes, outcomes
    assert sent == 0, f"{sent} calls sent the revoked token"
