"""Where the SDK's time goes, with the standard library's profilers only.

``python -m bench.profile proxy|api|attest [--calls N]``: cProfile over N calls
against the fast server (or N mints), printing the SDK's own functions by
cumulative time and the top functions overall by internal time.
``python -m bench.profile proxy_async [--calls N] [--http aiohttp]``: the same over N
concurrent ``AsyncATHGatewayClient.proxy()`` calls (the ``proxy_async_*`` bursts: 20
connections, after an unprofiled warm-up burst), on the httpx2 or the aiohttp engine.
``python -m bench.profile handshake``: cProfile over N register -> authorize ->
token handshakes against the local stack (fresh agent each; the consent walk and
the stack's threads are not profiled).
``python -m bench.profile import``: ``-X importtime`` of ``import ath`` in the clean
venv (runtime dependencies only), the biggest subtrees first.
Loopback only; every loop is bounded by ``--calls``.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import re
import subprocess
import sys
import tempfile
from typing import Final

from bench._common import TOKEN, agent_id_for
from bench._proc import FastServer, child_env, install_cleanup

_LINE: Final = re.compile(r"import time:\s+(\d+)\s+\|\s+(\d+)\s+\|(\s*)(\S+)")


def _print_stats(profile: cProfile.Profile, calls: int) -> None:
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats("cumulative").print_stats(r"[/\\]ath[/\\]", 25)
    stats.sort_stats("tottime").print_stats(25)
    print(f"{calls} calls; per call: divide the times by {calls}")
    print(out.getvalue())


def profile_calls(kind: str, calls: int) -> None:
    from ath import ATHGatewayClient, ATHNativeClient, AttestationSigner, generate_private_key

    pem = generate_private_key()
    profile = cProfile.Profile()
    if kind == "attest":
        signer = AttestationSigner(pem, "http://127.0.0.1/agents/bench/.well-known/agent.json")
        profile.enable()
        for _ in range(calls):
            signer.mint("http://127.0.0.1")
        profile.disable()
        _print_stats(profile, calls)
        return
    with FastServer(max_seconds=600) as server:
        agent_id = agent_id_for(server.url)
        if kind == "proxy":
            gateway = ATHGatewayClient(url=server.url, agent_id=agent_id, private_key=pem)
            gateway.set_token(TOKEN, "github")

            def call() -> object:
                return gateway.proxy("github", "GET", "/user")
        else:
            native = ATHNativeClient(url=server.url, agent_id=agent_id, private_key=pem)
            native.discover()
            native.set_token(TOKEN)

            def call() -> object:
                return native.api("GET", "/items")

        for _ in range(min(calls, 200)):
            call()
        profile.enable()
        for _ in range(calls):
            call()
        profile.disable()
    _print_stats(profile, calls)


def profile_async_burst(calls: int, http: str) -> None:
    import asyncio

    from ath import AsyncATHGatewayClient, generate_private_key
    from bench._micro import BURST_LIMITS, BURST_TIMEOUT

    profile = cProfile.Profile()

    async def burst(url: str) -> None:
        async with AsyncATHGatewayClient(
            url=url,
            agent_id=agent_id_for(url),
            private_key=generate_private_key(),
            timeout=BURST_TIMEOUT,
            limits=BURST_LIMITS,
            http="aiohttp" if http == "aiohttp" else "httpx2",
        ) as client:
            client.set_token(TOKEN, "github")

            async def call() -> object:
                return await client.proxy("github", "GET", "/user")

            await asyncio.gather(*(call() for _ in range(min(calls, 200))))
            profile.enable()
            await asyncio.gather(*(call() for _ in range(calls)))
            profile.disable()

    with FastServer(max_seconds=600) as server:
        asyncio.run(burst(server.url))
    _print_stats(profile, calls)


def profile_handshake(count: int) -> None:
    import httpx2

    from ath import ATHGatewayClient, generate_private_key
    from ath.testing import LocalStack
    from bench.handshake_driver import DEVELOPER, consent

    profile = cProfile.Profile()
    with LocalStack() as stack, httpx2.Client(trust_env=False, timeout=10.0) as browser:
        for i in range(count + 2):  # two untimed: first imports of the generated client
            pem = generate_private_key()
            agent_id = stack.host_agent(pem, name=f"profile-{i}")
            measured = i >= 2
            if measured:
                profile.enable()
            with ATHGatewayClient(stack.gateway_url, agent_id, pem) as client:
                client.register(
                    developer=DEVELOPER,
                    providers=[{"provider_id": "github", "scopes": ["read:user"]}],
                    purpose="profile",
                )
                auth = client.authorize("github", ["read:user"])
                profile.disable()
                browser.cookies.clear()
                code, _ = consent(browser, auth.authorization_url)
                if measured:
                    profile.enable()
                client.exchange_token(code, auth.ath_session_id)
            profile.disable()
    _print_stats(profile, count)


def profile_import(limit: int = 30) -> None:
    from bench._venvs import ensure_clean_ours

    python = str(ensure_clean_ours())
    with tempfile.TemporaryDirectory(prefix="ath-bench-import-") as empty:
        for _ in range(2):  # the first launch may write bytecode caches
            done = subprocess.run(  # noqa: S603 - our own interpreter
                [python, "-I", "-X", "importtime", "-c", "import ath"],
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                cwd=empty,
                env=child_env(write_bytecode=True),
                timeout=60,
                check=True,
            )
    rows = []
    for line in done.stderr.splitlines():
        match = _LINE.match(line)
        if match:
            depth = len(match.group(3)) // 2
            rows.append((int(match.group(2)), depth, match.group(4), int(match.group(1))))
    rows.sort(reverse=True)
    print(f"{'cumulative ms':>13} {'self ms':>8} depth module  (clean venv, runtime deps only)")
    for cumulative, depth, name, own in rows[:limit]:
        print(f"{cumulative / 1000:13.1f} {own / 1000:8.1f} {depth:5d} {name}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument(
        "what", choices=("proxy", "api", "attest", "handshake", "import", "proxy_async")
    )
    parser.add_argument("--calls", type=int, default=5000, help="calls to profile (1..100000)")
    parser.add_argument(
        "--http", choices=("httpx2", "aiohttp"), default="httpx2", help="proxy_async's engine"
    )
    args = parser.parse_args(argv)
    if not 1 <= args.calls <= 100_000:
        parser.error("--calls must be within 1..100000")
    install_cleanup()
    if args.what == "import":
        profile_import()
    elif args.what == "handshake":
        profile_handshake(min(args.calls, 500))
    elif args.what == "proxy_async":
        profile_async_burst(min(args.calls, 5000), args.http)
    else:
        profile_calls(args.what, args.calls)
    return 0


if __name__ == "__main__":
    sys.exit(main())
