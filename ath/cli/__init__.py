"""The ``ath`` command line (install with the ``cli`` extra: ``pip install 'ath-sdk[cli]'``).

Everything an agent developer does from a terminal: keys, identity documents,
discovery, registration, consent, tokens, API calls through the gateway or the
native API, revocation, profiles and the embedded local stack. ``main`` is the
console script; ``python -m ath`` runs the same.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

__all__ = ["main"]

#: Exit status when the ``cli`` extra is not installed (a usage problem, see EXIT_CODES).
_MISSING_EXTRA = 2
#: The distributions of the ``cli`` extra, by import name.
_EXTRA = ("click",)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (see :data:`ath.cli._output.EXIT_CODES`)."""
    from importlib.util import find_spec

    missing = [name for name in _EXTRA if find_spec(name) is None]  # found, not imported
    if missing:
        sys.stderr.write(
            f"ath: the command line needs the 'cli' extra ({', '.join(missing)} not installed).\n"
            "Install it with: pip install 'ath-sdk[cli]'\n"
        )
        return _MISSING_EXTRA
    from ath.cli._app import run

    return run(argv)
