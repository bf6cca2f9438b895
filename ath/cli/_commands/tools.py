"""``ath stack``, ``ath completion`` and ``ath exit-codes``: the embedded local stack, shell
completion and the table of exit statuses."""

from __future__ import annotations

from typing import Final

import click

from ath.cli import _output as o
from ath.cli._context import Run, pass_run, usage

__all__ = ["COMMANDS", "STACK_PORT", "completion", "exit_codes", "stack"]

#: ``ath stack``'s default port: the gateway's; the native service, the OAuth server, the
#: upstream API and agent hosting take the next four. Fixed, so that a restarted stack
#: keeps its URLs (and the profile that points at them stays right).
STACK_PORT: Final = 8470


@click.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    add_help_option=False,  # --help goes to the stack's own options
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
@pass_run
def stack(run: Run, args: tuple[str, ...]) -> None:
    """Run the embedded local ATH stack until Ctrl-C (options: `ath stack --help`).

    It listens on 127.0.0.1, the gateway on port 8470 and the other servers on the next
    four (--port, --host), and prints an `export ATH_URL=...` line to paste. Needs the
    `testing` extra. With --json it prints one JSON line of URLs (and "env").
    Consent is a page in the browser with Approve and Deny (--consent auto: at once).
    """
    try:
        from ath.testing.__main__ import main as stack_main
    except ImportError as exc:
        raise usage(
            f"`ath stack` needs the 'testing' extra ({exc.name} is missing): "
            "pip install 'ath-sdk[testing]'"
        ) from None
    argv = list(args)
    if "-h" in argv or "--help" in argv:
        argv = ["--help"]
    if run.settings.json and "--json" not in argv:
        argv.insert(0, "--json")
    code = stack_main(argv, prog="ath stack", port=STACK_PORT, consent="page")
    if code:
        raise SystemExit(code)


@click.command()
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
@click.pass_context
def completion(ctx: click.Context, shell: str) -> None:
    """Print the shell completion script: eval "$(ath completion bash)"."""
    from click.shell_completion import get_completion_class

    cls = get_completion_class(shell)
    assert cls is not None
    click.echo(cls(ctx.find_root().command, {}, "ath", "_ATH_COMPLETE").source())


@click.command("exit-codes")
@click.argument("codes", nargs=-1, metavar="[ERROR_CODE]...")
@pass_run
def exit_codes(run: Run, codes: tuple[str, ...]) -> None:
    """The exit statuses and what each means, then every error code: its exit status and
    what fixes it (with ERROR_CODE, only those codes)."""
    wanted = [c.upper() for c in codes] or sorted(o.CODE_HINTS)
    unknown = [c for c in wanted if c not in o.CODE_HINTS]
    if unknown:
        raise usage(f"unknown error code {unknown[0]!r}; `ath exit-codes` lists them all")
    table = {c: {"exit_code": o.exit_code(c, None), "hint": o.CODE_HINTS[c]} for c in wanted}
    width = max(len(c) for c in wanted)
    rows = [f"  {c:<{width}}  {t['exit_code']:>3}  {t['hint']}" for c, t in table.items()]
    statuses = [f"{k:>4}  {v}" for k, v in o.EXIT_CODES.items()]
    lines = rows if codes else [*statuses, "", "error code, exit status, what fixes it:", *rows]
    run.out.result(
        {"exit_codes": {str(k): v for k, v in o.EXIT_CODES.items()}, "error_codes": table},
        "\n".join(lines),
    )


COMMANDS: Final = (stack, completion, exit_codes)
