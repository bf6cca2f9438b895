"""Logs: the SDK installs nothing on loggers it does not own, and no record holds a secret.

A fresh interpreter records every logger's handlers and filters, imports ``ath``, runs
calls that put every kind of secret on the wire (Basic credentials, a bearer token,
attestations, a client secret in a body) against a real server on loopback that
reflects each request's headers and body into its answer's headers and reason phrase,
with every logger at DEBUG; then it checks the loggers are as they were and scans every
record it captured.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

from tests._support.servers import RawServer, read_request

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import asyncio, json, logging, sys

    def snapshot():
        loggers = [logging.getLogger()] + [
            l for l in logging.Logger.manager.loggerDict.values() if isinstance(l, logging.Logger)
        ]
        return {l.name: (list(map(id, l.handlers)), list(map(id, l.filters))) for l in loggers}

    records = []

    class Capture(logging.Handler):
        def emit(self, record):
            records.append(self.format(record))

    root = logging.getLogger()
    root.addHandler(Capture(level=logging.DEBUG))
    root.setLevel(logging.DEBUG)
    before = snapshot()

    import ath

    url, pem, secret, token = sys.argv[1:5]
    for name in ("httpx2", "httpcore2", "httpcore2.http11", "httpcore2.connection", "ath"):
        logging.getLogger(name).setLevel(logging.DEBUG)

    def calls(client):
        client.set_credentials("client-1", secret)
        client.set_token(token, "github")
        yield lambda: client.registration_status()
        yield lambda: client.proxy("github", "GET", "/user")
        yield lambda: client.exchange_token("code-1", "sess-1")
        yield lambda: client.revoke("github")

    with ath.ATHGatewayClient(url, "https://agent.example/a", pem, max_retries=0) as client:
        for call in calls(client):
            try:
                call()
            except ath.ATHError:
                pass

    async def main():
        async with ath.AsyncATHGatewayClient(
            url, "https://agent.example/a", pem, max_retries=0
        ) as client:
            for call in calls(client):
                try:
                    await call()
                except ath.ATHError:
                    pass

    asyncio.run(main())
    after = {name: value for name, value in snapshot().items() if name in before}
    changed = sorted(
        name for name in after if after[name] != before[name] and not name.startswith("ath")
    )
    created = sorted(
        name for name, (handlers, filters) in snapshot().items()
        if name not in before and not name.startswith("ath") and (handlers or filters)
    )
    print(json.dumps({"records": records, "changed": changed, "created": created}))
    """
)


def _reflect(received: list[bytes]) -> object:
    def behaviour(conn: socket.socket) -> None:
        request = read_request(conn)
        received.append(request)
        echo = request.replace(b"\r\n", b" | ").decode("latin-1")[:3000]
        conn.sendall(
            f"HTTP/1.1 400 {echo}\r\nX-Echo: {echo}\r\nX-Auth: {echo}\r\n"
            "Content-Type: application/json\r\nContent-Length: 2\r\n"
            "Connection: close\r\n\r\n{}".encode("latin-1")
        )

    return behaviour


def test_no_logger_changed_and_no_secret_in_any_record(pem: str) -> None:
    secret, token = "cs_log_secret_client_value", "ath_tk_log_secret_token_value"
    received: list[bytes] = []
    with RawServer(_reflect(received)) as server:  # type: ignore[arg-type]
        run = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
            [sys.executable, "-c", SCRIPT, server.url, pem, secret, token],
            capture_output=True,
            text=True,
            timeout=600,  # a hang guard, far above what the calls take
            cwd=ROOT,
        )
    assert run.returncode == 0, run.stderr[-2000:]
    result = json.loads(run.stdout)
    assert result["changed"] == [] and result["created"] == []
    records: list[str] = result["records"]
    # the server saw every secret (so the records could have held them) ...
    wire = b"\n".join(received).decode("latin-1")
    import base64

    basic = base64.b64encode(f"client-1:{secret}".encode()).decode()
    attestations = sorted({part for part in wire.split('"') if part.startswith("eyJ")})
    secrets = [secret, token, basic, *attestations]
    assert secret in wire and token in wire and basic in wire and attestations
    # ... httpcore2 logged the answers' headers (event names kept) ...
    assert any("receive_response_headers.complete" in r for r in records)
    # ... and the SDK its own record of each attempt (its requests go to its own
    # transport straight, so httpx2's "HTTP Request:" record is not written for them) ...
    assert any("ath.proxy GET /ath/proxy/{provider}/{path} -> " in r for r in records)
    # ... and no record holds one
    leaks = [(s[:12], r[:200]) for r in records for s in secrets if s in r]
    assert leaks == []
