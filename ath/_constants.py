"""Constants every part of the SDK shares; the package version is written here and only here.

``pyproject.toml`` reads the version from this file (hatch's version source),
``ath.__version__`` and the ``User-Agent`` are derived from it, and
``tests/package/test_version.py`` ties the few files that cannot import it (the codegen
configuration, the Node tool manifest) to it.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT_SECONDS",
    "MAX_PENDING_SESSIONS",
    "SESSION_LIFETIME",
    "STORE_REFRESH_INTERVAL",
    "USER_AGENT",
    "VERSION",
]

#: Read by hatch (the regex wants a plain assignment) for the distribution metadata.
__version__ = "0.3.0"
VERSION: Final = __version__
USER_AGENT: Final = f"ath-sdk-python/{VERSION}"

#: Seconds an attempt may take, and to connect (the generated client has no timeout at all).
DEFAULT_TIMEOUT_SECONDS: Final = 30.0
DEFAULT_CONNECT_TIMEOUT: Final = 10.0
#: The largest answer body read (decoded) before RESPONSE_TOO_LARGE.
DEFAULT_MAX_RESPONSE_BYTES: Final = 10 * 1024 * 1024
#: Seconds a pending authorization is kept: ATH sessions expire within 10 minutes.
SESSION_LIFETIME: Final = 600.0
#: Pending authorizations kept at most (the oldest is dropped first).
MAX_PENDING_SESSIONS: Final = 256
#: Retries of one call after its first attempt (``RetryPolicy`` and the clients' default).
DEFAULT_MAX_RETRIES: Final = 2
#: Seconds between two checks of a shared credential store's change stamp.
STORE_REFRESH_INTERVAL: Final = 1.0
