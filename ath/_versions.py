"""The protocol version a server says it speaks (``ath_version`` in discovery).

The SDK speaks ATH 0.1 (:data:`ath.meta.ATH_VERSION`). A server of another major
version is refused with ``UNSUPPORTED_VERSION`` (its messages may mean other things);
one of the same major version but another minor version gets a warning
(:class:`ATHVersionWarning` and a log record), and the SDK goes on.
"""

from __future__ import annotations

import logging
import re
import warnings
from typing import Final

from ath._errors import ATHServerError

__all__ = ["SPOKEN", "ATHVersionWarning", "check_version"]

#: The (major, minor) protocol version this SDK speaks.
SPOKEN: Final = (0, 1)
_VERSION: Final = re.compile(r"(\d{1,6})\.(\d{1,6})(?:\.\d{1,6})?")

log = logging.getLogger("ath")


class ATHVersionWarning(UserWarning):
    """A server speaks a protocol version the SDK does not know, but may understand."""


def check_version(version: object, *, status: int | None = None) -> None:
    """Refuse another major version (``UNSUPPORTED_VERSION``); warn on another minor
    version or a version that is not ``MAJOR.MINOR[.PATCH]``."""
    spoken = f"{SPOKEN[0]}.{SPOKEN[1]}"
    match = _VERSION.fullmatch(version) if isinstance(version, str) else None
    if match is None:
        # not quoted: whatever else the server put there stays out of logs
        _warn(f"the server's ath_version is not a version number; assuming ATH {spoken}")
        return
    shown = match.group(0)  # digits and dots only
    major, minor = int(match.group(1)), int(match.group(2))
    if major != SPOKEN[0]:
        raise ATHServerError(
            "UNSUPPORTED_VERSION",
            f"discover: the server speaks ATH {shown}; this SDK speaks ATH {spoken} and "
            "does not speak another major version. Use an SDK release for that version.",
            status=status,
            details={"ath_version": shown, "supported": spoken},
        )
    if minor != SPOKEN[1]:
        _warn(
            f"the server speaks ATH {shown}; this SDK speaks ATH {spoken}: calls may fail "
            "where the versions differ"
        )


def _warn(message: str) -> None:
    log.warning("ATH discover: %s", message)
    warnings.warn(message, ATHVersionWarning, stacklevel=2)
