"""The SDK's own work in a handshake, counted in instructions: handshakes against
recorded answers, for the bench's ``handshake_sdk_instructions_ratio``.

Run by the bench under valgrind's cachegrind as ``<venv python> -I
bench/handshake_replay.py CONFIG_JSON``, once with this project's venv and once with the
public ath-sdk 0.1.0's, each in two modes. It loads ``bench/handshake_driver.py`` (by
path: it imports nothing from this repository) for its consent walk and the transports
it times as the wire, then:

1. does one real handshake against the local stack with the given (fresh) agent,
   keeping each answer the transport returned (status, header lines, body);
2. from then on, answers every request at the same transport from those records: the
   wire (``handle_request`` and the body it returns, what the timed figure subtracts)
   is replaced, everything above it is the SDK as it runs;
3. runs ``warmup`` replayed handshakes, then ``count`` iterations of: construct a
   client, register, authorize, exchange the recorded code, close (``"handshakes":
   true``), or only construct and close (``false``).

The bench subtracts the second mode's count from the first's, so what remains is
register + authorize + token alone: interpreter start-up, imports, the recording, the
warm-up and the constructions cancel. Both SDKs get the same agent shape, the same
stack and the same replay; the replay's own work (one response object per request) is
counted on both sides.

CONFIG_JSON: ``{"gateway_url", "provider", "scopes", "agent_id", "pem", "warmup",
"count", "handshakes"}``. Prints ``{"done": count}``.
"""

from __future__ import annotations

import gc
import importlib
import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

DRIVER = Path(__file__).resolve().parent / "handshake_driver.py"


def _load_driver() -> Any:
    spec = importlib.util.spec_from_file_location("ath_bench_handshake_driver", DRIVER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Replay:
    """Records the answers of the real handshake's ATH requests (its POSTs; the consent
    walk's GETs always reach the stack), then serves them by method and path."""

    def __init__(self, driver: Any) -> None:
        self.httpx = driver.httpx2
        self.answers: dict[tuple[str, str], tuple[int, list[tuple[bytes, bytes]], bytes]] = {}
        self.recording = True
        self.served = 0
        for target in driver.wire_transports():
            self._patch(target)

    def _patch(self, target: Any) -> None:
        original = target.handle_request
        replay = self

        def handle_request(transport: Any, request: Any) -> Any:
            if request.method == "GET":  # the consent walk's browser: always the real stack
                return original(transport, request)
            key = (request.method, request.url.path)
            if replay.recording:
                response = original(transport, request)
                try:
                    body = b"".join(response.stream)
                finally:
                    response.stream.close()
                replay.answers[key] = (response.status_code, list(response.headers.raw), body)
            status, headers, body = replay.answers[key]
            replay.served += 1
            return replay.httpx.Response(
                status, headers=headers, stream=replay.httpx.ByteStream(body)
            )

        target.handle_request = handle_request


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: handshake_replay.py CONFIG_JSON", file=sys.stderr)
        return 2
    config: dict[str, Any] = json.loads(argv[1])
    driver = _load_driver()
    sdk = importlib.import_module("ath")
    replay = Replay(driver)
    provider, scopes = config["provider"], list(config["scopes"])
    providers = [{"provider_id": provider, "scopes": scopes}]

    def client() -> Any:
        return sdk.ATHGatewayClient(config["gateway_url"], config["agent_id"], config["pem"])

    with driver.httpx2.Client(trust_env=False, timeout=10.0) as browser:
        first = client()
        try:
            first.register(developer=driver.DEVELOPER, providers=providers, purpose="benchmark")
            auth = first.authorize(provider, scopes)
            code, _ = driver.consent(browser, auth.authorization_url)
            first.exchange_token(code, auth.ath_session_id)
        finally:
            first.close()
    replay.recording = False
    if len(replay.answers) != 3:
        raise SystemExit(f"expected 3 ATH requests to record, saw {sorted(replay.answers)}")

    def handshake() -> None:
        c = client()
        try:
            c.register(developer=driver.DEVELOPER, providers=providers, purpose="benchmark")
            pending = c.authorize(provider, scopes)
            token = c.exchange_token(code, pending.ath_session_id)
        finally:
            c.close()
        if not token.access_token:
            raise SystemExit("the replayed handshake gave no token")

    for _ in range(int(config["warmup"])):
        handshake()
    # both modes start counting from the same collector state: a full collection
    # falling inside one mode's loop and not the other's would not cancel out
    gc.collect()
    served = replay.served
    for _ in range(int(config["count"])):
        if config["handshakes"]:
            handshake()
        else:
            client().close()
    expected = 3 * int(config["count"]) if config["handshakes"] else 0
    if replay.served - served != expected:
        raise SystemExit(f"expected {expected} replayed requests, served {replay.served - served}")
    print(json.dumps({"done": int(config["count"])}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
