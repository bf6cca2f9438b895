"""``python -m ath.testing``: run the embedded local ATH stack until interrupted.

``--json`` prints exactly one JSON line, ``{"gateway_url", "native_url",
"oauth_url", "upstream_url"}`` (plus ``"agent_id"`` with ``--host-agent``), and
nothing else; ``--host-agent PEMFILE`` hosts an agent identity document for that
key; ``--strict-error-codes`` sends only the protocol's own error codes;
``--consent page`` shows a person a consent page with Approve and Deny (``auto``, the
default here, approves at once; ``ath stack`` defaults to ``page``). The stack
serves until SIGINT or SIGTERM, then exits with status 0.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from ._local_stack import LocalStack

__all__ = ["main"]


def _parser(consent: str = "auto") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m ath.testing",
        description="Run the embedded local ATH stack (gateway, native service, OAuth "
        "server, demo upstream) on loopback until SIGINT/SIGTERM.",
    )
    parser.add_argument(
        "--json", action="store_true", help="print one JSON line with the URLs, nothing else"
    )
    parser.add_argument(
        "--host-agent",
        metavar="PEMFILE",
        type=Path,
        help="host an agent identity document for this EC P-256 key (public or private PEM)",
    )
    parser.add_argument(
        "--agent-name", default="demo-agent", help="name of the hosted agent (default: demo-agent)"
    )
    parser.add_argument(
        "--token-lifetime",
        type=int,
        default=3600,
        help="ATH token lifetime in seconds (at most 3600)",
    )
    parser.add_argument(
        "--user-token", help="require this X-ATH-User-Token on the /ath/* API endpoints"
    )
    parser.add_argument(
        "--strict-error-codes",
        action="store_true",
        help="send only the error codes of the protocol's ATHErrorCode enum",
    )
    parser.add_argument(
        "--consent",
        choices=("page", "auto"),
        default=consent,
        help="page: a person approves or denies on a consent page in the browser; "
        f"auto: consent is given at once (default: {consent})",
    )
    parser.add_argument(
        "--legacy-redirects",
        action="store_true",
        help="hand consent results over the way public gateways do (session_id, success)",
    )
    return parser


def main(argv: Sequence[str] | None = None, *, consent: str = "auto") -> int:
    """Run the stack; ``consent`` is the ``--consent`` default (``ath stack``: page)."""
    parser = _parser(consent)
    args = parser.parse_args(argv)
    if not 0 < args.token_lifetime <= 3600:
        parser.error("--token-lifetime must be within 1..3600 seconds (ATH v0.1: one hour at most)")
    pem = args.host_agent.read_bytes() if args.host_agent is not None else None
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    stack = LocalStack(
        token_lifetime=args.token_lifetime,
        user_token=args.user_token,
        legacy_redirects=args.legacy_redirects,
        strict_error_codes=args.strict_error_codes,
        consent=args.consent,
    )
    with stack:
        urls = {
            "gateway_url": stack.gateway_url,
            "native_url": stack.native_url,
            "oauth_url": stack.oauth_url,
            "upstream_url": stack.upstream_url,
        }
        if pem is not None:
            urls["agent_id"] = stack.host_agent(pem, name=args.agent_name)
        if args.json:
            print(json.dumps(urls), flush=True)
        else:
            print("Local ATH stack running (Ctrl-C to stop):")
            for name, url in urls.items():
                print(f"  {name.replace('_', ' '):<13} {url}")
            print(
                f"  providers     {', '.join(stack.providers)} (gateway), "
                f"{stack.native_app_id} (native)"
            )
            print(
                "  consent       "
                + (
                    "a consent page in the browser (Approve / Deny)"
                    if args.consent == "page"
                    else "automatic approval (--consent page to see a consent page)"
                ),
                flush=True,
            )
        while not stop.wait(0.5):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
