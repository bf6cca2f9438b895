"""``ath mcp serve``: the agent's ATH gateway (or native service) as an MCP server, over
stdio (one local user) or streamable HTTP (bearer-authenticated users)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Final

import click

from ath.cli._context import Run, pass_run, usage

__all__ = ["COMMANDS", "mcp"]

_SETTINGS: Final = """\b
Settings (flag of `ath`, then environment, then the active profile):
  ATH_URL       gateway or native service base URL (--url)
  ATH_AGENT_ID  the agent's identity URI (--agent-id)
  ATH_KEY       the agent's private key file (--key; $ATH_KEY_PASSPHRASE)
  ATH_KEY_ID    key id in attestations (--key-id)
  ATH_STORE     registration and tokens: a file or redis:// URL (--store)
  ATH_PROFILE   config profile (--profile)
  ATH_MODE      gateway (default) or native (--mode)
  ATH_HEADERS   extra headers, one per line (--header)
  ATH_USER      the stdio transport's user (--user)
  ATH_MCP_USERS the HTTP transport's users file (--users-file)
"""


@click.group()
def mcp() -> None:
    """ATH as an MCP server (needs the 'mcp' extra)."""


def _openapi(items: tuple[str, ...]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for item in items:
        provider, sep, path = item.partition("=")
        if not sep or not provider or not path:
            raise usage(f"--openapi is PROVIDER=PATH, not {item!r}")
        try:
            found[provider] = json.loads(Path(path).expanduser().read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise usage(f"--openapi {provider}: cannot read a JSON document ({exc})") from None
    return found


def _users(path: str | None) -> dict[str, str] | None:
    """The users file: a JSON object of user id -> bearer token (the token -> user map)."""
    if not path:
        return None
    try:
        doc = json.loads(Path(path).expanduser().read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise usage(f"--users-file: cannot read a JSON object ({type(exc).__name__})") from None
    if not isinstance(doc, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in doc.items()
    ):
        raise usage("--users-file holds a JSON object of user id -> bearer token")
    return {token: user for user, token in doc.items()}


@mcp.command(epilog=_SETTINGS)
@click.option(
    "--transport", type=click.Choice(["stdio", "http"]), default="stdio", show_default=True
)
@click.option("--host", default="127.0.0.1", show_default=True, help="HTTP: the address bound.")
@click.option("--port", type=int, default=8000, show_default=True, help="HTTP: the port.")
@click.option(
    "--users-file",
    metavar="PATH",
    envvar="ATH_MCP_USERS",
    help="HTTP: JSON object of user id -> bearer token. [env: ATH_MCP_USERS]",
)
@click.option(
    "--allow-origin", "origins", multiple=True, metavar="ORIGIN", help="HTTP: extra Origin."
)
@click.option(
    "--openapi",
    "openapi",
    multiple=True,
    metavar="PROVIDER=PATH",
    help="A provider's OpenAPI description (JSON): typed tools per operation. Repeatable.",
)
@click.option("--method", "methods", multiple=True, default=("GET",), show_default=True,
              help="HTTP methods the tools may use. Repeatable.")  # fmt: skip
@click.option(
    "--provider",
    "providers",
    multiple=True,
    metavar="ID:SCOPE,SCOPE",
    help="Register for these at first start when the store holds no registration.",
)
@click.option("--developer-name", help="First-start registration. [profile: developer_name]")
@click.option("--developer-id", help="First-start registration. [profile: developer_id]")
@click.option("--consent-timeout", type=float, default=300.0, show_default=True,
              help="Seconds a call waits for the user's consent.")  # fmt: skip
@pass_run
def serve(
    run: Run,
    transport: str,
    host: str,
    port: int,
    users_file: str | None,
    origins: tuple[str, ...],
    openapi: tuple[str, ...],
    methods: tuple[str, ...],
    providers: tuple[str, ...],
    developer_name: str | None,
    developer_id: str | None,
    consent_timeout: float,
) -> None:
    """Serve the gateway's providers as MCP tools until the client disconnects."""
    try:
        from ath.mcp import ATHMCPServer
    except ImportError as exc:
        raise usage(f"`ath mcp` needs the 'mcp' extra ({exc.name} is missing)") from None
    from ath.cli._commands.registration import _provider_spec
    from ath.cli._state import open_client

    users = _users(users_file or os.environ.get("ATH_MCP_USERS"))
    if transport == "http" and not users:
        raise usage("--transport http needs --users-file (or ATH_MCP_USERS)")
    documents = _openapi(openapi)
    client = open_client(run.settings, native=run.native())
    try:
        if client.client_id is None and providers:
            wanted = [_provider_spec(p) for p in providers]
            developer = run.developer(developer_name, developer_id)
            client.register(developer, wanted)  # single-flight through the store
        user = run.settings.get("user")
        server = ATHMCPServer(client, openapi=documents, methods=methods,
                              user=str(user) if user else None, users=users,
                              consent_timeout=consent_timeout)  # fmt: skip
        if transport == "stdio":
            server.run_stdio()
        else:
            server.run_http(host=host, port=port, allowed_origins=origins)
    finally:
        client.close()


COMMANDS: Final = (mcp,)
