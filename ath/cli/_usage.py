"""The command line's usage errors: the bottom of ``ath.cli``, imported by every layer
above it (settings, keys, client state, the context object, the commands)."""

from __future__ import annotations

import click

__all__ = ["usage"]


def usage(message: str) -> click.UsageError:
    """A usage error of the command being run: click shows that command's usage line
    above ``message`` (``--json``: an ``INVALID_ARGUMENT`` error line); exit status 2.
    ``message`` names the flag or argument at fault."""
    return click.UsageError(message, click.get_current_context(silent=True))
