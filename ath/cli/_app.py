"""The root ``ath`` group (global options) and :func:`run`, the entry point that maps every
failure to its exit status. The commands live in :mod:`ath.cli._commands`, one module per
command group; the state of a run is the context object (:class:`ath.cli._context.Run`).
Heavy imports (the SDK's clients, httpx2, cryptography) happen inside the commands that
need them, so ``ath --version`` and ``--help`` start fast."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from types import MappingProxyType
from typing import Final

import click

from ath import ATHError, __version__
from ath.cli import _output as o
from ath.cli._commands import COMMANDS
from ath.cli._context import Run
from ath.cli._output import Output

__all__ = ["cli", "run"]


CONTEXT: Final = MappingProxyType({"help_option_names": ["-h", "--help"], "max_content_width": 100})


@click.group(context_settings=dict(CONTEXT), commands=COMMANDS)
@click.version_option(
    __version__, "--version", "-V", prog_name="ath", message="%(prog)s %(version)s"
)
@click.option("--url", metavar="URL", help="Gateway or native service base URL. [env: ATH_URL]")
@click.option("--agent-id", metavar="URI", help="The agent's identity URI. [env: ATH_AGENT_ID]")
@click.option(
    "--key",
    metavar="PATH",
    help="The agent's private key (PEM file; encrypted keys read $ATH_KEY_PASSPHRASE). "
    "[env: ATH_KEY; default: the file `ath keygen` writes]",
)
@click.option("--key-id", metavar="KID", help="Key id in attestations. [env: ATH_KEY_ID]")
@click.option(
    "--store",
    metavar="PATH|URL",
    help="Where registration and tokens are kept: a file, or a redis:// URL. [env: "
    "ATH_STORE; default: the SDK's FileStore in the user data folder]",
)
@click.option("--profile", metavar="NAME", help="Config profile. [env: ATH_PROFILE]")
@click.option(
    "--header",
    "headers",
    metavar="'NAME: VALUE'",
    multiple=True,
    help="Extra header on every request, repeatable. [env: ATH_HEADERS, one per line]",
)
@click.option(
    "--mode",
    type=click.Choice(["gateway", "native"]),
    help="Talk to an ATH gateway (default) or an ATH-native service. [env: ATH_MODE]",
)
@click.option(
    "--user",
    metavar="ID",
    help="Act for this user of the agent: their own tokens (login, proxy, api, revoke, "
    "token, whoami). [env: ATH_USER; default: the agent's default user]",
)
@click.option(
    "--allow-insecure-http",
    is_flag=True,
    help="Allow a plain-http server that is not on loopback (a LAN gateway); loopback "
    "http is always allowed. [env: ATH_ALLOW_INSECURE_HTTP=1]",
)
@click.option("--json", "json_mode", is_flag=True, help="One JSON document per result on stdout.")
@click.option(
    "--no-color",
    is_flag=True,
    help="No colour on a terminal (also: NO_COLOR set to anything). Never coloured with "
    "--json or into a pipe.",
)
@click.pass_context
def cli(
    ctx: click.Context,
    url: str | None,
    agent_id: str | None,
    key: str | None,
    key_id: str | None,
    store: str | None,
    profile: str | None,
    headers: tuple[str, ...],
    mode: str | None,
    user: str | None,
    allow_insecure_http: bool,
    json_mode: bool,
    no_color: bool,
) -> None:
    """The Agent Trust Handshake from a terminal.

    Settings come from flags, then environment variables, then the active profile of
    the config file (`ath config path`). Exit statuses: see `ath exit-codes`.
    """
    from ath.cli._settings import resolve

    state = ctx.ensure_object(Run)
    state.out = Output(json_mode, no_color=no_color)  # errors below are shown as asked
    flags = {
        "url": url,
        "agent_id": agent_id,
        "key": key,
        "key_id": key_id,
        "store": store,
        "headers": headers,
        "mode": mode,
        "user": user,
        "allow_insecure_http": True if allow_insecure_http else None,
    }
    settings = resolve(flags, profile_flag=profile, json_mode=json_mode)
    settings.no_color = no_color
    state.configure(settings)


#: Global flags (without a value) accepted after the subcommand too.
_ANYWHERE: Final = ("--json", "--no-color")


def _json_first(args: list[str]) -> list[str]:
    """``--json`` and ``--no-color`` accepted after any subcommand too (``ath status
    --json``): moved to the root group, where they are defined. Only a whole word before a
    ``--`` separator counts, and not one that is the value of ``-d``/``--data``."""
    end = args.index("--") if "--" in args else len(args)
    found = [
        i
        for i in range(end)
        if args[i] in _ANYWHERE and (i == 0 or args[i - 1] not in ("-d", "--data"))
    ]
    if all(i == n for n, i in enumerate(found)):  # none, or only at the front already
        return args
    flags = list(dict.fromkeys(args[i] for i in found))
    return [*flags, *[a for i, a in enumerate(args) if i not in found]]


def run(argv: Sequence[str] | None = None) -> int:
    """Run one command; map every failure to its exit status (see ``_output.EXIT_CODES``)."""
    args = _json_first(list(sys.argv[1:] if argv is None else argv))
    # until the root group has parsed its options
    state = Run(json_mode="--json" in args, no_color="--no-color" in args)
    try:
        result = cli.main(args=args, prog_name="ath", standalone_mode=False, obj=state)
    except ATHError as exc:
        status = o.exit_code(exc.code, exc.status, origin=exc.origin)
        out = state.out
        text, hint = o.cli_parts(exc.code, exc.message)
        out.error(exc.code, text, exc.status, hint)
        if not out.json_mode and hint is None and status in o.HINTS:
            out.hint(o.HINTS[status])
        return status
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.UsageError as exc:
        if state.out.json_mode:
            state.out.error("INVALID_ARGUMENT", exc.format_message(), None)
        else:
            # it may quote an argument or a file: shown escaped, like every other text
            click.UsageError(o.safe(exc.format_message()), exc.ctx).show()
        return o.USAGE
    except click.ClickException as exc:
        state.out.error("INVALID_ARGUMENT", exc.format_message(), None)
        return o.USAGE
    except (KeyboardInterrupt, click.Abort):
        state.out.error("INTERRUPTED", "interrupted", None)
        return o.INTERRUPTED
    except BrokenPipeError:
        return o.FAILURE
    return result if isinstance(result, int) else o.OK
