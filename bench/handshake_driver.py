"""Time full ATH handshakes with whichever ``ath`` the running interpreter has.

Run by the bench as ``<venv python> -I bench/handshake_driver.py CONFIG_JSON``, once
with this project's venv and once with the public ath-sdk 0.1.0's (both install as
``ath``, so each gets its own process). The same script, the same consent walk and
the same stack serve both; only the SDK differs. Both SDKs are called through the
call shape they share (``ATHGatewayClient(url, agent_id, private_key)``,
``register(developer=, providers=, purpose=)``, ``authorize(provider, scopes)``,
``exchange_token(code, session_id)``), each with its own defaults for everything
else (redirect URIs, key ids, attestation lifetimes).

CONFIG_JSON: ``{"gateway_url", "provider", "scopes", "max_seconds",
"max_handshakes"}``. The driver prints ``{"ready": true, "version": ...}``, then
reads one agent per line on stdin (``{"agent_id", "pem"}``: a registration is once
per agent), does one handshake with it and prints its timings (seconds: the whole
handshake and each step) as one JSON line, until stdin closes. The bench feeds the
two drivers alternately, so both SDKs see the same machine at the same moments.
A line ``{"agent_id", "pem", "construct": N}`` instead constructs N clients and
answers ``{"construct": [seconds, ...]}``.

``sdk`` is the SDK's own time in register + authorize + token: the wall time of those
steps minus the time spent inside ``httpx.HTTPTransport.handle_request`` (the wire
and the stack's handling), which :class:`WireClock` measures for both SDKs alike.

This file must run on any of those interpreters: it imports nothing from this
repository, and ``ath`` only dynamically.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import json
import sys
import time
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx

MAX_HOPS = 20
MAX_CONSTRUCT = 1000
_ACCEPT = {"Accept": "application/json, text/html;q=0.9"}
DEVELOPER = {"name": "Bench", "id": "bench"}


class WireClock:
    """Seconds spent inside ``httpx.HTTPTransport.handle_request`` (the wire and the
    server answering), summed over every client of this process. Both SDKs send
    through httpx's default transport, so subtracting this from a step's wall time
    leaves the SDK's own work. ``requests`` counts the calls, to check that it saw them."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.requests = 0
        original = httpx.HTTPTransport.handle_request
        clock = time.perf_counter

        def handle_request(transport: httpx.HTTPTransport, request: httpx.Request) -> Any:
            started = clock()
            try:
                return original(transport, request)
            finally:
                self.seconds += clock() - started
                self.requests += 1

        httpx.HTTPTransport.handle_request = handle_request  # type: ignore[method-assign,assignment]


WIRE = WireClock()


def _first(url: str, name: str) -> str | None:
    values = parse_qs(urlsplit(url).query).get(name)
    return values[0] if values else None


def consent(http: httpx.Client, authorization_url: str) -> tuple[str, str | None]:
    """Walk the consent redirects like a browser (cookies kept); the code handed back.

    Stops at the redirect aimed at the agent (one carrying ``session_id``) without
    fetching it, unless it is the implementer's own ``/ath/callback`` completion page,
    which is fetched. Returns ``(code, session_id)``.
    """
    url = authorization_url
    for _ in range(MAX_HOPS):
        if urlsplit(url).hostname not in ("127.0.0.1", "localhost"):
            raise RuntimeError("consent: refusing to leave loopback")
        response = http.get(url, headers=_ACCEPT, follow_redirects=False)
        if not response.is_redirect:
            response.raise_for_status()
            break
        url = urljoin(str(response.url), response.headers["location"])
        if _first(url, "error"):
            raise RuntimeError(f"consent failed: {_first(url, 'error')}")
        if _first(url, "session_id") and not urlsplit(url).path.endswith("/ath/callback"):
            break
    else:
        raise RuntimeError("consent did not finish within the hop limit")
    code = _first(url, "code")
    if not code:
        raise RuntimeError(f"consent ended without a code at {urlsplit(url).path}")
    return code, _first(url, "session_id")


def handshake(
    sdk: Any, http: httpx.Client, config: dict[str, Any], agent: dict[str, str]
) -> dict[str, float]:
    clock = time.perf_counter
    started = clock()
    client = sdk.ATHGatewayClient(config["gateway_url"], agent["agent_id"], agent["pem"])
    try:
        t0, w0, n0 = clock(), WIRE.seconds, WIRE.requests
        client.register(
            developer=DEVELOPER,
            providers=[{"provider_id": config["provider"], "scopes": list(config["scopes"])}],
            purpose="benchmark",
        )
        t1 = clock()
        auth = client.authorize(config["provider"], list(config["scopes"]))
        t2, w2, n2 = clock(), WIRE.seconds, WIRE.requests
        code, _ = consent(http, auth.authorization_url)
        t3, w3, n3 = clock(), WIRE.seconds, WIRE.requests
        token = client.exchange_token(code, auth.ath_session_id)
        t4, w4, n4 = clock(), WIRE.seconds, WIRE.requests
    finally:
        client.close()
    if not token.access_token:
        raise RuntimeError("no access token")
    wire = (w2 - w0) + (w4 - w3)
    if (n2 - n0) + (n4 - n3) < 3:
        raise RuntimeError("the SDK's requests did not go through httpx.HTTPTransport")
    return {
        "total": t4 - t0,
        "construct": t0 - started,
        "register": t1 - t0,
        "authorize": t2 - t1,
        "consent": t3 - t2,
        "token": t4 - t3,
        "sdk_and_stack": (t4 - t0) - (t3 - t2),
        "wire": wire,
        "sdk": (t4 - t0) - (t3 - t2) - wire,
        "requests": float((n2 - n0) + (n4 - n3)),
    }


def construct(sdk: Any, config: dict[str, Any], agent: dict[str, str], count: int) -> list[float]:
    """Seconds for each of ``count`` new clients (constructed, then closed untimed)."""
    clock = time.perf_counter
    times = []
    for _ in range(count):
        started = clock()
        client = sdk.ATHGatewayClient(config["gateway_url"], agent["agent_id"], agent["pem"])
        times.append(clock() - started)
        client.close()
    return times


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: handshake_driver.py CONFIG_JSON  (agents on stdin)", file=sys.stderr)
        return 2
    config: dict[str, Any] = json.loads(argv[1])
    if urlsplit(config["gateway_url"]).hostname != "127.0.0.1":
        raise SystemExit("the gateway must be on 127.0.0.1")
    sdk = importlib.import_module("ath")
    deadline = time.monotonic() + float(config["max_seconds"])
    print(json.dumps({"ready": True, "version": importlib.metadata.version("ath-sdk")}), flush=True)
    # The consent walk is the bench's "browser", shared by both SDKs alike.
    with httpx.Client(trust_env=False, timeout=10.0) as http:
        for done, line in enumerate(sys.stdin):
            if done >= int(config["max_handshakes"]) or time.monotonic() > deadline:
                raise SystemExit("handshake driver: past its count or time bound")
            message = json.loads(line)
            if "construct" in message:
                count = min(int(message["construct"]), MAX_CONSTRUCT)
                print(json.dumps({"construct": construct(sdk, config, message, count)}), flush=True)
                continue
            http.cookies.clear()
            timing = handshake(sdk, http, config, message)
            print(json.dumps(timing), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
