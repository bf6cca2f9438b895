"""``ath stack``, ``ath completion`` and ``ath exit-codes``: the embedded local stack, shell
completion and the table of exit statuses."""

from __future__ import annotations

from typing import Final

import click

from ath.cli import _output as o
from ath.cli._context import Run, pass_run, usage

__all__ = ["COMMANDS", "completion", "exit_codes", "stack"]


@click.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    add_help_option=False,  # --help goes to the stack's own options
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
@pass_run
def stack(run: Run, args: tuple[str, ...]) -> None:
    """Run the embedded local ATH stack until Ctrl-C (options: `ath stack --help`).

    Needs the `testing` extra. With the global --json it prints one JSON line of URLs.
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
    code = stack_main(argv, consent="page")
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
@pass_run
def exit_codes(run: Run) -> None:
    """The exit statuses and what each means."""
    run.out.result(
        {"exit_codes": {str(k): v for k, v in o.EXIT_CODES.items()}},
        "\n".join(f"{k:>4}  {v}" for k, v in o.EXIT_CODES.items()),
    )


COMMANDS: Final = (stack, completion, exit_codes)
