"""Peak RSS of a fresh process making N ``proxy()`` calls (or the raw httpx2 equivalent).

Run by the bench as ``python -m bench.rss --url URL --calls N [--raw]``; prints one
JSON line with ``maxrss_mb``, the peak right after imports and client setup, and the
seconds the calls took.

The peak is ``resource.getrusage(RUSAGE_SELF).ru_maxrss``, except on Linux, where
that figure survives ``fork``/``vfork`` + ``exec``: a child started by a large
parent reports at least the parent's peak. There the process's own high-water mark,
``VmHWM`` of ``/proc/self/status`` (reset by ``exec``), is used instead, and the
inherited ``ru_maxrss`` is reported alongside as ``ru_maxrss_mb``.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from collections.abc import Callable
from typing import Final

from bench._common import TOKEN, agent_id_for, raw_headers

_KIB_PER_MB: Final = 1024.0
#: The environment variable carrying the agent key (PEM) to the SDK process.
PEM_VARIABLE: Final = "ATH_BENCH_PEM"


def _ru_maxrss_mb() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports KiB, macOS bytes.
    return usage / (_KIB_PER_MB * 1024.0) if sys.platform == "darwin" else usage / _KIB_PER_MB


def _maxrss_mb() -> float:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / _KIB_PER_MB
    except OSError:
        pass
    return _ru_maxrss_mb()


def run(url: str, calls: int, raw: bool, max_seconds: float) -> dict[str, float]:
    """The SDK process imports only ath; the ``raw`` one only httpx2."""
    agent_id = agent_id_for(url)
    target = f"{url}/ath/proxy/github/user"
    call: Callable[[], object]
    if raw:
        import httpx2

        http = httpx2.Client(headers=raw_headers(agent_id))

        def call() -> object:
            response = http.get(target)
            response.raise_for_status()
            return response.json()

        close = http.close
    else:
        import os

        from ath import ATHGatewayClient

        # The key comes from the bench: generating one here would load cryptography,
        # which a proxy-only process never needs.
        client = ATHGatewayClient(url=url, agent_id=agent_id, private_key=os.environ[PEM_VARIABLE])
        client.set_token(TOKEN, "github")

        def call() -> object:
            return client.proxy("github", "GET", "/user")

        close = client.close
    setup_mb = _maxrss_mb()
    started = time.monotonic()
    done = 0
    try:
        for done in range(1, calls + 1):
            call()
            if done % 500 == 0 and time.monotonic() - started > max_seconds:
                raise SystemExit(f"bench.rss: {done} calls took longer than {max_seconds}s")
    finally:
        close()
    return {
        "maxrss_mb": _maxrss_mb(),
        "ru_maxrss_mb": _ru_maxrss_mb(),
        "setup_maxrss_mb": setup_mb,
        "calls": float(done),
        "seconds": time.monotonic() - started,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.rss", description=__doc__)
    parser.add_argument("--url", required=True, help="the fast server's base URL (loopback)")
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--raw", action="store_true", help="raw httpx2 instead of the SDK")
    parser.add_argument("--max-seconds", type=float, default=300.0)
    args = parser.parse_args(argv)
    if not args.url.startswith("http://127.0.0.1:"):
        parser.error("--url must be a loopback http://127.0.0.1:<port> URL")
    print(json.dumps(run(args.url, max(1, args.calls), args.raw, args.max_seconds)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
