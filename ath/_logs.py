"""The logging switch: ``ath.enable_logging(level)`` and ``ATH_LOG=debug|info``.

Both act on the ``ath`` logger only (the SDK's own): its level, and one handler writing
to stderr that they add once. Nothing is installed on any other logger. ``ATH_LOG`` is
read once, when the first client is built; any value other than ``debug`` or ``info``
(in any case) leaves logging as the application configured it.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
from typing import Final

from ath._errors import ATHClientError

__all__ = ["enable_logging", "logging_from_environment"]

log = logging.getLogger("ath")

_LEVELS: Final = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING}
_FORMAT: Final = "%(asctime)s %(name)s %(levelname)s %(message)s"


class _Handler(logging.StreamHandler):  # type: ignore[type-arg]
    """The handler :func:`enable_logging` adds to the ``ath`` logger (told apart from the
    application's own by its class)."""


def enable_logging(level: str | int = "debug") -> None:
    """Print the SDK's records to stderr from ``level`` up (``"debug"``: every HTTP
    attempt too; ``"info"``: each call and the audit events; ``"warning"``: problems
    only). Acts on the ``ath`` logger alone; calling it again changes the level and
    keeps one handler. Records carry their fields as attributes (``record.event``,
    ``getattr(record, "ath.call")``, ...) for log processors; no body, header value,
    token or secret is ever in them."""
    if isinstance(level, str) and level.strip().lower() in _LEVELS:
        number = _LEVELS[level.strip().lower()]
    elif isinstance(level, int) and not isinstance(level, bool) and level >= 0:
        number = level
    else:
        raise ATHClientError(
            "INVALID_ARGUMENT",
            f"enable_logging: level must be 'debug', 'info', 'warning' or a logging level "
            f"number, got {level!r}",
            details={"option": "level"},
        )
    log.setLevel(number)
    if not any(isinstance(h, _Handler) for h in log.handlers):
        handler = _Handler(sys.stderr)
        handler.setFormatter(logging.Formatter(_FORMAT))
        log.addHandler(handler)


@functools.cache
def logging_from_environment() -> None:
    """``ATH_LOG=debug|info``: :func:`enable_logging` at that level (read once)."""
    value = os.environ.get("ATH_LOG", "").strip().lower()
    if value in ("debug", "info"):
        enable_logging(value)
