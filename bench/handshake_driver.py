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

``sdk`` is the SDK's own time in register + authorize + token (``sdk_register``,
``sdk_authorize`` and ``sdk_token`` per step): the CPU time of this
(single-threaded) driver during those steps minus its CPU time inside
the transport's ``handle_request`` and the body reads (the wire), which
:class:`WireClock` measures for both SDKs alike: ``httpx.HTTPTransport`` for the
peer (ath-sdk 0.1.0 runs on httpx), ``ath._wire.Transport`` for this SDK (its own
transport over httpcore2's pool, on httpx2). The stack runs in another process,
so none of its time is in there, nor the time this process waits for the CPU on a
loaded machine. ``sdk_wall`` is the same in wall time, ``wire`` the wire's wall time.

This file must run on any of those interpreters: it imports nothing from this
repository, and ``ath`` only dynamically.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.metadata
import json
import sys
import time
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

try:
    import httpx2
except ImportError:  # the peer's venv: ath-sdk 0.1.0 runs on httpx (same API)
    import httpx as httpx2  # type: ignore[no-redef]

MAX_HOPS = 20
MAX_CONSTRUCT = 1000
_ACCEPT = {"Accept": "application/json, text/html;q=0.9"}
DEVELOPER = {"name": "Bench", "id": "bench"}


class _TimedStream(httpx2.SyncByteStream):
    """A response body stream whose reads count as wire time."""

    def __init__(self, stream: Any, clock: WireClock) -> None:
        self._stream = stream
        self._clock = clock

    def __iter__(self) -> Any:
        chunks = iter(self._stream)
        while True:
            started = self._clock.start()
            try:
                chunk = next(chunks)
            except StopIteration:
                return
            finally:
                self._clock.stop(started)
            yield chunk

    def close(self) -> None:
        started = self._clock.start()
        try:
            self._stream.close()
        finally:
            self._clock.stop(started)


def wire_transports() -> list[Any]:
    """The transports whose ``handle_request`` is the wire: the engine's default
    ``HTTPTransport`` and, when the SDK has one, its own ``ath._wire.Transport`` (this
    SDK; the peer's requests go through ``HTTPTransport``)."""
    targets: list[Any] = [httpx2.HTTPTransport]
    own = None
    with contextlib.suppress(ImportError):
        own = getattr(importlib.import_module("ath._wire"), "Transport", None)
    if isinstance(own, type) and issubclass(own, httpx2.BaseTransport):
        targets.append(own)
    return targets


class WireClock:
    """Seconds spent inside the SDK transport's ``handle_request`` and reading the
    bodies it returns (the wire and the server answering), summed over every client of
    this process: the engine's default ``HTTPTransport`` and, when the SDK has one, its
    own ``ath._wire.Transport`` (both hand the request to an httpcore pool), so
    subtracting this from a step's wall time leaves the SDK's own work (the client
    layer included). ``seconds`` is wall time, ``cpu`` this thread's CPU time
    (``time.thread_time``); ``requests`` counts the calls, to check that it saw them."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.cpu = 0.0
        self.requests = 0
        for target in wire_transports():
            self._wrap(target)

    def _wrap(self, target: Any) -> None:
        original = target.handle_request

        def handle_request(transport: Any, request: httpx2.Request) -> Any:
            started = self.start()
            try:
                response = original(transport, request)
                response.stream = _TimedStream(response.stream, self)
                return response
            finally:
                self.stop(started)
                self.requests += 1

        target.handle_request = handle_request

    @staticmethod
    def start() -> tuple[float, float]:
        return time.perf_counter(), time.thread_time()

    def stop(self, started: tuple[float, float]) -> None:
        self.seconds += time.perf_counter() - started[0]
        self.cpu += time.thread_time() - started[1]

    def read(self) -> tuple[float, float, float, float, int]:
        """(wall now, CPU now, wire wall so far, wire CPU so far, requests so far)."""
        return (time.perf_counter(), time.thread_time(), self.seconds, self.cpu, self.requests)


WIRE = WireClock()


def _first(url: str, name: str) -> str | None:
    values = parse_qs(urlsplit(url).query).get(name)
    return values[0] if values else None


def consent(http: httpx2.Client, authorization_url: str) -> tuple[str, str | None]:
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
    sdk: Any, http: httpx2.Client, config: dict[str, Any], agent: dict[str, str]
) -> dict[str, float]:
    started = time.perf_counter()
    client = sdk.ATHGatewayClient(config["gateway_url"], agent["agent_id"], agent["pem"])
    try:
        r0 = WIRE.read()
        client.register(
            developer=DEVELOPER,
            providers=[{"provider_id": config["provider"], "scopes": list(config["scopes"])}],
            purpose="benchmark",
        )
        r1 = WIRE.read()
        auth = client.authorize(config["provider"], list(config["scopes"]))
        r2 = WIRE.read()
        code, _ = consent(http, auth.authorization_url)
        r3 = WIRE.read()
        token = client.exchange_token(code, auth.ath_session_id)
        r4 = WIRE.read()
    finally:
        client.close()
    if not token.access_token:
        raise RuntimeError("no access token")

    def spent(field: int) -> float:  # over register + authorize + token, consent left out
        return (r2[field] - r0[field]) + (r4[field] - r3[field])

    if spent(4) < 3:
        raise RuntimeError("the SDK's requests did not go through the timed transport")
    return {
        "total": r4[0] - r0[0],
        "construct": r0[0] - started,
        "register": r1[0] - r0[0],
        "authorize": r2[0] - r1[0],
        "consent": r3[0] - r2[0],
        "token": r4[0] - r3[0],
        "sdk_and_stack": spent(0),
        "wire": spent(2),
        "sdk_wall": spent(0) - spent(2),
        "sdk": spent(1) - spent(3),
        "requests": spent(4),
        # the same per step, to see which one a change moved
        "sdk_register": (r1[1] - r0[1]) - (r1[3] - r0[3]),
        "sdk_authorize": (r2[1] - r1[1]) - (r2[3] - r1[3]),
        "sdk_token": (r4[1] - r3[1]) - (r4[3] - r3[3]),
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
    with httpx2.Client(trust_env=False, timeout=10.0) as http:
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
