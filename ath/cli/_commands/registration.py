"""``ath discover``, ``ath register`` and ``ath status``: the server's catalog and the
agent's registration (Phase A)."""

from __future__ import annotations

from typing import Any, Final

import click

from ath.cli import _output as o
from ath.cli._complete import complete_provider_specs
from ath.cli._context import Run, pass_run, usage

__all__ = ["COMMANDS", "credentials", "discover", "register", "status"]


@click.command()
@click.option("--native", is_flag=True, help="The native service document (ath-app.json).")
@pass_run
def discover(run: Run, native: bool) -> None:
    """Show the gateway's providers as a table, or the native service document with
    --native (--json: the document as the server sent it). Remembers the gateway's
    provider ids for shell completion."""
    from ath.cli._state import open_client

    client = open_client(run.settings, native=run.native(native), signing=False)
    with client:
        doc = client.discover().to_dict()
    if "supported_providers" in doc:
        from ath.cli._complete import remember_providers

        remember_providers(client.url, [p.get("provider_id") for p in doc["supported_providers"]])
    run.out.result(doc, o.discovery_text(doc))


def _provider_spec(spec: str) -> dict[str, Any]:
    # Scopes may contain ':' (read:user): the provider id is what precedes the first ':'.
    provider, sep, scopes = spec.partition(":")
    names = [s for s in scopes.split(",") if s]
    if not sep or not provider or not names:
        raise usage(f"--provider is ID:SCOPE[,SCOPE...], like github:read:user,repo; not {spec!r}")
    return {"provider_id": provider, "scopes": names}


@click.command()
@click.option(
    "--provider",
    "providers",
    multiple=True,
    required=True,
    shell_complete=complete_provider_specs,
    metavar="ID:SCOPE,SCOPE",
    help="A provider and the scopes asked for; repeat for several providers.",
)
@click.option("--purpose", help="Why the agent asks (shown to whoever approves).")
@click.option("--redirect-uri", "redirect_uris", multiple=True, help="Repeatable.")
@click.option(
    "--developer-name",
    help="[env: ATH_DEVELOPER_NAME; profile: developer_name; default: the identity "
    "document's (`ath identity --out`)]",
)
@click.option(
    "--developer-id",
    help="[env: ATH_DEVELOPER_ID; profile: developer_id; default: the identity document's]",
)
@click.option(
    "--wait",
    is_flag=True,
    help="When the registration is pending, wait until it is approved or denied.",
)
@click.option(
    "--wait-timeout",
    type=click.FloatRange(min=0),
    default=600.0,
    show_default=True,
    help="Seconds --wait waits.",
)
@pass_run
def register(
    run: Run,
    providers: tuple[str, ...],
    purpose: str | None,
    redirect_uris: tuple[str, ...],
    developer_name: str | None,
    developer_id: str | None,
    wait: bool,
    wait_timeout: float,
) -> None:
    """Register the agent for one or more providers (Phase A); with --wait, wait for a
    pending registration to be decided."""
    from ath.cli._state import describe

    wanted = [_provider_spec(p) for p in providers]
    developer = run.developer(developer_name, developer_id)
    native = run.native()
    from ath import ATHError

    with run.client(native=native, save=True) as client:
        try:
            reg = client.register(developer, wanted, purpose, list(redirect_uris) or None)
        except ATHError as exc:
            if exc.code != "ALREADY_REGISTERED":
                raise
            raise exc.replace(message=_already_registered(client.agent_id, client.url)) from None
        decided = (
            client.wait_for_approval(timeout=wait_timeout)
            if wait and reg.agent_status == "pending"
            else None
        )
    doc = o.registration_summary(reg)
    if decided is not None:
        doc.update(
            {k: v for k, v in o.status_summary(decided).items() if k in doc and k != "client_id"}
        )
    doc["store"] = describe(run.settings, native=native)
    lines = [
        f"Registered {o.safe(client.agent_id)} at {o.safe(client.url)}",
        f"client id:     {o.safe(reg.client_id)}",
        f"client secret: {o.MASK} (kept in {o.safe(o.shown(doc['store']))})",
        f"status:        {o.safe(str(doc['agent_status']))}",
        "",
        *o.approvals_table(doc["approved_providers"]),
    ]
    if doc["agent_status"] == "pending":
        lines.append("The registration awaits approval: check with `ath status`.")
    run.out.result(doc, "\n".join(lines), ok=doc["agent_status"] == "approved")


def _already_registered(agent_id: str, url: str) -> str:
    return (
        f"agent {agent_id} is already registered at {url}, and its client secret is not "
        "stored here (the server shows it only once). Import it with `ath credentials "
        "import FILE` (a JSON file with client_id and client_secret; '-' reads stdin), "
        "or register a new key (`ath keygen`) or agent id."
    )


#: A credentials document is a few hundred bytes; more read from a file is not one.
_MAX_CREDENTIALS_BYTES: Final = 64 * 1024


def _read_credentials(source: str) -> tuple[str, str]:
    """``(client_id, client_secret)`` from a JSON file (``-``: stdin). The secret is
    never quoted in an error."""
    import json
    import sys

    try:
        if source == "-":
            raw = sys.stdin.buffer.read(_MAX_CREDENTIALS_BYTES + 1)
        else:
            with open(source, "rb") as fh:
                raw = fh.read(_MAX_CREDENTIALS_BYTES + 1)
    except OSError as exc:
        raise usage(f"ath credentials import {source}: {exc.strerror}") from None
    where = "stdin" if source == "-" else source
    try:
        if len(raw) > _MAX_CREDENTIALS_BYTES:
            raise ValueError
        doc = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise usage(f"{where} does not hold a JSON credentials document") from None
    client_id = doc.get("client_id") if isinstance(doc, dict) else None
    secret = doc.get("client_secret") if isinstance(doc, dict) else None
    if not isinstance(client_id, str) or not client_id or not isinstance(secret, str) or not secret:
        raise usage(f"{where} needs a JSON object with string client_id and client_secret")
    return client_id, secret


@click.group()
def credentials() -> None:
    """The agent's registration credentials (client id and secret) kept by the store."""


@credentials.command("import")
@click.argument("source", metavar="FILE|-")
@pass_run
def import_credentials(run: Run, source: str) -> None:
    """Keep the client id and secret of an existing registration, read from FILE (a JSON
    object with client_id and client_secret) or stdin ('-'); then `ath login` works."""
    from ath.cli._state import describe

    client_id, secret = _read_credentials(source)
    native = run.native()
    with run.client(native=native, save=True) as client:
        client.set_credentials(client_id, secret)
    where = describe(run.settings, native=native)
    run.out.result(
        {"client_id": client_id, "store": where},
        f"Imported the credentials of client {o.safe(client_id)} into {o.safe(o.shown(where))}.",
        ok=True,
    )


@click.command()
@pass_run
def status(run: Run) -> None:
    """The server's view of the registration, and what the local store holds."""
    from ath.cli._state import describe, users

    native = run.native()
    with run.client(native=native, save=True) as client:
        info = client.registration_status()
        tokens = [o.token_summary(t, p) for p, t in sorted(client.tokens.items())]
        holders: list[dict[str, Any]] = []
        for user in users(client):
            view = client.for_user(user)
            view.refresh()
            held = [o.token_summary(t, p) for p, t in sorted(view.tokens.items())]
            if held:
                holders.append({"user": user, "tokens": held})
    doc = {
        "server": o.status_summary(info),
        "local": {
            "store": describe(run.settings, native=native),
            "user": client.user_id,
            "tokens": tokens,
            "users": holders,
        },
    }
    me = "(default)" if client.user_id is None else str(client.user_id)
    lines = [
        f"agent:     {o.safe(info.agent_id)}",
        f"client id: {o.safe(info.client_id)}",
        f"status:    {o.safe(info.agent_status)}",
        f"store:     {o.safe(o.shown(doc['local']['store']))}",
        *([f"user:      {o.safe(client.user_id)}"] if client.user_id is not None else []),
        "",
        *o.approvals_table(doc["server"]["approved_providers"]),
        "",
        *(
            o.tokens_table(tokens, holders, me)
            if tokens or holders
            else ["No tokens held (run `ath login PROVIDER SCOPE...`)."]
        ),
    ]
    run.out.result(doc, "\n".join(lines))


COMMANDS: Final = (discover, register, status, credentials)
