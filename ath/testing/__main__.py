"""``python -m ath.testing``: run the embedded local ATH stack until interrupted.

``--json`` prints exactly one JSON line, ``{"gateway_url", "native_url",
"oauth_url", "upstream_url", "env"}`` (plus ``"agent_id"`` with ``--host-agent``), and
nothing else; ``env`` holds the ``ath`` command line's variables for this stack
(``ATH_URL``, and ``ATH_AGENT_ID`` with ``--host-agent``), which the text form prints as
an ``export`` line to paste. ``--port`` and ``--host`` say where it listens (the gateway
on the port, the other servers on the next four); ``ath stack`` runs this with a fixed
default port, so a restarted stack keeps its URLs. ``--host-agent PEMFILE`` hosts an
agent identity document for that key; ``--strict-error-codes`` sends only the protocol's
own error codes; ``--consent page`` shows a person a consent page with Approve and
Deny (``auto``, the default here, approves at once; ``ath stack`` defaults to ``page``).
The stack serves until SIGINT or SIGTERM, then exits with status 0.
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


#: Where the stack listens unless told: 127.0.0.1.
DEFAULT_HOST = "127.0.0.1"
#: Exit status of a usage error (a port in use included), as argparse's.
_USAGE = 2


def _parser(prog: str, port: int, consent: str = "auto") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Run the embedded local ATH stack (gateway, native service, OAuth "
        "server, demo upstream) on loopback until SIGINT/SIGTERM.",
    )
    parser.add_argument(
        "--json", action="store_true", help="print one JSON line with the URLs, nothing else"
    )
    parser.add_argument(
        "--port",
        type=int,
        default=port,
        help="the gateway's port; the native service, OAuth server, upstream API and agent "
        f"hosting take the next four (0: free ports; default: {port})",
    )
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"the IPv4 address or name to listen on (default: {DEFAULT_HOST}); plain http "
        "outside loopback needs the client's --allow-insecure-http",
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


def _shell_line(env: dict[str, str]) -> str:
    import shlex

    return "export " + " ".join(f"{name}={shlex.quote(value)}" for name, value in env.items())


def main(
    argv: Sequence[str] | None = None,
    *,
    prog: str = "python -m ath.testing",
    port: int = 0,
    consent: str = "auto",
) -> int:
    """Run the stack until SIGINT/SIGTERM; ``prog`` names the command in help and errors,
    ``port`` is the default of ``--port`` (0: free ports), ``consent`` the default of
    ``--consent`` (``ath stack``: page)."""
    parser = _parser(prog, port, consent)
    args = parser.parse_args(argv)
    if not 0 < args.token_lifetime <= 3600:
        parser.error("--token-lifetime must be within 1..3600 seconds (ATH v0.1: one hour at most)")
    if not 0 <= args.port <= 65531:
        parser.error(
            f"--port must be within 0..65531 (the stack takes PORT to PORT+4): {args.port}"
        )
    if args.host in ("0.0.0.0", "") or ":" in args.host:  # noqa: S104 - refused, not bound
        parser.error(
            f"--host {args.host!r} is no IPv4 address clients can reach: pass the address "
            "itself (127.0.0.1, or this machine's LAN address)"
        )
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
        host=args.host,
        port=args.port,
    )
    try:
        stack.start()
    except OSError as exc:
        if args.json:
            doc = {"code": "INVALID_ARGUMENT", "message": _busy(exc), "status": None}
            print(json.dumps(doc), file=sys.stderr, flush=True)
        else:
            parser.print_usage(sys.stderr)
            print(f"{parser.prog}: error: {_busy(exc)}", file=sys.stderr, flush=True)
        return _USAGE
    try:
        urls = {
            "gateway_url": stack.gateway_url,
            "native_url": stack.native_url,
            "oauth_url": stack.oauth_url,
            "upstream_url": stack.upstream_url,
        }
        env = {"ATH_URL": stack.gateway_url}
        if pem is not None:
            urls["agent_id"] = env["ATH_AGENT_ID"] = stack.host_agent(pem, name=args.agent_name)
        if args.json:
            print(json.dumps({**urls, "env": env}), flush=True)
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
            print("For the ath command line, paste into your shell:")
            print(f"  {_shell_line(env)}", flush=True)
        while not stop.wait(0.5):
            pass
    finally:
        stack.stop()
    return 0


def _busy(exc: OSError) -> str:
    import errno

    what = exc.strerror or str(exc)
    if exc.errno in (errno.EADDRINUSE, errno.EACCES):
        return (
            f"{what}: pass another --port (the stack takes PORT to PORT+4), or --port 0 "
            "for free ports"
        )
    return f"{what}: check --host"


if __name__ == "__main__":
    sys.exit(main())
